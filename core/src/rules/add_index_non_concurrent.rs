use super::{Ctx, Report, Severity, declare_rule};
use crate::sql::StatementKind;

declare_rule! {
    /// ## What it flags
    /// `CREATE [UNIQUE] INDEX` without `CONCURRENTLY` on a table that existed before this
    /// migration: Django's `AddIndex`, `AddField`/`AlterField` with `db_index=True`, `unique=True`
    /// or a `ForeignKey`, and the extra `_like` index Django adds for text columns.
    ///
    /// ## Why it hurts
    /// The build holds a `SHARE` lock on the table: reads continue, but every `INSERT`, `UPDATE`
    /// and `DELETE` waits until the whole index is built — minutes on a large table.
    ///
    /// ## Safe alternative
    /// Build the index concurrently, outside a transaction. Django:
    /// ```python
    /// from django.contrib.postgres.operations import AddIndexConcurrently
    ///
    /// class Migration(migrations.Migration):
    ///     atomic = False
    ///     operations = [
    ///         AddIndexConcurrently("order", models.Index(fields=["created"], name="shop_order_created_idx")),
    ///     ]
    /// ```
    /// SQL:
    /// ```sql
    /// CREATE INDEX CONCURRENTLY "shop_order_created_idx" ON "shop_order" ("created");
    /// ```
    /// If a concurrent build fails it leaves an `INVALID` index: drop it and build again.
    ///
    /// ## When it is fine
    /// The table is created in the same migration (it is empty and no one else can see it yet).
    ///
    /// ## References
    /// PostgreSQL: CREATE INDEX, "Building Indexes Concurrently".
    pub(crate) static ADD_INDEX_NON_CONCURRENT = { id: "add-index-non-concurrent", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let file = ctx.file();
    for (operation, statement) in ctx.statements() {
        let StatementKind::CreateIndex {
            table,
            concurrently: false,
            ..
        } = &statement.statement.kind
        else {
            continue;
        };
        if ctx.is_created_here(table, operation.index) {
            continue;
        }
        let sql = &statement.statement.sql;
        let concurrent_sql = concurrent(sql);
        let safe_alternative = match operation.kind.as_str() {
            "AddIndex" => format!(
                "Use `AddIndexConcurrently` (from django.contrib.postgres.operations) in a migration with \
                 `atomic = False`; it runs:\n{concurrent_sql}"
            ),
            "SQL" | "RunSQL" => format!(
                "Build it concurrently in its own autocommit step (no surrounding transaction):\n{concurrent_sql}"
            ),
            _ => format!(
                "Keep the field's index out of this migration (SeparateDatabaseAndState) and build it \
                 concurrently in a migration with `atomic = False`:\n{concurrent_sql}"
            ),
        };
        let span = if file.kind == Some(crate::source::SourceKind::Sql) {
            statement.statement.span
        } else {
            operation.span
        };
        ctx.report(Report {
            rule: &ADD_INDEX_NON_CONCURRENT,
            span,
            message: format!(
                "`CREATE INDEX` takes a `SHARE` lock on `{table}`: every write to `{table}` waits until the \
                 whole index is built"
            ),
            safe_alternative,
            operation: Some(operation),
            statement: Some(statement),
        });
    }
}

/// `sql` with `CONCURRENTLY` after `CREATE [UNIQUE] INDEX`.
fn concurrent(sql: &str) -> String {
    let upper = sql.to_ascii_uppercase();
    let Some(at) = upper.find(" INDEX ") else {
        return sql.to_owned();
    };
    let insert = at + " INDEX ".len();
    match (sql.get(..insert), sql.get(insert..)) {
        (Some(head), Some(tail)) => format!("{head}CONCURRENTLY {tail}"),
        _ => sql.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::findings_of;

    fn findings(path: &str, text: &str) -> Vec<crate::rules::Finding> {
        findings_of("add-index-non-concurrent", path, text)
    }

    const ADD_INDEX: &str = r#"from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["created"], name="shop_order_created_idx"),
        ),
    ]
"#;

    #[test]
    fn fires_on_add_index_at_the_operation() {
        let found = findings("shop/migrations/0002_order_created.py", ADD_INDEX);
        assert_eq!(found.len(), 1, "{found:#?}");
        let finding = &found[0];
        assert_eq!(
            (finding.rule, finding.line, finding.column),
            ("add-index-non-concurrent", 6, 9)
        );
        assert!(
            finding.message.contains("`SHARE` lock on `shop_order`"),
            "{}",
            finding.message
        );
        assert!(
            finding.safe_alternative.contains(
                r#"CREATE INDEX CONCURRENTLY "shop_order_created_idx" ON "shop_order" ("created");"#
            ),
            "{}",
            finding.safe_alternative
        );
    }

    #[test]
    fn fires_on_field_indexes_including_like() {
        let text = ADD_INDEX.replace(
            "migrations.AddIndex(\n            model_name=\"order\",\n            index=models.Index(fields=[\"created\"], name=\"shop_order_created_idx\"),\n        ),",
            "migrations.AddField(\"order\", \"code\", models.CharField(max_length=10, null=True, db_index=True)),",
        );
        let found = findings("shop/migrations/0002_code.py", &text);
        let statements: Vec<_> = found
            .iter()
            .filter_map(|f| f.statement.as_deref())
            .collect();
        assert_eq!(statements.len(), 2, "{found:#?}");
        assert!(statements[1].ends_with("(\"code\" varchar_pattern_ops);"));
    }

    #[test]
    fn concurrent_builds_and_new_tables_do_not_fire() {
        let concurrent = ADD_INDEX
            .replace("migrations.AddIndex", "AddIndexConcurrently")
            .replace("from django.db", "from django.contrib.postgres.operations import AddIndexConcurrently\nfrom django.db");
        assert!(findings("shop/migrations/0002_x.py", &concurrent).is_empty());
        let sql = "CREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);\nCREATE INDEX CONCURRENTLY u_id ON u (id);";
        assert!(findings("db/0001.sql", sql).is_empty());
    }

    #[test]
    fn fires_in_sql_files_at_the_statement() {
        let found = findings(
            "db/0002.sql",
            "SET lock_timeout = '2s';\n\n  create unique index u_id on u (id);",
        );
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].column), (3, 3));
        assert!(
            found[0]
                .safe_alternative
                .contains("create unique index CONCURRENTLY u_id on u (id);")
        );
    }
}
