//! Load generator: starts the real service binary over a fresh SQLite file or PostgreSQL
//! database, creates groups, accounts and users through the API, then drives HTTP load with
//! concurrent clients for a fixed time, and measures beside it a minimal direct-SQL client
//! writing the same transfers to the same database. See the "Load" section of BENCHMARKS.md.
//!
//! ```sh
//! cargo bench --bench load -- --backend sqlite --scenario all
//! cargo bench --bench load -- --backend postgres --scenario all --out target/load-pg.json
//! ```
//!
//! Every response is checked; after the run the ledger's invariants are checked in the
//! database (stored totals = sums of entries, every transaction sums to zero per currency,
//! every acknowledged transfer is stored once, every group's chain verifies). Any error or
//! broken invariant makes the run exit with status 1, after the report is printed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool, SqlitePool};

const SERVICE_BINARY: &str = env!("CARGO_BIN_EXE_msai-ledger");
const ADMIN_PASSWORD: &str = "load-generator-admin-password";
const USER_PASSWORD: &str = "load-generator-treasurer-password";
/// How long the service may take to answer `/readyz` after it is spawned.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How often the service's resident memory is read during the scenarios.
const MEMORY_SAMPLE_EVERY: Duration = Duration::from_millis(100);
/// Largest transfer, in minor units (100.00 HKD); the smallest is 0.01.
const MAX_AMOUNT_MINOR: u64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ScenarioArg {
    Transfers,
    Hot,
    Reads,
    Mix,
    Baseline,
    Payday,
    PeerPgledger,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// Two-entry transfers between members' accounts, each in a group picked at random.
    Transfers,
    /// Every transfer in one group, each debiting that group's cash account.
    Hot,
    /// `GET` of an account (its balance), picked at random over every group.
    Reads,
    /// One transfer for every three reads, at random, over every group.
    Mix,
    /// The transfers of `Transfers`, written by a direct-SQL client: no HTTP, no service.
    Baseline,
    /// Members' savings contributions paid in cash, each for a member picked at random over
    /// every group: what a payday brings.
    Payday,
    /// A peer: transfers between 50 accounts made by pgledger's `pgledger_create_transfer`, a
    /// ledger written as PostgreSQL functions, in a database of its own in the same cluster.
    PeerPgledger,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Transfers => "transfers",
            Scenario::Hot => "hot",
            Scenario::Reads => "reads",
            Scenario::Mix => "mix",
            Scenario::Baseline => "baseline",
            Scenario::Payday => "payday",
            Scenario::PeerPgledger => "peer-pgledger",
        }
    }
}

/// Options after `cargo bench --bench load --`.
#[derive(Debug, Parser)]
#[command(name = "load", about = "Load generator for msai-ledger")]
struct Options {
    /// Database behind the service.
    #[arg(long, value_enum, default_value_t = Backend::Sqlite)]
    backend: Backend,
    /// PostgreSQL URL of a role that may create databases (one per run and per cold-start
    /// try). Without it, a throwaway cluster with default settings is started from
    /// --pg-bindir.
    #[arg(long)]
    postgres_url: Option<String>,
    /// Directory holding initdb, pg_ctl and postgres, for the throwaway cluster.
    #[arg(long, default_value = "/usr/lib/postgresql/15/bin")]
    pg_bindir: PathBuf,
    /// Concurrent clients of the transfer, hot, mix and baseline scenarios.
    #[arg(long, default_value_t = 20)]
    clients: usize,
    /// Concurrent clients of the reads scenario.
    #[arg(long, default_value_t = 50)]
    read_clients: usize,
    /// Seconds each scenario is measured, after its warm-up.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Seconds each scenario runs before measuring starts (requests still checked).
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Groups created, each with its own treasurer.
    #[arg(long, default_value_t = 5)]
    groups: usize,
    /// Members' savings accounts per group (transfers move money between them).
    #[arg(long, default_value_t = 10)]
    accounts: usize,
    /// Scenario to run; `all` runs transfers, baseline, hot, reads and mix in that order.
    #[arg(long, value_enum, default_value_t = ScenarioArg::All)]
    scenario: ScenarioArg,
    /// Environment variable for the service, KEY=VALUE (repeatable), e.g. MSAI_LOG=warn.
    #[arg(long = "service-env", value_parser = parse_key_value)]
    service_env: Vec<(String, String)>,
    /// Database connections of the direct-SQL baseline, each driven by one client (default:
    /// one on SQLite, whose natural writer is one connection; one per client on PostgreSQL).
    #[arg(long)]
    baseline_connections: Option<u32>,
    /// A checkout of pgledger (https://github.com/pgr0ss/pgledger): its `pgledger.sql` and
    /// `vendor/scoville-pgsql-ulid/` are loaded into a database of the bench's cluster, and
    /// the `peer-pgledger` scenario drives `pgledger_create_transfer` with --clients clients.
    /// PostgreSQL only; `all` includes the peer when this is given.
    #[arg(long)]
    peer_pgledger: Option<PathBuf>,
    /// Throughput and p99 are also reported for each slice of this many measured seconds
    /// (0: none), so a long run shows whether the rate holds as the database fills.
    #[arg(long, default_value_t = 10)]
    slice: u64,
    /// Cold starts measured (spawn to ready on a fresh database); 0 to skip.
    #[arg(long, default_value_t = 5)]
    cold_starts: usize,
    /// Where to write a JSON summary of the run.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Passed by `cargo bench`; without it (as under `cargo test --benches`) nothing runs.
    #[arg(long, hide = true)]
    bench: bool,
}

fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {text:?}")),
    }
}

