use std::fmt::Write as _;

use super::rewrite::{self, quote};
use super::shape::Shape;
use super::{Ctx, Severity, declare_rule};
use crate::parse::django::OperationKind;

declare_rule! {
    /// ## What it flags
    /// `DROP TABLE` of a table that existed before this migration — Django's `DeleteModel`, and
    /// `RemoveField` of a `ManyToManyField` (its join table).
    ///
    /// ## Why it hurts
    /// The data is gone for good, and code already deployed that still uses the model fails
    /// until every server runs the new code. The `ACCESS EXCLUSIVE` lock also reaches the tables
    /// linked to it by foreign keys.
    ///
    /// ## Safe alternative
    /// Remove the model from the code and the state first, and drop the table in a later,
    /// post-deploy step, after a backup:
    /// ```python
    /// migrations.SeparateDatabaseAndState(
    ///     state_operations=[migrations.DeleteModel(name="Coupon")],
    /// ),
    /// ```
    /// then, once no deployed code uses it:
    /// ```sql
    /// DROP TABLE "shop_coupon" CASCADE;
    /// ```
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or the model left the code in an earlier
    /// release (then acknowledge it).
    ///
    /// ## References
    /// PostgreSQL: DROP TABLE.
    pub(crate) static DROP_TABLE = { id: "drop-table", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (_, op, statement, shapes) in rewrite::placed(ctx) {
        for shape in &shapes {
            let Shape::DropTable { tables } = shape else {
                continue;
            };
            for table in tables {
                if ctx.is_created_here(table, op.index) {
                    continue;
                }
                let linked: Vec<String> = statement
                    .locks
                    .locks
                    .iter()
                    .filter(|l| l.relation != *table && l.blocks_reads)
                    .map(|l| format!("`{}`", l.relation))
                    .collect();
                let mut message = format!(
                    "`DROP TABLE {table}` deletes the table and its rows for good: code already deployed that uses \
                     it fails until every server runs the new code"
                );
                if !linked.is_empty() {
                    let _ = write!(
                        message,
                        ", and its `ACCESS EXCLUSIVE` lock also holds {} (linked by foreign keys)",
                        linked.join(", ")
                    );
                }
                let drop = format!("DROP TABLE {} CASCADE;", quote(table));
                let mut alternative = String::from(
                    "Remove it from the code and the state first; drop the table in a later, post-deploy step, \
                     after a backup.\n\n",
                );
                let state_only = match rewrite::django_op(ctx, op).map(|o| &o.kind) {
                    Some(OperationKind::DeleteModel { .. } | OperationKind::RemoveField { .. }) => {
                        Some(rewrite::separate(&[], &[rewrite::op_source(ctx, op)]))
                    }
                    _ => None,
                };
                if let Some(state_only) = state_only {
                    alternative.push_str(&rewrite::django_intro(
                        "release 1, with the code that no longer uses it",
                    ));
                    alternative.push('\n');
                    alternative.push_str(&rewrite::py_block(&state_only));
                    alternative.push_str("\n\nrelease 2 (post-deploy):\n");
                    alternative.push_str(&rewrite::py_block(&rewrite::run_sql(
                        std::slice::from_ref(&drop),
                        &[],
                    )));
                    alternative.push_str("\n\nSQL, once no deployed code uses it:\n");
                }
                alternative.push_str(&rewrite::sql_block(&[drop]));
                rewrite::report(ctx, &DROP_TABLE, op, statement, message, alternative);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_delete_model() {
        let migration = shop_migration("", "", r#"        migrations.DeleteModel(name="Order"),"#);
        assert_eq!(ids(&shop_findings(&migration)), ["drop-table"]);
        insta::assert_snapshot!(shop_render("drop-table", &migration));
    }

    #[test]
    fn state_only_and_new_tables_do_not_fire() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("Order")]),"#,
        );
        assert!(shop_findings(&migration).is_empty());
        let sql = "CREATE TABLE t (a int);\nDROP TABLE t;";
        assert!(crate::rules::rewrite::testing::file_findings("db/0001.sql", sql).is_empty());
    }
}
