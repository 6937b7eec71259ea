//! Events for other systems, on both backends: every posting and every change of a member is
//! an event in the group's order (`GET .../events`), and webhooks deliver them signed, in
//! order, at least once, through receivers that fail, time out or answer slowly.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support;
use msai_ledger::app::AppConfig;
use msai_ledger::domain::events::verify_signature;
use msai_ledger::webhooks::WebhookOptions;
use support::app::{TestApp, assert_problem};
use support::story::{created, key, member, ok, s, save, story};

/// Every event of the group, read page by page through `next_cursor`.
async fn all_events(app: &TestApp, group: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut path = format!("/v1/groups/{group}/events?limit=7");
    loop {
        let reply = app.get(&path).await;
        let page = ok(&reply).clone();
        events.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/groups/{group}/events?limit=7&cursor={cursor}"),
            None => return events,
        }
    }
}

both_backends!(
    every_posting_and_every_change_of_a_member_is_an_event_in_the_group_s_order,
    |app| async move {
        let story = story(&app).await;
        let g = story.group.clone();
        let events = all_events(&app, &g).await;
        let numbers: Vec<i64> = events
            .iter()
            .map(|e| e["sequence"].as_i64().unwrap())
            .collect();
        assert_eq!(numbers, (1..=events.len() as i64).collect::<Vec<_>>());

        // Each transaction of the ledger is one event, in the ledger's order, and says what it
        // was: the event its metadata names, or a reversal.
        let reply = app.get(&format!("/v1/groups/{g}")).await;
        let head = ok(&reply)["head_sequence"].as_i64().unwrap();
        let posted: Vec<&Value> = events
            .iter()
            .filter(|e| !e["transaction"].is_null())
            .collect();
        let ledger_order: Vec<i64> = posted
            .iter()
            .map(|e| e["transaction"]["sequence"].as_i64().unwrap())
            .collect();
        assert_eq!(ledger_order, (1..=head).collect::<Vec<_>>());
        for event in &posted {
            let t = &event["transaction"];
            let expected = if !t["reverses"].is_null() {
                "reversal".to_string()
            } else {
                t["metadata"]["event"]
                    .as_str()
                    .unwrap_or("transaction")
                    .to_string()
            };
            assert_eq!(event["type"], expected.as_str(), "{event}");
            if event["type"] == "contribution" {
                assert_eq!(event["subject_id"], t["metadata"]["event_id"]);
                let saver = event["members"][0].as_str().unwrap();
                let contribution = app
                    .get(&format!(
                        "/v1/groups/{g}/contributions/{}",
                        s(&event["subject_id"])
                    ))
                    .await;
                assert_eq!(ok(&contribution)["member_id"], saver);
            }
        }
        let types: std::collections::BTreeSet<&str> =
            events.iter().map(|e| e["type"].as_str().unwrap()).collect();
        for kind in [
            "contribution",
            "remittance",
            "disbursement",
            "income",
            "period_close",
            "member_joined",
        ] {
            assert!(types.contains(kind), "no {kind} among {types:?}");
        }

        // Each member who joined is an event naming her, before any posting of hers.
        let joined: Vec<&str> = events
            .iter()
            .filter(|e| e["type"] == "member_joined")
            .map(|e| s(&e["subject_id"]))
            .collect();
        for m in [&story.ana, &story.bea, &story.carla, &story.dan, &story.eli] {
            assert!(
                joined.contains(&m.as_str()),
                "{m} did not join in the events"
            );
        }

        // A change of a member comes next, with the member as it left her; a consumer that
        // kept the last number it handled reads only what follows.
        let last = *numbers.last().unwrap();
        let went_home = json!({"status": "returned_home", "status_on": "2026-06-30"});
        let url = app.url(&format!("/v1/groups/{g}/members/{}", story.dan));
        let changed = app.send(app.client.patch(url).json(&went_home)).await;
        ok(&changed);
        let reply = app
            .get(&format!("/v1/groups/{g}/events?after={last}"))
            .await;
        let page = ok(&reply);
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
        let change = &page["items"][0];
        assert_eq!(change["type"], "member_updated");
        assert_eq!(change["sequence"], last + 1);
        assert_eq!(change["members"], json!([story.dan]));
        assert_eq!(change["member"]["status"], "returned_home");
        assert!(page["next_cursor"].is_null());
        let reply = app
            .get(&format!("/v1/groups/{g}/events?after={}", last + 1))
            .await;
        assert_eq!(ok(&reply)["items"], json!([]));
    }
);

