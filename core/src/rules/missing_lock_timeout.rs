use super::words::{Tok, Words};
use super::{Ctx, Report, Severity, declare_rule};
use crate::analysis::{OperationAnalysis, StatementAnalysis};
use crate::locks::LockMode;

declare_rule! {
    /// ## What it flags
    /// A statement that takes `SHARE` or a stronger lock on an existing table while no
    /// `lock_timeout` is in force (no `SET lock_timeout` earlier in the file). Reported once
    /// per file, at the first such statement. An error in `.sql` files; information in Django
    /// migrations, because Lockstep's runner sets `lock_timeout` on every step it applies.
    ///
    /// ## Why it hurts
    /// PostgreSQL queues lock requests: while the statement waits for a long-running query to
    /// release the table, every later query on the table, even a plain `SELECT` behind an
    /// `ACCESS EXCLUSIVE` request, waits behind it. Without a timeout that wait is unbounded:
    /// the site stops while nothing is even being migrated.
    ///
    /// ## Safe alternative
    /// Give up quickly and retry. SQL, first in the file:
    /// ```sql
    /// SET lock_timeout = '2s';
    /// ALTER TABLE "shop_order" ADD COLUMN "note" text;
    /// ```
    /// Django: `lockstep apply` sets it per step and retries. Under `manage.py migrate`, set
    /// it for the connection (`DATABASES["default"]["OPTIONS"] = {"options": "-c lock_timeout=2000"}`)
    /// or first in the migration:
    /// ```python
    /// migrations.RunSQL("SET LOCAL lock_timeout = '2s'", migrations.RunSQL.noop),
    /// ```
    ///
    /// ## When it is fine
    /// Every table the statements lock is created in the same file, or the lock taken is weaker
    /// than `SHARE` (`CREATE INDEX CONCURRENTLY`, `VALIDATE CONSTRAINT`).
    pub(crate) static MISSING_LOCK_TIMEOUT = { id: "missing-lock-timeout", severity: Severity::Error }
}

/// Which session timeouts are in force as the statements of a file run in order.
#[derive(Default)]
pub(super) struct Timeouts {
    /// Set for the session.
    session: bool,
    /// Set with `SET LOCAL`, until the transaction ends.
    local: bool,
    name: &'static str,
}

impl Timeouts {
    /// Tracks `lock_timeout` or `statement_timeout`.
    pub(super) fn new(name: &'static str) -> Self {
        Self {
            session: false,
            local: false,
            name,
        }
    }

    /// Whether the timeout is in force.
    pub(super) fn on(&self) -> bool {
        self.session || self.local
    }

    /// Updates the state with `statement`, which runs next.
    pub(super) fn see(&mut self, statement: &StatementAnalysis, file_atomic: bool) {
        let words = Words::new(&statement.statement.sql);
        let toks = words.toks();
        if words.starts("SET") {
            let (local, at) = if words.at(1, "LOCAL") {
                (true, 2)
            } else if words.at(1, "SESSION") {
                (false, 2)
            } else {
                (false, 1)
            };
            if !words.at(at, self.name) {
                return;
            }
            let value = toks.get(at + 2);
            let enabled = !value.is_some_and(|v| v.is("DEFAULT") || is_zero(v));
            // `SET LOCAL` outside a transaction has no effect.
            if local {
                self.local = enabled && statement.transaction;
            } else {
                self.session = enabled;
            }
        } else if words.starts("RESET") {
            if words.at(1, self.name) || words.at(1, "ALL") {
                self.session = false;
                self.local = false;
            }
        } else if words.starts("SELECT") && words.contains("set_config") {
            // `SELECT set_config('lock_timeout', '2s', false)`.
            let mut lits = toks.iter().filter_map(|t| match t {
                Tok::Lit(v) => Some(v.as_str()),
                _ => None,
            });
            if lits
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(self.name))
            {
                let enabled = lits.next().is_some_and(|v| v != "0");
                let local = words.contains("true");
                if local {
                    self.local = enabled && statement.transaction;
                } else {
                    self.session = enabled;
                }
            }
        } else if (words.starts("COMMIT") || words.starts("ROLLBACK") || words.starts("END"))
            && !file_atomic
            && words.find(1, "TO").is_none()
        {
            self.local = false;
        }
    }
}

fn is_zero(tok: &Tok) -> bool {
    match tok {
        Tok::Lit(v) => {
            let digits: String = v.chars().take_while(char::is_ascii_digit).collect();
            !digits.is_empty() && digits.chars().all(|c| c == '0')
        }
        _ => false,
    }
}

/// A statement with the locks that make it need a timeout.
type Locking<'a> = (
    &'a OperationAnalysis,
    &'a StatementAnalysis,
    Vec<(&'a str, LockMode)>,
);

