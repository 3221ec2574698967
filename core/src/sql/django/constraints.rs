//! Constraints: `constraint_sql`, `create_sql` and `remove_sql` of `UniqueConstraint`,
//! `CheckConstraint` and postgres' `ExclusionConstraint`, and the operations that run them.

use crate::parse::django::Constraint;
use crate::parse::python::{Value, ValueKind};
use crate::sql::StatementKind;
use crate::sql::names::quote;
use crate::state::ModelState;

use super::editor::{Editor, Sql, Unsupported};
use super::expressions::Compiler;
use super::forwards::Ctx;
use super::indexes::{field_columns, include_sql, strings};

/// Keyword arguments every constraint accepts without SQL effect.
const MESSAGE_ARGS: &[&str] = &["name", "violation_error_code", "violation_error_message"];

/// A constraint, decoded as the schema editor reads it.
enum Kind<'c> {
    /// `CheckConstraint(condition=…)` (or the older `check=`).
    Check { condition: &'c Value },
    /// `UniqueConstraint`.
    Unique(Unique<'c>),
    /// postgres' `ExclusionConstraint`.
    Exclusion(Exclusion<'c>),
}

/// A `UniqueConstraint`'s arguments.
struct Unique<'c> {
    fields: Vec<String>,
    expressions: &'c [Value],
    condition: Option<&'c Value>,
    deferrable: &'static str,
    include: Vec<String>,
    opclasses: Vec<String>,
    nulls_distinct: Option<bool>,
}

impl Unique<'_> {
    /// Whether Django creates it as a unique index (`_unique_sql` / `_delete_unique_sql`):
    /// a condition, covering columns, opclasses or expressions.
    fn is_index(&self) -> bool {
        self.condition.is_some()
            || !self.include.is_empty()
            || !self.opclasses.is_empty()
            || !self.expressions.is_empty()
    }
}

/// An `ExclusionConstraint`'s arguments.
struct Exclusion<'c> {
    expressions: Vec<(&'c Value, String)>,
    index_type: String,
    condition: Option<&'c Value>,
    deferrable: &'static str,
    include: Vec<String>,
}

/// The constraint's name, which every constraint requires.
fn name(constraint: &Constraint) -> Sql<&str> {
    constraint
        .name
        .as_deref()
        .ok_or_else(|| Unsupported::at("a constraint without a literal name", constraint.span))
}

/// `constraint.<arg>` unless absent or `None`.
fn given<'c>(constraint: &'c Constraint, arg: &str) -> Option<&'c Value> {
    constraint
        .arg(arg)
        .filter(|v| !matches!(v.kind, ValueKind::None))
}

/// `_deferrable_constraint_sql(deferrable)`.
fn deferrable(constraint: &Constraint) -> Sql<&'static str> {
    let Some(value) = given(constraint, "deferrable") else {
        return Ok("");
    };
    match &value.kind {
        ValueKind::Ref(path) if path.ends_with("Deferrable.DEFERRED") => {
            Ok(" DEFERRABLE INITIALLY DEFERRED")
        }
        ValueKind::Ref(path) if path.ends_with("Deferrable.IMMEDIATE") => {
            Ok(" DEFERRABLE INITIALLY IMMEDIATE")
        }
        _ => Err(Unsupported::at("this `deferrable=`", value.span)),
    }
}

