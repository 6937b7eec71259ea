use std::process::ExitCode;

use clap::Parser;
use msai_ledger::app::{serve, shutdown_signal};
use msai_ledger::config::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    let options = Cli::parse().serve_options();
    if let Err(e) = msai_ledger::telemetry::init(&options.log_level, options.log_format) {
        eprintln!("msai-ledger: {e}");
        return ExitCode::from(2);
    }
    let config = match options.app_config() {
        Ok(config) => config,
        Err(e) => {
            tracing::error!(error = %e, "invalid configuration");
            return ExitCode::from(2);
        }
    };
    let store = match msai_ledger::store::connect_with(
        &options.database_url,
        options.store_options(),
    )
    .await
    {
        Ok(store) => store,
        Err(e) => {
            tracing::error!(error = %e, "start-up failed");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(options.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!(error = %e, listen = %options.listen, "cannot listen");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(listen = %options.listen, backend = store.backend(), "msai-ledger ready");
    match serve(listener, store, config, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server error");
            ExitCode::FAILURE
        }
    }
}
