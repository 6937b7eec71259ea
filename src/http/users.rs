//! Signing in, users and their grants, `/v1/me`, and reading the audit log.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::error::ApiError;
use super::extract::JsonBody;
use super::guard::{REALM, RequestAudit};
use super::path::{GrantPath, UserPath};
use super::query::QueryParams;
use super::views::ListView;
use super::write::json_response;
use crate::auth::caller::Caller;
use crate::auth::password;
use crate::domain::access::{Grant, NewGrant, NewUser, Role, User};
use crate::domain::error::LedgerError;

/// Usernames: 3 to 64 characters of ASCII letters, digits, `.`, `_`, `-` and `@`.
fn check_username(name: &str) -> Result<(), ApiError> {
    let ok = (3..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            "/username",
            "must be 3 to 64 characters of ASCII letters, digits, '.', '_', '-' and '@'",
        ))
    }
}

async fn hash_password(pointer: &str, password: String) -> Result<String, ApiError> {
    password::check_policy(&password).map_err(|e| ApiError::invalid_field(pointer, e))?;
    password::off_thread(move || password::hash(&password))
        .await
        .map_err(|e| ApiError::from(LedgerError::Internal(e)))?
        .map_err(|e| ApiError::from(LedgerError::Internal(e)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize)]
pub struct TokenView {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
}

/// 429 with `Retry-After`: a sign-in limit is reached.
fn too_many_attempts(wait_secs: u64, detail: &str) -> ApiError {
    let mut error = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-attempts",
        "Too many failed sign-ins",
        format!("{detail}; try again in {wait_secs} s"),
    );
    error.retry_after = Some(u32::try_from(wait_secs).unwrap_or(u32::MAX));
    error
}

fn invalid_credentials() -> Response {
    let mut response = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid-credentials",
        "Wrong username or password",
        "the username or the password is wrong, or the user is disabled",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
    response
}

/// Checks a username and password for signing in, within the sign-in limits, and records the
/// outcome in them and in the audit record: the user signed in, or the refusal to answer with
/// (401 `invalid-credentials`). 429 when a limit is reached. A wrong password, an unknown user
/// and a disabled user cost the same work and get the same answer, so neither timing nor text
/// tells which usernames exist.
pub(super) async fn check_credentials(
    state: &AppState,
    audit: RequestAudit,
    credentials: TokenRequest,
) -> Result<Result<User, Response>, ApiError> {
    let TokenRequest { username, password } = credentials;
    let client = audit.client;
    let slot = audit.slot;
    // A name no user can have is wrong at once: it is never looked up, nor counted.
    if check_username(&username).is_err() {
        return Ok(Err(invalid_credentials()));
    }
    if let Err(wait_secs) = state.limiter.admit(&username, client).await? {
        return Err(too_many_attempts(
            wait_secs,
            "too many failed sign-ins for this username or from this address",
        ));
    }
    let found = state.store.find_login(&username).await?;
    // The audit log names the username only if such a user exists (an unknown "username" may
    // be a password typed into the wrong field), and the user id only once signed in.
    if let (Some(slot), Some((user, _))) = (&slot, &found) {
        slot.update(|i| i.username = Some(user.username.clone()));
    }
    let verified = password::off_thread(move || match found {
        None => {
            password::verify_against_nothing(&password);
            None
        }
        Some((user, hash)) => {
            (password::verify(&password, &hash) && !user.disabled).then_some(user)
        }
    })
    .await
    .map_err(|e| ApiError::from(LedgerError::Internal(e)))?;
    let Some(user) = verified else {
        state.limiter.failed(&username, client).await?;
        return Ok(Err(invalid_credentials()));
    };
    state.limiter.succeeded(&username, client).await?;
    if let Some(slot) = &slot {
        slot.update(|i| i.user_id = Some(user.id));
    }
    Ok(Ok(user))
}

/// `POST /v1/auth/token`: a bearer token for a username and password.
pub async fn token(
    State(state): State<AppState>,
    audit: RequestAudit,
    body: JsonBody<TokenRequest>,
) -> Result<Response, ApiError> {
    let user = match check_credentials(&state, audit, body.value).await? {
        Ok(user) => user,
        Err(refusal) => return Ok(refusal),
    };
    let access_token = state
        .tokens
        .issue(&user.id.to_string(), user.token_version)
        .map_err(|e| ApiError::from(LedgerError::Internal(e)))?;
    let view = TokenView {
        access_token,
        token_type: "Bearer",
        expires_in: state.tokens.lifetime_secs(),
    };
    let mut response = json_response(StatusCode::OK, &view);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    pub role: Role,
    #[serde(default)]
    pub group_id: Option<Uuid>,
    /// The member, by id or by number within `group_id`.
    #[serde(default)]
    pub member_id: Option<crate::domain::member::MemberRef>,
}

