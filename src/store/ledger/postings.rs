//! Postings: a client's transaction and a reversal, each prepared by the domain
//! (`domain::prepare`) against the group's locked head and written here. Postings that
//! arrive together are written together; a posting alone is a gathering of one.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::idempotency::{Remembered, StoredByKey, replay};
use crate::domain::error::{Conflict, LedgerError};
use crate::domain::model::*;
use crate::domain::posting::{self, AccountState, Line};
use crate::domain::prepare::{self, Prepared};
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::shared::*;
use crate::store::tx::{Column, write_tx};
use crate::store::{Idempotency, StoreResult, Written};

/// What judging a gathering of postings needs, read once for all of them: the groups
/// (locked), the outcomes stored with their keys, and by group the accounts the postings
/// name, with their totals.
struct PostingFacts {
    groups: HashMap<Uuid, Group>,
    stored: StoredByKey,
    accounts: HashMap<Uuid, Vec<Account>>,
}

impl<B: Backend> Ledger<B>
where
    for<'c> &'c mut <B::Db as sqlx::Database>::Connection: sqlx::Executor<'c, Database = B::Db>,
    <B::Db as sqlx::Database>::Arguments: sqlx::IntoArguments<B::Db> + Default,
    for<'a> &'a str: sqlx::ColumnIndex<DbRow<B>>,
    usize: sqlx::ColumnIndex<DbRow<B>>,
    for<'q> &'q str: sqlx::Encode<'q, B::Db> + sqlx::Type<B::Db>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, B::Db> + sqlx::Type<B::Db>,
    Uuid: Column<B::Db>,
    Option<Uuid>: Column<B::Db>,
    i64: Column<B::Db>,
    Option<i64>: Column<B::Db>,
    i32: Column<B::Db>,
    Option<i32>: Column<B::Db>,
    bool: Column<B::Db>,
    Option<bool>: Column<B::Db>,
    String: Column<B::Db>,
    Option<String>: Column<B::Db>,
    NaiveDate: Column<B::Db>,
    Option<NaiveDate>: Column<B::Db>,
    DateTime<Utc>: Column<B::Db>,
    Option<DateTime<Utc>>: Column<B::Db>,
    B::Db: sqlx::database::HasStatementCache,
{
    /// Checks one transaction under the group's lock and numbers it (see
    /// `domain::prepare`): the group's head moves to it; nothing is written yet (see
    /// `write_postings`). The inner error is a rule violation, and leaves the group as it was.
    pub(in crate::store) fn prepare_posting(
        group: &mut Group,
        posting: Posting<'_>,
    ) -> Result<Result<PreparedPosting, LedgerError>, TxError> {
        let prepared =
            prepare::prepare(group, &posting, recorded_now()).map_err(|e| internal(e.0))?;
        Ok(prepared.map(|p| (p.transaction, p.totals)))
    }

    /// Checks and writes one transaction under the group's lock. The inner error is a
    /// rule violation: nothing was written, and the caller still commits (to remember
    /// the outcome with its idempotency key).
    pub(in crate::store) async fn apply_posting(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        posting: Posting<'_>,
    ) -> Result<Result<Transaction, LedgerError>, TxError> {
        let (transaction, totals) = match Self::prepare_posting(group, posting)? {
            Ok(prepared) => prepared,
            Err(e) => return Ok(Err(e)),
        };
        let totals: Vec<(Uuid, Uuid, i64, i64)> = totals
            .into_iter()
            .map(|(account, debits, credits)| (group.id, account, debits, credits))
            .collect();
        let rows = crate::store::shared::PostingRows {
            transactions: &[&transaction],
            totals: &totals,
            heads: &[(group.id, group.head_sequence, &group.head_hash)],
            remembered: &[],
            audits: &[],
            audit_heads: &[],
            events: &[],
            member_events: &[],
        };
        Self::write_rows(tx, &rows).await?;
        Ok(Ok(transaction))
    }

    /// Checks and writes a client's transaction (a gathering of one, see
    /// `post_many_in_tx`). Its audit record is written after the request, by the audit layer.
    pub(in crate::store) async fn post_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        request: &NewTransaction,
        idempotency: &Option<Idempotency<'_, Transaction>>,
    ) -> Result<Result<Written<Transaction>, LedgerError>, TxError> {
        let write = PostingWrite {
            group_id,
            request,
            idempotency: idempotency.as_ref().map(|i| Idempotency {
                key: i.key,
                request_hash: i.request_hash,
                render: i.render.clone(),
            }),
            reply: None,
            audit: None,
        };
        let mut outcomes = Self::post_many_in_tx(tx, std::slice::from_ref(&write)).await?;
        outcomes
            .pop()
            .map(|(outcome, _)| outcome)
            .ok_or_else(|| internal("the outcome of a posting"))
    }

    /// What judging `writes` needs (see `PostingFacts`).
    async fn posting_facts(
        tx: &mut Tx<B::Db>,
        writes: &[PostingWrite<'_>],
    ) -> Result<PostingFacts, TxError> {
        let mut group_ids: Vec<Uuid> = writes.iter().map(|w| w.group_id).collect();
        group_ids.sort_unstable();
        group_ids.dedup();
        let groups = Self::lock_groups(tx, &group_ids).await?;
        let keys: Vec<(String, &str)> = writes
            .iter()
            .filter_map(|w| {
                w.idempotency
                    .as_ref()
                    .map(|i| (w.group_id.to_string(), i.key))
            })
            .collect();
        let stored = Self::stored_responses(tx, &keys).await?;
        let mut accounts: HashMap<Uuid, Vec<Account>> =
            groups.keys().map(|g| (*g, Vec::new())).collect();
        let found: Vec<Uuid> = groups.keys().copied().collect();
        if !found.is_empty() {
            let mut refs: Vec<&AccountRef> = Vec::new();
            for w in writes {
                refs.extend(w.request.entries.iter().map(|e| &e.account));
            }
            for account in Self::accounts_named(tx, &found, refs.into_iter()).await? {
                if let Some(of_group) = accounts.get_mut(&account.group_id) {
                    of_group.push(account);
                }
            }
        }
        Ok(PostingFacts {
            groups,
            stored,
            accounts,
        })
    }

    /// Postings that arrived together, each judged as it would be alone and in the order
    /// they arrived (a posting sees the totals the ones before it left), written with a few
    /// statements for all of them. A refused posting leaves no trace but its stored outcome,
    /// and never fails the others. Each outcome says too whether the write's audit record
    /// was written with it.
    pub(in crate::store) async fn post_many_in_tx(
        tx: &mut Tx<B::Db>,
        writes: &[PostingWrite<'_>],
    ) -> Result<Vec<(Result<Written<Transaction>, LedgerError>, bool)>, TxError> {
        let mut facts = Self::posting_facts(tx, writes).await?;
        let mut outcomes = Vec::with_capacity(writes.len());
        let mut remembered = Remembered::default();
        let mut totals: HashMap<Uuid, (Uuid, i64, i64)> = HashMap::new();
        for w in writes {
            outcomes.push(Self::judge_posting(
                &mut facts,
                &mut remembered,
                &mut totals,
                w,
            )?);
        }
        let written: Vec<&Transaction> = outcomes
            .iter()
            .filter_map(|o| match o {
                (Ok(Written::Created(t)), _) => Some(t),
                _ => None,
            })
            .collect();
        let totals: Vec<(Uuid, Uuid, i64, i64)> = totals
            .into_iter()
            .map(|(account, (group, debits, credits))| (group, account, debits, credits))
            .collect();
        let heads: Vec<(Uuid, i64, &str)> = facts
            .groups
            .values()
            .filter(|g| written.iter().any(|t| t.group_id == g.id))
            .map(|g| (g.id, g.head_sequence, g.head_hash.as_str()))
            .collect();
        let rows = PostingRows {
            transactions: &written,
            totals: &totals,
            heads: &heads,
            remembered: &remembered.keys,
            audits: &remembered.audits,
            audit_heads: &[],
            events: &[],
            member_events: &[],
        };
        Self::write_rows(tx, &rows).await?;
        Ok(outcomes)
    }

    /// One posting of a gathering, judged against the facts as the postings before it left
    /// them; accepted, the group's head, its accounts' totals in `facts` and the new totals
    /// to write (`totals`, by account) move on.
    fn judge_posting(
        facts: &mut PostingFacts,
        remembered: &mut Remembered,
        totals: &mut HashMap<Uuid, (Uuid, i64, i64)>,
        w: &PostingWrite<'_>,
    ) -> Result<(Result<Written<Transaction>, LedgerError>, bool), TxError> {
        if w.reply.is_some_and(|r| r.is_closed()) {
            // The caller is gone (it hung up, or its request ran out of time) before its
            // posting was judged: as a write cancelled before it began, it is not written.
            let cancelled = LedgerError::Unavailable("the request was cancelled".into());
            return Ok((Err(cancelled), false));
        }
        let Some(group) = facts.groups.get_mut(&w.group_id) else {
            return Ok((Err(LedgerError::NotFound("group")), false));
        };
        let scope = w.group_id.to_string();
        if let Some(replayed) = replay(&facts.stored, &scope, &w.idempotency) {
            return Ok((replayed, false));
        }
        let named = facts
            .accounts
            .get_mut(&w.group_id)
            .ok_or_else(|| internal("accounts of a locked group"))?;
        let outcome = prepare::prepare_request(group, named, w.request, recorded_now())
            .map_err(|e| internal(e.0))?
            .map(
                |Prepared {
                     transaction,
                     totals: new_totals,
                 }| {
                    for (account_id, debits, credits) in new_totals {
                        totals.insert(account_id, (w.group_id, debits, credits));
                    }
                    transaction
                },
            );
        let created = outcome.as_ref().map(|t| vec![t.id]).unwrap_or_default();
        let audited = remembered.keep(
            &mut facts.stored,
            scope,
            &w.idempotency,
            w.audit,
            outcome.as_ref(),
            created,
        );
        Ok((outcome.map(Written::Created), audited))
    }

    /// Writes postings that arrived together as one step of a group commit. If that
    /// step fails for a reason other than the database being unavailable, each is
    /// written again on its own, so that whatever failed fails alone. A posting whose
    /// audit record committed with it is answered as audited. The answer is each
    /// posting's outcome, or the database's unavailability, which is every posting's.
    pub(in crate::store) async fn post_gathered(
        &self,
        queued: &[crate::store::shared::QueuedPosting],
    ) -> StoreResult<Vec<crate::store::Audited<Transaction>>> {
        let writes: Vec<PostingWrite<'_>> = queued
            .iter()
            .map(|q| PostingWrite {
                group_id: q.group_id,
                request: &q.request,
                idempotency: q.idempotency.as_ref().map(OwnedIdempotency::borrowed),
                reply: Some(&q.reply),
                audit: q.request.audit.as_ref(),
            })
            .collect();
        let written = match write_tx!(self, |tx| Self::post_many_in_tx(&mut tx, &writes)
            .await
            .map(Ok))
        {
            Ok(outcomes) => {
                self.commits.count_gathered(queued.len() as u64 - 1);
                outcomes
            }
            Err(e @ LedgerError::Unavailable(_)) => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "postings written together failed; writing each alone");
                let mut outcomes = Vec::with_capacity(queued.len());
                for q in queued {
                    // The audit layer then writes its audit record.
                    let idempotency = q.idempotency.as_ref().map(OwnedIdempotency::borrowed);
                    outcomes.push((
                        write_tx!(self, |tx| Self::post_in_tx(
                            &mut tx,
                            q.group_id,
                            &q.request,
                            &idempotency
                        )
                        .await),
                        false,
                    ));
                }
                outcomes
            }
        };
        Ok(crate::store::tx::audited(written))
    }

    /// Writes the postings waiting in the queue until none waits.
    pub(in crate::store) async fn drain_postings(self) {
        while let Some(queued) = self.postings.next() {
            let written = self.post_gathered(&queued).await;
            Self::answer(&self.postings, queued, written);
        }
    }

    pub(in crate::store) async fn reverse_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        transaction_id: Uuid,
        request: &NewReversal,
        idempotency: &Option<Idempotency<'_, Transaction>>,
    ) -> Result<Result<Written<Transaction>, LedgerError>, TxError> {
        let mut group = Self::lock_group(tx, group_id).await?;
        let scope = group_id.to_string();
        if let Some(replay) = Self::claimed_response(tx, &scope, idempotency).await? {
            return Ok(Ok(Written::Replayed(replay)));
        }
        let outcome = Self::reversal_outcome(tx, &mut group, transaction_id, request).await?;
        Self::finish(tx, &scope, idempotency, outcome).await
    }

    /// Reverses `transaction_id` in the locked `group`: refused when the group is closed, the
    /// transaction was reversed already or is itself a reversal, or it sent or settled a
    /// remittance since settled.
    pub(in crate::store) async fn reversal_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        transaction_id: Uuid,
        request: &NewReversal,
    ) -> Result<Result<Transaction, LedgerError>, TxError> {
        let group_id = group.id;
        let original = Self::load_transaction(tx, group_id, transaction_id).await?;
        let refusal = match reversal_refused(group, &original) {
            Some(refusal) => Some(refusal),
            None => Self::settled_remittance_refusal(tx, group_id, &original).await?,
        };
        if let Some(refusal) = refusal {
            return Ok(Err(refusal));
        }
        let (accounts, lines) = Self::original_lines(tx, group_id, &original).await?;
        let lines = posting::mirror(&lines);
        let description = request.description.clone().unwrap_or_else(|| {
            format!(
                "Reversal of #{}: {}",
                original.sequence, original.description
            )
        });
        let metadata = serde_json::json!({});
        let booked_on = request.booked_on.unwrap_or_else(|| {
            crate::domain::model::reversal_date(original.booked_on, group.closed_through)
        });
        let posting = Posting {
            booked_on,
            description: &description,
            metadata: &metadata,
            lines: &lines,
            accounts: &accounts,
            reverses: Some(original.id),
            created_by: request.created_by,
        };
        Self::apply_posting(tx, group, posting).await
    }

    /// Refuses reversing the sending or the settlement (completion or failure) of a remittance
    /// sent in transit and since settled: its status would no longer say where its money is.
    /// A wrong figure is corrected by a transaction of its own.
    async fn settled_remittance_refusal(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        original: &Transaction,
    ) -> Result<Option<LedgerError>, TxError> {
        let settled: Option<(Uuid, String)> = sqlx::query_as(
            "SELECT s.remittance_id, s.outcome FROM remittance_settlements s \
             WHERE s.group_id = $1 AND (s.transaction_id = $2 OR s.remittance_id IN \
             (SELECT x.id FROM remittances x WHERE x.group_id = $1 AND x.transaction_id = $2))",
        )
        .bind(group_id)
        .bind(original.id)
        .fetch_optional(&mut **tx)
        .await?;
        Ok(settled.map(|(remittance, outcome)| {
            LedgerError::conflict(
                Conflict::RemittanceSettled,
                format!(
                    "transaction {} belongs to remittance {remittance}, {outcome} since; \
                     its sending and settlement stay as recorded: post a correcting transaction instead",
                    original.id
                ),
            )
        }))
    }

    /// A transaction's entries as posting lines, with the accounts they name (each once).
    async fn original_lines(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        original: &Transaction,
    ) -> Result<(Vec<AccountState>, Vec<Line>), TxError> {
        let mut accounts: Vec<AccountState> = Vec::new();
        let mut lines = Vec::with_capacity(original.entries.len());
        for entry in &original.entries {
            let account = Self::find_account(tx, group_id, &AccountRef::Id(entry.account_id))
                .await?
                .ok_or_else(|| internal("an entry's account is missing"))?;
            let index = match accounts.iter().position(|a| a.id == account.id) {
                Some(index) => index,
                None => {
                    accounts.push(AccountState::of(&account));
                    accounts.len() - 1
                }
            };
            lines.push(Line {
                account: index,
                direction: entry.direction,
                amount_minor: entry.amount_minor,
            });
        }
        Ok((accounts, lines))
    }
}

/// Why `original` cannot be reversed, if it cannot: the group is closed, it was reversed
/// already, or it is itself a reversal.
fn reversal_refused(group: &Group, original: &Transaction) -> Option<LedgerError> {
    if let Err(closed) = group.refuse_if_closed() {
        Some(closed)
    } else if let Some(by) = original.reversed_by {
        Some(LedgerError::conflict(
            Conflict::AlreadyReversed,
            format!("transaction {} was already reversed by {by}", original.id),
        ))
    } else {
        original.reverses.map(|of| {
            LedgerError::conflict(
                Conflict::IsReversal,
                format!(
                    "transaction {} reverses {of}; post the original again instead of reversing a reversal",
                    original.id
                ),
            )
        })
    }
}
