//! Group commit: writes that arrive together share one database transaction and one durable
//! commit.
//!
//! Every write joins the batch that is open when it starts, or opens a new one. The members of
//! a batch take turns on the batch's connection: the first to get it begins the transaction,
//! and each later one runs its own work inside a savepoint of its own, so a member that fails
//! is rolled back alone and never fails its neighbours. The first member needs none: if it
//! fails, nothing of the others is there yet, and the transaction is given up (its followers
//! begin again in a new one). When the last member has run, the batch is
//! sealed and committed once, by a task of its own (so no caller hanging up can leave it half
//! done), and every member is answered with that commit's outcome: nobody hears "done" before
//! the commit that holds their write is durable.
//!
//! While one batch commits (its fsync), the writes that arrive meanwhile gather in the next
//! one, so under load one commit carries many writes; a lone write is a batch of one and pays
//! what it always did. `max_members` bounds a batch (and the wait of its first member); a
//! bound of one turns group commit off: every write is then its own transaction.
//!
//! The batching is within one process. Several processes on one PostgreSQL database each batch
//! their own writes; their transactions meet on the group rows' locks as before (see
//! `postgres.rs` for how a batch avoids waiting on another while holding locks of its own).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard, watch};

use super::shared::ErrorClass;

/// Why a batch, or a member's part in it, did not commit.
#[derive(Debug, Clone)]
pub struct Failure {
    pub class: ErrorClass,
    pub message: String,
}

impl Failure {
    pub fn of(class: ErrorClass, error: &sqlx::Error) -> Self {
        Failure {
            class,
            message: error.to_string(),
        }
    }

    /// A member was cancelled while it held the batch's transaction, which was therefore
    /// rolled back: the other members try again.
    fn abandoned() -> Self {
        Failure {
            class: ErrorClass::Retry,
            message: "a write sharing the transaction was cancelled".into(),
        }
    }
}

/// The batching of one store's writes.
pub struct GroupCommit<DB: sqlx::Database> {
    max_members: usize,
    classify: fn(&sqlx::Error) -> ErrorClass,
    open: Arc<Mutex<Option<Arc<Batch<DB>>>>>,
    counts: Arc<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    commits: AtomicU64,
    writes: AtomicU64,
    timings: CommitTimings,
}

/// How long commits take and how many writes each carries, as histograms the service's
/// metrics publish (see `crate::metrics`). The handles are shared: a clone records into the
/// same histograms.
#[derive(Debug, Clone)]
pub struct CommitTimings {
    /// Seconds from a batch's `COMMIT` sent to its outcome (the durable write, fsync included).
    pub commit_seconds: Histogram,
    /// The writes that ran in one committed transaction; a gathering of requests written in
    /// one step (see `coalesce.rs`) counts once here, and in full in [`CommitCounts::writes`].
    pub writes_per_commit: Histogram,
}

impl Default for CommitTimings {
    fn default() -> Self {
        CommitTimings {
            // 0.25 ms to about 4 s.
            commit_seconds: Histogram::new(exponential_buckets(0.000_25, 2.0, 15)),
            // 1 to 1024 writes.
            writes_per_commit: Histogram::new(exponential_buckets(1.0, 2.0, 11)),
        }
    }
}

/// Commits made since the store opened, and the writes that ran in them (a write refused by
/// its own savepoint's rollback included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitCounts {
    pub commits: u64,
    pub writes: u64,
}

struct Batch<DB: sqlx::Database> {
    counts: Arc<Counts>,
    slot: Arc<AsyncMutex<Slot<DB>>>,
    members: Mutex<Members>,
    outcome: watch::Sender<Option<Result<(), Failure>>>,
}

#[derive(Default)]
struct Members {
    joined: usize,
    running: usize,
    sealed: bool,
}

/// The batch's transaction, handed from member to member.
pub struct Slot<DB: sqlx::Database> {
    state: SlotState,
    tx: Option<sqlx::Transaction<'static, DB>>,
    /// How many members have run their work in the transaction so far.
    ran: usize,
}

enum SlotState {
    NotBegun,
    Open,
    Failed(Failure),
}

