//! A group's chair, on both backends: the second key of the cash box. She approves or rejects
//! what waits for a second person in her group, reads its ledger to judge it, and writes
//! nothing else; in another group she is a stranger.

use crate::support;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::app::{Reply, TestApp};
use uuid::Uuid;

async fn post(app: &TestApp, client: &Client, path: &str, body: &Value) -> Reply {
    app.send(
        client
            .post(app.url(path))
            .header("Idempotency-Key", Uuid::new_v4().to_string())
            .json(body),
    )
    .await
}

async fn get(app: &TestApp, client: &Client, path: &str) -> Reply {
    app.send(client.get(app.url(path))).await
}

/// A member's savings balance as `client` reads it.
async fn savings(app: &TestApp, client: &Client, record: &str) -> Value {
    let reply = get(app, client, record).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["accounts"]["savings"]["balance"].clone()
}

both_backends!(
    a_chair_approves_a_treasurer_s_withdrawal_and_writes_nothing_else,
    |app| async move {
        let group = app.create_group("Chaired").await;
        let other = app.create_group("Elsewhere").await;
        let member = app
            .post(
                &format!("/v1/groups/{group}/members"),
                &json!({"name": "Ana", "home_country": "PH", "host_country": "HK"}),
            )
            .await;
        assert_eq!(member.status, StatusCode::CREATED, "{}", member.body);
        let member = member.body["id"].as_str().unwrap().to_string();
        let (_, tess) = app
            .user_with(
                "tess-chaired",
                json!([{"role": "treasurer", "group_id": group}]),
            )
            .await;
        let (chair_id, chair) = app
            .user_with(
                "chair-chaired",
                json!([{"role": "chair", "group_id": group}]),
            )
            .await;
        let me = get(&app, &chair, "/v1/me").await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        assert_eq!(me.body["user"]["grants"][0]["role"], "chair");

        let saved = post(
            &app,
            &tess,
            &format!("/v1/groups/{group}/contributions"),
            &json!({"member_id": member, "amount": "1000.00", "fund": "savings", "channel": "cash"}),
        )
        .await;
        assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
        let policy = app
            .send(
                app.client
                    .put(app.url(&format!("/v1/groups/{group}/approval-policy")))
                    .json(&json!({"withdrawals_above": {"HKD": "500.00"}})),
            )
            .await;
        assert_eq!(policy.status, StatusCode::OK, "{}", policy.body);

        // The treasurer's withdrawal above the limit waits.
        let withdrawals = format!("/v1/groups/{group}/withdrawals");
        let asked = post(
            &app,
            &tess,
            &withdrawals,
            &json!({"member_id": member, "amount": "600.00", "from": "savings", "channel": "cash"}),
        )
        .await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
        let item = asked.body["id"].as_str().unwrap().to_string();

        // The chair sees it among what she may decide, and reads the member's balance.
        let mine = get(&app, &chair, "/v1/approvals").await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
        let ids: Vec<&str> = mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["id"].as_str())
            .collect();
        assert_eq!(ids, vec![item.as_str()]);
        let record = format!("/v1/groups/{group}/members/{member}");
        assert_eq!(savings(&app, &chair, &record).await, "1000.00");

        // She writes nothing herself: no withdrawal, no contribution, no policy.
        for (path, body) in [
            (
                withdrawals.clone(),
                json!({"member_id": member, "amount": "1.00", "from": "savings", "channel": "cash"}),
            ),
            (
                format!("/v1/groups/{group}/contributions"),
                json!({"member_id": member, "amount": "1.00", "fund": "savings", "channel": "cash"}),
            ),
        ] {
            let refused = post(&app, &chair, &path, &body).await;
            assert_eq!(
                refused.status,
                StatusCode::FORBIDDEN,
                "{path}: {}",
                refused.body
            );
        }
        let policy = app
            .send(
                chair
                    .put(app.url(&format!("/v1/groups/{group}/approval-policy")))
                    .json(&json!({"withdrawals_above": {}})),
            )
            .await;
        assert_eq!(policy.status, StatusCode::FORBIDDEN, "{}", policy.body);
        assert_eq!(savings(&app, &chair, &record).await, "1000.00");

        // She approves: the withdrawal is posted, and she is recorded as who decided.
        let approved = post(
            &app,
            &chair,
            &format!("/v1/groups/{group}/approvals/{item}/approve"),
            &json!({"note": "counted the box"}),
        )
        .await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
        assert_eq!(approved.body["status"], "approved");
        assert_eq!(approved.body["decided_by"], chair_id.as_str());
        assert_eq!(savings(&app, &chair, &record).await, "400.00");

        // In another group she is a stranger.
        for path in [
            format!("/v1/groups/{other}/approvals"),
            format!("/v1/groups/{other}/accounts"),
        ] {
            let hidden = get(&app, &chair, &path).await;
            assert_eq!(
                hidden.status,
                StatusCode::NOT_FOUND,
                "{path}: {}",
                hidden.body
            );
        }
    }
);

both_backends!(only_an_administrator_names_a_chair, |app| async move {
    let group = app.create_group("Unchaired").await;
    let (tess_id, tess) = app
        .user_with(
            "tess-unchaired",
            json!([{"role": "treasurer", "group_id": group}]),
        )
        .await;
    // A treasurer who could name the chair could name a second account of her own.
    let sock = post(
        &app,
        &tess,
        "/v1/users",
        &json!({"username": "tess-second", "password": "a-long-enough-password",
                "grants": [{"role": "chair", "group_id": group}]}),
    )
    .await;
    assert_eq!(sock.status, StatusCode::FORBIDDEN, "{}", sock.body);
    let granted = post(
        &app,
        &tess,
        &format!("/v1/users/{tess_id}/grants"),
        &json!({"role": "chair", "group_id": group}),
    )
    .await;
    assert_eq!(granted.status, StatusCode::FORBIDDEN, "{}", granted.body);
    // A chair grant names its group and no member.
    let without_group = app
        .post(
            "/v1/users",
            &json!({"username": "chair-nowhere", "password": "a-long-enough-password",
                    "grants": [{"role": "chair"}]}),
        )
        .await;
    assert_eq!(
        without_group.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        without_group.body
    );
    assert_eq!(
        without_group.body["errors"][0]["pointer"], "/grants/0",
        "{}",
        without_group.body
    );
    let named = app
        .post(
            "/v1/users",
            &json!({"username": "chair-named", "password": "a-long-enough-password",
                    "grants": [{"role": "chair", "group_id": group}]}),
        )
        .await;
    assert_eq!(named.status, StatusCode::CREATED, "{}", named.body);
    assert_eq!(named.body["grants"][0]["role"], "chair");
    assert_eq!(named.body["grants"][0]["group_id"], group.as_str());
});
