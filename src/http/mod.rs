//! The HTTP layer: routes, extractors, DTOs, and the one mapping of errors to responses.

use std::sync::Arc;

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};

use crate::store::Store;

pub mod accounts;
pub mod dto;
pub mod error;
pub mod extract;
pub mod groups;
pub mod health;
pub mod ledger;
pub mod query;
pub mod transactions;
pub mod write;

use error::ApiError;

/// Largest request body accepted by default (64 KiB).
pub const DEFAULT_BODY_LIMIT_BYTES: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub in_flight: write::InFlight,
    pub body_limit_bytes: usize,
}

/// Builds the router and, from the same calls, the list of (method, path) it serves, so tests
/// can hold openapi.yaml to exactly what is routed.
struct Routes {
    router: Router<AppState>,
    table: Vec<(Method, &'static str)>,
}

impl Routes {
    fn add(mut self, method: Method, path: &'static str, handler: MethodRouter<AppState>) -> Self {
        self.table.push((method, path));
        self.router = self.router.route(path, handler);
        self
    }
}

fn routes() -> Routes {
    use Method as M;
    let r = Routes {
        router: Router::new(),
        table: Vec::new(),
    };
    r.add(M::GET, "/healthz", get(health::healthz))
        .add(M::GET, "/readyz", get(health::readyz))
        .add(M::GET, "/openapi.yaml", get(health::openapi))
        .add(M::POST, "/v1/groups", post(groups::create))
        .add(M::GET, "/v1/groups", get(groups::list))
        .add(M::GET, "/v1/groups/{group_id}", get(groups::get))
        .add(
            M::POST,
            "/v1/groups/{group_id}/accounts",
            post(accounts::create),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/accounts",
            get(accounts::list),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/accounts/{account}",
            get(accounts::get),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/accounts/{account}/statement",
            get(accounts::statement),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/transactions",
            post(transactions::create),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/transactions",
            get(transactions::list),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/transactions/{transaction_id}",
            get(transactions::get),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/transactions/{transaction_id}/reversal",
            post(transactions::reverse),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/trial-balance",
            get(ledger::trial_balance),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/period-closes",
            post(ledger::close_period),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/ledger/verify",
            get(ledger::verify),
        )
}

/// Every (method, path template) the router serves.
pub fn route_table() -> Vec<(Method, &'static str)> {
    routes().table
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

pub fn router(state: AppState) -> Router {
    routes()
        .router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}
