//! What the store's modules share: limits, the pieces of SQL several of them use, the requests
//! waiting to be written together, the classification of database errors and the error type
//! of a store transaction.

use chrono::{DateTime, Utc};

use crate::domain::error::LedgerError;

/// How many times a write is attempted when the database reports a serialization failure,
/// a deadlock, a busy database or a lost race on a unique key.
pub const MAX_WRITE_ATTEMPTS: u32 = 8;

/// Rows per batch when verifying a chain, so memory stays bounded for any journal length.
pub const VERIFY_BATCH: i64 = 1000;

/// The cursor of a list's first page: ids are UUIDv7, never nil, so every id sorts after it
/// (by bytes on SQLite, as a uuid on PostgreSQL). A page after a cursor is `id > $n`, a range
/// of the index, where `($n IS NULL OR id > $n)` made SQLite read the list from its start.
pub const BEFORE_ANY_ID: uuid::Uuid = uuid::Uuid::nil();

/// The id of the transaction that reversed the transaction of the row `x`, as `reversed_by`
/// (`NULL` while it stands). `transactions.reverses_id` is unique, so this is one index probe.
pub const REVERSED_BY: &str =
    "(SELECT r.id FROM transactions r WHERE r.reverses_id = x.transaction_id) AS reversed_by";

/// The sequence and hash of row `x`'s transaction (`NULL` when it has none), from which its
/// receipt is made.
pub const CHAIN_POSITION: &str = "(SELECT c.sequence FROM transactions c WHERE c.id = x.transaction_id) AS transaction_sequence, \
     (SELECT c.hash FROM transactions c WHERE c.id = x.transaction_id) AS transaction_hash";

/// True for a row `x` whose transaction was not reversed.
pub const NOT_REVERSED: &str =
    "NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_id = x.transaction_id)";

/// The columns of a row of `table` as `row_of_group` and `rows_of_group` read it: every
/// record that posts a transaction also says whether that transaction was reversed.
pub fn group_row_columns(table: &str) -> String {
    match table {
        "member_events" | "remittances" => format!("x.*, {REVERSED_BY}, {CHAIN_POSITION}"),
        "investment_events" | "transfers" | "distributions" => format!("x.*, {REVERSED_BY}"),
        _ => "x.*".to_string(),
    }
}

/// Entries written by one INSERT statement: 9 parameters each, well within the parameters
/// one statement may have on either database (32,766 on SQLite, 65,535 on PostgreSQL).
pub const ENTRY_ROWS_PER_INSERT: usize = 100;

/// Rows of the other tables written by one statement when many are written at once
/// (transactions, 11 parameters each; idempotency keys, 6; audit events, 13; account and
/// group totals, 3).
pub const ROWS_PER_STATEMENT: usize = 50;

/// Parameters past which a script of write statements is sent and a new one begun (see
/// `WriteScript`; on PostgreSQL, since SQLite takes each statement by itself): within
/// PostgreSQL's 65,535 per statement, with room for the statement that goes over it.
pub const MAX_SCRIPT_PARAMETERS: usize = 20_000;

/// `$first, $first+1, ...`: `count` numbered parameters.
pub fn parameters(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An idempotency key owned by a request that waits in a queue (see `coalesce.rs`).
pub struct OwnedIdempotency<T> {
    pub key: String,
    pub request_hash: String,
    pub render: crate::store::Render<T>,
}

impl<T> OwnedIdempotency<T> {
    pub fn of(idempotency: crate::store::Idempotency<'_, T>) -> Self {
        OwnedIdempotency {
            key: idempotency.key.to_string(),
            request_hash: idempotency.request_hash.to_string(),
            render: idempotency.render,
        }
    }

    pub fn borrowed(&self) -> crate::store::Idempotency<'_, T> {
        crate::store::Idempotency {
            key: &self.key,
            request_hash: &self.request_hash,
            render: self.render.clone(),
        }
    }
}

