use super::words::Words;
use super::{Ctx, Report, Severity, declare_rule};
use crate::analysis::{OperationAnalysis, StatementAnalysis};

declare_rule! {
    /// ## What it flags
    /// Transaction control where it breaks the transaction around it: `BEGIN`, `COMMIT` or
    /// `ROLLBACK` in a `RunSQL` of an atomic Django migration (Django already runs the whole
    /// migration in one transaction); in a `.sql` file or a non-atomic migration, a `BEGIN`
    /// inside an open transaction, a `BEGIN` never committed, and a `COMMIT` or `ROLLBACK`
    /// with no transaction open.
    ///
    /// ## Why it hurts
    /// A `COMMIT` inside Django's transaction commits the operations before it while Django
    /// believes them still undoable: a failure later leaves the migration half applied and
    /// not recorded. A `BEGIN` never committed keeps its locks until the session ends, and a
    /// nested `BEGIN` is ignored by PostgreSQL (with a warning), so the inner `COMMIT` commits
    /// the outer work too.
    ///
    /// ## Safe alternative
    /// Let one owner decide the transaction. Django: remove the statements, and if part of
    /// the work must commit on its own, move it to its own migration with `atomic = False`:
    /// ```python
    /// class Migration(migrations.Migration):
    ///     atomic = False
    ///     operations = [migrations.RunSQL('UPDATE "shop_order" SET "total" = 0 WHERE "total" IS NULL', migrations.RunSQL.noop)]
    /// ```
    /// SQL: one `BEGIN` … `COMMIT` pair per transaction, never nested:
    /// ```sql
    /// BEGIN;
    /// ALTER TABLE "shop_order" ADD COLUMN "note" text;
    /// COMMIT;
    /// ```
    ///
    /// ## When it is fine
    /// Never in an atomic migration; in a `.sql` file, balanced pairs are not reported.
    pub(crate) static TRANSACTION_MISUSE = { id: "transaction-misuse", severity: Severity::Error }
}

/// What a statement does to the transaction.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Control {
    Begin,
    End,
}

fn control(sql: &str) -> Option<Control> {
    let words = Words::new(sql);
    if words.starts("BEGIN") || words.starts("START TRANSACTION") {
        Some(Control::Begin)
    } else if words.starts("COMMIT")
        || words.starts("END")
        || words.starts("ABORT")
        || (words.starts("ROLLBACK") && words.find(1, "TO").is_none())
    {
        // `COMMIT PREPARED` / `ROLLBACK PREPARED` end a prepared transaction, not this one.
        (!words.at(1, "PREPARED")).then_some(Control::End)
    } else {
        None
    }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let file = ctx.file();
    let atomic_django = !ctx.is_sql_file() && file.atomic;
    let mut reports: Vec<(&OperationAnalysis, &StatementAnalysis, String, String)> = Vec::new();
    let mut open: Option<(&OperationAnalysis, &StatementAnalysis)> = None;
    for (operation, statement) in ctx.statements() {
        let Some(control) = control(&statement.statement.sql) else {
            continue;
        };
        let sql = statement.statement.sql.trim_end_matches(';').trim();
        if atomic_django {
            reports.push((
                operation,
                statement,
                if control == Control::Begin {
                    format!(
                        "`{sql}` inside an atomic migration: Django already runs the migration in one transaction; \
                         PostgreSQL ignores the nested `BEGIN`, so the `COMMIT` meant for it ends Django's \
                         transaction early"
                    )
                } else {
                    format!(
                        "`{sql}` inside an atomic migration ends Django's transaction early: a later failure leaves \
                         the migration half applied and not recorded"
                    )
                },
                "Remove the statement. If part of the work must commit on its own, move it to its own migration \
                 with `atomic = False`:\n```python\nclass Migration(migrations.Migration):\n    atomic = False\n    \
                 operations = [...]\n```"
                    .to_owned(),
            ));
            continue;
        }
        match (control, open) {
            (Control::Begin, Some(_)) => reports.push((
                operation,
                statement,
                format!(
                    "`{sql}` inside an open transaction: PostgreSQL ignores it, so the next `COMMIT` also commits \
                     the work before it"
                ),
                "Close the first transaction before opening the next:\n```sql\nCOMMIT;\nBEGIN;\n```".to_owned(),
            )),
            (Control::Begin, None) => open = Some((operation, statement)),
            (Control::End, Some(_)) => open = None,
            (Control::End, None) => reports.push((
                operation,
                statement,
                format!("`{sql}` with no transaction open: the statements before it already committed one by one"),
                "Open the transaction before the statements it should hold:\n```sql\nBEGIN;\n-- the statements\nCOMMIT;\n```"
                    .to_owned(),
            )),
        }
    }
    if let Some((operation, statement)) = open {
        reports.push((
            operation,
            statement,
            "`BEGIN` is never committed: its locks are held until the session ends, and its work is rolled \
             back when it does"
                .to_owned(),
            "End the transaction in the same file:\n```sql\nBEGIN;\n-- the statements\nCOMMIT;\n```".to_owned(),
        ));
    }
    for (operation, statement, message, safe_alternative) in reports {
        ctx.report(Report {
            rule: &TRANSACTION_MISUSE,
            span: ctx.span_for(operation, statement),
            message,
            safe_alternative,
            operation: Some(operation),
            statement: Some(statement),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::{findings, render_findings, rule_ids};

    #[test]
    fn fires_in_atomic_django_migrations() {
        let py = "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [\n        \
                  migrations.RunSQL([\"COMMIT\", \"VACUUM shop_order\", \"BEGIN\"], migrations.RunSQL.noop),\n    ]\n";
        let found: Vec<_> = findings("shop/migrations/0003_x.py", py)
            .into_iter()
            .filter(|f| f.rule == "transaction-misuse")
            .collect();
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn sql_files_nested_and_unbalanced() {
        let found: Vec<_> = findings(
            "db/0010.sql",
            "COMMIT;\nBEGIN;\nSELECT 1;\nBEGIN;\nSELECT 2;\nCOMMIT;\nBEGIN;\nSELECT 3;",
        )
        .into_iter()
        .filter(|f| f.rule == "transaction-misuse")
        .collect();
        let lines: Vec<_> = found.iter().map(|f| f.line).collect();
        assert_eq!(lines, [1, 4, 7], "{found:#?}");
    }

    #[test]
    fn balanced_pairs_do_not_fire() {
        let ids = rule_ids(
            "db/0010.sql",
            "BEGIN;\nSELECT 1;\nSAVEPOINT a;\nROLLBACK TO SAVEPOINT a;\nCOMMIT;\nSTART TRANSACTION;\nEND;",
        );
        assert!(!ids.contains(&"transaction-misuse"), "{ids:?}");
        let py = "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    atomic = False\n    \
                  operations = [migrations.RunSQL([\"BEGIN\", \"SELECT 1\", \"COMMIT\"], migrations.RunSQL.noop)]\n";
        assert!(!rule_ids("shop/migrations/0003_x.py", py).contains(&"transaction-misuse"));
    }
}
