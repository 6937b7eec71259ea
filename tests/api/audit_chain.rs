//! The audit log is chained like the journal (docs/AUDIT-CHAIN.md), on both backends: every
//! record has its place in its group's chain or the service's, each names the hash of the one
//! before it, and `GET /v1/audit-events/verify` and the auditor's own script
//! (scripts/verify-audit.py) recompute the chains. With the database's guards dropped, an edited,
//! removed or slipped-in record is reported, with the first record found wrong.

use crate::support;

use std::collections::BTreeMap;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, PgPool, SqlitePool};
use support::app::{Backend, TestApp};
use uuid::Uuid;

fn contribution(amount: &str) -> Value {
    json!({"description": "monthly contribution", "entries": [
        {"account": "assets:cash", "direction": "debit", "amount": amount},
        {"account": "liabilities:savings", "direction": "credit", "amount": amount},
    ]})
}

async fn group_with_accounts(app: &TestApp, name: &str) -> String {
    let group = app.create_group(name).await;
    app.create_account(&group, "assets:cash", "asset", "HKD", false)
        .await;
    app.create_account(&group, "liabilities:savings", "liability", "HKD", true)
        .await;
    group
}

/// A log with records in two groups' chains and the service's, written by every path that
/// writes them: with a posting in its commit, a member's contribution in its commit, and after
/// the request for refused writes, members and users. Answers the two groups.
async fn varied_log(app: &TestApp) -> (String, String) {
    let a = group_with_accounts(app, "Wan Chai").await;
    let b = group_with_accounts(app, "Sham Shui Po").await;
    for (n, group) in [&a, &b, &a].into_iter().enumerate() {
        let path = format!("/v1/groups/{group}/transactions");
        let reply = app
            .post_with_key(&path, &format!("c-{n}"), &contribution("100.00"))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    // Refused: the savings account may not be overdrawn.
    let overdraft = json!({"description": "too much", "entries": [
        {"account": "liabilities:savings", "direction": "debit", "amount": "5000.00"},
        {"account": "assets:cash", "direction": "credit", "amount": "5000.00"},
    ]});
    let path = format!("/v1/groups/{a}/transactions");
    let refused = app.post_with_key(&path, "refused", &overdraft).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let member = app
        .post(
            &format!("/v1/groups/{b}/members"),
            &json!({"name": "Ana", "sex": "female", "birth_year": 1990, "home_country": "PH",
                    "host_country": "HK", "joined_on": "2025-01-01"}),
        )
        .await;
    assert_eq!(member.status, StatusCode::CREATED, "{}", member.body);
    let saved = app
        .post_with_key(
            &format!("/v1/groups/{b}/contributions"),
            "ana-saves",
            &json!({"member_id": member.body["id"], "amount": "50.00", "fund": "savings",
                    "channel": "cash", "booked_on": "2025-03-01"}),
        )
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    app.user_with("chain-auditor", json!([{"role": "auditor"}]))
        .await;
    (a, b)
}

async fn all_records(app: &TestApp) -> Vec<Value> {
    let reply = app.get("/v1/audit-events?limit=500").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["next_cursor"], Value::Null);
    reply.body["items"].as_array().unwrap().clone()
}

async fn verify(app: &TestApp) -> Value {
    let reply = app.get("/v1/audit-events/verify").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

/// The records of one chain, by sequence.
fn chain<'a>(records: &'a [Value], name: &str) -> Vec<&'a Value> {
    let mut chain: Vec<&Value> = records.iter().filter(|r| r["chain"] == name).collect();
    chain.sort_by_key(|r| r["sequence"].as_i64());
    chain
}

both_backends!(every_record_has_its_place_in_a_chain, |app| async move {
    let (a, b) = varied_log(&app).await;
    let records = all_records(&app).await;
    assert!(records.iter().all(|r| r["hash"].is_string()), "{records:?}");
    // A group's records chain in its group; the others in the service's chain.
    for r in &records {
        let expected = r["group_id"].as_str().unwrap_or("service");
        assert_eq!(r["chain"], expected, "{r}");
    }
    let mut by_chain = BTreeMap::new();
    for name in [a.as_str(), b.as_str(), "service"] {
        let chain = chain(&records, name);
        let mut previous = "0".repeat(64);
        for (n, r) in chain.iter().enumerate() {
            assert_eq!(r["sequence"], n as i64 + 1, "{r}");
            assert_eq!(r["previous_hash"], previous.as_str(), "{r}");
            previous = r["hash"].as_str().unwrap().to_string();
        }
        by_chain.insert(name.to_string(), (chain.len(), previous));
    }
    // Group A: two accounts, two postings and a refused one. Group B: two accounts, a
    // posting, a member and a contribution.
    assert_eq!(by_chain[a.as_str()].0, 5, "{records:?}");
    assert_eq!(by_chain[b.as_str()].0, 5, "{records:?}");

    let verified = verify(&app).await;
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(verified["records_checked"], records.len(), "{verified}");
    assert_eq!(verified["records_before_chains"], 0);
    assert_eq!(verified["failure"], Value::Null);
    for head in verified["heads"].as_array().unwrap() {
        let (length, hash) = &by_chain[head["chain"].as_str().unwrap()];
        assert_eq!(head["sequence"], *length as i64, "{head}");
        assert_eq!(head["hash"], hash.as_str(), "{head}");
    }
    let (ok, summary) = run_script(&app, &[]);
    assert!(ok, "{summary}");
    assert_eq!(summary["records_checked"], records.len());
});

