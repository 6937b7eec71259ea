//! Many clients at once, on both backends: conflicting transfers against one group, against
//! several groups, and through two service instances sharing one database; and the same
//! idempotency key sent by many clients at the same moment.
//!
//! Every client loop is bounded by a count and every test by a deadline, so a deadlock fails
//! the test instead of hanging it.
//!
//! A test binary of its own, not a module of the shared one (`tests/api/`): many clients at once
//! against one or two services in this process, whose writes all go through the process's one
//! writer thread: load that would slow the other tests of a shared process past their time bounds
//! (some of a second or so), and deadlock deadlines that other tests' load would eat into.

mod support;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use msai_ledger::app::{AppConfig, serve};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::sync::{Barrier, oneshot};
use tokio::task::JoinSet;

use support::app::{Reply, TestApp};

/// Longest any one test may run on one backend before it counts as a deadlock.
const DEADLINE: Duration = Duration::from_secs(60);

async fn within_deadline<T>(work: impl Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, work)
        .await
        .unwrap_or_else(|_| panic!("the test did not finish within {DEADLINE:?}: a deadlock?"))
}

// ---------------------------------------------------------------------------------------------
// Talking to one or more service instances.

/// A second service process over an existing database, stopped when dropped.
struct Instance {
    base: String,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts another instance of the service on `database_url`, as a second process would.
async fn start_instance(database_url: &str, admin_token: &str) -> Instance {
    let store = msai_ledger::store::connect(database_url)
        .await
        .expect("a second instance connects to the same database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    // Both instances share the database, and with it the token secret and the users.
    support::app::register_admin_token(&base, admin_token);
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = serve(listener, store, AppConfig::default(), async {
            let _ = rx.await;
        })
        .await;
    });
    Instance {
        base,
        shutdown: Some(tx),
    }
}

async fn get(client: &Client, base: &str, path: &str) -> Reply {
    let response = client
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("request");
    Reply::from(response).await
}

async fn post(client: &Client, base: &str, path: &str, key: &str, body: &Value) -> Reply {
    let response = client
        .post(format!("{base}{path}"))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("request");
    Reply::from(response).await
}

fn transfer_body(debit: &str, credit: &str, minor: i64) -> Value {
    json!({"description": "transfer", "entries": [
        {"account": debit, "direction": "debit", "amount": hkd(minor)},
        {"account": credit, "direction": "credit", "amount": hkd(minor)},
    ]})
}

/// HKD minor units as the API writes them.
fn hkd(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let magnitude = minor.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// An HKD amount from the API, in minor units; it must be in canonical form.
fn hkd_minor(text: &str) -> i64 {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, cents) = digits
        .split_once('.')
        .unwrap_or_else(|| panic!("{text:?} has no decimals"));
    assert_eq!(cents.len(), 2, "{text:?} is not an HKD amount");
    let magnitude =
        whole.parse::<i64>().expect("digits") * 100 + cents.parse::<i64>().expect("digits");
    let value = if negative { -magnitude } else { magnitude };
    assert_eq!(hkd(value), text, "{text:?} is not canonical");
    value
}

fn member_code(member: usize) -> String {
    format!("liabilities:savings:m{member:02}")
}

const CASH: &str = "assets:cash:HKD";

/// A group with a cash account and `members` no-overdraft savings accounts.
async fn savings_group(app: &TestApp, name: &str, members: usize) -> String {
    let group = app.create_group(name).await;
    app.create_account(&group, CASH, "asset", "HKD", false)
        .await;
    for member in 0..members {
        app.create_account(&group, &member_code(member), "liability", "HKD", true)
            .await;
    }
    group
}

/// Balances by account code, read in one trial-balance call (one snapshot of the ledger),
/// after checking that its totals balance in every currency.
async fn trial_balance(client: &Client, base: &str, group: &str) -> BTreeMap<String, i64> {
    let reply = get(client, base, &format!("/v1/groups/{group}/trial-balance")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    for total in reply.body["totals"].as_array().expect("totals") {
        assert_eq!(
            total["debits"], total["credits"],
            "a trial balance does not balance: {}",
            reply.body
        );
        assert_eq!(total["balanced"], json!(true), "{}", reply.body);
    }
    reply.body["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|line| {
            (
                line["code"].as_str().expect("code").to_string(),
                hkd_minor(line["balance"].as_str().expect("balance")),
            )
        })
        .collect()
}

