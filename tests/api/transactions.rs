//! Posting to the journal over HTTP: amounts on the wire, the posting rules, the hash chain,
//! listing and reading transactions, statements, trial balances, period closes, reversals and
//! chain verification.

use crate::support;

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{Reply, TestApp, assert_problem};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn assert_created(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

fn entry(account: &str, direction: &str, amount: impl Into<Value>) -> Value {
    json!({"account": account, "direction": direction, "amount": amount.into()})
}

fn fresh_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Posts `body` as a transaction with a fresh idempotency key.
async fn post(app: &TestApp, group: &str, body: &Value) -> Reply {
    app.post_with_key(
        &format!("/v1/groups/{group}/transactions"),
        &fresh_key(),
        body,
    )
    .await
}

/// Posts a two-entry transfer booked on `date`.
async fn transfer_on(
    app: &TestApp,
    group: &str,
    date: &str,
    debit: &str,
    credit: &str,
    amount: &str,
) -> Reply {
    post(
        app,
        group,
        &json!({"booked_on": date, "description": format!("{debit} from {credit}"), "entries": [
            entry(debit, "debit", amount),
            entry(credit, "credit", amount),
        ]}),
    )
    .await
}

async fn reverse(app: &TestApp, group: &str, transaction: &str, body: &Value) -> Reply {
    app.post_with_key(
        &format!("/v1/groups/{group}/transactions/{transaction}/reversal"),
        &fresh_key(),
        body,
    )
    .await
}

async fn close_through(app: &TestApp, group: &str, date: &str) -> Reply {
    app.post(
        &format!("/v1/groups/{group}/period-closes"),
        &json!({"through": date}),
    )
    .await
}

fn id_of(reply: &Reply) -> String {
    reply.body["id"].as_str().expect("id").to_string()
}

/// Everything a user can read about a group's ledger: the group with its head, its accounts
/// with balances, and its journal. Equal snapshots mean nothing changed.
async fn snapshot(app: &TestApp, group: &str) -> Value {
    let mut parts = Vec::new();
    for path in [
        format!("/v1/groups/{group}"),
        format!("/v1/groups/{group}/accounts"),
        format!("/v1/groups/{group}/transactions?limit=500"),
    ] {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        parts.push(reply.body);
    }
    Value::Array(parts)
}

async fn head_sequence(app: &TestApp, group: &str) -> i64 {
    let reply = app.get(&format!("/v1/groups/{group}")).await;
    reply.body["head_sequence"].as_i64().expect("head_sequence")
}

async fn listed_ids(app: &TestApp, path: &str) -> Vec<String> {
    let reply = app.get(path).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_string())
        .collect()
}

/// A group with cash, a bank account and two members' savings in HKD, and a PHP account.
async fn savings_group(app: &TestApp) -> String {
    let g = app.create_group("Bayanihan").await;
    for (code, kind, currency, no_overdraft) in [
        ("assets:cash:HKD", "asset", "HKD", false),
        ("assets:bank:HKD", "asset", "HKD", false),
        ("liabilities:savings:ana", "liability", "HKD", true),
        ("liabilities:savings:ben", "liability", "HKD", true),
        ("expense:fees", "expense", "HKD", false),
        ("assets:home-bank:PHP", "asset", "PHP", false),
        ("equity:capital:PHP", "equity", "PHP", false),
    ] {
        app.create_account(&g, code, kind, currency, no_overdraft)
            .await;
    }
    g
}

/// The group's today: the test groups meet in Hong Kong.
fn today() -> chrono::NaiveDate {
    support::app::hong_kong_today()
}

// ---------------------------------------------------------------------------------------------
// Money on the wire
// ---------------------------------------------------------------------------------------------

both_backends!(
    malformed_amounts_are_refused_with_a_pointer_to_the_entry,
    |app| async move {
        let g = savings_group(&app).await;
        let before = snapshot(&app, &g).await;
        let forty_digits = "1".repeat(40);
        let table: Vec<Value> = vec![
            json!(5),
            json!(5.5),
            json!(null),
            json!(["5"]),
            json!("1e3"),
            json!("1E3"),
            json!("-5"),
            json!("+5"),
            json!("1_000"),
            json!("1,000"),
            json!(" 5"),
            json!("5 "),
            json!("NaN"),
            json!("Infinity"),
            json!(""),
            json!(".5"),
            json!("5."),
            json!("05"),
            json!("0x10"),
            json!("\u{FF15}"),
            json!(forty_digits),
            json!("0.001"),
            json!("10000000000000.01"),
            json!("99999999999999999999"),
            json!("0"),
            json!("0.00"),
        ];
        for amount in table {
            let reply = post(
                &app,
                &g,
                &json!({"entries": [
                    entry("assets:cash:HKD", "debit", "5"),
                    entry("liabilities:savings:ana", "credit", amount.clone()),
                ]}),
            )
            .await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{amount}: {}",
                reply.body
            );
            assert!(
                reply.content_type().starts_with("application/problem+json"),
                "{amount}"
            );
            assert_eq!(
                reply.pointer(),
                "/entries/1/amount",
                "{amount}: {}",
                reply.body
            );
        }
        assert_eq!(snapshot(&app, &g).await, before);
    }
);

both_backends!(
    decimals_beyond_the_accounts_currency_are_refused,
    |app| async move {
        let g = app.create_group("Tomodachi").await;
        app.create_account(&g, "assets:cash:JPY", "asset", "JPY", false)
            .await;
        app.create_account(&g, "equity:capital:JPY", "equity", "JPY", false)
            .await;
        app.create_account(&g, "assets:cash:HKD", "asset", "HKD", false)
            .await;
        app.create_account(&g, "equity:capital:HKD", "equity", "HKD", false)
            .await;
        app.create_account(&g, "assets:cash:KWD", "asset", "KWD", false)
            .await;
        app.create_account(&g, "equity:capital:KWD", "equity", "KWD", false)
            .await;
        let before = snapshot(&app, &g).await;
        for (currency, amount) in [
            ("JPY", "1.5"),
            ("JPY", "1.0"),
            ("HKD", "0.001"),
            ("KWD", "0.0001"),
        ] {
            let reply = post(
                &app,
                &g,
                &json!({"entries": [
                    entry(&format!("assets:cash:{currency}"), "debit", amount),
                    entry(&format!("equity:capital:{currency}"), "credit", amount),
                ]}),
            )
            .await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{amount} {currency}: {}",
                reply.body
            );
            assert_eq!(reply.pointer(), "/entries/0/amount", "{}", reply.body);
        }
        assert_eq!(snapshot(&app, &g).await, before);
    }
);

both_backends!(
    short_amounts_are_scaled_and_printed_at_full_scale,
    |app| async move {
        let g = app.create_group("Tomodachi").await;
        for currency in ["HKD", "JPY", "KWD"] {
            app.create_account(
                &g,
                &format!("assets:cash:{currency}"),
                "asset",
                currency,
                false,
            )
            .await;
            app.create_account(
                &g,
                &format!("equity:capital:{currency}"),
                "equity",
                currency,
                false,
            )
            .await;
        }
        for (currency, sent, printed) in [
            ("HKD", "1.5", "1.50"),
            ("HKD", "7", "7.00"),
            ("HKD", "0.05", "0.05"),
            ("JPY", "1500", "1500"),
            ("KWD", "1.5", "1.500"),
            ("KWD", "0.001", "0.001"),
        ] {
            let reply = post(
                &app,
                &g,
                &json!({"entries": [
                    entry(&format!("assets:cash:{currency}"), "debit", sent),
                    entry(&format!("equity:capital:{currency}"), "credit", sent),
                ]}),
            )
            .await;
            assert_created(&reply);
            for e in reply.body["entries"].as_array().expect("entries") {
                assert_eq!(e["amount"], printed, "{sent} {currency}");
                assert_eq!(e["currency"], currency);
            }
        }
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "8.55");
        assert_eq!(app.balance(&g, "assets:cash:JPY").await, "1500");
        assert_eq!(app.balance(&g, "assets:cash:KWD").await, "1.501");
    }
);

