use std::fmt::Write as _;

use super::add_column_volatile_default::SERIAL;
use super::rewrite::{self, quote};
use super::shape::{Action, ColumnDef, Generated, Shape};
use super::{Ctx, Severity, declare_rule};
use crate::analysis::OperationAnalysis;

declare_rule! {
    /// ## What it flags
    /// `ALTER TABLE … ADD COLUMN` of a column PostgreSQL must fill row by row on a table that
    /// existed before this migration: `serial`/`bigserial`, `GENERATED … AS IDENTITY`,
    /// `GENERATED ALWAYS AS (…) STORED` — Django's `AddField` of an `AutoField`, or of a
    /// `GeneratedField(db_persist=True)`.
    ///
    /// ## Why it hurts
    /// Every existing row gets its own value, so the table and its indexes are rewritten under an
    /// `ACCESS EXCLUSIVE` lock: reads and writes wait until the rewrite ends.
    ///
    /// ## Safe alternative
    /// A stored generated column: on PostgreSQL 18 a virtual one (`db_persist=False`) is
    /// computed on read and rewrites nothing; before 18, a plain nullable column kept up to date
    /// by a trigger and backfilled in batches. An identity: a nullable `bigint` with a sequence
    /// default, backfilled in batches. SQL for a stored expression:
    /// ```sql
    /// ALTER TABLE "shop_order" ADD COLUMN "total_cents" integer NULL;
    /// CREATE FUNCTION "shop_order_total_cents_fill"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW."total_cents" := NEW."total" * 100; RETURN NEW; END $$;
    /// CREATE TRIGGER "shop_order_total_cents_fill" BEFORE INSERT OR UPDATE ON "shop_order" FOR EACH ROW EXECUTE FUNCTION "shop_order_total_cents_fill"();
    /// UPDATE "shop_order" SET "total_cents" = "total" * 100 WHERE "id" IN (SELECT "id" FROM "shop_order" WHERE "id" > :last AND "total_cents" IS NULL ORDER BY "id" LIMIT 1000) RETURNING "id";
    /// ```
    /// Django: `GeneratedField(..., db_persist=False)` on PostgreSQL 18; otherwise those
    /// statements in `RunSQL` inside `SeparateDatabaseAndState`.
    ///
    /// ## When it is fine
    /// The table is created in the same migration, or is known to be tiny.
    ///
    /// ## References
    /// PostgreSQL: ALTER TABLE, Notes (columns with volatile defaults, identity and stored
    /// generated columns rewrite the table).
    pub(crate) static ADD_COLUMN_REWRITES = { id: "add-column-rewrites", severity: Severity::Error }
}

pub(crate) fn check(ctx: &mut Ctx<'_>) {
    for (_, op, statement, shapes) in rewrite::placed(ctx) {
        for shape in &shapes {
            let Shape::AlterTable { table, actions, .. } = shape else {
                continue;
            };
            if ctx.is_created_here(table, op.index)
                || statement.locks.on(table).and_then(|l| l.rewrites) != Some(true)
            {
                continue;
            }
            for action in actions {
                let Action::AddColumn(column) = action else {
                    continue;
                };
                let what = match column.generated {
                    Some(Generated::Identity) => "an identity column",
                    Some(Generated::Stored) => "a stored generated column",
                    None if SERIAL.contains(&column.base_type.as_str()) => {
                        "a serial column (its default is a sequence)"
                    }
                    Some(Generated::Virtual) | None => continue,
                };
                let message = format!(
                    "`ADD COLUMN {}` adds {what}: every existing row gets its own value, so `{table}` and its \
                     indexes are rewritten under an `ACCESS EXCLUSIVE` lock and reads and writes wait until it ends{}",
                    column.name,
                    rewrite::estimate(statement)
                );
                let alternative = alternative(ctx, op, table, column);
                rewrite::report(
                    ctx,
                    &ADD_COLUMN_REWRITES,
                    op,
                    statement,
                    message,
                    alternative,
                );
            }
        }
    }
}

