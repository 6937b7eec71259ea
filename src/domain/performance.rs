//! A savings group's performance over a period, as savings-group programmes measure it (SAVIX's
//! indicators are the reference): members, share of women, attendance, savings per member,
//! annualised returns on savings and on assets, dropout, the portfolio written down, the social
//! fund and the savings mobilised. Worked out from facts the store loads from the ledger; every
//! money figure is in the group's currency (amounts in other currencies are not converted).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use uuid::Uuid;

use super::account::AccountType;
use super::member::{MemberStatus, Sex};
use super::model::Account;
use super::money::Currency;
use super::reports::Totals;

/// Decimals every ratio is given with.
pub const RATIO_DECIMALS: u32 = 2;

/// Days of the year a return is annualised to: a period of this many days is taken as it is.
pub const DAYS_PER_YEAR: i64 = 365;

/// What the group's records say about one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFact {
    pub id: Uuid,
    pub sex: Sex,
    pub joined_on: NaiveDate,
    /// The day she went home or exited; none while active.
    pub left_on: Option<NaiveDate>,
}

impl MemberFact {
    /// Whether she is a member at the end of `day`: joined on or before it, and not gone on or
    /// before it.
    pub fn member_on(&self, day: NaiveDate) -> bool {
        self.joined_on <= day && self.left_on.is_none_or(|left| left > day)
    }

    /// The record's status and status date as a fact about leaving.
    pub fn left_on_of(status: MemberStatus, status_on: Option<NaiveDate>) -> Option<NaiveDate> {
        match status {
            MemberStatus::Active => None,
            // A departure without a date is taken as having happened at the start.
            _ => Some(status_on.unwrap_or(NaiveDate::MIN)),
        }
    }
}

/// One meeting held in the period and who attended it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingFact {
    pub held_on: NaiveDate,
    pub attended: Vec<Uuid>,
}

/// The ledger's sums in the group's currency that the indicators need, each in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LedgerSums {
    /// Members' savings (every `liabilities:savings:` account) at the end of the day before
    /// the period, and at its end.
    pub savings_start: i128,
    pub savings_end: i128,
    /// Every asset account, at the same two moments.
    pub assets_start: i128,
    pub assets_end: i128,
    /// Credits to members' savings booked in the period.
    pub savings_mobilised: i128,
    /// Income less expense booked in the period, period closes left out.
    pub net_income: i128,
    /// Write-downs (`expense:impairment:`) booked in the period.
    pub written_down: i128,
    /// Debits to investment accounts (`assets:investments:`) booked up to the period's end.
    pub disbursed: i128,
    /// The social fund's balance at the period's end.
    pub social_fund: i128,
}

impl LedgerSums {
    /// Adds up the accounts in `currency`: `start` are totals to the day before the period,
    /// `end` totals to its last day, `in_period` totals of its days without period closes.
    pub fn of(
        currency: Currency,
        accounts: &[Account],
        start: &HashMap<Uuid, Totals>,
        end: &HashMap<Uuid, Totals>,
        in_period: &HashMap<Uuid, Totals>,
    ) -> Self {
        let mut sums = LedgerSums::default();
        for a in accounts.iter().filter(|a| a.currency == currency) {
            let get = |m: &HashMap<Uuid, Totals>| m.get(&a.id).copied().unwrap_or_default();
            let (at_start, at_end, period) = (get(start), get(end), get(in_period));
            let code = a.code.as_str();
            if code.starts_with("liabilities:savings:") {
                sums.savings_start += at_start.balance(a.kind);
                sums.savings_end += at_end.balance(a.kind);
                sums.savings_mobilised += i128::from(period.credits);
            }
            if code.starts_with("liabilities:social-fund") {
                sums.social_fund += at_end.balance(a.kind);
            }
            match a.kind {
                AccountType::Asset => {
                    sums.assets_start += at_start.balance(a.kind);
                    sums.assets_end += at_end.balance(a.kind);
                }
                AccountType::Income => sums.net_income += period.balance(a.kind),
                AccountType::Expense => sums.net_income -= period.balance(a.kind),
                _ => {}
            }
            if code.starts_with("expense:impairment") {
                sums.written_down += period.balance(a.kind);
            }
            if code.starts_with("assets:investments:") {
                sums.disbursed += i128::from(at_end.debits);
            }
        }
        sums
    }
}

/// Everything the indicators of one period are computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerformanceFacts {
    pub currency: Currency,
    /// The period, both days included (`from` ≤ `to`).
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub members: Vec<MemberFact>,
    /// The meetings held in the period.
    pub meetings: Vec<MeetingFact>,
    pub sums: LedgerSums,
}

