use super::rewrite::{self, quote};
use super::shape::{Action, ConstraintKind, Shape};
use super::{Ctx, Severity, declare_rule};
use crate::analysis::{OperationAnalysis, StatementAnalysis};
use crate::parse::django::OperationKind;

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … ADD CONSTRAINT … CHECK (…)` without `NOT VALID` on a table that existed
    /// before this migration — Django's `AddConstraint(CheckConstraint(…))` — and a new column
    /// with an inline `CHECK` (`AddField` of a `PositiveIntegerField` and the like).
    ///
    /// ## Why it hurts
    /// PostgreSQL checks every existing row while it holds an `ACCESS EXCLUSIVE` lock on the
    /// table: reads and writes wait until the scan ends. (Measured on PostgreSQL 15: 3 M rows,
    /// about half a second; the time grows with the table.)
    ///
    /// ## Safe alternative
    /// Add the constraint `NOT VALID` (instant; new rows are checked from then on), then
    /// `VALIDATE CONSTRAINT` in a later transaction, which holds only `SHARE UPDATE EXCLUSIVE`
    /// (reads and writes go on). Django:
    /// ```python
    /// from django.contrib.postgres.operations import AddConstraintNotValid, ValidateConstraint
    ///
    /// class Migration(migrations.Migration):
    ///     atomic = False
    ///     operations = [
    ///         AddConstraintNotValid("order", models.CheckConstraint(condition=models.Q(total__gte=0), name="total_gte_0")),
    ///         ValidateConstraint("order", "total_gte_0"),
    ///     ]
    /// ```
    /// SQL:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD CONSTRAINT "total_gte_0" CHECK ("total" >= 0) NOT VALID;
    /// -- commit, then:
    /// ALTER TABLE "shop_order" VALIDATE CONSTRAINT "total_gte_0";
    /// ```
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or is known to be tiny.
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE, "ADD table_constraint [ NOT VALID ]".
    pub(crate) static ADD_CHECK_VALIDATING = { id: "add-check-validating", severity: Severity::Error }
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
                let (name, body, add_column) = match action {
                    Action::AddConstraint(constraint)
                        if constraint.kind == ConstraintKind::Check && !constraint.not_valid =>
                    {
                        let name = constraint
                            .name
                            .clone()
                            .unwrap_or_else(|| rewrite::identifier(&format!("{table}_check")));
                        (name, constraint.body.clone(), None)
                    }
                    Action::AddColumn(column) => {
                        let Some(check) = &column.check else { continue };
                        let name = rewrite::identifier(&format!("{table}_{}_check", column.name));
                        let without = column.text.replace(check.as_str(), "");
                        let without = without.split_whitespace().collect::<Vec<_>>().join(" ");
                        (
                            name,
                            check.clone(),
                            Some(format!(
                                "ALTER TABLE {} ADD COLUMN {without};",
                                quote(table)
                            )),
                        )
                    }
                    _ => continue,
                };
                let what = if add_column.is_some() {
                    format!("the new column's `{body}`")
                } else {
                    format!("`ADD CONSTRAINT {name} CHECK`")
                };
                let message = format!(
                    "{what} is checked against every row of `{table}` under an `ACCESS EXCLUSIVE` lock: reads and \
                     writes wait until the scan ends{}",
                    rewrite::estimate(statement)
                );
                let alternative = alternative(ctx, op, statement, table, &name, &body, add_column);
                rewrite::report(
                    ctx,
                    &ADD_CHECK_VALIDATING,
                    op,
                    statement,
                    message,
                    alternative,
                );
            }
        }
    }
}

fn alternative(
    ctx: &Ctx<'_>,
    op: &OperationAnalysis,
    statement: &StatementAnalysis,
    table: &str,
    name: &str,
    body: &str,
    add_column: Option<String>,
) -> String {
    let (t, n) = (quote(table), quote(name));
    let not_valid = format!("ALTER TABLE {t} ADD CONSTRAINT {n} {body} NOT VALID;");
    let validate = format!("ALTER TABLE {t} VALIDATE CONSTRAINT {n};");
    let mut expand: Vec<String> = add_column.into_iter().collect();
    expand.push(not_valid);
    let mut out = String::from(
        "Add it `NOT VALID` (instant: new rows are checked from then on) and validate it in its own \
         transaction, under `SHARE UPDATE EXCLUSIVE` (reads and writes go on).\n\n",
    );
    if let Some(operation) = rewrite::django_op(ctx, op) {
        let source = rewrite::op_source(ctx, op);
        let operations = match &operation.kind {
            OperationKind::AddConstraint {
                model_name,
                not_valid: false,
                ..
            } if source.starts_with("migrations.AddConstraint(") => vec![
                source.replacen("migrations.AddConstraint(", "AddConstraintNotValid(", 1),
                format!(
                    "ValidateConstraint(model_name={}, name={})",
                    rewrite::py_str(model_name),
                    rewrite::py_str(name)
                ),
            ],
            _ => vec![
                rewrite::django_with_replaced(ctx, op, statement, &expand),
                rewrite::run_sql(std::slice::from_ref(&validate), &[]),
            ],
        };
        out.push_str(&rewrite::django_intro(
            "`atomic = False`: the validation commits on its own",
        ));
        out.push('\n');
        out.push_str(&rewrite::py_block(&format!(
            "{}\n\n{}",
            rewrite::POSTGRES_OPERATIONS,
            rewrite::migration_class(false, &operations)
        )));
        out.push_str("\n\nSQL:\n");
    }
    expand.push("-- commit, then:".to_owned());
    expand.push(validate);
    out.push_str(&rewrite::sql_block(&expand));
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_add_constraint_check() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(condition=models.Q(total__gte=0), name="total_gte_0"),
        ),"#,
        );
        assert_eq!(ids(&shop_findings(&migration)), ["add-check-validating"]);
        insta::assert_snapshot!(shop_render("add-check-validating", &migration));
    }

    #[test]
    fn fires_on_a_new_positive_integer_column() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.AddField("order", "quantity", models.PositiveIntegerField(null=True)),"#,
        );
        assert_eq!(ids(&shop_findings(&migration)), ["add-check-validating"]);
        insta::assert_snapshot!(shop_render("add-check-validating", &migration));
    }

    #[test]
    fn not_valid_validate_and_new_tables_do_not_fire() {
        for operations in [
            r#"        AddConstraintNotValid("order", models.CheckConstraint(condition=models.Q(total__gte=0), name="total_gte_0")),"#,
            r#"        migrations.CreateModel("Line", [("id", models.BigAutoField(primary_key=True)), ("qty", models.PositiveIntegerField())]),
        migrations.AddConstraint("line", models.CheckConstraint(condition=models.Q(qty__gte=1), name="qty_gte_1")),"#,
        ] {
            let migration = shop_migration(
                "from django.contrib.postgres.operations import AddConstraintNotValid",
                "",
                operations,
            );
            let found = shop_findings(&migration);
            assert!(!ids(&found).contains(&"add-check-validating"), "{found:#?}");
        }
        let sql = "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c;";
        let found = crate::rules::rewrite::testing::file_findings("db/0001.sql", sql);
        assert!(!ids(&found).contains(&"add-check-validating"), "{found:#?}");
    }
}
