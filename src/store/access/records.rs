//! The access-control store's records (audit events and sessions as rows), and the steps its
//! methods share: writing queued audit events, keeping an admin, counting sign-in failures,
//! ending a user's sessions, loading users with their grants.

use super::super::ledger::WriteScript;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use std::collections::BTreeMap;

use uuid::Uuid;

use crate::domain::audit_chain::{ChainCheck, Head, Verification};

use super::super::backend::{Backend, DbRow, Ledger, Tx};
use super::super::shared::*;
use super::super::tx::{Column, write_tx};
use crate::domain::error::{Conflict, LedgerError};
use crate::store::StoreResult;

use crate::domain::access::{
    AuditEvent, AuditLink, FailureCounter, Grant, NewGrant, Role, Session, SignInAttempt, User,
};

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
    pub(in crate::store) fn audit_from_row(row: &DbRow<B>) -> Result<AuditEvent, TxError> {
        let created: String = row.try_get("created_ids")?;
        let status: i32 = row.try_get("status")?;
        Ok(AuditEvent {
            id: row.try_get("id")?,
            occurred_at: row.try_get("occurred_at")?,
            user_id: row.try_get("user_id")?,
            username: row.try_get("username")?,
            group_id: row.try_get("group_id")?,
            method: row.try_get("method")?,
            route: row.try_get("route")?,
            path: row.try_get("path")?,
            status: u16::try_from(status).map_err(internal)?,
            idempotency_key: row.try_get("idempotency_key")?,
            request_id: row.try_get("request_id")?,
            created_ids: serde_json::from_str(&created).map_err(internal)?,
            client_addr: row.try_get("client_addr")?,
            link: Self::audit_link_from_row(row)?,
        })
    }

    fn audit_link_from_row(row: &DbRow<B>) -> Result<Option<AuditLink>, TxError> {
        let chain: Option<String> = row.try_get("chain")?;
        let sequence: Option<i64> = row.try_get("chain_sequence")?;
        let previous_hash: Option<String> = row.try_get("previous_hash")?;
        let hash: Option<String> = row.try_get("hash")?;
        // A record with part of a place is shown with what it has, for the check to refuse.
        Ok(match (chain, sequence, previous_hash, hash) {
            (None, None, None, None) => None,
            (chain, sequence, previous_hash, hash) => Some(AuditLink {
                chain: chain.unwrap_or_default(),
                sequence: sequence.unwrap_or_default(),
                previous_hash: previous_hash.unwrap_or_default(),
                hash: hash.unwrap_or_default(),
            }),
        })
    }

    /// Recomputes every audit chain inside the transaction's snapshot (`audit_chain`): the
    /// records in their chains a page at a time, then the chains' heads and the records that
    /// lie outside any chain.
    pub(in crate::store) async fn verify_audit_in_tx(
        tx: &mut Tx<B::Db>,
    ) -> Result<Verification, TxError> {
        const PAGE: i64 = 1000;
        let mut check = ChainCheck::default();
        let mut after = (String::new(), 0i64);
        let failed = 'pages: loop {
            let rows = sqlx::query(
                "SELECT * FROM audit_events WHERE chain IS NOT NULL AND chain_sequence IS NOT NULL \
                 AND previous_hash IS NOT NULL AND hash IS NOT NULL \
                 AND (chain > $1 OR (chain = $1 AND chain_sequence > $2)) \
                 ORDER BY chain, chain_sequence LIMIT $3",
            )
            .bind(after.0.as_str())
            .bind(after.1)
            .bind(PAGE)
            .fetch_all(&mut **tx)
            .await?;
            for row in &rows {
                let event = Self::audit_from_row(row)?;
                if let Err(failure) = check.feed(&event) {
                    break 'pages Some(failure);
                }
                if let Some(link) = event.link {
                    after = (link.chain, link.sequence);
                }
            }
            if (rows.len() as i64) < PAGE {
                break None;
            }
        };
        let heads: BTreeMap<String, Head> =
            sqlx::query("SELECT chain, sequence, hash FROM audit_heads")
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(|r| {
                    let head = Head {
                        sequence: r.try_get("sequence")?,
                        hash: r.try_get("hash")?,
                    };
                    Ok((r.try_get("chain")?, head))
                })
                .collect::<Result<_, TxError>>()?;
        let before: Option<String> = sqlx::query_scalar(
            "SELECT value FROM service_settings WHERE name = 'audit_records_before_chain'",
        )
        .fetch_optional(&mut **tx)
        .await?;
        let before = before.and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let records_checked = check.records_checked;
        let failure = match failed {
            Some(failure) => Some(failure),
            None => {
                let outside = Self::unchained_audits(tx).await?;
                check
                    .finish(&heads, (outside.0, outside.1.as_ref()), before)
                    .err()
            }
        };
        Ok(Verification {
            records_checked,
            heads,
            records_before_chains: before,
            failure,
        })
    }

    /// How many audit records have no whole place in a chain, and the newest of them.
    async fn unchained_audits(tx: &mut Tx<B::Db>) -> Result<(u64, Option<AuditEvent>), TxError> {
        const OUTSIDE: &str = "chain IS NULL OR chain_sequence IS NULL OR previous_hash IS NULL \
                               OR hash IS NULL";
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM audit_events WHERE {OUTSIDE}"
        )))
        .fetch_one(&mut **tx)
        .await?;
        let newest = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM audit_events WHERE {OUTSIDE} ORDER BY occurred_at DESC, id DESC LIMIT 1"
        )))
        .fetch_optional(&mut **tx)
        .await?;
        let newest = newest.as_ref().map(Self::audit_from_row).transpose()?;
        Ok((u64::try_from(count).map_err(internal)?, newest))
    }

    pub(in crate::store) fn session_from_row(row: &DbRow<B>) -> Result<Session, TxError> {
        Ok(Session {
            token_hash: row.try_get("token_hash")?,
            user_id: row.try_get("user_id")?,
            token_version: row.try_get("token_version")?,
            csrf_token: row.try_get("csrf_token")?,
            created_at: row.try_get("created_at")?,
            last_seen_at: row.try_get("last_seen_at")?,
            expires_at: row.try_get("expires_at")?,
        })
    }

    /// Writes audit events at the ends of their chains (`WriteScript`: one round trip as a
    /// rule on PostgreSQL) after reading the chains' heads.
    pub(in crate::store) async fn insert_audits(
        tx: &mut Tx<B::Db>,
        events: &[&AuditEvent],
    ) -> Result<(), TxError> {
        let events: Vec<AuditEvent> = events.iter().map(|e| (*e).clone()).collect();
        let (events, heads) = Self::chain_audits(tx, events).await?;
        let mut script = WriteScript::<B>::new();
        script.audit_events(tx, &events).await?;
        script.audit_heads(tx, &heads).await?;
        script.send(tx).await
    }

    /// Writes the rows of postings (`B::write_postings`), their audit records given their
    /// places at the ends of their chains, and their events.
    pub(in crate::store) async fn write_rows(
        tx: &mut Tx<B::Db>,
        rows: &PostingRows<'_>,
    ) -> Result<(), TxError> {
        Self::reopen_closings(tx, rows.transactions).await?;
        // Each posting is an event for other systems, committed with it (the outbox).
        let events: Vec<_> = rows
            .transactions
            .iter()
            .map(|t| {
                let event = crate::domain::events::of_transaction(t);
                (t.group_id, event, t.recorded_at)
            })
            .collect();
        let rows = PostingRows {
            events: &events,
            ..*rows
        };
        if rows.audits.is_empty() {
            B::write_postings(tx, &rows).await
        } else {
            let (audits, heads) = Self::chain_audits(tx, rows.audits.to_vec()).await?;
            let rows = PostingRows {
                audits: &audits,
                audit_heads: &heads,
                ..rows
            };
            B::write_postings(tx, &rows).await
        }
    }

    /// Gives `events` their places at the ends of their chains (`audit_chain::append`), and
    /// answers the chains' new heads (chain, sequence, hash) to write with them. Each chain's
    /// head is read under a lock held to the commit, taken in the order of the chains' names,
    /// so writers appending to one chain take turns and two writers never wait on each other
    /// in a circle. A chain not yet begun gets its head here.
    pub(in crate::store) async fn chain_audits(
        tx: &mut Tx<B::Db>,
        mut events: Vec<AuditEvent>,
    ) -> Result<(Vec<AuditEvent>, Vec<(String, i64, String)>), TxError> {
        use crate::domain::audit_chain::{Head, append, chain_of};
        let chains: Vec<String> = events
            .iter()
            .map(chain_of)
            .collect::<std::collections::BTreeSet<String>>()
            .into_iter()
            .collect();
        let mut heads = std::collections::BTreeMap::new();
        // One statement for every `ROWS_PER_STATEMENT` chains; its rows are taken in the
        // order of the chains' names.
        for chunk in chains.chunks(crate::store::shared::ROWS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|n| format!("(${}, 0, $1)", n + 2))
                .collect();
            let sql = format!(
                "INSERT INTO audit_heads (chain, sequence, hash) VALUES {} \
                 ON CONFLICT (chain) DO UPDATE SET sequence = audit_heads.sequence \
                 RETURNING chain, sequence, hash",
                values.join(", ")
            );
            let mut query =
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(crate::domain::hash::GENESIS_HASH);
            for chain in chunk {
                query = query.bind(chain.as_str());
            }
            for row in query.fetch_all(&mut **tx).await? {
                let head = Head {
                    sequence: row.try_get("sequence")?,
                    hash: row.try_get("hash")?,
                };
                heads.insert(row.try_get::<String, _>("chain")?, head);
            }
        }
        if heads.len() != chains.len() {
            return Err(internal("an audit chain's head was not read"));
        }
        append(&mut heads, &mut events)
            .ok_or_else(|| internal("an audit chain's head is not a SHA-256 hash"))?;
        let heads = heads
            .into_iter()
            .map(|(chain, head)| (chain, head.sequence, head.hash))
            .collect();
        Ok((events, heads))
    }

    /// Writes the audit events waiting in the queue, all that waited together in one
    /// step of a group commit, until none waits.
    pub(in crate::store) async fn drain_audits(self) {
        while let Some(queued) = self.audits.next() {
            let events: Vec<&AuditEvent> = queued.iter().map(|q| &q.event).collect();
            let written: StoreResult<()> =
                write_tx!(self, |tx| Self::insert_audits(&mut tx, &events)
                    .await
                    .map(Ok));
            if written.is_ok() {
                self.commits.count_gathered(queued.len() as u64 - 1);
            }
            let answered = match &written {
                Ok(()) => queued,
                Err(e) => self.audits.answered_by(queued, e),
            };
            for q in answered {
                let _ = q.reply.send(written.clone());
            }
        }
    }

    /// Refuses a change that would leave no enabled user with an admin grant. `grant`
    /// is the admin grant being removed, or `user` the user being disabled.
    pub(in crate::store) async fn keep_an_admin(
        tx: &mut Tx<B::Db>,
        grant: Option<Uuid>,
        user: Option<Uuid>,
    ) -> Result<(), TxError> {
        // Serialise changes to who administers the service, so two of them running at once
        // cannot each leave the other as the last administrator and then remove it.
        sqlx::query(B::LOCK_ADMIN_GRANTS_SQL)
            .fetch_all(&mut **tx)
            .await?;
        let remaining: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM grants g JOIN users u ON u.id = g.user_id \
             WHERE g.role = 'admin' AND u.disabled = $1 \
             AND ($2 IS NULL OR g.id <> $2) AND ($3 IS NULL OR u.id <> $3)",
        )
        .bind(false)
        .bind(grant)
        .bind(user)
        .fetch_one(&mut **tx)
        .await?;
        if remaining == 0 {
            return Err(LedgerError::conflict(
                Conflict::LastAdmin,
                "this would leave the service without an enabled administrator; grant admin to another user first",
            )
            .into());
        }
        Ok(())
    }

    /// Forgets failure windows that have ended and known addresses that have expired.
    pub(in crate::store) async fn prune_sign_ins(
        tx: &mut Tx<B::Db>,
        now_ms: i64,
    ) -> Result<(), TxError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE window_ends_ms <= $1")
            .bind(now_ms)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM sign_in_known_addresses WHERE expires_ms <= $1")
            .bind(now_ms)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Counts one more failure in `counter` at the attempt's time.
    pub(in crate::store) async fn count_sign_in_failure(
        tx: &mut Tx<B::Db>,
        attempt: &SignInAttempt,
        counter: &FailureCounter,
    ) -> Result<(), TxError> {
        sqlx::query(
            "INSERT INTO sign_in_failures (key, failures, window_ends_ms, last_failure_ms, username) \
             VALUES ($1, 1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET failures = sign_in_failures.failures + 1, \
             window_ends_ms = excluded.window_ends_ms, last_failure_ms = excluded.last_failure_ms",
        )
        .bind(&counter.key)
        .bind(attempt.now_ms.saturating_add(attempt.window_ms))
        .bind(attempt.now_ms)
        .bind(&counter.username)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Forgets every session of the user: a password changed or a user disabled ends
    /// them at once.
    pub(in crate::store) async fn end_sessions(
        tx: &mut Tx<B::Db>,
        user_id: Uuid,
    ) -> Result<(), TxError> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    pub(in crate::store) async fn load_user(
        tx: &mut Tx<B::Db>,
        user_id: Uuid,
    ) -> Result<User, TxError> {
        Self::user_with_grants(&mut **tx, user_id).await
    }

    /// A user and their grants, in one statement on `executor` (a transaction, or the
    /// pool for a read on its own).
    pub(in crate::store) async fn user_with_grants<'e, E>(
        executor: E,
        user_id: Uuid,
    ) -> Result<User, TxError>
    where
        E: sqlx::Executor<'e, Database = B::Db>,
    {
        let rows = sqlx::query(
            "SELECT u.id, u.username, u.disabled, u.created_at, u.token_version, \
             g.id AS grant_id, g.role AS grant_role, g.group_id AS grant_group_id, \
             g.member_id AS grant_member_id, g.created_at AS grant_created_at \
             FROM users u LEFT JOIN grants g ON g.user_id = u.id \
             WHERE u.id = $1 ORDER BY g.id",
        )
        .bind(user_id)
        .fetch_all(executor)
        .await?;
        let first = rows.first().ok_or(LedgerError::NotFound("user"))?;
        let mut grants = Vec::with_capacity(rows.len());
        for row in &rows {
            let Some(id) = row.try_get::<Option<Uuid>, _>("grant_id")? else {
                continue;
            };
            let role: String = row.try_get("grant_role")?;
            grants.push(Grant {
                id,
                role: Role::parse(&role).ok_or_else(|| internal("stored role"))?,
                group_id: row.try_get("grant_group_id")?,
                member_id: row.try_get("grant_member_id")?,
                created_at: row
                    .try_get::<Option<_>, _>("grant_created_at")?
                    .ok_or_else(|| internal("stored grant time"))?,
            });
        }
        Ok(User {
            id: first.try_get("id")?,
            username: first.try_get("username")?,
            disabled: first.try_get("disabled")?,
            created_at: first.try_get("created_at")?,
            token_version: first.try_get("token_version")?,
            grants,
        })
    }

    pub(in crate::store) async fn insert_grant(
        tx: &mut Tx<B::Db>,
        user_id: Uuid,
        grant: &NewGrant,
        pointer: &str,
    ) -> Result<Grant, TxError> {
        if let Some(group_id) = grant.group_id {
            let exists = sqlx::query("SELECT id FROM groups WHERE id = $1")
                .bind(group_id)
                .fetch_optional(&mut **tx)
                .await?;
            if exists.is_none() {
                return Err(LedgerError::invalid(
                    format!("{pointer}/group_id"),
                    "no group has this id",
                )
                .into());
            }
            // A member grant links a user to one member record, which must be in the
            // grant's group: a member of another group is as unknown as no member.
            if let Some(member_id) = grant.member_id {
                let member = sqlx::query("SELECT id FROM members WHERE id = $1 AND group_id = $2")
                    .bind(member_id)
                    .bind(group_id)
                    .fetch_optional(&mut **tx)
                    .await?;
                if member.is_none() {
                    return Err(LedgerError::invalid(
                        format!("{pointer}/member_id"),
                        "no member of this group has this id",
                    )
                    .into());
                }
            }
        }
        let created = Grant {
            id: Uuid::now_v7(),
            role: grant.role,
            group_id: grant.group_id,
            member_id: grant.member_id,
            created_at: recorded_now(),
        };
        sqlx::query(
            "INSERT INTO grants (id, user_id, role, group_id, member_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(created.id)
        .bind(user_id)
        .bind(created.role.as_str())
        .bind(created.group_id)
        .bind(created.member_id)
        .bind(created.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(created)
    }
}
