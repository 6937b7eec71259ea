//! Reading a request body: within a size limit and a time limit, and, for JSON, with no key
//! repeated in an object.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use serde_json::Value;

use crate::http::error::ApiError;

pub(super) fn is_json_content_type(req: &Request) -> bool {
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
