//! The reintegration report: each member who returned home, with what she held in the group
//! on the day of return, what was paid out to her, and what capital she still holds.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::member::Sex;
use crate::domain::money::Currency;
use crate::domain::network;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::ledger::currency_of;
use crate::store::shared::*;
use crate::store::tx::Column;

/// What the exit of a member paid out of one of her accounts, on one day.
struct Payout {
    account_id: Uuid,
    currency: Currency,
    booked_on: NaiveDate,
    paid: i64,
}

/// Each member's payouts, by (group, member).
type PayoutsByMember = HashMap<(Uuid, Uuid), Vec<Payout>>;

fn stake_in<'s>(
    stakes: &'s mut BTreeMap<&'static str, network::ReturnStake>,
    currency: Currency,
) -> &'s mut network::ReturnStake {
    stakes
        .entry(currency.code())
        .or_insert(network::ReturnStake {
            currency,
            savings_at_return_minor: 0,
            capital_at_return_minor: 0,
            paid_out_minor: 0,
            capital_now_minor: 0,
        })
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
    pub(in crate::store) async fn reintegration_in_tx(
        tx: &mut Tx<B::Db>,
    ) -> Result<Vec<network::ReturnedMember>, TxError> {
        let members = sqlx::query(
            "SELECT m.id, m.group_id, g.name AS group_name, g.host_country AS group_host_country, \
             g.home_country AS group_home_country, m.sex, m.home_country, m.status_on \
             FROM members m JOIN groups g ON g.id = m.group_id WHERE m.status = 'returned_home' \
             ORDER BY g.id, m.id",
        )
        .fetch_all(&mut **tx)
        .await?;
        // Each account's balance on the day of return and today.
        let balances = sqlx::query(
            "SELECT m.id AS member_id, a.id AS account_id, a.currency, \
             CAST(CASE WHEN a.id = m.savings_account_id THEN 1 ELSE 0 END AS BIGINT) AS is_savings, \
             CAST(COALESCE(SUM(CASE WHEN e.booked_on <= m.status_on THEN \
                 CASE WHEN e.direction = 'credit' THEN e.amount_minor ELSE -e.amount_minor END ELSE 0 END), 0) AS BIGINT) AS on_return, \
             CAST(COALESCE(SUM(CASE WHEN e.direction = 'credit' THEN e.amount_minor ELSE -e.amount_minor END), 0) AS BIGINT) AS now \
             FROM members m JOIN accounts a ON a.id = m.savings_account_id OR a.id = m.capital_account_id \
             LEFT JOIN entries e ON e.account_id = a.id \
             WHERE m.status = 'returned_home' \
             GROUP BY m.id, m.savings_account_id, a.id, a.currency",
        )
        .fetch_all(&mut **tx)
        .await?;
        // What the payouts of members leaving took from their accounts: the debits of
        // each standing transaction the exit route wrote (its metadata names the member).
        // Those few transactions are found first, through their partial index, and
        // only their entries read: without the materialised step, SQLite would scan
        // the whole journal to join it with the entries.
        let payouts = sqlx::query(
            "WITH exits AS MATERIALIZED (SELECT t.id, t.group_id, t.metadata, t.booked_on FROM transactions t \
             WHERE t.metadata LIKE '{\"event\":\"member_exit\",%' \
             AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_id = t.id)) \
             SELECT t.group_id, t.metadata, t.booked_on, e.account_id, e.currency, \
             CAST(SUM(e.amount_minor) AS BIGINT) AS paid \
             FROM exits t JOIN entries e ON e.transaction_id = t.id \
             WHERE e.direction = 'debit' \
             GROUP BY t.id, t.group_id, t.metadata, t.booked_on, e.account_id, e.currency",
        )
        .fetch_all(&mut **tx)
        .await?;
        Self::assemble_returns(&members, &balances, &payouts)
    }

    fn assemble_returns(
        members: &[DbRow<B>],
        balances: &[DbRow<B>],
        payouts: &[DbRow<B>],
    ) -> Result<Vec<network::ReturnedMember>, TxError> {
        let paid_by_member = Self::payouts_by_member(payouts)?;
        // Each member's account rows, found once rather than searched for each member.
        let mut by_member: HashMap<Uuid, Vec<&DbRow<B>>> = HashMap::new();
        for b in balances {
            by_member
                .entry(b.try_get("member_id")?)
                .or_default()
                .push(b);
        }
        members
            .iter()
            .map(|row| {
                let member_id: Uuid = row.try_get("id")?;
                let own = by_member.get(&member_id).map(Vec::as_slice).unwrap_or(&[]);
                Self::returned_member(row, own, &paid_by_member)
            })
            .collect()
    }

    /// The payouts the exit route's transactions name a member in.
    fn payouts_by_member(payouts: &[DbRow<B>]) -> Result<PayoutsByMember, TxError> {
        let mut paid_by_member: PayoutsByMember = HashMap::new();
        for row in payouts {
            let metadata: String = row.try_get("metadata")?;
            let value: serde_json::Value = serde_json::from_str(&metadata).map_err(internal)?;
            if value["event"] != "member_exit" {
                continue;
            }
            let Some(member_id) = value["member_id"]
                .as_str()
                .and_then(|t| Uuid::try_parse(t).ok())
            else {
                continue;
            };
            let group_id: Uuid = row.try_get("group_id")?;
            paid_by_member
                .entry((group_id, member_id))
                .or_default()
                .push(Payout {
                    account_id: row.try_get("account_id")?,
                    currency: currency_of(&row.try_get::<String, _>("currency")?)?,
                    booked_on: row.try_get("booked_on")?,
                    paid: Self::sum_column(row, "paid")?,
                });
        }
        Ok(paid_by_member)
    }

    /// The member a row names, with her stakes in each currency (`balances`: her accounts'
    /// rows).
    fn returned_member(
        row: &DbRow<B>,
        balances: &[&DbRow<B>],
        paid_by_member: &PayoutsByMember,
    ) -> Result<network::ReturnedMember, TxError> {
        let member_id: Uuid = row.try_get("id")?;
        let group_id: Uuid = row.try_get("group_id")?;
        let returned_on: Option<NaiveDate> = row.try_get("status_on")?;
        let sex: String = row.try_get("sex")?;
        let payouts = paid_by_member
            .get(&(group_id, member_id))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mut stakes = Self::stakes_at_return(returned_on, balances, payouts)?;
        for p in payouts {
            stake_in(&mut stakes, p.currency).paid_out_minor += p.paid;
        }
        Ok(network::ReturnedMember {
            group_id,
            group_name: row.try_get("group_name")?,
            group_host_country: row.try_get("group_host_country")?,
            group_home_country: row.try_get("group_home_country")?,
            member_id,
            sex: Sex::parse(&sex).ok_or_else(|| internal("stored sex"))?,
            home_country: row.try_get("home_country")?,
            returned_on,
            stakes: stakes.into_values().collect(),
        })
    }

    /// A member's savings and capital on the day of return, per currency, and her capital
    /// now, from her accounts' rows.
    fn stakes_at_return(
        returned_on: Option<NaiveDate>,
        balances: &[&DbRow<B>],
        payouts: &[Payout],
    ) -> Result<BTreeMap<&'static str, network::ReturnStake>, TxError> {
        let mut stakes: BTreeMap<&'static str, network::ReturnStake> = BTreeMap::new();
        for b in balances {
            let account_id: Uuid = b.try_get("account_id")?;
            let currency = currency_of(&b.try_get::<String, _>("currency")?)?;
            // The stake on the day of return is counted before that day's payout.
            let paid_then: i64 = payouts
                .iter()
                .filter(|p| {
                    p.account_id == account_id && returned_on.is_some_and(|on| p.booked_on <= on)
                })
                .map(|p| p.paid)
                .sum();
            let at_return = Self::sum_column(b, "on_return")? + paid_then;
            let s = stake_in(&mut stakes, currency);
            if b.try_get::<i64, _>("is_savings")? == 1 {
                s.savings_at_return_minor += at_return;
            } else {
                s.capital_at_return_minor += at_return;
                s.capital_now_minor += Self::sum_column(b, "now")?;
            }
        }
        Ok(stakes)
    }
}
