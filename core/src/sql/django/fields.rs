//! Fields: `add_field`, `remove_field` and `alter_field` (which `RenameField` also uses) of
//! Django's PostgreSQL schema editor.

use crate::parse::django::{Field, ModelRef, OperationKind};
use crate::sql::StatementKind;
use crate::sql::names::{self, quote};
use crate::state::{Lookup, ModelState};

use super::columns::{
    DbParams, check_sql, column_definition, column_name, comment_sql, db_comment, db_default_sql,
    db_params, effective_default, is_generated, is_unique,
};
use super::editor::{Editor, Sql, Unsupported};
use super::existing::Altered;
use super::forwards::Ctx;
use super::indexes::{CreateIndex, defer_field_indexes, like_opclass};
use super::models::{self, migrates};
use super::relations;

/// `AddField.database_forwards` → `schema_editor.add_field(model, field)`.
pub(super) fn add_field(editor: &mut Editor, ctx: &Ctx<'_>, model_name: &str, name: &str) -> Sql {
    let (table, before) = ctx.table_or_assumed(editor, model_name)?;
    if before.is_some_and(|m| !migrates(m)) {
        return Ok(());
    }
    // The field as the operation wrote it (the state may have dropped a one-off default).
    let OperationKind::AddField { field, .. } = &ctx.operation.kind else {
        return Err(Unsupported::new("a field Lockstep cannot find"));
    };
    if field.is_many_to_many() {
        return models::add_many_to_many(editor, ctx, model_name, name);
    }
    let params = db_params(field, ctx.after)?;
    let column = column_name(name, field);
    // A generated column's expression names the model's other fields.
    let fields = match ctx.after.model(ctx.app, model_name) {
        Lookup::Known(model) => Some(model.fields.as_slice()),
        _ => None,
    };
    let mut definition = column_definition(field, &params, true, fields)?;
    // `add_field` appends the suffix before the check; `table_sql` the other way round.
    if let Some(suffix) = params.suffix {
        definition.push(' ');
        definition.push_str(suffix);
    }
    if let Some(check) = check_sql(&column, &params) {
        definition.push(' ');
        definition.push_str(&check);
    }
    if field.relation.is_some()
        && let Some(fk) = relations::inline_fk_sql(&table, &column, field, ctx.after)?
    {
        definition.push_str(&fk);
    }
    let kind = || StatementKind::AlterTable {
        table: table.clone(),
    };
    editor.mark_shaped(&table, &column);
    editor.execute(
        format!(
            "ALTER TABLE {} ADD COLUMN {} {definition};",
            quote(&table),
            quote(&column)
        ),
        kind(),
    );
    // Django fills existing rows through a column default, then drops it: it keeps defaults
    // in Python, not in the database.
    if field.arg("db_default").is_none() && effective_default(field, &params)?.is_some() {
        editor.execute(
            format!(
                "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT;",
                quote(&table),
                quote(&column)
            ),
            kind(),
        );
    }
    if let Some(comment) = db_comment(field)? {
        editor.execute(comment_sql(&table, &column, Some(comment))?, kind());
    }
    defer_field_indexes(editor, &table, &column, field, &params);
    Ok(())
}

/// `RemoveField.database_forwards` → `schema_editor.remove_field(model, field)`.
pub(super) fn remove_field(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    model_name: &str,
    name: &str,
) -> Sql {
    let model = ctx.model(ctx.before, model_name)?;
    if !migrates(model) {
        return Ok(());
    }
    let field = model
        .field(name)
        .ok_or_else(|| Unsupported::new(format!("the unknown field `{name}`")))?;
    if field.is_many_to_many() {
        return models::remove_many_to_many(editor, ctx, model, name, field);
    }
    db_params(field, ctx.before)?;
    let table = model.db_table();
    let column = column_name(name, field);
    if field.relation.is_some() {
        relations::drop_fk(editor, model, name, field, ctx.before)?;
    }
    editor.execute(
        format!(
            "ALTER TABLE {} DROP COLUMN {} CASCADE;",
            quote(&table),
            quote(&column)
        ),
        StatementKind::AlterTable {
            table: table.clone(),
        },
    );
    editor.drop_deferred_for_column(&table, &column);
    editor.mark_shaped(&table, &column);
    Ok(())
}

