//! Holds the service to its description: reads openapi.yaml once and checks responses (and
//! request bodies) against the schemas it documents, so the document cannot drift from what
//! the server does.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

use super::app::Reply;

/// The document, as kept in the repository and served at `/openapi.yaml`.
pub const OPENAPI_YAML: &str = include_str!("../../openapi.yaml");

/// The HTTP methods an OpenAPI path item can hold an operation for.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Response headers whose presence the document describes; any of them sent by the server must
/// be documented for that response.
const DESCRIBED_HEADERS: [&str; 6] = [
    "x-request-id",
    "idempotent-replayed",
    "retry-after",
    "www-authenticate",
    "cache-control",
    "set-cookie",
];

/// The parsed document.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        load_strict(OPENAPI_YAML).unwrap_or_else(|e| panic!("openapi.yaml is not valid YAML: {e}"))
    })
}

/// Reads a YAML document as strictly as the tools that read openapi.yaml do: a mapping that
/// holds the same key twice, at any depth, is an error (YAML 1.2 forbids it, and client
/// generators and linters stop there), not a silent "last one wins". The document is first read
/// into YAML's own value type, whose mappings refuse a repeated key, and only then turned into
/// JSON.
pub fn load_strict(text: &str) -> Result<Value, String> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    serde_json::to_value(&yaml).map_err(|e| format!("not representable as JSON: {e}"))
}

/// Every (METHOD, path template) the document describes.
pub fn spec_routes() -> BTreeSet<(String, String)> {
    let paths = spec()["paths"]
        .as_object()
        .expect("openapi.yaml has a `paths` object");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(|method| (method.to_ascii_uppercase(), path.clone()))
        })
        .collect()
}

/// Follows `$ref`s to `#/...` until a value that is not a reference.
pub fn resolve(value: &Value) -> &Value {
    let mut current = value;
    for _ in 0..16 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            return current;
        };
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("openapi.yaml: only local references are used: {reference}"));
        current = spec()
            .pointer(pointer)
            .unwrap_or_else(|| panic!("openapi.yaml: {reference} points at nothing"));
    }
    panic!("openapi.yaml: a chain of more than 16 references")
}

/// The operation for `method` on `path_template`; panics when it is not documented.
pub fn operation(method: &str, path_template: &str) -> &'static Value {
    let item = spec()["paths"].get(path_template).unwrap_or_else(|| {
        panic!(
            "openapi.yaml documents no path {path_template}; it has: {:?}",
            spec()["paths"]
                .as_object()
                .map(|p| p.keys().collect::<Vec<_>>())
        )
    });
    item.get(method.to_ascii_lowercase()).unwrap_or_else(|| {
        panic!("openapi.yaml documents no {method} operation on {path_template}")
    })
}

/// The documented response for `status`, with its `$ref` resolved.
pub fn response(method: &str, path_template: &str, status: u16) -> &'static Value {
    let responses = &operation(method, path_template)["responses"];
    let documented = responses.get(status.to_string()).unwrap_or_else(|| {
        panic!(
            "{method} {path_template} answered {status}, which openapi.yaml does not document; \
             documented: {:?}",
            responses.as_object().map(|r| r.keys().collect::<Vec<_>>())
        )
    });
    resolve(documented)
}

/// The media type of a Content-Type header value, lower case, without parameters.
fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A validator for `schema`, a schema taken from the document: it is compiled inside a
/// document that also holds the components, so `#/components/schemas/...` resolves.
fn validator(schema: &Value) -> Validator {
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": spec()["components"],
        "allOf": [schema],
    });
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("openapi.yaml holds a schema that does not compile: {e}"))
}

/// Every way `instance` fails `schema`, one per line; empty when it is valid.
fn violations(schema: &Value, instance: &Value) -> Vec<String> {
    validator(schema)
        .iter_errors(instance)
        .map(|e| {
            let at = e.instance_path.to_string();
            let at = if at.is_empty() { "/".to_string() } else { at };
            format!("  at {at}: {e} (schema {})", e.schema_path)
        })
        .collect()
}

fn assert_valid(schema: &Value, instance: &Value, what: &str) {
    let problems = violations(schema, instance);
    if !problems.is_empty() {
        panic!(
            "{what} does not match openapi.yaml:\n{}\nbody:\n{}",
            problems.join("\n"),
            serde_json::to_string_pretty(instance).unwrap_or_default()
        );
    }
}

/// Checks a response against the document: the operation and the status must be documented,
/// the content type must be one documented for that status, and the body must match the
/// schema given for it. A response documented without content must come without a body
/// (`body` is then `Null`, as [`Reply`] reads an empty body) and without a content type.
pub fn assert_response_matches(
    method: &str,
    path_template: &str,
    status: u16,
    content_type: &str,
    body: &Value,
) {
    let documented = response(method, path_template, status);
    let Some(content) = documented.get("content") else {
        assert!(
            content_type.is_empty() && body.is_null(),
            "{method} {path_template} answered {status} with a body ({content_type:?}: {body}), \
             but openapi.yaml documents none for it"
        );
        return;
    };
    let media_type = essence(content_type);
    let Some(media) = content.get(&media_type) else {
        panic!(
            "{method} {path_template} answered {status} as {content_type:?}, but openapi.yaml \
             documents only {:?} for it; body: {body}",
            content.as_object().map(|c| c.keys().collect::<Vec<_>>())
        );
    };
    let schema = media.get("schema").unwrap_or_else(|| {
        panic!("openapi.yaml: {status} {media_type} on {method} {path_template} has no schema")
    });
    assert_valid(
        schema,
        body,
        &format!("the {status} {media_type} body of {method} {path_template}"),
    );
}

