//! The task force's reports across groups, on both backends: two savings groups (Hong Kong and
//! Singapore, both of Filipino workers) with members of different sexes and ages, savings and
//! capital, remittances with and without a mid-market rate (one corrected by a reversal),
//! investments with income, returned capital and a write-down (one income reversed), a
//! distribution, and a member who returns home keeping her capital invested. Every figure is
//! checked against values worked out by hand in the comments; CSV and JSON must hold the same
//! rows; filters narrow; small cells are suppressed; only auditors and administrators get in.

use crate::support;

use msai_ledger::app::AppConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{Backend, Reply, TestApp, assert_problem, spawn_with};

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn created(reply: &Reply) -> &Value {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    &reply.body
}

fn ok(reply: &Reply) -> &Value {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    &reply.body
}

fn s(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
        .to_string()
}

async fn group(app: &TestApp, name: &str, currency: &str, host: &str) -> String {
    let body =
        json!({"name": name, "currency": currency, "host_country": host, "home_country": "PH"});
    let group = s(&created(&app.post("/v1/groups", &body).await)["id"]);
    // The network's groups disburse, distribute and pay out at once.
    app.without_approvals(&group).await;
    group
}

async fn member(app: &TestApp, group: &str, name: &str, sex: &str, born: Option<i32>) -> String {
    let host = if app.get(&format!("/v1/groups/{group}")).await.body["host_country"] == "SG" {
        "SG"
    } else {
        "HK"
    };
    let body = json!({"name": name, "sex": sex, "birth_year": born, "home_country": "PH",
                      "host_country": host, "joined_on": "2026-01-10"});
    let reply = app
        .post(&format!("/v1/groups/{group}/members"), &body)
        .await;
    s(&created(&reply)["id"])
}

async fn save(app: &TestApp, group: &str, member: &str, amount: &str, fund: &str) {
    let body = json!({"member_id": member, "amount": amount, "fund": fund, "channel": "cash",
                      "booked_on": "2026-02-01"});
    created(
        &app.post_with_key(&format!("/v1/groups/{group}/contributions"), &key(), &body)
            .await,
    );
}

#[allow(clippy::too_many_arguments)]
fn remittance(
    member: &str,
    on: &str,
    send: (&str, &str),
    fee: &str,
    receive: (&str, &str),
    applied: Option<&str>,
    mid: Option<&str>,
    from: &str,
    uses: Value,
) -> Value {
    let mut body = json!({
        "member_id": member, "send_amount": send.0, "send_currency": send.1, "fee": fee,
        "receive_amount": receive.0, "receive_currency": receive.1,
        "provider": "Padala Express", "channel": "money_transfer_operator",
        "send_country": from, "receive_country": "PH", "uses": uses, "booked_on": on
    });
    if let Some(rate) = applied {
        body["applied_rate"] = json!(rate);
    }
    if let Some(rate) = mid {
        body["mid_market_rate"] = json!(rate);
    }
    body
}

async fn remit(app: &TestApp, group: &str, body: &Value) -> Value {
    created(
        &app.post_with_key(&format!("/v1/groups/{group}/remittances"), &key(), body)
            .await,
    )
    .clone()
}

async fn reverse(app: &TestApp, group: &str, transaction: &str, on: &str) {
    created(
        &app.post_with_key(
            &format!("/v1/groups/{group}/transactions/{transaction}/reversal"),
            &key(),
            &json!({"booked_on": on}),
        )
        .await,
    );
}

async fn invest(app: &TestApp, group: &str, body: Value) -> String {
    let reply = app
        .post_with_key(&format!("/v1/groups/{group}/investments"), &key(), &body)
        .await;
    s(&created(&reply)["id"])
}

async fn event(app: &TestApp, group: &str, investment: &str, what: &str, body: Value) -> Value {
    let path = format!("/v1/groups/{group}/investments/{investment}/{what}");
    created(&app.post_with_key(&path, &key(), &body).await).clone()
}

/// The network the reports read.
struct Network {
    hk: String,
    sg: String,
    ana: String,
}

