use super::rewrite;
use super::shape::{Action, Shape};
use super::{Ctx, Severity, declare_rule};
use crate::parse::django::OperationKind;

declare_rule! {
    /// ## What it flags
    /// A `CONCURRENTLY` statement inside a transaction: `CREATE INDEX CONCURRENTLY`,
    /// `DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY`, `DETACH PARTITION … CONCURRENTLY`
    /// between `BEGIN` and `COMMIT`, or in a Django migration that is atomic (the default) —
    /// `AddIndexConcurrently`, `RemoveIndexConcurrently`, or `RunSQL` with such a statement.
    ///
    /// ## Why it hurts
    /// PostgreSQL refuses them in a transaction block ("cannot run inside a transaction
    /// block"), and Django refuses the concurrent operations in an atomic migration: the
    /// migration fails at that point, after the operations before it ran.
    ///
    /// ## Safe alternative
    /// Django: give the migration `atomic = False` (best with the concurrent operation alone in
    /// it, so a failure leaves nothing half-done):
    /// ```python
    /// class Migration(migrations.Migration):
    ///     atomic = False
    ///     operations = [
    ///         AddIndexConcurrently("order", models.Index(fields=["created"], name="shop_order_created_idx")),
    ///     ]
    /// ```
    /// SQL: run it outside `BEGIN` … `COMMIT`, on its own:
    /// ```sql
    /// COMMIT;
    /// CREATE INDEX CONCURRENTLY "shop_order_created_idx" ON "shop_order" ("created");
    /// ```
    ///
    /// ## When it is fine
    /// Never inside a transaction: PostgreSQL does not allow it.
    ///
    /// ## References
    /// PostgreSQL: CREATE INDEX ("a regular CREATE INDEX command can be performed within a
    /// transaction block, but CREATE INDEX CONCURRENTLY cannot").
    pub(crate) static CONCURRENT_IN_TRANSACTION = { id: "concurrent-in-transaction", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (_, op, statement, shapes) in rewrite::placed(ctx) {
        if !statement.transaction {
            continue;
        }
        let what = shapes.iter().find_map(|shape| match shape {
            Shape::CreateIndex { .. } => matches!(
                statement.statement.kind,
                crate::sql::StatementKind::CreateIndex {
                    concurrently: true,
                    ..
                }
            )
            .then_some("CREATE INDEX CONCURRENTLY"),
            Shape::DropIndex {
                concurrently: true, ..
            } => Some("DROP INDEX CONCURRENTLY"),
            Shape::Reindex {
                concurrently: true, ..
            } => Some("REINDEX CONCURRENTLY"),
            Shape::AlterTable { actions, .. } => actions
                .iter()
                .any(|a| matches!(a, Action::DetachPartition { concurrently: true }))
                .then_some("DETACH PARTITION CONCURRENTLY"),
            _ => None,
        });
        let Some(what) = what else { continue };
        let django = rewrite::django_op(ctx, op);
        let concurrent_op = django.is_some_and(|o| {
            matches!(
                o.kind,
                OperationKind::AddIndex {
                    concurrently: true,
                    ..
                } | OperationKind::RemoveIndex {
                    concurrently: true,
                    ..
                }
            )
        });
        let message = if concurrent_op {
            format!(
                "`{}` cannot run in an atomic migration: Django refuses it (and PostgreSQL refuses `{what}` in a \
                 transaction), so the migration fails here",
                op.kind
            )
        } else if rewrite::is_django(ctx) {
            format!(
                "`{what}` runs inside the migration's transaction: PostgreSQL refuses it there, so the migration \
                 fails here"
            )
        } else {
            format!(
                "`{what}` runs between `BEGIN` and `COMMIT`: PostgreSQL refuses it in a transaction block, so the \
                 file fails here"
            )
        };
        let alternative = if rewrite::is_django(ctx) {
            let others = ctx
                .migration()
                .map_or(0, |m| m.operations.len().saturating_sub(1));
            let mut out =
                String::from("Run it outside a transaction: give the migration `atomic = False`");
            if others > 0 {
                out.push_str(
                    ", and best move this operation into a migration of its own, so that a failure leaves \
                     nothing half-done",
                );
            }
            out.push_str(":\n");
            out.push_str(&rewrite::py_block(&rewrite::migration_class(
                false,
                &[rewrite::op_source(ctx, op)],
            )));
            out
        } else {
            format!(
                "Run it on its own, outside `BEGIN` … `COMMIT` (end the transaction before it):\n{}",
                rewrite::sql_block(&["COMMIT;".to_owned(), statement.statement.sql.clone()])
            )
        };
        rewrite::report(
            ctx,
            &CONCURRENT_IN_TRANSACTION,
            op,
            statement,
            message,
            alternative,
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    const ADD_CONCURRENTLY: &str = r#"        AddIndexConcurrently(
            model_name="order",
            index=models.Index(fields=["created"], name="shop_order_created_idx"),
        ),"#;
    const IMPORT: &str = "from django.contrib.postgres.operations import AddIndexConcurrently";

    #[test]
    fn fires_on_add_index_concurrently_in_an_atomic_migration() {
        let migration = shop_migration(IMPORT, "", ADD_CONCURRENTLY);
        assert_eq!(
            ids(&shop_findings(&migration)),
            ["concurrent-in-transaction"]
        );
        insta::assert_snapshot!(shop_render("concurrent-in-transaction", &migration));
    }

    #[test]
    fn fires_on_run_sql_concurrently_in_an_atomic_migration_and_in_sql_transactions() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.RunSQL('CREATE INDEX CONCURRENTLY "o_created" ON "shop_order" ("created");', 'DROP INDEX CONCURRENTLY "o_created";'),"#,
        );
        assert_eq!(
            ids(&shop_findings(&migration)),
            ["concurrent-in-transaction"]
        );
        let sql = "BEGIN;\nDROP INDEX CONCURRENTLY i;\nCOMMIT;";
        let found = crate::rules::rewrite::testing::file_findings("db/0011.sql", sql);
        assert!(
            ids(&found).contains(&"concurrent-in-transaction"),
            "{found:#?}"
        );
        insta::assert_snapshot!(crate::rules::rewrite::testing::render(
            found
                .iter()
                .find(|f| f.rule == "concurrent-in-transaction")
                .unwrap(),
            sql
        ));
    }

    #[test]
    fn non_atomic_migrations_and_autocommit_sql_do_not_fire() {
        let migration = shop_migration(IMPORT, "    atomic = False\n", ADD_CONCURRENTLY);
        assert!(shop_findings(&migration).is_empty());
        let found = crate::rules::rewrite::testing::file_findings(
            "db/0011.sql",
            "CREATE INDEX CONCURRENTLY i ON t (a);\nREINDEX INDEX CONCURRENTLY i;",
        );
        assert!(
            !ids(&found).contains(&"concurrent-in-transaction"),
            "{found:#?}"
        );
    }
}
