//! Property tests of the ledger's invariants, on both backends, through the HTTP API.
//!
//! A random journal is a sequence of steps over one group's chart of accounts in two
//! currencies (HKD with two decimals, JPY with none): balanced transfers and exchanges, and
//! requests that must be refused (unbalanced, balanced in total but not per currency,
//! overdrawing a no-overdraft account, too many decimals, zero amounts, unknown accounts,
//! reversing twice or reversing a reversal). Entries name their accounts by code or by id,
//! at random. The test keeps its own model of the ledger (totals per account in minor units,
//! the accepted transactions in order, the head hash), predicts each outcome before sending
//! the request, and after every step reads the ledger back through the API and holds it to
//! the model and to the double-entry invariants.

use crate::support;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestRunner};
use reqwest::StatusCode;
use serde_json::{Value, json};

use support::app::{Backend, Reply, TestApp};

/// Longest one generated case may run before it counts as hung.
const CASE_DEADLINE: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------
// Currencies and amounts, written independently of the service's own money code.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Currency {
    Hkd,
    Jpy,
}

impl Currency {
    fn code(self) -> &'static str {
        match self {
            Currency::Hkd => "HKD",
            Currency::Jpy => "JPY",
        }
    }

    fn exponent(self) -> u32 {
        match self {
            Currency::Hkd => 2,
            Currency::Jpy => 0,
        }
    }

    /// Largest amount a generated step moves, in minor units (HKD 1,000.00; JPY 50,000).
    fn max_step_minor(self) -> i64 {
        match self {
            Currency::Hkd => 100_000,
            Currency::Jpy => 50_000,
        }
    }

    fn of_code(code: &str) -> Currency {
        match code {
            "HKD" => Currency::Hkd,
            "JPY" => Currency::Jpy,
            other => panic!("the ledger reported a currency it was never given: {other}"),
        }
    }
}

fn any_currency() -> impl Strategy<Value = Currency> {
    prop_oneof![Just(Currency::Hkd), Just(Currency::Jpy)]
}

/// The canonical text of an amount: every decimal of the currency, a sign only when negative.
fn canonical(minor: i128, currency: Currency) -> String {
    let exponent = currency.exponent();
    let sign = if minor < 0 { "-" } else { "" };
    let magnitude = minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{magnitude}");
    }
    let scale = 10u128.pow(exponent);
    format!(
        "{sign}{}.{:0width$}",
        magnitude / scale,
        magnitude % scale,
        width = exponent as usize
    )
}

/// The canonical text with trailing zero decimals dropped, as a treasurer might type it.
fn shortened(minor: i64, currency: Currency) -> String {
    let full = canonical(i128::from(minor), currency);
    if !full.contains('.') {
        return full;
    }
    full.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Reads an amount the service sent, insisting that it is in canonical form.
fn minor_units(text: &str, currency: Currency) -> i128 {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, decimals) = digits.split_once('.').unwrap_or((digits, ""));
    assert_eq!(
        decimals.len(),
        currency.exponent() as usize,
        "{text:?} does not carry exactly the decimals of {}",
        currency.code()
    );
    let whole: i128 = whole
        .parse()
        .unwrap_or_else(|_| panic!("{text:?} is not an amount"));
    let fraction: i128 = if decimals.is_empty() {
        0
    } else {
        decimals
            .parse()
            .unwrap_or_else(|_| panic!("{text:?} is not an amount"))
    };
    let magnitude = whole * 10i128.pow(currency.exponent()) + fraction;
    let value = if negative { -magnitude } else { magnitude };
    assert_eq!(
        canonical(value, currency),
        text,
        "{text:?} is not the canonical form of its value"
    );
    value
}

/// What an amount text means for a currency, by the rules the API documents: digits, an
/// optional point followed by at most the currency's decimals, no leading zero, no sign, at
/// most 32 characters, greater than zero and at most 10^15 minor units.
fn expected_minor(text: &str, currency: Currency) -> Option<i128> {
    if text.len() > 32 {
        return None;
    }
    let (whole, decimals) = match text.split_once('.') {
        Some((whole, decimals)) => (whole, Some(decimals)),
        None => (text, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || (whole.len() > 1 && whole.starts_with('0')) {
        return None;
    }
    let decimals = match decimals {
        None => "",
        Some(d) if all_digits(d) && d.len() <= currency.exponent() as usize => d,
        Some(_) => return None,
    };
    let scale = 10u128.pow(currency.exponent());
    let whole: u128 = whole.parse().ok()?;
    let fraction: u128 = if decimals.is_empty() {
        0
    } else {
        decimals.parse::<u128>().ok()? * 10u128.pow(currency.exponent() - decimals.len() as u32)
    };
    let minor = whole.checked_mul(scale)?.checked_add(fraction)?;
    (1..=1_000_000_000_000_000u128)
        .contains(&minor)
        .then_some(minor as i128)
}

// ---------------------------------------------------------------------------------------------
// The chart of accounts every generated journal runs on.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Debit,
    Credit,
}

impl Side {
    fn as_str(self) -> &'static str {
        match self {
            Side::Debit => "debit",
            Side::Credit => "credit",
        }
    }

    fn opposite(self) -> Side {
        match self {
            Side::Debit => Side::Credit,
            Side::Credit => Side::Debit,
        }
    }

    fn of(text: &str) -> Side {
        match text {
            "debit" => Side::Debit,
            "credit" => Side::Credit,
            other => panic!("the ledger reported an unknown direction: {other}"),
        }
    }
}

struct AccountSpec {
    code: &'static str,
    kind: &'static str,
    currency: Currency,
    no_overdraft: bool,
}