/// Reads `constraint` as one of the classes Lockstep models; any other argument is
/// [`Unsupported`].
fn decode(constraint: &Constraint) -> Sql<Kind<'_>> {
    let allowed: &[&str] = match constraint.class.as_str() {
        "CheckConstraint" => &["condition", "check"],
        "UniqueConstraint" => &[
            "fields",
            "condition",
            "deferrable",
            "include",
            "opclasses",
            "nulls_distinct",
        ],
        "ExclusionConstraint" => &[
            "expressions",
            "index_type",
            "condition",
            "deferrable",
            "include",
        ],
        other => {
            return Err(Unsupported::at(
                format!("the constraint class `{other}`"),
                constraint.span,
            ));
        }
    };
    if let Some((key, value)) = constraint
        .args
        .iter()
        .find(|(k, _)| !allowed.contains(&k.as_str()) && !MESSAGE_ARGS.contains(&k.as_str()))
    {
        return Err(Unsupported::at(
            format!("the constraint option `{key}=`"),
            value.span,
        ));
    }
    if constraint.class != "UniqueConstraint"
        && let Some(value) = constraint.expressions.first()
    {
        return Err(Unsupported::at(
            "a positional constraint argument",
            value.span,
        ));
    }
    Ok(match constraint.class.as_str() {
        "CheckConstraint" => Kind::Check {
            condition: given(constraint, "condition")
                .or_else(|| given(constraint, "check"))
                .ok_or_else(|| Unsupported::at("a check without a condition", constraint.span))?,
        },
        "UniqueConstraint" => {
            let fields = strings(constraint.arg("fields"), "fields")?;
            if let Some(field) = fields.iter().find(|f| f.starts_with('-')) {
                return Err(Unsupported::at(
                    format!("the unique field `{field}`"),
                    constraint.span,
                ));
            }
            let nulls_distinct = match given(constraint, "nulls_distinct") {
                None => None,
                Some(value) => Some(value.as_bool().ok_or_else(|| {
                    Unsupported::at("a non-literal `nulls_distinct=`", value.span)
                })?),
            };
            Kind::Unique(Unique {
                fields,
                expressions: &constraint.expressions,
                condition: given(constraint, "condition"),
                deferrable: deferrable(constraint)?,
                include: strings(constraint.arg("include"), "include")?,
                opclasses: strings(constraint.arg("opclasses"), "opclasses")?,
                nulls_distinct,
            })
        }
        _ => Kind::Exclusion(exclusion(constraint)?),
    })
}

/// An `ExclusionConstraint`'s arguments.
fn exclusion(constraint: &Constraint) -> Sql<Exclusion<'_>> {
    let written = given(constraint, "expressions")
        .and_then(Value::as_sequence)
        .ok_or_else(|| Unsupported::at("these exclusion expressions", constraint.span))?;
    let mut expressions = Vec::with_capacity(written.len());
    for pair in written {
        match pair.as_sequence() {
            Some([expression, operator]) => {
                let operator = operator.as_str().ok_or_else(|| {
                    Unsupported::at("a non-literal exclusion operator", operator.span)
                })?;
                expressions.push((expression, operator.to_owned()));
            }
            _ => return Err(Unsupported::at("this exclusion expression", pair.span)),
        }
    }
    let index_type = match given(constraint, "index_type") {
        None => "GIST".to_owned(),
        Some(value) => value
            .as_str()
            .filter(|t| matches!(t.to_lowercase().as_str(), "gist" | "spgist"))
            .ok_or_else(|| Unsupported::at("this `index_type=`", value.span))?
            .to_owned(),
    };
    Ok(Exclusion {
        expressions,
        index_type,
        condition: given(constraint, "condition"),
        deferrable: deferrable(constraint)?,
        include: strings(constraint.arg("include"), "include")?,
    })
}

/// The column list of a unique constraint: its fields (with opclasses) or its expressions.
fn unique_columns(model: &ModelState, unique: &Unique<'_>, at: &Value) -> Sql<String> {
    if unique.expressions.is_empty() {
        Ok(field_columns(Some(model), &unique.fields, &unique.opclasses, at)?.0)
    } else {
        let compiler = Compiler { model };
        let sqls = unique
            .expressions
            .iter()
            .map(|e| compiler.index_expression(e))
            .collect::<Sql<Vec<_>>>()?;
        Ok(sqls.join(", "))
    }
}

/// `" NULLS NOT DISTINCT"` / `" NULLS DISTINCT"` / empty.
fn nulls_distinct_sql(nulls_distinct: Option<bool>) -> &'static str {
    match nulls_distinct {
        Some(false) => " NULLS NOT DISTINCT",
        Some(true) => " NULLS DISTINCT",
        None => "",
    }
}

