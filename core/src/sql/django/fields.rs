//! Fields: `add_field`, `remove_field` and `alter_field` (which `RenameField` also uses) of
//! Django's PostgreSQL schema editor.

use crate::sql::StatementKind;
use crate::sql::names::quote;

use super::columns::{check_sql, column_name, column_sql, db_params};
use super::editor::{Editor, Sql, Unsupported};
use super::forwards::Ctx;
use super::indexes::defer_field_indexes;
use super::models::{self, migrates};
use super::relations;

/// `AddField.database_forwards` → `schema_editor.add_field(model, field)`.
pub(super) fn add_field(editor: &mut Editor, ctx: &Ctx<'_>, model_name: &str, name: &str) -> Sql {
    let (table, before) = ctx.table_or_assumed(editor, model_name)?;
    if before.is_some_and(|m| !migrates(m)) {
        return Ok(());
    }
    // The field as the operation wrote it (the state may have dropped a one-off default).
    let crate::parse::django::OperationKind::AddField { field, .. } = &ctx.operation.kind else {
        return Err(Unsupported::new("a field Lockstep cannot find"));
    };
    if field.is_many_to_many() {
        return models::add_many_to_many(editor, ctx, model_name, name);
    }
    let params = db_params(field, ctx.after)?;
    if field.blank && !field.null && params.db_type != "bytea" && !field.has_default() {
        // Django adds such a column with an empty-string default, then drops it.
        return Err(Unsupported::at(
            "`blank=True` and `null=False` (Django's empty-string default)",
            field.span,
        ));
    }
    let column = column_name(name, field);
    let mut definition = column_sql(field, &params, true)?;
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
    editor.execute(
        format!(
            "ALTER TABLE {} ADD COLUMN {} {definition};",
            quote(&table),
            quote(&column)
        ),
        StatementKind::AlterTable {
            table: table.clone(),
        },
    );
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
    Ok(())
}

/// `AlterField` / `RenameField.database_forwards` → `schema_editor.alter_field(model,
/// old_field, new_field)`.
pub(super) fn alter_field(
    _editor: &mut Editor,
    _ctx: &Ctx<'_>,
    _model_name: &str,
    _old_name: &str,
    _new_name: &str,
) -> Sql {
    Err(Unsupported::new("altering a field"))
}
