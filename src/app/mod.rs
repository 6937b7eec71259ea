//! Assembles the service: store, router, middleware, and a server that shuts down gracefully.

mod connections;

use connections::limit_headers;
pub use connections::{serve, serve_with_metrics, shutdown_signal};

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::http::error::ApiError;
use jsonwebtoken::{Algorithm, DecodingKey};
use std::path::PathBuf;

use crate::auth::client::TrustedProxies;
use crate::auth::password;
use crate::auth::ratelimit::{LoginLimiter, SignInLimits};
use crate::auth::session::SessionSettings;
use crate::auth::token::{ExternalIssuer, TokenService};
use crate::domain::access::SessionLifetimes;
use crate::domain::access::{NewGrant, NewUser, Role};
use crate::domain::error::LedgerError;
use crate::http::bare_refusals::ProblemRefusals;
use crate::http::{AppState, router};
use crate::signing::Signer;
use crate::store::Store;

#[derive(Debug, Clone)]
pub struct AppConfig {
    pub body_limit_bytes: usize,
    /// Largest body of a meeting (JSON or CSV), which may carry hundreds of events.
    pub meeting_body_limit_bytes: usize,
    /// Largest total size of a request's header fields (names, values and separators).
    pub max_header_bytes: usize,
    /// Most connections served at once; a connection beyond them is answered 503 and closed.
    pub max_connections: usize,
    pub request_timeout: Duration,
    /// Longest a client may take to send a request's headers (and longest an idle kept-alive
    /// connection is kept): a slow sender's connection is closed then. Over HTTP/2, how often
    /// a connection is pinged, and how long the answer may take before it is closed.
    pub header_read_timeout: Duration,
    /// Longest a client may take to send a request's body once its headers have arrived; the
    /// request is then answered 408 and its connection closed.
    pub body_read_timeout: Duration,
    pub auth: AuthConfig,
    /// Proxies whose `X-Forwarded-For` names the client; none by default.
    pub trusted_proxies: TrustedProxies,
    /// The fewest people a cell of the sex-disaggregated indicators may describe before its
    /// figures are withheld, so that no one can be recognised in a small cell.
    pub suppression_min: u32,
    /// Where "now" comes from: the system clock, unless a test fixes the instant.
    pub clock: crate::domain::dates::Clock,
    /// Failed sign-ins allowed and the locks that follow them.
    pub sign_in_limits: SignInLimits,
    /// The service is reached over TLS (through a proxy, say): session cookies are `Secure`,
    /// a cookie-signed write must come from an https page, and responses carry
    /// `Strict-Transport-Security`.
    pub secure_cookies: bool,
    /// How long a browser session lasts unused.
    pub session_idle: Duration,
    /// How long a browser session lasts at most, however much it is used.
    pub session_lifetime: Duration,
    /// A PKCS#8 PEM file with the Ed25519 key that signs receipts and checkpoints; when
    /// absent, the key is generated at first start and kept in the database.
    pub signing_key_file: Option<PathBuf>,
    /// How webhooks are delivered: polling, timeouts, backoff.
    pub webhooks: crate::webhooks::WebhookOptions,
}

/// A session unused for 7 days ends by default: a treasurer who meets weekly on a phone
/// stays signed in.
pub const DEFAULT_SESSION_IDLE_SECS: u64 = 7 * 24 * 3600;

/// A session ends after 30 days by default, however much it is used.
pub const DEFAULT_SESSION_LIFETIME_SECS: u64 = 30 * 24 * 3600;

/// Cells of fewer people than this are suppressed in the indicators by default.
pub const DEFAULT_SUPPRESSION_MIN: u32 = 3;

/// Request headers may total 16 KiB by default: a bearer token and the usual headers take a
/// few hundred bytes.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 16 * 1024;

/// Headers and bodies must arrive within 10 s by default: a phone on a slow network sends a
/// request of a few kilobytes well within it, and a few hundred connections trickling bytes
/// cannot hold their places for long.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Most header fields a request may have.
pub const MAX_HEADER_FIELDS: usize = 100;

/// Connections served at once by default.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            body_limit_bytes: crate::http::DEFAULT_BODY_LIMIT_BYTES,
            meeting_body_limit_bytes: crate::http::DEFAULT_MEETING_BODY_LIMIT_BYTES,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: DEFAULT_READ_TIMEOUT,
            body_read_timeout: DEFAULT_READ_TIMEOUT,
            auth: AuthConfig::default(),
            trusted_proxies: TrustedProxies::default(),
            suppression_min: DEFAULT_SUPPRESSION_MIN,
            clock: Default::default(),
            sign_in_limits: SignInLimits::default(),
            secure_cookies: false,
            session_idle: Duration::from_secs(DEFAULT_SESSION_IDLE_SECS),
            session_lifetime: Duration::from_secs(DEFAULT_SESSION_LIFETIME_SECS),
            signing_key_file: None,
            webhooks: Default::default(),
        }
    }
}

