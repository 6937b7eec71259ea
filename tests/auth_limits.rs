//! Sign-in limits, on both backends: a guesser locks only their own address out of a username,
//! one address guessing many usernames is stopped, many addresses guessing one username are
//! stopped without locking the user out of the address they sign in from, locks grow with each
//! failure and end, an administrator can lift a user's, hundreds of users sign in from one
//! shared address, X-Forwarded-For counts only from a trusted proxy, and every service process
//! on the database shares the counts.
//!
//! A test binary of its own, not a module of the shared one (`tests/api/`): its 500 sign-ins keep
//! busy the two threads a process checks passwords on, which every sign-in of every test in the
//! same process would wait for (every test service signs its administrator in), and its locks are
//! counted in whole seconds of real time.

mod support;

use std::net::IpAddr;

use msai_ledger::app::{AppConfig, serve};
use msai_ledger::auth::client::TrustedProxies;
use msai_ledger::auth::ratelimit::{
    MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_USERNAME, MAX_FAILURES_PER_USERNAME_AND_ADDRESS,
    SignInLimits, WINDOW,
};
use msai_ledger::domain::access::{NewGrant, NewUser, Role};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use support::app::{Reply, TestApp};
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
        let usernames = MAX_FAILURES_PER_ADDRESS / (MAX_FAILURES_PER_USERNAME_AND_ADDRESS - 1) + 1;
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..MAX_FAILURES_PER_ADDRESS {
            let (base, client) = (app.base.clone(), guesser.clone());
            tasks.spawn(async move {
                let username = format!("guess-{}", n % usernames);
                let reply = sign_in_at(&base, &client, None, &username, WRONG).await;
                (reply.status, reply.body)
            });
        }
        for (status, body) in tasks.join_all().await {
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
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

/// A service behind a proxy whose locks start at 1 s and grow to at most 4 s, with few free
/// failures, so that a test can see locks end and grow.
fn short_locks() -> AppConfig {
    AppConfig {
        sign_in_limits: SignInLimits {
            per_username_and_address: 3,
            per_username: 6,
            first_lock: Duration::from_secs(1),
            max_lock: Duration::from_secs(4),
            ..SignInLimits::default()
        },
        ..behind_a_proxy()
    }
}

fn retry_after(reply: &Reply) -> u64 {
    reply
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no Retry-After: {}", reply.body))
}

/// Waits out a lock whose answer was `reply`.
async fn wait_out(reply: &Reply) {
    tokio::time::sleep(Duration::from_secs(retry_after(reply)) + Duration::from_millis(100)).await;
}

both_backends_with!(
    a_user_guessed_at_from_many_addresses_is_locked_until_the_lock_ends_and_locks_grow,
    short_locks(),
    |app| async move {
        add_user(&app, "gil.ramos").await;
        let proxy = Client::new();
        // One guess from each of six addresses: none reaches its own limit, the user does.
        for n in 0..6 {
            let address = format!("203.0.113.{n}");
            let reply = sign_in(&app, &proxy, Some(&address), "gil.ramos", WRONG).await;
            assert_wrong(&reply, &format!("guess from {address}"));
        }
        let locked = sign_in(&app, &proxy, Some("192.0.2.1"), "gil.ramos", PASSWORD).await;
        assert_limited(&locked, "the right password while the user is locked");
        support::openapi::assert_reply_matches("POST", "/v1/auth/token", &locked);
        assert_eq!(retry_after(&locked), 1, "the first lock is the shortest");
        assert_eq!(locked.content_type(), "application/problem+json");
        wait_out(&locked).await;
        // Once the lock has ended one more guess is checked, and locks the user for longer.
        let reply = sign_in(&app, &proxy, Some("203.0.113.50"), "gil.ramos", WRONG).await;
        assert_wrong(&reply, "a guess after the lock ended");
        let locked = sign_in(&app, &proxy, Some("192.0.2.2"), "gil.ramos", PASSWORD).await;
        assert_limited(&locked, "the second lock");
        assert_eq!(
            retry_after(&locked),
            2,
            "the second lock is twice the first"
        );
        wait_out(&locked).await;
        // The right password, once the lock has ended, signs in.
        let reply = sign_in(&app, &proxy, Some("192.0.2.3"), "gil.ramos", PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
);

both_backends_with!(
    an_administrator_lifts_a_user_s_lock_and_only_an_administrator_may,
    short_locks(),
    |app| async move {
        add_user(&app, "hana.ito").await;
        let created = app
            .post(
                "/v1/users",
                &json!({"username": "ivy.treasurer", "password": PASSWORD, "grants": [{"role": "auditor"}]}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let users = app.get("/v1/users?limit=100").await;
        let id = users.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == "hana.ito")
            .map(|u| u["id"].as_str().unwrap().to_string())
            .unwrap();
        // Locked from her own address and from anywhere.
        let proxy = Client::new();
        let phone = Some("198.51.100.20");
        for n in 0..3 {
            let reply = sign_in(&app, &proxy, phone, "hana.ito", WRONG).await;
            assert_wrong(&reply, &format!("guess {n}"));
        }
        for n in 0..3 {
            let address = format!("203.0.113.{n}");
            let reply = sign_in(&app, &proxy, Some(&address), "hana.ito", WRONG).await;
            assert_wrong(&reply, &format!("guess from {address}"));
        }
        let locked = sign_in(&app, &proxy, phone, "hana.ito", PASSWORD).await;
        assert_limited(&locked, "her own phone");
        let locked = sign_in(&app, &proxy, Some("192.0.2.9"), "hana.ito", PASSWORD).await;
        assert_limited(&locked, "a new address");

        // An auditor may not lift it.
        let auditor = support::app::login(&app.anonymous, &app.base, "ivy.treasurer", PASSWORD)
            .await
            .expect("the auditor signs in");
        let lift = format!("/v1/users/{id}/sign-in-lock");
        let reply = app
            .send(support::app::client_with_token(&auditor).delete(app.url(&lift)))
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
        support::openapi::assert_reply_matches(
            "DELETE",
            "/v1/users/{user_id}/sign-in-lock",
            &reply,
        );
        let locked = sign_in(&app, &proxy, phone, "hana.ito", PASSWORD).await;
        assert_limited(&locked, "after a refused lift");

        // The administrator lifts it: the right password signs in at once, from anywhere.
        let reply = app.send(app.client.delete(app.url(&lift))).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
        support::openapi::assert_reply_matches(
            "DELETE",
            "/v1/users/{user_id}/sign-in-lock",
            &reply,
        );
        let reply = sign_in(&app, &proxy, phone, "hana.ito", PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let reply = sign_in(&app, &proxy, Some("192.0.2.9"), "hana.ito", PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

        // A user who does not exist has no lock to lift.
        let unknown = format!("/v1/users/{}/sign-in-lock", uuid::Uuid::new_v4());
        let reply = app.send(app.client.delete(app.url(&unknown))).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
        support::openapi::assert_reply_matches(
            "DELETE",
            "/v1/users/{user_id}/sign-in-lock",
            &reply,
        );

        // The lift is in the audit log, like other administrators' writes.
        let events = app.get("/v1/audit-events?limit=200").await;
        let lifted = events.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["method"] == "DELETE" && e["path"] == lift.as_str())
            .map(|e| e["status"].as_u64().unwrap())
            .collect::<Vec<_>>();
        assert!(lifted.contains(&204), "{}", events.body);
    }
);

/// Creates `count` users named `member-N` with [`PASSWORD`], straight in the store (hashing
/// the password once), for tests that need many.
async fn add_many_users(app: &TestApp, count: usize) {
    let hash = msai_ledger::auth::password::hash(PASSWORD).unwrap();
    for n in 0..count {
        app.store
            .create_user(NewUser {
                username: format!("member-{n}"),
                password_hash: hash.clone(),
                grants: vec![NewGrant {
                    role: Role::Auditor,
                    group_id: None,
                    member_id: None,
                }],
            })
            .await
            .unwrap();
    }
}

both_backends_with!(
    five_hundred_users_sign_in_from_one_shared_address_within_a_minute,
    AppConfig::default(),
    |app| async move {
        const USERS: usize = 500;
        add_many_users(&app, USERS).await;
        // A meeting hall's Wi-Fi: one address for everyone, many at once, and some typos
        // among them (more than the old per-address limit of 30).
        let hall = client_from("127.0.0.9");
        for n in 0..40 {
            let reply = sign_in(&app, &hall, None, &format!("member-{n}"), WRONG).await;
            assert_wrong(&reply, &format!("typo {n}"));
        }
        let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..32 {
            let (base, client, next) = (app.base.clone(), hall.clone(), next.clone());
            tasks.spawn(async move {
                let mut refused = Vec::new();
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if n >= USERS {
                        return refused;
                    }
                    let reply =
                        sign_in_at(&base, &client, None, &format!("member-{n}"), PASSWORD).await;
                    if reply.status != StatusCode::OK {
                        refused.push((n, reply.status));
                    }
                }
            });
        }
        // Correct sign-ins never count against the address, so none is refused however fast
        // they come; how fast the machine checks 500 passwords is a benchmark's business.
        let refused: Vec<_> = tasks.join_all().await.into_iter().flatten().collect();
        assert!(refused.is_empty(), "refused: {refused:?}");
    }
);
