//! The hash chains that make the audit log tamper-evident, as the journal's chain makes each
//! group's history so.
//!
//! Every audit record has a place in one chain: the chain of the group it names, or the
//! service's chain (`"service"`) for a record naming no group (users, grants, signing in). A
//! group is the unit of consistency, so a group's records are chained by whoever writes to the
//! group, and no chain is shared by writes to different groups.
//!
//! `hash(n) = SHA-256(hash(n-1) as 32 bytes || canonical(n))`, with 32 zero bytes before a
//! chain's first record; `canonical(n)` is the canonical JSON of [`canonical_record`].
//! docs/AUDIT-CHAIN.md describes it for auditors who recompute it with their own tools, and
//! [`ChainCheck`] is the service's own recomputation.

use std::collections::BTreeMap;

use serde_json::json;
use sha2::{Digest, Sha256};

use super::access::{AuditEvent, AuditLink};
use super::canonical::to_canonical_string;
use super::hash::{GENESIS_HASH, format_recorded_at};

/// The version of the canonical encoding, part of the hashed bytes.
pub const ENCODING_VERSION: u32 = 1;

/// The chain of records that name no group.
pub const SERVICE_CHAIN: &str = "service";

/// The chain a record belongs to: its group's, or the service's.
pub fn chain_of(event: &AuditEvent) -> String {
    match event.group_id {
        Some(group) => group.to_string(),
        None => SERVICE_CHAIN.to_string(),
    }
}

/// The canonical JSON of a record at `sequence` in `chain`: every field of the record, times to
/// the microsecond, ids as lower-case hyphenated UUIDs, the sequence as a decimal string.
pub fn canonical_record(event: &AuditEvent, chain: &str, sequence: i64) -> String {
    let created: Vec<String> = event.created_ids.iter().map(|id| id.to_string()).collect();
    let value = json!({
        "v": ENCODING_VERSION,
        "chain": chain,
        "sequence": sequence.to_string(),
        "id": event.id.to_string(),
        "occurred_at": format_recorded_at(event.occurred_at),
        "user_id": event.user_id.map(|id| id.to_string()),
        "username": event.username,
        "group_id": event.group_id.map(|id| id.to_string()),
        "method": event.method,
        "route": event.route,
        "path": event.path,
        "status": event.status,
        "idempotency_key": event.idempotency_key,
        "request_id": event.request_id,
        "created_ids": created,
        "client_addr": event.client_addr,
    });
    to_canonical_string(&value)
}

/// Hex of the hash of `event` at `sequence` in `chain` after `previous_hex`; `None` if
/// `previous_hex` is not 64 hex digits.
pub fn record_hash(
    previous_hex: &str,
    event: &AuditEvent,
    chain: &str,
    sequence: i64,
) -> Option<String> {
    let previous = hex::decode(previous_hex).ok()?;
    if previous.len() != 32 {
        return None;
    }
    let mut hasher = Sha256::new();
    hasher.update(&previous);
    hasher.update(canonical_record(event, chain, sequence).as_bytes());
    Some(hex::encode(hasher.finalize()))
}

/// The head of a chain: its last record's sequence and hash (0 and the genesis hash before its
/// first record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub sequence: i64,
    pub hash: String,
}

impl Head {
    pub fn genesis() -> Self {
        Head {
            sequence: 0,
            hash: GENESIS_HASH.to_string(),
        }
    }
}

/// Gives each of `events` its place at the end of its chain, in the order given, moving the
/// `heads` (by chain) on; a chain not in `heads` starts at genesis. `None` if a head's hash is
/// not 64 hex digits.
pub fn append(heads: &mut BTreeMap<String, Head>, events: &mut [AuditEvent]) -> Option<()> {
    for event in events {
        let chain = chain_of(event);
        let head = heads.entry(chain.clone()).or_insert_with(Head::genesis);
        let sequence = head.sequence + 1;
        let hash = record_hash(&head.hash, event, &chain, sequence)?;
        event.link = Some(AuditLink {
            chain,
            sequence,
            previous_hash: head.hash.clone(),
            hash: hash.clone(),
        });
        *head = Head { sequence, hash };
    }
    Some(())
}

