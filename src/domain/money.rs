//! Currencies and exact amounts.
//!
//! Amounts are stored as integer minor units (`i64`) of an ISO 4217 currency and travel on the
//! wire as decimal strings. Parsing is strict so that a treasurer's typo never turns into a
//! different amount: no signs, exponents, separators, spaces, or more decimals than the currency
//! has. Arithmetic goes through [`rust_decimal::Decimal`] or checked integer operations only.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Largest amount accepted on the wire, in minor units (10^15). Small enough that the sum of
/// 100 entries, or of a long journal, stays far from `i64::MAX` and overflow stays a checked error.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

/// Longest amount string accepted; anything longer is rejected before it is looked at.
pub const MAX_AMOUNT_LEN: usize = 32;

/// An ISO 4217 currency that has a minor-unit exponent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(iso_currency::Currency);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyError {
    #[error("must be an ISO 4217 alphabetic code in upper case, such as \"HKD\"")]
    Unknown,
    #[error("{0} has no minor unit and cannot be used for accounts")]
    NoMinorUnit(&'static str),
}

impl Currency {
    /// Parses an upper-case ISO 4217 code. Codes without a defined exponent (gold, SDR, test
    /// codes) are refused: a ledger in them could not be exact to a minor unit.
    pub fn parse(code: &str) -> Result<Self, CurrencyError> {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(CurrencyError::Unknown);
        }
        let currency = iso_currency::Currency::from_code(code).ok_or(CurrencyError::Unknown)?;
        match currency.exponent() {
            Some(exp) if exp <= 4 => Ok(Currency(currency)),
            _ => Err(CurrencyError::NoMinorUnit(currency.code())),
        }
    }

    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Every currency [`Currency::parse`] accepts, in the order of their codes: the list the
    /// document's `CurrencyCode` enumerates.
    pub fn all() -> Vec<Currency> {
        let letters = || b'A'..=b'Z';
        letters()
            .flat_map(|a| letters().flat_map(move |b| letters().map(move |c| [a, b, c])))
            .filter_map(|code| Currency::parse(std::str::from_utf8(&code).ok()?).ok())
            .collect()
    }

    /// Number of decimal places of the minor unit (HKD 2, JPY 0, KWD 3).
    pub fn exponent(self) -> u32 {
        u32::from(self.0.exponent().unwrap_or(0))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// Why an amount string was refused. Each variant is a message a treasurer can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error(
        "must be a decimal string such as \"1250.50\": digits, an optional point and decimals, no sign, exponent, separator or space"
    )]
    Syntax,
    #[error("is longer than {MAX_AMOUNT_LEN} characters")]
    TooLong,
    #[error("has more decimals than {currency} allows ({exponent})")]
    TooManyDecimals {
        currency: &'static str,
        exponent: u32,
    },
    #[error("is larger than the maximum of 10^15 minor units")]
    TooLarge,
    #[error("must be greater than zero")]
    NotPositive,
}

/// Parses a wire amount into minor units of `currency`. Zero is accepted here; rules that
/// require a positive amount check it where they apply.
pub fn parse_amount(text: &str, currency: Currency) -> Result<i64, AmountError> {
    let (int_part, frac) = amount_parts(text)?;
    let exponent = currency.exponent();
    if frac.len() > exponent as usize {
        return Err(AmountError::TooManyDecimals {
            currency: currency.code(),
            exponent,
        });
    }
    // At most 32 characters, so the integer part may exceed i64: parse as u128 and bound.
    let int_value: u128 = int_part.parse().map_err(|_| AmountError::TooLarge)?;
    let mut minor = int_value
        .checked_mul(10u128.pow(exponent))
        .ok_or(AmountError::TooLarge)?;
    if !frac.is_empty() {
        let frac_value: u128 = frac.parse().map_err(|_| AmountError::Syntax)?;
        let scale = 10u128.pow(exponent - frac.len() as u32);
        minor = minor
            .checked_add(frac_value * scale)
            .ok_or(AmountError::TooLarge)?;
    }
    if minor > MAX_AMOUNT_MINOR as u128 {
        return Err(AmountError::TooLarge);
    }
    Ok(minor as i64)
}

/// The whole and fractional digits of a wire amount, once its length and syntax are checked.
fn amount_parts(text: &str) -> Result<(&str, &str), AmountError> {
    if text.len() > MAX_AMOUNT_LEN {
        return Err(AmountError::TooLong);
    }
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_only(int_part) || (int_part.len() > 1 && int_part.starts_with('0')) {
        return Err(AmountError::Syntax);
    }
    match frac_part {
        Some(f) if !digits_only(f) => Err(AmountError::Syntax),
        Some(f) => Ok((int_part, f)),
        None => Ok((int_part, "")),
    }
}