/// `AlterField` / `RenameField.database_forwards` → `schema_editor.alter_field(model,
/// old_field, new_field)`: PostgreSQL's `_alter_field`, step by step in Django's order.
#[allow(clippy::too_many_lines, reason = "one port of Django's `_alter_field`")]
pub(super) fn alter_field(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    model_name: &str,
    old_name: &str,
    new_name: &str,
) -> Sql {
    let model = ctx.model(ctx.before, model_name)?;
    if !migrates(model) {
        return Ok(());
    }
    let old = model
        .field(old_name)
        .ok_or_else(|| Unsupported::new(format!("the unknown field `{old_name}`")))?;
    // `AlterField` hands over the field as written, with a one-off default the state drops.
    let new = match &ctx.operation.kind {
        OperationKind::AlterField { field, .. } => field,
        _ => ctx
            .model(ctx.after, model_name)?
            .field(new_name)
            .ok_or_else(|| Unsupported::new(format!("the unknown field `{new_name}`")))?,
    };
    if old.is_many_to_many() || new.is_many_to_many() {
        let new_model = ctx.model(ctx.after, model_name)?;
        return relations::alter_many_to_many(
            editor,
            (model, old_name, old),
            (new_model, new_name, new),
            (ctx.before, ctx.after),
        );
    }
    let old_params = db_params(old, ctx.before)?;
    let new_params = db_params(new, ctx.after)?;
    let table = model.db_table();
    let old_column = column_name(old_name, old);
    let new_column = column_name(new_name, new);
    if is_generated(old) || is_generated(new) {
        // Django refuses to alter a generated column's definition; only a rename or a
        // change of Python-only options runs (nothing, or the rename).
        if !(is_generated(old) && is_generated(new) && same_definition(old, new)) {
            return Err(Unsupported::at("altering a generated column", new.span));
        }
    }
    let relations = (
        relations::relation_key(old, ctx.before),
        relations::relation_key(new, ctx.after),
    );
    let altered = |ignore: &[&str]| {
        should_be_altered(
            (old, &old_column),
            (new, &new_column),
            &new_params,
            &relations,
            ignore,
        )
    };
    if !altered(&[]) {
        return Ok(());
    }
    if old.primary_key != new.primary_key {
        return Err(Unsupported::at(
            "adding or removing a primary key",
            new.span,
        ));
    }
    // Drop any FK constraints, we'll remake them later.
    let dropped_fk = if old.relation.is_some() && altered(&["db_comment"]) {
        relations::existing_fk(editor, model, old_name, old, ctx.before)?
    } else {
        None
    };
    let existing = Altered {
        model,
        name: old_name,
        field: old,
        params: &old_params,
        table: &table,
        column: &old_column,
        shaped: editor.shaped(&table, &old_column),
    };
    editor.mark_shaped(&table, &old_column);
    editor.mark_shaped(&table, &new_column);
    let q_table = quote(&table);
    let q_column = quote(&new_column);
    let alter_table = |editor: &mut Editor, changes: &str| {
        editor.execute(
            format!("ALTER TABLE {q_table} {changes};"),
            StatementKind::AlterTable {
                table: table.clone(),
            },
        );
    };
    let drop_index = |editor: &mut Editor, name: &str| {
        editor.execute(
            format!("DROP INDEX IF EXISTS {};", quote(name)),
            StatementKind::DropIndex {
                names: vec![name.to_owned()],
                concurrently: false,
            },
        );
    };

    if let Some(name) = &dropped_fk {
        relations::execute_drop_fk(editor, &table, name);
    }
    // Has unique been removed?
    if is_unique(old) && !is_unique(new) {
        for name in existing.unique_constraints()? {
            alter_table(editor, &format!("DROP CONSTRAINT {}", quote(&name)));
        }
    }
    // Foreign keys pointing at this column must be dropped and re-created around a type
    // change: that is the relations' part of the schema editor.
    let type_changed =
        old_params.db_type != new_params.db_type || old_params.collation != new_params.collation;
    let drop_foreign_keys = type_changed
        && ((old.primary_key && new.primary_key) || (is_unique(old) && is_unique(new)));
    let rels_to_update = if drop_foreign_keys {
        incoming_fks(editor, ctx, model, old_name, old, model_name, new_name)?
    } else {
        Vec::new()
    };
    for rel in &rels_to_update {
        if let Some(name) = &rel.existing_fk {
            relations::execute_drop_fk(editor, &rel.table, name);
        }
    }
    // Removed an index?
    if old.db_index && !is_unique(old) && (!new.db_index || is_unique(new)) {
        for name in existing.plain_indexes()? {
            drop_index(editor, &name);
        }
    }
    // Change check constraints?
    if old_params.check != new_params.check && old_params.check.is_some() {
        for name in existing.checks()? {
            alter_table(editor, &format!("DROP CONSTRAINT {}", quote(&name)));
        }
    }
    // Have they renamed the column?
    if old_column != new_column {
        if editor.references_column(&table, &old_column) {
            return Err(Unsupported::at(
                "renaming a column that statements deferred earlier in the migration name",
                new.span,
            ));
        }
        alter_table(
            editor,
            &format!("RENAME COLUMN {} TO {q_column}", quote(&old_column)),
        );
    }

    let mut actions: Vec<String> = Vec::new();
    let mut null_actions: Vec<String> = Vec::new();
    let mut post_actions: Vec<(String, StatementKind)> = Vec::new();
    // Type, collation, or comment change?
    let comment_changed = !same_arg(old, new, "db_comment");
    if type_changed || old_params.suffix != new_params.suffix || comment_changed {
        let (fragment, others) = alter_column_type(
            editor,
            &existing,
            new,
            &new_params,
            &new_column,
            comment_changed,
        )?;
        actions.push(fragment);
        post_actions.extend(others);
    }
    let new_db_default = new.arg("db_default").is_some();
    if new_db_default {
        if old.arg("db_default").is_none() || !same_arg(old, new, "db_default") {
            actions.push(format!(
                "ALTER COLUMN {q_column} SET DEFAULT {}",
                db_default_sql(new, &new_params)?
            ));
        }
    } else if old.arg("db_default").is_some() {
        actions.push(format!("ALTER COLUMN {q_column} DROP DEFAULT"));
    }
    // NULL to NOT NULL with a default: add the default, fill the NULL rows, forbid NULL,
    // drop the default again.
    let mut needs_database_default = false;
    let mut new_default = None;
    if old.null && !new.null && !new_db_default {
        let old_default = effective_default(old, &old_params)?;
        new_default = effective_default(new, &new_params)?;
        // Django compares the Python values (`0 == 0.0`, `Decimal("1.0") == Decimal("1.00")`);
        // their literals agree with that only within one exact type.
        if old_default.is_some()
            && old_default != new_default
            && (old_params.internal != new_params.internal
                || ["FloatField", "DecimalField"].contains(&new_params.internal.as_str()))
        {
            return Err(Unsupported::at(
                "comparing the old and the new default (Python equality)",
                new.span,
            ));
        }
        if let Some(default) = new_default
            .as_ref()
            .filter(|d| old_default.as_ref() != Some(*d))
        {
            needs_database_default = true;
            actions.push(format!("ALTER COLUMN {q_column} SET DEFAULT {default}"));
        }
    }
    if old.null != new.null {
        null_actions.push(format!(
            "ALTER COLUMN {q_column} {}",
            if new.null {
                "DROP NOT NULL"
            } else {
                "SET NOT NULL"
            }
        ));
    }
    let four_way = (new.has_default() || new_db_default) && old.null && !new.null;
    if !actions.is_empty() || !null_actions.is_empty() {
        if !four_way {
            actions.append(&mut null_actions);
        }
        // PostgreSQL combines the changes into one statement.
        if !actions.is_empty() {
            alter_table(editor, &actions.join(", "));
        }
        if four_way {
            let default = if new_db_default {
                db_default_sql(new, &new_params)?
            } else {
                new_default.unwrap_or_else(|| "NULL".to_owned())
            };
            editor.execute(
                format!(
                    "UPDATE {q_table} SET {q_column} = {default} WHERE {q_column} IS NULL; \
                     SET CONSTRAINTS ALL IMMEDIATE;"
                ),
                StatementKind::Other,
            );
            for action in &null_actions {
                alter_table(editor, action);
            }
        }
    }
    for (sql, kind) in post_actions {
        editor.execute(sql, kind);
    }
    // Added a unique?
    if !new.primary_key && is_unique(new) && !is_unique(old) {
        let name = names::index_name(&table, &[&new_column], "_uniq");
        alter_table(
            editor,
            &format!("ADD CONSTRAINT {} UNIQUE ({q_column})", quote(&name)),
        );
    }
    // Added an index?
    if (!old.db_index || is_unique(old)) && new.db_index && !is_unique(new) {
        create_index(editor, &table, &new_column, "", "");
    }
    // Type alteration on primary key? Then we need to alter the column referring to us.
    for rel in &rels_to_update {
        editor.mark_shaped(&rel.table, &rel.column);
        let (fragment, others) = alter_column_type(
            editor,
            &Altered {
                model: &rel.old.model,
                name: &rel.old.name,
                field: &rel.old.field,
                params: &rel.old_params,
                table: &rel.table,
                column: &rel.column,
                shaped: false,
            },
            &rel.new_field,
            &rel.new_params,
            &rel.column,
            false,
        )?;
        editor.execute(
            format!("ALTER TABLE {} {fragment};", quote(&rel.table)),
            StatementKind::AlterTable {
                table: rel.table.clone(),
            },
        );
        for (sql, kind) in others {
            editor.execute(sql, kind);
        }
    }
    // Does it have a foreign key?
    if new.relation.is_some()
        && (dropped_fk.is_some()
            || old.relation.is_none()
            || !old.relation.as_ref().is_some_and(|r| r.db_constraint))
    {
        relations::execute_create_fk(editor, &table, &new_column, new, ctx.after, false)?;
    }
    // Rebuild FKs that pointed to us if we previously had to drop them.
    for rel in &rels_to_update {
        relations::execute_create_fk(
            editor,
            &rel.new_table,
            &rel.column,
            &rel.new_field,
            ctx.after,
            true,
        )?;
    }
    // Does it have check constraints we need to add?
    if old_params.check != new_params.check
        && let Some(check) = check_sql(&new_column, &new_params)
    {
        let name = names::index_name(&table, &[&new_column], "_check");
        alter_table(editor, &format!("ADD CONSTRAINT {} {check}", quote(&name)));
    }
    if needs_database_default {
        alter_table(editor, &format!("ALTER COLUMN {q_column} DROP DEFAULT"));
    }
    // PostgreSQL's own: the `_like` pattern index follows the column's indexing and type.
    let changing_indexed_text = changes_indexed_text_type(old, &old_params, &new_params);
    if ((!(old.db_index || is_unique(old)) && new.db_index)
        || (!is_unique(old) && is_unique(new))
        || changing_indexed_text)
        && let Some(opclass) = like_opclass(new, &new_params)
    {
        create_index(editor, &table, &new_column, "_like", opclass);
    }
    if is_unique(old) && !(new.db_index || is_unique(new)) {
        drop_index(editor, &names::index_name(&table, &[&old_column], "_like"));
    }
    Ok(())
}

