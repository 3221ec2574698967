use super::words::Words;
use super::{Ctx, Report, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `TRUNCATE … CASCADE`, in a `.sql` file or a `RunSQL`.
    ///
    /// ## Why it hurts
    /// `CASCADE` also empties every table with a foreign key to the named ones, and the tables
    /// referencing those, without naming them: data you did not mean to delete is gone. It
    /// takes `ACCESS EXCLUSIVE` on all of them.
    ///
    /// ## Safe alternative
    /// Name every table to empty; PostgreSQL refuses if one is referenced by a table not named,
    /// which is the check you want. Django:
    /// ```python
    /// migrations.RunSQL('TRUNCATE "shop_cart", "shop_cartitem";', migrations.RunSQL.noop)
    /// ```
    /// SQL:
    /// ```sql
    /// TRUNCATE "shop_cart", "shop_cartitem";
    /// ```
    ///
    /// ## When it is fine
    /// When you have checked which tables reference the truncated ones and all of them are
    /// meant to be emptied; acknowledge it with that list.
    pub(crate) static TRUNCATE_CASCADE = { id: "truncate-cascade", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (operation, statement) in ctx.statements() {
        let words = Words::new(&statement.statement.sql);
        if !words.starts("TRUNCATE") {
            continue;
        }
        let Some(cascade) = words.find(1, "CASCADE") else {
            continue;
        };
        let mut tables = Vec::new();
        let mut i = if words.at(1, "TABLE") { 2 } else { 1 };
        while i < cascade {
            let Some((table, next)) = words.name_after(i) else {
                break;
            };
            tables.push(table);
            i = next;
            if words.get(i).is_some_and(|t| t.is_sym("*")) {
                i += 1;
            }
            if !words.get(i).is_some_and(|t| t.is_sym(",")) {
                break;
            }
            i += 1;
        }
        let quoted: Vec<String> = tables.iter().map(|t| format!("\"{t}\"")).collect();
        let named = quoted.join(", ");
        let rewritten = format!("TRUNCATE {named};");
        let safe_alternative = if ctx.is_sql_file() {
            format!(
                "Name every table to empty and drop `CASCADE`; PostgreSQL then refuses if another table \
                 still references them:\n```sql\n{rewritten}\n```"
            )
        } else {
            format!(
                "Name every table to empty and drop `CASCADE`; PostgreSQL then refuses if another table \
                 still references them:\n```python\nmigrations.RunSQL('{rewritten}', migrations.RunSQL.noop)\n```"
            )
        };
        ctx.report(Report {
            rule: &TRUNCATE_CASCADE,
            span: ctx.span_for(operation, statement),
            message: format!(
                "`TRUNCATE … CASCADE` empties {named} and, unnamed, every table whose foreign keys reference \
                 them, under `ACCESS EXCLUSIVE`"
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
    fn fires_on_cascade() {
        let found = findings_of(
            "truncate-cascade",
            "db/0001.sql",
            "SET lock_timeout = '1s';\nTRUNCATE TABLE ONLY shop_cart, \"shop_Wish\" CASCADE;",
        );
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .safe_alternative
                .contains("TRUNCATE \"shop_cart\", \"shop_Wish\";")
        );
    }

    #[test]
    fn plain_truncate_and_django_runsql() {
        assert!(
            !rule_ids(
                "db/0001.sql",
                "SET lock_timeout = '1s';\nTRUNCATE shop_cart RESTRICT;"
            )
            .contains(&"truncate-cascade")
        );
        let py = "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    \
                  operations = [migrations.RunSQL(\"TRUNCATE shop_cart CASCADE\", migrations.RunSQL.noop)]\n";
        let truncate = findings_of("truncate-cascade", "shop/migrations/0002_x.py", py);
        assert_eq!(truncate.len(), 1);
        assert!(
            truncate[0]
                .safe_alternative
                .contains("migrations.RunSQL('TRUNCATE \"shop_cart\";'")
        );
    }
}