/// The chain verifies and holds exactly `transactions` transactions.
async fn assert_verified(client: &Client, base: &str, group: &str, transactions: usize) {
    let reply = get(client, base, &format!("/v1/groups/{group}/ledger/verify")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["ok"], json!(true), "{}", reply.body);
    assert_eq!(
        reply.body["head_sequence"],
        json!(transactions),
        "{}",
        reply.body
    );
}

/// A transfer the service accepted: what it moved and where it landed in the journal.
#[derive(Debug, Clone)]
struct Accepted {
    id: String,
    sequence: i64,
    /// Change of each member's savings balance, in minor units.
    changes: Vec<(usize, i64)>,
}

/// What one client saw.
#[derive(Debug, Default)]
struct ClientLog {
    accepted: Vec<Accepted>,
    /// Withdrawals refused because they would have overdrawn.
    overdrafts: Vec<usize>,
    /// Any other answer: none is allowed.
    unexpected: Vec<String>,
}

/// Sorts one answer to a transfer into the client's log.
fn record(log: &mut ClientLog, reply: &Reply, changes: Vec<(usize, i64)>, may_overdraw: bool) {
    if reply.status == StatusCode::CREATED {
        log.accepted.push(Accepted {
            id: reply.body["id"].as_str().expect("id").to_string(),
            sequence: reply.body["sequence"].as_i64().expect("sequence"),
            changes,
        });
    } else if may_overdraw
        && reply.status == StatusCode::UNPROCESSABLE_ENTITY
        && reply.problem_type() == "/problems/overdraft"
    {
        // The member debited is the one whose balance would go negative.
        let member = changes
            .iter()
            .find(|(_, change)| *change < 0)
            .map(|(m, _)| *m)
            .expect("only withdrawals can overdraw");
        log.overdrafts.push(member);
    } else {
        log.unexpected
            .push(format!("{} {}", reply.status, reply.body));
    }
}

/// Every transfer was accepted or refused for overdraft; the accepted ones took the
/// sequences 1..n (after `before` earlier ones) with distinct ids.
fn assert_clean_answers(logs: &[ClientLog], before: i64) -> Vec<Accepted> {
    let unexpected: Vec<&String> = logs.iter().flat_map(|l| &l.unexpected).collect();
    assert!(
        unexpected.is_empty(),
        "{} answers were neither 201 nor a 422 overdraft, e.g. {:?}",
        unexpected.len(),
        &unexpected[..unexpected.len().min(5)]
    );
    let accepted: Vec<Accepted> = logs.iter().flat_map(|l| l.accepted.clone()).collect();
    let mut sequences: Vec<i64> = accepted.iter().map(|a| a.sequence).collect();
    sequences.sort_unstable();
    let expected: Vec<i64> = (before + 1..=before + accepted.len() as i64).collect();
    assert_eq!(
        sequences, expected,
        "accepted transfers must take each sequence number exactly once"
    );
    let mut ids: Vec<&str> = accepted.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), accepted.len(), "two answers carry the same id");
    accepted
}

// ---------------------------------------------------------------------------------------------
// 1 and 2: clients depositing and withdrawing through one hot cash account.

/// Deposits of 120.00 (every third operation, starting with one) and withdrawals of 65.00 to
/// 115.00. Two clients per member: the first withdrawal a member sees always fits (a deposit
/// came first), and the withdrawals (at least 16 × 65.00) exceed the deposits (8 × 120.00), so
/// some must be refused.
const DEPOSIT_MINOR: i64 = 12_000;
const OPERATIONS_PER_CLIENT: usize = 12;

fn withdrawal_minor(client: usize, operation: usize) -> i64 {
    6_500 + ((client * 7 + operation * 3) % 6) as i64 * 1_000
}