/// `_alter_column_type_sql` of the PostgreSQL schema editor: the `ALTER COLUMN … TYPE`
/// fragment, and what runs after the combined `ALTER TABLE` (the comment, identity and
/// sequence changes). It drops the `_like` index of a text column leaving text at once.
fn alter_column_type(
    editor: &mut Editor,
    old: &Altered<'_>,
    new: &Field,
    new_params: &DbParams,
    new_column: &str,
    comment_changed: bool,
) -> Sql<(String, Vec<(String, StatementKind)>)> {
    let table = old.table;
    let alter_kind = || StatementKind::AlterTable {
        table: table.to_owned(),
    };
    if changes_indexed_text_type(old.field, old.params, new_params) {
        let name = names::index_name(table, &[old.column], "_like");
        editor.execute(
            format!("DROP INDEX IF EXISTS {};", quote(&name)),
            StatementKind::DropIndex {
                names: vec![name],
                concurrently: false,
            },
        );
    }
    let q_column = quote(new_column);
    let new_type = &new_params.db_type;
    let using = if using_cast((old.field, old.params), (new, new_params)) {
        format!(" USING {q_column}::{new_type}")
    } else {
        String::new()
    };
    let mut others = Vec::new();
    match (is_auto(old.field, old.params), is_auto(new, new_params)) {
        (false, true) => {
            others.push((
                format!(
                    "ALTER TABLE {} ALTER COLUMN {q_column} ADD GENERATED BY DEFAULT AS IDENTITY;",
                    quote(table)
                ),
                alter_kind(),
            ));
            return Ok((
                format!("ALTER COLUMN {q_column} TYPE {new_type}{using}"),
                others,
            ));
        }
        (true, false) => {
            // `sqlmigrate` finds the identity's sequence before the identity is dropped, and
            // prints a `DROP SEQUENCE` that `migrate` would not run.
            return Err(Unsupported::at(
                "turning an auto field into a plain column",
                new.span,
            ));
        }
        // Between auto fields, the sequence changes type (and a comment change is lost,
        // as in Django).
        (true, true) if old.params.internal != new_params.internal => {
            others.push((
                format!(
                    "ALTER SEQUENCE IF EXISTS {} AS {new_type};",
                    quote(&old.sequence()?)
                ),
                StatementKind::Other,
            ));
        }
        _ => {
            if comment_changed {
                // PostgreSQL cannot comment in `ALTER COLUMN`: a separate statement follows.
                others.push((
                    comment_sql(table, new_column, db_comment(new)?)?,
                    alter_kind(),
                ));
            }
        }
    }
    let collate = new_params
        .collation
        .as_ref()
        .map_or_else(String::new, |c| format!(" COLLATE {}", quote(c)));
    Ok((
        format!("ALTER COLUMN {q_column} TYPE {new_type}{collate}{using}"),
        others,
    ))
}

