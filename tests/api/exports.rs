//! Exports that independent accounting tools verify: the group's journal as hledger, beancount
//! and CSV, on story data and on a random journal of over 10,000 transactions in two
//! currencies. hledger (`hledger check --strict`) and beancount (`bean-check`) must accept the
//! files, and the balance every tool computes for every account must equal the service's trial
//! balance to the minor unit.
//!
//! The tools come from Debian (hledger) and PyPI (beancount); `.ci/run` installs them and sets
//! `MSAI_REQUIRE_EXPORT_TOOLS=1`, under which a missing tool fails the test instead of skipping
//! it.

use crate::support;

use std::collections::BTreeMap;
use std::process::Command;

use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::TestApp;

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Whether `program` runs; a missing one fails the test when the tools are required.
fn tool(program: &str) -> bool {
    let found = Command::new(program).arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var("MSAI_REQUIRE_EXPORT_TOOLS").is_err(),
            "{program} is required (MSAI_REQUIRE_EXPORT_TOOLS is set) but cannot be run"
        );
        eprintln!("skipping the {program} check: {program} is not installed");
    }
    found
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().expect(program);
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Amounts compared as exact decimals, whatever trailing zeros a tool prints.
fn exact(text: &str) -> rust_decimal::Decimal {
    text.trim()
        .parse::<rust_decimal::Decimal>()
        .unwrap_or_else(|_| panic!("not a decimal: {text:?}"))
        .normalize()
}

