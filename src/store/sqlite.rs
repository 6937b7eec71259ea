//! The SQLite backend: one file, WAL, `synchronous=FULL`, writers serialised by
//! `BEGIN IMMEDIATE` (SQLite has one writer at a time; immediate mode takes the write lock at
//! the start, so a transaction never fails half-way for want of it).

use super::ledger::WriteScript;
use crate::domain::canonical::to_canonical_string;
use crate::domain::model::{Entry, Transaction};
use crate::store::network::trend::STORED_THROUGH;
use crate::store::shared::{ENTRY_ROWS_PER_INSERT, ROWS_PER_STATEMENT};
use std::str::FromStr;
use std::time::Duration;
use uuid::Uuid;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::StoreOptions;
use super::backend::{Backend, Ledger, Tx};
use super::shared::{ErrorClass, LineRead, PostingRows, TxError, internal, recorded_now};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The SQLite database: the pool reads run on, and the one connection every write transaction
/// runs on (see `connect`).
#[derive(Clone)]
pub struct SqliteBackend {
    pool: SqlitePool,
    writer: SqlitePool,
    /// The read pool as the task that checkpoints the WAL knows it (weakly): it stops when
    /// the last handle on the store is dropped (see `sqlite_checkpoints`).
    _checkpoints: std::sync::Arc<SqlitePool>,
}

/// The store on SQLite.
pub type SqliteStore = Ledger<SqliteBackend>;

/// How long a write waits for the database's write lock while another connection or
/// another process holds it. A write still waiting when it runs out is answered 503 with
/// `Retry-After` (see `classify`).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for a pooled connection.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

impl Backend for SqliteBackend {
    type Db = sqlx::Sqlite;

