use super::words::Words;
use super::{Ctx, Report, Severity, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE parent DETACH PARTITION child` without `CONCURRENTLY`, when the target is
    /// PostgreSQL 14 or later (where the concurrent form exists).
    ///
    /// ## Why it hurts
    /// It takes `ACCESS EXCLUSIVE` on the partitioned parent: every read and write of every
    /// partition waits, and queues behind any long query on the parent.
    ///
    /// ## Safe alternative
    /// `DETACH PARTITION … CONCURRENTLY` takes only `SHARE UPDATE EXCLUSIVE`; it cannot run
    /// inside a transaction block, and if interrupted is finished with `… FINALIZE`. Django:
    /// ```python
    /// class Migration(migrations.Migration):
    ///     atomic = False
    ///     operations = [migrations.RunSQL(
    ///         'ALTER TABLE "events" DETACH PARTITION "events_2023" CONCURRENTLY',
    ///         'ALTER TABLE "events" ATTACH PARTITION "events_2023" FOR VALUES FROM (\'2023-01-01\') TO (\'2024-01-01\')',
    ///     )]
    /// ```
    /// SQL (outside `BEGIN` … `COMMIT`):
    /// ```sql
    /// ALTER TABLE "events" DETACH PARTITION "events_2023" CONCURRENTLY;
    /// ```
    ///
    /// ## When it is fine
    /// The parent is created in the same migration; before PostgreSQL 14 there is no
    /// concurrent form and the rule does not fire.
    pub(crate) static DETACH_PARTITION_BLOCKING = { id: "detach-partition-blocking", severity: Severity::Warning }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    if ctx.settings().pg_version < 14 {
        return;
    }
    for (operation, statement) in ctx.statements() {
        let words = Words::new(&statement.statement.sql);
        if !words.starts("ALTER TABLE") {
            continue;
        }
        let Some(detach) = words.find(2, "DETACH PARTITION") else {
            continue;
        };
        let Some((parent, _)) = words.name_after(2) else {
            continue;
        };
        let Some((child, after)) = words.name(detach + 2) else {
            continue;
        };
        if words.at(after, "CONCURRENTLY") || words.at(after, "FINALIZE") {
            continue;
        }
        if ctx.is_created_here(&parent, operation.index) {
            continue;
        }
        let concurrent =
            format!("ALTER TABLE \"{parent}\" DETACH PARTITION \"{child}\" CONCURRENTLY;");
        let safe_alternative = if ctx.is_sql_file() {
            format!(
                "Detach it concurrently, in its own step outside any transaction block:\n```sql\n{concurrent}\n```\n\
                 If it is interrupted, finish it with `ALTER TABLE \"{parent}\" DETACH PARTITION \"{child}\" FINALIZE;`."
            )
        } else {
            format!(
                "Detach it concurrently, in a migration with `atomic = False`:\n```python\nclass Migration(migrations.Migration):\n    \
                 atomic = False\n    operations = [migrations.RunSQL({concurrent:?})]\n```"
            )
        };
        ctx.report(Report {
            rule: &DETACH_PARTITION_BLOCKING,
            span: ctx.span_for(operation, statement),
            message: format!(
                "`DETACH PARTITION` takes `ACCESS EXCLUSIVE` on `{parent}`: reads and writes of every partition \
                 of `{parent}` wait"
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
    use crate::source::{Settings, SourceFile};

    const SQL: &str = "SET lock_timeout = '2s';\nALTER TABLE events DETACH PARTITION events_2023;";

    #[test]
    fn fires_on_pg14_and_later() {
        let found = findings_of("detach-partition-blocking", "db/0008.sql", SQL);
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn concurrent_and_old_versions_do_not_fire() {
        let ids = rule_ids(
            "db/0008.sql",
            "ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;",
        );
        assert!(!ids.contains(&"detach-partition-blocking"), "{ids:?}");
        let settings = Settings {
            pg_version: 13,
            ..Settings::default()
        };
        let analysis = crate::analyze(&[SourceFile::from_text("db/0008.sql", SQL)], &settings);
        assert!(
            !analysis
                .findings
                .iter()
                .any(|f| f.rule == "detach-partition-blocking")
        );
    }
}
