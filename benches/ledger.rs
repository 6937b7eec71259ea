//! Benchmarks of the ledger's hot paths: durable posting, balance reads, and one posting
//! end to end through the HTTP API.
//!
//! Every benchmark runs against a fresh SQLite database in a temporary directory, opened the
//! way the service opens it (WAL, `synchronous=FULL`), so each posting waits for its commit to
//! reach the disk. When `MSAI_BENCH_POSTGRES_URL` names a reachable PostgreSQL database, the
//! posting and reading benchmarks run on it as well, in groups of their own that are left in
//! that database afterwards; use a throwaway database. See BENCHMARKS.md for how to run them
//! and what was measured.
//!
//! Fixtures are built lazily, inside the benchmark that needs them, so a filtered run
//! (`cargo bench --bench ledger -- post_transaction`) does not pay for the others' setup.

use std::future::Future;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main, measurement::WallTime,
};
use msai_ledger::app::{AppConfig, serve};
use msai_ledger::domain::canonical::to_canonical_string;
use msai_ledger::domain::error::LedgerError;
use msai_ledger::domain::model::{AccountRef, NewTransaction, Transaction};
use msai_ledger::http::dto::{CreateAccount, CreateGroup, CreateTransaction};
use msai_ledger::http::extract::request_hash;
use msai_ledger::store::{Idempotency, Store, StoredResponse, Written};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;
use uuid::Uuid;

/// Names a PostgreSQL database to run the posting and reading benchmarks on as well.
const POSTGRES_URL_ENV: &str = "MSAI_BENCH_POSTGRES_URL";

/// Transactions already in the journal when balances are read.
const JOURNAL_LEN: u64 = 10_000;

/// The group's cash box, debited by every contribution.
const CASH: &str = "assets:cash";

/// Members of the benchmark group; a collection posts one entry per member plus the cash
/// entry, so nine members make the 10-entry transaction.
const MEMBERS: usize = 9;

/// Each member's contribution, in the group currency (HKD).
const CONTRIBUTION: &str = "100.00";
const CONTRIBUTION_MINOR: i64 = 10_000;

/// Makes every idempotency key of a run unique, across groups and benchmarks.
static NEXT_KEY: AtomicU64 = AtomicU64::new(0);

fn next_key() -> String {
    format!("bench-{:012}", NEXT_KEY.fetch_add(1, Ordering::Relaxed))
}

/// Where a benchmark's database lives.
#[derive(Clone)]
enum Target {
    Sqlite,
    Postgres(String),
}

impl Target {
    fn name(&self) -> &'static str {
        match self {
            Target::Sqlite => "sqlite",
            Target::Postgres(_) => "postgres",
        }
    }

    /// A store over a fresh SQLite file, or over the PostgreSQL database named.
    async fn open(&self) -> Database {
        match self {
            Target::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
                let store = msai_ledger::store::connect(&url)
                    .await
                    .expect("open and migrate the SQLite database");
                Database {
                    store,
                    _dir: Some(dir),
                }
            }
            Target::Postgres(url) => Database {
                store: msai_ledger::store::connect(url)
                    .await
                    .expect("open and migrate the PostgreSQL database"),
                _dir: None,
            },
        }
    }
}

/// An open store, with the temporary directory that holds it when it is SQLite.
struct Database {
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

impl Database {
    async fn close(self) {
        self.store.close().await;
    }
}

/// A savings group with a cash account and one savings account per member.
struct Ledger {
    group_id: Uuid,
}

impl Ledger {
    async fn create(store: &dyn Store, members: usize) -> Ledger {
        let group = parse::<CreateGroup>(json!({
            "name": format!("Benchmark group {}", Uuid::now_v7()),
            "currency": "HKD",
            "host_country": "HK",
            "home_country": "PH",
        }))
        .parse()
        .expect("valid group");
        let Written::Created(group) = store.create_group(group, None).await.expect("create group")
        else {
            panic!("a new group was replayed");
        };
        let mut accounts = vec![json!({
            "code": CASH, "name": "Cash box", "type": "asset", "currency": "HKD",
        })];
        accounts.extend((1..=members).map(|m| {
            json!({
                "code": member(m), "name": "Member savings", "type": "liability",
                "currency": "HKD",
            })
        }));
        for account in accounts {
            let account = parse::<CreateAccount>(account)
                .parse()
                .expect("valid account");
            store
                .create_account(group.id, account, None)
                .await
                .expect("create account");
        }
        Ledger { group_id: group.id }
    }

