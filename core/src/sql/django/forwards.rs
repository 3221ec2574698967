//! Each operation's `database_forwards`: which schema-editor methods it calls, with which
//! models from the states before and after it.

use crate::parse::Diagnostic;
use crate::parse::DiagnosticKind;
use crate::parse::django::{Operation, OperationKind};
use crate::state::{Lookup, ModelState, ProjectState, default_table};

use super::editor::{Editor, Sql, Unsupported};
use super::{constraints, fields, indexes, models, postgres, run_sql};

/// What an operation's `database_forwards` sees.
pub(super) struct Ctx<'a> {
    /// The migration's app label.
    pub(super) app: &'a str,
    /// The operation.
    pub(super) operation: &'a Operation,
    /// The state before the operation (Django's `from_state`).
    pub(super) before: &'a ProjectState,
    /// The state after it (`to_state`).
    pub(super) after: &'a ProjectState,
}

/// What running an operation produced, when it is reproduced.
pub(super) enum Forwards {
    /// Statements (possibly none) in the editor.
    Sql,
    /// `RunPython`: not SQL at all.
    NotSql,
}

impl<'a> Ctx<'a> {
    /// Model `name` in `state`, which must be known exactly.
    pub(super) fn model<'s>(&self, state: &'s ProjectState, name: &str) -> Sql<&'s ModelState> {
        match state.model(self.app, name) {
            Lookup::Known(model) => Ok(model),
            Lookup::Missing => Err(Unsupported::new(format!(
                "model `{}.{name}`, which is not in the supplied files (add its migrations)",
                self.app
            ))),
            Lookup::Stale => Err(self.stale(name)),
        }
    }

    fn stale(&self, name: &str) -> Unsupported {
        Unsupported::new(format!(
            "model `{}.{name}` after an operation Lockstep cannot read",
            self.app
        ))
    }

    /// The table of model `name` before the operation: from the state, or Django's default
    /// with a diagnostic saying so when the model is not in the supplied files.
    pub(super) fn table_or_assumed(
        &self,
        editor: &mut Editor,
        name: &str,
    ) -> Sql<(String, Option<&'a ModelState>)> {
        match self.before.model(self.app, name) {
            Lookup::Known(model) => Ok((model.db_table(), Some(model))),
            Lookup::Missing => {
                let table = default_table(self.app, name);
                if !editor.first_assumption(&format!("{}.{name}", self.app)) {
                    return Ok((table, None));
                }
                editor.diagnostics.push(Diagnostic {
                    kind: DiagnosticKind::AssumedModel {
                        model: format!("{}.{name}", self.app),
                        table: table.clone(),
                    },
                    span: self.operation.span,
                });
                Ok((table, None))
            }
            Lookup::Stale => Err(self.stale(name)),
        }
    }
}

/// Runs `ctx.operation` against `editor`, as its `database_forwards` does.
pub(super) fn database_forwards(editor: &mut Editor, ctx: &Ctx<'_>) -> Sql<Forwards> {
    let op = ctx.operation;
    match &op.kind {
        OperationKind::CreateModel { name, .. } => {
            models::create_model(editor, ctx, ctx.model(ctx.after, name)?)?;
        }
        OperationKind::DeleteModel { name } => {
            models::delete_model(editor, ctx, ctx.model(ctx.before, name)?)?;
        }
        OperationKind::RenameModel { old_name, new_name } => {
            models::rename_model(editor, ctx, old_name, new_name)?;
        }
        OperationKind::AlterModelTable { name, .. } => {
            models::alter_db_table(editor, ctx, name)?;
        }
        OperationKind::AlterModelTableComment { name, .. } => {
            models::alter_db_table_comment(editor, ctx, name)?;
        }
        // Options Django keeps for Python only; `AlterConstraint` only changes options that
        // need no SQL.
        OperationKind::AlterModelOptions { .. } | OperationKind::AlterConstraint { .. } => {}
        OperationKind::AlterTogether { name, unique, .. } => {
            models::alter_together(editor, ctx, name, *unique)?;
        }
        OperationKind::AlterOrderWithRespectTo { name, .. } => {
            models::alter_order_with_respect_to(editor, ctx, name)?;
        }
        OperationKind::AddField {
            model_name, name, ..
        } => fields::add_field(editor, ctx, model_name, name)?,
        OperationKind::RemoveField { model_name, name } => {
            fields::remove_field(editor, ctx, model_name, name)?;
        }
        OperationKind::AlterField {
            model_name, name, ..
        } => fields::alter_field(editor, ctx, model_name, name, name)?,
        OperationKind::RenameField {
            model_name,
            old_name,
            new_name,
        } => fields::alter_field(editor, ctx, model_name, old_name, new_name)?,
        OperationKind::AddIndex {
            model_name,
            index,
            concurrently,
        } => indexes::add_index(editor, ctx, model_name, index, *concurrently)?,
        OperationKind::RemoveIndex {
            model_name,
            name,
            concurrently,
        } => indexes::remove_index(editor, ctx, model_name, name, *concurrently),
        OperationKind::RenameIndex {
            model_name,
            new_name,
            old_name,
            old_fields,
            ..
        } => indexes::rename_index(
            editor,
            ctx,
            model_name,
            new_name,
            old_name.as_deref(),
            old_fields,
        )?,
        OperationKind::AddConstraint {
            model_name,
            constraint,
            not_valid,
        } => constraints::add_constraint(editor, ctx, model_name, constraint, *not_valid)?,
        OperationKind::RemoveConstraint { model_name, name } => {
            constraints::remove_constraint(editor, ctx, model_name, name)?;
        }
        OperationKind::ValidateConstraint { model_name, name } => {
            constraints::validate_constraint(editor, ctx, model_name, name)?;
        }
        OperationKind::CreateExtension { name } => postgres::create_extension(editor, name),
        OperationKind::Collation {
            name,
            locale,
            provider,
            deterministic,
            create,
        } => postgres::collation(editor, name, locale, provider, *deterministic, *create),
        OperationKind::SeparateDatabaseAndState {
            database_operations,
            ..
        } => separate_database_and_state(editor, ctx, database_operations)?,
        OperationKind::RunSql { sql, .. } => run_sql::run_sql(editor, ctx, sql)?,
        OperationKind::RunPython { .. } => return Ok(Forwards::NotSql),
        OperationKind::Unknown => {
            return Err(Unsupported::new(
                "a call Lockstep cannot read (its SQL is unknown)",
            ));
        }
    }
    Ok(Forwards::Sql)
}

/// `SeparateDatabaseAndState.database_forwards`: the database operations run against a
/// state of their own, starting from the state before the operation.
fn separate_database_and_state(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    operations: &[Operation],
) -> Sql {
    let mut from = ctx.before.clone();
    for operation in operations {
        let mut to = from.clone();
        to.apply(ctx.app, operation);
        let inner = Ctx {
            app: ctx.app,
            operation,
            before: &from,
            after: &to,
        };
        if let Forwards::NotSql = database_forwards(editor, &inner)? {
            return Err(Unsupported::at("`RunPython` inside it", operation.span));
        }
        from = to;
    }
    Ok(())
}
