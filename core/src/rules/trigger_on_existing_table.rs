use super::words::Words;
use super::{Ctx, Report, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `CREATE TRIGGER … ON t` and `ALTER TABLE t ENABLE/DISABLE TRIGGER …` on a table that
    /// existed before this migration.
    ///
    /// ## Why it hurts
    /// Both take `SHARE ROW EXCLUSIVE` on the table: brief once granted, but the request waits
    /// behind every long transaction on the table, and while it waits every write queued after
    /// it waits too.
    ///
    /// ## Safe alternative
    /// Keep the statement, bounded by a lock timeout and retried. Django:
    /// ```python
    /// migrations.RunSQL(
    ///     ["SET LOCAL lock_timeout = '2s'", 'CREATE TRIGGER "order_audit" AFTER UPDATE ON "shop_order" FOR EACH ROW EXECUTE FUNCTION audit()'],
    ///     'DROP TRIGGER "order_audit" ON "shop_order"',
    /// )
    /// ```
    /// SQL:
    /// ```sql
    /// SET lock_timeout = '2s';
    /// CREATE TRIGGER "order_audit" AFTER UPDATE ON "shop_order" FOR EACH ROW EXECUTE FUNCTION audit();
    /// ```
    /// The runner sets `lock_timeout` on every step and retries.
    ///
    /// ## When it is fine
    /// The table is created in the same migration. Otherwise it is information: the lock is
    /// short once granted.
    pub(crate) static TRIGGER_ON_EXISTING_TABLE = { id: "trigger-on-existing-table", severity: Severity::Info }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (operation, statement) in ctx.statements() {
        let sql = &statement.statement.sql;
        let words = Words::new(sql);
        let (table, what) =
            if words.starts("CREATE") && words.find(1, "TRIGGER").is_some_and(|i| i <= 4) {
                let Some(on) = words.find(2, "ON") else {
                    continue;
                };
                let Some((table, _)) = words.name_after(on + 1) else {
                    continue;
                };
                (table, "CREATE TRIGGER")
            } else if words.starts("ALTER TABLE") {
                let toggles = words.find(2, "ENABLE").or_else(|| words.find(2, "DISABLE"));
                let Some(at) = toggles else {
                    continue;
                };
                let trigger = (1..=2).any(|k| words.at(at + k, "TRIGGER"));
                if !trigger {
                    continue;
                }
                let Some((table, _)) = words.name_after(2) else {
                    continue;
                };
                (table, "ENABLE/DISABLE TRIGGER")
            } else {
                continue;
            };
        if ctx.is_created_here(&table, operation.index) {
            continue;
        }
        let trimmed = sql.trim_end_matches(';').trim_end();
        let safe_alternative = if ctx.is_sql_file() {
            format!(
                "Bound the wait with a lock timeout and retry on failure:\n```sql\nSET lock_timeout = '2s';\n{trimmed};\n```"
            )
        } else {
            format!(
                "Bound the wait with a lock timeout (the runner sets one on every step and retries); under \
                 `manage.py migrate`:\n```python\nmigrations.RunSQL([\"SET LOCAL lock_timeout = '2s'\", {trimmed:?}], ...)\n```"
            )
        };
        ctx.report(Report {
            rule: &TRIGGER_ON_EXISTING_TABLE,
            span: ctx.span_for(operation, statement),
            message: format!(
                "`{what}` takes `SHARE ROW EXCLUSIVE` on `{table}`: while it waits for long transactions, \
                 writes to `{table}` queue behind it"
            ),
            safe_alternative,
            operation: Some(operation),
            statement: Some(statement),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::{findings_of, render_findings, rule_ids};

    #[test]
    fn fires_on_existing_tables() {
        let found = findings_of(
            "trigger-on-existing-table",
            "db/0005.sql",
            "SET lock_timeout = '2s';\n\
             CREATE OR REPLACE TRIGGER order_audit AFTER UPDATE OF total ON public.shop_order FOR EACH ROW EXECUTE FUNCTION audit();\n\
             ALTER TABLE shop_order DISABLE TRIGGER order_audit;",
        );
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn new_tables_do_not_fire() {
        let ids = rule_ids(
            "db/0005.sql",
            "CREATE TABLE log (id int);\nCREATE TRIGGER t AFTER INSERT ON log FOR EACH ROW EXECUTE FUNCTION f();",
        );
        assert!(!ids.contains(&"trigger-on-existing-table"), "{ids:?}");
    }
}
