//! The database goes away while the service runs.
//!
//! PostgreSQL (a durable cluster of the test's own, crashed with `pg_ctl stop -m immediate`
//! while clients are writing): requests are answered 503 problem+json with `Retry-After`
//! within [`FAIL_FAST`], `/readyz` says not ready, and when the database is back the same
//! service process answers again by itself; nothing was half-written: every request is in the
//! journal once after its retry, the balance is their sum, the chain verifies.
//!
//! SQLite (another process holds the write lock past the busy timeout): a write is answered
//! 503 with `Retry-After` instead of waiting on, reads go on meanwhile, and the same request
//! sent again once the lock is free is applied once. The 503 comes after the busy timeout (a
//! 503 does not wait for its audit record), so it is bounded by [`SQLITE_FAIL_BY`] rather than
//! [`FAIL_FAST`].
//!
//! PostgreSQL with a synchronous standby, both named in the URL: the primary is killed under
//! write load and the standby promoted; the service follows the new primary by itself, and no
//! acknowledged write is lost or doubled.
//!
//! A test binary of its own, not a module of the shared one (`tests/api/`): it crashes a PostgreSQL
//! cluster of its own and holds SQLite's write lock past the busy timeout, and it bounds how soon
//! the service answers meanwhile ([`FAIL_FAST`], [`SQLITE_FAIL_BY`]): bounds that the load of other
//! tests in the same process could break.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::Value;
use tokio::task::JoinSet;

use support::app::{Backend, Reply, assert_problem};
use support::durable_postgres::DurableCluster;
use support::process::{self, Service};

/// The longest a request may take to be answered while the database is down: the pool's
/// 2 s acquire timeout, and slack for a busy machine.
const FAIL_FAST: Duration = Duration::from_secs(3);
/// SQLite's busy timeout in the service: how long a write waits for the lock.
const SQLITE_BUSY: Duration = Duration::from_secs(5);
/// How long the test holds SQLite's write lock: past the busy timeout, with room to spare.
const SQLITE_HOLD: Duration = Duration::from_secs(8);
/// The longest a write may take to be refused while the lock is held: the busy timeout for
/// the write, and slack (a 503 is answered without waiting for its audit record).
const SQLITE_FAIL_BY: Duration = Duration::from_secs(7);
/// How long the service may take to answer again once the database is back.
const RECOVERY_DEADLINE: Duration = Duration::from_secs(30);
const CLIENTS: usize = 3;

struct Setup {
    admin: Client,
    group: String,
    cash: String,
    capital: String,
}

async fn setup(service: &Service) -> Setup {
    let admin = service.admin_client().await;
    let group = process::create_group(&admin, &service.base, "Outage").await;
    let cash =
        process::create_account(&admin, &service.base, &group, "assets:cash", "asset", false).await;
    let capital = process::create_account(
        &admin,
        &service.base,
        &group,
        "equity:capital",
        "equity",
        false,
    )
    .await;
    Setup {
        admin,
        group,
        cash,
        capital,
    }
}

impl Setup {
    async fn post(&self, base: &str, key: &str, minor: i64) -> Reply {
        process::send(
            self.admin
                .post(format!("{base}/v1/groups/{}/transactions", self.group))
                .header("Idempotency-Key", key)
                .json(&process::transfer_body(
                    key,
                    &self.cash,
                    &self.capital,
                    minor,
                )),
        )
        .await
    }
}

