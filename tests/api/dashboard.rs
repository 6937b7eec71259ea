//! The network dashboard's savings trend and charts, on both backends: a Hong Kong group of
//! Indonesian workers (three women and one man) whose savings are worked out by hand month by
//! month, and a Singapore group of Filipino workers the country filter leaves out. A cell about
//! fewer people than the threshold (here 2) shows nothing, in the report, its CSV and its chart.

use crate::support;

use msai_ledger::app::AppConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{TestApp, assert_problem};

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn s(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
        .to_string()
}

fn created(reply: &support::app::Reply) -> Value {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body.clone()
}

fn two_people() -> AppConfig {
    AppConfig {
        suppression_min: 2,
        ..AppConfig::default()
    }
}

async fn group(app: &TestApp, name: &str, currency: &str, host: &str, home: &str) -> String {
    let body =
        json!({"name": name, "currency": currency, "host_country": host, "home_country": home});
    let group = s(&created(&app.post("/v1/groups", &body).await)["id"]);
    app.without_approvals(&group).await;
    group
}

async fn member(app: &TestApp, group: &str, name: &str, sex: &str, joined: &str) -> String {
    let body = json!({"name": name, "sex": sex, "birth_year": 1990, "home_country": "ID",
                      "host_country": "HK", "joined_on": joined});
    s(&created(
        &app.post(&format!("/v1/groups/{group}/members"), &body)
            .await,
    )["id"])
}

async fn save(app: &TestApp, group: &str, member: &str, amount: &str, on: &str) {
    let body = json!({"member_id": member, "amount": amount, "fund": "savings",
                      "channel": "cash", "booked_on": on});
    let path = format!("/v1/groups/{group}/contributions");
    created(&app.post_with_key(&path, &key(), &body).await);
}

/// The id of the group's member called `name`.
async fn member_id(app: &TestApp, group: &str, name: &str) -> String {
    let members = app.get(&format!("/v1/groups/{group}/members")).await;
    members.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .map(|m| s(&m["id"]))
        .unwrap_or_else(|| panic!("no member {name}"))
}

/// Siti, Dewi and Budi join on 5 January, Rina on 3 February. January: Siti saves 500, Dewi
/// 300, Budi 400. February: Siti 500, Rina 200; Dewi leaves on 20 February and is paid her 300.
async fn story(app: &TestApp) -> String {
    let hk = group(app, "Bunga Savers", "HKD", "HK", "ID").await;
    let siti = member(app, &hk, "Siti", "female", "2026-01-05").await;
    let dewi = member(app, &hk, "Dewi", "female", "2026-01-05").await;
    let budi = member(app, &hk, "Budi", "male", "2026-01-05").await;
    let rina = member(app, &hk, "Rina", "female", "2026-02-03").await;
    save(app, &hk, &siti, "500.00", "2026-01-10").await;
    save(app, &hk, &dewi, "300.00", "2026-01-10").await;
    save(app, &hk, &budi, "400.00", "2026-01-10").await;
    save(app, &hk, &siti, "500.00", "2026-02-07").await;
    save(app, &hk, &rina, "200.00", "2026-02-07").await;
    let exit = json!({"status": "exited", "on": "2026-02-20", "channel": "cash"});
    let path = format!("/v1/groups/{hk}/members/{dewi}/exit");
    created(&app.post_with_key(&path, &key(), &exit).await);
    let sg = group(app, "Kabayan Savers", "SGD", "SG", "PH").await;
    let ed = member(app, &sg, "Ed", "male", "2026-01-05").await;
    let fe = member(app, &sg, "Fe", "female", "2026-01-05").await;
    save(app, &sg, &ed, "100.00", "2026-01-10").await;
    save(app, &sg, &fe, "100.00", "2026-01-10").await;
    hk
}

const HK_ID: &str = "host_country=HK&home_country=ID&from=2026-01-01&to=2026-02-28";

