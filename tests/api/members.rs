//! Members of a savings group and the money they bring in and take out: registering members
//! with their savings and capital accounts, contributions and withdrawals booked to the right
//! accounts, the member's statement, who may read what, and corrections by reversal.

use crate::support;

use std::collections::HashSet;

use chrono::{Datelike, Duration};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::app::{Reply, TestApp, assert_problem};

/// The day every member in these tests joined, before any booking.
const JOINED: &str = "2025-01-15";

fn fresh_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn assert_status(reply: &Reply, status: StatusCode) {
    assert_eq!(reply.status, status, "{}", reply.body);
}

/// Asserts a 422 problem of `slug` that names `pointer` as the offending field.
fn assert_refused(reply: &Reply, slug: &str, pointer: &str) {
    assert_problem(reply, StatusCode::UNPROCESSABLE_ENTITY, slug);
    assert_eq!(reply.pointer(), pointer, "{}", reply.body);
}

fn id_of(reply: &Reply) -> String {
    reply.body["id"].as_str().expect("id").to_string()
}

fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_string()
}

fn members(group: &str) -> String {
    format!("/v1/groups/{group}/members")
}

fn contributions(group: &str) -> String {
    format!("/v1/groups/{group}/contributions")
}

fn withdrawals(group: &str) -> String {
    format!("/v1/groups/{group}/withdrawals")
}

fn savings_of(member: &str) -> String {
    format!("liabilities:savings:{member}")
}

fn capital_of(member: &str) -> String {
    format!("equity:capital:{member}")
}

/// `body` with `field` set to `value`.
fn with(mut body: Value, field: &str, value: impl Into<Value>) -> Value {
    body[field] = value.into();
    body
}

/// `body` without `field`.
fn without(mut body: Value, field: &str) -> Value {
    body.as_object_mut().expect("object").remove(field);
    body
}

fn member_body(name: &str) -> Value {
    json!({"name": name, "sex": "female", "birth_year": 1990, "home_country": "PH",
           "host_country": "HK", "joined_on": JOINED})
}

/// Registers a member of `group` and returns their id.
async fn add_member(app: &TestApp, group: &str, name: &str) -> String {
    let reply = app.post(&members(group), &member_body(name)).await;
    assert_status(&reply, StatusCode::CREATED);
    id_of(&reply)
}

/// Savings brought in cash on 1 March 2025.
fn contribution(member: &str, amount: &str) -> Value {
    json!({"member_id": member, "amount": amount, "fund": "savings", "channel": "cash",
           "booked_on": "2025-03-01"})
}

/// Savings paid out in cash on 2 March 2025.
fn withdrawal(member: &str, amount: &str) -> Value {
    json!({"member_id": member, "amount": amount, "from": "savings", "channel": "cash",
           "booked_on": "2025-03-02"})
}

async fn contribute(app: &TestApp, group: &str, body: &Value) -> Reply {
    app.post_with_key(&contributions(group), &fresh_key(), body)
        .await
}

async fn withdraw(app: &TestApp, group: &str, body: &Value) -> Reply {
    app.post_with_key(&withdrawals(group), &fresh_key(), body)
        .await
}

/// Records a contribution that must succeed and returns it.
async fn contributed(app: &TestApp, group: &str, body: &Value) -> Value {
    let reply = contribute(app, group, body).await;
    assert_status(&reply, StatusCode::CREATED);
    reply.body
}

/// Records a withdrawal that must succeed and returns it.
async fn withdrawn(app: &TestApp, group: &str, body: &Value) -> Value {
    let reply = withdraw(app, group, body).await;
    assert_status(&reply, StatusCode::CREATED);
    reply.body
}

async fn patch(app: &TestApp, group: &str, member: &str, body: &Value) -> Reply {
    let url = app.url(&format!("{}/{member}", members(group)));
    app.send(app.client.patch(url).json(body)).await
}

async fn get_as(app: &TestApp, client: &Client, path: &str) -> Reply {
    app.send(client.get(app.url(path))).await
}

async fn head_sequence(app: &TestApp, group: &str) -> i64 {
    let reply = app.get(&format!("/v1/groups/{group}")).await;
    assert_status(&reply, StatusCode::OK);
    reply.body["head_sequence"].as_i64().expect("head_sequence")
}

async fn admin_id(app: &TestApp) -> String {
    let reply = app.get("/v1/me").await;
    assert_status(&reply, StatusCode::OK);
    text(&reply.body["user"]["id"])
}

async fn listed_ids(app: &TestApp, path: &str) -> Vec<String> {
    let reply = app.get(path).await;
    assert_status(&reply, StatusCode::OK);
    reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| text(&item["id"]))
        .collect()
}

/// The group's accounts with that code.
async fn accounts_with_code(app: &TestApp, group: &str, code: &str) -> Vec<Value> {
    let reply = app.get(&format!("/v1/groups/{group}/accounts")).await;
    assert_status(&reply, StatusCode::OK);
    reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|a| a["code"] == code)
        .cloned()
        .collect()
}

/// A transaction's entries as sorted (direction, account code, amount, currency), and its
/// metadata.
async fn postings(app: &TestApp, group: &str, transaction: &Value) -> (Vec<[String; 4]>, Value) {
    let id = transaction.as_str().expect("transaction id");
    let reply = app
        .get(&format!("/v1/groups/{group}/transactions/{id}"))
        .await;
    assert_status(&reply, StatusCode::OK);
    let mut entries: Vec<[String; 4]> = reply.body["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            [
                text(&e["direction"]),
                text(&e["account_code"]),
                text(&e["amount"]),
                text(&e["currency"]),
            ]
        })
        .collect();
    entries.sort();
    (entries, reply.body["metadata"].clone())
}

fn posting(direction: &str, code: &str, amount: &str, currency: &str) -> [String; 4] {
    [direction, code, amount, currency].map(str::to_string)
}

/// Everything a treasurer can read about a group: the group with its head, its accounts with
/// balances, its journal, members, contributions and withdrawals. Equal snapshots mean nothing
/// changed.
async fn snapshot(app: &TestApp, group: &str) -> Value {
    let mut parts = Vec::new();
    for path in [
        format!("/v1/groups/{group}"),
        format!("/v1/groups/{group}/accounts"),
        format!("/v1/groups/{group}/transactions?limit=500"),
        format!("{}?limit=500", members(group)),
        format!("{}?limit=500", contributions(group)),
        format!("{}?limit=500", withdrawals(group)),
    ] {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        parts.push(reply.body);
    }
    Value::Array(parts)
}

async fn statement(app: &TestApp, group: &str, member: &str, query: &str) -> Reply {
    app.get(&format!("{}/{member}/statement{query}", members(group)))
        .await
}

/// (direction, amount, running balance) of each line of an account statement.
fn statement_lines(statement: &Value) -> Vec<[String; 3]> {
    statement["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            [
                text(&l["direction"]),
                text(&l["amount"]),
                text(&l["balance"]),
            ]
        })
        .collect()
}

fn line(direction: &str, amount: &str, balance: &str) -> [String; 3] {
    [direction, amount, balance].map(str::to_string)
}

// Members

