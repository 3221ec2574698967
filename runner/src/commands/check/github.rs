//! GitHub Actions workflow commands: one `::error file=…,line=…::message` annotation per
//! finding, escaped as the Actions runner unescapes them.

use std::fmt::Write as _;

use lockstep_core::{Analysis, Severity};

use super::Regions;

/// One annotation line per finding.
pub(super) fn render(analysis: &Analysis, regions: &Regions<'_>) -> String {
    let mut out = String::new();
    for finding in &analysis.findings {
        // An acknowledged finding is a notice, whatever its severity: it fails nothing.
        let command = match (finding.severity, &finding.acknowledged) {
            (_, Some(_)) | (Severity::Info, None) => "notice",
            (Severity::Error, None) => "error",
            (Severity::Warning, None) => "warning",
        };
        let region = regions.of(finding);
        let message = match &finding.acknowledged {
            Some(ack) => format!(
                "{}\n\nAcknowledged: {}\n\nSafe alternative: {}",
                finding.message, ack.reason, finding.safe_alternative
            ),
            None => format!(
                "{}\n\nSafe alternative: {}",
                finding.message, finding.safe_alternative
            ),
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&finding.path),
            region.start.line,
            region.start.column,
            region.end.line,
            region.end.column,
            property(&format!("lockstep {}", finding.rule)),
            data(&message),
        );
    }
    out
}

/// A command's message: `%`, CR and LF are percent-encoded (the runner's `escapeData`).
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as [`data`], and `:` and `,` too, which would end the value
/// (the runner's `escapeProperty`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_actions_runner() {
        assert_eq!(data("100% sure\r\nnext: a,b"), "100%25 sure%0D%0Anext: a,b");
        assert_eq!(property("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");
    }
}
