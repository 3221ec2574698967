use super::rewrite::{self, quote};
use super::shape::{Action, ColumnDef, Shape};
use super::{Ctx, Severity, declare_rule};
use crate::analysis::OperationAnalysis;

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … ADD COLUMN … DEFAULT <volatile>` on a table that existed before this
    /// migration: a default PostgreSQL must compute per row (`random()`, `clock_timestamp()`,
    /// `gen_random_uuid()`, `nextval(…)`) — in Django, `db_default=RandomUUID()` and the like.
    ///
    /// ## Why it hurts
    /// A constant or stable default (`0`, `now()`) is stored once in the catalog (PostgreSQL
    /// 11+). A volatile one is evaluated for every existing row: the whole table and its indexes
    /// are rewritten under an `ACCESS EXCLUSIVE` lock, so reads and writes wait throughout.
    ///
    /// ## Safe alternative
    /// Add the column nullable without a default, set the default for new rows, backfill the
    /// existing rows in batches, then (if needed) set NOT NULL through a validated check. SQL:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD COLUMN "ref" uuid NULL;
    /// ALTER TABLE "shop_order" ALTER COLUMN "ref" SET DEFAULT (GEN_RANDOM_UUID());
    /// UPDATE "shop_order" SET "ref" = (GEN_RANDOM_UUID()) WHERE "id" IN (SELECT "id" FROM "shop_order" WHERE "id" > :last AND "ref" IS NULL ORDER BY "id" LIMIT 1000) RETURNING "id";
    /// ```
    /// Django: the same statements in `RunSQL` inside `SeparateDatabaseAndState`, with the
    /// `AddField` as its state operation.
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or is known to be tiny.
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE, Notes ("Adding a column with a volatile DEFAULT … will require
    /// the entire table and its indexes to be rewritten").
    pub(crate) static ADD_COLUMN_VOLATILE_DEFAULT = { id: "add-column-volatile-default", severity: Severity::Error }
}

/// Column types whose implicit default is a sequence.
pub(crate) const SERIAL: &[&str] = &[
    "serial",
    "bigserial",
    "smallserial",
    "serial2",
    "serial4",
    "serial8",
];

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (_, op, statement, shapes) in rewrite::placed(ctx) {
        for shape in &shapes {
            let Shape::AlterTable { table, actions, .. } = shape else {
                continue;
            };
            if ctx.is_created_here(table, op.index)
                || statement.locks.on(table).and_then(|l| l.rewrites) != Some(true)
                || actions
                    .iter()
                    .any(|a| matches!(a, Action::AlterType { .. }))
            {
                continue;
            }
            for action in actions {
                let Action::AddColumn(column) = action else {
                    continue;
                };
                let Some(default) = &column.default else {
                    continue;
                };
                if column.generated.is_some() || SERIAL.contains(&column.base_type.as_str()) {
                    continue;
                }
                let message = format!(
                    "`ADD COLUMN {}` with the volatile default `{default}` rewrites `{table}` and its indexes \
                     under an `ACCESS EXCLUSIVE` lock: reads and writes wait until every row has its own value{}",
                    column.name,
                    rewrite::estimate(statement)
                );
                let alternative = alternative(ctx, op, table, column, default);
                rewrite::report(
                    ctx,
                    &ADD_COLUMN_VOLATILE_DEFAULT,
                    op,
                    statement,
                    message,
                    alternative,
                );
            }
        }
    }
}

fn alternative(
    ctx: &Ctx<'_>,
    op: &OperationAnalysis,
    table: &str,
    column: &ColumnDef,
    default: &str,
) -> String {
    let (t, c) = (quote(table), quote(&column.name));
    let model = rewrite::django_op(ctx, op).and_then(|operation| match &operation.kind {
        crate::parse::django::OperationKind::AddField { model_name, .. } => {
            rewrite::model_at(ctx, op.index, model_name)
        }
        _ => None,
    });
    let pk = rewrite::pk_column(model.as_ref());
    let expand = vec![
        format!("ALTER TABLE {t} ADD COLUMN {} NULL;", column.head),
        format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {default};"),
    ];
    let mut steps = expand.clone();
    steps.push("-- new rows get the default; existing rows:".to_owned());
    steps.extend(rewrite::backfill_steps(table, &pk, &column.name, default));
    if column.not_null {
        steps.push("-- then NOT NULL without a scan:".to_owned());
        steps.extend(rewrite::not_null_steps(table, &column.name));
    }
    let mut out = String::from(
        "Add the column without the default (a catalog change), set the default for new rows, and backfill \
         existing rows in batches.\n\n",
    );
    if rewrite::is_django(ctx) {
        out.push_str(&rewrite::django_intro(
            "the database gets the cheap statements, the state gets the field as written",
        ));
        out.push('\n');
        let reverse = vec![format!("ALTER TABLE {t} DROP COLUMN {c};")];
        out.push_str(&rewrite::py_block(&rewrite::separate(
            &[rewrite::run_sql(&expand, &reverse)],
            &[rewrite::op_source(ctx, op)],
        )));
        out.push_str(
            "\n\nthen backfill in batches (a `RunPython` in an `atomic = False` migration), and make it NOT NULL \
             as `set-not-null-scan` shows.\n\nSQL:\n",
        );
    }
    out.push_str(&rewrite::sql_block(&steps));
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_db_default_random_uuid() {
        let migration = shop_migration(
            "from django.contrib.postgres.functions import RandomUUID",
            "",
            r#"        migrations.AddField("order", "ref", models.UUIDField(db_default=RandomUUID())),"#,
        );
        assert_eq!(
            ids(&shop_findings(&migration)),
            ["add-column-volatile-default"]
        );
        insta::assert_snapshot!(shop_render("add-column-volatile-default", &migration));
    }

    #[test]
    fn constant_and_stable_defaults_and_new_tables_do_not_fire() {
        for sql in [
            "ALTER TABLE t ADD COLUMN a integer DEFAULT 0 NOT NULL;",
            "ALTER TABLE t ADD COLUMN a timestamptz DEFAULT now();",
            "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a uuid DEFAULT gen_random_uuid();",
        ] {
            let found = crate::rules::rewrite::testing::file_findings("db/0001.sql", sql);
            assert!(
                !ids(&found).contains(&"add-column-volatile-default"),
                "{sql}: {found:#?}"
            );
        }
        let found = crate::rules::rewrite::testing::file_findings(
            "db/0001.sql",
            "ALTER TABLE t ADD COLUMN a double precision DEFAULT random();",
        );
        assert_eq!(ids(&found), ["add-column-volatile-default"]);
    }
}
