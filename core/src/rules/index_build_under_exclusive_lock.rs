use super::statements_after_exclusive_lock::{builds_index_on_existing, windows};
use super::{Ctx, Report, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An index build on an existing table after a statement of the same transaction took
    /// `ACCESS EXCLUSIVE` on an existing table: Django's `AddField(db_index=True)`,
    /// `AddField(ForeignKey)` or `AlterField(unique=True)` (the column change, then the
    /// deferred `CREATE INDEX`), or the same in `BEGIN` … `COMMIT`.
    ///
    /// ## Why it hurts
    /// A plain `CREATE INDEX` blocks writes; under the `ACCESS EXCLUSIVE` the transaction
    /// already holds, reads of the table wait too, for the whole build.
    ///
    /// ## Safe alternative
    /// Change the column in one migration, and build the index concurrently in the next.
    /// Django:
    /// ```python
    /// # 0005_order_code.py
    /// migrations.AddField("order", "code", models.CharField(max_length=20, null=True))
    /// # 0006_order_code_idx.py (atomic = False)
    /// AddIndexConcurrently("order", models.Index(fields=["code"], name="shop_order_code_idx"))
    /// ```
    /// (or `SeparateDatabaseAndState` to keep `db_index=True` in the model state). SQL:
    /// ```sql
    /// BEGIN; ALTER TABLE "shop_order" ADD COLUMN "code" varchar(20) NULL; COMMIT;
    /// CREATE INDEX CONCURRENTLY "shop_order_code_idx" ON "shop_order" ("code");
    /// ```
    ///
    /// ## When it is fine
    /// The table is created in the same migration (the index of a new table is built empty).
    pub(crate) static INDEX_BUILD_UNDER_EXCLUSIVE_LOCK = { id: "index-build-under-exclusive-lock", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for window in windows(ctx) {
        for (operation, statement) in &window.followers {
            let Some(table) = builds_index_on_existing(ctx, operation, statement) else {
                continue;
            };
            let relation = &window.relation;
            let sql = statement.statement.sql.trim();
            let concurrent = concurrent(sql);
            let safe_alternative = if ctx.is_sql_file() {
                format!(
                    "Commit the exclusive change first, build the index concurrently outside any transaction, \
                     then open a new one for what follows:\n```sql\nCOMMIT;\n{concurrent}\nBEGIN;\n```"
                )
            } else {
                format!(
                    "Keep the index out of this migration (`SeparateDatabaseAndState`, or the field without \
                     `db_index`/`unique` for now) and build it in the next migration, with `atomic = False`:\n\
                     ```sql\n{concurrent}\n```"
                )
            };
            let held_by = if operation.index == window.operation.index {
                "an earlier statement of the same operation".to_owned()
            } else {
                format!(
                    "operation {} ({})",
                    window.operation.index, window.operation.kind
                )
            };
            ctx.report(Report {
                rule: &INDEX_BUILD_UNDER_EXCLUSIVE_LOCK,
                span: ctx.span_for(operation, statement),
                message: format!(
                    "the index on `{table}` is built while the transaction holds `ACCESS EXCLUSIVE` on `{relation}` \
                     (taken by {held_by}): reads and writes of `{relation}` wait for the whole build"
                ),
                safe_alternative,
                operation: Some(operation),
                statement: Some(statement),
            });
        }
    }
}

/// `sql` with `CONCURRENTLY` after `CREATE [UNIQUE] INDEX`, for a `CREATE INDEX` statement.
fn concurrent(sql: &str) -> String {
    let upper = sql.to_ascii_uppercase();
    match upper.find(" INDEX ").map(|at| at + " INDEX ".len()) {
        Some(at) if upper.starts_with("CREATE") && !upper.contains("CONCURRENTLY") => {
            match (sql.get(..at), sql.get(at..)) {
                (Some(head), Some(tail)) => format!("{head}CONCURRENTLY {tail}"),
                _ => sql.to_owned(),
            }
        }
        _ => sql.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::{findings, render_findings, rule_ids};

    const ADD_FIELD: &str = r#"from django.db import migrations, models

class Migration(migrations.Migration):
    operations = [
        migrations.CreateModel("Order", [("id", models.BigAutoField(primary_key=True))]),
    ]
"#;

    #[test]
    fn fires_on_add_field_with_index_on_an_existing_table() {
        let text = r#"from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField("order", "code", models.CharField(max_length=20, null=True, db_index=True)),
    ]
"#;
        let found: Vec<_> = findings("shop/migrations/0002_code.py", text)
            .into_iter()
            .filter(|f| f.rule == "index-build-under-exclusive-lock")
            .collect();
        insta::assert_snapshot!(render_findings(&found));
        // The plain index and the `_like` one.
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn new_tables_and_sql_outside_transactions_do_not_fire() {
        let with_new_table = ADD_FIELD.replace(
            "    ]\n",
            "        migrations.AddField(\"order\", \"code\", models.CharField(max_length=20, null=True, db_index=True)),\n    ]\n",
        );
        assert!(
            !rule_ids("shop/migrations/0001_initial.py", &with_new_table)
                .contains(&"index-build-under-exclusive-lock")
        );
        let sql =
            "ALTER TABLE shop_order ADD COLUMN code text;\nCREATE INDEX i ON shop_order (code);";
        assert!(!rule_ids("db/0014.sql", sql).contains(&"index-build-under-exclusive-lock"));
        let in_transaction = format!("BEGIN;\n{sql}\nCOMMIT;");
        assert!(
            rule_ids("db/0014.sql", &in_transaction).contains(&"index-build-under-exclusive-lock")
        );
    }
}