impl<DB: sqlx::Database> Clone for GroupCommit<DB> {
    fn clone(&self) -> Self {
        GroupCommit {
            max_members: self.max_members,
            classify: self.classify,
            open: self.open.clone(),
            counts: self.counts.clone(),
        }
    }
}

impl<DB: sqlx::Database> GroupCommit<DB> {
    /// Whether writes share transactions (a batch may have more than one member).
    pub fn batches(&self) -> bool {
        self.max_members > 1
    }

    /// The most writes one batch carries.
    pub fn max_members(&self) -> usize {
        self.max_members
    }

    /// Counts, after their commit, the writes beyond the first that one member of a batch
    /// carried (requests gathered by a `Coalescer`, see `coalesce.rs`).
    pub fn count_gathered(&self, extra: u64) {
        self.counts.writes.fetch_add(extra, Ordering::Relaxed);
    }

    /// `max_members` of at least one; one means no batching.
    pub fn new(max_members: usize, classify: fn(&sqlx::Error) -> ErrorClass) -> Self {
        GroupCommit {
            max_members: max_members.max(1),
            classify,
            open: Arc::new(Mutex::new(None)),
            counts: Arc::default(),
        }
    }

    /// A batching of its own (its own open batch, so its writes share transactions only
    /// with each other), counted in the same counts and histograms as this one: the writes
    /// of one lane (see `Ledger::lane_of`).
    pub fn sibling(&self) -> Self {
        GroupCommit {
            max_members: self.max_members,
            classify: self.classify,
            open: Arc::new(Mutex::new(None)),
            counts: self.counts.clone(),
        }
    }

    pub fn counts(&self) -> CommitCounts {
        CommitCounts {
            commits: self.counts.commits.load(Ordering::Relaxed),
            writes: self.counts.writes.load(Ordering::Relaxed),
        }
    }

    /// The histograms of commit latency and writes per commit (shared handles).
    pub fn timings(&self) -> CommitTimings {
        self.counts.timings.clone()
    }

    /// Joins the open batch if it has room, else opens a new one. `alone` opens a new one in
    /// any case (a write that had to give way in a shared batch goes first in the next).
    pub fn join(&self, alone: bool) -> Member<DB> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if !alone && let Some(batch) = open.as_ref() {
            let mut members = batch.members.lock().unwrap_or_else(|e| e.into_inner());
            if !members.sealed && members.joined < self.max_members {
                members.joined += 1;
                members.running += 1;
                drop(members);
                return Member {
                    batch: batch.clone(),
                    open: self.open.clone(),
                    classify: self.classify,
                    left: false,
                };
            }
        }
        let batch = Arc::new(Batch {
            counts: self.counts.clone(),
            slot: Arc::new(AsyncMutex::new(Slot {
                state: SlotState::NotBegun,
                tx: None,
                ran: 0,
            })),
            members: Mutex::new(Members {
                joined: 1,
                running: 1,
                sealed: false,
            }),
            outcome: watch::channel(None).0,
        });
        *open = Some(batch.clone());
        Member {
            batch,
            open: self.open.clone(),
            classify: self.classify,
            left: false,
        }
    }
}

/// One write's place in a batch. Dropping it without [`Member::finish`] or [`Member::leave`]
/// (the write was cancelled) still lets the batch commit for the others.
pub struct Member<DB: sqlx::Database> {
    batch: Arc<Batch<DB>>,
    open: Arc<Mutex<Option<Arc<Batch<DB>>>>>,
    classify: fn(&sqlx::Error) -> ErrorClass,
    left: bool,
}

impl<DB: sqlx::Database> Member<DB> {
    /// Waits for this member's turn on the batch's transaction.
    pub async fn slot(&self) -> OwnedMutexGuard<Slot<DB>> {
        self.batch.slot.clone().lock_owned().await
    }

    /// Leaves the batch without waiting for its commit (the member's work was rolled back).
    pub fn leave(mut self) {
        self.left = true;
        self.depart();
    }

    /// Leaves the batch and waits until it has committed; the member's work is durable when
    /// this returns `Ok`.
    pub async fn finish(mut self) -> Result<(), Failure> {
        self.left = true;
        let mut outcome = self.batch.outcome.subscribe();
        self.depart();
        let settled = outcome.wait_for(Option::is_some).await;
        match settled {
            Ok(value) => value.clone().unwrap_or_else(|| Err(Failure::abandoned())),
            // The committing task ended without a word: it can only have panicked.
            Err(_) => Err(Failure {
                class: ErrorClass::Fatal,
                message: "the commit of a batch of writes ended without an outcome".into(),
            }),
        }
    }

