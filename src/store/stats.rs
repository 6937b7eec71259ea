//! The store's connections and queues, read when asked.

use super::batch;

/// One connection pool's connections, read when asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Which pool: `main` on PostgreSQL; `read` and `write` on SQLite, whose writes all run on
    /// one connection of their own.
    pub name: &'static str,
    /// The most connections the pool opens.
    pub max: u32,
    /// Connections open now, in use or idle.
    pub open: u32,
    /// Open connections not in use.
    pub idle: u32,
}

impl PoolStats {
    pub fn of<DB: sqlx::Database>(name: &'static str, pool: &sqlx::Pool<DB>) -> Self {
        let open = pool.size();
        PoolStats {
            name,
            max: pool.options().get_max_connections(),
            open,
            idle: u32::try_from(pool.num_idle()).unwrap_or(open).min(open),
        }
    }
}

/// The store's connections and queues as they are now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreStats {
    pub commits: batch::CommitCounts,
    pub pools: Vec<PoolStats>,
    /// Transactions waiting for a connection to begin on.
    pub waiting_for_connection: usize,
    /// Requests waiting in each queue whose requests are written (or read) together (see
    /// `coalesce.rs`), by queue.
    pub queued: Vec<(&'static str, usize)>,
}
