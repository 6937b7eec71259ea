//! The story of a savings group's first half-year, told through the API: shared by the tests
//! of operations and of reports, which check its figures.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::app::{Reply, TestApp, assert_problem};

pub fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn created(reply: &Reply) -> &Value {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    &reply.body
}

pub fn ok(reply: &Reply) -> &Value {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    &reply.body
}

pub fn refused(reply: &Reply, slug: &str, pointer: &str) {
    assert_problem(reply, StatusCode::UNPROCESSABLE_ENTITY, slug);
    assert_eq!(reply.pointer(), pointer, "{}", reply.body);
}

pub fn s(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
}

pub async fn member(app: &TestApp, group: &str, name: &str, sex: &str) -> String {
    let body = json!({"name": name, "sex": sex, "home_country": "PH", "host_country": "HK",
                      "joined_on": "2026-01-10"});
    let reply = app
        .post(&format!("/v1/groups/{group}/members"), &body)
        .await;
    s(&created(&reply)["id"]).to_string()
}

pub async fn save(app: &TestApp, group: &str, member: &str, amount: &str, fund: &str, on: &str) {
    let body = json!({"member_id": member, "amount": amount, "fund": fund, "channel": "cash",
                      "booked_on": on});
    let reply = app
        .post_with_key(&format!("/v1/groups/{group}/contributions"), &key(), &body)
        .await;
    created(&reply);
}

pub async fn head(app: &TestApp, group: &str) -> i64 {
    let reply = app.get(&format!("/v1/groups/{group}")).await;
    ok(&reply)["head_sequence"].as_i64().expect("head_sequence")
}

pub async fn balance(app: &TestApp, group: &str, code: &str) -> String {
    app.balance(group, code).await
}

/// The five members of the story, in the order they joined (ids ascend in that order).
#[derive(Clone)]
pub struct Story {
    pub group: String,
    pub ana: String,
    pub bea: String,
    pub carla: String,
    pub dan: String,
    pub eli: String,
    pub coop: String,
}

