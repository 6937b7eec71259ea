//! The access-control part of the store (users, grants, settings, sign-in counts, sessions,
//! audit log), written once for both backends over `Backend`: the `AccessStore` methods, each
//! one transaction. The rows they read and the steps several of them share are in
//! `records.rs`.

mod records;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use super::backend::{Backend, DbRow, Ledger};
use super::shared::*;
use super::tx::{Column, read_statement, read_tx, write_tx};
use crate::domain::error::{Conflict, LedgerError};
use crate::domain::model::*;
use crate::store::StoreResult;

use crate::domain::access::{
    Admission, AuditEvent, AuditQuery, Grant, NewGrant, NewUser, Role, Session, SignInAttempt, User,
};
use crate::store::AccessStore;

#[async_trait]
impl<B: Backend> AccessStore for Ledger<B>
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
    async fn user_count(&self) -> StoreResult<i64> {
        read_tx!(self, |tx| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM users"
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(TxError::from))
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<User> {
        write_tx!(self, |tx| {
            let result: Result<Result<User, LedgerError>, TxError> = async {
                let taken = sqlx::query("SELECT id FROM users WHERE username = $1")
                    .bind(&user.username)
                    .fetch_optional(&mut *tx)
                    .await?;
                if taken.is_some() {
                    return Err(LedgerError::conflict(
                        Conflict::DuplicateUsername,
                        format!("the username {} is taken", user.username),
                    )
                    .into());
                }
                let id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO users (id, username, password_hash, disabled, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(&user.username)
                .bind(&user.password_hash)
                .bind(false)
                .bind(recorded_now())
                .execute(&mut *tx)
                .await?;
                for (i, grant) in user.grants.iter().enumerate() {
                    Self::insert_grant(&mut tx, id, grant, &format!("/grants/{i}")).await?;
                }
                Ok(Ok(Self::load_user(&mut tx, id).await?))
            }
            .await;
            result
        })
    }

    async fn list_users(&self, after: Option<Uuid>, limit: u32) -> StoreResult<Vec<User>> {
        read_tx!(self, |tx| {
            let result: Result<Vec<User>, TxError> = async {
                let rows = sqlx::query("SELECT id FROM users WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after.unwrap_or(crate::store::shared::BEFORE_ANY_ID))
                    .bind(i64::from(limit))
                    .fetch_all(&mut *tx)
                    .await?;
                let mut users = Vec::with_capacity(rows.len());
                for row in &rows {
                    users.push(Self::load_user(&mut tx, row.try_get("id")?).await?);
                }
                Ok(users)
            }
            .await;
            result
        })
    }

    async fn get_user(&self, user_id: Uuid) -> StoreResult<User> {
        // Every signed-in request asks this: one statement, no transaction.
        read_statement!(self, |pool| Self::user_with_grants(pool, user_id).await)
    }

    async fn find_login(&self, username: &str) -> StoreResult<Option<(User, String)>> {
        read_tx!(self, |tx| {
            let result: Result<Option<(User, String)>, TxError> = async {
                let row = sqlx::query("SELECT id, password_hash FROM users WHERE username = $1")
                    .bind(username)
                    .fetch_optional(&mut *tx)
                    .await?;
                match row {
                    None => Ok(None),
                    Some(row) => {
                        let hash: String = row.try_get("password_hash")?;
                        let user = Self::load_user(&mut tx, row.try_get("id")?).await?;
                        Ok(Some((user, hash)))
                    }
                }
            }
            .await;
            result
        })
    }

    async fn add_grant(&self, user_id: Uuid, grant: NewGrant) -> StoreResult<Grant> {
        write_tx!(self, |tx| {
            let result: Result<Result<Grant, LedgerError>, TxError> = async {
                Self::load_user(&mut tx, user_id).await?;
                Ok(Ok(Self::insert_grant(&mut tx, user_id, &grant, "").await?))
            }
            .await;
            result
        })
    }

    async fn delete_grant(&self, user_id: Uuid, grant_id: Uuid) -> StoreResult<()> {
        write_tx!(self, |tx| {
            let result: Result<Result<(), LedgerError>, TxError> = async {
                let role: Option<String> =
                    sqlx::query_scalar("SELECT role FROM grants WHERE id = $1 AND user_id = $2")
                        .bind(grant_id)
                        .bind(user_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if role.as_deref() == Some("admin") {
                    Self::keep_an_admin(&mut tx, Some(grant_id), None).await?;
                }
                let deleted = sqlx::query("DELETE FROM grants WHERE id = $1 AND user_id = $2")
                    .bind(grant_id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                if B::rows_affected(&deleted) == 0 {
                    return Err(LedgerError::NotFound("grant").into());
                }
                Ok(Ok(()))
            }
            .await;
            result
        })
    }

    async fn set_password(&self, user_id: Uuid, password_hash: &str) -> StoreResult<()> {
        write_tx!(self, |tx| {
            let result: Result<Result<(), LedgerError>, TxError> = async {
                let updated = sqlx::query("UPDATE users SET password_hash = $1, token_version = token_version + 1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                if B::rows_affected(&updated) == 0 {
                    return Err(LedgerError::NotFound("user").into());
                }
                Self::end_sessions(&mut tx, user_id).await?;
                Ok(Ok(()))
            }
            .await;
            result
        })
    }

    async fn disable_user(&self, user_id: Uuid) -> StoreResult<User> {
        write_tx!(self, |tx| {
            let result: Result<Result<User, LedgerError>, TxError> = async {
                let user = Self::load_user(&mut tx, user_id).await?;
                if user.grants.iter().any(|g| g.role == Role::Admin) {
                    Self::keep_an_admin(&mut tx, None, Some(user_id)).await?;
                }
                sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
                    .bind(true)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                Self::end_sessions(&mut tx, user_id).await?;
                Ok(Ok(Self::load_user(&mut tx, user_id).await?))
            }
            .await;
            result
        })
    }

    async fn setting_or_init(&self, name: &str, value: &str) -> StoreResult<String> {
        write_tx!(self, |tx| {
            let result: Result<Result<String, LedgerError>, TxError> = async {
                sqlx::query("INSERT INTO service_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                    .bind(name)
                    .bind(value)
                    .execute(&mut *tx)
                    .await?;
                let stored: String = sqlx::query_scalar("SELECT value FROM service_settings WHERE name = $1")
                    .bind(name)
                    .fetch_one(&mut *tx)
                    .await?;
                Ok(Ok(stored))
            }
            .await;
            result
        })
    }

    async fn admit_sign_in(&self, attempt: &SignInAttempt) -> StoreResult<Admission> {
        // Counters are taken in key order, so two attempts never wait on each other's.
        let mut counters: Vec<_> = attempt.counters.iter().collect();
        counters.sort_by(|a, b| a.key.cmp(&b.key));
        write_tx!(self, |tx| {
            let result: Result<Result<Admission, LedgerError>, TxError> = async {
                Self::prune_sign_ins(&mut tx, attempt.now_ms).await?;
                let known = sqlx::query(
                    "SELECT expires_ms FROM sign_in_known_addresses WHERE username = $1 AND address = $2",
                )
                .bind(&attempt.username)
                .bind(&attempt.address)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
                // Each count's row is written before it is read, which locks it: attempts
                // at the same moment are judged one after the other.
                let mut wait_ms: Option<i64> = None;
                for counter in &counters {
                    let row = sqlx::query(
                        "INSERT INTO sign_in_failures (key, failures, window_ends_ms, last_failure_ms, username) \
                         VALUES ($1, 0, $2, 0, $3) \
                         ON CONFLICT (key) DO UPDATE SET failures = sign_in_failures.failures \
                         RETURNING failures, last_failure_ms",
                    )
                    .bind(&counter.key)
                    .bind(attempt.now_ms.saturating_add(attempt.window_ms))
                    .bind(&counter.username)
                    .fetch_one(&mut *tx)
                    .await?;
                    let failures: i64 = row.try_get("failures")?;
                    let last_ms: i64 = row.try_get("last_failure_ms")?;
                    if known && counter.known_addresses_exempt {
                        continue;
                    }
                    if let Some(wait) = attempt.delays.wait_ms(
                        failures,
                        counter.free_failures,
                        last_ms,
                        attempt.now_ms,
                    ) {
                        wait_ms = Some(wait_ms.map_or(wait, |w| w.max(wait)));
                    }
                }
                // A refused attempt checks no password, so it is no failure.
                if let Some(retry_after_ms) = wait_ms {
                    return Ok(Ok(Admission::Refused { retry_after_ms }));
                }
                for counter in counters.iter().filter(|c| c.counted_on_admission) {
                    Self::count_sign_in_failure(&mut tx, attempt, counter).await?;
                }
                Ok(Ok(Admission::Admitted))
            }
            .await;
            result
        })
    }

    async fn sign_in_succeeded(&self, attempt: &SignInAttempt) -> StoreResult<()> {
        let mut counters: Vec<_> = attempt.counters.iter().collect();
        counters.sort_by(|a, b| a.key.cmp(&b.key));
        write_tx!(self, |tx| {
            let result: Result<Result<(), LedgerError>, TxError> = async {
                for counter in &counters {
                    let sql = if counter.cleared_by_success {
                        "DELETE FROM sign_in_failures WHERE key = $1"
                    } else if counter.counted_on_admission {
                        "UPDATE sign_in_failures SET failures = failures - 1 WHERE key = $1 AND failures > 0"
                    } else {
                        // Never counted for this attempt: nothing to take back.
                        continue;
                    };
                    sqlx::query(sql).bind(&counter.key).execute(&mut *tx).await?;
                }
                sqlx::query(
                    "INSERT INTO sign_in_known_addresses (username, address, expires_ms) VALUES ($1, $2, $3) \
                     ON CONFLICT (username, address) DO UPDATE SET expires_ms = excluded.expires_ms",
                )
                .bind(&attempt.username)
                .bind(&attempt.address)
                .bind(attempt.now_ms.saturating_add(attempt.known_for_ms))
                .execute(&mut *tx)
                .await?;
                Ok(Ok(()))
            }
            .await;
            result
        })
    }

    async fn sign_in_failed(&self, attempt: &SignInAttempt) -> StoreResult<()> {
        let mut counters: Vec<_> = attempt
            .counters
            .iter()
            .filter(|c| !c.counted_on_admission)
            .collect();
        if counters.is_empty() {
            return Ok(());
        }
        counters.sort_by(|a, b| a.key.cmp(&b.key));
        write_tx!(self, |tx| {
            let result: Result<Result<(), LedgerError>, TxError> = async {
                for counter in &counters {
                    Self::count_sign_in_failure(&mut tx, attempt, counter).await?;
                }
                Ok(Ok(()))
            }
            .await;
            result
        })
    }

    async fn lift_sign_in_locks(&self, username: &str) -> StoreResult<()> {
        write_tx!(self, |tx| {
            let result: Result<Result<(), LedgerError>, TxError> = async {
                sqlx::query("DELETE FROM sign_in_failures WHERE username = $1")
                    .bind(username)
                    .execute(&mut *tx)
                    .await?;
                Ok(Ok(()))
            }
            .await;
            result
        })
    }

    async fn create_session(&self, session: &Session, idle: chrono::Duration) -> StoreResult<()> {
        write_tx!(self, |tx| {
            let result: Result<Result<(), LedgerError>, TxError> = async {
                // The user's sessions that have ended are forgotten here, where they
                // are few, rather than by a sweep over everyone's.
                let rows = sqlx::query("SELECT * FROM sessions WHERE user_id = $1")
                    .bind(session.user_id)
                    .fetch_all(&mut *tx)
                    .await?;
                for row in &rows {
                    let kept = Self::session_from_row(row)?;
                    if !kept.is_open(session.created_at, idle) {
                        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                            .bind(&kept.token_hash)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, token_version, csrf_token, created_at, last_seen_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&session.token_hash)
                .bind(session.user_id)
                .bind(session.token_version)
                .bind(&session.csrf_token)
                .bind(session.created_at)
                .bind(session.last_seen_at)
                .bind(session.expires_at)
                .execute(&mut *tx)
                .await?;
                Ok(Ok(()))
            }
            .await;
            result
        })
    }

    async fn find_session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        // Every request signed in by cookie asks this: one statement, no transaction.
        read_statement!(self, |pool| {
            let row = sqlx::query("SELECT * FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(Self::session_from_row).transpose()
        })
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        write_tx!(self, |tx| {
            let result: Result<Result<(), LedgerError>, TxError> = async {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                    .bind(at)
                    .bind(token_hash)
                    .execute(&mut *tx)
                    .await?;
                Ok(Ok(()))
            }
            .await;
            result
        })
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        write_tx!(self, |tx| {
            let result: Result<Result<(), LedgerError>, TxError> = async {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&mut *tx)
                    .await?;
                Ok(Ok(()))
            }
            .await;
            result
        })
    }

    async fn record_audit(&self, event: &AuditEvent) -> StoreResult<()> {
        // In the lane of the event's group, whose chain it extends (see `audit_chain`).
        let lane = self.lane_of(event.group_id);
        if !lane.commits.batches() {
            return write_tx!(lane, |tx| Self::insert_audits(&mut tx, &[event])
                .await
                .map(Ok));
        }
        // Gathered with the events that arrive meanwhile (see `coalesce.rs`).
        let (reply, answer) = tokio::sync::oneshot::channel();
        if lane.audits.push(crate::store::shared::QueuedAudit {
            event: event.clone(),
            reply,
        }) {
            crate::store::shared::spawn_writer(lane.clone().drain_audits());
        }
        answer
            .await
            .unwrap_or_else(crate::store::shared::unanswered)
    }

    async fn verify_audit(&self) -> StoreResult<crate::domain::audit_chain::Verification> {
        read_tx!(self, |tx| Self::verify_audit_in_tx(&mut tx).await)
    }

    async fn list_audit(&self, query: AuditQuery) -> StoreResult<Page<AuditEvent>> {
        read_tx!(self, |tx| {
            let result: Result<Page<AuditEvent>, TxError> = async {
                let rows = sqlx::query(
                    "SELECT * FROM audit_events WHERE ($1 IS NULL OR group_id = $1) AND ($2 IS NULL OR user_id = $2) \
                     AND ($3 IS NULL OR occurred_at >= $3) AND ($4 IS NULL OR occurred_at <= $4) \
                     AND id > $5 ORDER BY id LIMIT $6",
                )
                .bind(query.group_id)
                .bind(query.user_id)
                .bind(query.from)
                .bind(query.to)
                .bind(query.after.unwrap_or(crate::store::shared::BEFORE_ANY_ID))
                .bind(i64::from(query.limit) + 1)
                .fetch_all(&mut *tx)
                .await?;
                let mut items = rows.iter().map(Self::audit_from_row).collect::<Result<Vec<_>, _>>()?;
                let more = items.len() > query.limit as usize;
                items.truncate(query.limit as usize);
                Ok(Page { items, has_more: more })
            }
            .await;
            result
        })
    }
}
