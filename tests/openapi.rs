//! openapi.yaml describes exactly what the server does: the routes it serves, and for every
//! route the statuses, content types, bodies and headers it answers with. Each scenario below
//! drives the real service on both backends and checks every reply against the document, as
//! well as what a client would notice (status, problem type, the fields that matter).

mod support;

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use msai_ledger::domain::error::{Conflict, Rule};
use msai_ledger::http::route_table;
use reqwest::Method;
use serde_json::{Value, json};
use support::app::{Backend, Reply, TestApp, spawn};
use support::openapi::{
    OPENAPI_YAML, assert_reply_matches, assert_request_matches, assert_response_matches,
    assert_schema_matches, compile_every_schema, operation, references, request_allowed, resolve,
    spec, spec_routes,
};

const GROUPS: &str = "/v1/groups";
const GROUP: &str = "/v1/groups/{group_id}";
const ACCOUNTS: &str = "/v1/groups/{group_id}/accounts";
const ACCOUNT: &str = "/v1/groups/{group_id}/accounts/{account}";
const STATEMENT: &str = "/v1/groups/{group_id}/accounts/{account}/statement";
const TRANSACTIONS: &str = "/v1/groups/{group_id}/transactions";
const TRANSACTION: &str = "/v1/groups/{group_id}/transactions/{transaction_id}";
const REVERSAL: &str = "/v1/groups/{group_id}/transactions/{transaction_id}/reversal";
const TRIAL_BALANCE: &str = "/v1/groups/{group_id}/trial-balance";
const PERIOD_CLOSES: &str = "/v1/groups/{group_id}/period-closes";
const VERIFY: &str = "/v1/groups/{group_id}/ledger/verify";

const ZERO_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// A well-formed id that names nothing.
const NO_SUCH_ID: &str = "0190a7c2-8f1e-7000-8000-000000000000";

// ---------------------------------------------------------------------------------------------
// Helpers: every request goes through one of these, and every reply is held to the document.

/// Sends `request`, checks the reply against the operation `method template`, and returns it.
async fn send(
    app: &TestApp,
    method: &str,
    template: &str,
    request: reqwest::RequestBuilder,
) -> Reply {
    let reply = app.send(request).await;
    assert_reply_matches(method, template, &reply);
    reply
}

async fn get(app: &TestApp, template: &str, path: &str) -> Reply {
    send(app, "GET", template, app.client.get(app.url(path))).await
}

/// POSTs `body` as JSON, with an `Idempotency-Key` when `key` is given.
async fn post(app: &TestApp, template: &str, path: &str, key: Option<&str>, body: &Value) -> Reply {
    let mut request = app.client.post(app.url(path)).json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    send(app, "POST", template, request).await
}

/// POSTs raw bytes with the given content type (none when `None`).
async fn post_raw(
    app: &TestApp,
    template: &str,
    path: &str,
    key: Option<&str>,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Reply {
    let mut request = app.client.post(app.url(path)).body(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    if let Some(content_type) = content_type {
        request = request.header("Content-Type", content_type);
    }
    send(app, "POST", template, request).await
}

/// POSTs a reversal with an empty body: `Content-Length: 0` and no content type.
async fn post_empty(app: &TestApp, path: &str, key: Option<&str>) -> Reply {
    let mut request = app
        .client
        .post(app.url(path))
        .header("Content-Length", "0")
        .body("");
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    send(app, "POST", REVERSAL, request).await
}

/// Asserts a problem+json answer of `status` and type `/problems/<slug>`.
fn assert_problem(reply: &Reply, status: u16, slug: &str) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.body);
    assert!(
        reply.content_type().starts_with("application/problem+json"),
        "content type {:?}: {}",
        reply.content_type(),
        reply.body
    );
    assert_eq!(
        reply.problem_type(),
        format!("/problems/{slug}"),
        "{}",
        reply.body
    );
    assert_eq!(reply.body["status"], json!(status), "{}", reply.body);
}

/// Asserts a 422 `/problems/<slug>` whose first error points at `pointer`.
fn assert_field_problem(reply: &Reply, slug: &str, pointer: &str) {
    assert_problem(reply, 422, slug);
    assert_eq!(reply.pointer(), pointer, "{}", reply.body);
}

/// Asserts a 422 `/problems/invalid-parameter` naming `parameter`.
fn assert_parameter_problem(reply: &Reply, parameter: &str) {
    assert_problem(reply, 422, "invalid-parameter");
    assert_eq!(
        reply.body["errors"][0]["parameter"],
        json!(parameter),
        "{}",
        reply.body
    );
}

fn replayed(reply: &Reply) -> bool {
    reply
        .headers
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true")
}

fn today() -> String {
    Utc::now().date_naive().to_string()
}

fn days_from_today(days: i64) -> String {
    (Utc::now().date_naive() + Duration::days(days)).to_string()
}

fn entry(account: &str, direction: &str, amount: &str) -> Value {
    json!({"account": account, "direction": direction, "amount": amount})
}

/// A two-entry transaction moving `amount` from `credit` to `debit`.
fn transfer_body(debit: &str, credit: &str, amount: &str) -> Value {
    json!({"description": "transfer", "entries": [
        entry(debit, "debit", amount),
        entry(credit, "credit", amount),
    ]})
}

/// A JSON body just over the default 64 KiB limit.
fn oversized_body() -> String {
    json!({"description": "x".repeat(66 * 1024)}).to_string()
}

/// `body` with `field` set to `value`, or removed when `value` is None.
fn with(body: &Value, field: &str, value: Option<Value>) -> Value {
    let mut changed = body.clone();
    let object = changed.as_object_mut().expect("an object");
    match value {
        Some(value) => object.insert(field.to_string(), value),
        None => object.remove(field),
    };
    changed
}

/// The items of a list reply.
fn items(reply: &Reply) -> &Vec<Value> {
    reply.body["items"].as_array().expect("items")
}

// ---------------------------------------------------------------------------------------------
// The document itself.

#[test]
fn the_document_describes_exactly_the_routes_the_server_serves() {
    let table = route_table();
    let served: BTreeSet<(String, String)> = table
        .iter()
        .map(|(method, path)| (method.as_str().to_string(), path.to_string()))
        .collect();
    assert_eq!(
        served.len(),
        table.len(),
        "route_table() lists a route twice"
    );
    let documented = spec_routes();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let not_served: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty() && not_served.is_empty(),
        "openapi.yaml and the router disagree.\n\
         served but not documented: {undocumented:#?}\n\
         documented but not served: {not_served:#?}"
    );
}

#[test]
fn every_reference_resolves_and_every_schema_compiles() {
    for (at, target) in references() {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{at}: {target} is not a local reference"));
        assert!(
            spec().pointer(pointer).is_some(),
            "{at}: {target} points at nothing"
        );
    }
    compile_every_schema();
    assert_eq!(spec()["openapi"], json!("3.1.0"));
    assert_eq!(spec()["servers"][0]["url"], json!("http://127.0.0.1:8080"));
}

