use super::run_python::{self, RunPython};
use super::words::Words;
use super::{Ctx, Report, Severity, declare_rule};
use crate::analysis::StatementAnalysis;
use crate::locks::LockMode;

declare_rule! {
    /// ## What it flags
    /// A data change done as one long transaction:
    /// - `UPDATE` or `DELETE` over a whole existing table (no `WHERE`, or one that only tests
    ///   `IS NULL`-style conditions), in a `.sql` file or a `RunSQL`;
    /// - a `RunPython` that changes existing rows (`.update()`, `.bulk_update()`, `.delete()`,
    ///   `.save()` in a loop, raw `UPDATE`/`DELETE`) in an atomic migration — batches and
    ///   `time.sleep` inside it commit nothing;
    /// - a `RunPython` whose code is not in the file, in an atomic migration whose schema
    ///   operations lock existing tables.
    ///
    /// ## Why it hurts
    /// Every row changed stays locked until the transaction commits, so concurrent updates of
    /// those rows wait; dead row versions pile up (bloat) because vacuum cannot remove them
    /// while it runs; and the locks of the migration's schema operations are held all along.
    ///
    /// ## Safe alternative
    /// Keyset batches on the primary key, each its own short transaction, outside the schema
    /// change. Django:
    /// ```python
    /// def backfill(apps, schema_editor):
    ///     Order = apps.get_model("shop", "Order")
    ///     last_pk = 0
    ///     while True:
    ///         with transaction.atomic():
    ///             batch = list(Order.objects.filter(pk__gt=last_pk).order_by("pk")[:1000])
    ///             if not batch:
    ///                 break
    ///             Order.objects.filter(pk__in=[o.pk for o in batch]).update(total=0)
    ///             last_pk = batch[-1].pk
    ///
    /// class Migration(migrations.Migration):
    ///     atomic = False
    ///     operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
    /// ```
    /// SQL (repeat until it changes no rows; the runner's `backfill` step does this):
    /// ```sql
    /// UPDATE "shop_order" SET "total" = 0
    /// WHERE "id" IN (SELECT "id" FROM "shop_order" WHERE "total" IS NULL ORDER BY "id" LIMIT 1000);
    /// ```
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or is known to stay small (a few thousand
    /// rows): acknowledge it with the size.
    pub(crate) static UNBATCHED_BACKFILL = { id: "unbatched-backfill", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    check_sql(ctx);
    check_run_python(ctx);
}

/// The `UPDATE`s `django-alterfield-backfill-in-transaction` reports.
fn paired_updates<'a>(ctx: &Ctx<'a>) -> Vec<&'a StatementAnalysis> {
    let placed = super::rewrite::placed(ctx);
    super::django_alterfield_backfill_in_transaction::pairs(ctx, &placed)
        .iter()
        .filter_map(|pair| placed.get(pair.update).map(|p| p.2))
        .collect()
}

/// `UPDATE`/`DELETE` of a whole table in user SQL.
fn check_sql(ctx: &mut Ctx<'_>) {
    // Read once, and only for a file with a whole-table UPDATE or DELETE.
    let mut paired = None;
    for (operation, statement) in ctx.statements() {
        // Django's own `UPDATE … WHERE col IS NULL` (AlterField to NOT NULL with a default)
        // is `django-alterfield-backfill-in-transaction`.
        if !matches!(
            operation.kind.as_str(),
            "SQL" | "RunSQL" | "SeparateDatabaseAndState"
        ) {
            continue;
        }
        let words = Words::new(&statement.statement.sql);
        let (verb, table) = if words.starts("UPDATE") {
            let Some((table, _)) = words.name_after(1) else {
                continue;
            };
            ("UPDATE", table)
        } else if words.starts("DELETE FROM") {
            let Some((table, _)) = words.name_after(2) else {
                continue;
            };
            ("DELETE", table)
        } else {
            continue;
        };
        if ctx.is_created_here(&table, operation.index) || !whole_table(&words) {
            continue;
        }
        // An `UPDATE` that fills a column `SET NOT NULL` then scans in the same transaction
        // is `django-alterfield-backfill-in-transaction`'s, whose finding already says to
        // batch it: one statement, one finding.
        let paired = paired.get_or_insert_with(|| paired_updates(ctx));
        if paired.iter().any(|p| std::ptr::eq(*p, statement)) {
            continue;
        }
        let safe_alternative =
            batched_sql(&statement.statement.sql, verb, &table, ctx.is_sql_file());
        let held = if statement.transaction {
            " until the transaction commits"
        } else {
            " until it finishes"
        };
        ctx.report(Report {
            rule: &UNBATCHED_BACKFILL,
            span: ctx.span_for(operation, statement),
            message: format!(
                "`{verb}` of every row of `{table}` in one statement: each changed row stays locked{held}, and the \
                 dead row versions cannot be vacuumed meanwhile"
            ),
            safe_alternative,
            operation: Some(operation),
            statement: Some(statement),
        });
    }
}

