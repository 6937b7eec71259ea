//! The task force's reports across groups: savings mobilised, the investment portfolio,
//! remittance corridors and their cost, sex-disaggregated indicators, and members who returned
//! home. The store reads the sums from the journal at request time; the rules that shape them
//! (grouping per currency, medians, age bands, suppression of small cells) are here.
//!
//! Amounts are never added across currencies. Sums across groups and members are kept as
//! `i128` so that no total of `i64` amounts can overflow.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

use super::member::Sex;
use super::money::Currency;
use super::operations::{
    GroupStatus, InvestmentFigures, InvestmentKind, Purpose, RemittanceDetails,
};

/// Which groups a report covers: those of a host country, of a home country, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkFilter {
    pub host_country: Option<String>,
    pub home_country: Option<String>,
}

/// A ratio as a percentage to two decimals (half to even), none when the base is zero.
fn percent(part: i128, whole: i128) -> Option<Decimal> {
    if whole == 0 {
        return None;
    }
    let part = Decimal::try_from_i128_with_scale(part, 0).ok()?;
    let whole = Decimal::try_from_i128_with_scale(whole, 0).ok()?;
    Some(
        (part * Decimal::ONE_HUNDRED / whole)
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
    )
}

// ---------------------------------------------------------------------------------------------
// Savings mobilised

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

// ---------------------------------------------------------------------------------------------
// The investment portfolio

/// One investment with its figures as its own page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub kind: InvestmentKind,
    pub sector: String,
    pub country: String,
    pub currency: Currency,
    pub committed_minor: Option<i64>,
    /// Whether the enterprise is led by women; none when it was not recorded.
    pub women_led: Option<bool>,
    pub figures: InvestmentFigures,
}

/// The investments of one kind, sector or country in one currency, added up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioLine {
    pub key: String,
    pub currency: Currency,
    pub count: i64,
    /// The amounts committed, for the investments that gave one.
    pub committed_minor: i128,
    pub disbursed_minor: i128,
    pub book_value_minor: i128,
    pub income_minor: i128,
    pub capital_returned_minor: i128,
    pub written_down_minor: i128,
}

impl PortfolioLine {
    /// income + capital returned + book value − disbursed, as on each investment's page.
    pub fn net_return_minor(&self) -> i128 {
        self.income_minor + self.capital_returned_minor + self.book_value_minor
            - self.disbursed_minor
    }

    /// Net return ÷ disbursed in percent, two decimals (half away from zero, as the page);
    /// none when nothing was disbursed.
    pub fn roi_percent(&self) -> Option<Decimal> {
        percent(self.net_return_minor(), self.disbursed_minor)
    }

