//! Four eyes on money going out, on both backends: above the group's limit a treasurer's
//! withdrawal waits (202, nothing posted) until another person approves it; approving checks
//! every rule again and posts once, however many approve at once; the maker cannot approve her
//! own item; a rejected or expired item is never posted; a treasurer's change of the policy
//! waits like any other item.

use crate::support;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, PgPool, SqlitePool};
use support::app::{Backend, Reply, TestApp};
use support::openapi::assert_reply_matches;
use uuid::Uuid;

struct Group {
    id: String,
    member: String,
    /// Two treasurers of the group.
    tess: Client,
    tess_id: String,
    rosa: Client,
}

async fn group(app: &TestApp, name: &str) -> Group {
    let id = app.create_group(name).await;
    let member = app
        .post(
            &format!("/v1/groups/{id}/members"),
            &json!({"name": "Ana", "sex": "female", "birth_year": 1990, "home_country": "PH",
                    "host_country": "HK", "joined_on": "2025-01-01"}),
        )
        .await;
    assert_eq!(member.status, StatusCode::CREATED, "{}", member.body);
    let grant = json!([{"role": "treasurer", "group_id": id}]);
    let (tess_id, tess) = app.user_with(&format!("tess-{name}"), grant.clone()).await;
    let (_, rosa) = app.user_with(&format!("rosa-{name}"), grant).await;
    let group = Group {
        id,
        member: member.body["id"].as_str().unwrap().to_string(),
        tess,
        tess_id,
        rosa,
    };
    let saved = send(
        app,
        &group.tess,
        &format!("/v1/groups/{}/contributions", group.id),
        &json!({"member_id": group.member, "amount": "1000.00", "fund": "savings",
                "channel": "cash", "booked_on": "2025-03-01"}),
    )
    .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.body);
    group
}

async fn send(app: &TestApp, client: &Client, path: &str, body: &Value) -> Reply {
    send_with_key(app, client, path, &Uuid::new_v4().to_string(), body).await
}

async fn send_with_key(
    app: &TestApp,
    client: &Client,
    path: &str,
    key: &str,
    body: &Value,
) -> Reply {
    app.send(
        client
            .post(app.url(path))
            .header("Idempotency-Key", key)
            .json(body),
    )
    .await
}

