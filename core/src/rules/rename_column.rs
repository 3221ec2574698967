use std::fmt::Write as _;

use super::rewrite::{self, quote};
use super::shape::{Action, Shape};
use super::{Ctx, Severity, declare_rule};
use crate::analysis::OperationAnalysis;
use crate::parse::django::OperationKind;

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … RENAME COLUMN` on a table that existed before this migration — Django's
    /// `RenameField`, and `AlterField` changing `db_column`.
    ///
    /// ## Why it hurts
    /// The rename itself is quick, but code already deployed still selects and writes the old
    /// name: from the moment the migration commits until every server runs the new code, its
    /// queries fail with "column does not exist".
    ///
    /// ## Safe alternative
    /// Rename in code only: keep the database column and point the renamed field at it with
    /// `db_column`, in `state_operations` of `SeparateDatabaseAndState` (no SQL runs):
    /// ```python
    /// migrations.SeparateDatabaseAndState(
    ///     state_operations=[
    ///         migrations.RenameField(model_name="order", old_name="note", new_name="comment"),
    ///         migrations.AlterField(model_name="order", name="comment", field=models.TextField(null=True, db_column="note")),
    ///     ],
    /// ),
    /// ```
    /// and in the model, `comment = models.TextField(null=True, db_column="note")`. If the
    /// database name must change too, expand and contract over two releases: add the new
    /// column, keep both in step with a trigger, backfill, switch the code, then drop the old.
    /// SQL:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD COLUMN "comment" text NULL;
    /// ```
    /// (then the trigger, the backfill, and later `DROP COLUMN "note"`).
    ///
    /// ## When it is fine
    /// The table or the column is created in the same migration, or nothing runs against the
    /// database while it migrates.
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE, "RENAME".
    pub(crate) static RENAME_COLUMN = { id: "rename-column", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let placed = rewrite::placed(ctx);
    let added = rewrite::added_columns(&placed);
    for (place, op, statement, shapes) in &placed {
        for shape in shapes {
            let Shape::AlterTable { table, actions, .. } = shape else {
                continue;
            };
            if ctx.is_created_here(table, op.index) {
                continue;
            }
            for action in actions {
                let Action::RenameColumn { from, to } = action else {
                    continue;
                };
                if rewrite::added_before(&added, *place, table, from) {
                    continue;
                }
                let message = format!(
                    "`RENAME COLUMN {from} TO {to}` on `{table}`: code already deployed still reads and writes \
                     `{from}` and fails (\"column does not exist\") until every server runs the new code"
                );
                let alternative = alternative(ctx, op, table, from, to);
                rewrite::report(ctx, &RENAME_COLUMN, op, statement, message, alternative);
            }
        }
    }
}

fn alternative(ctx: &Ctx<'_>, op: &OperationAnalysis, table: &str, from: &str, to: &str) -> String {
    let mut out = String::new();
    if let Some(operation) = rewrite::django_op(ctx, op) {
        if let OperationKind::RenameField {
            model_name,
            new_name,
            ..
        } = &operation.kind
            && let Some(model) = rewrite::model_at(ctx, op.index + 1, model_name)
            && let Some(field) = model.field(new_name)
        {
            let written = rewrite::py_field(ctx, field, op.span.file);
            let with_column = rewrite::with_kwarg(&written, "db_column", &rewrite::py_str(from));
            out.push_str(
                "Rename in code only: keep the column and point the renamed field at it with `db_column`; \
                 no SQL runs, and old and new code both work.\n\n",
            );
            out.push_str(&rewrite::django_intro("replace the operation with"));
            out.push('\n');
            out.push_str(&rewrite::py_block(&rewrite::separate(
                &[],
                &[
                    rewrite::op_source(ctx, op),
                    format!(
                        "migrations.AlterField(\n    model_name={},\n    name={},\n    field={with_column},\n)",
                        rewrite::py_str(model_name),
                        rewrite::py_str(new_name)
                    ),
                ],
            )));
            let _ = write!(
                out,
                "\n\nand in the model:\n{}\n\nIf the database name must change too, expand and contract over two releases:\n",
                rewrite::py_block(&format!("{new_name} = {with_column}"))
            );
        } else {
            out.push_str(
                "Keep the column's name in the database (`db_column=` on the field, or leave it unchanged); if \
                 it must change, expand and contract over two releases:\n",
            );
        }
    } else {
        out.push_str(
            "Keep the column's name in the database (map the new name in code); if it must change, expand and \
             contract over two releases:\n",
        );
    }
    let (t, f, n) = (quote(table), quote(from), quote(to));
    let sync = quote(&rewrite::identifier(&format!("{table}_{to}_sync")));
    out.push_str(&rewrite::sql_block(&[
        format!("-- release 1: the new column, kept equal to {f} (same type as {f}):"),
        format!("ALTER TABLE {t} ADD COLUMN {n} <type of {f}> NULL;"),
        format!(
            "CREATE FUNCTION {sync}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.{n} IS NULL THEN NEW.{n} := NEW.{f}; ELSE NEW.{f} := NEW.{n}; END IF; RETURN NEW; END $$;"
        ),
        format!(
            "CREATE TRIGGER {sync} BEFORE INSERT OR UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION {sync}();"
        ),
        format!("-- backfill {n} from {f} in batches; release 2 reads and writes {n}; then:"),
        format!("DROP TRIGGER {sync} ON {t};"),
        format!("ALTER TABLE {t} DROP COLUMN {f};"),
    ]));
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_rename_field() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.RenameField(
            model_name="order",
            old_name="note",
            new_name="comment",
        ),"#,
        );
        assert_eq!(ids(&shop_findings(&migration)), ["rename-column"]);
        insta::assert_snapshot!(shop_render("rename-column", &migration));
    }

    #[test]
    fn new_tables_new_columns_and_db_column_renames_do_not_fire() {
        for operations in [
            r#"        migrations.AddField("order", "memo", models.TextField(null=True)),
        migrations.RenameField("order", "memo", "remark"),"#,
            r#"        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RenameField("order", "note", "comment"),
            migrations.AlterField("order", "comment", models.TextField(null=True, db_column="note")),
        ]),"#,
        ] {
            let found = shop_findings(&shop_migration("", "", operations));
            assert!(!ids(&found).contains(&"rename-column"), "{found:#?}");
        }
        let sql = "CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;";
        assert!(crate::rules::rewrite::testing::file_findings("db/0001.sql", sql).is_empty());
    }
}
