//! Rules that parse diagnostics map to: problems in the source itself.

use super::{Ctx, Report, Rule, Severity, declare_rule};
use crate::parse::{Diagnostic, DiagnosticKind};

declare_rule! {
    /// ## What it flags
    /// A file Lockstep cannot read: a Python syntax error, no `Migration` class, bytes that are
    /// not UTF-8 text, a file that is too large, or a file that is neither `.py` nor `.sql`.
    /// Also malformed SQL in a `.sql` file or a `RunSQL`: an unclosed bracket, string, quoted
    /// name or comment.
    ///
    /// ## Why it hurts
    /// Nothing in or after the broken part can be analysed, so its locks and risks are unknown.
    /// PostgreSQL rejects malformed SQL; in a non-atomic migration the statements before it
    /// stay applied.
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
    /// Code whose locks Lockstep cannot know: SQL it cannot read, in a `.sql` file or a
    /// `RunSQL` (kept as written), and a `RunPython` whose function is not written in the
    /// migration file (imported from elsewhere). A `RunPython` whose function is in the file
    /// is read by the `RunPython` rules (`unbatched-backfill`, `offset-pagination-backfill`,
    /// `runpython-imports-model`) instead.
    ///
    /// ## Why it hurts
    /// Its locks are unknown, so its risk cannot be judged.
    ///
    /// ## Safe alternative
    /// Review it by hand. The runner applies lock and statement timeouts to it all the same.
    /// Django: move the function into the migration file, so it is reviewed with it:
    /// ```python
    /// def backfill(apps, schema_editor):
    ///     Order = apps.get_model("shop", "Order")
    ///     ...
    ///
    /// operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
    /// ```
    /// SQL: write the statement in a form PostgreSQL documents, one statement per `;`:
    /// ```sql
    /// SET lock_timeout = '2s';
    /// ALTER TABLE "shop_order" ALTER COLUMN "note" SET DEFAULT '';
    /// ```
    ///
    /// ## When it is fine
    /// After a person has reviewed it.
    pub(crate) static RUNSQL_OPAQUE = { id: "runsql-opaque", severity: Severity::Warning }
}

declare_rule! {
    /// ## What it flags
    /// Two or more leaf migrations in one app: both `0003_a` and `0003_b` depend on `0002` and
    /// nothing depends on them, the usual result of two branches each adding a migration.
    ///
    /// ## Why it hurts
    /// Django refuses to migrate ("Conflicting migrations detected"); were it forced, the
    /// order the two apply in would be undefined, and so would the schema in between.
    ///
    /// ## Safe alternative
    /// Django:
    /// ```sh
    /// python manage.py makemigrations --merge shop
    /// ```
    /// then review the merge migration (it has no operations unless the branches clash).
    /// SQL files have no graph: name them so they sort in the order they must run.
    ///
    /// ## When it is fine
    /// Never: the deploy stops at `migrate`.
    pub(crate) static MIGRATION_CONFLICT = { id: "migration-conflict", severity: Severity::Error }
}

declare_rule! {
    /// ## What it flags
    /// A migration graph Django refuses to load: a dependency cycle, or the same migration
    /// supplied twice. (Two leaf migrations in one app are `migration-conflict`.)
    ///
    /// ## Why it hurts
    /// `manage.py migrate` stops before running anything; the deploy fails. A duplicate is
    /// analysed once; the copy is ignored.
    ///
    /// ## Safe alternative
    /// Break the cycle: move the operation that needs the other app into a new migration that
    /// depends on both (Django: `dependencies = [("shop", "0004_x"), ("billing", "0002_y")]`),
    /// or remove the duplicate file. SQL files have no graph.
    ///
    /// ## When it is fine
    /// Never.
    pub(crate) static MIGRATION_GRAPH = { id: "migration-graph", severity: Severity::Error }
}

