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
    Serve(ServeOptions),
}

#[derive(Debug, Clone, Parser)]
pub struct ServeOptions {
    /// Address and port to listen on.
    #[arg(long, env = "MSAI_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

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

    /// Longest time a request may take before it is answered with 503, in seconds.
    #[arg(long, env = "MSAI_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Cli {
    pub fn serve_options(self) -> ServeOptions {
        match self.command {
            Some(Command::Serve(options)) => options,
            None => self.serve,
        }
    }
}
