use super::rewrite::{self, quote};
use super::shape::{Action, Shape};
use super::{Ctx, Severity, declare_rule};
use crate::analysis::OperationAnalysis;
use crate::parse::django::OperationKind;

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … ALTER COLUMN … TYPE …` that rewrites the table, on a table that existed
    /// before this migration — Django's `AlterField` changing the column type (`IntegerField` →
    /// `BigIntegerField`, `max_length` made smaller, `CharField` → `IntegerField`), and the key
    /// columns Django retypes around an `AutoField` → `BigAutoField` change.
    ///
    /// ## Why it hurts
    /// Unless the old and new types are binary coercible, PostgreSQL rewrites the whole table and
    /// rebuilds every index on it while it holds an `ACCESS EXCLUSIVE` lock: reads and writes
    /// wait until the end. No rewrite (the lock is brief): `varchar(n)` to a larger `n` or to
    /// `varchar`/`text`, `varchar` → `text`, `numeric(p,s)` to a larger `p` with the same `s`,
    /// `cidr` → `inet`, and `timestamp` → `timestamptz` when the session time zone is UTC
    /// (PostgreSQL 12+). Lockstep uses the type the column had in the earlier migrations or
    /// statements; when that is not among the files, it reports only changes to types no
    /// widening reaches (`bigint`, `uuid`, `boolean`, …).
    ///
    /// ## Safe alternative
    /// Expand and contract: a new column of the new type kept in step by a trigger, a keyset
    /// backfill, then a swap of names in one short transaction, and the old column dropped
    /// later. SQL:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD COLUMN "total_new" bigint NULL;
    /// CREATE FUNCTION "shop_order_total_sync"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW."total_new" := NEW."total"::bigint; RETURN NEW; END $$;
    /// CREATE TRIGGER "shop_order_total_sync" BEFORE INSERT OR UPDATE ON "shop_order" FOR EACH ROW EXECUTE FUNCTION "shop_order_total_sync"();
    /// UPDATE "shop_order" SET "total_new" = "total"::bigint WHERE "id" IN (SELECT "id" FROM "shop_order" WHERE "id" > :last AND "total_new" IS NULL ORDER BY "id" LIMIT 1000) RETURNING "id";
    /// BEGIN;
    /// ALTER TABLE "shop_order" RENAME COLUMN "total" TO "total_old";
    /// ALTER TABLE "shop_order" RENAME COLUMN "total_new" TO "total";
    /// DROP TRIGGER "shop_order_total_sync" ON "shop_order";
    /// COMMIT;
    /// ```
    /// Django: the expand statements in `RunSQL`, the backfill, then the swap as `RunSQL` inside
    /// `SeparateDatabaseAndState` with the `AlterField` as its state operation.
    ///
    /// ## When it is fine
    /// The table is created in the same migration, the change is binary coercible, or the table
    /// is known to be tiny.
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE, Notes ("changing the type of an existing column will require the
    /// entire table and its indexes to be rewritten", and the binary-coercible exceptions).
    pub(crate) static ALTER_COLUMN_TYPE_REWRITE = { id: "alter-column-type-rewrite", severity: Severity::Error }
}

