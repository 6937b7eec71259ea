//! Request extractors that fail with problem+json: JSON bodies (415, 413, 408, 400, 422 with a
//! JSON pointer, duplicate keys refused) and idempotency keys; path ids are read by
//! [`super::path`].

mod body;
mod fields;
mod key;

use std::time::Duration;

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use body::{parse_json, read_body};
pub use fields::{MAX_FIELD_ERRORS, describe, from_value};
pub use key::{
    IDEMPOTENCY_HEADER, IdempotencyKey, MAX_IDEMPOTENCY_KEY_LEN, RequestContext, request_hash,
};

use super::AppState;
use super::error::ApiError;
use crate::domain::canonical::to_canonical_string;

/// A JSON request body, with the canonical form of what was sent (for idempotency hashing).
pub struct JsonBody<T> {
    pub value: T,
    pub canonical: String,
}

async fn read_json(
    req: Request,
    limit: usize,
    timeout: Duration,
    allow_empty: bool,
) -> Result<Value, ApiError> {
    let is_json = body::is_json_content_type(&req);
    let bytes = read_body(req, limit, timeout).await?;
    // An empty body needs no content type where every field is optional.
    if bytes.is_empty() && allow_empty {
        return Ok(Value::Object(Default::default()));
    }
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The body must be JSON",
            "send the body with Content-Type: application/json",
        ));
    }
    let value = parse_json(&bytes)?;
    if !value.is_object() {
        return Err(ApiError::invalid_field(
            "/",
            "the body must be a JSON object",
        ));
    }
    Ok(value)
}

impl<T: DeserializeOwned> JsonBody<T> {
    /// Reads a JSON body of at most `limit` bytes, for a route whose bodies may be larger
    /// than the usual limit.
    pub async fn with_limit(
        req: Request,
        limit: usize,
        timeout: Duration,
    ) -> Result<Self, ApiError> {
        let value = read_json(req, limit, timeout, false).await?;
        let canonical = to_canonical_string(&value);
        Ok(JsonBody {
            value: from_value(value)?,
            canonical,
        })
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        Self::with_limit(req, state.body_limit_bytes, state.body_read_timeout).await
    }
}

/// Like [`JsonBody`], but an empty body means `{}` (for reversals, whose fields are optional).
pub struct OptionalJsonBody<T>(pub JsonBody<T>);

impl<T: DeserializeOwned> FromRequest<AppState> for OptionalJsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let value = read_json(req, state.body_limit_bytes, state.body_read_timeout, true).await?;
        let canonical = to_canonical_string(&value);
        Ok(OptionalJsonBody(JsonBody {
            value: from_value(value)?,
            canonical,
        }))
    }
}
