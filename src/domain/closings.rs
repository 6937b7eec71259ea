//! Month-end balances: each account's totals at the end of each month in which it had
//! entries, kept so that a balance on a past date is the month before's closing plus that
//! month's entries up to the date, whatever was booked after it.
//!
//! The entries stay the record; these rules say which months may be closed, which postings
//! reopen them, and how a month's closings follow from the entries' totals by day.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use uuid::Uuid;

use crate::domain::member::{Member, MemberStatus};

/// Days a month waits after its end before it is closed, so that a posting dated in it by a
/// server whose clock is behind by less than this still reopens it (see [`reopens`]).
pub const CLOCK_MARGIN_DAYS: u64 = 3;

/// Most months one step closes, so that a group with a long history is closed a bounded
/// piece at a time, each piece one short write.
pub const MONTHS_PER_STEP: u32 = 6;

/// The first day of `date`'s month.
pub fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The last day of the month before `date`'s.
pub fn previous_month_end(date: NaiveDate) -> NaiveDate {
    let start = month_start(date);
    start.pred_opt().unwrap_or(start)
}

/// The last day of `date`'s month.
pub fn month_end(date: NaiveDate) -> NaiveDate {
    let start = month_start(date);
    start
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// The latest month end that may be closed on `today`: that of the last month which ended at
/// least [`CLOCK_MARGIN_DAYS`] ago.
pub fn closable_through(today: NaiveDate) -> NaiveDate {
    previous_month_end(
        today
            .checked_sub_days(Days::new(CLOCK_MARGIN_DAYS))
            .unwrap_or(today),
    )
}

/// Whether a posting booked on `booked_on`, written on `today`, may fall in a closed month and
/// must reopen it: any date before the current month. Months are closed only once ended
/// ([`closable_through`]), so a posting of this month never needs it.
pub fn reopens(booked_on: NaiveDate, today: NaiveDate) -> bool {
    booked_on <= previous_month_end(today)
}

/// Which of a group's closed months a change of one of its members makes wrong: the savings
/// trend's figures of a month count its members by sex, by the day they joined and by the day
/// they left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reopen {
    /// None: nothing the closed months hold changed.
    Nothing,
    /// Those from this day's month on.
    From(NaiveDate),
    /// All of them: the member's sex, which every month she is counted in files her under.
    All,
}

/// The day a member left the group (returned home or exited), as the trend counts it.
pub fn left_on(member: &Member) -> Option<NaiveDate> {
    if member.status == MemberStatus::Active {
        None
    } else {
        member.status_on
    }
}

/// Which closed months a member's change from `before` to `after` reopens; a new member is one
/// whose `before` is `None`.
pub fn reopened_by(before: Option<&Member>, after: &Member) -> Reopen {
    let Some(before) = before else {
        let on = left_on(after).map_or(after.joined_on, |left| left.min(after.joined_on));
        return Reopen::From(on);
    };
    if before.sex != after.sex {
        return Reopen::All;
    }
    let mut days = Vec::new();
    if before.joined_on != after.joined_on {
        days.extend([before.joined_on, after.joined_on]);
    }
    if left_on(before) != left_on(after) {
        days.extend(left_on(before).into_iter().chain(left_on(after)));
    }
    days.into_iter().min().map_or(Reopen::Nothing, Reopen::From)
}

/// How far one step closes a group whose months are closed through `closed` (none yet when
/// `None`) and whose earliest entry is on `first_entry`, towards `target`: at most
/// [`MONTHS_PER_STEP`] months past the later of the two, and never past `target`.
pub fn step_through(
    closed: Option<NaiveDate>,
    first_entry: Option<NaiveDate>,
    target: NaiveDate,
) -> NaiveDate {
    let from = match (closed, first_entry) {
        (Some(closed), _) => closed.succ_opt().unwrap_or(closed),
        (None, Some(first)) => first,
        (None, None) => return target,
    };
    let end = month_start(from)
        .checked_add_months(chrono::Months::new(MONTHS_PER_STEP))
        .and_then(|after| after.pred_opt())
        .unwrap_or(target);
    end.min(target)
}

/// An account's totals at the end of a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closing {
    pub account_id: Uuid,
    pub month_end: NaiveDate,
    pub debits_minor: i64,
    pub credits_minor: i64,
}

/// What was booked on one account on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayTotals {
    pub account_id: Uuid,
    pub booked_on: NaiveDate,
    pub debits_minor: i64,
    pub credits_minor: i64,
}

/// A total beyond `i64`: the journal's sums are checked, never wrapped.
#[derive(Debug, PartialEq, Eq)]
pub struct OutOfRange(pub Uuid);

