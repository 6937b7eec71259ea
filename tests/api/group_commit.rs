//! Group commit through the API: writes that arrive together are committed together, each is
//! still judged on its own (a refused write never fails its neighbours), each is answered only
//! once durable, and the ledger afterwards is exactly what the answers said.

use crate::support;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{Backend, TestApp};

const GROUPS: usize = 4;
const GOOD_PER_GROUP: usize = 6;

struct Sent {
    group: String,
    /// What was posted to: `transactions`, `contributions` or `withdrawals`.
    kind: String,
    key: String,
    body: Value,
    reply: support::app::Reply,
}

/// Sends one transaction with a fresh key, on a task of its own.
fn post(app: &TestApp, group: &str, body: Value) -> tokio::task::JoinHandle<Sent> {
    record(app, group, "transactions", body)
}

fn transfer(debit: &str, credit: &str, amount: &str) -> Value {
    json!({"description": "collection", "entries": [
        {"account": debit, "direction": "debit", "amount": amount},
        {"account": credit, "direction": "credit", "amount": amount},
    ]})
}

/// `lanes`: the store's lanes of writes, or the backend's default.
async fn concurrent_writes_commit_together_and_each_is_judged_alone(
    backend: Backend,
    lanes: Option<usize>,
) {
    let app = match lanes {
        None => support::app::spawn(backend).await,
        Some(lanes) => support::app::spawn_in_lanes(backend, lanes).await,
    };
    let Some(app) = app else {
        return;
    };
    // In lanes, groups are picked so that every lane has one.
    let lane_count = lanes.unwrap_or(1);
    let mut covered = vec![false; lane_count];
    let mut groups = Vec::new();
    let mut made = 0;
    while groups.len() < GROUPS {
        assert!(made < 64, "64 groups and a lane without one: {covered:?}");
        let group = app.create_group(&format!("Batch {made}")).await;
        made += 1;
        let lane =
            msai_ledger::store::write_lane(uuid::Uuid::parse_str(&group).unwrap(), lane_count);
        let uncovered = covered.iter().filter(|c| !**c).count();
        if covered[lane] && GROUPS - groups.len() <= uncovered {
            continue;
        }
        covered[lane] = true;
        app.create_account(&group, "assets:cash", "asset", "HKD", false)
            .await;
        app.create_account(&group, "members:savings", "liability", "HKD", true)
            .await;
        groups.push(group);
    }
    assert!(covered.iter().all(|c| *c), "{covered:?}");
    let before = app.store.write_commits();

    // Someone else holds the lock every write needs, so the writes below all arrive while
    // the first of them waits: they queue in one batch.
    let release =
        support::app::hold_write_lock(backend, &app.database_url, Duration::from_millis(1500))
            .await;
    let mut requests = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        for i in 0..GOOD_PER_GROUP {
            // Deposits of 10.01, 10.02, ... into the group's savings.
            let amount = format!("{}.{:02}", 10 + g, i + 1);
            requests.push(post(
                &app,
                group,
                transfer("assets:cash", "members:savings", &amount),
            ));
        }
        // A withdrawal of more than the group will ever hold: refused, alone.
        requests.push(post(
            &app,
            group,
            transfer("members:savings", "assets:cash", "1000.00"),
        ));
        // An entry on an account the group does not have: refused, alone.
        requests.push(post(
            &app,
            group,
            transfer("assets:cash", "assets:nowhere", "1.00"),
        ));
    }
    let mut sent = Vec::new();
    for request in requests {
        sent.push(request.await.unwrap());
    }
    release.await.unwrap();

    let mut expected = [0i64; GROUPS];
    for s in &sent {
        let g = groups.iter().position(|x| *x == s.group).unwrap();
        let amount = s.body["entries"][0]["amount"].as_str().unwrap();
        let credit = s.body["entries"][1]["account"].as_str().unwrap();
        if amount == "1000.00" {
            support::app::assert_problem(&s.reply, StatusCode::UNPROCESSABLE_ENTITY, "overdraft");
        } else if credit == "assets:nowhere" {
            support::app::assert_problem(
                &s.reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown-account",
            );
        } else {
            assert_eq!(s.reply.status, StatusCode::CREATED, "{}", s.reply.body);
            let (units, cents) = amount.split_once('.').unwrap();
            expected[g] += units.parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap();
        }
    }

    // Every acknowledged deposit is in the ledger once; nothing refused left a trace.
    for (g, group) in groups.iter().enumerate() {
        let savings = app.balance(group, "members:savings").await;
        assert_eq!(
            savings,
            format!("{}.{:02}", expected[g] / 100, expected[g] % 100),
            "group {g}"
        );
        let journal = app
            .get(&format!("/v1/groups/{group}/transactions?limit=100"))
            .await;
        assert_eq!(
            journal.body["items"].as_array().unwrap().len(),
            GOOD_PER_GROUP,
            "{}",
            journal.body
        );
        let verified = app.get(&format!("/v1/groups/{group}/ledger/verify")).await;
        assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
        assert_eq!(verified.body["ok"], json!(true), "{}", verified.body);
    }

    // Each request has exactly one audit record, with the status its client got and, for a
    // transaction written, its id: for a posting written together with others, the record
    // is committed with the posting, and the audit layer adds no second one.
    assert_audited_once(&app, &sent).await;

    // They went through in far fewer commits than writes (their audit records included).
    let after = app.store.write_commits();
    let commits = after.commits - before.commits;
    let writes = after.writes - before.writes;
    assert!(
        writes >= sent.len() as u64 && commits * 4 <= writes,
        "{commits} commits for {writes} writes"
    );

    // A retry of any of them answers as the first time, and writes nothing more.
    for s in sent.iter().step_by(5) {
        let again = app
            .post_with_key(
                &format!("/v1/groups/{}/transactions", s.group),
                &s.key,
                &s.body,
            )
            .await;
        assert_eq!(again.status, s.reply.status);
        assert_eq!(again.body, s.reply.body);
        assert_eq!(
            again
                .headers
                .get("idempotent-replayed")
                .map(|v| v.to_str().unwrap()),
            Some("true")
        );
    }
    for (g, group) in groups.iter().enumerate() {
        let savings = app.balance(group, "members:savings").await;
        assert_eq!(
            savings,
            format!("{}.{:02}", expected[g] / 100, expected[g] % 100)
        );
        assert_events_follow_the_ledger(&app, group).await;
    }
}

