//! Command line and environment. Every option is also an environment variable.

use std::net::SocketAddr;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "msai-ledger",
    version,
    about = "Exact double-entry ledgers for migrant workers' savings associations",
    long_about = "Exact double-entry ledgers for migrant workers' savings associations.\n\n\
        Serves a REST API (see /openapi.yaml) over an embedded SQLite file by default, or over \
        PostgreSQL when given a postgres:// URL. Migrations run at start."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeOptions,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (the default command).
    Serve(Box<ServeOptions>),
    /// Administration done on the database itself, whether the service runs or not.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Writes a consistent copy of the database to a new file while the service serves
    /// (SQLite: VACUUM INTO; PostgreSQL: pg_dump in its custom format).
    Backup(BackupOptions),
    /// Puts a backup in place of the database (stop the service first). A database that
    /// has users or groups is refused unless --force (PostgreSQL: pg_restore).
    Restore(RestoreOptions),
    /// Checks every group's hash chain, balances against entries, and the audit chains;
    /// exits 1 when any fault is found.
    Verify(DatabaseOptions),
}

#[derive(Debug, Clone, Parser)]
pub struct BackupOptions {
    /// Database URL, as for `serve`.
    #[arg(
        long,
        env = "MSAI_DATABASE_URL",
        default_value = "sqlite://msai-ledger.db"
    )]
    pub database_url: String,

    /// The backup file to write; it must not exist. It is readable by its owner only.
    #[arg(long)]
    pub to: std::path::PathBuf,
}

#[derive(Debug, Clone, Parser)]
pub struct RestoreOptions {
    /// Database URL, as for `serve`.
    #[arg(
        long,
        env = "MSAI_DATABASE_URL",
        default_value = "sqlite://msai-ledger.db"
    )]
    pub database_url: String,

    /// The backup file to restore, as `backup` wrote it.
    #[arg(long)]
    pub from: std::path::PathBuf,

    /// Replace a database that already has data.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Sets a user's password (admin's by default): ends the user's tokens and sessions and
    /// lifts the locks of failed sign-ins. The password is read from MSAI_NEW_PASSWORD, or from
    /// the first line of standard input.
    ResetPassword(ResetPasswordOptions),
    /// Makes a new Ed25519 key, kept in the database, the key that signs receipts and
    /// checkpoints. Earlier keys stay published, so what they signed stays checkable. Running
    /// processes sign with the new key once restarted.
    RotateSigningKey(DatabaseOptions),
}

#[derive(Debug, Clone, Parser)]
pub struct DatabaseOptions {
    /// Database URL, as for `serve`.
    #[arg(
        long,
        env = "MSAI_DATABASE_URL",
        default_value = "sqlite://msai-ledger.db"
    )]
    pub database_url: String,
}

#[derive(Debug, Clone, Parser)]
pub struct ResetPasswordOptions {
    /// Database URL, as for `serve`.
    #[arg(
        long,
        env = "MSAI_DATABASE_URL",
        default_value = "sqlite://msai-ledger.db"
    )]
    pub database_url: String,

    /// The user whose password is set.
    #[arg(long, default_value = "admin")]
    pub username: String,

    /// The new password (10 to 256 characters); read from standard input when not given.
    #[arg(long, env = "MSAI_NEW_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