    /// Counts this member out; the last one out seals the batch and starts its commit.
    fn depart(&mut self) {
        let last = {
            let mut members = self.batch.members.lock().unwrap_or_else(|e| e.into_inner());
            members.running -= 1;
            if members.running == 0 {
                members.sealed = true;
                true
            } else {
                false
            }
        };
        if !last {
            return;
        }
        {
            let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
            if open.as_ref().is_some_and(|b| Arc::ptr_eq(b, &self.batch)) {
                *open = None;
            }
        }
        // Without a runtime (it is shutting down) the transaction is simply dropped, which
        // rolls it back; the members waiting for it are being dropped too.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let batch = self.batch.clone();
        let classify = self.classify;
        runtime.spawn(async move {
            let mut slot = batch.slot.clone().lock_owned().await;
            let outcome = match std::mem::replace(&mut slot.state, SlotState::NotBegun) {
                SlotState::Failed(failure) => Err(failure),
                // Every member was cancelled before any began: there is nothing to commit.
                SlotState::NotBegun => Ok(()),
                SlotState::Open => match slot.tx.take() {
                    Some(tx) => {
                        let started = std::time::Instant::now();
                        let committed = tx.commit().await;
                        let timings = &batch.counts.timings;
                        timings
                            .commit_seconds
                            .observe(started.elapsed().as_secs_f64());
                        committed.map_err(|e| Failure::of(classify(&e), &e))
                    }
                    None => Err(Failure::abandoned()),
                },
            };
            if outcome.is_ok() && slot.ran > 0 {
                let counts = &batch.counts;
                counts.commits.fetch_add(1, Ordering::Relaxed);
                counts.writes.fetch_add(slot.ran as u64, Ordering::Relaxed);
                counts.timings.writes_per_commit.observe(slot.ran as f64);
            }
            batch.outcome.send_replace(Some(outcome));
        });
    }
}

impl<DB: sqlx::Database> Drop for Member<DB> {
    fn drop(&mut self) {
        if !self.left {
            // The write was cancelled; the batch goes on without it.
            self.depart();
        }
    }
}

impl<DB: sqlx::Database> Slot<DB> {
    pub fn needs_begin(&self) -> bool {
        matches!(self.state, SlotState::NotBegun)
    }

    /// Records the outcome of beginning the batch's transaction.
    pub fn begun(
        &mut self,
        begun: Result<sqlx::Transaction<'static, DB>, sqlx::Error>,
        classify: fn(&sqlx::Error) -> ErrorClass,
    ) {
        match begun {
            Ok(tx) => {
                self.tx = Some(tx);
                self.state = SlotState::Open;
            }
            Err(e) => self.state = SlotState::Failed(Failure::of(classify(&e), &e)),
        }
    }

    /// Whether this member is the first to run in the transaction (it holds no lock that an
    /// earlier member took).
    pub fn first(&self) -> bool {
        self.ran == 0
    }

    /// Takes the transaction for this member's turn.
    pub fn take(&mut self) -> Result<sqlx::Transaction<'static, DB>, Failure> {
        match &self.state {
            SlotState::Failed(failure) => Err(failure.clone()),
            SlotState::NotBegun => Err(Failure {
                class: ErrorClass::Fatal,
                message: "a batch's transaction was used before it began".into(),
            }),
            SlotState::Open => {
                let tx = self.tx.take().ok_or_else(Failure::abandoned)?;
                self.ran += 1;
                Ok(tx)
            }
        }
    }

    /// Hands the transaction back after this member's turn.
    pub fn put_back(&mut self, tx: sqlx::Transaction<'static, DB>) {
        self.tx = Some(tx);
    }

    /// Gives up the batch: its transaction is rolled back and every member tries again.
    pub fn abandon(&mut self, failure: Failure) {
        self.tx = None;
        self.state = SlotState::Failed(failure);
    }
}

#[cfg(test)]
mod tests;
