//! Remittances sent and not yet arrived, on both backends: a member in a Hong Kong group sends
//! HKD 1,000 home as PHP 7,000, PHP 2,000 of it for group savings, recorded in transit. Its
//! group-savings part waits in `assets:in-transit:PHP` (her savings are credited HKD 285.71 at
//! once, as for a remittance recorded as arrived) until it is completed (what arrived goes to
//! the home bank, the difference to FX gain or loss, and the cost is worked out again from the
//! final figures) or fails (back to her savings less what the provider kept, which goes to
//! fees). Each step happens once (409 after), answers a retry with the same key the same, and
//! refuses bad input at its field; only completed remittances count in the corridor report,
//! and a report lists those in transit longer than a number of days.

use crate::support;

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{TestApp, assert_problem, hong_kong_today};
use support::openapi::assert_reply_matches;
use support::story::{balance, created, head, key, member, ok, refused, s};

const COMPLETION: &str = "/v1/groups/{group_id}/remittances/{remittance_id}/completion";
const FAILURE: &str = "/v1/groups/{group_id}/remittances/{remittance_id}/failure";
const IN_TRANSIT: &str = "/v1/groups/{group_id}/reports/remittances-in-transit";

/// A Hong Kong group (standard chart in HKD) with one member, Ana, saving in HKD.
async fn group_with_ana(app: &TestApp) -> (String, String) {
    let reply = app
        .post(
            "/v1/groups",
            &json!({"name": "Bayanihan", "currency": "HKD", "host_country": "HK", "home_country": "PH"}),
        )
        .await;
    let group = s(&created(&reply)["id"]).to_string();
    let ana = member(app, &group, "Ana Reyes", "female").await;
    (group, ana)
}

/// HKD 1,000 sent as PHP 7,000 (rate derived, 7), fee HKD 30, PHP 2,000 for group savings.
fn sent_body(member: &str, booked_on: Option<chrono::NaiveDate>) -> Value {
    let mut body = json!({
        "member_id": member, "send_amount": "1000.00", "send_currency": "HKD", "fee": "30.00",
        "receive_amount": "7000.00", "receive_currency": "PHP", "provider": "Padala Express",
        "channel": "money_transfer_operator", "send_country": "HK", "receive_country": "PH",
        "uses": [{"purpose": "family_support", "amount": "5000.00"},
                 {"purpose": "group_savings", "amount": "2000.00"}],
        "status": "in_transit",
    });
    if let Some(on) = booked_on {
        body["booked_on"] = json!(on.to_string());
    }
    body
}

async fn send_in_transit(app: &TestApp, group: &str, body: &Value) -> Value {
    let reply = app
        .post_with_key(&format!("/v1/groups/{group}/remittances"), &key(), body)
        .await;
    assert_reply_matches("POST", "/v1/groups/{group_id}/remittances", &reply);
    created(&reply).clone()
}

/// POSTs `body` to the remittance's `step` (`completion` or `failure`) with `key`, the reply
/// held to the document.
async fn settle(
    app: &TestApp,
    group: &str,
    id: &str,
    step: &str,
    key: &str,
    body: &Value,
) -> support::app::Reply {
    let reply = app
        .post_with_key(
            &format!("/v1/groups/{group}/remittances/{id}/{step}"),
            key,
            body,
        )
        .await;
    let template = if step == "completion" {
        COMPLETION
    } else {
        FAILURE
    };
    assert_reply_matches("POST", template, &reply);
    reply
}

/// The corridor report's lines (the test's service holds only this group's remittances).
async fn corridors(app: &TestApp) -> Vec<Value> {
    let reply = app.get("/v1/reports/remittance-corridors").await;
    ok(&reply)["corridors"]
        .as_array()
        .expect("corridors")
        .clone()
}

