//! The PostgreSQL backend. A group's writers queue on its row (`SELECT ... FOR UPDATE`), so
//! writes to different groups run in parallel and several service processes can share one
//! database. Serialization failures and deadlocks are retried by the shared write loop.

use crate::domain::canonical::to_canonical_string;
use crate::domain::model::{Entry, Transaction};
use crate::store::network::trend::STORED_THROUGH;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use sqlx::Row as _;

use super::StoreOptions;
use super::backend::{Backend, Ledger, Tx};
use super::pg_hosts::{self, Hosts, LastMove};
use super::pg_statistics;
use super::shared::{ErrorClass, LineRead, PostingRows, TxError, internal, recorded_now};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The PostgreSQL database's pool.
#[derive(Clone)]
pub struct PostgresBackend {
    pool: PgPool,
    /// The pool as the task that keeps the planner's statistics fresh knows it (weakly): it
    /// stops when the last handle on the store is dropped (see `pg_statistics`).
    _statistics: Arc<PgPool>,
}

/// The store on PostgreSQL.
pub type PostgresStore = Ledger<PostgresBackend>;

/// Longest wait for a pooled connection, connecting included. When the database is down,
/// every new connection is refused and the pool keeps trying until this runs out; a request
/// is then answered 503 with `Retry-After` rather than held until the request timeout. The
/// pool opens connections again by itself once the database is back.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// A pooled connection idle this long is asked whether the server still answers before it is
/// handed out; one in use more recently is handed out as it is. The pool asks every connection
/// when it comes back, so one the server dropped while it was in use never returns; asking
/// again at every hand-out was a round trip to the server for every transaction and every
/// gathered read. A connection dropped while it waited in the pool (the server restarted) is
/// found out by the statement it is given, which fails as a database unavailable (503, the
/// client retries) and closes it.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

impl Backend for PostgresBackend {
    type Db = sqlx::Postgres;

