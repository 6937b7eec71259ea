//! Events for other systems: what each posted transaction and each change of a member tells a
//! subscriber (an SMS gateway sending receipts, a partner's books), how a delivery is signed,
//! and how long a failing subscriber waits before the next attempt. The store writes an event
//! in the transaction that posts it (the outbox); webhooks and `GET .../events` read them in
//! the group's order.

use std::time::Duration;

use chrono::{DateTime, Utc};

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use uuid::Uuid;

use super::member::Member;
use super::model::Transaction;

/// Every type an event may have. A transaction the service writes for an event names it in
/// its metadata (`"event"`); a reversal is `reversal`, a transaction a treasurer wrote herself
/// is `transaction`; a member's registration and later changes are `member_joined` and
/// `member_updated`.
pub const TYPES: &[&str] = &[
    "contribution",
    "withdrawal",
    "remittance",
    "remittance_completion",
    "remittance_failure",
    "transfer",
    "disbursement",
    "income",
    "capital_returned",
    "write_down",
    "distribution",
    "member_exit",
    "period_close",
    "fx_revaluation",
    "reversal",
    "transaction",
    "member_joined",
    "member_updated",
];

/// An event before it has its place in its group's order.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub id: Uuid,
    pub kind: &'static str,
    /// The record it is about: the contribution, remittance, distribution... or the member.
    pub subject_id: Option<Uuid>,
    pub transaction_id: Option<Uuid>,
    /// For a change of a member, the member as it left her.
    pub data: Option<Value>,
}

/// An event as kept: its place in the group's order and when it was committed.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: Uuid,
    pub group_id: Uuid,
    pub sequence: i64,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub subject_id: Option<Uuid>,
    pub data: Option<Value>,
    /// The transaction it posted, read back when the event is shown.
    pub transaction: Option<Transaction>,
}

impl Event {
    /// The members the event concerns: the member who joined or changed, or every member
    /// whose own account (savings, capital, payable) the transaction moved, in the order of
    /// its entries.
    pub fn members(&self) -> Vec<Uuid> {
        if let Some(t) = &self.transaction {
            return members_moved(t);
        }
        if self.kind.starts_with("member_") {
            return self.subject_id.into_iter().collect();
        }
        Vec::new()
    }
}

/// A webhook as asked for: where to send the group's events, the secret that signs them, and
/// which types (none: every type).
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub url: String,
    pub secret: String,
    pub event_types: Vec<String>,
    pub created_by: Option<Uuid>,
}

impl NewWebhook {
    /// The webhook as created when the group's last event is numbered `head`: it delivers
    /// the events that come after it.
    pub fn start(self, group_id: Uuid, head: i64, now: DateTime<Utc>) -> Webhook {
        Webhook {
            id: Uuid::now_v7(),
            group_id,
            url: self.url,
            secret: self.secret,
            event_types: self.event_types,
            created_by: self.created_by,
            created_at: now,
            delivered_through: head,
            failures: 0,
            next_attempt_at: now,
            last_attempt_at: None,
            last_status: None,
            last_error: None,
            lease: None,
        }
    }
}

/// A webhook and how its deliveries stand.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub id: Uuid,
    pub group_id: Uuid,
    pub url: String,
    pub secret: String,
    pub event_types: Vec<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// The number of the last event it delivered or was not subscribed to.
    pub delivered_through: i64,
    /// Failed attempts since its last delivery.
    pub failures: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last attempt's answer, if it got one.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    /// Which delivery holds it, while one does.
    pub lease: Option<Uuid>,
}

impl Webhook {
    /// Its events after the one numbered `after` are to be delivered again, now.
    pub fn replay_from(&mut self, after: i64, now: DateTime<Utc>) {
        self.delivered_through = after;
        self.failures = 0;
        self.next_attempt_at = now;
        self.lease = None;
    }

    /// The event numbered `sequence` was delivered (or is not one it subscribed to).
    pub fn delivered(&mut self, sequence: i64, status: Option<i64>, now: DateTime<Utc>) {
        self.delivered_through = self.delivered_through.max(sequence);
        self.failures = 0;
        self.next_attempt_at = now;
        if status.is_some() {
            self.last_attempt_at = Some(now);
            self.last_status = status;
            self.last_error = None;
        }
    }

    /// An attempt failed (answered `status`, or no answer): the next waits longer.
    pub fn failed(
        &mut self,
        status: Option<i64>,
        error: String,
        now: DateTime<Utc>,
        base: Duration,
        cap: Duration,
    ) {
        self.failures = self.failures.saturating_add(1);
        let failures = u32::try_from(self.failures).unwrap_or(u32::MAX);
        let wait = chrono::Duration::from_std(backoff(failures, base, cap))
            .unwrap_or(chrono::Duration::MAX);
        self.next_attempt_at = now.checked_add_signed(wait).unwrap_or(now);
        self.last_attempt_at = Some(now);
        self.last_status = status;
        self.last_error = Some(error);
    }
}

