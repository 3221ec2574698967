//! Project state: the models, fields and options as Django's `state_forwards` leaves them.
//!
//! In: Django operations in the order they apply. Out: every model with its fields and
//! options, before and after every operation. Invariant: the state never guesses. After an
//! operation Lockstep cannot decode, its app is [`Lookup::Stale`], and SQL that depends on it
//! is then not claimed as reproduced.
//!
//! Models are shared ([`models::ModelMap`]), so keeping the state before an operation costs a
//! reference count, and changing one model copies only its app's map.

mod marks;
mod models;

use std::collections::BTreeSet;
use std::sync::Arc;

use marks::FieldMarks;
use models::ModelMap;

use crate::parse::django::{Field, ModelOptions, ModelRef, Operation, OperationKind};
use crate::sql::names;

/// Every model known so far, by `(app_label, model name lowercased)`.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectState {
    models: ModelMap,
    /// Apps where an unknown operation ran: nothing about them can be trusted any more.
    stale_apps: Vec<String>,
    /// `settings.DEFAULT_AUTO_FIELD` (`BigAutoField`): the primary key of auto-created
    /// many-to-many join tables.
    pub default_auto_field: String,
    /// Fields whose `FOREIGN KEY` constraint Django named after a table or column that has
    /// been renamed since: its name in the database is no longer derivable from the state.
    stale_fk_names: FieldMarks,
    /// Fields whose indexes and unique constraints (their own, `unique_together`, a join
    /// table's) were named after a table or column that has been renamed since.
    stale_names: FieldMarks,
}

impl Default for ProjectState {
    fn default() -> Self {
        Self {
            models: ModelMap::default(),
            stale_apps: Vec::new(),
            default_auto_field: "BigAutoField".to_owned(),
            stale_fk_names: FieldMarks::default(),
            stale_names: FieldMarks::default(),
        }
    }
}

/// One model.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelState {
    /// App label.
    pub app_label: String,
    /// Model name as written (`OrderItem`).
    pub name: String,
    /// `(field name, field)` in definition order.
    pub fields: Vec<(String, Field)>,
    /// Options: `db_table`, `indexes`, `constraints`, `unique_together`, …
    pub options: ModelOptions,
    /// Fields renamed, or altered in class, uniqueness, primary key, column or relation,
    /// since they were added, or all of them once the table was renamed: the names
    /// PostgreSQL and Django gave their constraints, indexes and sequences then may no longer
    /// follow from the current table and column.
    pub touched: BTreeSet<String>,
}

/// What the state says about a model an operation names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lookup<'s> {
    /// Known exactly.
    Known(&'s ModelState),
    /// Not in the supplied files: Django's defaults are assumed.
    Missing,
    /// Its app saw an operation Lockstep cannot decode.
    Stale,
}