/// `ExclusionConstraint.constraint_sql`: `CONSTRAINT "name" EXCLUDE USING … (…)…`.
fn exclusion_sql(
    model: &ModelState,
    name: &str,
    exclusion: &Exclusion<'_>,
    at: &Value,
) -> Sql<String> {
    let compiler = Compiler { model };
    let expressions = exclusion
        .expressions
        .iter()
        .map(|(e, op)| {
            compiler
                .index_expression(e)
                .map(|sql| format!("{sql} WITH {op}"))
        })
        .collect::<Sql<Vec<_>>>()?;
    let condition = match exclusion.condition {
        Some(q) => format!(" WHERE ({})", compiler.condition(q)?),
        None => String::new(),
    };
    Ok(format!(
        "CONSTRAINT {} EXCLUDE USING {} ({}){}{}{}",
        quote(name),
        exclusion.index_type,
        expressions.join(", "),
        include_sql(model, &exclusion.include, at)?,
        condition,
        exclusion.deferrable,
    ))
}

/// Django's `constraint.constraint_sql(model, schema_editor)`: the clause inside
/// `CREATE TABLE`. `None` when Django creates the constraint separately instead (a unique
/// constraint with a condition, `include`, opclasses, expressions or `nulls_distinct`):
/// it then defers [`create_sql`]'s statement.
pub(super) fn constraint_sql(model: &ModelState, constraint: &Constraint) -> Sql<Option<String>> {
    let name = name(constraint)?;
    let at = anchor(constraint);
    Ok(match decode(constraint)? {
        Kind::Check { condition } => Some(format!(
            "CONSTRAINT {} CHECK ({})",
            quote(name),
            Compiler { model }.condition(condition)?
        )),
        Kind::Unique(unique) => {
            if unique.is_index() || unique.nulls_distinct.is_some() {
                // Compiled now all the same, so that what Lockstep cannot render is
                // reported rather than silently deferred.
                create_sql(model, constraint)?;
                None
            } else {
                Some(format!(
                    "CONSTRAINT {} UNIQUE ({}){}",
                    quote(name),
                    unique_columns(model, &unique, &at)?,
                    unique.deferrable
                ))
            }
        }
        Kind::Exclusion(exclusion) => Some(exclusion_sql(model, name, &exclusion, &at)?),
    })
}

/// Django's `constraint.create_sql(model, schema_editor)`: the statement `add_constraint`
/// runs (with its `;`).
pub(super) fn create_sql(
    model: &ModelState,
    constraint: &Constraint,
) -> Sql<(String, StatementKind)> {
    let name = name(constraint)?;
    let at = anchor(constraint);
    let table = model.db_table();
    let alter = |table: String| StatementKind::AlterTable { table };
    Ok(match decode(constraint)? {
        Kind::Check { condition } => (
            format!(
                "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({});",
                quote(&table),
                quote(name),
                Compiler { model }.condition(condition)?
            ),
            alter(table),
        ),
        Kind::Unique(unique) if unique.is_index() => {
            let condition = match unique.condition {
                Some(q) => format!(" WHERE {}", Compiler { model }.condition(q)?),
                None => String::new(),
            };
            (
                format!(
                    "CREATE UNIQUE INDEX {} ON {} ({}){}{}{};",
                    quote(name),
                    quote(&table),
                    unique_columns(model, &unique, &at)?,
                    include_sql(model, &unique.include, &at)?,
                    nulls_distinct_sql(unique.nulls_distinct),
                    condition
                ),
                StatementKind::CreateIndex {
                    name: Some(name.to_owned()),
                    table,
                    unique: true,
                    concurrently: false,
                },
            )
        }
        Kind::Unique(unique) => (
            format!(
                "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE{} ({}){};",
                quote(&table),
                quote(name),
                nulls_distinct_sql(unique.nulls_distinct),
                unique_columns(model, &unique, &at)?,
                unique.deferrable
            ),
            alter(table),
        ),
        Kind::Exclusion(exclusion) => (
            format!(
                "ALTER TABLE {} ADD {};",
                quote(&table),
                exclusion_sql(model, name, &exclusion, &at)?
            ),
            alter(table),
        ),
    })
}

