//! A group's performance indicators and its signed accreditation statement, on the story's
//! half-year (see `support::story`): each indicator against the value worked out by hand,
//! the statement's signature checked with the published key, and its figures against the
//! financial statements and the chain's verification.

use crate::immutability::Database;
use crate::receipts::{key_pem, openssl_verifies, published};
use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{TestApp, assert_problem};
use support::openapi::assert_reply_matches;
use support::story::{created, key, ok, save, story};

const PERFORMANCE: &str = "/v1/groups/{group_id}/performance";
const ACCREDITATION: &str = "/v1/groups/{group_id}/accreditation";

/// The story, with two meetings in its half-year and a social fund contribution.
async fn story_with_meetings(app: &TestApp) -> support::story::Story {
    let st = story(app).await;
    let g = &st.group;
    let meetings = format!("/v1/groups/{g}/meetings");
    // 4 of 5 members come in May, 3 of 5 in June: 7 attendances of 10.
    for (on, who) in [
        ("2026-05-03", vec![&st.ana, &st.bea, &st.carla, &st.dan]),
        ("2026-06-07", vec![&st.ana, &st.bea, &st.eli]),
    ] {
        let body = json!({"held_on": on, "attendance": who, "events": []});
        created(&app.post_with_key(&meetings, &key(), &body).await);
    }
    save(app, g, &st.ana, "20.00", "social_fund", "2026-07-05").await;
    st
}

/// A 422 `invalid-parameter` naming `name`.
fn refused_parameter(reply: &support::app::Reply, name: &str) {
    assert_problem(reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-parameter");
    assert_eq!(reply.body["errors"][0]["parameter"], name, "{}", reply.body);
}

/// What the payload says: the statement with every number written as a string.
fn as_signed(value: &Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Array(items) => Value::Array(items.iter().map(as_signed).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), as_signed(v))).collect())
        }
        other => other.clone(),
    }
}

fn value<'a>(view: &'a Value, name: &str) -> &'a Value {
    &view["indicators"][name]["value"]
}

both_backends!(
    the_story_s_half_year_gives_the_indicators_worked_out_by_hand,
    |app| async move {
        let st = story_with_meetings(&app).await;
        let g = &st.group;
        let reply = app
            .get(&format!(
                "/v1/groups/{g}/performance?from=2026-02-01&to=2026-07-31"
            ))
            .await;
        let view = ok(&reply).clone();
        assert_reply_matches("GET", PERFORMANCE, &reply);
        assert_eq!(view["currency"], "HKD");
        assert_eq!(view["days"], 181, "{view}");
        // Five members joined on 10 January; none left.
        assert_eq!(value(&view, "members"), 5);
        assert_eq!(value(&view, "members_at_start"), 5);
        assert_eq!(value(&view, "members_left"), 0);
        assert_eq!(value(&view, "dropout_percent"), "0.00");
        // Ana, Bea and Carla are women: 3 of 5.
        assert_eq!(value(&view, "women_percent"), "60.00");
        assert_eq!(value(&view, "meetings"), 2);
        assert_eq!(value(&view, "attendance_percent"), "70.00");
        // Savings 4,300 saved + Bea's 500 from her remittance = 4,800; 960 each.
        assert_eq!(value(&view, "savings"), "4800.00");
        assert_eq!(value(&view, "savings_per_member"), "960.00");
        assert_eq!(value(&view, "savings_mobilised"), "4800.00");
        // In HKD the half-year earned nothing and paid the transfer's HKD 60 fee.
        assert_eq!(value(&view, "net_income"), "-60.00");
        // −60 ÷ ((0 + 4,800) ÷ 2) × 365 ÷ 181 = −5.04 %.
        assert_eq!(value(&view, "return_on_savings_percent"), "-5.04");
        // HKD assets at the end: cash 1,490 + 20 social fund + FX clearing 3,500 = 5,010;
        // −60 ÷ ((0 + 5,010) ÷ 2) × 365 ÷ 181 = −4.83 %.
        assert_eq!(value(&view, "return_on_assets_percent"), "-4.83");
        // The cooperative is in PHP: nothing was disbursed in HKD.
        assert!(value(&view, "portfolio_written_down_percent").is_null());
        let why = view["indicators"]["portfolio_written_down_percent"]["definition"]
            .as_str()
            .unwrap();
        assert!(why.contains("None here"), "{why}");
        assert_eq!(value(&view, "social_fund"), "20.00");
        for (name, figure) in view["indicators"].as_object().unwrap() {
            assert!(
                figure["definition"].as_str().is_some_and(|d| d.len() > 20),
                "{name} has no definition: {figure}"
            );
        }

        // Without dates, the period runs from the first booking to today.
        let whole = app.get(&format!("/v1/groups/{g}/performance")).await;
        let whole = ok(&whole);
        assert_eq!(whole["from"], "2026-02-01", "{whole}");
        assert_eq!(value(whole, "savings"), "4800.00");
    }
);

