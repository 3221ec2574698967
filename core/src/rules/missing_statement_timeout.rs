use super::missing_lock_timeout::Timeouts;
use super::{Ctx, Report, Severity, declare_rule};
use crate::analysis::{OperationAnalysis, StatementAnalysis};
use crate::locks::Duration;

declare_rule! {
    /// ## What it flags
    /// In a `.sql` file, a statement that works through a whole existing table while blocking its writes (or
    /// reads and writes) — a rewrite, a validating scan, a non-concurrent index build, or a
    /// change the lock model cannot rule out to be one (an index rebuild) — with no
    /// `statement_timeout` in force. Reported once per file, at the first such statement.
    /// Concurrent builds and `VALIDATE CONSTRAINT` are not reported: they block no one and
    /// must be allowed to finish.
    ///
    /// ## Why it hurts
    /// If the table is larger than expected, or the statement waits on something, it holds its
    /// blocking lock for as long as it runs: nothing stops it but a person noticing.
    ///
    /// ## Safe alternative
    /// Cap it, and plan a safer form if the cap is hit. SQL:
    /// ```sql
    /// SET statement_timeout = '5min';
    /// ALTER TABLE "shop_order" ADD CONSTRAINT "total_gte_0" CHECK ("total" >= 0);
    /// ```
    /// Django migrations are not reported: `lockstep apply` sets `statement_timeout` per step
    /// (0 for concurrent steps); under `manage.py migrate` the same can be done first in the
    /// migration:
    /// ```python
    /// migrations.RunSQL("SET LOCAL statement_timeout = '5min'", migrations.RunSQL.noop),
    /// ```
    ///
    /// ## When it is fine
    /// The table is known to be small (give `table_stats` to see an estimate), or the statement
    /// is one of the concurrent, non-blocking kind.
    pub(crate) static MISSING_STATEMENT_TIMEOUT = { id: "missing-statement-timeout", severity: Severity::Info }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    // Django migrations: the runner sets the timeout per step, and `missing-lock-timeout`
    // already shows how to set timeouts under `manage.py migrate`; once is enough.
    if !ctx.is_sql_file() {
        return;
    }
    let mut timeouts = Timeouts::new("statement_timeout");
    let mut first: Option<(&OperationAnalysis, &StatementAnalysis)> = None;
    let mut others = 0usize;
    for (operation, statement) in ctx.statements() {
        timeouts.see(statement, false);
        if timeouts.on() {
            continue;
        }
        // TRUNCATE swaps in new, empty files: the lock model counts the new relfilenode as a
        // rewrite, but it takes no time per row.
        if super::words::Words::new(&statement.statement.sql).starts("TRUNCATE") {
            continue;
        }
        // Unknown counts as long: the model could not rule out a scan or rebuild.
        let long_and_blocking = matches!(
            statement.locks.duration,
            Some(
                Duration::RowsWritesBlocked | Duration::RowsReadsWritesBlocked | Duration::Unknown
            )
        );
        let existing = statement.locks.locks.iter().any(|l| {
            l.proportional() != Some(false)
                && (l.blocks_writes || l.blocks_reads)
                && !ctx.is_created_here(&l.relation, operation.index)
        });
        if !(long_and_blocking && existing) {
            continue;
        }
        if first.is_none() {
            first = Some((operation, statement));
        } else {
            others += 1;
        }
    }
    let Some((operation, statement)) = first else {
        return;
    };
    let lock = statement
        .locks
        .locks
        .iter()
        .find(|l| l.proportional() != Some(false) && (l.blocks_writes || l.blocks_reads));
    let may = if statement.locks.duration == Some(Duration::Unknown) {
        "may work"
    } else {
        "works"
    };
    let (table, mode) = lock.map_or(("the table", "its lock"), |l| {
        (l.relation.as_str(), l.mode.sql_words())
    });
    let blocked = if lock.is_some_and(|l| l.blocks_reads) {
        "reads and writes"
    } else {
        "writes"
    };
    let follow = match others {
        0 => String::new(),
        1 => " (1 more such statement follows)".to_owned(),
        n => format!(" ({n} more such statements follow)"),
    };
    let estimate = statement
        .locks
        .estimate
        .map(|e| {
            format!(
                " (estimated {} rows, about {} s)",
                e.rows,
                e.millis.div_ceil(1000)
            )
        })
        .unwrap_or_default();
    let sql = statement.statement.sql.trim();
    let safe_alternative = format!(
        "Cap how long it may hold the lock:\n```sql\nSET statement_timeout = '5min';\n{sql}\n```"
    );
    ctx.report(Report {
        rule: &MISSING_STATEMENT_TIMEOUT,
        span: ctx.span_for(operation, statement),
        message: format!(
            "this statement {may} through all of `{table}` holding `{mode}`, which blocks {blocked}{estimate}, \
             with no `statement_timeout` to stop it{follow}"
        ),
        safe_alternative,
        operation: Some(operation),
        statement: Some(statement),
    });
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::{findings, render_findings, rule_ids};

    #[test]
    fn fires_on_long_blocking_statements() {
        let found: Vec<_> = findings(
            "db/0012.sql",
            "SET lock_timeout = '2s';\nALTER TABLE shop_order ADD CONSTRAINT total_gte_0 CHECK (total >= 0);",
        )
        .into_iter()
        .filter(|f| f.rule == "missing-statement-timeout")
        .collect();
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn timeouts_instant_and_concurrent_statements_do_not_fire() {
        for sql in [
            "SET statement_timeout = '5min';\nALTER TABLE shop_order ADD CONSTRAINT c CHECK (total >= 0);",
            "ALTER TABLE shop_order ADD COLUMN note text;",
            "CREATE INDEX CONCURRENTLY i ON shop_order (created);",
            "ALTER TABLE shop_order VALIDATE CONSTRAINT c;",
            "CREATE TABLE t (id int);\nALTER TABLE t ADD CONSTRAINT c CHECK (id > 0);",
        ] {
            assert!(
                !rule_ids("db/0012.sql", sql).contains(&"missing-statement-timeout"),
                "{sql}"
            );
        }
        // Django migrations: the runner sets it per step.
        let django = "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    \
             operations = [migrations.RunSQL(\"ALTER TABLE shop_order ADD CONSTRAINT c CHECK (total >= 0)\", \
             migrations.RunSQL.noop)]\n";
        assert!(
            !rule_ids("shop/migrations/0002_x.py", django).contains(&"missing-statement-timeout")
        );
    }
}