impl AppConfig {
    /// How browser sessions are kept, from this configuration.
    pub fn session_settings(&self) -> anyhow::Result<SessionSettings> {
        let duration = |d: Duration, name: &str| {
            chrono::Duration::from_std(d)
                .ok()
                .filter(|d| *d > chrono::Duration::zero())
                .ok_or_else(|| {
                    anyhow::anyhow!("{name} must be more than 0 and at most a few centuries")
                })
        };
        Ok(SessionSettings {
            lifetimes: SessionLifetimes {
                idle: duration(self.session_idle, "MSAI_SESSION_IDLE_SECS")?,
                absolute: duration(self.session_lifetime, "MSAI_SESSION_LIFETIME_SECS")?,
            },
            secure_cookies: self.secure_cookies,
        })
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
    /// How long a caller read from the database is used again without reading it: the
    /// longest a change to a user made through another process can take to hold here.
    pub caller_cache_ttl: Duration,
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
            caller_cache_ttl: Duration::from_millis(DEFAULT_CALLER_CACHE_MS),
        }
    }
}

/// A caller is read from the database again after a second by default.
pub const DEFAULT_CALLER_CACHE_MS: u64 = 1000;

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
    if has_users(store, auth).await? {
        return Ok(());
    }
    let (password, generated) = match &auth.bootstrap_admin_password {
        Some(p) => (p.clone(), false),
        None => (password::random_hex(16), true),
    };
    password::check_policy(&password)
        .map_err(|e| anyhow::anyhow!("MSAI_BOOTSTRAP_ADMIN_PASSWORD {e}"))?;
    let admin = admin_user(&password).await?;
    // The generated password is written before the user exists: if it cannot be written,
    // start-up stops with no administrator created, and the next start tries again.
    let path = &auth.bootstrap_password_file;
    if generated {
        write_password_file(path, &password)?;
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

/// Whether the database has users already; a configured first password is then ignored,
/// and the log says so.
async fn has_users(store: &dyn Store, auth: &AuthConfig) -> anyhow::Result<bool> {
    let count = store
        .user_count()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if count > 0 && auth.bootstrap_admin_password.is_some() {
        tracing::warn!(
            "MSAI_BOOTSTRAP_ADMIN_PASSWORD is ignored: the database already has users; \
             `msai-ledger admin reset-password` sets admin's password"
        );
    }
    Ok(count > 0)
}

/// The user `admin`, administrator of every group, with `password` hashed.
async fn admin_user(password: &str) -> anyhow::Result<NewUser> {
    let hash = password::off_thread({
        let password = password.to_string();
        move || password::hash(&password)
    })
    .await
    .map_err(|e| anyhow::anyhow!(e))?
    .map_err(|e| anyhow::anyhow!(e))?;
    Ok(NewUser {
        username: "admin".into(),
        password_hash: hash,
        grants: vec![NewGrant {
            role: Role::Admin,
            group_id: None,
            member_id: None,
        }],
    })
}

/// Writes a generated password to a new file only its owner can read. A file that is
/// already there is never reused (it could have any permissions): start-up stops and asks
/// for it to be removed.
fn write_password_file(path: &std::path::Path, password: &str) -> anyhow::Result<()> {
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
    Ok(())
}

/// The key that signs receipts and checkpoints: the operator's file, made the current key
/// in the database (so its public key is published); or else the database's current key,
/// generated at the first start (the first process on a database wins).
async fn signing_key(store: &dyn Store, file: Option<&std::path::Path>) -> anyhow::Result<Signer> {
    let now = chrono::Utc::now();
    let refused = |e: LedgerError| anyhow::anyhow!("cannot read or store the signing key: {e}");
    if let Some(path) = file {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let signer =
            Signer::from_pkcs8_pem(&pem).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let own = signer.stored(now, false)?;
        let current = store.signing_key_or_init(&own).await.map_err(refused)?;
        if current.key_id != signer.key_id() {
            store.adopt_signing_key(&own).await.map_err(refused)?;
            tracing::info!(key_id = signer.key_id(), retired = %current.key_id, "the signing key of the file is now current");
        }
        return Ok(signer);
    }
    let candidate = Signer::generate();
    let current = store
        .signing_key_or_init(&candidate.stored(now, true)?)
        .await
        .map_err(refused)?;
    match current.private_key_pem {
        Some(pem) => Signer::from_pkcs8_pem(&pem),
        None => anyhow::bail!(
            "the current signing key {} is kept in a file: start with --signing-key-file, or make a new key current with `msai-ledger admin rotate-signing-key`",
            current.key_id
        ),
    }
}

/// Everything the routes share, made ready: token keys, the signing key, and the first
/// administrator.
pub async fn prepare(store: Arc<dyn Store>, config: &AppConfig) -> anyhow::Result<AppState> {
    let tokens = token_service(store.as_ref(), &config.auth).await?;
    let signer = signing_key(store.as_ref(), config.signing_key_file.as_deref()).await?;
    bootstrap_admin(store.as_ref(), &config.auth).await?;
    Ok(AppState::new(crate::http::Shared {
        limiter: LoginLimiter::new(store.clone(), config.sign_in_limits),
        store: store.clone(),
        in_flight: Default::default(),
        body_limit_bytes: config.body_limit_bytes,
        meeting_body_limit_bytes: config.meeting_body_limit_bytes,
        body_read_timeout: config.body_read_timeout,
        tokens: Arc::new(tokens),
        callers: Arc::new(crate::auth::callers::CallerCache::new(
            config.auth.caller_cache_ttl,
        )),
        suppression_min: config.suppression_min,
        clock: config.clock,
        zones: Default::default(),
        sessions: config.session_settings()?,
        signer: Arc::new(signer),
        metrics: Arc::new(crate::metrics::Metrics::new(store.clone())),
    }))
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What a browser may load and do on the service's pages: only the service's own scripts,
/// styles, images, fonts and connections, no inline script or style, no plugins, and no
/// framing by another site.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The security headers every response carries, API and pages alike.
const SECURITY_HEADERS: [(&str, &str); 7] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
];

/// Adds the security headers a response lacks (a handler's own are kept), and
/// `Strict-Transport-Security` when the service is reached over TLS.
fn add_security_headers(headers: &mut axum::http::HeaderMap, over_tls: bool) {
    for (name, value) in SECURITY_HEADERS {
        headers
            .entry(HeaderName::from_static(name))
            .or_insert(HeaderValue::from_static(value));
    }
    if over_tls {
        headers
            .entry(axum::http::header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
}

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
    let state = prepare(store, config).await?;
    Ok(app_over(state, config))
}

/// The whole HTTP application over the shared state [`prepare`] made.
pub fn app_over(state: AppState, config: &AppConfig) -> Router {
    let timeout = config.request_timeout;
    let max_header_bytes = config.max_header_bytes;
    let proxies = Arc::new(config.trusted_proxies.clone());
    let over_tls = config.secure_cookies;
    let metrics = state.metrics.clone();
    // Identifying the caller and the audit log wrap the timeout, so a request cut off by it is
    // still recorded with who sent it.
    router(state.clone())
        .layer(DefaultBodyLimit::max(config.body_limit_bytes))
        .layer(axum::middleware::from_fn(
            move |req, next: Next| async move {
                match tokio::time::timeout(timeout, next.run(req)).await {
                    Ok(response) => response,
                    Err(_) => timed_out(timeout),
                }
            },
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::http::guard::identify,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state,
            crate::http::guard::audit,
        ))
        .layer(axum::middleware::from_fn(move |req, next| {
            crate::http::guard::resolve_client(proxies.clone(), req, next)
        }))
        .layer(axum::middleware::from_fn(move |req, next| {
            limit_headers(max_header_bytes, req, next)
        }))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::map_response(
            move |mut response: Response| async move {
                add_security_headers(response.headers_mut(), over_tls);
                response
            },
        ))
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            crate::http::metrics::record,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(crate::telemetry::request_span)
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                ),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::connections::{REFUSAL_LOG_INTERVAL, RefusalLog};

    #[test]
    fn refused_connections_are_logged_at_most_once_an_interval_with_their_count() {
        let mut log = RefusalLog::default();
        let start = Instant::now();
        assert_eq!(
            log.refused(start),
            Some(1),
            "the first refusal is logged at once"
        );
        for i in 1..1000 {
            let now = start + REFUSAL_LOG_INTERVAL.mul_f64(i as f64 / 1000.0);
            assert_eq!(log.refused(now), None, "refusal {i} within the interval");
        }
        // The next line counts the 999 held back and this one.
        assert_eq!(log.refused(start + REFUSAL_LOG_INTERVAL), Some(1000));
        assert_eq!(log.refused(start + REFUSAL_LOG_INTERVAL), None);
        let later = start + REFUSAL_LOG_INTERVAL * 5 + Duration::from_millis(1);
        assert_eq!(log.refused(later), Some(2));
    }
}
