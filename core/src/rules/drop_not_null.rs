use super::rewrite;
use super::shape::{Action, Shape};
use super::{Ctx, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … ALTER COLUMN … DROP NOT NULL` on a table that existed before this
    /// migration — Django's `AlterField` to `null=True`.
    ///
    /// ## Why it hurts
    /// The lock is brief, but the guarantee goes: code, reports and other consumers that assume
    /// the column is never NULL meet NULLs as soon as anything writes one.
    ///
    /// ## Safe alternative
    /// Treat it as a contract change: deploy readers that handle NULL first, then drop the
    /// constraint. (It is the right first step before removing a column.) Django: keep the
    /// `AlterField(..., null=True)`, released after the code that reads `None`. SQL:
    /// ```sql
    /// ALTER TABLE "shop_order" ALTER COLUMN "email" DROP NOT NULL;
    /// ```
    ///
    /// ## When it is fine
    /// Every reader already copes with NULL, or the column is about to be removed.
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE, "SET/DROP NOT NULL".
    pub(crate) static DROP_NOT_NULL = { id: "drop-not-null", severity: Severity::Info }
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
                let Action::DropNotNull { column } = action else {
                    continue;
                };
                let message = format!(
                    "`{table}.{column}` may hold NULL from now on: code and reports that rely on it never being \
                     NULL must handle it before anything writes one"
                );
                let alternative = format!(
                    "Release the code that handles a NULL `{column}` first, then this change (a contract-phase \
                     step; before removing the column, it is the right first step):\n{}",
                    rewrite::sql_block(std::slice::from_ref(&statement.statement.sql))
                );
                rewrite::report(ctx, &DROP_NOT_NULL, op, statement, message, alternative);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_alter_field_to_nullable() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.AlterField("order", "paid", models.BooleanField(default=False, null=True)),"#,
        );
        assert_eq!(ids(&shop_findings(&migration)), ["drop-not-null"]);
        insta::assert_snapshot!(shop_render("drop-not-null", &migration));
    }

    #[test]
    fn new_tables_do_not_fire() {
        let sql = "CREATE TABLE t (a int NOT NULL);\nALTER TABLE t ALTER COLUMN a DROP NOT NULL;";
        assert!(crate::rules::rewrite::testing::file_findings("db/0001.sql", sql).is_empty());
    }
}
