use super::rewrite::{self, quote};
use super::shape::{Action, ConstraintKind, Shape};
use super::{Ctx, Severity, declare_rule};
use crate::analysis::{OperationAnalysis, StatementAnalysis};

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … ADD CONSTRAINT … UNIQUE (…)` (not `USING INDEX`) and a new column with
    /// `UNIQUE` on a table that existed before this migration — Django's
    /// `AddConstraint(UniqueConstraint(fields=…))`, `AlterUniqueTogether`, and `AddField` /
    /// `AlterField` with `unique=True`.
    ///
    /// ## Why it hurts
    /// The unique index is built while the statement holds an `ACCESS EXCLUSIVE` lock on the
    /// table: reads and writes wait for the whole build. It also fails, after all that, if
    /// existing rows hold duplicates.
    ///
    /// ## Safe alternative
    /// Build the unique index concurrently (`SHARE UPDATE EXCLUSIVE`: reads and writes go on),
    /// then attach it as the constraint, which is instant:
    /// ```sql
    /// CREATE UNIQUE INDEX CONCURRENTLY "email_uniq" ON "shop_order" ("email");
    /// ALTER TABLE "shop_order" ADD CONSTRAINT "email_uniq" UNIQUE USING INDEX "email_uniq";
    /// ```
    /// If the build fails it leaves an `INVALID` index: drop it (`DROP INDEX CONCURRENTLY`),
    /// fix the duplicates and build again. Django: those two statements as `RunSQL` inside
    /// `SeparateDatabaseAndState`, with the operation as its state operation, in a migration
    /// with `atomic = False`.
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or is known to be tiny.
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE, "ADD table_constraint_using_index"; CREATE INDEX, "Building
    /// Indexes Concurrently".
    pub(crate) static ADD_UNIQUE_CONSTRAINT_BLOCKING = { id: "add-unique-constraint-blocking", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (_, op, statement, shapes) in rewrite::placed(ctx) {
        for shape in &shapes {
            let Shape::AlterTable { table, actions, .. } = shape else {
                continue;
            };
            if ctx.is_created_here(table, op.index) {
                continue;
            }
            for action in actions {
                let t = quote(table);
                let (name, steps) = match action {
                    Action::AddConstraint(constraint) => {
                        let ConstraintKind::Unique {
                            columns,
                            using_index: false,
                            index,
                        } = &constraint.kind
                        else {
                            continue;
                        };
                        let name = constraint.name.clone().unwrap_or_else(|| {
                            rewrite::identifier(&format!("{table}_{}_key", columns.join("_")))
                        });
                        let n = quote(&name);
                        let index_tail = suffix(&index.index_tail);
                        let constraint_tail = suffix(&index.constraint_tail);
                        (
                            name.clone(),
                            vec![
                                format!(
                                    "CREATE UNIQUE INDEX CONCURRENTLY {n} ON {t} {}{index_tail};",
                                    index.columns
                                ),
                                format!(
                                    "ALTER TABLE {t} ADD CONSTRAINT {n} UNIQUE USING INDEX {n}{constraint_tail};"
                                ),
                            ],
                        )
                    }
                    Action::AddColumn(column) if column.unique => {
                        let name = rewrite::identifier(&format!("{table}_{}_key", column.name));
                        let n = quote(&name);
                        let without = strip_word(&column.text, "UNIQUE");
                        (
                            name.clone(),
                            vec![
                                format!("ALTER TABLE {t} ADD COLUMN {without};"),
                                format!(
                                    "CREATE UNIQUE INDEX CONCURRENTLY {n} ON {t} ({});",
                                    quote(&column.name)
                                ),
                                format!(
                                    "ALTER TABLE {t} ADD CONSTRAINT {n} UNIQUE USING INDEX {n};"
                                ),
                            ],
                        )
                    }
                    _ => continue,
                };
                let message = format!(
                    "`UNIQUE` constraint `{name}` builds its index under an `ACCESS EXCLUSIVE` lock on `{table}`: \
                     reads and writes wait for the whole build (and it fails if rows are duplicated){}",
                    rewrite::estimate(statement)
                );
                let alternative = alternative(ctx, op, statement, &steps);
                rewrite::report(
                    ctx,
                    &ADD_UNIQUE_CONSTRAINT_BLOCKING,
                    op,
                    statement,
                    message,
                    alternative,
                );
            }
        }
    }
}

