//! Acknowledgements written in the source.
//!
//! In: a file's text and the findings the rules gave it. Out: those findings marked
//! [`Acknowledgement`] where a comment acknowledges them, plus an `unused-acknowledgement`
//! finding for every comment that acknowledges nothing. The syntax:
//!
//! ```text
//! # lockstep: ack add-index-non-concurrent -- the table has 200 rows      (Python)
//! -- lockstep: ack missing-lock-timeout, truncate-cascade -- maintenance window   (SQL)
//! ```
//!
//! A comment acknowledges a finding of a rule it names when it is on the finding's first
//! line, or in the block of comment lines directly above it (no blank line between).
//! Invariant: acknowledging never hides a finding; it stays in the output, marked, and only
//! stops counting toward `lockstep check`'s exit code.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Ctx, Report, Severity, declare_rule};
use crate::source::SourceKind;
use crate::span::Span;

declare_rule! {
    /// ## What it flags
    /// A `lockstep: ack` comment that acknowledges nothing: it names a rule that does not
    /// exist, no finding of the rules it names is on its line or on the line below its
    /// comment block, or it gives no reason after ` -- `.
    ///
    /// ## Why it hurts
    /// A stale acknowledgement hides nothing now but may hide a different finding later, and
    /// one without a reason tells the next reviewer nothing.
    ///
    /// ## Safe alternative
    /// Put the comment directly above (or at the end of) the line the finding points at, name
    /// the rule by its id, and say why. Django:
    /// ```python
    /// # lockstep: ack add-index-non-concurrent -- shop_order has 300 rows
    /// migrations.AddIndex(...),
    /// ```
    /// SQL:
    /// ```sql
    /// -- lockstep: ack missing-lock-timeout -- run by hand in the maintenance window
    /// CREATE INDEX "shop_order_created_idx" ON "shop_order" ("created");
    /// ```
    ///
    /// ## When it is fine
    /// Never worth keeping: delete the comment or fix it.
    pub(crate) static UNUSED_ACKNOWLEDGEMENT = { id: "unused-acknowledgement", severity: Severity::Info }
}

/// Why a finding is acknowledged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Acknowledgement {
    /// The reason given.
    pub reason: String,
    /// Where the acknowledgement comes from.
    pub source: AckSource,
    /// 1-based line of the comment.
    pub line: u32,
}

/// Where an acknowledgement comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AckSource {
    /// A `lockstep: ack` comment in the file.
    Comment,
}

/// One `lockstep: ack` comment.
#[derive(Debug)]
struct AckComment {
    /// 1-based line.
    line: u32,
    /// Byte span of the comment, from its marker to the end of the line.
    span: Span,
    rules: Vec<String>,
    reason: String,
    used: bool,
}

/// One line of the file: where it starts, and what kind of comment it holds.
struct Line {
    /// Whether the line holds only a comment.
    comment_only: bool,
}

/// Marks the findings from `first` on (all of the current file) that comments acknowledge,
/// and reports comments that acknowledge nothing.
pub(crate) fn apply(ctx: &mut Ctx<'_>, first: usize) {
    let marker = match ctx.file().kind {
        Some(SourceKind::Django) => "#",
        Some(SourceKind::Sql) => "--",
        None => return,
    };
    let file = ctx.file().path.clone();
    let file_id = ctx
        .findings
        .get(first)
        .map(|f| f.span.file)
        .or_else(|| ctx.file().operations.first().map(|op| op.span.file));
    let (lines, mut comments) = scan(ctx.text(), marker, file_id);
    if comments.is_empty() {
        return;
    }
    let tops = block_tops(&lines);
    // (rule, line) → the comment there that acknowledges the rule: one lookup per finding.
    let mut index: BTreeMap<(String, u32), usize> = BTreeMap::new();
    for (i, comment) in comments.iter().enumerate() {
        let valid = !comment.reason.is_empty()
            && comment
                .rules
                .iter()
                .all(|id| super::registry::rule(id).is_some());
        if valid {
            for rule in &comment.rules {
                index.entry((rule.clone(), comment.line)).or_insert(i);
            }
        }
    }
    for finding in ctx.findings.iter_mut().skip(first) {
        if finding.path != file {
            continue;
        }
        let line = finding.line;
        let top = tops
            .get((line as usize).saturating_sub(1))
            .copied()
            .unwrap_or(line);
        let rule = finding.rule.to_owned();
        let hit = index
            .range((rule.clone(), top)..=(rule, line))
            .next()
            .map(|(_, &i)| i);
        if let Some(comment) = hit.and_then(|i| comments.get_mut(i)) {
            comment.used = true;
            finding.acknowledged = Some(Acknowledgement {
                reason: comment.reason.clone(),
                source: AckSource::Comment,
                line: comment.line,
            });
        }
    }
    for comment in comments.iter().filter(|c| !c.used) {
        let message = unused_message(comment);
        ctx.report(Report {
            rule: &UNUSED_ACKNOWLEDGEMENT,
            span: comment.span,
            message,
            safe_alternative: "Put `lockstep: ack RULE -- reason` on the finding's line or directly above it, \
                               naming the rule by its id (`lockstep rules` lists them), or delete the comment."
                .to_owned(),
            operation: None,
            statement: None,
        });
    }
}

