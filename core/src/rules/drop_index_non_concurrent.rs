use std::collections::BTreeSet;

use super::rewrite::{self, quote};
use super::shape::Shape;
use super::{Ctx, Severity, declare_rule};
use crate::parse::django::OperationKind;

declare_rule! {
    /// ## What it flags
    /// `DROP INDEX` without `CONCURRENTLY` on a table that existed before this migration —
    /// Django's `RemoveIndex`, `AlterIndexTogether`, and `AlterField` dropping `db_index`.
    ///
    /// ## Why it hurts
    /// It takes an `ACCESS EXCLUSIVE` lock on the index's table. The drop itself is quick, but
    /// it must wait for every running query on the table, and meanwhile every new read and write
    /// queues behind it.
    ///
    /// ## Safe alternative
    /// `DROP INDEX CONCURRENTLY` (`SHARE UPDATE EXCLUSIVE`: reads and writes go on), outside a
    /// transaction. Django: `RemoveIndexConcurrently` in a migration with `atomic = False`:
    /// ```python
    /// class Migration(migrations.Migration):
    ///     atomic = False
    ///     operations = [RemoveIndexConcurrently(model_name="order", name="shop_order_created_idx")]
    /// ```
    /// SQL:
    /// ```sql
    /// DROP INDEX CONCURRENTLY IF EXISTS "shop_order_created_idx";
    /// ```
    /// An index that backs a constraint (unique, primary key) cannot be dropped this way: drop
    /// the constraint instead.
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or is idle while it migrates.
    ///
    /// ## References
    /// PostgreSQL: DROP INDEX, "CONCURRENTLY".
    pub(crate) static DROP_INDEX_NON_CONCURRENT = { id: "drop-index-non-concurrent", severity: Severity::Warning }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let placed = rewrite::placed(ctx);
    // Indexes the file has dropped so far.
    let mut dropped: BTreeSet<&str> = BTreeSet::new();
    for (_, op, statement, shapes) in &placed {
        for shape in shapes {
            let Shape::DropIndex {
                names,
                concurrently,
                rest,
            } = shape
            else {
                continue;
            };
            // `DROP INDEX IF EXISTS` of an index this file already dropped finds nothing to lock
            // (Django repeats it when one `AlterField` drops the `_like` index twice).
            let again = names.iter().all(|n| dropped.contains(n.as_str()));
            dropped.extend(names.iter().map(String::as_str));
            if *concurrently || again {
                continue;
            }
            let tables: Vec<&str> = statement
                .locks
                .locks
                .iter()
                .map(|l| l.relation.as_str())
                .filter(|r| !names.iter().any(|n| n == r))
                .collect();
            if !tables.is_empty() && tables.iter().all(|t| ctx.is_created_here(t, op.index)) {
                continue;
            }
            let on = match tables.as_slice() {
                [] => "its table".to_owned(),
                tables => tables
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let message = format!(
                "`DROP INDEX {}` takes an `ACCESS EXCLUSIVE` lock on {on}: it waits for every running query, and \
                 every read and write queues behind it meanwhile",
                names.join(", ")
            );
            let if_exists = rest.to_ascii_uppercase().starts_with("IF EXISTS");
            let concurrent: Vec<String> = names
                .iter()
                .map(|n| {
                    format!(
                        "DROP INDEX CONCURRENTLY {}{};",
                        if if_exists { "IF EXISTS " } else { "" },
                        quote(n)
                    )
                })
                .collect();
            let mut alternative = String::from(
                "Drop it concurrently (`SHARE UPDATE EXCLUSIVE`: reads and writes go on), outside a transaction.\n\n",
            );
            if let Some(operation) = rewrite::django_op(ctx, op) {
                let source = rewrite::op_source(ctx, op);
                let replaced = match &operation.kind {
                    OperationKind::RemoveIndex {
                        concurrently: false,
                        ..
                    } if source.starts_with("migrations.RemoveIndex(") => {
                        source.replacen("migrations.RemoveIndex(", "RemoveIndexConcurrently(", 1)
                    }
                    _ => rewrite::django_with_replaced(ctx, op, statement, &concurrent),
                };
                alternative.push_str(&rewrite::django_intro("`atomic = False`"));
                alternative.push('\n');
                alternative.push_str(&rewrite::py_block(&format!(
                    "{}{}",
                    if replaced.starts_with("RemoveIndexConcurrently") {
                        "from django.contrib.postgres.operations import RemoveIndexConcurrently\n\n"
                    } else {
                        ""
                    },
                    rewrite::migration_class(false, &[replaced])
                )));
                alternative.push_str("\n\nSQL:\n");
            }
            alternative.push_str(&rewrite::sql_block(&concurrent));
            rewrite::report(
                ctx,
                &DROP_INDEX_NON_CONCURRENT,
                op,
                statement,
                message,
                alternative,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_remove_index() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.AddIndex("order", models.Index(fields=["created"], name="shop_order_created_idx")),
        migrations.RemoveIndex(model_name="order", name="shop_order_created_idx"),"#,
        );
        assert_eq!(
            ids(&shop_findings(&migration)),
            ["add-index-non-concurrent", "drop-index-non-concurrent"]
        );
        insta::assert_snapshot!(shop_render("drop-index-non-concurrent", &migration));
    }

    #[test]
    fn concurrent_drops_and_new_tables_do_not_fire() {
        let sql = "CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\nDROP INDEX i;\nDROP INDEX CONCURRENTLY j;\nDROP INDEX IF EXISTS k;\nDROP INDEX IF EXISTS k;";
        let found = crate::rules::rewrite::testing::file_findings("db/0001.sql", sql);
        assert_eq!(
            ids(&found)
                .iter()
                .filter(|id| **id == "drop-index-non-concurrent")
                .count(),
            1,
            "only the first drop of k: {found:#?}"
        );
    }
}
