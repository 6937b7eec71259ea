//! Access tokens: JWTs we issue (HS256 with a shared secret) and, optionally, tokens from an
//! outside identity provider (EdDSA or RS256, verified with its public key). Validation is
//! explicit: allowed algorithms only; exp, iat, iss, aud and sub required and checked; leeway
//! at most 30 s. Tokens we issue also carry the user's token version (`ver`), so a password
//! change ends every token issued before it.

use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};

/// Clock skew tolerated on exp, nbf and iat, in seconds.
pub const LEEWAY_SECS: u64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// The user's token version when the token was issued (ours only). Tokens issued before
    /// versions existed have none, and count as version 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ver: Option<i64>,
}

/// Who issued a token that verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issuer {
    /// This service (HS256).
    Here,
    /// The outside identity provider (EdDSA or RS256).
    External,
}

#[derive(Debug, Clone)]
pub struct Verified {
    pub claims: Claims,
    pub issuer: Issuer,
}

impl Verified {
    /// Whether the token still stands for a user whose token version is now `token_version`.
    /// Ours must carry that version: a password change raised it and ended the older ones. An
    /// outside provider's tokens were not obtained with a password kept here, so a change here
    /// says nothing about them; disabling the user ends them.
    pub fn is_current(&self, token_version: i64) -> bool {
        match self.issuer {
            Issuer::Here => self.claims.ver.unwrap_or(0) == token_version,
            Issuer::External => true,
        }
    }
}

/// Verification settings for an outside identity provider's tokens.
#[derive(Clone)]
pub struct ExternalIssuer {
    pub algorithm: Algorithm,
    pub key: DecodingKey,
    pub issuer: String,
    pub audience: String,
}

#[derive(Clone)]
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
    lifetime_secs: u64,
    external: Option<ExternalIssuer>,
}

/// Why a token was refused; the text goes into `WWW-Authenticate` and the problem detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TokenError(pub &'static str);

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn validation(algorithm: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut v = Validation::new(algorithm);
    v.leeway = LEEWAY_SECS;
    v.validate_exp = true;
    v.validate_nbf = true;
    v.validate_aud = true;
    v.set_issuer(&[issuer]);
    v.set_audience(&[audience]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    v
}

impl TokenService {
    pub fn new(
        secret: &[u8],
        issuer: &str,
        audience: &str,
        lifetime_secs: u64,
        external: Option<ExternalIssuer>,
    ) -> Self {
        TokenService {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            lifetime_secs,
            external,
        }
    }

    pub fn lifetime_secs(&self) -> u64 {
        self.lifetime_secs
    }

    /// Issues a token for the user with id `subject`, whose token version is `token_version`.
    pub fn issue(&self, subject: &str, token_version: i64) -> Result<String, String> {
        let iat = now();
        let claims = Claims {
            sub: subject.to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat,
            exp: iat + self.lifetime_secs,
            nbf: None,
            ver: Some(token_version),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// The claims of a valid token and who issued it, or why it is not valid.
    pub fn verify(&self, token: &str) -> Result<Verified, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError("the token is malformed"))?;
        let (key, validation, issuer) = match header.alg {
            Algorithm::HS256 => (
                &self.decoding,
                validation(Algorithm::HS256, &self.issuer, &self.audience),
                Issuer::Here,
            ),
            alg => match &self.external {
                Some(ext) if ext.algorithm == alg => (
                    &ext.key,
                    validation(alg, &ext.issuer, &ext.audience),
                    Issuer::External,
                ),
                _ => return Err(TokenError("the token's algorithm is not accepted")),
            },
        };
        let data = decode::<Claims>(token, key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            TokenError(match e.kind() {
                K::ExpiredSignature => "the token has expired",
                K::ImmatureSignature => "the token is not valid yet",
                K::InvalidIssuer => "the token's issuer is not accepted",
                K::InvalidAudience => "the token's audience is not accepted",
                K::InvalidSignature => "the token's signature is not valid",
                K::InvalidAlgorithm => "the token's algorithm is not accepted",
                K::MissingRequiredClaim(_) => "the token lacks a required claim",
                _ => "the token is malformed",
            })
        })?;
        let claims = data.claims;
        if claims.iat > now() + LEEWAY_SECS {
            return Err(TokenError("the token was issued in the future"));
        }
        if claims.sub.is_empty() {
            return Err(TokenError("the token lacks a required claim"));
        }
        if claims.sub.len() > 255 || claims.sub.chars().any(char::is_control) {
            return Err(TokenError("the token's subject is malformed"));
        }
        Ok(Verified { claims, issuer })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> TokenService {
        TokenService::new(&[7u8; 32], "msai-ledger", "msai-ledger", 3600, None)
    }

    fn forge(claims: &serde_json::Value, secret: &[u8]) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(secret),
        )
        .unwrap()
    }

    #[test]
    fn an_issued_token_verifies() {
        let s = service();
        let token = s.issue("user-1", 3).unwrap();
        let verified = s.verify(&token).unwrap();
        assert_eq!(verified.claims.sub, "user-1");
        assert_eq!(verified.issuer, Issuer::Here);
        assert!(verified.is_current(3));
        assert!(!verified.is_current(4), "a password change ends it");
    }

    #[test]
    fn a_token_of_ours_without_a_version_counts_as_version_zero() {
        let s = service();
        let t = now();
        let old = forge(
            &serde_json::json!({"sub": "u", "iss": "msai-ledger", "aud": "msai-ledger", "iat": t, "exp": t + 60}),
            &[7u8; 32],
        );
        let verified = s.verify(&old).unwrap();
        assert!(verified.is_current(0));
        assert!(!verified.is_current(1));
    }

    #[test]
    fn every_kind_of_bad_token_is_refused() {
        let s = service();
        let t = now();
        let good = serde_json::json!({"sub": "u", "iss": "msai-ledger", "aud": "msai-ledger", "iat": t, "exp": t + 60});
        assert!(s.verify(&forge(&good, &[7u8; 32])).is_ok());
        let with = |k: &str, v: serde_json::Value| {
            let mut c = good.clone();
            c[k] = v;
            forge(&c, &[7u8; 32])
        };
        let without = |k: &str| {
            let mut c = good.clone();
            c.as_object_mut().unwrap().remove(k);
            forge(&c, &[7u8; 32])
        };
        assert_eq!(
            s.verify(&forge(&good, &[8u8; 32])).unwrap_err().0,
            "the token's signature is not valid"
        );
        assert_eq!(
            s.verify(&with("exp", (t - 120).into())).unwrap_err().0,
            "the token has expired"
        );
        assert_eq!(
            s.verify(&with("nbf", (t + 120).into())).unwrap_err().0,
            "the token is not valid yet"
        );
        assert_eq!(
            s.verify(&with("iat", (t + 120).into())).unwrap_err().0,
            "the token was issued in the future"
        );
        assert_eq!(
            s.verify(&with("iss", "someone".into())).unwrap_err().0,
            "the token's issuer is not accepted"
        );
        assert_eq!(
            s.verify(&with("aud", "someone".into())).unwrap_err().0,
            "the token's audience is not accepted"
        );
        for claim in ["exp", "iss", "aud", "sub", "iat"] {
            assert!(
                s.verify(&without(claim)).is_err(),
                "a token without {claim} was accepted"
            );
        }
        assert!(s.verify("not.a.token").is_err());
        // alg "none": a header and claims with no signature.
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let none = format!(
            "{}.{}.",
            b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
            b64.encode(good.to_string())
        );
        assert!(s.verify(&none).is_err());
    }
}