fn main() {
    let options = Options::parse();
    if !options.bench {
        eprintln!("load: run with `cargo bench --bench load -- <options>`; nothing to do here");
        return;
    }
    assert!(
        options.clients > 0 && options.read_clients > 0,
        "clients must be at least 1"
    );
    assert!(options.groups > 0, "--groups must be at least 1");
    assert!(options.accounts >= 2, "--accounts must be at least 2");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let failed = runtime.block_on(run(options));
    if failed {
        eprintln!("load: the run FAILED (errors or broken invariants above)");
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

async fn run(options: Options) -> bool {
    let scenarios: Vec<Scenario> = match options.scenario {
        ScenarioArg::Transfers => vec![Scenario::Transfers],
        ScenarioArg::Hot => vec![Scenario::Hot],
        ScenarioArg::Reads => vec![Scenario::Reads],
        ScenarioArg::Mix => vec![Scenario::Mix],
        ScenarioArg::Baseline => vec![Scenario::Baseline],
        ScenarioArg::Payday => vec![Scenario::Payday],
        ScenarioArg::PeerPgledger => vec![Scenario::PeerPgledger],
        ScenarioArg::All => {
            let mut all = vec![Scenario::Transfers, Scenario::Baseline];
            if options.peer_pgledger.is_some() {
                all.push(Scenario::PeerPgledger);
            }
            all.extend([
                Scenario::Hot,
                Scenario::Reads,
                Scenario::Mix,
                Scenario::Payday,
            ]);
            all
        }
    };
    if scenarios.contains(&Scenario::PeerPgledger) {
        assert!(
            options.backend == Backend::Postgres && options.peer_pgledger.is_some(),
            "the peer-pgledger scenario needs --backend postgres and --peer-pgledger DIR"
        );
    }
    let scratch = tempfile::Builder::new()
        .prefix("msai-load-")
        .tempdir()
        .expect("temporary directory");

    let cluster = match (options.backend, &options.postgres_url) {
        (Backend::Postgres, None) => Some(Cluster::start(&options.pg_bindir)),
        _ => None,
    };
    let databases = Databases {
        backend: options.backend,
        scratch: scratch.path().to_path_buf(),
        admin_url: cluster
            .as_ref()
            .map(|c| c.admin_url.clone())
            .or_else(|| options.postgres_url.clone()),
        counter: AtomicU64::new(0),
    };

    let machine = machine_description();
    println!("load: {}", machine);
    println!(
        "load: backend {:?}, {} groups x {} accounts, {} clients ({} for reads), {} s per \
         scenario after {} s warm-up, service env {:?}",
        options.backend,
        options.groups,
        options.accounts,
        options.clients,
        options.read_clients,
        options.seconds,
        options.warmup,
        options.service_env
    );

    let disk_syncs = fdatasync_rate(scratch.path());
    println!("load: disk: {disk_syncs:.0} fdatasync a second in the run's directory");

    // Cold start first, while the machine is quiet.
    let cold = measure_cold_starts(&options, &databases).await;

    let database_url = databases.fresh().await;
    let mut service = Service::spawn(
        &database_url,
        &options.service_env,
        &scratch.path().join("service"),
    );
    service.wait_ready().await;
    let ready_rss = read_status_kib(service.pid(), "VmRSS:").unwrap_or(0);
    let db = Db::open(options.backend, &database_url, options.clients as u32 + 4).await;
    let settings = db.durability_settings().await;
    println!("load: database durability: {settings}");

    let fixture = Arc::new(
        create_fixture(
            &service.base,
            &options,
            scenarios.contains(&Scenario::Payday),
        )
        .await,
    );
    println!(
        "load: created {} groups with {} accounts each and a treasurer for each",
        fixture.groups.len(),
        fixture.groups[0].members.len() + 1
    );

    let idle_rss = read_status_kib(service.pid(), "VmRSS:").unwrap_or(0);
    println!(
        "load: service VmRSS when ready {:.1} MiB; after creating the groups, accounts and \
         users (each user's password hashed, each sign-in verified), before any load: {:.1} MiB",
        ready_rss as f64 / 1024.0,
        idle_rss as f64 / 1024.0
    );
    let memory = MemorySampler::start(service.pid());
    let acknowledged = Arc::new(AtomicU64::new(0));
    let mut results = Vec::new();
    let mut baseline_acknowledged = 0;
    let mut peer_problems = Vec::new();
    for scenario in scenarios {
        // Nothing here refreshes the planner's statistics: a new database's first minutes are
        // measured as the service meets them.
        let mut result = if scenario == Scenario::Baseline {
            let connections = options
                .baseline_connections
                .unwrap_or(match options.backend {
                    Backend::Sqlite => 1,
                    Backend::Postgres => options.clients as u32,
                });
            let baseline =
                Baseline::create(options.backend, &database_url, connections, &options).await;
            let cpu = CpuMeter::spawn(service.pid(), &options);
            let mut result = baseline.drive(connections as usize, &options).await;
            result.cpu = cpu.await.ok();
            baseline_acknowledged = result.created;
            baseline.close().await;
            result
        } else if scenario == Scenario::PeerPgledger {
            let dir = options.peer_pgledger.as_deref().expect("--peer-pgledger");
            let peer = Peer::create(dir, &databases.fresh().await, options.clients as u32).await;
            let cpu = CpuMeter::spawn(service.pid(), &options);
            let mut result = peer.drive(&options).await;
            result.cpu = cpu.await.ok();
            peer_problems = peer.check(result.created).await;
            peer.close().await;
            result
        } else {
            let cpu = CpuMeter::spawn(service.pid(), &options);
            let mut result = drive_http(scenario, &fixture, &options, acknowledged.clone()).await;
            result.cpu = cpu.await.ok();
            result
        };
        // The service's peak so far, with a last reading as the scenario ends.
        result.peak_rss_kib = memory
            .peak()
            .max(read_status_kib(service.pid(), "VmRSS:").unwrap_or(0));
        print_result(&result);
        results.push(result);
    }
    memory.stop();
    let hwm = read_status_kib(service.pid(), "VmHWM:");
    let peak_rss = memory.peak();

    println!("load: checking the ledger's invariants in the database");
    let mut problems = db
        .check_ledger(
            acknowledged.load(Ordering::SeqCst),
            fixture.groups.len() as i64,
        )
        .await;
    problems.extend(verify_chains(&service.base, &fixture).await);
    if results.iter().any(|r| r.scenario == Scenario::Baseline) {
        problems.extend(db.check_baseline(baseline_acknowledged).await);
    }
    problems.extend(peer_problems);
    if problems.is_empty() {
        println!(
            "load: invariants hold: stored totals = sums of entries, every transaction sums to \
             zero per currency, {} acknowledged transfers stored once each, {} chains verify",
            acknowledged.load(Ordering::SeqCst),
            fixture.groups.len()
        );
    } else {
        for problem in &problems {
            eprintln!("load: INVARIANT BROKEN: {problem}");
        }
    }
    db.close().await;
    drop(service);
    drop(cluster);

    let throughput = |s: Scenario| {
        results
            .iter()
            .find(|r| r.scenario == s)
            .map(|r| r.throughput())
    };
    let over = |a: Scenario, b: Scenario| match (throughput(a), throughput(b)) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    };
    let ratio = over(Scenario::Transfers, Scenario::Baseline);
    let over_peer = over(Scenario::Transfers, Scenario::PeerPgledger);
    let payday_over_transfers = over(Scenario::Payday, Scenario::Transfers);
    println!("\n== summary ({:?}) ==", options.backend);
    println!("disk: {disk_syncs:.0} fdatasync a second (8 kB writes, one file, 2 s)");
    if let Some(ratio) = ratio {
        println!("service transfers / direct-SQL baseline: {ratio:.2}");
    }
    if let Some(ratio) = over_peer {
        println!("service transfers / pgledger transfers: {ratio:.2}");
    }
    if let Some(ratio) = payday_over_transfers {
        println!("payday contributions / transfers: {ratio:.2}");
    }
    println!(
        "service memory: peak VmRSS sampled {:.1} MiB, VmHWM {:.1} MiB",
        peak_rss as f64 / 1024.0,
        hwm.unwrap_or(0) as f64 / 1024.0
    );
    if let Some(cold) = &cold {
        println!(
            "cold start (spawn to ready, migrations included): median {:.0} ms (min {:.0}, max {:.0}, {} tries)",
            cold.median_ms,
            cold.min_ms,
            cold.max_ms,
            cold.tries.len()
        );
    }
    let errors: u64 = results.iter().map(|r| r.error_count()).sum();

    if let Some(path) = &options.out {
        let summary = json!({
            "backend": format!("{:?}", options.backend).to_lowercase(),
            "machine": machine,
            "database_durability": settings,
            "clients": options.clients,
            "read_clients": options.read_clients,
            "groups": options.groups,
            "accounts_per_group": options.accounts,
            "seconds": options.seconds,
            "warmup_seconds": options.warmup,
            "service_env": options.service_env.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(),
            "scenarios": results.iter().map(ScenarioResult::to_json).collect::<Vec<_>>(),
            "service_over_baseline": ratio,
            "service_over_pgledger": over_peer,
            "payday_over_transfers": payday_over_transfers,
            "disk_fdatasync_per_s": disk_syncs,
            "peer_pgledger_commit": options.peer_pgledger.as_deref().and_then(git_head),
            "memory_kib": {"ready_vmrss": ready_rss, "after_setup_vmrss": idle_rss, "peak_vmrss_sampled": peak_rss, "vmhwm": hwm},
            "cold_start_ms": cold.as_ref().map(|c| json!({
                "median": c.median_ms, "min": c.min_ms, "max": c.max_ms, "tries": c.tries,
            })),
            "invariants_hold": problems.is_empty(),
            "invariant_problems": problems,
            "errors": errors,
        });
        let mut file = std::fs::File::create(path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        writeln!(
            file,
            "{}",
            serde_json::to_string_pretty(&summary).expect("json")
        )
        .expect("write summary");
        println!("load: summary written to {}", path.display());
    }
    errors > 0 || !problems.is_empty()
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

struct ScenarioResult {
    scenario: Scenario,
    clients: usize,
    elapsed: Duration,
    /// Latency of every measured request that succeeded, in microseconds.
    latencies_us: Vec<u64>,
    /// Measured requests that failed, by what went wrong.
    errors: BTreeMap<String, u64>,
    /// Transfers acknowledged, warm-up included.
    created: u64,
    peak_rss_kib: u64,
    /// The processor time spent while the scenario was measured.
    cpu: Option<CpuUse>,
    /// Each slice of the measured seconds (`--slice`), in order.
    slices: Vec<Slice>,
}

/// The requests that started within one slice of the measured seconds.
struct Slice {
    seconds: f64,
    ok: u64,
    p99_ms: f64,
}

impl Slice {
    fn throughput(&self) -> f64 {
        self.ok as f64 / self.seconds
    }
}

impl ScenarioResult {
    fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    fn requests(&self) -> u64 {
        self.latencies_us.len() as u64 + self.error_count()
    }

    fn throughput(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// Nearest-rank percentile of the successful requests' latencies, in milliseconds.
    fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * self.latencies_us.len() as f64).ceil() as usize;
        let index = rank.clamp(1, self.latencies_us.len()) - 1;
        self.latencies_us[index] as f64 / 1000.0
    }

    fn to_json(&self) -> Value {
        json!({
            "scenario": self.scenario.name(),
            "clients": self.clients,
            "seconds": self.elapsed.as_secs_f64(),
            "requests": self.requests(),
            "ok": self.latencies_us.len(),
            "errors": self.errors,
            "throughput_per_s": self.throughput(),
            "latency_ms": {
                "p50": self.percentile_ms(50.0),
                "p90": self.percentile_ms(90.0),
                "p99": self.percentile_ms(99.0),
                "max": self.percentile_ms(100.0),
            },
            "peak_vmrss_kib": self.peak_rss_kib,
            "cpu": self.cpu.as_ref().map(|cpu| cpu.to_json(self.requests())),
            "slices": self.slices.iter().map(|s| json!({
                "seconds": s.seconds, "ok": s.ok, "throughput_per_s": s.throughput(), "p99_ms": s.p99_ms,
            })).collect::<Vec<_>>(),
        })
    }
}

fn print_result(result: &ScenarioResult) {
    println!(
        "\n== {} ({} clients, {:.1} s) ==",
        result.scenario.name(),
        result.clients,
        result.elapsed.as_secs_f64()
    );
    println!(
        "requests {}  ok {}  errors {}",
        result.requests(),
        result.latencies_us.len(),
        result.error_count()
    );
    for (what, count) in &result.errors {
        println!("  error {what}: {count}");
    }
    println!(
        "throughput {:.1}/s  latency p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        result.throughput(),
        result.percentile_ms(50.0),
        result.percentile_ms(90.0),
        result.percentile_ms(99.0),
        result.percentile_ms(100.0)
    );
    if let Some(cpu) = &result.cpu {
        cpu.print(result.requests(), result.elapsed);
    }
    if result.slices.len() > 1 {
        let slices: Vec<String> = result
            .slices
            .iter()
            .map(|s| format!("{:.0}/s (p99 {:.1} ms)", s.throughput(), s.p99_ms))
            .collect();
        println!("by slice: {}", slices.join(", "));
    }
    if !matches!(result.scenario, Scenario::Baseline | Scenario::PeerPgledger) {
        println!(
            "service peak VmRSS so far {:.1} MiB",
            result.peak_rss_kib as f64 / 1024.0
        );
    }
}

/// What one client saw.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    /// When each measured request of `latencies_us` started, in the same order.
    starts: Vec<Instant>,
    errors: BTreeMap<String, u64>,
    created: u64,
}

impl Tally {
    fn record(&mut self, measured: bool, started: Instant, outcome: Result<bool, String>) {
        let micros = started.elapsed().as_micros() as u64;
        match outcome {
            Ok(created) => {
                self.created += u64::from(created);
                if measured {
                    self.latencies_us.push(micros);
                    self.starts.push(started);
                }
            }
            Err(what) => {
                // Errors in the warm-up count too: every response of the run is checked.
                *self.errors.entry(what).or_default() += 1;
            }
        }
    }
}

fn merge(
    scenario: Scenario,
    clients: usize,
    measure_from: Instant,
    slice: Duration,
    tallies: Vec<Tally>,
) -> ScenarioResult {
    let elapsed = Instant::now().saturating_duration_since(measure_from);
    let mut latencies_us = Vec::new();
    let mut errors = BTreeMap::new();
    let mut created = 0;
    // The latencies of each slice, by the slice its request started in.
    let mut by_slice: Vec<Vec<u64>> = Vec::new();
    if !slice.is_zero() {
        // Whole slices; the last also takes the few milliseconds the run overshoots by.
        let count = elapsed.as_secs_f64() / slice.as_secs_f64();
        by_slice.resize_with(count.floor().max(1.0) as usize, Vec::new);
    }
    for tally in tallies {
        if !by_slice.is_empty() {
            for (started, micros) in tally.starts.iter().zip(&tally.latencies_us) {
                let offset = started.saturating_duration_since(measure_from);
                let index = (offset.as_secs_f64() / slice.as_secs_f64()) as usize;
                let last = by_slice.len() - 1;
                by_slice[index.min(last)].push(*micros);
            }
        }
        latencies_us.extend(tally.latencies_us);
        for (what, count) in tally.errors {
            *errors.entry(what).or_default() += count;
        }
        created += tally.created;
    }
    latencies_us.sort_unstable();
    let count = by_slice.len();
    let slices = by_slice
        .into_iter()
        .enumerate()
        .map(|(i, mut latencies)| {
            latencies.sort_unstable();
            let start = slice.as_secs_f64() * i as f64;
            let seconds = if i + 1 == count {
                elapsed.as_secs_f64() - start
            } else {
                slice.as_secs_f64()
            };
            let rank = (0.99 * latencies.len() as f64).ceil() as usize;
            Slice {
                seconds: seconds.max(1e-3),
                ok: latencies.len() as u64,
                p99_ms: latencies
                    .get(rank.clamp(1, latencies.len().max(1)) - 1)
                    .map_or(0.0, |us| *us as f64 / 1000.0),
            }
        })
        .collect();
    ScenarioResult {
        scenario,
        clients,
        elapsed,
        latencies_us,
        errors,
        created,
        peak_rss_kib: 0,
        cpu: None,
        slices,
    }
}

// ---------------------------------------------------------------------------------------------
// Processor time
// ---------------------------------------------------------------------------------------------

/// Processor time, in clock ticks (`/proc`'s unit), spent over a scenario's measured seconds:
/// by the service, by this process (the load generator, and the baseline's client and, on
/// SQLite, its database), by every PostgreSQL server process on the machine, and by the
/// machine as a whole, with how many ticks the machine had in all. It answers where a
/// request's processor time goes, and so how many requests a second the machine could carry
/// at most if nothing ever waited.
struct CpuUse {
    service: u64,
    load_generator: u64,
    postgres: u64,
    machine_busy: u64,
    machine_total: u64,
    cpus: usize,
}

#[derive(Clone, Copy)]
struct CpuSnapshot {
    service: u64,
    load_generator: u64,
    postgres: u64,
    machine_busy: u64,
    machine_total: u64,
}

struct CpuMeter;

impl CpuMeter {
    /// Reads the processor time at the end of the warm-up and at the end of the measured
    /// seconds.
    fn spawn(service_pid: u32, options: &Options) -> tokio::task::JoinHandle<CpuUse> {
        let (warmup, seconds) = (
            Duration::from_secs(options.warmup),
            Duration::from_secs(options.seconds),
        );
        tokio::spawn(async move {
            tokio::time::sleep(warmup).await;
            let before = CpuMeter::snapshot(service_pid);
            tokio::time::sleep(seconds).await;
            let after = CpuMeter::snapshot(service_pid);
            CpuUse {
                service: after.service.saturating_sub(before.service),
                load_generator: after.load_generator.saturating_sub(before.load_generator),
                postgres: after.postgres.saturating_sub(before.postgres),
                machine_busy: after.machine_busy.saturating_sub(before.machine_busy),
                machine_total: after.machine_total.saturating_sub(before.machine_total),
                cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            }
        })
    }

    fn snapshot(service_pid: u32) -> CpuSnapshot {
        let mut postgres = 0;
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for entry in dir.flatten() {
                let name = entry.file_name();
                let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
                    continue;
                };
                if let Some(("postgres", ticks)) =
                    process_ticks(pid).as_ref().map(|(c, t)| (c.as_str(), *t))
                {
                    postgres += ticks;
                }
            }
        }
        let (machine_busy, machine_total) = machine_ticks().unwrap_or((0, 0));
        CpuSnapshot {
            service: process_ticks(service_pid).map_or(0, |(_, t)| t),
            load_generator: process_ticks(std::process::id()).map_or(0, |(_, t)| t),
            postgres,
            machine_busy,
            machine_total,
        }
    }
}

