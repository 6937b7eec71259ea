//! An auditor recomputes the hash chain and the balances with their own tool
//! (scripts/verify-chain.py, Python standard library only) from what the API shows, and
//! detects a rewritten history.

use crate::support;

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{Backend, TestApp};

fn run_script(app: &TestApp, group: &str) -> (bool, Value) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/verify-chain.py");
    let out = Command::new("python3")
        .args([script, &app.base, group])
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

async fn post(app: &TestApp, group: &str, key: &str, body: Value) -> Value {
    let reply = app
        .post_with_key(&format!("/v1/groups/{group}/transactions"), key, &body)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

async fn varied_journal(app: &TestApp) -> String {
    let g = app.create_group("Samahan ng mga Migrante").await;
    app.create_account(&g, "assets:cash:HKD", "asset", "HKD", false)
        .await;
    app.create_account(&g, "liabilities:savings:maria", "liability", "HKD", true)
        .await;
    app.create_account(&g, "assets:home-bank:JPY", "asset", "JPY", false)
        .await;
    app.create_account(&g, "equity:capital:JPY", "equity", "JPY", false)
        .await;
    app.create_account(&g, "assets:fx:KWD", "asset", "KWD", false)
        .await;
    app.create_account(&g, "income:fx-gain:KWD", "income", "KWD", false)
        .await;
    let first = post(
        app,
        &g,
        "k1",
        json!({"description": "María saves — ₱ and 日本\nsecond line\t\"quoted\"", "booked_on": "2026-11-01",
               "metadata": {"receipt": "R-001", "meeting": {"attendees": 12, "late": [1, -2, null], "ok": true}, "z": "", "a": "ü"},
               "entries": [
                   {"account": "assets:cash:HKD", "direction": "debit", "amount": "1250.5"},
                   {"account": "liabilities:savings:maria", "direction": "credit", "amount": "1250.50"}]}),
    )
    .await;
    post(
        app,
        &g,
        "k2",
        json!({"description": "two currencies", "entries": [
            {"account": "assets:home-bank:JPY", "direction": "debit", "amount": "1500"},
            {"account": "equity:capital:JPY", "direction": "credit", "amount": "1500"},
            {"account": "assets:fx:KWD", "direction": "debit", "amount": "0.125"},
            {"account": "income:fx-gain:KWD", "direction": "credit", "amount": "0.125"}]}),
    )
    .await;
    let id = first["id"].as_str().unwrap();
    let reversal = app
        .post_with_key(
            &format!("/v1/groups/{g}/transactions/{id}/reversal"),
            "k3",
            &json!({}),
        )
        .await;
    assert_eq!(reversal.status, StatusCode::CREATED, "{}", reversal.body);
    g
}

async fn an_independent_recomputation_agrees_then_catches_a_rewrite(backend: Backend) {
    let Some(app) = support::app::spawn(backend).await else {
        return;
    };
    let g = varied_journal(&app).await;
    let (ok, summary) = run_script(&app, &g);
    assert!(ok, "{summary}");
    assert_eq!(summary["transactions_checked"], json!(3));
    let group = app.get(&format!("/v1/groups/{g}")).await;
    assert_eq!(summary["head_hash"], group.body["head_hash"]);

    // Someone with database access bypasses the immutability trigger and edits history.
    let sql = "UPDATE transactions SET description = 'María withdrew' WHERE sequence = 1";
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
            sqlx::query("DROP TRIGGER transactions_no_update")
                .execute(&pool)
                .await
                .unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
            sqlx::query("ALTER TABLE transactions DISABLE TRIGGER transactions_immutable")
                .execute(&pool)
                .await
                .unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
    let (ok, summary) = run_script(&app, &g);
    assert!(!ok, "the rewrite went unnoticed: {summary}");
    assert!(
        summary["failure"].as_str().unwrap().contains("sequence 1"),
        "{summary}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_an_independent_recomputation_agrees_then_catches_a_rewrite() {
    an_independent_recomputation_agrees_then_catches_a_rewrite(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_independent_recomputation_agrees_then_catches_a_rewrite() {
    an_independent_recomputation_agrees_then_catches_a_rewrite(Backend::Postgres).await;
}