/// Checks that the group's events are numbered 1, 2, 3... with no gap or repeat, and that its
/// postings' events come in the order of the ledger, one for each transaction: postings
/// written together number their events in the statement that writes them on PostgreSQL.
async fn assert_events_follow_the_ledger(app: &TestApp, group: &str) {
    let mut events: Vec<Value> = Vec::new();
    let mut path = format!("/v1/groups/{group}/events?limit=100");
    loop {
        let page = app.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        events.extend(page.body["items"].as_array().unwrap().iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/groups/{group}/events?limit=100&cursor={cursor}"),
            None => break,
        }
    }
    let numbers: Vec<i64> = events
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, (1..=events.len() as i64).collect::<Vec<_>>());
    let ledger_order: Vec<i64> = events
        .iter()
        .filter(|e| !e["transaction"].is_null())
        .map(|e| e["transaction"]["sequence"].as_i64().unwrap())
        .collect();
    let head = app.get(&format!("/v1/groups/{group}")).await;
    let head = head.body["head_sequence"].as_i64().unwrap();
    assert_eq!(ledger_order, (1..=head).collect::<Vec<_>>());
}

/// Checks that each request `sent` has exactly one audit record, with the status its client
/// got, its route and, for a record written, its id.
async fn assert_audited_once(app: &TestApp, sent: &[Sent]) {
    let mut audit = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/v1/audit-events?limit=500".to_string();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        audit.extend(page.body["items"].as_array().unwrap().iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    for s in sent {
        let recorded: Vec<&Value> = audit
            .iter()
            .filter(|e| e["idempotency_key"] == s.key.as_str())
            .collect();
        assert_eq!(
            recorded.len(),
            1,
            "audit records for key {}: {recorded:?}",
            s.key
        );
        let event = recorded[0];
        assert_eq!(event["status"], s.reply.status.as_u16(), "{event}");
        assert_eq!(
            event["route"],
            format!("/v1/groups/{{group_id}}/{}", s.kind),
            "{event}"
        );
        assert_eq!(event["group_id"], s.group.as_str(), "{event}");
        let created = if s.reply.status == StatusCode::CREATED {
            json!([s.reply.body["id"]])
        } else {
            json!([])
        };
        assert_eq!(event["created_ids"], created, "{event}");
    }
}

