//! What is wrong with a JSON body's fields: each wrong field named by JSON pointer, every one
//! of them (up to a limit), in words that say what to send instead.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::http::error::ApiError;

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
