//! Planner statistics that keep up with a database as it fills.
//!
//! The service's statements are prepared once per connection, and after a few executions
//! PostgreSQL may keep one generic plan for each, chosen from the tables' statistics at that
//! moment. Made while a new database's tables are nearly empty, such a plan can scan a table
//! that then grows by thousands of rows a second: measured, a fresh database's transfers ran
//! at half their later rate and got slower by the second until autovacuum analysed the tables,
//! about a minute in. `ANALYZE` updates the statistics and makes every connection plan its
//! statements again.
//!
//! So a task of the store looks every second for tables whose rows changed since their last
//! analysis by as many as they held then (at least [`MIN_CHANGED_ROWS`]), and analyses them:
//! a table is analysed as it doubles, a few times over a new database's first minutes and
//! rarely after, as autovacuum does, but without its minute's wait. A database that already
//! holds data is looked at the same way as soon as the service starts, after its migrations.
//! Several processes on one database may each do it; `ANALYZE` does not block writes.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{AssertSqlSafe, PgPool};

use super::shared::every_while_open;

/// How often the tables' changes are looked at.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// The fewest changed rows that make a table worth analysing again.
pub const MIN_CHANGED_ROWS: i64 = 1_000;

/// The store's tables whose rows changed, since their last analysis, by at least as many as
/// they held then, and by at least `$1`.
const GROWN: &str = "SELECT s.relname::text FROM pg_stat_user_tables s \
                     JOIN pg_class c ON c.oid = s.relid \
                     WHERE s.schemaname = current_schema() \
                       AND s.n_mod_since_analyze >= GREATEST($1::float8, c.reltuples::float8) \
                     ORDER BY s.relname";

/// Starts the task that keeps the statistics of `pool`'s tables fresh. It holds the pool
/// only while it looks, and stops once the store has been dropped or closed.
pub fn keep_fresh(pool: &Arc<PgPool>) {
    every_while_open(
        pool,
        CHECK_EVERY,
        "PostgreSQL: refreshing the planner's statistics",
        |pool| async move { analyse_grown(&pool).await.map(|_| ()) },
    );
}

/// Analyses every table that has grown as [`GROWN`] says; the tables analysed.
async fn analyse_grown(pool: &PgPool) -> Result<Vec<String>, sqlx::Error> {
    let grown: Vec<String> = sqlx::query_scalar(GROWN)
        .bind(MIN_CHANGED_ROWS)
        .fetch_all(pool)
        .await?;
    for table in &grown {
        let quoted = format!("\"{}\"", table.replace('"', "\"\""));
        // The name is the catalogue's own, quoted as an identifier.
        sqlx::raw_sql(AssertSqlSafe(format!("ANALYZE {quoted}")))
            .execute(pool)
            .await?;
        tracing::debug!(table = %table, "PostgreSQL: planner statistics refreshed");
    }
    Ok(grown)
}