#[derive(Debug, Clone, Parser)]
pub struct ServeOptions {
    /// Address and port to listen on.
    #[arg(long, env = "MSAI_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Also serve GET /metrics (Prometheus) on this address, without credentials, for a
    /// scraper on a private network. On the API's address /metrics answers administrators
    /// only.
    #[arg(long, env = "MSAI_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// Database URL: sqlite://FILE (created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "MSAI_DATABASE_URL",
        default_value = "sqlite://msai-ledger.db"
    )]
    pub database_url: String,

    /// Log filter, in tracing's EnvFilter syntax (e.g. "info" or "msai_ledger=debug,info").
    #[arg(long, env = "MSAI_LOG", default_value = "info")]
    pub log_level: String,

    /// Log format: human-readable text, or one JSON object per line.
    #[arg(long, env = "MSAI_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "MSAI_BODY_LIMIT_BYTES", default_value_t = crate::http::DEFAULT_BODY_LIMIT_BYTES)]
    pub body_limit_bytes: usize,

    /// Largest meeting body (JSON or CSV) accepted, in bytes.
    #[arg(long, env = "MSAI_MEETING_BODY_LIMIT_BYTES", default_value_t = crate::http::DEFAULT_MEETING_BODY_LIMIT_BYTES)]
    pub meeting_body_limit_bytes: usize,

    /// Largest total size of a request's header fields, in bytes; larger requests are
    /// answered 431.
    #[arg(long, env = "MSAI_MAX_HEADER_BYTES", default_value_t = crate::app::DEFAULT_MAX_HEADER_BYTES, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1024..=1024 * 1024))]
    pub max_header_bytes: usize,

    /// Most connections served at once; a connection beyond them is answered 503 and closed.
    #[arg(long, env = "MSAI_MAX_CONNECTIONS", default_value_t = crate::app::DEFAULT_MAX_CONNECTIONS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub max_connections: usize,

    /// Longest time a request may take before it is answered with 503, in seconds.
    #[arg(long, env = "MSAI_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Longest a client may take to send a request's headers, in milliseconds; a slower
    /// sender's connection is closed. Also how long an idle kept-alive connection is kept, and
    /// how often an HTTP/2 connection is pinged and how soon it must answer.
    #[arg(long, env = "MSAI_HEADER_READ_TIMEOUT_MS", default_value_t = crate::app::DEFAULT_READ_TIMEOUT.as_millis() as u64, value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(100..=300_000))]
    pub header_read_timeout_ms: u64,

    /// Longest a client may take to send a request's body once its headers have arrived, in
    /// milliseconds; a slower body is answered 408 and its connection closed.
    #[arg(long, env = "MSAI_BODY_READ_TIMEOUT_MS", default_value_t = crate::app::DEFAULT_READ_TIMEOUT.as_millis() as u64, value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(100..=300_000))]
    pub body_read_timeout_ms: u64,

    /// HS256 secret for access tokens, at least 32 bytes. When unset, a random secret is
    /// generated at first start and kept in the database, so every instance accepts the same
    /// tokens.
    #[arg(long, env = "MSAI_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// `iss` of the tokens this service issues and accepts.
    #[arg(long, env = "MSAI_JWT_ISSUER", default_value = "msai-ledger")]
    pub jwt_issuer: String,

    /// `aud` of the tokens this service issues and accepts.
    #[arg(long, env = "MSAI_JWT_AUDIENCE", default_value = "msai-ledger")]
    pub jwt_audience: String,

    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, env = "MSAI_TOKEN_LIFETIME_SECS", default_value_t = 3600)]
    pub token_lifetime_secs: u64,

    /// PEM file with the public key of an outside identity provider whose tokens (EdDSA or
    /// RS256, `sub` = a username or user id) are also accepted.
    #[arg(long, env = "MSAI_JWT_PUBLIC_KEY_FILE")]
    pub jwt_public_key_file: Option<std::path::PathBuf>,

    /// Algorithm of the outside provider's tokens: EdDSA or RS256.
    #[arg(long, env = "MSAI_JWT_PUBLIC_KEY_ALG", default_value = "EdDSA")]
    pub jwt_public_key_alg: String,

    /// `iss` required of the outside provider's tokens.
    #[arg(long, env = "MSAI_JWT_EXTERNAL_ISSUER", default_value = "")]
    pub jwt_external_issuer: String,

    /// `aud` required of the outside provider's tokens.
    #[arg(
        long,
        env = "MSAI_JWT_EXTERNAL_AUDIENCE",
        default_value = "msai-ledger"
    )]
    pub jwt_external_audience: String,

    /// How long a caller read from the database is used again, in milliseconds: the longest
    /// a grant removed, a password changed or a user disabled through another process on the
    /// same database can take to hold here (through this process, it holds at once). 0 reads
    /// the caller on every request.
    #[arg(long, env = "MSAI_CALLER_CACHE_MS", default_value_t = crate::app::DEFAULT_CALLER_CACHE_MS, value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(0..=60_000))]
    pub caller_cache_ms: u64,

    /// Password of the first administrator (user `admin`), used only when the database has
    /// no users yet. When unset, a random password is written to --bootstrap-password-file.
    #[arg(long, env = "MSAI_BOOTSTRAP_ADMIN_PASSWORD", hide_env_values = true)]
    pub bootstrap_admin_password: Option<String>,

    /// Addresses and CIDR blocks of the reverse proxies in front of the service, separated by
    /// commas. A request from one of them is taken to come from the rightmost address in its
    /// X-Forwarded-For that is not a trusted proxy; from anyone else, the header is ignored.
    #[arg(long, env = "MSAI_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// The fewest people a cell of the sex-disaggregated indicators may describe; cells of
    /// fewer are shown without figures (suppressed).
    #[arg(long, env = "MSAI_SUPPRESSION_MIN", default_value_t = crate::app::DEFAULT_SUPPRESSION_MIN, value_parser = clap::value_parser!(u32).range(1..))]
    pub suppression_min: u32,

    /// Where the generated first administrator's password is written (owner-readable only).
    #[arg(
        long,
        env = "MSAI_BOOTSTRAP_PASSWORD_FILE",
        default_value = "msai-ledger-admin-password"
    )]
    pub bootstrap_password_file: std::path::PathBuf,

    /// The service is reached over TLS (directly or through a proxy): session cookies are
    /// marked Secure, a write signed in by cookie must come from an https page, and responses
    /// carry Strict-Transport-Security.
    #[arg(long, env = "MSAI_SECURE_COOKIES", value_parser = clap::builder::BoolishValueParser::new())]
    pub secure_cookies: bool,

    /// How long a browser session lasts unused, in seconds.
    #[arg(long, env = "MSAI_SESSION_IDLE_SECS", default_value_t = crate::app::DEFAULT_SESSION_IDLE_SECS, value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..=10 * 366 * 24 * 3600))]
    pub session_idle_secs: u64,

    /// How long a browser session lasts at most, however much it is used, in seconds.
    #[arg(long, env = "MSAI_SESSION_LIFETIME_SECS", default_value_t = crate::app::DEFAULT_SESSION_LIFETIME_SECS, value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..=10 * 366 * 24 * 3600))]
    pub session_lifetime_secs: u64,

    /// The most concurrent writes committed together in one database transaction (group
    /// commit); 1 turns group commit off, so every write is its own transaction. Unset: 64 on
    /// both backends.
    #[arg(long, env = "MSAI_GROUP_COMMIT_MAX", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000))]
    pub group_commit_max: Option<usize>,

    /// How many lanes (1 to 4) the gathered writes of groups go in: each lane gathers and
    /// commits its own groups' postings, contributions, withdrawals and audit records, so on
    /// PostgreSQL one lane's writes go in while another's commit. A group always takes the
    /// same lane. Unset: 1 on both backends (SQLite has one writer at a time; on PostgreSQL
    /// with two processors, more lanes were not faster).
    #[arg(long, env = "MSAI_WRITE_LANES", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=crate::store::MAX_WRITE_LANES as u64))]
    pub write_lanes: Option<usize>,

    /// PEM file (PKCS#8, as `openssl genpkey -algorithm ed25519` writes it) with the Ed25519
    /// key that signs receipts and checkpoints; it becomes the current key and its public key
    /// is published. When unset, a key is generated at first start and kept in the database.
    #[arg(long, env = "MSAI_SIGNING_KEY_FILE")]
    pub signing_key_file: Option<std::path::PathBuf>,
}

