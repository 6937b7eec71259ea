//! Group operations over HTTP, one module per resource: the group's status and basis,
//! investments and their disbursements, returns and write-downs, remittances, transfers between
//! the group's own accounts, distributions, and a member's exit. Requests are parsed here into
//! domain types; the store writes the balanced transactions; [`super::views`] shows the
//! outcomes. This module keeps the field checks they share.

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::domain::model::AccountRef;
use crate::domain::money::Currency;
use crate::domain::operations::positive_amount;
use crate::http::dto::{currency, text_field};
use crate::http::error::{ApiError, FieldChecks};

pub mod distributions;
pub mod exits;
pub mod group;
pub mod investments;
pub mod remittances;
pub mod transfers;
pub mod transit;

/// Longest sector, partner, provider, rate source and note.
pub const MAX_LABEL_CHARS: usize = 200;
/// Most uses listed on one remittance.
pub const MAX_USES: usize = 20;
/// Longest rate, as text.
pub const MAX_RATE_CHARS: usize = 24;

fn optional_label(pointer: &str, text: Option<String>) -> Result<Option<String>, ApiError> {
    match text {
        None => Ok(None),
        Some(t) => {
            let t = text_field(pointer, &t, MAX_LABEL_CHARS, true)?;
            Ok((!t.is_empty()).then_some(t))
        }
    }
}

/// An exchange rate: a positive decimal in plain notation (`"7.0525"`).
fn rate(pointer: &str, text: &str) -> Result<Decimal, ApiError> {
    let plain = !text.is_empty()
        && text.len() <= MAX_RATE_CHARS
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|b| *b == b'.').count() <= 1
        && !text.starts_with('.')
        && !text.ends_with('.');
    match text.parse::<Decimal>() {
        Ok(value) if plain && value > Decimal::ZERO => Ok(value.normalize()),
        _ => Err(ApiError::invalid_field(
            pointer,
            "must be a positive decimal such as \"7.0525\"",
        )),
    }
}

/// Most closing or valuation rates in one request.
pub const MAX_FX_RATES: usize = 50;

/// A closing rate as a period close is given it: units of `quote` per unit of `base`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FxRateBody {
    pub base: String,
    pub quote: String,
    pub rate: String,
}

/// The rates of a request, each checked as a rate between two currencies; at `pointer`.
pub fn fx_rates(
    pointer: &str,
    bodies: Option<Vec<FxRateBody>>,
) -> Result<Vec<crate::domain::fx::FxRate>, ApiError> {
    let bodies = bodies.unwrap_or_default();
    if bodies.len() > MAX_FX_RATES {
        return Err(ApiError::invalid_field(
            pointer,
            format!("must list at most {MAX_FX_RATES} rates"),
        ));
    }
    let mut checks = FieldChecks::default();
    let mut rates = Vec::with_capacity(bodies.len());
    for (i, b) in bodies.iter().enumerate() {
        let at = |field: &str| format!("{pointer}/{i}/{field}");
        let base = checks.check(currency(&at("base"), &b.base));
        let quote = checks.check(currency(&at("quote"), &b.quote));
        let value = checks.check(rate(&at("rate"), &b.rate));
        if let (Some(base), Some(quote), Some(rate)) = (base, quote, value) {
            rates.push(crate::domain::fx::FxRate {
                pair: crate::domain::fx::Pair { base, quote },
                rate,
            });
        }
    }
    if !checks.passed() {
        return Err(checks.refusal());
    }
    Ok(rates)
}

/// A rate given in a query as `BASE/QUOTE:RATE` (`HKD/PHP:7.20`, units of PHP per HKD).
pub fn fx_rate_parameter(name: &str, text: &str) -> Result<crate::domain::fx::FxRate, ApiError> {
    let refuse = |detail: String| ApiError::invalid_parameter(name, detail);
    let shape = || {
        refuse(format!(
            "{text:?} is not BASE/QUOTE:RATE, such as HKD/PHP:7.20 (7.20 PHP for one HKD)"
        ))
    };
    let (pair, value) = text.split_once(':').ok_or_else(shape)?;
    let (base, quote) = pair.split_once('/').ok_or_else(shape)?;
    let parse = |code: &str| Currency::parse(code).map_err(|e| refuse(format!("{code:?}: {e}")));
    let value = rate(name, value).map_err(|_| {
        refuse(format!(
            "{value:?} is not a rate above zero written as digits with at most one decimal point"
        ))
    })?;
    Ok(crate::domain::fx::FxRate {
        pair: crate::domain::fx::Pair {
            base: parse(base)?,
            quote: parse(quote)?,
        },
        rate: value,
    })
}

fn optional_rate(pointer: &str, text: Option<&str>) -> Result<Option<Decimal>, ApiError> {
    text.map(|t| rate(pointer, t)).transpose()
}

fn amount(pointer: &str, text: &str, currency: Currency) -> Result<i64, ApiError> {
    positive_amount(text, currency, pointer).map_err(ApiError::from)
}

fn optional_account(text: Option<String>) -> Option<AccountRef> {
    text.map(|t| AccountRef::parse(&t))
}