    /// A posting as the API receives it, with the hash that goes with its idempotency key.
    fn request(&self, body: &Value) -> Request {
        let transaction = parse::<CreateTransaction>(body.clone())
            .parse(chrono::Utc::now().date_naive())
            .expect("valid transaction");
        let hash = request_hash(
            &format!("POST /v1/groups/{}/transactions", self.group_id),
            &to_canonical_string(body),
        );
        Request { transaction, hash }
    }
}

/// A parsed posting and its request hash.
struct Request {
    transaction: NewTransaction,
    hash: String,
}

/// One member pays in: cash debited, the member's savings credited.
fn transfer(member_no: usize) -> Value {
    json!({
        "description": "Monthly contribution",
        "entries": [
            { "account": CASH, "direction": "debit", "amount": CONTRIBUTION },
            { "account": member(member_no), "direction": "credit", "amount": CONTRIBUTION },
        ],
    })
}

/// Every member pays in at the meeting: one cash debit for the total, one credit each.
fn collection(members: usize) -> Value {
    let total = CONTRIBUTION_MINOR * i64::try_from(members).expect("member count");
    let total = format!("{}.{:02}", total / 100, total % 100);
    let mut entries = vec![json!({ "account": CASH, "direction": "debit", "amount": total })];
    entries.extend(
        (1..=members).map(
            |m| json!({ "account": member(m), "direction": "credit", "amount": CONTRIBUTION }),
        ),
    );
    json!({ "description": "Meeting collection", "entries": entries })
}

/// Reads a request body into the API's request type, which then validates it as the API does.
fn parse<T: DeserializeOwned>(body: Value) -> T {
    serde_json::from_value(body).expect("request body matches its type")
}

fn member(n: usize) -> String {
    format!("liabilities:savings:m{n:03}")
}

/// What is stored with each idempotency key: a small response, rendered in the transaction.
fn render(outcome: Result<&Transaction, &LedgerError>) -> StoredResponse {
    match outcome {
        Ok(t) => StoredResponse {
            status: 201,
            body: json!({ "id": t.id, "sequence": t.sequence }).to_string(),
        },
        Err(e) => StoredResponse {
            status: 422,
            body: json!({ "detail": e.to_string() }).to_string(),
        },
    }
}

/// Posts one transaction through the store with a fresh idempotency key, as the API does,
/// and insists that it was written.
async fn post(store: &dyn Store, group_id: Uuid, request: &Request) {
    let key = next_key();
    let idempotency = Idempotency {
        key: &key,
        request_hash: &request.hash,
        render: std::sync::Arc::new(render),
    };
    match store
        .post_transaction(group_id, request.transaction.clone(), Some(idempotency))
        .await
        .outcome
    {
        Ok(Written::Created(t)) => {
            black_box(t);
        }
        other => panic!("posting was not written: {other:?}"),
    }
}

/// Settings for groups whose iterations take about a millisecond or more.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, warm_up: u64, measure: u64, samples: usize) {
    group
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(warm_up))
        .measurement_time(Duration::from_secs(measure))
        .sample_size(samples)
        .throughput(Throughput::Elements(1));
}

/// Builds a fixture the first time a benchmark asks for it.
fn lazily<'a, T, F: Future<Output = T>>(
    slot: &'a mut Option<T>,
    runtime: &Runtime,
    make: impl FnOnce() -> F,
) -> &'a T {
    if slot.is_none() {
        *slot = Some(runtime.block_on(make()));
    }
    slot.as_ref().expect("fixture just built")
}

