//! The model objects operations carry: fields, indexes, constraints and model options.
//!
//! In: the evaluated Python call as written (`models.CharField(max_length=20)`). Out: the
//! options Django's schema editor reads, typed, plus every argument as written, so a later
//! stage can read an option this module does not type yet. Invariant: decoding never fails;
//! what cannot be evaluated is reported and Django's default is assumed.

use std::collections::BTreeMap;

use super::Decoder;
use crate::parse::python::{Call, Value, ValueKind};
use crate::span::{FileId, Span};

/// Module paths whose classes are Django's own fields, indexes, constraints and expressions.
pub(super) const MODEL_MODULES: &[&str] = &[
    "django.db.models",
    "django.contrib.postgres.fields",
    "django.contrib.postgres.indexes",
    "django.contrib.postgres.constraints",
    "django.contrib.postgres.search",
    "django.contrib.postgres.functions",
];

/// The class name when `path` is `<one of modules>.<Class>` (or a submodule of one).
pub(super) fn class_in<'p>(path: &'p str, modules: &[&str]) -> Option<&'p str> {
    let (module, class) = path.rsplit_once('.')?;
    modules
        .iter()
        .any(|m| module == *m || module.strip_prefix(m).is_some_and(|r| r.starts_with('.')))
        .then_some(class)
}

/// A model field as written: the options the schema editor reads, typed, and every argument.
#[allow(
    clippy::struct_excessive_bools,
    reason = "each bool is one of Django's own field options"
)]
#[derive(Clone, Debug, PartialEq)]
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
    /// `default=` as written.
    pub default: Option<Value>,
    /// `blank=` (with `null=False` on a text column, Django adds with an empty-string default).
    pub blank: bool,
    /// For `ForeignKey`, `OneToOneField` and `ManyToManyField`: what it points at.
    pub relation: Option<Relation>,
    /// `ArrayField(base_field=…)`, `GeneratedField(output_field=…)`.
    pub inner: Option<Box<Field>>,
    /// Every keyword argument as written, in order.
    pub args: Vec<(String, Value)>,
    /// Positional arguments as written (makemigrations writes none, but hand-written code may).
    pub positional: Vec<Value>,
    /// Options whose value is not a literal of the type Django expects (`unique=UNIQUE_EMAIL`,
    /// a variable set from settings at import time): the typed fields above hold Django's
    /// default for them, so nothing that depends on them may be claimed exact.
    pub unevaluated: Vec<String>,
    /// Where the field is written.
    pub span: Span,
}

impl Field {
    /// A built-in field of `class` with Django's defaults and no arguments: for fields
    /// Lockstep synthesises, and for tests.
    pub fn builtin(class: &str) -> Self {
        Self {
            class: class.to_owned(),
            builtin: true,
            null: false,
            db_index: false,
            unique: false,
            primary_key: false,
            max_length: None,
            db_column: None,
            default: None,
            blank: false,
            relation: None,
            inner: None,
            args: Vec::new(),
            positional: Vec::new(),
            unevaluated: Vec::new(),
            span: Span::default(),
        }
    }

    /// Whether the field is a relation stored in a `<name>_id` column.
    pub fn is_foreign_key(&self) -> bool {
        matches!(self.class.as_str(), "ForeignKey" | "OneToOneField")
    }

    /// Whether the field is a `ManyToManyField` (no column; a join table).
    pub fn is_many_to_many(&self) -> bool {
        self.class == "ManyToManyField"
    }

    /// Whether `default=` is given.
    pub fn has_default(&self) -> bool {
        self.default.is_some()
    }

    /// Keyword argument `name` as written.
    pub fn arg(&self, name: &str) -> Option<&Value> {
        self.args.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Keyword argument `name` as a string literal.
    pub fn str_arg(&self, name: &str) -> Option<&str> {
        self.arg(name).and_then(Value::as_str)
    }

    /// Keyword argument `name` as an integer literal.
    pub fn int_arg(&self, name: &str) -> Option<i64> {
        self.arg(name).and_then(Value::as_int)
    }
}

/// A model an operation or a relation names, as `(app_label, model name lowercased)`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModelRef {
    /// App label.
    pub app_label: String,
    /// Model name, lowercased (Django's `model_name`).
    pub model: String,
}

