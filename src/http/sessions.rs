//! Browser sign-in: a session kept by the service and named by an `HttpOnly` cookie, so that
//! no token is ever held where a page's script could read it.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SubsecRound as _, Utc};
use serde::Serialize;

use super::AppState;
use super::error::ApiError;
use super::extract::JsonBody;
use super::guard::{CookieSession, REALM, RequestAudit};
use super::query::QueryParams;
use super::users::{TokenRequest, UserView, can, check_credentials};
use super::write::json_response;
use crate::auth::caller::Caller;
use crate::auth::session;
use crate::domain::access::{Session, User};

/// A signed-in browser's session: who it is, what they may do, and what its pages need.
#[derive(Debug, Serialize)]
pub struct SessionView {
    pub user: UserView,
    pub can: Vec<String>,
    /// Sent back in `X-CSRF-Token` with every write.
    pub csrf_token: String,
    /// When the session ends, however much it is used.
    pub expires_at: DateTime<Utc>,
    /// When the session ends if it is not used before (never after `expires_at`).
    pub idle_expires_at: DateTime<Utc>,
}

impl SessionView {
    fn of(state: &AppState, user: &User, session: &Session) -> Self {
        SessionView {
            user: UserView::of(user),
            can: can(user),
            csrf_token: session.csrf_token.clone(),
            expires_at: session.expires_at,
            idle_expires_at: session.idle_expires_at(state.sessions.lifetimes.idle),
        }
    }
}

fn set_cookie(response: &mut Response, cookie: &str) -> Result<(), ApiError> {
    let value = HeaderValue::from_str(cookie)
        .map_err(|e| ApiError::from(crate::domain::error::LedgerError::Internal(e.to_string())))?;
    response.headers_mut().insert(header::SET_COOKIE, value);
    Ok(())
}

fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// `POST /v1/auth/session`: signs a browser in. The same credentials, limits, refusals and
/// audit as `POST /v1/auth/token`; the answer is a session cookie instead of a token.
pub async fn create(
    State(state): State<AppState>,
    audit: RequestAudit,
    body: JsonBody<TokenRequest>,
) -> Result<Response, ApiError> {
    let user = match check_credentials(&state, audit, body.value).await? {
        Ok(user) => user,
        Err(refusal) => return Ok(refusal),
    };
    let cookie = session::new_secret();
    // Kept to the microsecond, so that the times read back are the times answered here.
    let now = state.clock.now().trunc_subsecs(6);
    let lifetimes = state.sessions.lifetimes;
    let kept = Session {
        token_hash: session::hash(&cookie),
        user_id: user.id,
        token_version: user.token_version,
        csrf_token: session::new_secret(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + lifetimes.absolute,
    };
    state.store.create_session(&kept, lifetimes.idle).await?;
    let mut response = json_response(StatusCode::CREATED, &SessionView::of(&state, &user, &kept));
    set_cookie(
        &mut response,
        &session::set_cookie(
            &cookie,
            lifetimes.absolute.num_seconds(),
            state.sessions.secure_cookies,
        ),
    )?;
    no_store(&mut response);
    Ok(response)
}

/// `GET /v1/auth/session`: the session the request's cookie names, for a page opened again.
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    cookie_session: Option<Extension<CookieSession>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    let Some(Extension(CookieSession(kept))) = cookie_session else {
        return Ok(no_session());
    };
    let mut response = json_response(
        StatusCode::OK,
        &SessionView::of(&state, &caller.user, &kept),
    );
    no_store(&mut response);
    Ok(response)
}

/// 401: the request was signed in some other way (a bearer token), not by a session cookie.
fn no_session() -> Response {
    let mut response = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Authentication required",
        "this request carries no session cookie: POST /v1/auth/session to sign a browser in",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
    response
}

/// `DELETE /v1/auth/session`: signs a browser out. The session its cookie names, if any, ends
/// at once on the service, and the browser is told to forget the cookie. A session still open
/// is ended only by a write from the service's own pages (the CSRF check); one that has
/// already ended, or no cookie at all, is simply forgotten.
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(cookie) = session::from_headers(&headers) {
        state.store.delete_session(&session::hash(cookie)).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    set_cookie(
        &mut response,
        &session::clear_cookie(state.sessions.secure_cookies),
    )?;
    no_store(&mut response);
    Ok(response)
}
