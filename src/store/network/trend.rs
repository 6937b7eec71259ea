//! Savings month by month, by sex and currency, for the network dashboard: the members of the
//! groups a filter covers and the daily movements of their savings accounts; the domain adds
//! them up into months (`domain::network::savings_trend`).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::member::Sex;
use crate::domain::network;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::ledger::currency_of;
use crate::store::shared::*;
use crate::store::tx::Column;

/// Members of the covered groups who had joined by `$3`, with their savings account's currency.
const TREND_MEMBERS_SQL: &str = "SELECT m.id, m.sex, a.currency, m.joined_on, m.status, m.status_on \
     FROM members m JOIN groups g ON g.id = m.group_id JOIN accounts a ON a.id = m.savings_account_id \
     WHERE ($1 IS NULL OR g.host_country = $1) AND ($2 IS NULL OR g.home_country = $2) \
     AND m.joined_on <= $3 ORDER BY m.id";

/// What their savings accounts were credited and debited: one row per member for all that was
/// booked before `$4` (dated the day before it), then one per member and day to `$3`.
const TREND_MOVEMENTS_SQL: &str = "SELECT m.id AS member_id, \
     CASE WHEN e.booked_on < $4 THEN NULL ELSE e.booked_on END AS booked_on, \
     CAST(SUM(CASE WHEN e.direction = 'credit' THEN e.amount_minor ELSE 0 END) AS BIGINT) AS credits_minor, \
     CAST(SUM(CASE WHEN e.direction = 'debit' THEN e.amount_minor ELSE 0 END) AS BIGINT) AS debits_minor \
     FROM members m JOIN groups g ON g.id = m.group_id JOIN entries e ON e.account_id = m.savings_account_id \
     WHERE ($1 IS NULL OR g.host_country = $1) AND ($2 IS NULL OR g.home_country = $2) \
     AND m.joined_on <= $3 AND e.booked_on <= $3 \
     GROUP BY m.id, CASE WHEN e.booked_on < $4 THEN NULL ELSE e.booked_on END";

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
        let members = sqlx::query(TREND_MEMBERS_SQL)
            .bind(&filter.host_country)
            .bind(&filter.home_country)
            .bind(to)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(Self::trend_member)
            .collect::<Result<Vec<_>, TxError>>()?;
        let before = from.pred_opt().unwrap_or(from);
        let movements = sqlx::query(TREND_MOVEMENTS_SQL)
            .bind(&filter.host_country)
            .bind(&filter.home_country)
            .bind(to)
            .bind(from)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|row| {
                Ok(network::SavingsMovement {
                    member_id: row.try_get("member_id")?,
                    booked_on: row
                        .try_get::<Option<NaiveDate>, _>("booked_on")?
                        .unwrap_or(before),
                    credits_minor: Self::sum_column(row, "credits_minor")?,
                    debits_minor: Self::sum_column(row, "debits_minor")?,
                })
            })
            .collect::<Result<Vec<_>, TxError>>()?;
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
