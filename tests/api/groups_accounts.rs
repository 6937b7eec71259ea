//! Savings groups and their charts of accounts over HTTP: creating, reading and listing them,
//! the validation of currencies, countries and account codes, and balances shown on each
//! account's normal side at the full scale of its currency.

use crate::support;

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{TestApp, assert_problem};

fn group_body(currency: &str, host: &str, home: &str) -> Value {
    json!({"name": "Kapatiran", "currency": currency, "host_country": host, "home_country": home})
}

fn account_body(code: &str, kind: &str, currency: &str) -> Value {
    json!({"code": code, "name": "An account", "type": kind, "currency": currency})
}

async fn group_count(app: &TestApp) -> usize {
    let reply = app.get("/v1/groups?limit=500").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"].as_array().expect("items").len()
}

async fn account_codes(app: &TestApp, group: &str) -> Vec<String> {
    let reply = app.get(&format!("/v1/groups/{group}/accounts")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["code"].as_str().expect("code").to_string())
        .collect()
}

both_backends!(
    a_created_group_can_be_read_back_and_is_listed,
    |app| async move {
        let created = app
        .post(
            "/v1/groups",
            &json!({"name": "  Bayanihan Savers  ", "currency": "HKD", "host_country": "HK", "home_country": "PH"}),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.body["id"].as_str().expect("id").to_string();
        assert_eq!(created.body["name"], "Bayanihan Savers");
        assert_eq!(created.body["currency"], "HKD");
        assert_eq!(created.body["host_country"], "HK");
        assert_eq!(created.body["home_country"], "PH");
        assert_eq!(created.body["head_sequence"], 0);
        assert_eq!(created.body["head_hash"], "0".repeat(64));
        assert_eq!(created.body["closed_through"], Value::Null);

        let read = app.get(&format!("/v1/groups/{id}")).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        assert_eq!(read.body, created.body);

        let listed = app.get("/v1/groups").await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        assert_eq!(listed.body["items"], json!([created.body]));
        assert_eq!(listed.body["next_cursor"], Value::Null);
    }
);

both_backends!(
    unknown_and_unit_less_currencies_are_refused_with_a_pointer,
    |app| async move {
        for currency in ["hkd", "XAU", "ZZZ", "HK", "HKDX", ""] {
            let reply = app
                .post("/v1/groups", &group_body(currency, "HK", "PH"))
                .await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(reply.pointer(), "/currency", "{currency:?}: {}", reply.body);
        }
        assert_eq!(group_count(&app).await, 0);
    }
);

both_backends!(
    invalid_countries_are_refused_with_a_pointer,
    |app| async move {
        for country in ["hk", "HKG", "XX", "H", ""] {
            let reply = app
                .post("/v1/groups", &group_body("HKD", country, "PH"))
                .await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(
                reply.pointer(),
                "/host_country",
                "{country:?}: {}",
                reply.body
            );

            let reply = app
                .post("/v1/groups", &group_body("HKD", "HK", country))
                .await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(
                reply.pointer(),
                "/home_country",
                "{country:?}: {}",
                reply.body
            );
        }
        assert_eq!(group_count(&app).await, 0);
    }
);

both_backends!(a_group_without_a_name_is_refused, |app| async move {
    let reply = app
        .post(
            "/v1/groups",
            &json!({"name": "   ", "currency": "HKD", "host_country": "HK", "home_country": "PH"}),
        )
        .await;
    assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(reply.pointer(), "/name");

    let reply = app
        .post(
            "/v1/groups",
            &json!({"currency": "HKD", "host_country": "HK", "home_country": "PH"}),
        )
        .await;
    assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(reply.pointer(), "/name");
    assert_eq!(group_count(&app).await, 0);
});

both_backends!(
    unknown_or_malformed_group_ids_are_not_found,
    |app| async move {
        app.create_group("Bayanihan").await;
        let unknown = uuid::Uuid::now_v7();
        for path in [
            format!("/v1/groups/{unknown}"),
            format!("/v1/groups/{unknown}/accounts"),
            format!("/v1/groups/{unknown}/accounts/assets:cash:HKD"),
            format!("/v1/groups/{unknown}/transactions"),
            format!("/v1/groups/{unknown}/trial-balance"),
            format!("/v1/groups/{unknown}/ledger/verify"),
            "/v1/groups/not-a-uuid".to_string(),
            "/v1/groups/12345".to_string(),
            "/v1/groups/not-a-uuid/accounts".to_string(),
        ] {
            let reply = app.get(&path).await;
            assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
        }
        let reply = app
            .post(
                &format!("/v1/groups/{unknown}/accounts"),
                &account_body("assets:cash:HKD", "asset", "HKD"),
            )
            .await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
    }
);

both_backends!(an_account_can_be_read_by_id_and_by_code, |app| async move {
    let g = app.create_group("Bayanihan").await;
    let created = app
        .post(
            &format!("/v1/groups/{g}/accounts"),
            &json!({"code": "liabilities:savings:ana", "name": "Ana's savings", "type": "liability", "currency": "HKD", "no_overdraft": true}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().expect("id").to_string();
    assert_eq!(created.body["group_id"], json!(g));
    assert_eq!(created.body["code"], "liabilities:savings:ana");
    assert_eq!(created.body["name"], "Ana's savings");
    assert_eq!(created.body["type"], "liability");
    assert_eq!(created.body["currency"], "HKD");
    assert_eq!(created.body["no_overdraft"], true);
    assert_eq!(created.body["debits"], "0.00");
    assert_eq!(created.body["credits"], "0.00");
    assert_eq!(created.body["balance"], "0.00");

    let by_id = app.get(&format!("/v1/groups/{g}/accounts/{id}")).await;
    assert_eq!(by_id.status, StatusCode::OK, "{}", by_id.body);
    assert_eq!(by_id.body, created.body);
    let by_code = app
        .get(&format!("/v1/groups/{g}/accounts/liabilities:savings:ana"))
        .await;
    assert_eq!(by_code.status, StatusCode::OK, "{}", by_code.body);
    assert_eq!(by_code.body, created.body);
});

both_backends!(no_overdraft_defaults_to_false, |app| async move {
    let g = app.create_group("Bayanihan").await;
    let created = app
        .post(
            &format!("/v1/groups/{g}/accounts"),
            &account_body("assets:cash:HKD", "asset", "HKD"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["no_overdraft"], false);
});

both_backends!(unknown_accounts_are_not_found, |app| async move {
    let g = app.create_group("Bayanihan").await;
    app.create_account(&g, "assets:cash:HKD", "asset", "HKD", false)
        .await;
    let unknown = uuid::Uuid::now_v7();
    for account in [
        unknown.to_string(),
        "assets:bank:HKD".to_string(),
        "assets".to_string(),
    ] {
        let reply = app.get(&format!("/v1/groups/{g}/accounts/{account}")).await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
        let reply = app
            .get(&format!("/v1/groups/{g}/accounts/{account}/statement"))
            .await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
    }
});

both_backends!(an_account_of_another_group_is_not_found, |app| async move {
    let first = app.create_group("Bayanihan").await;
    let second = app.create_group("Kapatiran").await;
    let id = app
        .create_account(&first, "assets:cash:HKD", "asset", "HKD", false)
        .await;
    let reply = app.get(&format!("/v1/groups/{second}/accounts/{id}")).await;
    assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
    let reply = app
        .get(&format!("/v1/groups/{second}/accounts/assets:cash:HKD"))
        .await;
    assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
    assert!(account_codes(&app, &second).await.is_empty());
});

both_backends!(
    an_account_code_is_unique_within_its_group,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let other = app.create_group("Kapatiran").await;
        let first = app
            .create_account(&g, "assets:cash:HKD", "asset", "HKD", false)
            .await;

        let duplicate = app
            .post(
                &format!("/v1/groups/{g}/accounts"),
                &account_body("assets:cash:HKD", "expense", "PHP"),
            )
            .await;
        assert_problem(&duplicate, StatusCode::CONFLICT, "duplicate-account-code");
        assert_eq!(account_codes(&app, &g).await, vec!["assets:cash:HKD"]);
        let kept = app
            .get(&format!("/v1/groups/{g}/accounts/assets:cash:HKD"))
            .await;
        assert_eq!(kept.body["id"], json!(first));
        assert_eq!(kept.body["type"], "asset");
        assert_eq!(kept.body["currency"], "HKD");

        // Codes differing only in case are different codes; another group may reuse a code.
        app.create_account(&g, "assets:cash:hkd", "asset", "HKD", false)
            .await;
        app.create_account(&other, "assets:cash:HKD", "asset", "HKD", false)
            .await;
        assert_eq!(
            account_codes(&app, &g).await,
            vec!["assets:cash:HKD", "assets:cash:hkd"]
        );
    }
);

both_backends!(
    account_codes_must_be_colon_separated_plain_segments,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let too_long_segment = format!("assets:{}", "x".repeat(65));
        let too_long_code = format!("a:{}", vec!["y".repeat(60); 4].join(":"));
        let uuid_like = uuid::Uuid::now_v7().to_string();
        for code in [
            "",
            "cash",
            ":cash",
            "assets:",
            "assets::cash",
            "assets:cash box",
            "assets:caf\u{e9}",
            "assets/cash",
            "assets:cash.HKD",
            too_long_segment.as_str(),
            too_long_code.as_str(),
            uuid_like.as_str(),
        ] {
            let reply = app
                .post(
                    &format!("/v1/groups/{g}/accounts"),
                    &account_body(code, "asset", "HKD"),
                )
                .await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(reply.pointer(), "/code", "{code:?}: {}", reply.body);
        }
        for code in [
            "assets:cash",
            "assets:investments:coop-01",
            "liabilities:savings:ana_santos",
            &format!("assets:{}", "x".repeat(64)),
        ] {
            app.create_account(&g, code, "asset", "HKD", false).await;
        }
        assert_eq!(account_codes(&app, &g).await.len(), 4);
    }
);

both_backends!(account_type_and_currency_are_validated, |app| async move {
    let g = app.create_group("Bayanihan").await;
    let path = format!("/v1/groups/{g}/accounts");
    for kind in ["assets", "Asset", "revenue", ""] {
        let reply = app
            .post(&path, &account_body("assets:cash:HKD", kind, "HKD"))
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(reply.pointer(), "/type", "{kind:?}: {}", reply.body);
    }
    for currency in ["hkd", "XAU", "ZZZ"] {
        let reply = app
            .post(&path, &account_body("assets:cash:HKD", "asset", currency))
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(reply.pointer(), "/currency", "{currency:?}: {}", reply.body);
    }
    let reply = app
        .post(
            &path,
            &json!({"code": "assets:cash:HKD", "name": "Cash", "type": "asset", "currency": "HKD", "no_overdraft": "yes"}),
        )
        .await;
    assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(reply.pointer(), "/no_overdraft");
    assert!(account_codes(&app, &g).await.is_empty());
});

both_backends!(
    balances_are_shown_on_the_normal_side_of_each_account,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        let cash = app
            .create_account(&g, "assets:cash:HKD", "asset", "HKD", false)
            .await;
        app.create_account(&g, "liabilities:savings:ana", "liability", "HKD", true)
            .await;
        app.create_account(&g, "expense:fees", "expense", "HKD", false)
            .await;
        let r = app
            .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "500")
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = app
            .transfer(&g, "expense:fees", "assets:cash:HKD", "12.5")
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

        // Debit-normal asset: 500.00 in, 12.50 out.
        let asset = app.get(&format!("/v1/groups/{g}/accounts/{cash}")).await;
        assert_eq!(asset.body["debits"], "500.00");
        assert_eq!(asset.body["credits"], "12.50");
        assert_eq!(asset.body["balance"], "487.50");
        // Credit-normal liability: a credit of 500.00 is a positive balance.
        let liability = app
            .get(&format!("/v1/groups/{g}/accounts/liabilities:savings:ana"))
            .await;
        assert_eq!(liability.body["debits"], "0.00");
        assert_eq!(liability.body["credits"], "500.00");
        assert_eq!(liability.body["balance"], "500.00");
        assert_eq!(app.balance(&g, "expense:fees").await, "12.50");
    }
);

