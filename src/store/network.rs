//! The task force's reports across groups, written once for both backends over `Backend`. Each
//! report is one read transaction: the database adds up the journal at request time (integer
//! sums cast to BIGINT, since PostgreSQL's SUM of BIGINT is NUMERIC), and `domain::network`
//! shapes the result.

use crate::domain::member::Sex;
use crate::domain::operations::*;
use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use super::backend::{Backend, DbRow, Ledger, Tx};
use super::ledger::currency_of;
use super::shared::*;
use super::tx::{Column, read_tx};
use crate::domain::money::Currency;
use crate::store::StoreResult;

mod balances;
mod reintegration;
pub(in crate::store) mod trend;

use crate::domain::network;
use crate::store::NetworkStore;

/// Members who had joined by `$3`, by their status on that date: a member whose
/// status changed after it was still active then.
const MEMBER_COUNTS_SQL: &str = "SELECT m.group_id, \
     CAST(SUM(CASE WHEN m.status = 'active' OR m.status_on > $3 THEN 1 ELSE 0 END) AS BIGINT) AS active, \
     CAST(SUM(CASE WHEN m.status = 'returned_home' AND ($3 IS NULL OR m.status_on <= $3) THEN 1 ELSE 0 END) AS BIGINT) AS returned_home, \
     CAST(SUM(CASE WHEN m.status = 'exited' AND ($3 IS NULL OR m.status_on <= $3) THEN 1 ELSE 0 END) AS BIGINT) AS exited \
     FROM members m JOIN groups g ON g.id = m.group_id \
     WHERE ($1 IS NULL OR g.host_country = $1) AND ($2 IS NULL OR g.home_country = $2) AND ($4 IS NULL OR g.id = $4) \
     AND ($3 IS NULL OR m.joined_on <= $3) \
     GROUP BY m.group_id";