/// Whether the `WHERE` clause (if any) cannot narrow the statement to a few rows: missing,
/// or only `IS [NOT] NULL` / boolean tests.
fn whole_table(words: &Words) -> bool {
    let Some(at) = words.find(1, "WHERE") else {
        return true;
    };
    let narrowing_symbols = ["=", "<", ">", "<=", ">=", "<>", "!="];
    let narrowing_words = [
        "IN", "BETWEEN", "LIKE", "ILIKE", "EXISTS", "LIMIT", "ANY", "CURRENT",
    ];
    !words.toks().iter().skip(at + 1).any(|t| {
        narrowing_symbols.iter().any(|s| t.is_sym(s)) || narrowing_words.iter().any(|w| t.is(w))
    })
}

/// The statement rewritten as keyset batches.
fn batched_sql(sql: &str, verb: &str, table: &str, sql_file: bool) -> String {
    let sql = sql.trim().trim_end_matches(';');
    let upper = sql.to_ascii_uppercase();
    let condition = upper
        .find(" WHERE ")
        .and_then(|at| sql.get(at + " WHERE ".len()..))
        .map(|c| format!("({c}) AND "))
        .unwrap_or_default();
    let head = upper
        .find(" WHERE ")
        .and_then(|at| sql.get(..at))
        .unwrap_or(sql);
    let batch = format!(
        "{head}\nWHERE \"id\" IN (\n  SELECT \"id\" FROM \"{table}\"\n  WHERE {condition}\"id\" > :last_id\n  ORDER BY \"id\" LIMIT 1000\n)\nRETURNING \"id\";"
    );
    let (how, also) = if verb == "UPDATE" {
        (
            "Run it in keyset batches, each in its own transaction, until it returns no rows (pass the largest \
             returned id as :last_id; if the change makes rows stop matching, the condition alone is enough)",
            "",
        )
    } else {
        (
            "Delete in keyset batches, each in its own transaction, until it returns no rows",
            "",
        )
    };
    if sql_file {
        format!("{how}{also}:\n```sql\n{batch}\n```")
    } else {
        format!(
            "{how}{also}, in a migration with `atomic = False` (or let `lockstep apply` run it as a backfill step):\n```sql\n{batch}\n```"
        )
    }
}

/// Operations of the migration, other than `skip`, that lock existing tables.
fn schema_locks(ctx: &Ctx<'_>, skip: usize) -> Vec<(usize, String, LockMode)> {
    let mut out = Vec::new();
    for operation in &ctx.file().operations {
        if operation.index == skip {
            continue;
        }
        let strongest = operation
            .statements
            .iter()
            .flat_map(|s: &StatementAnalysis| s.locks.locks.iter())
            .filter(|l| !l.created && !ctx.is_created_here(&l.relation, operation.index))
            .filter(|l| l.mode >= LockMode::ShareUpdateExclusive)
            .max_by_key(|l| l.mode);
        if let Some(lock) = strongest {
            out.push((operation.index, lock.relation.clone(), lock.mode));
        }
    }
    out
}

fn check_run_python(ctx: &mut Ctx<'_>) {
    if ctx.is_sql_file() {
        return;
    }
    let file = ctx.file();
    for (operation, run) in run_python::read_all(file, ctx.text()) {
        let atomic = run.atomic == Some(true) || (file.atomic && run.atomic != Some(false));
        if !atomic {
            continue;
        }
        let locks = schema_locks(ctx, operation.index);
        let held = locks
            .first()
            .map(|(index, relation, mode)| {
                let more = if locks.len() > 1 {
                    format!(" and {} more", locks.len() - 1)
                } else {
                    String::new()
                };
                format!(
                    "; and `{}` on `{relation}` (operation {index}){more} is held all along",
                    mode.sql_words()
                )
            })
            .unwrap_or_default();
        let message = match &run.body {
            Some(body) if !body.writes.is_empty() => {
                let pacing = if body.sleeps || !body.offset_paging.is_empty() {
                    format!(
                        ": its batches{} commit nothing, so",
                        if body.sleeps { " and sleeps" } else { "" }
                    )
                } else {
                    ", so".to_owned()
                };
                format!(
                    "`RunPython({})` changes existing rows (`{}`) inside the migration's transaction{pacing} every \
                     changed row stays locked until the whole migration commits{held}",
                    run.code,
                    body.writes.first().map_or("", String::as_str)
                )
            }
            None if !locks.is_empty() => format!(
                "`RunPython({})` runs inside the migration's transaction, with code Lockstep cannot see{held}",
                run.code
            ),
            _ => continue,
        };
        let safe_alternative = rewritten(&run, file.app_label.as_str(), !locks.is_empty());
        ctx.report(Report {
            rule: &UNBATCHED_BACKFILL,
            span: operation.span,
            message,
            safe_alternative,
            operation: Some(operation),
            statement: None,
        });
    }
}

