//! Relations: the column of a `ForeignKey` / `OneToOneField` (`db_parameters`, its
//! `FOREIGN KEY` constraint created deferred, inline or dropped) and the join table Django
//! creates for a `ManyToManyField` (`create_many_to_many_intermediary_model`).
//!
//! In: a relation field and the project state its target is looked up in. Out: the SQL
//! Django's PostgreSQL schema editor writes for it, or [`Unsupported`] when the target or
//! the name of an existing constraint is not known exactly.

use crate::parse::django::{Field, ModelOptions, ModelRef, Relation};
use crate::sql::StatementKind;
use crate::sql::names::{self, quote};
use crate::state::{ModelState, ProjectState};

use super::columns::{self, DbParams, column_name};
use super::editor::{Editor, Sql, Unsupported};

/// Keyword arguments of relation fields that change no column (what they do is Python-side,
/// or modelled here: `to_field`, `db_constraint`, `db_table`).
const RELATION_ARGS: &[&str] = &[
    "to",
    "on_delete",
    "related_name",
    "related_query_name",
    "limit_choices_to",
    "to_field",
    "db_constraint",
    "parent_link",
    "swappable",
    "symmetrical",
    "through",
    "through_fields",
    "db_table",
];

/// Arguments of a target field that do not change the type of a column pointing at it.
const TYPE_NEUTRAL_ARGS: &[&str] = &["default", "db_default", "db_comment", "db_index"];

/// How deep a chain of foreign keys used as primary keys may go before Lockstep gives up
/// (Django would recurse as far as the chain goes; real schemas stop after one or two).
const MAX_CHAIN: usize = 8;

/// What a foreign key points at: the target model, field and their database names.
pub(super) struct Target<'s> {
    /// The target field (`to_field`, or the primary key).
    pub(super) field: &'s Field,
    /// The target table.
    pub(super) table: String,
    /// The target column.
    pub(super) column: String,
}

/// The relation of `field`, which must be resolved.
fn relation(field: &Field) -> Sql<&Relation> {
    field
        .relation
        .as_ref()
        .ok_or_else(|| Unsupported::at("a relation whose model Lockstep cannot read", field.span))
}

/// `field.target_field`: what the foreign key `field` points at, in `state`.
pub(super) fn target<'s>(field: &Field, state: &'s ProjectState) -> Sql<Target<'s>> {
    let relation = relation(field)?;
    let to = &relation.to;
    let model = state.get(to).ok_or_else(|| {
        Unsupported::at(
            format!(
                "the related model `{}.{}`, which is not in the supplied files",
                to.app_label, to.model
            ),
            field.span,
        )
    })?;
    let (name, target) = match &relation.to_field {
        Some(name) => model
            .fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(n, f)| (n.as_str(), f)),
        None => model.primary_key(),
    }
    .ok_or_else(|| {
        Unsupported::at(
            format!("the target field of `{}.{}`", to.app_label, to.model),
            field.span,
        )
    })?;
    Ok(Target {
        table: model.db_table(),
        column: column_name(name, target),
        field: target,
    })
}

/// `ForeignKey.db_parameters()`: the target's `rel_db_type` (an auto field's plain integer
/// type), no check, no identity, and the target's other parameters.
pub(super) fn db_params(field: &Field, state: &ProjectState) -> Sql<DbParams> {
    db_params_at(field, state, 0)
}

fn db_params_at(field: &Field, state: &ProjectState, depth: usize) -> Sql<DbParams> {
    if field.is_many_to_many() {
        return Err(Unsupported::at(
            "a many-to-many field (it has no column)",
            field.span,
        ));
    }
    check_relation_modelled(field)?;
    if depth > MAX_CHAIN {
        return Err(Unsupported::at("a long chain of foreign keys", field.span));
    }
    let target = target(field, state)?;
    // Only the target's type matters here, so the options that do not shape it are set
    // aside; what remains is checked as for the target's own column.
    let mut typed = target.field.clone();
    typed
        .args
        .retain(|(k, _)| !TYPE_NEUTRAL_ARGS.contains(&k.as_str()));
    typed.default = None;
    let mut params = if typed.is_foreign_key() {
        db_params_at(&typed, state, depth + 1)
    } else {
        columns::db_params(&typed, state)
    }
    .map_err(|e| {
        Unsupported::at(
            format!("the field it points at, with {}", e.what),
            field.span,
        )
    })?;
    params.db_type = rel_db_type(target.field, &params.db_type).to_owned();
    params.check = None;
    params.suffix = None;
    Ok(params)
}

