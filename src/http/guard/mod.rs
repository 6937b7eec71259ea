//! The middleware that identifies the caller, enforces each route's [`Access`], and writes the
//! audit log.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, RawPathParams, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::SubsecRound as _;
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use crate::auth::caller::{Access, Caller, Denial, decide};
use crate::auth::client::TrustedProxies;
use crate::auth::session;
use crate::domain::access::{AuditDraft, AuditEvent, Session, User};
use crate::domain::error::LedgerError;
use crate::store::{Audited, StoreResult, Written};

/// What the bearer token in a request turned out to be.
#[derive(Clone)]
pub enum Identity {
    Valid(Box<Caller>),
    Invalid(&'static str),
    /// The token could not be checked because the database is unavailable.
    Unchecked(ApiError),
}

/// Filled in while a request is handled, written to the audit log when it ends.
#[derive(Clone, Default)]
pub struct AuditSlot(Arc<Mutex<AuditInfo>>);

#[derive(Clone, Default)]
pub struct AuditInfo {
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub route: Option<String>,
    pub group_id: Option<Uuid>,
    /// What the audit layer read of the request before handing it on.
    request: RequestFacts,
    /// Set when the request's write committed its audit record (see [`RequestAudit::outcome`]).
    recorded: bool,
}

#[derive(Clone, Default)]
struct RequestFacts {
    method: String,
    path: String,
    idempotency_key: Option<String>,
    request_id: Option<String>,
    client_addr: Option<String>,
}

impl AuditSlot {
    pub fn update(&self, f: impl FnOnce(&mut AuditInfo)) {
        if let Ok(mut info) = self.0.lock() {
            f(&mut info);
        }
    }

    fn take(&self) -> AuditInfo {
        self.0.lock().map(|i| i.clone()).unwrap_or_default()
    }

