//! A member leaving: her balances paid out and her status changed.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::proposals::Entry;
use crate::domain::error::LedgerError;
use crate::domain::model::*;
use crate::domain::operations::*;
use crate::domain::rules::exit::{self, ExitFacts};
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
    /// Loads what a member's exit is decided on, decides it (`rules::exit`), and writes the
    /// payout and her new status.
    pub(in crate::store) async fn exit_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        member_id: Uuid,
        request: &MemberExit,
    ) -> Result<Result<ExitOutcome, LedgerError>, TxError> {
        let group_id = group.id;
        let record = Self::existing_member(tx, group_id, member_id).await?;
        let position = Self::member_position_in_tx(tx, group, &record).await?;
        let codes = exit::standard_codes(group.currency, &position, request);
        let facts = ExitFacts {
            group_currency: group.currency,
            record,
            position,
            standard: Self::standard_accounts(tx, group_id, &codes).await?,
        };
        let decided = refuse_on_err!(exit::decide(request, member_id, &facts));
        let mut transaction_id = None;
        if let Some((proposal, description, metadata)) = &decided.posting {
            let entry = Entry {
                booked_on: request.on,
                description,
                metadata,
                created_by: request.created_by,
            };
            let transaction =
                refuse_on_err!(Self::post_proposal(tx, group, proposal, entry).await?);
            transaction_id = Some(transaction.id);
        }
        sqlx::query(
            "UPDATE members SET status = $1, status_on = $2 WHERE group_id = $3 AND id = $4",
        )
        .bind(request.status.as_str())
        .bind(request.on)
        .bind(group_id)
        .bind(member_id)
        .execute(&mut **tx)
        .await?;
        let before = facts.record.member;
        let record = Self::existing_member(tx, group_id, member_id).await?;
        let reopen = crate::domain::closings::reopened_by(Some(&before), &record.member);
        Self::reopen_group(tx, group_id, reopen).await?;
        Ok(Ok(ExitOutcome {
            record,
            paid: decided.paid,
            transaction_id,
        }))
    }
}
