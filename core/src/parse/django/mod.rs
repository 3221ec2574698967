//! Django migration modules → [`Migration`] with typed [`Operation`]s.
//!
//! In: the text of `…/<app>/migrations/<name>.py`. Out: the `Migration` class's attributes and
//! operations, each with its span. Invariant: an operation that cannot be decoded is kept as
//! [`OperationKind::Unknown`] with a diagnostic; the following operations are still decoded.

mod objects;

use objects::class_in;
pub use objects::{Constraint, Field, Index, ModelOptions, ModelRef, Project, Relation};

use super::python::{self, Call, Class, Value, ValueKind};
use super::{Diagnostic, DiagnosticKind, Parsed};
use crate::span::{FileId, Span};

/// A Django migration as written.
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationRef {
    /// App label.
    pub app_label: String,
    /// Migration name, or `__first__` / `__latest__`.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// One entry of `operations`.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// The operation's class name as Django names it (`AddIndex`), or the callee as written.
    pub class: String,
    /// What it does.
    pub kind: OperationKind,
    /// The whole call.
    pub span: Span,
}

/// The operations Lockstep understands, with their arguments, as Django's classes take them.
#[derive(Clone, Debug, PartialEq)]
pub enum OperationKind {
    /// `CreateModel(name, fields, options, bases)`.
    CreateModel {
        /// Model name.
        name: String,
        /// `(name, field)` pairs.
        fields: Vec<(String, Field)>,
        /// `options`.
        options: ModelOptions,
    },
    /// `DeleteModel(name)`.
    DeleteModel {
        /// Model name.
        name: String,
    },
    /// `RenameModel(old_name, new_name)`.
    RenameModel {
        /// Model name before.
        old_name: String,
        /// Model name after.
        new_name: String,
    },
    /// `AlterModelTable(name, table)`.
    AlterModelTable {
        /// Model name.
        name: String,
        /// The new table; `None` for Django's default.
        table: Option<String>,
    },
    /// `AlterModelTableComment(name, table_comment)`.
    AlterModelTableComment {
        /// Model name.
        name: String,
        /// The comment; `None` removes it.
        comment: Option<String>,
    },
    /// `AlterModelOptions` and `AlterModelManagers`: no SQL, state only.
    AlterModelOptions {
        /// Model name.
        name: String,
    },
    /// `AlterUniqueTogether` / `AlterIndexTogether(name, …_together)`.
    AlterTogether {
        /// Model name.
        name: String,
        /// The new set, each entry a list of field names.
        together: Vec<Vec<String>>,
        /// `AlterUniqueTogether` (else `AlterIndexTogether`).
        unique: bool,
    },
    /// `AlterOrderWithRespectTo(name, order_with_respect_to)`.
    AlterOrderWithRespectTo {
        /// Model name.
        name: String,
        /// The field, or `None` to stop ordering (drops `_order`).
        order_with_respect_to: Option<String>,
    },
    /// `AddField(model_name, name, field, preserve_default)`.
    AddField {
        /// Model name.
        model_name: String,
        /// Field name.
        name: String,
        /// The field.
        field: Field,
        /// `preserve_default=` (default `True`).
        preserve_default: bool,
    },
    /// `RemoveField(model_name, name)`.
    RemoveField {
        /// Model name.
        model_name: String,
        /// Field name.
        name: String,
    },
    /// `AlterField(model_name, name, field, preserve_default)`.
    AlterField {
        /// Model name.
        model_name: String,
        /// Field name.
        name: String,
        /// The field as it becomes.
        field: Field,
        /// `preserve_default=` (default `True`).
        preserve_default: bool,
    },
    /// `RenameField(model_name, old_name, new_name)`.
    RenameField {
        /// Model name.
        model_name: String,
        /// Field name before.
        old_name: String,
        /// Field name after.
        new_name: String,
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
    /// `RenameIndex(model_name, new_name, old_name=None, old_fields=None)`.
    RenameIndex {
        /// Model name.
        model_name: String,
        /// The new name.
        new_name: String,
        /// The index's name, when it had one.
        old_name: Option<String>,
        /// The fields of an unnamed `index_together` index.
        old_fields: Vec<String>,
        /// Whether `old_fields` is written as a tuple (its `repr` in `describe()` differs).
        old_fields_tuple: bool,
    },
    /// `AddConstraint(model_name, constraint)` and postgres' `AddConstraintNotValid`.
    AddConstraint {
        /// Model name.
        model_name: String,
        /// The constraint.
        constraint: Constraint,
        /// `AddConstraintNotValid`.
        not_valid: bool,
    },
    /// `RemoveConstraint(model_name, name)`.
    RemoveConstraint {
        /// Model name.
        model_name: String,
        /// Constraint name.
        name: String,
    },
    /// `AlterConstraint(model_name, name, constraint)`: options that need no SQL.
    AlterConstraint {
        /// Model name.
        model_name: String,
        /// Constraint name.
        name: String,
        /// The constraint as it becomes.
        constraint: Constraint,
    },
    /// postgres' `ValidateConstraint(model_name, name)`.
    ValidateConstraint {
        /// Model name.
        model_name: String,
        /// Constraint name.
        name: String,
    },
    /// postgres' `CreateExtension(name)` and its named subclasses (`HStoreExtension`, …).
    CreateExtension {
        /// The extension.
        name: String,
    },
    /// postgres' `CreateCollation` / `RemoveCollation`.
    Collation {
        /// Collation name.
        name: String,
        /// `locale=`.
        locale: String,
        /// `provider=` (default `libc`).
        provider: String,
        /// `deterministic=` (default `True`).
        deterministic: bool,
        /// `CreateCollation` (else `RemoveCollation`).
        create: bool,
    },
    /// `SeparateDatabaseAndState(database_operations, state_operations)`.
    SeparateDatabaseAndState {
        /// Run against the database, not the state.
        database_operations: Vec<Operation>,
        /// Applied to the state, not the database.
        state_operations: Vec<Operation>,
    },
    /// `RunSQL(sql, reverse_sql)`.
    RunSql {
        /// Forward SQL strings.
        sql: Vec<SqlText>,
        /// Reverse SQL strings; empty for `RunSQL.noop`, `None` when not given (irreversible).
        reverse_sql: Option<Vec<SqlText>>,
    },
    /// `RunPython(code, reverse_code)`: not analysable, handed to Django by the runner.
    RunPython {
        /// Source text of `code`.
        code: String,
        /// Whether `reverse_code` is given.
        reversible: bool,
    },
    /// Not a known Django operation (a custom class, a helper call), or one whose required
    /// arguments cannot be evaluated.
    Unknown,
}

/// A SQL string from `RunSQL`.
#[derive(Clone, Debug, PartialEq)]
pub struct SqlText {
    /// The SQL.
    pub text: String,
    /// The `params` of a `(sql, params)` pair, interpolated into `%s` as Django does.
    pub params: Option<Vec<Value>>,
    /// The string literal it was written as.
    pub span: Span,
}

/// Parses a Django migration module, with Django's default settings.
pub fn parse(file: FileId, app_label: &str, name: &str, text: &str) -> Parsed<Option<Migration>> {
    parse_in(file, app_label, name, text, &Project::default())
}

/// Parses a Django migration module of `project`.
pub fn parse_in(
    file: FileId,
    app_label: &str,
    name: &str,
    text: &str,
    project: &Project,
) -> Parsed<Option<Migration>> {
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
    let mut decoder = Decoder {
        text,
        app_label: app_label.to_owned(),
        project,
        diagnostics,
    };
    let migration = Migration {
        app_label: app_label.to_owned(),
        name: name.to_owned(),
        dependencies: decoder.refs(class, "dependencies"),
        replaces: decoder.refs(class, "replaces"),
        run_before: decoder.refs(class, "run_before"),
        atomic: decoder.flag(class, "atomic", true),
        initial: decoder.flag(class, "initial", false),
        operations: decoder.operations(class.attribute("operations"), "operations"),
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
const OPERATION_MODULES: &[&str] = &["django.db.migrations", "django.contrib.postgres.operations"];

/// Evaluates the parts of a migration module into typed values, collecting diagnostics.
struct Decoder<'t> {
    text: &'t str,
    /// The migration's app: `"Model"` in a relation means a model of this app.
    app_label: String,
    /// What the project's settings say.
    project: &'t Project,
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
            match migration_ref(item, self.project) {
                Some(r) => refs.push(r),
                None => self.unevaluable(name, item, "no such entry"),
            }
        }
        refs
    }

