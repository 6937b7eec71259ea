//! Opening a store, and how it runs its writes.

use super::{PostgresStore, SqliteStore, Store};

/// How a store runs its writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreOptions {
    /// The most writes that share one database transaction and one commit (group commit);
    /// one means every write is its own transaction. `None` takes the backend's default:
    /// [`SQLITE_GROUP_COMMIT_MAX`] or [`POSTGRES_GROUP_COMMIT_MAX`].
    pub group_commit_max: Option<usize>,
    /// How many lanes the writes of groups go in, each with its own batches and queues (see
    /// `Ledger::lane_of`). `None` takes the backend's default: [`SQLITE_WRITE_LANES`] or
    /// [`POSTGRES_WRITE_LANES`].
    pub write_lanes: Option<usize>,
}

/// SQLite has one writer at a time: batching its writes saves a commit (and an fsync) per
/// write and costs no parallelism.
pub const SQLITE_GROUP_COMMIT_MAX: usize = 64;

/// On PostgreSQL too: a posting holds its group's row lock until its commit, so postings of
/// one group wait for each other's round trips; gathered, one transaction writes them all in
/// a handful of statements (docs/benchmarks-history.md, "Results with gathering on both
/// backends and one SQLite writer": about 2.3 times the throughput of postings written one by
/// one).
pub const POSTGRES_GROUP_COMMIT_MAX: usize = 64;

/// SQLite writes one transaction at a time: a second lane would only wait for the first.
pub const SQLITE_WRITE_LANES: usize = 1;

/// PostgreSQL could write a lane's gathering while another's commits, but on two processors
/// two lanes were no faster than one: each gathering is half the size, and PostgreSQL's time
/// a transfer grew by a quarter to nearly double, more than the idle processor time they
/// took up (docs/DECISIONS.md, "Lanes of writes, one by default").
pub const POSTGRES_WRITE_LANES: usize = 1;

/// The most lanes a store writes in. Each lane may hold two of PostgreSQL's 16 pooled
/// connections at once (a batch committing while the next is written), and the reads need
/// theirs; four is also the most that was measured.
pub const MAX_WRITE_LANES: usize = 4;

/// Opens the store a database URL names: `sqlite:` (the default) or `postgres:`/`postgresql:`.
pub async fn connect(url: &str) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    connect_with(url, StoreOptions::default()).await
}

/// [`connect`] with options.
pub async fn connect_with(
    url: &str,
    options: StoreOptions,
) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(
            PostgresStore::connect(url, options).await?,
        ))
    } else if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(
            SqliteStore::connect(url, options).await?,
        ))
    } else {
        anyhow::bail!("unsupported database URL: expected sqlite:// or postgres://")
    }
}
