//! Rules that parse diagnostics map to: problems in the source itself.

use super::{Ctx, Report, Rule, Severity, declare_rule};
use crate::parse::{Diagnostic, DiagnosticKind};

declare_rule! {
    /// ## What it flags
    /// A file Lockstep cannot read: a Python syntax error, no `Migration` class, bytes that are
    /// not UTF-8 text, a file that is too large, or a file that is neither `.py` nor `.sql`.
    ///
    /// ## Why it hurts
    /// Nothing in or after the broken part can be analysed, so its locks and risks are unknown.
    ///
    /// ## Safe alternative
    /// Fix the file at the location given; Django would refuse it too.
    ///
    /// ## When it is fine
    /// Never: a migration that does not parse does not run.
    pub(crate) static UNPARSABLE_SOURCE = { id: "unparsable-source", severity: Severity::Error }
}

declare_rule! {
    /// ## What it flags
    /// A value Lockstep cannot evaluate without running code (a custom field class, a callable,
    /// a helper function, a custom operation), or a Django operation whose SQL Lockstep does not
    /// reproduce yet.
    ///
    /// ## Why it hurts
    /// The analysis had to assume something; the assumption is in the message.
    ///
    /// ## Safe alternative
    /// Check the assumption. Where possible, write the value literally in the migration.
    ///
    /// ## When it is fine
    /// When the assumption shown is right.
    pub(crate) static UNKNOWN_EXPRESSION = { id: "unknown-expression", severity: Severity::Info }
}

declare_rule! {
    /// ## What it flags
    /// SQL that Lockstep cannot parse, in a `.sql` file or a `RunSQL`. It is kept as written.
    ///
    /// ## Why it hurts
    /// Its locks are unknown, so its risk cannot be judged.
    ///
    /// ## Safe alternative
    /// Review the statement by hand. The runner still applies lock and statement timeouts to it.
    ///
    /// ## When it is fine
    /// After a person has reviewed the statement.
    pub(crate) static RUNSQL_OPAQUE = { id: "runsql-opaque", severity: Severity::Warning }
}

declare_rule! {
    /// ## What it flags
    /// A migration graph Django refuses to load or migrate: a dependency cycle, two leaf
    /// migrations in one app (a conflict `makemigrations --merge` resolves), or the same
    /// migration supplied twice.
    ///
    /// ## Why it hurts
    /// `manage.py migrate` stops before running anything; the deploy fails.
    ///
    /// ## Safe alternative
    /// Break the cycle (move the operation that needs the other app into a later migration),
    /// or merge the leaves with `manage.py makemigrations --merge`, or remove the duplicate.
    ///
    /// ## When it is fine
    /// Never.
    pub(crate) static MIGRATION_GRAPH = { id: "migration-graph", severity: Severity::Error }
}

declare_rule! {
    /// ## What it flags
    /// A dependency on a migration that is not among the supplied files.
    ///
    /// ## Why it hurts
    /// Lockstep assumes it is applied; models it creates are assumed with Django's defaults,
    /// so SQL that depends on them may not be shown.
    ///
    /// ## Safe alternative
    /// Add the app's other migrations to the review to see the exact SQL.
    ///
    /// ## When it is fine
    /// When the dependency is already applied in every environment, as it usually is.
    pub(crate) static MISSING_DEPENDENCY = { id: "missing-dependency", severity: Severity::Info }
}

/// The rules diagnostics map to, for the catalog.
pub(crate) static RULES: [&Rule; 5] = [
    &MIGRATION_GRAPH,
    &MISSING_DEPENDENCY,
    &RUNSQL_OPAQUE,
    &UNKNOWN_EXPRESSION,
    &UNPARSABLE_SOURCE,
];

fn rule_of(kind: &DiagnosticKind) -> &'static Rule {
    match kind {
        DiagnosticKind::Source(_)
        | DiagnosticKind::UnsupportedFile
        | DiagnosticKind::PythonSyntax(_)
        | DiagnosticKind::NoMigrationClass => &UNPARSABLE_SOURCE,
        DiagnosticKind::OpaqueSql { .. } => &RUNSQL_OPAQUE,
        DiagnosticKind::DuplicateMigration { .. }
        | DiagnosticKind::MigrationCycle { .. }
        | DiagnosticKind::MigrationConflict { .. } => &MIGRATION_GRAPH,
        DiagnosticKind::MissingDependency { .. } => &MISSING_DEPENDENCY,
        DiagnosticKind::Unevaluable { .. }
        | DiagnosticKind::AssumedModel { .. }
        | DiagnosticKind::UnknownOperation { .. }
        | DiagnosticKind::UnmodelledOperation { .. } => &UNKNOWN_EXPRESSION,
    }
}

fn safe_alternative(kind: &DiagnosticKind) -> &'static str {
    match kind {
        DiagnosticKind::Source(_) | DiagnosticKind::UnsupportedFile => {
            "Supply the migration's source text: a `.py` migration module or a `.sql` file."
        }
        DiagnosticKind::PythonSyntax(_) => {
            "Fix the syntax at this location; Django cannot import this migration either."
        }
        DiagnosticKind::NoMigrationClass => {
            "A Django migration defines `class Migration(migrations.Migration):`."
        }
        DiagnosticKind::OpaqueSql { .. } => "Review this statement by hand; its locks are unknown.",
        DiagnosticKind::DuplicateMigration { .. } => "Supply each migration once.",
        DiagnosticKind::MigrationCycle { .. } => {
            "Break the cycle: move the operation that needs the other migration into a new migration that depends on both."
        }
        DiagnosticKind::MigrationConflict { .. } => {
            "Merge the leaves with `python manage.py makemigrations --merge`, then review the merge migration."
        }
        DiagnosticKind::MissingDependency { .. } => {
            "Add the migrations it depends on to see the exact SQL of operations on their models."
        }
        DiagnosticKind::Unevaluable { .. }
        | DiagnosticKind::AssumedModel { .. }
        | DiagnosticKind::UnknownOperation { .. }
        | DiagnosticKind::UnmodelledOperation { .. } => {
            "Check the assumption; review this operation by hand."
        }
    }
}

/// Reports every parse diagnostic of the file as a finding.
pub(crate) fn report(ctx: &mut Ctx<'_>, diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        // Operations are in source order: the last one starting at or before the diagnostic
        // is the only one that can contain it (a search, so many diagnostics stay linear).
        let operations = &ctx.file().operations;
        let candidate = operations
            .partition_point(|op| op.span.start <= diagnostic.span.start)
            .checked_sub(1)
            .and_then(|i| operations.get(i));
        let operation =
            candidate.filter(|op| diagnostic.span.start < op.span.end.max(op.span.start + 1));
        ctx.report(Report {
            rule: rule_of(&diagnostic.kind),
            span: diagnostic.span,
            message: diagnostic.kind.to_string(),
            safe_alternative: safe_alternative(&diagnostic.kind).to_owned(),
            operation,
            statement: None,
        });
    }
}
