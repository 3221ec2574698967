use std::collections::BTreeMap;

use super::rewrite::{self, quote};
use super::shape::{Action, Shape};
use super::{Ctx, Severity, declare_rule};
use crate::analysis::{OperationAnalysis, StatementAnalysis};
use crate::locks::StatementRef;
use crate::parse::django::OperationKind;

declare_rule! {
    /// ## What it flags
    /// Django's `AlterField` from `null=True` to `null=False` with a `default`: in one
    /// transaction it runs `ALTER COLUMN … SET DEFAULT`, `UPDATE … SET col = default WHERE col
    /// IS NULL` over the whole table, then `SET NOT NULL`. The same pattern in a `.sql` file
    /// (a whole-table `IS NULL` backfill followed by `SET NOT NULL` in one transaction) too.
    ///
    /// ## Why it hurts
    /// `SET DEFAULT` takes `ACCESS EXCLUSIVE` on the table and the transaction keeps it until
    /// commit: reads and writes wait while the `UPDATE` rewrites every NULL row and `SET NOT
    /// NULL` scans the table. A long single `UPDATE` also holds row locks and bloats the table.
    ///
    /// ## Safe alternative
    /// Backfill in keyset batches, each its own short transaction, after the code that writes
    /// the value is deployed; then set NOT NULL through a validated check (no scan). Django:
    /// ```python
    /// def backfill_order_total(apps, schema_editor):
    ///     Order = apps.get_model("shop", "Order")
    ///     pks = Order.objects.order_by("pk").values_list("pk", flat=True)
    ///     last = None
    ///     while True:
    ///         page = list((pks if last is None else pks.filter(pk__gt=last))[:1000])
    ///         if not page:
    ///             break
    ///         Order.objects.filter(pk__in=page, total__isnull=True).update(total=0)
    ///         last = page[-1]
    ///
    /// class Migration(migrations.Migration):
    ///     atomic = False
    ///     operations = [migrations.RunPython(backfill_order_total, migrations.RunPython.noop)]
    /// ```
    /// then `AddConstraintNotValid` → `ValidateConstraint` → the `AlterField` →
    /// `RemoveConstraint` in an `atomic = False` migration (see `set-not-null-scan`). SQL:
    /// ```sql
    /// UPDATE "shop_order" SET "total" = 0 WHERE "id" IN (SELECT "id" FROM "shop_order" WHERE "id" > :last AND "total" IS NULL ORDER BY "id" LIMIT 1000) RETURNING "id";
    /// ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_total_not_null" CHECK ("total" IS NOT NULL) NOT VALID;
    /// ALTER TABLE "shop_order" VALIDATE CONSTRAINT "shop_order_total_not_null";
    /// ALTER TABLE "shop_order" ALTER COLUMN "total" SET NOT NULL;
    /// ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_total_not_null";
    /// ```
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or is known to be tiny.
    ///
    /// ## References
    /// Django: `BaseDatabaseSchemaEditor._alter_field` ("When changing a column NULL
    /// constraint to NOT NULL with a given default value, we need to perform 4 steps").
    pub(crate) static DJANGO_ALTERFIELD_BACKFILL_IN_TRANSACTION = { id: "django-alterfield-backfill-in-transaction", severity: Severity::Error }
}

type Placed<'a> = [(
    StatementRef,
    &'a OperationAnalysis,
    &'a StatementAnalysis,
    Vec<Shape>,
)];

/// One backfill followed by `SET NOT NULL` of the same column in its transaction.
pub(crate) struct Pair<'p> {
    /// Index of the `UPDATE` in `placed`.
    pub(crate) update: usize,
    /// The `SET NOT NULL` statement.
    pub(crate) not_null: StatementRef,
    /// The table.
    pub(crate) table: &'p str,
    /// The column.
    pub(crate) column: &'p str,
    /// The value the `UPDATE` writes, as written.
    pub(crate) value: &'p str,
}