/// The `RunPython` rewritten as keyset batches in a non-atomic migration.
fn rewritten(run: &RunPython, app: &str, schema_ops: bool) -> String {
    let (app, model) = run
        .body
        .as_ref()
        .and_then(|b| b.model())
        .map_or((app, "Model"), |(a, m)| (a.as_str(), m.as_str()));
    let function = if run.code.chars().all(|c| c.is_alphanumeric() || c == '_') {
        run.code.as_str()
    } else {
        "forwards"
    };
    let split = if schema_ops {
        "Move the schema operations into a migration of their own (before this one), so their locks are \
         released before the backfill starts. "
    } else {
        ""
    };
    format!(
        "{split}Run the backfill outside the migration's transaction, one short transaction per keyset batch:\n\
         ```python\nfrom django.db import migrations, transaction\n\nBATCH_SIZE = 1000\n\n\
         def {function}(apps, schema_editor):\n    {model} = apps.get_model(\"{app}\", \"{model}\")\n    last_pk = 0\n    \
         while True:\n        with transaction.atomic():\n            \
         batch = list({model}.objects.filter(pk__gt=last_pk).order_by(\"pk\")[:BATCH_SIZE])\n            \
         if not batch:\n                break\n            \
         ...  # the same change as now, on `batch` (bulk_update)\n            last_pk = batch[-1].pk\n\n\
         class Migration(migrations.Migration):\n    atomic = False\n    \
         operations = [migrations.RunPython({function}, migrations.RunPython.noop)]\n```"
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::test_utils::{findings, findings_of, render_findings, rule_ids};

    #[test]
    fn fires_on_whole_table_updates() {
        let found: Vec<_> = findings(
            "db/0015.sql",
            "SET lock_timeout = '2s';\nUPDATE shop_order SET total = 0 WHERE total IS NULL;\nDELETE FROM shop_log;",
        )
        .into_iter()
        .filter(|f| f.rule == "unbatched-backfill")
        .collect();
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn a_backfill_before_set_not_null_is_reported_once() {
        // sqlmigrate's output of an AlterField to NOT NULL with a default: the pair rule says
        // to batch the UPDATE and split the scan; this rule stays quiet on that UPDATE.
        let sql = "BEGIN;\nALTER TABLE \"shop_order\" ALTER COLUMN \"note\" SET DEFAULT '';\n\
                   UPDATE \"shop_order\" SET \"note\" = '' WHERE \"note\" IS NULL;\n\
                   ALTER TABLE \"shop_order\" ALTER COLUMN \"note\" SET NOT NULL;\nCOMMIT;";
        let ids = rule_ids("db/0016.sql", sql);
        assert!(
            ids.contains(&"django-alterfield-backfill-in-transaction"),
            "{ids:?}"
        );
        assert!(!ids.contains(&"unbatched-backfill"), "{ids:?}");
        // Without the SET NOT NULL it is a plain unbatched backfill again.
        let alone =
            "BEGIN;\nUPDATE \"shop_order\" SET \"note\" = '' WHERE \"note\" IS NULL;\nCOMMIT;";
        assert!(rule_ids("db/0016.sql", alone).contains(&"unbatched-backfill"));
    }

    #[test]
    fn narrow_updates_and_new_tables_do_not_fire() {
        for sql in [
            "UPDATE shop_order SET total = 0 WHERE id = 5;",
            "UPDATE shop_order SET total = 0 WHERE id IN (SELECT id FROM shop_order LIMIT 1000);",
            "CREATE TABLE t (id int, a int);\nUPDATE t SET a = 1;",
        ] {
            assert!(
                !rule_ids("db/0015.sql", sql).contains(&"unbatched-backfill"),
                "{sql}"
            );
        }
    }

    #[test]
    fn fires_on_run_python_with_schema_operations() {
        let py = r#"from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AddField("order", "code", models.CharField(max_length=20, null=True)),
        migrations.RunPython(shop.backfills.codes),
    ]
"#;
        let found: Vec<_> = findings("shop/migrations/0002_code.py", py)
            .into_iter()
            .filter(|f| f.rule == "unbatched-backfill")
            .collect();
        insta::assert_snapshot!(render_findings(&found));
        assert_eq!(found.len(), 1);
        let non_atomic = py.replace("    operations", "    atomic = False\n    operations");
        assert!(
            !rule_ids("shop/migrations/0002_code.py", &non_atomic).contains(&"unbatched-backfill")
        );
    }

    #[test]
    fn many_run_python_operations_parse_the_module_once() {
        let mut py = String::from(
            "from django.db import migrations\n\ndef f(apps, schema_editor):\n    \
             apps.get_model(\"shop\", \"Order\").objects.update(total=0)\n\n\
             class Migration(migrations.Migration):\n    operations = [\n",
        );
        for _ in 0..2_000 {
            py.push_str("        migrations.RunPython(f, migrations.RunPython.noop),\n");
        }
        py.push_str("    ]\n");
        let found = findings_of("unbatched-backfill", "shop/migrations/0002_x.py", &py);
        assert_eq!(found.len(), 2_000);
    }
}
