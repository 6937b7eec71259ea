//! Assembles the service: store, router, middleware, and a server that shuts down gracefully.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::http::error::ApiError;
use jsonwebtoken::{Algorithm, DecodingKey};
use std::path::PathBuf;

use crate::auth::client::TrustedProxies;
use crate::auth::password;
use crate::auth::ratelimit::LoginLimiter;
use crate::auth::token::{ExternalIssuer, TokenService};
use crate::domain::access::{NewGrant, NewUser, Role};
use crate::domain::error::LedgerError;
use crate::http::{AppState, router};
use crate::store::Store;

#[derive(Debug, Clone)]
pub struct AppConfig {
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
    pub auth: AuthConfig,
    /// Proxies whose `X-Forwarded-For` names the client; none by default.
    pub trusted_proxies: TrustedProxies,
    /// The fewest people a cell of the sex-disaggregated indicators may describe before its
    /// figures are withheld, so that no one can be recognised in a small cell.
    pub suppression_min: u32,
}

/// Cells of fewer people than this are suppressed in the indicators by default.
pub const DEFAULT_SUPPRESSION_MIN: u32 = 3;

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            body_limit_bytes: crate::http::DEFAULT_BODY_LIMIT_BYTES,
            request_timeout: Duration::from_secs(30),
            auth: AuthConfig::default(),
            trusted_proxies: TrustedProxies::default(),
            suppression_min: DEFAULT_SUPPRESSION_MIN,
        }
    }
}

/// Tokens, and the first administrator.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// HS256 secret (at least 32 bytes); when absent, one is generated and kept in the database
    /// so every instance on the database accepts the same tokens.
    pub jwt_secret: Option<String>,
    pub issuer: String,
    pub audience: String,
    pub token_lifetime: Duration,
    /// Verification key of an outside identity provider.
    pub external: Option<ExternalKeyConfig>,
    /// The first administrator's password; when absent a random one is written to
    /// `bootstrap_password_file`.
    pub bootstrap_admin_password: Option<String>,
    pub bootstrap_password_file: PathBuf,
}

#[derive(Debug, Clone)]
pub struct ExternalKeyConfig {
    pub public_key_pem: PathBuf,
    /// `EdDSA` or `RS256`.
    pub algorithm: String,
    pub issuer: String,
    pub audience: String,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            jwt_secret: None,
            issuer: "msai-ledger".into(),
            audience: "msai-ledger".into(),
            token_lifetime: Duration::from_secs(3600),
            external: None,
            bootstrap_admin_password: None,
            bootstrap_password_file: PathBuf::from("msai-ledger-admin-password"),
        }
    }
}

/// Shortest HS256 secret accepted, in bytes.
pub const MIN_JWT_SECRET_BYTES: usize = 32;
const JWT_SECRET_SETTING: &str = "jwt_hs256_secret";

async fn token_service(store: &dyn Store, auth: &AuthConfig) -> anyhow::Result<TokenService> {
    let secret = match &auth.jwt_secret {
        Some(secret) => {
            anyhow::ensure!(
                secret.len() >= MIN_JWT_SECRET_BYTES,
                "MSAI_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes"
            );
            secret.as_bytes().to_vec()
        }
        None => {
            let stored = store
                .setting_or_init(JWT_SECRET_SETTING, &password::random_hex(32))
                .await
                .map_err(|e| anyhow::anyhow!("cannot read or create the token secret: {e}"))?;
            hex::decode(stored)?
        }
    };
    let external = match &auth.external {
        None => None,
        Some(ext) => {
            let pem = std::fs::read(&ext.public_key_pem).map_err(|e| {
                anyhow::anyhow!("cannot read {}: {e}", ext.public_key_pem.display())
            })?;
            let (algorithm, key) = match ext.algorithm.as_str() {
                "EdDSA" => (Algorithm::EdDSA, DecodingKey::from_ed_pem(&pem)?),
                "RS256" => (Algorithm::RS256, DecodingKey::from_rsa_pem(&pem)?),
                other => anyhow::bail!(
                    "unsupported external token algorithm {other}: use EdDSA or RS256"
                ),
            };
            Some(ExternalIssuer {
                algorithm,
                key,
                issuer: ext.issuer.clone(),
                audience: ext.audience.clone(),
            })
        }
    };
    Ok(TokenService::new(
        &secret,
        &auth.issuer,
        &auth.audience,
        auth.token_lifetime.as_secs(),
        external,
    ))
}

