use super::rewrite::{self, quote};
use super::shape::{Action, ConstraintKind, Shape};
use super::{Ctx, Severity, declare_rule};
use crate::analysis::{OperationAnalysis, StatementAnalysis};

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … ADD [CONSTRAINT …] FOREIGN KEY …` without `NOT VALID` on a table that
    /// existed before this migration — Django's `AlterField` to a `ForeignKey`, the keys Django
    /// re-creates around a renamed or retyped key, `AddConstraint` — and a new column with an
    /// inline `REFERENCES` and a `DEFAULT` (`AddField(ForeignKey(default=…))`), whose values
    /// PostgreSQL then checks. (A new nullable key column without a default is not checked: it
    /// only holds NULLs.)
    ///
    /// ## Why it hurts
    /// PostgreSQL takes `SHARE ROW EXCLUSIVE` on **both** tables and checks every row of the
    /// referencing table against the referenced one: writes to both tables wait until the scan
    /// ends.
    ///
    /// ## Safe alternative
    /// Add it `NOT VALID` (instant; new rows are checked from then on), then `VALIDATE
    /// CONSTRAINT` in a later transaction: `SHARE UPDATE EXCLUSIVE` on the table and `ROW
    /// SHARE` on the referenced one, so reads and writes go on. SQL:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD CONSTRAINT "shop_order_customer_id_fk" FOREIGN KEY ("customer_id") REFERENCES "shop_customer" ("id") DEFERRABLE INITIALLY DEFERRED NOT VALID;
    /// -- commit, then:
    /// ALTER TABLE "shop_order" VALIDATE CONSTRAINT "shop_order_customer_id_fk";
    /// ```
    /// Django: the operation's statements in `RunSQL` with the constraint `NOT VALID`, inside
    /// `SeparateDatabaseAndState` (the operation itself as the state operation), and the
    /// `VALIDATE` as its own `RunSQL`, in a migration with `atomic = False`.
    ///
    /// ## When it is fine
    /// The referencing table is created in the same migration, or both tables are tiny.
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE, "ADD table_constraint [ NOT VALID ]", and the lock table of
    /// LOCKS.md.
    pub(crate) static ADD_FOREIGN_KEY_VALIDATING = { id: "add-foreign-key-validating", severity: Severity::Error }
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
                let (name, body, referenced, add_column) = match action {
                    Action::AddConstraint(constraint) if !constraint.not_valid => {
                        let ConstraintKind::ForeignKey {
                            columns,
                            table: referenced,
                        } = &constraint.kind
                        else {
                            continue;
                        };
                        let name = constraint.name.clone().unwrap_or_else(|| {
                            rewrite::identifier(&format!(
                                "{table}_{}_fkey",
                                columns.first().map_or("", String::as_str)
                            ))
                        });
                        (name, constraint.body.clone(), referenced.clone(), None)
                    }
                    Action::AddColumn(column) if column.default.is_some() => {
                        let Some(reference) = &column.references else {
                            continue;
                        };
                        let name = reference.constraint.clone().unwrap_or_else(|| {
                            rewrite::identifier(&format!("{table}_{}_fkey", column.name))
                        });
                        let without = column.text.replace(reference.written.as_str(), "");
                        let without = without.split_whitespace().collect::<Vec<_>>().join(" ");
                        (
                            name,
                            format!("FOREIGN KEY ({}) {}", quote(&column.name), reference.text),
                            reference.table.clone(),
                            Some(format!(
                                "ALTER TABLE {} ADD COLUMN {without};",
                                quote(table)
                            )),
                        )
                    }
                    _ => continue,
                };
                let both = if referenced == *table {
                    format!("`{table}`")
                } else {
                    format!("`{table}` and `{referenced}`")
                };
                let message = format!(
                    "`FOREIGN KEY {name}` takes `SHARE ROW EXCLUSIVE` on {both} and checks every row of `{table}` \
                     against `{referenced}`: writes to {both} wait until the scan ends{}",
                    rewrite::estimate(statement)
                );
                let alternative = alternative(ctx, op, statement, table, &name, &body, add_column);
                rewrite::report(
                    ctx,
                    &ADD_FOREIGN_KEY_VALIDATING,
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
    let mut expand: Vec<String> = add_column.into_iter().collect();
    expand.push(format!(
        "ALTER TABLE {t} ADD CONSTRAINT {n} {body} NOT VALID;"
    ));
    let validate = format!("ALTER TABLE {t} VALIDATE CONSTRAINT {n};");
    let mut out = String::from(
        "Add the key `NOT VALID` (brief locks; new rows are checked from then on) and validate it in its own \
         transaction (`SHARE UPDATE EXCLUSIVE` and `ROW SHARE`: reads and writes go on).\n\n",
    );
    if rewrite::is_django(ctx) {
        out.push_str(&rewrite::django_intro(
            "`atomic = False`: the validation commits on its own",
        ));
        out.push('\n');
        out.push_str(&rewrite::py_block(&rewrite::migration_class(
            false,
            &[
                rewrite::django_with_replaced(ctx, op, statement, &expand),
                rewrite::run_sql(std::slice::from_ref(&validate), &[]),
            ],
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
    fn fires_on_alter_field_to_a_foreign_key() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.AddField("order", "buyer", models.BigIntegerField(null=True)),
        migrations.AlterField(
            model_name="order",
            name="buyer",
            field=models.ForeignKey(null=True, db_index=False, on_delete=django.db.models.deletion.CASCADE, to="shop.customer"),
        ),"#,
        );
        let found = shop_findings(&migration);
        assert!(
            ids(&found).contains(&"add-foreign-key-validating"),
            "{found:#?}"
        );
        insta::assert_snapshot!(shop_render("add-foreign-key-validating", &migration));
    }

    #[test]
    fn fires_on_a_new_key_column_with_a_default() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.AddField("order", "owner", models.ForeignKey(default=1, on_delete=django.db.models.deletion.CASCADE, to="shop.customer")),"#,
        );
        let found = shop_findings(&migration);
        assert!(
            ids(&found).contains(&"add-foreign-key-validating"),
            "{found:#?}"
        );
        insta::assert_snapshot!(shop_render("add-foreign-key-validating", &migration));
    }

    #[test]
    fn nullable_new_keys_not_valid_and_new_tables_do_not_fire() {
        for operations in [
            r#"        migrations.AddField("order", "customer", models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, to="shop.customer")),"#,
            r#"        migrations.CreateModel("Line", [("id", models.BigAutoField(primary_key=True)), ("order", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="shop.order"))]),"#,
        ] {
            let found = shop_findings(&shop_migration("", "", operations));
            assert!(
                !ids(&found).contains(&"add-foreign-key-validating"),
                "{operations}: {found:#?}"
            );
        }
        let sql = "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a_id) REFERENCES a (id) NOT VALID;";
        assert!(crate::rules::rewrite::testing::file_findings("db/0001.sql", sql).is_empty());
        let sql = "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a_id) REFERENCES a (id);";
        assert_eq!(
            ids(&crate::rules::rewrite::testing::file_findings(
                "db/0001.sql",
                sql
            )),
            ["add-foreign-key-validating"]
        );
    }
}
