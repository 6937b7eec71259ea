//! Balances on past dates, read from the month-end balances the service keeps
//! (`account_closings`): the same answers as the journal gives, whether the months are closed
//! yet or not, after a posting dated in a closed month, and with verification naming a stored
//! month-end balance that is not what its entries make.

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::app::TestApp;

/// One posting of the test's journal: its date, the account debited and the one credited
/// (codes), and the amount in cents.
type Posting<'a> = (&'a str, &'a str, &'a str, i64);

const CASH: &str = "assets:cash";
const SAVINGS: &str = "liabilities:savings:ana";
const FEES: &str = "income:fees";

/// One on a leap day, then over three months and into the last, several postings a month, the
/// last of January on its last day, and months without any posting for one of the accounts.
const JOURNAL: [Posting<'static>; 10] = [
    ("2024-02-29", CASH, SAVINGS, 1_234),
    ("2026-01-04", CASH, SAVINGS, 10_000),
    ("2026-01-31", CASH, SAVINGS, 2_550),
    ("2026-02-15", SAVINGS, CASH, 1_200),
    ("2026-02-15", CASH, FEES, 300),
    ("2026-03-01", CASH, SAVINGS, 40_000),
    ("2026-03-20", SAVINGS, CASH, 5_005),
    ("2026-05-09", CASH, FEES, 125),
    ("2026-07-31", CASH, SAVINGS, 777),
    ("2026-11-30", SAVINGS, CASH, 100),
];

/// The dates the balances are asked for: month ends (a leap February's among them), first days
/// and days within months, the day before the first posting, and dates of months with no
/// posting at all.
const DATES: [&str; 17] = [
    "2024-02-28",
    "2024-02-29",
    "2024-03-01",
    "2026-01-03",
    "2026-01-04",
    "2026-01-30",
    "2026-01-31",
    "2026-02-14",
    "2026-02-28",
    "2026-03-01",
    "2026-04-15",
    "2026-04-30",
    "2026-06-01",
    "2026-06-30",
    "2026-07-31",
    "2026-11-29",
    "2026-12-01",
];

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

