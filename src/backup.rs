//! `msai-ledger backup`, `restore` and `verify`: a consistent copy of the database taken while
//! the service serves, its return into a database (never over data unless forced), and an
//! offline check of every group's chain and balances and of the audit chains.
//!
//! On SQLite a backup is `VACUUM INTO` a new file: one read transaction, so the copy is the
//! database as one moment saw it, writes of the service going on meanwhile. On PostgreSQL it
//! is `pg_dump` in its custom format (one snapshot as well), and a restore is `pg_restore`;
//! both run from the PostgreSQL client programs on the `PATH` (`MSAI_PG_BINDIR` names another
//! directory), of the server's major version or later.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use sqlx::ConnectOptions as _;
use sqlx::sqlite::SqliteConnectOptions;

use crate::store::StoreOptions;

/// How long a backup waits for a lock on SQLite (`VACUUM INTO` reads through the service's
/// writes, and waits only while a checkpoint holds the file).
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Where a PostgreSQL client program is run from.
const PG_BINDIR_ENV: &str = "MSAI_PG_BINDIR";

enum Database {
    Sqlite(Box<SqliteConnectOptions>),
    Postgres(String),
}

fn database(url: &str) -> anyhow::Result<Database> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Database::Postgres(url.to_string()))
    } else if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| anyhow::anyhow!("the database URL: {e}"))?
            .create_if_missing(false)
            .busy_timeout(BUSY_TIMEOUT);
        Ok(Database::Sqlite(Box::new(options)))
    } else {
        anyhow::bail!("unsupported database URL: expected sqlite:// or postgres://")
    }
}

/// Creates `path`, empty and readable by its owner only (a copy holds the secret that signs
/// tokens, as the database does); an existing file is never overwritten.
fn create_private(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(|e| anyhow::anyhow!("cannot create {} ({e}); give a new file", path.display()))
}

/// Writes a consistent copy of the database at `url` to the new file `to`, while the service
/// may go on serving. Returns what was done, for the operator.
pub async fn backup(url: &str, to: &Path) -> anyhow::Result<String> {
    let database = database(url)?;
    create_private(to)?;
    let made = match database {
        Database::Sqlite(options) => vacuum_into(*options, to).await,
        Database::Postgres(url) => pg_dump(&url, to),
    };
    if let Err(e) = made {
        let _ = std::fs::remove_file(to);
        return Err(e);
    }
    Ok(format!("backed up to {}", to.display()))
}

async fn vacuum_into(options: SqliteConnectOptions, to: &Path) -> anyhow::Result<()> {
    let mut connection = options
        .connect()
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    let target = to
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("{} is not a UTF-8 path", to.display()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut connection)
        .await
        .map_err(|e| anyhow::anyhow!("VACUUM INTO {}: {e}", to.display()))?;
    sqlx::Connection::close(connection).await?;
    // The copy is complete once this returns: make it durable before saying so.
    std::fs::File::open(to)?.sync_all()?;
    Ok(())
}

/// A PostgreSQL client program: in `MSAI_PG_BINDIR`, else on the `PATH`.
fn pg_program(name: &str) -> PathBuf {
    match std::env::var_os(PG_BINDIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).join(name),
        _ => PathBuf::from(name),
    }
}