// Ana alone sends every remittance here: the corridor report shows lines of one sender only
// when the suppression threshold is 1.
both_backends_with!(
    a_remittance_sent_in_transit_waits_then_completes_at_the_figures_that_arrived,
    msai_ledger::app::AppConfig {
        suppression_min: 1,
        ..msai_ledger::app::AppConfig::default()
    },
    |app| async move {
        let (group, ana) = group_with_ana(&app).await;
        let savings = format!("liabilities:savings:{ana}");
        let sent = send_in_transit(&app, &group, &sent_body(&ana, None)).await;
        let id = s(&sent["id"]).to_string();
        assert_eq!(sent["status"], "in_transit");
        assert_eq!(sent["settlement"], Value::Null);
        // PHP 2,000 of PHP 7,000 received for HKD 1,000 is HKD 285.71, credited at once.
        assert_eq!(sent["credited_to_savings"], "285.71");
        assert_eq!(balance(&app, &group, &savings).await, "285.71");
        assert_eq!(
            balance(&app, &group, "assets:in-transit:PHP").await,
            "2000.00"
        );
        let home_bank = app
            .get(&format!("/v1/groups/{group}/accounts/assets:home-bank:PHP"))
            .await;
        assert_problem(&home_bank, StatusCode::NOT_FOUND, "not-found");
        // Not in the corridor report while in transit.
        assert!(corridors(&app).await.is_empty());

        // PHP 6,965 arrived (a rate of 6.965), PHP 1,965 of it for group savings, fee HKD 25,
        // the mid-market rate 7.10: margin (7.10 − 6.965) / 7.10 × 1,000 = 19.01, cost 44.01.
        let arrival = json!({
            "receive_amount": "6965.00", "fee": "25.00", "mid_market_rate": "7.10",
            "uses": [{"purpose": "family_support", "amount": "5000.00"},
                     {"purpose": "group_savings", "amount": "1965.00"}],
        });
        let completion_key = key();
        let before = head(&app, &group).await;
        let done = settle(&app, &group, &id, "completion", &completion_key, &arrival).await;
        let done = created(&done).clone();
        assert_eq!(head(&app, &group).await, before + 1);
        assert_eq!(done["status"], "completed");
        assert_eq!(done["receive_amount"], "6965.00");
        assert_eq!(done["applied_rate"], "6.965");
        assert_eq!(done["applied_rate_derived"], true);
        assert_eq!(done["group_savings"], "1965.00");
        assert_eq!(
            done["cost"],
            json!({"currency": "HKD", "fee": "25.00", "fx_margin": "19.01", "total": "44.01", "percent": "4.40"})
        );
        assert_eq!(done["settlement"]["expected_receive_amount"], "7000.00");
        assert_eq!(done["settlement"]["fee_kept"], Value::Null);
        assert_eq!(
            done["settlement"]["booked_on"],
            hong_kong_today().to_string()
        );
        // The in-transit account is cleared, the home bank holds what arrived, the PHP 35
        // short is an FX loss, and her savings stay as credited.
        assert_eq!(balance(&app, &group, "assets:in-transit:PHP").await, "0.00");
        assert_eq!(
            balance(&app, &group, "assets:home-bank:PHP").await,
            "1965.00"
        );
        assert_eq!(balance(&app, &group, "expense:fx-loss:PHP").await, "35.00");
        assert_eq!(balance(&app, &group, &savings).await, "285.71");
        let transaction = app
            .get(&format!(
                "/v1/groups/{group}/transactions/{}",
                s(&done["settlement"]["transaction_id"])
            ))
            .await;
        assert_eq!(
            ok(&transaction)["metadata"],
            json!({"event": "remittance_completion", "event_id": id})
        );

        // A retry with the same key gets the same answer, and posts nothing more.
        let again = settle(&app, &group, &id, "completion", &completion_key, &arrival).await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.body, done);
        assert_eq!(
            again
                .headers
                .get("idempotent-replayed")
                .map(|v| v.to_str().unwrap()),
            Some("true")
        );
        let read = app
            .get(&format!("/v1/groups/{group}/remittances/{id}"))
            .await;
        assert_eq!(*ok(&read), done);

        // Now the corridor report counts it, at the figures that arrived.
        let lines = corridors(&app).await;
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["count"], 1);
        assert_eq!(lines[0]["received"], "6965.00");
        assert_eq!(lines[0]["fees"], "25.00");
        assert_eq!(lines[0]["average_cost_percent"], "4.40");

        // Completing twice, or failing after completing, is refused and changes nothing.
        let state = head(&app, &group).await;
        for (step, body) in [("completion", &arrival), ("failure", &json!({}))] {
            let reply = settle(&app, &group, &id, step, &key(), body).await;
            assert_problem(&reply, StatusCode::CONFLICT, "remittance-not-in-transit");
        }
        assert_eq!(head(&app, &group).await, state);
        assert_eq!(
            *ok(&app
                .get(&format!("/v1/groups/{group}/remittances/{id}"))
                .await),
            done
        );

        // A remittance recorded as arrived (the default) is not in transit either.
        let mut arrived = sent_body(&ana, None);
        arrived["status"] = json!("arrived");
        let arrived = created(
            &app.post_with_key(&format!("/v1/groups/{group}/remittances"), &key(), &arrived)
                .await,
        )
        .clone();
        assert_eq!(arrived["status"], "arrived");
        let reply = settle(
            &app,
            &group,
            s(&arrived["id"]),
            "completion",
            &key(),
            &json!({"receive_amount": "7000.00"}),
        )
        .await;
        assert_problem(&reply, StatusCode::CONFLICT, "remittance-not-in-transit");
        assert_eq!(corridors(&app).await[0]["count"], 2);
    }
);

