//! The FX clearing accounts (`assets:fx:<CCY>`) read as currency positions. Every conversion
//! (a transfer between currencies, a remittance credited in the currency sent) debits the
//! clearing account of the currency given up and credits the one of the currency obtained, at
//! the event's rate; so per pair of currencies the two legs are worth zero at the events'
//! rates, and at any other rate they are worth the gain or loss of holding what was bought.
//! Pure: the store reads each transaction's clearing entries, this module pairs them, values
//! them at the treasurer's rates and drafts the revaluation a period close posts.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

use super::money::{self, Currency};

/// A pair of currencies as positions are reported: the group's currency first when it is one
/// of the two, otherwise the two in code order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pair {
    pub base: Currency,
    pub quote: Currency,
}

impl Pair {
    /// The pair of `a` and `b` as reported for a group keeping its books in `group_currency`.
    pub fn of(a: Currency, b: Currency, group_currency: Currency) -> Pair {
        let (base, quote) = if b == group_currency || (a != group_currency && b.code() < a.code()) {
            (b, a)
        } else {
            (a, b)
        };
        Pair { base, quote }
    }

    /// `BASE/QUOTE`, as rates name it.
    pub fn name(&self) -> String {
        format!("{}/{}", self.base, self.quote)
    }
}

/// The clearing entries of one transaction: the net of each currency's clearing account (on
/// its normal, debit, side) and, for a revaluation (or its reversal), the pair it revalued.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FxMovement {
    pub legs: BTreeMap<Currency, i64>,
    pub pair: Option<Pair>,
}

/// A rate given for a pair: units of the quote currency per unit of the base currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FxRate {
    pub pair: Pair,
    pub rate: Decimal,
}

/// One pair's position: the two legs, and at a given rate what they are worth in the base
/// currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FxPosition {
    pub pair: Pair,
    pub base_minor: i128,
    pub quote_minor: i128,
    /// The rate the legs were taken at on average: −quote ÷ base (quote per base), to 10
    /// decimals; none when either leg is zero.
    pub events_rate: Option<Decimal>,
    pub rate: Option<Decimal>,
    /// base + quote ÷ rate, rounded half to even to the base currency's minor unit. Positive:
    /// what the clearing accounts hold beyond what was obtained is worth more than it is, a
    /// loss of that amount; negative: a gain.
    pub value_minor: Option<i128>,
}

impl FxPosition {
    /// The gain (positive) or loss (negative) at the given rate, in the base currency.
    pub fn gain_minor(&self) -> Option<i128> {
        self.value_minor.map(|v| -v)
    }
}

/// The clearing accounts read as positions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FxPositions {
    pub pairs: Vec<FxPosition>,
    /// Clearing entries of transactions that touch one currency's clearing account alone, or
    /// more than two (postings made by hand): per currency, not attributed to a pair.
    pub unpaired: Vec<(Currency, i128)>,
}

/// A rate beyond exact arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfRange(pub Pair);