fn shown(
    month: &str,
    people: i64,
    members: i64,
    joined: i64,
    left: i64,
    money: [&str; 3],
) -> Value {
    json!({"month": month, "sex": "female", "currency": "HKD", "suppressed": false,
           "people": people, "members": members, "joined": joined, "left": left,
           "deposits": money[0], "withdrawals": money[1], "savings": money[2]})
}

fn hidden(month: &str) -> Value {
    json!({"month": month, "sex": "male", "currency": "HKD", "suppressed": true,
           "people": null, "members": null, "joined": null, "left": null,
           "deposits": null, "withdrawals": null, "savings": null})
}

both_backends_with!(
    savings_month_by_month_by_sex_with_small_cells_suppressed,
    two_people(),
    |app| async move {
        story(&app).await;
        let reply = app.get(&format!("/v1/reports/savings-trend?{HK_ID}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        support::openapi::assert_reply_matches("GET", "/v1/reports/savings-trend", &reply);
        assert_eq!(reply.body["suppression_min"], 2);
        // January: Siti and Dewi, 800 saved. February: Siti, Dewi (left on the 20th) and
        // Rina (joined on the 3rd); 700 in, Dewi's 300 out, 1,200 held. Budi alone is a
        // cell of one man: suppressed both months.
        assert_eq!(
            reply.body["cells"],
            json!([
                shown("2026-01", 2, 2, 2, 0, ["800.00", "0.00", "800.00"]),
                hidden("2026-01"),
                shown("2026-02", 3, 2, 1, 1, ["700.00", "300.00", "1200.00"]),
                hidden("2026-02"),
            ])
        );
        let csv = app
            .get(&format!("/v1/reports/savings-trend?{HK_ID}&format=csv"))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(
            csv.text.lines().collect::<Vec<_>>(),
            [
                "month,sex,currency,suppressed,people,members,joined,left,deposits,withdrawals,savings",
                "2026-01,female,HKD,false,2,2,2,0,800.00,0.00,800.00",
                "2026-01,male,HKD,true,,,,,,,",
                "2026-02,female,HKD,false,3,2,1,1,700.00,300.00,1200.00",
                "2026-02,male,HKD,true,,,,,,,",
            ]
        );
        // Without the filter, the Singapore group's women and men are cells of one each.
        let all = app
            .get("/v1/reports/savings-trend?from=2026-01-01&to=2026-01-31")
            .await;
        let currencies: Vec<&str> = all.body["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["currency"].as_str().unwrap())
            .collect();
        assert_eq!(currencies, ["HKD", "SGD", "HKD", "SGD"]);
    }
);

/// The text of a one-line message of a catalogue of the web app.
fn catalogue_word(lang: &str, id: &str) -> String {
    let text = std::fs::read_to_string(format!("web/locales/{lang}.ftl")).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{id} = ")))
        .unwrap_or_else(|| panic!("{lang} lacks {id}"))
        .to_string()
}

both_backends_with!(
    the_savings_chart_draws_the_reports_months_and_sexes_in_the_readers_language,
    two_people(),
    |app| async move {
        story(&app).await;
        let reply = app
            .get(&format!("/v1/reports/savings-trend/chart?{HK_ID}"))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert!(
            reply.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("image/svg+xml")
        );
        let svg = &reply.text;
        assert!(
            svg.starts_with(
                "<svg role=\"img\" aria-label=\"Savings at the end of each month, by sex (HKD)\""
            ),
            "{svg}"
        );
        for text in ["2026-01", "2026-02", "Female", "Male"] {
            assert!(
                svg.contains(&format!("\n{text}\n</text>")),
                "{text} missing from {svg}"
            );
        }
        // The women's series has a bar a month, as tall as their savings (800, then 1,200);
        // the man's cells are suppressed, so his series has no bar at all.
        let bars = |series: &str| -> Vec<String> {
            svg.split("<rect")
                .filter(|r| r.contains(&format!("data-series=\"{series}\"")))
                .map(|r| {
                    r.split("data-value=\"")
                        .nth(1)
                        .unwrap()
                        .split('"')
                        .next()
                        .unwrap()
                        .to_string()
                })
                .collect()
        };
        assert_eq!(bars("Female"), ["800", "1200"]);
        assert!(bars("Male").is_empty(), "{svg}");
        let empty = app
            .get("/v1/reports/savings-trend/chart?host_country=HK&home_country=ID&from=2025-01-01&to=2025-02-28")
            .await;
        assert!(
            empty.text.contains("Nothing to show for these filters"),
            "{}",
            empty.text
        );
        let indonesian = app
            .get(&format!("/v1/reports/savings-trend/chart?{HK_ID}&lang=id"))
            .await;
        for id in ["chart-savings-title", "sex-female", "sex-male"] {
            let word = catalogue_word("id", id);
            assert!(indonesian.text.contains(&word), "{word} missing");
        }
        assert!(!indonesian.text.contains("\nFemale\n"));
        let refused = app
            .get(&format!("/v1/reports/savings-trend/chart?{HK_ID}&lang=xx"))
            .await;
        assert_problem(
            &refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
        );
        assert_eq!(
            refused.body["errors"][0]["parameter"], "lang",
            "{}",
            refused.text
        );
    }
);

/// The members' savings the trend shows at each month's end of a period, added over its
/// cells, and what the savings report says they held on that day.
async fn trend_against_savings(app: &TestApp, from: &str, to: &str) -> Vec<(String, String)> {
    let exact = |v: &Value| s(v).parse::<rust_decimal::Decimal>().unwrap();
    let trend = app
        .get(&format!(
            "/v1/reports/savings-trend?host_country=HK&from={from}&to={to}"
        ))
        .await;
    assert_eq!(trend.status, StatusCode::OK, "{}", trend.text);
    let mut months: Vec<String> = Vec::new();
    for cell in trend.body["cells"].as_array().unwrap() {
        if !months.contains(&s(&cell["month"])) {
            months.push(s(&cell["month"]));
        }
    }
    let mut pairs = Vec::new();
    for month in months {
        let shown: rust_decimal::Decimal = trend.body["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["month"] == month.as_str())
            .map(|c| exact(&c["savings"]))
            .sum();
        let (y, m) = (
            month[..4].parse::<i32>().unwrap(),
            month[5..].parse().unwrap(),
        );
        let next = chrono::NaiveDate::from_ymd_opt(y, m, 1)
            .unwrap()
            .checked_add_months(chrono::Months::new(1))
            .unwrap();
        let end = next.pred_opt().unwrap().to_string().min(to.to_string());
        let report = app
            .get(&format!("/v1/reports/savings?host_country=HK&as_of={end}"))
            .await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.text);
        let held = report.body["totals"][0]["savings"].clone();
        pairs.push((format!("{shown:.2}"), s(&held)));
    }
    pairs
}

// Savings read from the accounts' totals less what was booked since the period began: the
// same, whatever the period, as the savings report's day-by-day balances, with bookings after
// the period, before it and backdated into it.
both_backends_with!(
    the_trend_holds_what_the_savings_report_holds_at_each_months_end,
    AppConfig {
        suppression_min: 1,
        ..AppConfig::default()
    },
    |app| async move {
        let hk = story(&app).await;
        let (siti, budi, rina) = (
            member_id(&app, &hk, "Siti").await,
            member_id(&app, &hk, "Budi").await,
            member_id(&app, &hk, "Rina").await,
        );
        save(&app, &hk, &siti, "250.00", "2026-03-15").await;
        save(&app, &hk, &budi, "100.00", "2026-04-02").await;
        // Booked after the April one, dated in January and February.
        save(&app, &hk, &budi, "40.00", "2026-01-25").await;
        save(&app, &hk, &rina, "60.00", "2026-02-10").await;
        for (from, to) in [
            ("2026-01-01", "2026-04-30"),
            ("2026-02-10", "2026-03-20"),
            ("2026-02-11", "2026-02-28"),
            ("2026-03-01", "2026-03-31"),
            ("2026-01-06", "2026-01-24"),
        ] {
            let pairs = trend_against_savings(&app, from, to).await;
            assert!(!pairs.is_empty(), "{from}..{to}");
            for (shown, held) in pairs {
                assert_eq!(shown, held, "{from}..{to}");
            }
        }
        // From 10 February to 20 March: in February only Rina's 60 (booked on the 10th itself;
        // the 7 February savings are before the period) and Dewi's 300 paid out; 250 in March.
        let trend = app
            .get("/v1/reports/savings-trend?host_country=HK&from=2026-02-10&to=2026-03-20")
            .await;
        let sums = |month: &str, field: &str| -> rust_decimal::Decimal {
            trend.body["cells"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["month"] == month)
                .map(|c| s(&c[field]).parse::<rust_decimal::Decimal>().unwrap())
                .sum()
        };
        assert_eq!(sums("2026-02", "deposits").to_string(), "60.00");
        assert_eq!(sums("2026-02", "withdrawals").to_string(), "300.00");
        assert_eq!(sums("2026-03", "deposits").to_string(), "250.00");
    }
);

both_backends!(
    the_portfolio_and_corridor_charts_draw_their_reports,
    |app| async move {
        let hk = story(&app).await;
        let coop = json!({"name": "Koperasi Tani", "kind": "cooperative", "sector": "agriculture",
            "country": "ID", "currency": "HKD", "committed_amount": "2000.00"});
        let path = format!("/v1/groups/{hk}/investments");
        let coop = s(&created(&app.post_with_key(&path, &key(), &coop).await)["id"]);
        let paid =
            json!({"amount": "600.00", "account": "assets:cash:HKD", "booked_on": "2026-02-10"});
        let path = format!("/v1/groups/{hk}/investments/{coop}/disbursements");
        created(&app.post_with_key(&path, &key(), &paid).await);
        // By sector, sectors are named as recorded; by women-led, the one investment (its
        // leadership not recorded) is a line of one, suppressed: no bar.
        let sector = app
            .get("/v1/reports/portfolio/chart?host_country=HK&by=sector")
            .await;
        assert!(sector.text.contains("\nagriculture\n"), "{}", sector.text);
        assert!(
            sector.text.contains("data-value=\"2000\""),
            "{}",
            sector.text
        );
        let women = app
            .get("/v1/reports/portfolio/chart?host_country=HK&by=women_led")
            .await;
        assert!(women.text.contains("\nNot recorded\n"), "{}", women.text);
        assert!(!women.text.contains("data-value"), "{}", women.text);
        // By status, statuses in words: the one investment is active, 2,000 committed.
        let status = app
            .get("/v1/reports/portfolio/chart?host_country=HK&by=status&lang=id")
            .await;
        assert!(status.text.contains("\nAktif\n"), "{}", status.text);
        assert!(
            status.text.contains("data-value=\"2000\""),
            "{}",
            status.text
        );
        let wrong = app.get("/v1/reports/portfolio/chart?by=owner").await;
        assert_problem(
            &wrong,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
        );
        assert_eq!(wrong.body["errors"][0]["parameter"], "by");
        let chart = app
            .get("/v1/reports/portfolio/chart?host_country=HK&lang=fil")
            .await;
        assert_eq!(chart.status, StatusCode::OK, "{}", chart.text);
        for id in [
            "chart-portfolio-title",
            "kind-cooperative",
            "chart-committed",
            "chart-disbursed",
            "chart-book-value",
        ] {
            let word = catalogue_word("fil", id);
            assert!(
                chart.text.contains(&word),
                "{word} missing from {}",
                chart.text
            );
        }
        // Sari, Tuti and Wati each send HKD 1,000 home for a fee of 50: 5 %, above the target
        // and on the line; three senders, so the line is shown at the threshold of 3.
        for name in ["Sari", "Tuti", "Wati"] {
            let sender = member(&app, &hk, name, "female", "2026-01-05").await;
            let remittance = json!({"member_id": sender,
                "send_amount": "1000.00", "send_currency": "HKD", "fee": "50.00",
                "receive_amount": "2000000", "receive_currency": "IDR", "provider": "Kirim Cepat",
                "channel": "money_transfer_operator", "send_country": "HK", "receive_country": "ID",
                "uses": [{"purpose": "family_support", "amount": "2000000"}], "booked_on": "2026-02-12"});
            let path = format!("/v1/groups/{hk}/remittances");
            created(&app.post_with_key(&path, &key(), &remittance).await);
        }
        let report = app
            .get("/v1/reports/remittance-corridors?host_country=HK")
            .await;
        assert_eq!(
            report.body["corridors"][0]["median_cost_percent"], "5.00",
            "{}",
            report.text
        );
        let chart = app
            .get("/v1/reports/remittance-corridors/chart?host_country=HK")
            .await;
        assert_eq!(chart.status, StatusCode::OK, "{}", chart.text);
        for text in [
            "HK → ID (HKD → IDR)",
            "2026-02",
            "SDG target 3 %",
            "5 % line",
        ] {
            assert!(
                chart.text.contains(text),
                "{text} missing from {}",
                chart.text
            );
        }
    }
);

both_backends!(
    a_dashboard_period_and_filters_are_checked_and_only_the_oversight_reads_it,
    |app| async move {
        let hk = story(&app).await;
        for (query, parameter) in [
            ("from=2026-03-01&to=2026-02-01", "to"),
            ("from=2015-01-01&to=2026-02-01", "from"),
            ("from=2026-13-01", "from"),
            ("host_country=hk", "host_country"),
            ("currency=XYZ", "currency"),
        ] {
            let refused = app
                .get(&format!("/v1/reports/savings-trend/chart?{query}"))
                .await;
            assert_problem(
                &refused,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
            assert_eq!(
                refused.body["errors"][0]["parameter"], parameter,
                "{query}: {}",
                refused.text
            );
        }
        let (_, treasurer) = app
            .user_with(
                "treasurer.dashboard",
                json!([{"role": "treasurer", "group_id": hk}]),
            )
            .await;
        let (_, auditor) = app
            .user_with("auditor.dashboard", json!([{"role": "auditor"}]))
            .await;
        for path in [
            "/v1/reports/savings-trend",
            "/v1/reports/savings-trend/chart",
            "/v1/reports/portfolio/chart",
            "/v1/reports/remittance-corridors/chart",
        ] {
            let read = app.send(auditor.get(app.url(path))).await;
            assert_eq!(read.status, StatusCode::OK, "{path}: {}", read.text);
            let refused = app.send(treasurer.get(app.url(path))).await;
            assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden");
        }
    }
);

both_backends_with!(
    a_treasurer_sees_her_own_groups_dashboard_and_the_task_force_can_narrow_to_one_group,
    two_people(),
    |app| async move {
        let hk = story(&app).await;
        let network = app.get(&format!("/v1/reports/savings-trend?{HK_ID}")).await;
        let period = "from=2026-01-01&to=2026-02-28";
        let one = app
            .get(&format!("/v1/reports/savings-trend?group_id={hk}&{period}"))
            .await;
        assert_eq!(one.body, network.body);
        let (_, treasurer) = app
            .user_with(
                "treasurer.bunga",
                json!([{"role": "treasurer", "group_id": hk}]),
            )
            .await;
        let own = format!("/v1/groups/{hk}/reports/savings-trend?{period}");
        let mine = app.send(treasurer.get(app.url(&own))).await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
        support::openapi::assert_reply_matches(
            "GET",
            "/v1/groups/{group_id}/reports/savings-trend",
            &mine,
        );
        assert_eq!(mine.body, network.body);
        for path in [
            format!("/v1/groups/{hk}/reports/savings-trend/chart?{period}&lang=ne"),
            format!("/v1/groups/{hk}/reports/portfolio"),
            format!("/v1/groups/{hk}/reports/portfolio/chart"),
            format!("/v1/groups/{hk}/reports/remittance-corridors"),
            format!("/v1/groups/{hk}/reports/remittance-corridors/chart"),
        ] {
            let read = app.send(treasurer.get(app.url(&path))).await;
            assert_eq!(read.status, StatusCode::OK, "{path}: {}", read.text);
        }
        let chart = app
            .send(treasurer.get(app.url(&format!(
                "/v1/groups/{hk}/reports/savings-trend/chart?{period}"
            ))))
            .await;
        let network_chart = app
            .get(&format!("/v1/reports/savings-trend/chart?{HK_ID}"))
            .await;
        assert_eq!(chart.text, network_chart.text);
        // Her group only: not the network, not another group, and no country filter.
        let sg = app.get("/v1/groups?limit=200").await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["host_country"] == "SG")
            .map(|g| s(&g["id"]))
            .unwrap();
        // Another group is as if it did not exist for her; the network is not hers to read.
        for path in [
            format!("/v1/groups/{sg}/reports/savings-trend"),
            format!("/v1/groups/{sg}/reports/portfolio/chart"),
        ] {
            let hidden = app.send(treasurer.get(app.url(&path))).await;
            assert_problem(&hidden, StatusCode::NOT_FOUND, "not-found");
        }
        let refused = app
            .send(treasurer.get(app.url("/v1/reports/savings-trend")))
            .await;
        assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden");
        let filtered = app
            .send(treasurer.get(app.url(&format!(
                "/v1/groups/{hk}/reports/savings-trend?host_country=SG"
            ))))
            .await;
        assert_eq!(
            filtered.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            filtered.text
        );
        let bad = app.get("/v1/reports/portfolio?group_id=not-a-group").await;
        assert_problem(&bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid-parameter");
        assert_eq!(bad.body["errors"][0]["parameter"], "group_id");
    }
);

/// Workers in Qatar from Nepal: Sita, Gita and Maya each saved 500 and put 100 in capital,
/// and returned home in July, paid their savings and keeping their capital invested; Ram
/// did the same alone, a cell of one man.
async fn returns(app: &TestApp) -> String {
    let qa = group(app, "Sagarmatha Savers", "QAR", "QA", "NP").await;
    for (name, sex) in [
        ("Sita", "female"),
        ("Gita", "female"),
        ("Maya", "female"),
        ("Ram", "male"),
    ] {
        let body = json!({"name": name, "sex": sex, "home_country": "NP", "host_country": "QA",
                          "joined_on": "2026-01-05"});
        let who = s(&created(&app.post(&format!("/v1/groups/{qa}/members"), &body).await)["id"]);
        save(app, &qa, &who, "500.00", "2026-02-01").await;
        let capital = json!({"member_id": who, "amount": "100.00", "fund": "capital",
                             "channel": "cash", "booked_on": "2026-02-01"});
        let path = format!("/v1/groups/{qa}/contributions");
        created(&app.post_with_key(&path, &key(), &capital).await);
        let exit = json!({"status": "returned_home", "on": "2026-07-15", "channel": "cash",
                          "keep_capital": true});
        let path = format!("/v1/groups/{qa}/members/{who}/exit");
        created(&app.post_with_key(&path, &key(), &exit).await);
    }
    qa
}

both_backends_with!(
    members_who_returned_home_by_country_and_sex_with_small_cells_suppressed,
    two_people(),
    |app| async move {
        let qa = returns(&app).await;
        story(&app).await;
        let period = "from=2026-01-01&to=2026-12-31";
        let reply = app
            .get(&format!(
                "/v1/reports/returned-home?host_country=QA&{period}"
            ))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        support::openapi::assert_reply_matches("GET", "/v1/reports/returned-home", &reply);
        assert_eq!(
            reply.body["cells"],
            json!([
                {"home_country": "NP", "sex": "female", "currency": "QAR", "suppressed": false,
                 "members": 3, "savings_at_return": "1500.00", "capital_at_return": "300.00",
                 "paid_out": "1500.00", "capital_held": "300.00"},
                {"home_country": "NP", "sex": "male", "currency": "QAR", "suppressed": true,
                 "members": null, "savings_at_return": null, "capital_at_return": null,
                 "paid_out": null, "capital_held": null},
            ])
        );
        let csv = app
            .get(&format!(
                "/v1/reports/returned-home?host_country=QA&{period}&format=csv"
            ))
            .await;
        assert_eq!(
            csv.text.lines().collect::<Vec<_>>(),
            [
                "home_country,sex,currency,suppressed,members,savings_at_return,capital_at_return,paid_out,capital_held",
                "NP,female,QAR,false,3,1500.00,300.00,1500.00,300.00",
                "NP,male,QAR,true,,,,,",
            ]
        );
        // Before July, no one had returned.
        let early = app
            .get("/v1/reports/returned-home?host_country=QA&from=2026-01-01&to=2026-06-30")
            .await;
        assert_eq!(early.body["cells"], json!([]));
        let chart = app
            .get(&format!(
                "/v1/reports/returned-home/chart?host_country=QA&{period}"
            ))
            .await;
        assert_eq!(chart.status, StatusCode::OK, "{}", chart.text);
        let bars: Vec<(String, String)> = chart
            .text
            .split("<rect")
            .filter_map(|r| {
                let attr = |name: &str| {
                    r.split(&format!("{name}=\""))
                        .nth(1)
                        .map(|v| v.split('"').next().unwrap().to_string())
                };
                Some((attr("data-category")?, attr("data-value")?))
            })
            .collect();
        assert_eq!(
            bars,
            [
                ("NP · Female".to_string(), "1500".to_string()),
                ("NP · Female".to_string(), "300".to_string()),
            ]
        );
        let own = app
            .get(&format!("/v1/groups/{qa}/reports/returned-home?{period}"))
            .await;
        assert_eq!(own.body, reply.body);
    }
);

/// The trends the closed-months test compares: periods of whole months and periods that
/// start or end within one, for a host country, a pair of countries, the whole network and a
/// group's own report.
const CLOSED_PERIODS: [&str; 6] = [
    "/v1/reports/savings-trend?host_country=HK&from=2026-01-01&to=2026-12-07",
    "/v1/reports/savings-trend?host_country=HK&home_country=ID&from=2026-01-01&to=2026-02-28",
    "/v1/reports/savings-trend?host_country=HK&from=2026-01-10&to=2026-03-20",
    "/v1/reports/savings-trend?host_country=HK&from=2025-12-01&to=2026-05-15",
    "/v1/reports/savings-trend?from=2026-02-01&to=2026-11-30",
    "/v1/groups/{hk}/reports/savings-trend?from=2026-01-01&to=2026-11-30",
];

async fn trends(app: &TestApp, hk: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for path in CLOSED_PERIODS {
        let reply = app.get(&path.replace("{hk}", hk)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text);
        out.push(reply.body["cells"].clone());
    }
    out
}

/// Closes every month through November 2026, as the service's task does in December, and
/// checks that every group's are.
async fn close_months(app: &TestApp) {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let done = msai_ledger::closings::catch_up(app.store.as_ref(), today, || true)
        .await
        .expect("close months");
    assert_eq!(done.failing, 0, "every group's months close");
    let behind = "UPDATE groups SET closings_through = closings_through \
                  WHERE closings_through IS NULL OR closings_through <> '2026-11-30'";
    assert_eq!(
        app.behind_the_back(behind).await,
        0,
        "every group is closed"
    );
}

/// The trends with every closed month forgotten, read from the journal alone.
async fn trends_from_the_journal(app: &TestApp, hk: &str) -> Vec<Value> {
    app.behind_the_back("DELETE FROM trend_months").await;
    app.behind_the_back("DELETE FROM account_closings").await;
    app.behind_the_back("UPDATE groups SET closings_through = NULL")
        .await;
    trends(app, hk).await
}

async fn correct(app: &TestApp, group: &str, member: &str, body: Value) {
    let path = format!("/v1/groups/{group}/members/{member}");
    let reply = app.send(app.client.patch(app.url(&path)).json(&body)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

both_backends_with!(
    the_trend_of_closed_months_is_what_the_journal_makes_after_every_change_to_them,
    AppConfig {
        suppression_min: 1,
        ..AppConfig::default()
    },
    |app| async move {
        let hk = story(&app).await;
        let (siti, budi, rina) = (
            member_id(&app, &hk, "Siti").await,
            member_id(&app, &hk, "Budi").await,
            member_id(&app, &hk, "Rina").await,
        );
        let lia = member(&app, &hk, "Lia", "female", "2026-04-12").await;
        save(&app, &hk, &lia, "150.00", "2026-04-20").await;
        save(&app, &hk, &siti, "50.00", "2026-06-30").await;

        let journal = trends(&app, &hk).await;
        close_months(&app).await;
        let stored = app
            .behind_the_back("UPDATE trend_months SET people = people")
            .await;
        assert!(stored > 0, "closing the months stored their trend");
        assert_eq!(trends(&app, &hk).await, journal, "with the months closed");

        // The closed months are read from what was stored for them: a stored figure changed
        // behind the service's back shows.
        let nudge = "UPDATE trend_months SET deposits_minor = deposits_minor + 100 \
                     WHERE month = '2026-01-01' AND sex = 'female'";
        assert_eq!(app.behind_the_back(nudge).await, 2);
        assert_ne!(trends(&app, &hk).await, journal, "a stored figure changed");
        // ...and verification names its month.
        let verify = format!("/v1/groups/{hk}/ledger/verify");
        let verified = app.get(&verify).await;
        assert_eq!(verified.body["ok"], false, "{}", verified.text);
        assert_eq!(verified.body["failure"]["kind"], "trend_mismatch");
        assert!(
            s(&verified.body["failure"]["detail"]).contains("2026-01-01"),
            "{}",
            verified.text
        );
        let undo = "UPDATE trend_months SET deposits_minor = deposits_minor - 100 \
                    WHERE month = '2026-01-01' AND sex = 'female'";
        app.behind_the_back(undo).await;
        assert_eq!(trends(&app, &hk).await, journal);
        assert_eq!(app.get(&verify).await.body["ok"], true);

        // Each change to a closed month: the answer at once is the journal's, which the
        // change moved, and so is the answer once the months it reopened are closed again.
        let mut before = journal;
        for stage in [
            "a contribution dated in a closed month",
            "a member's sex corrected",
            "a member's joining day corrected past her first saving",
            "a member gone home in a closed month",
            "a member registered as joined in a closed month",
        ] {
            match stage {
                "a contribution dated in a closed month" => {
                    save(&app, &hk, &budi, "70.00", "2026-02-14").await
                }
                "a member's sex corrected" => {
                    let body = json!({"sex": "female", "reason": "mistyped at registration"});
                    correct(&app, &hk, &budi, body).await
                }
                "a member's joining day corrected past her first saving" => {
                    let body = json!({"joined_on": "2026-03-02", "reason": "joined in March"});
                    correct(&app, &hk, &rina, body).await
                }
                "a member gone home in a closed month" => {
                    let body = json!({"status": "returned_home", "status_on": "2026-05-10"});
                    correct(&app, &hk, &lia, body).await
                }
                _ => {
                    member(&app, &hk, "Maya", "female", "2026-03-03").await;
                }
            }
            let now = trends(&app, &hk).await;
            close_months(&app).await;
            let closed_again = trends(&app, &hk).await;
            let journal = trends_from_the_journal(&app, &hk).await;
            assert_eq!(now, journal, "after {stage}");
            assert_eq!(closed_again, journal, "closed again after {stage}");
            assert_ne!(journal, before, "{stage} changes the trend");
            close_months(&app).await;
            let verified = app.get(&verify).await;
            assert_eq!(verified.body["ok"], true, "{stage}: {}", verified.text);
            before = journal;
        }
    }
);
