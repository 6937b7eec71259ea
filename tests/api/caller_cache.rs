//! A service keeps the callers its tokens named for a short time (`MSAI_CALLER_CACHE_MS`). A
//! change to a user made through the same service holds for the very next request; one made
//! through another service on the same database holds there once that time has passed.

use crate::support;

use std::time::Duration;

use msai_ledger::app::AppConfig;
use reqwest::{Client, StatusCode};
use serde_json::json;
use support::app::{Backend, TestApp, assert_problem, spawn_on, spawn_with};

fn config(ttl: Duration) -> AppConfig {
    let mut config = AppConfig::default();
    config.auth.caller_cache_ttl = ttl;
    config
}

/// Two services on one fresh database, each with its own cache of callers, as two processes.
async fn two_services(backend: Backend, ttl: Duration) -> Option<(TestApp, TestApp)> {
    let here = spawn_with(backend, config(ttl)).await?;
    let there = spawn_on(backend, here.database_url.clone(), None, config(ttl)).await;
    Some((here, there))
}

async fn me(app: &TestApp, client: &Client) -> StatusCode {
    app.send(client.get(app.url("/v1/me"))).await.status
}

/// Takes grant `grant` away from `user`, as the administrator of `app`.
async fn remove_grant(app: &TestApp, user: &str, grant: &str) {
    let url = app.url(&format!("/v1/users/{user}/grants/{grant}"));
    let removed = app.send(app.client.delete(url)).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
}

/// A treasurer of one group is given a second and loses the first: each change holds for the
/// request right after it, although the treasurer's user was read a moment before.
async fn grants_changed_here_hold_for_the_next_request(app: TestApp) {
    let first = app.create_group("First").await;
    let second = app.create_group("Second").await;
    let (user, treasurer) = app
        .user_with(
            "treasurer.of.two",
            json!([{"role": "treasurer", "group_id": first}]),
        )
        .await;
    let group = |id: &str| treasurer.get(app.url(&format!("/v1/groups/{id}")));
    assert_eq!(app.send(group(&first)).await.status, StatusCode::OK);
    let hidden = app.send(group(&second)).await;
    assert_problem(&hidden, StatusCode::NOT_FOUND, "not-found");

    let granted = app
        .post(
            &format!("/v1/users/{user}/grants"),
            &json!({"role": "treasurer", "group_id": second}),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    let seen = app.send(group(&second)).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);

    let me = app.send(treasurer.get(app.url("/v1/me"))).await;
    let first_grant = me.body["user"]["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group_id"] == first.as_str())
        .expect("the grant for the first group")["id"]
        .as_str()
        .unwrap()
        .to_string();
    remove_grant(&app, &user, &first_grant).await;
    let gone = app.send(group(&first)).await;
    assert_problem(&gone, StatusCode::NOT_FOUND, "not-found");
}

/// A user disabled through one service is refused there at once, and by a service that had
/// just seen them once its cache time has passed.
async fn a_user_disabled_elsewhere_is_refused_here_after_the_cache_time(backend: Backend) {
    let ttl = Duration::from_millis(300);
    let Some((here, there)) = two_services(backend, ttl).await else {
        return;
    };
    let (user, client) = here
        .user_with("leaves.soon", json!([{"role": "auditor"}]))
        .await;
    assert_eq!(me(&here, &client).await, StatusCode::OK);
    assert_eq!(me(&there, &client).await, StatusCode::OK);

    let disabled = there
        .send(
            there
                .client
                .post(there.url(&format!("/v1/users/{user}/disable"))),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    assert_eq!(me(&there, &client).await, StatusCode::UNAUTHORIZED);

    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    assert_eq!(
        me(&here, &client).await,
        StatusCode::UNAUTHORIZED,
        "a service that read the user before the change still let them in after {ttl:?}"
    );
}

/// With the cache off, a change made through another service holds at once.
async fn without_the_cache_a_change_elsewhere_holds_at_once(backend: Backend) {
    let Some((here, there)) = two_services(backend, Duration::ZERO).await else {
        return;
    };
    let group = here.create_group("Uncached").await;
    let (user, treasurer) = here
        .user_with(
            "treasurer.uncached",
            json!([{"role": "treasurer", "group_id": group}]),
        )
        .await;
    let read = |app: &TestApp| treasurer.get(app.url(&format!("/v1/groups/{group}")));
    assert_eq!(here.send(read(&here)).await.status, StatusCode::OK);

    let me = here.send(treasurer.get(here.url("/v1/me"))).await;
    let grant = me.body["user"]["grants"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    remove_grant(&there, &user, &grant).await;
    let hidden = here.send(read(&here)).await;
    assert_problem(&hidden, StatusCode::NOT_FOUND, "not-found");
}

mod grants_changed_here {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        let app = spawn_with(Backend::Sqlite, AppConfig::default())
            .await
            .unwrap();
        grants_changed_here_hold_for_the_next_request(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        if let Some(app) = spawn_with(Backend::Postgres, AppConfig::default()).await {
            grants_changed_here_hold_for_the_next_request(app).await;
        }
    }
}

mod disabled_elsewhere {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        a_user_disabled_elsewhere_is_refused_here_after_the_cache_time(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        a_user_disabled_elsewhere_is_refused_here_after_the_cache_time(Backend::Postgres).await;
    }
}

mod uncached {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        without_the_cache_a_change_elsewhere_holds_at_once(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        without_the_cache_a_change_elsewhere_holds_at_once(Backend::Postgres).await;
    }
}