impl AccountSpec {
    /// Assets and expenses grow with debits; liabilities and income with credits.
    fn normal_side(&self) -> Side {
        match self.kind {
            "asset" | "expense" => Side::Debit,
            _ => Side::Credit,
        }
    }
}

const fn account(
    code: &'static str,
    kind: &'static str,
    currency: Currency,
    no_overdraft: bool,
) -> AccountSpec {
    AccountSpec {
        code,
        kind,
        currency,
        no_overdraft,
    }
}

const CHART: [AccountSpec; 10] = [
    account("assets:cash:HKD", "asset", Currency::Hkd, false),
    account("assets:bank:HKD", "asset", Currency::Hkd, true),
    account("liabilities:savings:ana", "liability", Currency::Hkd, true),
    account("liabilities:savings:bea", "liability", Currency::Hkd, true),
    account("income:investments:HKD", "income", Currency::Hkd, false),
    account("expense:fees:HKD", "expense", Currency::Hkd, false),
    account("assets:cash:JPY", "asset", Currency::Jpy, false),
    account("liabilities:savings:chie", "liability", Currency::Jpy, true),
    account("income:investments:JPY", "income", Currency::Jpy, false),
    account("expense:fees:JPY", "expense", Currency::Jpy, false),
];

/// A code that names no account of any group.
const UNKNOWN_CODE: &str = "liabilities:savings:nobody";

fn accounts_in(currency: Currency) -> Vec<usize> {
    (0..CHART.len())
        .filter(|&i| CHART[i].currency == currency)
        .collect()
}

fn no_overdraft_accounts() -> Vec<usize> {
    (0..CHART.len())
        .filter(|&i| CHART[i].no_overdraft)
        .collect()
}

fn pick(index: &Index, candidates: &[usize]) -> usize {
    candidates[index.index(candidates.len())]
}

// ---------------------------------------------------------------------------------------------
// The model of one group's ledger.

/// One line of a transaction: account (index into CHART), side, amount in minor units.
type Line = (usize, Side, i64);

struct Posted {
    id: String,
    lines: Vec<Line>,
    /// Index of the transaction this one reverses.
    reverses: Option<usize>,
    /// Index of the transaction that reversed this one.
    reversed_by: Option<usize>,
}

struct Model {
    debits: Vec<i128>,
    credits: Vec<i128>,
    posted: Vec<Posted>,
    head_hash: String,
}

impl Model {
    fn new(genesis_hash: String) -> Model {
        Model {
            debits: vec![0; CHART.len()],
            credits: vec![0; CHART.len()],
            posted: Vec::new(),
            head_hash: genesis_hash,
        }
    }

    fn balance_of(account: usize, debits: i128, credits: i128) -> i128 {
        match CHART[account].normal_side() {
            Side::Debit => debits - credits,
            Side::Credit => credits - debits,
        }
    }

    fn balance(&self, account: usize) -> i128 {
        Self::balance_of(account, self.debits[account], self.credits[account])
    }

    fn apply(&mut self, lines: &[Line], id: String, hash: String, reverses: Option<usize>) {
        for &(account, side, minor) in lines {
            match side {
                Side::Debit => self.debits[account] += i128::from(minor),
                Side::Credit => self.credits[account] += i128::from(minor),
            }
        }
        let index = self.posted.len();
        if let Some(original) = reverses {
            self.posted[original].reversed_by = Some(index);
        }
        self.posted.push(Posted {
            id,
            lines: lines.to_vec(),
            reverses,
            reversed_by: None,
        });
        self.head_hash = hash;
    }

    /// Totals of debits (equal to credits in a balanced ledger) per currency.
    fn debits_per_currency(&self) -> BTreeMap<Currency, i128> {
        let mut totals = BTreeMap::new();
        for (account, spec) in CHART.iter().enumerate() {
            *totals.entry(spec.currency).or_insert(0) += self.debits[account];
        }
        totals
    }
}

// ---------------------------------------------------------------------------------------------
// Generated steps, the requests they become against the current model, and predictions.

#[derive(Debug, Clone)]
enum Step {
    /// A balanced two-entry transfer within one currency.
    Transfer {
        currency: Currency,
        debit: Index,
        credit: Index,
        minor: i64,
        shortened: bool,
    },
    /// Four entries in two currencies, balanced in each.
    Exchange {
        hkd: (Index, Index, i64),
        jpy: (Index, Index, i64),
    },
    /// Takes a share (1 to 100 percent) of what a no-overdraft account holds.
    Withdraw {
        account: Index,
        counter: Index,
        percent: u8,
    },
    /// Takes more than a no-overdraft account holds.
    Overdraw {
        account: Index,
        counter: Index,
        excess: i64,
    },
    /// Debits and credits differ within one currency.
    Unbalanced {
        currency: Currency,
        debit: Index,
        credit: Index,
        minor: i64,
        off_by: i64,
        debit_larger: bool,
    },
    /// The same number on both sides, but the sides are in different currencies.
    CrossCurrency {
        hkd: Index,
        jpy: Index,
        units: i64,
        hkd_side: bool,
    },
    /// One entry carries more decimals than its account's currency has.
    TooManyDecimals {
        currency: Currency,
        debit: Index,
        credit: Index,
        minor: i64,
        digit: u8,
        on_credit: bool,
    },
    /// One entry's amount is zero.
    Zero {
        currency: Currency,
        debit: Index,
        credit: Index,
        minor: i64,
        spelling: Index,
        on_credit: bool,
    },
    /// One entry names an account the group does not have, by code or by id.
    UnknownAccount {
        currency: Currency,
        known: Index,
        minor: i64,
        by_id: Option<u128>,
        unknown_first: bool,
    },
    /// Reverses any earlier transaction (which may be a reversal, or already reversed).
    Reverse { target: Index },
    /// Reverses a transaction that has already been reversed.
    ReverseAgain { target: Index },
    /// Reverses a transaction that was never posted.
    ReverseUnknown,
}