both_backends!(
    a_new_member_gets_savings_and_capital_accounts_in_the_group_currency,
    |app| async move {
        let group = app
            .post(
                "/v1/groups",
                &json!({"name": "Kabayan Singapore", "currency": "SGD",
                        "host_country": "SG", "home_country": "PH"}),
            )
            .await;
        assert_status(&group, StatusCode::CREATED);
        let g = id_of(&group);
        let reply = app
            .post(
                &members(&g),
                &json!({"name": "  Maria Santos  ", "sex": "female", "birth_year": 1988,
                        "home_country": "PH", "host_country": "SG",
                        "occupation": "domestic worker", "contact": "+65 8123 4567",
                        "joined_on": JOINED}),
            )
            .await;
        assert_status(&reply, StatusCode::CREATED);
        let member = &reply.body;
        let id = text(&member["id"]);
        assert_eq!(member["group_id"], g.as_str());
        assert_eq!(member["name"], "Maria Santos");
        assert_eq!(member["sex"], "female");
        assert_eq!(member["birth_year"], 1988);
        assert_eq!(member["home_country"], "PH");
        assert_eq!(member["host_country"], "SG");
        assert_eq!(member["occupation"], "domestic worker");
        assert_eq!(member["contact"], "+65 8123 4567");
        assert_eq!(member["joined_on"], JOINED);
        assert_eq!(member["status"], "active");
        assert_eq!(member["status_on"], Value::Null);
        assert!(member["created_at"].is_string(), "{member}");

        for (which, code, kind) in [
            ("savings", savings_of(&id), "liability"),
            ("capital", capital_of(&id), "equity"),
        ] {
            let account = &member["accounts"][which];
            assert_eq!(account["code"], code.as_str(), "{member}");
            assert_eq!(account["type"], kind, "{member}");
            assert_eq!(account["currency"], "SGD", "{member}");
            assert_eq!(account["group_id"], g.as_str(), "{member}");
            assert_eq!(account["no_overdraft"], true, "{member}");
            assert_eq!(account["debits"], "0.00", "{member}");
            assert_eq!(account["credits"], "0.00", "{member}");
            assert_eq!(account["balance"], "0.00", "{member}");
            // The same account the group's chart of accounts shows.
            let read = app.get(&format!("/v1/groups/{g}/accounts/{code}")).await;
            assert_status(&read, StatusCode::OK);
            assert_eq!(&read.body, account);
        }
    }
);

both_backends!(
    a_member_registered_with_only_a_name_and_countries_gets_the_defaults,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let before = support::app::hong_kong_today().to_string();
        let reply = app
            .post(
                &members(&g),
                &json!({"name": "Ana", "home_country": "ID", "host_country": "HK"}),
            )
            .await;
        let after = support::app::hong_kong_today().to_string();
        assert_status(&reply, StatusCode::CREATED);
        let member = &reply.body;
        assert_eq!(member["sex"], "undisclosed");
        assert_eq!(member["birth_year"], Value::Null);
        assert_eq!(member["occupation"], Value::Null);
        assert_eq!(member["contact"], Value::Null);
        assert_eq!(member["status"], "active");
        assert_eq!(member["status_on"], Value::Null);
        let joined = text(&member["joined_on"]);
        assert!(joined == before || joined == after, "joined on {joined}");
    }
);

both_backends!(
    invalid_member_details_are_refused_with_a_pointer_and_register_no_one,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let today = support::app::hong_kong_today();
        let this_year = today.year();
        let base = member_body("Ana");
        let cases = [
            (with(base.clone(), "name", "   "), "/name"),
            (with(base.clone(), "name", "n".repeat(201)), "/name"),
            (without(base.clone(), "name"), "/name"),
            (with(base.clone(), "sex", "woman"), "/sex"),
            (with(base.clone(), "birth_year", 1800), "/birth_year"),
            (with(base.clone(), "birth_year", 1899), "/birth_year"),
            (
                with(base.clone(), "birth_year", this_year + 1),
                "/birth_year",
            ),
            (with(base.clone(), "birth_year", "1990"), "/birth_year"),
            (with(base.clone(), "birth_year", 1988.5), "/birth_year"),
            (with(base.clone(), "birth_year", 1.0e30), "/birth_year"),
            (
                with(base.clone(), "birth_year", 4_294_969_284u64),
                "/birth_year",
            ),
            (with(base.clone(), "birth_year", true), "/birth_year"),
            (with(base.clone(), "home_country", "ph"), "/home_country"),
            (with(base.clone(), "home_country", "PHL"), "/home_country"),
            (without(base.clone(), "home_country"), "/home_country"),
            (with(base.clone(), "host_country", ""), "/host_country"),
            (
                with(base.clone(), "occupation", "o".repeat(201)),
                "/occupation",
            ),
            (with(base.clone(), "contact", "c".repeat(201)), "/contact"),
            (
                with(
                    base.clone(),
                    "joined_on",
                    (today + Duration::days(2)).to_string(),
                ),
                "/joined_on",
            ),
            (with(base.clone(), "joined_on", "15/01/2025"), "/joined_on"),
            (with(base.clone(), "nickname", "Mia"), "/nickname"),
        ];
        for (body, pointer) in &cases {
            let reply = app.post(&members(&g), body).await;
            assert_refused(&reply, "invalid-field", pointer);
        }
        assert!(listed_ids(&app, &members(&g)).await.is_empty());
        assert!(
            listed_ids(&app, &format!("/v1/groups/{g}/accounts"))
                .await
                .is_empty()
        );

        // The edges of each range are accepted.
        let tomorrow = (today + Duration::days(1)).to_string();
        for body in [
            with(base.clone(), "birth_year", 1900),
            with(base.clone(), "birth_year", this_year),
            with(base.clone(), "joined_on", tomorrow),
            with(base.clone(), "name", "n".repeat(200)),
        ] {
            let reply = app.post(&members(&g), &body).await;
            assert_status(&reply, StatusCode::CREATED);
        }

        // JSON does not tell 1988 from 1988.0, and JSON Schema counts both as integers.
        let reply = app
            .post(&members(&g), &with(base.clone(), "birth_year", 1988.0))
            .await;
        assert_status(&reply, StatusCode::CREATED);
        assert_eq!(reply.body["birth_year"], 1988);
    }
);

both_backends!(
    a_registration_retried_with_the_same_key_registers_one_member,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let first = app
            .post_with_key(&members(&g), "register-ana", &member_body("Ana"))
            .await;
        assert_status(&first, StatusCode::CREATED);
        let retry = app
            .post_with_key(&members(&g), "register-ana", &member_body("Ana"))
            .await;
        assert_status(&retry, StatusCode::CREATED);
        assert_eq!(retry.headers["idempotent-replayed"], "true");
        assert_eq!(retry.body, first.body);
        assert_eq!(listed_ids(&app, &members(&g)).await, vec![id_of(&first)]);
    }
);

both_backends!(members_are_listed_page_by_page, |app| async move {
    let g = app.create_group("Bayanihan").await;
    let mut registered = HashSet::new();
    for name in ["Ana", "Ben", "Cora", "Dita", "Esa"] {
        registered.insert(add_member(&app, &g, name).await);
    }
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    let mut path = format!("{}?limit=2", members(&g));
    loop {
        let reply = app.get(&path).await;
        assert_status(&reply, StatusCode::OK);
        let items = reply.body["items"].as_array().expect("items");
        pages.push(items.len());
        for member in items {
            assert_eq!(member["group_id"], g.as_str());
            assert!(
                member["accounts"]["savings"]["code"].is_string(),
                "{member}"
            );
            seen.push(text(&member["id"]));
        }
        match reply.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("{}?limit=2&cursor={cursor}", members(&g)),
            None => break,
        }
    }
    assert_eq!(pages, vec![2, 2, 1]);
    assert_eq!(seen.len(), 5, "no member listed twice: {seen:?}");
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), registered);

    let everyone = app.get(&members(&g)).await;
    assert_status(&everyone, StatusCode::OK);
    assert_eq!(everyone.body["items"].as_array().expect("items").len(), 5);
    assert_eq!(everyone.body["next_cursor"], Value::Null);

    for limit in ["0", "501", "x"] {
        let reply = app.get(&format!("{}?limit={limit}", members(&g))).await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
        );
        assert_eq!(reply.body["errors"][0]["parameter"], "limit", "{limit}");
    }
});

both_backends!(
    a_member_is_read_back_and_unknown_or_foreign_members_are_not_found,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let other = app.create_group("Sampaguita").await;
        let created = app.post(&members(&g), &member_body("Ana")).await;
        assert_status(&created, StatusCode::CREATED);
        let ana = id_of(&created);
        let read = app.get(&format!("{}/{ana}", members(&g))).await;
        assert_status(&read, StatusCode::OK);
        assert_eq!(read.body, created.body);

        let stranger = add_member(&app, &other, "Ben").await;
        let unknown = uuid::Uuid::new_v4().to_string();
        for path in [
            format!("{}/{unknown}", members(&g)),
            format!("{}/not-a-member-id", members(&g)),
            format!("{}/{stranger}", members(&g)),
            format!("{}/{ana}", members(&other)),
            format!("{}/{unknown}/statement", members(&g)),
            format!("{}/{stranger}/statement", members(&g)),
        ] {
            let reply = app.get(&path).await;
            assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
        }
        let reply = patch(&app, &g, &stranger, &json!({"occupation": "cook"})).await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
        let reply = patch(&app, &g, &unknown, &json!({"occupation": "cook"})).await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
    }
);

