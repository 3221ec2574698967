use std::collections::BTreeMap;

use super::rewrite::{self, quote};
use super::shape::{Action, ConstraintKind, Shape};
use super::{Ctx, Report, Severity, declare_rule};
use crate::parse::django::{Field, OperationKind};
use crate::parse::python::ValueKind;
use crate::state::ModelState;

declare_rule! {
    /// ## What it flags
    /// A foreign key whose referencing column has no index that starts with it — Django's
    /// `ForeignKey(db_index=False)` with no `Meta.indexes`, `unique_together` or constraint
    /// leading with the field; in SQL, `REFERENCES` on a new table or a new column with no
    /// index on it in the same file.
    ///
    /// ## Why it hurts
    /// Every `DELETE` (and key `UPDATE`) on the referenced table must find the referencing rows:
    /// without an index, each one scans the whole referencing table, with row locks held, and
    /// `ON DELETE CASCADE` does it again per row. Joins on the key scan too.
    ///
    /// ## Safe alternative
    /// Index the column, concurrently on an existing table. Django:
    /// ```python
    /// class Migration(migrations.Migration):
    ///     atomic = False
    ///     operations = [AddIndexConcurrently("order", models.Index(fields=["customer"], name="order_customer_idx"))]
    /// ```
    /// SQL:
    /// ```sql
    /// CREATE INDEX CONCURRENTLY "order_customer_idx" ON "shop_order" ("customer_id");
    /// ```
    ///
    /// ## When it is fine
    /// The referenced table's rows are never deleted and its key never changes, and nothing
    /// joins on the column. Foreign keys added to existing columns of an existing table in a
    /// `.sql` file are not checked: their indexes are not among the files.
    ///
    /// ## References
    /// PostgreSQL: "Foreign Keys" ("it is often a good idea to index the referencing columns").
    pub(crate) static FOREIGN_KEY_WITHOUT_INDEX = { id: "foreign-key-without-index", severity: Severity::Warning }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    if rewrite::is_django(ctx) {
        check_django(ctx);
    } else {
        check_sql(ctx);
    }
}

/// Whether `model` (its state after the migration) has an index led by field `name`.
fn indexed(model: &ModelState, name: &str, field: &Field) -> bool {
    if field.db_index || field.unique || field.primary_key {
        return true;
    }
    let leads = |fields: &[String]| {
        fields
            .first()
            .is_some_and(|f| f.trim_start_matches('-') == name)
    };
    let options = &model.options;
    options.indexes.iter().any(|i| leads(&i.fields))
        || options.unique_together.iter().any(|t| leads(t))
        || options.index_together.iter().any(|t| leads(t))
        || options.constraints.iter().any(|c| {
            c.arg("fields")
                .and_then(|v| v.as_sequence())
                .and_then(|items| items.first())
                .and_then(|v| v.as_str())
                == Some(name)
        })
}

