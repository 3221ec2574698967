//! Helpers for rule tests.

use crate::rules::Finding;
use crate::source::{Settings, SourceFile};

/// The findings for one file, without the `unknown-expression` notes.
pub(crate) fn findings(path: &str, text: &str) -> Vec<Finding> {
    crate::analyze(&[SourceFile::from_text(path, text)], &Settings::default())
        .findings
        .into_iter()
        .filter(|f| f.rule != "unknown-expression")
        .collect()
}

/// Findings as a snapshot shows them: rule, severity, place, message, statement, alternative.
pub(crate) fn render_findings(findings: &[Finding]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "{}[{}] {}:{}:{}",
            f.severity, f.rule, f.path, f.line, f.column
        );
        let _ = writeln!(out, "  {}", f.message);
        if let Some(statement) = &f.statement {
            let _ = writeln!(out, "  statement: {statement}");
        }
        if let Some(ack) = &f.acknowledged {
            let _ = writeln!(out, "  acknowledged (line {}): {}", ack.line, ack.reason);
        }
        let _ = writeln!(out, "  safe alternative:");
        for line in f.safe_alternative.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

/// The rule ids of the findings for one file, in order, without `unknown-expression`.
pub(crate) fn rule_ids(path: &str, text: &str) -> Vec<&'static str> {
    findings(path, text).iter().map(|f| f.rule).collect()
}

/// The findings of one rule for one file.
pub(crate) fn findings_of(rule: &str, path: &str, text: &str) -> Vec<Finding> {
    findings(path, text)
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}