fn minor_in(currency: Currency) -> impl Strategy<Value = i64> {
    1..=currency.max_step_minor()
}

fn step() -> impl Strategy<Value = Step> {
    let transfer = (
        any_currency(),
        any::<Index>(),
        any::<Index>(),
        any::<bool>(),
    )
        .prop_flat_map(|(currency, debit, credit, shortened)| {
            minor_in(currency).prop_map(move |minor| Step::Transfer {
                currency,
                debit,
                credit,
                minor,
                shortened,
            })
        });
    let exchange = (
        (any::<Index>(), any::<Index>(), minor_in(Currency::Hkd)),
        (any::<Index>(), any::<Index>(), minor_in(Currency::Jpy)),
    )
        .prop_map(|(hkd, jpy)| Step::Exchange { hkd, jpy });
    let withdraw =
        (any::<Index>(), any::<Index>(), 1u8..=100).prop_map(|(account, counter, percent)| {
            Step::Withdraw {
                account,
                counter,
                percent,
            }
        });
    let overdraw =
        (any::<Index>(), any::<Index>(), 1i64..=10_000).prop_map(|(account, counter, excess)| {
            Step::Overdraw {
                account,
                counter,
                excess,
            }
        });
    let unbalanced = (
        any_currency(),
        any::<Index>(),
        any::<Index>(),
        1i64..=10_000,
        1i64..=5_000,
        any::<bool>(),
    )
        .prop_map(
            |(currency, debit, credit, minor, off_by, debit_larger)| Step::Unbalanced {
                currency,
                debit,
                credit,
                minor,
                off_by,
                debit_larger,
            },
        );
    let cross = (any::<Index>(), any::<Index>(), 1i64..=1_000, any::<bool>()).prop_map(
        |(hkd, jpy, units, hkd_side)| Step::CrossCurrency {
            hkd,
            jpy,
            units,
            hkd_side,
        },
    );
    let too_many_decimals = (
        any_currency(),
        any::<Index>(),
        any::<Index>(),
        1i64..=10_000,
        0u8..=9,
        any::<bool>(),
    )
        .prop_map(
            |(currency, debit, credit, minor, digit, on_credit)| Step::TooManyDecimals {
                currency,
                debit,
                credit,
                minor,
                digit,
                on_credit,
            },
        );
    let zero = (
        any_currency(),
        any::<Index>(),
        any::<Index>(),
        1i64..=10_000,
        any::<Index>(),
        any::<bool>(),
    )
        .prop_map(
            |(currency, debit, credit, minor, spelling, on_credit)| Step::Zero {
                currency,
                debit,
                credit,
                minor,
                spelling,
                on_credit,
            },
        );
    let unknown = (
        any_currency(),
        any::<Index>(),
        1i64..=10_000,
        proptest::option::of(any::<u128>()),
        any::<bool>(),
    )
        .prop_map(
            |(currency, known, minor, by_id, unknown_first)| Step::UnknownAccount {
                currency,
                known,
                minor,
                by_id,
                unknown_first,
            },
        );
    prop_oneof![
        30 => transfer,
        8 => exchange,
        8 => withdraw,
        5 => overdraw,
        4 => unbalanced,
        4 => cross,
        3 => too_many_decimals,
        3 => zero,
        3 => unknown,
        8 => any::<Index>().prop_map(|target| Step::Reverse { target }),
        4 => any::<Index>().prop_map(|target| Step::ReverseAgain { target }),
        1 => Just(Step::ReverseUnknown),
    ]
}

#[derive(Debug, Clone)]
enum Target {
    Known(usize),
    UnknownCode,
    UnknownId(u128),
}

#[derive(Debug, Clone)]
enum Amount {
    Valid { minor: i64, text: String },
    Zero(String),
    TooManyDecimals(String),
}

#[derive(Debug, Clone)]
struct PlannedEntry {
    target: Target,
    side: Side,
    amount: Amount,
}

#[derive(Debug, Clone)]
enum Request {
    Post(Vec<PlannedEntry>),
    /// Reversal of the model's transaction at this index, or of an id never posted.
    Reverse(Option<usize>),
}

fn valid(minor: i64, currency: Currency, shortened_text: bool) -> Amount {
    let text = if shortened_text {
        shortened(minor, currency)
    } else {
        canonical(i128::from(minor), currency)
    };
    Amount::Valid { minor, text }
}

fn known(account: usize, side: Side, amount: Amount) -> PlannedEntry {
    PlannedEntry {
        target: Target::Known(account),
        side,
        amount,
    }
}

