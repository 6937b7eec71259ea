//! Request extractors that fail with problem+json: JSON bodies (415, 413, 408, 400, 422 with a
//! JSON pointer, duplicate keys refused) and idempotency keys; path ids are read by
//! [`super::path`].

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::ApiError;
use crate::domain::canonical::to_canonical_string;

/// A JSON request body, with the canonical form of what was sent (for idempotency hashing).
pub struct JsonBody<T> {
    pub value: T,
    pub canonical: String,
}

/// Turns serde_path_to_error's path into an RFC 6901 JSON pointer.
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        pointer.push('/');
        match segment {
            Segment::Seq { index } => pointer.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"))
            }
            Segment::Unknown => pointer.push('?'),
        }
    }
    pointer
}

/// Most wrong fields of one body reported together.
pub const MAX_FIELD_ERRORS: usize = 20;

/// Deserialises a parsed JSON value into `T`, naming each wrong field by JSON pointer and
/// saying what to send instead. Every wrong field is reported, not only the first: after each
/// error the field is set aside (an unknown field removed, a wrong or missing one replaced by a
/// stand-in that fits) and the body read again, up to [`MAX_FIELD_ERRORS`] errors.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    let first = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
        Ok(parsed) => return Ok(parsed),
        Err(e) => field_error(&e),
    };
    let mut fields = vec![first];
    let mut value = value;
    while fields.len() < MAX_FIELD_ERRORS {
        let Some(last) = fields.last() else { break };
        let Some(next) = set_aside::<T>(&mut value, last) else {
            break;
        };
        if fields.iter().any(|f| f.pointer == next.pointer) {
            break;
        }
        fields.push(next);
    }
    Err(ApiError::invalid_fields(fields))
}

/// One wrong field: where, what serde said, and what to tell the client.
struct WrongField {
    pointer: String,
    unknown: bool,
    /// For a name that is not one a field takes, the first name it does take.
    variant: Option<String>,
    detail: String,
}

impl From<WrongField> for (String, String) {
    fn from(f: WrongField) -> Self {
        (f.pointer, f.detail)
    }
}

fn field_error(e: &serde_path_to_error::Error<serde_json::Error>) -> WrongField {
    let mut pointer = pointer_of(e.path());
    let inner = e.inner().to_string();
    // serde reports unknown and missing fields at the enclosing object; name the field.
    let mut unknown = false;
    for marker in ["unknown field `", "missing field `"] {
        if let Some(rest) = inner.strip_prefix(marker)
            && let Some(name) = rest.split('`').next()
        {
            unknown = marker.starts_with("unknown");
            let escaped = name.replace('~', "~0").replace('/', "~1");
            let parent = pointer.trim_end_matches("/?");
            if !parent.ends_with(&format!("/{escaped}")) {
                pointer = format!("{parent}/{escaped}");
            }
        }
    }
    if pointer.is_empty() {
        pointer = "/".into();
    }
    let detail = describe(&pointer, &inner);
    let variant = inner
        .strip_prefix("unknown variant `")
        .and_then(|rest| rest.split_once(", expected "))
        .and_then(|(_, expected)| expected.split('`').nth(1))
        .map(str::to_string);
    WrongField {
        pointer,
        unknown,
        variant,
        detail,
    }
}

/// Values tried in place of a wrong or missing field, so that the rest of the body can be
/// read: one of them fits whatever the field's type is, unless its value is what is wrong.
fn stand_ins() -> [Value; 7] {
    [
        Value::String("1".into()),
        Value::String("2000-01-01".into()),
        Value::String(uuid::Uuid::nil().to_string()),
        Value::from(1),
        Value::Bool(false),
        Value::Array(Vec::new()),
        Value::Object(Default::default()),
    ]
}