impl GrantRequest {
    async fn parse(self, state: &AppState, pointer: &str) -> Result<NewGrant, ApiError> {
        use crate::domain::member::MemberRef;
        let member_id = match (self.member_id, self.group_id) {
            (None, _) => None,
            (Some(MemberRef::Id(id)), _) => Some(id),
            // A number names a member of the grant's group; one that names no one (or no
            // group) is refused below as an id that names no member would be.
            (Some(reference @ MemberRef::Number(_)), Some(group)) => {
                match super::members::member_ids(state, group, &[reference]).await {
                    Ok(found) => Some(found.first().copied().flatten().unwrap_or(Uuid::nil())),
                    Err(e) if e.status == StatusCode::NOT_FOUND => Some(Uuid::nil()),
                    Err(e) => return Err(e),
                }
            }
            (Some(MemberRef::Number(_)), None) => Some(Uuid::nil()),
        };
        let grant = NewGrant {
            role: self.role,
            group_id: self.group_id,
            member_id,
        };
        grant
            .check()
            .map_err(|e| ApiError::invalid_field(pointer, e))?;
        Ok(grant)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub grants: Vec<GrantRequest>,
}

/// Most grants one request may give.
pub const MAX_GRANTS: usize = 50;

#[derive(Debug, Serialize)]
pub struct GrantView {
    pub id: Uuid,
    pub role: Role,
    pub group_id: Option<Uuid>,
    pub member_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl GrantView {
    pub fn of(g: &Grant) -> Self {
        GrantView {
            id: g.id,
            role: g.role,
            group_id: g.group_id,
            member_id: g.member_id,
            created_at: g.created_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub grants: Vec<GrantView>,
}

impl UserView {
    pub fn of(u: &User) -> Self {
        UserView {
            id: u.id,
            username: u.username.clone(),
            disabled: u.disabled,
            created_at: u.created_at,
            grants: u.grants.iter().map(GrantView::of).collect(),
        }
    }
}

/// `POST /v1/users`: administrators create anyone; a treasurer creates member users of their
/// own groups only.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: JsonBody<CreateUser>,
) -> Result<Response, ApiError> {
    let CreateUser {
        username,
        password,
        grants,
    } = body.value;
    check_username(&username)?;
    if grants.len() > MAX_GRANTS {
        return Err(ApiError::invalid_field(
            "/grants",
            format!("at most {MAX_GRANTS} grants"),
        ));
    }
    let mut parsed = Vec::with_capacity(grants.len());
    for (i, g) in grants.into_iter().enumerate() {
        parsed.push(g.parse(&state, &format!("/grants/{i}")).await?);
    }
    let grants = parsed;
    if !caller.is_admin() {
        let allowed = grants.iter().all(|g| {
            g.role == Role::Member
                && g.group_id
                    .is_some_and(|group| caller.is_treasurer_of(group))
        });
        if !allowed || grants.is_empty() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed",
                "a treasurer may create only member users of their own groups",
            ));
        }
    }
    let password_hash = hash_password("/password", password).await?;
    let user = state
        .store
        .create_user(NewUser {
            username,
            password_hash,
            grants,
        })
        .await?;
    Ok(json_response(StatusCode::CREATED, &UserView::of(&user)))
}

pub async fn list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(raw.as_deref(), &["limit", "cursor"])?;
    let limit = params.limit()?;
    let after = match params.cursor("u")? {
        None => None,
        Some(text) => Some(Uuid::try_parse(&text).map_err(|_| {
            ApiError::invalid_parameter("cursor", "is not a cursor returned by this list")
        })?),
    };
    let users = state.store.list_users(after, limit + 1).await?;
    Ok(ListView::overread(users, limit, "u", |u| u.id.to_string(), UserView::of).response())
}

pub async fn add_grant(
    State(state): State<AppState>,
    UserPath { user_id }: UserPath,
    body: JsonBody<GrantRequest>,
) -> Result<Response, ApiError> {
    let grant = body.value.parse(&state, "/").await?;
    let grant = state.store.add_grant(user_id, grant).await;
    state.callers.forget(user_id);
    let grant = grant?;
    Ok(json_response(StatusCode::CREATED, &GrantView::of(&grant)))
}

