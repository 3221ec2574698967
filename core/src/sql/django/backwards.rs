//! Each operation's `database_backwards`: the SQL `sqlmigrate --backwards` prints, which is
//! what rolling the migration back runs.
//!
//! Django unapplies a migration's operations in reverse order, each with the state after it
//! as `from_state` and the state before it as `to_state`; most operations are the forwards
//! of their inverse on those swapped states, which is how this module runs them.

use crate::parse::django::{Field, Operation, OperationKind};

use super::editor::{Editor, Sql, Unsupported};
use super::forwards::{self, Ctx, Forwards};
use super::{constraints, fields, indexes, models, postgres, run_sql};

/// Why a migration cannot be rolled back at all (Django's `IrreversibleError`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Irreversible {
    /// The operation's index in the migration.
    pub operation: usize,
    /// Django's message, in Lockstep's words.
    pub message: String,
}

/// Whether Django can reverse `operation` (`Operation.reversible`).
pub(super) fn reversible(operation: &Operation) -> bool {
    match &operation.kind {
        OperationKind::RunSql { reverse_sql, .. } => reverse_sql.is_some(),
        OperationKind::RunPython { reversible, .. } => *reversible,
        OperationKind::SeparateDatabaseAndState {
            database_operations,
            ..
        } => database_operations.iter().all(reversible),
        _ => true,
    }
}

/// Runs `ctx.operation` backwards. `ctx.before` is the state after the operation (Django's
/// `from_state` when unapplying) and `ctx.after` the state before it.
#[allow(clippy::too_many_lines, reason = "one arm per Django operation class")]
pub(super) fn database_backwards(editor: &mut Editor, ctx: &Ctx<'_>) -> Sql<Forwards> {
    let op = ctx.operation;
    match &op.kind {
        OperationKind::CreateModel { name, .. } => {
            models::delete_model(editor, ctx, ctx.model(ctx.before, name)?)?;
        }
        OperationKind::DeleteModel { name } => {
            models::create_model(editor, ctx, ctx.model(ctx.after, name)?)?;
        }
        OperationKind::RenameModel { old_name, new_name } => {
            models::rename_model(editor, ctx, new_name, old_name)?;
        }
        // These compare the model in the two states, whichever way round they are.
        OperationKind::AlterModelTable { .. }
        | OperationKind::AlterModelTableComment { .. }
        | OperationKind::AlterTogether { .. }
        | OperationKind::AlterOrderWithRespectTo { .. } => {
            return forwards::database_forwards(editor, ctx);
        }
        OperationKind::AlterField {
            model_name,
            name,
            field,
            preserve_default,
        } => alter_field_back(editor, ctx, model_name, name, field, *preserve_default)?,
        OperationKind::AddField {
            model_name, name, ..
        } => fields::remove_field(editor, ctx, model_name, name)?,
        OperationKind::RemoveField { model_name, name } => {
            readd_field(editor, ctx, model_name, name)?;
        }
        OperationKind::RenameField {
            model_name,
            old_name,
            new_name,
        } => fields::alter_field(editor, ctx, model_name, new_name, old_name)?,
        OperationKind::AddIndex {
            model_name,
            index,
            concurrently,
        } => {
            let name = index
                .name
                .as_deref()
                .ok_or_else(|| Unsupported::at("an index without a name", index.span))?;
            indexes::remove_index(editor, ctx, model_name, name, *concurrently);
        }
        OperationKind::RemoveIndex {
            model_name,
            name,
            concurrently,
        } => {
            let index = ctx
                .model(ctx.after, model_name)?
                .options
                .indexes
                .iter()
                .find(|i| i.name.as_deref() == Some(name))
                .ok_or_else(|| Unsupported::new(format!("the unknown index `{name}`")))?
                .clone();
            indexes::add_index(editor, ctx, model_name, &index, *concurrently)?;
        }
        OperationKind::RenameIndex {
            model_name,
            new_name,
            old_name,
            ..
        } => {
            // Django: "Backward operation with unnamed index is a no-op."
            if let Some(old_name) = old_name {
                indexes::rename_index(editor, ctx, model_name, old_name, Some(new_name), &[])?;
            }
        }
        OperationKind::AddConstraint {
            model_name,
            constraint,
            ..
        } => {
            let name = constraint
                .name
                .as_deref()
                .ok_or_else(|| Unsupported::at("a constraint without a name", constraint.span))?;
            constraints::remove_constraint(editor, ctx, model_name, name)?;
        }
        OperationKind::RemoveConstraint { model_name, name } => {
            let constraint = ctx
                .model(ctx.after, model_name)?
                .options
                .constraints
                .iter()
                .find(|c| c.name.as_deref() == Some(name))
                .ok_or_else(|| Unsupported::new(format!("the unknown constraint `{name}`")))?
                .clone();
            constraints::add_constraint(editor, ctx, model_name, &constraint, false)?;
        }
        OperationKind::AlterModelOptions { .. }
        | OperationKind::AlterConstraint { .. }
        | OperationKind::ValidateConstraint { .. } => {}
        OperationKind::CreateExtension { name } => postgres::drop_extension(editor, name),
        OperationKind::Collation {
            name,
            locale,
            provider,
            deterministic,
            create,
        } => postgres::collation(editor, name, locale, provider, *deterministic, !*create),
        OperationKind::SeparateDatabaseAndState {
            database_operations,
            ..
        } => separate_database_and_state(editor, ctx, database_operations)?,
        OperationKind::RunSql { reverse_sql, .. } => {
            run_sql::run_sql(editor, ctx, reverse_sql.as_deref().unwrap_or_default())?;
        }
        OperationKind::RunPython { .. } => return Ok(Forwards::NotSql),
        OperationKind::Unknown => {
            return Err(Unsupported::new(
                "a call Lockstep cannot read (its SQL is unknown)",
            ));
        }
    }
    Ok(Forwards::Sql)
}