/// What is wrong with the audit log, at the first record found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainFailure {
    pub kind: FailureKind,
    pub chain: String,
    /// The sequence at which the chain went wrong (for `unchained_record`, none).
    pub sequence: Option<i64>,
    /// The record found wrong, when there is one (a missing record has none).
    pub record_id: Option<uuid::Uuid>,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The record's hash is not the hash of what it holds: it was changed.
    HashMismatch,
    /// The record does not name the hash of the record before it.
    BrokenLink,
    /// A sequence number is missing: a record was removed.
    SequenceGap,
    /// The chain's last record is not its recorded head: records were removed from its end, or
    /// added past it.
    HeadMismatch,
    /// A record written after the chains began has no place in one: it was slipped in.
    UnchainedRecord,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::HashMismatch => "hash_mismatch",
            FailureKind::BrokenLink => "broken_link",
            FailureKind::SequenceGap => "sequence_gap",
            FailureKind::HeadMismatch => "head_mismatch",
            FailureKind::UnchainedRecord => "unchained_record",
        }
    }
}

/// The outcome of checking the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Records checked in their chains before the first one found wrong, if any.
    pub records_checked: u64,
    /// Each chain's head (its last record) as recorded: what an auditor keeps, to show later
    /// that no record was removed from a chain's end since.
    pub heads: BTreeMap<String, Head>,
    /// Records written before the chains began, which no chain covers.
    pub records_before_chains: u64,
    pub failure: Option<ChainFailure>,
}

/// The recomputation of the audit chains, fed their records in order of chain and sequence.
#[derive(Debug, Default)]
pub struct ChainCheck {
    /// The chain being read and where it has got to.
    current: Option<(String, Head)>,
    /// The chains read to the end, with their last record.
    ended: BTreeMap<String, Head>,
    pub records_checked: u64,
}

impl ChainCheck {
    /// Checks the next record, which must be in a chain (`link` set).
    pub fn feed(&mut self, event: &AuditEvent) -> Result<(), ChainFailure> {
        let Some(link) = &event.link else {
            return Err(self.unchained(event));
        };
        let fail = |kind, detail: String| ChainFailure {
            kind,
            chain: link.chain.clone(),
            sequence: Some(link.sequence),
            record_id: Some(event.id),
            detail,
        };
        let head = match &mut self.current {
            Some((chain, head)) if *chain == link.chain => head,
            _ => {
                if let Some((chain, head)) = self.current.take() {
                    self.ended.insert(chain, head);
                }
                &mut self.current.insert((link.chain.clone(), Head::genesis())).1
            }
        };
        if link.sequence != head.sequence + 1 {
            let missing = head.sequence + 1;
            return Err(ChainFailure {
                sequence: Some(missing),
                ..fail(
                    FailureKind::SequenceGap,
                    format!("record {missing} of the chain is missing"),
                )
            });
        }
        if link.previous_hash != head.hash {
            return Err(fail(
                FailureKind::BrokenLink,
                "the record does not name the hash of the record before it".into(),
            ));
        }
        let recomputed = record_hash(&head.hash, event, &link.chain, link.sequence);
        if recomputed.as_deref() != Some(link.hash.as_str()) {
            return Err(fail(
                FailureKind::HashMismatch,
                "the record's hash is not the hash of what it holds".into(),
            ));
        }
        *head = Head {
            sequence: link.sequence,
            hash: link.hash.clone(),
        };
        self.records_checked += 1;
        Ok(())
    }

    fn unchained(&self, event: &AuditEvent) -> ChainFailure {
        ChainFailure {
            kind: FailureKind::UnchainedRecord,
            chain: chain_of(event),
            sequence: None,
            record_id: Some(event.id),
            detail: "the record has no place in a chain, and was written after the chains began"
                .into(),
        }
    }

