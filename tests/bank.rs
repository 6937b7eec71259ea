//! The "bank" invariants, through two service processes on one database: accounts that may
//! not be overdrawn hold a fixed total; many clients move money between them at random through
//! both processes at once (some transfers are refused for want of funds), while readers take
//! the trial balance (one snapshot) again and again from both.
//!
//! Every read sums to the total and shows no negative balance (no overdraft, no read of half a
//! transfer); at the end each balance is its opening amount plus the acknowledged transfers
//! (no lost update), and each acknowledged transfer is in the journal once (no double effect).
//! PostgreSQL, and SQLite with its WAL shared by two processes. Only the choice of transfers
//! and their timing are random (seed printed).
//!
//! A test binary of its own, not a module of the shared one (`tests/api/`): it runs two service
//! processes under load from many clients for up to two minutes: load that would slow the tests
//! sharing its process past their time bounds, and a deadline of its own that other tests' load
//! would eat into.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use support::process::{self, Service};

const ACCOUNTS: usize = 5;
/// Opening balance of each account, in cents.
const OPENING: i64 = 10_000;
const WRITERS: usize = 8;
const TRANSFERS_PER_WRITER: usize = 40;
const READERS: usize = 2;
/// Largest transfer, in cents: big enough that some transfers would overdraw their account.
const MAX_TRANSFER: i64 = 6_000;
/// How many times a transfer answered 503 is sent again before the test gives up.
const RETRIES_ON_503: usize = 20;
/// Bound on the whole run, so a deadlock fails the test instead of hanging it.
const RUN_DEADLINE: Duration = Duration::from_secs(120);