/// Sends one write to `/v1/groups/{group}/{kind}` with a fresh key, on a task of its own.
fn record(app: &TestApp, group: &str, kind: &str, body: Value) -> tokio::task::JoinHandle<Sent> {
    let key = uuid::Uuid::new_v4().to_string();
    let request = app
        .client
        .post(app.url(&format!("/v1/groups/{group}/{kind}")))
        .header("Idempotency-Key", &key)
        .json(&body);
    let group = group.to_string();
    let kind = kind.to_string();
    tokio::spawn(async move {
        let response = request.send().await.expect("request");
        Sent {
            group,
            kind,
            key,
            body,
            reply: support::app::Reply::from(response).await,
        }
    })
}

async fn member_events_arriving_together_are_each_judged_alone(backend: Backend) {
    use support::story::{member, save};
    let Some(app) = support::app::spawn(backend).await else {
        return;
    };
    let mut groups = Vec::new();
    for g in 0..2 {
        let group = app.create_group(&format!("Payday {g}")).await;
        let ana = member(&app, &group, "Ana", "female").await;
        let ben = member(&app, &group, "Ben", "male").await;
        // Ben went home: he takes no contributions.
        let home = app
            .client
            .patch(app.url(&format!("/v1/groups/{group}/members/{ben}")))
            .json(&json!({"status": "returned_home", "status_on": "2026-02-01"}));
        let home = app.send(home).await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        save(&app, &group, &ana, "50.00", "savings", "2026-02-01").await;
        groups.push((group, ana, ben));
    }
    let nobody = "0190d5a0-0000-7000-8000-000000000000";

    // Someone else holds the lock every write needs, so the writes below all arrive while
    // the first of them waits: they are judged together.
    let release =
        support::app::hold_write_lock(backend, &app.database_url, Duration::from_millis(1500))
            .await;
    let mut requests = Vec::new();
    for (group, ana, ben) in &groups {
        let event = |member: &str, amount: &str, fund: &str, channel: &str| json!({"member_id": member, "amount": amount, "fund": fund, "channel": channel});
        for i in 1..=6 {
            // Through a wallet: the group's bank account in HKD is opened by the first.
            let amount = format!("1.0{i}");
            requests.push(record(
                &app,
                group,
                "contributions",
                event(ana, &amount, "savings", "mobile_wallet"),
            ));
        }
        // Refused, each alone; the home bank account they name is never opened.
        requests.push(record(
            &app,
            group,
            "contributions",
            event(ben, "5.00", "savings", "remittance"),
        ));
        requests.push(record(
            &app,
            group,
            "contributions",
            event(nobody, "5.00", "savings", "remittance"),
        ));
        let withdrawal = |amount: &str, channel: &str| json!({"member_id": ana, "amount": amount, "from": "savings", "channel": channel});
        // Refused only once judged in full, after the account of its channel was planned.
        requests.push(record(
            &app,
            group,
            "withdrawals",
            withdrawal("1000.00", "remittance"),
        ));
        let mut in_pesos = event(ana, "5.00", "savings", "remittance");
        in_pesos["currency"] = json!("PHP");
        requests.push(record(&app, group, "contributions", in_pesos));
        // Accepted: a social fund in pesos (its account and the bank's in pesos opened) and a
        // withdrawal in cash.
        let mut social = event(ana, "3.00", "social_fund", "bank");
        social["currency"] = json!("PHP");
        requests.push(record(&app, group, "contributions", social));
        requests.push(record(
            &app,
            group,
            "withdrawals",
            withdrawal("20.00", "cash"),
        ));
    }
    let mut sent = Vec::new();
    for request in requests {
        sent.push(request.await.unwrap());
    }
    release.await.unwrap();

    for s in &sent {
        let (_, ana, ben) = groups.iter().find(|(g, _, _)| *g == s.group).unwrap();
        let member = s.body["member_id"].as_str().unwrap();
        let expected = if member == ben {
            Some("member-not-active")
        } else if member == nobody {
            Some("unknown-member")
        } else if s.body["amount"] == "1000.00" {
            Some("overdraft")
        } else if s.body["currency"] == "PHP" && s.body["fund"] == "savings" {
            Some("currency-mismatch")
        } else {
            None
        };
        match expected {
            Some(slug) => {
                support::app::assert_problem(&s.reply, StatusCode::UNPROCESSABLE_ENTITY, slug)
            }
            None => {
                assert_eq!(
                    s.reply.status,
                    StatusCode::CREATED,
                    "{} {}",
                    s.body,
                    s.reply.body
                );
                assert_eq!(s.reply.body["member_id"], ana.as_str());
                assert_eq!(s.reply.body["amount"], s.body["amount"]);
            }
        }
    }

    for (group, ana, _) in &groups {
        // 50.00 + 1.01 + ... + 1.06 - 20.00
        let record = app.get(&format!("/v1/groups/{group}/members/{ana}")).await;
        assert_eq!(
            record.body["accounts"]["savings"]["balance"], "36.21",
            "{}",
            record.body
        );
        assert_eq!(app.balance(group, "assets:cash:HKD").await, "30.00");
        assert_eq!(app.balance(group, "assets:bank:HKD").await, "6.21");
        assert_eq!(app.balance(group, "assets:bank:PHP").await, "3.00");
        let accounts = app.get(&format!("/v1/groups/{group}/accounts")).await;
        let codes: Vec<&str> = accounts.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["code"].as_str().unwrap())
            .collect();
        assert!(
            !codes.iter().any(|c| c.starts_with("assets:home-bank")),
            "a refused write opened an account: {codes:?}"
        );
        // One journal transaction per accepted write, the first contribution's included.
        let journal = app
            .get(&format!("/v1/groups/{group}/transactions?limit=100"))
            .await;
        assert_eq!(
            journal.body["items"].as_array().unwrap().len(),
            1 + 6 + 2,
            "{}",
            journal.body
        );
        let verified = app.get(&format!("/v1/groups/{group}/ledger/verify")).await;
        assert_eq!(verified.body["ok"], json!(true), "{}", verified.body);
        assert_events_follow_the_ledger(&app, group).await;
    }

    // Each has one audit record: for a write judged with others, committed with it, and
    // the audit layer adds no second one.
    assert_audited_once(&app, &sent).await;

    // A retry of any of them answers as the first time, and writes nothing more.
    for s in &sent {
        let again = app
            .post_with_key(
                &format!("/v1/groups/{}/{}", s.group, s.kind),
                &s.key,
                &s.body,
            )
            .await;
        assert_eq!(again.status, s.reply.status, "{}", again.body);
        assert_eq!(again.body, s.reply.body);
    }
    for (group, ana, _) in &groups {
        let record = app.get(&format!("/v1/groups/{group}/members/{ana}")).await;
        assert_eq!(record.body["accounts"]["savings"]["balance"], "36.21");
    }
}

