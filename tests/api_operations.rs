//! A savings group's year, told through the API on both backends: a Hong Kong group of five
//! members saving in HKD, a member's remittance home with part of it kept as group savings,
//! the group sending funds home to PHP with a fee, an investment in a cooperative with two
//! income returns, a period close, a distribution of the income by savings balance, and a
//! member who returns home and is paid out. Every figure is checked against values worked out
//! by hand (in the comments), and the ledger must balance per currency and verify at the end.
//! Then the refusals: each a clear 422 (or 409) that writes nothing.

mod support;

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
        // The half-year's income was closed into the surplus: none of it is left to share here.
        let reply = app
            .post_with_key(&distributions, &key(), &from_coop("1.00"))
            .await;
        refused(&reply, "pool-exceeds-available", "/pool");
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
        // It has all been shared out now, even though the surplus still holds PHP 2,450.
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
