//! The JSON shapes of requests and responses, and their conversion to and from domain types.
//! Parsing happens here, at the edge: the store only sees domain types.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::error::{ApiError, FieldChecks};
use crate::domain::account::{AccountType, Direction, normal_balance, validate_code};
use crate::domain::canonical::to_canonical_string;
use crate::domain::dates::{Tz, host_country_zone, parse_time_zone};
use crate::domain::model::{
    Account, AccountRef, EntryRequest, Group, NewAccount, NewGroup, NewReversal, NewTransaction,
    PeriodClose, Statement, Transaction, TrialBalance, Verification, VerificationFailure,
};
use crate::domain::money::{Currency, format_amount};
use crate::domain::posting::{MAX_ENTRIES, MIN_ENTRIES};

/// Most characters in a group or account name, and in a description.
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 1000;
/// Most bytes of a transaction's metadata, in canonical JSON.
pub const MAX_METADATA_BYTES: usize = 4096;
/// Earliest booking date accepted, and how far past the group's today a booking may be dated
/// (a phone whose clock runs a little ahead near midnight still books).
pub const EARLIEST_BOOKING: (i32, u32, u32) = (1970, 1, 1);
pub const MAX_DAYS_AHEAD: i64 = 1;

pub fn text_field(
    pointer: &str,
    text: &str,
    max_chars: usize,
    allow_empty: bool,
) -> Result<String, ApiError> {
    let trimmed = text.trim();
    if !allow_empty && trimmed.is_empty() {
        return Err(ApiError::invalid_field(pointer, "must not be empty"));
    }
    if trimmed.chars().count() > max_chars {
        return Err(ApiError::invalid_field(
            pointer,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ApiError::invalid_field(
            pointer,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_string())
}

pub fn country(pointer: &str, code: &str) -> Result<String, ApiError> {
    let valid = code.len() == 2
        && code.bytes().all(|b| b.is_ascii_uppercase())
        && code.parse::<iso_currency::Country>().is_ok();
    if valid {
        Ok(code.to_string())
    } else {
        Err(ApiError::invalid_field(
            pointer,
            "must be an ISO 3166-1 alpha-2 country code in upper case, such as \"HK\"",
        ))
    }
}

pub fn currency(pointer: &str, code: &str) -> Result<Currency, ApiError> {
    Currency::parse(code).map_err(|e| ApiError::invalid_field(pointer, e.to_string()))
}

/// An amount whose currency only the store knows, checked here as far as it can be without
/// it (syntax, length, and not zero when `positive`), so that it is named with the body's
/// other wrong fields; the store checks its decimals and size.
pub fn amount_text(pointer: &str, text: &str, positive: bool) -> Result<(), ApiError> {
    crate::domain::operations::amount_text(text, positive, pointer).map_err(ApiError::from)
}

/// A booking date: `today` (the group's, see `http::today`) when none is given; not before
/// 1970, not more than a day after `today`.
pub fn booking_date(
    pointer: &str,
    date: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<NaiveDate, ApiError> {
    let date = date.unwrap_or(today);
    let (y, m, d) = EARLIEST_BOOKING;
    let earliest = NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
    if date < earliest || date > today + chrono::Duration::days(MAX_DAYS_AHEAD) {
        return Err(ApiError::invalid_field(
            pointer,
            format!(
                "must be between {earliest} and tomorrow ({})",
                today + chrono::Duration::days(MAX_DAYS_AHEAD)
            ),
        ));
    }
    Ok(date)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateGroup {
    pub name: String,
    pub currency: String,
    pub host_country: String,
    pub home_country: String,
    /// An IANA time zone name; defaults to the host country's where it has one.
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub chart: Chart,
}

/// What accounts a new group starts with.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Chart {
    /// The standard chart in the group's currency.
    #[default]
    Standard,
    /// None: the group defines its own accounts (books migrated from elsewhere).
    Empty,
}

impl CreateGroup {
    pub fn parse(self) -> Result<NewGroup, ApiError> {
        let mut checks = FieldChecks::default();
        let name = checks.check(text_field("/name", &self.name, MAX_NAME_CHARS, false));
        let currency = checks.check(currency("/currency", &self.currency));
        let host_country = checks.check(country("/host_country", &self.host_country));
        let home_country = checks.check(country("/home_country", &self.home_country));
        let time_zone = match (self.time_zone, &host_country) {
            (Some(name), _) => checks.check(time_zone("/time_zone", &name)),
            (None, Some(host)) => checks.check(host_country_zone(host).ok_or_else(|| {
                ApiError::invalid_field(
                    "/time_zone",
                    format!(
                        "is required: host country {host} has more than one time zone (or none this service knows); name the group's, such as \"Asia/Jakarta\""
                    ),
                )
            })),
            (None, None) => None,
        };
        let (Some(name), Some(currency), Some(host_country), Some(home_country), Some(time_zone)) =
            (name, currency, host_country, home_country, time_zone)
        else {
            return Err(checks.refusal());
        };
        Ok(NewGroup {
            name,
            currency,
            host_country,
            home_country,
            time_zone,
            standard_chart: self.chart == Chart::Standard,
        })
    }
}

/// An IANA time zone name, as the tz database spells it.
pub fn time_zone(pointer: &str, name: &str) -> Result<Tz, ApiError> {
    parse_time_zone(name).ok_or_else(|| {
        ApiError::invalid_field(
            pointer,
            "must be an IANA time zone name such as \"Asia/Hong_Kong\"",
        )
    })
}

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    pub code: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: AccountType,
    pub currency: String,
    #[serde(default)]
    pub no_overdraft: bool,
}

impl CreateAccount {
    pub fn parse(self) -> Result<NewAccount, ApiError> {
        let mut checks = FieldChecks::default();
        let code = checks
            .check(validate_code(&self.code).map_err(|e| ApiError::invalid_field("/code", e)));
        let name = checks.check(text_field("/name", &self.name, MAX_NAME_CHARS, false));
        let currency = checks.check(currency("/currency", &self.currency));
        let (Some(()), Some(name), Some(currency)) = (code, name, currency) else {
            return Err(checks.refusal());
        };
        Ok(NewAccount {
            code: self.code,
            name,
            kind: self.kind,
            currency,
            no_overdraft: self.no_overdraft,
        })
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEntry {
    pub account: String,
    pub direction: Direction,
    pub amount: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTransaction {
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
    #[serde(default)]
    pub description: String,
    pub entries: Vec<CreateEntry>,
    #[serde(default)]
    pub metadata: Option<Value>,
}

impl CreateTransaction {
    pub fn parse(self, today: NaiveDate) -> Result<NewTransaction, ApiError> {
        let mut checks = FieldChecks::default();
        let booked_on = checks.check(booking_date("/booked_on", self.booked_on, today));
        let description = checks.check(text_field(
            "/description",
            &self.description,
            MAX_DESCRIPTION_CHARS,
            true,
        ));
        if !(MIN_ENTRIES..=MAX_ENTRIES).contains(&self.entries.len()) {
            let mut e = ApiError::invalid_field(
                "/entries",
                format!(
                    "a transaction needs {MIN_ENTRIES} to {MAX_ENTRIES} entries, this one has {}",
                    self.entries.len()
                ),
            );
            e.slug = "entry-count";
            e.title = crate::domain::error::Rule::EntryCount.title().to_string();
            return Err(e);
        }
        let metadata = self
            .metadata
            .unwrap_or_else(|| Value::Object(Default::default()));
        checks.check(check_metadata(&metadata));
        let mut entries = Vec::with_capacity(self.entries.len());
        for (i, entry) in self.entries.into_iter().enumerate() {
            if entry.account.is_empty()
                || entry.account.len() > crate::domain::account::MAX_CODE_LEN
            {
                checks.check::<()>(Err(ApiError::invalid_field(
                    format!("/entries/{i}/account"),
                    "must be an account id or code",
                )));
                continue;
            }
            entries.push(EntryRequest {
                account: AccountRef::parse(&entry.account),
                direction: entry.direction,
                amount: entry.amount,
            });
        }
        let (Some(booked_on), Some(description), true) = (booked_on, description, checks.passed())
        else {
            return Err(checks.refusal());
        };
        Ok(NewTransaction {
            booked_on,
            description,
            entries,
            metadata,
            created_by: None,
            audit: None,
        })
    }
}

/// A transaction's metadata: an object, without the reserved `event`, of integers JSON reads
/// exactly, and small.
fn check_metadata(metadata: &Value) -> Result<(), ApiError> {
    if !metadata.is_object() {
        return Err(ApiError::invalid_field(
            "/metadata",
            "must be a JSON object",
        ));
    }
    // `event` names what the service itself posted (a contribution, a period close, a
    // member's exit...); reports and audits rely on it, so a client cannot claim it.
    if metadata.get("event").is_some() {
        return Err(ApiError::invalid_field(
            "/metadata/event",
            "is reserved for the transactions the service writes for recorded events",
        ));
    }
    check_metadata_value(metadata, &mut "/metadata".to_string(), 1)?;
    if to_canonical_string(metadata).len() > MAX_METADATA_BYTES {
        return Err(ApiError::invalid_field(
            "/metadata",
            format!("must be at most {MAX_METADATA_BYTES} bytes as compact JSON"),
        ));
    }
    Ok(())
}

/// Largest integer magnitude allowed in metadata: every JSON implementation reads it exactly.
pub const MAX_METADATA_INTEGER: i64 = (1 << 53) - 1;

/// Most levels of arrays and objects in metadata, the metadata object itself counted: deeper
/// values cannot be described to client generators without a recursive type, which several of
/// them cannot represent.
pub const MAX_METADATA_DEPTH: usize = 4;

/// Numbers in metadata must be integers within ±(2^53 − 1). Fractions and exponents print
/// differently in different JSON libraries, which would stop an auditor from recomputing the
/// hash chain with their own tools; such values belong in strings. Arrays and objects nest at
/// most [`MAX_METADATA_DEPTH`] levels; `depth` is the level of `value` if it is one.
fn check_metadata_value(value: &Value, pointer: &mut String, depth: usize) -> Result<(), ApiError> {
    if (value.is_array() || value.is_object()) && depth > MAX_METADATA_DEPTH {
        return Err(ApiError::invalid_field(
            pointer.clone(),
            format!(
                "metadata nests arrays and objects at most {MAX_METADATA_DEPTH} levels deep, the \
                 metadata object included; send deeper data as a string"
            ),
        ));
    }
    match value {
        Value::Number(n) => {
            let ok = n
                .as_i64()
                .is_some_and(|i| (-MAX_METADATA_INTEGER..=MAX_METADATA_INTEGER).contains(&i));
            if !ok {
                return Err(ApiError::invalid_field(
                    pointer.clone(),
                    "numbers in metadata must be integers between -(2^53-1) and 2^53-1; send other values as strings",
                ));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                check_metadata_value(item, pointer, depth + 1)?;
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                check_metadata_value(item, pointer, depth + 1)?;
                pointer.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateReversal {
    #[serde(
        default,
        deserialize_with = "crate::domain::dates::deserialize_optional"
    )]
    pub booked_on: Option<NaiveDate>,
    #[serde(default)]
    pub description: Option<String>,
}

impl CreateReversal {
    pub fn parse(self, today: NaiveDate) -> Result<NewReversal, ApiError> {
        let mut checks = FieldChecks::default();
        let description = checks.check(
            self.description
                .map(|d| text_field("/description", &d, MAX_DESCRIPTION_CHARS, false))
                .transpose(),
        );
        let booked_on = checks.check(
            self.booked_on
                .map(|date| booking_date("/booked_on", Some(date), today))
                .transpose(),
        );
        let (Some(description), Some(booked_on)) = (description, booked_on) else {
            return Err(checks.refusal());
        };
        Ok(NewReversal {
            booked_on,
            description,
            created_by: None,
        })
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePeriodClose {
    #[serde(deserialize_with = "crate::domain::dates::deserialize")]
    pub through: NaiveDate,
    /// Closing rates at which the FX positions are revalued before the close.
    #[serde(default)]
    pub fx_rates: Option<Vec<super::operations::FxRateBody>>,
}

impl CreatePeriodClose {
    /// A period can be closed only once it has ended: `through` may not be after the group's
    /// today.
    pub fn parse(
        self,
        today: NaiveDate,
    ) -> Result<(NaiveDate, Vec<crate::domain::fx::FxRate>), ApiError> {
        let mut checks = FieldChecks::default();
        if self.through > today {
            checks.refuse(ApiError::invalid_field(
                "/through",
                format!("must not be after today ({today})"),
            ));
        }
        let rates = checks.check(super::operations::fx_rates("/fx_rates", self.fx_rates));
        let (Some(rates), true) = (rates, checks.passed()) else {
            return Err(checks.refusal());
        };
        Ok((self.through, rates))
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
    pub revaluations: Vec<super::reports::RevaluationView>,
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
                .map(super::reports::RevaluationView::of)
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