/// Checks a whole reply: as [`assert_response_matches`], and every header the document speaks
/// of (request id, replay marker, Retry-After) is present when required and documented when
/// sent.
pub fn assert_reply_matches(method: &str, path_template: &str, reply: &Reply) {
    let status = reply.status.as_u16();
    // A body that is not JSON (a journal, a CSV sheet) is held to its schema as one string.
    let body = if reply.content_type().contains("json") || reply.text.is_empty() {
        reply.body.clone()
    } else {
        Value::String(reply.text.clone())
    };
    assert_response_matches(method, path_template, status, reply.content_type(), &body);
    let headers = response(method, path_template, status)
        .get("headers")
        .and_then(Value::as_object);
    let documented = |name: &str| {
        headers.and_then(|h| {
            h.iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, header)| resolve(header))
        })
    };
    for name in DESCRIBED_HEADERS {
        let header = documented(name);
        let sent = reply.headers.get(name);
        if let (Some(value), None) = (sent, header) {
            panic!(
                "{method} {path_template} answered {status} with header {name}: {value:?}, \
                 which openapi.yaml does not document for that response"
            );
        }
        if let Some(header) = header {
            let required = header["required"].as_bool().unwrap_or(false);
            assert!(
                sent.is_some() || !required,
                "{method} {path_template} answered {status} without the header {name}, which \
                 openapi.yaml documents as always sent"
            );
            if let Some(value) = sent {
                let text = value.to_str().expect("header is text");
                let schema = &header["schema"];
                // Header values are text; an integer schema holds the text of an integer.
                let instance = match schema["type"].as_str() {
                    Some("integer") => json!(text.parse::<i64>().unwrap_or_else(|_| panic!(
                        "header {name} is documented as an integer, got {text:?}"
                    ))),
                    _ => json!(text),
                };
                assert_valid(
                    schema,
                    &instance,
                    &format!("header {name} of {status} on {method} {path_template}"),
                );
            }
        }
    }
}

/// The schema of the JSON request body of an operation.
fn request_schema(method: &str, path_template: &str) -> &'static Value {
    let body = resolve(
        operation(method, path_template)
            .get("requestBody")
            .unwrap_or_else(|| {
                panic!("openapi.yaml documents no request body for {method} {path_template}")
            }),
    );
    body.pointer("/content/application~1json/schema")
        .unwrap_or_else(|| panic!("{method} {path_template} has no application/json body schema"))
}

/// Asserts that `body` is a request body the document allows for the operation.
pub fn assert_request_matches(method: &str, path_template: &str, body: &Value) {
    assert_valid(
        request_schema(method, path_template),
        body,
        &format!("the request body of {method} {path_template}"),
    );
}

/// Whether the document allows `body` as the request body of the operation.
pub fn request_allowed(method: &str, path_template: &str, body: &Value) -> bool {
    violations(request_schema(method, path_template), body).is_empty()
}

/// Whether `instance` matches `schema`, a schema taken from the document (such as
/// `{"$ref": "#/components/schemas/CreateGroup/properties/name"}`).
pub fn schema_allows(schema: &Value, instance: &Value) -> bool {
    violations(schema, instance).is_empty()
}

/// Asserts that `instance` matches `#/components/schemas/<name>` (for responses that belong to
/// no operation, such as 404 for an unknown path).
pub fn assert_schema_matches(name: &str, instance: &Value) {
    let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
    assert!(
        spec()["components"]["schemas"].get(name).is_some(),
        "openapi.yaml has no schema {name}"
    );
    assert_valid(&schema, instance, &format!("schema {name}"));
}

/// Every `$ref` in the document, with where it is.
pub fn references() -> Vec<(String, String)> {
    fn walk(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                    if key == "$ref"
                        && let Some(target) = child.as_str()
                    {
                        out.push((here.clone(), target.to_string()));
                    }
                    walk(child, &here, out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(spec(), "", &mut out);
    out
}

/// Compiles every schema the document holds, panicking on the first that does not compile.
pub fn compile_every_schema() {
    if let Some(schemas) = spec()["components"]["schemas"].as_object() {
        for name in schemas.keys() {
            validator(&json!({ "$ref": format!("#/components/schemas/{name}") }));
        }
    }
    for (method, path) in spec_routes() {
        let op = operation(&method, &path);
        if let Some(responses) = op["responses"].as_object() {
            for documented in responses.values() {
                if let Some(content) = resolve(documented)["content"].as_object() {
                    for media in content.values() {
                        validator(&media["schema"]);
                    }
                }
            }
        }
        if let Some(body) = op.get("requestBody") {
            for (_, media) in resolve(body)["content"].as_object().into_iter().flatten() {
                validator(&media["schema"]);
            }
        }
    }
}