/// The existing relations `statement` locks in `SHARE` or stronger.
fn strongly_locked<'s>(
    ctx: &Ctx<'_>,
    operation: &OperationAnalysis,
    statement: &'s StatementAnalysis,
) -> Vec<(&'s str, LockMode)> {
    statement
        .locks
        .locks
        .iter()
        .filter(|l| l.mode >= LockMode::Share && !l.created)
        .filter(|l| !ctx.is_created_here(&l.relation, operation.index))
        .map(|l| (l.relation.as_str(), l.mode))
        .collect()
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let file_atomic = !ctx.is_sql_file() && ctx.file().atomic;
    let mut timeouts = Timeouts::new("lock_timeout");
    let mut first: Option<Locking<'_>> = None;
    let mut others = 0usize;
    for (operation, statement) in ctx.statements() {
        timeouts.see(statement, file_atomic);
        if timeouts.on() {
            continue;
        }
        let locked = strongly_locked(ctx, operation, statement);
        if locked.is_empty() {
            continue;
        }
        if first.is_none() {
            first = Some((operation, statement, locked));
        } else {
            others += 1;
        }
    }
    let Some((operation, statement, locked)) = first else {
        return;
    };
    let what = locked
        .iter()
        .map(|(relation, mode)| format!("`{}` on `{relation}`", mode.sql_words()))
        .collect::<Vec<_>>()
        .join(", ");
    let more = match others {
        0 => String::new(),
        1 => " (and 1 more statement after it)".to_owned(),
        n => format!(" (and {n} more statements after it)"),
    };
    let table = locked.first().map_or("", |(r, _)| *r);
    let timeout_ms = ctx.settings().lock_timeout_ms;
    let timeout = if timeout_ms.is_multiple_of(1000) {
        format!("{}s", timeout_ms / 1000)
    } else {
        format!("{timeout_ms}ms")
    };
    let message = format!(
        "this statement takes {what} with no `lock_timeout` set{more}: while it waits for the lock, every \
         query on `{table}` queues behind it, without limit"
    );
    let sql = statement.statement.sql.trim();
    let (severity, safe_alternative) = if ctx.is_sql_file() {
        (
            Severity::Error,
            format!(
                "Set a lock timeout before the first statement that locks, and retry the file if it times out:\n\
                 ```sql\nSET lock_timeout = '{timeout}';\n{sql}\n```"
            ),
        )
    } else {
        (
            Severity::Info,
            format!(
                "`lockstep apply` sets `lock_timeout = {timeout}` on every step and retries. Under `manage.py migrate`, \
                 set it for the connection (`DATABASES[\"default\"][\"OPTIONS\"] = {{\"options\": \"-c lock_timeout={timeout_ms}\"}}`) \
                 or as the migration's first operation:\n```python\nmigrations.RunSQL(\"SET {}lock_timeout = '{timeout}'\", migrations.RunSQL.noop),\n```",
                if ctx.file().atomic { "LOCAL " } else { "" }
            ),
        )
    };
    ctx.report_as(
        Report {
            rule: &MISSING_LOCK_TIMEOUT,
            span: ctx.span_for(operation, statement),
            message,
            safe_alternative,
            operation: Some(operation),
            statement: Some(statement),
        },
        severity,
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::Severity;
    use crate::rules::test_utils::{findings, render_findings, rule_ids};

    #[test]
    fn fires_once_per_sql_file_as_an_error() {
        let found: Vec<_> = findings(
            "db/0011.sql",
            "ALTER TABLE shop_order ADD COLUMN note text;\nALTER TABLE shop_order DROP COLUMN memo;",
        )
        .into_iter()
        .filter(|f| f.rule == "missing-lock-timeout")
        .collect();
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Error);
        assert!(found[0].message.contains("1 more statement"));
    }

    #[test]
    fn is_info_in_django_migrations() {
        let py = r#"from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField("order", "note", models.TextField(null=True)),
    ]
"#;
        let found: Vec<_> = findings("shop/migrations/0002_note.py", py)
            .into_iter()
            .filter(|f| f.rule == "missing-lock-timeout")
            .collect();
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Info);
        let with_timeout = py.replace(
            "    operations = [\n",
            "    operations = [\n        migrations.RunSQL(\"SET LOCAL lock_timeout = '2s'\", migrations.RunSQL.noop),\n",
        );
        assert!(
            !rule_ids("shop/migrations/0002_note.py", &with_timeout)
                .contains(&"missing-lock-timeout")
        );
    }

    #[test]
    fn timeouts_new_tables_and_weak_locks_do_not_fire() {
        for sql in [
            "SET lock_timeout = '2s';\nALTER TABLE shop_order ADD COLUMN note text;",
            "SET SESSION lock_timeout TO 5000;\nDROP TABLE shop_order;",
            "SELECT set_config('lock_timeout', '2s', false);\nDROP TABLE shop_order;",
            "CREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);",
            "CREATE INDEX CONCURRENTLY i ON shop_order (created);\nSELECT 1;",
        ] {
            assert!(
                !rule_ids("db/0011.sql", sql).contains(&"missing-lock-timeout"),
                "{sql}"
            );
        }
        for sql in [
            "SET lock_timeout = 0;\nDROP TABLE shop_order;",
            "SET lock_timeout = '2s';\nRESET lock_timeout;\nDROP TABLE shop_order;",
            "BEGIN;\nSET LOCAL lock_timeout = '2s';\nCOMMIT;\nDROP TABLE shop_order;",
        ] {
            assert!(
                rule_ids("db/0011.sql", sql).contains(&"missing-lock-timeout"),
                "{sql}"
            );
        }
    }
}