/// Sets `wrong` aside in `value` and reads the body again: the next wrong field, if any.
fn set_aside<T: DeserializeOwned>(value: &mut Value, wrong: &WrongField) -> Option<WrongField> {
    let (parent, key) = wrong.pointer.rsplit_once('/')?;
    let key = key.replace("~1", "/").replace("~0", "~");
    if key == "?" || parent.contains("/?") {
        return None;
    }
    let object = value.pointer_mut(parent)?.as_object_mut()?;
    if wrong.unknown {
        object.remove(&key);
        return next_error::<T>(value);
    }
    let named = wrong.variant.clone().map(Value::String);
    for stand_in in named.into_iter().chain(stand_ins()) {
        value
            .pointer_mut(parent)?
            .as_object_mut()?
            .insert(key.clone(), stand_in);
        match next_error::<T>(value) {
            None => return None,
            Some(next) if next.pointer != wrong.pointer => return Some(next),
            Some(_) => {}
        }
    }
    None
}

fn next_error<T: DeserializeOwned>(value: &Value) -> Option<WrongField> {
    serde_path_to_error::deserialize::<_, T>(value.clone())
        .err()
        .map(|e| field_error(&e))
}

/// What a client should send instead, for the common ways a field can be wrong, in words a
/// treasurer can act on rather than the parser's ("invalid type: integer `500`, expected a
/// string" becomes "amount must be a string such as \"500.00\", not a number").
pub fn describe(pointer: &str, message: &str) -> String {
    let key = pointer
        .rsplit('/')
        .next()
        .unwrap_or("")
        .replace("~1", "/")
        .replace("~0", "~");
    let field = if key.is_empty() || key.parse::<usize>().is_ok() {
        "the value".to_string()
    } else {
        key.clone()
    };
    let quoted = |list: &str| -> String {
        list.split('`')
            .skip(1)
            .step_by(2)
            .map(|name| format!("\"{name}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if message.starts_with("missing field `") {
        return format!("{field} is required");
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let allowed = rest.split_once(", expected ").map(|(_, l)| quoted(l));
        return match allowed {
            Some(list) if !list.is_empty() => {
                format!("{field} is not a field of this object; it takes {list}")
            }
            _ => format!("{field} is not a field of this object"),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (sent, allowed) = rest.split_once("`, expected ").unwrap_or((rest, ""));
        return format!(
            "{field} must be one of {}; \"{sent}\" is not one of them",
            quoted(&format!(" {allowed}"))
        );
    }
    if message.starts_with("UUID parsing failed") {
        return format!("{field} {}", id_hint());
    }
    if CHRONO_ERRORS.iter().any(|m| message.starts_with(m)) {
        return format!("{field} {}", date_hint());
    }
    let mismatch = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "));
    if let Some(rest) = mismatch
        && let Some((sent, expected)) = rest.split_once(", expected ")
    {
        let wanted = expected_hint(&key, expected);
        return match sent_kind(sent) {
            Some(kind) => format!("{field} {wanted}, not {kind}"),
            None => format!("{field} {wanted}"),
        };
    }
    message.to_string()
}

/// The starts of chrono's messages for a date that does not parse.
const CHRONO_ERRORS: [&str; 7] = [
    "input contains invalid characters",
    "premature end of input",
    "trailing input",
    "input is out of range",
    "input is not enough",
    "no possible date and time",
    "bad or unsupported format",
];

fn id_hint() -> String {
    "must be an id: a UUID such as \"0192f6e4-8b1a-7c3d-9e2f-1a2b3c4d5e6f\"".to_string()
}

fn date_hint() -> String {
    "must be a date such as \"2026-03-31\" (YYYY-MM-DD)".to_string()
}

/// What a field should be, from what the parser expected and the field's name.
fn expected_hint(key: &str, expected: &str) -> String {
    let integers = [
        "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "usize",
    ];
    match expected {
        "a formatted date string" => date_hint(),
        "a UUID string" => id_hint(),
        "a boolean" => "must be true or false".to_string(),
        "f32" | "f64" => "must be a number".to_string(),
        e if integers.contains(&e) => "must be a whole number".to_string(),
        e if e.starts_with("a sequence") => "must be an array".to_string(),
        e if e.starts_with("struct ") || e.starts_with("a map") => "must be an object".to_string(),
        e if e.starts_with("enum ") || e.contains("variant") => {
            "must be a string naming one of its values".to_string()
        }
        "a string" => string_hint(key),
        other => format!("must be {other}"),
    }
}

/// A string field's form, guessed from its name: amounts, rates, currencies, countries,
/// dates and ids are all sent as strings.
fn string_hint(key: &str) -> String {
    let amount_fields = ["fee", "pool", "opening_balance", "book_value", "weight"];
    if key.ends_with("amount") || amount_fields.contains(&key) {
        "must be a string such as \"500.00\" (amounts are sent as strings, for exactness)"
            .to_string()
    } else if key.ends_with("rate") || key.ends_with("percent") {
        "must be a string such as \"7.25\" (rates are sent as strings, for exactness)".to_string()
    } else if key.ends_with("currency") {
        "must be a string such as \"HKD\"".to_string()
    } else if key.ends_with("country") {
        "must be a string such as \"PH\"".to_string()
    } else if key.ends_with("_on") || key == "as_of" || key == "through" {
        date_hint()
    } else if key == "id" || key.ends_with("_id") {
        id_hint()
    } else {
        "must be a string".to_string()
    }
}

/// What kind of JSON value serde says was sent ("integer `500`" is a number).
fn sent_kind(sent: &str) -> Option<&'static str> {
    let kind = sent.split(' ').next().unwrap_or("");
    Some(match kind {
        "integer" | "floating" => "a number",
        "string" => "a string",
        "boolean" => "true or false",
        "null" => "null",
        "sequence" => "an array",
        "map" => "an object",
        _ => return None,
    })
}

fn is_json_content_type(req: &Request) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(text) = value.to_str() else {
        return false;
    };
    let essence = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
}

