//! Django operations → the statements Django's PostgreSQL schema editor runs.
//!
//! In: a migration's operations and the project state before it. Out: per operation its
//! statements in Django's order, split into those run at once and those Django defers to the
//! end of the migration (field indexes, foreign keys), exactly as `manage.py sqlmigrate`
//! prints them. Invariant: an operation whose SQL is not reproduced exactly is
//! [`OperationSql::NotReproduced`] with a diagnostic saying why, never approximated.
//!
//! The layout follows Django's own: [`editor`] is `BaseDatabaseSchemaEditor` (statement
//! collection and `deferred_sql`), one module per family of schema-editor methods, and
//! [`forwards`] is the operations' `database_forwards`.

mod backwards;
mod columns;
mod constraints;
mod describe;
mod editor;
mod existing;
mod expressions;
mod fields;
mod forwards;
mod indexes;
mod models;
mod postgres;
mod quote;
mod relations;
mod run_sql;
mod sqlmigrate;

pub use backwards::Irreversible;
pub use describe::describe;
pub use sqlmigrate::sqlmigrate;

use crate::parse::django::Migration;
use crate::parse::{Diagnostic, DiagnosticKind};
use crate::sql::Statement;
use crate::state::ProjectState;

/// What Lockstep knows of an operation's SQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperationSql {
    /// The exact statements.
    Reproduced {
        /// Run when the operation runs.
        immediate: Vec<Statement>,
        /// What `sqlmigrate` prints for `immediate`: one line per statement, except that
        /// `RunSQL` strings are executed, and printed, as written.
        printed: Vec<String>,
        /// Run at the end of the migration (Django's `deferred_sql`), as far as later
        /// operations of the migration did not drop them again.
        deferred: Vec<Statement>,
    },
    /// `RunPython` and friends: Django prints a comment, not SQL.
    NotSql,
    /// Not reproduced (yet): the reason is in a diagnostic.
    NotReproduced,
}

/// Turns an operation's outcome into its [`OperationSql`], with a diagnostic when it is not
/// reproduced.
fn outcome(
    editor: &mut editor::Editor,
    operation: &crate::parse::django::Operation,
    outcome: editor::Sql<forwards::Forwards>,
    diagnostics: &mut Vec<Diagnostic>,
) -> OperationSql {
    diagnostics.append(&mut editor.diagnostics);
    match outcome {
        Ok(forwards::Forwards::Sql) => editor.take(),
        Ok(forwards::Forwards::NotSql) => OperationSql::NotSql,
        Err(unsupported) => {
            editor.discard();
            diagnostics.push(Diagnostic {
                kind: DiagnosticKind::UnmodelledOperation {
                    class: format!("`{}` with {}", operation.class, unsupported.what),
                },
                // A span into another file (a field of a model another migration created)
                // would point at the wrong text: the operation stands for it.
                span: unsupported
                    .span
                    .filter(|s| s.file == operation.span.file)
                    .unwrap_or(operation.span),
            });
            OperationSql::NotReproduced
        }
    }
}

/// The SQL `sqlmigrate --backwards` prints for `migration`, given the state before it:
/// per operation, in the order they are unapplied (last first), or why Django refuses.
pub fn migration_sql_backwards(
    migration: &Migration,
    before: &ProjectState,
) -> Result<(Vec<OperationSql>, Vec<Diagnostic>), Irreversible> {
    if let Some((index, operation)) = migration
        .operations
        .iter()
        .enumerate()
        .find(|(_, op)| !backwards::reversible(op))
    {
        return Err(Irreversible {
            operation: index,
            message: format!(
                "`{}` has no reverse ({}), so Django refuses to unapply this migration",
                operation.class,
                if operation.class == "RunSQL" {
                    "`reverse_sql` is not given"
                } else {
                    "`reverse_code` is not given"
                }
            ),
        });
    }
    let mut states = Vec::with_capacity(migration.operations.len() + 1);
    states.push(before.clone());
    for operation in &migration.operations {
        let mut next = states.last().cloned().unwrap_or_default();
        next.apply(&migration.app_label, operation);
        states.push(next);
    }
    let mut editor = editor::Editor::default();
    let mut diagnostics = Vec::new();
    let mut results = Vec::with_capacity(migration.operations.len());
    for (index, operation) in migration.operations.iter().enumerate().rev() {
        let (Some(to), Some(from)) = (states.get(index), states.get(index + 1)) else {
            continue;
        };
        let ctx = forwards::Ctx {
            app: &migration.app_label,
            operation,
            before: from,
            after: to,
        };
        // Deferred SQL is attributed by position in `results`, which is reversed here.
        editor.begin(results.len(), operation.span);
        let result = backwards::database_backwards(&mut editor, &ctx);
        results.push(outcome(&mut editor, operation, result, &mut diagnostics));
    }
    editor.finish(&mut results);
    Ok((results, diagnostics))
}

/// The SQL of every operation of `migration`, applying each to `state` as it goes.
pub fn migration_sql(
    migration: &Migration,
    state: &mut ProjectState,
) -> (Vec<OperationSql>, Vec<Diagnostic>) {
    let mut editor = editor::Editor::default();
    let mut diagnostics = Vec::new();
    let mut results = Vec::with_capacity(migration.operations.len());
    for (index, operation) in migration.operations.iter().enumerate() {
        let before = state.clone();
        state.apply(&migration.app_label, operation);
        let ctx = forwards::Ctx {
            app: &migration.app_label,
            operation,
            before: &before,
            after: state,
        };
        editor.begin(index, operation.span);
        let result = forwards::database_forwards(&mut editor, &ctx);
        results.push(outcome(&mut editor, operation, result, &mut diagnostics));
    }
    editor.finish(&mut results);
    (results, diagnostics)
}
