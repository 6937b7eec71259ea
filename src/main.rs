use std::process::ExitCode;

use clap::Parser;
use msai_ledger::app::{serve_with_metrics, shutdown_signal};
use msai_ledger::config::{AdminCommand, Cli, ServeOptions, Task};

/// Allocations at least this large are mapped from the system on their own and returned to
/// it when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD_BYTES: libc::c_int = 1 << 20;

/// glibc raises its threshold for mapping large allocations to the size of each one freed,
/// and keeps what is freed below the threshold for reuse. Each password hash or check takes
/// 19 MiB (argon2's memory), so after a few sign-ins the process would hold about 19 MiB per
/// sign-in it ever served, well past the rest of its needs. A fixed threshold keeps such
/// blocks mapped on their own, and given back as soon as the hash is done.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() -> Result<(), String> {
    // SAFETY: mallopt only sets an allocator parameter; it is called before any other thread
    // of this process exists.
    let set = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) };
    if set == 1 {
        Ok(())
    } else {
        Err("mallopt(M_MMAP_THRESHOLD) refused".into())
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() -> Result<(), String> {
    Ok(())
}

fn main() -> ExitCode {
    let allocator = return_large_blocks_to_the_system();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("msai-ledger: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(allocator))
}

async fn run(allocator: Result<(), String>) -> ExitCode {
    match Cli::parse().task() {
        Task::Serve(options) => serve_until_stopped(*options, allocator).await,
        Task::Admin(command) => admin(command).await,
        Task::Backup(options) => {
            said(msai_ledger::backup::backup(&options.database_url, &options.to).await)
        }
        Task::Restore(options) => said(
            msai_ledger::backup::restore(&options.database_url, &options.from, options.force).await,
        ),
        Task::Verify(options) => verify(&options.database_url).await,
    }
}

/// Prints what a command did, or why it failed (exit status 1).
fn said(outcome: anyhow::Result<String>) -> ExitCode {
    match outcome {
        Ok(done) => {
            println!("{done}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("msai-ledger: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints what `verify` found; exits 1 on a fault, 2 when the check could not be made.
async fn verify(database_url: &str) -> ExitCode {
    match msai_ledger::backup::verify(database_url).await {
        Ok(verified) => {
            for line in &verified.report {
                println!("{line}");
            }
            if verified.ok {
                ExitCode::SUCCESS
            } else {
                eprintln!("msai-ledger: verify found faults");
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("msai-ledger: cannot verify: {e}");
            ExitCode::from(2)
        }
    }
}

async fn admin(command: AdminCommand) -> ExitCode {
    match command {
        AdminCommand::RotateSigningKey(options) => {
            match msai_ledger::admin::rotate_signing_key(&options).await {
                Ok(done) => {
                    println!("{done}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("msai-ledger: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        AdminCommand::ResetPassword(options) => {
            let password = match &options.password {
                Some(password) => password.clone(),
                None => {
                    let mut line = String::new();
                    if let Err(e) = std::io::stdin().read_line(&mut line) {
                        eprintln!("msai-ledger: cannot read the new password: {e}");
                        return ExitCode::from(2);
                    }
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            match msai_ledger::admin::reset_password(&options, &password).await {
                Ok(done) => {
                    println!("{done}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("msai-ledger: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

async fn serve_until_stopped(options: ServeOptions, allocator: Result<(), String>) -> ExitCode {
    if let Err(e) = msai_ledger::telemetry::init(&options.log_level, options.log_format) {
        eprintln!("msai-ledger: {e}");
        return ExitCode::from(2);
    }
    if let Err(e) = allocator {
        tracing::warn!(error = %e, "large freed blocks may stay with the process");
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
            tracing::error!(
                error = %e,
                listen = %options.listen,
                "cannot listen on {}; another address is chosen with --listen or MSAI_LISTEN",
                options.listen
            );
            return ExitCode::FAILURE;
        }
    };
    let metrics_listener = match options.metrics_listen {
        None => None,
        Some(address) => match tokio::net::TcpListener::bind(address).await {
            Ok(listener) => Some(listener),
            Err(e) => {
                tracing::error!(
                    error = %e,
                    metrics_listen = %address,
                    "cannot listen on {address} for metrics; another address is chosen with --metrics-listen or MSAI_METRICS_LISTEN"
                );
                return ExitCode::FAILURE;
            }
        },
    };
    match serve_with_metrics(listener, metrics_listener, store, config, shutdown_signal()).await {
        Ok(()) => {
            tracing::info!("msai-ledger stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %e, "server error");
            ExitCode::FAILURE
        }
    }
}
