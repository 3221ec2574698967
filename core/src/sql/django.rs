//! Django operations → the statements Django's PostgreSQL schema editor runs.
//!
//! In: one [`Operation`] of a migration. Out: its statements in Django's order, split into
//! those run at once and those Django defers to the end of the migration (field indexes,
//! foreign keys), exactly as `manage.py sqlmigrate` prints them. Invariant: an operation whose
//! SQL is not reproduced exactly is [`OperationSql::NotReproduced`], never approximated.

use std::fmt::Write as _;

use crate::parse::django::{Field, Index, Migration, Operation, OperationKind, SqlText};
use crate::parse::python::{Value, ValueKind};
use crate::parse::{Diagnostic, DiagnosticKind};
use crate::span::Span;
use crate::sql::names::{self, quote};
use crate::sql::{Statement, StatementKind};
use crate::state::{Lookup, ModelState, ProjectState};

/// What Lockstep knows of an operation's SQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperationSql {
    /// The exact statements.
    Reproduced {
        /// Run when the operation runs.
        immediate: Vec<Statement>,
        /// What `sqlmigrate` prints for `immediate`, when it is not one line per statement
        /// (`RunSQL` strings are executed, and printed, as written).
        printed: Option<Vec<String>>,
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

/// The SQL of `operation` in `migration` given the project `state` before it, plus
/// diagnostics for what is not reproduced or assumed.
pub fn operation_sql(
    migration: &Migration,
    operation: &Operation,
    state: &ProjectState,
) -> (OperationSql, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let app = migration.app_label.as_str();
    let span = operation.span;
    let sql = match &operation.kind {
        OperationKind::CreateModel {
            name,
            fields,
            db_table,
            options_known,
        } => {
            if *options_known {
                let table = db_table.clone().unwrap_or_else(|| table_name(app, name));
                create_model(&table, fields, span, &mut diagnostics)
            } else {
                not_reproduced(
                    operation,
                    "options that change the SQL (indexes, constraints, …)",
                    &mut diagnostics,
                )
            }
        }
        OperationKind::AddField {
            model_name,
            name,
            field,
        } => match table_of(state, app, model_name, operation, &mut diagnostics) {
            Some((table, _)) => add_field(&table, name, field, span, &mut diagnostics),
            None => OperationSql::NotReproduced,
        },
        OperationKind::AddIndex { index, .. } if !index.plain => not_reproduced(
            operation,
            "index options (expressions, condition, include, opclasses, storage parameters)",
            &mut diagnostics,
        ),
        OperationKind::AddIndex {
            model_name,
            index,
            concurrently,
        } => add_index(
            app,
            model_name,
            index,
            *concurrently,
            operation,
            state,
            &mut diagnostics,
        ),
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
                printed: None,
            }
        }
        OperationKind::RunSql { sql, .. } => run_sql(sql, operation, &mut diagnostics),
        OperationKind::RunPython { .. } => OperationSql::NotSql,
        // The parser already reported these.
        OperationKind::Unmodelled | OperationKind::Unknown => OperationSql::NotReproduced,
    };
    (sql, diagnostics)
}

/// `AddIndex` / `AddIndexConcurrently` of a plain index, with its columns from the state.
fn add_index(
    app: &str,
    model_name: &str,
    index: &Index,
    concurrently: bool,
    operation: &Operation,
    state: &ProjectState,
    diagnostics: &mut Vec<Diagnostic>,
) -> OperationSql {
    let Some((table, model)) = table_of(state, app, model_name, operation, diagnostics) else {
        return OperationSql::NotReproduced;
    };
    let mut columns = Vec::with_capacity(index.fields.len());
    for field in &index.fields {
        let (descending, name) = field
            .strip_prefix('-')
            .map_or((false, field.as_str()), |f| (true, f));
        let column = match model.map(|model| model.field(name)) {
            Some(Some(field)) => column_name(name, field),
            Some(None) => {
                return not_reproduced(
                    operation,
                    &format!("an unknown field `{name}`"),
                    diagnostics,
                );
            }
            None => name.to_owned(),
        };
        columns.push((column, descending));
    }
    match create_index(&table, index, &columns, concurrently, operation.span) {
        Some(statement) => OperationSql::Reproduced {
            immediate: vec![statement],
            deferred: Vec::new(),
            printed: None,
        },
        None => not_reproduced(operation, "an index without a name", diagnostics),
    }
}

/// `RunSQL`: PostgreSQL's `prepare_sql_script` runs each string as written, in one
/// `execute`, and `sqlmigrate` prints it so, with `;` appended when it lacks one.
fn run_sql(
    sql: &[SqlText],
    operation: &Operation,
    diagnostics: &mut Vec<Diagnostic>,
) -> OperationSql {
    let mut immediate = Vec::new();
    let mut printed = Vec::new();
    for text in sql {
        let Some(interpolated) = interpolate(text) else {
            return not_reproduced(operation, "`params` Lockstep cannot quote yet", diagnostics);
        };
        let ending = if interpolated.trim_end().ends_with(';') {
            ""
        } else {
            ";"
        };
        printed.push(format!("{interpolated}{ending}"));
        let parsed = crate::parse::sql::parse(operation.span.file, &text.text, text.span.start);
        diagnostics.extend(parsed.diagnostics);
        immediate.extend(parsed.value);
    }
    OperationSql::Reproduced {
        immediate,
        deferred: Vec::new(),
        printed: Some(printed),
    }
}

