use std::fmt::Write as _;

use std::collections::BTreeSet;

use super::rewrite::{self, quote};
use super::shape::{Action, Shape};
use super::{Ctx, Severity, declare_rule};
use crate::locks::StatementRef;
use crate::parse::django::OperationKind;

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … ALTER COLUMN … SET NOT NULL` on a table that existed before this
    /// migration, with no valid `CHECK (column IS NOT NULL)` to trust — Django's `AlterField`
    /// from `null=True` to `null=False`.
    ///
    /// ## Why it hurts
    /// PostgreSQL takes an `ACCESS EXCLUSIVE` lock on the table and reads every row to prove
    /// there is no NULL. Reads and writes wait for the whole scan, and every query that arrives
    /// meanwhile queues behind it.
    ///
    /// ## Safe alternative
    /// Prove it first with a check constraint added `NOT VALID` (instant) and validated in its
    /// own transaction (`SHARE UPDATE EXCLUSIVE`: reads and writes go on). `SET NOT NULL` then
    /// trusts the valid check and skips the scan (PostgreSQL 12+); drop the check afterwards.
    /// Django, in a migration with `atomic = False`:
    /// ```python
    /// from django.contrib.postgres.operations import AddConstraintNotValid, ValidateConstraint
    ///
    /// class Migration(migrations.Migration):
    ///     atomic = False
    ///     operations = [
    ///         AddConstraintNotValid(
    ///             model_name="order",
    ///             constraint=models.CheckConstraint(condition=models.Q(email__isnull=False), name="shop_order_email_not_null"),
    ///         ),
    ///         ValidateConstraint(model_name="order", name="shop_order_email_not_null"),
    ///         migrations.AlterField(model_name="order", name="email", field=models.CharField(max_length=100)),
    ///         migrations.RemoveConstraint(model_name="order", name="shop_order_email_not_null"),
    ///     ]
    /// ```
    /// SQL, each statement in its own transaction:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_email_not_null" CHECK ("email" IS NOT NULL) NOT VALID;
    /// ALTER TABLE "shop_order" VALIDATE CONSTRAINT "shop_order_email_not_null";
    /// ALTER TABLE "shop_order" ALTER COLUMN "email" SET NOT NULL;
    /// ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_email_not_null";
    /// ```
    /// PostgreSQL 18 can also add the `NOT NULL` constraint itself `NOT VALID` and validate it.
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or a valid `CHECK (column IS NOT NULL)`
    /// already exists (then the lock is brief). When Django backfills the column in the same
    /// operation, `django-alterfield-backfill-in-transaction` reports it instead.
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE, "SET/DROP NOT NULL".
    pub(crate) static SET_NOT_NULL_SCAN = { id: "set-not-null-scan", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let placed = rewrite::placed(ctx);
    // `SET NOT NULL`s that follow Django's backfill: the backfill rule reports those.
    let backfilled: BTreeSet<(StatementRef, &str, &str)> =
        super::django_alterfield_backfill_in_transaction::pairs(ctx, &placed)
            .into_iter()
            .map(|pair| (pair.not_null, pair.table, pair.column))
            .collect();
    for (place, op, statement, shapes) in &placed {
        for shape in shapes {
            let Shape::AlterTable { table, actions, .. } = shape else {
                continue;
            };
            if ctx.is_created_here(table, op.index) {
                continue;
            }
            for action in actions {
                let Action::SetNotNull { column } = action else {
                    continue;
                };
                // The lock model knows when a valid `CHECK (column IS NOT NULL)` spares the scan.
                if statement.locks.on(table).and_then(|l| l.scans) == Some(false) {
                    continue;
                }
                if backfilled.contains(&(*place, table.as_str(), column.as_str())) {
                    continue;
                }
                let message = format!(
                    "`SET NOT NULL` on `{table}.{column}` takes an `ACCESS EXCLUSIVE` lock on `{table}` and reads \
                     every row to prove there is no NULL: reads and writes wait until the scan ends{}",
                    rewrite::estimate(statement)
                );
                let alternative = alternative(ctx, op, table, column);
                rewrite::report(ctx, &SET_NOT_NULL_SCAN, op, statement, message, alternative);
            }
        }
    }
}