/// Runs a PostgreSQL client program; its standard error is the reason it failed.
fn run(mut command: Command, what: &str) -> anyhow::Result<()> {
    let output = command
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run {what} ({e}); install the PostgreSQL client programs or set {PG_BINDIR_ENV}"))?;
    anyhow::ensure!(
        output.status.success(),
        "{what} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(())
}

fn pg_dump(url: &str, to: &Path) -> anyhow::Result<()> {
    let mut command = Command::new(pg_program("pg_dump"));
    command
        .arg("--format=custom")
        .arg("--no-owner")
        .arg("--no-privileges")
        .arg("--file")
        .arg(to)
        .arg("--dbname")
        .arg(url);
    run(command, "pg_dump")?;
    std::fs::File::open(to)?.sync_all()?;
    Ok(())
}

/// Whether the database has users or groups (a service has run on it).
async fn has_data(store: &dyn crate::store::Store) -> anyhow::Result<bool> {
    let users = store
        .user_count()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let groups = store
        .list_groups(None, 1)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(users > 0 || !groups.is_empty())
}

/// Puts the backup `from` in place of the database at `url`. A database with data is refused
/// unless `force`. The service must not be running on the database meanwhile.
pub async fn restore(url: &str, from: &Path, force: bool) -> anyhow::Result<String> {
    let database = database(url)?;
    anyhow::ensure!(from.is_file(), "there is no backup file {}", from.display());
    let refuse_data = |has: bool| {
        anyhow::ensure!(
            force || !has,
            "the database already has data; restore over it with --force (it is replaced)"
        );
        Ok(())
    };
    match database {
        Database::Sqlite(options) => {
            let target = options.get_filename().to_path_buf();
            if target.exists() {
                let store = crate::store::connect_with(url, StoreOptions::default()).await?;
                let has = has_data(store.as_ref()).await;
                store.close().await;
                refuse_data(has?)?;
            }
            replace_file(from, &target)?;
        }
        Database::Postgres(url) => {
            let store = crate::store::connect_with(&url, StoreOptions::default()).await?;
            let has = has_data(store.as_ref()).await;
            store.close().await;
            refuse_data(has?)?;
            // Connecting migrated the database: its tables are there, and are replaced.
            let mut command = Command::new(pg_program("pg_restore"));
            command
                .arg("--clean")
                .arg("--if-exists")
                .arg("--no-owner")
                .arg("--no-privileges")
                .arg("--single-transaction")
                .arg("--exit-on-error")
                .arg("--dbname")
                .arg(writable(&url))
                .arg(from);
            run(command, "pg_restore")?;
        }
    }
    // The restored database is opened once, which applies any migration newer than the backup.
    let store = crate::store::connect_with(url, StoreOptions::default()).await?;
    store.close().await;
    Ok(format!("restored from {}", from.display()))
}

/// `url` for a program that writes, such as `pg_restore`: one naming several hosts (a primary
/// and its standbys) asks libpq for the one that takes writes, unless it says otherwise.
fn writable(url: &str) -> String {
    let (before_query, query) = url.split_once('?').unwrap_or((url, ""));
    let authority = before_query
        .split_once("://")
        .map_or(before_query, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or("");
    let several_hosts = authority.rsplit('@').next().unwrap_or("").contains(',');
    let said = query
        .split('&')
        .any(|pair| pair.starts_with("target_session_attrs="));
    if !several_hosts || said {
        return url.to_string();
    }
    let joiner = if url.contains('?') { "&" } else { "?" };
    format!("{url}{joiner}target_session_attrs=read-write")
}

/// Copies `from` over the SQLite file `target` through a private file beside it, renamed into
/// place once durable; the target's old WAL and shared-memory files go first.
fn replace_file(from: &Path, target: &Path) -> anyhow::Result<()> {
    let file_name = target
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("{} names no file", target.display()))?;
    let mut partial = file_name.to_os_string();
    partial.push(".restoring");
    let partial = target.with_file_name(partial);
    let _ = std::fs::remove_file(&partial);
    create_private(&partial)?;
    let copied = (|| -> anyhow::Result<()> {
        let mut source = std::fs::File::open(from)?;
        let mut sink = std::fs::OpenOptions::new().write(true).open(&partial)?;
        std::io::copy(&mut source, &mut sink)?;
        sink.sync_all()?;
        Ok(())
    })();
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = file_name.to_os_string();
        side.push(suffix);
        match std::fs::remove_file(target.with_file_name(side)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    std::fs::rename(&partial, target)?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// What `verify` found: one line per group and one for the audit log, and whether all held.
pub struct Verified {
    pub report: Vec<String>,
    pub ok: bool,
}

/// Checks every group's hash chain, balance per transaction and stored account totals against
/// their entries, and the audit chains.
pub async fn verify(url: &str) -> anyhow::Result<Verified> {
    let store = crate::store::connect_with(url, StoreOptions::default()).await?;
    let outcome = verify_store(store.as_ref()).await;
    store.close().await;
    outcome
}

/// Groups read at a time.
const GROUPS_PER_PAGE: u32 = 100;

async fn verify_store(store: &dyn crate::store::Store) -> anyhow::Result<Verified> {
    let failed = |e: crate::domain::error::LedgerError| anyhow::anyhow!("{e}");
    let mut report = Vec::new();
    let mut ok = true;
    let mut after = None;
    loop {
        let groups = store
            .list_groups(after, GROUPS_PER_PAGE)
            .await
            .map_err(failed)?;
        let Some(last) = groups.last() else { break };
        after = Some(last.id);
        for group in &groups {
            let verification = store.verify_ledger(group.id).await.map_err(failed)?;
            match &verification.failure {
                None => report.push(format!(
                    "group {}: ok, {} transactions, head {}",
                    group.id, verification.transactions_checked, verification.head_hash
                )),
                Some(failure) => {
                    ok = false;
                    report.push(format!("group {}: FAULT {failure:?}", group.id));
                }
            }
        }
    }
    let audit = store.verify_audit().await.map_err(failed)?;
    match &audit.failure {
        None => report.push(format!(
            "audit log: ok, {} records in {} chains",
            audit.records_checked,
            audit.heads.len()
        )),
        Some(failure) => {
            ok = false;
            report.push(format!("audit log: FAULT {failure:?}"));
        }
    }
    Ok(Verified { report, ok })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_restore_over_several_hosts_asks_for_the_one_that_takes_writes() {
        use super::writable;
        assert_eq!(
            writable("postgres://u:p@h1:5432,h2:5433/ledger"),
            "postgres://u:p@h1:5432,h2:5433/ledger?target_session_attrs=read-write"
        );
        assert_eq!(
            writable("postgres://h1,h2/ledger?sslmode=disable"),
            "postgres://h1,h2/ledger?sslmode=disable&target_session_attrs=read-write"
        );
        for kept in [
            "postgres://h1,h2/ledger?target_session_attrs=any",
            "postgres://u:p,q@h1:5432/ledger",
            "postgres://h1:5432/ledger",
        ] {
            assert_eq!(writable(kept), kept);
        }
    }
}
