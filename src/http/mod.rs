//! The HTTP layer: routes, extractors, DTOs, and the one mapping of errors to responses.

use std::sync::Arc;

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Response};

use crate::auth::caller::Access;
use crate::auth::ratelimit::LoginLimiter;
use crate::auth::token::TokenService;
use crate::store::Store;

pub mod accounts;
pub mod approvals;
pub mod audit;
pub mod bare_refusals;
pub mod charts;
pub mod dto;
pub mod error;
pub mod events;
pub mod extract;
pub mod groups;
pub mod guard;
pub mod health;
pub mod ledger;
pub mod meetings;
pub mod member_events;
pub mod members;
pub mod metrics;
pub mod network;
pub mod operations;
pub mod path;
pub mod proofs;
pub mod query;
pub mod report;
pub mod reports;
mod routes;
pub mod sessions;
pub mod statement_page;
pub mod today;
pub mod transactions;
pub mod users;
pub mod views;
pub mod web;
pub mod write;

use error::ApiError;

/// Largest request body accepted by default (64 KiB).
pub const DEFAULT_BODY_LIMIT_BYTES: usize = 64 * 1024;

/// Largest meeting body accepted by default (512 KiB): a meeting of the most events allowed,
/// each with a long receipt number, still fits.
pub const DEFAULT_MEETING_BODY_LIMIT_BYTES: usize = 512 * 1024;

/// What the handlers and layers share. Axum clones it for every request and every layer it
/// passes, so it is one reference count to the fields behind it (`Shared`), not one for each
/// of them.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The fields of [`AppState`].
pub struct Shared {
    pub store: Arc<dyn Store>,
    pub in_flight: write::InFlight,
    pub body_limit_bytes: usize,
    /// Meetings (JSON or CSV) carry up to hundreds of events, so their bodies may be larger.
    pub meeting_body_limit_bytes: usize,
    /// Longest a request's body may take to arrive once its headers have.
    pub body_read_timeout: std::time::Duration,
    pub tokens: Arc<TokenService>,
    /// Users that tokens named recently (see [`crate::auth::callers`]).
    pub callers: Arc<crate::auth::callers::CallerCache>,
    pub limiter: LoginLimiter,
    /// Cells of the indicators describing fewer people than this are suppressed.
    pub suppression_min: u32,
    /// What time it is (see [`today`]).
    pub clock: crate::domain::dates::Clock,
    /// Groups' time zones, kept for a while (see [`today`]).
    pub zones: Arc<today::GroupZones>,
    /// Browser sessions' lifetimes and cookies.
    pub sessions: crate::auth::session::SessionSettings,
    /// The key that signs receipts and checkpoints.
    pub signer: Arc<crate::signing::Signer>,
    /// What the service counts for `GET /metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// Every (method, path template) the router serves.
pub fn route_table() -> Vec<(Method, &'static str)> {
    routes::routes()
        .table
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect()
}

/// Every route with the access it requires.
pub fn route_access_table() -> Vec<(Method, &'static str, Access)> {
    routes::routes().table
}

async fn not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        "no route matches this path",
    )
    .into_response()
}

async fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        "this path does not accept this method",
    )
    .into_response()
}

/// The routes with their access checks, and the one layer that logs the failures they answer
/// (see [`error::log_errors`]). The caller is identified, and the request audited,
/// by layers `app::app` puts around this (outside the request timeout).
pub fn router(state: AppState) -> Router {
    routes::routes()
        .router
        .merge(web::routes().layer(tower_http::compression::CompressionLayer::new()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn(error::log_errors))
        .with_state(state)
}