// Contributions

both_backends!(
    a_cash_contribution_to_savings_credits_the_member_and_fills_the_cash_box,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let reply = contribute(
            &app,
            &g,
            &with(contribution(&ana, "500"), "receipt_no", "R-0001"),
        )
        .await;
        assert_status(&reply, StatusCode::CREATED);
        let c = &reply.body;
        assert_eq!(c["group_id"], g.as_str());
        assert_eq!(c["member_id"], ana.as_str());
        assert_eq!(c["amount"], "500.00");
        assert_eq!(c["currency"], "HKD");
        assert_eq!(c["fund"], "savings");
        assert_eq!(c["channel"], "cash");
        assert_eq!(c["booked_on"], "2025-03-01");
        assert_eq!(c["receipt_no"], "R-0001");
        assert_eq!(c["created_by"], admin_id(&app).await.as_str());
        assert!(c["transaction_id"].is_string(), "{c}");

        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "500.00");
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "500.00");
        assert_eq!(app.balance(&g, &capital_of(&ana)).await, "0.00");
        assert_eq!(head_sequence(&app, &g).await, 1);

        let (entries, metadata) = postings(&app, &g, &c["transaction_id"]).await;
        assert_eq!(
            entries,
            vec![
                posting("credit", &savings_of(&ana), "500.00", "HKD"),
                posting("debit", "assets:cash:HKD", "500.00", "HKD"),
            ]
        );
        assert_eq!(metadata["event"], "contribution");
        assert_eq!(metadata["event_id"], c["id"]);
        let journal = listed_ids(&app, &format!("/v1/groups/{g}/transactions")).await;
        assert_eq!(journal, vec![text(&c["transaction_id"])]);

        // The cash box was opened for the group when first needed.
        let cash = accounts_with_code(&app, &g, "assets:cash:HKD").await;
        assert_eq!(cash.len(), 1);
        assert_eq!(cash[0]["type"], "asset");
        assert_eq!(cash[0]["currency"], "HKD");
        assert_eq!(cash[0]["no_overdraft"], true);

        // The member's record shows the new balance.
        let member = app.get(&format!("{}/{ana}", members(&g))).await;
        assert_status(&member, StatusCode::OK);
        assert_eq!(member.body["accounts"]["savings"]["balance"], "500.00");
    }
);

both_backends!(
    each_fund_and_channel_books_to_its_own_account,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let savings = savings_of(&ana);
        let capital = capital_of(&ana);
        let cases = [
            (
                "capital",
                "cash",
                "300",
                "assets:cash:HKD",
                capital.as_str(),
            ),
            (
                "social_fund",
                "cash",
                "20",
                "assets:cash:HKD",
                "liabilities:social-fund:HKD",
            ),
            (
                "savings",
                "bank",
                "100",
                "assets:bank:HKD",
                savings.as_str(),
            ),
            (
                "savings",
                "mobile_wallet",
                "40.50",
                "assets:bank:HKD",
                savings.as_str(),
            ),
            (
                "social_fund",
                "bank",
                "5",
                "assets:bank:HKD",
                "liabilities:social-fund:HKD",
            ),
            (
                "savings",
                "remittance",
                "1000",
                "assets:home-bank:HKD",
                savings.as_str(),
            ),
        ];
        for (fund, channel, amount, debit, credit) in cases {
            let body = json!({"member_id": ana, "amount": amount, "fund": fund,
                              "channel": channel, "booked_on": "2025-03-01"});
            let c = contributed(&app, &g, &body).await;
            assert_eq!(c["fund"], fund);
            assert_eq!(c["channel"], channel);
            let (entries, metadata) = postings(&app, &g, &c["transaction_id"]).await;
            let shown = format!("{amount}{}", if amount.contains('.') { "" } else { ".00" });
            let mut expected = vec![
                posting("debit", debit, &shown, "HKD"),
                posting("credit", credit, &shown, "HKD"),
            ];
            expected.sort();
            assert_eq!(entries, expected, "{fund} by {channel}");
            assert_eq!(metadata["event"], "contribution");
            assert_eq!(metadata["event_id"], c["id"]);
        }
        assert_eq!(app.balance(&g, &capital).await, "300.00");
        assert_eq!(app.balance(&g, &savings).await, "1140.50");
        assert_eq!(
            app.balance(&g, "liabilities:social-fund:HKD").await,
            "25.00"
        );
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "320.00");
        assert_eq!(app.balance(&g, "assets:bank:HKD").await, "145.50");
        assert_eq!(app.balance(&g, "assets:home-bank:HKD").await, "1000.00");
        assert_eq!(head_sequence(&app, &g).await, 6);

        // Each standard account was opened once, and reused afterwards.
        for (code, kind) in [
            ("assets:cash:HKD", "asset"),
            ("assets:bank:HKD", "asset"),
            ("assets:home-bank:HKD", "asset"),
            ("liabilities:social-fund:HKD", "liability"),
        ] {
            let found = accounts_with_code(&app, &g, code).await;
            assert_eq!(found.len(), 1, "{code}");
            assert_eq!(found[0]["type"], kind, "{code}");
            assert_eq!(found[0]["currency"], "HKD", "{code}");
            assert_eq!(found[0]["no_overdraft"], true, "{code}");
        }
    }
);

both_backends!(
    a_social_fund_contribution_in_another_currency_books_in_that_currency,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let body = json!({"member_id": ana, "amount": "1000", "currency": "PHP",
                          "fund": "social_fund", "channel": "cash", "booked_on": "2025-03-01"});
        let c = contributed(&app, &g, &body).await;
        assert_eq!(c["currency"], "PHP");
        assert_eq!(c["amount"], "1000.00");
        let (entries, _) = postings(&app, &g, &c["transaction_id"]).await;
        assert_eq!(
            entries,
            vec![
                posting("credit", "liabilities:social-fund:PHP", "1000.00", "PHP"),
                posting("debit", "assets:cash:PHP", "1000.00", "PHP"),
            ]
        );
        assert_eq!(
            app.balance(&g, "liabilities:social-fund:PHP").await,
            "1000.00"
        );
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "0.00");
    }
);

both_backends!(
    an_account_the_treasurer_opened_earlier_is_reused,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let (treasurer_id, treasurer) = app
            .user_with("treasurer", json!([{"role": "treasurer", "group_id": g}]))
            .await;
        let opened = app
            .send(
                treasurer
                    .post(app.url(&format!("/v1/groups/{g}/accounts")))
                    .json(
                        &json!({"code": "assets:cash:HKD", "name": "Cash box at the meeting",
                                  "type": "asset", "currency": "HKD"}),
                    ),
            )
            .await;
        assert_status(&opened, StatusCode::CREATED);
        let member = app
            .send(
                treasurer
                    .post(app.url(&members(&g)))
                    .json(&member_body("Ana")),
            )
            .await;
        assert_status(&member, StatusCode::CREATED);
        let ana = id_of(&member);

        let reply = app
            .send(
                treasurer
                    .post(app.url(&contributions(&g)))
                    .header("Idempotency-Key", fresh_key())
                    .json(&contribution(&ana, "500")),
            )
            .await;
        assert_status(&reply, StatusCode::CREATED);
        assert_eq!(reply.body["created_by"], treasurer_id.as_str());

        let cash = accounts_with_code(&app, &g, "assets:cash:HKD").await;
        assert_eq!(cash.len(), 1, "{cash:?}");
        assert_eq!(cash[0]["id"], opened.body["id"]);
        assert_eq!(cash[0]["name"], "Cash box at the meeting");
        assert_eq!(cash[0]["balance"], "500.00");
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "500.00");
    }
);