/// The facts of a period as the store read them, with the group and the date of its first
/// booking, read in the same transaction.
#[derive(Debug, Clone)]
pub struct LoadedPerformance {
    pub group: super::model::Group,
    /// None while nothing is booked.
    pub first_booked_on: Option<NaiveDate>,
    pub facts: PerformanceFacts,
}

impl LoadedPerformance {
    /// The first day of the group: its first booking, or the day it was created (in its time
    /// zone) if earlier, as bookings are often back-dated.
    pub fn began(&self) -> NaiveDate {
        let created = super::dates::local_date(self.group.created_at, self.group.profile.time_zone);
        self.first_booked_on
            .map_or(created, |first| first.min(created))
    }
}

/// The first day of the year to `on`: the `DAYS_PER_YEAR` days ending on it, or `first` (the
/// group's first booking) when that is later.
pub fn year_start(on: NaiveDate, first: NaiveDate) -> NaiveDate {
    (on - chrono::Duration::days(DAYS_PER_YEAR - 1)).max(first)
}

/// A ratio, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ratio {
    Value(Decimal),
    /// The denominator is zero; the text says which.
    Undefined(&'static str),
}

impl Ratio {
    pub fn value(&self) -> Option<Decimal> {
        match self {
            Ratio::Value(v) => Some(*v),
            Ratio::Undefined(_) => None,
        }
    }

    /// `numerator / denominator × 100`, rounded to [`RATIO_DECIMALS`].
    fn percent(numerator: i128, denominator: i128, why_none: &'static str) -> Self {
        match percent_of(numerator, denominator, Decimal::ONE) {
            Some(v) => Ratio::Value(v),
            None => Ratio::Undefined(why_none),
        }
    }
}

/// `numerator / denominator × 100 × factor`, rounded half away from zero to
/// [`RATIO_DECIMALS`]; none when the denominator is zero or the figures are beyond exact
/// decimal arithmetic.
fn percent_of(numerator: i128, denominator: i128, factor: Decimal) -> Option<Decimal> {
    if denominator == 0 {
        return None;
    }
    let n = Decimal::try_from_i128_with_scale(numerator, 0).ok()?;
    let d = Decimal::try_from_i128_with_scale(denominator, 0).ok()?;
    let ratio = n
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(d)?
        .checked_mul(factor)?;
    Some(ratio.round_dp_with_strategy(RATIO_DECIMALS, RoundingStrategy::MidpointAwayFromZero))
}

/// The factor that turns a return over `days` into a yearly one (simple, not compounded):
/// 365 / days.
pub fn annualising_factor(days: i64) -> Option<Decimal> {
    (days > 0).then(|| Decimal::from(DAYS_PER_YEAR) / Decimal::from(days))
}

/// The indicators of one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Performance {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: i64,
    pub members_at_start: u64,
    pub members_at_end: u64,
    pub women_at_end: u64,
    pub women_percent: Ratio,
    pub meetings: u64,
    pub attendances: u64,
    pub attendances_expected: u64,
    pub attendance_percent: Ratio,
    pub savings_at_end: i128,
    /// In minor units, rounded half away from zero to the minor unit.
    pub savings_per_member: Option<i128>,
    pub average_savings: Decimal,
    pub average_assets: Decimal,
    pub net_income: i128,
    pub return_on_savings_percent: Ratio,
    pub return_on_assets_percent: Ratio,
    pub members_left: u64,
    pub dropout_percent: Ratio,
    pub written_down: i128,
    pub disbursed: i128,
    pub portfolio_written_down_percent: Ratio,
    pub social_fund: i128,
    pub savings_mobilised: i128,
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The indicators of the facts' period.
pub fn performance(facts: &PerformanceFacts) -> Performance {
    let (from, to, sums) = (facts.from, facts.to, facts.sums);
    let days = (to - from).num_days() + 1;
    let people = Membership::of(facts);
    let (attendances, expected) = attendance(facts);
    let members_end = people.at_end;
    let average = |a: i128, b: i128| {
        let sum = Decimal::try_from_i128_with_scale(a + b, 0).unwrap_or(Decimal::MAX);
        sum / Decimal::TWO
    };
    let yearly = |average_twice: i128, none: &'static str| match annualising_factor(days)
        .and_then(|f| percent_of(sums.net_income * 2, average_twice, f))
    {
        Some(v) => Ratio::Value(v),
        None => Ratio::Undefined(none),
    };
    Performance {
        from,
        to,
        days,
        members_at_start: people.at_start,
        members_at_end: members_end,
        women_at_end: people.women,
        women_percent: Ratio::percent(
            people.women.into(),
            members_end.into(),
            "the group has no members at the period's end",
        ),
        meetings: count(facts.meetings.len()),
        attendances,
        attendances_expected: expected,
        attendance_percent: Ratio::percent(
            attendances.into(),
            expected.into(),
            "no meeting with members was recorded in the period",
        ),
        savings_at_end: sums.savings_end,
        savings_per_member: share_per_member(sums.savings_end, members_end),
        average_savings: average(sums.savings_start, sums.savings_end),
        average_assets: average(sums.assets_start, sums.assets_end),
        net_income: sums.net_income,
        return_on_savings_percent: yearly(
            sums.savings_start + sums.savings_end,
            "the members' average savings over the period are zero",
        ),
        return_on_assets_percent: yearly(
            sums.assets_start + sums.assets_end,
            "the group's average assets over the period are zero",
        ),
        members_left: people.left,
        dropout_percent: Ratio::percent(
            people.left.into(),
            people.at_start.into(),
            "the group had no members when the period began",
        ),
        written_down: sums.written_down,
        disbursed: sums.disbursed,
        portfolio_written_down_percent: Ratio::percent(
            sums.written_down,
            sums.disbursed,
            "nothing was disbursed to investments in the group's currency",
        ),
        social_fund: sums.social_fund,
        savings_mobilised: sums.savings_mobilised,
    }
}

