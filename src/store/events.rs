//! Events for other systems, written once for both backends over `Backend` (but for the
//! events of postings on PostgreSQL, numbered by the statement that writes the postings'
//! rows, `events_part` in `postgres.rs`): each group's events in order, written in the
//! transaction that posts them (the outbox), read by
//! `GET .../events` and delivered by webhooks (`crate::webhooks`). What an event is, how a
//! delivery is signed and how long a failing webhook waits are in `domain::events`.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row as _;
use uuid::Uuid;

use crate::domain::error::LedgerError;
use crate::domain::events::{Event, NewEvent, NewWebhook, Webhook};
use crate::store::backend::{Backend, DbRow, Ledger, Tx};
use crate::store::ledger::WriteScript;
use crate::store::shared::*;
use crate::store::tx::{Column, read_tx, write_tx};
use crate::store::{Idempotency, StoreResult, Written};

/// Webhooks due for an attempt that no process holds and that have events to deliver.
const DUE_WEBHOOKS: &str = "SELECT * FROM webhooks w WHERE w.next_attempt_at <= $1 \
     AND (w.lease_until IS NULL OR w.lease_until < $1) \
     AND EXISTS (SELECT 1 FROM events e WHERE e.group_id = w.group_id \
     AND e.sequence > w.delivered_through) ORDER BY w.next_attempt_at LIMIT $2";

/// Each method is one database transaction.
#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// The group's events after the one numbered `after`, oldest first, at most `limit`.
    async fn list_events(
        &self,
        group_id: Uuid,
        after: i64,
        limit: u32,
    ) -> StoreResult<crate::domain::model::Page<Event>>;
    async fn create_webhook(
        &self,
        group_id: Uuid,
        webhook: NewWebhook,
        idempotency: Option<Idempotency<'_, Webhook>>,
    ) -> StoreResult<Written<Webhook>>;
    async fn list_webhooks(&self, group_id: Uuid) -> StoreResult<Vec<Webhook>>;
    async fn get_webhook(&self, group_id: Uuid, webhook_id: Uuid) -> StoreResult<Webhook>;
    async fn delete_webhook(&self, group_id: Uuid, webhook_id: Uuid) -> StoreResult<()>;
    /// Delivers again every event after the one numbered `after`, at once.
    async fn replay_webhook(
        &self,
        group_id: Uuid,
        webhook_id: Uuid,
        after: i64,
    ) -> StoreResult<Webhook>;
    /// Takes the webhooks due for delivery that no process holds, holding each until
    /// `lease_until`.
    async fn claim_due_webhooks(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Webhook>>;
    /// Keeps a webhook's progress (what it delivered, how its last attempt went) and holds it
    /// until `held_until`, or lets go of it (`None`). `false` when the process no longer holds
    /// it: the webhook was deleted or replayed meanwhile, and its delivery stops.
    async fn record_delivery(
        &self,
        webhook: &Webhook,
        held_until: Option<DateTime<Utc>>,
    ) -> StoreResult<bool>;
}