/// Turns a generated step into a concrete request, given what the ledger holds now.
fn plan(step: &Step, model: &Model) -> Request {
    match step {
        Step::Transfer {
            currency,
            debit,
            credit,
            minor,
            shortened,
        } => {
            let pool = accounts_in(*currency);
            Request::Post(vec![
                known(
                    pick(debit, &pool),
                    Side::Debit,
                    valid(*minor, *currency, *shortened),
                ),
                known(
                    pick(credit, &pool),
                    Side::Credit,
                    valid(*minor, *currency, false),
                ),
            ])
        }
        Step::Exchange { hkd, jpy } => {
            let hkd_pool = accounts_in(Currency::Hkd);
            let jpy_pool = accounts_in(Currency::Jpy);
            Request::Post(vec![
                known(
                    pick(&hkd.0, &hkd_pool),
                    Side::Debit,
                    valid(hkd.2, Currency::Hkd, false),
                ),
                known(
                    pick(&jpy.1, &jpy_pool),
                    Side::Credit,
                    valid(jpy.2, Currency::Jpy, false),
                ),
                known(
                    pick(&jpy.0, &jpy_pool),
                    Side::Debit,
                    valid(jpy.2, Currency::Jpy, false),
                ),
                known(
                    pick(&hkd.1, &hkd_pool),
                    Side::Credit,
                    valid(hkd.2, Currency::Hkd, true),
                ),
            ])
        }
        Step::Withdraw {
            account,
            counter,
            percent,
        } => {
            let account = pick(account, &no_overdraft_accounts());
            let held = model.balance(account).max(0);
            let minor = (held * i128::from(*percent) / 100).max(1);
            reduce(account, counter, minor)
        }
        Step::Overdraw {
            account,
            counter,
            excess,
        } => {
            let account = pick(account, &no_overdraft_accounts());
            let minor = model.balance(account).max(0) + i128::from(*excess);
            reduce(account, counter, minor)
        }
        Step::Unbalanced {
            currency,
            debit,
            credit,
            minor,
            off_by,
            debit_larger,
        } => {
            let pool = accounts_in(*currency);
            let (d, c) = if *debit_larger {
                (minor + off_by, *minor)
            } else {
                (*minor, minor + off_by)
            };
            Request::Post(vec![
                known(pick(debit, &pool), Side::Debit, valid(d, *currency, false)),
                known(
                    pick(credit, &pool),
                    Side::Credit,
                    valid(c, *currency, false),
                ),
            ])
        }
        Step::CrossCurrency {
            hkd,
            jpy,
            units,
            hkd_side,
        } => {
            // Whole units, so the same text is a valid amount in both currencies.
            let hkd = pick(hkd, &accounts_in(Currency::Hkd));
            let jpy = pick(jpy, &accounts_in(Currency::Jpy));
            let (debit, credit) = if *hkd_side { (hkd, jpy) } else { (jpy, hkd) };
            let amount = |account: usize| Amount::Valid {
                minor: units * 10i64.pow(CHART[account].currency.exponent()),
                text: units.to_string(),
            };
            Request::Post(vec![
                known(debit, Side::Debit, amount(debit)),
                known(credit, Side::Credit, amount(credit)),
            ])
        }
        Step::TooManyDecimals {
            currency,
            debit,
            credit,
            minor,
            digit,
            on_credit,
        } => {
            let pool = accounts_in(*currency);
            let precise = canonical(i128::from(*minor), *currency);
            let text = if precise.contains('.') {
                format!("{precise}{digit}")
            } else {
                format!("{precise}.{digit}")
            };
            let good = valid(*minor, *currency, false);
            let bad = Amount::TooManyDecimals(text);
            let (d, c) = if *on_credit { (good, bad) } else { (bad, good) };
            Request::Post(vec![
                known(pick(debit, &pool), Side::Debit, d),
                known(pick(credit, &pool), Side::Credit, c),
            ])
        }
        Step::Zero {
            currency,
            debit,
            credit,
            minor,
            spelling,
            on_credit,
        } => {
            let pool = accounts_in(*currency);
            let spellings: &[&str] = match currency {
                Currency::Hkd => &["0", "0.0", "0.00"],
                Currency::Jpy => &["0"],
            };
            let zero = Amount::Zero(spellings[spelling.index(spellings.len())].to_string());
            let good = valid(*minor, *currency, false);
            let (d, c) = if *on_credit {
                (good, zero)
            } else {
                (zero, good)
            };
            Request::Post(vec![
                known(pick(debit, &pool), Side::Debit, d),
                known(pick(credit, &pool), Side::Credit, c),
            ])
        }
        Step::UnknownAccount {
            currency,
            known: account,
            minor,
            by_id,
            unknown_first,
        } => {
            let account = pick(account, &accounts_in(*currency));
            let unknown = PlannedEntry {
                target: match by_id {
                    Some(id) => Target::UnknownId(*id),
                    None => Target::UnknownCode,
                },
                side: Side::Debit,
                amount: valid(*minor, *currency, false),
            };
            let credit = known(account, Side::Credit, valid(*minor, *currency, false));
            if *unknown_first {
                Request::Post(vec![unknown, credit])
            } else {
                Request::Post(vec![credit, unknown])
            }
        }
        Step::Reverse { target } => reverse_any(target, model),
        Step::ReverseAgain { target } => {
            let reversed: Vec<usize> = (0..model.posted.len())
                .filter(|&i| model.posted[i].reversed_by.is_some())
                .collect();
            if reversed.is_empty() {
                reverse_any(target, model)
            } else {
                Request::Reverse(Some(pick(target, &reversed)))
            }
        }
        Step::ReverseUnknown => Request::Reverse(None),
    }
}

/// Moves `minor` out of a no-overdraft account, to another account of its currency.
fn reduce(account: usize, counter: &Index, minor: i128) -> Request {
    let currency = CHART[account].currency;
    let others: Vec<usize> = accounts_in(currency)
        .into_iter()
        .filter(|&i| i != account)
        .collect();
    let counter = pick(counter, &others);
    let minor = i64::try_from(minor).expect("generated amounts stay small");
    let side = CHART[account].normal_side().opposite();
    Request::Post(vec![
        known(account, side, valid(minor, currency, false)),
        known(counter, side.opposite(), valid(minor, currency, false)),
    ])
}

