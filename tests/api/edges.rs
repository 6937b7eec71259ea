//! Edges of the HTTP contract: timeouts, bodiless reversals, strict dates and numbers.

use crate::support;

use std::time::Duration;

use msai_ledger::app::AppConfig;
use reqwest::StatusCode;
use serde_json::json;
use support::app::{Backend, TestApp};

async fn a_request_past_the_timeout_gets_a_retryable_problem(backend: Backend) {
    let Some(app) = support::app::spawn(backend).await else {
        return;
    };
    // A second instance on the same database with a short request timeout.
    let store = msai_ledger::store::connect(&app.database_url)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = AppConfig {
        request_timeout: Duration::from_millis(100),
        ..AppConfig::default()
    };
    tokio::spawn(msai_ledger::app::serve(
        listener,
        store,
        config,
        std::future::pending(),
    ));
    // The instance is up (its start-up writes are done) before anyone holds a lock. Then
    // someone else holds the lock the write needs for longer than the timeout, and lets go
    // after a while so the rest of the request (its audit record) can finish.
    support::app::wait_ready(&base).await;
    let release =
        support::app::hold_write_lock(backend, &app.database_url, Duration::from_millis(2000))
            .await;
    let reply = app
        .send(app.client.post(format!("{base}/v1/groups")).json(
            &json!({"name": "Slow", "currency": "HKD", "host_country": "HK", "home_country": "PH"}),
        ))
        .await;
    release.await.unwrap();
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.content_type(), "application/problem+json");
    assert_eq!(reply.problem_type(), "/problems/request-timeout");
    assert!(reply.headers.contains_key("retry-after"));
    // The abandoned request created nothing.
    let groups = app.get("/v1/groups").await;
    assert!(
        groups.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["name"] != "Slow"),
        "{}",
        groups.body
    );
}

#[tokio::test]
async fn sqlite_a_request_past_the_timeout_gets_a_retryable_problem() {
    a_request_past_the_timeout_gets_a_retryable_problem(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_request_past_the_timeout_gets_a_retryable_problem() {
    a_request_past_the_timeout_gets_a_retryable_problem(Backend::Postgres).await;
}

async fn cash_and_savings(app: &TestApp) -> (String, String) {
    let g = app.create_group("Edges").await;
    app.create_account(&g, "assets:cash:HKD", "asset", "HKD", false)
        .await;
    app.create_account(&g, "liabilities:savings:ana", "liability", "HKD", true)
        .await;
    let posted = app
        .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "100")
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    (g, posted.body["id"].as_str().unwrap().to_string())
}

both_backends!(
    a_reversal_with_no_body_and_no_content_type_is_accepted,
    |app| async move {
        let (g, id) = cash_and_savings(&app).await;
        let request = app
            .client
            .post(app.url(&format!("/v1/groups/{g}/transactions/{id}/reversal")))
            .header("Idempotency-Key", "undo-1");
        let reply = app.send(request).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(reply.body["reverses"], json!(id));
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "0.00");
    }
);

both_backends!(dates_must_be_zero_padded_iso_dates, |app| async move {
    let (g, _) = cash_and_savings(&app).await;
    let body = json!({"booked_on": "2026-1-5", "entries": [
        {"account": "assets:cash:HKD", "direction": "debit", "amount": "1"},
        {"account": "liabilities:savings:ana", "direction": "credit", "amount": "1"}]});
    let reply = app
        .post_with_key(&format!("/v1/groups/{g}/transactions"), "d1", &body)
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.pointer(), "/booked_on");
    let listed = app
        .get(&format!("/v1/groups/{g}/transactions?from=2026-1-5"))
        .await;
    assert_eq!(listed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(listed.body["errors"][0]["parameter"], json!("from"));
    let head = app.get(&format!("/v1/groups/{g}")).await;
    assert_eq!(head.body["head_sequence"], json!(1));
});