pub async fn story(app: &TestApp) -> Story {
    // A new group starts with the standard chart in its currency.
    let reply = app
        .post(
            "/v1/groups",
            &json!({"name": "Sampaguita Savers", "currency": "HKD", "host_country": "HK", "home_country": "PH"}),
        )
        .await;
    let group = s(&created(&reply)["id"]).to_string();
    // The story's treasurer disburses, distributes and pays out at once.
    app.without_approvals(&group).await;
    let accounts = app.get(&format!("/v1/groups/{group}/accounts")).await;
    let chart: Vec<(String, String, bool)> = ok(&accounts)["items"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| {
            (
                s(&a["code"]).to_string(),
                s(&a["type"]).to_string(),
                a["no_overdraft"] == true,
            )
        })
        .collect();
    let expected: Vec<(String, String, bool)> = [
        ("assets:bank:HKD", "asset", true),
        ("assets:cash:HKD", "asset", true),
        ("assets:fx:HKD", "asset", false),
        ("equity:undistributed:HKD", "equity", false),
        ("expense:fees:HKD", "expense", false),
        ("expense:fx-loss:HKD", "expense", false),
        ("expense:impairment:HKD", "expense", false),
        ("income:fx-gain:HKD", "income", false),
        ("income:investments:HKD", "income", false),
        ("liabilities:social-fund:HKD", "liability", true),
    ]
    .iter()
    .map(|(c, t, n)| (c.to_string(), t.to_string(), *n))
    .collect();
    let mut sorted = chart.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    let ana = member(app, &group, "Ana", "female").await;
    let bea = member(app, &group, "Bea", "female").await;
    let carla = member(app, &group, "Carla", "female").await;
    let dan = member(app, &group, "Dan", "male").await;
    let eli = member(app, &group, "Eli", "undisclosed").await;

    // Three months of savings, in cash at the meetings.
    // Savings: Ana 1,500, Bea 900, Carla 600, Dan 1,000, Eli 300 (4,300); Dan's capital 250.
    for (on, amounts) in [
        (
            "2026-02-01",
            ["500.00", "300.00", "200.00", "400.00", "100.00"],
        ),
        (
            "2026-03-01",
            ["500.00", "300.00", "200.00", "400.00", "100.00"],
        ),
        (
            "2026-04-01",
            ["500.00", "300.00", "200.00", "200.00", "100.00"],
        ),
    ] {
        for (who, amount) in [&ana, &bea, &carla, &dan, &eli].into_iter().zip(amounts) {
            save(app, &group, who, amount, "savings", on).await;
        }
    }
    save(app, &group, &dan, "250.00", "capital", "2026-02-01").await;
    assert_eq!(balance(app, &group, "assets:cash:HKD").await, "4550.00");

    // Bea remits HKD 2,000 home at 7.00 (mid-market 7.20) for a fee of HKD 30: PHP 14,000, of
    // which PHP 3,500 is her group savings, credited in HKD at the remittance's own terms:
    // 3,500 × 2,000 / 14,000 = HKD 500.00.
    // Cost: FX margin = (7.20 − 7.00) / 7.20 × 2,000 = 55.56; total 85.56 = 4.28 % of 2,000.
    let remittance = json!({
        "member_id": bea, "send_amount": "2000.00", "send_currency": "HKD", "fee": "30.00",
        "receive_amount": "14000.00", "receive_currency": "PHP", "applied_rate": "7.00",
        "mid_market_rate": "7.20", "rate_source": "central bank reference",
        "provider": "Padala Express", "channel": "money_transfer_operator",
        "send_country": "HK", "receive_country": "PH",
        "uses": [{"purpose": "family_support", "amount": "10500.00"},
                 {"purpose": "group_savings", "amount": "3500.00"}],
        "booked_on": "2026-03-05"
    });
    let remittances = format!("/v1/groups/{group}/remittances");
    let remittance_key = key();
    let first = app
        .post_with_key(&remittances, &remittance_key, &remittance)
        .await;
    let r = created(&first).clone();
    assert_eq!(r["group_savings"], "3500.00");
    assert_eq!(r["credited_to_savings"], "500.00");
    assert_eq!(r["credited_currency"], "HKD");
    assert_eq!(r["cost"]["fx_margin"], "55.56");
    assert_eq!(r["cost"]["total"], "85.56");
    assert_eq!(r["cost"]["percent"], "4.28");
    assert_eq!(r["applied_rate"], "7");
    assert_eq!(r["applied_rate_derived"], false);
    // A retry on a weak connection gets the same answer and books nothing twice.
    let again = app
        .post_with_key(&remittances, &remittance_key, &remittance)
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, r);
    assert_eq!(
        balance(app, &group, &format!("liabilities:savings:{bea}")).await,
        "1400.00"
    );
    assert_eq!(
        balance(app, &group, "assets:home-bank:PHP").await,
        "3500.00"
    );

    // The group sends HKD 3,000 home at 7.00 for PHP 21,000, paying a fee of HKD 60: the cash
    // box gives 3,060. It arrives two days later less a PHP 50 bank charge (an FX loss).
    app.create_account(&group, "assets:in-transit:PHP", "asset", "PHP", true)
        .await;
    let transfers = format!("/v1/groups/{group}/transfers");
    let sent = app
        .post_with_key(
            &transfers,
            &key(),
            &json!({
                "from": "assets:cash:HKD", "to": "assets:in-transit:PHP", "amount": "3000.00",
                "receive_amount": "21000.00", "fee": "60.00", "mid_market_rate": "7.10",
                "booked_on": "2026-04-05"
            }),
        )
        .await;
    let sent = created(&sent);
    assert_eq!(sent["applied_rate"], "7");
    assert_eq!(sent["currency"], "HKD");
    assert_eq!(sent["receive_currency"], "PHP");
    let arrived = app
        .post_with_key(
            &transfers,
            &key(),
            &json!({
                "from": "assets:in-transit:PHP", "to": "assets:home-bank:PHP", "amount": "21000.00",
                "receive_amount": "20950.00", "booked_on": "2026-04-08"
            }),
        )
        .await;
    created(&arrived);
    assert_eq!(balance(app, &group, "assets:cash:HKD").await, "1490.00");
    assert_eq!(balance(app, &group, "assets:in-transit:PHP").await, "0.00");
    assert_eq!(
        balance(app, &group, "assets:home-bank:PHP").await,
        "24450.00"
    );
    assert_eq!(balance(app, &group, "expense:fees:HKD").await, "60.00");
    assert_eq!(balance(app, &group, "expense:fx-loss:PHP").await, "50.00");

    // A cooperative at home: PHP 20,000 disbursed of 30,000 committed, then two income
    // returns of PHP 1,200 and 1,300.
    let investments = format!("/v1/groups/{group}/investments");
    let coop = app
        .post_with_key(&investments, &key(), &json!({
            "name": "Bayanihan Farmers Cooperative", "kind": "cooperative", "sector": "agriculture",
            "country": "PH", "currency": "PHP", "partner": "Bayanihan MPC",
            "committed_amount": "30000.00", "women_led": true
        }))
        .await;
    let coop = s(&created(&coop)["id"]).to_string();
    let base = format!("{investments}/{coop}");
    created(
        &app.post_with_key(
            &format!("{base}/disbursements"),
            &key(),
            &json!({"amount": "20000.00", "booked_on": "2026-04-10"}),
        )
        .await,
    );
    for (amount, on) in [("1200.00", "2026-05-31"), ("1300.00", "2026-06-30")] {
        created(
            &app.post_with_key(
                &format!("{base}/returns"),
                &key(),
                &json!({"kind": "income", "amount": amount, "booked_on": on}),
            )
            .await,
        );
    }
    assert_eq!(
        balance(app, &group, "assets:home-bank:PHP").await,
        "6950.00"
    );

    // Closing the first half-year moves income (PHP 2,500) less the FX loss (PHP 50) into
    // equity:undistributed:PHP (2,450), and the HKD fees into equity:undistributed:HKD (−60).
    let close = app
        .post_with_key(
            &format!("/v1/groups/{group}/period-closes"),
            &key(),
            &json!({"through": "2026-06-30"}),
        )
        .await;
    let close = created(&close);
    assert!(close["closing_transaction_id"].is_string(), "{close}");
    assert_eq!(
        balance(app, &group, "equity:undistributed:PHP").await,
        "2450.00"
    );
    assert_eq!(
        balance(app, &group, "equity:undistributed:HKD").await,
        "-60.00"
    );
    assert_eq!(balance(app, &group, "income:investments:PHP").await, "0.00");
    assert_eq!(balance(app, &group, "expense:fx-loss:PHP").await, "0.00");
    assert_eq!(balance(app, &group, "expense:fees:HKD").await, "0.00");

    Story {
        group,
        ana,
        bea,
        carla,
        dan,
        eli,
        coop,
    }
}