    /// Ends the check: every chain's last record must be its recorded head (`heads`), and no
    /// more records may lie outside the chains than were written before they began
    /// (`unchained`, with the newest of them, `expected_unchained` the count kept then).
    pub fn finish(
        mut self,
        heads: &BTreeMap<String, Head>,
        unchained: (u64, Option<&AuditEvent>),
        expected_unchained: u64,
    ) -> Result<u64, ChainFailure> {
        if let Some((chain, head)) = self.current.take() {
            self.ended.insert(chain, head);
        }
        let chains = heads.keys().chain(self.ended.keys());
        for chain in chains {
            let read = self.ended.get(chain).cloned().unwrap_or_else(Head::genesis);
            let recorded = heads.get(chain).cloned().unwrap_or_else(Head::genesis);
            if read != recorded {
                return Err(ChainFailure {
                    kind: FailureKind::HeadMismatch,
                    chain: chain.clone(),
                    sequence: Some(read.sequence.min(recorded.sequence) + 1),
                    record_id: None,
                    detail: format!(
                        "the chain ends at record {} but its head is record {}",
                        read.sequence, recorded.sequence
                    ),
                });
            }
        }
        if let (count, Some(newest)) = unchained
            && count > expected_unchained
        {
            return Err(self.unchained(newest));
        }
        Ok(self.records_checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use proptest::prelude::*;
    use uuid::Uuid;

    fn event(n: u128, group: Option<u128>) -> AuditEvent {
        AuditEvent {
            id: Uuid::from_u128(n),
            occurred_at: DateTime::<Utc>::from_timestamp_micros(1_790_000_000_000_000 + n as i64)
                .unwrap(),
            user_id: Some(Uuid::from_u128(7)),
            username: Some("treasurer".into()),
            group_id: group.map(Uuid::from_u128),
            method: "POST".into(),
            route: "/v1/groups/{group_id}/transactions".into(),
            path: "/v1/groups/x/transactions".into(),
            status: 201,
            idempotency_key: Some(format!("k{n}")),
            request_id: None,
            created_ids: vec![Uuid::from_u128(n + 1000)],
            client_addr: Some("192.0.2.1".into()),
            link: None,
        }
    }

    /// Records in the order a check reads them: by chain, then sequence.
    fn in_chain_order(mut events: Vec<AuditEvent>) -> Vec<AuditEvent> {
        events.sort_by_key(|e| {
            let link = e.link.as_ref().unwrap();
            (link.chain.clone(), link.sequence)
        });
        events
    }

    fn check(events: &[AuditEvent], heads: &BTreeMap<String, Head>) -> Result<u64, ChainFailure> {
        let mut check = ChainCheck::default();
        for e in events {
            check.feed(e)?;
        }
        check.finish(heads, (0, None), 0)
    }

    /// A log of `groups` (None for the service chain) appended in one or more batches.
    fn built(groups: &[Option<u8>], batch: usize) -> (Vec<AuditEvent>, BTreeMap<String, Head>) {
        let mut heads = BTreeMap::new();
        let mut all = Vec::new();
        let events: Vec<AuditEvent> = groups
            .iter()
            .enumerate()
            .map(|(n, g)| event(n as u128 + 1, g.map(u128::from)))
            .collect();
        for chunk in events.chunks(batch.max(1)) {
            let mut chunk = chunk.to_vec();
            append(&mut heads, &mut chunk).unwrap();
            all.extend(chunk);
        }
        (in_chain_order(all), heads)
    }

    fn groups() -> impl Strategy<Value = Vec<Option<u8>>> {
        prop::collection::vec(prop::option::of(0u8..3), 1..30)
    }

    proptest! {
        #[test]
        fn a_log_as_written_verifies(groups in groups(), batch in 1usize..5) {
            let (events, heads) = built(&groups, batch);
            prop_assert_eq!(check(&events, &heads), Ok(groups.len() as u64));
        }

        #[test]
        fn a_changed_record_is_found(groups in groups(), at in any::<prop::sample::Index>()) {
            let (mut events, heads) = built(&groups, 3);
            let n = at.index(events.len());
            events[n].status = 500;
            let failure = check(&events, &heads).unwrap_err();
            prop_assert_eq!(failure.kind, FailureKind::HashMismatch);
            prop_assert_eq!(failure.record_id, Some(events[n].id));
        }

        #[test]
        fn a_removed_record_is_found(groups in groups(), at in any::<prop::sample::Index>()) {
            let (mut events, heads) = built(&groups, 2);
            let n = at.index(events.len());
            let removed = events.remove(n);
            let link = removed.link.unwrap();
            let failure = check(&events, &heads).unwrap_err();
            let last = heads[&link.chain].sequence;
            if link.sequence == last {
                prop_assert_eq!(failure.kind, FailureKind::HeadMismatch);
            } else {
                prop_assert_eq!(failure.kind, FailureKind::SequenceGap);
            }
            prop_assert_eq!(failure.chain, link.chain);
            prop_assert_eq!(failure.sequence, Some(link.sequence));
        }

        #[test]
        fn a_record_slipped_in_is_found(groups in groups()) {
            let (events, heads) = built(&groups, 4);
            let slipped = event(9_999, None);
            let mut check = ChainCheck::default();
            for e in &events {
                check.feed(e).unwrap();
            }
            let failure = check.finish(&heads, (1, Some(&slipped)), 0).unwrap_err();
            prop_assert_eq!(failure.kind, FailureKind::UnchainedRecord);
            prop_assert_eq!(failure.record_id, Some(slipped.id));
        }
    }

    #[test]
    fn records_before_the_chains_began_are_allowed_as_counted() {
        let (events, heads) = built(&[None, Some(1)], 1);
        let old = event(50, None);
        let mut check = ChainCheck::default();
        for e in &events {
            check.feed(e).unwrap();
        }
        assert_eq!(check.finish(&heads, (1, Some(&old)), 1), Ok(2));
    }

    #[test]
    fn a_record_re_hashed_in_its_place_breaks_the_next_link() {
        let (mut events, heads) = built(&[Some(1), Some(1), Some(1)], 1);
        // Changed, and its own hash recomputed: the record after it no longer follows.
        events[0].status = 403;
        let link = events[0].link.clone().unwrap();
        let rehashed = record_hash(&link.previous_hash, &events[0], &link.chain, 1).unwrap();
        events[0].link.as_mut().unwrap().hash = rehashed;
        let failure = check(&events, &heads).unwrap_err();
        assert_eq!(failure.kind, FailureKind::BrokenLink);
        assert_eq!(failure.sequence, Some(2));
    }

    #[test]
    fn the_encoding_is_stable() {
        let e = event(1, Some(2));
        let chain = chain_of(&e);
        assert_eq!(chain, "00000000-0000-0000-0000-000000000002");
        assert_eq!(
            canonical_record(&e, &chain, 1),
            "{\"chain\":\"00000000-0000-0000-0000-000000000002\",\"client_addr\":\"192.0.2.1\",\
             \"created_ids\":[\"00000000-0000-0000-0000-0000000003e9\"],\
             \"group_id\":\"00000000-0000-0000-0000-000000000002\",\
             \"id\":\"00000000-0000-0000-0000-000000000001\",\"idempotency_key\":\"k1\",\
             \"method\":\"POST\",\"occurred_at\":\"2026-09-21T14:13:20.000001Z\",\
             \"path\":\"/v1/groups/x/transactions\",\"request_id\":null,\
             \"route\":\"/v1/groups/{group_id}/transactions\",\"sequence\":\"1\",\"status\":201,\
             \"user_id\":\"00000000-0000-0000-0000-000000000007\",\"username\":\"treasurer\",\"v\":1}"
        );
    }
}
