//! A savings group's year, told through the API on both backends: a Hong Kong group of five
//! members saving in HKD, a member's remittance home with part of it kept as group savings,
//! the group sending funds home to PHP with a fee, an investment in a cooperative with two
//! income returns, a period close, a distribution of the income by savings balance, and a
//! member who returns home and is paid out. Every figure is checked against values worked out
//! by hand (in the comments), and the ledger must balance per currency and verify at the end.
//! Then the refusals: each a clear 422 (or 409) that writes nothing.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::assert_problem;
use support::story::{Story, balance, created, head, key, member, ok, refused, s, story};

both_backends!(a_savings_groups_year_adds_up, |app| async move {
    let Story {
        group,
        ana,
        bea,
        carla,
        dan,
        eli,
        coop,
    } = story(&app).await;

    // The PHP 2,450 is shared by savings on 30 June (HKD): Ana 1,500, Bea 1,400, Carla 600,
    // Dan 1,000, Eli 300; 4,800 in all. Exact shares in centavos: Ana 76,562.5, Bea 71,458.33,
    // Carla 30,625, Dan 51,041.67, Eli 15,312.5. The floors leave 2 centavos: one to Dan
    // (remainder .67), one to Ana (remainder .5, ahead of Eli's .5 because she joined first).
    let distributions = format!("/v1/groups/{group}/distributions");
    let request = json!({"pool": "2450.00", "currency": "PHP", "basis": "savings",
                         "as_of": "2026-06-30", "pay_to": "payable", "booked_on": "2026-07-01"});
    let expected = [
        (&ana, "1500.00", "765.63"),
        (&bea, "1400.00", "714.58"),
        (&carla, "600.00", "306.25"),
        (&dan, "1000.00", "510.42"),
        (&eli, "300.00", "153.12"),
    ];
    let check = |d: &Value| {
        assert_eq!(d["pool"], "2450.00");
        assert_eq!(d["shares_total"], "2450.00");
        assert_eq!(d["total_weight"], "4800.00");
        assert_eq!(d["weight_currency"], "HKD");
        let shares = d["shares"].as_array().expect("shares");
        assert_eq!(shares.len(), 5);
        for (share, (id, weight, amount)) in shares.iter().zip(expected) {
            assert_eq!(s(&share["member_id"]), id.as_str());
            assert_eq!(share["weight"], weight);
            assert_eq!(share["share"], amount);
        }
    };
    // A preview first: the same shares, and nothing written.
    let before = head(&app, &group).await;
    let preview = app.post(&distributions, &with_dry_run(&request)).await;
    let preview = ok(&preview);
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["id"], Value::Null);
    check(preview);
    assert_eq!(head(&app, &group).await, before);
    assert_eq!(
        balance(&app, &group, "equity:undistributed:PHP").await,
        "2450.00"
    );

    let declared = app.post_with_key(&distributions, &key(), &request).await;
    let declared = created(&declared).clone();
    check(&declared);
    assert_eq!(
        balance(&app, &group, "equity:undistributed:PHP").await,
        "0.00"
    );
    assert_eq!(
        balance(&app, &group, &format!("liabilities:payable:{ana}:PHP")).await,
        "765.63"
    );
    // The audit view is what was declared.
    let id = s(&declared["id"]);
    let again = app.get(&format!("{distributions}/{id}")).await;
    check(ok(&again));

    // Carla returns home: her HKD 600 savings from the cash box, her PHP 306.25 from the home
    // bank.
    let exit = app
        .post_with_key(
            &format!("/v1/groups/{group}/members/{carla}/exit"),
            &key(),
            &json!({"status": "returned_home", "on": "2026-07-15", "channel": "cash"}),
        )
        .await;
    let exit = created(&exit);
    assert_eq!(exit["member"]["status"], "returned_home");
    assert_eq!(exit["member"]["status_on"], "2026-07-15");
    let paid: Vec<(String, String)> = exit["paid"]
        .as_array()
        .expect("paid")
        .iter()
        .map(|p| (s(&p["account"]).to_string(), s(&p["amount"]).to_string()))
        .collect();
    assert_eq!(
        paid,
        vec![
            (format!("liabilities:savings:{carla}"), "600.00".to_string()),
            (
                format!("liabilities:payable:{carla}:PHP"),
                "306.25".to_string()
            ),
        ]
    );
    assert_eq!(balance(&app, &group, "assets:cash:HKD").await, "890.00");
    assert_eq!(
        balance(&app, &group, "assets:home-bank:PHP").await,
        "6643.75"
    );

    // The investment page: PHP 20,000 out, 2,500 back as income, nothing written down.
    let page = app
        .get(&format!("/v1/groups/{group}/investments/{coop}"))
        .await;
    let page = ok(&page);
    assert_eq!(page["committed"], "30000.00");
    assert_eq!(page["disbursed"], "20000.00");
    assert_eq!(page["book_value"], "20000.00");
    assert_eq!(page["income_received"], "2500.00");
    assert_eq!(page["capital_returned"], "0.00");
    assert_eq!(page["written_down"], "0.00");
    assert_eq!(page["net_return"], "2500.00");
    assert_eq!(page["roi_percent"], "12.50");
    assert_eq!(page["account_code"], format!("assets:investments:{coop}"));

    // Statements. Ana: HKD 1,500 saved; her share of the cooperative's PHP 20,000 on savings
    // today (Ana 1,500, Bea 1,400, Dan 1,000, Eli 300, Carla 0; 4,200): 7,142.857 → 7,142.86
    // (the two leftover centavos go to Ana's .714 and Bea's .667).
    let statement = app
        .get(&format!("/v1/groups/{group}/members/{ana}/statement"))
        .await;
    let statement = ok(&statement);
    assert_eq!(statement["current_balance"], "1500.00");
    assert_eq!(statement["available_balance"], "1500.00");
    assert_eq!(statement["distribution_basis"], "savings");
    assert_eq!(statement["investments"][0]["book_value"], "20000.00");
    assert_eq!(statement["investments"][0]["member_share"], "7142.86");
    assert_eq!(statement["remittances"], json!([]));
    let savings_lines = statement["accounts"][0]["lines"].as_array().expect("lines");
    assert_eq!(savings_lines.len(), 3);
    assert_eq!(savings_lines[2]["balance"], "1500.00");

    let bea_statement = app
        .get(&format!("/v1/groups/{group}/members/{bea}/statement"))
        .await;
    let bea_statement = ok(&bea_statement);
    assert_eq!(bea_statement["current_balance"], "1400.00");
    assert_eq!(bea_statement["investments"][0]["member_share"], "6666.67");
    let history = bea_statement["remittances"]
        .as_array()
        .expect("remittances");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["cost"]["percent"], "4.28");
    assert_eq!(history[0]["send_amount"], "2000.00");

    let carla_statement = app
        .get(&format!("/v1/groups/{group}/members/{carla}/statement"))
        .await;
    let carla_statement = ok(&carla_statement);
    assert_eq!(carla_statement["current_balance"], "0.00");
    assert_eq!(carla_statement["investments"][0]["member_share"], "0.00");
    let dan_statement = app
        .get(&format!("/v1/groups/{group}/members/{dan}/statement"))
        .await;
    assert_eq!(
        ok(&dan_statement)["accounts"][1]["closing_balance"],
        "250.00"
    );
    let eli_statement = app
        .get(&format!("/v1/groups/{group}/members/{eli}/statement"))
        .await;
    assert_eq!(
        ok(&eli_statement)["investments"][0]["member_share"],
        "1428.57"
    );

    // The trial balance balances in each currency, and the chain verifies.
    let trial = app.get(&format!("/v1/groups/{group}/trial-balance")).await;
    let totals = ok(&trial)["totals"].as_array().expect("totals").clone();
    let currencies: Vec<&str> = totals.iter().map(|t| s(&t["currency"])).collect();
    assert_eq!(currencies, vec!["HKD", "PHP"]);
    for total in &totals {
        assert_eq!(total["balanced"], true, "{total}");
        assert_eq!(total["debits"], total["credits"], "{total}");
    }
    let verify = app.get(&format!("/v1/groups/{group}/ledger/verify")).await;
    assert_eq!(ok(&verify)["ok"], true, "{}", verify.body);
});