    fn operations(&mut self, value: Option<&Value>, what: &str) -> Vec<Operation> {
        let Some(value) = value else {
            return Vec::new();
        };
        let Some(items) = value.as_sequence() else {
            // Operations chosen at import time (`[…] if setting else []`): whatever they are,
            // they are unknown, and so is every model of the app after them.
            self.unevaluable(what, value, "unknown operations");
            return vec![Operation {
                class: what.to_owned(),
                kind: OperationKind::Unknown,
                span: value.span,
            }];
        };
        items.iter().map(|item| self.operation(item)).collect()
    }

    fn operation(&mut self, value: &Value) -> Operation {
        let unknown = |class: String| Operation {
            class,
            kind: OperationKind::Unknown,
            span: value.span,
        };
        let Some(call) = value.as_call() else {
            self.diagnostics.push(Diagnostic {
                kind: DiagnosticKind::UnknownOperation {
                    class: value.text(self.text).to_owned(),
                },
                span: value.span,
            });
            return unknown(value.text(self.text).to_owned());
        };
        let known = class_in(&call.callee, OPERATION_MODULES).and_then(|class| {
            self.operation_kind(class, call, value.span)
                .map(|kind| (class, kind))
        });
        if let Some((class, kind)) = known {
            return Operation {
                class: class.to_owned(),
                kind,
                span: value.span,
            };
        }
        if class_in(&call.callee, OPERATION_MODULES).is_none() {
            self.diagnostics.push(Diagnostic {
                kind: DiagnosticKind::UnknownOperation {
                    class: call.callee.clone(),
                },
                span: value.span,
            });
        }
        unknown(call.class_name().to_owned())
    }