/// A process's name and the user and system ticks of all its threads (`/proc/PID/stat`).
fn process_ticks(pid: u32) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_string();
    // After the name: state, then 10 fields, then utime and stime (fields 14 and 15).
    let mut fields = stat.get(close + 2..)?.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((name, user + system))
}

/// The machine's busy ticks and all its ticks, over every processor (`/proc/stat`).
fn machine_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .map(|t| t.parse().unwrap_or(0))
        .collect();
    let total: u64 = ticks.iter().sum();
    // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
    let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

impl CpuUse {
    /// Microseconds of processor time per request, from ticks.
    fn per_request_us(ticks: u64, requests: u64) -> f64 {
        // SAFETY: sysconf has no preconditions; it answers -1 for a name it does not know.
        let ticks_per_second = match unsafe { libc::sysconf(libc::_SC_CLK_TCK) } {
            n if n > 0 => n as f64,
            _ => 100.0,
        };
        ticks as f64 / ticks_per_second * 1e6 / requests.max(1) as f64
    }

    /// The most requests a second the machine's processors could carry, if every request
    /// cost the processor time the measured ones did and nothing ever waited.
    fn ceiling(&self, requests: u64) -> f64 {
        let per_request = Self::per_request_us(self.machine_busy, requests);
        if per_request > 0.0 {
            self.cpus as f64 * 1e6 / per_request
        } else {
            0.0
        }
    }

    fn busy_share(&self) -> f64 {
        self.machine_busy as f64 / self.machine_total.max(1) as f64
    }

    fn print(&self, requests: u64, elapsed: Duration) {
        let us = |ticks| Self::per_request_us(ticks, requests);
        println!(
            "processor time per request: service {:.0} us, PostgreSQL {:.0} us, load generator {:.0} us, \
             whole machine {:.0} us; machine busy {:.0} % of {} CPUs over {:.1} s; at most {:.0}/s if nothing waited",
            us(self.service),
            us(self.postgres),
            us(self.load_generator),
            us(self.machine_busy),
            self.busy_share() * 100.0,
            self.cpus,
            elapsed.as_secs_f64(),
            self.ceiling(requests)
        );
    }

    fn to_json(&self, requests: u64) -> Value {
        let us = |ticks| Self::per_request_us(ticks, requests);
        json!({
            "per_request_us": {
                "service": us(self.service),
                "postgres": us(self.postgres),
                "load_generator": us(self.load_generator),
                "machine": us(self.machine_busy),
            },
            "machine_busy_share": self.busy_share(),
            "cpus": self.cpus,
            "ceiling_per_s": self.ceiling(requests),
        })
    }
}