both_backends!(
    a_failed_remittance_comes_back_less_the_fee_kept,
    |app| async move {
        let (group, ana) = group_with_ana(&app).await;
        let savings = format!("liabilities:savings:{ana}");
        let sent = send_in_transit(&app, &group, &sent_body(&ana, None)).await;
        let id = s(&sent["id"]).to_string();
        let failure_key = key();
        // The provider kept PHP 70 of the PHP 2,000: PHP 1,930 comes back to her savings,
        // worth HKD 275.71 at the remittance's terms (1,930 × 1,000 / 7,000 = 275.714).
        let body = json!({"fee_kept": "70.00"});
        let failed = settle(&app, &group, &id, "failure", &failure_key, &body).await;
        let failed = created(&failed).clone();
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["settlement"]["fee_kept"], "70.00");
        assert_eq!(failed["settlement"]["expected_receive_amount"], Value::Null);
        assert_eq!(failed["receive_amount"], "7000.00");
        assert_eq!(balance(&app, &group, "assets:in-transit:PHP").await, "0.00");
        assert_eq!(balance(&app, &group, "expense:fees:PHP").await, "70.00");
        assert_eq!(balance(&app, &group, &savings).await, "10.00");
        let retry = settle(&app, &group, &id, "failure", &failure_key, &body).await;
        assert_eq!(retry.status, StatusCode::CREATED);
        assert_eq!(retry.body, failed);
        // A failed remittance never counts in the corridor report, and cannot be completed
        // or failed again.
        assert!(corridors(&app).await.is_empty());
        let state = head(&app, &group).await;
        for (step, body) in [
            ("completion", json!({"receive_amount": "7000.00"})),
            ("failure", json!({})),
        ] {
            let reply = settle(&app, &group, &id, step, &key(), &body).await;
            assert_problem(&reply, StatusCode::CONFLICT, "remittance-not-in-transit");
        }
        assert_eq!(head(&app, &group).await, state);
        assert_eq!(balance(&app, &group, &savings).await, "10.00");

        // Failing with nothing kept gives back exactly what was credited.
        let second = send_in_transit(&app, &group, &sent_body(&ana, None)).await;
        assert_eq!(balance(&app, &group, &savings).await, "295.71");
        let back = settle(
            &app,
            &group,
            s(&second["id"]),
            "failure",
            &key(),
            &json!({}),
        )
        .await;
        assert_eq!(created(&back)["settlement"]["fee_kept"], "0.00");
        assert_eq!(balance(&app, &group, &savings).await, "10.00");
        assert_eq!(balance(&app, &group, "assets:in-transit:PHP").await, "0.00");
    }
);