#[test]
fn every_path_parameter_is_declared_and_every_operation_is_named() {
    let mut operation_ids = BTreeSet::new();
    for (method, path) in spec_routes() {
        let op = operation(&method, &path);
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
        assert!(
            operation_ids.insert(id.to_string()),
            "operationId {id} is used twice"
        );
        assert!(
            op["responses"].as_object().is_some_and(|r| !r.is_empty()),
            "{method} {path}: no responses"
        );
        let declared: BTreeSet<String> = spec()["paths"][&path]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(op["parameters"].as_array().into_iter().flatten())
            .map(resolve)
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().expect("parameter name").to_string())
            .collect();
        let in_template: BTreeSet<String> = path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_string)
            .collect();
        assert_eq!(declared, in_template, "{method} {path}: path parameters");
    }
}

#[test]
fn the_request_examples_are_valid_requests() {
    for (method, path) in spec_routes() {
        let op = operation(&method, &path);
        if let Some(body) = op.get("requestBody") {
            let example = &resolve(body)["content"]["application/json"]["example"];
            assert!(
                !example.is_null(),
                "{method} {path}: the request body has no example"
            );
            assert_request_matches(&method, &path, example);
        }
    }
}

/// Every problem slug the server can send, found by exhaustive matches so that a new rule or
/// conflict fails to compile here until it is listed (and documented).
fn problem_slugs() -> Vec<&'static str> {
    let rules = [
        Rule::EntryCount,
        Rule::NonPositiveAmount,
        Rule::UnknownAccount,
        Rule::CurrencyMismatch,
        Rule::Unbalanced,
        Rule::Overdraft,
        Rule::ClosedPeriod,
        Rule::Overflow,
    ];
    for rule in rules {
        match rule {
            Rule::EntryCount
            | Rule::NonPositiveAmount
            | Rule::UnknownAccount
            | Rule::CurrencyMismatch
            | Rule::Unbalanced
            | Rule::Overdraft
            | Rule::ClosedPeriod
            | Rule::Overflow => {}
        }
    }
    let conflicts = [
        Conflict::AlreadyReversed,
        Conflict::IsReversal,
        Conflict::DuplicateAccountCode,
        Conflict::PeriodAlreadyClosed,
        Conflict::RequestInFlight,
        Conflict::DuplicateUsername,
    ];
    for conflict in conflicts {
        match conflict {
            Conflict::AlreadyReversed
            | Conflict::IsReversal
            | Conflict::DuplicateAccountCode
            | Conflict::PeriodAlreadyClosed
            | Conflict::RequestInFlight
            | Conflict::DuplicateUsername => {}
        }
    }
    let mut slugs: Vec<&'static str> = rules.iter().map(|r| r.slug()).collect();
    slugs.extend(conflicts.iter().map(|c| c.slug()));
    // Slugs made in the HTTP layer (src/http/*.rs) and for store failures.
    slugs.extend([
        "not-found",
        "method-not-allowed",
        "malformed-json",
        "invalid-idempotency-key",
        "idempotency-key-required",
        "unsupported-media-type",
        "body-too-large",
        "invalid-field",
        "invalid-parameter",
        "idempotency-key-reused",
        "unavailable",
        "request-timeout",
        "internal",
    ]);
    slugs
}

#[test]
fn every_problem_type_is_documented_and_every_documented_type_exists() {
    let slugs = problem_slugs();
    let introduction = spec()["info"]["description"]
        .as_str()
        .expect("info.description");
    for slug in &slugs {
        assert!(
            introduction.contains(&format!("| `/problems/{slug}` |")),
            "the table of problem types in openapi.yaml lacks /problems/{slug}"
        );
    }
    // Every type a response schema allows must be one the server can send.
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) if s.starts_with("/problems/") => out.push(s.clone()),
            Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut documented = Vec::new();
    walk(&spec()["paths"], &mut documented);
    walk(&spec()["components"]["responses"], &mut documented);
    for text in documented {
        let slug = text.trim_start_matches("/problems/");
        assert!(
            slugs.contains(&slug),
            "openapi.yaml allows {text}, which the server never sends"
        );
    }
}