/// " text" when not empty.
pub(crate) fn suffix(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(" {text}")
    }
}

/// `text` without the keyword `word` (whole words, outside quotes), single-spaced.
pub(crate) fn strip_word(text: &str, word: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut in_quote = false;
    for part in text.split_whitespace() {
        let toggles = part.matches('"').count() % 2 == 1;
        if !in_quote && part.eq_ignore_ascii_case(word) {
            // skip it
        } else {
            out.push(part);
        }
        if toggles {
            in_quote = !in_quote;
        }
    }
    out.join(" ")
}

fn alternative(
    ctx: &Ctx<'_>,
    op: &OperationAnalysis,
    statement: &StatementAnalysis,
    steps: &[String],
) -> String {
    let mut out = String::from(
        "Build the unique index concurrently (reads and writes go on), then attach it as the constraint \
         (instant). If the build fails, it leaves an `INVALID` index: drop it with `DROP INDEX CONCURRENTLY`, \
         remove the duplicates, and build again.\n\n",
    );
    if rewrite::is_django(ctx) {
        out.push_str(&rewrite::django_intro(
            "`atomic = False`: a concurrent build cannot run in a transaction",
        ));
        out.push('\n');
        out.push_str(&rewrite::py_block(&rewrite::migration_class(
            false,
            &[rewrite::django_with_replaced(ctx, op, statement, steps)],
        )));
        out.push_str("\n\nSQL, outside a transaction:\n");
    }
    out.push_str(&rewrite::sql_block(steps));
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_add_constraint_unique() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.AddConstraint(
            model_name="order",
            constraint=models.UniqueConstraint(fields=["email"], name="email_uniq"),
        ),"#,
        );
        assert_eq!(
            ids(&shop_findings(&migration)),
            ["add-unique-constraint-blocking"]
        );
        insta::assert_snapshot!(shop_render("add-unique-constraint-blocking", &migration));
    }

    #[test]
    fn fires_on_a_new_unique_column_and_keeps_sql_options() {
        let found = crate::rules::rewrite::testing::file_findings(
            "db/0008.sql",
            "ALTER TABLE t ADD COLUMN code varchar(10) NULL UNIQUE;\nALTER TABLE v ADD CONSTRAINT u UNIQUE NULLS NOT DISTINCT (a, b) DEFERRABLE INITIALLY DEFERRED;",
        );
        assert_eq!(
            ids(&found),
            [
                "add-unique-constraint-blocking",
                "add-unique-constraint-blocking"
            ]
        );
        assert!(found[0].safe_alternative.contains(
            "ALTER TABLE \"t\" ADD COLUMN code varchar(10) NULL;\nCREATE UNIQUE INDEX CONCURRENTLY \"t_code_key\" ON \"t\" (\"code\");"
        ), "{}", found[0].safe_alternative);
        assert!(found[1].safe_alternative.contains(
            "CREATE UNIQUE INDEX CONCURRENTLY \"u\" ON \"v\" (a, b) NULLS NOT DISTINCT;\nALTER TABLE \"v\" ADD CONSTRAINT \"u\" UNIQUE USING INDEX \"u\" DEFERRABLE INITIALLY DEFERRED;"
        ), "{}", found[1].safe_alternative);
    }

    #[test]
    fn using_index_and_new_tables_do_not_fire() {
        let sql = "CREATE UNIQUE INDEX CONCURRENTLY u ON t (a);\nALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX u;\nCREATE TABLE n (a int);\nALTER TABLE n ADD CONSTRAINT v UNIQUE (a);";
        assert!(crate::rules::rewrite::testing::file_findings("db/0001.sql", sql).is_empty());
    }
}