both_backends!(
    the_largest_amount_is_ten_to_the_fifteen_minor_units,
    |app| async move {
        let g = app.create_group("Tomodachi").await;
        for currency in ["HKD", "JPY"] {
            app.create_account(
                &g,
                &format!("assets:cash:{currency}"),
                "asset",
                currency,
                false,
            )
            .await;
            app.create_account(
                &g,
                &format!("equity:capital:{currency}"),
                "equity",
                currency,
                false,
            )
            .await;
        }
        for (currency, largest, beyond) in [
            ("HKD", "10000000000000.00", "10000000000000.01"),
            ("JPY", "1000000000000000", "1000000000000001"),
        ] {
            let cash = format!("assets:cash:{currency}");
            let capital = format!("equity:capital:{currency}");
            let refused = post(
            &app,
            &g,
            &json!({"entries": [entry(&cash, "debit", beyond), entry(&capital, "credit", beyond)]}),
        )
        .await;
            assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(refused.pointer(), "/entries/0/amount");
            let accepted = post(
            &app,
            &g,
            &json!({"entries": [entry(&cash, "debit", largest), entry(&capital, "credit", largest)]}),
        )
        .await;
            assert_created(&accepted);
            assert_eq!(app.balance(&g, &cash).await, largest);
        }
        assert_eq!(head_sequence(&app, &g).await, 2);
    }
);

// ---------------------------------------------------------------------------------------------
// Posting rules
// ---------------------------------------------------------------------------------------------

both_backends!(
    a_balanced_contribution_is_posted_with_its_entries,
    |app| async move {
        let g = savings_group(&app).await;
        let cash = app
            .get(&format!("/v1/groups/{g}/accounts/assets:cash:HKD"))
            .await;
        let cash_id = cash.body["id"].as_str().expect("id").to_string();
        let reply = post(
        &app,
        &g,
        &json!({"booked_on": "2025-06-01", "description": "Ana saves at the June meeting", "entries": [
            entry(&cash_id, "debit", "500"),
            entry("liabilities:savings:ana", "credit", "500"),
        ]}),
    )
    .await;
        assert_created(&reply);
        let t = &reply.body;
        assert_eq!(t["group_id"], json!(g));
        assert_eq!(t["sequence"], 1);
        assert_eq!(t["booked_on"], "2025-06-01");
        assert_eq!(t["description"], "Ana saves at the June meeting");
        assert_eq!(t["metadata"], json!({}));
        assert_eq!(t["reverses"], Value::Null);
        assert_eq!(t["reversed_by"], Value::Null);
        assert_eq!(t["previous_hash"], GENESIS);
        let hash = t["hash"].as_str().expect("hash");
        assert_eq!(hash.len(), 64);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(
            t["recorded_at"]
                .as_str()
                .expect("recorded_at")
                .ends_with('Z')
        );
        let entries = t["entries"].as_array().expect("entries");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0]["line"], 0);
        assert_eq!(entries[0]["account_id"], json!(cash_id));
        assert_eq!(entries[0]["account_code"], "assets:cash:HKD");
        assert_eq!(entries[0]["direction"], "debit");
        assert_eq!(entries[0]["amount"], "500.00");
        assert_eq!(entries[0]["currency"], "HKD");
        assert_eq!(entries[1]["line"], 1);
        assert_eq!(entries[1]["account_code"], "liabilities:savings:ana");
        assert_eq!(entries[1]["direction"], "credit");
        assert_eq!(entries[1]["amount"], "500.00");

        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "500.00");
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "500.00");
        let group = app.get(&format!("/v1/groups/{g}")).await;
        assert_eq!(group.body["head_sequence"], 1);
        assert_eq!(group.body["head_hash"], json!(hash));
    }
);

both_backends!(
    sending_funds_home_balances_per_currency_across_five_entries,
    |app| async move {
        let g = app.create_group("Bayanihan").await;
        for (code, kind, currency) in [
            ("assets:bank:HKD", "asset", "HKD"),
            ("equity:capital:HKD", "equity", "HKD"),
            ("assets:in-transit:PHP", "asset", "PHP"),
            ("assets:fx:HKD", "asset", "HKD"),
            ("assets:fx:PHP", "asset", "PHP"),
            ("expense:fees", "expense", "HKD"),
        ] {
            app.create_account(&g, code, kind, currency, false).await;
        }
        assert_created(
            &app.transfer(&g, "assets:bank:HKD", "equity:capital:HKD", "6000")
                .await,
        );
        let reply = post(
            &app,
            &g,
            &json!({"description": "HKD 5,000 sent home as PHP 35,000, fee HKD 60", "entries": [
            entry("assets:in-transit:PHP", "debit", "35000"),
            entry("assets:fx:HKD", "debit", "5000"),
            entry("expense:fees", "debit", "60"),
            entry("assets:fx:PHP", "credit", "35000"),
            entry("assets:bank:HKD", "credit", "5060"),
        ], "metadata": {"applied_rate": "7.00", "mid_rate": "7.05"}}),
        )
        .await;
        assert_created(&reply);
        assert_eq!(reply.body["entries"].as_array().expect("entries").len(), 5);
        assert_eq!(app.balance(&g, "assets:bank:HKD").await, "940.00");
        assert_eq!(app.balance(&g, "assets:in-transit:PHP").await, "35000.00");
        assert_eq!(app.balance(&g, "assets:fx:PHP").await, "-35000.00");
        assert_eq!(app.balance(&g, "assets:fx:HKD").await, "5000.00");
        assert_eq!(app.balance(&g, "expense:fees").await, "60.00");
    }
);

both_backends!(
    a_transaction_may_have_up_to_one_hundred_entries,
    |app| async move {
        let g = savings_group(&app).await;
        let mut entries: Vec<Value> = (0..99)
            .map(|_| entry("assets:cash:HKD", "debit", "1.01"))
            .collect();
        entries.push(entry("liabilities:savings:ana", "credit", "99.99"));
        let reply = post(&app, &g, &json!({"entries": entries})).await;
        assert_created(&reply);
        let stored = reply.body["entries"].as_array().expect("entries");
        assert_eq!(stored.len(), 100);
        assert_eq!(stored[99]["line"], 99);
        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "99.99");
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "99.99");

        let id = id_of(&reply);
        let read = app.get(&format!("/v1/groups/{g}/transactions/{id}")).await;
        assert_eq!(read.body["entries"], reply.body["entries"]);
    }
);

