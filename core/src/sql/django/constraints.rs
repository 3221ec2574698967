//! Constraints: `add_constraint`, `remove_constraint` and postgres' `ValidateConstraint`.

use crate::parse::django::Constraint;
use crate::sql::StatementKind;
use crate::sql::names::quote;

use super::editor::{Editor, Sql, Unsupported};
use super::forwards::Ctx;

/// `AddConstraint` / `AddConstraintNotValid.database_forwards`.
pub(super) fn add_constraint(
    _editor: &mut Editor,
    _ctx: &Ctx<'_>,
    _model_name: &str,
    constraint: &Constraint,
    _not_valid: bool,
) -> Sql {
    Err(Unsupported::at("constraints", constraint.span))
}

/// `RemoveConstraint.database_forwards`.
pub(super) fn remove_constraint(
    _editor: &mut Editor,
    _ctx: &Ctx<'_>,
    _model_name: &str,
    _name: &str,
) -> Sql {
    Err(Unsupported::new("constraints"))
}

/// `ValidateConstraint.database_forwards`.
pub(super) fn validate_constraint(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    model_name: &str,
    name: &str,
) -> Sql {
    let table = ctx.model(ctx.before, model_name)?.db_table();
    editor.execute(
        format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {};",
            quote(&table),
            quote(name)
        ),
        StatementKind::AlterTable { table },
    );
    Ok(())
}
