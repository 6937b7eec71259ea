//! A limit on everything a client can make large: body size, entries per transaction, events
//! per meeting, page size, metadata size, header size, request time and connections. Each
//! over-limit request gets its 4xx (or 503) quickly, and the service keeps answering everyone
//! else meanwhile.
//!
//! A test binary of its own, not a module of the shared one (`tests/api/`): it bounds how soon
//! refusals and reads are answered ([`PROMPT`]; a read within a second while a write waits for a
//! lock), bounds that hold only without other tests' load on the same process (its one writer
//! thread, its two password threads).

mod support;

use std::time::{Duration, Instant};

use msai_ledger::app::AppConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::app::{Backend, Reply, TestApp, assert_problem};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// How long an over-limit request may take to be refused, and a normal request sent meanwhile
/// to be served: generous for a loaded test machine, far below any timeout.
const PROMPT: Duration = Duration::from_secs(3);

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Sends `refused` and, at the same time, a normal read; both must be answered within
/// [`PROMPT`]. Returns the refused request's reply.
async fn refused_while_others_are_served(app: &TestApp, refused: reqwest::RequestBuilder) -> Reply {
    let started = Instant::now();
    let (reply, normal) = tokio::join!(app.send(refused), app.get("/v1/groups"));
    let elapsed = started.elapsed();
    assert_eq!(normal.status, StatusCode::OK, "{}", normal.body);
    assert!(elapsed < PROMPT, "answered after {elapsed:?}");
    reply
}