both_backends!(
    fewer_than_two_or_more_than_one_hundred_entries_are_refused,
    |app| async move {
        let g = savings_group(&app).await;
        let before = snapshot(&app, &g).await;
        let mut hundred_and_one: Vec<Value> = (0..100)
            .map(|_| entry("assets:cash:HKD", "debit", "1"))
            .collect();
        hundred_and_one.push(entry("liabilities:savings:ana", "credit", "100"));
        for entries in [
            vec![],
            vec![entry("assets:cash:HKD", "debit", "0.01")],
            hundred_and_one,
        ] {
            let count = entries.len();
            let reply = post(&app, &g, &json!({"entries": entries})).await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "entry-count");
            assert_eq!(reply.pointer(), "/entries", "{count} entries");
        }
        assert_eq!(snapshot(&app, &g).await, before);
    }
);

both_backends!(
    debits_and_credits_that_differ_are_refused_as_unbalanced,
    |app| async move {
        let g = savings_group(&app).await;
        let before = snapshot(&app, &g).await;
        for (debit, credit) in [("500.00", "499.99"), ("1", "2")] {
            let reply = post(
                &app,
                &g,
                &json!({"entries": [
                    entry("assets:cash:HKD", "debit", debit),
                    entry("liabilities:savings:ana", "credit", credit),
                ]}),
            )
            .await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "unbalanced");
        }
        // Two debits and no credit.
        let reply = post(
            &app,
            &g,
            &json!({"entries": [
                entry("assets:cash:HKD", "debit", "5"),
                entry("assets:bank:HKD", "debit", "5"),
            ]}),
        )
        .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "unbalanced");
        assert_eq!(snapshot(&app, &g).await, before);
    }
);

both_backends!(
    a_transaction_balanced_in_total_but_not_per_currency_is_refused,
    |app| async move {
        let g = savings_group(&app).await;
        let before = snapshot(&app, &g).await;
        let reply = post(
            &app,
            &g,
            &json!({"entries": [
                entry("assets:cash:HKD", "debit", "100"),
                entry("equity:capital:PHP", "credit", "100"),
            ]}),
        )
        .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "unbalanced");
        // Balanced in HKD, unbalanced in PHP.
        let reply = post(
            &app,
            &g,
            &json!({"entries": [
                entry("assets:cash:HKD", "debit", "100"),
                entry("liabilities:savings:ana", "credit", "100"),
                entry("assets:home-bank:PHP", "debit", "700"),
                entry("equity:capital:PHP", "credit", "699"),
            ]}),
        )
        .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "unbalanced");
        assert_eq!(snapshot(&app, &g).await, before);
    }
);

both_backends!(
    an_entry_naming_an_unknown_account_is_refused_with_its_pointer,
    |app| async move {
        let g = savings_group(&app).await;
        let other = app.create_group("Kapatiran").await;
        let foreign = app
            .create_account(&other, "assets:vault:HKD", "asset", "HKD", false)
            .await;
        let before = snapshot(&app, &g).await;
        let unknown_id = uuid::Uuid::now_v7().to_string();
        for account in [
            "assets:nowhere:HKD",
            unknown_id.as_str(),
            foreign.as_str(),
            "assets:vault:HKD",
        ] {
            let reply = post(
                &app,
                &g,
                &json!({"entries": [
                    entry("assets:cash:HKD", "debit", "10"),
                    entry("liabilities:savings:ana", "credit", "5"),
                    entry(account, "credit", "5"),
                ]}),
            )
            .await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "unknown-account");
            assert_eq!(reply.pointer(), "/entries/2/account", "{account}");
        }
        assert_eq!(snapshot(&app, &g).await, before);
        assert_eq!(app.balance(&other, "assets:vault:HKD").await, "0.00");
    }
);

both_backends!(
    withdrawal_beyond_balance_is_rejected_and_changes_nothing,
    |app| async move {
        let g = savings_group(&app).await;
        assert_created(
            &app.transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "300")
                .await,
        );
        let before = snapshot(&app, &g).await;
        let reply = post(
            &app,
            &g,
            &json!({"description": "Ana withdraws", "entries": [
                entry("liabilities:savings:ana", "debit", "300.01"),
                entry("assets:cash:HKD", "credit", "300.01"),
            ]}),
        )
        .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "overdraft");
        assert_eq!(reply.pointer(), "/entries/0/account");
        assert_eq!(snapshot(&app, &g).await, before);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "300.00");

        // A member with no savings cannot withdraw either, even though the cash box has money.
        let reply = post(
            &app,
            &g,
            &json!({"entries": [
                entry("assets:cash:HKD", "credit", "1"),
                entry("liabilities:savings:ben", "debit", "1"),
            ]}),
        )
        .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "overdraft");
        assert_eq!(reply.pointer(), "/entries/1/account");
        assert_eq!(snapshot(&app, &g).await, before);

        // Withdrawing exactly the balance is allowed.
        let reply = post(
            &app,
            &g,
            &json!({"entries": [
                entry("liabilities:savings:ana", "debit", "300"),
                entry("assets:cash:HKD", "credit", "300"),
            ]}),
        )
        .await;
        assert_created(&reply);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "0.00");
    }
);

both_backends!(
    sequences_are_gapless_and_each_transaction_chains_to_the_previous_hash,
    |app| async move {
        let g = savings_group(&app).await;
        let first = app
            .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "100")
            .await;
        assert_created(&first);
        // A refused posting takes no sequence number.
        let refused = app
            .transfer(&g, "liabilities:savings:ben", "assets:cash:HKD", "1")
            .await;
        assert_problem(&refused, StatusCode::UNPROCESSABLE_ENTITY, "overdraft");
        let second = app
            .transfer(&g, "assets:cash:HKD", "liabilities:savings:ben", "50")
            .await;
        assert_created(&second);
        let third = app
            .transfer(&g, "liabilities:savings:ana", "assets:cash:HKD", "20")
            .await;
        assert_created(&third);

        assert_eq!(first.body["sequence"], 1);
        assert_eq!(second.body["sequence"], 2);
        assert_eq!(third.body["sequence"], 3);
        assert_eq!(first.body["previous_hash"], GENESIS);
        assert_eq!(second.body["previous_hash"], first.body["hash"]);
        assert_eq!(third.body["previous_hash"], second.body["hash"]);
        let hashes: HashSet<&str> = [&first, &second, &third]
            .iter()
            .map(|r| r.body["hash"].as_str().expect("hash"))
            .collect();
        assert_eq!(hashes.len(), 3);

        let group = app.get(&format!("/v1/groups/{g}")).await;
        assert_eq!(group.body["head_sequence"], 3);
        assert_eq!(group.body["head_hash"], third.body["hash"]);

        let listed = app.get(&format!("/v1/groups/{g}/transactions")).await;
        let sequences: Vec<i64> = listed.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|t| t["sequence"].as_i64().expect("sequence"))
            .collect();
        assert_eq!(sequences, vec![1, 2, 3]);
    }
);

both_backends!(metadata_is_stored_and_returned, |app| async move {
    let g = savings_group(&app).await;
    let metadata = json!({
        "receipt": "R-0007",
        "meeting": {"number": 12, "place": "Chater Garden"},
        "members_present": ["ana", "ben"],
        "note": "Buwanang hulog — ₱ and 港幣",
        "verified": true,
        "rate": null
    });
    let reply = post(
        &app,
        &g,
        &json!({"entries": [
            entry("assets:cash:HKD", "debit", "5"),
            entry("liabilities:savings:ana", "credit", "5"),
        ], "metadata": metadata}),
    )
    .await;
    assert_created(&reply);
    assert_eq!(reply.body["metadata"], metadata);
    let id = id_of(&reply);
    let read = app.get(&format!("/v1/groups/{g}/transactions/{id}")).await;
    assert_eq!(read.body["metadata"], metadata);
    let listed = app.get(&format!("/v1/groups/{g}/transactions")).await;
    assert_eq!(listed.body["items"][0]["metadata"], metadata);
    let verify = app.get(&format!("/v1/groups/{g}/ledger/verify")).await;
    assert_eq!(verify.body["ok"], true, "{}", verify.body);
});