/// `Field.rel_db_type`: what a column pointing at `field` (whose own type is `db_type`)
/// is. Auto fields point with their plain type; PostgreSQL's `related_fields_match_type`
/// is false, so the positive integers point with the unchecked type.
fn rel_db_type<'t>(field: &Field, db_type: &'t str) -> &'t str {
    match field.class.as_str() {
        "AutoField" | "PositiveIntegerField" => "integer",
        "BigAutoField" | "PositiveBigIntegerField" => "bigint",
        "SmallAutoField" | "PositiveSmallIntegerField" => "smallint",
        _ => db_type,
    }
}

/// The relation field's arguments, as `columns::check_modelled` sees them once the
/// relation's own are set aside.
fn check_relation_modelled(field: &Field) -> Sql {
    let mut plain = field.clone();
    plain
        .args
        .retain(|(k, _)| !RELATION_ARGS.contains(&k.as_str()));
    // `to` may be given positionally; the other positional arguments are not modelled.
    if field.arg("to").is_none() && !plain.positional.is_empty() {
        plain.positional.remove(0);
    }
    plain.relation = None;
    columns::check_modelled(&plain)
}

/// `_fk_constraint_name(model, field, "_fk_%(to_table)s_%(to_column)s")`, unquoted.
pub(super) fn fk_name(table: &str, column: &str, to_table: &str, to_column: &str) -> String {
    names::index_name(table, &[column], &format!("_fk_{to_table}_{to_column}"))
}

/// The `FOREIGN KEY` constraint of `field` (column `column` of `table`), if Django makes
/// one: its name, target and what it names (for `deferred_sql`).
struct Fk {
    name: String,
    to_table: String,
    to_column: String,
}

fn fk(table: &str, column: &str, field: &Field, state: &ProjectState) -> Sql<Option<Fk>> {
    if !relation(field)?.db_constraint {
        return Ok(None);
    }
    let target = target(field, state)?;
    Ok(Some(Fk {
        name: fk_name(table, column, &target.table, &target.column),
        to_table: target.table,
        to_column: target.column,
    }))
}

/// The `(table, column)` pairs a statement names (Django's `references_column`).
pub(super) type References = Vec<(String, Option<String>)>;

/// `_create_fk_sql`: `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY … DEFERRABLE INITIALLY
/// DEFERRED;`, with the table/column pairs it names.
pub(super) fn create_fk_sql(
    table: &str,
    column: &str,
    field: &Field,
    state: &ProjectState,
) -> Sql<Option<(String, References)>> {
    let Some(fk) = fk(table, column, field, state)? else {
        return Ok(None);
    };
    let sql = format!(
        "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) DEFERRABLE INITIALLY DEFERRED;",
        quote(table),
        quote(&fk.name),
        quote(column),
        quote(&fk.to_table),
        quote(&fk.to_column),
    );
    let references = vec![
        (table.to_owned(), Some(column.to_owned())),
        (fk.to_table, Some(fk.to_column)),
    ];
    Ok(Some((sql, references)))
}

/// `table_sql`'s foreign key: deferred to the end of the migration.
pub(super) fn defer_fk(
    editor: &mut Editor,
    table: &str,
    column: &str,
    field: &Field,
    state: &ProjectState,
) -> Sql {
    if let Some((sql, references)) = create_fk_sql(table, column, field, state)? {
        editor.defer(
            sql,
            StatementKind::AlterTable {
                table: table.to_owned(),
            },
            references,
        );
    }
    Ok(())
}

