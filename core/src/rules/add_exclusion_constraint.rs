use super::rewrite::{self, quote};
use super::shape::{Action, ConstraintKind, Shape};
use super::{Ctx, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … ADD CONSTRAINT … EXCLUDE …` on a table that existed before this migration
    /// — Django's `AddConstraint(ExclusionConstraint(…))`.
    ///
    /// ## Why it hurts
    /// The exclusion index is built and every row checked under an `ACCESS EXCLUSIVE` lock:
    /// reads and writes wait throughout. Unlike `CHECK` and foreign keys there is no
    /// `NOT VALID` form, and unlike `UNIQUE` no `USING INDEX` form: no online path exists.
    ///
    /// ## Safe alternative
    /// Plan it: run it in a maintenance window with a `lock_timeout` (and acknowledge the
    /// finding with the reason), or create a new table with the constraint, copy the rows in
    /// batches while a trigger keeps it current, and swap the tables in one short transaction.
    /// ```sql
    /// SET lock_timeout = '2s';
    /// ALTER TABLE "shop_booking" ADD CONSTRAINT "no_overlap" EXCLUDE USING gist ("room" WITH =, "during" WITH &&);
    /// ```
    /// Django: keep the `AddConstraint`, mark it `# lockstep: ack add-exclusion-constraint --
    /// <why this table can be locked now>`, and run it when the table may be locked.
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or is small enough to lock for the build.
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE (no `NOT VALID` for exclusion constraints), CREATE TABLE
    /// "EXCLUDE".
    pub(crate) static ADD_EXCLUSION_CONSTRAINT = { id: "add-exclusion-constraint", severity: Severity::Error }
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
                if constraint.kind != ConstraintKind::Exclude {
                    continue;
                }
                let name = constraint.name.clone().unwrap_or_default();
                let message = format!(
                    "`EXCLUDE` constraint `{name}` builds its index and checks every row under an \
                     `ACCESS EXCLUSIVE` lock on `{table}`, and has no `NOT VALID` form: reads and writes wait \
                     throughout{}",
                    rewrite::estimate(statement)
                );
                let comment = if rewrite::is_django(ctx) { "#" } else { "--" };
                let timeout = ctx.settings().lock_timeout_ms;
                let alternative = format!(
                    "No online form exists. Either run it when `{table}` may be locked, with a lock timeout, and \
                     acknowledge this finding above the {what}:\n```\n{comment} lockstep: ack add-exclusion-constraint -- <why {table} can be locked now>\n```\n{}\n\
                     or build a new table with the constraint, copy the rows in batches while a trigger keeps it \
                     current, and swap the tables with two `RENAME`s in one short transaction.",
                    rewrite::sql_block(&[
                        format!("SET lock_timeout = '{timeout}ms';"),
                        format!(
                            "ALTER TABLE {} ADD CONSTRAINT {} {};",
                            quote(table),
                            quote(&name),
                            constraint.body
                        ),
                    ]),
                    what = if rewrite::is_django(ctx) {
                        "operation"
                    } else {
                        "statement"
                    },
                );
                rewrite::report(
                    ctx,
                    &ADD_EXCLUSION_CONSTRAINT,
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
    fn fires_on_add_exclude() {
        let sql = r#"ALTER TABLE "shop_booking" ADD CONSTRAINT "no_overlap" EXCLUDE USING gist ("room" WITH =, "during" WITH &&);"#;
        let found = findings("db/0010.sql", sql);
        assert_eq!(ids(&found), ["add-exclusion-constraint"]);
        insta::assert_snapshot!(render(&found[0], sql));
    }

    #[test]
    fn new_tables_do_not_fire() {
        let sql = "CREATE TABLE b (r int, d tstzrange);\nALTER TABLE b ADD CONSTRAINT x EXCLUDE USING gist (d WITH &&);";
        assert!(findings("db/0001.sql", sql).is_empty());
    }
}