/// The trial balance as (account code → (signed balance: debits − credits, currency)), nonzero
/// accounts only.
async fn trial_balance(
    app: &TestApp,
    group: &str,
) -> BTreeMap<String, (rust_decimal::Decimal, String)> {
    let reply = app.get(&format!("/v1/groups/{group}/trial-balance")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mut balances = BTreeMap::new();
    for line in reply.body["accounts"].as_array().expect("accounts") {
        let net =
            exact(line["debits"].as_str().unwrap()) - exact(line["credits"].as_str().unwrap());
        if !net.is_zero() {
            balances.insert(
                line["code"].as_str().unwrap().to_string(),
                (
                    net.normalize(),
                    line["currency"].as_str().unwrap().to_string(),
                ),
            );
        }
    }
    balances
}

async fn export(app: &TestApp, group: &str, format: &str) -> String {
    let reply = app
        .send(
            app.client
                .get(app.url(&format!("/v1/groups/{group}/export?format={format}"))),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.text.clone()
}

/// An export read frame by frame as the server sends it: the frames' count, the whole text,
/// and the response headers.
async fn streamed(app: &TestApp, path: &str) -> (usize, String, reqwest::header::HeaderMap) {
    let mut response = app.client.get(app.url(path)).send().await.expect("export");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let headers = response.headers().clone();
    let mut frames = 0;
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.expect("a complete transfer") {
        frames += 1;
        bytes.extend_from_slice(&chunk);
    }
    (frames, String::from_utf8(bytes).expect("UTF-8"), headers)
}

/// The same export built whole in memory from one read of the journal, by the formatter the
/// stream's pages are written with.
async fn whole(
    app: &TestApp,
    group: &str,
    format: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> String {
    use msai_ledger::domain::export::{ExportFormat, write_all};
    let date = |d: Option<&str>| d.map(|d| d.parse::<chrono::NaiveDate>().unwrap());
    let (from, to) = (date(from), date(to));
    let journal = app
        .store
        .export_journal(group.parse().unwrap(), from, to)
        .await
        .expect("journal");
    write_all(
        ExportFormat::parse(format).unwrap(),
        &journal.group,
        &journal.accounts,
        &journal.transactions,
        from,
        to,
    )
}

/// Every format, whole and in a date range, streamed equals built whole, byte for byte;
/// returns the number of frames the whole hledger journal came in.
async fn check_streamed_equals_whole(app: &TestApp, group: &str, from: &str, to: &str) -> usize {
    let mut frames_of_hledger = 0;
    for format in ["hledger", "beancount", "csv"] {
        let path = format!("/v1/groups/{group}/export?format={format}");
        let (frames, text, headers) = streamed(app, &path).await;
        assert_eq!(
            text,
            whole(app, group, format, None, None).await,
            "{format}"
        );
        assert!(
            headers.get("content-length").is_none(),
            "{format}: {headers:?}"
        );
        assert_eq!(
            headers
                .get("transfer-encoding")
                .map(|v| v.to_str().unwrap()),
            Some("chunked"),
            "{format}"
        );
        if format == "hledger" {
            frames_of_hledger = frames;
        }
        let ranged = format!("{path}&from={from}&to={to}");
        let (_, text, _) = streamed(app, &ranged).await;
        assert_eq!(
            text,
            whole(app, group, format, Some(from), Some(to)).await,
            "{format} from {from} to {to}"
        );
    }
    frames_of_hledger
}

/// Every account's balance by hledger's own arithmetic.
fn hledger_balances(file: &std::path::Path) -> BTreeMap<String, (rust_decimal::Decimal, String)> {
    let path = file.to_str().unwrap();
    run("hledger", &["-f", path, "check", "--strict"]);
    let csv = run(
        "hledger",
        &["-f", path, "balance", "--flat", "-N", "-O", "csv"],
    );
    let mut balances = BTreeMap::new();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for record in reader.records() {
        let record = record.expect("hledger's CSV");
        let (amount, currency) = record[1]
            .trim()
            .rsplit_once(' ')
            .expect("amount and commodity");
        let amount = exact(amount);
        if !amount.is_zero() {
            balances.insert(record[0].to_string(), (amount, currency.to_string()));
        }
    }
    balances
}

/// beancount loads the file (its own parser and checks), and the postings are summed per
/// account, named back by the `code` each account was opened with.
const BEANCOUNT_SUMS: &str = r#"
import sys
from collections import defaultdict
from beancount import loader
from beancount.core import data
entries, errors, options = loader.load_file(sys.argv[1])
if errors:
    for e in errors:
        print(e, file=sys.stderr)
    sys.exit(1)
codes = {}
sums = defaultdict(lambda: 0)
currency = {}
for entry in entries:
    if isinstance(entry, data.Open):
        codes[entry.account] = entry.meta["code"]
    elif isinstance(entry, data.Transaction):
        for posting in entry.postings:
            sums[posting.account] += posting.units.number
            currency[posting.account] = posting.units.currency
for account, total in sorted(sums.items()):
    if total != 0:
        print(f"{codes[account]},{total},{currency[account]}")
"#;

fn beancount_balances(file: &std::path::Path) -> BTreeMap<String, (rust_decimal::Decimal, String)> {
    let path = file.to_str().unwrap();
    run("bean-check", &[path]);
    let out = run("python3", &["-c", BEANCOUNT_SUMS, path]);
    out.lines()
        .map(|line| {
            let mut parts = line.split(',');
            let code = parts.next().unwrap().to_string();
            let amount = exact(parts.next().unwrap());
            let currency = parts.next().unwrap().to_string();
            (code, (amount, currency))
        })
        .collect()
}

fn csv_balances(text: &str) -> BTreeMap<String, (rust_decimal::Decimal, String)> {
    let mut sums: BTreeMap<String, (rust_decimal::Decimal, String)> = BTreeMap::new();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (account, signed, currency) = (
        column("account"),
        column("signed_amount"),
        column("currency"),
    );
    for record in reader.records() {
        let record = record.unwrap();
        let entry = sums
            .entry(record[account].to_string())
            .or_insert((rust_decimal::Decimal::ZERO, record[currency].to_string()));
        entry.0 += exact(&record[signed]);
    }
    sums.retain(|_, (amount, _)| !amount.is_zero());
    sums.values_mut()
        .for_each(|(amount, _)| *amount = amount.normalize());
    sums
}

/// Every format, every tool, against the trial balance.
async fn check_exports(app: &TestApp, group: &str, transactions: usize) {
    let expected = trial_balance(app, group).await;
    let dir = tempfile::tempdir().unwrap();

    let csv = export(app, group, "csv").await;
    let rows = csv.lines().count() - 1;
    assert!(
        rows >= 2 * transactions,
        "{rows} rows for {transactions} transactions"
    );
    assert_eq!(csv_balances(&csv), expected, "CSV");

    let journal = export(app, group, "hledger").await;
    let journal_file = dir.path().join("group.journal");
    std::fs::write(&journal_file, &journal).unwrap();
    if tool("hledger") {
        assert_eq!(hledger_balances(&journal_file), expected, "hledger");
    }

    let beancount = export(app, group, "beancount").await;
    let beancount_file = dir.path().join("group.beancount");
    std::fs::write(&beancount_file, &beancount).unwrap();
    if tool("bean-check") {
        assert_eq!(beancount_balances(&beancount_file), expected, "beancount");
    }
}

async fn member(app: &TestApp, group: &str, name: &str) -> String {
    let reply = app
        .post(
            &format!("/v1/groups/{group}/members"),
            &json!({"name": name, "home_country": "PH", "host_country": "HK", "joined_on": "2025-01-01"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

async fn created(reply: support::app::Reply) -> Value {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

both_backends!(
    the_story_exports_to_hledger_beancount_and_csv,
    |app| async move {
        let reply = app
        .post(
            "/v1/groups",
            &json!({"name": "Sampaguita \"Savers\"; Hong Kong", "currency": "HKD", "host_country": "HK", "home_country": "PH"}),
        )
        .await;
        let group = created(reply).await["id"].as_str().unwrap().to_string();
        app.without_approvals(&group).await;
        let g = format!("/v1/groups/{group}");
        let ana = member(&app, &group, "Ana").await;
        let ben = member(&app, &group, "Ben").await;
        for (who, amount) in [(&ana, "1500.00"), (&ben, "900.50")] {
            created(
            app.post_with_key(
                &format!("{g}/contributions"),
                &key(),
                &json!({"member_id": who, "amount": amount, "fund": "savings", "channel": "cash", "booked_on": "2026-02-01"}),
            )
            .await,
        )
        .await;
        }
        created(
        app.post_with_key(
            &format!("{g}/remittances"),
            &key(),
            &json!({"member_id": ben, "send_amount": "1000.00", "send_currency": "HKD", "fee": "25.00",
                    "receive_amount": "7100.00", "receive_currency": "PHP", "provider": "Padala",
                    "channel": "bank", "send_country": "HK", "receive_country": "PH",
                    "uses": [{"purpose": "group_savings", "amount": "7100.00"}], "booked_on": "2026-02-03"}),
        )
        .await,
    )
    .await;
        created(
        app.post_with_key(
            &format!("{g}/transfers"),
            &key(),
            &json!({"from": "assets:cash:HKD", "to": "assets:home-bank:PHP", "amount": "2000.00",
                    "receive_amount": "14200.00", "fee": "40.00", "booked_on": "2026-02-05",
                    "description": "Sent home,\nwith a \"note\""}),
        )
        .await,
    )
    .await;
        let coop = created(
        app.post_with_key(
            &format!("{g}/investments"),
            &key(),
            &json!({"name": "Coop", "kind": "cooperative", "sector": "agriculture", "country": "PH", "currency": "PHP"}),
        )
        .await,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
        let investment = format!("{g}/investments/{coop}");
        created(
            app.post_with_key(
                &format!("{investment}/disbursements"),
                &key(),
                &json!({"amount": "15000.00", "booked_on": "2026-02-10"}),
            )
            .await,
        )
        .await;
        created(
            app.post_with_key(
                &format!("{investment}/returns"),
                &key(),
                &json!({"kind": "income", "amount": "1234.56", "booked_on": "2026-03-31"}),
            )
            .await,
        )
        .await;
        created(
            app.post_with_key(
                &format!("{g}/period-closes"),
                &key(),
                &json!({"through": "2026-03-31"}),
            )
            .await,
        )
        .await;
        created(
        app.post_with_key(
            &format!("{g}/distributions"),
            &key(),
            &json!({"pool": "1000.00", "currency": "PHP", "as_of": "2026-03-31", "pay_to": "payable", "booked_on": "2026-04-01"}),
        )
        .await,
    )
    .await;
        // A correction, so the export carries a reversal too.
        let wrong = app
            .transfer(&group, "assets:bank:HKD", "assets:cash:HKD", "10.00")
            .await;
        let wrong = wrong.body["id"].as_str().unwrap().to_string();
        created(
            app.post_with_key(
                &format!("{g}/transactions/{wrong}/reversal"),
                &key(),
                &json!({}),
            )
            .await,
        )
        .await;

        let journal = export(&app, &group, "hledger").await;
        assert!(
            journal.contains("account assets:cash:HKD  ; type: A"),
            "{journal}"
        );
        assert!(journal.contains("Sent home, with a \"note\""), "{journal}");
        assert!(journal.contains("    ; reverses: "), "{journal}");
        let beancount = export(&app, &group, "beancount").await;
        assert!(
            beancount.contains("open Assets:Home-bank:PHP PHP"),
            "{beancount}"
        );
        assert!(
            beancount.contains("\"Sent home, with a \\\"note\\\"\""),
            "{beancount}"
        );
        let head = app.get(&g).await.body["head_sequence"].as_i64().unwrap();
        check_exports(&app, &group, usize::try_from(head).unwrap()).await;

        // Refusals: an unknown format, none at all, a backward range.
        for query in [
            "format=xlsx",
            "",
            "format=csv&from=2026-03-01&to=2026-02-01",
        ] {
            let reply = app.get(&format!("{g}/export?{query}")).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{query}: {}",
                reply.body
            );
        }
        // A range holds only what was booked in it.
        let february = app
            .send(app.client.get(app.url(&format!(
                "{g}/export?format=csv&from=2026-02-01&to=2026-02-28"
            ))))
            .await;
        let dates: Vec<String> = csv::Reader::from_reader(february.text.as_bytes())
            .records()
            .map(|r| r.unwrap()[2].to_string())
            .collect();
        assert!(!dates.is_empty());
        assert!(
            dates
                .iter()
                .all(|d| d.as_str() >= "2026-02-01" && d.as_str() <= "2026-02-28"),
            "{dates:?}"
        );
    }
);

both_backends!(
    the_streamed_export_of_the_story_equals_the_whole_one_and_stops_at_its_start,
    |app| async move {
        let story = support::story::story(&app).await;
        let group = story.group.clone();
        check_streamed_equals_whole(&app, &group, "2026-01-01", "2026-02-28").await;

        // The export reads up to the head pinned when it started: a page read after a later
        // posting still ends at that head.
        let id: uuid::Uuid = group.parse().unwrap();
        let start = app.store.export_start(id).await.unwrap();
        let head = start.group.head_sequence;
        app.transfer(&group, "assets:bank:HKD", "assets:cash:HKD", "1.00")
            .await;
        let page = msai_ledger::store::ExportPage {
            from: None,
            to: None,
            after_sequence: 0,
            through_sequence: head,
            limit: 1000,
        };
        let read = app.store.export_page(id, &page).await.unwrap();
        assert!(!read.has_more);
        assert_eq!(read.items.len(), usize::try_from(head).unwrap());
        assert_eq!(read.items.last().unwrap().sequence, head);
    }
);

// Contributions, withdrawals and social-fund gifts in HKD and PHP, recorded as meetings of 250
// events each: the same journal a busy group builds over years.
both_backends!(
    a_random_journal_of_ten_thousand_transactions_exports_exactly,
    |app| async move {
        let group = app.create_group("Busy Savers").await;
        let g = format!("/v1/groups/{group}");
        let mut members = Vec::new();
        for i in 0..40 {
            members.push(member(&app, &group, &format!("Member {i}")).await);
        }
        let mut rng = rand::rngs::StdRng::seed_from_u64(20_261_127);
        let mut savings: BTreeMap<usize, i64> = BTreeMap::new();
        let mut total = 0;
        let meetings = 41;
        for meeting in 0..meetings {
            let held_on = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap()
                + chrono::Duration::days(7 * meeting);
            let mut events = Vec::new();
            for _ in 0..250 {
                let who = rng.random_range(0..members.len());
                let cents: i64 = rng.random_range(1..500_000);
                let amount = format!("{}.{:02}", cents / 100, cents % 100);
                let balance = savings.entry(who).or_insert(0);
                let event = match rng.random_range(0..10) {
                    0..=5 => {
                        *balance += cents;
                        json!({"type": "contribution", "member_id": members[who], "amount": amount, "fund": "savings",
                           "channel": if rng.random_bool(0.5) { "cash" } else { "bank" }})
                    }
                    6 | 7 if *balance >= cents => {
                        *balance -= cents;
                        json!({"type": "withdrawal", "member_id": members[who], "amount": amount, "channel": "bank"})
                    }
                    8 => {
                        json!({"type": "contribution", "member_id": members[who], "amount": amount,
                            "currency": "PHP", "fund": "social_fund", "channel": "remittance"})
                    }
                    _ => {
                        json!({"type": "contribution", "member_id": members[who], "amount": amount,
                            "fund": "capital", "channel": "mobile_wallet"})
                    }
                };
                // A withdrawal from the bank needs money in the bank: contributions by bank come
                // first often enough, but a refused meeting would say so loudly below.
                events.push(event);
            }
            let reply = app
                .post_with_key(
                    &format!("{g}/meetings"),
                    &key(),
                    &json!({"held_on": held_on.to_string(), "events": events}),
                )
                .await;
            if reply.status == StatusCode::UNPROCESSABLE_ENTITY {
                // The bank ran short for a withdrawal: record the meeting without withdrawals.
                let kept: Vec<Value> = events
                    .into_iter()
                    .filter(|e| e["type"] != "withdrawal")
                    .collect();
                for e in reply.body["errors"].as_array().unwrap() {
                    assert_eq!(e["type"], "/problems/overdraft", "{}", reply.body);
                }
                total += kept.len();
                let reply = app
                    .post_with_key(
                        &format!("{g}/meetings"),
                        &key(),
                        &json!({"held_on": held_on.to_string(), "events": kept}),
                    )
                    .await;
                assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            } else {
                assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
                total += 250;
            }
        }
        assert!(total >= 10_000, "only {total} transactions");
        let head = app.get(&g).await.body["head_sequence"].as_i64().unwrap();
        assert_eq!(usize::try_from(head).unwrap(), total);
        check_exports(&app, &group, total).await;

        // Streamed page by page, it is the journal built whole, and it comes in many frames.
        let frames = check_streamed_equals_whole(&app, &group, "2025-03-01", "2025-06-30").await;
        let pages = total.div_ceil(msai_ledger::http::ledger::EXPORT_PAGE_TRANSACTIONS as usize);
        assert!(frames > pages, "{frames} frames for {pages} pages");
    }
);

// A page that cannot be read once the file has started (here the entries are gone) must not
// end the download as if the file were whole: the transfer breaks.
both_backends!(
    an_export_that_fails_after_its_first_byte_breaks_the_transfer,
    |app| async move {
        let group = app.create_group("Broken Savers").await;
        app.create_account(&group, "assets:cash:HKD", "asset", "HKD", false)
            .await;
        app.create_account(&group, "assets:bank:HKD", "asset", "HKD", false)
            .await;
        for _ in 0..3 {
            let reply = app
                .transfer(&group, "assets:bank:HKD", "assets:cash:HKD", "1.00")
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        }
        let drop = "DROP TABLE entries";
        match app.backend {
            support::app::Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
                sqlx::query(drop).execute(&pool).await.unwrap();
            }
            support::app::Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
                sqlx::query(drop).execute(&pool).await.unwrap();
            }
        }
        for format in ["hledger", "beancount", "csv"] {
            let path = format!("/v1/groups/{group}/export?format={format}");
            // The header is read and handed to the server before the first page fails; the
            // server may not have flushed it yet when the transfer breaks, so the break can
            // come before the status line or in the body, but never as a normal end.
            let mut received = Vec::new();
            let broken = match app.client.get(app.url(&path)).send().await {
                Err(e) => {
                    assert!(e.is_request() || e.is_body(), "{format}: {e:?}");
                    true
                }
                Ok(mut response) => {
                    assert_eq!(response.status(), StatusCode::OK, "{format}");
                    loop {
                        match response.chunk().await {
                            Ok(Some(chunk)) => received.extend_from_slice(&chunk),
                            Ok(None) => break false,
                            Err(_) => break true,
                        }
                    }
                }
            };
            let received = String::from_utf8_lossy(&received);
            assert!(broken, "{format}: the transfer ended normally:\n{received}");
            assert!(!received.contains("1.00"), "{format}: {received}");
        }
        // The service itself answers on.
        assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    }
);
