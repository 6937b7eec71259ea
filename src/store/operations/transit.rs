//! Remittances in transit: recording one, completing or failing it, and listing those still
//! on their way. Completing or failing loads the remittance and the member's accounts, lets
//! `rules::remittance_transit` decide, and writes the transaction and the settlement, all
//! under the group's lock, so a remittance is settled once.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::proposals::Entry;
use crate::domain::error::LedgerError;
use crate::domain::model::*;
use crate::domain::operations::*;
use crate::domain::rules::remittance::Destination;
use crate::domain::rules::remittance_transit::{self, Settled, TransitFacts};
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::shared::*;
use crate::store::transit::TransitStore;
use crate::store::tx::{Column, guarded_write, read_tx, refuse_on_err, write_tx};
use crate::store::{Idempotency, StoreResult, Written};

/// How a settlement is decided, once its facts are loaded.
type Decide<'r> = Box<dyn FnOnce(&TransitFacts) -> Result<Settled, LedgerError> + Send + 'r>;

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
    /// The group's remittance with this id, with its settlement, if the group has it.
    pub(in crate::store) async fn remittance_by_id(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        remittance_id: Uuid,
    ) -> Result<Option<Remittance>, TxError> {
        let row = sqlx::query(const_format::concatcp!(
            super::remittances::REMITTANCE_SELECT,
            " WHERE x.group_id = $1 AND x.id = $2"
        ))
        .bind(group_id)
        .bind(remittance_id)
        .fetch_optional(&mut **tx)
        .await?;
        row.as_ref().map(Self::remittance_from_row).transpose()
    }

    /// Loads what completing or failing the remittance is decided on, decides it with
    /// `decide`, and writes its transaction (if any) booked on `booked_on` and the
    /// settlement; answers the remittance as it now stands.
    async fn settlement_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        remittance_id: Uuid,
        booked_on: NaiveDate,
        created_by: Option<Uuid>,
        decide: Decide<'_>,
    ) -> Result<Result<Remittance, LedgerError>, TxError> {
        let group_id = group.id;
        let Some(remittance) = Self::remittance_by_id(tx, group_id, remittance_id).await? else {
            return Ok(Err(LedgerError::NotFound("remittance")));
        };
        let record = Self::load_member(tx, group_id, remittance.details.member_id).await?;
        let codes = remittance_transit::standard_codes(
            remittance.details.receive_currency,
            record.as_ref().map(|r| r.savings.currency),
        );
        let facts = TransitFacts {
            remittance,
            record,
            standard: Self::standard_accounts(tx, group_id, &codes).await?,
        };
        let settled = refuse_on_err!(decide(&facts));
        let mut transaction_id = None;
        let mut created_at = recorded_now();
        if let Some(proposal) = &settled.proposal {
            let entry = Entry {
                booked_on,
                description: &settled.description,
                metadata: &settled.metadata,
                created_by,
            };
            let transaction =
                refuse_on_err!(Self::post_proposal(tx, group, proposal, entry).await?);
            transaction_id = Some(transaction.id);
            created_at = transaction.recorded_at;
        }
        let settlement = Settlement {
            outcome: settled.outcome,
            booked_on,
            fee_kept_minor: settled.fee_kept_minor,
            expected_receive_minor: None,
            transaction_id,
            created_by,
            created_at,
        };
        Self::insert_settlement(tx, &facts.remittance, &settled.details, &settlement).await?;
        let now = Self::remittance_by_id(tx, group_id, remittance_id)
            .await?
            .ok_or_else(|| internal("a remittance just settled"))?;
        Ok(Ok(now))
    }

    /// Keeps how a remittance ended: the figures it keeps from now on, and the settlement.
    async fn insert_settlement(
        tx: &mut Tx<B::Db>,
        remittance: &Remittance,
        details: &RemittanceDetails,
        settlement: &Settlement,
    ) -> Result<(), TxError> {
        let uses: Vec<serde_json::Value> = details
            .uses
            .iter()
            .map(|u| serde_json::json!({"purpose": u.purpose.as_str(), "amount_minor": u.amount_minor}))
            .collect();
        sqlx::query(
            "INSERT INTO remittance_settlements (remittance_id, group_id, outcome, receive_amount_minor, \
             fee_minor, applied_rate, rate_derived, mid_market_rate, uses, fee_kept_minor, booked_on, \
             transaction_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(remittance.id)
        .bind(remittance.group_id)
        .bind(settlement.outcome.as_str())
        .bind(details.receive_amount_minor)
        .bind(details.fee_minor)
        .bind(details.applied_rate.to_string())
        .bind(details.rate_derived)
        .bind(details.mid_market_rate.map(|r| r.to_string()))
        .bind(serde_json::Value::Array(uses).to_string())
        .bind(settlement.fee_kept_minor)
        .bind(settlement.booked_on)
        .bind(settlement.transaction_id)
        .bind(settlement.created_by)
        .bind(settlement.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn in_transit_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        sent_before: Option<NaiveDate>,
        limit: u32,
    ) -> Result<Vec<Remittance>, TxError> {
        let rows = sqlx::query(const_format::concatcp!(
            super::remittances::REMITTANCE_SELECT,
            " WHERE x.group_id = $1 AND x.in_transit AND s.remittance_id IS NULL \
             AND x.booked_on < COALESCE($2, '9999-12-31') AND ",
            NOT_REVERSED,
            " ORDER BY x.booked_on, x.id LIMIT $3"
        ))
        .bind(group_id)
        .bind(sent_before)
        .bind(i64::from(limit))
        .fetch_all(&mut **tx)
        .await?;
        rows.iter().map(Self::remittance_from_row).collect()
    }
}

#[async_trait]
impl<B: Backend> TransitStore for Ledger<B>
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
    async fn record_remittance_in_transit(
        &self,
        group_id: Uuid,
        details: RemittanceDetails,
        created_by: Option<Uuid>,
        idempotency: Option<Idempotency<'_, Remittance>>,
    ) -> StoreResult<Written<Remittance>> {
        write_tx!(self, |tx| {
            let tx = &mut tx;
            async {
                guarded_write!(tx, group_id, &idempotency, |group| {
                    Self::remittance_outcome_to(
                        tx,
                        &mut group,
                        &details,
                        created_by,
                        Destination::InTransit,
                    )
                    .await?
                })
            }
            .await
        })
    }

    async fn complete_remittance(
        &self,
        group_id: Uuid,
        remittance_id: Uuid,
        request: CompletionRequest,
        created_by: Option<Uuid>,
        idempotency: Option<Idempotency<'_, Remittance>>,
    ) -> StoreResult<Written<Remittance>> {
        write_tx!(self, |tx| {
            let tx = &mut tx;
            async {
                guarded_write!(tx, group_id, &idempotency, |group| {
                    let request = &request;
                    Self::settlement_outcome(
                        tx,
                        &mut group,
                        remittance_id,
                        request.booked_on,
                        created_by,
                        Box::new(move |facts| remittance_transit::complete(request, facts)),
                    )
                    .await?
                })
            }
            .await
        })
    }

    async fn fail_remittance(
        &self,
        group_id: Uuid,
        remittance_id: Uuid,
        request: FailureRequest,
        created_by: Option<Uuid>,
        idempotency: Option<Idempotency<'_, Remittance>>,
    ) -> StoreResult<Written<Remittance>> {
        write_tx!(self, |tx| {
            let tx = &mut tx;
            async {
                guarded_write!(tx, group_id, &idempotency, |group| {
                    let request = &request;
                    Self::settlement_outcome(
                        tx,
                        &mut group,
                        remittance_id,
                        request.booked_on,
                        created_by,
                        Box::new(move |facts| remittance_transit::fail(request, facts)),
                    )
                    .await?
                })
            }
            .await
        })
    }

    async fn remittances_in_transit(
        &self,
        group_id: Uuid,
        sent_before: Option<NaiveDate>,
        limit: u32,
    ) -> StoreResult<Vec<Remittance>> {
        read_tx!(self, |tx| {
            let result: Result<Vec<Remittance>, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                Self::in_transit_in_tx(&mut tx, group_id, sent_before, limit).await
            }
            .await;
            result
        })
    }
}