/// PostgreSQL's `sql_create_column_inline_fk`, appended to `add_field`'s column definition:
/// ` CONSTRAINT … REFERENCES …(…) DEFERRABLE INITIALLY DEFERRED; SET CONSTRAINTS … IMMEDIATE`.
pub(super) fn inline_fk_sql(
    table: &str,
    column: &str,
    field: &Field,
    state: &ProjectState,
) -> Sql<Option<String>> {
    let Some(fk) = fk(table, column, field, state)? else {
        return Ok(None);
    };
    let name = quote(&fk.name);
    Ok(Some(format!(
        " CONSTRAINT {name} REFERENCES {}({}) DEFERRABLE INITIALLY DEFERRED; SET CONSTRAINTS {name} IMMEDIATE",
        quote(&fk.to_table),
        quote(&fk.to_column),
    )))
}

/// PostgreSQL's `sql_delete_fk` for the foreign key of field `name` of `model` as `state`
/// knows it (see [`existing_fk`]): `SET CONSTRAINTS … IMMEDIATE; ALTER TABLE … DROP
/// CONSTRAINT …;`.
pub(super) fn drop_fk(
    editor: &mut Editor,
    model: &ModelState,
    name: &str,
    field: &Field,
    state: &ProjectState,
) -> Sql {
    if let Some(constraint) = existing_fk(editor, model, name, field, state)? {
        execute_drop_fk(editor, &model.db_table(), &constraint);
    }
    Ok(())
}

/// What `_field_should_be_altered` sees of a relation in `deconstruct()`: the target model,
/// `to_field` unless it names the target's primary key, and `db_constraint`.
pub(super) type RelationKey = (ModelRef, Option<String>, bool);

/// The [`RelationKey`] of `field` in `state`; `None` for a plain field.
pub(super) fn relation_key(field: &Field, state: &ProjectState) -> Option<RelationKey> {
    let relation = field.relation.as_ref()?;
    let pk = state
        .get(&relation.to)
        .and_then(ModelState::primary_key)
        .map(|(name, _)| name);
    let to_field = relation
        .to_field
        .clone()
        .filter(|name| Some(name.as_str()) != pk);
    Some((relation.to.clone(), to_field, relation.db_constraint))
}

/// `_constraint_names(model, [field.column], foreign_key=True)` before the operation: the
/// `FOREIGN KEY` constraint of field `name` of `model` that the database `sqlmigrate`
/// introspects holds (`None` without `db_constraint`). Django finds it by introspection;
/// Lockstep predicts its name, and refuses when a rename since it was made, or an earlier
/// operation of this migration on the column, leaves the name unknown.
pub(super) fn existing_fk(
    editor: &Editor,
    model: &ModelState,
    name: &str,
    field: &Field,
    state: &ProjectState,
) -> Sql<Option<String>> {
    let table = model.db_table();
    let column = column_name(name, field);
    let Some(fk) = fk(&table, &column, field, state)? else {
        return Ok(None);
    };
    let key = ModelRef {
        app_label: model.app_label.clone(),
        model: model.name.to_lowercase(),
    };
    if state.fk_name_stale(&key, name) {
        return Err(Unsupported::at(
            "a foreign key named after a table or column renamed since (Django finds its name in the database)",
            field.span,
        ));
    }
    if editor.shaped(&table, &column) {
        return Err(Unsupported::at(
            "the foreign key of a column this migration changed before (`sqlmigrate` looks it up in the database as it was)",
            field.span,
        ));
    }
    Ok(Some(fk.name))
}

/// PostgreSQL's `sql_delete_fk`: `SET CONSTRAINTS … IMMEDIATE; ALTER TABLE … DROP
/// CONSTRAINT …;`, run now.
pub(super) fn execute_drop_fk(editor: &mut Editor, table: &str, name: &str) {
    let constraint = quote(name);
    editor.execute(
        format!(
            "SET CONSTRAINTS {constraint} IMMEDIATE; ALTER TABLE {} DROP CONSTRAINT {constraint};",
            quote(table)
        ),
        StatementKind::AlterTable {
            table: table.to_owned(),
        },
    );
}