both_backends!(
    contributions_that_break_a_rule_are_refused_and_change_nothing,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let other = app.create_group("Sampaguita").await;
        let ana = add_member(&app, &g, "Ana").await;
        let ben = add_member(&app, &g, "Ben").await;
        let cora = add_member(&app, &g, "Cora").await;
        let stranger = add_member(&app, &other, "Dita").await;
        let went_home = json!({"status": "returned_home", "status_on": "2025-02-01"});
        assert_status(&patch(&app, &g, &ben, &went_home).await, StatusCode::OK);
        let left = json!({"status": "exited", "status_on": "2025-02-01"});
        assert_status(&patch(&app, &g, &cora, &left).await, StatusCode::OK);
        let closed = app
            .post(
                &format!("/v1/groups/{g}/period-closes"),
                &json!({"through": "2025-02-28"}),
            )
            .await;
        assert_status(&closed, StatusCode::CREATED);
        contributed(&app, &g, &contribution(&ana, "500")).await;
        let before = snapshot(&app, &g).await;

        let base = contribution(&ana, "100");
        let unknown = uuid::Uuid::new_v4().to_string();
        let cases = [
            (
                with(base.clone(), "member_id", unknown),
                "unknown-member",
                "/member_id",
            ),
            (
                with(base.clone(), "member_id", stranger),
                "unknown-member",
                "/member_id",
            ),
            (
                with(base.clone(), "member_id", "not-a-uuid"),
                "invalid-field",
                "/member_id",
            ),
            (
                with(base.clone(), "member_id", ben.as_str()),
                "member-not-active",
                "/member_id",
            ),
            (
                with(base.clone(), "member_id", cora.as_str()),
                "member-not-active",
                "/member_id",
            ),
            (
                with(base.clone(), "currency", "PHP"),
                "currency-mismatch",
                "/currency",
            ),
            (
                with(with(base.clone(), "currency", "PHP"), "fund", "capital"),
                "currency-mismatch",
                "/currency",
            ),
            (
                with(base.clone(), "currency", "HKDX"),
                "invalid-field",
                "/currency",
            ),
            (
                with(base.clone(), "amount", "12.345"),
                "invalid-field",
                "/amount",
            ),
            (
                with(base.clone(), "amount", "abc"),
                "invalid-field",
                "/amount",
            ),
            (
                with(base.clone(), "amount", "-5"),
                "invalid-field",
                "/amount",
            ),
            (
                with(base.clone(), "amount", 100),
                "invalid-field",
                "/amount",
            ),
            (
                with(base.clone(), "amount", "0.00"),
                "non-positive-amount",
                "/amount",
            ),
            (
                with(base.clone(), "amount", "0"),
                "non-positive-amount",
                "/amount",
            ),
            (without(base.clone(), "amount"), "invalid-field", "/amount"),
            (
                with(base.clone(), "fund", "pension"),
                "invalid-field",
                "/fund",
            ),
            (
                with(base.clone(), "channel", "cheque"),
                "invalid-field",
                "/channel",
            ),
            (
                with(base.clone(), "receipt_no", "r".repeat(65)),
                "invalid-field",
                "/receipt_no",
            ),
            (
                with(base.clone(), "paid_by", "Ana"),
                "invalid-field",
                "/paid_by",
            ),
        ];
        for (body, slug, pointer) in &cases {
            let reply = contribute(&app, &g, body).await;
            assert_refused(&reply, slug, pointer);
        }
        let reply = contribute(&app, &g, &with(base.clone(), "booked_on", "2025-02-15")).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "closed-period");
        // Through a channel and into a fund the group has not used yet: the refusal must not
        // leave their accounts behind either.
        let first_remittance = json!({"member_id": ana, "amount": "100", "fund": "social_fund",
                                      "channel": "remittance", "booked_on": "2025-02-15"});
        let reply = contribute(&app, &g, &first_remittance).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "closed-period");
        for code in ["assets:home-bank:HKD", "liabilities:social-fund:HKD"] {
            let opened = accounts_with_code(&app, &g, code).await;
            assert!(opened.is_empty(), "a refused contribution opened {code}");
        }

        assert_eq!(snapshot(&app, &g).await, before);
        assert_eq!(head_sequence(&app, &g).await, 1);
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "500.00");
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "500.00");
    }
);

both_backends!(
    money_cannot_move_without_an_idempotency_key,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let reply = app
            .post(&contributions(&g), &contribution(&ana, "500"))
            .await;
        assert_problem(&reply, StatusCode::BAD_REQUEST, "idempotency-key-required");
        assert_eq!(head_sequence(&app, &g).await, 0);
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "0.00");

        contributed(&app, &g, &contribution(&ana, "500")).await;
        let reply = app.post(&withdrawals(&g), &withdrawal(&ana, "100")).await;
        assert_problem(&reply, StatusCode::BAD_REQUEST, "idempotency-key-required");
        assert_eq!(head_sequence(&app, &g).await, 1);
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "500.00");
        assert!(listed_ids(&app, &withdrawals(&g)).await.is_empty());
    }
);

both_backends!(a_retried_contribution_is_counted_once, |app| async move {
    let g = app.create_group("Bayanihan").await;
    let ana = add_member(&app, &g, "Ana").await;
    let body = contribution(&ana, "500");
    let first = app
        .post_with_key(&contributions(&g), "meeting-7-ana", &body)
        .await;
    assert_status(&first, StatusCode::CREATED);
    assert!(first.headers.get("idempotent-replayed").is_none());
    let retry = app
        .post_with_key(&contributions(&g), "meeting-7-ana", &body)
        .await;
    assert_status(&retry, StatusCode::CREATED);
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(retry.body, first.body);

    assert_eq!(app.balance(&g, &savings_of(&ana)).await, "500.00");
    assert_eq!(app.balance(&g, "assets:cash:HKD").await, "500.00");
    assert_eq!(head_sequence(&app, &g).await, 1);
    assert_eq!(
        listed_ids(&app, &contributions(&g)).await,
        vec![id_of(&first)]
    );

    let changed = app
        .post_with_key(
            &contributions(&g),
            "meeting-7-ana",
            &contribution(&ana, "600"),
        )
        .await;
    assert_problem(
        &changed,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
    );
    assert_eq!(app.balance(&g, &savings_of(&ana)).await, "500.00");
    assert_eq!(head_sequence(&app, &g).await, 1);
});

// Withdrawals

both_backends!(
    a_withdrawal_within_the_members_savings_pays_them_out,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        contributed(&app, &g, &contribution(&ana, "500")).await;
        let w = withdrawn(&app, &g, &withdrawal(&ana, "120.50")).await;
        assert_eq!(w["group_id"], g.as_str());
        assert_eq!(w["member_id"], ana.as_str());
        assert_eq!(w["amount"], "120.50");
        assert_eq!(w["currency"], "HKD");
        assert_eq!(w["from"], "savings");
        assert_eq!(w["channel"], "cash");
        assert_eq!(w["booked_on"], "2025-03-02");
        assert_eq!(w["created_by"], admin_id(&app).await.as_str());

        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "379.50");
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "379.50");
        let (entries, metadata) = postings(&app, &g, &w["transaction_id"]).await;
        assert_eq!(
            entries,
            vec![
                posting("credit", "assets:cash:HKD", "120.50", "HKD"),
                posting("debit", &savings_of(&ana), "120.50", "HKD"),
            ]
        );
        assert_eq!(metadata["event"], "withdrawal");
        assert_eq!(metadata["event_id"], w["id"]);

        // Everything that is left may be taken out, to the last cent.
        withdrawn(&app, &g, &withdrawal(&ana, "379.50")).await;
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "0.00");
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "0.00");
    }
);