fn reverse_any(target: &Index, model: &Model) -> Request {
    if model.posted.is_empty() {
        Request::Reverse(None)
    } else {
        Request::Reverse(Some(target.index(model.posted.len())))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Refused {
        status: StatusCode,
        problem: &'static str,
        pointer: Option<String>,
    },
}

fn refused(status: StatusCode, problem: &'static str, pointer: Option<String>) -> Outcome {
    Outcome::Refused {
        status,
        problem,
        pointer,
    }
}

/// What the service must answer, following the documented order of its checks: each entry in
/// turn (its account, then its amount), then balance per currency, then overdraft in the order
/// the accounts first appear.
fn predict(request: &Request, model: &Model) -> Outcome {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    match request {
        Request::Post(entries) => {
            let mut lines = Vec::with_capacity(entries.len());
            for (i, entry) in entries.iter().enumerate() {
                let Target::Known(account) = entry.target else {
                    return refused(
                        unprocessable,
                        "unknown-account",
                        Some(format!("/entries/{i}/account")),
                    );
                };
                match &entry.amount {
                    Amount::Zero(_) => {
                        return refused(
                            unprocessable,
                            "non-positive-amount",
                            Some(format!("/entries/{i}/amount")),
                        );
                    }
                    Amount::TooManyDecimals(_) => {
                        return refused(
                            unprocessable,
                            "currency-mismatch",
                            Some(format!("/entries/{i}/amount")),
                        );
                    }
                    Amount::Valid { minor, .. } => lines.push((account, entry.side, *minor)),
                }
            }
            predict_lines(&lines, model)
        }
        Request::Reverse(None) => refused(StatusCode::NOT_FOUND, "not-found", None),
        Request::Reverse(Some(target)) => {
            let original = &model.posted[*target];
            if original.reversed_by.is_some() {
                refused(StatusCode::CONFLICT, "already-reversed", None)
            } else if original.reverses.is_some() {
                refused(StatusCode::CONFLICT, "reversal-of-reversal", None)
            } else {
                predict_lines(&mirror(&original.lines), model)
            }
        }
    }
}

fn mirror(lines: &[Line]) -> Vec<Line> {
    lines
        .iter()
        .map(|&(account, side, minor)| (account, side.opposite(), minor))
        .collect()
}

fn predict_lines(lines: &[Line], model: &Model) -> Outcome {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let mut net: BTreeMap<Currency, i128> = BTreeMap::new();
    // (account, first line, debits, credits) in the order accounts first appear.
    let mut touched: Vec<(usize, usize, i128, i128)> = Vec::new();
    for (line, &(account, side, minor)) in lines.iter().enumerate() {
        let signed = match side {
            Side::Debit => i128::from(minor),
            Side::Credit => -i128::from(minor),
        };
        *net.entry(CHART[account].currency).or_insert(0) += signed;
        let position = match touched.iter().position(|t| t.0 == account) {
            Some(position) => position,
            None => {
                touched.push((account, line, model.debits[account], model.credits[account]));
                touched.len() - 1
            }
        };
        match side {
            Side::Debit => touched[position].2 += i128::from(minor),
            Side::Credit => touched[position].3 += i128::from(minor),
        }
    }
    if net.values().any(|v| *v != 0) {
        return refused(unprocessable, "unbalanced", Some("/entries".into()));
    }
    for &(account, first_line, debits, credits) in &touched {
        if CHART[account].no_overdraft && Model::balance_of(account, debits, credits) < 0 {
            return refused(
                unprocessable,
                "overdraft",
                Some(format!("/entries/{first_line}/account")),
            );
        }
    }
    Outcome::Accepted
}

// ---------------------------------------------------------------------------------------------
// Driving one group through the API and reading it back.

struct Ledger<'a> {
    app: &'a TestApp,
    group: String,
    /// Account ids, in CHART order.
    ids: Vec<String>,
}