both_backends!(
    writers_racing_on_one_chain_never_fork_it,
    |app| async move {
        let group = group_with_accounts(&app, "Causeway Bay").await;
        let path = format!("/v1/groups/{group}/transactions");
        let writes = (0..24).map(|n| {
            let (app, path) = (&app, &path);
            async move {
                // Every third one is refused, so its record is written after its request.
                let amount = if n % 3 == 0 { "-1" } else { "10.00" };
                app.post_with_key(path, &format!("race-{n}"), &contribution(amount))
                    .await
                    .status
            }
        });
        let statuses = futures_util::future::join_all(writes).await;
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::CREATED)
                .count(),
            16
        );
        let records = all_records(&app).await;
        let chain = chain(&records, &group);
        // The group's two accounts, then the 24 postings.
        assert_eq!(chain.len(), 26);
        let verified = verify(&app).await;
        assert_eq!(verified["ok"], true, "{verified}");
    }
);

/// A direct connection to the service's database, as an administrator would have, with the
/// audit log's guards dropped.
enum Database {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Database {
    async fn unguarded(app: &TestApp) -> Database {
        let db = match app.backend {
            Backend::Sqlite => {
                Database::Sqlite(SqlitePool::connect(&app.database_url).await.unwrap())
            }
            Backend::Postgres => {
                Database::Postgres(PgPool::connect(&app.database_url).await.unwrap())
            }
        };
        match db {
            Database::Sqlite(_) => {
                db.execute("DROP TRIGGER audit_events_no_update").await;
                db.execute("DROP TRIGGER audit_events_no_delete").await;
            }
            Database::Postgres(_) => {
                db.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_immutable")
                    .await;
            }
        }
        db
    }

