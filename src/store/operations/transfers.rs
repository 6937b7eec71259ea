//! Transfers between the group's own asset accounts, in one currency or two.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::account::{AccountType, Direction};
use crate::domain::error::{LedgerError, Rule};
use crate::domain::model::*;
use crate::domain::money;
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
    pub(in crate::store) async fn transfer_outcome(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        request: &NewTransfer,
    ) -> Result<Result<Transfer, LedgerError>, TxError> {
        let group_id = group.id;
        let Some(from) = Self::find_account(tx, group_id, &request.from).await? else {
            return Ok(Err(LedgerError::rule(
                Rule::UnknownAccount,
                Some("/from".into()),
                "the group has no such account",
            )));
        };
        let Some(to) = Self::find_account(tx, group_id, &request.to).await? else {
            return Ok(Err(LedgerError::rule(
                Rule::UnknownAccount,
                Some("/to".into()),
                "the group has no such account",
            )));
        };
        for (account, pointer) in [(&from, "/from"), (&to, "/to")] {
            if account.kind != AccountType::Asset {
                return Ok(Err(LedgerError::rule(
                    Rule::AccountKind,
                    Some(pointer.into()),
                    format!(
                        "{} is a {} account; transfers move money between asset accounts",
                        account.code,
                        account.kind.as_str()
                    ),
                )));
            }
        }
        if from.id == to.id {
            return Ok(Err(LedgerError::invalid(
                "/to",
                "must be another account than `from`",
            )));
        }
        let send = from.currency;
        let receive = to.currency;
        let amount = refuse_on_err!(positive_amount(&request.amount, send, "/amount"));
        let received = match &request.receive_amount {
            Some(text) => refuse_on_err!(positive_amount(text, receive, "/receive_amount")),
            None if send == receive => amount,
            None => {
                return Ok(Err(LedgerError::invalid(
                    "/receive_amount",
                    format!("is required when sending {send} to an account in {receive}"),
                )));
            }
        };
        let fee = match &request.fee {
            None => 0,
            // Amounts carry no sign, so a fee is never negative.
            Some(text) => match money::parse_amount(text, send) {
                Ok(minor) => minor,
                Err(e) => return Ok(Err(LedgerError::invalid("/fee", format!("amount {e}")))),
            },
        };
        if send == receive {
            let given = [
                (request.applied_rate, "/applied_rate"),
                (request.mid_market_rate, "/mid_market_rate"),
            ];
            if let Some((_, pointer)) = given.iter().find(|(rate, _)| rate.is_some()) {
                return Ok(Err(LedgerError::invalid(
                    *pointer,
                    "rates apply only between two currencies",
                )));
            }
        }
        let mut draft = Draft::default();
        draft.add(&to, Direction::Debit, received);
        let applied_rate = if send == receive {
            // What arrives may differ from what left (bank charges at the far end,
            // rounding): the difference is an FX gain or loss.
            if received < amount {
                let loss = refuse_on_err!(
                    Self::open_account(
                        tx,
                        group_id,
                        fx_loss_code(send),
                        &format!("FX loss ({send})"),
                        AccountType::Expense,
                        send,
                        true,
                        "/receive_amount"
                    )
                    .await?
                );
                draft.add(&loss, Direction::Debit, amount - received);
            } else if received > amount {
                let gain = refuse_on_err!(
                    Self::open_account(
                        tx,
                        group_id,
                        fx_gain_code(send),
                        &format!("FX gain ({send})"),
                        AccountType::Income,
                        send,
                        true,
                        "/receive_amount"
                    )
                    .await?
                );
                draft.add(&gain, Direction::Credit, received - amount);
            }
            None
        } else {
            let fx_receive = refuse_on_err!(
                Self::open_account(
                    tx,
                    group_id,
                    fx_code(receive),
                    &format!("FX clearing ({receive})"),
                    AccountType::Asset,
                    receive,
                    false,
                    "/to"
                )
                .await?
            );
            let fx_send = refuse_on_err!(
                Self::open_account(
                    tx,
                    group_id,
                    fx_code(send),
                    &format!("FX clearing ({send})"),
                    AccountType::Asset,
                    send,
                    false,
                    "/from"
                )
                .await?
            );
            draft.add(&fx_receive, Direction::Credit, received);
            draft.add(&fx_send, Direction::Debit, amount);
            let rate = request
                .applied_rate
                .unwrap_or_else(|| derived_rate(amount, send, received, receive));
            let terms = ConversionTerms {
                send_minor: amount,
                send_currency: send,
                receive_minor: received,
                receive_currency: receive,
                fee_minor: fee,
                applied_rate: rate,
                mid_market_rate: request.mid_market_rate,
            };
            let fields = ConversionFields {
                send: "/amount",
                receive: "/receive_amount",
                fee: "/fee",
                applied_rate: request.applied_rate.map(|_| "/applied_rate"),
                mid_market_rate: "/mid_market_rate",
            };
            refuse_on_err!(terms.check(fields));
            Some(rate)
        };
        if fee > 0 {
            let fees = refuse_on_err!(
                Self::open_account(
                    tx,
                    group_id,
                    fees_code(send),
                    &format!("Fees ({send})"),
                    AccountType::Expense,
                    send,
                    true,
                    "/fee"
                )
                .await?
            );
            draft.add(&fees, Direction::Debit, fee);
        }
        let Some(outgoing) = amount.checked_add(fee) else {
            return Ok(Err(LedgerError::rule(
                Rule::Overflow,
                Some("/fee".into()),
                "the amount and fee together are too large",
            )));
        };
        draft.add(&from, Direction::Credit, outgoing);
        let id = Uuid::now_v7();
        let description = request
            .description
            .clone()
            .unwrap_or_else(|| format!("Transfer from {} to {}", from.code, to.code));
        let mut metadata = serde_json::json!({"event": "transfer", "event_id": id.to_string()});
        if let Some(rate) = applied_rate {
            metadata["applied_rate"] = serde_json::Value::String(rate.to_string());
        }
        if let Some(mid) = request.mid_market_rate {
            metadata["mid_market_rate"] = serde_json::Value::String(mid.to_string());
        }
        // A transfer that would overdraw any of its accounts asks for too much.
        for state in &mut draft.accounts {
            state.field = Some("/amount");
        }
        let posting = Posting {
            booked_on: request.booked_on,
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
        let transfer = Transfer {
            id,
            group_id,
            from_code: from.code.clone(),
            to_code: to.code.clone(),
            amount_minor: amount,
            currency: send,
            receive_amount_minor: received,
            receive_currency: receive,
            fee_minor: fee,
            applied_rate,
            mid_market_rate: request.mid_market_rate,
            rate_source: request.rate_source.clone(),
            booked_on: request.booked_on,
            description,
            transaction_id: transaction.id,
            reversed_by: None,
            created_by: request.created_by,
            created_at: transaction.recorded_at,
        };
        sqlx::query(
            "INSERT INTO transfers (id, group_id, from_code, to_code, amount_minor, currency, receive_amount_minor, \
             receive_currency, fee_minor, applied_rate, mid_market_rate, rate_source, booked_on, description, \
             transaction_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(id)
        .bind(group_id)
        .bind(&transfer.from_code)
        .bind(&transfer.to_code)
        .bind(amount)
        .bind(send.code())
        .bind(received)
        .bind(receive.code())
        .bind(fee)
        .bind(applied_rate.map(|r| r.to_string()))
        .bind(request.mid_market_rate.map(|r| r.to_string()))
        .bind(&request.rate_source)
        .bind(request.booked_on)
        .bind(&transfer.description)
        .bind(transaction.id)
        .bind(request.created_by)
        .bind(transfer.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(Ok(transfer))
    }
}
