//! Hostile input: schemathesis (PyPI) drives the live service from openapi.yaml, on SQLite and
//! on PostgreSQL, with every check it has, positive and negative data, its examples, coverage,
//! fuzzing and stateful phases, signed in as the administrator, with a fixed seed. Any failure
//! fails the test, with schemathesis' report in the message.
//!
//! The document states what OpenAPI can express in its schemas (currency codes, text limits,
//! amount and rate patterns). tests/fuzzing/hooks.py gives every well-formed Idempotency-Key a
//! fresh value, as a client following the document does (a key is never reused for a
//! different request), and makes each schema-valid (positive) request follow the rules the
//! document states only in words: a date range in order, booking dates outside the closed
//! period and not after tomorrow, ids in a body naming records of the seeded group, a key
//! unless `dry_run` is true, a meeting CSV of the documented shape, amounts at the scale of
//! their currency, balances that are not overdrawn. Negative requests are sent as drawn, so
//! every refusal is still tested. The seeded ids reach the hooks through the environment.
//!
//! Path parameters are pinned to the ids of a seeded group (the story's group with its standard
//! chart, members, remittance, transfers, investment, returns and a closed period, plus one of
//! every other kind of record), so generated requests reach real records; the stateful phase
//! follows the document's links from what it creates itself.
//!
//! Size: up to 20 generated cases per operation in the fuzzing phase for the 76 operations,
//! plus the examples, the coverage phase's boundary cases and the stateful scenarios: about
//! 10,500 test cases per backend, 21,000 in all (schemathesis prints the exact count in its
//! report), in about two minutes per backend on two cores; the run as drawn (below) adds up to
//! 20 generated cases per operation, with the examples and the coverage phase, for the
//! operations it covers.
//!
//! A second run sends positive requests exactly as drawn (the hooks only make the
//! Idempotency-Key fresh), with schemathesis' positive-data acceptance check: a request that
//! matches the document must not be refused with 400 or 422. It covers every operation but those
//! listed in `REFUSED_BY_RULES_IN_WORDS`, each with the rule that JSON Schema cannot state.
//!
//! `.ci/run` installs a pinned schemathesis and sets `MSAI_REQUIRE_SCHEMATHESIS=1`, under which
//! a missing schemathesis fails the test instead of skipping it.
//!
//! A test binary of its own, not a module of the shared one (`tests/api/`): about 21,000 generated
//! requests per backend against a service in this process, for minutes: load that would slow the
//! tests sharing the process past their time bounds; on its own, it is run or left out with its
//! tool (`cargo test --test schemathesis`).

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use msai_ledger::domain::money::Currency;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{Backend, TestApp, spawn};
use support::story::{Story, created, key, ok, s, story};

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

/// The seeded group's records and rules the hooks need, as environment variables of the
/// schemathesis process (see tests/fuzzing/hooks.py).
fn hook_environment(story: &Story) -> Vec<(&'static str, String)> {
    let exponents: Vec<String> = Currency::all()
        .into_iter()
        .map(|c| format!("{}:{}", c.code(), c.exponent()))
        .collect();
    vec![
        ("MSAI_FUZZ_GROUP", story.group.clone()),
        ("MSAI_FUZZ_GROUP_CURRENCY", "HKD".to_string()),
        (
            "MSAI_FUZZ_MEMBERS",
            [&story.ana, &story.bea].map(String::as_str).join(","),
        ),
        ("MSAI_FUZZ_GRANT_MEMBER", story.carla.clone()),
        ("MSAI_FUZZ_INVESTMENT", story.coop.clone()),
        ("MSAI_FUZZ_ACCOUNT", "assets:cash:HKD".to_string()),
        (
            "MSAI_FUZZ_ACCOUNT_CREDITED",
            "income:investments:HKD".to_string(),
        ),
        ("MSAI_FUZZ_EXPONENTS", exponents.join(",")),
    ]
}

