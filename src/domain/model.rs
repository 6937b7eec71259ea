//! What the ledger holds and what the store takes in, already parsed into domain types.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::account::{AccountType, Direction};
use super::money::Currency;

/// A savings group: the unit of consistency. Its writes are serialised and its transactions
/// form one hash chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: Uuid,
    pub name: String,
    pub currency: Currency,
    pub host_country: String,
    pub home_country: String,
    pub created_at: DateTime<Utc>,
    pub closed_through: Option<NaiveDate>,
    pub head_sequence: i64,
    pub head_hash: String,
    pub profile: super::operations::GroupProfile,
}

impl Group {
    /// A closed group is kept for its history, its reports and its exports, and takes nothing
    /// new: no transaction, member, account or event, and no change to what it holds.
    pub fn refuse_if_closed(&self) -> Result<(), super::error::LedgerError> {
        use super::operations::GroupStatus;
        if self.profile.status != GroupStatus::Closed {
            return Ok(());
        }
        let since = self
            .profile
            .status_on
            .map(|on| format!(" on {on}"))
            .unwrap_or_default();
        Err(super::error::LedgerError::conflict(
            super::error::Conflict::GroupClosed,
            format!("the group was closed{since}; its ledger takes nothing new"),
        ))
    }
}

#[derive(Debug, Clone)]
pub struct NewGroup {
    pub name: String,
    pub currency: Currency,
    pub host_country: String,
    pub home_country: String,
    /// Named by the request, or its host country's (see `dates::host_country_zone`).
    pub time_zone: super::dates::Tz,
    /// Open the standard chart of accounts in the group's currency at once (see
    /// `operations::standard_chart`); otherwise accounts are opened as they are first needed.
    pub standard_chart: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: Uuid,
    pub group_id: Uuid,
    pub code: String,
    pub name: String,
    pub kind: AccountType,
    pub currency: Currency,
    pub no_overdraft: bool,
    pub debits_minor: i64,
    pub credits_minor: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub code: String,
    pub name: String,
    pub kind: AccountType,
    pub currency: Currency,
    pub no_overdraft: bool,
}

/// An account named in a path or an entry: by id, or by code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountRef {
    Id(Uuid),
    Code(String),
}

impl AccountRef {
    /// A UUID in its canonical hyphenated form names an account by id; anything else is taken
    /// as a code (codes can never be read as an id, see `validate_code`).
    pub fn parse(text: &str) -> Self {
        match Uuid::try_parse(text) {
            Ok(id) if text.len() == 36 => AccountRef::Id(id),
            _ => AccountRef::Code(text.to_string()),
        }
    }
}

/// One entry as asked for by a client: its amount is still text, because only the account's
/// currency says how many decimals it may have.
#[derive(Debug, Clone)]
pub struct EntryRequest {
    pub account: AccountRef,
    pub direction: Direction,
    pub amount: String,
}

#[derive(Debug, Clone)]
pub struct NewTransaction {
    pub booked_on: NaiveDate,
    pub description: String,
    pub entries: Vec<EntryRequest>,
    /// A JSON object, at most 4 KiB in canonical form (checked at the edge).
    pub metadata: Value,
    /// The user recording it.
    pub created_by: Option<Uuid>,
    /// The request's audit record, written with the transaction (see `AuditDraft`).
    pub audit: Option<super::access::AuditDraft>,
}

#[derive(Debug, Clone)]
pub struct NewReversal {
    /// `None` books the reversal on the original's date when that date is still open, else on
    /// the first open date (see [`reversal_date`]).
    pub booked_on: Option<NaiveDate>,
    pub description: Option<String>,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub line: i32,
    pub account_id: Uuid,
    pub account_code: String,
    pub direction: Direction,
    pub amount_minor: i64,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub id: Uuid,
    pub group_id: Uuid,
    pub sequence: i64,
    pub booked_on: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub description: String,
    pub metadata: Value,
    pub entries: Vec<Entry>,
    pub reverses: Option<Uuid>,
    pub reversed_by: Option<Uuid>,
    pub hash: String,
    pub previous_hash: String,
    pub created_by: Option<Uuid>,
}

