//! Edges of access control: the service always keeps an administrator, and liveness does not
//! depend on the database even for callers who send their token everywhere.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{Reply, assert_problem};

both_backends!(
    the_last_administrator_cannot_be_removed_or_disabled,
    |app| async move {
        let me = app.get("/v1/me").await;
        let admin_id = me.body["user"]["id"].as_str().unwrap().to_string();
        let grant_id = me.body["user"]["grants"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let removed = app
            .send(
                app.client
                    .delete(app.url(&format!("/v1/users/{admin_id}/grants/{grant_id}"))),
            )
            .await;
        assert_problem(&removed, StatusCode::CONFLICT, "last-admin");
        assert_eq!(
            app.get("/v1/me").await.status,
            StatusCode::OK,
            "still an administrator"
        );

        // With a second administrator, the first may give up the role.
        let (second_id, second) = app
            .user_with("second.admin", json!([{"role": "admin"}]))
            .await;
        let removed = app
            .send(
                app.client
                    .delete(app.url(&format!("/v1/users/{admin_id}/grants/{grant_id}"))),
            )
            .await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
        // Now the second is the last one: the first, no longer an administrator, cannot act, and
        // the second cannot be disabled by anyone.
        let by_first = app
            .post(&format!("/v1/users/{second_id}/disable"), &json!({}))
            .await;
        assert_problem(&by_first, StatusCode::FORBIDDEN, "forbidden");
        let own = Reply::from(
            second
                .post(app.url(&format!("/v1/users/{second_id}/disable")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_problem(&own, StatusCode::CONFLICT, "cannot-disable-self");
    }
);

both_backends!(
    health_answers_with_a_token_while_the_database_is_down,
    |app| async move {
        app.store.close().await;
        let health = app.get("/healthz").await;
        assert_eq!(health.status, StatusCode::OK, "{}", health.body);
        let document = app.send(app.client.get(app.url("/openapi.yaml"))).await;
        assert_eq!(document.status, StatusCode::OK);
        let groups = app.get("/v1/groups").await;
        assert_problem(&groups, StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        assert!(groups.headers.contains_key("retry-after"));
        let ready = app.get("/readyz").await;
        assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(ready.body["type"], Value::from("/problems/unavailable"));
    }
);