async fn network(app: &TestApp) -> Network {
    // Sampaguita Savers in Hong Kong (HKD). Ages are those reached in 2026.
    let hk = group(app, "Sampaguita Savers", "HKD", "HK").await;
    let ana = member(app, &hk, "Ana", "female", Some(1990)).await; // 36: 35–44
    let bea = member(app, &hk, "Bea", "female", Some(1992)).await; // 34: 25–34
    let carla = member(app, &hk, "Carla", "female", Some(1995)).await; // 31: 25–34
    let dina = member(app, &hk, "Dina", "female", Some(1993)).await; // 33: 25–34
    let dan = member(app, &hk, "Dan", "male", Some(1980)).await; // 46: 45–54
    let eli = member(app, &hk, "Eli", "undisclosed", None).await; // unknown
    // Savings on 1 February: Ana 1,000, Bea 500, Carla 400, Dina 300, Dan 800, Eli 200
    // (3,200); capital: Ana 300, Dan 200 (500). The cash box holds 3,700.
    for (who, amount) in [
        (&ana, "1000.00"),
        (&bea, "500.00"),
        (&carla, "400.00"),
        (&dina, "300.00"),
        (&dan, "800.00"),
        (&eli, "200.00"),
    ] {
        save(app, &hk, who, amount, "savings").await;
    }
    save(app, &hk, &ana, "300.00", "capital").await;
    save(app, &hk, &dan, "200.00", "capital").await;

    // Kabayan Savers in Singapore (SGD): Ed (28) and Fred (29), both 25–34. Savings 600 and
    // 400.
    let sg = group(app, "Kabayan Savers", "SGD", "SG").await;
    let ed = member(app, &sg, "Ed", "male", Some(1998)).await;
    let fred = member(app, &sg, "Fred", "male", Some(1997)).await;
    save(app, &sg, &ed, "600.00", "savings").await;
    save(app, &sg, &fred, "400.00", "savings").await;

    // Remittances.
    // R1 Bea, 5 March: HKD 2,000 at 7.00 (mid 7.20), fee 30 → PHP 14,000; 10,500 family
    // support, 3,500 group savings (HKD 500 to her savings). Margin 0.20/7.20 × 2,000 = 55.56;
    // cost 85.56 = 4.28 %.
    remit(
        app,
        &hk,
        &remittance(
            &bea,
            "2026-03-05",
            ("2000.00", "HKD"),
            "30.00",
            ("14000.00", "PHP"),
            Some("7.00"),
            Some("7.20"),
            "HK",
            json!([{"purpose": "family_support", "amount": "10500.00"},
                   {"purpose": "group_savings", "amount": "3500.00"}]),
        ),
    )
    .await;
    // R2 Carla, 20 March: HKD 1,000 → PHP 7,000 for education, fee 25, no mid-market rate:
    // cost 25 = 2.50 %.
    remit(
        app,
        &hk,
        &remittance(
            &carla,
            "2026-03-20",
            ("1000.00", "HKD"),
            "25.00",
            ("7000.00", "PHP"),
            None,
            None,
            "HK",
            json!([{"purpose": "education", "amount": "7000.00"}]),
        ),
    )
    .await;
    // R3 Dan, 2 April: HKD 1,000 at 7.05 (mid 7.10), fee 20 → PHP 7,050 family support.
    // Margin 0.05/7.10 × 1,000 = 7.042 → 7.04; cost 27.04 = 2.70 %.
    remit(
        app,
        &hk,
        &remittance(
            &dan,
            "2026-04-02",
            ("1000.00", "HKD"),
            "20.00",
            ("7050.00", "PHP"),
            Some("7.05"),
            Some("7.10"),
            "HK",
            json!([{"purpose": "family_support", "amount": "7050.00"}]),
        ),
    )
    .await;
    // R5 Ana, 25 March: HKD 100 → PHP 700 of group savings, reversed the same day: it counts
    // nowhere.
    let wrong = remit(
        app,
        &hk,
        &remittance(
            &ana,
            "2026-03-25",
            ("100.00", "HKD"),
            "10.00",
            ("700.00", "PHP"),
            None,
            Some("7.10"),
            "HK",
            json!([{"purpose": "group_savings", "amount": "700.00"}]),
        ),
    )
    .await;
    reverse(app, &hk, &s(&wrong["transaction_id"]), "2026-03-25").await;
    // R4 Ed, 10 March: SGD 500 at 42 (mid 42.50), fee 5 → PHP 21,000 family support.
    // Margin 0.50/42.50 × 500 = 5.88; cost 10.88 = 2.18 %.
    remit(
        app,
        &sg,
        &remittance(
            &ed,
            "2026-03-10",
            ("500.00", "SGD"),
            "5.00",
            ("21000.00", "PHP"),
            Some("42"),
            Some("42.50"),
            "SG",
            json!([{"purpose": "family_support", "amount": "21000.00"}]),
        ),
    )
    .await;

    // Investments, paid from and into the cash box.
    // Coop (cooperative, agriculture, PH, HKD, committed 2,000): 1,500 out; income 120, and
    // an income of 80 reversed. Figures: disbursed 1,500, income 120, book 1,500; net 120.
    let coop = invest(app, &hk, json!({"name": "Farmers Cooperative", "kind": "cooperative",
        "sector": "agriculture", "country": "PH", "currency": "HKD", "committed_amount": "2000.00"}))
    .await;
    let cash = "assets:cash:HKD";
    event(
        app,
        &hk,
        &coop,
        "disbursements",
        json!({"amount": "1500.00", "account": cash, "booked_on": "2026-04-10"}),
    )
    .await;
    event(
        app,
        &hk,
        &coop,
        "returns",
        json!({"kind": "income", "amount": "120.00", "account": cash, "booked_on": "2026-05-31"}),
    )
    .await;
    let late = event(
        app,
        &hk,
        &coop,
        "returns",
        json!({"kind": "income", "amount": "80.00", "account": cash, "booked_on": "2026-06-15"}),
    )
    .await;
    reverse(app, &hk, &s(&late["transaction_id"]), "2026-06-15").await;
    // Store (enterprise, retail, PH, HKD, nothing committed): 600 out, 100 capital back, 200
    // written down. Book 300; net 100 + 300 − 600 = −200.
    let store = invest(
        app,
        &hk,
        json!({"name": "Sari-sari Store", "kind": "enterprise",
        "sector": "retail", "country": "PH", "currency": "HKD"}),
    )
    .await;
    event(
        app,
        &hk,
        &store,
        "disbursements",
        json!({"amount": "600.00", "account": cash, "booked_on": "2026-04-12"}),
    )
    .await;
    event(app, &hk, &store, "returns", json!({"kind": "capital_returned", "amount": "100.00", "account": cash, "booked_on": "2026-06-01"})).await;
    event(
        app,
        &hk,
        &store,
        "write-downs",
        json!({"amount": "200.00", "booked_on": "2026-06-20"}),
    )
    .await;
    // Tricycle (livelihood, transport, PH, SGD, committed 500): 400 out, income 50.
    let trike = invest(
        app,
        &sg,
        json!({"name": "Tricycle", "kind": "livelihood",
        "sector": "transport", "country": "PH", "currency": "SGD", "committed_amount": "500.00"}),
    )
    .await;
    let sg_cash = "assets:cash:SGD";
    event(
        app,
        &sg,
        &trike,
        "disbursements",
        json!({"amount": "400.00", "account": sg_cash, "booked_on": "2026-04-15"}),
    )
    .await;
    event(
        app,
        &sg,
        &trike,
        "returns",
        json!({"kind": "income", "amount": "50.00", "account": sg_cash, "booked_on": "2026-05-15"}),
    )
    .await;

    // The coop's HKD 120 income shared by savings on 30 June into savings. Weights (cents):
    // Ana 100,000, Bea 100,000, Carla 40,000, Dina 30,000, Dan 80,000, Eli 20,000 (370,000).
    // Floors: 3,243, 3,243, 1,297, 972, 2,594, 648 (11,997); the 3 left go to Dina (.97),
    // Eli (.65), Dan (.59): Ana 32.43, Bea 32.43, Carla 12.97, Dina 9.73, Dan 25.95, Eli 6.49.
    let shared = app
        .post_with_key(
            &format!("/v1/groups/{hk}/distributions"),
            &key(),
            &json!({"pool": "120.00", "investment_id": coop, "basis": "savings",
                    "as_of": "2026-06-30", "pay_to": "savings", "booked_on": "2026-07-01"}),
        )
        .await;
    assert_eq!(created(&shared)["shares_total"], "120.00");

    // Ana returns home on 15 July: her savings (1,032.43) are paid from the cash box, her
    // capital (300) stays invested.
    let exit = app
        .post_with_key(
            &format!("/v1/groups/{hk}/members/{ana}/exit"),
            &key(),
            &json!({"status": "returned_home", "on": "2026-07-15", "channel": "cash",
                    "keep_capital": true}),
        )
        .await;
    created(&exit);
    Network { hk, sg, ana }
}

/// The reply's CSV as rows of cells, the header first.
fn csv_rows(reply: &Reply) -> Vec<Vec<String>> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(
        reply.content_type().starts_with("text/csv"),
        "{}",
        reply.content_type()
    );
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(reply.text.as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(String::from).collect())
        .collect()
}

/// A JSON value as a CSV cell: strings as they are, numbers and booleans as text, null empty.
fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reads `path` as JSON and as CSV, and checks the CSV holds exactly `rows(json)`.
async fn json_and_csv(
    app: &TestApp,
    path: &str,
    columns: &[&str],
    rows: impl Fn(&Value) -> Vec<Vec<String>>,
) -> Value {
    let json = ok(&app.get(path).await).clone();
    let separator = if path.contains('?') { '&' } else { '?' };
    let by_parameter = app.get(&format!("{path}{separator}format=csv")).await;
    let by_header = app
        .send(app.client.get(app.url(path)).header("Accept", "text/csv"))
        .await;
    let mut expected = vec![columns.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    expected.extend(rows(&json));
    assert_eq!(csv_rows(&by_parameter), expected, "{path}");
    assert_eq!(csv_rows(&by_header), expected, "{path}");
    json
}

fn savings_rows(json: &Value) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let money = |b: Option<&Value>| match b {
        Some(b) => vec![
            text(&b["currency"]),
            text(&b["savings"]),
            text(&b["capital"]),
        ],
        None => vec![String::new(); 3],
    };
    let counts = |m: &Value| {
        vec![
            text(&m["active"]),
            text(&m["returned_home"]),
            text(&m["exited"]),
        ]
    };
    for g in json["groups"].as_array().unwrap() {
        let balances: Vec<Option<&Value>> = match g["balances"].as_array().unwrap() {
            b if b.is_empty() => vec![None],
            b => b.iter().map(Some).collect(),
        };
        for b in balances {
            let mut row = vec!["group".to_string()];
            for f in ["group_id", "name", "host_country", "home_country", "status"] {
                row.push(text(&g[f]));
            }
            row.extend(counts(&g["members"]));
            row.extend(money(b));
            rows.push(row);
        }
    }
    let totals: Vec<Option<&Value>> = match json["totals"].as_array().unwrap() {
        t if t.is_empty() => vec![None],
        t => t.iter().map(Some).collect(),
    };
    for t in totals {
        let mut row = vec!["total".to_string()];
        row.extend(vec![String::new(); 5]);
        row.extend(counts(&json["members"]));
        row.extend(money(t));
        rows.push(row);
    }
    rows
}