#[async_trait]
impl<B: Backend> EventStore for Ledger<B>
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
    async fn list_events(
        &self,
        group_id: Uuid,
        after: i64,
        limit: u32,
    ) -> StoreResult<crate::domain::model::Page<Event>> {
        read_tx!(self, |tx| {
            let result: Result<_, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                Self::events_in_tx(&mut tx, group_id, after, limit).await
            }
            .await;
            result
        })
    }

    async fn create_webhook(
        &self,
        group_id: Uuid,
        webhook: NewWebhook,
        idempotency: Option<Idempotency<'_, Webhook>>,
    ) -> StoreResult<Written<Webhook>> {
        write_tx!(self, |tx| {
            Self::lock_group(&mut tx, group_id).await?;
            let scope = group_id.to_string();
            if let Some(replay) = Self::claimed_response(&mut tx, &scope, &idempotency).await? {
                return Ok(Ok(Written::Replayed(replay)));
            }
            let head = Self::events_head(&mut tx, group_id).await?;
            let created = webhook.clone().start(group_id, head, recorded_now());
            Self::write_webhook(&mut tx, &created, Writing::New).await?;
            Self::finish(&mut tx, &scope, &idempotency, Ok(created)).await
        })
    }

    async fn list_webhooks(&self, group_id: Uuid) -> StoreResult<Vec<Webhook>> {
        read_tx!(self, |tx| {
            let result: Result<_, TxError> = async {
                Self::read_group(&mut tx, group_id).await?;
                let rows = sqlx::query(
                    "SELECT * FROM webhooks WHERE group_id = $1 ORDER BY id LIMIT 1000",
                )
                .bind(group_id)
                .fetch_all(&mut *tx)
                .await?;
                rows.iter().map(Self::webhook_from_row).collect()
            }
            .await;
            result
        })
    }

    async fn get_webhook(&self, group_id: Uuid, webhook_id: Uuid) -> StoreResult<Webhook> {
        read_tx!(self, |tx| Self::webhook_in_tx(
            &mut tx, group_id, webhook_id
        )
        .await)
    }

    async fn delete_webhook(&self, group_id: Uuid, webhook_id: Uuid) -> StoreResult<()> {
        write_tx!(self, |tx| {
            Self::webhook_in_tx(&mut tx, group_id, webhook_id).await?;
            sqlx::query("DELETE FROM webhooks WHERE group_id = $1 AND id = $2")
                .bind(group_id)
                .bind(webhook_id)
                .execute(&mut *tx)
                .await?;
            Ok(Ok(()))
        })
    }

    async fn replay_webhook(
        &self,
        group_id: Uuid,
        webhook_id: Uuid,
        after: i64,
    ) -> StoreResult<Webhook> {
        write_tx!(self, |tx| {
            let mut webhook = Self::webhook_in_tx(&mut tx, group_id, webhook_id).await?;
            let head = Self::events_head(&mut tx, group_id).await?;
            if after > head {
                return Ok(Err(LedgerError::Invalid(vec![
                    crate::domain::error::FieldError::new(
                        "/after",
                        format!("the group's last event is number {head}"),
                    ),
                ])));
            }
            webhook.replay_from(after, recorded_now());
            Self::write_webhook(&mut tx, &webhook, Writing::Replay).await?;
            Ok(Ok(webhook))
        })
    }

    async fn claim_due_webhooks(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Webhook>> {
        // Most polls find nothing to do: they read, and write only when there is.
        let due: Vec<Uuid> = read_tx!(self, |tx| {
            let rows = sqlx::query(DUE_WEBHOOKS)
                .bind(now)
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await;
            rows.map_err(TxError::from).and_then(|rows| {
                rows.iter()
                    .map(|r| r.try_get::<Uuid, _>("id").map_err(TxError::from))
                    .collect::<Result<Vec<Uuid>, TxError>>()
            })
        })?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        write_tx!(self, |tx| {
            let rows = sqlx::query(DUE_WEBHOOKS)
                .bind(now)
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await?;
            let mut claimed = Vec::with_capacity(rows.len());
            for row in &rows {
                let webhook = Self::webhook_from_row(row)?;
                let mut webhook = webhook;
                webhook.lease = Some(Uuid::new_v4());
                // Another process may have taken it since it was read: only one wins.
                let taken = sqlx::query(
                    "UPDATE webhooks SET lease_until = $1, lease_token = $2 WHERE id = $3 \
                     AND (lease_until IS NULL OR lease_until < $4)",
                )
                .bind(lease_until)
                .bind(webhook.lease)
                .bind(webhook.id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if B::rows_affected(&taken) == 1 {
                    claimed.push(webhook);
                }
            }
            Ok(Ok(claimed))
        })
    }

    async fn record_delivery(
        &self,
        webhook: &Webhook,
        held_until: Option<DateTime<Utc>>,
    ) -> StoreResult<bool> {
        write_tx!(self, |tx| {
            let held = Self::write_webhook(&mut tx, webhook, Writing::Progress(held_until)).await?;
            Ok(Ok(held))
        })
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
    /// Appends events to their groups' orders, in the transaction that posts them: each
    /// `(group, event, when it occurred)` numbered after its group's last. The group's writes
    /// are serialised (its row is locked, or the database's one writer holds it), so the
    /// numbers follow the order of the commits.
    pub(in crate::store) async fn append_events(
        tx: &mut Tx<B::Db>,
        events: &[(Uuid, NewEvent, DateTime<Utc>)],
    ) -> Result<(), TxError> {
        let mut groups: Vec<Uuid> = events.iter().map(|(group_id, _, _)| *group_id).collect();
        groups.sort_unstable();
        groups.dedup();
        let mut heads = Self::events_heads(tx, &groups).await?;
        let mut script = WriteScript::<B>::new();
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let mut numbered = Vec::with_capacity(chunk.len());
            for (group_id, event, at) in chunk {
                let head = heads
                    .get(group_id)
                    .copied()
                    .ok_or_else(|| internal("the head of a group's events"))?;
                heads.insert(*group_id, head + 1);
                numbered.push((*group_id, head + 1, event, *at));
            }
            script.statement(tx).await?;
            script.push(
                "INSERT INTO events (group_id, sequence, id, type, occurred_at, subject_id, \
                 transaction_id, data) VALUES ",
            );
            for (n, (group_id, sequence, event, at)) in numbered.into_iter().enumerate() {
                let data = match &event.data {
                    Some(data) => Some(serde_json::to_string(data).map_err(internal)?),
                    None => None,
                };
                script.push(if n == 0 { "(" } else { ", (" });
                script.bind(group_id).push(", ").bind(sequence).push(", ");
                script
                    .bind(event.id)
                    .push(", ")
                    .bind(event.kind.to_string())
                    .push(", ");
                script.bind(at).push(", ").bind(event.subject_id).push(", ");
                script.bind(event.transaction_id).push(", ").bind(data);
                script.push(")");
            }
        }
        script.send(tx).await
    }

    /// The numbers of the last events of `groups` (0 for a group with none), read by one
    /// statement for every `ROWS_PER_STATEMENT` groups: each group's through its own end of
    /// the index on (group, sequence).
    async fn events_heads(
        tx: &mut Tx<B::Db>,
        groups: &[Uuid],
    ) -> Result<std::collections::HashMap<Uuid, i64>, TxError> {
        let mut heads = std::collections::HashMap::with_capacity(groups.len());
        for chunk in groups.chunks(ROWS_PER_STATEMENT) {
            let values: Vec<String> = (1..=chunk.len()).map(|n| format!("(${n})")).collect();
            let sql = format!(
                "WITH v (g) AS (VALUES {}) SELECT v.g AS group_id, \
                 (SELECT MAX(e.sequence) FROM events e WHERE e.group_id = v.g) AS head FROM v",
                values.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for group_id in chunk {
                query = query.bind(*group_id);
            }
            for row in query.fetch_all(&mut **tx).await? {
                let head: Option<i64> = row.try_get("head")?;
                heads.insert(row.try_get("group_id")?, head.unwrap_or(0));
            }
        }
        Ok(heads)
    }

    /// The number of the group's last event (0 before its first).
    async fn events_head(tx: &mut Tx<B::Db>, group_id: Uuid) -> Result<i64, TxError> {
        let row = sqlx::query("SELECT MAX(sequence) AS head FROM events WHERE group_id = $1")
            .bind(group_id)
            .fetch_one(&mut **tx)
            .await?;
        Ok(row.try_get::<Option<i64>, _>("head")?.unwrap_or(0))
    }

    async fn events_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<crate::domain::model::Page<Event>, TxError> {
        let rows = sqlx::query(
            "SELECT * FROM events WHERE group_id = $1 AND sequence > $2 \
             ORDER BY sequence LIMIT $3",
        )
        .bind(group_id)
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(&mut **tx)
        .await?;
        let has_more = rows.len() > limit as usize;
        let mut items = Vec::with_capacity(rows.len().min(limit as usize));
        for row in rows.iter().take(limit as usize) {
            let data: Option<String> = row.try_get("data")?;
            let transaction_id: Option<Uuid> = row.try_get("transaction_id")?;
            let transaction = match transaction_id {
                Some(id) => Some(Self::load_transaction(tx, group_id, id).await?),
                None => None,
            };
            items.push(Event {
                id: row.try_get("id")?,
                group_id,
                sequence: row.try_get("sequence")?,
                kind: row.try_get("type")?,
                occurred_at: row.try_get("occurred_at")?,
                subject_id: row.try_get("subject_id")?,
                data: match data {
                    Some(d) => Some(serde_json::from_str(&d).map_err(internal)?),
                    None => None,
                },
                transaction,
            });
        }
        Ok(crate::domain::model::Page { items, has_more })
    }

    async fn webhook_in_tx(
        tx: &mut Tx<B::Db>,
        group_id: Uuid,
        webhook_id: Uuid,
    ) -> Result<Webhook, TxError> {
        Self::read_group(tx, group_id).await?;
        let row = sqlx::query("SELECT * FROM webhooks WHERE group_id = $1 AND id = $2")
            .bind(group_id)
            .bind(webhook_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(TxError::Ledger(LedgerError::NotFound("webhook")))?;
        Self::webhook_from_row(&row)
    }

    fn webhook_from_row(row: &DbRow<B>) -> Result<Webhook, TxError> {
        let types: String = row.try_get("event_types")?;
        Ok(Webhook {
            id: row.try_get("id")?,
            group_id: row.try_get("group_id")?,
            url: row.try_get("url")?,
            secret: row.try_get("secret")?,
            event_types: serde_json::from_str(&types).map_err(internal)?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
            delivered_through: row.try_get("delivered_through")?,
            failures: row.try_get("failures")?,
            next_attempt_at: row.try_get("next_attempt_at")?,
            last_attempt_at: row.try_get("last_attempt_at")?,
            last_status: row.try_get("last_status")?,
            last_error: row.try_get("last_error")?,
            lease: None,
        })
    }

    /// Inserts a new webhook, or keeps an existing one's progress; `true` when a row was
    /// written.
    async fn write_webhook(
        tx: &mut Tx<B::Db>,
        w: &Webhook,
        writing: Writing,
    ) -> Result<bool, TxError> {
        let lease = match writing {
            Writing::New => {
                let types = serde_json::to_string(&w.event_types).map_err(internal)?;
                sqlx::query(
                    "INSERT INTO webhooks (id, group_id, url, secret, event_types, created_by, \
                     created_at, delivered_through, failures, next_attempt_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(w.id)
                .bind(w.group_id)
                .bind(w.url.as_str())
                .bind(w.secret.as_str())
                .bind(types)
                .bind(w.created_by)
                .bind(w.created_at)
                .bind(w.delivered_through)
                .bind(w.failures)
                .bind(w.next_attempt_at)
                .execute(&mut **tx)
                .await?;
                return Ok(true);
            }
            // A replay lets go of the webhook: a delivery under way stops at its next step.
            Writing::Replay => "lease_until = NULL, lease_token = NULL WHERE id = $7",
            Writing::Progress(Some(_)) => "lease_until = $8 WHERE id = $7 AND lease_token = $9",
            Writing::Progress(None) => {
                "lease_until = NULL, lease_token = NULL WHERE id = $7 AND lease_token = $8"
            }
        };
        let sql = format!(
            "UPDATE webhooks SET delivered_through = $1, failures = $2, next_attempt_at = $3, \
             last_attempt_at = $4, last_status = $5, last_error = $6, {lease}"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(w.delivered_through)
            .bind(w.failures)
            .bind(w.next_attempt_at)
            .bind(w.last_attempt_at)
            .bind(w.last_status)
            .bind(w.last_error.as_deref())
            .bind(w.id);
        if let Writing::Progress(held_until) = writing {
            if let Some(until) = held_until {
                query = query.bind(until);
            }
            query = query.bind(w.lease);
        }
        let done = query.execute(&mut **tx).await?;
        Ok(B::rows_affected(&done) == 1)
    }
}

/// What `write_webhook` writes.
#[derive(Clone, Copy)]
enum Writing {
    New,
    /// Its events to be delivered again from a point: it is let go of.
    Replay,
    /// Its delivery's progress, by the process that holds it, holding it until then (or
    /// letting go of it).
    Progress(Option<DateTime<Utc>>),
}