async fn set_limit(app: &TestApp, group: &str, limit: &str) {
    let reply = app
        .send(
            app.client
                .put(app.url(&format!("/v1/groups/{group}/approval-policy")))
                .json(&json!({"withdrawals_above": {"HKD": limit}})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["withdrawals_above"]["HKD"], limit);
}

fn withdrawal(member: &str, amount: &str) -> Value {
    json!({"member_id": member, "amount": amount, "from": "savings", "channel": "cash",
           "booked_on": "2025-03-02"})
}

async fn withdraw(app: &TestApp, g: &Group, client: &Client, key: &str, amount: &str) -> Reply {
    let path = format!("/v1/groups/{}/withdrawals", g.id);
    send_with_key(app, client, &path, key, &withdrawal(&g.member, amount)).await
}

async fn decide(app: &TestApp, g: &Group, client: &Client, item: &str, verdict: &str) -> Reply {
    let path = format!("/v1/groups/{}/approvals/{item}/{verdict}", g.id);
    send(app, client, &path, &json!({"note": "checked the cash box"})).await
}

async fn savings(app: &TestApp, g: &Group) -> String {
    let reply = app
        .get(&format!("/v1/groups/{}/members/{}", g.id, g.member))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["accounts"]["savings"]["balance"]
        .as_str()
        .unwrap_or_else(|| panic!("no savings balance in {}", reply.body))
        .to_string()
}

async fn withdrawals(app: &TestApp, g: &Group) -> Vec<Value> {
    let reply = app.get(&format!("/v1/groups/{}/withdrawals", g.id)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

both_backends!(
    a_withdrawal_above_the_limit_waits_for_another_person,
    |app| async move {
        let g = group(&app, "wanchai").await;
        set_limit(&app, &g.id, "500.00").await;

        let asked = withdraw(&app, &g, &g.tess, "big-one", "600.00").await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
        assert_reply_matches("POST", "/v1/groups/{group_id}/withdrawals", &asked);
        let item = asked.body["id"].as_str().unwrap().to_string();
        assert_eq!(asked.body["status"], "pending");
        assert_eq!(asked.body["asked_by"], g.tess_id.as_str());
        // Whoever decides is told who asked by name, not only by id.
        assert_eq!(asked.body["asked_by_username"], "tess-wanchai");
        assert_eq!(asked.body["decided_by_username"], Value::Null);
        assert_eq!(asked.body["operation"]["kind"], "withdrawal");
        assert_eq!(asked.body["operation"]["amount"], "600.00");
        let lines = asked.body["would_post"].as_array().unwrap();
        assert_eq!(lines.len(), 2, "{}", asked.body);
        assert!(
            lines.iter().any(|l| l["direction"] == "debit"
                && l["amount"] == "600.00"
                && l["account"]
                    .as_str()
                    .unwrap()
                    .starts_with("liabilities:savings:")),
            "{}",
            asked.body
        );
        // Nothing is posted while it waits: not in the balance, the list or the statement.
        assert_eq!(savings(&app, &g).await, "1000.00");
        assert!(withdrawals(&app, &g).await.is_empty());
        // The maker's retry gets the same item.
        let again = withdraw(&app, &g, &g.tess, "big-one", "600.00").await;
        assert_eq!(again.status, StatusCode::ACCEPTED);
        assert_eq!(again.body["id"], item.as_str());
        // It is in the group's list and in the other treasurer's, not in the maker's.
        let pending = app
            .get(&format!("/v1/groups/{}/approvals?status=pending", g.id))
            .await;
        assert_eq!(
            pending.body["items"][0]["id"],
            item.as_str(),
            "{}",
            pending.body
        );
        let mine = app.send(g.tess.get(app.url("/v1/approvals"))).await;
        assert_eq!(mine.body["items"], json!([]), "{}", mine.body);
        let rosas = app.send(g.rosa.get(app.url("/v1/approvals"))).await;
        assert_reply_matches("GET", "/v1/approvals", &rosas);
        assert_eq!(
            rosas.body["items"][0]["id"],
            item.as_str(),
            "{}",
            rosas.body
        );

        // The maker cannot approve her own item.
        let own = decide(&app, &g, &g.tess, &item, "approve").await;
        assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);
        let template = "/v1/groups/{group_id}/approvals/{approval_id}/approve";
        assert_reply_matches("POST", template, &own);
        assert_eq!(savings(&app, &g).await, "1000.00");

        let approved = decide(&app, &g, &g.rosa, &item, "approve").await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
        assert_eq!(approved.body["status"], "approved");
        assert_reply_matches("POST", template, &approved);
        assert_eq!(approved.body["note"], "checked the cash box");
        assert_eq!(approved.body["decided_by_username"], "rosa-wanchai");
        assert_eq!(approved.body["asked_by_username"], "tess-wanchai");
        let posted = withdrawals(&app, &g).await;
        assert_eq!(posted.len(), 1);
        assert_eq!(approved.body["result_id"], posted[0]["id"]);
        assert_eq!(posted[0]["amount"], "600.00");
        assert_eq!(savings(&app, &g).await, "400.00");
        // Decided once, for good.
        let twice = decide(&app, &g, &g.rosa, &item, "approve").await;
        assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
        assert_reply_matches("POST", template, &twice);
        assert_eq!(withdrawals(&app, &g).await.len(), 1);

        // Every step is in the audit log: asked (202), refused to the maker, approved.
        let audit = app
            .get(&format!("/v1/audit-events?group_id={}&limit=500", g.id))
            .await;
        let steps: Vec<(String, u64)> = audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                e["route"].as_str().unwrap().contains("withdrawals")
                    || e["route"].as_str().unwrap().contains("approvals")
            })
            .map(|e| {
                (
                    e["route"].as_str().unwrap().to_string(),
                    e["status"].as_u64().unwrap(),
                )
            })
            .collect();
        let approve = "/v1/groups/{group_id}/approvals/{approval_id}/approve".to_string();
        let asked_route = "/v1/groups/{group_id}/withdrawals".to_string();
        for step in [
            (asked_route.clone(), 202),
            (asked_route, 202),
            (approve.clone(), 403),
            (approve.clone(), 200),
            (approve, 409),
        ] {
            assert!(steps.contains(&step), "{step:?} not in {steps:?}");
        }

        // At the limit, not above it, a withdrawal posts at once.
        let small = withdraw(&app, &g, &g.tess, "at-limit", "400.00").await;
        assert_eq!(small.status, StatusCode::CREATED, "{}", small.body);
        assert_eq!(savings(&app, &g).await, "0.00");
    }
);

