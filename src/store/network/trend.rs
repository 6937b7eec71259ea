//! Savings month by month, by sex and currency, for the network dashboard
//! (`domain::network::month_sums`). A group's closed months are read from the figures stored
//! for them (`trend_months`, written beside the month-end balances when its months close);
//! its other months from the journal: the members of the groups a filter covers, what their
//! savings accounts held before those months (their totals less what was booked since) and
//! their movements month by month in them. The two add up (`domain::network::TrendSums`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::closings::DayTotals;
use crate::domain::member::Sex;
use crate::domain::network;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::ledger::currency_of;
use crate::store::shared::*;
use crate::store::tx::Column;

/// The last day of a group's months that a trend reads from its stored figures: its closed
/// months within those the period may read so (`$6`, `domain::network::storable_through`),
/// and none (the day before the period, `$7`) when it has no closed month from the period's
/// start (`$4`) on. The same on both backends, so that the members, their movements and the
/// stored figures are read with one cut.
pub(in crate::store) const STORED_THROUGH: &str = "(CASE WHEN g.closings_through IS NULL OR g.closings_through < $4 THEN $7 \
     WHEN g.closings_through > $6 THEN $6 ELSE g.closings_through END)";

/// Members of the covered groups with any month of the period not stored, with their savings
/// account's currency and what it was credited and debited in all.
const TREND_MEMBERS_SQL: &str = const_format::concatcp!(
    "SELECT m.id, m.sex, a.currency, m.joined_on, m.status, m.status_on, \
     a.credits_minor, a.debits_minor, ",
    STORED_THROUGH,
    " AS stored_through \
     FROM members m JOIN groups g ON g.id = m.group_id JOIN accounts a ON a.id = m.savings_account_id \
     WHERE ($1 IS NULL OR g.host_country = $1) AND ($2 IS NULL OR g.home_country = $2) AND ($5 IS NULL OR g.id = $5) \
     AND ",
    STORED_THROUGH,
    " < $3 ORDER BY m.id"
);

/// The stored figures of the covered groups' months that the period reads so.
const STORED_MONTHS_SQL: &str = const_format::concatcp!(
    "SELECT t.month, t.sex, t.currency, t.people, t.members, t.joined, t.left_count, \
     t.deposits_minor, t.withdrawals_minor, t.savings_minor \
     FROM trend_months t JOIN groups g ON g.id = t.group_id \
     WHERE ($1 IS NULL OR g.host_country = $1) AND ($2 IS NULL OR g.home_country = $2) AND ($5 IS NULL OR g.id = $5) \
     AND t.month >= $4 AND t.month <= $3 AND t.month <= ",
    STORED_THROUGH
);