/// The check route for this column, in Django and SQL.
pub(crate) fn alternative(
    ctx: &Ctx<'_>,
    op: &crate::analysis::OperationAnalysis,
    table: &str,
    column: &str,
) -> String {
    let mut out = String::from(
        "Prove there is no NULL with a check constraint validated without blocking; `SET NOT NULL` then \
         trusts it and skips the scan (PostgreSQL 12+).\n\n",
    );
    if let Some(operation) = rewrite::django_op(ctx, op) {
        let operations = match &operation.kind {
            OperationKind::AlterField {
                model_name, name, ..
            } => rewrite::django_not_null_ops(
                ctx,
                model_name,
                name,
                table,
                column,
                rewrite::op_source(ctx, op),
            ),
            _ => vec![rewrite::run_sql(
                &rewrite::not_null_steps(table, column)
                    .into_iter()
                    .filter(|s| !s.starts_with("--"))
                    .collect::<Vec<_>>(),
                &[],
            )],
        };
        out.push_str(&rewrite::django_intro(
            "`atomic = False`: each operation commits before the next",
        ));
        out.push('\n');
        out.push_str(&rewrite::py_block(&format!(
            "{}\n\n{}",
            rewrite::POSTGRES_OPERATIONS,
            rewrite::migration_class(false, &operations)
        )));
        out.push_str("\n\nSQL:\n");
    }
    out.push_str(&rewrite::sql_block(&rewrite::not_null_steps(table, column)));
    if ctx.settings().pg_version >= 18 {
        let _ = write!(
            out,
            "\n\nOn PostgreSQL 18 the constraint can be the NOT NULL itself: `ALTER TABLE {t} ADD CONSTRAINT {n} NOT NULL {c} NOT VALID;` then `VALIDATE CONSTRAINT {n}`.",
            t = quote(table),
            c = quote(column),
            n = quote(&rewrite::not_null_check_name(table, column)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    const ALTER_NOT_NULL: &str = r#"        migrations.AlterField(
            model_name="order",
            name="email",
            field=models.CharField(max_length=100),
        ),"#;

    #[test]
    fn fires_on_alter_field_to_not_null() {
        let migration = shop_migration("", "", ALTER_NOT_NULL);
        assert_eq!(ids(&shop_findings(&migration)), ["set-not-null-scan"]);
        insta::assert_snapshot!(shop_render("set-not-null-scan", &migration));
    }

    #[test]
    fn fires_in_sql_files_and_not_after_a_valid_check() {
        let found = crate::rules::rewrite::testing::file_findings(
            "db/0004.sql",
            "ALTER TABLE shop_order ALTER COLUMN email SET NOT NULL;",
        );
        assert_eq!(ids(&found), ["set-not-null-scan"]);
        insta::assert_snapshot!(crate::rules::rewrite::testing::render(
            &found[0],
            "ALTER TABLE shop_order ALTER COLUMN email SET NOT NULL;"
        ));
        // The rewrite no longer fires: the check spares the scan.
        let rewritten = crate::rules::rewrite::not_null_steps("shop_order", "email")
            .into_iter()
            .filter(|s| !s.starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        let found = crate::rules::rewrite::testing::file_findings("db/0004.sql", &rewritten);
        assert!(!ids(&found).contains(&"set-not-null-scan"), "{found:#?}");
    }

    #[test]
    fn new_tables_do_not_fire() {
        let sql = "CREATE TABLE t (a int NULL);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;";
        assert!(crate::rules::rewrite::testing::file_findings("db/0001.sql", sql).is_empty());
    }
}
