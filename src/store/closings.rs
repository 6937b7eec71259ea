//! Month-end balances (`account_closings`, migration 0024), written once for both backends.
//!
//! A balance on a date of a closed month is the account's closing of the month before plus
//! that month's entries up to the date, so it costs at most a month of the account's entries
//! however long the journal after it. A date after the group's closed months is, as before,
//! the account's stored totals less what was booked after it: at most the weeks since.
//!
//! The network's reports do not read them: they take the balances of every member's two
//! accounts, each with a couple of entries a month, and reading the entries after the date
//! through the index costs less there than looking up a closing (see docs/DECISIONS.md).
//!
//! The closings are derived from the entries, which stay the record. `close_months` writes
//! them for the months that have ended (`domain::closings` says which), a group at a time
//! under its write lock; a posting dated in a closed month deletes the group's closings from
//! that month on (`reopen_closings`, in the posting's transaction), and they are written again
//! by a later step. `verify_ledger` checks every stored closing against the entries.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use super::backend::{Backend, DbRow, Ledger, Tx};
use super::shared::*;
use super::tx::{Column, read_tx, write_tx};
use crate::domain::closings::{self, Closing, DayTotals};
use crate::domain::error::LedgerError;
use crate::domain::model::{Account, Transaction};
use crate::store::StoreResult;

/// One pass of `ClosingStore::close_months` over some groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClosingPass {
    /// Groups whose months this pass closed further.
    pub stepped: u32,
    /// Groups whose step failed (logged, and tried again by a later pass).
    pub failed: u32,
    /// The last group looked at, from which the next pass goes on; `None` when no group
    /// after the one given was behind.
    pub last: Option<Uuid>,
}

/// Writes the month-end balances of the months that have ended.
#[async_trait]
pub trait ClosingStore: Send + Sync + 'static {
    /// Takes up to `max_groups` groups, in id order after `after`, whose months are not closed
    /// through the latest month that may be closed on `today`
    /// (`domain::closings::closable_through`), and closes up to
    /// `domain::closings::MONTHS_PER_STEP` further months of each, one transaction a group. A
    /// group whose step fails is logged and passed over, so it cannot hold back the others.
    async fn close_months(
        &self,
        today: NaiveDate,
        after: Option<Uuid>,
        max_groups: u32,
    ) -> StoreResult<ClosingPass>;
}

/// The totals (debits, credits) of a row's `debits` and `credits` columns.
fn pair<B: Backend>(row: &DbRow<B>) -> Result<(i64, i64), TxError>
where
    for<'a> &'a str: sqlx::ColumnIndex<DbRow<B>>,
    Option<i64>: Column<B::Db>,
{
    Ok((
        row.try_get::<Option<i64>, _>("debits")?.unwrap_or(0),
        row.try_get::<Option<i64>, _>("credits")?.unwrap_or(0),
    ))
}

/// `a + b`, or `a - b`, for totals read from the journal; beyond `i64` is a fault, not wrapped.
fn combine(a: (i64, i64), b: (i64, i64), add: bool) -> Result<(i64, i64), TxError> {
    let (d, c) = if add {
        (a.0.checked_add(b.0), a.1.checked_add(b.1))
    } else {
        (a.0.checked_sub(b.0), a.1.checked_sub(b.1))
    };
    d.zip(c)
        .ok_or_else(|| internal("an account's totals on a date are out of range"))
}

/// Before any date a journal holds (and within what either database stores).
pub(in crate::store) const EARLIEST: NaiveDate =
    NaiveDate::from_ymd_opt(1, 1, 1).expect("a valid date");