/// A transfer the service acknowledged.
struct Acknowledged {
    key: String,
    from: usize,
    to: usize,
    minor: i64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_two_processes_keep_the_bank_invariants() {
    let Some(url) = support::postgres::fresh_database().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let seed = process::seed("postgres_two_processes_keep_the_bank_invariants", 6_101);
    bank(&url, dir.path(), seed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_two_processes_keep_the_bank_invariants() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
    let seed = process::seed("sqlite_two_processes_keep_the_bank_invariants", 6_102);
    bank(&url, dir.path(), seed).await;
}

async fn bank(url: &str, workdir: &Path, seed: u64) {
    // One after the other, so the second finds the schema in place.
    let first = Service::start(url, workdir).await;
    let second = Service::start(url, workdir).await;
    let admin = first.admin_client().await;
    let bases = Arc::new([first.base.clone(), second.base.clone()]);

    let group = process::create_group(&admin, &first.base, "Bank").await;
    let capital = process::create_account(
        &admin,
        &first.base,
        &group,
        "equity:capital",
        "equity",
        false,
    )
    .await;
    let mut accounts = Vec::new();
    for i in 0..ACCOUNTS {
        let code = format!("assets:box-{i}");
        accounts
            .push(process::create_account(&admin, &first.base, &group, &code, "asset", true).await);
    }
    let total = OPENING * ACCOUNTS as i64;
    let mut entries: Vec<Value> = accounts
        .iter()
        .map(|a| json!({"account": a, "direction": "debit", "amount": process::format_minor(OPENING)}))
        .collect();
    entries.push(
        json!({"account": capital, "direction": "credit", "amount": process::format_minor(total)}),
    );
    let opening = process::send(
        admin
            .post(format!("{}/v1/groups/{group}/transactions", first.base))
            .header("Idempotency-Key", "bank-opening")
            .json(&json!({"description": "bank-opening", "entries": entries})),
    )
    .await;
    assert_eq!(opening.status, StatusCode::CREATED, "{}", opening.body);
    let accounts = Arc::new(accounts);

    let writing = Arc::new(AtomicBool::new(true));
    let reads = Arc::new(AtomicUsize::new(0));
    let mut readers = JoinSet::new();
    for reader in 0..READERS {
        let (admin, bases, group, accounts) = (
            admin.clone(),
            bases.clone(),
            group.clone(),
            accounts.clone(),
        );
        let (writing, reads) = (writing.clone(), reads.clone());
        readers.spawn(async move {
            let mut n = reader;
            // At least one read each, even if the writers were quick.
            loop {
                let base = &bases[n % 2];
                let balances = process::trial_balances(&admin, base, &group).await;
                let boxes: Vec<i64> = accounts.iter().map(|a| balances[a]).collect();
                assert_eq!(
                    boxes.iter().sum::<i64>(),
                    total,
                    "a read through {base} does not sum to the total: {boxes:?}"
                );
                assert!(
                    boxes.iter().all(|b| *b >= 0),
                    "a read through {base} shows an overdraft: {boxes:?}"
                );
                reads.fetch_add(1, Ordering::Relaxed);
                n += 1;
                if !writing.load(Ordering::Relaxed) {
                    return;
                }
            }
        });
    }

    let mut writers = JoinSet::new();
    for writer in 0..WRITERS {
        let (admin, bases, group, accounts) = (
            admin.clone(),
            bases.clone(),
            group.clone(),
            accounts.clone(),
        );
        let mut rng = StdRng::seed_from_u64(seed.wrapping_add(writer as u64));
        writers.spawn(async move {
            let mut acknowledged = Vec::new();
            let mut refused = 0usize;
            for n in 0..TRANSFERS_PER_WRITER {
                let from = rng.random_range(0..ACCOUNTS);
                let to = (from + rng.random_range(1..ACCOUNTS)) % ACCOUNTS;
                let minor = rng.random_range(1..=MAX_TRANSFER);
                let key = format!("bank-{writer}-{n:03}");
                let body = process::transfer_body(&key, &accounts[to], &accounts[from], minor);
                // Alternate between the processes, so both write to the same accounts at once.
                let base = &bases[(writer + n) % 2];
                let mut attempt = 0;
                let reply = loop {
                    let reply = process::send(
                        admin
                            .post(format!("{base}/v1/groups/{group}/transactions"))
                            .header("Idempotency-Key", &key)
                            .json(&body),
                    )
                    .await;
                    attempt += 1;
                    if reply.status == StatusCode::SERVICE_UNAVAILABLE && attempt < RETRIES_ON_503 {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                    break reply;
                };
                match reply.status {
                    StatusCode::CREATED => acknowledged.push(Acknowledged {
                        key,
                        from,
                        to,
                        minor,
                    }),
                    StatusCode::UNPROCESSABLE_ENTITY
                        if reply.problem_type() == "/problems/overdraft" =>
                    {
                        refused += 1
                    }
                    status => panic!("{key} through {base}: unexpected {status}: {}", reply.body),
                }
            }
            (acknowledged, refused)
        });
    }

    let started = Instant::now();
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    let outcome = tokio::time::timeout(RUN_DEADLINE, async {
        while let Some(finished) = writers.join_next().await {
            let (mine, theirs) = finished.expect("writer");
            acknowledged.extend(mine);
            refused += theirs;
        }
        writing.store(false, Ordering::Relaxed);
        while let Some(finished) = readers.join_next().await {
            finished.expect("reader");
        }
    })
    .await;
    assert!(
        outcome.is_ok(),
        "the run did not finish within {RUN_DEADLINE:?}"
    );
    let reads = reads.load(Ordering::Relaxed);
    eprintln!(
        "{} transfers acknowledged, {refused} refused for want of funds, {reads} consistent reads, in {:?}",
        acknowledged.len(),
        started.elapsed()
    );
    assert!(!acknowledged.is_empty(), "no transfer went through");
    assert!(reads >= READERS, "the readers read nothing");

    // No lost update: each balance is its opening plus what was acknowledged.
    let mut expected = vec![OPENING; ACCOUNTS];
    for t in &acknowledged {
        expected[t.from] -= t.minor;
        expected[t.to] += t.minor;
    }
    for base in bases.iter() {
        let balances = process::trial_balances(&admin, base, &group).await;
        let actual: Vec<i64> = accounts.iter().map(|a| balances[a]).collect();
        assert_eq!(actual, expected, "balances through {base}");
    }

    // No double effect: each acknowledged transfer once in the journal, nothing else.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for description in process::journal_descriptions(&admin, &first.base, &group).await {
        *seen.entry(description).or_default() += 1;
    }
    assert_eq!(seen.remove("bank-opening"), Some(1));
    for t in &acknowledged {
        assert_eq!(
            seen.remove(&t.key),
            Some(1),
            "{} is not in the journal once",
            t.key
        );
    }
    assert!(seen.is_empty(), "refused transfers were written: {seen:?}");

    let verification = process::verify(&admin, &second.base, &group).await;
    assert_eq!(verification["ok"], Value::Bool(true), "{verification}");
}