fn unused_message(comment: &AckComment) -> String {
    let unknown: Vec<&str> = comment
        .rules
        .iter()
        .map(String::as_str)
        .filter(|id| super::registry::rule(id).is_none())
        .collect();
    if comment.rules.is_empty() {
        "`lockstep: ack` names no rule: write `lockstep: ack RULE -- reason`".to_owned()
    } else if !unknown.is_empty() {
        format!(
            "`lockstep: ack` names {}, not a rule of the catalog",
            unknown
                .iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else if comment.reason.is_empty() {
        format!(
            "`lockstep: ack {}` gives no reason: add ` -- why it is fine here`",
            comment.rules.join(", ")
        )
    } else {
        format!(
            "`lockstep: ack {}` acknowledges nothing: no such finding on this line or on the line below \
             the comment",
            comment.rules.join(", ")
        )
    }
}

/// For each line (index = line - 1), the first line a comment acknowledging a finding on it
/// may be on: the top of the block of comment-only lines directly above it, or the line itself.
fn block_tops(lines: &[Line]) -> Vec<u32> {
    let mut tops: Vec<u32> = Vec::with_capacity(lines.len());
    for i in 0..lines.len() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let above_is_comment = i > 0 && lines.get(i - 1).is_some_and(|l| l.comment_only);
        let top = if above_is_comment {
            tops.get(i - 1).copied().unwrap_or(line)
        } else {
            line
        };
        tops.push(top);
    }
    tops
}

/// Every line's shape, and the `lockstep: ack` comments.
fn scan(
    text: &str,
    marker: &str,
    file: Option<crate::span::FileId>,
) -> (Vec<Line>, Vec<AckComment>) {
    let mut lines = Vec::new();
    let mut comments = Vec::new();
    let mut offset = 0usize;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let content = raw.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        lines.push(Line {
            comment_only: trimmed.starts_with(marker),
        });
        let Some(at) = content.find("lockstep:") else {
            continue;
        };
        let before = content.get(..at).unwrap_or("").trim_end();
        let Some(code) = before.strip_suffix(marker) else {
            continue;
        };
        // A `#` inside a string or a `--` that is part of code is not a comment: only take
        // a marker that starts the line or follows code and a space.
        if !(code.is_empty() || code.ends_with(char::is_whitespace) || code.trim().is_empty()) {
            continue;
        }
        let after = content.get(at + "lockstep:".len()..).unwrap_or("").trim();
        let Some(rest) = after.strip_prefix("ack") else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            continue;
        }
        let (ids, reason) = rest.split_once("--").unwrap_or((rest, ""));
        let rules = ids
            .split([',', ' ', '\t'])
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect();
        let marker_at = start + before.len() - marker.len();
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        comments.push(AckComment {
            line,
            span: Span::new(
                file.unwrap_or(crate::span::FileId(0)),
                to_u32(marker_at),
                to_u32(start + content.len()),
            ),
            rules,
            reason: reason.trim().to_owned(),
            used: false,
        });
    }
    (lines, comments)
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::{findings, render_findings};

    const SQL: &str = "SET lock_timeout = '2s';\n\
        -- lockstep: ack add-index-non-concurrent -- shop_order has 300 rows\n\
        -- (built in the maintenance window)\n\
        CREATE INDEX i ON shop_order (created);\n\
        CREATE INDEX j ON shop_order (total); -- lockstep: ack add-index-non-concurrent -- same\n\
        CREATE INDEX k ON shop_order (paid);\n";

    #[test]
    fn comments_on_or_above_the_line_acknowledge() {
        let found: Vec<_> = findings("db/0002.sql", SQL)
            .into_iter()
            .filter(|f| f.rule == "add-index-non-concurrent")
            .collect();
        let acked: Vec<_> = found
            .iter()
            .map(|f| (f.rule, f.line, f.acknowledged.as_ref().map(|a| a.line)))
            .collect();
        assert_eq!(
            acked,
            [
                ("add-index-non-concurrent", 4, Some(2)),
                ("add-index-non-concurrent", 5, Some(5)),
                ("add-index-non-concurrent", 6, None),
            ]
        );
        assert_eq!(
            found[0].acknowledged.as_ref().unwrap().reason,
            "shop_order has 300 rows"
        );
    }

    #[test]
    fn a_blank_line_breaks_the_block_and_stale_acks_are_reported() {
        let sql = "SET lock_timeout = '2s';\n-- lockstep: ack add-index-non-concurrent -- small\n\n\
                   CREATE INDEX i ON t (c);\n-- lockstep: ack no-such-rule -- why\nSELECT 1;\n\
                   -- lockstep: ack truncate-cascade\nTRUNCATE t CASCADE;\n";
        let found = findings("db/0003.sql", sql);
        insta::assert_snapshot!(render_findings(&found));
        let unused = found
            .iter()
            .filter(|f| f.rule == "unused-acknowledgement")
            .count();
        assert_eq!(unused, 3, "{found:#?}");
        assert!(found.iter().all(|f| f.acknowledged.is_none()));
    }

    #[test]
    fn python_comments_acknowledge_operations() {
        let text = r#"from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        # lockstep: ack add-index-non-concurrent -- shop_order is tiny
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["created"], name="shop_order_created_idx"),
        ),
    ]