both_backends!(
    balances_print_the_full_scale_of_their_currency,
    |app| async move {
        let g = app.create_group("Tomodachi").await;
        app.create_account(&g, "assets:cash:JPY", "asset", "JPY", false)
            .await;
        app.create_account(&g, "equity:capital:JPY", "equity", "JPY", false)
            .await;
        app.create_account(&g, "assets:cash:KWD", "asset", "KWD", false)
            .await;
        app.create_account(&g, "equity:capital:KWD", "equity", "KWD", false)
            .await;
        app.create_account(&g, "assets:cash:HKD", "asset", "HKD", false)
            .await;
        app.create_account(&g, "equity:capital:HKD", "equity", "HKD", false)
            .await;
        assert_eq!(app.balance(&g, "assets:cash:JPY").await, "0");
        assert_eq!(app.balance(&g, "assets:cash:KWD").await, "0.000");
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "0.00");

        for (debit, credit, amount) in [
            ("assets:cash:JPY", "equity:capital:JPY", "1500"),
            ("assets:cash:KWD", "equity:capital:KWD", "1.5"),
            ("assets:cash:HKD", "equity:capital:HKD", "500"),
        ] {
            let r = app.transfer(&g, debit, credit, amount).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        assert_eq!(app.balance(&g, "assets:cash:JPY").await, "1500");
        assert_eq!(app.balance(&g, "equity:capital:JPY").await, "1500");
        assert_eq!(app.balance(&g, "assets:cash:KWD").await, "1.500");
        assert_eq!(app.balance(&g, "equity:capital:KWD").await, "1.500");
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "500.00");
    }
);