    const NAME: &'static str = "sqlite";
    /// SQLite serialises all writers in `BEGIN IMMEDIATE`, so reading the row is enough.
    const LOCK_GROUP_SQL: &'static str = "SELECT * FROM groups WHERE id = $1";
    /// `BEGIN IMMEDIATE` already serialises every writer.
    const LOCK_ADMIN_GRANTS_SQL: &'static str = "SELECT id FROM grants WHERE role = 'admin'";
    /// A write that joins a batch runs as the others do: `BEGIN IMMEDIATE` took the one
    /// write lock for the whole batch, so it never waits on another writer.
    /// Ends the statement that reads several group rows for a write, sorted by id. SQLite serialises all writers in `BEGIN IMMEDIATE`: reading the rows is enough.
    const LOCK_GROUPS_TAIL: &'static str = "";
    /// How several write statements are sent (see `WriteScript`). SQLite takes each by itself, kept prepared on the writer's connection.
    const WRITES_AS_CTES: bool = false;
    const JOINED_MEMBER_SQL: Option<&'static str> = None;
    /// Dates are `YYYY-MM-DD` text: a month's first day is the first eight characters and
    /// `01`. SQLite drives the join from the members, through each account's index range.
    const SAVINGS_MONTHS_SQL: &'static str = const_format::concatcp!(
        "SELECT m.id AS member_id, \
         CASE WHEN e.booked_on > $3 THEN NULL ELSE substr(e.booked_on, 1, 8) || '01' END AS month, \
         CAST(SUM(CASE WHEN e.direction = 'credit' THEN e.amount_minor ELSE 0 END) AS BIGINT) AS credits_minor, \
         CAST(SUM(CASE WHEN e.direction = 'debit' THEN e.amount_minor ELSE 0 END) AS BIGINT) AS debits_minor \
         FROM members m JOIN groups g ON g.id = m.group_id JOIN entries e ON e.account_id = m.savings_account_id \
         WHERE ($1 IS NULL OR g.host_country = $1) AND ($2 IS NULL OR g.home_country = $2) AND ($5 IS NULL OR g.id = $5) \
         AND ",
        STORED_THROUGH,
        " < $3 AND e.booked_on > ",
        STORED_THROUGH,
        " GROUP BY m.id, CASE WHEN e.booked_on > $3 THEN NULL ELSE substr(e.booked_on, 1, 8) || '01' END"
    );

    async fn begin_write(&self) -> Result<Tx<Self::Db>, sqlx::Error> {
        self.writer.begin_with("BEGIN IMMEDIATE").await
    }

    /// An account's lines in a period, in the statement's order (`STATEMENT_LINES_SQL`).
    async fn statement_lines(
        tx: &mut Tx<Self::Db>,
        account_id: uuid::Uuid,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
        group_id: uuid::Uuid,
    ) -> Result<Vec<LineRead>, TxError> {
        let array: String = sqlx::query_scalar(STATEMENT_LINES_SQL)
            .bind(account_id)
            .bind(from)
            .bind(to)
            .bind(group_id)
            .fetch_one(&mut **tx)
            .await?;
        type Read<'a> = (&'a str, i64, &'a str, &'a str, i64, String);
        let read: Vec<Read> =
            serde_json::from_str(&array).map_err(|e| internal(format!("statement lines: {e}")))?;
        let mut lines = Vec::with_capacity(read.len());
        for (transaction_id, sequence, booked_on, direction, amount_minor, description) in read {
            lines.push(LineRead {
                transaction_id: uuid::Uuid::try_parse(transaction_id)
                    .map_err(|e| internal(format!("statement line id: {e}")))?,
                sequence,
                booked_on: chrono::NaiveDate::parse_from_str(booked_on, "%Y-%m-%d")
                    .map_err(|e| internal(format!("statement line date: {e}")))?,
                direction: direction.to_string(),
                amount_minor,
                description,
            });
        }
        Ok(lines)
    }

    async fn begin_read(&self) -> Result<Tx<Self::Db>, sqlx::Error> {
        // A deferred transaction reads one WAL snapshot from its first statement on.
        self.pool.begin().await
    }

    fn rows_affected(result: &sqlx::sqlite::SqliteQueryResult) -> u64 {
        result.rows_affected()
    }

    fn classify(error: &sqlx::Error) -> ErrorClass {
        match error {
            sqlx::Error::Database(db) => {
                let code = db.code().and_then(|c| c.parse::<i32>().ok()).unwrap_or(0);
                match code {
                    // Plain SQLITE_BUSY, and SQLITE_BUSY_TIMEOUT: the lock stayed taken for
                    // the whole busy timeout (every write begins IMMEDIATE, which waits for
                    // it). Trying again would only wait as long again: the database is
                    // unavailable for now.
                    5 | 773 => ErrorClass::Unavailable,
                    // Other busy and locked codes (SQLITE_BUSY_RECOVERY, SQLITE_BUSY_SNAPSHOT,
                    // SQLITE_LOCKED and its extended codes) come back at once and pass.
                    _ if matches!(code & 0xff, 5 | 6) => ErrorClass::Retry,
                    _ => ErrorClass::Fatal,
                }
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                ErrorClass::Unavailable
            }
            _ => ErrorClass::Fatal,
        }
    }

    async fn ready_check(&self) -> anyhow::Result<()> {
        check_migrations(&self.pool).await
    }

    async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await
    }

    fn pools(&self) -> Vec<super::PoolStats> {
        vec![
            super::PoolStats::of("read", &self.pool),
            super::PoolStats::of("write", &self.writer),
        ]
    }

    /// Writes the rows of postings (`PostingRows`): a statement a table, with as many rows
    /// each as there are, each kept prepared (`WriteScript`); then the events, numbered
    /// after their groups' last (`Ledger::append_events`), and the member events.
    async fn write_postings(tx: &mut Tx<Self::Db>, rows: &PostingRows<'_>) -> Result<(), TxError> {
        let mut script = WriteScript::<Self>::new();
        transaction_rows(&mut script, tx, rows.transactions).await?;
        entry_rows(&mut script, tx, rows.transactions).await?;
        total_rows(&mut script, tx, rows.totals).await?;
        head_rows(&mut script, tx, rows.heads).await?;
        remembered_rows(&mut script, tx, rows.remembered).await?;
        script.audit_events(tx, rows.audits).await?;
        script.audit_heads(tx, rows.audit_heads).await?;
        script.send(tx).await?;
        if !rows.events.is_empty() {
            SqliteStore::append_events(tx, rows.events).await?;
        }
        if !rows.member_events.is_empty() {
            SqliteStore::insert_member_events(tx, rows.member_events).await?;
        }
        Ok(())
    }
}

type Script = WriteScript<SqliteBackend>;
type Sqlite = sqlx::Sqlite;