/// The closings of the months that `days` cover: for each account and each month in which it
/// had entries, its totals at the month's end, the sum of the account's `previous` closing
/// (its totals before the first of `days`) and everything in `days` up to that month's end.
/// Ordered by account, then month.
pub fn cumulate(
    previous: &BTreeMap<Uuid, (i64, i64)>,
    days: &[DayTotals],
) -> Result<Vec<Closing>, OutOfRange> {
    let mut by_month: BTreeMap<(Uuid, NaiveDate), (i64, i64)> = BTreeMap::new();
    for day in days {
        let sum = by_month
            .entry((day.account_id, month_end(day.booked_on)))
            .or_default();
        sum.0 = sum
            .0
            .checked_add(day.debits_minor)
            .ok_or(OutOfRange(day.account_id))?;
        sum.1 = sum
            .1
            .checked_add(day.credits_minor)
            .ok_or(OutOfRange(day.account_id))?;
    }
    let mut closings = Vec::with_capacity(by_month.len());
    let mut running: Option<(Uuid, i64, i64)> = None;
    for ((account_id, month_end), (debits, credits)) in by_month {
        let (mut total_debits, mut total_credits) = match running {
            Some((account, d, c)) if account == account_id => (d, c),
            _ => previous.get(&account_id).copied().unwrap_or((0, 0)),
        };
        total_debits = total_debits
            .checked_add(debits)
            .ok_or(OutOfRange(account_id))?;
        total_credits = total_credits
            .checked_add(credits)
            .ok_or(OutOfRange(account_id))?;
        running = Some((account_id, total_debits, total_credits));
        closings.push(Closing {
            account_id,
            month_end,
            debits_minor: total_debits,
            credits_minor: total_credits,
        });
    }
    Ok(closings)
}

