//! Reintegration for the dashboard: the members who returned home in a period, counted by
//! home country, sex and currency, with what they held on return, what was paid out to them
//! and what they keep invested. A cell of fewer people than the suppression threshold shows
//! none of its figures, and no total across cells is given, as in the savings trend.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;

/// The figures of the members of one home country and sex who returned, in one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReturnFigures {
    pub members: i64,
    pub savings_at_return_minor: i128,
    pub capital_at_return_minor: i128,
    pub paid_out_minor: i128,
    pub capital_held_minor: i128,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnCell {
    pub home_country: String,
    pub sex: Sex,
    pub currency: Currency,
    /// None when the cell describes fewer members than the threshold.
    pub figures: Option<ReturnFigures>,
}

/// Whether a returned member is one the filter and the period (of the day she returned) cover.
fn covered(
    m: &ReturnedMember,
    filter: &NetworkFilter,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> bool {
    let country =
        |wanted: &Option<String>, actual: &str| wanted.as_deref().is_none_or(|w| w == actual);
    let within = match (m.returned_on, from, to) {
        (_, None, None) => true,
        (None, _, _) => false,
        (Some(on), from, to) => from.is_none_or(|f| on >= f) && to.is_none_or(|t| on <= t),
    };
    country(&filter.host_country, &m.group_host_country)
        && country(&filter.home_country, &m.group_home_country)
        && filter.group_id.is_none_or(|g| g == m.group_id)
        && within
}

/// Adds up the returned members the filter and period cover into cells of home country, sex
/// and currency (in that order, women first), suppressing those of fewer than
/// `suppression_min` members.
pub fn returns(
    returned: &[ReturnedMember],
    filter: &NetworkFilter,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    suppression_min: u32,
) -> Vec<ReturnCell> {
    let mut cells: BTreeMap<(String, u8, &'static str), (Sex, Currency, ReturnFigures)> =
        BTreeMap::new();
    for m in returned.iter().filter(|m| covered(m, filter, from, to)) {
        for stake in &m.stakes {
            let key = (
                m.home_country.clone(),
                indicators::sex_rank(m.sex),
                stake.currency.code(),
            );
            let f = &mut cells
                .entry(key)
                .or_insert((m.sex, stake.currency, ReturnFigures::default()))
                .2;
            f.members += 1;
            f.savings_at_return_minor += i128::from(stake.savings_at_return_minor);
            f.capital_at_return_minor += i128::from(stake.capital_at_return_minor);
            f.paid_out_minor += i128::from(stake.paid_out_minor);
            f.capital_held_minor += i128::from(stake.capital_now_minor);
        }
    }
    cells
        .into_iter()
        .map(|((home_country, _, _), (sex, currency, f))| ReturnCell {
            home_country,
            sex,
            currency,
            figures: (f.members >= i64::from(suppression_min)).then_some(f),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn returned(
        n: u128,
        sex: Sex,
        home: &str,
        on: Option<NaiveDate>,
        stake: (i64, i64, i64, i64),
    ) -> ReturnedMember {
        ReturnedMember {
            group_id: Uuid::from_u128(n % 3),
            group_name: format!("group {}", n % 3),
            group_host_country: if n.is_multiple_of(3) {
                "HK".into()
            } else {
                "QA".into()
            },
            group_home_country: home.into(),
            member_id: Uuid::from_u128(n),
            sex,
            home_country: home.into(),
            returned_on: on,
            stakes: vec![ReturnStake {
                currency: Currency::parse("HKD").unwrap(),
                savings_at_return_minor: stake.0,
                capital_at_return_minor: stake.1,
                paid_out_minor: stake.2,
                capital_now_minor: stake.3,
            }],
        }
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn returns_are_added_by_country_and_sex_and_small_cells_hidden() {
        let people = [
            returned(
                0,
                Sex::Female,
                "NP",
                Some(day(3, 1)),
                (1_000, 500, 1_000, 500),
            ),
            returned(3, Sex::Female, "NP", Some(day(4, 1)), (2_000, 0, 2_000, 0)),
            returned(6, Sex::Male, "NP", Some(day(4, 2)), (700, 300, 1_000, 0)),
            returned(9, Sex::Female, "NP", Some(day(9, 1)), (5, 5, 5, 5)),
        ];
        let cells = returns(
            &people,
            &NetworkFilter::default(),
            Some(day(1, 1)),
            Some(day(6, 30)),
            2,
        );
        assert_eq!(cells.len(), 2);
        let women = cells[0].figures.unwrap();
        assert_eq!((cells[0].sex, women.members), (Sex::Female, 2));
        assert_eq!(
            (
                women.savings_at_return_minor,
                women.paid_out_minor,
                women.capital_held_minor
            ),
            (3_000, 3_000, 500)
        );
        assert_eq!((cells[1].sex, cells[1].figures), (Sex::Male, None));
        let qatar = NetworkFilter {
            host_country: Some("QA".into()),
            ..NetworkFilter::default()
        };
        assert!(returns(&people, &qatar, None, None, 1).is_empty());
    }

    proptest! {
        #[test]
        fn every_covered_stake_counts_once_and_no_small_cell_shows(
            stakes in proptest::collection::vec((0u8..2, 0u8..2, 0i64..10_000, 0i64..10_000), 0..20),
            threshold in 0u32..5,
        ) {
            let people: Vec<ReturnedMember> = stakes
                .iter()
                .enumerate()
                .map(|(i, &(sex, home, s, c))| {
                    let sex = if sex == 0 { Sex::Female } else { Sex::Male };
                    returned(i as u128, sex, if home == 0 { "NP" } else { "ID" }, Some(day(5, 1)), (s, c, s, c))
                })
                .collect();
            let all = returns(&people, &NetworkFilter::default(), None, None, 0);
            let counted: i64 = all.iter().map(|c| c.figures.unwrap().members).sum();
            prop_assert_eq!(counted, people.len() as i64);
            let saved: i128 = all.iter().map(|c| c.figures.unwrap().savings_at_return_minor).sum();
            prop_assert_eq!(saved, stakes.iter().map(|s| i128::from(s.2)).sum::<i128>());
            for (c, open) in returns(&people, &NetworkFilter::default(), None, None, threshold).iter().zip(&all) {
                prop_assert_eq!(c.figures.is_some(), open.figures.unwrap().members >= i64::from(threshold));
            }
        }
    }
}
