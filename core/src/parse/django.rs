//! Django migration modules → [`Migration`] with typed [`Operation`]s.
//!
//! In: the text of `…/<app>/migrations/<name>.py`. Out: the `Migration` class's attributes and
//! operations, each with its span. Invariant: an operation that cannot be decoded is kept as
//! [`OperationKind::Unknown`] with a diagnostic; the following operations are still decoded.

use serde::Serialize;

use super::python::{self, Call, Class, Value, ValueKind};
use super::{Diagnostic, DiagnosticKind, Parsed};
use crate::span::{FileId, Span};

/// A Django migration as written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Migration {
    /// App label (from the path unless overridden).
    pub app_label: String,
    /// Migration name (the file stem).
    pub name: String,
    /// `dependencies`.
    pub dependencies: Vec<MigrationRef>,
    /// `replaces` (squashed migrations).
    pub replaces: Vec<MigrationRef>,
    /// `run_before`.
    pub run_before: Vec<MigrationRef>,
    /// `atomic` (default `True`): the whole migration runs in one transaction.
    pub atomic: bool,
    /// `initial`.
    pub initial: bool,
    /// The operations in order.
    pub operations: Vec<Operation>,
    /// The `class Migration` statement.
    pub span: Span,
}

/// `("app", "0001_initial")` in `dependencies` and friends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MigrationRef {
    /// App label.
    pub app_label: String,
    /// Migration name, or `__first__` / `__latest__`.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// One entry of `operations`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Operation {
    /// The operation's class name as Django names it (`AddIndex`), or the callee as written.
    pub class: String,
    /// What it does.
    pub kind: OperationKind,
    /// Names of the models the call names (`name=`, `model_name=`, `old_name=`, `new_name=`),
    /// lowercased: what an operation Lockstep does not model may have changed.
    pub models: Vec<String>,
    /// The whole call.
    pub span: Span,
}

/// The operations Lockstep understands, with their arguments.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OperationKind {
    /// `CreateModel(name, fields, options)`.
    CreateModel {
        /// Model name.
        name: String,
        /// `(name, field)` pairs.
        fields: Vec<(String, Field)>,
        /// `options={"db_table": …}` as far as known.
        db_table: Option<String>,
        /// Whether `options` holds nothing else that changes the SQL (indexes, constraints,
        /// `unique_together`, `managed`, comments, …).
        options_known: bool,
    },
    /// `AddField(model_name, name, field)`.
    AddField {
        /// Model name.
        model_name: String,
        /// Field name.
        name: String,
        /// The field.
        field: Field,
    },
    /// `AddIndex(model_name, index)` and postgres' `AddIndexConcurrently`.
    AddIndex {
        /// Model name.
        model_name: String,
        /// The index.
        index: Index,
        /// `AddIndexConcurrently`.
        concurrently: bool,
    },
    /// `RemoveIndex(model_name, name)` and `RemoveIndexConcurrently`.
    RemoveIndex {
        /// Model name.
        model_name: String,
        /// Index name.
        name: String,
        /// `RemoveIndexConcurrently`.
        concurrently: bool,
    },
    /// `RunSQL(sql, reverse_sql)`.
    RunSql {
        /// Forward SQL strings.
        sql: Vec<SqlText>,
        /// Reverse SQL strings, if given.
        reverse_sql: Option<Vec<SqlText>>,
    },
    /// `RunPython(code, reverse_code)`: not analysable, handed to Django by the runner.
    RunPython {
        /// Source text of `code`.
        code: String,
        /// Whether `reverse_code` is given.
        reversible: bool,
    },
    /// A Django operation Lockstep recognises but does not model yet.
    Unmodelled,
    /// Not a known Django operation (a custom class, a helper call).
    Unknown,
}

/// A SQL string from `RunSQL`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SqlText {
    /// The SQL.
    pub text: String,
    /// The `params` of a `(sql, params)` pair, interpolated into `%s` as Django does.
    #[serde(skip)]
    pub params: Option<Vec<Value>>,
    /// The string literal it was written as.
    pub span: Span,
}