async fn hot_cash_client(base: String, group: String, client: usize, member: usize) -> ClientLog {
    let http = support::app::admin_client_for(&base);
    let mut log = ClientLog::default();
    let path = format!("/v1/groups/{group}/transactions");
    let savings = member_code(member);
    for operation in 0..OPERATIONS_PER_CLIENT {
        let key = uuid::Uuid::new_v4().to_string();
        if operation % 3 == 0 {
            let body = transfer_body(CASH, &savings, DEPOSIT_MINOR);
            let reply = post(&http, &base, &path, &key, &body).await;
            record(&mut log, &reply, vec![(member, DEPOSIT_MINOR)], false);
        } else {
            let amount = withdrawal_minor(client, operation);
            let body = transfer_body(&savings, CASH, amount);
            let reply = post(&http, &base, &path, &key, &body).await;
            record(&mut log, &reply, vec![(member, -amount)], true);
        }
    }
    log
}

/// Runs `clients` clients (two per member) against one group, all at once, then checks the
/// group: no lost update, no overdraft, a verified chain of exactly the accepted transfers.
async fn hot_cash_round(bases: Vec<String>, group: String, members: usize, clients: usize) {
    let mut tasks = JoinSet::new();
    for client in 0..clients {
        let base = bases[client % bases.len()].clone();
        tasks.spawn(hot_cash_client(
            base,
            group.clone(),
            client,
            client % members,
        ));
    }
    let mut logs = Vec::with_capacity(clients);
    while let Some(log) = tasks.join_next().await {
        logs.push(log.expect("a client task panicked"));
    }
    let accepted = assert_clean_answers(&logs, 0);

    let mut expected = vec![0i64; members];
    for a in &accepted {
        for &(member, change) in &a.changes {
            expected[member] += change;
        }
    }
    let http = support::app::admin_client_for(&bases[0]);
    let balances = trial_balance(&http, &bases[0], &group).await;
    for (member, expected) in expected.iter().enumerate() {
        let balance = balances[&member_code(member)];
        assert_eq!(
            balance, *expected,
            "member {member}'s savings must be the sum of the accepted transfers"
        );
        assert!(balance >= 0, "member {member}'s savings are overdrawn");
        let refused = logs
            .iter()
            .flat_map(|l| &l.overdrafts)
            .filter(|m| **m == member)
            .count();
        assert!(
            refused > 0,
            "member {member}: the withdrawals exceed the deposits, yet none was refused"
        );
        let withdrawn = accepted
            .iter()
            .flat_map(|a| &a.changes)
            .filter(|(m, change)| *m == member && *change < 0)
            .count();
        assert!(
            withdrawn > 0,
            "member {member}: the first withdrawal fits, yet none was accepted"
        );
    }
    let savings: i64 = expected.iter().sum();
    assert_eq!(
        balances[CASH], savings,
        "cash must hold exactly what the members saved"
    );
    // Debit-normal cash minus credit-normal savings: zero in HKD.
    let signed: i64 = balances
        .iter()
        .map(|(code, b)| if code == CASH { *b } else { -*b })
        .sum();
    assert_eq!(signed, 0, "balances do not sum to zero in HKD");
    assert_verified(&http, &bases[0], &group, accepted.len()).await;
}

both_backends!(
    sixteen_clients_on_one_hot_cash_account_lose_no_update_and_never_overdraw,
    |app| async move {
        within_deadline(async {
            let group = savings_group(&app, "Hot cash", 8).await;
            hot_cash_round(vec![app.base.clone()], group, 8, 16).await;
        })
        .await;
    }
);

both_backends!(
    four_groups_written_at_once_each_keep_their_own_books_exact,
    |app| async move {
        within_deadline(async {
            let mut groups = Vec::new();
            for g in 0..4 {
                groups.push(savings_group(&app, &format!("Group {g}"), 4).await);
            }
            let mut rounds = JoinSet::new();
            for group in groups {
                rounds.spawn(hot_cash_round(vec![app.base.clone()], group, 4, 8));
            }
            while let Some(round) = rounds.join_next().await {
                if let Err(failure) = round {
                    std::panic::resume_unwind(failure.into_panic());
                }
            }
        })
        .await;
    }
);

