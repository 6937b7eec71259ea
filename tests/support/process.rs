//! The real service binary as a separate process, for the fault tests: started over a given
//! database on a free port, signed in to, and killed with SIGKILL like a power cut would.
//!
//! The binary is the one Cargo built for these tests, or the one `MSAI_LEDGER_BIN` names (to
//! run the fault tests against a release build, or a copy that a later build cannot replace
//! while they run).

use std::fs::{self, File};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use super::app::{ADMIN_PASSWORD, Reply, client_with_token, login};

/// The signing secret every service process of a test shares, so a token stays valid across
/// restarts and between two processes on one database.
pub const JWT_SECRET: &str = "a-signing-secret-for-the-fault-tests-0123456789";

/// How long a started service may take to answer `/readyz` (migrations included).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How many ports to try when the one picked was taken before the service could listen.
const PORT_ATTEMPTS: usize = 5;
/// How many lines of the service's log a failure reports.
const LOG_TAIL_LINES: usize = 30;

/// A running service process. Dropping it kills the process.
pub struct Service {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub database_url: String,
    log_path: PathBuf,
}

/// The service binary to run.
fn binary() -> PathBuf {
    match std::env::var_os("MSAI_LEDGER_BIN") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_msai-ledger")),
    }
}

/// A free loopback port (free when asked; another process may take it before it is used).
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

impl Service {
    /// Starts the binary over `database_url`, its working directory and log in `workdir`, and
    /// returns once it answers `/readyz`.
    pub async fn start(database_url: &str, workdir: &Path) -> Service {
        let mut failures = Vec::new();
        for attempt in 0..PORT_ATTEMPTS {
            let port = free_port();
            let log_path = workdir.join(format!("service-{port}-{attempt}.log"));
            let log = File::create(&log_path).expect("service log file");
            let child = Command::new(binary())
                .current_dir(workdir)
                .env("MSAI_DATABASE_URL", database_url)
                .env("MSAI_LISTEN", format!("127.0.0.1:{port}"))
                .env("MSAI_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .env(
                    "MSAI_BOOTSTRAP_PASSWORD_FILE",
                    workdir.join("admin-password"),
                )
                .env("MSAI_JWT_SECRET", JWT_SECRET)
                .env("MSAI_LOG", "warn")
                // The batched write path on both backends (the default, stated as in app.rs).
                .env("MSAI_GROUP_COMMIT_MAX", "64")
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("service log file"))
                .stderr(log)
                .spawn()
                .expect("the service binary starts");
            let mut service = Service {
                child: Some(child),
                base: format!("http://127.0.0.1:{port}"),
                database_url: database_url.to_string(),
                log_path,
            };
            match service.wait_ready().await {
                Ok(()) => return service,
                Err(why) => {
                    let log = service.log_tail();
                    service.kill();
                    if log.contains("cannot listen") {
                        failures.push(format!("port {port}: {why}"));
                        continue;
                    }
                    panic!("the service did not start: {why}\n--- its log ---\n{log}");
                }
            }
        }
        panic!("the service did not start: {}", failures.join("; "));
    }

    async fn wait_ready(&mut self) -> Result<(), String> {
        let client = Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("client");
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(format!("it exited ({status})"));
            }
            if let Ok(response) = client.get(self.url("/readyz")).send().await
                && response.status() == StatusCode::OK
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!("not ready within {} s", START_TIMEOUT.as_secs()));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The process id, while the process runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Kills the process with SIGKILL (no shutdown of any kind) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pid = child.id() as libc::pid_t;
            // SAFETY: kill has no memory-safety preconditions; the pid is our own child, not
            // yet reaped, so it cannot name another process.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
            let _ = child.wait();
        }
    }

    /// The last lines of the service's log.
    pub fn log_tail(&self) -> String {
        let log = fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
    }

    /// Signs in as the bootstrap administrator and returns a client that sends the token.
    pub async fn admin_client(&self) -> Client {
        let token = login(&Client::new(), &self.base, "admin", ADMIN_PASSWORD)
            .await
            .expect("the administrator signs in");
        client_with_token(&token)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Sends `request` and reads the whole reply.
pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    Reply::from(request.send().await.expect("request")).await
}