/// What one step of a write of postings puts in the database (`write_postings`, one per
/// backend): prepared transactions, of one group or several, with their entries; the
/// accounts' new totals `(group, account, debits, credits)`; the groups' new heads `(group,
/// sequence, hash)`; the outcomes to store with their idempotency keys `(scope, key, request
/// hash, response)`; the requests' audit records; the events the postings are for other
/// systems, and the contributions and withdrawals recorded with them.
pub struct PostingRows<'a> {
    pub transactions: &'a [&'a crate::domain::model::Transaction],
    pub totals: &'a [(uuid::Uuid, uuid::Uuid, i64, i64)],
    pub heads: &'a [(uuid::Uuid, i64, &'a str)],
    pub remembered: &'a [(String, String, String, crate::store::StoredResponse)],
    pub audits: &'a [crate::domain::access::AuditEvent],
    /// The heads the audit records moved their chains on to: chain, sequence, hash. Filled in
    /// by `Ledger::write_rows`, which gives the records their places.
    pub audit_heads: &'a [(String, i64, String)],
    /// Each posting's event `(group, event, when it occurred)`, numbered after its group's
    /// last when written. Filled in by `Ledger::write_rows`, which replaces what its caller
    /// gave.
    pub events: &'a [(
        uuid::Uuid,
        crate::domain::events::NewEvent,
        chrono::DateTime<chrono::Utc>,
    )],
    /// The contributions and withdrawals the transactions record.
    pub member_events: &'a [crate::domain::member::MemberEvent],
}

/// A write waiting to be written with the others of its kind that arrived with it: its group,
/// the request, its idempotency key, and where its caller waits for the outcome.
pub struct Queued<R, T> {
    pub group_id: uuid::Uuid,
    pub request: R,
    pub idempotency: Option<OwnedIdempotency<T>>,
    pub reply: tokio::sync::oneshot::Sender<crate::store::Audited<T>>,
}

/// A posting waiting to be written with the others that arrived with it.
pub type QueuedPosting =
    Queued<crate::domain::model::NewTransaction, crate::domain::model::Transaction>;

/// A contribution or withdrawal waiting to be written with the others that arrived with it.
pub type QueuedMemberEvent =
    Queued<crate::domain::member::NewMemberEvent, crate::domain::member::MemberEvent>;

/// One contribution or withdrawal of a gathering, as the judging of the gathering sees it.
pub struct MemberEventWrite<'a> {
    pub group_id: uuid::Uuid,
    pub request: &'a crate::domain::member::NewMemberEvent,
    pub idempotency: Option<crate::store::Idempotency<'a, crate::domain::member::MemberEvent>>,
    /// Where a queued write's caller waits for its answer: a caller that hung up (or whose
    /// request ran out of time) before its write was judged has its write not written.
    pub reply: Option<
        &'a tokio::sync::oneshot::Sender<crate::store::Audited<crate::domain::member::MemberEvent>>,
    >,
    /// The request's audit record, to be written with the event.
    pub audit: Option<&'a crate::domain::access::AuditDraft>,
}

/// One posting of a gathering, as the judging of the gathering sees it (a posting alone is a
/// gathering of one).
pub struct PostingWrite<'a> {
    pub group_id: uuid::Uuid,
    pub request: &'a crate::domain::model::NewTransaction,
    pub idempotency: Option<crate::store::Idempotency<'a, crate::domain::model::Transaction>>,
    /// Where a queued write's caller waits for its answer (see `MemberEventWrite`).
    pub reply: Option<
        &'a tokio::sync::oneshot::Sender<crate::store::Audited<crate::domain::model::Transaction>>,
    >,
    /// The request's audit record, to be written with the transaction.
    pub audit: Option<&'a crate::domain::access::AuditDraft>,
}

/// A read of one account by id, waiting to be made with the others that arrived with it.
pub struct QueuedAccountRead {
    pub group_id: uuid::Uuid,
    pub account_id: uuid::Uuid,
    pub reply:
        tokio::sync::oneshot::Sender<crate::store::StoreResult<crate::domain::model::Account>>,
}

