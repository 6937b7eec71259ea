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
use crate::domain::member::{Channel, MemberStatus};
use crate::domain::money::{Currency, format_amount, parse_amount};
use crate::domain::operations::{Basis, PayTo};
use crate::store::{Decision, NewApproval};

/// The longest note a decision may carry.
pub const MAX_NOTE_CHARS: usize = 500;

#[derive(Debug, Serialize)]
pub struct PolicyView {
    pub withdrawals_above: BTreeMap<String, String>,
    pub exits: bool,
    pub disbursements: bool,
    pub distributions: bool,
    pub reversals: bool,
    pub period_closes: bool,
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
            disbursements: policy.disbursements,
            distributions: policy.distributions,
            reversals: policy.reversals,
            period_closes: policy.period_closes,
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
    Disbursement {
        investment_id: Uuid,
        amount: String,
        account: Option<String>,
        booked_on: NaiveDate,
        note: Option<String>,
    },
    Distribution {
        pool: String,
        currency: Option<Currency>,
        investment_id: Option<Uuid>,
        basis: Option<Basis>,
        as_of: NaiveDate,
        pay_to: PayTo,
        booked_on: NaiveDate,
    },
    Reversal {
        transaction_id: Uuid,
        booked_on: Option<NaiveDate>,
        description: Option<String>,
    },
    PeriodClose {
        through: NaiveDate,
        fx_rates: Vec<ClosingRateView>,
    },
    Policy {
        policy: PolicyView,
    },
}

#[derive(Debug, Serialize)]
pub struct ClosingRateView {
    pub base: Currency,
    pub quote: Currency,
    pub rate: String,
}

impl OperationView {
    fn of(operation: &Operation) -> Self {
        match operation.clone() {
            Operation::Withdrawal {
                member_id,
                amount,
                channel,
                booked_on,
            } => OperationView::Withdrawal {
                member_id,
                amount,
                channel,
                booked_on,
            },
            Operation::Exit {
                member_id,
                status,
                on,
                channel,
                keep_capital,
            } => OperationView::Exit {
                member_id,
                status,
                on,
                channel,
                keep_capital,
            },
            Operation::Disbursement {
                investment_id,
                amount,
                account,
                booked_on,
                note,
            } => OperationView::Disbursement {
                investment_id,
                amount,
                account,
                booked_on,
                note,
            },
            Operation::Distribution {
                pool,
                currency,
                investment_id,
                basis,
                as_of,
                pay_to,
                booked_on,
            } => OperationView::Distribution {
                pool,
                currency,
                investment_id,
                basis,
                as_of,
                pay_to,
                booked_on,
            },
            Operation::Reversal {
                transaction_id,
                booked_on,
                description,
            } => OperationView::Reversal {
                transaction_id,
                booked_on,
                description,
            },
            Operation::PeriodClose { through, fx_rates } => OperationView::PeriodClose {
                through,
                fx_rates: fx_rates
                    .into_iter()
                    .map(|r| ClosingRateView {
                        base: r.base,
                        quote: r.quote,
                        rate: r.rate,
                    })
                    .collect(),
            },
            Operation::Policy { policy } => OperationView::Policy {
                policy: PolicyView::of(&policy),
            },
        }
    }
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
    pub asked_by_username: Option<String>,
    pub asked_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_by_username: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub result_id: Option<Uuid>,
}

impl ApprovalView {
    fn at(a: &Approval, now: DateTime<Utc>) -> Self {
        let operation = OperationView::of(&a.operation);
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
            asked_by_username: a.maker_username.clone(),
            asked_at: a.created_at,
            expires_at: a.expires_at,
            decided_by: a.decided_by,
            decided_by_username: a.decider_username.clone(),
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