/// A small deterministic generator, one per client, so runs pick the same sequence of work.
struct Picker(u64);

impl Picker {
    fn new(seed: u64) -> Self {
        Picker(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    /// A number below `below` (splitmix64).
    fn below(&mut self, below: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % below as u64) as usize
    }

    /// Two different numbers below `below`.
    fn pair(&mut self, below: usize) -> (usize, usize) {
        let first = self.below(below);
        let second = (first + 1 + self.below(below - 1)) % below;
        (first, second)
    }

    fn amount_minor(&mut self) -> u64 {
        1 + self.below(MAX_AMOUNT_MINOR as usize) as u64
    }
}

/// The wire form of an HKD amount in minor units.
fn hkd(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

// ---------------------------------------------------------------------------------------------
// The service, its fixture and the HTTP scenarios
// ---------------------------------------------------------------------------------------------

struct Service {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Service {
    /// Spawns the release binary over `database_url`. The child sees no MSAI_* variable of
    /// this process, only the ones set here and in `extra`.
    fn spawn(database_url: &str, extra: &[(String, String)], dir: &Path) -> Service {
        std::fs::create_dir_all(dir).expect("service directory");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log = dir.join(format!("service-{port}.log"));
        let log_file = std::fs::File::create(&log).expect("service log");
        let mut command = Command::new(SERVICE_BINARY);
        for (key, _) in std::env::vars() {
            if key.starts_with("MSAI_") {
                command.env_remove(key);
            }
        }
        command
            .env("MSAI_LISTEN", format!("127.0.0.1:{port}"))
            .env("MSAI_DATABASE_URL", database_url)
            .env("MSAI_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("MSAI_BOOTSTRAP_PASSWORD_FILE", dir.join("admin-password"))
            .envs(extra.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("service log"))
            .stderr(log_file);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {SERVICE_BINARY}: {e}"));
        Service {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for `/readyz` to answer 200; panics with the service's log if it never does.
    async fn wait_ready(&mut self) {
        let client = Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("client");
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(reply) = client.get(format!("{}/readyz", self.base)).send().await
                && reply.status() == StatusCode::OK
            {
                return;
            }
            let exited = !matches!(self.child.try_wait(), Ok(None));
            if exited || Instant::now() > deadline {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                panic!(
                    "the service at {} did not become ready; its log:\n{log}",
                    self.base
                );
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct GroupFixture {
    id: String,
    /// `Bearer <token>` of the group's treasurer.
    auth: HeaderValue,
    cash: AccountFixture,
    members: Vec<AccountFixture>,
    /// Ids of the group's registered members (for `Payday` only).
    registered: Vec<String>,
}

struct AccountFixture {
    id: String,
    code: String,
}

struct Fixture {
    base: String,
    admin_auth: HeaderValue,
    groups: Vec<GroupFixture>,
}

fn bearer(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("Bearer {token}")).expect("token header")
}

async fn sign_in(client: &Client, base: &str, username: &str, password: &str) -> HeaderValue {
    let reply = client
        .post(format!("{base}/v1/auth/token"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("sign-in request");
    let status = reply.status();
    let body: Value = reply.json().await.unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::OK, "signing in as {username}: {body}");
    bearer(body["access_token"].as_str().expect("access_token"))
}

/// Sends a setup request and returns its body, panicking unless it answered `expected`.
async fn setup_request(
    client: &Client,
    auth: &HeaderValue,
    url: String,
    body: Value,
    expected: StatusCode,
) -> Value {
    let reply = client
        .post(&url)
        .header(AUTHORIZATION, auth)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let status = reply.status();
    let body: Value = reply.json().await.unwrap_or(Value::Null);
    assert_eq!(status, expected, "POST {url}: {body}");
    body
}

/// Groups in HKD with an empty chart, a cash account and members' savings accounts, and one
/// treasurer per group, signed in; with `register`, as many registered members per group as
/// it has members' accounts.
async fn create_fixture(base: &str, options: &Options, register: bool) -> Fixture {
    let client = Client::new();
    let admin_auth = sign_in(&client, base, "admin", ADMIN_PASSWORD).await;
    let mut groups = Vec::new();
    for g in 0..options.groups {
        let group = setup_request(
            &client,
            &admin_auth,
            format!("{base}/v1/groups"),
            json!({"name": format!("Load group {g}"), "currency": "HKD", "host_country": "HK",
                   "home_country": "PH", "chart": "empty"}),
            StatusCode::CREATED,
        )
        .await;
        let group_id = group["id"].as_str().expect("group id").to_string();
        let account = async |code: String, kind: &str| {
            let body = setup_request(
                &client,
                &admin_auth,
                format!("{base}/v1/groups/{group_id}/accounts"),
                json!({"code": code, "name": code, "type": kind, "currency": "HKD",
                       "no_overdraft": false}),
                StatusCode::CREATED,
            )
            .await;
            AccountFixture {
                id: body["id"].as_str().expect("account id").to_string(),
                code,
            }
        };
        let cash = account("assets:cash".to_string(), "asset").await;
        let mut members = Vec::new();
        for m in 0..options.accounts {
            members.push(account(format!("liabilities:savings:m{m:03}"), "liability").await);
        }
        let username = format!("treasurer.{g}");
        setup_request(
            &client,
            &admin_auth,
            format!("{base}/v1/users"),
            json!({"username": username, "password": USER_PASSWORD,
                   "grants": [{"role": "treasurer", "group_id": group_id}]}),
            StatusCode::CREATED,
        )
        .await;
        let auth = sign_in(&client, base, &username, USER_PASSWORD).await;
        let mut registered = Vec::new();
        for m in 0..if register { options.accounts } else { 0 } {
            let member = setup_request(
                &client,
                &admin_auth,
                format!("{base}/v1/groups/{group_id}/members"),
                json!({"name": format!("Member {m}"), "home_country": "PH", "host_country": "HK"}),
                StatusCode::CREATED,
            )
            .await;
            registered.push(member["id"].as_str().expect("member id").to_string());
        }
        groups.push(GroupFixture {
            id: group_id,
            auth,
            cash,
            members,
            registered,
        });
    }
    Fixture {
        base: base.to_string(),
        admin_auth,
        groups,
    }
}

fn http_client() -> Client {
    Client::builder()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(4)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

async fn drive_http(
    scenario: Scenario,
    fixture: &Arc<Fixture>,
    options: &Options,
    acknowledged: Arc<AtomicU64>,
) -> ScenarioResult {
    let clients = if scenario == Scenario::Reads {
        options.read_clients
    } else {
        options.clients
    };
    drive_clients(scenario, clients, options, || {
        // One client, and so one kept-alive connection, each.
        let client = http_client();
        let (fixture, acknowledged) = (fixture.clone(), acknowledged.clone());
        move |mut picker: Picker| {
            let (client, fixture, acknowledged) =
                (client.clone(), fixture.clone(), acknowledged.clone());
            async move {
                let write = match scenario {
                    Scenario::Transfers | Scenario::Hot | Scenario::Payday => true,
                    Scenario::Reads => false,
                    Scenario::Mix => picker.below(4) == 0,
                    Scenario::Baseline | Scenario::PeerPgledger => {
                        unreachable!("the baseline and the peer do not use HTTP")
                    }
                };
                let outcome = if !write {
                    read_balance(&client, &fixture, &mut picker)
                        .await
                        .map(|()| false)
                } else {
                    let result = if scenario == Scenario::Payday {
                        contribution(&client, &fixture, &mut picker).await
                    } else {
                        transfer(&client, &fixture, scenario, &mut picker).await
                    };
                    if result.is_ok() {
                        acknowledged.fetch_add(1, Ordering::SeqCst);
                    }
                    result.map(|()| true)
                };
                (picker, outcome)
            }
        }
    })
    .await
}

/// What a failed request is counted as: its status and problem type, or what else went wrong.
async fn failure(reply: reqwest::Response) -> String {
    let status = reply.status();
    let body: Value = reply.json().await.unwrap_or(Value::Null);
    match body["type"].as_str() {
        Some(kind) => format!("{} {kind}", status.as_u16()),
        None => format!("{}", status.as_u16()),
    }
}

/// One two-entry transfer; Ok when it was answered 201 with the transaction as posted.
async fn transfer(
    client: &Client,
    fixture: &Fixture,
    scenario: Scenario,
    picker: &mut Picker,
) -> Result<(), String> {
    let (group, debit, credit) = if scenario == Scenario::Hot {
        let group = &fixture.groups[0];
        let member = &group.members[picker.below(group.members.len())];
        (group, &group.cash, member)
    } else {
        let group = &fixture.groups[picker.below(fixture.groups.len())];
        let (a, b) = picker.pair(group.members.len());
        (group, &group.members[a], &group.members[b])
    };
    let amount = hkd(picker.amount_minor());
    let body = json!({"description": "load transfer", "entries": [
        {"account": debit.code, "direction": "debit", "amount": amount},
        {"account": credit.code, "direction": "credit", "amount": amount},
    ]});
    let reply = client
        .post(format!(
            "{}/v1/groups/{}/transactions",
            fixture.base, group.id
        ))
        .header(AUTHORIZATION, &group.auth)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("transport: {}", short_error(&e)))?;
    if reply.status() != StatusCode::CREATED {
        return Err(failure(reply).await);
    }
    let posted: Value = reply
        .json()
        .await
        .map_err(|_| "201 with a body that is not JSON".to_string())?;
    let entries = posted["entries"].as_array();
    let shaped = posted["id"].is_string()
        && posted["group_id"].as_str() == Some(group.id.as_str())
        && posted["sequence"].as_i64().is_some_and(|s| s > 0)
        && posted["hash"].as_str().is_some_and(|h| h.len() == 64)
        && entries.is_some_and(|e| {
            e.len() == 2
                && e.iter()
                    .all(|entry| entry["amount"].as_str() == Some(amount.as_str()))
        });
    if shaped {
        Ok(())
    } else {
        Err("201 with an unexpected body".to_string())
    }
}

/// One member's savings contribution, paid in cash; Ok when it was answered 201 with the
/// contribution recorded as sent and posted.
async fn contribution(
    client: &Client,
    fixture: &Fixture,
    picker: &mut Picker,
) -> Result<(), String> {
    let group = &fixture.groups[picker.below(fixture.groups.len())];
    let member = &group.registered[picker.below(group.registered.len())];
    let amount = hkd(picker.amount_minor());
    let reply = client
        .post(format!(
            "{}/v1/groups/{}/contributions",
            fixture.base, group.id
        ))
        .header(AUTHORIZATION, &group.auth)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({"member_id": member, "amount": amount, "fund": "savings", "channel": "cash"}))
        .send()
        .await
        .map_err(|e| format!("transport: {}", short_error(&e)))?;
    if reply.status() != StatusCode::CREATED {
        return Err(failure(reply).await);
    }
    let recorded: Value = reply
        .json()
        .await
        .map_err(|_| "201 with a body that is not JSON".to_string())?;
    let shaped = recorded["id"].is_string()
        && recorded["transaction_id"].is_string()
        && recorded["group_id"].as_str() == Some(group.id.as_str())
        && recorded["member_id"].as_str() == Some(member.as_str())
        && recorded["amount"].as_str() == Some(amount.as_str());
    if shaped {
        Ok(())
    } else {
        Err("201 with an unexpected body".to_string())
    }
}

/// One balance read; Ok when it was answered 200 with the account asked for.
async fn read_balance(
    client: &Client,
    fixture: &Fixture,
    picker: &mut Picker,
) -> Result<(), String> {
    let group = &fixture.groups[picker.below(fixture.groups.len())];
    let pick = picker.below(group.members.len() + 1);
    let account = group.members.get(pick).unwrap_or(&group.cash);
    let reply = client
        .get(format!(
            "{}/v1/groups/{}/accounts/{}",
            fixture.base, group.id, account.id
        ))
        .header(AUTHORIZATION, &group.auth)
        .send()
        .await
        .map_err(|e| format!("transport: {}", short_error(&e)))?;
    if reply.status() != StatusCode::OK {
        return Err(failure(reply).await);
    }
    let body: Value = reply
        .json()
        .await
        .map_err(|_| "200 with a body that is not JSON".to_string())?;
    let shaped = body["id"].as_str() == Some(account.id.as_str())
        && body["code"].as_str() == Some(account.code.as_str())
        && body["balance"].as_str().is_some_and(|b| !b.is_empty());
    if shaped {
        Ok(())
    } else {
        Err("200 with an unexpected body".to_string())
    }
}

fn short_error(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else {
        "other"
    }
}

/// `GET /v1/groups/{id}/ledger/verify` for every group, as the administrator.
async fn verify_chains(base: &str, fixture: &Fixture) -> Vec<String> {
    let client = Client::new();
    let mut problems = Vec::new();
    for group in &fixture.groups {
        let url = format!("{base}/v1/groups/{}/ledger/verify", group.id);
        let reply = client
            .get(&url)
            .header(AUTHORIZATION, &fixture.admin_auth)
            .send()
            .await;
        let (status, body) = match reply {
            Ok(reply) => (
                reply.status(),
                reply.json::<Value>().await.unwrap_or(Value::Null),
            ),
            Err(e) => {
                problems.push(format!("GET {url}: {e}"));
                continue;
            }
        };
        if status != StatusCode::OK
            || body["ok"] != json!(true)
            || body["transactions_checked"] != body["head_sequence"]
        {
            problems.push(format!(
                "chain of group {} does not verify: {status} {body}",
                group.id
            ));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// Cold start
// ---------------------------------------------------------------------------------------------

struct ColdStart {
    tries: Vec<f64>,
    median_ms: f64,
    min_ms: f64,
    max_ms: f64,
}

async fn measure_cold_starts(options: &Options, databases: &Databases) -> Option<ColdStart> {
    if options.cold_starts == 0 {
        return None;
    }
    let mut tries = Vec::new();
    for n in 0..options.cold_starts {
        let url = databases.fresh().await;
        let dir = databases.scratch.join(format!("cold-{n}"));
        let started = Instant::now();
        let mut service = Service::spawn(&url, &options.service_env, &dir);
        service.wait_ready().await;
        tries.push(started.elapsed().as_secs_f64() * 1000.0);
        drop(service);
    }
    let mut sorted = tries.clone();
    sorted.sort_by(f64::total_cmp);
    let median_ms = if sorted.len() % 2 == 1 {
        sorted[sorted.len() / 2]
    } else {
        (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2]) / 2.0
    };
    println!(
        "load: cold start (spawn to /readyz on a fresh database): {}",
        tries
            .iter()
            .map(|t| format!("{t:.0} ms"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Some(ColdStart {
        median_ms,
        min_ms: sorted[0],
        max_ms: sorted[sorted.len() - 1],
        tries,
    })
}

// ---------------------------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------------------------

/// A field of /proc/<pid>/status given in kB (VmRSS, VmHWM).
fn read_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].split_whitespace().next()?.parse().ok()
}

struct MemorySampler {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl MemorySampler {
    fn start(pid: u32) -> MemorySampler {
        let peak = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (task_peak, task_stop) = (peak.clone(), stop.clone());
        tokio::spawn(async move {
            while !task_stop.load(Ordering::SeqCst) {
                if let Some(rss) = read_status_kib(pid, "VmRSS:") {
                    task_peak.fetch_max(rss, Ordering::SeqCst);
                }
                tokio::time::sleep(MEMORY_SAMPLE_EVERY).await;
            }
        });
        MemorySampler { peak, stop }
    }

    fn peak(&self) -> u64 {
        self.peak.load(Ordering::SeqCst)
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

// ---------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------

/// Hands out fresh, empty databases of the run's backend.
struct Databases {
    backend: Backend,
    scratch: PathBuf,
    /// A PostgreSQL URL that may create databases.
    admin_url: Option<String>,
    counter: AtomicU64,
}

impl Databases {
    async fn fresh(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        match self.backend {
            Backend::Sqlite => {
                format!(
                    "sqlite://{}",
                    self.scratch.join(format!("ledger-{n}.db")).display()
                )
            }
            Backend::Postgres => {
                let admin_url = self.admin_url.as_deref().expect("a PostgreSQL URL");
                let name = format!("msai_load_{}_{n}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::connect(admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("cannot connect to PostgreSQL: {e}"));
                // The name is built from hex digits and a number only.
                sqlx::raw_sql(AssertSqlSafe(format!(
                    "CREATE DATABASE {name} TEMPLATE template0"
                )))
                .execute(&mut admin)
                .await
                .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
                let _ = admin.close().await;
                with_database(admin_url, &name)
            }
        }
    }
}

/// `url` with its database replaced by `database`, credentials, host and parameters kept.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    match query {
        Some(query) => format!("{}/{database}?{query}", &base[..path]),
        None => format!("{}/{database}", &base[..path]),
    }
}

/// A direct connection pool to the run's database, for the baseline and the checks.
#[derive(Clone)]
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    /// Opens `url` as the service does: SQLite in WAL mode with `synchronous=FULL`.
    async fn open(backend: Backend, url: &str, connections: u32) -> Db {
        match backend {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .expect("SQLite URL")
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                let pool = SqlitePoolOptions::new()
                    .max_connections(connections)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await
                    .expect("open the SQLite database");
                Db::Sqlite(pool)
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url).expect("PostgreSQL URL");
                let pool = PgPoolOptions::new()
                    .max_connections(connections)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await
                    .expect("connect to PostgreSQL");
                Db::Postgres(pool)
            }
        }
    }

    async fn close(self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// The settings that decide whether a commit waits for the disk.
    async fn durability_settings(&self) -> String {
        match self {
            Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await.expect("connection");
                let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                    .fetch_one(&mut *conn)
                    .await
                    .expect("journal_mode");
                let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(&mut *conn)
                    .await
                    .expect("synchronous");
                let sync = match sync {
                    0 => "OFF",
                    1 => "NORMAL",
                    2 => "FULL",
                    3 => "EXTRA",
                    _ => "?",
                };
                format!("SQLite journal_mode={mode}, synchronous={sync}")
            }
            Db::Postgres(pool) => {
                let mut parts = Vec::new();
                for setting in [
                    "server_version",
                    "fsync",
                    "synchronous_commit",
                    "full_page_writes",
                    "wal_sync_method",
                    "commit_delay",
                ] {
                    let value: String = sqlx::query_scalar("SELECT current_setting($1)")
                        .bind(setting)
                        .fetch_one(pool)
                        .await
                        .expect("setting");
                    parts.push(format!("{setting}={value}"));
                }
                format!("PostgreSQL {}", parts.join(", "))
            }
        }
    }

    /// Brings PostgreSQL's planner statistics up to date, as autovacuum does once a minute at
    /// most. A fresh database's tables are empty when the load starts, and each connection
    /// keeps the plans it made for them then: the foreign-key checks of a new entry, planned
    /// on a table of one page, scan the whole transactions table for as long as the plan is
    /// kept (about half the throughput of gathered postings, measured). A ledger that has been
    /// running for more than a minute has its statistics; the measurement is of that state.
    /// ANALYZE makes every connection plan again.
    /// Runs one statement of the bench's own with integer parameters, or panics.
    async fn execute(&self, sql: &'static str, parameters: &[i64]) {
        match self {
            Db::Sqlite(pool) => {
                let mut query = sqlx::query(sql);
                for p in parameters {
                    query = query.bind(*p);
                }
                query.execute(pool).await.map(|_| ())
            }
            Db::Postgres(pool) => {
                let mut query = sqlx::query(sql);
                for p in parameters {
                    query = query.bind(*p);
                }
                query.execute(pool).await.map(|_| ())
            }
        }
        .unwrap_or_else(|e| panic!("baseline: {e}\n{sql}"));
    }

    /// Runs one count query; every invariant below is "this count is zero" or "is N".
    async fn count(&self, sql: &'static str) -> i64 {
        match self {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .unwrap_or_else(|e| panic!("invariant query failed: {e}\n{sql}"))
    }

    /// The ledger's invariants, read directly from the service's tables.
    async fn check_ledger(&self, acknowledged: u64, groups: i64) -> Vec<String> {
        let mut problems = Vec::new();
        let wrong_totals = self
            .count(
                "SELECT COUNT(*) FROM accounts a LEFT JOIN (
                     SELECT account_id,
                            SUM(CASE WHEN direction = 'debit' THEN amount_minor ELSE 0 END) AS d,
                            SUM(CASE WHEN direction = 'credit' THEN amount_minor ELSE 0 END) AS c
                     FROM entries GROUP BY account_id) e ON e.account_id = a.id
                 WHERE a.debits_minor <> COALESCE(e.d, 0) OR a.credits_minor <> COALESCE(e.c, 0)",
            )
            .await;
        if wrong_totals != 0 {
            problems.push(format!(
                "{wrong_totals} accounts' stored totals differ from the sums of their entries"
            ));
        }
        let unbalanced = self
            .count(
                "SELECT COUNT(*) FROM (
                     SELECT transaction_id, currency FROM entries
                     GROUP BY transaction_id, currency
                     HAVING SUM(CASE WHEN direction = 'debit' THEN amount_minor
                                     ELSE -amount_minor END) <> 0) t",
            )
            .await;
        if unbalanced != 0 {
            problems.push(format!(
                "{unbalanced} (transaction, currency) pairs whose entries do not sum to zero"
            ));
        }
        let unbalanced_currencies = self
            .count(
                "SELECT COUNT(*) FROM (
                     SELECT currency FROM entries GROUP BY currency
                     HAVING SUM(CASE WHEN direction = 'debit' THEN amount_minor
                                     ELSE -amount_minor END) <> 0) t",
            )
            .await;
        if unbalanced_currencies != 0 {
            problems.push(format!(
                "{unbalanced_currencies} currencies whose entries do not sum to zero"
            ));
        }
        let without_entries = self
            .count(
                "SELECT COUNT(*) FROM transactions t
                 WHERE (SELECT COUNT(*) FROM entries e WHERE e.transaction_id = t.id) < 2",
            )
            .await;
        if without_entries != 0 {
            problems.push(format!(
                "{without_entries} transactions with fewer than two entries"
            ));
        }
        let stored = self.count("SELECT COUNT(*) FROM transactions").await;
        if stored != acknowledged as i64 {
            problems.push(format!(
                "{stored} transactions stored, but {acknowledged} transfers were acknowledged"
            ));
        }
        let heads = self
            .count("SELECT CAST(COALESCE(SUM(head_sequence), 0) AS BIGINT) FROM groups")
            .await;
        if heads != stored {
            problems.push(format!(
                "the groups' head sequences add up to {heads}, but {stored} transactions are stored"
            ));
        }
        let group_count = self.count("SELECT COUNT(*) FROM groups").await;
        if group_count != groups {
            problems.push(format!("{group_count} groups stored, {groups} created"));
        }
        problems
    }

    async fn check_baseline(&self, acknowledged: u64) -> Vec<String> {
        let mut problems = Vec::new();
        let stored = self
            .count("SELECT COUNT(*) FROM loadgen_baseline_transactions")
            .await;
        if stored != acknowledged as i64 {
            problems.push(format!(
                "baseline: {stored} transfers stored, {acknowledged} committed"
            ));
        }
        let wrong = self
            .count(
                "SELECT COUNT(*) FROM loadgen_baseline_accounts a
                 WHERE a.balance <>
                     COALESCE((SELECT SUM(amount) FROM loadgen_baseline_entries e
                               WHERE e.account = a.id), 0)",
            )
            .await;
        if wrong != 0 {
            problems.push(format!(
                "baseline: {wrong} balances differ from their transfers"
            ));
        }
        let unbalanced = self
            .count(
                "SELECT COUNT(*) FROM (SELECT group_no FROM loadgen_baseline_accounts
                 GROUP BY group_no HAVING SUM(balance) <> 0) t",
            )
            .await;
        if unbalanced != 0 {
            problems.push(format!(
                "baseline: {unbalanced} groups whose balances do not sum to zero"
            ));
        }
        problems
    }
}

// ---------------------------------------------------------------------------------------------
// The direct-SQL baseline
// ---------------------------------------------------------------------------------------------

/// The same transfers as the transfers scenario (a random pair of accounts in a random group),
/// each written by a minimal ledger writer as one database transaction of five statements:
/// insert the transaction, insert its two entries, update the two balances, commit. On the
/// service's own database, with the same durability settings; on SQLite by one connection
/// (SQLite has one writer), on PostgreSQL by one connection per client.
struct Baseline {
    db: Db,
    groups: usize,
    accounts: usize,
    /// On SQLite, the database file the one-connection writer opens.
    sqlite_path: Option<PathBuf>,
}

impl Baseline {
    async fn create(backend: Backend, url: &str, connections: u32, options: &Options) -> Baseline {
        let db = Db::open(backend, url, connections).await;
        let statements: [&'static str; 6] = [
            "DROP TABLE IF EXISTS loadgen_baseline_entries",
            "DROP TABLE IF EXISTS loadgen_baseline_transactions",
            "DROP TABLE IF EXISTS loadgen_baseline_accounts",
            "CREATE TABLE loadgen_baseline_accounts (
                 id       BIGINT PRIMARY KEY,
                 group_no BIGINT NOT NULL,
                 balance  BIGINT NOT NULL)",
            "CREATE TABLE loadgen_baseline_transactions (
                 id       TEXT   PRIMARY KEY,
                 group_no BIGINT NOT NULL)",
            "CREATE TABLE loadgen_baseline_entries (
                 transaction_id TEXT   NOT NULL REFERENCES loadgen_baseline_transactions (id),
                 account        BIGINT NOT NULL REFERENCES loadgen_baseline_accounts (id),
                 amount         BIGINT NOT NULL CHECK (amount <> 0),
                 PRIMARY KEY (transaction_id, account))",
        ];
        for sql in statements {
            db.execute(sql, &[]).await;
        }
        for g in 0..options.groups {
            for a in 0..options.accounts {
                let id = (g * options.accounts + a) as i64;
                db.execute(
                    "INSERT INTO loadgen_baseline_accounts (id, group_no, balance) VALUES ($1, $2, 0)",
                    &[id, g as i64],
                )
                .await;
            }
        }
        let sqlite_path = (backend == Backend::Sqlite)
            .then(|| PathBuf::from(url.strip_prefix("sqlite://").expect("a sqlite:// URL")));
        Baseline {
            db,
            groups: options.groups,
            accounts: options.accounts,
            sqlite_path,
        }
    }

    async fn close(self) {
        self.db.close().await;
    }

    async fn drive(&self, clients: usize, options: &Options) -> ScenarioResult {
        let (groups, accounts) = (self.groups, self.accounts);
        let pool = match &self.db {
            Db::Sqlite(_) => {
                let path = self.sqlite_path.as_deref().expect("the SQLite file");
                return drive_sqlite_writer(path, groups, accounts, options).await;
            }
            Db::Postgres(pool) => pool.clone(),
        };
        drive_clients(Scenario::Baseline, clients, options, || {
            let pool = pool.clone();
            move |mut picker: Picker| {
                let group = picker.below(groups);
                let (a, b) = picker.pair(accounts);
                let from = (group * accounts + a) as i64;
                let to = (group * accounts + b) as i64;
                let amount = picker.amount_minor() as i64;
                let pool = pool.clone();
                async move {
                    let outcome = baseline_transfer(&pool, group as i64, from, to, amount)
                        .await
                        .map(|()| true)
                        .map_err(|e| format!("database: {e}"));
                    (picker, outcome)
                }
            }
        })
        .await
    }
}

/// One transfer in one PostgreSQL transaction (SQLite's writer is `sqlite_writer`). The two
/// balances are updated in the order of their ids, so concurrent transfers between the same
/// accounts cannot deadlock.
async fn baseline_transfer(
    pool: &PgPool,
    group: i64,
    from: i64,
    to: i64,
    amount: i64,
) -> Result<(), sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let mut changes = [(from, -amount), (to, amount)];
    changes.sort_unstable();
    let mut tx = pool.begin().await?;
    sqlx::query("INSERT INTO loadgen_baseline_transactions (id, group_no) VALUES ($1, $2)")
        .bind(&id)
        .bind(group)
        .execute(&mut *tx)
        .await?;
    for (account, delta) in changes {
        sqlx::query(
            "INSERT INTO loadgen_baseline_entries (transaction_id, account, amount) VALUES ($1, $2, $3)",
        )
        .bind(&id)
        .bind(account)
        .bind(delta)
        .execute(&mut *tx)
        .await?;
    }
    for (account, delta) in changes {
        sqlx::query("UPDATE loadgen_baseline_accounts SET balance = balance + $1 WHERE id = $2")
            .bind(delta)
            .bind(account)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// The SQLite baseline: one connection, on one thread, through SQLite's C API with the five
/// statements prepared once, writing the transfers one transaction each, as fast as SQLite and
/// the disk allow. No driver, no thread hand-offs, no contention for the write lock.
async fn drive_sqlite_writer(
    path: &Path,
    groups: usize,
    accounts: usize,
    options: &Options,
) -> ScenarioResult {
    let path = path.to_path_buf();
    let start = Instant::now();
    let measure_from = start + Duration::from_secs(options.warmup);
    let end = measure_from + Duration::from_secs(options.seconds);
    let tally = tokio::task::spawn_blocking(move || {
        let mut writer = sqlite_writer::Writer::open(&path);
        let mut picker = Picker::new(1);
        let mut tally = Tally::default();
        loop {
            let started = Instant::now();
            if started >= end {
                break;
            }
            let group = picker.below(groups);
            let (a, b) = picker.pair(accounts);
            let from = (group * accounts + a) as i64;
            let to = (group * accounts + b) as i64;
            let amount = picker.amount_minor() as i64;
            let id = uuid::Uuid::now_v7().to_string();
            let outcome = writer
                .transfer(&id, group as i64, from, to, amount)
                .map(|()| true);
            tally.record(started >= measure_from, started, outcome);
        }
        tally
    })
    .await
    .expect("the SQLite writer");
    let slice = Duration::from_secs(options.slice);
    merge(Scenario::Baseline, 1, measure_from, slice, vec![tally])
}

/// A minimal SQLite ledger writer over SQLite's C API.
mod sqlite_writer {
    use std::ffi::{CStr, CString, c_int};
    use std::path::Path;
    use std::ptr;

    use libsqlite3_sys as ffi;

    /// One connection (WAL, `synchronous=FULL`, foreign keys on, as the service opens
    /// SQLite) and its statements, prepared once.
    pub struct Writer {
        db: *mut ffi::sqlite3,
        begin: *mut ffi::sqlite3_stmt,
        transaction: *mut ffi::sqlite3_stmt,
        entry: *mut ffi::sqlite3_stmt,
        update: *mut ffi::sqlite3_stmt,
        commit: *mut ffi::sqlite3_stmt,
        rollback: *mut ffi::sqlite3_stmt,
    }

    impl Writer {
        pub fn open(path: &Path) -> Writer {
            let name = CString::new(path.to_str().expect("a UTF-8 path")).expect("no NUL");
            let mut db = ptr::null_mut();
            // SAFETY: `name` is a NUL-terminated string and `db` a place for the handle.
            let rc = unsafe {
                ffi::sqlite3_open_v2(
                    name.as_ptr(),
                    &mut db,
                    ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_NOMUTEX,
                    ptr::null(),
                )
            };
            assert_eq!(rc, ffi::SQLITE_OK, "open {}", path.display());
            let mut writer = Writer {
                db,
                begin: ptr::null_mut(),
                transaction: ptr::null_mut(),
                entry: ptr::null_mut(),
                update: ptr::null_mut(),
                commit: ptr::null_mut(),
                rollback: ptr::null_mut(),
            };
            for pragma in [
                "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = FULL",
                "PRAGMA foreign_keys = ON",
                "PRAGMA busy_timeout = 10000",
            ] {
                let statement = writer.prepare(pragma);
                // SAFETY: a statement just prepared on this connection.
                unsafe {
                    ffi::sqlite3_step(statement);
                    ffi::sqlite3_finalize(statement);
                }
            }
            writer.begin = writer.prepare("BEGIN IMMEDIATE");
            writer.transaction = writer.prepare(
                "INSERT INTO loadgen_baseline_transactions (id, group_no) VALUES (?1, ?2)",
            );
            writer.entry = writer.prepare(
                "INSERT INTO loadgen_baseline_entries (transaction_id, account, amount) VALUES (?1, ?2, ?3)",
            );
            writer.update = writer.prepare(
                "UPDATE loadgen_baseline_accounts SET balance = balance + ?1 WHERE id = ?2",
            );
            writer.commit = writer.prepare("COMMIT");
            writer.rollback = writer.prepare("ROLLBACK");
            writer
        }

        fn prepare(&self, sql: &str) -> *mut ffi::sqlite3_stmt {
            let text = CString::new(sql).expect("no NUL");
            let mut statement = ptr::null_mut();
            // SAFETY: an open connection, a NUL-terminated statement, a place for the handle.
            let rc = unsafe {
                ffi::sqlite3_prepare_v2(self.db, text.as_ptr(), -1, &mut statement, ptr::null_mut())
            };
            assert_eq!(rc, ffi::SQLITE_OK, "prepare {sql}: {}", self.error());
            statement
        }

        fn error(&self) -> String {
            // SAFETY: the connection is open; SQLite owns the message it returns.
            unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db)) }
                .to_string_lossy()
                .into_owned()
        }

        /// Runs `statement` with its parameters bound, to the end, and resets it.
        fn run(&self, statement: *mut ffi::sqlite3_stmt) -> Result<(), String> {
            // SAFETY: a statement prepared on this connection, whose parameters are bound.
            let rc = unsafe { ffi::sqlite3_step(statement) };
            // SAFETY: as above; resetting keeps it for the next use.
            unsafe {
                ffi::sqlite3_reset(statement);
                ffi::sqlite3_clear_bindings(statement);
            }
            if rc == ffi::SQLITE_DONE || rc == ffi::SQLITE_ROW {
                Ok(())
            } else {
                Err(format!("sqlite: {}", self.error()))
            }
        }

        fn bind_int(&self, statement: *mut ffi::sqlite3_stmt, index: c_int, value: i64) {
            // SAFETY: a statement of this connection and a parameter index it has.
            unsafe { ffi::sqlite3_bind_int64(statement, index, value) };
        }

        fn bind_text(&self, statement: *mut ffi::sqlite3_stmt, index: c_int, value: &str) {
            // SAFETY: SQLITE_TRANSIENT makes SQLite copy the text before this returns.
            unsafe {
                ffi::sqlite3_bind_text(
                    statement,
                    index,
                    value.as_ptr().cast(),
                    value.len() as c_int,
                    ffi::SQLITE_TRANSIENT(),
                )
            };
        }

        /// One transfer in one transaction: the transaction row, its two entries, the two
        /// balances, then a durable commit.
        pub fn transfer(
            &mut self,
            id: &str,
            group: i64,
            from: i64,
            to: i64,
            amount: i64,
        ) -> Result<(), String> {
            self.run(self.begin)?;
            let written = (|| {
                self.bind_text(self.transaction, 1, id);
                self.bind_int(self.transaction, 2, group);
                self.run(self.transaction)?;
                for (account, delta) in [(from, -amount), (to, amount)] {
                    self.bind_text(self.entry, 1, id);
                    self.bind_int(self.entry, 2, account);
                    self.bind_int(self.entry, 3, delta);
                    self.run(self.entry)?;
                }
                for (account, delta) in [(from, -amount), (to, amount)] {
                    self.bind_int(self.update, 1, delta);
                    self.bind_int(self.update, 2, account);
                    self.run(self.update)?;
                }
                self.run(self.commit)
            })();
            if written.is_err() {
                let _ = self.run(self.rollback);
            }
            written
        }
    }

    impl Drop for Writer {
        fn drop(&mut self) {
            // SAFETY: every statement was prepared on this connection, which is then closed;
            // finalizing a null statement is a no-op.
            unsafe {
                for statement in [
                    self.begin,
                    self.transaction,
                    self.entry,
                    self.update,
                    self.commit,
                    self.rollback,
                ] {
                    ffi::sqlite3_finalize(statement);
                }
                ffi::sqlite3_close(self.db);
            }
        }
    }
}

/// Runs `clients` clients for the warm-up and the measured seconds. Each has a step of its
/// own, made by `make_step`, and sends what its step makes of its picker, one at a time; a
/// step hands the picker back with its outcome (whether it wrote something) when it is done.
async fn drive_clients<M, F, Fut>(
    scenario: Scenario,
    clients: usize,
    options: &Options,
    make_step: M,
) -> ScenarioResult
where
    M: Fn() -> F,
    F: Fn(Picker) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = (Picker, Result<bool, String>)> + Send,
{
    let start = Instant::now();
    let measure_from = start + Duration::from_secs(options.warmup);
    let end = measure_from + Duration::from_secs(options.seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let step = make_step();
        tasks.push(tokio::spawn(async move {
            let mut picker = Picker::new(c as u64 + 1);
            let mut tally = Tally::default();
            loop {
                let started = Instant::now();
                if started >= end {
                    break;
                }
                let (back, outcome) = step(picker).await;
                picker = back;
                tally.record(started >= measure_from, started, outcome);
            }
            tally
        }));
    }
    let mut tallies = Vec::new();
    for task in tasks {
        tallies.push(task.await.expect("client task"));
    }
    let slice = Duration::from_secs(options.slice);
    merge(scenario, clients, measure_from, slice, tallies)
}

// ---------------------------------------------------------------------------------------------
// The peer: pgledger
// ---------------------------------------------------------------------------------------------

/// pgledger (https://github.com/pgr0ss/pgledger), loaded from a checkout into a database of
/// its own in the bench's cluster, with 50 accounts; its transfers are made by calling
/// `pgledger_create_transfer` as its own performance check does, one statement (and so one
/// transaction and one commit) per transfer.
struct Peer {
    pool: PgPool,
    accounts: Arc<Vec<String>>,
}

/// Accounts the peer's transfers move money between.
const PEER_ACCOUNTS: usize = 50;

impl Peer {
    async fn create(dir: &Path, url: &str, connections: u32) -> Peer {
        let pool = PgPoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await
            .expect("connect to the peer's database");
        let ulid = dir.join("vendor/scoville-pgsql-ulid");
        for file in [
            ulid.join("ulid-to-uuid.sql"),
            ulid.join("uuid-to-ulid.sql"),
            dir.join("pgledger.sql"),
        ] {
            let sql = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("cannot load {}: {e}", file.display()));
        }
        let mut accounts = Vec::new();
        for _ in 0..PEER_ACCOUNTS {
            let id: String =
                sqlx::query_scalar("SELECT id FROM pgledger_create_account('acct', 'HKD')")
                    .fetch_one(&pool)
                    .await
                    .unwrap_or_else(|e| panic!("pgledger account: {e}"));
            accounts.push(id);
        }
        println!(
            "load: pgledger from {} (commit {}) loaded, {PEER_ACCOUNTS} accounts",
            dir.display(),
            git_head(dir).unwrap_or_else(|| "unknown".into())
        );
        Peer {
            pool,
            accounts: Arc::new(accounts),
        }
    }

    async fn drive(&self, options: &Options) -> ScenarioResult {
        drive_clients(Scenario::PeerPgledger, options.clients, options, || {
            let (pool, accounts) = (self.pool.clone(), self.accounts.clone());
            move |mut picker: Picker| {
                let (a, b) = picker.pair(accounts.len());
                let (from, to) = (accounts[a].clone(), accounts[b].clone());
                let amount = picker.amount_minor() as i64;
                let pool = pool.clone();
                async move {
                    let outcome = sqlx::query_scalar::<_, String>(
                        "SELECT id FROM pgledger_create_transfer($1, $2, $3::numeric)",
                    )
                    .bind(from)
                    .bind(to)
                    .bind(amount)
                    .fetch_one(&pool)
                    .await
                    .map(|_| true)
                    .map_err(|e| format!("pgledger: {e}"));
                    (picker, outcome)
                }
            }
        })
        .await
    }

    /// pgledger's own invariants: every acknowledged transfer stored once, balances that sum
    /// to zero and equal the accounts' entries.
    async fn check(&self, acknowledged: u64) -> Vec<String> {
        let count = |sql: &'static str| async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&self.pool)
                .await
                .unwrap_or_else(|e| panic!("pgledger check: {e}\n{sql}"))
        };
        let mut problems = Vec::new();
        let stored = count("SELECT COUNT(*) FROM pgledger_transfers").await;
        if stored != acknowledged as i64 {
            problems.push(format!(
                "pgledger: {stored} transfers stored, {acknowledged} acknowledged"
            ));
        }
        let nonzero = count(
            "SELECT COUNT(*) FROM (SELECT SUM(balance) s FROM pgledger_accounts) t WHERE s <> 0",
        )
        .await;
        let wrong = count(
            "SELECT COUNT(*) FROM pgledger_accounts a WHERE a.balance <>
                 COALESCE((SELECT SUM(amount) FROM pgledger_entries e WHERE e.account_id = a.id), 0)",
        )
        .await;
        if nonzero + wrong != 0 {
            problems.push(format!(
                "pgledger: balances do not sum to zero ({nonzero}) or differ from their entries ({wrong})"
            ));
        }
        problems
    }