/// `_using_sql`: whether PostgreSQL needs `USING "column"::type` (the data types differ,
/// or, between arrays, their base types). A relation's data type is its full `db_type`.
fn using_cast(
    (old, old_params): (&Field, &DbParams),
    (new, new_params): (&Field, &DbParams),
) -> bool {
    let plain = old.relation.is_none() && new.relation.is_none();
    if plain && old_params.internal == "ArrayField" && new_params.internal == "ArrayField" {
        return old_params.array_base != new_params.array_base;
    }
    let data_type = |field: &Field, params: &DbParams| {
        if field.relation.is_some() {
            params.db_type.clone()
        } else {
            params.data_type.clone()
        }
    };
    data_type(old, old_params) != data_type(new, new_params)
}

/// Whether the column is an identity: an auto field (a relation's parameters carry its
/// target's internal type, but it is a `ForeignKey`).
fn is_auto(field: &Field, params: &DbParams) -> bool {
    field.relation.is_none() && params.is_auto()
}

/// `_is_changing_type_of_indexed_text_column`.
fn changes_indexed_text_type(old: &Field, old_params: &DbParams, new_params: &DbParams) -> bool {
    let (old_type, new_type) = (&old_params.db_type, &new_params.db_type);
    (old.db_index || is_unique(old))
        && ["varchar", "text", "citext"]
            .iter()
            .any(|t| old_type.starts_with(t) && !new_type.starts_with(t))
}

