//! Idempotency keys: a treasurer on a weak connection retries, and the ledger must never count
//! a contribution twice. One key, one outcome, replayed byte for byte.

use crate::support;

use std::collections::HashSet;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use support::app::{Reply, TestApp, assert_problem};

const REPLAYED: &str = "idempotent-replayed";

/// A response with its body as sent, to compare replays byte for byte.
struct Raw {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Raw {
    fn replayed(&self) -> bool {
        self.headers
            .get(REPLAYED)
            .is_some_and(|v| v.as_bytes() == b"true")
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.text).expect("JSON body")
    }

    fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn raw_post(app: &TestApp, path: &str, key: &str, body: &Value) -> Raw {
    raw_post_text(app, path, key, &body.to_string()).await
}

async fn raw_post_text(app: &TestApp, path: &str, key: &str, body: &str) -> Raw {
    let response = app
        .client
        .post(app.url(path))
        .header("Idempotency-Key", key)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    Raw {
        status: response.status(),
        headers: response.headers().clone(),
        text: response.text().await.expect("body"),
    }
}

fn entry(account: &str, direction: &str, amount: &str) -> Value {
    json!({"account": account, "direction": direction, "amount": amount})
}

fn contribution(member: &str, amount: &str) -> Value {
    json!({"booked_on": "2025-06-01", "description": format!("{member} saves"), "entries": [
        entry("assets:cash:HKD", "debit", amount),
        entry(&format!("liabilities:savings:{member}"), "credit", amount),
    ]})
}

fn withdrawal(member: &str, amount: &str) -> Value {
    json!({"booked_on": "2025-06-02", "description": format!("{member} withdraws"), "entries": [
        entry(&format!("liabilities:savings:{member}"), "debit", amount),
        entry("assets:cash:HKD", "credit", amount),
    ]})
}

async fn savings_group(app: &TestApp) -> String {
    let g = app.create_group("Bayanihan").await;
    app.create_account(&g, "assets:cash:HKD", "asset", "HKD", false)
        .await;
    app.create_account(&g, "liabilities:savings:ana", "liability", "HKD", true)
        .await;
    app.create_account(&g, "liabilities:savings:ben", "liability", "HKD", true)
        .await;
    g
}

fn transactions_path(group: &str) -> String {
    format!("/v1/groups/{group}/transactions")
}

async fn transaction_ids(app: &TestApp, group: &str) -> Vec<String> {
    let reply = app
        .get(&format!("/v1/groups/{group}/transactions?limit=500"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_string())
        .collect()
}

async fn head_sequence(app: &TestApp, group: &str) -> i64 {
    let reply = app.get(&format!("/v1/groups/{group}")).await;
    reply.body["head_sequence"].as_i64().expect("head_sequence")
}

both_backends!(
    posting_without_an_idempotency_key_is_refused,
    |app| async move {
        let g = savings_group(&app).await;
        let reply = app
            .post(&transactions_path(&g), &contribution("ana", "500"))
            .await;
        assert_problem(&reply, StatusCode::BAD_REQUEST, "idempotency-key-required");
        assert_eq!(head_sequence(&app, &g).await, 0);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "0.00");

        let posted = app
            .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "500")
            .await;
        assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
        let id = posted.body["id"].as_str().expect("id");
        let reversal = format!("/v1/groups/{g}/transactions/{id}/reversal");
        let reply = app.post(&reversal, &json!({})).await;
        assert_problem(&reply, StatusCode::BAD_REQUEST, "idempotency-key-required");
        assert_eq!(head_sequence(&app, &g).await, 1);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "500.00");
    }
);