/// On a database with no users, creates `admin` with the configured password, or with a random
/// one written to a file only the owner can read (its path is logged, never the password).
async fn bootstrap_admin(store: &dyn Store, auth: &AuthConfig) -> anyhow::Result<()> {
    if store
        .user_count()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        > 0
    {
        return Ok(());
    }
    let (password, generated) = match &auth.bootstrap_admin_password {
        Some(p) => (p.clone(), false),
        None => (password::random_hex(16), true),
    };
    password::check_policy(&password)
        .map_err(|e| anyhow::anyhow!("MSAI_BOOTSTRAP_ADMIN_PASSWORD {e}"))?;
    let hash = password::off_thread({
        let password = password.clone();
        move || password::hash(&password)
    })
    .await
    .map_err(|e| anyhow::anyhow!(e))?
    .map_err(|e| anyhow::anyhow!(e))?;
    let admin = NewUser {
        username: "admin".into(),
        password_hash: hash,
        grants: vec![NewGrant {
            role: Role::Admin,
            group_id: None,
            member_id: None,
        }],
    };
    // The generated password is written before the user exists: if it cannot be written,
    // start-up stops with no administrator created, and the next start tries again. A file
    // that is already there is never reused (it could have any permissions): start-up stops
    // and asks for it to be removed.
    let path = &auth.bootstrap_password_file;
    if generated {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot create {} for the first administrator's password ({e}); if it is left from an earlier start, remove it",
                    path.display()
                )
            })?;
        writeln!(file, "{password}")?;
        file.sync_all()?;
    }
    match store.create_user(admin).await {
        Ok(_) => {}
        // Another instance created it first; the file written here holds no valid password.
        Err(LedgerError::Conflict { .. }) => {
            if generated {
                let _ = std::fs::remove_file(path);
            }
            return Ok(());
        }
        Err(e) => anyhow::bail!("cannot create the first administrator: {e}"),
    }
    if generated {
        tracing::warn!(path = %path.display(), "created user admin; its password is in this file, readable by its owner only");
    } else {
        tracing::info!("created user admin with the configured password");
    }
    Ok(())
}

/// Everything the routes share, made ready: token keys, and the first administrator.
pub async fn prepare(store: Arc<dyn Store>, config: &AppConfig) -> anyhow::Result<AppState> {
    let tokens = token_service(store.as_ref(), &config.auth).await?;
    bootstrap_admin(store.as_ref(), &config.auth).await?;
    Ok(AppState {
        limiter: LoginLimiter::new(store.clone()),
        store,
        in_flight: Default::default(),
        body_limit_bytes: config.body_limit_bytes,
        tokens: Arc::new(tokens),
        suppression_min: config.suppression_min,
    })
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        "the service failed; the outcome is unknown: retry with the same Idempotency-Key to apply the request once or get its outcome",
    )
    .into_response()
}

/// A request that ran past the timeout is abandoned. If its database transaction had not
/// committed it is rolled back; if it had, a retry with the same Idempotency-Key gets its
/// outcome. Either way, retrying with the same key is safe.
fn timed_out(timeout: Duration) -> Response {
    let mut error = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "request-timeout",
        "The request took too long",
        format!(
            "the request did not complete within {} s; retry with the same Idempotency-Key to apply it or to get its outcome",
            timeout.as_secs()
        ),
    );
    error.retry_after = Some(1);
    error.into_response()
}

/// The whole HTTP application over a store.
pub async fn app(store: Arc<dyn Store>, config: &AppConfig) -> anyhow::Result<Router> {
    let timeout = config.request_timeout;
    let proxies = Arc::new(config.trusted_proxies.clone());
    let state = prepare(store, config).await?;
    // Identifying the caller and the audit log wrap the timeout, so a request cut off by it is
    // still recorded with who sent it.
    Ok(router(state.clone())
        .layer(DefaultBodyLimit::max(config.body_limit_bytes))
        .layer(axum::middleware::from_fn(move |req, next: Next| async move {
            match tokio::time::timeout(timeout, next.run(req)).await {
                Ok(response) => response,
                Err(_) => timed_out(timeout),
            }
        }))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::http::guard::identify))
        .layer(axum::middleware::from_fn_with_state(state, crate::http::guard::audit))
        .layer(axum::middleware::from_fn(move |req, next| {
            crate::http::guard::resolve_client(proxies.clone(), req, next)
        }))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let request_id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(tower_http::LatencyUnit::Micros)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid)))
}

/// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests finish, and
/// closes the store's pool.
pub async fn serve(
    listener: TcpListener,
    store: Arc<dyn Store>,
    config: AppConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = app(store.clone(), &config).await?;
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    store.close().await;
    Ok(result?)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