both_backends!(
    approval_after_the_balance_fell_is_refused_and_the_item_waits,
    |app| async move {
        let g = group(&app, "tsuenwan").await;
        set_limit(&app, &g.id, "500.00").await;
        let asked = withdraw(&app, &g, &g.tess, "w-800", "800.00").await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
        let item = asked.body["id"].as_str().unwrap().to_string();
        // Meanwhile another withdrawal, under the limit, takes the balance below 800.
        let small = withdraw(&app, &g, &g.tess, "w-300", "300.00").await;
        assert_eq!(small.status, StatusCode::CREATED, "{}", small.body);

        let refused = decide(&app, &g, &g.rosa, &item, "approve").await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert_eq!(savings(&app, &g).await, "700.00");
        let still = app
            .get(&format!("/v1/groups/{}/approvals/{item}", g.id))
            .await;
        assert_eq!(still.body["status"], "pending", "{}", still.body);
        assert_eq!(still.body["decided_by"], Value::Null);
    }
);

both_backends!(two_approvers_racing_post_once, |app| async move {
    let g = group(&app, "mongkok").await;
    set_limit(&app, &g.id, "100.00").await;
    let asked = withdraw(&app, &g, &g.tess, "w-race", "250.00").await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    let item = asked.body["id"].as_str().unwrap().to_string();
    let (a, b) = tokio::join!(
        decide(&app, &g, &g.rosa, &item, "approve"),
        decide(&app, &g, &app.client, &item, "approve"),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} {}",
        a.body,
        b.body
    );
    assert_eq!(withdrawals(&app, &g).await.len(), 1);
    assert_eq!(savings(&app, &g).await, "750.00");
});

both_backends!(a_rejected_item_is_never_posted, |app| async move {
    let g = group(&app, "shatin").await;
    set_limit(&app, &g.id, "100.00").await;
    let asked = withdraw(&app, &g, &g.tess, "w-no", "250.00").await;
    let item = asked.body["id"].as_str().unwrap().to_string();
    let rejected = decide(&app, &g, &g.rosa, &item, "reject").await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["result_id"], Value::Null);
    let later = decide(&app, &g, &app.client, &item, "approve").await;
    assert_eq!(later.status, StatusCode::CONFLICT, "{}", later.body);
    assert!(withdrawals(&app, &g).await.is_empty());
    assert_eq!(savings(&app, &g).await, "1000.00");
});

both_backends!(an_expired_item_is_never_posted, |app| async move {
    let g = group(&app, "taipo").await;
    set_limit(&app, &g.id, "100.00").await;
    let asked = withdraw(&app, &g, &g.tess, "w-old", "250.00").await;
    let item = asked.body["id"].as_str().unwrap().to_string();
    // Its time runs out (the time a week of waiting would take, moved on here).
    let past = match app.backend {
        Backend::Sqlite => "'2020-01-01T00:00:00+00:00'",
        Backend::Postgres => "'2020-01-01T00:00:00Z'",
    };
    let id = match app.backend {
        Backend::Sqlite => format!("X'{}'", item.replace('-', "")),
        Backend::Postgres => format!("'{item}'"),
    };
    let sql = format!("UPDATE approvals SET expires_at = {past} WHERE id = {id}");
    let changed = match app.backend {
        Backend::Sqlite => {
            let pool = SqlitePool::connect(&app.database_url).await.unwrap();
            sqlx::query(AssertSqlSafe(sql))
                .execute(&pool)
                .await
                .unwrap()
                .rows_affected()
        }
        Backend::Postgres => {
            let pool = PgPool::connect(&app.database_url).await.unwrap();
            sqlx::query(AssertSqlSafe(sql))
                .execute(&pool)
                .await
                .unwrap()
                .rows_affected()
        }
    };
    assert_eq!(changed, 1);
    let shown = app
        .get(&format!("/v1/groups/{}/approvals/{item}", g.id))
        .await;
    assert_eq!(shown.body["status"], "expired", "{}", shown.body);
    let expired = app
        .get(&format!("/v1/groups/{}/approvals?status=expired", g.id))
        .await;
    assert_eq!(expired.body["items"][0]["id"], item.as_str());
    let late = decide(&app, &g, &g.rosa, &item, "approve").await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(withdrawals(&app, &g).await.is_empty());
});

