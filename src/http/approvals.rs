//! Four eyes on money going out: a group's approval policy, the operations waiting for a second
//! person, and their approval or rejection (`domain::approvals`, `store::ApprovalStore`).

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, FieldChecks};
use super::extract::{JsonBody, OptionalJsonBody};
use super::path::{ApprovalPath, GroupPath};
use super::query::QueryParams;
use super::views::{ApprovalView, ListView, PolicyView};
use super::write::{Idempotent, json_response};
use crate::auth::caller::Caller;
use crate::domain::approvals::{
    Approval, ApprovalPolicy, ApprovalQuery, ApprovalStatus, MAX_EXPIRY_HOURS, Operation, Verdict,
};
use crate::domain::money::{Currency, parse_amount};
use crate::store::{Decision, NewApproval};

/// The longest note a decision may carry.
pub const MAX_NOTE_CHARS: usize = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    pub withdrawals_above: BTreeMap<String, String>,
    #[serde(default)]
    pub exits: Option<bool>,
    #[serde(default)]
    pub disbursements: Option<bool>,
    #[serde(default)]
    pub distributions: Option<bool>,
    #[serde(default)]
    pub reversals: Option<bool>,
    #[serde(default)]
    pub period_closes: Option<bool>,
    #[serde(default)]
    pub expires_after_hours: Option<i64>,
}

impl PolicyBody {
    /// The policy asked for; a switch left out is as a new group has it (the safe default),
    /// so a client that does not know a switch never turns it off by leaving it out.
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
        let default = ApprovalPolicy::default();
        Ok(ApprovalPolicy {
            withdrawals_above: above,
            exits: self.exits.unwrap_or(default.exits),
            disbursements: self.disbursements.unwrap_or(default.disbursements),
            distributions: self.distributions.unwrap_or(default.distributions),
            reversals: self.reversals.unwrap_or(default.reversals),
            period_closes: self.period_closes.unwrap_or(default.period_closes),
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
async fn propose(
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

/// Who asks for an operation that the group's policy may make wait, in which group, with
/// which body: what [`Asking::unless_it_waits`] needs to keep it as a pending item.
pub struct Asking<'a> {
    state: &'a AppState,
    group_id: Uuid,
    maker: Uuid,
    canonical_body: &'a str,
}

impl<'a> Asking<'a> {
    pub fn new(state: &'a AppState, group_id: Uuid, maker: Uuid, canonical_body: &'a str) -> Self {
        Asking {
            state,
            group_id,
            maker,
            canonical_body,
        }
    }

    /// The one way a handler asks whether `operation` waits for a second person under the
    /// group's policy. If it does, it is kept and answered 202 with the item (which the
    /// maker's Idempotency-Key answers again on a retry), and nothing is posted; a rule that
    /// refuses it already refuses it as the operation itself would be. If it does not,
    /// `carry_out` carries it out with the request's key.
    pub async fn unless_it_waits(
        self,
        idempotent: Idempotent,
        operation: Operation,
        carry_out: impl AsyncFnOnce(Idempotent) -> Result<Response, ApiError>,
    ) -> Result<Response, ApiError> {
        if !waits(self.state, self.group_id, &operation).await? {
            return carry_out(idempotent).await;
        }
        let (state, group_id, body) = (self.state, self.group_id, self.canonical_body);
        propose(state, group_id, idempotent, body, operation, self.maker).await
    }
}

async fn waits(state: &AppState, group_id: Uuid, operation: &Operation) -> Result<bool, ApiError> {
    let policy = state.store.approval_policy(group_id).await?;
    let Operation::Withdrawal { amount, .. } = operation else {
        return Ok(policy.always_waits(operation));
    };
    if policy.withdrawals_above.is_empty() {
        return Ok(false);
    }
    let currency = state.store.get_group(group_id).await?.currency;
    // An amount the currency refuses is refused as the withdrawal itself would be.
    Ok(parse_amount(amount, currency)
        .is_ok_and(|minor| policy.withdrawal_needs_approval(currency.code(), minor)))
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
