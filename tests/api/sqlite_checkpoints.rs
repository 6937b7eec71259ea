//! SQLite: what the writer commits reaches the database file by the store's own checkpoints,
//! made beside the writer, long before the WAL reaches the writer's bound (10,000 pages), at
//! which the writer would checkpoint inside a commit (see `src/store/sqlite_checkpoints.rs`).
//! PostgreSQL's checkpoints are the server's own.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _};

use crate::support;
use support::app::Backend;

/// Well past a few of the store's checkpoints (one every 250 ms).
const COPIED_WITHIN: Duration = Duration::from_secs(10);

/// The transactions found in the database file alone, without its WAL: a copy of the file
/// opened on its own (`None` while the copy cannot be read, e.g. taken mid-checkpoint or
/// before the tables were copied).
async fn transactions_in_the_file(
    database: &std::path::Path,
    copy: &std::path::Path,
) -> Option<i64> {
    std::fs::copy(database, copy).ok()?;
    let _ = std::fs::remove_file(copy.with_extension("db-wal"));
    let _ = std::fs::remove_file(copy.with_extension("db-shm"));
    let mut connection = SqliteConnectOptions::new()
        .filename(copy)
        .connect()
        .await
        .ok()?;
    let count = sqlx::query_scalar("SELECT COUNT(*) FROM transactions")
        .fetch_one(&mut connection)
        .await
        .ok();
    let _ = connection.close().await;
    count
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn committed_writes_reach_the_database_file_beside_the_writer() {
    let app = support::app::spawn(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let group = app.create_group("Tsuen Wan").await;
    app.create_account(&group, "assets:cash:HKD", "asset", "HKD", false)
        .await;
    app.create_account(&group, "liabilities:savings:ana", "liability", "HKD", false)
        .await;
    for _ in 0..20 {
        let reply = app
            .transfer(
                &group,
                "assets:cash:HKD",
                "liabilities:savings:ana",
                "10.00",
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }

    let database = std::path::PathBuf::from(
        app.database_url
            .strip_prefix("sqlite://")
            .expect("a SQLite URL"),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join("copy.db");
    let began = Instant::now();
    let mut found = None;
    while began.elapsed() < COPIED_WITHIN {
        found = transactions_in_the_file(&database, &copy).await;
        if found == Some(20) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        found,
        Some(20),
        "the database file without its WAL holds every committed transaction"
    );
}