both_backends!(
    a_withdrawal_beyond_the_members_savings_is_refused_and_names_what_is_available,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let ben = add_member(&app, &g, "Ben").await;
        contributed(&app, &g, &contribution(&ana, "500")).await;
        // The cash box holds enough; Ana's savings do not.
        contributed(&app, &g, &contribution(&ben, "1000")).await;
        let before = snapshot(&app, &g).await;

        let reply = withdraw(&app, &g, &withdrawal(&ana, "500.01")).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "overdraft");
        let detail = text(&reply.body["detail"]);
        assert!(detail.contains("500.00 HKD"), "{detail}");

        let reply = withdraw(&app, &g, &withdrawal(&ben, "1000.01")).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "overdraft");
        let detail = text(&reply.body["detail"]);
        assert!(detail.contains("1000.00 HKD"), "{detail}");

        assert_eq!(snapshot(&app, &g).await, before);
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "500.00");
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "1500.00");
        assert_eq!(head_sequence(&app, &g).await, 2);
    }
);

both_backends!(
    an_overdraft_names_the_member_and_her_fund_and_points_at_the_amount,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let body = json!({"name": "Carmen Santos", "sex": "female", "home_country": "PH",
                          "host_country": "HK", "joined_on": JOINED});
        let reply = app.post(&members(&g), &body).await;
        assert_status(&reply, StatusCode::CREATED);
        let carmen = id_of(&reply);
        contributed(&app, &g, &contribution(&carmen, "100")).await;
        let reply = withdraw(&app, &g, &withdrawal(&carmen, "250")).await;
        assert_refused(&reply, "overdraft", "/amount");
        assert_eq!(
            text(&reply.body["detail"]),
            "Carmen Santos's savings would end at -150.00 HKD; her savings are 100.00 HKD"
        );
        assert!(!text(&reply.body["detail"]).contains(&carmen));
    }
);

both_backends!(
    an_empty_cash_box_cannot_pay_out_even_a_member_with_savings,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let by_bank = with(contribution(&ana, "500"), "channel", "bank");
        contributed(&app, &g, &by_bank).await;
        let before = snapshot(&app, &g).await;

        let reply = withdraw(&app, &g, &withdrawal(&ana, "100")).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "overdraft");
        let opened = accounts_with_code(&app, &g, "assets:cash:HKD").await;
        assert!(opened.is_empty(), "a refused withdrawal opened a cash box");
        assert_eq!(snapshot(&app, &g).await, before);

        let from_bank = with(withdrawal(&ana, "100"), "channel", "bank");
        let w = withdrawn(&app, &g, &from_bank).await;
        let (entries, _) = postings(&app, &g, &w["transaction_id"]).await;
        assert_eq!(
            entries,
            vec![
                posting("credit", "assets:bank:HKD", "100.00", "HKD"),
                posting("debit", &savings_of(&ana), "100.00", "HKD"),
            ]
        );
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "400.00");
        assert_eq!(app.balance(&g, "assets:bank:HKD").await, "400.00");
    }
);

both_backends!(
    malformed_withdrawals_are_refused_and_change_nothing,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        contributed(&app, &g, &contribution(&ana, "500")).await;
        let before = snapshot(&app, &g).await;
        let base = withdrawal(&ana, "100");
        let unknown = uuid::Uuid::new_v4().to_string();
        let cases = [
            (
                with(base.clone(), "from", "capital"),
                "invalid-field",
                "/from",
            ),
            (
                with(base.clone(), "amount", "0.00"),
                "non-positive-amount",
                "/amount",
            ),
            (
                with(base.clone(), "amount", "1.001"),
                "invalid-field",
                "/amount",
            ),
            (
                with(base.clone(), "channel", "cheque"),
                "invalid-field",
                "/channel",
            ),
            (
                with(base.clone(), "member_id", unknown),
                "unknown-member",
                "/member_id",
            ),
            (
                with(base.clone(), "fund", "savings"),
                "invalid-field",
                "/fund",
            ),
        ];
        for (body, slug, pointer) in &cases {
            let reply = withdraw(&app, &g, body).await;
            assert_refused(&reply, slug, pointer);
        }
        assert_eq!(snapshot(&app, &g).await, before);
    }
);

both_backends!(
    a_refused_withdrawal_replays_its_refusal_even_after_savings_grow,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let body = withdrawal(&ana, "200");
        let first = app.post_with_key(&withdrawals(&g), "pay-ana", &body).await;
        assert_problem(&first, StatusCode::UNPROCESSABLE_ENTITY, "overdraft");

        contributed(&app, &g, &contribution(&ana, "500")).await;
        let retry = app.post_with_key(&withdrawals(&g), "pay-ana", &body).await;
        assert_problem(&retry, StatusCode::UNPROCESSABLE_ENTITY, "overdraft");
        assert_eq!(retry.headers["idempotent-replayed"], "true");
        assert_eq!(retry.body, first.body);
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "500.00");

        let fresh = app
            .post_with_key(&withdrawals(&g), "pay-ana-again", &body)
            .await;
        assert_status(&fresh, StatusCode::CREATED);
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "300.00");
    }
);

both_backends!(
    a_member_who_returned_home_or_exited_can_still_be_paid_out,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        contributed(&app, &g, &contribution(&ana, "500")).await;
        let went_home = json!({"status": "returned_home", "status_on": "2025-03-01"});
        assert_status(&patch(&app, &g, &ana, &went_home).await, StatusCode::OK);

        let refused = contribute(&app, &g, &contribution(&ana, "50")).await;
        assert_refused(&refused, "member-not-active", "/member_id");
        withdrawn(&app, &g, &withdrawal(&ana, "200")).await;
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "300.00");

        let left = json!({"status": "exited", "status_on": "2025-03-02"});
        assert_status(&patch(&app, &g, &ana, &left).await, StatusCode::OK);
        withdrawn(&app, &g, &withdrawal(&ana, "300")).await;
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "0.00");
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "0.00");
    }
);

// Changes to a member

both_backends!(
    a_member_who_returns_home_is_marked_with_the_date,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let reply = patch(
            &app,
            &g,
            &ana,
            &json!({"status": "returned_home", "status_on": "2025-09-30"}),
        )
        .await;
        assert_status(&reply, StatusCode::OK);
        assert_eq!(reply.body["status"], "returned_home");
        assert_eq!(reply.body["status_on"], "2025-09-30");
        assert_eq!(reply.body["name"], "Ana");
        assert_eq!(reply.body["joined_on"], JOINED);

        let read = app.get(&format!("{}/{ana}", members(&g))).await;
        assert_status(&read, StatusCode::OK);
        assert_eq!(read.body, reply.body);
    }
);

both_backends!(
    an_exited_member_stays_exited_and_on_record,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let reply = patch(
            &app,
            &g,
            &ana,
            &json!({"status": "exited", "status_on": "2025-10-01"}),
        )
        .await;
        assert_status(&reply, StatusCode::OK);
        assert_eq!(reply.body["status"], "exited");

        for status in ["active", "returned_home", "exited"] {
            let again = patch(
                &app,
                &g,
                &ana,
                &json!({"status": status, "status_on": "2025-11-01"}),
            )
            .await;
            assert_problem(&again, StatusCode::CONFLICT, "member-exited");
        }
        let read = app.get(&format!("{}/{ana}", members(&g))).await;
        assert_status(&read, StatusCode::OK);
        assert_eq!(read.body["status"], "exited");
        assert_eq!(read.body["status_on"], "2025-10-01");
        assert_eq!(listed_ids(&app, &members(&g)).await, vec![ana.clone()]);
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "0.00");
    }
);

both_backends!(
    a_status_change_needs_a_date_and_a_known_status,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let cases = [
            (json!({"status": "returned_home"}), "/status_on"),
            (
                json!({"status": "deported", "status_on": "2025-09-30"}),
                "/status",
            ),
            (
                json!({"status": "returned_home", "status_on": "30/09/2025"}),
                "/status_on",
            ),
            (json!({"occupation": "o".repeat(201)}), "/occupation"),
            (json!({"contact": "c".repeat(201)}), "/contact"),
            // A name is corrected only with a reason for it.
            (json!({"name": "Anna"}), "/reason"),
        ];
        for (body, pointer) in &cases {
            let reply = patch(&app, &g, &ana, body).await;
            assert_refused(&reply, "invalid-field", pointer);
        }
        let read = app.get(&format!("{}/{ana}", members(&g))).await;
        assert_eq!(read.body["status"], "active");
        assert_eq!(read.body["status_on"], Value::Null);
        assert_eq!(read.body["name"], "Ana");
        assert_eq!(read.body["occupation"], Value::Null);
    }
);

