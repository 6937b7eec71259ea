//! The path every write takes: claim the idempotency key in this process (409 while a request
//! with the same key is in flight), let the store write and remember the outcome in one
//! database transaction, and answer with the first response again on a replay.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::AppState;
use super::error::{ApiError, PROBLEM_CONTENT_TYPE};
use super::extract::{IdempotencyKey, RequestContext, request_hash};
use crate::domain::error::{Conflict, LedgerError};
use crate::store::{Idempotency, StoreResult, StoredResponse, Written};

pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// Keys of requests being processed by this process, as `scope\nkey`.
#[derive(Default, Clone)]
pub struct InFlight(Arc<Mutex<HashSet<String>>>);

/// Removes its key from the in-flight set when the request ends, however it ends.
pub struct InFlightGuard {
    set: InFlight,
    entry: String,
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if let Ok(mut set) = self.set.0.lock() {
            set.remove(&self.entry);
        }
    }
}

impl InFlight {
    fn claim(&self, scope: &str, key: &str) -> Result<InFlightGuard, ApiError> {
        let entry = format!("{scope}\n{key}");
        let mut set = self
            .0
            .lock()
            .map_err(|_| ApiError::from(LedgerError::Internal("in-flight set poisoned".into())))?;
        if !set.insert(entry.clone()) {
            let c = Conflict::RequestInFlight;
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                c.slug(),
                c.title(),
                "a request with this Idempotency-Key is still being processed; retry shortly to get its outcome",
            ));
        }
        Ok(InFlightGuard {
            set: self.clone(),
            entry,
        })
    }
}

/// How an outcome is shown: a view function, or a closure holding what the view needs (the
/// signing key of a receipt).
type View<T, V> = Arc<dyn Fn(&T) -> V + Send + Sync>;

fn render<T, V: Serialize>(
    view: View<T, V>,
    status: StatusCode,
) -> impl Fn(Result<&T, &LedgerError>) -> StoredResponse + Send + Sync {
    move |outcome| match outcome {
        Ok(value) => StoredResponse {
            status: status.as_u16(),
            body: serde_json::to_string(&view(value)).unwrap_or_default(),
        },
        Err(e) => {
            let api = ApiError::from(e.clone());
            StoredResponse {
                status: api.status.as_u16(),
                body: api.body(),
            }
        }
    }
}

/// A response stored with an idempotency key, sent again.
pub fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = if status.is_success() {
        "application/json"
    } else {
        PROBLEM_CONTENT_TYPE
    };
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}

pub fn json_response<V: Serialize>(status: StatusCode, value: &V) -> Response {
    json_text_response(status, serde_json::to_string(value).unwrap_or_default())
}

/// A JSON body already written out.
fn json_text_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// What an idempotent write takes from its request: the `Idempotency-Key` header (a malformed
/// one refused with 400 as the request is read), the method and concrete path, and this
/// process's set of keys in flight. [`Idempotent::prepare`] claims the key and makes the
/// [`PreparedWrite`] the handler hands to the store.
pub struct Idempotent {
    in_flight: InFlight,
    key: Option<String>,
    route: String,
}

impl FromRequestParts<AppState> for Idempotent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Ok(RequestContext { route }) = RequestContext::from_request_parts(parts, state).await;
        let IdempotencyKey(key) = IdempotencyKey::from_request_parts(parts, state).await?;
        Ok(Idempotent {
            in_flight: state.in_flight.clone(),
            key,
            route,
        })
    }
}

impl Idempotent {
    /// Money-moving routes refuse to run without a key: a retry must never double-apply.
    pub fn require_key(&self) -> Result<(), ApiError> {
        IdempotencyKey(self.key.clone()).required().map(|_| ())
    }

    /// Claims the key (409 while a request with it is in flight in `scope`: the group's id, or
    /// the groups scope) for a request whose body's canonical JSON is `canonical_body`; its
    /// outcome is answered as `view` shows it.
    pub fn prepare<T: 'static, V: Serialize + 'static>(
        self,
        scope: impl std::fmt::Display,
        canonical_body: &str,
        view: impl Fn(&T) -> V + Send + Sync + 'static,
    ) -> Result<PreparedWrite<T, V>, ApiError> {
        self.prepare_answering(scope, canonical_body, view, StatusCode::CREATED)
    }

    /// As [`Idempotent::prepare`], for a write whose outcome is answered with `status` (202
    /// for an operation kept waiting for approval, 200 for a decision).
    pub fn prepare_answering<T: 'static, V: Serialize + 'static>(
        self,
        scope: impl std::fmt::Display,
        canonical_body: &str,
        view: impl Fn(&T) -> V + Send + Sync + 'static,
        status: StatusCode,
    ) -> Result<PreparedWrite<T, V>, ApiError> {
        let view: View<T, V> = Arc::new(view);
        let guard = match &self.key {
            Some(k) => Some(self.in_flight.claim(&scope.to_string(), k)?),
            None => None,
        };
        let rendered = Rendered::default();
        let stored = render(view.clone(), status);
        let last = rendered.clone();
        Ok(PreparedWrite {
            _guard: guard,
            key: self.key,
            hash: request_hash(&self.route, canonical_body),
            view,
            status,
            renderer: Arc::new(move |outcome| {
                let response = stored(outcome);
                last.set(outcome.is_ok().then(|| response.body.clone()));
                response
            }),
            rendered,
        })
    }
}

