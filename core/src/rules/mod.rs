//! Rules: analysed statements → [`Finding`]s with a why and a safe alternative.
//!
//! One rule is one file: its id, severity and documentation (`declare_rule!`), and its check.
//! The registry lists them all. Invariant: a rule reads the analysis and reports; it never
//! changes what was analysed.

pub mod ack;
mod add_index_non_concurrent;
mod detach_partition_blocking;
mod diagnostics;
mod domain_with_constraint;
mod drop_schema_or_database;
mod enum_type_change;
mod index_build_under_exclusive_lock;
mod irreversible_operation;
mod missing_lock_timeout;
mod missing_statement_timeout;
mod offset_pagination_backfill;
mod pg14_concurrent_index_corruption;
pub mod registry;
mod run_python;
mod runpython_imports_model;
mod statements_after_exclusive_lock;
mod table_rewrite_misc;
#[cfg(test)]
pub(crate) mod test_utils;
mod transaction_misuse;
mod trigger_on_existing_table;
mod truncate_cascade;
mod unbatched_backfill;
mod words;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::analysis::{FileAnalysis, OperationAnalysis, StatementAnalysis};
use crate::parse::django::Migration;
use crate::source::Settings;
use crate::span::{LineIndex, Span};

/// How much a finding matters.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Review it.
    Warning,
    /// Blocks approval until fixed or acknowledged.
    Error,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        })
    }
}

/// A rule of the catalog: its stable id, severity and documentation.
#[derive(Debug)]
pub struct Rule {
    /// Kebab-case id, stable forever (`add-index-non-concurrent`).
    pub id: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// Markdown documentation: What it flags / Why it hurts / Safe alternative / When it is fine.
    pub docs: &'static str,
}

/// Declares a rule whose doc comment is its documentation.
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])+ pub(crate) static $name:ident = { id: $id:literal, severity: $severity:expr $(,)? }) => {
        pub(crate) static $name: $crate::rules::Rule = $crate::rules::Rule {
            id: $id,
            severity: $severity,
            docs: concat!($($doc, "\n"),+),
        };
    };
}
pub(crate) use declare_rule;

/// The user's choices per rule: rules turned off, and severities other than the default.
/// Ids are not checked here; the runner's config loader checks them against the catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RuleOverrides {
    /// Rules whose findings are dropped.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub disable: BTreeSet<String>,
    /// The severity each listed rule's findings get instead of the rule's own.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub severity: BTreeMap<String, Severity>,
}

impl RuleOverrides {
    /// Whether nothing is overridden (then the settings serialize as before).
    pub fn is_empty(&self) -> bool {
        self.disable.is_empty() && self.severity.is_empty()
    }

    /// Drops the findings of disabled rules and gives the others their chosen severity.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        if self.is_empty() {
            return;
        }
        findings.retain(|finding| !self.disable.contains(finding.rule));
        for finding in findings {
            if let Some(&severity) = self.severity.get(finding.rule) {
                finding.severity = severity;
            }
        }
    }
}

/// A problem found, where it is, why it hurts and what to do instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id.
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// File path as given.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub column: u32,
    /// Byte span (for highlighting).
    pub span: Span,
    /// Why it hurts, naming the table and the lock.
    pub message: String,
    /// The safe alternative for this very case.
    pub safe_alternative: String,
    /// The statement concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// Index of the operation in its migration (or statement in a `.sql` file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_index: Option<usize>,
    /// Stable identity for acknowledgements: rule, app, migration, operation, statement.
    pub fingerprint: String,
    /// Set when a `lockstep: ack` comment acknowledges it: then it does not fail a check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<ack::Acknowledgement>,
}

/// What a check sees, and where it reports.
pub(crate) struct Ctx<'a> {
    file: &'a FileAnalysis,
    text: &'a str,
    line_index: &'a LineIndex,
    findings: &'a mut Vec<Finding>,
    /// Each table this file creates, with the first operation that creates it: rules ask
    /// for every statement, so a scan per question would be quadratic.
    created: BTreeMap<&'a str, usize>,
    settings: &'a Settings,
    /// The parsed migration, for rules that read what statements do not show (`RunPython`).
    migration: Option<&'a Migration>,
}