impl ServeOptions {
    pub fn store_options(&self) -> crate::store::StoreOptions {
        crate::store::StoreOptions {
            group_commit_max: self.group_commit_max,
            write_lanes: self.write_lanes,
        }
    }

    pub fn app_config(&self) -> anyhow::Result<crate::app::AppConfig> {
        let external = match &self.jwt_public_key_file {
            None => None,
            Some(path) => {
                anyhow::ensure!(
                    !self.jwt_external_issuer.is_empty(),
                    "--jwt-external-issuer is required with --jwt-public-key-file"
                );
                Some(crate::app::ExternalKeyConfig {
                    public_key_pem: path.clone(),
                    algorithm: self.jwt_public_key_alg.clone(),
                    issuer: self.jwt_external_issuer.clone(),
                    audience: self.jwt_external_audience.clone(),
                })
            }
        };
        let trusted_proxies = crate::auth::client::TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|e| anyhow::anyhow!("--trusted-proxies: {e}"))?;
        Ok(crate::app::AppConfig {
            trusted_proxies,
            suppression_min: self.suppression_min,
            sign_in_limits: Default::default(),
            body_limit_bytes: self.body_limit_bytes,
            meeting_body_limit_bytes: self.meeting_body_limit_bytes,
            max_header_bytes: self.max_header_bytes,
            max_connections: self.max_connections,
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs),
            header_read_timeout: std::time::Duration::from_millis(self.header_read_timeout_ms),
            body_read_timeout: std::time::Duration::from_millis(self.body_read_timeout_ms),
            auth: crate::app::AuthConfig {
                jwt_secret: self.jwt_secret.clone(),
                issuer: self.jwt_issuer.clone(),
                audience: self.jwt_audience.clone(),
                token_lifetime: std::time::Duration::from_secs(self.token_lifetime_secs),
                external,
                bootstrap_admin_password: self.bootstrap_admin_password.clone(),
                bootstrap_password_file: self.bootstrap_password_file.clone(),
                caller_cache_ttl: std::time::Duration::from_millis(self.caller_cache_ms),
            },
            clock: crate::domain::dates::Clock::System,
            secure_cookies: self.secure_cookies,
            session_idle: std::time::Duration::from_secs(self.session_idle_secs),
            session_lifetime: std::time::Duration::from_secs(self.session_lifetime_secs),
            signing_key_file: self.signing_key_file.clone(),
            webhooks: Default::default(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// What the command line asks for.
pub enum Task {
    Serve(Box<ServeOptions>),
    Admin(AdminCommand),
    Backup(BackupOptions),
    Restore(RestoreOptions),
    Verify(DatabaseOptions),
}

impl Cli {
    pub fn task(self) -> Task {
        match self.command {
            Some(Command::Serve(options)) => Task::Serve(options),
            Some(Command::Admin(command)) => Task::Admin(command),
            Some(Command::Backup(options)) => Task::Backup(options),
            Some(Command::Restore(options)) => Task::Restore(options),
            Some(Command::Verify(options)) => Task::Verify(options),
            None => Task::Serve(Box::new(self.serve)),
        }
    }
}