/// The event a posted transaction is.
pub fn of_transaction(t: &Transaction) -> NewEvent {
    let named = t.metadata.get("event").and_then(Value::as_str);
    let kind = if t.reverses.is_some() {
        "reversal"
    } else {
        named
            .and_then(|n| TYPES.iter().copied().find(|k| *k == n))
            .unwrap_or("transaction")
    };
    let subject_id = match kind {
        "reversal" => t.reverses,
        "member_exit" => metadata_id(&t.metadata, "member_id"),
        _ => metadata_id(&t.metadata, "event_id"),
    };
    NewEvent {
        id: Uuid::now_v7(),
        kind,
        subject_id,
        transaction_id: Some(t.id),
        data: None,
    }
}

fn metadata_id(metadata: &Value, field: &str) -> Option<Uuid> {
    metadata
        .get(field)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::try_parse(s).ok())
}

/// A member registered (`joined`) or changed.
pub fn of_member(member: &Member, joined: bool) -> NewEvent {
    NewEvent {
        id: Uuid::now_v7(),
        kind: if joined {
            "member_joined"
        } else {
            "member_updated"
        },
        subject_id: Some(member.id),
        transaction_id: None,
        data: Some(serde_json::json!({
            "id": member.id,
            "number": member.number,
            "name": member.name,
            "sex": member.sex,
            "home_country": member.home_country,
            "host_country": member.host_country,
            "contact": member.contact,
            "joined_on": member.joined_on,
            "status": member.status.as_str(),
            "status_on": member.status_on,
        })),
    }
}

/// The members whose own accounts the transaction moved: the account codes the service gives
/// a member's accounts name her (`liabilities:savings:{id}`, `equity:capital:{id}`,
/// `liabilities:payable:{id}:{currency}`).
pub fn members_moved(t: &Transaction) -> Vec<Uuid> {
    let mut members = Vec::new();
    for entry in &t.entries {
        if let Some(id) = member_of_code(&entry.account_code)
            && !members.contains(&id)
        {
            members.push(id);
        }
    }
    members
}

fn member_of_code(code: &str) -> Option<Uuid> {
    let rest = code
        .strip_prefix("liabilities:savings:")
        .or_else(|| code.strip_prefix("equity:capital:"))
        .or_else(|| code.strip_prefix("liabilities:payable:"))?;
    let id = rest.split(':').next()?;
    (id.len() == 36).then(|| Uuid::try_parse(id).ok()).flatten()
}

/// Whether a webhook subscribed to `types` (none: every type) receives an event of `kind`.
pub fn subscribed(types: &[String], kind: &str) -> bool {
    types.is_empty() || types.iter().any(|t| t == kind)
}

/// The `Msai-Signature` header of a delivery sent at `timestamp` (seconds since the epoch):
/// `t={timestamp},v1={hex HMAC-SHA256 of "{timestamp}.{body}" under the secret}`, the scheme
/// Stripe uses, so a receiver checks the body and refuses a replay older than it tolerates.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac(secret, timestamp, body))
    )
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC takes a key of any length")
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Checks a signature header as a receiver would (in constant time): the body was signed with
/// `secret` at the header's timestamp.
pub fn verify_signature(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return false;
    };
    let expected = mac(secret, timestamp, body);
    signatures
        .iter()
        .any(|s| subtle::ConstantTimeEq::ct_eq(s.as_slice(), expected.as_slice()).into())
}

