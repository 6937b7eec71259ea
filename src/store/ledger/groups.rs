//! Groups: creating one (with its standard chart if asked) and closing a period.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::error::{Conflict, LedgerError};
use crate::domain::hash::GENESIS_HASH;
use crate::domain::model::*;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::shared::*;
use crate::store::tx::{Column, refuse_on_err};
use crate::store::{GROUPS_SCOPE, Idempotency, Written};

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
    pub(in crate::store) async fn create_group_in_tx(
        tx: &mut Tx<B::Db>,
        request: &NewGroup,
        idempotency: &Option<Idempotency<'_, Group>>,
    ) -> Result<Result<Written<Group>, LedgerError>, TxError> {
        if let Some(replay) = Self::claimed_response(tx, GROUPS_SCOPE, idempotency).await? {
            return Ok(Ok(Written::Replayed(replay)));
        }
        let group = Group {
            id: Uuid::now_v7(),
            name: request.name.clone(),
            currency: request.currency,
            host_country: request.host_country.clone(),
            home_country: request.home_country.clone(),
            created_at: recorded_now(),
            closed_through: None,
            head_sequence: 0,
            head_hash: GENESIS_HASH.to_string(),
            profile: crate::domain::operations::GroupProfile {
                status: crate::domain::operations::GroupStatus::Provisional,
                status_on: None,
                accredited_on: None,
                distribution_basis: crate::domain::operations::Basis::Savings,
                time_zone: request.time_zone,
            },
        };
        sqlx::query(
            "INSERT INTO groups (id, name, currency, host_country, home_country, created_at, \
             closed_through, head_sequence, head_hash, time_zone) VALUES ($1, $2, $3, $4, $5, $6, NULL, 0, $7, $8)",
        )
        .bind(group.id)
        .bind(&group.name)
        .bind(group.currency.code())
        .bind(&group.host_country)
        .bind(&group.home_country)
        .bind(group.created_at)
        .bind(&group.head_hash)
        .bind(group.profile.time_zone.name())
        .execute(&mut **tx)
        .await?;
        if request.standard_chart {
            for (code, name, kind, no_overdraft) in
                crate::domain::operations::standard_chart(group.currency)
            {
                let account = NewAccount {
                    code,
                    name,
                    kind,
                    currency: group.currency,
                    no_overdraft,
                };
                Self::insert_account(tx, group.id, &account).await?;
            }
        }
        Self::finish(tx, GROUPS_SCOPE, idempotency, Ok(group)).await
    }

    pub(in crate::store) async fn close_period_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        through: NaiveDate,
        fx_rates: &[crate::domain::fx::FxRate],
        idempotency: &Option<Idempotency<'_, PeriodClose>>,
    ) -> Result<Result<Written<PeriodClose>, LedgerError>, TxError> {
        let mut group = Self::lock_group(tx, group_id).await?;
        let scope = group_id.to_string();
        if let Some(replay) = Self::claimed_response(tx, &scope, idempotency).await? {
            return Ok(Ok(Written::Replayed(replay)));
        }
        let outcome = Self::period_close_outcome(tx, &mut group, through, fx_rates).await?;
        Self::finish(tx, &scope, idempotency, outcome).await
    }

    /// Closes the locked `group`'s books through `through`: the FX positions revalued at the
    /// rates given, then income and expense moved into undistributed surplus. Refused when
    /// the group is closed or the period is closed already.
    pub(in crate::store) async fn period_close_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        through: NaiveDate,
        fx_rates: &[crate::domain::fx::FxRate],
    ) -> Result<Result<PeriodClose, LedgerError>, TxError> {
        refuse_on_err!(group.refuse_if_closed());
        if let Some(closed) = group.closed_through.filter(|closed| through <= *closed) {
            return Ok(Err(LedgerError::conflict(
                Conflict::PeriodAlreadyClosed,
                format!("the ledger is already closed through {closed}"),
            )));
        }
        let revaluations = refuse_on_err!(Self::revalue_fx(tx, group, through, fx_rates).await?);
        let closing_transaction_id =
            refuse_on_err!(Self::closing_entries(tx, group, through).await?);
        let close = PeriodClose {
            group_id: group.id,
            through,
            closed_at: recorded_now(),
            closing_transaction_id,
            revaluations,
        };
        sqlx::query(
            "INSERT INTO period_closes (group_id, through, closed_at, closing_transaction_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(group.id)
        .bind(through)
        .bind(close.closed_at)
        .bind(close.closing_transaction_id)
        .execute(&mut **tx)
        .await?;
        sqlx::query("UPDATE groups SET closed_through = $1 WHERE id = $2")
            .bind(through)
            .bind(group.id)
            .execute(&mut **tx)
            .await?;
        group.closed_through = Some(through);
        Ok(Ok(close))
    }
}