both_backends!(
    a_signed_page_size_and_reversed_date_ranges_are_refused,
    |app| async move {
        let (g, _) = cash_and_savings(&app).await;
        let signed = app
            .get(&format!("/v1/groups/{g}/transactions?limit=%2B5"))
            .await;
        assert_eq!(signed.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(signed.body["errors"][0]["parameter"], json!("limit"));
        let reversed = app
            .get(&format!(
                "/v1/groups/{g}/transactions?from=2026-11-02&to=2026-11-01"
            ))
            .await;
        assert_eq!(reversed.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reversed.body["errors"][0]["parameter"], json!("to"));
    }
);

both_backends!(
    fractional_numbers_in_metadata_are_refused_with_their_pointer,
    |app| async move {
        let (g, _) = cash_and_savings(&app).await;
        let body = json!({"metadata": {"fx": {"rate": 7.25}}, "entries": [
        {"account": "assets:cash:HKD", "direction": "debit", "amount": "1"},
        {"account": "liabilities:savings:ana", "direction": "credit", "amount": "1"}]});
        let reply = app
            .post_with_key(&format!("/v1/groups/{g}/transactions"), "m1", &body)
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.pointer(), "/metadata/fx/rate");
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "100.00");
    }
);

both_backends!(
    reusing_a_key_to_reverse_another_transaction_is_refused,
    |app| async move {
        let (g, first) = cash_and_savings(&app).await;
        let second = app
            .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "50")
            .await;
        let second = second.body["id"].as_str().unwrap().to_string();
        let undo = |id: &str| format!("/v1/groups/{g}/transactions/{id}/reversal");
        let one = app.post_with_key(&undo(&first), "undo", &json!({})).await;
        assert_eq!(one.status, StatusCode::CREATED);
        let other = app.post_with_key(&undo(&second), "undo", &json!({})).await;
        assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(other.problem_type(), "/problems/idempotency-key-reused");
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "50.00");
    }
);