/// The transactions' rows, ROWS_PER_STATEMENT to a statement.
async fn transaction_rows(
    script: &mut Script,
    tx: &mut Tx<Sqlite>,
    transactions: &[&Transaction],
) -> Result<(), TxError> {
    for chunk in transactions.chunks(ROWS_PER_STATEMENT) {
        script.statement(tx).await?;
        script.push(
            "INSERT INTO transactions (id, group_id, sequence, booked_on, recorded_at, \
             description, metadata, reverses_id, previous_hash, hash, created_by) VALUES ",
        );
        for (n, t) in chunk.iter().enumerate() {
            script.push(if n == 0 { "(" } else { ", (" });
            script
                .bind(t.id)
                .push(", ")
                .bind(t.group_id)
                .push(", ")
                .bind(t.sequence)
                .push(", ");
            script
                .bind(t.booked_on)
                .push(", ")
                .bind(t.recorded_at)
                .push(", ");
            script
                .bind(t.description.clone())
                .push(", ")
                .bind(to_canonical_string(&t.metadata))
                .push(", ");
            script
                .bind(t.reverses)
                .push(", ")
                .bind(t.previous_hash.clone())
                .push(", ");
            script
                .bind(t.hash.clone())
                .push(", ")
                .bind(t.created_by)
                .push(")");
        }
    }
    Ok(())
}

/// The transactions' entries, ENTRY_ROWS_PER_INSERT to a statement.
async fn entry_rows(
    script: &mut Script,
    tx: &mut Tx<Sqlite>,
    transactions: &[&Transaction],
) -> Result<(), TxError> {
    let entries: Vec<(&Transaction, &Entry)> = transactions
        .iter()
        .flat_map(|t| t.entries.iter().map(move |e| (*t, e)))
        .collect();
    for chunk in entries.chunks(ENTRY_ROWS_PER_INSERT) {
        script.statement(tx).await?;
        script.push(
            "INSERT INTO entries (group_id, transaction_id, line, account_id, direction, \
             amount_minor, currency, booked_on, sequence) VALUES ",
        );
        for (n, (t, e)) in chunk.iter().enumerate() {
            script.push(if n == 0 { "(" } else { ", (" });
            script
                .bind(t.group_id)
                .push(", ")
                .bind(t.id)
                .push(", ")
                .bind(e.line)
                .push(", ");
            script
                .bind(e.account_id)
                .push(", ")
                .bind(e.direction.as_str())
                .push(", ");
            script
                .bind(e.amount_minor)
                .push(", ")
                .bind(e.currency.code())
                .push(", ");
            script
                .bind(t.booked_on)
                .push(", ")
                .bind(t.sequence)
                .push(")");
        }
    }
    Ok(())
}

/// The accounts' new totals: one UPDATE for many rows, each row's values picked by its id.
async fn total_rows(
    script: &mut Script,
    tx: &mut Tx<Sqlite>,
    totals: &[(Uuid, Uuid, i64, i64)],
) -> Result<(), TxError> {
    for chunk in totals.chunks(ROWS_PER_STATEMENT) {
        script.statement(tx).await?;
        script.push("UPDATE accounts SET debits_minor = CASE id");
        for (_, account, debits, _) in chunk {
            script
                .push(" WHEN ")
                .bind(*account)
                .push(" THEN ")
                .bind(*debits);
        }
        script.push(" END, credits_minor = CASE id");
        for (_, account, _, credits) in chunk {
            script
                .push(" WHEN ")
                .bind(*account)
                .push(" THEN ")
                .bind(*credits);
        }
        script.push(" END WHERE id IN (");
        for (n, (_, account, _, _)) in chunk.iter().enumerate() {
            script.push(if n == 0 { "" } else { ", " }).bind(*account);
        }
        script.push(") AND group_id IN (");
        for (n, (group, _, _, _)) in chunk.iter().enumerate() {
            script.push(if n == 0 { "" } else { ", " }).bind(*group);
        }
        script.push(")");
    }
    Ok(())
}