    fn add(&mut self, holding: &Holding) {
        let f = &holding.figures;
        self.count += 1;
        self.committed_minor += i128::from(holding.committed_minor.unwrap_or(0));
        self.disbursed_minor += i128::from(f.disbursed);
        self.book_value_minor += i128::from(f.book_value);
        self.income_minor += i128::from(f.income);
        self.capital_returned_minor += i128::from(f.capital_returned);
        self.written_down_minor += i128::from(f.written_down);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Portfolio {
    pub by_kind: Vec<PortfolioLine>,
    pub by_sector: Vec<PortfolioLine>,
    pub by_country: Vec<PortfolioLine>,
    /// Keyed `true`, `false` or `unknown` (not recorded); a line whose figures could single
    /// out fewer investments than the suppression threshold is suppressed.
    pub by_women_led: Vec<SuppressedLine>,
}

/// A breakdown line that is shown, or suppressed (its key and currency only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressedLine {
    pub key: String,
    pub currency: Currency,
    /// None when suppressed.
    pub figures: Option<PortfolioLine>,
}

/// The key of a holding in the women-led breakdown.
pub fn women_led_key(holding: &Holding) -> String {
    match holding.women_led {
        Some(true) => "true".into(),
        Some(false) => "false".into(),
        None => "unknown".into(),
    }
}

/// Suppresses the lines of a breakdown that count fewer than `suppression_min` investments,
/// as the indicators suppress cells of fewer members. The lines of one currency add up to the
/// currency's total, which the other breakdowns publish; so when exactly one line of a
/// currency is suppressed and the total is shown, the smallest shown line beside it is
/// suppressed too (the first in order when counts tie), lest the total less the shown lines
/// give it away.
pub fn suppress_small_lines(
    lines: Vec<PortfolioLine>,
    suppression_min: u32,
) -> Vec<SuppressedLine> {
    let min = i64::from(suppression_min);
    let mut hidden: Vec<bool> = lines.iter().map(|l| l.count < min).collect();
    let mut currencies: Vec<Currency> = lines.iter().map(|l| l.currency).collect();
    currencies.sort_by_key(|c| c.code());
    currencies.dedup();
    for currency in currencies {
        let of_currency: Vec<usize> = (0..lines.len())
            .filter(|i| lines[*i].currency == currency)
            .collect();
        let total: i64 = of_currency.iter().map(|i| lines[*i].count).sum();
        let suppressed = of_currency.iter().filter(|i| hidden[**i]).count();
        if total >= min && suppressed == 1 {
            let partner = of_currency
                .iter()
                .filter(|i| !hidden[**i])
                .min_by_key(|i| lines[**i].count)
                .copied();
            if let Some(i) = partner {
                hidden[i] = true;
            }
        }
    }
    lines
        .into_iter()
        .zip(hidden)
        .map(|(line, hide)| SuppressedLine {
            key: line.key.clone(),
            currency: line.currency,
            figures: (!hide).then_some(line),
        })
        .collect()
}

/// Holdings added up per (key, currency), in that order.
pub fn breakdown(holdings: &[Holding], key: impl Fn(&Holding) -> String) -> Vec<PortfolioLine> {
    let mut lines: BTreeMap<(String, &'static str), PortfolioLine> = BTreeMap::new();
    for holding in holdings {
        let k = key(holding);
        lines
            .entry((k.clone(), holding.currency.code()))
            .or_insert_with(|| PortfolioLine {
                key: k,
                currency: holding.currency,
                count: 0,
                committed_minor: 0,
                disbursed_minor: 0,
                book_value_minor: 0,
                income_minor: 0,
                capital_returned_minor: 0,
                written_down_minor: 0,
            })
            .add(holding);
    }
    lines.into_values().collect()
}

/// The breakdowns of a set of holdings, each line keyed by (key, currency) in that order.
pub fn portfolio(holdings: &[Holding], suppression_min: u32) -> Portfolio {
    Portfolio {
        by_kind: breakdown(holdings, |h| h.kind.as_str().to_string()),
        by_sector: breakdown(holdings, |h| h.sector.clone()),
        by_country: breakdown(holdings, |h| h.country.clone()),
        by_women_led: suppress_small_lines(breakdown(holdings, women_led_key), suppression_min),
    }
}

// ---------------------------------------------------------------------------------------------
// Remittance corridors

/// Every purpose a remittance's money can be used for, in the order reports list them.
pub const PURPOSES: [Purpose; 7] = [
    Purpose::FamilySupport,
    Purpose::Education,
    Purpose::Health,
    Purpose::GroupSavings,
    Purpose::Investment,
    Purpose::Debt,
    Purpose::Other,
];

/// The remittances of one corridor, month and currency pair, measured as the World Bank's
/// Remittance Prices Worldwide does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorridorLine {
    pub send_country: String,
    pub receive_country: String,
    /// `YYYY-MM` of the booking date.
    pub month: String,
    pub send_currency: Currency,
    pub receive_currency: Currency,
    pub count: i64,
    pub sent_minor: i128,
    pub received_minor: i128,
    pub fees_minor: i128,
    /// The FX margins of the remittances with a mid-market rate, in the send currency; none
    /// when none had one.
    pub fx_margin: Option<Decimal>,
    pub with_mid_market: i64,
    /// Mean and median of each remittance's total cost in percent (as its own page shows it),
    /// rounded half to even to two decimals only here.
    pub average_cost_percent: Decimal,
    pub median_cost_percent: Decimal,
    /// What the money received was used for, in the receive currency, one per purpose of
    /// [`PURPOSES`].
    pub uses_minor: [i128; 7],
}

/// The middle value of sorted values; of an even count, the mean of the two middle ones.
pub fn median(sorted: &[Decimal]) -> Option<Decimal> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / Decimal::TWO),
    }
}