    async fn close(self) {
        self.pool.close().await;
    }
}

/// The commit checked out in `dir`, read from its `.git` (or `None`).
fn git_head(dir: &Path) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// How many 8 kB writes, each followed by `fdatasync`, one file in `dir` takes a second over
/// two seconds: what a durable commit waits for at the least on this disk.
fn fdatasync_rate(dir: &Path) -> f64 {
    use std::os::unix::fs::FileExt;
    let path = dir.join("fdatasync-probe");
    let file = std::fs::File::create(&path).expect("fdatasync probe file");
    let block = [0x5a_u8; 8192];
    let started = Instant::now();
    let mut syncs = 0_u64;
    while started.elapsed() < Duration::from_secs(2) {
        file.write_all_at(&block, 0).expect("probe write");
        file.sync_data().expect("fdatasync");
        syncs += 1;
    }
    let rate = syncs as f64 / started.elapsed().as_secs_f64();
    drop(file);
    let _ = std::fs::remove_file(path);
    rate
}

// ---------------------------------------------------------------------------------------------
// A throwaway PostgreSQL cluster with default durability
// ---------------------------------------------------------------------------------------------

/// A cluster made by initdb in a temporary directory and run by pg_ctl, with PostgreSQL's
/// default settings (fsync, synchronous_commit and full_page_writes on), listening on a free
/// loopback port only. Stopped and removed when dropped. When this runs as root, the server
/// runs as the `postgres` user, through `runuser`.
struct Cluster {
    bindir: PathBuf,
    data: PathBuf,
    as_postgres: bool,
    admin_url: String,
    _dir: tempfile::TempDir,
}

