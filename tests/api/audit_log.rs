//! The audit log, on both backends: every request that may change state from a signed-in
//! caller, and every sign-in, is recorded, whatever its outcome (anonymous refusals are not),
//! with who made it, on which group, through which route, with which status,
//! idempotency key and request id, and what it created; reads are not recorded; no password or
//! token is ever kept; auditors and administrators read it, page by page and filtered, and no
//! one else; the database itself refuses to rewrite it; and every transaction names its poster.

use crate::support;

use chrono::{DateTime, Utc};
use reqwest::{Client, RequestBuilder};
use serde_json::{Value, json};
use sqlx::{PgPool, SqlitePool};
use support::app::{ADMIN_PASSWORD, Backend, Reply, TestApp, client_with_token, login};
use uuid::Uuid;

/// Password of every user `TestApp::user_with` creates.
const USER_PASSWORD: &str = "a-long-enough-password";
const TRANSACTION_ROUTE: &str = "/v1/groups/{group_id}/transactions";

/// A group with a cash and a savings account.
async fn group_with_accounts(app: &TestApp, name: &str) -> String {
    let group = app.create_group(name).await;
    app.create_account(&group, "assets:cash", "asset", "HKD", false)
        .await;
    app.create_account(&group, "liabilities:savings", "liability", "HKD", false)
        .await;
    group
}

