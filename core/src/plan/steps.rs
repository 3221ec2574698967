//! What one statement means for its step: the post-conditions it sets up, what undoes it,
//! whether it must run outside a transaction, whether it is a contract change, and which
//! relations it touches.

use std::collections::BTreeSet;

use super::shapes::{Action, Shape, shape};
use super::sqltext;
use super::{Check, TransactionMode};
use crate::sql::names::quote;

/// The statements of a statement string that do something, without the `SET CONSTRAINTS`
/// Django puts around foreign keys (meaningless outside its migration transaction).
pub(crate) fn main_statements(sql: &str) -> Vec<&str> {
    sqltext::split_statements(sql)
        .into_iter()
        .filter(|s| {
            let tokens = sqltext::tokens(s);
            !sqltext::words_at(&tokens, 0, &["SET", "CONSTRAINTS"])
        })
        .collect()
}

/// The single statement of `sql` the plan can act on, if there is exactly one.
pub(crate) fn single(sql: &str) -> Option<&str> {
    match main_statements(sql).as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// Whether `sql` cannot run inside a transaction block.
pub(crate) fn needs_autocommit(sql: &str) -> bool {
    sqltext::split_statements(sql).iter().any(|s| {
        let tokens = sqltext::tokens(s);
        tokens.iter().any(|t| t.depth == 0 && t.is("CONCURRENTLY"))
            || sqltext::words_at(&tokens, 0, &["VACUUM"])
            || sqltext::words_at(&tokens, 0, &["CREATE", "DATABASE"])
            || sqltext::words_at(&tokens, 0, &["DROP", "DATABASE"])
            || sqltext::words_at(&tokens, 0, &["ALTER", "SYSTEM"])
            || ["BEGIN", "START", "COMMIT", "END", "ROLLBACK"]
                .iter()
                .any(|w| sqltext::words_at(&tokens, 0, &[w]))
    })
}

/// Whether `sql` is a contract change: it removes what code still deployed may use (a table,
/// a column). Such steps run after the new code is deployed.
pub(crate) fn is_contract(sql: &str) -> bool {
    main_statements(sql).iter().any(|s| match shape(s) {
        Shape::DropTable { .. } => true,
        Shape::AlterTable { actions, .. } => actions
            .iter()
            .any(|(_, a)| matches!(a, Action::DropColumn { .. })),
        _ => false,
    })
}

/// The relations `sql` names as the plan orders steps by: tables, indexes, rename targets.
pub(crate) fn relations(sql: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in main_statements(sql) {
        match shape(s) {
            Shape::CreateIndex { name, table, .. } => {
                out.insert(table);
                out.extend(name);
            }
            Shape::DropIndex { names, .. } => out.extend(names),
            Shape::CreateTable { table, .. } | Shape::Update { table, .. } => {
                out.insert(table);
            }
            Shape::DropTable { tables } => out.extend(tables),
            Shape::AlterTable { table, actions, .. } => {
                out.insert(table);
                for (_, action) in actions {
                    if let Action::RenameTo { to } = action {
                        out.insert(to);
                    }
                }
            }
            Shape::Other => {}
        }
    }
    out
}

/// The tables `sql` changes or reads in full (not the indexes it names).
pub fn tables(sql: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    for s in main_statements(sql) {
        match shape(s) {
            Shape::CreateIndex { table, .. }
            | Shape::CreateTable { table, .. }
            | Shape::Update { table, .. } => {
                out.insert(table);
            }
            Shape::DropTable { tables } => out.extend(tables),
            Shape::AlterTable { table, actions, .. } => {
                out.insert(table);
                for (_, action) in actions {
                    if let Action::RenameTo { to } = action {
                        out.insert(to);
                    }
                }
            }
            Shape::DropIndex { .. } | Shape::Other => {}
        }
    }
    out.into_iter().collect()
}

/// Names of indexes and constraints `sql` creates.
pub(crate) fn creates(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    for s in main_statements(sql) {
        match shape(s) {
            Shape::CreateIndex { name, .. } => out.extend(name),
            Shape::AlterTable { actions, .. } => {
                for (_, action) in actions {
                    match action {
                        Action::AddConstraint { name, .. } => out.push(name),
                        Action::AddColumn(column) => {
                            out.extend(column.foreign_key.map(|(name, _)| name));
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether `sql` only drops an index or constraint named in `names` (so a step that created
/// it, and reverses itself, has already dropped it).
pub(crate) fn drops_one_of(sql: &str, names: &BTreeSet<String>) -> bool {
    let statements = main_statements(sql);
    !statements.is_empty()
        && statements.iter().all(|s| match shape(s) {
            Shape::DropIndex { names: dropped, .. } => dropped.iter().all(|n| names.contains(n)),
            Shape::AlterTable { actions, .. } => actions
                .iter()
                .all(|(_, a)| matches!(a, Action::DropConstraint { name } if names.contains(name))),
            _ => false,
        })
}

/// What undoes `sql` when it can be said from the statement alone (objects it created are
/// dropped, tolerating their absence); `None` otherwise.
pub(crate) fn derived_reverse(sql: &str, mode: TransactionMode) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for s in main_statements(sql).into_iter().rev() {
        match shape(s) {
            Shape::CreateIndex {
                name: Some(name), ..
            } => {
                let concurrently = if mode == TransactionMode::Autocommit {
                    "CONCURRENTLY "
                } else {
                    ""
                };
                out.push(format!(
                    "DROP INDEX {concurrently}IF EXISTS {};",
                    quote(&name)
                ));
            }
            Shape::AlterTable { head, actions, .. } => {
                for (_, action) in actions.into_iter().rev() {
                    match action {
                        Action::AddConstraint { name, .. } => out.push(format!(
                            "{head} DROP CONSTRAINT IF EXISTS {};",
                            quote(&name)
                        )),
                        Action::ValidateConstraint { .. } => {}
                        Action::SetNotNull { column_text, .. } => {
                            out.push(format!("{head} ALTER COLUMN {column_text} DROP NOT NULL;"));
                        }
                        _ => return None,
                    }
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The post-conditions that hold once all of `statements` ran, in order.
pub(crate) fn expect<'s>(statements: impl IntoIterator<Item = &'s str>) -> Vec<Check> {
    let mut checks: Vec<Check> = Vec::new();
    for sql in statements {
        for s in main_statements(sql) {
            apply(&mut checks, &shape(s));
        }
    }
    checks
}

fn apply(checks: &mut Vec<Check>, shape: &Shape<'_>) {
    match shape {
        Shape::CreateIndex {
            name: Some(name), ..
        } => checks.push(Check::IndexValid {
            index: name.clone(),
        }),
        Shape::DropIndex { names, .. } => {
            checks.retain(|c| !matches!(c, Check::IndexValid { index } if names.contains(index)));
        }
        Shape::CreateTable { table, .. } => {
            checks.retain(|c| !matches!(c, Check::TableAbsent { table: t } if t == table));
            checks.push(Check::TableExists {
                table: table.clone(),
            });
        }
        Shape::DropTable { tables } => {
            checks.retain(|c| !check_table(c).is_some_and(|t| tables.iter().any(|d| d == t)));
            checks.extend(
                tables
                    .iter()
                    .map(|t| Check::TableAbsent { table: t.clone() }),
            );
        }
        Shape::AlterTable { table, actions, .. } => {
            for (_, action) in actions {
                apply_action(checks, table, action);
            }
        }
        Shape::CreateIndex { name: None, .. } | Shape::Update { .. } | Shape::Other => {}
    }
}

fn apply_action(checks: &mut Vec<Check>, table: &str, action: &Action<'_>) {
    let column_check = |c: &Check, column: &str| matches!(c, Check::Column { table: t, column: k, .. } | Check::ColumnAbsent { table: t, column: k } if t == table && k == column);
    match action {
        Action::AddColumn(column) => {
            checks.retain(|c| !column_check(c, &column.name));
            checks.push(Check::Column {
                table: table.to_owned(),
                column: column.name.clone(),
                nullable: !column.not_null,
                r#type: None,
            });
        }
        Action::DropColumn { column } => {
            checks.retain(|c| !column_check(c, column));
            checks.push(Check::ColumnAbsent {
                table: table.to_owned(),
                column: column.clone(),
            });
        }
        Action::SetNotNull { column, .. } | Action::DropNotNull { column } => {
            checks.retain(|c| !column_check(c, column));
            checks.push(Check::Column {
                table: table.to_owned(),
                column: column.clone(),
                nullable: matches!(action, Action::DropNotNull { .. }),
                r#type: None,
            });
        }
        Action::AddConstraint {
            name,
            not_valid: false,
            ..
        } => checks.push(Check::ConstraintValidated {
            table: table.to_owned(),
            constraint: name.clone(),
        }),
        Action::ValidateConstraint { name } => {
            checks.retain(|c| !matches!(c, Check::ConstraintValidated { table: t, constraint } if t == table && constraint == name));
            checks.push(Check::ConstraintValidated {
                table: table.to_owned(),
                constraint: name.clone(),
            });
        }
        Action::DropConstraint { name } => {
            checks.retain(|c| !matches!(c, Check::ConstraintValidated { table: t, constraint } if t == table && constraint == name));
        }
        Action::RenameColumn { from, .. } => checks.retain(|c| !column_check(c, from)),
        Action::RenameTo { .. } => checks.retain(|c| check_table(c) != Some(table)),
        Action::AddConstraint { .. } | Action::Other => {}
    }
}

fn check_table(check: &Check) -> Option<&str> {
    match check {
        Check::ConstraintValidated { table, .. }
        | Check::Column { table, .. }
        | Check::ColumnAbsent { table, .. }
        | Check::TableExists { table }
        | Check::TableAbsent { table } => Some(table),
        Check::IndexValid { .. } | Check::DjangoMigration { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expectations_follow_the_statements() {
        let checks = expect([
            r#"CREATE TABLE "t" ("id" bigint NOT NULL PRIMARY KEY);"#,
            r#"ALTER TABLE "t" ADD COLUMN "a" integer NULL;"#,
            r#"CREATE INDEX "t_a" ON "t" ("a");"#,
            r#"ALTER TABLE "t" ALTER COLUMN "a" SET NOT NULL;"#,
            r#"ALTER TABLE "t" ADD CONSTRAINT "c" CHECK ("a" > 0) NOT VALID;"#,
        ]);
        assert_eq!(
            checks,
            vec![
                Check::TableExists { table: "t".into() },
                Check::IndexValid {
                    index: "t_a".into()
                },
                Check::Column {
                    table: "t".into(),
                    column: "a".into(),
                    nullable: false,
                    r#type: None
                },
            ]
        );
        let dropped = expect([
            r#"CREATE INDEX "i" ON "t" ("a");"#,
            r#"DROP INDEX IF EXISTS "i";"#,
        ]);
        assert!(dropped.is_empty());
    }

    #[test]
    fn classifies_statements() {
        assert!(needs_autocommit(
            r#"CREATE INDEX CONCURRENTLY "i" ON "t" ("a");"#
        ));
        assert!(!needs_autocommit(
            r#"CREATE INDEX "concurrently" ON "t" ("a");"#
        ));
        assert!(is_contract(r#"ALTER TABLE "t" DROP COLUMN "a" CASCADE;"#));
        assert!(is_contract(r#"DROP TABLE "t" CASCADE;"#));
        assert!(!is_contract(r#"ALTER TABLE "t" DROP CONSTRAINT "c";"#));
        let names: BTreeSet<String> = ["fk".to_owned()].into();
        assert!(drops_one_of(
            r#"SET CONSTRAINTS "fk" IMMEDIATE; ALTER TABLE "t" DROP CONSTRAINT "fk";"#,
            &names
        ));
        assert_eq!(
            derived_reverse(
                r#"CREATE INDEX CONCURRENTLY "i" ON "t" ("a");"#,
                TransactionMode::Autocommit
            ),
            Some(vec![r#"DROP INDEX CONCURRENTLY IF EXISTS "i";"#.to_owned()])
        );
        assert_eq!(
            derived_reverse(
                r#"ALTER TABLE "t" ADD COLUMN "a" integer;"#,
                TransactionMode::Transaction
            ),
            None
        );
    }
}