impl ModelRef {
    /// `"app.Model"`, or `"Model"` of `app`, or a swappable setting the project names
    /// (`settings.AUTH_USER_MODEL`).
    pub fn resolve(value: &Value, app: &str, project: &Project) -> Option<Self> {
        let written = match &value.kind {
            ValueKind::Str(s) => s.as_str(),
            ValueKind::Ref(path) => project.setting_model(path)?,
            _ => return None,
        };
        let (app_label, model) = written.split_once('.').unwrap_or((app, written));
        Some(Self {
            app_label: app_label.to_owned(),
            model: model.to_lowercase(),
        })
    }
}

/// What a project's settings make of its migrations, which only name them: the user model,
/// other swappable models, and the built-in field each custom field class stores as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// `settings.AUTH_USER_MODEL` (`auth.User` unless the project swaps it).
    pub auth_user_model: String,
    /// Other settings naming a model, by the expression migrations read
    /// (`oauth2_settings.APPLICATION_MODEL` → `oauth2_provider.Application`).
    pub model_settings: BTreeMap<String, String>,
    /// Custom field classes by dotted path (or its last components) → the built-in field
    /// class whose column they use (`MoneyField` → `DecimalField`).
    pub custom_fields: BTreeMap<String, String>,
}

impl Default for Project {
    fn default() -> Self {
        Self {
            auth_user_model: "auth.User".to_owned(),
            model_settings: BTreeMap::new(),
            custom_fields: BTreeMap::new(),
        }
    }
}

impl Project {
    /// The `app.Model` a setting read as `path` names, if known.
    pub fn setting_model(&self, path: &str) -> Option<&str> {
        if path.ends_with("settings.AUTH_USER_MODEL") {
            return Some(&self.auth_user_model);
        }
        lookup(&self.model_settings, path)
    }

    /// What a custom field class is declared to store as: the built-in field's call with
    /// the arguments the class fills in (`CharField(max_length=63)`), if declared and valid.
    pub fn custom_field(&self, path: &str) -> Option<Call> {
        let declared = lookup(&self.custom_fields, path)?;
        // Read with Lockstep's own Python reader, as if written in a migration.
        let text = format!("from django.db import models\nclass F:\n    f = models.{declared}\n");
        let module = crate::parse::python::parse_module(FileId(u32::MAX), &text).ok()?;
        let call = module.classes.first()?.attribute("f")?.as_call()?.clone();
        class_in(&call.callee, MODEL_MODULES)?;
        Some(call)
    }
}

/// The value of the key that is `path` or a dotted suffix of it (`oauth2_settings.X` matches
/// `oauth2_provider.settings.oauth2_settings.X`): users write what they see in the file.
fn lookup<'m>(map: &'m BTreeMap<String, String>, path: &str) -> Option<&'m str> {
    map.iter()
        .find(|(key, _)| {
            path == key.as_str()
                || path
                    .strip_suffix(key.as_str())
                    .is_some_and(|head| head.ends_with('.'))
        })
        .map(|(_, value)| value.as_str())
}

/// What a relation field points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    /// `to=`.
    pub to: ModelRef,
    /// Whether `to` is `settings.AUTH_USER_MODEL` (a swappable model).
    pub swappable: bool,
    /// `to_field=`: the target column's field; `None` for the primary key.
    pub to_field: Option<String>,
    /// `db_constraint=` (default `True`): whether a `FOREIGN KEY` constraint is created.
    pub db_constraint: bool,
    /// `ManyToManyField(through=…)`: the join model, when not auto-created.
    pub through: Option<ModelRef>,
    /// `ManyToManyField(db_table=…)`: the auto-created join table's name.
    pub db_table: Option<String>,
}