/// Pairs the movements and values each pair at its rate, if one is given.
pub fn positions(
    group_currency: Currency,
    movements: &[FxMovement],
    rates: &[FxRate],
) -> Result<FxPositions, OutOfRange> {
    let mut pairs: BTreeMap<(&'static str, &'static str), (Pair, i128, i128)> = BTreeMap::new();
    let mut unpaired: BTreeMap<&'static str, (Currency, i128)> = BTreeMap::new();
    for movement in movements {
        let legs: Vec<(Currency, i64)> = movement
            .legs
            .iter()
            .filter(|(_, v)| **v != 0)
            .map(|(c, v)| (*c, *v))
            .collect();
        let pair = match (movement.pair, legs.as_slice()) {
            (Some(p), legs) if legs.iter().all(|(c, _)| *c == p.base || *c == p.quote) => Some(p),
            (None, [(a, _), (b, _)]) => Some(Pair::of(*a, *b, group_currency)),
            _ => None,
        };
        match pair {
            Some(p) => {
                let slot = pairs
                    .entry((p.base.code(), p.quote.code()))
                    .or_insert((p, 0, 0));
                for (c, v) in legs {
                    if c == p.base {
                        slot.1 += i128::from(v);
                    } else {
                        slot.2 += i128::from(v);
                    }
                }
            }
            None => {
                for (c, v) in legs {
                    unpaired.entry(c.code()).or_insert((c, 0)).1 += i128::from(v);
                }
            }
        }
    }
    let mut result = FxPositions {
        pairs: Vec::with_capacity(pairs.len()),
        unpaired: unpaired.into_values().filter(|(_, v)| *v != 0).collect(),
    };
    for (pair, base_minor, quote_minor) in pairs.into_values() {
        if base_minor == 0 && quote_minor == 0 {
            continue;
        }
        let rate = rates.iter().find(|r| r.pair == pair).map(|r| r.rate);
        let value_minor = match rate {
            None => None,
            Some(r) => Some(value(pair, base_minor, quote_minor, r).ok_or(OutOfRange(pair))?),
        };
        result.pairs.push(FxPosition {
            pair,
            base_minor,
            quote_minor,
            events_rate: events_rate(pair, base_minor, quote_minor),
            rate,
            value_minor,
        });
    }
    Ok(result)
}

fn decimal(minor: i128, currency: Currency) -> Option<Decimal> {
    let m = i64::try_from(minor).ok()?;
    Some(money::to_decimal(m, currency))
}

fn events_rate(pair: Pair, base_minor: i128, quote_minor: i128) -> Option<Decimal> {
    if base_minor == 0 || quote_minor == 0 {
        return None;
    }
    let base = decimal(base_minor, pair.base)?;
    let quote = decimal(quote_minor, pair.quote)?;
    Some(
        (-quote)
            .checked_div(base)?
            .round_dp_with_strategy(10, RoundingStrategy::MidpointNearestEven)
            .normalize(),
    )
}

/// base + quote ÷ rate in minor units of the base currency, half to even.
fn value(pair: Pair, base_minor: i128, quote_minor: i128, rate: Decimal) -> Option<i128> {
    let base = decimal(base_minor, pair.base)?;
    let quote = decimal(quote_minor, pair.quote)?;
    let mut worth = base
        .checked_add(quote.checked_div(rate)?)?
        .round_dp_with_strategy(pair.base.exponent(), RoundingStrategy::MidpointNearestEven);
    worth.rescale(pair.base.exponent());
    Some(worth.mantissa())
}

/// A revaluation a period close posted for one pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revaluation {
    pub pair: Pair,
    pub rate: Decimal,
    /// In the base currency: positive a gain, negative a loss.
    pub gain_minor: i128,
    pub transaction_id: uuid::Uuid,
}