/// A model field as written: its class and arguments.
#[allow(
    clippy::struct_excessive_bools,
    reason = "each bool is one of Django's own field options"
)]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Field {
    /// Class name (`CharField`), or the path as written for classes outside Django.
    pub class: String,
    /// Whether the class is one of Django's own (or `django.contrib.postgres`).
    pub builtin: bool,
    /// `null=`.
    pub null: bool,
    /// `db_index=` (`ForeignKey` defaults to `True`).
    pub db_index: bool,
    /// `unique=` (`OneToOneField` is always unique).
    pub unique: bool,
    /// `primary_key=`.
    pub primary_key: bool,
    /// `max_length=`.
    pub max_length: Option<i64>,
    /// `db_column=`.
    pub db_column: Option<String>,
    /// Whether `default=` is given.
    pub has_default: bool,
    /// `blank=` (with `null=False` on a text column, Django adds with an empty-string default).
    pub blank: bool,
    /// Whether an argument that changes the SQL and that Lockstep does not model yet is given
    /// (`db_comment`, `db_default`, `db_collation`, `db_tablespace`, `max_digits`, …).
    pub unmodelled_options: bool,
    /// Where the field is written.
    pub span: Span,
}

impl Field {
    /// Whether the field is a relation stored in a `<name>_id` column.
    pub fn is_foreign_key(&self) -> bool {
        matches!(self.class.as_str(), "ForeignKey" | "OneToOneField")
    }
}

/// An index from `AddIndex` / `Meta.indexes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Index {
    /// `Index`, `GinIndex`, …
    pub class: String,
    /// `name=` (required by Django for `AddIndex`).
    pub name: Option<String>,
    /// `fields=`, each possibly prefixed with `-` for descending.
    pub fields: Vec<String>,
    /// Whether the index has only `fields` and `name` (no expressions, condition, include,
    /// opclasses or storage parameters, which Lockstep does not model yet).
    pub plain: bool,
    /// Where the index is written.
    pub span: Span,
}

/// Parses a Django migration module.
pub fn parse(file: FileId, app_label: &str, name: &str, text: &str) -> Parsed<Option<Migration>> {
    let mut diagnostics = Vec::new();
    let module = match python::parse_module(file, text) {
        Ok(module) => module,
        Err(error) => {
            diagnostics.push(Diagnostic {
                kind: DiagnosticKind::PythonSyntax(error.message),
                span: error.span,
            });
            return Parsed {
                value: None,
                diagnostics,
            };
        }
    };
    let Some(class) = module.classes.iter().find(|c| is_migration_class(c)) else {
        diagnostics.push(Diagnostic {
            kind: DiagnosticKind::NoMigrationClass,
            span: Span::file_start(file),
        });
        return Parsed {
            value: None,
            diagnostics,
        };
    };
    let mut decoder = Decoder { text, diagnostics };
    let migration = Migration {
        app_label: app_label.to_owned(),
        name: name.to_owned(),
        dependencies: decoder.refs(class, "dependencies"),
        replaces: decoder.refs(class, "replaces"),
        run_before: decoder.refs(class, "run_before"),
        atomic: decoder.flag(class, "atomic", true),
        initial: decoder.flag(class, "initial", false),
        operations: decoder.operations(class),
        span: class.span,
    };
    Parsed {
        value: Some(migration),
        diagnostics: decoder.diagnostics,
    }
}

fn is_migration_class(class: &Class) -> bool {
    class.name == "Migration"
        || class.bases.iter().any(|base| {
            matches!(&base.kind, ValueKind::Ref(path) if path.ends_with("migrations.Migration"))
        })
}

/// Module paths whose classes are Django's own migration operations.
const OPERATION_MODULES: &[&str] = &[
    "django.db.migrations",
    "django.db.migrations.operations",
    "django.contrib.postgres.operations",
];