both_backends!(
    metadata_larger_than_four_kibibytes_is_refused,
    |app| async move {
        let g = savings_group(&app).await;
        let body = |note_len: usize| {
            json!({"entries": [
            entry("assets:cash:HKD", "debit", "5"),
            entry("liabilities:savings:ana", "credit", "5"),
        ], "metadata": {"note": "x".repeat(note_len)}})
        };
        // `{"note":"…"}` is 11 bytes around the note: 4085 characters make exactly 4096 bytes.
        let before = snapshot(&app, &g).await;
        for too_long in [4086, 5000] {
            let reply = post(&app, &g, &body(too_long)).await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(reply.pointer(), "/metadata");
        }
        assert_eq!(snapshot(&app, &g).await, before);
        let reply = post(&app, &g, &body(4085)).await;
        assert_created(&reply);
        assert_eq!(
            reply.body["metadata"]["note"].as_str().map(str::len),
            Some(4085)
        );
    }
);

both_backends!(
    metadata_that_is_not_an_object_is_refused,
    |app| async move {
        let g = savings_group(&app).await;
        let before = snapshot(&app, &g).await;
        for metadata in [json!([1, 2]), json!("receipt R-7"), json!(42), json!(true)] {
            let reply = post(
                &app,
                &g,
                &json!({"entries": [
                entry("assets:cash:HKD", "debit", "5"),
                entry("liabilities:savings:ana", "credit", "5"),
            ], "metadata": metadata}),
            )
            .await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(reply.pointer(), "/metadata", "{metadata}");
        }
        assert_eq!(snapshot(&app, &g).await, before);
    }
);

both_backends!(booked_on_defaults_to_today, |app| async move {
    let g = savings_group(&app).await;
    let before = today();
    let reply = app
        .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "5")
        .await;
    let after = today();
    assert_created(&reply);
    let booked = reply.body["booked_on"].as_str().expect("booked_on");
    assert!(
        booked == before.to_string() || booked == after.to_string(),
        "booked on {booked}, today is {before}"
    );
});

both_backends!(
    booking_dates_before_1970_or_after_tomorrow_are_refused,
    |app| async move {
        let g = savings_group(&app).await;
        let before = snapshot(&app, &g).await;
        let in_two_days = (today() + chrono::Duration::days(2)).to_string();
        for date in [
            json!("1969-12-31"),
            json!(in_two_days),
            json!("2025-02-30"),
            json!("01/06/2025"),
            json!("2025-06-01T00:00:00Z"),
            json!(20250601),
        ] {
            let reply = post(
                &app,
                &g,
                &json!({"booked_on": date, "entries": [
                    entry("assets:cash:HKD", "debit", "5"),
                    entry("liabilities:savings:ana", "credit", "5"),
                ]}),
            )
            .await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(reply.pointer(), "/booked_on", "{date}");
        }
        assert_eq!(snapshot(&app, &g).await, before);
        let tomorrow = (today() + chrono::Duration::days(1)).to_string();
        for date in ["1970-01-01", tomorrow.as_str()] {
            let reply = transfer_on(
                &app,
                &g,
                date,
                "assets:cash:HKD",
                "liabilities:savings:ana",
                "5",
            )
            .await;
            assert_created(&reply);
            assert_eq!(reply.body["booked_on"], date);
        }
    }
);

// ---------------------------------------------------------------------------------------------
// Reading the journal
// ---------------------------------------------------------------------------------------------

both_backends!(a_transaction_can_be_read_back_by_id, |app| async move {
    let g = savings_group(&app).await;
    let other = app.create_group("Kapatiran").await;
    let posted = app
        .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "5")
        .await;
    assert_created(&posted);
    let id = id_of(&posted);
    let read = app.get(&format!("/v1/groups/{g}/transactions/{id}")).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body, posted.body);

    let unknown = uuid::Uuid::now_v7();
    for path in [
        format!("/v1/groups/{g}/transactions/{unknown}"),
        format!("/v1/groups/{g}/transactions/not-an-id"),
        format!("/v1/groups/{other}/transactions/{id}"),
    ] {
        let reply = app.get(&path).await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
    }
});

both_backends!(
    transactions_are_listed_oldest_first_with_account_and_date_filters,
    |app| async move {
        let g = savings_group(&app).await;
        let mut ids = Vec::new();
        for (date, debit, credit) in [
            ("2025-01-10", "assets:cash:HKD", "liabilities:savings:ana"),
            ("2025-03-10", "assets:cash:HKD", "liabilities:savings:ben"),
            ("2025-02-10", "assets:bank:HKD", "liabilities:savings:ana"),
            ("2025-02-20", "assets:bank:HKD", "assets:cash:HKD"),
        ] {
            let reply = transfer_on(&app, &g, date, debit, credit, "10").await;
            assert_created(&reply);
            ids.push(id_of(&reply));
        }
        let path = |query: &str| format!("/v1/groups/{g}/transactions{query}");
        // Oldest first means in sequence order, whatever the booking dates.
        assert_eq!(listed_ids(&app, &path("")).await, ids);
        assert_eq!(
            listed_ids(&app, &path("?account=liabilities:savings:ana")).await,
            vec![ids[0].clone(), ids[2].clone()]
        );
        let cash_id = app
            .get(&format!("/v1/groups/{g}/accounts/assets:cash:HKD"))
            .await
            .body["id"]
            .as_str()
            .expect("id")
            .to_string();
        assert_eq!(
            listed_ids(&app, &path(&format!("?account={cash_id}"))).await,
            vec![ids[0].clone(), ids[1].clone(), ids[3].clone()]
        );
        // from and to are inclusive.
        assert_eq!(
            listed_ids(&app, &path("?from=2025-02-10&to=2025-03-10")).await,
            vec![ids[1].clone(), ids[2].clone(), ids[3].clone()]
        );
        assert_eq!(
            listed_ids(&app, &path("?from=2025-02-11")).await,
            vec![ids[1].clone(), ids[3].clone()]
        );
        assert_eq!(
            listed_ids(&app, &path("?to=2025-02-10")).await,
            vec![ids[0].clone(), ids[2].clone()]
        );
        assert_eq!(
            listed_ids(&app, &path("?account=assets:bank:HKD&from=2025-02-15")).await,
            vec![ids[3].clone()]
        );
        assert!(listed_ids(&app, &path("?from=2025-04-01")).await.is_empty());
        assert!(
            listed_ids(&app, &path("?account=expense:fees"))
                .await
                .is_empty()
        );
        for (query, parameter) in [
            ("?from=2025-13-01", "from"),
            ("?to=yesterday", "to"),
            ("?limit=0", "limit"),
            ("?cursor=nonsense", "cursor"),
            ("?acount=assets:cash:HKD", "acount"),
        ] {
            let reply = app.get(&path(query)).await;
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
            assert_eq!(reply.body["errors"][0]["parameter"], parameter, "{query}");
        }
    }
);