both_backends!(
    bad_input_to_each_new_route_is_refused_at_its_field_and_writes_nothing,
    |app| async move {
        let (group, ana) = group_with_ana(&app).await;
        let remittances = format!("/v1/groups/{group}/remittances");
        let mut lost = sent_body(&ana, None);
        lost["status"] = json!("lost");
        let reply = app.post_with_key(&remittances, &key(), &lost).await;
        refused(&reply, "invalid-field", "/status");

        let sent = send_in_transit(&app, &group, &sent_body(&ana, None)).await;
        let id = s(&sent["id"]).to_string();
        let before = head(&app, &group).await;
        let yesterday = (hong_kong_today() - Duration::days(1)).to_string();
        for (body, slug, pointer) in [
            (json!({}), "invalid-field", ""),
            (
                json!({"receive_amount": "lots"}),
                "invalid-field",
                "/receive_amount",
            ),
            (
                json!({"receive_amount": "0"}),
                "non-positive-amount",
                "/receive_amount",
            ),
            (
                json!({"receive_amount": "7000.001"}),
                "invalid-field",
                "/receive_amount",
            ),
            (
                json!({"receive_amount": "7000.00", "fee": "-1"}),
                "invalid-field",
                "/fee",
            ),
            (
                json!({"receive_amount": "7000.00", "applied_rate": "seven"}),
                "invalid-field",
                "/applied_rate",
            ),
            (
                json!({"receive_amount": "7000.00", "applied_rate": "9.9"}),
                "invalid-field",
                "/applied_rate",
            ),
            (
                json!({"receive_amount": "7000.00", "booked_on": yesterday}),
                "invalid-field",
                "/booked_on",
            ),
            (
                json!({"receive_amount": "7000.00", "arrived": true}),
                "invalid-field",
                "/arrived",
            ),
            (
                json!({"receive_amount": "6900.00"}),
                "uses-mismatch",
                "/uses",
            ),
            (
                json!({"receive_amount": "7000.00", "uses": [
                    {"purpose": "health", "amount": "3500.00"},
                    {"purpose": "health", "amount": "3500.00"}]}),
                "invalid-field",
                "/uses/1/purpose",
            ),
            (
                json!({"receive_amount": "7000.00", "uses": [{"purpose": "health", "amount": "6000.00"}]}),
                "uses-mismatch",
                "/uses",
            ),
        ] {
            let reply = settle(&app, &group, &id, "completion", &key(), &body).await;
            if pointer.is_empty() {
                assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, slug);
            } else {
                refused(&reply, slug, pointer);
            }
        }
        for (body, pointer) in [
            (json!({"fee_kept": "-1"}), "/fee_kept"),
            (json!({"fee_kept": "2000.01"}), "/fee_kept"),
            (json!({"fee_kept": "1.001"}), "/fee_kept"),
            (json!({"booked_on": yesterday}), "/booked_on"),
            (json!({"reason": "returned"}), "/reason"),
        ] {
            let reply = settle(&app, &group, &id, "failure", &key(), &body).await;
            refused(&reply, "invalid-field", pointer);
        }
        assert_eq!(head(&app, &group).await, before);
        let still = app.get(&format!("{remittances}/{id}")).await;
        assert_eq!(ok(&still)["status"], "in_transit");
        // Without a key nothing is done; an unknown remittance is not found.
        let keyless = app
            .post(&format!("{remittances}/{id}/failure"), &json!({}))
            .await;
        assert_problem(
            &keyless,
            StatusCode::BAD_REQUEST,
            "idempotency-key-required",
        );
        let unknown = settle(
            &app,
            &group,
            "0190a7c2-8f1e-7000-8000-000000000000",
            "failure",
            &key(),
            &json!({}),
        )
        .await;
        assert_problem(&unknown, StatusCode::NOT_FOUND, "not-found");
        for query in [
            "older_than_days=-1",
            "older_than_days=ten",
            "older_than_days=36501",
            "days=3",
        ] {
            let reply = app
                .get(&format!(
                    "/v1/groups/{group}/reports/remittances-in-transit?{query}"
                ))
                .await;
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
            assert_reply_matches("GET", IN_TRANSIT, &reply);
        }
    }
);