/// Module paths whose classes are Django's own fields, indexes and constraints.
const MODEL_MODULES: &[&str] = &[
    "django.db.models",
    "django.db.models.fields",
    "django.db.models.fields.related",
    "django.db.models.fields.json",
    "django.contrib.postgres.fields",
    "django.contrib.postgres.indexes",
    "django.contrib.postgres.constraints",
];

/// The class name when `path` is `<one of modules>.<Class>`.
fn class_in<'p>(path: &'p str, modules: &[&str]) -> Option<&'p str> {
    let (module, class) = path.rsplit_once('.')?;
    modules
        .iter()
        .any(|m| module == *m || module.starts_with(&format!("{m}.")))
        .then_some(class)
}

struct Decoder<'t> {
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
}

impl Decoder<'_> {
    fn unevaluable(&mut self, field: &str, value: &Value, assumed: &str) {
        self.diagnostics.push(Diagnostic {
            kind: DiagnosticKind::Unevaluable {
                field: field.to_owned(),
                expr: value.text(self.text).to_owned(),
                assumed: assumed.to_owned(),
            },
            span: value.span,
        });
    }

    fn flag(&mut self, class: &Class, name: &str, default: bool) -> bool {
        let Some(value) = class.attribute(name) else {
            return default;
        };
        value.as_bool().unwrap_or_else(|| {
            self.unevaluable(name, value, if default { "True" } else { "False" });
            default
        })
    }

    fn refs(&mut self, class: &Class, name: &str) -> Vec<MigrationRef> {
        let Some(value) = class.attribute(name) else {
            return Vec::new();
        };
        let Some(items) = value.as_sequence() else {
            self.unevaluable(name, value, "none");
            return Vec::new();
        };
        let mut refs = Vec::new();
        for item in items {
            match migration_ref(item) {
                Some(r) => refs.push(r),
                None => self.unevaluable(name, item, "no such entry"),
            }
        }
        refs
    }

    fn operations(&mut self, class: &Class) -> Vec<Operation> {
        let Some(value) = class.attribute("operations") else {
            return Vec::new();
        };
        let Some(items) = value.as_sequence() else {
            self.unevaluable("operations", value, "no operations");
            return Vec::new();
        };
        items.iter().map(|item| self.operation(item)).collect()
    }

    fn operation(&mut self, value: &Value) -> Operation {
        let Some(call) = value.as_call() else {
            self.diagnostics.push(Diagnostic {
                kind: DiagnosticKind::UnknownOperation {
                    class: value.text(self.text).to_owned(),
                },
                span: value.span,
            });
            return Operation {
                class: value.text(self.text).to_owned(),
                kind: OperationKind::Unknown,
                models: Vec::new(),
                span: value.span,
            };
        };
        let Some(class) = class_in(&call.callee, OPERATION_MODULES) else {
            self.diagnostics.push(Diagnostic {
                kind: DiagnosticKind::UnknownOperation {
                    class: call.callee.clone(),
                },
                span: value.span,
            });
            return Operation {
                class: call.callee.clone(),
                kind: OperationKind::Unknown,
                models: named_models(call),
                span: value.span,
            };
        };
        let kind = self
            .operation_kind(class, call, value.span)
            .unwrap_or(OperationKind::Unknown);
        if matches!(kind, OperationKind::Unmodelled) {
            self.diagnostics.push(Diagnostic {
                kind: DiagnosticKind::UnmodelledOperation {
                    class: class.to_owned(),
                },
                span: value.span,
            });
        }
        Operation {
            class: class.to_owned(),
            kind,
            models: named_models(call),
            span: value.span,
        }
    }

    /// `None` when a required argument cannot be evaluated (a diagnostic says which).
    fn operation_kind(&mut self, class: &str, call: &Call, span: Span) -> Option<OperationKind> {
        Some(match class {
            "CreateModel" => {
                let name = self.string_arg(call, 0, "name", span)?;
                let mut fields = Vec::new();
                if let Some(list) = call.arg(1, "fields").and_then(Value::as_sequence) {
                    for pair in list {
                        let Some([field_name, field]) = pair.as_sequence() else {
                            continue;
                        };
                        let (Some(field_name), Some(field)) =
                            (field_name.as_str(), self.field(field))
                        else {
                            continue;
                        };
                        fields.push((field_name.to_owned(), field));
                    }
                }
                let (db_table, options_known) = match call.arg(2, "options").map(|o| &o.kind) {
                    None => (None, true),
                    Some(ValueKind::Dict(items)) => {
                        let known = items.iter().all(|(k, _)| {
                            k.as_str().is_some_and(|k| SQL_NEUTRAL_OPTIONS.contains(&k))
                        });
                        let db_table = items
                            .iter()
                            .find(|(k, _)| k.as_str() == Some("db_table"))
                            .and_then(|(_, v)| v.as_str().map(str::to_owned));
                        (db_table, known)
                    }
                    Some(_) => (None, false),
                };
                OperationKind::CreateModel {
                    name,
                    fields,
                    db_table,
                    options_known,
                }
            }
            "AddField" => OperationKind::AddField {
                model_name: self.string_arg(call, 0, "model_name", span)?,
                name: self.string_arg(call, 1, "name", span)?,
                field: {
                    let value = self.required(call, 2, "field", span)?;
                    self.field(value)?
                },
            },
            "AddIndex" | "AddIndexConcurrently" => OperationKind::AddIndex {
                model_name: self.string_arg(call, 0, "model_name", span)?,
                index: {
                    let value = self.required(call, 1, "index", span)?;
                    self.index(value)?
                },
                concurrently: class == "AddIndexConcurrently",
            },
            "RemoveIndex" | "RemoveIndexConcurrently" => OperationKind::RemoveIndex {
                model_name: self.string_arg(call, 0, "model_name", span)?,
                name: self.string_arg(call, 1, "name", span)?,
                concurrently: class == "RemoveIndexConcurrently",
            },
            "RunSQL" => {
                let sql = self.required(call, 0, "sql", span)?;
                let sql = self.sql_texts("sql", sql)?;
                let reverse_sql = match call.arg(1, "reverse_sql") {
                    Some(value) if is_noop(value) => None,
                    Some(value) => self.sql_texts("reverse_sql", value),
                    None => None,
                };
                OperationKind::RunSql { sql, reverse_sql }
            }
            "RunPython" => OperationKind::RunPython {
                code: call
                    .arg(0, "code")
                    .map_or(String::new(), |v| v.text(self.text).to_owned()),
                reversible: call.arg(1, "reverse_code").is_some(),
            },
            _ => OperationKind::Unmodelled,
        })
    }

    fn required<'c>(
        &mut self,
        call: &'c Call,
        position: usize,
        name: &str,
        span: Span,
    ) -> Option<&'c Value> {
        let value = call.arg(position, name);
        if value.is_none() {
            self.diagnostics.push(Diagnostic {
                kind: DiagnosticKind::Unevaluable {
                    field: name.to_owned(),
                    expr: String::new(),
                    assumed: "the operation is unknown (argument missing)".to_owned(),
                },
                span,
            });
        }
        value
    }

    fn string_arg(
        &mut self,
        call: &Call,
        position: usize,
        name: &str,
        span: Span,
    ) -> Option<String> {
        let value = self.required(call, position, name, span)?;
        let string = value.as_str().map(str::to_owned);
        if string.is_none() {
            self.unevaluable(name, value, "the operation is unknown");
        }
        string
    }

    fn field(&mut self, value: &Value) -> Option<Field> {
        let Some(call) = value.as_call() else {
            self.unevaluable("field", value, "the operation is unknown");
            return None;
        };
        let (class, builtin) = if let Some(class) = class_in(&call.callee, MODEL_MODULES) {
            (class.to_owned(), true)
        } else {
            self.unevaluable("field", value, "a custom field: its column type is unknown");
            (call.callee.clone(), false)
        };
        let mut flag = |name: &str, default: bool| match call.kwarg(name) {
            None => default,
            Some(v) => v.as_bool().unwrap_or_else(|| {
                self.unevaluable(name, v, if default { "True" } else { "False" });
                default
            }),
        };
        let is_fk = matches!(class.as_str(), "ForeignKey" | "OneToOneField");
        Some(Field {
            null: flag("null", false),
            db_index: flag("db_index", is_fk),
            unique: class == "OneToOneField" || flag("unique", false),
            primary_key: flag("primary_key", false),
            max_length: call.kwarg("max_length").and_then(Value::as_int),
            db_column: call
                .kwarg("db_column")
                .and_then(Value::as_str)
                .map(str::to_owned),
            has_default: call.kwarg("default").is_some(),
            blank: call
                .kwarg("blank")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            unmodelled_options: call
                .kwargs
                .iter()
                .any(|(k, _)| !SQL_NEUTRAL_FIELD_ARGS.contains(&k.as_str()))
                || call.args.len() > 1,
            class,
            builtin,
            span: value.span,
        })
    }

    fn index(&mut self, value: &Value) -> Option<Index> {
        let Some(call) = value.as_call() else {
            self.unevaluable("index", value, "the operation is unknown");
            return None;
        };
        let class = class_in(&call.callee, MODEL_MODULES)
            .unwrap_or(&call.callee)
            .to_owned();
        let mut fields = Vec::new();
        if let Some(list) = call.kwarg("fields") {
            match list.as_sequence() {
                Some(items) => {
                    fields.extend(items.iter().filter_map(|f| f.as_str().map(str::to_owned)));
                }
                None => self.unevaluable("fields", list, "no fields"),
            }
        }
        Some(Index {
            class,
            name: call
                .kwarg("name")
                .and_then(Value::as_str)
                .map(str::to_owned),
            fields,
            plain: call.args.is_empty()
                && call
                    .kwargs
                    .iter()
                    .all(|(k, _)| k == "fields" || k == "name"),
            span: value.span,
        })
    }

    fn sql_texts(&mut self, field: &str, value: &Value) -> Option<Vec<SqlText>> {
        if let Some(s) = value.as_str() {
            return Some(vec![SqlText {
                text: s.to_owned(),
                params: None,
                span: value.span,
            }]);
        }
        let Some(items) = value.as_sequence() else {
            self.unevaluable(field, value, "no SQL");
            return None;
        };
        let mut texts = Vec::new();
        for item in items {
            // A `(sql, params)` pair: the statement is the first element.
            let (sql, params) = match item.as_sequence() {
                Some([sql, params]) => (
                    sql,
                    Some(
                        params
                            .as_sequence()
                            .map(<[Value]>::to_vec)
                            .unwrap_or_default(),
                    ),
                ),
                _ => (item, None),
            };
            match sql.as_str() {
                Some(s) => texts.push(SqlText {
                    text: s.to_owned(),
                    params,
                    span: sql.span,
                }),
                None => self.unevaluable(field, item, "this statement is skipped"),
            }
        }
        Some(texts)
    }
}