impl<'a> Ledger<'a> {
    async fn open(app: &'a TestApp, name: &str) -> (Ledger<'a>, Model) {
        let group = app.create_group(name).await;
        let mut ids = Vec::with_capacity(CHART.len());
        for spec in &CHART {
            ids.push(
                app.create_account(
                    &group,
                    spec.code,
                    spec.kind,
                    spec.currency.code(),
                    spec.no_overdraft,
                )
                .await,
            );
        }
        let reply = app.get(&format!("/v1/groups/{group}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let genesis = text(&reply.body["head_hash"]).to_string();
        (Ledger { app, group, ids }, Model::new(genesis))
    }

    fn path(&self, rest: &str) -> String {
        format!("/v1/groups/{}{rest}", self.group)
    }

    /// Sends the request; entry `i` names its account by id when bit `i` of `by_id` is set,
    /// and by code otherwise.
    async fn send(&self, request: &Request, model: &Model, by_id: u8) -> Reply {
        let key = uuid::Uuid::new_v4().to_string();
        match request {
            Request::Post(entries) => {
                let entries: Vec<Value> = entries
                    .iter()
                    .enumerate()
                    .map(|(n, e)| {
                        let account = match e.target {
                            Target::Known(i) if by_id & (1 << n) != 0 => self.ids[i].clone(),
                            Target::Known(i) => CHART[i].code.to_string(),
                            Target::UnknownCode => UNKNOWN_CODE.to_string(),
                            Target::UnknownId(n) => uuid::Uuid::from_u128(n).to_string(),
                        };
                        let amount = match &e.amount {
                            Amount::Valid { text, .. } => text,
                            Amount::Zero(text) | Amount::TooManyDecimals(text) => text,
                        };
                        json!({"account": account, "direction": e.side.as_str(), "amount": amount})
                    })
                    .collect();
                let body = json!({"description": "generated", "entries": entries});
                self.app
                    .post_with_key(&self.path("/transactions"), &key, &body)
                    .await
            }
            Request::Reverse(target) => {
                let id = match target {
                    Some(i) => model.posted[*i].id.clone(),
                    None => uuid::Uuid::new_v4().to_string(),
                };
                self.app
                    .post_with_key(
                        &self.path(&format!("/transactions/{id}/reversal")),
                        &key,
                        &json!({}),
                    )
                    .await
            }
        }
    }

    /// Every transaction of the journal, oldest first, following the cursor.
    async fn journal(&self) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..20 {
            let query = match &cursor {
                Some(c) => format!("/transactions?limit=500&cursor={c}"),
                None => "/transactions?limit=500".to_string(),
            };
            let reply = self.app.get(&self.path(&query)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            items.extend(reply.body["items"].as_array().expect("items").clone());
            match reply.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => return items,
            }
        }
        panic!("the journal did not end after 20 pages");
    }

    fn chart_index(&self, code: &str) -> usize {
        CHART
            .iter()
            .position(|spec| spec.code == code)
            .unwrap_or_else(|| panic!("the ledger lists an account nobody created: {code}"))
    }

    /// Holds everything the API shows of the group to the model and to the invariants.
    async fn check(&self, model: &Model, context: &str) {
        let n = model.posted.len();

        // The head: as many transactions as were accepted, ending at the last accepted hash
        // (so a refused request left the head where it was).
        let group = self.app.get(&self.path("")).await;
        assert_eq!(group.status, StatusCode::OK, "{context}: {}", group.body);
        assert_eq!(group.body["head_sequence"], json!(n), "{context}");
        assert_eq!(
            text(&group.body["head_hash"]),
            model.head_hash,
            "{context}: the head hash moved"
        );

        // Accounts: totals and balances as the model has them; no-overdraft never negative;
        // the signed sum of balances is zero in each currency.
        let accounts = self.app.get(&self.path("/accounts")).await;
        assert_eq!(
            accounts.status,
            StatusCode::OK,
            "{context}: {}",
            accounts.body
        );
        let items = accounts.body["items"].as_array().expect("items");
        assert_eq!(items.len(), CHART.len(), "{context}");
        let mut stored: Vec<(i128, i128)> = vec![(0, 0); CHART.len()];
        let mut signed_sum: BTreeMap<Currency, i128> = BTreeMap::new();
        for item in items {
            let i = self.chart_index(text(&item["code"]));
            let spec = &CHART[i];
            assert_eq!(text(&item["id"]), self.ids[i], "{context}");
            assert_eq!(text(&item["currency"]), spec.currency.code(), "{context}");
            let debits = minor_units(text(&item["debits"]), spec.currency);
            let credits = minor_units(text(&item["credits"]), spec.currency);
            let balance = minor_units(text(&item["balance"]), spec.currency);
            assert_eq!(
                (debits, credits, balance),
                (model.debits[i], model.credits[i], model.balance(i)),
                "{context}: debits, credits and balance of {}",
                spec.code
            );
            if spec.no_overdraft {
                assert!(balance >= 0, "{context}: {} is overdrawn", spec.code);
            }
            let signed = match spec.normal_side() {
                Side::Debit => balance,
                Side::Credit => -balance,
            };
            *signed_sum.entry(spec.currency).or_insert(0) += signed;
            stored[i] = (debits, credits);
        }
        for (currency, sum) in &signed_sum {
            assert_eq!(
                *sum,
                0,
                "{context}: balances in {} do not sum to zero",
                currency.code()
            );
        }

        // The journal: gapless sequences 1..n, exactly the accepted transactions in order,
        // each balanced per currency, and summing to every account's stored totals.
        let journal = self.journal().await;
        assert_eq!(journal.len(), n, "{context}: transactions in the journal");
        let mut sums: Vec<(i128, i128)> = vec![(0, 0); CHART.len()];
        for (position, transaction) in journal.iter().enumerate() {
            let posted = &model.posted[position];
            assert_eq!(
                transaction["sequence"],
                json!(position + 1),
                "{context}: sequence"
            );
            assert_eq!(text(&transaction["id"]), posted.id, "{context}");
            let id_of = |index: Option<usize>| match index {
                Some(i) => json!(model.posted[i].id),
                None => Value::Null,
            };
            assert_eq!(transaction["reverses"], id_of(posted.reverses), "{context}");
            assert_eq!(
                transaction["reversed_by"],
                id_of(posted.reversed_by),
                "{context}"
            );
            let mut net: BTreeMap<Currency, i128> = BTreeMap::new();
            let entries = transaction["entries"].as_array().expect("entries");
            assert_eq!(entries.len(), posted.lines.len(), "{context}");
            for (entry, &(account, side, minor)) in entries.iter().zip(&posted.lines) {
                let i = self.chart_index(text(&entry["account_code"]));
                let currency = Currency::of_code(text(&entry["currency"]));
                let amount = minor_units(text(&entry["amount"]), currency);
                let direction = Side::of(text(&entry["direction"]));
                assert_eq!(
                    (i, direction, amount),
                    (account, side, i128::from(minor)),
                    "{context}: an entry of sequence {}",
                    position + 1
                );
                match direction {
                    Side::Debit => {
                        sums[i].0 += amount;
                        *net.entry(currency).or_insert(0) += amount;
                    }
                    Side::Credit => {
                        sums[i].1 += amount;
                        *net.entry(currency).or_insert(0) -= amount;
                    }
                }
            }
            assert!(
                net.values().all(|v| *v == 0),
                "{context}: sequence {} does not balance per currency",
                position + 1
            );
        }
        for (i, spec) in CHART.iter().enumerate() {
            assert_eq!(
                stored[i], sums[i],
                "{context}: the stored totals of {} differ from the sums of its entries",
                spec.code
            );
        }

        // The service's own verification agrees.
        let verify = self.app.get(&self.path("/ledger/verify")).await;
        assert_eq!(verify.status, StatusCode::OK, "{context}: {}", verify.body);
        assert_eq!(verify.body["ok"], json!(true), "{context}: {}", verify.body);
        assert_eq!(verify.body["head_sequence"], json!(n), "{context}");
        assert_eq!(verify.body["transactions_checked"], json!(n), "{context}");
    }

    /// The trial balance and every statement at the end of a journal.
    async fn check_reports(&self, model: &Model) {
        let reply = self.app.get(&self.path("/trial-balance")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let expected = model.debits_per_currency();
        let totals = reply.body["totals"].as_array().expect("totals");
        assert_eq!(
            totals.len(),
            expected.len(),
            "one total per currency: {}",
            reply.body
        );
        for total in totals {
            let currency = Currency::of_code(text(&total["currency"]));
            let debits = minor_units(text(&total["debits"]), currency);
            let credits = minor_units(text(&total["credits"]), currency);
            assert_eq!(
                debits,
                credits,
                "trial balance in {} does not balance",
                currency.code()
            );
            assert_eq!(total["balanced"], json!(true), "{}", reply.body);
            assert_eq!(debits, expected[&currency], "{}", currency.code());
        }
        for (i, spec) in CHART.iter().enumerate() {
            let reply = self
                .app
                .get(&self.path(&format!("/accounts/{}/statement", spec.code)))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let lines = reply.body["lines"].as_array().expect("lines");
            let touching: usize = model
                .posted
                .iter()
                .map(|p| p.lines.iter().filter(|l| l.0 == i).count())
                .sum();
            assert_eq!(lines.len(), touching, "statement lines of {}", spec.code);
            let closing = minor_units(text(&reply.body["closing_balance"]), spec.currency);
            assert_eq!(
                closing,
                model.balance(i),
                "closing balance of {}",
                spec.code
            );
            if let Some(last) = lines.last() {
                assert_eq!(
                    minor_units(text(&last["balance"]), spec.currency),
                    closing,
                    "the running balance of {} ends at its closing balance",
                    spec.code
                );
            }
        }
    }
}

fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, found {value}"))
}

fn assert_outcome(expected: &Outcome, reply: &Reply, context: &str) {
    match expected {
        Outcome::Accepted => assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{context}: expected the request to be accepted: {}",
            reply.body
        ),
        Outcome::Refused {
            status,
            problem,
            pointer,
        } => {
            assert_eq!(
                (reply.status, reply.problem_type()),
                (*status, format!("/problems/{problem}").as_str()),
                "{context}: {}",
                reply.body
            );
            if let Some(pointer) = pointer {
                assert_eq!(reply.pointer(), pointer, "{context}: {}", reply.body);
            }
        }
    }
}