const SAVINGS_COLUMNS: [&str; 12] = [
    "row",
    "group_id",
    "name",
    "host_country",
    "home_country",
    "status",
    "members_active",
    "members_returned_home",
    "members_exited",
    "currency",
    "savings",
    "capital",
];

/// The CSV of a converted savings report: the per-currency rows with an empty `rate`, then the
/// rates, each group and the total in the target currency.
fn converted_savings_rows(json: &Value) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = savings_rows(json)
        .into_iter()
        .map(|mut row| {
            row.push(String::new());
            row
        })
        .collect();
    let converted = &json["converted"];
    for r in converted["rates"].as_array().unwrap() {
        let mut row = vec!["caller_rate".to_string()];
        row.extend(vec![String::new(); 8]);
        row.extend([text(&r["currency"]), String::new(), String::new()]);
        row.push(text(&r["rate"]));
        rows.push(row);
    }
    let figures = |f: &Value| {
        vec![
            text(&f["currency"]),
            text(&f["savings"]),
            text(&f["capital"]),
            String::new(),
        ]
    };
    let groups = json["groups"].as_array().unwrap();
    for (g, f) in groups.iter().zip(converted["groups"].as_array().unwrap()) {
        assert_eq!(g["group_id"], f["group_id"]);
        let mut row = vec!["converted_group".to_string()];
        for field in ["group_id", "name", "host_country", "home_country", "status"] {
            row.push(text(&g[field]));
        }
        for field in ["active", "returned_home", "exited"] {
            row.push(text(&g["members"][field]));
        }
        row.extend(figures(f));
        rows.push(row);
    }
    let mut row = vec!["converted_total".to_string()];
    row.extend(vec![String::new(); 5]);
    for field in ["active", "returned_home", "exited"] {
        row.push(text(&json["members"][field]));
    }
    row.extend(figures(&converted["totals"]));
    rows.push(row);
    rows
}

const PORTFOLIO_FIELDS: [&str; 11] = [
    "key",
    "currency",
    "count",
    "committed",
    "disbursed",
    "book_value",
    "income",
    "capital_returned",
    "written_down",
    "net_return",
    "roi_percent",
];

fn portfolio_rows(json: &Value) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (breakdown, field) in [
        ("kind", "by_kind"),
        ("sector", "by_sector"),
        ("country", "by_country"),
        ("status", "by_status"),
    ] {
        for line in json[field].as_array().unwrap() {
            let mut row = vec![breakdown.to_string()];
            row.extend(PORTFOLIO_FIELDS.iter().map(|f| text(&line[f])));
            row.push("false".to_string());
            rows.push(row);
        }
    }
    // The women-led lines, whose figures are left empty where they are suppressed.
    for line in json["by_women_led"].as_array().unwrap() {
        let mut row = vec!["women_led".to_string()];
        row.extend(PORTFOLIO_FIELDS.iter().map(|f| text(&line[f])));
        row.push(line["suppressed"].to_string());
        rows.push(row);
    }
    rows
}

fn portfolio_columns() -> Vec<&'static str> {
    let mut columns = with_prefix("breakdown", PORTFOLIO_FIELDS);
    columns.push("suppressed");
    columns
}

const CORRIDOR_FIELDS: [&str; 17] = [
    "send_country",
    "receive_country",
    "month",
    "channel",
    "send_currency",
    "receive_currency",
    "suppressed",
    "count",
    "sent",
    "received",
    "fees",
    "fx_margin",
    "with_mid_market_rate",
    "average_cost_percent",
    "median_cost_percent",
    "lower_quartile_cost_percent",
    "upper_quartile_cost_percent",
];

const PURPOSES: [&str; 7] = [
    "family_support",
    "education",
    "health",
    "group_savings",
    "investment",
    "debt",
    "other",
];

fn corridor_columns() -> Vec<String> {
    let mut columns: Vec<String> = CORRIDOR_FIELDS.iter().map(|c| c.to_string()).collect();
    columns.extend(PURPOSES.iter().map(|p| format!("use_{p}")));
    columns
}

fn corridor_rows(json: &Value) -> Vec<Vec<String>> {
    json["corridors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut row: Vec<String> = CORRIDOR_FIELDS.iter().map(|f| text(&c[f])).collect();
            row.extend(PURPOSES.iter().map(|p| text(&c["uses"][p])));
            row
        })
        .collect()
}

const CELL_FIELDS: [&str; 12] = [
    "sex",
    "age_band",
    "host_country",
    "home_country",
    "currency",
    "suppressed",
    "members",
    "savings",
    "capital",
    "distributions_received",
    "remittances_sent",
    "remittances_amount",
];

fn indicator_rows(json: &Value) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (kind, field) in [("cell", "cells"), ("sex_total", "totals_by_sex")] {
        for c in json[field].as_array().unwrap() {
            let mut row = vec![kind.to_string()];
            row.extend(CELL_FIELDS.iter().map(|f| text(&c[f])));
            rows.push(row);
        }
    }
    rows
}

const STAKE_COLUMNS: [&str; 11] = [
    "group_id",
    "group_name",
    "member_id",
    "sex",
    "home_country",
    "returned_on",
    "currency",
    "savings_at_return",
    "capital_at_return",
    "paid_out",
    "capital_invested_now",
];

fn reintegration_rows(json: &Value) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for m in json["members"].as_array().unwrap() {
        for stake in m["stakes"].as_array().unwrap() {
            let mut row: Vec<String> = STAKE_COLUMNS[..6].iter().map(|f| text(&m[f])).collect();
            row.extend(STAKE_COLUMNS[6..].iter().map(|f| text(&stake[f])));
            rows.push(row);
        }
    }
    rows
}

