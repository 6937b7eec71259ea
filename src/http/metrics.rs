//! `GET /metrics` (an administrator's route on the API's address, or open on an address of
//! its own: see [`open_router`]), and the layer that counts every request (see
//! [`crate::metrics`]).

use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;
use super::error::ApiError;
use super::write::REPLAYED_HEADER;
use crate::domain::error::LedgerError;
use crate::metrics::{Answer, CONTENT_TYPE, Metrics, ProblemSlug, UNMATCHED_ROUTE};

/// `GET /metrics` on the API's address (administrators only).
pub async fn scrape(State(state): State<AppState>) -> Response {
    scrape_response(&state.metrics)
}

fn scrape_response(metrics: &Metrics) -> Response {
    match metrics.encode() {
        Ok(text) => {
            let mut response = (StatusCode::OK, text).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(_) => ApiError::from(LedgerError::Internal(
            "the metrics could not be written".into(),
        ))
        .into_response(),
    }
}

/// Counts each request (route template, method, status, latency), and among them idempotent
/// replays, refusals by problem type and sign-in failures and locks. Runs after routing (it
/// is added with `Router::layer`), so the route's template is known.
pub async fn record(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string());
    let method = req.method().clone();
    let _in_flight = metrics.begin();
    let response = next.run(req).await;
    let answer = Answer {
        route: route.as_deref().unwrap_or(UNMATCHED_ROUTE),
        method: &method,
        status: response.status(),
        problem: response.extensions().get::<ProblemSlug>().copied(),
        replayed: response.headers().contains_key(REPLAYED_HEADER),
    };
    metrics.answered(answer, started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics` without credentials, for an address of its own on a private network
/// (`--metrics-listen`); every other path is answered 404.
pub fn open_router(metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(metrics): State<Arc<Metrics>>| async move { scrape_response(&metrics) }),
        )
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                "this address serves GET /metrics only",
            )
            .into_response()
        })
        .with_state(metrics)
}