const SUMS: &str = "CAST(COALESCE(SUM(CASE WHEN e.direction = 'debit' THEN e.amount_minor ELSE 0 END), 0) AS BIGINT) AS debits, \
     CAST(COALESCE(SUM(CASE WHEN e.direction = 'credit' THEN e.amount_minor ELSE 0 END), 0) AS BIGINT) AS credits";

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
    /// The month through which the group's closings are written, if any.
    pub(in crate::store) async fn closings_through(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
    ) -> Result<Option<NaiveDate>, TxError> {
        Ok(
            sqlx::query("SELECT closings_through FROM groups WHERE id = $1")
                .bind(group_id)
                .fetch_optional(&mut **tx)
                .await?
                .map(|row| row.try_get::<Option<NaiveDate>, _>("closings_through"))
                .transpose()?
                .flatten(),
        )
    }

    /// Each of `accounts`' totals (debits, credits) over the entries booked on or before `on`,
    /// by account id. `accounts` belong to `group_id` and carry their stored totals; their
    /// entries are read by account (the index on account and date), never by group.
    pub(in crate::store) async fn totals_on(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        accounts: &[&Account],
        on: NaiveDate,
    ) -> Result<HashMap<Uuid, (i64, i64)>, TxError> {
        let closed = Self::closings_through(tx, group_id).await?;
        let mut totals = HashMap::with_capacity(accounts.len());
        let from_closings = closed.is_some_and(|closed| on <= closed);
        for chunk in accounts.chunks(ROWS_PER_STATEMENT) {
            if from_closings {
                // The closing of the month before `on`'s (none: nothing booked before it)...
                let sql = format!(
                    "SELECT c.account_id, c.debits_minor AS debits, c.credits_minor AS credits \
                     FROM account_closings c WHERE c.group_id = $1 AND c.account_id IN ({}) \
                     AND c.month_end = (SELECT MAX(d.month_end) FROM account_closings d \
                     WHERE d.account_id = c.account_id AND d.month_end <= $2)",
                    parameters(3, chunk.len())
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(group_id)
                    .bind(closings::previous_month_end(on));
                for account in chunk {
                    query = query.bind(account.id);
                }
                for row in query.fetch_all(&mut **tx).await? {
                    totals.insert(row.try_get::<Uuid, _>("account_id")?, pair::<B>(&row)?);
                }
                // ...plus that month's entries up to `on`.
                let sql = format!(
                    "SELECT e.account_id, {SUMS} FROM entries e WHERE e.account_id IN ({}) \
                     AND e.booked_on >= $1 AND e.booked_on <= $2 GROUP BY e.account_id",
                    parameters(3, chunk.len())
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(closings::month_start(on))
                    .bind(on);
                for account in chunk {
                    query = query.bind(account.id);
                }
                for row in query.fetch_all(&mut **tx).await? {
                    let id: Uuid = row.try_get("account_id")?;
                    let before = totals.get(&id).copied().unwrap_or((0, 0));
                    totals.insert(id, combine(before, pair::<B>(&row)?, true)?);
                }
                for account in chunk {
                    totals.entry(account.id).or_insert((0, 0));
                }
            } else {
                // The stored totals less what was booked after `on`: since `on` is after the
                // closed months, at most what was booked since they ended.
                let sql = format!(
                    "SELECT e.account_id, {SUMS} FROM entries e WHERE e.account_id IN ({}) \
                     AND e.booked_on > $1 GROUP BY e.account_id",
                    parameters(2, chunk.len())
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(on);
                for account in chunk {
                    query = query.bind(account.id);
                }
                let mut after: HashMap<Uuid, (i64, i64)> = HashMap::new();
                for row in query.fetch_all(&mut **tx).await? {
                    after.insert(row.try_get("account_id")?, pair::<B>(&row)?);
                }
                for account in chunk {
                    let stored = (account.debits_minor, account.credits_minor);
                    let later = after.get(&account.id).copied().unwrap_or((0, 0));
                    totals.insert(account.id, combine(stored, later, false)?);
                }
            }
        }
        Ok(totals)
    }

    /// Deletes the closings that postings booked in closed months make wrong: for each group,
    /// those from the month of its earliest such posting on, with its `closings_through`
    /// moved back to the month before. Only postings dated before the current month may fall
    /// in a closed month (`domain::closings::reopens`), so others cost nothing here.
    pub(in crate::store) async fn reopen_closings(
        tx: &mut Tx<B::Db>,
        transactions: &[&Transaction],
    ) -> Result<(), TxError> {
        let today = recorded_now().date_naive();
        let mut earliest: BTreeMap<Uuid, NaiveDate> = BTreeMap::new();
        for t in transactions {
            if closings::reopens(t.booked_on, today) {
                let on = earliest.entry(t.group_id).or_insert(t.booked_on);
                *on = (*on).min(t.booked_on);
            }
        }
        for (group_id, on) in earliest {
            Self::reopen_group(tx, group_id, closings::Reopen::From(on)).await?;
        }
        Ok(())
    }

    /// Deletes the group's closings and stored trend months that `reopen` names, with its
    /// `closings_through` moved back to the month before them (none for all), when any of them
    /// were closed. Called in the transaction of the write that makes them wrong, under the
    /// group's lock.
    pub(in crate::store) async fn reopen_group(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        reopen: closings::Reopen,
    ) -> Result<(), TxError> {
        let on = match reopen {
            closings::Reopen::Nothing => return Ok(()),
            closings::Reopen::From(on) => on,
            closings::Reopen::All => EARLIEST,
        };
        let back = match reopen {
            closings::Reopen::From(on) => Some(closings::previous_month_end(on)),
            _ => None,
        };
        let reopened = sqlx::query(
            "UPDATE groups SET closings_through = $1 WHERE id = $2 AND closings_through >= $3",
        )
        .bind(back)
        .bind(group_id)
        .bind(on)
        .execute(&mut **tx)
        .await?;
        if B::rows_affected(&reopened) > 0 {
            sqlx::query("DELETE FROM account_closings WHERE group_id = $1 AND month_end >= $2")
                .bind(group_id)
                .bind(on)
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM trend_months WHERE group_id = $1 AND month >= $2")
                .bind(group_id)
                .bind(closings::month_start(on))
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// One step of closing the group's months towards `target`, under the group's write lock;
    /// whether it closed anything.
    async fn close_group_step(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        target: NaiveDate,
    ) -> Result<bool, TxError> {
        Self::lock_group(tx, group_id).await?;
        let closed = Self::closings_through(tx, group_id).await?;
        if closed.is_some_and(|closed| closed >= target) {
            return Ok(false);
        }
        let first: Option<NaiveDate> = match closed {
            Some(_) => None,
            None => sqlx::query("SELECT MIN(booked_on) AS first FROM entries WHERE group_id = $1")
                .bind(group_id)
                .fetch_one(&mut **tx)
                .await?
                .try_get("first")?,
        };
        let through = closings::step_through(closed, first, target);
        let days = Self::day_totals(tx, group_id, closed, through).await?;
        let mut previous = BTreeMap::new();
        for row in sqlx::query(
            "SELECT c.account_id, c.debits_minor AS debits, c.credits_minor AS credits \
             FROM account_closings c WHERE c.group_id = $1 AND c.month_end = \
             (SELECT MAX(d.month_end) FROM account_closings d WHERE d.account_id = c.account_id)",
        )
        .bind(group_id)
        .fetch_all(&mut **tx)
        .await?
        {
            previous.insert(row.try_get::<Uuid, _>("account_id")?, pair::<B>(&row)?);
        }
        let rows = closings::cumulate(&previous, &days)
            .map_err(|_| internal("an account's closing is out of range"))?;
        Self::insert_closings(tx, group_id, &rows).await?;
        let trend = Self::group_month_sums(tx, group_id, closed, through, &previous, &days).await?;
        Self::insert_trend_months(tx, group_id, &trend).await?;
        sqlx::query("UPDATE groups SET closings_through = $1 WHERE id = $2")
            .bind(through)
            .bind(group_id)
            .execute(&mut **tx)
            .await?;
        Ok(true)
    }

    async fn insert_closings(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        rows: &[Closing],
    ) -> Result<(), TxError> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let values = (0..chunk.len())
                .map(|i| {
                    let n = 2 + i * 4;
                    format!("($1, ${}, ${}, ${}, ${})", n, n + 1, n + 2, n + 3)
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO account_closings (group_id, account_id, month_end, debits_minor, credits_minor) \
                 VALUES {values}"
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(group_id);
            for closing in chunk {
                query = query
                    .bind(closing.account_id)
                    .bind(closing.month_end)
                    .bind(closing.debits_minor)
                    .bind(closing.credits_minor);
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// The first of the group's stored closings (by account, then month) that is not what its
    /// entries make: a wrong total, a row missing for a month the account had entries in, or a
    /// row beyond the closed months. `None` when they all agree.
    pub(in crate::store) async fn wrong_closing(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
    ) -> Result<Option<(Uuid, NaiveDate)>, TxError> {
        let through = Self::closings_through(tx, group_id).await?;
        let mut stored = BTreeMap::new();
        for row in sqlx::query(
            "SELECT account_id, month_end, debits_minor AS debits, credits_minor AS credits \
             FROM account_closings WHERE group_id = $1",
        )
        .bind(group_id)
        .fetch_all(&mut **tx)
        .await?
        {
            let key = (row.try_get("account_id")?, row.try_get("month_end")?);
            stored.insert(key, pair::<B>(&row)?);
        }
        let days = match through {
            None => Vec::new(),
            Some(through) => Self::day_totals(tx, group_id, None, through).await?,
        };
        let made = closings::cumulate(&BTreeMap::new(), &days)
            .map_err(|_| internal("an account's closing is out of range"))?;
        Ok(closings::first_difference(&stored, &made))
    }

    /// What each account of the group was credited and debited each day from after `after`
    /// (from the first entry when `None`) to `through`.
    pub(in crate::store) async fn day_totals(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        after: Option<NaiveDate>,
        through: NaiveDate,
    ) -> Result<Vec<DayTotals>, TxError> {
        sqlx::query(const_format::concatcp!(
            "SELECT e.account_id, e.booked_on, ",
            SUMS,
            " FROM entries e WHERE e.group_id = $1 AND e.booked_on > $2 AND e.booked_on <= $3 \
             GROUP BY e.account_id, e.booked_on"
        ))
        .bind(group_id)
        .bind(after.unwrap_or(EARLIEST))
        .bind(through)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|row| {
            let (debits_minor, credits_minor) = pair::<B>(row)?;
            Ok(DayTotals {
                account_id: row.try_get("account_id")?,
                booked_on: row.try_get("booked_on")?,
                debits_minor,
                credits_minor,
            })
        })
        .collect()
    }
}

#[async_trait]
impl<B: Backend> ClosingStore for Ledger<B>
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
    async fn close_months(
        &self,
        today: NaiveDate,
        after: Option<Uuid>,
        max_groups: u32,
    ) -> StoreResult<ClosingPass> {
        let target = closings::closable_through(today);
        let behind: Vec<Uuid> = read_tx!(self, |tx| {
            let rows = sqlx::query(
                "SELECT id FROM groups WHERE (closings_through IS NULL OR closings_through < $1) \
                 AND id > $2 ORDER BY id LIMIT $3",
            )
            .bind(target)
            .bind(after.unwrap_or(BEFORE_ANY_ID))
            .bind(i64::from(max_groups))
            .fetch_all(&mut *tx)
            .await?;
            rows.iter()
                .map(|row| row.try_get::<Uuid, _>("id").map_err(TxError::from))
                .collect::<Result<Vec<_>, TxError>>()
        })?;
        let mut pass = ClosingPass {
            last: behind.last().copied(),
            ..ClosingPass::default()
        };
        for group_id in behind {
            let step: StoreResult<bool> = write_tx!(self, |tx| {
                let result: Result<Result<bool, LedgerError>, TxError> =
                    async { Ok(Ok(Self::close_group_step(&mut tx, group_id, target).await?)) }
                        .await;
                result
            });
            match step {
                Ok(closed) => pass.stepped += u32::from(closed),
                Err(e) => {
                    pass.failed += 1;
                    tracing::warn!(%group_id, error = %e, "a group's month-end balances could not be written");
                }
            }
        }
        Ok(pass)
    }
}