/// The lowercased model names a call names, whatever the operation.
fn named_models(call: &Call) -> Vec<String> {
    let mut names: Vec<String> = ["name", "model_name", "old_name", "new_name"]
        .iter()
        .filter_map(|k| call.kwarg(k).and_then(Value::as_str))
        .chain(call.args.iter().take(2).filter_map(Value::as_str))
        .map(str::to_lowercase)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `CreateModel` options that do not change the SQL.
const SQL_NEUTRAL_OPTIONS: &[&str] = &[
    "db_table",
    "verbose_name",
    "verbose_name_plural",
    "ordering",
    "get_latest_by",
    "default_permissions",
    "permissions",
    "default_related_name",
    "base_manager_name",
    "default_manager_name",
    "swappable",
    "abstract",
];

/// Field arguments that do not change the SQL, or that [`Field`] models.
const SQL_NEUTRAL_FIELD_ARGS: &[&str] = &[
    "null",
    "blank",
    "db_index",
    "unique",
    "primary_key",
    "max_length",
    "db_column",
    "default",
    "verbose_name",
    "help_text",
    "choices",
    "editable",
    "serialize",
    "auto_created",
    "validators",
    "error_messages",
    "auto_now",
    "auto_now_add",
    "unique_for_date",
    "unique_for_month",
    "unique_for_year",
    "upload_to",
    "storage",
    "path",
    "match",
    "recursive",
    "allow_files",
    "allow_folders",
    "protocol",
    "unpack_ipv4",
    "allow_unicode",
];

fn is_noop(value: &Value) -> bool {
    matches!(&value.kind, ValueKind::Ref(path) if path.ends_with("RunSQL.noop"))
}

fn migration_ref(value: &Value) -> Option<MigrationRef> {
    match &value.kind {
        ValueKind::Tuple(items) | ValueKind::List(items) => match items.as_slice() {
            [app, name] => Some(MigrationRef {
                app_label: app_label_of(app)?,
                name: name.as_str()?.to_owned(),
                span: value.span,
            }),
            _ => None,
        },
        // `migrations.swappable_dependency(settings.AUTH_USER_MODEL)`
        ValueKind::Call(call) if call.class_name() == "swappable_dependency" => {
            Some(MigrationRef {
                app_label: app_label_of(call.args.first()?)?,
                name: "__first__".to_owned(),
                span: value.span,
            })
        }
        _ => None,
    }
}

/// An app label, including `settings.AUTH_USER_MODEL` (Django's default `auth.User`).
fn app_label_of(value: &Value) -> Option<String> {
    match &value.kind {
        ValueKind::Str(s) => Some(s.split('.').next().unwrap_or(s).to_owned()),
        ValueKind::Ref(path) if path.ends_with("settings.AUTH_USER_MODEL") => {
            Some("auth".to_owned())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIGRATION: &str = r#"
from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("shop", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="note",
            field=models.CharField(max_length=200, null=True, db_index=True),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["-created"], name="shop_order_created_idx"),
        ),
        migrations.RunSQL(["SELECT 1", ("SELECT %s", [2])], migrations.RunSQL.noop),
        migrations.AlterModelTable(name="order", table="orders"),
        my_helper(),
    ]
"#;

    #[test]
    fn decodes_attributes_and_operations() {
        let parsed = parse(FileId(0), "shop", "0002_x", MIGRATION);
        let migration = parsed.value.unwrap();
        assert!(!migration.atomic);
        assert_eq!(migration.dependencies.len(), 2);
        assert_eq!(migration.dependencies[1].app_label, "auth");
        let classes: Vec<_> = migration
            .operations
            .iter()
            .map(|o| o.class.as_str())
            .collect();
        assert_eq!(
            classes,
            [
                "AddField",
                "AddIndex",
                "RunSQL",
                "AlterModelTable",
                "my_helper"
            ]
        );
        let OperationKind::AddField { field, .. } = &migration.operations[0].kind else {
            panic!()
        };
        assert!(field.null && field.db_index && !field.unique);
        assert_eq!(field.max_length, Some(200));
        let OperationKind::AddIndex {
            index,
            concurrently,
            ..
        } = &migration.operations[1].kind
        else {
            panic!()
        };
        assert_eq!(index.fields, ["-created"]);
        assert!(!concurrently);
        let OperationKind::RunSql { sql, reverse_sql } = &migration.operations[2].kind else {
            panic!()
        };
        assert_eq!(sql.len(), 2);
        assert_eq!(sql[1].text, "SELECT %s");
        assert!(reverse_sql.is_none());
        // One diagnostic for the unmodelled operation, one for the unknown call.
        let kinds: Vec<_> = parsed
            .diagnostics
            .iter()
            .map(|d| d.kind.to_string())
            .collect();
        assert_eq!(kinds.len(), 2, "{kinds:?}");
        assert!(kinds[0].contains("AlterModelTable"));
        assert!(kinds[1].contains("my_helper"));
    }

    #[test]
    fn no_migration_class_is_a_diagnostic() {
        let parsed = parse(FileId(0), "a", "b", "");
        assert!(parsed.value.is_none());
        assert_eq!(parsed.diagnostics[0].kind, DiagnosticKind::NoMigrationClass);
    }
}
