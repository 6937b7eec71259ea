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
    /// What the savings accounts of the members of the covered groups (host `$1`, home `$2`,
    /// group `$5`) with months not stored in the period `$4` to `$3` were credited and debited
    /// after their group's stored months (`network::trend::STORED_THROUGH`, with `$6` and `$7`):
    /// one row per member and month (`month`, its first day) to `$3`, and one per member
    /// (`month` null) for what was booked after `$3`. Only those entries are read, each
    /// account's through its own index range, so the cost follows the months not stored.
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

    /// Writes the rows of postings (`PostingRows`), their events (each numbered after its
    /// group's last) and member events included: on PostgreSQL, as a rule in one round trip;
    /// on SQLite, a kept statement a table, then the events (`Ledger::append_events`).
    fn write_postings(
        tx: &mut Tx<Self::Db>,
        rows: &PostingRows<'_>,
    ) -> impl Future<Output = Result<(), TxError>> + Send;
}

/// The store over one backend: its connections, the batching of its writes (see `batch`),
/// and the queues where requests that arrive together wait to be served together (see
/// `coalesce.rs`).
///
/// Writes go in lanes, by group (see [`Ledger::lane_of`]): each lane has its own batching and
/// its own queues, so on PostgreSQL one lane's gathering is written while another's commits.
/// The fields `commits`, `postings`, `member_events` and `audits` are this handle's lane.
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
    /// Every lane, this handle's among them.
    pub(super) lanes: Arc<[Lane<B::Db>]>,
    /// Reads of accounts by id waiting to be made together.
    pub(super) account_reads: Coalescer<QueuedAccountRead>,
    /// Transactions waiting for a connection to begin on (see [`Waiting`]).
    pub(super) waiting: Arc<AtomicUsize>,
}

/// The batching and the queues of one lane of writes.
pub(super) struct Lane<DB: sqlx::Database> {
    commits: GroupCommit<DB>,
    postings: Coalescer<QueuedPosting>,
    member_events: Coalescer<QueuedMemberEvent>,
    audits: Coalescer<QueuedAudit>,
}

impl<DB: sqlx::Database> Lane<DB> {
    /// How many requests wait in this lane's queues: postings, member events, audit events.
    pub(super) fn waiting(&self) -> [usize; 3] {
        [
            self.postings.waiting(),
            self.member_events.waiting(),
            self.audits.waiting(),
        ]
    }
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
    /// writes in one commit, writing in `lanes` lanes (one to `MAX_WRITE_LANES`).
    pub(super) fn new(
        backend: B,
        pool: sqlx::Pool<B::Db>,
        group_commit_max: usize,
        lanes: usize,
    ) -> Self {
        let first = GroupCommit::new(group_commit_max, B::classify);
        let lanes: Arc<[Lane<B::Db>]> = (0..lanes.clamp(1, super::MAX_WRITE_LANES))
            .map(|n| {
                let commits = if n == 0 {
                    first.clone()
                } else {
                    first.sibling()
                };
                Lane {
                    postings: Coalescer::new(commits.max_members()),
                    member_events: Coalescer::new(commits.max_members()),
                    audits: Coalescer::new(commits.max_members()),
                    commits,
                }
            })
            .collect();
        let own = &lanes[0];
        Ledger {
            backend,
            pool,
            commits: own.commits.clone(),
            postings: own.postings.clone(),
            member_events: own.member_events.clone(),
            audits: own.audits.clone(),
            account_reads: Coalescer::new(super::shared::ROWS_PER_STATEMENT),
            lanes,
            waiting: Arc::default(),
        }
    }

    /// A handle on the same store whose writes go in the lane of `group` (a write of no
    /// group goes in the first). The gathered writes (postings, contributions and
    /// withdrawals, audit records) take their group's lane, so two lanes' gatherings lock
    /// different groups' rows and neither waits for the other's commit. A group's other
    /// writes go in the first lane's batches and meet the gatherings of its own lane on the
    /// group's lock, as the writes of another process would (see `postgres.rs`): a first lane's
    /// batch may then wait for another lane's commit.
    pub(super) fn lane_of(&self, group: Option<uuid::Uuid>) -> Self {
        let n = match group {
            Some(id) if self.lanes.len() > 1 => lane_index(id, self.lanes.len()),
            _ => 0,
        };
        let lane = &self.lanes[n];
        Ledger {
            commits: lane.commits.clone(),
            postings: lane.postings.clone(),
            member_events: lane.member_events.clone(),
            audits: lane.audits.clone(),
            ..self.clone()
        }
    }
}

/// The lane, of `lanes` (at least one), whose writes a group's are: its id's bits mixed, so
/// that ids made in the same millisecond (UUIDv7) spread as well as random ones.
pub fn write_lane(group: uuid::Uuid, lanes: usize) -> usize {
    lane_index(group, lanes.max(1))
}

fn lane_index(group: uuid::Uuid, lanes: usize) -> usize {
    let bits = group.as_u128();
    let folded = (bits as u64) ^ ((bits >> 64) as u64);
    let mixed = folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32;
    (mixed % lanes as u64) as usize
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
            lanes: self.lanes.clone(),
            account_reads: self.account_reads.clone(),
            waiting: self.waiting.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::lane_index;

    #[test]
    fn groups_made_together_spread_over_the_lanes_and_each_keeps_its_own() {
        for lanes in [2usize, 3, 4] {
            let mut per_lane = vec![0usize; lanes];
            let ids: Vec<uuid::Uuid> = (0..400).map(|_| uuid::Uuid::now_v7()).collect();
            for id in &ids {
                let lane = lane_index(*id, lanes);
                assert!(lane < lanes);
                assert_eq!(lane, lane_index(*id, lanes), "a group's lane never changes");
                per_lane[lane] += 1;
            }
            let fair = 400 / lanes;
            for count in &per_lane {
                assert!(
                    *count > fair / 2 && *count < fair * 3 / 2,
                    "{lanes} lanes: {per_lane:?}"
                );
            }
        }
        assert_eq!(lane_index(uuid::Uuid::now_v7(), 1), 0);
    }
}