/// Reads a request body of at most `limit` bytes within `timeout`. A body whose declared
/// `Content-Length` is over the limit is refused at once, before any of it is read; one sent
/// too slowly is cut off when the time runs out, so a client trickling bytes cannot hold a
/// connection, or an HTTP/2 stream. Over HTTP/1 both answers close the connection, whose
/// unread body is of no use; over HTTP/2, where `Connection` has no place, the answer ends
/// the stream and the connection goes on serving its other streams.
pub async fn read_body(req: Request, limit: usize, timeout: Duration) -> Result<Bytes, ApiError> {
    let http1 = req.version() < axum::http::Version::HTTP_2;
    let closing = |mut error: ApiError| {
        error.close = http1;
        error
    };
    let too_large = || {
        closing(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "The body is too large",
            format!("request bodies are limited to {limit} bytes"),
        ))
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(timeout, axum::body::to_bytes(req.into_body(), limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(too_large()),
        Err(_) => Err(closing(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "body-timeout",
            "The body was sent too slowly",
            format!(
                "the request body did not arrive within {} ms; send it at once",
                timeout.as_millis()
            ),
        ))),
    }
}

/// Parses a JSON body, refusing an object that has the same key twice (at any depth): a
/// proxy, a log reader or an auditor could read the first value where the service would read
/// the last.
pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    let duplicate = std::cell::RefCell::new(None);
    let seed = UniqueKeys {
        pointer: String::new(),
        duplicate: &duplicate,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde::de::DeserializeSeed::deserialize(seed, &mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    match (parsed, duplicate.into_inner()) {
        (Ok(value), _) => Ok(value),
        (Err(_), Some((pointer, key))) => Err(ApiError::invalid_field(
            pointer,
            format!("the key \"{key}\" appears more than once in this object; send each key once"),
        )),
        (Err(e), None) => Err(ApiError::malformed_json(e.to_string())),
    }
}

/// Reads any JSON value as [`Value`], stopping at the first key an object repeats and keeping
/// its JSON pointer (and the key) in `duplicate`.
struct UniqueKeys<'a> {
    pointer: String,
    duplicate: &'a std::cell::RefCell<Option<(String, String)>>,
}

