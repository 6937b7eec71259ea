//! Hostile input for the three parsers a client's bytes reach first: the amount parser, the
//! canonical JSON encoding behind the hash chain and idempotency, and the meeting CSV import.
//! None may panic, every refusal must say what is wrong (and where), and what is accepted must
//! mean exactly one thing.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use msai_ledger::domain::account::Direction;
use msai_ledger::domain::canonical::to_canonical_string;
use msai_ledger::domain::hash::{GENESIS_HASH, HashEntry, HashInput, chain_hash};
use msai_ledger::domain::money::{
    AmountError, Currency, MAX_AMOUNT_LEN, MAX_AMOUNT_MINOR, format_amount, format_total,
    parse_amount,
};
use msai_ledger::http::meetings::MeetingSheet;
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value, json};
use uuid::Uuid;

fn currency(code: &str) -> Currency {
    Currency::parse(code).unwrap()
}

/// Currencies with 0, 2 and 3 decimals.
fn any_currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec!["JPY", "HKD", "KWD"]).prop_map(currency)
}

// ---------------------------------------------------------------------------------------------
// Amounts

/// The canonical form of an amount string the parser accepted: its decimals padded to the
/// currency's scale (`"1.5"` HKD is `"1.50"`).
fn canonical_amount(text: &str, currency: Currency) -> String {
    let exponent = currency.exponent() as usize;
    let (units, decimals) = text.split_once('.').unwrap_or((text, ""));
    if exponent == 0 {
        return units.to_string();
    }
    format!("{units}.{decimals:0<exponent$}")
}

/// Checks what the parser said about `text`: an accepted amount is in range and prints back as
/// the canonical form of `text`; a refusal is a message a treasurer can act on.
fn check_amount(text: &str, currency: Currency) -> Result<i64, AmountError> {
    let parsed = parse_amount(text, currency);
    match &parsed {
        Ok(minor) => {
            assert!(
                (0..=MAX_AMOUNT_MINOR).contains(minor),
                "{text:?} gave {minor}"
            );
            assert_eq!(
                format_amount(*minor, currency),
                canonical_amount(text, currency),
                "{text:?} in {currency}"
            );
        }
        Err(error) => {
            let message = error.to_string();
            assert!(
                message.starts_with("must ")
                    || message.starts_with("is ")
                    || message.starts_with("has "),
                "{text:?}: unclear refusal {message:?}"
            );
            if let AmountError::TooManyDecimals { .. } = error {
                assert!(message.contains(currency.code()), "{message}");
            }
        }
    }
    parsed
}

/// A valid amount string in `currency`, with from none to all of its decimals.
fn valid_amount() -> impl Strategy<Value = (String, Currency)> {
    (any_currency(), 0..=MAX_AMOUNT_MINOR, 0u32..=3).prop_map(|(currency, minor, drop)| {
        let mut text = format_amount(minor, currency);
        for _ in 0..drop.min(currency.exponent()) {
            if text.contains('.') && text.ends_with('0') {
                text.pop();
            }
        }
        if text.ends_with('.') {
            text.pop();
        }
        (text, currency)
    })
}

