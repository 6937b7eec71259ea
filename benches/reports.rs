//! Benchmarks of the group reports and the journal export on a large group: by default
//! 100,000 transactions (`MSAI_BENCH_REPORT_TRANSACTIONS` to change it), recorded as meetings
//! of 500 contributions and withdrawals each, in HKD with a PHP social fund, on SQLite, or on
//! PostgreSQL when `MSAI_BENCH_POSTGRES_URL` names a throwaway database. Each report is read
//! through the store and worked out exactly as the HTTP handler does, without the HTTP layer.
//! After the run, the export is written to `target/reports-bench.journal` so hledger's time on
//! the same journal can be measured beside it (see BENCHMARKS.md).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use msai_ledger::domain::export;
use msai_ledger::domain::member::{
    Channel, EventKind, Fund, NewMeeting, NewMember, NewMemberEvent, Sex,
};
use msai_ledger::domain::model::NewGroup;
use msai_ledger::domain::money::Currency;
use msai_ledger::domain::reports;
use msai_ledger::store::{Store, Written};
use tokio::runtime::Runtime;
use uuid::Uuid;

const TRANSACTIONS_ENV: &str = "MSAI_BENCH_REPORT_TRANSACTIONS";
/// Set, the months are left open (no month-end balances), to time the reports without them.
const OPEN_MONTHS_ENV: &str = "MSAI_BENCH_OPEN_MONTHS";
const POSTGRES_URL_ENV: &str = "MSAI_BENCH_POSTGRES_URL";
const MEMBERS: usize = 50;
const EVENTS_PER_MEETING: usize = 500;

struct Fixture {
    store: Arc<dyn Store>,
    group: Uuid,
    _dir: Option<tempfile::TempDir>,
}

/// A deterministic sequence of small numbers, so every run loads the same journal.
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

async fn load(transactions: usize) -> Fixture {
    let (store, dir) = match std::env::var(POSTGRES_URL_ENV) {
        Ok(url) => (
            msai_ledger::store::connect(&url).await.expect("PostgreSQL"),
            None,
        ),
        Err(_) => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}", dir.path().join("reports.db").display());
            (
                msai_ledger::store::connect(&url).await.expect("SQLite"),
                Some(dir),
            )
        }
    };
    let hkd = Currency::parse("HKD").unwrap();
    let php = Currency::parse("PHP").unwrap();
    let group = match store
        .create_group(
            NewGroup {
                name: "Benchmark Savers".into(),
                currency: hkd,
                host_country: "HK".into(),
                home_country: "PH".into(),
                time_zone: chrono_tz::Asia::Hong_Kong,
                standard_chart: true,
            },
            None,
        )
        .await
        .expect("group")
    {
        Written::Created(g) => g.id,
        Written::Replayed(_) => unreachable!("no key was given"),
    };
    let joined = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let mut members = Vec::with_capacity(MEMBERS);
    for i in 0..MEMBERS {
        let member = NewMember {
            name: format!("Member {i}"),
            sex: if i % 3 == 0 { Sex::Male } else { Sex::Female },
            birth_year: Some(1970 + (i as i32 % 30)),
            home_country: "PH".into(),
            host_country: "HK".into(),
            occupation: None,
            contact: None,
            joined_on: joined,
        };
        match store
            .create_member(group, member, None)
            .await
            .expect("member")
        {
            Written::Created(r) => members.push(r.member.id),
            Written::Replayed(_) => unreachable!("no key was given"),
        }
    }
    let mut sequence = Sequence(20_261_127);
    let mut saved = vec![0i64; MEMBERS];
    let started = Instant::now();
    let mut written = 0;
    let mut day = joined;
    while written < transactions {
        let count = EVENTS_PER_MEETING.min(transactions - written);
        let mut events = Vec::with_capacity(count);
        for _ in 0..count {
            let who = sequence.next(MEMBERS as u64) as usize;
            let cents = 100 + sequence.next(50_000) as i64;
            let amount = format!("{}.{:02}", cents / 100, cents % 100);
            let (kind, fund, currency, channel) = match sequence.next(10) {
                0..=5 => (EventKind::Contribution, Fund::Savings, None, Channel::Cash),
                6 if saved[who] >= cents => {
                    (EventKind::Withdrawal, Fund::Savings, None, Channel::Cash)
                }
                7 => (
                    EventKind::Contribution,
                    Fund::SocialFund,
                    Some(php),
                    Channel::Remittance,
                ),
                _ => (EventKind::Contribution, Fund::Capital, None, Channel::Bank),
            };
            match (kind, fund) {
                (EventKind::Contribution, Fund::Savings) => saved[who] += cents,
                (EventKind::Withdrawal, _) => saved[who] -= cents,
                _ => {}
            }
            events.push(NewMemberEvent {
                kind,
                member_id: members[who],
                amount,
                currency,
                fund,
                channel,
                booked_on: day,
                receipt_no: None,
                created_by: None,
                audit: None,
            });
        }
        let meeting = NewMeeting {
            held_on: day,
            note: None,
            attendance: Vec::new(),
            events,
            created_by: None,
        };
        store
            .record_meeting(group, meeting, None)
            .await
            .expect("meeting");
        written += count;
        day = day.succ_opt().unwrap();
    }
    eprintln!(
        "loaded {written} transactions over {} days in {:.1} s",
        (day - joined).num_days(),
        started.elapsed().as_secs_f64()
    );
    Fixture {
        store,
        group,
        _dir: dir,
    }
}