/// Groups remittances by corridor, month and currency pair, in that order.
pub fn corridors(remittances: &[RemittanceDetails]) -> Vec<CorridorLine> {
    type Key = (String, String, String, &'static str, &'static str);
    let mut groups: BTreeMap<Key, Vec<&RemittanceDetails>> = BTreeMap::new();
    for r in remittances {
        let month = format!("{:04}-{:02}", r.booked_on.year(), r.booked_on.month());
        let key = (
            r.send_country.clone(),
            r.receive_country.clone(),
            month,
            r.send_currency.code(),
            r.receive_currency.code(),
        );
        groups.entry(key).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|((send_country, receive_country, month, _, _), items)| {
            corridor_line(send_country, receive_country, month, &items)
        })
        .collect()
}

fn corridor_line(
    send_country: String,
    receive_country: String,
    month: String,
    items: &[&RemittanceDetails],
) -> CorridorLine {
    let first = items[0];
    let mut line = CorridorLine {
        send_country,
        receive_country,
        month,
        send_currency: first.send_currency,
        receive_currency: first.receive_currency,
        count: items.len() as i64,
        sent_minor: 0,
        received_minor: 0,
        fees_minor: 0,
        fx_margin: None,
        with_mid_market: 0,
        average_cost_percent: Decimal::ZERO,
        median_cost_percent: Decimal::ZERO,
        uses_minor: [0; 7],
    };
    let mut percents = Vec::with_capacity(items.len());
    for r in items {
        line.sent_minor += i128::from(r.send_amount_minor);
        line.received_minor += i128::from(r.receive_amount_minor);
        line.fees_minor += i128::from(r.fee_minor);
        let cost = r.cost();
        if let Some(margin) = cost.fx_margin {
            line.fx_margin = Some(line.fx_margin.unwrap_or(Decimal::ZERO) + margin);
            line.with_mid_market += 1;
        }
        percents.push(cost.percent);
        for u in &r.uses {
            if let Some(i) = PURPOSES.iter().position(|p| *p == u.purpose) {
                line.uses_minor[i] += i128::from(u.amount_minor);
            }
        }
    }
    percents.sort();
    let two_places =
        |d: Decimal| d.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
    let sum: Decimal = percents.iter().sum();
    line.average_cost_percent = two_places(sum / Decimal::from(percents.len() as i64));
    line.median_cost_percent = two_places(median(&percents).unwrap_or(Decimal::ZERO));
    line
}

// ---------------------------------------------------------------------------------------------
// Sex-disaggregated indicators

/// Age on a date, from the year of birth alone: the age reached during that date's year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AgeBand {
    Under25,
    From25To34,
    From35To44,
    From45To54,
    From55,
    Unknown,
}

impl AgeBand {
    pub fn of(birth_year: Option<i32>, on: NaiveDate) -> Self {
        match birth_year.map(|year| on.year() - year) {
            None => AgeBand::Unknown,
            Some(age) if age < 25 => AgeBand::Under25,
            Some(age) if age < 35 => AgeBand::From25To34,
            Some(age) if age < 45 => AgeBand::From35To44,
            Some(age) if age < 55 => AgeBand::From45To54,
            Some(_) => AgeBand::From55,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Under25 => "under_25",
            AgeBand::From25To34 => "25_34",
            AgeBand::From35To44 => "35_44",
            AgeBand::From45To54 => "45_54",
            AgeBand::From55 => "55_plus",
            AgeBand::Unknown => "unknown",
        }
    }
}