both_backends!(
    the_report_lists_remittances_in_transit_longer_than_the_days_given,
    |app| async move {
        let (group, ana) = group_with_ana(&app).await;
        let today = hong_kong_today();
        let old = send_in_transit(
            &app,
            &group,
            &sent_body(&ana, Some(today - Duration::days(10))),
        )
        .await;
        let recent = send_in_transit(
            &app,
            &group,
            &sent_body(&ana, Some(today - Duration::days(2))),
        )
        .await;
        let settled = send_in_transit(
            &app,
            &group,
            &sent_body(&ana, Some(today - Duration::days(20))),
        )
        .await;
        let done = settle(
            &app,
            &group,
            s(&settled["id"]),
            "completion",
            &key(),
            &json!({"receive_amount": "7000.00"}),
        )
        .await;
        created(&done);
        let report = |query: &'static str| {
            let app = &app;
            let group = group.clone();
            async move {
                let reply = app
                    .get(&format!(
                        "/v1/groups/{group}/reports/remittances-in-transit{query}"
                    ))
                    .await;
                assert_reply_matches("GET", IN_TRANSIT, &reply);
                ok(&reply).clone()
            }
        };
        let ids = |view: &Value| -> Vec<String> {
            view["remittances"]
                .as_array()
                .expect("remittances")
                .iter()
                .map(|r| s(&r["remittance_id"]).to_string())
                .collect()
        };
        // Everything still in transit, oldest first; the completed one is not.
        let all = report("").await;
        assert_eq!(ids(&all), [s(&old["id"]), s(&recent["id"])]);
        assert_eq!(all["as_of"], today.to_string());
        assert_eq!(all["older_than_days"], Value::Null);
        assert_eq!(all["remittances"][0]["days_in_transit"], 10);
        assert_eq!(all["remittances"][0]["group_savings"], "2000.00");
        assert_eq!(all["remittances"][1]["days_in_transit"], 2);
        // In transit longer than 5 days: the old one only; longer than 10: none.
        let week = report("?older_than_days=5").await;
        assert_eq!(ids(&week), [s(&old["id"])]);
        assert_eq!(week["older_than_days"], 5);
        assert!(ids(&report("?older_than_days=10").await).is_empty());
        assert_eq!(ids(&report("?older_than_days=9").await), [s(&old["id"])]);
        // The same rows as CSV.
        let csv = app
            .get(&format!(
                "/v1/groups/{group}/reports/remittances-in-transit?older_than_days=5&format=csv"
            ))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.content_type().starts_with("text/csv"));
        let lines: Vec<&str> = csv.text.lines().collect();
        assert_eq!(lines.len(), 2, "{}", csv.text);
        assert!(lines[0].starts_with("remittance_id,member_id,booked_on,days_in_transit,"));
        assert!(lines[1].starts_with(&format!("{},{ana},", s(&old["id"]))));
        // A failed one leaves the report too.
        let failed = settle(&app, &group, s(&old["id"]), "failure", &key(), &json!({})).await;
        created(&failed);
        assert_eq!(ids(&report("").await), [s(&recent["id"])]);
    }
);

both_backends!(
    a_remittance_whose_sending_was_reversed_is_no_longer_in_transit,
    |app| async move {
        let (group, ana) = group_with_ana(&app).await;
        let sent = send_in_transit(&app, &group, &sent_body(&ana, None)).await;
        let id = s(&sent["id"]).to_string();
        let reversal = app
            .post_with_key(
                &format!(
                    "/v1/groups/{group}/transactions/{}/reversal",
                    s(&sent["transaction_id"])
                ),
                &key(),
                &json!({"description": "recorded for the wrong member"}),
            )
            .await;
        created(&reversal);
        assert_eq!(balance(&app, &group, "assets:in-transit:PHP").await, "0.00");
        let before = head(&app, &group).await;
        for (step, body) in [
            ("completion", json!({"receive_amount": "7000.00"})),
            ("failure", json!({})),
        ] {
            let reply = settle(&app, &group, &id, step, &key(), &body).await;
            assert_problem(&reply, StatusCode::CONFLICT, "remittance-not-in-transit");
        }
        assert_eq!(head(&app, &group).await, before);
        let report = app
            .get(&format!(
                "/v1/groups/{group}/reports/remittances-in-transit"
            ))
            .await;
        assert_eq!(ok(&report)["remittances"], json!([]));
    }
);

both_backends!(
    a_completion_and_a_failure_racing_each_other_settle_the_remittance_once,
    |app| async move {
        let (group, ana) = group_with_ana(&app).await;
        let sent = send_in_transit(&app, &group, &sent_body(&ana, None)).await;
        let id = s(&sent["id"]).to_string();
        let before = head(&app, &group).await;
        let arrival = json!({"receive_amount": "7000.00"});
        let (first_key, second_key, empty) = (key(), key(), json!({}));
        let (first, second) = tokio::join!(
            settle(&app, &group, &id, "completion", &first_key, &arrival),
            settle(&app, &group, &id, "failure", &second_key, &empty),
        );
        let mut statuses = [first.status.as_u16(), second.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "{} / {}", first.body, second.body);
        assert_eq!(head(&app, &group).await, before + 1);
        assert_eq!(balance(&app, &group, "assets:in-transit:PHP").await, "0.00");
    }
);