/// `self.execute(self._create_fk_sql(model, field, suffix))`: the constraint named with
/// `suffix` (`_fk_%(to_table)s_%(to_column)s` spelled out, or `_alter_field`'s plain `_fk`
/// for the foreign keys it rebuilds), run now.
pub(super) fn execute_create_fk(
    editor: &mut Editor,
    table: &str,
    column: &str,
    field: &Field,
    state: &ProjectState,
    plain_suffix: bool,
) -> Sql {
    if !relation(field)?.db_constraint {
        return Ok(());
    }
    let target = target(field, state)?;
    let name = if plain_suffix {
        names::index_name(table, &[column], "_fk")
    } else {
        fk_name(table, column, &target.table, &target.column)
    };
    editor.execute(
        format!(
            "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) DEFERRABLE INITIALLY DEFERRED;",
            quote(table),
            quote(&name),
            quote(column),
            quote(&target.table),
            quote(&target.column),
        ),
        StatementKind::AlterTable {
            table: table.to_owned(),
        },
    );
    Ok(())
}

/// A foreign key pointing at a field being altered (one of `_related_non_m2m_objects`).
pub(super) struct Incoming {
    /// The model holding it (a join table's model for a many-to-many field).
    pub(super) model: ModelState,
    /// Its field name.
    pub(super) name: String,
    /// The foreign key.
    pub(super) field: Field,
    /// For a join table, the many-to-many field (model, name) it belongs to, whose
    /// staleness marks cover the join table's names.
    pub(super) join_of: Option<(ModelRef, String)>,
}

/// `_related_non_m2m_objects(field, field)`: the foreign keys pointing at field `name` of
/// `model` (its primary key without `to_field`, or `to_field=name`), including the hidden
/// ones of join tables, in Django's order (by related query name), each followed by those
/// pointing at it in turn.
pub(super) fn incoming(
    state: &ProjectState,
    model: &ModelState,
    name: &str,
    field: &Field,
) -> Sql<Vec<Incoming>> {
    let mut found = Vec::new();
    incoming_at(state, model, name, field, 0, &mut found)?;
    Ok(found)
}

/// [`incoming`] at `depth` links from the field first altered.
fn incoming_at(
    state: &ProjectState,
    model: &ModelState,
    name: &str,
    field: &Field,
    depth: usize,
    found: &mut Vec<Incoming>,
) -> Sql {
    if depth > MAX_CHAIN {
        return Err(Unsupported::at("a long chain of foreign keys", field.span));
    }
    let target = ModelRef {
        app_label: model.app_label.clone(),
        model: model.name.to_lowercase(),
    };
    let relevant = |f: &Field| {
        !f.is_many_to_many()
            && f.relation.as_ref().is_some_and(|r| {
                r.to == target
                    && match &r.to_field {
                        None => field.primary_key,
                        Some(to_field) => to_field == name,
                    }
            })
    };
    // (related query name, whether it fell back to the model name, the foreign key).
    let mut related: Vec<(String, bool, Incoming)> = Vec::new();
    for other in state.models() {
        let other_key = ModelRef {
            app_label: other.app_label.clone(),
            model: other.name.to_lowercase(),
        };
        for (other_name, other_field) in &other.fields {
            if other_field.is_many_to_many() {
                // The auto-created join table's foreign keys, named `<Model>_<field>+`.
                let Some(through) = through_model(other, other_name, other_field, state)? else {
                    continue;
                };
                for (join_name, join_field) in &through.fields {
                    if relevant(join_field) {
                        related.push((
                            format!("{}_{other_name}+", other.name),
                            false,
                            Incoming {
                                model: through.clone(),
                                name: join_name.clone(),
                                field: join_field.clone(),
                                join_of: Some((other_key.clone(), other_name.clone())),
                            },
                        ));
                    }
                }
            } else if relevant(other_field) {
                let written = |k: &str| other_field.arg(k).map(|v| v.as_str().map(str::to_owned));
                let (rel_name, fallback) =
                    match written("related_query_name").or_else(|| written("related_name")) {
                        Some(Some(n)) if !n.contains('%') => (n, false),
                        Some(_) => {
                            return Err(Unsupported::at(
                                "a computed or templated `related_name=`",
                                other_field.span,
                            ));
                        }
                        None => (other.name.to_lowercase(), true),
                    };
                related.push((
                    rel_name,
                    fallback,
                    Incoming {
                        model: other.clone(),
                        name: other_name.clone(),
                        field: other_field.clone(),
                        join_of: None,
                    },
                ));
            }
        }
    }
    if related.len() > 1 {
        // `Meta.default_related_name` (not kept in the state) would rename the fallback.
        if let Some((_, _, rel)) = related.iter().find(|(_, fallback, _)| *fallback) {
            return Err(Unsupported::at(
                "the order of several foreign keys pointing at one field, one of them without `related_name=`",
                rel.field.span,
            ));
        }
        related.sort_by(|a, b| a.0.cmp(&b.0));
        if related
            .windows(2)
            .any(|w| matches!(w, [a, b] if a.0 == b.0))
        {
            return Err(Unsupported::at(
                "the order of several foreign keys pointing at one field under the same related name",
                field.span,
            ));
        }
    }
    for (_, _, rel) in related {
        let (deeper_model, deeper_name, deeper_field) =
            (rel.model.clone(), rel.name.clone(), rel.field.clone());
        found.push(rel);
        incoming_at(
            state,
            &deeper_model,
            &deeper_name,
            &deeper_field,
            depth + 1,
            found,
        )?;
    }
    Ok(())
}