impl<'a> UniqueKeys<'a> {
    fn at(&self, segment: &str) -> UniqueKeys<'a> {
        UniqueKeys {
            pointer: format!(
                "{}/{}",
                self.pointer,
                segment.replace('~', "~0").replace('/', "~1")
            ),
            duplicate: self.duplicate,
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.at(&items.len().to_string()))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let field = self.at(&key);
            if object.contains_key(&key) {
                *self.duplicate.borrow_mut() = Some((field.pointer, key));
                return Err(serde::de::Error::custom("duplicate key"));
            }
            let value = map.next_value_seed(field)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

async fn read_json(
    req: Request,
    limit: usize,
    timeout: Duration,
    allow_empty: bool,
) -> Result<Value, ApiError> {
    let is_json = is_json_content_type(&req);
    let bytes = read_body(req, limit, timeout).await?;
    // An empty body needs no content type where every field is optional.
    if bytes.is_empty() && allow_empty {
        return Ok(Value::Object(Default::default()));
    }
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The body must be JSON",
            "send the body with Content-Type: application/json",
        ));
    }
    let value = parse_json(&bytes)?;
    if !value.is_object() {
        return Err(ApiError::invalid_field(
            "/",
            "the body must be a JSON object",
        ));
    }
    Ok(value)
}

impl<T: DeserializeOwned> JsonBody<T> {
    /// Reads a JSON body of at most `limit` bytes, for a route whose bodies may be larger
    /// than the usual limit.
    pub async fn with_limit(
        req: Request,
        limit: usize,
        timeout: Duration,
    ) -> Result<Self, ApiError> {
        let value = read_json(req, limit, timeout, false).await?;
        let canonical = to_canonical_string(&value);
        Ok(JsonBody {
            value: from_value(value)?,
            canonical,
        })
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        Self::with_limit(req, state.body_limit_bytes, state.body_read_timeout).await
    }
}

/// Like [`JsonBody`], but an empty body means `{}` (for reversals, whose fields are optional).
pub struct OptionalJsonBody<T>(pub JsonBody<T>);

impl<T: DeserializeOwned> FromRequest<AppState> for OptionalJsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let value = read_json(req, state.body_limit_bytes, state.body_read_timeout, true).await?;
        let canonical = to_canonical_string(&value);
        Ok(OptionalJsonBody(JsonBody {
            value: from_value(value)?,
            canonical,
        }))
    }
}

/// The `Idempotency-Key` header, if sent and valid (1 to 255 printable ASCII characters).
pub struct IdempotencyKey(pub Option<String>);

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

impl FromRequestParts<AppState> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(IDEMPOTENCY_HEADER) else {
            return Ok(IdempotencyKey(None));
        };
        let bytes = value.as_bytes();
        if bytes.is_empty()
            || bytes.len() > MAX_IDEMPOTENCY_KEY_LEN
            || !bytes.iter().all(|b| (0x20..=0x7e).contains(b))
        {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid-idempotency-key",
                "The Idempotency-Key header is invalid",
                "Idempotency-Key must be 1 to 255 printable ASCII characters",
            ));
        }
        Ok(IdempotencyKey(Some(
            String::from_utf8_lossy(bytes).into_owned(),
        )))
    }
}

impl IdempotencyKey {
    /// Money-moving routes refuse to run without a key: a retry must never double-apply.
    pub fn required(self) -> Result<String, ApiError> {
        self.0.ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "idempotency-key-required",
                "An Idempotency-Key header is required",
                "requests that move money must carry an Idempotency-Key header (1 to 255 printable ASCII characters), reused on every retry",
            )
        })
    }
}

/// SHA-256 over the route and the canonical body: what "the same request" means for a key.
pub fn request_hash(route: &str, canonical_body: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical_body.as_bytes());
    hex::encode(hasher.finalize())
}

impl FromRequestParts<AppState> for RequestContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(RequestContext {
            route: format!("{} {}", parts.method, parts.uri.path()),
        })
    }
}

/// The method and concrete path of a request: part of what makes two requests "the same" for
/// an idempotency key (reversing transaction A and reversing B are different requests).
pub struct RequestContext {
    pub route: String,
}
