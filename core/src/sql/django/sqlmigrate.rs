//! What `manage.py sqlmigrate APP NAME` prints.

use crate::parse::django::{Migration, Operation};

use super::OperationSql;
use super::describe::describe;

/// What `manage.py sqlmigrate APP NAME` prints for `migration`, given each operation's SQL.
pub fn sqlmigrate(migration: &Migration, operations: &[(&Operation, &OperationSql)]) -> String {
    // Django prints nothing at all, not even BEGIN/COMMIT, for a migration without operations.
    if operations.is_empty() {
        return String::new();
    }
    let mut lines = Vec::new();
    if migration.atomic {
        lines.push("BEGIN;".to_owned());
    }
    let mut deferred_all = Vec::new();
    for (operation, sql) in operations {
        lines.push("--".to_owned());
        lines.push(format!("-- {}", describe(operation)));
        lines.push("--".to_owned());
        match sql {
            OperationSql::Reproduced {
                deferred, printed, ..
            } => {
                lines.extend(printed.iter().cloned());
                // Deferred SQL runs at the end of the migration, so it does not count here.
                if printed.is_empty() {
                    lines.push("-- (no-op)".to_owned());
                }
                deferred_all.extend(deferred.iter().map(|s| s.sql.clone()));
            }
            OperationSql::NotSql => {
                lines.push("-- THIS OPERATION CANNOT BE WRITTEN AS SQL".to_owned());
            }
            OperationSql::NotReproduced => {
                lines.push("-- (Lockstep does not reproduce this operation's SQL yet)".to_owned());
            }
        }
    }
    // An operation Lockstep does not reproduce may have deferred statements of its own (or
    // dropped others): the deferred tail is then not known, and is not printed as if it were.
    if operations
        .iter()
        .any(|(_, sql)| matches!(sql, OperationSql::NotReproduced))
    {
        if !deferred_all.is_empty() {
            lines.push(
                "-- (Lockstep: the deferred statements are not shown, as an operation above is not reproduced)"
                    .to_owned(),
            );
        }
    } else {
        lines.extend(deferred_all);
    }
    if migration.atomic {
        lines.push("COMMIT;".to_owned());
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}
