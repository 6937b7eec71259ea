//! Hostile input: schemathesis (PyPI) drives the live service from openapi.yaml, on SQLite and
//! on PostgreSQL, with every check it has, positive and negative data, its examples, coverage,
//! fuzzing and stateful phases, signed in as the administrator, with a fixed seed. Any failure
//! fails the test, with schemathesis' report in the message.
//!
//! Path parameters are pinned to the ids of a seeded group (the story's group with its standard
//! chart, members, remittance, transfers, investment, returns and a closed period, plus one of
//! every other kind of record), so generated requests reach real records; the stateful phase
//! follows the document's links from what it creates itself.
//!
//! Size: up to 20 generated cases per operation in the fuzzing phase for the 78 operations,
//! plus the examples, the coverage phase's boundary cases and the stateful scenarios: about
//! 4,000 requests per backend (schemathesis prints the exact count in its report), within
//! about two minutes per backend here.
//!
//! `.ci/run` installs a pinned schemathesis and sets `MSAI_REQUIRE_SCHEMATHESIS=1`, under which
//! a missing schemathesis fails the test instead of skipping it.

mod support;

use std::fmt::Write as _;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{Backend, TestApp, spawn};
use support::story::{created, key, ok, s, story};

/// The seed every run uses, so a failure can be replayed.
const SEED: u64 = 20_261_128;
/// Generated cases per operation in the fuzzing phase.
const CASES_PER_OPERATION: u32 = 20;

/// Whether schemathesis can be run; a missing one fails the test when it is required.
fn schemathesis_available() -> bool {
    let found = Command::new("schemathesis")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        assert!(
            std::env::var("MSAI_REQUIRE_SCHEMATHESIS").is_err(),
            "schemathesis is required (MSAI_REQUIRE_SCHEMATHESIS is set) but cannot be run"
        );
        eprintln!("skipping the schemathesis run: schemathesis is not installed");
    }
    found
}

fn first_id(reply: &support::app::Reply) -> String {
    s(&ok(reply)["items"][0]["id"]).to_string()
}

/// Creates one record of every kind a path can name and returns the path parameters, as
/// (`operation path regex`, `parameter`, `value`); an empty regex means every operation.
async fn seed(app: &TestApp) -> Vec<(&'static str, &'static str, String)> {
    let story = story(app).await;
    let group = story.group.clone();
    let g = format!("/v1/groups/{group}");

    let withdrawal = app
        .post_with_key(
            &format!("{g}/withdrawals"),
            &key(),
            &json!({"member_id": story.ana, "amount": "100.00", "from": "savings",
                    "channel": "cash", "booked_on": "2026-07-02"}),
        )
        .await;
    let withdrawal = s(&created(&withdrawal)["id"]).to_string();
    let meeting = app
        .post_with_key(
            &format!("{g}/meetings"),
            &key(),
            &json!({"held_on": "2026-07-05", "note": "July meeting",
                    "attendance": [story.ana, story.bea],
                    "events": [{"type": "contribution", "member_id": story.bea,
                                "amount": "50.00", "fund": "savings", "channel": "cash"}]}),
        )
        .await;
    let meeting = s(&created(&meeting)["id"]).to_string();
    let coop = format!("{g}/investments/{}", story.coop);
    let write_down = app
        .post_with_key(
            &format!("{coop}/write-downs"),
            &key(),
            &json!({"amount": "500.00", "booked_on": "2026-07-10", "note": "Flood damage"}),
        )
        .await;
    let write_down = s(&created(&write_down)["id"]).to_string();
    let distribution = app
        .post_with_key(
            &format!("{g}/distributions"),
            &key(),
            &json!({"pool": "100.00", "currency": "PHP", "basis": "savings",
                    "as_of": "2026-07-01", "pay_to": "payable", "booked_on": "2026-07-11"}),
        )
        .await;
    let distribution = s(&created(&distribution)["id"]).to_string();
    let disbursement = first_id(&app.get(&format!("{coop}/disbursements")).await);
    let investment_return = first_id(&app.get(&format!("{coop}/returns")).await);
    let contribution = first_id(&app.get(&format!("{g}/contributions")).await);
    let remittance = first_id(&app.get(&format!("{g}/remittances")).await);
    let transfer = first_id(&app.get(&format!("{g}/transfers")).await);
    let transaction = first_id(&app.get(&format!("{g}/transactions")).await);

    // A member user of the group: the user routes act on it, never on the administrator the
    // run is signed in as.
    let (user, _) = app
        .user_with(
            "carla.member",
            json!([{"role": "member", "group_id": group, "member_id": story.carla}]),
        )
        .await;
    let grants = app.get("/v1/users").await;
    let grant = ok(&grants)["items"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["id"] == json!(user))
        .map(|u| s(&u["grants"][0]["id"]).to_string())
        .expect("the member user's grant");

    vec![
        ("", "group_id", group),
        ("", "member_id", story.dan),
        ("", "investment_id", story.coop),
        ("", "account", "assets:cash:HKD".to_string()),
        ("", "transaction_id", transaction),
        ("", "contribution_id", contribution),
        ("", "withdrawal_id", withdrawal),
        ("", "meeting_id", meeting),
        ("", "remittance_id", remittance),
        ("", "transfer_id", transfer),
        ("", "distribution_id", distribution),
        ("", "user_id", user),
        ("", "grant_id", grant),
        ("/disbursements/", "event_id", disbursement),
        ("/returns/", "event_id", investment_return),
        ("/write-downs/", "event_id", write_down),
    ]
}

