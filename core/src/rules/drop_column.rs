use super::rewrite::{self, quote};
use super::shape::{Action, Shape};
use super::{Ctx, Severity, declare_rule};
use crate::analysis::OperationAnalysis;
use crate::parse::django::OperationKind;

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … DROP COLUMN` on a table that existed before this migration — Django's
    /// `RemoveField` (and `AlterOrderWithRespectTo` dropping `_order`).
    ///
    /// ## Why it hurts
    /// Code already deployed still names the column (Django selects every field of the model):
    /// until every server runs the new code, its queries fail. The data is gone for good, and
    /// `CASCADE` also drops the indexes and constraints on the column.
    ///
    /// ## Safe alternative
    /// Two releases. First remove the field from the model and the state only — and if the
    /// column is NOT NULL without a database default, make it nullable, since new code inserts
    /// without it:
    /// ```python
    /// migrations.SeparateDatabaseAndState(
    ///     database_operations=[
    ///         migrations.RunSQL('ALTER TABLE "shop_order" ALTER COLUMN "paid" DROP NOT NULL;'),
    ///     ],
    ///     state_operations=[migrations.RemoveField(model_name="order", name="paid")],
    /// ),
    /// ```
    /// Then, once every server runs that code, drop the column in a post-deploy step:
    /// ```sql
    /// ALTER TABLE "shop_order" DROP COLUMN "paid" CASCADE;
    /// ```
    ///
    /// ## When it is fine
    /// The table or the column is created in the same migration, or the model stopped using the
    /// field in an earlier release (then acknowledge it).
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE, "DROP COLUMN".
    pub(crate) static DROP_COLUMN = { id: "drop-column", severity: Severity::Error }
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
                let Action::DropColumn { column } = action else {
                    continue;
                };
                if rewrite::added_before(&added, *place, table, column) {
                    continue;
                }
                let message = format!(
                    "`DROP COLUMN {column}` on `{table}`: code already deployed still selects or writes `{column}` \
                     and fails until every server runs the new code, and the data is gone for good"
                );
                let alternative = alternative(ctx, op, table, column, &statement.statement.sql);
                rewrite::report(ctx, &DROP_COLUMN, op, statement, message, alternative);
            }
        }
    }
}

fn alternative(
    ctx: &Ctx<'_>,
    op: &OperationAnalysis,
    table: &str,
    column: &str,
    drop: &str,
) -> String {
    let (t, c) = (quote(table), quote(column));
    let drop_not_null = format!("ALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL;");
    let mut out = String::from(
        "Two releases: stop using the column first, drop it once no deployed code names it.\n\n",
    );
    if let Some(operation) = rewrite::django_op(ctx, op)
        && let OperationKind::RemoveField { model_name, name } = &operation.kind
    {
        let field =
            rewrite::model_at(ctx, op.index, model_name).and_then(|m| m.field(name).cloned());
        let needs_null = field
            .as_ref()
            .is_none_or(|f| !f.null && f.arg("db_default").is_none() && !f.is_many_to_many());
        let database = if needs_null {
            vec![rewrite::run_sql(std::slice::from_ref(&drop_not_null), &[])]
        } else {
            Vec::new()
        };
        out.push_str(&rewrite::django_intro(
            "release 1, with the code that no longer uses the field",
        ));
        out.push('\n');
        out.push_str(&rewrite::py_block(&rewrite::separate(
            &database,
            &[rewrite::op_source(ctx, op)],
        )));
        if needs_null {
            out.push_str(
                "\n(`DROP NOT NULL`: the new code inserts rows without the column, which would break a NOT NULL \
                 column with no database default.)",
            );
        }
        out.push_str("\n\nrelease 2, once every server runs it (a post-deploy migration):\n");
        out.push_str(&rewrite::py_block(&rewrite::run_sql(
            &[drop.to_owned()],
            &[],
        )));
        out.push_str("\n\nSQL:\n");
    }
    out.push_str(&rewrite::sql_block(&[
        "-- release 1 (with the code that stops using it), if the column is NOT NULL without a default:"
            .to_owned(),
        drop_not_null,
        "-- release 2, once every server runs that code:".to_owned(),
        drop.to_owned(),
    ]));
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_remove_field() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.RemoveField(model_name="order", name="paid"),"#,
        );
        assert_eq!(ids(&shop_findings(&migration)), ["drop-column"]);
        insta::assert_snapshot!(shop_render("drop-column", &migration));
    }

    #[test]
    fn state_only_removal_new_columns_and_new_tables_do_not_fire() {
        for operations in [
            r#"        migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField("order", "paid")]),"#,
            r#"        migrations.AddField("order", "memo", models.TextField(null=True)),
        migrations.RemoveField("order", "memo"),"#,
        ] {
            let found = shop_findings(&shop_migration("", "", operations));
            assert!(!ids(&found).contains(&"drop-column"), "{found:#?}");
        }
        let sql = "CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;";
        assert!(crate::rules::rewrite::testing::file_findings("db/0001.sql", sql).is_empty());
    }
}
