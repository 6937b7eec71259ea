//! Four eyes on money going out: a group's approval policy, the operations waiting for a second
//! person, and their approval or rejection (`domain::approvals`, `store::ApprovalStore`).

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, FieldChecks};
use super::extract::{JsonBody, OptionalJsonBody};
use super::path::{ApprovalPath, GroupPath};
use super::query::QueryParams;
use super::views::ListView;
use super::write::{Idempotent, json_response};
use crate::auth::caller::Caller;
use crate::domain::account::Direction;
use crate::domain::approvals::{
    Approval, ApprovalPolicy, ApprovalQuery, ApprovalStatus, MAX_EXPIRY_HOURS, Operation, Verdict,
};
use crate::domain::member::{Channel, EventKind, MemberStatus, NewMemberEvent};
use crate::domain::money::{Currency, format_amount, parse_amount};
use crate::store::{Decision, NewApproval};

/// The longest note a decision may carry.
pub const MAX_NOTE_CHARS: usize = 500;

#[derive(Debug, Serialize)]
pub struct PolicyView {
    pub withdrawals_above: BTreeMap<String, String>,
    pub exits: bool,
    pub expires_after_hours: i64,
}

impl PolicyView {
    fn of(policy: &ApprovalPolicy) -> Self {
        PolicyView {
            withdrawals_above: policy
                .withdrawals_above
                .iter()
                .map(|(code, minor)| {
                    let shown = Currency::parse(code)
                        .map(|c| format_amount(*minor, c))
                        .unwrap_or_else(|_| minor.to_string());
                    (code.clone(), shown)
                })
                .collect(),
            exits: policy.exits,
            expires_after_hours: policy.expires_after_hours,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OperationView {
    Withdrawal {
        member_id: Uuid,
        amount: String,
        channel: Channel,
        booked_on: NaiveDate,
    },
    Exit {
        member_id: Uuid,
        status: MemberStatus,
        on: NaiveDate,
        channel: Channel,
        keep_capital: bool,
    },
    Policy {
        policy: PolicyView,
    },
}

#[derive(Debug, Serialize)]
pub struct PreviewLineView {
    pub account: String,
    pub direction: Direction,
    pub amount: String,
    pub currency: String,
}

#[derive(Debug, Serialize)]
pub struct ApprovalView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub status: &'static str,
    pub operation: OperationView,
    pub would_post: Vec<PreviewLineView>,
    pub asked_by: Uuid,
    pub asked_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub result_id: Option<Uuid>,
}

impl ApprovalView {
    fn at(a: &Approval, now: DateTime<Utc>) -> Self {
        let operation = match &a.operation {
            Operation::Withdrawal {
                member_id,
                amount,
                channel,
                booked_on,
            } => OperationView::Withdrawal {
                member_id: *member_id,
                amount: amount.clone(),
                channel: *channel,
                booked_on: *booked_on,
            },
            Operation::Exit {
                member_id,
                status,
                on,
                channel,
                keep_capital,
            } => OperationView::Exit {
                member_id: *member_id,
                status: *status,
                on: *on,
                channel: *channel,
                keep_capital: *keep_capital,
            },
            Operation::Policy { policy } => OperationView::Policy {
                policy: PolicyView::of(policy),
            },
        };
        let would_post = a
            .preview
            .iter()
            .map(|line| PreviewLineView {
                account: line.account.clone(),
                direction: line.direction,
                amount: Currency::parse(&line.currency)
                    .map(|c| format_amount(line.amount_minor, c))
                    .unwrap_or_else(|_| line.amount_minor.to_string()),
                currency: line.currency.clone(),
            })
            .collect();
        ApprovalView {
            id: a.id,
            group_id: a.group_id,
            status: a.status_at(now).as_str(),
            operation,
            would_post,
            asked_by: a.maker_id,
            asked_at: a.created_at,
            expires_at: a.expires_at,
            decided_by: a.decided_by,
            decided_at: a.decided_at,
            note: a.note.clone(),
            result_id: a.result_id,
        }
    }

    /// As answered when it is written: its status as of now.
    fn now(a: &Approval) -> Self {
        Self::at(a, crate::store::recorded_now())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    pub withdrawals_above: BTreeMap<String, String>,
    #[serde(default)]
    pub exits: bool,
    #[serde(default)]
    pub expires_after_hours: Option<i64>,
}

impl PolicyBody {
    fn parse(self) -> Result<ApprovalPolicy, ApiError> {
        let mut checks = FieldChecks::default();
        let mut above = BTreeMap::new();
        for (code, amount) in &self.withdrawals_above {
            let pointer = format!("/withdrawals_above/{code}");
            let limit = Currency::parse(code)
                .map_err(|e| ApiError::invalid_field(&pointer, e.to_string()))
                .and_then(|currency| {
                    parse_amount(amount, currency)
                        .map_err(|e| ApiError::invalid_field(&pointer, e.to_string()))
                });
            if let Some(minor) = checks.check(limit) {
                above.insert(code.clone(), minor);
            }
        }
        let hours = self
            .expires_after_hours
            .unwrap_or(crate::domain::approvals::DEFAULT_EXPIRY_HOURS);
        if !(1..=MAX_EXPIRY_HOURS).contains(&hours) {
            checks.refuse(ApiError::invalid_field(
                "/expires_after_hours",
                format!("must be a whole number of hours from 1 to {MAX_EXPIRY_HOURS}"),
            ));
        }
        if !checks.passed() {
            return Err(checks.refusal());
        }
        Ok(ApprovalPolicy {
            withdrawals_above: above,
            exits: self.exits,
            expires_after_hours: hours,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    #[serde(default)]
    pub note: Option<String>,
}

/// `GET /v1/groups/{group_id}/approval-policy`
pub async fn get_policy(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let policy = state.store.approval_policy(group_id).await?;
    Ok(json_response(StatusCode::OK, &PolicyView::of(&policy)))
}

/// `PUT /v1/groups/{group_id}/approval-policy`: an administrator's change applies at once
/// (200); a treasurer's waits for a second person like any other item (202).
pub async fn put_policy(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    GroupPath { group_id }: GroupPath,
    idempotent: Idempotent,
    body: JsonBody<PolicyBody>,
) -> Result<Response, ApiError> {
    let policy = body.value.parse()?;
    if caller.is_admin() {
        let set = state
            .store
            .set_approval_policy(group_id, policy, caller.id())
            .await?;
        return Ok(json_response(StatusCode::OK, &PolicyView::of(&set)));
    }
    propose(
        &state,
        group_id,
        idempotent,
        &body.canonical,
        Operation::Policy { policy },
        caller.id(),
    )
    .await
}

/// Keeps `operation` waiting for approval: 202 with the item, which the maker's
/// Idempotency-Key answers again on a retry.
pub async fn propose(
    state: &AppState,
    group_id: Uuid,
    idempotent: Idempotent,
    canonical_body: &str,
    operation: Operation,
    maker: Uuid,
) -> Result<Response, ApiError> {
    let write = idempotent.prepare_answering(
        group_id,
        canonical_body,
        ApprovalView::now,
        StatusCode::ACCEPTED,
    )?;
    let item = NewApproval {
        operation,
        maker_id: maker,
        asked_at: crate::store::recorded_now(),
    };
    write.respond(
        state
            .store
            .propose(group_id, item, write.idempotency())
            .await,
    )
}

/// Whether the withdrawal `event` must wait for a second person under the group's policy; if
/// so, the operation to keep.
pub async fn withdrawal_waits(
    state: &AppState,
    group_id: Uuid,
    event: &NewMemberEvent,
) -> Result<Option<Operation>, ApiError> {
    if event.kind != EventKind::Withdrawal {
        return Ok(None);
    }
    let policy = state.store.approval_policy(group_id).await?;
    if policy.withdrawals_above.is_empty() {
        return Ok(None);
    }
    let currency = state.store.get_group(group_id).await?.currency;
    // An amount the currency refuses is refused as the withdrawal itself would be.
    let Ok(minor) = parse_amount(&event.amount, currency) else {
        return Ok(None);
    };
    Ok(policy
        .withdrawal_needs_approval(currency.code(), minor)
        .then(|| Operation::Withdrawal {
            member_id: event.member_id,
            amount: event.amount.clone(),
            channel: event.channel,
            booked_on: event.booked_on,
        }))
}

/// Whether the exit `request` of `member_id` must wait for a second person under the group's
/// policy; if so, the operation to keep.
pub async fn exit_waits(
    state: &AppState,
    group_id: Uuid,
    member_id: Uuid,
    request: &crate::domain::operations::MemberExit,
) -> Result<Option<Operation>, ApiError> {
    let policy = state.store.approval_policy(group_id).await?;
    Ok(policy.exits.then_some(Operation::Exit {
        member_id,
        status: request.status,
        on: request.on,
        channel: request.channel,
        keep_capital: request.keep_capital,
    }))
}

fn status_param(params: &QueryParams) -> Result<Option<ApprovalStatus>, ApiError> {
    let Some(text) = params.text("status") else {
        return Ok(None);
    };
    let status = match text {
        "pending" => ApprovalStatus::Pending,
        "approved" => ApprovalStatus::Approved,
        "rejected" => ApprovalStatus::Rejected,
        "expired" => ApprovalStatus::Expired,
        _ => {
            return Err(ApiError::invalid_parameter(
                "status",
                "must be one of pending, approved, rejected, expired",
            ));
        }
    };
    Ok(Some(status))
}

async fn list(
    state: &AppState,
    raw: Option<&str>,
    scope: impl FnOnce(&QueryParams) -> Result<ApprovalQuery, ApiError>,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw, &["status", "limit", "cursor"])?;
    let query = scope(&params)?;
    let now = query.now;
    let page = state.store.list_approvals(query).await?;
    let view = |a: &Approval| ApprovalView::at(a, now);
    Ok(ListView::page(&page, "p", |a| a.id.to_string(), view).response())
}

/// `GET /v1/groups/{group_id}/approvals`: the group's items, newest last.
pub async fn list_group(
    State(state): State<AppState>,
    GroupPath { group_id }: GroupPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    list(&state, raw.as_deref(), |params| {
        Ok(ApprovalQuery {
            group_id: Some(group_id),
            groups: None,
            status: status_param(params)?,
            not_made_by: None,
            now: crate::store::recorded_now(),
            after: params.id_cursor("p")?,
            limit: params.limit()?,
        })
    })
    .await
}

/// `GET /v1/approvals`: the items the caller may decide (pending unless asked otherwise): in
/// every group for an administrator, in the groups she is treasurer or chair of for anyone
/// else, never her own.
pub async fn list_mine(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let groups = if caller.is_admin() {
        None
    } else {
        let mine = caller.group_ids();
        Some(
            mine.into_iter()
                .filter(|g| caller.may_approve_in(*g))
                .collect(),
        )
    };
    list(&state, raw.as_deref(), |params| {
        Ok(ApprovalQuery {
            group_id: None,
            groups,
            status: Some(status_param(params)?.unwrap_or(ApprovalStatus::Pending)),
            not_made_by: Some(caller.id()),
            now: crate::store::recorded_now(),
            after: params.id_cursor("p")?,
            limit: params.limit()?,
        })
    })
    .await
}

/// `GET /v1/groups/{group_id}/approvals/{approval_id}`
pub async fn get(
    State(state): State<AppState>,
    ApprovalPath {
        group_id,
        approval_id,
    }: ApprovalPath,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let item = state.store.get_approval(group_id, approval_id).await?;
    Ok(json_response(StatusCode::OK, &ApprovalView::now(&item)))
}

async fn decide(
    state: AppState,
    caller: Caller,
    (group_id, approval_id): (Uuid, Uuid),
    idempotent: Idempotent,
    body: JsonBody<DecisionBody>,
    verdict: Verdict,
) -> Result<Response, ApiError> {
    idempotent.require_key()?;
    let note = super::members::optional_text("/note", body.value.note, MAX_NOTE_CHARS)?;
    let item = state.store.get_approval(group_id, approval_id).await?;
    if item.maker_id == caller.id() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Not allowed",
            "you asked for this; another person must approve or reject it",
        ));
    }
    let write = idempotent.prepare_answering(
        group_id,
        &body.canonical,
        ApprovalView::now,
        StatusCode::OK,
    )?;
    let decision = Decision {
        verdict,
        decider: caller.id(),
        note,
        at: crate::store::recorded_now(),
    };
    write.respond(
        state
            .store
            .decide(group_id, approval_id, decision, write.idempotency())
            .await,
    )
}

/// `POST /v1/groups/{group_id}/approvals/{approval_id}/approve`
pub async fn approve(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: ApprovalPath,
    idempotent: Idempotent,
    OptionalJsonBody(body): OptionalJsonBody<DecisionBody>,
) -> Result<Response, ApiError> {
    let ids = (path.group_id, path.approval_id);
    decide(state, caller, ids, idempotent, body, Verdict::Approve).await
}

/// `POST /v1/groups/{group_id}/approvals/{approval_id}/reject`
pub async fn reject(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    path: ApprovalPath,
    idempotent: Idempotent,
    OptionalJsonBody(body): OptionalJsonBody<DecisionBody>,
) -> Result<Response, ApiError> {
    let ids = (path.group_id, path.approval_id);
    decide(state, caller, ids, idempotent, body, Verdict::Reject).await
}
