//! Indexes: `_field_indexes_sql`, `_create_index_sql`, `Index.create_sql`, `add_index`,
//! `remove_index`, `rename_index` of Django's PostgreSQL schema editor.

use crate::parse::django::{Field, Index};
use crate::parse::python::Value;
use crate::sql::StatementKind;
use crate::sql::names::{self, quote};

use super::columns::{DbParams, column_name};
use super::editor::{Editor, Sql, Unsupported};
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

/// `AddIndex` / `AddIndexConcurrently.database_forwards`.
pub(super) fn add_index(
    editor: &mut Editor,
    ctx: &Ctx<'_>,
    model_name: &str,
    index: &Index,
    concurrently: bool,
) -> Sql {
    if !index.plain {
        return Err(Unsupported::at(
            "index options (expressions, condition, include, opclasses, storage parameters)",
            index.span,
        ));
    }
    let (table, model) = ctx.table_or_assumed(editor, model_name)?;
    let name = index
        .name
        .clone()
        .ok_or_else(|| Unsupported::at("an index without a name", index.span))?;
    let mut columns = Vec::with_capacity(index.fields.len());
    for field in &index.fields {
        let (descending, name) = field
            .strip_prefix('-')
            .map_or((false, field.as_str()), |f| (true, f));
        let column = match model.map(|model| model.field(name)) {
            Some(Some(field)) => column_name(name, field),
            Some(None) => {
                return Err(Unsupported::at(
                    format!("the unknown field `{name}`"),
                    index.span,
                ));
            }
            None => name.to_owned(),
        };
        columns.push(if descending {
            format!("{} DESC", quote(&column))
        } else {
            quote(&column)
        });
    }
    let (sql, kind) = CreateIndex {
        name,
        table,
        unique: false,
        concurrently,
        using: using(&index.class).to_owned(),
        columns: columns.join(", "),
        include: String::new(),
        extra: String::new(),
        condition: String::new(),
    }
    .render();
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

/// `RenameIndex.database_forwards`.
pub(super) fn rename_index(_editor: &mut Editor, _ctx: &Ctx<'_>, _model_name: &str) -> Sql {
    Err(Unsupported::new("renaming an index"))
}

/// `", ".join(str(e) for e in index.expressions)`: the expressions as Django's `repr`s
/// them in `describe()` (`Lower(F(name))`).
pub(super) fn describe_expressions(expressions: &[Value]) -> String {
    let _ = expressions;
    String::new()
}
