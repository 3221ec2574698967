//! `Operation.describe()`: the comment `sqlmigrate` prints above each operation.

use crate::parse::django::{Operation, OperationKind};

/// Django's `describe()` of `operation`, word for word.
#[allow(clippy::too_many_lines, reason = "one arm per Django operation class")]
pub fn describe(operation: &Operation) -> String {
    match &operation.kind {
        OperationKind::CreateModel { name, options, .. } => format!(
            "Create {}model {name}",
            if options.proxy { "proxy " } else { "" }
        ),
        OperationKind::DeleteModel { name } => format!("Delete model {name}"),
        OperationKind::RenameModel { old_name, new_name } => {
            format!("Rename model {old_name} to {new_name}")
        }
        OperationKind::AlterModelTable { name, table } => format!(
            "Rename table for {name} to {}",
            table.as_deref().unwrap_or("(default)")
        ),
        OperationKind::AlterModelTableComment { name, .. } => {
            format!("Alter {name} table comment")
        }
        OperationKind::AlterModelOptions { name } => {
            if operation.class == "AlterModelManagers" {
                format!("Change managers on {name}")
            } else {
                format!("Change Meta options on {name}")
            }
        }
        OperationKind::AlterTogether {
            name,
            together,
            unique,
        } => format!(
            "Alter {} for {name} ({} constraint(s))",
            if *unique {
                "unique_together"
            } else {
                "index_together"
            },
            together.len()
        ),
        OperationKind::AlterOrderWithRespectTo {
            name,
            order_with_respect_to,
        } => format!(
            "Set order_with_respect_to on {name} to {}",
            order_with_respect_to.as_deref().unwrap_or("None")
        ),
        OperationKind::AddField {
            model_name, name, ..
        } => format!("Add field {name} to {model_name}"),
        OperationKind::RemoveField { model_name, name } => {
            format!("Remove field {name} from {model_name}")
        }
        OperationKind::AlterField {
            model_name, name, ..
        } => format!("Alter field {name} on {model_name}"),
        OperationKind::RenameField {
            model_name,
            old_name,
            new_name,
        } => format!("Rename field {old_name} on {model_name} to {new_name}"),
        OperationKind::AddIndex {
            model_name,
            index,
            concurrently,
        } => {
            let verb = if *concurrently {
                "Concurrently create"
            } else {
                "Create"
            };
            let name = index.name.as_deref().unwrap_or("");
            if index.expressions.is_empty() {
                format!(
                    "{verb} index {name} on field(s) {} of model {model_name}",
                    index.fields.join(", ")
                )
            } else {
                format!(
                    "{verb} index {name} on {} on model {model_name}",
                    super::indexes::describe_expressions(&index.expressions)
                )
            }
        }
        OperationKind::RemoveIndex {
            model_name,
            name,
            concurrently,
        } => format!(
            "{} index {name} from {model_name}",
            if *concurrently {
                "Concurrently remove"
            } else {
                "Remove"
            }
        ),
        OperationKind::RenameIndex {
            model_name,
            new_name,
            old_name,
            old_fields,
            old_fields_tuple,
        } => match old_name {
            Some(old_name) => format!("Rename index {old_name} on {model_name} to {new_name}"),
            None => format!(
                "Rename unnamed index for {} on {model_name} to {new_name}",
                python_repr(old_fields, *old_fields_tuple)
            ),
        },
        OperationKind::AddConstraint {
            model_name,
            constraint,
            not_valid,
        } => format!(
            "Create {}constraint {} on model {model_name}",
            if *not_valid { "not valid " } else { "" },
            constraint.name.as_deref().unwrap_or("")
        ),
        OperationKind::RemoveConstraint { model_name, name } => {
            format!("Remove constraint {name} from model {model_name}")
        }
        OperationKind::AlterConstraint {
            model_name, name, ..
        } => format!("Alter constraint {name} on {model_name}"),
        OperationKind::ValidateConstraint { model_name, name } => {
            format!("Validate constraint {name} on model {model_name}")
        }
        OperationKind::CreateExtension { name } => format!("Creates extension {name}"),
        OperationKind::Collation { name, create, .. } => format!(
            "{} collation {name}",
            if *create { "Create" } else { "Remove" }
        ),
        OperationKind::SeparateDatabaseAndState { .. } => {
            "Custom state/database change combination".to_owned()
        }
        OperationKind::RunSql { .. } => "Raw SQL operation".to_owned(),
        OperationKind::RunPython { .. } => "Raw Python operation".to_owned(),
        OperationKind::Unknown => operation.class.clone(),
    }
}

/// Python's `repr` of a list (`['a', 'b']`) or a tuple (`('a', 'b')`, `('a',)`) of strings.
fn python_repr(items: &[String], tuple: bool) -> String {
    let items: Vec<String> = items.iter().map(|i| format!("'{i}'")).collect();
    match (tuple, items.as_slice()) {
        (false, _) => format!("[{}]", items.join(", ")),
        (true, [one]) => format!("({one},)"),
        (true, _) => format!("({})", items.join(", ")),
    }
}
