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

/// The remittances of one corridor, month and currency pair (and channel, when lines are cut
/// by channel), measured as the World Bank's Remittance Prices Worldwide does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorridorLine {
    pub send_country: String,
    pub receive_country: String,
    /// `YYYY-MM` of the booking date.
    pub month: String,
    /// The kind of provider the remittances went through (bank, money transfer operator,
    /// mobile wallet, post); none when lines are not cut by channel.
    pub channel: Option<RemittanceChannel>,
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
    /// The spread of the costs around the median: their lower and upper quartiles
    /// ([`quartiles`]), rounded as the median.
    pub lower_quartile_cost_percent: Decimal,
    pub upper_quartile_cost_percent: Decimal,
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

/// The lower and upper quartiles of sorted values: the medians of their lower and upper
/// halves (of an odd count, the middle value is in neither half); of one value, that value.
pub fn quartiles(sorted: &[Decimal]) -> Option<(Decimal, Decimal)> {
    let n = sorted.len();
    if n == 1 {
        return Some((sorted[0], sorted[0]));
    }
    let half = n / 2;
    Some((median(&sorted[..half])?, median(&sorted[n - half..])?))
}

/// Groups remittances by corridor, month (then channel, when `by_channel`) and currency
/// pair, in that order.
pub fn corridors(remittances: &[RemittanceDetails], by_channel: bool) -> Vec<CorridorLine> {
    type Key = (
        String,
        String,
        String,
        Option<&'static str>,
        &'static str,
        &'static str,
    );
    let mut groups: BTreeMap<Key, Vec<&RemittanceDetails>> = BTreeMap::new();
    for r in remittances {
        let month = format!("{:04}-{:02}", r.booked_on.year(), r.booked_on.month());
        let key = (
            r.send_country.clone(),
            r.receive_country.clone(),
            month,
            by_channel.then(|| r.channel.as_str()),
            r.send_currency.code(),
            r.receive_currency.code(),
        );
        groups.entry(key).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|((send_country, receive_country, month, _, _, _), items)| {
            let channel = by_channel.then_some(items[0].channel);
            corridor_line(send_country, receive_country, month, channel, &items)
        })
        .collect()
}

fn corridor_line(
    send_country: String,
    receive_country: String,
    month: String,
    channel: Option<RemittanceChannel>,
    items: &[&RemittanceDetails],
) -> CorridorLine {
    let first = items[0];
    let mut line = CorridorLine {
        send_country,
        receive_country,
        month,
        channel,
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
        lower_quartile_cost_percent: Decimal::ZERO,
        upper_quartile_cost_percent: Decimal::ZERO,
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
    let (lower, upper) = quartiles(&percents).unwrap_or_default();
    line.lower_quartile_cost_percent = two_places(lower);
    line.upper_quartile_cost_percent = two_places(upper);
    line
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use proptest::prelude::*;
    use uuid::Uuid;

    use super::*;
    use crate::domain::operations::derived_rate;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn quartiles_are_the_medians_of_each_half() {
        let of = |values: &[&str]| {
            let values: Vec<Decimal> = values.iter().map(|v| d(v)).collect();
            quartiles(&values)
        };
        assert_eq!(of(&[]), None);
        assert_eq!(of(&["7"]), Some((d("7"), d("7"))));
        assert_eq!(of(&["1", "3"]), Some((d("1"), d("3"))));
        // Odd: the middle value (3) is in neither half.
        assert_eq!(of(&["1", "2", "3", "4", "5"]), Some((d("1.5"), d("4.5"))));
        assert_eq!(of(&["1", "2", "3", "4", "5", "6"]), Some((d("2"), d("5"))));
    }

    /// A remittance of `send` HKD with a fee of `fee`, received as 7 PHP per HKD, sent by
    /// `member` through `channel` on day `day` of 2026.
    fn remittance(member: u8, channel: u8, day: u32, send: i64, fee: i64) -> RemittanceDetails {
        let hkd = Currency::parse("HKD").unwrap();
        let php = Currency::parse("PHP").unwrap();
        let channels = [
            RemittanceChannel::Bank,
            RemittanceChannel::MoneyTransferOperator,
            RemittanceChannel::MobileWallet,
            RemittanceChannel::Post,
        ];
        RemittanceDetails {
            member_id: Uuid::from_u128(u128::from(member)),
            send_amount_minor: send,
            send_currency: hkd,
            fee_minor: fee,
            receive_amount_minor: send * 7,
            receive_currency: php,
            applied_rate: derived_rate(send, hkd, send * 7, php),
            rate_derived: true,
            mid_market_rate: None,
            rate_source: None,
            provider: "p".into(),
            channel: channels[usize::from(channel % 4)],
            send_country: "HK".into(),
            receive_country: "PH".into(),
            uses: Vec::new(),
            booked_on: NaiveDate::from_yo_opt(2026, day).unwrap(),
        }
    }

    proptest! {
        /// The spread brackets the median, and both lie within the costs of the line.
        #[test]
        fn the_quartiles_bracket_the_median(
            costs in prop::collection::vec((1i64..100_000, 0i64..5_000), 1..40),
        ) {
            let items: Vec<RemittanceDetails> = costs
                .iter()
                .map(|(send, fee)| remittance(1, 0, 10, *send, *fee))
                .collect();
            let lines = corridors(&items, false);
            prop_assert_eq!(lines.len(), 1);
            let line = &lines[0];
            let percents: Vec<Decimal> = items.iter().map(|r| r.cost().percent).collect();
            let two = |v: Decimal| v.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
            let lowest = two(percents.iter().copied().min().unwrap());
            let highest = two(percents.iter().copied().max().unwrap());
            prop_assert!(lowest <= line.lower_quartile_cost_percent);
            prop_assert!(line.lower_quartile_cost_percent <= line.median_cost_percent);
            prop_assert!(line.median_cost_percent <= line.upper_quartile_cost_percent);
            prop_assert!(line.upper_quartile_cost_percent <= highest);
        }

        /// Cut by channel, a corridor month's lines add up to its line as a whole, each
        /// naming one channel; uncut, no line names one.
        #[test]
        fn lines_by_channel_add_up_to_the_corridor(
            sent in prop::collection::vec((0u8..6, 0u8..4, 1u32..365, 1i64..100_000, 0i64..5_000), 1..60),
        ) {
            let items: Vec<RemittanceDetails> = sent
                .iter()
                .map(|(m, c, day, send, fee)| remittance(*m, *c, *day, *send, *fee))
                .collect();
            let whole = corridors(&items, false);
            let cut = corridors(&items, true);
            prop_assert!(whole.iter().all(|l| l.channel.is_none()));
            prop_assert!(cut.iter().all(|l| l.channel.is_some()));
            for line in &whole {
                let parts: Vec<&CorridorLine> = cut.iter().filter(|c| c.month == line.month).collect();
                prop_assert_eq!(parts.iter().map(|p| p.count).sum::<i64>(), line.count);
                prop_assert_eq!(parts.iter().map(|p| p.sent_minor).sum::<i128>(), line.sent_minor);
                prop_assert_eq!(parts.iter().map(|p| p.fees_minor).sum::<i128>(), line.fees_minor);
                prop_assert!(parts.iter().all(|p| p.senders <= line.senders));
                let mut channels: Vec<&str> = parts.iter().map(|p| p.channel.unwrap().as_str()).collect();
                let before = channels.len();
                channels.dedup();
                prop_assert_eq!(channels.len(), before);
            }
            prop_assert_eq!(cut.iter().map(|l| l.count).sum::<i64>(), items.len() as i64);
        }
    }
}
