//! Models: `create_model`, `delete_model`, `alter_db_table`, `alter_db_table_comment`,
//! `alter_unique_together`, `alter_index_together` of Django's PostgreSQL schema editor, and
//! the `database_forwards` of `RenameModel` and `AlterOrderWithRespectTo`.

use crate::parse::django::{Field, ModelRef};
use crate::sql::StatementKind;
use crate::sql::names::{self, quote};
use crate::state::{ModelState, ProjectState};

use super::columns::{
    check_sql, column_definition, column_name, comment_sql, db_comment, db_params,
};
use super::editor::{Editor, Sql, Unsupported};
use super::forwards::Ctx;
use super::indexes::{CreateIndex, defer_field_indexes};
use super::{constraints, indexes, relations};

/// `allow_migrate_model`: unmanaged and proxy models have no SQL.
pub(super) fn migrates(model: &ModelState) -> bool {
    model.options.managed && !model.options.proxy
}

/// The state's key of `model`.
fn key(model: &ModelState) -> ModelRef {
    ModelRef {
        app_label: model.app_label.clone(),
        model: model.name.to_lowercase(),
    }
}

/// `CreateModel.database_forwards` → `schema_editor.create_model(model)`, then the
/// historical `index_together` through `alter_index_together`.
pub(super) fn create_model(editor: &mut Editor, ctx: &Ctx<'_>, model: &ModelState) -> Sql {
    if !migrates(model) {
        return Ok(());
    }
    create_table(editor, ctx.after, model)?;
    let together = &model.options.index_together;
    if together.len() > 1 {
        return Err(several("index_together"));
    }
    for fields in together {
        execute_together_index(editor, model, fields)?;
    }
    Ok(())
}

/// Django iterates a Python set, whose order for several entries changes from run to run.
fn several(option: &str) -> Unsupported {
    Unsupported::new(format!(
        "several `{option}` entries (Django emits them in set order, which varies between runs)"
    ))
}

/// `schema_editor.create_model(model)`: `table_sql`, comments, deferred indexes, and the
/// auto-created join tables.
fn create_table(editor: &mut Editor, state: &ProjectState, model: &ModelState) -> Sql {
    let options = &model.options;
    if let Some(option) = options.unknown.first() {
        return Err(Unsupported::new(format!("the model option `{option}`")));
    }
    if options.unique_together.len() > 1 {
        return Err(several("unique_together"));
    }
    let table = model.db_table();
    // `table_sql`: `unique_together` first (always deferred), then the columns with their
    // foreign keys deferred in field order.
    for fields in &options.unique_together {
        let (sql, kind, references) = unique_sql(model, fields)?;
        editor.defer(sql, kind, references);
    }
    let mut columns = Vec::with_capacity(model.fields.len());
    let mut indexed = Vec::new();
    for (name, field) in &model.fields {
        if field.is_many_to_many() {
            continue;
        }
        let params = db_params(field, state)?;
        let column = column_name(name, field);
        let definition = column_definition(field, &params, false, Some(&model.fields))?;
        let mut definition = format!("{} {definition}", quote(&column));
        if let Some(check) = check_sql(&column, &params) {
            definition.push(' ');
            definition.push_str(&check);
        }
        if let Some(suffix) = params.suffix {
            definition.push(' ');
            definition.push_str(suffix);
        }
        if field.relation.is_some() {
            relations::defer_fk(editor, &table, &column, field, state)?;
        }
        columns.push(definition);
        indexed.push((column, field, params));
    }
    // `order_with_respect_to` adds `_order = OrderWrt()`, an `IntegerField`, last.
    if options.order_with_respect_to.is_some() {
        columns.push(format!("{} integer NOT NULL", quote("_order")));
    }
    // `Meta.constraints` go inside `CREATE TABLE`, except those Django builds as a unique
    // index: `_unique_sql` defers those, after the foreign keys.
    for constraint in &options.constraints {
        if let Some(clause) = constraints::constraint_sql(model, constraint)? {
            columns.push(clause);
        } else {
            let (sql, kind) = constraints::create_sql(model, constraint)?;
            editor.defer(sql, kind, vec![(table.clone(), None)]);
        }
    }
    editor.execute(
        format!("CREATE TABLE {} ({});", quote(&table), columns.join(", ")),
        StatementKind::CreateTable {
            table: table.clone(),
        },
    );
    if let Some(comment) = &options.db_table_comment {
        table_comment(editor, &table, Some(comment))?;
    }
    for (column, field, _) in &indexed {
        column_comment(editor, &table, column, field)?;
    }
    // `_model_indexes_sql`: field indexes, then `Meta.indexes`.
    for (column, field, params) in &indexed {
        defer_field_indexes(editor, &table, column, field, params);
    }
    for index in &options.indexes {
        let (sql, kind) = indexes::index_sql(model, index)?;
        editor.defer(sql, kind, vec![(table.clone(), None)]);
    }
    for (name, field) in &model.fields {
        if field.is_many_to_many()
            && let Some(through) = relations::through_model(model, name, field, state)?
        {
            create_table(editor, state, &through)?;
        }
    }
    Ok(())
}

