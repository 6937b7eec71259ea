//! Idempotency keys: the stored outcome of a write replayed for the same key and request,
//! refused for another request, and remembered in the transaction that produced it.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::error::LedgerError;
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::shared::*;
use crate::store::tx::Column;
use crate::store::{Idempotency, StoredResponse, Written};

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
    /// The stored response for this key, or `None` if the key is new. A key used
    /// before with another request is refused.
    pub(in crate::store) async fn claimed_response<T>(
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
    pub(in crate::store) async fn remember<T>(
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
    pub(in crate::store) async fn finish<T>(
        tx: &mut Tx<B::Db>,
        scope: &str,
        idempotency: &Option<Idempotency<'_, T>>,
        outcome: Result<T, LedgerError>,
    ) -> Result<Result<Written<T>, LedgerError>, TxError> {
        Self::remember(tx, scope, idempotency, outcome.as_ref()).await?;
        Ok(outcome.map(Written::Created))
    }

    /// The responses stored with any of these keys `(scope, key)`: by key, the request
    /// hash and the response.
    pub(in crate::store) async fn stored_responses(
        tx: &mut Tx<B::Db>,
        keys: &[(String, &str)],
    ) -> Result<HashMap<(String, String), (String, StoredResponse)>, TxError> {
        let mut found = HashMap::new();
        for chunk in keys.chunks(crate::store::shared::ROWS_PER_STATEMENT) {
            // The pairs asked for, each read through the primary key (scope, key): the
            // statement's text depends only on how many there are.
            let pairs: Vec<String> = (0..chunk.len())
                .map(|n| format!("(${}, ${})", 2 * n + 1, 2 * n + 2))
                .collect();
            let sql = format!(
                "WITH v (scope, key) AS (VALUES {}) \
                 SELECT i.scope, i.key, i.request_hash, i.status, i.body \
                 FROM v JOIN idempotency_keys i ON i.scope = v.scope AND i.key = v.key",
                pairs.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (scope, key) in chunk {
                query = query.bind(scope.as_str()).bind(*key);
            }
            for row in query.fetch_all(&mut **tx).await? {
                let scope: String = row.try_get("scope")?;
                let key: String = row.try_get("key")?;
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
}

/// The outcomes stored with the keys of a gathering of writes, by `(scope, key)`: the request
/// hash and the response (see `stored_responses`).
pub(in crate::store) type StoredByKey = HashMap<(String, String), (String, StoredResponse)>;

/// What a gathering of writes remembers as it judges them, written with them: the outcomes
/// to store with their keys `(scope, key, request hash, response)`, and the audit records.
#[derive(Default)]
pub(in crate::store) struct Remembered {
    pub(in crate::store) keys: Vec<(String, String, String, StoredResponse)>,
    pub(in crate::store) audits: Vec<crate::domain::access::AuditEvent>,
}

/// The answer of a write of a gathering whose key was used before: the stored response
/// for the same request, a refusal for another; `None` for a new key.
pub(in crate::store) fn replay<T>(
    stored: &StoredByKey,
    scope: &str,
    idempotency: &Option<Idempotency<'_, T>>,
) -> Option<Result<Written<T>, LedgerError>> {
    let idem = idempotency.as_ref()?;
    let (request_hash, response) = stored.get(&(scope.to_string(), idem.key.to_string()))?;
    Some(if request_hash == idem.request_hash {
        Ok(Written::Replayed(response.clone()))
    } else {
        Err(LedgerError::IdempotencyKeyReused)
    })
}

impl Remembered {
    /// Remembers the outcome of a write of a gathering with its key (so that a later write
    /// of the gathering with the same key is answered by it), and its audit record if it
    /// has one (`created` are the ids it made). Whether the audit record was kept.
    pub(in crate::store) fn keep<T>(
        &mut self,
        stored: &mut StoredByKey,
        scope: String,
        idempotency: &Option<Idempotency<'_, T>>,
        audit: Option<&crate::domain::access::AuditDraft>,
        outcome: Result<&T, &LedgerError>,
        created: Vec<Uuid>,
    ) -> bool {
        let Some(idem) = idempotency else {
            return false;
        };
        let response = (idem.render.as_ref())(outcome);
        let audited = match audit {
            Some(draft) => {
                self.audits
                    .push(draft.event(recorded_now(), response.status, created));
                true
            }
            None => false,
        };
        stored.insert(
            (scope.clone(), idem.key.to_string()),
            (idem.request_hash.to_string(), response.clone()),
        );
        self.keys.push((
            scope,
            idem.key.to_string(),
            idem.request_hash.to_string(),
            response,
        ));
        audited
    }
}
