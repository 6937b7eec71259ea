//! The signing keys and what checkpoints are made of (see `signing.rs` and
//! docs/RECEIPTS.md), written once for both backends: the `ProofStore` methods, each one
//! transaction.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use super::backend::{Backend, DbRow, Ledger, Tx};
use super::ledger::currency_of;
use super::shared::*;
use super::tx::{Column, read_tx, write_tx};
use crate::domain::error::LedgerError;
use crate::domain::hash::GENESIS_HASH;
use crate::domain::receipts::{Checkpoint, CheckpointAccount};
use crate::signing::StoredKey;
use crate::store::{ProofStore, StoreResult};

const KEY_COLUMNS: &str = "key_id, public_key, private_key, began_at, retired_at";

#[async_trait]
impl<B: Backend> ProofStore for Ledger<B>
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
    async fn signing_key_or_init(&self, candidate: &StoredKey) -> StoreResult<StoredKey> {
        write_tx!(self, |tx| {
            let result: Result<Result<StoredKey, LedgerError>, TxError> = async {
                // The unique current key makes every insert but the first do nothing.
                sqlx::query(
                    "INSERT INTO signing_keys (key_id, algorithm, public_key, private_key, began_at, retired_at, is_current) \
                     VALUES ($1, 'Ed25519', $2, $3, $4, NULL, $5) ON CONFLICT DO NOTHING",
                )
                .bind(candidate.key_id.as_str())
                .bind(candidate.public_key.as_str())
                .bind(candidate.private_key_pem.as_deref())
                .bind(candidate.began_at)
                .bind(true)
                .execute(&mut *tx)
                .await?;
                Ok(Ok(Self::current_key(&mut tx).await?))
            }
            .await;
            result
        })
    }

    async fn adopt_signing_key(&self, key: &StoredKey) -> StoreResult<StoredKey> {
        write_tx!(self, |tx| {
            let result: Result<Result<StoredKey, LedgerError>, TxError> = async {
                sqlx::query(
                    "UPDATE signing_keys SET is_current = NULL, retired_at = $1 \
                     WHERE is_current IS NOT NULL AND key_id <> $2",
                )
                .bind(key.began_at)
                .bind(key.key_id.as_str())
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO signing_keys (key_id, algorithm, public_key, private_key, began_at, retired_at, is_current) \
                     VALUES ($1, 'Ed25519', $2, $3, $4, NULL, $5) \
                     ON CONFLICT (key_id) DO UPDATE SET is_current = excluded.is_current, retired_at = NULL",
                )
                .bind(key.key_id.as_str())
                .bind(key.public_key.as_str())
                .bind(key.private_key_pem.as_deref())
                .bind(key.began_at)
                .bind(true)
                .execute(&mut *tx)
                .await?;
                Ok(Ok(Self::current_key(&mut tx).await?))
            }
            .await;
            result
        })
    }

    async fn published_keys(&self) -> StoreResult<Vec<StoredKey>> {
        read_tx!(self, |tx| {
            let rows = sqlx::query(const_format::concatcp!(
                "SELECT ",
                KEY_COLUMNS,
                " FROM signing_keys ORDER BY began_at, key_id"
            ))
            .fetch_all(&mut *tx)
            .await?;
            rows.iter()
                .map(|row| {
                    let mut key = Self::key_from_row(row)?;
                    key.private_key_pem = None;
                    Ok::<_, TxError>(key)
                })
                .collect::<Result<Vec<_>, _>>()
        })
    }

    async fn checkpoint(
        &self,
        group_id: Uuid,
        sequence: Option<i64>,
    ) -> StoreResult<(i64, Option<Checkpoint>)> {
        read_tx!(self, |tx| {
            let result: Result<(i64, Option<Checkpoint>), TxError> = async {
                let group = Self::read_group(&mut tx, group_id).await?;
                let sequence = sequence.unwrap_or(group.head_sequence);
                if sequence > group.head_sequence {
                    return Ok((group.head_sequence, None));
                }
                let head_hash = if sequence == group.head_sequence {
                    group.head_hash.clone()
                } else if sequence == 0 {
                    GENESIS_HASH.to_string()
                } else {
                    sqlx::query_scalar::<_, String>(
                        "SELECT hash FROM transactions WHERE group_id = $1 AND sequence = $2",
                    )
                    .bind(group_id)
                    .bind(sequence)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| internal("a transaction of the chain is missing"))?
                };
                let accounts = Self::checkpoint_totals(&mut tx, group_id, sequence).await?;
                Ok((
                    group.head_sequence,
                    Some(Checkpoint {
                        group_id: group.id,
                        sequence,
                        head_hash,
                        accounts,
                    }),
                ))
            }
            .await;
            result
        })
    }
}

