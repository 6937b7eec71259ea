//! Browser sessions, on both backends: signing in sets an `HttpOnly`, `SameSite=Strict` cookie
//! (and `Secure` when the service is told it is behind TLS) that alone signs requests in; a
//! write signed in by it must come from the service's own pages (its `Origin` and the
//! session's CSRF token) or is refused 403 `csrf` and changes nothing; signing out, disabling
//! the user and changing the password end the session at once, and so do its idle and
//! absolute lifetimes; a bearer token always wins over a cookie; every response carries the
//! security headers.

use crate::support;

use chrono::{DateTime, Duration, Utc};
use msai_ledger::app::AppConfig;
use msai_ledger::auth::ratelimit::MAX_FAILURES_PER_USERNAME_AND_ADDRESS;
use msai_ledger::domain::dates::Clock;
use reqwest::{Client, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use support::app::{ADMIN_PASSWORD, Reply, TestApp, assert_problem, spawn_on};
use support::openapi::assert_reply_matches;

const PASSWORD: &str = "a-long-enough-password";

/// A client with no cookie store and no token: every cookie is set by hand, so a test sees
/// exactly what is sent.
fn browser() -> Client {
    Client::new()
}

/// A signed-in browser: the cookie's value and the session's CSRF token.
struct Signed {
    cookie: String,
    csrf: String,
    reply: Reply,
}

/// The `Set-Cookie` of a reply, which must be exactly one.
fn set_cookie(reply: &Reply) -> String {
    let all: Vec<_> = reply.headers.get_all("set-cookie").iter().collect();
    assert_eq!(all.len(), 1, "one Set-Cookie: {all:?}");
    all[0].to_str().unwrap().to_string()
}

/// The cookie's value and its attributes, lower-cased, in a `Set-Cookie` header.
fn cookie_parts(header: &str) -> (String, Vec<String>) {
    let mut parts = header.split(';').map(str::trim);
    let pair = parts.next().unwrap();
    let (name, value) = pair.split_once('=').expect("name=value");
    assert_eq!(name, "msai_session");
    (
        value.to_string(),
        parts.map(|p| p.to_ascii_lowercase()).collect(),
    )
}

async fn sign_in_at(app: &TestApp, username: &str, password: &str) -> Reply {
    app.send(
        browser()
            .post(app.url("/v1/auth/session"))
            .json(&json!({"username": username, "password": password})),
    )
    .await
}

async fn sign_in(app: &TestApp, username: &str, password: &str) -> Signed {
    let reply = sign_in_at(app, username, password).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_reply_matches("POST", "/v1/auth/session", &reply);
    let (cookie, _) = cookie_parts(&set_cookie(&reply));
    Signed {
        cookie,
        csrf: reply.body["csrf_token"]
            .as_str()
            .expect("csrf_token")
            .to_string(),
        reply,
    }
}

fn with_cookie(request: RequestBuilder, cookie: &str) -> RequestBuilder {
    request.header("Cookie", format!("msai_session={cookie}"))
}

/// A write from the service's own page: the cookie, this service's `Origin` and the token.
fn from_page(app: &TestApp, request: RequestBuilder, signed: &Signed) -> RequestBuilder {
    with_cookie(request, &signed.cookie)
        .header("Origin", app.base.clone())
        .header("X-CSRF-Token", signed.csrf.clone())
}

async fn me_by_cookie(app: &TestApp, cookie: &str) -> Reply {
    app.send(with_cookie(browser().get(app.url("/v1/me")), cookie))
        .await
}

async fn group_count(app: &TestApp) -> usize {
    let reply = app.get("/v1/groups?limit=100").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"].as_array().unwrap().len()
}

fn new_group(name: &str) -> Value {
    json!({"name": name, "currency": "HKD", "host_country": "HK", "home_country": "PH"})
}

fn time(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().expect("a time"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

both_backends!(
    signing_in_sets_a_strict_http_only_session_cookie_that_alone_signs_in,
    |app| async move {
        let before = Utc::now();
        let signed = sign_in(&app, "admin", ADMIN_PASSWORD).await;
        let header = set_cookie(&signed.reply);
        let (value, attributes) = cookie_parts(&header);
        // 256 random bits, URL-safe.
        assert!(value.len() >= 43, "{header}");
        assert!(
            value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{header}"
        );
        for wanted in ["httponly", "samesite=strict", "path=/"] {
            assert!(attributes.contains(&wanted.to_string()), "{header}");
        }
        assert!(!attributes.iter().any(|a| a == "secure"), "{header}");
        // Kept by the browser for the session's absolute lifetime (30 days by default), so a
        // restarted phone is still signed in; the service ends the session sooner if it must.
        assert!(
            attributes.contains(&format!("max-age={}", 30 * 24 * 3600)),
            "{header}"
        );
        assert!(
            !attributes.iter().any(|a| a.starts_with("expires")),
            "{header}"
        );
        assert_eq!(
            signed.reply.headers.get("cache-control").unwrap(),
            "no-store"
        );
        let body = &signed.reply.body;
        assert_eq!(body["user"]["username"], "admin");
        assert!(body["can"].as_array().is_some_and(|c| !c.is_empty()));
        assert!(signed.csrf.len() >= 43);
        let expires = time(&body["expires_at"]);
        let idle = time(&body["idle_expires_at"]);
        assert!(expires >= before + Duration::days(30) - Duration::minutes(1));
        assert!(expires <= Utc::now() + Duration::days(30));
        assert!(idle >= before + Duration::days(7) - Duration::minutes(1));
        assert!(idle <= Utc::now() + Duration::days(7));

        // Two sign-ins are two sessions.
        let other = sign_in(&app, "admin", ADMIN_PASSWORD).await;
        assert_ne!(other.cookie, signed.cookie);
        assert_ne!(other.csrf, signed.csrf);

        // The cookie alone reads /v1/me, as the token would.
        let me = me_by_cookie(&app, &signed.cookie).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        assert_eq!(me.body["user"]["username"], "admin");
        let by_token = app.get("/v1/me").await;
        assert_eq!(me.body, by_token.body);

        // The session reads back with the same body, and no new cookie.
        let session = app
            .send(with_cookie(
                browser().get(app.url("/v1/auth/session")),
                &signed.cookie,
            ))
            .await;
        assert_eq!(session.status, StatusCode::OK, "{}", session.body);
        assert_reply_matches("GET", "/v1/auth/session", &session);
        assert!(session.headers.get("set-cookie").is_none());
        assert_eq!(session.body["csrf_token"], signed.csrf.as_str());
        assert_eq!(session.body["user"], body["user"]);
        assert_eq!(session.body["can"], body["can"]);
        assert_eq!(time(&session.body["expires_at"]), expires);
        assert_eq!(time(&session.body["idle_expires_at"]), idle);

        // Cookies the service never gave sign no one in.
        let forged = me_by_cookie(&app, "not-a-session-anyone-was-given").await;
        assert_problem(&forged, StatusCode::UNAUTHORIZED, "unauthorized");
        // ...and a public route still answers.
        let health = app
            .send(with_cookie(
                browser().get(app.url("/healthz")),
                "not-a-session-anyone-was-given",
            ))
            .await;
        assert_eq!(health.status, StatusCode::OK);
    }
);

both_backends!(
    a_browser_sign_in_is_refused_limited_and_audited_like_a_token_sign_in,
    |app| async move {
        app.user_with("rosa.treasurer", json!([{"role": "auditor"}]))
            .await;
        let wrong = sign_in_at(&app, "rosa.treasurer", "not her password").await;
        assert_problem(&wrong, StatusCode::UNAUTHORIZED, "invalid-credentials");
        assert_reply_matches("POST", "/v1/auth/session", &wrong);
        assert!(wrong.headers.get("set-cookie").is_none());
        let unknown = sign_in_at(&app, "nobody.here", "not a password").await;
        assert_problem(&unknown, StatusCode::UNAUTHORIZED, "invalid-credentials");
        let malformed = app
            .send(
                browser()
                    .post(app.url("/v1/auth/session"))
                    .json(&json!({"username": "rosa.treasurer"})),
            )
            .await;
        assert_eq!(
            malformed.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            malformed.body
        );

        // The failed sign-in is in the audit log, named by its username and by no user.
        let events = app.get("/v1/audit-events?limit=500").await;
        assert!(
            events.body["items"].as_array().unwrap().iter().any(|e| {
                e["route"] == "/v1/auth/session"
                    && e["status"] == 401
                    && e["username"] == "rosa.treasurer"
                    && e["user_id"].is_null()
            }),
            "{}",
            events.body
        );

        // Failures count against the same limit as token sign-ins: both are then refused 429.
        for _ in 1..MAX_FAILURES_PER_USERNAME_AND_ADDRESS {
            let reply = sign_in_at(&app, "rosa.treasurer", "still not her password").await;
            assert_problem(&reply, StatusCode::UNAUTHORIZED, "invalid-credentials");
        }
        let locked = sign_in_at(&app, "rosa.treasurer", PASSWORD).await;
        assert_problem(&locked, StatusCode::TOO_MANY_REQUESTS, "too-many-attempts");
        assert_reply_matches("POST", "/v1/auth/session", &locked);
        assert!(locked.headers.get("retry-after").is_some());
        assert!(locked.headers.get("set-cookie").is_none());
        let token = app
            .send(
                browser()
                    .post(app.url("/v1/auth/token"))
                    .json(&json!({"username": "rosa.treasurer", "password": PASSWORD})),
            )
            .await;
        assert_problem(&token, StatusCode::TOO_MANY_REQUESTS, "too-many-attempts");
    }
);

both_backends!(
    a_cookie_write_from_the_service_s_own_page_succeeds_and_any_other_is_refused_unwritten,
    |app| async move {
        let signed = sign_in(&app, "admin", ADMIN_PASSWORD).await;
        let groups = app.url("/v1/groups");
        let before = group_count(&app).await;
        let refusals: Vec<(&str, RequestBuilder)> = vec![
            (
                "no Origin",
                with_cookie(browser().post(&groups), &signed.cookie)
                    .header("X-CSRF-Token", signed.csrf.clone()),
            ),
            (
                "another site's Origin",
                with_cookie(browser().post(&groups), &signed.cookie)
                    .header("Origin", "http://evil.example")
                    .header("X-CSRF-Token", signed.csrf.clone()),
            ),
            (
                "this host on another port",
                with_cookie(browser().post(&groups), &signed.cookie)
                    .header("Origin", "http://127.0.0.1:1")
                    .header("X-CSRF-Token", signed.csrf.clone()),
            ),
            (
                "an opaque Origin",
                with_cookie(browser().post(&groups), &signed.cookie)
                    .header("Origin", "null")
                    .header("X-CSRF-Token", signed.csrf.clone()),
            ),
            (
                "no X-CSRF-Token",
                with_cookie(browser().post(&groups), &signed.cookie)
                    .header("Origin", app.base.clone()),
            ),
            (
                "a wrong X-CSRF-Token",
                with_cookie(browser().post(&groups), &signed.cookie)
                    .header("Origin", app.base.clone())
                    .header("X-CSRF-Token", "a-guess"),
            ),
        ];
        for (what, request) in refusals {
            let reply = app.send(request.json(&new_group("Forged Savers"))).await;
            assert_problem(&reply, StatusCode::FORBIDDEN, "csrf");
            assert_eq!(reply.body["title"], "Cross-site request refused", "{what}");
            assert_reply_matches("POST", "/v1/groups", &reply);
            assert_eq!(group_count(&app).await, before, "{what}: nothing written");
        }
        // Another session's token is no better.
        let other = sign_in(&app, "admin", ADMIN_PASSWORD).await;
        let reply = app
            .send(
                with_cookie(browser().post(&groups), &signed.cookie)
                    .header("Origin", app.base.clone())
                    .header("X-CSRF-Token", other.csrf.clone())
                    .json(&new_group("Forged Savers")),
            )
            .await;
        assert_problem(&reply, StatusCode::FORBIDDEN, "csrf");
        assert_eq!(group_count(&app).await, before);

        // From the page: written, and recorded in the audit log as the admin's.
        let reply = app
            .send(from_page(&app, browser().post(&groups), &signed).json(&new_group("Page Savers")))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(group_count(&app).await, before + 1);
        let id = reply.body["id"].as_str().unwrap();
        let events = app.get("/v1/audit-events?limit=500").await;
        assert!(
            events.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| { e["created_ids"] == json!([id]) && e["username"] == "admin" }),
            "{}",
            events.body
        );
        // Reads need neither.
        let read = app
            .send(with_cookie(
                browser().get(app.url(&format!("/v1/groups/{id}"))),
                &signed.cookie,
            ))
            .await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    }
);

both_backends!(signing_out_ends_the_session_at_once, |app| async move {
    let signed = sign_in(&app, "admin", ADMIN_PASSWORD).await;
    let session = app.url("/v1/auth/session");
    // Signing out is a write like any other: a page of another site cannot do it.
    let forged = app
        .send(
            with_cookie(browser().delete(&session), &signed.cookie)
                .header("Origin", "http://evil.example")
                .header("X-CSRF-Token", signed.csrf.clone()),
        )
        .await;
    assert_problem(&forged, StatusCode::FORBIDDEN, "csrf");
    assert_reply_matches("DELETE", "/v1/auth/session", &forged);
    assert_eq!(
        me_by_cookie(&app, &signed.cookie).await.status,
        StatusCode::OK
    );

    let out = app
        .send(from_page(&app, browser().delete(&session), &signed))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.body);
    assert_reply_matches("DELETE", "/v1/auth/session", &out);
    let (value, attributes) = cookie_parts(&set_cookie(&out));
    assert_eq!(value, "");
    for wanted in ["max-age=0", "path=/", "httponly", "samesite=strict"] {
        assert!(attributes.contains(&wanted.to_string()), "{attributes:?}");
    }
    let after = me_by_cookie(&app, &signed.cookie).await;
    assert_problem(&after, StatusCode::UNAUTHORIZED, "unauthorized");
    let read = app
        .send(with_cookie(browser().get(&session), &signed.cookie))
        .await;
    assert_problem(&read, StatusCode::UNAUTHORIZED, "unauthorized");

    // Signing out again, or with no cookie at all, still tells the browser to forget it.
    for request in [
        with_cookie(browser().delete(&session), &signed.cookie),
        browser().delete(&session),
    ] {
        let reply = app.send(request).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
        assert!(set_cookie(&reply).contains("Max-Age=0"));
    }
});

both_backends!(
    the_session_route_without_a_session_cookie_is_unauthorized,
    |app| async move {
        let session = app.url("/v1/auth/session");
        let none = app.send(browser().get(&session)).await;
        assert_problem(&none, StatusCode::UNAUTHORIZED, "unauthorized");
        assert_reply_matches("GET", "/v1/auth/session", &none);
        // A bearer token signs in, but names no session.
        let bearer = app.send(app.client.get(&session)).await;
        assert_problem(&bearer, StatusCode::UNAUTHORIZED, "unauthorized");
        assert_reply_matches("GET", "/v1/auth/session", &bearer);
        assert!(bearer.headers.get("www-authenticate").is_some());
    }
);

both_backends!(
    disabling_the_user_or_changing_the_password_ends_the_session_at_once,
    |app| async move {
        let (id, _) = app
            .user_with("lina.auditor", json!([{"role": "auditor"}]))
            .await;
        let signed = sign_in(&app, "lina.auditor", PASSWORD).await;
        assert_eq!(
            me_by_cookie(&app, &signed.cookie).await.status,
            StatusCode::OK
        );
        let changed = app
            .post(
                &format!("/v1/users/{id}/password"),
                &json!({"password": "a-new-long-enough-password"}),
            )
            .await;
        assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
        let after = me_by_cookie(&app, &signed.cookie).await;
        assert_problem(&after, StatusCode::UNAUTHORIZED, "unauthorized");

        let signed = sign_in(&app, "lina.auditor", "a-new-long-enough-password").await;
        assert_eq!(
            me_by_cookie(&app, &signed.cookie).await.status,
            StatusCode::OK
        );
        let disabled = app
            .post(&format!("/v1/users/{id}/disable"), &json!({}))
            .await;
        assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
        let after = me_by_cookie(&app, &signed.cookie).await;
        assert_problem(&after, StatusCode::UNAUTHORIZED, "unauthorized");

        // A user changing their own password from the page ends that session too.
        let (id, _) = app
            .user_with("tess.auditor", json!([{"role": "auditor"}]))
            .await;
        let signed = sign_in(&app, "tess.auditor", PASSWORD).await;
        let changed = app
            .send(
                from_page(
                    &app,
                    browser().post(app.url(&format!("/v1/users/{id}/password"))),
                    &signed,
                )
                .json(&json!({"password": "tess-new-long-password", "current_password": PASSWORD})),
            )
            .await;
        assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
        let after = me_by_cookie(&app, &signed.cookie).await;
        assert_problem(&after, StatusCode::UNAUTHORIZED, "unauthorized");
    }
);

/// The moment the lifetime tests start at.
fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-06T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Another instance of the service on the same database, whose clock reads `now`.
async fn service_at(app: &TestApp, now: DateTime<Utc>, config: AppConfig) -> TestApp {
    let config = AppConfig {
        clock: Clock::Fixed(now),
        ..config
    };
    spawn_on(app.backend, app.database_url.clone(), None, config).await
}

both_backends_with!(
    a_session_unused_for_its_idle_lifetime_ends_and_use_keeps_it_open,
    AppConfig {
        clock: Clock::Fixed(start()),
        ..AppConfig::default()
    },
    |app| async move {
        let signed = sign_in(&app, "admin", ADMIN_PASSWORD).await;
        assert_eq!(
            time(&signed.reply.body["idle_expires_at"]),
            start() + Duration::days(7)
        );
        assert_eq!(
            time(&signed.reply.body["expires_at"]),
            start() + Duration::days(30)
        );
        let later = service_at(&app, start() + Duration::days(6), AppConfig::default()).await;
        let reply = me_by_cookie(&later, &signed.cookie).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "used after 6 days: {}",
            reply.body
        );
        // That use moved the idle end on.
        let session = later
            .send(with_cookie(
                browser().get(later.url("/v1/auth/session")),
                &signed.cookie,
            ))
            .await;
        assert_eq!(
            time(&session.body["idle_expires_at"]),
            start() + Duration::days(13)
        );
        let later = service_at(&app, start() + Duration::days(12), AppConfig::default()).await;
        let reply = me_by_cookie(&later, &signed.cookie).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "used again 6 days on: {}",
            reply.body
        );
        let idle = start() + Duration::days(19) + Duration::seconds(1);
        let later = service_at(&app, idle, AppConfig::default()).await;
        let reply = me_by_cookie(&later, &signed.cookie).await;
        assert_problem(&reply, StatusCode::UNAUTHORIZED, "unauthorized");
    }
);