/// The groups' new heads, as the totals.
async fn head_rows(
    script: &mut Script,
    tx: &mut Tx<Sqlite>,
    heads: &[(Uuid, i64, &str)],
) -> Result<(), TxError> {
    for chunk in heads.chunks(ROWS_PER_STATEMENT) {
        script.statement(tx).await?;
        script.push("UPDATE groups SET head_sequence = CASE id");
        for (group, sequence, _) in chunk {
            script
                .push(" WHEN ")
                .bind(*group)
                .push(" THEN ")
                .bind(*sequence);
        }
        script.push(" END, head_hash = CASE id");
        for (group, _, hash) in chunk {
            script
                .push(" WHEN ")
                .bind(*group)
                .push(" THEN ")
                .bind(hash.to_string());
        }
        script.push(" END WHERE id IN (");
        for (n, (group, _, _)) in chunk.iter().enumerate() {
            script.push(if n == 0 { "" } else { ", " }).bind(*group);
        }
        script.push(")");
    }
    Ok(())
}

/// The outcomes remembered with their idempotency keys.
async fn remembered_rows(
    script: &mut Script,
    tx: &mut Tx<Sqlite>,
    remembered: &[(String, String, String, crate::store::StoredResponse)],
) -> Result<(), TxError> {
    let now = recorded_now();
    for chunk in remembered.chunks(ROWS_PER_STATEMENT) {
        script.statement(tx).await?;
        script.push("INSERT INTO idempotency_keys (scope, key, request_hash, status, body, created_at) VALUES ");
        for (n, (scope, key, request_hash, response)) in chunk.iter().enumerate() {
            script.push(if n == 0 { "(" } else { ", (" });
            script
                .bind(scope.clone())
                .push(", ")
                .bind(key.clone())
                .push(", ");
            script
                .bind(request_hash.clone())
                .push(", ")
                .bind(i32::from(response.status))
                .push(", ");
            script
                .bind(response.body.clone())
                .push(", ")
                .bind(now)
                .push(")");
        }
    }
    Ok(())
}

async fn check_migrations(pool: &SqlitePool) -> anyhow::Result<()> {
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = 1")
            .fetch_one(pool)
            .await?;
    let known = MIGRATOR.iter().count() as i64;
    anyhow::ensure!(applied >= known, "{applied} of {known} migrations applied");
    Ok(())
}

/// Prepared statements the writer's connection keeps. The writes' statements take a few
/// hundred shapes at most (a table and a number of rows each, `WriteScript`; and a number of
/// groups, chains or keys for the reads of a gathering), and far fewer under a steady load;
/// past this, the least recently used is compiled again when next needed.
const WRITER_STATEMENTS: usize = 512;

/// The read connections, each on a thread of its own.
const READ_CONNECTIONS: u32 = 8;

/// The name of the writer connection's thread.
pub const WRITER_THREAD: &str = "sqlite-writer";