    /// The request's audit record for its write to carry, so that it commits with the write
    /// (see [`AuditDraft`]); `None` for an anonymous request. Once the store answers that the
    /// write committed it (see [`RequestAudit::outcome`]), the audit layer writes nothing more
    /// for this request.
    pub fn draft(&self) -> Option<AuditDraft> {
        let info = self.0.lock().ok()?;
        info.user_id?;
        Some(AuditDraft {
            record: info.event(0, Vec::new()),
        })
    }
}

impl AuditInfo {
    /// The request's audit record, for an outcome answered with `status` that created
    /// `created_ids`. A request that ended before routing (a timeout, say) has its group read
    /// from the path.
    fn event(&self, status: u16, created_ids: Vec<Uuid>) -> AuditEvent {
        let facts = &self.request;
        AuditEvent {
            id: Uuid::now_v7(),
            occurred_at: crate::store::recorded_now(),
            user_id: self.user_id,
            username: self.username.clone(),
            group_id: self.group_id.or_else(|| group_in_path(&facts.path)),
            method: facts.method.clone(),
            route: self
                .route
                .clone()
                .unwrap_or_else(|| "(no route)".to_string()),
            path: facts.path.clone(),
            status,
            idempotency_key: facts.idempotency_key.clone(),
            request_id: facts.request_id.clone(),
            created_ids,
            client_addr: facts.client_addr.clone(),
            link: None,
        }
    }
}

pub const REALM: &str = "Bearer realm=\"msai-ledger\"";

/// 401 with a `WWW-Authenticate` challenge saying why.
pub fn unauthorized(reason: Option<&str>) -> Response {
    let detail =
        reason.unwrap_or("this route needs a bearer token: POST /v1/auth/token to get one");
    let mut response = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Authentication required",
        detail,
    )
    .into_response();
    let challenge = match reason {
        None => REALM.to_string(),
        Some(r) => format!("{REALM}, error=\"invalid_token\", error_description=\"{r}\""),
    };
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

fn bearer(value: &HeaderValue) -> Option<&str> {
    let text = value.to_str().ok()?;
    let (scheme, token) = text.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The user a token or a session names, read from the callers kept recently or else from the
/// database; `None` when there is no such user.
async fn user_by_id(state: &AppState, id: Uuid) -> Result<Option<User>, LedgerError> {
    if let Some(user) = state.callers.get(id) {
        return Ok(Some(user));
    }
    let ticket = state.callers.ticket();
    match state.store.get_user(id).await {
        Ok(user) => {
            state.callers.keep(&user, ticket);
            Ok(Some(user))
        }
        Err(LedgerError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn token_identity(state: &AppState, value: &HeaderValue) -> Identity {
    let Some(token) = bearer(value) else {
        return Identity::Invalid("the Authorization header is not a bearer token");
    };
    let verified = match state.tokens.verify(token) {
        Err(e) => return Identity::Invalid(e.0),
        Ok(verified) => verified,
    };
    let claims = &verified.claims;
    let found = match Uuid::try_parse(&claims.sub) {
        Ok(id) => user_by_id(state, id).await,
        Err(_) => state
            .store
            .find_login(&claims.sub)
            .await
            .map(|f| f.map(|(u, _)| u)),
    };
    match found {
        // Public routes (health, the API document) still answer.
        Err(e) => Identity::Unchecked(ApiError::from(e)),
        Ok(None) => Identity::Invalid("the token's user does not exist"),
        Ok(Some(user)) if user.disabled => Identity::Invalid("the token's user is disabled"),
        Ok(Some(user)) if !verified.is_current(user.token_version) => {
            Identity::Invalid("the token was issued before the user's password was changed")
        }
        Ok(Some(user)) => Identity::Valid(Box::new(Caller { user })),
    }
}

/// The browser session a request's cookie names, once checked: present on a request signed in
/// by its session cookie, for the CSRF check and `GET /v1/auth/session`.
#[derive(Clone, Debug)]
pub struct CookieSession(pub Session);

/// Resolves a session cookie: the session must be kept, open (neither idle for too long nor
/// past its end), and its user must exist, be enabled, and not have changed password since.
async fn session_identity(state: &AppState, cookie: &str) -> (Identity, Option<Session>) {
    let session = match state.store.find_session(&session::hash(cookie)).await {
        Err(e) => return (Identity::Unchecked(ApiError::from(e)), None),
        Ok(None) => {
            return (
                Identity::Invalid("the session has ended or never began"),
                None,
            );
        }
        Ok(Some(session)) => session,
    };
    let now = state.clock.now().trunc_subsecs(6);
    if !session.is_open(now, state.sessions.lifetimes.idle) {
        return (Identity::Invalid("the session has ended"), None);
    }
    let user = match user_by_id(state, session.user_id).await {
        Err(e) => return (Identity::Unchecked(ApiError::from(e)), None),
        Ok(None) => return (Identity::Invalid("the session's user does not exist"), None),
        Ok(Some(user)) => user,
    };
    if user.disabled {
        return (Identity::Invalid("the session's user is disabled"), None);
    }
    if user.token_version != session.token_version {
        return (
            Identity::Invalid("the session began before the user's password was changed"),
            None,
        );
    }
    let mut session = session;
    if session.needs_touch(now) {
        // A session that cannot be marked used now is marked by a later request; this one
        // is still answered.
        match state.store.touch_session(&session.token_hash, now).await {
            Ok(()) => session.last_seen_at = now,
            Err(e) => tracing::warn!(error = %e, "a session's last use could not be recorded"),
        }
    }
    (Identity::Valid(Box::new(Caller { user })), Some(session))
}

/// Resolves the bearer token, or else the session cookie, if any, into an [`Identity`] for the
/// routes to judge. A user who is unknown or disabled has no valid identity, whatever their
/// token or session says. With an Authorization header the cookie is not read.
pub async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // Routes that name a member by number look the number up (see `authorize`).
    req.extensions_mut().insert(Directory(state.store.clone()));
    let identity = if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        Some(token_identity(&state, value).await)
    } else if let Some(cookie) = session::from_headers(req.headers())
        // The app's own files and the public routes outside /v1 need no caller: a browser
        // fetching them sends its cookie each time, and it is not looked up for them.
        // `/metrics` is an administrator's, who may read it signed in in a browser.
        && (req.uri().path().starts_with("/v1/") || req.uri().path() == "/metrics")
    {
        let (identity, session) = session_identity(&state, cookie).await;
        if let Some(session) = session {
            if !session::is_safe(req.method())
                && let Some(reason) = session::csrf_refusal(
                    req.headers(),
                    request_host(&req).as_deref(),
                    &session.csrf_token,
                    state.sessions.secure_cookies,
                )
            {
                req.extensions_mut().insert(CsrfRefusal(reason));
            }
            req.extensions_mut().insert(CookieSession(session));
        }
        Some(identity)
    } else {
        None
    };
    if let Some(identity) = identity {
        if let (Identity::Valid(caller), Some(slot)) =
            (&identity, req.extensions().get::<AuditSlot>())
        {
            slot.update(|i| {
                i.user_id = Some(caller.user.id);
                i.username = Some(caller.user.username.clone());
            });
        }
        req.extensions_mut().insert(identity);
    }
    next.run(req).await
}

/// Why a write signed in by the session cookie is refused as cross-site; the route's access
/// check answers it (after routing, so the audit log names the route).
#[derive(Clone, Copy, Debug)]
struct CsrfRefusal(&'static str);

/// 403 `csrf`: a write signed in by the session cookie that is not shown to come from the
/// service's own pages.
fn csrf_refused(detail: &str) -> Response {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "csrf",
        "Cross-site request refused",
        detail,
    )
    .into_response()
}

/// The host the request was sent to: its `Host`, or its HTTP/2 authority.
fn request_host(req: &Request) -> Option<String> {
    req.headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()))
}

/// The store, for the access check of a path that names a member by number.
#[derive(Clone)]
pub struct Directory(pub Arc<dyn crate::store::Store>);

/// The id of the member a path names by number, for the access check: a member may read her
/// own record by her number as by her id. `None` when no member of the group has it.
async fn member_by_number(
    directory: Option<Directory>,
    group_id: Option<Uuid>,
    raw: Option<&str>,
) -> Option<Uuid> {
    let group_id = group_id?;
    let crate::domain::member::MemberRef::Number(number) =
        crate::domain::member::MemberRef::parse(raw?)?
    else {
        return None;
    };
    let Directory(store) = directory?;
    let found = store.member_ids_by_number(group_id, &[number]).await.ok()?;
    found.first().map(|(_, id)| *id)
}

/// Enforces one route's access. Runs after routing, so it knows the route and its path.
/// The value of the path parameter `name`, if the route has it.
fn path_param<'p>(params: Option<&'p RawPathParams>, name: &str) -> Option<&'p str> {
    params?
        .iter()
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value)
}

