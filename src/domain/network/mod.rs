//! The task force's reports across groups: savings mobilised, the investment portfolio,
//! remittance corridors and their cost, sex-disaggregated indicators, and members who returned
//! home. The store reads the sums from the journal at request time; the rules that shape them
//! (grouping per currency, medians, age bands, suppression of small cells) are here.
//!
//! Amounts are never added across currencies. Sums across groups and members are kept as
//! `i128` so that no total of `i64` amounts can overflow.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

use crate::domain::member::Sex;
use crate::domain::money::Currency;
use crate::domain::operations::{
    GroupStatus, InvestmentFigures, InvestmentKind, InvestmentStatus, Purpose, RemittanceChannel,
    RemittanceDetails,
};

/// Which groups a report covers: those of a host country, of a home country, or both; or one
/// group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkFilter {
    pub host_country: Option<String>,
    pub home_country: Option<String>,
    pub group_id: Option<Uuid>,
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

mod corridors;
mod indicators;
mod portfolio;
mod returns;
mod savings;
mod trend;

pub use corridors::*;
pub use indicators::*;
pub use portfolio::*;
pub use returns::*;
pub use savings::*;
pub use trend::*;

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
    /// The group's countries, which the network's filters name.
    pub group_host_country: String,
    pub group_home_country: String,
    pub member_id: Uuid,
    pub sex: Sex,
    pub home_country: String,
    pub returned_on: Option<NaiveDate>,
    /// One line per currency, by currency code.
    pub stakes: Vec<ReturnStake>,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

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
            status: InvestmentStatus::Active,
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
