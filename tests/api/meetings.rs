//! Whole meetings recorded at once, as JSON and as CSV: every event or none, a list of every
//! failing item when refused, retries that replay, and the same checks for both forms.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{Reply, TestApp, assert_problem};

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn member(app: &TestApp, group: &str, name: &str) -> String {
    let reply = app
        .post(
            &format!("/v1/groups/{group}/members"),
            &json!({"name": name, "home_country": "ID", "host_country": "HK", "joined_on": "2026-01-05"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

async fn head(app: &TestApp, group: &str) -> Value {
    let reply = app.get(&format!("/v1/groups/{group}")).await;
    json!([reply.body["head_sequence"], reply.body["head_hash"]])
}

async fn post_csv(app: &TestApp, group: &str, query: &str, key: &str, csv: &str) -> Reply {
    app.send(
        app.client
            .post(app.url(&format!("/v1/groups/{group}/meetings{query}")))
            .header("Idempotency-Key", key)
            .header("Content-Type", "text/csv")
            .body(csv.to_string()),
    )
    .await
}

fn errors(reply: &Reply) -> Vec<(String, String)> {
    reply.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors: {}", reply.body))
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap_or("").to_string(),
                e["type"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

both_backends!(a_meeting_is_recorded_whole, |app| async move {
    let group = app.create_group("Bunga Savers").await;
    let siti = member(&app, &group, "Siti").await;
    let dewi = member(&app, &group, "Dewi").await;
    let rina = member(&app, &group, "Rina").await;
    let meetings = format!("/v1/groups/{group}/meetings");
    // Rina saves HKD 50 and takes 20 back out at the same meeting: events apply in order.
    let body = json!({
        "held_on": "2026-11-01", "note": "November meeting",
        "attendance": [siti, dewi, rina],
        "events": [
            {"type": "contribution", "member_id": siti, "amount": "200.00", "fund": "savings", "channel": "cash", "receipt_no": "R-101"},
            {"type": "contribution", "member_id": dewi, "amount": "150.00", "fund": "capital", "channel": "bank"},
            {"type": "contribution", "member_id": rina, "amount": "50.00", "fund": "savings", "channel": "cash"},
            {"type": "withdrawal", "member_id": rina, "amount": "20.00", "channel": "cash"},
            {"type": "contribution", "member_id": siti, "amount": "10.00", "fund": "social_fund", "channel": "cash"},
        ]
    });
    let meeting_key = key();
    let reply = app.post_with_key(&meetings, &meeting_key, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let meeting = reply.body.clone();
    assert_eq!(meeting["held_on"], "2026-11-01");
    assert_eq!(meeting["attendance"].as_array().unwrap().len(), 3);
    let events = meeting["events"].as_array().unwrap();
    assert_eq!(events.len(), 5);
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "contribution",
            "contribution",
            "contribution",
            "withdrawal",
            "contribution"
        ]
    );
    assert!(
        events
            .iter()
            .all(|e| e["booked_on"] == "2026-11-01" && e["transaction_id"].is_string())
    );
    assert_eq!(events[0]["receipt_no"], "R-101");
    // Cash: 200 + 50 − 20 + 10 = 240; bank 150.
    assert_eq!(app.balance(&group, "assets:cash:HKD").await, "240.00");
    assert_eq!(app.balance(&group, "assets:bank:HKD").await, "150.00");
    assert_eq!(
        app.balance(&group, &format!("liabilities:savings:{rina}"))
            .await,
        "30.00"
    );
    assert_eq!(
        app.balance(&group, &format!("equity:capital:{dewi}")).await,
        "150.00"
    );
    assert_eq!(
        app.balance(&group, "liabilities:social-fund:HKD").await,
        "10.00"
    );
    // The events are also contributions and withdrawals like any other.
    let contributions = app.get(&format!("/v1/groups/{group}/contributions")).await;
    assert_eq!(contributions.body["items"].as_array().unwrap().len(), 4);
    // A retry replays the meeting; it is not recorded twice.
    let again = app.post_with_key(&meetings, &meeting_key, &body).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(again.body, meeting);
    assert_eq!(app.balance(&group, "assets:cash:HKD").await, "240.00");
    let id = meeting["id"].as_str().unwrap();
    let read = app.get(&format!("{meetings}/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, meeting);
    let list = app.get(&meetings).await;
    assert_eq!(list.body["items"], json!([meeting]));
});

both_backends!(
    a_meeting_with_a_bad_event_writes_nothing_and_names_every_bad_item,
    |app| async move {
        let group = app.create_group("Bunga Savers").await;
        let siti = member(&app, &group, "Siti").await;
        let other = app.create_group("Other").await;
        let stranger = member(&app, &other, "Stranger").await;
        let before = head(&app, &group).await;
        let body = json!({
            "held_on": "2026-11-01",
            "attendance": [siti, stranger],
            "events": [
                {"type": "contribution", "member_id": siti, "amount": "100.00", "fund": "savings", "channel": "cash"},
                {"type": "contribution", "member_id": stranger, "amount": "5.00", "fund": "savings", "channel": "cash"},
                {"type": "withdrawal", "member_id": siti, "amount": "100.00", "channel": "cash"},
                {"type": "withdrawal", "member_id": siti, "amount": "0.01", "channel": "cash"},
                {"type": "contribution", "member_id": siti, "amount": "1.001", "fund": "savings", "channel": "cash"},
            ]
        });
        let reply = app
            .post_with_key(&format!("/v1/groups/{group}/meetings"), &key(), &body)
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "items-refused");
        assert_eq!(
            errors(&reply),
            vec![
                (
                    "/attendance/1".to_string(),
                    "/problems/unknown-member".to_string()
                ),
                (
                    "/events/1/member_id".to_string(),
                    "/problems/unknown-member".to_string()
                ),
                (
                    "/events/3/amount".to_string(),
                    "/problems/overdraft".to_string()
                ),
                (
                    "/events/4/amount".to_string(),
                    "/problems/invalid-field".to_string()
                ),
            ]
        );
        assert_eq!(head(&app, &group).await, before);
        assert_eq!(
            app.balance(&group, &format!("liabilities:savings:{siti}"))
                .await,
            "0.00"
        );
        let meetings = app.get(&format!("/v1/groups/{group}/meetings")).await;
        assert_eq!(meetings.body["items"], json!([]));
        // Refused before anything is looked up: a withdrawal with a fund other than savings.
        let reply = app
        .post_with_key(&format!("/v1/groups/{group}/meetings"), &key(), &json!({"events": [
            {"type": "withdrawal", "member_id": siti, "amount": "1.00", "fund": "capital", "channel": "cash"},
        ]}))
        .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(reply.pointer(), "/events/0/fund");
        let empty = app
            .post_with_key(&format!("/v1/groups/{group}/meetings"), &key(), &json!({}))
            .await;
        assert_problem(&empty, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    }
);

both_backends!(
    a_spreadsheet_meeting_is_the_same_meeting,
    |app| async move {
        let group = app.create_group("Bunga Savers").await;
        let siti = member(&app, &group, "Siti").await;
        let dewi = member(&app, &group, "Dewi").await;
        // Columns in any order, a byte-order mark, quoted cells, empty cells and CRLF line ends.
        let csv = format!(
            "\u{feff}type,member_id,amount,fund,channel,receipt_no,currency\r\n\
         attendance,{siti},,,,,\r\n\
         attendance,{dewi},,,,,\r\n\
         contribution,{siti},\"1,000.00\",savings,cash,R-1,\r\n"
        );
        // "1,000.00" is not an amount: the problem names line 4's amount.
        let reply = post_csv(&app, &group, "?held_on=2026-11-02", &key(), &csv).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "items-refused");
        assert_eq!(
            errors(&reply),
            vec![(
                "/rows/4/amount".to_string(),
                "/problems/invalid-field".to_string()
            )]
        );
        let detail = reply.body["detail"].as_str().unwrap();
        assert!(detail.contains("/rows/4/amount"), "{detail}");

        let csv = format!(
            "type,member_id,amount,fund,channel,receipt_no\n\
         attendance,{siti},,,,\n\
         contribution,{siti},300.00,savings,cash,R-1\n\
         contribution,{dewi},120.50,savings,mobile_wallet,\n\
         withdrawal,{siti},50.00,,cash,\n"
        );
        let csv_key = key();
        let reply = post_csv(
            &app,
            &group,
            "?held_on=2026-11-02&note=paper%20sheet",
            &csv_key,
            &csv,
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(reply.body["held_on"], "2026-11-02");
        assert_eq!(reply.body["note"], "paper sheet");
        assert_eq!(reply.body["attendance"], json!([siti]));
        assert_eq!(reply.body["events"].as_array().unwrap().len(), 3);
        assert_eq!(
            app.balance(&group, &format!("liabilities:savings:{siti}"))
                .await,
            "250.00"
        );
        assert_eq!(app.balance(&group, "assets:bank:HKD").await, "120.50");
        let again = post_csv(
            &app,
            &group,
            "?held_on=2026-11-02&note=paper%20sheet",
            &csv_key,
            &csv,
        )
        .await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.body, reply.body);
        assert_eq!(
            app.balance(&group, &format!("liabilities:savings:{siti}"))
                .await,
            "250.00"
        );

        // Item refusals point at lines: line 3 overdraws Dewi, line 4 names nobody.
        let before = head(&app, &group).await;
        let csv = format!(
            "type,member_id,amount,channel\n\
         withdrawal,{siti},10.00,cash\n\
         withdrawal,{dewi},500.00,cash\n\
         attendance,{},,\n",
            uuid::Uuid::new_v4()
        );
        let reply = post_csv(&app, &group, "?held_on=2026-11-03", &key(), &csv).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "items-refused");
        assert_eq!(
            errors(&reply),
            vec![
                (
                    "/rows/4/member_id".to_string(),
                    "/problems/unknown-member".to_string()
                ),
                (
                    "/rows/3/amount".to_string(),
                    "/problems/overdraft".to_string()
                ),
            ]
        );
        assert_eq!(head(&app, &group).await, before);

        // Not a meeting sheet at all.
        for (bad, why) in [
            ("type,member,amount\ncontribution,x,1\n", "unknown column"),
            ("amount,channel\n1.00,cash\n", "no \"type\" column"),
            ("type,member_id\ncontribution\n", "line 2"),
        ] {
            let reply = post_csv(&app, &group, "", &key(), bad).await;
            assert_problem(&reply, StatusCode::BAD_REQUEST, "malformed-csv");
            assert!(
                reply.body["detail"].as_str().unwrap().contains(why),
                "{}",
                reply.body
            );
        }
        let reply = post_csv(&app, &group, "?colour=blue", &key(), "type,member_id\n").await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
        );
        assert_eq!(head(&app, &group).await, before);
    }
);

both_backends!(
    a_sheets_date_is_a_query_parameter_and_attendance_reads_back_alike,
    |app| async move {
        let group = app.create_group("Bunga Savers").await;
        let a = member(&app, &group, "Siti").await;
        let b = member(&app, &group, "Dewi").await;
        for query in ["?held_on=2026-13-01", "?held_on=1969-12-31"] {
            let reply = post_csv(
                &app,
                &group,
                query,
                &key(),
                &format!("type,member_id\nattendance,{a}\n"),
            )
            .await;
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
            assert_eq!(
                reply.body["errors"][0]["parameter"], "held_on",
                "{}",
                reply.body
            );
        }
        // Attendance sent in any order reads back the same way every time.
        let (first, second) = if a > b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        let reply = app
            .post_with_key(
                &format!("/v1/groups/{group}/meetings"),
                &key(),
                &json!({"attendance": [first, second]}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let id = reply.body["id"].as_str().unwrap();
        let read = app.get(&format!("/v1/groups/{group}/meetings/{id}")).await;
        assert_eq!(read.body["attendance"], reply.body["attendance"]);
        assert_eq!(reply.body["attendance"], json!([second, first]));
    }
);

both_backends!(
    a_sheet_names_members_by_their_numbers_and_a_name_gets_an_error_that_says_so,
    |app| async move {
        let group = app.create_group("Bunga Savers").await;
        let siti = member(&app, &group, "Siti").await;
        let dewi = member(&app, &group, "Dewi").await;
        // The sheet a treasurer keeps on paper: members by the numbers in their passbooks.
        let csv = "type,member_id,amount,fund,channel\n\
                   attendance,1,,,\n\
                   attendance,#2,,,\n\
                   contribution,1,300.00,savings,cash\n\
                   contribution,2,120.50,savings,cash\n";
        let reply = post_csv(&app, &group, "?held_on=2026-11-02", &key(), csv).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(reply.body["attendance"], json!([siti, dewi]));
        assert_eq!(
            app.balance(&group, &format!("liabilities:savings:{siti}"))
                .await,
            "300.00"
        );
        assert_eq!(
            app.balance(&group, &format!("liabilities:savings:{dewi}"))
                .await,
            "120.50"
        );

        // A name, or a number no member has, is refused at its cell, and nothing is written.
        let before = head(&app, &group).await;
        let csv = "type,member_id,amount,fund,channel\n\
                   contribution,Siti Rahma,10.00,savings,cash\n";
        let reply = post_csv(&app, &group, "?held_on=2026-11-09", &key(), csv).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert_eq!(reply.body["errors"][0]["pointer"], "/rows/2/member_id");
        let detail = reply.body["detail"].as_str().unwrap();
        assert!(!detail.contains("UUID"), "{detail}");
        assert!(detail.contains("member's id or number"), "{detail}");
        let csv = "type,member_id,amount,fund,channel\n\
                   contribution,1,10.00,savings,cash\n\
                   contribution,7,10.00,savings,cash\n";
        let reply = post_csv(&app, &group, "?held_on=2026-11-09", &key(), csv).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "unknown-member");
        assert_eq!(reply.body["errors"][0]["pointer"], "/rows/3/member_id");
        assert_eq!(head(&app, &group).await, before);
    }
);

both_backends!(
    a_meeting_with_several_wrong_fields_hears_of_every_one,
    |app| async move {
        let group = app.create_group("Bunga Savers").await;
        let siti = member(&app, &group, "Siti").await;
        let before = head(&app, &group).await;
        let meetings = format!("/v1/groups/{group}/meetings");
        // A date far ahead, a name listed twice, an unknown currency, a withdrawal carrying a
        // currency and a receipt, and a member number no one has: every one named, each with
        // its own type.
        let body = json!({
            "held_on": "2999-01-01",
            "attendance": [siti, siti],
            "events": [
                {"type": "contribution", "member_id": siti, "amount": "10.00", "currency": "HKX", "fund": "savings", "channel": "cash"},
                {"type": "withdrawal", "member_id": siti, "amount": "1.00", "currency": "HKD", "receipt_no": "R-1", "channel": "cash"},
                {"type": "contribution", "member_id": 9, "amount": "10.00", "fund": "savings", "channel": "cash"},
            ]
        });
        let reply = app.post_with_key(&meetings, &key(), &body).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "items-refused");
        let invalid = "/problems/invalid-field".to_string();
        assert_eq!(
            errors(&reply),
            vec![
                ("/held_on".to_string(), invalid.clone()),
                ("/attendance/1".to_string(), invalid.clone()),
                ("/events/0/currency".to_string(), invalid.clone()),
                ("/events/1/currency".to_string(), invalid.clone()),
                ("/events/1/receipt_no".to_string(), invalid.clone()),
                (
                    "/events/2/member_id".to_string(),
                    "/problems/unknown-member".to_string()
                ),
            ],
            "{}",
            reply.body
        );
        // Wrong fields of one kind only are listed under that kind.
        let body = json!({"events": [
            {"type": "contribution", "member_id": siti, "amount": "1.00", "channel": "cash"},
            {"type": "withdrawal", "member_id": siti, "amount": "1.00", "fund": "capital", "channel": "cash"},
        ]});
        let reply = app.post_with_key(&meetings, &key(), &body).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        let pointers: Vec<String> = errors(&reply).into_iter().map(|(p, _)| p).collect();
        assert_eq!(pointers, ["/events/0/fund", "/events/1/fund"]);

        // A sheet: the date in the query and every wrong cell, by row.
        let csv = format!(
            "type,member_id,amount,currency,fund,channel,receipt_no\n\
             contribution,{siti},10.00,HKX,savings,cash,\n\
             contribution,{siti},10.00,,savings,cash,{}\n",
            "R".repeat(65)
        );
        let reply = post_csv(&app, &group, "?held_on=2999-01-01", &key(), &csv).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        let fields: Vec<(String, String)> = reply.body["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| {
                (
                    e["parameter"].as_str().unwrap_or("").to_string(),
                    e["pointer"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        assert_eq!(
            fields,
            [
                ("held_on".to_string(), String::new()),
                (String::new(), "/rows/2/currency".to_string()),
                (String::new(), "/rows/3/receipt_no".to_string()),
            ],
            "{}",
            reply.body
        );
        let detail = reply.body["detail"].as_str().unwrap();
        assert!(detail.contains("/rows/3/receipt_no"), "{detail}");
        // Attendance rows that name no one are refused with the sheet's other wrong cells.
        let csv = format!(
            "type,member_id,amount,currency,fund,channel
             attendance,,,,,
             attendance,,,,,
             contribution,{siti},10.00,HKX,savings,cash
"
        );
        let reply = post_csv(&app, &group, "?held_on=2026-11-02", &key(), &csv).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        let pointers: Vec<String> = errors(&reply).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            pointers,
            ["/rows/2/member_id", "/rows/3/member_id", "/rows/4/currency"],
            "{}",
            reply.body
        );
        assert_eq!(head(&app, &group).await, before);
        let listed = app.get(&meetings).await;
        assert_eq!(listed.body["items"], json!([]));
    }
);