fn with_dry_run(request: &Value) -> Value {
    let mut body = request.clone();
    body["dry_run"] = json!(true);
    body
}

both_backends!(
    bad_operations_are_refused_and_write_nothing,
    |app| async move {
        let Story {
            group,
            ana,
            bea,
            coop,
            ..
        } = story(&app).await;
        let other = app.create_group("Other Savers").await;
        let stranger = member(&app, &other, "Stranger", "male").await;
        let remittances = format!("/v1/groups/{group}/remittances");
        let remittance = json!({
            "member_id": bea, "send_amount": "1000.00", "send_currency": "HKD", "fee": "20.00",
            "receive_amount": "7000.00", "receive_currency": "PHP",
            "provider": "Padala Express", "channel": "bank", "send_country": "HK", "receive_country": "PH",
            "uses": [{"purpose": "family_support", "amount": "6000.00"},
                     {"purpose": "group_savings", "amount": "1000.00"}],
            "booked_on": "2026-07-02"
        });
        let before = head(&app, &group).await;
        let balances_before = app
            .get(&format!("/v1/groups/{group}/trial-balance"))
            .await
            .body;

        // A member of another group.
        let mut body = remittance.clone();
        body["member_id"] = json!(stranger);
        refused(
            &app.post_with_key(&remittances, &key(), &body).await,
            "unknown-member",
            "/member_id",
        );
        // Uses that do not add up to what was received.
        let mut body = remittance.clone();
        body["uses"][0]["amount"] = json!("5999.99");
        let reply = app.post_with_key(&remittances, &key(), &body).await;
        refused(&reply, "uses-mismatch", "/uses");
        assert!(
            s(&reply.body["detail"]).contains("6999.99"),
            "{}",
            reply.body
        );
        // A use in more decimals than the receive currency has.
        let mut body = remittance.clone();
        body["uses"][1]["amount"] = json!("1000.001");
        refused(
            &app.post_with_key(&remittances, &key(), &body).await,
            "invalid-field",
            "/uses/1/amount",
        );
        // Group savings received in a currency neither sent nor saved in.
        let mut body = remittance.clone();
        body["send_currency"] = json!("SGD");
        refused(
            &app.post_with_key(&remittances, &key(), &body).await,
            "currency-mismatch",
            "/receive_currency",
        );

        // An overdrawn withdrawal.
        let reply = app
        .post_with_key(&format!("/v1/groups/{group}/withdrawals"), &key(),
            &json!({"member_id": ana, "amount": "1500.01", "from": "savings", "channel": "cash"}))
        .await;
        refused(&reply, "overdraft", "/amount");

        // A distribution larger than what the close left undistributed (PHP 2,450).
        let distributions = format!("/v1/groups/{group}/distributions");
        let reply = app
        .post_with_key(&distributions, &key(),
            &json!({"pool": "2450.01", "currency": "PHP", "as_of": "2026-06-30", "pay_to": "payable"}))
        .await;
        refused(&reply, "pool-exceeds-available", "/pool");
        assert!(
            s(&reply.body["detail"]).contains("2450.00"),
            "{}",
            reply.body
        );
        // In a currency the group holds nothing to distribute in.
        let reply = app
        .post_with_key(&distributions, &key(),
            &json!({"pool": "1.00", "currency": "USD", "as_of": "2026-06-30", "pay_to": "payable"}))
        .await;
        refused(&reply, "pool-exceeds-available", "/pool");
        // Paying PHP into members' HKD savings.
        let reply = app
        .post_with_key(&distributions, &key(),
            &json!({"pool": "100.00", "currency": "PHP", "as_of": "2026-06-30", "pay_to": "savings"}))
        .await;
        refused(&reply, "currency-mismatch", "/pay_to");
        // Nobody has capital on the first of January.
        let reply = app
        .post_with_key(&distributions, &key(),
            &json!({"pool": "100.00", "currency": "PHP", "basis": "capital", "as_of": "2026-01-01", "pay_to": "payable"}))
        .await;
        refused(&reply, "no-recipients", "/basis");

        // Investment events: from an account the group does not have in that currency, more than
        // the home bank holds, and a write-down beyond the book value.
        let base = format!("/v1/groups/{group}/investments/{coop}");
        let reply = app
            .post_with_key(
                &format!("{base}/disbursements"),
                &key(),
                &json!({"amount": "10.00", "account": "assets:bank:USD"}),
            )
            .await;
        refused(&reply, "unknown-account", "/account");
        let reply = app
            .post_with_key(
                &format!("{base}/disbursements"),
                &key(),
                &json!({"amount": "10.00", "account": "assets:cash:HKD"}),
            )
            .await;
        refused(&reply, "currency-mismatch", "/account");
        let reply = app
            .post_with_key(
                &format!("{base}/disbursements"),
                &key(),
                &json!({"amount": "6950.01"}),
            )
            .await;
        refused(&reply, "overdraft", "/amount");
        let reply = app
            .post_with_key(
                &format!("{base}/write-downs"),
                &key(),
                &json!({"amount": "20000.01"}),
            )
            .await;
        refused(&reply, "overdraft", "/amount");

        // Transfers: into a liability, and across currencies without saying what arrived.
        let transfers = format!("/v1/groups/{group}/transfers");
        let reply = app
        .post_with_key(&transfers, &key(),
            &json!({"from": "assets:cash:HKD", "to": format!("liabilities:savings:{ana}"), "amount": "1.00"}))
        .await;
        refused(&reply, "account-kind", "/to");
        let reply = app
            .post_with_key(
                &transfers,
                &key(),
                &json!({"from": "assets:cash:HKD", "to": "assets:home-bank:PHP", "amount": "1.00"}),
            )
            .await;
        refused(&reply, "invalid-field", "/receive_amount");
        let reply = app
        .post_with_key(&transfers, &key(),
            &json!({"from": "assets:cash:HKD", "to": "assets:home-bank:PHP", "amount": "1490.01", "receive_amount": "6000.00"}))
        .await;
        refused(&reply, "overdraft", "/amount");

        // A treasurer may set the group's basis but not its status, which is the network's call.
        let (_, treasurer) = app
            .user_with(
                "tess.reyes",
                json!([{"role": "treasurer", "group_id": group}]),
            )
            .await;
        let basis = app
            .send(
                treasurer
                    .patch(app.url(&format!("/v1/groups/{group}")))
                    .json(&json!({"distribution_basis": "equal"})),
            )
            .await;
        assert_eq!(ok(&basis)["distribution_basis"], "equal");
        let accredit = app
            .send(
                treasurer
                    .patch(app.url(&format!("/v1/groups/{group}")))
                    .json(&json!({"status": "accredited"})),
            )
            .await;
        assert_problem(&accredit, StatusCode::FORBIDDEN, "forbidden");
        // An administrator closes the group; a closed group stays closed.
        let patch = app
            .send(
                app.client
                    .patch(app.url(&format!("/v1/groups/{group}")))
                    .json(&json!({"status": "closed"})),
            )
            .await;
        assert_eq!(ok(&patch)["status"], "closed");
        let reopen = app
            .send(
                app.client
                    .patch(app.url(&format!("/v1/groups/{group}")))
                    .json(&json!({"status": "accredited"})),
            )
            .await;
        assert_problem(&reopen, StatusCode::CONFLICT, "status-transition");

        assert_eq!(
            head(&app, &group).await,
            before,
            "a refused request wrote to the journal"
        );
        let balances_after = app
            .get(&format!("/v1/groups/{group}/trial-balance"))
            .await
            .body;
        assert_eq!(balances_after, balances_before);
        let remitted = app.get(&format!("{remittances}?member_id={bea}")).await;
        assert_eq!(ok(&remitted)["items"].as_array().expect("items").len(), 1);
    }
);