/// `AlterField.database_backwards`: forwards to the field as the state before the operation
/// has it; a one-off default (`preserve_default=False`) fills rows on the way back too.
fn alter_field_back(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    model_name: &str,
    name: &str,
    field: &Field,
    preserve_default: bool,
) -> Sql {
    let mut back = ctx
        .model(ctx.after, model_name)?
        .field(name)
        .ok_or_else(|| Unsupported::new(format!("the unknown field `{name}`")))?
        .clone();
    if !preserve_default {
        back.default.clone_from(&field.default);
    }
    let alter = Operation {
        class: "AlterField".to_owned(),
        kind: OperationKind::AlterField {
            model_name: model_name.to_owned(),
            name: name.to_owned(),
            field: back,
            preserve_default,
        },
        span: ctx.operation.span,
    };
    let ctx = Ctx {
        operation: &alter,
        ..*ctx
    };
    fields::alter_field(editor, &ctx, model_name, name, name)
}

/// `RemoveField.database_backwards`: `add_field` of the field as the state before the
/// removal has it.
fn readd_field(editor: &mut Editor, ctx: &Ctx<'_>, model_name: &str, name: &str) -> Sql {
    let field = ctx
        .model(ctx.after, model_name)?
        .field(name)
        .ok_or_else(|| Unsupported::new(format!("the unknown field `{name}`")))?
        .clone();
    let add = Operation {
        class: "AddField".to_owned(),
        kind: OperationKind::AddField {
            model_name: model_name.to_owned(),
            name: name.to_owned(),
            field,
            preserve_default: true,
        },
        span: ctx.operation.span,
    };
    let ctx = Ctx {
        operation: &add,
        ..*ctx
    };
    fields::add_field(editor, &ctx, model_name, name)
}

/// `SeparateDatabaseAndState.database_backwards`: the database operations unapplied in
/// reverse, each on states of their own computed forwards from the state before.
fn separate_database_and_state(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    operations: &[Operation],
) -> Sql {
    let mut states = vec![ctx.after.clone()];
    for operation in operations {
        let mut next = states.last().cloned().unwrap_or_default();
        next.apply(ctx.app, operation);
        states.push(next);
    }
    for (i, operation) in operations.iter().enumerate().rev() {
        let (Some(to), Some(from)) = (states.get(i), states.get(i + 1)) else {
            continue;
        };
        let inner = Ctx {
            app: ctx.app,
            operation,
            before: from,
            after: to,
        };
        if let Forwards::NotSql = database_backwards(editor, &inner)? {
            return Err(Unsupported::at("`RunPython` inside it", operation.span));
        }
    }
    Ok(())
}
