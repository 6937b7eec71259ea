//! Distributions of a pool to the members, by weight, and the weights they are shared by.

use crate::domain::member::{MemberRecord, MemberStatus};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use super::proposals::Entry;
use crate::domain::error::LedgerError;
use crate::domain::model::*;
use crate::domain::operations::*;
use crate::domain::rules::distribution::{self, DistributionFacts};
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::ledger::currency_of;
use crate::store::shared::*;
use crate::store::tx::{Column, refuse_on_err};

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
    /// Each member who has not exited, in id order, with their weight on `basis` as of
    /// `as_of` (all entries when `None`).
    pub(in crate::store) async fn member_weights(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        basis: Basis,
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<(MemberRecord, i64)>, TxError> {
        let rows = sqlx::query(
            "SELECT * FROM members WHERE group_id = $1 AND status <> 'exited' ORDER BY id",
        )
        .bind(group_id)
        .fetch_all(&mut **tx)
        .await?;
        let records = Self::with_accounts(tx, &rows).await?;
        let weighed: Vec<&Account> = match basis {
            Basis::Savings => records.iter().map(|r| &r.savings).collect(),
            Basis::Capital => records.iter().map(|r| &r.capital).collect(),
            Basis::Equal => Vec::new(),
        };
        let balances = Self::balances_as_of(tx, group_id, &weighed, as_of).await?;
        let balance = |account: &Account| {
            balances
                .get(&account.id)
                .map(|b| (*b).max(0))
                .ok_or_else(|| internal("a weighed account's balance"))
        };
        let mut weights = Vec::with_capacity(records.len());
        for record in records {
            let weight = match basis {
                Basis::Savings => balance(&record.savings)?,
                Basis::Capital => balance(&record.capital)?,
                Basis::Equal => {
                    let joined = as_of.is_none_or(|d| record.member.joined_on <= d);
                    i64::from(joined && record.member.status == MemberStatus::Active)
                }
            };
            weights.push((record, weight));
        }
        Ok(weights)
    }

    /// Loads what a distribution is decided on (`rules::distribution`): its source, the
    /// accounts it may take the pool from, and the members' weights.
    async fn distribution_facts(
        tx: &mut Tx<B::Db>,
        group: &Group,
        request: &NewDistribution,
    ) -> Result<Result<DistributionFacts, LedgerError>, TxError> {
        let group_id = group.id;
        let basis = request.basis.unwrap_or(group.profile.distribution_basis);
        let found = match request.investment_id {
            Some(id) => Some(Self::load_investment(tx, group_id, id).await?),
            None => None,
        };
        let (investment, currency) =
            refuse_on_err!(distribution::source(request, found, group.currency));
        let undistributed = AccountRef::Code(undistributed_code(currency));
        let undistributed = Self::find_account(tx, group_id, &undistributed).await?;
        let (income, shared_minor) = match &investment {
            Some(record) => {
                let income = AccountRef::Code(investment_income_code(currency));
                let income = Self::find_account(tx, group_id, &income).await?;
                let shared: i64 = sqlx::query_scalar(
                    "SELECT CAST(COALESCE(SUM(d.pool_minor), 0) AS BIGINT) FROM distributions d \
                     WHERE d.group_id = $1 AND d.source_investment_id = $2 \
                     AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_id = d.transaction_id)",
                )
                .bind(group_id)
                .bind(record.investment.id)
                .fetch_one(&mut **tx)
                .await?;
                (income, shared)
            }
            None => (None, 0),
        };
        let weights = Self::member_weights(tx, group_id, basis, Some(request.as_of)).await?;
        let codes = match request.pay_to {
            PayTo::Payable => {
                distribution::standard_codes(weights.iter().map(|(r, _)| r), currency)
            }
            PayTo::Savings | PayTo::Capital => Vec::new(),
        };
        Ok(Ok(DistributionFacts {
            basis,
            currency,
            investment,
            undistributed,
            income,
            shared_minor,
            weights,
            standard: Self::standard_accounts(tx, group_id, &codes).await?,
        }))
    }

    /// Loads what a distribution is decided on, decides it (`rules::distribution`), and
    /// writes the transaction and, unless it is a dry run, the record.
    pub(in crate::store) async fn distribution_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        request: &NewDistribution,
    ) -> Result<Result<Distribution, LedgerError>, TxError> {
        let facts = refuse_on_err!(Self::distribution_facts(tx, group, request).await?);
        let id = Uuid::now_v7();
        let decided = refuse_on_err!(distribution::decide(request, &facts, id));
        let entry = Entry {
            booked_on: request.booked_on,
            description: &decided.description,
            metadata: &decided.metadata,
            created_by: request.created_by,
        };
        let transaction =
            refuse_on_err!(Self::post_proposal(tx, group, &decided.proposal, entry).await?);
        let distribution = Distribution {
            id: Some(id),
            group_id: group.id,
            pool_minor: decided.pool_minor,
            currency: facts.currency,
            basis: facts.basis,
            source_investment_id: request.investment_id,
            weight_currency: decided.weight_currency,
            as_of: request.as_of,
            pay_to: request.pay_to,
            booked_on: request.booked_on,
            shares: decided.shares,
            transaction_id: Some(transaction.id),
            created_by: request.created_by,
            created_at: Some(transaction.recorded_at),
        };
        if request.dry_run {
            return Ok(Ok(distribution));
        }
        Self::insert_distribution(tx, id, &distribution).await?;
        Ok(Ok(distribution))
    }

    /// Keeps the record of a distribution just posted, with each member's share.
    async fn insert_distribution(
        tx: &mut Tx<B::Db>,
        id: Uuid,
        d: &Distribution,
    ) -> Result<(), TxError> {
        sqlx::query(
            "INSERT INTO distributions (id, group_id, pool_minor, currency, basis, weight_currency, as_of, pay_to, \
             booked_on, transaction_id, created_by, created_at, source_investment_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id)
        .bind(d.group_id)
        .bind(d.pool_minor)
        .bind(d.currency.code())
        .bind(d.basis.as_str())
        .bind(d.weight_currency.map(|c| c.code()))
        .bind(d.as_of)
        .bind(d.pay_to.as_str())
        .bind(d.booked_on)
        .bind(d.transaction_id)
        .bind(d.created_by)
        .bind(d.created_at)
        .bind(d.source_investment_id)
        .execute(&mut **tx)
        .await?;
        for share in &d.shares {
            sqlx::query(
                "INSERT INTO distribution_shares (distribution_id, group_id, member_id, member_name, weight, share_minor, account_code) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(d.group_id)
            .bind(share.member_id)
            .bind(&share.member_name)
            .bind(share.weight)
            .bind(share.share_minor)
            .bind(&share.account_code)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    pub(in crate::store) async fn load_distribution(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        row: &DbRow<B>,
    ) -> Result<Distribution, TxError> {
        let id: Uuid = row.try_get("id")?;
        let shares = sqlx::query(
            "SELECT * FROM distribution_shares WHERE group_id = $1 AND distribution_id = $2 ORDER BY member_id",
        )
        .bind(group_id)
        .bind(id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| {
            Ok(DistributionShare {
                member_id: r.try_get("member_id")?,
                member_name: r.try_get("member_name")?,
                weight: r.try_get("weight")?,
                share_minor: r.try_get("share_minor")?,
                account_code: r.try_get("account_code")?,
            })
        })
        .collect::<Result<Vec<_>, TxError>>()?;
        let weight_currency: Option<String> = row.try_get("weight_currency")?;
        Ok(Distribution {
            id: Some(id),
            group_id,
            pool_minor: row.try_get("pool_minor")?,
            currency: currency_of(&row.try_get::<String, _>("currency")?)?,
            basis: Basis::parse(&row.try_get::<String, _>("basis")?)
                .ok_or_else(|| internal("stored basis"))?,
            source_investment_id: row.try_get("source_investment_id")?,
            weight_currency: weight_currency.as_deref().map(currency_of).transpose()?,
            as_of: row.try_get("as_of")?,
            pay_to: PayTo::parse(&row.try_get::<String, _>("pay_to")?)
                .ok_or_else(|| internal("stored pay_to"))?,
            booked_on: row.try_get("booked_on")?,
            shares,
            transaction_id: row.try_get("transaction_id")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
        })
    }
}
