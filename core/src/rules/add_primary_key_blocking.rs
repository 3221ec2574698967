use super::add_unique_constraint_blocking::suffix;
use super::rewrite::{self, quote};
use super::shape::{Action, ConstraintKind, Shape};
use super::{Ctx, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … ADD [CONSTRAINT …] PRIMARY KEY (…)` (not `USING INDEX`) on a table that
    /// existed before this migration — Django's `AlterField` that moves `primary_key=True` to
    /// another field.
    ///
    /// ## Why it hurts
    /// The statement holds an `ACCESS EXCLUSIVE` lock on the table while it builds the unique
    /// index and, for columns not yet `NOT NULL`, scans every row for NULLs: reads and writes
    /// wait throughout.
    ///
    /// ## Safe alternative
    /// Build the unique index concurrently, prove the columns NOT NULL with a validated check,
    /// then attach the index as the primary key (brief lock):
    /// ```sql
    /// CREATE UNIQUE INDEX CONCURRENTLY "shop_order_pkey" ON "shop_order" ("code");
    /// ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_code_not_null" CHECK ("code" IS NOT NULL) NOT VALID;
    /// ALTER TABLE "shop_order" VALIDATE CONSTRAINT "shop_order_code_not_null";
    /// ALTER TABLE "shop_order" ALTER COLUMN "code" SET NOT NULL;
    /// ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_code_not_null";
    /// ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_pkey" PRIMARY KEY USING INDEX "shop_order_pkey";
    /// ```
    /// Django: those statements as `RunSQL` inside `SeparateDatabaseAndState`, with the
    /// operation as its state operation, in a migration with `atomic = False`.
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or is known to be tiny.
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE, "ADD table_constraint_using_index".
    pub(crate) static ADD_PRIMARY_KEY_BLOCKING = { id: "add-primary-key-blocking", severity: Severity::Error }
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
                let Action::AddConstraint(constraint) = action else {
                    continue;
                };
                let ConstraintKind::PrimaryKey {
                    columns,
                    using_index: false,
                    index,
                } = &constraint.kind
                else {
                    continue;
                };
                let name = constraint
                    .name
                    .clone()
                    .unwrap_or_else(|| rewrite::identifier(&format!("{table}_pkey")));
                let (t, n) = (quote(table), quote(&name));
                let mut steps = vec![format!(
                    "CREATE UNIQUE INDEX CONCURRENTLY {n} ON {t} {}{};",
                    index.columns,
                    suffix(&index.index_tail)
                )];
                for column in columns {
                    steps.extend(rewrite::not_null_steps(table, column));
                }
                steps.push(format!(
                    "ALTER TABLE {t} ADD CONSTRAINT {n} PRIMARY KEY USING INDEX {n}{};",
                    suffix(&index.constraint_tail)
                ));
                let message = format!(
                    "`PRIMARY KEY` `{name}` builds its index and checks its columns for NULLs under an \
                     `ACCESS EXCLUSIVE` lock on `{table}`: reads and writes wait throughout{}",
                    rewrite::estimate(statement)
                );
                let mut alternative = String::from(
                    "Build the unique index concurrently, prove the columns NOT NULL with a validated check, then \
                     attach the index as the primary key (brief lock).\n\n",
                );
                if rewrite::is_django(ctx) {
                    alternative.push_str(&rewrite::django_intro(
                        "`atomic = False`: a concurrent build cannot run in a transaction",
                    ));
                    alternative.push('\n');
                    alternative.push_str(&rewrite::py_block(&rewrite::migration_class(
                        false,
                        &[rewrite::django_with_replaced(ctx, op, statement, &steps)],
                    )));
                    alternative.push_str("\n\nSQL, each statement in its own transaction:\n");
                }
                alternative.push_str(&rewrite::sql_block(&steps));
                rewrite::report(
                    ctx,
                    &ADD_PRIMARY_KEY_BLOCKING,
                    op,
                    statement,
                    message,
                    alternative,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::file_findings as findings;
    use crate::rules::rewrite::testing::{ids, render};

    #[test]
    fn fires_on_add_primary_key() {
        let sql = "ALTER TABLE shop_order ADD CONSTRAINT shop_order_pkey PRIMARY KEY (code);";
        let found = findings("db/0009.sql", sql);
        assert_eq!(ids(&found), ["add-primary-key-blocking"]);
        insta::assert_snapshot!(render(&found[0], sql));
    }

    #[test]
    fn using_index_and_new_tables_do_not_fire() {
        let sql = "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;\nCREATE TABLE n (a int);\nALTER TABLE n ADD PRIMARY KEY (a);";
        let found = findings("db/0001.sql", sql);
        assert!(
            !ids(&found).contains(&"add-primary-key-blocking"),
            "{found:#?}"
        );
    }
}
