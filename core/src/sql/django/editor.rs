//! The schema editor's bookkeeping: statements run now, and `deferred_sql`.
//!
//! Django's `deferred_sql` holds statements (field indexes, foreign keys) until the end of
//! the migration; a later operation of the same migration can drop them again (`remove_field`
//! drops those naming the column, `delete_model` those naming the table). Each deferred
//! statement remembers which operation made it, so the analysis can show it there.

use std::collections::BTreeSet;

use crate::parse::Diagnostic;
use crate::span::Span;
use crate::sql::{Statement, StatementKind};

use super::OperationSql;

/// Why an operation's SQL is not reproduced: what Lockstep does not model, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Unsupported {
    /// "`db_default`", "a model not in the supplied files", …
    pub(super) what: String,
    /// The argument it is about, when narrower than the operation.
    pub(super) span: Option<Span>,
}

impl Unsupported {
    pub(super) fn new(what: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            span: None,
        }
    }

    pub(super) fn at(what: impl Into<String>, span: Span) -> Self {
        Self {
            what: what.into(),
            span: Some(span),
        }
    }
}

/// The result of schema-editor work that may meet something Lockstep does not model.
pub(super) type Sql<T = ()> = Result<T, Unsupported>;

/// A statement in `deferred_sql` and what it names.
#[derive(Clone, Debug)]
struct Deferred {
    statement: Statement,
    /// `(table, column)` pairs it names; `column` is `None` for the table as a whole.
    /// Django's `Statement.references_table` / `references_column`.
    references: Vec<(String, Option<String>)>,
    /// The operation (index in the migration) that deferred it.
    operation: usize,
}

/// Collects what one migration's operations run.
#[derive(Debug, Default)]
pub(super) struct Editor {
    immediate: Vec<Statement>,
    printed: Vec<String>,
    deferred: Vec<Deferred>,
    operation: usize,
    span: Span,
    /// Diagnostics about SQL that is reproduced but rests on an assumption.
    pub(super) diagnostics: Vec<Diagnostic>,
    /// Models assumed so far in this migration: each is reported once, at its first use.
    assumed: BTreeSet<String>,
    /// Tables created (`column` `None`) and columns changed by this migration so far: what
    /// `sqlmigrate` finds by introspection is the database before the migration, without
    /// them.
    shaped: Vec<(String, Option<String>)>,
}

impl Editor {
    /// Whether `model` is assumed for the first time in this migration.
    pub(super) fn first_assumption(&mut self, model: &str) -> bool {
        self.assumed.insert(model.to_lowercase())
    }

    /// Starts operation `index`, written at `span`.
    pub(super) fn begin(&mut self, index: usize, span: Span) {
        self.operation = index;
        self.span = span;
        self.immediate.clear();
        self.printed.clear();
    }

    /// `schema_editor.execute(sql)`: `sql` runs now.
    pub(super) fn execute(&mut self, sql: String, kind: StatementKind) {
        if let StatementKind::CreateTable { table } = &kind {
            self.shaped.push((table.clone(), None));
        }
        self.printed.push(sql.clone());
        self.immediate.push(Statement {
            sql,
            kind,
            span: self.span,
        });
    }

    /// A statement parsed from `RunSQL` text: it keeps its own span, and is printed as
    /// written by [`Editor::print`].
    pub(super) fn execute_parsed(&mut self, statement: Statement) {
        self.immediate.push(statement);
    }

    /// `RunSQL`'s verbatim text, printed as written rather than one line per statement.
    pub(super) fn print(&mut self, line: String) {
        self.printed.push(line);
    }

    /// `self.deferred_sql.append(sql)`.
    pub(super) fn defer(
        &mut self,
        sql: String,
        kind: StatementKind,
        references: Vec<(String, Option<String>)>,
    ) {
        self.deferred.push(Deferred {
            statement: Statement {
                sql,
                kind,
                span: self.span,
            },
            references,
            operation: self.operation,
        });
    }

    /// Drops deferred statements that name `table` (`delete_model`).
    pub(super) fn drop_deferred_for_table(&mut self, table: &str) {
        self.deferred
            .retain(|d| !d.references.iter().any(|(t, _)| t == table));
    }

    /// Whether a deferred statement names `table` (which `alter_db_table` would rename).
    pub(super) fn defers_for_table(&self, table: &str) -> bool {
        self.deferred
            .iter()
            .any(|d| d.references.iter().any(|(t, _)| t == table))
    }

    /// Drops deferred statements that name `table.column` (`remove_field`).
    pub(super) fn drop_deferred_for_column(&mut self, table: &str, column: &str) {
        self.deferred.retain(|d| {
            !d.references
                .iter()
                .any(|(t, c)| t == table && c.as_deref() == Some(column))
        });
    }

    /// Notes that this migration changes `table.column`.
    pub(super) fn mark_shaped(&mut self, table: &str, column: &str) {
        self.shaped
            .push((table.to_owned(), Some(column.to_owned())));
    }

    /// Whether this migration created `table` or changed `table.column` before the current
    /// statement: the database `sqlmigrate` introspects does not show that yet.
    pub(super) fn shaped(&self, table: &str, column: &str) -> bool {
        self.shaped
            .iter()
            .any(|(t, c)| t == table && c.as_deref().is_none_or(|c| c == column))
    }

    /// Whether a deferred statement names `table.column` (`Statement.references_column`).
    pub(super) fn references_column(&self, table: &str, column: &str) -> bool {
        self.deferred.iter().any(|d| {
            d.references
                .iter()
                .any(|(t, c)| t == table && c.as_deref() == Some(column))
        })
    }

    /// What the current operation ran, for [`OperationSql::Reproduced`].
    pub(super) fn take(&mut self) -> OperationSql {
        OperationSql::Reproduced {
            immediate: std::mem::take(&mut self.immediate),
            printed: std::mem::take(&mut self.printed),
            deferred: Vec::new(),
        }
    }

    /// Forgets what the current operation ran, including what it deferred.
    pub(super) fn discard(&mut self) {
        self.immediate.clear();
        self.printed.clear();
        let operation = self.operation;
        self.deferred.retain(|d| d.operation != operation);
    }

    /// End of the migration: the deferred statements that survived go to the operations
    /// that deferred them, in the order Django runs them.
    pub(super) fn finish(self, results: &mut [OperationSql]) {
        for deferred in self.deferred {
            if let Some(OperationSql::Reproduced { deferred: list, .. }) =
                results.get_mut(deferred.operation)
            {
                list.push(deferred.statement);
            }
        }
    }
}
