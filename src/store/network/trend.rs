//! Savings month by month, by sex and currency, for the network dashboard: the members of the
//! groups a filter covers, what their savings accounts held before the period (their totals
//! less what was booked since) and their movements month by month in it; the domain makes the
//! cells (`domain::network::savings_trend`).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::member::Sex;
use crate::domain::network;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::ledger::currency_of;
use crate::store::shared::*;
use crate::store::tx::Column;

/// Members of the covered groups who had joined by `$3`, with their savings account's currency
/// and what it was credited and debited in all.
const TREND_MEMBERS_SQL: &str = "SELECT m.id, m.sex, a.currency, m.joined_on, m.status, m.status_on, \
     a.credits_minor, a.debits_minor \
     FROM members m JOIN groups g ON g.id = m.group_id JOIN accounts a ON a.id = m.savings_account_id \
     WHERE ($1 IS NULL OR g.host_country = $1) AND ($2 IS NULL OR g.home_country = $2) AND ($4 IS NULL OR g.id = $4) \
     AND m.joined_on <= $3 ORDER BY m.id";

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
        let rows = sqlx::query(TREND_MEMBERS_SQL)
            .bind(&filter.host_country)
            .bind(&filter.home_country)
            .bind(to)
            .bind(filter.group_id)
            .fetch_all(&mut **tx)
            .await?;
        let members = rows
            .iter()
            .map(Self::trend_member)
            .collect::<Result<Vec<_>, TxError>>()?;
        // What each account holds in all, less what was booked from `from` on: what it held
        // before the period, without reading the entries before it.
        let mut before: HashMap<Uuid, (i64, i64)> = HashMap::with_capacity(rows.len());
        for row in &rows {
            let totals = (
                Self::sum_column(row, "credits_minor")?,
                Self::sum_column(row, "debits_minor")?,
            );
            before.insert(row.try_get("id")?, totals);
        }
        let mut movements = Vec::new();
        for row in sqlx::query(B::SAVINGS_MONTHS_SQL)
            .bind(&filter.host_country)
            .bind(&filter.home_country)
            .bind(to)
            .bind(from)
            .bind(filter.group_id)
            .fetch_all(&mut **tx)
            .await?
            .iter()
        {
            let member_id: Uuid = row.try_get("member_id")?;
            let credits_minor = Self::sum_column(row, "credits_minor")?;
            let debits_minor = Self::sum_column(row, "debits_minor")?;
            let left = before
                .get_mut(&member_id)
                .ok_or_else(|| internal("savings of a member not read"))?;
            *left = (
                left.0
                    .checked_sub(credits_minor)
                    .ok_or_else(|| internal("savings credits"))?,
                left.1
                    .checked_sub(debits_minor)
                    .ok_or_else(|| internal("savings debits"))?,
            );
            if let Some(month) = row.try_get::<Option<NaiveDate>, _>("month")? {
                movements.push(network::SavingsMovement {
                    member_id,
                    booked_on: month.max(from),
                    credits_minor,
                    debits_minor,
                });
            }
        }
        let day_before = from.pred_opt().unwrap_or(from);
        for (member_id, (credits_minor, debits_minor)) in before {
            if credits_minor < 0 || debits_minor < 0 {
                return Err(internal("an account's totals below its entries'"));
            }
            if credits_minor != 0 || debits_minor != 0 {
                movements.push(network::SavingsMovement {
                    member_id,
                    booked_on: day_before,
                    credits_minor,
                    debits_minor,
                });
            }
        }
        Ok(network::savings_trend(
            from,
            to,
            suppression_min,
            &members,
            &movements,
        ))
    }

    fn trend_member(row: &DbRow<B>) -> Result<network::TrendMember, TxError> {
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