// ---------------------------------------------------------------------------------------------
// 3: two instances over one database, the "bank" workload.

const BANK_MEMBERS: usize = 8;
const BANK_OPENING_MINOR: i64 = 100_000;
const BANK_CLIENTS: usize = 16;
const BANK_TRANSFERS_PER_CLIENT: usize = 12;
const BANK_MAX_READS: usize = 400;

async fn bank_client(base: String, group: String, client: usize) -> ClientLog {
    let http = support::app::admin_client_for(&base);
    let mut log = ClientLog::default();
    let path = format!("/v1/groups/{group}/transactions");
    for i in 0..BANK_TRANSFERS_PER_CLIENT {
        // Member 0 only ever sends: its 24 transfers of at least 150.00 exceed its 1000.00,
        // so some must be refused, whatever the interleaving.
        let from = (client + i) % BANK_MEMBERS;
        let mut to = 1 + (client + 3 * i) % (BANK_MEMBERS - 1);
        if to == from {
            to = 1 + to % (BANK_MEMBERS - 1);
        }
        let amount = 15_000 + ((client * 5 + i * 11) % 7) as i64 * 5_000;
        let body = transfer_body(&member_code(from), &member_code(to), amount);
        let key = uuid::Uuid::new_v4().to_string();
        let reply = post(&http, &base, &path, &key, &body).await;
        record(&mut log, &reply, vec![(from, -amount), (to, amount)], true);
    }
    log
}

/// Reads the trial balance until the writers are done (at most BANK_MAX_READS times):
/// every snapshot holds the opening total, balances, and shows no member overdrawn. Returns
/// how many snapshots it read.
async fn bank_reader(base: String, group: String, done: Arc<AtomicBool>) -> usize {
    let http = support::app::admin_client_for(&base);
    let total = BANK_OPENING_MINOR * BANK_MEMBERS as i64;
    let mut reads = 0;
    while reads < BANK_MAX_READS && !done.load(Ordering::SeqCst) {
        let balances = trial_balance(&http, &base, &group).await;
        let savings: i64 = (0..BANK_MEMBERS).map(|m| balances[&member_code(m)]).sum();
        assert_eq!(
            savings, total,
            "a snapshot of the savings does not hold the money put in"
        );
        assert_eq!(balances[CASH], total, "a snapshot shows cash moving");
        for m in 0..BANK_MEMBERS {
            assert!(
                balances[&member_code(m)] >= 0,
                "a snapshot shows member {m} overdrawn"
            );
        }
        let one = get(
            &http,
            &base,
            &format!(
                "/v1/groups/{group}/accounts/{}",
                member_code(reads % BANK_MEMBERS)
            ),
        )
        .await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.body);
        assert!(
            hkd_minor(one.body["balance"].as_str().expect("balance")) >= 0,
            "an account read shows a member overdrawn: {}",
            one.body
        );
        reads += 1;
    }
    reads
}

/// Sends the same request with the same key `copies` times at once, spread over `bases`.
async fn same_request_at_once(
    bases: &[String],
    path: &str,
    key: &str,
    body: &Value,
    copies: usize,
) -> Vec<Reply> {
    let barrier = Arc::new(Barrier::new(copies));
    let mut tasks = JoinSet::new();
    for copy in 0..copies {
        let base = bases[copy % bases.len()].clone();
        let (path, key, body, barrier) = (
            path.to_string(),
            key.to_string(),
            body.clone(),
            barrier.clone(),
        );
        tasks.spawn(async move {
            let http = support::app::admin_client_for(&base);
            barrier.wait().await;
            post(&http, &base, &path, &key, &body).await
        });
    }
    let mut replies = Vec::with_capacity(copies);
    while let Some(reply) = tasks.join_next().await {
        replies.push(reply.expect("a client task panicked"));
    }
    replies
}