both_backends!(
    an_account_code_that_reads_as_an_id_is_refused,
    |app| async move {
        let (g, _) = cash_and_savings(&app).await;
        let ana = app
            .get(&format!("/v1/groups/{g}/accounts/liabilities:savings:ana"))
            .await;
        let id = ana.body["id"].as_str().unwrap();
        let reply = app
        .post(
            &format!("/v1/groups/{g}/accounts"),
            &json!({"code": format!("urn:uuid:{id}"), "name": "Impostor", "type": "asset", "currency": "HKD"}),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert_eq!(reply.pointer(), "/code");
    }
);

both_backends!(
    the_largest_negative_metadata_integer_is_refused_not_a_server_error,
    |app| async move {
        let (g, _) = cash_and_savings(&app).await;
        let body = json!({"metadata": {"n": i64::MIN}, "entries": [
        {"account": "assets:cash:HKD", "direction": "debit", "amount": "1"},
        {"account": "liabilities:savings:ana", "direction": "credit", "amount": "1"}]});
        let reply = app
            .post_with_key(&format!("/v1/groups/{g}/transactions"), "min", &body)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert_eq!(reply.pointer(), "/metadata/n");
    }
);

both_backends!(
    a_sign_in_with_a_nul_in_the_username_is_a_plain_refusal,
    |app| async move {
        let reply = app
            .send(
                app.anonymous
                    .post(app.url("/v1/auth/token"))
                    .json(&json!({"username": "ad\u{0}min", "password": "whatever-it-is"})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
        assert_eq!(reply.problem_type(), "/problems/invalid-credentials");
    }
);

both_backends!(
    an_auditor_who_is_also_the_group_s_treasurer_can_write,
    |app| async move {
        let (g, _) = cash_and_savings(&app).await;
        let (_, both) = app
            .user_with(
                "auditor.treasurer",
                json!([{"role": "auditor"}, {"role": "treasurer", "group_id": g}]),
            )
            .await;
        let reply = support::app::Reply::from(
            both.post(app.url(&format!("/v1/groups/{g}/transactions")))
                .header("Idempotency-Key", "both-1")
                .json(&json!({"entries": [
                {"account": "assets:cash:HKD", "direction": "debit", "amount": "5"},
                {"account": "liabilities:savings:ana", "direction": "credit", "amount": "5"}]}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "105.00");
    }
);

/// Runs `sql` (with `binds` as $1, $2, ...) on the database directly, behind the service's back,
/// with the trigger that would refuse it dropped (SQLite) or disabled (PostgreSQL: `table`'s
/// `postgres_trigger`).
async fn tamper(
    app: &TestApp,
    sqlite_trigger: &str,
    (table, postgres_trigger): (&str, &str),
    sql: &str,
    binds: &[uuid::Uuid],
) {
    let disable = match app.backend {
        Backend::Sqlite => format!("DROP TRIGGER IF EXISTS {sqlite_trigger}"),
        Backend::Postgres => format!("ALTER TABLE {table} DISABLE TRIGGER {postgres_trigger}"),
    };
    macro_rules! on {
        ($pool:expr) => {{
            let pool = $pool.await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(disable))
                .execute(&pool)
                .await
                .unwrap();
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
            for id in binds {
                query = query.bind(*id);
            }
            query.execute(&pool).await.unwrap();
        }};
    }
    match app.backend {
        Backend::Sqlite => on!(sqlx::SqlitePool::connect(&app.database_url)),
        Backend::Postgres => on!(sqlx::PgPool::connect(&app.database_url)),
    }
}

/// The group's verification, which must find the journal broken in the way `kind` names, and
/// answer as openapi.yaml says.
async fn failed_verification(app: &TestApp, group: &str, kind: &str) -> support::app::Reply {
    let verify = app.get(&format!("/v1/groups/{group}/ledger/verify")).await;
    support::openapi::assert_reply_matches("GET", "/v1/groups/{group_id}/ledger/verify", &verify);
    assert_eq!(verify.body["ok"], json!(false), "{kind}: {}", verify.body);
    assert_eq!(
        verify.body["failure"]["kind"],
        json!(kind),
        "{}",
        verify.body
    );
    verify
}

both_backends!(
    verification_notices_an_entry_whose_account_is_no_longer_what_it_named,
    |app| async move {
        let other: uuid::Uuid = app.create_group("Elsewhere").await.parse().unwrap();
        // Each time an account is changed behind the service's back, and the entry that named
        // it is untouched, as is its hash (which covers the account's id and the entry's
        // currency): moved to another group, its money sits in that group's books; given
        // another currency, it holds an amount in a currency that is not its own.
        for (change, kind) in [
            ("group_id = $1", "foreign_account"),
            ("currency = 'PHP'", "currency_mismatch"),
        ] {
            let (g, _) = cash_and_savings(&app).await;
            let ana = app
                .get(&format!("/v1/groups/{g}/accounts/liabilities:savings:ana"))
                .await
                .body;
            let ana_id: uuid::Uuid = ana["id"].as_str().unwrap().parse().unwrap();
            if kind == "foreign_account" && app.backend == Backend::Postgres {
                // PostgreSQL refuses the move itself, its guard on the account's identity off:
                // the entries reference their account by (group, id). Someone with the rights
                // to drops that reference too, and verification is what tells.
                let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
                sqlx::query("ALTER TABLE accounts DISABLE TRIGGER accounts_identity_fixed")
                    .execute(&pool)
                    .await
                    .unwrap();
                let refused = sqlx::query("UPDATE accounts SET group_id = $1 WHERE id = $2")
                    .bind(other)
                    .bind(ana_id)
                    .execute(&pool)
                    .await
                    .expect_err("PostgreSQL moved an account that entries name");
                assert!(
                    refused
                        .to_string()
                        .contains("entries_account_of_group_fkey"),
                    "refused for another reason: {refused}"
                );
                sqlx::query("ALTER TABLE entries DROP CONSTRAINT entries_account_of_group_fkey")
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            tamper(
                &app,
                "accounts_identity_fixed",
                ("accounts", "accounts_identity_fixed"),
                &format!("UPDATE accounts SET {change} WHERE id = $2"),
                &[other, ana_id],
            )
            .await;
            let verify = failed_verification(&app, &g, kind).await;
            assert_eq!(verify.body["failure"]["sequence"], json!(1), "{kind}");
            assert_eq!(verify.body["failure"]["account_id"], ana["id"], "{kind}");
            assert_eq!(verify.body["transactions_checked"], json!(1), "{kind}");
        }
    }
);

both_backends!(
    verification_notices_an_entry_moved_to_another_date,
    |app| async move {
        let (g, _) = cash_and_savings(&app).await;
        let sql = "UPDATE entries SET booked_on = '2001-01-01' WHERE line = 0";
        tamper(
            &app,
            "entries_no_update",
            ("entries", "entries_immutable"),
            sql,
            &[],
        )
        .await;
        let verify = failed_verification(&app, &g, "entry_mismatch").await;
        assert_eq!(verify.body["failure"]["sequence"], json!(1));
    }
);
