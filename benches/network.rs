//! Benchmarks of the task force's reports across a network of groups: by default 1,000 groups
//! with 1,000,000 transactions in all (`MSAI_BENCH_NETWORK_GROUPS` and
//! `MSAI_BENCH_NETWORK_TRANSACTIONS` to change the sizes), on SQLite, or on PostgreSQL when
//! `MSAI_BENCH_POSTGRES_URL` names a throwaway database.
//!
//! Each group has its own host and home country and currencies, about twenty members of every
//! sex and age band, savings and capital recorded at meetings of up to 500 contributions and
//! withdrawals, remittances home with fees and exchange margins in several corridors and
//! months (some with a group-savings part), investments of different kinds, sectors and
//! countries with disbursements, income, returned capital and write-downs, and now and then a
//! distribution, a member returning home and a member leaving. Groups are loaded through the
//! store, several at once on PostgreSQL; the load time is printed.
//!
//! If the PostgreSQL database already holds groups, loading is skipped and the reports are
//! timed on what is there, so the same network can be measured again (after a migration, for
//! instance) without loading it twice.
//!
//! Before timing, the months that have ended are closed (`closings::catch_up`), as the
//! service's own task does once it runs, so the savings trend reads its closed months from
//! the figures stored for them; the time that takes is printed.
//!
//! Each report is read through the store exactly as its HTTP handler reads it (the store
//! returns the report already shaped by `domain::network`), without HTTP and JSON, unfiltered
//! and with a host-country, a home-country and a period filter.
//!
//! The network dashboard is timed whole, through HTTP, as its page asks for it: the service is
//! served over the bench's store on a local port, and an administrator's client sends the
//! page's eight requests at once (the savings trend, the portfolio, the members who returned
//! home and the remittance corridors, each as JSON and as an SVG chart) and reads every answer, for the whole network, for one
//! pair of countries and for one group (whose page also reads the group). After criterion's
//! figures, each answer's own median time within the dashboard is printed, so the slowest is
//! known. Each network report is also timed through HTTP by itself (`http_*`), one request at
//! a time, as JSON.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use msai_ledger::app::{AppConfig, DEFAULT_SUPPRESSION_MIN, serve};
use msai_ledger::domain::member::{
    Channel, EventKind, Fund, MemberStatus, NewMeeting, NewMember, NewMemberEvent, Sex,
};
use msai_ledger::domain::model::{AccountRef, NewGroup};
use msai_ledger::domain::money::{Currency, format_total};
use msai_ledger::domain::network::NetworkFilter;
use msai_ledger::domain::operations::{
    Basis, InvestmentEventKind, InvestmentKind, MemberExit, NewDistribution, NewInvestment,
    NewInvestmentEvent, PayTo, Purpose, RemittanceChannel, RemittanceDetails, RemittanceUse,
    derived_rate,
};
use msai_ledger::store::{Store, Written};
use rust_decimal::Decimal;
use tokio::runtime::Runtime;
use uuid::Uuid;

const GROUPS_ENV: &str = "MSAI_BENCH_NETWORK_GROUPS";
const TRANSACTIONS_ENV: &str = "MSAI_BENCH_NETWORK_TRANSACTIONS";
const WORKERS_ENV: &str = "MSAI_BENCH_NETWORK_WORKERS";
const POSTGRES_URL_ENV: &str = "MSAI_BENCH_POSTGRES_URL";
const MEMBERS: usize = 20;
const EVENTS_PER_MEETING: usize = 500;
const REMITTANCES: usize = 12;
/// The administrator's password of the service served over the bench's store (a network
/// loaded once on PostgreSQL keeps the administrator made the first time).
const ADMIN_PASSWORD: &str = "network-bench-admin-password";

