//! Savings mobilised: members' savings and capital per group and currency, and their
//! conversion into one currency at given rates.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

use super::*;

/// How many of a group's members were active, had returned home or had exited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemberCounts {
    pub active: i64,
    pub returned_home: i64,
    pub exited: i64,
}

/// Members' savings and capital in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavingsBalance {
    pub currency: Currency,
    pub savings_minor: i128,
    pub capital_minor: i128,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSavings {
    pub group_id: Uuid,
    pub name: String,
    pub host_country: String,
    pub home_country: String,
    pub status: GroupStatus,
    pub members: MemberCounts,
    /// One line per currency of the members' accounts, by currency code.
    pub balances: Vec<SavingsBalance>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavingsReport {
    pub as_of: Option<NaiveDate>,
    pub groups: Vec<GroupSavings>,
    /// Each currency's savings and capital summed over the groups.
    pub totals: Vec<SavingsBalance>,
    pub member_totals: MemberCounts,
}

impl SavingsReport {
    pub fn new(as_of: Option<NaiveDate>, groups: Vec<GroupSavings>) -> Self {
        let mut totals: BTreeMap<&'static str, SavingsBalance> = BTreeMap::new();
        let mut member_totals = MemberCounts::default();
        for group in &groups {
            member_totals.active += group.members.active;
            member_totals.returned_home += group.members.returned_home;
            member_totals.exited += group.members.exited;
            for line in &group.balances {
                let total = totals
                    .entry(line.currency.code())
                    .or_insert(SavingsBalance {
                        currency: line.currency,
                        savings_minor: 0,
                        capital_minor: 0,
                    });
                total.savings_minor += line.savings_minor;
                total.capital_minor += line.capital_minor;
            }
        }
        SavingsReport {
            as_of,
            groups,
            totals: totals.into_values().collect(),
            member_totals,
        }
    }
}

/// A conversion of the savings report the caller asked for: into `target`, at the rates they
/// supplied (the value of one unit of each currency in the target currency). The service holds
/// no exchange rates of its own; these are shown beside the converted figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    pub target: Currency,
    /// One rate per currency other than the target, by currency code.
    pub rates: BTreeMap<&'static str, (Currency, Decimal)>,
}

/// Savings and capital in the target currency, in its minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConvertedFigures {
    pub savings_minor: i128,
    pub capital_minor: i128,
}

/// The savings report converted: each group's and the total's savings and capital.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertedSavings {
    pub target: Currency,
    /// The rates as given, by currency code.
    pub rates: Vec<(Currency, Decimal)>,
    /// One line per group, in the report's order.
    pub groups: Vec<(Uuid, ConvertedFigures)>,
    pub totals: ConvertedFigures,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversionError {
    /// The report holds money in this currency and no rate was given for it.
    MissingRate(Currency),
    /// A converted figure is beyond what can be computed exactly (about 7.9 × 10^28).
    TooLarge,
}

impl Conversion {
    /// The value of one unit of `currency` in the target: 1 for the target itself.
    fn rate(&self, currency: Currency) -> Result<Decimal, ConversionError> {
        if currency == self.target {
            return Ok(Decimal::ONE);
        }
        self.rates
            .get(currency.code())
            .map(|(_, rate)| *rate)
            .ok_or(ConversionError::MissingRate(currency))
    }

    /// Every currency's exact amount times its rate, added exactly, then rounded once to the
    /// target's minor unit, half to even (banker's rounding), so no rounding error accumulates
    /// over currencies or groups.
    fn convert(&self, lines: &[SavingsBalance]) -> Result<ConvertedFigures, ConversionError> {
        let (mut savings, mut capital) = (Decimal::ZERO, Decimal::ZERO);
        for line in lines {
            let rate = self.rate(line.currency)?;
            savings = add_converted(savings, line.savings_minor, line.currency, rate)?;
            capital = add_converted(capital, line.capital_minor, line.currency, rate)?;
        }
        Ok(ConvertedFigures {
            savings_minor: to_minor(savings, self.target)?,
            capital_minor: to_minor(capital, self.target)?,
        })
    }
}

fn add_converted(
    sum: Decimal,
    minor: i128,
    currency: Currency,
    rate: Decimal,
) -> Result<Decimal, ConversionError> {
    let exact = Decimal::try_from_i128_with_scale(minor, currency.exponent())
        .map_err(|_| ConversionError::TooLarge)?;
    exact
        .checked_mul(rate)
        .and_then(|value| sum.checked_add(value))
        .ok_or(ConversionError::TooLarge)
}

/// `value` rounded half to even to `currency`'s minor unit, as a count of minor units.
fn to_minor(value: Decimal, currency: Currency) -> Result<i128, ConversionError> {
    let mut rounded =
        value.round_dp_with_strategy(currency.exponent(), RoundingStrategy::MidpointNearestEven);
    rounded.rescale(currency.exponent());
    if rounded.scale() != currency.exponent() {
        return Err(ConversionError::TooLarge);
    }
    Ok(rounded.mantissa())
}

impl SavingsReport {
    /// Each group's savings and capital, and the totals, converted at the caller's rates: every
    /// currency of the group (of all groups, for the totals) converted exactly and rounded once.
    pub fn convert(&self, conversion: &Conversion) -> Result<ConvertedSavings, ConversionError> {
        let groups = self
            .groups
            .iter()
            .map(|g| Ok((g.group_id, conversion.convert(&g.balances)?)))
            .collect::<Result<Vec<_>, ConversionError>>()?;
        Ok(ConvertedSavings {
            target: conversion.target,
            rates: conversion.rates.values().copied().collect(),
            groups,
            totals: conversion.convert(&self.totals)?,
        })
    }
}
