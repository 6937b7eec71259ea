//! How the service answers requests it cannot serve: every error is an RFC 9457
//! `application/problem+json` document with a stable type, and no input, however hostile,
//! makes the service fail with a 5xx.

use crate::support;

use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::app::{Reply, TestApp};

/// Asserts that `reply` is an `application/problem+json` answer of `status` and type `slug`,
/// with the members every problem carries.
fn assert_problem(reply: &Reply, status: StatusCode, slug: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_problem_shape(reply);
    assert_eq!(
        reply.problem_type(),
        format!("/problems/{slug}"),
        "{}",
        reply.body
    );
}

/// Asserts the shape every error response shares, whatever its status.
fn assert_problem_shape(reply: &Reply) {
    assert!(
        reply.content_type().starts_with("application/problem+json"),
        "{}: content type {:?}, body {}",
        reply.status,
        reply.content_type(),
        reply.body
    );
    assert!(
        reply.problem_type().starts_with("/problems/"),
        "{}",
        reply.body
    );
    assert!(reply.body["title"].is_string(), "{}", reply.body);
    assert!(reply.body["detail"].is_string(), "{}", reply.body);
    assert_eq!(
        reply.body["status"],
        json!(reply.status.as_u16()),
        "{}",
        reply.body
    );
}

fn group_body() -> Value {
    json!({"name": "Bayanihan", "currency": "HKD", "host_country": "HK", "home_country": "PH"})
}

/// A group with cash and one member's savings, and one posted contribution.
async fn ledger(app: &TestApp) -> (String, String) {
    let g = app.create_group("Bayanihan").await;
    app.create_account(&g, "assets:cash:HKD", "asset", "HKD", false)
        .await;
    app.create_account(&g, "liabilities:savings:ana", "liability", "HKD", true)
        .await;
    let posted = app
        .transfer(&g, "assets:cash:HKD", "liabilities:savings:ana", "500")
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    let id = posted.body["id"].as_str().expect("id").to_string();
    (g, id)
}

/// The POST routes that take a JSON body, with a body each would accept.
fn write_routes(g: &str, t: &str) -> Vec<(String, Value)> {
    vec![
        ("/v1/groups".to_string(), group_body()),
        (
            format!("/v1/groups/{g}/accounts"),
            json!({"code": "assets:bank:HKD", "name": "Bank", "type": "asset", "currency": "HKD"}),
        ),
        (
            format!("/v1/groups/{g}/transactions"),
            json!({"entries": [
                {"account": "assets:cash:HKD", "direction": "debit", "amount": "1"},
                {"account": "liabilities:savings:ana", "direction": "credit", "amount": "1"},
            ]}),
        ),
        (
            format!("/v1/groups/{g}/transactions/{t}/reversal"),
            json!({"description": "Wrong member"}),
        ),
        (
            format!("/v1/groups/{g}/period-closes"),
            json!({"through": "2025-01-31"}),
        ),
    ]
}

/// Sends `body` as it is, with the given content type (none when `None`) and a fresh key.
async fn post_raw(app: &TestApp, path: &str, content_type: Option<&str>, body: Vec<u8>) -> Reply {
    let mut request = app
        .client
        .post(app.url(path))
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("Content-Type", content_type);
    }
    app.send(request).await
}

/// At most 200 characters of `text`, for failure messages.
fn truncated(text: &str) -> String {
    text.chars().take(200).collect()
}

/// What a user can see of the ledger; equal before and after means nothing changed.
async fn snapshot(app: &TestApp, g: &str) -> Value {
    let mut parts = Vec::new();
    for path in [
        "/v1/groups".to_string(),
        format!("/v1/groups/{g}/accounts"),
        format!("/v1/groups/{g}/transactions"),
    ] {
        parts.push(app.get(&path).await.body);
    }
    Value::Array(parts)
}