/// `COMMENT ON COLUMN` for a field's `db_comment` (PostgreSQL has no inline comments).
fn column_comment(editor: &mut Editor, table: &str, column: &str, field: &Field) -> Sql {
    if let Some(comment) = db_comment(field)? {
        editor.execute(
            comment_sql(table, column, Some(comment))?,
            StatementKind::Other,
        );
    }
    Ok(())
}

/// `COMMENT ON TABLE … IS …;` (`alter_db_table_comment`).
fn table_comment(editor: &mut Editor, table: &str, comment: Option<&str>) -> Sql {
    editor.execute(
        format!(
            "COMMENT ON TABLE {} IS {};",
            quote(table),
            quote_comment(comment.unwrap_or(""))?
        ),
        StatementKind::Other,
    );
    Ok(())
}

/// psycopg's quoting of a comment string, for the strings it quotes plainly.
fn quote_comment(comment: &str) -> Sql<String> {
    if comment.contains('\\') || comment.contains('\0') {
        return Err(Unsupported::new(
            "a comment with a backslash (its quoting by psycopg)",
        ));
    }
    Ok(format!("'{}'", comment.replace('\'', "''")))
}

/// The columns of `fields` (field names) of `model`.
fn together_columns(model: &ModelState, fields: &[String]) -> Sql<Vec<String>> {
    fields
        .iter()
        .map(|name| {
            model
                .field(name)
                .map(|field| column_name(name, field))
                .ok_or_else(|| Unsupported::new(format!("the unknown field `{name}`")))
        })
        .collect()
}

/// The statement text, its kind and the table/column pairs it names.
type Built = (String, StatementKind, Vec<(String, Option<String>)>);

/// `_create_unique_sql(model, fields)` for a `unique_together` entry:
/// `ALTER TABLE … ADD CONSTRAINT "…_uniq" UNIQUE (…);`.
fn unique_sql(model: &ModelState, fields: &[String]) -> Sql<Built> {
    let table = model.db_table();
    let columns = together_columns(model, fields)?;
    let refs: Vec<&str> = columns.iter().map(String::as_str).collect();
    let name = names::index_name(&table, &refs, "_uniq");
    let sql = format!(
        "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({});",
        quote(&table),
        quote(&name),
        quoted_list(&columns)
    );
    let references = columns
        .iter()
        .map(|c| (table.clone(), Some(c.clone())))
        .collect();
    Ok((sql, StatementKind::AlterTable { table }, references))
}

