//! The JSON shapes of requests, and their conversion to domain types (responses are in
//! [`super::views`]). Parsing happens here, at the edge: the store only sees domain types.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use super::error::{ApiError, FieldChecks};
use crate::domain::account::{AccountType, Direction, validate_code};
use crate::domain::canonical::to_canonical_string;
use crate::domain::dates::{Tz, host_country_zone, parse_time_zone};
use crate::domain::model::{
    AccountRef, EntryRequest, NewAccount, NewGroup, NewReversal, NewTransaction,
};
use crate::domain::money::Currency;
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
