use std::fmt::Write as _;

use super::rewrite::{self, quote};
use super::shape::{Action, Shape};
use super::{Ctx, Severity, declare_rule};
use crate::analysis::OperationAnalysis;
use crate::parse::django::OperationKind;

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … RENAME TO …` of a table that existed before this migration — Django's
    /// `RenameModel`, `AlterModelTable`, and the join tables Django renames with them.
    ///
    /// ## Why it hurts
    /// The rename is quick, but code already deployed still queries the old name: until every
    /// server runs the new code, its queries fail with "relation does not exist".
    ///
    /// ## Safe alternative
    /// Rename the model only: keep the table with `db_table`, in `state_operations`:
    /// ```python
    /// migrations.SeparateDatabaseAndState(
    ///     state_operations=[
    ///         migrations.RenameModel(old_name="Order", new_name="Purchase"),
    ///         migrations.AlterModelTable(name="purchase", table="shop_order"),
    ///     ],
    /// ),
    /// ```
    /// and `db_table = "shop_order"` in the model's `Meta`. If the table's name must change,
    /// rename it and leave a view under the old name in the same transaction (a simple view is
    /// updatable, so old code keeps reading and writing), and drop the view once no code uses it:
    /// ```sql
    /// ALTER TABLE "shop_order" RENAME TO "shop_purchase";
    /// CREATE VIEW "shop_order" AS SELECT * FROM "shop_purchase";
    /// ```
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or nothing runs against the database while it
    /// migrates.
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE "RENAME TO"; CREATE VIEW, "Updatable Views".
    pub(crate) static RENAME_TABLE = { id: "rename-table", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (_, op, statement, shapes) in rewrite::placed(ctx) {
        for shape in &shapes {
            let Shape::AlterTable { table, actions, .. } = shape else {
                continue;
            };
            if ctx.is_created_here(table, op.index) {
                continue;
            }
            for action in actions {
                let Action::RenameTable { to } = action else {
                    continue;
                };
                let message = format!(
                    "`{table}` is renamed to `{to}`: code already deployed still queries `{table}` and fails \
                     (\"relation does not exist\") until every server runs the new code"
                );
                let alternative = alternative(ctx, op, table, to);
                rewrite::report(ctx, &RENAME_TABLE, op, statement, message, alternative);
            }
        }
    }
}

fn alternative(ctx: &Ctx<'_>, op: &OperationAnalysis, table: &str, to: &str) -> String {
    let mut out = String::new();
    match rewrite::django_op(ctx, op).map(|o| &o.kind) {
        Some(OperationKind::RenameModel { new_name, .. }) => {
            out.push_str(
                "Rename the model only and keep the table with `db_table`; no SQL runs:\n",
            );
            out.push_str(&rewrite::py_block(&rewrite::separate(
                &[],
                &[
                    rewrite::op_source(ctx, op),
                    format!(
                        "migrations.AlterModelTable(name={}, table={})",
                        rewrite::py_str(&new_name.to_lowercase()),
                        rewrite::py_str(table)
                    ),
                ],
            )));
            let _ = write!(
                out,
                "\n\nand in `{new_name}`'s `Meta`: `db_table = {}`.\n\nIf the table's name must change, ",
                rewrite::py_str(table)
            );
        }
        Some(OperationKind::AlterModelTable { .. }) => {
            out.push_str("Keep the table's name (leave `db_table` as it was). If it must change, ");
        }
        _ => out.push_str("If the name must change, "),
    }
    let (old, new) = (quote(table), quote(to));
    out.push_str(
        "rename it and leave an updatable view under the old name in the same transaction, so old code keeps \
         reading and writing; drop the view once no code uses the old name:\n",
    );
    out.push_str(&rewrite::sql_block(&[
        format!("ALTER TABLE {old} RENAME TO {new};"),
        format!("CREATE VIEW {old} AS SELECT * FROM {new};"),
        "-- later, once every server runs the new code:".to_owned(),
        format!("DROP VIEW {old};"),
    ]));
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_rename_model() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.RenameModel(old_name="Order", new_name="Purchase"),"#,
        );
        let found = shop_findings(&migration);
        assert_eq!(ids(&found), ["rename-table"], "{found:#?}");
        insta::assert_snapshot!(shop_render("rename-table", &migration));
    }

    #[test]
    fn new_tables_and_db_table_renames_do_not_fire() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RenameModel(old_name="Order", new_name="Purchase"),
            migrations.AlterModelTable(name="purchase", table="shop_order"),
        ]),"#,
        );
        assert!(shop_findings(&migration).is_empty());
        let sql = "CREATE TABLE t (a int);\nALTER TABLE t RENAME TO u;";
        assert!(crate::rules::rewrite::testing::file_findings("db/0001.sql", sql).is_empty());
    }
}