both_backends!(malformed_json_is_a_bad_request, |app| async move {
    let (g, t) = ledger(&app).await;
    let before = snapshot(&app, &g).await;
    let bodies: Vec<&[u8]> = vec![
        b"{",
        b"not json",
        b"{\"name\": }",
        b"{\"name\": \"a\",}",
        b"{} {}",
        b"{'name': 'single quotes'}",
        b"\xef\xbb\xbf{}",
        b"{\"name\": \"\xff\xfe\"}",
    ];
    for (path, _) in write_routes(&g, &t) {
        for body in &bodies {
            let reply = post_raw(&app, &path, Some("application/json"), body.to_vec()).await;
            assert_problem(&reply, StatusCode::BAD_REQUEST, "malformed-json");
        }
        // An empty body is no JSON value, except for a reversal, whose fields are optional.
        if !path.ends_with("/reversal") {
            let reply = post_raw(&app, &path, Some("application/json"), Vec::new()).await;
            assert_problem(&reply, StatusCode::BAD_REQUEST, "malformed-json");
        }
    }
    assert_eq!(snapshot(&app, &g).await, before);
});

both_backends!(
    a_body_that_is_not_a_json_object_is_refused,
    |app| async move {
        let (g, t) = ledger(&app).await;
        let before = snapshot(&app, &g).await;
        for (path, _) in write_routes(&g, &t) {
            for body in ["[]", "null", "\"text\"", "42", "true"] {
                let reply = post_raw(&app, &path, Some("application/json"), body.into()).await;
                assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
                assert_eq!(reply.pointer(), "/", "{path} {body}");
            }
        }
        assert_eq!(snapshot(&app, &g).await, before);
    }
);

both_backends!(
    bodies_that_are_not_declared_as_json_are_unsupported,
    |app| async move {
        let (g, t) = ledger(&app).await;
        let before = snapshot(&app, &g).await;
        for (path, body) in write_routes(&g, &t) {
            let bytes = body.to_string().into_bytes();
            for content_type in [
                None,
                Some("text/plain"),
                Some("application/x-www-form-urlencoded"),
                Some("multipart/form-data; boundary=x"),
                Some("application/jsonp"),
                Some("json"),
                Some(""),
            ] {
                let reply = post_raw(&app, &path, content_type, bytes.clone()).await;
                assert_problem(
                    &reply,
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type",
                );
            }
        }
        assert_eq!(snapshot(&app, &g).await, before);

        // Parameters and letter case do not matter.
        for content_type in ["application/json; charset=utf-8", "Application/JSON"] {
            let reply = post_raw(
                &app,
                "/v1/groups",
                Some(content_type),
                group_body().to_string().into_bytes(),
            )
            .await;
            assert_eq!(
                reply.status,
                StatusCode::CREATED,
                "{content_type}: {}",
                reply.body
            );
        }
    }
);

both_backends!(
    bodies_over_sixty_four_kibibytes_are_too_large,
    |app| async move {
        let (g, t) = ledger(&app).await;
        let before = snapshot(&app, &g).await;
        for (path, _) in write_routes(&g, &t) {
            let body = json!({"description": "x".repeat(64 * 1024)}).to_string();
            let reply = post_raw(&app, &path, Some("application/json"), body.into_bytes()).await;
            assert_problem(&reply, StatusCode::PAYLOAD_TOO_LARGE, "body-too-large");
        }
        assert_eq!(snapshot(&app, &g).await, before);

        // Just under the limit, the body is read and judged on its fields.
        let body = json!({"name": "x".repeat(60 * 1024), "currency": "HKD", "host_country": "HK", "home_country": "PH"});
        let reply = app.post("/v1/groups", &body).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(reply.pointer(), "/name");
    }
);