/// An audit event waiting to be written with the others that arrived with it.
pub struct QueuedAudit {
    pub event: crate::domain::access::AuditEvent,
    pub reply: tokio::sync::oneshot::Sender<crate::store::StoreResult<()>>,
}

/// The name of the writing thread.
const WRITER_THREAD: &str = "msai-writer";

/// The runtime of the writing thread, on which gathered requests are served (`spawn_writer`);
/// `None` if that thread could not start.
fn writer_runtime() -> Option<&'static tokio::runtime::Handle> {
    static WRITER: std::sync::OnceLock<Option<tokio::runtime::Handle>> = std::sync::OnceLock::new();
    WRITER
        .get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            let handle = runtime.handle().clone();
            std::thread::Builder::new()
                .name(WRITER_THREAD.into())
                .spawn(move || runtime.block_on(std::future::pending::<()>()))
                .ok()?;
            Some(handle)
        })
        .as_ref()
}

/// Starts a task that serves gathered requests (writes, and reads of accounts; see
/// `coalesce.rs`). It runs on a thread of its own with a runtime of its own: each of its
/// statements waits for the database, and on the request-serving runtime every such wait would
/// end behind the requests queued there, which is what every request waiting on the gathering
/// would then wait for too. Should that thread not start, the task runs on the caller's
/// runtime.
pub fn spawn_writer(task: impl std::future::Future<Output = ()> + Send + 'static) {
    match writer_runtime() {
        Some(handle) => {
            handle.spawn(task);
        }
        None => {
            tokio::spawn(task);
        }
    }
}

/// Runs `task` on the writing thread (`spawn_writer`) and waits for its outcome; in place,
/// should that thread not start. A thread started by the task (a SQLite connection's) starts
/// on the processors the writing thread may run on.
pub async fn on_writer<T: Send + 'static>(
    task: impl std::future::Future<Output = T> + Send + 'static,
) -> anyhow::Result<T> {
    match writer_runtime() {
        Some(handle) => handle
            .spawn(task)
            .await
            .map_err(|e| anyhow::anyhow!("a task of the writing thread failed: {e}")),
        None => Ok(task.await),
    }
}

/// Keeps the writing thread (`spawn_writer`) on one processor from now on, when called from
/// it: the last of the processors the process may run on. Threads it starts afterwards
/// inherit that. Nothing happens on any other thread (the task of `on_writer` runs in place
/// when the writing thread could not start), with one processor, or where the system offers
/// no such setting.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn keep_thread_on_one_processor() {
    if std::thread::current().name() != Some(WRITER_THREAD) {
        return;
    }
    // SAFETY: `cpu_set_t` is a plain bit set that zeroed memory makes empty; the calls read
    // and set the calling thread's own affinity (pid 0) through a pointer to a set of the size
    // given, and nothing else.
    unsafe {
        let mut allowed: libc::cpu_set_t = std::mem::zeroed();
        let size = std::mem::size_of::<libc::cpu_set_t>();
        if libc::sched_getaffinity(0, size, &mut allowed) != 0 {
            return;
        }
        let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
            .filter(|cpu| libc::CPU_ISSET(*cpu, &allowed))
            .collect();
        let Some(last) = cpus.last().copied().filter(|_| cpus.len() > 1) else {
            return;
        };
        let mut one: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(last, &mut one);
        libc::sched_setaffinity(0, size, &one);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn keep_thread_on_one_processor() {}

/// The answer of a queued request whose writing task ended without one (it panicked).
pub fn unanswered<T>(_: tokio::sync::oneshot::error::RecvError) -> crate::store::StoreResult<T> {
    Err(LedgerError::Internal(
        "the task writing this request ended without an answer".into(),
    ))
}

/// What a failed database call means for the write that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Try the whole transaction again (serialization failure, deadlock, busy, lost race).
    Retry,
    /// The database cannot be reached: answer 503.
    Unavailable,
    /// A fault: answer 500 and log it.
    Fatal,
}