fn alternative(ctx: &Ctx<'_>, op: &OperationAnalysis, table: &str, column: &ColumnDef) -> String {
    let (t, c) = (quote(table), quote(&column.name));
    let model = rewrite::django_op(ctx, op).and_then(|operation| match &operation.kind {
        crate::parse::django::OperationKind::AddField { model_name, .. } => {
            rewrite::model_at(ctx, op.index, model_name)
        }
        _ => None,
    });
    let pk = rewrite::pk_column(model.as_ref());
    let mut out = String::new();
    let steps = if column.generated == Some(Generated::Stored) {
        let expression = generated_expression(&column.text);
        let function = quote(&rewrite::identifier(&format!(
            "{table}_{}_fill",
            column.name
        )));
        let ty = &column.ty;
        if ctx.settings().pg_version >= 18 {
            out.push_str(
                "On PostgreSQL 18, make it a virtual generated column: computed when read, nothing rewritten",
            );
            if rewrite::is_django(ctx) {
                out.push_str(" (Django: `GeneratedField(..., db_persist=False)`)");
            }
            let _ = write!(
                out,
                ":\n{}\n\nOr, on any version, ",
                rewrite::sql_block(&[format!(
                    "ALTER TABLE {t} ADD COLUMN {c} {ty} GENERATED ALWAYS AS ({expression}) VIRTUAL;"
                )])
            );
        } else {
            out.push_str("Before PostgreSQL 18 (virtual generated columns), ");
        }
        out.push_str(
            "add a plain nullable column, keep it computed with a trigger, and backfill existing rows in batches:\n\n",
        );
        vec![
            format!("ALTER TABLE {t} ADD COLUMN {c} {ty} NULL;"),
            format!(
                "CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.{c} := {}; RETURN NEW; END $$;",
                rewrite::qualify_new(&expression)
            ),
            format!(
                "CREATE TRIGGER {function} BEFORE INSERT OR UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION {function}();"
            ),
        ]
        .into_iter()
        .chain(rewrite::backfill_steps(table, &pk, &column.name, &expression))
        .collect::<Vec<_>>()
    } else {
        let sequence = quote(&rewrite::identifier(&format!(
            "{table}_{}_seq",
            column.name
        )));
        out.push_str(
            "Add a nullable `bigint` with a sequence default (new rows get numbers at once) and number existing \
             rows in batches; then NOT NULL through a validated check:\n\n",
        );
        let mut steps = vec![
            format!("CREATE SEQUENCE {sequence} AS bigint;"),
            format!("ALTER TABLE {t} ADD COLUMN {c} bigint NULL;"),
            format!("ALTER SEQUENCE {sequence} OWNED BY {t}.{c};"),
            format!(
                "ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT nextval('{}');",
                sequence.replace('\'', "''")
            ),
        ];
        steps.extend(rewrite::backfill_steps(
            table,
            &pk,
            &column.name,
            &format!("nextval('{}')", sequence.replace('\'', "''")),
        ));
        steps.extend(rewrite::not_null_steps(table, &column.name));
        steps
    };
    if rewrite::is_django(ctx) {
        let plain: Vec<String> = steps
            .iter()
            .take_while(|s| !s.starts_with("--"))
            .cloned()
            .collect();
        out.push_str(&rewrite::django_intro(
            "the database gets the cheap statements, the state gets the field as written",
        ));
        out.push('\n');
        out.push_str(&rewrite::py_block(&rewrite::separate(
            &[rewrite::run_sql(
                &plain,
                &[format!("ALTER TABLE {t} DROP COLUMN {c};")],
            )],
            &[rewrite::op_source(ctx, op)],
        )));
        out.push_str("\n\nthen the batched backfill in an `atomic = False` migration.\n\nSQL:\n");
    }
    out.push_str(&rewrite::sql_block(&steps));
    out
}

/// The expression of `GENERATED ALWAYS AS (expr) STORED` in a column definition.
fn generated_expression(definition: &str) -> String {
    let upper = definition.to_ascii_uppercase();
    let Some(at) = upper.find("GENERATED ALWAYS AS") else {
        return String::new();
    };
    let after = definition
        .get(at + "GENERATED ALWAYS AS".len()..)
        .unwrap_or("");
    let Some(open) = after.find('(') else {
        return String::new();
    };
    let mut depth = 0usize;
    for (i, ch) in after.char_indices().skip_while(|(i, _)| *i < open) {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return after.get(open + 1..i).unwrap_or("").trim().to_owned();
                }
            }
            _ => {}
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use crate::rules::rewrite::testing::{ids, shop_findings, shop_migration, shop_render};

    #[test]
    fn fires_on_stored_generated_field() {
        let migration = shop_migration(
            "",
            "",
            r#"        migrations.AddField(
            model_name="order",
            name="email_lower",
            field=models.GeneratedField(
                expression=models.functions.Lower("email"),
                output_field=models.CharField(max_length=100),
                db_persist=True,
            ),
        ),"#,
        );
        let found = shop_findings(&migration);
        assert_eq!(ids(&found), ["add-column-rewrites"], "{found:#?}");
        insta::assert_snapshot!(shop_render("add-column-rewrites", &migration));
    }

    #[test]
    fn fires_on_identity_and_serial_in_sql_but_not_on_new_tables() {
        for sql in [
            "ALTER TABLE t ADD COLUMN n bigserial;",
            "ALTER TABLE t ADD COLUMN n bigint GENERATED BY DEFAULT AS IDENTITY;",
        ] {
            let found = crate::rules::rewrite::testing::file_findings("db/0001.sql", sql);
            assert_eq!(ids(&found), ["add-column-rewrites"], "{sql}");
        }
        let found = crate::rules::rewrite::testing::file_findings(
            "db/0001.sql",
            "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN n bigserial;",
        );
        assert!(found.is_empty(), "{found:#?}");
    }
}