/// Filters and position for listing a group's transactions, oldest first.
#[derive(Debug, Clone)]
pub struct TransactionQuery {
    pub account: Option<AccountRef>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only transactions with a sequence greater than this (the decoded cursor).
    pub after_sequence: i64,
    pub limit: u32,
}

/// A page of results; `has_more` says whether a next page exists after the last item.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_more: bool,
}

#[derive(Debug, Clone)]
pub struct StatementLine {
    pub transaction_id: Uuid,
    pub sequence: i64,
    pub booked_on: NaiveDate,
    pub description: String,
    pub direction: Direction,
    pub amount_minor: i64,
    pub balance_minor: i64,
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub account: Account,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub opening_minor: i64,
    pub lines: Vec<StatementLine>,
    pub closing_minor: i64,
}

#[derive(Debug, Clone)]
pub struct TrialBalanceLine {
    pub account: Account,
    pub debits_minor: i64,
    pub credits_minor: i64,
}

#[derive(Debug, Clone)]
pub struct TrialBalance {
    pub as_of: Option<NaiveDate>,
    pub lines: Vec<TrialBalanceLine>,
}

#[derive(Debug, Clone)]
pub struct PeriodClose {
    pub group_id: Uuid,
    pub through: NaiveDate,
    pub closed_at: DateTime<Utc>,
    /// The transaction that moved the period's income and expense into
    /// `equity:undistributed:<currency>`; none when there was nothing to move.
    pub closing_transaction_id: Option<Uuid>,
    /// The FX positions revalued at the closing rates given, each posted before the closing
    /// transaction so that its gain or loss is closed with the period.
    pub revaluations: Vec<super::fx::Revaluation>,
}

/// The outcome of re-deriving a group's chain and balances from its journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub transactions_checked: i64,
    pub head_sequence: i64,
    pub head_hash: String,
    pub failure: Option<VerificationFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerificationFailure {
    /// The sequence is not the next one: a transaction is missing or duplicated.
    SequenceGap { expected: i64, found: i64 },
    /// The stored hash differs from the one recomputed from the stored data.
    HashMismatch { sequence: i64 },
    /// The transaction's entries do not balance per currency.
    Unbalanced { sequence: i64 },
    /// The group's head does not match its last transaction.
    HeadMismatch,
    /// An entry's copy of its transaction's date, sequence or group differs from it.
    EntryMismatch { sequence: i64 },
    /// An entry names an account that is not one of the group's (the first such entry's
    /// transaction, and the account).
    ForeignAccount { sequence: i64, account_id: Uuid },
    /// An entry is in a currency other than its account's (the first such entry's
    /// transaction, and the account).
    CurrencyMismatch { sequence: i64, account_id: Uuid },
    /// An account's stored totals differ from the sums of its entries.
    BalanceMismatch { account_id: Uuid, code: String },
    /// An account's stored month-end balance differs from the sums of its entries up to that
    /// month's end (the first such account and month).
    ClosingMismatch {
        account_id: Uuid,
        month_end: NaiveDate,
    },
    /// A closed month's stored savings-trend figures (`trend_months`) differ from what the
    /// group's members and entries make (the first such month).
    TrendMismatch { month: NaiveDate },
}

/// A group's journal read at one moment, for export: the group, every account, and the
/// transactions booked in the range, oldest first, with their entries.
#[derive(Debug, Clone)]
pub struct JournalExport {
    pub group: Group,
    pub accounts: Vec<Account>,
    pub transactions: Vec<Transaction>,
}

/// The date a reversal is booked on when the treasurer gives none: the original's own date
/// while it is in an open period, so that the period's figures (a close, a distribution as of
/// a date) never count the mistake; otherwise the first date after the close.
pub fn reversal_date(
    original_booked_on: NaiveDate,
    closed_through: Option<NaiveDate>,
) -> NaiveDate {
    match closed_through {
        Some(closed) if original_booked_on <= closed => closed.succ_opt().unwrap_or(closed),
        _ => original_booked_on,
    }
}