impl<B: Backend> Ledger<B>
where
    for<'c> &'c mut <B::Db as sqlx::Database>::Connection: sqlx::Executor<'c, Database = B::Db>,
    <B::Db as sqlx::Database>::Arguments: sqlx::IntoArguments<B::Db> + Default,
    for<'a> &'a str: sqlx::ColumnIndex<DbRow<B>>,
    for<'q> &'q str: sqlx::Encode<'q, B::Db> + sqlx::Type<B::Db>,
    Uuid: Column<B::Db>,
    i64: Column<B::Db>,
    String: Column<B::Db>,
    Option<String>: Column<B::Db>,
    DateTime<Utc>: Column<B::Db>,
    Option<DateTime<Utc>>: Column<B::Db>,
{
    fn key_from_row(row: &DbRow<B>) -> Result<StoredKey, TxError> {
        Ok(StoredKey {
            key_id: row.try_get("key_id")?,
            public_key: row.try_get("public_key")?,
            private_key_pem: row.try_get("private_key")?,
            began_at: row.try_get("began_at")?,
            retired_at: row.try_get("retired_at")?,
        })
    }

    async fn current_key(tx: &mut Tx<B::Db>) -> Result<StoredKey, TxError> {
        let row = sqlx::query(const_format::concatcp!(
            "SELECT ",
            KEY_COLUMNS,
            " FROM signing_keys WHERE is_current IS NOT NULL"
        ))
        .fetch_one(&mut **tx)
        .await?;
        Self::key_from_row(&row)
    }

    /// Every account of the group with its totals over the entries up to `sequence`, by code.
    async fn checkpoint_totals(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        sequence: i64,
    ) -> Result<Vec<CheckpointAccount>, TxError> {
        let rows = sqlx::query(
            "SELECT a.id, a.code, a.currency, \
             CAST(COALESCE(SUM(CASE WHEN e.direction = 'debit' THEN e.amount_minor ELSE 0 END), 0) AS BIGINT) AS debits, \
             CAST(COALESCE(SUM(CASE WHEN e.direction = 'credit' THEN e.amount_minor ELSE 0 END), 0) AS BIGINT) AS credits \
             FROM accounts a LEFT JOIN entries e ON e.account_id = a.id AND e.group_id = $1 AND e.sequence <= $2 \
             WHERE a.group_id = $1 GROUP BY a.id, a.code, a.currency",
        )
        .bind(group_id)
        .bind(sequence)
        .fetch_all(&mut **tx)
        .await?;
        let mut accounts = rows
            .iter()
            .map(|row| {
                Ok(CheckpointAccount {
                    id: row.try_get("id")?,
                    code: row.try_get("code")?,
                    currency: currency_of(&row.try_get::<String, _>("currency")?)?,
                    debits_minor: row.try_get("debits")?,
                    credits_minor: row.try_get("credits")?,
                })
            })
            .collect::<Result<Vec<_>, TxError>>()?;
        // By the code's bytes, the same on both databases (their collations differ).
        accounts.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(accounts)
    }
}