impl<B: Backend> Ledger<B>
where
    for<'c> &'c mut <B::Db as sqlx::Database>::Connection: sqlx::Executor<'c, Database = B::Db>,
    <B::Db as sqlx::Database>::Arguments: sqlx::IntoArguments<B::Db> + Default,
    for<'a> &'a str: sqlx::ColumnIndex<DbRow<B>>,
    usize: sqlx::ColumnIndex<DbRow<B>>,
    for<'q> &'q str: sqlx::Encode<'q, B::Db> + sqlx::Type<B::Db>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, B::Db> + sqlx::Type<B::Db>,
    Uuid: Column<B::Db>,
    Option<Uuid>: Column<B::Db>,
    i64: Column<B::Db>,
    Option<i64>: Column<B::Db>,
    i32: Column<B::Db>,
    Option<i32>: Column<B::Db>,
    bool: Column<B::Db>,
    Option<bool>: Column<B::Db>,
    String: Column<B::Db>,
    Option<String>: Column<B::Db>,
    NaiveDate: Column<B::Db>,
    Option<NaiveDate>: Column<B::Db>,
    DateTime<Utc>: Column<B::Db>,
    Option<DateTime<Utc>>: Column<B::Db>,
    B::Db: sqlx::database::HasStatementCache,
{
    pub(in crate::store) async fn savings_trend_in_tx(
        tx: &mut Tx<B::Db>,
        filter: &network::NetworkFilter,
        from: NaiveDate,
        to: NaiveDate,
        suppression_min: u32,
    ) -> Result<network::SavingsTrend, TxError> {
        let storable = network::storable_through(from, to);
        let before_period = from.pred_opt().unwrap_or(from);
        // The three statements take the same parameters, so that each reads with the same cut.
        let mut read = Vec::with_capacity(3);
        for sql in [STORED_MONTHS_SQL, TREND_MEMBERS_SQL, B::SAVINGS_MONTHS_SQL] {
            read.push(
                sqlx::query(sql)
                    .bind(&filter.host_country)
                    .bind(&filter.home_country)
                    .bind(to)
                    .bind(from)
                    .bind(filter.group_id)
                    .bind(storable)
                    .bind(before_period)
                    .fetch_all(&mut **tx)
                    .await?,
            );
        }
        let [stored, rows, moved]: [Vec<DbRow<B>>; 3] = read
            .try_into()
            .map_err(|_| internal("the trend's three reads"))?;
        let mut sums = network::TrendSums::default();
        for row in &stored {
            let (month, sex, currency, figures) = Self::stored_trend_row(row)?;
            sums.add(month, sex, currency, &figures)
                .map_err(|_| internal("the trend's sums are out of range"))?;
        }
        // Each member's months from the day after her group's stored ones, by that day.
        let mut open: BTreeMap<
            NaiveDate,
            (Vec<network::TrendMember>, Vec<network::SavingsMovement>),
        > = BTreeMap::new();
        let mut start_of: HashMap<Uuid, NaiveDate> = HashMap::with_capacity(rows.len());
        // What each account holds in all, less what was booked from its member's first open
        // day on: what it held before them, without reading the entries before.
        let mut before: HashMap<Uuid, (i64, i64)> = HashMap::with_capacity(rows.len());
        for row in &rows {
            let member = Self::trend_member(row)?;
            let stored_through: NaiveDate = row.try_get("stored_through")?;
            let start = stored_through.succ_opt().unwrap_or(stored_through);
            let totals = (
                Self::sum_column(row, "credits_minor")?,
                Self::sum_column(row, "debits_minor")?,
            );
            start_of.insert(member.member_id, start);
            before.insert(member.member_id, totals);
            open.entry(start).or_default().0.push(member);
        }
        for row in &moved {
            let member_id: Uuid = row.try_get("member_id")?;
            let credits_minor = Self::sum_column(row, "credits_minor")?;
            let debits_minor = Self::sum_column(row, "debits_minor")?;
            let (Some(left), Some(&start)) = (before.get_mut(&member_id), start_of.get(&member_id))
            else {
                return Err(internal("savings of a member not read"));
            };
            *left = (
                left.0
                    .checked_sub(credits_minor)
                    .ok_or_else(|| internal("savings credits"))?,
                left.1
                    .checked_sub(debits_minor)
                    .ok_or_else(|| internal("savings debits"))?,
            );
            if let Some(month) = row.try_get::<Option<NaiveDate>, _>("month")? {
                open.entry(start)
                    .or_default()
                    .1
                    .push(network::SavingsMovement {
                        member_id,
                        booked_on: month.max(start),
                        credits_minor,
                        debits_minor,
                    });
            }
        }
        for (member_id, (credits_minor, debits_minor)) in before {
            if credits_minor < 0 || debits_minor < 0 {
                return Err(internal("an account's totals below its entries'"));
            }
            if credits_minor != 0 || debits_minor != 0 {
                let start = start_of[&member_id];
                open.entry(start)
                    .or_default()
                    .1
                    .push(network::SavingsMovement {
                        member_id,
                        booked_on: start.pred_opt().unwrap_or(start),
                        credits_minor,
                        debits_minor,
                    });
            }
        }
        for (start, (members, movements)) in &open {
            if *start <= to {
                sums.add_all(&network::month_sums(*start, to, members, movements))
                    .map_err(|_| internal("the trend's sums are out of range"))?;
            }
        }
        Ok(sums.finish(from, to, suppression_min))
    }

    /// One stored month's figures for a group, sex and currency.
    fn stored_trend_row(
        row: &DbRow<B>,
    ) -> Result<
        (
            NaiveDate,
            Sex,
            crate::domain::money::Currency,
            network::TrendFigures,
        ),
        TxError,
    > {
        let sex: String = row.try_get("sex")?;
        let figures = network::TrendFigures {
            people: row.try_get("people")?,
            members: row.try_get("members")?,
            joined: row.try_get("joined")?,
            left: row.try_get("left_count")?,
            deposits_minor: i128::from(row.try_get::<i64, _>("deposits_minor")?),
            withdrawals_minor: i128::from(row.try_get::<i64, _>("withdrawals_minor")?),
            savings_minor: i128::from(row.try_get::<i64, _>("savings_minor")?),
        };
        Ok((
            row.try_get("month")?,
            Sex::parse(&sex).ok_or_else(|| internal("stored sex"))?,
            currency_of(&row.try_get::<String, _>("currency")?)?,
            figures,
        ))
    }

    /// The trend's figures of the group's months from after `closed` (from its first member or
    /// entry when `None`) through `through`: its members, what their savings accounts held at
    /// `closed` (`previous`, each account's latest closing, as debits and credits) and what
    /// they were booked each day since (`days`).
    pub(in crate::store) async fn group_month_sums(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        closed: Option<NaiveDate>,
        through: NaiveDate,
        previous: &BTreeMap<Uuid, (i64, i64)>,
        days: &[DayTotals],
    ) -> Result<network::TrendSums, TxError> {
        let mut members = Vec::new();
        let mut member_of: HashMap<Uuid, Uuid> = HashMap::new();
        for row in sqlx::query(
            "SELECT m.id, m.sex, a.currency, m.joined_on, m.status, m.status_on, m.savings_account_id \
             FROM members m JOIN accounts a ON a.id = m.savings_account_id WHERE m.group_id = $1",
        )
        .bind(group_id)
        .fetch_all(&mut **tx)
        .await?
        {
            let member = Self::trend_member(&row)?;
            member_of.insert(row.try_get("savings_account_id")?, member.member_id);
            members.push(member);
        }
        let start = match closed {
            Some(closed) => closed.succ_opt().unwrap_or(closed),
            None => {
                let first = members
                    .iter()
                    .map(|m| m.joined_on)
                    .chain(days.iter().map(|d| d.booked_on))
                    .min();
                match first {
                    Some(first) => crate::domain::closings::month_start(first),
                    None => return Ok(network::TrendSums::default()),
                }
            }
        };
        let carried = start.pred_opt().unwrap_or(start);
        let mut movements = Vec::new();
        for (account_id, member_id) in &member_of {
            if let Some(&(debits_minor, credits_minor)) = previous.get(account_id) {
                movements.push(network::SavingsMovement {
                    member_id: *member_id,
                    booked_on: carried,
                    credits_minor,
                    debits_minor,
                });
            }
        }
        for day in days {
            if let Some(&member_id) = member_of.get(&day.account_id) {
                movements.push(network::SavingsMovement {
                    member_id,
                    booked_on: day.booked_on,
                    credits_minor: day.credits_minor,
                    debits_minor: day.debits_minor,
                });
            }
        }
        Ok(network::month_sums(start, through, &members, &movements))
    }

    /// Stores the trend's figures of the group's months that close (`group_month_sums`).
    pub(in crate::store) async fn insert_trend_months(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        sums: &network::TrendSums,
    ) -> Result<(), TxError> {
        let cells: Vec<_> = sums.cells().collect();
        for chunk in cells.chunks(ROWS_PER_STATEMENT) {
            let values = (0..chunk.len())
                .map(|i| {
                    let n = 2 + i * 10;
                    format!(
                        "($1, {})",
                        (n..n + 10)
                            .map(|k| format!("${k}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO trend_months (group_id, month, sex, currency, people, members, joined, \
                 left_count, deposits_minor, withdrawals_minor, savings_minor) VALUES {values}"
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(group_id);
            for (month, sex, currency, f) in chunk {
                let money = |v: i128| {
                    i64::try_from(v).map_err(|_| internal("a month's trend figure is out of range"))
                };
                query = query
                    .bind(*month)
                    .bind(sex.as_str())
                    .bind(currency.code())
                    .bind(f.people)
                    .bind(f.members)
                    .bind(f.joined)
                    .bind(f.left)
                    .bind(money(f.deposits_minor)?)
                    .bind(money(f.withdrawals_minor)?)
                    .bind(money(f.savings_minor)?);
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// The first month (by month, sex and currency) whose stored trend figures for the group
    /// are not what its members and entries make, or a month stored beyond its closed ones.
    /// `None` when they all agree.
    pub(in crate::store) async fn wrong_trend_month(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
    ) -> Result<Option<NaiveDate>, TxError> {
        let mut stored = network::TrendSums::default();
        for row in sqlx::query(
            "SELECT month, sex, currency, people, members, joined, left_count, deposits_minor, \
             withdrawals_minor, savings_minor FROM trend_months WHERE group_id = $1",
        )
        .bind(group_id)
        .fetch_all(&mut **tx)
        .await?
        {
            let (month, sex, currency, figures) = Self::stored_trend_row(&row)?;
            stored
                .add(month, sex, currency, &figures)
                .map_err(|_| internal("the trend's sums are out of range"))?;
        }
        let made = match Self::closings_through(tx, group_id).await? {
            None => network::TrendSums::default(),
            Some(through) => {
                let days = Self::day_totals(tx, group_id, None, through).await?;
                Self::group_month_sums(tx, group_id, None, through, &BTreeMap::new(), &days).await?
            }
        };
        Ok(stored.first_difference(&made))
    }

    pub(in crate::store) fn trend_member(row: &DbRow<B>) -> Result<network::TrendMember, TxError> {
        let sex: String = row.try_get("sex")?;
        let status: String = row.try_get("status")?;
        let status_on: Option<NaiveDate> = row.try_get("status_on")?;
        Ok(network::TrendMember {
            member_id: row.try_get("id")?,
            sex: Sex::parse(&sex).ok_or_else(|| internal("stored sex"))?,
            currency: currency_of(&row.try_get::<String, _>("currency")?)?,
            joined_on: row.try_get("joined_on")?,
            left_on: if status == "active" { None } else { status_on },
        })
    }
}
