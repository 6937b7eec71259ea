//! `/v1/groups/{group_id}/accounts`: a group's chart of accounts, with balances from stored
//! totals.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::AppState;
use super::dto::CreateAccount;
use super::error::ApiError;
use super::extract::JsonBody;
use super::path::{AccountPath, GroupPath};
use super::query::QueryParams;
use super::views::ListView;
use super::views::{AccountView, StatementView};
use super::write::{Idempotent, json_response};

pub async fn create(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    body: JsonBody<CreateAccount>,
) -> Result<Response, ApiError> {
    let account = body.value.parse()?;
    let write = idempotent.prepare(group_id, &body.canonical, AccountView::of)?;
    write.respond(
        state
            .store
            .create_account(group_id, account, write.idempotency())
            .await,
    )
}

pub async fn list(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let accounts = state.store.list_accounts(group_id).await?;
    Ok(ListView::all(accounts.iter().map(AccountView::of).collect()).response())
}

/// The account with its balance now, or with `as_of`, its balance at the end of that day (the
/// entries booked on or before it).
pub async fn get(
    State(state): State<AppState>,
    AccountPath { group_id, account }: AccountPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["as_of"])?;
    let as_of = params.date("as_of")?;
    let view = match as_of {
        None => AccountView::of(&state.store.get_account(group_id, &account).await?),
        Some(date) => AccountView {
            as_of: Some(date),
            ..AccountView::of(&state.store.account_as_of(group_id, &account, date).await?)
        },
    };
    Ok(json_response(StatusCode::OK, &view))
}

pub async fn statement(
    State(state): State<AppState>,
    AccountPath { group_id, account }: AccountPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["from", "to"])?;
    let (from, to) = params.date_range()?;
    let statement = state
        .store
        .account_statement(group_id, &account, from, to)
        .await?;
    Ok(json_response(
        StatusCode::OK,
        &StatementView::of(&statement),
    ))
}
