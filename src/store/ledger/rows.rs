//! Reading the ledger's rows: groups (locked or not), accounts, transactions with their
//! entries, and the rows of a group's own tables.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::account::{AccountType, Direction};
use crate::domain::error::LedgerError;
use crate::domain::model::*;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::ledger::currency_of;
use crate::store::shared::*;
use crate::store::tx::Column;

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
    pub(in crate::store) fn group_from_row(row: &DbRow<B>) -> Result<Group, TxError> {
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

    pub(in crate::store) fn account_from_row(row: &DbRow<B>) -> Result<Account, TxError> {
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

    pub(in crate::store) fn transaction_from_row(row: &DbRow<B>) -> Result<Transaction, TxError> {
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

    pub(in crate::store) fn entry_from_row(row: &DbRow<B>) -> Result<(Uuid, Entry), TxError> {
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

    pub(in crate::store) async fn lock_group(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
    ) -> Result<Group, TxError> {
        let row = sqlx::query(B::LOCK_GROUP_SQL)
            .bind(group_id)
            .fetch_optional(&mut **tx)
            .await?;
        match row {
            Some(row) => Self::group_from_row(&row),
            None => Err(LedgerError::NotFound("group").into()),
        }
    }

    pub(in crate::store) async fn read_group(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
    ) -> Result<Group, TxError> {
        let row = sqlx::query("SELECT * FROM groups WHERE id = $1")
            .bind(group_id)
            .fetch_optional(&mut **tx)
            .await?;
        match row {
            Some(row) => Self::group_from_row(&row),
            None => Err(LedgerError::NotFound("group").into()),
        }
    }

    /// The groups `ids` name (sorted, distinct), each read with its write lock, in the
    /// order of their ids so that two writers locking several never wait on each other
    /// in a cycle.
    pub(in crate::store) async fn lock_groups(
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

    /// The row `id` of one of a group's own tables (`table` names one with `group_id`
    /// and `id` columns, given by the code, never by a client): no group is a missing
    /// group, a group without the row a missing `what`.
    pub(in crate::store) async fn row_of_group(
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
    pub(in crate::store) async fn rows_of_group(
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

    pub(in crate::store) async fn find_account(
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

    /// The accounts of the groups `group_ids` that `refs` name, in one statement (an
    /// account of one group may come back for a code only another group's entries
    /// name). A code that breaks the code rules names no account and is not sent (as
    /// in `find_account`).
    pub(in crate::store) async fn accounts_named<'r>(
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

    pub(in crate::store) async fn entries_between(
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
    pub(in crate::store) async fn attach_entries(
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

    pub(in crate::store) async fn load_transaction(
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
}