both_backends!(
    capital_returned_beyond_cost_is_a_gain_and_write_downs_lower_the_book_value,
    |app| async move {
        let Story { group, coop, .. } = story(&app).await;
        let base = format!("/v1/groups/{group}/investments/{coop}");
        // Write PHP 2,000 down, then the cooperative returns PHP 19,000 of capital: 18,000 is the
        // remaining cost, 1,000 a gain. Net return = 2,500 income + 19,000 back + 0 held − 20,000.
        created(
            &app.post_with_key(
                &format!("{base}/write-downs"),
                &key(),
                &json!({"amount": "2000.00", "booked_on": "2026-07-10", "note": "drought"}),
            )
            .await,
        );
        created(&app.post_with_key(&format!("{base}/returns"), &key(),
        &json!({"kind": "capital_returned", "amount": "19000.00", "booked_on": "2026-07-20"})).await);
        let page = app.get(&base).await;
        let page = ok(&page);
        assert_eq!(page["book_value"], "0.00");
        assert_eq!(page["written_down"], "2000.00");
        assert_eq!(page["capital_returned"], "19000.00");
        assert_eq!(page["net_return"], "1500.00");
        assert_eq!(page["roi_percent"], "7.50");
        assert_eq!(
            balance(&app, &group, "income:investments:PHP").await,
            "1000.00"
        );
        assert_eq!(
            balance(&app, &group, "expense:impairment:PHP").await,
            "2000.00"
        );
        // Exited: no more disbursements, but late income is still recorded.
        let exited = app
            .send(
                app.client
                    .patch(app.url(&base))
                    .json(&json!({"status": "exited", "status_on": "2026-07-21"})),
            )
            .await;
        assert_eq!(ok(&exited)["status"], "exited");
        let reply = app
            .post_with_key(
                &format!("{base}/disbursements"),
                &key(),
                &json!({"amount": "1.00"}),
            )
            .await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "investment-closed",
        );
        created(
            &app.post_with_key(
                &format!("{base}/returns"),
                &key(),
                &json!({"kind": "income", "amount": "100.00"}),
            )
            .await,
        );
        let returns = app.get(&format!("{base}/returns")).await;
        assert_eq!(ok(&returns)["items"].as_array().expect("items").len(), 4);
        // A reversed return no longer counts on the page.
        let last = ok(&returns)["items"][3].clone();
        let tx = s(&last["transaction_id"]);
        created(
            &app.post_with_key(
                &format!("/v1/groups/{group}/transactions/{tx}/reversal"),
                &key(),
                &json!({}),
            )
            .await,
        );
        let page = app.get(&base).await;
        assert_eq!(ok(&page)["income_received"], "2500.00");
    }
);

both_backends!(
    an_investments_income_can_be_shared_out_directly,
    |app| async move {
        let Story {
            group, coop, eli, ..
        } = story(&app).await;
        let distributions = format!("/v1/groups/{group}/distributions");
        let from_coop = |pool: &str| {
            json!({"pool": pool, "investment_id": coop, "basis": "equal", "as_of": "2026-07-31",
               "pay_to": "payable", "booked_on": "2026-08-01"})
        };
        // New income, shared equally among the five members: PHP 60.00 each.
        let base = format!("/v1/groups/{group}/investments/{coop}");
        created(
            &app.post_with_key(
                &format!("{base}/returns"),
                &key(),
                &json!({"kind": "income", "amount": "300.00", "booked_on": "2026-07-31"}),
            )
            .await,
        );
        let reply = app
            .post_with_key(&distributions, &key(), &from_coop("300.00"))
            .await;
        let d = created(&reply);
        assert_eq!(d["investment_id"], json!(coop));
        assert_eq!(d["total_weight"], "5");
        assert!(
            d["shares"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["share"] == "60.00" && s["weight"] == "1")
        );
        assert_eq!(
            balance(&app, &group, "income:investments:PHP").await,
            "0.00"
        );
        assert_eq!(
            balance(&app, &group, &format!("liabilities:payable:{eli}:PHP")).await,
            "60.00"
        );
        // The half-year's income, closed into the surplus, is still the cooperative's to share:
        // PHP 2,500 less the PHP 50 lost on a transfer, as far as the surplus holds it.
        let reply = app
            .post_with_key(&distributions, &key(), &from_coop("2450.01"))
            .await;
        refused(&reply, "pool-exceeds-available", "/pool");
        created(
            &app.post_with_key(&distributions, &key(), &from_coop("2450.00"))
                .await,
        );
        // It has all been shared out now.
        let reply = app
            .post_with_key(&distributions, &key(), &from_coop("0.01"))
            .await;
        refused(&reply, "pool-exceeds-available", "/pool");
        let reply = app
        .post_with_key(
            &distributions,
            &key(),
            &json!({"pool": "1.00", "investment_id": coop, "currency": "HKD", "pay_to": "payable"}),
        )
        .await;
        refused(&reply, "currency-mismatch", "/currency");
    }
);