both_backends!(
    occupation_and_contact_are_set_and_cleared,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let reply = patch(
            &app,
            &g,
            &ana,
            &json!({"occupation": "caregiver", "contact": "+852 5555 0101"}),
        )
        .await;
        assert_status(&reply, StatusCode::OK);
        assert_eq!(reply.body["occupation"], "caregiver");
        assert_eq!(reply.body["contact"], "+852 5555 0101");

        let reply = patch(&app, &g, &ana, &json!({"occupation": null})).await;
        assert_status(&reply, StatusCode::OK);
        assert_eq!(reply.body["occupation"], Value::Null);
        assert_eq!(reply.body["contact"], "+852 5555 0101");

        let reply = patch(&app, &g, &ana, &json!({"contact": null})).await;
        assert_status(&reply, StatusCode::OK);
        assert_eq!(reply.body["contact"], Value::Null);

        let read = app.get(&format!("{}/{ana}", members(&g))).await;
        assert_status(&read, StatusCode::OK);
        assert_eq!(read.body["occupation"], Value::Null);
        assert_eq!(read.body["contact"], Value::Null);
        assert_eq!(read.body["status"], "active");
        assert_eq!(read.body["sex"], "female");
        assert_eq!(read.body["birth_year"], 1990);
    }
);

// Statements and who may read them

/// A member with a history: savings in three meetings, capital once, one withdrawal, and a
/// second member whose money must not show on the first one's statement. Returns the first
/// member's id and the transaction ids of their savings movements, oldest first.
async fn member_with_history(app: &TestApp, g: &str) -> (String, Vec<String>) {
    let ana = add_member(app, g, "Ana").await;
    let ben = add_member(app, g, "Ben").await;
    let mut savings_moves = Vec::new();
    let c = contributed(app, g, &contribution(&ana, "100")).await;
    savings_moves.push(text(&c["transaction_id"]));
    let body = json!({"member_id": ana, "amount": "250.50", "fund": "savings",
                      "channel": "bank", "booked_on": "2025-04-01"});
    let c = contributed(app, g, &body).await;
    savings_moves.push(text(&c["transaction_id"]));
    let body = json!({"member_id": ben, "amount": "999", "fund": "savings",
                      "channel": "cash", "booked_on": "2025-04-02"});
    contributed(app, g, &body).await;
    let body = json!({"member_id": ana, "amount": "300", "fund": "capital",
                      "channel": "cash", "booked_on": "2025-04-15"});
    contributed(app, g, &body).await;
    let w = withdrawn(
        app,
        g,
        &with(withdrawal(&ana, "50"), "booked_on", "2025-05-01"),
    )
    .await;
    savings_moves.push(text(&w["transaction_id"]));
    let c = contributed(
        app,
        g,
        &with(contribution(&ana, "20"), "booked_on", "2025-06-01"),
    )
    .await;
    savings_moves.push(text(&c["transaction_id"]));
    (ana, savings_moves)
}

both_backends!(
    a_member_statement_shows_running_balances_and_what_may_be_withdrawn,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let (ana, moves) = member_with_history(&app, &g).await;

        let reply = statement(&app, &g, &ana, "").await;
        assert_status(&reply, StatusCode::OK);
        let s = &reply.body;
        assert_eq!(s["member"]["id"], ana.as_str());
        assert_eq!(s["from"], Value::Null);
        assert_eq!(s["to"], Value::Null);
        assert_eq!(s["current_balance"], "320.50");
        assert_eq!(s["available_balance"], "320.50");
        let savings = &s["accounts"][0];
        assert_eq!(savings["account"]["code"], savings_of(&ana).as_str());
        assert_eq!(savings["opening_balance"], "0.00");
        assert_eq!(
            statement_lines(savings),
            vec![
                line("credit", "100.00", "100.00"),
                line("credit", "250.50", "350.50"),
                line("debit", "50.00", "300.50"),
                line("credit", "20.00", "320.50"),
            ]
        );
        let listed: Vec<String> = savings["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| text(&l["transaction_id"]))
            .collect();
        assert_eq!(listed, moves);
        assert_eq!(savings["closing_balance"], "320.50");
        let capital = &s["accounts"][1];
        assert_eq!(capital["account"]["code"], capital_of(&ana).as_str());
        assert_eq!(
            statement_lines(capital),
            vec![line("credit", "300.00", "300.00")]
        );
        assert_eq!(capital["closing_balance"], "300.00");

        // A window opens on what was saved before it; the current balance is still today's.
        let reply = statement(&app, &g, &ana, "?from=2025-04-01&to=2025-05-31").await;
        assert_status(&reply, StatusCode::OK);
        let s = &reply.body;
        assert_eq!(s["from"], "2025-04-01");
        assert_eq!(s["to"], "2025-05-31");
        let savings = &s["accounts"][0];
        assert_eq!(savings["opening_balance"], "100.00");
        assert_eq!(
            statement_lines(savings),
            vec![
                line("credit", "250.50", "350.50"),
                line("debit", "50.00", "300.50"),
            ]
        );
        assert_eq!(savings["closing_balance"], "300.50");
        assert_eq!(s["current_balance"], "320.50");
        assert_eq!(s["available_balance"], "320.50");

        // The member statement agrees with the account statement of the same account.
        let account = app
            .get(&format!(
                "/v1/groups/{g}/accounts/{}/statement?from=2025-04-01&to=2025-05-31",
                savings_of(&ana)
            ))
            .await;
        assert_status(&account, StatusCode::OK);
        assert_eq!(&account.body, savings);
    }
);

both_backends!(
    a_member_reads_their_own_record_and_statement_and_nothing_else,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let other = app.create_group("Sampaguita").await;
        let (ana, _) = member_with_history(&app, &g).await;
        let cora = add_member(&app, &g, "Cora").await;
        let (_, ana_user) = app
            .user_with(
                "ana",
                json!([{"role": "member", "group_id": g, "member_id": ana}]),
            )
            .await;

        let own = format!("{}/{ana}", members(&g));
        let reply = get_as(&app, &ana_user, &own).await;
        assert_status(&reply, StatusCode::OK);
        assert_eq!(reply.body, app.get(&own).await.body);
        let reply = get_as(&app, &ana_user, &format!("{own}/statement")).await;
        assert_status(&reply, StatusCode::OK);
        assert_eq!(reply.body["current_balance"], "320.50");
        assert_eq!(reply.body["available_balance"], "320.50");

        for path in [
            format!("{}/{cora}", members(&g)),
            format!("{}/{cora}/statement", members(&g)),
            format!("{}/{ana}", members(&other)),
        ] {
            let reply = get_as(&app, &ana_user, &path).await;
            assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
        }
        // Another member of her own group is a member she cannot see, not a missing group.
        let reply = get_as(
            &app,
            &ana_user,
            &format!("{}/{cora}/statement", members(&g)),
        )
        .await;
        assert_eq!(reply.body["detail"], "member not found", "{}", reply.body);
        let reply = get_as(&app, &ana_user, &format!("{}/{ana}", members(&other))).await;
        assert_eq!(reply.body["detail"], "group not found", "{}", reply.body);
        for path in [
            format!("/v1/groups/{g}/transactions"),
            members(&g),
            contributions(&g),
            withdrawals(&g),
        ] {
            let reply = get_as(&app, &ana_user, &path).await;
            assert_problem(&reply, StatusCode::FORBIDDEN, "forbidden");
        }
        let reply = app
            .send(
                ana_user
                    .post(app.url(&contributions(&g)))
                    .header("Idempotency-Key", fresh_key())
                    .json(&contribution(&ana, "1000")),
            )
            .await;
        assert_problem(&reply, StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "320.50");
    }
);

