//! Writing what a rule decided: the standard accounts its facts name are read in one go, and
//! its proposal is posted after the accounts it opens on first need are opened.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::error::LedgerError;
use crate::domain::model::{Group, Transaction};
use crate::domain::posting::AccountState;
use crate::domain::rules::{Chosen, Proposal, Standard};
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::shared::{Posting, ROWS_PER_STATEMENT, TxError, parameters};
use crate::store::tx::Column;

/// What a proposal is posted as besides its lines.
pub(in crate::store) struct Entry<'a> {
    pub booked_on: NaiveDate,
    pub description: &'a str,
    pub metadata: &'a serde_json::Value,
    pub created_by: Option<Uuid>,
}

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
    /// The group's accounts with `codes`, by code (a code the group has no account with is
    /// missing), in a statement per `ROWS_PER_STATEMENT` codes.
    pub(in crate::store) async fn standard_accounts(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        codes: &[String],
    ) -> Result<Standard, TxError> {
        let mut found = Standard::with_capacity(codes.len());
        for chunk in codes.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "SELECT * FROM accounts WHERE group_id = $1 AND code IN ({})",
                parameters(2, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(group_id);
            for code in chunk {
                query = query.bind(code.as_str());
            }
            for row in query.fetch_all(&mut **tx).await? {
                let account = Self::account_from_row(&row)?;
                found.insert(account.code.clone(), account);
            }
        }
        Ok(found)
    }

    /// Opens the accounts `proposal` opens on first need, then posts it: the transaction, or
    /// the ledger rule it breaks.
    pub(in crate::store) async fn post_proposal(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        proposal: &Proposal,
        entry: Entry<'_>,
    ) -> Result<Result<Transaction, LedgerError>, TxError> {
        let mut accounts = Vec::with_capacity(proposal.accounts.len());
        for (chosen, field) in proposal.accounts.iter().zip(&proposal.fields) {
            let account = match chosen {
                Chosen::Existing(account) => AccountState::of(account),
                Chosen::ToOpen(request) => {
                    AccountState::of(&Self::insert_account(tx, group.id, request).await?)
                }
            };
            accounts.push(AccountState {
                field: *field,
                ..account
            });
        }
        let posting = Posting {
            booked_on: entry.booked_on,
            description: entry.description,
            metadata: entry.metadata,
            lines: &proposal.lines,
            accounts: &accounts,
            reverses: None,
            created_by: entry.created_by,
        };
        Self::apply_posting(tx, group, posting).await
    }
}