/// An error inside a store transaction: a ledger outcome that aborts it, or a database error.
#[derive(Debug)]
pub enum TxError {
    Ledger(LedgerError),
    Db(sqlx::Error),
}

impl From<sqlx::Error> for TxError {
    fn from(e: sqlx::Error) -> Self {
        TxError::Db(e)
    }
}

impl From<LedgerError> for TxError {
    fn from(e: LedgerError) -> Self {
        TxError::Ledger(e)
    }
}

/// One line of an account's statement as the database returns it, before its running
/// balance. Each backend reads these its own way (`statement_lines`).
pub struct LineRead {
    pub transaction_id: uuid::Uuid,
    pub sequence: i64,
    pub booked_on: chrono::NaiveDate,
    pub direction: String,
    pub amount_minor: i64,
    pub description: String,
}

pub fn internal(what: impl std::fmt::Display) -> TxError {
    TxError::Ledger(LedgerError::Internal(what.to_string()))
}

/// The recording time: now, kept to the microsecond so it round-trips through both databases.
pub fn recorded_now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// Maps a database error that ended a store call to the error the client sees.
pub fn db_error_to_ledger(class: ErrorClass, error: &sqlx::Error) -> LedgerError {
    failed_write(class, &error.to_string())
}

/// Why one attempt at a write stopped: its own work failed, or the batch it ran in did.
pub enum WriteStop {
    Tx(TxError),
    Batch(crate::store::batch::Failure),
}

/// The error a client sees for a write that could not be completed.
pub fn failed_write(class: ErrorClass, message: &str) -> LedgerError {
    match class {
        ErrorClass::Unavailable => LedgerError::Unavailable(message.to_string()),
        ErrorClass::Retry => LedgerError::Unavailable(format!(
            "the write could not be completed after {MAX_WRITE_ATTEMPTS} attempts: {message}"
        )),
        ErrorClass::Fatal => LedgerError::Internal(message.to_string()),
    }
}

/// Columns of a transaction row, with the id of the transaction that reversed it if any.
pub const TRANSACTION_COLUMNS: &str = "t.id, t.group_id, t.sequence, t.booked_on, t.recorded_at, \
    t.description, t.metadata, t.reverses_id, t.previous_hash, t.hash, t.created_by, \
    (SELECT r.id FROM transactions r WHERE r.reverses_id = t.id) AS reversed_by";

/// A transaction checked and numbered under its group's lock, with the new totals of its
/// accounts `(account, debits, credits)`; not written yet.
pub type PreparedPosting = (
    crate::domain::model::Transaction,
    Vec<(uuid::Uuid, i64, i64)>,
);

/// One validated request's worth of posting, ready to be checked and written under the lock.
pub use crate::domain::prepare::Posting;

/// Runs `work` on the pool every `period`, from the first tick on, for as long as the store
/// holds `pool`: the task keeps only a weak handle between runs, and stops once the store has
/// been dropped or the pool closed. A failed run is logged (`what` names it) and tried again
/// at the next tick: the database may be away, which the requests answer for.
pub fn every_while_open<DB, F, Fut>(
    pool: &std::sync::Arc<sqlx::Pool<DB>>,
    period: std::time::Duration,
    what: &'static str,
    work: F,
) where
    DB: sqlx::Database,
    F: Fn(sqlx::Pool<DB>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(), sqlx::Error>> + Send,
{
    let pool = std::sync::Arc::downgrade(pool);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(period);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let Some(open) = pool.upgrade() else {
                return;
            };
            if open.is_closed() {
                return;
            }
            let handle = sqlx::Pool::clone(&open);
            drop(open);
            if let Err(e) = work(handle).await {
                tracing::debug!(error = %e, "{what} failed");
            }
        }
    });
}
