use super::words::Words;
use super::{Ctx, Report, Severity, declare_rule};
use crate::analysis::OperationAnalysis;
use crate::parse::django::{Operation, OperationKind, SqlText};

declare_rule! {
    /// ## What it flags
    /// A Django operation that cannot be rolled back: `RunSQL` without `reverse_sql`, and
    /// `RunPython` without `reverse_code` (also inside `SeparateDatabaseAndState`).
    ///
    /// ## Why it hurts
    /// `manage.py migrate app <earlier>` stops with `IrreversibleError` at this operation, so
    /// a bad deploy cannot be rolled back past it, and neither can `lockstep rollback`.
    ///
    /// ## Safe alternative
    /// Give the reverse, or say explicitly that there is nothing to undo. Django:
    /// ```python
    /// migrations.RunSQL(
    ///     'CREATE INDEX CONCURRENTLY "order_total_idx" ON "shop_order" ("total")',
    ///     reverse_sql='DROP INDEX CONCURRENTLY IF EXISTS "order_total_idx"',
    /// )
    /// migrations.RunPython(backfill, reverse_code=migrations.RunPython.noop)
    /// ```
    /// (Plain `.sql` files have no reverse; the rule does not apply to them.)
    ///
    /// ## When it is fine
    /// When the change truly cannot be undone (data deleted): acknowledge it, so the next
    /// reviewer knows it was deliberate.
    pub(crate) static IRREVERSIBLE_OPERATION = { id: "irreversible-operation", severity: Severity::Warning }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let Some(migration) = ctx.migration() else {
        return;
    };
    let file = ctx.file();
    for (operation, analysed) in migration.operations.iter().zip(&file.operations) {
        let Some((message, safe_alternative)) = irreversible(operation) else {
            continue;
        };
        report(ctx, analysed, message, safe_alternative);
    }
}

fn report(
    ctx: &mut Ctx<'_>,
    operation: &OperationAnalysis,
    message: String,
    safe_alternative: String,
) {
    ctx.report(Report {
        rule: &IRREVERSIBLE_OPERATION,
        span: operation.span,
        message,
        safe_alternative,
        operation: Some(operation),
        statement: None,
    });
}

/// Why `operation` has no reverse, and the reverse to write.
fn irreversible(operation: &Operation) -> Option<(String, String)> {
    match &operation.kind {
        OperationKind::RunSql {
            sql,
            reverse_sql: None,
        } => {
            let reverse = reverse_of(sql);
            let forward = sql.first().map_or("…", |s| s.text.trim());
            Some((
                "`RunSQL` without `reverse_sql`: rolling back past this migration fails with `IrreversibleError`"
                    .to_owned(),
                format!(
                    "Give the statements that undo it (or `migrations.RunSQL.noop` if nothing needs undoing):\n\
                     ```python\nmigrations.RunSQL(\n    {forward:?},\n    reverse_sql={reverse},\n)\n```"
                ),
            ))
        }
        OperationKind::RunPython {
            code,
            reversible: false,
        } => Some((
            format!(
                "`RunPython({code})` without `reverse_code`: rolling back past this migration fails with \
                 `IrreversibleError`"
            ),
            format!(
                "Give a function that undoes it, or `noop` when leaving the data as it is is correct:\n\
                 ```python\nmigrations.RunPython({code}, reverse_code=migrations.RunPython.noop)\n```"
            ),
        )),
        OperationKind::SeparateDatabaseAndState {
            database_operations,
            ..
        } => database_operations
            .iter()
            .find_map(irreversible)
            .map(|(message, alternative)| {
                (
                    format!("in `SeparateDatabaseAndState`'s `database_operations`: {message}"),
                    alternative,
                )
            }),
        _ => None,
    }
}

/// The reverse of common forward statements, as a Python expression.
fn reverse_of(sql: &[SqlText]) -> String {
    let mut reverses = Vec::new();
    for text in sql.iter().rev() {
        for statement in crate::parse::sql::parse(crate::span::FileId(0), &text.text, 0)
            .value
            .iter()
            .rev()
        {
            let words = Words::new(&statement.sql);
            let reverse = if words.starts("CREATE")
                && words.find(1, "INDEX").is_some_and(|i| i <= 2)
            {
                let i = words.find(1, "INDEX").unwrap_or(1);
                let concurrently = words.at(i + 1, "CONCURRENTLY");
                let name_at = if concurrently { i + 2 } else { i + 1 };
                words.name_after(name_at).map(|(name, _)| {
                    format!(
                        "DROP INDEX {}IF EXISTS \"{name}\"",
                        if concurrently { "CONCURRENTLY " } else { "" }
                    )
                })
            } else if words.starts("CREATE TABLE") {
                words
                    .name_after(2)
                    .map(|(t, _)| format!("DROP TABLE \"{t}\""))
            } else if words.starts("CREATE EXTENSION") {
                words
                    .name_after(2)
                    .map(|(e, _)| format!("DROP EXTENSION IF EXISTS \"{e}\""))
            } else if words.starts("ALTER TABLE") {
                let table = words.name_after(2);
                let column = words
                    .find(2, "ADD COLUMN")
                    .and_then(|i| words.name_after(i + 2))
                    .map(|(c, _)| format!("DROP COLUMN \"{c}\""));
                let constraint = words
                    .find(2, "ADD CONSTRAINT")
                    .and_then(|i| words.name(i + 2))
                    .map(|(c, _)| format!("DROP CONSTRAINT \"{c}\""));
                table
                    .zip(column.or(constraint))
                    .map(|((t, _), action)| format!("ALTER TABLE \"{t}\" {action}"))
            } else if words.starts("CREATE TRIGGER") || words.starts("CREATE OR REPLACE TRIGGER") {
                let at = if words.at(1, "OR") { 4 } else { 2 };
                let name = words.name(at);
                let table = words.find(at, "ON").and_then(|i| words.name_after(i + 1));
                name.zip(table)
                    .map(|((n, _), (t, _))| format!("DROP TRIGGER IF EXISTS \"{n}\" ON \"{t}\""))
            } else {
                None
            };
            reverses.push(
                reverse.unwrap_or_else(|| format!("-- undo: {}", first_line(&statement.sql))),
            );
        }
    }
    match reverses.as_slice() {
        [] => "migrations.RunSQL.noop".to_owned(),
        [one] if !one.starts_with("--") => format!("{one:?}"),
        many => format!(
            "[{}]",
            many.iter()
                .map(|r| format!("{r:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn first_line(sql: &str) -> String {
    sql.lines().next().unwrap_or("").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::{findings, render_findings, rule_ids};

    #[test]
    fn fires_without_reverse() {
        let py = r#"from django.db import migrations

def forwards(apps, schema_editor):
    pass

class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.RunSQL('CREATE INDEX CONCURRENTLY "order_total_idx" ON "shop_order" ("total")'),
        migrations.RunPython(forwards),
    ]
"#;
        let found: Vec<_> = findings("shop/migrations/0002_x.py", py)
            .into_iter()
            .filter(|f| f.rule == "irreversible-operation")
            .collect();
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 2);
        assert!(
            found[0]
                .safe_alternative
                .contains(r#"reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS \"order_total_idx\"""#)
        );
    }

    #[test]
    fn reversible_operations_do_not_fire() {
        let py = r#"from django.db import migrations

def forwards(apps, schema_editor):
    pass

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.RunSQL("SELECT 1", migrations.RunSQL.noop),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
"#;
        assert!(!rule_ids("shop/migrations/0002_x.py", py).contains(&"irreversible-operation"));
    }
}
