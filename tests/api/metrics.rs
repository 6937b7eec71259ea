//! `GET /metrics`: what an operator's Prometheus sees. After a write, its replay, a refusal
//! and a failed sign-in, the scrape counts each under its route's template (never a path or
//! an id); only an administrator may scrape on the API's address, and `--metrics-listen`
//! serves the same text without credentials on an address of its own. The example Grafana
//! dashboard only asks for metrics that a scrape has.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::app::{ADMIN_PASSWORD, Backend, GROUP_COMMIT, TestApp, assert_problem, login};
use support::story;

const TRANSACTIONS: &str = "/v1/groups/{group_id}/transactions";
const TOKEN: &str = "/v1/auth/token";

/// One sample line of a scrape: its metric name, labels and value.
#[derive(Debug, Clone)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The samples of a scrape in the Prometheus text format (comments left out). Label values
/// here never hold `"` or `,`, so a plain split is enough.
fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("a sample has a value");
            let (name, labels) = match series.split_once('{') {
                None => (series, BTreeMap::new()),
                Some((name, rest)) => {
                    let inner = rest.strip_suffix('}').expect("labels end with }");
                    let labels = inner
                        .split(',')
                        .filter(|pair| !pair.is_empty())
                        .map(|pair| {
                            let (key, value) = pair.split_once('=').expect("label=value");
                            (key.to_string(), value.trim_matches('"').to_string())
                        })
                        .collect();
                    (name, labels)
                }
            };
            Sample {
                name: name.to_string(),
                labels,
                value: value.parse().expect("a number"),
            }
        })
        .collect()
}

/// The sum of the samples of `name` that carry every label of `labels`.
fn total(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .sum()
}

/// Asserts that the samples of `name` carrying every label of `labels` sum to `expected`,
/// showing the whole scrape `text` otherwise.
#[track_caller]
fn assert_total(s: &[Sample], text: &str, name: &str, labels: &[(&str, &str)], expected: f64) {
    assert_eq!(total(s, name, labels), expected, "{text}");
}

/// The commit this checkout is at, as build info names it; "unknown" outside a git checkout.
fn built_from() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|c| c.trim().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

fn has(samples: &[Sample], name: &str) -> bool {
    samples.iter().any(|s| s.name == name)
}

/// Scrapes `/metrics` with `client` at `base`, asserting the answer is the Prometheus text.
async fn scrape_with(client: &Client, base: &str) -> String {
    let response = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    response.text().await.expect("the scrape")
}

async fn scrape(app: &TestApp) -> String {
    scrape_with(&app.client, &app.base).await
}

/// A group with two accounts and the ids the traffic named.
struct Traffic {
    ids: Vec<String>,
}

