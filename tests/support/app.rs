//! Starts the real service on port 0 over a fresh database, on either backend, for one test.

use std::sync::Arc;

use msai_ledger::app::{AppConfig, serve};
use msai_ledger::store::Store;
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The store options every test service runs with.
pub const GROUP_COMMIT: msai_ledger::store::StoreOptions = msai_ledger::store::StoreOptions {
    group_commit_max: Some(msai_ledger::store::SQLITE_GROUP_COMMIT_MAX),
    write_lanes: None,
};

/// Today where the test groups meet: Hong Kong (and Singapore, on the same time), whose date is
/// every group's default date of a write. It runs ahead of UTC from 16:00 UTC.
pub fn hong_kong_today() -> chrono::NaiveDate {
    msai_ledger::domain::dates::Clock::System.today_in(chrono_tz::Asia::Hong_Kong)
}

/// Password of the `admin` user every test service starts with.
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    /// A client signed in as `admin` (every request carries its bearer token).
    pub client: Client,
    /// A client with no token.
    pub anonymous: Client,
    /// The admin's bearer token.
    pub admin_token: String,
    pub store: Arc<dyn Store>,
    pub database_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The database URL for a fresh database on `backend`, with the directory that holds it.
pub async fn fresh_database_url(backend: Backend) -> Option<(String, Option<tempfile::TempDir>)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("ledger.db").display());
            Some((url, Some(dir)))
        }
        Backend::Postgres => super::postgres::fresh_database()
            .await
            .map(|url| (url, None)),
    }
}

/// Starts the service over a fresh database; `None` when PostgreSQL is not available here
/// (which fails instead when MSAI_REQUIRE_POSTGRES=1).
pub async fn spawn(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, AppConfig::default()).await
}

pub async fn spawn_with(backend: Backend, config: AppConfig) -> Option<TestApp> {
    let (database_url, dir) = fresh_database_url(backend).await?;
    Some(spawn_on(backend, database_url, dir, config).await)
}

/// [`spawn`] with the store's writes in `lanes` lanes (see `msai_ledger::store::write_lane`).
pub async fn spawn_in_lanes(backend: Backend, lanes: usize) -> Option<TestApp> {
    let (database_url, dir) = fresh_database_url(backend).await?;
    let options = msai_ledger::store::StoreOptions {
        write_lanes: Some(lanes),
        ..GROUP_COMMIT
    };
    Some(spawn_on_with(backend, database_url, dir, AppConfig::default(), options).await)
}

/// Starts the service over the database at `database_url`, which another test service may
/// already use: each keeps its own state, as two processes would.
pub async fn spawn_on(
    backend: Backend,
    database_url: String,
    dir: Option<tempfile::TempDir>,
    config: AppConfig,
) -> TestApp {
    spawn_on_with(backend, database_url, dir, config, GROUP_COMMIT).await
}

async fn spawn_on_with(
    backend: Backend,
    database_url: String,
    dir: Option<tempfile::TempDir>,
    mut config: AppConfig,
    options: msai_ledger::store::StoreOptions,
) -> TestApp {
    if config.auth.bootstrap_admin_password.is_none() {
        config.auth.bootstrap_admin_password = Some(ADMIN_PASSWORD.to_string());
    }
    // Group commit on, on both backends, so every test runs the batched and gathered write
    // path (the default; stated here so that the tests keep to it if a default changes).
    let store = msai_ledger::store::connect_with(&database_url, options)
        .await
        .expect("connect and migrate");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = oneshot::channel::<()>();
    let server_store = store.clone();
    tokio::spawn(async move {
        let _ = serve(listener, server_store, config, async {
            let _ = rx.await;
        })
        .await;
    });
    let anonymous = Client::new();
    let admin_token = login(&anonymous, &base, "admin", ADMIN_PASSWORD)
        .await
        .expect("the bootstrap administrator signs in");
    register_admin_token(&base, &admin_token);
    TestApp {
        backend,
        client: client_with_token(&admin_token),
        anonymous,
        admin_token,
        base,
        store,
        database_url,
        shutdown: Some(tx),
        _dir: dir,
    }
}