fn reports(c: &mut Criterion) {
    let transactions = std::env::var(TRANSACTIONS_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runtime = Runtime::new().expect("runtime");
    let fixture = runtime.block_on(load(transactions));
    let store = fixture.store.clone();
    // The month-end balances the service's own task writes within minutes of a month's end,
    // unless the run is to time the reports without them.
    let close = std::env::var_os(OPEN_MONTHS_ENV).is_none();
    runtime.block_on(async {
        if !close {
            return;
        }
        let started = Instant::now();
        let today = chrono::Utc::now().date_naive();
        msai_ledger::closings::catch_up(store.as_ref(), today, || true)
            .await
            .expect("close months");
        eprintln!(
            "month-end balances written in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    });
    let group = fixture.group;
    let backend = store.backend();
    let mut bench = c.benchmark_group(format!("reports/{backend}/{transactions}"));
    bench
        .sample_size(20)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(2));

    bench.bench_function("trial_balance", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(store.trial_balance(group, None).await.unwrap()) })
    });
    bench.bench_function("financial_statements", |b| {
        b.to_async(&runtime).iter(|| async {
            let data = store.statement_data(group, None, None).await.unwrap();
            black_box(reports::financial_statements(&data))
        })
    });
    let mid = NaiveDate::from_ymd_opt(2020, 4, 15);
    bench.bench_function("financial_statements_to_a_date", |b| {
        b.to_async(&runtime).iter(|| async {
            let data = store.statement_data(group, None, mid).await.unwrap();
            black_box(reports::financial_statements(&data))
        })
    });
    bench.bench_function("trial_balance_to_a_date", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(store.trial_balance(group, mid).await.unwrap()) })
    });
    bench.bench_function("member_balances", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(store.member_balances(group, None).await.unwrap()) })
    });
    let month_start = NaiveDate::from_ymd_opt(2020, 3, 1);
    let month_end = NaiveDate::from_ymd_opt(2020, 3, 31);
    bench.bench_function("cash_book_one_day", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(store.cash_book(group, None, mid, mid).await.unwrap()) })
    });
    bench.bench_function("cash_book_one_month", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(
                store
                    .cash_book(group, None, month_start, month_end)
                    .await
                    .unwrap(),
            )
        })
    });
    bench.bench_function("investment_register", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(store.investment_register(group).await.unwrap()) })
    });
    bench.bench_function("distribution_audit", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(store.distribution_audit(group).await.unwrap()) })
    });
    bench
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    bench.bench_function("export_hledger", |b| {
        b.to_async(&runtime).iter(|| async {
            let j = store.export_journal(group, None, None).await.unwrap();
            black_box(export::hledger(
                &j.group,
                &j.accounts,
                &j.transactions,
                None,
                None,
            ))
        })
    });
    bench.finish();

    // The same journal for hledger, to time its balance report beside the service's.
    let journal = runtime.block_on(async {
        let j = store.export_journal(group, None, None).await.unwrap();
        export::hledger(&j.group, &j.accounts, &j.transactions, None, None)
    });
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/reports-bench.journal");
    let written = std::fs::create_dir_all(path.parent().expect("a directory"))
        .and_then(|()| std::fs::write(&path, journal));
    match written {
        Ok(()) => eprintln!("wrote the journal to {}", path.display()),
        Err(e) => eprintln!("could not write the journal to {}: {e}", path.display()),
    }
}

criterion_group!(benches, reports);
criterion_main!(benches);
