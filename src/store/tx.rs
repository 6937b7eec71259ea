//! How the store runs its transactions: a write's attempts within the batches of group commit
//! (see `batch`), retried as the backend's classification of a failure says; reads over
//! one snapshot; writes guarded by an idempotency key; and the answering of requests that were
//! written together.
//!
//! The decisions are generic functions here. The few macros only forward to them: a write's
//! body is written inline where it is used (so it may borrow whatever it needs, and its future
//! stays an ordinary `Send` future), and each macro puts that body between the calls that
//! begin and end its attempt.

use std::future::Future;

use tokio::sync::OwnedMutexGuard;

use super::backend::{Backend, DbRow, Ledger, Tx, Waiting};
use super::batch::{Failure, Member, Slot};
use super::coalesce::Coalescer;
use super::shared::{
    ErrorClass, MAX_WRITE_ATTEMPTS, Queued, TxError, WriteStop, db_error_to_ledger, failed_write,
};
use crate::domain::error::LedgerError;
use crate::domain::model::Group;
use crate::store::{Audited, Idempotency, StoreResult, StoredResponse, Written};

/// A type the store binds as a parameter and reads from a column, on the database `DB`.
pub trait Column<DB: sqlx::Database>:
    for<'q> sqlx::Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB> + sqlx::Type<DB> + Send
{
}

impl<DB: sqlx::Database, T> Column<DB> for T where
    T: for<'q> sqlx::Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB> + sqlx::Type<DB> + Send
{
}

/// Runs `$body` (which uses `$tx`, the transaction, by value) as one write, retrying what the
/// backend says may be retried. `$body` yields `Result<Result<T, LedgerError>, TxError>`: the
/// outer error undoes the write, the inner outcome is committed (a remembered refusal).
///
/// The write joins a batch (see `batch`): it runs in the batch's transaction (in a
/// savepoint of its own unless it runs first), and the answer comes once that transaction has
/// committed. See `Ledger::write_step`, `Step` and `Ledger::end_step`.
macro_rules! write_tx {
    ($self:ident, |$tx:ident| $body:expr) => {{
        let mut attempts = $crate::store::tx::Attempts::default();
        loop {
            let mut step = $self.write_step(&mut attempts).await;
            let own = match step.take() {
                Err(stop) => Err(stop),
                Ok(mut $tx) => {
                    let outcome: Result<_, $crate::store::shared::TxError> = async {
                        step.enter(&mut $tx).await?;
                        $body
                    }
                    .await;
                    step.settle($tx, outcome).await
                }
            };
            if let Some(done) = $self.end_step(step, own, &mut attempts).await {
                break done;
            }
        }
    }};
}
pub(crate) use write_tx;

/// Runs `$body` (which uses `$tx`) in a read transaction over one snapshot.
macro_rules! read_tx {
    ($self:ident, |$tx:ident| $body:expr) => {{
        let outcome: Result<_, $crate::store::shared::TxError> = async {
            let mut $tx = $self.begin_read().await?;
            let value = $body?;
            $tx.commit().await?;
            Ok(value)
        }
        .await;
        Self::read_outcome(outcome)
    }};
}
pub(crate) use read_tx;

/// Runs `$body`, which sends ONE statement to the pool (`$pool`), outside any explicit
/// transaction. A single statement reads one snapshot on both databases by itself; without
/// BEGIN and COMMIT the read is one round trip to a connection instead of three or more. For
/// the reads every request makes (who the caller is).
macro_rules! read_statement {
    ($self:ident, |$pool:ident| $body:expr) => {{
        let $pool = &$self.pool;
        let outcome: Result<_, $crate::store::shared::TxError> = async { $body }.await;
        Self::read_outcome(outcome)
    }};
}
pub(crate) use read_statement;

