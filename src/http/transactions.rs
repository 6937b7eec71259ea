//! `/v1/groups/{group_id}/transactions`: posting, reversing and reading the journal.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::AppState;
use super::approvals::Asking;
use super::dto::{CreateReversal, CreateTransaction};
use super::error::ApiError;
use super::extract::{JsonBody, OptionalJsonBody};
use super::guard::RequestAudit;
use super::path::{GroupPath, TransactionPath};
use super::query::QueryParams;
use super::views::ListView;
use super::views::TransactionView;
use super::write::{Idempotent, json_response};
use crate::auth::caller::Caller;
use crate::domain::approvals::Operation;
use crate::domain::error::LedgerError;
use crate::domain::model::{AccountRef, Transaction, TransactionQuery};

pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    audit: RequestAudit,
    body: JsonBody<CreateTransaction>,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let today = state.today(group_id).await?;
    let mut transaction = body.value.parse(today)?;
    transaction.created_by = Some(caller.id());
    // The audit record is written with the transaction, in its commit.
    transaction.audit = audit.draft();
    let write = idempotent.prepare(group_id, &body.canonical, TransactionView::of)?;
    let written = state
        .store
        .post_transaction(group_id, transaction, write.idempotency())
        .await;
    write.respond(audit.outcome(written))
}

pub async fn reverse(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    TransactionPath {
        group_id,
        transaction_id,
    }: TransactionPath,
    idempotent: Idempotent,
    OptionalJsonBody(body): OptionalJsonBody<CreateReversal>,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let today = state.today(group_id).await?;
    let mut reversal = body.value.parse(today)?;
    reversal.created_by = Some(caller.id());
    // Under a policy that says so, it waits for a second person (202).
    let operation = Operation::Reversal {
        transaction_id,
        booked_on: reversal.booked_on,
        description: reversal.description.clone(),
    };
    let asking = Asking::new(&state, group_id, caller.id(), &body.canonical);
    asking
        .unless_it_waits(idempotent, operation, async |idempotent| {
            let write = idempotent.prepare(group_id, &body.canonical, TransactionView::of)?;
            write.respond(
                state
                    .store
                    .reverse_transaction(group_id, transaction_id, reversal, write.idempotency())
                    .await,
            )
        })
        .await
}

pub async fn list(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(
        raw.as_deref(),
        &["account", "from", "to", "limit", "cursor"],
    )?;
    let after_sequence = match params.cursor("t")? {
        None => 0,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                ApiError::invalid_parameter("cursor", "is not a cursor returned by this list")
            })?,
    };
    let (from, to) = params.date_range()?;
    let query = TransactionQuery {
        account: params.text("account").map(AccountRef::parse),
        from,
        to,
        after_sequence,
        limit: params.limit()?,
    };
    let page = match state.store.list_transactions(group_id, query).await {
        // The group exists (it is checked first): the filter names no account of it.
        Err(LedgerError::NotFound("account")) => {
            return Err(ApiError::invalid_parameter(
                "account",
                "names no account of this group",
            ));
        }
        other => other?,
    };
    let position = |t: &Transaction| t.sequence.to_string();
    Ok(ListView::page(&page, "t", position, TransactionView::of).response())
}

pub async fn get(
    State(state): State<AppState>,
    TransactionPath {
        group_id,
        transaction_id,
    }: TransactionPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let transaction = state
        .store
        .get_transaction(group_id, transaction_id)
        .await?;
    Ok(json_response(
        StatusCode::OK,
        &TransactionView::of(&transaction),
    ))
}
