//! Statements: what runs on the database, typed.
//!
//! Two producers feed the same [`Statement`] type: `.sql` files and `RunSQL` through sqlparser
//! ([`crate::parse::sql`]), and Django operations through the schema editor model
//! ([`django`]), which builds statements typed from the start and never re-parses its own SQL.

pub mod django;
pub mod names;

use serde::Serialize;

use crate::span::Span;

/// One SQL statement with what later stages need to know about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// The SQL text, as it will run (for Django: exactly as `sqlmigrate` prints it).
    pub sql: String,
    /// What the statement does.
    pub kind: StatementKind,
    /// Where it comes from: the SQL text in a `.sql` file, or the Django operation.
    #[serde(skip)]
    pub span: Span,
}

/// The statement shapes later stages look at; everything else is [`StatementKind::Other`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StatementKind {
    /// `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON table …`.
    CreateIndex {
        /// Index name, if given.
        name: Option<String>,
        /// Table name (unqualified, unquoted).
        table: String,
        /// `UNIQUE`.
        unique: bool,
        /// `CONCURRENTLY`.
        concurrently: bool,
    },
    /// `DROP INDEX [CONCURRENTLY] name, …`.
    DropIndex {
        /// Index names.
        names: Vec<String>,
        /// `CONCURRENTLY`.
        concurrently: bool,
    },
    /// `CREATE TABLE table …`.
    CreateTable {
        /// Table name.
        table: String,
    },
    /// `ALTER TABLE table …`.
    AlterTable {
        /// Table name.
        table: String,
    },
    /// `BEGIN` / `START TRANSACTION` / `COMMIT` / `ROLLBACK`.
    Transaction,
    /// A statement Lockstep parsed but does not classify further.
    Other,
    /// A statement sqlparser rejected, kept verbatim.
    Opaque,
}

impl StatementKind {
    /// The table this statement creates, if any.
    pub fn created_table(&self) -> Option<&str> {
        match self {
            Self::CreateTable { table } => Some(table),
            _ => None,
        }
    }
}