/// A value standing for the constraint as a whole, for diagnostics.
fn anchor(constraint: &Constraint) -> Value {
    Value {
        kind: ValueKind::None,
        span: constraint.span,
    }
}

/// `AddConstraint` / `AddConstraintNotValid.database_forwards`.
pub(super) fn add_constraint(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    model_name: &str,
    constraint: &Constraint,
    not_valid: bool,
) -> Sql {
    // `AddConstraint` reads the model of the state after the operation, `AddConstraintNotValid`
    // the one before; they differ only in the constraint itself.
    let model = ctx.model(if not_valid { ctx.before } else { ctx.after }, model_name)?;
    if not_valid && constraint.class != "CheckConstraint" {
        return Err(Unsupported::at(
            "`AddConstraintNotValid` of a constraint other than a check",
            constraint.span,
        ));
    }
    let (sql, kind) = create_sql(model, constraint)?;
    let sql = if not_valid {
        format!("{} NOT VALID;", sql.trim_end_matches(';'))
    } else {
        sql
    };
    editor.execute(sql, kind);
    Ok(())
}

/// `RemoveConstraint.database_forwards`: the constraint as the state before knows it; a
/// unique constraint Django made as an index is dropped as one.
pub(super) fn remove_constraint(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    model_name: &str,
    name: &str,
) -> Sql {
    let model = ctx.model(ctx.before, model_name)?;
    let constraint = model
        .options
        .constraints
        .iter()
        .find(|c| c.name.as_deref() == Some(name))
        .ok_or_else(|| {
            Unsupported::new(format!(
                "the constraint `{name}`, which the state of `{model_name}` does not have"
            ))
        })?;
    let table = model.db_table();
    match decode(constraint)? {
        Kind::Unique(unique) if unique.is_index() => editor.execute(
            format!("DROP INDEX IF EXISTS {};", quote(name)),
            StatementKind::DropIndex {
                names: vec![name.to_owned()],
                concurrently: false,
            },
        ),
        _ => editor.execute(
            format!(
                "ALTER TABLE {} DROP CONSTRAINT {};",
                quote(&table),
                quote(name)
            ),
            StatementKind::AlterTable { table },
        ),
    }
    Ok(())
}

/// `ValidateConstraint.database_forwards`.
pub(super) fn validate_constraint(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    model_name: &str,
    name: &str,
) -> Sql {
    let table = ctx.model(ctx.before, model_name)?.db_table();
    editor.execute(
        format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {};",
            quote(&table),
            quote(name)
        ),
        StatementKind::AlterTable { table },
    );
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::parse::django::{OperationKind, parse};
    use crate::span::FileId;
    use crate::state::ProjectState;

    /// A model `T` of app `catalog`, with the fields of the Django probe the expected values
    /// were computed on (Django 5.2, PostgreSQL).
    const MODEL: &str = r"
from django.db import migrations, models
import django.contrib.postgres.fields.ranges
import django.contrib.postgres.constraints
import django.db.models.functions.text