/// Host countries with their currencies, and home countries with theirs.
const HOSTS: [(&str, &str); 5] = [
    ("HK", "HKD"),
    ("SG", "SGD"),
    ("AE", "AED"),
    ("SA", "SAR"),
    ("MY", "MYR"),
];
const HOMES: [(&str, &str); 5] = [
    ("PH", "PHP"),
    ("ID", "IDR"),
    ("NP", "NPR"),
    ("BD", "BDT"),
    ("LK", "LKR"),
];
/// Rough units of each home currency per unit of each host currency (same order as `HOSTS`).
const RATES: [[i64; 5]; 5] = [
    [7, 2_000, 17, 15, 38],
    [42, 11_800, 100, 90, 225],
    [15, 4_300, 36, 32, 82],
    [15, 4_200, 36, 32, 80],
    [12, 3_400, 29, 26, 65],
];
const KINDS: [InvestmentKind; 6] = [
    InvestmentKind::Cooperative,
    InvestmentKind::Enterprise,
    InvestmentKind::Livelihood,
    InvestmentKind::Land,
    InvestmentKind::Deposit,
    InvestmentKind::Other,
];
const SECTORS: [&str; 6] = [
    "agriculture",
    "retail",
    "transport",
    "housing",
    "finance",
    "food",
];
const CHANNELS: [RemittanceChannel; 4] = [
    RemittanceChannel::Bank,
    RemittanceChannel::MoneyTransferOperator,
    RemittanceChannel::MobileWallet,
    RemittanceChannel::Post,
];
const SEXES: [Sex; 5] = [
    Sex::Female,
    Sex::Male,
    Sex::Female,
    Sex::Other,
    Sex::Undisclosed,
];

/// A deterministic sequence of small numbers, so every run loads the same network.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

fn env_size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn created<T>(written: Written<T>) -> T {
    match written {
        Written::Created(t) => t,
        Written::Replayed(_) => unreachable!("no key was given"),
    }
}

fn amount(minor: i64, currency: Currency) -> String {
    format_total(i128::from(minor), currency)
}

