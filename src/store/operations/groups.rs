//! The group's status and profile, and the accounts and balances the operations read.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::error::{Conflict, LedgerError};
use crate::domain::model::*;
use crate::domain::operations::*;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::shared::*;
use crate::store::tx::Column;

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
    pub(in crate::store) async fn update_group_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        update: &GroupUpdate,
    ) -> Result<Result<Group, LedgerError>, TxError> {
        let group = Self::lock_group(tx, group_id).await?;
        let mut profile = group.profile.clone();
        if let Some((status, on)) = update.status {
            if status != profile.status && !profile.status.may_become(status) {
                return Err(LedgerError::conflict(
                    Conflict::StatusTransition,
                    format!(
                        "a {} group cannot become {}",
                        profile.status.as_str(),
                        status.as_str()
                    ),
                )
                .into());
            }
            if status != profile.status {
                profile.status = status;
                profile.status_on = Some(on);
                if status == GroupStatus::Accredited && profile.accredited_on.is_none() {
                    profile.accredited_on = Some(on);
                }
            }
        }
        if let Some(basis) = update.distribution_basis {
            profile.distribution_basis = basis;
        }
        if let Some(zone) = update.time_zone {
            profile.time_zone = zone;
        }
        if profile != group.profile {
            group.refuse_if_closed()?;
        }
        sqlx::query(
            "UPDATE groups SET status = $1, status_on = $2, accredited_on = $3, distribution_basis = $4, \
             time_zone = $5 WHERE id = $6",
        )
        .bind(profile.status.as_str())
        .bind(profile.status_on)
        .bind(profile.accredited_on)
        .bind(profile.distribution_basis.as_str())
        .bind(profile.time_zone.name())
        .bind(group_id)
        .execute(&mut **tx)
        .await?;
        Ok(Ok(Group { profile, ..group }))
    }

    /// The account's balance on its normal side as of `as_of` (its whole history without
    /// one).
    pub(in crate::store) async fn balance_as_of(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        account: &Account,
        as_of: Option<NaiveDate>,
    ) -> Result<i64, TxError> {
        Self::balances_as_of(tx, group_id, &[account], as_of)
            .await?
            .remove(&account.id)
            .ok_or_else(|| internal("an account's balance on a date"))
    }

    /// Each of `accounts`' balance on its normal side as of `as_of` (its whole history
    /// without one), by account id: the stored totals, or on a date the month-end balances
    /// and entries `totals_on` reads.
    pub(in crate::store) async fn balances_as_of(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        accounts: &[&Account],
        as_of: Option<NaiveDate>,
    ) -> Result<HashMap<Uuid, i64>, TxError> {
        let totals = match as_of {
            Some(on) => Self::totals_on(tx, group_id, accounts, on).await?,
            None => accounts
                .iter()
                .map(|a| (a.id, (a.debits_minor, a.credits_minor)))
                .collect(),
        };
        let mut balances = HashMap::with_capacity(accounts.len());
        for account in accounts {
            let (debits, credits) = totals.get(&account.id).copied().unwrap_or((0, 0));
            let balance = crate::domain::account::normal_balance(account.kind, debits, credits)
                .ok_or_else(|| internal("an account's balance is out of range"))?;
            balances.insert(account.id, balance);
        }
        Ok(balances)
    }
}