/// Signs in and returns the access token, or the failed reply's status.
pub async fn login(
    client: &Client,
    base: &str,
    username: &str,
    password: &str,
) -> Result<String, StatusCode> {
    let response = client
        .post(format!("{base}/v1/auth/token"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("token request");
    let status = response.status();
    if status != StatusCode::OK {
        return Err(status);
    }
    let body: Value = response.json().await.expect("token body");
    Ok(body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string())
}

fn tokens_by_base() -> &'static std::sync::Mutex<std::collections::HashMap<String, String>> {
    static TOKENS: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, String>>,
    > = std::sync::OnceLock::new();
    TOKENS.get_or_init(Default::default)
}

/// Remembers the administrator's token for a service at `base`, for [`admin_client_for`].
pub fn register_admin_token(base: &str, token: &str) {
    tokens_by_base()
        .lock()
        .unwrap()
        .insert(base.to_string(), token.to_string());
}

/// A client signed in as the administrator of the service at `base`.
pub fn admin_client_for(base: &str) -> Client {
    let token = tokens_by_base()
        .lock()
        .unwrap()
        .get(base)
        .cloned()
        .expect("a registered service");
    client_with_token(&token)
}

/// A client whose every request carries `token`.
pub fn client_with_token(token: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    let value =
        reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).expect("token header");
    headers.insert(reqwest::header::AUTHORIZATION, value);
    Client::builder()
        .default_headers(headers)
        .build()
        .expect("client")
}

/// Asserts that `reply` is an `application/problem+json` answer of `status` and type
/// `/problems/<slug>`, with a title, a detail and the same status in its body.
pub fn assert_problem(reply: &Reply, status: StatusCode, slug: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert!(
        reply.content_type().starts_with("application/problem+json"),
        "content type {:?} for {}",
        reply.content_type(),
        reply.body
    );
    assert_eq!(
        reply.problem_type(),
        format!("/problems/{slug}"),
        "{}",
        reply.body
    );
    assert_eq!(
        reply.body["status"],
        json!(status.as_u16()),
        "{}",
        reply.body
    );
    assert!(reply.body["title"].is_string(), "{}", reply.body);
    assert!(reply.body["detail"].is_string(), "{}", reply.body);
}

/// A response's status, headers and JSON body (Null when the body is not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    /// The body as sent, for replies that are not JSON (exports).
    pub text: String,
}