/// Loads group `index` of the network with about `transactions` transactions; returns how
/// many it wrote.
async fn load_group(store: &dyn Store, index: usize, transactions: usize) -> usize {
    let mut sequence = Sequence(20_261_128 + index as u64);
    let host = index % HOSTS.len();
    // Home countries cycle at a different pace, so every pair of countries occurs.
    let home = (index / HOSTS.len()) % HOMES.len();
    let (host_country, host_code) = HOSTS[host];
    let (home_country, home_code) = HOMES[home];
    let currency = Currency::parse(host_code).unwrap();
    let home_currency = Currency::parse(home_code).unwrap();
    let group = created(
        store
            .create_group(
                NewGroup {
                    name: format!("Savers {index:04} ({host_country} to {home_country})"),
                    currency,
                    host_country: host_country.into(),
                    home_country: home_country.into(),
                    time_zone: msai_ledger::domain::dates::host_country_zone(host_country)
                        .unwrap_or(chrono_tz::UTC),
                    standard_chart: true,
                },
                None,
            )
            .await
            .expect("group"),
    )
    .id;
    let mut written = 0;

    // Members of every sex and age band (born 1955 to 2006, or undisclosed); most joined at
    // the start of 2025, some during the year.
    let mut members = Vec::with_capacity(MEMBERS);
    for i in 0..MEMBERS {
        let joined_on = if i % 5 == 4 {
            date(2025, 1 + (i as u32 % 9), 1)
        } else {
            date(2025, 1, 1)
        };
        let birth_year = if (index + i).is_multiple_of(11) {
            None
        } else {
            Some(1955 + sequence.next(52) as i32)
        };
        let record = created(
            store
                .create_member(
                    group,
                    NewMember {
                        name: format!("Member {i}"),
                        sex: SEXES[(index + i) % SEXES.len()],
                        birth_year,
                        home_country: home_country.into(),
                        host_country: host_country.into(),
                        occupation: None,
                        contact: None,
                        joined_on,
                    },
                    None,
                )
                .await
                .expect("member"),
        );
        members.push((record.member.id, joined_on));
    }

    // Remittances home: one a month per member chosen, some with a part kept as group savings
    // (which posts a transaction), some without a mid-market rate.
    let rate = RATES[host][home];
    let mut remittances = Vec::with_capacity(REMITTANCES);
    for r in 0..REMITTANCES {
        let (member, joined_on) = members[sequence.next(MEMBERS as u64) as usize];
        let booked_on = date(2025, 1 + r as u32 % 12, 5 + sequence.next(20) as u32).max(joined_on);
        let send = 20_000 + sequence.next(300_000) as i64;
        let fee = 500 + sequence.next(3_000) as i64;
        // The provider's rate is a little below the mid-market rate.
        let receive = send * rate * (1000 - 5 - sequence.next(30) as i64) / 1000;
        let mut uses = vec![RemittanceUse {
            purpose: Purpose::FamilySupport,
            amount_minor: receive,
        }];
        let to_savings = r % 3 == 0;
        if to_savings {
            let kept = receive / 5;
            uses[0].amount_minor -= kept;
            uses.push(RemittanceUse {
                purpose: Purpose::GroupSavings,
                amount_minor: kept,
            });
        } else if r % 3 == 1 {
            let school = receive / 4;
            uses[0].amount_minor -= school;
            uses.push(RemittanceUse {
                purpose: [Purpose::Education, Purpose::Health, Purpose::Debt][r % 3],
                amount_minor: school,
            });
        }
        remittances.push(RemittanceDetails {
            member_id: member,
            send_amount_minor: send,
            send_currency: currency,
            fee_minor: fee,
            receive_amount_minor: receive,
            receive_currency: home_currency,
            applied_rate: derived_rate(send, currency, receive, home_currency),
            rate_derived: true,
            mid_market_rate: (r % 4 != 3).then(|| Decimal::from(rate)),
            rate_source: None,
            provider: ["Padala Express", "Remit Direct", "Home Bank"][r % 3].into(),
            channel: CHANNELS[r % CHANNELS.len()],
            send_country: host_country.into(),
            receive_country: home_country.into(),
            uses,
            booked_on,
        });
        if to_savings {
            written += 1;
        }
    }

    // Investments paid from and into the cash box: written below, after the meetings.
    let investments = 2;
    let investment_events = 4 * investments;
    let distributes = index.is_multiple_of(10);
    let returns_home = index % 4 == 1;
    let exits = index % 8 == 3;
    let others = written
        + investment_events
        + usize::from(distributes)
        + usize::from(returns_home)
        + usize::from(exits);
    let contributions = transactions.saturating_sub(others).max(1);

    // Meetings of up to 500 contributions and withdrawals, spread over the year.
    let meetings = contributions.div_ceil(EVENTS_PER_MEETING).max(4);
    let mut saved = [0i64; MEMBERS];
    let mut left = contributions;
    for m in 0..meetings {
        let count = left.div_ceil(meetings - m).min(EVENTS_PER_MEETING);
        let held_on = date(2025, 1 + (m * 12 / meetings) as u32, 15);
        let mut events = Vec::with_capacity(count);
        for _ in 0..count {
            let mut who = sequence.next(MEMBERS as u64) as usize;
            if members[who].1 > held_on {
                who = 0;
            }
            let cents = 1_000 + sequence.next(50_000) as i64;
            let (kind, fund, channel) = match sequence.next(10) {
                0..=5 => (EventKind::Contribution, Fund::Savings, Channel::Cash),
                6 if saved[who] >= cents => (EventKind::Withdrawal, Fund::Savings, Channel::Cash),
                7 => (EventKind::Contribution, Fund::SocialFund, Channel::Cash),
                _ => (EventKind::Contribution, Fund::Capital, Channel::Bank),
            };
            match (kind, fund) {
                (EventKind::Contribution, Fund::Savings) => saved[who] += cents,
                (EventKind::Withdrawal, _) => saved[who] -= cents,
                _ => {}
            }
            events.push(NewMemberEvent {
                kind,
                member_id: members[who].0,
                amount: amount(cents, currency),
                currency: None,
                fund,
                channel,
                booked_on: held_on,
                receipt_no: None,
                created_by: None,
                audit: None,
            });
        }
        store
            .record_meeting(
                group,
                NewMeeting {
                    held_on,
                    note: None,
                    attendance: Vec::new(),
                    events,
                    created_by: None,
                },
                None,
            )
            .await
            .expect("meeting");
        written += count;
        left -= count;
    }

    for details in remittances {
        store
            .record_remittance(group, details, None, None)
            .await
            .expect("remittance");
    }

    let cash = AccountRef::Code(format!("assets:cash:{currency}"));
    let mut first_investment = None;
    for i in 0..investments {
        let kind = KINDS[(index + i) % KINDS.len()];
        let committed = 100_000 + sequence.next(1_000_000) as i64;
        let record = created(
            store
                .create_investment(
                    group,
                    NewInvestment {
                        name: format!("Venture {i}"),
                        kind,
                        sector: SECTORS[(index / 3 + i) % SECTORS.len()].into(),
                        country: if i == 0 { home_country } else { host_country }.into(),
                        currency,
                        partner: None,
                        committed_minor: (i == 0).then_some(committed),
                        women_led: Some(index.is_multiple_of(2)),
                        created_by: None,
                    },
                    None,
                )
                .await
                .expect("investment"),
        );
        let id = record.investment.id;
        first_investment.get_or_insert(id);
        let disbursed = committed / 2;
        let events = [
            (InvestmentEventKind::Disbursement, disbursed, 3),
            (InvestmentEventKind::Income, disbursed / 10, 6),
            (
                if i == 0 {
                    InvestmentEventKind::Income
                } else {
                    InvestmentEventKind::CapitalReturned
                },
                disbursed / 8,
                8,
            ),
            (InvestmentEventKind::WriteDown, disbursed / 20, 10),
        ];
        for (kind, minor, month) in events {
            store
                .record_investment_event(
                    group,
                    NewInvestmentEvent {
                        investment_id: id,
                        kind,
                        amount: amount(minor, currency),
                        account: (kind != InvestmentEventKind::WriteDown).then(|| cash.clone()),
                        booked_on: date(2025, month, 20),
                        note: None,
                        created_by: None,
                    },
                    None,
                )
                .await
                .expect("investment event");
            written += 1;
        }
    }

    if distributes {
        store
            .distribute(
                group,
                NewDistribution {
                    pool: amount(1_000, currency),
                    currency: None,
                    investment_id: first_investment,
                    basis: Some(Basis::Savings),
                    as_of: date(2025, 10, 31),
                    pay_to: PayTo::Savings,
                    booked_on: date(2025, 11, 1),
                    dry_run: false,
                    created_by: None,
                },
                None,
            )
            .await
            .expect("distribution");
        written += 1;
    }
    for (leaving, status, on, keep_capital) in [
        (
            returns_home,
            MemberStatus::ReturnedHome,
            date(2025, 11, 20),
            true,
        ),
        (exits, MemberStatus::Exited, date(2025, 12, 10), false),
    ] {
        if !leaving {
            continue;
        }
        let member = members[1 + (status == MemberStatus::Exited) as usize].0;
        store
            .exit_member(
                group,
                member,
                MemberExit {
                    status,
                    on,
                    channel: Channel::Cash,
                    keep_capital,
                    created_by: None,
                },
                None,
            )
            .await
            .expect("member leaving");
        written += 1;
    }
    written
}