/// Every person-cell of the indicators report that counts remittances: (sent, amount).
async fn remittances_in_indicators(app: &TestApp) -> Vec<(Value, Value)> {
    let reply = app.get("/v1/reports/indicators").await;
    ok(&reply)["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .filter(|c| c["remittances_sent"].as_i64().is_some_and(|n| n > 0))
        .map(|c| {
            (
                c["remittances_sent"].clone(),
                c["remittances_amount"].clone(),
            )
        })
        .collect()
}

both_backends_with!(
    a_remittance_that_failed_and_came_back_is_not_counted_as_sent,
    msai_ledger::app::AppConfig {
        suppression_min: 1,
        ..msai_ledger::app::AppConfig::default()
    },
    |app| async move {
        let (group, ana) = group_with_ana(&app).await;
        let kept = send_in_transit(&app, &group, &sent_body(&ana, None)).await;
        let lost = send_in_transit(&app, &group, &sent_body(&ana, None)).await;
        assert_eq!(
            remittances_in_indicators(&app).await,
            vec![(json!(2), json!("2000.00"))]
        );
        let failed = settle(&app, &group, s(&lost["id"]), "failure", &key(), &json!({})).await;
        created(&failed);
        // Her one remittance still on its way counts; the one that came back does not.
        assert_eq!(
            remittances_in_indicators(&app).await,
            vec![(json!(1), json!("1000.00"))]
        );
        let body = json!({"receive_amount": "7000.00"});
        let done = settle(&app, &group, s(&kept["id"]), "completion", &key(), &body).await;
        created(&done);
        assert_eq!(
            remittances_in_indicators(&app).await,
            vec![(json!(1), json!("1000.00"))]
        );
    }
);

/// Asks to reverse `transaction` of `group`: the reply, held to the document.
async fn reverse(app: &TestApp, group: &str, transaction: &str) -> support::app::Reply {
    let reply = app
        .post_with_key(
            &format!("/v1/groups/{group}/transactions/{transaction}/reversal"),
            &key(),
            &json!({"description": "entered by mistake"}),
        )
        .await;
    assert_reply_matches(
        "POST",
        "/v1/groups/{group_id}/transactions/{transaction_id}/reversal",
        &reply,
    );
    reply
}

both_backends!(
    a_settled_remittance_s_sending_and_settlement_cannot_be_reversed,
    |app| async move {
        let (group, ana) = group_with_ana(&app).await;
        let savings = format!("liabilities:savings:{ana}");
        let arrived = send_in_transit(&app, &group, &sent_body(&ana, None)).await;
        let body = json!({"receive_amount": "7000.00"});
        let done = settle(&app, &group, s(&arrived["id"]), "completion", &key(), &body).await;
        let completion = s(&created(&done)["settlement"]["transaction_id"]).to_string();
        let returned = send_in_transit(&app, &group, &sent_body(&ana, None)).await;
        let failed = settle(
            &app,
            &group,
            s(&returned["id"]),
            "failure",
            &key(),
            &json!({}),
        )
        .await;
        let failure = s(&created(&failed)["settlement"]["transaction_id"]).to_string();

        // Reversing either would leave the remittance completed or failed while its money
        // moved again: each is refused and nothing changes.
        let before = head(&app, &group).await;
        let home_bank = balance(&app, &group, "assets:home-bank:PHP").await;
        for transaction in [
            s(&arrived["transaction_id"]),
            completion.as_str(),
            s(&returned["transaction_id"]),
            failure.as_str(),
        ] {
            let reply = reverse(&app, &group, transaction).await;
            assert_problem(&reply, StatusCode::CONFLICT, "remittance-settled");
        }
        assert_eq!(head(&app, &group).await, before);
        assert_eq!(
            balance(&app, &group, "assets:home-bank:PHP").await,
            home_bank
        );
        assert_eq!(balance(&app, &group, "assets:in-transit:PHP").await, "0.00");
        // The completed remittance's HKD 285.71 stays in her savings; the failed one's is gone.
        assert_eq!(balance(&app, &group, &savings).await, "285.71");
        let shown = app
            .get(&format!(
                "/v1/groups/{group}/remittances/{}",
                s(&arrived["id"])
            ))
            .await;
        assert_eq!(ok(&shown)["status"], "completed");
    }
);