fn check_django(ctx: &mut Ctx<'_>) {
    let Some(migration) = ctx.migration() else {
        return;
    };
    let file = ctx.file();
    for op in &file.operations {
        let Some(operation) = migration.operations.get(op.index) else {
            continue;
        };
        let (model_name, fields): (&str, Vec<&str>) = match &operation.kind {
            OperationKind::AddField {
                model_name,
                name,
                field,
                ..
            }
            | OperationKind::AlterField {
                model_name,
                name,
                field,
                ..
            } if field.is_foreign_key() => (model_name, vec![name.as_str()]),
            OperationKind::CreateModel { name, fields, .. } => (
                name,
                fields
                    .iter()
                    .filter(|(_, f)| f.is_foreign_key())
                    .map(|(n, _)| n.as_str())
                    .collect(),
            ),
            _ => continue,
        };
        let Some(model) = rewrite::model_after(ctx, model_name) else {
            continue;
        };
        if !model.options.managed || model.options.proxy {
            continue;
        }
        for name in fields {
            let Some(field) = model.field(name) else {
                continue;
            };
            let no_constraint = matches!(
                field.arg("db_constraint").map(|v| &v.kind),
                Some(ValueKind::Bool(false))
            );
            if no_constraint || indexed(&model, name, field) {
                continue;
            }
            let table = model.db_table();
            let column = rewrite::column_of(name, field);
            let index = django_index_name(&model.name, name);
            let message = format!(
                "foreign key `{table}.{column}` has no index: every delete or key update on the referenced table \
                 scans all of `{table}` to find the rows that point at it"
            );
            let alternative = format!(
                "Index it, concurrently (an index on an existing table built in the migration itself blocks \
                 writes).\n\n{}\n{}\n\nSQL:\n{}",
                rewrite::django_intro("`atomic = False`"),
                rewrite::py_block(&format!(
                    "from django.contrib.postgres.operations import AddIndexConcurrently\n\n{}",
                    rewrite::migration_class(
                        false,
                        &[format!(
                            "AddIndexConcurrently(\n    model_name={},\n    index=models.Index(fields=[{}], name={}),\n)",
                            rewrite::py_str(&model.name.to_lowercase()),
                            rewrite::py_str(name),
                            rewrite::py_str(&index)
                        )]
                    )
                )),
                rewrite::sql_block(&[format!(
                    "CREATE INDEX CONCURRENTLY {} ON {} ({});",
                    quote(&index),
                    quote(&table),
                    quote(&column)
                )])
            );
            ctx.report(Report {
                rule: &FOREIGN_KEY_WITHOUT_INDEX,
                span: op.span,
                message,
                safe_alternative: alternative,
                operation: Some(op),
                statement: op.statements.first(),
            });
        }
    }
}

/// A name for `Meta.indexes` (Django allows 30 characters there).
fn django_index_name(model: &str, field: &str) -> String {
    let name = format!("{}_{field}_idx", model.to_lowercase());
    if name.len() <= 30 {
        return name;
    }
    let digest = crate::sql::names::names_digest(&[&name], 6);
    let head: String = name.chars().take(30 - 7).collect();
    format!("{head}_{digest}")
}

type Placed<'a> = [(
    crate::locks::StatementRef,
    &'a crate::analysis::OperationAnalysis,
    &'a crate::analysis::StatementAnalysis,
    Vec<Shape>,
)];