both_backends!(
    transaction_lists_page_by_cursor_without_duplicates_or_gaps,
    |app| async move {
        let g = savings_group(&app).await;
        let mut posted = Vec::new();
        for n in 1..=7 {
            let reply = app
                .transfer(
                    &g,
                    "assets:cash:HKD",
                    "liabilities:savings:ana",
                    &n.to_string(),
                )
                .await;
            assert_created(&reply);
            posted.push(id_of(&reply));
        }
        let mut seen = Vec::new();
        let mut pages = Vec::new();
        let mut path = format!("/v1/groups/{g}/transactions?limit=3");
        loop {
            let reply = app.get(&path).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let items = reply.body["items"].as_array().expect("items");
            pages.push(items.len());
            seen.extend(
                items
                    .iter()
                    .map(|t| t["id"].as_str().expect("id").to_string()),
            );
            match reply.body["next_cursor"].as_str() {
                Some(cursor) => {
                    path = format!("/v1/groups/{g}/transactions?limit=3&cursor={cursor}")
                }
                None => break,
            }
            assert!(pages.len() < 10, "paging does not end");
        }
        assert_eq!(pages, vec![3, 3, 1]);
        assert_eq!(seen, posted);

        // Paging combines with a filter; a page that ends at the last match has no cursor.
        let first = app
        .get(&format!("/v1/groups/{g}/transactions?limit=2&account=liabilities:savings:ana&from=2000-01-01"))
        .await;
        let cursor = first.body["next_cursor"]
            .as_str()
            .expect("cursor")
            .to_string();
        let rest = listed_ids(
        &app,
        &format!("/v1/groups/{g}/transactions?limit=5&account=liabilities:savings:ana&from=2000-01-01&cursor={cursor}"),
    )
    .await;
        assert_eq!(rest, posted[2..].to_vec());
        let whole = app
            .get(&format!("/v1/groups/{g}/transactions?limit=7"))
            .await;
        assert_eq!(whole.body["next_cursor"], Value::Null);
    }
);

both_backends!(
    a_statement_shows_opening_running_and_closing_balances,
    |app| async move {
        let g = savings_group(&app).await;
        // Posted out of booking order: the statement follows the booking dates.
        for (date, debit, credit, amount) in [
            (
                "2025-01-05",
                "assets:cash:HKD",
                "liabilities:savings:ana",
                "500",
            ),
            (
                "2025-04-05",
                "assets:cash:HKD",
                "liabilities:savings:ana",
                "100",
            ),
            (
                "2025-02-05",
                "assets:cash:HKD",
                "liabilities:savings:ana",
                "300",
            ),
            (
                "2025-03-05",
                "liabilities:savings:ana",
                "assets:cash:HKD",
                "200",
            ),
            (
                "2025-02-06",
                "assets:cash:HKD",
                "liabilities:savings:ben",
                "999",
            ),
        ] {
            assert_created(&transfer_on(&app, &g, date, debit, credit, amount).await);
        }

        let statement = |query: &str| {
            let path = format!("/v1/groups/{g}/accounts/liabilities:savings:ana/statement{query}");
            let app = &app;
            async move {
                let reply = app.get(&path).await;
                assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
                reply.body
            }
        };
        let lines = |s: &Value| -> Vec<(String, String, String, String)> {
            s["lines"]
                .as_array()
                .expect("lines")
                .iter()
                .map(|l| {
                    (
                        l["booked_on"].as_str().expect("date").to_string(),
                        l["direction"].as_str().expect("direction").to_string(),
                        l["amount"].as_str().expect("amount").to_string(),
                        l["balance"].as_str().expect("balance").to_string(),
                    )
                })
                .collect()
        };
        let row = |d: &str, dir: &str, amount: &str, balance: &str| {
            (
                d.to_string(),
                dir.to_string(),
                amount.to_string(),
                balance.to_string(),
            )
        };

        let whole = statement("").await;
        assert_eq!(whole["account"]["code"], "liabilities:savings:ana");
        assert_eq!(whole["opening_balance"], "0.00");
        assert_eq!(
            lines(&whole),
            vec![
                row("2025-01-05", "credit", "500.00", "500.00"),
                row("2025-02-05", "credit", "300.00", "800.00"),
                row("2025-03-05", "debit", "200.00", "600.00"),
                row("2025-04-05", "credit", "100.00", "700.00"),
            ]
        );
        assert_eq!(whole["closing_balance"], "700.00");
        assert_eq!(whole["account"]["balance"], "700.00");

        let window = statement("?from=2025-02-01&to=2025-03-31").await;
        assert_eq!(window["from"], "2025-02-01");
        assert_eq!(window["to"], "2025-03-31");
        assert_eq!(window["opening_balance"], "500.00");
        assert_eq!(
            lines(&window),
            vec![
                row("2025-02-05", "credit", "300.00", "800.00"),
                row("2025-03-05", "debit", "200.00", "600.00"),
            ]
        );
        assert_eq!(window["closing_balance"], "600.00");

        // Both bounds are inclusive.
        let one_day = statement("?from=2025-02-05&to=2025-02-05").await;
        assert_eq!(one_day["opening_balance"], "500.00");
        assert_eq!(
            lines(&one_day),
            vec![row("2025-02-05", "credit", "300.00", "800.00")]
        );
        assert_eq!(one_day["closing_balance"], "800.00");

        let quiet = statement("?from=2025-06-01").await;
        assert_eq!(quiet["opening_balance"], "700.00");
        assert!(lines(&quiet).is_empty());
        assert_eq!(quiet["closing_balance"], "700.00");

        // The cash box is debit-normal: a withdrawal lowers it.
        let cash = app
            .get(&format!(
                "/v1/groups/{g}/accounts/assets:cash:HKD/statement?from=2025-03-01"
            ))
            .await;
        assert_eq!(cash.body["opening_balance"], "1799.00");
        assert_eq!(
            lines(&cash.body),
            vec![
                row("2025-03-05", "credit", "200.00", "1599.00"),
                row("2025-04-05", "debit", "100.00", "1699.00"),
            ]
        );
        assert_eq!(cash.body["closing_balance"], "1699.00");

        let reply = app
        .get(&format!(
            "/v1/groups/{g}/accounts/liabilities:savings:ana/statement?from=2025-03-01&to=2025-02-01"
        ))
        .await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
        );
        assert_eq!(reply.body["errors"][0]["parameter"], "to");
    }
);

both_backends!(
    a_statement_line_carries_its_transaction_and_description_as_posted,
    |app| async move {
        let g = savings_group(&app).await;
        // Quotes, a backslash, a tab, and letters beyond the basic plane: the statement reads
        // each line back as it was stored.
        let description = "Ana's \"share\" \\ dues\tfor 三月 \u{1F3E0} — ok";
        let mut ids = Vec::new();
        for amount in ["40.00", "2.50"] {
            let reply = post(
                &app,
                &g,
                &json!({"booked_on": "2025-03-02", "description": description, "entries": [
                    entry("assets:cash:HKD", "debit", amount),
                    entry("liabilities:savings:ana", "credit", amount),
                ]}),
            )
            .await;
            assert_created(&reply);
            ids.push(reply.body["id"].as_str().expect("id").to_string());
        }
        let reply = app
            .get(&format!(
                "/v1/groups/{g}/accounts/liabilities:savings:ana/statement"
            ))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let lines = reply.body["lines"].as_array().expect("lines");
        assert_eq!(lines.len(), 2);
        for (line, (id, balance)) in lines.iter().zip(ids.iter().zip(["40.00", "42.50"])) {
            assert_eq!(line["transaction_id"], id.as_str());
            assert_eq!(line["description"], description);
            assert_eq!(line["booked_on"], "2025-03-02");
            assert_eq!(line["balance"], balance);
        }
        assert!(
            lines[0]["sequence"].as_i64().expect("sequence")
                < lines[1]["sequence"].as_i64().expect("sequence")
        );
    }
);

