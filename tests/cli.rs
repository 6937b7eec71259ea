//! The binary as an operator meets it: help, start-up, migrations, graceful shutdown.
//!
//! A test binary of its own, not a module of the shared one (`tests/api/`): it starts the
//! binary on ports it picks beforehand, which a test server of the shared binary, started
//! meanwhile on a port of the system's choosing, could take first (the binary would then fail
//! to listen while the other answered in its place).

mod support;

#[path = "cli/packaging.rs"]
mod packaging;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::app::{Backend, fresh_database_url};

const BIN: &str = env!("CARGO_BIN_EXE_msai-ledger");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const ADMIN_PASSWORD: &str = "cli-admin-password";

fn start(database_url: &str, port: u16) -> Child {
    Command::new(BIN)
        .env("MSAI_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            database_url,
        ])
        .env("MSAI_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the binary")
}

async fn wait_ready(client: &reqwest::Client, port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            && r.status() == 200
        {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the service exited before it was ready: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "the service did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the service did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn help_documents_every_option_and_its_environment_variable() {
    let out = Command::new(BIN)
        .arg("--help")
        .output()
        .expect("run --help");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--listen",
        "MSAI_LISTEN",
        "--metrics-listen",
        "MSAI_METRICS_LISTEN",
        "--database-url",
        "MSAI_DATABASE_URL",
        "--log-level",
        "MSAI_LOG",
        "--log-format",
        "MSAI_LOG_FORMAT",
        "--secure-cookies",
        "MSAI_SECURE_COOKIES",
        "--session-idle-secs",
        "MSAI_SESSION_IDLE_SECS",
        "--session-lifetime-secs",
        "MSAI_SESSION_LIFETIME_SECS",
        "--signing-key-file",
        "MSAI_SIGNING_KEY_FILE",
        "serve",
    ] {
        assert!(
            help.contains(option),
            "--help does not mention {option}:\n{help}"
        );
    }
}