    const NAME: &'static str = "postgres";
    const LOCK_GROUP_SQL: &'static str = "SELECT * FROM groups WHERE id = $1 FOR UPDATE";
    const LOCK_ADMIN_GRANTS_SQL: &'static str =
        "SELECT id FROM grants WHERE role = 'admin' FOR UPDATE";
    /// A write that joins a batch after others have taken row locks may wait only briefly
    /// for a lock of its own: two batches (of two processes, or a full batch and the next)
    /// each holding a lock the other wants would otherwise wait for the deadlock detector.
    /// Past the timeout it gives way (`lock_not_available`, retried) and goes first in a batch
    /// of its own, where it waits as long as it needs. The first write of a batch holds no
    /// lock of the batch's and always waits.
    /// Ends the statement that reads several group rows for a write, sorted by id. Each group row read is locked, in the order of the ids (see `lock_groups`).
    const LOCK_GROUPS_TAIL: &'static str = " FOR UPDATE";
    /// How several write statements share one round trip (see `WriteScript`). PostgreSQL takes one statement with parameters per message: several writes go as the data-modifying parts of one `WITH` statement.
    const WRITES_AS_CTES: bool = true;
    const JOINED_MEMBER_SQL: Option<&'static str> = Some("SET LOCAL lock_timeout = '200ms'");
    /// Each member's entries are added up in a lateral subquery, so the planner reads each
    /// account's index range (`entries_by_account_lines` covers every column read) rather
    /// than scanning every entry of the network and joining them to the accounts.
    const SAVINGS_MONTHS_SQL: &'static str = const_format::concatcp!(
        "SELECT m.id AS member_id, x.month, x.credits_minor, x.debits_minor \
         FROM members m JOIN groups g ON g.id = m.group_id \
         CROSS JOIN LATERAL (SELECT \
         CASE WHEN e.booked_on > $3 THEN NULL ELSE CAST(date_trunc('month', CAST(e.booked_on AS timestamp)) AS date) END AS month, \
         CAST(SUM(CASE WHEN e.direction = 'credit' THEN e.amount_minor ELSE 0 END) AS BIGINT) AS credits_minor, \
         CAST(SUM(CASE WHEN e.direction = 'debit' THEN e.amount_minor ELSE 0 END) AS BIGINT) AS debits_minor \
         FROM entries e WHERE e.account_id = m.savings_account_id AND e.booked_on > ",
        STORED_THROUGH,
        " GROUP BY 1) x \
         WHERE ($1 IS NULL OR g.host_country = $1) AND ($2 IS NULL OR g.home_country = $2) AND ($5 IS NULL OR g.id = $5) \
         AND ",
        STORED_THROUGH,
        " < $3"
    );

    async fn begin_write(&self) -> Result<Tx<Self::Db>, sqlx::Error> {
        self.pool.begin().await
    }

    /// An account's lines in a period, in the statement's order (`STATEMENT_LINES_SQL`).
    async fn statement_lines(
        tx: &mut Tx<Self::Db>,
        account_id: uuid::Uuid,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
        group_id: uuid::Uuid,
    ) -> Result<Vec<LineRead>, TxError> {
        let rows = sqlx::query(STATEMENT_LINES_SQL)
            .bind(account_id)
            .bind(from)
            .bind(to)
            .bind(group_id)
            .fetch_all(&mut **tx)
            .await?;
        let mut lines = Vec::with_capacity(rows.len());
        for row in &rows {
            lines.push(LineRead {
                transaction_id: row.try_get("transaction_id")?,
                sequence: row.try_get("sequence")?,
                booked_on: row.try_get("booked_on")?,
                direction: row.try_get("direction")?,
                amount_minor: row.try_get("amount_minor")?,
                description: row.try_get("description")?,
            });
        }
        Ok(lines)
    }

    async fn begin_read(&self) -> Result<Tx<Self::Db>, sqlx::Error> {
        self.pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
    }

    fn rows_affected(result: &sqlx::postgres::PgQueryResult) -> u64 {
        result.rows_affected()
    }

    fn classify(error: &sqlx::Error) -> ErrorClass {
        match error {
            sqlx::Error::Database(db) => match db.code().as_deref() {
                // serialization_failure, deadlock_detected,
                // lock_not_available: a write in a batch gave way (see JOINED_MEMBER_SQL).
                Some("40001") | Some("40P01") | Some("55P03") => ErrorClass::Retry,
                // A lost race on an idempotency key (the retry finds the winner's outcome and
                // replays it) or on a username (the retry answers 409). Any other duplicate is
                // a fault that retrying would only repeat.
                Some("23505")
                    if matches!(
                        db.constraint(),
                        Some("idempotency_keys_pkey") | Some("users_username_key")
                    ) =>
                {
                    ErrorClass::Retry
                }
                // Connection exceptions, operator intervention (shutdown), insufficient resources,
                // and a write that reached a read-only host (a standby, during a failover).
                Some("25006") => ErrorClass::Unavailable,
                Some(code)
                    if code.starts_with("08")
                        || code.starts_with("57")
                        || code.starts_with("53") =>
                {
                    ErrorClass::Unavailable
                }
                _ => ErrorClass::Fatal,
            },
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => ErrorClass::Unavailable,
            _ => ErrorClass::Fatal,
        }
    }

    async fn ready_check(&self) -> anyhow::Result<()> {
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        let known = MIGRATOR.iter().count() as i64;
        anyhow::ensure!(applied >= known, "{applied} of {known} migrations applied");
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await
    }

    fn pools(&self) -> Vec<super::PoolStats> {
        vec![super::PoolStats::of("main", &self.pool)]
    }

    /// Writes the rows of postings (`PostingRows`) as the data-modifying parts of one `WITH`
    /// statement, each table's rows unnested from arrays bound column by column. Its text
    /// depends only on which of the tables get rows, not on how many, so it is prepared once
    /// per connection and then runs in one round trip; a statement built for the number of
    /// rows at hand had a new text for nearly every gathering, which the server parsed and
    /// planned each time, after a round trip of its own to describe it.
    /// A table that gets no rows is not named (an insert of nothing would still lock it). The
    /// foreign keys of entries on their transactions are checked at the end of the statement,
    /// when both are in. The postings' events are numbered by the statement itself
    /// (`events_part`), so neither reading their groups' last numbers nor inserting them is a
    /// round trip of its own.
    async fn write_postings(tx: &mut Tx<Self::Db>, rows: &PostingRows<'_>) -> Result<(), TxError> {
        let mut q = Cte::default();
        if !rows.transactions.is_empty() {
            transaction_parts(&mut q, rows);
        }
        if !rows.totals.is_empty() {
            totals_part(&mut q, rows);
        }
        if !rows.heads.is_empty() {
            heads_part(&mut q, rows);
        }
        if !rows.remembered.is_empty() {
            remembered_part(&mut q, rows);
        }
        if !rows.audits.is_empty() {
            audits_part(&mut q, rows)?;
        }
        if !rows.audit_heads.is_empty() {
            audit_heads_part(&mut q, rows);
        }
        if !rows.events.is_empty() {
            events_part(&mut q, rows)?;
        }
        if !rows.member_events.is_empty() {
            member_events_part(&mut q, rows);
        }
        if q.parts == 0 {
            return Ok(());
        }
        q.query
            .push(") SELECT 1")
            .build()
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

impl PostgresStore {
    /// Connects and migrates. Several processes may start at once: sqlx takes an advisory lock
    /// around the migrations.
    pub async fn connect(url: &str, store_options: StoreOptions) -> anyhow::Result<Self> {
        let hosts = Hosts::parse(url)?;
        // With several hosts, the one that takes writes; with one, that one.
        let (current, options) = if hosts.several() {
            hosts.find_writable().await.map_err(|why| {
                anyhow::anyhow!("no PostgreSQL host of the URL takes writes: {why}")
            })?
        } else {
            (0, hosts.first().clone())
        };
        // One direct connection first, so a refused connection or a wrong password is reported
        // as such rather than as a pool timeout.
        sqlx::Connection::close(
            <sqlx::PgConnection as sqlx::Connection>::connect_with(&options)
                .await
                .map_err(|e| anyhow::anyhow!("cannot connect to PostgreSQL: {e}"))?,
        )
        .await?;
        let moved = LastMove::default();
        let before_move = moved.clone();
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .test_before_acquire(false)
            // Compiling a network report's plan to machine code took longer than running it
            // (docs/DECISIONS.md, BENCHMARKS.md). Set on each new connection rather than as a
            // startup option, which connection poolers refuse.
            .after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::Executor::execute(conn, "SET jit = off").await?;
                    Ok(())
                })
            })
            .before_acquire(move |conn, meta| {
                let before_move = before_move.clone();
                Box::pin(async move {
                    // A connection to the host the pool left is closed, not handed out.
                    if before_move.predates(meta.age) {
                        return Ok(false);
                    }
                    if meta.idle_for >= IDLE_BEFORE_PING {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| anyhow::anyhow!("cannot connect to PostgreSQL: {e}"))?;
        if hosts.several() {
            pg_hosts::follow(pool.clone(), hosts, current, moved);
        }
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| anyhow::anyhow!("PostgreSQL migration failed: {e}"))?;
        let statistics = Arc::new(pool.clone());
        pg_statistics::keep_fresh(&statistics);
        let group_commit_max = store_options
            .group_commit_max
            .unwrap_or(super::POSTGRES_GROUP_COMMIT_MAX);
        let lanes = store_options
            .write_lanes
            .unwrap_or(super::POSTGRES_WRITE_LANES);
        Ok(Ledger::new(
            PostgresBackend {
                pool: pool.clone(),
                _statistics: statistics,
            },
            pool,
            group_commit_max,
            lanes,
        ))
    }
}

/// One `WITH` statement being built, a data-modifying part at a time.
#[derive(Default)]
struct Cte {
    query: sqlx::QueryBuilder<sqlx::Postgres>,
    parts: usize,
}

impl Cte {
    /// Opens the next part of the statement, named `name`, with its first words.
    fn part(&mut self, name: &str, sql: &str) -> &mut sqlx::QueryBuilder<sqlx::Postgres> {
        self.query
            .push(if self.parts == 0 { "WITH " } else { "), " });
        self.parts += 1;
        self.query.push(name).push(" AS (").push(sql)
    }
}

/// The transactions and their entries.
fn transaction_parts(q: &mut Cte, rows: &PostingRows<'_>) {
    let sql = "INSERT INTO transactions (id, group_id, sequence, booked_on, recorded_at, \
               description, metadata, reverses_id, previous_hash, hash, created_by) SELECT * FROM ";
    Unnest::of(q.part("t", sql))
        .column(rows.transactions.iter().map(|t| t.id), "uuid")
        .column(rows.transactions.iter().map(|t| t.group_id), "uuid")
        .column(rows.transactions.iter().map(|t| t.sequence), "bigint")
        .column(rows.transactions.iter().map(|t| t.booked_on), "date")
        .column(
            rows.transactions.iter().map(|t| t.recorded_at),
            "timestamptz",
        )
        .column(
            rows.transactions.iter().map(|t| t.description.clone()),
            "text",
        )
        .column(
            rows.transactions
                .iter()
                .map(|t| to_canonical_string(&t.metadata)),
            "text",
        )
        .column(rows.transactions.iter().map(|t| t.reverses), "uuid")
        .column(
            rows.transactions.iter().map(|t| t.previous_hash.clone()),
            "text",
        )
        .column(rows.transactions.iter().map(|t| t.hash.clone()), "text")
        .column(rows.transactions.iter().map(|t| t.created_by), "uuid")
        .end();
    let entries: Vec<(&Transaction, &Entry)> = rows
        .transactions
        .iter()
        .flat_map(|t| t.entries.iter().map(move |e| (*t, e)))
        .collect();
    let sql = "INSERT INTO entries (group_id, transaction_id, line, account_id, direction, \
               amount_minor, currency, booked_on, sequence) SELECT * FROM ";
    Unnest::of(q.part("e", sql))
        .column(entries.iter().map(|(t, _)| t.group_id), "uuid")
        .column(entries.iter().map(|(t, _)| t.id), "uuid")
        .column(entries.iter().map(|(_, e)| e.line), "int")
        .column(entries.iter().map(|(_, e)| e.account_id), "uuid")
        .column(
            entries
                .iter()
                .map(|(_, e)| e.direction.as_str().to_string()),
            "text",
        )
        .column(entries.iter().map(|(_, e)| e.amount_minor), "bigint")
        .column(
            entries.iter().map(|(_, e)| e.currency.code().to_string()),
            "text",
        )
        .column(entries.iter().map(|(t, _)| t.booked_on), "date")
        .column(entries.iter().map(|(t, _)| t.sequence), "bigint")
        .end();
}

/// The accounts' new totals.
fn totals_part(q: &mut Cte, rows: &PostingRows<'_>) {
    let sql = "UPDATE accounts SET debits_minor = v.debits, credits_minor = v.credits FROM ";
    Unnest::of(q.part("a", sql))
        .column(rows.totals.iter().map(|(group, _, _, _)| *group), "uuid")
        .column(
            rows.totals.iter().map(|(_, account, _, _)| *account),
            "uuid",
        )
        .column(
            rows.totals.iter().map(|(_, _, debits, _)| *debits),
            "bigint",
        )
        .column(
            rows.totals.iter().map(|(_, _, _, credits)| *credits),
            "bigint",
        )
        .end()
        .push(
            " AS v (group_id, id, debits, credits) \
         WHERE accounts.id = v.id AND accounts.group_id = v.group_id",
        );
}

/// The groups' new heads.
fn heads_part(q: &mut Cte, rows: &PostingRows<'_>) {
    let sql = "UPDATE groups SET head_sequence = v.sequence, head_hash = v.hash FROM ";
    Unnest::of(q.part("g", sql))
        .column(rows.heads.iter().map(|(group, _, _)| *group), "uuid")
        .column(
            rows.heads.iter().map(|(_, sequence, _)| *sequence),
            "bigint",
        )
        .column(
            rows.heads.iter().map(|(_, _, hash)| hash.to_string()),
            "text",
        )
        .end()
        .push(" AS v (id, sequence, hash) WHERE groups.id = v.id");
}

/// The outcomes remembered with their idempotency keys.
fn remembered_part(q: &mut Cte, rows: &PostingRows<'_>) {
    let sql = "INSERT INTO idempotency_keys (scope, key, request_hash, status, body, created_at) \
               SELECT v.*, ";
    let q = q
        .part("k", sql)
        .push_bind(recorded_now())
        .push("::timestamptz FROM ");
    Unnest::of(q)
        .column(
            rows.remembered.iter().map(|(scope, _, _, _)| scope.clone()),
            "text",
        )
        .column(
            rows.remembered.iter().map(|(_, key, _, _)| key.clone()),
            "text",
        )
        .column(
            rows.remembered.iter().map(|(_, _, hash, _)| hash.clone()),
            "text",
        )
        .column(
            rows.remembered
                .iter()
                .map(|(_, _, _, r)| i32::from(r.status)),
            "int",
        )
        .column(
            rows.remembered.iter().map(|(_, _, _, r)| r.body.clone()),
            "text",
        )
        .end()
        .push(" AS v");
}

/// The audit records, with their places in their chains.
fn audits_part(q: &mut Cte, rows: &PostingRows<'_>) -> Result<(), TxError> {
    type Event = crate::domain::access::AuditEvent;
    let events: Vec<(&Event, String)> = rows
        .audits
        .iter()
        .map(|a| serde_json::to_string(&a.created_ids).map(|created| (a, created)))
        .collect::<Result<_, _>>()
        .map_err(internal)?;
    let sql = "INSERT INTO audit_events (id, occurred_at, user_id, username, group_id, method, \
               route, path, status, idempotency_key, request_id, created_ids, client_addr, \
               chain, chain_sequence, previous_hash, hash) SELECT * FROM ";
    Unnest::of(q.part("r", sql))
        .column(events.iter().map(|(a, _)| a.id), "uuid")
        .column(events.iter().map(|(a, _)| a.occurred_at), "timestamptz")
        .column(events.iter().map(|(a, _)| a.user_id), "uuid")
        .column(events.iter().map(|(a, _)| a.username.clone()), "text")
        .column(events.iter().map(|(a, _)| a.group_id), "uuid")
        .column(events.iter().map(|(a, _)| a.method.clone()), "text")
        .column(events.iter().map(|(a, _)| a.route.clone()), "text")
        .column(events.iter().map(|(a, _)| a.path.clone()), "text")
        .column(events.iter().map(|(a, _)| i32::from(a.status)), "int")
        .column(
            events.iter().map(|(a, _)| a.idempotency_key.clone()),
            "text",
        )
        .column(events.iter().map(|(a, _)| a.request_id.clone()), "text")
        .column(events.iter().map(|(_, created)| created.clone()), "text")
        .column(events.iter().map(|(a, _)| a.client_addr.clone()), "text")
        .column(
            events
                .iter()
                .map(|(a, _)| a.link.as_ref().map(|l| l.chain.clone())),
            "text",
        )
        .column(
            events
                .iter()
                .map(|(a, _)| a.link.as_ref().map(|l| l.sequence)),
            "bigint",
        )
        .column(
            events
                .iter()
                .map(|(a, _)| a.link.as_ref().map(|l| l.previous_hash.clone())),
            "text",
        )
        .column(
            events
                .iter()
                .map(|(a, _)| a.link.as_ref().map(|l| l.hash.clone())),
            "text",
        )
        .end();
    Ok(())
}

/// The audit chains' new heads.
fn audit_heads_part(q: &mut Cte, rows: &PostingRows<'_>) {
    let heads = rows.audit_heads;
    let sql = "UPDATE audit_heads SET sequence = v.sequence, hash = v.hash FROM ";
    Unnest::of(q.part("h", sql))
        .column(heads.iter().map(|(chain, _, _)| chain.clone()), "text")
        .column(heads.iter().map(|(_, sequence, _)| *sequence), "bigint")
        .column(heads.iter().map(|(_, _, hash)| hash.clone()), "text")
        .end()
        .push(" AS v (chain, sequence, hash) WHERE audit_heads.chain = v.chain");
}

/// The postings' events, each numbered after its group's last: the statement's subquery
/// reads the events as they were before it (every part of one statement sees the same
/// snapshot, taken once the groups' rows were locked, so no other writer of the group can
/// have added one since), and the events of one group follow each other in the order given.
fn events_part(q: &mut Cte, rows: &PostingRows<'_>) -> Result<(), TxError> {
    let data: Vec<Option<String>> = rows
        .events
        .iter()
        .map(|(_, event, _)| event.data.as_ref().map(serde_json::to_string).transpose())
        .collect::<Result<_, _>>()
        .map_err(internal)?;
    let sql = "INSERT INTO events (group_id, sequence, id, type, occurred_at, subject_id, \
               transaction_id, data) SELECT v.group_id, \
               COALESCE((SELECT MAX(x.sequence) FROM events x WHERE x.group_id = v.group_id), 0) \
               + row_number() OVER (PARTITION BY v.group_id ORDER BY v.n), \
               v.id, v.type, v.occurred_at, v.subject_id, v.transaction_id, v.data FROM ";
    Unnest::of(q.part("o", sql))
        .column(rows.events.iter().map(|(group, _, _)| *group), "uuid")
        .column(rows.events.iter().map(|(_, event, _)| event.id), "uuid")
        .column(
            rows.events
                .iter()
                .map(|(_, event, _)| event.kind.to_string()),
            "text",
        )
        .column(rows.events.iter().map(|(_, _, at)| *at), "timestamptz")
        .column(
            rows.events.iter().map(|(_, event, _)| event.subject_id),
            "uuid",
        )
        .column(
            rows.events.iter().map(|(_, event, _)| event.transaction_id),
            "uuid",
        )
        .column(data.into_iter(), "text")
        .end()
        .push(
            " WITH ORDINALITY AS v (group_id, id, type, occurred_at, subject_id, \
             transaction_id, data, n)",
        );
    Ok(())
}

/// The contributions and withdrawals recorded with the postings.
fn member_events_part(q: &mut Cte, rows: &PostingRows<'_>) {
    let events = rows.member_events;
    let sql = "INSERT INTO member_events (id, group_id, member_id, kind, amount_minor, currency, \
               fund, channel, booked_on, receipt_no, transaction_id, created_by, created_at) \
               SELECT * FROM ";
    Unnest::of(q.part("m", sql))
        .column(events.iter().map(|e| e.id), "uuid")
        .column(events.iter().map(|e| e.group_id), "uuid")
        .column(events.iter().map(|e| e.member_id), "uuid")
        .column(events.iter().map(|e| e.kind.as_str().to_string()), "text")
        .column(events.iter().map(|e| e.amount_minor), "bigint")
        .column(events.iter().map(|e| e.currency.code().to_string()), "text")
        .column(events.iter().map(|e| e.fund.as_str().to_string()), "text")
        .column(
            events.iter().map(|e| e.channel.as_str().to_string()),
            "text",
        )
        .column(events.iter().map(|e| e.booked_on), "date")
        .column(events.iter().map(|e| e.receipt_no.clone()), "text")
        .column(events.iter().map(|e| e.transaction_id), "uuid")
        .column(events.iter().map(|e| e.created_by), "uuid")
        .column(events.iter().map(|e| e.created_at), "timestamptz")
        .end();
}

/// An account's lines in a period ($1 account, $2 from, $3 to, $4 group), each with its
/// transaction's description. Left to itself the planner joins the lines with every
/// transaction of the group by hashing (it prices thousands of index lookups above one
/// sequential read); bounding the transactions by the span of sequence numbers the lines
/// cover turns that into a range of the index on (group_id, sequence).
const STATEMENT_LINES_SQL: &str = "SELECT e.transaction_id, e.sequence, e.booked_on, e.direction, e.amount_minor, t.description \
     FROM entries e JOIN transactions t ON t.id = e.transaction_id \
     WHERE e.account_id = $1 AND e.booked_on >= COALESCE($2, '0001-01-01') AND e.booked_on <= COALESCE($3, '9999-12-31') \
     AND t.group_id = $4 \
     AND t.sequence >= (SELECT MIN(sequence) FROM entries WHERE account_id = $1 \
         AND booked_on >= COALESCE($2, '0001-01-01') AND booked_on <= COALESCE($3, '9999-12-31')) \
     AND t.sequence <= (SELECT MAX(sequence) FROM entries WHERE account_id = $1 \
         AND booked_on >= COALESCE($2, '0001-01-01') AND booked_on <= COALESCE($3, '9999-12-31')) \
     ORDER BY e.booked_on, e.sequence, e.line";

/// `UNNEST(...)` of columns bound as arrays, each cast to the array of its SQL type: the rows of
/// one table in a statement whose text does not depend on how many rows there are.
struct Unnest<'q> {
    query: &'q mut sqlx::QueryBuilder<sqlx::Postgres>,
    columns: usize,
}

impl<'q> Unnest<'q> {
    fn of(query: &'q mut sqlx::QueryBuilder<sqlx::Postgres>) -> Self {
        query.push("UNNEST(");
        Unnest { query, columns: 0 }
    }

    /// The next column: the values of every row, of the SQL type `sql_type`.
    fn column<T>(self, values: impl Iterator<Item = T>, sql_type: &str) -> Self
    where
        Vec<T>: for<'a> sqlx::Encode<'a, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
        T: Send,
    {
        if self.columns > 0 {
            self.query.push(", ");
        }
        self.query
            .push_bind(values.collect::<Vec<_>>())
            .push("::")
            .push(sql_type)
            .push("[]");
        Unnest {
            query: self.query,
            columns: self.columns + 1,
        }
    }

    fn end(self) -> &'q mut sqlx::QueryBuilder<sqlx::Postgres> {
        self.query.push(")")
    }
}
