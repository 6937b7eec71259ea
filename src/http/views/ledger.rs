//! Groups, accounts, transactions, statements, trial balances, period closes and the ledger's
//! verification as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::domain::account::{AccountType, Direction, normal_balance};
use crate::domain::model::{
    Account, Group, PeriodClose, Statement, Transaction, TrialBalance, Verification,
    VerificationFailure,
};
use crate::domain::money::{Currency, format_amount};

#[derive(Debug, Serialize)]
pub struct GroupView {
    pub id: Uuid,
    pub name: String,
    pub currency: String,
    pub host_country: String,
    pub home_country: String,
    pub time_zone: &'static str,
    pub created_at: DateTime<Utc>,
    pub closed_through: Option<NaiveDate>,
    pub head_sequence: i64,
    pub head_hash: String,
    pub status: crate::domain::operations::GroupStatus,
    pub status_on: Option<NaiveDate>,
    pub accredited_on: Option<NaiveDate>,
    pub distribution_basis: crate::domain::operations::Basis,
}

impl GroupView {
    pub fn of(g: &Group) -> Self {
        GroupView {
            id: g.id,
            name: g.name.clone(),
            currency: g.currency.code().to_string(),
            host_country: g.host_country.clone(),
            home_country: g.home_country.clone(),
            time_zone: g.profile.time_zone.name(),
            created_at: g.created_at,
            closed_through: g.closed_through,
            head_sequence: g.head_sequence,
            head_hash: g.head_hash.clone(),
            status: g.profile.status,
            status_on: g.profile.status_on,
            accredited_on: g.profile.accredited_on,
            distribution_basis: g.profile.distribution_basis,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AccountView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub code: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: AccountType,
    pub currency: String,
    pub no_overdraft: bool,
    pub debits: String,
    pub credits: String,
    pub balance: String,
    /// Present when the totals are those of the entries booked on or before this date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// Balance on the normal side; totals are bounded far below overflow, but a read never panics.
fn balance_text(kind: AccountType, debits: i64, credits: i64, currency: Currency) -> String {
    match normal_balance(kind, debits, credits) {
        Some(balance) => format_amount(balance, currency),
        None => {
            let wide = match kind.normal_side() {
                Direction::Debit => i128::from(debits) - i128::from(credits),
                Direction::Credit => i128::from(credits) - i128::from(debits),
            };
            rust_decimal::Decimal::from_i128_with_scale(wide, currency.exponent()).to_string()
        }
    }
}

impl AccountView {
    pub fn of(a: &Account) -> Self {
        AccountView {
            id: a.id,
            group_id: a.group_id,
            code: a.code.clone(),
            name: a.name.clone(),
            kind: a.kind,
            currency: a.currency.code().to_string(),
            no_overdraft: a.no_overdraft,
            debits: format_amount(a.debits_minor, a.currency),
            credits: format_amount(a.credits_minor, a.currency),
            balance: balance_text(a.kind, a.debits_minor, a.credits_minor, a.currency),
            as_of: None,
            created_at: a.created_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct EntryView {
    pub line: i32,
    pub account_id: Uuid,
    pub account_code: String,
    pub direction: Direction,
    pub amount: String,
    pub currency: String,
}

#[derive(Debug, Serialize)]
pub struct TransactionView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub sequence: i64,
    pub booked_on: NaiveDate,
    pub recorded_at: String,
    pub description: String,
    pub metadata: Value,
    pub entries: Vec<EntryView>,
    pub reverses: Option<Uuid>,
    pub reversed_by: Option<Uuid>,
    pub previous_hash: String,
    pub hash: String,
    pub created_by: Option<Uuid>,
}

impl TransactionView {
    pub fn of(t: &Transaction) -> Self {
        TransactionView {
            id: t.id,
            group_id: t.group_id,
            sequence: t.sequence,
            booked_on: t.booked_on,
            recorded_at: crate::domain::hash::format_recorded_at(t.recorded_at),
            description: t.description.clone(),
            metadata: t.metadata.clone(),
            entries: t
                .entries
                .iter()
                .map(|e| EntryView {
                    line: e.line,
                    account_id: e.account_id,
                    account_code: e.account_code.clone(),
                    direction: e.direction,
                    amount: format_amount(e.amount_minor, e.currency),
                    currency: e.currency.code().to_string(),
                })
                .collect(),
            reverses: t.reverses,
            reversed_by: t.reversed_by,
            previous_hash: t.previous_hash.clone(),
            hash: t.hash.clone(),
            created_by: t.created_by,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct StatementLineView {
    pub transaction_id: Uuid,
    pub sequence: i64,
    pub booked_on: NaiveDate,
    pub description: String,
    pub direction: Direction,
    pub amount: String,
    pub balance: String,
}

#[derive(Debug, Serialize)]
pub struct StatementView {
    pub account: AccountView,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub opening_balance: String,
    pub lines: Vec<StatementLineView>,
    pub closing_balance: String,
}

impl StatementView {
    pub fn of(s: &Statement) -> Self {
        let c = s.account.currency;
        StatementView {
            account: AccountView::of(&s.account),
            from: s.from,
            to: s.to,
            opening_balance: format_amount(s.opening_minor, c),
            lines: s
                .lines
                .iter()
                .map(|l| StatementLineView {
                    transaction_id: l.transaction_id,
                    sequence: l.sequence,
                    booked_on: l.booked_on,
                    description: l.description.clone(),
                    direction: l.direction,
                    amount: format_amount(l.amount_minor, c),
                    balance: format_amount(l.balance_minor, c),
                })
                .collect(),
            closing_balance: format_amount(s.closing_minor, c),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TrialBalanceLineView {
    pub account_id: Uuid,
    pub code: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: AccountType,
    pub currency: String,
    pub debits: String,
    pub credits: String,
    pub balance: String,
}

#[derive(Debug, Serialize)]
pub struct CurrencyTotalView {
    pub currency: String,
    pub debits: String,
    pub credits: String,
    pub balanced: bool,
}

#[derive(Debug, Serialize)]
pub struct TrialBalanceView {
    pub as_of: Option<NaiveDate>,
    pub accounts: Vec<TrialBalanceLineView>,
    pub totals: Vec<CurrencyTotalView>,
}

impl TrialBalanceView {
    pub fn of(tb: &TrialBalance) -> Self {
        // i128 totals: the sum over any number of accounts cannot overflow.
        let mut totals: std::collections::BTreeMap<Currency, (i128, i128)> = Default::default();
        let accounts = tb
            .lines
            .iter()
            .map(|l| {
                let a = &l.account;
                let t = totals.entry(a.currency).or_insert((0, 0));
                t.0 += i128::from(l.debits_minor);
                t.1 += i128::from(l.credits_minor);
                TrialBalanceLineView {
                    account_id: a.id,
                    code: a.code.clone(),
                    name: a.name.clone(),
                    kind: a.kind,
                    currency: a.currency.code().to_string(),
                    debits: format_amount(l.debits_minor, a.currency),
                    credits: format_amount(l.credits_minor, a.currency),
                    balance: balance_text(a.kind, l.debits_minor, l.credits_minor, a.currency),
                }
            })
            .collect();
        let wide = |v: i128, c: Currency| {
            rust_decimal::Decimal::from_i128_with_scale(v, c.exponent()).to_string()
        };
        TrialBalanceView {
            as_of: tb.as_of,
            accounts,
            totals: totals
                .into_iter()
                .map(|(c, (d, cr))| CurrencyTotalView {
                    currency: c.code().to_string(),
                    debits: wide(d, c),
                    credits: wide(cr, c),
                    balanced: d == cr,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PeriodCloseView {
    pub group_id: Uuid,
    pub through: NaiveDate,
    pub closed_at: DateTime<Utc>,
    /// The transaction that moved the period's income and expense into
    /// `equity:undistributed:<currency>`; null when there was nothing to move.
    pub closing_transaction_id: Option<Uuid>,
    /// The FX positions revalued at the closing rates given, one transaction each.
    pub revaluations: Vec<crate::http::reports::financial_statements::RevaluationView>,
}

impl PeriodCloseView {
    pub fn of(p: &PeriodClose) -> Self {
        PeriodCloseView {
            group_id: p.group_id,
            through: p.through,
            closed_at: p.closed_at,
            closing_transaction_id: p.closing_transaction_id,
            revaluations: p
                .revaluations
                .iter()
                .map(crate::http::reports::financial_statements::RevaluationView::of)
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct VerificationFailureView {
    pub kind: &'static str,
    pub sequence: Option<i64>,
    pub account_id: Option<Uuid>,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct VerificationView {
    pub ok: bool,
    pub transactions_checked: i64,
    pub head_sequence: i64,
    pub head_hash: String,
    pub failure: Option<VerificationFailureView>,
}

impl VerificationView {
    pub fn of(v: &Verification) -> Self {
        let failure = v.failure.as_ref().map(|f| match f {
            VerificationFailure::SequenceGap { expected, found } => VerificationFailureView {
                kind: "sequence_gap",
                sequence: Some(*expected),
                account_id: None,
                detail: format!("expected sequence {expected}, found {found}"),
            },
            VerificationFailure::HashMismatch { sequence } => VerificationFailureView {
                kind: "hash_mismatch",
                sequence: Some(*sequence),
                account_id: None,
                detail: format!("the stored hash of sequence {sequence} does not match its contents and predecessor"),
            },
            VerificationFailure::Unbalanced { sequence } => VerificationFailureView {
                kind: "unbalanced",
                sequence: Some(*sequence),
                account_id: None,
                detail: format!("the entries of sequence {sequence} do not balance per currency"),
            },
            VerificationFailure::EntryMismatch { sequence } => VerificationFailureView {
                kind: "entry_mismatch",
                sequence: Some(*sequence),
                account_id: None,
                detail: format!(
                    "an entry of sequence {sequence} carries a date, sequence or group that is not its transaction's"
                ),
            },
            VerificationFailure::ForeignAccount { sequence, account_id } => VerificationFailureView {
                kind: "foreign_account",
                sequence: Some(*sequence),
                account_id: Some(*account_id),
                detail: format!("an entry of sequence {sequence} names account {account_id}, which is not the group's"),
            },
            VerificationFailure::CurrencyMismatch { sequence, account_id } => VerificationFailureView {
                kind: "currency_mismatch",
                sequence: Some(*sequence),
                account_id: Some(*account_id),
                detail: format!("an entry of sequence {sequence} is in a currency other than its account {account_id}'s"),
            },
            VerificationFailure::HeadMismatch => VerificationFailureView {
                kind: "head_mismatch",
                sequence: None,
                account_id: None,
                detail: "the group's head does not match its last transaction".into(),
            },
            VerificationFailure::BalanceMismatch { account_id, code } => VerificationFailureView {
                kind: "balance_mismatch",
                sequence: None,
                account_id: Some(*account_id),
                detail: format!("the stored totals of account {code} differ from the sums of its entries"),
            },
            VerificationFailure::ClosingMismatch { account_id, month_end } => VerificationFailureView {
                kind: "closing_mismatch",
                sequence: None,
                account_id: Some(*account_id),
                detail: format!(
                    "the stored balance of account {account_id} at the end of {month_end} differs from the sums of its entries to that day"
                ),
            },
            VerificationFailure::TrendMismatch { month } => VerificationFailureView {
                kind: "trend_mismatch",
                sequence: None,
                account_id: None,
                detail: format!(
                    "the stored savings trend of the month of {month} differs from what the members and entries make"
                ),
            },
        });
        VerificationView {
            ok: v.failure.is_none(),
            transactions_checked: v.transactions_checked,
            head_sequence: v.head_sequence,
            head_hash: v.head_hash.clone(),
            failure,
        }
    }
}
