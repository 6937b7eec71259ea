//! The HTTP layer: routes, extractors, DTOs, and the one mapping of errors to responses.

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post};

use crate::auth::caller::Access;
use crate::auth::ratelimit::LoginLimiter;
use crate::auth::token::TokenService;
use crate::store::Store;

pub mod accounts;
pub mod audit;
pub mod bare_refusals;
pub mod dto;
pub mod error;
pub mod extract;
pub mod groups;
pub mod guard;
pub mod health;
pub mod ledger;
pub mod meetings;
pub mod member_events;
pub mod members;
pub mod network;
pub mod operations;
pub mod path;
pub mod proofs;
pub mod query;
pub mod report;
pub mod reports;
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

#[derive(Clone)]
pub struct AppState {
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
}

/// Builds the router and, from the same calls, the list of (method, path, access) it serves,
/// so tests can hold openapi.yaml and the authorization matrix to exactly what is routed. A
/// route cannot be added without saying who may call it.
struct Routes {
    router: Router<AppState>,
    table: Vec<(Method, &'static str, Access)>,
}

impl Routes {
    fn add(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.table.push((method, path, access));
        let guarded = handler.route_layer(from_fn(move |params, req: Request, next: Next| {
            guard::authorize(access, params, req, next)
        }));
        self.router = self.router.route(path, guarded);
        self
    }
}

fn routes() -> Routes {
    use Access as A;
    use Method as M;
    let r = Routes {
        router: Router::new(),
        table: Vec::new(),
    };
    r.add(M::GET, "/healthz", A::Public, get(health::healthz))
        .add(M::GET, "/readyz", A::Public, get(health::readyz))
        .add(M::GET, "/openapi.yaml", A::Public, get(health::openapi))
        .add(
            M::GET,
            "/.well-known/msai-ledger/keys",
            A::Public,
            get(proofs::keys),
        )
        .add(M::POST, "/v1/auth/token", A::Public, post(users::token))
        .add(
            M::POST,
            "/v1/auth/session",
            A::Public,
            post(sessions::create),
        )
        .add(M::GET, "/v1/auth/session", A::SignedIn, get(sessions::get))
        .add(
            M::DELETE,
            "/v1/auth/session",
            A::Public,
            delete(sessions::delete),
        )
        .add(M::GET, "/v1/me", A::SignedIn, get(users::me))
        .add(
            M::POST,
            "/v1/users",
            A::AdminOrTreasurer,
            post(users::create),
        )
        .add(M::GET, "/v1/users", A::Admin, get(users::list))
        .add(
            M::POST,
            "/v1/users/{user_id}/grants",
            A::Admin,
            post(users::add_grant),
        )
        .add(
            M::DELETE,
            "/v1/users/{user_id}/grants/{grant_id}",
            A::Admin,
            delete(users::delete_grant),
        )
        .add(
            M::POST,
            "/v1/users/{user_id}/password",
            A::SignedIn,
            post(users::set_password),
        )
        .add(
            M::POST,
            "/v1/users/{user_id}/disable",
            A::Admin,
            post(users::disable),
        )
        .add(
            M::DELETE,
            "/v1/users/{user_id}/sign-in-lock",
            A::Admin,
            delete(users::lift_sign_in_lock),
        )
        .add(
            M::GET,
            "/v1/audit-events",
            A::Oversight,
            get(audit::audit_events),
        )
        .add(
            M::GET,
            "/v1/audit-events/verify",
            A::Oversight,
            get(audit::verify),
        )
        .add(M::POST, "/v1/groups", A::Admin, post(groups::create))
        .add(M::GET, "/v1/groups", A::SignedIn, get(groups::list))
        .add(
            M::GET,
            "/v1/groups/{group_id}",
            A::GroupAnyone,
            get(groups::get),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/accounts",
            A::GroupWrite,
            post(accounts::create),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/accounts",
            A::GroupRead,
            get(accounts::list),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/accounts/{account}",
            A::GroupRead,
            get(accounts::get),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/accounts/{account}/statement",
            A::GroupRead,
            get(accounts::statement),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/transactions",
            A::GroupWrite,
            post(transactions::create),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/transactions",
            A::GroupRead,
            get(transactions::list),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/transactions/{transaction_id}",
            A::GroupRead,
            get(transactions::get),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/transactions/{transaction_id}/reversal",
            A::GroupWrite,
            post(transactions::reverse),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/trial-balance",
            A::GroupRead,
            get(ledger::trial_balance),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/period-closes",
            A::GroupWrite,
            post(ledger::close_period),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/export",
            A::GroupRead,
            get(ledger::export),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/reports/financial-statements",
            A::GroupRead,
            get(reports::financial_statements),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/reports/member-balances",
            A::GroupRead,
            get(reports::member_balances),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/reports/cash-book",
            A::GroupRead,
            get(reports::cash_book),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/reports/investment-register",
            A::GroupRead,
            get(reports::investment_register),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/reports/distribution-audit",
            A::GroupRead,
            get(reports::distribution_audit),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/ledger/verify",
            A::GroupAnyone,
            get(ledger::verify),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/checkpoints/latest",
            A::GroupRead,
            get(proofs::latest_checkpoint),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/checkpoints/{sequence}",
            A::GroupRead,
            get(proofs::checkpoint),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/members",
            A::GroupWrite,
            post(members::create),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/members",
            A::GroupRead,
            get(members::list),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/members/{member_id}",
            A::MemberSelf,
            get(members::get),
        )
        .add(
            M::PATCH,
            "/v1/groups/{group_id}/members/{member_id}",
            A::GroupWrite,
            patch(members::update),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/members/{member_id}/statement",
            A::MemberSelf,
            get(members::statement),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/members/{member_id}/corrections",
            A::MemberSelf,
            get(members::corrections),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/contributions",
            A::GroupWrite,
            post(member_events::contribute),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/contributions",
            A::GroupRead,
            get(member_events::list_contributions),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/contributions/{contribution_id}",
            A::GroupRead,
            get(member_events::get_contribution),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/withdrawals",
            A::GroupWrite,
            post(member_events::withdraw),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/withdrawals",
            A::GroupRead,
            get(member_events::list_withdrawals),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/withdrawals/{withdrawal_id}",
            A::GroupRead,
            get(member_events::get_withdrawal),
        )
        .add(
            M::PATCH,
            "/v1/groups/{group_id}",
            A::GroupWrite,
            patch(operations::group::update),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/members/{member_id}/exit",
            A::GroupWrite,
            post(operations::exits::create),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/members/{member_id}/remittances",
            A::MemberSelf,
            get(operations::remittances::of_member),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/remittances",
            A::GroupWrite,
            post(operations::remittances::create),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/remittances",
            A::GroupRead,
            get(operations::remittances::list),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/remittances/{remittance_id}",
            A::GroupRead,
            get(operations::remittances::get),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/transfers",
            A::GroupWrite,
            post(operations::transfers::create),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/transfers",
            A::GroupRead,
            get(operations::transfers::list),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/transfers/{transfer_id}",
            A::GroupRead,
            get(operations::transfers::get),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/investments",
            A::GroupWrite,
            post(operations::investments::create),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/investments",
            A::GroupRead,
            get(operations::investments::list),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/investments/{investment_id}",
            A::GroupRead,
            get(operations::investments::get),
        )
        .add(
            M::PATCH,
            "/v1/groups/{group_id}/investments/{investment_id}",
            A::GroupWrite,
            patch(operations::investments::update),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/investments/{investment_id}/disbursements",
            A::GroupWrite,
            post(operations::investments::disburse),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/investments/{investment_id}/disbursements",
            A::GroupRead,
            get(operations::investments::list_disbursements),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/investments/{investment_id}/disbursements/{event_id}",
            A::GroupRead,
            get(operations::investments::get_disbursement),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/investments/{investment_id}/returns",
            A::GroupWrite,
            post(operations::investments::record_return),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/investments/{investment_id}/returns",
            A::GroupRead,
            get(operations::investments::list_returns),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/investments/{investment_id}/returns/{event_id}",
            A::GroupRead,
            get(operations::investments::get_return),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/investments/{investment_id}/write-downs",
            A::GroupWrite,
            post(operations::investments::write_down),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/investments/{investment_id}/write-downs",
            A::GroupRead,
            get(operations::investments::list_write_downs),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/investments/{investment_id}/write-downs/{event_id}",
            A::GroupRead,
            get(operations::investments::get_write_down),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/distributions",
            A::GroupWrite,
            post(operations::distributions::create),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/distributions",
            A::GroupRead,
            get(operations::distributions::list),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/distributions/{distribution_id}",
            A::GroupRead,
            get(operations::distributions::get),
        )
        .add(
            M::POST,
            "/v1/groups/{group_id}/meetings",
            A::GroupWrite,
            post(meetings::create),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/meetings",
            A::GroupRead,
            get(meetings::list),
        )
        .add(
            M::GET,
            "/v1/groups/{group_id}/meetings/{meeting_id}",
            A::GroupRead,
            get(meetings::get),
        )
        .add(
            M::GET,
            "/v1/reports/savings",
            A::Oversight,
            get(network::savings),
        )
        .add(
            M::GET,
            "/v1/reports/portfolio",
            A::Oversight,
            get(network::portfolio),
        )
        .add(
            M::GET,
            "/v1/reports/remittance-corridors",
            A::Oversight,
            get(network::remittance_corridors),
        )
        .add(
            M::GET,
            "/v1/reports/indicators",
            A::Oversight,
            get(network::indicators),
        )
        .add(
            M::GET,
            "/v1/reports/reintegration",
            A::Oversight,
            get(network::reintegration),
        )
}

/// Every (method, path template) the router serves.
pub fn route_table() -> Vec<(Method, &'static str)> {
    routes().table.into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// Every route with the access it requires.
pub fn route_access_table() -> Vec<(Method, &'static str, Access)> {
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

/// The routes with their access checks, and the one layer that logs the failures they answer
/// (see [`error::log_errors`]). The caller is identified, and the request audited,
/// by layers `app::app` puts around this (outside the request timeout).
pub fn router(state: AppState) -> Router {
    routes()
        .router
        .merge(web::routes().layer(tower_http::compression::CompressionLayer::new()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn(error::log_errors))
        .with_state(state)
}