both_backends!(
    a_refused_write_leaves_no_event_and_bad_cursors_are_refused,
    |app| async move {
        let g = app.create_group("Quiet").await;
        let ana = member(&app, &g, "Ana", "female").await;
        let overdraft = json!({"member_id": ana, "amount": "5.00", "fund": "savings",
                               "channel": "cash"});
        let refused = app
            .post_with_key(&format!("/v1/groups/{g}/withdrawals"), &key(), &overdraft)
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        let events = all_events(&app, &g).await;
        let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["member_joined"]);

        let events_of = format!("/v1/groups/{g}/events");
        for query in [
            "after=-1",
            "after=01",
            "after=one",
            "cursor=bm90IGEgY3Vyc29y",
            "limit=0",
        ] {
            let reply = app.get(&format!("{events_of}?{query}")).await;
            assert_problem(
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-parameter",
            );
        }
        let reply = app.get(&format!("{events_of}?after=0&cursor=ZTox")).await;
        assert_problem(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-parameter",
        );
        let reply = app
            .get(&format!("/v1/groups/{}/events", uuid::Uuid::now_v7()))
            .await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
    }
);

/// What a test receiver saw: each delivery's event id, sequence and type, in the order they
/// arrived, and whether its signature held.
#[derive(Default)]
struct Received {
    deliveries: Vec<(String, i64, String)>,
    bad_signatures: usize,
    /// How many requests it has had; `answer` decides each one's fate from it.
    requests: usize,
}

type Answer = fn(usize) -> (AxumStatus, Duration);

