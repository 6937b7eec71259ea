//! Sex-disaggregated indicators by age band, with small cells suppressed.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use super::*;

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

/// The order reports and charts list the sexes in: women first.
pub fn sex_rank(sex: Sex) -> u8 {
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
