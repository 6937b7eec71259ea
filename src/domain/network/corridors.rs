//! Remittance corridors: what members sent from each host country to each home country, and
//! what it cost them.

use std::collections::BTreeMap;

use chrono::Datelike;
use rust_decimal::{Decimal, RoundingStrategy};

use super::*;

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
    /// How many members sent them: the people the line describes.
    pub senders: i64,
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
        senders: items
            .iter()
            .map(|r| r.member_id)
            .collect::<std::collections::BTreeSet<_>>()
            .len() as i64,
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