declare_rule! {
    /// ## What it flags
    /// A dependency on a migration of an app whose earlier migrations are supplied, but not
    /// this one: a gap in the history under review. Dependencies on apps not supplied at all
    /// (another app of the project, `django.contrib`, a third-party app) and on migrations
    /// older than every supplied one are assumed applied and not reported.
    ///
    /// ## Why it hurts
    /// What the missing migration does to the schema is unknown, so the state after it, and
    /// the SQL and locks of every later operation on its models, may be wrong.
    ///
    /// ## Safe alternative
    /// Add the missing migration file to the review (Django: the whole `migrations/` folder of
    /// the app; SQL files have no dependencies).
    ///
    /// ## When it is fine
    /// Never: the file exists in the project, so supply it.
    pub(crate) static MISSING_DEPENDENCY = { id: "missing-dependency", severity: Severity::Error }
}

/// The rules diagnostics map to, for the catalog (with `unused-acknowledgement`, which
/// `rules::ack` reports).
pub(crate) static RULES: [&Rule; 7] = [
    &MIGRATION_CONFLICT,
    &MIGRATION_GRAPH,
    &MISSING_DEPENDENCY,
    &RUNSQL_OPAQUE,
    &UNKNOWN_EXPRESSION,
    &UNPARSABLE_SOURCE,
    &super::ack::UNUSED_ACKNOWLEDGEMENT,
];

fn rule_of(kind: &DiagnosticKind) -> &'static Rule {
    match kind {
        DiagnosticKind::Source(_)
        | DiagnosticKind::UnsupportedFile
        | DiagnosticKind::PythonSyntax(_)
        | DiagnosticKind::NoMigrationClass
        | DiagnosticKind::MalformedSql { .. } => &UNPARSABLE_SOURCE,
        DiagnosticKind::OpaqueSql { .. } => &RUNSQL_OPAQUE,
        DiagnosticKind::DuplicateMigration { .. } | DiagnosticKind::MigrationCycle { .. } => {
            &MIGRATION_GRAPH
        }
        DiagnosticKind::MigrationConflict { .. } => &MIGRATION_CONFLICT,
        DiagnosticKind::MissingDependency { .. } => &MISSING_DEPENDENCY,
        DiagnosticKind::Unevaluable { .. }
        | DiagnosticKind::AssumedModel { .. }
        | DiagnosticKind::UnknownOperation { .. }
        | DiagnosticKind::UnmodelledOperation { .. } => &UNKNOWN_EXPRESSION,
    }
}

fn safe_alternative(kind: &DiagnosticKind) -> String {
    if let DiagnosticKind::MigrationConflict { app, .. } = kind {
        return format!(
            "Merge the leaves, then review the merge migration:\n```sh\npython manage.py makemigrations --merge {app}\n```"
        );
    }
    let text: &str = match kind {
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
        DiagnosticKind::MalformedSql { .. } => {
            "Fix the SQL at this location; PostgreSQL rejects it as written, and a non-atomic migration stops half-applied there."
        }
        DiagnosticKind::DuplicateMigration { .. } => "Supply each migration once.",
        DiagnosticKind::MigrationCycle { .. } => {
            "Break the cycle: move the operation that needs the other migration into a new migration that depends on both."
        }
        DiagnosticKind::MigrationConflict { .. } => {
            "Merge the leaves with `python manage.py makemigrations --merge`, then review the merge migration."
        }
        DiagnosticKind::MissingDependency { .. } => {
            "Add the missing migration file to the review: the app's earlier migrations are here, this one is not."
        }
        DiagnosticKind::Unevaluable { .. }
        | DiagnosticKind::AssumedModel { .. }
        | DiagnosticKind::UnknownOperation { .. }
        | DiagnosticKind::UnmodelledOperation { .. } => {
            "Check the assumption; review this operation by hand."
        }
    };
    text.to_owned()
}

/// Reports every parse diagnostic of the file as a finding, and the `RunPython` operations
/// whose code is not in the file.
pub(crate) fn report(ctx: &mut Ctx<'_>, diagnostics: &[Diagnostic]) {
    report_parse(ctx, diagnostics);
    report_run_python(ctx);
}

