//! A journal export read in pages, each after the one before, under one head sequence.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::domain::model::*;
use crate::store::ExportPage;
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
    /// The group with its head sequence and every account, read together: the start of
    /// an export, which reads no transaction after that head.
    pub(in crate::store) async fn export_start_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
    ) -> Result<JournalExport, TxError> {
        let group = Self::read_group(tx, group_id).await?;
        let rows = sqlx::query("SELECT * FROM accounts WHERE group_id = $1 ORDER BY code")
            .bind(group_id)
            .fetch_all(&mut **tx)
            .await?;
        let accounts = rows
            .iter()
            .map(Self::account_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(JournalExport {
            group,
            accounts,
            transactions: Vec::new(),
        })
    }

    /// One page of an export: transactions booked in the range with sequences after
    /// `after_sequence` and not after `through_sequence`, oldest first, with entries.
    pub(in crate::store) async fn export_page_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        page: &ExportPage,
    ) -> Result<Page<Transaction>, TxError> {
        let sql = const_format::concatcp!(
            "SELECT ",
            crate::store::shared::TRANSACTION_COLUMNS,
            " FROM transactions t WHERE t.group_id = $1 AND t.sequence > $2 AND t.sequence <= $3 \
             AND t.booked_on >= COALESCE($4, '0001-01-01') AND t.booked_on <= COALESCE($5, '9999-12-31') \
             ORDER BY t.sequence LIMIT $6"
        );
        let rows = sqlx::query(sql)
            .bind(group_id)
            .bind(page.after_sequence)
            .bind(page.through_sequence)
            .bind(page.from)
            .bind(page.to)
            .bind(i64::from(page.limit) + 1)
            .fetch_all(&mut **tx)
            .await?;
        let mut items = rows
            .iter()
            .map(Self::transaction_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let has_more = items.len() > page.limit as usize;
        items.truncate(page.limit as usize);
        Self::attach_entries(tx, group_id, &mut items).await?;
        Ok(Page { items, has_more })
    }
}