async fn trial_balance(app: &TestApp, group: &str, query: &str) -> Value {
    let reply = app
        .get(&format!("/v1/groups/{group}/trial-balance{query}"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

fn currency_total<'a>(tb: &'a Value, currency: &str) -> &'a Value {
    tb["totals"]
        .as_array()
        .expect("totals")
        .iter()
        .find(|t| t["currency"] == currency)
        .unwrap_or_else(|| panic!("no {currency} total in {tb}"))
}

fn account_line<'a>(tb: &'a Value, code: &str) -> &'a Value {
    tb["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {tb}"))
}

both_backends!(
    the_trial_balance_totals_balance_per_currency,
    |app| async move {
        let g = savings_group(&app).await;
        for (date, debit, credit, amount) in [
            (
                "2025-01-10",
                "assets:cash:HKD",
                "liabilities:savings:ana",
                "500",
            ),
            (
                "2025-01-11",
                "assets:bank:HKD",
                "liabilities:savings:ben",
                "250.50",
            ),
            ("2025-01-12", "expense:fees", "assets:bank:HKD", "10"),
            (
                "2025-01-13",
                "assets:home-bank:PHP",
                "equity:capital:PHP",
                "3500",
            ),
        ] {
            assert_created(&transfer_on(&app, &g, date, debit, credit, amount).await);
        }
        let tb = trial_balance(&app, &g, "").await;
        assert_eq!(tb["as_of"], Value::Null);
        let hkd = currency_total(&tb, "HKD");
        assert_eq!(hkd["debits"], "760.50");
        assert_eq!(hkd["credits"], "760.50");
        assert_eq!(hkd["balanced"], true);
        let php = currency_total(&tb, "PHP");
        assert_eq!(php["debits"], "3500.00");
        assert_eq!(php["credits"], "3500.00");
        assert_eq!(php["balanced"], true);
        assert_eq!(tb["totals"].as_array().expect("totals").len(), 2);

        let bank = account_line(&tb, "assets:bank:HKD");
        assert_eq!(bank["debits"], "250.50");
        assert_eq!(bank["credits"], "10.00");
        assert_eq!(bank["balance"], "240.50");
        assert_eq!(
            account_line(&tb, "liabilities:savings:ben")["balance"],
            "250.50"
        );
        assert_eq!(
            account_line(&tb, "equity:capital:PHP")["balance"],
            "3500.00"
        );
        assert_eq!(tb["accounts"].as_array().expect("accounts").len(), 7);
    }
);

both_backends!(
    the_trial_balance_as_of_a_date_excludes_later_bookings,
    |app| async move {
        let g = savings_group(&app).await;
        for (date, debit, credit, amount) in [
            (
                "2025-01-10",
                "assets:cash:HKD",
                "liabilities:savings:ana",
                "500",
            ),
            (
                "2025-03-10",
                "assets:cash:HKD",
                "liabilities:savings:ana",
                "200",
            ),
            (
                "2025-02-10",
                "assets:home-bank:PHP",
                "equity:capital:PHP",
                "700",
            ),
        ] {
            assert_created(&transfer_on(&app, &g, date, debit, credit, amount).await);
        }
        let january = trial_balance(&app, &g, "?as_of=2025-01-31").await;
        assert_eq!(january["as_of"], "2025-01-31");
        assert_eq!(currency_total(&january, "HKD")["debits"], "500.00");
        assert_eq!(currency_total(&january, "HKD")["credits"], "500.00");
        assert_eq!(currency_total(&january, "PHP")["debits"], "0.00");
        assert_eq!(
            account_line(&january, "assets:cash:HKD")["balance"],
            "500.00"
        );
        assert_eq!(
            account_line(&january, "assets:home-bank:PHP")["balance"],
            "0.00"
        );

        // as_of is inclusive.
        let february = trial_balance(&app, &g, "?as_of=2025-02-10").await;
        assert_eq!(currency_total(&february, "HKD")["debits"], "500.00");
        assert_eq!(currency_total(&february, "PHP")["credits"], "700.00");
        assert_eq!(currency_total(&february, "PHP")["balanced"], true);

        let before_anything = trial_balance(&app, &g, "?as_of=2024-12-31").await;
        assert_eq!(currency_total(&before_anything, "HKD")["debits"], "0.00");
        assert_eq!(
            account_line(&before_anything, "liabilities:savings:ana")["balance"],
            "0.00"
        );

        let now = trial_balance(&app, &g, "").await;
        assert_eq!(account_line(&now, "assets:cash:HKD")["balance"], "700.00");
        assert_eq!(currency_total(&now, "HKD")["credits"], "700.00");

        let reply = app
            .get(&format!("/v1/groups/{g}/trial-balance?as_of=31-01-2025"))
            .await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
        );
        assert_eq!(reply.body["errors"][0]["parameter"], "as_of");
    }
);

// ---------------------------------------------------------------------------------------------
// Period closes
// ---------------------------------------------------------------------------------------------

both_backends!(
    postings_on_or_before_a_closed_date_are_refused,
    |app| async move {
        let g = savings_group(&app).await;
        assert_created(
            &transfer_on(
                &app,
                &g,
                "2025-03-10",
                "assets:cash:HKD",
                "liabilities:savings:ana",
                "100",
            )
            .await,
        );
        let closed = close_through(&app, &g, "2025-03-31").await;
        assert_created(&closed);
        assert_eq!(closed.body["group_id"], json!(g));
        assert_eq!(closed.body["through"], "2025-03-31");
        let group = app.get(&format!("/v1/groups/{g}")).await;
        assert_eq!(group.body["closed_through"], "2025-03-31");

        let before = snapshot(&app, &g).await;
        for date in ["2025-03-31", "2025-03-01", "2020-01-01"] {
            let reply = transfer_on(
                &app,
                &g,
                date,
                "assets:cash:HKD",
                "liabilities:savings:ana",
                "1",
            )
            .await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "closed-period");
            assert_eq!(reply.pointer(), "/booked_on", "{date}");
        }
        assert_eq!(snapshot(&app, &g).await, before);

        let after = transfer_on(
            &app,
            &g,
            "2025-04-01",
            "assets:cash:HKD",
            "liabilities:savings:ana",
            "1",
        )
        .await;
        assert_created(&after);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "101.00");
    }
);

both_backends!(
    a_period_cannot_be_closed_again_at_or_before_its_date,
    |app| async move {
        let g = savings_group(&app).await;
        assert_created(&close_through(&app, &g, "2025-03-31").await);
        for date in ["2025-03-31", "2025-03-15", "2024-12-31"] {
            let reply = close_through(&app, &g, date).await;
            assert_problem(&reply, StatusCode::CONFLICT, "period-already-closed");
        }
        let group = app.get(&format!("/v1/groups/{g}")).await;
        assert_eq!(group.body["closed_through"], "2025-03-31");

        // Closing a later date moves the boundary forward.
        assert_created(&close_through(&app, &g, "2025-04-30").await);
        let reply = transfer_on(
            &app,
            &g,
            "2025-04-15",
            "assets:cash:HKD",
            "liabilities:savings:ana",
            "1",
        )
        .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "closed-period");
        let group = app.get(&format!("/v1/groups/{g}")).await;
        assert_eq!(group.body["closed_through"], "2025-04-30");
    }
);