/// `_create_index_sql(model, fields=[field], suffix=…, opclasses=…)`, run now.
fn create_index(editor: &mut Editor, table: &str, column: &str, suffix: &str, opclass: &str) {
    let columns = if opclass.is_empty() {
        quote(column)
    } else {
        format!("{} {opclass}", quote(column))
    };
    let (sql, kind) = CreateIndex {
        name: names::index_name(table, &[column], suffix),
        table: table.to_owned(),
        unique: false,
        concurrently: false,
        using: String::new(),
        columns,
        include: String::new(),
        extra: String::new(),
        condition: String::new(),
    }
    .render();
    editor.execute(sql, kind);
}

/// `Field.non_db_attrs`: options that never change the schema.
const NON_DB_ATTRS: &[&str] = &[
    "blank",
    "choices",
    "db_column",
    "editable",
    "error_messages",
    "help_text",
    "limit_choices_to",
    "on_delete",
    "related_name",
    "related_query_name",
    "validators",
    "verbose_name",
];

/// `_field_should_be_altered`: the column is renamed, or the class or a schema-relevant
/// option differs (a `db_default` written differently but compiling alike does not count).
/// Options written with their default value are dropped first, as `deconstruct()` does; a
/// relation compares as its [`relations::RelationKey`]. Options in `ignore` do not count.
fn should_be_altered(
    (old, old_column): (&Field, &str),
    (new, new_column): (&Field, &str),
    new_params: &DbParams,
    relations: &(
        Option<relations::RelationKey>,
        Option<relations::RelationKey>,
    ),
    ignore: &[&str],
) -> bool {
    if old_column != new_column || old.class != new.class || relations.0 != relations.1 {
        return true;
    }
    let relevant = |field: &Field| -> Vec<(String, crate::parse::python::ValueKind)> {
        field
            .args
            .iter()
            .filter(|(k, v)| {
                let k = k.as_str();
                let dropped = NON_DB_ATTRS.contains(&k)
                    || ignore.contains(&k)
                    || (field.relation.is_some() && RELATION_KEY_ARGS.contains(&k))
                    || written_default(field, k, &v.kind);
                !dropped
            })
            .map(|(k, v)| (k.clone(), v.kind.clone()))
            .collect()
    };
    let (mut old_args, mut new_args) = (relevant(old), relevant(new));
    if let (Some(a), Some(b)) = (old.arg("db_default"), new.arg("db_default"))
        && !same_value(&a.kind, &b.kind)
    {
        let compiled = |f: &Field| {
            // Both fields compile their literal for the new field's type only when alike.
            db_default_sql(f, new_params).ok()
        };
        if compiled(old).is_some() && compiled(old) == compiled(new) {
            old_args.retain(|(k, _)| k != "db_default");
            new_args.retain(|(k, _)| k != "db_default");
        }
    }
    old_args.sort_by(|a, b| a.0.cmp(&b.0));
    new_args.sort_by(|a, b| a.0.cmp(&b.0));
    old_args.len() != new_args.len()
        || old_args
            .iter()
            .zip(&new_args)
            .any(|((ka, va), (kb, vb))| ka != kb || !same_value(va, vb))
}