/// A member as the indicators count them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub member_id: Uuid,
    pub sex: Sex,
    pub birth_year: Option<i32>,
    pub host_country: String,
    pub home_country: String,
}

/// One member's figures in one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PersonFigures {
    pub savings_minor: i64,
    pub capital_minor: i64,
    pub distributions_minor: i64,
    pub remittances_sent: i64,
    pub remittances_minor: i64,
}

/// The figures of a cell, added over its members.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CellFigures {
    pub members: i64,
    pub savings_minor: i128,
    pub capital_minor: i128,
    pub distributions_minor: i128,
    pub remittances_sent: i64,
    pub remittances_minor: i128,
}

impl CellFigures {
    fn add(&mut self, f: &PersonFigures) {
        self.members += 1;
        self.savings_minor += i128::from(f.savings_minor);
        self.capital_minor += i128::from(f.capital_minor);
        self.distributions_minor += i128::from(f.distributions_minor);
        self.remittances_sent += f.remittances_sent;
        self.remittances_minor += i128::from(f.remittances_minor);
    }
}

/// One cell: who (sex, and for a cell rather than a total, age band and countries) and the
/// currency its amounts are in. `figures` is none when the cell describes fewer people than
/// the suppression threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorCell {
    pub sex: Sex,
    pub age_band: Option<AgeBand>,
    pub host_country: Option<String>,
    pub home_country: Option<String>,
    pub currency: Currency,
    pub figures: Option<CellFigures>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicators {
    pub as_of: NaiveDate,
    pub suppression_min: u32,
    pub cells: Vec<IndicatorCell>,
    pub totals_by_sex: Vec<IndicatorCell>,
}

fn sex_rank(sex: Sex) -> u8 {
    match sex {
        Sex::Female => 0,
        Sex::Male => 1,
        Sex::Other => 2,
        Sex::Undisclosed => 3,
    }
}