async fn connect() -> (Arc<dyn Store>, Option<tempfile::TempDir>) {
    match std::env::var(POSTGRES_URL_ENV) {
        Ok(url) => (
            msai_ledger::store::connect(&url).await.expect("PostgreSQL"),
            None,
        ),
        Err(_) => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}", dir.path().join("network.db").display());
            (
                msai_ledger::store::connect(&url).await.expect("SQLite"),
                Some(dir),
            )
        }
    }
}

/// Loads the network unless the database already holds groups.
async fn load(store: &Arc<dyn Store>, groups: usize, transactions: usize) {
    if !store.list_groups(None, 1).await.expect("groups").is_empty() {
        eprintln!("the database already holds groups: timing the reports on them");
        return;
    }
    // SQLite writes one transaction at a time whatever the number of writers.
    let workers = if store.backend() == "sqlite" {
        1
    } else {
        env_size(WORKERS_ENV, 4)
    };
    let next = Arc::new(AtomicUsize::new(0));
    let total = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut handles = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (store, next, total) = (store.clone(), next.clone(), total.clone());
        handles.push(tokio::spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= groups {
                    break;
                }
                // Spread the remainder so the total is exact.
                let share = transactions / groups + usize::from(index < transactions % groups);
                let written = load_group(store.as_ref(), index, share).await;
                let done = total.fetch_add(written, Ordering::Relaxed) + written;
                if (index + 1) % 100 == 0 {
                    eprintln!(
                        "{} groups, {done} transactions, {:.0} s",
                        index + 1,
                        started.elapsed().as_secs_f64()
                    );
                }
            }
        }));
    }
    for handle in handles {
        handle.await.expect("loader");
    }
    eprintln!(
        "loaded {groups} groups with {} transactions in {:.1} s ({workers} concurrent writers)",
        total.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
}