/// Adds a member to `group` and returns the member's id, for member grants to name.
async fn new_member(app: &TestApp, group: &str, name: &str) -> String {
    let reply = app
        .post(
            &format!("/v1/groups/{group}/members"),
            &json!({"name": name, "home_country": "PH", "host_country": "HK"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

fn contribution(amount: &str) -> Value {
    json!({"description": "monthly contribution", "entries": [
        {"account": "assets:cash", "direction": "debit", "amount": amount},
        {"account": "liabilities:savings", "direction": "credit", "amount": amount},
    ]})
}

/// Sends `request` with an Idempotency-Key and an X-Request-Id of its own; returns the reply,
/// the key and the request id.
async fn tagged(app: &TestApp, request: RequestBuilder) -> (Reply, String, String) {
    let key = format!("key-{}", Uuid::new_v4());
    let request_id = format!("req-{}", Uuid::new_v4());
    let reply = app
        .send(
            request
                .header("Idempotency-Key", &key)
                .header("X-Request-Id", &request_id),
        )
        .await;
    (reply, key, request_id)
}

async fn post_transaction(
    app: &TestApp,
    client: &Client,
    group: &str,
    body: &Value,
) -> (Reply, String, String) {
    let url = app.url(&format!("/v1/groups/{group}/transactions"));
    tagged(app, client.post(url).json(body)).await
}

/// Every audit event `client` may list with `filters`, following the cursor, with the pages'
/// sizes.
async fn events_paged(
    app: &TestApp,
    client: &Client,
    filters: &[(&str, &str)],
    limit: u32,
) -> (Vec<Value>, Vec<usize>) {
    let mut events = Vec::new();
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query: Vec<(&str, String)> =
            filters.iter().map(|(k, v)| (*k, v.to_string())).collect();
        query.push(("limit", limit.to_string()));
        if let Some(c) = &cursor {
            query.push(("cursor", c.clone()));
        }
        let reply = app
            .send(client.get(app.url("/v1/audit-events")).query(&query))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let items = reply.body["items"].as_array().unwrap();
        pages.push(items.len());
        events.extend(items.iter().cloned());
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
        assert!(pages.len() < 1000, "the cursor never ends");
    }
    (events, pages)
}

async fn events(app: &TestApp, filters: &[(&str, &str)]) -> Vec<Value> {
    events_paged(app, &app.client, filters, 500).await.0
}

/// The one event recorded for the request sent with `request_id`.
async fn event_of(app: &TestApp, request_id: &str) -> Value {
    let all = events(app, &[]).await;
    let found: Vec<&Value> = all
        .iter()
        .filter(|e| e["request_id"] == request_id)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one event for request {request_id}: {found:?}"
    );
    found[0].clone()
}

async fn my_id(app: &TestApp, client: &Client) -> String {
    let reply = app.send(client.get(app.url("/v1/me"))).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["user"]["id"].as_str().unwrap().to_string()
}

both_backends!(
    a_posted_transaction_is_recorded_with_who_where_and_what_it_created,
    |app| async move {
        let group = group_with_accounts(&app, "Sham Shui Po").await;
        let (treasurer, client) = app
            .user_with(
                "treasurer-ssp",
                json!([{"role": "treasurer", "group_id": group}]),
            )
            .await;
        let (reply, key, request_id) =
            post_transaction(&app, &client, &group, &contribution("300.00")).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        let transaction = reply.body["id"].as_str().unwrap();

        let event = event_of(&app, &request_id).await;
        assert_eq!(event["method"], "POST");
        assert_eq!(event["route"], TRANSACTION_ROUTE);
        assert_eq!(event["path"], format!("/v1/groups/{group}/transactions"));
        assert_eq!(event["status"], 201);
        assert_eq!(event["user_id"], treasurer.as_str());
        assert_eq!(event["username"], "treasurer-ssp");
        assert_eq!(event["group_id"], group.as_str());
        assert_eq!(event["idempotency_key"], key.as_str());
        assert_eq!(event["request_id"], request_id.as_str());
        assert_eq!(event["created_ids"], json!([transaction]));
        assert_eq!(event["client_addr"], "127.0.0.1");
        let occurred: DateTime<Utc> = event["occurred_at"].as_str().unwrap().parse().unwrap();
        assert!((Utc::now() - occurred).num_seconds().abs() < 60);

        // Without an X-Request-Id of its own, the request gets one, returned and recorded.
        let reply = app
            .send(
                client
                    .post(app.url(&format!("/v1/groups/{group}/transactions")))
                    .header("Idempotency-Key", "second-contribution")
                    .json(&contribution("10.00")),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        let assigned = reply
            .headers
            .get("x-request-id")
            .expect("the reply names its request id")
            .to_str()
            .unwrap();
        let event = event_of(&app, assigned).await;
        assert_eq!(event["idempotency_key"], "second-contribution");
        assert_eq!(event["created_ids"], json!([reply.body["id"]]));
    }
);

both_backends!(
    a_rejected_transaction_is_recorded_with_its_status_and_nothing_created,
    |app| async move {
        let group = group_with_accounts(&app, "Tsuen Wan").await;
        let unbalanced = json!({"description": "typo", "entries": [
            {"account": "assets:cash", "direction": "debit", "amount": "300.00"},
            {"account": "liabilities:savings", "direction": "credit", "amount": "30.00"},
        ]});
        let (reply, key, request_id) =
            post_transaction(&app, &app.client, &group, &unbalanced).await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        let event = event_of(&app, &request_id).await;
        assert_eq!(event["status"], 422);
        assert_eq!(event["route"], TRANSACTION_ROUTE);
        assert_eq!(event["group_id"], group.as_str());
        assert_eq!(event["idempotency_key"], key.as_str());
        assert_eq!(event["username"], "admin");
        assert_eq!(event["created_ids"], json!([]));
    }
);

both_backends!(
    sign_ins_are_recorded_and_a_failed_one_names_the_username_but_no_user,
    |app| async move {
        let (reply, _, request_id) = tagged(
            &app,
            app.anonymous
                .post(app.url("/v1/auth/token"))
                .json(&json!({"username": "admin", "password": "not-the-admin-password"})),
        )
        .await;
        assert_eq!(reply.status, 401, "{}", reply.body);
        let event = event_of(&app, &request_id).await;
        assert_eq!(event["route"], "/v1/auth/token");
        assert_eq!(event["status"], 401);
        assert_eq!(event["username"], "admin");
        assert_eq!(
            event["user_id"],
            Value::Null,
            "a failed sign-in is nobody's act: whoever typed the wrong password is not the user, \
             and filtering the log by that user must not show it as theirs"
        );
        assert_eq!(event["created_ids"], json!([]));

        let (reply, _, request_id) = tagged(
            &app,
            app.anonymous
                .post(app.url("/v1/auth/token"))
                .json(&json!({"username": "admin", "password": ADMIN_PASSWORD})),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let event = event_of(&app, &request_id).await;
        assert_eq!(event["status"], 200);
        assert_eq!(event["username"], "admin");
        assert_eq!(event["user_id"], my_id(&app, &app.client).await.as_str());
    }
);

both_backends!(
    refused_writes_are_recorded_with_their_status,
    |app| async move {
        let a = group_with_accounts(&app, "Group A").await;
        let b = group_with_accounts(&app, "Group B").await;
        let record = new_member(&app, &a, "Ana Reyes").await;
        let (member, member_client) = app
            .user_with(
                "member-a",
                json!([{"role": "member", "group_id": a, "member_id": record}]),
            )
            .await;
        let before = app.get(&format!("/v1/groups/{a}")).await.body;

        let (reply, key, request_id) =
            post_transaction(&app, &member_client, &a, &contribution("300.00")).await;
        assert_eq!(reply.status, 403, "{}", reply.body);
        let event = event_of(&app, &request_id).await;
        assert_eq!(event["status"], 403);
        assert_eq!(event["user_id"], member.as_str());
        assert_eq!(event["username"], "member-a");
        assert_eq!(event["group_id"], a.as_str());
        assert_eq!(event["route"], TRANSACTION_ROUTE);
        assert_eq!(event["idempotency_key"], key.as_str());
        assert_eq!(event["created_ids"], json!([]));

        // A write on a group the caller has no grant on.
        let (reply, _, request_id) =
            post_transaction(&app, &member_client, &b, &contribution("1.00")).await;
        assert_eq!(reply.status, 404, "{}", reply.body);
        let event = event_of(&app, &request_id).await;
        assert_eq!(event["status"], 404);
        assert_eq!(event["user_id"], member.as_str());
        assert_eq!(event["group_id"], b.as_str());

        let after = app.get(&format!("/v1/groups/{a}")).await.body;
        assert_eq!(before["head_sequence"], after["head_sequence"]);
        assert_eq!(before["head_hash"], after["head_hash"]);
    }
);

both_backends!(
    anonymous_requests_refused_before_identification_leave_no_audit_event,
    |app| async move {
        let group = group_with_accounts(&app, "Flooded").await;
        let before = events(&app, &[]).await.len();
        let bad_token = client_with_token("not.a.token");
        let transactions = app.url(&format!("/v1/groups/{group}/transactions"));
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..60 {
            let request = match n % 5 {
                // No token, and a token that is no token.
                0 => app.anonymous.post(&transactions),
                1 => bad_token.post(&transactions),
                2 => app.anonymous.post(app.url("/v1/users")),
                // No such route, and a method the route does not have.
                3 => app
                    .anonymous
                    .post(app.url(&format!("/v1/no-such-route/{n}"))),
                _ => app.anonymous.delete(app.url("/v1/groups")),
            };
            tasks.spawn(async move {
                request
                    .header("Idempotency-Key", format!("flood-{n}"))
                    .json(&contribution("1.00"))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            });
        }
        let mut statuses = tasks.join_all().await;
        statuses.sort_unstable();
        statuses.dedup();
        assert_eq!(statuses, [401, 404, 405], "{statuses:?}");
        assert_eq!(
            events(&app, &[]).await.len(),
            before,
            "anonymous refusals were written to the audit log"
        );

        // A failed sign-in is still recorded, and so is anything a signed-in caller sends,
        // even to no route.
        assert!(
            login(&app.anonymous, &app.base, "admin", "not-the-password")
                .await
                .is_err()
        );
        let (reply, _, request_id) = tagged(
            &app,
            app.client
                .post(app.url("/v1/no-such-route"))
                .json(&json!({})),
        )
        .await;
        assert_eq!(reply.status, 404, "{}", reply.body);
        let after = events(&app, &[]).await;
        assert_eq!(after.len(), before + 2, "{after:?}");
        let failed = &after[before];
        assert_eq!(failed["route"], "/v1/auth/token");
        assert_eq!(failed["status"], 401);
        assert_eq!(failed["username"], "admin");
        assert_eq!(failed["user_id"], Value::Null);
        assert_eq!(event_of(&app, &request_id).await["username"], "admin");
    }
);

both_backends!(
    a_write_cut_off_by_the_request_timeout_is_still_recorded,
    |app| async move {
        let group = group_with_accounts(&app, "Slow Lane").await;
        // A second instance on the same database, whose every request runs out of time.
        let store = msai_ledger::store::connect(&app.database_url)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = msai_ledger::app::AppConfig {
            request_timeout: std::time::Duration::from_millis(100),
            ..msai_ledger::app::AppConfig::default()
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(msai_ledger::app::serve(listener, store, config, async {
            let _ = stopped.await;
        }));
        // The write waits on a lock someone else holds past the timeout.
        support::app::wait_ready(&base).await;
        let release = support::app::hold_write_lock(
            app.backend,
            &app.database_url,
            std::time::Duration::from_millis(1500),
        )
        .await;
        let (reply, key, request_id) = tagged(
            &app,
            app.client
                .post(format!("{base}/v1/groups/{group}/transactions"))
                .json(&contribution("300.00")),
        )
        .await;
        release.await.unwrap();
        assert_eq!(reply.status, 503, "{}", reply.body);
        let _ = stop.send(());

        // A 503 is answered without waiting for its record, which its own task writes once
        // the lock is free.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let recorded = loop {
            let recorded: Vec<Value> = events(&app, &[])
                .await
                .into_iter()
                .filter(|e| e["request_id"] == request_id.as_str())
                .collect();
            if !recorded.is_empty() || std::time::Instant::now() > deadline {
                break recorded;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert_eq!(
            recorded.len(),
            1,
            "the write that ran out of time (key {key}) left no audit event"
        );
        assert_eq!(recorded[0]["status"], 503);
        assert_eq!(recorded[0]["username"], "admin");
        assert_eq!(recorded[0]["group_id"], group.as_str());
    }
);

both_backends!(reads_are_not_recorded, |app| async move {
    let group = group_with_accounts(&app, "Mong Kok").await;
    let record = new_member(&app, &group, "Ana Reyes").await;
    let (_, member) = app
        .user_with(
            "member-mk",
            json!([{"role": "member", "group_id": group, "member_id": record}]),
        )
        .await;
    let before = events(&app, &[]).await;
    let g = format!("/v1/groups/{group}");
    let reads: Vec<(&Client, String)> = vec![
        (&app.client, "/v1/groups".into()),
        (&app.client, g.clone()),
        (&app.client, format!("{g}/accounts")),
        (&app.client, format!("{g}/accounts/assets:cash/statement")),
        (&app.client, format!("{g}/trial-balance")),
        (&app.client, format!("{g}/ledger/verify")),
        (&app.client, "/v1/me".into()),
        (&app.client, "/v1/users".into()),
        (&app.client, format!("/v1/groups/{}", Uuid::new_v4())),
        (&app.client, "/v1/no-such-route".into()),
        (&member, format!("{g}/transactions")),
        (&member, "/v1/audit-events".into()),
        (&app.anonymous, g.clone()),
    ];
    for (client, path) in &reads {
        let reply = app.send(client.get(app.url(path))).await;
        assert!(reply.status.as_u16() < 500, "{path}: {}", reply.body);
    }
    let after = events(&app, &[]).await;
    assert_eq!(
        before.len(),
        after.len(),
        "reads were recorded: {:?}",
        &after[before.len().min(after.len())..]
    );
});

both_backends!(the_log_holds_no_password_and_no_token, |app| async move {
    let group = group_with_accounts(&app, "Yau Ma Tei").await;
    let created = app
        .post(
            "/v1/users",
            &json!({"username": "secretive", "password": USER_PASSWORD,
                   "grants": [{"role": "treasurer", "group_id": group}]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    let token = login(&app.anonymous, &app.base, "secretive", USER_PASSWORD)
        .await
        .unwrap();
    let client = client_with_token(&token);
    let new_password = "an-even-better-secret";
    let reply = app
        .send(
            client
                .post(app.url(&format!("/v1/users/{id}/password")))
                .json(&json!({"password": new_password, "current_password": USER_PASSWORD})),
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let wrong_guess = "a-wrong-guess-typed-here";
    assert!(
        login(&app.anonymous, &app.base, "secretive", wrong_guess)
            .await
            .is_err()
    );
    let new_token = login(&app.anonymous, &app.base, "secretive", new_password)
        .await
        .unwrap();
    // The change ended the old token; the new one posts.
    let client = client_with_token(&new_token);
    let (reply, _, _) = post_transaction(&app, &client, &group, &contribution("5.00")).await;
    assert_eq!(reply.status, 201, "{}", reply.body);

    let log = serde_json::to_string(&events(&app, &[]).await).unwrap();
    assert!(log.contains("secretive"), "the sign-ins were recorded");
    for secret in [
        ADMIN_PASSWORD,
        USER_PASSWORD,
        new_password,
        wrong_guess,
        &app.admin_token,
        &token,
        &new_token,
    ] {
        assert!(!log.contains(secret), "the audit log contains {secret:?}");
        // Nor the signature of a token alone.
        let tail = secret.rsplit('.').next().unwrap();
        assert!(!log.contains(tail), "the audit log contains {tail:?}");
    }
});

both_backends!(
    auditors_and_administrators_list_and_filter_the_log_page_by_page,
    |app| async move {
        let a = group_with_accounts(&app, "Group A").await;
        let b = group_with_accounts(&app, "Group B").await;
        let (treasurer, treasurer_client) = app
            .user_with("treasurer-a", json!([{"role": "treasurer", "group_id": a}]))
            .await;
        let (_, auditor) = app.user_with("auditor", json!([{"role": "auditor"}])).await;
        let mut keys_in_a = Vec::new();
        for amount in ["1.00", "2.00", "3.00"] {
            let (reply, key, _) =
                post_transaction(&app, &treasurer_client, &a, &contribution(amount)).await;
            assert_eq!(reply.status, 201, "{}", reply.body);
            keys_in_a.push(key);
        }
        let mut keys_in_b = Vec::new();
        for amount in ["4.00", "5.00"] {
            let (reply, key, _) =
                post_transaction(&app, &app.client, &b, &contribution(amount)).await;
            assert_eq!(reply.status, 201, "{}", reply.body);
            keys_in_b.push(key);
        }
        let (reply, treasurer_in_b, _) =
            post_transaction(&app, &treasurer_client, &b, &contribution("6.00")).await;
        assert_eq!(reply.status, 404, "{}", reply.body);

        let all = events(&app, &[]).await;
        assert!(all.len() >= 12, "{} events", all.len());
        let (as_auditor, _) = events_paged(&app, &auditor, &[], 500).await;
        assert_eq!(
            as_auditor, all,
            "the auditor sees what the administrator sees"
        );
        let ids = |list: &[Value]| -> Vec<String> {
            list.iter()
                .map(|e| e["id"].as_str().unwrap().to_string())
                .collect()
        };
        let keys = |list: &[Value]| -> Vec<String> {
            list.iter()
                .filter_map(|e| e["idempotency_key"].as_str().map(str::to_string))
                .collect()
        };
        let mut sorted = ids(&all);
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, ids(&all), "oldest first, each event once");

        // Page by page, with the auditor's token.
        for limit in [1, 2, 5] {
            let (paged, sizes) = events_paged(&app, &auditor, &[], limit).await;
            assert_eq!(ids(&paged), ids(&all), "pages of {limit}");
            assert!(sizes.iter().all(|s| *s <= limit as usize), "{sizes:?}");
            assert!(
                sizes[..sizes.len() - 1]
                    .iter()
                    .all(|s| *s == limit as usize)
            );
        }

        // By group: the group's events only, every one of them.
        let (in_a, _) = events_paged(&app, &auditor, &[("group_id", &a)], 2).await;
        assert!(in_a.iter().all(|e| e["group_id"] == a.as_str()));
        let expected: Vec<&Value> = all.iter().filter(|e| e["group_id"] == a.as_str()).collect();
        assert_eq!(in_a.len(), expected.len());
        for key in &keys_in_a {
            assert!(keys(&in_a).contains(key), "{key} missing from group A");
        }
        for key in keys_in_b.iter().chain([&treasurer_in_b]) {
            assert!(!keys(&in_a).contains(key), "{key} of group B listed in A");
        }

        // By user: the treasurer's sign-in and writes, on every group.
        let (by_treasurer, _) =
            events_paged(&app, &app.client, &[("user_id", &treasurer)], 2).await;
        assert!(
            by_treasurer
                .iter()
                .all(|e| e["user_id"] == treasurer.as_str())
        );
        let mut expected_keys = keys_in_a.clone();
        expected_keys.push(treasurer_in_b.clone());
        assert_eq!(keys(&by_treasurer), expected_keys);
        assert!(
            by_treasurer
                .iter()
                .any(|e| e["route"] == "/v1/auth/token" && e["status"] == 200),
            "the treasurer's sign-in is theirs"
        );

        // Both at once.
        let (both, _) = events_paged(
            &app,
            &auditor,
            &[("group_id", &b), ("user_id", &treasurer)],
            500,
        )
        .await;
        assert_eq!(keys(&both), vec![treasurer_in_b.clone()]);

        // By time, both ends included.
        let time =
            |e: &Value| -> DateTime<Utc> { e["occurred_at"].as_str().unwrap().parse().unwrap() };
        let (from, to) = (&all[3], &all[all.len() - 3]);
        let (between, _) = events_paged(
            &app,
            &auditor,
            &[
                ("from", from["occurred_at"].as_str().unwrap()),
                ("to", to["occurred_at"].as_str().unwrap()),
            ],
            2,
        )
        .await;
        let expected: Vec<Value> = all
            .iter()
            .filter(|e| time(e) >= time(from) && time(e) <= time(to))
            .cloned()
            .collect();
        assert_eq!(ids(&between), ids(&expected));
        assert_eq!(between.first(), Some(from));
        assert_eq!(between.last(), Some(to));
        let (later, _) =
            events_paged(&app, &auditor, &[("from", "2999-01-01T00:00:00Z")], 50).await;
        assert!(later.is_empty(), "{later:?}");
        let (earlier, _) =
            events_paged(&app, &auditor, &[("to", "2000-01-01T00:00:00+08:00")], 50).await;
        assert!(earlier.is_empty(), "{earlier:?}");
        // An offset names the same instant as UTC.
        let first_at =
            time(&all[0]).with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
        let (from_first, _) =
            events_paged(&app, &auditor, &[("from", &first_at.to_rfc3339())], 500).await;
        assert_eq!(ids(&from_first), ids(&all));

        let reply = app
            .send(
                auditor
                    .get(app.url("/v1/audit-events"))
                    .query(&[("from", "yesterday")]),
            )
            .await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(reply.body["errors"][0]["parameter"], "from");
    }
);

both_backends!(
    treasurers_and_members_may_not_read_the_log,
    |app| async move {
        let group = group_with_accounts(&app, "Wan Chai").await;
        let (_, treasurer) = app
            .user_with(
                "treasurer-wc",
                json!([{"role": "treasurer", "group_id": group}]),
            )
            .await;
        let record = new_member(&app, &group, "Ana Reyes").await;
        let (_, member) = app
            .user_with(
                "member-wc",
                json!([{"role": "member", "group_id": group, "member_id": record}]),
            )
            .await;
        for (who, client) in [("treasurer", &treasurer), ("member", &member)] {
            for query in [vec![], vec![("group_id", group.as_str())]] {
                let reply = app
                    .send(client.get(app.url("/v1/audit-events")).query(&query))
                    .await;
                assert_eq!(reply.status, 403, "{who} {query:?}: {}", reply.body);
                assert_eq!(reply.problem_type(), "/problems/forbidden");
                assert!(reply.body["items"].is_null());
            }
        }
        let reply = app
            .send(app.anonymous.get(app.url("/v1/audit-events")))
            .await;
        assert_eq!(reply.status, 401, "{}", reply.body);
    }
);

/// A direct connection to the service's database, as someone with its password would have.
enum Database {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Database {
    async fn open(app: &TestApp) -> Database {
        match app.backend {
            Backend::Sqlite => {
                Database::Sqlite(SqlitePool::connect(&app.database_url).await.unwrap())
            }
            Backend::Postgres => {
                Database::Postgres(PgPool::connect(&app.database_url).await.unwrap())
            }
        }
    }

    async fn execute(&self, sql: &'static str) -> Result<u64, sqlx::Error> {
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
}

both_backends!(
    the_database_refuses_to_rewrite_or_forget_audit_events,
    |app| async move {
        let group = group_with_accounts(&app, "Causeway Bay").await;
        let (reply, _, _) =
            post_transaction(&app, &app.client, &group, &contribution("300.00")).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        let before = events(&app, &[]).await;
        assert!(!before.is_empty());

        let db = Database::open(&app).await;
        let mut statements = vec![
            "UPDATE audit_events SET status = 200",
            "UPDATE audit_events SET username = 'someone-else' WHERE username = 'admin'",
            "DELETE FROM audit_events",
            "DELETE FROM audit_events WHERE status = 201",
        ];
        if app.backend == Backend::Postgres {
            statements.push("TRUNCATE audit_events");
        }
        for sql in statements {
            let error = db
                .execute(sql)
                .await
                .expect_err(&format!("the database ran {sql:?}"));
            assert!(
                error.to_string().contains("append-only"),
                "{sql}: refused for another reason: {error}"
            );
        }
        assert_eq!(events(&app, &[]).await, before, "the log is as it was");
    }
);

both_backends!(
    every_transaction_names_the_user_who_posted_it,
    |app| async move {
        let group = group_with_accounts(&app, "North Point").await;
        let (treasurer, treasurer_client) = app
            .user_with(
                "treasurer-np",
                json!([{"role": "treasurer", "group_id": group}]),
            )
            .await;
        let admin = my_id(&app, &app.client).await;

        let (by_treasurer, _, _) =
            post_transaction(&app, &treasurer_client, &group, &contribution("100.00")).await;
        assert_eq!(by_treasurer.status, 201, "{}", by_treasurer.body);
        assert_eq!(by_treasurer.body["created_by"], treasurer.as_str());
        let (by_admin, _, _) =
            post_transaction(&app, &app.client, &group, &contribution("7.00")).await;
        assert_eq!(by_admin.status, 201, "{}", by_admin.body);
        assert_eq!(by_admin.body["created_by"], admin.as_str());
        let admin_tx = by_admin.body["id"].as_str().unwrap();
        let (reversal, _, _) = tagged(
            &app,
            treasurer_client
                .post(app.url(&format!(
                    "/v1/groups/{group}/transactions/{admin_tx}/reversal"
                )))
                .json(&json!({"description": "entered twice"})),
        )
        .await;
        assert_eq!(reversal.status, 201, "{}", reversal.body);
        assert_eq!(reversal.body["created_by"], treasurer.as_str());

        let expected = [
            (by_treasurer.body["id"].clone(), treasurer.as_str()),
            (by_admin.body["id"].clone(), admin.as_str()),
            (reversal.body["id"].clone(), treasurer.as_str()),
        ];
        for (id, poster) in &expected {
            let id = id.as_str().unwrap();
            let reply = app
                .send(
                    treasurer_client.get(app.url(&format!("/v1/groups/{group}/transactions/{id}"))),
                )
                .await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            assert_eq!(reply.body["created_by"], *poster, "transaction {id}");
        }
        let list = app.get(&format!("/v1/groups/{group}/transactions")).await;
        let items = list.body["items"].as_array().unwrap();
        assert_eq!(items.len(), expected.len());
        for (id, poster) in &expected {
            let item = items.iter().find(|t| t["id"] == *id).expect("listed");
            assert_eq!(item["created_by"], *poster, "listed transaction {id}");
        }
    }
);

/// A service on `app`'s database with a request timeout of one second, and group commit as
/// `group_commit_max` says; its base URL, and the sender that stops it.
async fn serve_with_short_timeout(
    app: &TestApp,
    group_commit_max: Option<usize>,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let store = msai_ledger::store::connect_with(
        &app.database_url,
        msai_ledger::store::StoreOptions {
            group_commit_max,
            write_lanes: None,
        },
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = msai_ledger::app::AppConfig {
        request_timeout: std::time::Duration::from_secs(1),
        ..msai_ledger::app::AppConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(msai_ledger::app::serve(listener, store, config, async {
        let _ = stopped.await;
    }));
    (base, stop)
}

/// Takes a lock on the audit table that blocks its writes, then posts a contribution to
/// `group` through the service at `base`. Returns the lock, still held, with the reply, its
/// Idempotency-Key and its request id.
async fn post_with_audit_table_locked(
    app: &TestApp,
    base: &str,
    group: &str,
) -> (
    sqlx::Transaction<'static, sqlx::Postgres>,
    Reply,
    String,
    String,
) {
    let pool = PgPool::connect(&app.database_url).await.unwrap();
    let mut lock = pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE audit_events IN SHARE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();
    let (reply, key, request_id) = tagged(
        app,
        app.client
            .post(format!("{base}/v1/groups/{group}/transactions"))
            .json(&contribution("300.00")),
    )
    .await;
    (lock, reply, key, request_id)
}

/// The events recorded for the request sent with `request_id`, once there are any: an event
/// written on its own after the reply gets a bounded moment to land.
async fn events_of_request(app: &TestApp, request_id: &str) -> Vec<Value> {
    let mut recorded: Vec<Value> = Vec::new();
    for _ in 0..100 {
        recorded = events(app, &[])
            .await
            .into_iter()
            .filter(|e| e["request_id"] == request_id)
            .collect();
        if !recorded.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    recorded
}

/// Without group commit, the transaction commits, then its audit record waits (here, on a
/// lock someone holds on the audit table) past the request timeout. The audit write runs
/// outside the timeout, so the posting is answered, and once the lock is gone the log says the
/// money moved.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_a_committed_transaction_keeps_its_audit_event_when_the_request_times_out() {
    let Some(app) = support::app::spawn(Backend::Postgres).await else {
        return;
    };
    let group = group_with_accounts(&app, "Late Log").await;
    let (base, stop) = serve_with_short_timeout(&app, Some(1)).await;

    let (lock, reply, _, request_id) = post_with_audit_table_locked(&app, &base, &group).await;
    lock.rollback().await.unwrap();
    let _ = stop.send(());
    assert_eq!(reply.status, 201, "{}", reply.body);

    let journal = app.get(&format!("/v1/groups/{group}/transactions")).await;
    let posted = journal.body["items"].as_array().unwrap();
    assert_eq!(posted.len(), 1, "the transaction was committed");
    let recorded = events_of_request(&app, &request_id).await;
    assert_eq!(
        recorded.len(),
        1,
        "transaction {} was committed, but no audit event records the request that posted it",
        posted[0]["id"]
    );
}

/// With postings gathered (the default), a posting's audit record is written in the posting's
/// own transaction: a lock held on the audit table past the request timeout holds the posting
/// up too. The client is answered 503; once the lock is gone the transaction and its record
/// commit together, the record with the outcome stored under the key, and a retry with the
/// same key gets that outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_a_gathered_posting_and_its_audit_event_commit_together_after_a_timeout() {
    let Some(app) = support::app::spawn(Backend::Postgres).await else {
        return;
    };
    let group = group_with_accounts(&app, "Late Log Together").await;
    let (base, stop) = serve_with_short_timeout(&app, None).await;

    let (lock, reply, key, request_id) = post_with_audit_table_locked(&app, &base, &group).await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    let journal = app.get(&format!("/v1/groups/{group}/transactions")).await;
    assert_eq!(
        journal.body["items"].as_array().unwrap().len(),
        0,
        "nothing is visible while the posting's audit record waits"
    );
    lock.rollback().await.unwrap();

    let recorded = events_of_request(&app, &request_id).await;
    let _ = stop.send(());
    let journal = app.get(&format!("/v1/groups/{group}/transactions")).await;
    let posted = journal.body["items"].as_array().unwrap();
    assert_eq!(
        posted.len(),
        1,
        "the posting committed once the lock was gone"
    );
    let created = posted[0]["id"].as_str().unwrap();
    let committed: Vec<&Value> = recorded.iter().filter(|e| e["status"] == 201).collect();
    assert_eq!(
        committed.len(),
        1,
        "one record of the committed posting, with its stored outcome: {recorded:?}"
    );
    assert_eq!(
        committed[0]["created_ids"],
        json!([created]),
        "{recorded:?}"
    );

    let retry = app
        .send(
            app.client
                .post(app.url(&format!("/v1/groups/{group}/transactions")))
                .header("Idempotency-Key", &key)
                .json(&contribution("300.00")),
        )
        .await;
    assert_eq!(retry.status, 201, "{}", retry.body);
    assert_eq!(
        retry.body["id"], created,
        "the retry replays the stored outcome"
    );
}