both_backends!(malformed_idempotency_keys_are_refused, |app| async move {
    let g = savings_group(&app).await;
    let posted = app
        .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "500")
        .await;
    let id = posted.body["id"].as_str().expect("id").to_string();
    let keys = [
        HeaderValue::from_static(""),
        HeaderValue::from_str(&"k".repeat(256)).expect("header"),
        HeaderValue::from_bytes("clé-1".as_bytes()).expect("header"),
        HeaderValue::from_bytes("ключ".as_bytes()).expect("header"),
        HeaderValue::from_static("tab\there"),
    ];
    let routes = [
        (transactions_path(&g), contribution("ana", "1")),
        (
            format!("/v1/groups/{g}/transactions/{id}/reversal"),
            json!({}),
        ),
        (
            "/v1/groups".to_string(),
            json!({"name": "Kapatiran", "currency": "HKD", "host_country": "HK", "home_country": "PH"}),
        ),
        (
            format!("/v1/groups/{g}/accounts"),
            json!({"code": "assets:bank:HKD", "name": "Bank", "type": "asset", "currency": "HKD"}),
        ),
    ];
    for key in &keys {
        for (path, body) in &routes {
            let reply = app
                .send(
                    app.client
                        .post(app.url(path))
                        .header("Idempotency-Key", key.clone())
                        .json(body),
                )
                .await;
            assert_problem(&reply, StatusCode::BAD_REQUEST, "invalid-idempotency-key");
        }
    }
    assert_eq!(head_sequence(&app, &g).await, 1);
    assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "500.00");
    let groups = app.get("/v1/groups").await;
    assert_eq!(groups.body["items"].as_array().expect("items").len(), 1);
    let accounts = app.get(&format!("/v1/groups/{g}/accounts")).await;
    assert_eq!(accounts.body["items"].as_array().expect("items").len(), 3);

    // 255 printable ASCII characters, spaces included, make a valid key.
    let longest = format!("{} {}", "k".repeat(127), "~".repeat(127));
    let reply = app
        .post_with_key(&transactions_path(&g), &longest, &contribution("ana", "1"))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
});

both_backends!(
    a_retry_with_the_same_key_and_body_replays_the_first_response,
    |app| async move {
        let g = savings_group(&app).await;
        let path = transactions_path(&g);
        let body = contribution("ana", "500");
        let first = raw_post(&app, &path, "meeting-12-ana", &body).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
        assert!(!first.replayed());

        let retry = raw_post(&app, &path, "meeting-12-ana", &body).await;
        assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.text);
        assert!(retry.replayed(), "{:?}", retry.headers);
        assert_eq!(retry.text, first.text);
        assert!(retry.content_type().starts_with("application/json"));

        // Later postings move the head on; the replay still shows the first response.
        let other = app
            .transfer(&g, "assets:cash:HKD", "liabilities:savings:ben", "20")
            .await;
        assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
        let late = raw_post(&app, &path, "meeting-12-ana", &body).await;
        assert!(late.replayed());
        assert_eq!(late.text, first.text);

        let id = first.json()["id"].as_str().expect("id").to_string();
        let ids = transaction_ids(&app, &g).await;
        assert_eq!(ids.len(), 2);
        assert_eq!(ids[0], id);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "500.00");
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "520.00");
    }
);

both_backends!(
    a_retry_with_reordered_fields_and_spacing_is_the_same_request,
    |app| async move {
        let g = savings_group(&app).await;
        let path = transactions_path(&g);
        let compact = r#"{"booked_on":"2025-06-01","description":"Ana saves","entries":[{"account":"assets:cash:HKD","direction":"debit","amount":"500"},{"account":"liabilities:savings:ana","direction":"credit","amount":"500"}]}"#;
        let reordered = r#"{
        "entries": [
            {"amount": "500", "direction": "debit", "account": "assets:cash:HKD"},
            {"direction": "credit", "account": "liabilities:savings:ana", "amount": "500"}
        ],
        "description": "Ana saves",
        "booked_on": "2025-06-01"
    }"#;
        let first = raw_post_text(&app, &path, "k-1", compact).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
        let retry = raw_post_text(&app, &path, "k-1", reordered).await;
        assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.text);
        assert!(retry.replayed());
        assert_eq!(retry.text, first.text);
        assert_eq!(transaction_ids(&app, &g).await.len(), 1);
    }
);

both_backends!(
    a_key_reused_with_a_different_body_is_refused,
    |app| async move {
        let g = savings_group(&app).await;
        let path = transactions_path(&g);
        let first = raw_post(&app, &path, "meeting-12", &contribution("ana", "500")).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);

        for other in [
            contribution("ana", "500.01"),
            contribution("ben", "500"),
            json!({"booked_on": "2025-06-01", "description": "Ana saves", "entries": [
            entry("assets:cash:HKD", "debit", "500"),
            entry("liabilities:savings:ana", "credit", "500"),
        ], "metadata": {"receipt": "R-1"}}),
        ] {
            let reply = app.post_with_key(&path, "meeting-12", &other).await;
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
            );
        }
        assert_eq!(transaction_ids(&app, &g).await.len(), 1);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "500.00");
        assert_eq!(app.balance(&g, "liabilities:savings:ben").await, "0.00");

        // The original request still gets its original answer.
        let retry = raw_post(&app, &path, "meeting-12", &contribution("ana", "500")).await;
        assert!(retry.replayed());
        assert_eq!(retry.text, first.text);
    }
);

