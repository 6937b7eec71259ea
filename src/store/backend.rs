//! What a database backend gives the store, and the store written once over it.
//!
//! `Ledger<B>` is the whole store: its SQL, its rules for locking and retrying, the hash chain
//! and idempotency are plain generic code over `B: Backend` in the modules beside this one
//! (`ledger/`, `members/`, `operations/`, `access/`, `reports.rs`, `network.rs`).
//! A backend (`sqlite.rs`, `postgres.rs`) supplies only what differs between the databases:
//! how a write begins so that it serialises with other writers, how a read sees one snapshot,
//! the statements that lock a group's row or the admin grants, how it classifies a failed
//! call, how it sends the statements that write the rows of many postings, and how it reads an
//! account's statement lines fast.
//!
//! Every generic `impl` over `Ledger<B>` states the same `where` clause: what the store needs
//! of the backend's database type (an executor on its connections, and the encoding and
//! decoding of the column types it reads and writes). Rust does not carry such bounds from a
//! trait's definition to its users, so each block repeats them.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::batch::GroupCommit;
use super::coalesce::Coalescer;
use super::shared::{
    ErrorClass, LineRead, PostingRows, QueuedAccountRead, QueuedAudit, QueuedMemberEvent,
    QueuedPosting, TxError,
};

/// A write or read transaction of the backend's database.
pub type Tx<D> = sqlx::Transaction<'static, D>;

/// A row as the backend's database returns it.
pub type DbRow<B> = <<B as Backend>::Db as sqlx::Database>::Row;

/// What differs between the databases the store runs on.
pub trait Backend: Send + Sync + Clone + 'static {
    type Db: sqlx::Database;

    /// The backend's name, as `/health` reports it.
    const NAME: &'static str;
    /// Reads a group row (`$1`) and holds its write lock until the transaction ends.
    const LOCK_GROUP_SQL: &'static str;
    /// Reads the admin grants and holds their write locks (so that the last admin cannot be
    /// removed by two requests at once).
    const LOCK_ADMIN_GRANTS_SQL: &'static str;
    /// Ends the statement that reads several group rows for a write, sorted by id.
    const LOCK_GROUPS_TAIL: &'static str;
    /// How several write statements are sent (see `WriteScript`): as the data-modifying
    /// parts of one `WITH` statement in one round trip, or each by itself, kept prepared.
    const WRITES_AS_CTES: bool;
    /// Run at the start of each write that joins a batch after its first (in its savepoint).
    const JOINED_MEMBER_SQL: Option<&'static str>;
    /// What the savings accounts of the members a network filter covers (host `$1`, home
    /// `$2`, group `$5`, joined by `$3`) were credited and debited from `$4` on: one row per
    /// member and month (`month`, its first day) to `$3`, and one per member (`month` null) for
    /// what was booked after `$3`. Only the entries from `$4` on are read, each account's
    /// through its own index range, so the cost follows the period, not the history.
    const SAVINGS_MONTHS_SQL: &'static str;

    /// A transaction that will serialise with other writers.
    fn begin_write(&self) -> impl Future<Output = Result<Tx<Self::Db>, sqlx::Error>> + Send;

    /// A transaction that sees one consistent snapshot.
    fn begin_read(&self) -> impl Future<Output = Result<Tx<Self::Db>, sqlx::Error>> + Send;

    /// Whether a failed attempt is retried, the database is down, or it is a fault.
    fn classify(error: &sqlx::Error) -> ErrorClass;

    /// Whether every migration the binary knows has been applied.
    fn ready_check(&self) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// How many rows a statement changed.
    fn rows_affected(result: &<Self::Db as sqlx::Database>::QueryResult) -> u64;

    /// Closes the backend's connections.
    fn close(&self) -> impl Future<Output = ()> + Send;

    /// The backend's connection pools as they are now, for the service's metrics.
    fn pools(&self) -> Vec<super::PoolStats>;

    /// An account's lines in a period (`from`..=`to`, either open), in the statement's order.
    fn statement_lines(
        tx: &mut Tx<Self::Db>,
        account_id: uuid::Uuid,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
        group_id: uuid::Uuid,
    ) -> impl Future<Output = Result<Vec<LineRead>, TxError>> + Send;

    /// Writes the rows of postings (`PostingRows`): on PostgreSQL, as a rule in one round
    /// trip; on SQLite, a kept statement a table.
    fn write_postings(
        tx: &mut Tx<Self::Db>,
        rows: &PostingRows<'_>,
    ) -> impl Future<Output = Result<(), TxError>> + Send;
}

/// The store over one backend: its connections, the batching of its writes (see `batch`),
/// and the queues where requests that arrive together wait to be served together (see
/// `coalesce.rs`).
pub struct Ledger<B: Backend> {
    pub(super) backend: B,
    /// Reads, and the migrations.
    pub(super) pool: sqlx::Pool<B::Db>,
    pub(super) commits: GroupCommit<B::Db>,
    /// Postings waiting to be written together.
    pub(super) postings: Coalescer<QueuedPosting>,
    /// Contributions and withdrawals waiting to be written together.
    pub(super) member_events: Coalescer<QueuedMemberEvent>,
    /// Audit events waiting to be written together.
    pub(super) audits: Coalescer<QueuedAudit>,
    /// Reads of accounts by id waiting to be made together.
    pub(super) account_reads: Coalescer<QueuedAccountRead>,
    /// Transactions waiting for a connection to begin on (see [`Waiting`]).
    pub(super) waiting: Arc<AtomicUsize>,
}

/// Counts one transaction as waiting for its connection (and its `BEGIN`) while it lives.
pub(super) struct Waiting(Arc<AtomicUsize>);

impl Waiting {
    pub(super) fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Waiting(count.clone())
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<B: Backend> Ledger<B> {
    /// The store over `backend`, reading from `pool`, gathering at most `group_commit_max`
    /// writes in one commit.
    pub(super) fn new(backend: B, pool: sqlx::Pool<B::Db>, group_commit_max: usize) -> Self {
        let commits = GroupCommit::new(group_commit_max, B::classify);
        Ledger {
            backend,
            pool,
            postings: Coalescer::new(commits.max_members()),
            member_events: Coalescer::new(commits.max_members()),
            audits: Coalescer::new(commits.max_members()),
            account_reads: Coalescer::new(super::shared::ROWS_PER_STATEMENT),
            commits,
            waiting: Arc::default(),
        }
    }
}

/// A handle on the same connections and queues, for the task that writes what the queues
/// gather.
impl<B: Backend> Clone for Ledger<B> {
    fn clone(&self) -> Self {
        Ledger {
            backend: self.backend.clone(),
            pool: self.pool.clone(),
            commits: self.commits.clone(),
            postings: self.postings.clone(),
            member_events: self.member_events.clone(),
            audits: self.audits.clone(),
            account_reads: self.account_reads.clone(),
            waiting: self.waiting.clone(),
        }
    }
}
