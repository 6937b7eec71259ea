//! openapi.yaml describes exactly what the server does: the routes it serves, and for every
//! route the statuses, content types, bodies and headers it answers with. Each scenario below
//! drives the real service on both backends and checks every reply against the document, as
//! well as what a client would notice (status, problem type, the fields that matter).

use crate::support;

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, SecondsFormat, Utc};
use msai_ledger::auth::caller::Access;
use msai_ledger::domain::error::{Conflict, Rule};
use msai_ledger::domain::money::Currency;
use msai_ledger::http::approvals::MAX_NOTE_CHARS;
use msai_ledger::http::dto::{MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, text_field};
use msai_ledger::http::members::{MAX_DETAIL_CHARS, MAX_REASON_CHARS, MAX_RECEIPT_CHARS};
use msai_ledger::http::operations::MAX_LABEL_CHARS;
use msai_ledger::http::{route_access_table, route_table};
use reqwest::{Client, Method};
use serde_json::{Value, json};
use support::app::{ADMIN_PASSWORD, Backend, Reply, TestApp, client_with_token, login, spawn};
use support::openapi::{
    OPENAPI_YAML, assert_reply_matches, assert_request_matches, assert_response_matches,
    assert_schema_matches, compile_every_schema, load_strict, operation, references,
    request_allowed, resolve, response, schema_allows, spec, spec_routes,
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
const TOKEN: &str = "/v1/auth/token";
const ME: &str = "/v1/me";
const USERS: &str = "/v1/users";
const GRANTS: &str = "/v1/users/{user_id}/grants";
const GRANT: &str = "/v1/users/{user_id}/grants/{grant_id}";
const PASSWORD: &str = "/v1/users/{user_id}/password";
const DISABLE: &str = "/v1/users/{user_id}/disable";
const AUDIT_EVENTS: &str = "/v1/audit-events";
const MEMBERS: &str = "/v1/groups/{group_id}/members";
const MEMBER: &str = "/v1/groups/{group_id}/members/{member_id}";
const MEMBER_STATEMENT: &str = "/v1/groups/{group_id}/members/{member_id}/statement";
const CONTRIBUTIONS: &str = "/v1/groups/{group_id}/contributions";
const CONTRIBUTION: &str = "/v1/groups/{group_id}/contributions/{contribution_id}";
const WITHDRAWALS: &str = "/v1/groups/{group_id}/withdrawals";
const WITHDRAWAL: &str = "/v1/groups/{group_id}/withdrawals/{withdrawal_id}";
const MEMBER_EXIT: &str = "/v1/groups/{group_id}/members/{member_id}/exit";
const MEMBER_REMITTANCES: &str = "/v1/groups/{group_id}/members/{member_id}/remittances";
const REMITTANCES: &str = "/v1/groups/{group_id}/remittances";
const REMITTANCE: &str = "/v1/groups/{group_id}/remittances/{remittance_id}";
const REMITTANCE_COMPLETION: &str = "/v1/groups/{group_id}/remittances/{remittance_id}/completion";
const REMITTANCE_FAILURE: &str = "/v1/groups/{group_id}/remittances/{remittance_id}/failure";
const REMITTANCES_IN_TRANSIT: &str = "/v1/groups/{group_id}/reports/remittances-in-transit";
const TRANSFERS: &str = "/v1/groups/{group_id}/transfers";
const TRANSFER: &str = "/v1/groups/{group_id}/transfers/{transfer_id}";
const INVESTMENTS: &str = "/v1/groups/{group_id}/investments";
const INVESTMENT: &str = "/v1/groups/{group_id}/investments/{investment_id}";
const DISBURSEMENTS: &str = "/v1/groups/{group_id}/investments/{investment_id}/disbursements";
const DISBURSEMENT: &str =
    "/v1/groups/{group_id}/investments/{investment_id}/disbursements/{event_id}";
const RETURNS: &str = "/v1/groups/{group_id}/investments/{investment_id}/returns";
const RETURN: &str = "/v1/groups/{group_id}/investments/{investment_id}/returns/{event_id}";
const WRITE_DOWNS: &str = "/v1/groups/{group_id}/investments/{investment_id}/write-downs";
const WRITE_DOWN: &str = "/v1/groups/{group_id}/investments/{investment_id}/write-downs/{event_id}";
const DISTRIBUTIONS: &str = "/v1/groups/{group_id}/distributions";
const DISTRIBUTION: &str = "/v1/groups/{group_id}/distributions/{distribution_id}";
const MEETINGS: &str = "/v1/groups/{group_id}/meetings";
const MEETING: &str = "/v1/groups/{group_id}/meetings/{meeting_id}";
const SAVINGS_REPORT: &str = "/v1/reports/savings";
const PORTFOLIO_REPORT: &str = "/v1/reports/portfolio";
const CORRIDORS_REPORT: &str = "/v1/reports/remittance-corridors";
const INDICATORS_REPORT: &str = "/v1/reports/indicators";
const REINTEGRATION_REPORT: &str = "/v1/reports/reintegration";

/// The challenge of a 401 to a request without a token.
const CHALLENGE: &str = "Bearer realm=\"msai-ledger\"";

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
    get_as(app, &app.client, template, path).await
}

/// GETs `path` as the user `client` is signed in as (or without a token).
async fn get_as(app: &TestApp, client: &Client, template: &str, path: &str) -> Reply {
    send(app, "GET", template, client.get(app.url(path))).await
}

/// POSTs `body` as JSON, with an `Idempotency-Key` when `key` is given.
async fn post(app: &TestApp, template: &str, path: &str, key: Option<&str>, body: &Value) -> Reply {
    post_as(app, &app.client, template, path, key, body).await
}