/// Who the period's members were: on the day before it began, at its end (and how many of
/// those are women), and who went home or exited during it.
struct Membership {
    at_start: u64,
    at_end: u64,
    women: u64,
    left: u64,
}

impl Membership {
    fn of(facts: &PerformanceFacts) -> Self {
        let (from, to) = (facts.from, facts.to);
        let before = from.pred_opt().unwrap_or(from);
        let at_start = facts
            .members
            .iter()
            .filter(|m| m.member_on(before) && before < from)
            .count();
        let at_end: Vec<&MemberFact> = facts.members.iter().filter(|m| m.member_on(to)).collect();
        let women = at_end.iter().filter(|m| m.sex == Sex::Female).count();
        let left = facts
            .members
            .iter()
            .filter(|m| m.left_on.is_some_and(|d| from <= d && d <= to) && m.joined_on <= to)
            .count();
        Membership {
            at_start: count(at_start),
            at_end: count(at_end.len()),
            women: count(women),
            left: count(left),
        }
    }
}

/// `total` shared among `members`, in minor units rounded half away from zero; `None` for no
/// members.
fn share_per_member(total: i128, members: u64) -> Option<i128> {
    (members > 0).then(|| {
        let n = i128::from(members);
        let (q, r) = (total / n, total % n);
        if 2 * r.abs() >= n {
            q + total.signum()
        } else {
            q
        }
    })
}