both_backends!(
    a_key_used_for_a_posting_cannot_be_reused_for_a_reversal,
    |app| async move {
        let g = savings_group(&app).await;
        let first = raw_post(
            &app,
            &transactions_path(&g),
            "key-1",
            &contribution("ana", "500"),
        )
        .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
        let id = first.json()["id"].as_str().expect("id").to_string();
        let reply = app
            .post_with_key(
                &format!("/v1/groups/{g}/transactions/{id}/reversal"),
                "key-1",
                &json!({}),
            )
            .await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
        );
        assert_eq!(transaction_ids(&app, &g).await, vec![id]);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "500.00");
    }
);

both_backends!(
    a_key_used_to_reverse_one_transaction_cannot_reverse_another,
    |app| async move {
        let g = savings_group(&app).await;
        let mut ids = Vec::new();
        for member in ["ana", "ben"] {
            let reply = app
                .transfer(
                    &g,
                    "assets:cash:HKD",
                    &format!("liabilities:savings:{member}"),
                    "100",
                )
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            ids.push(reply.body["id"].as_str().expect("id").to_string());
        }
        let reverse = |id: &str| format!("/v1/groups/{g}/transactions/{id}/reversal");
        let first = raw_post(&app, &reverse(&ids[0]), "undo-1", &json!({})).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
        assert_eq!(first.json()["reverses"], json!(ids[0]));

        // Same key and body, but another transaction in the path: a different request.
        let other = app
            .post_with_key(&reverse(&ids[1]), "undo-1", &json!({}))
            .await;
        assert_problem(
            &other,
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
        );
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "0.00");
        assert_eq!(app.balance(&g, "liabilities:savings:ben").await, "100.00");
        assert_eq!(transaction_ids(&app, &g).await.len(), 3);
    }
);

both_backends!(
    a_retried_reversal_replays_instead_of_conflicting,
    |app| async move {
        let g = savings_group(&app).await;
        let posted = app
            .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "100")
            .await;
        let id = posted.body["id"].as_str().expect("id").to_string();
        let path = format!("/v1/groups/{g}/transactions/{id}/reversal");
        let first = raw_post(&app, &path, "undo-ana", &json!({})).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
        let retry = raw_post(&app, &path, "undo-ana", &json!({})).await;
        assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.text);
        assert!(retry.replayed());
        assert_eq!(retry.text, first.text);
        assert_eq!(transaction_ids(&app, &g).await.len(), 2);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "0.00");
    }
);

both_backends!(
    a_refused_posting_replays_its_refusal_even_after_the_balance_allows_it,
    |app| async move {
        let g = savings_group(&app).await;
        let path = transactions_path(&g);
        let first = raw_post(&app, &path, "withdraw-ana", &withdrawal("ana", "200")).await;
        assert_eq!(
            first.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            first.text
        );
        assert!(first.content_type().starts_with("application/problem+json"));
        assert_eq!(first.json()["type"], "/problems/overdraft");

        let deposit = app
            .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "500")
            .await;
        assert_eq!(deposit.status, StatusCode::CREATED, "{}", deposit.body);

        let retry = raw_post(&app, &path, "withdraw-ana", &withdrawal("ana", "200")).await;
        assert_eq!(
            retry.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            retry.text
        );
        assert!(retry.replayed());
        assert!(retry.content_type().starts_with("application/problem+json"));
        assert_eq!(retry.text, first.text);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "500.00");
        assert_eq!(head_sequence(&app, &g).await, 1);

        // A new key is a new request, and now it succeeds.
        let fresh = app
            .post_with_key(&path, "withdraw-ana-2", &withdrawal("ana", "200"))
            .await;
        assert_eq!(fresh.status, StatusCode::CREATED, "{}", fresh.body);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "300.00");
    }
);

both_backends!(keys_are_scoped_to_their_group, |app| async move {
    let first = savings_group(&app).await;
    let second = savings_group(&app).await;
    let a = raw_post(
        &app,
        &transactions_path(&first),
        "meeting-1",
        &contribution("ana", "100"),
    )
    .await;
    let b = raw_post(
        &app,
        &transactions_path(&second),
        "meeting-1",
        &contribution("ana", "100"),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.text);
    assert!(!a.replayed());
    assert!(!b.replayed());
    assert_ne!(a.json()["id"], b.json()["id"]);
    assert_eq!(b.json()["group_id"], json!(second));
    for g in [&first, &second] {
        assert_eq!(transaction_ids(&app, g).await.len(), 1);
        assert_eq!(app.balance(g, "liabilities:savings:ana").await, "100.00");
    }
});

