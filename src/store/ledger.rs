//! The ledger: groups, accounts, postings and their hash chain, reversals, statements,
//! verification and exports, written once for both backends over `Backend`.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use super::backend::{Backend, DbRow, Ledger, Tx};
use super::shared::*;
use super::tx::{Column, read_statement, read_tx, write_tx};
use crate::domain::account::{AccountType, Direction};
use crate::domain::error::{Conflict, LedgerError, Rule};
use crate::domain::hash::{self, GENESIS_HASH, HashEntry, HashInput};
use crate::domain::model::*;
use crate::domain::money::{self, Currency};
use crate::domain::posting::{self, AccountState, Line};
use crate::store::{GROUPS_SCOPE, Idempotency, Store, StoreResult, StoredResponse, Written};

pub(super) fn currency_of(text: &str) -> Result<Currency, TxError> {
    Currency::parse(text).map_err(|_| internal(format!("stored currency {text:?} is not valid")))
}

/// Write statements sent to the database in one round trip: separated by semicolons
/// on SQLite, which runs them one after the other, and as the data-modifying parts of
/// one `WITH` statement on PostgreSQL (`B::WRITES_AS_CTES`), whose protocol
/// takes one statement with parameters at a time. Parameters are numbered across the
/// whole script; past MAX_SCRIPT_PARAMETERS the script so far is sent and a new one
/// begun, which keeps every statement within what either database allows.
pub(super) struct WriteScript<B: Backend> {
    builder: sqlx::QueryBuilder<B::Db>,
    statements: usize,
    parameters: usize,
}

impl<B: Backend> WriteScript<B>
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
    pub(super) fn new() -> Self {
        WriteScript {
            builder: sqlx::QueryBuilder::new(""),
            statements: 0,
            parameters: 0,
        }
    }

    /// Starts the next statement, sending what is there first if it is long enough.
    pub(super) async fn statement(&mut self, tx: &mut Tx<B::Db>) -> Result<(), TxError> {
        if self.parameters >= crate::store::shared::MAX_SCRIPT_PARAMETERS {
            self.send(tx).await?;
        }
        let n = self.statements;
        if B::WRITES_AS_CTES {
            if n == 0 {
                self.builder.push("WITH w0 AS (");
            } else {
                self.builder.push(format!("), w{n} AS ("));
            }
        } else if n > 0 {
            self.builder.push("; ");
        }
        self.statements += 1;
        Ok(())
    }

    pub(super) fn push(&mut self, sql: &str) -> &mut Self {
        self.builder.push(sql);
        self
    }

    pub(super) fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: for<'q> sqlx::Encode<'q, B::Db> + sqlx::Type<B::Db>,
    {
        self.builder.push_bind(value);
        self.parameters += 1;
        self
    }

    /// Adds audit events, ROWS_PER_STATEMENT to a statement.
    pub(super) async fn audit_events<E: std::borrow::Borrow<crate::domain::access::AuditEvent>>(
        &mut self,
        tx: &mut Tx<B::Db>,
        events: &[E],
    ) -> Result<(), TxError> {
        for chunk in events.chunks(crate::store::shared::ROWS_PER_STATEMENT) {
            self.statement(tx).await?;
            self.push(
                "INSERT INTO audit_events (id, occurred_at, user_id, username, group_id, method, route, \
                 path, status, idempotency_key, request_id, created_ids, client_addr) VALUES ",
            );
            for (n, event) in chunk.iter().enumerate() {
                let event = event.borrow();
                let created = serde_json::to_string(&event.created_ids).map_err(internal)?;
                self.push(if n == 0 { "(" } else { ", (" });
                self.bind(event.id)
                    .push(", ")
                    .bind(event.occurred_at)
                    .push(", ");
                self.bind(event.user_id)
                    .push(", ")
                    .bind(event.username.clone())
                    .push(", ");
                self.bind(event.group_id)
                    .push(", ")
                    .bind(event.method.clone())
                    .push(", ");
                self.bind(event.route.clone())
                    .push(", ")
                    .bind(event.path.clone())
                    .push(", ");
                self.bind(i32::from(event.status))
                    .push(", ")
                    .bind(event.idempotency_key.clone())
                    .push(", ");
                self.bind(event.request_id.clone())
                    .push(", ")
                    .bind(created)
                    .push(", ");
                self.bind(event.client_addr.clone()).push(")");
            }
        }
        Ok(())
    }

    /// Sends the statements begun so far, if any.
    pub(super) async fn send(&mut self, tx: &mut Tx<B::Db>) -> Result<(), TxError> {
        if self.statements == 0 {
            return Ok(());
        }
        if B::WRITES_AS_CTES {
            self.builder.push(") SELECT 1");
        }
        // Not kept among the prepared statements: scripts differ with every number of
        // rows, and each connection would keep a compiled copy of every shape it met.
        self.builder
            .build()
            .persistent(false)
            .execute(&mut **tx)
            .await?;
        *self = WriteScript::new();
        Ok(())
    }
}