/// The arguments of a relation that its [`relations::RelationKey`] stands for.
const RELATION_KEY_ARGS: &[&str] = &["to", "to_field", "db_constraint"];

/// Whether `name=value` is the field's default, which `deconstruct()` leaves out.
fn written_default(field: &Field, name: &str, value: &crate::parse::python::ValueKind) -> bool {
    use crate::parse::python::ValueKind as K;
    match (name, value) {
        ("null" | "unique" | "primary_key", K::Bool(false)) => true,
        ("db_index", K::Bool(b)) => *b == (field.class == "SlugField" || field.is_foreign_key()),
        // `OneToOneField.deconstruct()` drops `unique` (always true).
        ("unique", _) => field.class == "OneToOneField",
        _ => false,
    }
}

/// Whether keyword argument `name` is the same on both fields (as written, ignoring where).
fn same_arg(old: &Field, new: &Field, name: &str) -> bool {
    match (old.arg(name), new.arg(name)) {
        (None, None) => true,
        (Some(a), Some(b)) => same_value(&a.kind, &b.kind),
        _ => false,
    }
}

/// Whether two generated fields define the same column (their expression, output and
/// persistence as written).
fn same_definition(old: &Field, new: &Field) -> bool {
    ["expression", "output_field", "db_persist", "db_column"]
        .iter()
        .all(|arg| same_arg(old, new, arg))
}

