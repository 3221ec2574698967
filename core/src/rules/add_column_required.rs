use super::add_column_volatile_default::SERIAL;
use super::rewrite::{self, quote};
use super::shape::{Action, ColumnDef, Shape};
use super::{Ctx, Severity, declare_rule};
use crate::analysis::OperationAnalysis;
use crate::parse::django::OperationKind;

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … ADD COLUMN … NOT NULL` without a `DEFAULT` on a table that existed before
    /// this migration — a hand-written `AddField` of a non-null field with no `default`.
    ///
    /// ## Why it hurts
    /// Every existing row would get NULL, so on a table with rows the statement fails (after
    /// queueing for its `ACCESS EXCLUSIVE` lock), and the whole migration with it.
    ///
    /// ## Safe alternative
    /// Give it a constant database default (stored in the catalog since PostgreSQL 11: no
    /// rewrite), or add it nullable, backfill, then set NOT NULL through a validated check.
    /// Django: `models.IntegerField(db_default=0)` (Django 5.0+), or `null=True` first. SQL:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD COLUMN "quantity" integer DEFAULT 0 NOT NULL;
    /// ```
    ///
    /// ## When it is fine
    /// The table is created in the same migration (it has no rows yet).
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE, ADD COLUMN.
    pub(crate) static ADD_COLUMN_REQUIRED = { id: "add-column-required", severity: Severity::Error }
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
                let Action::AddColumn(column) = action else {
                    continue;
                };
                if !(column.not_null || column.primary_key)
                    || column.default.is_some()
                    || column.generated.is_some()
                    || SERIAL.contains(&column.base_type.as_str())
                {
                    continue;
                }
                let message = format!(
                    "`ADD COLUMN {}` is NOT NULL with no default: the existing rows of `{table}` would hold NULL, \
                     so the statement fails on a table with rows (after waiting for its `ACCESS EXCLUSIVE` lock)",
                    column.name
                );
                let alternative = alternative(ctx, op, table, column);
                rewrite::report(
                    ctx,
                    &ADD_COLUMN_REQUIRED,
                    op,
                    statement,
                    message,
                    alternative,
                );
            }
        }
    }
}

fn alternative(ctx: &Ctx<'_>, op: &OperationAnalysis, table: &str, column: &ColumnDef) -> String {
    let t = quote(table);
    let mut out = String::from(
        "Give the column a constant database default (kept in the catalog since PostgreSQL 11: no rewrite), \
         or add it nullable, backfill it, then set NOT NULL through a validated check.\n\n",
    );
    if let Some(operation) = rewrite::django_op(ctx, op)
        && let OperationKind::AddField { field, .. } = &operation.kind
        && field.span.file == op.span.file
    {
        let written = rewrite::source(ctx, field.span);
        out.push_str("Django, with a database default (Django 5.0+; pick the value):\n");
        out.push_str(&rewrite::py_block(&format!(
            "field={}",
            rewrite::with_kwarg(written, "db_default", "<value>")
        )));
        out.push_str("\n\nor nullable first (backfill, then `set-not-null-scan`'s route):\n");
        out.push_str(&rewrite::py_block(&format!(
            "field={}",
            rewrite::with_kwarg(written, "null", "True")
        )));
        out.push_str("\n\nSQL:\n");
    }
    out.push_str(&rewrite::sql_block(&[
        format!(
            "ALTER TABLE {t} ADD COLUMN {} DEFAULT <value> NOT NULL;",
            column.head
        ),
        "-- or:".to_owned(),
        format!("ALTER TABLE {t} ADD COLUMN {} NULL;", column.head),
    ]));
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::file_findings as findings;
    use crate::rules::rewrite::testing::{ids, render};

    #[test]
    fn fires_on_not_null_without_default() {
        let sql = "ALTER TABLE shop_order ADD COLUMN quantity integer NOT NULL;";
        let found = findings("db/0006.sql", sql);
        assert_eq!(ids(&found), ["add-column-required"]);
        insta::assert_snapshot!(render(&found[0], sql));
    }

    #[test]
    fn defaults_nullable_columns_and_new_tables_do_not_fire() {
        for sql in [
            "ALTER TABLE t ADD COLUMN a integer DEFAULT 0 NOT NULL;",
            "ALTER TABLE t ADD COLUMN a integer NULL;",
            "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a integer NOT NULL;",
        ] {
            let found = findings("db/0001.sql", sql);
            assert!(
                !ids(&found).contains(&"add-column-required"),
                "{sql}: {found:#?}"
            );
        }
    }
}