both_backends_with!(
    a_session_ends_at_its_absolute_lifetime_however_much_it_is_used,
    AppConfig {
        clock: Clock::Fixed(start()),
        session_lifetime: std::time::Duration::from_secs(10 * 24 * 3600),
        ..AppConfig::default()
    },
    |app| async move {
        let signed = sign_in(&app, "admin", ADMIN_PASSWORD).await;
        assert_eq!(
            time(&signed.reply.body["expires_at"]),
            start() + Duration::days(10)
        );
        let lifetime = AppConfig {
            session_lifetime: std::time::Duration::from_secs(10 * 24 * 3600),
            ..AppConfig::default()
        };
        let later = service_at(&app, start() + Duration::days(6), lifetime.clone()).await;
        let reply = me_by_cookie(&later, &signed.cookie).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let session = later
            .send(with_cookie(
                browser().get(later.url("/v1/auth/session")),
                &signed.cookie,
            ))
            .await;
        assert_eq!(
            time(&session.body["idle_expires_at"]),
            start() + Duration::days(10),
            "never after the absolute end"
        );
        let later = service_at(&app, start() + Duration::days(10), lifetime).await;
        let reply = me_by_cookie(&later, &signed.cookie).await;
        assert_problem(&reply, StatusCode::UNAUTHORIZED, "unauthorized");
    }
);