/// Asserts a 503 `unavailable` problem with a positive whole `Retry-After`.
fn assert_unavailable(reply: &Reply, what: &str) {
    assert_problem(reply, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    let retry_after = reply
        .headers
        .get("retry-after")
        .unwrap_or_else(|| panic!("{what}: no Retry-After"))
        .to_str()
        .unwrap()
        .parse::<u32>()
        .unwrap_or_else(|_| panic!("{what}: Retry-After is not a number of seconds"));
    assert!(retry_after >= 1, "{what}: Retry-After {retry_after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_down_mid_run_fails_fast_and_recovers_by_itself() {
    let Some(cluster) = DurableCluster::start() else {
        return;
    };
    let url = cluster.fresh_database("outage").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::start(&url, dir.path()).await;
    let s = Arc::new(setup(&service).await);
    let base = service.base.clone();
    let sent = acknowledged_before(&s, &base).await;
    // Clients keep writing while the database crashes under them.
    let running = Arc::new(AtomicBool::new(true));
    let mut load = writers(&s, &base, &sent, &running);
    tokio::time::sleep(Duration::from_millis(400)).await;
    cluster.stop_immediate();

    // While it is down: quick 503s with Retry-After, for writes and reads alike.
    let started = Instant::now();
    let write = s.post(&base, "during-outage", 777).await;
    let took = started.elapsed();
    assert_unavailable(&write, "a write");
    assert!(took < FAIL_FAST, "the write took {took:?} to fail");
    eprintln!("a write was refused in {took:?} with the database down");

    let started = Instant::now();
    let read = process::send(
        s.admin
            .get(format!("{base}/v1/groups/{}/accounts/{}", s.group, s.cash)),
    )
    .await;
    let took = started.elapsed();
    assert_unavailable(&read, "a read");
    assert!(took < FAIL_FAST, "the read took {took:?} to fail");

    let started = Instant::now();
    let ready = process::send(Client::new().get(format!("{base}/readyz"))).await;
    let took = started.elapsed();
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        ready.body
    );
    assert!(ready.headers.contains_key("retry-after"));
    assert!(took < FAIL_FAST, "readiness took {took:?} to answer");
    let live = process::send(Client::new().get(format!("{base}/healthz"))).await;
    assert_eq!(live.status, StatusCode::OK, "the process itself is alive");

    running.store(false, Ordering::Relaxed);
    let mut unavailable = 0;
    while let Some(finished) = load.join_next().await {
        unavailable += finished.expect("client");
    }
    assert!(unavailable > 0, "no client write met the outage");

    // The database comes back; the same process answers again without being restarted.
    cluster.start_server();
    let pid = service.pid();
    let started = Instant::now();
    let back = loop {
        let reply = s.post(&base, "during-outage", 777).await;
        if reply.status != StatusCode::SERVICE_UNAVAILABLE {
            break reply;
        }
        assert!(
            started.elapsed() < RECOVERY_DEADLINE,
            "the service did not recover within {RECOVERY_DEADLINE:?}: {}",
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(back.status, StatusCode::CREATED, "{}", back.body);
    assert!(
        !back.headers.contains_key("idempotent-replayed"),
        "the request answered 503 had been written"
    );
    assert_eq!(service.pid(), pid);
    let ready = process::send(Client::new().get(format!("{base}/readyz"))).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    eprintln!(
        "recovered {:?} after the database restarted",
        started.elapsed()
    );

    // Nothing half-written: every request, sent again, is in the journal once.
    let keys = resend_all(&s, &base, &sent).await;
    assert_journal(&s, &base, &keys, ("during-outage", 777)).await;
}

/// How long writes may fail after the primary is lost, until they succeed on the standby.
const FAILOVER_DEADLINE: Duration = Duration::from_secs(60);

/// A primary and its synchronous standby, named together in the database URL; the primary's
/// postmaster is killed under write load and the standby promoted, as a replication manager
/// (pg_auto_failover) does: the same service process finds the new primary by itself, writes
/// succeed again within [`FAILOVER_DEADLINE`], those in between are answered 503 with
/// `Retry-After`, and no write that was acknowledged is lost or doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_failover_to_the_standby_loses_no_acknowledged_write() {
    let Some(primary) = DurableCluster::start() else {
        return;
    };
    primary.fresh_database("failover").await;
    let standby = DurableCluster::standby_of(&primary);
    primary.wait_for_a_synchronous_standby().await;
    let url = format!(
        "postgres://postgres@127.0.0.1:{},127.0.0.1:{}/failover?target_session_attrs=read-write",
        primary.port(),
        standby.port()
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::start(&url, dir.path()).await;
    let s = Arc::new(setup(&service).await);
    let base = service.base.clone();
    let sent = acknowledged_before(&s, &base).await;
    let running = Arc::new(AtomicBool::new(true));
    let mut load = writers(&s, &base, &sent, &running);
    tokio::time::sleep(Duration::from_millis(400)).await;
    primary.stop_immediate();
    let lost_at = Instant::now();
    standby.promote();

    // Writes succeed again on the new primary, in the same process.
    let pid = service.pid();
    let back = loop {
        let reply = s.post(&base, "after-failover", 777).await;
        if reply.status != StatusCode::SERVICE_UNAVAILABLE {
            break reply;
        }
        assert_unavailable(&reply, "a write during the failover");
        assert!(
            lost_at.elapsed() < FAILOVER_DEADLINE,
            "writes did not succeed within {FAILOVER_DEADLINE:?} of the primary's loss: {}",
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(back.status, StatusCode::CREATED, "{}", back.body);
    eprintln!(
        "writes succeeded again {:?} after the primary was lost",
        lost_at.elapsed()
    );
    running.store(false, Ordering::Relaxed);
    while let Some(finished) = load.join_next().await {
        finished.expect("client");
    }
    assert_eq!(service.pid(), pid);
    let ready = process::send(Client::new().get(format!("{base}/readyz"))).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);

    // Every acknowledged write is on the new primary (its key replays), and every request,
    // sent again, is in the journal once.
    let keys = resend_all(&s, &base, &sent).await;
    assert_journal(&s, &base, &keys, ("after-failover", 777)).await;
}

/// Keys sent, with their amounts and whether they were acknowledged (answered 201).
type Sent = Arc<Mutex<BTreeMap<String, (i64, bool)>>>;

/// Three writes acknowledged before anything goes wrong.
async fn acknowledged_before(s: &Setup, base: &str) -> Sent {
    let sent = Sent::default();
    for n in 0..3 {
        let key = format!("before-{n}");
        let reply = s.post(base, &key, 1000 + n).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        sent.lock().unwrap().insert(key, (1000 + n, true));
    }
    sent
}

/// [`CLIENTS`] clients writing while `running`, each write answered 201 or 503 with
/// `Retry-After`; each client's count of 503s.
fn writers(s: &Arc<Setup>, base: &str, sent: &Sent, running: &Arc<AtomicBool>) -> JoinSet<usize> {
    let mut load = JoinSet::new();
    for client in 0..CLIENTS {
        let (s, base, sent, running) = (s.clone(), base.to_string(), sent.clone(), running.clone());
        load.spawn(async move {
            let mut n = 0i64;
            let mut unavailable = 0usize;
            while running.load(Ordering::Relaxed) {
                let key = format!("load-{client}-{n:05}");
                let minor = 10_000 + client as i64 * 100_000 + n;
                sent.lock().unwrap().insert(key.clone(), (minor, false));
                let reply = s.post(&base, &key, minor).await;
                match reply.status {
                    StatusCode::CREATED => {
                        sent.lock().unwrap().get_mut(&key).unwrap().1 = true;
                    }
                    StatusCode::SERVICE_UNAVAILABLE => {
                        assert_unavailable(&reply, &key);
                        unavailable += 1;
                    }
                    status => panic!(
                        "{key}: {status} while the database went away: {}",
                        reply.body
                    ),
                }
                n += 1;
            }
            unavailable
        });
    }
    load
}

/// Sends every request again: each is answered 201, an acknowledged one as a replay (it was
/// kept); the keys with their amounts and whether they had been acknowledged.
async fn resend_all(s: &Setup, base: &str, sent: &Sent) -> Vec<(String, i64, bool)> {
    let keys: Vec<(String, i64, bool)> = sent
        .lock()
        .unwrap()
        .iter()
        .map(|(key, (minor, acknowledged))| (key.clone(), *minor, *acknowledged))
        .collect();
    for (key, minor, acknowledged) in &keys {
        let reply = s.post(base, key, *minor).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{key}: {}", reply.body);
        if *acknowledged {
            assert_eq!(
                reply
                    .headers
                    .get("idempotent-replayed")
                    .map(|v| v.to_str().unwrap()),
                Some("true"),
                "{key} was acknowledged and is not in the database"
            );
        }
    }
    keys
}

/// Each key once in the journal, the cash balance their sum, the chain intact.
async fn assert_journal(s: &Setup, base: &str, keys: &[(String, i64, bool)], extra: (&str, i64)) {
    let mut journal = process::journal_descriptions(&s.admin, base, &s.group).await;
    journal.sort();
    let mut expected: Vec<String> = keys.iter().map(|(key, _, _)| key.clone()).collect();
    expected.push(extra.0.to_string());
    expected.sort();
    assert_eq!(journal, expected, "the journal holds each request once");
    let total: i64 = keys.iter().map(|(_, minor, _)| minor).sum::<i64>() + extra.1;
    let balances = process::trial_balances(&s.admin, base, &s.group).await;
    assert_eq!(balances[&s.cash], total);
    let verification = process::verify(&s.admin, base, &s.group).await;
    assert_eq!(verification["ok"], Value::Bool(true), "{verification}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_locked_past_the_busy_timeout_answers_503_and_recovers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
    let service = Service::start(&url, dir.path()).await;
    let s = setup(&service).await;
    let base = service.base.clone();
    let first = s.post(&base, "before", 500).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);

    // Another process's writer holds the lock well past the busy timeout. Reads are not held
    // up by it.
    let release = support::app::hold_write_lock(Backend::Sqlite, &url, SQLITE_HOLD).await;
    let held_at = Instant::now();
    let balances = process::trial_balances(&s.admin, &base, &s.group).await;
    assert_eq!(balances[&s.cash], 500);
    // The write gives up after the busy timeout with a 503 (it would be a 201 had it waited
    // for the lock to be let go), and the answer comes long before the request timeout.
    let write = s.post(&base, "while-locked", 300).await;
    let took = held_at.elapsed();
    eprintln!("a write was refused in {took:?} with the lock held");
    assert_unavailable(&write, "a write");
    assert!(
        took >= SQLITE_BUSY - Duration::from_millis(500) && took < SQLITE_FAIL_BY,
        "the write took {took:?} to be refused"
    );
    release.await.expect("the lock is let go");

    let again = s.post(&base, "while-locked", 300).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert!(
        !again.headers.contains_key("idempotent-replayed"),
        "the request answered 503 had been written"
    );
    let replay = s.post(&base, "while-locked", 300).await;
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    assert_journal(
        &s,
        &base,
        &[("before".to_string(), 500, true)],
        ("while-locked", 300),
    )
    .await;
}
