//! A group's time zone and "today": a group lives in its host country's time, so what a
//! treasurer records at 07:30 on a Monday in Hong Kong is booked on Monday, although it is
//! still Sunday in UTC. The service's clock is fixed at that instant for these tests.

use crate::support;

use chrono::{DateTime, Utc};
use msai_ledger::app::AppConfig;
use msai_ledger::domain::dates::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{Backend, Reply, TestApp, assert_problem};

/// 07:30 on Monday 30 November 2026 in Hong Kong; 23:30 on Sunday 29 November in UTC.
const MONDAY_0730_HONG_KONG: &str = "2026-11-29T23:30:00Z";
const MONDAY: &str = "2026-11-30";
const SUNDAY: &str = "2026-11-29";

fn at_monday_morning_in_hong_kong() -> AppConfig {
    let instant: DateTime<Utc> = MONDAY_0730_HONG_KONG.parse().unwrap();
    AppConfig {
        clock: Clock::Fixed(instant),
        ..AppConfig::default()
    }
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn created(reply: &Reply) -> &Value {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    &reply.body
}

fn assert_refused_at(reply: &Reply, pointer: &str) {
    assert_problem(reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(reply.pointer(), pointer, "{}", reply.body);
}

/// A group with the standard chart, hosted in `host`, with `time_zone` when given.
async fn group(app: &TestApp, host: &str, time_zone: Option<&str>) -> Reply {
    let mut body = json!({"name": "Kapatiran", "currency": "HKD", "host_country": host,
                          "home_country": "PH"});
    if let Some(zone) = time_zone {
        body["time_zone"] = json!(zone);
    }
    app.post("/v1/groups", &body).await
}

async fn group_id(app: &TestApp, host: &str, time_zone: Option<&str>) -> String {
    let reply = group(app, host, time_zone).await;
    created(&reply)["id"].as_str().unwrap().to_string()
}

async fn group_count(app: &TestApp) -> usize {
    let reply = app.get("/v1/groups?limit=500").await;
    reply.body["items"].as_array().expect("items").len()
}

/// Registers a member without a joining date (so on the group's today) and returns them.
async fn member(app: &TestApp, group: &str) -> Value {
    let reply = app
        .post(
            &format!("/v1/groups/{group}/members"),
            &json!({"name": "Maria Dela Cruz", "home_country": "PH", "host_country": "HK"}),
        )
        .await;
    created(&reply).clone()
}

/// What a treasurer records at the moment the clock is fixed at, none of it dated by them:
/// the dates each write was booked on, in the order written.
async fn undated_writes(app: &TestApp, group: &str) -> Vec<String> {
    let member = member(app, group).await;
    let member_id = member["id"].as_str().unwrap();
    let contribution = app
        .post_with_key(
            &format!("/v1/groups/{group}/contributions"),
            &key(),
            &json!({"member_id": member_id, "amount": "500.00", "fund": "savings", "channel": "cash"}),
        )
        .await;
    let transaction = app
        .post_with_key(
            &format!("/v1/groups/{group}/transactions"),
            &key(),
            &json!({"description": "cash banked", "entries": [
                {"account": "assets:bank:HKD", "direction": "debit", "amount": "100.00"},
                {"account": "assets:cash:HKD", "direction": "credit", "amount": "100.00"},
            ]}),
        )
        .await;
    let meeting = app
        .post_with_key(
            &format!("/v1/groups/{group}/meetings"),
            &key(),
            &json!({"attendance": [member_id], "events": [
                {"type": "contribution", "member_id": member_id, "amount": "20.00", "fund": "savings", "channel": "cash"},
            ]}),
        )
        .await;
    let meeting = created(&meeting);
    vec![
        member["joined_on"].as_str().unwrap().to_string(),
        created(&contribution)["booked_on"]
            .as_str()
            .unwrap()
            .to_string(),
        created(&transaction)["booked_on"]
            .as_str()
            .unwrap()
            .to_string(),
        meeting["held_on"].as_str().unwrap().to_string(),
        meeting["events"][0]["booked_on"]
            .as_str()
            .unwrap()
            .to_string(),
    ]
}

both_backends_with!(
    a_write_at_half_past_seven_on_monday_in_hong_kong_is_booked_on_monday,
    at_monday_morning_in_hong_kong(),
    |app| async move {
        let hong_kong = group_id(&app, "HK", None).await;
        assert_eq!(undated_writes(&app, &hong_kong).await, vec![MONDAY; 5]);

        // The same instant is still Sunday for a group that keeps UTC.
        let utc = group_id(&app, "HK", Some("UTC")).await;
        assert_eq!(undated_writes(&app, &utc).await, vec![SUNDAY; 5]);
    }
);

both_backends_with!(
    a_period_ends_by_the_group_s_own_date,
    at_monday_morning_in_hong_kong(),
    |app| async move {
        let through = json!({"through": MONDAY});
        // Monday has begun in Hong Kong: a period through Monday may be closed there...
        let hong_kong = group_id(&app, "HK", None).await;
        let reply = app
            .post(&format!("/v1/groups/{hong_kong}/period-closes"), &through)
            .await;
        assert_eq!(created(&reply)["through"], MONDAY);
        // ...and not yet where it is still Sunday.
        let utc = group_id(&app, "HK", Some("UTC")).await;
        let reply = app
            .post(&format!("/v1/groups/{utc}/period-closes"), &through)
            .await;
        assert_refused_at(&reply, "/through");
        assert!(
            reply.body["detail"].as_str().unwrap().contains(SUNDAY),
            "{}",
            reply.body
        );
        // A booking may be dated at most a day after the group's today.
        let tuesday = app
            .post_with_key(
                &format!("/v1/groups/{hong_kong}/transactions"),
                &key(),
                &json!({"booked_on": "2026-12-02", "entries": [
                    {"account": "assets:bank:HKD", "direction": "debit", "amount": "1.00"},
                    {"account": "assets:cash:HKD", "direction": "credit", "amount": "1.00"},
                ]}),
            )
            .await;
        assert_refused_at(&tuesday, "/booked_on");
    }
);

both_backends_with!(
    the_network_s_today_is_the_latest_of_its_groups_todays,
    at_monday_morning_in_hong_kong(),
    |app| async move {
        let empty = app.get("/v1/reports/indicators").await;
        assert_eq!(empty.body["as_of"], SUNDAY, "{}", empty.body);
        let utc = group_id(&app, "HK", Some("UTC")).await;
        let reply = app.get("/v1/reports/indicators").await;
        assert_eq!(reply.body["as_of"], SUNDAY, "{}", reply.body);

        // Registered this morning in Hong Kong: counted, although it is Sunday in UTC.
        let hong_kong = group_id(&app, "HK", None).await;
        assert_eq!(member(&app, &hong_kong).await["joined_on"], MONDAY);
        let reply = app.get("/v1/reports/indicators").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["as_of"], MONDAY);
        assert_eq!(
            reply.body["cells"].as_array().unwrap().len(),
            1,
            "{}",
            reply.body
        );
        // The UTC group's today is still Sunday.
        assert_eq!(member(&app, &utc).await["joined_on"], SUNDAY);
    }
);

both_backends!(
    a_group_takes_its_host_country_s_time_zone_or_names_one,
    |app| async move {
        for (host, zone) in [
            ("HK", "Asia/Hong_Kong"),
            ("SG", "Asia/Singapore"),
            ("MY", "Asia/Kuala_Lumpur"),
            ("AE", "Asia/Dubai"),
            ("IT", "Europe/Rome"),
        ] {
            let reply = group(&app, host, None).await;
            assert_eq!(created(&reply)["time_zone"], zone, "{host}");
            let read = app
                .get(&format!(
                    "/v1/groups/{}",
                    reply.body["id"].as_str().unwrap()
                ))
                .await;
            assert_eq!(read.body["time_zone"], zone);
        }
        // Any zone of the tz database may be named, whatever the host country.
        let reply = group(&app, "HK", Some("America/New_York")).await;
        assert_eq!(created(&reply)["time_zone"], "America/New_York");
        let before = group_count(&app).await;

        // Indonesia keeps three times: a group there must say which is its own.
        let reply = group(&app, "ID", None).await;
        assert_refused_at(&reply, "/time_zone");
        assert!(
            reply.body["detail"].as_str().unwrap().contains("ID"),
            "{}",
            reply.body
        );
        for bad in ["Asia/Atlantis", "asia/jakarta", "+07:00", "", "WIB"] {
            let reply = group(&app, "ID", Some(bad)).await;
            assert_refused_at(&reply, "/time_zone");
        }
        let reply = app
            .post(
                "/v1/groups",
                &json!({"name": "Kapatiran", "currency": "HKD", "host_country": "HK",
                        "home_country": "PH", "time_zone": 8}),
            )
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        // Null is the same as absent.
        let null_zone = |host: &str| {
            json!({"name": "Kapatiran", "currency": "HKD", "host_country": host,
                   "home_country": "PH", "time_zone": null})
        };
        let reply = app.post("/v1/groups", &null_zone("ID")).await;
        assert_refused_at(&reply, "/time_zone");
        assert_eq!(group_count(&app).await, before);
        let reply = app.post("/v1/groups", &null_zone("HK")).await;
        assert_eq!(created(&reply)["time_zone"], "Asia/Hong_Kong");

        let reply = group(&app, "ID", Some("Asia/Jakarta")).await;
        assert_eq!(created(&reply)["time_zone"], "Asia/Jakarta");
    }
);

both_backends_with!(
    a_group_that_moves_changes_its_time_zone_and_its_today,
    at_monday_morning_in_hong_kong(),
    |app| async move {
        let group = group_id(&app, "HK", None).await;
        let path = format!("/v1/groups/{group}");
        let (_, treasurer) = app
            .user_with(
                "treasurer",
                json!([{"role": "treasurer", "group_id": group}]),
            )
            .await;

        // A zone that does not exist changes nothing.
        let reply = app
            .send(
                treasurer
                    .patch(app.url(&path))
                    .json(&json!({"time_zone": "Europe/Atlantis"})),
            )
            .await;
        assert_refused_at(&reply, "/time_zone");
        assert_eq!(app.get(&path).await.body["time_zone"], "Asia/Hong_Kong");
        assert_eq!(undated_writes(&app, &group).await, vec![MONDAY; 5]);

        // The group's treasurer moves it to UTC: its today is Sunday at once.
        let reply = app
            .send(
                treasurer
                    .patch(app.url(&path))
                    .json(&json!({"time_zone": "UTC"})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["time_zone"], "UTC");
        assert_eq!(app.get(&path).await.body["time_zone"], "UTC");
        let contribution = undated_writes(&app, &group).await;
        assert_eq!(contribution, vec![SUNDAY; 5]);
    }
);

both_backends!(
    an_account_s_balance_as_of_a_date_counts_what_was_booked_on_or_before_it,
    |app| async move {
        let group = group_id(&app, "HK", None).await;
        for (booked_on, amount) in [
            ("2026-11-01", "100.00"),
            ("2026-11-15", "50.00"),
            ("2026-11-20", "7.25"),
        ] {
            let reply = app
                .post_with_key(
                    &format!("/v1/groups/{group}/transactions"),
                    &key(),
                    &json!({"booked_on": booked_on, "entries": [
                        {"account": "assets:bank:HKD", "direction": "debit", "amount": amount},
                        {"account": "assets:fx:HKD", "direction": "credit", "amount": amount},
                    ]}),
                )
                .await;
            created(&reply);
        }
        // A later withdrawal from the bank, booked back on the 15th.
        let reply = app
            .post_with_key(
                &format!("/v1/groups/{group}/transactions"),
                &key(),
                &json!({"booked_on": "2026-11-15", "entries": [
                    {"account": "assets:fx:HKD", "direction": "debit", "amount": "30.00"},
                    {"account": "assets:bank:HKD", "direction": "credit", "amount": "30.00"},
                ]}),
            )
            .await;
        created(&reply);

        let bank = format!("/v1/groups/{group}/accounts/assets:bank:HKD");
        let now = app.get(&bank).await;
        assert_eq!(now.status, StatusCode::OK, "{}", now.body);
        assert_eq!(now.body["balance"], "127.25");
        assert!(now.body.get("as_of").is_none(), "{}", now.body);
        let id = now.body["id"].as_str().unwrap();

        for (as_of, debits, credits, balance) in [
            ("2026-10-31", "0.00", "0.00", "0.00"),
            ("2026-11-01", "100.00", "0.00", "100.00"),
            ("2026-11-14", "100.00", "0.00", "100.00"),
            ("2026-11-15", "150.00", "30.00", "120.00"),
            ("2026-11-20", "157.25", "30.00", "127.25"),
            ("2030-01-01", "157.25", "30.00", "127.25"),
        ] {
            for path in [&bank, &format!("/v1/groups/{group}/accounts/{id}")] {
                let reply = app.get(&format!("{path}?as_of={as_of}")).await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
                assert_eq!(reply.body["as_of"], as_of);
                assert_eq!(reply.body["debits"], debits, "{as_of}");
                assert_eq!(reply.body["credits"], credits, "{as_of}");
                assert_eq!(reply.body["balance"], balance, "{as_of}");
                assert_eq!(reply.body["id"], id);
                assert_eq!(reply.body["code"], "assets:bank:HKD");
            }
        }
        // The other side, an asset below zero.
        let reply = app
            .get(&format!(
                "/v1/groups/{group}/accounts/assets:fx:HKD?as_of=2026-11-15"
            ))
            .await;
        assert_eq!(reply.body["balance"], "-120.00", "{}", reply.body);

        for bad in ["2026-11-1", "yesterday", "", "2026-02-30"] {
            let reply = app.get(&format!("{bank}?as_of={bad}")).await;
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
            assert_eq!(
                reply.body["errors"][0]["parameter"], "as_of",
                "{}",
                reply.body
            );
        }
        let reply = app
            .get(&format!(
                "/v1/groups/{group}/accounts/assets:nowhere?as_of=2026-11-15"
            ))
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
        let unknown = uuid::Uuid::now_v7();
        let reply = app
            .get(&format!(
                "/v1/groups/{unknown}/accounts/assets:bank:HKD?as_of=2026-11-15"
            ))
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
    }
);

/// The groups of a database made before time zones, as the service of then wrote them.
const GROUPS_OF_BEFORE: [(&str, &str); 4] = [
    ("HK", "Asia/Hong_Kong"),
    ("SG", "Asia/Singapore"),
    ("ID", "UTC"),
    ("AU", "UTC"),
];

const INSERT_GROUP_OF_BEFORE: &str = "INSERT INTO groups (id, name, currency, host_country, \
     home_country, created_at, closed_through, head_sequence, head_hash) \
     VALUES ($1, $2, 'HKD', $3, 'PH', $4, NULL, 0, $5)";

/// The migrations before time zones (0013), and groups written then.
async fn database_of_before(backend: Backend) -> Option<(String, Option<tempfile::TempDir>)> {
    let (url, dir) = support::app::fresh_database_url(backend).await?;
    let zero_hash = "0".repeat(64);
    match backend {
        Backend::Sqlite => {
            let options = url
                .parse::<sqlx::sqlite::SqliteConnectOptions>()
                .unwrap()
                .create_if_missing(true);
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            sqlx::migrate!("./migrations/sqlite")
                .run_to(12, &pool)
                .await
                .unwrap();
            for (host, _) in GROUPS_OF_BEFORE {
                sqlx::query(INSERT_GROUP_OF_BEFORE)
                    .bind(uuid::Uuid::now_v7())
                    .bind(format!("Savers in {host}"))
                    .bind(host)
                    .bind(Utc::now())
                    .bind(&zero_hash)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            sqlx::migrate!("./migrations/postgres")
                .run_to(12, &pool)
                .await
                .unwrap();
            for (host, _) in GROUPS_OF_BEFORE {
                sqlx::query(INSERT_GROUP_OF_BEFORE)
                    .bind(uuid::Uuid::now_v7())
                    .bind(format!("Savers in {host}"))
                    .bind(host)
                    .bind(Utc::now())
                    .bind(&zero_hash)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            pool.close().await;
        }
    }
    Some((url, dir))
}

async fn groups_of_before_get_their_host_country_s_time_zone_or_utc(backend: Backend) {
    let Some((url, dir)) = database_of_before(backend).await else {
        return;
    };
    let app = support::app::spawn_on(backend, url, dir, AppConfig::default()).await;
    let reply = app.get("/v1/groups?limit=500").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mut zones: Vec<(String, String)> = reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["host_country"].as_str().unwrap().to_string(),
                g["time_zone"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    zones.sort();
    let mut expected: Vec<(String, String)> = GROUPS_OF_BEFORE
        .iter()
        .map(|(c, z)| (c.to_string(), z.to_string()))
        .collect();
    expected.sort();
    assert_eq!(zones, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn groups_of_before_get_their_host_country_s_time_zone_or_utc_on_sqlite() {
    groups_of_before_get_their_host_country_s_time_zone_or_utc(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn groups_of_before_get_their_host_country_s_time_zone_or_utc_on_postgres() {
    groups_of_before_get_their_host_country_s_time_zone_or_utc(Backend::Postgres).await;
}

/// The query parameters openapi.yaml documents for a route (its path item's and its own).
fn documented_query_parameters(method: &str, path: &str) -> Vec<String> {
    let item = &support::openapi::spec()["paths"][path];
    let operation = support::openapi::operation(method, path);
    let mut names: Vec<String> = [&item["parameters"], &operation["parameters"]]
        .into_iter()
        .filter_map(Value::as_array)
        .flatten()
        .map(support::openapi::resolve)
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

both_backends!(
    an_unknown_query_parameter_is_told_what_the_route_accepts,
    |app| async move {
        // Real ids where a route looks its group or member up before reading its query.
        let group = group_id(&app, "HK", None).await;
        let member = member(&app, &group).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let unknown = uuid::Uuid::now_v7().to_string();
        let mut checked = 0;
        for (method, template) in support::openapi::spec_routes() {
            if method != "GET" || !template.starts_with("/v1/") {
                continue;
            }
            let path = template
                .split('/')
                .map(|segment| match segment {
                    "{account}" => "assets:cash:HKD",
                    "{group_id}" => group.as_str(),
                    "{member_id}" => member.as_str(),
                    s if s.starts_with('{') => unknown.as_str(),
                    s => s,
                })
                .collect::<Vec<_>>()
                .join("/");
            let reply = app.get(&format!("{path}?colour=blue")).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{template}: {}",
                reply.body
            );
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
            assert_eq!(reply.body["errors"][0]["parameter"], "colour", "{template}");
            let detail = reply.body["errors"][0]["detail"].as_str().unwrap();
            let documented = documented_query_parameters(&method, &template);
            if documented.is_empty() {
                assert_eq!(
                    detail, "unknown parameter; this route accepts no query parameters",
                    "{template}"
                );
            } else {
                let listed = detail
                    .strip_prefix("unknown parameter; this route accepts: ")
                    .unwrap_or_else(|| panic!("{template}: {detail}"));
                let mut listed: Vec<String> = listed.split(", ").map(String::from).collect();
                listed.sort();
                assert_eq!(listed, documented, "{template}");
            }
            checked += 1;
        }
        assert!(checked > 40, "{checked} routes checked");
    }
);

/// openapi.yaml lists the zones the service knows, and the host countries whose zone a group
/// takes when it names none, so that generated clients know them too.
#[test]
fn the_document_lists_the_time_zones_and_the_host_countries_with_one() {
    let schemas = &support::openapi::spec()["components"]["schemas"];
    let documented: Vec<&str> = schemas["TimeZone"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut known: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    known.sort_unstable();
    assert_eq!(documented, known);

    let countries: Vec<&str> =
        schemas["CreateGroup"]["anyOf"][1]["properties"]["host_country"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
    let table: Vec<&str> = msai_ledger::domain::dates::HOST_COUNTRY_ZONES
        .iter()
        .map(|(country, _)| *country)
        .collect();
    assert_eq!(countries, table);
}
