//! Members' savings and capital on a date, for the network's reports (savings mobilised, the
//! indicators), in one statement whatever the number of members:
//!
//! - every covered member's two accounts with their stored totals, found by joining on their
//!   ids, so that the database may hash-join the tables rather than look each account up in
//!   turn;
//! - for a date, what was booked on each account after it, through the account's own index
//!   range (`entries_by_account_lines`), read only in the groups that booked anything after
//!   the date (so that a report as of a recent date reads no account's entries) and only for accounts
//!   that were ever credited or debited.
//!
//! The statement names only the filters given. A condition such as `($1 IS NULL OR
//! g.host_country = $1)` would serve every filter with one text, but PostgreSQL plans a
//! statement it has prepared for any value of its parameters after a few runs, and for such a
//! condition it expects a handful of rows where there are thousands: it then looks every
//! account up in turn.
//!
//! The balance on the date is each account's stored totals less what was booked after it,
//! taken here with checked arithmetic.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::money::Currency;
use crate::domain::network::NetworkFilter;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::ledger::currency_of;
use crate::store::shared::*;
use crate::store::tx::Column;

/// What was booked on account `{account}` after the date `{on}`, credit-normal: nothing, without
/// reading its entries, when its group booked nothing after the date or the account has never
/// been credited or debited (as many members' capital accounts).
fn booked_after(account: &str, on: &str) -> String {
    format!(
        "CASE WHEN late.id IS NULL OR ({account}.credits_minor = 0 AND {account}.debits_minor = 0) \
         THEN 0 ELSE (SELECT CAST(COALESCE(SUM(CASE \
         WHEN e.direction = 'credit' THEN e.amount_minor ELSE -e.amount_minor END), 0) AS BIGINT) \
         FROM entries e WHERE e.account_id = {account}.id AND e.booked_on > {on}) END"
    )
}

/// The statement that reads the members' balances (see the module's comment), its parameters
/// numbered in the order `member_balances` binds them: host country, home country, group, date,
/// each only when given.
fn member_balances_sql(filter: &NetworkFilter, as_of: Option<NaiveDate>) -> String {
    let mut conditions = Vec::new();
    let mut next = 0;
    let mut parameter = || {
        next += 1;
        format!("${next}")
    };
    if filter.host_country.is_some() {
        conditions.push(format!("g.host_country = {}", parameter()));
    }
    if filter.home_country.is_some() {
        conditions.push(format!("g.home_country = {}", parameter()));
    }
    if filter.group_id.is_some() {
        conditions.push(format!("m.group_id = {}", parameter()));
    }
    let on = as_of.map(|_| parameter());
    let (after, late) = match &on {
        Some(on) => {
            conditions.push(format!("m.joined_on <= {on}"));
            (
                format!(
                    "{} AS savings_after, {} AS capital_after",
                    booked_after("s", on),
                    booked_after("c", on)
                ),
                format!(
                    " LEFT JOIN (SELECT b.id FROM groups b WHERE EXISTS (SELECT 1 FROM entries x \
                     WHERE x.group_id = b.id AND x.booked_on > {on})) late ON late.id = m.group_id"
                ),
            )
        }
        None => (
            "CAST(0 AS BIGINT) AS savings_after, CAST(0 AS BIGINT) AS capital_after".to_string(),
            String::new(),
        ),
    };
    let groups = if filter.host_country.is_some() || filter.home_country.is_some() {
        " JOIN groups g ON g.id = m.group_id"
    } else {
        ""
    };
    let conditions = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    format!(
        "SELECT m.id, m.group_id, \
         s.currency AS savings_currency, s.credits_minor AS savings_credits, s.debits_minor AS savings_debits, \
         c.currency AS capital_currency, c.credits_minor AS capital_credits, c.debits_minor AS capital_debits, \
         {after} FROM members m{groups} \
         JOIN accounts s ON s.id = m.savings_account_id JOIN accounts c ON c.id = m.capital_account_id\
         {late}{conditions}"
    )
}

/// The columns of the statement that describe each account: currency, credits, debits and
/// what was booked after the date.
const SAVINGS_COLUMNS: [&str; 4] = [
    "savings_currency",
    "savings_credits",
    "savings_debits",
    "savings_after",
];
const CAPITAL_COLUMNS: [&str; 4] = [
    "capital_currency",
    "capital_credits",
    "capital_debits",
    "capital_after",
];

/// A member's savings and capital on a date, each in its account's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::store) struct MemberBalances {
    pub member_id: Uuid,
    pub group_id: Uuid,
    pub savings: (Currency, i64),
    pub capital: (Currency, i64),
}

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
    /// The savings and capital on `as_of` (now when `None`) of every member of the groups
    /// `filter` covers who had joined by then (every member when `None`).
    pub(in crate::store) async fn member_balances(
        tx: &mut Tx<B::Db>,
        filter: &NetworkFilter,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<MemberBalances>, TxError> {
        let sql = member_balances_sql(filter, as_of);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(host) = &filter.host_country {
            query = query.bind(host.as_str());
        }
        if let Some(home) = &filter.home_country {
            query = query.bind(home.as_str());
        }
        if let Some(group) = filter.group_id {
            query = query.bind(group);
        }
        if let Some(on) = as_of {
            query = query.bind(on);
        }
        query
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|row| {
                Ok(MemberBalances {
                    member_id: row.try_get("id")?,
                    group_id: row.try_get("group_id")?,
                    savings: Self::balance_on(row, SAVINGS_COLUMNS)?,
                    capital: Self::balance_on(row, CAPITAL_COLUMNS)?,
                })
            })
            .collect()
    }

    /// One account's currency and balance on the date, from its columns in a row of
    /// `member_balances_sql`.
    fn balance_on(
        row: &DbRow<B>,
        [currency, credits, debits, after]: [&str; 4],
    ) -> Result<(Currency, i64), TxError> {
        let currency = currency_of(&row.try_get::<String, _>(currency)?)?;
        let (credits, debits): (i64, i64) = (row.try_get(credits)?, row.try_get(debits)?);
        let after = Self::sum_column(row, after)?;
        let balance = credits
            .checked_sub(debits)
            .and_then(|now| now.checked_sub(after))
            .ok_or_else(|| internal("a member's balance on a date is out of range"))?;
        Ok((currency, balance))
    }
}
