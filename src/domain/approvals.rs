//! Four eyes on money going out (maker-checker): a group's approval policy says which
//! operations wait for a second person; an operation that must wait is kept as an approval
//! item, posting nothing, until another person approves it (when every rule is checked again
//! and it is posted) or rejects it, or it expires.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::member::{Channel, MemberStatus};
use super::money::Currency;
use super::operations::{Basis, PayTo};

/// How long an item waits for a decision unless the group says otherwise: a week, from one
/// weekly meeting to the next.
pub const DEFAULT_EXPIRY_HOURS: i64 = 168;
/// The longest a group may let an item wait: 90 days.
pub const MAX_EXPIRY_HOURS: i64 = 24 * 90;

/// Which of a group's operations need a second person. Each switch is on or off on its own.
///
/// A switch missing from a kept policy change (one asked for before the switch existed) is
/// off, as it was when that change was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalPolicy {
    /// A withdrawal of more than this many minor units of its currency (by ISO 4217 code)
    /// waits for approval; a currency not named has no limit.
    pub withdrawals_above: BTreeMap<String, i64>,
    /// Every member's exit (her balances paid out) waits for approval.
    pub exits: bool,
    /// Every disbursement of money into an investment waits for approval.
    #[serde(default)]
    pub disbursements: bool,
    /// Every distribution that posts (a dry run posts nothing and never waits).
    #[serde(default)]
    pub distributions: bool,
    /// Every reversal of a transaction.
    #[serde(default)]
    pub reversals: bool,
    /// Every close of a period.
    #[serde(default)]
    pub period_closes: bool,
    /// How long an item waits for a decision before it expires.
    pub expires_after_hours: i64,
}

/// The safe default, what a group has until it sets a policy of its own: money leaving the
/// group in bulk (disbursements, distributions, members' exits) waits for a second person;
/// withdrawals (no limit), reversals and period closes do not.
impl Default for ApprovalPolicy {
    fn default() -> Self {
        ApprovalPolicy {
            withdrawals_above: BTreeMap::new(),
            exits: true,
            disbursements: true,
            distributions: true,
            reversals: false,
            period_closes: false,
            expires_after_hours: DEFAULT_EXPIRY_HOURS,
        }
    }
}

impl ApprovalPolicy {
    /// Whether a withdrawal of `amount_minor` in `currency` waits for approval: strictly more
    /// than the group's limit for that currency.
    pub fn withdrawal_needs_approval(&self, currency: &str, amount_minor: i64) -> bool {
        self.withdrawals_above
            .get(currency)
            .is_some_and(|limit| amount_minor > *limit)
    }

    /// Whether every operation of `operation`'s kind waits, whatever it says. A withdrawal
    /// waits by its amount instead ([`ApprovalPolicy::withdrawal_needs_approval`]), so it is
    /// never switched on here; a treasurer's change of the policy always waits.
    pub fn always_waits(&self, operation: &Operation) -> bool {
        match operation {
            Operation::Withdrawal { .. } => false,
            Operation::Exit { .. } => self.exits,
            Operation::Disbursement { .. } => self.disbursements,
            Operation::Distribution { .. } => self.distributions,
            Operation::Reversal { .. } => self.reversals,
            Operation::PeriodClose { .. } => self.period_closes,
            Operation::Policy { .. } => true,
        }
    }

    /// When an item asked for at `asked_at` expires.
    pub fn expiry(&self, asked_at: DateTime<Utc>) -> DateTime<Utc> {
        asked_at + Duration::hours(self.expires_after_hours)
    }
}

/// An operation waiting for approval, with everything needed to carry it out later exactly as
/// it was asked for (the booking date is the one resolved when it was asked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Operation {
    Withdrawal {
        member_id: Uuid,
        amount: String,
        channel: Channel,
        booked_on: NaiveDate,
    },
    /// A member leaving, paid out.
    Exit {
        member_id: Uuid,
        status: MemberStatus,
        on: NaiveDate,
        channel: Channel,
        keep_capital: bool,
    },
    /// Money paid out of the group into an investment.
    Disbursement {
        investment_id: Uuid,
        amount: String,
        /// The account paid from, as named (code or id); the investment's default if none.
        account: Option<String>,
        booked_on: NaiveDate,
        note: Option<String>,
    },
    /// A surplus shared out among the members (never a dry run).
    Distribution {
        pool: String,
        currency: Option<Currency>,
        investment_id: Option<Uuid>,
        basis: Option<Basis>,
        as_of: NaiveDate,
        pay_to: PayTo,
        booked_on: NaiveDate,
    },
    /// A transaction reversed. The booking date is resolved when the item is kept (the
    /// original's date while it is open, else the first open date); `None` only before.
    Reversal {
        transaction_id: Uuid,
        booked_on: Option<NaiveDate>,
        description: Option<String>,
    },
    /// The books closed through a date, FX positions revalued at the rates given first.
    PeriodClose {
        through: NaiveDate,
        fx_rates: Vec<ClosingRate>,
    },
    /// A change of the group's approval policy asked for by a treasurer.
    Policy { policy: ApprovalPolicy },
}

