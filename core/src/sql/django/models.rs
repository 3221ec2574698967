//! Models: `create_model`, `delete_model`, `alter_db_table`, `alter_db_table_comment`,
//! `alter_unique_together`, `alter_index_together` of Django's PostgreSQL schema editor, and
//! `AlterOrderWithRespectTo`.

use crate::sql::StatementKind;
use crate::sql::names::quote;
use crate::state::ModelState;

use super::columns::{check_sql, column_name, column_sql, db_params};
use super::editor::{Editor, Sql, Unsupported};
use super::forwards::Ctx;
use super::indexes::defer_field_indexes;

/// `allow_migrate_model`: unmanaged and proxy models have no SQL.
pub(super) fn migrates(model: &ModelState) -> bool {
    model.options.managed && !model.options.proxy
}

/// `CreateModel.database_forwards` → `schema_editor.create_model(model)`.
pub(super) fn create_model(editor: &mut Editor, ctx: &Ctx<'_>, model: &ModelState) -> Sql {
    if !migrates(model) {
        return Ok(());
    }
    let options = &model.options;
    if let Some(option) = options.unknown.first() {
        return Err(Unsupported::new(format!("the model option `{option}`")));
    }
    if !options.unique_together.is_empty()
        || !options.index_together.is_empty()
        || !options.indexes.is_empty()
        || !options.constraints.is_empty()
        || options.db_table_comment.is_some()
        || options.order_with_respect_to.is_some()
    {
        return Err(Unsupported::new(
            "model options that change the SQL (indexes, constraints, …)",
        ));
    }
    let table = model.db_table();
    let mut columns = Vec::with_capacity(model.fields.len());
    let mut indexed = Vec::new();
    for (name, field) in &model.fields {
        if field.relation.is_some() {
            return Err(Unsupported::at("a relation field", field.span));
        }
        let params = db_params(field, ctx.after)?;
        let column = column_name(name, field);
        let mut definition = format!("{} {}", quote(&column), column_sql(field, &params, false)?);
        if let Some(check) = check_sql(&column, &params) {
            definition.push(' ');
            definition.push_str(&check);
        }
        if let Some(suffix) = params.suffix {
            definition.push(' ');
            definition.push_str(suffix);
        }
        columns.push(definition);
        indexed.push((column, field, params));
    }
    editor.execute(
        format!("CREATE TABLE {} ({});", quote(&table), columns.join(", ")),
        StatementKind::CreateTable {
            table: table.clone(),
        },
    );
    for (column, field, params) in &indexed {
        defer_field_indexes(editor, &table, column, field, params);
    }
    Ok(())
}

/// `DeleteModel.database_forwards` → `schema_editor.delete_model(model)`.
pub(super) fn delete_model(editor: &mut Editor, _ctx: &Ctx<'_>, model: &ModelState) -> Sql {
    if !migrates(model) {
        return Ok(());
    }
    if let Some((_, field)) = model.fields.iter().find(|(_, f)| f.is_many_to_many()) {
        return Err(Unsupported::at("a many-to-many field", field.span));
    }
    let table = model.db_table();
    editor.execute(
        format!("DROP TABLE {} CASCADE;", quote(&table)),
        StatementKind::Other,
    );
    editor.drop_deferred_for_table(&table);
    Ok(())
}

/// `RenameModel.database_forwards`.
pub(super) fn rename_model(
    _editor: &mut Editor,
    _ctx: &Ctx<'_>,
    _old_name: &str,
    _new_name: &str,
) -> Sql {
    Err(Unsupported::new("renaming a model"))
}

/// `AlterModelTable.database_forwards` → `schema_editor.alter_db_table`.
pub(super) fn alter_db_table(_editor: &mut Editor, _ctx: &Ctx<'_>, _name: &str) -> Sql {
    Err(Unsupported::new("renaming a table"))
}

/// `AlterModelTableComment.database_forwards` → `schema_editor.alter_db_table_comment`.
pub(super) fn alter_db_table_comment(_editor: &mut Editor, _ctx: &Ctx<'_>, _name: &str) -> Sql {
    Err(Unsupported::new("a table comment"))
}

/// `AlterUniqueTogether` / `AlterIndexTogether.database_forwards`.
pub(super) fn alter_together(
    _editor: &mut Editor,
    _ctx: &Ctx<'_>,
    _name: &str,
    _unique: bool,
) -> Sql {
    Err(Unsupported::new("`unique_together` / `index_together`"))
}

/// `AlterOrderWithRespectTo.database_forwards`: adds or removes the `_order` column.
pub(super) fn alter_order_with_respect_to(
    _editor: &mut Editor,
    _ctx: &Ctx<'_>,
    _name: &str,
) -> Sql {
    Err(Unsupported::new("`order_with_respect_to`"))
}