/// Runs one generated journal on a fresh group, checking after every step.
async fn run_journal(app: &TestApp, steps: Vec<(Step, u8)>) {
    let (ledger, mut model) = Ledger::open(app, "Generated journal").await;
    ledger.check(&model, "before the first step").await;
    for (number, (step, by_id)) in steps.iter().enumerate() {
        let request = plan(step, &model);
        let expected = predict(&request, &model);
        let context = format!("step {number} ({request:?}, by id: {by_id:#06b})");
        let reply = ledger.send(&request, &model, *by_id).await;
        assert_outcome(&expected, &reply, &context);
        if expected == Outcome::Accepted {
            let (lines, reverses) = match &request {
                Request::Post(entries) => (
                    entries
                        .iter()
                        .map(|e| match (&e.target, &e.amount) {
                            (Target::Known(account), Amount::Valid { minor, .. }) => {
                                (*account, e.side, *minor)
                            }
                            _ => unreachable!("an accepted request has only valid entries"),
                        })
                        .collect::<Vec<_>>(),
                    None,
                ),
                Request::Reverse(target) => {
                    let target = target.expect("only known transactions can be reversed");
                    (mirror(&model.posted[target].lines), Some(target))
                }
            };
            let body = &reply.body;
            assert_eq!(body["sequence"], json!(model.posted.len() + 1), "{context}");
            assert_eq!(
                text(&body["previous_hash"]),
                model.head_hash,
                "{context}: the new transaction does not chain to the head"
            );
            let echoed: Vec<(String, &str)> = body["entries"]
                .as_array()
                .expect("entries")
                .iter()
                .map(|e| (text(&e["amount"]).to_string(), text(&e["direction"])))
                .collect();
            let sent: Vec<(String, &str)> = lines
                .iter()
                .map(|&(account, side, minor)| {
                    (
                        canonical(i128::from(minor), CHART[account].currency),
                        side.as_str(),
                    )
                })
                .collect();
            assert_eq!(echoed, sent, "{context}: entries echoed back");
            let reversed_id = reverses.map(|t| json!(model.posted[t].id));
            assert_eq!(
                body["reverses"],
                reversed_id.unwrap_or(Value::Null),
                "{context}"
            );
            model.apply(
                &lines,
                text(&body["id"]).to_string(),
                text(&body["hash"]).to_string(),
                reverses,
            );
        }
        ledger.check(&model, &context).await;
    }
    ledger.check_reports(&model).await;
}