/// Where a finding points and what it says.
pub(crate) struct Report<'r> {
    pub(crate) rule: &'static Rule,
    pub(crate) span: Span,
    pub(crate) message: String,
    pub(crate) safe_alternative: String,
    pub(crate) operation: Option<&'r OperationAnalysis>,
    pub(crate) statement: Option<&'r StatementAnalysis>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        file: &'a FileAnalysis,
        text: &'a str,
        line_index: &'a LineIndex,
        findings: &'a mut Vec<Finding>,
        settings: &'a Settings,
        migration: Option<&'a Migration>,
    ) -> Self {
        let mut created = BTreeMap::new();
        for op in &file.operations {
            for statement in &op.statements {
                if let Some(table) = statement.statement.kind.created_table() {
                    created.entry(table).or_insert(op.index);
                }
            }
        }
        Self {
            file,
            text,
            line_index,
            findings,
            created,
            settings,
            migration,
        }
    }

    /// The settings of the analysis (`pg_version`, …).
    pub(crate) fn settings(&self) -> &'a Settings {
        self.settings
    }

    /// The parsed Django migration, when the file is one that parsed.
    pub(crate) fn migration(&self) -> Option<&'a Migration> {
        self.migration
    }

    /// The file's text.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// Where a finding about `statement` points: the statement in a `.sql` file, the
    /// operation in a Django migration.
    pub(crate) fn span_for(
        &self,
        operation: &OperationAnalysis,
        statement: &StatementAnalysis,
    ) -> Span {
        if self.file.kind == Some(crate::source::SourceKind::Sql) {
            statement.statement.span
        } else {
            operation.span
        }
    }

    /// Whether the file is plain SQL (not a Django migration).
    pub(crate) fn is_sql_file(&self) -> bool {
        self.file.kind == Some(crate::source::SourceKind::Sql)
    }

    /// The file under analysis.
    pub(crate) fn file(&self) -> &'a FileAnalysis {
        self.file
    }

    /// Every statement with its operation, in order.
    pub(crate) fn statements(
        &self,
    ) -> impl Iterator<Item = (&'a OperationAnalysis, &'a StatementAnalysis)> + use<'a> {
        self.file
            .operations
            .iter()
            .flat_map(|op| op.statements.iter().map(move |s| (op, s)))
    }

    /// Whether `table` is created by this file before (or by) operation `index`.
    pub(crate) fn is_created_here(&self, table: &str, index: usize) -> bool {
        self.created.get(table).is_some_and(|&first| first <= index)
    }

    pub(crate) fn report(&mut self, report: Report<'_>) {
        let severity = report.rule.severity;
        self.report_as(report, severity);
    }

    /// Reports with a severity other than the rule's own (rules whose severity depends on
    /// the file, like `missing-lock-timeout`).
    pub(crate) fn report_as(&mut self, report: Report<'_>, severity: Severity) {
        let at = self.line_index.line_column(self.text, report.span.start);
        let statement = report.statement.map(|s| s.statement.sql.clone());
        let operation_index = report.operation.map(|op| op.index);
        let fingerprint = crate::analysis::fingerprint(&[
            report.rule.id,
            &self.file.app_label,
            &self.file.name,
            &operation_index.map(|i| i.to_string()).unwrap_or_default(),
            statement.as_deref().unwrap_or(""),
        ]);
        self.findings.push(Finding {
            rule: report.rule.id,
            severity,
            path: self.file.path.clone(),
            line: at.line,
            column: at.column,
            span: report.span,
            message: report.message,
            safe_alternative: report.safe_alternative,
            statement,
            operation_index,
            fingerprint,
            acknowledged: None,
        });
    }
}

/// Runs every rule over one analysed file and its parse diagnostics.
pub(crate) fn run(ctx: &mut Ctx<'_>, parse_diagnostics: &[crate::parse::Diagnostic]) {
    let first = ctx.findings.len();
    diagnostics::report(ctx, parse_diagnostics);
    for (_, check) in registry::CHECKS {
        check(ctx);
    }
    ack::apply(ctx, first);
}

#[cfg(test)]
mod tests {
    use crate::source::{Settings, SourceFile};

    #[test]
    fn overrides_drop_disabled_rules_and_change_severities() {
        let files = [SourceFile::from_text(
            "db/0001.sql",
            "SET lock_timeout = '1s';\nSET statement_timeout = '1min';\nCREATE INDEX i ON t (c);\nNOT SQL AT ALL;",
        )];
        let rules_of = |settings: &Settings| {
            crate::analyze(&files, settings)
                .findings
                .iter()
                .map(|f| (f.rule, f.severity))
                .collect::<Vec<_>>()
        };
        let mut settings = Settings::default();
        let default = rules_of(&settings);
        assert!(default.contains(&("add-index-non-concurrent", super::Severity::Error)));
        assert!(default.iter().any(|(rule, _)| *rule == "runsql-opaque"));
        settings.rules.disable.insert("runsql-opaque".to_owned());
        settings
            .rules
            .severity
            .insert("add-index-non-concurrent".to_owned(), super::Severity::Info);
        assert_eq!(
            rules_of(&settings),
            vec![("add-index-non-concurrent", super::Severity::Info)]
        );
        // Empty overrides leave the serialized settings as they were.
        let json = serde_json::to_string(&Settings::default()).unwrap();
        assert!(!json.contains("rules"), "{json}");
    }
}
