//! Parsing: source text → typed migrations and SQL statements.
//!
//! In: a [`crate::source::SourceFile`]. Out: a [`Parsed`] value plus [`Diagnostic`]s. Invariant:
//! parsing never fails and never panics; what cannot be read or evaluated is reported with a
//! span and the rest is still analysed.

pub mod django;
pub mod python;
pub mod sql;

use crate::span::Span;

/// A value with the problems found while producing it.
#[derive(Debug)]
pub struct Parsed<T> {
    /// What could be understood.
    pub value: T,
    /// What could not, each with a location.
    pub diagnostics: Vec<Diagnostic>,
}

/// A problem found while parsing, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct Diagnostic {
    /// What went wrong.
    pub kind: DiagnosticKind,
    /// Where.
    pub span: Span,
}

/// The kinds of parse problem. Each maps to a rule of the catalog (see `rules::diagnostics`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// The file is not text Lockstep can read.
    #[error("{0}")]
    Source(crate::source::SourceProblem),
    /// Neither `.py` nor `.sql`.
    #[error("not a migration file: Lockstep reads `.py` (Django) and `.sql` files")]
    UnsupportedFile,
    /// Python syntax error.
    #[error("Python syntax error: {0}")]
    PythonSyntax(String),
    /// No migration class in a `.py` file.
    #[error("no `class Migration(migrations.Migration)` found")]
    NoMigrationClass,
    /// A value that cannot be known without running code.
    #[error("cannot evaluate `{expr}` in `{field}`; assumed {assumed}")]
    Unevaluable {
        /// Which argument or attribute.
        field: String,
        /// The source text.
        expr: String,
        /// What the analysis assumed instead.
        assumed: String,
    },
    /// A model the operation names is not in the supplied files; Django's defaults are assumed.
    #[error(
        "model `{model}` is not in the supplied files; assumed table `{table}` with columns named as its fields (add its migrations to be sure)"
    )]
    AssumedModel {
        /// `app.model`.
        model: String,
        /// The assumed table.
        table: String,
    },
    /// A call that is not a Django operation Lockstep knows.
    #[error("`{class}` is not a Django operation Lockstep knows; its SQL and locks are unknown")]
    UnknownOperation {
        /// The callee as written/resolved.
        class: String,
    },
    /// A Django operation whose SQL Lockstep does not reproduce yet.
    #[error("Lockstep does not reproduce the SQL of {class} yet; its locks are not shown")]
    UnmodelledOperation {
        /// The operation and what of it is not modelled, in Markdown (`` `AddField` with `db_default=` ``).
        class: String,
    },
    /// Two supplied files are the same migration.
    #[error("migration `{migration}` is supplied twice (first as `{first}`); this copy is ignored")]
    DuplicateMigration {
        /// `app.name`.
        migration: String,
        /// The copy that is used.
        first: String,
    },
    /// A dependency on a migration that was not supplied.
    #[error(
        "depends on `{migration}`, which is not among the supplied files; Lockstep assumes it is already applied"
    )]
    MissingDependency {
        /// `app.name` as written.
        migration: String,
    },
    /// Dependencies that form a cycle: Django refuses to load the graph.
    #[error("dependency cycle: {cycle}; Django refuses to migrate")]
    MigrationCycle {
        /// The migrations around the cycle.
        cycle: String,
    },
    /// An app with more than one leaf migration: Django refuses to migrate until they merge.
    #[error(
        "conflicting migrations in `{app}`: {leaves} are all latest; Django refuses to migrate until they are merged"
    )]
    MigrationConflict {
        /// The app.
        app: String,
        /// Its leaf migrations.
        leaves: String,
    },
    /// A SQL statement that is not a command Lockstep knows; it is kept verbatim as opaque.
    #[error("SQL that Lockstep cannot read (kept as written): {message}")]
    OpaqueSql {
        /// What was not understood, and where in the SQL text.
        message: String,
    },
    /// A SQL statement PostgreSQL will reject (an unclosed bracket or string); kept verbatim.
    #[error("malformed SQL (kept as written; PostgreSQL rejects it): {message}")]
    MalformedSql {
        /// What is wrong, and where in the SQL text.
        message: String,
    },
}
