//! Events and webhooks as the API shows them, and as webhooks deliver events.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::ledger::TransactionView;
use crate::domain::events::{Event, Webhook};

#[derive(Debug, Serialize)]
pub struct EventView {
    /// Stable: a delivery sent again carries the same id.
    pub id: Uuid,
    pub group_id: Uuid,
    pub sequence: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub subject_id: Option<Uuid>,
    pub members: Vec<Uuid>,
    pub transaction: Option<TransactionView>,
    pub member: Option<Value>,
}

impl EventView {
    pub fn of(e: &Event) -> Self {
        EventView {
            id: e.id,
            group_id: e.group_id,
            sequence: e.sequence,
            kind: e.kind.clone(),
            occurred_at: e.occurred_at,
            subject_id: e.subject_id,
            members: e.members(),
            transaction: e.transaction.as_ref().map(TransactionView::of),
            member: e.data.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct WebhookView {
    pub id: Uuid,
    pub group_id: Uuid,
    pub url: String,
    /// Only in the answer that created it, and only when the service generated it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub event_types: Vec<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub delivered_through: i64,
    pub failures: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}

impl WebhookView {
    pub fn of(w: &Webhook, show_secret: bool) -> Self {
        WebhookView {
            id: w.id,
            group_id: w.group_id,
            url: w.url.clone(),
            secret: show_secret.then(|| w.secret.clone()),
            event_types: w.event_types.clone(),
            created_by: w.created_by,
            created_at: w.created_at,
            delivered_through: w.delivered_through,
            failures: w.failures,
            next_attempt_at: w.next_attempt_at,
            last_attempt_at: w.last_attempt_at,
            last_status: w.last_status,
            last_error: w.last_error.clone(),
        }
    }
}