/// Python value equality of two values as written, ignoring their positions.
fn same_value(a: &crate::parse::python::ValueKind, b: &crate::parse::python::ValueKind) -> bool {
    use crate::parse::python::ValueKind as K;
    let all = |x: &[crate::parse::python::Value], y: &[crate::parse::python::Value]| {
        x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_value(&x.kind, &y.kind))
    };
    match (a, b) {
        (K::List(x), K::List(y)) | (K::Tuple(x), K::Tuple(y)) => all(x, y),
        (K::Dict(x), K::Dict(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|((xk, xv), (yk, yv))| {
                    same_value(&xk.kind, &yk.kind) && same_value(&xv.kind, &yv.kind)
                })
        }
        (K::Call(x), K::Call(y)) => {
            x.callee == y.callee
                && all(&x.args, &y.args)
                && x.kwargs.len() == y.kwargs.len()
                && x.kwargs
                    .iter()
                    .zip(&y.kwargs)
                    .all(|((xk, xv), (yk, yv))| xk == yk && same_value(&xv.kind, &yv.kind))
        }
        (K::Unknown, _) | (_, K::Unknown) => false,
        _ => a == b,
    }
}

/// A foreign key `_alter_field` drops, retypes and rebuilds around a type change of the
/// field it points at.
struct RelToUpdate {
    /// The foreign key as the state before the operation has it.
    old: relations::Incoming,
    /// Its parameters then.
    old_params: DbParams,
    /// The same foreign key after the operation.
    new_field: Field,
    /// Its parameters after (the new type of the field it points at).
    new_params: DbParams,
    /// Its table before and after (the same, unless it points at its own model).
    table: String,
    /// Its table after the operation.
    new_table: String,
    /// Its column.
    column: String,
    /// The name of its `FOREIGN KEY` constraint in the database, if it has one.
    existing_fk: Option<String>,
}