/// Adds each member's figures in each currency into their cell and into their sex's total, and
/// suppresses every cell and total of fewer than `suppression_min` members. A member is
/// counted in a currency when they hold an account in it, received a distribution in it, or
/// sent a remittance in it.
pub fn indicators(
    as_of: NaiveDate,
    suppression_min: u32,
    people: &[Person],
    figures: &BTreeMap<(Uuid, &'static str), (Currency, PersonFigures)>,
) -> Indicators {
    type CellKey = (u8, AgeBand, String, String, &'static str);
    let by_id: BTreeMap<Uuid, &Person> = people.iter().map(|p| (p.member_id, p)).collect();
    let mut cells: BTreeMap<CellKey, (Sex, Currency, CellFigures)> = BTreeMap::new();
    let mut totals: BTreeMap<(u8, &'static str), (Sex, Currency, CellFigures)> = BTreeMap::new();
    for ((member_id, code), (currency, f)) in figures {
        let Some(person) = by_id.get(member_id) else {
            continue;
        };
        let band = AgeBand::of(person.birth_year, as_of);
        let key = (
            sex_rank(person.sex),
            band,
            person.host_country.clone(),
            person.home_country.clone(),
            *code,
        );
        cells
            .entry(key)
            .or_insert((person.sex, *currency, CellFigures::default()))
            .2
            .add(f);
        totals
            .entry((sex_rank(person.sex), code))
            .or_insert((person.sex, *currency, CellFigures::default()))
            .2
            .add(f);
    }
    let shown = |f: CellFigures| (f.members >= i64::from(suppression_min)).then_some(f);
    let hidden = complementary_suppression(&cells, suppression_min);
    Indicators {
        as_of,
        suppression_min,
        cells: cells
            .into_iter()
            .map(|(key, (sex, currency, f))| {
                let (_, band, host, home, _) = key.clone();
                IndicatorCell {
                    sex,
                    age_band: Some(band),
                    host_country: Some(host),
                    home_country: Some(home),
                    currency,
                    figures: if hidden.contains(&key) {
                        None
                    } else {
                        shown(f)
                    },
                }
            })
            .collect(),
        totals_by_sex: totals
            .into_values()
            .map(|(sex, currency, f)| IndicatorCell {
                sex,
                age_band: None,
                host_country: None,
                home_country: None,
                currency,
                figures: shown(f),
            })
            .collect(),
    }
}

/// A cell's place: sex (by rank), age band, host and home country, and currency.
type CellKeyOf<K> = (u8, AgeBand, String, String, K);

/// The cells hidden so that no small cell can be worked out from what is shown. The cells of
/// one sex and currency add up to that sex's total; if the total is shown and only one of its
/// cells is suppressed, the total less the shown cells would give that cell away, so the
/// smallest shown cell beside it is hidden too (the first in order when sizes tie).
fn complementary_suppression<K: Ord + Clone>(
    cells: &BTreeMap<CellKeyOf<K>, (Sex, Currency, CellFigures)>,
    suppression_min: u32,
) -> std::collections::BTreeSet<CellKeyOf<K>> {
    let small = |f: &CellFigures| f.members < i64::from(suppression_min);
    // The cells of each sex and currency, with their figures.
    type Members<'a, K> = Vec<(&'a CellKeyOf<K>, &'a CellFigures)>;
    let mut groups: BTreeMap<(u8, K), Members<'_, K>> = BTreeMap::new();
    for (key, (_, _, f)) in cells {
        groups
            .entry((key.0, key.4.clone()))
            .or_default()
            .push((key, f));
    }
    let mut hidden = std::collections::BTreeSet::new();
    for members in groups.values() {
        let total: i64 = members.iter().map(|(_, f)| f.members).sum();
        if total < i64::from(suppression_min) {
            continue; // the total is suppressed itself, and with it every cell
        }
        let suppressed = members.iter().filter(|(_, f)| small(f)).count();
        if suppressed == 1 {
            let partner = members
                .iter()
                .filter(|(_, f)| !small(f))
                .min_by_key(|(_, f)| f.members);
            if let Some((key, _)) = partner {
                hidden.insert((*key).clone());
            }
        }
    }
    hidden
}

// ---------------------------------------------------------------------------------------------
// Reintegration

/// A returned member's stake in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnStake {
    pub currency: Currency,
    /// Savings and capital on the day they returned, before what was paid out to them then.
    pub savings_at_return_minor: i64,
    pub capital_at_return_minor: i64,
    /// Debited from their accounts by the payouts of their leaving (transactions that stand).
    pub paid_out_minor: i64,
    /// Their capital account's balance today: what they keep invested in the group.
    pub capital_now_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedMember {
    pub group_id: Uuid,
    pub group_name: String,
    pub member_id: Uuid,
    pub sex: Sex,
    pub home_country: String,
    pub returned_on: Option<NaiveDate>,
    /// One line per currency, by currency code.
    pub stakes: Vec<ReturnStake>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::format_total;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn totals_are_formatted_like_single_amounts() {
        let hkd = Currency::parse("HKD").unwrap();
        let jpy = Currency::parse("JPY").unwrap();
        let kwd = Currency::parse("KWD").unwrap();
        for minor in [0i64, 5, -5, 150, -150, 123_456_789, i64::MAX, i64::MIN + 1] {
            for currency in [hkd, jpy, kwd] {
                assert_eq!(
                    format_total(i128::from(minor), currency),
                    super::super::money::format_amount(minor, currency)
                );
            }
        }
        assert_eq!(
            format_total(i128::from(i64::MAX) * 4, hkd),
            "368934881474191032.28"
        );
    }

    fn money(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    fn one_group(balances: Vec<SavingsBalance>) -> SavingsReport {
        SavingsReport::new(
            None,
            vec![GroupSavings {
                group_id: Uuid::nil(),
                name: "G".into(),
                host_country: "HK".into(),
                home_country: "PH".into(),
                status: GroupStatus::Provisional,
                members: MemberCounts::default(),
                balances,
            }],
        )
    }

    fn to_usd(rates: &[(&str, &str)]) -> Conversion {
        Conversion {
            target: money("USD"),
            rates: rates
                .iter()
                .map(|(c, r)| (money(c).code(), (money(c), r.parse().unwrap())))
                .collect(),
        }
    }

    #[test]
    fn a_conversion_ending_on_half_a_cent_rounds_to_even() {
        // HKD 0.05 at 0.1 is USD 0.005: half a cent, rounded to the even 0.00 (half-up would
        // give 0.01); HKD 0.15 is USD 0.015, rounded to the even 0.02.
        let line = |savings, capital| SavingsBalance {
            currency: money("HKD"),
            savings_minor: savings,
            capital_minor: capital,
        };
        let converted = one_group(vec![line(5, 15)])
            .convert(&to_usd(&[("HKD", "0.1")]))
            .unwrap();
        assert_eq!(
            converted.totals,
            ConvertedFigures {
                savings_minor: 0,
                capital_minor: 2
            }
        );
        // 0.25 → 0.025 → 0.02 and 0.35 → 0.035 → 0.04: to even both ways.
        let converted = one_group(vec![line(25, 35)])
            .convert(&to_usd(&[("HKD", "0.1")]))
            .unwrap();
        assert_eq!(
            converted.groups[0].1,
            ConvertedFigures {
                savings_minor: 2,
                capital_minor: 4
            }
        );
    }

    #[test]
    fn currencies_are_converted_exactly_then_rounded_once() {
        // HKD 0.03 at 0.1 (0.003) and JPY 1 at 0.007 (0.007) are USD 0.010 together: rounding
        // each first would give 0.00 + 0.01.
        let report = one_group(vec![
            SavingsBalance {
                currency: money("HKD"),
                savings_minor: 3,
                capital_minor: 0,
            },
            SavingsBalance {
                currency: money("JPY"),
                savings_minor: 1,
                capital_minor: 0,
            },
            SavingsBalance {
                currency: money("USD"),
                savings_minor: 100,
                capital_minor: -7,
            },
        ]);
        let converted = report
            .convert(&to_usd(&[("HKD", "0.1"), ("JPY", "0.007")]))
            .unwrap();
        assert_eq!(converted.totals.savings_minor, 101);
        assert_eq!(converted.totals.capital_minor, -7);
        assert_eq!(
            report.convert(&to_usd(&[("HKD", "0.1")])),
            Err(ConversionError::MissingRate(money("JPY")))
        );
    }

    #[test]
    fn a_conversion_beyond_exact_arithmetic_is_refused() {
        let report = one_group(vec![SavingsBalance {
            currency: money("HKD"),
            savings_minor: i128::from(i64::MAX) * 1000,
            capital_minor: 0,
        }]);
        assert_eq!(
            report.convert(&to_usd(&[("HKD", "100000000000")])),
            Err(ConversionError::TooLarge)
        );
    }

    #[test]
    fn a_lone_small_cell_cannot_be_worked_out_from_the_total() {
        let hkd = Currency::parse("HKD").unwrap();
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        // Women from the Philippines: five born in 1990, four in 1980 and two in 1970 (three
        // age bands), all saving HKD 100 each.
        let mut people = Vec::new();
        let mut figures = BTreeMap::new();
        for (count, born) in [(5, 1990), (4, 1980), (2, 1970)] {
            for _ in 0..count {
                let id = Uuid::new_v4();
                people.push(Person {
                    member_id: id,
                    sex: Sex::Female,
                    birth_year: Some(born),
                    host_country: "HK".into(),
                    home_country: "PH".into(),
                });
                figures.insert(
                    (id, "HKD"),
                    (
                        hkd,
                        PersonFigures {
                            savings_minor: 10_000,
                            ..PersonFigures::default()
                        },
                    ),
                );
            }
        }
        let report = indicators(as_of, 3, &people, &figures);
        let shown: Vec<Option<i64>> = report
            .cells
            .iter()
            .map(|c| c.figures.map(|f| f.members))
            .collect();
        // The two born in 1970 are hidden, and so is the next smallest cell (the four born in
        // 1980); the total of eleven stays.
        assert_eq!(shown, vec![Some(5), None, None]);
        assert_eq!(report.totals_by_sex[0].figures.map(|f| f.members), Some(11));
        // With two small cells nothing more needs hiding.
        let report = indicators(as_of, 5, &people, &figures);
        let shown: Vec<Option<i64>> = report
            .cells
            .iter()
            .map(|c| c.figures.map(|f| f.members))
            .collect();
        assert_eq!(shown, vec![Some(5), None, None]);
    }

    #[test]
    fn a_lone_small_women_led_line_cannot_be_worked_out_from_the_total() {
        let holding = |women_led: Option<bool>, currency: &str| Holding {
            kind: InvestmentKind::Cooperative,
            sector: "agriculture".into(),
            country: "PH".into(),
            currency: money(currency),
            committed_minor: None,
            women_led,
            figures: InvestmentFigures::default(),
        };
        // PHP: 4 women-led, 3 not, 1 unknown; HKD: 1 women-led, 1 not (total 2, below 3).
        let mut holdings = vec![
            holding(None, "PHP"),
            holding(Some(true), "HKD"),
            holding(Some(false), "HKD"),
        ];
        holdings.extend((0..4).map(|_| holding(Some(true), "PHP")));
        holdings.extend((0..3).map(|_| holding(Some(false), "PHP")));
        let lines = portfolio(&holdings, 3).by_women_led;
        let shown: Vec<(String, &str, Option<i64>)> = lines
            .iter()
            .map(|l| {
                (
                    l.key.clone(),
                    l.currency.code(),
                    l.figures.as_ref().map(|f| f.count),
                )
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                ("false".to_string(), "HKD", None),
                ("false".to_string(), "PHP", None),
                ("true".to_string(), "HKD", None),
                ("true".to_string(), "PHP", Some(4)),
                ("unknown".to_string(), "PHP", None),
            ]
        );
        // With a threshold of 1 nothing is hidden.
        assert!(
            portfolio(&holdings, 1)
                .by_women_led
                .iter()
                .all(|l| l.figures.is_some())
        );
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[d("4.28")]), Some(d("4.28")));
        assert_eq!(median(&[d("1.00"), d("2.00"), d("9.00")]), Some(d("2.00")));
        assert_eq!(
            median(&[d("1.00"), d("2.01"), d("3.00"), d("9.00")]),
            Some(d("2.505"))
        );
    }

    #[test]
    fn age_bands_count_the_age_reached_in_the_year() {
        let on = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(AgeBand::of(None, on), AgeBand::Unknown);
        assert_eq!(AgeBand::of(Some(2002), on), AgeBand::Under25);
        assert_eq!(AgeBand::of(Some(2001), on), AgeBand::From25To34);
        assert_eq!(AgeBand::of(Some(1992), on), AgeBand::From25To34);
        assert_eq!(AgeBand::of(Some(1991), on), AgeBand::From35To44);
        assert_eq!(AgeBand::of(Some(1972), on), AgeBand::From45To54);
        assert_eq!(AgeBand::of(Some(1971), on), AgeBand::From55);
    }

    #[test]
    fn every_purpose_is_listed_once() {
        for p in PURPOSES {
            assert_eq!(PURPOSES.iter().filter(|q| **q == p).count(), 1);
            // Exhaustive: a new purpose fails to compile here until it is listed.
            match p {
                Purpose::FamilySupport
                | Purpose::Education
                | Purpose::Health
                | Purpose::GroupSavings
                | Purpose::Investment
                | Purpose::Debt
                | Purpose::Other => {}
            }
        }
    }
}
