//! Liveness, readiness and the OpenAPI document: public, no database writes.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use super::error::ApiError;
use super::write::json_response;

/// The API description, served as written in the repository.
pub const OPENAPI_YAML: &str = include_str!("../../openapi.yaml");

pub async fn healthz() -> Response {
    json_response(StatusCode::OK, &json!({"status": "ok"}))
}

pub async fn readyz(State(state): State<AppState>) -> Result<Response, ApiError> {
    state.store.ready().await?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"status": "ready", "backend": state.store.backend()}),
    ))
}

pub async fn openapi() -> Response {
    let mut response = (StatusCode::OK, OPENAPI_YAML).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/yaml"),
    );
    response
}