struct PostFixture {
    db: Database,
    ledger: Ledger,
    request: Request,
}

/// Durable posting, one transaction per iteration, each with its own idempotency key.
fn bench_post(c: &mut Criterion, runtime: &Runtime, target: &Target) {
    let mut group = c.benchmark_group("post_transaction");
    configure(&mut group, 2, 8, 30);
    for entries in [2usize, 10] {
        let mut fixture: Option<PostFixture> = None;
        let id = BenchmarkId::new(target.name(), format!("{entries}_entries"));
        group.bench_function(id, |b| {
            let fx = lazily(&mut fixture, runtime, || async {
                let db = target.open().await;
                let ledger = Ledger::create(&*db.store, MEMBERS).await;
                let body = if entries == 2 {
                    transfer(1)
                } else {
                    collection(entries - 1)
                };
                let request = ledger.request(&body);
                PostFixture {
                    db,
                    ledger,
                    request,
                }
            });
            let store = &*fx.db.store;
            b.to_async(runtime)
                .iter(|| post(store, fx.ledger.group_id, &fx.request));
        });
        if let Some(fx) = fixture {
            runtime.block_on(fx.db.close());
        }
    }
    group.finish();
}

struct ReadFixture {
    db: Database,
    ledger: Ledger,
}

/// A group whose journal holds `JOURNAL_LEN` transfers into member 1's account and a single
/// one into member 2's, so the two accounts differ only in how many entries they have.
async fn read_fixture(target: &Target) -> ReadFixture {
    let db = target.open().await;
    let store = &*db.store;
    let ledger = Ledger::create(store, 2).await;
    let busy = ledger.request(&transfer(1));
    let started = Instant::now();
    for _ in 0..JOURNAL_LEN {
        post(store, ledger.group_id, &busy).await;
    }
    post(store, ledger.group_id, &ledger.request(&transfer(2))).await;
    eprintln!(
        "read_balance/{}: journal of {} transactions loaded in {:.1} s",
        target.name(),
        JOURNAL_LEN + 1,
        started.elapsed().as_secs_f64()
    );
    let busy = store
        .get_account(ledger.group_id, &AccountRef::Code(member(1)))
        .await
        .expect("read the busy account");
    let expected = CONTRIBUTION_MINOR * i64::try_from(JOURNAL_LEN).expect("journal length");
    assert_eq!(
        busy.credits_minor, expected,
        "stored totals of the busy account"
    );
    ReadFixture { db, ledger }
}

/// Reading an account's balance, which comes from its stored totals and not from its entries.
fn bench_read(c: &mut Criterion, runtime: &Runtime, target: &Target) {
    let mut group = c.benchmark_group("read_balance");
    configure(&mut group, 1, 4, 50);
    let mut fixture: Option<ReadFixture> = None;
    let cases = [
        (format!("{JOURNAL_LEN}_entries"), member(1)),
        ("1_entry".to_string(), member(2)),
    ];
    for (label, code) in cases {
        let account = AccountRef::Code(code);
        group.bench_function(BenchmarkId::new(target.name(), label), |b| {
            let fx = lazily(&mut fixture, runtime, || read_fixture(target));
            let store = &*fx.db.store;
            let group_id = fx.ledger.group_id;
            let account = &account;
            b.to_async(runtime).iter(|| async move {
                black_box(
                    store
                        .get_account(group_id, account)
                        .await
                        .expect("read balance"),
                )
            });
        });
    }
    if let Some(fx) = fixture {
        runtime.block_on(fx.db.close());
    }
    group.finish();
}

/// Password of the administrator the benchmark service starts with; it signs in as them.
const ADMIN_PASSWORD: &str = "benchmark-administrator-password";

struct HttpFixture {
    db: Database,
    client: reqwest::Client,
    url: String,
    authorization: String,
    body: String,
    shutdown: oneshot::Sender<()>,
    server: tokio::task::JoinHandle<()>,
}