impl ProjectState {
    /// The model `name` of `app`.
    pub fn model(&self, app: &str, name: &str) -> Lookup<'_> {
        if self.stale_apps.iter().any(|a| a == app) {
            return Lookup::Stale;
        }
        let key = key(app, name);
        match self.models.get(&key).or_else(|| self.bundled(&key)) {
            Some(model) => Lookup::Known(model),
            None => Lookup::Missing,
        }
    }

    /// A `django.contrib` model from the bundled state, when no supplied migration of its
    /// app has created any model (supplied migrations always win).
    fn bundled(&self, key: &ModelRef) -> Option<&'static Arc<ModelState>> {
        if !crate::contrib::is_bundled(&key.app_label) || self.models.has_app(&key.app_label) {
            return None;
        }
        crate::contrib::model(key)
    }

    /// The model a relation points at, when known.
    pub fn get(&self, model: &ModelRef) -> Option<&ModelState> {
        if self.stale_apps.contains(&model.app_label) {
            return None;
        }
        self.models
            .get(model)
            .or_else(|| self.bundled(model))
            .map(AsRef::as_ref)
    }

    /// Whether the `FOREIGN KEY` constraint of field `field` of `model` may carry a name
    /// Django derived from a table or column renamed since (Django finds it by
    /// introspection; Lockstep cannot).
    pub fn fk_name_stale(&self, model: &ModelRef, field: &str) -> bool {
        self.stale_fk_names.contains(model, field)
    }

    /// Whether the indexes and unique constraints named after field `field` of `model`
    /// (including `unique_together` entries and a many-to-many join table's) may carry
    /// names derived from a table or column renamed since.
    pub fn names_stale(&self, model: &ModelRef, field: &str) -> bool {
        self.stale_names.contains(model, field)
    }

    /// Every known model, in `(app, name)` order.
    pub fn models(&self) -> impl Iterator<Item = &ModelState> {
        self.models.values()
    }

    fn model_mut(&mut self, app: &str, name: &str) -> Option<&mut ModelState> {
        self.models.get_mut(&key(app, name))
    }

    /// Applies `operation` of `app`, as Django's `state_forwards` does.
    #[allow(clippy::too_many_lines, reason = "one arm per Django operation class")]
    pub fn apply(&mut self, app: &str, operation: &Operation) {
        match &operation.kind {
            OperationKind::CreateModel {
                name,
                fields,
                options,
            } => {
                let model = ModelState {
                    app_label: app.to_owned(),
                    name: name.clone(),
                    fields: fields.clone(),
                    options: options.clone(),
                    touched: BTreeSet::new(),
                };
                self.models.insert(key(app, name), Arc::new(model));
            }
            OperationKind::DeleteModel { name } => {
                let model = key(app, name);
                self.stale_fk_names.remove_model(&model);
                self.stale_names.remove_model(&model);
                self.models.remove(&model);
            }
            OperationKind::RenameModel { old_name, new_name } => {
                self.rename_model(app, old_name, new_name);
            }
            OperationKind::AlterModelTable { name, table } => {
                self.mark_table_renamed(&key(app, name), true);
                if let Some(model) = self.model_mut(app, name) {
                    let before = model.db_table();
                    model.options.db_table.clone_from(table);
                    if model.db_table() != before {
                        model.touch_all();
                    }
                }
            }
            OperationKind::AlterModelTableComment { name, comment } => {
                if let Some(model) = self.model_mut(app, name) {
                    model.options.db_table_comment.clone_from(comment);
                }
            }
            OperationKind::AlterTogether {
                name,
                together,
                unique,
            } => {
                if let Some(model) = self.model_mut(app, name) {
                    if *unique {
                        model.options.unique_together.clone_from(together);
                    } else {
                        model.options.index_together.clone_from(together);
                    }
                }
            }
            OperationKind::AlterOrderWithRespectTo {
                name,
                order_with_respect_to,
            } => {
                if let Some(model) = self.model_mut(app, name) {
                    model
                        .options
                        .order_with_respect_to
                        .clone_from(order_with_respect_to);
                }
            }
            OperationKind::AddField {
                model_name,
                name,
                field,
                preserve_default,
            } => {
                if let Some(model) = self.model_mut(app, model_name) {
                    model
                        .fields
                        .push((name.clone(), state_field(field, *preserve_default)));
                    model.touched.remove(name);
                }
            }
            OperationKind::RemoveField { model_name, name } => {
                let model = key(app, model_name);
                self.stale_fk_names.remove(&model, name);
                self.stale_names.remove(&model, name);
                if let Some(model) = self.model_mut(app, model_name) {
                    model.fields.retain(|(n, _)| n != name);
                    model.touched.remove(name);
                }
            }
            OperationKind::AlterField {
                model_name,
                name,
                field,
                preserve_default,
            } => {
                self.mark_field_altered(app, model_name, name, field);
                if let Some(model) = self.model_mut(app, model_name)
                    && let Some((_, slot)) = model.fields.iter_mut().find(|(n, _)| n == name)
                {
                    // Constraint names change with the class (checks), uniqueness, the primary
                    // key, the column and the relation; a new length or default keeps them.
                    let reshaped = slot.class != field.class
                        || slot.unique != field.unique
                        || slot.primary_key != field.primary_key
                        || slot.db_column != field.db_column
                        || slot.relation != field.relation;
                    *slot = state_field(field, *preserve_default);
                    if reshaped {
                        model.touched.insert(name.clone());
                    }
                }
            }
            OperationKind::RenameField {
                model_name,
                old_name,
                new_name,
            } => self.rename_field(app, model_name, old_name, new_name),
            OperationKind::AddIndex {
                model_name, index, ..
            } => {
                if let Some(model) = self.model_mut(app, model_name) {
                    model.options.indexes.push(index.clone());
                }
            }
            OperationKind::RemoveIndex {
                model_name, name, ..
            } => {
                if let Some(model) = self.model_mut(app, model_name) {
                    model
                        .options
                        .indexes
                        .retain(|i| i.name.as_deref() != Some(name));
                }
            }
            OperationKind::RenameIndex {
                model_name,
                new_name,
                old_name,
                old_fields,
                ..
            } => {
                if let Some(model) = self.model_mut(app, model_name) {
                    rename_index(
                        model,
                        new_name,
                        old_name.as_deref(),
                        old_fields,
                        operation.span,
                    );
                }
            }
            OperationKind::AddConstraint {
                model_name,
                constraint,
                ..
            } => {
                if let Some(model) = self.model_mut(app, model_name) {
                    model.options.constraints.push(constraint.clone());
                }
            }
            OperationKind::RemoveConstraint { model_name, name } => {
                if let Some(model) = self.model_mut(app, model_name) {
                    model
                        .options
                        .constraints
                        .retain(|c| c.name.as_deref() != Some(name));
                }
            }
            OperationKind::AlterConstraint {
                model_name,
                name,
                constraint,
            } => {
                if let Some(model) = self.model_mut(app, model_name)
                    && let Some(slot) = model
                        .options
                        .constraints
                        .iter_mut()
                        .find(|c| c.name.as_deref() == Some(name))
                {
                    *slot = constraint.clone();
                }
            }
            OperationKind::SeparateDatabaseAndState {
                state_operations, ..
            } => {
                for operation in state_operations {
                    self.apply(app, operation);
                    // The database may not have followed the state.
                    if let Some(name) = shaped_model(&operation.kind)
                        && let Some(model) = self.model_mut(app, name)
                    {
                        model.touch_all();
                    }
                }
            }
            // No change to models: options Django keeps for Python only, and the database-only
            // operations.
            OperationKind::AlterModelOptions { .. }
            | OperationKind::ValidateConstraint { .. }
            | OperationKind::CreateExtension { .. }
            | OperationKind::Collation { .. }
            | OperationKind::RunSql { .. }
            | OperationKind::RunPython { .. } => {}
            OperationKind::Unknown => {
                if !self.stale_apps.iter().any(|a| a == app) {
                    self.stale_apps.push(app.to_owned());
                }
            }
        }
    }

    /// `RenameModel.state_forwards`: the model moves, and every relation to it follows.
    fn rename_model(&mut self, app: &str, old_name: &str, new_name: &str) {
        let old = key(app, old_name);
        let new = key(app, new_name);
        let Some(model) = self.models.remove(&old) else {
            return;
        };
        let mut model = Arc::unwrap_or_clone(model);
        let before = model.db_table();
        new_name.clone_into(&mut model.name);
        self.move_marks(&old, &new, None);
        if model.db_table() != before {
            model.touch_all();
        }
        self.models.insert(new.clone(), Arc::new(model));
        self.mark_table_renamed(&new, false);
        let referencing = self
            .models
            .keys_where(|m| m.fields.iter().any(|(_, f)| points_at(f, &old)));
        for k in referencing {
            if let Some(model) = self.models.get_mut(&k) {
                for (_, field) in &mut model.fields {
                    if let Some(relation) = &mut field.relation {
                        if relation.to == old {
                            relation.to = new.clone();
                        }
                        if relation.through.as_ref() == Some(&old) {
                            relation.through = Some(new.clone());
                        }
                    }
                }
            }
        }
    }

    /// `RenameField.state_forwards`: the field keeps its place; `*_together` and the
    /// `to_field` of relations to it follow.
    fn rename_field(&mut self, app: &str, model_name: &str, old_name: &str, new_name: &str) {
        let target = key(app, model_name);
        self.move_marks(&target, &target, Some((old_name, new_name)));
        self.mark_column_renamed(&target, old_name);
        // Django drops and re-creates the field's own foreign key under its new name.
        self.stale_fk_names.remove(&target, new_name);
        self.stale_names.insert(&target, new_name);
        if let Some(model) = self.model_mut(app, model_name) {
            if let Some((name, _)) = model.fields.iter_mut().find(|(n, _)| n == old_name) {
                new_name.clone_into(name);
                model.touched.remove(old_name);
                model.touched.insert(new_name.to_owned());
            }
            let options = &mut model.options;
            for together in options
                .unique_together
                .iter_mut()
                .chain(options.index_together.iter_mut())
            {
                for name in together.iter_mut().filter(|n| *n == old_name) {
                    new_name.clone_into(name);
                }
            }
        }
        let referencing = self.models.keys_where(|model| {
            model.fields.iter().any(|(_, f)| {
                f.relation
                    .as_ref()
                    .is_some_and(|r| r.to == target && r.to_field.as_deref() == Some(old_name))
            })
        });
        for k in referencing {
            let Some(model) = self.models.get_mut(&k) else {
                continue;
            };
            for (_, field) in &mut model.fields {
                if let Some(relation) = &mut field.relation
                    && relation.to == target
                    && relation.to_field.as_deref() == Some(old_name)
                {
                    relation.to_field = Some(new_name.to_owned());
                }
            }
        }
    }
}

