//! What the ledger shows: an account's statement, the trial balance, the list of
//! transactions.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::account::Direction;
use crate::domain::error::LedgerError;
use crate::domain::model::*;
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
    pub(in crate::store) async fn statement_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        account: &AccountRef,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Statement, TxError> {
        Self::read_group(tx, group_id).await?;
        let account = Self::find_account(tx, group_id, account)
            .await?
            .ok_or(LedgerError::NotFound("account"))?;
        let normal = account.kind.normal_side();
        let signed = |direction: Direction, amount: i64| -> Option<i64> {
            if direction == normal {
                Some(amount)
            } else {
                amount.checked_neg()
            }
        };
        // What the account held at the end of the day before the period.
        let opening_minor = match from.and_then(|from| from.pred_opt()) {
            None => 0,
            Some(before) => Self::balances_as_of(tx, group_id, &[&account], Some(before))
                .await?
                .remove(&account.id)
                .ok_or_else(|| internal("opening balance"))?,
        };
        let read = B::statement_lines(tx, account.id, from, to, group_id).await?;
        let mut balance = opening_minor;
        let mut lines = Vec::with_capacity(read.len());
        for line in read {
            let direction =
                Direction::parse(&line.direction).ok_or_else(|| internal("stored direction"))?;
            balance = signed(direction, line.amount_minor)
                .and_then(|s| balance.checked_add(s))
                .ok_or_else(|| internal("running balance overflow"))?;
            lines.push(StatementLine {
                transaction_id: line.transaction_id,
                sequence: line.sequence,
                booked_on: line.booked_on,
                description: line.description,
                direction,
                amount_minor: line.amount_minor,
                balance_minor: balance,
            });
        }
        Ok(Statement {
            account,
            from,
            to,
            opening_minor,
            lines,
            closing_minor: balance,
        })
    }

    pub(in crate::store) async fn trial_balance_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        as_of: Option<NaiveDate>,
    ) -> Result<TrialBalance, TxError> {
        Self::read_group(tx, group_id).await?;
        let rows = sqlx::query("SELECT * FROM accounts WHERE group_id = $1 ORDER BY code")
            .bind(group_id)
            .fetch_all(&mut **tx)
            .await?;
        let accounts = rows
            .iter()
            .map(Self::account_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let sums: HashMap<Uuid, (i64, i64)> = match as_of {
            Some(on) => {
                let all: Vec<&Account> = accounts.iter().collect();
                Self::totals_on(tx, group_id, &all, on).await?
            }
            None => HashMap::new(),
        };
        let lines = accounts
            .into_iter()
            .map(|account| {
                let (debits_minor, credits_minor) = match as_of {
                    None => (account.debits_minor, account.credits_minor),
                    Some(_) => sums.get(&account.id).copied().unwrap_or((0, 0)),
                };
                TrialBalanceLine {
                    account,
                    debits_minor,
                    credits_minor,
                }
            })
            .collect();
        Ok(TrialBalance { as_of, lines })
    }

    pub(in crate::store) async fn list_transactions_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        query: &TransactionQuery,
    ) -> Result<Page<Transaction>, TxError> {
        Self::read_group(tx, group_id).await?;
        let account_id = match &query.account {
            None => None,
            Some(account) => Some(
                Self::find_account(tx, group_id, account)
                    .await?
                    .ok_or(LedgerError::NotFound("account"))?
                    .id,
            ),
        };
        let sql = const_format::concatcp!(
            "SELECT ",
            crate::store::shared::TRANSACTION_COLUMNS,
            " FROM transactions t WHERE t.group_id = $1 AND t.sequence > $2 \
             AND t.booked_on >= COALESCE($3, '0001-01-01') AND t.booked_on <= COALESCE($4, '9999-12-31') \
             AND ($5 IS NULL OR EXISTS (SELECT 1 FROM entries e WHERE e.transaction_id = t.id AND e.account_id = $5)) \
             ORDER BY t.sequence LIMIT $6"
        );
        let rows = sqlx::query(sql)
            .bind(group_id)
            .bind(query.after_sequence)
            .bind(query.from)
            .bind(query.to)
            .bind(account_id)
            .bind(i64::from(query.limit) + 1)
            .fetch_all(&mut **tx)
            .await?;
        let mut items = rows
            .iter()
            .map(Self::transaction_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let more = items.len() > query.limit as usize;
        items.truncate(query.limit as usize);
        Self::attach_entries(tx, group_id, &mut items).await?;
        Ok(Page {
            items,
            has_more: more,
        })
    }
}
