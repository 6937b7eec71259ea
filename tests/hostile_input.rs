//! Hostile input, on both backends: a declared body length over the limit is refused at once,
//! slow senders are cut off after a short read timeout while everyone else is served, a JSON
//! object that repeats a key is refused naming the key, and headers over any limit get a
//! problem with a request id.
//!
//! A test binary of its own, not a module of the shared one (`tests/api/`): it bounds how soon the
//! service answers ([`PROMPT`]), a sign-in among 150 slow senders included, and a sign-in waits for
//! the two threads a process checks passwords on, which every test in the same process shares:
//! other tests' sign-ins and load could break the bound.

mod support;

use std::time::{Duration, Instant};

use msai_ledger::app::AppConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{Reply, TestApp, assert_problem};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The read timeouts the slow-sender tests run with: short, so they run quickly.
const READ_TIMEOUT: Duration = Duration::from_millis(600);

/// How long a refusal or a normal answer may take on a loaded test machine: far below the
/// timeouts a slow sender could otherwise hold a connection for.
const PROMPT: Duration = Duration::from_secs(3);

fn short_read_timeouts() -> AppConfig {
    AppConfig {
        header_read_timeout: READ_TIMEOUT,
        body_read_timeout: READ_TIMEOUT,
        ..AppConfig::default()
    }
}

async fn connect(base: &str) -> TcpStream {
    TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .expect("connect")
}

/// Everything the service sends on `stream` until it closes it, or what came within `limit`.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&received).into(), true),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&received).into(), false),
        }
    }
}

/// The JSON body of a raw HTTP/1.1 answer.
fn raw_body(answer: &str) -> Value {
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    serde_json::from_str(body).unwrap_or(Value::Null)
}

fn raw_header<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    let head = answer
        .split_once("\r\n\r\n")
        .map_or(answer, |(head, _)| head);
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