pub async fn authorize(
    access: Access,
    params: Result<RawPathParams, axum::extract::rejection::RawPathParamsRejection>,
    mut req: Request,
    next: Next,
) -> Response {
    let params = params.ok();
    let group_id = path_param(params.as_ref(), "group_id").and_then(|v| Uuid::try_parse(v).ok());
    let raw_member = path_param(params.as_ref(), "member_id");
    let member_id = match raw_member.and_then(|v| Uuid::try_parse(v).ok()) {
        Some(id) => Some(id),
        None => {
            let directory = req.extensions().get::<Directory>().cloned();
            member_by_number(directory, group_id, raw_member).await
        }
    };
    if let Some(slot) = req.extensions().get::<AuditSlot>() {
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_string());
        slot.update(|i| {
            i.route = route;
            i.group_id = group_id;
        });
    }
    // A write signed in by the session cookie that does not show it comes from the service's
    // own pages is refused before anything else is judged (see `identify`).
    if let Some(CsrfRefusal(reason)) = req.extensions().get::<CsrfRefusal>() {
        return csrf_refused(reason);
    }
    let caller = match req.extensions().get::<Identity>() {
        Some(Identity::Valid(caller)) => Some((**caller).clone()),
        Some(Identity::Invalid(reason)) if access != Access::Public => {
            return unauthorized(Some(reason));
        }
        Some(Identity::Unchecked(error)) if access != Access::Public => {
            return error.clone().into_response();
        }
        _ => None,
    };
    match decide(access, caller.as_ref(), group_id, member_id) {
        Ok(()) => {
            if let Some(caller) = caller {
                req.extensions_mut().insert(caller);
            }
            next.run(req).await
        }
        Err(Denial::Unauthenticated) => unauthorized(None),
        Err(Denial::Forbidden) => ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Not allowed",
            "your grants do not allow this request",
        )
        .into_response(),
        Err(Denial::Hidden) => ApiError::not_found("group").into_response(),
        Err(Denial::HiddenMember) => ApiError::not_found("member").into_response(),
    }
}

/// The group id of a `/v1/groups/{group_id}/...` path.
fn group_in_path(path: &str) -> Option<Uuid> {
    let mut segments = path.split('/').skip(1);
    match (segments.next(), segments.next(), segments.next()) {
        (Some("v1"), Some("groups"), Some(id)) => Uuid::try_parse(id).ok(),
        _ => None,
    }
}

fn header_text(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The client's address, as [`resolve_client`] found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// Finds the client's address (see [`TrustedProxies::client_address`]) for the audit log and
/// the sign-in limits. Runs first, before anything else reads it.
pub async fn resolve_client(
    proxies: Arc<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(peer) = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        let client = proxies.client_address(peer, forwarded);
        req.extensions_mut().insert(ClientAddr(client));
    }
    next.run(req).await
}

