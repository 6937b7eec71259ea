//! History is immutable in the database itself, not only in the service: statements that
//! would rewrite or forget the journal fail on both backends and leave the data as it was.
//! Where someone with enough rights disables those guards, the hash chain and the stored
//! totals still make the rewrite visible to `GET .../ledger/verify`.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, PgPool, SqlitePool};
use support::app::{Backend, TestApp};

/// A direct connection to the service's database, as an administrator would have.
pub(crate) enum Database {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Database {
    pub(crate) async fn open(app: &TestApp) -> Database {
        match app.backend {
            Backend::Sqlite => Database::Sqlite(
                SqlitePool::connect(&app.database_url)
                    .await
                    .expect("open SQLite"),
            ),
            Backend::Postgres => Database::Postgres(
                PgPool::connect(&app.database_url)
                    .await
                    .expect("connect to PostgreSQL"),
            ),
        }
    }

    pub(crate) async fn execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        let sql = AssertSqlSafe(sql.to_string());
        match self {
            Database::Sqlite(pool) => sqlx::query(sql)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
            Database::Postgres(pool) => sqlx::query(sql)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
        }
    }

    async fn count(&self, table: &str) -> i64 {
        let sql = AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
        match self {
            Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .expect("count")
    }

    /// Runs the first statement on SQLite, the second on PostgreSQL; it must succeed.
    pub(crate) async fn admin(&self, sqlite: &str, postgres: &str) {
        let sql = match self {
            Database::Sqlite(_) => sqlite,
            Database::Postgres(_) => postgres,
        };
        self.execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

const TABLES: [&str; 6] = [
    "groups",
    "accounts",
    "transactions",
    "entries",
    "period_closes",
    "idempotency_keys",
];

/// Row counts of every table and what the API shows: equal fingerprints mean unchanged data.
async fn fingerprint(app: &TestApp, db: &Database, g: &str) -> Value {
    let mut counts = serde_json::Map::new();
    for table in TABLES {
        counts.insert(table.to_string(), json!(db.count(table).await));
    }
    let mut views = Vec::new();
    for path in [
        format!("/v1/groups/{g}"),
        format!("/v1/groups/{g}/accounts"),
        format!("/v1/groups/{g}/transactions?limit=500"),
    ] {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        views.push(reply.body);
    }
    json!({"counts": counts, "views": views})
}

struct Ledger {
    group: String,
    cash_id: String,
    posted: Value,
}

const CONTRIBUTION_KEY: &str = "meeting-1-ana";

fn contribution() -> Value {
    json!({"booked_on": "2025-02-10", "description": "Ana saves", "entries": [
        {"account": "assets:cash:HKD", "direction": "debit", "amount": "500"},
        {"account": "liabilities:savings:ana", "direction": "credit", "amount": "500"},
    ]})
}

/// A group with a row in every table: accounts, a keyed contribution, a withdrawal, a
/// reversal, and a closed period.
async fn ledger(app: &TestApp) -> Ledger {
    let group = app.create_group("Bayanihan").await;
    let cash_id = app
        .create_account(&group, "assets:cash:HKD", "asset", "HKD", false)
        .await;
    app.create_account(&group, "liabilities:savings:ana", "liability", "HKD", true)
        .await;
    let posted = app
        .post_with_key(
            &format!("/v1/groups/{group}/transactions"),
            CONTRIBUTION_KEY,
            &contribution(),
        )
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    let withdrawal = app
        .transfer(&group, "liabilities:savings:ana", "assets:cash:HKD", "100")
        .await;
    assert_eq!(
        withdrawal.status,
        StatusCode::CREATED,
        "{}",
        withdrawal.body
    );
    let id = withdrawal.body["id"].as_str().expect("id");
    let reversal = app
        .post_with_key(
            &format!("/v1/groups/{group}/transactions/{id}/reversal"),
            "undo-withdrawal",
            &json!({}),
        )
        .await;
    assert_eq!(reversal.status, StatusCode::CREATED, "{}", reversal.body);
    let close = app
        .post(
            &format!("/v1/groups/{group}/period-closes"),
            &json!({"through": "2025-01-31"}),
        )
        .await;
    assert_eq!(close.status, StatusCode::CREATED, "{}", close.body);
    Ledger {
        group,
        cash_id,
        posted: posted.body,
    }
}

async fn verify(app: &TestApp, g: &str) -> Value {
    let reply = app.get(&format!("/v1/groups/{g}/ledger/verify")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

/// Runs each statement and asserts the database refuses it with the guard's message, leaving
/// every table and every view as it was, and the chain intact.
async fn assert_all_refused(app: &TestApp, statements: &[(&str, &str)]) {
    let ledger = ledger(app).await;
    let db = Database::open(app).await;
    let before = fingerprint(app, &db, &ledger.group).await;
    for (sql, reason) in statements {
        match db.execute(sql).await {
            Ok(rows) => panic!("{sql} was allowed and changed {rows} rows"),
            Err(e) => assert!(
                e.to_string().contains(reason),
                "{sql} failed, but not because of the guard: {e}"
            ),
        }
        assert_eq!(
            fingerprint(app, &db, &ledger.group).await,
            before,
            "after {sql}"
        );
    }
    let verified = verify(app, &ledger.group).await;
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(verified["transactions_checked"], 3);
}

both_backends!(
    transactions_cannot_be_updated_or_deleted,
    |app| async move {
        assert_all_refused(
            &app,
            &[
                ("UPDATE transactions SET description = 'x'", "immutable"),
                (
                    "UPDATE transactions SET booked_on = booked_on WHERE sequence = 1",
                    "immutable",
                ),
                ("DELETE FROM transactions", "immutable"),
                ("DELETE FROM transactions WHERE sequence = 3", "immutable"),
            ],
        )
        .await;
    }
);

both_backends!(entries_cannot_be_updated_or_deleted, |app| async move {
    assert_all_refused(
        &app,
        &[
            ("UPDATE entries SET amount_minor = 1", "immutable"),
            (
                "UPDATE entries SET direction = 'credit' WHERE direction = 'debit'",
                "immutable",
            ),
            ("DELETE FROM entries", "immutable"),
        ],
    )
    .await;
});

both_backends!(period_closes_cannot_be_deleted_or_moved, |app| async move {
    assert_all_refused(
        &app,
        &[
            ("DELETE FROM period_closes", "immutable"),
            (
                "UPDATE period_closes SET through = '2024-12-31'",
                "immutable",
            ),
        ],
    )
    .await;
});

both_backends!(
    idempotency_outcomes_cannot_be_rewritten_or_forgotten,
    |app| async move {
        assert_all_refused(
            &app,
            &[
                (
                    "UPDATE idempotency_keys SET status = 200, body = '{}'",
                    "immutable",
                ),
                (
                    "UPDATE idempotency_keys SET request_hash = 'x'",
                    "immutable",
                ),
                ("DELETE FROM idempotency_keys", "immutable"),
            ],
        )
        .await;

        // The retry of the keyed contribution still gets the first answer, and posts nothing.
        let g = app.get("/v1/groups").await.body["items"][0]["id"]
            .as_str()
            .expect("group")
            .to_string();
        let retry = app
            .post_with_key(
                &format!("/v1/groups/{g}/transactions"),
                CONTRIBUTION_KEY,
                &contribution(),
            )
            .await;
        assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.body);
        assert_eq!(retry.headers["idempotent-replayed"], "true");
        assert_eq!(retry.body["sequence"], 1);
        assert_eq!(verify(&app, &g).await["transactions_checked"], 3);
    }
);

both_backends!(
    accounts_cannot_be_deleted_or_change_what_they_are,
    |app| async move {
        assert_all_refused(
            &app,
            &[
                ("DELETE FROM accounts", "never deleted"),
                ("UPDATE accounts SET currency = 'PHP'", "fixed"),
                ("UPDATE accounts SET type = 'expense'", "fixed"),
                (
                    "UPDATE accounts SET code = 'assets:cash:PHP' WHERE code = 'assets:cash:HKD'",
                    "fixed",
                ),
            ],
        )
        .await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn journal_tables_cannot_be_truncated_on_postgres() {
    let Some(app) = support::app::spawn(Backend::Postgres).await else {
        return;
    };
    let ledger = ledger(&app).await;
    let db = Database::open(&app).await;
    let before = fingerprint(&app, &db, &ledger.group).await;
    for sql in [
        "TRUNCATE transactions CASCADE",
        "TRUNCATE entries",
        // Every table that refers to transactions is named, so the refusal is the journal's
        // own and not a foreign key's.
        "TRUNCATE entries, transactions, member_events, investment_events, remittances, \
         transfers, distributions, distribution_shares, period_closes, meeting_events",
        "TRUNCATE meetings, meeting_attendance, meeting_events",
        "TRUNCATE investment_events",
        "TRUNCATE remittances",
        "TRUNCATE transfers",
        "TRUNCATE distribution_shares",
    ] {
        let error = db.execute(sql).await.expect_err(sql);
        assert!(error.to_string().contains("immutable"), "{sql}: {error}");
    }
    assert_eq!(fingerprint(&app, &db, &ledger.group).await, before);
}

both_backends!(
    verification_detects_a_rewritten_description,
    |app| async move {
        let ledger = ledger(&app).await;
        let g = &ledger.group;
        let db = Database::open(&app).await;
        db.admin(
            "DROP TRIGGER transactions_no_update",
            "ALTER TABLE transactions DISABLE TRIGGER transactions_immutable",
        )
        .await;
        let changed = db
            .execute("UPDATE transactions SET description = 'Ana saves twice' WHERE sequence = 2")
            .await
            .expect("the guard is off");
        assert_eq!(changed, 1);

        let verified = verify(&app, g).await;
        assert_eq!(verified["ok"], false, "{verified}");
        assert_eq!(verified["failure"]["kind"], "hash_mismatch", "{verified}");
        assert_eq!(verified["failure"]["sequence"], 2, "{verified}");
        assert_eq!(verified["transactions_checked"], 1, "{verified}");
    }
);

both_backends!(verification_detects_a_rewritten_amount, |app| async move {
    let ledger = ledger(&app).await;
    let g = &ledger.group;
    let db = Database::open(&app).await;
    db.admin(
        "DROP TRIGGER entries_no_update",
        "ALTER TABLE entries DISABLE TRIGGER entries_immutable",
    )
    .await;
    // Both sides change, so the entry still balances: only the chain can tell.
    let changed = db
        .execute("UPDATE entries SET amount_minor = 5000 WHERE sequence = 1")
        .await
        .expect("the guard is off");
    assert_eq!(changed, 2);

    let verified = verify(&app, g).await;
    assert_eq!(verified["ok"], false, "{verified}");
    assert_eq!(verified["failure"]["kind"], "hash_mismatch", "{verified}");
    assert_eq!(verified["failure"]["sequence"], 1, "{verified}");
    assert_eq!(verified["transactions_checked"], 0, "{verified}");
    // What the API shows of the first transaction is the tampered amount; verify is the
    // auditor's way to notice.
    let id = ledger.posted["id"].as_str().expect("id");
    let read = app.get(&format!("/v1/groups/{g}/transactions/{id}")).await;
    assert_eq!(read.body["entries"][0]["amount"], "50.00");
});

both_backends!(
    verification_detects_a_removed_transaction,
    |app| async move {
        let ledger = ledger(&app).await;
        let g = &ledger.group;
        let db = Database::open(&app).await;
        db.admin(
            "DROP TRIGGER entries_no_delete",
            "ALTER TABLE entries DISABLE TRIGGER entries_immutable",
        )
        .await;
        db.admin(
            "DROP TRIGGER transactions_no_delete",
            "ALTER TABLE transactions DISABLE TRIGGER transactions_immutable",
        )
        .await;
        // The contribution (sequence 1) is neither reversed nor reversing, so it can go.
        assert_eq!(
            db.execute("DELETE FROM entries WHERE sequence = 1")
                .await
                .expect("the guard is off"),
            2
        );
        assert_eq!(
            db.execute("DELETE FROM transactions WHERE sequence = 1")
                .await
                .expect("the guard is off"),
            1
        );

        let verified = verify(&app, g).await;
        assert_eq!(verified["ok"], false, "{verified}");
        assert_eq!(verified["failure"]["kind"], "sequence_gap", "{verified}");
        assert_eq!(verified["failure"]["sequence"], 1, "{verified}");
    }
);

both_backends!(
    verification_detects_altered_account_totals,
    |app| async move {
        let ledger = ledger(&app).await;
        let g = &ledger.group;
        assert_eq!(verify(&app, g).await["ok"], true);
        let db = Database::open(&app).await;
        // Stored totals are the one thing a posting updates, so no guard stops this.
        let changed = db
        .execute(
            "UPDATE accounts SET debits_minor = debits_minor + 100 WHERE code = 'assets:cash:HKD'",
        )
        .await
        .expect("totals are writable");
        assert_eq!(changed, 1);
        assert_eq!(app.balance(g, "assets:cash:HKD").await, "501.00");

        let verified = verify(&app, g).await;
        assert_eq!(verified["ok"], false, "{verified}");
        assert_eq!(
            verified["failure"]["kind"], "balance_mismatch",
            "{verified}"
        );
        assert_eq!(verified["failure"]["account_id"], json!(ledger.cash_id));
        // The chain itself is intact: every transaction was checked before the totals.
        assert_eq!(verified["transactions_checked"], 3, "{verified}");
    }
);

/// An entry slipped into group `entry_group`'s first transaction, naming the cash account of
/// group `account_group` (the two names of groups).
fn entry_naming_cash_of(entry_group: &str, account_group: &str) -> String {
    format!(
        "INSERT INTO entries (group_id, transaction_id, line, account_id, direction, \
         amount_minor, currency, booked_on, sequence) \
         SELECT t.group_id, t.id, 7, a.id, 'debit', 100, 'HKD', t.booked_on, t.sequence \
         FROM transactions t, accounts a \
         WHERE t.sequence = 1 AND t.group_id = (SELECT id FROM groups WHERE name = '{entry_group}') \
         AND a.code = 'assets:cash:HKD' \
         AND a.group_id = (SELECT id FROM groups WHERE name = '{account_group}')"
    )
}

both_backends!(
    an_entry_cannot_name_another_groups_account,
    |app| async move {
        let ledger = ledger(&app).await;
        let other = app.create_group("Kalayaan").await;
        app.create_account(&other, "assets:cash:HKD", "asset", "HKD", false)
            .await;
        let db = Database::open(&app).await;
        let before = fingerprint(&app, &db, &ledger.group).await;

        let sql = entry_naming_cash_of("Bayanihan", "Kalayaan");
        let error = db
            .execute(&sql)
            .await
            .expect_err("the database took an entry naming another group's account");
        assert!(
            error.to_string().contains("entries_account_of_group"),
            "refused for another reason: {error}"
        );
        assert_eq!(fingerprint(&app, &db, &ledger.group).await, before);
        assert_eq!(verify(&app, &ledger.group).await["ok"], true);

        // The same entry naming the group's own account is not refused by the database (the
        // guard is the group, not the entry): only the chain tells that it was slipped in.
        let same_group = entry_naming_cash_of("Bayanihan", "Bayanihan");
        assert_eq!(db.execute(&same_group).await.expect("same group"), 1);
        let verified = verify(&app, &ledger.group).await;
        assert_eq!(verified["ok"], false, "{verified}");
        assert_eq!(verified["failure"]["sequence"], 1, "{verified}");
    }
);