/// `cents` as the API writes an HKD amount.
fn amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// The balance on its normal side of `account` at the end of `on`, by the journal alone.
fn expected(journal: &[Posting<'_>], account: &str, on: &str) -> i64 {
    let debit_normal = account.starts_with("assets");
    journal
        .iter()
        .filter(|(booked_on, ..)| date(booked_on) <= date(on))
        .map(|&(_, debit, credit, cents)| {
            let debited = if debit == account { cents } else { 0 };
            let credited = if credit == account { cents } else { 0 };
            if debit_normal {
                debited - credited
            } else {
                credited - debited
            }
        })
        .sum()
}

/// Posts `posting`; the transaction's id.
async fn post(
    app: &TestApp,
    group: &str,
    (booked_on, debit, credit, cents): Posting<'_>,
) -> String {
    let reply = app
        .post_with_key(
            &format!("/v1/groups/{group}/transactions"),
            &uuid::Uuid::new_v4().to_string(),
            &json!({"booked_on": booked_on, "description": format!("{debit} from {credit}"), "entries": [
                {"account": debit, "direction": "debit", "amount": amount(cents)},
                {"account": credit, "direction": "credit", "amount": amount(cents)},
            ]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"]
        .as_str()
        .expect("transaction id")
        .to_string()
}

/// The amount of `code`'s line in a section of the balance sheet; zero when it has none.
fn sheet_line(section: &Value, code: &str) -> String {
    section
        .as_array()
        .expect("balance sheet lines")
        .iter()
        .find(|l| l["code"] == code)
        .map_or_else(
            || amount(0),
            |l| l["amount"].as_str().expect("amount").to_string(),
        )
}

/// Every way the API answers a balance on a past date, for every account and date, against
/// the journal: the account as of the date, its line of the trial balance, the opening
/// balance of a statement that starts the next day, and the balance sheet to the date.
async fn assert_balances(app: &TestApp, group: &str, journal: &[Posting<'_>], stage: &str) {
    for on in DATES {
        let trial = app
            .get(&format!("/v1/groups/{group}/trial-balance?as_of={on}"))
            .await;
        assert_eq!(trial.status, StatusCode::OK, "{}", trial.body);
        let next = date(on).succ_opt().expect("a next day");
        let statements = app
            .get(&format!(
                "/v1/groups/{group}/reports/financial-statements?to={on}"
            ))
            .await;
        assert_eq!(statements.status, StatusCode::OK, "{}", statements.body);
        let sheet = &statements.body["currencies"][0]["balance_sheet"];
        assert_eq!(
            sheet_line(&sheet["assets"], CASH),
            amount(expected(journal, CASH, on)),
            "{stage}: the balance sheet's cash to {on}"
        );
        assert_eq!(
            sheet_line(&sheet["liabilities"], SAVINGS),
            amount(expected(journal, SAVINGS, on)),
            "{stage}: the balance sheet's savings to {on}"
        );
        for account in [CASH, SAVINGS, FEES] {
            let want = amount(expected(journal, account, on));
            let one = app
                .get(&format!("/v1/groups/{group}/accounts/{account}?as_of={on}"))
                .await;
            assert_eq!(one.status, StatusCode::OK, "{}", one.body);
            assert_eq!(one.body["balance"], want, "{stage}: {account} as of {on}");
            let line = trial.body["accounts"]
                .as_array()
                .expect("trial balance lines")
                .iter()
                .find(|l| l["code"] == account)
                .expect("the account's line");
            assert_eq!(
                line["balance"], want,
                "{stage}: {account} in the trial balance of {on}"
            );
            let statement = app
                .get(&format!(
                    "/v1/groups/{group}/accounts/{account}/statement?from={next}"
                ))
                .await;
            assert_eq!(statement.status, StatusCode::OK, "{}", statement.body);
            assert_eq!(
                statement.body["opening_balance"], want,
                "{stage}: {account}'s statement from {next}"
            );
        }
    }
}

/// A new group with the test's three accounts and `JOURNAL` posted; the group's id and the
/// ids of `JOURNAL`'s transactions.
async fn group_with_journal(app: &TestApp, name: &str) -> (String, Vec<String>) {
    let group = app.create_group(name).await;
    app.create_account(&group, CASH, "asset", "HKD", false)
        .await;
    app.create_account(&group, SAVINGS, "liability", "HKD", false)
        .await;
    app.create_account(&group, FEES, "income", "HKD", false)
        .await;
    let mut ids = Vec::new();
    for posting in JOURNAL {
        ids.push(post(app, &group, posting).await);
    }
    (group, ids)
}

/// The day the tests close months as of, as the service's own task would on it: every month
/// through November 2026 may be closed, and `DATES` holds dates on either side of that. Fixed,
/// so that the dates after the closed months stay after them whatever the calendar says.
const TODAY: &str = "2026-12-07";

/// Closes every month that may be closed on `TODAY`, as the service's own task does.
async fn close_months(app: &TestApp) -> msai_ledger::closings::CatchUp {
    msai_ledger::closings::catch_up(app.store.as_ref(), date(TODAY), || true)
        .await
        .expect("close months")
}

async fn verification(app: &TestApp, group: &str) -> Value {
    let reply = app.get(&format!("/v1/groups/{group}/ledger/verify")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

both_backends!(
    balances_on_past_dates_agree_with_the_journal_before_and_after_months_close_and_reopen,
    |app| async move {
        let (group, ids) = group_with_journal(&app, "Month ends").await;
        let mut journal = JOURNAL.to_vec();
        assert_balances(&app, &group, &journal, "before any month is closed").await;

        close_months(&app).await;
        assert_balances(&app, &group, &journal, "with the months closed").await;
        assert_eq!(verification(&app, &group).await["ok"], true);

        // The balances of February's closed months are read from its month-end balances: one
        // changed behind the service's back changes them, and verification names it.
        let changed = app
            .behind_the_back(
                "UPDATE account_closings SET credits_minor = credits_minor + 1000 \
             WHERE month_end = '2026-02-28'",
            )
            .await;
        assert_eq!(changed, 3, "each account had entries in February");
        let tampered = app
            .get(&format!(
                "/v1/groups/{group}/accounts/{SAVINGS}?as_of=2026-03-10"
            ))
            .await;
        assert_eq!(
            tampered.body["balance"],
            amount(expected(&journal, SAVINGS, "2026-03-10") + 1000)
        );
        let verified = verification(&app, &group).await;
        assert_eq!(verified["ok"], false, "{verified}");
        assert_eq!(
            verified["failure"]["kind"], "closing_mismatch",
            "{verified}"
        );
        app.behind_the_back(
            "UPDATE account_closings SET credits_minor = credits_minor - 1000 \
             WHERE month_end = '2026-02-28'",
        )
        .await;
        assert_eq!(verification(&app, &group).await["ok"], true);

        // A write dated in a closed month reopens it and every month after: the balances from
        // then on count it at once, before the months are closed again. Each in turn: a
        // posting on a month's last day (whose own month-end balance it makes wrong), a
        // reversal, booked on its original's date, a posting on a month's first day, and one
        // on a leap day, in the first month of the journal.
        let reversed = JOURNAL
            .iter()
            .position(|p| p.0 == "2026-03-20")
            .expect("the posting reversed");
        let (on, debit, credit, cents) = JOURNAL[reversed];
        let late: [(Posting, Option<&str>); 4] = [
            (("2026-02-28", CASH, SAVINGS, 999), None),
            ((on, credit, debit, cents), Some(ids[reversed].as_str())),
            (("2026-06-01", SAVINGS, CASH, 58), None),
            (("2024-02-29", CASH, FEES, 4_321), None),
        ];
        for (posting, reverses) in late {
            match reverses {
                None => {
                    post(&app, &group, posting).await;
                }
                Some(original) => {
                    let reply = app
                        .post_with_key(
                            &format!("/v1/groups/{group}/transactions/{original}/reversal"),
                            &uuid::Uuid::new_v4().to_string(),
                            &json!({}),
                        )
                        .await;
                    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
                    assert_eq!(reply.body["booked_on"], posting.0, "{}", reply.body);
                }
            }
            journal.push(posting);
            let stage = format!("after a write dated {} in a closed month", posting.0);
            assert_balances(&app, &group, &journal, &stage).await;
            assert_eq!(verification(&app, &group).await["ok"], true, "{stage}");
            close_months(&app).await;
            let stage = format!("with the months closed again after {}", posting.0);
            assert_balances(&app, &group, &journal, &stage).await;
            assert_eq!(verification(&app, &group).await["ok"], true, "{stage}");
        }
    }
);

/// `id` as a literal of the service's database (a BLOB on SQLite, a uuid on PostgreSQL).
fn id_literal(app: &TestApp, id: &str) -> String {
    match app.backend {
        crate::support::app::Backend::Sqlite => format!("X'{}'", id.replace('-', "")),
        crate::support::app::Backend::Postgres => format!("'{id}'"),
    }
}

both_backends!(
    a_group_whose_months_cannot_be_closed_does_not_hold_back_the_others,
    |app| async move {
        let mut groups = Vec::new();
        for name in ["First", "Second"] {
            groups.push(group_with_journal(&app, name).await.0);
        }
        groups.sort();
        let (stuck, other) = (&groups[0], &groups[1]);
        // A stray month-end row, written behind the service's back where its own will go:
        // every step of the first group (in id order) fails.
        let stray = app
            .behind_the_back(&format!(
                "INSERT INTO account_closings (group_id, account_id, month_end, debits_minor, credits_minor) \
                 SELECT group_id, id, '2024-02-29', 0, 0 FROM accounts \
                 WHERE group_id = {} AND code = '{CASH}'",
                id_literal(&app, stuck)
            ))
            .await;
        assert_eq!(stray, 1);
        let caught_up = close_months(&app).await;
        assert_eq!(
            caught_up.failing, 1,
            "the first group is reported as failing: {caught_up:?}"
        );
        assert!(caught_up.steps > 0, "{caught_up:?}");
        let closed = |group: &str| {
            format!(
                "UPDATE groups SET name = name WHERE id = {} AND closings_through IS NOT NULL",
                id_literal(&app, group)
            )
        };
        assert_eq!(
            app.behind_the_back(&closed(stuck)).await,
            0,
            "the first group's step fails"
        );
        assert_eq!(
            app.behind_the_back(&closed(other)).await,
            1,
            "the second group is closed all the same"
        );
        assert_balances(
            &app,
            other,
            &JOURNAL,
            "the group closed after a failing one",
        )
        .await;
        // The stray row is what verification names.
        let verified = verification(&app, stuck).await;
        assert_eq!(
            verified["failure"]["kind"], "closing_mismatch",
            "{verified}"
        );
    }
);

both_backends!(
    a_contribution_dated_in_a_closed_month_reopens_it,
    |app| async move {
        let group = app.create_group("Late savings").await;
        app.create_account(&group, CASH, "asset", "HKD", false)
            .await;
        let member = app
            .post(
                &format!("/v1/groups/{group}/members"),
                &json!({"name": "Ana", "sex": "female", "birth_year": 1990, "home_country": "PH",
                        "host_country": "HK", "joined_on": "2026-01-01"}),
            )
            .await;
        assert_eq!(member.status, StatusCode::CREATED, "{}", member.body);
        let savings = member.body["accounts"]["savings"]["code"]
            .as_str()
            .expect("the member's savings account")
            .to_string();
        let contribute = |booked_on: &'static str, amount: &'static str| {
            let app = &app;
            let group = &group;
            let member_id = member.body["id"].clone();
            async move {
                let reply = app
                    .post_with_key(
                        &format!("/v1/groups/{group}/contributions"),
                        &uuid::Uuid::new_v4().to_string(),
                        &json!({"member_id": member_id, "amount": amount, "fund": "savings",
                                "channel": "cash", "booked_on": booked_on}),
                    )
                    .await;
                assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            }
        };
        contribute("2026-01-10", "100.00").await;
        contribute("2026-03-10", "50.00").await;
        close_months(&app).await;
        // Dated on the last day of a closed month, between the two.
        contribute("2026-02-28", "25.00").await;
        let balance_on = |on: &'static str| {
            let app = &app;
            let path = format!("/v1/groups/{group}/accounts/{savings}?as_of={on}");
            async move {
                let reply = app.get(&path).await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
                reply.body["balance"].as_str().expect("balance").to_string()
            }
        };
        for stage in ["before closing again", "after closing again"] {
            for (on, want) in [
                ("2026-02-27", "100.00"),
                ("2026-02-28", "125.00"),
                ("2026-03-09", "125.00"),
                ("2026-03-31", "175.00"),
                ("2026-12-01", "175.00"),
            ] {
                assert_eq!(balance_on(on).await, want, "{stage}: savings as of {on}");
            }
            assert_eq!(verification(&app, &group).await["ok"], true, "{stage}");
            close_months(&app).await;
        }
    }
);

both_backends!(
    a_trial_balance_on_a_past_date_over_more_accounts_than_one_statement_reads,
    |app| async move {
        // More accounts than one statement asks about at a time, each with entries in the
        // closed months and one in a month left open.
        const BOXES: i64 = 57;
        let group = app.create_group("Many boxes").await;
        app.create_account(&group, SAVINGS, "liability", "HKD", false)
            .await;
        let code = |n: i64| format!("assets:box:{n:02}");
        for n in 0..BOXES {
            app.create_account(&group, &code(n), "asset", "HKD", false)
                .await;
        }
        let codes: Vec<String> = (0..BOXES).map(code).collect();
        let days: Vec<String> = (0..BOXES)
            .map(|n| format!("2026-01-{:02}", n % 28 + 1))
            .collect();
        let mut journal: Vec<Posting<'_>> = Vec::new();
        for (n, (box_code, day)) in (1..).zip(codes.iter().zip(&days)) {
            journal.push((day, box_code, SAVINGS, 100 * n));
            journal.push(("2026-03-31", SAVINGS, box_code, n));
            journal.push(("2026-12-02", box_code, SAVINGS, 7));
        }
        for posting in &journal {
            post(&app, &group, *posting).await;
        }
        close_months(&app).await;
        for on in ["2026-01-15", "2026-02-28", "2026-04-01", "2026-12-02"] {
            let trial = app
                .get(&format!("/v1/groups/{group}/trial-balance?as_of={on}"))
                .await;
            assert_eq!(trial.status, StatusCode::OK, "{}", trial.body);
            let lines = trial.body["accounts"].as_array().expect("lines");
            for box_code in &codes {
                let line = lines
                    .iter()
                    .find(|l| l["code"] == box_code.as_str())
                    .unwrap_or_else(|| panic!("{box_code}'s line"));
                assert_eq!(
                    line["balance"],
                    amount(expected(&journal, box_code, on)),
                    "{box_code} as of {on}"
                );
            }
        }
        assert_eq!(verification(&app, &group).await["ok"], true);
    }
);