/// The first (account, month end) at which the `stored` closings differ from those the
/// entries `made` ([`cumulate`]): a total that differs, or a row that only one side has.
pub fn first_difference(
    stored: &BTreeMap<(Uuid, NaiveDate), (i64, i64)>,
    made: &[Closing],
) -> Option<(Uuid, NaiveDate)> {
    let made: BTreeMap<(Uuid, NaiveDate), (i64, i64)> = made
        .iter()
        .map(|c| {
            (
                (c.account_id, c.month_end),
                (c.debits_minor, c.credits_minor),
            )
        })
        .collect();
    stored
        .keys()
        .chain(made.keys())
        .filter(|key| stored.get(key) != made.get(key))
        .min()
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ana() -> Member {
        Member {
            id: Uuid::from_u128(1),
            group_id: Uuid::from_u128(2),
            number: 1,
            name: "Ana".into(),
            sex: crate::domain::member::Sex::Female,
            birth_year: None,
            home_country: "PH".into(),
            host_country: "HK".into(),
            occupation: None,
            contact: None,
            joined_on: date("2026-03-10"),
            status: MemberStatus::Active,
            status_on: None,
            savings_account_id: Uuid::from_u128(3),
            capital_account_id: Uuid::from_u128(4),
            created_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_members_change_reopens_the_months_her_figures_count_in() {
        let before = ana();
        assert_eq!(reopened_by(None, &before), Reopen::From(date("2026-03-10")));
        let mut after = before.clone();
        after.occupation = Some("driver".into());
        after.name = "Ana Cruz".into();
        assert_eq!(reopened_by(Some(&before), &after), Reopen::Nothing);
        after.joined_on = date("2026-05-01");
        assert_eq!(
            reopened_by(Some(&before), &after),
            Reopen::From(date("2026-03-10"))
        );
        after.joined_on = date("2026-02-01");
        assert_eq!(
            reopened_by(Some(&before), &after),
            Reopen::From(date("2026-02-01"))
        );
        let mut home = before.clone();
        home.status = MemberStatus::ReturnedHome;
        home.status_on = Some(date("2026-07-04"));
        assert_eq!(
            reopened_by(Some(&before), &home),
            Reopen::From(date("2026-07-04"))
        );
        let mut exited = home.clone();
        exited.status = MemberStatus::Exited;
        assert_eq!(reopened_by(Some(&home), &exited), Reopen::Nothing);
        exited.status_on = Some(date("2026-06-30"));
        assert_eq!(
            reopened_by(Some(&home), &exited),
            Reopen::From(date("2026-06-30"))
        );
        assert_eq!(reopened_by(None, &exited), Reopen::From(date("2026-03-10")));
        let mut corrected = before.clone();
        corrected.sex = crate::domain::member::Sex::Male;
        assert_eq!(reopened_by(Some(&before), &corrected), Reopen::All);
    }

    #[test]
    fn months_begin_and_end_on_their_calendar_days() {
        assert_eq!(month_start(date("2024-02-17")), date("2024-02-01"));
        assert_eq!(month_end(date("2024-02-17")), date("2024-02-29"));
        assert_eq!(month_end(date("2025-02-01")), date("2025-02-28"));
        assert_eq!(month_end(date("2025-12-31")), date("2025-12-31"));
        assert_eq!(previous_month_end(date("2025-03-01")), date("2025-02-28"));
        assert_eq!(previous_month_end(date("2025-01-15")), date("2024-12-31"));
    }

    #[test]
    fn a_month_is_closed_only_once_it_ended_three_days_ago() {
        assert_eq!(closable_through(date("2026-12-03")), date("2026-10-31"));
        assert_eq!(closable_through(date("2026-12-04")), date("2026-11-30"));
        assert_eq!(closable_through(date("2026-12-31")), date("2026-11-30"));
    }

    #[test]
    fn a_posting_of_the_current_month_never_reopens_and_one_of_an_earlier_month_does() {
        let today = date("2026-12-06");
        assert!(!reopens(date("2026-12-01"), today));
        assert!(!reopens(date("2026-12-25"), today));
        assert!(reopens(date("2026-11-30"), today));
        assert!(reopens(date("2025-01-01"), today));
        // Whatever may be closed on a day, a posting dated in it reopens it that day.
        for offset in 0..400 {
            let today = date("2025-01-01") + Days::new(offset);
            assert!(reopens(closable_through(today), today), "on {today}");
        }
    }

    #[test]
    fn a_step_closes_at_most_six_months_and_never_past_its_target() {
        let target = date("2026-10-31");
        assert_eq!(step_through(None, None, target), target);
        assert_eq!(
            step_through(None, Some(date("2025-01-20")), target),
            date("2025-06-30")
        );
        assert_eq!(
            step_through(Some(date("2026-06-30")), Some(date("2025-01-20")), target),
            date("2026-10-31")
        );
        assert_eq!(
            step_through(Some(date("2025-06-30")), None, target),
            date("2025-12-31")
        );
    }

    #[test]
    fn totals_beyond_i64_are_refused_not_wrapped() {
        let account = Uuid::from_u128(1);
        let previous = BTreeMap::from([(account, (i64::MAX - 1, 0))]);
        let days = [DayTotals {
            account_id: account,
            booked_on: date("2025-01-01"),
            debits_minor: 2,
            credits_minor: 0,
        }];
        assert_eq!(cumulate(&previous, &days), Err(OutOfRange(account)));
    }

    #[test]
    fn a_wrong_missing_or_extra_closing_is_the_first_difference_found() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let made = vec![
            Closing {
                account_id: a,
                month_end: date("2025-01-31"),
                debits_minor: 5,
                credits_minor: 0,
            },
            Closing {
                account_id: b,
                month_end: date("2025-02-28"),
                debits_minor: 0,
                credits_minor: 7,
            },
        ];
        let mut stored = BTreeMap::from([
            ((a, date("2025-01-31")), (5, 0)),
            ((b, date("2025-02-28")), (0, 7)),
        ]);
        assert_eq!(first_difference(&stored, &made), None);
        stored.insert((b, date("2025-02-28")), (0, 8));
        assert_eq!(
            first_difference(&stored, &made),
            Some((b, date("2025-02-28")))
        );
        stored.insert((b, date("2025-02-28")), (0, 7));
        stored.remove(&(a, date("2025-01-31")));
        assert_eq!(
            first_difference(&stored, &made),
            Some((a, date("2025-01-31")))
        );
        stored.insert((a, date("2025-01-31")), (5, 0));
        stored.insert((a, date("2025-03-31")), (5, 0));
        assert_eq!(
            first_difference(&stored, &made),
            Some((a, date("2025-03-31")))
        );
    }

    proptest! {
        /// Each closing is the account's previous totals plus everything booked up to the
        /// month's end, and there is one for each month the account had entries in.
        #[test]
        fn each_closing_is_the_sum_of_everything_booked_up_to_its_month_end(
            previous in prop::collection::vec((0i64..1_000_000, 0i64..1_000_000), 3),
            days in prop::collection::vec((0u128..3, 0u64..500, 0i64..1_000_000, 0i64..1_000_000), 0..60),
        ) {
            let start = date("2024-11-01");
            let previous: BTreeMap<Uuid, (i64, i64)> = previous
                .into_iter()
                .enumerate()
                .map(|(i, p)| (Uuid::from_u128(i as u128), p))
                .collect();
            let days: Vec<DayTotals> = days
                .into_iter()
                .map(|(a, d, debits, credits)| DayTotals {
                    account_id: Uuid::from_u128(a),
                    booked_on: start + Days::new(d),
                    debits_minor: debits,
                    credits_minor: credits,
                })
                .collect();
            let closings = cumulate(&previous, &days).unwrap();
            for closing in &closings {
                let (mut d, mut c) = previous[&closing.account_id];
                for day in days.iter().filter(|day| {
                    day.account_id == closing.account_id && day.booked_on <= closing.month_end
                }) {
                    d += day.debits_minor;
                    c += day.credits_minor;
                }
                prop_assert_eq!((closing.debits_minor, closing.credits_minor), (d, c));
                prop_assert_eq!(closing.month_end, month_end(closing.month_end));
            }
            let months: std::collections::BTreeSet<(Uuid, NaiveDate)> =
                days.iter().map(|d| (d.account_id, month_end(d.booked_on))).collect();
            let closed: std::collections::BTreeSet<(Uuid, NaiveDate)> =
                closings.iter().map(|c| (c.account_id, c.month_end)).collect();
            prop_assert_eq!(months, closed);
        }
    }
}
