//! The hash chain that makes each group's history tamper-evident.
//!
//! `hash(n) = SHA-256(hash(n-1) as 32 bytes || canonical(n))`, with 32 zero bytes before the
//! first transaction. `canonical(n)` is the canonical JSON (see `canonical.rs`) of the object
//! built by [`canonical_transaction`]; docs/HASH-CHAIN.md describes it for auditors who want to
//! recompute the chain with their own tools.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::account::Direction;
use super::canonical::to_canonical_string;
use super::money::Currency;

/// Versions of the canonical encoding, part of the hashed bytes. Version 2 adds the user who
/// recorded the transaction; version 1 is kept for transactions recorded without one.
pub const ENCODING_VERSION: u32 = 1;
pub const ENCODING_VERSION_WITH_CREATOR: u32 = 2;

/// The hash before a group's first transaction.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Everything about one transaction that the chain protects.
#[derive(Debug, Clone)]
pub struct HashInput<'a> {
    pub group_id: Uuid,
    pub sequence: i64,
    pub booked_on: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub description: &'a str,
    pub entries: Vec<HashEntry>,
    pub metadata: &'a Value,
    pub reverses: Option<Uuid>,
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Clone, Copy)]
pub struct HashEntry {
    pub account_id: Uuid,
    pub direction: Direction,
    pub amount_minor: i64,
    pub currency: Currency,
}

/// Recording times are kept to the microsecond, the finest both databases store exactly.
pub fn format_recorded_at(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn canonical_transaction(input: &HashInput<'_>) -> String {
    let entries: Vec<Value> = input
        .entries
        .iter()
        .map(|e| {
            json!({
                "account_id": e.account_id.to_string(),
                "direction": e.direction.as_str(),
                "amount_minor": e.amount_minor.to_string(),
                "currency": e.currency.code(),
            })
        })
        .collect();
    let mut value = json!({
        "v": ENCODING_VERSION,
        "group_id": input.group_id.to_string(),
        "sequence": input.sequence.to_string(),
        "booked_on": input.booked_on.format("%Y-%m-%d").to_string(),
        "recorded_at": format_recorded_at(input.recorded_at),
        "description": input.description,
        "entries": entries,
        "metadata": input.metadata,
        "reverses": input.reverses.map(|id| id.to_string()),
    });
    if let Some(creator) = input.created_by {
        value["v"] = json!(ENCODING_VERSION_WITH_CREATOR);
        value["created_by"] = json!(creator.to_string());
    }
    to_canonical_string(&value)
}

/// Hex of the chained hash, or `None` if `previous_hex` is not 64 hex digits.
pub fn chain_hash(previous_hex: &str, input: &HashInput<'_>) -> Option<String> {
    let previous = hex::decode(previous_hex).ok()?;
    if previous.len() != 32 {
        return None;
    }
    let mut hasher = Sha256::new();
    hasher.update(&previous);
    hasher.update(canonical_transaction(input).as_bytes());
    Some(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(metadata: &Value) -> HashInput<'_> {
        HashInput {
            group_id: Uuid::nil(),
            sequence: 1,
            booked_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            recorded_at: DateTime::parse_from_rfc3339("2026-11-02T10:00:00.123456Z")
                .unwrap()
                .with_timezone(&Utc),
            description: "Ana saves",
            entries: vec![HashEntry {
                account_id: Uuid::nil(),
                direction: Direction::Debit,
                amount_minor: 50_000,
                currency: Currency::parse("HKD").unwrap(),
            }],
            metadata,
            reverses: None,
            created_by: None,
        }
    }

    #[test]
    fn the_encoding_is_stable_and_documented() {
        let meta = json!({"receipt": "R-7"});
        assert_eq!(
            canonical_transaction(&input(&meta)),
            concat!(
                r#"{"booked_on":"2026-11-01","description":"Ana saves","entries":[{"account_id":"00000000-0000-0000-0000-000000000000","#,
                r#""amount_minor":"50000","currency":"HKD","direction":"debit"}],"group_id":"00000000-0000-0000-0000-000000000000","#,
                r#""metadata":{"receipt":"R-7"},"recorded_at":"2026-11-02T10:00:00.123456Z","reverses":null,"sequence":"1","v":1}"#
            )
        );
    }

    #[test]
    fn the_recording_user_is_covered_by_version_2() {
        let meta = json!({});
        let mut with_creator = input(&meta);
        with_creator.created_by = Some(Uuid::nil());
        let text = canonical_transaction(&with_creator);
        assert!(text.contains(r#""created_by":"00000000-0000-0000-0000-000000000000""#));
        assert!(text.ends_with(r#""v":2}"#));
        let mut other = with_creator.clone();
        other.created_by = Some(Uuid::max());
        assert_ne!(
            chain_hash(GENESIS_HASH, &with_creator),
            chain_hash(GENESIS_HASH, &other)
        );
    }

    #[test]
    fn any_change_changes_the_hash() {
        let meta = json!({});
        let base = chain_hash(GENESIS_HASH, &input(&meta)).unwrap();
        let mut changed = input(&meta);
        changed.entries[0].amount_minor += 1;
        assert_ne!(chain_hash(GENESIS_HASH, &changed).unwrap(), base);
        let other_previous = "11".repeat(32);
        assert_ne!(chain_hash(&other_previous, &input(&meta)).unwrap(), base);
        assert_eq!(chain_hash("zz", &input(&meta)), None);
    }
}