both_backends!(a_bearer_token_always_wins_over_a_cookie, |app| async move {
    let admin = sign_in(&app, "admin", ADMIN_PASSWORD).await;
    let (_, auditor) = app
        .user_with("noor.auditor", json!([{"role": "auditor"}]))
        .await;
    // The token names the auditor, whatever the cookie says.
    let me = app
        .send(with_cookie(auditor.get(app.url("/v1/me")), &admin.cookie))
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["user"]["username"], "noor.auditor");
    // A cookie no one was given does not spoil a good token.
    let me = app
        .send(with_cookie(
            app.client.get(app.url("/v1/me")),
            "stale-cookie",
        ))
        .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    // A write by token needs no CSRF token, cookie or not: no page of another site can
    // send an Authorization header.
    let reply = app
        .send(
            with_cookie(app.client.post(app.url("/v1/groups")), &admin.cookie)
                .json(&new_group("Token Savers")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    // A bad token is refused even with a good cookie.
    let reply = app
        .send(
            with_cookie(browser().get(app.url("/v1/me")), &admin.cookie)
                .header("Authorization", "Bearer not-a-token"),
        )
        .await;
    assert_problem(&reply, StatusCode::UNAUTHORIZED, "unauthorized");
});

const SECURITY_HEADERS: [(&str, &str); 7] = [
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
];

fn assert_security_headers(reply: &Reply, what: &str, hsts: bool) {
    for (name, value) in SECURITY_HEADERS {
        assert_eq!(
            reply.headers.get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{what}: {name}"
        );
    }
    assert_eq!(
        reply.headers.get("strict-transport-security").is_some(),
        hsts,
        "{what}: Strict-Transport-Security"
    );
}

both_backends!(
    every_response_carries_the_security_headers_and_the_statement_page_needs_no_inline_style,
    |app| async move {
        assert_security_headers(&app.get("/v1/me").await, "an API answer", false);
        assert_security_headers(&app.get("/v1/nowhere").await, "a 404", false);
        let refused = app.send(browser().get(app.url("/v1/me"))).await;
        assert_security_headers(&refused, "a 401", false);

        let group = app.post("/v1/groups", &new_group("Statement Savers")).await;
        assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);
        let group = group.body["id"].as_str().unwrap().to_string();
        let member = app
            .post(
                &format!("/v1/groups/{group}/members"),
                &json!({"name": "Ana Reyes", "home_country": "PH", "host_country": "HK"}),
            )
            .await;
        assert_eq!(member.status, StatusCode::CREATED, "{}", member.body);
        let member = member.body["id"].as_str().unwrap().to_string();
        let page = app
            .get(&format!(
                "/v1/groups/{group}/members/{member}/statement?format=html"
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.content_type().starts_with("text/html"));
        assert_security_headers(&page, "the statement page", false);
        // The policy allows no inline style: the page links the service's stylesheet.
        assert!(!page.text.contains("<style"), "{}", page.text);
        assert!(!page.text.contains("style="), "{}", page.text);
        assert!(
            page.text
                .contains("<link rel=\"stylesheet\" href=\"/app/print.css\">"),
            "{}",
            page.text
        );
        let css = app.send(browser().get(app.url("/app/print.css"))).await;
        assert_eq!(css.status, StatusCode::OK);
        assert!(
            css.content_type().starts_with("text/css"),
            "{}",
            css.content_type()
        );
        assert!(
            css.text.contains("border-collapse: collapse"),
            "{}",
            css.text
        );
        assert!(css.text.contains("@media print"), "{}", css.text);
        assert_security_headers(&css, "the stylesheet", false);
    }
);

both_backends_with!(
    behind_tls_the_cookie_is_secure_pages_must_be_https_and_hsts_is_sent,
    AppConfig {
        secure_cookies: true,
        ..AppConfig::default()
    },
    |app| async move {
        let signed = sign_in(&app, "admin", ADMIN_PASSWORD).await;
        let (_, attributes) = cookie_parts(&set_cookie(&signed.reply));
        assert!(attributes.contains(&"secure".to_string()), "{attributes:?}");
        assert!(set_cookie(&signed.reply).ends_with("; Secure"));
        assert!(
            attributes.contains(&"httponly".to_string()),
            "{attributes:?}"
        );
        assert_security_headers(&signed.reply, "the sign-in", true);
        assert_eq!(
            signed
                .reply
                .headers
                .get("strict-transport-security")
                .unwrap(),
            "max-age=31536000"
        );
        let host = app.base.trim_start_matches("http://").to_string();
        let before = group_count(&app).await;
        // The same host, but a page loaded over plain http.
        let plain = app
            .send(
                with_cookie(browser().post(app.url("/v1/groups")), &signed.cookie)
                    .header("Origin", format!("http://{host}"))
                    .header("X-CSRF-Token", signed.csrf.clone())
                    .json(&new_group("Plain Savers")),
            )
            .await;
        assert_problem(&plain, StatusCode::FORBIDDEN, "csrf");
        assert_eq!(group_count(&app).await, before);
        let tls = app
            .send(
                with_cookie(browser().post(app.url("/v1/groups")), &signed.cookie)
                    .header("Origin", format!("https://{host}"))
                    .header("X-CSRF-Token", signed.csrf.clone())
                    .json(&new_group("Secure Savers")),
            )
            .await;
        assert_eq!(tls.status, StatusCode::CREATED, "{}", tls.body);
        let out = app
            .send(
                with_cookie(
                    browser().delete(app.url("/v1/auth/session")),
                    &signed.cookie,
                )
                .header("Origin", format!("https://{host}"))
                .header("X-CSRF-Token", signed.csrf.clone()),
            )
            .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.body);
        assert!(set_cookie(&out).ends_with("; Secure"));
        assert_reply_matches("DELETE", "/v1/auth/session", &out);
    }
);