both_backends!(
    the_treasurer_of_another_group_cannot_see_a_member,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let other = app.create_group("Sampaguita").await;
        let ana = add_member(&app, &g, "Ana").await;
        contributed(&app, &g, &contribution(&ana, "500")).await;
        let (_, treasurer) = app
            .user_with(
                "treasurer-elsewhere",
                json!([{"role": "treasurer", "group_id": other}]),
            )
            .await;
        for path in [
            format!("{}/{ana}", members(&g)),
            format!("{}/{ana}/statement", members(&g)),
            members(&g),
            contributions(&g),
        ] {
            let reply = get_as(&app, &treasurer, &path).await;
            assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
        }
        let reply = app
            .send(
                treasurer
                    .post(app.url(&withdrawals(&g)))
                    .header("Idempotency-Key", fresh_key())
                    .json(&withdrawal(&ana, "500")),
            )
            .await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "500.00");

        let (_, auditor) = app.user_with("auditor", json!([{"role": "auditor"}])).await;
        let reply = get_as(&app, &auditor, &format!("{}/{ana}/statement", members(&g))).await;
        assert_status(&reply, StatusCode::OK);
        assert_eq!(reply.body["current_balance"], "500.00");
        let reply = app
            .send(
                auditor
                    .post(app.url(&contributions(&g)))
                    .header("Idempotency-Key", fresh_key())
                    .json(&contribution(&ana, "1")),
            )
            .await;
        assert_problem(&reply, StatusCode::FORBIDDEN, "forbidden");
    }
);

// Lists of contributions and withdrawals

both_backends!(
    contributions_and_withdrawals_are_listed_by_member_and_date,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let ben = add_member(&app, &g, "Ben").await;
        let a1 = contributed(&app, &g, &contribution(&ana, "100")).await;
        let b1 = contributed(
            &app,
            &g,
            &with(contribution(&ben, "200"), "booked_on", "2025-03-15"),
        )
        .await;
        let a2 = contributed(
            &app,
            &g,
            &with(contribution(&ana, "300"), "booked_on", "2025-04-01"),
        )
        .await;
        let wa = withdrawn(
            &app,
            &g,
            &with(withdrawal(&ana, "50"), "booked_on", "2025-04-10"),
        )
        .await;
        let wb = withdrawn(
            &app,
            &g,
            &with(withdrawal(&ben, "60"), "booked_on", "2025-05-01"),
        )
        .await;
        let [a1, b1, a2, wa, wb] = [&a1, &b1, &a2, &wa, &wb].map(|v| text(&v["id"]));

        let c = contributions(&g);
        let w = withdrawals(&g);
        let expectations = [
            (c.clone(), vec![&a1, &b1, &a2]),
            (format!("{c}?member_id={ana}"), vec![&a1, &a2]),
            (format!("{c}?from=2025-03-10"), vec![&b1, &a2]),
            (format!("{c}?to=2025-03-31"), vec![&a1, &b1]),
            (format!("{c}?from=2025-03-15&to=2025-03-15"), vec![&b1]),
            (format!("{c}?member_id={ben}&from=2025-04-01"), vec![]),
            (w.clone(), vec![&wa, &wb]),
            (format!("{w}?member_id={ben}"), vec![&wb]),
            (format!("{w}?to=2025-04-30"), vec![&wa]),
            (format!("{w}?from=2025-04-11"), vec![&wb]),
        ];
        for (path, expected) in expectations {
            let expected: Vec<String> = expected.into_iter().cloned().collect();
            assert_eq!(listed_ids(&app, &path).await, expected, "{path}");
        }

        let first = app.get(&format!("{c}?limit=2")).await;
        assert_status(&first, StatusCode::OK);
        let cursor = text(&first.body["next_cursor"]);
        assert_eq!(
            listed_ids(&app, &format!("{c}?limit=2&cursor={cursor}")).await,
            vec![a2.clone()]
        );

        let one = app.get(&format!("{c}/{a1}")).await;
        assert_status(&one, StatusCode::OK);
        assert_eq!(one.body["member_id"], ana.as_str());
        assert_eq!(one.body["amount"], "100.00");
        assert_eq!(one.body, app.get(&c).await.body["items"][0]);
        let one = app.get(&format!("{w}/{wb}")).await;
        assert_status(&one, StatusCode::OK);
        assert_eq!(one.body["member_id"], ben.as_str());
        assert_eq!(one.body["amount"], "60.00");
        assert_eq!(one.body["from"], "savings");

        let unknown = uuid::Uuid::new_v4();
        for path in [
            format!("{c}/{unknown}"),
            format!("{c}/not-an-id"),
            format!("{w}/{unknown}"),
            // A withdrawal is not a contribution, nor the other way round.
            format!("{c}/{wa}"),
            format!("{w}/{a1}"),
        ] {
            let reply = app.get(&path).await;
            assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
        }
        let reply = app.get(&format!("{c}?member_id=ana")).await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
        );
        assert_eq!(reply.body["errors"][0]["parameter"], "member_id");
    }
);

// Corrections

both_backends!(
    reversing_a_contribution_or_withdrawal_restores_the_balances,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        contributed(&app, &g, &contribution(&ana, "500")).await;
        let mistaken = contributed(&app, &g, &contribution(&ana, "200")).await;
        let paid = withdrawn(&app, &g, &withdrawal(&ana, "100")).await;
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "600.00");

        for event in [&mistaken, &paid] {
            let tx = text(&event["transaction_id"]);
            let reply = app
                .post_with_key(
                    &format!("/v1/groups/{g}/transactions/{tx}/reversal"),
                    &fresh_key(),
                    &json!({"description": "recorded by mistake"}),
                )
                .await;
            assert_status(&reply, StatusCode::CREATED);
            assert_eq!(reply.body["reverses"], tx.as_str());
        }
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "500.00");
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "500.00");
        assert_eq!(head_sequence(&app, &g).await, 5);

        let statement = statement(&app, &g, &ana, "").await;
        assert_status(&statement, StatusCode::OK);
        assert_eq!(statement.body["current_balance"], "500.00");
        assert_eq!(statement.body["available_balance"], "500.00");

        let verified = app.get(&format!("/v1/groups/{g}/ledger/verify")).await;
        assert_status(&verified, StatusCode::OK);
        assert_eq!(verified.body["ok"], true, "{}", verified.body);
        assert_eq!(verified.body["transactions_checked"], 5);
    }
);

both_backends!(
    members_are_numbered_in_order_and_every_route_takes_a_number,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let other = app.create_group("Sampaguita").await;
        let ana = add_member(&app, &g, "Ana").await;
        let ben = add_member(&app, &g, "Ben").await;
        // Each group counts its own members.
        let elsewhere = add_member(&app, &other, "Cora").await;
        let cora = add_member(&app, &g, "Cora").await;
        for (id, number) in [(&ana, 1), (&ben, 2), (&cora, 3)] {
            let reply = app.get(&format!("{}/{id}", members(&g))).await;
            assert_eq!(reply.body["number"], number, "{}", reply.body);
        }
        let reply = app.get(&format!("{}/{elsewhere}", members(&other))).await;
        assert_eq!(reply.body["number"], 1);

        // By number in the path, as a string, as "#n", or as a JSON number in a body.
        let reply = app.get(&format!("{}/2", members(&g))).await;
        assert_status(&reply, StatusCode::OK);
        assert_eq!(reply.body["id"], json!(ben));
        contributed(&app, &g, &contribution("2", "300")).await;
        contributed(&app, &g, &with(contribution("", "50"), "member_id", 3)).await;
        withdrawn(&app, &g, &withdrawal("#2", "100")).await;
        assert_eq!(app.balance(&g, &savings_of(&ben)).await, "200.00");
        assert_eq!(app.balance(&g, &savings_of(&cora)).await, "50.00");
        let reply = app.get(&format!("{}/2/statement", members(&g))).await;
        assert_eq!(reply.body["current_balance"], "200.00", "{}", reply.body);
        let reply = app.get(&format!("{}?member_id=3", contributions(&g))).await;
        let listed = reply.body["items"].as_array().expect("items");
        assert_eq!(listed.len(), 1, "{}", reply.body);
        assert_eq!(listed[0]["member_id"], json!(cora));

        // A number no member has: not found in a path, refused at the field in a body.
        let reply = app.get(&format!("{}/9", members(&g))).await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
        assert_eq!(reply.body["detail"], "member not found");
        let reply = contribute(&app, &g, &contribution("9", "10")).await;
        assert_refused(&reply, "unknown-member", "/member_id");
        // A name is not a member reference, and the refusal says what is.
        let reply = contribute(&app, &g, &contribution("Ana Cruz", "10")).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert_eq!(reply.pointer(), "/member_id", "{}", reply.body);
        assert!(
            !text(&reply.body["detail"]).contains("UUID"),
            "{}",
            reply.body
        );
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "0.00");
    }
);

