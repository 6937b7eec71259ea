//! Contributions and withdrawals: the store loads the facts a gathering of them needs,
//! `domain::member_event` judges each, and the store writes what was decided. A write alone
//! is a gathering of one.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::error::LedgerError;
use crate::domain::member::{Fund, Member, MemberEvent, NewMemberEvent};
use crate::domain::model::*;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::shared::*;
use crate::store::tx::{Column, write_tx};
use crate::store::{Idempotency, StoreResult, Written};

use crate::domain::member_event::{self, JudgedEvent, KnownAccounts};
use crate::store::ledger::{Remembered, StoredByKey, replay};

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
    /// Checks a contribution or withdrawal and writes it with its balanced transaction
    /// (a gathering of one, see `member_events_in_tx`).
    pub(in crate::store) async fn member_event_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        request: &NewMemberEvent,
        idempotency: &Option<Idempotency<'_, MemberEvent>>,
    ) -> Result<Result<Written<MemberEvent>, LedgerError>, TxError> {
        let write = crate::store::shared::MemberEventWrite {
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
        let mut outcomes = Self::member_events_in_tx(tx, std::slice::from_ref(&write)).await?;
        outcomes
            .pop()
            .map(|(outcome, _)| outcome)
            .ok_or_else(|| internal("the outcome of a member event"))
    }

    /// What judging `writes` needs, read once for the gathering (see `MemberEventFacts`).
    async fn member_event_facts(
        tx: &mut Tx<B::Db>,
        writes: &[MemberEventWrite<'_>],
    ) -> Result<MemberEventFacts, TxError> {
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
        let found: Vec<Uuid> = groups.keys().copied().collect();
        let mut facts = MemberEventFacts {
            known: found.iter().map(|g| (*g, Vec::new())).collect(),
            groups,
            stored,
            members: HashMap::new(),
        };
        if found.is_empty() {
            return Ok(facts);
        }
        let mut member_ids: Vec<Uuid> = writes
            .iter()
            .filter(|w| facts.groups.contains_key(&w.group_id))
            .map(|w| w.request.member_id)
            .collect();
        member_ids.sort_unstable();
        member_ids.dedup();
        let members = Self::members_of(tx, &found, &member_ids).await?;
        // The members' accounts and those the writes name, read together, each named once.
        let mut named = HashSet::new();
        let refs: Vec<AccountRef> = members
            .iter()
            .flat_map(|m| {
                [
                    AccountRef::Id(m.savings_account_id),
                    AccountRef::Id(m.capital_account_id),
                ]
            })
            .chain(
                writes
                    .iter()
                    .filter_map(|w| Some((w, facts.groups.get(&w.group_id)?)))
                    .flat_map(|(w, group)| event_account_codes(w.request, group)),
            )
            .filter(|r| named.insert(r.clone()))
            .collect();
        let mut accounts = Vec::new();
        for chunk in refs.chunks(ROWS_PER_STATEMENT) {
            accounts.extend(Self::accounts_named(tx, &found, chunk.iter()).await?);
        }
        let read: HashSet<Uuid> = accounts.iter().map(|a| a.id).collect();
        if members
            .iter()
            .any(|m| !read.contains(&m.savings_account_id) || !read.contains(&m.capital_account_id))
        {
            return Err(internal("a member's savings or capital account is missing"));
        }
        for account in accounts {
            if let Some(of_group) = facts.known.get_mut(&account.group_id)
                && !of_group.iter().any(|(a, _)| a.id == account.id)
            {
                of_group.push((account, false));
            }
        }
        facts.members.extend(members.into_iter().map(|m| (m.id, m)));
        Ok(facts)
    }

    /// The members `member_ids` of the groups `group_ids` (without their accounts, which
    /// `member_event_facts` reads with the others it needs).
    async fn members_of(
        tx: &mut Tx<B::Db>,
        group_ids: &[Uuid],
        member_ids: &[Uuid],
    ) -> Result<Vec<Member>, TxError> {
        let mut members = Vec::new();
        for chunk in member_ids.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "SELECT * FROM members WHERE group_id IN ({}) AND id IN ({})",
                parameters(1, group_ids.len()),
                parameters(1 + group_ids.len(), chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for group_id in group_ids {
                query = query.bind(*group_id);
            }
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&mut **tx).await? {
                members.push(Self::member_from_row(&row)?);
            }
        }
        Ok(members)
    }

    /// Contributions and withdrawals that arrived together, each judged as it would be
    /// alone and in the order they arrived (each sees the totals the ones before it
    /// left), written with a few statements for all of them. What a write needs is read
    /// once for the gathering (`member_event_facts`). An account a write needs that the
    /// group has not opened is opened only if that write is accepted: a refused write
    /// leaves nothing behind but its stored outcome, and never fails the others. Each
    /// outcome says too whether the write's audit record was written with it.
    pub(in crate::store) async fn member_events_in_tx(
        tx: &mut Tx<B::Db>,
        writes: &[MemberEventWrite<'_>],
    ) -> Result<Vec<(Result<Written<MemberEvent>, LedgerError>, bool)>, TxError> {
        let mut facts = Self::member_event_facts(tx, writes).await?;
        let mut outcomes = Vec::with_capacity(writes.len());
        let mut decided = Decided::default();
        for w in writes {
            outcomes.push(judge_one(&mut facts, &mut decided, w)?);
        }
        let known: Vec<(Account, bool)> = facts.known.into_values().flatten().collect();
        let groups: Vec<&Group> = facts.groups.values().collect();
        let written: Vec<&Transaction> = decided.transactions.iter().collect();
        let totals: Vec<(Uuid, Uuid, i64, i64)> = decided
            .totals
            .into_iter()
            .map(|(account, (group, debits, credits))| (group, account, debits, credits))
            .collect();
        let rows = crate::store::shared::PostingRows {
            transactions: &written,
            totals: &totals,
            heads: &[],
            remembered: &decided.remembered.keys,
            audits: &decided.remembered.audits,
            audit_heads: &[],
            events: &[],
            member_events: &[],
        };
        Self::write_member_events(tx, &known, &groups, &rows, &decided.events).await?;
        Ok(outcomes)
    }

    /// Checks one contribution or withdrawal against the locked `group` and writes it with
    /// its balanced transaction, as a meeting does for each of its events.
    pub(in crate::store) async fn member_event_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        request: &NewMemberEvent,
    ) -> Result<Result<MemberEvent, LedgerError>, TxError> {
        let (JudgedEvent { event, prepared }, known) =
            match Self::judge_member_event(tx, group, request).await? {
                Ok(judged) => judged,
                Err(refused) => return Ok(Err(refused)),
            };
        let totals: Vec<(Uuid, Uuid, i64, i64)> = prepared
            .totals
            .into_iter()
            .map(|(account, debits, credits)| (group.id, account, debits, credits))
            .collect();
        let events = [event];
        let rows = crate::store::shared::PostingRows {
            transactions: &[&prepared.transaction],
            totals: &totals,
            heads: &[],
            remembered: &[],
            audits: &[],
            audit_heads: &[],
            events: &[],
            member_events: &[],
        };
        Self::write_member_events(tx, &known, &[group], &rows, &events).await?;
        let [event] = events;
        Ok(Ok(event))
    }

    /// Loads what one contribution or withdrawal is judged on and judges it against the locked
    /// `group` (`member_event::judge`, which moves the group's head on): the event, its
    /// transaction, and the accounts it names (those to open so marked). Writes nothing.
    pub(in crate::store) async fn judge_member_event(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        request: &NewMemberEvent,
    ) -> Result<Result<(JudgedEvent, Vec<(Account, bool)>), LedgerError>, TxError> {
        let record = Self::load_member(tx, group.id, request.member_id).await?;
        let codes = event_account_codes(request, group);
        let named = Self::accounts_named(tx, &[group.id], codes.iter()).await?;
        let mut known: Vec<(Account, bool)> = record
            .iter()
            .flat_map(|r| [r.savings.clone(), r.capital.clone()])
            .chain(named)
            .map(|a| (a, false))
            .collect();
        let member = record.as_ref().map(|r| &r.member);
        let judged = member_event::judge(group, request, member, &mut known, recorded_now())
            .map_err(|e| internal(e.0))?;
        Ok(judged.map(|judged| (judged, known)))
    }

    /// Writes what judging member events decided: the accounts to open (those of
    /// `known` so marked), the postings' rows (`rows`, whose heads are those of the
    /// `groups` the postings moved on), and the events.
    pub(in crate::store) async fn write_member_events(
        tx: &mut Tx<B::Db>,
        known: &[(Account, bool)],
        groups: &[&Group],
        rows: &crate::store::shared::PostingRows<'_>,
        events: &[MemberEvent],
    ) -> Result<(), TxError> {
        for (account, _) in known.iter().filter(|(_, to_open)| *to_open) {
            Self::insert_account_row(tx, account).await?;
        }
        let heads: Vec<(Uuid, i64, &str)> = groups
            .iter()
            .filter(|g| rows.transactions.iter().any(|t| t.group_id == g.id))
            .map(|g| (g.id, g.head_sequence, g.head_hash.as_str()))
            .collect();
        Self::write_rows(
            tx,
            &crate::store::shared::PostingRows {
                heads: &heads,
                member_events: events,
                ..*rows
            },
        )
        .await
    }

    /// The rows of member events, in a statement per `ROWS_PER_STATEMENT` of them (SQLite's
    /// `write_postings`; PostgreSQL writes them in its statement of the postings' rows).
    pub(in crate::store) async fn insert_member_events(
        tx: &mut Tx<B::Db>,
        events: &[MemberEvent],
    ) -> Result<(), TxError> {
        const COLUMNS: usize = 13;
        for chunk in events.chunks(crate::store::shared::ROWS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|n| {
                    format!(
                        "({})",
                        crate::store::shared::parameters(1 + n * COLUMNS, COLUMNS)
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO member_events (id, group_id, member_id, kind, amount_minor, currency, fund, channel, \
                 booked_on, receipt_no, transaction_id, created_by, created_at) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for event in chunk {
                query = query
                    .bind(event.id)
                    .bind(event.group_id)
                    .bind(event.member_id)
                    .bind(event.kind.as_str())
                    .bind(event.amount_minor)
                    .bind(event.currency.code())
                    .bind(event.fund.as_str())
                    .bind(event.channel.as_str())
                    .bind(event.booked_on)
                    .bind(event.receipt_no.clone())
                    .bind(event.transaction_id)
                    .bind(event.created_by)
                    .bind(event.created_at);
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Writes member events that arrived together as one step of a group commit (see
    /// `post_gathered`).
    pub(in crate::store) async fn member_events_gathered(
        &self,
        queued: &[crate::store::shared::QueuedMemberEvent],
    ) -> StoreResult<Vec<crate::store::Audited<MemberEvent>>> {
        let writes: Vec<crate::store::shared::MemberEventWrite<'_>> = queued
            .iter()
            .map(|q| crate::store::shared::MemberEventWrite {
                group_id: q.group_id,
                request: &q.request,
                idempotency: q
                    .idempotency
                    .as_ref()
                    .map(crate::store::shared::OwnedIdempotency::borrowed),
                reply: Some(&q.reply),
                audit: q.request.audit.as_ref(),
            })
            .collect();
        let written = match write_tx!(self, |tx| Self::member_events_in_tx(&mut tx, &writes)
            .await
            .map(Ok))
        {
            Ok(outcomes) => {
                self.commits.count_gathered(queued.len() as u64 - 1);
                outcomes
            }
            Err(e @ LedgerError::Unavailable(_)) => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "member events written together failed; writing each alone");
                let mut outcomes = Vec::with_capacity(queued.len());
                for q in queued {
                    // The audit layer then writes its audit record.
                    let idempotency = q.idempotency.as_ref().map(OwnedIdempotency::borrowed);
                    outcomes.push((
                        write_tx!(self, |tx| Self::member_event_in_tx(
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

    /// Writes the member events waiting in the queue until none waits.
    pub(in crate::store) async fn drain_member_events(self) {
        while let Some(queued) = self.member_events.next() {
            let written = self.member_events_gathered(&queued).await;
            Self::answer(&self.member_events, queued, written);
        }
    }
}

/// What judging a gathering of contributions and withdrawals needs, read once for all of
/// them: the groups (locked), the outcomes stored with their keys, by group the accounts read
/// or planned (each marked whether it is yet to be opened), and the members by id.
struct MemberEventFacts {
    groups: HashMap<Uuid, Group>,
    stored: StoredByKey,
    known: HashMap<Uuid, KnownAccounts>,
    members: HashMap<Uuid, Member>,
}

/// What the judging of a gathering decided to write.
#[derive(Default)]
struct Decided {
    transactions: Vec<Transaction>,
    events: Vec<MemberEvent>,
    /// The accounts' new totals: by account, its group, debits and credits.
    totals: HashMap<Uuid, (Uuid, i64, i64)>,
    remembered: Remembered,
}

/// The codes of the accounts an event names besides the member's own: its channel's, and
/// the social fund's if it is the fund.
fn event_account_codes(request: &NewMemberEvent, group: &Group) -> Vec<AccountRef> {
    let currency = request.currency.unwrap_or(group.currency);
    let mut codes = vec![AccountRef::Code(request.channel.asset_code(currency))];
    if request.fund == Fund::SocialFund {
        codes.push(AccountRef::Code(crate::domain::member::social_fund_code(
            currency,
        )));
    }
    codes
}

/// One write of a gathering, judged (`domain::member_event::judge`) against the facts as the
/// writes before it left them; accepted, what it writes joins `decided`.
fn judge_one(
    facts: &mut MemberEventFacts,
    decided: &mut Decided,
    w: &MemberEventWrite<'_>,
) -> Result<(Result<Written<MemberEvent>, LedgerError>, bool), TxError> {
    if w.reply.is_some_and(|r| r.is_closed()) {
        // As a write cancelled before it began, it is not written.
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
    let known = facts
        .known
        .get_mut(&w.group_id)
        .ok_or_else(|| internal("accounts of a locked group"))?;
    let member = facts
        .members
        .get(&w.request.member_id)
        .filter(|m| m.group_id == w.group_id);
    let judged = match group.refuse_if_closed() {
        Err(closed) => Err(closed),
        Ok(()) => member_event::judge(group, w.request, member, known, recorded_now())
            .map_err(|e| internal(e.0))?,
    };
    let outcome = judged.map(|JudgedEvent { event, prepared }| {
        for (account_id, debits, credits) in prepared.totals {
            if let Some((a, _)) = known.iter_mut().find(|(a, _)| a.id == account_id) {
                a.debits_minor = debits;
                a.credits_minor = credits;
            }
            decided
                .totals
                .insert(account_id, (w.group_id, debits, credits));
        }
        decided.transactions.push(prepared.transaction);
        decided.events.push(event.clone());
        event
    });
    let created = outcome.as_ref().map(|e| vec![e.id]).unwrap_or_default();
    let audited = decided.remembered.keep(
        &mut facts.stored,
        scope,
        &w.idempotency,
        w.audit,
        outcome.as_ref(),
        created,
    );
    Ok((outcome.map(Written::Created), audited))
}