/// Exactly one transaction came of `copies` identical requests with one key: every 201 carries
/// its id, the rest are 409 request-in-flight and get the same transaction when retried, and
/// the journal grew by one.
async fn assert_one_transaction(bases: &[String], group: &str, member: usize, copies: usize) {
    let http = support::app::admin_client_for(&bases[0]);
    let before = trial_balance(&http, &bases[0], group).await;
    let head = get(&http, &bases[0], &format!("/v1/groups/{group}")).await;
    let head_before = head.body["head_sequence"].as_i64().expect("head");

    let path = format!("/v1/groups/{group}/transactions");
    let key = uuid::Uuid::new_v4().to_string();
    let body = transfer_body(CASH, &member_code(member), 2_500);
    let replies = same_request_at_once(bases, &path, &key, &body, copies).await;

    let mut ids = Vec::new();
    let mut in_flight = 0;
    for reply in &replies {
        match reply.status {
            StatusCode::CREATED => ids.push(reply.body["id"].as_str().expect("id").to_string()),
            StatusCode::CONFLICT => {
                assert_eq!(
                    reply.problem_type(),
                    "/problems/request-in-flight",
                    "{}",
                    reply.body
                );
                in_flight += 1;
            }
            other => panic!("an identical request got {other}: {}", reply.body),
        }
    }
    assert!(
        !ids.is_empty(),
        "none of {copies} identical requests succeeded"
    );
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "identical requests with one key got different transactions: {ids:?}"
    );
    // A client told the request is in flight retries later and gets the same transaction.
    for copy in 0..in_flight {
        let reply = post(&http, &bases[copy % bases.len()], &path, &key, &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(
            reply.body["id"],
            json!(ids[0]),
            "a retry got another transaction"
        );
        assert_eq!(
            reply
                .headers
                .get("idempotent-replayed")
                .map(|v| v.as_bytes()),
            Some(&b"true"[..]),
            "a retry must be answered from the stored response"
        );
    }

    let head = get(&http, &bases[0], &format!("/v1/groups/{group}")).await;
    assert_eq!(
        head.body["head_sequence"],
        json!(head_before + 1),
        "{copies} identical requests must write exactly one transaction"
    );
    let after = trial_balance(&http, &bases[0], group).await;
    let savings = member_code(member);
    assert_eq!(after[&savings] - before[&savings], 2_500, "moved once");
    assert_eq!(after[CASH] - before[CASH], 2_500, "moved once");
    for base in bases {
        assert_verified(&http, base, group, (head_before + 1) as usize).await;
    }
}

both_backends!(
    two_instances_on_one_database_conserve_money_and_never_overdraw,
    |app| async move {
        within_deadline(async {
            let second = start_instance(&app.database_url, &app.admin_token).await;
            let bases = vec![app.base.clone(), second.base.clone()];
            let group = savings_group(&app, "Two instances", BANK_MEMBERS).await;
            for member in 0..BANK_MEMBERS {
                let r = app
                    .transfer(&group, CASH, &member_code(member), &hkd(BANK_OPENING_MINOR))
                    .await;
                assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            }
            let opening = BANK_MEMBERS as i64;

            let done = Arc::new(AtomicBool::new(false));
            let mut readers = JoinSet::new();
            for base in &bases {
                readers.spawn(bank_reader(base.clone(), group.clone(), done.clone()));
            }
            let mut writers = JoinSet::new();
            for client in 0..BANK_CLIENTS {
                let base = bases[client % bases.len()].clone();
                writers.spawn(bank_client(base, group.clone(), client));
            }
            let mut logs = Vec::with_capacity(BANK_CLIENTS);
            while let Some(log) = writers.join_next().await {
                logs.push(log.expect("a writer panicked"));
            }
            done.store(true, Ordering::SeqCst);
            while let Some(reads) = readers.join_next().await {
                let reads = match reads {
                    Ok(reads) => reads,
                    Err(failure) => std::panic::resume_unwind(failure.into_panic()),
                };
                assert!(reads > 0, "a reader never read a snapshot");
            }

            let accepted = assert_clean_answers(&logs, opening);
            assert!(
                logs.iter().flat_map(|l| &l.overdrafts).any(|m| *m == 0),
                "member 0 sent more than it ever held, yet no transfer was refused"
            );
            let mut expected = [BANK_OPENING_MINOR; BANK_MEMBERS];
            for a in &accepted {
                for &(member, change) in &a.changes {
                    expected[member] += change;
                }
            }
            let http = support::app::admin_client_for(&bases[0]);
            for base in &bases {
                let balances = trial_balance(&http, base, &group).await;
                for (member, expected) in expected.iter().enumerate() {
                    assert_eq!(
                        balances[&member_code(member)],
                        *expected,
                        "member {member} must end at the opening plus the accepted transfers"
                    );
                }
                let savings: i64 = (0..BANK_MEMBERS).map(|m| balances[&member_code(m)]).sum();
                assert_eq!(
                    savings,
                    BANK_OPENING_MINOR * BANK_MEMBERS as i64,
                    "money was created or destroyed"
                );
                assert_verified(&http, base, &group, opening as usize + accepted.len()).await;
            }

            // One key, sent to both instances at the same moment.
            assert_one_transaction(&bases, &group, 0, 10).await;
        })
        .await;
    }
);

