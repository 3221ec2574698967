//! Django operations → the statements Django's PostgreSQL schema editor runs.
//!
//! In: one [`Operation`] of a migration. Out: its statements in Django's order, split into
//! those run at once and those Django defers to the end of the migration (field indexes,
//! foreign keys), exactly as `manage.py sqlmigrate` prints them. Invariant: an operation whose
//! SQL is not reproduced exactly is [`OperationSql::NotReproduced`], never approximated.

use std::fmt::Write as _;

use crate::parse::django::{Field, Index, Migration, Operation, OperationKind};
use crate::parse::{Diagnostic, DiagnosticKind};
use crate::span::Span;
use crate::sql::names::{self, quote};
use crate::sql::{Statement, StatementKind};

/// What Lockstep knows of an operation's SQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperationSql {
    /// The exact statements.
    Reproduced {
        /// Run when the operation runs.
        immediate: Vec<Statement>,
        /// Run at the end of the migration (Django's `deferred_sql`).
        deferred: Vec<Statement>,
    },
    /// `RunPython` and friends: Django prints a comment, not SQL.
    NotSql,
    /// Not reproduced (yet): the reason is in a diagnostic.
    NotReproduced,
}

/// Django's `Operation.describe()`, the comment `sqlmigrate` prints above each operation.
pub fn describe(operation: &Operation) -> String {
    match &operation.kind {
        OperationKind::CreateModel { name, .. } => format!("Create model {name}"),
        OperationKind::AddField {
            model_name, name, ..
        } => format!("Add field {name} to {model_name}"),
        OperationKind::AddIndex {
            model_name,
            index,
            concurrently,
        } => format!(
            "{} index {} on field(s) {} of model {model_name}",
            if *concurrently {
                "Concurrently create"
            } else {
                "Create"
            },
            index.name.as_deref().unwrap_or(""),
            index.fields.join(", "),
        ),
        OperationKind::RemoveIndex {
            model_name,
            name,
            concurrently,
        } => format!(
            "{} index {name} from {model_name}",
            if *concurrently {
                "Concurrently remove"
            } else {
                "Remove"
            }
        ),
        OperationKind::RunSql { .. } => "Raw SQL operation".to_owned(),
        OperationKind::RunPython { .. } => "Raw Python operation".to_owned(),
        OperationKind::Unmodelled | OperationKind::Unknown => operation.class.clone(),
    }
}

/// The SQL of `operation` in `migration`, plus diagnostics for what is not reproduced.
pub fn operation_sql(
    migration: &Migration,
    operation: &Operation,
) -> (OperationSql, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let app = migration.app_label.as_str();
    let span = operation.span;
    let sql = match &operation.kind {
        OperationKind::CreateModel {
            name,
            fields,
            db_table,
        } => {
            let table = db_table.clone().unwrap_or_else(|| table_name(app, name));
            create_model(&table, fields, span, &mut diagnostics)
        }
        OperationKind::AddField {
            model_name,
            name,
            field,
        } => add_field(
            &table_name(app, model_name),
            name,
            field,
            span,
            &mut diagnostics,
        ),
        OperationKind::AddIndex {
            model_name,
            index,
            concurrently,
        } => match create_index(&table_name(app, model_name), index, *concurrently, span) {
            Some(statement) => OperationSql::Reproduced {
                immediate: vec![statement],
                deferred: Vec::new(),
            },
            None => not_reproduced(operation, "an index without a name", &mut diagnostics),
        },
        OperationKind::RemoveIndex {
            name, concurrently, ..
        } => {
            let sql = format!(
                "DROP INDEX {}IF EXISTS {};",
                if *concurrently { "CONCURRENTLY " } else { "" },
                quote(name)
            );
            let kind = StatementKind::DropIndex {
                names: vec![name.clone()],
                concurrently: *concurrently,
            };
            OperationSql::Reproduced {
                immediate: vec![Statement { sql, kind, span }],
                deferred: Vec::new(),
            }
        }
        OperationKind::RunSql { sql, .. } => {
            let mut immediate = Vec::new();
            for text in sql {
                let parsed = crate::parse::sql::parse(span.file, &text.text, text.span.start);
                diagnostics.extend(parsed.diagnostics);
                immediate.extend(parsed.value.into_iter().map(|mut statement| {
                    // Django appends `;` to statements that lack one.
                    if !statement.sql.ends_with(';') {
                        statement.sql.push(';');
                    }
                    statement
                }));
            }
            OperationSql::Reproduced {
                immediate,
                deferred: Vec::new(),
            }
        }
        OperationKind::RunPython { .. } => OperationSql::NotSql,
        // The parser already reported these.
        OperationKind::Unmodelled | OperationKind::Unknown => OperationSql::NotReproduced,
    };
    (sql, diagnostics)
}