both_backends!(
    a_period_cannot_be_closed_before_it_has_ended,
    |app| async move {
        let g = savings_group(&app).await;
        let tomorrow = (today() + chrono::Duration::days(1)).to_string();
        let next_year = (today() + chrono::Duration::days(366)).to_string();
        for date in [tomorrow.as_str(), next_year.as_str()] {
            let reply = close_through(&app, &g, date).await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(reply.pointer(), "/through");
        }
        for through in [json!("2025-02-30"), json!(null), json!(20250101)] {
            let reply = app
                .post(
                    &format!("/v1/groups/{g}/period-closes"),
                    &json!({"through": through}),
                )
                .await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(reply.pointer(), "/through", "{through}");
        }
        let group = app.get(&format!("/v1/groups/{g}")).await;
        assert_eq!(group.body["closed_through"], Value::Null);

        // A period may end today; nothing can then be booked on today.
        assert_created(&close_through(&app, &g, &today().to_string()).await);
        let reply = app
            .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "1")
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "closed-period");
    }
);

// ---------------------------------------------------------------------------------------------
// Reversals
// ---------------------------------------------------------------------------------------------

both_backends!(
    a_reversal_mirrors_the_original_and_links_both_ways,
    |app| async move {
        let g = savings_group(&app).await;
        let original = transfer_on(
            &app,
            &g,
            "2025-05-01",
            "assets:cash:HKD",
            "liabilities:savings:ana",
            "500",
        )
        .await;
        assert_created(&original);
        let original_id = id_of(&original);

        let reversal = reverse(&app, &g, &original_id, &json!({})).await;
        assert_created(&reversal);
        let r = &reversal.body;
        assert_eq!(r["reverses"], json!(original_id));
        assert_eq!(r["reversed_by"], Value::Null);
        assert_eq!(r["sequence"], 2);
        assert_eq!(r["previous_hash"], original.body["hash"]);
        // With no date given, on the original's date, which is still open.
        assert_eq!(r["booked_on"], "2025-05-01");
        assert_eq!(
            r["description"],
            "Reversal of #1: assets:cash:HKD from liabilities:savings:ana"
        );
        let mirrored: Vec<(Value, Value, Value)> = r["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| {
                (
                    e["account_code"].clone(),
                    e["direction"].clone(),
                    e["amount"].clone(),
                )
            })
            .collect();
        assert_eq!(
            mirrored,
            vec![
                (json!("assets:cash:HKD"), json!("credit"), json!("500.00")),
                (
                    json!("liabilities:savings:ana"),
                    json!("debit"),
                    json!("500.00")
                ),
            ]
        );

        let reread = app
            .get(&format!("/v1/groups/{g}/transactions/{original_id}"))
            .await;
        assert_eq!(reread.body["reversed_by"], r["id"]);
        assert_eq!(reread.body["reverses"], Value::Null);
        assert_eq!(reread.body["hash"], original.body["hash"]);
        let listed = app.get(&format!("/v1/groups/{g}/transactions")).await;
        assert_eq!(listed.body["items"][0]["reversed_by"], r["id"]);
        assert_eq!(listed.body["items"][1]["reverses"], json!(original_id));

        assert_eq!(app.balance(&g, "assets:cash:HKD").await, "0.00");
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "0.00");
        let cash = app
            .get(&format!("/v1/groups/{g}/accounts/assets:cash:HKD"))
            .await;
        assert_eq!(cash.body["debits"], "500.00");
        assert_eq!(cash.body["credits"], "500.00");
    }
);

async fn balances(app: &TestApp, group: &str) -> Vec<(String, String)> {
    let reply = app.get(&format!("/v1/groups/{group}/accounts")).await;
    reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| {
            (
                a["code"].as_str().expect("code").to_string(),
                a["balance"].as_str().expect("balance").to_string(),
            )
        })
        .collect()
}

both_backends!(
    a_reversal_returns_every_balance_to_what_it_was,
    |app| async move {
        let g = savings_group(&app).await;
        assert_created(
            &app.transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "800")
                .await,
        );
        assert_created(
            &app.transfer(&g, "assets:home-bank:PHP", "equity:capital:PHP", "1000")
                .await,
        );
        let before = balances(&app, &g).await;
        let original = post(
        &app,
        &g,
        &json!({"description": "Meeting: Ben saves, Ana withdraws, fees, home bank", "entries": [
            entry("assets:bank:HKD", "debit", "300"),
            entry("liabilities:savings:ben", "credit", "300"),
            entry("liabilities:savings:ana", "debit", "250.25"),
            entry("expense:fees", "debit", "4.75"),
            entry("assets:cash:HKD", "credit", "255"),
            entry("assets:home-bank:PHP", "credit", "99.99"),
            entry("equity:capital:PHP", "debit", "99.99"),
        ]}),
    )
    .await;
        assert_created(&original);
        assert_ne!(balances(&app, &g).await, before);
        let reversal = reverse(&app, &g, &id_of(&original), &json!({})).await;
        assert_created(&reversal);
        assert_eq!(
            reversal.body["entries"].as_array().expect("entries").len(),
            7
        );
        assert_eq!(balances(&app, &g).await, before);
        let verified = app.get(&format!("/v1/groups/{g}/ledger/verify")).await;
        assert_eq!(verified.body["ok"], true, "{}", verified.body);
    }
);

both_backends!(
    a_reversal_takes_its_own_date_and_description,
    |app| async move {
        let g = savings_group(&app).await;
        let original = transfer_on(
            &app,
            &g,
            "2025-05-01",
            "assets:cash:HKD",
            "liabilities:savings:ana",
            "50",
        )
        .await;
        assert_created(&original);
        let reversal = reverse(
            &app,
            &g,
            &id_of(&original),
            &json!({"booked_on": "2025-05-02", "description": "Recorded for the wrong member"}),
        )
        .await;
        assert_created(&reversal);
        assert_eq!(reversal.body["booked_on"], "2025-05-02");
        assert_eq!(
            reversal.body["description"],
            "Recorded for the wrong member"
        );
    }
);

both_backends!(
    a_reversal_without_a_date_is_booked_on_the_mistakes_date_while_it_is_open,
    |app| async move {
        let g = savings_group(&app).await;
        // A contribution recorded against the wrong member on 1 May, found on a later day.
        let mistake = transfer_on(
            &app,
            &g,
            "2025-05-01",
            "assets:cash:HKD",
            "liabilities:savings:ana",
            "50",
        )
        .await;
        assert_created(&mistake);
        let reversal = reverse(&app, &g, &id_of(&mistake), &json!({})).await;
        assert_created(&reversal);
        assert_eq!(reversal.body["booked_on"], "2025-05-01");
        // May then closes without the mistaken money: Ana holds nothing at the end of May.
        assert_eq!(
            close_through(&app, &g, "2025-05-31").await.status,
            StatusCode::CREATED
        );
        let may = trial_balance(&app, &g, "?as_of=2025-05-31").await;
        assert_eq!(
            account_line(&may, "liabilities:savings:ana")["balance"],
            "0.00"
        );
    }
);

