//! Sign-in limits, on both backends: a guesser locks only their own address out of a username,
//! one address guessing many usernames is stopped, many addresses guessing one username are
//! stopped without locking the user out of the address they sign in from, X-Forwarded-For
//! counts only from a trusted proxy, and every service process on the database shares the
//! counts.

mod support;

use std::net::IpAddr;

use msai_ledger::app::{AppConfig, serve};
use msai_ledger::auth::client::TrustedProxies;
use msai_ledger::auth::ratelimit::{
    MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_USERNAME, MAX_FAILURES_PER_USERNAME_AND_ADDRESS,
    WINDOW,
};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::app::{Backend, Reply, TestApp, spawn_with};
use tokio::sync::oneshot;

const PASSWORD: &str = "a-long-enough-password";
const WRONG: &str = "a-wrong-guess-at-it";

/// A service that believes X-Forwarded-For from 127.0.0.1 (where the tests connect from).
fn behind_a_proxy() -> AppConfig {
    AppConfig {
        trusted_proxies: TrustedProxies::parse("127.0.0.1").unwrap(),
        ..AppConfig::default()
    }
}

/// Like `both_backends!`, for a service started with `$config`.
macro_rules! both_backends_with {
    ($name:ident, $config:expr, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: TestApp) {
                $body.await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let app = spawn_with(Backend::Sqlite, $config)
                    .await
                    .expect("SQLite is always available");
                run(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(app) = spawn_with(Backend::Postgres, $config).await {
                    run(app).await;
                }
            }
        }
    };
}