// ---------------------------------------------------------------------------------------------
// Running proptest cases against a service started once per backend.

fn cases(backend: Backend, sqlite: u32, postgres: u32) -> u32 {
    match backend {
        Backend::Sqlite => sqlite,
        Backend::Postgres => postgres,
    }
}

/// Runs `cases` generated values through `case`, each on the test's runtime and within
/// [`CASE_DEADLINE`], shrinking a failure to a minimal input (within bounds, so a failing run
/// still ends in reasonable time).
fn check_property<S, F, Fut>(cases: u32, strategy: S, case: F)
where
    S: Strategy,
    F: Fn(S::Value) -> Fut,
    Fut: Future<Output = ()>,
{
    let config = Config {
        cases,
        max_shrink_iters: 64,
        max_shrink_time: 60_000,
        failure_persistence: None,
        ..Config::default()
    };
    let handle = tokio::runtime::Handle::current();
    let result = tokio::task::block_in_place(|| {
        TestRunner::new(config).run(&strategy, |value| {
            handle.block_on(async {
                tokio::time::timeout(CASE_DEADLINE, case(value))
                    .await
                    .expect("a generated case did not finish in time: the service hangs");
            });
            Ok(())
        })
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

both_backends!(
    random_journals_keep_every_balance_equal_to_its_entries_and_every_currency_balanced,
    |app| async move {
        let steps = prop::collection::vec((step(), any::<u8>()), 20..=60);
        check_property(cases(app.backend, 32, 16), steps, |steps| {
            run_journal(&app, steps)
        });
    }
);

/// Any text a client might put in an amount: arbitrary strings, amount-like strings with the
/// usual mistakes, and the limits.
fn amount_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "\\PC{0,12}",
        "(0|[1-9][0-9]{0,15})(\\.[0-9]{0,4})?",
        "[0-9]{1,4}(\\.[0-9]{1,3})?",
        "0[0-9]{1,3}(\\.[0-9]{1,2})?",
        "[-+ ]?[0-9]{1,6}([.,][0-9]{0,3})?([eE][-+]?[0-9]{1,2})?[ ]?",
        "[0-9]{30,40}",
        prop::sample::select(vec![
            "0",
            "0.00",
            "0.01",
            "1",
            "1.",
            ".5",
            "1.5",
            "9999999999999.99",
            "10000000000000.00",
            "10000000000000.01",
            "999999999999999",
            "1000000000000000",
            "1000000000000001",
            "NaN",
            "Infinity",
            "1e3",
            "１",
            "",
        ])
        .prop_map(str::to_string),
    ]
}

struct EdgeLedger {
    group: String,
    accepted: AtomicI64,
}

async fn post_amount(app: &TestApp, edge: &EdgeLedger, currency: Currency, amount: String) {
    let (cash, income) = match currency {
        Currency::Hkd => ("assets:cash:HKD", "income:investments:HKD"),
        Currency::Jpy => ("assets:cash:JPY", "income:investments:JPY"),
    };
    let body = json!({"description": "amount at the edge", "entries": [
        {"account": cash, "direction": "debit", "amount": amount},
        {"account": income, "direction": "credit", "amount": amount},
    ]});
    let key = uuid::Uuid::new_v4().to_string();
    let reply = app
        .post_with_key(
            &format!("/v1/groups/{}/transactions", edge.group),
            &key,
            &body,
        )
        .await;
    let context = format!("amount {amount:?} in {}", currency.code());
    assert!(
        !reply.status.is_server_error(),
        "{context}: the service failed: {} {}",
        reply.status,
        reply.body
    );
    match expected_minor(&amount, currency) {
        Some(minor) => {
            assert_eq!(
                reply.status,
                StatusCode::CREATED,
                "{context}: {}",
                reply.body
            );
            let echoed = &reply.body["entries"];
            let canonical = canonical(minor, currency);
            assert_eq!(echoed[0]["amount"], json!(canonical), "{context}");
            assert_eq!(echoed[1]["amount"], json!(canonical), "{context}");
            edge.accepted.fetch_add(1, Ordering::SeqCst);
        }
        None => {
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{context}: {}",
                reply.body
            );
            assert_eq!(
                reply.pointer(),
                "/entries/0/amount",
                "{context}: {}",
                reply.body
            );
        }
    }
}

both_backends!(
    any_text_as_an_amount_is_echoed_canonically_or_refused_at_its_pointer,
    |app| async move {
        let group = app.create_group("Amounts at the edge").await;
        for (code, kind, currency) in [
            ("assets:cash:HKD", "asset", "HKD"),
            ("income:investments:HKD", "income", "HKD"),
            ("assets:cash:JPY", "asset", "JPY"),
            ("income:investments:JPY", "income", "JPY"),
        ] {
            app.create_account(&group, code, kind, currency, false)
                .await;
        }
        let edge = EdgeLedger {
            group,
            accepted: AtomicI64::new(0),
        };
        check_property(
            cases(app.backend, 512, 256),
            (any_currency(), amount_text()),
            |(currency, amount)| post_amount(&app, &edge, currency, amount),
        );
        // Exactly the accepted amounts were written, and the ledger still verifies.
        let accepted = edge.accepted.load(Ordering::SeqCst);
        let verify = app
            .get(&format!("/v1/groups/{}/ledger/verify", edge.group))
            .await;
        assert_eq!(verify.body["ok"], json!(true), "{}", verify.body);
        assert_eq!(verify.body["head_sequence"], json!(accepted));
    }
);