/// A receiver on a loopback port that checks signatures with `secret` and answers the n-th
/// request (from 0) as `answer(n)` says: a status, after a delay.
async fn receiver(secret: &'static str, answer: Answer) -> (String, Arc<Mutex<Received>>) {
    let received = Arc::new(Mutex::new(Received::default()));
    let seen = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            async move {
                let n = {
                    let mut seen = seen.lock().unwrap();
                    let signature = headers
                        .get("msai-signature")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    if !verify_signature(secret, signature, &body) {
                        seen.bad_signatures += 1;
                    }
                    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    let id = headers
                        .get("msai-event-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    assert_eq!(event["id"], id, "the header and the body name one event");
                    seen.deliveries.push((
                        id.to_string(),
                        event["sequence"].as_i64().unwrap_or(-1),
                        event["type"].as_str().unwrap_or("").to_string(),
                    ));
                    seen.requests += 1;
                    seen.requests - 1
                };
                let (status, delay) = answer(n);
                tokio::time::sleep(delay).await;
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, received)
}

fn quick_webhooks() -> AppConfig {
    AppConfig {
        webhooks: WebhookOptions {
            poll: Duration::from_millis(50),
            timeout: Duration::from_millis(700),
            backoff_base: Duration::from_millis(50),
            backoff_cap: Duration::from_millis(200),
            lease: Duration::from_secs(30),
        },
        ..AppConfig::default()
    }
}

async fn subscribe(app: &TestApp, group: &str, body: Value) -> Value {
    let reply = app
        .post_with_key(&format!("/v1/groups/{group}/webhooks"), &key(), &body)
        .await;
    created(&reply).clone()
}

/// Waits (up to a minute) until `done` holds for what the receiver saw.
async fn until(received: &Arc<Mutex<Received>>, done: impl Fn(&Received) -> bool) {
    for _ in 0..1200 {
        if done(&received.lock().unwrap()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the receiver did not get what was expected in a minute");
}

/// The distinct events a receiver got, in the order each first arrived.
fn distinct(received: &Received) -> Vec<(String, i64, String)> {
    let mut seen = Vec::new();
    for d in &received.deliveries {
        if !seen.iter().any(|s: &(String, i64, String)| s.0 == d.0) {
            seen.push(d.clone());
        }
    }
    seen
}

const SECRET: &str = "a-receiver-s-shared-secret";

both_backends_with!(
    a_webhook_gets_every_event_in_order_through_failures_and_timeouts,
    quick_webhooks(),
    |app| async move {
        // The first request fails, the second is not answered in time, then all succeed.
        let (url, received) = receiver(SECRET, |n| match n {
            0 => (AxumStatus::INTERNAL_SERVER_ERROR, Duration::ZERO),
            1 => (AxumStatus::OK, Duration::from_millis(1500)),
            _ => (AxumStatus::NO_CONTENT, Duration::ZERO),
        })
        .await;
        let g = app.create_group("Hooked").await;
        let hook = subscribe(&app, &g, json!({"url": url, "secret": SECRET})).await;
        assert!(
            hook.get("secret").is_none(),
            "a secret given is not answered back"
        );
        assert_eq!(hook["delivered_through"], 0);
        let ana = member(&app, &g, "Ana", "female").await;
        for day in ["2026-03-01", "2026-03-02", "2026-03-03"] {
            save(&app, &g, &ana, "100.00", "savings", day).await;
        }
        until(&received, |r| distinct(r).len() == 4).await;
        let events = all_events(&app, &g).await;
        let got = distinct(&received.lock().unwrap());
        let expected: Vec<(String, i64, String)> = events
            .iter()
            .map(|e| {
                (
                    s(&e["id"]).to_string(),
                    e["sequence"].as_i64().unwrap(),
                    s(&e["type"]).to_string(),
                )
            })
            .collect();
        assert_eq!(got, expected, "every event, in the group's order");
        {
            let r = received.lock().unwrap();
            assert_eq!(r.bad_signatures, 0);
            // The failed and the unanswered attempts were sent again with the same id.
            assert!(r.deliveries.len() >= 6, "{:?}", r.deliveries);
            assert_eq!(r.deliveries[0].0, r.deliveries[1].0);
            assert_eq!(r.deliveries[1].0, r.deliveries[2].0);
        }

        // The webhook says how it stands; a replay sends everything again with the same ids.
        let hook_path = format!("/v1/groups/{g}/webhooks/{}", s(&hook["id"]));
        let mut shown = Value::Null;
        for _ in 0..200 {
            let reply = app.get(&hook_path).await;
            shown = ok(&reply).clone();
            if shown["delivered_through"] == 4 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(shown["delivered_through"], 4, "{shown}");
        assert_eq!(shown["failures"], 0);
        assert_eq!(shown["last_status"], 204);
        let sent_before = received.lock().unwrap().deliveries.len();
        let replayed = app
            .post_with_key(&format!("{hook_path}/replay"), &key(), &json!({"after": 1}))
            .await;
        assert_eq!(ok(&replayed)["delivered_through"], 1);
        until(&received, |r| r.deliveries.len() >= sent_before + 3).await;
        let again: Vec<String> = received.lock().unwrap().deliveries[sent_before..]
            .iter()
            .map(|d| d.0.clone())
            .collect();
        let later: Vec<String> = expected[1..].iter().map(|e| e.0.clone()).collect();
        assert_eq!(again, later);

        // A deleted webhook is sent nothing more.
        let gone = app.send(app.client.delete(app.url(&hook_path))).await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.body);
        let count = received.lock().unwrap().deliveries.len();
        save(&app, &g, &ana, "5.00", "savings", "2026-03-04").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(received.lock().unwrap().deliveries.len(), count);
        assert_problem(
            &app.get(&hook_path).await,
            StatusCode::NOT_FOUND,
            "not-found",
        );
    }
);

/// As [`quick_webhooks`], with time for a slow receiver to answer.
fn patient_webhooks() -> AppConfig {
    let mut config = quick_webhooks();
    config.webhooks.timeout = Duration::from_secs(5);
    config
}

both_backends_with!(
    a_slow_or_unreachable_receiver_delays_no_other_and_its_failures_are_shown,
    patient_webhooks(),
    |app| async move {
        let (fast_url, fast) = receiver(SECRET, |_| (AxumStatus::OK, Duration::ZERO)).await;
        let (slow_url, slow) =
            receiver(SECRET, |_| (AxumStatus::OK, Duration::from_millis(1500))).await;
        // Nothing listens on this one: bind a port, then let it go.
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let dead_url = format!("http://{}/hook", closed.local_addr().unwrap());
        drop(closed);
        let g = app.create_group("Three hooks").await;
        subscribe(&app, &g, json!({"url": slow_url, "secret": SECRET})).await;
        let dead = subscribe(&app, &g, json!({"url": dead_url})).await;
        assert_eq!(dead["secret"].as_str().map(str::len), Some(64), "{dead}");
        // Only contributions for this one.
        subscribe(
            &app,
            &g,
            json!({"url": fast_url, "secret": SECRET,
                                   "event_types": ["contribution"]}),
        )
        .await;
        let ana = member(&app, &g, "Ana", "female").await;
        for day in [
            "2026-03-01",
            "2026-03-02",
            "2026-03-03",
            "2026-03-04",
            "2026-03-05",
        ] {
            save(&app, &g, &ana, "10.00", "savings", day).await;
        }
        until(&fast, |r| r.deliveries.len() == 5).await;
        let slow_count = slow.lock().unwrap().deliveries.len();
        assert!(
            slow_count < 6,
            "the slow receiver had {slow_count} of 6 already"
        );
        {
            let fast_got = fast.lock().unwrap();
            assert!(fast_got.deliveries.iter().all(|d| d.2 == "contribution"));
            let sequences: Vec<i64> = fast_got.deliveries.iter().map(|d| d.1).collect();
            assert_eq!(sequences, vec![2, 3, 4, 5, 6]);
        }
        until(&slow, |r| distinct(r).len() == 6).await;

        let dead_path = format!("/v1/groups/{g}/webhooks/{}", s(&dead["id"]));
        let reply = app.get(&dead_path).await;
        let shown = ok(&reply);
        assert_eq!(shown["delivered_through"], 0, "{shown}");
        assert!(shown["failures"].as_i64().unwrap() >= 1, "{shown}");
        assert!(shown["last_status"].is_null(), "{shown}");
        assert!(
            s(&shown["last_error"]).starts_with("could not be sent"),
            "{shown}"
        );
        assert!(shown.get("secret").is_none());
        let listed = app.get(&format!("/v1/groups/{g}/webhooks")).await;
        assert_eq!(ok(&listed)["items"].as_array().unwrap().len(), 3);
    }
);

both_backends!(
    a_webhook_asked_for_wrongly_is_refused_field_by_field,
    |app| async move {
        let g = app.create_group("Careful").await;
        let hooks = format!("/v1/groups/{g}/webhooks");
        let cases: Vec<(Value, &str)> = vec![
            (json!({"url": "ftp://example.org/hook"}), "/url"),
            (json!({"url": "/relative"}), "/url"),
            (json!({"url": "https://user:pw@example.org/hook"}), "/url"),
            (
                json!({"url": "https://example.org/hook", "secret": "short"}),
                "/secret",
            ),
            (
                json!({"url": "https://example.org/hook", "event_types": ["payday"]}),
                "/event_types/0",
            ),
            (
                json!({"url": "https://example.org/hook",
                "event_types": ["contribution", "contribution"]}),
                "/event_types/1",
            ),
        ];
        for (body, pointer) in cases {
            let reply = app.post_with_key(&hooks, &key(), &body).await;
            assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
            assert_eq!(reply.pointer(), pointer, "{body}: {}", reply.body);
        }
        let listed = app.get(&hooks).await;
        assert_eq!(ok(&listed)["items"], json!([]));
        let reply = app
            .post_with_key(
                &format!("{hooks}/{}/replay", uuid::Uuid::now_v7()),
                &key(),
                &json!({}),
            )
            .await;
        assert_problem(&reply, StatusCode::NOT_FOUND, "not-found");
        let made = subscribe(&app, &g, json!({"url": "https://example.org/hook"})).await;
        let replay = format!("{hooks}/{}/replay", s(&made["id"]));
        let reply = app
            .post_with_key(&replay, &key(), &json!({"after": 5}))
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(reply.pointer(), "/after");
        let reply = app
            .post_with_key(&replay, &key(), &json!({"after": -1}))
            .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    }
);

both_backends!(
    events_and_webhooks_answer_as_openapi_yaml_says,
    |app| async move {
        use support::openapi::assert_reply_matches as matches;
        const EVENTS: &str = "/v1/groups/{group_id}/events";
        const HOOKS: &str = "/v1/groups/{group_id}/webhooks";
        const HOOK: &str = "/v1/groups/{group_id}/webhooks/{webhook_id}";
        const REPLAY: &str = "/v1/groups/{group_id}/webhooks/{webhook_id}/replay";
        let g = app.create_group("Documented").await;
        let ana = member(&app, &g, "Ana", "female").await;
        save(&app, &g, &ana, "20.00", "savings", "2026-03-01").await;
        let url = app.url(&format!("/v1/groups/{g}/members/{ana}"));
        ok(&app
            .send(app.client.patch(url).json(&json!({"occupation": "cook"})))
            .await);
        let events = format!("/v1/groups/{g}/events");
        let reply = app.get(&format!("{events}?limit=2")).await;
        matches("GET", EVENTS, &reply);
        assert_eq!(ok(&reply)["items"].as_array().unwrap().len(), 2);
        let next = s(&reply.body["next_cursor"]).to_string();
        let reply = app.get(&format!("{events}?cursor={next}")).await;
        matches("GET", EVENTS, &reply);
        assert_eq!(ok(&reply)["items"][0]["type"], "member_updated");
        let reply = app.get(&format!("{events}?after=x")).await;
        matches("GET", EVENTS, &reply);

        let hooks = format!("/v1/groups/{g}/webhooks");
        let reply = app
            .post_with_key(
                &hooks,
                &key(),
                &json!({"url": "https://example.org/h",
                                               "event_types": ["contribution"]}),
            )
            .await;
        matches("POST", HOOKS, &reply);
        let hook = format!("{hooks}/{}", s(&created(&reply)["id"]));
        assert_eq!(reply.body["delivered_through"], 3, "{}", reply.body);
        let reply = app.post_with_key(&hooks, &key(), &json!({"url": 7})).await;
        matches("POST", HOOKS, &reply);
        let reply = app.get(&hooks).await;
        matches("GET", HOOKS, &reply);
        let reply = app.get(&hook).await;
        matches("GET", HOOK, &reply);
        let reply = app
            .send(
                app.client
                    .post(app.url(&format!("{hook}/replay")))
                    .header("Content-Length", "0"),
            )
            .await;
        matches("POST", REPLAY, &reply);
        assert_eq!(ok(&reply)["delivered_through"], 0);
        let reply = app
            .post_with_key(&format!("{hook}/replay"), &key(), &json!({"after": 9}))
            .await;
        matches("POST", REPLAY, &reply);
        let reply = app.send(app.client.delete(app.url(&hook))).await;
        matches("DELETE", HOOK, &reply);
        let reply = app.get(&hook).await;
        matches("GET", HOOK, &reply);
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
    }
);

/// Two services on one database, as two processes: each polls for webhooks due, and the
/// lease lets one of them deliver at a time, so every event arrives once and in order.
async fn two_services_deliver_each_event_once_in_order(backend: support::app::Backend) {
    let Some(here) = support::app::spawn_with(backend, patient_webhooks()).await else {
        return;
    };
    let there =
        support::app::spawn_on(backend, here.database_url.clone(), None, patient_webhooks()).await;
    let (url, received) = receiver(SECRET, |_| (AxumStatus::OK, Duration::from_millis(20))).await;
    let g = here.create_group("Two processes").await;
    subscribe(&here, &g, json!({"url": url, "secret": SECRET})).await;
    let ana = member(&here, &g, "Ana", "female").await;
    for n in 0..12 {
        let app = if n % 2 == 0 { &here } else { &there };
        save(app, &g, &ana, "1.00", "savings", "2026-03-01").await;
    }
    until(&received, |r| distinct(r).len() == 13).await;
    // Long enough for a second delivery of any event to arrive.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = received.lock().unwrap();
    let sequences: Vec<i64> = r.deliveries.iter().map(|d| d.1).collect();
    assert_eq!(
        sequences,
        (1..=13).collect::<Vec<_>>(),
        "{:?}",
        r.deliveries
    );
    assert_eq!(r.bad_signatures, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_services_on_one_sqlite_file_deliver_each_event_once_in_order() {
    two_services_deliver_each_event_once_in_order(support::app::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_services_on_one_postgres_database_deliver_each_event_once_in_order() {
    two_services_deliver_each_event_once_in_order(support::app::Backend::Postgres).await;
}

both_backends_with!(
    the_sms_receipt_subscriber_of_docs_events_md_texts_the_member,
    quick_webhooks(),
    |app| async move {
        use std::io::BufRead as _;
        // The example as docs/EVENTS.md gives it, with a gateway client that prints.
        let doc = include_str!("../../docs/EVENTS.md");
        let code = doc
            .split("```python\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("docs/EVENTS.md has a Python example");
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("receipts.py");
        let gateway = "def send_sms(phone, text):\n    print(phone, '|', text, flush=True)\n\n";
        std::fs::write(&script, format!("{gateway}{code}")).unwrap();
        let port = {
            let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            free.local_addr().unwrap().port()
        };
        let mut child = std::process::Command::new("python3")
            .arg(&script)
            .env("PORT", port.to_string())
            .env("WEBHOOK_SECRET", SECRET)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs the example");
        let stdout = child.stdout.take().unwrap();
        let (lines, texts) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let _ = lines.send(line);
            }
        });

        // Ana joined before the gateway subscribed: a replay from the start tells it her
        // number, then her contribution is texted to her.
        let g = app.create_group("Texted").await;
        let body = json!({"name": "Ana", "sex": "female", "home_country": "PH",
                          "host_country": "HK", "contact": "+852 9000 0001"});
        let ana = app.post(&format!("/v1/groups/{g}/members"), &body).await;
        let ana = s(&created(&ana)["id"]).to_string();
        let url = format!("http://127.0.0.1:{port}/msai");
        let hook = subscribe(&app, &g, json!({"url": url, "secret": SECRET})).await;
        let replay = format!("/v1/groups/{g}/webhooks/{}/replay", s(&hook["id"]));
        ok(&app
            .post_with_key(&replay, &key(), &json!({"after": 0}))
            .await);
        save(&app, &g, &ana, "150.00", "savings", "2026-03-01").await;

        let expected = "+852 9000 0001 | contribution: HKD 150.00 on 2026-03-01";
        let got = tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            let mut seen = Vec::new();
            while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
                match texts.recv_timeout(left) {
                    Ok(line) if line == expected => return Ok(line),
                    Ok(line) => seen.push(line),
                    Err(_) => break,
                }
            }
            Err(seen)
        })
        .await
        .unwrap();
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            got.is_ok(),
            "no receipt texted; the gateway printed {got:?}"
        );
    }
);
