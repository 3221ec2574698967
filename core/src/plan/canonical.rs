//! Canonical JSON and the `sha256:` digest.
//!
//! Canonical form: object keys sorted by their UTF-8 bytes, no insignificant whitespace,
//! strings escaped as `serde_json` escapes them. The keys are sorted here rather than relying on
//! `serde_json`'s map type, because a crate elsewhere in a build can switch that map to insertion
//! order (the `preserve_order` feature) and the digest must not depend on what else is linked.

use std::fmt::Write as _;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// `value` as canonical JSON.
pub fn to_canonical_json<T: Serialize>(value: &T) -> String {
    let mut out = String::new();
    // Only maps with non-string keys fail to convert, and plans have none; the empty string
    // then digests to something no real plan has.
    if let Ok(value) = serde_json::to_value(value) {
        write_value(&mut out, &value);
    }
    out
}

/// `sha256:<lowercase hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for byte in hash {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

fn write_value(out: &mut String, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|(a, _), (b, _)| a.as_bytes().cmp(b.as_bytes()));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, value);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::String(text) => write_string(out, text),
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn write_string(out: &mut String, text: &str) {
    // `serde_json`'s own escaping, so canonical strings read back identically.
    out.push_str(&serde_json::Value::String(text.to_owned()).to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_at_every_depth_without_whitespace() {
        let value = serde_json::json!({"b": [{"z": 1, "a": "x\"y"}], "a": null, "é": 1.5});
        assert_eq!(
            to_canonical_json(&value),
            r#"{"a":null,"b":[{"a":"x\"y","z":1}],"é":1.5}"#
        );
    }

    #[test]
    fn digest_is_sha256_hex() {
        assert_eq!(
            digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
