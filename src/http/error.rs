//! Every error a client can see, as RFC 9457 `application/problem+json`, mapped in one place.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::error::{FieldError, ItemError, LedgerError, Rule};

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// One wrong field: a JSON pointer into the body, or the name of a query parameter.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ProblemField {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// For an item of a batch: the problem type the item would have had on its own.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// An error on its way to becoming a response.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub slug: &'static str,
    pub title: String,
    pub detail: String,
    pub errors: Vec<ProblemField>,
    /// Seconds a client should wait before retrying (503).
    pub retry_after: Option<u32>,
    /// Whether the connection is closed after the answer (`Connection: close`), as when the
    /// request's body is left unread.
    pub close: bool,
    /// What the service logs of this error once it is answered (see [`log_errors`]); making
    /// or rendering an error logs nothing by itself.
    /// Boxed, so that the error stays small on every path that does not log.
    pub log: Option<Box<ErrorLog>>,
}

/// A failure of the service's own, logged once its answer leaves (see [`log_errors`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorLog {
    /// The database could not be reached (a warning: the client is told to retry).
    Unavailable(String),
    /// Anything else that failed (an error).
    Internal(String),
}

impl ErrorLog {
    fn emit(&self) {
        match self {
            ErrorLog::Unavailable(reason) => {
                tracing::warn!(reason = %reason, "database unavailable");
            }
            ErrorLog::Internal(reason) => tracing::error!(reason = %reason, "internal error"),
        }
    }
}

/// Logs the failure an answer carries (see [`ApiError::log`]): the one place errors are
/// logged, whichever handler, extractor or access check made the error, and however many
/// times it was rendered (a write renders its outcome to keep it with its idempotency key).
pub async fn log_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(req).await;
    if let Some(log) = response.extensions().get::<ErrorLog>() {
        log.emit();
    }
    response
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        slug: &'static str,
        title: &str,
        detail: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            slug,
            title: title.to_string(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            close: false,
            log: None,
        }
    }

    pub fn malformed_json(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "The body is not valid JSON",
            detail,
        )
    }

    /// A body field with the wrong type or format.
    pub fn invalid_field(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            "A field of the request is invalid",
            detail.clone(),
        );
        e.errors.push(ProblemField {
            pointer: Some(pointer.into()),
            parameter: None,
            kind: None,
            detail,
        });
        e
    }

    /// Several body fields with the wrong type or format, each `(pointer, detail)`, all
    /// reported at once.
    pub fn invalid_fields<F: Into<(String, String)>>(fields: Vec<F>) -> Self {
        let fields: Vec<(String, String)> = fields.into_iter().map(Into::into).collect();
        let detail = match fields.as_slice() {
            [(_, detail)] => detail.clone(),
            _ => fields
                .iter()
                .map(|(pointer, detail)| format!("{pointer}: {detail}"))
                .collect::<Vec<_>>()
                .join("; "),
        };
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            "A field of the request is invalid",
            detail,
        );
        e.errors = fields
            .into_iter()
            .map(|(pointer, detail)| ProblemField {
                pointer: Some(pointer),
                parameter: None,
                kind: None,
                detail,
            })
            .collect();
        e
    }

    /// A query parameter with the wrong format.
    pub fn invalid_parameter(name: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
            "A query parameter is invalid",
            format!("{name}: {detail}"),
        );
        e.errors.push(ProblemField {
            pointer: None,
            parameter: Some(name.to_string()),
            kind: None,
            detail,
        });
        e
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("{what} not found"),
        )
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("/problems/{}", self.slug),
            title: self.title.clone(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        }
    }

    pub fn body(&self) -> String {
        serde_json::to_string(&self.problem()).unwrap_or_else(|_| "{}".to_string())
    }
}

/// The checks of one body's fields, gathered so that a request with several wrong fields hears
/// of every one of them, not only the first.
#[derive(Debug, Default)]
pub struct FieldChecks {
    refused: Vec<ApiError>,
    /// The body is a batch of items (a meeting's events): refusals of different kinds are
    /// answered as `/problems/items-refused`, as the ledger answers a batch.
    items: bool,
}

impl FieldChecks {
    /// The checks of a batch's items: see [`Self::refusal`].
    pub fn items() -> Self {
        FieldChecks {
            refused: Vec::new(),
            items: true,
        }
    }

