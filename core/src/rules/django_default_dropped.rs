use std::fmt::Write as _;

use super::rewrite::{self, quote};
use std::collections::BTreeMap;

use super::shape::{Action, ColumnDef, Shape};
use super::{Ctx, Report, Severity, declare_rule};
use crate::parse::python::ValueKind;
use crate::source::DjangoVersion;

declare_rule! {
    /// ## What it flags
    /// `AddField` of a non-null field with `default=` and no `db_default=` on a table that
    /// existed before this migration. Django adds the column `DEFAULT x NOT NULL` to fill the
    /// existing rows, then drops the default at once: the default lives only in Python. In a
    /// `.sql` file: `ADD COLUMN … DEFAULT … NOT NULL` followed by `ALTER COLUMN … DROP DEFAULT`.
    ///
    /// ## Why it hurts
    /// During a deploy, code that does not know the field yet keeps inserting rows without the
    /// column; with the default dropped those inserts fail on the NOT NULL constraint until the
    /// new code replaces it everywhere. A callable default (`uuid.uuid4`, `timezone.now`) is
    /// also evaluated once: every existing row gets the same value.
    ///
    /// ## Safe alternative
    /// Keep the default in the database: `db_default=` (Django 5.0+), or add the field with
    /// `null=True` first. Django:
    /// ```python
    /// migrations.AddField("order", "paid", models.BooleanField(default=False, db_default=False)),
    /// ```
    /// SQL: keep the `DEFAULT` and leave out the `DROP DEFAULT`.
    /// ```sql
    /// ALTER TABLE "shop_order" ADD COLUMN "paid" boolean DEFAULT false NOT NULL;
    /// ```
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or nothing old writes to it during the
    /// deploy (e.g. the app is stopped while migrating).
    ///
    /// ## References
    /// Django: "Migrations that add fields with defaults" and `Field.db_default`.
    pub(crate) static DJANGO_DEFAULT_DROPPED = { id: "django-default-dropped", severity: Severity::Warning }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    if rewrite::is_django(ctx) {
        check_django(ctx);
    } else {
        check_sql(ctx);
    }
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
        let crate::parse::django::OperationKind::AddField {
            model_name,
            name,
            field,
            ..
        } = &operation.kind
        else {
            continue;
        };
        if field.null
            || field.is_many_to_many()
            || field.arg("db_default").is_some()
            || field.arg("generated").is_some()
            || field.class == "GeneratedField"
            || field.primary_key
        {
            continue;
        }
        let Some(default) = field.arg("default") else {
            continue;
        };
        let Some(model) = rewrite::model_at(ctx, op.index, model_name) else {
            continue;
        };
        let table = model.db_table();
        if ctx.is_created_here(&table, op.index) || model.options.proxy || !model.options.managed {
            continue;
        }
        let column = rewrite::column_of(name, field);
        let written = rewrite::source(ctx, default.span);
        let callable = matches!(default.kind, ValueKind::Ref(_) | ValueKind::Unknown);
        let mut message = format!(
            "`AddField` fills `{table}.{column}` with the default, then drops it from the database: while code \
             without `{name}` still runs, its inserts into `{table}` fail on the NOT NULL constraint"
        );
        if callable {
            let _ = write!(
                message,
                "; and `{written}` is called once, so every existing row gets the same value"
            );
        }
        let field_source =
            (field.span.file == op.span.file).then(|| rewrite::source(ctx, field.span));
        let mut alternative =
            String::from("Keep the default in the database, so old code's inserts still work.\n\n");
        match (ctx.settings().django_version, field_source, db_default_for(written, &default.kind)) {
            (DjangoVersion::V5_2, Some(source), Some((value, import))) => {
                alternative.push_str("Django (5.0+), with `db_default`:\n");
                let call = rewrite::with_kwarg(source, "db_default", &value);
                let code = match import {
                    Some(import) => format!("{import}\n\nfield={call}"),
                    None => format!("field={call}"),
                };
                alternative.push_str(&rewrite::py_block(&code));
            }
            (_, Some(source), _) => {
                alternative.push_str("Django: add it nullable first; make it NOT NULL once every running version writes it:\n");
                alternative.push_str(&rewrite::py_block(&format!(
                    "field={}",
                    rewrite::with_kwarg(source, "null", "True")
                )));
            }
            _ => alternative.push_str(
                "Django: give the field `db_default=` (Django 5.0+) or add it with `null=True` first.",
            ),
        }
        if let Some(add) = op.statements.first() {
            alternative.push_str("\n\nSQL: keep the default (no `DROP DEFAULT` after it):\n");
            alternative.push_str(&rewrite::sql_block(std::slice::from_ref(
                &add.statement.sql,
            )));
        }
        let span = op.span;
        let statement = op.statements.first();
        ctx.report(Report {
            rule: &DJANGO_DEFAULT_DROPPED,
            span,
            message,
            safe_alternative: alternative,
            operation: Some(op),
            statement,
        });
    }
}