"#;
        let found = findings("shop/migrations/0002_x.py", text);
        let index = found
            .iter()
            .find(|f| f.rule == "add-index-non-concurrent")
            .unwrap();
        assert_eq!(
            index.acknowledged.as_ref().map(|a| a.reason.as_str()),
            Some("shop_order is tiny")
        );
        assert!(!found.iter().any(|f| f.rule == "unused-acknowledgement"));
    }

    #[test]
    fn fingerprints_survive_unrelated_lines_above() {
        let moved = format!("-- a header\n-- that grew\nSELECT 1;\n\n{SQL}");
        let before = findings("db/0002.sql", SQL);
        let after = findings("db/0002.sql", &moved);
        // The statement index changes (a statement was added above), the fingerprint of
        // the findings below does not depend on lines: compare by statement.
        let prints = |found: &[crate::rules::Finding]| {
            found
                .iter()
                .map(|f| (f.statement.clone(), f.line, f.acknowledged.is_some()))
                .collect::<Vec<_>>()
        };
        assert_eq!(before.len(), after.len());
        for (b, a) in prints(&before).iter().zip(prints(&after)) {
            assert_eq!((b.0.clone(), b.1 + 4, b.2), a);
        }
        // Lines inserted without a new statement keep the very same fingerprints.
        let padded = format!("-- a header\n\n\n{SQL}");
        let padded = findings("db/0002.sql", &padded);
        let fingerprints = |found: &[crate::rules::Finding]| {
            found
                .iter()
                .map(|f| f.fingerprint.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(fingerprints(&before), fingerprints(&padded));
        let acknowledged: Vec<_> = padded
            .iter()
            .filter(|f| f.acknowledged.is_some())
            .map(|f| f.line)
            .collect();
        assert_eq!(acknowledged, [7, 8]);
    }

    #[test]
    fn django_fingerprints_survive_inserted_lines() {
        let text = r#"from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["created"], name="shop_order_created_idx"),
        ),
    ]
"#;
        let moved = text.replace(
            "class Migration",
            "# An unrelated comment.\nimport datetime  # noqa\n\n\nclass Migration",
        );
        let before = findings("shop/migrations/0002_x.py", text);
        let after = findings("shop/migrations/0002_x.py", &moved);
        assert!(!before.is_empty());
        let key = |found: &[crate::rules::Finding]| {
            found
                .iter()
                .map(|f| (f.rule, f.fingerprint.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&before), key(&after));
        assert_eq!(before[0].line + 4, after[0].line);
    }

    #[test]
    fn many_comments_and_findings_stay_linear() {
        // A block of 20,000 acknowledgements above one statement: one acknowledges it, the
        // others are reported; lookups are by (rule, line), so this is quick.
        let mut sql = String::from("SET lock_timeout = '1s';\nSET statement_timeout = '1min';\n");
        for _ in 0..20_000 {
            sql.push_str("-- lockstep: ack add-index-non-concurrent -- small\n");
        }
        sql.push_str("CREATE INDEX i ON t (c);\n");
        let found = findings("db/0004.sql", &sql);
        let acknowledged = found.iter().filter(|f| f.acknowledged.is_some()).count();
        let unused = found
            .iter()
            .filter(|f| f.rule == "unused-acknowledgement")
            .count();
        assert_eq!((acknowledged, unused), (1, 19_999));
    }
}