both_backends!(
    a_period_closes_after_a_later_correction_of_its_income,
    |app| async move {
        let Story { group, coop, .. } = story(&app).await;
        let base = format!("/v1/groups/{group}/investments/{coop}");
        // July's income is booked on 31 July, then found to be wrong and reversed in August, before
        // July is closed: the close moves July's PHP 400 and the reversal stays in August.
        let income = app
            .post_with_key(
                &format!("{base}/returns"),
                &key(),
                &json!({"kind": "income", "amount": "400.00", "booked_on": "2026-07-31"}),
            )
            .await;
        let tx = s(&created(&income)["transaction_id"]).to_string();
        created(
            &app.post_with_key(
                &format!("/v1/groups/{group}/transactions/{tx}/reversal"),
                &key(),
                &json!({"booked_on": "2026-08-02"}),
            )
            .await,
        );
        let close = app
            .post_with_key(
                &format!("/v1/groups/{group}/period-closes"),
                &key(),
                &json!({"through": "2026-07-31"}),
            )
            .await;
        created(&close);
        assert_eq!(
            balance(&app, &group, "equity:undistributed:PHP").await,
            "2850.00"
        );
        assert_eq!(
            balance(&app, &group, "income:investments:PHP").await,
            "-400.00"
        );
        // August's close takes the reversal back out of the surplus.
        created(
            &app.post_with_key(
                &format!("/v1/groups/{group}/period-closes"),
                &key(),
                &json!({"through": "2026-08-31"}),
            )
            .await,
        );
        assert_eq!(
            balance(&app, &group, "equity:undistributed:PHP").await,
            "2450.00"
        );
        assert_eq!(
            balance(&app, &group, "income:investments:PHP").await,
            "0.00"
        );
    }
);

both_backends!(a_group_may_start_with_no_accounts, |app| async move {
    let body = json!({"name": "Migrated Books", "currency": "SGD", "host_country": "SG",
                      "home_country": "ID", "chart": "empty"});
    let reply = app.post("/v1/groups", &body).await;
    let group = s(&created(&reply)["id"]).to_string();
    let accounts = app.get(&format!("/v1/groups/{group}/accounts")).await;
    assert_eq!(ok(&accounts)["items"], json!([]));
    let mut bad = body.clone();
    bad["chart"] = json!("minimal");
    refused(
        &app.post("/v1/groups", &bad).await,
        "invalid-field",
        "/chart",
    );
});

both_backends!(
    writing_an_investment_off_writes_down_what_is_left,
    |app| async move {
        let Story { group, coop, .. } = story(&app).await;
        let base = format!("/v1/groups/{group}/investments/{coop}");
        let patch = |body: Value| app.send(app.client.patch(app.url(&base)).json(&body));
        let page = patch(json!({"status": "written_off", "status_on": "2026-08-15"})).await;
        let page = ok(&page);
        assert_eq!(page["status"], "written_off");
        assert_eq!(page["book_value"], "0.00");
        assert_eq!(page["written_down"], "20000.00");
        assert_eq!(page["net_return"], "-17500.00");
        assert_eq!(page["roi_percent"], "-87.50");
        assert_eq!(
            balance(&app, &group, "expense:impairment:PHP").await,
            "20000.00"
        );
        let write_downs = app.get(&format!("{base}/write-downs")).await;
        let items = ok(&write_downs)["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["booked_on"], "2026-08-15");
        assert_eq!(items[0]["note"], "written off");
        // Asking again changes nothing.
        let head_before = head(&app, &group).await;
        ok(&patch(json!({"status": "written_off", "status_on": "2026-08-16"})).await);
        assert_eq!(head(&app, &group).await, head_before);
        // A write-off inside a closed period is refused and leaves the investment active.
        let other = app
        .post_with_key(
            &format!("/v1/groups/{group}/investments"),
            &key(),
            &json!({"name": "Sari-sari store", "kind": "enterprise", "sector": "retail", "country": "PH", "currency": "PHP"}),
        )
        .await;
        let other = s(&created(&other)["id"]).to_string();
        created(
            &app.post_with_key(
                &format!("/v1/groups/{group}/investments/{other}/disbursements"),
                &key(),
                &json!({"amount": "100.00", "booked_on": "2026-07-01"}),
            )
            .await,
        );
        let reply = app
            .send(
                app.client
                    .patch(app.url(&format!("/v1/groups/{group}/investments/{other}")))
                    .json(&json!({"status": "written_off", "status_on": "2026-06-30"})),
            )
            .await;
        refused(&reply, "closed-period", "/status_on");
        let still = app
            .get(&format!("/v1/groups/{group}/investments/{other}"))
            .await;
        assert_eq!(ok(&still)["status"], "active");
        assert_eq!(ok(&still)["book_value"], "100.00");
    }
);

both_backends!(
    a_distribution_pays_every_member_of_a_group_of_more_than_a_hundred,
    |app| async move {
        // A transaction a client sends has at most 100 entries; a distribution pays each
        // member in its own entry, so a group of 120 members takes 121 entries.
        let Story { group, .. } = story(&app).await;
        for n in 0..115 {
            member(&app, &group, &format!("Member {n}"), "female").await;
        }
        let distributions = format!("/v1/groups/{group}/distributions");
        let reply = app
            .post_with_key(
                &distributions,
                &key(),
                &json!({"pool": "1200.00", "currency": "PHP", "basis": "equal",
                        "as_of": "2026-07-31", "pay_to": "payable", "booked_on": "2026-08-01"}),
            )
            .await;
        let distribution = created(&reply);
        let shares = distribution["shares"].as_array().expect("shares");
        assert_eq!(shares.len(), 120);
        assert!(
            shares.iter().all(|share| share["share"] == "10.00"),
            "{distribution}"
        );
        let transaction = app
            .get(&format!(
                "/v1/groups/{group}/transactions/{}",
                s(&distribution["transaction_id"])
            ))
            .await;
        assert_eq!(
            ok(&transaction)["entries"].as_array().map(Vec::len),
            Some(121)
        );
        assert_eq!(
            balance(&app, &group, "equity:undistributed:PHP").await,
            "1250.00"
        );
        let verify = app.get(&format!("/v1/groups/{group}/ledger/verify")).await;
        assert_eq!(ok(&verify)["ok"], json!(true));
    }
);

/// The ids of a list read a page of one at a time, following each page's cursor.
async fn ids_page_by_page(app: &support::app::TestApp, list: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut url = format!("{list}?limit=1");
    loop {
        let reply = app.get(&url).await;
        let page = ok(&reply);
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 1, "{page}");
        ids.extend(items.iter().map(|i| s(&i["id"]).to_string()));
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{list}?limit=1&cursor={cursor}"),
            None => return ids,
        }
    }
}

