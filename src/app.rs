//! Assembles the service: store, router, middleware, and a server that shuts down gracefully.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::http::error::ApiError;
use crate::http::{AppState, router};
use crate::store::Store;

#[derive(Debug, Clone)]
pub struct AppConfig {
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            body_limit_bytes: crate::http::DEFAULT_BODY_LIMIT_BYTES,
            request_timeout: Duration::from_secs(30),
        }
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        "the service failed; the request was not applied",
    )
    .into_response()
}

/// A request that ran past the timeout is abandoned. If its database transaction had not
/// committed it is rolled back; if it had, a retry with the same Idempotency-Key gets its
/// outcome. Either way, retrying with the same key is safe.
fn timed_out(timeout: Duration) -> Response {
    let mut error = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "request-timeout",
        "The request took too long",
        format!(
            "the request did not complete within {} s; retry with the same Idempotency-Key to apply it or to get its outcome",
            timeout.as_secs()
        ),
    );
    error.retry_after = Some(1);
    error.into_response()
}

/// The whole HTTP application over a store.
pub fn app(store: Arc<dyn Store>, config: &AppConfig) -> Router {
    let timeout = config.request_timeout;
    let state = AppState {
        store,
        in_flight: Default::default(),
        body_limit_bytes: config.body_limit_bytes,
    };
    router(state)
        .layer(DefaultBodyLimit::max(config.body_limit_bytes))
        .layer(axum::middleware::from_fn(move |req, next: Next| async move {
            match tokio::time::timeout(timeout, next.run(req)).await {
                Ok(response) => response,
                Err(_) => timed_out(timeout),
            }
        }))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let request_id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(tower_http::LatencyUnit::Micros)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests finish, and
/// closes the store's pool.
pub async fn serve(
    listener: TcpListener,
    store: Arc<dyn Store>,
    config: AppConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app(store.clone(), &config);
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    store.close().await;
    result
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