/// `sql % tuple(map(quote_value, params))` for the literals psycopg quotes plainly; `None`
/// for anything else.
fn interpolate(text: &SqlText) -> Option<String> {
    let Some(params) = &text.params else {
        return Some(text.text.clone());
    };
    let mut params = params.iter();
    let mut out = String::with_capacity(text.text.len());
    let mut chars = text.text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s') => out.push_str(&quote_value(params.next()?)?),
            _ => return None,
        }
    }
    // Python raises when params are left over.
    params.next().is_none().then_some(out)
}

/// psycopg's quoting of a Python literal, for the literals whose quoting is plain.
fn quote_value(value: &Value) -> Option<String> {
    match &value.kind {
        ValueKind::Str(s) if !s.contains('\\') && !s.contains('\0') => {
            Some(format!("'{}'", s.replace('\'', "''")))
        }
        ValueKind::Int(i) => Some(i.to_string()),
        ValueKind::Bool(b) => Some(if *b { "true" } else { "false" }.to_owned()),
        ValueKind::None => Some("NULL".to_owned()),
        _ => None,
    }
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

/// The table of `model_name`: from the state, or Django's default with a diagnostic saying so
/// when the model is not in the supplied files; `None` when the state is stale.
fn table_of<'s>(
    state: &'s ProjectState,
    app: &str,
    model_name: &str,
    operation: &Operation,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(String, Option<&'s ModelState>)> {
    match state.model(app, model_name) {
        Lookup::Known(model) => Some((model.db_table.clone(), Some(model))),
        Lookup::Missing => {
            let table = table_name(app, model_name);
            diagnostics.push(Diagnostic {
                kind: DiagnosticKind::AssumedModel {
                    model: format!("{app}.{model_name}"),
                    table: table.clone(),
                },
                span: operation.span,
            });
            Some((table, None))
        }
        Lookup::Stale => {
            not_reproduced(
                operation,
                &format!(
                    "model `{model_name}` changed by an operation Lockstep does not model yet"
                ),
                diagnostics,
            );
            None
        }
    }
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
        printed: None,
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
    if field.blank && !field.null && column_type.db_type != "bytea" {
        // Django adds such a column with an empty-string default, then drops it.
        diagnostics.push(Diagnostic {
            kind: DiagnosticKind::UnmodelledOperation {
                class: "AddField with `blank=True` and `null=False`".to_owned(),
            },
            span: field.span,
        });
        return OperationSql::NotReproduced;
    }
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
    // `add_field` appends the suffix before the check; `create_model` (`table_sql`) the
    // other way round. Both orders are Django's own.
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
        printed: None,
    }
}

fn reproducible_type(field: &Field, diagnostics: &mut Vec<Diagnostic>) -> Option<ColumnType> {
    let column_type = if field.builtin && !field.unmodelled_options {
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
    // Django's `Field.unique` is true for primary keys too, so they get the `_like` index.
    if field.db_index || field.unique || field.primary_key {
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

/// `Index.create_sql` for a plain field index (`AddIndex`, `AddIndexConcurrently`) over
/// `(column, descending)` pairs.
fn create_index(
    table: &str,
    index: &Index,
    columns: &[(String, bool)],
    concurrently: bool,
    span: Span,
) -> Option<Statement> {
    let name = index.name.clone()?;
    let using = match index.class.as_str() {
        "GinIndex" => " USING gin",
        "GistIndex" => " USING gist",
        "BrinIndex" => " USING brin",
        "HashIndex" => " USING hash",
        "SpGistIndex" => " USING spgist",
        "BloomIndex" => " USING bloom",
        "BTreeIndex" => " USING btree",
        _ => "",
    };
    let columns: Vec<String> = columns
        .iter()
        .map(|(column, descending)| {
            if *descending {
                format!("{} DESC", quote(column))
            } else {
                quote(column)
            }
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
    // Django prints nothing at all, not even BEGIN/COMMIT, for a migration without operations.
    if operations.is_empty() {
        return String::new();
    }
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
                printed,
            } => {
                match printed {
                    Some(printed) => lines.extend(printed.iter().cloned()),
                    None => lines.extend(immediate.iter().map(|s| s.sql.clone())),
                }
                // Deferred SQL runs at the end of the migration, so it does not count here.
                if immediate.is_empty() && printed.as_ref().is_none_or(Vec::is_empty) {
                    lines.push("-- (no-op)".to_owned());
                }
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