/// As [`post`], as the user `client` is signed in as (or without a token).
async fn post_as(
    app: &TestApp,
    client: &Client,
    template: &str,
    path: &str,
    key: Option<&str>,
    body: &Value,
) -> Reply {
    let mut request = client.post(app.url(path)).json(body);
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

/// PATCHes `body` as JSON as the user `client` is signed in as (or without a token).
async fn patch_as(
    app: &TestApp,
    client: &Client,
    template: &str,
    path: &str,
    body: &Value,
) -> Reply {
    let request = client.patch(app.url(path)).json(body);
    send(app, "PATCH", template, request).await
}

async fn patch(app: &TestApp, template: &str, path: &str, body: &Value) -> Reply {
    patch_as(app, &app.client, template, path, body).await
}

/// PATCHes raw bytes with the given content type.
async fn patch_raw(
    app: &TestApp,
    template: &str,
    path: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> Reply {
    let request = app
        .client
        .patch(app.url(path))
        .header("Content-Type", content_type)
        .body(body);
    send(app, "PATCH", template, request).await
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

/// The groups' today: they meet in Hong Kong or Singapore.
fn today() -> String {
    support::app::hong_kong_today().to_string()
}

fn days_from_today(days: i64) -> String {
    (support::app::hong_kong_today() + Duration::days(days)).to_string()
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

/// A key given twice in one mapping is refused by YAML and by every tool that reads the
/// document; the loader the tests use refuses it too, at any depth, instead of keeping the last
/// copy. openapi.yaml itself loads with it (every other test goes through it).
#[test]
fn the_document_loader_refuses_a_key_given_twice() {
    let top = "openapi: 3.1.0\ninfo:\n  title: a\ninfo:\n  title: b\n";
    let deep = "components:\n  parameters:\n    ReportFormat:\n      name: format\n    \
                Limit:\n      name: limit\n    ReportFormat:\n      name: format\n";
    let in_a_list = "paths:\n  /a:\n    get:\n      parameters:\n        - name: x\n          \
                     in: query\n          name: y\n";
    for text in [top, deep, in_a_list] {
        let refused = load_strict(text).expect_err("a repeated key must be refused");
        assert!(
            refused.contains("duplicate"),
            "the refusal says what is wrong: {refused}"
        );
    }
    let once = "components:\n  parameters:\n    ReportFormat:\n      name: format\n";
    assert_eq!(
        load_strict(once).expect("a document without repeats loads"),
        json!({"components": {"parameters": {"ReportFormat": {"name": "format"}}}})
    );
    load_strict(OPENAPI_YAML).unwrap_or_else(|e| panic!("openapi.yaml repeats a key: {e}"));
}

#[test]
fn the_currency_codes_are_exactly_those_the_service_accepts() {
    let documented: Vec<&str> = spec()["components"]["schemas"]["CurrencyCode"]["enum"]
        .as_array()
        .expect("CurrencyCode lists its codes")
        .iter()
        .map(|code| code.as_str().expect("a code is a string"))
        .collect();
    let accepted: Vec<&str> = Currency::all().into_iter().map(Currency::code).collect();
    assert_eq!(documented, accepted);
    // The savings report's `rate` names its currency from the same list.
    let rate = operation("GET", "/v1/reports/savings")["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == json!("rate"))
        .and_then(|p| p["schema"]["items"]["pattern"].as_str())
        .expect("the rate parameter has a pattern");
    assert!(
        rate.starts_with(&format!("^({}):", accepted.join("|"))),
        "{rate}"
    );
}

/// Every text field the service trims and limits, as (schema, property, most characters once
/// trimmed, whether it may be empty once trimmed), with the limits the service uses.
fn text_fields() -> Vec<(&'static str, &'static str, usize, bool)> {
    vec![
        ("CreateGroup", "name", MAX_NAME_CHARS, false),
        ("CreateAccount", "name", MAX_NAME_CHARS, false),
        (
            "CreateTransaction",
            "description",
            MAX_DESCRIPTION_CHARS,
            true,
        ),
        (
            "CreateReversal",
            "description",
            MAX_DESCRIPTION_CHARS,
            false,
        ),
        ("CreateMember", "name", MAX_NAME_CHARS, false),
        ("CreateMember", "occupation", MAX_DETAIL_CHARS, true),
        ("CreateMember", "contact", MAX_DETAIL_CHARS, true),
        ("UpdateMember", "occupation", MAX_DETAIL_CHARS, true),
        ("UpdateMember", "contact", MAX_DETAIL_CHARS, true),
        ("UpdateMember", "name", MAX_NAME_CHARS, false),
        ("UpdateMember", "reason", MAX_REASON_CHARS, false),
        ("CreateContribution", "receipt_no", MAX_RECEIPT_CHARS, true),
        ("CreateMeeting", "note", MAX_DESCRIPTION_CHARS, true),
        ("CreateMeetingEvent", "receipt_no", MAX_RECEIPT_CHARS, true),
        ("CreateRemittance", "rate_source", MAX_LABEL_CHARS, true),
        ("CreateRemittance", "provider", MAX_LABEL_CHARS, false),
        ("CreateTransfer", "rate_source", MAX_LABEL_CHARS, true),
        (
            "CreateTransfer",
            "description",
            MAX_DESCRIPTION_CHARS,
            false,
        ),
        ("CreateInvestment", "name", MAX_NAME_CHARS, false),
        ("CreateInvestment", "sector", MAX_LABEL_CHARS, false),
        ("CreateInvestment", "partner", MAX_LABEL_CHARS, true),
        ("CreateDisbursement", "note", MAX_LABEL_CHARS, true),
        ("CreateReturn", "note", MAX_LABEL_CHARS, true),
        ("CreateWriteDown", "note", MAX_LABEL_CHARS, true),
        ("ApprovalDecision", "note", MAX_NOTE_CHARS, true),
    ]
}

#[test]
fn the_text_patterns_allow_exactly_the_text_the_service_keeps() {
    let patterned: BTreeSet<(String, String)> = spec()["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .iter()
        .flat_map(|(name, schema)| {
            schema["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, p)| {
                    p["pattern"]
                        .as_str()
                        .is_some_and(|p| p.starts_with("^[\\t"))
                })
                .map(move |(property, _)| (name.clone(), property.clone()))
        })
        .collect();
    let listed: BTreeSet<(String, String)> = text_fields()
        .into_iter()
        .map(|(schema, property, _, _)| (schema.to_string(), property.to_string()))
        .collect();
    assert_eq!(
        patterned, listed,
        "every trimmed text field has the text pattern"
    );
    for (schema, property, max, may_be_empty) in text_fields() {
        let pointer =
            json!({ "$ref": format!("#/components/schemas/{schema}/properties/{property}") });
        assert_text_pattern(&format!("{schema}.{property}"), &pointer, max, may_be_empty);
    }
    // The meeting CSV's `note`, a query parameter.
    let note = operation("POST", MEETINGS)["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == json!("note"))
        .expect("the note parameter");
    assert_text_pattern("note", &note["schema"], MAX_DESCRIPTION_CHARS, true);
}

/// Asserts that `schema` allows a text exactly when the service keeps it.
fn assert_text_pattern(what: &str, schema: &Value, max: usize, may_be_empty: bool) {
    let x = |n: usize| "x".repeat(n);
    let samples = [
        String::new(),
        " ".into(),
        "\t\n\r\u{b}\u{c}\u{85}\u{a0}\u{2003}\u{3000}".into(),
        "a".into(),
        " a ".into(),
        "a\tb\nc".into(),
        "a\rb".into(),
        "a\u{b}b".into(),
        "\r\u{b}a\u{85}".into(),
        "a\u{85}b".into(),
        "a\u{1}b".into(),
        "\u{1}a".into(),
        "a\u{1c}".into(),
        "\u{1c}a".into(),
        "a\u{7f}".into(),
        "a\u{9f}b".into(),
        "é\u{a0}ü".into(),
        "\u{feff}".into(),
        "\u{200b}".into(),
        "Ana \u{1f600}".into(),
        x(max),
        format!("  {}\n\u{3000}", x(max)),
        x(max + 1),
        format!("a{}b", " ".repeat(max - 2)),
        format!("a{}b", " ".repeat(max - 1)),
    ];
    for sample in samples {
        let kept = text_field("/text", &sample, max, may_be_empty).is_ok();
        assert_eq!(
            schema_allows(schema, &json!(sample)),
            kept,
            "{what}: {sample:?} is {} by the service",
            if kept { "kept" } else { "refused" }
        );
    }
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
        Rule::UnknownMember,
        Rule::MemberNotActive,
        Rule::UsesMismatch,
        Rule::PoolExceedsAvailable,
        Rule::NoRecipients,
        Rule::InvestmentClosed,
        Rule::AccountKind,
        Rule::UnknownInvestment,
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
            | Rule::Overflow
            | Rule::UnknownMember
            | Rule::MemberNotActive
            | Rule::UsesMismatch
            | Rule::PoolExceedsAvailable
            | Rule::NoRecipients
            | Rule::InvestmentClosed
            | Rule::AccountKind
            | Rule::UnknownInvestment => {}
        }
    }
    let conflicts = [
        Conflict::AlreadyReversed,
        Conflict::IsReversal,
        Conflict::DuplicateAccountCode,
        Conflict::PeriodAlreadyClosed,
        Conflict::RequestInFlight,
        Conflict::DuplicateUsername,
        Conflict::LastAdmin,
        Conflict::MemberExited,
        Conflict::StatusTransition,
        Conflict::GroupClosed,
        Conflict::RemittanceNotInTransit,
        Conflict::RemittanceSettled,
    ];
    for conflict in conflicts {
        match conflict {
            Conflict::AlreadyReversed
            | Conflict::IsReversal
            | Conflict::DuplicateAccountCode
            | Conflict::PeriodAlreadyClosed
            | Conflict::RequestInFlight
            | Conflict::DuplicateUsername
            | Conflict::LastAdmin
            | Conflict::MemberExited
            | Conflict::StatusTransition
            | Conflict::GroupClosed
            | Conflict::RemittanceNotInTransit
            | Conflict::RemittanceSettled => {}
        }
    }
    let mut slugs: Vec<&'static str> = rules.iter().map(|r| r.slug()).collect();
    slugs.extend(conflicts.iter().map(|c| c.slug()));
    // Slugs made in the HTTP layer (src/http/*.rs) and for store failures.
    slugs.extend([
        "unauthorized",
        "forbidden",
        "csrf",
        "invalid-credentials",
        "too-many-attempts",
        "cannot-disable-self",
        "not-found",
        "method-not-allowed",
        "malformed-json",
        "malformed-csv",
        "invalid-idempotency-key",
        "idempotency-key-required",
        "unsupported-media-type",
        "body-too-large",
        "body-timeout",
        "headers-too-large",
        "invalid-field",
        "invalid-parameter",
        "idempotency-key-reused",
        "items-refused",
        "unavailable",
        "request-timeout",
        "too-many-connections",
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

/// The `x-access` name of each kind of access. The match is exhaustive, so a new kind fails to
/// compile here until the document can name it.
fn access_name(access: Access) -> &'static str {
    match access {
        Access::Public => "public",
        Access::SignedIn => "signed-in",
        Access::Admin => "admin",
        Access::AdminOrTreasurer => "admin-or-treasurer",
        Access::Oversight => "oversight",
        Access::GroupAnyone => "group-anyone",
        Access::GroupRead => "group-read",
        Access::GroupWrite => "group-write",
        Access::GroupApprove => "group-approve",
        Access::MemberSelf => "member-self",
    }
}

/// The problem types the documented `status` response of an operation allows; empty when the
/// status is not documented.
fn documented_problem_types(method: &str, path: &str, status: u16) -> BTreeSet<String> {
    fn walk(value: &Value, out: &mut BTreeSet<String>) {
        match value {
            Value::String(s) if s.starts_with("/problems/") => {
                out.insert(s.clone());
            }
            Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut types = BTreeSet::new();
    if operation(method, path)["responses"]
        .get(status.to_string())
        .is_some()
    {
        walk(response(method, path, status), &mut types);
    }
    types
}

fn only(slug: &str) -> BTreeSet<String> {
    BTreeSet::from([format!("/problems/{slug}")])
}

#[test]
fn the_document_says_who_may_call_each_route_and_how_each_refuses() {
    let scheme = &spec()["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");
    let how = scheme["description"].as_str().expect("a description");
    for needed in ["POST /v1/auth/token", "expires_in", "disabled"] {
        assert!(
            how.contains(needed),
            "the bearer scheme does not mention {needed}"
        );
    }
    // A browser's session cookie signs in wherever a bearer token does.
    assert_eq!(
        spec()["security"],
        json!([{"bearer": []}, {"cookieAuth": []}])
    );
    let cookie = &spec()["components"]["securitySchemes"]["cookieAuth"];
    assert_eq!(
        (&cookie["type"], &cookie["in"], &cookie["name"]),
        (&json!("apiKey"), &json!("cookie"), &json!("msai_session"))
    );
    let introduction = spec()["info"]["description"].as_str().expect("intro");
    for role in ["admin", "auditor", "treasurer", "chair", "member"] {
        assert!(
            introduction.contains(&format!("| `{role}` |")),
            "the table of roles lacks {role}"
        );
    }

    for (method, path, access) in route_access_table() {
        let method = method.as_str();
        let op = operation(method, path);
        let what = format!("{method} {path}");
        assert_eq!(op["x-access"], json!(access_name(access)), "{what}");
        let unauthorized = documented_problem_types(method, path, 401);
        if access == Access::Public {
            assert_eq!(op.get("security"), Some(&json!([])), "{what} is public");
            assert!(
                !unauthorized.contains("/problems/unauthorized"),
                "{what} is public: it never asks for a token"
            );
        } else {
            assert!(
                op.get("security").is_none(),
                "{what} needs a token: it must keep the document's `security`"
            );
            assert_eq!(unauthorized, only("unauthorized"), "{what}: 401");
            let challenge = &response(method, path, 401)["headers"]["WWW-Authenticate"];
            assert_eq!(resolve(challenge)["required"], true, "{what}: 401");
        }
        // 403 where the access check can refuse a caller it lets know the object; on SignedIn
        // routes only where the handler narrows further. Any write may be signed in by a
        // session cookie, and is then refused 403 `csrf` when it does not come from the
        // service's own pages.
        let mut forbidden = documented_problem_types(method, path, 403);
        if !matches!(method, "GET" | "HEAD" | "OPTIONS") {
            assert!(
                forbidden.remove("/problems/csrf"),
                "{what}: a write answers 403 csrf"
            );
        } else {
            assert!(
                !forbidden.contains("/problems/csrf"),
                "{what}: a read never answers 403 csrf"
            );
        }
        match access {
            Access::Admin
            | Access::AdminOrTreasurer
            | Access::Oversight
            | Access::GroupRead
            | Access::GroupWrite
            | Access::GroupApprove => assert_eq!(forbidden, only("forbidden"), "{what}: 403"),
            Access::SignedIn => assert!(
                forbidden.is_empty() || forbidden == only("forbidden"),
                "{what}: 403"
            ),
            // A member's own records: every other member of the group is told they do not
            // exist (404), never that they may not see them.
            Access::Public | Access::GroupAnyone | Access::MemberSelf => assert!(
                forbidden.is_empty(),
                "{what} never answers 403 but to a cross-site write"
            ),
        }
        // Groups outside the caller's grants are not found.
        if matches!(
            access,
            Access::GroupAnyone
                | Access::GroupRead
                | Access::GroupWrite
                | Access::GroupApprove
                | Access::MemberSelf
        ) {
            assert!(
                documented_problem_types(method, path, 404).contains("/problems/not-found"),
                "{what}: 404 for groups outside the caller's grants"
            );
        }
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

        let members = get(&app, MEMBERS, &format!("/v1/groups/{group}/members")).await;
        assert_problem(&members, 503, "unavailable");
        let contribution =
            json!({"member_id": NO_SUCH_ID, "amount": "5", "fund": "savings", "channel": "cash"});
        let recorded = post(
            &app,
            CONTRIBUTIONS,
            &format!("/v1/groups/{group}/contributions"),
            Some("after-close"),
            &contribution,
        )
        .await;
        assert_problem(&recorded, 503, "unavailable");
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
            false,
        ),
        (
            with(&body, "host_country", Some(json!("XX"))),
            "/host_country",
            false,
        ),
        (with(&body, "home_country", None), "/home_country", false),
        (with(&body, "region", Some(json!("Asia"))), "/region", false),
        (with(&body, "name", Some(json!(""))), "/name", false),
        (with(&body, "name", Some(json!(7))), "/name", false),
        (
            with(&body, "chart", Some(json!("minimal"))),
            "/chart",
            false,
        ),
        (with(&body, "chart", Some(Value::Null)), "/chart", false),
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

    // A new group starts with the standard chart in its currency, every account empty, and
    // no transaction; or, when asked, with no account at all.
    let accounts = get(&app, ACCOUNTS, &format!("/v1/groups/{id}/accounts")).await;
    assert_eq!(accounts.status.as_u16(), 200, "{}", accounts.body);
    let mut chart: Vec<(String, String, String, bool)> = items(&accounts)
        .iter()
        .map(|a| {
            assert_eq!(a["currency"], "HKD", "{a}");
            assert_eq!(a["balance"], "0.00", "{a}");
            let text = |field: &str| a[field].as_str().expect(field).to_string();
            (
                text("code"),
                text("name"),
                text("type"),
                a["no_overdraft"] == true,
            )
        })
        .collect();
    chart.sort();
    let standard: Vec<(String, String, String, bool)> = [
        ("assets:bank:HKD", "Bank or e-wallet (HKD)", "asset", true),
        ("assets:cash:HKD", "Cash box (HKD)", "asset", true),
        ("assets:fx:HKD", "FX clearing (HKD)", "asset", false),
        (
            "equity:undistributed:HKD",
            "Undistributed surplus (HKD)",
            "equity",
            false,
        ),
        ("expense:fees:HKD", "Fees (HKD)", "expense", false),
        ("expense:fx-loss:HKD", "FX loss (HKD)", "expense", false),
        (
            "expense:impairment:HKD",
            "Impairment (HKD)",
            "expense",
            false,
        ),
        ("income:fx-gain:HKD", "FX gain (HKD)", "income", false),
        (
            "income:investments:HKD",
            "Investment income (HKD)",
            "income",
            false,
        ),
        (
            "liabilities:social-fund:HKD",
            "Social fund (HKD)",
            "liability",
            true,
        ),
    ]
    .iter()
    .map(|(code, name, kind, guarded)| {
        (
            code.to_string(),
            name.to_string(),
            kind.to_string(),
            *guarded,
        )
    })
    .collect();
    assert_eq!(chart, standard);
    let empty_chart = with(&other, "chart", Some(json!("empty")));
    assert_request_matches("POST", GROUPS, &empty_chart);
    let bare = post(&app, GROUPS, "/v1/groups", None, &empty_chart).await;
    assert_eq!(bare.status.as_u16(), 201, "{}", bare.body);
    assert_eq!(bare.body["head_sequence"], 0);
    let bare_accounts = format!("/v1/groups/{}/accounts", id_of(&bare.body));
    assert!(items(&get(&app, ACCOUNTS, &bare_accounts).await).is_empty());
    let standard_chart = with(&other, "chart", Some(json!("standard")));
    assert_request_matches("POST", GROUPS, &standard_chart);
    let explicit = post(&app, GROUPS, "/v1/groups", None, &standard_chart).await;
    assert_eq!(explicit.status.as_u16(), 201, "{}", explicit.body);
    let explicit_accounts = format!("/v1/groups/{}/accounts", id_of(&explicit.body));
    assert_eq!(
        items(&get(&app, ACCOUNTS, &explicit_accounts).await).len(),
        10
    );
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
            false,
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

// Metadata nests at most four levels of arrays and objects, the metadata object counted, as
// the document's three-level `MetadataValue` says: the deepest allowed is posted and read back,
// one level more is refused at the value too deep, and the document agrees on both.
both_backends!(metadata_nests_as_deep_as_documented, |app| async move {
    let group = contribution_group(&app).await;
    let transactions = format!("/v1/groups/{group}/transactions");
    let mut deepest = transfer_body("assets:cash:HKD", "liabilities:savings:ana", "5");
    deepest["metadata"] = json!({"a": {"b": [{"c": 1}, [1, "x", null, true]]}, "e": [[]]});
    assert_request_matches("POST", TRANSACTIONS, &deepest);
    let posted = post(&app, TRANSACTIONS, &transactions, Some("deepest"), &deepest).await;
    assert_eq!(posted.status.as_u16(), 201, "{}", posted.body);
    assert_eq!(posted.body["metadata"], deepest["metadata"]);
    let read = get(
        &app,
        TRANSACTION,
        &format!(
            "{transactions}/{}",
            posted.body["id"].as_str().expect("an id")
        ),
    )
    .await;
    assert_eq!(read.body["metadata"], deepest["metadata"]);

    for (i, (metadata, pointer)) in [
        (json!({"a": {"b": [{"c": {}}]}}), "/metadata/a/b/0/c"),
        (json!({"e": [[[["x"]]]]}), "/metadata/e/0/0/0"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut too_deep = deepest.clone();
        too_deep["metadata"] = metadata;
        assert!(
            !request_allowed("POST", TRANSACTIONS, &too_deep),
            "{too_deep}"
        );
        let key = format!("too-deep-{i}");
        let reply = post(&app, TRANSACTIONS, &transactions, Some(&key), &too_deep).await;
        assert_field_problem(&reply, "invalid-field", pointer);
    }
    assert_eq!(
        app.balance(&group, "liabilities:savings:ana").await,
        "5.00",
        "nothing refused was posted"
    );
});

// Rules the schemas state, so that generated clients and validators know them: an amount
// above zero, a cursor that is not empty. What the document refuses, the server refuses, and
// what it allows is accepted.
both_backends!(
    the_schemas_state_positive_amounts_and_cursors,
    |app| async move {
        let group = contribution_group(&app).await;
        let transactions = format!("/v1/groups/{group}/transactions");
        for (i, zero) in ["0", "0.00", "0.0"].into_iter().enumerate() {
            let body = transfer_body("assets:cash:HKD", "liabilities:savings:ana", zero);
            assert!(!request_allowed("POST", TRANSACTIONS, &body), "{zero}");
            let key = format!("zero-{i}");
            let reply = post(&app, TRANSACTIONS, &transactions, Some(&key), &body).await;
            assert_field_problem(&reply, "non-positive-amount", "/entries/0/amount");
        }
        for (i, small) in ["0.01", "0.5", "1"].into_iter().enumerate() {
            let body = transfer_body("assets:cash:HKD", "liabilities:savings:ana", small);
            assert_request_matches("POST", TRANSACTIONS, &body);
            let key = format!("small-{i}");
            let reply = post(&app, TRANSACTIONS, &transactions, Some(&key), &body).await;
            assert_eq!(reply.status.as_u16(), 201, "{small}: {}", reply.body);
        }

        let cursor_schema = json!({"$ref": "#/components/parameters/Cursor/schema"});
        let empty = get(&app, GROUPS, "/v1/groups?cursor=").await;
        assert_parameter_problem(&empty, "cursor");
        assert!(!schema_allows(&cursor_schema, &json!("")));
        app.create_group("Second").await;
        let first = get(&app, GROUPS, "/v1/groups?limit=1").await;
        let next = first.body["next_cursor"].as_str().expect("a second page");
        assert!(schema_allows(&cursor_schema, &json!(next)), "{next}");
        let second = get(&app, GROUPS, &format!("/v1/groups?limit=1&cursor={next}")).await;
        assert_eq!(second.status.as_u16(), 200, "{}", second.body);
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

// ---------------------------------------------------------------------------------------------
// Access control: signing in, users and grants, the audit log, and how group routes refuse.

/// The `WWW-Authenticate` header of a reply ("" when absent).
fn challenge(reply: &Reply) -> &str {
    reply
        .headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Asserts a 401 `/problems/unauthorized` for a token that is not valid, saying `why`.
fn assert_invalid_token(reply: &Reply, why: &str) {
    assert_problem(reply, 401, "unauthorized");
    assert_eq!(
        challenge(reply),
        format!("{CHALLENGE}, error=\"invalid_token\", error_description=\"{why}\"")
    );
    assert_eq!(reply.body["detail"], json!(why), "{}", reply.body);
}

async fn sign_in(app: &TestApp, client: &Client, body: &Value) -> Reply {
    post_as(app, client, TOKEN, TOKEN, None, body).await
}

/// Signs in, expecting to succeed, and returns a client carrying the token.
async fn signed_in(app: &TestApp, username: &str, password: &str) -> Client {
    let token = login(&app.anonymous, &app.base, username, password)
        .await
        .unwrap_or_else(|status| panic!("{username} could not sign in: {status}"));
    client_with_token(&token)
}

/// A member grant of `group` for a member added to it now (a grant must name a real member).
async fn member_grant(app: &TestApp, group: &str) -> Value {
    let reply = post(
        app,
        MEMBERS,
        &format!("/v1/groups/{group}/members"),
        None,
        &json!({"name": "Ben Cruz", "home_country": "PH", "host_country": "HK"}),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 201, "{}", reply.body);
    json!({"role": "member", "group_id": group, "member_id": reply.body["id"]})
}

/// The `field` of every item of a list reply.
fn each<'a>(reply: &'a Reply, field: &str) -> Vec<&'a Value> {
    items(reply).iter().map(|item| &item[field]).collect()
}

both_backends!(signing_in_answers_as_documented, |app| async move {
    let admin = json!({"username": "admin", "password": ADMIN_PASSWORD});
    assert_request_matches("POST", TOKEN, &admin);
    let token = sign_in(&app, &app.anonymous, &admin).await;
    assert_eq!(token.status.as_u16(), 200, "{}", token.body);
    assert_eq!(token.headers["cache-control"], "no-store");
    assert_eq!(token.body["token_type"], "Bearer");
    assert_eq!(token.body["expires_in"], 3600);
    let access_token = token.body["access_token"].as_str().expect("token");
    let me = get_as(&app, &client_with_token(access_token), ME, ME).await;
    assert_eq!(me.status.as_u16(), 200);
    assert_eq!(me.body["user"]["username"], "admin");
    // A token sent to a public route is ignored, even one that is not valid.
    let garbage = client_with_token("not-a-token");
    assert_eq!(sign_in(&app, &garbage, &admin).await.status.as_u16(), 200);

    // A wrong password and an unknown user get the same answer.
    let wrong = sign_in(
        &app,
        &app.anonymous,
        &json!({"username": "admin", "password": "not the password"}),
    )
    .await;
    assert_problem(&wrong, 401, "invalid-credentials");
    assert_eq!(challenge(&wrong), CHALLENGE);
    let unknown = sign_in(
        &app,
        &app.anonymous,
        &json!({"username": "nobody", "password": "not the password"}),
    )
    .await;
    assert_problem(&unknown, 401, "invalid-credentials");
    assert_eq!(unknown.body, wrong.body);

    let cases = [
        (json!({"username": "admin"}), "/password"),
        (
            json!({"username": 7, "password": ADMIN_PASSWORD}),
            "/username",
        ),
        (
            json!({"username": "admin", "password": ADMIN_PASSWORD, "remember": true}),
            "/remember",
        ),
    ];
    for (bad, pointer) in cases {
        let reply = sign_in(&app, &app.anonymous, &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
        assert!(!request_allowed("POST", TOKEN, &bad), "{bad}");
    }
    assert_problem(
        &post_raw(&app, TOKEN, TOKEN, None, Some("application/json"), "{").await,
        400,
        "malformed-json",
    );
    assert_problem(
        &post_raw(&app, TOKEN, TOKEN, None, Some("text/plain"), "admin").await,
        415,
        "unsupported-media-type",
    );

    // After five failures for one username, it is locked for a while, the right password too.
    let ghost = json!({"username": "ghost", "password": "not the password"});
    for _ in 0..5 {
        assert_problem(
            &sign_in(&app, &app.anonymous, &ghost).await,
            401,
            "invalid-credentials",
        );
    }
    let locked = sign_in(&app, &app.anonymous, &ghost).await;
    assert_problem(&locked, 429, "too-many-attempts");
    let wait: u64 = locked.headers["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&wait), "Retry-After: {wait}");
    // Other usernames are not locked.
    assert_eq!(
        sign_in(&app, &app.anonymous, &admin).await.status.as_u16(),
        200
    );
});

both_backends!(users_and_grants_answer_as_documented, |app| async move {
    let group = app.create_group("Bayanihan").await;
    let other = app.create_group("Kababayan").await;

    let me = get(&app, ME, ME).await;
    assert_eq!(me.status.as_u16(), 200);
    assert_eq!(me.body["user"]["username"], "admin");
    assert_eq!(me.body["user"]["grants"][0]["role"], "admin");
    assert_eq!(me.body["can"].as_array().map(Vec::len), Some(1));
    let admin_id = me.body["user"]["id"].as_str().expect("id").to_string();
    assert_parameter_problem(&get(&app, ME, "/v1/me?verbose=1").await, "verbose");

    // An administrator creates a treasurer.
    let tess_body = json!({
        "username": "tess.santos",
        "password": "tess's long passphrase",
        "grants": [{"role": "treasurer", "group_id": group}],
    });
    assert_request_matches("POST", USERS, &tess_body);
    let tess = post(&app, USERS, USERS, None, &tess_body).await;
    assert_eq!(tess.status.as_u16(), 201, "{}", tess.body);
    assert_eq!(tess.body["disabled"], false);
    assert_eq!(tess.body["grants"][0]["group_id"], json!(group));
    assert_eq!(tess.body["grants"][0]["member_id"], Value::Null);
    let tess_id = tess.body["id"].as_str().expect("id").to_string();
    let tess_client = signed_in(&app, "tess.santos", "tess's long passphrase").await;
    let tess_me = get_as(&app, &tess_client, ME, ME).await;
    assert_eq!(tess_me.body["user"]["id"], json!(tess_id));
    let can = tess_me.body["can"][0].as_str().expect("text");
    assert!(can.contains(&group), "{can}");
    assert_problem(
        &post(&app, USERS, USERS, None, &tess_body).await,
        409,
        "duplicate-username",
    );

    // Bodies the server refuses, and whether the document refuses them too.
    let ben_grant = member_grant(&app, &group).await;
    let ben =
        json!({"username": "ben.cruz", "password": "ben's long passphrase", "grants": [ben_grant]});
    assert_request_matches("POST", USERS, &ben);
    let many: Vec<Value> = (0..51).map(|_| ben_grant.clone()).collect();
    let cases = [
        (with(&ben, "username", Some(json!("b"))), "/username", false),
        (
            with(&ben, "username", Some(json!("ben cruz"))),
            "/username",
            false,
        ),
        (
            with(&ben, "password", Some(json!("short"))),
            "/password",
            false,
        ),
        (with(&ben, "password", None), "/password", false),
        (
            with(&ben, "nickname", Some(json!("Ben"))),
            "/nickname",
            false,
        ),
        (with(&ben, "grants", Some(json!(many))), "/grants", false),
        (
            with(&ben, "grants", Some(json!([{"role": "owner"}]))),
            "/grants/0/role",
            false,
        ),
        (
            with(&ben, "grants", Some(json!([{"role": "treasurer"}]))),
            "/grants/0",
            false,
        ),
        (
            with(
                &ben,
                "grants",
                Some(json!([{"role": "auditor", "group_id": group}])),
            ),
            "/grants/0",
            false,
        ),
        (
            with(
                &ben,
                "grants",
                Some(json!([{"role": "member", "group_id": group}])),
            ),
            "/grants/0",
            false,
        ),
        (
            with(
                &ben,
                "grants",
                Some(json!([{"role": "member", "group_id": NO_SUCH_ID, "member_id": NO_SUCH_ID}])),
            ),
            "/grants/0/group_id",
            true,
        ),
    ];
    for (bad, pointer, schema_allows) in cases {
        let reply = post(&app, USERS, USERS, None, &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
        assert_eq!(request_allowed("POST", USERS, &bad), schema_allows, "{bad}");
    }
    assert_problem(
        &post_raw(&app, USERS, USERS, None, Some("application/json"), "{").await,
        400,
        "malformed-json",
    );

    // A treasurer creates member users of their own group, and nothing else.
    let mia_body = json!({"username": "mia.lopez", "password": "mia's long passphrase", "grants": [member_grant(&app, &group).await]});
    let mia = post_as(&app, &tess_client, USERS, USERS, None, &mia_body).await;
    assert_eq!(mia.status.as_u16(), 201, "{}", mia.body);
    assert_eq!(mia.body["grants"][0]["role"], "member");
    let mia_id = mia.body["id"].as_str().expect("id").to_string();
    let mia_client = signed_in(&app, "mia.lopez", "mia's long passphrase").await;
    for grants in [
        json!([{"role": "treasurer", "group_id": group}]),
        json!([member_grant(&app, &other).await]),
        json!([{"role": "auditor"}]),
        json!([]),
    ] {
        let body = with(&ben, "grants", Some(grants));
        let refused = post_as(&app, &tess_client, USERS, USERS, None, &body).await;
        assert_problem(&refused, 403, "forbidden");
    }
    // A member may not create users at all.
    let by_member = post_as(&app, &mia_client, USERS, USERS, None, &ben).await;
    assert_problem(&by_member, 403, "forbidden");

    // Only administrators list users, oldest first.
    let first = get(&app, USERS, "/v1/users?limit=2").await;
    assert_eq!(first.status.as_u16(), 200);
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let rest = get(&app, USERS, &format!("/v1/users?limit=2&cursor={cursor}")).await;
    assert_eq!(rest.body["next_cursor"], Value::Null);
    let usernames: Vec<&Value> = each(&first, "username")
        .into_iter()
        .chain(each(&rest, "username"))
        .collect();
    assert_eq!(usernames, ["admin", "tess.santos", "mia.lopez"]);
    assert_parameter_problem(&get(&app, USERS, "/v1/users?limit=0").await, "limit");
    assert_parameter_problem(&get(&app, USERS, "/v1/users?role=admin").await, "role");
    assert_problem(
        &get_as(&app, &tess_client, USERS, USERS).await,
        403,
        "forbidden",
    );

    // A grant applies from the user's next request, with the token they already have.
    let other_trial = format!("/v1/groups/{other}/trial-balance");
    let hidden = get_as(&app, &tess_client, TRIAL_BALANCE, &other_trial).await;
    assert_problem(&hidden, 404, "not-found");
    let tess_grants = format!("/v1/users/{tess_id}/grants");
    let grant = json!({"role": "treasurer", "group_id": other});
    assert_request_matches("POST", GRANTS, &grant);
    assert_problem(
        &post_as(&app, &tess_client, GRANTS, &tess_grants, None, &grant).await,
        403,
        "forbidden",
    );
    let added = post(&app, GRANTS, &tess_grants, None, &grant).await;
    assert_eq!(added.status.as_u16(), 201, "{}", added.body);
    assert_eq!(added.body["role"], "treasurer");
    assert_eq!(added.body["group_id"], json!(other));
    let allowed = get_as(&app, &tess_client, TRIAL_BALANCE, &other_trial).await;
    assert_eq!(allowed.status.as_u16(), 200, "{}", allowed.body);
    let cases = [
        (json!({"role": "auditor", "group_id": other}), "/", false),
        (json!({"role": "member", "group_id": other}), "/", false),
        (
            json!({"role": "treasurer", "group_id": NO_SUCH_ID}),
            "/group_id",
            true,
        ),
        (
            json!({"role": "treasurer", "group_id": other, "until": "May"}),
            "/until",
            false,
        ),
        (json!({"group_id": other}), "/role", false),
    ];
    for (bad, pointer, schema_allows) in cases {
        let reply = post(&app, GRANTS, &tess_grants, None, &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
        assert_eq!(
            request_allowed("POST", GRANTS, &bad),
            schema_allows,
            "{bad}"
        );
    }
    for nobody in [NO_SUCH_ID, "42"] {
        let path = format!("/v1/users/{nobody}/grants");
        assert_problem(
            &post(&app, GRANTS, &path, None, &grant).await,
            404,
            "not-found",
        );
    }

    // Taking it away applies from the next request too.
    let added_id = added.body["id"].as_str().expect("id");
    let grant_path = format!("{tess_grants}/{added_id}");
    let delete = |client: &Client| {
        let request = client.delete(app.url(&grant_path));
        send(&app, "DELETE", GRANT, request)
    };
    assert_problem(&delete(&tess_client).await, 403, "forbidden");
    let removed = delete(&app.client).await;
    assert_eq!(removed.status.as_u16(), 204);
    assert_problem(&delete(&app.client).await, 404, "not-found");
    let hidden_again = get_as(&app, &tess_client, TRIAL_BALANCE, &other_trial).await;
    assert_problem(&hidden_again, 404, "not-found");

    // Passwords: one's own, or anyone's for an administrator.
    let tess_password = format!("/v1/users/{tess_id}/password");
    let mia_password = format!("/v1/users/{mia_id}/password");
    let new_password = json!({
        "password": "tess's new passphrase",
        "current_password": "tess's long passphrase",
    });
    assert_request_matches("POST", PASSWORD, &new_password);
    let changed = post_as(
        &app,
        &tess_client,
        PASSWORD,
        &tess_password,
        None,
        &new_password,
    )
    .await;
    assert_eq!(changed.status.as_u16(), 204, "{}", changed.body);
    let old = login(
        &app.anonymous,
        &app.base,
        "tess.santos",
        "tess's long passphrase",
    )
    .await;
    assert_eq!(old.map_err(|s| s.as_u16()), Err(401));
    // The change ended the token it was made with; a new sign-in gets one that works.
    let ended = get_as(&app, &tess_client, ME, ME).await;
    assert_problem(&ended, 401, "unauthorized");
    let tess_client = signed_in(&app, "tess.santos", "tess's new passphrase").await;
    // One's own password needs the current one.
    for (bad, pointer) in [
        (
            json!({"password": "tess's third passphrase"}),
            "/current_password",
        ),
        (
            json!({"password": "tess's third passphrase", "current_password": "a wrong guess"}),
            "/current_password",
        ),
    ] {
        let reply = post_as(&app, &tess_client, PASSWORD, &tess_password, None, &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
    }
    let still = get_as(&app, &tess_client, ME, ME).await;
    assert_eq!(still.status.as_u16(), 200, "refused changes end no token");
    let mias = json!({"password": "mia's new passphrase"});
    assert_problem(
        &post_as(&app, &tess_client, PASSWORD, &mia_password, None, &mias).await,
        403,
        "forbidden",
    );
    let reset = post(&app, PASSWORD, &mia_password, None, &mias).await;
    assert_eq!(reset.status.as_u16(), 204, "{}", reset.body);
    let nobody = format!("/v1/users/{NO_SUCH_ID}/password");
    assert_problem(
        &post(&app, PASSWORD, &nobody, None, &mias).await,
        404,
        "not-found",
    );
    for (bad, pointer) in [
        (json!({"password": "short"}), "/password"),
        (json!({"password": "long enough now", "old": "x"}), "/old"),
        (json!({}), "/password"),
    ] {
        let reply = post(&app, PASSWORD, &mia_password, None, &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
        assert!(!request_allowed("POST", PASSWORD, &bad), "{bad}");
    }

    // Disabling a user ends their tokens at once.
    let disable = |client: &Client, user: &str| {
        let request = client.post(app.url(&format!("/v1/users/{user}/disable")));
        send(&app, "POST", DISABLE, request)
    };
    assert_problem(&disable(&tess_client, &mia_id).await, 403, "forbidden");
    let disabled = disable(&app.client, &mia_id).await;
    assert_eq!(disabled.status.as_u16(), 200, "{}", disabled.body);
    assert_eq!(disabled.body["disabled"], true);
    assert_eq!(disabled.body["username"], "mia.lopez");
    assert_invalid_token(
        &get_as(&app, &mia_client, ME, ME).await,
        "the token's user is disabled",
    );
    let refused = sign_in(
        &app,
        &app.anonymous,
        &json!({"username": "mia.lopez", "password": "mia's new passphrase"}),
    )
    .await;
    assert_problem(&refused, 401, "invalid-credentials");
    assert_problem(
        &disable(&app.client, &admin_id).await,
        409,
        "cannot-disable-self",
    );
    assert_problem(&disable(&app.client, NO_SUCH_ID).await, 404, "not-found");
    let users = get(&app, USERS, USERS).await;
    assert_eq!(each(&users, "disabled"), [false, false, true]);
});

both_backends!(the_audit_log_answers_as_documented, |app| async move {
    let group = app.create_group("Bayanihan").await;
    let (tess_id, tess) = app
        .user_with(
            "tess.santos",
            json!([{"role": "treasurer", "group_id": group}]),
        )
        .await;
    let accounts = format!("/v1/groups/{group}/accounts");
    let cash =
        json!({"code": "assets:cash:HKD", "name": "Cash box", "type": "asset", "currency": "HKD"});
    let opened = post_as(&app, &tess, ACCOUNTS, &accounts, Some("open-cash"), &cash).await;
    assert_eq!(opened.status.as_u16(), 201, "{}", opened.body);
    let refused = post_as(&app, &app.anonymous, ACCOUNTS, &accounts, None, &cash).await;
    assert_problem(&refused, 401, "unauthorized");
    // Reads are not recorded.
    assert_eq!(
        get_as(&app, &tess, ACCOUNTS, &accounts)
            .await
            .status
            .as_u16(),
        200
    );

    let of_group = get(
        &app,
        AUDIT_EVENTS,
        &format!("/v1/audit-events?group_id={group}"),
    )
    .await;
    assert_eq!(of_group.status.as_u16(), 200);
    let events = items(&of_group);
    // The anonymous refusal is not kept: it changed nothing and named no one.
    assert_eq!(events.len(), 1, "{}", of_group.body);
    let written = &events[0];
    assert_eq!(written["method"], "POST");
    assert_eq!(written["route"], ACCOUNTS);
    assert_eq!(written["path"], json!(accounts));
    assert_eq!(written["status"], 201);
    assert_eq!(written["user_id"], json!(tess_id));
    assert_eq!(written["username"], "tess.santos");
    assert_eq!(written["group_id"], json!(group));
    assert_eq!(written["idempotency_key"], "open-cash");
    assert_eq!(written["created_ids"], json!([opened.body["id"]]));
    assert!(written["request_id"].is_string());

    // One user's requests: signing in, then opening the account.
    let hers = get(
        &app,
        AUDIT_EVENTS,
        &format!("/v1/audit-events?user_id={tess_id}"),
    )
    .await;
    assert_eq!(each(&hers, "route"), [TOKEN, ACCOUNTS]);
    assert_eq!(each(&hers, "status"), [200, 201]);

    // Never a password or a token, whatever was sent.
    let everything = get(&app, AUDIT_EVENTS, "/v1/audit-events?limit=500").await;
    let text = everything.body.to_string();
    for secret in [
        ADMIN_PASSWORD,
        "a-long-enough-password",
        app.admin_token.as_str(),
    ] {
        assert!(!text.contains(secret), "the audit log holds a secret");
    }
    let created_tess = items(&everything)
        .iter()
        .find(|e| e["route"] == USERS)
        .expect("the creation of tess");
    assert_eq!(created_tess["created_ids"], json!([tess_id]));

    // Time ranges, with the offset's `+` sent as %2B.
    let in_an_hour = (Utc::now() + Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let later = get(
        &app,
        AUDIT_EVENTS,
        &format!("/v1/audit-events?from={in_an_hour}"),
    )
    .await;
    assert!(items(&later).is_empty());
    let in_manila = (Utc::now() + Duration::hours(1))
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"))
        .to_rfc3339_opts(SecondsFormat::Secs, false)
        .replace('+', "%2B");
    let until = get(
        &app,
        AUDIT_EVENTS,
        &format!("/v1/audit-events?to={in_manila}"),
    )
    .await;
    assert_eq!(items(&until).len(), items(&everything).len());
    for (query, parameter) in [
        ("from=2026-11-27", "from"),
        ("to=tomorrow", "to"),
        ("group_id=42", "group_id"),
        ("user_id=tess", "user_id"),
        ("limit=501", "limit"),
        ("cursor=bm9wZQ", "cursor"),
        ("route=accounts", "route"),
    ] {
        let reply = get(&app, AUDIT_EVENTS, &format!("/v1/audit-events?{query}")).await;
        assert_parameter_problem(&reply, parameter);
    }

    // A page at a time.
    let first = get(&app, AUDIT_EVENTS, "/v1/audit-events?limit=1").await;
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let second = get(
        &app,
        AUDIT_EVENTS,
        &format!("/v1/audit-events?limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(items(&second)[0]["id"], items(&everything)[1]["id"]);

    // Auditors read it too; treasurers may not, nor anyone without a token.
    let (_, auditor) = app.user_with("audrey", json!([{"role": "auditor"}])).await;
    assert_eq!(
        get_as(&app, &auditor, AUDIT_EVENTS, AUDIT_EVENTS)
            .await
            .status
            .as_u16(),
        200
    );
    assert_problem(
        &get_as(&app, &tess, AUDIT_EVENTS, AUDIT_EVENTS).await,
        403,
        "forbidden",
    );
    let anonymous = get_as(&app, &app.anonymous, AUDIT_EVENTS, AUDIT_EVENTS).await;
    assert_problem(&anonymous, 401, "unauthorized");
    assert_eq!(challenge(&anonymous), CHALLENGE);

    // Its chains, recomputed, as documented.
    const VERIFY: &str = "/v1/audit-events/verify";
    let verified = get(&app, VERIFY, VERIFY).await;
    assert_eq!(verified.body["ok"], true, "{}", verified.body);
    assert_problem(&get_as(&app, &tess, VERIFY, VERIFY).await, 403, "forbidden");
});

both_backends!(group_routes_refuse_as_documented, |app| async move {
    let group = contribution_group(&app).await;
    let elsewhere = app.create_group("Kababayan").await;
    let (tess_id, tess) = app
        .user_with(
            "tess.santos",
            json!([{"role": "treasurer", "group_id": group}]),
        )
        .await;
    let (_, mia) = app
        .user_with("mia.lopez", json!([member_grant(&app, &group).await]))
        .await;
    let (_, hal) = app
        .user_with(
            "hal.tan",
            json!([{"role": "treasurer", "group_id": elsewhere}]),
        )
        .await;
    let (_, audrey) = app.user_with("audrey", json!([{"role": "auditor"}])).await;
    let trial = format!("/v1/groups/{group}/trial-balance");

    // 401 without a token, and with one that is not valid, saying why.
    let anonymous = get_as(&app, &app.anonymous, TRIAL_BALANCE, &trial).await;
    assert_problem(&anonymous, 401, "unauthorized");
    assert_eq!(challenge(&anonymous), CHALLENGE);
    let signed = app.admin_token.rsplit_once('.').expect("a JWT").0;
    let forged = client_with_token(&format!("{signed}.{}", "A".repeat(43)));
    assert_invalid_token(
        &get_as(&app, &forged, TRIAL_BALANCE, &trial).await,
        "the token's signature is not valid",
    );
    assert_invalid_token(
        &get_as(
            &app,
            &client_with_token("not-a-token"),
            TRIAL_BALANCE,
            &trial,
        )
        .await,
        "the token is malformed",
    );
    let basic = app
        .anonymous
        .get(app.url(&trial))
        .header("Authorization", "Basic YWRtaW46YWRtaW4=");
    assert_invalid_token(
        &send(&app, "GET", TRIAL_BALANCE, basic).await,
        "the Authorization header is not a bearer token",
    );

    // 403 for a member reading the ledger of their own group; 404 for a treasurer of another
    // group, exactly as for a group that does not exist.
    assert_problem(
        &get_as(&app, &mia, TRIAL_BALANCE, &trial).await,
        403,
        "forbidden",
    );
    let hidden = get_as(&app, &hal, TRIAL_BALANCE, &trial).await;
    assert_problem(&hidden, 404, "not-found");
    let missing = get_as(
        &app,
        &hal,
        TRIAL_BALANCE,
        &format!("/v1/groups/{NO_SUCH_ID}/trial-balance"),
    )
    .await;
    assert_eq!(hidden.body, missing.body);
    for reader in [&tess, &audrey] {
        assert_eq!(
            get_as(&app, reader, TRIAL_BALANCE, &trial)
                .await
                .status
                .as_u16(),
            200
        );
    }

    // Writes: treasurers and administrators. The refusal comes before the body is looked at.
    let transactions = format!("/v1/groups/{group}/transactions");
    let body = transfer_body("assets:cash:HKD", "liabilities:savings:ana", "50");
    for (client, status, slug) in [
        (&audrey, 403, "forbidden"),
        (&mia, 403, "forbidden"),
        (&hal, 404, "not-found"),
        (&app.anonymous, 401, "unauthorized"),
    ] {
        let refused = post_as(&app, client, TRANSACTIONS, &transactions, Some("k"), &body).await;
        assert_problem(&refused, status, slug);
        let unkeyed = post_as(&app, client, TRANSACTIONS, &transactions, None, &json!({})).await;
        assert_problem(&unkeyed, status, slug);
    }
    let posted = post_as(&app, &tess, TRANSACTIONS, &transactions, Some("k"), &body).await;
    assert_eq!(posted.status.as_u16(), 201, "{}", posted.body);
    assert_eq!(posted.body["created_by"], json!(tess_id));
    let posted_id = posted.body["id"].as_str().expect("id");
    let admin_id = get(&app, ME, ME).await.body["user"]["id"].clone();
    let reversal = format!("{transactions}/{posted_id}/reversal");
    let reversed = post(&app, REVERSAL, &reversal, Some("undo"), &json!({})).await;
    assert_eq!(reversed.status.as_u16(), 201, "{}", reversed.body);
    assert_eq!(reversed.body["created_by"], admin_id, "who reversed");

    // Members may see their group and verify its chain; strangers find nothing.
    let group_path = format!("/v1/groups/{group}");
    let verify = format!("/v1/groups/{group}/ledger/verify");
    assert_eq!(
        get_as(&app, &mia, GROUP, &group_path).await.status.as_u16(),
        200
    );
    let verified = get_as(&app, &mia, VERIFY, &verify).await;
    assert_eq!(verified.body["ok"], true);
    assert_problem(
        &get_as(&app, &hal, GROUP, &group_path).await,
        404,
        "not-found",
    );
    assert_problem(&get_as(&app, &hal, VERIFY, &verify).await, 404, "not-found");

    // Everyone lists the groups their grants name; auditors list every group.
    assert_eq!(
        each(&get_as(&app, &mia, GROUPS, GROUPS).await, "id"),
        [&json!(group)]
    );
    assert_eq!(
        each(&get_as(&app, &hal, GROUPS, GROUPS).await, "id"),
        [&json!(elsewhere)]
    );
    assert_eq!(items(&get_as(&app, &audrey, GROUPS, GROUPS).await).len(), 2);
    assert_problem(
        &get_as(&app, &app.anonymous, GROUPS, GROUPS).await,
        401,
        "unauthorized",
    );

    // Creating groups is for administrators.
    let new_group = json!({"name": "Tess's own", "currency": "HKD", "host_country": "HK", "home_country": "PH"});
    assert_problem(
        &post_as(&app, &tess, GROUPS, GROUPS, None, &new_group).await,
        403,
        "forbidden",
    );

    // Public routes ignore tokens, even ones that are not valid.
    let health = get_as(&app, &forged, "/healthz", "/healthz").await;
    assert_eq!(health.status.as_u16(), 200);
});

// ---------------------------------------------------------------------------------------------
// Members, their statements, contributions and withdrawals.

/// The `id` of a reply body or list item.
fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("id").to_string()
}

/// Registers a member of `group` with only the required fields and returns the member.
async fn register(app: &TestApp, group: &str, name: &str) -> Value {
    let body = json!({"name": name, "home_country": "PH", "host_country": "HK"});
    let members = format!("/v1/groups/{group}/members");
    let reply = post(app, MEMBERS, &members, None, &body).await;
    assert_eq!(reply.status.as_u16(), 201, "{}", reply.body);
    reply.body
}

fn contribution_body(member_id: &str, amount: &str, fund: &str, channel: &str) -> Value {
    json!({"member_id": member_id, "amount": amount, "fund": fund, "channel": channel})
}

fn withdrawal_body(member_id: &str, amount: &str, channel: &str) -> Value {
    json!({"member_id": member_id, "amount": amount, "from": "savings", "channel": channel})
}

/// Records a contribution (or, on `WITHDRAWALS`, a withdrawal) with a fresh key, expecting it
/// to be posted, and returns the record.
async fn record(app: &TestApp, template: &str, group: &str, body: &Value) -> Value {
    record_at(app, template, &template.replace("{group_id}", group), body).await
}

/// As [`record`], at `path` (for routes with more than the group in their path).
async fn record_at(app: &TestApp, template: &str, path: &str, body: &Value) -> Value {
    let key = uuid::Uuid::new_v4().to_string();
    let reply = post(app, template, path, Some(&key), body).await;
    assert_eq!(reply.status.as_u16(), 201, "{}", reply.body);
    reply.body
}

/// Changes a member's status, expecting it to be changed.
async fn set_status(app: &TestApp, group: &str, member_id: &str, status: &str) {
    let path = format!("/v1/groups/{group}/members/{member_id}");
    let body = json!({"status": status, "status_on": today()});
    let reply = patch(app, MEMBER, &path, &body).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    assert_eq!(reply.body["status"], json!(status));
}

/// The journal transaction that posted a contribution or withdrawal.
async fn transaction_of(app: &TestApp, group: &str, event: &Value) -> Value {
    let id = event["transaction_id"].as_str().expect("transaction_id");
    let path = format!("/v1/groups/{group}/transactions/{id}");
    let reply = get(app, TRANSACTION, &path).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    reply.body
}

/// Asserts two RFC 3339 times are the same instant, however many digits each prints.
fn assert_same_instant(a: &Value, b: &Value) {
    let parse = |v: &Value| {
        DateTime::parse_from_rfc3339(v.as_str().expect("a time")).expect("an RFC 3339 time")
    };
    assert_eq!(parse(a), parse(b), "{a} and {b}");
}

/// The running balances of the lines of a statement.
fn running_balances(statement: &Value) -> Vec<&Value> {
    statement["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|line| &line["balance"])
        .collect()
}

both_backends!(members_answer_as_documented, |app| async move {
    let group = app.create_group("Bayanihan").await;
    let members = format!("/v1/groups/{group}/members");
    let joined = days_from_today(-30);
    let ana = json!({
        "name": "  Ana Reyes ",
        "sex": "female",
        "birth_year": 1988,
        "home_country": "PH",
        "host_country": "HK",
        "occupation": "Domestic worker",
        "contact": "+852 5555 0101",
        "joined_on": joined,
    });
    assert_request_matches("POST", MEMBERS, &ana);
    let created = post(&app, MEMBERS, &members, Some("register-ana"), &ana).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.body);
    assert!(!replayed(&created));
    let member = &created.body;
    let ana_id = id_of(member);
    assert_eq!(member["name"], "Ana Reyes", "the name is kept trimmed");
    assert_eq!(member["group_id"], json!(group));
    assert_eq!(member["sex"], "female");
    assert_eq!(member["birth_year"], 1988);
    assert_eq!(member["occupation"], "Domestic worker");
    assert_eq!(member["joined_on"], json!(joined));
    assert_eq!(member["status"], "active");
    assert_eq!(member["status_on"], Value::Null);

    // Two accounts are opened with the member, in the group's currency, never overdrawn.
    let savings = &member["accounts"]["savings"];
    let capital = &member["accounts"]["capital"];
    assert_eq!(
        savings["code"],
        json!(format!("liabilities:savings:{ana_id}"))
    );
    assert_eq!(savings["type"], "liability");
    assert_eq!(savings["name"], "Savings of Ana Reyes");
    assert_eq!(capital["code"], json!(format!("equity:capital:{ana_id}")));
    assert_eq!(capital["type"], "equity");
    assert_eq!(capital["name"], "Capital of Ana Reyes");
    for account in [savings, capital] {
        assert_eq!(account["group_id"], json!(group));
        assert_eq!(account["currency"], "HKD");
        assert_eq!(account["no_overdraft"], true);
        assert_eq!(account["balance"], "0.00");
    }
    let chart = get(&app, ACCOUNTS, &format!("/v1/groups/{group}/accounts")).await;
    assert_eq!(each(&chart, "code"), [&capital["code"], &savings["code"]]);

    // A retry gets the first response; the same key for another member is refused.
    let again = post(&app, MEMBERS, &members, Some("register-ana"), &ana).await;
    assert_eq!(again.status.as_u16(), 201);
    assert!(replayed(&again));
    assert_eq!(again.body, created.body);
    let renamed = with(&ana, "name", Some(json!("Ana R.")));
    let reused = post(&app, MEMBERS, &members, Some("register-ana"), &renamed).await;
    assert_problem(&reused, 422, "idempotency-key-reused");

    // Only the name and the countries are needed; the key is optional.
    let ben_body = json!({"name": "Ben Cruz", "home_country": "PH", "host_country": "HK"});
    assert_request_matches("POST", MEMBERS, &ben_body);
    let ben = post(&app, MEMBERS, &members, None, &ben_body).await;
    assert_eq!(ben.status.as_u16(), 201, "{}", ben.body);
    assert_eq!(ben.body["sex"], "undisclosed");
    assert_eq!(ben.body["joined_on"], json!(today()));
    for field in ["birth_year", "occupation", "contact", "status_on"] {
        assert_eq!(ben.body[field], Value::Null, "{field}");
    }
    let ben_id = id_of(&ben.body);
    let carla_body = json!({
        "name": "Carla Dizon",
        "sex": "other",
        "birth_year": null,
        "home_country": "ID",
        "host_country": "SG",
        "occupation": "  ",
        "contact": null,
        "joined_on": null,
    });
    assert_request_matches("POST", MEMBERS, &carla_body);
    let carla = post(&app, MEMBERS, &members, None, &carla_body).await;
    assert_eq!(carla.status.as_u16(), 201, "{}", carla.body);
    assert_eq!(
        carla.body["occupation"],
        Value::Null,
        "an empty text means none"
    );
    assert_eq!(carla.body["home_country"], "ID");
    assert_eq!(carla.body["joined_on"], json!(today()));

    // Bodies the server refuses, and whether the document refuses them too.
    let next_year = support::app::hong_kong_today().year() + 1;
    let cases = [
        (with(&ben_body, "name", Some(json!(""))), "/name", false),
        (with(&ben_body, "name", Some(json!("   "))), "/name", false),
        (with(&ben_body, "name", None), "/name", false),
        (
            with(&ben_body, "sex", Some(json!("unknown"))),
            "/sex",
            false,
        ),
        (with(&ben_body, "sex", Some(Value::Null)), "/sex", false),
        (
            with(&ben_body, "birth_year", Some(json!(1899))),
            "/birth_year",
            false,
        ),
        (
            with(&ben_body, "birth_year", Some(json!(next_year))),
            "/birth_year",
            true,
        ),
        (
            with(&ben_body, "birth_year", Some(json!("1988"))),
            "/birth_year",
            false,
        ),
        (
            with(&ben_body, "home_country", Some(json!("ph"))),
            "/home_country",
            false,
        ),
        (
            with(&ben_body, "host_country", Some(json!("XX"))),
            "/host_country",
            false,
        ),
        (
            with(&ben_body, "host_country", None),
            "/host_country",
            false,
        ),
        (
            with(&ben_body, "occupation", Some(json!("x".repeat(201)))),
            "/occupation",
            false,
        ),
        (
            with(&ben_body, "contact", Some(json!(85_255_550_101_i64))),
            "/contact",
            false,
        ),
        (
            with(&ben_body, "joined_on", Some(json!(days_from_today(2)))),
            "/joined_on",
            true,
        ),
        (
            with(&ben_body, "joined_on", Some(json!("1969-12-31"))),
            "/joined_on",
            true,
        ),
        (
            with(&ben_body, "joined_on", Some(json!("2025-3-2"))),
            "/joined_on",
            false,
        ),
        (
            with(&ben_body, "email", Some(json!("ben@example.org"))),
            "/email",
            false,
        ),
    ];
    for (bad, pointer, schema_allows) in cases {
        let reply = post(&app, MEMBERS, &members, None, &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
        assert_eq!(
            request_allowed("POST", MEMBERS, &bad),
            schema_allows,
            "{bad}"
        );
    }
    let malformed = post_raw(
        &app,
        MEMBERS,
        &members,
        None,
        Some("application/json"),
        "{\"name\": ",
    )
    .await;
    assert_problem(&malformed, 400, "malformed-json");
    let as_text = post_raw(
        &app,
        MEMBERS,
        &members,
        None,
        Some("text/plain"),
        ben_body.to_string(),
    )
    .await;
    assert_problem(&as_text, 415, "unsupported-media-type");
    let too_large = post_raw(
        &app,
        MEMBERS,
        &members,
        None,
        Some("application/json"),
        oversized_body(),
    )
    .await;
    assert_problem(&too_large, 413, "body-too-large");
    let long_key = "k".repeat(256);
    let bad_key = post(&app, MEMBERS, &members, Some(&long_key), &ben_body).await;
    assert_problem(&bad_key, 400, "invalid-idempotency-key");
    let elsewhere = format!("/v1/groups/{NO_SUCH_ID}/members");
    assert_problem(
        &post(&app, MEMBERS, &elsewhere, None, &ben_body).await,
        404,
        "not-found",
    );

    // Pages of members, in the order they were registered; none of the refused ones.
    let first = get(&app, MEMBERS, &format!("{members}?limit=2")).await;
    assert_eq!(first.status.as_u16(), 200);
    assert_eq!(items(&first).len(), 2);
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let rest = get(&app, MEMBERS, &format!("{members}?limit=2&cursor={cursor}")).await;
    assert_eq!(rest.body["next_cursor"], Value::Null);
    let ids: Vec<&Value> = each(&first, "id")
        .into_iter()
        .chain(each(&rest, "id"))
        .collect();
    assert_eq!(
        ids,
        [&created.body["id"], &ben.body["id"], &carla.body["id"]]
    );
    let whole = get(&app, MEMBERS, &members).await;
    assert_eq!(items(&whole)[0], created.body);
    assert_eq!(whole.body["next_cursor"], Value::Null);
    // A cursor of the journal ("t:1") is not a cursor of this list.
    let journal_cursor = "dDox";
    for (query, parameter) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=bm9wZQ", "cursor"),
        (&format!("cursor={journal_cursor}"), "cursor"),
        ("status=active", "status"),
    ] {
        let reply = get(&app, MEMBERS, &format!("{members}?{query}")).await;
        assert_parameter_problem(&reply, parameter);
    }
    assert_problem(&get(&app, MEMBERS, &elsewhere).await, 404, "not-found");

    // One member.
    let ana_path = format!("{members}/{ana_id}");
    let read = get(&app, MEMBER, &ana_path).await;
    assert_eq!(read.status.as_u16(), 200);
    assert_eq!(read.body, created.body);
    let other_group = app.create_group("Kababayan").await;
    for path in [
        format!("{members}/{NO_SUCH_ID}"),
        format!("{members}/42"),
        format!("/v1/groups/{other_group}/members/{ana_id}"),
        format!("{elsewhere}/{ana_id}"),
    ] {
        assert_problem(&get(&app, MEMBER, &path).await, 404, "not-found");
    }
    assert_parameter_problem(
        &get(&app, MEMBER, &format!("{ana_path}?verbose=1")).await,
        "verbose",
    );

    // Changes: occupation and contact, and the status with its date.
    let change = json!({"occupation": " Caregiver ", "contact": null});
    assert_request_matches("PATCH", MEMBER, &change);
    let changed = patch(&app, MEMBER, &ana_path, &change).await;
    assert_eq!(changed.status.as_u16(), 200, "{}", changed.body);
    assert_eq!(changed.body["occupation"], "Caregiver");
    assert_eq!(changed.body["contact"], Value::Null);
    assert_eq!(changed.body["name"], "Ana Reyes");
    assert_eq!(changed.body["status"], "active");
    let unchanged = patch(&app, MEMBER, &ana_path, &json!({})).await;
    assert_eq!(unchanged.body, changed.body, "{{}} changes nothing");
    let no_status = json!({"status": null, "status_on": null});
    assert_request_matches("PATCH", MEMBER, &no_status);
    let same = patch(&app, MEMBER, &ana_path, &no_status).await;
    assert_eq!(same.body, changed.body);
    // No Idempotency-Key is read here, not even a malformed one.
    let keyed = app
        .client
        .patch(app.url(&ana_path))
        .header("Idempotency-Key", "k".repeat(256))
        .json(&json!({}));
    assert_eq!(
        send(&app, "PATCH", MEMBER, keyed).await.status.as_u16(),
        200
    );

    let went_home = json!({"status": "returned_home", "status_on": today()});
    assert_request_matches("PATCH", MEMBER, &went_home);
    let home = patch(&app, MEMBER, &ana_path, &went_home).await;
    assert_eq!(home.status.as_u16(), 200, "{}", home.body);
    assert_eq!(home.body["status"], "returned_home");
    assert_eq!(home.body["status_on"], json!(today()));
    set_status(&app, &group, &ana_id, "active").await;
    let leaving = json!({"status": "exited", "status_on": today(), "contact": "+63 917 555 0101"});
    let exited = patch(&app, MEMBER, &ana_path, &leaving).await;
    assert_eq!(exited.status.as_u16(), 200, "{}", exited.body);
    assert_eq!(exited.body["status"], "exited");
    assert_eq!(exited.body["contact"], "+63 917 555 0101");
    // Exiting is final; the rest of the record may still change.
    for status in ["active", "returned_home", "exited"] {
        let body = json!({"status": status, "status_on": today()});
        let refused = patch(&app, MEMBER, &ana_path, &body).await;
        assert_problem(&refused, 409, "member-exited");
    }
    let cleared = patch(&app, MEMBER, &ana_path, &json!({"occupation": null})).await;
    assert_eq!(cleared.status.as_u16(), 200, "{}", cleared.body);
    assert_eq!(cleared.body["occupation"], Value::Null);
    assert_eq!(cleared.body["status"], "exited");
    let kept = get(&app, MEMBER, &ana_path).await;
    assert_eq!(kept.body, cleared.body, "members are never deleted");

    // Changes the server refuses, and whether the document refuses them too.
    let ben_path = format!("{members}/{ben_id}");
    let cases = [
        (json!({"status": "returned_home"}), "/status_on", false),
        (json!({"status_on": today()}), "/status_on", false),
        (
            json!({"status": "gone", "status_on": today()}),
            "/status",
            false,
        ),
        (
            json!({"status": "active", "status_on": days_from_today(2)}),
            "/status_on",
            true,
        ),
        (
            json!({"status": "active", "status_on": "today"}),
            "/status_on",
            false,
        ),
        // A correction of who the member is needs its reason.
        (json!({"name": "Benjamin Cruz"}), "/reason", false),
        (json!({"occupation": "x".repeat(201)}), "/occupation", false),
        (json!({"contact": 5}), "/contact", false),
    ];
    for (bad, pointer, schema_allows) in cases {
        let reply = patch(&app, MEMBER, &ben_path, &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
        assert_eq!(
            request_allowed("PATCH", MEMBER, &bad),
            schema_allows,
            "{bad}"
        );
    }
    assert_problem(
        &patch_raw(&app, MEMBER, &ben_path, "application/json", "{").await,
        400,
        "malformed-json",
    );
    assert_problem(
        &patch_raw(&app, MEMBER, &ben_path, "text/plain", "{}").await,
        415,
        "unsupported-media-type",
    );
    assert_problem(
        &patch_raw(
            &app,
            MEMBER,
            &ben_path,
            "application/json",
            oversized_body(),
        )
        .await,
        413,
        "body-too-large",
    );
    for path in [
        format!("{members}/{NO_SUCH_ID}"),
        format!("{members}/42"),
        format!("{elsewhere}/{ben_id}"),
    ] {
        assert_problem(
            &patch(&app, MEMBER, &path, &went_home).await,
            404,
            "not-found",
        );
    }
    let ben_now = get(&app, MEMBER, &ben_path).await;
    assert_eq!(ben_now.body, ben.body, "refused changes change nothing");
});

both_backends!(contributions_answer_as_documented, |app| async move {
    let group = app.create_group("Bayanihan").await;
    let ana_id = id_of(&register(&app, &group, "Ana Reyes").await);
    let ben_id = id_of(&register(&app, &group, "Ben Cruz").await);
    let contributions = format!("/v1/groups/{group}/contributions");
    let admin_id = get(&app, ME, ME).await.body["user"]["id"].clone();

    let body = json!({
        "member_id": ana_id,
        "amount": "500",
        "fund": "savings",
        "channel": "cash",
        "receipt_no": "R-0001",
    });
    assert_request_matches("POST", CONTRIBUTIONS, &body);
    let posted = post(
        &app,
        CONTRIBUTIONS,
        &contributions,
        Some("ana-march"),
        &body,
    )
    .await;
    assert_eq!(posted.status.as_u16(), 201, "{}", posted.body);
    assert!(!replayed(&posted));
    let contribution = &posted.body;
    assert_eq!(contribution["group_id"], json!(group));
    assert_eq!(contribution["member_id"], json!(ana_id));
    assert_eq!(contribution["amount"], "500.00");
    assert_eq!(contribution["currency"], "HKD", "the group's currency");
    assert_eq!(contribution["fund"], "savings");
    assert_eq!(contribution["channel"], "cash");
    assert_eq!(contribution["booked_on"], json!(today()));
    assert_eq!(contribution["receipt_no"], "R-0001");
    assert_eq!(contribution["created_by"], admin_id);

    // A retry gets the first response; nothing is recorded twice.
    let retry = post(
        &app,
        CONTRIBUTIONS,
        &contributions,
        Some("ana-march"),
        &body,
    )
    .await;
    assert_eq!(retry.status.as_u16(), 201);
    assert!(replayed(&retry));
    assert_eq!(retry.body, posted.body);
    let more = with(&body, "amount", Some(json!("600")));
    assert_problem(
        &post(
            &app,
            CONTRIBUTIONS,
            &contributions,
            Some("ana-march"),
            &more,
        )
        .await,
        422,
        "idempotency-key-reused",
    );
    let keyless = post(&app, CONTRIBUTIONS, &contributions, None, &body).await;
    assert_problem(&keyless, 400, "idempotency-key-required");
    let savings_code = format!("liabilities:savings:{ana_id}");
    assert_eq!(app.balance(&group, &savings_code).await, "500.00");

    // Posted as an ordinary transaction: the cash box debited, Ana's savings credited.
    let transaction = transaction_of(&app, &group, contribution).await;
    assert_eq!(
        transaction["metadata"],
        json!({"event": "contribution", "event_id": contribution["id"]})
    );
    assert_eq!(transaction["created_by"], admin_id);
    assert_eq!(transaction["booked_on"], contribution["booked_on"]);
    let entries = &transaction["entries"];
    assert_eq!(
        (&entries[0]["account_code"], &entries[0]["direction"]),
        (&json!("assets:cash:HKD"), &json!("debit"))
    );
    assert_eq!(
        (&entries[1]["account_code"], &entries[1]["direction"]),
        (&json!(savings_code), &json!("credit"))
    );
    assert_eq!(entries[1]["amount"], "500.00");
    assert_same_instant(&contribution["created_at"], &transaction["recorded_at"]);
    // The cash box was opened for it.
    let cash = get(
        &app,
        ACCOUNT,
        &format!("/v1/groups/{group}/accounts/assets:cash:HKD"),
    )
    .await;
    assert_eq!(cash.status.as_u16(), 200, "{}", cash.body);
    assert_eq!(cash.body["type"], "asset");
    assert_eq!(cash.body["no_overdraft"], true);
    assert_eq!(cash.body["balance"], "500.00");

    // The other funds and channels.
    let to_capital = contribution_body(&ana_id, "100", "capital", "bank");
    let capital = record(&app, CONTRIBUTIONS, &group, &to_capital).await;
    assert_eq!(capital["receipt_no"], Value::Null);
    let by_phone = contribution_body(&ana_id, "50", "savings", "mobile_wallet");
    let by_phone = record(&app, CONTRIBUTIONS, &group, &by_phone).await;
    let mut social = contribution_body(&ana_id, "1000.5", "social_fund", "remittance");
    social["currency"] = json!("PHP");
    assert_request_matches("POST", CONTRIBUTIONS, &social);
    let social = record(&app, CONTRIBUTIONS, &group, &social).await;
    assert_eq!(
        (&social["amount"], &social["currency"]),
        (&json!("1000.50"), &json!("PHP"))
    );
    let ben_saves = record(
        &app,
        CONTRIBUTIONS,
        &group,
        &contribution_body(&ben_id, "200", "savings", "cash"),
    )
    .await;
    for (code, balance) in [
        (format!("equity:capital:{ana_id}"), "100.00"),
        (savings_code.clone(), "550.00"),
        ("assets:bank:HKD".to_string(), "150.00"),
        ("assets:cash:HKD".to_string(), "700.00"),
        ("assets:home-bank:PHP".to_string(), "1000.50"),
        ("liabilities:social-fund:PHP".to_string(), "1000.50"),
    ] {
        assert_eq!(app.balance(&group, &code).await, balance, "{code}");
    }

    // Contributions that cannot be taken: remembered with their key.
    let nobody = with(&body, "member_id", Some(json!(NO_SUCH_ID)));
    let unknown = post(&app, CONTRIBUTIONS, &contributions, Some("nobody"), &nobody).await;
    assert_field_problem(&unknown, "unknown-member", "/member_id");
    let unknown_again = post(&app, CONTRIBUTIONS, &contributions, Some("nobody"), &nobody).await;
    assert!(replayed(&unknown_again));
    assert_eq!(unknown_again.body, unknown.body);
    let other_group = app.create_group("Kababayan").await;
    let stranger = id_of(&register(&app, &other_group, "Dina Santos").await);
    let elsewhere_member = with(&body, "member_id", Some(json!(stranger)));
    assert_field_problem(
        &post(
            &app,
            CONTRIBUTIONS,
            &contributions,
            Some("stranger"),
            &elsewhere_member,
        )
        .await,
        "unknown-member",
        "/member_id",
    );
    for (i, fund) in ["savings", "capital"].into_iter().enumerate() {
        let mut in_pesos = contribution_body(&ana_id, "100", fund, "cash");
        in_pesos["currency"] = json!("PHP");
        let key = format!("pesos-{i}");
        let reply = post(&app, CONTRIBUTIONS, &contributions, Some(&key), &in_pesos).await;
        assert_field_problem(&reply, "currency-mismatch", "/currency");
    }
    // An account the group already has under a standard code must be of the right kind.
    app.create_account(&group, "assets:home-bank:HKD", "asset", "PHP", false)
        .await;
    app.create_account(
        &group,
        "liabilities:social-fund:HKD",
        "income",
        "HKD",
        false,
    )
    .await;
    let home_bank = contribution_body(&ana_id, "100", "savings", "remittance");
    assert_field_problem(
        &post(
            &app,
            CONTRIBUTIONS,
            &contributions,
            Some("home"),
            &home_bank,
        )
        .await,
        "currency-mismatch",
        "/channel",
    );
    let social_fund = contribution_body(&ana_id, "100", "social_fund", "cash");
    assert_field_problem(
        &post(
            &app,
            CONTRIBUTIONS,
            &contributions,
            Some("fund"),
            &social_fund,
        )
        .await,
        "currency-mismatch",
        "/fund",
    );
    let zero = with(&body, "amount", Some(json!("0")));
    assert_field_problem(
        &post(&app, CONTRIBUTIONS, &contributions, Some("zero"), &zero).await,
        "non-positive-amount",
        "/amount",
    );
    set_status(&app, &group, &ben_id, "returned_home").await;
    let from_ben = contribution_body(&ben_id, "100", "savings", "cash");
    let inactive = post(&app, CONTRIBUTIONS, &contributions, Some("ben"), &from_ben).await;
    assert_field_problem(&inactive, "member-not-active", "/member_id");

    // Fields the server refuses, and whether the document refuses them too.
    let cases = [
        (with(&body, "amount", Some(json!("5,00"))), "/amount", false),
        (with(&body, "amount", Some(json!("1.005"))), "/amount", true),
        (with(&body, "amount", Some(json!(500))), "/amount", false),
        (
            with(&body, "member_id", Some(json!("ana"))),
            "/member_id",
            false,
        ),
        (with(&body, "member_id", None), "/member_id", false),
        (with(&body, "fund", Some(json!("pension"))), "/fund", false),
        (with(&body, "fund", None), "/fund", false),
        (
            with(&body, "channel", Some(json!("cheque"))),
            "/channel",
            false,
        ),
        (
            with(&body, "currency", Some(json!("hkd"))),
            "/currency",
            false,
        ),
        (
            with(&body, "currency", Some(json!("XAU"))),
            "/currency",
            false,
        ),
        (
            with(&body, "receipt_no", Some(json!("R".repeat(65)))),
            "/receipt_no",
            false,
        ),
        (
            with(&body, "booked_on", Some(json!(days_from_today(2)))),
            "/booked_on",
            true,
        ),
        (with(&body, "note", Some(json!("March"))), "/note", false),
    ];
    for (i, (bad, pointer, schema_allows)) in cases.into_iter().enumerate() {
        let key = format!("invalid-{i}");
        let reply = post(&app, CONTRIBUTIONS, &contributions, Some(&key), &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
        assert_eq!(
            request_allowed("POST", CONTRIBUTIONS, &bad),
            schema_allows,
            "{bad}"
        );
    }
    let malformed = post_raw(
        &app,
        CONTRIBUTIONS,
        &contributions,
        Some("m"),
        Some("application/json"),
        "{\"amount\": ",
    )
    .await;
    assert_problem(&malformed, 400, "malformed-json");
    let as_text = post_raw(
        &app,
        CONTRIBUTIONS,
        &contributions,
        Some("t"),
        Some("text/plain"),
        body.to_string(),
    )
    .await;
    assert_problem(&as_text, 415, "unsupported-media-type");
    let too_large = post_raw(
        &app,
        CONTRIBUTIONS,
        &contributions,
        Some("l"),
        Some("application/json"),
        oversized_body(),
    )
    .await;
    assert_problem(&too_large, 413, "body-too-large");
    let elsewhere = format!("/v1/groups/{NO_SUCH_ID}/contributions");
    assert_problem(
        &post(&app, CONTRIBUTIONS, &elsewhere, Some("g"), &body).await,
        404,
        "not-found",
    );

    // Nothing is booked into a closed period.
    let yesterday = days_from_today(-1);
    let closes = format!("/v1/groups/{group}/period-closes");
    let closed = post(
        &app,
        PERIOD_CLOSES,
        &closes,
        None,
        &json!({"through": yesterday}),
    )
    .await;
    assert_eq!(closed.status.as_u16(), 201, "{}", closed.body);
    let late = with(&body, "booked_on", Some(json!(yesterday)));
    let refused = post(&app, CONTRIBUTIONS, &contributions, Some("late"), &late).await;
    assert_problem(&refused, 422, "closed-period");

    // Nothing refused was recorded or posted.
    assert_eq!(app.balance(&group, &savings_code).await, "550.00");

    // Oldest first, a page at a time, by member and by date.
    let recorded = [
        &posted.body["id"],
        &capital["id"],
        &by_phone["id"],
        &social["id"],
        &ben_saves["id"],
    ];
    let all = get(&app, CONTRIBUTIONS, &contributions).await;
    assert_eq!(all.status.as_u16(), 200);
    assert_eq!(each(&all, "id"), recorded);
    assert_eq!(items(&all)[0], posted.body);
    let first = get(&app, CONTRIBUTIONS, &format!("{contributions}?limit=3")).await;
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let rest = get(
        &app,
        CONTRIBUTIONS,
        &format!("{contributions}?limit=3&cursor={cursor}"),
    )
    .await;
    assert_eq!(rest.body["next_cursor"], Value::Null);
    let paged: Vec<&Value> = each(&first, "id")
        .into_iter()
        .chain(each(&rest, "id"))
        .collect();
    assert_eq!(paged, recorded);
    let bens = get(
        &app,
        CONTRIBUTIONS,
        &format!("{contributions}?member_id={ben_id}"),
    )
    .await;
    assert_eq!(each(&bens, "id"), [&ben_saves["id"]]);
    let no_one = get(
        &app,
        CONTRIBUTIONS,
        &format!("{contributions}?member_id={NO_SUCH_ID}"),
    )
    .await;
    assert!(items(&no_one).is_empty());
    let later = get(
        &app,
        CONTRIBUTIONS,
        &format!("{contributions}?from={}", days_from_today(1)),
    )
    .await;
    assert!(items(&later).is_empty());
    let todays = get(
        &app,
        CONTRIBUTIONS,
        &format!("{contributions}?from={}&to={}", today(), today()),
    )
    .await;
    assert_eq!(items(&todays).len(), recorded.len());
    for (query, parameter) in [
        ("member_id=ana".to_string(), "member_id"),
        ("from=2025-13-01".to_string(), "from"),
        (format!("from={}&to={yesterday}", today()), "to"),
        ("limit=0".to_string(), "limit"),
        ("cursor=bm9wZQ".to_string(), "cursor"),
        ("fund=savings".to_string(), "fund"),
    ] {
        let reply = get(&app, CONTRIBUTIONS, &format!("{contributions}?{query}")).await;
        assert_parameter_problem(&reply, parameter);
    }
    assert_problem(
        &get(&app, CONTRIBUTIONS, &elsewhere).await,
        404,
        "not-found",
    );

    // One contribution.
    let one = get(
        &app,
        CONTRIBUTION,
        &format!("{contributions}/{}", id_of(&posted.body)),
    )
    .await;
    assert_eq!(one.status.as_u16(), 200);
    assert_eq!(one.body, posted.body);
    let transaction_id = posted.body["transaction_id"].as_str().expect("id");
    for path in [
        format!("{contributions}/{NO_SUCH_ID}"),
        format!("{contributions}/42"),
        format!("{contributions}/{transaction_id}"),
        format!("{elsewhere}/{}", id_of(&posted.body)),
    ] {
        assert_problem(&get(&app, CONTRIBUTION, &path).await, 404, "not-found");
    }
    assert_parameter_problem(
        &get(
            &app,
            CONTRIBUTION,
            &format!("{contributions}/{}?verbose=1", id_of(&posted.body)),
        )
        .await,
        "verbose",
    );

    // A mistake is corrected by reversing the transaction; the record stays as it was.
    let phone_transaction = by_phone["transaction_id"].as_str().expect("id");
    let reversal = format!("/v1/groups/{group}/transactions/{phone_transaction}/reversal");
    let reversed = post(&app, REVERSAL, &reversal, Some("undo-phone"), &json!({})).await;
    assert_eq!(reversed.status.as_u16(), 201, "{}", reversed.body);
    assert_eq!(app.balance(&group, &savings_code).await, "500.00");
    let still = get(
        &app,
        CONTRIBUTION,
        &format!("{contributions}/{}", id_of(&by_phone)),
    )
    .await;
    // It now names the transaction that reversed it.
    let mut corrected = by_phone.clone();
    corrected["reversed_by"] = reversed.body["id"].clone();
    assert_eq!(still.body, corrected);
});

both_backends!(withdrawals_answer_as_documented, |app| async move {
    let group = app.create_group("Bayanihan").await;
    let ana_id = id_of(&register(&app, &group, "Ana Reyes").await);
    let ben_id = id_of(&register(&app, &group, "Ben Cruz").await);
    record(
        &app,
        CONTRIBUTIONS,
        &group,
        &contribution_body(&ana_id, "500", "savings", "cash"),
    )
    .await;
    let withdrawals = format!("/v1/groups/{group}/withdrawals");
    let admin_id = get(&app, ME, ME).await.body["user"]["id"].clone();
    let savings_code = format!("liabilities:savings:{ana_id}");

    let body = withdrawal_body(&ana_id, "200", "cash");
    assert_request_matches("POST", WITHDRAWALS, &body);
    let paid = post(&app, WITHDRAWALS, &withdrawals, Some("ana-out"), &body).await;
    assert_eq!(paid.status.as_u16(), 201, "{}", paid.body);
    assert!(!replayed(&paid));
    let withdrawal = &paid.body;
    assert_eq!(withdrawal["group_id"], json!(group));
    assert_eq!(withdrawal["member_id"], json!(ana_id));
    assert_eq!(withdrawal["amount"], "200.00");
    assert_eq!(withdrawal["currency"], "HKD");
    assert_eq!(withdrawal["from"], "savings");
    assert_eq!(withdrawal["channel"], "cash");
    assert_eq!(withdrawal["booked_on"], json!(today()));
    assert_eq!(withdrawal["created_by"], admin_id);
    let retry = post(&app, WITHDRAWALS, &withdrawals, Some("ana-out"), &body).await;
    assert!(replayed(&retry));
    assert_eq!(retry.body, paid.body);
    let more = with(&body, "amount", Some(json!("250")));
    assert_problem(
        &post(&app, WITHDRAWALS, &withdrawals, Some("ana-out"), &more).await,
        422,
        "idempotency-key-reused",
    );
    assert_problem(
        &post(&app, WITHDRAWALS, &withdrawals, None, &body).await,
        400,
        "idempotency-key-required",
    );

    // Posted as an ordinary transaction: Ana's savings debited, the cash box credited.
    let transaction = transaction_of(&app, &group, withdrawal).await;
    assert_eq!(
        transaction["metadata"],
        json!({"event": "withdrawal", "event_id": withdrawal["id"]})
    );
    let entries = &transaction["entries"];
    assert_eq!(
        (&entries[0]["account_code"], &entries[0]["direction"]),
        (&json!(savings_code), &json!("debit"))
    );
    assert_eq!(
        (&entries[1]["account_code"], &entries[1]["direction"]),
        (&json!("assets:cash:HKD"), &json!("credit"))
    );
    assert_same_instant(&withdrawal["created_at"], &transaction["recorded_at"]);
    assert_eq!(app.balance(&group, &savings_code).await, "300.00");
    assert_eq!(app.balance(&group, "assets:cash:HKD").await, "300.00");

    // Never more than the member's savings; the answer says what there is.
    let too_much = with(&body, "amount", Some(json!("300.01")));
    let overdraft = post(&app, WITHDRAWALS, &withdrawals, Some("too-much"), &too_much).await;
    assert_field_problem(&overdraft, "overdraft", "/amount");
    let detail = overdraft.body["detail"].as_str().expect("detail");
    assert!(detail.contains("savings are 300.00 HKD"), "{detail}");
    let overdraft_again = post(&app, WITHDRAWALS, &withdrawals, Some("too-much"), &too_much).await;
    assert!(replayed(&overdraft_again));
    assert_eq!(overdraft_again.body, overdraft.body);
    let from_ben = withdrawal_body(&ben_id, "1", "cash");
    let nothing = post(&app, WITHDRAWALS, &withdrawals, Some("ben"), &from_ben).await;
    assert_field_problem(&nothing, "overdraft", "/amount");
    let detail = nothing.body["detail"].as_str().expect("detail");
    assert!(detail.contains("savings are 0.00 HKD"), "{detail}");
    // Nor more than the channel's account holds: the bank at home has nothing in HKD.
    let remitted = withdrawal_body(&ana_id, "100", "remittance");
    let empty_bank = post(&app, WITHDRAWALS, &withdrawals, Some("remit"), &remitted).await;
    assert_field_problem(&empty_bank, "overdraft", "/channel");
    assert_eq!(app.balance(&group, &savings_code).await, "300.00");
    let not_opened = get(
        &app,
        ACCOUNT,
        &format!("/v1/groups/{group}/accounts/assets:home-bank:HKD"),
    )
    .await;
    assert_problem(&not_opened, 404, "not-found");

    // Members who returned home or exited may still be paid out.
    set_status(&app, &group, &ana_id, "returned_home").await;
    let home = record(
        &app,
        WITHDRAWALS,
        &group,
        &withdrawal_body(&ana_id, "100", "cash"),
    )
    .await;
    set_status(&app, &group, &ana_id, "exited").await;
    let last = record(
        &app,
        WITHDRAWALS,
        &group,
        &withdrawal_body(&ana_id, "200", "cash"),
    )
    .await;
    assert_eq!(app.balance(&group, &savings_code).await, "0.00");

    // Withdrawals that cannot be made, and fields the server refuses.
    let nobody = with(&body, "member_id", Some(json!(NO_SUCH_ID)));
    assert_field_problem(
        &post(&app, WITHDRAWALS, &withdrawals, Some("nobody"), &nobody).await,
        "unknown-member",
        "/member_id",
    );
    let zero = with(&body, "amount", Some(json!("0")));
    assert_field_problem(
        &post(&app, WITHDRAWALS, &withdrawals, Some("zero"), &zero).await,
        "non-positive-amount",
        "/amount",
    );
    let cases = [
        (with(&body, "amount", Some(json!("-5"))), "/amount", false),
        (with(&body, "from", Some(json!("capital"))), "/from", false),
        (with(&body, "from", None), "/from", false),
        (
            with(&body, "channel", Some(json!("cheque"))),
            "/channel",
            false,
        ),
        // A member is named by id or number (42 is a number no member has, refused as an
        // unknown member); anything else is the wrong kind of value.
        (
            with(&body, "member_id", Some(json!(true))),
            "/member_id",
            false,
        ),
        (
            with(&body, "currency", Some(json!("HKD"))),
            "/currency",
            false,
        ),
        (
            with(&body, "receipt_no", Some(json!("R-1"))),
            "/receipt_no",
            false,
        ),
        (
            with(&body, "booked_on", Some(json!("yesterday"))),
            "/booked_on",
            false,
        ),
    ];
    for (i, (bad, pointer, schema_allows)) in cases.into_iter().enumerate() {
        let key = format!("invalid-{i}");
        let reply = post(&app, WITHDRAWALS, &withdrawals, Some(&key), &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
        assert_eq!(
            request_allowed("POST", WITHDRAWALS, &bad),
            schema_allows,
            "{bad}"
        );
    }
    assert_problem(
        &post_raw(
            &app,
            WITHDRAWALS,
            &withdrawals,
            Some("m"),
            Some("application/json"),
            "[",
        )
        .await,
        400,
        "malformed-json",
    );
    assert_problem(
        &post_raw(
            &app,
            WITHDRAWALS,
            &withdrawals,
            Some("t"),
            Some("text/plain"),
            body.to_string(),
        )
        .await,
        415,
        "unsupported-media-type",
    );
    assert_problem(
        &post_raw(
            &app,
            WITHDRAWALS,
            &withdrawals,
            Some("l"),
            Some("application/json"),
            oversized_body(),
        )
        .await,
        413,
        "body-too-large",
    );
    let elsewhere = format!("/v1/groups/{NO_SUCH_ID}/withdrawals");
    assert_problem(
        &post(&app, WITHDRAWALS, &elsewhere, Some("g"), &body).await,
        404,
        "not-found",
    );

    // Oldest first, a page at a time, by member and by date.
    let recorded = [&paid.body["id"], &home["id"], &last["id"]];
    let all = get(&app, WITHDRAWALS, &withdrawals).await;
    assert_eq!(all.status.as_u16(), 200);
    assert_eq!(each(&all, "id"), recorded);
    assert_eq!(items(&all)[0], paid.body);
    let first = get(&app, WITHDRAWALS, &format!("{withdrawals}?limit=2")).await;
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let rest = get(
        &app,
        WITHDRAWALS,
        &format!("{withdrawals}?limit=2&cursor={cursor}"),
    )
    .await;
    assert_eq!(each(&rest, "id"), [&last["id"]]);
    assert_eq!(rest.body["next_cursor"], Value::Null);
    let bens = get(
        &app,
        WITHDRAWALS,
        &format!("{withdrawals}?member_id={ben_id}"),
    )
    .await;
    assert!(items(&bens).is_empty());
    let anas = get(
        &app,
        WITHDRAWALS,
        &format!(
            "{withdrawals}?member_id={ana_id}&from={}&to={}",
            today(),
            today()
        ),
    )
    .await;
    assert_eq!(each(&anas, "id"), recorded);
    // A cursor of the contributions is not a cursor of this list.
    let contributions = format!("/v1/groups/{group}/contributions");
    record(
        &app,
        CONTRIBUTIONS,
        &group,
        &contribution_body(&ben_id, "5", "capital", "cash"),
    )
    .await;
    record(
        &app,
        CONTRIBUTIONS,
        &group,
        &contribution_body(&ben_id, "5", "capital", "cash"),
    )
    .await;
    let of_contributions = get(&app, CONTRIBUTIONS, &format!("{contributions}?limit=1")).await;
    let foreign = of_contributions.body["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_string();
    for (query, parameter) in [
        // 42 would be a member number; a number with a letter in it is neither id nor number.
        ("member_id=4x2".to_string(), "member_id"),
        ("to=30-06-2025".to_string(), "to"),
        ("limit=501".to_string(), "limit"),
        (format!("cursor={foreign}"), "cursor"),
        ("channel=cash".to_string(), "channel"),
    ] {
        let reply = get(&app, WITHDRAWALS, &format!("{withdrawals}?{query}")).await;
        assert_parameter_problem(&reply, parameter);
    }
    assert_problem(&get(&app, WITHDRAWALS, &elsewhere).await, 404, "not-found");

    // One withdrawal; a contribution is not one.
    let one = get(
        &app,
        WITHDRAWAL,
        &format!("{withdrawals}/{}", id_of(&paid.body)),
    )
    .await;
    assert_eq!(one.status.as_u16(), 200);
    assert_eq!(one.body, paid.body);
    let a_contribution = id_of(&items(&of_contributions)[0]);
    for path in [
        format!("{withdrawals}/{NO_SUCH_ID}"),
        format!("{withdrawals}/42"),
        format!("{withdrawals}/{a_contribution}"),
        format!("{elsewhere}/{}", id_of(&paid.body)),
    ] {
        assert_problem(&get(&app, WITHDRAWAL, &path).await, 404, "not-found");
    }
});

both_backends!(member_statements_answer_as_documented, |app| async move {
    let group = app.create_group("Bayanihan").await;
    let member = register(&app, &group, "Ana Reyes").await;
    let ana_id = id_of(&member);
    let yesterday = days_from_today(-1);
    let mut saved_yesterday = contribution_body(&ana_id, "500", "savings", "cash");
    saved_yesterday["booked_on"] = json!(yesterday);
    record(&app, CONTRIBUTIONS, &group, &saved_yesterday).await;
    record(
        &app,
        CONTRIBUTIONS,
        &group,
        &contribution_body(&ana_id, "200", "savings", "cash"),
    )
    .await;
    record(
        &app,
        CONTRIBUTIONS,
        &group,
        &contribution_body(&ana_id, "100", "capital", "bank"),
    )
    .await;
    record(
        &app,
        WITHDRAWALS,
        &group,
        &withdrawal_body(&ana_id, "150", "cash"),
    )
    .await;
    let members = format!("/v1/groups/{group}/members");
    let statement_path = format!("{members}/{ana_id}/statement");

    let statement = get(&app, MEMBER_STATEMENT, &statement_path).await;
    assert_eq!(statement.status.as_u16(), 200, "{}", statement.body);
    let now = get(&app, MEMBER, &format!("{members}/{ana_id}")).await;
    assert_eq!(statement.body["member"], now.body);
    assert_eq!(
        (&statement.body["from"], &statement.body["to"]),
        (&Value::Null, &Value::Null)
    );
    let savings = &statement.body["accounts"][0];
    let capital = &statement.body["accounts"][1];
    assert_eq!(
        savings["account"]["code"],
        json!(format!("liabilities:savings:{ana_id}"))
    );
    assert_eq!(savings["opening_balance"], "0.00");
    assert_eq!(running_balances(savings), ["500.00", "700.00", "550.00"]);
    assert_eq!(savings["closing_balance"], "550.00");
    assert_eq!(
        capital["account"]["code"],
        json!(format!("equity:capital:{ana_id}"))
    );
    assert_eq!(running_balances(capital), ["100.00"]);
    assert_eq!(statement.body["current_balance"], "550.00");
    assert_eq!(statement.body["available_balance"], "550.00");

    // The same dates for both accounts.
    let since_today = get(
        &app,
        MEMBER_STATEMENT,
        &format!("{statement_path}?from={}", today()),
    )
    .await;
    assert_eq!(since_today.body["from"], json!(today()));
    let savings = &since_today.body["accounts"][0];
    assert_eq!(savings["from"], json!(today()));
    assert_eq!(savings["opening_balance"], "500.00");
    assert_eq!(running_balances(savings), ["700.00", "550.00"]);
    assert_eq!(since_today.body["accounts"][1]["opening_balance"], "0.00");
    let until_yesterday = get(
        &app,
        MEMBER_STATEMENT,
        &format!("{statement_path}?to={yesterday}"),
    )
    .await;
    assert_eq!(until_yesterday.body["to"], json!(yesterday));
    assert_eq!(
        until_yesterday.body["accounts"][0]["closing_balance"],
        "500.00"
    );
    assert!(
        until_yesterday.body["accounts"][1]["lines"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    assert_eq!(
        until_yesterday.body["current_balance"], "550.00",
        "what there is now, whatever the dates"
    );

    for (query, parameter) in [
        (format!("from={}&to={yesterday}", today()), "to"),
        ("from=yesterday".to_string(), "from"),
        ("since=2025-01-01".to_string(), "since"),
    ] {
        let reply = get(&app, MEMBER_STATEMENT, &format!("{statement_path}?{query}")).await;
        assert_parameter_problem(&reply, parameter);
    }
    for path in [
        format!("{members}/{NO_SUCH_ID}/statement"),
        format!("{members}/42/statement"),
        format!("/v1/groups/{NO_SUCH_ID}/members/{ana_id}/statement"),
    ] {
        assert_problem(&get(&app, MEMBER_STATEMENT, &path).await, 404, "not-found");
    }
});

both_backends!(members_see_only_their_own_records, |app| async move {
    let group = app.create_group("Bayanihan").await;
    let other_group = app.create_group("Kababayan").await;
    let ana_id = id_of(&register(&app, &group, "Ana Reyes").await);
    let ben_id = id_of(&register(&app, &group, "Ben Cruz").await);
    record(
        &app,
        CONTRIBUTIONS,
        &group,
        &contribution_body(&ana_id, "500", "savings", "cash"),
    )
    .await;
    let (_, ana) = app
        .user_with(
            "ana.reyes",
            json!([{"role": "member", "group_id": group, "member_id": ana_id}]),
        )
        .await;
    // A member of another group sees nothing of Ana, even through that group's path. (A grant
    // naming Ana in another group cannot be made: the member must be in the grant's group.)
    let cora_id = id_of(&register(&app, &other_group, "Cora Lim").await);
    let (_, astray) = app
        .user_with(
            "ana.elsewhere",
            json!([{"role": "member", "group_id": other_group, "member_id": cora_id}]),
        )
        .await;
    let (tess_id, tess) = app
        .user_with(
            "tess.santos",
            json!([{"role": "treasurer", "group_id": group}]),
        )
        .await;
    let (_, hal) = app
        .user_with(
            "hal.tan",
            json!([{"role": "treasurer", "group_id": other_group}]),
        )
        .await;
    let (_, audrey) = app.user_with("audrey", json!([{"role": "auditor"}])).await;
    let members = format!("/v1/groups/{group}/members");
    let ana_path = format!("{members}/{ana_id}");
    let ana_statement = format!("{ana_path}/statement");
    let ben_path = format!("{members}/{ben_id}");
    let ben_statement = format!("{ben_path}/statement");

    // Ana reads her own record and statement, as the treasurer sees them.
    let own = get_as(&app, &ana, MEMBER, &ana_path).await;
    assert_eq!(own.status.as_u16(), 200, "{}", own.body);
    assert_eq!(own.body, get(&app, MEMBER, &ana_path).await.body);
    assert_eq!(own.body["accounts"]["savings"]["balance"], "500.00");
    let statement = get_as(&app, &ana, MEMBER_STATEMENT, &ana_statement).await;
    assert_eq!(statement.status.as_u16(), 200, "{}", statement.body);
    assert_eq!(statement.body["available_balance"], "500.00");

    // Any other member is not found, exactly as one that does not exist.
    let bens = get_as(&app, &ana, MEMBER, &ben_path).await;
    assert_problem(&bens, 404, "not-found");
    let missing = get_as(&app, &ana, MEMBER, &format!("{members}/{NO_SUCH_ID}")).await;
    assert_eq!(bens.body, missing.body);
    assert_problem(
        &get_as(&app, &ana, MEMBER_STATEMENT, &ben_statement).await,
        404,
        "not-found",
    );
    for client in [&astray, &hal] {
        assert_problem(
            &get_as(&app, client, MEMBER, &ana_path).await,
            404,
            "not-found",
        );
        assert_problem(
            &get_as(&app, client, MEMBER_STATEMENT, &ana_statement).await,
            404,
            "not-found",
        );
    }
    let moved = format!("/v1/groups/{other_group}/members/{ana_id}");
    assert_problem(
        &get_as(&app, &astray, MEMBER, &moved).await,
        404,
        "not-found",
    );

    // The group's lists, and every write, are not for members.
    let contributions = format!("/v1/groups/{group}/contributions");
    let withdrawals = format!("/v1/groups/{group}/withdrawals");
    for (template, path) in [
        (MEMBERS, &members),
        (CONTRIBUTIONS, &contributions),
        (WITHDRAWALS, &withdrawals),
    ] {
        assert_problem(&get_as(&app, &ana, template, path).await, 403, "forbidden");
        assert_problem(&get_as(&app, &hal, template, path).await, 404, "not-found");
        assert_eq!(
            get_as(&app, &audrey, template, path).await.status.as_u16(),
            200
        );
    }
    let paying_in = contribution_body(&ana_id, "100", "savings", "cash");
    let paying_out = withdrawal_body(&ana_id, "100", "cash");
    for (client, status, slug) in [
        (&ana, 403, "forbidden"),
        (&audrey, 403, "forbidden"),
        (&hal, 404, "not-found"),
        (&app.anonymous, 401, "unauthorized"),
    ] {
        let posted = post_as(
            &app,
            client,
            CONTRIBUTIONS,
            &contributions,
            Some("k"),
            &paying_in,
        )
        .await;
        assert_problem(&posted, status, slug);
        let paid = post_as(
            &app,
            client,
            WITHDRAWALS,
            &withdrawals,
            Some("k"),
            &paying_out,
        )
        .await;
        assert_problem(&paid, status, slug);
        let changed = patch_as(&app, client, MEMBER, &ana_path, &json!({})).await;
        assert_problem(&changed, status, slug);
        let registered = post_as(
            &app,
            client,
            MEMBERS,
            &members,
            None,
            &json!({"name": "Ana's friend", "home_country": "PH", "host_country": "HK"}),
        )
        .await;
        assert_problem(&registered, status, slug);
    }

    // Treasurers and auditors read every member; treasurers record for them.
    for reader in [&tess, &audrey] {
        assert_eq!(
            get_as(&app, reader, MEMBER, &ben_path)
                .await
                .status
                .as_u16(),
            200
        );
        assert_eq!(
            get_as(&app, reader, MEMBER_STATEMENT, &ben_statement)
                .await
                .status
                .as_u16(),
            200
        );
    }
    let by_tess = post_as(
        &app,
        &tess,
        CONTRIBUTIONS,
        &contributions,
        Some("tess"),
        &paying_in,
    )
    .await;
    assert_eq!(by_tess.status.as_u16(), 201, "{}", by_tess.body);
    assert_eq!(by_tess.body["created_by"], json!(tess_id));

    // Without a token, nothing.
    let anonymous = get_as(&app, &app.anonymous, MEMBER, &ana_path).await;
    assert_problem(&anonymous, 401, "unauthorized");
    assert_eq!(challenge(&anonymous), CHALLENGE);
});

// ---------------------------------------------------------------------------------------------
// Group operations: the group's status, investments, remittances, transfers, distributions and
// members leaving.

/// A group whose member `Ana Reyes` has saved `amount` HKD through `channel`; returns the group
/// and Ana's id.
async fn group_with_saver(app: &TestApp, amount: &str, channel: &str) -> (String, String) {
    let group = app.create_group("Bayanihan").await;
    let ana_id = id_of(&register(app, &group, "Ana Reyes").await);
    let saved = contribution_body(&ana_id, amount, "savings", channel);
    record(app, CONTRIBUTIONS, &group, &saved).await;
    (group, ana_id)
}

fn investment_body(currency: &str) -> Value {
    json!({
        "name": "Rice mill",
        "kind": "cooperative",
        "sector": "Agriculture",
        "country": "PH",
        "currency": currency,
        "committed_amount": "800",
        "women_led": true,
    })
}

/// Records an income return of `amount` HKD booked on `on` into the home bank of `group`, from
/// a new investment, and returns the return.
async fn income_booked_on(app: &TestApp, group: &str, amount: &str, on: &str) -> Value {
    let investment = record(app, INVESTMENTS, group, &investment_body("HKD")).await;
    let returns = format!(
        "/v1/groups/{group}/investments/{}/returns",
        id_of(&investment)
    );
    let body = json!({"kind": "income", "amount": amount, "booked_on": on});
    record_at(app, RETURNS, &returns, &body).await
}

fn remittance_body(member_id: &str) -> Value {
    json!({
        "member_id": member_id,
        "send_amount": "1000",
        "send_currency": "HKD",
        "fee": "30",
        "receive_amount": "7000",
        "receive_currency": "PHP",
        "applied_rate": "7.00",
        "mid_market_rate": "7.20",
        "provider": "Padala Express",
        "channel": "money_transfer_operator",
        "send_country": "HK",
        "receive_country": "PH",
        "uses": [
            {"purpose": "family_support", "amount": "5000"},
            {"purpose": "group_savings", "amount": "2000"},
        ],
    })
}

both_backends!(
    group_status_and_basis_answer_as_documented,
    |app| async move {
        let group = app.create_group("Bayanihan").await;
        let path = format!("/v1/groups/{group}");
        let (_, tess) = app
            .user_with(
                "tess.santos",
                json!([{"role": "treasurer", "group_id": group}]),
            )
            .await;
        let (_, audrey) = app.user_with("audrey", json!([{"role": "auditor"}])).await;
        let created = get(&app, GROUP, &path).await;
        assert_eq!(created.body["status"], "provisional");
        assert_eq!(created.body["distribution_basis"], "savings");
        assert_eq!(created.body["accredited_on"], Value::Null);

        // Treasurers set the basis; only administrators change the status.
        let basis = json!({"distribution_basis": "equal"});
        assert_request_matches("PATCH", GROUP, &basis);
        let by_tess = patch_as(&app, &tess, GROUP, &path, &basis).await;
        assert_eq!(by_tess.status.as_u16(), 200, "{}", by_tess.body);
        assert_eq!(by_tess.body["distribution_basis"], "equal");
        assert_eq!(by_tess.body["status"], "provisional");
        let accredit = json!({"status": "accredited", "status_on": days_from_today(-3)});
        assert_request_matches("PATCH", GROUP, &accredit);
        let refused = patch_as(&app, &tess, GROUP, &path, &accredit).await;
        assert_problem(&refused, 403, "forbidden");
        assert_problem(
            &patch_as(&app, &audrey, GROUP, &path, &basis).await,
            403,
            "forbidden",
        );
        assert_problem(
            &patch_as(&app, &app.anonymous, GROUP, &path, &basis).await,
            401,
            "unauthorized",
        );

        let accredited = patch(&app, GROUP, &path, &accredit).await;
        assert_eq!(accredited.status.as_u16(), 200, "{}", accredited.body);
        assert_eq!(accredited.body["status"], "accredited");
        assert_eq!(accredited.body["status_on"], json!(days_from_today(-3)));
        assert_eq!(accredited.body["accredited_on"], json!(days_from_today(-3)));
        assert_eq!(accredited.body["distribution_basis"], "equal");
        let suspended = patch(&app, GROUP, &path, &json!({"status": "suspended"})).await;
        assert_eq!(suspended.body["status"], "suspended");
        assert_eq!(
            suspended.body["status_on"],
            json!(today()),
            "today by default"
        );
        let again = patch(&app, GROUP, &path, &accredit).await;
        assert_eq!(again.body["status"], "accredited");
        assert_eq!(
            again.body["accredited_on"],
            json!(days_from_today(-3)),
            "the first accreditation is kept"
        );
        let backwards = patch(&app, GROUP, &path, &json!({"status": "provisional"})).await;
        assert_problem(&backwards, 409, "status-transition");
        let closed = patch(&app, GROUP, &path, &json!({"status": "closed"})).await;
        assert_eq!(closed.body["status"], "closed");
        assert_problem(
            &patch(&app, GROUP, &path, &json!({"status": "accredited"})).await,
            409,
            "status-transition",
        );
        assert_eq!(get(&app, GROUP, &path).await.body, closed.body);
        let unchanged = patch(&app, GROUP, &path, &json!({})).await;
        assert_eq!(unchanged.body, closed.body);

        for (bad, pointer, schema_allows) in [
            (json!({"status_on": today()}), "/status_on", false),
            (json!({"status": "dissolved"}), "/status", false),
            (
                json!({"distribution_basis": "seniority"}),
                "/distribution_basis",
                false,
            ),
            (json!({"name": "Renamed"}), "/name", false),
            (
                json!({"status": "closed", "status_on": days_from_today(2)}),
                "/status_on",
                true,
            ),
        ] {
            let reply = patch(&app, GROUP, &path, &bad).await;
            assert_field_problem(&reply, "invalid-field", pointer);
            assert_eq!(
                request_allowed("PATCH", GROUP, &bad),
                schema_allows,
                "{bad}"
            );
        }
        assert_problem(
            &patch_raw(&app, GROUP, &path, "application/json", "{").await,
            400,
            "malformed-json",
        );
        assert_problem(
            &patch_raw(&app, GROUP, &path, "text/plain", "{}").await,
            415,
            "unsupported-media-type",
        );
        assert_problem(
            &patch(&app, GROUP, &format!("/v1/groups/{NO_SUCH_ID}"), &basis).await,
            404,
            "not-found",
        );
    }
);

both_backends!(
    investments_and_their_events_answer_as_documented,
    |app| async move {
        // Ana's savings came through the bank at home: that is where disbursements leave from.
        let (group, ana_id) = group_with_saver(&app, "1000", "remittance").await;
        let investments = format!("/v1/groups/{group}/investments");
        let admin_id = get(&app, ME, ME).await.body["user"]["id"].clone();

        let body = investment_body("HKD");
        assert_request_matches("POST", INVESTMENTS, &body);
        let keyless = post(&app, INVESTMENTS, &investments, None, &body).await;
        assert_problem(&keyless, 400, "idempotency-key-required");
        let created = post(&app, INVESTMENTS, &investments, Some("mill"), &body).await;
        assert_eq!(created.status.as_u16(), 201, "{}", created.body);
        let again = post(&app, INVESTMENTS, &investments, Some("mill"), &body).await;
        assert!(replayed(&again));
        assert_eq!(again.body, created.body);
        let mill = &created.body;
        let mill_id = id_of(mill);
        assert_eq!(mill["status"], "active");
        assert_eq!(mill["committed"], "800.00");
        assert_eq!(mill["disbursed"], "0.00");
        assert_eq!(mill["roi_percent"], Value::Null);
        assert_eq!(mill["created_by"], admin_id);
        let code = format!("assets:investments:{mill_id}");
        assert_eq!(mill["account_code"], json!(code));
        assert_eq!(app.balance(&group, &code).await, "0.00");
        for (bad, pointer, slug) in [
            (
                with(&body, "kind", Some(json!("bond"))),
                "/kind",
                "invalid-field",
            ),
            (
                with(&body, "sector", Some(json!(" "))),
                "/sector",
                "invalid-field",
            ),
            (with(&body, "country", None), "/country", "invalid-field"),
            (
                with(&body, "committed_amount", Some(json!("0"))),
                "/committed_amount",
                "non-positive-amount",
            ),
        ] {
            let reply = post(&app, INVESTMENTS, &investments, Some("bad"), &bad).await;
            assert_field_problem(&reply, slug, pointer);
        }

        // Money in, income and capital back, and a loss of value.
        let mill_path = format!("{investments}/{mill_id}");
        let disbursements = format!("{mill_path}/disbursements");
        let returns = format!("{mill_path}/returns");
        let write_downs = format!("{mill_path}/write-downs");
        let first = json!({"amount": "600", "note": "First tranche"});
        assert_request_matches("POST", DISBURSEMENTS, &first);
        let disbursed = record_at(&app, DISBURSEMENTS, &disbursements, &first).await;
        assert_eq!(disbursed["kind"], "disbursement");
        assert_eq!(disbursed["account"], "assets:home-bank:HKD");
        assert_eq!(disbursed["amount"], "600.00");
        let transaction = transaction_of(&app, &group, &disbursed).await;
        assert_eq!(
            transaction["metadata"],
            json!({"event": "disbursement", "event_id": disbursed["id"], "investment_id": mill_id})
        );
        assert_eq!(app.balance(&group, "assets:home-bank:HKD").await, "400.00");
        let income = json!({"kind": "income", "amount": "90", "booked_on": days_from_today(-1)});
        assert_request_matches("POST", RETURNS, &income);
        let earned = record_at(&app, RETURNS, &returns, &income).await;
        assert_eq!(earned["kind"], "income");
        let back = json!({"kind": "capital_returned", "amount": "100"});
        let returned = record_at(&app, RETURNS, &returns, &back).await;
        let loss = json!({"amount": "50", "note": "Typhoon damage"});
        assert_request_matches("POST", WRITE_DOWNS, &loss);
        let written = record_at(&app, WRITE_DOWNS, &write_downs, &loss).await;
        assert_eq!(written["account"], Value::Null);
        assert_eq!(app.balance(&group, "income:investments:HKD").await, "90.00");
        assert_eq!(app.balance(&group, "expense:impairment:HKD").await, "50.00");
        assert_eq!(app.balance(&group, "assets:home-bank:HKD").await, "590.00");

        let now = get(&app, INVESTMENT, &mill_path).await;
        assert_eq!(now.status.as_u16(), 200, "{}", now.body);
        for (field, figure) in [
            ("disbursed", "600.00"),
            ("income_received", "90.00"),
            ("capital_returned", "100.00"),
            ("written_down", "50.00"),
            ("book_value", "450.00"),
            ("net_return", "40.00"),
            ("roi_percent", "6.67"),
        ] {
            assert_eq!(now.body[field], figure, "{field}");
        }
        assert_eq!(app.balance(&group, &code).await, "450.00");

        // Events that cannot be taken.
        for (template, path, bad, slug, pointer) in [
            (
                DISBURSEMENTS,
                &disbursements,
                json!({"amount": "1000"}),
                "overdraft",
                "/amount",
            ),
            (
                DISBURSEMENTS,
                &disbursements,
                json!({"amount": "10", "account": format!("liabilities:savings:{ana_id}")}),
                "account-kind",
                "/account",
            ),
            (
                DISBURSEMENTS,
                &disbursements,
                json!({"amount": "10", "account": "assets:safe:HKD"}),
                "unknown-account",
                "/account",
            ),
            (
                WRITE_DOWNS,
                &write_downs,
                json!({"amount": "451"}),
                "overdraft",
                "/amount",
            ),
            (
                RETURNS,
                &returns,
                json!({"kind": "income", "amount": "0"}),
                "non-positive-amount",
                "/amount",
            ),
            (
                RETURNS,
                &returns,
                json!({"kind": "dividend", "amount": "5"}),
                "invalid-field",
                "/kind",
            ),
        ] {
            let key = uuid::Uuid::new_v4().to_string();
            let reply = post(&app, template, path, Some(&key), &bad).await;
            assert_field_problem(&reply, slug, pointer);
        }
        assert_problem(
            &post(&app, RETURNS, &returns, None, &back).await,
            400,
            "idempotency-key-required",
        );
        let nowhere = format!("{investments}/{NO_SUCH_ID}/disbursements");
        assert_problem(
            &post(&app, DISBURSEMENTS, &nowhere, Some("nowhere"), &first).await,
            404,
            "not-found",
        );
        assert_eq!(get(&app, INVESTMENT, &mill_path).await.body, now.body);

        // Each kind of event is listed and read under its own path only.
        let listed = get(&app, RETURNS, &returns).await;
        assert_eq!(each(&listed, "id"), [&earned["id"], &returned["id"]]);
        let page = get(&app, RETURNS, &format!("{returns}?limit=1")).await;
        let cursor = page.body["next_cursor"].as_str().expect("a next page");
        let rest = get(&app, RETURNS, &format!("{returns}?limit=1&cursor={cursor}")).await;
        assert_eq!(each(&rest, "id"), [&returned["id"]]);
        assert_eq!(
            each(&get(&app, DISBURSEMENTS, &disbursements).await, "id"),
            [&disbursed["id"]]
        );
        assert_eq!(
            items(&get(&app, WRITE_DOWNS, &write_downs).await)[0],
            written
        );
        assert_parameter_problem(
            &get(&app, WRITE_DOWNS, &format!("{write_downs}?kind=income")).await,
            "kind",
        );
        let one = get(&app, RETURN, &format!("{returns}/{}", id_of(&earned))).await;
        assert_eq!(one.body, earned);
        let read = get(
            &app,
            DISBURSEMENT,
            &format!("{disbursements}/{}", id_of(&disbursed)),
        )
        .await;
        assert_eq!(read.body, disbursed);
        let as_write_down = format!("{write_downs}/{}", id_of(&written));
        assert_eq!(get(&app, WRITE_DOWN, &as_write_down).await.body, written);
        assert_problem(
            &get(
                &app,
                DISBURSEMENT,
                &format!("{disbursements}/{}", id_of(&earned)),
            )
            .await,
            404,
            "not-found",
        );
        assert_problem(
            &get(&app, INVESTMENT, &format!("{investments}/{NO_SUCH_ID}")).await,
            404,
            "not-found",
        );
        let all = get(&app, INVESTMENTS, &investments).await;
        assert_eq!(items(&all), &vec![now.body.clone()]);

        // Exited is final, and takes no more money in.
        let exit = json!({"status": "exited", "status_on": today()});
        assert_request_matches("PATCH", INVESTMENT, &exit);
        let exited = patch(&app, INVESTMENT, &mill_path, &exit).await;
        assert_eq!(exited.status.as_u16(), 200, "{}", exited.body);
        assert_eq!(exited.body["status"], "exited");
        assert_eq!(exited.body["status_on"], json!(today()));
        let reopen = patch(&app, INVESTMENT, &mill_path, &json!({"status": "active"})).await;
        assert_problem(&reopen, 409, "status-transition");
        let more = post(&app, DISBURSEMENTS, &disbursements, Some("more"), &first).await;
        assert_problem(&more, 422, "investment-closed");
        let still = record_at(&app, RETURNS, &returns, &back).await;
        assert_eq!(still["kind"], "capital_returned", "returns are still taken");
        let missing = patch(&app, INVESTMENT, &mill_path, &json!({})).await;
        assert_field_problem(&missing, "invalid-field", "/status");
        assert!(!request_allowed("PATCH", INVESTMENT, &json!({})));

        // Writing an investment off writes down what is left of its book value, on the date
        // it is written off; asking again changes nothing.
        let yesterday = days_from_today(-1);
        let pond = with(&investment_body("HKD"), "name", Some(json!("Fish pond")));
        let pond_path = format!(
            "{investments}/{}",
            id_of(&record(&app, INVESTMENTS, &group, &pond).await)
        );
        let pond_money = json!({"amount": "120"});
        record_at(
            &app,
            DISBURSEMENTS,
            &format!("{pond_path}/disbursements"),
            &pond_money,
        )
        .await;
        let write_off = json!({"status": "written_off", "status_on": yesterday});
        assert_request_matches("PATCH", INVESTMENT, &write_off);
        let off = patch(&app, INVESTMENT, &pond_path, &write_off).await;
        assert_eq!(off.status.as_u16(), 200, "{}", off.body);
        assert_eq!(off.body["status"], "written_off");
        assert_eq!(off.body["status_on"], json!(yesterday));
        assert_eq!(off.body["book_value"], "0.00");
        assert_eq!(off.body["written_down"], "120.00");
        let downs = get(&app, WRITE_DOWNS, &format!("{pond_path}/write-downs")).await;
        let down = &items(&downs)[0];
        assert_eq!(items(&downs).len(), 1);
        assert_eq!(
            (&down["amount"], &down["note"], &down["booked_on"]),
            (&json!("120.00"), &json!("written off"), &json!(yesterday))
        );
        assert_eq!(down["created_by"], admin_id);
        assert_eq!(
            app.balance(&group, "expense:impairment:HKD").await,
            "170.00"
        );
        let group_path = format!("/v1/groups/{group}");
        let head = get(&app, GROUP, &group_path).await.body["head_sequence"].clone();
        let repeat = json!({"status": "written_off", "status_on": today()});
        let same = patch(&app, INVESTMENT, &pond_path, &repeat).await;
        assert_eq!(same.status.as_u16(), 200, "{}", same.body);
        assert_eq!(same.body, off.body);
        assert_eq!(
            get(&app, GROUP, &group_path).await.body["head_sequence"],
            head
        );

        // A write-off whose write-down falls inside a closed period is refused, and the
        // investment stays as it was.
        let shop = with(
            &investment_body("HKD"),
            "name",
            Some(json!("Sari-sari store")),
        );
        let shop_path = format!(
            "{investments}/{}",
            id_of(&record(&app, INVESTMENTS, &group, &shop).await)
        );
        record_at(
            &app,
            DISBURSEMENTS,
            &format!("{shop_path}/disbursements"),
            &pond_money,
        )
        .await;
        let closes = format!("/v1/groups/{group}/period-closes");
        let closed = post(
            &app,
            PERIOD_CLOSES,
            &closes,
            None,
            &json!({"through": yesterday}),
        )
        .await;
        assert_eq!(closed.status.as_u16(), 201, "{}", closed.body);
        let before = get(&app, INVESTMENT, &shop_path).await.body;
        let late = patch(&app, INVESTMENT, &shop_path, &write_off).await;
        assert_field_problem(&late, "closed-period", "/status_on");
        let after = get(&app, INVESTMENT, &shop_path).await.body;
        assert_eq!(after, before);
        assert_eq!(
            (&after["status"], &after["book_value"]),
            (&json!("active"), &json!("120.00"))
        );
    }
);

both_backends!(remittances_answer_as_documented, |app| async move {
    let group = app.create_group("Bayanihan").await;
    let ana_id = id_of(&register(&app, &group, "Ana Reyes").await);
    let ben_id = id_of(&register(&app, &group, "Ben Cruz").await);
    let remittances = format!("/v1/groups/{group}/remittances");

    // HKD 1,000 at 7.00 where mid-market is 7.20, fee HKD 30; PHP 2,000 of it is group savings.
    let body = remittance_body(&ana_id);
    assert_request_matches("POST", REMITTANCES, &body);
    let keyless = post(&app, REMITTANCES, &remittances, None, &body).await;
    assert_problem(&keyless, 400, "idempotency-key-required");
    let sent = post(&app, REMITTANCES, &remittances, Some("ana-march"), &body).await;
    assert_eq!(sent.status.as_u16(), 201, "{}", sent.body);
    let retry = post(&app, REMITTANCES, &remittances, Some("ana-march"), &body).await;
    assert!(replayed(&retry));
    assert_eq!(retry.body, sent.body);
    let remittance = &sent.body;
    assert_eq!(remittance["applied_rate"], "7");
    assert_eq!(remittance["applied_rate_derived"], false);
    assert_eq!(remittance["group_savings"], "2000.00");
    assert_eq!(
        remittance["cost"],
        json!({"currency": "HKD", "fee": "30.00", "fx_margin": "27.78", "total": "57.78", "percent": "5.78"})
    );
    // Ana saves in HKD: PHP 2,000 of PHP 7,000 received for HKD 1,000 is HKD 285.71.
    assert_eq!(remittance["credited_to_savings"], "285.71");
    assert_eq!(remittance["credited_currency"], "HKD");
    let savings = format!("liabilities:savings:{ana_id}");
    assert_eq!(app.balance(&group, &savings).await, "285.71");
    assert_eq!(app.balance(&group, "assets:home-bank:PHP").await, "2000.00");
    let transaction = transaction_of(&app, &group, remittance).await;
    assert_eq!(
        transaction["metadata"],
        json!({"event": "remittance", "event_id": remittance["id"]})
    );

    // Without group savings nothing is posted; without a rate it is derived.
    let mut home_only = remittance_body(&ben_id);
    home_only["send_amount"] = json!("500");
    home_only["fee"] = json!("0");
    home_only["receive_amount"] = json!("3525");
    home_only["applied_rate"] = Value::Null;
    home_only["mid_market_rate"] = Value::Null;
    home_only["uses"] = json!([{"purpose": "education", "amount": "3525"}]);
    assert_request_matches("POST", REMITTANCES, &home_only);
    let bens = record(&app, REMITTANCES, &group, &home_only).await;
    assert_eq!(bens["transaction_id"], Value::Null);
    assert_eq!(bens["credited_to_savings"], Value::Null);
    assert_eq!(bens["applied_rate"], "7.05");
    assert_eq!(bens["applied_rate_derived"], true);
    assert_eq!(bens["cost"]["fx_margin"], Value::Null);
    assert_eq!(bens["cost"]["percent"], "0.00");

    // Remittances that cannot be taken.
    set_status(&app, &group, &ben_id, "returned_home").await;
    let mut uses = body.clone();
    uses["uses"][0]["amount"] = json!("4000");
    let mut twice = body.clone();
    twice["uses"][1]["purpose"] = json!("family_support");
    for (bad, slug, pointer, schema_allows) in [
        (uses, "uses-mismatch", "/uses", true),
        (twice, "invalid-field", "/uses/1/purpose", true),
        (
            with(&body, "member_id", Some(json!(NO_SUCH_ID))),
            "unknown-member",
            "/member_id",
            true,
        ),
        (
            with(&body, "member_id", Some(json!(ben_id))),
            "member-not-active",
            "/member_id",
            true,
        ),
        // Zero is refused by the schema's pattern too.
        (
            with(&body, "receive_amount", Some(json!("0"))),
            "non-positive-amount",
            "/receive_amount",
            false,
        ),
        (
            with(&body, "applied_rate", Some(json!("-7"))),
            "invalid-field",
            "/applied_rate",
            false,
        ),
        (
            with(&body, "channel", Some(json!("pigeon"))),
            "invalid-field",
            "/channel",
            false,
        ),
        (
            with(&body, "uses", Some(json!([]))),
            "invalid-field",
            "/uses",
            false,
        ),
        (
            with(&body, "provider", None),
            "invalid-field",
            "/provider",
            false,
        ),
        // Amounts carry no sign.
        (
            with(&body, "fee", Some(json!("-5"))),
            "invalid-field",
            "/fee",
            false,
        ),
    ] {
        let key = uuid::Uuid::new_v4().to_string();
        let reply = post(&app, REMITTANCES, &remittances, Some(&key), &bad).await;
        assert_field_problem(&reply, slug, pointer);
        assert_eq!(
            request_allowed("POST", REMITTANCES, &bad),
            schema_allows,
            "{bad}"
        );
    }
    assert_eq!(app.balance(&group, &savings).await, "285.71");

    // Oldest first, a page at a time, by member.
    let all = get(&app, REMITTANCES, &remittances).await;
    assert_eq!(each(&all, "id"), [&remittance["id"], &bens["id"]]);
    assert_eq!(items(&all)[0], *remittance);
    let first = get(&app, REMITTANCES, &format!("{remittances}?limit=1")).await;
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let rest = get(
        &app,
        REMITTANCES,
        &format!("{remittances}?limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(each(&rest, "id"), [&bens["id"]]);
    let anas = get(
        &app,
        REMITTANCES,
        &format!("{remittances}?member_id={ana_id}&from={}", today()),
    )
    .await;
    assert_eq!(each(&anas, "id"), [&remittance["id"]]);
    let nobodys = get(
        &app,
        REMITTANCES,
        &format!("{remittances}?member_id={NO_SUCH_ID}"),
    )
    .await;
    assert_eq!(nobodys.status.as_u16(), 200, "{}", nobodys.body);
    assert!(items(&nobodys).is_empty());
    assert_eq!(nobodys.body["next_cursor"], Value::Null);
    assert_parameter_problem(
        &get(&app, REMITTANCES, &format!("{remittances}?member_id=ana")).await,
        "member_id",
    );
    let one = get(
        &app,
        REMITTANCE,
        &format!("{remittances}/{}", id_of(remittance)),
    )
    .await;
    assert_eq!(one.body, *remittance);
    assert_problem(
        &get(&app, REMITTANCE, &format!("{remittances}/{NO_SUCH_ID}")).await,
        404,
        "not-found",
    );
});

both_backends!(
    remittances_in_transit_answer_as_documented,
    |app| async move {
        let group = app.create_group("Padala").await;
        let ana_id = id_of(&register(&app, &group, "Ana Reyes").await);
        let remittances = format!("/v1/groups/{group}/remittances");
        let mut body = remittance_body(&ana_id);
        body["status"] = json!("in_transit");
        assert_request_matches("POST", REMITTANCES, &body);
        let sent = record(&app, REMITTANCES, &group, &body).await;
        assert_eq!(sent["status"], "in_transit");
        assert_eq!(sent["settlement"], Value::Null);
        assert_eq!(
            app.balance(&group, "assets:in-transit:PHP").await,
            "2000.00"
        );

        // PHP 6,965 arrived at 6.965 (mid-market 7.20, fee HKD 30): margin 32.64, cost 62.64.
        let path = format!("{remittances}/{}", id_of(&sent));
        let completion = format!("{path}/completion");
        let arrival = json!({"receive_amount": "6965.00", "applied_rate": "6.965", "uses": [
            {"purpose": "family_support", "amount": "5000.00"},
            {"purpose": "group_savings", "amount": "1965.00"}]});
        assert_request_matches("POST", REMITTANCE_COMPLETION, &arrival);
        let keyless = post(&app, REMITTANCE_COMPLETION, &completion, None, &arrival).await;
        assert_problem(&keyless, 400, "idempotency-key-required");
        let short = json!({"receive_amount": "6965.00"});
        assert_field_problem(
            &post(
                &app,
                REMITTANCE_COMPLETION,
                &completion,
                Some("short"),
                &short,
            )
            .await,
            "uses-mismatch",
            "/uses",
        );
        let done = post(
            &app,
            REMITTANCE_COMPLETION,
            &completion,
            Some("arrived"),
            &arrival,
        )
        .await;
        assert_eq!(done.status.as_u16(), 201, "{}", done.body);
        let retry = post(
            &app,
            REMITTANCE_COMPLETION,
            &completion,
            Some("arrived"),
            &arrival,
        )
        .await;
        assert!(replayed(&retry));
        assert_eq!(retry.body, done.body);
        assert_eq!(done.body["status"], "completed");
        assert_eq!(
            done.body["cost"],
            json!({"currency": "HKD", "fee": "30.00", "fx_margin": "32.64", "total": "62.64", "percent": "6.26"})
        );
        assert_eq!(
            done.body["settlement"]["expected_receive_amount"],
            "7000.00"
        );
        assert_eq!(get(&app, REMITTANCE, &path).await.body, done.body);
        let failure = format!("{path}/failure");
        assert_problem(
            &post(
                &app,
                REMITTANCE_FAILURE,
                &failure,
                Some("too-late"),
                &json!({}),
            )
            .await,
            409,
            "remittance-not-in-transit",
        );

        // Another fails, the provider keeping PHP 70 of its group savings.
        let second = record(&app, REMITTANCES, &group, &body).await;
        let kept = json!({"fee_kept": "70.00"});
        assert_request_matches("POST", REMITTANCE_FAILURE, &kept);
        let second_failure = format!("{remittances}/{}/failure", id_of(&second));
        assert_field_problem(
            &post(
                &app,
                REMITTANCE_FAILURE,
                &second_failure,
                Some("too-much"),
                &json!({"fee_kept": "2000.01"}),
            )
            .await,
            "invalid-field",
            "/fee_kept",
        );
        let failed = record_at(&app, REMITTANCE_FAILURE, &second_failure, &kept).await;
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["settlement"]["fee_kept"], "70.00");

        // A third is still on its way today: in the report, but not in transit for more than
        // zero days yet.
        let third = record(&app, REMITTANCES, &group, &body).await;
        let report = format!("/v1/groups/{group}/reports/remittances-in-transit");
        let listed = get(&app, REMITTANCES_IN_TRANSIT, &report).await;
        assert_eq!(listed.status.as_u16(), 200, "{}", listed.body);
        assert_eq!(listed.body["remittances"][0]["remittance_id"], third["id"]);
        assert_eq!(listed.body["remittances"][0]["days_in_transit"], 0);
        assert_eq!(listed.body["remittances"].as_array().map(Vec::len), Some(1));
        let older = get(
            &app,
            REMITTANCES_IN_TRANSIT,
            &format!("{report}?older_than_days=0"),
        )
        .await;
        assert_eq!(older.body["remittances"], json!([]));
        let sheet = csv_rows(
            &get(
                &app,
                REMITTANCES_IN_TRANSIT,
                &format!("{report}?format=csv"),
            )
            .await,
            "remittances-in-transit.csv",
        );
        assert_eq!(sheet.len(), 2);
        assert_eq!(sheet[1][0], id_of(&third));
        assert_parameter_problem(
            &get(
                &app,
                REMITTANCES_IN_TRANSIT,
                &format!("{report}?older_than_days=soon"),
            )
            .await,
            "older_than_days",
        );
    }
);

both_backends!(
    a_members_remittances_answer_as_documented,
    |app| async move {
        let (group, ana_id) = group_with_saver(&app, "1000", "remittance").await;
        let ben_id = id_of(&register(&app, &group, "Ben Cruz").await);
        let sent = record(&app, REMITTANCES, &group, &remittance_body(&ana_id)).await;
        let mut home_only = remittance_body(&ben_id);
        home_only["uses"] = json!([{"purpose": "health", "amount": "7000"}]);
        record(&app, REMITTANCES, &group, &home_only).await;
        let mill = record(&app, INVESTMENTS, &group, &investment_body("HKD")).await;
        let disbursements = format!(
            "/v1/groups/{group}/investments/{}/disbursements",
            id_of(&mill)
        );
        record_at(
            &app,
            DISBURSEMENTS,
            &disbursements,
            &json!({"amount": "400"}),
        )
        .await;
        let (_, ana) = app
            .user_with(
                "ana.reyes",
                json!([{"role": "member", "group_id": group, "member_id": ana_id}]),
            )
            .await;
        let members = format!("/v1/groups/{group}/members");
        let anas = format!("{members}/{ana_id}/remittances");

        // Ana reads her own remittances, as the treasurer sees them, and nobody else's.
        let own = get_as(&app, &ana, MEMBER_REMITTANCES, &anas).await;
        assert_eq!(own.status.as_u16(), 200, "{}", own.body);
        assert_eq!(items(&own), &vec![sent.clone()]);
        assert_eq!(own.body, get(&app, MEMBER_REMITTANCES, &anas).await.body);
        let bens = format!("{members}/{ben_id}/remittances");
        assert_problem(
            &get_as(&app, &ana, MEMBER_REMITTANCES, &bens).await,
            404,
            "not-found",
        );
        assert_problem(
            &get_as(&app, &app.anonymous, MEMBER_REMITTANCES, &anas).await,
            401,
            "unauthorized",
        );
        let later = get(
            &app,
            MEMBER_REMITTANCES,
            &format!("{anas}?from={}", days_from_today(1)),
        )
        .await;
        assert!(items(&later).is_empty());
        for (query, parameter) in [
            (format!("member_id={ben_id}"), "member_id"),
            (format!("from={}&to={}", today(), days_from_today(-1)), "to"),
            ("limit=0".to_string(), "limit"),
        ] {
            let reply = get(&app, MEMBER_REMITTANCES, &format!("{anas}?{query}")).await;
            assert_parameter_problem(&reply, parameter);
        }
        assert_problem(
            &get(
                &app,
                MEMBER_REMITTANCES,
                &format!("{members}/{NO_SUCH_ID}/remittances"),
            )
            .await,
            404,
            "not-found",
        );

        // Her statement shows them too, with her share of the group's investments: all of the
        // book value, since only she has savings.
        let statement = get_as(
            &app,
            &ana,
            MEMBER_STATEMENT,
            &format!("{members}/{ana_id}/statement"),
        )
        .await;
        assert_eq!(statement.status.as_u16(), 200, "{}", statement.body);
        assert_eq!(statement.body["distribution_basis"], "savings");
        assert_eq!(statement.body["remittances"], json!([sent]));
        let share = &statement.body["investments"][0];
        assert_eq!(share["investment_id"], mill["id"]);
        assert_eq!(
            (&share["book_value"], &share["member_share"]),
            (&json!("400.00"), &json!("400.00"))
        );
    }
);

both_backends!(transfers_answer_as_documented, |app| async move {
    let (group, ana_id) = group_with_saver(&app, "1000", "bank").await;
    app.create_account(&group, "assets:home-bank:PHP", "asset", "PHP", true)
        .await;
    app.create_account(&group, "assets:cash:HKD", "asset", "HKD", true)
        .await;
    let transfers = format!("/v1/groups/{group}/transfers");

    // HKD 500 sent home as PHP 3,525, with a fee of HKD 10.
    let home = json!({
        "from": "assets:bank:HKD",
        "to": "assets:home-bank:PHP",
        "amount": "500",
        "receive_amount": "3525",
        "fee": "10",
        "mid_market_rate": "7.08",
        "description": "Savings sent home",
    });
    assert_request_matches("POST", TRANSFERS, &home);
    assert_problem(
        &post(&app, TRANSFERS, &transfers, None, &home).await,
        400,
        "idempotency-key-required",
    );
    let sent = post(&app, TRANSFERS, &transfers, Some("home"), &home).await;
    assert_eq!(sent.status.as_u16(), 201, "{}", sent.body);
    assert!(replayed(
        &post(&app, TRANSFERS, &transfers, Some("home"), &home).await
    ));
    let transfer = &sent.body;
    assert_eq!(transfer["currency"], "HKD");
    assert_eq!(transfer["receive_currency"], "PHP");
    assert_eq!(transfer["applied_rate"], "7.05");
    assert_eq!(transfer["mid_market_rate"], "7.08");
    assert_eq!(transfer["fee"], "10.00");
    for (code, balance) in [
        ("assets:bank:HKD", "490.00"),
        ("assets:home-bank:PHP", "3525.00"),
        ("expense:fees:HKD", "10.00"),
        ("assets:fx:HKD", "500.00"),
        ("assets:fx:PHP", "-3525.00"),
    ] {
        assert_eq!(app.balance(&group, code).await, balance, "{code}");
    }
    let transaction = transaction_of(&app, &group, transfer).await;
    assert_eq!(transaction["metadata"]["event"], "transfer");
    assert_eq!(transaction["metadata"]["event_id"], transfer["id"]);

    // In one currency, what is lost on the way is an FX loss.
    let to_cash = json!({"from": "assets:bank:HKD", "to": "assets:cash:HKD", "amount": "100", "receive_amount": "98"});
    assert_request_matches("POST", TRANSFERS, &to_cash);
    let cashed = record(&app, TRANSFERS, &group, &to_cash).await;
    assert_eq!(cashed["applied_rate"], Value::Null);
    assert_eq!(
        cashed["description"],
        "Transfer from assets:bank:HKD to assets:cash:HKD"
    );
    assert_eq!(app.balance(&group, "expense:fx-loss:HKD").await, "2.00");
    assert_eq!(app.balance(&group, "assets:cash:HKD").await, "98.00");

    // Transfers that cannot be made.
    let savings = format!("liabilities:savings:{ana_id}");
    for (bad, slug, pointer) in [
        (
            with(&to_cash, "from", Some(json!(savings))),
            "account-kind",
            "/from",
        ),
        (
            with(&to_cash, "to", Some(json!("assets:safe:HKD"))),
            "unknown-account",
            "/to",
        ),
        (
            with(&to_cash, "to", Some(json!("assets:bank:HKD"))),
            "invalid-field",
            "/to",
        ),
        (
            with(&home, "receive_amount", None),
            "invalid-field",
            "/receive_amount",
        ),
        (
            with(&to_cash, "applied_rate", Some(json!("1.5"))),
            "invalid-field",
            "/applied_rate",
        ),
        (
            with(&to_cash, "mid_market_rate", Some(json!("1.02"))),
            "invalid-field",
            "/mid_market_rate",
        ),
        (
            with(&to_cash, "fee", Some(json!("-1"))),
            "invalid-field",
            "/fee",
        ),
        (
            with(&to_cash, "amount", Some(json!("0"))),
            "non-positive-amount",
            "/amount",
        ),
        (
            json!({"from": "assets:bank:HKD", "to": "assets:cash:HKD", "amount": "10000"}),
            "overdraft",
            "/amount",
        ),
        (
            with(&to_cash, "note", Some(json!("x"))),
            "invalid-field",
            "/note",
        ),
    ] {
        let key = uuid::Uuid::new_v4().to_string();
        let reply = post(&app, TRANSFERS, &transfers, Some(&key), &bad).await;
        assert_field_problem(&reply, slug, pointer);
    }
    assert_eq!(app.balance(&group, "assets:bank:HKD").await, "390.00");

    let all = get(&app, TRANSFERS, &transfers).await;
    assert_eq!(each(&all, "id"), [&transfer["id"], &cashed["id"]]);
    let first = get(&app, TRANSFERS, &format!("{transfers}?limit=1")).await;
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let rest = get(
        &app,
        TRANSFERS,
        &format!("{transfers}?limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(items(&rest), &vec![cashed.clone()]);
    assert_parameter_problem(
        &get(&app, TRANSFERS, &format!("{transfers}?from={}", today())).await,
        "from",
    );
    let one = get(&app, TRANSFER, &format!("{transfers}/{}", id_of(transfer))).await;
    assert_eq!(one.body, *transfer);
    for path in [
        format!("{transfers}/{NO_SUCH_ID}"),
        format!("{transfers}/42"),
    ] {
        assert_problem(&get(&app, TRANSFER, &path).await, 404, "not-found");
    }
});

both_backends!(distributions_answer_as_documented, |app| async move {
    let group = app.create_group("Bayanihan").await;
    let ana_id = id_of(&register(&app, &group, "Ana Reyes").await);
    let ben_id = id_of(&register(&app, &group, "Ben Cruz").await);
    let yesterday = days_from_today(-1);
    for (member, amount) in [(&ana_id, "300"), (&ben_id, "100")] {
        let mut saved = contribution_body(member, amount, "savings", "cash");
        saved["booked_on"] = json!(yesterday);
        record(&app, CONTRIBUTIONS, &group, &saved).await;
    }
    income_booked_on(&app, &group, "101", &yesterday).await;
    let distributions = format!("/v1/groups/{group}/distributions");
    let preview = json!({"pool": "100.01", "pay_to": "savings", "dry_run": true});
    assert_request_matches("POST", DISTRIBUTIONS, &preview);

    // Income is distributed once a period close has moved it to the undistributed surplus.
    let too_soon = post(&app, DISTRIBUTIONS, &distributions, None, &preview).await;
    assert_field_problem(&too_soon, "pool-exceeds-available", "/pool");
    let closes = format!("/v1/groups/{group}/period-closes");
    let closed = post(
        &app,
        PERIOD_CLOSES,
        &closes,
        None,
        &json!({"through": yesterday}),
    )
    .await;
    assert_eq!(closed.status.as_u16(), 201, "{}", closed.body);
    let closing = closed.body["closing_transaction_id"]
        .as_str()
        .expect("a closing transaction");
    let closing = get(
        &app,
        TRANSACTION,
        &format!("/v1/groups/{group}/transactions/{closing}"),
    )
    .await;
    assert_eq!(closing.body["booked_on"], json!(yesterday));
    assert_eq!(app.balance(&group, "income:investments:HKD").await, "0.00");
    assert_eq!(
        app.balance(&group, "equity:undistributed:HKD").await,
        "101.00"
    );

    // A preview writes nothing and needs no key. By savings, 3 to 1; the unit rounding leaves
    // over goes to the largest remainder.
    let dry = post(&app, DISTRIBUTIONS, &distributions, None, &preview).await;
    assert_eq!(dry.status.as_u16(), 200, "{}", dry.body);
    let shares: Vec<(&Value, &Value, &Value)> = dry.body["shares"]
        .as_array()
        .expect("shares")
        .iter()
        .map(|s| (&s["member_id"], &s["weight"], &s["share"]))
        .collect();
    assert_eq!(
        shares,
        [
            (&json!(ana_id), &json!("300.00"), &json!("75.01")),
            (&json!(ben_id), &json!("100.00"), &json!("25.00")),
        ]
    );
    assert_eq!(dry.body["dry_run"], true);
    assert_eq!(dry.body["basis"], "savings");
    assert_eq!(dry.body["investment_id"], Value::Null);
    assert_eq!(dry.body["shares_total"], "100.01");
    for field in ["id", "transaction_id", "created_by", "created_at"] {
        assert_eq!(dry.body[field], Value::Null, "{field}");
    }
    assert_eq!(
        app.balance(&group, "equity:undistributed:HKD").await,
        "101.00"
    );
    assert!(items(&get(&app, DISTRIBUTIONS, &distributions).await).is_empty());

    // The real thing needs a key, and is posted once.
    let body = with(&preview, "dry_run", None);
    let keyless = post(&app, DISTRIBUTIONS, &distributions, None, &body).await;
    assert_problem(&keyless, 400, "idempotency-key-required");
    let posted = post(&app, DISTRIBUTIONS, &distributions, Some("year-end"), &body).await;
    assert_eq!(posted.status.as_u16(), 201, "{}", posted.body);
    let retry = post(&app, DISTRIBUTIONS, &distributions, Some("year-end"), &body).await;
    assert!(replayed(&retry));
    assert_eq!(retry.body, posted.body);
    let distribution = &posted.body;
    assert_eq!(distribution["dry_run"], false);
    let admin_id = get(&app, ME, ME).await.body["user"]["id"].clone();
    assert_eq!(distribution["created_by"], admin_id);
    assert_eq!(distribution["shares"], dry.body["shares"]);
    let ana_savings = format!("liabilities:savings:{ana_id}");
    assert_eq!(app.balance(&group, &ana_savings).await, "375.01");
    assert_eq!(
        app.balance(&group, "equity:undistributed:HKD").await,
        "0.99"
    );
    let transaction = transaction_of(&app, &group, distribution).await;
    assert_eq!(
        transaction["metadata"],
        json!({"event": "distribution", "event_id": distribution["id"]})
    );

    // Equal shares to payable accounts; ties go to the member registered first.
    let equal = json!({"pool": "0.99", "basis": "equal", "pay_to": "payable", "dry_run": true});
    let even = post(&app, DISTRIBUTIONS, &distributions, None, &equal).await;
    assert_eq!(even.status.as_u16(), 200, "{}", even.body);
    assert_eq!(even.body["weight_currency"], Value::Null);
    assert_eq!(even.body["total_weight"], "2");
    assert_eq!(even.body["shares"][0]["share"], "0.50");
    assert_eq!(even.body["shares"][1]["share"], "0.49");
    assert_eq!(
        even.body["shares"][0]["account"],
        json!(format!("liabilities:payable:{ana_id}:HKD"))
    );

    // Distributions that cannot be made, remembered with their key.
    for (bad, slug, pointer) in [
        (
            json!({"pool": "1", "pay_to": "savings"}),
            "pool-exceeds-available",
            "/pool",
        ),
        (
            json!({"pool": "0.50", "basis": "capital", "pay_to": "capital"}),
            "no-recipients",
            "/basis",
        ),
        (
            json!({"pool": "0", "pay_to": "savings"}),
            "non-positive-amount",
            "/pool",
        ),
        (json!({"pool": "0.50"}), "invalid-field", "/pay_to"),
        (
            json!({"pool": "0.50", "pay_to": "savings", "as_of": "31-12-2025"}),
            "invalid-field",
            "/as_of",
        ),
    ] {
        let key = uuid::Uuid::new_v4().to_string();
        let reply = post(&app, DISTRIBUTIONS, &distributions, Some(&key), &bad).await;
        assert_field_problem(&reply, slug, pointer);
    }
    let unknown = json!({"pool": "0.50", "pay_to": "savings", "investment_id": NO_SUCH_ID});
    assert_request_matches("POST", DISTRIBUTIONS, &unknown);
    let reply = post(
        &app,
        DISTRIBUTIONS,
        &distributions,
        Some("unknown"),
        &unknown,
    )
    .await;
    assert_field_problem(&reply, "unknown-investment", "/investment_id");
    let again = post(
        &app,
        DISTRIBUTIONS,
        &distributions,
        Some("unknown"),
        &unknown,
    )
    .await;
    assert!(replayed(&again), "remembered with its key");
    assert_eq!(again.body, reply.body);
    let refused = json!({"pool": "1", "pay_to": "savings"});
    let first = post(&app, DISTRIBUTIONS, &distributions, Some("more"), &refused).await;
    let again = post(&app, DISTRIBUTIONS, &distributions, Some("more"), &refused).await;
    assert!(replayed(&again));
    assert_eq!(again.body, first.body);

    let all = get(&app, DISTRIBUTIONS, &distributions).await;
    assert_eq!(items(&all), &vec![distribution.clone()]);
    assert_eq!(all.body["next_cursor"], Value::Null);
    let one = get(
        &app,
        DISTRIBUTION,
        &format!("{distributions}/{}", id_of(distribution)),
    )
    .await;
    assert_eq!(one.body, *distribution);
    assert_problem(
        &get(&app, DISTRIBUTION, &format!("{distributions}/{NO_SUCH_ID}")).await,
        404,
        "not-found",
    );
});

both_backends!(member_exits_answer_as_documented, |app| async move {
    let (group, ana_id) = group_with_saver(&app, "500", "cash").await;
    record(
        &app,
        CONTRIBUTIONS,
        &group,
        &contribution_body(&ana_id, "200", "capital", "cash"),
    )
    .await;
    let ben_id = id_of(&register(&app, &group, "Ben Cruz").await);
    record(
        &app,
        CONTRIBUTIONS,
        &group,
        &contribution_body(&ben_id, "100", "savings", "bank"),
    )
    .await;
    let members = format!("/v1/groups/{group}/members");
    let ana_exit = format!("{members}/{ana_id}/exit");

    // Ana goes home, is paid her savings in cash and keeps her capital invested.
    let home = json!({"status": "returned_home", "channel": "cash", "keep_capital": true});
    assert_request_matches("POST", MEMBER_EXIT, &home);
    assert_problem(
        &post(&app, MEMBER_EXIT, &ana_exit, None, &home).await,
        400,
        "idempotency-key-required",
    );
    let went = post(&app, MEMBER_EXIT, &ana_exit, Some("ana-home"), &home).await;
    assert_eq!(went.status.as_u16(), 201, "{}", went.body);
    let retry = post(&app, MEMBER_EXIT, &ana_exit, Some("ana-home"), &home).await;
    assert!(replayed(&retry));
    assert_eq!(retry.body, went.body);
    let savings = format!("liabilities:savings:{ana_id}");
    assert_eq!(
        went.body["paid"],
        json!([{"account": savings, "amount": "500.00", "currency": "HKD"}])
    );
    assert_eq!(went.body["member"]["status"], "returned_home");
    assert_eq!(went.body["member"]["status_on"], json!(today()));
    assert_eq!(
        went.body["member"]["accounts"]["capital"]["balance"],
        "200.00"
    );
    let transaction = transaction_of(&app, &group, &went.body).await;
    assert_eq!(
        transaction["metadata"],
        json!({"event": "member_exit", "member_id": ana_id})
    );
    assert_eq!(app.balance(&group, "assets:cash:HKD").await, "200.00");

    // Only a member who returns home keeps capital; exiting pays out the rest, once.
    let keep = json!({"status": "exited", "channel": "cash", "keep_capital": true});
    assert!(!request_allowed("POST", MEMBER_EXIT, &keep));
    let refused = post(&app, MEMBER_EXIT, &ana_exit, Some("keep"), &keep).await;
    assert_field_problem(&refused, "invalid-field", "/keep_capital");
    let leave = json!({"status": "exited", "channel": "cash"});
    let left = record_at(&app, MEMBER_EXIT, &ana_exit, &leave).await;
    assert_eq!(left["member"]["status"], "exited");
    assert_eq!(
        left["paid"][0]["account"],
        json!(format!("equity:capital:{ana_id}"))
    );
    assert_eq!(app.balance(&group, "assets:cash:HKD").await, "0.00");
    let twice = post(&app, MEMBER_EXIT, &ana_exit, Some("twice"), &leave).await;
    assert_problem(&twice, 409, "member-exited");
    assert!(!replayed(&twice));
    let thrice = post(&app, MEMBER_EXIT, &ana_exit, Some("twice"), &leave).await;
    assert_problem(&thrice, 409, "member-exited");
    assert!(replayed(&thrice), "the refusal is remembered with its key");
    assert_eq!(thrice.body, twice.body);

    // Carla has nothing to be paid: nothing is posted. The cash box cannot pay Ben's savings,
    // which came in through the bank.
    let carla_id = id_of(&register(&app, &group, "Carla Dizon").await);
    let carla_exit = format!("{members}/{carla_id}/exit");
    let nothing = record_at(&app, MEMBER_EXIT, &carla_exit, &home).await;
    assert_eq!(nothing["paid"], json!([]));
    assert_eq!(nothing["transaction_id"], Value::Null);
    let ben_exit = format!("{members}/{ben_id}/exit");
    let short = post(&app, MEMBER_EXIT, &ben_exit, Some("short"), &leave).await;
    assert_field_problem(&short, "overdraft", "/channel");
    assert_eq!(
        app.balance(&group, &format!("liabilities:savings:{ben_id}"))
            .await,
        "100.00"
    );
    for (bad, pointer) in [
        (with(&leave, "status", Some(json!("active"))), "/status"),
        (with(&leave, "channel", None), "/channel"),
        (with(&leave, "on", Some(json!(days_from_today(2)))), "/on"),
    ] {
        let reply = post(&app, MEMBER_EXIT, &ben_exit, Some("bad"), &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
    }
    assert_problem(
        &post(
            &app,
            MEMBER_EXIT,
            &format!("{members}/{NO_SUCH_ID}/exit"),
            Some("nobody"),
            &leave,
        )
        .await,
        404,
        "not-found",
    );
});

// ---------------------------------------------------------------------------------------------
// Meetings.

/// The head of a group's hash chain: its sequence number and hash.
async fn head_of(app: &TestApp, group: &str) -> Value {
    let reply = get(app, GROUP, &format!("/v1/groups/{group}")).await;
    json!([reply.body["head_sequence"], reply.body["head_hash"]])
}

/// The (pointer, type) of each refused item of an `items-refused` problem, every one with a
/// detail.
fn refused_items(reply: &Reply) -> Vec<(&str, &str)> {
    reply.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors: {}", reply.body))
        .iter()
        .map(|e| {
            assert!(e["detail"].as_str().is_some_and(|d| !d.is_empty()), "{e}");
            (
                e["pointer"].as_str().expect("pointer"),
                e["type"].as_str().expect("type"),
            )
        })
        .collect()
}

both_backends!(meetings_answer_as_documented, |app| async move {
    let group = app.create_group("Bayanihan").await;
    let ana_id = id_of(&register(&app, &group, "Ana Reyes").await);
    let ben_id = id_of(&register(&app, &group, "Ben Cruz").await);
    let meetings = format!("/v1/groups/{group}/meetings");
    let admin_id = get(&app, ME, ME).await.body["user"]["id"].clone();

    // Ana pays into her savings and the social fund; Ben saves through the bank and takes some
    // of it out again at the same meeting.
    let body = json!({
        "held_on": today(),
        "note": "March meeting",
        "attendance": [ana_id, ben_id],
        "events": [
            {"type": "contribution", "member_id": ana_id, "amount": "500", "fund": "savings", "channel": "cash", "receipt_no": "R-1"},
            {"type": "contribution", "member_id": ana_id, "amount": "20", "fund": "social_fund", "channel": "cash"},
            {"type": "contribution", "member_id": ben_id, "amount": "300", "fund": "savings", "channel": "bank"},
            {"type": "withdrawal", "member_id": ben_id, "amount": "100", "channel": "bank"},
        ],
    });
    assert_request_matches("POST", MEETINGS, &body);
    let keyless = post(&app, MEETINGS, &meetings, None, &body).await;
    assert_problem(&keyless, 400, "idempotency-key-required");
    let recorded = post(&app, MEETINGS, &meetings, Some("march"), &body).await;
    assert_eq!(recorded.status.as_u16(), 201, "{}", recorded.body);
    assert!(!replayed(&recorded));
    let meeting = recorded.body.clone();
    assert_eq!(meeting["held_on"], json!(today()));
    assert_eq!(meeting["note"], "March meeting");
    assert_eq!(meeting["attendance"], json!([ana_id, ben_id]));
    assert_eq!(meeting["created_by"], admin_id);
    let events = meeting["events"].as_array().expect("events");
    let kinds: Vec<&Value> = events.iter().map(|e| &e["type"]).collect();
    assert_eq!(
        kinds,
        ["contribution", "contribution", "contribution", "withdrawal"]
    );
    assert!(events.iter().all(|e| e["booked_on"] == json!(today())));
    assert_eq!(events[0]["receipt_no"], "R-1");
    assert_eq!(events[3]["from"], "savings");
    for (code, balance) in [
        ("assets:cash:HKD", "520.00"),
        ("assets:bank:HKD", "200.00"),
        ("liabilities:social-fund:HKD", "20.00"),
        (&format!("liabilities:savings:{ana_id}"), "500.00"),
        (&format!("liabilities:savings:{ben_id}"), "200.00"),
    ] {
        assert_eq!(app.balance(&group, code).await, balance, "{code}");
    }
    // Each event is a contribution or a withdrawal like any other.
    let without_type = |event: &Value| with(event, "type", None);
    let contributions = format!("/v1/groups/{group}/contributions");
    let first = get(
        &app,
        CONTRIBUTION,
        &format!("{contributions}/{}", id_of(&events[0])),
    )
    .await;
    assert_eq!(first.body, without_type(&events[0]));
    let withdrawals = format!("/v1/groups/{group}/withdrawals");
    let last = get(
        &app,
        WITHDRAWAL,
        &format!("{withdrawals}/{}", id_of(&events[3])),
    )
    .await;
    assert_eq!(last.body, without_type(&events[3]));
    let transaction = transaction_of(&app, &group, &events[3]).await;
    assert_eq!(
        transaction["metadata"],
        json!({"event": "withdrawal", "event_id": events[3]["id"]})
    );

    // A retry gets the first answer; nothing is recorded twice.
    let again = post(&app, MEETINGS, &meetings, Some("march"), &body).await;
    assert_eq!(again.status.as_u16(), 201, "{}", again.body);
    assert!(replayed(&again));
    assert_eq!(again.body, meeting);
    assert_eq!(app.balance(&group, "assets:cash:HKD").await, "520.00");
    let other = with(&body, "note", Some(json!("April meeting")));
    let reused = post(&app, MEETINGS, &meetings, Some("march"), &other).await;
    assert_problem(&reused, 422, "idempotency-key-reused");

    // Listed and read as recorded.
    let list = get(&app, MEETINGS, &meetings).await;
    assert_eq!(list.status.as_u16(), 200, "{}", list.body);
    assert_eq!(items(&list), &vec![meeting.clone()]);
    assert_eq!(list.body["next_cursor"], Value::Null);
    let one = get(&app, MEETING, &format!("{meetings}/{}", id_of(&meeting))).await;
    assert_eq!(one.status.as_u16(), 200, "{}", one.body);
    assert_eq!(one.body, meeting);
    for path in [format!("{meetings}/{NO_SUCH_ID}"), format!("{meetings}/42")] {
        assert_problem(&get(&app, MEETING, &path).await, 404, "not-found");
    }
    assert_parameter_problem(
        &get(
            &app,
            MEETING,
            &format!("{meetings}/{}?full=1", id_of(&meeting)),
        )
        .await,
        "full",
    );

    // Items that cannot be taken: nothing is written, and every one is named with the problem
    // it would have had alone. The refusal is remembered with its key.
    let before = head_of(&app, &group).await;
    let refused_body = json!({
        "attendance": [ana_id, NO_SUCH_ID],
        "events": [
            {"type": "contribution", "member_id": ana_id, "amount": "10", "fund": "savings", "channel": "cash"},
            {"type": "withdrawal", "member_id": ben_id, "amount": "1000", "channel": "bank"},
            {"type": "contribution", "member_id": NO_SUCH_ID, "amount": "5", "fund": "savings", "channel": "cash"},
        ],
    });
    assert_request_matches("POST", MEETINGS, &refused_body);
    let refused = post(&app, MEETINGS, &meetings, Some("refused"), &refused_body).await;
    assert_problem(&refused, 422, "items-refused");
    assert_eq!(
        refused_items(&refused),
        [
            ("/attendance/1", "/problems/unknown-member"),
            ("/events/1/amount", "/problems/overdraft"),
            ("/events/2/member_id", "/problems/unknown-member"),
        ]
    );
    let retried = post(&app, MEETINGS, &meetings, Some("refused"), &refused_body).await;
    assert!(replayed(&retried));
    assert_eq!(retried.body, refused.body);
    assert_eq!(head_of(&app, &group).await, before);
    assert_eq!(
        app.balance(&group, &format!("liabilities:savings:{ana_id}"))
            .await,
        "500.00"
    );
    assert_eq!(items(&get(&app, MEETINGS, &meetings).await).len(), 1);

    // Bodies refused before anything is looked up, and whether the document refuses them too.
    let capital_withdrawal = json!({"events": [
        {"type": "withdrawal", "member_id": ben_id, "amount": "1", "fund": "capital", "channel": "cash"},
    ]});
    let no_fund = json!({"events": [
        {"type": "contribution", "member_id": ben_id, "amount": "1", "channel": "cash"},
    ]});
    for (bad, pointer) in [
        (json!({}), "/events"),
        (json!({"attendance": [ana_id, ana_id]}), "/attendance/1"),
        (capital_withdrawal, "/events/0/fund"),
        (no_fund, "/events/0/fund"),
        (
            with(&body, "held_on", Some(json!(days_from_today(2)))),
            "/held_on",
        ),
        (with(&body, "minutes", Some(json!("none"))), "/minutes"),
    ] {
        let key = uuid::Uuid::new_v4().to_string();
        let reply = post(&app, MEETINGS, &meetings, Some(&key), &bad).await;
        assert_field_problem(&reply, "invalid-field", pointer);
        if pointer != "/held_on" {
            assert!(!request_allowed("POST", MEETINGS, &bad), "{bad}");
        }
    }
    // The date and note come from the query only with a CSV body.
    let dated = post(
        &app,
        MEETINGS,
        &format!("{meetings}?held_on={}", today()),
        Some("dated"),
        &body,
    )
    .await;
    assert_parameter_problem(&dated, "held_on");
    assert_eq!(head_of(&app, &group).await, before);

    // The same meeting from a spreadsheet, dated and noted in the query.
    let held_on = days_from_today(-1);
    let sheet = format!("{meetings}?held_on={held_on}&note=From%20the%20sheet");
    let csv = format!(
        "type,member_id,amount,fund,channel,receipt_no\r\n\
         attendance,{ana_id},,,,\r\n\
         contribution,{ana_id},50.00,savings,cash,R-2\r\n\
         withdrawal,{ben_id},25,,bank,\r\n"
    );
    let from_csv = post_raw(
        &app,
        MEETINGS,
        &sheet,
        Some("sheet"),
        Some("text/csv"),
        csv.clone(),
    )
    .await;
    assert_eq!(from_csv.status.as_u16(), 201, "{}", from_csv.body);
    let sheet_meeting = from_csv.body.clone();
    assert_eq!(sheet_meeting["held_on"], json!(held_on));
    assert_eq!(sheet_meeting["note"], "From the sheet");
    assert_eq!(sheet_meeting["attendance"], json!([ana_id]));
    let sheet_events = sheet_meeting["events"].as_array().expect("events");
    assert_eq!(
        sheet_events.iter().map(|e| &e["type"]).collect::<Vec<_>>(),
        ["contribution", "withdrawal"]
    );
    assert_eq!(sheet_events[0]["receipt_no"], "R-2");
    assert_eq!(sheet_events[1]["amount"], "25.00");
    assert!(
        sheet_events
            .iter()
            .all(|e| e["booked_on"] == json!(held_on))
    );
    let replay = post_raw(&app, MEETINGS, &sheet, Some("sheet"), Some("text/csv"), csv).await;
    assert!(replayed(&replay));
    assert_eq!(replay.body, sheet_meeting);
    assert_eq!(
        app.balance(&group, &format!("liabilities:savings:{ana_id}"))
            .await,
        "550.00"
    );
    assert_eq!(
        app.balance(&group, &format!("liabilities:savings:{ben_id}"))
            .await,
        "175.00"
    );

    // Oldest first, a page at a time.
    let page = get(&app, MEETINGS, &format!("{meetings}?limit=1")).await;
    assert_eq!(each(&page, "id"), [&meeting["id"]]);
    let cursor = page.body["next_cursor"].as_str().expect("a next page");
    let rest = get(
        &app,
        MEETINGS,
        &format!("{meetings}?limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(items(&rest), &vec![sheet_meeting.clone()]);
    assert_eq!(rest.body["next_cursor"], Value::Null);
    assert_parameter_problem(
        &get(&app, MEETINGS, &format!("{meetings}?limit=0")).await,
        "limit",
    );

    // A spreadsheet's refused items are named by line and column.
    let before = head_of(&app, &group).await;
    let overdrawn = format!("type,member_id,amount,channel\nwithdrawal,{ana_id},10000,cash\n");
    let refused = post_raw(
        &app,
        MEETINGS,
        &meetings,
        Some("overdrawn"),
        Some("text/csv"),
        overdrawn,
    )
    .await;
    assert_problem(&refused, 422, "items-refused");
    assert_eq!(
        refused_items(&refused),
        [("/rows/2/amount", "/problems/overdraft")]
    );
    let not_a_member = format!("type,member_id\nattendance,{ana_id}\nattendance,ana\n");
    let reply = post_raw(
        &app,
        MEETINGS,
        &meetings,
        Some("ana"),
        Some("text/csv"),
        not_a_member,
    )
    .await;
    assert_field_problem(&reply, "invalid-field", "/rows/3/member_id");

    // Not a meeting sheet at all, or not a body this route takes.
    for (bad, why) in [
        ("type,member,amount\ncontribution,x,1\n", "unknown column"),
        ("amount,channel\n1.00,cash\n", "no \"type\" column"),
        ("type,member_id\ncontribution\n", "line 2"),
    ] {
        let key = uuid::Uuid::new_v4().to_string();
        let reply = post_raw(&app, MEETINGS, &meetings, Some(&key), Some("text/csv"), bad).await;
        assert_problem(&reply, 400, "malformed-csv");
        let detail = reply.body["detail"].as_str().expect("detail");
        assert!(detail.contains(why), "{detail}");
    }
    let plain = post_raw(
        &app,
        MEETINGS,
        &meetings,
        Some("plain"),
        Some("text/plain"),
        "type,member_id\n",
    )
    .await;
    assert_problem(&plain, 415, "unsupported-media-type");
    let unknown = post_raw(
        &app,
        MEETINGS,
        &format!("{meetings}?colour=blue"),
        Some("colour"),
        Some("text/csv"),
        "type,member_id\n",
    )
    .await;
    assert_parameter_problem(&unknown, "colour");
    assert_eq!(head_of(&app, &group).await, before);
});

const EXPORT: &str = "/v1/groups/{group_id}/export";

both_backends!(the_export_answers_as_documented, |app| async move {
    let group = app.create_group("Export Savers").await;
    app.create_account(&group, "assets:cash:HKD", "asset", "HKD", false)
        .await;
    app.create_account(&group, "liabilities:savings:ana", "liability", "HKD", true)
        .await;
    let posted = app
        .transfer(
            &group,
            "assets:cash:HKD",
            "liabilities:savings:ana",
            "12.50",
        )
        .await;
    assert_eq!(posted.status.as_u16(), 201, "{}", posted.body);
    let path = format!("/v1/groups/{group}/export");
    for (format, media) in [
        ("hledger", "text/plain"),
        ("ledger", "text/plain"),
        ("beancount", "text/plain"),
        ("csv", "text/csv"),
    ] {
        let reply = get(&app, EXPORT, &format!("{path}?format={format}")).await;
        assert_eq!(reply.status.as_u16(), 200, "{format}: {}", reply.text);
        assert!(reply.content_type().starts_with(media), "{format}");
        assert!(reply.text.contains("12.50"), "{format}: {}", reply.text);
    }
    for (query, parameter) in [
        ("", "format"),
        ("format=xlsx", "format"),
        ("format=csv&from=2026-02-01&to=2026-01-01", "to"),
        ("format=csv&colour=blue", "colour"),
    ] {
        let reply = get(&app, EXPORT, &format!("{path}?{query}")).await;
        assert_parameter_problem(&reply, parameter);
    }
    let missing = get(
        &app,
        EXPORT,
        &format!("/v1/groups/{NO_SUCH_ID}/export?format=csv"),
    )
    .await;
    assert_problem(&missing, 404, "not-found");
});

// ---------------------------------------------------------------------------------------------
// Group reports, and a member's statement as a page and as a spreadsheet.

const FINANCIAL_STATEMENTS: &str = "/v1/groups/{group_id}/reports/financial-statements";
const MEMBER_BALANCES: &str = "/v1/groups/{group_id}/reports/member-balances";
const CASH_BOOK: &str = "/v1/groups/{group_id}/reports/cash-book";
const INVESTMENT_REGISTER: &str = "/v1/groups/{group_id}/reports/investment-register";
const DISTRIBUTION_AUDIT: &str = "/v1/groups/{group_id}/reports/distribution-audit";

/// GETs `path` with an `Accept` header, checking the reply against the operation `template`.
async fn get_accepting(app: &TestApp, template: &str, path: &str, accept: &str) -> Reply {
    let request = app.client.get(app.url(path)).header("Accept", accept);
    send(app, "GET", template, request).await
}

/// The rows of a CSV reply, its header row first, after checking it came as an attachment
/// named `name`.
fn csv_rows(reply: &Reply, name: &str) -> Vec<Vec<String>> {
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text);
    assert_eq!(reply.content_type(), "text/csv; charset=utf-8");
    let disposition = reply
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert_eq!(disposition, format!("attachment; filename=\"{name}\""));
    assert!(reply.text.ends_with("\r\n"), "{:?}", reply.text);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(reply.text.as_bytes())
        .records()
        .map(|row| row.expect("a CSV row").iter().map(str::to_string).collect())
        .collect()
}

/// Cells as owned strings, to compare with a row of [`csv_rows`].
fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

both_backends!(group_reports_answer_as_documented, |app| async move {
    let support::story::Story {
        group,
        ana,
        bea,
        coop,
        ..
    } = support::story::story(&app).await;
    let reports = format!("/v1/groups/{group}/reports");

    // The balance sheet and income statement at the end of the first half-year (see
    // tests/api/reports.rs for how each figure is made).
    let path = format!("{reports}/financial-statements");
    let statements = get(&app, FINANCIAL_STATEMENTS, &path).await;
    assert_eq!(statements.status.as_u16(), 200, "{}", statements.body);
    assert_eq!(statements.body["group_id"], json!(group));
    let hkd = &statements.body["currencies"][0];
    assert_eq!(hkd["currency"], "HKD");
    assert_eq!(
        hkd["balance_sheet"]["equation"],
        json!({"assets": "4990.00", "liabilities_equity_and_result": "4990.00", "holds": true})
    );
    assert_eq!(hkd["balance_sheet"]["total_equity"], "190.00");
    assert_eq!(hkd["income_statement"]["net_income"], "-60.00");
    let php = &statements.body["currencies"][1];
    assert_eq!(php["balance_sheet"]["total_assets"], "2450.00");
    assert_eq!(php["income_statement"]["net_income"], "2450.00");
    let may = get(&app, FINANCIAL_STATEMENTS, &format!("{path}?to=2026-05-31")).await;
    let php_in_may = &may.body["currencies"][1]["balance_sheet"];
    assert_eq!(php_in_may["unclosed_income"], "1200.00");
    assert_eq!(php_in_may["equity"], json!([]));
    let sheet = csv_rows(
        &get(&app, FINANCIAL_STATEMENTS, &format!("{path}?format=csv")).await,
        "financial-statements.csv",
    );
    assert_eq!(
        sheet[0],
        row(&["currency", "statement", "section", "code", "name", "amount"])
    );
    for expected in [
        row(&[
            "HKD",
            "balance_sheet",
            "assets",
            "assets:cash:HKD",
            "Cash box (HKD)",
            "1490.00",
        ]),
        row(&[
            "PHP",
            "income_statement",
            "net_income",
            "",
            "Total net_income",
            "2450.00",
        ]),
    ] {
        assert!(sheet.contains(&expected), "{expected:?} not in {sheet:?}");
    }
    // Without `format`, the Accept header chooses: CSV unless JSON is listed before it.
    let accepted = get_accepting(&app, FINANCIAL_STATEMENTS, &path, "text/csv").await;
    assert_eq!(csv_rows(&accepted, "financial-statements.csv"), sheet);
    let json_first = get_accepting(
        &app,
        FINANCIAL_STATEMENTS,
        &path,
        "application/json, text/csv",
    )
    .await;
    assert_eq!(json_first.body, statements.body);
    let csv_asked_json_given = get_accepting(
        &app,
        FINANCIAL_STATEMENTS,
        &format!("{path}?format=json"),
        "text/csv",
    )
    .await;
    assert_eq!(csv_asked_json_given.body, statements.body);

    // The surplus is shared out, to be paid later, so that the audit has a distribution.
    let shared = post(
        &app,
        DISTRIBUTIONS,
        &format!("/v1/groups/{group}/distributions"),
        Some("half-year surplus"),
        &json!({"pool": "2450.00", "currency": "PHP", "basis": "savings",
                "as_of": "2026-06-30", "pay_to": "payable", "booked_on": "2026-07-01"}),
    )
    .await;
    assert_eq!(shared.status.as_u16(), 201, "{}", shared.body);

    // Members' balances: Ana's PHP payable is her share, and the totals add up.
    let path = format!("{reports}/member-balances");
    let balances = get(&app, MEMBER_BALANCES, &path).await;
    assert_eq!(balances.status.as_u16(), 200, "{}", balances.body);
    let members = balances.body["members"].as_array().expect("members");
    assert_eq!(members.len(), 5);
    assert_eq!(members[0]["member_id"], json!(ana));
    assert_eq!(
        members[0]["balances"][1],
        json!({"currency": "PHP", "savings": "0.00", "capital": "0.00", "payable": "765.63",
               "available": "765.63"})
    );
    assert_eq!(
        balances.body["totals"],
        json!([
            {"currency": "HKD", "savings": "4800.00", "capital": "250.00", "payable": "0.00"},
            {"currency": "PHP", "savings": "0.00", "capital": "0.00", "payable": "2450.00"},
        ])
    );
    let february = get(&app, MEMBER_BALANCES, &format!("{path}?as_of=2026-02-28")).await;
    assert_eq!(february.body["as_of"], "2026-02-28");
    assert_eq!(
        february.body["members"][1]["balances"][0]["savings"],
        "300.00"
    );
    let sheet = csv_rows(
        &get(&app, MEMBER_BALANCES, &format!("{path}?format=csv")).await,
        "member-balances.csv",
    );
    assert_eq!(
        sheet.len(),
        1 + 10,
        "a header and a row per member and currency"
    );
    assert_eq!(
        sheet[0],
        row(&[
            "member_id",
            "name",
            "sex",
            "status",
            "currency",
            "savings",
            "capital",
            "payable",
            "available"
        ])
    );
    assert!(sheet.contains(&row(&[
        &ana, "Ana", "female", "active", "PHP", "0.00", "0.00", "765.63", "765.63"
    ])));

    // The cash book of the cash box from April: 3,250 at the start, 1,300 in, 3,060 out.
    let path = format!("{reports}/cash-book");
    let book = get(&app, CASH_BOOK, &path).await;
    assert_eq!(book.status.as_u16(), 200, "{}", book.body);
    let accounts: Vec<&Value> = book.body["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| &a["account"])
        .collect();
    assert_eq!(
        accounts,
        [
            &json!("assets:bank:HKD"),
            &json!("assets:cash:HKD"),
            &json!("assets:home-bank:PHP")
        ]
    );
    let april = format!("{path}?account=assets:cash:HKD&from=2026-04-01");
    let cash = get(&app, CASH_BOOK, &april).await;
    let account = &cash.body["accounts"][0];
    assert_eq!(cash.body["accounts"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        [
            &account["opening_balance"],
            &account["receipts"],
            &account["payments"],
            &account["closing_balance"]
        ],
        [
            &json!("3250.00"),
            &json!("1300.00"),
            &json!("3060.00"),
            &json!("1490.00")
        ]
    );
    let lines = account["lines"].as_array().expect("lines");
    let last = lines.last().expect("a line");
    assert_eq!(
        (&last["receipt"], &last["payment"], &last["balance"]),
        (&Value::Null, &json!("3060.00"), &json!("1490.00"))
    );
    let sheet = csv_rows(
        &get_accepting(&app, CASH_BOOK, &april, "text/csv;q=0.9, */*").await,
        "cash-book.csv",
    );
    assert_eq!(sheet.len(), 1 + 2 + lines.len());
    assert_eq!(
        sheet[1],
        row(&[
            "assets:cash:HKD",
            "HKD",
            "",
            "",
            "",
            "opening balance",
            "",
            "",
            "3250.00"
        ])
    );
    assert_eq!(sheet.last().map(|r| r[8].as_str()), Some("1490.00"));
    let not_cash = get(
        &app,
        CASH_BOOK,
        &format!("{path}?account=liabilities:savings:{ana}"),
    )
    .await;
    assert_problem(&not_cash, 422, "account-kind");
    let unknown = get(&app, CASH_BOOK, &format!("{path}?account=assets:cash:JPY")).await;
    assert_problem(&unknown, 404, "not-found");

    // The investment register: one cooperative, 20,000 out, 2,500 back, 12.5 %.
    let path = format!("{reports}/investment-register");
    let register = get(&app, INVESTMENT_REGISTER, &path).await;
    assert_eq!(register.status.as_u16(), 200, "{}", register.body);
    assert_eq!(register.body["investments"][0]["id"], json!(coop));
    assert_eq!(
        register.body["totals"],
        json!([{"currency": "PHP", "investments": 1, "committed": "30000.00",
                "disbursed": "20000.00", "book_value": "20000.00", "income_received": "2500.00",
                "capital_returned": "0.00", "written_down": "0.00", "net_return": "2500.00",
                "roi_percent": "12.50"}])
    );
    let sheet = csv_rows(
        &get(&app, INVESTMENT_REGISTER, &format!("{path}?format=csv")).await,
        "investment-register.csv",
    );
    assert_eq!(
        sheet.len(),
        1 + 2,
        "a header, the cooperative and its currency's total"
    );
    assert_eq!(sheet[1][0], coop);
    assert_eq!(
        (sheet[2][1].as_str(), sheet[2][14].as_str()),
        ("Total (1 investments)", "12.50")
    );

    // The distribution audit redoes the shares from their weights.
    let path = format!("{reports}/distribution-audit");
    let audit = get(&app, DISTRIBUTION_AUDIT, &path).await;
    assert_eq!(audit.status.as_u16(), 200, "{}", audit.body);
    let audited = &audit.body["distributions"][0];
    assert_eq!(audited["id"], shared.body["id"]);
    assert_eq!(
        (
            &audited["shares_total"],
            &audited["sums_to_pool"],
            &audited["matches_recomputation"]
        ),
        (&json!("2450.00"), &json!(true), &json!(true))
    );
    let sheet = csv_rows(
        &get(&app, DISTRIBUTION_AUDIT, &format!("{path}?format=csv")).await,
        "distribution-audit.csv",
    );
    let shares: Vec<&str> = sheet.iter().skip(1).map(|r| r[11].as_str()).collect();
    assert_eq!(shares, ["765.63", "714.58", "306.25", "510.42", "153.12"]);
    assert!(
        sheet
            .iter()
            .skip(1)
            .all(|r| r[12] == "true" && r[13] == "true")
    );

    // Every report refuses a format it cannot write, and parameters it does not take, and a
    // group that does not exist is not found.
    for (template, name) in [
        (FINANCIAL_STATEMENTS, "financial-statements"),
        (MEMBER_BALANCES, "member-balances"),
        (CASH_BOOK, "cash-book"),
        (INVESTMENT_REGISTER, "investment-register"),
        (DISTRIBUTION_AUDIT, "distribution-audit"),
    ] {
        let path = format!("{reports}/{name}");
        let xlsx = get(&app, template, &format!("{path}?format=xlsx")).await;
        assert_parameter_problem(&xlsx, "format");
        let twice = get(&app, template, &format!("{path}?format=csv&format=json")).await;
        assert_parameter_problem(&twice, "format");
        let colour = get(&app, template, &format!("{path}?colour=blue")).await;
        assert_parameter_problem(&colour, "colour");
        let missing = get(
            &app,
            template,
            &format!("/v1/groups/{NO_SUCH_ID}/reports/{name}"),
        )
        .await;
        assert_problem(&missing, 404, "not-found");
    }
    for (query, parameter) in [
        ("from=2026-02-30", "from"),
        ("from=2026-06-01&to=2026-05-31", "to"),
    ] {
        for template in [FINANCIAL_STATEMENTS, CASH_BOOK] {
            let name = template.rsplit('/').next().expect("a name");
            let reply = get(&app, template, &format!("{reports}/{name}?{query}")).await;
            assert_parameter_problem(&reply, parameter);
        }
    }
    let bad_date = get(
        &app,
        MEMBER_BALANCES,
        &format!("{reports}/member-balances?as_of=June"),
    )
    .await;
    assert_parameter_problem(&bad_date, "as_of");

    // Bea's statement as a printable page, asked for by name or by a browser's Accept.
    let path = format!("/v1/groups/{group}/members/{bea}/statement");
    let page = get(&app, MEMBER_STATEMENT, &format!("{path}?format=html")).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text);
    assert_eq!(page.content_type(), "text/html; charset=utf-8");
    assert!(page.text.starts_with("<!DOCTYPE html>"), "{}", page.text);
    for expected in [
        "<h1>Statement of Bea</h1>",
        "Current balance: <strong>1400.00</strong>",
        "Bayanihan Farmers Cooperative",
        // Bea's share of the cooperative by savings: 20,000 × 1,400 / 4,800.
        "5833.33",
    ] {
        assert!(
            page.text.contains(expected),
            "{expected} not in {}",
            page.text
        );
    }
    let browser = get_accepting(
        &app,
        MEMBER_STATEMENT,
        &path,
        "text/html,application/xhtml+xml,*/*;q=0.8",
    )
    .await;
    assert_eq!(browser.text, page.text);
    // And as a spreadsheet: opening, four movements and closing of savings; opening and
    // closing of capital.
    let sheet = csv_rows(
        &get(&app, MEMBER_STATEMENT, &format!("{path}?format=csv")).await,
        &format!("statement-{bea}.csv"),
    );
    assert_eq!(sheet.len(), 1 + 8);
    assert_eq!(
        sheet[0],
        row(&[
            "account",
            "currency",
            "booked_on",
            "sequence",
            "transaction_id",
            "description",
            "direction",
            "amount",
            "balance",
            "receipt_payload",
            "receipt_signature",
            "receipt_key_id"
        ])
    );
    // The third movement is the HKD 500 her remittance put into savings on 5 March.
    assert_eq!(
        (
            sheet[4][2].as_str(),
            sheet[4][6].as_str(),
            sheet[4][7].as_str()
        ),
        ("2026-03-05", "credit", "500.00")
    );
    assert_eq!(
        (sheet[6][5].as_str(), sheet[6][8].as_str()),
        ("closing balance", "1400.00")
    );
    let by_accept = get_accepting(&app, MEMBER_STATEMENT, &path, "text/csv").await;
    assert_eq!(csv_rows(&by_accept, &format!("statement-{bea}.csv")), sheet);
    let json = get(&app, MEMBER_STATEMENT, &path).await;
    assert_eq!(json.body["current_balance"], "1400.00");
    let pdf = get(&app, MEMBER_STATEMENT, &format!("{path}?format=pdf")).await;
    assert_parameter_problem(&pdf, "format");
});

// The task force's reports across groups.

/// GETs a report as CSV by the `Accept` header alone.
async fn get_csv_by_accept(app: &TestApp, template: &str, path: &str) -> Reply {
    let request = app.client.get(app.url(path)).header("Accept", "text/csv");
    send(app, "GET", template, request).await
}

both_backends!(the_network_reports_answer_as_documented, |app| async move {
    let (group, ana_id) = group_with_saver(&app, "500", "cash").await;
    record(
        &app,
        CONTRIBUTIONS,
        &group,
        &contribution_body(&ana_id, "200", "capital", "cash"),
    )
    .await;
    // All of it for her family: her savings stay HKD 500.
    let mut remitted = remittance_body(&ana_id);
    remitted["uses"] = json!([{"purpose": "family_support", "amount": "7000"}]);
    record(&app, REMITTANCES, &group, &remitted).await;
    let investment = record(&app, INVESTMENTS, &group, &investment_body("HKD")).await;
    let disbursements = format!(
        "/v1/groups/{group}/investments/{}/disbursements",
        id_of(&investment)
    );
    let body = json!({"amount": "100", "account": "assets:cash:HKD"});
    record_at(&app, DISBURSEMENTS, &disbursements, &body).await;
    let exit = format!("/v1/groups/{group}/members/{ana_id}/exit");
    let home = json!({"status": "returned_home", "channel": "cash", "keep_capital": true});
    record_at(&app, MEMBER_EXIT, &exit, &home).await;
    let (_, auditor) = app
        .user_with("auditor.reports", json!([{"role": "auditor"}]))
        .await;
    let (_, treasurer) = app
        .user_with(
            "treasurer.reports",
            json!([{"role": "treasurer", "group_id": group}]),
        )
        .await;

    let today = today();
    for (template, query, header, needle) in [
        (
            SAVINGS_REPORT,
            format!("host_country=HK&home_country=PH&as_of={today}"),
            "row,group_id,name,host_country,home_country,status,",
            group.clone(),
        ),
        (
            PORTFOLIO_REPORT,
            "host_country=HK".to_string(),
            "breakdown,key,currency,count,committed,disbursed,",
            "kind,cooperative,HKD,1,800.00,100.00,100.00".to_string(),
        ),
        (
            CORRIDORS_REPORT,
            format!("from={today}&to={today}&home_country=PH"),
            "send_country,receive_country,month,channel,send_currency,receive_currency,",
            "HK,PH,".to_string(),
        ),
        (
            INDICATORS_REPORT,
            format!("as_of={today}"),
            "row,sex,age_band,host_country,home_country,currency,suppressed,",
            "cell,undisclosed,unknown,HK,PH,HKD,true,,".to_string(),
        ),
        (
            REINTEGRATION_REPORT,
            String::new(),
            "group_id,group_name,member_id,sex,home_country,returned_on,currency,",
            ana_id.clone(),
        ),
    ] {
        let path = format!("{template}?{query}");
        let json = get(&app, template, &path).await;
        assert_eq!(json.status.as_u16(), 200, "{template}: {}", json.text);
        assert!(json.content_type().starts_with("application/json"));
        let separator = if query.is_empty() { "" } else { "&" };
        let csv = get(&app, template, &format!("{path}{separator}format=csv")).await;
        assert_eq!(csv.status.as_u16(), 200, "{template}");
        assert!(csv.content_type().starts_with("text/csv"), "{template}");
        assert!(csv.text.starts_with(header), "{template}: {}", csv.text);
        assert!(csv.text.contains(&needle), "{template}: {}", csv.text);
        let accepted = get_csv_by_accept(&app, template, &path).await;
        assert_eq!(accepted.text, csv.text, "{template}");
        let asked_json = get(&app, template, &format!("{path}{separator}format=json")).await;
        assert_eq!(asked_json.body, json.body, "{template}");

        assert_eq!(
            get_as(&app, &auditor, template, template)
                .await
                .status
                .as_u16(),
            200
        );
        assert_problem(
            &get_as(&app, &treasurer, template, template).await,
            403,
            "forbidden",
        );
        assert_problem(
            &get_as(&app, &app.anonymous, template, template).await,
            401,
            "unauthorized",
        );
        assert_parameter_problem(
            &get(&app, template, &format!("{template}?colour=blue")).await,
            "colour",
        );
        assert_parameter_problem(
            &get(&app, template, &format!("{template}?format=xml")).await,
            "format",
        );
    }

    let savings = get(&app, SAVINGS_REPORT, SAVINGS_REPORT).await;
    assert_eq!(
        savings.body["totals"],
        json!([{"currency": "HKD", "savings": "0.00", "capital": "200.00"}])
    );
    let indicators = get(&app, INDICATORS_REPORT, INDICATORS_REPORT).await;
    assert_eq!(indicators.body["cells"][0]["suppressed"], true);
    // One sender, under the threshold of 3: the line is documented without its figures.
    let corridors = get(&app, CORRIDORS_REPORT, CORRIDORS_REPORT).await;
    assert_eq!(corridors.body["corridors"][0]["suppressed"], true);
    assert!(
        corridors.body["corridors"][0]
            .get("average_cost_percent")
            .is_none()
    );
    let returned = get(&app, REINTEGRATION_REPORT, REINTEGRATION_REPORT).await;
    assert_eq!(
        returned.body["members"][0]["stakes"],
        json!([{"currency": "HKD", "savings_at_return": "500.00", "capital_at_return": "200.00",
                "paid_out": "500.00", "capital_invested_now": "200.00"}])
    );
    for (template, query, parameter) in [
        (SAVINGS_REPORT, "host_country=hk", "host_country"),
        (SAVINGS_REPORT, "as_of=soon", "as_of"),
        (PORTFOLIO_REPORT, "home_country=XX", "home_country"),
        (CORRIDORS_REPORT, "from=2026-02-01&to=2026-01-01", "to"),
        (INDICATORS_REPORT, "as_of=2026-02-30", "as_of"),
        (REINTEGRATION_REPORT, "host_country=HK", "host_country"),
    ] {
        let reply = get(&app, template, &format!("{template}?{query}")).await;
        assert_parameter_problem(&reply, parameter);
    }
});

/// YAML 1.1 readers (PyYAML, and with it many OpenAPI tools) read the plain words `on`, `off`,
/// `yes`, `no`, `y` and `n` as booleans, also as mapping keys: a property named `on` would
/// reach them as `true`. Every such key in the document is quoted.
#[test]
fn no_mapping_key_reads_as_a_boolean_in_yaml_1_1() {
    const BOOLEAN_WORDS: [&str; 10] = [
        "on", "off", "yes", "no", "y", "n", "true", "false", "~", "null",
    ];
    let mut plain = Vec::new();
    for (number, line) in support::openapi::OPENAPI_YAML.lines().enumerate() {
        let item = line.trim_start().trim_start_matches("- ");
        let Some((key, rest)) = item.split_once(':') else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with(' ')) {
            continue;
        }
        if BOOLEAN_WORDS.contains(&key.to_ascii_lowercase().as_str()) {
            plain.push(format!("line {}: {line}", number + 1));
        }
    }
    assert!(
        plain.is_empty(),
        "plain keys read as booleans or null: {plain:#?}"
    );
}

/// The same words as plain items of a `required` list would reach a YAML 1.1 reader as
/// booleans, not as the property names they are.
#[test]
fn no_required_name_reads_as_a_boolean_in_yaml_1_1() {
    const BOOLEAN_WORDS: [&str; 8] = ["on", "off", "yes", "no", "y", "n", "true", "false"];
    let mut plain = Vec::new();
    for (number, line) in support::openapi::OPENAPI_YAML.lines().enumerate() {
        let item = line.trim_start();
        let names: Vec<&str> = if let Some(list) = item
            .strip_prefix("required: [")
            .and_then(|rest| rest.strip_suffix(']'))
        {
            list.split(',').map(str::trim).collect()
        } else if let Some(name) = item.strip_prefix("- ") {
            vec![name.trim()]
        } else {
            continue;
        };
        if names
            .iter()
            .any(|name| BOOLEAN_WORDS.contains(&name.to_ascii_lowercase().as_str()))
        {
            plain.push(format!("line {}: {line}", number + 1));
        }
    }
    assert!(
        plain.is_empty(),
        "plain list items read as booleans: {plain:#?}"
    );
}