both_backends!(an_empty_group_gives_nulls, |app| async move {
    let g = app.create_group("New Savers").await;
    let reply = app.get(&format!("/v1/groups/{g}/performance")).await;
    let view = ok(&reply);
    assert_reply_matches("GET", PERFORMANCE, &reply);
    assert_eq!(value(view, "members"), 0);
    for name in [
        "women_percent",
        "attendance_percent",
        "savings_per_member",
        "return_on_savings_percent",
        "return_on_assets_percent",
        "dropout_percent",
        "portfolio_written_down_percent",
    ] {
        assert!(value(view, name).is_null(), "{name}: {view}");
    }
});

both_backends!(
    bad_dates_are_refused_naming_the_parameter,
    |app| async move {
        let g = app.create_group("Date Savers").await;
        for (query, pointer) in [
            ("from=2026-13-01", "from"),
            ("to=yesterday", "to"),
            ("from=2026-03-01&to=2026-02-01", "to"),
            ("to=2999-01-01", "to"),
            ("from=2999-01-01", "from"),
        ] {
            let reply = app
                .get(&format!("/v1/groups/{g}/performance?{query}"))
                .await;
            refused_parameter(&reply, pointer);
        }
        for on in ["2026-02-30", "2999-01-01", "2000-01-01"] {
            let reply = app
                .get(&format!("/v1/groups/{g}/accreditation?on={on}"))
                .await;
            refused_parameter(&reply, "on");
        }
    }
);

both_backends!(
    the_accreditation_is_signed_and_says_what_the_reports_say,
    |app| async move {
        let st = story_with_meetings(&app).await;
        let g = &st.group;
        let reply = app
            .get(&format!("/v1/groups/{g}/accreditation?on=2026-07-31"))
            .await;
        let signed = ok(&reply).clone();
        assert_reply_matches("GET", ACCREDITATION, &reply);
        assert_eq!(signed["algorithm"], "Ed25519");
        let payload: Value = serde_json::from_str(signed["payload"].as_str().unwrap()).unwrap();
        let statement = &signed["statement"];
        assert_eq!(payload["type"], "msai-ledger/accreditation/v1");
        assert_eq!(payload["key_id"], signed["key_id"]);
        let mut said = as_signed(statement);
        said["key_id"] = signed["key_id"].clone();
        assert_eq!(payload, said);

        // A bank checks it with the published key; one byte changed and it fails.
        let keys = published(&app).await;
        let pem = key_pem(&keys, signed["key_id"].as_str().unwrap());
        let dir = tempfile::tempdir().unwrap();
        let text = signed["payload"].as_str().unwrap().as_bytes().to_vec();
        let signature = signed["signature"].as_str().unwrap();
        assert!(openssl_verifies(dir.path(), &pem, &text, signature));
        let mut changed = text.clone();
        let at = text.len() / 2;
        changed[at] ^= 0x01;
        assert!(!openssl_verifies(dir.path(), &pem, &changed, signature));

        // The balance sheet is the financial statements' for the same date.
        let fs = app
            .get(&format!(
                "/v1/groups/{g}/reports/financial-statements?to=2026-07-31"
            ))
            .await;
        assert_eq!(statement["statements"], ok(&fs)["currencies"]);
        assert_eq!(statement["on"], "2026-07-31");
        assert_eq!(statement["savings_mobilised"], "4800.00");
        // The cooperative: PHP 30,000 committed, 20,000 disbursed and still at cost.
        let investments = statement["investments"].as_array().unwrap();
        assert_eq!(investments.len(), 1, "{statement}");
        assert_eq!(investments[0]["id"], st.coop.as_str());
        assert_eq!(investments[0]["committed"], "30000.00");
        assert_eq!(investments[0]["disbursed"], "20000.00");
        assert_eq!(investments[0]["book_value"], "20000.00");
        assert_eq!(statement["distributions"], json!([]));
        // The year to the date begins at the first booking; its figures are the route's.
        let year = app
            .get(&format!(
                "/v1/groups/{g}/performance?from=2026-02-01&to=2026-07-31"
            ))
            .await;
        assert_eq!(statement["performance"], *ok(&year));
        // The chain as the verify route sees it.
        let verified = app.get(&format!("/v1/groups/{g}/ledger/verify")).await;
        assert_eq!(statement["chain"], *ok(&verified));
        assert_eq!(statement["chain"]["ok"], true);

        // Before the group's first booking there is nothing to accredit.
        let early = app
            .get(&format!("/v1/groups/{g}/accreditation?on=2026-01-31"))
            .await;
        refused_parameter(&early, "on");
    }
);

