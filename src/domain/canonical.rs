//! Canonical JSON: keys sorted by their UTF-8 bytes, no whitespace, strings escaped as
//! serde_json escapes them. The same value always gives the same bytes, whatever map type or
//! feature flags serde_json was built with, so hashes over it are reproducible.

use serde_json::Value;

pub fn to_canonical_string(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => out.push_str(&value.to_string()),
        Value::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write(&map[key], out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_depth_and_whitespace_dropped() {
        let v: Value =
            serde_json::from_str(r#"{ "b": [1, {"z": true, "a": null}], "a": "x\ny" }"#).unwrap();
        assert_eq!(
            to_canonical_string(&v),
            r#"{"a":"x\ny","b":[1,{"a":null,"z":true}]}"#
        );
    }

    #[test]
    fn canonical_text_is_a_fixed_point() {
        let v = json!({"meeting": "2026-11-01", "amount": 1.5, "tags": ["ü", "\u{1}"]});
        let once = to_canonical_string(&v);
        let again = to_canonical_string(&serde_json::from_str(&once).unwrap());
        assert_eq!(once, again);
    }
}