    /// The checked value, or `None` when the check refused it (kept for [`Self::refusal`]).
    pub fn check<T>(&mut self, result: Result<T, ApiError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.refused.push(e);
                None
            }
        }
    }

    /// Keeps a refusal found without a value to check (a rule between two fields).
    pub fn refuse(&mut self, error: impl Into<ApiError>) {
        self.refused.push(error.into());
    }

    pub fn passed(&self) -> bool {
        self.refused.is_empty()
    }

    /// One refusal listing every wrong field. One refusal is answered as it is; several of
    /// one type are listed under that type; several of different types (a field of the wrong
    /// format and an amount of zero) are listed under `/problems/invalid-field` (or
    /// `/problems/items-refused` for a batch), each field with the type it would have had on
    /// its own where that differs. A refusal that names no field or is not a 422 (a group
    /// that does not exist) is answered as it is, the first of them.
    pub fn refusal(self) -> ApiError {
        let unlisted = |e: &ApiError| {
            e.status != StatusCode::UNPROCESSABLE_ENTITY
                || e.errors.is_empty()
                || e.errors
                    .iter()
                    .all(|f| f.pointer.is_none() && f.parameter.is_none())
        };
        if let Some(other) = self.refused.iter().find(|e| unlisted(e)) {
            return other.clone();
        }
        let mut refused = self.refused;
        if refused.len() == 1 {
            return refused.remove(0);
        }
        let Some(first) = refused.first() else {
            return LedgerError::Internal("a field check refused without naming a field".into())
                .into();
        };
        let one_type = refused.iter().all(|e| e.slug == first.slug);
        let mut merged = if one_type {
            ApiError::new(first.status, first.slug, &first.title, "")
        } else if self.items {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "items-refused",
                "Some items were refused, so nothing was written",
                "",
            )
        } else {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-field",
                "A field of the request is invalid",
                "",
            )
        };
        for e in refused {
            let kind = (e.slug != merged.slug).then(|| format!("/problems/{}", e.slug));
            merged
                .errors
                .extend(e.errors.into_iter().map(|f| ProblemField {
                    kind: kind.clone(),
                    ..f
                }));
        }
        let listed: Vec<String> = merged
            .errors
            .iter()
            .map(|f| {
                let at = f
                    .pointer
                    .as_deref()
                    .or(f.parameter.as_deref())
                    .unwrap_or("/");
                format!("{at}: {}", f.detail)
            })
            .collect();
        merged.detail = match merged.slug {
            "items-refused" => format!(
                "{} item(s) of the request were refused; nothing was written: {}",
                listed.len(),
                listed.join("; ")
            ),
            _ => listed.join("; "),
        };
        merged
    }
}

/// The status, type and title a kind of ledger error is answered with.
struct ProblemKind {
    status: StatusCode,
    slug: &'static str,
    title: &'static str,
}

impl ProblemKind {
    fn with(&self, detail: impl Into<String>) -> ApiError {
        ApiError::new(self.status, self.slug, self.title, detail)
    }
}

const INVALID_FIELD: ProblemKind = ProblemKind {
    status: StatusCode::UNPROCESSABLE_ENTITY,
    slug: "invalid-field",
    title: "A field of the request is invalid",
};
const ITEMS_REFUSED: ProblemKind = ProblemKind {
    status: StatusCode::UNPROCESSABLE_ENTITY,
    slug: "items-refused",
    title: "Some items were refused, so nothing was written",
};
const KEY_REUSED: ProblemKind = ProblemKind {
    status: StatusCode::UNPROCESSABLE_ENTITY,
    slug: "idempotency-key-reused",
    title: "The idempotency key was used for a different request",
};
const KEY_REUSED_DETAIL: &str = "this Idempotency-Key was first used with a different request body or route; use a new key for a new request";
const UNAVAILABLE: ProblemKind = ProblemKind {
    status: StatusCode::SERVICE_UNAVAILABLE,
    slug: "unavailable",
    title: "The service is temporarily unavailable",
};
const UNAVAILABLE_DETAIL: &str =
    "the database cannot be reached; retry later with the same Idempotency-Key";
const INTERNAL: ProblemKind = ProblemKind {
    status: StatusCode::INTERNAL_SERVER_ERROR,
    slug: "internal",
    title: "Internal error",
};
const INTERNAL_DETAIL: &str = "the service failed; the outcome is unknown: retry with the same Idempotency-Key to apply the request once or get its outcome";

/// Each kind of ledger error, with what it is answered with.
impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::NotFound(what) => ApiError::not_found(what),
            LedgerError::Invalid(fields) => invalid_fields(fields),
            LedgerError::Rule {
                rule,
                detail,
                pointer,
            } => rule_broken(rule, detail, pointer),
            LedgerError::Conflict { conflict, detail } => ApiError::new(
                StatusCode::CONFLICT,
                conflict.slug(),
                conflict.title(),
                detail,
            ),
            LedgerError::Items(items) => items_refused(items),
            LedgerError::IdempotencyKeyReused => KEY_REUSED.with(KEY_REUSED_DETAIL),
            LedgerError::Unavailable(reason) => {
                let mut err = UNAVAILABLE.with(UNAVAILABLE_DETAIL);
                err.retry_after = Some(2);
                err.log = Some(Box::new(ErrorLog::Unavailable(reason)));
                err
            }
            LedgerError::Internal(reason) => {
                let mut err = INTERNAL.with(INTERNAL_DETAIL);
                err.log = Some(Box::new(ErrorLog::Internal(reason)));
                err
            }
        }
    }
}