impl Cluster {
    fn start(bindir: &Path) -> Cluster {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let dir = tempfile::Builder::new()
            .prefix("msai-load-pg-")
            .tempdir()
            .expect("temporary directory");
        if as_postgres {
            use std::os::unix::fs::PermissionsExt;
            // initdb, running as postgres, creates the data directory inside this one.
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777))
                .expect("permissions of the cluster's directory");
        }
        let data = dir.path().join("data");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let cluster = Cluster {
            bindir: bindir.to_path_buf(),
            data: data.clone(),
            as_postgres,
            admin_url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            _dir: dir,
        };
        cluster.run(
            "initdb",
            &[
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "-D",
            ],
            &data,
        );
        let mut conf = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .expect("postgresql.conf");
        // Where to listen, nothing else: durability stays at PostgreSQL's defaults.
        writeln!(
            conf,
            "\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = ''"
        )
        .expect("write postgresql.conf");
        let log = cluster.data.parent().expect("parent").join("postgres.log");
        let log = log.to_str().expect("UTF-8 path").to_string();
        cluster.run(
            "pg_ctl",
            &["-w", "-t", "60", "-l", &log, "start", "-D"],
            &data,
        );
        println!("load: started a PostgreSQL cluster on port {port}");
        cluster
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bindir.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn run(&self, program: &str, args: &[&str], data: &Path) {
        let output = self
            .command(program)
            .args(args)
            .arg(data)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        assert!(
            output.status.success(),
            "{program} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-w", "-m", "fast", "stop", "-D"])
            .arg(&self.data)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

// ---------------------------------------------------------------------------------------------
// The machine
// ---------------------------------------------------------------------------------------------

fn machine_description() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU", |(_, m)| m.trim())
        .to_string();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|kib| kib.parse::<u64>().ok())
        .map_or(0.0, |kib| kib as f64 / 1024.0 / 1024.0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    format!("{cpus} CPUs ({model}), {memory_gib:.1} GiB memory, load average {load}")
}
