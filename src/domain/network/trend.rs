//! Savings mobilised month by month, by sex and currency: what the task force's dashboard draws
//! as savings over time, members and dropout. A cell about fewer people than the suppression
//! threshold shows none of its figures, as the indicators do, and no total across sexes is
//! given, so that a suppressed cell cannot be found by subtraction.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use uuid::Uuid;

use super::*;

/// A member as the trend counts her: her sex, her savings account's currency, the day she
/// joined and the day she left (returned home or exited), if she did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendMember {
    pub member_id: Uuid,
    pub sex: Sex,
    pub currency: Currency,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
}

/// What was credited and debited to a member's savings account on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavingsMovement {
    pub member_id: Uuid,
    pub booked_on: NaiveDate,
    pub credits_minor: i64,
    pub debits_minor: i64,
}

/// The figures of one month, sex and currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrendFigures {
    /// The people the cell describes: members at any time in the month, and anyone whose
    /// savings moved in it or were not nil at its end.
    pub people: i64,
    /// Members at the month's end.
    pub members: i64,
    pub joined: i64,
    /// Members who returned home or exited in the month.
    pub left: i64,
    /// Credited to their savings accounts in the month (contributions, and any correction).
    pub deposits_minor: i128,
    /// Debited from them in the month (withdrawals, payouts on leaving, corrections).
    pub withdrawals_minor: i128,
    /// Their savings at the month's end.
    pub savings_minor: i128,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendCell {
    /// The month's first day.
    pub month: NaiveDate,
    pub sex: Sex,
    pub currency: Currency,
    /// None when the cell describes fewer people than the threshold.
    pub figures: Option<TrendFigures>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavingsTrend {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub suppression_min: u32,
    /// By month, then sex (women first), then currency; a month with no member of a sex and
    /// currency has no cell for them.
    pub cells: Vec<TrendCell>,
}

/// The first day of each month from `from`'s to `to`'s.
pub fn months(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut month = from.with_day(1).unwrap_or(from);
    let mut out = Vec::new();
    while month <= to {
        out.push(month);
        match month.checked_add_months(Months::new(1)) {
            Some(next) => month = next,
            None => break,
        }
    }
    out
}

/// The last day of the months of `from`..=`to` whose figures may be read from those stored
/// for closed months: the whole months of the period, so none when it starts within a month.
/// `from`'s day before when there are none.
pub fn storable_through(from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let before = from.pred_opt().unwrap_or(from);
    if from.day() != 1 {
        return before;
    }
    let last_whole = if to.succ_opt().is_none_or(|next| next.day() == 1) {
        to
    } else {
        to.with_day(1)
            .and_then(|first| first.pred_opt())
            .unwrap_or(before)
    };
    last_whole.max(before)
}

/// The last day of the month that starts on `first`, or of the period when it ends sooner.
fn month_end(first: NaiveDate, to: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .map_or(to, |end| end.min(to))
}

/// Adds up each month of `from`..=`to` by sex and currency, and suppresses every cell of
/// fewer people than `suppression_min`: the trend as the store makes it when every month is
/// read from the journal (its tests work on it).
#[cfg(test)]
fn savings_trend(
    from: NaiveDate,
    to: NaiveDate,
    suppression_min: u32,
    members: &[TrendMember],
    movements: &[SavingsMovement],
) -> SavingsTrend {
    month_sums(from, to, members, movements).finish(from, to, suppression_min)
}

/// The figures of each month, sex and currency before any is suppressed. Every figure is a
/// sum over people, and a month's figures depend only on what happened up to its end, so the
/// sums of groups of members with no one in common, or of periods that meet at a month's
/// first day, add up to the sums of them all: a group's closed months are stored this way
/// and added to the months read from the journal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrendSums {
    cells: BTreeMap<(NaiveDate, u8, &'static str), (Sex, Currency, TrendFigures)>,
}

/// A sum of trend figures beyond what they are kept in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendOverflow;

impl TrendFigures {
    fn checked_add(&self, other: &TrendFigures) -> Option<TrendFigures> {
        Some(TrendFigures {
            people: self.people.checked_add(other.people)?,
            members: self.members.checked_add(other.members)?,
            joined: self.joined.checked_add(other.joined)?,
            left: self.left.checked_add(other.left)?,
            deposits_minor: self.deposits_minor.checked_add(other.deposits_minor)?,
            withdrawals_minor: self
                .withdrawals_minor
                .checked_add(other.withdrawals_minor)?,
            savings_minor: self.savings_minor.checked_add(other.savings_minor)?,
        })
    }
}

impl TrendSums {
    /// Adds `figures` into the cell of `month` (its first day), `sex` and `currency`.
    pub fn add(
        &mut self,
        month: NaiveDate,
        sex: Sex,
        currency: Currency,
        figures: &TrendFigures,
    ) -> Result<(), TrendOverflow> {
        let key = (month, indicators::sex_rank(sex), currency.code());
        let cell = self
            .cells
            .entry(key)
            .or_insert((sex, currency, TrendFigures::default()));
        cell.2 = cell.2.checked_add(figures).ok_or(TrendOverflow)?;
        Ok(())
    }

    /// Adds every cell of `other` into these.
    pub fn add_all(&mut self, other: &TrendSums) -> Result<(), TrendOverflow> {
        for (month, sex, currency, figures) in other.cells() {
            self.add(month, sex, currency, figures)?;
        }
        Ok(())
    }

    /// The month of the first cell, in their order, in which these sums and `other` differ.
    pub fn first_difference(&self, other: &TrendSums) -> Option<NaiveDate> {
        let keys: std::collections::BTreeSet<_> =
            self.cells.keys().chain(other.cells.keys()).collect();
        keys.into_iter()
            .find(|key| self.cells.get(*key) != other.cells.get(*key))
            .map(|key| key.0)
    }

    /// Each cell by month, then sex (women first), then currency.
    pub fn cells(&self) -> impl Iterator<Item = (NaiveDate, Sex, Currency, &TrendFigures)> {
        self.cells
            .iter()
            .map(|((month, _, _), (sex, currency, f))| (*month, *sex, *currency, f))
    }

    /// The trend of the period these sums cover: each cell that describes anyone, its figures
    /// withheld when it describes fewer people than `suppression_min`.
    pub fn finish(self, from: NaiveDate, to: NaiveDate, suppression_min: u32) -> SavingsTrend {
        let cells = self
            .cells
            .into_iter()
            .filter(|(_, (_, _, f))| f.people > 0)
            .map(|((month, _, _), (sex, currency, f))| TrendCell {
                month,
                sex,
                currency,
                figures: (f.people >= i64::from(suppression_min)).then_some(f),
            })
            .collect();
        SavingsTrend {
            from,
            to,
            suppression_min,
            cells,
        }
    }
}

/// Adds up each month of `from`..=`to` by sex and currency. Movements booked before `from`
/// count only in the savings carried into the first month; those after `to` not at all.
///
/// Members are numbered by their place in `members` (the last place of an id given twice), so
/// that who each month already counts and what each holds are arrays, not searched sets: at
/// 20,000 members over twelve months, the ordered sets this replaced cost more than reading
/// the movements from the database. An id given twice counts once a month, its months in the
/// cell of each place's sex and currency, its money in that of its last place.
pub fn month_sums(
    from: NaiveDate,
    to: NaiveDate,
    members: &[TrendMember],
    movements: &[SavingsMovement],
) -> TrendSums {
    let months = months(from, to);
    let number: HashMap<Uuid, usize> = members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.member_id, i))
        .collect();
    let mut cells = Cells::new(months.len(), members);
    for (at, &month) in months.iter().enumerate() {
        let (start, end) = (month.max(from), month_end(month, to));
        for (place, m) in members.iter().enumerate() {
            if m.joined_on > end || m.left_on.is_some_and(|left| left < start) {
                continue;
            }
            let f = cells.of(at, number[&m.member_id], place);
            f.members += i64::from(m.left_on.is_none_or(|left| left > end));
            f.joined += i64::from(m.joined_on >= start);
            f.left += i64::from(m.left_on.is_some_and(|left| left <= end));
        }
    }
    // Each member's savings so far, by number; a number not in use (an id given twice) stays
    // nil.
    let mut balances: Vec<i128> = vec![0; members.len()];
    let mut sorted: Vec<&SavingsMovement> =
        movements.iter().filter(|v| v.booked_on <= to).collect();
    sorted.sort_by_key(|v| v.booked_on);
    let mut next = sorted.iter().peekable();
    for (at, &month) in months.iter().enumerate() {
        let end = month_end(month, to);
        while let Some(v) = next.next_if(|v| v.booked_on <= end) {
            let Some(&n) = number.get(&v.member_id) else {
                continue;
            };
            balances[n] += i128::from(v.credits_minor) - i128::from(v.debits_minor);
            if v.booked_on >= month.max(from) {
                let f = cells.of(at, n, n);
                f.deposits_minor += i128::from(v.credits_minor);
                f.withdrawals_minor += i128::from(v.debits_minor);
            }
        }
        for (n, balance) in balances.iter().enumerate() {
            if *balance != 0 && members[n].joined_on <= end {
                cells.of(at, n, n).savings_minor += balance;
            }
        }
    }
    let kinds = cells.kinds.len();
    let mut sums = TrendSums::default();
    for (cell, f) in cells.figures.into_iter().enumerate() {
        if f.people > 0 {
            let (sex, currency) = cells.kinds[cell % kinds];
            let key = (
                months[cell / kinds],
                indicators::sex_rank(sex),
                currency.code(),
            );
            sums.cells.insert(key, (sex, currency, f));
        }
    }
    sums
}