async fn member(app: &TestApp, group: &str, name: &str) -> String {
    let reply = app
        .post(
            &format!("/v1/groups/{group}/members"),
            &json!({"name": name, "home_country": "ID", "host_country": "HK", "joined_on": "2026-01-05"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

fn contributions(member: &str, count: usize) -> Vec<Value> {
    (0..count)
        .map(|i| {
            json!({"type": "contribution", "member_id": member, "amount": "10.00",
                   "fund": "savings", "channel": "cash", "receipt_no": format!("R-{i:06}")})
        })
        .collect()
}

both_backends!(a_body_over_the_limit_is_refused_413, |app| async move {
    let too_large = json!({"name": "x".repeat(70 * 1024), "currency": "HKD", "host_country": "HK", "home_country": "PH"});
    let reply = refused_while_others_are_served(
        &app,
        app.client.post(app.url("/v1/groups")).json(&too_large),
    )
    .await;
    assert_problem(&reply, StatusCode::PAYLOAD_TOO_LARGE, "body-too-large");
    // A meeting may be larger, up to its own limit.
    let group = app.create_group("Big sheets").await;
    let sheet = format!(
        "type,member_id,receipt_no\n{}",
        "attendance,00000000-0000-0000-0000-000000000000,\n".repeat(12_000)
    );
    assert!(sheet.len() > msai_ledger::http::DEFAULT_MEETING_BODY_LIMIT_BYTES);
    let reply = refused_while_others_are_served(
        &app,
        app.client
            .post(app.url(&format!("/v1/groups/{group}/meetings?held_on=2026-11-01")))
            .header("Idempotency-Key", key())
            .header("Content-Type", "text/csv")
            .body(sheet),
    )
    .await;
    assert_problem(&reply, StatusCode::PAYLOAD_TOO_LARGE, "body-too-large");
    let groups = app.get("/v1/groups").await;
    assert_eq!(groups.body["items"].as_array().unwrap().len(), 1);
});

both_backends!(
    a_transaction_of_more_than_100_entries_is_refused,
    |app| async move {
        let group = app.create_group("Many entries").await;
        app.create_account(&group, "assets:cash", "asset", "HKD", false)
            .await;
        app.create_account(&group, "income:fees", "income", "HKD", false)
            .await;
        let entries = |count: usize| -> Vec<Value> {
            (0..count)
                .map(|i| {
                    let (account, direction) = if i % 2 == 0 {
                        ("assets:cash", "debit")
                    } else {
                        ("income:fees", "credit")
                    };
                    json!({"account": account, "direction": direction, "amount": "1.00"})
                })
                .collect()
        };
        let transactions = format!("/v1/groups/{group}/transactions");
        let reply = refused_while_others_are_served(
            &app,
            app.client
                .post(app.url(&transactions))
                .header("Idempotency-Key", key())
                .json(&json!({"description": "too many", "entries": entries(102)})),
        )
        .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "entry-count");
        assert_eq!(reply.pointer(), "/entries");
        // The largest transaction allowed is recorded.
        let reply = app
            .post_with_key(
                &transactions,
                &key(),
                &json!({"description": "a hundred", "entries": entries(100)}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(app.balance(&group, "assets:cash").await, "50.00");
    }
);

both_backends!(
    a_meeting_of_more_than_500_events_is_refused,
    |app| async move {
        let group = app.create_group("Long meeting").await;
        let siti = member(&app, &group, "Siti").await;
        let meetings = format!("/v1/groups/{group}/meetings");
        let reply = refused_while_others_are_served(
            &app,
            app.client
                .post(app.url(&meetings))
                .header("Idempotency-Key", key())
                .json(&json!({"held_on": "2026-11-01", "events": contributions(&siti, 501)})),
        )
        .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(reply.pointer(), "/events");
        // As a sheet, the same limit is about the rows.
        let mut sheet = String::from("type,member_id,amount,fund,channel\n");
        for _ in 0..501 {
            sheet.push_str(&format!("contribution,{siti},10.00,savings,cash\n"));
        }
        let reply = refused_while_others_are_served(
            &app,
            app.client
                .post(app.url(&format!("{meetings}?held_on=2026-11-01")))
                .header("Idempotency-Key", key())
                .header("Content-Type", "text/csv")
                .body(sheet),
        )
        .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(reply.pointer(), "/rows");
        assert_eq!(
            app.get(&meetings).await.body["items"],
            json!([]),
            "nothing was written"
        );
        // A meeting of 500 events, each with a receipt, is within every limit.
        let body = json!({"held_on": "2026-11-01", "attendance": [siti], "events": contributions(&siti, 500)});
        assert!(body.to_string().len() > msai_ledger::http::DEFAULT_BODY_LIMIT_BYTES);
        let reply = app.post_with_key(&meetings, &key(), &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(reply.body["events"].as_array().unwrap().len(), 500);
    }
);

both_backends!(a_page_larger_than_500_is_refused, |app| async move {
    for limit in ["501", "0", "100000000000"] {
        let reply = refused_while_others_are_served(
            &app,
            app.client
                .get(app.url(&format!("/v1/groups?limit={limit}"))),
        )
        .await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
        );
        assert_eq!(
            reply.body["errors"][0]["parameter"], "limit",
            "{}",
            reply.body
        );
    }
    let reply = app.get("/v1/groups?limit=500").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
});

both_backends!(metadata_over_4096_bytes_is_refused, |app| async move {
    let group = app.create_group("Metadata").await;
    app.create_account(&group, "assets:cash", "asset", "HKD", false)
        .await;
    app.create_account(&group, "income:fees", "income", "HKD", false)
        .await;
    // {"note":"…"} is 11 bytes around the text.
    let body = |text_len: usize| {
        json!({"description": "fees", "metadata": {"note": "n".repeat(text_len)}, "entries": [
            {"account": "assets:cash", "direction": "debit", "amount": "1.00"},
            {"account": "income:fees", "direction": "credit", "amount": "1.00"},
        ]})
    };
    let transactions = format!("/v1/groups/{group}/transactions");
    let reply = refused_while_others_are_served(
        &app,
        app.client
            .post(app.url(&transactions))
            .header("Idempotency-Key", key())
            .json(&body(4096 - 10)),
    )
    .await;
    assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(reply.pointer(), "/metadata");
    let reply = app
        .post_with_key(&transactions, &key(), &body(4096 - 11))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
});

both_backends!(headers_over_the_limit_are_refused_431, |app| async move {
    let limit = msai_ledger::app::DEFAULT_MAX_HEADER_BYTES;
    // Over the limit: a problem from the service.
    let reply = refused_while_others_are_served(
        &app,
        app.client
            .get(app.url("/v1/groups"))
            .header("X-Padding", "p".repeat(limit)),
    )
    .await;
    assert_problem(
        &reply,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "headers-too-large",
    );
    // Far over it, or too many fields: a problem from the service too.
    let reply = refused_while_others_are_served(
        &app,
        app.client
            .get(app.url("/v1/groups"))
            .header("X-Padding", "p".repeat(4 * limit)),
    )
    .await;
    assert_problem(
        &reply,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "headers-too-large",
    );
    let mut many = app.client.get(app.url("/v1/groups"));
    for i in 0..150 {
        many = many.header(format!("x-field-{i}"), "v");
    }
    let reply = refused_while_others_are_served(&app, many).await;
    assert_problem(
        &reply,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "headers-too-large",
    );
    // Headers within the limit are fine.
    let reply = app
        .send(
            app.client
                .get(app.url("/v1/groups"))
                .header("X-Padding", "p".repeat(limit / 2)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
});

/// A second instance over the same database as `app`, with `config`; returns its base URL.
async fn second_instance(app: &TestApp, config: AppConfig) -> String {
    let store = msai_ledger::store::connect(&app.database_url)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(msai_ledger::app::serve(
        listener,
        store,
        config,
        std::future::pending(),
    ));
    support::app::wait_ready(&base).await;
    base
}

async fn a_request_past_the_timeout_is_answered_503_while_reads_go_on(backend: Backend) {
    const HOLD: Duration = Duration::from_millis(2500);
    let Some(app) = support::app::spawn(backend).await else {
        return;
    };
    let base = second_instance(
        &app,
        AppConfig {
            request_timeout: Duration::from_millis(300),
            ..AppConfig::default()
        },
    )
    .await;
    let release = support::app::hold_write_lock(backend, &app.database_url, HOLD).await;
    let started = Instant::now();
    let slow = app.send(app.client.post(format!("{base}/v1/groups")).json(
        &json!({"name": "Slow", "currency": "HKD", "host_country": "HK", "home_country": "PH"}),
    ));
    // Reads do not wait for the held write lock, nor for the request being cut off.
    let read = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let read_started = Instant::now();
        let reply = app.send(app.client.get(format!("{base}/v1/groups"))).await;
        (reply, read_started.elapsed())
    };
    let (reply, (read, read_took)) = tokio::join!(slow, read);
    let elapsed = started.elapsed();
    release.await.unwrap();
    assert_problem(&reply, StatusCode::SERVICE_UNAVAILABLE, "request-timeout");
    assert!(reply.headers.contains_key("retry-after"));
    // The audit record of the cut-off request is written before the answer, for at most the
    // audit log's own wait. On PostgreSQL it does not need the held lock, so the answer follows
    // the timeout at once; on SQLite every write, the audit record's too, waits for the one
    // write lock, so the answer comes when the lock is let go (here well within the wait).
    let bound = match backend {
        Backend::Postgres => Duration::from_millis(1500),
        Backend::Sqlite => HOLD + Duration::from_millis(1000),
    };
    assert!(elapsed < bound, "answered after {elapsed:?}");
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert!(
        read_took < Duration::from_millis(1000),
        "read took {read_took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_a_request_past_the_timeout_is_answered_503_while_reads_go_on() {
    a_request_past_the_timeout_is_answered_503_while_reads_go_on(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_a_request_past_the_timeout_is_answered_503_while_reads_go_on() {
    a_request_past_the_timeout_is_answered_503_while_reads_go_on(Backend::Postgres).await;
}

/// One HTTP/1.1 exchange on an open connection: the status, the headers (lower-case names)
/// and the body.
async fn exchange(
    stream: &mut BufReader<TcpStream>,
    path: &str,
) -> std::io::Result<(u16, Vec<(String, String)>, String)> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    stream.get_mut().write_all(request.as_bytes()).await?;
    let mut status_line = String::new();
    if stream.read_line(&mut status_line).await? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok((status, headers, String::from_utf8_lossy(&body).into_owned()))
}

async fn connect(base: &str) -> BufReader<TcpStream> {
    let address = base.trim_start_matches("http://");
    BufReader::new(TcpStream::connect(address).await.expect("connect"))
}

async fn connections_beyond_the_limit_are_answered_503_and_the_rest_served(backend: Backend) {
    let Some(app) = support::app::spawn(backend).await else {
        return;
    };
    const MAX: usize = 8;
    let base = second_instance(
        &app,
        AppConfig {
            max_connections: MAX,
            ..AppConfig::default()
        },
    )
    .await;
    // Open kept-alive connections until one is refused: each one served holds a place.
    let mut held = Vec::new();
    let refused = loop {
        let mut stream = connect(&base).await;
        let started = Instant::now();
        let (status, headers, body) =
            tokio::time::timeout(PROMPT, exchange(&mut stream, "/healthz"))
                .await
                .expect("every connection is answered promptly")
                .expect("an answer");
        if status == 200 {
            held.push(stream);
            assert!(held.len() <= MAX, "more than {MAX} connections were served");
            continue;
        }
        break (status, headers, body, started.elapsed());
    };
    let (status, headers, body, took) = refused;
    assert_eq!(status, 503, "{body}");
    assert!(took < PROMPT, "refused after {took:?}");
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    assert_eq!(header("content-type"), "application/problem+json");
    assert!(!header("retry-after").is_empty());
    assert!(!header("x-request-id").is_empty());
    let problem: Value = serde_json::from_str(&body).expect("a problem");
    assert_eq!(problem["type"], "/problems/too-many-connections");
    // The API document says that even the liveness check can be answered so.
    assert_eq!(
        support::openapi::spec()["paths"]["/healthz"]["get"]["responses"]["503"]["$ref"],
        "#/components/responses/TooManyConnections"
    );
    assert!(
        held.len() >= MAX - 2,
        "only {} connections were served",
        held.len()
    );
    // Clients already connected are still served promptly.
    for stream in held.iter_mut() {
        let (status, _, body) = tokio::time::timeout(PROMPT, exchange(stream, "/v1/groups"))
            .await
            .expect("served promptly")
            .expect("an answer");
        // No token on these connections: the service answers, and refuses.
        assert_eq!(status, 401, "{body}");
    }
    // A place freed is a place for the next client.
    held.pop();
    let deadline = Instant::now() + PROMPT;
    loop {
        let mut stream = connect(&base).await;
        let (status, _, body) = exchange(&mut stream, "/healthz").await.expect("an answer");
        if status == 200 {
            break;
        }
        assert_eq!(status, 503, "{body}");
        assert!(Instant::now() < deadline, "the freed place was not reused");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_connections_beyond_the_limit_are_answered_503_and_the_rest_served() {
    connections_beyond_the_limit_are_answered_503_and_the_rest_served(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_connections_beyond_the_limit_are_answered_503_and_the_rest_served() {
    connections_beyond_the_limit_are_answered_503_and_the_rest_served(Backend::Postgres).await;
}

async fn shutting_down_finishes_the_requests_in_flight(backend: Backend) {
    let Some(app) = support::app::spawn(backend).await else {
        return;
    };
    let store = msai_ledger::store::connect(&app.database_url)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let base = format!("http://{address}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(msai_ledger::app::serve(
        listener,
        store,
        AppConfig::default(),
        async {
            let _ = stopped.await;
        },
    ));
    support::app::wait_ready(&base).await;
    // A kept-alive connection with nothing in flight, and a write held up by a lock.
    let mut idle = connect(&base).await;
    let (status, _, _) = exchange(&mut idle, "/healthz").await.unwrap();
    assert_eq!(status, 200);
    let release =
        support::app::hold_write_lock(backend, &app.database_url, Duration::from_millis(1000))
            .await;
    let client = app.client.clone();
    let write = tokio::spawn(async move {
        client
            .post(format!("{base}/v1/groups"))
            .json(&json!({"name": "Last one", "currency": "HKD", "host_country": "HK", "home_country": "PH"}))
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.send(()).unwrap();
    // The write in flight is finished and answered; then the service stops.
    let reply = write.await.unwrap().expect("the write is answered");
    assert_eq!(reply.status(), StatusCode::CREATED);
    release.await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the service stops once its requests are done")
        .unwrap()
        .unwrap();
    // The idle connection was closed, and no new one is taken.
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(1), idle.read_to_end(&mut rest)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
    assert!(TcpStream::connect(address).await.is_err());
    let groups = app.get("/v1/groups").await;
    assert!(
        groups.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == "Last one"),
        "{}",
        groups.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_shutting_down_finishes_the_requests_in_flight() {
    shutting_down_finishes_the_requests_in_flight(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_shutting_down_finishes_the_requests_in_flight() {
    shutting_down_finishes_the_requests_in_flight(Backend::Postgres).await;
}