/// An index from `AddIndex` or `Meta.indexes`.
#[derive(Clone, Debug, PartialEq)]
pub struct Index {
    /// `Index`, `GinIndex`, …
    pub class: String,
    /// `name=` (required by Django for `AddIndex`).
    pub name: Option<String>,
    /// `fields=`, each possibly prefixed with `-` for descending.
    pub fields: Vec<String>,
    /// Positional arguments: the expressions of a functional index.
    pub expressions: Vec<Value>,
    /// Every keyword argument as written (`condition`, `include`, `opclasses`, …).
    pub args: Vec<(String, Value)>,
    /// Whether the index has only `fields` and `name` (no expressions, condition, include,
    /// opclasses or storage parameters).
    pub plain: bool,
    /// Where the index is written.
    pub span: Span,
}

impl Index {
    /// Keyword argument `name` as written.
    pub fn arg(&self, name: &str) -> Option<&Value> {
        self.args.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// A constraint from `AddConstraint` or `Meta.constraints`.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    /// `UniqueConstraint`, `CheckConstraint`, `ExclusionConstraint`.
    pub class: String,
    /// `name=`.
    pub name: Option<String>,
    /// Positional arguments: the expressions of a functional unique constraint.
    pub expressions: Vec<Value>,
    /// Every keyword argument as written (`fields`, `condition`, `check`, …).
    pub args: Vec<(String, Value)>,
    /// Where the constraint is written.
    pub span: Span,
}

impl Constraint {
    /// Keyword argument `name` as written.
    pub fn arg(&self, name: &str) -> Option<&Value> {
        self.args.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// `CreateModel(options={…})` and `AlterModelOptions`: what changes the schema, typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelOptions {
    /// `db_table`.
    pub db_table: Option<String>,
    /// `db_table_comment`.
    pub db_table_comment: Option<String>,
    /// `unique_together`, each entry a list of field names.
    pub unique_together: Vec<Vec<String>>,
    /// `index_together` (removed in Django 5.1 from models, still in old migrations).
    pub index_together: Vec<Vec<String>>,
    /// `indexes`.
    pub indexes: Vec<Index>,
    /// `constraints`.
    pub constraints: Vec<Constraint>,
    /// `order_with_respect_to`: adds the `_order` column.
    pub order_with_respect_to: Option<String>,
    /// `managed` (default `True`): unmanaged models have no SQL.
    pub managed: bool,
    /// `proxy`: proxy models have no table.
    pub proxy: bool,
    /// Options Lockstep does not know, by name: they may change the SQL.
    pub unknown: Vec<String>,
}

/// Whether the value of field option `name` is a literal of the type Django expects there;
/// options not listed are read elsewhere (or change no SQL).
fn literal_as_expected(name: &str, value: &Value) -> bool {
    let kind = &value.kind;
    match name {
        "null" | "blank" | "db_index" | "unique" | "primary_key" | "db_constraint"
        | "db_persist" => matches!(kind, ValueKind::Bool(_)),
        "max_length" | "max_digits" | "decimal_places" | "size" => {
            matches!(kind, ValueKind::Int(_) | ValueKind::None)
        }
        "db_column" | "db_collation" | "db_comment" | "to_field" | "db_table" | "db_tablespace" => {
            matches!(kind, ValueKind::Str(_) | ValueKind::None)
        }
        _ => true,
    }
}

/// `CreateModel` options that never change the SQL.
const SQL_NEUTRAL_OPTIONS: &[&str] = &[
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
    "select_on_save",
    "apps",
    "required_db_features",
    "required_db_vendor",
    "db_tablespace",
];

impl Decoder<'_> {
    /// A field call (`models.CharField(…)`); `None` when `value` is not a call at all.
    pub(super) fn field(&mut self, value: &Value) -> Option<Field> {
        let Some(call) = value.as_call() else {
            self.unevaluable("field", value, "the operation is unknown");
            return None;
        };
        let declared = self.project.custom_field(&call.callee);
        // A declared custom field is the built-in it stores as, with the arguments its
        // `__init__` fills in where the migration leaves them out.
        let merged;
        let call = match &declared {
            Some(base) => {
                let mut call = call.clone();
                for (key, default) in &base.kwargs {
                    if call.kwarg(key).is_none() {
                        call.kwargs.push((key.clone(), default.clone()));
                    }
                }
                merged = call;
                &merged
            }
            None => call,
        };
        let (class, builtin) = if let Some(class) = class_in(&call.callee, MODEL_MODULES) {
            (class.to_owned(), true)
        } else if let Some(base) = &declared {
            (base.class_name().to_owned(), true)
        } else {
            self.unevaluable(
                "field",
                value,
                "a custom field: its column type is unknown (declare the built-in field it \
                 stores as under `custom_fields` in lockstep.toml)",
            );
            (call.callee.clone(), false)
        };
        let is_fk = matches!(class.as_str(), "ForeignKey" | "OneToOneField");
        let relation = if is_fk || class == "ManyToManyField" {
            self.relation(call, value)
        } else {
            None
        };
        let inner = ["base_field", "output_field"]
            .iter()
            .find_map(|k| call.kwarg(k))
            .and_then(|inner| self.field(inner))
            .map(Box::new);
        let mut unevaluated: Vec<String> = call
            .kwargs
            .iter()
            .filter(|(k, v)| !literal_as_expected(k, v))
            .map(|(k, _)| k.clone())
            .collect();
        if (is_fk || class == "ManyToManyField") && relation.is_none() {
            unevaluated.push("to".to_owned());
        }
        Some(Field {
            unevaluated,
            // `NullBooleanField.__init__` forces both (and `deconstruct` leaves them out).
            null: class == "NullBooleanField" || self.bool_kwarg(call, "null", false),
            // `SlugField` is indexed unless told otherwise, like relations.
            db_index: self.bool_kwarg(call, "db_index", is_fk || class == "SlugField"),
            unique: class == "OneToOneField" || self.bool_kwarg(call, "unique", false),
            primary_key: self.bool_kwarg(call, "primary_key", false),
            max_length: call.kwarg("max_length").and_then(Value::as_int),
            db_column: call
                .kwarg("db_column")
                .and_then(Value::as_str)
                .map(str::to_owned),
            default: call.kwarg("default").cloned(),
            blank: class == "NullBooleanField" || self.bool_kwarg(call, "blank", false),
            relation,
            inner,
            args: call.kwargs.clone(),
            positional: call.args.clone(),
            class,
            builtin,
            span: value.span,
        })
    }

