//! Browser sessions: the cookie that names one, the hash the service keeps of it, and the
//! checks a write signed in by the cookie must pass to show it comes from the service's own
//! pages (CSRF).

use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::http::{HeaderMap, Method, header};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How the service keeps browser sessions.
#[derive(Debug, Clone, Copy)]
pub struct SessionSettings {
    pub lifetimes: crate::domain::access::SessionLifetimes,
    /// The service is reached over TLS: cookies are `Secure`, a write's `Origin` must be https,
    /// and responses carry `Strict-Transport-Security`.
    pub secure_cookies: bool,
}

/// The cookie that carries a browser's session.
pub const COOKIE_NAME: &str = "msai_session";

/// The header in which the service's pages send back the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A new random value of 256 bits, URL-safe: a session's cookie value or its CSRF token.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the service keeps of a cookie's value: its SHA-256, as lower-case hex.
pub fn hash(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// The session cookie's value in a request's `Cookie` headers, if it has a non-empty one.
pub fn from_headers(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// The `Set-Cookie` that gives a browser its session: readable by no script, sent only with
/// requests from the service's own pages, and kept for the session's absolute lifetime, so that
/// a phone restarted between a meeting and a connection is still signed in when its outbox is
/// sent (the service still ends the session earlier when it is idle, signed out or revoked).
pub fn set_cookie(value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{COOKIE_NAME}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}{secure}"
    )
}

/// The `Set-Cookie` that makes a browser forget its session cookie.
pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict{secure}")
}

/// Methods that change nothing, which a page of another site may have the browser send.
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Why a write signed in by the session cookie is not taken to come from the service's own
/// pages, or `None` when it is: its `Origin` must name this service (the host and port the
/// request was sent to; with `secure`, over https) and its `X-CSRF-Token` must be the
/// session's. `host` is the request's `Host` (or HTTP/2 authority).
pub fn csrf_refusal(
    headers: &HeaderMap,
    host: Option<&str>,
    csrf_token: &str,
    secure: bool,
) -> Option<&'static str> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Some("a write signed in by the session cookie must carry an Origin header");
    };
    let same_origin = origin.split_once("://").is_some_and(|(scheme, authority)| {
        let scheme_ok = !secure || scheme.eq_ignore_ascii_case("https");
        scheme_ok
            && !authority.is_empty()
            && !authority.contains('/')
            && host.is_some_and(|host| authority.eq_ignore_ascii_case(host))
    });
    if !same_origin {
        return Some("the request's Origin is not this service");
    }
    let sent = headers
        .get(CSRF_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if sent.is_empty() || !bool::from(sent.ct_eq(csrf_token.as_bytes())) {
        return Some(
            "a write signed in by the session cookie must carry the session's csrf_token in X-CSRF-Token",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let h = headers(&[("cookie", "lang=fil; msai_session=abc_-1 ; other=2")]);
        assert_eq!(from_headers(&h), Some("abc_-1"));
        let h = headers(&[("cookie", "lang=fil"), ("cookie", "msai_session=xyz")]);
        assert_eq!(from_headers(&h), Some("xyz"));
        assert_eq!(from_headers(&headers(&[("cookie", "msai_session=")])), None);
        assert_eq!(
            from_headers(&headers(&[("cookie", "xmsai_session=a")])),
            None
        );
    }

    #[test]
    fn secrets_are_256_bits_url_safe_and_differ() {
        let a = new_secret();
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(a, new_secret());
        assert_eq!(hash("x").len(), 64);
    }

    #[test]
    fn a_write_needs_this_origin_and_the_session_token() {
        let ok = headers(&[
            ("origin", "http://ledger.example:8080"),
            ("x-csrf-token", "tok"),
        ]);
        let host = Some("ledger.example:8080");
        assert_eq!(csrf_refusal(&ok, host, "tok", false), None);
        // Over TLS, the page must have been loaded over https too.
        assert!(csrf_refusal(&ok, host, "tok", true).is_some());
        let tls = headers(&[
            ("origin", "https://ledger.example:8080"),
            ("x-csrf-token", "tok"),
        ]);
        assert_eq!(csrf_refusal(&tls, host, "tok", true), None);
        assert!(csrf_refusal(&ok, Some("ledger.example"), "tok", false).is_some());
        assert!(csrf_refusal(&ok, None, "tok", false).is_some());
        assert!(csrf_refusal(&ok, host, "other", false).is_some());
        let no_origin = headers(&[("x-csrf-token", "tok")]);
        assert!(csrf_refusal(&no_origin, host, "tok", false).is_some());
        let null_origin = headers(&[("origin", "null"), ("x-csrf-token", "tok")]);
        assert!(csrf_refusal(&null_origin, host, "tok", false).is_some());
        let no_token = headers(&[("origin", "http://ledger.example:8080")]);
        assert!(csrf_refusal(&no_token, host, "tok", false).is_some());
        let path = headers(&[
            ("origin", "http://ledger.example:8080/x"),
            ("x-csrf-token", "tok"),
        ]);
        assert!(csrf_refusal(&path, host, "tok", false).is_some());
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_when_told() {
        assert_eq!(
            set_cookie("v", 60, false),
            "msai_session=v; HttpOnly; SameSite=Strict; Path=/; Max-Age=60"
        );
        assert!(set_cookie("v", 60, true).ends_with("; Secure"));
        assert_eq!(
            clear_cookie(false),
            "msai_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict"
        );
    }
}