/// `RunPython` with code from another module: opaque.
fn report_run_python(ctx: &mut Ctx<'_>) {
    for (operation, run) in super::run_python::read_all(ctx.file(), ctx.text()) {
        if run.body.is_some() {
            continue;
        }
        ctx.report(Report {
            rule: &RUNSQL_OPAQUE,
            span: operation.span,
            message: format!(
                "`RunPython({})` runs code that is not in this file: what it locks and how long it runs \
                 are unknown",
                run.code
            ),
            safe_alternative: format!(
                "Review `{}` by hand, or define the function in this migration so it is reviewed with it \
                 (a migration should not import code that later changes):\n```python\ndef forwards(apps, \
                 schema_editor):\n    ...  # the body of {}, using apps.get_model(...)\n\n\
                 migrations.RunPython(forwards, migrations.RunPython.noop)\n```",
                run.code, run.code
            ),
            operation: Some(operation),
            statement: None,
        });
    }
}

fn report_parse(ctx: &mut Ctx<'_>, diagnostics: &[Diagnostic]) {
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
        let statement = operation.and_then(|op| {
            op.statements
                .iter()
                .find(|s| s.statement.span.start == diagnostic.span.start)
        });
        // A statement the SQL reader could not classify (an unknown command word, say) whose
        // locks the lock model still read is not opaque: its locks are known.
        if matches!(&diagnostic.kind, DiagnosticKind::OpaqueSql { .. })
            && statement.is_some_and(|s| {
                s.locks.unknown.is_empty()
                    && s.locks
                        .duration
                        .is_some_and(|d| d != crate::locks::Duration::Unknown)
            })
        {
            continue;
        }
        ctx.report(Report {
            rule: rule_of(&diagnostic.kind),
            span: diagnostic.span,
            message: diagnostic.kind.to_string(),
            safe_alternative: safe_alternative(&diagnostic.kind),
            operation,
            statement,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::{findings, render_findings, rule_ids};

    #[test]
    fn sql_the_lock_model_reads_is_not_opaque() {
        // sqlparser rejects `SET CONSTRAINTS "name" IMMEDIATE`, which Django prints itself.
        let sql = "SET lock_timeout = '1s';\nSET CONSTRAINTS \"shop_order_fk\" IMMEDIATE;\nFROBNICATE the table;";
        let found = findings("db/0001.sql", sql);
        let opaque: Vec<_> = found
            .iter()
            .filter(|f| f.rule == "runsql-opaque")
            .map(|f| f.line)
            .collect();
        assert_eq!(opaque, [3], "{found:#?}");
    }

    #[test]
    fn graph_problems_are_errors_with_their_own_ids() {
        let migration = |deps: &str| {
            format!(
                "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    \
                 dependencies = [{deps}]\n    operations = []\n"
            )
        };
        let files = [
            crate::source::SourceFile::from_text("shop/migrations/0001_initial.py", migration("")),
            crate::source::SourceFile::from_text(
                "shop/migrations/0002_a.py",
                migration("(\"shop\", \"0001_initial\")"),
            ),
            crate::source::SourceFile::from_text(
                "shop/migrations/0002_b.py",
                migration("(\"shop\", \"0001_initial\")"),
            ),
            crate::source::SourceFile::from_text(
                "shop/migrations/0004_c.py",
                migration("(\"shop\", \"0003_gone\")"),
            ),
        ];
        let analysis = crate::analyze(&files, &crate::source::Settings::default());
        let found: Vec<_> = analysis
            .findings
            .iter()
            .filter(|f| f.rule != "unknown-expression")
            .cloned()
            .collect();
        insta::assert_snapshot!(render_findings(&found));
        let rules: Vec<_> = found.iter().map(|f| (f.rule, f.severity)).collect();
        assert!(
            rules.contains(&("migration-conflict", crate::rules::Severity::Error)),
            "{rules:?}"
        );
        assert!(
            rules.contains(&("missing-dependency", crate::rules::Severity::Error)),
            "{rules:?}"
        );
        // Dependencies on apps not supplied at all are assumed applied: no finding.
        let other_app = migration("(\"auth\", \"0012_alter_user_first_name_max_length\")");
        assert!(rule_ids("shop/migrations/0001_initial.py", &other_app).is_empty());
    }
}