type PersonFiguresMap =
    std::collections::BTreeMap<(Uuid, &'static str), (Currency, network::PersonFigures)>;

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
    /// The figures of the member and currency a row names.
    pub(super) fn person_entry<'m>(
        figures: &'m mut PersonFiguresMap,
        row: &DbRow<B>,
    ) -> Result<&'m mut network::PersonFigures, TxError> {
        let currency = currency_of(&row.try_get::<String, _>("currency")?)?;
        let id: Uuid = row.try_get("member_id")?;
        Ok(&mut figures
            .entry((id, currency.code()))
            .or_insert((currency, Default::default()))
            .1)
    }

    pub(super) fn sum_column(row: &DbRow<B>, name: &str) -> Result<i64, TxError> {
        Ok(row.try_get::<Option<i64>, _>(name)?.unwrap_or(0))
    }

    pub(super) async fn savings_in_tx(
        tx: &mut Tx<B::Db>,
        filter: &network::NetworkFilter,
        as_of: Option<NaiveDate>,
    ) -> Result<network::SavingsReport, TxError> {
        let groups = sqlx::query(
            "SELECT g.id, g.name, g.host_country, g.home_country, g.status FROM groups g \
             WHERE ($1 IS NULL OR g.host_country = $1) AND ($2 IS NULL OR g.home_country = $2) AND ($3 IS NULL OR g.id = $3) ORDER BY g.id",
        )
        .bind(&filter.host_country)
        .bind(&filter.home_country)
        .bind(filter.group_id)
        .fetch_all(&mut **tx)
        .await?;
        let counts = sqlx::query(MEMBER_COUNTS_SQL)
            .bind(&filter.host_country)
            .bind(&filter.home_country)
            .bind(as_of)
            .bind(filter.group_id)
            .fetch_all(&mut **tx)
            .await?;
        let members = Self::member_balances(tx, filter, as_of).await?;
        let mut groups = groups
            .iter()
            .map(Self::group_savings)
            .collect::<Result<Vec<_>, _>>()?;
        let index: HashMap<Uuid, usize> = groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.group_id, i))
            .collect();
        for row in &counts {
            let id: Uuid = row.try_get("group_id")?;
            if let Some(&i) = index.get(&id) {
                groups[i].members = Self::member_counts(row)?;
            }
        }
        // Each group's savings and capital by currency, in the order of the currencies' codes.
        let mut balances: BTreeMap<(Uuid, &'static str), network::SavingsBalance> = BTreeMap::new();
        for member in &members {
            for (currency, amount, savings) in [
                (member.savings.0, member.savings.1, true),
                (member.capital.0, member.capital.1, false),
            ] {
                let line = balances
                    .entry((member.group_id, currency.code()))
                    .or_insert(network::SavingsBalance {
                        currency,
                        savings_minor: 0,
                        capital_minor: 0,
                    });
                let sum = if savings {
                    &mut line.savings_minor
                } else {
                    &mut line.capital_minor
                };
                *sum += i128::from(amount);
            }
        }
        for ((group_id, _), line) in balances {
            if let Some(&i) = index.get(&group_id) {
                groups[i].balances.push(line);
            }
        }
        Ok(network::SavingsReport::new(as_of, groups))
    }

    /// A group as a row of `groups` names it, with no members or balances yet.
    fn group_savings(row: &DbRow<B>) -> Result<network::GroupSavings, TxError> {
        let status: String = row.try_get("status")?;
        Ok(network::GroupSavings {
            group_id: row.try_get("id")?,
            name: row.try_get("name")?,
            host_country: row.try_get("host_country")?,
            home_country: row.try_get("home_country")?,
            status: GroupStatus::parse(&status).ok_or_else(|| internal("stored group status"))?,
            members: network::MemberCounts::default(),
            balances: Vec::new(),
        })
    }

    fn member_counts(row: &DbRow<B>) -> Result<network::MemberCounts, TxError> {
        Ok(network::MemberCounts {
            active: Self::sum_column(row, "active")?,
            returned_home: Self::sum_column(row, "returned_home")?,
            exited: Self::sum_column(row, "exited")?,
        })
    }

    pub(super) async fn portfolio_in_tx(
        tx: &mut Tx<B::Db>,
        filter: &network::NetworkFilter,
        suppression_min: u32,
    ) -> Result<network::Portfolio, TxError> {
        let investments = sqlx::query(
            "SELECT i.id, i.kind, i.sector, i.country, i.status, i.currency, i.committed_minor, i.women_led, \
             CAST(a.debits_minor - a.credits_minor AS BIGINT) AS book_value \
             FROM investments i JOIN groups g ON g.id = i.group_id JOIN accounts a ON a.id = i.account_id \
             WHERE ($1 IS NULL OR g.host_country = $1) AND ($2 IS NULL OR g.home_country = $2) AND ($3 IS NULL OR g.id = $3) ORDER BY i.id",
        )
        .bind(&filter.host_country)
        .bind(&filter.home_country)
        .bind(filter.group_id)
        .fetch_all(&mut **tx)
        .await?;
        // The same events the investment page counts: those whose transaction stands.
        let events = sqlx::query(
            "SELECT x.investment_id, x.kind, CAST(SUM(x.amount_minor) AS BIGINT) AS total \
             FROM investment_events x JOIN groups g ON g.id = x.group_id \
             WHERE ($1 IS NULL OR g.host_country = $1) AND ($2 IS NULL OR g.home_country = $2) AND ($3 IS NULL OR g.id = $3) \
             AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_id = x.transaction_id) \
             GROUP BY x.investment_id, x.kind",
        )
        .bind(&filter.host_country)
        .bind(&filter.home_country)
        .bind(filter.group_id)
        .fetch_all(&mut **tx)
        .await?;
        let mut figures: HashMap<Uuid, InvestmentFigures> = HashMap::new();
        for row in &events {
            let id: Uuid = row.try_get("investment_id")?;
            let kind: String = row.try_get("kind")?;
            let total = Self::sum_column(row, "total")?;
            let kind = InvestmentEventKind::parse(&kind)
                .ok_or_else(|| internal("stored investment event kind"))?;
            figures.entry(id).or_default().set_total(kind, total);
        }
        let mut holdings = Vec::with_capacity(investments.len());
        for row in &investments {
            let id: Uuid = row.try_get("id")?;
            let kind: String = row.try_get("kind")?;
            let status: String = row.try_get("status")?;
            let mut f = figures.get(&id).copied().unwrap_or_default();
            f.book_value = Self::sum_column(row, "book_value")?;
            holdings.push(network::Holding {
                kind: InvestmentKind::parse(&kind)
                    .ok_or_else(|| internal("stored investment kind"))?,
                sector: row.try_get("sector")?,
                country: row.try_get("country")?,
                status: InvestmentStatus::parse(&status)
                    .ok_or_else(|| internal("stored investment status"))?,
                currency: currency_of(&row.try_get::<String, _>("currency")?)?,
                committed_minor: row.try_get("committed_minor")?,
                women_led: row.try_get("women_led")?,
                figures: f,
            });
        }
        Ok(network::portfolio(&holdings, suppression_min))
    }

    pub(super) async fn corridors_in_tx(
        tx: &mut Tx<B::Db>,
        filter: &network::NetworkFilter,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        by_channel: bool,
    ) -> Result<Vec<network::CorridorLine>, TxError> {
        // A remittance whose transaction was reversed was corrected away; one without a
        // transaction (no group savings part) stands as recorded.
        // Of the remittances sent in transit, only those completed count, at the figures
        // confirmed on arrival.
        let rows = sqlx::query(const_format::concatcp!(
            "SELECT x.*, NULL AS reversed_by, ",
            super::operations::SETTLEMENT_COLUMNS,
            " FROM remittances x ",
            super::operations::SETTLEMENT_JOIN,
            " JOIN groups g ON g.id = x.group_id \
             WHERE ($1 IS NULL OR g.host_country = $1) AND ($2 IS NULL OR g.home_country = $2) AND ($5 IS NULL OR g.id = $5) \
             AND x.booked_on >= COALESCE($3, '0001-01-01') AND x.booked_on <= COALESCE($4, '9999-12-31') \
             AND (x.transaction_id IS NULL OR NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_id = x.transaction_id)) \
             AND (NOT x.in_transit OR s.outcome = 'completed') \
             ORDER BY x.id"
        ))
        .bind(&filter.host_country)
        .bind(&filter.home_country)
        .bind(from)
        .bind(to)
        .bind(filter.group_id)
        .fetch_all(&mut **tx)
        .await?;
        let details = rows
            .iter()
            .map(|row| Self::remittance_from_row(row).map(|r| r.details))
            .collect::<Result<Vec<_>, TxError>>()?;
        Ok(network::corridors(&details, by_channel))
    }

    /// The members who had joined a group by `as_of`, as the network's indicators count them.
    async fn people_in_tx(
        tx: &mut Tx<B::Db>,
        as_of: NaiveDate,
    ) -> Result<Vec<network::Person>, TxError> {
        sqlx::query(
            "SELECT m.id, m.sex, m.birth_year, m.host_country, m.home_country FROM members m \
             WHERE m.joined_on <= $1 ORDER BY m.id",
        )
        .bind(as_of)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|row| {
            let sex: String = row.try_get("sex")?;
            Ok(network::Person {
                member_id: row.try_get("id")?,
                sex: Sex::parse(&sex).ok_or_else(|| internal("stored sex"))?,
                birth_year: row.try_get("birth_year")?,
                host_country: row.try_get("host_country")?,
                home_country: row.try_get("home_country")?,
            })
        })
        .collect::<Result<Vec<_>, TxError>>()
    }

    pub(super) async fn indicators_in_tx(
        tx: &mut Tx<B::Db>,
        as_of: NaiveDate,
        suppression_min: u32,
    ) -> Result<network::Indicators, TxError> {
        let people = Self::people_in_tx(tx, as_of).await?;
        let mut figures = PersonFiguresMap::new();
        let everyone = network::NetworkFilter::default();
        for member in Self::member_balances(tx, &everyone, Some(as_of)).await? {
            for (currency, amount, savings) in [
                (member.savings.0, member.savings.1, true),
                (member.capital.0, member.capital.1, false),
            ] {
                let f = &mut figures
                    .entry((member.member_id, currency.code()))
                    .or_insert((currency, Default::default()))
                    .1;
                if savings {
                    f.savings_minor = amount;
                } else {
                    f.capital_minor = amount;
                }
            }
        }
        let distributions = sqlx::query(
            "SELECT s.member_id, x.currency, CAST(SUM(s.share_minor) AS BIGINT) AS received \
             FROM distribution_shares s JOIN distributions x ON x.id = s.distribution_id \
             WHERE x.booked_on <= $1 \
             AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_id = x.transaction_id) \
             GROUP BY s.member_id, x.currency",
        )
        .bind(as_of)
        .fetch_all(&mut **tx)
        .await?;
        for row in distributions {
            Self::person_entry(&mut figures, &row)?.distributions_minor =
                Self::sum_column(&row, "received")?;
        }
        // A remittance that failed by `as_of` came back: it was not sent home.
        let remittances = sqlx::query(
            "SELECT x.member_id, x.send_currency AS currency, CAST(COUNT(*) AS BIGINT) AS sent, \
             CAST(SUM(x.send_amount_minor) AS BIGINT) AS sent_minor FROM remittances x \
             WHERE x.booked_on <= $1 \
             AND (x.transaction_id IS NULL OR NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_id = x.transaction_id)) \
             AND NOT EXISTS (SELECT 1 FROM remittance_settlements f WHERE f.remittance_id = x.id \
             AND f.outcome = 'failed' AND f.booked_on <= $1) \
             GROUP BY x.member_id, x.send_currency",
        )
        .bind(as_of)
        .fetch_all(&mut **tx)
        .await?;
        for row in remittances {
            let f = Self::person_entry(&mut figures, &row)?;
            f.remittances_sent = Self::sum_column(&row, "sent")?;
            f.remittances_minor = Self::sum_column(&row, "sent_minor")?;
        }
        Ok(network::indicators(
            as_of,
            suppression_min,
            &people,
            &figures,
        ))
    }
}

