//! SQLite's checkpoints made beside the writer, not by it.
//!
//! In WAL mode a commit appends the pages it changed to the WAL, and a checkpoint copies them
//! into the database file and syncs it. Left to the writer connection, the checkpoint runs
//! inside the commit that takes the WAL past its bound: on the writer's thread, the one every
//! gathering of writes waits for (a profile of a payday: 6 % of that thread's time, besides
//! the database file's sync). So a task of the store checkpoints on a read connection every
//! [`CHECK_EVERY`], passively: it copies what was committed and not yet copied, while the
//! writer goes on appending; a reader's snapshot is never overwritten. The writer keeps its
//! own bound (`wal_autocheckpoint`) as a backstop: once the WAL reaches it, the writer's
//! checkpoint has only the pages committed since the last copy left to copy, and the WAL
//! starts again from its beginning at the next write. (A write that finds the WAL wholly
//! copied, with no reader in it, starts it again anyway; under sustained writes the task
//! rarely catches up, so the backstop is what keeps the WAL from growing.)

use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;

use super::shared::every_while_open;

/// How often the WAL is copied into the database file.
const CHECK_EVERY: Duration = Duration::from_millis(250);

/// Starts the task that checkpoints `pool`'s database. It holds the pool only while it
/// copies, and stops once the store has been dropped or closed.
pub fn keep_copying(pool: &Arc<SqlitePool>) {
    every_while_open(
        pool,
        CHECK_EVERY,
        "SQLite: a passive checkpoint",
        |pool| async move { checkpoint(&pool).await },
    );
}

/// A passive checkpoint: copies what it may of the WAL into the database file.
async fn checkpoint(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_all(pool)
        .await
        .map(|_| ())
}