/// Checks what can be checked of a wire amount before its currency is known: its length, its
/// syntax and, when `positive`, that it is not zero. Its decimals and its size depend on the
/// currency and are checked by [`parse_amount`] once that is known; an amount that passes
/// here is refused there for nothing this checks.
pub fn check_amount_text(text: &str, positive: bool) -> Result<(), AmountError> {
    let (int_part, frac) = amount_parts(text)?;
    let zero = int_part.bytes().chain(frac.bytes()).all(|b| b == b'0');
    if positive && zero {
        return Err(AmountError::NotPositive);
    }
    Ok(())
}

/// Parses an amount that must be strictly positive (entry amounts, contributions).
pub fn parse_positive_amount(text: &str, currency: Currency) -> Result<i64, AmountError> {
    match parse_amount(text, currency)? {
        0 => Err(AmountError::NotPositive),
        minor => Ok(minor),
    }
}

/// Formats minor units at the currency's full scale: `150` HKD is `"1.50"`, `-5` is `"-0.05"`.
/// Balances can be negative (an asset overdrawn on purpose), so the sign is kept.
pub fn format_amount(minor: i64, currency: Currency) -> String {
    to_decimal(minor, currency).to_string()
}

/// The exact decimal value of `minor` units, with the currency's scale.
pub fn to_decimal(minor: i64, currency: Currency) -> Decimal {
    Decimal::new(minor, currency.exponent())
}