/// A write and its replay, a write refused 422, a failed sign-in, and a path that names an id
/// but matches no route.
async fn some_traffic(app: &TestApp) -> Traffic {
    let group = app.create_group("Bayanihan").await;
    let cash = app
        .create_account(&group, "assets:cash:HKD", "asset", "HKD", false)
        .await;
    let savings = app
        .create_account(&group, "liabilities:savings:ana", "liability", "HKD", true)
        .await;
    let path = format!("/v1/groups/{group}/transactions");
    let transfer = |amount: &str| {
        json!({"description": "transfer", "entries": [
            {"account": "assets:cash:HKD", "direction": "debit", "amount": amount},
            {"account": "liabilities:savings:ana", "direction": "credit", "amount": amount},
        ]})
    };
    let key = story::key();
    let first = app.post_with_key(&path, &key, &transfer("500")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = app.post_with_key(&path, &key, &transfer("500")).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let wrong = app
        .post_with_key(&path, &story::key(), &transfer("five hundred"))
        .await;
    assert_problem(&wrong, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    let failed = login(&app.anonymous, &app.base, "admin", "not-the-password").await;
    assert_eq!(failed, Err(StatusCode::UNAUTHORIZED));
    let stray = format!("/v1/no-such-thing/{group}");
    let unmatched = app.get(&stray).await;
    assert_eq!(unmatched.status, StatusCode::NOT_FOUND);
    let transaction = first.body["id"].as_str().expect("id").to_string();
    Traffic {
        ids: vec![group, cash, savings, transaction, key],
    }
}

both_backends!(
    a_scrape_counts_a_write_its_replay_a_refusal_and_a_failed_sign_in,
    |app| async move {
        let traffic = some_traffic(&app).await;
        let text = scrape(&app).await;
        let s = samples(&text);
        let requests = |route: &str, method: &str, status: &str| {
            total(
                &s,
                "msai_http_requests_total",
                &[("route", route), ("method", method), ("status", status)],
            )
        };
        // The write and its replay both answered 201; the refusal 422.
        assert_eq!(requests(TRANSACTIONS, "POST", "201"), 2.0, "{text}");
        assert_eq!(requests(TRANSACTIONS, "POST", "422"), 1.0, "{text}");
        assert_eq!(requests(TOKEN, "POST", "401"), 1.0, "{text}");
        assert_eq!(requests("(unmatched)", "GET", "404"), 1.0, "{text}");
        assert_total(
            &s,
            &text,
            "msai_http_request_duration_seconds_count",
            &[("route", TRANSACTIONS), ("method", "POST")],
            3.0,
        );
        assert_total(
            &s,
            &text,
            "msai_idempotent_replays_total",
            &[("route", TRANSACTIONS)],
            1.0,
        );
        assert_total(
            &s,
            &text,
            "msai_problems_total",
            &[("type", "invalid-field"), ("status", "422")],
            1.0,
        );
        assert_total(
            &s,
            &text,
            "msai_problems_total",
            &[("type", "invalid-credentials")],
            1.0,
        );
        assert_total(
            &s,
            &text,
            "msai_sign_in_failures_total",
            &[("route", TOKEN)],
            1.0,
        );
        assert_total(&s, &text, "msai_sign_in_locked_total", &[], 0.0);

        // The writes reached the database in commits, each timed.
        let commits = total(&s, "msai_db_commits_total", &[]);
        assert!(commits >= 1.0, "{text}");
        assert!(total(&s, "msai_db_writes_total", &[]) >= commits, "{text}");
        assert_total(
            &s,
            &text,
            "msai_db_commit_duration_seconds_count",
            &[],
            commits,
        );
        assert_total(&s, &text, "msai_db_writes_per_commit_count", &[], commits);
        // The pools, read at the scrape: the scrape's own request holds no connection.
        let pools: BTreeSet<&str> = s
            .iter()
            .filter(|x| x.name == "msai_db_pool_max_connections")
            .map(|x| x.labels["pool"].as_str())
            .collect();
        let expected: BTreeSet<&str> = match app.backend {
            Backend::Sqlite => ["read", "write"].into(),
            Backend::Postgres => ["main"].into(),
        };
        assert_eq!(pools, expected, "{text}");
        for pool in &expected {
            assert!(
                total(&s, "msai_db_pool_max_connections", &[("pool", pool)]) >= 1.0,
                "{text}"
            );
            assert!(
                total(&s, "msai_db_pool_connections", &[("pool", pool)]) >= 1.0,
                "{pool} has a connection open after the writes:\n{text}"
            );
        }
        assert_total(&s, &text, "msai_db_pool_waiting", &[], 0.0);
        for queue in ["postings", "member_events", "audit_events", "account_reads"] {
            assert!(
                s.iter()
                    .any(|x| x.name == "msai_write_queue_depth" && x.labels["queue"] == queue),
                "{queue}: {text}"
            );
        }
        let backend = match app.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        assert_total(
            &s,
            &text,
            "msai_build_info",
            &[
                ("version", env!("CARGO_PKG_VERSION")),
                ("commit", &built_from()),
                ("backend", backend),
            ],
            1.0,
        );

        // No label names anything the traffic named: no id, no key, no path with either.
        for id in &traffic.ids {
            assert!(!text.contains(id.as_str()), "{id} in the scrape:\n{text}");
        }
        for sample in &s {
            for (label, value) in &sample.labels {
                assert!(
                    value
                        .split(['/', '{', '}', ' '])
                        .all(|part| uuid::Uuid::try_parse(part).is_err()),
                    "{}: {label}={value} holds an id",
                    sample.name
                );
            }
        }
    }
);

both_backends!(only_an_administrator_may_scrape, |app| async move {
    let group = app.create_group("Bayanihan").await;
    let member = story::member(&app, &group, "Ana", "female").await;
    let (_, as_member) = app
        .user_with(
            "ana",
            json!([{"role": "member", "group_id": group, "member_id": member}]),
        )
        .await;
    let (_, as_treasurer) = app
        .user_with("bea", json!([{"role": "treasurer", "group_id": group}]))
        .await;
    let anonymous = app.send(app.anonymous.get(app.url("/metrics"))).await;
    assert_problem(&anonymous, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(!anonymous.text.contains("msai_"), "{}", anonymous.text);
    for client in [&as_member, &as_treasurer] {
        let refused = app.send(client.get(app.url("/metrics"))).await;
        assert_problem(&refused, StatusCode::FORBIDDEN, "forbidden");
        assert!(!refused.text.contains("msai_"), "{}", refused.text);
    }
    // The administrator's bearer token, or her browser session, may.
    assert!(scrape(&app).await.contains("msai_http_requests_total"));
    let session = app
        .send(
            app.anonymous
                .post(app.url("/v1/auth/session"))
                .json(&json!({"username": "admin", "password": ADMIN_PASSWORD})),
        )
        .await;
    assert!(session.status.is_success(), "{}", session.body);
    let set_cookie = session.headers["set-cookie"].to_str().expect("a cookie");
    let cookie = set_cookie.split(';').next().expect("name=value");
    let by_session = app
        .send(
            app.anonymous
                .get(app.url("/metrics"))
                .header("Cookie", cookie),
        )
        .await;
    assert_eq!(by_session.status, StatusCode::OK);
    assert!(by_session.text.contains("msai_build_info"));
});

/// Starts a service that also serves `/metrics` on an address of its own; returns the API's
/// and the metrics' base URLs, and what keeps the service running.
async fn spawn_with_metrics_listener(
    backend: Backend,
) -> Option<(
    String,
    String,
    tokio::sync::oneshot::Sender<()>,
    Option<tempfile::TempDir>,
)> {
    let (url, dir) = support::app::fresh_database_url(backend).await?;
    let store = msai_ledger::store::connect_with(&url, GROUP_COMMIT)
        .await
        .expect("connect and migrate");
    let api = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", api.local_addr().expect("addr"));
    let metrics_base = format!("http://{}", metrics.local_addr().expect("addr"));
    let mut config = msai_ledger::app::AppConfig::default();
    config.auth.bootstrap_admin_password = Some(ADMIN_PASSWORD.to_string());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ =
            msai_ledger::app::serve_with_metrics(api, Some(metrics), store, config, async move {
                let _ = stopped.await;
            })
            .await;
    });
    support::app::wait_ready(&base).await;
    Some((base, metrics_base, stop, dir))
}

/// The status `client` is answered with for a GET of `url`.
async fn status_of(client: &Client, url: String) -> StatusCode {
    let response = client.get(&url).send().await;
    response
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .status()
}

async fn a_separate_address_serves_metrics_without_credentials(backend: Backend) {
    let Some((base, metrics_base, _stop, _dir)) = spawn_with_metrics_listener(backend).await else {
        return;
    };
    let anonymous = Client::new();
    let failed = login(&anonymous, &base, "admin", "not-the-password").await;
    assert_eq!(failed, Err(StatusCode::UNAUTHORIZED));
    let text = scrape_with(&anonymous, &metrics_base).await;
    let s = samples(&text);
    assert_total(
        &s,
        &text,
        "msai_sign_in_failures_total",
        &[("route", TOKEN)],
        1.0,
    );
    // The API's own address still asks for an administrator.
    let on_api = status_of(&anonymous, format!("{base}/metrics")).await;
    assert_eq!(on_api, StatusCode::UNAUTHORIZED);
    // The metrics' address serves nothing else.
    let elsewhere = status_of(&anonymous, format!("{metrics_base}/v1/groups")).await;
    assert_eq!(elsewhere, StatusCode::NOT_FOUND);
    let healthz = status_of(&anonymous, format!("{metrics_base}/healthz")).await;
    assert_eq!(healthz, StatusCode::NOT_FOUND);
}

mod a_separate_address_serves_metrics_without_credentials {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        super::a_separate_address_serves_metrics_without_credentials(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        super::a_separate_address_serves_metrics_without_credentials(Backend::Postgres).await;
    }
}

/// The names of the metrics a PromQL expression asks for (every name here begins `msai_`).
fn metric_names(expr: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = expr;
    while let Some(at) = rest.find("msai_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        names.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    names
}

/// The labels a legend shows (`{{label}}`).
fn legend_labels(legend: &str) -> Vec<String> {
    legend
        .split("{{")
        .skip(1)
        .filter_map(|part| {
            part.split_once("}}")
                .map(|(label, _)| label.trim().to_string())
        })
        .collect()
}

both_backends!(
    every_metric_the_dashboard_uses_is_in_a_scrape,
    |app| async move {
        some_traffic(&app).await;
        // Failed sign-ins for one username from one address until they are locked.
        let mut locked = false;
        for _ in 0..12 {
            if login(&app.anonymous, &app.base, "ghost-user", "not-the-password").await
                == Err(StatusCode::TOO_MANY_REQUESTS)
            {
                locked = true;
                break;
            }
        }
        assert!(locked, "the failed sign-ins never ran into a lock");
        let text = scrape(&app).await;
        let s = samples(&text);
        let dashboard: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/ops/grafana/msai-ledger.json"
        )))
        .expect("the dashboard is JSON");
        let panels = dashboard["panels"].as_array().expect("panels");
        assert!(!panels.is_empty());
        let mut asked = 0;
        for panel in panels {
            let title = panel["title"].as_str().unwrap_or("?");
            let targets = panel["targets"].as_array().expect("targets");
            assert!(!targets.is_empty(), "{title} has no query");
            for target in targets {
                let expr = target["expr"].as_str().expect("expr");
                let names = metric_names(expr);
                assert!(!names.is_empty(), "{title}: {expr} asks for no metric");
                for name in &names {
                    asked += 1;
                    assert!(
                        has(&s, name),
                        "{title}: {name} is not in the scrape:\n{text}"
                    );
                }
                let legend = target["legendFormat"].as_str().unwrap_or("");
                for label in legend_labels(legend) {
                    assert!(
                        s.iter()
                            .any(|x| names.contains(&x.name) && x.labels.contains_key(&label)),
                        "{title}: no metric of {expr} has the label {label}"
                    );
                }
            }
        }
        assert!(asked >= 10, "the dashboard asks for {asked} metrics");
        assert!(total(&s, "msai_sign_in_locked_total", &[("route", TOKEN)]) >= 1.0);
    }
);