fn quoted_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| quote(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `_create_index_sql(model, fields=fields, suffix="_idx")`, run at once.
fn execute_together_index(editor: &mut Editor, model: &ModelState, fields: &[String]) -> Sql {
    let table = model.db_table();
    let columns = together_columns(model, fields)?;
    let refs: Vec<&str> = columns.iter().map(String::as_str).collect();
    let (sql, kind) = CreateIndex {
        name: names::index_name(&table, &refs, "_idx"),
        table,
        unique: false,
        concurrently: false,
        using: String::new(),
        columns: quoted_list(&columns),
        include: String::new(),
        extra: String::new(),
        condition: String::new(),
    }
    .render();
    editor.execute(sql, kind);
    Ok(())
}

/// `DeleteModel.database_forwards` → `schema_editor.delete_model(model)`.
pub(super) fn delete_model(editor: &mut Editor, ctx: &Ctx<'_>, model: &ModelState) -> Sql {
    if !migrates(model) {
        return Ok(());
    }
    drop_table(editor, ctx.before, model)
}

/// `schema_editor.delete_model(model)`: the auto-created join tables first.
fn drop_table(editor: &mut Editor, state: &ProjectState, model: &ModelState) -> Sql {
    for (name, field) in &model.fields {
        if field.is_many_to_many()
            && let Some(through) = relations::through_model(model, name, field, state)?
        {
            drop_table(editor, state, &through)?;
        }
    }
    let table = model.db_table();
    editor.execute(
        format!("DROP TABLE {} CASCADE;", quote(&table)),
        StatementKind::Other,
    );
    editor.drop_deferred_for_table(&table);
    Ok(())
}

/// `AddField` of a many-to-many field: `create_model(field.remote_field.through)`.
pub(super) fn add_many_to_many(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    model_name: &str,
    name: &str,
) -> Sql {
    let model = ctx.model(ctx.after, model_name)?;
    let field = model
        .field(name)
        .ok_or_else(|| Unsupported::new(format!("the unknown field `{name}`")))?;
    if let Some(through) = relations::through_model(model, name, field, ctx.after)? {
        create_table(editor, ctx.after, &through)?;
    }
    Ok(())
}

/// `RemoveField` of a many-to-many field: `delete_model(field.remote_field.through)`.
pub(super) fn remove_many_to_many(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    model: &ModelState,
    name: &str,
    field: &Field,
) -> Sql {
    if let Some(through) = relations::through_model(model, name, field, ctx.before)? {
        drop_table(editor, ctx.before, &through)?;
    }
    Ok(())
}

/// `RenameModel.database_forwards`: the table moves, and the foreign keys pointing at it
/// are re-created under their new names.
pub(super) fn rename_model(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    old_name: &str,
    new_name: &str,
) -> Sql {
    let new_model = ctx.model(ctx.after, new_name)?;
    if !migrates(new_model) {
        return Ok(());
    }
    let old_model = ctx.model(ctx.before, old_name)?;
    let old_key = key(old_model);
    if old_model.fields.iter().any(|(_, f)| f.is_many_to_many()) {
        return Err(Unsupported::new(
            "renaming a model with many-to-many fields (their join tables are renamed too)",
        ));
    }
    // `old_model._meta.related_objects`: the fields of other models pointing at it.
    let mut related = Vec::new();
    for model in ctx.before.models() {
        for (name, field) in &model.fields {
            if field.relation.as_ref().is_some_and(|r| r.to == old_key) {
                if field.is_many_to_many() {
                    return Err(Unsupported::at(
                        "renaming a model that many-to-many fields point at",
                        field.span,
                    ));
                }
                related.push((model, name, field));
            }
        }
    }
    if related.len() > 1 {
        return Err(Unsupported::new(
            "renaming a model several foreign keys point at (Django's order of them is not modelled)",
        ));
    }
    let (old_table, new_table) = (old_model.db_table(), new_model.db_table());
    rename_table(editor, &old_table, &new_table)?;
    for (model, name, old_field) in related {
        // The referencing model as it is after the operation (itself, if self-referential).
        let new_referencing = if key(model) == old_key {
            new_model
        } else {
            ctx.after.get(&key(model)).ok_or_else(|| {
                Unsupported::new(format!("the model `{}.{}`", model.app_label, model.name))
            })?
        };
        let new_field = new_referencing
            .field(name)
            .ok_or_else(|| Unsupported::new(format!("the unknown field `{name}`")))?;
        // `alter_field(model, old_field, new_field)`: only the target changed, so the
        // column stays and the constraint is dropped and re-created.
        if relations::db_params(old_field, ctx.before)?
            != relations::db_params(new_field, ctx.after)?
        {
            return Err(Unsupported::at(
                "a foreign key whose column type changes with the rename",
                old_field.span,
            ));
        }
        if !old_field.relation.as_ref().is_some_and(|r| r.db_constraint) {
            continue;
        }
        relations::drop_fk(editor, model, name, old_field, ctx.before)?;
        let table = new_referencing.db_table();
        let column = column_name(name, new_field);
        if let Some((sql, _)) = relations::create_fk_sql(&table, &column, new_field, ctx.after)? {
            editor.execute(sql, StatementKind::AlterTable { table });
        }
    }
    Ok(())
}

/// `alter_db_table`: `ALTER TABLE … RENAME TO …;`. Django also renames the table in the
/// statements it deferred; Lockstep's deferred statements cannot follow, so a rename of a
/// table they name is not reproduced.
pub(super) fn rename_table(editor: &mut Editor, old_table: &str, new_table: &str) -> Sql {
    if old_table == new_table {
        return Ok(());
    }
    if editor.defers_for_table(old_table) {
        return Err(Unsupported::new(
            "renaming a table that statements deferred earlier in the migration name",
        ));
    }
    editor.execute(
        format!(
            "ALTER TABLE {} RENAME TO {};",
            quote(old_table),
            quote(new_table)
        ),
        StatementKind::AlterTable {
            table: old_table.to_owned(),
        },
    );
    Ok(())
}

/// `AlterModelTable.database_forwards` → `schema_editor.alter_db_table`, then the join
/// tables named after the table.
pub(super) fn alter_db_table(editor: &mut Editor, ctx: &Ctx<'_>, name: &str) -> Sql {
    let new_model = ctx.model(ctx.after, name)?;
    if !migrates(new_model) {
        return Ok(());
    }
    let old_model = ctx.model(ctx.before, name)?;
    rename_table(editor, &old_model.db_table(), &new_model.db_table())?;
    for ((old_name, old_field), (new_name, new_field)) in old_model
        .fields
        .iter()
        .filter(|(_, f)| f.is_many_to_many())
        .zip(new_model.fields.iter().filter(|(_, f)| f.is_many_to_many()))
    {
        let old = relations::through_model(old_model, old_name, old_field, ctx.before)?;
        let new = relations::through_model(new_model, new_name, new_field, ctx.after)?;
        if let (Some(old), Some(new)) = (old, new) {
            rename_table(editor, &old.db_table(), &new.db_table())?;
        }
    }
    Ok(())
}

/// `AlterModelTableComment.database_forwards` → `schema_editor.alter_db_table_comment`.
pub(super) fn alter_db_table_comment(editor: &mut Editor, ctx: &Ctx<'_>, name: &str) -> Sql {
    let model = ctx.model(ctx.after, name)?;
    if !migrates(model) {
        return Ok(());
    }
    table_comment(
        editor,
        &model.db_table(),
        model.options.db_table_comment.as_deref(),
    )
}

/// `AlterUniqueTogether` / `AlterIndexTogether.database_forwards`: drops the entries that
/// went (by the name Django gave them), creates the new ones at once.
pub(super) fn alter_together(editor: &mut Editor, ctx: &Ctx<'_>, name: &str, unique: bool) -> Sql {
    let new_model = ctx.model(ctx.after, name)?;
    if !migrates(new_model) {
        return Ok(());
    }
    let old_model = ctx.model(ctx.before, name)?;
    let (option, old, new) = if unique {
        (
            "unique_together",
            &old_model.options.unique_together,
            &new_model.options.unique_together,
        )
    } else {
        (
            "index_together",
            &old_model.options.index_together,
            &new_model.options.index_together,
        )
    };
    let deleted: Vec<&Vec<String>> = old.iter().filter(|f| !new.contains(f)).collect();
    let created: Vec<&Vec<String>> = new.iter().filter(|f| !old.contains(f)).collect();
    if deleted.len() > 1 || created.len() > 1 {
        return Err(several(option));
    }
    let model_key = key(new_model);
    for fields in deleted {
        // Django looks the constraint up by its columns; Lockstep predicts Django's name.
        if let Some(stale) = fields
            .iter()
            .find(|f| ctx.before.names_stale(&model_key, f))
        {
            return Err(Unsupported::new(format!(
                "an `{option}` entry named after a table or column renamed since (`{stale}`)"
            )));
        }
        let table = new_model.db_table();
        let columns = together_columns(new_model, fields)?;
        let refs: Vec<&str> = columns.iter().map(String::as_str).collect();
        if unique {
            let name = names::index_name(&table, &refs, "_uniq");
            editor.execute(
                format!(
                    "ALTER TABLE {} DROP CONSTRAINT {};",
                    quote(&table),
                    quote(&name)
                ),
                StatementKind::AlterTable { table },
            );
        } else {
            let name = names::index_name(&table, &refs, "_idx");
            editor.execute(
                format!("DROP INDEX IF EXISTS {};", quote(&name)),
                StatementKind::DropIndex {
                    names: vec![name],
                    concurrently: false,
                },
            );
        }
    }
    for fields in created {
        if unique {
            let (sql, kind, _) = unique_sql(new_model, fields)?;
            editor.execute(sql, kind);
        } else {
            execute_together_index(editor, new_model, fields)?;
        }
    }
    Ok(())
}

/// `AlterOrderWithRespectTo.database_forwards`: adds the `_order` column (with a default
/// of 0 for the existing rows, dropped at once) or removes it.
pub(super) fn alter_order_with_respect_to(editor: &mut Editor, ctx: &Ctx<'_>, name: &str) -> Sql {
    let new_model = ctx.model(ctx.after, name)?;
    if !migrates(new_model) {
        return Ok(());
    }
    let old_model = ctx.model(ctx.before, name)?;
    let table = quote(&old_model.db_table());
    let kind = || StatementKind::AlterTable {
        table: old_model.db_table(),
    };
    let column = quote("_order");
    match (
        old_model.options.order_with_respect_to.is_some(),
        new_model.options.order_with_respect_to.is_some(),
    ) {
        (true, false) => {
            editor.execute(
                format!("ALTER TABLE {table} DROP COLUMN {column} CASCADE;"),
                kind(),
            );
            editor.drop_deferred_for_column(&old_model.db_table(), "_order");
        }
        (false, true) => {
            editor.execute(
                format!("ALTER TABLE {table} ADD COLUMN {column} integer DEFAULT 0 NOT NULL;"),
                kind(),
            );
            editor.execute(
                format!("ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT;"),
                kind(),
            );
        }
        _ => {}
    }
    Ok(())
}
