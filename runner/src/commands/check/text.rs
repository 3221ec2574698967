//! The text format: each finding with its code frame (the span underlined), why, and the safe
//! alternative; ANSI colour only when asked for (`check::colour` decides).

use std::fmt::Write as _;

use lockstep_core::span::LineIndex;
use lockstep_core::{Analysis, Finding, Severity, SourceFile};

/// ANSI styles, or nothing when colour is off: callers never test the flag themselves.
#[derive(Clone, Copy)]
struct Paint {
    on: bool,
}

impl Paint {
    const RESET: &str = "\x1b[0m";

    fn wrap(self, style: &str, text: &str) -> String {
        if self.on && !text.is_empty() {
            format!("{style}{text}{}", Self::RESET)
        } else {
            text.to_owned()
        }
    }

    fn severity(severity: Severity) -> &'static str {
        match severity {
            Severity::Error => "\x1b[1;31m",
            Severity::Warning => "\x1b[1;33m",
            Severity::Info => "\x1b[1;36m",
        }
    }

    fn bold(self, text: &str) -> String {
        self.wrap("\x1b[1m", text)
    }

    fn gutter(self, text: &str) -> String {
        self.wrap("\x1b[1;34m", text)
    }

    /// The span in the source line: underlined, in the severity's colour.
    fn span(self, severity: Severity, text: &str) -> String {
        self.wrap(&format!("{}\x1b[4m", Self::severity(severity)), text)
    }
}

/// Findings as people read them, then a one-line count.
pub(super) fn render(analysis: &Analysis, sources: &[SourceFile], colour: bool) -> String {
    let paint = Paint { on: colour };
    let mut out = String::new();
    for finding in &analysis.findings {
        let source = sources.get(finding.span.file.0 as usize);
        frame(&mut out, finding, source, paint);
    }
    let count = |severity| {
        analysis
            .findings
            .iter()
            .filter(|f| f.severity == severity && f.acknowledged.is_none())
            .count()
    };
    let acknowledged = analysis
        .findings
        .iter()
        .filter(|f| f.acknowledged.is_some())
        .count();
    let acknowledged = if acknowledged > 0 {
        format!(", {acknowledged} acknowledged")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{} file(s) checked: {} error(s), {} warning(s), {} info{acknowledged}",
        analysis.files.len(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    out
}

/// Control characters from a file would be interpreted by the terminal.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

fn frame(out: &mut String, finding: &Finding, source: Option<&SourceFile>, paint: Paint) {
    let severity = finding.severity;
    let header = match &finding.acknowledged {
        Some(_) => format!("{severity}[{}] (acknowledged)", finding.rule),
        None => format!("{severity}[{}]", finding.rule),
    };
    let _ = writeln!(
        out,
        "{}: {}",
        paint.wrap(Paint::severity(severity), &header),
        paint.bold(&printable(&finding.message))
    );
    let _ = writeln!(
        out,
        "  {} {}:{}:{}",
        paint.gutter("-->"),
        finding.path,
        finding.line,
        finding.column
    );
    if let Some(source) = source {
        let index = LineIndex::new(&source.text);
        let line: Vec<char> = printable(index.line_text(&source.text, finding.line))
            .chars()
            .collect();
        let gutter = finding.line.to_string().len();
        // The span on this line: from the finding's column to the span's end or the line's.
        let start = (finding.column.saturating_sub(1) as usize).min(line.len());
        let span_chars = source
            .text
            .get(finding.span.start as usize..finding.span.end as usize)
            .map_or(1, |s| s.lines().next().unwrap_or("").chars().count().max(1));
        let end = (start + span_chars).min(line.len());
        let part = |range: std::ops::Range<usize>| -> String {
            line.get(range)
                .map(|c| c.iter().collect())
                .unwrap_or_default()
        };
        let bar = paint.gutter("|");
        let _ = writeln!(out, "{:gutter$} {bar}", "");
        let _ = writeln!(
            out,
            "{} {bar} {}{}{}",
            paint.gutter(&finding.line.to_string()),
            part(0..start),
            paint.span(severity, &part(start..end)),
            part(end..line.len())
        );
        let pad = " ".repeat(start);
        let carets = paint.wrap(Paint::severity(severity), &"^".repeat(span_chars));
        let _ = writeln!(out, "{:gutter$} {bar} {pad}{carets}", "");
    }
    if let Some(statement) = &finding.statement {
        let _ = writeln!(out, "  = statement: {}", printable(statement));
    }
    if let Some(ack) = &finding.acknowledged {
        let _ = writeln!(
            out,
            "  = {} (line {}): {}",
            paint.bold("acknowledged"),
            ack.line,
            printable(&ack.reason)
        );
    }
    let _ = writeln!(
        out,
        "  = {}: {}",
        paint.bold("safe alternative"),
        finding
            .safe_alternative
            .lines()
            .map(printable)
            .collect::<Vec<_>>()
            .join("\n      ")
    );
    let _ = writeln!(
        out,
        "  = {}: `lockstep explain {}`\n",
        paint.bold("more"),
        finding.rule
    );
}