/// An idempotent write being prepared: the key claimed in this process, the request's hash,
/// and how to render its outcome. The handler passes `idempotency()` to the store and turns
/// the store's answer into a response with `respond`.
pub struct PreparedWrite<T, V> {
    _guard: Option<InFlightGuard>,
    key: Option<String>,
    hash: String,
    view: View<T, V>,
    status: StatusCode,
    renderer: crate::store::Render<T>,
    rendered: Rendered,
}

/// The body the store last rendered for a value created by the write, to be stored with its
/// key. The store renders the outcome it commits last, in the transaction that commits it
/// (a transaction tried again or a gathering written again write by write renders again), so
/// when the store answers with a created value this is that value's body; an outcome
/// refused clears it.
#[derive(Default, Clone)]
struct Rendered(Arc<Mutex<Option<String>>>);

impl Rendered {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        // Plain data that no holder leaves half-changed.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, body: Option<String>) {
        *self.slot() = body;
    }

    fn take(&self) -> Option<String> {
        self.slot().take()
    }
}

impl<T: 'static, V: Serialize + 'static> PreparedWrite<T, V> {
    pub fn idempotency(&self) -> Option<Idempotency<'_, T>> {
        self.key.as_deref().map(|key| Idempotency {
            key,
            request_hash: &self.hash,
            render: self.renderer.clone(),
        })
    }

    /// The answer to the write: a value created is answered with the body stored with its
    /// key when there is one (the same text a replay sends, rendered once: a receipt's
    /// signature is not made twice), else rendered now.
    pub fn respond(&self, written: StoreResult<Written<T>>) -> Result<Response, ApiError> {
        match written? {
            Written::Created(value) => Ok(match self.rendered.take() {
                Some(body) => json_text_response(self.status, body),
                None => json_response(self.status, &(self.view)(&value)),
            }),
            Written::Replayed(stored) => Ok(replay(stored)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A write of `u32` values whose view counts how often it runs.
    fn prepared(views: &Arc<AtomicUsize>) -> PreparedWrite<u32, String> {
        let views = views.clone();
        let idempotent = Idempotent {
            in_flight: InFlight::default(),
            key: Some("k-1".into()),
            route: "POST /v1/things".into(),
        };
        idempotent
            .prepare("scope", "{}", move |value: &u32| {
                views.fetch_add(1, Ordering::SeqCst);
                format!("value {value}")
            })
            .expect("the key is free")
    }

    async fn body_of(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        String::from_utf8(bytes.to_vec()).expect("UTF-8")
    }

    #[tokio::test]
    async fn a_created_value_is_answered_with_the_body_stored_for_its_key_rendered_once() {
        let views = Arc::new(AtomicUsize::new(0));
        let write = prepared(&views);
        let idempotency = write.idempotency().expect("a key");
        let stored = (idempotency.render)(Ok(&7));
        let response = write.respond(Ok(Written::Created(7))).expect("an answer");
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(body_of(response).await, stored.body);
        assert_eq!(stored.body, "\"value 7\"");
        assert_eq!(views.load(Ordering::SeqCst), 1, "the view ran once");
    }

    #[tokio::test]
    async fn a_value_rendered_again_is_answered_as_rendered_last() {
        let views = Arc::new(AtomicUsize::new(0));
        let write = prepared(&views);
        let idempotency = write.idempotency().expect("a key");
        // A first try rendered 7 and was rolled back; the second wrote 8.
        (idempotency.render)(Ok(&7));
        (idempotency.render)(Ok(&8));
        let response = write.respond(Ok(Written::Created(8))).expect("an answer");
        assert_eq!(body_of(response).await, "\"value 8\"");
        assert_eq!(
            views.load(Ordering::SeqCst),
            2,
            "rendered by the store only"
        );
    }

    #[tokio::test]
    async fn a_refusal_rendered_after_a_value_clears_it() {
        let views = Arc::new(AtomicUsize::new(0));
        let write = prepared(&views);
        let idempotency = write.idempotency().expect("a key");
        (idempotency.render)(Ok(&7));
        (idempotency.render)(Err(&LedgerError::NotFound("member")));
        assert_eq!(write.rendered.take(), None);
        let response = write.respond(Ok(Written::Created(8))).expect("an answer");
        assert_eq!(body_of(response).await, "\"value 8\"");
    }

    #[tokio::test]
    async fn a_write_without_a_key_renders_its_answer() {
        let views = Arc::new(AtomicUsize::new(0));
        let mut write = prepared(&views);
        write.key = None;
        assert!(write.idempotency().is_none());
        let response = write.respond(Ok(Written::Created(3))).expect("an answer");
        assert_eq!(body_of(response).await, "\"value 3\"");
        assert_eq!(views.load(Ordering::SeqCst), 1);
    }
}