// ---------------------------------------------------------------------------------------------
// 4: one instance, ten identical requests at once.

both_backends!(
    ten_identical_requests_at_once_write_one_transaction,
    |app| async move {
        within_deadline(async {
            let group = savings_group(&app, "Retries", 1).await;
            assert_one_transaction(std::slice::from_ref(&app.base), &group, 0, 10).await;
        })
        .await;
    }
);

// ---------------------------------------------------------------------------------------------
// 5: many clients reversing the same transaction at once, through two instances.

both_backends!(
    a_transaction_reversed_by_many_clients_at_once_is_reversed_exactly_once,
    |app| async move {
        within_deadline(async {
            let second = start_instance(&app.database_url, &app.admin_token).await;
            let bases = [app.base.clone(), second.base.clone()];
            let group = savings_group(&app, "Corrections", 1).await;
            let savings = member_code(0);
            let posted = app.transfer(&group, CASH, &savings, "250.00").await;
            assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
            let id = posted.body["id"].as_str().expect("id").to_string();

            // Each client has its own key: these are eight different correction requests.
            let copies = 8;
            let barrier = Arc::new(Barrier::new(copies));
            let mut tasks = JoinSet::new();
            for copy in 0..copies {
                let base = bases[copy % bases.len()].clone();
                let path = format!("/v1/groups/{group}/transactions/{id}/reversal");
                let barrier = barrier.clone();
                tasks.spawn(async move {
                    let http = support::app::admin_client_for(&base);
                    let key = uuid::Uuid::new_v4().to_string();
                    barrier.wait().await;
                    post(&http, &base, &path, &key, &json!({})).await
                });
            }
            let mut reversals = Vec::new();
            while let Some(reply) = tasks.join_next().await {
                let reply = reply.expect("a client task panicked");
                match reply.status {
                    StatusCode::CREATED => reversals.push(reply.body["id"].clone()),
                    StatusCode::CONFLICT => assert_eq!(
                        reply.problem_type(),
                        "/problems/already-reversed",
                        "{}",
                        reply.body
                    ),
                    other => panic!("a reversal got {other}: {}", reply.body),
                }
            }
            assert_eq!(
                reversals.len(),
                1,
                "exactly one of {copies} concurrent reversals may succeed"
            );

            let http = support::app::admin_client_for(&bases[0]);
            let original = get(
                &http,
                &bases[1],
                &format!("/v1/groups/{group}/transactions/{id}"),
            )
            .await;
            assert_eq!(
                original.body["reversed_by"], reversals[0],
                "{}",
                original.body
            );
            let balances = trial_balance(&http, &bases[1], &group).await;
            assert_eq!(
                balances[&savings], 0,
                "the deposit is undone once, not twice"
            );
            assert_eq!(balances[CASH], 0, "the deposit is undone once, not twice");
            for base in &bases {
                assert_verified(&http, base, &group, 2).await;
            }
        })
        .await;
    }
);
