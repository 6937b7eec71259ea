//! What receipts and checkpoints say, as the documents that are signed (docs/RECEIPTS.md).
//!
//! Each is a JSON object with a `type` naming its version; integers are decimal strings and
//! every field is plain text, so that the canonical text (keys sorted, no whitespace, the hash
//! chain's rules) is the same in every tool that rebuilds it.

use super::money::Currency;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

pub const RECEIPT_TYPE: &str = "msai-ledger/receipt/v1";
pub const CHECKPOINT_TYPE: &str = "msai-ledger/checkpoint/v1";

/// Where a record's transaction stands in its group's chain: its sequence, and its hash (the
/// group's head hash right after it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainPosition {
    pub sequence: i64,
    pub hash: String,
}

/// What a member's receipt proves: that this event was booked, and where in the group's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub group_id: Uuid,
    pub member_id: Uuid,
    pub event_id: Uuid,
    /// `contribution`, `withdrawal` or `remittance`.
    pub kind: &'static str,
    pub amount_minor: i64,
    pub currency: Currency,
    pub booked_on: NaiveDate,
    /// The sequence of the event's transaction.
    pub sequence: i64,
    /// That transaction's hash: the group's head hash right after it.
    pub hash: String,
}

impl Receipt {
    /// The receipt of a contribution or withdrawal.
    pub fn of_event(e: &super::member::MemberEvent) -> Receipt {
        Receipt {
            group_id: e.group_id,
            member_id: e.member_id,
            event_id: e.id,
            kind: e.kind.as_str(),
            amount_minor: e.amount_minor,
            currency: e.currency,
            booked_on: e.booked_on,
            sequence: e.chain.sequence,
            hash: e.chain.hash.clone(),
        }
    }

    /// The receipt of a remittance: the amount sent, in the currency sent. `None` for a
    /// remittance the group's books did not carry (no transaction).
    pub fn of_remittance(r: &super::operations::Remittance) -> Option<Receipt> {
        let chain = r.chain.as_ref()?;
        Some(Receipt {
            group_id: r.group_id,
            member_id: r.details.member_id,
            event_id: r.id,
            kind: "remittance",
            amount_minor: r.details.send_amount_minor,
            currency: r.details.send_currency,
            booked_on: r.details.booked_on,
            sequence: chain.sequence,
            hash: chain.hash.clone(),
        })
    }

    /// The document signed (before the signer adds its `key_id`).
    pub fn document(&self) -> Value {
        json!({
            "type": RECEIPT_TYPE,
            "group_id": self.group_id.to_string(),
            "member_id": self.member_id.to_string(),
            "event_id": self.event_id.to_string(),
            "kind": self.kind,
            "amount_minor": self.amount_minor.to_string(),
            "currency": self.currency.code(),
            "booked_on": self.booked_on.format("%Y-%m-%d").to_string(),
            "sequence": self.sequence.to_string(),
            "hash": self.hash,
        })
    }
}

/// One account's totals at a checkpoint's sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointAccount {
    pub id: Uuid,
    pub code: String,
    pub currency: Currency,
    pub debits_minor: i64,
    pub credits_minor: i64,
}

/// A group's journal at one sequence: the hash it reached and every account's totals over the
/// entries up to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub group_id: Uuid,
    pub sequence: i64,
    /// The hash of the transaction at `sequence` (64 zeros at sequence 0).
    pub head_hash: String,
    /// Every account of the group, by code.
    pub accounts: Vec<CheckpointAccount>,
}

impl Checkpoint {
    /// The document signed at `signed_at` (before the signer adds its `key_id`).
    pub fn document(&self, signed_at: DateTime<Utc>) -> Value {
        let accounts: Vec<Value> = self
            .accounts
            .iter()
            .map(|a| {
                json!({
                    "id": a.id.to_string(),
                    "code": a.code,
                    "currency": a.currency.code(),
                    "debits_minor": a.debits_minor.to_string(),
                    "credits_minor": a.credits_minor.to_string(),
                })
            })
            .collect();
        json!({
            "type": CHECKPOINT_TYPE,
            "group_id": self.group_id.to_string(),
            "sequence": self.sequence.to_string(),
            "head_hash": self.head_hash,
            "signed_at": super::hash::format_recorded_at(signed_at),
            "accounts": accounts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::canonical::to_canonical_string;

    #[test]
    fn a_receipt_document_is_plain_text_in_canonical_order() {
        let receipt = Receipt {
            group_id: Uuid::nil(),
            member_id: Uuid::nil(),
            event_id: Uuid::nil(),
            kind: "contribution",
            amount_minor: 50_000,
            currency: Currency::parse("HKD").unwrap(),
            booked_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            sequence: 7,
            hash: "ab".repeat(32),
        };
        let nil = Uuid::nil();
        assert_eq!(
            to_canonical_string(&receipt.document()),
            format!(
                r#"{{"amount_minor":"50000","booked_on":"2026-11-01","currency":"HKD","event_id":"{nil}","group_id":"{nil}","hash":"{}","kind":"contribution","member_id":"{nil}","sequence":"7","type":"msai-ledger/receipt/v1"}}"#,
                "ab".repeat(32)
            )
        );
    }
}