impl Reply {
    pub async fn from(response: Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `type` of a problem+json body.
    pub fn problem_type(&self) -> &str {
        self.body["type"].as_str().unwrap_or("")
    }

    /// The first `errors[].pointer` of a problem+json body.
    pub fn pointer(&self) -> &str {
        self.body["errors"][0]["pointer"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates a user with `grants` (as the API takes them) and returns its id and a client
    /// signed in as it.
    pub async fn user_with(&self, username: &str, grants: Value) -> (String, Client) {
        let password = "a-long-enough-password";
        let reply = self
            .post(
                "/v1/users",
                &json!({"username": username, "password": password, "grants": grants}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let token = login(&self.anonymous, &self.base, username, password)
            .await
            .expect("new user signs in");
        (
            reply.body["id"].as_str().unwrap().to_string(),
            client_with_token(&token),
        )
    }

    pub async fn send(&self, request: RequestBuilder) -> Reply {
        Reply::from(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(self.url(path))).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(self.client.post(self.url(path)).json(body)).await
    }

    pub async fn post_with_key(&self, path: &str, key: &str, body: &Value) -> Reply {
        self.send(
            self.client
                .post(self.url(path))
                .header("Idempotency-Key", key)
                .json(body),
        )
        .await
    }

    /// Creates a group in HKD (Hong Kong → Philippines) with no accounts yet, for tests that
    /// define their own, with nothing waiting for approval (`without_approvals`), and returns
    /// its id.
    pub async fn create_group(&self, name: &str) -> String {
        let reply = self
            .post("/v1/groups", &json!({"name": name, "currency": "HKD", "host_country": "HK", "home_country": "PH", "chart": "empty"}))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let group = reply.body["id"].as_str().expect("group id").to_string();
        self.without_approvals(&group).await;
        group
    }

    /// Sets `group`'s approval policy, as the administrator, to let every operation through
    /// at once. A new group's policy makes disbursements, distributions and members' exits
    /// wait for a second person (the safe default); the tests that are not about approvals
    /// carry those out at once, as a group whose policy says so does, and the tests of
    /// approvals set the policy they are about. Set through the store, not the API, so that
    /// the audit log holds only what a test itself asks for.
    pub async fn without_approvals(&self, group: &str) {
        let (admin, _) = self
            .store
            .find_login("admin")
            .await
            .expect("read the administrator")
            .expect("the bootstrap administrator");
        let group = group.parse().expect("a group id");
        let nothing_waits = msai_ledger::domain::approvals::ApprovalPolicy {
            exits: false,
            disbursements: false,
            distributions: false,
            reversals: false,
            period_closes: false,
            ..Default::default()
        };
        self.store
            .set_approval_policy(group, nothing_waits, admin.id)
            .await
            .expect("set the approval policy");
    }

    pub async fn create_account(
        &self,
        group: &str,
        code: &str,
        kind: &str,
        currency: &str,
        no_overdraft: bool,
    ) -> String {
        let reply = self
            .post(
                &format!("/v1/groups/{group}/accounts"),
                &json!({"code": code, "name": code, "type": kind, "currency": currency, "no_overdraft": no_overdraft}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body["id"].as_str().expect("account id").to_string()
    }

    /// Posts a two-entry transfer `amount` from `credit` to `debit` with a fresh key.
    pub async fn transfer(&self, group: &str, debit: &str, credit: &str, amount: &str) -> Reply {
        let key = uuid::Uuid::new_v4().to_string();
        self.post_with_key(
            &format!("/v1/groups/{group}/transactions"),
            &key,
            &json!({"description": "transfer", "entries": [
                {"account": debit, "direction": "debit", "amount": amount},
                {"account": credit, "direction": "credit", "amount": amount},
            ]}),
        )
        .await
    }

    /// Runs `sql` on the service's database behind its back, as someone with the database's
    /// password could; how many rows it changed.
    pub async fn behind_the_back(&self, sql: &str) -> u64 {
        let statement = sqlx::AssertSqlSafe(sql.to_string());
        let changed = match self.backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.database_url).await.unwrap();
                let done = sqlx::query(statement).execute(&pool).await;
                done.map(|r| r.rows_affected())
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.database_url).await.unwrap();
                let done = sqlx::query(statement).execute(&pool).await;
                done.map(|r| r.rows_affected())
            }
        };
        changed.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    pub async fn balance(&self, group: &str, account: &str) -> String {
        let reply = self
            .get(&format!("/v1/groups/{group}/accounts/{account}"))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body["balance"].as_str().expect("balance").to_string()
    }
}

/// Like `both_backends!`, for a service started with the `AppConfig` `$config`.
#[macro_export]
macro_rules! both_backends_with {
    ($name:ident, $config:expr, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: $crate::support::app::TestApp) {
                $body.await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let app = $crate::support::app::spawn_with(
                    $crate::support::app::Backend::Sqlite,
                    $config,
                )
                .await
                .expect("SQLite is always available");
                run(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(app) = $crate::support::app::spawn_with(
                    $crate::support::app::Backend::Postgres,
                    $config,
                )
                .await
                {
                    run(app).await;
                }
            }
        }
    };
}

/// Declares one test per backend: `both_backends!(name, |app| async move { ... });` expands to
/// `mod name { sqlite(), postgres() }`, each starting its own service over a fresh database.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: $crate::support::app::TestApp) {
                $body.await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let app = $crate::support::app::spawn($crate::support::app::Backend::Sqlite)
                    .await
                    .expect("SQLite is always available");
                run(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(app) =
                    $crate::support::app::spawn($crate::support::app::Backend::Postgres).await
                {
                    run(app).await;
                }
            }
        }
    };
}

/// Waits until the service at `base` answers `/readyz` (its start-up writes are done).
pub async fn wait_ready(base: &str) {
    let client = Client::new();
    for _ in 0..400 {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status() == StatusCode::OK
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the service at {base} did not become ready");
}

/// Holds, from another connection, a lock that every ledger write of `backend` must wait for
/// (SQLite: the write lock; PostgreSQL: an exclusive lock on `groups`), and lets go after
/// `hold`. Returns once the lock is held; await the handle to know it was released.
pub async fn hold_write_lock(
    backend: Backend,
    database_url: &str,
    hold: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(database_url)
                .await
                .expect("connect");
            let mut conn = pool.acquire().await.expect("connection");
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut *conn)
                .await
                .expect("write lock");
            tokio::spawn(async move {
                tokio::time::sleep(hold).await;
                sqlx::query("ROLLBACK")
                    .execute(&mut *conn)
                    .await
                    .expect("release");
            })
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(database_url).await.expect("connect");
            let mut tx = pool.begin().await.expect("transaction");
            sqlx::query("LOCK TABLE groups IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .expect("lock");
            tokio::spawn(async move {
                tokio::time::sleep(hold).await;
                tx.rollback().await.expect("release");
            })
        }
    }
}

/// An approval policy under which nothing waits for a second person.
pub fn no_approvals() -> Value {
    json!({"withdrawals_above": {}, "exits": false, "disbursements": false,
           "distributions": false, "reversals": false, "period_closes": false})
}
