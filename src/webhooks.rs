//! Delivers each group's events to its webhooks: at least once, in the group's order, each
//! signed (`Msai-Signature`, see `domain::events::signature`) and carrying its stable id
//! (`Msai-Event-Id`). A webhook that fails or does not answer in time is tried again later,
//! waiting longer after each failure; the events after the one it failed wait for it. Each
//! webhook is delivered by its own task, so a slow one delays no other, and a webhook is held
//! by one process at a time (a lease in the database), so several processes on one database
//! share the work.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::domain::events::{Webhook, signature, subscribed};
use crate::http::views::events::EventView;
use crate::store::Store;

/// How deliveries are paced.
#[derive(Debug, Clone)]
pub struct WebhookOptions {
    /// How often the database is asked which webhooks have events waiting.
    pub poll: Duration,
    /// Longest a receiver may take to answer a delivery; longer is a failure.
    pub timeout: Duration,
    /// The wait after a first failure, doubled after each further one...
    pub backoff_base: Duration,
    /// ...up to this.
    pub backoff_cap: Duration,
    /// How long a process holds a webhook it delivers for, renewed at each delivery; a
    /// process that stops is replaced by another once it runs out.
    pub lease: Duration,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        WebhookOptions {
            poll: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
            backoff_base: Duration::from_secs(5),
            backoff_cap: Duration::from_secs(3600),
            lease: Duration::from_secs(60),
        }
    }
}

/// Events read at a time for one webhook.
const PAGE: u32 = 100;
/// Webhooks taken at a time by one poll.
const CLAIMS: u32 = 64;
/// Longest error text kept for a webhook.
const MAX_ERROR_CHARS: usize = 300;

/// Delivers until `stopped` turns true; deliveries under way then finish the event they are
/// sending, keep their progress and let go of their webhooks.
pub fn spawn(
    store: Arc<dyn Store>,
    options: WebhookOptions,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = match reqwest::Client::builder()
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("msai-ledger/", env!("CARGO_PKG_VERSION")))
            .build()
        {
            Ok(client) => client,
            Err(e) => {
                tracing::error!(error = %e, "webhooks cannot be delivered: no HTTP client");
                return;
            }
        };
        let mut running = tokio::task::JoinSet::new();
        loop {
            if *stopped.borrow() {
                break;
            }
            let now = Utc::now();
            let lease = chrono::Duration::from_std(options.lease).unwrap_or(chrono::Duration::MAX);
            match store.claim_due_webhooks(now, now + lease, CLAIMS).await {
                Ok(claimed) => {
                    for webhook in claimed {
                        let delivery = Delivery {
                            store: store.clone(),
                            client: client.clone(),
                            options: options.clone(),
                            stopped: stopped.clone(),
                        };
                        running.spawn(delivery.run(webhook));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not read the webhooks due"),
            }
            while running.try_join_next().is_some() {}
            tokio::select! {
                _ = tokio::time::sleep(options.poll) => {}
                _ = stopped.changed() => {}
            }
        }
        while running.join_next().await.is_some() {}
    })
}

struct Delivery {
    store: Arc<dyn Store>,
    client: reqwest::Client,
    options: WebhookOptions,
    /// The service is stopping: the delivery lets go after the event it is sending.
    stopped: tokio::sync::watch::Receiver<bool>,
}

impl Delivery {
    /// Delivers the webhook's events in order until none waits, one fails, or the webhook
    /// is no longer this process's (deleted, replayed, or its lease ran out); then lets go.
    async fn run(self, mut webhook: Webhook) {
        loop {
            let page = match self
                .store
                .list_events(webhook.group_id, webhook.delivered_through, PAGE)
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!(webhook = %webhook.id, error = %e, "could not read events");
                    let _ = self.store.record_delivery(&webhook, None).await;
                    return;
                }
            };
            for event in &page.items {
                if *self.stopped.borrow() {
                    let _ = self.store.record_delivery(&webhook, None).await;
                    return;
                }
                if !subscribed(&webhook.event_types, &event.kind) {
                    webhook.delivered(event.sequence, None, Utc::now());
                    continue;
                }
                let body = match serde_json::to_vec(&EventView::of(event)) {
                    Ok(body) => body,
                    Err(e) => {
                        tracing::error!(error = %e, "an event could not be written as JSON");
                        return;
                    }
                };
                match self.send(&webhook, event, body).await {
                    Ok(status) => webhook.delivered(event.sequence, Some(status), Utc::now()),
                    Err((status, error)) => {
                        tracing::info!(webhook = %webhook.id, event = %event.id, error,
                            "a webhook delivery failed; it will be tried again");
                        webhook.failed(
                            status,
                            error,
                            Utc::now(),
                            self.options.backoff_base,
                            self.options.backoff_cap,
                        );
                        let _ = self.store.record_delivery(&webhook, None).await;
                        return;
                    }
                }
                let held_until = Utc::now()
                    + chrono::Duration::from_std(self.options.lease)
                        .unwrap_or(chrono::Duration::MAX);
                match self.store.record_delivery(&webhook, Some(held_until)).await {
                    Ok(true) => {}
                    // Deleted or replayed meanwhile: whoever holds it now goes on.
                    Ok(false) => return,
                    Err(e) => {
                        tracing::warn!(webhook = %webhook.id, error = %e,
                            "could not keep a webhook's progress; the event will be sent again");
                        return;
                    }
                }
            }
            if !page.has_more {
                let _ = self.store.record_delivery(&webhook, None).await;
                return;
            }
        }
    }

    /// Sends one event; the status of a 2xx answer, or the status (if any) and what went
    /// wrong.
    async fn send(
        &self,
        webhook: &Webhook,
        event: &crate::domain::events::Event,
        body: Vec<u8>,
    ) -> Result<i64, (Option<i64>, String)> {
        let signed = signature(&webhook.secret, Utc::now().timestamp(), &body);
        let sent = self
            .client
            .post(&webhook.url)
            .header("content-type", "application/json")
            .header("msai-event-id", event.id.to_string())
            .header("msai-event-type", event.kind.as_str())
            .header("msai-signature", signed)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(answer) => {
                let status = i64::from(answer.status().as_u16());
                if answer.status().is_success() {
                    Ok(status)
                } else {
                    Err((Some(status), format!("answered {}", answer.status())))
                }
            }
            Err(e) if e.is_timeout() => Err((
                None,
                format!("no answer within {} s", self.options.timeout.as_secs_f32()),
            )),
            Err(e) => {
                let mut text = format!("could not be sent: {e}");
                if let Some(cause) = std::error::Error::source(&e) {
                    text.push_str(&format!(" ({cause})"));
                }
                Err((None, text.chars().take(MAX_ERROR_CHARS).collect()))
            }
        }
    }
}