/// `_alter_many_to_many`: the join table is renamed when its name changes; repointing its
/// foreign keys (`to=` or `db_constraint=` changed) is not modelled.
pub(super) fn alter_many_to_many(
    editor: &mut Editor,
    (old_model, old_name, old): (&ModelState, &str, &Field),
    (new_model, new_name, new): (&ModelState, &str, &Field),
    (before, after): (&ProjectState, &ProjectState),
) -> Sql {
    if !(old.is_many_to_many() && new.is_many_to_many()) {
        return Err(Unsupported::at(
            "altering a field to or from a many-to-many field (Django refuses)",
            new.span,
        ));
    }
    let (old_relation, new_relation) = (relation(old)?, relation(new)?);
    match (&old_relation.through, &new_relation.through) {
        // Both sides have through models: a no-op.
        (Some(_), Some(_)) => return Ok(()),
        (None, None) => {}
        _ => {
            return Err(Unsupported::at(
                "adding or removing `through=` on a many-to-many field (Django refuses)",
                new.span,
            ));
        }
    }
    let old_through = through_model(old_model, old_name, old, before)?;
    let new_through = through_model(new_model, new_name, new, after)?;
    let (Some(old_through), Some(new_through)) = (old_through, new_through) else {
        return Err(Unsupported::at(
            "a many-to-many field's join table",
            new.span,
        ));
    };
    super::models::rename_table(editor, &old_through.db_table(), &new_through.db_table())?;
    if old_relation.to != new_relation.to
        || old_relation.db_constraint != new_relation.db_constraint
        || old_model.name != new_model.name
    {
        return Err(Unsupported::at(
            "repointing a many-to-many field's join table",
            new.span,
        ));
    }
    Ok(())
}

