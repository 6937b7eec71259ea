//! Group reports on the story data (see `support::story`): every figure against values worked
//! out by hand, CSV and JSON from the same rows, and who may read them.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{Reply, TestApp, assert_problem};
use support::story::{Story, created, key, ok, s, story};

async fn report(app: &TestApp, group: &str, name: &str, query: &str) -> Value {
    let reply = app
        .get(&format!("/v1/groups/{group}/reports/{name}{query}"))
        .await;
    ok(&reply).clone()
}

async fn csv(app: &TestApp, path: &str) -> Vec<Vec<String>> {
    let reply = app
        .send(app.client.get(app.url(path)).header("Accept", "text/csv"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(
        reply.content_type().starts_with("text/csv"),
        "{}",
        reply.content_type()
    );
    csv::Reader::from_reader(reply.text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn lines(section: &Value) -> Vec<(String, String)> {
    section
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (s(&l["code"]).to_string(), s(&l["amount"]).to_string()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

both_backends!(
    the_balance_sheet_and_income_statement_add_up,
    |app| async move {
        let Story {
            group,
            ana,
            bea,
            carla,
            dan,
            eli,
            coop,
        } = story(&app).await;
        let r = report(&app, &group, "financial-statements", "").await;
        let currencies = r["currencies"].as_array().unwrap();
        assert_eq!(currencies.len(), 2);
        // HKD: cash 1,490 + FX clearing 3,500 = 4,990 = savings 4,800 + Dan's capital 250 + the
        // undistributed −60 (the fees closed in June).
        let hkd = &currencies[0];
        assert_eq!(hkd["currency"], "HKD");
        let sheet = &hkd["balance_sheet"];
        assert_eq!(
            lines(&sheet["assets"]),
            pairs(&[("assets:cash:HKD", "1490.00"), ("assets:fx:HKD", "3500.00")])
        );
        assert_eq!(sheet["total_assets"], "4990.00");
        assert_eq!(
            lines(&sheet["liabilities"]),
            vec![
                (format!("liabilities:savings:{ana}"), "1500.00".to_string()),
                (format!("liabilities:savings:{bea}"), "1400.00".to_string()),
                (format!("liabilities:savings:{carla}"), "600.00".to_string()),
                (format!("liabilities:savings:{dan}"), "1000.00".to_string()),
                (format!("liabilities:savings:{eli}"), "300.00".to_string()),
            ]
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
        );
        assert_eq!(sheet["total_liabilities"], "4800.00");
        assert_eq!(
            lines(&sheet["equity"]),
            vec![
                (format!("equity:capital:{dan}"), "250.00".to_string()),
                ("equity:undistributed:HKD".to_string(), "-60.00".to_string()),
            ]
        );
        assert_eq!(sheet["total_equity"], "190.00");
        assert_eq!(
            sheet["equation"],
            json!({"assets": "4990.00", "liabilities_equity_and_result": "4990.00", "holds": true})
        );
        // The income statement leaves the closing entries out: the fees of the half-year stand.
        let income = &hkd["income_statement"];
        assert_eq!(
            lines(&income["expenses"]),
            pairs(&[("expense:fees:HKD", "60.00")])
        );
        assert_eq!(income["net_income"], "-60.00");
        // PHP: the home bank 6,950 + the cooperative 20,000 − FX clearing 24,500 = 2,450, all of
        // it the undistributed income (2,500 less the 50 lost on arrival).
        let php = &currencies[1];
        let sheet = &php["balance_sheet"];
        assert_eq!(
            lines(&sheet["assets"]),
            vec![
                ("assets:fx:PHP".to_string(), "-24500.00".to_string()),
                ("assets:home-bank:PHP".to_string(), "6950.00".to_string()),
                (format!("assets:investments:{coop}"), "20000.00".to_string()),
            ]
        );
        assert_eq!(sheet["total_assets"], "2450.00");
        assert_eq!(
            lines(&sheet["equity"]),
            pairs(&[("equity:undistributed:PHP", "2450.00")])
        );
        assert_eq!(sheet["equation"]["holds"], true);
        let income = &php["income_statement"];
        assert_eq!(
            lines(&income["income"]),
            pairs(&[("income:investments:PHP", "2500.00")])
        );
        assert_eq!(
            lines(&income["expenses"]),
            pairs(&[("expense:fx-loss:PHP", "50.00")])
        );
        assert_eq!(income["net_income"], "2450.00");

        // On 31 May, before the close: PHP assets 5,650 + 20,000 − 24,500 = 1,150 = the May income
        // 1,200 less the 50 loss, still in the income and expense accounts.
        let may = report(&app, &group, "financial-statements", "?to=2026-05-31").await;
        let php = &may["currencies"][1]["balance_sheet"];
        assert_eq!(php["total_assets"], "1150.00");
        assert_eq!(php["unclosed_income"], "1200.00");
        assert_eq!(php["unclosed_expenses"], "50.00");
        assert_eq!(php["equity"], json!([]));
        assert_eq!(php["equation"]["holds"], true);
        // June alone earned 1,300.
        let june = report(
            &app,
            &group,
            "financial-statements",
            "?from=2026-06-01&to=2026-06-30",
        )
        .await;
        assert_eq!(
            june["currencies"][1]["income_statement"]["net_income"],
            "1300.00"
        );
        assert_eq!(
            june["currencies"][0]["income_statement"]["expenses"],
            json!([])
        );

        // The CSV holds the same lines and totals.
        let rows = csv(
            &app,
            &format!("/v1/groups/{group}/reports/financial-statements"),
        )
        .await;
        assert!(
            rows.contains(&vec![
                "HKD".into(),
                "balance_sheet".into(),
                "assets".into(),
                "assets:cash:HKD".into(),
                "Cash box (HKD)".into(),
                "1490.00".into()
            ]),
            "{rows:?}"
        );
        assert!(
            rows.contains(&vec![
                "PHP".into(),
                "income_statement".into(),
                "net_income".into(),
                String::new(),
                "Total net_income".into(),
                "2450.00".into()
            ]),
            "{rows:?}"
        );
    }
);

both_backends!(
    members_balances_cash_book_register_and_distribution_audit,
    |app| async move {
        let Story {
            group,
            ana,
            bea,
            dan,
            coop,
            ..
        } = story(&app).await;
        created(
        &app.post_with_key(
            &format!("/v1/groups/{group}/distributions"),
            &key(),
            &json!({"pool": "2450.00", "currency": "PHP", "basis": "savings", "as_of": "2026-06-30", "pay_to": "payable", "booked_on": "2026-07-01"}),
        )
        .await,
    );

        // Members' balances now, and on 28 February.
        let balances = report(&app, &group, "member-balances", "").await;
        let members = balances["members"].as_array().unwrap();
        assert_eq!(members.len(), 5);
        let of = |id: &str| {
            members
                .iter()
                .find(|m| m["member_id"] == id)
                .unwrap()
                .clone()
        };
        assert_eq!(
            of(&ana)["balances"],
            json!([
                {"currency": "HKD", "savings": "1500.00", "capital": "0.00", "payable": "0.00", "available": "1500.00"},
                {"currency": "PHP", "savings": "0.00", "capital": "0.00", "payable": "765.63", "available": "765.63"},
            ])
        );
        assert_eq!(of(&dan)["balances"][0]["capital"], "250.00");
        assert_eq!(
            balances["totals"],
            json!([
                {"currency": "HKD", "savings": "4800.00", "capital": "250.00", "payable": "0.00"},
                {"currency": "PHP", "savings": "0.00", "capital": "0.00", "payable": "2450.00"},
            ])
        );
        let february = report(&app, &group, "member-balances", "?as_of=2026-02-28").await;
        let feb_of = |id: &str| {
            february["members"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["member_id"] == id)
                .unwrap()["balances"]
                .clone()
        };
        assert_eq!(feb_of(&ana).as_array().unwrap().len(), 1);
        assert_eq!(feb_of(&ana)[0]["savings"], "500.00");
        assert_eq!(feb_of(&bea)[0]["savings"], "300.00");
        // CSV: one row per member and currency, the same figures.
        let rows = csv(&app, &format!("/v1/groups/{group}/reports/member-balances")).await;
        assert_eq!(rows.len(), 10);
        assert!(
            rows.contains(&vec![
                ana.clone(),
                "Ana".into(),
                "female".into(),
                "active".into(),
                "PHP".into(),
                "0.00".into(),
                "0.00".into(),
                "765.63".into(),
                "765.63".into()
            ]),
            "{rows:?}"
        );

        // The cash book: the cash box took in 4,550 (savings and Dan's capital) and paid out 3,060
        // (HKD 3,000 sent home and its fee); the home bank took in 3,500 + 20,950 + 1,200 + 1,300
        // and paid 20,000 to the cooperative. The host bank account saw nothing.
        let book = report(&app, &group, "cash-book", "").await;
        let accounts = book["accounts"].as_array().unwrap();
        let summary: Vec<(String, String, String, String, String)> = accounts
            .iter()
            .map(|a| {
                (
                    s(&a["account"]).to_string(),
                    s(&a["opening_balance"]).to_string(),
                    s(&a["receipts"]).to_string(),
                    s(&a["payments"]).to_string(),
                    s(&a["closing_balance"]).to_string(),
                )
            })
            .collect();
        let row = |a: &str, o: &str, r: &str, p: &str, c: &str| {
            (
                a.to_string(),
                o.to_string(),
                r.to_string(),
                p.to_string(),
                c.to_string(),
            )
        };
        assert_eq!(
            summary,
            vec![
                row("assets:bank:HKD", "0.00", "0.00", "0.00", "0.00"),
                row("assets:cash:HKD", "0.00", "4550.00", "3060.00", "1490.00"),
                row(
                    "assets:home-bank:PHP",
                    "0.00",
                    "26950.00",
                    "20000.00",
                    "6950.00"
                ),
            ]
        );
        assert_eq!(accounts[1]["lines"].as_array().unwrap().len(), 17);
        let april = report(
            &app,
            &group,
            "cash-book",
            "?account=assets:cash:HKD&from=2026-04-01",
        )
        .await;
        let cash = &april["accounts"][0];
        assert_eq!(april["accounts"].as_array().unwrap().len(), 1);
        assert_eq!(
            (
                &cash["opening_balance"],
                &cash["receipts"],
                &cash["payments"],
                &cash["closing_balance"]
            ),
            (
                &json!("3250.00"),
                &json!("1300.00"),
                &json!("3060.00"),
                &json!("1490.00")
            )
        );
        let last = cash["lines"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(
            (&last["receipt"], &last["payment"], &last["balance"]),
            (&Value::Null, &json!("3060.00"), &json!("1490.00"))
        );
        let not_cash = app
            .get(&format!(
                "/v1/groups/{group}/reports/cash-book?account=liabilities:savings:{ana}"
            ))
            .await;
        assert_problem(&not_cash, StatusCode::UNPROCESSABLE_ENTITY, "account-kind");
        let rows = csv(
            &app,
            &format!(
                "/v1/groups/{group}/reports/cash-book?account=assets:cash:HKD&from=2026-04-01"
            ),
        )
        .await;
        assert_eq!(rows.len(), 2 + cash["lines"].as_array().unwrap().len());
        assert_eq!(rows[0][5], "opening balance");
        assert_eq!(rows[0][8], "3250.00");
        assert_eq!(rows.last().unwrap()[8], "1490.00");

        // The register: one cooperative, 20,000 out, 2,500 back, 12.5 %.
        let register = report(&app, &group, "investment-register", "").await;
        assert_eq!(register["investments"][0]["id"], json!(coop));
        assert_eq!(
            register["totals"],
            json!([{"currency": "PHP", "investments": 1, "committed": "30000.00", "disbursed": "20000.00",
                "book_value": "20000.00", "income_received": "2500.00", "capital_returned": "0.00",
                "written_down": "0.00", "net_return": "2500.00", "roi_percent": "12.50"}])
        );
        let rows = csv(
            &app,
            &format!("/v1/groups/{group}/reports/investment-register?format=csv"),
        )
        .await;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1][1], "Total (1 investments)");
        assert_eq!(rows[1][14], "12.50");

        // The audit redoes the distribution from its weights.
        let audit = report(&app, &group, "distribution-audit", "").await;
        let d = &audit["distributions"][0];
        assert_eq!(
            (&d["sums_to_pool"], &d["matches_recomputation"]),
            (&json!(true), &json!(true))
        );
        assert_eq!(d["shares_total"], "2450.00");
        let rows = csv(
            &app,
            &format!("/v1/groups/{group}/reports/distribution-audit"),
        )
        .await;
        assert_eq!(rows.len(), 5);
        let shares: Vec<&str> = rows.iter().map(|r| r[11].as_str()).collect();
        assert_eq!(shares, ["765.63", "714.58", "306.25", "510.42", "153.12"]);
    }
);

both_backends!(
    reports_are_for_the_group_and_the_task_force_only,
    |app| async move {
        let Story { group, ana, .. } = story(&app).await;
        let other = app.create_group("Other").await;
        let (_, member) = app
            .user_with(
                "ana.member",
                json!([{"role": "member", "group_id": group, "member_id": ana}]),
            )
            .await;
        let (_, stranger) = app
            .user_with(
                "treasurer.other",
                json!([{"role": "treasurer", "group_id": other}]),
            )
            .await;
        let (_, auditor) = app
            .user_with("task.force", json!([{"role": "auditor"}]))
            .await;
        for name in [
            "financial-statements",
            "member-balances",
            "cash-book",
            "investment-register",
            "distribution-audit",
        ] {
            let path = app.url(&format!("/v1/groups/{group}/reports/{name}"));
            let as_member: Reply = app.send(member.get(&path)).await;
            assert_problem(&as_member, StatusCode::FORBIDDEN, "forbidden");
            let as_stranger = app.send(stranger.get(&path)).await;
            assert_problem(&as_stranger, StatusCode::NOT_FOUND, "not-found");
            let as_auditor = app.send(auditor.get(&path)).await;
            assert_eq!(
                as_auditor.status,
                StatusCode::OK,
                "{name}: {}",
                as_auditor.body
            );
            let wrong = app
                .get(&format!("/v1/groups/{group}/reports/{name}?format=xlsx"))
                .await;
            assert_problem(
                &wrong,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
        }
    }
);

both_backends!(a_members_statement_prints_and_exports, |app| async move {
    let Story { group, bea, .. } = story(&app).await;
    let path = format!("/v1/groups/{group}/members/{bea}/statement");
    let page = app
        .send(
            app.client
                .get(app.url(&path))
                .header("Accept", "text/html,application/xhtml+xml"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.content_type().starts_with("text/html"));
    for expected in [
        "<h1>Statement of Bea</h1>",
        "Current balance: <strong>1400.00</strong>",
        "Closing balance",
        "4.28",
        "Bayanihan Farmers Cooperative",
        // Bea's share of the cooperative by savings: 20,000 × 1,400 / 4,800 = 5,833.33.
        "5833.33",
    ] {
        assert!(
            page.text.contains(expected),
            "{expected} missing from {}",
            page.text
        );
    }
    let same = app.get(&format!("{path}?format=html")).await;
    assert_eq!(same.text, page.text);
    // CSV: opening, the four movements and closing of savings; opening and closing of capital.
    let rows = csv(&app, &path).await;
    assert_eq!(rows.len(), 8);
    // The third movement is the HKD 500 her remittance put into savings on 5 March.
    assert_eq!(
        (
            rows[3][2].as_str(),
            rows[3][6].as_str(),
            rows[3][7].as_str()
        ),
        ("2026-03-05", "credit", "500.00")
    );
    assert_eq!(
        (rows[5][5].as_str(), rows[5][8].as_str()),
        ("closing balance", "1400.00")
    );
    let json = app.get(&path).await;
    assert_eq!(ok(&json)["current_balance"], "1400.00");
    let wrong = app.get(&format!("{path}?format=pdf")).await;
    assert_problem(
        &wrong,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-parameter",
    );
    // Markup in a name is shown, never run.
    let reply = app
        .post(
            &format!("/v1/groups/{group}/members"),
            &json!({"name": "<script>x</script>", "home_country": "PH", "host_country": "HK"}),
        )
        .await;
    let id = s(&created(&reply)["id"]).to_string();
    let page = app
        .get(&format!(
            "/v1/groups/{group}/members/{id}/statement?format=html"
        ))
        .await;
    assert!(
        page.text.contains("&lt;script&gt;x&lt;/script&gt;"),
        "{}",
        page.text
    );
    assert!(!page.text.contains("<script>"), "{}", page.text);
});

both_backends!(
    client_metadata_cannot_pass_for_the_services_own_events,
    |app| async move {
        let Story { group, .. } = story(&app).await;
        let fee = |metadata: Value| {
            json!({"description": "bank fee", "booked_on": "2026-07-02", "metadata": metadata,
               "entries": [{"account": "expense:fees:HKD", "direction": "debit", "amount": "10.00"},
                           {"account": "assets:cash:HKD", "direction": "credit", "amount": "10.00"}]})
        };
        let transactions = format!("/v1/groups/{group}/transactions");
        // A posting cannot say it is a period close (or any event the service records).
        let before = app.get(&format!("/v1/groups/{group}")).await.body["head_sequence"].clone();
        let reply = app
            .post_with_key(
                &transactions,
                &key(),
                &fee(json!({"event": "period_close"})),
            )
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(reply.pointer(), "/metadata/event");
        assert_eq!(
            app.get(&format!("/v1/groups/{group}")).await.body["head_sequence"],
            before
        );
        // Posted plainly, the fee is an expense of July, whatever else its metadata says.
        created(
            &app.post_with_key(
                &transactions,
                &key(),
                &fee(json!({"note": "\"event\":\"period_close\""})),
            )
            .await,
        );
        let july = report(&app, &group, "financial-statements", "?from=2026-07-01").await;
        let hkd = &july["currencies"][0]["income_statement"];
        assert_eq!(
            lines(&hkd["expenses"]),
            pairs(&[("expense:fees:HKD", "10.00")])
        );
        assert_eq!(hkd["net_income"], "-10.00");
        // The real close of the half-year is still left out of the whole year's statement.
        let year = report(&app, &group, "financial-statements", "").await;
        assert_eq!(
            year["currencies"][0]["income_statement"]["net_income"],
            "-70.00"
        );
        assert_eq!(
            year["currencies"][1]["income_statement"]["net_income"],
            "2450.00"
        );
    }
);
