//! A PostgreSQL cluster of one test's own, with PostgreSQL's default durability (fsync on,
//! synchronous commit), that the test may crash and start again.
//!
//! The shared cluster of `postgres.rs` runs with durability off and serves every test of the
//! process, so it must never be stopped. This one lives in a temporary directory, is started
//! and stopped with `pg_ctl`, and is stopped with `-m immediate` (no checkpoint, no goodbye to
//! the clients: what a power cut leaves) when the test asks and when it is dropped. When the
//! tests run as root, PostgreSQL runs as the `postgres` system user through `runuser`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// How long `pg_ctl` may wait for a start (crash recovery included) or a stop.
const PG_CTL_WAIT_SECS: &str = "60";

pub struct DurableCluster {
    bindir: PathBuf,
    data: PathBuf,
    log: PathBuf,
    port: u16,
    as_postgres: bool,
    _dir: tempfile::TempDir,
}

impl DurableCluster {
    /// Creates and starts the cluster; `None` when PostgreSQL is not installed here (a test
    /// failure instead when MSAI_REQUIRE_POSTGRES=1).
    pub fn start() -> Option<DurableCluster> {
        let cluster = DurableCluster::empty()?;
        let initdb = cluster
            .command("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "-D",
            ])
            .arg(&cluster.data)
            .output()
            .expect("initdb runs");
        assert_success("initdb", &initdb);
        cluster.start_server();
        Some(cluster)
    }

    /// A hot standby of `primary`, streaming from it (a base backup taken now), started.
    pub fn standby_of(primary: &DurableCluster) -> DurableCluster {
        let standby = DurableCluster::empty().expect("PostgreSQL is installed");
        let backup = standby
            .command("pg_basebackup")
            .args(["-h", "127.0.0.1", "-p", &primary.port.to_string()])
            .args(["-U", "postgres", "-X", "stream", "-c", "fast", "-R", "-D"])
            .arg(&standby.data)
            .output()
            .expect("pg_basebackup runs");
        assert_success("pg_basebackup", &backup);
        standby.start_server();
        standby
    }

    /// A directory for a cluster, owned by the user PostgreSQL runs as, and a port.
    fn empty() -> Option<DurableCluster> {
        let Some(bindir) = find_bindir() else {
            if required() {
                panic!("MSAI_REQUIRE_POSTGRES=1, but no PostgreSQL server binaries were found");
            }
            eprintln!("note: PostgreSQL half of this test skipped: PostgreSQL is not installed");
            return None;
        };
        // SAFETY: geteuid has no preconditions and cannot fail.
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let dir = tempfile::Builder::new()
            .prefix("msai-ledger-durable-pg-")
            .tempdir()
            .expect("temporary directory");
        if as_postgres {
            let status = Command::new("chown")
                .arg("postgres:postgres")
                .arg(dir.path())
                .status()
                .expect("chown runs");
            assert!(
                status.success(),
                "cannot hand the cluster directory to postgres"
            );
        }
        let data = dir.path().join("data");
        let log = dir.path().join("postgres.log");
        Some(DurableCluster {
            bindir,
            data,
            log,
            port: super::process::free_port(),
            as_postgres,
            _dir: dir,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Makes every commit wait until a standby has it on disk, and waits until one does.
    pub async fn wait_for_a_synchronous_standby(&self) {
        let mut admin = self.admin().await;
        sqlx::raw_sql("ALTER SYSTEM SET synchronous_standby_names = '*'")
            .execute(&mut admin)
            .await
            .expect("set synchronous_standby_names");
        sqlx::raw_sql("SELECT pg_reload_conf()")
            .execute(&mut admin)
            .await
            .expect("reload the configuration");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let sync: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pg_stat_replication WHERE sync_state = 'sync'",
            )
            .fetch_one(&mut admin)
            .await
            .expect("read pg_stat_replication");
            if sync > 0 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no synchronous standby within a minute"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let _ = admin.close().await;
    }

    /// Promotes a standby to primary and waits until it takes writes.
    pub fn promote(&self) {
        let output = self
            .command("pg_ctl")
            .args(["promote", "-w", "-t", PG_CTL_WAIT_SECS, "-D"])
            .arg(&self.data)
            .output()
            .expect("pg_ctl runs");
        assert_success("pg_ctl promote", &output);
    }

    async fn admin(&self) -> PgConnection {
        let admin_url = format!("postgres://postgres@127.0.0.1:{}/postgres", self.port);
        PgConnection::connect(&admin_url)
            .await
            .expect("connect to the durable cluster")
    }

    fn command(&self, program: &str) -> Command {
        let binary = self.bindir.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(binary);
            command
        } else {
            Command::new(binary)
        };
        command
            .stdin(Stdio::null())
            .current_dir(self.data.parent().unwrap());
        command
    }

    /// Starts the server (after a crash, recovery runs first) and waits until it accepts
    /// connections.
    pub fn start_server(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.data.parent().unwrap().display()
        );
        let output = self
            .command("pg_ctl")
            .args(["start", "-w", "-t", PG_CTL_WAIT_SECS, "-D"])
            .arg(&self.data)
            .arg("-l")
            .arg(&self.log)
            .arg("-o")
            .arg(options)
            // pg_ctl's server keeps the pipes open; only the exit status matters.
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("pg_ctl runs");
        assert!(
            output.success(),
            "pg_ctl start failed\n--- server log ---\n{}",
            self.log_tail()
        );
    }

    /// Stops the server at once: its processes quit without a checkpoint, as in a crash.
    pub fn stop_immediate(&self) {
        let output = self
            .command("pg_ctl")
            .args([
                "stop",
                "-m",
                "immediate",
                "-w",
                "-t",
                PG_CTL_WAIT_SECS,
                "-D",
            ])
            .arg(&self.data)
            .output()
            .expect("pg_ctl runs");
        assert_success("pg_ctl stop", &output);
    }

    /// Creates an empty database and returns its URL.
    pub async fn fresh_database(&self, name: &str) -> String {
        let mut admin = self.admin().await;
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "plain database names only"
        );
        sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create database");
        let _ = admin.close().await;
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    fn log_tail(&self) -> String {
        let log = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for DurableCluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-m", "immediate", "-w", "-D"])
            .arg(&self.data)
            .output();
    }
}

fn assert_success(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn required() -> bool {
    matches!(
        std::env::var("MSAI_REQUIRE_POSTGRES")
            .as_deref()
            .map(str::trim),
        Ok("1" | "true" | "yes")
    )
}

/// `MSAI_PG_BINDIR`, else the newest `/usr/lib/postgresql/<major>/bin` with `pg_ctl`.
fn find_bindir() -> Option<PathBuf> {
    let usable = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Ok(dir) = std::env::var("MSAI_PG_BINDIR")
        && !dir.trim().is_empty()
    {
        let dir = PathBuf::from(dir);
        return usable(&dir).then_some(dir);
    }
    fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            usable(&bin).then_some((major, bin))
        })
        .max_by_key(|(major, _)| *major)
        .map(|(_, bin)| bin)
}