/// `field.remote_field.through` when Django creates it (`through=` not given): the join
/// model of the many-to-many field `name` of `model`, as `create_many_to_many_intermediary_model`
/// builds it. `None` for an explicit `through` model, which has its own operations.
pub(super) fn through_model(
    model: &ModelState,
    name: &str,
    field: &Field,
    state: &ProjectState,
) -> Sql<Option<ModelState>> {
    let relation = relation(field)?;
    if relation.through.is_some() {
        return Ok(None);
    }
    check_relation_modelled(field)?;
    if field.arg("db_tablespace").is_some() {
        return Err(Unsupported::at(
            "`db_tablespace=` on a join table",
            field.span,
        ));
    }
    let to = state.get(&relation.to).ok_or_else(|| {
        Unsupported::at(
            format!(
                "the related model `{}.{}`, which is not in the supplied files",
                relation.to.app_label, relation.to.model
            ),
            field.span,
        )
    })?;
    let table = relation.db_table.clone().unwrap_or_else(|| {
        names::truncate_name(
            &format!("{}_{name}", strip_quotes(&model.db_table())),
            names::MAX_NAME_LENGTH,
        )
    });
    let from_name = model.name.to_lowercase();
    let to_name = to.name.to_lowercase();
    let (from_field, to_field) = if from_name == to_name {
        (format!("from_{from_name}"), format!("to_{to_name}"))
    } else {
        (from_name, to_name)
    };
    let model_ref = ModelRef {
        app_label: model.app_label.clone(),
        model: model.name.to_lowercase(),
    };
    let pk_class = state.default_auto_field.as_str();
    if !matches!(pk_class, "AutoField" | "BigAutoField" | "SmallAutoField") {
        return Err(Unsupported::new(format!(
            "`DEFAULT_AUTO_FIELD` `{pk_class}` for a join table"
        )));
    }
    let fields = vec![
        ("id".to_owned(), plain_field(pk_class, None, true, field)),
        (
            from_field.clone(),
            plain_field("ForeignKey", Some((model_ref, relation)), false, field),
        ),
        (
            to_field.clone(),
            plain_field(
                "ForeignKey",
                Some((relation.to.clone(), relation)),
                false,
                field,
            ),
        ),
    ];
    Ok(Some(ModelState {
        app_label: model.app_label.clone(),
        name: format!("{}_{name}", model.name),
        fields,
        options: ModelOptions {
            db_table: Some(table),
            unique_together: vec![vec![from_field, to_field]],
            managed: true,
            ..ModelOptions::default()
        },
        touched: std::collections::BTreeSet::new(),
    }))
}

/// `utils.strip_quotes`.
fn strip_quotes(table: &str) -> &str {
    table
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(table)
}

/// A field of the join model: its primary key, or a `ForeignKey(on_delete=CASCADE)` to
/// `to` carrying the many-to-many field's `db_constraint`.
fn plain_field(
    class: &str,
    to: Option<(ModelRef, &Relation)>,
    primary_key: bool,
    m2m: &Field,
) -> Field {
    Field {
        db_index: to.is_some(),
        unique: primary_key,
        primary_key,
        relation: to.map(|(to, relation)| Relation {
            to,
            swappable: false,
            to_field: None,
            db_constraint: relation.db_constraint,
            through: None,
            db_table: None,
        }),
        span: m2m.span,
        ..Field::builtin(class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Names Django 5.2 gave these constraints (tests/django/oracle).
    #[test]
    fn foreign_key_names_match_django() {
        assert_eq!(
            fk_name(
                "auth_permission",
                "content_type_id",
                "django_content_type",
                "id"
            ),
            "auth_permission_content_type_id_2f476e4b_fk_django_co"
        );
        assert_eq!(
            fk_name("auth_user_groups", "user_id", "auth_user", "id"),
            "auth_user_groups_user_id_6a12ed8b_fk_auth_user_id"
        );
        assert_eq!(
            fk_name(
                "catalog_productdetail",
                "fallback_category_id",
                "catalog_category",
                "id"
            ),
            "catalog_productdetai_fallback_category_id_6a19c0f4_fk_catalog_c"
        );
    }

    #[test]
    fn auto_fields_point_with_their_plain_type() {
        let field = Field::builtin;
        assert_eq!(rel_db_type(&field("AutoField"), "integer"), "integer");
        assert_eq!(rel_db_type(&field("BigAutoField"), "bigint"), "bigint");
        assert_eq!(
            rel_db_type(&field("PositiveSmallIntegerField"), "smallint"),
            "smallint"
        );
        assert_eq!(
            rel_db_type(&field("CharField"), "varchar(10)"),
            "varchar(10)"
        );
    }
}