fn client_address(req: &Request) -> Option<String> {
    req.extensions()
        .get::<ClientAddr>()
        .map(|c| c.0.to_string())
}

/// The request's audit slot and client address, for handlers that add to the audit record.
pub struct RequestAudit {
    pub slot: Option<AuditSlot>,
    pub client: Option<IpAddr>,
}

impl RequestAudit {
    /// The draft of the request's audit record, for its write to carry (see
    /// [`AuditSlot::draft`]).
    pub fn draft(&self) -> Option<AuditDraft> {
        self.slot.as_ref().and_then(AuditSlot::draft)
    }

    /// The outcome of a write that carried the draft; when the store answers that the draft
    /// was committed with the write, the audit layer does not write it again.
    pub fn outcome<T>(&self, write: Audited<T>) -> StoreResult<Written<T>> {
        if write.audited
            && let Some(slot) = &self.slot
        {
            slot.update(|info| info.recorded = true);
        }
        write.outcome
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestAudit {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(RequestAudit {
            slot: parts.extensions.get::<AuditSlot>().cloned(),
            client: parts.extensions.get::<ClientAddr>().map(|c| c.0),
        })
    }
}

/// Longest a response waits for its audit event to be written.
const AUDIT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Largest response body the audit log reads to find the id a request created.
const AUDIT_BODY_LIMIT_BYTES: usize = 8 * 1024 * 1024;

/// The sign-in routes (for a token, for a browser session): their attempts are recorded
/// whoever sends them.
const SIGN_IN_PATHS: [&str; 2] = ["/v1/auth/token", "/v1/auth/session"];

/// Records every request that may change state (every method but GET, HEAD and OPTIONS) sent
/// by an identified caller, and every sign-in attempt, whatever its outcome: when, who, which
/// group, route, status, idempotency key, request id, and the id it created. Never a password,
/// a token or a body. Other anonymous requests changed nothing and named no one (a missing or
/// bad token, no such route): anyone could send them without end, so they are only logged.
/// The id of what a response created: the `id` of a 201 body.
fn created_ids(status: StatusCode, body: &[u8]) -> Vec<Uuid> {
    if status != StatusCode::CREATED {
        return Vec::new();
    }
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|value| {
            value
                .get("id")
                .and_then(|v| v.as_str())
                .and_then(|s| Uuid::try_parse(s).ok())
        })
        .into_iter()
        .collect()
}

pub async fn audit(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let slot = AuditSlot::default();
    let facts = RequestFacts {
        method: req.method().to_string(),
        path: req.uri().path().to_string(),
        idempotency_key: header_text(&req, "idempotency-key"),
        request_id: header_text(&req, "x-request-id"),
        client_addr: client_address(&req),
    };
    slot.update(|info| info.request = facts);
    req.extensions_mut().insert(slot.clone());
    let response = next.run(req).await;
    let info = slot.take();
    if info.recorded {
        // Written with the request's own write, in the same commit.
        return response;
    }
    let (method, path) = (&info.request.method, &info.request.path);
    let sign_in = method == "POST" && SIGN_IN_PATHS.contains(&path.as_str());
    if info.user_id.is_none() && !sign_in {
        tracing::info!(
            method = %method,
            path = %path,
            status = response.status().as_u16(),
            "anonymous request refused; not kept in the audit log"
        );
        return response;
    }

    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, AUDIT_BODY_LIMIT_BYTES)
        .await
        .unwrap_or_default();
    let event = info.event(parts.status.as_u16(), created_ids(parts.status, &bytes));
    // The event is written by its own task, so nothing that cancels this request (a timeout, a
    // client hanging up) can lose it. The response waits for it, for a while: normally the
    // event is in the log before the client hears back, and a slow database delays the
    // answer by at most AUDIT_WAIT. A 503 does not wait: it says the database could not be
    // reached or the request ran out of time, and the record's write would most likely wait
    // for the same database only to delay that answer; the task still writes it if it can.
    let store = state.store.clone();
    let write = tokio::spawn(async move {
        if let Err(e) = store.record_audit(&event).await {
            tracing::error!(error = %e, "the audit event could not be recorded");
        }
    });
    if parts.status == StatusCode::SERVICE_UNAVAILABLE {
        return Response::from_parts(parts, Body::from(bytes));
    }
    if tokio::time::timeout(AUDIT_WAIT, write).await.is_err() {
        tracing::warn!("the audit event is still being written; answering without waiting longer");
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests;