    async fn execute(&self, sql: &str) -> u64 {
        let query = sqlx::query(AssertSqlSafe(sql.to_string()));
        match self {
            Database::Sqlite(pool) => query.execute(pool).await.map(|r| r.rows_affected()),
            Database::Postgres(pool) => sqlx::query(AssertSqlSafe(sql.to_string()))
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

/// Runs the auditor's script on the service's log; its success and summary.
fn run_script(app: &TestApp, extra: &[&str]) -> (bool, Value) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/verify-audit.py");
    let out = Command::new("python3")
        .arg(script)
        .args(extra)
        .arg(&app.base)
        .env("MSAI_TOKEN", &app.admin_token)
        .output()
        .expect("python3 is needed to run the auditor's script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
        panic!(
            "unexpected script output: {stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), summary)
}

/// The id of the second record of `group`'s chain, which has records on both sides.
async fn middle_record(app: &TestApp, group: &str) -> Value {
    let records = all_records(app).await;
    let chain = chain(&records, group);
    assert!(chain.len() >= 3);
    chain[1].clone()
}

/// What both verifiers say is wrong: the service's failure and the script's.
async fn both_verdicts(app: &TestApp) -> (Value, Value) {
    let verified = verify(app).await;
    assert_eq!(verified["ok"], false, "{verified}");
    let (ok, summary) = run_script(app, &[]);
    assert!(!ok, "{summary}");
    (verified["failure"].clone(), summary["failure"].clone())
}

both_backends!(an_edited_record_is_reported, |app| async move {
    let (a, _) = varied_log(&app).await;
    let record = middle_record(&app, &a).await;
    let db = Database::unguarded(&app).await;
    let id = record["id"].as_str().unwrap();
    // The record now blames someone else.
    let sql = format!(
        "UPDATE audit_events SET username = 'someone-else' WHERE id = {}",
        id_literal(&app, id)
    );
    assert_eq!(db.execute(&sql).await, 1);

    let (service, script) = both_verdicts(&app).await;
    for failure in [&service, &script] {
        assert_eq!(failure["kind"], "hash_mismatch", "{failure}");
        assert_eq!(failure["chain"], a.as_str(), "{failure}");
        assert_eq!(failure["sequence"], record["sequence"], "{failure}");
        assert_eq!(failure["record_id"], record["id"], "{failure}");
    }
});

both_backends!(a_removed_record_is_reported, |app| async move {
    let (a, _) = varied_log(&app).await;
    let record = middle_record(&app, &a).await;
    let db = Database::unguarded(&app).await;
    let id = record["id"].as_str().unwrap();
    let sql = format!(
        "DELETE FROM audit_events WHERE id = {}",
        id_literal(&app, id)
    );
    assert_eq!(db.execute(&sql).await, 1);

    let (service, script) = both_verdicts(&app).await;
    for failure in [&service, &script] {
        assert_eq!(failure["kind"], "sequence_gap", "{failure}");
        assert_eq!(failure["chain"], a.as_str(), "{failure}");
        assert_eq!(failure["sequence"], record["sequence"], "{failure}");
    }
});

both_backends!(
    a_removed_last_record_is_reported_against_its_head,
    |app| async move {
        let (a, _) = varied_log(&app).await;
        // The auditor keeps the heads, as a checkpoint of the log.
        let kept = verify(&app).await;
        let heads = std::env::temp_dir().join(format!("audit-heads-{}.json", Uuid::new_v4()));
        std::fs::write(&heads, kept.to_string()).unwrap();
        let records = all_records(&app).await;
        let last = *chain(&records, &a).last().unwrap();
        let db = Database::unguarded(&app).await;
        let id = last["id"].as_str().unwrap();
        let sql = format!(
            "DELETE FROM audit_events WHERE id = {}",
            id_literal(&app, id)
        );
        assert_eq!(db.execute(&sql).await, 1);

        let verified = verify(&app).await;
        assert_eq!(verified["failure"]["kind"], "head_mismatch", "{verified}");
        assert_eq!(verified["failure"]["chain"], a.as_str());
        assert_eq!(verified["failure"]["sequence"], last["sequence"]);
        let (ok, summary) = run_script(&app, &["--heads", heads.to_str().unwrap()]);
        assert!(!ok, "{summary}");
        assert_eq!(summary["failure"]["kind"], "head_mismatch", "{summary}");
        assert_eq!(summary["failure"]["sequence"], last["sequence"]);
        std::fs::remove_file(heads).ok();
    }
);

both_backends!(a_slipped_in_record_is_reported, |app| async move {
    varied_log(&app).await;
    let db = Database::unguarded(&app).await;
    let id = Uuid::now_v7();
    let (id_value, when) = match app.backend {
        Backend::Sqlite => (
            format!("X'{}'", id.simple()),
            "'2099-01-01T00:00:00.000000Z'".to_string(),
        ),
        Backend::Postgres => (format!("'{id}'"), "'2099-01-01T00:00:00Z'".to_string()),
    };
    let sql = format!(
        "INSERT INTO audit_events (id, occurred_at, method, route, path, status, created_ids) \
         VALUES ({id_value}, {when}, 'POST', '/v1/groups', '/v1/groups', 201, '[]')"
    );
    assert_eq!(db.execute(&sql).await, 1);

    let (service, script) = both_verdicts(&app).await;
    for failure in [&service, &script] {
        assert_eq!(failure["kind"], "unchained_record", "{failure}");
        assert_eq!(failure["record_id"], id.to_string(), "{failure}");
    }
});

/// `id` as an SQL literal of the backend's UUID column.
fn id_literal(app: &TestApp, id: &str) -> String {
    match app.backend {
        Backend::Sqlite => format!("X'{}'", id.replace('-', "")),
        Backend::Postgres => format!("'{id}'"),
    }
}

both_backends!(only_oversight_verifies_the_log, |app| async move {
    let group = group_with_accounts(&app, "Tsuen Wan").await;
    let (_, treasurer) = app
        .user_with(
            "chain-treasurer",
            json!([{"role": "treasurer", "group_id": group}]),
        )
        .await;
    let reply = app
        .send(treasurer.get(app.url("/v1/audit-events/verify")))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    let reply = app
        .send(app.anonymous.get(app.url("/v1/audit-events/verify")))
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let (_, auditor) = app
        .user_with("chain-reader", json!([{"role": "auditor"}]))
        .await;
    let reply = app
        .send(auditor.get(app.url("/v1/audit-events/verify")))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["ok"], true, "{}", reply.body);
});