/// The first column of every index, unique and primary key the file creates, per table.
fn leading_columns(placed: &Placed<'_>) -> BTreeMap<String, Vec<String>> {
    let mut leading: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |table: &str, columns: &[String]| {
        if let Some(first) = columns.first() {
            leading
                .entry(table.to_owned())
                .or_default()
                .push(first.clone());
        }
    };
    for (_, _, _, shapes) in placed {
        for shape in shapes {
            match shape {
                Shape::CreateIndex {
                    table,
                    columns,
                    partial: false,
                } => add(table, columns),
                Shape::CreateTable {
                    table,
                    columns,
                    constraints,
                } => {
                    for c in columns.iter().filter(|c| c.unique || c.primary_key) {
                        add(table, std::slice::from_ref(&c.name));
                    }
                    for c in constraints {
                        if let ConstraintKind::Unique { columns, .. }
                        | ConstraintKind::PrimaryKey { columns, .. } = &c.kind
                        {
                            add(table, columns);
                        }
                    }
                }
                Shape::AlterTable { table, actions, .. } => {
                    for action in actions {
                        match action {
                            Action::AddColumn(c) if c.unique || c.primary_key => {
                                add(table, std::slice::from_ref(&c.name));
                            }
                            Action::AddConstraint(c) => {
                                if let ConstraintKind::Unique { columns, .. }
                                | ConstraintKind::PrimaryKey { columns, .. } = &c.kind
                                {
                                    add(table, columns);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }
    leading
}

fn check_sql(ctx: &mut Ctx<'_>) {
    let placed = rewrite::placed(ctx);
    let leading = leading_columns(&placed);
    let added = rewrite::added_columns(&placed);
    for (place, op, statement, shapes) in &placed {
        for shape in shapes {
            // (table, column) of foreign keys whose indexes this file would show.
            let keys: Vec<(&str, &str)> = match shape {
                Shape::CreateTable {
                    table,
                    columns,
                    constraints,
                } => columns
                    .iter()
                    .filter(|c| c.references.is_some())
                    .map(|c| (table.as_str(), c.name.as_str()))
                    .chain(constraints.iter().filter_map(|c| match &c.kind {
                        ConstraintKind::ForeignKey { columns, .. } => {
                            columns.first().map(|col| (table.as_str(), col.as_str()))
                        }
                        _ => None,
                    }))
                    .collect(),
                Shape::AlterTable { table, actions, .. } => actions
                    .iter()
                    .filter_map(|a| match a {
                        Action::AddColumn(c) if c.references.is_some() => {
                            Some((table.as_str(), c.name.as_str()))
                        }
                        Action::AddConstraint(c) => match &c.kind {
                            ConstraintKind::ForeignKey { columns, .. } => {
                                let column = columns.first()?;
                                (ctx.is_created_here(table, op.index)
                                    || rewrite::added_before(&added, *place, table, column))
                                .then_some((table.as_str(), column.as_str()))
                            }
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect(),
                _ => continue,
            };
            for (table, column) in keys {
                if leading
                    .get(table)
                    .is_some_and(|firsts| firsts.iter().any(|f| f == column))
                {
                    continue;
                }
                let index = rewrite::identifier(&format!("{table}_{column}_idx"));
                let message = format!(
                    "foreign key `{table}.{column}` has no index: every delete or key update on the referenced \
                     table scans all of `{table}` to find the rows that point at it"
                );
                let create = if ctx.is_created_here(table, op.index) {
                    "CREATE INDEX"
                } else {
                    "CREATE INDEX CONCURRENTLY"
                };
                let alternative = format!(
                    "Index it{}:\n{}",
                    if create.ends_with("CONCURRENTLY") {
                        ", concurrently, outside a transaction"
                    } else {
                        " in the same file (the table is new, so a plain build is fine)"
                    },
                    rewrite::sql_block(&[format!(
                        "{create} {} ON {} ({});",
                        quote(&index),
                        quote(table),
                        quote(column)
                    )])
                );
                rewrite::report(
                    ctx,
                    &FOREIGN_KEY_WITHOUT_INDEX,
                    op,
                    statement,
                    message,
                    alternative,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, render, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_foreign_key_without_db_index() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.AddField(
            model_name="order",
            name="customer",
            field=models.ForeignKey(null=True, db_index=False, on_delete=django.db.models.deletion.CASCADE, to="shop.customer"),
        ),"#,
        );
        assert_eq!(
            ids(&shop_findings(&migration)),
            ["foreign-key-without-index"]
        );
        insta::assert_snapshot!(shop_render("foreign-key-without-index", &migration));
    }

    #[test]
    fn fires_in_sql_on_a_new_table_without_index() {
        let sql = "CREATE TABLE line (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES shop_order (id));";
        let found = crate::rules::rewrite::testing::file_findings("db/0014.sql", sql);
        assert_eq!(ids(&found), ["foreign-key-without-index"]);
        insta::assert_snapshot!(render(&found[0], sql));
    }

    #[test]
    fn indexed_keys_do_not_fire() {
        for operations in [
            r#"        migrations.AddField("order", "customer", models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, to="shop.customer")),"#,
            r#"        migrations.AddField("order", "customer", models.ForeignKey(null=True, db_index=False, on_delete=django.db.models.deletion.CASCADE, to="shop.customer")),
        migrations.AddIndex("order", models.Index(fields=["customer", "created"], name="order_cust_created")),"#,
            r#"        migrations.AddField("order", "customer", models.ForeignKey(null=True, db_index=False, db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to="shop.customer")),"#,
        ] {
            let found = shop_findings(&shop_migration("", "", operations));
            assert!(
                !ids(&found).contains(&"foreign-key-without-index"),
                "{found:#?}"
            );
        }
        let sql = "CREATE TABLE line (id bigint PRIMARY KEY, order_id bigint REFERENCES shop_order (id));\nCREATE INDEX line_order ON line (order_id);\nALTER TABLE x ADD CONSTRAINT fk FOREIGN KEY (a_id) REFERENCES a (id) NOT VALID;";
        let found = crate::rules::rewrite::testing::file_findings("db/0001.sql", sql);
        assert!(found.is_empty(), "{found:#?}");
    }
}