/// Refuses rates that name a pair otherwise than positions are reported (the group's currency
/// first, else code order), or one pair twice; `pointer` gives the place of the rate at an
/// index.
pub fn check_rates(
    group_currency: Currency,
    rates: &[FxRate],
    pointer: impl Fn(usize) -> String,
) -> Result<(), super::error::LedgerError> {
    use super::error::{FieldError, LedgerError};
    let mut errors = Vec::new();
    for (i, rate) in rates.iter().enumerate() {
        let reported = Pair::of(rate.pair.base, rate.pair.quote, group_currency);
        if rate.pair.base == rate.pair.quote {
            errors.push(FieldError::new(
                pointer(i),
                "a rate is between two different currencies",
            ));
        } else if reported != rate.pair {
            errors.push(FieldError::new(
                pointer(i),
                format!(
                    "positions of {} and {} are reported as {}: give the rate as {} per {}",
                    rate.pair.base,
                    rate.pair.quote,
                    reported.name(),
                    reported.quote,
                    reported.base
                ),
            ));
        } else if rates[..i].iter().any(|r| r.pair == rate.pair) {
            errors.push(FieldError::new(
                pointer(i),
                format!("{} is given more than once", rate.pair.name()),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(LedgerError::Invalid(errors))
    }
}

/// The metadata of a revaluation's transaction, which names its pair so that its single
/// clearing leg is attributed to it.
pub fn revaluation_metadata(position: &FxPosition, through: chrono::NaiveDate) -> Value {
    serde_json::json!({
        "event": "fx_revaluation",
        "through": through.to_string(),
        "base": position.pair.base.code(),
        "quote": position.pair.quote.code(),
        "rate": position.rate.map(|r| r.to_string()),
        "base_amount": money::format_total(position.base_minor, position.pair.base),
        "quote_amount": money::format_total(position.quote_minor, position.pair.quote),
    })
}

/// The pair a transaction's metadata names, if it is a revaluation.
pub fn revaluation_pair(metadata: &Value) -> Option<Pair> {
    if metadata.get("event")?.as_str()? != "fx_revaluation" {
        return None;
    }
    let base = Currency::parse(metadata.get("base")?.as_str()?).ok()?;
    let quote = Currency::parse(metadata.get("quote")?.as_str()?).ok()?;
    Some(Pair { base, quote })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    fn movement(legs: &[(&str, i64)]) -> FxMovement {
        FxMovement {
            legs: legs.iter().map(|(k, v)| (c(k), *v)).collect(),
            pair: None,
        }
    }

    #[test]
    fn a_pair_is_worth_zero_at_the_events_rate_and_its_gain_at_another() {
        // HKD 3,000 sent for PHP 21,000, and PHP 3,500 of savings credited as HKD 500: the
        // clearing accounts hold HKD 3,500 and PHP −24,500.
        let hkd = c("HKD");
        let moves = [
            movement(&[("HKD", 300_000), ("PHP", -2_100_000)]),
            movement(&[("HKD", 50_000), ("PHP", -350_000)]),
        ];
        let pair = Pair::of(c("PHP"), hkd, hkd);
        assert_eq!(pair.name(), "HKD/PHP");
        let at = |rate: &str| {
            positions(
                hkd,
                &moves,
                &[FxRate {
                    pair,
                    rate: rate.parse().unwrap(),
                }],
            )
            .unwrap()
            .pairs[0]
                .clone()
        };
        let p = at("7");
        assert_eq!((p.base_minor, p.quote_minor), (350_000, -2_450_000));
        assert_eq!(p.events_rate, Some("7".parse().unwrap()));
        assert_eq!(p.value_minor, Some(0));
        // The peso weakens to 7.20 a dollar: 24,500 ÷ 7.20 = 3,402.78; the clearing holds 97.22
        // more than that, a loss.
        let p = at("7.20");
        assert_eq!(p.value_minor, Some(9_722));
        assert_eq!(p.gain_minor(), Some(-9_722));
        // It strengthens to 6.80: 24,500 ÷ 6.80 = 3,602.94, a gain of 102.94.
        assert_eq!(at("6.80").gain_minor(), Some(10_294));
    }

    #[test]
    fn pairs_without_the_groups_currency_and_lone_legs() {
        let hkd = c("HKD");
        let moves = [
            movement(&[("PHP", -1_000), ("IDR", 300_000)]),
            movement(&[("HKD", 100)]),
            FxMovement {
                legs: [(hkd, -100)].into_iter().collect(),
                pair: Some(Pair::of(hkd, c("PHP"), hkd)),
            },
        ];
        let p = positions(hkd, &moves, &[]).unwrap();
        assert_eq!(p.pairs.len(), 2);
        assert_eq!(p.pairs[0].pair.name(), "HKD/PHP");
        assert_eq!((p.pairs[0].base_minor, p.pairs[0].quote_minor), (-100, 0));
        assert_eq!(p.pairs[1].pair.name(), "IDR/PHP");
        assert_eq!(p.unpaired, vec![(hkd, 100)]);
    }
}