    /// `None` when the class is not a Django operation, or a required argument cannot be
    /// evaluated (a diagnostic says which).
    #[allow(
        clippy::too_many_lines,
        reason = "one arm per Django operation class, each a few lines"
    )]
    fn operation_kind(&mut self, class: &str, call: &Call, span: Span) -> Option<OperationKind> {
        Some(match class {
            "CreateModel" => {
                let name = self.string_arg(call, 0, "name", span)?;
                // A table with a field missing is a different table: any field that cannot be
                // read makes the whole operation unknown.
                let mut fields = Vec::new();
                if let Some(list) = call.arg(1, "fields") {
                    let Some(list) = list.as_sequence() else {
                        self.unevaluable("fields", list, "the operation is unknown");
                        return None;
                    };
                    for pair in list {
                        let Some([field_name, field]) = pair.as_sequence() else {
                            self.unevaluable("fields", pair, "the operation is unknown");
                            return None;
                        };
                        let Some(field_name) = field_name.as_str() else {
                            self.unevaluable("fields", field_name, "the operation is unknown");
                            return None;
                        };
                        fields.push((field_name.to_owned(), self.field(field)?));
                    }
                }
                let options = self.model_options(call.arg(2, "options"));
                OperationKind::CreateModel {
                    name,
                    fields,
                    options,
                }
            }
            "DeleteModel" => OperationKind::DeleteModel {
                name: self.string_arg(call, 0, "name", span)?,
            },
            "RenameModel" => OperationKind::RenameModel {
                old_name: self.string_arg(call, 0, "old_name", span)?,
                new_name: self.string_arg(call, 1, "new_name", span)?,
            },
            "AlterModelTable" => OperationKind::AlterModelTable {
                name: self.string_arg(call, 0, "name", span)?,
                table: self.optional_string(call, 1, "table")?,
            },
            "AlterModelTableComment" => OperationKind::AlterModelTableComment {
                name: self.string_arg(call, 0, "name", span)?,
                comment: self.optional_string(call, 1, "table_comment")?,
            },
            "AlterModelOptions" | "AlterModelManagers" => OperationKind::AlterModelOptions {
                name: self.string_arg(call, 0, "name", span)?,
            },
            "AlterUniqueTogether" | "AlterIndexTogether" => {
                let unique = class == "AlterUniqueTogether";
                let key = if unique {
                    "unique_together"
                } else {
                    "index_together"
                };
                OperationKind::AlterTogether {
                    name: self.string_arg(call, 0, "name", span)?,
                    together: self.together(call.arg(1, key), key),
                    unique,
                }
            }
            "AlterOrderWithRespectTo" => OperationKind::AlterOrderWithRespectTo {
                name: self.string_arg(call, 0, "name", span)?,
                order_with_respect_to: self.optional_string(call, 1, "order_with_respect_to")?,
            },
            "AddField" | "AlterField" => {
                let model_name = self.string_arg(call, 0, "model_name", span)?;
                let name = self.string_arg(call, 1, "name", span)?;
                let field = self.required(call, 2, "field", span)?;
                let field = self.field(field)?;
                let preserve_default = match call.arg(3, "preserve_default") {
                    None => true,
                    Some(v) => v.as_bool().unwrap_or_else(|| {
                        self.unevaluable("preserve_default", v, "True");
                        true
                    }),
                };
                if class == "AddField" {
                    OperationKind::AddField {
                        model_name,
                        name,
                        field,
                        preserve_default,
                    }
                } else {
                    OperationKind::AlterField {
                        model_name,
                        name,
                        field,
                        preserve_default,
                    }
                }
            }
            "RemoveField" => OperationKind::RemoveField {
                model_name: self.string_arg(call, 0, "model_name", span)?,
                name: self.string_arg(call, 1, "name", span)?,
            },
            "RenameField" => OperationKind::RenameField {
                model_name: self.string_arg(call, 0, "model_name", span)?,
                old_name: self.string_arg(call, 1, "old_name", span)?,
                new_name: self.string_arg(call, 2, "new_name", span)?,
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
            "RenameIndex" => OperationKind::RenameIndex {
                model_name: self.string_arg(call, 0, "model_name", span)?,
                new_name: self.string_arg(call, 1, "new_name", span)?,
                old_name: self.optional_string(call, 2, "old_name")?,
                old_fields: self.names(call.arg(3, "old_fields"), "old_fields"),
                old_fields_tuple: matches!(
                    call.arg(3, "old_fields").map(|v| &v.kind),
                    Some(ValueKind::Tuple(_))
                ),
            },
            "AddConstraint" | "AddConstraintNotValid" => OperationKind::AddConstraint {
                model_name: self.string_arg(call, 0, "model_name", span)?,
                constraint: {
                    let value = self.required(call, 1, "constraint", span)?;
                    self.constraint(value)?
                },
                not_valid: class == "AddConstraintNotValid",
            },
            "RemoveConstraint" => OperationKind::RemoveConstraint {
                model_name: self.string_arg(call, 0, "model_name", span)?,
                name: self.string_arg(call, 1, "name", span)?,
            },
            "AlterConstraint" => OperationKind::AlterConstraint {
                model_name: self.string_arg(call, 0, "model_name", span)?,
                name: self.string_arg(call, 1, "name", span)?,
                constraint: {
                    let value = self.required(call, 2, "constraint", span)?;
                    self.constraint(value)?
                },
            },
            "ValidateConstraint" => OperationKind::ValidateConstraint {
                model_name: self.string_arg(call, 0, "model_name", span)?,
                name: self.string_arg(call, 1, "name", span)?,
            },
            "CreateExtension" => OperationKind::CreateExtension {
                name: self.string_arg(call, 0, "name", span)?,
            },
            "BloomExtension" | "BtreeGinExtension" | "BtreeGistExtension" | "CITextExtension"
            | "CryptoExtension" | "HStoreExtension" | "TrigramExtension" | "UnaccentExtension" => {
                OperationKind::CreateExtension {
                    name: extension_name(class).to_owned(),
                }
            }
            "CreateCollation" | "RemoveCollation" => OperationKind::Collation {
                name: self.string_arg(call, 0, "name", span)?,
                locale: self.string_arg(call, 1, "locale", span)?,
                provider: self
                    .optional_string(call, 2, "provider")?
                    .unwrap_or_else(|| "libc".to_owned()),
                deterministic: call
                    .arg(3, "deterministic")
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
                create: class == "CreateCollation",
            },
            "SeparateDatabaseAndState" => OperationKind::SeparateDatabaseAndState {
                database_operations: self
                    .operations(call.arg(0, "database_operations"), "database_operations"),
                state_operations: self
                    .operations(call.arg(1, "state_operations"), "state_operations"),
            },
            "RunSQL" => {
                let sql = self.required(call, 0, "sql", span)?;
                let sql = self.sql_texts("sql", sql)?;
                let reverse_sql = match call.arg(1, "reverse_sql") {
                    // `RunSQL.noop`: reversible, with nothing to run.
                    Some(value) if is_noop(value) => Some(Vec::new()),
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
            _ => {
                self.diagnostics.push(Diagnostic {
                    kind: DiagnosticKind::UnknownOperation {
                        class: call.callee.clone(),
                    },
                    span,
                });
                return None;
            }
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

    /// A string argument that may be absent or `None`; `None` (the outer one) when it is
    /// something else that cannot be evaluated.
    #[allow(
        clippy::option_option,
        reason = "absent or `None` (inner) differs from unevaluable (outer)"
    )]
    fn optional_string(
        &mut self,
        call: &Call,
        position: usize,
        name: &str,
    ) -> Option<Option<String>> {
        match call.arg(position, name) {
            None => Some(None),
            Some(value) => match &value.kind {
                ValueKind::None => Some(None),
                ValueKind::Str(s) => Some(Some(s.clone())),
                _ => {
                    self.unevaluable(name, value, "the operation is unknown");
                    None
                }
            },
        }
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

/// The extension each named `CreateExtension` subclass of `django.contrib.postgres` installs.
fn extension_name(class: &str) -> &'static str {
    match class {
        "BloomExtension" => "bloom",
        "BtreeGinExtension" => "btree_gin",
        "BtreeGistExtension" => "btree_gist",
        "CITextExtension" => "citext",
        "CryptoExtension" => "pgcrypto",
        "HStoreExtension" => "hstore",
        "TrigramExtension" => "pg_trgm",
        _ => "unaccent",
    }
}

fn is_noop(value: &Value) -> bool {
    matches!(&value.kind, ValueKind::Ref(path) if path.ends_with("RunSQL.noop"))
}

fn migration_ref(value: &Value, project: &Project) -> Option<MigrationRef> {
    match &value.kind {
        ValueKind::Tuple(items) | ValueKind::List(items) => match items.as_slice() {
            [app, name] => Some(MigrationRef {
                app_label: app_label_of(app, project)?,
                name: name.as_str()?.to_owned(),
                span: value.span,
            }),
            _ => None,
        },
        // `migrations.swappable_dependency(settings.AUTH_USER_MODEL)`
        ValueKind::Call(call) if call.class_name() == "swappable_dependency" => {
            Some(MigrationRef {
                app_label: app_label_of(call.args.first()?, project)?,
                name: "__first__".to_owned(),
                span: value.span,
            })
        }
        _ => None,
    }
}

/// An app label, including that of a swappable setting (`settings.AUTH_USER_MODEL`).
fn app_label_of(value: &Value, project: &Project) -> Option<String> {
    let written = match &value.kind {
        ValueKind::Str(s) => s.as_str(),
        ValueKind::Ref(path) => project.setting_model(path)?,
        _ => return None,
    };
    Some(written.split('.').next().unwrap_or(written).to_owned())
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
        // `RunSQL.noop`: reversible with nothing to run.
        assert_eq!(reverse_sql.as_deref(), Some(&[][..]));
        assert_eq!(
            migration.operations[3].kind,
            OperationKind::AlterModelTable {
                name: "order".to_owned(),
                table: Some("orders".to_owned()),
            }
        );
        // One diagnostic, for the unknown call.
        let kinds: Vec<_> = parsed
            .diagnostics
            .iter()
            .map(|d| d.kind.to_string())
            .collect();
        assert_eq!(kinds.len(), 1, "{kinds:?}");
        assert!(kinds[0].contains("my_helper"));
    }

    #[test]
    fn no_migration_class_is_a_diagnostic() {
        let parsed = parse(FileId(0), "a", "b", "");
        assert!(parsed.value.is_none());
        assert_eq!(parsed.diagnostics[0].kind, DiagnosticKind::NoMigrationClass);
    }
}

#[cfg(test)]
mod project_tests {
    use std::collections::BTreeMap;

    use super::*;

    const MIGRATION: &str = r#"
from django.conf import settings
from django.db import migrations, models
from oauth2_provider.settings import oauth2_settings
import timezone_field.fields

class Migration(migrations.Migration):
    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    operations = [
        migrations.AddField("grant", "user", models.ForeignKey(on_delete=models.CASCADE, to=settings.AUTH_USER_MODEL)),
        migrations.AddField("grant", "app", models.ForeignKey(on_delete=models.CASCADE, to=oauth2_settings.APPLICATION_MODEL)),
        migrations.AddField("grant", "tz", timezone_field.fields.TimeZoneField(default="UTC")),
    ]
"#;

    fn fields(project: &Project) -> (Migration, Vec<Field>) {
        let migration = parse_in(FileId(0), "oauth", "0002_x", MIGRATION, project)
            .value
            .unwrap();
        let fields = migration
            .operations
            .iter()
            .filter_map(|op| match &op.kind {
                OperationKind::AddField { field, .. } => Some(field.clone()),
                _ => None,
            })
            .collect();
        (migration, fields)
    }

    #[test]
    fn by_default_only_the_user_model_is_known() {
        let (migration, fields) = fields(&Project::default());
        assert_eq!(migration.dependencies[0].app_label, "auth");
        assert_eq!(fields[0].relation.as_ref().unwrap().to.model, "user");
        assert!(fields[1].relation.is_none());
        assert_eq!(fields[1].unevaluated, ["to"]);
        assert!(!fields[2].builtin);
    }

    #[test]
    fn the_project_declares_its_user_model_settings_and_custom_fields() {
        let project = Project {
            auth_user_model: "accounts.Member".to_owned(),
            model_settings: BTreeMap::from([(
                "oauth2_settings.APPLICATION_MODEL".to_owned(),
                "oauth2_provider.Application".to_owned(),
            )]),
            custom_fields: BTreeMap::from([(
                "TimeZoneField".to_owned(),
                "CharField(max_length=63)".to_owned(),
            )]),
        };
        let (migration, fields) = fields(&project);
        assert_eq!(migration.dependencies[0].app_label, "accounts");
        let user = &fields[0].relation.as_ref().unwrap().to;
        assert_eq!(
            (user.app_label.as_str(), user.model.as_str()),
            ("accounts", "member")
        );
        let app = &fields[1].relation.as_ref().unwrap().to;
        assert_eq!(app.model, "application");
        // Stored as the declared built-in, with the length its `__init__` fills in.
        assert_eq!(fields[2].class, "CharField");
        assert!(fields[2].builtin);
        assert_eq!(fields[2].max_length, Some(63));
        assert!(fields[2].has_default());
    }

    #[test]
    fn a_declaration_that_is_not_a_builtin_field_is_ignored() {
        let project = Project {
            custom_fields: BTreeMap::from([("TimeZoneField".to_owned(), "NotAField(".to_owned())]),
            ..Project::default()
        };
        let (_, fields) = fields(&project);
        assert!(!fields[2].builtin);
    }
}
