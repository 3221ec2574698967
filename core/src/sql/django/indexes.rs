//! Indexes: `_field_indexes_sql`, `_create_index_sql`, `Index.create_sql`, `add_index`,
//! `remove_index`, `rename_index` of Django's PostgreSQL schema editor.

use crate::parse::django::{Field, Index};
use crate::parse::python::{Value, ValueKind};
use crate::sql::StatementKind;
use crate::sql::names::{self, quote};
use crate::state::ModelState;

use super::columns::DbParams;
use super::editor::{Editor, Sql, Unsupported};
use super::expressions;
use super::forwards::Ctx;

/// The parts of PostgreSQL's `sql_create_index`:
/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON table[ USING method] (columns)[ INCLUDE (…)][ WITH (…)][ WHERE …]`.
pub(super) struct CreateIndex {
    /// Index name, unquoted.
    pub(super) name: String,
    /// Table, unquoted.
    pub(super) table: String,
    /// `CREATE UNIQUE INDEX`.
    pub(super) unique: bool,
    /// `CONCURRENTLY`.
    pub(super) concurrently: bool,
    /// `" USING gin"` or empty.
    pub(super) using: String,
    /// The rendered column list (quoted columns with opclasses and `DESC`, or expressions).
    pub(super) columns: String,
    /// `" INCLUDE (…)"`, `" WITH (…)"` / tablespace, `" WHERE …"`, each empty when absent.
    pub(super) include: String,
    pub(super) extra: String,
    pub(super) condition: String,
}

impl CreateIndex {
    /// The statement text and its kind.
    pub(super) fn render(self) -> (String, StatementKind) {
        let sql = format!(
            "CREATE {}INDEX {}{} ON {}{} ({}){}{}{};",
            if self.unique { "UNIQUE " } else { "" },
            if self.concurrently {
                "CONCURRENTLY "
            } else {
                ""
            },
            quote(&self.name),
            quote(&self.table),
            self.using,
            self.columns,
            self.include,
            self.extra,
            self.condition,
        );
        let kind = StatementKind::CreateIndex {
            name: Some(self.name),
            table: self.table,
            unique: self.unique,
            concurrently: self.concurrently,
        };
        (sql, kind)
    }
}

/// `_field_indexes_sql` of the PostgreSQL schema editor, deferred: the plain index for
/// `db_index` (unless `unique`, which already indexes), then the `_like` index for text
/// columns.
pub(super) fn defer_field_indexes(
    editor: &mut Editor,
    table: &str,
    column: &str,
    field: &Field,
    params: &DbParams,
) {
    let mut index = |name: String, opclass: &str| {
        let (sql, kind) = CreateIndex {
            name,
            table: table.to_owned(),
            unique: false,
            concurrently: false,
            using: String::new(),
            columns: format!("{}{opclass}", quote(column)),
            include: String::new(),
            extra: String::new(),
            condition: String::new(),
        }
        .render();
        editor.defer(sql, kind, vec![(table.to_owned(), Some(column.to_owned()))]);
    };
    if field.db_index && !field.unique && !field.primary_key {
        index(names::index_name(table, &[column], ""), "");
    }
    if let Some(opclass) = like_opclass(field, params) {
        index(
            names::index_name(table, &[column], "_like"),
            &format!(" {opclass}"),
        );
    }
}

/// `_create_like_index_sql`: the pattern-ops index PostgreSQL needs for `LIKE` on an indexed
/// `varchar`/`text` column (Django's `Field.unique` is true for primary keys too).
pub(super) fn like_opclass(field: &Field, params: &DbParams) -> Option<&'static str> {
    if !(field.db_index || field.unique || field.primary_key) {
        return None;
    }
    if params.db_type.starts_with("varchar") {
        Some("varchar_pattern_ops")
    } else if params.db_type.starts_with("text") {
        Some("text_pattern_ops")
    } else {
        None
    }
}

/// Keyword arguments of `Index` itself.
const INDEX_ARGS: &[&str] = &[
    "fields",
    "name",
    "db_tablespace",
    "opclasses",
    "condition",
    "include",
];

/// The storage parameters of each postgres index class, in its `get_with_params` order.
fn with_param_names(class: &str) -> Option<&'static [&'static str]> {
    Some(match class {
        "Index" => &[],
        "GinIndex" => &["gin_pending_list_limit", "fastupdate"],
        "GistIndex" => &["buffering", "fillfactor"],
        "BrinIndex" => &["autosummarize", "pages_per_range"],
        "BTreeIndex" => &["fillfactor", "deduplicate_items"],
        "HashIndex" | "SpGistIndex" => &["fillfactor"],
        "BloomIndex" => &["length", "columns"],
        _ => return None,
    })
}

/// `get_with_params()`: `fillfactor = 80`, `fastupdate = off`, `col1 = 4`, …
fn with_params(index: &Index, names: &[&str]) -> Sql<Vec<String>> {
    let mut params = Vec::new();
    for name in names {
        let Some(value) = index
            .arg(name)
            .filter(|v| !matches!(v.kind, ValueKind::None))
        else {
            continue;
        };
        let bad = || Unsupported::at(format!("a non-literal `{name}=`"), value.span);
        match *name {
            "fastupdate" | "buffering" | "autosummarize" | "deduplicate_items" => {
                let on = value.as_bool().ok_or_else(bad)?;
                params.push(format!("{name} = {}", if on { "on" } else { "off" }));
            }
            "columns" => {
                let columns = value.as_sequence().ok_or_else(bad)?;
                for (i, column) in columns.iter().enumerate() {
                    let n = column.as_int().ok_or_else(bad)?;
                    params.push(format!("col{} = {n}", i + 1));
                }
            }
            _ => params.push(format!("{name} = {}", value.as_int().ok_or_else(bad)?)),
        }
    }
    Ok(params)
}

/// A list of strings given as `name=` (`include`, `opclasses`); empty when absent.
pub(super) fn strings(value: Option<&Value>, name: &str) -> Sql<Vec<String>> {
    let Some(value) = value.filter(|v| !matches!(v.kind, ValueKind::None)) else {
        return Ok(Vec::new());
    };
    value
        .as_sequence()
        .ok_or_else(|| Unsupported::at(format!("a non-literal `{name}=`"), value.span))?
        .iter()
        .map(|item| {
            item.as_str()
                .map(str::to_owned)
                .ok_or_else(|| Unsupported::at(format!("a non-literal `{name}=`"), item.span))
        })
        .collect()
}

/// `_index_include_sql`: ` INCLUDE ("a", "b")`, or empty.
pub(super) fn include_sql(model: &ModelState, include: &[String], at: &Value) -> Sql<String> {
    if include.is_empty() {
        return Ok(String::new());
    }
    let columns = include
        .iter()
        .map(|name| expressions::field(model, name, at).map(|(_, column)| quote(&column)))
        .collect::<Sql<Vec<_>>>()?;
    Ok(format!(" INCLUDE ({})", columns.join(", ")))
}

/// `IndexColumns` / `Columns`: `"col"[ opclass][ DESC]` for each field.
pub(super) fn field_columns(
    model: Option<&ModelState>,
    fields: &[String],
    opclasses: &[String],
    at: &Value,
) -> Sql<(String, Vec<String>)> {
    let mut rendered = Vec::with_capacity(fields.len());
    let mut columns = Vec::with_capacity(fields.len());
    for (i, written) in fields.iter().enumerate() {
        let (descending, name) = written
            .strip_prefix('-')
            .map_or((false, written.as_str()), |f| (true, f));
        let column = match model {
            Some(model) => expressions::field(model, name, at)?.1,
            None => name.to_owned(),
        };
        let mut sql = quote(&column);
        if let Some(opclass) = opclasses.get(i) {
            sql = format!("{sql} {opclass}");
        }
        if descending {
            sql.push_str(" DESC");
        }
        rendered.push(sql);
        columns.push(column);
    }
    Ok((rendered.join(", "), columns))
}

/// `Index.create_sql(model, schema_editor, concurrently=…)`; `model` is `None` only for a
/// plain index on a model assumed from Django's defaults.
fn create_sql(
    model: Option<&ModelState>,
    table: String,
    index: &Index,
    concurrently: bool,
) -> Sql<(String, StatementKind)> {
    let at = Value {
        kind: ValueKind::None,
        span: index.span,
    };
    let with_names = with_param_names(&index.class)
        .ok_or_else(|| Unsupported::at(format!("the index class `{}`", index.class), index.span))?;
    if let Some((key, value)) = index
        .args
        .iter()
        .find(|(k, _)| !INDEX_ARGS.contains(&k.as_str()) && !with_names.contains(&k.as_str()))
    {
        return Err(Unsupported::at(
            format!("the index option `{key}=`"),
            value.span,
        ));
    }
    let name = index
        .name
        .clone()
        .ok_or_else(|| Unsupported::at("an index without a name", index.span))?;
    let fields = strings(index.arg("fields"), "fields")?;
    if model.is_none() && !index.plain {
        return Err(Unsupported::at(
            "index options on a model not in the supplied files",
            index.span,
        ));
    }
    let opclasses = strings(index.arg("opclasses"), "opclasses")?;
    let (columns, tablespace_field) = if index.expressions.is_empty() {
        let (sql, _) = field_columns(model, &fields, &opclasses, &at)?;
        let field_tablespace = match (model, fields.as_slice()) {
            (Some(model), [only]) => {
                let name = only.strip_prefix('-').unwrap_or(only);
                expressions::field(model, name, &at)?
                    .0
                    .arg("db_tablespace")
                    .cloned()
            }
            _ => None,
        };
        (sql, field_tablespace)
    } else {
        let model = model.ok_or_else(|| Unsupported::at("index expressions", index.span))?;
        let compiler = expressions::Compiler { model };
        let sqls = index
            .expressions
            .iter()
            .map(|e| compiler.index_expression(e))
            .collect::<Sql<Vec<_>>>()?;
        (sqls.join(", "), None)
    };
    let mut extra = String::new();
    let params = with_params(index, with_names)?;
    if !params.is_empty() {
        extra = format!(" WITH ({})", params.join(", "));
    }
    // `_get_index_tablespace_sql`: the index's own, else a single field's.
    let tablespace = index
        .arg("db_tablespace")
        .filter(|v| !matches!(v.kind, ValueKind::None))
        .or(tablespace_field.as_ref());
    if let Some(tablespace) = tablespace {
        let tablespace = tablespace
            .as_str()
            .ok_or_else(|| Unsupported::at("a non-literal `db_tablespace=`", tablespace.span))?;
        extra = format!("{extra} TABLESPACE {}", quote(tablespace));
    }
    let (include, condition) = match model {
        Some(model) => {
            let include = include_sql(model, &strings(index.arg("include"), "include")?, &at)?;
            let condition = match index
                .arg("condition")
                .filter(|v| !matches!(v.kind, ValueKind::None))
            {
                Some(q) => format!(" WHERE {}", expressions::Compiler { model }.condition(q)?),
                None => String::new(),
            };
            (include, condition)
        }
        None => (String::new(), String::new()),
    };
    Ok(CreateIndex {
        name,
        table,
        unique: false,
        concurrently,
        using: if index.class == "Index" {
            String::new()
        } else {
            using(&index.class).to_owned()
        },
        columns,
        include,
        extra,
        condition,
    }
    .render())
}

/// `index.create_sql(model, schema_editor)`: the statement `_model_indexes_sql` adds for
/// each of `Meta.indexes` when the model's table is created.
pub(super) fn index_sql(model: &ModelState, index: &Index) -> Sql<(String, StatementKind)> {
    create_sql(Some(model), model.db_table(), index, false)
}

/// `AddIndex` / `AddIndexConcurrently.database_forwards`.
pub(super) fn add_index(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    model_name: &str,
    index: &Index,
    concurrently: bool,
) -> Sql {
    let (table, model) = ctx.table_or_assumed(editor, model_name)?;
    // Django resolves the fields on the model of the state after the operation.
    let model = match model {
        Some(_) => Some(ctx.model(ctx.after, model_name)?),
        None => None,
    };
    let (sql, kind) = create_sql(model, table, index, concurrently)?;
    editor.execute(sql, kind);
    Ok(())
}

/// The `USING` clause of each index class.
pub(super) fn using(class: &str) -> &'static str {
    match class {
        "GinIndex" => " USING gin",
        "GistIndex" => " USING gist",
        "BrinIndex" => " USING brin",
        "HashIndex" => " USING hash",
        "SpGistIndex" => " USING spgist",
        "BloomIndex" => " USING bloom",
        "BTreeIndex" => " USING btree",
        _ => "",
    }
}

/// `RemoveIndex` / `RemoveIndexConcurrently.database_forwards`.
pub(super) fn remove_index(
    editor: &mut Editor,
    _ctx: &Ctx<'_>,
    _model_name: &str,
    name: &str,
    concurrently: bool,
) {
    editor.execute(
        format!(
            "DROP INDEX {}IF EXISTS {};",
            if concurrently { "CONCURRENTLY " } else { "" },
            quote(name)
        ),
        StatementKind::DropIndex {
            names: vec![name.to_owned()],
            concurrently,
        },
    );
}

/// `RenameIndex.database_forwards`: `ALTER INDEX … RENAME TO …`. An unnamed index
/// (`old_fields`) is found by Django in the database; Lockstep knows it only when it is
/// the `index_together` index of those fields, named by `_create_index_name(…, "_idx")`.
pub(super) fn rename_index(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    model_name: &str,
    new_name: &str,
    old_name: Option<&str>,
    old_fields: &[String],
) -> Sql {
    let old = if let Some(old) = old_name {
        old.to_owned()
    } else {
        let model = ctx.model(ctx.before, model_name)?;
        if !model.options.index_together.iter().any(|t| t == old_fields) {
            return Err(Unsupported::new(
                "renaming an unnamed index that is not an `index_together` index",
            ));
        }
        let at = Value {
            kind: ValueKind::None,
            span: ctx.operation.span,
        };
        let columns = old_fields
            .iter()
            .map(|f| expressions::field(model, f, &at).map(|(_, c)| c))
            .collect::<Sql<Vec<_>>>()?;
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        names::index_name(&model.db_table(), &columns, "_idx")
    };
    // "Don't alter when the index name is not changed."
    if old == new_name {
        return Ok(());
    }
    editor.execute(
        format!("ALTER INDEX {} RENAME TO {};", quote(&old), quote(new_name)),
        StatementKind::Other,
    );
    Ok(())
}

/// `", ".join(str(e) for e in index.expressions)`: the expressions as Django's `repr`s
/// them in `describe()` (`Lower(F(name))`); `…` stands for a shape not modelled.
pub(super) fn describe_expressions(expressions: &[Value]) -> String {
    expressions
        .iter()
        .map(|e| super::expressions::repr(e).unwrap_or_else(|| "…".to_owned()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::django::OperationKind;

    fn index_sqls(indexes: &[&str]) -> Vec<String> {
        let operations: Vec<String> = indexes
            .iter()
            .map(|i| format!("migrations.AddIndex(model_name='t', index={i})"))
            .collect();
        let (model, kinds) = super::super::constraints::tests::model_and(&operations);
        kinds
            .iter()
            .map(|kind| match kind {
                OperationKind::AddIndex { index, .. } => index_sql(&model, index)
                    .map_or_else(|e| format!("unsupported: {}", e.what), |(sql, _)| sql),
                _ => String::new(),
            })
            .collect()
    }

    // Expected values printed by Django 5.2's `Index.create_sql` on the same model.
    #[test]
    fn indexes_render_like_django() {
        let sqls = index_sqls(&[
            "models.Index(models.OrderBy(django.db.models.functions.text.Lower('name'), descending=True, nulls_last=True), models.F('n'), name='i1')",
            "models.Index(fields=['-name', 'n'], opclasses=['varchar_pattern_ops', 'int4_ops'], name='i2', db_tablespace='ts', condition=models.Q(nick__isnull=False))",
            "django.contrib.postgres.indexes.GinIndex(fields=['body'], gin_pending_list_limit=64, fastupdate=True, name='i3')",
            "models.Index(fields=['name'], name='i4', storage=1)",
        ]);
        assert_eq!(
            sqls,
            [
                r#"CREATE INDEX "i1" ON "catalog_t" ((LOWER("name")) DESC NULLS LAST, "n");"#,
                r#"CREATE INDEX "i2" ON "catalog_t" ("name" varchar_pattern_ops DESC, "n" int4_ops) TABLESPACE "ts" WHERE "nick" IS NOT NULL;"#,
                r#"CREATE INDEX "i3" ON "catalog_t" USING gin ("body") WITH (gin_pending_list_limit = 64, fastupdate = on);"#,
                "unsupported: the index option `storage=`",
            ]
        );
    }

    #[test]
    fn expressions_describe_like_django() {
        let (_, kinds) = super::super::constraints::tests::model_and(&[
            "migrations.AddIndex(model_name='t', index=models.Index(django.db.models.functions.text.Upper('sku'), models.OrderBy(models.F('created'), descending=True), name='x'))".to_owned(),
        ]);
        let Some(OperationKind::AddIndex { index, .. }) = kinds.first() else {
            panic!("no index");
        };
        assert_eq!(
            describe_expressions(&index.expressions),
            "Upper(F(sku)), OrderBy(F(created), descending=True)"
        );
    }
}