/// The cells being added up, month by month and, within a month, by sex (women first) and
/// currency, and who each month's cells already count among their people.
struct Cells {
    /// The sexes and currencies the members hold, in the order of the cells of a month.
    kinds: Vec<(Sex, Currency)>,
    /// The place among `kinds` of each place's sex and currency.
    kind_of: Vec<usize>,
    figures: Vec<TrendFigures>,
    /// Whether a month counts a member, at `month * members + number`.
    counted: Vec<bool>,
}

impl Cells {
    fn new(months: usize, members: &[TrendMember]) -> Self {
        let sorted: BTreeMap<(u8, &'static str), (Sex, Currency)> = members
            .iter()
            .map(|m| {
                let key = (indicators::sex_rank(m.sex), m.currency.code());
                (key, (m.sex, m.currency))
            })
            .collect();
        let place: HashMap<(u8, &'static str), usize> = sorted
            .keys()
            .enumerate()
            .map(|(i, key)| (*key, i))
            .collect();
        let kind_of = members
            .iter()
            .map(|m| place[&(indicators::sex_rank(m.sex), m.currency.code())])
            .collect();
        let kinds: Vec<(Sex, Currency)> = sorted.into_values().collect();
        Cells {
            figures: vec![TrendFigures::default(); months * kinds.len()],
            counted: vec![false; months * members.len()],
            kinds,
            kind_of,
        }
    }

    /// The cell of the sex and currency at `place` in the month at `at`, counting member `n`
    /// among its people the first time: a member is described by the cell of a month she
    /// belonged to, or whose money she had in it.
    fn of(&mut self, at: usize, n: usize, place: usize) -> &mut TrendFigures {
        let f = &mut self.figures[at * self.kinds.len() + self.kind_of[place]];
        let counted = &mut self.counted[at * self.kind_of.len() + n];
        if !*counted {
            *counted = true;
            f.people += 1;
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn someone(n: u128, sex: Sex, joined_on: NaiveDate, left_on: Option<NaiveDate>) -> TrendMember {
        TrendMember {
            member_id: Uuid::from_u128(n),
            sex,
            currency: Currency::parse("HKD").unwrap(),
            joined_on,
            left_on,
        }
    }

    fn moved(n: u128, booked_on: NaiveDate, credits: i64, debits: i64) -> SavingsMovement {
        SavingsMovement {
            member_id: Uuid::from_u128(n),
            booked_on,
            credits_minor: credits,
            debits_minor: debits,
        }
    }

    #[test]
    fn a_month_counts_who_joined_left_saved_and_what_they_hold_at_its_end() {
        let members = [
            someone(1, Sex::Female, day(2025, 12, 1), None),
            someone(2, Sex::Female, day(2026, 1, 10), Some(day(2026, 2, 14))),
            someone(3, Sex::Male, day(2026, 1, 3), None),
        ];
        let movements = [
            moved(1, day(2025, 12, 7), 10_000, 0),
            moved(1, day(2026, 1, 4), 5_000, 0),
            moved(2, day(2026, 1, 11), 2_000, 0),
            moved(2, day(2026, 2, 14), 0, 2_000),
            moved(3, day(2026, 2, 1), 7_000, 0),
        ];
        let trend = savings_trend(day(2026, 1, 1), day(2026, 2, 28), 1, &members, &movements);
        let figures = |month: NaiveDate, sex: Sex| {
            trend
                .cells
                .iter()
                .find(|c| c.month == month && c.sex == sex)
                .and_then(|c| c.figures)
                .unwrap()
        };
        let january = figures(day(2026, 1, 1), Sex::Female);
        assert_eq!(
            (
                january.people,
                january.members,
                january.joined,
                january.left
            ),
            (2, 2, 1, 0)
        );
        assert_eq!(
            (january.deposits_minor, january.savings_minor),
            (7_000, 17_000)
        );
        let february = figures(day(2026, 2, 1), Sex::Female);
        assert_eq!(
            (february.members, february.left, february.withdrawals_minor),
            (1, 1, 2_000)
        );
        assert_eq!(february.savings_minor, 15_000);
        let men = figures(day(2026, 2, 1), Sex::Male);
        assert_eq!(
            (men.members, men.deposits_minor, men.savings_minor),
            (1, 7_000, 7_000)
        );
    }

    #[test]
    fn only_whole_months_of_a_period_may_be_read_from_stored_figures() {
        let cases = [
            ((2026, 1, 1), (2026, 12, 31), (2026, 12, 31)),
            ((2026, 1, 1), (2026, 12, 7), (2026, 11, 30)),
            ((2026, 1, 1), (2026, 1, 30), (2025, 12, 31)),
            ((2026, 1, 1), (2026, 1, 31), (2026, 1, 31)),
            ((2026, 1, 2), (2026, 12, 31), (2026, 1, 1)),
            ((2024, 2, 1), (2024, 2, 29), (2024, 2, 29)),
            ((2024, 2, 1), (2024, 3, 30), (2024, 2, 29)),
        ];
        for ((fy, fm, fd), (ty, tm, td), (ey, em, ed)) in cases {
            assert_eq!(
                storable_through(day(fy, fm, fd), day(ty, tm, td)),
                day(ey, em, ed),
                "{fy}-{fm}-{fd} to {ty}-{tm}-{td}"
            );
        }
    }

    #[test]
    fn a_member_given_twice_counts_once_a_month() {
        let joined = day(2026, 1, 5);
        let members = [
            someone(1, Sex::Female, joined, None),
            someone(1, Sex::Male, joined, None),
        ];
        let trend = savings_trend(day(2026, 1, 1), day(2026, 1, 31), 1, &members, &[]);
        assert_eq!(trend.cells.len(), 1);
        assert_eq!(trend.cells[0].sex, Sex::Female);
        let f = trend.cells[0].figures.unwrap();
        assert_eq!((f.people, f.members, f.joined), (1, 1, 1));
    }

    #[test]
    fn a_cell_of_fewer_people_than_the_threshold_shows_nothing() {
        let members = [
            someone(1, Sex::Female, day(2026, 1, 1), None),
            someone(2, Sex::Female, day(2026, 1, 1), None),
            someone(3, Sex::Male, day(2026, 1, 1), None),
        ];
        let trend = savings_trend(day(2026, 1, 1), day(2026, 1, 31), 2, &members, &[]);
        assert_eq!(trend.cells.len(), 2);
        assert!(trend.cells[0].figures.is_some());
        assert_eq!(trend.cells[1].sex, Sex::Male);
        assert_eq!(trend.cells[1].figures, None);
    }

    fn sexes() -> impl Strategy<Value = Sex> {
        prop_oneof![
            Just(Sex::Female),
            Just(Sex::Male),
            Just(Sex::Other),
            Just(Sex::Undisclosed)
        ]
    }

    fn people() -> impl Strategy<Value = (Vec<TrendMember>, Vec<SavingsMovement>)> {
        let member = (sexes(), 0u32..400, proptest::option::of(0u32..400));
        proptest::collection::vec(member, 0..12).prop_flat_map(|ms| {
            let base = day(2025, 6, 1);
            let members: Vec<TrendMember> = ms
                .iter()
                .enumerate()
                .map(|(i, &(sex, joined, left))| {
                    let joined_on = base + chrono::Days::new(u64::from(joined));
                    let left_on = left.map(|l| joined_on + chrono::Days::new(u64::from(l)));
                    someone(i as u128, sex, joined_on, left_on)
                })
                .collect();
            let count = members.len().max(1) as u128;
            let movement = (0..count, 0u32..800, 0i64..1_000_000, 0i64..1_000_000);
            (Just(members), proptest::collection::vec(movement, 0..40)).prop_map(
                move |(members, vs)| {
                    let movements = vs
                        .into_iter()
                        .map(|(n, d, c, b)| moved(n, base + chrono::Days::new(u64::from(d)), c, b))
                        .collect();
                    (members, movements)
                },
            )
        })
    }

    /// The trend's cells, none suppressed, worked out member by member and month by month
    /// from what each figure means.
    fn by_definition(
        from: NaiveDate,
        to: NaiveDate,
        members: &[TrendMember],
        movements: &[SavingsMovement],
    ) -> Vec<TrendCell> {
        let net = |v: &&SavingsMovement| i128::from(v.credits_minor) - i128::from(v.debits_minor);
        let mut cells = BTreeMap::new();
        for month in months(from, to) {
            let (start, end) = (month.max(from), month_end(month, to));
            for m in members {
                let own: Vec<&SavingsMovement> = movements
                    .iter()
                    .filter(|v| v.member_id == m.member_id)
                    .collect();
                let belongs = m.joined_on <= end && m.left_on.is_none_or(|left| left >= start);
                let moved: Vec<&&SavingsMovement> = own
                    .iter()
                    .filter(|v| v.booked_on >= start && v.booked_on <= end)
                    .collect();
                let held: i128 = own.iter().filter(|v| v.booked_on <= end).map(&net).sum();
                let holds = held != 0 && m.joined_on <= end;
                if !belongs && moved.is_empty() && !holds {
                    continue;
                }
                let key = (month, indicators::sex_rank(m.sex), m.currency.code());
                let cell = cells.entry(key).or_insert(TrendCell {
                    month,
                    sex: m.sex,
                    currency: m.currency,
                    figures: Some(TrendFigures::default()),
                });
                let f = cell.figures.as_mut().unwrap();
                f.people += 1;
                if belongs {
                    f.members += i64::from(m.left_on.is_none_or(|left| left > end));
                    f.joined += i64::from(m.joined_on >= start);
                    f.left += i64::from(m.left_on.is_some_and(|left| left <= end));
                }
                for v in moved {
                    f.deposits_minor += i128::from(v.credits_minor);
                    f.withdrawals_minor += i128::from(v.debits_minor);
                }
                if holds {
                    f.savings_minor += held;
                }
            }
        }
        cells.into_values().collect()
    }

    proptest! {
        #[test]
        fn nothing_is_lost_and_counts_stay_in_bounds(
            (members, movements) in people(),
            start in 0u32..300,
            length in 0u32..400,
        ) {
            let from = day(2025, 6, 1) + chrono::Days::new(u64::from(start));
            let to = from + chrono::Days::new(u64::from(length));
            let trend = savings_trend(from, to, 1, &members, &movements);
            let known = |v: &&SavingsMovement| (v.member_id.as_u128() as usize) < members.len();
            let in_period: i128 = movements
                .iter()
                .filter(known)
                .filter(|v| v.booked_on >= from && v.booked_on <= to)
                .map(|v| i128::from(v.credits_minor))
                .sum();
            let deposits: i128 = trend.cells.iter().filter_map(|c| c.figures).map(|f| f.deposits_minor).sum();
            prop_assert_eq!(deposits, in_period);
            let last = *months(from, to).last().unwrap();
            let held: i128 = movements
                .iter()
                .filter(known)
                .filter(|v| v.booked_on <= to)
                .map(|v| i128::from(v.credits_minor) - i128::from(v.debits_minor))
                .sum();
            let saved: i128 = trend
                .cells
                .iter()
                .filter(|c| c.month == last)
                .filter_map(|c| c.figures)
                .map(|f| f.savings_minor)
                .sum();
            let joined_by_then: i128 = movements
                .iter()
                .filter(known)
                .filter(|v| v.booked_on <= to)
                .filter(|v| members[v.member_id.as_u128() as usize].joined_on > to)
                .map(|v| i128::from(v.credits_minor) - i128::from(v.debits_minor))
                .sum();
            prop_assert_eq!(saved, held - joined_by_then);
            for c in &trend.cells {
                let f = c.figures.unwrap();
                prop_assert!(f.people > 0);
                prop_assert!(f.members <= f.people && f.left <= f.people && f.joined <= f.people);
            }
        }

        #[test]
        fn each_cell_is_what_its_definition_says(
            (mut members, movements) in people(),
            start in 0u32..300,
            length in 0u32..400,
        ) {
            for m in members.iter_mut().step_by(3) {
                m.currency = Currency::parse("SGD").unwrap();
            }
            let from = day(2025, 6, 1) + chrono::Days::new(u64::from(start));
            let to = from + chrono::Days::new(u64::from(length));
            let trend = savings_trend(from, to, 0, &members, &movements);
            prop_assert_eq!(trend.cells, by_definition(from, to, &members, &movements));
        }

        #[test]
        fn sums_of_two_sets_of_members_add_up_to_those_of_all(
            (members, movements) in people(),
            split in 0usize..12,
            start in 0u32..300,
            length in 0u32..400,
        ) {
            let from = day(2025, 6, 1) + chrono::Days::new(u64::from(start));
            let to = from + chrono::Days::new(u64::from(length));
            let split = split.min(members.len());
            let (a, b) = members.split_at(split);
            let mut added = month_sums(from, to, a, &movements);
            added.add_all(&month_sums(from, to, b, &movements)).unwrap();
            prop_assert_eq!(added, month_sums(from, to, &members, &movements));
        }

        #[test]
        fn sums_of_two_periods_meeting_at_a_month_add_up_to_those_of_both(
            (members, movements) in people(),
            start in 0u32..300,
            first in 1u32..14,
            length in 0u32..400,
        ) {
            let from = day(2025, 6, 1) + chrono::Days::new(u64::from(start));
            let to = from + chrono::Days::new(u64::from(length));
            let cut = from.with_day(1).unwrap().checked_add_months(Months::new(first)).unwrap();
            prop_assume!(cut <= to);
            let mut added = month_sums(from, cut.pred_opt().unwrap(), &members, &movements);
            added.add_all(&month_sums(cut, to, &members, &movements)).unwrap();
            prop_assert_eq!(added, month_sums(from, to, &members, &movements));
        }

        #[test]
        fn no_published_cell_describes_fewer_people_than_the_threshold(
            (members, movements) in people(),
            threshold in 0u32..6,
        ) {
            let trend = savings_trend(day(2025, 6, 1), day(2026, 12, 31), threshold, &members, &movements);
            let open = savings_trend(day(2025, 6, 1), day(2026, 12, 31), 0, &members, &movements);
            prop_assert_eq!(trend.cells.len(), open.cells.len());
            for (c, o) in trend.cells.iter().zip(&open.cells) {
                let people = o.figures.unwrap().people;
                prop_assert_eq!(c.figures.is_some(), people >= i64::from(threshold));
            }
        }
    }
}
