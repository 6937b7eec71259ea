//! The `Idempotency-Key` header, and what makes two requests under one key "the same".

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use crate::http::AppState;
use crate::http::error::ApiError;

/// The `Idempotency-Key` header, if sent and valid (1 to 255 printable ASCII characters).
pub struct IdempotencyKey(pub Option<String>);

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

impl FromRequestParts<AppState> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(IDEMPOTENCY_HEADER) else {
            return Ok(IdempotencyKey(None));
        };
        let bytes = value.as_bytes();
        if bytes.is_empty()
            || bytes.len() > MAX_IDEMPOTENCY_KEY_LEN
            || !bytes.iter().all(|b| (0x20..=0x7e).contains(b))
        {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid-idempotency-key",
                "The Idempotency-Key header is invalid",
                "Idempotency-Key must be 1 to 255 printable ASCII characters",
            ));
        }
        Ok(IdempotencyKey(Some(
            String::from_utf8_lossy(bytes).into_owned(),
        )))
    }
}

impl IdempotencyKey {
    /// Money-moving routes refuse to run without a key: a retry must never double-apply.
    pub fn required(self) -> Result<String, ApiError> {
        self.0.ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "idempotency-key-required",
                "An Idempotency-Key header is required",
                "requests that move money must carry an Idempotency-Key header (1 to 255 printable ASCII characters), reused on every retry",
            )
        })
    }
}

/// SHA-256 over the route and the canonical body: what "the same request" means for a key.
pub fn request_hash(route: &str, canonical_body: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical_body.as_bytes());
    hex::encode(hasher.finalize())
}

impl FromRequestParts<AppState> for RequestContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(RequestContext {
            route: format!("{} {}", parts.method, parts.uri.path()),
        })
    }
}

/// The method and concrete path of a request: part of what makes two requests "the same" for
/// an idempotency key (reversing transaction A and reversing B are different requests).
pub struct RequestContext {
    pub route: String,
}