/// Keeping track of database names Django derived from names that changed since.
impl ProjectState {
    /// Moves the marks of `old` to `new` (a renamed model), or of one field to its new
    /// name.
    fn move_marks(&mut self, old: &ModelRef, new: &ModelRef, field: Option<(&str, &str)>) {
        self.stale_fk_names.rename(old, new, field);
        self.stale_names.rename(old, new, field);
    }

    /// The table of `model` (already under its new key) was renamed: everything named
    /// after it is stale. `AlterModelTable` (`keeps_incoming`) leaves the foreign keys that
    /// point at it alone; `RenameModel` re-creates them under new names.
    fn mark_table_renamed(&mut self, model: &ModelRef, keeps_incoming: bool) {
        let mut fk = Vec::new();
        let mut names = Vec::new();
        for (key, state) in self.models.iter() {
            for (name, field) in &state.fields {
                let entry = || (key.to_ref(), name.clone());
                let points_here = field.relation.as_ref().is_some_and(|r| &r.to == model);
                if key.is(model) {
                    names.push(entry());
                    // A foreign key to the model itself is re-created by `RenameModel`.
                    if field.relation.is_some() && (keeps_incoming || !points_here) {
                        fk.push(entry());
                    }
                } else if points_here && field.is_many_to_many() {
                    names.push(entry());
                } else if points_here && keeps_incoming {
                    fk.push(entry());
                }
            }
        }
        self.stale_fk_names.extend(fk);
        self.stale_names.extend(names);
    }