fn invalid_fields(fields: Vec<FieldError>) -> ApiError {
    let detail = fields
        .iter()
        .map(|f| format!("{}: {}", f.pointer, f.detail))
        .collect::<Vec<_>>()
        .join("; ");
    let mut err = INVALID_FIELD.with(detail);
    err.errors = fields.into_iter().map(field).collect();
    err
}

fn rule_broken(rule: Rule, detail: String, pointer: Option<String>) -> ApiError {
    let mut err = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        rule.slug(),
        rule.title(),
        detail.clone(),
    );
    if let Some(pointer) = pointer {
        err.errors.push(ProblemField {
            pointer: Some(pointer),
            parameter: None,
            kind: None,
            detail,
        });
    }
    err
}

fn items_refused(items: Vec<ItemError>) -> ApiError {
    let mut err = ITEMS_REFUSED.with(format!(
        "{} item(s) of the request were refused; nothing was written: {}",
        items.len(),
        items
            .iter()
            .map(|i| format!("{}: {}", i.pointer, i.detail))
            .collect::<Vec<_>>()
            .join("; ")
    ));
    err.errors = items
        .into_iter()
        .map(|i| ProblemField {
            pointer: Some(i.pointer),
            parameter: None,
            kind: Some(format!("/problems/{}", i.slug)),
            detail: i.detail,
        })
        .collect();
    err
}

fn field(f: FieldError) -> ProblemField {
    ProblemField {
        pointer: Some(f.pointer),
        parameter: None,
        kind: None,
        detail: f.detail,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
        );
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.close {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if let Some(log) = self.log {
            response.extensions_mut().insert(*log);
        }
        response
            .extensions_mut()
            .insert(crate::metrics::ProblemSlug(self.slug));
        response
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::middleware::from_fn;
    use axum::routing::get;
    use tower::ServiceExt as _;
    use tracing::Level;
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::{ApiError, log_errors};
    use crate::domain::error::LedgerError;

    /// The events logged, as (level, message).
    #[derive(Clone, Default)]
    struct Logged(Arc<Mutex<Vec<(Level, String)>>>);

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Logged {
        fn on_event(
            &self,
            event: &tracing::Event<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            struct Message(String);
            impl tracing::field::Visit for Message {
                fn record_debug(
                    &mut self,
                    field: &tracing::field::Field,
                    value: &dyn std::fmt::Debug,
                ) {
                    if field.name() == "message" {
                        self.0 = format!("{value:?}");
                    }
                }
            }
            let mut message = Message(String::new());
            event.record(&mut message);
            if let Ok(mut seen) = self.0.lock() {
                seen.push((*event.metadata().level(), message.0));
            }
        }
    }

    impl Logged {
        fn seen(&self) -> Vec<(Level, String)> {
            self.0.lock().map(|s| s.clone()).unwrap_or_default()
        }
    }

    /// A handler that renders its error as a write keeps it (with its idempotency key) and
    /// then answers it.
    async fn failing(error: LedgerError) -> Result<(), ApiError> {
        let api = ApiError::from(error);
        let _kept = api.body();
        Err(api)
    }

    #[tokio::test]
    async fn an_answered_failure_is_logged_once_and_rendering_it_logs_nothing() {
        let logged = Logged::default();
        let _guard =
            tracing::subscriber::set_default(tracing_subscriber::registry().with(logged.clone()));
        let app = Router::new()
            .route(
                "/internal",
                get(|| failing(LedgerError::Internal("disk on fire".into()))),
            )
            .route(
                "/unavailable",
                get(|| failing(LedgerError::Unavailable("no route to host".into()))),
            )
            .route("/refused", get(|| failing(LedgerError::NotFound("group"))))
            .layer(from_fn(log_errors));

        // Making and rendering an error logs nothing by itself.
        let rendered = ApiError::from(LedgerError::Internal("not answered".into()));
        assert!(rendered.body().contains("/problems/internal"));
        assert!(logged.seen().is_empty(), "{:?}", logged.seen());

        for (path, status) in [
            ("/internal", StatusCode::INTERNAL_SERVER_ERROR),
            ("/unavailable", StatusCode::SERVICE_UNAVAILABLE),
            ("/refused", StatusCode::NOT_FOUND),
        ] {
            let request = Request::get(path).body(Body::empty()).expect("request");
            let response = app.clone().oneshot(request).await.expect("response");
            assert_eq!(response.status(), status, "{path}");
        }
        assert_eq!(
            logged.seen(),
            vec![
                (Level::ERROR, "internal error".to_string()),
                (Level::WARN, "database unavailable".to_string()),
            ]
        );
    }
}