/// The `db_default` for a `default` as written: a literal as is, `timezone.now` as `Now()`.
/// `None` for callables PostgreSQL has no equivalent of.
fn db_default_for(written: &str, kind: &ValueKind) -> Option<(String, Option<&'static str>)> {
    match kind {
        ValueKind::Str(_) | ValueKind::Int(_) | ValueKind::Float(_) | ValueKind::Bool(_) => {
            Some((written.to_owned(), None))
        }
        ValueKind::Ref(path) if path == "django.utils.timezone.now" => Some((
            "Now()".to_owned(),
            Some("from django.db.models.functions import Now"),
        )),
        _ => None,
    }
}

fn check_sql(ctx: &mut Ctx<'_>) {
    let placed = rewrite::placed(ctx);
    // Columns this file added `DEFAULT … NOT NULL` to existing tables, so far.
    let mut added_with_default: BTreeMap<(&str, &str), &ColumnDef> = BTreeMap::new();
    for (_, op, statement, shapes) in &placed {
        for shape in shapes {
            let Shape::AlterTable { table, actions, .. } = shape else {
                continue;
            };
            for action in actions {
                if let Action::AddColumn(c) = action
                    && c.not_null
                    && c.default.is_some()
                    && !ctx.is_created_here(table, op.index)
                {
                    added_with_default.insert((table.as_str(), c.name.as_str()), c);
                }
                let Action::DropDefault { column } = action else {
                    continue;
                };
                let Some(added) = added_with_default
                    .get(&(table.as_str(), column.as_str()))
                    .copied()
                    .cloned()
                else {
                    continue;
                };
                let message = format!(
                    "`DROP DEFAULT` on `{table}.{column}` right after adding it NOT NULL: while code without \
                     `{column}` still runs, its inserts into `{table}` fail on the NOT NULL constraint"
                );
                let alternative = format!(
                    "Keep the default: leave out this statement, so the column stays\n{}",
                    rewrite::sql_block(&[format!(
                        "ALTER TABLE {} ADD COLUMN {} DEFAULT {} NOT NULL;",
                        quote(table),
                        added.head,
                        added.default.unwrap_or_default()
                    )])
                );
                rewrite::report(
                    ctx,
                    &DJANGO_DEFAULT_DROPPED,
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
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_add_field_with_default() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.AddField(
            model_name="order",
            name="archived",
            field=models.BooleanField(default=False),
        ),"#,
        );
        assert_eq!(ids(&shop_findings(&migration)), ["django-default-dropped"]);
        insta::assert_snapshot!(shop_render("django-default-dropped", &migration));
    }

    #[test]
    fn callable_defaults_say_every_row_gets_one_value() {
        let migration = shop_migration(
            "import uuid",
            "",
            r#"        migrations.AddField("order", "token", models.UUIDField(default=uuid.uuid4, unique=True)),"#,
        );
        let found = shop_findings(&migration);
        let finding = found
            .iter()
            .find(|f| f.rule == "django-default-dropped")
            .unwrap();
        assert!(
            finding.message.contains("`uuid.uuid4` is called once"),
            "{}",
            finding.message
        );
        assert!(finding.safe_alternative.contains("null=True"));
    }

    #[test]
    fn db_default_nullable_and_new_tables_do_not_fire() {
        for operations in [
            r#"        migrations.AddField("order", "archived", models.BooleanField(default=False, db_default=False)),"#,
            r#"        migrations.AddField("order", "archived", models.BooleanField(default=False, null=True)),"#,
            r#"        migrations.CreateModel("Tag", [("id", models.BigAutoField(primary_key=True)), ("name", models.CharField(max_length=10))]),
        migrations.AddField("tag", "archived", models.BooleanField(default=False)),"#,
        ] {
            let found = shop_findings(&shop_migration("", "", operations));
            assert!(
                !ids(&found).contains(&"django-default-dropped"),
                "{operations}: {found:#?}"
            );
        }
    }

    #[test]
    fn fires_in_sqlmigrate_output() {
        let sql = "BEGIN;\nALTER TABLE \"shop_order\" ADD COLUMN \"archived\" boolean DEFAULT false NOT NULL;\nALTER TABLE \"shop_order\" ALTER COLUMN \"archived\" DROP DEFAULT;\nCOMMIT;";
        let found = crate::rules::rewrite::testing::file_findings("db/0007.sql", sql);
        assert_eq!(ids(&found), ["django-default-dropped"]);
        assert_eq!(found[0].line, 3);
        assert!(found[0].safe_alternative.contains(
            "ALTER TABLE \"shop_order\" ADD COLUMN \"archived\" boolean DEFAULT false NOT NULL;"
        ));
    }
}