both_backends!(
    an_account_may_be_overdrawn_unless_marked_no_overdraft,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        app.create_account(&g, "assets:cash:HKD", "asset", "HKD", false)
            .await;
        app.create_account(&g, "expense:fees", "expense", "HKD", false)
            .await;
        let r = app
            .transfer(&g, "expense:fees", "assets:cash:HKD", "0.05")
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "-0.05");
    }
);

both_backends!(
    the_accounts_of_a_group_are_listed_by_code,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        for code in [
            "liabilities:savings:ana",
            "assets:cash:HKD",
            "income:investments",
            "assets:bank:HKD",
        ] {
            app.create_account(&g, code, "asset", "HKD", false).await;
        }
        let reply = app.get(&format!("/v1/groups/{g}/accounts")).await;
        assert_eq!(reply.body["next_cursor"], Value::Null);
        assert_eq!(
            account_codes(&app, &g).await,
            vec![
                "assets:bank:HKD",
                "assets:cash:HKD",
                "income:investments",
                "liabilities:savings:ana"
            ]
        );
    }
);

both_backends!(
    groups_are_paged_without_duplicates_or_gaps,
    |app| async move {
        let mut created = HashSet::new();
        for n in 0..7 {
            created.insert(app.create_group(&format!("Group {n}")).await);
        }

        let mut seen = Vec::new();
        let mut pages = Vec::new();
        let mut path = "/v1/groups?limit=3".to_string();
        loop {
            let reply = app.get(&path).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let items = reply.body["items"].as_array().expect("items");
            pages.push(items.len());
            seen.extend(
                items
                    .iter()
                    .map(|g| g["id"].as_str().expect("id").to_string()),
            );
            match reply.body["next_cursor"].as_str() {
                Some(cursor) => path = format!("/v1/groups?limit=3&cursor={cursor}"),
                None => break,
            }
            assert!(pages.len() < 10, "paging does not end");
        }
        assert_eq!(pages, vec![3, 3, 1]);
        assert_eq!(seen.len(), 7, "{seen:?}");
        assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), created);

        // A page that ends exactly at the last group has no cursor.
        let reply = app.get("/v1/groups?limit=7").await;
        assert_eq!(reply.body["items"].as_array().expect("items").len(), 7);
        assert_eq!(reply.body["next_cursor"], Value::Null);
        let reply = app.get("/v1/groups?limit=6").await;
        let cursor = reply.body["next_cursor"]
            .as_str()
            .expect("cursor")
            .to_string();
        let last = app
            .get(&format!("/v1/groups?limit=6&cursor={cursor}"))
            .await;
        assert_eq!(last.body["items"].as_array().expect("items").len(), 1);
        assert_eq!(last.body["next_cursor"], Value::Null);
    }
);