const ENTRY_COLUMNS: &str = "SELECT e.transaction_id, e.line, e.account_id, a.code, \
    e.direction, e.amount_minor, e.currency, e.sequence \
    FROM entries e JOIN accounts a ON a.id = e.account_id";

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
    pub(super) fn group_from_row(row: &DbRow<B>) -> Result<Group, TxError> {
        Ok(Group {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            currency: currency_of(&row.try_get::<String, _>("currency")?)?,
            host_country: row.try_get("host_country")?,
            home_country: row.try_get("home_country")?,
            created_at: row.try_get("created_at")?,
            closed_through: row.try_get("closed_through")?,
            head_sequence: row.try_get("head_sequence")?,
            head_hash: row.try_get("head_hash")?,
            profile: crate::domain::operations::GroupProfile {
                status: crate::domain::operations::GroupStatus::parse(
                    &row.try_get::<String, _>("status")?,
                )
                .ok_or_else(|| internal("stored group status"))?,
                status_on: row.try_get("status_on")?,
                accredited_on: row.try_get("accredited_on")?,
                distribution_basis: crate::domain::operations::Basis::parse(
                    &row.try_get::<String, _>("distribution_basis")?,
                )
                .ok_or_else(|| internal("stored distribution basis"))?,
                time_zone: crate::domain::dates::parse_time_zone(
                    &row.try_get::<String, _>("time_zone")?,
                )
                .ok_or_else(|| internal("stored time zone"))?,
            },
        })
    }

    pub(super) fn account_from_row(row: &DbRow<B>) -> Result<Account, TxError> {
        let kind: String = row.try_get("type")?;
        Ok(Account {
            id: row.try_get("id")?,
            group_id: row.try_get("group_id")?,
            code: row.try_get("code")?,
            name: row.try_get("name")?,
            kind: AccountType::parse(&kind).ok_or_else(|| internal("stored account type"))?,
            currency: currency_of(&row.try_get::<String, _>("currency")?)?,
            no_overdraft: row.try_get("no_overdraft")?,
            debits_minor: row.try_get("debits_minor")?,
            credits_minor: row.try_get("credits_minor")?,
            created_at: row.try_get("created_at")?,
        })
    }

    pub(super) fn transaction_from_row(row: &DbRow<B>) -> Result<Transaction, TxError> {
        let metadata: String = row.try_get("metadata")?;
        Ok(Transaction {
            id: row.try_get("id")?,
            group_id: row.try_get("group_id")?,
            sequence: row.try_get("sequence")?,
            booked_on: row.try_get("booked_on")?,
            recorded_at: row.try_get("recorded_at")?,
            description: row.try_get("description")?,
            metadata: serde_json::from_str(&metadata).map_err(internal)?,
            entries: Vec::new(),
            reverses: row.try_get("reverses_id")?,
            reversed_by: row.try_get("reversed_by")?,
            hash: row.try_get("hash")?,
            previous_hash: row.try_get("previous_hash")?,
            created_by: row.try_get("created_by")?,
        })
    }

    pub(super) fn entry_from_row(row: &DbRow<B>) -> Result<(Uuid, Entry), TxError> {
        let direction: String = row.try_get("direction")?;
        Ok((
            row.try_get("transaction_id")?,
            Entry {
                line: row.try_get("line")?,
                account_id: row.try_get("account_id")?,
                account_code: row.try_get("code")?,
                direction: Direction::parse(&direction)
                    .ok_or_else(|| internal("stored direction"))?,
                amount_minor: row.try_get("amount_minor")?,
                currency: currency_of(&row.try_get::<String, _>("currency")?)?,
            },
        ))
    }

    pub(super) async fn lock_group(tx: &mut Tx<B::Db>, group_id: Uuid) -> Result<Group, TxError> {
        let row = sqlx::query(B::LOCK_GROUP_SQL)
            .bind(group_id)
            .fetch_optional(&mut **tx)
            .await?;
        match row {
            Some(row) => Self::group_from_row(&row),
            None => Err(LedgerError::NotFound("group").into()),
        }
    }

    pub(super) async fn read_group(tx: &mut Tx<B::Db>, group_id: Uuid) -> Result<Group, TxError> {
        let row = sqlx::query("SELECT * FROM groups WHERE id = $1")
            .bind(group_id)
            .fetch_optional(&mut **tx)
            .await?;
        match row {
            Some(row) => Self::group_from_row(&row),
            None => Err(LedgerError::NotFound("group").into()),
        }
    }

    /// The row `id` of one of a group's own tables (`table` names one with `group_id`
    /// and `id` columns, given by the code, never by a client): no group is a missing
    /// group, a group without the row a missing `what`.
    pub(super) async fn row_of_group(
        tx: &mut Tx<B::Db>,
        table: &'static str,
        group_id: Uuid,
        id: Uuid,
        what: &'static str,
    ) -> Result<DbRow<B>, TxError> {
        Self::read_group(tx, group_id).await?;
        let columns = crate::store::shared::group_row_columns(table);
        let sql = format!("SELECT {columns} FROM {table} x WHERE x.group_id = $1 AND x.id = $2");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(group_id)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| LedgerError::NotFound(what).into())
    }

    /// A page of the rows of one of a group's own tables (as for `row_of_group`), in
    /// id order after `after`: at most `limit` rows, and whether more follow. No group is
    /// a missing group.
    pub(super) async fn rows_of_group(
        tx: &mut Tx<B::Db>,
        table: &'static str,
        group_id: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<(Vec<DbRow<B>>, bool), TxError> {
        Self::read_group(tx, group_id).await?;
        let columns = crate::store::shared::group_row_columns(table);
        let sql = format!(
            "SELECT {columns} FROM {table} x WHERE x.group_id = $1 AND x.id > $2 ORDER BY x.id LIMIT $3"
        );
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(group_id)
            .bind(after.unwrap_or(crate::store::shared::BEFORE_ANY_ID))
            .bind(i64::from(limit) + 1)
            .fetch_all(&mut **tx)
            .await?;
        let has_more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        Ok((rows, has_more))
    }

    /// The stored response for this key, or `None` if the key is new. A key used
    /// before with another request is refused.
    pub(super) async fn claimed_response<T>(
        tx: &mut Tx<B::Db>,
        scope: &str,
        idempotency: &Option<Idempotency<'_, T>>,
    ) -> Result<Option<StoredResponse>, TxError> {
        let Some(idem) = idempotency else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT request_hash, status, body FROM idempotency_keys \
             WHERE scope = $1 AND key = $2",
        )
        .bind(scope)
        .bind(idem.key)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let request_hash: String = row.try_get("request_hash")?;
        if request_hash != idem.request_hash {
            return Err(LedgerError::IdempotencyKeyReused.into());
        }
        let status: i32 = row.try_get("status")?;
        Ok(Some(StoredResponse {
            status: u16::try_from(status).map_err(internal)?,
            body: row.try_get("body")?,
        }))
    }

    /// Stores the outcome for the key, in the transaction that produced it.
    pub(super) async fn remember<T>(
        tx: &mut Tx<B::Db>,
        scope: &str,
        idempotency: &Option<Idempotency<'_, T>>,
        outcome: Result<&T, &LedgerError>,
    ) -> Result<(), TxError> {
        let Some(idem) = idempotency else {
            return Ok(());
        };
        let response = (idem.render.as_ref())(outcome);
        sqlx::query(
            "INSERT INTO idempotency_keys (scope, key, request_hash, status, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(scope)
        .bind(idem.key)
        .bind(idem.request_hash)
        .bind(i32::from(response.status))
        .bind(&response.body)
        .bind(recorded_now())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Remembers a write's outcome and turns it into what the store call returns.
    pub(super) async fn finish<T>(
        tx: &mut Tx<B::Db>,
        scope: &str,
        idempotency: &Option<Idempotency<'_, T>>,
        outcome: Result<T, LedgerError>,
    ) -> Result<Result<Written<T>, LedgerError>, TxError> {
        Self::remember(tx, scope, idempotency, outcome.as_ref()).await?;
        Ok(outcome.map(Written::Created))
    }

    pub(super) async fn find_account(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        account: &AccountRef,
    ) -> Result<Option<Account>, TxError> {
        let query = match account {
            AccountRef::Id(id) => {
                sqlx::query("SELECT * FROM accounts WHERE group_id = $1 AND id = $2")
                    .bind(group_id)
                    .bind(*id)
            }
            // A code that breaks the code rules names no account; not sending it to the
            // database also keeps bytes PostgreSQL text cannot hold (NUL) away from it.
            AccountRef::Code(code) if crate::domain::account::validate_code(code).is_err() => {
                return Ok(None);
            }
            AccountRef::Code(code) => {
                sqlx::query("SELECT * FROM accounts WHERE group_id = $1 AND code = $2")
                    .bind(group_id)
                    .bind(code.clone())
            }
        };
        match query.fetch_optional(&mut **tx).await? {
            Some(row) => Ok(Some(Self::account_from_row(&row)?)),
            None => Ok(None),
        }
    }

    pub(super) async fn entries_between(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        first_sequence: i64,
        last_sequence: i64,
    ) -> Result<Vec<(Uuid, Entry)>, TxError> {
        let sql = const_format::concatcp!(
            ENTRY_COLUMNS,
            " WHERE e.group_id = $1 AND e.sequence >= $2 AND e.sequence <= $3 \
             ORDER BY e.sequence, e.line"
        );
        let rows = sqlx::query(sql)
            .bind(group_id)
            .bind(first_sequence)
            .bind(last_sequence)
            .fetch_all(&mut **tx)
            .await?;
        rows.iter().map(Self::entry_from_row).collect()
    }

    /// Fills in the entries of transactions read in sequence order.
    pub(super) async fn attach_entries(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        transactions: &mut [Transaction],
    ) -> Result<(), TxError> {
        let (Some(first), Some(last)) = (transactions.first(), transactions.last()) else {
            return Ok(());
        };
        let entries = Self::entries_between(tx, group_id, first.sequence, last.sequence).await?;
        let mut by_transaction: HashMap<Uuid, Vec<Entry>> = HashMap::new();
        for (transaction_id, entry) in entries {
            by_transaction
                .entry(transaction_id)
                .or_default()
                .push(entry);
        }
        for t in transactions.iter_mut() {
            t.entries = by_transaction.remove(&t.id).unwrap_or_default();
        }
        Ok(())
    }

    pub(super) async fn load_transaction(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        transaction_id: Uuid,
    ) -> Result<Transaction, TxError> {
        let sql = const_format::concatcp!(
            "SELECT ",
            crate::store::shared::TRANSACTION_COLUMNS,
            " FROM transactions t WHERE t.group_id = $1 AND t.id = $2"
        );
        let row = sqlx::query(sql)
            .bind(group_id)
            .bind(transaction_id)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(row) = row else {
            return Err(LedgerError::NotFound("transaction").into());
        };
        let mut transactions = vec![Self::transaction_from_row(&row)?];
        Self::attach_entries(tx, group_id, &mut transactions).await?;
        Ok(transactions.remove(0))
    }

    /// The accounts of the groups `group_ids` that `refs` name, in one statement (an
    /// account of one group may come back for a code only another group's entries
    /// name). A code that breaks the code rules names no account and is not sent (as
    /// in `find_account`).
    pub(super) async fn accounts_named<'r>(
        tx: &mut Tx<B::Db>,
        group_ids: &[Uuid],
        refs: impl Iterator<Item = &'r AccountRef>,
    ) -> Result<Vec<Account>, TxError> {
        let mut ids: Vec<Uuid> = Vec::new();
        let mut codes: Vec<&str> = Vec::new();
        for reference in refs {
            match reference {
                AccountRef::Id(id) => ids.push(*id),
                AccountRef::Code(code) if crate::domain::account::validate_code(code).is_ok() => {
                    codes.push(code)
                }
                AccountRef::Code(_) => {}
            }
        }
        ids.sort_unstable();
        ids.dedup();
        codes.sort_unstable();
        codes.dedup();
        if ids.is_empty() && codes.is_empty() {
            return Ok(Vec::new());
        }
        use crate::store::shared::parameters;
        let first_ref = 1 + group_ids.len();
        let mut terms = Vec::new();
        if !ids.is_empty() {
            terms.push(format!("id IN ({})", parameters(first_ref, ids.len())));
        }
        if !codes.is_empty() {
            terms.push(format!(
                "code IN ({})",
                parameters(first_ref + ids.len(), codes.len())
            ));
        }
        let sql = format!(
            "SELECT * FROM accounts WHERE group_id IN ({}) AND ({})",
            parameters(1, group_ids.len()),
            terms.join(" OR ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for group_id in group_ids {
            query = query.bind(*group_id);
        }
        for id in &ids {
            query = query.bind(*id);
        }
        for code in &codes {
            query = query.bind(code.to_string());
        }
        let rows = query.fetch_all(&mut **tx).await?;
        rows.iter().map(Self::account_from_row).collect()
    }

    /// Resolves the entries' accounts and amounts into posting lines, or the first
    /// entry that names no account of the group or has a malformed amount.
    pub(super) async fn resolve_lines(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        entries: &[EntryRequest],
    ) -> Result<Result<(Vec<Line>, Vec<AccountState>), LedgerError>, TxError> {
        let named =
            Self::accounts_named(tx, &[group_id], entries.iter().map(|e| &e.account)).await?;
        Ok(Self::lines_for(&named, entries))
    }

    /// The entries as posting lines on the accounts of `named` (the group's accounts
    /// they name, with their current totals), or the first entry that names no such
    /// account or has a malformed amount.
    pub(super) fn lines_for(
        named: &[Account],
        entries: &[EntryRequest],
    ) -> Result<(Vec<Line>, Vec<AccountState>), LedgerError> {
        let mut accounts: Vec<AccountState> = Vec::new();
        let mut index_of: HashMap<Uuid, usize> = HashMap::new();
        let mut by_ref: HashMap<&AccountRef, usize> = HashMap::new();
        let mut lines = Vec::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            let account_index = match by_ref.get(&entry.account) {
                Some(&index) => index,
                None => {
                    let found = named.iter().find(|a| match &entry.account {
                        AccountRef::Id(id) => a.id == *id,
                        AccountRef::Code(code) => a.code == *code,
                    });
                    let Some(account) = found else {
                        return Err(LedgerError::rule(
                            Rule::UnknownAccount,
                            Some(format!("/entries/{i}/account")),
                            format!("entry {i} names an account that does not exist in this group"),
                        ));
                    };
                    let index = *index_of.entry(account.id).or_insert_with(|| {
                        accounts.push(AccountState::of(account));
                        accounts.len() - 1
                    });
                    by_ref.insert(&entry.account, index);
                    index
                }
            };
            let currency = accounts[account_index].currency;
            let amount_minor = match money::parse_positive_amount(&entry.amount, currency) {
                Ok(minor) => minor,
                Err(money::AmountError::NotPositive) => {
                    return Err(LedgerError::rule(
                        Rule::NonPositiveAmount,
                        Some(format!("/entries/{i}/amount")),
                        format!("entry {i} has an amount that is not greater than zero"),
                    ));
                }
                Err(money::AmountError::TooManyDecimals { .. }) => {
                    return Err(LedgerError::rule(
                        Rule::CurrencyMismatch,
                        Some(format!("/entries/{i}/amount")),
                        format!(
                            "entry {i}: account {} is in {currency}, which has {} decimals",
                            accounts[account_index].code,
                            currency.exponent()
                        ),
                    ));
                }
                Err(e) => {
                    return Err(LedgerError::invalid(
                        format!("/entries/{i}/amount"),
                        format!("amount {e}"),
                    ));
                }
            };
            lines.push(Line {
                account: account_index,
                direction: entry.direction,
                amount_minor,
            });
        }
        Ok((lines, accounts))
    }

    /// Checks one transaction under the group's lock and numbers it: its id, its place
    /// in the group's chain and its hash, and the totals its accounts will have. The
    /// group's head moves to it; nothing is written yet (see `write_postings`). The
    /// inner error is a rule violation, and leaves the group as it was.
    pub(super) fn prepare_posting(
        group: &mut Group,
        posting: Posting<'_>,
    ) -> Result<Result<PreparedPosting, LedgerError>, TxError> {
        let Posting {
            booked_on,
            description,
            metadata,
            lines,
            accounts,
            reverses,
            created_by,
        } = posting;
        if let Err(closed) = group.refuse_if_closed() {
            return Ok(Err(closed));
        }
        let totals = match posting::check(lines, accounts, booked_on, group.closed_through) {
            Ok(totals) => totals,
            Err(e) => return Ok(Err(e)),
        };
        let id = Uuid::now_v7();
        let sequence = group.head_sequence + 1;
        let recorded_at = recorded_now();
        let hash_entries: Vec<HashEntry> = lines
            .iter()
            .map(|l| HashEntry {
                account_id: accounts[l.account].id,
                direction: l.direction,
                amount_minor: l.amount_minor,
                currency: accounts[l.account].currency,
            })
            .collect();
        let input = HashInput {
            group_id: group.id,
            sequence,
            booked_on,
            recorded_at,
            description,
            entries: hash_entries,
            metadata,
            reverses,
            created_by,
        };
        let hash = hash::chain_hash(&group.head_hash, &input)
            .ok_or_else(|| internal("stored head hash is not 64 hex digits"))?;
        let mut entries = Vec::with_capacity(lines.len());
        for (n, line) in lines.iter().enumerate() {
            let account = &accounts[line.account];
            entries.push(Entry {
                line: i32::try_from(n).map_err(internal)?,
                account_id: account.id,
                account_code: account.code.clone(),
                direction: line.direction,
                amount_minor: line.amount_minor,
                currency: account.currency,
            });
        }
        let totals = totals
            .iter()
            .map(|t| (accounts[t.account].id, t.debits_minor, t.credits_minor))
            .collect();
        let previous_hash = std::mem::replace(&mut group.head_hash, hash.clone());
        group.head_sequence = sequence;
        Ok(Ok((
            Transaction {
                id,
                group_id: group.id,
                sequence,
                booked_on,
                recorded_at,
                description: description.to_string(),
                metadata: metadata.clone(),
                entries,
                reverses,
                reversed_by: None,
                hash,
                previous_hash,
                created_by,
            },
            totals,
        )))
    }

    /// Checks and writes one transaction under the group's lock. The inner error is a
    /// rule violation: nothing was written, and the caller still commits (to remember
    /// the outcome with its idempotency key).
    pub(super) async fn apply_posting(
        tx: &mut Tx<B::Db>,
        group: &mut Group,
        posting: Posting<'_>,
    ) -> Result<Result<Transaction, LedgerError>, TxError> {
        let (transaction, totals) = match Self::prepare_posting(group, posting)? {
            Ok(prepared) => prepared,
            Err(e) => return Ok(Err(e)),
        };
        let totals: Vec<(Uuid, Uuid, i64, i64)> = totals
            .into_iter()
            .map(|(account, debits, credits)| (group.id, account, debits, credits))
            .collect();
        let rows = crate::store::shared::PostingRows {
            transactions: &[&transaction],
            totals: &totals,
            heads: &[(group.id, group.head_sequence, &group.head_hash)],
            remembered: &[],
            audits: &[],
        };
        B::write_postings(tx, &rows).await?;
        Ok(Ok(transaction))
    }

    /// The groups `ids` name (sorted, distinct), each read with its write lock, in the
    /// order of their ids so that two writers locking several never wait on each other
    /// in a cycle.
    pub(super) async fn lock_groups(
        tx: &mut Tx<B::Db>,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, Group>, TxError> {
        let mut groups = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(crate::store::shared::ROWS_PER_STATEMENT) {
            let sql = format!(
                "SELECT * FROM groups WHERE id IN ({}) ORDER BY id{}",
                crate::store::shared::parameters(1, chunk.len()),
                B::LOCK_GROUPS_TAIL
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            for row in query.fetch_all(&mut **tx).await? {
                let group = Self::group_from_row(&row)?;
                groups.insert(group.id, group);
            }
        }
        Ok(groups)
    }

    /// The responses stored with any of these keys `(scope, key)`: by key, the request
    /// hash and the response.
    pub(super) async fn stored_responses(
        tx: &mut Tx<B::Db>,
        keys: &[(String, &str)],
    ) -> Result<HashMap<(String, String), (String, StoredResponse)>, TxError> {
        let mut found = HashMap::new();
        for chunk in keys.chunks(crate::store::shared::ROWS_PER_STATEMENT) {
            // Scopes and keys each as a list: the primary key (scope, key) is read for
            // every pair of them, and pairs that are not asked for are skipped below.
            let mut scopes: Vec<&str> = chunk.iter().map(|(scope, _)| scope.as_str()).collect();
            scopes.sort_unstable();
            scopes.dedup();
            let sql = format!(
                "SELECT scope, key, request_hash, status, body FROM idempotency_keys \
                 WHERE scope IN ({}) AND key IN ({})",
                crate::store::shared::parameters(1, scopes.len()),
                crate::store::shared::parameters(1 + scopes.len(), chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for scope in &scopes {
                query = query.bind(*scope);
            }
            for (_, key) in chunk {
                query = query.bind(*key);
            }
            for row in query.fetch_all(&mut **tx).await? {
                let scope: String = row.try_get("scope")?;
                let key: String = row.try_get("key")?;
                if !chunk.iter().any(|(s, k)| *s == scope && *k == key) {
                    continue;
                }
                let status: i32 = row.try_get("status")?;
                let response = StoredResponse {
                    status: u16::try_from(status).map_err(internal)?,
                    body: row.try_get("body")?,
                };
                found.insert((scope, key), (row.try_get("request_hash")?, response));
            }
        }
        Ok(found)
    }

    /// Postings that arrived together, each judged as `post_in_tx` judges one and in
    /// the order they arrived (a posting sees the totals the ones before it left),
    /// written with a few statements for all of them. A refused posting leaves no
    /// trace but its stored outcome, and never fails the others.
    pub(super) async fn post_many_in_tx(
        tx: &mut Tx<B::Db>,
        queued: &[crate::store::shared::QueuedPosting],
    ) -> Result<Vec<(Result<Written<Transaction>, LedgerError>, bool)>, TxError> {
        let mut group_ids: Vec<Uuid> = queued.iter().map(|q| q.group_id).collect();
        group_ids.sort_unstable();
        group_ids.dedup();
        let mut groups = Self::lock_groups(tx, &group_ids).await?;
        let keys: Vec<(String, &str)> = queued
            .iter()
            .filter_map(|q| {
                q.idempotency
                    .as_ref()
                    .map(|i| (q.group_id.to_string(), i.key.as_str()))
            })
            .collect();
        let mut stored = Self::stored_responses(tx, &keys).await?;
        // The accounts every posting names, with their totals, by group.
        let mut accounts: HashMap<Uuid, Vec<Account>> =
            groups.keys().map(|g| (*g, Vec::new())).collect();
        let found: Vec<Uuid> = groups.keys().copied().collect();
        if !found.is_empty() {
            let mut refs: Vec<&AccountRef> = Vec::new();
            for q in queued {
                refs.extend(q.request.entries.iter().map(|e| &e.account));
            }
            for account in Self::accounts_named(tx, &found, refs.into_iter()).await? {
                if let Some(of_group) = accounts.get_mut(&account.group_id) {
                    of_group.push(account);
                }
            }
        }

        let mut outcomes = Vec::with_capacity(queued.len());
        let mut remembered = Vec::new();
        let mut audits = Vec::new();
        let mut totals: HashMap<Uuid, (Uuid, i64, i64)> = HashMap::new();
        for q in queued {
            if q.reply.is_closed() {
                // The caller is gone (it hung up, or its request ran out of time)
                // before its posting was judged: as a write cancelled before it
                // began, it is not written.
                outcomes.push((
                    Err(LedgerError::Unavailable("the request was cancelled".into())),
                    false,
                ));
                continue;
            }
            let Some(group) = groups.get_mut(&q.group_id) else {
                outcomes.push((Err(LedgerError::NotFound("group")), false));
                continue;
            };
            let scope = q.group_id.to_string();
            if let Some(idem) = &q.idempotency
                && let Some((request_hash, response)) =
                    stored.get(&(scope.clone(), idem.key.clone()))
            {
                let outcome = if *request_hash == idem.request_hash {
                    Ok(Written::Replayed(response.clone()))
                } else {
                    Err(LedgerError::IdempotencyKeyReused)
                };
                outcomes.push((outcome, false));
                continue;
            }
            let named = accounts
                .get_mut(&q.group_id)
                .ok_or_else(|| internal("accounts of a locked group"))?;
            let outcome = match group
                .refuse_if_closed()
                .and_then(|()| Self::lines_for(named, &q.request.entries))
            {
                Err(e) => Err(e),
                Ok((lines, states)) => {
                    let posting = Posting {
                        booked_on: q.request.booked_on,
                        description: &q.request.description,
                        metadata: &q.request.metadata,
                        lines: &lines,
                        accounts: &states,
                        reverses: None,
                        created_by: q.request.created_by,
                    };
                    match Self::prepare_posting(group, posting)? {
                        Err(e) => Err(e),
                        Ok((transaction, new_totals)) => {
                            for (account_id, debits, credits) in new_totals {
                                if let Some(a) = named.iter_mut().find(|a| a.id == account_id) {
                                    a.debits_minor = debits;
                                    a.credits_minor = credits;
                                }
                                totals.insert(account_id, (q.group_id, debits, credits));
                            }
                            Ok(transaction)
                        }
                    }
                }
            };
            let mut audited = false;
            if let Some(idem) = &q.idempotency {
                let response = (idem.render.as_ref())(outcome.as_ref());
                if let Some(draft) = &q.request.audit {
                    let created = outcome.as_ref().map(|t| vec![t.id]).unwrap_or_default();
                    audits.push(draft.event(recorded_now(), response.status, created));
                    audited = true;
                }
                stored.insert(
                    (scope.clone(), idem.key.clone()),
                    (idem.request_hash.clone(), response.clone()),
                );
                remembered.push((scope, idem.key.clone(), idem.request_hash.clone(), response));
            }
            outcomes.push((outcome.map(Written::Created), audited));
        }

        let written: Vec<&Transaction> = outcomes
            .iter()
            .filter_map(|o| match o {
                (Ok(Written::Created(t)), _) => Some(t),
                _ => None,
            })
            .collect();
        let totals: Vec<(Uuid, Uuid, i64, i64)> = totals
            .into_iter()
            .map(|(account, (group, debits, credits))| (group, account, debits, credits))
            .collect();
        let heads: Vec<(Uuid, i64, &str)> = groups
            .values()
            .filter(|g| written.iter().any(|t| t.group_id == g.id))
            .map(|g| (g.id, g.head_sequence, g.head_hash.as_str()))
            .collect();
        let rows = crate::store::shared::PostingRows {
            transactions: &written,
            totals: &totals,
            heads: &heads,
            remembered: &remembered,
            audits: &audits,
        };
        B::write_postings(tx, &rows).await?;
        Ok(outcomes)
    }

    /// Writes postings that arrived together as one step of a group commit. If that
    /// step fails for a reason other than the database being unavailable, each is
    /// written again on its own, so that whatever failed fails alone. A posting whose
    /// audit record committed with it has its draft marked recorded. The answer is each
    /// posting's outcome, or the database's unavailability, which is every posting's.
    pub(super) async fn post_gathered(
        &self,
        queued: &[crate::store::shared::QueuedPosting],
    ) -> StoreResult<Vec<StoreResult<Written<Transaction>>>> {
        let written = match write_tx!(self, |tx| Self::post_many_in_tx(&mut tx, queued)
            .await
            .map(Ok))
        {
            Ok(outcomes) => {
                self.commits.count_gathered(queued.len() as u64 - 1);
                outcomes
            }
            Err(e @ LedgerError::Unavailable(_)) => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "postings written together failed; writing each alone");
                let mut outcomes = Vec::with_capacity(queued.len());
                for q in queued {
                    // The audit layer then writes its audit record.
                    let idempotency = q.idempotency.as_ref().map(OwnedIdempotency::borrowed);
                    outcomes.push((
                        write_tx!(self, |tx| Self::post_in_tx(
                            &mut tx,
                            q.group_id,
                            &q.request,
                            &idempotency
                        )
                        .await),
                        false,
                    ));
                }
                outcomes
            }
        };
        Ok(crate::store::tx::recorded(written, queued, |request| {
            request.audit.as_ref()
        }))
    }

    /// Writes the postings waiting in the queue until none waits.
    pub(super) async fn drain_postings(self) {
        while let Some(queued) = self.postings.next() {
            let written = self.post_gathered(&queued).await;
            Self::answer(&self.postings, queued, written);
        }
    }

    /// One account by code, in one statement with its group: no group is a missing
    /// group, a group without the account a missing account. (Reads by id are gathered,
    /// see `drain_account_reads`.)
    pub(super) async fn account_by_code(&self, group_id: Uuid, code: &str) -> StoreResult<Account> {
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
    pub(super) async fn drain_account_reads(self) {
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
    pub(super) async fn read_accounts(
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

    pub(super) async fn post_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        request: &NewTransaction,
        idempotency: &Option<Idempotency<'_, Transaction>>,
    ) -> Result<Result<Written<Transaction>, LedgerError>, TxError> {
        let mut group = Self::lock_group(tx, group_id).await?;
        let scope = group_id.to_string();
        if let Some(replay) = Self::claimed_response(tx, &scope, idempotency).await? {
            return Ok(Ok(Written::Replayed(replay)));
        }
        let resolved = match group.refuse_if_closed() {
            Err(closed) => Err(closed),
            Ok(()) => Self::resolve_lines(tx, group_id, &request.entries).await?,
        };
        let outcome = match resolved {
            Err(e) => Err(e),
            Ok((lines, accounts)) => {
                let posting = Posting {
                    booked_on: request.booked_on,
                    description: &request.description,
                    metadata: &request.metadata,
                    lines: &lines,
                    accounts: &accounts,
                    reverses: None,
                    created_by: request.created_by,
                };
                Self::apply_posting(tx, &mut group, posting).await?
            }
        };
        Self::finish(tx, &scope, idempotency, outcome).await
    }

    pub(super) async fn reverse_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        transaction_id: Uuid,
        request: &NewReversal,
        idempotency: &Option<Idempotency<'_, Transaction>>,
    ) -> Result<Result<Written<Transaction>, LedgerError>, TxError> {
        let mut group = Self::lock_group(tx, group_id).await?;
        let scope = group_id.to_string();
        if let Some(replay) = Self::claimed_response(tx, &scope, idempotency).await? {
            return Ok(Ok(Written::Replayed(replay)));
        }
        let original = Self::load_transaction(tx, group_id, transaction_id).await?;
        let outcome = if let Err(closed) = group.refuse_if_closed() {
            Err(closed)
        } else if let Some(by) = original.reversed_by {
            Err(LedgerError::conflict(
                Conflict::AlreadyReversed,
                format!("transaction {} was already reversed by {by}", original.id),
            ))
        } else if let Some(of) = original.reverses {
            Err(LedgerError::conflict(
                Conflict::IsReversal,
                format!(
                    "transaction {} reverses {of}; post the original again instead of reversing a reversal",
                    original.id
                ),
            ))
        } else {
            let mut accounts: Vec<AccountState> = Vec::new();
            let mut lines = Vec::with_capacity(original.entries.len());
            for entry in &original.entries {
                let account = Self::find_account(tx, group_id, &AccountRef::Id(entry.account_id))
                    .await?
                    .ok_or_else(|| internal("an entry's account is missing"))?;
                let index = match accounts.iter().position(|a| a.id == account.id) {
                    Some(index) => index,
                    None => {
                        accounts.push(AccountState::of(&account));
                        accounts.len() - 1
                    }
                };
                lines.push(Line {
                    account: index,
                    direction: entry.direction,
                    amount_minor: entry.amount_minor,
                });
            }
            let lines = posting::mirror(&lines);
            let description = request.description.clone().unwrap_or_else(|| {
                format!(
                    "Reversal of #{}: {}",
                    original.sequence, original.description
                )
            });
            let metadata = serde_json::json!({});
            let booked_on = request.booked_on.unwrap_or_else(|| {
                crate::domain::model::reversal_date(original.booked_on, group.closed_through)
            });
            let posting = Posting {
                booked_on,
                description: &description,
                metadata: &metadata,
                lines: &lines,
                accounts: &accounts,
                reverses: Some(original.id),
                created_by: request.created_by,
            };
            Self::apply_posting(tx, &mut group, posting).await?
        };
        Self::finish(tx, &scope, idempotency, outcome).await
    }

    pub(super) async fn create_group_in_tx(
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

    /// Adds an account to the group, with zero totals.
    /// An account as `request` describes it, with a new id and no entries yet.
    pub(super) fn new_account(group_id: Uuid, request: &NewAccount) -> Account {
        Account {
            id: Uuid::now_v7(),
            group_id,
            code: request.code.clone(),
            name: request.name.clone(),
            kind: request.kind,
            currency: request.currency,
            no_overdraft: request.no_overdraft,
            debits_minor: 0,
            credits_minor: 0,
            created_at: recorded_now(),
        }
    }

    pub(super) async fn insert_account(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        request: &NewAccount,
    ) -> Result<Account, TxError> {
        let account = Self::new_account(group_id, request);
        Self::insert_account_row(tx, &account).await?;
        Ok(account)
    }

    /// Opens `account`, with no entries yet (its totals are written as zero).
    pub(super) async fn insert_account_row(
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

    pub(super) async fn create_account_in_tx(
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

    pub(super) async fn close_period_in_tx(
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
        let outcome = match group.refuse_if_closed().map(|()| group.closed_through) {
            Err(closed) => Err(closed),
            Ok(Some(closed)) if through <= closed => Err(LedgerError::conflict(
                Conflict::PeriodAlreadyClosed,
                format!("the ledger is already closed through {closed}"),
            )),
            Ok(_) => match Self::revalue_fx(tx, &mut group, through, fx_rates).await? {
                Err(e) => Err(e),
                Ok(revaluations) => match Self::closing_entries(tx, &mut group, through).await? {
                    Err(e) => Err(e),
                    Ok(closing_transaction_id) => {
                        let close = PeriodClose {
                            group_id,
                            through,
                            closed_at: recorded_now(),
                            closing_transaction_id,
                            revaluations,
                        };
                        sqlx::query("INSERT INTO period_closes (group_id, through, closed_at, closing_transaction_id) VALUES ($1, $2, $3, $4)")
                    .bind(group_id)
                    .bind(through)
                    .bind(close.closed_at)
                    .bind(close.closing_transaction_id)
                    .execute(&mut **tx)
                    .await?;
                        sqlx::query("UPDATE groups SET closed_through = $1 WHERE id = $2")
                            .bind(through)
                            .bind(group_id)
                            .execute(&mut **tx)
                            .await?;
                        Ok(close)
                    }
                },
            },
        };
        Self::finish(tx, &scope, idempotency, outcome).await
    }

    pub(super) async fn account_as_of_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        account: &AccountRef,
        as_of: NaiveDate,
    ) -> Result<Account, TxError> {
        Self::read_group(tx, group_id).await?;
        let account = Self::find_account(tx, group_id, account)
            .await?
            .ok_or(LedgerError::NotFound("account"))?;
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(CASE WHEN direction = 'debit' THEN amount_minor ELSE 0 END), 0) AS BIGINT) AS debits, \
             CAST(COALESCE(SUM(CASE WHEN direction = 'credit' THEN amount_minor ELSE 0 END), 0) AS BIGINT) AS credits \
             FROM entries WHERE account_id = $1 AND booked_on <= $2",
        )
        .bind(account.id)
        .bind(as_of)
        .fetch_one(&mut **tx)
        .await?;
        Ok(Account {
            debits_minor: row.try_get("debits")?,
            credits_minor: row.try_get("credits")?,
            ..account
        })
    }

    pub(super) async fn statement_in_tx(
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
        let opening_minor = match from {
            None => 0,
            Some(from) => {
                let row = sqlx::query(
                    "SELECT CAST(COALESCE(SUM(CASE WHEN direction = 'debit' THEN amount_minor ELSE 0 END), 0) AS BIGINT) AS debits, \
                     CAST(COALESCE(SUM(CASE WHEN direction = 'credit' THEN amount_minor ELSE 0 END), 0) AS BIGINT) AS credits \
                     FROM entries WHERE account_id = $1 AND booked_on < $2",
                )
                .bind(account.id)
                .bind(from)
                .fetch_one(&mut **tx)
                .await?;
                let debits: i64 = row.try_get("debits")?;
                let credits: i64 = row.try_get("credits")?;
                crate::domain::account::normal_balance(account.kind, debits, credits)
                    .ok_or_else(|| internal("opening balance overflow"))?
            }
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

    pub(super) async fn trial_balance_in_tx(
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
        let mut sums: HashMap<Uuid, (i64, i64)> = HashMap::new();
        if let Some(as_of) = as_of {
            let rows = sqlx::query(
                "SELECT account_id, \
                 CAST(SUM(CASE WHEN direction = 'debit' THEN amount_minor ELSE 0 END) AS BIGINT) AS debits, \
                 CAST(SUM(CASE WHEN direction = 'credit' THEN amount_minor ELSE 0 END) AS BIGINT) AS credits \
                 FROM entries WHERE group_id = $1 AND booked_on <= $2 GROUP BY account_id",
            )
            .bind(group_id)
            .bind(as_of)
            .fetch_all(&mut **tx)
            .await?;
            for row in &rows {
                sums.insert(
                    row.try_get("account_id")?,
                    (row.try_get("debits")?, row.try_get("credits")?),
                );
            }
        }
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

    pub(super) async fn verify_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
    ) -> Result<Verification, TxError> {
        let group = Self::read_group(tx, group_id).await?;
        let mut previous = GENESIS_HASH.to_string();
        let mut expected = 1i64;
        let mut sums: HashMap<Uuid, (i64, i64)> = HashMap::new();
        // The first transaction whose entries name each account in each currency.
        let mut first_named: HashMap<(Uuid, Currency), i64> = HashMap::new();
        let mut result = Verification {
            transactions_checked: 0,
            head_sequence: group.head_sequence,
            head_hash: group.head_hash.clone(),
            failure: None,
        };
        loop {
            let sql = const_format::concatcp!(
                "SELECT ",
                crate::store::shared::TRANSACTION_COLUMNS,
                " FROM transactions t WHERE t.group_id = $1 AND t.sequence >= $2 ORDER BY t.sequence LIMIT $3"
            );
            let rows = sqlx::query(sql)
                .bind(group_id)
                .bind(expected)
                .bind(VERIFY_BATCH)
                .fetch_all(&mut **tx)
                .await?;
            if rows.is_empty() {
                break;
            }
            let mut batch = rows
                .iter()
                .map(Self::transaction_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            Self::attach_entries(tx, group_id, &mut batch).await?;
            for t in &batch {
                if t.sequence != expected {
                    result.failure = Some(VerificationFailure::SequenceGap {
                        expected,
                        found: t.sequence,
                    });
                    return Ok(result);
                }
                let input = HashInput {
                    group_id,
                    sequence: t.sequence,
                    booked_on: t.booked_on,
                    recorded_at: t.recorded_at,
                    description: &t.description,
                    entries: t
                        .entries
                        .iter()
                        .map(|e| HashEntry {
                            account_id: e.account_id,
                            direction: e.direction,
                            amount_minor: e.amount_minor,
                            currency: e.currency,
                        })
                        .collect(),
                    metadata: &t.metadata,
                    reverses: t.reverses,
                    created_by: t.created_by,
                };
                let recomputed = hash::chain_hash(&previous, &input);
                if t.previous_hash != previous || recomputed.as_deref() != Some(t.hash.as_str()) {
                    result.failure = Some(VerificationFailure::HashMismatch {
                        sequence: t.sequence,
                    });
                    return Ok(result);
                }
                let mut net: HashMap<Currency, i64> = HashMap::new();
                for e in &t.entries {
                    first_named
                        .entry((e.account_id, e.currency))
                        .or_insert(t.sequence);
                    let sum = sums.entry(e.account_id).or_insert((0, 0));
                    let (side, sign) = match e.direction {
                        Direction::Debit => (&mut sum.0, 1),
                        Direction::Credit => (&mut sum.1, -1),
                    };
                    *side = side
                        .checked_add(e.amount_minor)
                        .ok_or_else(|| internal("sum overflow"))?;
                    let n = net.entry(e.currency).or_insert(0);
                    *n = n
                        .checked_add(sign * e.amount_minor)
                        .ok_or_else(|| internal("sum overflow"))?;
                }
                if t.entries.len() < 2 || net.values().any(|v| *v != 0) {
                    result.failure = Some(VerificationFailure::Unbalanced {
                        sequence: t.sequence,
                    });
                    return Ok(result);
                }
                previous = t.hash.clone();
                expected += 1;
                result.transactions_checked += 1;
            }
        }
        if result.transactions_checked != group.head_sequence || previous != group.head_hash {
            result.failure = Some(VerificationFailure::HeadMismatch);
            return Ok(result);
        }
        // Entries carry copies of their transaction's date and sequence (statements and
        // as-of balances read them); the hash covers the transaction's, so compare.
        let mismatch: Option<i64> = sqlx::query_scalar(
            "SELECT t.sequence FROM entries e JOIN transactions t ON t.id = e.transaction_id \
             WHERE (e.group_id = $1 OR t.group_id = $1) AND (e.booked_on <> t.booked_on \
             OR e.sequence <> t.sequence OR e.group_id <> t.group_id) ORDER BY t.sequence LIMIT 1",
        )
        .bind(group_id)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(sequence) = mismatch {
            result.failure = Some(VerificationFailure::EntryMismatch { sequence });
            return Ok(result);
        }
        let rows = sqlx::query("SELECT * FROM accounts WHERE group_id = $1 ORDER BY code")
            .bind(group_id)
            .fetch_all(&mut **tx)
            .await?;
        let accounts = rows
            .iter()
            .map(Self::account_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        // Money can only move between a group's own accounts: an entry that names an
        // account of another group (or of none) moved it out of the group's books.
        // And an account holds its own currency only.
        let own: HashMap<Uuid, Currency> = accounts.iter().map(|a| (a.id, a.currency)).collect();
        let first_wrong = |wrong: &dyn Fn(&Uuid, &Currency) -> bool| {
            first_named
                .iter()
                .filter(|((id, currency), _)| wrong(id, currency))
                .map(|((id, _), sequence)| (*sequence, *id))
                .min()
        };
        if let Some((sequence, account_id)) = first_wrong(&|id, _| !own.contains_key(id)) {
            result.failure = Some(VerificationFailure::ForeignAccount {
                sequence,
                account_id,
            });
            return Ok(result);
        }
        if let Some((sequence, account_id)) =
            first_wrong(&|id, currency| own.get(id) != Some(currency))
        {
            result.failure = Some(VerificationFailure::CurrencyMismatch {
                sequence,
                account_id,
            });
            return Ok(result);
        }
        for account in accounts {
            let (debits, credits) = sums.get(&account.id).copied().unwrap_or((0, 0));
            if debits != account.debits_minor || credits != account.credits_minor {
                result.failure = Some(VerificationFailure::BalanceMismatch {
                    account_id: account.id,
                    code: account.code,
                });
                return Ok(result);
            }
        }
        Ok(result)
    }
}

#[async_trait]
impl<B: Backend> Store for Ledger<B>
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
    fn backend(&self) -> &'static str {
        B::NAME
    }

    fn write_commits(&self) -> crate::store::batch::CommitCounts {
        self.commits.counts()
    }

    async fn ready(&self) -> StoreResult<()> {
        self.backend
            .ready_check()
            .await
            .map_err(|e| LedgerError::Unavailable(e.to_string()))
    }

    async fn close(&self) {
        self.backend.close().await
    }

    async fn create_group(
        &self,
        group: NewGroup,
        idempotency: Option<Idempotency<'_, Group>>,
    ) -> StoreResult<Written<Group>> {
        write_tx!(self, |tx| Self::create_group_in_tx(
            &mut tx,
            &group,
            &idempotency
        )
        .await)
    }

    async fn list_groups(&self, after: Option<Uuid>, limit: u32) -> StoreResult<Vec<Group>> {
        read_tx!(self, |tx| {
            let rows = sqlx::query("SELECT * FROM groups WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after.unwrap_or(crate::store::shared::BEFORE_ANY_ID))
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await
                .map_err(TxError::from);
            rows.and_then(|rows| {
                rows.iter()
                    .map(Self::group_from_row)
                    .collect::<Result<Vec<_>, _>>()
            })
        })
    }

    async fn group_time_zones(&self) -> StoreResult<Vec<crate::domain::dates::Tz>> {
        read_tx!(self, |tx| {
            let rows = sqlx::query("SELECT DISTINCT time_zone FROM groups ORDER BY time_zone")
                .fetch_all(&mut *tx)
                .await
                .map_err(TxError::from);
            rows.and_then(|rows| {
                rows.iter()
                    .map(|row| {
                        crate::domain::dates::parse_time_zone(
                            &row.try_get::<String, _>("time_zone")?,
                        )
                        .ok_or_else(|| internal("stored time zone"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
        })
    }

    async fn get_group(&self, group_id: Uuid) -> StoreResult<Group> {
        read_tx!(self, |tx| Self::read_group(&mut tx, group_id).await)
    }

    async fn create_account(
        &self,
        group_id: Uuid,
        account: NewAccount,
        idempotency: Option<Idempotency<'_, Account>>,
    ) -> StoreResult<Written<Account>> {
        write_tx!(self, |tx| Self::create_account_in_tx(
            &mut tx,
            group_id,
            &account,
            &idempotency
        )
        .await)
    }

    async fn list_accounts(&self, group_id: Uuid) -> StoreResult<Vec<Account>> {
        read_tx!(self, |tx| {
            match Self::read_group(&mut tx, group_id).await {
                Err(e) => Err(e),
                Ok(_) => sqlx::query("SELECT * FROM accounts WHERE group_id = $1 ORDER BY code")
                    .bind(group_id)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(TxError::from)
                    .and_then(|rows| {
                        rows.iter()
                            .map(Self::account_from_row)
                            .collect::<Result<Vec<_>, _>>()
                    }),
            }
        })
    }

    async fn get_account(&self, group_id: Uuid, account: &AccountRef) -> StoreResult<Account> {
        let account_id = match account {
            AccountRef::Id(id) => id,
            AccountRef::Code(code) => return self.account_by_code(group_id, code).await,
        };
        // Gathered with the reads of accounts that arrive meanwhile (see
        // `drain_account_reads`).
        let (reply, answer) = tokio::sync::oneshot::channel();
        let queued = crate::store::shared::QueuedAccountRead {
            group_id,
            account_id: *account_id,
            reply,
        };
        if self.account_reads.push(queued) {
            crate::store::shared::spawn_writer(self.clone().drain_account_reads());
        }
        answer
            .await
            .unwrap_or_else(crate::store::shared::unanswered)
    }

    async fn account_as_of(
        &self,
        group_id: Uuid,
        account: &AccountRef,
        as_of: NaiveDate,
    ) -> StoreResult<Account> {
        read_tx!(self, |tx| Self::account_as_of_in_tx(
            &mut tx, group_id, account, as_of
        )
        .await)
    }

    async fn post_transaction(
        &self,
        group_id: Uuid,
        transaction: NewTransaction,
        idempotency: Option<Idempotency<'_, Transaction>>,
    ) -> StoreResult<Written<Transaction>> {
        if !self.commits.batches() {
            // The audit record is written after the request, by the audit layer.
            return write_tx!(self, |tx| Self::post_in_tx(
                &mut tx,
                group_id,
                &transaction,
                &idempotency
            )
            .await);
        }
        // Gathered with the postings that arrive meanwhile (see `coalesce.rs`).
        let make = |reply| QueuedPosting {
            group_id,
            request: transaction,
            idempotency: idempotency.map(OwnedIdempotency::of),
            reply,
        };
        Self::queue_and_wait(&self.postings, make, || self.clone().drain_postings()).await
    }

    async fn reverse_transaction(
        &self,
        group_id: Uuid,
        transaction_id: Uuid,
        reversal: NewReversal,
        idempotency: Option<Idempotency<'_, Transaction>>,
    ) -> StoreResult<Written<Transaction>> {
        write_tx!(self, |tx| Self::reverse_in_tx(
            &mut tx,
            group_id,
            transaction_id,
            &reversal,
            &idempotency
        )
        .await)
    }

    async fn list_transactions(
        &self,
        group_id: Uuid,
        query: TransactionQuery,
    ) -> StoreResult<Page<Transaction>> {
        read_tx!(self, |tx| Self::list_transactions_in_tx(
            &mut tx, group_id, &query
        )
        .await)
    }

    async fn get_transaction(
        &self,
        group_id: Uuid,
        transaction_id: Uuid,
    ) -> StoreResult<Transaction> {
        read_tx!(self, |tx| {
            match Self::read_group(&mut tx, group_id).await {
                Err(e) => Err(e),
                Ok(_) => Self::load_transaction(&mut tx, group_id, transaction_id).await,
            }
        })
    }

    async fn account_statement(
        &self,
        group_id: Uuid,
        account: &AccountRef,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> StoreResult<Statement> {
        read_tx!(self, |tx| Self::statement_in_tx(
            &mut tx, group_id, account, from, to
        )
        .await)
    }

    async fn trial_balance(
        &self,
        group_id: Uuid,
        as_of: Option<NaiveDate>,
    ) -> StoreResult<TrialBalance> {
        read_tx!(self, |tx| Self::trial_balance_in_tx(
            &mut tx, group_id, as_of
        )
        .await)
    }

    async fn close_period(
        &self,
        group_id: Uuid,
        through: NaiveDate,
        fx_rates: Vec<crate::domain::fx::FxRate>,
        idempotency: Option<Idempotency<'_, PeriodClose>>,
    ) -> StoreResult<Written<PeriodClose>> {
        write_tx!(self, |tx| Self::close_period_in_tx(
            &mut tx,
            group_id,
            through,
            &fx_rates,
            &idempotency
        )
        .await)
    }

    async fn verify_ledger(&self, group_id: Uuid) -> StoreResult<Verification> {
        read_tx!(self, |tx| Self::verify_in_tx(&mut tx, group_id).await)
    }
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
    pub(super) async fn list_transactions_in_tx(
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
