//! Accounts: opening one, and reading one (by code, by id in gatherings, or as of a date).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::error::{Conflict, LedgerError};
use crate::domain::model::*;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::shared::*;
use crate::store::tx::{Column, read_statement};
use crate::store::{Idempotency, StoreResult, Written};

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
    /// An account as `request` describes it, with a new id and no entries yet.
    pub(in crate::store) fn new_account(group_id: Uuid, request: &NewAccount) -> Account {
        crate::domain::member_event::new_account(group_id, request, recorded_now())
    }

    pub(in crate::store) async fn insert_account(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        request: &NewAccount,
    ) -> Result<Account, TxError> {
        let account = Self::new_account(group_id, request);
        Self::insert_account_row(tx, &account).await?;
        Ok(account)
    }

    /// Opens `account`, with no entries yet (its totals are written as zero).
    pub(in crate::store) async fn insert_account_row(
        tx: &mut Tx<B::Db>,
        account: &Account,
    ) -> Result<(), TxError> {
        sqlx::query(
            "INSERT INTO accounts (id, group_id, code, name, type, currency, no_overdraft, \
             debits_minor, credits_minor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, $8)",
        )
        .bind(account.id)
        .bind(account.group_id)
        .bind(&account.code)
        .bind(&account.name)
        .bind(account.kind.as_str())
        .bind(account.currency.code())
        .bind(account.no_overdraft)
        .bind(account.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    pub(in crate::store) async fn create_account_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        request: &NewAccount,
        idempotency: &Option<Idempotency<'_, Account>>,
    ) -> Result<Result<Written<Account>, LedgerError>, TxError> {
        let group = Self::lock_group(tx, group_id).await?;
        let scope = group_id.to_string();
        if let Some(replay) = Self::claimed_response(tx, &scope, idempotency).await? {
            return Ok(Ok(Written::Replayed(replay)));
        }
        let existing =
            Self::find_account(tx, group_id, &AccountRef::Code(request.code.clone())).await?;
        let outcome = if let Err(closed) = group.refuse_if_closed() {
            Err(closed)
        } else if existing.is_some() {
            Err(LedgerError::conflict(
                Conflict::DuplicateAccountCode,
                format!(
                    "the group already has an account with code {}",
                    request.code
                ),
            ))
        } else {
            Ok(Self::insert_account(tx, group_id, request).await?)
        };
        Self::finish(tx, &scope, idempotency, outcome).await
    }

    /// One account by code, in one statement with its group: no group is a missing
    /// group, a group without the account a missing account. (Reads by id are gathered,
    /// see `drain_account_reads`.)
    pub(in crate::store) async fn account_by_code(
        &self,
        group_id: Uuid,
        code: &str,
    ) -> StoreResult<Account> {
        read_statement!(self, |pool| {
            let query = match code {
                // As in find_account: a code that breaks the code rules names no account.
                code if crate::domain::account::validate_code(code).is_err() => sqlx::query(
                    "SELECT g.id AS found_group, a.* FROM groups g \
                         LEFT JOIN accounts a ON a.group_id = g.id AND 1 = 0 WHERE g.id = $1",
                )
                .bind(group_id),
                code => sqlx::query(
                    "SELECT g.id AS found_group, a.* FROM groups g \
                     LEFT JOIN accounts a ON a.group_id = g.id AND a.code = $2 WHERE g.id = $1",
                )
                .bind(group_id)
                .bind(code.to_string()),
            };
            let row = query
                .fetch_optional(pool)
                .await?
                .ok_or(LedgerError::NotFound("group"))?;
            if row.try_get::<Option<Uuid>, _>("id")?.is_none() {
                return Err(LedgerError::NotFound("account").into());
            }
            Self::account_from_row(&row)
        })
    }

    /// Reads the accounts asked for by id until none is asked for: all that wait, in
    /// one statement (`ROWS_PER_STATEMENT` of them at most). Each read had a task and a
    /// statement of its own, and a balance read is little else, so most of its cost was
    /// the hand-offs between the request's task and the database's connection (a
    /// thread of its own on SQLite, a server process on PostgreSQL). An account found
    /// in its group is the answer. For the others, one more statement reads which of
    /// their groups exist, to tell a missing group from a missing account.
    pub(in crate::store) async fn drain_account_reads(self) {
        while let Some(queued) = self.account_reads.next() {
            match self.read_accounts(&queued).await {
                Ok(answers) => {
                    for (q, answer) in queued.into_iter().zip(answers) {
                        let _ = q.reply.send(answer);
                    }
                }
                Err(e) => {
                    for q in self.account_reads.answered_by(queued, &e) {
                        let _ = q.reply.send(Err(e.clone()));
                    }
                }
            }
        }
    }

    /// The answers to gathered reads of accounts, in their order.
    pub(in crate::store) async fn read_accounts(
        &self,
        queued: &[crate::store::shared::QueuedAccountRead],
    ) -> StoreResult<Vec<StoreResult<Account>>> {
        let mut ids: Vec<Uuid> = queued.iter().map(|q| q.account_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let found: HashMap<Uuid, Account> = read_statement!(self, |pool| {
            let sql = format!(
                "SELECT * FROM accounts WHERE id IN ({})",
                crate::store::shared::parameters(1, ids.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in &ids {
                query = query.bind(*id);
            }
            let mut found = HashMap::with_capacity(ids.len());
            for row in query.fetch_all(pool).await? {
                let account = Self::account_from_row(&row)?;
                found.insert(account.id, account);
            }
            Ok::<_, TxError>(found)
        })?;
        let in_its_group = |q: &crate::store::shared::QueuedAccountRead| {
            found
                .get(&q.account_id)
                .filter(|a| a.group_id == q.group_id)
        };
        let mut missed: Vec<Uuid> = queued
            .iter()
            .filter(|q| in_its_group(q).is_none())
            .map(|q| q.group_id)
            .collect();
        missed.sort_unstable();
        missed.dedup();
        let groups: Vec<Uuid> = if missed.is_empty() {
            Vec::new()
        } else {
            read_statement!(self, |pool| {
                let sql = format!(
                    "SELECT id FROM groups WHERE id IN ({})",
                    crate::store::shared::parameters(1, missed.len())
                );
                let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
                for id in &missed {
                    query = query.bind(*id);
                }
                Ok::<_, TxError>(query.fetch_all(pool).await?)
            })?
        };
        Ok(queued
            .iter()
            .map(|q| match in_its_group(q) {
                Some(account) => Ok(account.clone()),
                None if groups.contains(&q.group_id) => Err(LedgerError::NotFound("account")),
                None => Err(LedgerError::NotFound("group")),
            })
            .collect())
    }

    pub(in crate::store) async fn account_as_of_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        account: &AccountRef,
        as_of: NaiveDate,
    ) -> Result<Account, TxError> {
        Self::read_group(tx, group_id).await?;
        let account = Self::find_account(tx, group_id, account)
            .await?
            .ok_or(LedgerError::NotFound("account"))?;
        let (debits_minor, credits_minor) = Self::totals_on(tx, group_id, &[&account], as_of)
            .await?
            .remove(&account.id)
            .ok_or_else(|| internal("an account's totals on a date"))?;
        Ok(Account {
            debits_minor,
            credits_minor,
            ..account
        })
    }
}