both_backends!(concurrent_retries_post_exactly_once, |app| async move {
    let g = savings_group(&app).await;
    let url = app.url(&transactions_path(&g));
    let body = contribution("ana", "500");
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let client = app.client.clone();
        let url = url.clone();
        let body = body.clone();
        tasks.spawn(async move {
            let response = client
                .post(url)
                .header("Idempotency-Key", "flaky-connection")
                .json(&body)
                .send()
                .await
                .expect("request");
            Reply::from(response).await
        });
    }
    let mut created_ids = HashSet::new();
    let mut created = 0;
    while let Some(reply) = tasks.join_next().await {
        let reply = reply.expect("task");
        if reply.status == StatusCode::CREATED {
            created += 1;
            created_ids.insert(reply.body["id"].as_str().expect("id").to_string());
        } else {
            assert_problem(&reply, StatusCode::CONFLICT, "request-in-flight");
        }
    }
    assert!(created >= 1);
    assert_eq!(created_ids.len(), 1, "{created_ids:?}");
    let ids = transaction_ids(&app, &g).await;
    assert_eq!(ids.len(), 1);
    assert!(created_ids.contains(&ids[0]));
    assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "500.00");
    assert_eq!(app.balance(&g, "assets:cash:HKD").await, "500.00");

    // Once the dust settles, a retry replays the one transaction.
    let retry = app
        .post_with_key(&transactions_path(&g), "flaky-connection", &body)
        .await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.body);
    assert_eq!(retry.body["id"], json!(ids[0]));
});

both_backends!(creating_a_group_with_a_key_replays, |app| async move {
    let body =
        json!({"name": "Bayanihan", "currency": "HKD", "host_country": "HK", "home_country": "PH"});
    let first = raw_post(&app, "/v1/groups", "new-group", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let retry = raw_post(&app, "/v1/groups", "new-group", &body).await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.text);
    assert!(retry.replayed());
    assert_eq!(retry.text, first.text);

    let other = app
        .post_with_key(
            "/v1/groups",
            "new-group",
            &json!({"name": "Kapatiran", "currency": "HKD", "host_country": "HK", "home_country": "PH"}),
        )
        .await;
    assert_problem(
        &other,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
    );
    let listed = app.get("/v1/groups").await;
    let items = listed.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], first.json()["id"]);

    // Without a key, each request creates a group.
    for _ in 0..2 {
        let reply = app.post("/v1/groups", &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let listed = app.get("/v1/groups").await;
    assert_eq!(listed.body["items"].as_array().expect("items").len(), 3);
});

both_backends!(creating_an_account_with_a_key_replays, |app| async move {
    let g = app.create_group("Bayanihan").await;
    let path = format!("/v1/groups/{g}/accounts");
    let body =
        json!({"code": "assets:cash:HKD", "name": "Cash box", "type": "asset", "currency": "HKD"});
    let first = raw_post(&app, &path, "cash-box", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let retry = raw_post(&app, &path, "cash-box", &body).await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.text);
    assert!(retry.replayed());
    assert_eq!(retry.text, first.text);

    // A new key for the same code is a new request, refused as a duplicate; its refusal replays.
    let duplicate = raw_post(&app, &path, "cash-box-again", &body).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT, "{}", duplicate.text);
    assert_eq!(duplicate.json()["type"], "/problems/duplicate-account-code");
    let duplicate_retry = raw_post(&app, &path, "cash-box-again", &body).await;
    assert_eq!(duplicate_retry.status, StatusCode::CONFLICT);
    assert!(duplicate_retry.replayed());
    assert_eq!(duplicate_retry.text, duplicate.text);

    let accounts = app.get(&path).await;
    let items = accounts.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], first.json()["id"]);
});

both_backends!(closing_a_period_with_a_key_replays, |app| async move {
    let g = savings_group(&app).await;
    let path = format!("/v1/groups/{g}/period-closes");
    let first = raw_post(&app, &path, "close-q1", &json!({"through": "2025-03-31"})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let retry = raw_post(&app, &path, "close-q1", &json!({"through": "2025-03-31"})).await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.text);
    assert!(retry.replayed());
    assert_eq!(retry.text, first.text);
    // Without the key, closing the same date again is a conflict.
    let again = app.post(&path, &json!({"through": "2025-03-31"})).await;
    assert_problem(&again, StatusCode::CONFLICT, "period-already-closed");
});