/// Ways of turning a valid amount into one that must be refused.
#[derive(Debug, Clone)]
enum Spoil {
    Prefix(&'static str),
    Suffix(&'static str),
    Insert(usize, &'static str),
    /// Replace one ASCII digit by the same digit from another script (or full width).
    UnicodeDigit(usize, char),
    LeadingZero,
    /// Repeat the whole integer part so the amount is too long or too large.
    Lengthen(usize),
}

fn spoil() -> impl Strategy<Value = Spoil> {
    prop_oneof![
        prop::sample::select(vec![
            "+", "-", " ", "\t", "\u{a0}", ".", "\u{feff}", "0x", "−"
        ])
        .prop_map(Spoil::Prefix),
        prop::sample::select(vec![
            "e3", "E-2", " ", "\n", ".", "%", "\u{0}", "HKD", "..0", ".-1", "f"
        ])
        .prop_map(Spoil::Suffix),
        (
            0usize..40,
            prop::sample::select(vec![",", "_", " ", "'", "\u{202f}", "..", "e", "+", "-"])
        )
            .prop_map(|(at, s)| Spoil::Insert(at, s)),
        (
            0usize..40,
            prop::sample::select(vec!['١', '５', '۳', '߂', '𝟗', '²', '½'])
        )
            .prop_map(|(at, c)| Spoil::UnicodeDigit(at, c)),
        Just(Spoil::LeadingZero),
        (2usize..6).prop_map(Spoil::Lengthen),
    ]
}

fn apply(text: &str, spoil: &Spoil) -> String {
    match spoil {
        Spoil::Prefix(p) => format!("{p}{text}"),
        Spoil::Suffix(s) => format!("{text}{s}"),
        Spoil::Insert(at, s) => {
            let at = at % (text.len() + 1);
            // The strings spoiled here are ASCII, so any byte index is a char boundary.
            format!("{}{s}{}", &text[..at], &text[at..])
        }
        Spoil::UnicodeDigit(at, c) => {
            let digits: Vec<usize> = text
                .char_indices()
                .filter(|(_, ch)| ch.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            let i = digits[at % digits.len()];
            format!("{}{c}{}", &text[..i], &text[i + 1..])
        }
        Spoil::LeadingZero => format!("0{text}"),
        Spoil::Lengthen(times) => {
            let (units, decimals) = text.split_once('.').unwrap_or((text, ""));
            let units = if units == "0" { "9" } else { units };
            let units = units.repeat(*times);
            if decimals.is_empty() {
                units
            } else {
                format!("{units}.{decimals}")
            }
        }
    }
}

proptest! {
    #![proptest_config(Config::with_cases(4000))]

    #[test]
    fn arbitrary_text_never_panics_and_every_refusal_says_why(
        text in prop_oneof![
            "\\PC{0,40}",
            "[0-9.]{0,40}",
            "[-+0-9.eE, _]{0,20}",
            any::<String>(),
        ],
        currency in any_currency(),
    ) {
        if let Ok(minor) = check_amount(&text, currency) {
            // Only plain ASCII digits with at most one point are ever accepted.
            prop_assert!(text.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
            prop_assert!(text.matches('.').count() <= 1);
            prop_assert_eq!(parse_amount(&format_amount(minor, currency), currency), Ok(minor));
        }
    }

    #[test]
    fn near_valid_amounts_are_refused_with_a_reason(
        (text, currency) in valid_amount(),
        spoil in spoil(),
    ) {
        let spoiled = apply(&text, &spoil);
        let result = check_amount(&spoiled, currency);
        match spoil {
            // Longer: refused for its length or its size, never wrapped around.
            Spoil::Lengthen(_) => match result {
                Ok(minor) => prop_assert_eq!(
                    u128::try_from(minor).unwrap(),
                    exact_minor(&spoiled, currency)
                ),
                Err(e) => prop_assert!(
                    matches!(e, AmountError::TooLarge | AmountError::TooLong),
                    "{:?}: {:?}", spoiled, e
                ),
            },
            // A leading zero before "0." or a lone "0" gives "00...", still malformed.
            _ => prop_assert!(
                matches!(result, Err(AmountError::Syntax | AmountError::TooLong)),
                "{:?} ({:?}) gave {:?}", spoiled, spoil, result
            ),
        }
    }

    #[test]
    fn accepted_amounts_round_trip((text, currency) in valid_amount()) {
        let minor = check_amount(&text, currency).expect("a valid amount");
        prop_assert_eq!(format_amount(minor, currency), canonical_amount(&text, currency));
    }

    #[test]
    fn every_amount_in_range_prints_and_parses_back(
        minor in 0..=MAX_AMOUNT_MINOR,
        currency in any_currency(),
    ) {
        let text = format_amount(minor, currency);
        prop_assert_eq!(parse_amount(&text, currency), Ok(minor));
        prop_assert_eq!(format_total(i128::from(minor), currency), text);
    }

    #[test]
    fn amounts_past_the_maximum_are_refused_not_wrapped(
        over in 1u128..=u128::from(u64::MAX) * 1000,
        currency in any_currency(),
    ) {
        let minor = u128::try_from(MAX_AMOUNT_MINOR).unwrap() + over;
        let text = format_total(i128::try_from(minor).unwrap(), currency);
        let result = check_amount(&text, currency);
        if text.len() > MAX_AMOUNT_LEN {
            prop_assert_eq!(result, Err(AmountError::TooLong));
        } else {
            prop_assert_eq!(result, Err(AmountError::TooLarge));
        }
    }
}

/// The exact number of minor units `text` stands for, for strings of plain digits.
fn exact_minor(text: &str, currency: Currency) -> u128 {
    let exponent = currency.exponent();
    let (units, decimals) = text.split_once('.').unwrap_or((text, ""));
    let units: u128 = units.parse().unwrap();
    let decimals: u128 = if decimals.is_empty() {
        0
    } else {
        decimals.parse::<u128>().unwrap() * 10u128.pow(exponent - decimals.len() as u32)
    };
    units * 10u128.pow(exponent) + decimals
}

#[test]
fn the_largest_amounts_are_exact_and_one_more_is_refused() {
    for (code, max, over) in [
        ("JPY", "1000000000000000", "1000000000000001"),
        ("HKD", "10000000000000.00", "10000000000000.01"),
        ("KWD", "1000000000000.000", "1000000000000.001"),
    ] {
        let currency = currency(code);
        assert_eq!(check_amount(max, currency), Ok(MAX_AMOUNT_MINOR), "{code}");
        assert_eq!(check_amount(over, currency), Err(AmountError::TooLarge));
        let many_digits = "9".repeat(MAX_AMOUNT_LEN);
        assert_eq!(
            check_amount(&many_digits, currency),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            check_amount(&format!("{many_digits}9"), currency),
            Err(AmountError::TooLong)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Canonical JSON

/// Keys that differ only in ways a careless encoder could lose: case, spacing, escapes,
/// Unicode normalisation, invisible characters.
const CLOSE_KEYS: [&str; 14] = [
    "a",
    "A",
    "a ",
    " a",
    "a\u{0}",
    "\"a\"",
    "a\\",
    "é",
    "e\u{301}",
    "\u{feff}a",
    "",
    "🙂",
    "a\nb",
    "a\\nb",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(CLOSE_KEYS.to_vec()).prop_map(str::to_string),
        1 => "\\PC{0,8}",
    ]
}

/// Numbers that print and parse back exactly, including the extremes of each kind.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(vec![
            json!(0),
            json!(-1),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(0.5),
            json!(1.0),
            json!(-2.25),
            json!(1e300),
            json!(9007199254740993u64),
        ]),
        (-1_000_000i32..1_000_000, 0u32..4)
            .prop_map(|(m, e)| json!(f64::from(m) / f64::from(1u32 << e))),
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        key().prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Small values from a tiny alphabet, so that two drawn independently are often equal or
/// nearly so: where an encoding could confuse two values, it shows.
fn close_json() -> impl Strategy<Value = Value> {
    let leaf = prop::sample::select(vec![
        Value::Null,
        json!(true),
        json!(false),
        json!(0),
        json!(1),
        json!(1.0),
        json!(-1),
        json!("1"),
        json!(""),
        json!("a"),
        json!("é"),
        json!("e\u{301}"),
        json!("null"),
        json!([]),
        json!({}),
    ]);
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec(
                (prop::sample::select(CLOSE_KEYS[..4].to_vec()), inner),
                0..3
            )
            .prop_map(|pairs| Value::Object(
                pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

/// `value` with every object rebuilt with its keys inserted in reverse order.
fn reversed_keys(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(reversed_keys).collect()),
        Value::Object(map) => {
            let mut rebuilt = Map::new();
            for (key, item) in map.iter().rev() {
                rebuilt.insert(key.clone(), reversed_keys(item));
            }
            Value::Object(rebuilt)
        }
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(Config::with_cases(1500))]

    #[test]
    fn the_encoding_is_json_that_reads_back_as_the_same_value(value in any_json()) {
        let text = to_canonical_string(&value);
        let back: Value = serde_json::from_str(&text).expect("canonical text is JSON");
        prop_assert_eq!(&back, &value);
        // A fixed point: encoding what was read gives the same bytes.
        prop_assert_eq!(to_canonical_string(&back), text.clone());
        prop_assert!(!text.contains('\n'), "no raw line break: {}", text);
    }

    #[test]
    fn the_encoding_ignores_key_order(value in any_json()) {
        prop_assert_eq!(
            to_canonical_string(&reversed_keys(&value)),
            to_canonical_string(&value)
        );
    }

    #[test]
    fn distinct_values_have_distinct_encodings(a in close_json(), b in close_json()) {
        let (ea, eb) = (to_canonical_string(&a), to_canonical_string(&b));
        prop_assert_eq!(ea == eb, a == b, "{} / {}", ea, eb);
    }

    #[test]
    fn arbitrary_json_text_never_panics(text in prop_oneof![
        "\\PC{0,64}",
        "[\\[\\]{}\",:0-9.eE+-]{0,64}",
        any_json().prop_map(|v| v.to_string()),
    ]) {
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            let once = to_canonical_string(&value);
            let again: Value = serde_json::from_str(&once).expect("canonical text is JSON");
            prop_assert_eq!(again, value);
        }
    }
}

#[test]
fn keys_that_look_alike_are_kept_apart() {
    let mut encodings = BTreeSet::new();
    for key in CLOSE_KEYS {
        let mut object = Map::new();
        object.insert(key.to_string(), json!(1));
        encodings.insert(to_canonical_string(&Value::Object(object)));
    }
    assert_eq!(encodings.len(), CLOSE_KEYS.len(), "{encodings:?}");
    // Repeated keys in a body: the last one counts, once.
    let repeated: Value = serde_json::from_str(r#"{"a":1,"b":2,"a":3}"#).unwrap();
    assert_eq!(to_canonical_string(&repeated), r#"{"a":3,"b":2}"#);
    // Deep nesting as far as a body can go.
    let deep: Value =
        serde_json::from_str(&format!("{}{}", "[".repeat(127), "]".repeat(127))).unwrap();
    assert_eq!(to_canonical_string(&deep).len(), 254);
}

// ---------------------------------------------------------------------------------------------
// The hash of a transaction

#[derive(Debug, Clone)]
struct Transaction {
    group_id: Uuid,
    sequence: i64,
    booked_on: NaiveDate,
    recorded_at: DateTime<Utc>,
    description: String,
    entries: Vec<HashEntry>,
    metadata: Value,
    reverses: Option<Uuid>,
    created_by: Option<Uuid>,
}

impl Transaction {
    fn input(&self) -> HashInput<'_> {
        HashInput {
            group_id: self.group_id,
            sequence: self.sequence,
            booked_on: self.booked_on,
            recorded_at: self.recorded_at,
            description: &self.description,
            entries: self.entries.clone(),
            metadata: &self.metadata,
            reverses: self.reverses,
            created_by: self.created_by,
        }
    }

    fn hash(&self) -> String {
        chain_hash(GENESIS_HASH, &self.input()).expect("the genesis hash is valid")
    }
}

fn uuid() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

fn entry() -> impl Strategy<Value = HashEntry> {
    (uuid(), any::<bool>(), 1..=MAX_AMOUNT_MINOR, any_currency()).prop_map(
        |(account_id, debit, amount_minor, currency)| HashEntry {
            account_id,
            direction: if debit {
                Direction::Debit
            } else {
                Direction::Credit
            },
            amount_minor,
            currency,
        },
    )
}

fn transaction() -> impl Strategy<Value = Transaction> {
    (
        uuid(),
        1..i64::MAX / 2,
        0i64..40_000,
        0i64..2_000_000_000_000_000,
        "\\PC{0,40}",
        prop::collection::vec(entry(), 2..6),
        prop::collection::btree_map(key(), number(), 0..4),
        prop::option::of(uuid()),
        prop::option::of(uuid()),
    )
        .prop_map(
            |(
                group_id,
                sequence,
                day,
                micros,
                description,
                entries,
                metadata,
                reverses,
                created_by,
            )| {
                Transaction {
                    group_id,
                    sequence,
                    booked_on: NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + Duration::days(day),
                    recorded_at: DateTime::from_timestamp_micros(micros).unwrap(),
                    description,
                    entries,
                    metadata: Value::Object(metadata.into_iter().collect()),
                    reverses,
                    created_by,
                }
            },
        )
}

/// Changes one hashed field of `t`, chosen by `which`; `other` supplies new values.
fn change(t: &Transaction, which: u8, other: &Transaction) -> Transaction {
    let mut c = t.clone();
    let flip = |id: Uuid| Uuid::from_u128(id.as_u128() ^ 1);
    match which % 16 {
        0 => c.group_id = flip(c.group_id),
        1 => c.sequence += 1,
        2 => c.booked_on = c.booked_on.succ_opt().unwrap(),
        3 => c.recorded_at += Duration::microseconds(1),
        4 => c.description.push(' '),
        5 => c.entries[0].amount_minor += 1,
        6 => c.entries[1].account_id = flip(c.entries[1].account_id),
        7 => {
            c.entries[0].direction = match c.entries[0].direction {
                Direction::Debit => Direction::Credit,
                Direction::Credit => Direction::Debit,
            }
        }
        8 => {
            let code = if c.entries[0].currency.code() == "HKD" {
                "PHP"
            } else {
                "HKD"
            };
            c.entries[0].currency = currency(code);
        }
        9 => {
            c.entries.pop();
        }
        10 => c.entries.push(other.entries[0]),
        11 => c.metadata["a fresh key"] = json!(1),
        12 => {
            c.reverses = if c.reverses.is_some() {
                None
            } else {
                Some(other.group_id)
            }
        }
        13 => c.reverses = c.reverses.map(flip).or(Some(Uuid::nil())),
        14 => {
            c.created_by = if c.created_by.is_some() {
                None
            } else {
                Some(other.group_id)
            }
        }
        _ => c.created_by = c.created_by.map(flip).or(Some(Uuid::max())),
    }
    c
}

proptest! {
    #![proptest_config(Config::with_cases(1000))]

    #[test]
    fn any_change_to_a_hashed_field_changes_the_hash(
        t in transaction(),
        other in transaction(),
        which in any::<u8>(),
    ) {
        let base = t.hash();
        prop_assert_eq!(&t.clone().hash(), &base, "the same transaction hashes the same");
        let changed = change(&t, which, &other);
        prop_assert_ne!(&changed.hash(), &base, "change {} went unnoticed", which % 16);
        let previous = "ab".repeat(32);
        prop_assert_ne!(chain_hash(&previous, &t.input()).unwrap(), base);
    }

    #[test]
    fn a_previous_hash_that_is_not_64_hex_digits_is_refused_not_a_panic(
        previous in "\\PC{0,80}",
        t in transaction(),
    ) {
        let valid = previous.len() == 64 && previous.bytes().all(|b| b.is_ascii_hexdigit());
        prop_assert_eq!(chain_hash(&previous, &t.input()).is_some(), valid);
    }
}

// ---------------------------------------------------------------------------------------------
// The meeting CSV import

const MEMBERS: [&str; 3] = [
    "0192f0a0-0000-7000-8000-000000000001",
    "0192f0a0-0000-7000-8000-000000000002",
    "0192f0a0-0000-7000-8000-000000000003",
];

fn sheet_row() -> impl Strategy<Value = String> {
    let member = prop::sample::select(MEMBERS.to_vec());
    prop_oneof![
        (
            member.clone(),
            valid_amount(),
            prop::sample::select(vec!["savings", "capital", "social_fund"]),
            prop::sample::select(vec!["cash", "bank"]),
            "[A-Z0-9-]{0,10}"
        )
            .prop_map(|(m, (amount, _), fund, channel, receipt)| format!(
                "contribution,{m},{amount},{fund},{channel},{receipt}"
            )),
        (
            member.clone(),
            valid_amount(),
            prop::sample::select(vec!["cash", "bank"])
        )
            .prop_map(|(m, (amount, _), channel)| format!("withdrawal,{m},{amount},,{channel},")),
        member.prop_map(|m| format!("attendance,{m},,,,")),
    ]
}

fn valid_sheet() -> impl Strategy<Value = String> {
    prop::collection::vec(sheet_row(), 1..8).prop_map(|mut rows| {
        // A member is on the attendance list once.
        let mut seen = BTreeSet::new();
        rows.retain(|row| !row.starts_with("attendance,") || seen.insert(row.clone()));
        format!(
            "type,member_id,amount,fund,channel,receipt_no\n{}\n",
            rows.join("\n")
        )
    })
}

#[derive(Debug, Clone)]
enum Damage {
    Delete(usize),
    Insert(usize, &'static str),
    DuplicateLine(usize),
    Truncate(usize),
    Byte(usize, u8),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<usize>().prop_map(Damage::Delete),
        (
            any::<usize>(),
            prop::sample::select(vec![
                ",",
                "\"",
                "\n",
                "\r",
                "\r\n",
                "\u{feff}",
                "\u{0}",
                "é",
                " ",
                ",,",
                "\"\"",
                "attendance",
                "type",
                "member_id",
                "\n\n",
                "x"
            ])
        )
            .prop_map(|(at, s)| Damage::Insert(at, s)),
        any::<usize>().prop_map(Damage::DuplicateLine),
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Damage::Byte(at, b)),
    ]
}

fn apply_damage(sheet: &[u8], damage: &Damage) -> Vec<u8> {
    let mut bytes = sheet.to_vec();
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
    match damage {
        Damage::Delete(i) => {
            if !bytes.is_empty() {
                bytes.remove(at(*i, bytes.len()));
            }
        }
        Damage::Insert(i, s) => {
            let i = at(*i, bytes.len() + 1);
            bytes.splice(i..i, s.bytes());
        }
        Damage::DuplicateLine(i) => {
            let lines: Vec<&[u8]> = sheet.split(|&b| b == b'\n').collect();
            let line = lines[at(*i, lines.len())];
            bytes.extend_from_slice(line);
            bytes.push(b'\n');
        }
        Damage::Truncate(i) => bytes.truncate(at(*i, bytes.len() + 1)),
        Damage::Byte(i, b) => {
            if !bytes.is_empty() {
                let i = at(*i, bytes.len());
                bytes[i] = *b;
            }
        }
    }
    bytes
}

/// Reads `bytes` as a meeting sheet. A refusal must be a 4xx problem that names where the
/// fault is: a row (`/rows/<line>`, line 1 being the header, within the sheet's lines), a
/// cell of a row, or a query parameter.
fn check_sheet(bytes: &[u8]) -> Option<MeetingSheet> {
    let lines = bytes.split(|&b| b == b'\n').count();
    match MeetingSheet::read(bytes, None, None, Uuid::nil(), Utc::now().date_naive()) {
        Ok(sheet) => Some(sheet),
        Err(e) => {
            assert!(e.status.is_client_error(), "{:?}", e);
            assert!(!e.detail.is_empty(), "{e:?}");
            assert!(!e.errors.is_empty(), "a refusal names no row: {e:?}");
            for field in &e.errors {
                assert!(!field.detail.is_empty(), "{e:?}");
                let Some(pointer) = &field.pointer else {
                    assert!(field.parameter.is_some(), "{e:?}");
                    continue;
                };
                let mut parts = pointer.split('/').skip(1);
                assert_eq!(parts.next(), Some("rows"), "{pointer} in {e:?}");
                if let Some(line) = parts.next() {
                    let line: usize = line.parse().unwrap_or_else(|_| panic!("{pointer}"));
                    assert!(
                        (1..=lines).contains(&line),
                        "{pointer}: the sheet has {lines} lines; {e:?}"
                    );
                }
                if let Some(column) = parts.next() {
                    assert!(
                        msai_ledger::http::meetings::CSV_COLUMNS.contains(&column),
                        "{pointer}"
                    );
                }
            }
            if e.status.as_u16() == 400 {
                assert_eq!(e.slug, "malformed-csv", "{e:?}");
            }
            None
        }
    }
}

proptest! {
    #![proptest_config(Config::with_cases(2000))]

    #[test]
    fn a_valid_sheet_is_read_whole(sheet in valid_sheet()) {
        let read = check_sheet(sheet.as_bytes()).expect("a valid sheet is read");
        let rows = sheet.lines().count() - 1;
        let attendance = sheet.lines().filter(|l| l.starts_with("attendance,")).count();
        prop_assert_eq!(read.meeting.events.len(), rows - attendance);
    }

    #[test]
    fn a_damaged_sheet_is_read_or_refused_with_the_row_at_fault(
        sheet in valid_sheet(),
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let mut bytes = sheet.into_bytes();
        for d in &damages {
            bytes = apply_damage(&bytes, d);
        }
        check_sheet(&bytes);
    }

    #[test]
    fn arbitrary_bytes_are_read_or_refused_with_the_row_at_fault(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            "\\PC{0,200}".prop_map(String::into_bytes),
            "[a-z_,\"\n\r ]{0,200}".prop_map(String::into_bytes),
        ],
    ) {
        check_sheet(&bytes);
        let mut with_header = b"type,member_id\n".to_vec();
        with_header.extend_from_slice(&bytes);
        check_sheet(&with_header);
    }
}

#[test]
fn a_sheet_names_the_row_at_fault() {
    let refused_bytes = |sheet: &[u8]| {
        let Err(e) = MeetingSheet::read(sheet, None, None, Uuid::nil(), Utc::now().date_naive())
        else {
            panic!("{sheet:?} was accepted");
        };
        (
            e.status.as_u16(),
            e.errors[0].pointer.clone().unwrap_or_default(),
        )
    };
    let refused = |sheet: &str| refused_bytes(sheet.as_bytes());
    let m = MEMBERS[0];
    assert_eq!(refused("type,member\n"), (400, "/rows/1".into()));
    assert_eq!(refused("type,type,member_id\n"), (400, "/rows/1".into()));
    assert_eq!(refused("type\n"), (400, "/rows/1".into()));
    assert_eq!(
        refused(&format!(
            "type,member_id\nattendance,{m}\nattendance,{m},x\n"
        )),
        (400, "/rows/3".into())
    );
    assert_eq!(
        refused(&format!("type,member_id,fund\nattendance,{m},savings\n")),
        (400, "/rows/2/fund".into())
    );
    assert_eq!(
        refused_bytes(
            &[
                format!("type,member_id\nattendance,{m}\n").as_bytes(),
                b"\xff\n"
            ]
            .concat()
        ),
        (400, "/rows/3".into())
    );
    // A quoted cell spanning lines, and a blank line: rows are named by the line they start on.
    assert_eq!(
        refused(&format!(
            "type,member_id,receipt_no\ncontribution,{m},\"R\n1\"\n\nattendance,nobody,\n"
        )),
        (422, "/rows/5/member_id".into())
    );
    assert_eq!(
        refused(&format!(
            "type,member_id,amount,channel\nwithdrawal,{m},1.00,cash\ncontribution,{m},1.00,cash\n"
        )),
        (422, "/rows/3/fund".into())
    );
    assert_eq!(refused("type,member_id\n"), (422, "/rows".into()));
    assert_eq!(
        refused(&format!(
            "type,member_id\n{}",
            format!("attendance,{m}\n").repeat(2)
        )),
        (422, "/rows/3/member_id".into())
    );
}
