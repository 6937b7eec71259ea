//! Group commit against a real database: who shares a commit, and who is undone alone.

use std::str::FromStr;
use std::time::Duration;

use sqlx::Sqlite;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::*;

fn classify(error: &sqlx::Error) -> ErrorClass {
    match error {
        sqlx::Error::Database(_) => ErrorClass::Fatal,
        _ => ErrorClass::Unavailable,
    }
}

impl<DB: sqlx::Database> GroupCommit<DB> {
    /// Writes that have joined the open batch.
    fn joined(&self) -> usize {
        let open = self.open.lock().unwrap();
        open.as_ref()
            .map(|batch| batch.members.lock().unwrap().joined)
            .unwrap_or(0)
    }
}

async fn database() -> (SqlitePool, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("batch.db").display());
    let options = SqliteConnectOptions::from_str(&url)
        .unwrap()
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE notes (value TEXT PRIMARY KEY)")
        .execute(&pool)
        .await
        .unwrap();
    (pool, dir)
}

/// One write as the store makes it: join a batch, take its transaction, insert `value`
/// in a savepoint, hand the transaction back, and wait for the commit.
async fn write(
    commits: &GroupCommit<Sqlite>,
    pool: &SqlitePool,
    value: String,
) -> Result<(), Failure> {
    let member = commits.join(false);
    let mut slot = member.slot().await;
    if slot.needs_begin() {
        let begun = pool.begin_with("BEGIN IMMEDIATE").await;
        slot.begun(begun, classify);
    }
    let mut tx = match slot.take() {
        Ok(tx) => tx,
        Err(failure) => {
            drop(slot);
            member.leave();
            return Err(failure);
        }
    };
    sqlx::query("SAVEPOINT batch_member")
        .execute(&mut *tx)
        .await
        .unwrap();
    let inserted = sqlx::query("INSERT INTO notes (value) VALUES ($1)")
        .bind(&value)
        .execute(&mut *tx)
        .await;
    if inserted.is_err() {
        sqlx::query("ROLLBACK TO SAVEPOINT batch_member")
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    sqlx::query("RELEASE SAVEPOINT batch_member")
        .execute(&mut *tx)
        .await
        .unwrap();
    slot.put_back(tx);
    drop(slot);
    match inserted {
        Ok(_) => member.finish().await,
        Err(e) => {
            member.leave();
            Err(Failure::of(classify(&e), &e))
        }
    }
}

async fn notes(pool: &SqlitePool) -> Vec<String> {
    sqlx::query_scalar("SELECT value FROM notes ORDER BY value")
        .fetch_all(pool)
        .await
        .unwrap()
}

/// Starts `values.len()` writes while a first member holds the batch open, waits until
/// they have all joined it, then lets the batch run. Returns each write's outcome.
async fn writes_in_one_batch(
    commits: &Arc<GroupCommit<Sqlite>>,
    pool: &SqlitePool,
    values: &[&str],
) -> Vec<Result<(), Failure>> {
    let holder = commits.join(false);
    let slot = holder.slot().await;
    let tasks: Vec<_> = values
        .iter()
        .map(|value| {
            let (commits, pool, value) = (commits.clone(), pool.clone(), value.to_string());
            tokio::spawn(async move { write(&commits, &pool, value).await })
        })
        .collect();
    while commits.joined() < values.len() + 1 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    drop(slot);
    holder.finish().await.unwrap();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_that_arrive_together_share_one_commit() {
    let (pool, _dir) = database().await;
    let commits = Arc::new(GroupCommit::new(64, classify));
    let values = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let outcomes = writes_in_one_batch(&commits, &pool, &values).await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(notes(&pool).await, values);
    assert_eq!(
        commits.counts(),
        CommitCounts {
            commits: 1,
            writes: 8
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_write_is_undone_alone() {
    let (pool, _dir) = database().await;
    sqlx::query("INSERT INTO notes (value) VALUES ('taken')")
        .execute(&pool)
        .await
        .unwrap();
    let commits = Arc::new(GroupCommit::new(64, classify));
    let outcomes = writes_in_one_batch(&commits, &pool, &["a", "taken", "b", "c"]).await;
    assert!(outcomes[0].is_ok() && outcomes[2].is_ok() && outcomes[3].is_ok());
    let refused = outcomes[1].as_ref().unwrap_err();
    assert!(refused.message.contains("UNIQUE"), "{refused:?}");
    assert_eq!(notes(&pool).await, ["a", "b", "c", "taken"]);
    assert_eq!(commits.counts().commits, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_cancelled_holding_the_transaction_makes_the_others_retry() {
    let (pool, _dir) = database().await;
    let commits = Arc::new(GroupCommit::new(64, classify));
    // The first member begins the transaction, writes, and is cancelled mid-way: its
    // future (here: its member, slot guard and transaction) is dropped.
    let first = commits.join(false);
    let mut slot = first.slot().await;
    let begun = pool.begin_with("BEGIN IMMEDIATE").await;
    slot.begun(begun, classify);
    let mut tx = slot.take().unwrap();
    sqlx::query("INSERT INTO notes (value) VALUES ('cancelled')")
        .execute(&mut *tx)
        .await
        .unwrap();
    let second = {
        let (commits, pool) = (commits.clone(), pool.clone());
        tokio::spawn(async move { write(&commits, &pool, "second".into()).await })
    };
    while commits.joined() < 2 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    drop(tx);
    drop(slot);
    drop(first);
    let failure = second.await.unwrap().unwrap_err();
    assert_eq!(failure.class, ErrorClass::Retry, "{failure:?}");
    assert!(notes(&pool).await.is_empty());
    assert_eq!(commits.counts().commits, 0);
    // The next write starts a new batch and goes through.
    write(&commits, &pool, "again".into()).await.unwrap();
    assert_eq!(notes(&pool).await, ["again"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bound_of_one_gives_every_write_its_own_commit() {
    let (pool, _dir) = database().await;
    let commits = Arc::new(GroupCommit::new(1, classify));
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let (commits, pool) = (commits.clone(), pool.clone());
            tokio::spawn(async move { write(&commits, &pool, format!("v{i}")).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(notes(&pool).await.len(), 10);
    assert_eq!(
        commits.counts(),
        CommitCounts {
            commits: 10,
            writes: 10
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_begin_fails_every_member_with_its_class() {
    let (pool, _dir) = database().await;
    let commits = Arc::new(GroupCommit::new(64, classify));
    pool.close().await;
    let failure = write(&commits, &pool, "x".into()).await.unwrap_err();
    assert_eq!(failure.class, ErrorClass::Unavailable, "{failure:?}");
    assert_eq!(commits.counts().commits, 0);
}