class Migration(migrations.Migration):
    operations = [
        migrations.CreateModel(
            name='T',
            fields=[
                ('id', models.BigAutoField(primary_key=True)),
                ('name', models.CharField(max_length=10)),
                ('nick', models.CharField(max_length=10, null=True)),
                ('body', models.TextField()),
                ('n', models.IntegerField()),
                ('f', models.FloatField()),
                ('d', models.DecimalField(max_digits=5, decimal_places=2)),
                ('ok', models.BooleanField()),
                ('day', models.DateField()),
                ('u', models.UUIDField()),
                ('r', django.contrib.postgres.fields.ranges.IntegerRangeField()),
            ],
        ),
";

    /// Model `T` after `CreateModel`, and the operations `operations` (Python source,
    /// one per line) parsed, not applied.
    pub(in crate::sql::django) fn model_and(
        operations: &[String],
    ) -> (ModelState, Vec<OperationKind>) {
        let body = operations.join(",\n        ");
        let text = format!("{MODEL}        {body}\n    ]\n");
        let migration = parse(FileId(0), "catalog", "0001_initial", &text)
            .value
            .unwrap();
        let mut operations = migration.operations.into_iter();
        let mut state = ProjectState::default();
        state.apply("catalog", &operations.next().unwrap());
        let model = match state.model("catalog", "t") {
            crate::state::Lookup::Known(model) => model.clone(),
            _ => panic!("model T not in the state"),
        };
        (model, operations.map(|o| o.kind).collect())
    }

    /// The constraints of `AddConstraint(model_name='t', constraint=…)` for each of
    /// `constraints`, with the model state they apply to.
    fn decoded(constraints: &[&str]) -> (ModelState, Vec<Constraint>) {
        let operations: Vec<String> = constraints
            .iter()
            .map(|c| format!("migrations.AddConstraint(model_name='t', constraint={c})"))
            .collect();
        let (model, kinds) = model_and(&operations);
        let found = kinds
            .into_iter()
            .filter_map(|kind| match kind {
                OperationKind::AddConstraint { constraint, .. } => Some(constraint),
                _ => None,
            })
            .collect();
        (model, found)
    }

    fn check(q: &str) -> String {
        let (model, constraints) =
            decoded(&[&format!("models.CheckConstraint(condition={q}, name='c')")]);
        match create_sql(&model, &constraints[0]) {
            Ok((sql, _)) => sql
                .strip_prefix("ALTER TABLE \"catalog_t\" ADD CONSTRAINT \"c\" CHECK ")
                .unwrap()
                .trim_end_matches(';')
                .to_owned(),
            Err(e) => format!("unsupported: {}", e.what),
        }
    }

    #[test]
    fn lookups_render_like_django() {
        let cases = [
            (
                "models.Q(('name__startswith', 'a_b%'))",
                r#"("name"::text LIKE  E'a\\_b\\%%')"#,
            ),
            (
                "models.Q(('name__icontains', 'x'))",
                r#"(UPPER("name"::text) LIKE UPPER('%x%'))"#,
            ),
            (
                "models.Q(('name__iexact', 'x'))",
                r#"(UPPER("name"::text) = UPPER('x'))"#,
            ),
            ("models.Q(('n__in', [3, 1, 3, None]))", r#"("n" IN (3, 1))"#),
            ("models.Q(('n__range', (1, 5)))", r#"("n" BETWEEN 1 AND 5)"#),
            ("models.Q(('f__gt', 0))", r#"("f" > 0.0)"#),
            ("models.Q(('f__gt', 1.5))", r#"("f" > 1.5)"#),
            ("models.Q(('d__gt', '1.50'))", r#"("d" > 1.50)"#),
            ("models.Q(('d__gt', -1))", r#"("d" >  -1)"#),
            ("models.Q(('name', models.Value('x')))", r#"("name" = 'x')"#),
            (
                "models.Q(('name', django.db.models.functions.text.Lower('nick')))",
                r#"("name" = (LOWER("nick")))"#,
            ),
            (
                "models.Q(('nick', 'a'), _negated=True)",
                r#"(NOT ("nick" = 'a' AND "nick" IS NOT NULL))"#,
            ),
            (
                "models.Q(('name', models.F('nick')), _negated=True)",
                r#"(NOT ("name" = ("nick") AND "nick" IS NOT NULL))"#,
            ),
            (
                "models.Q(('nick__isnull', True), _negated=True)",
                r#"(NOT ("nick" IS NULL))"#,
            ),
            (
                "models.Q(models.Q(('nick', 'a'), _negated=True), ('n', 1), _connector='OR')",
                r#"((NOT ("nick" = 'a' AND "nick" IS NOT NULL) OR "n" = 1))"#,
            ),
            (
                "models.Q(('u', '12345678-1234-5678-1234-567812345678'))",
                r#"("u" = '12345678123456781234567812345678'::uuid)"#,
            ),
            ("models.Q(('r__startswith__gt', 3))", r#"(lower("r") > 3)"#),
            ("models.Q(('r__endswith', 3))", r#"(upper("r") = 3)"#),
            ("models.Q(('ok', False))", r#"(NOT "ok")"#),
            ("models.Q(('ok', True), _negated=True)", r#"(NOT ("ok"))"#),
            ("models.Q(('n', None))", r#"("n" IS NULL)"#),
            (
                "models.Q(('nick__regex', '^a'))",
                r#"("nick"::text ~ '^a')"#,
            ),
            (
                "models.Q(('name__endswith', \"it's\"))",
                r#"("name"::text LIKE '%it''s')"#,
            ),
            (
                "models.Q(models.Q(('n', 1), ('n', 2), _connector='OR'), ok=True)",
                r#"((("n" = 1 OR "n" = 2) AND "ok"))"#,
            ),
            (
                "models.Q(('day__gte', '2000-01-01'))",
                r#"("day" >= '2000-01-01'::date)"#,
            ),
        ];
        for (q, expected) in cases {
            assert_eq!(check(q), expected, "{q}");
        }
    }

    #[test]
    fn what_is_not_modelled_is_unsupported() {
        for q in [
            "models.Q(('day__year', 2000))",
            "models.Q(('n', 1), ('ok', True), _connector='XOR')",
            "models.Q(('d__gt', 1.5))",
            "models.Q(('name', 5))",
            "models.Q(('n__in', []))",
            "models.Q(('day', '2001-02-29'))",
        ] {
            assert!(check(q).starts_with("unsupported"), "{q}: {}", check(q));
        }
    }

    #[test]
    fn constraints_render_like_django() {
        let (model, constraints) = decoded(&[
            "models.UniqueConstraint(fields=['name'], include=['n'], nulls_distinct=True, condition=models.Q(ok=True), name='u1')",
            "models.UniqueConstraint(fields=['name', 'n'], name='u2')",
            "models.UniqueConstraint(fields=['name', 'n'], name='u3', nulls_distinct=False)",
            "django.contrib.postgres.constraints.ExclusionConstraint(name='x', expressions=[(models.F('r'), '&&'), ('n', '=')], index_type='spgist')",
            "models.CheckConstraint(condition=models.Q(n__gt=0) | models.Q(ok=False), name='c')",
            "models.CheckConstraint(check=models.Q(('n__gt', 0), ('ok', False), _connector='OR'), name='c')",
        ]);
        let create = |i: usize| create_sql(&model, &constraints[i]).map(|(sql, _)| sql);
        let inline = |i: usize| constraint_sql(&model, &constraints[i]);
        assert_eq!(
            create(0).unwrap(),
            r#"CREATE UNIQUE INDEX "u1" ON "catalog_t" ("name") INCLUDE ("n") NULLS DISTINCT WHERE "ok";"#
        );
        assert_eq!(inline(0).unwrap(), None);
        assert_eq!(
            inline(1).unwrap().as_deref(),
            Some(r#"CONSTRAINT "u2" UNIQUE ("name", "n")"#)
        );
        assert_eq!(inline(2).unwrap(), None);
        assert_eq!(
            create(2).unwrap(),
            r#"ALTER TABLE "catalog_t" ADD CONSTRAINT "u3" UNIQUE NULLS NOT DISTINCT ("name", "n");"#
        );
        assert_eq!(
            create(3).unwrap(),
            r#"ALTER TABLE "catalog_t" ADD CONSTRAINT "x" EXCLUDE USING spgist ("r" WITH &&, "n" WITH =);"#
        );
        // `Q | Q` is an operator expression, which Lockstep does not evaluate.
        assert!(inline(4).is_err());
        assert_eq!(
            inline(5).unwrap().as_deref(),
            Some(r#"CONSTRAINT "c" CHECK (("n" > 0 OR NOT "ok"))"#)
        );
    }
}