/// schemathesis' configuration: the pinned path parameters.
fn config(parameters: &[(&str, &str, String)]) -> String {
    let mut out = String::from("[parameters]\n");
    for (regex, name, value) in parameters {
        if regex.is_empty() {
            writeln!(out, "\"path.{name}\" = \"{value}\"").unwrap();
        }
    }
    for (regex, name, value) in parameters {
        if !regex.is_empty() {
            writeln!(
                out,
                "\n[[operations]]\ninclude-path-regex = \"{regex}\"\nparameters = {{ \"path.{name}\" = \"{value}\" }}"
            )
            .unwrap();
        }
    }
    out
}

async fn run_schemathesis(backend: Backend) {
    if !schemathesis_available() {
        return;
    }
    let Some(app) = spawn(backend).await else {
        return;
    };
    let parameters = seed(&app).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config_path = dir.path().join("schemathesis.toml");
    std::fs::write(&config_path, config(&parameters)).expect("write the configuration");
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml");
    let mut command = Command::new("schemathesis");
    command
        .arg("--config-file")
        .arg(&config_path)
        .arg("--no-color")
        .arg("run")
        .arg(schema)
        .args(["--url", &app.base])
        .args(["--checks", "all"])
        .args(["--mode", "all"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--seed", &SEED.to_string()])
        .args(["--max-examples", &CASES_PER_OPERATION.to_string()])
        .args(["--generation-database", "none"])
        .args(["--workers", "2"])
        .args([
            "--header",
            &format!("Authorization: Bearer {}", app.admin_token),
        ])
        .args(["--request-timeout", "30"])
        .arg("--report-dir")
        .arg(dir.path().join("report"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_TELEMETRY", "false");
    let out = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("schemathesis task")
        .expect("run schemathesis");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "schemathesis found failures on {backend:?}:\n{report}"
    );
    // Whatever schemathesis sent, the seeded group's history is intact.
    let verify = app
        .get(&format!("/v1/groups/{}/ledger/verify", parameters[0].2))
        .await;
    assert_eq!(verify.status, StatusCode::OK, "{}", verify.body);
    assert_eq!(verify.body["ok"], Value::Bool(true), "{}", verify.body);
    eprintln!("{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn schemathesis_finds_nothing_on_sqlite() {
    run_schemathesis(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn schemathesis_finds_nothing_on_postgres() {
    run_schemathesis(Backend::Postgres).await;
}