/// How long a webhook waits after its `failures`-th failure in a row: `base` doubled for each
/// failure before it, never more than `cap`.
pub fn backoff(failures: u32, base: Duration, cap: Duration) -> Duration {
    let doublings = failures.saturating_sub(1).min(31);
    base.checked_mul(1u32 << doublings)
        .map_or(cap, |d| d.min(cap))
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone as _, Utc};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::account::Direction;
    use crate::domain::model::Entry;
    use crate::domain::money::Currency;

    fn transaction(metadata: Value, codes: &[String], reverses: Option<Uuid>) -> Transaction {
        let hkd = Currency::parse("HKD").unwrap();
        Transaction {
            id: Uuid::now_v7(),
            group_id: Uuid::now_v7(),
            sequence: 3,
            booked_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            recorded_at: Utc.with_ymd_and_hms(2026, 11, 1, 10, 0, 0).unwrap(),
            description: "test".into(),
            metadata,
            entries: codes
                .iter()
                .enumerate()
                .map(|(line, code)| Entry {
                    line: line as i32,
                    account_id: Uuid::now_v7(),
                    account_code: code.clone(),
                    direction: if line % 2 == 0 {
                        Direction::Debit
                    } else {
                        Direction::Credit
                    },
                    amount_minor: 100,
                    currency: hkd,
                })
                .collect(),
            reverses,
            reversed_by: None,
            hash: String::new(),
            previous_hash: String::new(),
            created_by: None,
        }
    }

    #[test]
    fn a_contribution_names_its_record_and_its_member() {
        let member = Uuid::now_v7();
        let contribution = Uuid::now_v7();
        let t = transaction(
            serde_json::json!({"event": "contribution", "event_id": contribution.to_string()}),
            &[
                "assets:cash:HKD".into(),
                crate::domain::member::savings_code(member),
            ],
            None,
        );
        let event = of_transaction(&t);
        assert_eq!(event.kind, "contribution");
        assert_eq!(event.subject_id, Some(contribution));
        assert_eq!(event.transaction_id, Some(t.id));
        assert_eq!(members_moved(&t), vec![member]);
    }

    #[test]
    fn a_reversal_is_about_what_it_reverses_and_unknown_events_are_plain_transactions() {
        let original = Uuid::now_v7();
        let reversal = transaction(
            serde_json::json!({"event": "contribution"}),
            &[],
            Some(original),
        );
        assert_eq!(of_transaction(&reversal).kind, "reversal");
        assert_eq!(of_transaction(&reversal).subject_id, Some(original));
        let own = transaction(serde_json::json!({"event": "party"}), &[], None);
        assert_eq!(of_transaction(&own).kind, "transaction");
        assert_eq!(of_transaction(&own).subject_id, None);
    }

    #[test]
    fn an_exit_is_about_the_member_who_left() {
        let member = Uuid::now_v7();
        let t = transaction(
            serde_json::json!({"event": "member_exit", "member_id": member.to_string()}),
            &[crate::domain::operations::payable_code(
                member,
                Currency::parse("HKD").unwrap(),
            )],
            None,
        );
        assert_eq!(of_transaction(&t).subject_id, Some(member));
        assert_eq!(members_moved(&t), vec![member]);
    }

    #[test]
    fn a_signature_checks_only_the_body_and_secret_it_was_made_with() {
        let header = signature("s3cret-s3cret-s3cret", 1_700_000_000, b"{\"a\":1}");
        assert!(header.starts_with("t=1700000000,v1="));
        assert!(verify_signature(
            "s3cret-s3cret-s3cret",
            &header,
            b"{\"a\":1}"
        ));
        assert!(!verify_signature(
            "s3cret-s3cret-s3cret",
            &header,
            b"{\"a\":2}"
        ));
        assert!(!verify_signature(
            "another-secret-here",
            &header,
            b"{\"a\":1}"
        ));
        let moved = header.replace("t=1700000000", "t=1700000001");
        assert!(!verify_signature(
            "s3cret-s3cret-s3cret",
            &moved,
            b"{\"a\":1}"
        ));
    }

    proptest! {
        #[test]
        fn backoff_grows_until_its_cap_and_never_passes_it(
            failures in 1u32..200,
            base_ms in 1u64..10_000,
            cap_ms in 1u64..10_000_000,
        ) {
            let base = Duration::from_millis(base_ms);
            let cap = Duration::from_millis(cap_ms);
            let wait = backoff(failures, base, cap);
            prop_assert!(wait <= cap);
            prop_assert!(wait >= base.min(cap));
            prop_assert!(backoff(failures + 1, base, cap) >= wait);
        }

        #[test]
        fn the_members_moved_are_exactly_those_whose_accounts_the_entries_name(
            members in proptest::collection::vec(any::<u128>(), 0..6),
            others in proptest::collection::vec("[a-z]{1,8}:[a-z]{1,8}", 0..4),
        ) {
            let ids: Vec<Uuid> = members.iter().map(|m| Uuid::from_u128(*m)).collect();
            let mut codes: Vec<String> = others.clone();
            for (i, id) in ids.iter().enumerate() {
                codes.push(match i % 3 {
                    0 => crate::domain::member::savings_code(*id),
                    1 => crate::domain::member::capital_code(*id),
                    _ => format!("liabilities:payable:{id}:HKD"),
                });
            }
            let t = transaction(serde_json::json!({}), &codes, None);
            let mut expected: Vec<Uuid> = Vec::new();
            for id in ids {
                if !expected.contains(&id) {
                    expected.push(id);
                }
            }
            prop_assert_eq!(members_moved(&t), expected);
        }

        #[test]
        fn a_signature_verifies_for_any_body_and_secret(
            secret in "[ -~]{16,64}",
            timestamp in 0i64..4_000_000_000,
            body in proptest::collection::vec(any::<u8>(), 0..512),
        ) {
            let header = signature(&secret, timestamp, &body);
            prop_assert!(verify_signature(&secret, &header, &body));
        }
    }
}