pub async fn delete_grant(
    State(state): State<AppState>,
    GrantPath { user_id, grant_id }: GrantPath,
) -> Result<Response, ApiError> {
    let deleted = state.store.delete_grant(user_id, grant_id).await;
    state.callers.forget(user_id);
    deleted?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    pub password: String,
    /// Required when users change their own password, so that a stolen token cannot be
    /// turned into the account itself.
    #[serde(default)]
    pub current_password: Option<String>,
}

/// `POST /v1/users/{user_id}/password`: a user changes their own password; an administrator
/// anyone's.
pub async fn set_password(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    audit: RequestAudit,
    UserPath { user_id }: UserPath,
    body: JsonBody<PasswordRequest>,
) -> Result<Response, ApiError> {
    if user_id != caller.id() && !caller.is_admin() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Not allowed",
            "only an administrator may change another user's password",
        ));
    }
    let PasswordRequest {
        password: new_password,
        current_password,
    } = body.value;
    password::check_policy(&new_password).map_err(|e| ApiError::invalid_field("/password", e))?;
    if user_id == caller.id() {
        let Some(current) = current_password else {
            return Err(ApiError::invalid_field(
                "/current_password",
                "is required to change your own password",
            ));
        };
        // Guesses at the current password count against the sign-in limit like any other.
        let username = caller.user.username.clone();
        if let Err(wait_secs) = state.limiter.admit(&username, audit.client).await? {
            return Err(too_many_attempts(
                wait_secs,
                "too many wrong passwords for this user or from this address",
            ));
        }
        let found = state.store.find_login(&username).await?;
        let matches = password::off_thread(move || {
            found.is_some_and(|(_, hash)| password::verify(&current, &hash))
        })
        .await
        .map_err(|e| ApiError::from(LedgerError::Internal(e)))?;
        if !matches {
            state.limiter.failed(&username, audit.client).await?;
            return Err(ApiError::invalid_field(
                "/current_password",
                "is not your current password",
            ));
        }
        state.limiter.succeeded(&username, audit.client).await?;
    }
    let hash = hash_password("/password", new_password).await?;
    let changed = state.store.set_password(user_id, &hash).await;
    state.callers.forget(user_id);
    changed?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /v1/users/{user_id}/disable`: the user's tokens stop working on their next request.
pub async fn disable(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    UserPath { user_id }: UserPath,
) -> Result<Response, ApiError> {
    if user_id == caller.id() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "cannot-disable-self",
            "You cannot disable yourself",
            "an administrator cannot disable their own user; ask another administrator",
        ));
    }
    let user = state.store.disable_user(user_id).await;
    state.callers.forget(user_id);
    let user = user?;
    Ok(json_response(StatusCode::OK, &UserView::of(&user)))
}

/// `DELETE /v1/users/{user_id}/sign-in-lock`: the user's failed sign-ins are forgotten, from
/// every address, so a user locked out by guesses (theirs or a stranger's) signs in again at
/// once. What an address's failures hold against everyone there is left as it is.
pub async fn lift_sign_in_lock(
    State(state): State<AppState>,
    UserPath { user_id }: UserPath,
) -> Result<Response, ApiError> {
    let user = state.store.get_user(user_id).await?;
    state.limiter.lift(&user.username).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Serialize)]
pub struct MeView {
    pub user: UserView,
    /// What the grants allow, in words a client can show.
    pub can: Vec<String>,
}

pub async fn me(
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    QueryParams::parse(raw.as_deref(), &[])?;
    Ok(json_response(
        StatusCode::OK,
        &MeView {
            user: UserView::of(&caller.user),
            can: can(&caller.user),
        },
    ))
}

/// What a user's grants allow, in words a client can show.
pub(super) fn can(user: &User) -> Vec<String> {
    let mut can = Vec::new();
    for g in &user.grants {
        can.push(match (g.role, g.group_id) {
            (Role::Admin, _) => {
                "administer the whole service: users, groups and every ledger".to_string()
            }
            (Role::Auditor, _) => {
                "read every group's ledger and the audit log, and change nothing".to_string()
            }
            (Role::Treasurer, Some(group)) => format!("read and write the ledger of group {group}"),
            (Role::Chair, Some(group)) => format!(
                "read the ledger of group {group} and approve or reject what waits for a second person there"
            ),
            (Role::Member, Some(group)) => {
                format!("see group {group} and verify its ledger")
            }
            _ => continue,
        });
    }
    can
}
