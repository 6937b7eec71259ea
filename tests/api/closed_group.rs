//! A closed group keeps its history readable and takes nothing new: every write under it is
//! refused with 409 `/problems/group-closed` and changes nothing, while a request made before
//! the close and retried with its key still gets its first answer.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{Reply, TestApp, assert_problem};
use uuid::Uuid;

fn key() -> String {
    Uuid::new_v4().to_string()
}

fn payment(cash: &str, fund: &str, amount: &str) -> Value {
    json!({"description": "dues", "booked_on": "2025-03-01", "entries": [
        {"account": cash, "direction": "debit", "amount": amount},
        {"account": fund, "direction": "credit", "amount": amount},
    ]})
}

fn member_body(name: &str) -> Value {
    json!({"name": name, "sex": "female", "birth_year": 1990, "home_country": "PH",
           "host_country": "HK", "joined_on": "2025-01-15"})
}

async fn patch(app: &TestApp, path: &str, body: &Value) -> Reply {
    app.send(app.client.patch(app.url(path)).json(body)).await
}

/// What a reader of the group sees: its trial balance, journal, members and accounts.
async fn snapshot(app: &TestApp, group: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    for path in ["trial-balance", "transactions", "members", "accounts"] {
        let reply = app.get(&format!("/v1/groups/{group}/{path}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        seen.push(reply.body);
    }
    seen
}

both_backends!(
    a_closed_group_takes_nothing_new_and_stays_readable,
    |app| async move {
        let group = app.create_group("Wound up").await;
        let cash = app
            .create_account(&group, "assets:cash", "asset", "HKD", true)
            .await;
        let fund = app
            .create_account(&group, "equity:fund", "equity", "HKD", false)
            .await;
        let member = app
            .post(&format!("/v1/groups/{group}/members"), &member_body("Ana"))
            .await;
        assert_eq!(member.status, StatusCode::CREATED, "{}", member.body);
        let member = member.body["id"].as_str().unwrap().to_string();
        let transactions = format!("/v1/groups/{group}/transactions");
        let before_close_key = key();
        let paid = app
            .post_with_key(
                &transactions,
                &before_close_key,
                &payment(&cash, &fund, "120.00"),
            )
            .await;
        assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
        let paid_id = paid.body["id"].as_str().unwrap().to_string();

        let closed = patch(
            &app,
            &format!("/v1/groups/{group}"),
            &json!({"status": "closed"}),
        )
        .await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
        let before = snapshot(&app, &group).await;

        // Every kind of write under the group, each refused the same way.
        let refused_key = key();
        let writes: Vec<(&str, Reply)> = vec![
            (
                "a transaction",
                app.post_with_key(&transactions, &refused_key, &payment(&cash, &fund, "5.00"))
                    .await,
            ),
            (
                "a reversal",
                app.post_with_key(
                    &format!("{transactions}/{paid_id}/reversal"),
                    &key(),
                    &json!({"description": "undo"}),
                )
                .await,
            ),
            (
                "an account",
                app.post_with_key(
                    &format!("/v1/groups/{group}/accounts"),
                    &key(),
                    &json!({"code": "assets:bank", "name": "Bank", "type": "asset", "currency": "HKD"}),
                )
                .await,
            ),
            (
                "a member",
                app.post_with_key(&format!("/v1/groups/{group}/members"), &key(), &member_body("Bea"))
                    .await,
            ),
            (
                "a change to a member",
                patch(
                    &app,
                    &format!("/v1/groups/{group}/members/{member}"),
                    &json!({"occupation": "nurse"}),
                )
                .await,
            ),
            (
                "a contribution",
                app.post_with_key(
                    &format!("/v1/groups/{group}/contributions"),
                    &key(),
                    &json!({"member_id": member, "amount": "50.00", "fund": "savings",
                            "channel": "cash", "booked_on": "2025-03-02"}),
                )
                .await,
            ),
            (
                "a period close",
                app.post_with_key(
                    &format!("/v1/groups/{group}/period-closes"),
                    &key(),
                    &json!({"through": "2025-03-31"}),
                )
                .await,
            ),
            (
                "a new distribution basis",
                patch(&app, &format!("/v1/groups/{group}"), &json!({"distribution_basis": "equal"}))
                    .await,
            ),
        ];
        for (what, reply) in &writes {
            assert_problem(reply, StatusCode::CONFLICT, "group-closed");
            assert!(
                reply.body["detail"]
                    .as_str()
                    .unwrap_or("")
                    .contains("closed"),
                "{what}: {}",
                reply.body
            );
        }
        assert_eq!(
            snapshot(&app, &group).await,
            before,
            "a refused write changed the group"
        );

        // The refusal is remembered with its key; the posting made before the close replays.
        let again = app
            .post_with_key(&transactions, &refused_key, &payment(&cash, &fund, "5.00"))
            .await;
        assert_problem(&again, StatusCode::CONFLICT, "group-closed");
        let replayed = app
            .post_with_key(
                &transactions,
                &before_close_key,
                &payment(&cash, &fund, "120.00"),
            )
            .await;
        assert_eq!(replayed.status, StatusCode::CREATED, "{}", replayed.body);
        assert_eq!(replayed.body["id"], paid_id.as_str());
        assert_eq!(replayed.headers["idempotent-replayed"], "true");

        // The status stays final, and a request that changes nothing still answers.
        let reopen = patch(
            &app,
            &format!("/v1/groups/{group}"),
            &json!({"status": "accredited"}),
        )
        .await;
        assert_problem(&reopen, StatusCode::CONFLICT, "status-transition");
        let unchanged = patch(&app, &format!("/v1/groups/{group}"), &json!({})).await;
        assert_eq!(unchanged.status, StatusCode::OK, "{}", unchanged.body);

        // Its history stays readable and whole.
        let verify = app.get(&format!("/v1/groups/{group}/ledger/verify")).await;
        assert_eq!(verify.body["ok"], json!(true), "{}", verify.body);
        assert_eq!(app.balance(&group, &cash).await, "120.00");
        let export = app
            .get(&format!("/v1/groups/{group}/export?format=ledger"))
            .await;
        assert_eq!(export.status, StatusCode::OK, "{}", export.text);
        assert_eq!(snapshot(&app, &group).await, before);
    }
);

both_backends!(
    postings_to_a_closed_group_do_not_fail_those_committed_with_them,
    |app| async move {
        let open = app.create_group("Still saving").await;
        let shut = app.create_group("Wound up").await;
        let mut accounts = Vec::new();
        for group in [&open, &shut] {
            let cash = app
                .create_account(group, "assets:cash", "asset", "HKD", true)
                .await;
            let fund = app
                .create_account(group, "equity:fund", "equity", "HKD", false)
                .await;
            accounts.push((cash, fund));
        }
        let closed = patch(
            &app,
            &format!("/v1/groups/{shut}"),
            &json!({"status": "closed"}),
        )
        .await;
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);

        // Sent together, so that postings to both groups are gathered into shared commits.
        let mut sent = Vec::new();
        for i in 0..24 {
            let (group, (cash, fund)) = if i % 2 == 0 {
                (&open, &accounts[0])
            } else {
                (&shut, &accounts[1])
            };
            let request = app
                .client
                .post(app.url(&format!("/v1/groups/{group}/transactions")))
                .header("Idempotency-Key", key())
                .json(&payment(cash, fund, "1.00"));
            sent.push((i % 2 == 0, tokio::spawn(request.send())));
        }
        for (to_open, reply) in sent {
            let reply = Reply::from(reply.await.unwrap().unwrap()).await;
            if to_open {
                assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            } else {
                assert_problem(&reply, StatusCode::CONFLICT, "group-closed");
            }
        }
        assert_eq!(app.balance(&open, &accounts[0].0).await, "12.00");
        assert_eq!(app.balance(&shut, &accounts[1].0).await, "0.00");
    }
);