impl SqliteStore {
    /// Opens (creating if missing) and migrates the database file a `sqlite:` URL names.
    pub async fn connect(url: &str, store_options: StoreOptions) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?;
        if !url.contains("mode=memory")
            && options.get_filename() != std::path::Path::new(":memory:")
        {
            owner_only(options.get_filename())?;
        }
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        // No connection is pinged before the pool hands it out: nothing outside the process
        // can drop a SQLite connection, and the ping was a round trip to the connection's
        // thread for every read and every write (the pool still pings one when it comes back).
        // The read connections are all opened once the migrations have run, from the caller's
        // thread, and kept for good: a connection's thread runs on the processors of the
        // thread that opens it, and the gathered reads of accounts run on the writing thread,
        // which keeps to one processor (below), where reads opened later would be kept too.
        let pool = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .idle_timeout(None)
            .max_lifetime(None)
            .test_before_acquire(false)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.clone())
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the SQLite database: {e}"))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| anyhow::anyhow!("SQLite migration failed: {e}"))?;
        let mut opened = Vec::with_capacity(READ_CONNECTIONS as usize);
        for _ in 0..READ_CONNECTIONS {
            opened.push(
                pool.acquire()
                    .await
                    .map_err(|e| anyhow::anyhow!("cannot open the SQLite database: {e}"))?,
            );
        }
        drop(opened);
        // SQLite has one writer at a time, so writes lose nothing by sharing one connection,
        // and gain: they queue for it in the process instead of in SQLite's busy handler,
        // which sleeps, and the connection's page cache stays valid from one write to the
        // next, where a connection that another had written behind must read its pages
        // again. That cache is given 8 MiB (the default is 2 MiB), so that most pages a
        // write touches (index leaves at random places, for idempotency keys and accounts'
        // entries) are found in it, and no more: a commit after a page split that renumbered
        // pages walks the whole cache (docs/DECISIONS.md), and the pages it misses are read
        // back from the system's file cache. The WAL is copied into the database file by a task
        // of the store, on a read connection (`sqlite_checkpoints`); this connection's own
        // automatic checkpoint, every 10,000 pages of WAL (about 40 MiB) rather than 1,000,
        // is the backstop that lets the WAL start again from its beginning.
        // Its temporary files (the statement journal a statement that changes several rows
        // keeps within a savepoint) are kept in memory: on disk, each gathering created,
        // unlinked and closed one, in the path of every write waiting on it.
        // Its write statements are kept prepared, one per table and number of rows
        // (`WriteScript`), besides the reads that writes make.
        // A write waits for the connection no longer than it would wait for SQLite's lock.
        // Each statement of a gathering is handed from the writing thread (`spawn_writer`) to
        // the connection's thread and its answer back. On two threads that the system runs on
        // different processors, each hand-off wakes the other processor, and a gathering makes
        // a dozen of them: so the writing thread keeps to one processor and opens the
        // connection there, whose thread then starts on that processor too. The connection is
        // kept open for good (no idle or lifetime limit). Should it fail, the next is opened by
        // the write that needs it, on whatever thread that runs: the writes are then as slow
        // as they were before, until the service restarts.
        let writer_options = options
            .thread_name(|_| WRITER_THREAD.to_string())
            .statement_cache_capacity(WRITER_STATEMENTS)
            .pragma("cache_size", "-8192")
            .pragma("wal_autocheckpoint", "10000")
            .pragma("temp_store", "memory");
        let writer = super::shared::on_writer(async move {
            super::shared::keep_thread_on_one_processor();
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .test_before_acquire(false)
                .acquire_timeout(BUSY_TIMEOUT)
                .connect_with(writer_options)
                .await
        })
        .await?
        .map_err(|e| anyhow::anyhow!("cannot open the SQLite database: {e}"))?;
        let checkpoints = std::sync::Arc::new(pool.clone());
        super::sqlite_checkpoints::keep_copying(&checkpoints);
        let group_commit_max = store_options
            .group_commit_max
            .unwrap_or(super::SQLITE_GROUP_COMMIT_MAX);
        let lanes = store_options
            .write_lanes
            .unwrap_or(super::SQLITE_WRITE_LANES);
        Ok(Ledger::new(
            SqliteBackend {
                pool: pool.clone(),
                writer,
                _checkpoints: checkpoints,
            },
            pool,
            group_commit_max,
            lanes,
        ))
    }
}

/// An account's lines in a period ($1 account, $2 from, $3 to, $4 group), each with its
/// transaction's description, as one JSON array in the statement's order. SQLite reads
/// the lines from the index on the account and looks up each transaction by its key. The
/// driver hands every row from the connection's thread to the task that reads it, at a
/// few microseconds a row, which for a month of a busy cash account (some 15,000 lines)
/// cost more than the query; one row holding every line is handed over once.
const STATEMENT_LINES_SQL: &str = "SELECT json_group_array(json_array(lower(hex(e.transaction_id)), e.sequence, e.booked_on, \
     e.direction, e.amount_minor, t.description) ORDER BY e.booked_on, e.sequence, e.line) \
     FROM entries e JOIN transactions t ON t.id = e.transaction_id \
     WHERE e.account_id = $1 AND e.booked_on >= COALESCE($2, '0001-01-01') AND e.booked_on <= COALESCE($3, '9999-12-31') \
     AND t.group_id = $4";

/// Creates the database file readable and writable by its owner only when it does not exist
/// yet (SQLite gives its WAL and journal files the permissions of the database file), and
/// warns when an existing one may be read by other users: it holds the secret that signs
/// tokens, with which anyone who reads it could sign in as anyone.
fn owner_only(path: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match created {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                tracing::warn!(
                    path = %path.display(),
                    mode = format!("{mode:o}"),
                    "the database file may be read by other users, and it holds the secret \
                     that signs tokens: make it readable by its owner only (chmod 600)"
                );
            }
            Ok(())
        }
        Err(e) => Err(anyhow::anyhow!(
            "cannot create the database file {}: {e}",
            path.display()
        )),
    }
}