    /// Field `old_name` of `model` changed column: foreign keys to it keep constraint
    /// names that spell the old column.
    fn mark_column_renamed(&mut self, model: &ModelRef, old_name: &str) {
        let is_pk = self
            .models
            .get(model)
            .and_then(|m| m.field(old_name))
            .is_some_and(|f| f.primary_key);
        let mut fk = Vec::new();
        for (key, state) in self.models.iter() {
            for (name, field) in &state.fields {
                if field.relation.as_ref().is_some_and(|r| {
                    &r.to == model
                        && r.to_field
                            .as_deref()
                            .map_or(is_pk, |to_field| to_field == old_name)
                }) {
                    fk.push((key.to_ref(), name.clone()));
                }
            }
        }
        self.stale_fk_names.extend(fk);
    }

    /// `AlterField`: a new column name, or a many-to-many field's join table, leaves names
    /// behind.
    fn mark_field_altered(&mut self, app: &str, model_name: &str, name: &str, new: &Field) {
        let model = key(app, model_name);
        let Some(old) = self.models.get(&model).and_then(|m| m.field(name)) else {
            return;
        };
        let column_changed = old.db_column != new.db_column;
        // Django's `Field.unique` includes the primary key.
        let keeps_key = (old.unique || old.primary_key) && (new.unique || new.primary_key);
        let rebuilds_incoming = keeps_key && may_change_type(old, new);
        if column_changed || old.is_many_to_many() || new.is_many_to_many() {
            self.stale_names.insert(&model, name);
        }
        if column_changed {
            self.mark_column_renamed(&model, name);
        }
        // A type change of a key others point at makes Django rebuild their foreign keys
        // under `_fk`-suffixed names (`_alter_field`'s `rels_to_update`), and those pointing
        // at them in turn. Whether the type changes is the SQL layer's business: any change
        // that may touch it counts.
        if rebuilds_incoming {
            self.mark_incoming_rebuilt(&model, name);
        }
    }

    /// The foreign keys pointing at field `name` of `model`, and transitively at them, were
    /// re-created under names the state does not derive.
    fn mark_incoming_rebuilt(&mut self, model: &ModelRef, name: &str) {
        let mut todo = vec![(model.clone(), name.to_owned())];
        let mut seen = BTreeSet::new();
        while let Some((target, field_name)) = todo.pop() {
            if !seen.insert((target.clone(), field_name.clone())) {
                continue;
            }
            let is_pk = self
                .models
                .get(&target)
                .and_then(|m| m.field(&field_name))
                .is_some_and(|f| f.primary_key);
            for (key, state) in self.models.iter() {
                for (other, field) in &state.fields {
                    let Some(relation) = &field.relation else {
                        continue;
                    };
                    let points_here = relation.to == target
                        && relation
                            .to_field
                            .as_deref()
                            .map_or(is_pk, |to_field| to_field == field_name);
                    if points_here {
                        self.stale_fk_names.insert(&key.to_ref(), other);
                        if field.is_many_to_many() {
                            // A join table's foreign keys are covered by its field's names.
                            self.stale_names.insert(&key.to_ref(), other);
                        }
                        todo.push((key.to_ref(), other.clone()));
                    } else if field.is_many_to_many() && is_pk && key.is(&target) {
                        self.stale_names.insert(&key.to_ref(), other);
                    }
                }
            }
        }
    }
}

