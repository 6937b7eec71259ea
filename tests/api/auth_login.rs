//! Signing in and managing users, on both backends: tokens for the right password only, one
//! answer for every wrong sign-in, a lock after repeated failures, password changes, who may
//! create whom, and the first administrator of a fresh database.

use crate::support;

use std::os::unix::fs::PermissionsExt as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use msai_ledger::app::{AppConfig, AuthConfig};
use msai_ledger::auth::ratelimit::{MAX_FAILURES_PER_USERNAME_AND_ADDRESS, WINDOW};
use reqwest::Client;
use serde_json::{Value, json};
use support::app::{ADMIN_PASSWORD, Backend, Reply, TestApp, client_with_token, login};
use tokio::sync::oneshot;

/// Password of every user `TestApp::user_with` creates.
const USER_PASSWORD: &str = "a-long-enough-password";

async fn sign_in(app: &TestApp, username: &str, password: &str) -> Reply {
    app.send(
        app.anonymous
            .post(app.url("/v1/auth/token"))
            .json(&json!({"username": username, "password": password})),
    )
    .await
}

async fn me(app: &TestApp, client: &Client) -> Reply {
    app.send(client.get(app.url("/v1/me"))).await
}

/// The claims of a token, read without checking its signature.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn assert_invalid_credentials(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 401, "{what}: {}", reply.body);
    assert_eq!(
        reply.problem_type(),
        "/problems/invalid-credentials",
        "{what}"
    );
    assert!(
        header(reply, "www-authenticate").starts_with("Bearer"),
        "{what}"
    );
}