async fn serves_then_stops_cleanly_on_sigterm(backend: Backend) {
    let Some((url, _dir)) = fresh_database_url(backend).await else {
        return;
    };
    let port = free_port();
    let mut child = start(&url, port);
    let anonymous = reqwest::Client::new();
    wait_ready(&anonymous, port, &mut child).await;
    let token = support::app::login(
        &anonymous,
        &format!("http://127.0.0.1:{port}"),
        "admin",
        ADMIN_PASSWORD,
    )
    .await
    .expect("the configured administrator signs in");
    let client = support::app::client_with_token(&token);
    let created = client
        .post(format!("http://127.0.0.1:{port}/v1/groups"))
        .json(&serde_json::json!({"name": "Kabayan", "currency": "HKD", "host_country": "HK", "home_country": "PH"}))
        .send()
        .await
        .expect("create group");
    assert_eq!(created.status(), 201);
    // SAFETY: sending a signal to a child process this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = wait_exit(&mut child);
    assert!(status.success(), "exit status after SIGTERM: {status}");

    // The data survived: a second start over the same database sees the group.
    let port = free_port();
    let mut child = start(&url, port);
    wait_ready(&client, port, &mut child).await;
    // A token from the first run still works: the secret lives in the database.
    let list: serde_json::Value = client
        .get(format!("http://127.0.0.1:{port}/v1/groups"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["name"], "Kabayan");
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(wait_exit(&mut child).success());
}

/// Behind TLS, as told by `MSAI_SECURE_COOKIES=1`, with sessions of a minute unused and two in
/// all: the browser's cookie is `Secure`, its session ends when those options say, and every
/// answer tells browsers to insist on https.
async fn session_options_are_read_from_the_environment(backend: Backend) {
    let Some((url, _dir)) = fresh_database_url(backend).await else {
        return;
    };
    let port = free_port();
    let mut command = Command::new(BIN);
    command
        .env("MSAI_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("MSAI_SECURE_COOKIES", "1")
        .env("MSAI_SESSION_IDLE_SECS", "60")
        .env("MSAI_SESSION_LIFETIME_SECS", "120")
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &url,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("start the binary");
    let client = reqwest::Client::new();
    wait_ready(&client, port, &mut child).await;
    let reply = client
        .post(format!("http://127.0.0.1:{port}/v1/auth/session"))
        .json(&serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(reply.status(), 201);
    let cookie = reply.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
    assert_eq!(
        reply.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let body: serde_json::Value = reply.json().await.unwrap();
    let at = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(body[field].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let now = chrono::Utc::now();
    let lifetime = (at("expires_at") - now).num_seconds();
    let idle = (at("idle_expires_at") - now).num_seconds();
    assert!((110..=120).contains(&lifetime), "{body}");
    assert!((50..=60).contains(&idle), "{body}");
    // SAFETY: sending a signal to a child process this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(wait_exit(&mut child).success());
}

#[tokio::test]
async fn sqlite_session_options_are_read_from_the_environment() {
    session_options_are_read_from_the_environment(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_session_options_are_read_from_the_environment() {
    session_options_are_read_from_the_environment(Backend::Postgres).await;
}

#[tokio::test]
async fn sqlite_service_serves_then_stops_cleanly_on_sigterm() {
    serves_then_stops_cleanly_on_sigterm(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_service_serves_then_stops_cleanly_on_sigterm() {
    serves_then_stops_cleanly_on_sigterm(Backend::Postgres).await;
}

#[test]
fn a_database_file_that_is_not_sqlite_stops_start_up_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    std::fs::write(&path, "this is not a database ".repeat(100)).unwrap();
    let out = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            &format!("sqlite://{}", path.display()),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a database"), "{stderr}");
}

#[tokio::test]
async fn a_modified_migration_history_stops_start_up_with_a_clear_message() {
    let (url, _dir) = fresh_database_url(Backend::Sqlite).await.unwrap();
    // Migrate once, then alter the recorded checksum as if the applied migration had changed.
    drop(msai_ledger::store::connect(&url).await.unwrap());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 1")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--database-url", &url])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("migration"), "{stderr}");
}

#[tokio::test]
async fn without_a_configured_password_the_first_administrator_password_goes_to_a_private_file() {
    let (url, dir) = fresh_database_url(Backend::Sqlite).await.unwrap();
    let dir = dir.unwrap();
    let file = dir.path().join("admin-password");
    let port = free_port();
    let mut child = Command::new(BIN)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &url,
        ])
        .env("MSAI_BOOTSTRAP_PASSWORD_FILE", &file)
        .env_remove("MSAI_BOOTSTRAP_ADMIN_PASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let anonymous = reqwest::Client::new();
    wait_ready(&anonymous, port, &mut child).await;
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&file)
        .expect("the password file exists")
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "only the owner may read the password file"
    );
    let password = std::fs::read_to_string(&file).unwrap().trim().to_string();
    let token = support::app::login(
        &anonymous,
        &format!("http://127.0.0.1:{port}"),
        "admin",
        &password,
    )
    .await;
    assert!(token.is_ok(), "the generated password signs in");
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(
        logs.contains("admin-password"),
        "the file's path is logged: {logs}"
    );
    assert!(
        !logs.contains(&password),
        "the password itself is never logged"
    );
}

/// Stops a service this test started and gives what it logged on standard error.
fn stop_and_read_log(mut child: Child) -> String {
    // SAFETY: sending a signal to a child process this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = wait_exit(&mut child);
    let mut log = String::new();
    use std::io::Read as _;
    child
        .stderr
        .take()
        .expect("standard error is piped")
        .read_to_string(&mut log)
        .unwrap();
    assert!(
        status.success(),
        "the service did not stop cleanly on SIGTERM ({status}):\n{log}"
    );
    log
}

/// `msai-ledger admin rotate-signing-key` makes a new current key each time, keeping the ones
/// before it; the operator is told which key is current.
#[test]
fn rotating_the_signing_key_keeps_the_earlier_keys() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
    let rotate = || {
        let out = Command::new(BIN)
            .args(["admin", "rotate-signing-key", "--database-url", &url])
            .output()
            .expect("run admin rotate-signing-key");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let first = rotate();
    assert!(first.contains("0 earlier key(s) stay published"), "{first}");
    let second = rotate();
    assert!(
        second.contains("1 earlier key(s) stay published"),
        "{second}"
    );
    let key_id = |said: &str| said.split_whitespace().nth(2).unwrap().to_string();
    assert_ne!(key_id(&first), key_id(&second));
    assert_eq!(key_id(&second).len(), 16, "{second}");
}

/// Runs `msai-ledger admin reset-password` over `url` with the new password on standard input.
fn reset_password(url: &str, username: &str, password: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = Command::new(BIN)
        .args([
            "admin",
            "reset-password",
            "--database-url",
            url,
            "--username",
            username,
        ])
        .env_remove("MSAI_NEW_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run admin reset-password");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
}

/// The README's order followed by a new operator: a first start that configured a password,
/// then a second start with another one. The second is ignored with a line that says so and
/// names the way out, and `admin reset-password` (run while the service serves) sets the
/// password: the new one signs in, the old one no longer does. An unknown user or a short
/// password is refused with its reason and changes nothing.
async fn a_later_bootstrap_password_is_ignored_aloud_and_reset_password_sets_it(backend: Backend) {
    let Some((url, _dir)) = fresh_database_url(backend).await else {
        return;
    };
    let port = free_port();
    let mut child = start(&url, port);
    let anonymous = reqwest::Client::new();
    wait_ready(&anonymous, port, &mut child).await;
    let first_log = stop_and_read_log(child);
    let created = first_log
        .find("created user admin")
        .expect("the first start creates admin");
    let ready = first_log
        .find("msai-ledger ready")
        .expect("ready is logged");
    assert!(
        created < ready,
        "ready is logged once admin exists:\n{first_log}"
    );
    assert!(
        first_log
            .trim_end()
            .lines()
            .last()
            .unwrap()
            .contains("msai-ledger stopped"),
        "the last line says the service stopped:\n{first_log}"
    );

    let later_password = "a-later-password";
    let port = free_port();
    let mut child = Command::new(BIN)
        .env("MSAI_BOOTSTRAP_ADMIN_PASSWORD", later_password)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &url,
        ])
        .env("MSAI_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_ready(&anonymous, port, &mut child).await;
    let base = format!("http://127.0.0.1:{port}");
    let sign_in = |password: &'static str| {
        let anonymous = anonymous.clone();
        let base = base.clone();
        async move {
            anonymous
                .post(format!("{base}/v1/auth/token"))
                .json(&serde_json::json!({"username": "admin", "password": password}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(sign_in(later_password).await, 401);

    let refused = reset_password(&url, "nobody", later_password);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no user named \"nobody\""));
    let short = reset_password(&url, "admin", "short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("10 to 256 characters"));
    assert_eq!(
        sign_in(ADMIN_PASSWORD).await,
        200,
        "a refused reset changes nothing"
    );

    let reset = reset_password(&url, "admin", later_password);
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    assert!(String::from_utf8_lossy(&reset.stdout).contains("password of user admin is set"));
    assert_eq!(sign_in(later_password).await, 200);
    assert_eq!(sign_in(ADMIN_PASSWORD).await, 401);

    let log = stop_and_read_log(child);
    assert!(
        log.contains("MSAI_BOOTSTRAP_ADMIN_PASSWORD is ignored")
            && log.contains("admin reset-password"),
        "{log}"
    );
}

#[tokio::test]
async fn sqlite_a_later_bootstrap_password_is_ignored_aloud_and_reset_password_sets_it() {
    a_later_bootstrap_password_is_ignored_aloud_and_reset_password_sets_it(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_a_later_bootstrap_password_is_ignored_aloud_and_reset_password_sets_it() {
    a_later_bootstrap_password_is_ignored_aloud_and_reset_password_sets_it(Backend::Postgres).await;
}

/// The SQLite file holds the secret that signs tokens: a new one, and its WAL, are readable by
/// their owner only; an existing one that others may read is warned about at start. The log,
/// written to a pipe, carries no colour codes.
#[tokio::test]
async fn the_sqlite_database_is_owner_only_and_a_readable_one_is_warned_about() {
    use std::os::unix::fs::PermissionsExt as _;
    let (url, dir) = fresh_database_url(Backend::Sqlite).await.unwrap();
    let dir = dir.unwrap();
    let port = free_port();
    let mut child = Command::new(BIN)
        .env("MSAI_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &url,
        ])
        .env("MSAI_LOG_FORMAT", "text")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let anonymous = reqwest::Client::new();
    wait_ready(&anonymous, port, &mut child).await;
    let mode = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("ledger.db"), 0o600);
    assert_eq!(mode("ledger.db-wal"), 0o600);
    let log = stop_and_read_log(child);
    assert!(
        !log.contains('\u{1b}'),
        "no colour codes in a piped log:\n{log}"
    );
    assert!(log.contains("msai-ledger ready"), "{log}");
    assert!(!log.contains("may be read by other users"), "{log}");

    let other = tempfile::tempdir().unwrap();
    let path = other.path().join("shared.db");
    std::fs::write(&path, "").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let port = free_port();
    let mut child = Command::new(BIN)
        .env("MSAI_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &format!("sqlite://{}", path.display()),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_ready(&anonymous, port, &mut child).await;
    let log = stop_and_read_log(child);
    assert!(
        log.contains("may be read by other users") && log.contains("chmod 600"),
        "{log}"
    );
}

/// An address already taken stops start-up with a line that names the option that changes it.
#[test]
fn an_address_in_use_names_the_option_that_changes_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .env("MSAI_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .args([
            "--listen",
            &address,
            "--database-url",
            &format!("sqlite://{}", dir.path().join("ledger.db").display()),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {address}"))
            && stderr.contains("--listen or MSAI_LISTEN"),
        "{stderr}"
    );
}

/// Runs the binary with `args` to its end; its exit status, standard output and error.
fn run_command(args: &[&str]) -> (std::process::ExitStatus, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("MSAI_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run the binary");
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Changes an account's stored totals behind the service's back, as a fault would.
async fn tamper_with_totals(backend: Backend, url: &str) {
    let sql =
        "UPDATE accounts SET debits_minor = debits_minor + 100 WHERE code = 'assets:cash:HKD'";
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(url).await.expect("connect");
            sqlx::query(sql).execute(&pool).await.expect("tamper");
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(url).await.expect("connect");
            sqlx::query(sql).execute(&pool).await.expect("tamper");
            pool.close().await;
        }
    }
}

/// An operator backs the database up while treasurers keep posting, restores the copy into a
/// new database and verifies it: it verifies, and every posting acknowledged before the backup
/// began is in it. Restoring over a database with data is refused unless forced, and a fault
/// made afterwards is found by `verify`, which then exits 1.
async fn a_backup_under_write_load_restores_verifies_and_keeps_every_acknowledged_write(
    backend: Backend,
) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    let Some((url, _dir)) = fresh_database_url(backend).await else {
        return;
    };
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(BIN)
        .env("MSAI_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("MSAI_LOG", "warn")
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &url,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary");
    let anonymous = reqwest::Client::new();
    wait_ready(&anonymous, port, &mut child).await;
    let token = support::app::login(&anonymous, &base, "admin", ADMIN_PASSWORD)
        .await
        .expect("the administrator signs in");
    let client = support::app::client_with_token(&token);
    let group = support::process::create_group(&client, &base, "Kabayan").await;
    for (code, kind) in [("assets:cash:HKD", "asset"), ("income:fees:HKD", "income")] {
        support::process::create_account(&client, &base, &group, code, kind, false).await;
    }

    // Writers post until told to stop; each acknowledged posting is noted, in order.
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let (client, base, group) = (client.clone(), base.clone(), group.clone());
            let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) && n < 2000 {
                    n += 1;
                    let body = support::process::transfer_body(
                        &format!("fee {writer}-{n}"),
                        "assets:cash:HKD",
                        "income:fees:HKD",
                        100,
                    );
                    let reply = support::process::send(
                        client
                            .post(format!("{base}/v1/groups/{group}/transactions"))
                            .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
                            .json(&body),
                    )
                    .await;
                    if reply.status == 201 {
                        let id = reply.body["id"].as_str().expect("id").to_string();
                        acknowledged.lock().unwrap().push(id);
                    }
                }
            })
        })
        .collect();
    while acknowledged.lock().unwrap().len() < 20 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let backups = tempfile::tempdir().unwrap();
    let file = backups.path().join("ledger.backup");
    let before: Vec<String> = acknowledged.lock().unwrap().clone();
    let (status, said, error) = {
        let (url, file) = (url.clone(), file.display().to_string());
        tokio::task::spawn_blocking(move || {
            run_command(&["backup", "--database-url", &url, "--to", &file])
        })
        .await
        .unwrap()
    };
    assert!(status.success(), "backup: {said}{error}");
    let during = acknowledged.lock().unwrap().len();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    assert!(
        during > before.len(),
        "the backup was taken while postings went on"
    );
    let mode = std::os::unix::fs::MetadataExt::mode(&std::fs::metadata(&file).unwrap());
    assert_eq!(mode & 0o077, 0, "the backup is its owner's only: {mode:o}");
    // A second backup to the same file is refused: a backup never overwrites.
    let (again, _, error) = run_command(&[
        "backup",
        "--database-url",
        &url,
        "--to",
        &file.display().to_string(),
    ]);
    assert!(!again.success());
    assert!(error.contains("give a new file"), "{error}");
    // SAFETY: sending a signal to a child process this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(wait_exit(&mut child).success());

    let (restored_url, _restored_dir) = fresh_database_url(backend).await.expect("a database");
    let file = file.display().to_string();
    let (status, said, error) =
        run_command(&["restore", "--database-url", &restored_url, "--from", &file]);
    assert!(status.success(), "restore: {said}{error}");
    let (status, said, error) = run_command(&["verify", "--database-url", &restored_url]);
    assert!(status.success(), "verify: {said}{error}");
    assert!(said.contains(&format!("group {group}: ok")), "{said}");
    assert!(said.contains("audit log: ok"), "{said}");

    let store = msai_ledger::store::connect(&restored_url)
        .await
        .expect("the restored database opens");
    let group_id = uuid::Uuid::parse_str(&group).unwrap();
    for id in &before {
        let id = uuid::Uuid::parse_str(id).unwrap();
        assert!(
            store.get_transaction(group_id, id).await.is_ok(),
            "posting {id}, acknowledged before the backup began, is not in the restored database"
        );
    }
    store.close().await;

    // The restored database has data now: restoring over it needs --force.
    let (refused, _, error) =
        run_command(&["restore", "--database-url", &restored_url, "--from", &file]);
    assert!(!refused.success());
    assert!(error.contains("--force"), "{error}");
    tamper_with_totals(backend, &restored_url).await;
    let (faulty, said, _) = run_command(&["verify", "--database-url", &restored_url]);
    assert_eq!(faulty.code(), Some(1), "{said}");
    assert!(said.contains(&format!("group {group}: FAULT")), "{said}");
    let (status, said, error) = run_command(&[
        "restore",
        "--database-url",
        &restored_url,
        "--from",
        &file,
        "--force",
    ]);
    assert!(status.success(), "restore --force: {said}{error}");
    let (status, said, error) = run_command(&["verify", "--database-url", &restored_url]);
    assert!(
        status.success(),
        "verify after restore --force: {said}{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_a_backup_under_write_load_restores_verifies_and_keeps_every_acknowledged_write() {
    a_backup_under_write_load_restores_verifies_and_keeps_every_acknowledged_write(Backend::Sqlite)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_a_backup_under_write_load_restores_verifies_and_keeps_every_acknowledged_write() {
    a_backup_under_write_load_restores_verifies_and_keeps_every_acknowledged_write(
        Backend::Postgres,
    )
    .await;
}

/// `--metrics-listen` (here through its environment variable) serves `GET /metrics` without
/// credentials on its own address while the API's `/metrics` asks for an administrator, and a
/// request's W3C `traceparent` puts its trace id on the request's log line; a malformed one is
/// served as any request, its text nowhere in the log.
async fn the_metrics_address_and_a_callers_trace_reach_the_operator(backend: Backend) {
    let Some((url, _dir)) = fresh_database_url(backend).await else {
        return;
    };
    let (port, metrics_port) = (free_port(), free_port());
    let child = Command::new(BIN)
        .env("MSAI_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("MSAI_METRICS_LISTEN", format!("127.0.0.1:{metrics_port}"))
        .env("MSAI_LOG_FORMAT", "json")
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &url,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the binary");
    let mut child = child;
    let client = reqwest::Client::new();
    wait_ready(&client, port, &mut child).await;
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let traced = client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .header("traceparent", format!("00-{trace}-00f067aa0ba902b7-01"))
        .send()
        .await
        .expect("GET /healthz");
    assert_eq!(traced.status(), 200);
    let malformed = "00-not-a-trace-id-at-all-01";
    let untraced = client
        .get(format!("http://127.0.0.1:{port}/readyz"))
        .header("traceparent", malformed)
        .send()
        .await
        .expect("GET /readyz");
    assert_eq!(
        untraced.status(),
        200,
        "a malformed traceparent is not refused"
    );

    let scrape = client
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .expect("GET /metrics on the metrics address");
    assert_eq!(scrape.status(), 200);
    let text = scrape.text().await.unwrap();
    assert!(
        text.contains(r#"msai_http_requests_total{route="/healthz",method="GET",status="200"} 1"#),
        "{text}"
    );
    let on_api = client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .expect("GET /metrics on the API's address");
    assert_eq!(on_api.status(), 401);

    let log = stop_and_read_log(child);
    let line = log
        .lines()
        .find(|line| line.contains(r#""route":"/healthz""#))
        .unwrap_or_else(|| panic!("no log line of the request to /healthz:\n{log}"));
    assert!(line.contains(&format!(r#""trace_id":"{trace}""#)), "{line}");
    assert!(line.contains(r#""parent_id":"00f067aa0ba902b7""#), "{line}");
    let untraced_line = log
        .lines()
        .find(|line| line.contains(r#""route":"/readyz""#))
        .unwrap_or_else(|| panic!("no log line of the request to /readyz:\n{log}"));
    assert!(!untraced_line.contains("trace_id"), "{untraced_line}");
    assert!(!log.contains(malformed), "{log}");
}

#[tokio::test]
async fn sqlite_the_metrics_address_and_a_callers_trace_reach_the_operator() {
    the_metrics_address_and_a_callers_trace_reach_the_operator(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_the_metrics_address_and_a_callers_trace_reach_the_operator() {
    the_metrics_address_and_a_callers_trace_reach_the_operator(Backend::Postgres).await;
}