/// `_related_non_m2m_objects(old_field, new_field)` with what `_alter_field` needs of each.
fn incoming_fks(
    editor: &Editor,
    ctx: &Ctx<'_>,
    model: &ModelState,
    old_name: &str,
    old: &Field,
    model_name: &str,
    new_name: &str,
) -> Sql<Vec<RelToUpdate>> {
    if old_name != new_name {
        return Err(Unsupported::at(
            "renaming a field other tables' foreign keys point at while its type changes",
            old.span,
        ));
    }
    let mut rels = Vec::new();
    for rel in relations::incoming(ctx.before, model, old_name, old)? {
        if !migrates(&rel.model) {
            return Err(Unsupported::at(
                "a foreign key of an unmanaged model pointing at the altered field",
                rel.field.span,
            ));
        }
        let (new_table, new_field) = match &rel.join_of {
            None => {
                let key = ModelRef {
                    app_label: rel.model.app_label.clone(),
                    model: rel.model.name.to_lowercase(),
                };
                let after = if key.app_label == ctx.app && key.model == model_name.to_lowercase() {
                    Some(ctx.model(ctx.after, model_name)?)
                } else {
                    ctx.after.get(&key)
                };
                let after = after.ok_or_else(|| {
                    Unsupported::at("a model pointing at the altered field", rel.field.span)
                })?;
                (after.db_table(), after.field(&rel.name).cloned())
            }
            Some((holder, m2m)) => {
                if ctx.before.names_stale(holder, m2m) || ctx.before.fk_name_stale(holder, m2m) {
                    return Err(Unsupported::at(
                        "a join table's foreign key named after a table or column renamed since",
                        rel.field.span,
                    ));
                }
                let after = ctx.after.get(holder);
                let through = match after.and_then(|h| h.field(m2m).map(|f| (h, f))) {
                    Some((h, f)) => relations::through_model(h, m2m, f, ctx.after)?,
                    None => None,
                };
                match through {
                    Some(t) => (t.db_table(), t.field(&rel.name).cloned()),
                    None => (String::new(), None),
                }
            }
        };
        let new_field = new_field.ok_or_else(|| {
            Unsupported::at(
                "a foreign key pointing at the altered field",
                rel.field.span,
            )
        })?;
        let existing_fk =
            relations::existing_fk(editor, &rel.model, &rel.name, &rel.field, ctx.before)?;
        rels.push(RelToUpdate {
            old_params: db_params(&rel.field, ctx.before)?,
            new_params: db_params(&new_field, ctx.after)?,
            table: rel.model.db_table(),
            new_table,
            column: column_name(&rel.name, &rel.field),
            existing_fk,
            new_field,
            old: rel,
        });
    }
    Ok(rels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::python::ValueKind;

    fn field(class: &str) -> Field {
        Field::builtin(class)
    }

    // What `deconstruct()` leaves out in Django 5.2: `ForeignKey(db_index=True)` and any
    // `unique=` of a `OneToOneField`.
    #[test]
    fn relation_defaults_are_not_changes() {
        let fk = field("ForeignKey");
        assert!(written_default(&fk, "db_index", &ValueKind::Bool(true)));
        assert!(!written_default(&fk, "db_index", &ValueKind::Bool(false)));
        let one = field("OneToOneField");
        assert!(written_default(&one, "unique", &ValueKind::Bool(true)));
        assert!(!written_default(
            &field("CharField"),
            "db_index",
            &ValueKind::Bool(true)
        ));
    }

    // `_using_sql` compares a relation's full type (`rel_db_type`), not a template.
    #[test]
    fn relations_cast_on_their_full_type() {
        let params = |db_type: &str, data_type: &str| DbParams {
            db_type: db_type.to_owned(),
            check: None,
            suffix: None,
            collation: None,
            internal: "CharField".to_owned(),
            data_type: data_type.to_owned(),
            array_base: None,
        };
        let mut fk = field("ForeignKey");
        fk.relation = Some(crate::parse::django::Relation {
            to: ModelRef {
                app_label: "a".to_owned(),
                model: "b".to_owned(),
            },
            swappable: false,
            to_field: None,
            db_constraint: true,
            through: None,
            db_table: None,
        });
        let (short, long) = (
            params("varchar(10)", "varchar(%(max_length)s)"),
            params("varchar(20)", "varchar(%(max_length)s)"),
        );
        assert!(using_cast((&fk, &short), (&fk, &long)));
        let plain = field("CharField");
        assert!(!using_cast((&plain, &short), (&plain, &long)));
    }
}