both_backends!(
    unknown_fields_are_refused_with_a_pointer_to_them,
    |app| async move {
        let (g, t) = ledger(&app).await;
        let before = snapshot(&app, &g).await;
        let cases = [
            (
                "/v1/groups".to_string(),
                json!({"name": "B", "currency": "HKD", "host_country": "HK", "home_country": "PH", "colour": "red"}),
                "/colour",
            ),
            (
                format!("/v1/groups/{g}/accounts"),
                json!({"code": "assets:bank:HKD", "name": "Bank", "type": "asset", "currency": "HKD", "balance": "1000000"}),
                "/balance",
            ),
            (
                format!("/v1/groups/{g}/transactions"),
                json!({"entries": [
                    {"account": "assets:cash:HKD", "direction": "debit", "amount": "1"},
                    {"account": "liabilities:savings:ana", "direction": "credit", "amount": "1", "memo": "x"},
                ]}),
                "/entries/1/memo",
            ),
            (
                format!("/v1/groups/{g}/transactions"),
                json!({"entries": [
                {"account": "assets:cash:HKD", "direction": "debit", "amount": "1"},
                {"account": "liabilities:savings:ana", "direction": "credit", "amount": "1"},
            ], "sequence": 7}),
                "/sequence",
            ),
            (
                format!("/v1/groups/{g}/transactions/{t}/reversal"),
                json!({"amount": "250"}),
                "/amount",
            ),
            (
                format!("/v1/groups/{g}/period-closes"),
                json!({"through": "2025-01-31", "reopen": true}),
                "/reopen",
            ),
        ];
        let mut wrong = Vec::new();
        for (path, body, pointer) in cases {
            let reply = app
                .post_with_key(&path, &uuid::Uuid::new_v4().to_string(), &body)
                .await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            if reply.pointer() != pointer {
                wrong.push(format!(
                    "{path}: expected {pointer}, got {}",
                    reply.pointer()
                ));
            }
        }
        assert!(wrong.is_empty(), "wrong pointers:\n{}", wrong.join("\n"));
        assert_eq!(snapshot(&app, &g).await, before);
    }
);

both_backends!(
    missing_and_mistyped_fields_are_refused_with_a_pointer,
    |app| async move {
        let (g, _) = ledger(&app).await;
        let before = snapshot(&app, &g).await;
        let path = format!("/v1/groups/{g}/transactions");
        let cases = [
            (json!({"description": "no entries"}), "/entries"),
            (json!({"entries": "two"}), "/entries"),
            (
                json!({"entries": [
                    {"account": "assets:cash:HKD", "amount": "1"},
                    {"account": "liabilities:savings:ana", "direction": "credit", "amount": "1"},
                ]}),
                "/entries/0/direction",
            ),
            (
                json!({"entries": [
                    {"account": "assets:cash:HKD", "direction": "debit", "amount": "1"},
                    {"account": "liabilities:savings:ana", "direction": "CREDIT", "amount": "1"},
                ]}),
                "/entries/1/direction",
            ),
            (
                json!({"entries": [
                    {"account": 7, "direction": "debit", "amount": "1"},
                    {"account": "liabilities:savings:ana", "direction": "credit", "amount": "1"},
                ]}),
                "/entries/0/account",
            ),
            (
                json!({"entries": [
                    {"account": "", "direction": "debit", "amount": "1"},
                    {"account": "liabilities:savings:ana", "direction": "credit", "amount": "1"},
                ]}),
                "/entries/0/account",
            ),
            (
                json!({"entries": [
                    {"account": "assets:cash:HKD", "direction": "debit", "amount": "1"},
                    {"account": format!("a:{}", "b".repeat(300)), "direction": "credit", "amount": "1"},
                ]}),
                "/entries/1/account",
            ),
            (json!({"description": ["x"], "entries": []}), "/description"),
        ];
        for (body, pointer) in cases {
            let reply = app
                .post_with_key(&path, &uuid::Uuid::new_v4().to_string(), &body)
                .await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(reply.pointer(), pointer, "{body}: {}", reply.body);
        }
        assert_eq!(snapshot(&app, &g).await, before);
    }
);