fn not_reproduced(
    operation: &Operation,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> OperationSql {
    diagnostics.push(Diagnostic {
        kind: DiagnosticKind::UnmodelledOperation {
            class: format!("{} with {what}", operation.class),
        },
        span: operation.span,
    });
    OperationSql::NotReproduced
}

/// Django's default `db_table`: `<app_label>_<model_name lowercased>`, truncated to 63.
pub fn table_name(app_label: &str, model_name: &str) -> String {
    names::truncate_name(
        &format!("{app_label}_{}", model_name.to_lowercase()),
        names::MAX_NAME_LENGTH,
    )
}

/// The database column of a field: `db_column`, or the name (`<name>_id` for relations).
fn column_name(name: &str, field: &Field) -> String {
    match &field.db_column {
        Some(column) => column.clone(),
        None if field.is_foreign_key() => format!("{name}_id"),
        None => name.to_owned(),
    }
}

/// `connection.data_types` of Django's PostgreSQL backend, plus the inline `CHECK` of
/// `data_type_check_constraints` and the `GENERATED … AS IDENTITY` suffix.
struct ColumnType {
    db_type: String,
    check: Option<&'static str>,
    suffix: Option<&'static str>,
}

fn column_type(field: &Field) -> Option<ColumnType> {
    let varchar = |default: Option<i64>| match field.max_length.or(default) {
        Some(n) => format!("varchar({n})"),
        None => "varchar".to_owned(),
    };
    let (db_type, check, suffix) = match field.class.as_str() {
        "AutoField" => (
            "integer".to_owned(),
            None,
            Some("GENERATED BY DEFAULT AS IDENTITY"),
        ),
        "BigAutoField" => (
            "bigint".to_owned(),
            None,
            Some("GENERATED BY DEFAULT AS IDENTITY"),
        ),
        "SmallAutoField" => (
            "smallint".to_owned(),
            None,
            Some("GENERATED BY DEFAULT AS IDENTITY"),
        ),
        "BinaryField" => ("bytea".to_owned(), None, None),
        "BooleanField" | "NullBooleanField" => ("boolean".to_owned(), None, None),
        "CharField" => (varchar(None), None, None),
        "EmailField" => (varchar(Some(254)), None, None),
        "URLField" => (varchar(Some(200)), None, None),
        "SlugField" => (varchar(Some(50)), None, None),
        "FileField" | "ImageField" | "FilePathField" => (varchar(Some(100)), None, None),
        "DateField" => ("date".to_owned(), None, None),
        "DateTimeField" => ("timestamp with time zone".to_owned(), None, None),
        "DurationField" => ("interval".to_owned(), None, None),
        "FloatField" => ("double precision".to_owned(), None, None),
        "IntegerField" => ("integer".to_owned(), None, None),
        "BigIntegerField" => ("bigint".to_owned(), None, None),
        "SmallIntegerField" => ("smallint".to_owned(), None, None),
        "PositiveIntegerField" => ("integer".to_owned(), Some(">= 0"), None),
        "PositiveBigIntegerField" => ("bigint".to_owned(), Some(">= 0"), None),
        "PositiveSmallIntegerField" => ("smallint".to_owned(), Some(">= 0"), None),
        "GenericIPAddressField" | "IPAddressField" => ("inet".to_owned(), None, None),
        "JSONField" => ("jsonb".to_owned(), None, None),
        "TextField" => ("text".to_owned(), None, None),
        "TimeField" => ("time".to_owned(), None, None),
        "UUIDField" => ("uuid".to_owned(), None, None),
        _ => return None,
    };
    Some(ColumnType {
        db_type,
        check,
        suffix,
    })
}

/// The column definition (`_iter_column_sql`), without check and suffix.
fn column_definition(field: &Field, column_type: &ColumnType) -> String {
    let mut parts = vec![column_type.db_type.clone()];
    parts.push(if field.null { "NULL" } else { "NOT NULL" }.to_owned());
    if field.primary_key {
        parts.push("PRIMARY KEY".to_owned());
    } else if field.unique {
        parts.push("UNIQUE".to_owned());
    }
    parts.join(" ")
}

fn create_model(
    table: &str,
    fields: &[(String, Field)],
    span: Span,
    diagnostics: &mut Vec<Diagnostic>,
) -> OperationSql {
    let mut columns = Vec::new();
    let mut deferred = Vec::new();
    for (name, field) in fields {
        let Some(column_type) = reproducible_type(field, diagnostics) else {
            return OperationSql::NotReproduced;
        };
        let column = column_name(name, field);
        let mut definition = format!(
            "{} {}",
            quote(&column),
            column_definition(field, &column_type)
        );
        if let Some(check) = column_type.check {
            let _ = write!(definition, " CHECK ({} {check})", quote(&column));
        }
        if let Some(suffix) = column_type.suffix {
            definition.push(' ');
            definition.push_str(suffix);
        }
        columns.push(definition);
        deferred.extend(field_indexes(table, &column, field, &column_type, span));
    }
    let sql = format!("CREATE TABLE {} ({});", quote(table), columns.join(", "));
    let create = Statement {
        sql,
        kind: StatementKind::CreateTable {
            table: table.to_owned(),
        },
        span,
    };
    OperationSql::Reproduced {
        immediate: vec![create],
        deferred,
    }
}

fn add_field(
    table: &str,
    name: &str,
    field: &Field,
    span: Span,
    diagnostics: &mut Vec<Diagnostic>,
) -> OperationSql {
    let Some(column_type) = reproducible_type(field, diagnostics) else {
        return OperationSql::NotReproduced;
    };
    if field.has_default {
        // The default's SQL literal needs the evaluated Python value (issue: Django SQL).
        diagnostics.push(Diagnostic {
            kind: DiagnosticKind::UnmodelledOperation {
                class: "AddField with `default=`".to_owned(),
            },
            span: field.span,
        });
        return OperationSql::NotReproduced;
    }
    let column = column_name(name, field);
    let mut definition = column_definition(field, &column_type);
    if let Some(suffix) = column_type.suffix {
        definition.push(' ');
        definition.push_str(suffix);
    }
    if let Some(check) = column_type.check {
        let _ = write!(definition, " CHECK ({} {check})", quote(&column));
    }
    let sql = format!(
        "ALTER TABLE {} ADD COLUMN {} {definition};",
        quote(table),
        quote(&column)
    );
    let add = Statement {
        sql,
        kind: StatementKind::AlterTable {
            table: table.to_owned(),
        },
        span,
    };
    OperationSql::Reproduced {
        immediate: vec![add],
        deferred: field_indexes(table, &column, field, &column_type, span),
    }
}

fn reproducible_type(field: &Field, diagnostics: &mut Vec<Diagnostic>) -> Option<ColumnType> {
    let column_type = if field.builtin {
        column_type(field)
    } else {
        None
    };
    if column_type.is_none() {
        diagnostics.push(Diagnostic {
            kind: DiagnosticKind::UnmodelledOperation {
                class: format!("a `{}` field", field.class),
            },
            span: field.span,
        });
    }
    column_type
}

/// `_field_indexes_sql` of the PostgreSQL schema editor: the plain index for `db_index`
/// (unless `unique`, which already indexes), then the `_like` index for text columns.
fn field_indexes(
    table: &str,
    column: &str,
    field: &Field,
    column_type: &ColumnType,
    span: Span,
) -> Vec<Statement> {
    let mut statements = Vec::new();
    let index = |name: String, opclass: &str| {
        let sql = format!(
            "CREATE INDEX {} ON {} ({}{opclass});",
            quote(&name),
            quote(table),
            quote(column)
        );
        Statement {
            sql,
            kind: StatementKind::CreateIndex {
                name: Some(name),
                table: table.to_owned(),
                unique: false,
                concurrently: false,
            },
            span,
        }
    };
    if field.db_index && !field.unique && !field.primary_key {
        statements.push(index(names::index_name(table, &[column], ""), ""));
    }
    if (field.db_index || field.unique) && !field.primary_key {
        let opclass = if column_type.db_type.starts_with("varchar") {
            Some(" varchar_pattern_ops")
        } else if column_type.db_type.starts_with("text") {
            Some(" text_pattern_ops")
        } else {
            None
        };
        if let Some(opclass) = opclass {
            statements.push(index(names::index_name(table, &[column], "_like"), opclass));
        }
    }
    statements
}

/// `Index.create_sql` for a plain field index (`AddIndex`, `AddIndexConcurrently`).
fn create_index(table: &str, index: &Index, concurrently: bool, span: Span) -> Option<Statement> {
    let name = index.name.clone()?;
    let using = match index.class.as_str() {
        "GinIndex" => " USING gin",
        "GistIndex" => " USING gist",
        "BrinIndex" => " USING brin",
        "HashIndex" => " USING hash",
        "SpGistIndex" => " USING spgist",
        "BloomIndex" => " USING bloom",
        _ => "",
    };
    let columns: Vec<String> = index
        .fields
        .iter()
        .map(|field| match field.strip_prefix('-') {
            Some(field) => format!("{} DESC", quote(field)),
            None => quote(field),
        })
        .collect();
    let sql = format!(
        "CREATE INDEX {}{} ON {}{using} ({});",
        if concurrently { "CONCURRENTLY " } else { "" },
        quote(&name),
        quote(table),
        columns.join(", ")
    );
    Some(Statement {
        sql,
        kind: StatementKind::CreateIndex {
            name: Some(name),
            table: table.to_owned(),
            unique: false,
            concurrently,
        },
        span,
    })
}

/// What `manage.py sqlmigrate APP NAME` prints for `migration`, given each operation's SQL.
pub fn sqlmigrate(migration: &Migration, operations: &[(&Operation, &OperationSql)]) -> String {
    let mut lines = Vec::new();
    if migration.atomic {
        lines.push("BEGIN;".to_owned());
    }
    let mut deferred_all = Vec::new();
    for (operation, sql) in operations {
        lines.push("--".to_owned());
        lines.push(format!("-- {}", describe(operation)));
        lines.push("--".to_owned());
        match sql {
            OperationSql::Reproduced {
                immediate,
                deferred,
            } => {
                // Deferred SQL runs at the end of the migration, so it does not count here.
                if immediate.is_empty() {
                    lines.push("-- (no-op)".to_owned());
                }
                lines.extend(immediate.iter().map(|s| s.sql.clone()));
                deferred_all.extend(deferred.iter().map(|s| s.sql.clone()));
            }
            OperationSql::NotSql => {
                lines.push("-- THIS OPERATION CANNOT BE WRITTEN AS SQL".to_owned());
            }
            OperationSql::NotReproduced => {
                lines.push("-- (Lockstep does not reproduce this operation's SQL yet)".to_owned());
            }
        }
    }
    lines.extend(deferred_all);
    if migration.atomic {
        lines.push("COMMIT;".to_owned());
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}
