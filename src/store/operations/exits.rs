//! A member leaving: her balances paid out and her status changed.

use crate::domain::member::MemberStatus;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::account::{AccountType, Direction};
use crate::domain::error::{Conflict, LedgerError};
use crate::domain::model::*;
use crate::domain::operations::*;
use crate::domain::posting::Draft;
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
    pub(in crate::store) async fn exit_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        member_id: Uuid,
        request: &MemberExit,
    ) -> Result<Result<ExitOutcome, LedgerError>, TxError> {
        let group_id = group.id;
        let record = Self::existing_member(tx, group_id, member_id).await?;
        if record.member.status == MemberStatus::Exited {
            return Ok(Err(LedgerError::conflict(
                Conflict::MemberExited,
                "the member has exited the group and was paid out",
            )));
        }
        let position = Self::member_position_in_tx(tx, group, &record).await?;
        let mut draft = Draft::default();
        let mut paid = Vec::new();
        for holding in position.payouts(request.keep_capital) {
            let (account, balance) = (&holding.account, holding.balance_minor);
            let currency = account.currency;
            // The group's own currency is paid through the chosen channel; money held in
            // another currency is held at home, and is paid from the home bank account.
            let (code, label) = if currency == group.currency {
                (
                    request.channel.asset_code(currency),
                    request.channel.as_str(),
                )
            } else {
                (home_bank_code(currency), "home bank")
            };
            let source = refuse_on_err!(
                Self::open_account(
                    tx,
                    group_id,
                    code,
                    &format!("{label} ({currency})"),
                    AccountType::Asset,
                    currency,
                    true,
                    "/channel",
                )
                .await?
            );
            draft.add(account, Direction::Debit, balance);
            draft.add(&source, Direction::Credit, balance);
            paid.push(Payout {
                account_code: account.code.clone(),
                amount_minor: balance,
                currency,
            });
        }
        let mut transaction_id = None;
        if !draft.lines.is_empty() {
            let description = format!(
                "{} {}: balances paid out",
                record.member.name,
                request.status.as_str().replace('_', " ")
            );
            let metadata =
                serde_json::json!({"event": "member_exit", "member_id": member_id.to_string()});
            // The member's balances are paid in full, so only the source the channel
            // chose can run short.
            for state in &mut draft.accounts {
                state.field = Some("/channel");
            }
            let posting = Posting {
                booked_on: request.on,
                description: &description,
                metadata: &metadata,
                lines: &draft.lines,
                accounts: &draft.accounts,
                reverses: None,
                created_by: request.created_by,
            };
            let transaction = match Self::apply_posting(tx, group, posting).await? {
                Ok(t) => t,
                Err(e) => return Ok(Err(e)),
            };
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
        let record = Self::existing_member(tx, group_id, member_id).await?;
        Ok(Ok(ExitOutcome {
            record,
            paid,
            transaction_id,
        }))
    }
}