both_backends!(
    page_sizes_outside_one_to_five_hundred_are_refused,
    |app| async move {
        app.create_group("Bayanihan").await;
        for limit in ["0", "501", "x", "-1", "", "1.5", "05", "99999999999"] {
            let reply = app.get(&format!("/v1/groups?limit={limit}")).await;
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
            assert_eq!(
                reply.body["errors"][0]["parameter"], "limit",
                "{limit:?}: {}",
                reply.body
            );
        }
        for limit in ["1", "500"] {
            let reply = app.get(&format!("/v1/groups?limit={limit}")).await;
            assert_eq!(reply.status, StatusCode::OK, "{limit}: {}", reply.body);
        }
    }
);

both_backends!(
    a_cursor_not_made_by_the_group_list_is_refused,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        app.create_account(&g, "assets:cash:HKD", "asset", "HKD", false)
            .await;
        app.create_account(&g, "liabilities:savings:ana", "liability", "HKD", false)
            .await;
        for _ in 0..2 {
            let r = app
                .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "1")
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        // A cursor from the transaction list belongs to another list.
        let page = app
            .get(&format!("/v1/groups/{g}/transactions?limit=1"))
            .await;
        let foreign = page.body["next_cursor"]
            .as_str()
            .expect("cursor")
            .to_string();
        for cursor in [foreign.as_str(), "garbage", "Zzo", ""] {
            let reply = app.get(&format!("/v1/groups?cursor={cursor}")).await;
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
            assert_eq!(reply.body["errors"][0]["parameter"], "cursor", "{cursor:?}");
        }
    }
);

