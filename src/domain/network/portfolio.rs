//! The investment portfolio: holdings by kind, sector, country, status and women-led, with
//! small lines suppressed.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::*;

/// One investment with its figures as its own page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub kind: InvestmentKind,
    pub sector: String,
    pub country: String,
    /// Active, exited or written off, as on the investment's page.
    pub status: InvestmentStatus,
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
    pub by_status: Vec<PortfolioLine>,
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
        by_status: breakdown(holdings, |h| h.status.as_str().to_string()),
        by_women_led: suppress_small_lines(breakdown(holdings, women_led_key), suppression_min),
    }
}