/// Adds a member to `group` and returns the member's id, for member grants to name.
async fn new_member(app: &TestApp, group: &str, name: &str) -> String {
    let reply = app
        .post(
            &format!("/v1/groups/{group}/members"),
            &json!({"name": name, "home_country": "PH", "host_country": "HK"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

async fn create_user(app: &TestApp, client: &Client, body: Value) -> Reply {
    app.send(client.post(app.url("/v1/users")).json(&body))
        .await
}

both_backends!(
    the_right_password_gets_a_bearer_token_that_is_not_cached_and_works,
    |app| async move {
        let reply = sign_in(&app, "admin", ADMIN_PASSWORD).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["token_type"], "Bearer");
        assert_eq!(reply.body["expires_in"], 3600);
        assert_eq!(header(&reply, "cache-control"), "no-store");
        let token = reply.body["access_token"].as_str().unwrap();
        let claims = claims_of(token);
        assert_eq!(
            claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
            3600,
            "the token lives as long as expires_in says"
        );
        let reply = me(&app, &client_with_token(token)).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body["user"]["username"], "admin");
    }
);

both_backends!(
    a_wrong_password_an_unknown_user_and_a_disabled_user_get_the_same_answer,
    |app| async move {
        let created = app
            .post(
                "/v1/users",
                &json!({"username": "left-the-group", "password": USER_PASSWORD, "grants": [{"role": "auditor"}]}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.body["id"].as_str().unwrap();
        let disabled = app
            .send(app.client.post(app.url(&format!("/v1/users/{id}/disable"))))
            .await;
        assert_eq!(disabled.status, 200, "{}", disabled.body);

        let wrong_password = sign_in(&app, "admin", "not-the-admin-password").await;
        let unknown_user = sign_in(&app, "nobody-here", ADMIN_PASSWORD).await;
        let disabled_user = sign_in(&app, "left-the-group", USER_PASSWORD).await;
        assert_invalid_credentials(&wrong_password, "wrong password");
        assert_invalid_credentials(&unknown_user, "unknown user");
        assert_invalid_credentials(&disabled_user, "disabled user");
        assert_eq!(wrong_password.body, unknown_user.body);
        assert_eq!(wrong_password.body, disabled_user.body);
        assert_eq!(
            header(&wrong_password, "www-authenticate"),
            header(&unknown_user, "www-authenticate")
        );
        assert_eq!(
            header(&wrong_password, "www-authenticate"),
            header(&disabled_user, "www-authenticate")
        );
    }
);

both_backends!(
    repeated_failures_lock_one_username_from_one_address_even_against_the_right_password,
    |app| async move {
        let created = app
            .post(
                "/v1/users",
                &json!({"username": "forgetful", "password": USER_PASSWORD, "grants": [{"role": "auditor"}]}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        for attempt in 1..=MAX_FAILURES_PER_USERNAME_AND_ADDRESS {
            let reply = sign_in(&app, "forgetful", "a-wrong-guess-here").await;
            assert_invalid_credentials(&reply, &format!("failure {attempt}"));
        }
        let locked = sign_in(&app, "forgetful", "a-wrong-guess-here").await;
        assert_eq!(locked.status, 429, "{}", locked.body);
        assert_eq!(locked.problem_type(), "/problems/too-many-attempts");
        let wait: u64 = header(&locked, "retry-after")
            .parse()
            .expect("Retry-After in seconds");
        assert!(
            wait > 0 && wait <= WINDOW.as_secs(),
            "Retry-After {wait} s is not within the window"
        );

        let right = sign_in(&app, "forgetful", USER_PASSWORD).await;
        assert_eq!(
            right.status, 429,
            "the right password is refused while the username is locked: {}",
            right.body
        );
        assert!(right.body["access_token"].is_null());
        assert!(!header(&right, "retry-after").is_empty());

        // Other usernames, from the same address, sign in as usual.
        let other = sign_in(&app, "admin", ADMIN_PASSWORD).await;
        assert_eq!(other.status, 200, "{}", other.body);
        let unknown = sign_in(&app, "someone-else", "a-wrong-guess-here").await;
        assert_invalid_credentials(&unknown, "another username");
    }
);

both_backends!(
    guesses_sent_all_at_once_get_no_more_tries_than_guesses_sent_one_by_one,
    |app| async move {
        let created = app
            .post(
                "/v1/users",
                &json!({"username": "targeted", "password": USER_PASSWORD, "grants": [{"role": "auditor"}]}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let guesses = 4 * MAX_FAILURES_PER_USERNAME_AND_ADDRESS;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..guesses {
            let (client, url) = (app.anonymous.clone(), app.url("/v1/auth/token"));
            tasks.spawn(async move {
                let body =
                    json!({"username": "targeted", "password": format!("guess-number-{i:04}")});
                client.post(url).json(&body).send().await.unwrap().status()
            });
        }
        let statuses: Vec<u16> = tasks
            .join_all()
            .await
            .into_iter()
            .map(|s| s.as_u16())
            .collect();
        let checked = statuses.iter().filter(|s| **s == 401).count();
        let refused = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!(checked + refused, statuses.len(), "{statuses:?}");
        assert!(
            checked <= MAX_FAILURES_PER_USERNAME_AND_ADDRESS as usize,
            "{checked} of {guesses} simultaneous guesses had their password checked; \
             at most {MAX_FAILURES_PER_USERNAME_AND_ADDRESS} may be: {statuses:?}"
        );
        assert_eq!(sign_in(&app, "targeted", USER_PASSWORD).await.status, 429);
    }
);

both_backends!(
    a_user_changes_their_own_password_and_only_the_new_one_works,
    |app| async move {
        let (id, client) = app
            .user_with("changes-password", json!([{"role": "auditor"}]))
            .await;
        let new_password = "a-brand-new-password";
        let reply = app
            .send(
                client
                    .post(app.url(&format!("/v1/users/{id}/password")))
                    .json(&json!({"password": new_password, "current_password": USER_PASSWORD})),
            )
            .await;
        assert_eq!(reply.status, 204, "{}", reply.body);
        let old = sign_in(&app, "changes-password", USER_PASSWORD).await;
        assert_invalid_credentials(&old, "the old password");
        let new = login(&app.anonymous, &app.base, "changes-password", new_password)
            .await
            .expect("the new password signs in");
        let reply = me(&app, &client_with_token(&new)).await;
        assert_eq!(reply.body["user"]["id"], id.as_str());
    }
);

both_backends!(
    a_password_too_short_is_refused_naming_the_field,
    |app| async move {
        let reply = app
            .post(
                "/v1/users",
                &json!({"username": "short-password", "password": "short", "grants": [{"role": "auditor"}]}),
            )
            .await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(reply.pointer(), "/password");
        let me = app.get("/v1/me").await;
        let admin = me.body["user"]["id"].as_str().unwrap();
        let reply = app
            .post(
                &format!("/v1/users/{admin}/password"),
                &json!({"password": "short"}),
            )
            .await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(reply.pointer(), "/password");
        // The password did not change.
        assert_eq!(sign_in(&app, "admin", ADMIN_PASSWORD).await.status, 200);
    }
);

both_backends!(
    only_an_administrator_changes_another_user_s_password,
    |app| async move {
        let group = app.create_group("Kowloon").await;
        let record = new_member(&app, &group, "Ana Reyes").await;
        let (member, _) = app
            .user_with(
                "member-of-kowloon",
                json!([{"role": "member", "group_id": group, "member_id": record}]),
            )
            .await;
        let (_, treasurer) = app
            .user_with(
                "treasurer-of-kowloon",
                json!([{"role": "treasurer", "group_id": group}]),
            )
            .await;
        let reply = app
            .send(
                treasurer
                    .post(app.url(&format!("/v1/users/{member}/password")))
                    .json(&json!({"password": "chosen-by-the-treasurer"})),
            )
            .await;
        assert_eq!(reply.status, 403, "{}", reply.body);
        assert_eq!(reply.problem_type(), "/problems/forbidden");
        assert_invalid_credentials(
            &sign_in(&app, "member-of-kowloon", "chosen-by-the-treasurer").await,
            "the password the treasurer tried to set",
        );
        assert_eq!(
            sign_in(&app, "member-of-kowloon", USER_PASSWORD)
                .await
                .status,
            200
        );
    }
);

both_backends!(
    a_treasurer_creates_member_users_of_their_own_group_only,
    |app| async move {
        let a = app.create_group("Group A").await;
        let b = app.create_group("Group B").await;
        let (_, treasurer) = app
            .user_with(
                "treasurer-of-a",
                json!([{"role": "treasurer", "group_id": a}]),
            )
            .await;
        let in_a = new_member(&app, &a, "Ana Reyes").await;
        let in_b = new_member(&app, &b, "Ben Cruz").await;
        let member_of = |group: &str, member: &str, username: &str| {
            json!({
                "username": username,
                "password": USER_PASSWORD,
                "grants": [{"role": "member", "group_id": group, "member_id": member}],
            })
        };

        let reply = create_user(&app, &treasurer, member_of(&a, &in_a, "new-member-of-a")).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        assert_eq!(reply.body["grants"][0]["role"], "member");
        assert_eq!(reply.body["grants"][0]["group_id"], a.as_str());

        let refused = [
            (
                member_of(&b, &in_b, "member-of-b"),
                "a member of another group",
            ),
            (
                json!({"username": "second-treasurer", "password": USER_PASSWORD,
                       "grants": [{"role": "treasurer", "group_id": a}]}),
                "a treasurer of their own group",
            ),
            (
                json!({"username": "self-made-auditor", "password": USER_PASSWORD,
                       "grants": [{"role": "auditor"}]}),
                "an auditor",
            ),
            (
                json!({"username": "self-made-admin", "password": USER_PASSWORD,
                       "grants": [{"role": "admin"}]}),
                "an administrator",
            ),
            (
                json!({"username": "no-grants", "password": USER_PASSWORD, "grants": []}),
                "a user with no grant",
            ),
            (
                json!({"username": "member-of-both", "password": USER_PASSWORD, "grants": [
                    {"role": "member", "group_id": a, "member_id": in_a},
                    {"role": "member", "group_id": b, "member_id": in_b},
                ]}),
                "a member of their group and of another",
            ),
        ];
        for (body, what) in refused {
            let reply = create_user(&app, &treasurer, body).await;
            assert_eq!(
                reply.status, 403,
                "a treasurer created {what}: {}",
                reply.body
            );
            assert_eq!(reply.problem_type(), "/problems/forbidden");
        }
        let users = app.get("/v1/users").await;
        let names: Vec<&str> = users.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        assert_eq!(
            names.len(),
            3,
            "only admin, the treasurer and the member of A exist: {names:?}"
        );
        assert!(names.contains(&"new-member-of-a"));

        // The new member signs in and sees their own grant, nothing more.
        let token = login(&app.anonymous, &app.base, "new-member-of-a", USER_PASSWORD)
            .await
            .expect("the new member signs in");
        let reply = app
            .send(client_with_token(&token).get(app.url("/v1/users")))
            .await;
        assert_eq!(reply.status, 403, "{}", reply.body);
    }
);

both_backends!(a_username_is_taken_only_once, |app| async move {
    let body =
        json!({"username": "maria", "password": USER_PASSWORD, "grants": [{"role": "auditor"}]});
    let first = app.post("/v1/users", &body).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let second = app
        .post(
            "/v1/users",
            &json!({"username": "maria", "password": "another-long-password", "grants": []}),
        )
        .await;
    assert_eq!(second.status, 409, "{}", second.body);
    assert_eq!(second.problem_type(), "/problems/duplicate-username");
    // The first Maria keeps her password.
    assert_eq!(sign_in(&app, "maria", USER_PASSWORD).await.status, 200);
    assert_invalid_credentials(
        &sign_in(&app, "maria", "another-long-password").await,
        "the second Maria's password",
    );
});

both_backends!(me_shows_the_user_and_every_grant, |app| async move {
    let a = app.create_group("Group A").await;
    let b = app.create_group("Group B").await;
    let member_id = new_member(&app, &b, "Cora Lim").await;
    let (id, client) = app
        .user_with(
            "two-hats",
            json!([
                {"role": "treasurer", "group_id": a},
                {"role": "member", "group_id": b, "member_id": member_id},
            ]),
        )
        .await;
    let reply = me(&app, &client).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let user = &reply.body["user"];
    assert_eq!(user["id"], id.as_str());
    assert_eq!(user["username"], "two-hats");
    assert_eq!(user["disabled"], false);
    let mut grants: Vec<(String, String, Value)> = user["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["role"].as_str().unwrap().to_string(),
                g["group_id"].as_str().unwrap().to_string(),
                g["member_id"].clone(),
            )
        })
        .collect();
    grants.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
    assert_eq!(
        grants,
        vec![
            ("member".to_string(), b.clone(), Value::from(member_id)),
            ("treasurer".to_string(), a.clone(), Value::Null),
        ]
    );
    let can = reply.body["can"].as_array().unwrap();
    assert_eq!(can.len(), 2, "{can:?}");
    assert!(can.iter().any(|c| c.as_str().unwrap().contains(&a)));
    assert!(can.iter().any(|c| c.as_str().unwrap().contains(&b)));
    assert!(
        reply.body.to_string().find("password").is_none(),
        "/v1/me shows nothing of the password: {}",
        reply.body
    );
});

/// Starts the service over `database_url` without a configured administrator password; it
/// writes the generated one to `password_file`. Returns the base URL and a stop switch.
async fn start_unconfigured(
    database_url: &str,
    password_file: &std::path::Path,
) -> (String, oneshot::Sender<()>) {
    let store = msai_ledger::store::connect(database_url)
        .await
        .expect("connect and migrate");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = AppConfig {
        auth: AuthConfig {
            bootstrap_admin_password: None,
            bootstrap_password_file: password_file.to_path_buf(),
            ..AuthConfig::default()
        },
        ..AppConfig::default()
    };
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(msai_ledger::app::serve(listener, store, config, async {
        let _ = rx.await;
    }));
    // The first answer comes once the service is ready, the administrator made.
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    (base, tx)
}

async fn a_fresh_database_gets_one_administrator_with_a_private_generated_password(
    backend: Backend,
) {
    let Some((url, _db_dir)) = support::app::fresh_database_url(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("admin-password");
    let (base, stop) = start_unconfigured(&url, &file).await;
    let mode = std::fs::metadata(&file)
        .expect("the generated password is written to the configured file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "only its owner may read the file");
    let password = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert!(password.len() >= 10, "a strong generated password");
    let anonymous = Client::new();
    let token = login(&anonymous, &base, "admin", &password)
        .await
        .expect("admin signs in with the generated password");
    let admin = client_with_token(&token);
    let users: Value = admin
        .get(format!("{base}/v1/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = users["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{users}");
    assert_eq!(items[0]["username"], "admin");
    assert_eq!(items[0]["grants"].as_array().unwrap().len(), 1);
    assert_eq!(items[0]["grants"][0]["role"], "admin");
    let _ = stop.send(());

    // A second start over the same database makes no second administrator and leaves the
    // password as it was.
    let second_file = dir.path().join("second-admin-password");
    let (base, stop) = start_unconfigured(&url, &second_file).await;
    assert!(
        !second_file.exists(),
        "no new password on a database with users"
    );
    let token = login(&anonymous, &base, "admin", &password)
        .await
        .expect("the first password still signs in");
    let users: Value = client_with_token(&token)
        .get(format!("{base}/v1/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(users["items"].as_array().unwrap().len(), 1, "{users}");
    let _ = stop.send(());
}

mod a_fresh_database_gets_one_administrator {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        a_fresh_database_gets_one_administrator_with_a_private_generated_password(Backend::Sqlite)
            .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        a_fresh_database_gets_one_administrator_with_a_private_generated_password(
            Backend::Postgres,
        )
        .await;
    }
}