/// A client whose connections come from `address` (any of 127.0.0.0/8 reaches the service).
fn client_from(address: &str) -> Client {
    Client::builder()
        .local_address(address.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn sign_in_at(
    base: &str,
    client: &Client,
    forwarded_for: Option<&str>,
    username: &str,
    password: &str,
) -> Reply {
    let mut request = client
        .post(format!("{base}/v1/auth/token"))
        .json(&json!({"username": username, "password": password}));
    if let Some(address) = forwarded_for {
        request = request.header("X-Forwarded-For", address);
    }
    Reply::from(request.send().await.unwrap()).await
}

async fn sign_in(
    app: &TestApp,
    client: &Client,
    forwarded_for: Option<&str>,
    username: &str,
    password: &str,
) -> Reply {
    sign_in_at(&app.base, client, forwarded_for, username, password).await
}

async fn add_user(app: &TestApp, username: &str) {
    let created = app
        .post(
            "/v1/users",
            &json!({"username": username, "password": PASSWORD, "grants": [{"role": "auditor"}]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
}

fn assert_limited(reply: &Reply, what: &str) {
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{what}: {}",
        reply.body
    );
    assert_eq!(
        reply.problem_type(),
        "/problems/too-many-attempts",
        "{what}"
    );
    let wait: u64 = reply
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{what}: no Retry-After in seconds"));
    assert!(
        wait > 0 && wait <= WINDOW.as_secs(),
        "{what}: Retry-After {wait}"
    );
}

fn assert_wrong(reply: &Reply, what: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "{what}: {}",
        reply.body
    );
    assert_eq!(
        reply.problem_type(),
        "/problems/invalid-credentials",
        "{what}"
    );
}

both_backends_with!(
    a_guesser_cannot_lock_the_user_out_from_another_address,
    AppConfig::default(),
    |app| async move {
        add_user(&app, "ana.reyes").await;
        let attacker = client_from("127.0.0.1");
        let owner = client_from("127.0.0.2");
        for n in 0..MAX_FAILURES_PER_USERNAME_AND_ADDRESS {
            let reply = sign_in(&app, &attacker, None, "ana.reyes", WRONG).await;
            assert_wrong(&reply, &format!("guess {n}"));
        }
        let locked = sign_in(&app, &attacker, None, "ana.reyes", PASSWORD).await;
        assert_limited(
            &locked,
            "the guesser's address, even with the right password",
        );
        let reply = sign_in(&app, &owner, None, "ana.reyes", PASSWORD).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "the owner's address: {}",
            reply.body
        );
        // The guesser's address stays locked for this username.
        let locked = sign_in(&app, &attacker, None, "ana.reyes", WRONG).await;
        assert_limited(&locked, "the guesser's address after the owner signed in");
    }
);

both_backends_with!(
    one_address_guessing_many_usernames_is_stopped_and_others_are_not,
    AppConfig::default(),
    |app| async move {
        add_user(&app, "ben.cruz").await;
        let guesser = client_from("127.0.0.3");
        // Each username stays under its own limit; the address runs out.
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..MAX_FAILURES_PER_ADDRESS {
            let (base, client) = (app.base.clone(), guesser.clone());
            tasks.spawn(async move {
                let username = format!("guess-{}", n % 10);
                sign_in_at(&base, &client, None, &username, WRONG)
                    .await
                    .status
            });
        }
        for status in tasks.join_all().await {
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        let next = sign_in(&app, &guesser, None, "ben.cruz", PASSWORD).await;
        assert_limited(&next, "a fresh username from the same address");
        let elsewhere = sign_in(&app, &client_from("127.0.0.4"), None, "ben.cruz", PASSWORD).await;
        assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.body);
    }
);

both_backends_with!(
    many_addresses_guessing_one_username_are_stopped_but_not_at_the_user_s_own,
    behind_a_proxy(),
    |app| async move {
        add_user(&app, "cora.lim").await;
        let proxy = Client::new();
        // Cora signs in from home, which makes the address hers.
        let home = Some("198.51.100.7");
        let reply = sign_in(&app, &proxy, home, "cora.lim", PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

        // Guessers from many addresses, each under its own limits.
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..MAX_FAILURES_PER_USERNAME {
            let (base, client) = (app.base.clone(), proxy.clone());
            tasks.spawn(async move {
                let address = format!("203.0.113.{}", n % 25);
                sign_in_at(&base, &client, Some(&address), "cora.lim", WRONG)
                    .await
                    .status
            });
        }
        for status in tasks.join_all().await {
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        let stranger = sign_in(&app, &proxy, Some("192.0.2.99"), "cora.lim", PASSWORD).await;
        assert_limited(&stranger, "a new address for the guessed username");
        let reply = sign_in(&app, &proxy, home, "cora.lim", PASSWORD).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "Cora still signs in from home: {}",
            reply.body
        );
    }
);

both_backends_with!(
    forwarded_for_from_a_trusted_proxy_names_the_client,
    behind_a_proxy(),
    |app| async move {
        add_user(&app, "dina.santos").await;
        let proxy = Client::new();
        let guesser = Some("203.0.113.5");
        for n in 0..MAX_FAILURES_PER_USERNAME_AND_ADDRESS {
            let reply = sign_in(&app, &proxy, guesser, "dina.santos", WRONG).await;
            assert_wrong(&reply, &format!("guess {n}"));
        }
        let locked = sign_in(&app, &proxy, guesser, "dina.santos", PASSWORD).await;
        assert_limited(&locked, "the guesser, through the proxy");
        // A spoofed entry left of the proxy's own is not believed.
        let spoofed = sign_in(
            &app,
            &proxy,
            Some("198.51.100.1, 203.0.113.5"),
            "dina.santos",
            WRONG,
        )
        .await;
        assert_limited(&spoofed, "the guesser, claiming another address");
        let owner = sign_in(&app, &proxy, Some("198.51.100.7"), "dina.santos", PASSWORD).await;
        assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);

        // The audit log names the client, not the proxy.
        let events = app.get("/v1/audit-events?limit=200").await;
        let addresses: Vec<&Value> = events.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["route"] == "/v1/auth/token")
            .map(|e| &e["client_addr"])
            .collect();
        assert!(addresses.contains(&&json!("203.0.113.5")), "{addresses:?}");
        assert!(addresses.contains(&&json!("198.51.100.7")), "{addresses:?}");
    }
);

both_backends_with!(
    forwarded_for_from_anyone_else_is_ignored,
    AppConfig::default(),
    |app| async move {
        add_user(&app, "eva.tan").await;
        let client = Client::new();
        // A new address in every request changes nothing: the peer is what counts.
        for n in 0..MAX_FAILURES_PER_USERNAME_AND_ADDRESS {
            let claimed = format!("203.0.113.{n}");
            let reply = sign_in(&app, &client, Some(&claimed), "eva.tan", WRONG).await;
            assert_wrong(&reply, &format!("guess {n}"));
        }
        let locked = sign_in(&app, &client, Some("198.51.100.200"), "eva.tan", PASSWORD).await;
        assert_limited(&locked, "a guesser claiming yet another address");
        let events = app.get("/v1/audit-events?limit=200").await;
        let last = events.body["items"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["client_addr"], "127.0.0.1", "{last}");
    }
);

/// Starts another instance of the service on `database_url`, as a second process would; it
/// stops when the sender is dropped.
async fn second_instance(database_url: &str) -> (String, oneshot::Sender<()>) {
    let store = msai_ledger::store::connect(database_url)
        .await
        .expect("a second instance connects to the same database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(serve(listener, store, AppConfig::default(), async {
        let _ = rx.await;
    }));
    support::app::wait_ready(&base).await;
    (base, tx)
}

both_backends_with!(
    two_service_instances_on_one_database_share_the_counts,
    AppConfig::default(),
    |app| async move {
        add_user(&app, "fe.garcia").await;
        let (second, _stop) = second_instance(&app.database_url).await;
        let client = Client::new();
        for n in 0..MAX_FAILURES_PER_USERNAME_AND_ADDRESS {
            // Alternating between the two instances.
            let base = if n % 2 == 0 { &app.base } else { &second };
            let reply = sign_in_at(base, &client, None, "fe.garcia", WRONG).await;
            assert_wrong(&reply, &format!("guess {n}"));
        }
        for base in [&app.base, &second] {
            let reply = sign_in_at(base, &client, None, "fe.garcia", PASSWORD).await;
            assert_limited(&reply, &format!("the instance at {base}"));
        }
    }
);
