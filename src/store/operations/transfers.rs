//! Transfers between the group's own asset accounts, in one currency or two.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::proposals::Entry;
use crate::domain::error::LedgerError;
use crate::domain::model::*;
use crate::domain::operations::*;
use crate::domain::rules::transfer::{self, TransferFacts};
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
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
    /// Loads what a transfer is decided on, decides it (`rules::transfer`), and writes the
    /// transaction and the record.
    pub(in crate::store) async fn transfer_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        request: &NewTransfer,
    ) -> Result<Result<Transfer, LedgerError>, TxError> {
        let group_id = group.id;
        let from = Self::find_account(tx, group_id, &request.from).await?;
        let to = Self::find_account(tx, group_id, &request.to).await?;
        let codes = match (&from, &to) {
            (Some(from), Some(to)) => transfer::standard_codes(from.currency, to.currency),
            _ => Vec::new(),
        };
        let facts = TransferFacts {
            from,
            to,
            standard: Self::standard_accounts(tx, group_id, &codes).await?,
        };
        let id = Uuid::now_v7();
        let decided = refuse_on_err!(transfer::decide(request, &facts, id));
        let entry = Entry {
            booked_on: request.booked_on,
            description: &decided.description,
            metadata: &decided.metadata,
            created_by: request.created_by,
        };
        let transaction =
            refuse_on_err!(Self::post_proposal(tx, group, &decided.proposal, entry).await?);
        let transfer = Transfer {
            id,
            group_id,
            from_code: decided.from_code,
            to_code: decided.to_code,
            amount_minor: decided.amount_minor,
            currency: decided.currency,
            receive_amount_minor: decided.receive_amount_minor,
            receive_currency: decided.receive_currency,
            fee_minor: decided.fee_minor,
            applied_rate: decided.applied_rate,
            mid_market_rate: request.mid_market_rate,
            rate_source: request.rate_source.clone(),
            booked_on: request.booked_on,
            description: decided.description,
            transaction_id: transaction.id,
            reversed_by: None,
            created_by: request.created_by,
            created_at: transaction.recorded_at,
        };
        Self::insert_transfer(tx, &transfer).await?;
        Ok(Ok(transfer))
    }

    /// Keeps the record of a transfer just posted.
    async fn insert_transfer(tx: &mut Tx<B::Db>, transfer: &Transfer) -> Result<(), TxError> {
        sqlx::query(
            "INSERT INTO transfers (id, group_id, from_code, to_code, amount_minor, currency, receive_amount_minor, \
             receive_currency, fee_minor, applied_rate, mid_market_rate, rate_source, booked_on, description, \
             transaction_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(transfer.id)
        .bind(transfer.group_id)
        .bind(&transfer.from_code)
        .bind(&transfer.to_code)
        .bind(transfer.amount_minor)
        .bind(transfer.currency.code())
        .bind(transfer.receive_amount_minor)
        .bind(transfer.receive_currency.code())
        .bind(transfer.fee_minor)
        .bind(transfer.applied_rate.map(|r| r.to_string()))
        .bind(transfer.mid_market_rate.map(|r| r.to_string()))
        .bind(&transfer.rate_source)
        .bind(transfer.booked_on)
        .bind(&transfer.description)
        .bind(transfer.transaction_id)
        .bind(transfer.created_by)
        .bind(transfer.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