both_backends!(
    a_groups_records_are_listed_page_by_page_and_found_only_in_their_group,
    |app| async move {
        let Story { group, .. } = story(&app).await;
        // A second investment and two distributions, so that every list has more than a page.
        created(
            &app.post_with_key(
                &format!("/v1/groups/{group}/investments"),
                &key(),
                &json!({"name": "Sari-sari store", "kind": "enterprise", "sector": "retail",
                        "country": "PH", "currency": "PHP", "committed_amount": "5000.00"}),
            )
            .await,
        );
        for on in ["2026-08-01", "2026-09-01"] {
            created(
                &app.post_with_key(
                    &format!("/v1/groups/{group}/distributions"),
                    &key(),
                    &json!({"pool": "100.00", "currency": "PHP", "basis": "equal",
                            "as_of": on, "pay_to": "payable", "booked_on": on}),
                )
                .await,
            );
        }
        let other = app.create_group("Other").await;
        let nobody = "0190d5a0-0000-7000-8000-000000000000";
        for (list, slug, expected) in [
            ("members", "member", 5),
            ("transfers", "transfer", 2),
            ("investments", "investment", 2),
            ("distributions", "distribution", 2),
        ] {
            let path = format!("/v1/groups/{group}/{list}");
            let whole = app.get(&path).await;
            let all: Vec<String> = ok(&whole)["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| s(&i["id"]).to_string())
                .collect();
            assert_eq!(all.len(), expected, "{list}");
            assert_eq!(ids_page_by_page(&app, &path).await, all, "{list}");
            // Each is read alone in its group, exactly as listed (its accounts, balances and
            // figures its own), and is no record of another group's.
            for (id, listed) in all
                .iter()
                .zip(ok(&whole)["items"].as_array().expect("items"))
            {
                let one = app.get(&format!("{path}/{id}")).await;
                assert_eq!(ok(&one), listed, "{list}");
                let elsewhere = app.get(&format!("/v1/groups/{other}/{list}/{id}")).await;
                assert_problem(&elsewhere, StatusCode::NOT_FOUND, "not-found");
                assert!(
                    s(&elsewhere.body["detail"]).contains(slug),
                    "{list}: {}",
                    elsewhere.body
                );
            }
            let empty = app.get(&format!("/v1/groups/{other}/{list}")).await;
            assert_eq!(ok(&empty)["items"], json!([]), "{list}");
            let no_group = app.get(&format!("/v1/groups/{nobody}/{list}")).await;
            assert_problem(&no_group, StatusCode::NOT_FOUND, "not-found");
            assert!(
                s(&no_group.body["detail"]).contains("group"),
                "{list}: {}",
                no_group.body
            );
        }
    }
);

both_backends!(
    reversed_transfers_and_returns_say_so_and_can_be_left_out_of_their_lists,
    |app| async move {
        let Story { group, coop, .. } = story(&app).await;
        let transfers = format!("/v1/groups/{group}/transfers");
        let returns = format!("/v1/groups/{group}/investments/{coop}/returns");
        let transfer = created(
            &app.post_with_key(
                &transfers,
                &key(),
                &json!({"from": "assets:cash:HKD", "to": "assets:bank:HKD", "amount": "100.00",
                        "booked_on": "2026-07-02"}),
            )
            .await,
        )
        .clone();
        let income = created(
            &app.post_with_key(
                &returns,
                &key(),
                &json!({"kind": "income", "amount": "50.00", "booked_on": "2026-07-02"}),
            )
            .await,
        )
        .clone();
        let mut reversals = Vec::new();
        for record in [&transfer, &income] {
            let tx = s(&record["transaction_id"]);
            let reply = app
                .post_with_key(
                    &format!("/v1/groups/{group}/transactions/{tx}/reversal"),
                    &key(),
                    &json!({}),
                )
                .await;
            reversals.push(created(&reply)["id"].clone());
        }
        for ((list, record), reversal) in [(&transfers, &transfer), (&returns, &income)]
            .into_iter()
            .zip(&reversals)
        {
            let all = ok(&app.get(list).await).clone();
            let found = all["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|i| i["id"] == record["id"])
                .unwrap_or_else(|| panic!("{list} lists the reversed record: {all}"))
                .clone();
            assert_eq!(&found["reversed_by"], reversal, "{list}");
            let standing = ok(&app.get(&format!("{list}?include_reversed=false")).await).clone();
            assert!(
                standing["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .all(|i| i["id"] != record["id"] && i["reversed_by"].is_null()),
                "{list}: {standing}"
            );
        }
    }
);

async fn listed(app: &support::app::TestApp, path: &str) -> usize {
    ok(&app.get(path).await)["items"].as_array().unwrap().len()
}

/// The pointers a refusal names, in order.
fn pointers(reply: &support::app::Reply) -> Vec<String> {
    reply.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("errors: {}", reply.body))
        .iter()
        .map(|e| s(&e["pointer"]).to_string())
        .collect()
}

both_backends!(
    rates_that_disagree_with_their_amounts_and_negative_costs_are_refused,
    |app| async move {
        let Story { group, bea, .. } = story(&app).await;
        let remittances = format!("/v1/groups/{group}/remittances");
        let transfers = format!("/v1/groups/{group}/transfers");
        let remittance = |applied: Option<&str>, mid: Option<&str>, receive: &str| {
            let mut body = json!({
                "member_id": bea, "send_amount": "1000.00", "send_currency": "HKD", "fee": "20.00",
                "receive_amount": receive, "receive_currency": "PHP",
                "provider": "Padala Express", "channel": "bank", "send_country": "HK",
                "receive_country": "PH",
                "uses": [{"purpose": "family_support", "amount": receive}],
                "booked_on": "2026-07-02"
            });
            if let Some(rate) = applied {
                body["applied_rate"] = json!(rate);
            }
            if let Some(rate) = mid {
                body["mid_market_rate"] = json!(rate);
            }
            body
        };
        let before = head(&app, &group).await;
        let count_before = listed(&app, &remittances).await;

        // 9.9 given, 7.0 implied by HKD 1,000 → PHP 7,000.
        let reply = app
            .post_with_key(
                &remittances,
                &key(),
                &remittance(Some("9.9"), Some("7.10"), "7000.00"),
            )
            .await;
        refused(&reply, "invalid-field", "/applied_rate");
        assert_eq!(
            pointers(&reply),
            ["/applied_rate", "/send_amount", "/receive_amount"]
        );
        assert!(
            s(&reply.body["detail"]).contains("imply 7"),
            "{}",
            reply.body
        );
        // The rounding of a minor unit is allowed: 1,000.00 × 7 = 7,000.00 against 7,000.08 (at
        // most 0.01 PHP + 7 × 0.01 HKD apart); 7,000.09 is not.
        created(
            &app.post_with_key(
                &remittances,
                &key(),
                &remittance(Some("7"), None, "7000.08"),
            )
            .await,
        );
        let reply = app
            .post_with_key(
                &remittances,
                &key(),
                &remittance(Some("7"), None, "7000.09"),
            )
            .await;
        refused(&reply, "invalid-field", "/applied_rate");
        // A rate above the mid-market rate whose margin more than pays the fee: at 7.00 against
        // 6.50, the margin is −76.92 and the cost −56.92 (−5.69 %).
        let reply = app
            .post_with_key(
                &remittances,
                &key(),
                &remittance(Some("7.00"), Some("6.50"), "7000.00"),
            )
            .await;
        refused(&reply, "invalid-field", "/applied_rate");
        assert_eq!(
            pointers(&reply),
            ["/applied_rate", "/mid_market_rate", "/fee"]
        );
        assert!(
            s(&reply.body["detail"]).contains("-56.92"),
            "{}",
            reply.body
        );
        // A rate derived from the amounts is named by the amount received.
        let reply = app
            .post_with_key(
                &remittances,
                &key(),
                &remittance(None, Some("6.50"), "7000.00"),
            )
            .await;
        assert_eq!(
            pointers(&reply),
            ["/receive_amount", "/mid_market_rate", "/fee"]
        );

        // Transfers between currencies obey the same rules.
        let transfer = |applied: Option<&str>, mid: Option<&str>| {
            let mut body = json!({"from": "assets:cash:HKD", "to": "assets:home-bank:PHP",
                                  "amount": "100.00", "receive_amount": "700.00", "booked_on": "2026-07-02"});
            if let Some(rate) = applied {
                body["applied_rate"] = json!(rate);
            }
            if let Some(rate) = mid {
                body["mid_market_rate"] = json!(rate);
            }
            body
        };
        let reply = app
            .post_with_key(&transfers, &key(), &transfer(Some("9.9"), None))
            .await;
        refused(&reply, "invalid-field", "/applied_rate");
        assert_eq!(
            pointers(&reply),
            ["/applied_rate", "/amount", "/receive_amount"]
        );
        let reply = app
            .post_with_key(&transfers, &key(), &transfer(None, Some("6")))
            .await;
        assert_eq!(
            pointers(&reply),
            ["/receive_amount", "/mid_market_rate", "/fee"]
        );

        // Only the one remittance within the rounding was written.
        assert_eq!(listed(&app, &remittances).await, count_before + 1);
        assert_eq!(head(&app, &group).await, before);
        let costs = ok(&app.get(&remittances).await)["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| !s(&r["cost"]["percent"]).starts_with('-'));
        assert!(costs, "no remittance has a negative cost");
    }
);

both_backends!(
    an_investments_income_is_shared_out_before_and_after_a_period_close,
    |app| async move {
        let Story { group, coop, .. } = story(&app).await;
        let distributions = format!("/v1/groups/{group}/distributions");
        let share = |pool: &str, on: &str| {
            json!({"pool": pool, "investment_id": coop, "basis": "equal", "as_of": "2026-06-30",
                   "pay_to": "payable", "booked_on": on})
        };
        // The close moved the cooperative's PHP 2,500 of income (less the PHP 50 lost on a
        // transfer) into equity:undistributed:PHP: its income is still its own to share out.
        let first = created(
            &app.post_with_key(&distributions, &key(), &share("1000.00", "2026-07-01"))
                .await,
        )
        .clone();
        assert_eq!(first["investment_id"], coop);
        assert_eq!(first["shares_total"], "1000.00");
        assert_eq!(
            balance(&app, &group, "equity:undistributed:PHP").await,
            "1450.00"
        );
        // New income, not yet closed, is taken first from the income account, then the rest
        // from the undistributed surplus.
        created(
            &app.post_with_key(
                &format!("/v1/groups/{group}/investments/{coop}/returns"),
                &key(),
                &json!({"kind": "income", "amount": "300.00", "booked_on": "2026-07-05"}),
            )
            .await,
        );
        created(
            &app.post_with_key(&distributions, &key(), &share("400.00", "2026-07-06"))
                .await,
        );
        assert_eq!(
            balance(&app, &group, "income:investments:PHP").await,
            "0.00"
        );
        assert_eq!(
            balance(&app, &group, "equity:undistributed:PHP").await,
            "1350.00"
        );
        // The cooperative has PHP 2,800 − 1,400 = 1,400 not yet shared out, of which the group
        // holds 1,350.
        let reply = app
            .post_with_key(&distributions, &key(), &share("1350.01", "2026-07-06"))
            .await;
        refused(&reply, "pool-exceeds-available", "/pool");
        assert!(
            s(&reply.body["detail"]).contains("1350.00"),
            "{}",
            reply.body
        );
        created(
            &app.post_with_key(&distributions, &key(), &share("1350.00", "2026-07-06"))
                .await,
        );
    }
);

both_backends!(
    what_the_group_owes_a_member_is_part_of_her_position_everywhere,
    |app| async move {
        let Story { group, ana, .. } = story(&app).await;
        // A donation of HKD 560 brings the surplus (−60 after the half-year's fees) to HKD 500,
        // shared equally among the five members as payables: HKD 100 each.
        created(
            &app.post_with_key(
                &format!("/v1/groups/{group}/transactions"),
                &key(),
                &json!({"description": "Donation from the parish", "booked_on": "2026-07-01",
                        "entries": [
                    {"account": "assets:cash:HKD", "direction": "debit", "amount": "560.00"},
                    {"account": "equity:undistributed:HKD", "direction": "credit", "amount": "560.00"}
                ]}),
            )
            .await,
        );
        created(
            &app.post_with_key(
                &format!("/v1/groups/{group}/distributions"),
                &key(),
                &json!({"pool": "500.00", "currency": "HKD", "basis": "equal",
                        "as_of": "2026-06-30", "pay_to": "payable", "booked_on": "2026-07-01"}),
            )
            .await,
        );
        let expected = json!([{"currency": "HKD", "savings": "1500.00", "capital": "0.00",
                               "payable": "100.00", "available": "1600.00"}]);
        // The statement: available counts what the group owes her.
        let statement = app
            .get(&format!("/v1/groups/{group}/members/{ana}/statement"))
            .await;
        support::openapi::assert_reply_matches(
            "GET",
            "/v1/groups/{group_id}/members/{member_id}/statement",
            &statement,
        );
        let statement = ok(&statement);
        assert_eq!(statement["current_balance"], "1500.00");
        assert_eq!(statement["available_balance"], "1600.00");
        assert_eq!(statement["position"], expected);
        // Its printable page.
        let page = app
            .get(&format!(
                "/v1/groups/{group}/members/{ana}/statement?format=html"
            ))
            .await;
        assert!(page.text.contains("Owed to you"), "{}", page.text);
        assert!(
            page.text.contains("Available: <strong>1600.00</strong>"),
            "{}",
            page.text
        );
        // Her record.
        let record = app.get(&format!("/v1/groups/{group}/members/{ana}")).await;
        support::openapi::assert_reply_matches(
            "GET",
            "/v1/groups/{group_id}/members/{member_id}",
            &record,
        );
        assert_eq!(ok(&record)["position"], expected);
        // The members' balances report.
        let report = app
            .get(&format!("/v1/groups/{group}/reports/member-balances"))
            .await;
        let row = ok(&report)["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["member_id"] == ana.as_str())
            .expect("Ana's row")["balances"]
            .clone();
        assert_eq!(row, expected);
        // Her exit pays out exactly that position.
        let exit = app
            .post_with_key(
                &format!("/v1/groups/{group}/members/{ana}/exit"),
                &key(),
                &json!({"status": "exited", "on": "2026-07-15", "channel": "cash"}),
            )
            .await;
        let paid: Vec<(String, String)> = created(&exit)["paid"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (s(&p["account"]).to_string(), s(&p["amount"]).to_string()))
            .collect();
        assert_eq!(
            paid,
            vec![
                (format!("liabilities:savings:{ana}"), "1500.00".to_string()),
                (
                    format!("liabilities:payable:{ana}:HKD"),
                    "100.00".to_string()
                ),
            ]
        );
        let record = app.get(&format!("/v1/groups/{group}/members/{ana}")).await;
        assert_eq!(ok(&record)["position"][0]["available"], "0.00");
    }
);

both_backends!(
    a_group_of_five_hundred_members_shares_out_in_one_distribution,
    |app| async move {
        let group = app
            .post(
                "/v1/groups",
                &json!({"name": "Five Hundred Savers", "currency": "HKD", "host_country": "HK",
                        "home_country": "PH"}),
            )
            .await;
        let group = s(&created(&group)["id"]).to_string();
        app.without_approvals(&group).await;
        // Members are added by eight clients at once, as treasurers' phones would.
        let mut tasks = tokio::task::JoinSet::new();
        for worker in 0..8 {
            let client = app.client.clone();
            let url = app.url(&format!("/v1/groups/{group}/members"));
            tasks.spawn(async move {
                let mut ids = Vec::new();
                for n in (worker..500).step_by(8) {
                    let reply = client
                        .post(&url)
                        .json(&json!({"name": format!("Member {n}"), "sex": "female",
                                      "home_country": "PH", "host_country": "HK",
                                      "joined_on": "2026-01-10"}))
                        .send()
                        .await
                        .expect("member request");
                    assert_eq!(reply.status(), StatusCode::CREATED);
                    let body: Value = reply.json().await.expect("member body");
                    ids.push(body["id"].as_str().expect("id").to_string());
                }
                ids
            });
        }
        let mut members = 0;
        while let Some(ids) = tasks.join_next().await {
            members += ids.expect("worker").len();
        }
        assert_eq!(members, 500);
        created(
            &app.post_with_key(
                &format!("/v1/groups/{group}/transactions"),
                &key(),
                &json!({"description": "Surplus to share", "booked_on": "2026-07-01", "entries": [
                    {"account": "assets:cash:HKD", "direction": "debit", "amount": "5000.01"},
                    {"account": "equity:undistributed:HKD", "direction": "credit", "amount": "5000.01"}
                ]}),
            )
            .await,
        );
        let reply = app
            .post_with_key(
                &format!("/v1/groups/{group}/distributions"),
                &key(),
                &json!({"pool": "5000.01", "currency": "HKD", "basis": "equal",
                        "as_of": "2026-06-30", "pay_to": "payable", "booked_on": "2026-07-01"}),
            )
            .await;
        let d = created(&reply);
        let shares = d["shares"].as_array().unwrap();
        assert_eq!(shares.len(), 500);
        assert_eq!(d["shares_total"], "5000.01");
        // 10.00 each and the leftover cent to the member who joined first.
        assert_eq!(shares.iter().filter(|s| s["share"] == "10.01").count(), 1);
        assert_eq!(shares.iter().filter(|s| s["share"] == "10.00").count(), 499);
        let transaction = s(&d["transaction_id"]).to_string();
        let t = app
            .get(&format!("/v1/groups/{group}/transactions/{transaction}"))
            .await;
        assert_eq!(ok(&t)["entries"].as_array().unwrap().len(), 501);
        let audit = app
            .get(&format!("/v1/groups/{group}/reports/distribution-audit"))
            .await;
        assert_eq!(
            ok(&audit)["distributions"][0]["matches_recomputation"],
            true,
            "{}",
            audit.body
        );
    }
);

both_backends!(
    fx_clearing_is_shown_as_a_position_per_pair_and_a_close_revalues_it,
    |app| async move {
        let Story { group, .. } = story(&app).await;
        let statements = format!("/v1/groups/{group}/reports/financial-statements");
        // HKD 3,000 sent for PHP 21,000 and PHP 3,500 of savings credited as HKD 500: one HKD/PHP
        // position, worth zero at the events' rate of 7.
        let plain = app.get(&statements).await;
        assert_eq!(
            ok(&plain)["fx_positions"],
            json!([{"pair": "HKD/PHP", "base": "HKD", "quote": "PHP", "base_amount": "3500.00",
                    "quote_amount": "-24500.00", "events_rate": "7", "rate": null, "value": null,
                    "gain_or_loss": null}])
        );
        assert_eq!(ok(&plain)["fx_unpaired"], json!([]));
        // At 7.20 PHP a dollar the PHP 24,500 is worth HKD 3,402.78: a loss of 97.22.
        let valued = app.get(&format!("{statements}?fx_rate=HKD/PHP:7.20")).await;
        let template = "/v1/groups/{group_id}/reports/financial-statements";
        support::openapi::assert_reply_matches("GET", template, &plain);
        support::openapi::assert_reply_matches("GET", template, &valued);
        let position = &ok(&valued)["fx_positions"][0];
        assert_eq!(position["rate"], "7.2");
        assert_eq!(position["value"], "97.22");
        assert_eq!(position["gain_or_loss"], "-97.22");
        let csv = app
            .get(&format!("{statements}?fx_rate=HKD/PHP:7.20&format=csv"))
            .await;
        assert!(
            csv.text
                .contains("HKD,fx_position,gain_or_loss,HKD/PHP,at 7.2,-97.22"),
            "{}",
            csv.text
        );
        // The pair is named as it is reported.
        let reply = app
            .get(&format!("{statements}?fx_rate=PHP/HKD:0.1389"))
            .await;
        support::openapi::assert_reply_matches("GET", template, &reply);
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
        );
        assert!(
            s(&reply.body["detail"]).contains("HKD/PHP"),
            "{}",
            reply.body
        );

        // Closing the third quarter at 7.20 posts the loss and closes it into equity.
        let closes = format!("/v1/groups/{group}/period-closes");
        let reversed = app
            .post_with_key(
                &closes,
                &key(),
                &json!({"through": "2026-09-30",
                        "fx_rates": [{"base": "PHP", "quote": "HKD", "rate": "0.1389"}]}),
            )
            .await;
        refused(&reversed, "invalid-field", "/fx_rates/0");
        let close = app
            .post_with_key(
                &closes,
                &key(),
                &json!({"through": "2026-09-30",
                        "fx_rates": [{"base": "HKD", "quote": "PHP", "rate": "7.20"}]}),
            )
            .await;
        support::openapi::assert_reply_matches(
            "POST",
            "/v1/groups/{group_id}/period-closes",
            &close,
        );
        support::openapi::assert_request_matches(
            "POST",
            "/v1/groups/{group_id}/period-closes",
            &json!({"through": "2026-09-30",
                    "fx_rates": [{"base": "HKD", "quote": "PHP", "rate": "7.20"}]}),
        );
        let close = created(&close).clone();
        let revaluations = close["revaluations"].as_array().unwrap();
        assert_eq!(revaluations.len(), 1);
        assert_eq!(revaluations[0]["pair"], "HKD/PHP");
        assert_eq!(revaluations[0]["gain_or_loss"], "-97.22");
        assert_eq!(revaluations[0]["currency"], "HKD");
        assert_eq!(balance(&app, &group, "assets:fx:HKD").await, "3402.78");
        assert_eq!(balance(&app, &group, "expense:fx-loss:HKD").await, "0.00");
        assert_eq!(
            balance(&app, &group, "equity:undistributed:HKD").await,
            "-157.22"
        );
        let transaction = s(&revaluations[0]["transaction_id"]).to_string();
        let t = app
            .get(&format!("/v1/groups/{group}/transactions/{transaction}"))
            .await;
        assert_eq!(ok(&t)["booked_on"], "2026-09-30");
        assert_eq!(ok(&t)["metadata"]["event"], "fx_revaluation");
        // The position is now worth zero at the closing rate.
        let after = app.get(&format!("{statements}?fx_rate=HKD/PHP:7.20")).await;
        let position = &ok(&after)["fx_positions"][0];
        assert_eq!(position["base_amount"], "3402.78");
        assert_eq!(position["value"], "0.00");
        assert_eq!(ok(&after)["fx_unpaired"], json!([]));
        let verify = app.get(&format!("/v1/groups/{group}/ledger/verify")).await;
        assert_eq!(ok(&verify)["ok"], true, "{}", verify.body);
    }
);

/// The pointers a refusal names, each with the type it names (empty: the problem's own).
fn typed_pointers(reply: &support::app::Reply) -> Vec<(String, String)> {
    reply.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("errors: {}", reply.body))
        .iter()
        .map(|e| {
            (
                s(&e["pointer"]).to_string(),
                e["type"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// `pointers` with no type of their own, and `zero` typed as a zero amount.
fn expected(pointers: &[&str], zero: &[&str]) -> Vec<(String, String)> {
    pointers
        .iter()
        .map(|p| {
            let kind = if zero.contains(p) {
                "/problems/non-positive-amount"
            } else {
                ""
            };
            (p.to_string(), kind.to_string())
        })
        .collect()
}

both_backends!(
    an_operation_with_several_wrong_fields_hears_of_every_one_and_writes_nothing,
    |app| async move {
        let Story {
            group, bea, coop, ..
        } = story(&app).await;
        let at = |path: &str| format!("/v1/groups/{group}/{path}");
        let before = head(&app, &group).await;
        let trial_balance = app.get(&at("trial-balance")).await.body;
        let lists = [
            "remittances",
            "transfers",
            "investments",
            "distributions",
            &format!("investments/{coop}/disbursements"),
            &format!("investments/{coop}/returns"),
            &format!("investments/{coop}/write-downs"),
        ]
        .map(at);
        let mut counts = Vec::new();
        for list in &lists {
            counts.push(listed(&app, list).await);
        }
        let long = "x".repeat(1001);
        let cases = [
            (
                "remittances",
                json!({
                    "member_id": bea, "send_amount": "0", "send_currency": "HKX", "fee": "20.00",
                    "receive_amount": "7000.00", "receive_currency": "PHP",
                    "provider": " ", "channel": "bank", "send_country": "HK", "receive_country": "ph",
                    "uses": [{"purpose": "family_support", "amount": "7000.00"},
                             {"purpose": "family_support", "amount": "1.001"}],
                    "booked_on": "1960-01-01"
                }),
                expected(
                    &[
                        "/send_currency",
                        "/send_amount",
                        "/uses/1/purpose",
                        "/uses/1/amount",
                        "/provider",
                        "/receive_country",
                        "/booked_on",
                    ],
                    &["/send_amount"],
                ),
            ),
            (
                "transfers",
                json!({"from": "assets:cash:HKD", "to": "assets:bank:HKD", "amount": "0.00",
                       "fee": "-1", "applied_rate": "x", "booked_on": "2999-01-01",
                       "description": long}),
                expected(
                    &[
                        "/amount",
                        "/fee",
                        "/applied_rate",
                        "/booked_on",
                        "/description",
                    ],
                    &["/amount"],
                ),
            ),
            (
                "investments",
                json!({"name": "", "kind": "cooperative", "sector": "rice", "country": "Philippines",
                       "currency": "PHX", "committed_amount": "0"}),
                expected(
                    &["/name", "/country", "/currency", "/committed_amount"],
                    &["/committed_amount"],
                ),
            ),
            (
                &format!("investments/{coop}/disbursements"),
                json!({"amount": "0", "booked_on": "1960-01-01", "note": "n".repeat(201)}),
                expected(&["/amount", "/booked_on", "/note"], &["/amount"]),
            ),
            (
                &format!("investments/{coop}/returns"),
                json!({"kind": "income", "amount": "1,000", "booked_on": "2999-01-01",
                       "note": "\u{7}"}),
                expected(&["/amount", "/booked_on", "/note"], &[]),
            ),
            (
                &format!("investments/{coop}/write-downs"),
                json!({"amount": "0.00", "note": "n".repeat(201)}),
                expected(&["/amount", "/note"], &["/amount"]),
            ),
            (
                "distributions",
                json!({"pool": "ten", "currency": "PH", "pay_to": "payable",
                       "as_of": "1960-01-01", "booked_on": "2999-01-01"}),
                expected(&["/pool", "/currency", "/booked_on", "/as_of"], &[]),
            ),
            (
                &format!("members/{bea}/exit"),
                json!({"status": "exited", "keep_capital": true, "on": "2999-01-01",
                       "channel": "cash"}),
                expected(&["/keep_capital", "/on"], &[]),
            ),
        ];
        for (path, body, fields) in cases {
            let reply = app.post_with_key(&at(path), &key(), &body).await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(typed_pointers(&reply), fields, "{path}: {}", reply.body);
        }
        // Two zero amounts and nothing else: listed under the type they share.
        let reply = app
            .post_with_key(
                &at("transfers"),
                &key(),
                &json!({"from": "assets:cash:HKD", "to": "assets:home-bank:PHP",
                        "amount": "0", "receive_amount": "0.00"}),
            )
            .await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "non-positive-amount",
        );
        assert_eq!(pointers(&reply), ["/amount", "/receive_amount"]);

        assert_eq!(head(&app, &group).await, before);
        assert_eq!(app.get(&at("trial-balance")).await.body, trial_balance);
        for (list, count) in lists.iter().zip(counts) {
            assert_eq!(listed(&app, list).await, count, "{list}");
        }
        let member = app.get(&at(&format!("members/{bea}"))).await;
        assert_eq!(ok(&member)["status"], "active");
    }
);
