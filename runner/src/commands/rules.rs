//! `lockstep rules`: the catalog, from the rules' own documentation.

use std::fmt::Write as _;
use std::io::Write as _;

use lockstep_core::rules::Rule;
use lockstep_core::rules::registry;
use serde::Serialize;

use crate::cli::{Format, RulesArgs};
use crate::exit;

/// One rule as `--format json` gives it.
#[derive(Serialize)]
struct Entry<'r> {
    id: &'r str,
    severity: lockstep_core::Severity,
    summary: String,
    docs: &'r str,
}

pub(crate) fn run(args: &RulesArgs) -> anyhow::Result<u8> {
    let rules = registry::rules();
    let output = match args.format {
        Format::Text => {
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            let mut out = String::new();
            for rule in &rules {
                let severity = rule.severity.to_string();
                let _ = writeln!(out, "{:width$}  {severity:7}  {}", rule.id, summary(rule));
            }
            out
        }
        Format::Json => {
            let entries: Vec<Entry<'_>> = rules
                .iter()
                .map(|rule| Entry {
                    id: rule.id,
                    severity: rule.severity,
                    summary: summary(rule),
                    docs: rule.docs.trim_end(),
                })
                .collect();
            serde_json::to_string_pretty(&entries)? + "\n"
        }
    };
    std::io::stdout().lock().write_all(output.as_bytes())?;
    Ok(exit::OK)
}

/// The first sentence of a rule's "What it flags", on one line.
pub(crate) fn summary(rule: &Rule) -> String {
    let section = section(rule.docs, "What it flags");
    let paragraph: Vec<&str> = section
        .lines()
        .map(str::trim)
        .skip_while(|line| line.is_empty())
        .take_while(|line| !line.is_empty())
        .collect();
    let paragraph = paragraph.join(" ");
    // One line: up to the end of the first sentence, or the colon that begins its details.
    let end = [". ", ": "]
        .iter()
        .filter_map(|stop| paragraph.find(stop))
        .min()
        .map_or(paragraph.len(), |i| {
            i + usize::from(paragraph.get(i..).is_some_and(|s| s.starts_with('.')))
        });
    paragraph.get(..end).unwrap_or(&paragraph).trim().to_owned()
}

/// The text under `## {heading}`, up to the next heading.
pub(crate) fn section<'d>(docs: &'d str, heading: &str) -> &'d str {
    let marker = format!("## {heading}");
    let Some(start) = docs.find(&marker) else {
        return "";
    };
    let rest = docs.get(start + marker.len()..).unwrap_or("");
    let end = rest.find("\n## ").unwrap_or(rest.len());
    rest.get(..end).unwrap_or(rest).trim()
}