/// A closing rate kept with a period close that waits: units of `quote` per unit of `base`,
/// as the exact decimal text it was given in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosingRate {
    pub base: Currency,
    pub quote: Currency,
    pub rate: String,
}

impl Operation {
    pub fn kind(&self) -> &'static str {
        match self {
            Operation::Withdrawal { .. } => "withdrawal",
            Operation::Exit { .. } => "exit",
            Operation::Disbursement { .. } => "disbursement",
            Operation::Distribution { .. } => "distribution",
            Operation::Reversal { .. } => "reversal",
            Operation::PeriodClose { .. } => "period_close",
            Operation::Policy { .. } => "policy",
        }
    }

    /// The member the operation is about, if any.
    pub fn member_id(&self) -> Option<Uuid> {
        match self {
            Operation::Withdrawal { member_id, .. } | Operation::Exit { member_id, .. } => {
                Some(*member_id)
            }
            Operation::Disbursement { .. }
            | Operation::Distribution { .. }
            | Operation::Reversal { .. }
            | Operation::PeriodClose { .. }
            | Operation::Policy { .. } => None,
        }
    }
}

/// One line of what an item would post if approved now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewLine {
    pub account: String,
    pub direction: super::account::Direction,
    pub amount_minor: i64,
    pub currency: String,
}

/// The state of an item as kept; `Expired` is never kept but read from the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
    Expired,
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
            ApprovalStatus::Expired => "expired",
        }
    }

    /// A kept status (`pending`, `approved`, `rejected`).
    pub fn parse_kept(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(ApprovalStatus::Pending),
            "approved" => Some(ApprovalStatus::Approved),
            "rejected" => Some(ApprovalStatus::Rejected),
            _ => None,
        }
    }
}

/// An operation that waits, or waited, for a second person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub id: Uuid,
    pub group_id: Uuid,
    pub operation: Operation,
    /// What it would post, as it stood when asked for.
    pub preview: Vec<PreviewLine>,
    pub maker_id: Uuid,
    /// The maker's username, as the item is read (so that another officer knows who asked).
    pub maker_username: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The kept status: `Pending`, `Approved` or `Rejected`.
    pub kept: ApprovalStatus,
    pub decided_by: Option<Uuid>,
    pub decider_username: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    /// What approving it posted (the withdrawal's id, say).
    pub result_id: Option<Uuid>,
}

impl Approval {
    /// Its status at `now`: a pending item past its expiry has expired.
    pub fn status_at(&self, now: DateTime<Utc>) -> ApprovalStatus {
        match self.kept {
            ApprovalStatus::Pending if now >= self.expires_at => ApprovalStatus::Expired,
            kept => kept,
        }
    }
}

/// A second person's decision on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Reject,
}

/// Why an item cannot be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undecidable {
    /// The person deciding is the one who asked for it.
    OwnItem,
    /// It is no longer pending (approved, rejected or expired).
    NotPending(ApprovalStatus),
}

/// Whether `decider` may decide `item` at `now`: never the maker, and only while it is
/// pending and not expired.
pub fn may_decide(item: &Approval, decider: Uuid, now: DateTime<Utc>) -> Result<(), Undecidable> {
    if item.maker_id == decider {
        return Err(Undecidable::OwnItem);
    }
    match item.status_at(now) {
        ApprovalStatus::Pending => Ok(()),
        other => Err(Undecidable::NotPending(other)),
    }
}

/// Items listed by status as a reader asks for them.
#[derive(Debug, Clone)]
pub struct ApprovalQuery {
    /// One group's items, or (None) those of every group in `groups`.
    pub group_id: Option<Uuid>,
    /// The groups the reader may see, when `group_id` is None; None for every group.
    pub groups: Option<Vec<Uuid>>,
    /// Only items of this status at `now`.
    pub status: Option<ApprovalStatus>,
    /// Leave out items asked for by this user (an approver's own).
    pub not_made_by: Option<Uuid>,
    pub now: DateTime<Utc>,
    pub after: Option<Uuid>,
    pub limit: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn item(maker: u128, kept: ApprovalStatus, expires_in_hours: i64) -> Approval {
        let asked = DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap();
        Approval {
            id: Uuid::from_u128(1),
            group_id: Uuid::from_u128(2),
            operation: Operation::Policy {
                policy: ApprovalPolicy::default(),
            },
            preview: Vec::new(),
            maker_id: Uuid::from_u128(maker),
            maker_username: None,
            created_at: asked,
            expires_at: asked + Duration::hours(expires_in_hours),
            kept,
            decided_by: None,
            decider_username: None,
            decided_at: None,
            note: None,
            result_id: None,
        }
    }