/// The service, served over the bench's store on a local port, and a client signed in as its
/// administrator.
struct Service {
    base: String,
    client: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start_service(store: Arc<dyn Store>) -> Service {
    let mut config = AppConfig::default();
    config.auth.bootstrap_admin_password = Some(ADMIN_PASSWORD.into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        serve(listener, store, config, async {
            let _ = stopped.await;
        })
        .await
        .expect("the service");
    });
    let answer = reqwest::Client::new()
        .post(format!("{base}/v1/auth/token"))
        .json(&serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("sign-in");
    assert_eq!(answer.status(), reqwest::StatusCode::OK, "sign-in");
    let body: serde_json::Value = answer.json().await.expect("token");
    let token = body["access_token"].as_str().expect("access_token");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("header"),
    );
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("client");
    Service {
        base,
        client,
        _stop: stop,
    }
}

/// The requests of the dashboard's page for `filters` (a query without `?`, countries and
/// period) or for one group (its period only), each with the `Accept` the page sends.
fn dashboard_requests(group: Option<Uuid>, filters: &str, period: &str) -> Vec<(String, bool)> {
    let base = match group {
        Some(id) => format!("/v1/groups/{id}/reports"),
        None => "/v1/reports".into(),
    };
    let (countries, period) = match group {
        Some(_) => (String::new(), period.to_string()),
        None => (filters.to_string(), join(filters, period)),
    };
    let mut requests = vec![
        (format!("{base}/savings-trend?{period}"), false),
        (
            format!("{base}/savings-trend/chart?{}", join(&period, "lang=en")),
            true,
        ),
        (format!("{base}/portfolio?{countries}"), false),
        (
            format!("{base}/portfolio/chart?{}", join(&countries, "lang=en")),
            true,
        ),
        (format!("{base}/returned-home?{period}"), false),
        (
            format!("{base}/returned-home/chart?{}", join(&period, "lang=en")),
            true,
        ),
        (format!("{base}/remittance-corridors?{period}"), false),
        (
            format!(
                "{base}/remittance-corridors/chart?{}",
                join(&period, "lang=en")
            ),
            true,
        ),
    ];
    if let Some(id) = group {
        requests.push((format!("/v1/groups/{id}"), false));
    }
    requests
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.into(),
        (_, true) => a.into(),
        _ => format!("{a}&{b}"),
    }
}

