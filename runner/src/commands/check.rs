//! `lockstep check`: analyse files, print findings, exit by severity.

use std::fmt::Write as _;
use std::io::Write as _;

use lockstep_core::span::LineIndex;
use lockstep_core::{Analysis, Finding, Settings, SourceFile};

use crate::cli::{CheckArgs, Format};
use crate::{exit, files};

pub(crate) fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    let sources = files::read(&args.paths)?;
    let analysis = lockstep_core::analyze(&sources, &Settings::default());
    let output = match args.format {
        Format::Text => text(&analysis, &sources),
        Format::Json => serde_json::to_string_pretty(&analysis)? + "\n",
    };
    std::io::stdout().lock().write_all(output.as_bytes())?;
    let failing = args
        .fail_on
        .threshold()
        .is_some_and(|threshold| analysis.findings.iter().any(|f| f.severity >= threshold));
    Ok(if failing { exit::FINDINGS } else { exit::OK })
}

/// Findings as people read them: header, location, code frame, why, safe alternative.
fn text(analysis: &Analysis, sources: &[SourceFile]) -> String {
    let mut out = String::new();
    for finding in &analysis.findings {
        let source = sources.get(finding.span.file.0 as usize);
        frame(&mut out, finding, source);
    }
    let count = |severity| {
        analysis
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    };
    let _ = writeln!(
        out,
        "{} file(s) checked: {} error(s), {} warning(s), {} info",
        analysis.files.len(),
        count(lockstep_core::Severity::Error),
        count(lockstep_core::Severity::Warning),
        count(lockstep_core::Severity::Info),
    );
    out
}

fn frame(out: &mut String, finding: &Finding, source: Option<&SourceFile>) {
    let _ = writeln!(
        out,
        "{}[{}]: {}",
        finding.severity, finding.rule, finding.message
    );
    let _ = writeln!(
        out,
        "  --> {}:{}:{}",
        finding.path, finding.line, finding.column
    );
    if let Some(source) = source {
        let index = LineIndex::new(&source.text);
        // Control characters from the file would be interpreted by the terminal.
        let line: String = index
            .line_text(&source.text, finding.line)
            .chars()
            .map(|c| {
                if c.is_control() && c != '\t' {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect();
        let gutter = finding.line.to_string().len();
        let span_chars = source
            .text
            .get(finding.span.start as usize..finding.span.end as usize)
            .map_or(1, |s| s.lines().next().unwrap_or("").chars().count().max(1));
        let _ = writeln!(out, "{:gutter$} |", "");
        let _ = writeln!(out, "{} | {line}", finding.line);
        let pad = " ".repeat(finding.column.saturating_sub(1) as usize);
        let _ = writeln!(out, "{:gutter$} | {pad}{}", "", "^".repeat(span_chars));
    }
    if let Some(statement) = &finding.statement {
        let _ = writeln!(out, "  = statement: {statement}");
    }
    let _ = writeln!(
        out,
        "  = safe alternative: {}\n",
        finding.safe_alternative.replace('\n', "\n      ")
    );
}
