//! Crash safety: the real service, under write load from several clients, is killed with
//! SIGKILL at a random moment, ten times, and started again each time; on PostgreSQL the
//! database is crashed too (`pg_ctl stop -m immediate`) in some rounds. After every restart
//! each request whose outcome the client never saw is sent again with the same key and body.
//!
//! Then: every acknowledged (2xx) request is in the journal exactly once, and so is every
//! retried one; a retry of an acknowledged request replays the first answer
//! (`Idempotent-Replayed: true`, same body) instead of posting again; the balance is the sum
//! of the transfers; the chain verifies. Only the timing is random (seed printed).
//!
//! A test binary of its own, not a module of the shared one (`tests/api/`): it kills service
//! processes with SIGKILL and crashes PostgreSQL clusters of its own, ten rounds under write load
//! from several clients: long and heavy, it would slow the tests sharing its process past their
//! time bounds.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use tokio::task::JoinSet;

use support::durable_postgres::DurableCluster;
use support::process::{self, Service};

const ROUNDS: usize = 10;
const CLIENTS: usize = 4;
/// The kill comes this long after the load starts, at random between the two bounds.
const KILL_AFTER_MS: std::ops::Range<u64> = 150..900;
/// No request may take this long; a client that waits longer fails the test.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// One transfer a client sent, and its outcome as far as the client knows.
struct Sent {
    body: Value,
    minor: i64,
    /// Status and body of the 2xx answer, once one arrived.
    answer: Option<(StatusCode, String)>,
    /// Round in which the 2xx answer arrived before the kill (not through a retry).
    acknowledged_in: Option<usize>,
}

type Log = Arc<Mutex<BTreeMap<String, Sent>>>;

/// Where the database lives, and whether it can be crashed too.
enum Database {
    Sqlite,
    Postgres(DurableCluster),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_survives_sigkill_under_load() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
    let seed = process::seed("sqlite_survives_sigkill_under_load", 6_001);
    crash_rounds(Database::Sqlite, &url, dir.path(), seed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_survives_sigkill_of_service_and_database() {
    let Some(cluster) = DurableCluster::start() else {
        return;
    };
    let url = cluster.fresh_database("crash").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let seed = process::seed("postgres_survives_sigkill_of_service_and_database", 6_002);
    crash_rounds(Database::Postgres(cluster), &url, dir.path(), seed).await;
}

async fn crash_rounds(database: Database, url: &str, workdir: &Path, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut service = Service::start(url, workdir).await;
    let admin = service.admin_client().await;
    let clients = Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("client");
    // Tokens survive restarts: every process signs with the same secret.
    let token = admin_token(&service).await;
    let group = process::create_group(&admin, &service.base, "Crash").await;
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
    let log: Log = Arc::default();
    let mut unanswered_but_written = 0usize;

    for round in 0..ROUNDS {
        let kill_after = rng.random_range(KILL_AFTER_MS);
        let crash_database = matches!(database, Database::Postgres(_)) && round % 3 == 1;
        let mut load = JoinSet::new();
        for client in 0..CLIENTS {
            load.spawn(client_loop(
                clients.clone(),
                token.clone(),
                service.base.clone(),
                group.clone(),
                [cash.clone(), capital.clone()],
                log.clone(),
                round,
                client,
            ));
        }
        tokio::time::sleep(Duration::from_millis(kill_after)).await;
        service.kill();
        if let (true, Database::Postgres(cluster)) = (crash_database, &database) {
            cluster.stop_immediate();
        }
        while let Some(finished) = load.join_next().await {
            finished.expect("client task");
        }
        if let (true, Database::Postgres(cluster)) = (crash_database, &database) {
            cluster.start_server();
        }
        service = Service::start(url, workdir).await;

        // Every request without a seen outcome, sent again as it was.
        let pending: Vec<(String, Value)> = log
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, sent)| sent.answer.is_none())
            .map(|(key, sent)| (key.clone(), sent.body.clone()))
            .collect();
        let written_before = unanswered_but_written;
        for (key, body) in &pending {
            let reply = post(&clients, &token, &service.base, &group, key, body)
                .await
                .unwrap_or_else(|e| panic!("retry of {key} after the restart failed: {e}"));
            assert_eq!(
                reply.0,
                StatusCode::CREATED,
                "retry of {key} after the restart: {}\n{}",
                reply.2,
                service.log_tail()
            );
            if reply.1 {
                unanswered_but_written += 1;
            }
            log.lock().unwrap().get_mut(key).unwrap().answer = Some((reply.0, reply.2));
        }

        // Every request acknowledged before this kill replays its first answer.
        let acknowledged: Vec<(String, Value, StatusCode, String)> = log
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, sent)| sent.acknowledged_in == Some(round))
            .map(|(key, sent)| {
                let (status, body) = sent.answer.clone().unwrap();
                (key.clone(), sent.body.clone(), status, body)
            })
            .collect();
        for (key, body, status, first) in &acknowledged {
            let (again, replayed, text) = post(&clients, &token, &service.base, &group, key, body)
                .await
                .unwrap_or_else(|e| panic!("replay of {key} failed: {e}"));
            assert_eq!(again, *status, "replay of {key}: {text}");
            assert!(
                replayed,
                "{key} was acknowledged before the kill, yet posted again"
            );
            assert_eq!(&text, first, "replay of {key} answers differently");
        }

        let verification = process::verify(&admin, &service.base, &group).await;
        assert_eq!(verification["ok"], Value::Bool(true), "{verification}");
        let written = log.lock().unwrap().len();
        assert_eq!(
            verification["transactions_checked"],
            Value::from(written),
            "round {round}: the journal holds a transaction per request, no more, no less"
        );
        eprintln!(
            "round {round}: killed after {kill_after} ms{}; {} acknowledged before the kill, {} retried ({} of them had been written)",
            if crash_database {
                " with the database"
            } else {
                ""
            },
            acknowledged.len(),
            pending.len(),
            unanswered_but_written - written_before,
        );
    }

    // Each request once in the journal, and the balance their sum.
    let descriptions = process::journal_descriptions(&admin, &service.base, &group).await;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for description in descriptions {
        *seen.entry(description).or_default() += 1;
    }
    let balances = process::trial_balances(&admin, &service.base, &group).await;
    let log = log.lock().unwrap();
    let acknowledged = log.values().filter(|s| s.acknowledged_in.is_some()).count();
    assert!(acknowledged > 0, "no request was acknowledged under load");
    for key in log.keys() {
        assert_eq!(
            seen.get(key),
            Some(&1),
            "{key} is not in the journal exactly once"
        );
    }
    assert_eq!(
        seen.len(),
        log.len(),
        "the journal holds transactions nobody sent"
    );
    let expected: i64 = log.values().map(|s| s.minor).sum();
    assert_eq!(balances[&cash], expected);
    assert_eq!(balances[&capital], expected);
    eprintln!(
        "{} transfers, {acknowledged} acknowledged under load, {unanswered_but_written} written but unanswered before a kill",
        log.len()
    );
}

