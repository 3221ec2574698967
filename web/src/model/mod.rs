//! The review as plain Rust, free of DOM types so it is tested natively: the files, settings
//! and notes (comments, acknowledgements, plan choices) the page holds, and everything the
//! components show that takes more than a field access.

pub mod files;
pub mod markdown;
pub mod plan;
pub mod report;
pub mod summary;

use std::collections::BTreeMap;

use lockstep_core::review::{
    Acknowledgement, Choices, Comment, CommentTarget, Review, ReviewFile, link,
};
use lockstep_core::source::TableStats;
use lockstep_core::{Finding, Settings, Severity, SourceFile};

/// What people said about the findings: the part of the review that is not analysed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notes {
    /// Comments, in the order written.
    pub comments: Vec<Comment>,
    /// Acknowledgements by finding fingerprint.
    pub acknowledgements: BTreeMap<String, Acknowledgement>,
    /// Plan choices by finding fingerprint.
    pub choices: Choices,
}

impl Notes {
    /// Adds a comment unless its text is blank; returns whether it was added.
    pub fn comment(&mut self, target: CommentTarget, author: &str, text: &str) -> bool {
        let text = text.trim();
        if text.is_empty() {
            return false;
        }
        self.comments.push(Comment {
            target,
            author: author.trim().to_owned(),
            text: text.to_owned(),
        });
        true
    }

    /// Acknowledges a finding; a reason is required.
    pub fn acknowledge(&mut self, fingerprint: &str, by: &str, reason: &str) -> Result<(), String> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err("Say why this finding is acceptable here.".to_owned());
        }
        self.acknowledgements.insert(
            fingerprint.to_owned(),
            Acknowledgement {
                by: by.trim().to_owned(),
                reason: reason.to_owned(),
            },
        );
        Ok(())
    }

    /// The comments on `target`.
    pub fn on(&self, target: &CommentTarget) -> Vec<Comment> {
        self.comments
            .iter()
            .filter(|c| &c.target == target)
            .cloned()
            .collect()
    }
}

/// The review a link carries, from what the page holds.
pub fn to_review(files: &[SourceFile], settings: &Settings, notes: &Notes) -> Review {
    Review {
        files: files
            .iter()
            .map(|f| ReviewFile {
                path: f.path.clone(),
                text: f.text.clone(),
            })
            .collect(),
        settings: settings.clone(),
        comments: notes.comments.clone(),
        acknowledgements: notes.acknowledgements.clone(),
        choices: notes.choices.clone(),
    }
}

/// What the page holds, from a review a link carried.
pub fn from_review(review: Review) -> (Vec<SourceFile>, Settings, Notes) {
    let files = review.sources();
    let notes = Notes {
        comments: review.comments,
        acknowledgements: review.acknowledgements,
        choices: review.choices,
    };
    (files, review.settings, notes)
}

/// The example review the page opens with when there is no link.
pub fn example_files() -> Vec<SourceFile> {
    lockstep_core::examples::REVIEW
        .iter()
        .map(|(path, text)| SourceFile::from_text(*path, *text))
        .collect()
}

/// The prefix of a rule page's fragment: `#rule/add-index-non-concurrent`.
pub const RULE_PREFIX: &str = "rule/";

/// What the page opens with, decided by the URL's fragment.
#[derive(Clone, Debug, PartialEq)]
pub enum Opening {
    /// No fragment: the example review.
    Example,
    /// A review link.
    Link(Box<Review>),
    /// A fragment that is not a review: the message, and an empty review.
    BadLink(link::LinkError),
    /// A rule's documentation page.
    Rule(String),
}

/// What `hash` (`location.hash`, with or without its `#`) opens.
pub fn opening(hash: &str) -> Opening {
    let fragment = hash.strip_prefix('#').unwrap_or(hash);
    if fragment.trim().is_empty() {
        return Opening::Example;
    }
    if let Some(rule) = fragment.strip_prefix(RULE_PREFIX) {
        return Opening::Rule(rule.to_owned());
    }
    match link::decode(fragment) {
        Ok(review) => Opening::Link(Box::new(review)),
        Err(error) => Opening::BadLink(error),
    }
}

/// Table statistics from the JSON `lockstep stats` prints (`{"table": {"rows": …, "bytes":
/// …, "indexes": …}}`); an empty text is no statistics.
pub fn parse_stats(text: &str) -> Result<BTreeMap<String, TableStats>, String> {
    if text.trim().is_empty() {
        return Ok(BTreeMap::new());
    }
    serde_json::from_str(text).map_err(|e| format!("Table statistics: {e}"))
}

/// The statistics as the settings panel shows them (as `lockstep stats` prints them).
pub fn stats_text(stats: &BTreeMap<String, TableStats>) -> String {
    if stats.is_empty() {
        return String::new();
    }
    serde_json::to_string_pretty(stats).unwrap_or_default()
}