async fn group_commit_can_be_turned_off(backend: Backend) {
    let Some(app) = support::app::spawn(backend).await else {
        return;
    };
    // A second store on the same database with batches of one.
    let store = msai_ledger::store::connect_with(
        &app.database_url,
        msai_ledger::store::StoreOptions {
            group_commit_max: Some(1),
            write_lanes: None,
        },
    )
    .await
    .unwrap();
    let group = app.create_group("Unbatched").await;
    let group_id = uuid::Uuid::parse_str(&group).unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .create_account(
                        group_id,
                        msai_ledger::domain::model::NewAccount {
                            code: format!("cash:{i}"),
                            name: format!("Cash {i}"),
                            kind: msai_ledger::domain::account::AccountType::Asset,
                            currency: msai_ledger::domain::money::Currency::parse("HKD").unwrap(),
                            no_overdraft: false,
                        },
                        None,
                    )
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let counts = store.write_commits();
    assert_eq!(counts.commits, 8);
    assert_eq!(counts.writes, 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_commit_together_sqlite() {
    concurrent_writes_commit_together_and_each_is_judged_alone(Backend::Sqlite, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_commit_together_postgres() {
    concurrent_writes_commit_together_and_each_is_judged_alone(Backend::Postgres, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn member_events_together_sqlite() {
    member_events_arriving_together_are_each_judged_alone(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn member_events_together_postgres() {
    member_events_arriving_together_are_each_judged_alone(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn group_commit_off_sqlite() {
    group_commit_can_be_turned_off(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn group_commit_off_postgres() {
    group_commit_can_be_turned_off(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_in_three_lanes_sqlite() {
    concurrent_writes_commit_together_and_each_is_judged_alone(Backend::Sqlite, Some(3)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_in_three_lanes_postgres() {
    concurrent_writes_commit_together_and_each_is_judged_alone(Backend::Postgres, Some(3)).await;
}

/// Groups of different lanes are written independently: while someone holds one group's row
/// (a long write of another process), a posting to a group of another lane is answered at
/// once, and the held group's posting is answered once the row is free. PostgreSQL only:
/// SQLite has one writer, and a write held there holds every write.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_held_group_does_not_hold_another_lanes_groups_postgres() {
    let Some(app) = support::app::spawn_in_lanes(Backend::Postgres, 2).await else {
        return;
    };
    let mut by_lane: [Option<String>; 2] = [None, None];
    for n in 0..64 {
        if by_lane.iter().all(Option::is_some) {
            break;
        }
        let group = app.create_group(&format!("Lane {n}")).await;
        let lane = msai_ledger::store::write_lane(uuid::Uuid::parse_str(&group).unwrap(), 2);
        if by_lane[lane].is_none() {
            app.create_account(&group, "assets:cash", "asset", "HKD", false)
                .await;
            app.create_account(&group, "members:savings", "liability", "HKD", true)
                .await;
            by_lane[lane] = Some(group);
        }
    }
    let [Some(first), Some(second)] = by_lane else {
        panic!("64 groups and none in one of the two lanes");
    };

    // Each lane's group held in turn, while the other lane's is written.
    let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
    for (held, free) in [(&first, &second), (&second, &first)] {
        let mut lock = pool.begin().await.unwrap();
        sqlx::query("SELECT id FROM groups WHERE id = $1::uuid FOR UPDATE")
            .bind(held)
            .execute(&mut *lock)
            .await
            .unwrap();
        let waiting = post(
            &app,
            held,
            transfer("assets:cash", "members:savings", "7.00"),
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        let other = tokio::time::timeout(
            Duration::from_secs(10),
            post(
                &app,
                free,
                transfer("assets:cash", "members:savings", "5.00"),
            ),
        )
        .await
        .expect("the other lane's posting is answered while the held group waits")
        .unwrap();
        assert_eq!(
            other.reply.status,
            StatusCode::CREATED,
            "{}",
            other.reply.body
        );
        assert!(
            !waiting.is_finished(),
            "the held group's posting waits for its row"
        );
        lock.rollback().await.unwrap();
        let waited = waiting.await.unwrap();
        assert_eq!(
            waited.reply.status,
            StatusCode::CREATED,
            "{}",
            waited.reply.body
        );
    }

    for group in [&first, &second] {
        assert_eq!(app.balance(group, "members:savings").await, "12.00");
        let verified = app.get(&format!("/v1/groups/{group}/ledger/verify")).await;
        assert_eq!(verified.body["ok"], json!(true), "{}", verified.body);
    }
}

/// The threads of this process by name, each with the processors it may run on
/// (`Cpus_allowed_list`, e.g. `1` or `0-1`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn threads_and_processors() -> Vec<(String, String)> {
    let mut threads = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let dir = task.unwrap().path();
        let (Ok(name), Ok(status)) = (
            std::fs::read_to_string(dir.join("comm")),
            std::fs::read_to_string(dir.join("status")),
        ) else {
            continue; // the thread ended meanwhile
        };
        let allowed = status
            .lines()
            .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
            .unwrap()
            .trim()
            .to_string();
        threads.push((name.trim().to_string(), allowed));
    }
    threads
}

/// On SQLite each statement of a gathering is a hand-off between the writing thread and the
/// writer connection's thread; kept on one processor, the two hand off without waking the
/// other processor (docs/DECISIONS.md). The writing thread keeps to one processor, the writer
/// connection's thread runs there too, and the read connections' threads run anywhere.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sqlite_writer_and_its_connection_keep_to_one_processor() {
    let app = support::app::spawn(Backend::Sqlite).await.unwrap();
    let group = app.create_group("One processor").await;
    // Reads of an account by id are gathered and made from the writing thread.
    let account = app
        .create_account(&group, "assets:cash", "asset", "HKD", false)
        .await;
    let mut reads = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let read = app
            .client
            .get(app.url(&format!("/v1/groups/{group}/accounts/{account}")));
        reads.spawn(async move { read.send().await.unwrap().status() });
    }
    for status in reads.join_all().await {
        assert_eq!(status, StatusCode::OK);
    }
    let threads = threads_and_processors();
    let (_, writer) = threads
        .iter()
        .find(|(name, _)| name == "msai-writer")
        .expect("the writing thread");
    // The process's first thread may run on every processor the process may.
    let main =
        std::fs::read_to_string(format!("/proc/self/task/{}/status", std::process::id())).unwrap();
    let everywhere = main
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .unwrap()
        .trim();
    let connections = |named: &str| -> Vec<&String> {
        threads
            .iter()
            .filter(|(name, _)| name.as_str() == named)
            .map(|(_, on)| on)
            .collect()
    };
    let writers = connections(msai_ledger::store::SQLITE_WRITER_THREAD);
    let readers = connections("sqlx-sqlite-wor");
    assert!(
        !writers.is_empty(),
        "no writer connection's thread: {threads:?}"
    );
    assert!(
        !readers.is_empty(),
        "no read connection's thread: {threads:?}"
    );
    assert!(
        readers.iter().all(|on| on.as_str() == everywhere),
        "a read connection keeps to fewer processors than {everywhere}: {threads:?}"
    );
    if everywhere.contains(['-', ',']) {
        assert!(
            writer.parse::<usize>().is_ok(),
            "the writing thread may run on {writer}"
        );
        assert!(
            writers.iter().all(|on| *on == writer),
            "a writer connection's thread is not on processor {writer}: {threads:?}"
        );
    } else {
        assert_eq!(writer, everywhere, "one processor: nothing to choose");
    }
}