both_backends!(
    a_member_reads_her_own_record_by_number_and_no_one_elses,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        add_member(&app, &g, "Ben").await;
        // Her user is granted by her number, as the treasurer reads it from the passbook.
        let (_, ana_user) = app
            .user_with(
                "ana",
                json!([{"role": "member", "group_id": g, "member_id": 1}]),
            )
            .await;
        let reply = get_as(&app, &ana_user, &format!("{}/1/statement", members(&g))).await;
        assert_status(&reply, StatusCode::OK);
        assert_eq!(reply.body["member"]["id"], json!(ana));
        for number in ["2", "9"] {
            let reply = get_as(&app, &ana_user, &format!("{}/{number}", members(&g))).await;
            assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
            assert_eq!(reply.body["detail"], "member not found", "{}", reply.body);
        }
    }
);

both_backends!(
    a_reversed_contribution_says_so_in_its_list_and_can_be_left_out,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let right = contributed(&app, &g, &contribution(&ana, "100")).await;
        let wrong = contributed(&app, &g, &contribution(&ana, "1000")).await;
        let tx = text(&wrong["transaction_id"]);
        let reply = app
            .post_with_key(
                &format!("/v1/groups/{g}/transactions/{tx}/reversal"),
                &fresh_key(),
                &json!({"description": "typed one zero too many"}),
            )
            .await;
        assert_status(&reply, StatusCode::CREATED);
        let reversal = id_of(&reply);

        let listed = app.get(&contributions(&g)).await;
        let items = listed.body["items"].as_array().expect("items").clone();
        assert_eq!(items.len(), 2, "{}", listed.body);
        let of = |id: &Value| {
            items
                .iter()
                .find(|i| i["id"] == *id)
                .expect("listed")
                .clone()
        };
        assert_eq!(of(&right["id"])["reversed_by"], Value::Null);
        assert_eq!(of(&wrong["id"])["reversed_by"], json!(reversal));
        let one = app
            .get(&format!("{}/{}", contributions(&g), text(&wrong["id"])))
            .await;
        assert_eq!(one.body["reversed_by"], json!(reversal));

        let standing = app
            .get(&format!("{}?include_reversed=false", contributions(&g)))
            .await;
        let items = standing.body["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{}", standing.body);
        assert_eq!(items[0]["id"], right["id"]);
        let reply = app
            .get(&format!("{}?include_reversed=maybe", contributions(&g)))
            .await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
        );
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "100.00");
    }
);

both_backends!(
    a_member_form_with_several_wrong_fields_hears_of_every_one,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let body = json!({"name": "  ", "sex": "female", "birth_year": 1850, "home_country": "Philippines",
                          "host_country": "HK", "joined_on": JOINED});
        let reply = app.post(&members(&g), &body).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        let pointers: Vec<&str> = reply.body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["pointer"].as_str().expect("pointer"))
            .collect();
        assert_eq!(
            pointers,
            ["/name", "/birth_year", "/home_country"],
            "{}",
            reply.body
        );
        let listed = app.get(&members(&g)).await;
        assert_eq!(listed.body["items"], json!([]));
    }
);

/// The pointers of a refusal's `errors` and the type each names (empty: the problem's own).
fn listed_fields(reply: &Reply) -> Vec<(String, String)> {
    reply.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors: {}", reply.body))
        .iter()
        .map(|e| {
            (
                text(&e["pointer"]),
                e["type"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

both_backends!(
    a_contribution_or_withdrawal_with_several_wrong_fields_hears_of_every_one,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        contributed(&app, &g, &contribution(&ana, "500")).await;
        let before = snapshot(&app, &g).await;
        // A zero amount, an unknown currency, a date far ahead and an overlong receipt number:
        // each named, the amount with the type it has on its own.
        let body = json!({"member_id": ana, "amount": "0.00", "currency": "HKX", "fund": "savings",
                          "channel": "cash", "booked_on": "2999-01-01", "receipt_no": "R".repeat(65)});
        let reply = contribute(&app, &g, &body).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(
            listed_fields(&reply),
            [
                ("/amount".into(), "/problems/non-positive-amount".into()),
                ("/currency".into(), String::new()),
                ("/booked_on".into(), String::new()),
                ("/receipt_no".into(), String::new()),
            ],
            "{}",
            reply.body
        );
        // Fields are named before the member is looked up: a number no member has waits.
        let body = json!({"member_id": 99, "amount": "12,50", "fund": "savings",
                          "channel": "cash", "booked_on": "1969-12-31"});
        let reply = contribute(&app, &g, &body).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(
            listed_fields(&reply),
            [
                ("/amount".into(), String::new()),
                ("/booked_on".into(), String::new())
            ]
        );
        let body = json!({"member_id": ana, "amount": "abc", "from": "savings",
                          "channel": "cash", "booked_on": "1900-01-01"});
        let reply = app
            .post_with_key(&withdrawals(&g), &fresh_key(), &body)
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(
            listed_fields(&reply),
            [
                ("/amount".into(), String::new()),
                ("/booked_on".into(), String::new())
            ]
        );
        // A withdrawal of zero, dated too far ahead.
        let body = json!({"member_id": ana, "amount": "0", "from": "savings",
                          "channel": "cash", "booked_on": "2999-01-01"});
        let reply = app
            .post_with_key(&withdrawals(&g), &fresh_key(), &body)
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(
            listed_fields(&reply),
            [
                ("/amount".into(), "/problems/non-positive-amount".into()),
                ("/booked_on".into(), String::new())
            ]
        );
        assert_eq!(snapshot(&app, &g).await, before);
        assert_eq!(app.balance(&g, &savings_of(&ana)).await, "500.00");
    }
);

both_backends!(
    a_correction_or_a_group_change_with_several_wrong_fields_hears_of_every_one,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let ana = add_member(&app, &g, "Ana").await;
        let member = format!("/v1/groups/{g}/members/{ana}");
        // An empty name, a country that is not a code, a date past the group's tomorrow and a
        // status date without a status: each named, and nothing corrected.
        let body = json!({"name": " ", "home_country": "Philippines", "joined_on": "2999-01-01",
                          "status_on": "2026-01-01", "reason": "typo at registration"});
        let reply = app
            .send(app.client.patch(app.url(&member)).json(&body))
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        let pointers: Vec<String> = listed_fields(&reply).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            pointers,
            ["/name", "/home_country", "/joined_on", "/status_on"],
            "{}",
            reply.body
        );
        let kept = app.get(&member).await;
        assert_eq!(kept.body["name"], "Ana");
        let corrections = app.get(&format!("{member}/corrections")).await;
        assert_eq!(corrections.body["items"], json!([]));

        // A group's time zone that does not exist and a status date without a status.
        let reply = app
            .send(
                app.client
                    .patch(app.url(&format!("/v1/groups/{g}")))
                    .json(&json!({"time_zone": "Asia/Nowhere", "status_on": "2026-01-01"})),
            )
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        let pointers: Vec<String> = listed_fields(&reply).into_iter().map(|(p, _)| p).collect();
        assert_eq!(pointers, ["/time_zone", "/status_on"], "{}", reply.body);
        let group = app.get(&format!("/v1/groups/{g}")).await;
        assert_eq!(group.body["time_zone"], "Asia/Hong_Kong");
    }
);