/// Sets one table's row count (typed in the settings panel), keeping its size if known.
pub fn set_rows(
    stats: &mut BTreeMap<String, TableStats>,
    table: &str,
    rows: &str,
) -> Result<(), String> {
    let table = table.trim();
    if table.is_empty() {
        return Err("Name the table.".to_owned());
    }
    let rows: u64 = rows
        .trim()
        .replace(['_', ','], "")
        .parse()
        .map_err(|_| format!("Rows of `{table}`: a whole number, like 1200000."))?;
    stats.entry(table.to_owned()).or_default().rows = rows;
    Ok(())
}

/// The worst severity of the findings on each line of `path`.
pub fn marked_lines(findings: &[Finding], path: &str) -> BTreeMap<u32, Severity> {
    let mut lines = BTreeMap::new();
    for finding in findings.iter().filter(|f| f.path == path) {
        let entry = lines.entry(finding.line).or_insert(finding.severity);
        *entry = (*entry).max(finding.severity);
    }
    lines
}

/// Lines the source view shows at once: a huge file shows a window around the focus.
pub const SOURCE_WINDOW: usize = 400;

/// The 1-based lines `first..=last` of a file of `total` lines shown around `focus`.
pub fn line_window(total: usize, focus: Option<u32>) -> (usize, usize) {
    if total <= SOURCE_WINDOW {
        return (1, total.max(1));
    }
    let focus = focus
        .map_or(1, |f| usize::try_from(f).unwrap_or(1))
        .clamp(1, total);
    let first = focus.saturating_sub(SOURCE_WINDOW / 2).max(1);
    let last = (first + SOURCE_WINDOW - 1).min(total);
    (last + 1 - SOURCE_WINDOW.min(last), last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_has_the_finding_the_readme_promises() {
        let analysis = lockstep_core::analyze(&example_files(), &Settings::default());
        assert!(
            analysis
                .findings
                .iter()
                .any(|f| f.rule == "add-index-non-concurrent")
        );
    }

    #[test]
    fn a_review_survives_the_link() {
        let mut notes = Notes::default();
        assert!(notes.comment(
            CommentTarget::Line {
                path: "db/0003_order_status.sql".into(),
                line: 2
            },
            " ana ",
            "why 2s?"
        ));
        assert!(!notes.comment(
            CommentTarget::Finding {
                fingerprint: "f".into()
            },
            "",
            "  "
        ));
        assert!(notes.acknowledge("f", "ben", "").is_err());
        notes.acknowledge("f", "ben", "tiny table").unwrap();
        let settings = Settings {
            pg_version: 13,
            ..Settings::default()
        };
        let review = to_review(&example_files(), &settings, &notes);
        let fragment = link::encode(&review).unwrap();
        let Opening::Link(back) = opening(&format!("#{fragment}")) else {
            panic!("not a link")
        };
        assert_eq!(from_review(*back), (example_files(), settings, notes));
    }

    #[test]
    fn openings() {
        assert_eq!(opening(""), Opening::Example);
        assert_eq!(opening("#"), Opening::Example);
        assert_eq!(
            opening("#rule/add-index-non-concurrent"),
            Opening::Rule("add-index-non-concurrent".into())
        );
        assert!(matches!(
            opening("#v9.abc"),
            Opening::BadLink(link::LinkError::UnsupportedVersion { .. })
        ));
    }

    #[test]
    fn statistics_as_lockstep_stats_prints_them() {
        let stats =
            parse_stats(r#"{"shop_order": {"rows": 1200, "bytes": 81920, "indexes": 2}}"#).unwrap();
        assert_eq!(
            stats["shop_order"],
            TableStats {
                rows: 1200,
                bytes: 81920
            }
        );
        assert!(parse_stats("").unwrap().is_empty());
        let error = parse_stats(r#"{"t": {"rows": -1}}"#).unwrap_err();
        assert!(error.contains("line 1"), "{error}");
        let mut stats = stats;
        set_rows(&mut stats, "shop_item", "2,000,000").unwrap();
        assert_eq!(stats["shop_item"].rows, 2_000_000);
        assert!(set_rows(&mut stats, "x", "many").is_err());
        assert_eq!(parse_stats(&stats_text(&stats)).unwrap(), stats);
    }

    #[test]
    fn the_source_window_stays_in_the_file() {
        assert_eq!(line_window(10, Some(5)), (1, 10));
        assert_eq!(line_window(0, None), (1, 1));
        assert_eq!(line_window(10_000, None), (1, 400));
        assert_eq!(line_window(10_000, Some(5_000)), (4_800, 5_199));
        assert_eq!(line_window(10_000, Some(9_999)), (9_601, 10_000));
    }
}