both_backends!(unknown_routes_are_not_found_problems, |app| async move {
    let (g, _) = ledger(&app).await;
    for (method, path) in [
        // `/` is the web app's page; a file the app does not have is not found.
        (Method::GET, "/app/no-such-file.js".to_string()),
        (Method::GET, "/nope".to_string()),
        (Method::GET, "/v1/group".to_string()),
        (Method::GET, "/v2/groups".to_string()),
        (Method::GET, format!("/v1/groups/{g}/no-such-collection")),
        (
            Method::GET,
            format!("/v1/groups/{g}/accounts/assets:cash:HKD/history"),
        ),
        (Method::POST, "/v1/transactions".to_string()),
        (Method::DELETE, "/v1/nothing/here".to_string()),
    ] {
        let reply = app
            .send(app.client.request(method.clone(), app.url(&path)))
            .await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
    }
});

both_backends!(wrong_methods_are_refused_as_problems, |app| async move {
    let (g, t) = ledger(&app).await;
    let before = snapshot(&app, &g).await;
    for (method, path) in [
        (Method::DELETE, "/v1/groups".to_string()),
        (Method::PUT, format!("/v1/groups/{g}")),
        (Method::DELETE, format!("/v1/groups/{g}")),
        (
            Method::PATCH,
            format!("/v1/groups/{g}/accounts/assets:cash:HKD"),
        ),
        (Method::DELETE, format!("/v1/groups/{g}/transactions/{t}")),
        (Method::PUT, format!("/v1/groups/{g}/transactions/{t}")),
        (
            Method::GET,
            format!("/v1/groups/{g}/transactions/{t}/reversal"),
        ),
        (Method::GET, format!("/v1/groups/{g}/period-closes")),
        (Method::POST, format!("/v1/groups/{g}/ledger/verify")),
        (Method::POST, format!("/v1/groups/{g}/trial-balance")),
    ] {
        let reply = app
            .send(
                app.client
                    .request(method.clone(), app.url(&path))
                    .json(&json!({})),
            )
            .await;
        assert_problem(&reply, StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
    }
    assert_eq!(snapshot(&app, &g).await, before);
});

both_backends!(
    unknown_or_repeated_query_parameters_are_refused,
    |app| async move {
        let (g, _) = ledger(&app).await;
        for (path, parameter) in [
            ("/v1/groups?page=2".to_string(), "page"),
            ("/v1/groups?limit=2&limit=3".to_string(), "limit"),
            (
                format!("/v1/groups/{g}/transactions?acount=assets:cash:HKD"),
                "acount",
            ),
            (
                format!("/v1/groups/{g}/transactions?from=2025-01-01&since=2025-01-01"),
                "since",
            ),
            (
                format!("/v1/groups/{g}/accounts/assets:cash:HKD/statement?start=2025-01-01"),
                "start",
            ),
            (
                format!("/v1/groups/{g}/trial-balance?date=2025-01-01"),
                "date",
            ),
            (
                format!("/v1/groups/{g}/trial-balance?as_of=2025-01-01&as_of=2025-02-01"),
                "as_of",
            ),
        ] {
            let reply = app.get(&path).await;
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
            assert_eq!(reply.body["errors"][0]["parameter"], parameter, "{path}");
        }
    }
);

// query.rs refuses unknown parameters "so a misspelt filter never silently returns
// everything"; that holds only if every route that reads no parameter (or only some) refuses
// the others too.
both_backends!(
    routes_without_query_parameters_refuse_them,
    |app| async move {
        let (g, t) = ledger(&app).await;
        for path in [
            format!("/v1/groups/{g}/accounts?limit=1"),
            format!("/v1/groups/{g}/accounts?type=asset"),
            format!("/v1/groups/{g}?include=accounts"),
            // The account takes `as_of`, and nothing else.
            format!("/v1/groups/{g}/accounts/assets:cash:HKD?on=2025-01-01"),
            format!("/v1/groups/{g}/transactions/{t}?expand=entries"),
            format!("/v1/groups/{g}/ledger/verify?from=2"),
        ] {
            let reply = app.get(&path).await;
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
        }
    }
);

both_backends!(
    hostile_inputs_never_cause_a_server_error,
    |app| async move {
        let (g, t) = ledger(&app).await;
        let post_transaction = |body: Value| {
            let key = uuid::Uuid::new_v4().to_string();
            let path = format!("/v1/groups/{g}/transactions");
            let app = &app;
            async move { app.post_with_key(&path, &key, &body).await }
        };
        let two_entries = |account: &str, amount: Value| {
            json!({"entries": [
                {"account": account, "direction": "debit", "amount": amount},
                {"account": "liabilities:savings:ana", "direction": "credit", "amount": "1"},
            ]})
        };
        let mut replies = Vec::new();

        // Bodies.
        for body in [
            two_entries("assets:cash:HKD", json!("1".repeat(10_000))),
            two_entries("assets:cash:HKD", json!(u64::MAX)),
            two_entries("assets:cash:HKD", json!(-1)),
            two_entries("assets:cash:HKD", json!({"value": "1"})),
            two_entries("assets:cash:HKD", json!("9223372036854775807")),
            two_entries("assets:cash:HKD", json!("92233720368547758.07")),
            two_entries("assets:cash:HKD", json!("1\u{0}")),
            two_entries("assets:\u{0}", json!("1")),
            two_entries("assets:cash:HKD\u{0}", json!("1")),
            two_entries("'; DROP TABLE entries; --", json!("1")),
            two_entries("00000000-0000-0000-0000-000000000000", json!("1")),
            two_entries("\u{202e}assets:cash:HKD", json!("1")),
            json!({"description": "a\u{0}b", "entries": []}),
            json!({"booked_on": "+262143-12-31", "entries": []}),
            json!({"booked_on": "-0001-01-01", "entries": []}),
            json!({"booked_on": "2025-02-29", "entries": []}),
            json!({"metadata": {"\u{0}": "\u{0}", "k": "\u{0}"}, "entries": [
                {"account": "assets:cash:HKD", "direction": "debit", "amount": "1"},
                {"account": "liabilities:savings:ana", "direction": "credit", "amount": "1"},
            ]}),
            json!({"metadata": {"n": 1e300}, "entries": []}),
        ] {
            replies.push((
                format!("POST transaction {}", truncated(&body.to_string())),
                post_transaction(body).await,
            ));
        }
        let deep = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
        replies.push((
            "deep nesting".into(),
            post_raw(
                &app,
                &format!("/v1/groups/{g}/transactions"),
                Some("application/json"),
                deep.into_bytes(),
            )
            .await,
        ));
        let deep_metadata = format!(
            r#"{{"entries": [], "metadata": {}1{}}}"#,
            r#"{"a":"#.repeat(200),
            "}".repeat(200)
        );
        replies.push((
            "deep metadata".into(),
            post_raw(
                &app,
                &format!("/v1/groups/{g}/transactions"),
                Some("application/json"),
                deep_metadata.into_bytes(),
            )
            .await,
        ));
        replies.push((
            "huge exponent".into(),
            post_raw(
                &app,
                "/v1/groups",
                Some("application/json"),
                br#"{"name": 1e999}"#.to_vec(),
            )
            .await,
        ));
        for body in [
            json!({"name": "a\u{0}b", "currency": "HKD", "host_country": "HK", "home_country": "PH"}),
            json!({"name": "B", "currency": "HK\u{0}", "host_country": "HK", "home_country": "PH"}),
            json!({"name": "B", "currency": "HKD", "host_country": "\u{0}\u{0}", "home_country": "PH"}),
            json!({"name": "B", "currency": "€€€", "host_country": "HK", "home_country": "PH"}),
        ] {
            replies.push((
                format!("POST group {body}"),
                app.post("/v1/groups", &body).await,
            ));
        }
        for body in [
            json!({"code": "assets:\u{0}", "name": "x", "type": "asset", "currency": "HKD"}),
            json!({"code": "assets:cash", "name": "\u{0}", "type": "asset", "currency": "HKD"}),
            json!({"code": "assets:cash", "name": "x", "type": "\u{0}", "currency": "HKD"}),
        ] {
            replies.push((
                format!("POST account {body}"),
                app.post(&format!("/v1/groups/{g}/accounts"), &body).await,
            ));
        }
        replies.push((
            "reversal dated far ahead".into(),
            app.post_with_key(
                &format!("/v1/groups/{g}/transactions/{t}/reversal"),
                "hostile-reversal",
                &json!({"booked_on": "+262143-12-31", "description": "\u{0}"}),
            )
            .await,
        ));
        replies.push((
            "period close in year 1".into(),
            app.post(
                &format!("/v1/groups/{g}/period-closes"),
                &json!({"through": "0001-01-01"}),
            )
            .await,
        ));

        // Paths and query strings.
        let long_code = "a".repeat(10_000);
        for path in [
            format!("/v1/groups/{g}/accounts/assets:cash:HKD%00"),
            format!("/v1/groups/{g}/accounts/%00"),
            format!("/v1/groups/{g}/accounts/{long_code}"),
            format!("/v1/groups/{g}/accounts/%E2%82%B1"),
            format!("/v1/groups/{g}/accounts/..%2F..%2Fetc%2Fpasswd"),
            format!("/v1/groups/{g}/accounts/assets:cash:HKD/statement?from=%00"),
            format!(
                "/v1/groups/{g}/accounts/assets:cash:HKD/statement?from=-0001-01-01&to=+262143-12-31"
            ),
            format!("/v1/groups/{g}/transactions?account=%00"),
            format!("/v1/groups/{g}/transactions?account=assets:cash:HKD%00"),
            format!("/v1/groups/{g}/transactions?account={long_code}"),
            format!("/v1/groups/{g}/transactions?from=+262143-12-31"),
            format!("/v1/groups/{g}/transactions?limit=18446744073709551616"),
            format!("/v1/groups/{g}/transactions?limit=-1"),
            format!("/v1/groups/{g}/transactions?cursor=dDotNQ"),
            format!("/v1/groups/{g}/transactions?cursor=dDo5OTk5OTk5OTk5OTk5OTk5OTk5OTk"),
            format!("/v1/groups/{g}/transactions?cursor=dDo5MjIzMzcyMDM2ODU0Nzc1ODA3"),
            format!("/v1/groups/{g}/transactions?%zz=1"),
            format!("/v1/groups/{g}/transactions?cursor=%FF%FE"),
            format!("/v1/groups/{g}/trial-balance?as_of=+262143-12-31"),
            format!("/v1/groups/{g}/trial-balance?as_of=%00"),
            "/v1/groups?cursor=Zzpub3QtYS11dWlk".to_string(),
            "/v1/groups?limit=%00".to_string(),
            "/v1/groups?&&&=&=".to_string(),
            format!("/v1/groups/{g}/transactions/{}", "f".repeat(5_000)),
        ] {
            replies.push((format!("GET {}", truncated(&path)), app.get(&path).await));
        }

        let server_errors: Vec<String> = replies
            .iter()
            .filter(|(_, reply)| reply.status.is_server_error())
            .map(|(what, reply)| format!("{what}: {} {}", reply.status, reply.body))
            .collect();
        assert!(
            server_errors.is_empty(),
            "server errors:\n{}",
            server_errors.join("\n")
        );
        for (_, reply) in replies.iter().filter(|(_, r)| !r.status.is_success()) {
            assert_problem_shape(reply);
        }

        // Only the one well-formed posting (odd metadata and all) got into the ledger, and the
        // chain still verifies.
        let verify = app.get(&format!("/v1/groups/{g}/ledger/verify")).await;
        assert_eq!(verify.body["ok"], true, "{}", verify.body);
        assert_eq!(verify.body["transactions_checked"], 2, "{}", verify.body);
        assert_eq!(app.balance(&g, "liabilities:savings:ana").await, "501.00");
    }
);

// A path segment that is not valid UTF-8 is still an error the service answers in its own
// format, like every other.
both_backends!(
    path_segments_that_are_not_utf8_get_a_problem_answer,
    |app| async move {
        let (g, _) = ledger(&app).await;
        for path in [
            "/v1/groups/%FF".to_string(),
            format!("/v1/groups/{g}/accounts/%FF%FE"),
            format!("/v1/groups/{g}/transactions/%C3%28"),
        ] {
            let reply = app.get(&path).await;
            assert!(reply.status.is_client_error(), "{path}: {}", reply.status);
            assert_problem_shape(&reply);
        }
    }
);

both_backends!(
    an_invalid_idempotency_header_is_refused_before_anything_is_written,
    |app| async move {
        let (g, _) = ledger(&app).await;
        let before = snapshot(&app, &g).await;
        let reply = app
        .send(
            app.client
                .post(app.url(&format!("/v1/groups/{g}/transactions")))
                .header(
                    "Idempotency-Key",
                    HeaderValue::from_bytes(b"\xff\xfe").expect("header"),
                )
                .json(&json!({"entries": [
                    {"account": "assets:cash:HKD", "direction": "debit", "amount": "1"},
                    {"account": "liabilities:savings:ana", "direction": "credit", "amount": "1"},
                ]})),
        )
        .await;
        assert_problem(&reply, StatusCode::BAD_REQUEST, "invalid-idempotency-key");
        assert_eq!(snapshot(&app, &g).await, before);
    }
);

/// The `errors` of a 422, as (pointer, detail) pairs.
fn field_errors(reply: &Reply) -> Vec<(String, String)> {
    reply.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors: {}", reply.body))
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap_or("").to_string(),
                e["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The detail of the error at `pointer`, which must be there.
fn detail_at(reply: &Reply, pointer: &str) -> String {
    field_errors(reply)
        .into_iter()
        .find(|(p, _)| p == pointer)
        .map(|(_, d)| d)
        .unwrap_or_else(|| panic!("no error at {pointer}: {}", reply.body))
}

both_backends!(
    a_field_of_the_wrong_kind_is_told_what_to_send_instead,
    |app| async move {
        let (g, _) = ledger(&app).await;
        let before = snapshot(&app, &g).await;
        let transactions = format!("/v1/groups/{g}/transactions");
        let entries = |amount: Value| {
            json!([
                {"account": "assets:cash:HKD", "direction": "debit", "amount": amount},
                {"account": "liabilities:savings:ana", "direction": "credit", "amount": "500.00"},
            ])
        };
        let cases: Vec<(String, Value, &str, &str)> = vec![
            (
                transactions.clone(),
                json!({"description": "fees", "entries": entries(json!(500))}),
                "/entries/0/amount",
                "amount must be a string such as \"500.00\" (amounts are sent as strings, for exactness), not a number",
            ),
            (
                transactions.clone(),
                json!({"booked_on": "31/03/2026", "entries": entries(json!("500.00"))}),
                "/booked_on",
                "YYYY-MM-DD",
            ),
            (
                transactions.clone(),
                json!({"booked_on": 20260331, "entries": entries(json!("500.00"))}),
                "/booked_on",
                "YYYY-MM-DD",
            ),
            (
                "/v1/groups".to_string(),
                json!({"name": "Bayanihan", "currency": 344, "host_country": "HK", "home_country": "PH"}),
                "/currency",
                "currency must be a string such as \"HKD\", not a number",
            ),
            (
                "/v1/groups".to_string(),
                json!({"currency": "HKD", "host_country": "HK", "home_country": "PH"}),
                "/name",
                "name is required",
            ),
            (
                "/v1/groups".to_string(),
                json!({"name": "B", "currency": "HKD", "host_country": "HK", "home_country": "PH", "colour": "red"}),
                "/colour",
                "colour is not a field of this object; it takes \"name\", \"currency\", \"host_country\", \"home_country\", \"time_zone\", \"chart\"",
            ),
            (
                format!("/v1/groups/{g}/accounts"),
                json!({"code": "assets:bank", "name": "Bank", "type": "assett", "currency": "HKD"}),
                "/type",
                "type must be one of \"asset\", \"liability\", \"equity\", \"income\", \"expense\"; \"assett\" is not one of them",
            ),
            (
                "/v1/users".to_string(),
                json!({"username": "new.user", "password": "a-long-enough-password",
                       "grants": [{"role": "treasurer", "group_id": "bayanihan"}]}),
                "/grants/0/group_id",
                "group_id must be an id: a UUID such as \"0192f6e4-8b1a-7c3d-9e2f-1a2b3c4d5e6f\"",
            ),
            (
                format!("/v1/groups/{g}/accounts"),
                json!({"code": "assets:bank", "name": "Bank", "type": "asset", "currency": "HKD", "no_overdraft": "yes"}),
                "/no_overdraft",
                "no_overdraft must be true or false, not a string",
            ),
        ];
        for (path, body, pointer, detail) in cases {
            let reply = app
                .send(
                    app.client
                        .post(app.url(&path))
                        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
                        .json(&body),
                )
                .await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            let said = detail_at(&reply, pointer);
            if detail == "YYYY-MM-DD" {
                assert!(said.contains(detail), "{path} {body}: {said}");
            } else {
                assert_eq!(said, detail, "{path} {body}");
            }
            assert!(
                !reply.body["detail"]
                    .as_str()
                    .unwrap_or("")
                    .contains("invalid type"),
                "{}",
                reply.body
            );
        }
        assert_eq!(snapshot(&app, &g).await, before);
    }
);

both_backends!(
    a_request_with_several_wrong_fields_hears_of_every_one,
    |app| async move {
        let (g, _) = ledger(&app).await;
        let before = snapshot(&app, &g).await;
        // Wrong kinds, an unknown field and a missing one, in one body.
        let reply = app
            .post(
                "/v1/groups",
                &json!({"name": 7, "currency": "HKD", "host_country": true, "colour": "red"}),
            )
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        let mut pointers: Vec<String> = field_errors(&reply).into_iter().map(|(p, _)| p).collect();
        pointers.sort();
        assert_eq!(
            pointers,
            ["/colour", "/home_country", "/host_country", "/name"],
            "{}",
            reply.body
        );
        // Fields of the right kind whose values are wrong, in one body.
        let reply = app
            .post(
                "/v1/groups",
                &json!({"name": " ", "currency": "HKDX", "host_country": "hk", "home_country": "XX"}),
            )
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        let pointers: Vec<String> = field_errors(&reply).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            pointers,
            ["/name", "/currency", "/host_country", "/home_country"],
            "{}",
            reply.body
        );
        // In the items of a list too.
        let reply = app
            .post_with_key(
                &format!("/v1/groups/{g}/transactions"),
                &uuid::Uuid::new_v4().to_string(),
                &json!({"description": "fees", "entries": [
                    {"account": "assets:cash:HKD", "direction": "up", "amount": 500},
                    {"account": "liabilities:savings:ana", "direction": "credit", "amount": 1.5},
                ]}),
            )
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        let mut pointers: Vec<String> = field_errors(&reply).into_iter().map(|(p, _)| p).collect();
        pointers.sort();
        assert_eq!(
            pointers,
            [
                "/entries/0/amount",
                "/entries/0/direction",
                "/entries/1/amount"
            ],
            "{}",
            reply.body
        );
        let reply = app
            .post_with_key(
                &format!("/v1/groups/{g}/transactions"),
                &uuid::Uuid::new_v4().to_string(),
                &json!({"booked_on": "1960-01-01", "description": "fees", "metadata": {"event": "x"}, "entries": [
                    {"account": "", "direction": "debit", "amount": "1.00"},
                    {"account": "liabilities:savings:ana", "direction": "credit", "amount": "1.00"},
                ]}),
            )
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        let pointers: Vec<String> = field_errors(&reply).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            pointers,
            ["/booked_on", "/metadata/event", "/entries/0/account"],
            "{}",
            reply.body
        );
        assert_eq!(snapshot(&app, &g).await, before);
    }
);