both_backends!(
    a_declared_body_length_over_the_limit_is_refused_413_at_once,
    |app| async move {
        // Without a token, on the sign-in route, and with a token on a write route: neither
        // waits for a body that is never coming.
        let requests = [
            "POST /v1/auth/token HTTP/1.1\r\nHost: localhost\r\n".to_string(),
            format!(
                "POST /v1/groups HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n",
                app.admin_token
            ),
        ];
        for head in requests {
            let mut stream = connect(&app.base).await;
            let request = format!(
                "{head}Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{{\"name\":"
            );
            stream.write_all(request.as_bytes()).await.unwrap();
            let started = Instant::now();
            let (answer, closed) = read_until_closed(&mut stream, PROMPT).await;
            assert!(
                started.elapsed() < PROMPT && closed,
                "not answered at once: {answer:?}"
            );
            assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
            assert_eq!(
                raw_header(&answer, "content-type"),
                Some("application/problem+json")
            );
            assert!(raw_header(&answer, "x-request-id").is_some(), "{answer}");
            assert_eq!(raw_body(&answer)["type"], "/problems/body-too-large");
        }
        // A declared length within the limit is read as usual.
        let reply = app
            .post(
                "/v1/groups",
                &json!({"name": "Declared", "currency": "HKD", "host_country": "HK", "home_country": "PH"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
);

/// A connection that sends `head` at once, then one byte of `trickle` every 100 ms; returns
/// how long the service took to cut it off (`None`: not within [`PROMPT`] after the read
/// timeout) and what it answered.
async fn slow_sender(base: &str, head: String, trickle: u8) -> (Option<Duration>, String) {
    let stream = connect(base).await;
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let trickling = async {
        // Bounded: at most as long as the test waits.
        for _ in 0..60 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if writer.write_all(&[trickle]).await.is_err() {
                break;
            }
        }
        std::future::pending::<()>().await;
    };
    let reading = async {
        let mut received = Vec::new();
        let _ = reader.read_to_end(&mut received).await;
        String::from_utf8_lossy(&received).into_owned()
    };
    let answer = tokio::time::timeout(READ_TIMEOUT + PROMPT, async {
        tokio::select! {
            answer = reading => answer,
            () = trickling => unreachable!(),
        }
    })
    .await;
    match answer {
        Ok(answer) => (Some(started.elapsed()), answer),
        Err(_) => (None, String::new()),
    }
}

both_backends_with!(
    slow_senders_are_cut_off_and_everyone_else_is_served,
    short_read_timeouts(),
    |app| async move {
        const SLOW: usize = 150;
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..SLOW {
            let head = if n % 2 == 0 {
                // Headers trickled, never finished.
                "POST /v1/auth/token HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".to_string()
            } else {
                // Headers at once, the body trickled.
                "POST /v1/auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"username\":\"".to_string()
            };
            let base = app.base.clone();
            tasks.spawn(async move { (n, slow_sender(&base, head, b'a').await) });
        }
        // Meanwhile, the liveness check and a sign-in are answered at once.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = Instant::now();
        let health = app.send(app.anonymous.get(app.url("/healthz"))).await;
        assert_eq!(health.status, StatusCode::OK);
        let token = support::app::login(
            &app.anonymous,
            &app.base,
            "admin",
            support::app::ADMIN_PASSWORD,
        )
        .await;
        assert!(token.is_ok(), "the admin signs in");
        assert!(
            started.elapsed() < PROMPT,
            "others waited {:?}",
            started.elapsed()
        );
        for (n, (cut_after, answer)) in tasks.join_all().await {
            let cut_after =
                cut_after.unwrap_or_else(|| panic!("slow sender {n} was never cut off"));
            assert!(cut_after >= READ_TIMEOUT / 2, "{n} cut after {cut_after:?}");
            if n % 2 == 1 {
                // A body too slow gets a problem before the connection closes.
                assert!(answer.starts_with("HTTP/1.1 408 "), "{n}: {answer}");
                assert_eq!(raw_body(&answer)["type"], "/problems/body-timeout");
            }
        }
    }
);

/// Posts `body` as it is, with a JSON content type.
async fn post_raw(app: &TestApp, path: &str, body: &str) -> Reply {
    app.send(
        app.client
            .post(app.url(path))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
            .body(body.to_string()),
    )
    .await
}

fn assert_duplicate(reply: &Reply, pointer: &str) {
    assert_problem(reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(reply.pointer(), pointer, "{}", reply.body);
    let detail = reply.body["errors"][0]["detail"].as_str().unwrap_or("");
    assert!(detail.contains("more than once"), "{detail}");
}

both_backends!(
    a_json_object_that_repeats_a_key_is_refused_naming_the_key,
    |app| async move {
        let group = app.create_group("Duplicates").await;
        app.create_account(&group, "assets:cash", "asset", "HKD", false)
            .await;
        app.create_account(&group, "income:fees", "income", "HKD", false)
            .await;
        // The amount a proxy or an auditor reading the first value would see is not the one
        // posted: refused, and nothing is written.
        let transactions = format!("/v1/groups/{group}/transactions");
        let reply = post_raw(
            &app,
            &transactions,
            r#"{"description": "fees", "entries": [
                {"account": "assets:cash", "direction": "debit", "amount": "1.00"},
                {"account": "income:fees", "direction": "credit", "amount": "1.00", "amount": "900.00"}
            ]}"#,
        )
        .await;
        assert_duplicate(&reply, "/entries/1/amount");
        assert_eq!(app.balance(&group, "assets:cash").await, "0.00");

        // At the top level, on a route without money, and on the sign-in route.
        let reply = post_raw(
            &app,
            "/v1/groups",
            r#"{"name": "A", "currency": "HKD", "host_country": "HK", "home_country": "PH", "name": "B"}"#,
        )
        .await;
        assert_duplicate(&reply, "/name");
        support::openapi::assert_reply_matches("POST", "/v1/groups", &reply);
        let reply = app
            .send(
                app.anonymous
                    .post(app.url("/v1/auth/token"))
                    .header("Content-Type", "application/json")
                    .body(r#"{"username": "admin", "password": "x", "username": "admin"}"#),
            )
            .await;
        assert_duplicate(&reply, "/username");
        // Deep in metadata too, with a key a pointer must escape.
        let reply = post_raw(
            &app,
            &transactions,
            r#"{"description": "fees", "metadata": {"a/b": {"c": 1, "c": 2}}, "entries": [
                {"account": "assets:cash", "direction": "debit", "amount": "1.00"},
                {"account": "income:fees", "direction": "credit", "amount": "1.00"}
            ]}"#,
        )
        .await;
        assert_duplicate(&reply, "/metadata/a~1b/c");
        let groups = app.get("/v1/groups").await;
        assert_eq!(groups.body["items"].as_array().unwrap().len(), 1);
        // The same keys once each are accepted.
        let reply = post_raw(
            &app,
            &transactions,
            r#"{"description": "fees", "entries": [
                {"account": "assets:cash", "direction": "debit", "amount": "1.00"},
                {"account": "income:fees", "direction": "credit", "amount": "1.00"}
            ]}"#,
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
);

fn assert_headers_problem(reply: &Reply) {
    assert_problem(
        reply,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "headers-too-large",
    );
    assert!(reply.headers.contains_key("x-request-id"), "no request id");
    support::openapi::assert_reply_matches("GET", "/v1/groups", reply);
}

both_backends!(
    headers_over_any_limit_get_a_problem_with_a_request_id,
    |app| async move {
        let limit = msai_ledger::app::DEFAULT_MAX_HEADER_BYTES;
        // Twice and four times the limit in one field (past what the HTTP library itself
        // refused before), far past even the library's own limit, and more fields than allowed.
        for size in [2 * limit + 1024, 4 * limit, 200 * 1024] {
            let reply = app
                .send(
                    app.client
                        .get(app.url("/v1/groups"))
                        .header("X-Padding", "p".repeat(size)),
                )
                .await;
            assert_headers_problem(&reply);
        }
        let mut many = app.client.get(app.url("/v1/groups"));
        for i in 0..msai_ledger::app::MAX_HEADER_FIELDS + 50 {
            many = many.header(format!("x-field-{i}"), "v");
        }
        let reply = app.send(many).await;
        assert_headers_problem(&reply);
        let mut hundreds = app.client.get(app.url("/v1/groups"));
        for i in 0..10 * msai_ledger::app::MAX_HEADER_FIELDS {
            hundreds = hundreds.header(format!("x-field-{i}"), "v");
        }
        assert_headers_problem(&app.send(hundreds).await);
        assert!(
            reply.body["detail"]
                .as_str()
                .unwrap_or("")
                .contains("header fields"),
            "{}",
            reply.body
        );
        // As many fields as allowed are fine.
        let mut enough = app.client.get(app.url("/v1/groups"));
        for i in 0..msai_ledger::app::MAX_HEADER_FIELDS - 10 {
            enough = enough.header(format!("x-field-{i}"), "v");
        }
        let reply = app.send(enough).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
);

/// An HTTP/2 connection to the service without TLS (prior knowledge), driven by its own task.
async fn http2(base: &str) -> h2::client::SendRequest<axum::body::Bytes> {
    let (client, connection) = h2::client::handshake(connect(base).await)
        .await
        .expect("HTTP/2 handshake");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client.ready().await.expect("ready for a request")
}

/// The status and JSON body of an HTTP/2 answer.
async fn http2_answer(response: h2::client::ResponseFuture) -> (StatusCode, Value) {
    let (parts, mut body) = response.await.expect("an answer").into_parts();
    let mut bytes = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.expect("the answer's body");
        let _ = body.flow_control().release_capacity(chunk.len());
        bytes.extend_from_slice(&chunk);
    }
    let status = StatusCode::from_u16(parts.status.as_u16()).expect("a status");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

both_backends_with!(
    an_http2_body_sent_too_slowly_is_cut_off_and_the_connections_other_streams_are_served,
    short_read_timeouts(),
    |app| async move {
        let mut client = http2(&app.base).await;
        let request = axum::http::Request::post(app.url("/v1/auth/token"))
            .header("content-type", "application/json")
            .body(())
            .expect("a request");
        let (response, mut body) = client.send_request(request, false).expect("sent");
        let started = Instant::now();
        let trickling = async {
            // One byte every 100 ms, never the end; bounded at most as long as the test waits.
            for _ in 0..60 {
                if body
                    .send_data(axum::body::Bytes::from_static(b" "), false)
                    .is_err()
                {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            std::future::pending::<()>().await;
        };
        // Meanwhile, another stream of the same connection is answered at once.
        let health = axum::http::Request::get(app.url("/healthz"))
            .body(())
            .expect("a request");
        let (health, _) = client.send_request(health, true).expect("sent");
        let (status, _) = tokio::time::timeout(PROMPT, http2_answer(health))
            .await
            .expect("the liveness check is answered at once");
        assert_eq!(status, StatusCode::OK);
        let answer = tokio::time::timeout(READ_TIMEOUT + PROMPT, async {
            tokio::select! {
                answer = http2_answer(response) => answer,
                () = trickling => unreachable!(),
            }
        })
        .await;
        let (status, problem) = answer.expect("the slow stream was never cut off");
        let cut_after = started.elapsed();
        assert!(cut_after >= READ_TIMEOUT / 2, "cut after {cut_after:?}");
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT, "{problem}");
        assert_eq!(problem["type"], "/problems/body-timeout");
        // The connection goes on serving.
        let mut client = client.ready().await.expect("the connection still serves");
        let health = axum::http::Request::get(app.url("/healthz"))
            .body(())
            .expect("a request");
        let (health, _) = client.send_request(health, true).expect("sent");
        let (status, _) = tokio::time::timeout(PROMPT, http2_answer(health))
            .await
            .expect("answered at once");
        assert_eq!(status, StatusCode::OK);
    }
);

both_backends_with!(
    an_http2_connection_whose_client_is_gone_is_closed,
    short_read_timeouts(),
    |app| async move {
        // The client preface and its settings, then silence: no answer to the service's
        // settings, nor to its pings, as from a phone that dropped off the network.
        let mut stream = connect(&app.base).await;
        let mut preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
        preface.extend_from_slice(&[0, 0, 0, 0x4, 0, 0, 0, 0, 0]);
        stream.write_all(&preface).await.unwrap();
        let started = Instant::now();
        let (_, closed) = read_until_closed(&mut stream, 2 * READ_TIMEOUT + PROMPT).await;
        assert!(closed, "the silent connection was kept open");
        // Closed for want of an answer to a ping, not for anything it sent.
        assert!(
            started.elapsed() >= READ_TIMEOUT,
            "closed after {:?}",
            started.elapsed()
        );
    }
);