/// Creates one record of every kind a path can name and returns the path parameters, as
/// (`operation path regex`, `parameter`, `value`); an empty regex means every operation.
async fn seed(app: &TestApp, story: &Story) -> Vec<(&'static str, &'static str, String)> {
    let story = story.clone();
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
    // Second records, so that every list has a next page and its cursor can be pinned.
    for (path, body) in [
        (
            format!("{g}/withdrawals"),
            json!({"member_id": story.ana, "amount": "10.00", "from": "savings",
                   "channel": "cash", "booked_on": "2026-07-03"}),
        ),
        (
            format!("{g}/meetings"),
            json!({"held_on": "2026-07-06", "attendance": [story.ana]}),
        ),
        (
            format!("{coop}/write-downs"),
            json!({"amount": "100.00", "booked_on": "2026-07-12"}),
        ),
        (
            format!("{coop}/disbursements"),
            json!({"amount": "1000.00", "booked_on": "2026-07-12"}),
        ),
        (
            format!("{g}/distributions"),
            json!({"pool": "100.00", "currency": "PHP", "basis": "equal",
                   "as_of": "2026-07-01", "pay_to": "payable", "booked_on": "2026-07-13"}),
        ),
        (
            format!("{g}/remittances"),
            json!({"member_id": story.bea, "send_amount": "100.00", "send_currency": "HKD",
                   "fee": "5.00", "receive_amount": "700.00", "receive_currency": "PHP",
                   "applied_rate": "7.00", "mid_market_rate": "7.20",
                   "rate_source": "central bank reference", "provider": "Padala Express",
                   "channel": "money_transfer_operator", "send_country": "HK",
                   "receive_country": "PH",
                   "uses": [{"purpose": "family_support", "amount": "700.00"}],
                   "booked_on": "2026-07-04"}),
        ),
        (
            format!("{g}/investments"),
            json!({"name": "Sari-sari store", "kind": "enterprise", "sector": "retail",
                   "country": "PH", "currency": "PHP"}),
        ),
    ] {
        created(&app.post_with_key(&path, &key(), &body).await);
    }
    // The investment whose status the fuzzing may change (to `exited` or `written_off`, both
    // final), so that the story's investment keeps taking disbursements and write-downs.
    let investments = app.get(&format!("{g}/investments")).await;
    let store = ok(&investments)["items"]
        .as_array()
        .expect("investments")
        .iter()
        .find(|i| i["name"] == json!("Sari-sari store"))
        .map(|i| s(&i["id"]).to_string())
        .expect("the second investment");
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

    // Two changes of the approval policy asked for by a treasurer, waiting for a second
    // person (the run's administrator): the approval routes' records and their lists' pages.
    // Each asks for the policy the group has (nothing waits), so approving one changes nothing.
    let (_, treasurer) = app
        .user_with(
            "tess.approvals",
            json!([{"role": "treasurer", "group_id": group}]),
        )
        .await;
    let mut approvals = Vec::new();
    for _ in 0..2 {
        let asked = app
            .send(
                treasurer
                    .put(app.url(&format!("{g}/approval-policy")))
                    .header("Idempotency-Key", key())
                    .json(&support::app::no_approvals()),
            )
            .await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
        approvals.push(s(&asked.body["id"]).to_string());
    }

    // A webhook to an address where nothing listens: its deliveries fail and are retried.
    let hook = app
        .send(
            app.client
                .post(app.url(&format!("/v1/groups/{group}/webhooks")))
                .header("Idempotency-Key", key())
                .json(&json!({"url": "http://127.0.0.1:9/fuzz"})),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
    let webhook = s(&hook.body["id"]).to_string();

    app.create_group("Second group").await;
    // A real cursor for every list: the `next_cursor` of its first page of one item.
    let mut cursors = Vec::new();
    for list in [
        "/v1/audit-events",
        "/v1/approvals",
        "/v1/groups",
        "/v1/users",
        "/v1/groups/{group_id}/approvals",
        "/v1/groups/{group_id}/contributions",
        "/v1/groups/{group_id}/distributions",
        "/v1/groups/{group_id}/events",
        "/v1/groups/{group_id}/investments",
        "/v1/groups/{group_id}/investments/{investment_id}/disbursements",
        "/v1/groups/{group_id}/investments/{investment_id}/returns",
        "/v1/groups/{group_id}/investments/{investment_id}/write-downs",
        "/v1/groups/{group_id}/meetings",
        "/v1/groups/{group_id}/members",
        "/v1/groups/{group_id}/members/{member_id}/remittances",
        "/v1/groups/{group_id}/remittances",
        "/v1/groups/{group_id}/transactions",
        "/v1/groups/{group_id}/transfers",
        "/v1/groups/{group_id}/withdrawals",
    ] {
        let path = list
            .replace("{group_id}", &group)
            .replace("{investment_id}", &story.coop)
            .replace("{member_id}", &story.bea);
        let page = app.get(&format!("{path}?limit=1")).await;
        let cursor = ok(&page)["next_cursor"]
            .as_str()
            .unwrap_or_else(|| panic!("{list} has no second page: {}", page.body))
            .to_string();
        cursors.push((list, cursor));
    }

    let mut pins = vec![
        ("", "group_id", group),
        ("", "member_id", story.bea.clone()),
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
        ("", "approval_id", approvals[0].clone()),
        ("", "webhook_id", webhook),
        ("/investments/[^/]+$", "investment_id", store),
        // The member who exits, once: the story's other members stay active.
        ("/exit$", "member_id", story.eli.clone()),
        ("/disbursements/", "event_id", disbursement),
        ("/returns/", "event_id", investment_return),
        ("/write-downs/", "event_id", write_down),
    ];
    pins.extend(
        cursors
            .into_iter()
            .map(|(list, cursor)| (list, "cursor", cursor)),
    );
    pins
}

/// schemathesis' configuration: the hooks, the administrator's bearer token (the document's
/// `bearer` scheme) and the pinned parameters (path parameters, and the
/// cursor of each list, a GET of that exact path).
fn config(token: &str, parameters: &[(&str, &str, String)]) -> String {
    let hooks = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzzing/hooks.py");
    let mut out = format!(
        "hooks = \"{hooks}\"\n\n[auth.openapi.bearer]\nbearer = \"{token}\"\n\n[parameters]\n"
    );
    for (scope, name, value) in parameters {
        if scope.is_empty() {
            writeln!(out, "\"path.{name}\" = \"{value}\"").unwrap();
        }
    }
    for (scope, name, value) in parameters {
        if scope.is_empty() {
            continue;
        }
        if *name == "cursor" {
            writeln!(
                out,
                "\n[[operations]]\ninclude-name = \"GET {scope}\"\nparameters = {{ \"query.cursor\" = \"{value}\" }}"
            )
            .unwrap();
        } else {
            writeln!(
                out,
                "\n[[operations]]\ninclude-path-regex = \"{scope}\"\nparameters = {{ \"path.{name}\" = \"{value}\" }}"
            )
            .unwrap();
        }
    }
    out
}

/// The operations whose requests can match the document and still be refused (400 or 422), with
/// the rule the document states only in words because JSON Schema cannot express it: a date
/// bound that moves with today, an order between two fields, a header required by a body
/// field, a rule on records or balances. The run of positive requests sent as drawn leaves them
/// out (the main run sends them through the hooks, which follow those rules); every other
/// operation must accept every request that matches the document. Rules a schema can state
/// (positive amounts, a non-empty cursor, text limits, patterns) are in openapi.yaml.
const REFUSED_BY_RULES_IN_WORDS: &[(&str, &str)] = &[
    ("listAuditEvents", "`to` not before `from`"),
    ("getStatement", "`to` not before `from`"),
    (
        "listTransactions",
        "`to` not before `from`; `account` names an account of the group",
    ),
    ("exportJournal", "`to` not before `from`"),
    ("getFinancialStatements", "`to` not before `from`"),
    (
        "getCashBook",
        "`to` not before `from`; `account` an asset account of the group",
    ),
    ("getMemberStatement", "`to` not before `from`"),
    ("listMemberRemittances", "`to` not before `from`"),
    ("listContributions", "`to` not before `from`"),
    ("listWithdrawals", "`to` not before `from`"),
    ("listRemittances", "`to` not before `from`"),
    (
        "setApprovalPolicy",
        "a withdrawal limit has at most its currency's decimals",
    ),
    (
        "completeRemittance",
        "`uses` add up to the amount received, each purpose once; booked in the open period",
    ),
    (
        "failRemittance",
        "`fee_kept` at most the group savings sent; booked in the open period",
    ),
    ("reportRemittanceCorridors", "`to` not before `from`"),
    ("chartRemittanceCorridors", "`to` not before `from`"),
    (
        "reportSavingsTrend",
        "`to` not before `from`, `from` within the 120 months that end with the month of `to` (today when absent)",
    ),
    (
        "chartSavingsTrend",
        "`to` not before `from`, `from` within the 120 months that end with the month of `to` (today when absent); `currency` one ISO 4217 knows",
    ),
    ("chartPortfolio", "`currency` one ISO 4217 knows"),
    (
        "getGroupSavingsTrend",
        "`to` not before `from`, `from` within the 120 months that end with the month of `to` (today when absent)",
    ),
    (
        "chartGroupSavingsTrend",
        "`to` not before `from`, `from` within the 120 months that end with the month of `to` (today when absent); `currency` one ISO 4217 knows",
    ),
    ("chartGroupPortfolio", "`currency` one ISO 4217 knows"),
    ("getGroupRemittanceCorridors", "`to` not before `from`"),
    ("chartGroupRemittanceCorridors", "`to` not before `from`"),
    ("reportReturnedHome", "`to` not before `from`"),
    ("getGroupReturnedHome", "`to` not before `from`"),
    (
        "chartReturnedHome",
        "`to` not before `from`; `currency` one ISO 4217 knows",
    ),
    (
        "chartGroupReturnedHome",
        "`to` not before `from`; `currency` one ISO 4217 knows",
    ),
    (
        "reportSavings",
        "one `rate` per other currency the report holds, none for `convert_to`, none twice",
    ),
    (
        "createUser",
        "a grant names a group that exists, and a member of it",
    ),
    (
        "addGrant",
        "a grant names a group that exists, and a member of it",
    ),
    ("updateGroup", "`status_on` not after tomorrow"),
    (
        "postTransaction",
        "`booked_on` not after tomorrow nor in a closed period; entries balanced, on accounts of the group; metadata numbers written without a fraction (JSON Schema counts 1.0 as an integer)",
    ),
    (
        "reverseTransaction",
        "`booked_on` not after tomorrow nor in a closed period",
    ),
    ("closePeriod", "`through` not after today"),
    ("listEvents", "`after` not with `cursor`"),
    (
        "getAccreditation",
        "`on` not before the group began nor after today",
    ),
    (
        "getGroupPerformance",
        "`to` not before `from`; neither after today",
    ),
    (
        "createWebhook",
        "`url` an absolute http or https URL without a user name or password",
    ),
    (
        "createMember",
        "`birth_year` not after this year, `joined_on` not after tomorrow",
    ),
    ("updateMember", "`status_on` not after tomorrow"),
    (
        "exitMember",
        "`on` not after tomorrow nor in a closed period",
    ),
    (
        "recordContribution",
        "`booked_on` not after tomorrow nor in a closed period; amount at the scale of the currency",
    ),
    (
        "recordWithdrawal",
        "`booked_on` not after tomorrow nor in a closed period; no overdraft",
    ),
    (
        "recordMeeting",
        "`held_on` not after tomorrow; `held_on` and `note` as parameters with a CSV body only; the CSV's columns",
    ),
    (
        "recordRemittance",
        "`booked_on` not after tomorrow; rates of 1 in one currency; an applied rate agreeing with the amounts and a cost not below zero; uses adding up to the amount received",
    ),
    (
        "recordTransfer",
        "`booked_on` not after tomorrow; accounts of the group, in the currencies the rates imply; an applied rate agreeing with the amounts and a cost not below zero",
    ),
    (
        "createInvestment",
        "`committed_amount` at the scale of `currency`",
    ),
    ("updateInvestment", "`status_on` not after tomorrow"),
    (
        "recordDisbursement",
        "`booked_on` not after tomorrow; no overdraft",
    ),
    (
        "recordReturn",
        "`booked_on` not after tomorrow; the account of the investment's currency",
    ),
    (
        "recordWriteDown",
        "`booked_on` not after tomorrow; at most the book value",
    ),
    (
        "createDistribution",
        "an Idempotency-Key unless `dry_run` is true (a header that depends on the body); `as_of` and `booked_on` not after tomorrow; a pool within the undistributed surplus",
    ),
];

/// Runs schemathesis with the configuration at `config_path`, `args` added; the report, or a
/// failure of the test with it.
async fn schemathesis(
    backend: Backend,
    app: &TestApp,
    story: &Story,
    dir: &Path,
    config_path: &Path,
    args: Vec<String>,
    envs: Vec<(&'static str, String)>,
) -> String {
    let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml");
    let mut command = Command::new("schemathesis");
    command
        .arg("--config-file")
        .arg(config_path)
        .arg("--no-color")
        .arg("run")
        .arg(schema)
        .args(["--url", &app.base])
        .args(args)
        .args(["--seed", &SEED.to_string()])
        .args(["--generation-database", "none"])
        .args(["--workers", "1"])
        .args(["--request-timeout", "30"])
        .current_dir(dir)
        .envs(hook_environment(story))
        .envs(envs)
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
    report
}

async fn run_schemathesis(backend: Backend) {
    if !schemathesis_available() {
        return;
    }
    let Some(app) = spawn(backend).await else {
        return;
    };
    let story = story(&app).await;
    let parameters = seed(&app, &story).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config_path = dir.path().join("schemathesis.toml");
    std::fs::write(&config_path, config(&app.admin_token, &parameters))
        .expect("write the configuration");
    let report = schemathesis(
        backend,
        &app,
        &story,
        dir.path(),
        &config_path,
        [
            "--checks=all",
            "--mode=all",
            "--phases=examples,coverage,fuzzing,stateful",
        ]
        .into_iter()
        .map(String::from)
        .chain([
            format!("--max-examples={CASES_PER_OPERATION}"),
            format!("--report-dir={}", dir.path().join("report").display()),
        ])
        .collect(),
        Vec::new(),
    )
    .await;
    // Positive requests sent as drawn, without the hooks' help: a request that matches the
    // document is accepted (a 400 or 422 fails), on every operation whose rules the schemas
    // state.
    let mut args: Vec<String> = [
        "--checks=positive_data_acceptance,not_a_server_error,response_schema_conformance",
        "--mode=positive",
        "--phases=examples,coverage,fuzzing",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    args.push(format!("--max-examples={CASES_PER_OPERATION}"));
    for (operation, _) in REFUSED_BY_RULES_IN_WORDS {
        args.push(format!("--exclude-operation-id={operation}"));
    }
    let as_drawn = schemathesis(
        backend,
        &app,
        &story,
        dir.path(),
        &config_path,
        args,
        vec![("MSAI_FUZZ_AS_DRAWN", "1".to_string())],
    )
    .await;
    // Whatever schemathesis sent, the seeded group's history is intact.
    let verify = app
        .get(&format!("/v1/groups/{}/ledger/verify", parameters[0].2))
        .await;
    assert_eq!(verify.status, StatusCode::OK, "{}", verify.body);
    assert_eq!(verify.body["ok"], Value::Bool(true), "{}", verify.body);
    eprintln!("{report}\n{as_drawn}");
}

/// Every operation left out of the run as drawn is one the document has, listed once.
#[test]
fn the_operations_left_out_of_the_run_as_drawn_exist() {
    let document = include_str!("../openapi.yaml");
    let mut seen = std::collections::BTreeSet::new();
    for (operation, why) in REFUSED_BY_RULES_IN_WORDS {
        assert!(
            document.contains(&format!("operationId: {operation}\n")),
            "openapi.yaml has no operation {operation}"
        );
        assert!(seen.insert(operation), "{operation} is listed twice");
        assert!(!why.is_empty(), "{operation}: say which rule");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn schemathesis_finds_nothing_on_sqlite() {
    run_schemathesis(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn schemathesis_finds_nothing_on_postgres() {
    run_schemathesis(Backend::Postgres).await;
}