/// Sends the requests at once, as the page does, reads every answer whole, and returns how
/// long each took.
async fn dashboard(service: &Service, requests: &[(String, bool)]) -> Vec<Duration> {
    let started = Instant::now();
    futures_util::future::join_all(requests.iter().map(|(path, svg)| async move {
        let accept = if *svg {
            "image/svg+xml"
        } else {
            "application/json"
        };
        let answer = service
            .client
            .get(format!("{}{path}", service.base))
            .header(reqwest::header::ACCEPT, accept)
            .send()
            .await
            .expect("request");
        let status = answer.status();
        let body = answer.bytes().await.expect("answer");
        assert_eq!(
            status,
            reqwest::StatusCode::OK,
            "{path}: {}",
            String::from_utf8_lossy(&body)
        );
        black_box(body);
        started.elapsed()
    }))
    .await
}

/// Closes the months that have ended, as the service's own task does in the background once
/// it starts (month-end balances and the trend's monthly figures); a network measured again
/// is already closed, and this costs nothing then. The time is printed.
async fn close_months(store: &dyn Store) {
    let started = Instant::now();
    let today = chrono::Utc::now().date_naive();
    let done = msai_ledger::closings::catch_up(store, today, || true)
        .await
        .expect("close months");
    assert_eq!(done.failing, 0, "every group's months close");
    eprintln!(
        "closed the ended months: {} steps in {:.1} s",
        done.steps,
        started.elapsed().as_secs_f64()
    );
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn network(c: &mut Criterion) {
    let groups = env_size(GROUPS_ENV, 1_000);
    let transactions = env_size(TRANSACTIONS_ENV, 1_000_000);
    let runtime = Runtime::new().expect("runtime");
    let (store, _dir) = runtime.block_on(connect());
    runtime.block_on(load(&store, groups, transactions));
    runtime.block_on(close_months(store.as_ref()));
    let backend = store.backend();
    let mut bench = c.benchmark_group(format!("network/{backend}/{groups}x{transactions}"));
    bench
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(2));

    let all = NetworkFilter::default();
    let host = NetworkFilter {
        host_country: Some("HK".into()),
        ..NetworkFilter::default()
    };
    let home = NetworkFilter {
        home_country: Some("PH".into()),
        ..NetworkFilter::default()
    };
    let both = NetworkFilter {
        host_country: Some("SG".into()),
        home_country: Some("ID".into()),
        ..NetworkFilter::default()
    };
    let june = date(2025, 6, 30);
    let mid_year = Some(june);
    let (from, to) = (Some(date(2025, 4, 1)), Some(date(2025, 6, 30)));
    // The indicators as the handler computes them when no date is given: as of today.
    let today = chrono::Utc::now().date_naive();
    assert!(today.year() >= 2025);

    for (name, filter, as_of) in [
        ("savings", &all, None),
        ("savings_host_HK", &host, None),
        ("savings_home_PH", &home, None),
        ("savings_SG_to_ID", &both, None),
        ("savings_as_of_mid_year", &all, mid_year),
        ("savings_host_HK_as_of_mid_year", &host, mid_year),
    ] {
        bench.bench_function(name, |b| {
            b.to_async(&runtime)
                .iter(|| async { black_box(store.savings_report(filter, as_of).await.unwrap()) })
        });
    }
    for (name, filter) in [
        ("portfolio", &all),
        ("portfolio_host_HK", &host),
        ("portfolio_home_PH", &home),
    ] {
        bench.bench_function(name, |b| {
            b.to_async(&runtime)
                .iter(|| async { black_box(store.portfolio_report(filter, 3).await.unwrap()) })
        });
    }
    for (name, filter, from, to) in [
        ("corridors", &all, None, None),
        ("corridors_host_HK", &host, None, None),
        ("corridors_home_PH", &home, None, None),
        ("corridors_second_quarter", &all, from, to),
    ] {
        bench.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| async {
                black_box(
                    store
                        .remittance_corridors(filter, from, to, false)
                        .await
                        .unwrap(),
                )
            })
        });
    }
    for (name, as_of) in [("indicators_today", today), ("indicators_mid_year", june)] {
        bench.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| async {
                black_box(
                    store
                        .indicators_report(as_of, DEFAULT_SUPPRESSION_MIN)
                        .await
                        .unwrap(),
                )
            })
        });
    }
    bench.bench_function("reintegration", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(store.reintegration_report().await.unwrap()) })
    });

    // The dashboard's default period: the twelve months that end with the last month booked.
    let (year_from, year_to) = (date(2025, 1, 1), date(2025, 12, 31));
    let one = runtime
        .block_on(store.list_groups(None, 1))
        .expect("groups")
        .remove(0);
    let one_group = NetworkFilter {
        group_id: Some(one.id),
        ..NetworkFilter::default()
    };
    for (name, filter) in [
        ("savings_trend_2025", &all),
        ("savings_trend_2025_host_HK", &host),
        ("savings_trend_2025_SG_to_ID", &both),
        ("savings_trend_2025_one_group", &one_group),
    ] {
        bench.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| async {
                black_box(
                    store
                        .savings_trend(filter, year_from, year_to, DEFAULT_SUPPRESSION_MIN)
                        .await
                        .unwrap(),
                )
            })
        });
    }

    let service = runtime.block_on(start_service(store.clone()));
    let period = "from=2025-01-01&to=2025-12-31";
    let dashboards = [
        ("dashboard_2025", dashboard_requests(None, "", period)),
        (
            "dashboard_2025_SG_to_ID",
            dashboard_requests(None, "host_country=SG&home_country=ID", period),
        ),
        (
            "dashboard_2025_one_group",
            dashboard_requests(Some(one.id), "", period),
        ),
    ];
    for (name, requests) in &dashboards {
        bench.bench_function(*name, |b| {
            b.to_async(&runtime)
                .iter(|| async { black_box(dashboard(&service, requests).await) })
        });
    }
    // Each report through HTTP, one request at a time, as JSON: what an auditor's client waits
    // for, the request's parsing, the caller's check and the answer's JSON included.
    for (name, path) in [
        ("http_savings", "/v1/reports/savings".to_string()),
        (
            "http_savings_host_HK",
            "/v1/reports/savings?host_country=HK".into(),
        ),
        (
            "http_savings_as_of_mid_year",
            "/v1/reports/savings?as_of=2025-06-30".into(),
        ),
        ("http_portfolio", "/v1/reports/portfolio".into()),
        ("http_corridors", "/v1/reports/remittance-corridors".into()),
        ("http_indicators_today", "/v1/reports/indicators".into()),
        (
            "http_indicators_mid_year",
            "/v1/reports/indicators?as_of=2025-06-30".into(),
        ),
        ("http_reintegration", "/v1/reports/reintegration".into()),
        (
            "http_savings_trend_2025",
            format!("/v1/reports/savings-trend?{period}"),
        ),
        (
            "http_returned_home_2025",
            format!("/v1/reports/returned-home?{period}"),
        ),
    ] {
        let request = [(path, false)];
        bench.bench_function(name, |b| {
            b.to_async(&runtime)
                .iter(|| async { black_box(dashboard(&service, &request).await) })
        });
    }
    bench.finish();

    // Each answer's median time within the dashboard (from the moment the page sends its
    // requests to the end of that answer), over 10 more loads of each dashboard.
    eprintln!("one group: {} ({})", one.name, one.id);
    for (name, requests) in &dashboards {
        let mut times = vec![Vec::new(); requests.len()];
        let mut whole = Vec::new();
        for _ in 0..10 {
            let took = runtime.block_on(dashboard(&service, requests));
            whole.push(took.iter().copied().max().unwrap_or_default());
            for (all, one) in times.iter_mut().zip(took) {
                all.push(one);
            }
        }
        eprintln!("{name}: whole {:.1} ms", median(whole).as_secs_f64() * 1e3);
        for ((path, _), times) in requests.iter().zip(times) {
            eprintln!("  {:>8.1} ms  {path}", median(times).as_secs_f64() * 1e3);
        }
    }
}

criterion_group!(benches, network);
criterion_main!(benches);