#[async_trait]
impl<B: Backend> NetworkStore for Ledger<B>
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
    async fn savings_report(
        &self,
        filter: &network::NetworkFilter,
        as_of: Option<NaiveDate>,
    ) -> StoreResult<network::SavingsReport> {
        read_tx!(self, |tx| Self::savings_in_tx(&mut tx, filter, as_of).await)
    }

    async fn portfolio_report(
        &self,
        filter: &network::NetworkFilter,
        suppression_min: u32,
    ) -> StoreResult<network::Portfolio> {
        read_tx!(self, |tx| Self::portfolio_in_tx(
            &mut tx,
            filter,
            suppression_min
        )
        .await)
    }

    async fn remittance_corridors(
        &self,
        filter: &network::NetworkFilter,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        by_channel: bool,
    ) -> StoreResult<Vec<network::CorridorLine>> {
        read_tx!(self, |tx| Self::corridors_in_tx(
            &mut tx, filter, from, to, by_channel
        )
        .await)
    }

    async fn indicators_report(
        &self,
        as_of: NaiveDate,
        suppression_min: u32,
    ) -> StoreResult<network::Indicators> {
        read_tx!(self, |tx| Self::indicators_in_tx(
            &mut tx,
            as_of,
            suppression_min
        )
        .await)
    }

    async fn reintegration_report(&self) -> StoreResult<Vec<network::ReturnedMember>> {
        read_tx!(self, |tx| Self::reintegration_in_tx(&mut tx).await)
    }

    async fn savings_trend(
        &self,
        filter: &network::NetworkFilter,
        from: NaiveDate,
        to: NaiveDate,
        suppression_min: u32,
    ) -> StoreResult<network::SavingsTrend> {
        read_tx!(self, |tx| Self::savings_trend_in_tx(
            &mut tx,
            filter,
            from,
            to,
            suppression_min
        )
        .await)
    }
}
