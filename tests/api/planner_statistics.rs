//! PostgreSQL: the store analyses its tables as they grow, so statements planned while a new
//! database was nearly empty are planned again before the tables outgrow those plans (see
//! `src/store/pg_statistics.rs`). SQLite has no such statistics unless asked for them, and its
//! planner does not depend on them.

use std::time::{Duration, Instant};

use msai_ledger::store::pg_statistics::MIN_CHANGED_ROWS;
use msai_ledger::store::{PostgresStore, StoreOptions};
use sqlx::postgres::PgPoolOptions;

use crate::support;

/// How long PostgreSQL may take to publish a session's row counts (it does so at most once a
/// second, and within ten seconds of the session going idle) and the store to act on them.
const PUBLISHED_WITHIN: Duration = Duration::from_secs(40);

/// When `table` was last analysed by an `ANALYZE` command (autovacuum's are not counted).
async fn analysed(pool: &sqlx::PgPool, table: &str) -> Option<f64> {
    sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM last_analyze)::float8 FROM pg_stat_user_tables WHERE relname = $1",
    )
    .bind(table)
    .fetch_one(pool)
    .await
    .expect("read pg_stat_user_tables")
}

async fn insert_rows(pool: &sqlx::PgPool, from: i64, count: i64) {
    sqlx::query("INSERT INTO growing (id) SELECT generate_series($1::bigint, $2::bigint)")
        .bind(from)
        .bind(from + count - 1)
        .execute(pool)
        .await
        .expect("insert rows");
}

#[tokio::test]
async fn a_filling_database_is_analysed_as_its_tables_double() {
    let Some(url) = support::postgres::fresh_database().await else {
        return;
    };
    let store = PostgresStore::connect(&url, StoreOptions::default())
        .await
        .expect("connect the store");
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await
        .expect("connect");
    // Autovacuum is kept off this table, so that every analysis seen is the store's.
    sqlx::query("CREATE TABLE growing (id bigint PRIMARY KEY) WITH (autovacuum_enabled = false)")
        .execute(&pool)
        .await
        .expect("create a table");

    // A table that fills is analysed by the store within seconds, long before autovacuum
    // would look (its default nap is a minute), and without anyone asking.
    insert_rows(&pool, 1, 2 * MIN_CHANGED_ROWS).await;
    let started = Instant::now();
    let first = loop {
        if let Some(at) = analysed(&pool, "growing").await {
            break at;
        }
        assert!(
            started.elapsed() < PUBLISHED_WITHIN,
            "the store did not analyse a table of {} new rows within {PUBLISHED_WITHIN:?}",
            2 * MIN_CHANGED_ROWS
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    // Grown by less than it held, it is left alone...
    insert_rows(&pool, 2 * MIN_CHANGED_ROWS + 1, MIN_CHANGED_ROWS).await;
    let started = Instant::now();
    loop {
        let changed: i64 = sqlx::query_scalar(
            "SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 'growing'",
        )
        .fetch_one(&pool)
        .await
        .expect("read pg_stat_user_tables");
        if changed >= MIN_CHANGED_ROWS {
            break;
        }
        assert!(
            started.elapsed() < PUBLISHED_WITHIN,
            "PostgreSQL did not publish the new rows"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Three of the store's looks at the tables.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        analysed(&pool, "growing").await,
        Some(first),
        "a table grown by half was analysed again"
    );
    // ...and once it has doubled, analysed again.
    insert_rows(&pool, 3 * MIN_CHANGED_ROWS + 1, 2 * MIN_CHANGED_ROWS).await;
    let started = Instant::now();
    loop {
        if analysed(&pool, "growing")
            .await
            .is_some_and(|at| at > first)
        {
            break;
        }
        assert!(
            started.elapsed() < PUBLISHED_WITHIN,
            "the store did not analyse the table again once it had doubled"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let rows: f32 = sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE relname = 'growing'")
        .fetch_one(&pool)
        .await
        .expect("read pg_class");
    assert_eq!(
        rows,
        (5 * MIN_CHANGED_ROWS) as f32,
        "the planner's row count is the table's"
    );
    drop(store);
    pool.close().await;
}