    proptest! {
        #[test]
        fn only_amounts_above_the_limit_wait(limit in 0i64..1_000_000, amount in 1i64..2_000_000) {
            let mut policy = ApprovalPolicy::default();
            policy.withdrawals_above.insert("HKD".into(), limit);
            prop_assert_eq!(policy.withdrawal_needs_approval("HKD", amount), amount > limit);
            // Another currency has no limit.
            prop_assert!(!policy.withdrawal_needs_approval("PHP", amount));
        }

        #[test]
        fn an_item_can_be_decided_only_while_pending_by_someone_else(
            maker in 1u128..4,
            decider in 1u128..4,
            hours_later in 0i64..400,
        ) {
            let it = item(maker, ApprovalStatus::Pending, DEFAULT_EXPIRY_HOURS);
            let now = it.created_at + Duration::hours(hours_later);
            let outcome = may_decide(&it, Uuid::from_u128(decider), now);
            if maker == decider {
                prop_assert_eq!(outcome, Err(Undecidable::OwnItem));
            } else if hours_later >= DEFAULT_EXPIRY_HOURS {
                prop_assert_eq!(outcome, Err(Undecidable::NotPending(ApprovalStatus::Expired)));
            } else {
                prop_assert_eq!(outcome, Ok(()));
            }
        }
    }

    fn each_kind(date: NaiveDate) -> Vec<Operation> {
        vec![
            Operation::Exit {
                member_id: Uuid::from_u128(9),
                status: MemberStatus::Exited,
                on: date,
                channel: Channel::Cash,
                keep_capital: false,
            },
            Operation::Disbursement {
                investment_id: Uuid::from_u128(7),
                amount: "100.00".into(),
                account: None,
                booked_on: date,
                note: None,
            },
            Operation::Distribution {
                pool: "50.00".into(),
                currency: None,
                investment_id: None,
                basis: None,
                as_of: date,
                pay_to: PayTo::Savings,
                booked_on: date,
            },
            Operation::Reversal {
                transaction_id: Uuid::from_u128(8),
                booked_on: Some(date),
                description: None,
            },
            Operation::PeriodClose {
                through: date,
                fx_rates: Vec::new(),
            },
        ]
    }

    proptest! {
        #[test]
        fn each_switch_makes_its_own_kind_wait_and_no_other(switches in proptest::array::uniform5(any::<bool>())) {
            let policy = ApprovalPolicy {
                exits: switches[0],
                disbursements: switches[1],
                distributions: switches[2],
                reversals: switches[3],
                period_closes: switches[4],
                ..ApprovalPolicy::default()
            };
            let date = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
            for (operation, on) in each_kind(date).iter().zip(switches) {
                prop_assert_eq!(policy.always_waits(operation), on, "{:?}", operation);
            }
        }
    }

    #[test]
    fn the_default_makes_money_leaving_in_bulk_wait() {
        let policy = ApprovalPolicy::default();
        let date = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let waiting: Vec<&str> = each_kind(date)
            .iter()
            .filter(|op| policy.always_waits(op))
            .map(Operation::kind)
            .collect();
        assert_eq!(waiting, ["exit", "disbursement", "distribution"]);
        assert!(policy.withdrawals_above.is_empty());
    }

    #[test]
    fn a_policy_change_kept_before_the_switches_existed_leaves_them_off() {
        let kept = r#"{"kind":"policy","policy":{"withdrawals_above":{"HKD":50000},"exits":true,"expires_after_hours":48}}"#;
        let Operation::Policy { policy } = serde_json::from_str(kept).unwrap() else {
            panic!("not a policy");
        };
        assert!(policy.exits);
        assert!(!policy.disbursements && !policy.distributions);
        assert!(!policy.reversals && !policy.period_closes);
    }

    #[test]
    fn a_decided_item_stays_decided() {
        for kept in [ApprovalStatus::Approved, ApprovalStatus::Rejected] {
            let it = item(1, kept, DEFAULT_EXPIRY_HOURS);
            assert_eq!(
                may_decide(&it, Uuid::from_u128(2), it.created_at),
                Err(Undecidable::NotPending(kept))
            );
            // Long after its expiry it is still what was decided.
            assert_eq!(it.status_at(it.expires_at + Duration::days(30)), kept);
        }
    }

    #[test]
    fn operations_keep_what_was_asked_for() {
        let asked = Operation::Withdrawal {
            member_id: Uuid::from_u128(9),
            amount: "6000.00".into(),
            channel: Channel::Cash,
            booked_on: NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
        };
        let kept = serde_json::to_string(&asked).unwrap();
        assert_eq!(serde_json::from_str::<Operation>(&kept).unwrap(), asked);
        assert!(kept.contains("\"kind\":\"withdrawal\""));
    }
}