fn with_prefix<'a, const N: usize>(first: &'a str, rest: [&'a str; N]) -> Vec<&'a str> {
    let mut columns = vec![first];
    columns.extend(rest);
    columns
}

both_backends!(
    the_savings_mobilised_add_up_per_group_and_currency,
    |app| async move {
        let Network { hk, sg, .. } = network(&app).await;
        let report =
            json_and_csv(&app, "/v1/reports/savings", &SAVINGS_COLUMNS, savings_rows).await;
        assert_eq!(report["as_of"], Value::Null);
        // Today: Ana is home and paid out; the others hold their savings plus their shares:
        // Bea 1,000 + 32.43, Carla 400 + 12.97, Dina 300 + 9.73, Dan 800 + 25.95, Eli 200 + 6.49
        // = 2,787.57. Capital: Ana 300 (kept invested) + Dan 200.
        assert_eq!(
            report["groups"],
            json!([
                {"group_id": hk, "name": "Sampaguita Savers", "host_country": "HK", "home_country": "PH",
                 "status": "provisional", "members": {"active": 5, "returned_home": 1, "exited": 0},
                 "balances": [{"currency": "HKD", "savings": "2787.57", "capital": "500.00"}]},
                {"group_id": sg, "name": "Kabayan Savers", "host_country": "SG", "home_country": "PH",
                 "status": "provisional", "members": {"active": 2, "returned_home": 0, "exited": 0},
                 "balances": [{"currency": "SGD", "savings": "1000.00", "capital": "0.00"}]},
            ])
        );
        assert_eq!(
            report["members"],
            json!({"active": 7, "returned_home": 1, "exited": 0})
        );
        assert_eq!(
            report["totals"],
            json!([{"currency": "HKD", "savings": "2787.57", "capital": "500.00"},
               {"currency": "SGD", "savings": "1000.00", "capital": "0.00"}])
        );

        // On 28 February only the first contributions were booked, and Ana was still active.
        let then = json_and_csv(
            &app,
            "/v1/reports/savings?as_of=2026-02-28",
            &SAVINGS_COLUMNS,
            savings_rows,
        )
        .await;
        assert_eq!(then["as_of"], "2026-02-28");
        assert_eq!(
            then["groups"][0]["members"],
            json!({"active": 6, "returned_home": 0, "exited": 0})
        );
        assert_eq!(
            then["totals"],
            json!([{"currency": "HKD", "savings": "3200.00", "capital": "500.00"},
               {"currency": "SGD", "savings": "1000.00", "capital": "0.00"}])
        );
        // Before anyone joined, the groups are there with no one in them.
        let before = json_and_csv(
            &app,
            "/v1/reports/savings?as_of=2026-01-01",
            &SAVINGS_COLUMNS,
            savings_rows,
        )
        .await;
        assert_eq!(before["groups"][0]["balances"], json!([]));
        assert_eq!(before["totals"], json!([]));
        // After everything booked, the balances are today's.
        let later = ok(&app.get("/v1/reports/savings?as_of=2030-12-31").await).clone();
        assert_eq!(later["totals"], report["totals"]);
        assert_eq!(later["groups"], report["groups"]);
        // Filters and a date together.
        let hong_kong_then = ok(&app
            .get("/v1/reports/savings?host_country=HK&home_country=PH&as_of=2026-02-28")
            .await)
        .clone();
        assert_eq!(
            hong_kong_then["totals"],
            json!([{"currency": "HKD", "savings": "3200.00", "capital": "500.00"}])
        );
        for query in [
            "host_country=HK&as_of=2026-02-28".to_string(),
            format!("group_id={hk}&as_of=2026-02-28"),
        ] {
            let then = ok(&app.get(&format!("/v1/reports/savings?{query}")).await).clone();
            assert_eq!(
                then["totals"],
                json!([{"currency": "HKD", "savings": "3200.00", "capital": "500.00"}]),
                "{query}"
            );
        }

        // Filters.
        let singapore = json_and_csv(
            &app,
            "/v1/reports/savings?host_country=SG",
            &SAVINGS_COLUMNS,
            savings_rows,
        )
        .await;
        let ids: Vec<String> = singapore["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| s(&g["group_id"]))
            .collect();
        assert_eq!(ids, vec![sg.clone()]);
        assert_eq!(
            singapore["totals"],
            json!([{"currency": "SGD", "savings": "1000.00", "capital": "0.00"}])
        );
        let philippines = ok(&app.get("/v1/reports/savings?home_country=PH").await).clone();
        assert_eq!(philippines["groups"].as_array().unwrap().len(), 2);
        let none = ok(&app
            .get("/v1/reports/savings?home_country=ID&host_country=HK")
            .await)
        .clone();
        assert_eq!(none["groups"], json!([]));
        assert_eq!(
            none["members"],
            json!({"active": 0, "returned_home": 0, "exited": 0})
        );
    }
);

both_backends!(
    the_portfolio_counts_what_each_investment_page_counts,
    |app| async move {
        let Network { hk, .. } = network(&app).await;
        let columns = portfolio_columns();
        let report = json_and_csv(&app, "/v1/reports/portfolio", &columns, portfolio_rows).await;
        let coop = json!({"currency": "HKD", "count": 1, "committed": "2000.00", "disbursed": "1500.00",
        "book_value": "1500.00", "income": "120.00", "capital_returned": "0.00",
        "written_down": "0.00", "net_return": "120.00", "roi_percent": "8.00"});
        // Store: −200 / 600 = −33.33 %.
        let store = json!({"currency": "HKD", "count": 1, "committed": "0.00", "disbursed": "600.00",
        "book_value": "300.00", "income": "0.00", "capital_returned": "100.00",
        "written_down": "200.00", "net_return": "-200.00", "roi_percent": "-33.33"});
        let trike = json!({"currency": "SGD", "count": 1, "committed": "500.00", "disbursed": "400.00",
        "book_value": "400.00", "income": "50.00", "capital_returned": "0.00",
        "written_down": "0.00", "net_return": "50.00", "roi_percent": "12.50"});
        let keyed = |key: &str, line: &Value| {
            let mut line = line.clone();
            line["key"] = json!(key);
            line
        };
        assert_eq!(
            report["by_kind"],
            json!([
                keyed("cooperative", &coop),
                keyed("enterprise", &store),
                keyed("livelihood", &trike)
            ])
        );
        assert_eq!(
            report["by_sector"],
            json!([
                keyed("agriculture", &coop),
                keyed("retail", &store),
                keyed("transport", &trike)
            ])
        );
        // Philippines, HKD: both Hong Kong investments. Net 120 − 200 = −80 on 2,100 disbursed:
        // −3.81 %.
        let both = json!({"key": "PH", "currency": "HKD", "count": 2, "committed": "2000.00",
        "disbursed": "2100.00", "book_value": "1800.00", "income": "120.00",
        "capital_returned": "100.00", "written_down": "200.00", "net_return": "-80.00",
        "roi_percent": "-3.81"});
        assert_eq!(report["by_country"], json!([both, keyed("PH", &trike)]));

        let hong_kong = json_and_csv(
            &app,
            "/v1/reports/portfolio?host_country=HK",
            &columns,
            portfolio_rows,
        )
        .await;
        assert_eq!(hong_kong["by_country"], json!([both]));
        let none = ok(&app.get("/v1/reports/portfolio?home_country=NP").await).clone();
        assert_eq!(
            none,
            json!({"suppression_min": 3, "by_kind": [], "by_sector": [], "by_country": [],
                   "by_status": [], "by_women_led": []})
        );

        // By status: all three active, one line per currency; in HKD the same two
        // investments as the Philippines line.
        assert_eq!(
            report["by_status"],
            json!([keyed("active", &both), keyed("active", &trike)])
        );
        // Written off on 30 June, the store leaves the active line for its own: the 300 left on
        // its books written down too (500 in all), nothing left.
        let list = ok(&app.get(&format!("/v1/groups/{hk}/investments")).await).clone();
        let id = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == "Sari-sari Store")
            .map(|i| s(&i["id"]))
            .unwrap();
        let url = app.url(&format!("/v1/groups/{hk}/investments/{id}"));
        let off = json!({"status": "written_off", "status_on": "2026-06-30"});
        ok(&app.send(app.client.patch(url).json(&off)).await);
        let after = json_and_csv(&app, "/v1/reports/portfolio", &columns, portfolio_rows).await;
        let written_off = json!({"key": "written_off", "currency": "HKD", "count": 1,
        "committed": "0.00", "disbursed": "600.00", "book_value": "0.00", "income": "0.00",
        "capital_returned": "100.00", "written_down": "500.00", "net_return": "-500.00",
        "roi_percent": "-83.33"});
        assert_eq!(
            after["by_status"],
            json!([keyed("active", &coop), keyed("active", &trike), written_off])
        );
    }
);

// Each line here has one or two senders: shown at a threshold of 1 (suppression below).
both_backends_with!(
    remittance_corridors_follow_the_world_bank_method,
    AppConfig {
        suppression_min: 1,
        ..AppConfig::default()
    },
    |app| async move {
        let Network { hk, .. } = network(&app).await;
        let columns = corridor_columns();
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        let report = json_and_csv(
            &app,
            "/v1/reports/remittance-corridors",
            &columns,
            corridor_rows,
        )
        .await;
        let uses = |family: &str, education: &str, savings: &str| {
            json!({"family_support": family, "education": education, "health": "0.00",
               "group_savings": savings, "investment": "0.00", "debt": "0.00", "other": "0.00"})
        };
        // March, HK → PH: R1 and R2 (Ana's reversed R5 is not counted). Sent 3,000, received
        // 21,000, fees 55; margin 55.56 from the one with a mid-market rate. Costs 4.28 % and
        // 2.50 %: mean and median 3.39 %, quartiles 2.50 % and 4.28 %.
        let march = json!({"send_country": "HK", "receive_country": "PH", "month": "2026-03", "channel": null,
        "send_currency": "HKD", "receive_currency": "PHP", "suppressed": false, "count": 2, "sent": "3000.00",
        "received": "21000.00", "fees": "55.00", "fx_margin": "55.56", "with_mid_market_rate": 1,
        "average_cost_percent": "3.39", "median_cost_percent": "3.39",
        "lower_quartile_cost_percent": "2.50", "upper_quartile_cost_percent": "4.28",
        "uses": uses("10500.00", "7000.00", "3500.00")});
        let april = json!({"send_country": "HK", "receive_country": "PH", "month": "2026-04", "channel": null,
        "send_currency": "HKD", "receive_currency": "PHP", "suppressed": false, "count": 1, "sent": "1000.00",
        "received": "7050.00", "fees": "20.00", "fx_margin": "7.04", "with_mid_market_rate": 1,
        "average_cost_percent": "2.70", "median_cost_percent": "2.70",
        "lower_quartile_cost_percent": "2.70", "upper_quartile_cost_percent": "2.70",
        "uses": uses("7050.00", "0.00", "0.00")});
        let singapore = json!({"send_country": "SG", "receive_country": "PH", "month": "2026-03", "channel": null,
        "send_currency": "SGD", "receive_currency": "PHP", "suppressed": false, "count": 1, "sent": "500.00",
        "received": "21000.00", "fees": "5.00", "fx_margin": "5.88", "with_mid_market_rate": 1,
        "average_cost_percent": "2.18", "median_cost_percent": "2.18",
        "lower_quartile_cost_percent": "2.18", "upper_quartile_cost_percent": "2.18",
        "uses": uses("21000.00", "0.00", "0.00")});
        assert_eq!(report["corridors"], json!([march, april, singapore]));
        assert_eq!(report["from"], Value::Null);

        let from_april = json_and_csv(
            &app,
            "/v1/reports/remittance-corridors?from=2026-04-01",
            &columns,
            corridor_rows,
        )
        .await;
        assert_eq!(from_april["from"], "2026-04-01");
        assert_eq!(from_april["corridors"], json!([april]));
        let to_march = ok(&app
            .get("/v1/reports/remittance-corridors?to=2026-03-31&host_country=SG")
            .await)
        .clone();
        assert_eq!(to_march["corridors"], json!([singapore]));
        let hong_kong = ok(&app
            .get("/v1/reports/remittance-corridors?host_country=HK&home_country=PH")
            .await)
        .clone();
        assert_eq!(hong_kong["corridors"], json!([march, april]));
        // Cut by channel. Fe sends HKD 500 through her bank on 25 March, fee 40 → PHP 3,500:
        // cost 40 = 8.00 %. March then has two lines, the bank's and the operator's (R1, R2).
        let fe = member(&app, &hk, "Fe", "female", Some(1991)).await;
        let mut by_bank = remittance(
            &fe,
            "2026-03-25",
            ("500.00", "HKD"),
            "40.00",
            ("3500.00", "PHP"),
            None,
            None,
            "HK",
            json!([{"purpose": "family_support", "amount": "3500.00"}]),
        );
        by_bank["channel"] = json!("bank");
        remit(&app, &hk, &by_bank).await;
        let cut = json_and_csv(
            &app,
            "/v1/reports/remittance-corridors?by=channel&host_country=HK&to=2026-03-31",
            &columns,
            corridor_rows,
        )
        .await;
        let bank = json!({"send_country": "HK", "receive_country": "PH", "month": "2026-03",
        "channel": "bank", "send_currency": "HKD", "receive_currency": "PHP", "suppressed": false,
        "count": 1, "sent": "500.00", "received": "3500.00", "fees": "40.00", "fx_margin": null,
        "with_mid_market_rate": 0, "average_cost_percent": "8.00", "median_cost_percent": "8.00",
        "lower_quartile_cost_percent": "8.00", "upper_quartile_cost_percent": "8.00",
        "uses": uses("3500.00", "0.00", "0.00")});
        let mut operator = march.clone();
        operator["channel"] = json!("money_transfer_operator");
        assert_eq!(cut["corridors"], json!([bank, operator]));
        // Uncut, March holds all three: costs 2.50, 4.28 and 8.00 %, median 4.28 %, quartiles
        // 2.50 % and 8.00 % (the middle one in neither half).
        let whole = ok(&app
            .get("/v1/reports/remittance-corridors?host_country=HK&to=2026-03-31")
            .await)
        .clone();
        let line = &whole["corridors"][0];
        assert_eq!(
            [
                &line["channel"],
                &line["count"],
                &line["median_cost_percent"],
                &line["lower_quartile_cost_percent"],
                &line["upper_quartile_cost_percent"]
            ],
            [
                &json!(null),
                &json!(3),
                &json!("4.28"),
                &json!("2.50"),
                &json!("8.00")
            ],
            "{line}"
        );
        let wrong_cut = app
            .get("/v1/reports/remittance-corridors?by=provider")
            .await;
        assert_problem(
            &wrong_cut,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
        );
        assert_eq!(wrong_cut.body["errors"][0]["parameter"], "by");
        let wrong_order = app
            .get("/v1/reports/remittance-corridors?from=2026-04-01&to=2026-03-01")
            .await;
        assert_problem(
            &wrong_order,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
        );
    }
);

both_backends!(
    a_corridor_line_of_fewer_senders_than_the_threshold_shows_no_figures,
    |app| async move {
        let Network { .. } = network(&app).await;
        // At the default threshold (3), March from Hong Kong (Bea and Carla) and every other
        // line (one sender each) describe too few members: only their corridor and month show.
        let report = ok(&app.get("/v1/reports/remittance-corridors").await).clone();
        let lines = report["corridors"].as_array().unwrap();
        assert_eq!(lines.len(), 3);
        for line in lines {
            assert_eq!(line["suppressed"], true, "{line}");
            assert!(
                line.get("count").is_none() && line.get("sent").is_none(),
                "{line}"
            );
            assert!(line.get("median_cost_percent").is_none(), "{line}");
        }
        let csv = app.get("/v1/reports/remittance-corridors?format=csv").await;
        let first = csv.text.lines().nth(1).unwrap();
        assert!(
            first.starts_with("HK,PH,2026-03,,HKD,PHP,true,,,"),
            "{first}"
        );
        let chart = app.get("/v1/reports/remittance-corridors/chart").await;
        assert!(
            !chart.text.contains("data-series=\"HK → PH (HKD → PHP)\""),
            "{}",
            chart.text
        );
    }
);

both_backends!(
    indicators_are_disaggregated_by_sex_and_small_cells_suppressed,
    |app| async move {
        let Network { .. } = network(&app).await;
        let columns = with_prefix("row", CELL_FIELDS);
        let report = json_and_csv(
            &app,
            "/v1/reports/indicators?as_of=2026-08-01",
            &columns,
            indicator_rows,
        )
        .await;
        assert_eq!(report["as_of"], "2026-08-01");
        assert_eq!(report["suppression_min"], 3);
        let hidden = |sex: &str, band: Option<&str>, host: &str, currency: &str| {
            let mut cell = json!({"sex": sex, "currency": currency, "suppressed": true,
            "members": null, "savings": null, "capital": null, "distributions_received": null,
            "remittances_sent": null, "remittances_amount": null});
            if let Some(band) = band {
                cell["age_band"] = json!(band);
                cell["host_country"] = json!(host);
                cell["home_country"] = json!("PH");
            }
            cell
        };
        // Bea, Carla and Dina (25–34, three people) would be shown, but Ana is alone in her
        // cell: with the women's HKD total shown, the total less the three would give Ana's
        // figures away, so their cell is hidden too (complementary suppression).
        assert_eq!(
            report["cells"],
            json!([
                hidden("female", Some("25_34"), "HK", "HKD"), // hidden beside Ana's
                hidden("female", Some("35_44"), "HK", "HKD"), // Ana alone
                hidden("male", Some("25_34"), "SG", "SGD"),   // Ed and Fred: two
                hidden("male", Some("45_54"), "HK", "HKD"),   // Dan
                hidden("undisclosed", Some("unknown"), "HK", "HKD"), // Eli
            ])
        );
        // Women in HKD: the three above and Ana (savings 0, capital 300, share 32.43; her
        // reversed remittance not counted).
        let women = json!({"sex": "female", "currency": "HKD", "suppressed": false, "members": 4,
        "savings": "1755.13", "capital": "300.00", "distributions_received": "87.56",
        "remittances_sent": 2, "remittances_amount": "3000.00"});
        assert_eq!(
            report["totals_by_sex"],
            json!([
                women,
                hidden("male", None, "", "HKD"),
                hidden("male", None, "", "SGD"),
                hidden("undisclosed", None, "", "HKD")
            ])
        );

        // Before the distribution and the return (30 June): shares and payouts not yet booked.
        let june = ok(&app.get("/v1/reports/indicators?as_of=2026-06-30").await).clone();
        assert_eq!(june["cells"][0]["suppressed"], true);
        assert_eq!(june["totals_by_sex"][0]["savings"], "2700.00");
        assert_eq!(june["totals_by_sex"][0]["distributions_received"], "0.00");
        // Without as_of, today where the groups meet (Hong Kong and Singapore).
        let today = ok(&app.get("/v1/reports/indicators").await).clone();
        assert_eq!(
            today["as_of"],
            json!(support::app::hong_kong_today().to_string())
        );
    }
);

both_backends!(
    returned_members_show_their_stake_and_what_they_keep,
    |app| async move {
        let Network { hk, ana, .. } = network(&app).await;
        let report = json_and_csv(
            &app,
            "/v1/reports/reintegration",
            &STAKE_COLUMNS,
            reintegration_rows,
        )
        .await;
        // On 15 July Ana held savings 1,000 + 32.43 and capital 300; the savings were paid out,
        // the capital stays invested.
        assert_eq!(
            report["members"],
            json!([{"group_id": hk, "group_name": "Sampaguita Savers", "member_id": ana,
            "sex": "female", "home_country": "PH", "returned_on": "2026-07-15",
            "stakes": [{"currency": "HKD", "savings_at_return": "1032.43",
                "capital_at_return": "300.00", "paid_out": "1032.43",
                "capital_invested_now": "300.00"}]}])
        );
    }
);

/// A service whose indicators suppress cells of fewer than `min` people, with the Singapore
/// group's two men in it.
async fn two_men(backend: Backend, min: u32) -> Option<(TestApp, Value)> {
    let config = AppConfig {
        suppression_min: min,
        ..AppConfig::default()
    };
    let app = spawn_with(backend, config).await?;
    let sg = group(&app, "Kabayan Savers", "SGD", "SG").await;
    let ed = member(&app, &sg, "Ed", "male", Some(1998)).await;
    let fred = member(&app, &sg, "Fred", "male", Some(1997)).await;
    save(&app, &sg, &ed, "600.00", "savings").await;
    save(&app, &sg, &fred, "400.00", "savings").await;
    let report = ok(&app.get("/v1/reports/indicators?as_of=2026-08-01").await).clone();
    Some((app, report))
}

async fn the_threshold_is_a_setting(backend: Backend) {
    let Some((_app, shown)) = two_men(backend, 2).await else {
        return;
    };
    assert_eq!(shown["suppression_min"], 2);
    let cell = json!({"sex": "male", "age_band": "25_34", "host_country": "SG",
        "home_country": "PH", "currency": "SGD", "suppressed": false, "members": 2,
        "savings": "1000.00", "capital": "0.00", "distributions_received": "0.00",
        "remittances_sent": 0, "remittances_amount": "0.00"});
    assert_eq!(shown["cells"], json!([cell.clone()]));
    let mut total = cell;
    for field in ["age_band", "host_country", "home_country"] {
        total.as_object_mut().unwrap().remove(field);
    }
    assert_eq!(shown["totals_by_sex"], json!([total]));
    let (_app, hidden) = two_men(backend, 3)
        .await
        .expect("the backend was available");
    assert_eq!(hidden["cells"][0]["suppressed"], true);
    assert_eq!(hidden["cells"][0]["savings"], Value::Null);
    assert_eq!(hidden["totals_by_sex"][0]["members"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_suppression_threshold_is_a_setting_sqlite() {
    the_threshold_is_a_setting(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_suppression_threshold_is_a_setting_postgres() {
    the_threshold_is_a_setting(Backend::Postgres).await;
}

const REPORTS: [&str; 5] = [
    "/v1/reports/savings",
    "/v1/reports/portfolio",
    "/v1/reports/remittance-corridors",
    "/v1/reports/indicators",
    "/v1/reports/reintegration",
];

both_backends!(
    only_auditors_and_administrators_read_the_network,
    |app| async move {
        let group = group(&app, "Sampaguita Savers", "HKD", "HK").await;
        let maria = member(&app, &group, "Maria", "female", Some(1990)).await;
        let (_, auditor) = app
            .user_with("auditor.network", json!([{"role": "auditor"}]))
            .await;
        let (_, treasurer) = app
            .user_with(
                "treasurer.network",
                json!([{"role": "treasurer", "group_id": group}]),
            )
            .await;
        let (_, member) = app
            .user_with(
                "member.network",
                json!([{"role": "member", "group_id": group, "member_id": maria}]),
            )
            .await;
        for path in REPORTS {
            let read = app.send(auditor.get(app.url(path))).await;
            assert_eq!(read.status, StatusCode::OK, "{path}: {}", read.text);
            let csv = app
                .send(auditor.get(app.url(&format!("{path}?format=csv"))))
                .await;
            assert_eq!(csv.status, StatusCode::OK, "{path}");
            for client in [&treasurer, &member] {
                let refused = app.send(client.get(app.url(path))).await;
                assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden");
            }
            let anonymous = app.send(app.anonymous.get(app.url(path))).await;
            assert_problem(&anonymous, StatusCode::UNAUTHORIZED, "unauthorized");
        }
    }
);

both_backends!(
    unknown_and_malformed_parameters_are_refused,
    |app| async move {
        for path in REPORTS {
            for query in [
                "colour=blue",
                "format=xlsx",
                "format=csv&format=json",
                "group_id=x",
            ] {
                let reply = app.get(&format!("{path}?{query}")).await;
                assert_problem(
                    &reply,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-parameter",
                );
            }
        }
        for (path, query) in [
            ("/v1/reports/savings", "host_country=hk"),
            ("/v1/reports/savings", "home_country=PHL"),
            ("/v1/reports/savings", "as_of=2026-13-01"),
            ("/v1/reports/portfolio", "host_country=XX"),
            ("/v1/reports/portfolio", "as_of=2026-01-01"),
            ("/v1/reports/remittance-corridors", "from=yesterday"),
            ("/v1/reports/remittance-corridors", "as_of=2026-01-01"),
            ("/v1/reports/indicators", "as_of=2026-02-30"),
            ("/v1/reports/indicators", "host_country=HK"),
            ("/v1/reports/reintegration", "as_of=2026-01-01"),
        ] {
            let reply = app.get(&format!("{path}?{query}")).await;
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
        }
    }
);

both_backends!(
    the_savings_mobilised_convert_only_at_the_rates_the_caller_gives,
    |app| async move {
        let Network { hk, sg, .. } = network(&app).await;
        let plain = ok(&app.get("/v1/reports/savings").await).clone();
        assert!(plain.get("converted").is_none(), "{plain}");
        let mut columns = SAVINGS_COLUMNS.to_vec();
        columns.push("rate");

        // Into US dollars: HKD savings 2,787.57 × 0.1282 = 357.366474 → 357.37; capital
        // 500.00 × 0.1282 = 64.10. SGD savings 1,000.00 × 0.74 = 740.00, capital 0.00. Total
        // savings 357.366474 + 740 = 1,097.366474 → 1,097.37 (converted exactly, rounded once).
        let path = "/v1/reports/savings?convert_to=USD&rate=SGD:0.74&rate=HKD:0.1282";
        let report = json_and_csv(&app, path, &columns, converted_savings_rows).await;
        support::openapi::assert_schema_matches("SavingsReport", &report);
        assert_eq!(
            report["groups"], plain["groups"],
            "the figures per currency stay"
        );
        assert_eq!(report["totals"], plain["totals"]);
        let at = "caller-supplied rates";
        assert_eq!(report["converted"]["currency"], "USD");
        assert_eq!(report["converted"]["converted_at"], at);
        assert_eq!(
            report["converted"]["rates"],
            json!([{"currency": "HKD", "rate": "0.1282"}, {"currency": "SGD", "rate": "0.74"}])
        );
        assert_eq!(
            report["converted"]["groups"],
            json!([
                {"group_id": hk, "currency": "USD", "savings": "357.37", "capital": "64.10", "converted_at": at},
                {"group_id": sg, "currency": "USD", "savings": "740.00", "capital": "0.00", "converted_at": at},
            ])
        );
        assert_eq!(
            report["converted"]["totals"],
            json!({"currency": "USD", "savings": "1097.37", "capital": "64.10", "converted_at": at})
        );

        // Into yen (no minor unit): 2,787.57 × 19.5 = 54,357.615 → 54,358; SGD 1,000 × 113.25
        // = 113,250; total 167,607.615 → 167,608; capital 500 × 19.5 = 9,750.
        let yen = ok(&app
            .get("/v1/reports/savings?convert_to=JPY&rate=HKD:19.5&rate=SGD:113.25")
            .await)
        .clone();
        assert_eq!(yen["converted"]["groups"][0]["savings"], "54358");
        assert_eq!(yen["converted"]["totals"]["savings"], "167608");
        assert_eq!(yen["converted"]["totals"]["capital"], "9750");

        // Into one of the report's own currencies: HKD counts at 1, SGD at the rate given.
        // 1,000.00 × 5.8 = 5,800.00; total 2,787.57 + 5,800.00 = 8,587.57.
        let path = "/v1/reports/savings?convert_to=HKD&rate=SGD:5.8&host_country=SG";
        let hkd = json_and_csv(&app, path, &columns, converted_savings_rows).await;
        assert_eq!(hkd["converted"]["totals"]["savings"], "5800.00");
        let hkd = ok(&app
            .get("/v1/reports/savings?convert_to=HKD&rate=SGD:5.8")
            .await)
        .clone();
        assert_eq!(hkd["converted"]["groups"][0]["savings"], "2787.57");
        assert_eq!(hkd["converted"]["totals"]["savings"], "8587.57");
        assert_eq!(hkd["converted"]["totals"]["capital"], "500.00");
        // Only Singapore holds nothing but SGD: converting it into SGD needs no rate.
        let sgd = ok(&app
            .get("/v1/reports/savings?convert_to=SGD&host_country=SG")
            .await)
        .clone();
        assert_eq!(sgd["converted"]["rates"], json!([]));
        assert_eq!(sgd["converted"]["totals"]["savings"], "1000.00");

        // Refusals name the parameter and change nothing.
        for (query, parameter) in [
            ("convert_to=USD&rate=HKD:0.1282", "rate"),
            ("convert_to=USD", "rate"),
            ("rate=HKD:0.1282&rate=SGD:0.74", "rate"),
            ("convert_to=usd&rate=HKD:0.1282&rate=SGD:0.74", "convert_to"),
            ("convert_to=XAU&rate=HKD:0.1282&rate=SGD:0.74", "convert_to"),
            ("convert_to=USD&rate=HKD:0.1282&rate=SGD:0", "rate"),
            ("convert_to=USD&rate=HKD:0.1282&rate=SGD:0.00", "rate"),
            ("convert_to=USD&rate=HKD:0.1282&rate=SGD:-0.74", "rate"),
            ("convert_to=USD&rate=HKD:0.1282&rate=SGD:1e2", "rate"),
            ("convert_to=USD&rate=HKD:0.1282&rate=SGD:abc", "rate"),
            ("convert_to=USD&rate=HKD:0.1282&rate=SGD", "rate"),
            (
                "convert_to=USD&rate=HKD:0.1282&rate=ZZZ:0.5&rate=SGD:0.74",
                "rate",
            ),
            (
                "convert_to=USD&rate=HKD:0.1282&rate=HKD:0.13&rate=SGD:0.74",
                "rate",
            ),
            (
                "convert_to=USD&rate=USD:1&rate=HKD:0.1282&rate=SGD:0.74",
                "rate",
            ),
            (
                "convert_to=USD&convert_to=EUR&rate=HKD:0.1282&rate=SGD:0.74",
                "convert_to",
            ),
        ] {
            let reply = app.get(&format!("/v1/reports/savings?{query}")).await;
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
            assert_eq!(
                reply.body["errors"][0]["parameter"], parameter,
                "{query}: {}",
                reply.body
            );
        }
        let again = ok(&app.get("/v1/reports/savings").await).clone();
        assert_eq!(again, plain);
    }
);

/// A member registered as a man by mistake is corrected, with a reason, and from then on the
/// sex-disaggregated figures count her as a woman; the correction keeps the old and new values.
async fn a_corrected_sex_is_what_the_indicators_count(backend: Backend) {
    let config = AppConfig {
        suppression_min: 1,
        ..AppConfig::default()
    };
    let Some(app) = spawn_with(backend, config).await else {
        return;
    };
    let sg = group(&app, "Kabayan Savers", "SGD", "SG").await;
    let fe = member(&app, &sg, "Fe Dizon", "male", Some(1998)).await;
    save(&app, &sg, &fe, "600.00", "savings").await;
    let indicators = "/v1/reports/indicators?as_of=2026-08-01";
    let before = ok(&app.get(indicators).await).clone();
    assert_eq!(before["totals_by_sex"][0]["sex"], "male", "{before}");

    let record = app.url(&format!("/v1/groups/{sg}/members/{fe}"));
    // A correction of who she is says why, or changes nothing.
    let reply = app
        .send(app.client.patch(&record).json(&json!({"sex": "female"})))
        .await;
    assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(reply.pointer(), "/reason");
    assert_eq!(ok(&app.get(indicators).await), &before);

    let reply = app
        .send(app.client.patch(&record).json(&json!({
            "sex": "female", "birth_year": 1988, "name": "Fe Dizon",
            "reason": "typed wrong at registration"
        })))
        .await;
    assert_eq!(ok(&reply)["sex"], "female");
    assert_eq!(ok(&reply)["birth_year"], 1988);
    let after = ok(&app.get(indicators).await).clone();
    assert_eq!(
        after["totals_by_sex"],
        json!([{"sex": "female", "currency": "SGD", "suppressed": false, "members": 1,
                "savings": "600.00", "capital": "0.00", "distributions_received": "0.00",
                "remittances_sent": 0, "remittances_amount": "0.00"}])
    );
    assert_eq!(after["cells"][0]["age_band"], "35_44", "{after}");

    // The name was given unchanged, so only what changed is kept, with who and why.
    let kept = ok(&app
        .get(&format!("/v1/groups/{sg}/members/{fe}/corrections"))
        .await)
    .clone();
    let items = kept["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{kept}");
    assert_eq!(items[0]["reason"], "typed wrong at registration");
    assert!(items[0]["corrected_by"].is_string(), "{kept}");
    assert_eq!(
        items[0]["changes"],
        json!([{"field": "sex", "from": "male", "to": "female"},
               {"field": "birth_year", "from": 1998, "to": 1988}])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_corrected_sex_is_what_the_indicators_count_sqlite() {
    a_corrected_sex_is_what_the_indicators_count(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_corrected_sex_is_what_the_indicators_count_postgres() {
    a_corrected_sex_is_what_the_indicators_count(Backend::Postgres).await;
}

both_backends!(
    the_portfolio_breaks_investments_down_by_women_led_and_suppresses_small_lines,
    |app| async move {
        // In PHP: four women-led investments, three not women-led, one not recorded; in HKD
        // one women-led and one not (two in all).
        let home = group(&app, "Sampaguita Savers", "HKD", "HK").await;
        let mut made = Vec::new();
        for (women_led, currency, committed) in [
            (Some(true), "PHP", "1000.00"),
            (Some(true), "PHP", "2000.00"),
            (Some(true), "PHP", "3000.00"),
            (Some(true), "PHP", "4000.00"),
            (Some(false), "PHP", "500.00"),
            (Some(false), "PHP", "600.00"),
            (Some(false), "PHP", "700.00"),
            (None, "PHP", "50.00"),
            (Some(true), "HKD", "10.00"),
            (Some(false), "HKD", "20.00"),
        ] {
            let mut body = json!({"name": format!("Venture {}", made.len()), "kind": "enterprise",
                "sector": "retail", "country": "PH", "currency": currency,
                "committed_amount": committed});
            if let Some(led) = women_led {
                body["women_led"] = json!(led);
            }
            made.push(invest(&app, &home, body).await);
        }
        support::openapi::assert_reply_matches(
            "GET",
            "/v1/reports/portfolio",
            &app.get("/v1/reports/portfolio").await,
        );
        let report = json_and_csv(
            &app,
            "/v1/reports/portfolio",
            &portfolio_columns(),
            portfolio_rows,
        )
        .await;
        // PHP "unknown" (1) is below 3; the total (8) is published by the other breakdowns, so
        // the smallest shown line beside it ("false", 3) is suppressed too. Both HKD lines are
        // below 3.
        let hidden = |key: &str, currency: &str| json!({"key": key, "currency": currency, "suppressed": true});
        assert_eq!(
            report["by_women_led"],
            json!([
                hidden("false", "HKD"),
                hidden("false", "PHP"),
                hidden("true", "HKD"),
                {"key": "true", "currency": "PHP", "suppressed": false, "count": 4,
                 "committed": "10000.00", "disbursed": "0.00", "book_value": "0.00",
                 "income": "0.00", "capital_returned": "0.00", "written_down": "0.00",
                 "net_return": "0.00", "roi_percent": null},
                hidden("unknown", "PHP"),
            ])
        );
        assert_eq!(report["suppression_min"], 3);

        // With a threshold of 1 every line is shown.
        let open = spawn_with(
            app.backend,
            AppConfig {
                suppression_min: 1,
                ..AppConfig::default()
            },
        )
        .await
        .expect("a second service");
        let g = group(&open, "Sampaguita Savers", "HKD", "HK").await;
        for led in [true, false] {
            invest(
                &open,
                &g,
                json!({"name": format!("Venture {led}"), "kind": "enterprise",
                "sector": "retail", "country": "PH", "currency": "PHP", "women_led": led}),
            )
            .await;
        }
        let report = json_and_csv(
            &open,
            "/v1/reports/portfolio",
            &portfolio_columns(),
            portfolio_rows,
        )
        .await;
        let keys: Vec<(String, bool, i64)> = report["by_women_led"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    s(&l["key"]),
                    l["suppressed"] == true,
                    l["count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            keys,
            vec![("false".into(), false, 1), ("true".into(), false, 1)]
        );
    }
);