/// Runs `$outcome` (which uses `$group`, the locked group) for a write with an idempotency
/// key: a replay answers at once; a refusal rolls back whatever the attempt wrote (accounts
/// opened on first need) and is remembered with the key. See `Ledger::guard` and
/// `Ledger::unguard`.
macro_rules! guarded_write {
    ($tx:ident, $group_id:expr, $idem:expr, |$group:ident| $outcome:expr) => {{
        let (mut $group, scope) = match Self::guard($tx, $group_id, $idem).await? {
            Ok(locked) => locked,
            Err(replay) => return Ok(Ok(Written::Replayed(replay))),
        };
        let outcome = match $group.refuse_if_closed() {
            Err(closed) => Err(closed),
            Ok(()) => $outcome,
        };
        Self::unguard($tx, &scope, $idem, outcome).await
    }};
}
pub(crate) use guarded_write;

/// Returns the inner refusal from the enclosing function, whose result is
/// `Result<Result<T, LedgerError>, TxError>`.
macro_rules! refuse_on_err {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        }
    };
}
pub(crate) use refuse_on_err;

/// The attempts of one write so far.
#[derive(Default)]
pub struct Attempts {
    made: u32,
    /// A write that gave way goes first in a batch of its own next time.
    alone: bool,
}

/// One attempt of a write: its place in a batch, and the batch's transaction while it runs.
pub struct Step<DB: sqlx::Database> {
    member: Member<DB>,
    slot: OwnedMutexGuard<Slot<DB>>,
    first: bool,
    joined_sql: Option<&'static str>,
    classify: fn(&sqlx::Error) -> ErrorClass,
}

impl<DB: sqlx::Database> Step<DB>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
{
    /// The batch's transaction, or why the batch failed before this write could run.
    pub fn take(&mut self) -> Result<Tx<DB>, WriteStop> {
        self.slot.take().map_err(WriteStop::Batch)
    }