async fn admin_token(service: &Service) -> String {
    support::app::login(
        &Client::new(),
        &service.base,
        "admin",
        support::app::ADMIN_PASSWORD,
    )
    .await
    .expect("the administrator signs in")
}

/// Posts transfers with fresh keys until the service stops answering.
#[allow(clippy::too_many_arguments)]
async fn client_loop(
    http: Client,
    token: String,
    base: String,
    group: String,
    [cash, capital]: [String; 2],
    log: Log,
    round: usize,
    client: usize,
) {
    for n in 0.. {
        let key = format!("crash-{round:02}-{client}-{n:05}");
        // Amounts differ from one request to the next, so a double or a missing posting
        // shows in the balance as well as in the journal.
        let minor = 1 + (round * 100_000 + client * 10_000 + n) as i64;
        let body = process::transfer_body(&key, &cash, &capital, minor);
        log.lock().unwrap().insert(
            key.clone(),
            Sent {
                body: body.clone(),
                minor,
                answer: None,
                acknowledged_in: None,
            },
        );
        match post(&http, &token, &base, &group, &key, &body).await {
            Ok((status, _, text)) if status.is_success() => {
                let mut log = log.lock().unwrap();
                let sent = log.get_mut(&key).unwrap();
                sent.answer = Some((status, text));
                sent.acknowledged_in = Some(round);
            }
            // The service is shutting down under us (a 503 from a dying pool): no outcome.
            Ok((StatusCode::SERVICE_UNAVAILABLE, _, _)) => {}
            Ok((status, _, text)) => panic!("{key}: unexpected {status}: {text}"),
            // Connection refused or reset: the service is gone.
            Err(_) => return,
        }
    }
}

/// Posts one transfer; the status, whether it was a replay, and the body as sent.
async fn post(
    http: &Client,
    token: &str,
    base: &str,
    group: &str,
    key: &str,
    body: &Value,
) -> Result<(StatusCode, bool, String), reqwest::Error> {
    let response = http
        .post(format!("{base}/v1/groups/{group}/transactions"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await?;
    let status = response.status();
    let replayed = response
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true");
    let text = response.text().await?;
    Ok((status, replayed, text))
}