/// Creates a group with no accounts through the service at `base`, with nothing waiting for
/// approval (`without_approvals`), and returns its id.
pub async fn create_group(client: &Client, base: &str, name: &str) -> String {
    let reply = send(client.post(format!("{base}/v1/groups")).json(&json!({
        "name": name, "currency": "HKD", "host_country": "HK", "home_country": "PH",
        "chart": "empty"
    })))
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let group = reply.body["id"].as_str().expect("group id").to_string();
    without_approvals(client, base, &group).await;
    group
}

/// Sets `group`'s approval policy to let every operation through at once (`client` is the
/// administrator's). A new group's policy makes disbursements, distributions and members'
/// exits wait for a second person (the safe default); the tests that are not about
/// approvals carry those out at once, as a group whose policy says so does.
pub async fn without_approvals(client: &Client, base: &str, group: &str) {
    let reply = send(
        client
            .put(format!("{base}/v1/groups/{group}/approval-policy"))
            .json(&super::app::no_approvals()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// Opens an HKD account and returns its id.
pub async fn create_account(
    client: &Client,
    base: &str,
    group: &str,
    code: &str,
    kind: &str,
    no_overdraft: bool,
) -> String {
    let reply = send(
        client
            .post(format!("{base}/v1/groups/{group}/accounts"))
            .json(&json!({
                "code": code, "name": code, "type": kind, "currency": "HKD",
                "no_overdraft": no_overdraft
            })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_str().expect("account id").to_string()
}

/// The body of a two-entry transfer of `minor` cents from `credit` to `debit`.
pub fn transfer_body(description: &str, debit: &str, credit: &str, minor: i64) -> Value {
    let amount = format_minor(minor);
    json!({"description": description, "entries": [
        {"account": debit, "direction": "debit", "amount": amount},
        {"account": credit, "direction": "credit", "amount": amount},
    ]})
}

/// `12345` → `"123.45"` (HKD has two decimals).
pub fn format_minor(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `"-123.45"` → `-12345`; panics on anything but an amount with two decimals.
pub fn parse_minor(text: &str) -> i64 {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (units, cents) = digits
        .split_once('.')
        .unwrap_or_else(|| panic!("an HKD amount with decimals: {text:?}"));
    assert_eq!(cents.len(), 2, "two decimals in {text:?}");
    let value = units.parse::<i64>().expect("units") * 100 + cents.parse::<i64>().expect("cents");
    if negative { -value } else { value }
}

/// The group's chain verification; panics unless it answers 200.
pub async fn verify(client: &Client, base: &str, group: &str) -> Value {
    let reply = send(client.get(format!("{base}/v1/groups/{group}/ledger/verify"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

/// Every transaction's description in the group's journal, page by page.
pub async fn journal_descriptions(client: &Client, base: &str, group: &str) -> Vec<String> {
    let mut descriptions = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/v1/groups/{group}/transactions?limit=500");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let reply = send(client.get(url)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        for item in reply.body["items"].as_array().expect("items") {
            descriptions.push(
                item["description"]
                    .as_str()
                    .expect("description")
                    .to_string(),
            );
        }
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return descriptions,
        }
    }
}

/// Balances by account id from one trial balance (one snapshot of the whole group).
pub async fn trial_balances(
    client: &Client,
    base: &str,
    group: &str,
) -> std::collections::HashMap<String, i64> {
    let reply = send(client.get(format!("{base}/v1/groups/{group}/trial-balance"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|line| {
            (
                line["account_id"].as_str().expect("account_id").to_string(),
                parse_minor(line["balance"].as_str().expect("balance")),
            )
        })
        .collect()
}

/// The seed of a fault test's timing: `MSAI_FAULT_SEED` when set, else `default`. Printed, so
/// a failing run can be repeated with the same delays.
pub fn seed(test: &str, default: u64) -> u64 {
    let seed = std::env::var("MSAI_FAULT_SEED")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(default);
    eprintln!("{test}: seed {seed} (set MSAI_FAULT_SEED to change it)");
    seed
}