#[tokio::test]
async fn the_document_is_served_byte_for_byte_as_yaml() {
    let app = spawn(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let response = app
        .client
        .get(app.url("/openapi.yaml"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("text")
        .to_string();
    assert_eq!(content_type, "application/yaml");
    assert!(response.headers().contains_key("x-request-id"));
    let bytes = response.bytes().await.expect("body");
    assert!(
        bytes.as_ref() == OPENAPI_YAML.as_bytes(),
        "GET /openapi.yaml differs from openapi.yaml"
    );
    assert_response_matches(
        "GET",
        "/openapi.yaml",
        200,
        &content_type,
        &json!(OPENAPI_YAML),
    );
}

// ---------------------------------------------------------------------------------------------
// Service routes and requests that match no route.

both_backends!(
    health_and_readiness_answer_as_documented,
    |app| async move {
        let health = get(&app, "/healthz", "/healthz").await;
        assert_eq!(health.status.as_u16(), 200);
        assert_eq!(health.body, json!({"status": "ok"}));

        let ready = get(&app, "/readyz", "/readyz").await;
        assert_eq!(ready.status.as_u16(), 200);
        let backend = match app.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        assert_eq!(ready.body, json!({"status": "ready", "backend": backend}));

        // A request id sent by the client comes back; without one the server makes one.
        let echoed = send(
            &app,
            "GET",
            "/healthz",
            app.client
                .get(app.url("/healthz"))
                .header("X-Request-Id", "meeting-42"),
        )
        .await;
        assert_eq!(echoed.headers["x-request-id"], "meeting-42");
        assert!(!health.headers["x-request-id"].is_empty());
    }
);

both_backends!(
    requests_that_match_no_route_get_problems,
    |app| async move {
        let unknown = app.get("/v1/savings").await;
        assert_problem(&unknown, 404, "not-found");
        assert_schema_matches("Problem", &unknown.body);

        let wrong_method = app
            .send(
                app.client
                    .delete(app.url(&format!("/v1/groups/{NO_SUCH_ID}"))),
            )
            .await;
        assert_problem(&wrong_method, 405, "method-not-allowed");
        assert_schema_matches("Problem", &wrong_method.body);
        let allow = wrong_method.headers["allow"]
            .to_str()
            .expect("text")
            .to_string();
        assert!(allow.contains("GET"), "Allow: {allow}");

        // A method the router does not know on a documented path is 405 as well.
        let put = app
            .send(app.client.put(app.url("/healthz")).json(&json!({})))
            .await;
        assert_problem(&put, 405, "method-not-allowed");
        assert_schema_matches("Problem", &put.body);

        // HEAD is answered wherever GET is.
        let head = app
            .send(app.client.request(Method::HEAD, app.url("/healthz")))
            .await;
        assert_eq!(head.status.as_u16(), 200);
    }
);

both_backends!(
    an_unreachable_database_is_answered_503_as_documented,
    |app| async move {
        let group = app.create_group("Bayanihan").await;
        app.store.close().await;

        let ready = get(&app, "/readyz", "/readyz").await;
        assert_problem(&ready, 503, "unavailable");
        assert_eq!(ready.headers["retry-after"], "2");

        let list = get(&app, GROUPS, "/v1/groups").await;
        assert_problem(&list, 503, "unavailable");

        let body = transfer_body("assets:cash", "liabilities:savings:ana", "5");
        let posted = post(
            &app,
            TRANSACTIONS,
            &format!("/v1/groups/{group}/transactions"),
            Some("after-close"),
            &body,
        )
        .await;
        assert_problem(&posted, 503, "unavailable");
    }
);

// ---------------------------------------------------------------------------------------------
// Groups.

both_backends!(groups_answer_as_documented, |app| async move {
    let body = json!({"name": "Bayanihan Savers", "currency": "HKD", "host_country": "HK", "home_country": "PH"});
    assert_request_matches("POST", GROUPS, &body);
    let created = post(&app, GROUPS, "/v1/groups", Some("group-1"), &body).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.body);
    assert!(!replayed(&created));
    assert_eq!(created.body["name"], "Bayanihan Savers");
    assert_eq!(created.body["currency"], "HKD");
    assert_eq!(created.body["head_sequence"], 0);
    assert_eq!(created.body["head_hash"], ZERO_HASH);
    assert_eq!(created.body["closed_through"], Value::Null);
    let id = created.body["id"].as_str().expect("id").to_string();

    // The same key and body (in another key order): the first response again, nothing new.
    let reordered = json!({"home_country": "PH", "host_country": "HK", "currency": "HKD", "name": "Bayanihan Savers"});
    let again = post(&app, GROUPS, "/v1/groups", Some("group-1"), &reordered).await;
    assert_eq!(again.status.as_u16(), 201);
    assert!(replayed(&again));
    assert_eq!(again.body, created.body);
    let other = json!({"name": "Another group", "currency": "HKD", "host_country": "HK", "home_country": "PH"});
    let reused = post(&app, GROUPS, "/v1/groups", Some("group-1"), &other).await;
    assert_problem(&reused, 422, "idempotency-key-reused");

    let read = get(&app, GROUP, &format!("/v1/groups/{id}")).await;
    assert_eq!(read.status.as_u16(), 200);
    assert_eq!(read.body, created.body);
    assert_problem(
        &get(&app, GROUP, &format!("/v1/groups/{NO_SUCH_ID}")).await,
        404,
        "not-found",
    );
    assert_problem(
        &get(&app, GROUP, "/v1/groups/not-a-uuid").await,
        404,
        "not-found",
    );

    // Pages of groups, in creation order.
    let second = post(&app, GROUPS, "/v1/groups", None, &other).await;
    let third = post(&app, GROUPS, "/v1/groups", None, &other).await;
    assert_eq!((second.status.as_u16(), third.status.as_u16()), (201, 201));
    assert_ne!(
        second.body["id"], third.body["id"],
        "without a key, each POST is a new group"
    );
    let first_page = get(&app, GROUPS, "/v1/groups?limit=2").await;
    assert_eq!(first_page.status.as_u16(), 200);
    assert_eq!(items(&first_page).len(), 2);
    let cursor = first_page.body["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_string();
    let last_page = get(&app, GROUPS, &format!("/v1/groups?limit=2&cursor={cursor}")).await;
    assert_eq!(items(&last_page).len(), 1);
    assert_eq!(last_page.body["next_cursor"], Value::Null);
    let ids: Vec<&Value> = items(&first_page)
        .iter()
        .chain(items(&last_page))
        .map(|g| &g["id"])
        .collect();
    assert_eq!(
        ids,
        [&created.body["id"], &second.body["id"], &third.body["id"]]
    );
    let whole = get(&app, GROUPS, "/v1/groups").await;
    assert_eq!(items(&whole).len(), 3);

    for (query, parameter) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("limit=1&limit=2", "limit"),
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("colour=red", "colour"),
    ] {
        let reply = get(&app, GROUPS, &format!("/v1/groups?{query}")).await;
        assert_parameter_problem(&reply, parameter);
    }

    // Bodies the server refuses, and whether the document refuses them too.
    let cases = [
        (
            with(&body, "currency", Some(json!("hkd"))),
            "/currency",
            false,
        ),
        (
            with(&body, "currency", Some(json!("XAU"))),
            "/currency",
            true,
        ),
        (
            with(&body, "host_country", Some(json!("XX"))),
            "/host_country",
            true,
        ),
        (with(&body, "home_country", None), "/home_country", false),
        (with(&body, "region", Some(json!("Asia"))), "/region", false),
        (with(&body, "name", Some(json!(""))), "/name", false),
        (with(&body, "name", Some(json!(7))), "/name", false),
    ];
    for (bad, pointer, schema_allows) in cases {
        let reply = post(&app, GROUPS, "/v1/groups", None, &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
        assert_eq!(
            request_allowed("POST", GROUPS, &bad),
            schema_allows,
            "{bad}"
        );
    }
    let not_object = post(&app, GROUPS, "/v1/groups", None, &json!(["a", "list"])).await;
    assert_field_problem(&not_object, "invalid-field", "/");

    let malformed = post_raw(
        &app,
        GROUPS,
        "/v1/groups",
        None,
        Some("application/json"),
        "{\"name\": ",
    )
    .await;
    assert_problem(&malformed, 400, "malformed-json");
    let as_text = post_raw(
        &app,
        GROUPS,
        "/v1/groups",
        None,
        Some("text/plain"),
        body.to_string(),
    )
    .await;
    assert_problem(&as_text, 415, "unsupported-media-type");
    let too_large = post_raw(
        &app,
        GROUPS,
        "/v1/groups",
        None,
        Some("application/json"),
        oversized_body(),
    )
    .await;
    assert_problem(&too_large, 413, "body-too-large");
    let long_key = "k".repeat(256);
    let bad_key = post(&app, GROUPS, "/v1/groups", Some(&long_key), &body).await;
    assert_problem(&bad_key, 400, "invalid-idempotency-key");

    // None of the refused requests created a group.
    assert_eq!(items(&get(&app, GROUPS, "/v1/groups").await).len(), 3);
});

// ---------------------------------------------------------------------------------------------
// Accounts.

both_backends!(accounts_answer_as_documented, |app| async move {
    let group = app.create_group("Bayanihan").await;
    let accounts = format!("/v1/groups/{group}/accounts");

    let cash =
        json!({"code": "assets:cash:HKD", "name": "Cash box", "type": "asset", "currency": "HKD"});
    assert_request_matches("POST", ACCOUNTS, &cash);
    let opened = post(&app, ACCOUNTS, &accounts, None, &cash).await;
    assert_eq!(opened.status.as_u16(), 201, "{}", opened.body);
    assert_eq!(
        opened.body["no_overdraft"], false,
        "no_overdraft defaults to false"
    );
    assert_eq!(opened.body["balance"], "0.00");
    assert_eq!(opened.body["debits"], "0.00");
    assert_eq!(opened.body["group_id"], json!(group));

    let yen =
        json!({"code": "assets:cash:JPY", "name": "Yen box", "type": "asset", "currency": "JPY"});
    let yen = post(&app, ACCOUNTS, &accounts, None, &yen).await;
    assert_eq!(yen.body["balance"], "0", "JPY has no decimals");

    let savings = json!({"code": "liabilities:savings:ana", "name": "Ana (savings)", "type": "liability", "currency": "HKD", "no_overdraft": true});
    assert_request_matches("POST", ACCOUNTS, &savings);
    let ana = post(&app, ACCOUNTS, &accounts, Some("open-ana"), &savings).await;
    assert_eq!(ana.status.as_u16(), 201);
    assert_eq!(ana.body["no_overdraft"], true);
    let ana_again = post(&app, ACCOUNTS, &accounts, Some("open-ana"), &savings).await;
    assert_eq!(ana_again.status.as_u16(), 201);
    assert!(replayed(&ana_again));
    assert_eq!(ana_again.body["id"], ana.body["id"]);

    // A second account with the same code is a conflict, remembered with its key.
    let duplicate = post(&app, ACCOUNTS, &accounts, Some("dup"), &cash).await;
    assert_problem(&duplicate, 409, "duplicate-account-code");
    assert!(!replayed(&duplicate));
    let duplicate_again = post(&app, ACCOUNTS, &accounts, Some("dup"), &cash).await;
    assert_problem(&duplicate_again, 409, "duplicate-account-code");
    assert!(replayed(&duplicate_again));

    let bank = json!({"code": "assets:bank", "name": "Bank", "type": "asset", "currency": "HKD"});
    let cases = [
        (with(&bank, "code", Some(json!("bank"))), "/code", false),
        (
            with(&bank, "code", Some(json!("assets:bank one"))),
            "/code",
            false,
        ),
        (with(&bank, "type", Some(json!("savings"))), "/type", false),
        (
            with(&bank, "currency", Some(json!("ZZZ"))),
            "/currency",
            true,
        ),
        (with(&bank, "currency", None), "/currency", false),
        (
            with(&bank, "no_overdraft", Some(json!("yes"))),
            "/no_overdraft",
            false,
        ),
        (with(&bank, "owner", Some(json!("Ana"))), "/owner", false),
    ];
    assert_request_matches("POST", ACCOUNTS, &bank);
    for (bad, pointer, schema_allows) in cases {
        let reply = post(&app, ACCOUNTS, &accounts, None, &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
        assert_eq!(
            request_allowed("POST", ACCOUNTS, &bad),
            schema_allows,
            "{bad}"
        );
    }
    let malformed = post_raw(
        &app,
        ACCOUNTS,
        &accounts,
        None,
        Some("application/json"),
        "{",
    )
    .await;
    assert_problem(&malformed, 400, "malformed-json");
    let as_form = post_raw(
        &app,
        ACCOUNTS,
        &accounts,
        None,
        Some("application/x-www-form-urlencoded"),
        "code=a:b",
    )
    .await;
    assert_problem(&as_form, 415, "unsupported-media-type");
    let too_large = post_raw(
        &app,
        ACCOUNTS,
        &accounts,
        None,
        Some("application/json"),
        oversized_body(),
    )
    .await;
    assert_problem(&too_large, 413, "body-too-large");
    let elsewhere = format!("/v1/groups/{NO_SUCH_ID}/accounts");
    assert_problem(
        &post(&app, ACCOUNTS, &elsewhere, None, &cash).await,
        404,
        "not-found",
    );

    // The chart comes whole, ordered by code.
    let list = get(&app, ACCOUNTS, &accounts).await;
    assert_eq!(list.status.as_u16(), 200);
    let codes: Vec<&str> = items(&list)
        .iter()
        .map(|a| a["code"].as_str().expect("code"))
        .collect();
    assert_eq!(
        codes,
        [
            "assets:cash:HKD",
            "assets:cash:JPY",
            "liabilities:savings:ana"
        ]
    );
    assert_eq!(list.body["next_cursor"], Value::Null);
    // This list takes no query parameters, and refuses those sent (see its description).
    let refused = get(&app, ACCOUNTS, &format!("{accounts}?limit=1")).await;
    assert_parameter_problem(&refused, "limit");
    assert_problem(&get(&app, ACCOUNTS, &elsewhere).await, 404, "not-found");

    let ana_id = ana.body["id"].as_str().expect("id");
    let by_id = get(&app, ACCOUNT, &format!("{accounts}/{ana_id}")).await;
    let by_code = get(
        &app,
        ACCOUNT,
        &format!("{accounts}/liabilities:savings:ana"),
    )
    .await;
    assert_eq!(by_id.status.as_u16(), 200);
    assert_eq!(by_id.body["code"], "liabilities:savings:ana");
    assert_eq!(by_code.body["id"], by_id.body["id"]);
    assert_problem(
        &get(&app, ACCOUNT, &format!("{accounts}/assets:nothing")).await,
        404,
        "not-found",
    );
    assert_problem(
        &get(&app, ACCOUNT, &format!("{accounts}/{NO_SUCH_ID}")).await,
        404,
        "not-found",
    );
    assert_problem(
        &get(&app, ACCOUNT, &format!("{elsewhere}/assets:cash:HKD")).await,
        404,
        "not-found",
    );
});

// ---------------------------------------------------------------------------------------------
// Transactions.

/// A group with a cash box (which may go below zero), Ana's savings (which may not) and a fees
/// account, all in HKD.
async fn contribution_group(app: &TestApp) -> String {
    let group = app.create_group("Bayanihan").await;
    app.create_account(&group, "assets:cash:HKD", "asset", "HKD", false)
        .await;
    app.create_account(&group, "liabilities:savings:ana", "liability", "HKD", true)
        .await;
    app.create_account(&group, "expenses:fees", "expense", "HKD", false)
        .await;
    group
}

both_backends!(
    posting_transactions_answers_as_documented,
    |app| async move {
        let group = contribution_group(&app).await;
        let transactions = format!("/v1/groups/{group}/transactions");
        let post_tx = |key: Option<&'static str>, body: Value| {
            let (app, path) = (&app, transactions.clone());
            async move { post(app, TRANSACTIONS, &path, key, &body).await }
        };

        let contribution = json!({
            "description": "Ana saves at the meeting",
            "entries": [
                entry("assets:cash:HKD", "debit", "500"),
                entry("liabilities:savings:ana", "credit", "500"),
            ],
            "metadata": {"receipt": "R-0001", "members_present": 12},
        });
        assert_request_matches("POST", TRANSACTIONS, &contribution);
        let posted = post_tx(Some("contribution-1"), contribution.clone()).await;
        assert_eq!(posted.status.as_u16(), 201, "{}", posted.body);
        assert!(!replayed(&posted));
        assert_eq!(posted.body["sequence"], 1);
        assert_eq!(
            posted.body["booked_on"],
            json!(today()),
            "booked today when no date is given"
        );
        assert_eq!(posted.body["previous_hash"], ZERO_HASH);
        assert_eq!(posted.body["entries"][0]["amount"], "500.00");
        assert_eq!(posted.body["entries"][1]["direction"], "credit");
        assert_eq!(posted.body["metadata"], contribution["metadata"]);
        assert_eq!(
            (&posted.body["reverses"], &posted.body["reversed_by"]),
            (&Value::Null, &Value::Null)
        );

        // A retry gets the first response; nothing is posted twice.
        let retry = post_tx(Some("contribution-1"), contribution.clone()).await;
        assert_eq!(retry.status.as_u16(), 201);
        assert!(replayed(&retry));
        assert_eq!(retry.body, posted.body);
        let changed = transfer_body("assets:cash:HKD", "liabilities:savings:ana", "600");
        assert_problem(
            &post_tx(Some("contribution-1"), changed).await,
            422,
            "idempotency-key-reused",
        );
        assert_eq!(
            app.balance(&group, "liabilities:savings:ana").await,
            "500.00"
        );

        // Money-moving requests need a key.
        let keyless = post_tx(None, contribution.clone()).await;
        assert_problem(&keyless, 400, "idempotency-key-required");

        // Ledger rules: 422 with the entry at fault, remembered with the key.
        let unbalanced = json!({"entries": [
            entry("assets:cash:HKD", "debit", "100"),
            entry("liabilities:savings:ana", "credit", "90"),
        ]});
        let rejected = post_tx(Some("unbalanced"), unbalanced.clone()).await;
        assert_field_problem(&rejected, "unbalanced", "/entries");
        let rejected_again = post_tx(Some("unbalanced"), unbalanced).await;
        assert_field_problem(&rejected_again, "unbalanced", "/entries");
        assert!(replayed(&rejected_again));
        assert_eq!(rejected_again.body, rejected.body);

        let overdraft = transfer_body("liabilities:savings:ana", "assets:cash:HKD", "500.01");
        assert_field_problem(
            &post_tx(Some("overdraft"), overdraft).await,
            "overdraft",
            "/entries/0/account",
        );
        let unknown = transfer_body("assets:cash:HKD", "liabilities:savings:ben", "5");
        assert_field_problem(
            &post_tx(Some("unknown"), unknown).await,
            "unknown-account",
            "/entries/1/account",
        );
        let zero = transfer_body("assets:cash:HKD", "liabilities:savings:ana", "0");
        assert_field_problem(
            &post_tx(Some("zero"), zero).await,
            "non-positive-amount",
            "/entries/0/amount",
        );
        let fils = transfer_body("assets:cash:HKD", "liabilities:savings:ana", "1.005");
        assert_field_problem(
            &post_tx(Some("fils"), fils).await,
            "currency-mismatch",
            "/entries/0/amount",
        );

        // Fields the server refuses, and whether the document refuses them too.
        let one_entry = json!({"entries": [entry("assets:cash:HKD", "debit", "5")]});
        let signed = transfer_body("assets:cash:HKD", "liabilities:savings:ana", "+5");
        let number = json!({"entries": [
            {"account": "assets:cash:HKD", "direction": "debit", "amount": 5},
            entry("liabilities:savings:ana", "credit", "5"),
        ]});
        let sideways = json!({"entries": [
            entry("assets:cash:HKD", "up", "5"),
            entry("liabilities:savings:ana", "credit", "5"),
        ]});
        let mut future = transfer_body("assets:cash:HKD", "liabilities:savings:ana", "5");
        future["booked_on"] = json!("2999-01-01");
        let mut fraction = transfer_body("assets:cash:HKD", "liabilities:savings:ana", "5");
        fraction["metadata"] = json!({"rate": 7.85});
        let mut listed = transfer_body("assets:cash:HKD", "liabilities:savings:ana", "5");
        listed["metadata"] = json!(["R-1"]);
        let mut extra = transfer_body("assets:cash:HKD", "liabilities:savings:ana", "5");
        extra["currency"] = json!("HKD");
        let cases = [
            (one_entry, "entry-count", "/entries", false),
            (signed, "invalid-field", "/entries/0/amount", false),
            (number, "invalid-field", "/entries/0/amount", false),
            (sideways, "invalid-field", "/entries/0/direction", false),
            (future, "invalid-field", "/booked_on", true),
            (fraction, "invalid-field", "/metadata/rate", false),
            (listed, "invalid-field", "/metadata", false),
            (extra, "invalid-field", "/currency", false),
        ];
        for (i, (bad, slug, pointer, schema_allows)) in cases.into_iter().enumerate() {
            let key = format!("invalid-{i}");
            let reply = post(&app, TRANSACTIONS, &transactions, Some(&key), &bad).await;
            assert_field_problem(&reply, slug, pointer);
            assert_eq!(
                request_allowed("POST", TRANSACTIONS, &bad),
                schema_allows,
                "{bad}"
            );
        }
        let malformed = post_raw(
            &app,
            TRANSACTIONS,
            &transactions,
            Some("m"),
            Some("application/json"),
            "{\"entries\": [",
        )
        .await;
        assert_problem(&malformed, 400, "malformed-json");
        let as_text = post_raw(
            &app,
            TRANSACTIONS,
            &transactions,
            Some("t"),
            Some("text/plain"),
            contribution.to_string(),
        )
        .await;
        assert_problem(&as_text, 415, "unsupported-media-type");
        let too_large = post_raw(
            &app,
            TRANSACTIONS,
            &transactions,
            Some("l"),
            Some("application/json"),
            oversized_body(),
        )
        .await;
        assert_problem(&too_large, 413, "body-too-large");
        let elsewhere = format!("/v1/groups/{NO_SUCH_ID}/transactions");
        let no_group = post(&app, TRANSACTIONS, &elsewhere, Some("g"), &contribution).await;
        assert_problem(&no_group, 404, "not-found");

        // Nothing refused was posted; the cash box may go below zero, Ana's savings may not.
        assert_eq!(
            app.balance(&group, "liabilities:savings:ana").await,
            "500.00"
        );
        let fee = transfer_body("expenses:fees", "assets:cash:HKD", "1000");
        let paid = post_tx(Some("fee"), fee).await;
        assert_eq!(paid.status.as_u16(), 201, "{}", paid.body);
        assert_eq!(paid.body["sequence"], 2);
        assert_eq!(paid.body["previous_hash"], posted.body["hash"]);
        let cash = get(
            &app,
            ACCOUNT,
            &format!("/v1/groups/{group}/accounts/assets:cash:HKD"),
        )
        .await;
        assert_eq!(cash.body["balance"], "-500.00");
    }
);

both_backends!(
    simultaneous_retries_post_once_and_answer_as_documented,
    |app| async move {
        let group = contribution_group(&app).await;
        let url = app.url(&format!("/v1/groups/{group}/transactions"));
        let body = transfer_body("assets:cash:HKD", "liabilities:savings:ana", "50");
        // A phone on a weak connection sends the same request several times at once.
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let request = app
                    .client
                    .post(&url)
                    .header("Idempotency-Key", "meeting-ana")
                    .json(&body);
                tokio::spawn(async move { Reply::from(request.send().await.expect("send")).await })
            })
            .collect();
        let mut first = Vec::new();
        for task in tasks {
            let reply = task.await.expect("task");
            assert_reply_matches("POST", TRANSACTIONS, &reply);
            match reply.status.as_u16() {
                201 if !replayed(&reply) => first.push(reply.body["id"].clone()),
                201 => {}
                409 => assert_problem(&reply, 409, "request-in-flight"),
                other => panic!("unexpected {other}: {}", reply.body),
            }
        }
        assert_eq!(first.len(), 1, "exactly one request posts");
        assert_eq!(
            app.balance(&group, "liabilities:savings:ana").await,
            "50.00"
        );
    }
);

both_backends!(
    reading_the_journal_answers_as_documented,
    |app| async move {
        let group = contribution_group(&app).await;
        let mut ids = Vec::new();
        for amount in ["100", "200", "300"] {
            let reply = app
                .transfer(&group, "assets:cash:HKD", "liabilities:savings:ana", amount)
                .await;
            ids.push(reply.body["id"].as_str().expect("id").to_string());
        }
        let fee = app
            .transfer(&group, "expenses:fees", "assets:cash:HKD", "10")
            .await;
        assert_eq!(fee.status.as_u16(), 201);
        let transactions = format!("/v1/groups/{group}/transactions");

        let one = get(&app, TRANSACTION, &format!("{transactions}/{}", ids[1])).await;
        assert_eq!(one.status.as_u16(), 200);
        assert_eq!(one.body["sequence"], 2);
        assert_eq!(one.body["entries"][0]["amount"], "200.00");
        assert_problem(
            &get(&app, TRANSACTION, &format!("{transactions}/{NO_SUCH_ID}")).await,
            404,
            "not-found",
        );
        assert_problem(
            &get(&app, TRANSACTION, &format!("{transactions}/42")).await,
            404,
            "not-found",
        );

        // Oldest first, a page at a time.
        let first = get(&app, TRANSACTIONS, &format!("{transactions}?limit=3")).await;
        assert_eq!(first.status.as_u16(), 200);
        let sequences: Vec<&Value> = items(&first).iter().map(|t| &t["sequence"]).collect();
        assert_eq!(sequences, [1, 2, 3]);
        let cursor = first.body["next_cursor"].as_str().expect("a next page");
        let rest = get(
            &app,
            TRANSACTIONS,
            &format!("{transactions}?limit=3&cursor={cursor}"),
        )
        .await;
        assert_eq!(items(&rest).len(), 1);
        assert_eq!(rest.body["next_cursor"], Value::Null);

        let ana = get(
            &app,
            TRANSACTIONS,
            &format!("{transactions}?account=liabilities:savings:ana"),
        )
        .await;
        assert_eq!(items(&ana).len(), 3, "the fee does not touch Ana's savings");
        let none = get(
            &app,
            TRANSACTIONS,
            &format!("{transactions}?from={}", days_from_today(1)),
        )
        .await;
        assert!(items(&none).is_empty());
        let all = get(
            &app,
            TRANSACTIONS,
            &format!("{transactions}?from={}&to={}", today(), today()),
        )
        .await;
        assert_eq!(items(&all).len(), 4);

        let unknown_account = get(
            &app,
            TRANSACTIONS,
            &format!("{transactions}?account=assets:nothing"),
        )
        .await;
        assert_parameter_problem(&unknown_account, "account");
        assert_problem(
            &get(
                &app,
                TRANSACTIONS,
                &format!("/v1/groups/{NO_SUCH_ID}/transactions"),
            )
            .await,
            404,
            "not-found",
        );
        for (query, parameter) in [
            ("from=27-11-2026", "from"),
            ("to=yesterday", "to"),
            ("limit=0", "limit"),
            ("cursor=Zzpub3Q", "cursor"),
            ("acount=assets:cash:HKD", "acount"),
        ] {
            assert_parameter_problem(
                &get(&app, TRANSACTIONS, &format!("{transactions}?{query}")).await,
                parameter,
            );
        }
    }
);

both_backends!(reversals_answer_as_documented, |app| async move {
    let group = contribution_group(&app).await;
    let saved = app
        .transfer(&group, "assets:cash:HKD", "liabilities:savings:ana", "500")
        .await;
    let withdrawn = app
        .transfer(&group, "liabilities:savings:ana", "assets:cash:HKD", "300")
        .await;
    let saved_id = saved.body["id"].as_str().expect("id").to_string();
    let withdrawn_id = withdrawn.body["id"].as_str().expect("id").to_string();
    let reversal_of = |id: &str| format!("/v1/groups/{group}/transactions/{id}/reversal");

    // Undoing the deposit after Ana withdrew most of it would overdraw her savings.
    let overdraw = post(
        &app,
        REVERSAL,
        &reversal_of(&saved_id),
        Some("undo-saving"),
        &json!({}),
    )
    .await;
    assert_problem(&overdraw, 422, "overdraft");
    let overdraw_again = post(
        &app,
        REVERSAL,
        &reversal_of(&saved_id),
        Some("undo-saving"),
        &json!({}),
    )
    .await;
    assert_problem(&overdraw_again, 422, "overdraft");
    assert!(replayed(&overdraw_again));

    // An empty body, sent with `Content-Length: 0` and no content type, means {}.
    let reversed = post_empty(&app, &reversal_of(&withdrawn_id), Some("undo-withdrawal")).await;
    assert_eq!(reversed.status.as_u16(), 201, "{}", reversed.body);
    assert_eq!(reversed.body["reverses"], json!(withdrawn_id));
    assert_eq!(reversed.body["sequence"], 3);
    assert_eq!(
        reversed.body["entries"][0]["direction"], "credit",
        "the mirror of a debit"
    );
    assert_eq!(reversed.body["description"], "Reversal of #2: transfer");
    assert_eq!(reversed.body["metadata"], json!({}));
    assert_eq!(
        app.balance(&group, "liabilities:savings:ana").await,
        "500.00"
    );
    let original = get(
        &app,
        TRANSACTION,
        &format!("/v1/groups/{group}/transactions/{withdrawn_id}"),
    )
    .await;
    assert_eq!(original.body["reversed_by"], reversed.body["id"]);

    // The same empty body, now labelled as JSON, is the same request.
    let retry = post_raw(
        &app,
        REVERSAL,
        &reversal_of(&withdrawn_id),
        Some("undo-withdrawal"),
        Some("application/json"),
        "",
    )
    .await;
    assert_eq!(retry.status.as_u16(), 201);
    assert!(replayed(&retry));
    assert_eq!(retry.body["id"], reversed.body["id"]);
    let other_transaction =
        post_empty(&app, &reversal_of(&saved_id), Some("undo-withdrawal")).await;
    assert_problem(&other_transaction, 422, "idempotency-key-reused");

    let second = post(
        &app,
        REVERSAL,
        &reversal_of(&withdrawn_id),
        Some("undo-twice"),
        &json!({}),
    )
    .await;
    assert_problem(&second, 409, "already-reversed");
    let second_again = post(
        &app,
        REVERSAL,
        &reversal_of(&withdrawn_id),
        Some("undo-twice"),
        &json!({}),
    )
    .await;
    assert_problem(&second_again, 409, "already-reversed");
    assert!(replayed(&second_again));
    let reversal_id = reversed.body["id"].as_str().expect("id");
    let of_reversal = post(
        &app,
        REVERSAL,
        &reversal_of(reversal_id),
        Some("undo-undo"),
        &json!({}),
    )
    .await;
    assert_problem(&of_reversal, 409, "reversal-of-reversal");

    // With a body: a description of the treasurer's own.
    let body = json!({"description": "Entered twice by mistake", "booked_on": null});
    assert_request_matches("POST", REVERSAL, &body);
    let described = post(
        &app,
        REVERSAL,
        &reversal_of(&saved_id),
        Some("undo-saving-2"),
        &body,
    )
    .await;
    assert_eq!(described.status.as_u16(), 201, "{}", described.body);
    assert_eq!(described.body["description"], "Entered twice by mistake");
    assert_eq!(described.body["booked_on"], json!(today()));

    let keyless = post(&app, REVERSAL, &reversal_of(&saved_id), None, &json!({})).await;
    assert_problem(&keyless, 400, "idempotency-key-required");
    assert_problem(
        &post(
            &app,
            REVERSAL,
            &reversal_of(NO_SUCH_ID),
            Some("n"),
            &json!({}),
        )
        .await,
        404,
        "not-found",
    );
    assert_problem(
        &post(&app, REVERSAL, &reversal_of("42"), Some("n"), &json!({})).await,
        404,
        "not-found",
    );
    let cases = [
        (json!({"reason": "typo"}), "/reason", false),
        (json!({"description": ""}), "/description", false),
        (json!({"booked_on": "2999-01-01"}), "/booked_on", true),
        (json!({"booked_on": "yesterday"}), "/booked_on", false),
    ];
    for (i, (bad, pointer, schema_allows)) in cases.into_iter().enumerate() {
        let key = format!("bad-{i}");
        let reply = post(&app, REVERSAL, &reversal_of(&saved_id), Some(&key), &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
        assert_eq!(
            request_allowed("POST", REVERSAL, &bad),
            schema_allows,
            "{bad}"
        );
    }
    let path = reversal_of(&saved_id);
    assert_problem(
        &post_raw(
            &app,
            REVERSAL,
            &path,
            Some("m"),
            Some("application/json"),
            "{",
        )
        .await,
        400,
        "malformed-json",
    );
    assert_problem(
        &post_raw(&app, REVERSAL, &path, Some("t"), Some("text/plain"), "undo").await,
        415,
        "unsupported-media-type",
    );
    assert_problem(
        &post_raw(
            &app,
            REVERSAL,
            &path,
            Some("l"),
            Some("application/json"),
            oversized_body(),
        )
        .await,
        413,
        "body-too-large",
    );
});

// ---------------------------------------------------------------------------------------------
// Statements, trial balance, period closes and verification.

both_backends!(ledger_reports_answer_as_documented, |app| async move {
    let group = contribution_group(&app).await;
    app.create_account(&group, "assets:cash:JPY", "asset", "JPY", false)
        .await;
    app.create_account(
        &group,
        "liabilities:savings:ana-jpy",
        "liability",
        "JPY",
        true,
    )
    .await;
    let transactions = format!("/v1/groups/{group}/transactions");
    let yesterday = days_from_today(-1);
    let book = |key: &'static str,
                on: String,
                debit: &'static str,
                credit: &'static str,
                amount: &'static str| {
        let mut body = transfer_body(debit, credit, amount);
        body["booked_on"] = json!(on);
        let (app, path) = (&app, transactions.clone());
        async move {
            let reply = post(app, TRANSACTIONS, &path, Some(key), &body).await;
            assert_eq!(reply.status.as_u16(), 201, "{}", reply.body);
            reply
        }
    };
    book(
        "a",
        yesterday.clone(),
        "assets:cash:HKD",
        "liabilities:savings:ana",
        "500",
    )
    .await;
    book(
        "b",
        today(),
        "assets:cash:HKD",
        "liabilities:savings:ana",
        "200",
    )
    .await;
    book(
        "c",
        today(),
        "liabilities:savings:ana",
        "assets:cash:HKD",
        "100",
    )
    .await;
    let last = book(
        "d",
        today(),
        "assets:cash:JPY",
        "liabilities:savings:ana-jpy",
        "1500",
    )
    .await;

    // A statement with running balances.
    let accounts = format!("/v1/groups/{group}/accounts");
    let statement = get(
        &app,
        STATEMENT,
        &format!("{accounts}/liabilities:savings:ana/statement"),
    )
    .await;
    assert_eq!(statement.status.as_u16(), 200);
    assert_eq!(statement.body["opening_balance"], "0.00");
    let balances: Vec<&Value> = statement.body["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| &l["balance"])
        .collect();
    assert_eq!(balances, ["500.00", "700.00", "600.00"]);
    assert_eq!(statement.body["closing_balance"], "600.00");
    assert_eq!(statement.body["account"]["balance"], "600.00");
    let since_today = get(
        &app,
        STATEMENT,
        &format!(
            "{accounts}/liabilities:savings:ana/statement?from={}",
            today()
        ),
    )
    .await;
    assert_eq!(since_today.body["opening_balance"], "500.00");
    assert_eq!(since_today.body["from"], json!(today()));
    assert_eq!(since_today.body["lines"].as_array().map(Vec::len), Some(2));
    let backwards = format!(
        "{accounts}/liabilities:savings:ana/statement?from={}&to={yesterday}",
        today()
    );
    assert_parameter_problem(&get(&app, STATEMENT, &backwards).await, "to");
    assert_parameter_problem(
        &get(
            &app,
            STATEMENT,
            &format!("{accounts}/liabilities:savings:ana/statement?since=2025-01-01"),
        )
        .await,
        "since",
    );
    assert_problem(
        &get(
            &app,
            STATEMENT,
            &format!("{accounts}/liabilities:savings:ben/statement"),
        )
        .await,
        404,
        "not-found",
    );
    assert_problem(
        &get(
            &app,
            STATEMENT,
            &format!("/v1/groups/{NO_SUCH_ID}/accounts/assets:cash:HKD/statement"),
        )
        .await,
        404,
        "not-found",
    );

    // The trial balance: per currency, never converted.
    let trial = get(
        &app,
        TRIAL_BALANCE,
        &format!("/v1/groups/{group}/trial-balance"),
    )
    .await;
    assert_eq!(trial.status.as_u16(), 200);
    assert_eq!(trial.body["as_of"], Value::Null);
    assert_eq!(
        trial.body["totals"],
        json!([
            {"currency": "HKD", "debits": "800.00", "credits": "800.00", "balanced": true},
            {"currency": "JPY", "debits": "1500", "credits": "1500", "balanced": true},
        ])
    );
    let codes: Vec<&Value> = trial.body["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| &a["code"])
        .collect();
    assert_eq!(codes.len(), 5);
    assert_eq!(codes[0], "assets:cash:HKD");
    let as_of = get(
        &app,
        TRIAL_BALANCE,
        &format!("/v1/groups/{group}/trial-balance?as_of={yesterday}"),
    )
    .await;
    assert_eq!(
        as_of.body["totals"][0],
        json!({"currency": "HKD", "debits": "500.00", "credits": "500.00", "balanced": true})
    );
    assert_parameter_problem(
        &get(
            &app,
            TRIAL_BALANCE,
            &format!("/v1/groups/{group}/trial-balance?as_of=today"),
        )
        .await,
        "as_of",
    );
    assert_problem(
        &get(
            &app,
            TRIAL_BALANCE,
            &format!("/v1/groups/{NO_SUCH_ID}/trial-balance"),
        )
        .await,
        404,
        "not-found",
    );

    // Verification of the chain.
    let verified = get(&app, VERIFY, &format!("/v1/groups/{group}/ledger/verify")).await;
    assert_eq!(verified.status.as_u16(), 200);
    assert_eq!(verified.body["ok"], true);
    assert_eq!(verified.body["failure"], Value::Null);
    assert_eq!(verified.body["transactions_checked"], 4);
    assert_eq!(verified.body["head_hash"], last.body["hash"]);
    assert_problem(
        &get(
            &app,
            VERIFY,
            &format!("/v1/groups/{NO_SUCH_ID}/ledger/verify"),
        )
        .await,
        404,
        "not-found",
    );

    // Closing yesterday's books.
    let closes = format!("/v1/groups/{group}/period-closes");
    let close = json!({"through": yesterday});
    assert_request_matches("POST", PERIOD_CLOSES, &close);
    let closed = post(&app, PERIOD_CLOSES, &closes, Some("close-1"), &close).await;
    assert_eq!(closed.status.as_u16(), 201, "{}", closed.body);
    assert_eq!(closed.body["through"], json!(yesterday));
    assert_eq!(closed.body["group_id"], json!(group));
    let closed_again = post(&app, PERIOD_CLOSES, &closes, Some("close-1"), &close).await;
    assert!(replayed(&closed_again));
    assert_eq!(closed_again.body, closed.body);
    let group_now = get(&app, GROUP, &format!("/v1/groups/{group}")).await;
    assert_eq!(group_now.body["closed_through"], json!(yesterday));
    assert_problem(
        &post(&app, PERIOD_CLOSES, &closes, Some("close-2"), &close).await,
        409,
        "period-already-closed",
    );
    let cases = [
        (json!({"through": days_from_today(1)}), "/through", true),
        (json!({}), "/through", false),
        (json!({"through": "end of March"}), "/through", false),
        (
            json!({"through": yesterday, "note": "March"}),
            "/note",
            false,
        ),
    ];
    for (bad, pointer, schema_allows) in cases {
        assert_field_problem(
            &post(&app, PERIOD_CLOSES, &closes, None, &bad).await,
            "invalid-field",
            pointer,
        );
        assert_eq!(
            request_allowed("POST", PERIOD_CLOSES, &bad),
            schema_allows,
            "{bad}"
        );
    }
    assert_problem(
        &post_raw(
            &app,
            PERIOD_CLOSES,
            &closes,
            None,
            Some("application/json"),
            "{]",
        )
        .await,
        400,
        "malformed-json",
    );
    assert_problem(
        &post_raw(
            &app,
            PERIOD_CLOSES,
            &closes,
            None,
            Some("text/csv"),
            "through",
        )
        .await,
        415,
        "unsupported-media-type",
    );
    assert_problem(
        &post_raw(
            &app,
            PERIOD_CLOSES,
            &closes,
            None,
            Some("application/json"),
            oversized_body(),
        )
        .await,
        413,
        "body-too-large",
    );
    assert_problem(
        &post(
            &app,
            PERIOD_CLOSES,
            &format!("/v1/groups/{NO_SUCH_ID}/period-closes"),
            None,
            &close,
        )
        .await,
        404,
        "not-found",
    );

    // Nothing can be booked, or reversed, into the closed period.
    let back_dated = book_refused(&app, &transactions, &yesterday).await;
    assert_field_problem(&back_dated, "closed-period", "/booked_on");
    let first_id = get(&app, TRANSACTIONS, &transactions).await.body["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let reversal = format!("{transactions}/{first_id}/reversal");
    let reversed_into_close = post(
        &app,
        REVERSAL,
        &reversal,
        Some("undo-into-close"),
        &json!({"booked_on": yesterday}),
    )
    .await;
    assert_problem(&reversed_into_close, 422, "closed-period");
});

/// Posts a transfer booked on `on`, expecting it to be refused.
async fn book_refused(app: &TestApp, transactions: &str, on: &str) -> Reply {
    let mut body = transfer_body("assets:cash:HKD", "liabilities:savings:ana", "5");
    body["booked_on"] = json!(on);
    post(app, TRANSACTIONS, transactions, Some("back-dated"), &body).await
}