both_backends!(
    reads_of_accounts_made_together_each_get_their_own_answer,
    |app| async move {
        // Reads of accounts by id that arrive together are made in one statement; each must
        // still get its own account, and a miss its own reason.
        let first = app.create_group("Bayanihan").await;
        let second = app.create_group("Kapatiran").await;
        let cash = app
            .create_account(&first, "assets:cash:HKD", "asset", "HKD", false)
            .await;
        let fund = app
            .create_account(&first, "equity:fund:HKD", "equity", "HKD", false)
            .await;
        let other = app
            .create_account(&second, "assets:cash:HKD", "asset", "HKD", false)
            .await;
        let paid = app.transfer(&first, &cash, &fund, "75.25").await;
        assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
        let nowhere = uuid::Uuid::now_v7().to_string();
        // The id and balance expected, or what is missing.
        type Expected = Result<(String, &'static str), &'static str>;
        // (group, account, what the read should answer)
        let cases: Vec<(String, String, Expected)> = vec![
            (first.clone(), cash.clone(), Ok((cash.clone(), "75.25"))),
            (first.clone(), fund.clone(), Ok((fund.clone(), "75.25"))),
            (second.clone(), other.clone(), Ok((other.clone(), "0.00"))),
            (second.clone(), cash.clone(), Err("account")),
            (first.clone(), nowhere.clone(), Err("account")),
            (nowhere.clone(), cash.clone(), Err("group")),
        ];
        let mut sent = Vec::new();
        for round in 0..12 {
            for (n, (group, account, _)) in cases.iter().enumerate() {
                let request = app
                    .client
                    .get(app.url(&format!("/v1/groups/{group}/accounts/{account}")));
                sent.push(((round, n), tokio::spawn(request.send())));
            }
        }
        for ((round, n), reply) in sent {
            let reply = support::app::Reply::from(reply.await.unwrap().unwrap()).await;
            let what = format!("round {round}, case {n}");
            match &cases[n].2 {
                Ok((id, balance)) => {
                    assert_eq!(reply.status, StatusCode::OK, "{what}: {}", reply.body);
                    assert_eq!(reply.body["id"], id.as_str(), "{what}");
                    assert_eq!(reply.body["balance"], *balance, "{what}: {}", reply.body);
                }
                Err(missing) => {
                    assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
                    let detail = reply.body["detail"].as_str().unwrap_or("");
                    assert!(
                        detail.starts_with(missing),
                        "{what}: {detail:?} should name the missing {missing}"
                    );
                }
            }
        }
    }
);
