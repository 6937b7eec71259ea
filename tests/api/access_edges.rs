//! Edges of access control: the service always keeps an administrator, and liveness does not
//! depend on the database even for callers who send their token everywhere.

use crate::support;

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

both_backends!(
    changing_one_s_own_password_needs_the_current_one,
    |app| async move {
        let (id, client) = app
            .user_with("keeps.her.account", json!([{"role": "auditor"}]))
            .await;
        let path = app.url(&format!("/v1/users/{id}/password"));
        let attempt = |body: Value| {
            let request = client.post(path.clone()).json(&body);
            async move { Reply::from(request.send().await.unwrap()).await }
        };
        let missing = attempt(json!({"password": "taken-over-password"})).await;
        assert_problem(&missing, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(missing.pointer(), "/current_password");
        let wrong = attempt(
            json!({"password": "taken-over-password", "current_password": "a guess at it"}),
        )
        .await;
        assert_problem(&wrong, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(wrong.pointer(), "/current_password");
        // The password is unchanged: the old one still signs in, the attacker's does not.
        let base = app.base.clone();
        assert!(
            support::app::login(
                &app.anonymous,
                &base,
                "keeps.her.account",
                "a-long-enough-password"
            )
            .await
            .is_ok()
        );
        assert!(
            support::app::login(
                &app.anonymous,
                &base,
                "keeps.her.account",
                "taken-over-password"
            )
            .await
            .is_err()
        );
        let right = attempt(
            json!({"password": "her-new-password", "current_password": "a-long-enough-password"}),
        )
        .await;
        assert_eq!(right.status, StatusCode::NO_CONTENT, "{}", right.body);
        // An administrator resets another user's password without knowing it.
        let reset = app
            .post(
                &format!("/v1/users/{id}/password"),
                &json!({"password": "reset-by-the-admin"}),
            )
            .await;
        assert_eq!(reset.status, StatusCode::NO_CONTENT, "{}", reset.body);
        assert!(
            support::app::login(
                &app.anonymous,
                &base,
                "keeps.her.account",
                "reset-by-the-admin"
            )
            .await
            .is_ok()
        );
    }
);

/// Adds a member to `group` and returns the member's id.
async fn new_member(app: &support::app::TestApp, group: &str, name: &str) -> String {
    let reply = app
        .post(
            &format!("/v1/groups/{group}/members"),
            &json!({"name": name, "home_country": "PH", "host_country": "HK"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

both_backends!(
    a_member_grant_naming_no_member_of_its_group_is_refused_and_changes_nothing,
    |app| async move {
        let group = app.create_group("Bayanihan").await;
        let other = app.create_group("Sampaguita").await;
        let ana = new_member(&app, &group, "Ana Reyes").await;
        let elsewhere = new_member(&app, &other, "Ben Cruz").await;
        let (bystander, _) = app
            .user_with("bystander", json!([{"role": "auditor"}]))
            .await;
        let users_before = app.get("/v1/users").await.body;
        let bystander_path = format!("/v1/users/{bystander}/grants");

        for (member_id, what) in [
            (uuid::Uuid::new_v4().to_string(), "an id no member has"),
            (elsewhere.clone(), "a member of another group"),
        ] {
            let created = app
                .post(
                    "/v1/users",
                    &json!({"username": "not.a.member", "password": "a-long-enough-password",
                            "grants": [{"role": "treasurer", "group_id": other},
                                       {"role": "member", "group_id": group, "member_id": member_id}]}),
                )
                .await;
            assert_problem(&created, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(created.pointer(), "/grants/1/member_id", "{what}");
            let added = app
                .post(
                    &bystander_path,
                    &json!({"role": "member", "group_id": group, "member_id": member_id}),
                )
                .await;
            assert_problem(&added, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(added.pointer(), "/member_id", "{what}");
        }
        // Neither the user nor any grant was written.
        assert_eq!(app.get("/v1/users").await.body, users_before);
        assert!(
            support::app::login(
                &app.anonymous,
                &app.base,
                "not.a.member",
                "a-long-enough-password"
            )
            .await
            .is_err()
        );

        // The group's own member is accepted, by either route.
        let added = app
            .post(
                &bystander_path,
                &json!({"role": "member", "group_id": group, "member_id": ana}),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
        assert_eq!(added.body["member_id"], json!(ana));
    }
);
