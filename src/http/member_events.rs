//! `/v1/groups/{group_id}/contributions` and `/withdrawals`: money members pay in and draw
//! out, recorded in the treasurer's words; the service writes the balanced transactions.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::approvals::Asking;
use super::dto::{amount_text, booking_date, currency};
use super::error::{ApiError, FieldChecks};
use super::extract::JsonBody;
use super::guard::RequestAudit;
use super::path::{ContributionPath, GroupPath, WithdrawalPath};
use super::query::QueryParams;
use super::views::*;
use super::write::{Idempotent, json_response};
use crate::auth::caller::Caller;
use crate::domain::approvals::Operation;
use crate::domain::member::{
    Channel, EventKind, Fund, MemberEvent, MemberEventQuery, MemberRef, NewMemberEvent,
};
use crate::signing::Signer;

use super::members::{MAX_RECEIPT_CHARS, member_in_body, member_in_query, optional_text};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateContribution {
    pub member_id: MemberRef,
    pub amount: String,
    #[serde(default)]
    pub currency: Option<String>,
    pub fund: Fund,
    pub channel: Channel,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
    #[serde(default)]
    pub receipt_no: Option<String>,
}

/// Withdrawals come out of savings, the only fund a member may draw on at will.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawFrom {
    Savings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWithdrawal {
    pub member_id: MemberRef,
    pub amount: String,
    pub from: WithdrawFrom,
    pub channel: Channel,
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
}

pub async fn contribute(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    audit: RequestAudit,
    body: JsonBody<CreateContribution>,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let today = state.today(group_id).await?;
    let c = body.value;
    // Every wrong field at once, before the member is looked up.
    let mut checks = FieldChecks::default();
    let amount = checks.check(amount_text("/amount", &c.amount, true));
    let event_currency = checks.check(
        c.currency
            .as_deref()
            .map(|code| currency("/currency", code))
            .transpose(),
    );
    let booked_on = checks.check(booking_date("/booked_on", c.booked_on, today));
    let receipt_no = checks.check(optional_text(
        "/receipt_no",
        c.receipt_no,
        MAX_RECEIPT_CHARS,
    ));
    let (Some(()), Some(event_currency), Some(booked_on), Some(receipt_no)) =
        (amount, event_currency, booked_on, receipt_no)
    else {
        return Err(checks.refusal());
    };
    let member_id = member_in_body(&state, group_id, c.member_id, "/member_id").await?;
    let event = NewMemberEvent {
        kind: EventKind::Contribution,
        member_id,
        amount: c.amount,
        currency: event_currency,
        fund: c.fund,
        channel: c.channel,
        booked_on,
        receipt_no,
        created_by: Some(caller.id()),
        // Written with the contribution, in its commit, when it is written with others.
        audit: audit.draft(),
    };
    let signer = state.signer.clone();
    let write = idempotent.prepare(group_id, &body.canonical, move |e: &MemberEvent| {
        ContributionView::of(e, &signer)
    })?;
    let written = state
        .store
        .record_member_event(group_id, event, write.idempotency())
        .await;
    write.respond(audit.outcome(written))
}

pub async fn withdraw(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    audit: RequestAudit,
    body: JsonBody<CreateWithdrawal>,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let today = state.today(group_id).await?;
    let w = body.value;
    let WithdrawFrom::Savings = w.from;
    // Every wrong field at once, before the member is looked up.
    let mut checks = FieldChecks::default();
    let amount = checks.check(amount_text("/amount", &w.amount, true));
    let booked_on = checks.check(booking_date("/booked_on", w.booked_on, today));
    let (Some(()), Some(booked_on)) = (amount, booked_on) else {
        return Err(checks.refusal());
    };
    let member_id = member_in_body(&state, group_id, w.member_id, "/member_id").await?;
    let event = NewMemberEvent {
        kind: EventKind::Withdrawal,
        member_id,
        amount: w.amount,
        currency: None,
        fund: Fund::Savings,
        channel: w.channel,
        booked_on,
        receipt_no: None,
        created_by: Some(caller.id()),
        // Written with the withdrawal, in its commit, when it is written with others.
        audit: audit.draft(),
    };
    // Above the group's limit, it waits for a second person (202) and posts nothing yet.
    let operation = Operation::Withdrawal {
        member_id,
        amount: event.amount.clone(),
        channel: event.channel,
        booked_on,
    };
    let asking = Asking::new(&state, group_id, caller.id(), &body.canonical);
    asking
        .unless_it_waits(idempotent, operation, async |idempotent| {
            let signer = state.signer.clone();
            let write = idempotent.prepare(group_id, &body.canonical, move |e: &MemberEvent| {
                WithdrawalView::of(e, &signer)
            })?;
            let written = state
                .store
                .record_member_event(group_id, event, write.idempotency())
                .await;
            write.respond(audit.outcome(written))
        })
        .await
}

async fn list_events<V: Serialize>(
    state: &AppState,
    group_id: Uuid,
    raw: Option<&str>,
    kind: EventKind,
    view: fn(&MemberEvent, &Signer) -> V,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(
        raw,
        &[
            "member_id",
            "from",
            "to",
            "limit",
            "cursor",
            "include_reversed",
        ],
    )?;
    let member_id = match params.text("member_id") {
        None => None,
        Some(t) => Some(member_in_query(state, group_id, t).await?),
    };
    let (from, to) = params.date_range()?;
    let tag = &kind.as_str()[..1];
    let query = MemberEventQuery {
        kind,
        include_reversed: params.include_reversed()?,
        member_id,
        from,
        to,
        after: params.id_cursor(tag)?,
        limit: params.limit()?,
    };
    let page = state.store.list_member_events(group_id, query).await?;
    let signed = |e: &MemberEvent| view(e, &state.signer);
    Ok(ListView::page(&page, tag, |e| e.id.to_string(), signed).response())
}

pub async fn list_contributions(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let kind = EventKind::Contribution;
    list_events(&state, group_id, raw.as_deref(), kind, ContributionView::of).await
}

pub async fn list_withdrawals(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let kind = EventKind::Withdrawal;
    list_events(&state, group_id, raw.as_deref(), kind, WithdrawalView::of).await
}

async fn one_event(
    state: &AppState,
    group_id: Uuid,
    event_id: Uuid,
    raw: Option<&str>,
    kind: EventKind,
) -> Result<MemberEvent, ApiError> {
    QueryParams::parse(raw, &[])?;
    Ok(state
        .store
        .get_member_event(group_id, kind, event_id)
        .await?)
}

pub async fn get_contribution(
    State(state): State<AppState>,
    ContributionPath {
        group_id,
        contribution_id,
    }: ContributionPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let event = one_event(
        &state,
        group_id,
        contribution_id,
        raw.as_deref(),
        EventKind::Contribution,
    )
    .await?;
    Ok(json_response(
        StatusCode::OK,
        &ContributionView::of(&event, &state.signer),
    ))
}

pub async fn get_withdrawal(
    State(state): State<AppState>,
    WithdrawalPath {
        group_id,
        withdrawal_id,
    }: WithdrawalPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let event = one_event(
        &state,
        group_id,
        withdrawal_id,
        raw.as_deref(),
        EventKind::Withdrawal,
    )
    .await?;
    Ok(json_response(
        StatusCode::OK,
        &WithdrawalView::of(&event, &state.signer),
    ))
}