both_backends!(
    a_tampered_ledger_gives_a_statement_that_says_so,
    |app| async move {
        let st = story(&app).await;
        let g = &st.group;
        let db = Database::open(&app).await;
        db.admin(
            "DROP TRIGGER transactions_no_update",
            "ALTER TABLE transactions DISABLE TRIGGER transactions_immutable",
        )
        .await;
        let changed = db
            .execute("UPDATE transactions SET description = 'rewritten' WHERE sequence = 2")
            .await
            .expect("the guard is off");
        assert_eq!(changed, 1);
        let reply = app.get(&format!("/v1/groups/{g}/accreditation")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let payload: Value = serde_json::from_str(reply.body["payload"].as_str().unwrap()).unwrap();
        assert_eq!(payload["chain"]["ok"], false, "{payload}");
        assert_eq!(payload["chain"]["failure"]["kind"], "hash_mismatch");
        assert_eq!(payload["chain"]["failure"]["sequence"], "2");
        let verified = app.get(&format!("/v1/groups/{g}/ledger/verify")).await;
        assert_eq!(reply.body["statement"]["chain"], *ok(&verified));
    }
);

both_backends!(
    a_member_going_home_counts_in_the_dropout_and_leaves_the_members,
    |app| async move {
        let st = story(&app).await;
        let g = &st.group;
        // Carla (HKD 600 saved) goes home in July and is paid out in cash.
        created(
            &app.post_with_key(
                &format!("/v1/groups/{g}/members/{}/exit", st.carla),
                &key(),
                &json!({"status": "returned_home", "on": "2026-07-15", "channel": "cash"}),
            )
            .await,
        );
        let reply = app
            .get(&format!(
                "/v1/groups/{g}/performance?from=2026-07-01&to=2026-07-31"
            ))
            .await;
        let view = ok(&reply);
        assert_eq!(view["days"], 31);
        assert_eq!(value(view, "members_at_start"), 5);
        assert_eq!(value(view, "members"), 4);
        assert_eq!(value(view, "members_left"), 1);
        // 1 of the 5 members at the start: 20 %.
        assert_eq!(value(view, "dropout_percent"), "20.00");
        // Ana and Bea of Ana, Bea, Dan and Eli.
        assert_eq!(value(view, "women_percent"), "50.00");
        // 4,800 − 600 = 4,200 among 4.
        assert_eq!(value(view, "savings"), "4200.00");
        assert_eq!(value(view, "savings_per_member"), "1050.00");
        assert_eq!(value(view, "savings_mobilised"), "0.00");
        assert_eq!(value(view, "net_income"), "0.00");
        assert_eq!(value(view, "return_on_savings_percent"), "0.00");
        assert!(value(view, "attendance_percent").is_null(), "{view}");
    }
);

/// "12.34" as minor units (1234): the amounts of an HKD statement, none of them negative here.
fn minor(amount: &Value) -> i64 {
    let text = amount
        .as_str()
        .unwrap_or_else(|| panic!("not an amount: {amount}"));
    let (units, cents) = text.split_once('.').expect("two decimals");
    units.parse::<i64>().expect("units") * 100 + cents.parse::<i64>().expect("cents")
}

/// Checks that a statement of a group whose every transaction after `head_before` is one
/// contribution of HKD 1.00 agrees with itself: the balance sheet's members' savings, the
/// year's savings and savings mobilised, the savings mobilised to the date, and the chain's
/// head all count the same contributions.
fn agrees_with_itself(statement: &Value, head_before: i64) {
    let hkd = statement["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .find(|c| c["currency"] == "HKD")
        .expect("an HKD balance sheet");
    let savings: i64 = hkd["balance_sheet"]["liabilities"]
        .as_array()
        .expect("liabilities")
        .iter()
        .filter(|line| {
            line["code"]
                .as_str()
                .is_some_and(|code| code.starts_with("liabilities:savings:"))
        })
        .map(|line| minor(&line["amount"]))
        .sum();
    let year = &statement["performance"]["indicators"];
    assert_eq!(minor(&year["savings"]["value"]), savings, "{statement}");
    assert_eq!(
        minor(&year["savings_mobilised"]["value"]),
        savings,
        "{statement}"
    );
    assert_eq!(
        minor(&statement["savings_mobilised"]),
        savings,
        "{statement}"
    );
    let head = statement["chain"]["head_sequence"].as_i64().expect("head");
    assert_eq!(savings, 100 * (head - head_before), "{statement}");
    assert_eq!(statement["chain"]["ok"], true, "{statement}");
}

both_backends!(
    a_statement_signed_while_members_save_agrees_with_itself,
    |app| async move {
        let reply = app
            .post(
                "/v1/groups",
                &json!({"name": "Busy Savers", "currency": "HKD", "host_country": "HK", "home_country": "PH"}),
            )
            .await;
        let g = support::story::s(&created(&reply)["id"]).to_string();
        let ana = support::story::member(&app, &g, "Ana", "female").await;
        let head_before = support::story::head(&app, &g).await;
        let on = support::app::hong_kong_today();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(1500);

        // One writer books HKD 1.00 contributions on `on`, one after the other, until the
        // deadline; meanwhile four readers ask for the statement on `on` again and again.
        let contributions = app.url(&format!("/v1/groups/{g}/contributions"));
        let client = app.client.clone();
        let writer = tokio::spawn(async move {
            let mut written = 0u32;
            while tokio::time::Instant::now() < deadline {
                let body = json!({"member_id": ana, "amount": "1.00", "fund": "savings",
                                  "channel": "cash", "booked_on": on});
                let reply = client
                    .post(&contributions)
                    .header("Idempotency-Key", key())
                    .json(&body)
                    .send()
                    .await
                    .expect("contribution");
                assert_eq!(reply.status(), StatusCode::CREATED);
                written += 1;
            }
            written
        });
        let mut readers = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let client = app.client.clone();
            let url = app.url(&format!("/v1/groups/{g}/accreditation?on={on}"));
            readers.spawn(async move {
                let mut statements = Vec::new();
                while tokio::time::Instant::now() < deadline {
                    let reply = client.get(&url).send().await.expect("statement");
                    assert_eq!(reply.status(), StatusCode::OK);
                    let body: Value = reply.json().await.expect("JSON");
                    statements.push(body["statement"].clone());
                }
                statements
            });
        }
        let statements: Vec<Value> = readers.join_all().await.into_iter().flatten().collect();
        let written = writer.await.expect("the writer");
        assert!(written > 10, "only {written} contributions were written");
        for statement in &statements {
            agrees_with_itself(statement, head_before);
        }
        // The statements were signed while the contributions came in, not all before or after.
        let mut heads: Vec<i64> = statements
            .iter()
            .map(|s| s["chain"]["head_sequence"].as_i64().expect("head"))
            .collect();
        heads.sort_unstable();
        heads.dedup();
        assert!(heads.len() > 2, "the statements saw heads {heads:?}");
    }
);