/// Types some other type widens into without a rewrite: with the old type unknown, a change to
/// one of them may be free, so the rule stays quiet.
const WIDENED_INTO: &[&str] = &[
    "varchar",
    "character varying",
    "text",
    "numeric",
    "decimal",
    "bit varying",
    "varbit",
    "inet",
    "timestamptz",
    "timestamp with time zone",
    "timestamp",
    "timestamp without time zone",
    "citext",
];

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (_, op, statement, shapes) in rewrite::placed(ctx) {
        for shape in &shapes {
            let Shape::AlterTable { table, actions, .. } = shape else {
                continue;
            };
            if ctx.is_created_here(table, op.index) {
                continue;
            }
            let rewrites = statement.locks.on(table).and_then(|l| l.rewrites);
            for action in actions {
                let Action::AlterType { column, ty, using } = action else {
                    continue;
                };
                let base = ty
                    .split('(')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                let certain = match rewrites {
                    Some(true) => true,
                    None if !WIDENED_INTO.contains(&base.as_str()) => false,
                    _ => continue,
                };
                let message = format!(
                    "`ALTER COLUMN {column} TYPE {ty}` {} `{table}` and rebuilds its indexes under an \
                     `ACCESS EXCLUSIVE` lock: reads and writes wait until it ends{}",
                    if certain {
                        "rewrites"
                    } else {
                        "rewrites (unless the column already has a type that converts for free; its earlier type \
                         is not among the files)"
                    },
                    rewrite::estimate(statement)
                );
                let alternative = alternative(ctx, op, table, column, ty, using.as_deref());
                rewrite::report(
                    ctx,
                    &ALTER_COLUMN_TYPE_REWRITE,
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
    column: &str,
    ty: &str,
    using: Option<&str>,
) -> String {
    let operation = rewrite::django_op(ctx, op);
    let model = operation.and_then(|o| match &o.kind {
        OperationKind::AlterField { model_name, .. } => {
            rewrite::model_at(ctx, op.index, model_name)
        }
        _ => None,
    });
    let pk = rewrite::pk_column(model.as_ref());
    let t = quote(table);
    let c = quote(column);
    let new = quote(&rewrite::identifier(&format!("{column}_new")));
    let old = quote(&rewrite::identifier(&format!("{column}_old")));
    let sync = quote(&rewrite::identifier(&format!("{table}_{column}_sync")));
    let expression = using.map_or_else(|| format!("{c}::{ty}"), str::to_owned);
    let expand = vec![
        format!("ALTER TABLE {t} ADD COLUMN {new} {ty} NULL;"),
        format!(
            "CREATE FUNCTION {sync}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.{new} := {}; RETURN NEW; END $$;",
            rewrite::qualify_new(&expression)
        ),
        format!(
            "CREATE TRIGGER {sync} BEFORE INSERT OR UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION {sync}();"
        ),
    ];
    let swap = vec![
        format!("ALTER TABLE {t} RENAME COLUMN {c} TO {old};"),
        format!("ALTER TABLE {t} RENAME COLUMN {new} TO {c};"),
        format!("DROP TRIGGER {sync} ON {t};"),
        format!("DROP FUNCTION {sync}();"),
    ];
    let mut steps = expand.clone();
    steps.extend(rewrite::backfill_steps(
        table,
        &pk,
        &new.trim_matches('"').replace("\"\"", "\""),
        &expression,
    ));
    steps.push(
        "-- build the indexes and constraints the column has on the new one (CONCURRENTLY, NOT VALID + VALIDATE), then in one short transaction:"
            .to_owned(),
    );
    steps.push("BEGIN;".to_owned());
    steps.extend(swap.iter().cloned());
    steps.push("COMMIT;".to_owned());
    steps.push("-- once nothing reads it:".to_owned());
    steps.push(format!("ALTER TABLE {t} DROP COLUMN {old};"));
    let mut out = String::from(
        "Expand and contract: add a column of the new type kept in step by a trigger, backfill it in batches, \
         then swap the names in one short transaction and drop the old column later. (For a primary key or a \
         column other tables' keys reference, the swap must also move the key and those columns.)\n\n",
    );
    if operation.is_some() {
        out.push_str(&rewrite::django_intro(
            "`atomic = False`; the state changes only with the swap",
        ));
        out.push('\n');
        out.push_str(&rewrite::py_block(&rewrite::migration_class(
            false,
            &[
                rewrite::run_sql(&expand, &[]),
                "# … the batched backfill (RunPython, or the UPDATE below in batches) …".to_owned(),
                rewrite::separate(
                    &[rewrite::run_sql(&swap, &[])],
                    &[rewrite::op_source(ctx, op)],
                ),
            ],
        )));
        out.push_str("\n\nSQL:\n");
    }
    out.push_str(&rewrite::sql_block(&steps));
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_integer_to_bigint() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.AlterField(
            model_name="order",
            name="total",
            field=models.BigIntegerField(null=True),
        ),"#,
        );
        assert_eq!(
            ids(&shop_findings(&migration)),
            ["alter-column-type-rewrite"]
        );
        insta::assert_snapshot!(shop_render("alter-column-type-rewrite", &migration));
    }

    #[test]
    fn widening_max_length_and_new_tables_do_not_fire() {
        for operations in [
            r#"        migrations.AlterField("order", "email", models.CharField(max_length=200, null=True)),"#,
            r#"        migrations.AlterField("order", "note", models.CharField(max_length=50, null=True)),
        migrations.AlterField("order", "note", models.TextField(null=True)),"#,
        ] {
            let found = shop_findings(&shop_migration("", "", operations));
            assert!(
                !ids(&found)
                    .iter()
                    .skip(usize::from(operations.contains("max_length=50")))
                    .any(|id| *id == "alter-column-type-rewrite"),
                "{operations}: {found:#?}"
            );
        }
        let sql = "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;";
        assert!(crate::rules::rewrite::testing::file_findings("db/0001.sql", sql).is_empty());
        // Unknown old type: a change to text may be free; to bigint it is not.
        let found = crate::rules::rewrite::testing::file_findings(
            "db/0001.sql",
            "ALTER TABLE t ALTER COLUMN a TYPE text;\nALTER TABLE u ALTER COLUMN b TYPE bigint USING b::bigint;",
        );
        assert_eq!(ids(&found), ["alter-column-type-rewrite"]);
        assert_eq!(found[0].line, 2);
    }
}