async fn http_fixture(target: &Target) -> HttpFixture {
    let db = target.open().await;
    let ledger = Ledger::create(&*db.store, 1).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local port");
    let base = format!("http://{}", listener.local_addr().expect("local address"));
    let mut config = AppConfig::default();
    config.auth.bootstrap_admin_password = Some(ADMIN_PASSWORD.into());
    let (shutdown, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn({
        let store = db.store.clone();
        async move {
            let stopped = async {
                let _ = stopped.await;
            };
            if let Err(e) = serve(listener, store, config, stopped).await {
                panic!("the service failed: {e}");
            }
        }
    });
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client");
    let signed_in: Value = client
        .post(format!("{base}/v1/auth/token"))
        .json(&json!({ "username": "admin", "password": ADMIN_PASSWORD }))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("sign in as the administrator")
        .json()
        .await
        .expect("token response");
    let token = signed_in["access_token"].as_str().expect("access token");
    HttpFixture {
        db,
        client,
        url: format!("{base}/v1/groups/{}/transactions", ledger.group_id),
        authorization: format!("Bearer {token}"),
        body: transfer(1).to_string(),
        shutdown,
        server,
    }
}

/// One 2-entry posting as a client sends it: JSON with a bearer token over a kept-alive local
/// connection, through the service's whole middleware stack (the caller is looked up, and the
/// request is recorded in the audit log), answered with the full transaction.
fn bench_http(c: &mut Criterion, runtime: &Runtime, target: &Target) {
    let mut group = c.benchmark_group("http_post_transaction");
    configure(&mut group, 2, 8, 30);
    let mut fixture: Option<HttpFixture> = None;
    group.bench_function(target.name(), |b| {
        let fx = lazily(&mut fixture, runtime, || http_fixture(target));
        b.to_async(runtime).iter(|| async {
            let response = fx
                .client
                .post(&fx.url)
                .header("authorization", &fx.authorization)
                .header("content-type", "application/json")
                .header("idempotency-key", next_key())
                .body(fx.body.clone())
                .send()
                .await
                .expect("send the request");
            let status = response.status();
            let text = response.text().await.expect("read the response");
            assert_eq!(status, reqwest::StatusCode::CREATED, "{text}");
            black_box(text)
        });
    });
    if let Some(fx) = fixture {
        // The client's idle connection goes first, so the graceful shutdown has nothing to
        // wait for; the server closes the store's pool as it stops.
        drop(fx.client);
        let _ = fx.shutdown.send(());
        runtime.block_on(fx.server).expect("the service stopped");
        drop(fx.db);
    }
    group.finish();
}

/// The PostgreSQL target, if `MSAI_BENCH_POSTGRES_URL` names a database that answers.
fn postgres_target(runtime: &Runtime) -> Option<Target> {
    let Some(url) = std::env::var(POSTGRES_URL_ENV)
        .ok()
        .filter(|url| !url.trim().is_empty())
    else {
        eprintln!("note: {POSTGRES_URL_ENV} is not set; PostgreSQL benchmarks skipped");
        return None;
    };
    let probe = runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(10), msai_ledger::store::connect(&url)).await
    });
    match probe {
        Ok(Ok(store)) => {
            runtime.block_on(store.close());
            Some(Target::Postgres(url))
        }
        Ok(Err(e)) => {
            eprintln!("note: PostgreSQL at {POSTGRES_URL_ENV} is not usable ({e}); skipped");
            None
        }
        Err(_) => {
            eprintln!("note: PostgreSQL at {POSTGRES_URL_ENV} did not answer in 10 s; skipped");
            None
        }
    }
}

fn ledger(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut targets = vec![Target::Sqlite];
    targets.extend(postgres_target(&runtime));
    for target in &targets {
        bench_post(c, &runtime, target);
        bench_read(c, &runtime, target);
    }
    bench_http(c, &runtime, &Target::Sqlite);
}

criterion_group!(benches, ledger);
criterion_main!(benches);