both_backends!(
    a_reversal_without_a_date_of_a_closed_mistake_is_booked_on_the_first_open_date,
    |app| async move {
        let g = savings_group(&app).await;
        let mistake = transfer_on(
            &app,
            &g,
            "2025-05-10",
            "assets:cash:HKD",
            "liabilities:savings:ana",
            "50",
        )
        .await;
        assert_created(&mistake);
        assert_eq!(
            close_through(&app, &g, "2025-05-31").await.status,
            StatusCode::CREATED
        );
        let reversal = reverse(&app, &g, &id_of(&mistake), &json!({})).await;
        assert_created(&reversal);
        assert_eq!(reversal.body["booked_on"], "2025-06-01");
        // A date the treasurer gives still wins, and a closed one is still refused.
        let again = transfer_on(
            &app,
            &g,
            "2025-06-03",
            "assets:cash:HKD",
            "liabilities:savings:ana",
            "20",
        )
        .await;
        let dated = reverse(
            &app,
            &g,
            &id_of(&again),
            &json!({"booked_on": "2025-06-05"}),
        )
        .await;
        assert_created(&dated);
        assert_eq!(dated.body["booked_on"], "2025-06-05");
    }
);

both_backends!(
    a_reversal_may_be_requested_with_an_empty_body,
    |app| async move {
        let g = savings_group(&app).await;
        let original = app
            .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "50")
            .await;
        assert_created(&original);
        let id = id_of(&original);
        let reply = app
            .send(
                app.client
                    .post(app.url(&format!("/v1/groups/{g}/transactions/{id}/reversal")))
                    .header("Idempotency-Key", fresh_key())
                    .header("Content-Length", "0")
                    .body(""),
            )
            .await;
        assert_created(&reply);
        assert_eq!(reply.body["reverses"], json!(id));
    }
);

// HTTP/1.1 (RFC 9112, section 6.3): a request with neither Content-Length nor
// Transfer-Encoding has an empty body, which a reversal takes as `{}`.
both_backends!(
    a_reversal_may_be_requested_without_any_body,
    |app| async move {
        let g = savings_group(&app).await;
        let original = app
            .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "50")
            .await;
        assert_created(&original);
        let id = id_of(&original);
        let request = app
            .client
            .post(app.url(&format!("/v1/groups/{g}/transactions/{id}/reversal")))
            .header("Idempotency-Key", fresh_key())
            .build()
            .expect("request");
        assert!(request.body().is_none());
        assert!(request.headers().get("content-length").is_none());
        let reply = Reply::from(app.client.execute(request).await.expect("response")).await;
        assert_created(&reply);
        assert_eq!(reply.body["reverses"], json!(id));
    }
);

both_backends!(a_transaction_can_be_reversed_only_once, |app| async move {
    let g = savings_group(&app).await;
    let original = app
        .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "500")
        .await;
    assert_created(&original);
    let id = id_of(&original);
    assert_created(&reverse(&app, &g, &id, &json!({})).await);
    let before = snapshot(&app, &g).await;
    let again = reverse(&app, &g, &id, &json!({})).await;
    assert_problem(&again, StatusCode::CONFLICT, "already-reversed");
    assert_eq!(snapshot(&app, &g).await, before);
    assert_eq!(head_sequence(&app, &g).await, 2);
});

both_backends!(a_reversal_cannot_itself_be_reversed, |app| async move {
    let g = savings_group(&app).await;
    let original = app
        .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "500")
        .await;
    assert_created(&original);
    let reversal = reverse(&app, &g, &id_of(&original), &json!({})).await;
    assert_created(&reversal);
    let before = snapshot(&app, &g).await;
    let reply = reverse(&app, &g, &id_of(&reversal), &json!({})).await;
    assert_problem(&reply, StatusCode::CONFLICT, "reversal-of-reversal");
    assert_eq!(snapshot(&app, &g).await, before);
});

both_backends!(
    a_reversal_that_would_overdraw_a_savings_account_is_refused,
    |app| async move {
        let g = savings_group(&app).await;
        let contribution = app
            .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "500")
            .await;
        assert_created(&contribution);
        let withdrawal = app
            .transfer(&g, "liabilities:savings:ana", "assets:cash:HKD", "300")
            .await;
        assert_created(&withdrawal);

        // Undoing the contribution would take Ana's savings to -300.00.
        let before = snapshot(&app, &g).await;
        let reply = reverse(&app, &g, &id_of(&contribution), &json!({})).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "overdraft");
        assert_eq!(snapshot(&app, &g).await, before);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "200.00");

        // Once the withdrawal is undone, so can the contribution be.
        assert_created(&reverse(&app, &g, &id_of(&withdrawal), &json!({})).await);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "500.00");
        assert_created(&reverse(&app, &g, &id_of(&contribution), &json!({})).await);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "0.00");
    }
);

both_backends!(
    a_reversal_into_a_closed_period_is_refused,
    |app| async move {
        let g = savings_group(&app).await;
        let original = transfer_on(
            &app,
            &g,
            "2025-03-10",
            "assets:cash:HKD",
            "liabilities:savings:ana",
            "500",
        )
        .await;
        assert_created(&original);
        assert_created(&close_through(&app, &g, "2025-03-31").await);
        let before = snapshot(&app, &g).await;
        let reply = reverse(
            &app,
            &g,
            &id_of(&original),
            &json!({"booked_on": "2025-03-20"}),
        )
        .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "closed-period");
        assert_eq!(snapshot(&app, &g).await, before);

        // The correction is booked in the open period instead.
        let reply = reverse(
            &app,
            &g,
            &id_of(&original),
            &json!({"booked_on": "2025-04-01"}),
        )
        .await;
        assert_created(&reply);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "0.00");
    }
);

both_backends!(
    reversing_an_unknown_transaction_is_not_found,
    |app| async move {
        let g = savings_group(&app).await;
        let unknown = uuid::Uuid::now_v7();
        for id in [unknown.to_string(), "not-an-id".to_string()] {
            let reply = reverse(&app, &g, &id, &json!({})).await;
            assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
        }
        assert_eq!(head_sequence(&app, &g).await, 0);
    }
);

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

both_backends!(
    verification_recomputes_the_chain_and_reports_the_head,
    |app| async move {
        let g = savings_group(&app).await;
        let empty = app.get(&format!("/v1/groups/{g}/ledger/verify")).await;
        assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
        assert_eq!(empty.body["ok"], true);
        assert_eq!(empty.body["transactions_checked"], 0);
        assert_eq!(empty.body["head_sequence"], 0);
        assert_eq!(empty.body["head_hash"], GENESIS);
        assert_eq!(empty.body["failure"], Value::Null);

        let first = app
            .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "500")
            .await;
        assert_created(&first);
        assert_created(
            &app.transfer(&g, "assets:home-bank:PHP", "equity:capital:PHP", "3500")
                .await,
        );
        let last = reverse(&app, &g, &id_of(&first), &json!({})).await;
        assert_created(&last);

        let verified = app.get(&format!("/v1/groups/{g}/ledger/verify")).await;
        assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
        assert_eq!(verified.body["ok"], true, "{}", verified.body);
        assert_eq!(verified.body["transactions_checked"], 3);
        assert_eq!(verified.body["head_sequence"], 3);
        assert_eq!(verified.body["head_hash"], last.body["hash"]);
        assert_eq!(verified.body["failure"], Value::Null);
    }
);