impl ModelState {
    /// Marks every field as [`ModelState::touched`].
    fn touch_all(&mut self) {
        self.touched = self.fields.iter().map(|(n, _)| n.clone()).collect();
    }

    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    /// The database table: `db_table`, or Django's `<app_label>_<model name lowercased>`.
    pub fn db_table(&self) -> String {
        self.options
            .db_table
            .clone()
            .unwrap_or_else(|| default_table(&self.app_label, &self.name))
    }

    /// The primary key field, with its name.
    pub fn primary_key(&self) -> Option<(&str, &Field)> {
        self.fields
            .iter()
            .find(|(_, f)| f.primary_key)
            .map(|(n, f)| (n.as_str(), f))
    }
}

/// Django's default `db_table`: `<app_label>_<model_name lowercased>`, truncated to 63.
pub fn default_table(app_label: &str, model_name: &str) -> String {
    names::truncate_name(
        &format!("{app_label}_{}", model_name.to_lowercase()),
        names::MAX_NAME_LENGTH,
    )
}

fn key(app: &str, name: &str) -> ModelRef {
    ModelRef {
        app_label: app.to_owned(),
        model: name.to_lowercase(),
    }
}

/// The model whose columns `kind` shapes, for [`ModelState::touched`].
fn shaped_model(kind: &OperationKind) -> Option<&str> {
    match kind {
        OperationKind::CreateModel { name, .. }
        | OperationKind::RenameModel { new_name: name, .. }
        | OperationKind::AlterModelTable { name, .. } => Some(name),
        OperationKind::AddField { model_name, .. }
        | OperationKind::RemoveField { model_name, .. }
        | OperationKind::AlterField { model_name, .. }
        | OperationKind::RenameField { model_name, .. } => Some(model_name),
        _ => None,
    }
}

/// Whether an `AlterField` from `old` to `new` may change the column type: anything but
/// options known not to shape it.
fn may_change_type(old: &Field, new: &Field) -> bool {
    const NEUTRAL: &[&str] = &[
        "blank",
        "choices",
        "db_comment",
        "db_default",
        "db_index",
        "default",
        "editable",
        "error_messages",
        "help_text",
        "null",
        "on_delete",
        "related_name",
        "related_query_name",
        "serialize",
        "unique",
        "validators",
        "verbose_name",
    ];
    let shaping = |field: &Field| {
        let mut args: Vec<_> = field
            .args
            .iter()
            .filter(|(k, _)| !NEUTRAL.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.kind.clone()))
            .collect();
        args.sort_by(|a, b| a.0.cmp(&b.0));
        args
    };
    old.class != new.class
        || old.max_length != new.max_length
        || old.relation != new.relation
        || old.positional.len() != new.positional.len()
        || shaping(old) != shaping(new)
}

fn points_at(field: &Field, model: &ModelRef) -> bool {
    field
        .relation
        .as_ref()
        .is_some_and(|r| &r.to == model || r.through.as_ref() == Some(model))
}

/// The field as the state keeps it: `preserve_default=False` means the default was only
/// for filling existing rows, so the state forgets it.
fn state_field(field: &Field, preserve_default: bool) -> Field {
    let mut field = field.clone();
    if !preserve_default {
        field.default = None;
        field.args.retain(|(k, _)| k != "default");
    }
    field
}

/// `RenameIndex.state_forwards`: rename a named index, or turn the unnamed `index_together`
/// entry over `old_fields` into a named index.
fn rename_index(
    model: &mut ModelState,
    new_name: &str,
    old_name: Option<&str>,
    old_fields: &[String],
    span: crate::span::Span,
) {
    if let Some(old_name) = old_name {
        if let Some(index) = model
            .options
            .indexes
            .iter_mut()
            .find(|i| i.name.as_deref() == Some(old_name))
        {
            index.name = Some(new_name.to_owned());
        }
        return;
    }
    model.options.index_together.retain(|t| t != old_fields);
    model.options.indexes.push(crate::parse::django::Index {
        class: "Index".to_owned(),
        name: Some(new_name.to_owned()),
        fields: old_fields.to_vec(),
        expressions: Vec::new(),
        args: Vec::new(),
        plain: true,
        span,
    });
}