    fn relation(&mut self, call: &Call, value: &Value) -> Option<Relation> {
        let Some(to) = call.arg(0, "to") else {
            self.unevaluable("to", value, "the related model is unknown");
            return None;
        };
        let Some(target) = ModelRef::resolve(to, &self.app_label, self.project) else {
            self.unevaluable("to", to, "the related model is unknown");
            return None;
        };
        Some(Relation {
            to: target,
            swappable: matches!(&to.kind, ValueKind::Ref(_)),
            to_field: call
                .kwarg("to_field")
                .and_then(Value::as_str)
                .map(str::to_owned),
            db_constraint: self.bool_kwarg(call, "db_constraint", true),
            through: call
                .kwarg("through")
                .and_then(|t| ModelRef::resolve(t, &self.app_label, self.project)),
            db_table: call
                .kwarg("db_table")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }

    fn bool_kwarg(&mut self, call: &Call, name: &str, default: bool) -> bool {
        match call.kwarg(name) {
            None => default,
            Some(v) => v.as_bool().unwrap_or_else(|| {
                self.unevaluable(name, v, if default { "True" } else { "False" });
                default
            }),
        }
    }

    /// An index call (`models.Index(…)`, `GinIndex(…)`).
    pub(super) fn index(&mut self, value: &Value) -> Option<Index> {
        let Some(call) = value.as_call() else {
            self.unevaluable("index", value, "the operation is unknown");
            return None;
        };
        let class = class_in(&call.callee, MODEL_MODULES)
            .unwrap_or(&call.callee)
            .to_owned();
        let fields = self.names(call.kwarg("fields"), "fields");
        Some(Index {
            class,
            name: call
                .kwarg("name")
                .and_then(Value::as_str)
                .map(str::to_owned),
            fields,
            expressions: call.args.clone(),
            args: call.kwargs.clone(),
            plain: call.args.is_empty()
                && call
                    .kwargs
                    .iter()
                    .all(|(k, _)| k == "fields" || k == "name"),
            span: value.span,
        })
    }

    /// A constraint call (`models.UniqueConstraint(…)`, `models.CheckConstraint(…)`).
    pub(super) fn constraint(&mut self, value: &Value) -> Option<Constraint> {
        let Some(call) = value.as_call() else {
            self.unevaluable("constraint", value, "the operation is unknown");
            return None;
        };
        let class = class_in(&call.callee, MODEL_MODULES)
            .unwrap_or(&call.callee)
            .to_owned();
        Some(Constraint {
            class,
            name: call
                .kwarg("name")
                .and_then(Value::as_str)
                .map(str::to_owned),
            expressions: call.args.clone(),
            args: call.kwargs.clone(),
            span: value.span,
        })
    }

    /// A list of names (`fields=["a", "b"]`); unevaluable entries are reported and skipped.
    pub(super) fn names(&mut self, value: Option<&Value>, what: &str) -> Vec<String> {
        let Some(value) = value else {
            return Vec::new();
        };
        let Some(items) = value.as_sequence() else {
            self.unevaluable(what, value, "none");
            return Vec::new();
        };
        let mut names = Vec::with_capacity(items.len());
        for item in items {
            match item.as_str() {
                Some(name) => names.push(name.to_owned()),
                None => self.unevaluable(what, item, "this entry is skipped"),
            }
        }
        names
    }

    /// `unique_together` / `index_together`: a set of name tuples, or one tuple alone.
    pub(super) fn together(&mut self, value: Option<&Value>, what: &str) -> Vec<Vec<String>> {
        let Some(value) = value else {
            return Vec::new();
        };
        match &value.kind {
            ValueKind::None => return Vec::new(),
            // `set()`: how makemigrations writes an empty `unique_together`.
            ValueKind::Call(call) if call.class_name() == "set" && call.args.is_empty() => {
                return Vec::new();
            }
            _ => {}
        }
        let Some(items) = value.as_sequence().or(match &value.kind {
            ValueKind::Call(call) if call.class_name() == "set" => {
                call.args.first().and_then(Value::as_sequence)
            }
            _ => None,
        }) else {
            self.unevaluable(what, value, "none");
            return Vec::new();
        };
        // Django's `normalize_together`: `("a", "b")` alone means `{("a", "b")}`.
        if items.iter().all(|i| i.as_str().is_some()) && !items.is_empty() {
            return vec![self.names(Some(value), what)];
        }
        items
            .iter()
            .map(|item| self.names(Some(item), what))
            .collect()
    }

    /// `options={…}` of `CreateModel`.
    pub(super) fn model_options(&mut self, value: Option<&Value>) -> ModelOptions {
        let mut options = ModelOptions {
            managed: true,
            ..ModelOptions::default()
        };
        let Some(value) = value else {
            return options;
        };
        let ValueKind::Dict(items) = &value.kind else {
            self.unevaluable("options", value, "no options");
            options.unknown.push("options".to_owned());
            return options;
        };
        for (key, item) in items {
            let Some(key) = key.as_str() else {
                self.unevaluable("options", key, "this option is skipped");
                continue;
            };
            match key {
                "db_table" => options.db_table = item.as_str().map(str::to_owned),
                "db_table_comment" => options.db_table_comment = item.as_str().map(str::to_owned),
                "unique_together" => {
                    options.unique_together = self.together(Some(item), key);
                }
                "index_together" => options.index_together = self.together(Some(item), key),
                "indexes" => {
                    for index in item.as_sequence().unwrap_or_default() {
                        options.indexes.extend(self.index(index));
                    }
                }
                "constraints" => {
                    for constraint in item.as_sequence().unwrap_or_default() {
                        options.constraints.extend(self.constraint(constraint));
                    }
                }
                "order_with_respect_to" => {
                    options.order_with_respect_to = item.as_str().map(str::to_owned);
                }
                "managed" => options.managed = item.as_bool().unwrap_or(true),
                "proxy" => options.proxy = item.as_bool().unwrap_or(false),
                _ if SQL_NEUTRAL_OPTIONS.contains(&key) => {}
                _ => options.unknown.push(key.to_owned()),
            }
        }
        options
    }
}