/// Attendances of members at the period's meetings, and the attendances there would be had
/// every member at each meeting come. A member counts at a meeting she belonged to on its day;
/// a name on the list of someone who was not a member then is not counted.
fn attendance(facts: &PerformanceFacts) -> (u64, u64) {
    let (mut present, mut expected) = (0u64, 0u64);
    for meeting in facts
        .meetings
        .iter()
        .filter(|m| facts.from <= m.held_on && m.held_on <= facts.to)
    {
        let attended: HashSet<Uuid> = meeting.attended.iter().copied().collect();
        for m in facts.members.iter().filter(|m| {
            m.joined_on <= meeting.held_on && m.left_on.is_none_or(|d| d >= meeting.held_on)
        }) {
            expected += 1;
            if attended.contains(&m.id) {
                present += 1;
            }
        }
    }
    (present, expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(n)
    }

    fn empty(from: NaiveDate, to: NaiveDate) -> PerformanceFacts {
        PerformanceFacts {
            currency: Currency::parse("HKD").unwrap(),
            from,
            to,
            members: Vec::new(),
            meetings: Vec::new(),
            sums: LedgerSums::default(),
        }
    }

    #[test]
    fn an_empty_group_gives_no_ratios() {
        let p = performance(&empty(day(0), day(30)));
        assert_eq!(p.members_at_end, 0);
        assert!(p.women_percent.value().is_none());
        assert!(p.attendance_percent.value().is_none());
        assert!(p.return_on_savings_percent.value().is_none());
        assert!(p.return_on_assets_percent.value().is_none());
        assert!(p.dropout_percent.value().is_none());
        assert!(p.portfolio_written_down_percent.value().is_none());
        assert_eq!(p.savings_per_member, None);
        assert_eq!(p.days, 31);
    }

    #[test]
    fn a_year_of_returns_is_not_scaled() {
        let mut facts = empty(day(0), day(DAYS_PER_YEAR - 1));
        facts.sums.savings_end = 200_000;
        facts.sums.net_income = 10_000;
        let p = performance(&facts);
        // Average savings 1,000.00; income 100.00 over the year: 10 %.
        assert_eq!(
            p.return_on_savings_percent,
            Ratio::Value(Decimal::new(1000, 2))
        );
    }

    #[test]
    fn members_who_left_are_counted_once_in_the_dropout() {
        let mut facts = empty(day(10), day(20));
        let member = |n: u128, left_on| MemberFact {
            id: Uuid::from_u128(n),
            sex: Sex::Female,
            joined_on: day(0),
            left_on,
        };
        facts.members = vec![
            member(1, None),
            member(2, Some(day(15))),
            member(3, Some(day(5))),
            member(4, None),
        ];
        let p = performance(&facts);
        assert_eq!(p.members_at_start, 3);
        assert_eq!(p.members_at_end, 2);
        assert_eq!(p.members_left, 1);
        assert_eq!(p.dropout_percent, Ratio::Value(Decimal::new(3333, 2)));
    }

    fn sex() -> impl Strategy<Value = Sex> {
        prop_oneof![
            Just(Sex::Female),
            Just(Sex::Male),
            Just(Sex::Other),
            Just(Sex::Undisclosed)
        ]
    }

    fn facts() -> impl Strategy<Value = PerformanceFacts> {
        let member = (sex(), 0i64..200, proptest::option::of(0i64..200));
        let meeting = (0i64..200, proptest::collection::vec(0u128..12, 0..12));
        (
            0i64..150,
            0i64..100,
            proptest::collection::vec(member, 0..12),
            proptest::collection::vec(meeting, 0..6),
            proptest::array::uniform8(-1_000_000_000i128..1_000_000_000),
        )
            .prop_map(|(from, len, members, meetings, s)| {
                let mut f = empty(day(from), day(from + len));
                f.members = members
                    .into_iter()
                    .enumerate()
                    .map(|(i, (sex, joined, left))| MemberFact {
                        id: Uuid::from_u128(i as u128),
                        sex,
                        joined_on: day(joined),
                        left_on: left.map(|l| day(joined.max(l))),
                    })
                    .collect();
                f.meetings = meetings
                    .into_iter()
                    .map(|(on, who)| MeetingFact {
                        held_on: day(on),
                        attended: who.into_iter().map(Uuid::from_u128).collect(),
                    })
                    .collect();
                f.sums = LedgerSums {
                    savings_start: s[0].abs(),
                    savings_end: s[1].abs(),
                    assets_start: s[2].abs(),
                    assets_end: s[3].abs(),
                    savings_mobilised: s[4].abs(),
                    net_income: s[5],
                    written_down: s[6].abs(),
                    disbursed: s[7].abs(),
                    social_fund: 0,
                };
                f
            })
    }

    fn within_0_and_100(r: &Ratio) -> bool {
        r.value()
            .is_none_or(|v| v >= Decimal::ZERO && v <= Decimal::ONE_HUNDRED)
    }

    proptest! {
        #[test]
        fn shares_of_people_lie_between_0_and_100(f in facts()) {
            let p = performance(&f);
            prop_assert!(within_0_and_100(&p.women_percent), "{:?}", p.women_percent);
            prop_assert!(within_0_and_100(&p.attendance_percent), "{:?}", p.attendance_percent);
            prop_assert!(p.women_at_end <= p.members_at_end);
            prop_assert!(p.attendances <= p.attendances_expected);
        }

        #[test]
        fn dropout_is_never_negative(f in facts()) {
            let p = performance(&f);
            prop_assert!(p.dropout_percent.value().is_none_or(|v| v >= Decimal::ZERO));
            prop_assert_eq!(p.dropout_percent.value().is_none(), p.members_at_start == 0);
        }

        #[test]
        fn a_ratio_is_absent_exactly_when_its_denominator_is_zero(f in facts()) {
            let p = performance(&f);
            prop_assert_eq!(p.women_percent.value().is_none(), p.members_at_end == 0);
            prop_assert_eq!(
                p.portfolio_written_down_percent.value().is_none(),
                f.sums.disbursed == 0
            );
            prop_assert_eq!(
                p.return_on_savings_percent.value().is_none(),
                f.sums.savings_start + f.sums.savings_end == 0
            );
        }

        #[test]
        fn annualising_a_year_is_the_identity(r in -1_000_000i64..1_000_000) {
            let rate = Decimal::new(r, 2);
            prop_assert_eq!(rate * annualising_factor(DAYS_PER_YEAR).unwrap(), rate);
        }

        #[test]
        fn savings_per_member_times_members_is_within_half_a_member_of_the_savings(f in facts()) {
            let p = performance(&f);
            if let Some(each) = p.savings_per_member {
                let n = i128::from(p.members_at_end);
                prop_assert!((each * n - p.savings_at_end).abs() * 2 <= n);
            }
        }
    }
}