/// Formats a sum of minor units at the currency's full scale, exactly as
/// `money::format_amount` formats one amount (`150` HKD is `"1.50"`, `-5` is `"-0.05"`).
pub fn format_total(minor: i128, currency: Currency) -> String {
    let exponent = currency.exponent();
    let digits = minor.unsigned_abs().to_string();
    let sign = if minor < 0 { "-" } else { "" };
    if exponent == 0 {
        return format!("{sign}{digits}");
    }
    let width = exponent as usize + 1;
    let padded = format!("{digits:0>width$}");
    let (units, fraction) = padded.split_at(padded.len() - exponent as usize);
    format!("{sign}{units}.{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hkd() -> Currency {
        Currency::parse("HKD").unwrap()
    }
    fn jpy() -> Currency {
        Currency::parse("JPY").unwrap()
    }
    fn kwd() -> Currency {
        Currency::parse("KWD").unwrap()
    }

    #[test]
    fn exponents_come_from_iso_4217() {
        assert_eq!(hkd().exponent(), 2);
        assert_eq!(jpy().exponent(), 0);
        assert_eq!(kwd().exponent(), 3);
        assert_eq!(Currency::parse("VND").unwrap().exponent(), 0);
        assert_eq!(Currency::parse("IDR").unwrap().exponent(), 2);
    }

    #[test]
    fn unknown_lower_case_and_unit_less_currencies_are_refused() {
        assert_eq!(Currency::parse("hkd"), Err(CurrencyError::Unknown));
        assert_eq!(Currency::parse("ZZZ"), Err(CurrencyError::Unknown));
        assert_eq!(Currency::parse("HKDX"), Err(CurrencyError::Unknown));
        assert!(matches!(
            Currency::parse("XAU"),
            Err(CurrencyError::NoMinorUnit(_))
        ));
    }

    #[test]
    fn short_decimals_are_scaled_to_the_currency() {
        assert_eq!(parse_amount("1.5", hkd()), Ok(150));
        assert_eq!(parse_amount("1250.50", hkd()), Ok(125_050));
        assert_eq!(parse_amount("0", hkd()), Ok(0));
        assert_eq!(parse_amount("0.001", kwd()), Ok(1));
        assert_eq!(parse_amount("1500", jpy()), Ok(1500));
    }

    #[test]
    fn every_malformed_amount_in_the_rejection_table_is_refused() {
        let syntax = [
            "", " ", "1 ", " 1", "+1", "-1", "1e3", "1E3", "1_000", "1,000", "NaN", "nan", "inf",
            "Infinity", ".5", "5.", "01", "00.5", "1..2", "1.2.3", "0x10", "１", "1.-5", "1.5 ",
            "\u{0}",
        ];
        for text in syntax {
            assert_eq!(
                parse_amount(text, hkd()),
                Err(AmountError::Syntax),
                "{text:?}"
            );
        }
        assert_eq!(
            parse_amount("0.001", hkd()),
            Err(AmountError::TooManyDecimals {
                currency: "HKD",
                exponent: 2
            })
        );
        assert!(matches!(
            parse_amount("1.5", jpy()),
            Err(AmountError::TooManyDecimals { .. })
        ));
        assert_eq!(
            parse_amount(&"9".repeat(33), hkd()),
            Err(AmountError::TooLong)
        );
        assert_eq!(
            parse_amount(&"9".repeat(30), hkd()),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            parse_amount("10000000000000.01", hkd()),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            parse_amount("10000000000000.00", hkd()),
            Ok(MAX_AMOUNT_MINOR)
        );
        assert_eq!(
            parse_positive_amount("0.00", hkd()),
            Err(AmountError::NotPositive)
        );
    }

    #[test]
    fn formatting_prints_the_full_scale_and_keeps_the_sign() {
        assert_eq!(format_amount(150, hkd()), "1.50");
        assert_eq!(format_amount(0, hkd()), "0.00");
        assert_eq!(format_amount(-5, hkd()), "-0.05");
        assert_eq!(format_amount(1500, jpy()), "1500");
        assert_eq!(format_amount(1, kwd()), "0.001");
        assert_eq!(format_amount(MAX_AMOUNT_MINOR, hkd()), "10000000000000.00");
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(vec!["HKD", "JPY", "KWD", "PHP", "IDR", "VND", "BHD"])
            .prop_map(|c| Currency::parse(c).unwrap())
    }

    proptest! {
        #[test]
        fn format_then_parse_is_the_identity(minor in 0..=MAX_AMOUNT_MINOR, currency in any_currency()) {
            let text = format_amount(minor, currency);
            prop_assert_eq!(parse_amount(&text, currency), Ok(minor));
        }

        #[test]
        fn parse_then_format_is_canonical(minor in 0..=MAX_AMOUNT_MINOR, currency in any_currency(), trim in 0u32..=4) {
            // Drop up to `trim` trailing zero decimals: the value must not change.
            let full = format_amount(minor, currency);
            let mut shortened = full.clone();
            for _ in 0..trim.min(currency.exponent()) {
                if shortened.ends_with('0') && shortened.contains('.') { shortened.pop(); }
            }
            if shortened.ends_with('.') { shortened.pop(); }
            let parsed = parse_amount(&shortened, currency);
            prop_assert_eq!(parsed.clone(), Ok(minor));
            prop_assert_eq!(format_amount(minor, currency), full);
        }

        #[test]
        fn arbitrary_text_never_panics_and_accepts_only_canonical_digits(text in "\\PC{0,40}") {
            if let Ok(minor) = parse_amount(&text, Currency::parse("KWD").unwrap()) {
                prop_assert!((0..=MAX_AMOUNT_MINOR).contains(&minor));
                prop_assert!(text.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
            }
        }

        #[test]
        fn the_check_before_the_currency_agrees_with_the_parse_after(
            text in "(0|[1-9][0-9]{0,18})(\\.[0-9]{0,5})?|\\PC{0,12}",
            currency in any_currency(),
            positive in any::<bool>(),
        ) {
            let parsed = if positive {
                parse_positive_amount(&text, currency)
            } else {
                parse_amount(&text, currency)
            };
            match check_amount_text(&text, positive) {
                // A zero with more decimals than the currency has is refused for either.
                Err(AmountError::NotPositive) => prop_assert!(matches!(
                    parsed,
                    Err(AmountError::NotPositive | AmountError::TooManyDecimals { .. })
                ), "{text:?}: {parsed:?}"),
                // Otherwise refused before the currency is known: refused the same way after.
                Err(e) => prop_assert_eq!(parsed, Err(e)),
                // Passed: only the currency's decimals or the largest amount can refuse it.
                Ok(()) => prop_assert!(matches!(
                    parsed,
                    Ok(_) | Err(AmountError::TooManyDecimals { .. } | AmountError::TooLarge)
                ), "{text:?}: {parsed:?}"),
            }
        }

        #[test]
        fn decimal_value_agrees_with_minor_units(minor in -MAX_AMOUNT_MINOR..=MAX_AMOUNT_MINOR, currency in any_currency()) {
            let d = to_decimal(minor, currency);
            prop_assert_eq!(d.scale(), currency.exponent());
            prop_assert_eq!(d.mantissa(), i128::from(minor));
        }
    }
}
