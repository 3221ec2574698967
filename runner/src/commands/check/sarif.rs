//! SARIF 2.1.0 (OASIS): the catalog as `tool.driver.rules`, each finding as a result with its
//! region and fingerprint. Validated against the official schema in `tests/cli.rs`.

use std::fmt::Write as _;

use lockstep_core::rules::{Rule, registry};
use lockstep_core::{Analysis, Severity};
use serde_json::{Value, json};

use super::Regions;
use crate::commands::rules::{section, summary};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The whole log: one run of Lockstep.
pub(super) fn render(analysis: &Analysis, regions: &Regions<'_>) -> anyhow::Result<String> {
    let rules = registry::rules();
    let results: Vec<Value> = analysis
        .findings
        .iter()
        .map(|finding| {
            let region = regions.of(finding);
            let mut result = json!({
                "ruleId": finding.rule,
                "level": level(finding.severity),
                "message": {
                    "text": format!("{}\n\nSafe alternative: {}", finding.message, finding.safe_alternative),
                },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact(&finding.path),
                        "region": {
                            "startLine": region.start.line,
                            "startColumn": region.start.column,
                            "endLine": region.end.line,
                            "endColumn": region.end.column,
                        },
                    },
                }],
                "partialFingerprints": { "lockstep/v1": finding.fingerprint },
            });
            // SARIF's in-source suppression: code-scanning services show it as dismissed.
            if let Some(ack) = &finding.acknowledged {
                result["suppressions"] = json!([{
                    "kind": "inSource",
                    "justification": ack.reason,
                }]);
            }
            if let Some(index) = rules.iter().position(|rule| rule.id == finding.rule) {
                result["ruleIndex"] = json!(index);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "lockstep",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules.iter().map(|rule| descriptor(rule)).collect::<Vec<_>>(),
                },
            },
            // Findings count columns in characters, not in UTF-16 code units (SARIF's default).
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    Ok(serde_json::to_string_pretty(&log)? + "\n")
}

/// A rule as SARIF's `reportingDescriptor`, from its own documentation.
fn descriptor(rule: &Rule) -> Value {
    let docs = rule.docs.trim_end();
    json!({
        "id": rule.id,
        "name": name(rule.id),
        "shortDescription": { "text": summary(rule) },
        "fullDescription": { "text": section(docs, "What it flags") },
        "help": { "text": docs, "markdown": docs },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": { "tags": ["postgresql", "migrations"] },
    })
}

/// `add-index-non-concurrent` → `AddIndexNonConcurrent` (SARIF's `name` is an identifier).
fn name(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as given, as a URI reference: relative paths stay relative to the checkout
/// (`%SRCROOT%`), absolute ones become `file://` URIs; anything outside RFC 3986's path
/// characters is percent-encoded.
fn artifact(path: &str) -> Value {
    let slashed = path.replace('\\', "/");
    if let Some(absolute) = slashed.strip_prefix('/') {
        json!({ "uri": format!("file:///{}", encode(absolute)) })
    } else {
        let relative = slashed.strip_prefix("./").unwrap_or(&slashed);
        json!({ "uri": encode(relative), "uriBaseId": "%SRCROOT%" })
    }
}

fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(name("add-index-non-concurrent"), "AddIndexNonConcurrent");
        assert_eq!(
            artifact("./shop/migrations/0002 new é.py")["uri"],
            "shop/migrations/0002%20new%20%C3%A9.py"
        );
        assert_eq!(artifact("/tmp/a b.sql")["uri"], "file:///tmp/a%20b.sql");
    }
}