both_backends!(
    a_treasurers_change_of_policy_waits_for_approval,
    |app| async move {
        let g = group(&app, "yuenlong").await;
        let path = format!("/v1/groups/{}/approval-policy", g.id);
        let asked = app
            .send(
                g.tess
                    .put(app.url(&path))
                    .header("Idempotency-Key", "policy-1")
                    .json(&json!({"withdrawals_above": {"HKD": "0"}, "expires_after_hours": 48})),
            )
            .await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
        assert_eq!(asked.body["operation"]["kind"], "policy");
        // Not in force yet.
        let policy = app.get(&path).await;
        assert_eq!(
            policy.body["withdrawals_above"],
            json!({}),
            "{}",
            policy.body
        );
        assert_eq!(policy.body["expires_after_hours"], 168);
        let item = asked.body["id"].as_str().unwrap();
        let approved = decide(&app, &g, &g.rosa, item, "approve").await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
        let policy = app.get(&path).await;
        assert_eq!(
            policy.body["withdrawals_above"]["HKD"], "0.00",
            "{}",
            policy.body
        );
        assert_eq!(policy.body["expires_after_hours"], 48);
        // Now every withdrawal waits.
        let asked = withdraw(&app, &g, &g.tess, "w-1", "1.00").await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    }
);

both_backends!(a_policy_with_wrong_fields_is_refused, |app| async move {
    let g = group(&app, "kwuntong").await;
    let path = format!("/v1/groups/{}/approval-policy", g.id);
    for (body, pointer) in [
        (
            json!({"withdrawals_above": {"XXX": "5"}}),
            "/withdrawals_above/XXX",
        ),
        (
            json!({"withdrawals_above": {"HKD": "5.001"}}),
            "/withdrawals_above/HKD",
        ),
        (
            json!({"withdrawals_above": {"HKD": "-5"}}),
            "/withdrawals_above/HKD",
        ),
        (
            json!({"withdrawals_above": {}, "expires_after_hours": 0}),
            "/expires_after_hours",
        ),
        (
            json!({"withdrawals_above": {}, "expires_after_hours": 99999}),
            "/expires_after_hours",
        ),
    ] {
        let reply = app.send(app.client.put(app.url(&path)).json(&body)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            reply.body
        );
        let pointers: Vec<&str> = reply.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["pointer"].as_str())
            .collect();
        assert_eq!(pointers, [pointer], "{body}: {}", reply.body);
    }
    let policy = app.get(&path).await;
    assert_eq!(policy.body["withdrawals_above"], json!({}));
    // An auditor reads the policy and the items but decides nothing.
    let (_, auditor) = app
        .user_with("approvals-auditor", json!([{"role": "auditor"}]))
        .await;
    let read = app.send(auditor.get(app.url(&path))).await;
    assert_eq!(read.status, StatusCode::OK);
});

both_backends!(an_exit_waits_when_the_policy_says_so, |app| async move {
    let g = group(&app, "causeway").await;
    let reply = app
        .send(
            app.client
                .put(app.url(&format!("/v1/groups/{}/approval-policy", g.id)))
                .json(&json!({"withdrawals_above": {}, "exits": true})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["exits"], true);
    let path = format!("/v1/groups/{}/members/{}/exit", g.id, g.member);
    let body = json!({"status": "returned_home", "channel": "cash", "on": "2025-03-03"});
    let asked = send_with_key(&app, &g.tess, &path, "going-home", &body).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    assert_reply_matches(
        "POST",
        "/v1/groups/{group_id}/members/{member_id}/exit",
        &asked,
    );
    assert_eq!(asked.body["operation"]["kind"], "exit");
    let lines = asked.body["would_post"].as_array().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l["direction"] == "debit" && l["amount"] == "1000.00"),
        "{}",
        asked.body
    );
    // Nothing changed yet: her status and her savings.
    let member = app
        .get(&format!("/v1/groups/{}/members/{}", g.id, g.member))
        .await;
    assert_eq!(member.body["status"], "active");
    assert_eq!(savings(&app, &g).await, "1000.00");

    let item = asked.body["id"].as_str().unwrap();
    let approved = decide(&app, &g, &g.rosa, item, "approve").await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert!(approved.body["result_id"].is_string(), "{}", approved.body);
    let member = app
        .get(&format!("/v1/groups/{}/members/{}", g.id, g.member))
        .await;
    assert_eq!(member.body["status"], "returned_home");
    assert_eq!(savings(&app, &g).await, "0.00");
    let paid = app
        .get(&format!(
            "/v1/groups/{}/transactions/{}",
            g.id,
            approved.body["result_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
});