    /// Starts the write in the transaction. The first member runs without a savepoint:
    /// nothing of the batch's is there to keep if it fails, so the whole transaction goes and
    /// any member waiting behind it tries again. Each later member runs in a savepoint of its
    /// own, which its failure rolls back alone.
    pub async fn enter(&mut self, tx: &mut Tx<DB>) -> Result<(), TxError> {
        if !self.first {
            sqlx::query("SAVEPOINT batch_member")
                .execute(&mut **tx)
                .await?;
            if let Some(sql) = self.joined_sql {
                sqlx::query(sql).execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    /// Ends the write's part of the transaction (its savepoint kept or rolled back) and gives
    /// the transaction back to the batch, or gives up the batch when the transaction can no
    /// longer be used.
    pub async fn settle<T>(
        &mut self,
        mut tx: Tx<DB>,
        outcome: Result<T, TxError>,
    ) -> Result<T, WriteStop> {
        let undo: &[&'static str] = if self.first {
            &[]
        } else if outcome.is_ok() {
            &["RELEASE SAVEPOINT batch_member"]
        } else {
            &[
                "ROLLBACK TO SAVEPOINT batch_member",
                "RELEASE SAVEPOINT batch_member",
            ]
        };
        let mut undone = Ok(());
        for sql in undo.iter().copied() {
            if let Err(e) = sqlx::query(sql).execute(&mut *tx).await {
                undone = Err(e);
                break;
            }
        }
        match undone {
            Ok(()) if self.first && outcome.is_err() => {
                drop(tx);
                self.slot.abandon(Failure {
                    class: ErrorClass::Retry,
                    message: "the first write of the batch failed, and its transaction with it"
                        .into(),
                });
            }
            Ok(()) => self.slot.put_back(tx),
            // The transaction is unusable: give up the batch, so every member tries again.
            Err(e) => {
                drop(tx);
                self.slot.abandon(Failure::of((self.classify)(&e), &e));
            }
        }
        outcome.map_err(WriteStop::Tx)
    }
}

impl<B: Backend> Ledger<B>
where
    for<'c> &'c mut <B::Db as sqlx::Database>::Connection: sqlx::Executor<'c, Database = B::Db>,
    <B::Db as sqlx::Database>::Arguments: sqlx::IntoArguments<B::Db>,
{
    /// Begins the next attempt of a write: joins a batch, waits for its turn on the batch's
    /// connection, and begins the batch's transaction if it is first to need it.
    pub(super) async fn write_step(&self, attempts: &mut Attempts) -> Step<B::Db> {
        attempts.made += 1;
        let member = self.commits.join(attempts.alone);
        let mut slot = member.slot().await;
        if slot.needs_begin() {
            let waiting = Waiting::new(&self.waiting);
            let begun = self.backend.begin_write().await;
            drop(waiting);
            slot.begun(begun, B::classify);
        }
        let first = slot.first();
        Step {
            member,
            slot,
            first,
            joined_sql: B::JOINED_MEMBER_SQL,
            classify: B::classify,
        }
    }

    /// Ends an attempt of a write: once the batch's transaction has committed, the write's
    /// outcome; after a failure that may be retried, `None` (after a short, jittered wait),
    /// up to `MAX_WRITE_ATTEMPTS`; otherwise the failure as the client sees it.
    pub(super) async fn end_step<T>(
        &self,
        step: Step<B::Db>,
        own: Result<Result<T, LedgerError>, WriteStop>,
        attempts: &mut Attempts,
    ) -> Option<Result<T, LedgerError>> {
        let Step { member, slot, .. } = step;
        drop(slot);
        let stop = match own {
            Ok(committed) => match member.finish().await {
                Ok(()) => return Some(committed),
                Err(failure) => WriteStop::Batch(failure),
            },
            Err(stop) => {
                member.leave();
                stop
            }
        };
        let (class, message) = match stop {
            WriteStop::Tx(TxError::Ledger(e)) => return Some(Err(e)),
            WriteStop::Tx(TxError::Db(e)) => (B::classify(&e), e.to_string()),
            WriteStop::Batch(failure) => (failure.class, failure.message),
        };
        if class == ErrorClass::Retry && attempts.made < MAX_WRITE_ATTEMPTS {
            attempts.alone = true;
            let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) % 5;
            let backoff = 2u64.pow(attempts.made.min(6)) + jitter;
            tokio::time::sleep(std::time::Duration::from_millis(backoff)).await;
            return None;
        }
        if class != ErrorClass::Retry {
            tracing::error!(error = %message, "database error");
        }
        Some(Err(failed_write(class, &message)))
    }

    /// A read transaction over one snapshot.
    pub(super) async fn begin_read(&self) -> Result<Tx<B::Db>, sqlx::Error> {
        let _waiting = Waiting::new(&self.waiting);
        self.backend.begin_read().await
    }

    /// The answer of a read: its value, its refusal, or the database's failure classified.
    pub(super) fn read_outcome<T>(outcome: Result<T, TxError>) -> Result<T, LedgerError> {
        match outcome {
            Ok(v) => Ok(v),
            Err(TxError::Ledger(e)) => Err(e),
            Err(TxError::Db(e)) => {
                let class = B::classify(&e);
                if class == ErrorClass::Fatal {
                    tracing::error!(error = %e, "database error");
                }
                Err(db_error_to_ledger(class, &e))
            }
        }
    }

    /// Answers requests that were written together: each with its own outcome, or, when the
    /// database could not be reached, with that (see `Coalescer::answered_by`). A caller that
    /// hung up is not answered; its write stands.
    pub(super) fn answer<R, T>(
        queue: &Coalescer<Queued<R, T>>,
        queued: Vec<Queued<R, T>>,
        written: Result<Vec<Audited<T>>, LedgerError>,
    ) {
        match written {
            Ok(outcomes) => {
                for (q, outcome) in queued.into_iter().zip(outcomes) {
                    let _ = q.reply.send(outcome);
                }
            }
            Err(down) => {
                for q in queue.answered_by(queued, &down) {
                    let _ = q.reply.send(Audited::unaudited(Err(down.clone())));
                }
            }
        }
    }

    /// Queues `request` in `queue`, starts `drain` on the writing task unless a drain is
    /// under way, and waits for the answer (see `coalesce.rs`).
    pub(super) async fn queue_and_wait<R, T, F>(
        queue: &Coalescer<Queued<R, T>>,
        make: impl FnOnce(tokio::sync::oneshot::Sender<Audited<T>>) -> Queued<R, T>,
        drain: impl FnOnce() -> F,
    ) -> Audited<T>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        if queue.push(make(reply)) {
            super::shared::spawn_writer(drain());
        }
        answer
            .await
            .unwrap_or_else(|gone| Audited::unaudited(super::shared::unanswered(gone)))
    }
}

impl<B: Backend> Ledger<B>
where
    for<'c> &'c mut <B::Db as sqlx::Database>::Connection: sqlx::Executor<'c, Database = B::Db>,
    <B::Db as sqlx::Database>::Arguments: sqlx::IntoArguments<B::Db> + Default,
    for<'a> &'a str: sqlx::ColumnIndex<DbRow<B>>,
    usize: sqlx::ColumnIndex<DbRow<B>>,
    for<'q> &'q str: sqlx::Encode<'q, B::Db> + sqlx::Type<B::Db>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, B::Db> + sqlx::Type<B::Db>,
    uuid::Uuid: Column<B::Db>,
    Option<uuid::Uuid>: Column<B::Db>,
    i64: Column<B::Db>,
    Option<i64>: Column<B::Db>,
    i32: Column<B::Db>,
    Option<i32>: Column<B::Db>,
    bool: Column<B::Db>,
    Option<bool>: Column<B::Db>,
    String: Column<B::Db>,
    Option<String>: Column<B::Db>,
    chrono::NaiveDate: Column<B::Db>,
    Option<chrono::NaiveDate>: Column<B::Db>,
    chrono::DateTime<chrono::Utc>: Column<B::Db>,
    Option<chrono::DateTime<chrono::Utc>>: Column<B::Db>,
    B::Db: sqlx::database::HasStatementCache,
{
    /// Begins a write of a group's operation under an idempotency key: locks the group, and
    /// answers with the stored response when the key was used before (`Err`); otherwise opens
    /// the savepoint that a refusal rolls back (see `unguard`).
    pub(super) async fn guard<T>(
        tx: &mut Tx<B::Db>,
        group_id: uuid::Uuid,
        idempotency: &Option<Idempotency<'_, T>>,
    ) -> Result<Result<(Group, String), StoredResponse>, TxError> {
        let group = Self::lock_group(tx, group_id).await?;
        let scope = group_id.to_string();
        if let Some(replay) = Self::claimed_response(tx, &scope, idempotency).await? {
            return Ok(Err(replay));
        }
        sqlx::query("SAVEPOINT operation")
            .execute(&mut **tx)
            .await?;
        Ok(Ok((group, scope)))
    }

    /// Ends a guarded write: keeps what it wrote if it succeeded, rolls it back if it was
    /// refused, and remembers the outcome with the idempotency key.
    pub(super) async fn unguard<T>(
        tx: &mut Tx<B::Db>,
        scope: &str,
        idempotency: &Option<Idempotency<'_, T>>,
        outcome: Result<T, LedgerError>,
    ) -> Result<Result<Written<T>, LedgerError>, TxError> {
        let undo = if outcome.is_ok() {
            "RELEASE SAVEPOINT operation"
        } else {
            "ROLLBACK TO SAVEPOINT operation"
        };
        sqlx::query(undo).execute(&mut **tx).await?;
        Self::finish(tx, scope, idempotency, outcome).await
    }
}

/// The outcomes of writes that were written together, each with whether its audit record
/// committed with it (`true` beside its outcome), so the audit layer does not write it again.
pub(super) fn audited<T>(written: Vec<(StoreResult<Written<T>>, bool)>) -> Vec<Audited<T>> {
    written
        .into_iter()
        .map(|(outcome, audited)| Audited { outcome, audited })
        .collect()
}
