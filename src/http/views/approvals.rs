//! An approval item and a group's approval policy as the API shows them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::account::Direction;
use crate::domain::approvals::{Approval, ApprovalPolicy, ClosingRate, Operation};
use crate::domain::member::{Channel, MemberStatus};
use crate::domain::money::{Currency, format_amount};
use crate::domain::operations::{Basis, PayTo};

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
    pub fn of(policy: &ApprovalPolicy) -> Self {
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

impl ClosingRateView {
    pub fn of(rate: ClosingRate) -> Self {
        ClosingRateView {
            base: rate.base,
            quote: rate.quote,
            rate: rate.rate,
        }
    }
}

/// A withdrawal waiting, as asked for.
fn withdrawal(
    member_id: Uuid,
    amount: String,
    channel: Channel,
    booked_on: NaiveDate,
) -> OperationView {
    OperationView::Withdrawal {
        member_id,
        amount,
        channel,
        booked_on,
    }
}

/// A member's exit waiting, as asked for.
fn exit(
    member_id: Uuid,
    status: MemberStatus,
    on: NaiveDate,
    channel: Channel,
    keep_capital: bool,
) -> OperationView {
    OperationView::Exit {
        member_id,
        status,
        on,
        channel,
        keep_capital,
    }
}

/// A reversal waiting, as asked for.
fn reversal(
    transaction_id: Uuid,
    booked_on: Option<NaiveDate>,
    description: Option<String>,
) -> OperationView {
    OperationView::Reversal {
        transaction_id,
        booked_on,
        description,
    }
}

impl OperationView {
    pub fn of(operation: &Operation) -> Self {
        match operation.clone() {
            Operation::Withdrawal {
                member_id,
                amount,
                channel,
                booked_on,
            } => withdrawal(member_id, amount, channel, booked_on),
            Operation::Exit {
                member_id,
                status,
                on,
                channel,
                keep_capital,
            } => exit(member_id, status, on, channel, keep_capital),
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
            } => reversal(transaction_id, booked_on, description),
            Operation::PeriodClose { through, fx_rates } => OperationView::PeriodClose {
                through,
                fx_rates: fx_rates.into_iter().map(ClosingRateView::of).collect(),
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
    pub fn at(a: &Approval, now: DateTime<Utc>) -> Self {
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
    pub fn now(a: &Approval) -> Self {
        Self::at(a, crate::store::recorded_now())
    }
}
