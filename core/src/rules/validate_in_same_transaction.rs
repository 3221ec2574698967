use std::collections::BTreeMap;

use super::rewrite::{self, quote};
use super::shape::{Action, Shape};
use super::{Ctx, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … VALIDATE CONSTRAINT` in the same transaction that added the constraint
    /// `NOT VALID`, or that already took a lock on the table which blocks writes — Django's
    /// `AddConstraintNotValid` followed by `ValidateConstraint` in one atomic migration.
    ///
    /// ## Why it hurts
    /// Locks are held until commit. The `ADD CONSTRAINT … NOT VALID` took `ACCESS EXCLUSIVE`
    /// (a foreign key: `SHARE ROW EXCLUSIVE` on both tables), so the validation scan runs with
    /// that lock still held: reads and writes wait for the whole scan, exactly what `NOT VALID`
    /// was meant to avoid.
    ///
    /// ## Safe alternative
    /// Commit between the two. Django: the validation in a later migration, or the migration
    /// `atomic = False`:
    /// ```python
    /// class Migration(migrations.Migration):
    ///     atomic = False
    ///     operations = [
    ///         AddConstraintNotValid("order", models.CheckConstraint(condition=models.Q(total__gte=0), name="total_gte_0")),
    ///         ValidateConstraint("order", "total_gte_0"),
    ///     ]
    /// ```
    /// SQL:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD CONSTRAINT "total_gte_0" CHECK ("total" >= 0) NOT VALID;
    /// COMMIT;
    /// ALTER TABLE "shop_order" VALIDATE CONSTRAINT "total_gte_0";
    /// ```
    ///
    /// ## When it is fine
    /// The table is created in the same transaction (nobody else can see it yet).
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE, "VALIDATE CONSTRAINT" (takes only `SHARE UPDATE EXCLUSIVE`).
    pub(crate) static VALIDATE_IN_SAME_TRANSACTION = { id: "validate-in-same-transaction", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let placed = rewrite::placed(ctx);
    let holders = holders(&placed);
    for (place, op, statement, shapes) in &placed {
        if !statement.transaction {
            continue;
        }
        for shape in shapes {
            let Shape::AlterTable { table, actions, .. } = shape else {
                continue;
            };
            if ctx.is_created_here(table, op.index) {
                continue;
            }
            for action in actions {
                let Action::ValidateConstraint { name } = action else {
                    continue;
                };
                // The first statement of this transaction, before this one, that holds a
                // write-blocking lock on the table (or adds a constraint to it).
                let Some((first, _)) = rewrite::transaction_of(ctx, *place) else {
                    continue;
                };
                let earlier = holders.get(table.as_str()).and_then(|list| {
                    let from =
                        list.partition_point(|&j| placed.get(j).is_some_and(|p| p.0 < first));
                    list.get(from)
                        .and_then(|&j| placed.get(j))
                        .filter(|candidate| candidate.0 < *place)
                });
                let Some((_, _, earlier, earlier_shapes)) = earlier else {
                    continue;
                };
                let mode = earlier
                    .locks
                    .on(table)
                    .map_or("ACCESS EXCLUSIVE", |l| l.mode.sql_words());
                let how = if adds(earlier_shapes, table, name) {
                    format!("added `{name}` `NOT VALID`")
                } else {
                    format!(
                        "ran `{}`",
                        earlier.statement.sql.lines().next().unwrap_or("")
                    )
                };
                let message = format!(
                    "`VALIDATE CONSTRAINT {name}` runs in the transaction that {how}: its `{mode}` lock on \
                     `{table}` is held through the validation scan, so the scan blocks as if `NOT VALID` had not \
                     been used"
                );
                let validate = format!(
                    "ALTER TABLE {} VALIDATE CONSTRAINT {};",
                    quote(table),
                    quote(name)
                );
                let alternative = if rewrite::is_django(ctx) {
                    let validate_op = rewrite::op_source(ctx, op);
                    format!(
                        "Commit before validating: move this operation into the next migration (a transaction of \
                         its own), or make this migration `atomic = False`:\n{}",
                        rewrite::py_block(&format!(
                            "class Migration(migrations.Migration):\n    dependencies = [({}, {})]\n    operations = [\n{},\n    ]",
                            rewrite::py_str(&ctx.file().app_label),
                            rewrite::py_str(&ctx.file().name),
                            rewrite::indent(&validate_op, 8)
                        ))
                    )
                } else {
                    format!(
                        "Commit before validating, so the validation holds only `SHARE UPDATE EXCLUSIVE`:\n{}",
                        rewrite::sql_block(&["COMMIT;".to_owned(), validate])
                    )
                };
                rewrite::report(
                    ctx,
                    &VALIDATE_IN_SAME_TRANSACTION,
                    op,
                    statement,
                    message,
                    alternative,
                );
            }
        }
    }
}

/// Per table, the statements (indexes into `placed`, in file order) holding a lock on it that
/// blocks writes, or adding a constraint to it.
fn holders<'p>(
    placed: &'p [(
        crate::locks::StatementRef,
        &crate::analysis::OperationAnalysis,
        &crate::analysis::StatementAnalysis,
        Vec<Shape>,
    )],
) -> BTreeMap<&'p str, Vec<usize>> {
    let mut holders: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (_, _, statement, shapes)) in placed.iter().enumerate() {
        for lock in statement.locks.locks.iter().filter(|l| l.blocks_writes) {
            holders.entry(lock.relation.as_str()).or_default().push(i);
        }
        for shape in shapes {
            if let Shape::AlterTable { table, actions, .. } = shape
                && actions
                    .iter()
                    .any(|a| matches!(a, Action::AddConstraint(_)))
            {
                let list = holders.entry(table.as_str()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
    }
    for list in holders.values_mut() {
        list.sort_unstable();
        list.dedup();
    }
    holders
}

/// Whether `shapes` add constraint `name` to `table`.
fn adds(shapes: &[Shape], table: &str, name: &str) -> bool {
    shapes.iter().any(|shape| {
        matches!(shape, Shape::AlterTable { table: t, actions, .. } if t == table
            && actions.iter().any(|a| matches!(a, Action::AddConstraint(c) if c.name.as_deref() == Some(name))))
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    const IMPORT: &str =
        "from django.contrib.postgres.operations import AddConstraintNotValid, ValidateConstraint";
    const OPERATIONS: &str = r#"        AddConstraintNotValid(
            model_name="order",
            constraint=models.CheckConstraint(condition=models.Q(total__gte=0), name="total_gte_0"),
        ),
        ValidateConstraint(model_name="order", name="total_gte_0"),"#;

    #[test]
    fn fires_on_validate_in_the_same_atomic_migration() {
        let migration = shop_migration(IMPORT, "", OPERATIONS);
        assert_eq!(
            ids(&shop_findings(&migration)),
            // `ADD CONSTRAINT` takes ACCESS EXCLUSIVE, held through the VALIDATE.
            [
                "statements-after-exclusive-lock",
                "validate-in-same-transaction"
            ]
        );
        insta::assert_snapshot!(shop_render("validate-in-same-transaction", &migration));
    }

    #[test]
    fn separate_transactions_do_not_fire() {
        let migration = shop_migration(IMPORT, "    atomic = False\n", OPERATIONS);
        assert!(shop_findings(&migration).is_empty());
        let sql = "BEGIN;\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nCOMMIT;\nALTER TABLE t VALIDATE CONSTRAINT c;";
        let found = crate::rules::rewrite::testing::file_findings("db/0001.sql", sql);
        assert!(found.is_empty(), "{found:#?}");
        let same = "BEGIN;\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c;\nCOMMIT;";
        let found = crate::rules::rewrite::testing::file_findings("db/0001.sql", same);
        assert_eq!(
            ids(&found),
            [
                "statements-after-exclusive-lock",
                "validate-in-same-transaction"
            ]
        );
    }
}