/// Every `UPDATE … SET c = v WHERE c IS NULL` on an existing table followed by `SET NOT
/// NULL` of `c` in its transaction (found with one pass and binary searches: large files stay
/// linear).
pub(crate) fn pairs<'p>(ctx: &Ctx<'_>, placed: &'p Placed<'_>) -> Vec<Pair<'p>> {
    let mut not_null: BTreeMap<(&str, &str), Vec<StatementRef>> = BTreeMap::new();
    for (place, _, statement, shapes) in placed {
        if !statement.transaction {
            continue;
        }
        for shape in shapes {
            if let Shape::AlterTable { table, actions, .. } = shape {
                for action in actions {
                    if let Action::SetNotNull { column } = action {
                        not_null
                            .entry((table.as_str(), column.as_str()))
                            .or_default()
                            .push(*place);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for (i, (place, op, statement, shapes)) in placed.iter().enumerate() {
        if !statement.transaction {
            continue;
        }
        for shape in shapes {
            let Shape::Update {
                table,
                backfill: Some((column, value)),
            } = shape
            else {
                continue;
            };
            if ctx.is_created_here(table, op.index) {
                continue;
            }
            let Some(list) = not_null.get(&(table.as_str(), column.as_str())) else {
                continue;
            };
            let Some(&at) = list.get(list.partition_point(|p| p <= place)) else {
                continue;
            };
            if rewrite::same_transaction(ctx, *place, at) {
                out.push(Pair {
                    update: i,
                    not_null: at,
                    table,
                    column,
                    value,
                });
            }
        }
    }
    out
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let placed = rewrite::placed(ctx);
    // Per table, the statements (in file order) that block its reads.
    let mut exclusive: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (_, _, statement, _)) in placed.iter().enumerate() {
        for lock in statement.locks.locks.iter().filter(|l| l.blocks_reads) {
            exclusive.entry(lock.relation.as_str()).or_default().push(i);
        }
    }
    for Pair {
        update,
        table,
        column,
        value,
        ..
    } in pairs(ctx, &placed)
    {
        let Some((place, op, statement, _)) = placed.get(update) else {
            continue;
        };
        let place = *place;
        // What already holds the table exclusively when the UPDATE runs (Django: SET DEFAULT).
        let held = rewrite::transaction_of(ctx, place).and_then(|(first, _)| {
            let list = exclusive.get(table)?;
            let from = list.partition_point(|&j| placed.get(j).is_some_and(|p| p.0 < first));
            let (candidate, _, s, _) = placed.get(*list.get(from)?)?;
            (*candidate < place).then(|| s.statement.sql.lines().next().unwrap_or("").to_owned())
        });
        let lock = match &held {
            Some(first) => format!(
                "the transaction holds `ACCESS EXCLUSIVE` on `{table}` since `{first}`, so reads and writes wait"
            ),
            None => format!(
                "the transaction then holds `ACCESS EXCLUSIVE` on `{table}` until commit, and writes wait for the update's row locks"
            ),
        };
        let message = format!(
            "`UPDATE {table}` fills every NULL `{column}` in one statement and `SET NOT NULL` scans the table in \
             the same transaction: {lock} while both run{}",
            rewrite::estimate(statement)
        );
        let alternative = alternative(ctx, op, table, column, value);
        rewrite::report(
            ctx,
            &DJANGO_ALTERFIELD_BACKFILL_IN_TRANSACTION,
            op,
            statement,
            message,
            alternative,
        );
    }
}

fn alternative(
    ctx: &Ctx<'_>,
    op: &OperationAnalysis,
    table: &str,
    column: &str,
    sql_value: &str,
) -> String {
    let operation = rewrite::django_op(ctx, op);
    let model = match operation.map(|o| &o.kind) {
        Some(OperationKind::AlterField { model_name, .. }) => {
            rewrite::model_at(ctx, op.index, model_name)
        }
        _ => None,
    };
    let pk = rewrite::pk_column(model.as_ref());
    let mut out = String::from(
        "Backfill in keyset batches, each its own short transaction, once the code that always writes the \
         value is deployed; then set NOT NULL through a validated check (no scan, no long lock).\n\n",
    );
    if let (Some(operation), Some(model)) = (operation, &model)
        && let OperationKind::AlterField { name, field, .. } = &operation.kind
    {
        let value = field
            .arg("default")
            .filter(|v| v.span.file == op.span.file)
            .map_or_else(
                || sql_value.to_owned(),
                |v| rewrite::source(ctx, v.span).to_owned(),
            );
        let app = ctx.migration().map_or("", |m| m.app_label.as_str());
        let backfill = rewrite::django_backfill(app, &model.name, name, &value);
        let function = format!("backfill_{}_{name}", model.name.to_lowercase());
        out.push_str("Django, first a data migration:\n");
        out.push_str(&rewrite::py_block(&format!(
            "{backfill}\n\n\n{}",
            rewrite::migration_class(
                false,
                &[format!(
                    "migrations.RunPython({function}, migrations.RunPython.noop)"
                )]
            )
        )));
        out.push_str(
            "\n\nthen the schema change, without Django's own whole-table `UPDATE` (`atomic = False`: each \
             operation commits before the next):\n",
        );
        out.push_str(&rewrite::py_block(&format!(
            "{}\n\n{}",
            rewrite::POSTGRES_OPERATIONS,
            rewrite::migration_class(
                false,
                &rewrite::django_not_null_ops(
                    ctx,
                    &operation_model(operation),
                    name,
                    table,
                    column,
                    rewrite::separate(
                        &[rewrite::run_sql(
                            &[format!(
                                "ALTER TABLE {} ALTER COLUMN {} SET NOT NULL;",
                                quote(table),
                                quote(column)
                            )],
                            &[format!(
                                "ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL;",
                                quote(table),
                                quote(column)
                            )],
                        )],
                        &[rewrite::op_source(ctx, op)],
                    )
                )
            )
        )));
        out.push_str("\n\nSQL:\n");
    }
    let mut steps = rewrite::backfill_steps(table, &pk, column, sql_value);
    if model.is_none() && !rewrite::is_django(ctx) {
        steps.insert(0, format!("-- {} is the table's primary key", quote(&pk)));
    }
    steps.extend(rewrite::not_null_steps(table, column));
    out.push_str(&rewrite::sql_block(&steps));
    out
}

fn operation_model(operation: &crate::parse::django::Operation) -> String {
    match &operation.kind {
        OperationKind::AlterField { model_name, .. } => model_name.clone(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_alter_field_with_a_default() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.AlterField("order", "total", models.IntegerField(default=0)),"#,
        );
        assert_eq!(
            ids(&shop_findings(&migration)),
            // `SET DEFAULT` takes ACCESS EXCLUSIVE first: the lock rules say it is then held.
            [
                "django-alterfield-backfill-in-transaction",
                "statements-after-exclusive-lock"
            ]
        );
        insta::assert_snapshot!(shop_render(
            "django-alterfield-backfill-in-transaction",
            &migration
        ));
    }

    #[test]
    fn fires_in_sqlmigrate_output_and_not_on_new_tables() {
        let sql = "BEGIN;\nALTER TABLE \"shop_order\" ALTER COLUMN \"total\" SET DEFAULT 0;\nUPDATE \"shop_order\" SET \"total\" = 0 WHERE \"total\" IS NULL;\nALTER TABLE \"shop_order\" ALTER COLUMN \"total\" SET NOT NULL;\nALTER TABLE \"shop_order\" ALTER COLUMN \"total\" DROP DEFAULT;\nCOMMIT;";
        let found = crate::rules::rewrite::testing::file_findings("db/0005.sql", sql);
        assert_eq!(
            ids(&found),
            // The whole-table UPDATE is reported once, here: `unbatched-backfill` leaves an
            // UPDATE followed by `SET NOT NULL` in its transaction to this rule.
            [
                "statements-after-exclusive-lock",
                "django-alterfield-backfill-in-transaction"
            ],
            "{found:#?}"
        );
        let ours = found
            .iter()
            .find(|f| f.rule == "django-alterfield-backfill-in-transaction")
            .unwrap();
        assert_eq!(ours.line, 3);
        let new = format!("CREATE TABLE \"shop_order\" (\"total\" int NULL);\n{sql}");
        let found = crate::rules::rewrite::testing::file_findings("db/0005.sql", &new);
        assert!(found.is_empty(), "{found:#?}");
        // Outside a transaction each statement commits: no held lock (other rules judge them).
        let autocommit = sql.replace("BEGIN;\n", "").replace("\nCOMMIT;", "");
        let found = crate::rules::rewrite::testing::file_findings("db/0005.sql", &autocommit);
        assert!(
            !ids(&found).contains(&"django-alterfield-backfill-in-transaction"),
            "{found:#?}"
        );
    }
}
