//! One SQL statement (as tokens) → the locks it takes, and what it changes in the catalog.
//!
//! Lock levels follow PostgreSQL's `AlterTableGetLockLevel` and the statements' own code
//! paths, as the documentation states them (see LOCKS.md); version differences are
//! checks of `pg_version` next to the lock they change. Anything not recognised is pushed to `unknown`, never guessed.

use super::catalog::{Catalog, Constraint};
use super::facts::{RelationLock, StatementLocks};
use super::modes::LockMode::{
    self, AccessExclusive as Ael, AccessShare, Exclusive, RowExclusive, RowShare, Share,
    ShareRowExclusive as Sre, ShareUpdateExclusive as Sue,
};
use super::tokens::{Cursor, Tok, has_top_level, split_top_level, top_level_position};
use super::types::{SqlType, change_rewrites};

/// Statement-wide context for classifying.
pub(super) struct Ctx<'a> {
    /// What earlier statements created.
    pub(super) catalog: &'a mut Catalog,
    /// PostgreSQL major version.
    pub(super) pg: u8,
    /// The facts being built.
    pub(super) out: &'a mut StatementLocks,
}

impl Ctx<'_> {
    fn unknown(&mut self, what: impl Into<String>) {
        self.out.unknown.push(what.into());
    }

    fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        if !self.out.notes.contains(&note) {
            self.out.notes.push(note);
        }
    }

    fn lock(&mut self, lock: RelationLock) {
        self.out.add(lock);
    }
}

/// Functions PostgreSQL marks volatile that appear in column defaults: such a default is
/// evaluated per row, so `ADD COLUMN … DEFAULT` rewrites the table.
const VOLATILE: &[&str] = &[
    "random",
    "random_normal",
    "clock_timestamp",
    "timeofday",
    "gen_random_uuid",
    "uuidv4",
    "uuidv7",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "nextval",
    "setval",
    "txid_current",
];

/// Stable or immutable functions seen in defaults: evaluated once, stored in the catalog
/// (`attmissingval`), no rewrite since PG 11.
const NON_VOLATILE: &[&str] = &[
    "now",
    "statement_timestamp",
    "transaction_timestamp",
    "current_setting",
    "lower",
    "upper",
    "coalesce",
    "concat",
    "length",
    "nullif",
    "greatest",
    "least",
    "abs",
    "round",
    "cast",
    "to_char",
    "to_timestamp",
    "to_date",
    "make_interval",
    "date_trunc",
    "timezone",
    "jsonb_build_object",
    "json_build_object",
    "jsonb_build_array",
    "array",
    "row",
    "interval",
];

/// Storage parameters `ALTER TABLE … SET (…)` changes under `SHARE UPDATE EXCLUSIVE`
/// (`AlterTableGetRelOptionsLockLevel`); others are not modelled.
const SUE_RELOPTIONS: &[&str] = &[
    "fillfactor",
    "parallel_workers",
    "vacuum_index_cleanup",
    "vacuum_truncate",
    "log_autovacuum_min_duration",
    "toast_tuple_target",
];

/// Keywords that end a column's type in a column definition.
const COLUMN_CONSTRAINT_START: &[&str] = &[
    "NOT",
    "NULL",
    "DEFAULT",
    "CONSTRAINT",
    "PRIMARY",
    "UNIQUE",
    "CHECK",
    "REFERENCES",
    "GENERATED",
    "COLLATE",
    "DEFERRABLE",
    "INITIALLY",
    "USING",
    "COMPRESSION",
    "STORAGE",
];

/// Classifies one statement.
pub(super) fn statement(tokens: &[Tok], ctx: &mut Ctx<'_>) {
    let mut c = Cursor::new(tokens);
    let Some(first) = c.bump() else { return };
    let word = match first {
        Tok::Word {
            text,
            quoted: false,
        } => text.to_ascii_uppercase(),
        _ => return ctx.unknown(format!("statement starting with {}", first.text())),
    };
    match word.as_str() {
        "BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "ABORT" | "SAVEPOINT" | "RELEASE"
        | "SET" | "RESET" | "SHOW" => {}
        "COMMENT" => comment(&mut c, ctx),
        "CREATE" => create(&mut c, ctx),
        "ALTER" => alter(&mut c, ctx),
        "DROP" => drop(&mut c, ctx),
        "TRUNCATE" => truncate(&mut c, ctx),
        "INSERT" => {
            c.eat("INTO");
            if let Some(table) = c.name() {
                let select = c.rest().iter().any(|t| t.is("SELECT"));
                ctx.lock(RelationLock::new(table, RowExclusive).scanning(if select {
                    None
                } else {
                    Some(false)
                }));
                if select {
                    ctx.unknown("INSERT … SELECT: the tables it reads are not extracted");
                }
            }
        }
        "UPDATE" | "DELETE" => {
            c.eat("FROM");
            c.eat("ONLY");
            if let Some(table) = c.name() {
                ctx.lock(RelationLock::new(table, RowExclusive).scanning(Some(true)));
                ctx.note("row locks on every row it changes, held until commit");
            }
        }
        "LOCK" => lock_table(&mut c, ctx),
        "VACUUM" | "ANALYZE" | "ANALYSE" | "CLUSTER" => maintenance(&word, &mut c, ctx),
        "REINDEX" => reindex(&mut c, ctx),
        "REFRESH" => refresh(&mut c, ctx),
        "SELECT" => {
            if has_top_level(c.rest(), "FROM") {
                ctx.unknown("SELECT … FROM: ACCESS SHARE on the tables it reads (not extracted)");
            }
        }
        _ => ctx.unknown(format!("{word} statements are not modelled")),
    }
}

fn comment(c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    c.eat("ON");
    let target = if c.eat("TABLE") || c.eat("MATERIALIZED VIEW") || c.eat("VIEW") {
        c.name()
    } else if c.eat("COLUMN") {
        // table.column or schema.table.column: the table is the part before the last.
        let mut parts = Vec::new();
        while let Some(part) = c.bump().and_then(Tok::ident) {
            parts.push(part);
            if !c.eat_sym(".") {
                break;
            }
        }
        parts
            .len()
            .checked_sub(2)
            .and_then(|i| parts.get(i))
            .cloned()
    } else if c.eat("CONSTRAINT") {
        c.name();
        c.eat("ON");
        c.eat("DOMAIN");
        c.name()
    } else if c.eat("INDEX") {
        c.name()
    } else {
        // Comments on functions, extensions, types…: no relation lock.
        return;
    };
    match target {
        Some(relation) => ctx.lock(RelationLock::new(relation, Sue)),
        None => ctx.unknown("COMMENT target not understood"),
    }
}

fn create(c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    c.eat("OR REPLACE");
    let unique = c.eat("UNIQUE");
    if c.eat("INDEX") {
        return create_index(c, ctx, unique);
    }
    for prefix in ["GLOBAL", "LOCAL", "TEMPORARY", "TEMP", "UNLOGGED"] {
        c.eat(prefix);
    }
    if c.eat("TABLE") {
        return create_table(c, ctx);
    }
    let materialized = c.eat("MATERIALIZED");
    if c.eat("VIEW") || c.eat("RECURSIVE VIEW") {
        return create_view(c, ctx, materialized);
    }
    c.eat("CONSTRAINT");
    if c.eat("TRIGGER") {
        let on = top_level_position(c.rest(), "ON");
        let mut after = Cursor::new(on.and_then(|i| c.rest().get(i + 1..)).unwrap_or_default());
        match after.name() {
            Some(table) => ctx.lock(RelationLock::new(table, Sre)),
            None => ctx.unknown("CREATE TRIGGER without ON table"),
        }
        return;
    }
    // Objects that are not relations: no table lock.
    let no_table = [
        "EXTENSION",
        "COLLATION",
        "FUNCTION",
        "PROCEDURE",
        "SCHEMA",
        "TYPE",
        "DOMAIN",
        "SEQUENCE",
        "ROLE",
        "USER",
        "AGGREGATE",
        "OPERATOR",
        "TEXT",
        "CAST",
        "LANGUAGE",
    ];
    if no_table.iter().any(|kw| c.at(kw)) {
        return;
    }
    let what = c.peek().map(Tok::text).unwrap_or_default();
    ctx.unknown(format!("CREATE {what} is not modelled"));
}

/// `CREATE [MATERIALIZED] VIEW v AS query`: `ACCESS SHARE` on the tables the query names
/// (those earlier statements created), held by parse analysis; a materialized view also
/// runs the query.
fn create_view(c: &mut Cursor<'_>, ctx: &mut Ctx<'_>, materialized: bool) {
    c.eat("IF NOT EXISTS");
    let Some(view) = c.name() else {
        return ctx.unknown("CREATE VIEW without a name");
    };
    let Some(at) = top_level_position(c.rest(), "AS") else {
        return ctx.unknown("CREATE VIEW without AS");
    };
    let query = c.rest().get(at + 1..).unwrap_or_default();
    let with_data = !(query.len() >= 3
        && query
            .iter()
            .rev()
            .take(3)
            .map(Tok::text)
            .collect::<Vec<_>>()
            .join(" ")
            .eq_ignore_ascii_case("DATA NO WITH"));
    let mut tables: Vec<String> = idents(query)
        .into_iter()
        .filter(|name| {
            ctx.catalog.tables.contains_key(name) || ctx.catalog.views.contains_key(name)
        })
        .collect();
    tables.sort();
    tables.dedup();
    for table in &tables {
        let scans = materialized && with_data;
        ctx.lock(RelationLock::new(table.clone(), AccessShare).scanning(Some(scans)));
    }
    ctx.note("the tables read are those the query names that earlier statements created");
    ctx.catalog.views.insert(view.clone(), tables);
    ctx.lock(RelationLock::new(view, Ael).creating());
}

fn create_index(c: &mut Cursor<'_>, ctx: &mut Ctx<'_>, unique: bool) {
    let concurrently = c.eat("CONCURRENTLY");
    c.eat("IF NOT EXISTS");
    let name = if c.at("ON") { None } else { c.name() };
    c.eat("ON");
    c.eat("ONLY");
    let Some(table) = c.name() else {
        return ctx.unknown("CREATE INDEX without a table");
    };
    if c.eat("USING") {
        c.bump();
    }
    let columns = c.group().map(idents).unwrap_or_default();
    if let Some(name) = name {
        ctx.catalog.add_index(&name, &table, columns);
    }
    let mode = if concurrently { Sue } else { Share };
    ctx.lock(RelationLock::new(table, mode).building_index());
    if concurrently {
        ctx.note("CONCURRENTLY: cannot run inside a transaction block; scans the table twice and waits for older transactions; a failure leaves an INVALID index");
    }
    if unique {
        ctx.note("UNIQUE: fails if existing rows hold duplicates");
    }
}

fn create_table(c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    c.eat("IF NOT EXISTS");
    let Some(table) = c.name() else {
        return ctx.unknown("CREATE TABLE without a name");
    };
    if c.eat("PARTITION OF") {
        if let Some(parent) = c.name() {
            ctx.lock(RelationLock::new(parent, Ael));
        }
    } else if c.eat("OF") || c.at("AS") || !c.peek().is_some_and(|t| t.is_sym("(")) {
        return ctx.unknown("CREATE TABLE … AS / OF is not modelled");
    }
    ctx.catalog.create_table(&table);
    ctx.lock(RelationLock::new(table.clone(), Ael).creating());
    let Some(body) = c.group() else { return };
    for element in split_top_level(body) {
        let Some(first) = element.first() else {
            continue;
        };
        let is_constraint = [
            "CONSTRAINT",
            "PRIMARY",
            "UNIQUE",
            "CHECK",
            "FOREIGN",
            "EXCLUDE",
        ]
        .iter()
        .any(|kw| first.is(kw));
        if first.is("LIKE") {
            ctx.unknown("CREATE TABLE … (LIKE …) is not modelled");
        } else if is_constraint {
            let mut e = Cursor::new(element);
            let name = if e.eat("CONSTRAINT") { e.name() } else { None };
            table_constraint(&table, name, &mut e, ctx, true);
        } else {
            column_definition(&table, element, ctx, true);
        }
    }
    if has_top_level(c.rest(), "INHERITS") {
        ctx.unknown("CREATE TABLE … INHERITS is not modelled");
    }
}

/// A column definition (in `CREATE TABLE` or `ADD COLUMN`): records the column, locks
/// referenced tables, and for an existing table says whether it rewrites or scans.
fn column_definition(table: &str, tokens: &[Tok], ctx: &mut Ctx<'_>, new_table: bool) {
    let mut c = Cursor::new(tokens);
    let Some(column) = c.name() else {
        return ctx.unknown("column definition without a name");
    };
    let rest = c.rest();
    let type_end = rest
        .iter()
        .position(|t| COLUMN_CONSTRAINT_START.iter().any(|kw| t.is(kw)))
        .unwrap_or(rest.len());
    let ty = SqlType::from_tokens(rest.get(..type_end).unwrap_or_default());
    let constraints = rest.get(type_end..).unwrap_or_default();
    ctx.catalog.set_column(table, &column, ty.clone());

    let ColumnEffects {
        mut rewrites,
        scans,
        builds_index,
    } = column_constraints(table, &column, constraints, ctx, new_table);
    if new_table {
        return;
    }
    match &ty {
        Some(ty) if ty.is_serial() => rewrites = Some(true),
        Some(ty) if !ty.is_built_in() => {
            rewrites = merge_rewrite(rewrites, None);
            ctx.note(format!(
                "type {ty} is not a built-in type: if it is a domain with constraints, adding the column rewrites the table"
            ));
        }
        Some(_) => {}
        None => rewrites = merge_rewrite(rewrites, None),
    }
    let mut lock = RelationLock::new(table, Ael)
        .rewriting(rewrites)
        .scanning(scans);
    if builds_index {
        lock = lock.building_index();
    }
    ctx.lock(lock);
}

/// What a column's constraints (after its type) do to an existing table.
struct ColumnEffects {
    /// Whether the table is rewritten.
    rewrites: Option<bool>,
    /// Whether it is scanned.
    scans: Option<bool>,
    /// Whether an index is built.
    builds_index: bool,
}

/// Reads a column's constraints: records them, locks referenced tables.
fn column_constraints(
    table: &str,
    column: &str,
    constraints: &[Tok],
    ctx: &mut Ctx<'_>,
    new_table: bool,
) -> ColumnEffects {
    let mut rewrites = Some(false);
    let mut scans = Some(false);
    let mut builds_index = false;
    let mut default_given = false;
    let mut k = Cursor::new(constraints);
    let mut constraint_name = None;
    while let Some(tok) = k.bump() {
        if tok.is("CONSTRAINT") {
            constraint_name = k.name();
            continue;
        }
        if tok.is("DEFAULT") {
            default_given = true;
            let expr = expression(&mut k);
            rewrites = merge_rewrite(rewrites, default_rewrites(expr));
        } else if tok.is("GENERATED") {
            if k.eat("ALWAYS AS IDENTITY") || k.eat("BY DEFAULT AS IDENTITY") {
                rewrites = Some(true);
                if k.peek().is_some_and(|t| t.is_sym("(")) {
                    k.group();
                }
            } else if k.eat("ALWAYS AS") {
                k.group();
                if k.eat("STORED") {
                    rewrites = Some(true);
                } else if ctx.pg >= 18 {
                    k.eat("VIRTUAL");
                    ctx.note("PG 18: a virtual generated column is computed on read; no rewrite");
                } else {
                    rewrites = None;
                    ctx.unknown(format!(
                        "GENERATED … without STORED needs PostgreSQL 18 (target is {})",
                        ctx.pg
                    ));
                }
            } else {
                rewrites = None;
            }
        } else if tok.is("PRIMARY") {
            k.eat("KEY");
            builds_index = true;
            ctx.catalog
                .add_index(&format!("{table}_pkey"), table, vec![column.to_owned()]);
        } else if tok.is("UNIQUE") {
            builds_index = true;
            let name = constraint_name
                .take()
                .unwrap_or_else(|| format!("{table}_{column}_key"));
            ctx.catalog.add_index(&name, table, vec![column.to_owned()]);
        } else if tok.is("CHECK") {
            let columns = k.group().map(idents).unwrap_or_default();
            let name = constraint_name
                .take()
                .unwrap_or_else(|| format!("{table}_{column}_check"));
            ctx.catalog.add_constraint(
                table,
                &name,
                Constraint {
                    references: None,
                    columns,
                    not_null_of: None,
                    validated: true,
                },
            );
            if !new_table {
                scans = Some(true);
            }
        } else if tok.is("REFERENCES") {
            let Some(referenced) = k.name() else { continue };
            let name = constraint_name
                .take()
                .unwrap_or_else(|| format!("{table}_{column}_fkey"));
            ctx.catalog.add_constraint(
                table,
                &name,
                Constraint {
                    references: Some(referenced.clone()),
                    columns: vec![column.to_owned()],
                    not_null_of: None,
                    validated: true,
                },
            );
            if referenced != table {
                ctx.lock(RelationLock::new(referenced, Sre));
            }
            if !new_table && default_given {
                // PostgreSQL skips validating a new column's foreign key unless it has a
                // default (`transformAlterTableStmt`): only then are values checked.
                scans = Some(true);
            }
        } else if tok.is("NOT") && k.eat("NULL") && !default_given && !new_table {
            // Phase 3 checks the (empty) new column for NULLs: a scan that fails on any row.
            scans = merge_rewrite(scans, Some(true));
        }
    }
    ColumnEffects {
        rewrites,
        scans,
        builds_index,
    }
}

/// `true` wins, then unknown.
fn merge_rewrite(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Takes an expression up to the next column-constraint keyword outside parentheses.
fn expression<'t>(c: &mut Cursor<'t>) -> &'t [Tok] {
    let rest = c.rest();
    let mut depth = 0usize;
    let mut end = rest.len();
    for (i, tok) in rest.iter().enumerate() {
        if tok.is_sym("(") {
            depth = depth.saturating_add(1);
        } else if tok.is_sym(")") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && COLUMN_CONSTRAINT_START.iter().any(|kw| tok.is(kw)) {
            end = i;
            break;
        }
    }
    for _ in 0..end {
        c.bump();
    }
    rest.get(..end).unwrap_or_default()
}

/// Whether a column default makes `ADD COLUMN` rewrite: volatile functions do.
fn default_rewrites(expr: &[Tok]) -> Option<bool> {
    let mut verdict = Some(false);
    for (i, tok) in expr.iter().enumerate() {
        let called = expr.get(i + 1).is_some_and(|t| t.is_sym("("));
        let Tok::Word {
            text,
            quoted: false,
        } = tok
        else {
            continue;
        };
        if !called {
            continue;
        }
        let name = text.to_ascii_lowercase();
        if VOLATILE.contains(&name.as_str()) {
            return Some(true);
        }
        if !NON_VOLATILE.contains(&name.as_str()) {
            verdict = None;
        }
    }
    verdict
}

/// A table constraint (after `ADD [CONSTRAINT name]` or inside `CREATE TABLE`).
fn table_constraint(
    table: &str,
    name: Option<String>,
    c: &mut Cursor<'_>,
    ctx: &mut Ctx<'_>,
    new_table: bool,
) {
    let not_valid = {
        let rest = c.rest();
        rest.len() >= 2
            && rest.get(rest.len() - 2).is_some_and(|t| t.is("NOT"))
            && rest.last().is_some_and(|t| t.is("VALID"))
    };
    let scans = Some(!(not_valid || new_table));
    let lock = |mode| {
        let lock = RelationLock::new(table, mode).scanning(scans);
        if new_table { lock.creating() } else { lock }
    };
    if c.eat("CHECK") {
        let group = c.group();
        let not_null_of = group.and_then(is_not_null_check);
        if let Some(name) = name {
            ctx.catalog.add_constraint(
                table,
                &name,
                Constraint {
                    references: None,
                    columns: group.map(idents).unwrap_or_default(),
                    not_null_of,
                    validated: !not_valid,
                },
            );
        }
        ctx.lock(lock(Ael));
    } else if c.eat("FOREIGN KEY") {
        let columns: Vec<String> = c
            .group()
            .map(|g| g.iter().filter_map(Tok::ident).collect())
            .unwrap_or_default();
        c.eat("REFERENCES");
        let Some(referenced) = c.name() else {
            return ctx.unknown("FOREIGN KEY without REFERENCES");
        };
        let name = name.unwrap_or_else(|| {
            format!(
                "{table}_{}_fkey",
                columns.first().map_or("", String::as_str)
            )
        });
        ctx.catalog.add_constraint(
            table,
            &name,
            Constraint {
                references: Some(referenced.clone()),
                columns,
                not_null_of: None,
                validated: !not_valid,
            },
        );
        ctx.lock(lock(Sre));
        if referenced != table {
            // Validation joins the referenced table: a scan or index probes, as planned.
            let probe = if not_valid || new_table {
                Some(false)
            } else {
                None
            };
            ctx.lock(RelationLock::new(referenced, Sre).scanning(probe));
        }
    } else if c.eat("PRIMARY KEY") || c.eat("UNIQUE") {
        let index = name.unwrap_or_else(|| format!("{table}_pkey"));
        c.eat("NULLS NOT DISTINCT");
        c.eat("NULLS DISTINCT");
        let columns = c.group().map(idents).unwrap_or_default();
        ctx.catalog.add_index(&index, table, columns);
        if c.eat("USING INDEX") {
            ctx.lock(RelationLock::new(table, Ael).scanning(None));
            ctx.note("USING INDEX: a PRIMARY KEY on nullable columns first scans for NULLs (SET NOT NULL)");
        } else {
            let l = lock(Ael);
            ctx.lock(if new_table { l } else { l.building_index() });
        }
    } else if c.eat("EXCLUDE") {
        if c.eat("USING") {
            c.bump();
        }
        let columns = c.group().map(idents).unwrap_or_default();
        if let Some(name) = name {
            ctx.catalog.add_index(&name, table, columns);
        }
        let l = lock(Ael);
        ctx.lock(if new_table { l } else { l.building_index() });
    } else if c.eat("NOT NULL") {
        if ctx.pg >= 18 {
            ctx.lock(lock(Ael));
        } else {
            ctx.unknown("ADD CONSTRAINT … NOT NULL needs PostgreSQL 18");
        }
    } else {
        ctx.unknown("table constraint not understood");
    }
}

/// The identifiers in `tokens` (column names, and function or operator-class names).
fn idents(tokens: &[Tok]) -> Vec<String> {
    tokens
        .iter()
        .filter(|t| matches!(t, Tok::Word { .. }))
        .filter_map(Tok::ident)
        .collect()
}

/// The column of `CHECK (col IS NOT NULL)` (with any extra parentheses).
fn is_not_null_check(expr: &[Tok]) -> Option<String> {
    let mut inner = expr;
    while inner.first().is_some_and(|t| t.is_sym("("))
        && inner.last().is_some_and(|t| t.is_sym(")"))
    {
        inner = inner.get(1..inner.len().saturating_sub(1))?;
    }
    match inner {
        [col, is, not, null] if is.is("IS") && not.is("NOT") && null.is("NULL") => col.ident(),
        _ => None,
    }
}

fn alter(c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    if c.eat("TABLE") {
        c.eat("IF EXISTS");
        c.eat("ONLY");
        let Some(table) = c.name() else {
            return ctx.unknown("ALTER TABLE without a name");
        };
        c.eat_sym("*");
        for action in split_top_level(c.rest()) {
            alter_table_action(&table, action, ctx);
        }
    } else if c.eat("INDEX") {
        c.eat("IF EXISTS");
        let Some(index) = c.name() else {
            return ctx.unknown("ALTER INDEX without a name");
        };
        if c.eat("RENAME TO") {
            // PG 12 lowered index renames to SHARE UPDATE EXCLUSIVE.
            let mode = if ctx.pg >= 12 { Sue } else { Ael };
            if let Some(new) = c.name()
                && let Some(table) = ctx.catalog.indexes.remove(&index)
            {
                let columns = ctx.catalog.index_columns.remove(&index).unwrap_or_default();
                ctx.catalog.add_index(&new, &table, columns);
            }
            ctx.lock(RelationLock::new(index, mode));
        } else {
            ctx.unknown("ALTER INDEX other than RENAME is not modelled");
        }
    } else if c.eat("SEQUENCE") {
        c.eat("IF EXISTS");
        match c.name() {
            Some(sequence) => ctx.lock(RelationLock::new(sequence, Sre)),
            None => ctx.unknown("ALTER SEQUENCE without a name"),
        }
    } else if c.eat("TYPE") {
        c.name();
        if c.eat("ADD VALUE") {
            ctx.note(
                "ADD VALUE locks the type, not the tables; the new value is usable after commit",
            );
        } else {
            ctx.unknown("ALTER TYPE other than ADD VALUE is not modelled");
        }
    } else if [
        "EXTENSION",
        "COLLATION",
        "FUNCTION",
        "PROCEDURE",
        "ROLE",
        "USER",
        "SCHEMA",
    ]
    .iter()
    .any(|kw| c.at(kw))
    {
        // Not relations.
    } else {
        let what = c.peek().map(Tok::text).unwrap_or_default();
        ctx.unknown(format!("ALTER {what} is not modelled"));
    }
}

fn alter_table_action(table: &str, tokens: &[Tok], ctx: &mut Ctx<'_>) {
    let mut c = Cursor::new(tokens);
    let plain = |mode: LockMode| RelationLock::new(table, mode);
    if c.eat("ADD") {
        if c.eat("CONSTRAINT") {
            let name = c.name();
            return table_constraint(table, name, &mut c, ctx, false);
        }
        if ["CHECK", "FOREIGN", "UNIQUE", "PRIMARY", "EXCLUDE"]
            .iter()
            .any(|kw| c.at(kw))
        {
            return table_constraint(table, None, &mut c, ctx, false);
        }
        c.eat("COLUMN");
        c.eat("IF NOT EXISTS");
        return column_definition(table, c.rest(), ctx, false);
    }
    if c.eat("ALTER CONSTRAINT") {
        return ctx.lock(plain(Sre));
    }
    if c.eat("ALTER") {
        c.eat("COLUMN");
        let Some(column) = c.name() else {
            return ctx.unknown("ALTER COLUMN without a name");
        };
        return alter_column(table, &column, &mut c, ctx);
    }
    if c.eat("DROP CONSTRAINT") {
        return drop_constraint(table, &mut c, ctx);
    }
    if c.eat("DROP") {
        return drop_column(table, &mut c, ctx);
    }
    if c.eat("RENAME") {
        return rename(table, &mut c, ctx);
    }
    if c.eat("VALIDATE CONSTRAINT") {
        return validate(table, &mut c, ctx);
    }
    if c.eat("SET TABLESPACE") || c.eat("SET LOGGED") || c.eat("SET UNLOGGED") {
        return ctx.lock(plain(Ael).rewriting(Some(true)));
    }
    if c.eat("SET WITHOUT CLUSTER") || c.eat("CLUSTER ON") {
        return ctx.lock(plain(Sue));
    }
    if c.eat("SET WITHOUT OIDS")
        || c.eat("OWNER TO")
        || c.eat("REPLICA IDENTITY")
        || c.eat("INHERIT")
        || c.eat("NO INHERIT")
        || c.eat("OF")
        || c.eat("NOT OF")
        || c.eat("ENABLE ROW LEVEL SECURITY")
        || c.eat("DISABLE ROW LEVEL SECURITY")
        || c.eat("FORCE ROW LEVEL SECURITY")
        || c.eat("NO FORCE ROW LEVEL SECURITY")
    {
        return ctx.lock(plain(Ael));
    }
    if c.eat("SET") || c.eat("RESET") {
        return storage_parameters(table, &mut c, ctx);
    }
    if c.eat("ENABLE") || c.eat("DISABLE") {
        c.eat("ALWAYS");
        c.eat("REPLICA");
        if c.eat("TRIGGER") || c.eat("RULE") {
            return ctx.lock(plain(Sre));
        }
    }
    if c.at("ATTACH") || c.at("DETACH") {
        return partition(table, &mut c, ctx);
    }
    let what: Vec<String> = tokens.iter().take(3).map(Tok::text).collect();
    ctx.unknown(format!("ALTER TABLE … {} is not modelled", what.join(" ")));
}

/// `DROP CONSTRAINT`: the table, and for a foreign key the referenced table.
fn drop_constraint(table: &str, c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    c.eat("IF EXISTS");
    let Some(name) = c.name() else {
        return ctx.unknown("DROP CONSTRAINT without a name");
    };
    match ctx.catalog.constraint(table, &name).cloned() {
        Some(constraint) => {
            if let Some(referenced) = constraint.references.filter(|r| r != table) {
                ctx.lock(RelationLock::new(referenced, Ael));
            }
        }
        None if ctx.catalog.indexes.get(&name).is_some_and(|t| t == table) => {}
        None => ctx.note(format!(
            "constraint {name} was not seen earlier: if it is a foreign key, its referenced table is locked ACCESS EXCLUSIVE too"
        )),
    }
    ctx.catalog.drop_constraint(table, &name);
    ctx.lock(RelationLock::new(table, Ael));
}

/// `DROP COLUMN`: the table, and the tables its foreign keys reference.
fn drop_column(table: &str, c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    c.eat("COLUMN");
    c.eat("IF EXISTS");
    let Some(column) = c.name() else {
        return ctx.unknown("DROP COLUMN without a name");
    };
    for referenced in ctx.catalog.foreign_keys_on(table, &column) {
        ctx.lock(RelationLock::new(referenced, Ael));
    }
    ctx.catalog.drop_column(table, &column);
    ctx.lock(RelationLock::new(table, Ael));
}

/// `RENAME [COLUMN|CONSTRAINT] … TO …` / `RENAME TO …`.
fn rename(table: &str, c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    if c.eat("TO") {
        if let Some(new) = c.name() {
            ctx.catalog.rename_table(table, &new);
        }
    } else if c.eat("CONSTRAINT") {
        if let (Some(from), true, Some(to)) = (c.name(), c.eat("TO"), c.name())
            && let Some(constraint) = ctx.catalog.constraint(table, &from).cloned()
        {
            ctx.catalog.drop_constraint(table, &from);
            ctx.catalog.add_constraint(table, &to, constraint);
        }
    } else {
        c.eat("COLUMN");
        if let (Some(from), true, Some(to)) = (c.name(), c.eat("TO"), c.name()) {
            ctx.catalog.rename_column(table, &from, &to);
        }
    }
    ctx.lock(RelationLock::new(table, Ael));
}

/// `VALIDATE CONSTRAINT`: a scan under `SHARE UPDATE EXCLUSIVE`.
fn validate(table: &str, c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    let Some(name) = c.name() else {
        return ctx.unknown("VALIDATE CONSTRAINT without a name");
    };
    let key = (table.to_owned(), name.clone());
    match ctx.catalog.constraints.get_mut(&key) {
        Some(constraint) => {
            constraint.validated = true;
            if let Some(referenced) = constraint.references.clone().filter(|r| r != table) {
                // The validation query joins it: a scan or index probes, as planned.
                ctx.lock(RelationLock::new(referenced, RowShare).scanning(None));
            }
        }
        None => ctx.note(format!(
            "constraint {name} was not seen earlier: for a foreign key, the referenced table is locked ROW SHARE too"
        )),
    }
    ctx.lock(RelationLock::new(table, Sue).scanning(Some(true)));
}

/// `SET (…)` / `RESET (…)` storage parameters.
fn storage_parameters(table: &str, c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    let options: Vec<String> = c
        .group()
        .map(|g| {
            split_top_level(g)
                .iter()
                .filter_map(|o| o.first().and_then(Tok::ident))
                .collect()
        })
        .unwrap_or_default();
    let all_sue = !options.is_empty()
        && options.iter().all(|o| {
            SUE_RELOPTIONS.contains(&o.as_str()) || o.starts_with("autovacuum_") || o == "toast"
        });
    if all_sue {
        return ctx.lock(RelationLock::new(table, Sue));
    }
    ctx.unknown(format!("storage parameters {options:?} are not modelled"));
}

/// `ATTACH PARTITION` / `DETACH PARTITION [CONCURRENTLY]`.
fn partition(table: &str, c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    if c.eat("ATTACH PARTITION") {
        let Some(partition) = c.name() else {
            return ctx.unknown("ATTACH PARTITION without a name");
        };
        let mode = if ctx.pg >= 12 { Sue } else { Ael };
        ctx.lock(RelationLock::new(table, mode));
        ctx.lock(RelationLock::new(partition, Ael).scanning(None));
        ctx.note("ATTACH PARTITION scans the partition unless a valid CHECK constraint implies the partition bound");
        return;
    }
    if c.eat("DETACH PARTITION") {
        let Some(partition) = c.name() else {
            return ctx.unknown("DETACH PARTITION without a name");
        };
        if c.eat("CONCURRENTLY") {
            if ctx.pg < 14 {
                return ctx.unknown(format!(
                    "DETACH PARTITION CONCURRENTLY needs PostgreSQL 14 (target is {})",
                    ctx.pg
                ));
            }
            ctx.lock(RelationLock::new(table, Sue));
            ctx.lock(RelationLock::new(partition, Sue));
            ctx.note("CONCURRENTLY: cannot run inside a transaction block");
            return;
        }
        ctx.lock(RelationLock::new(table, Ael));
        ctx.lock(RelationLock::new(partition, Ael));
        return;
    }
    ctx.unknown("partition action not understood");
}

fn alter_column(table: &str, column: &str, c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    let plain = |mode: LockMode| RelationLock::new(table, mode);
    if c.eat("TYPE") || c.eat("SET DATA TYPE") {
        let rest = c.rest();
        let end = rest
            .iter()
            .position(|t| t.is("COLLATE") || t.is("USING"))
            .unwrap_or(rest.len());
        let new = SqlType::from_tokens(rest.get(..end).unwrap_or_default());
        let collate = rest
            .get(end..)
            .is_some_and(|r| r.iter().any(|t| t.is("COLLATE")));
        let using_other = using_is_not_a_cast(rest.get(end..).unwrap_or_default(), column);
        let old = ctx.catalog.column_type(table, column).cloned();
        let rewrites = match (&old, &new) {
            _ if using_other => Some(true),
            (Some(old), Some(new)) => change_rewrites(old, new),
            _ => None,
        };
        if rewrites.is_none() {
            ctx.note(match (&old, &new) {
                (Some(old), Some(new)) => format!(
                    "{column}: {old} → {new} rewrites unless binary coercible (timestamp ↔ timestamptz: only when the session TimeZone is UTC, PG 12+)"
                ),
                _ => format!(
                    "{column}: its previous type is unknown, so whether the table is rewritten is unknown"
                ),
            });
        }
        if collate && rewrites == Some(false) {
            ctx.note(format!(
                "{column}: a changed collation rebuilds the indexes on the column"
            ));
        }
        // Without a rewrite, CHECK constraints on the column are re-validated (a scan) and
        // indexes on it rebuilt unless PostgreSQL can reuse them.
        let scans = if rewrites != Some(false) {
            Some(false)
        } else if ctx.catalog.column_in_check(table, column) {
            Some(true)
        } else if ctx.catalog.column_in_index(table, column) {
            ctx.note(format!(
                "{column}: indexes on the column are rebuilt unless PostgreSQL can reuse them (same operator class and collation)"
            ));
            None
        } else {
            Some(false)
        };
        ctx.catalog.set_column(table, column, new);
        return ctx.lock(plain(Ael).rewriting(rewrites).scanning(scans));
    }
    if c.eat("SET NOT NULL") {
        let skip = ctx.catalog.has_not_null_check(table, column);
        if skip {
            ctx.note(format!(
                "SET NOT NULL on {column}: a valid CHECK ({column} IS NOT NULL) exists, so the scan is skipped (PG 12+)"
            ));
        }
        return ctx.lock(plain(Ael).scanning(Some(!skip)));
    }
    if c.eat("SET DEFAULT")
        || c.eat("DROP DEFAULT")
        || c.eat("DROP NOT NULL")
        || c.eat("DROP IDENTITY")
        || c.eat("DROP EXPRESSION")
        || c.eat("ADD GENERATED")
        || c.eat("SET STORAGE")
        || c.eat("SET COMPRESSION")
        || c.at("SET")
            && c.peek_at(1)
                .is_some_and(|t| t.is("GENERATED") || t.is("INCREMENT"))
        || c.eat("RESTART")
    {
        return ctx.lock(plain(Ael));
    }
    if c.eat("SET STATISTICS") || c.eat("SET") || c.eat("RESET") {
        return ctx.lock(plain(Sue));
    }
    ctx.unknown(format!("ALTER COLUMN {column} action not modelled"));
}

/// Whether `USING …` computes something other than a plain cast of the column itself
/// (`USING "col"::type` is what Django writes and is simplified like the implicit cast).
fn using_is_not_a_cast(tail: &[Tok], column: &str) -> bool {
    let Some(at) = tail.iter().position(|t| t.is("USING")) else {
        return false;
    };
    let expr = tail.get(at + 1..).unwrap_or_default();
    let plain_cast = expr.first().and_then(Tok::ident).as_deref() == Some(column)
        && (expr.len() == 1 || expr.get(1).is_some_and(|t| t.is_sym("::")));
    !plain_cast
}

fn drop(c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    if c.eat("TABLE") {
        c.eat("IF EXISTS");
        let cascade = has_top_level(c.rest(), "CASCADE");
        for part in split_top_level(c.rest()) {
            let Some(table) = Cursor::new(part).name() else {
                continue;
            };
            let mut linked = ctx.catalog.referencing(&table);
            linked.extend(ctx.catalog.referenced_by(&table));
            if cascade {
                linked.extend(ctx.catalog.dependent_views(&table));
            }
            for other in linked {
                ctx.lock(RelationLock::new(other, Ael));
            }
            ctx.catalog.drop_table(&table);
            ctx.lock(RelationLock::new(table, Ael));
        }
        ctx.note("tables linked by a foreign key (and with CASCADE, dependent views) are locked ACCESS EXCLUSIVE too");
        return;
    }
    if c.eat("INDEX") {
        let concurrently = c.eat("CONCURRENTLY");
        c.eat("IF EXISTS");
        let mode = if concurrently { Sue } else { Ael };
        for part in split_top_level(c.rest()) {
            let Some(index) = Cursor::new(part).name() else {
                continue;
            };
            ctx.catalog.index_columns.remove(&index);
            match ctx.catalog.indexes.remove(&index) {
                Some(table) => {
                    ctx.lock(RelationLock::new(table, mode));
                    ctx.lock(RelationLock::new(index, mode));
                }
                None => ctx.unknown(format!(
                    "DROP INDEX {index}: the index was not created by an earlier statement, so whether it exists and its table (locked {}) are unknown",
                    mode.pg_name()
                )),
            }
        }
        return;
    }
    if c.eat("MATERIALIZED VIEW") || c.eat("VIEW") || c.eat("SEQUENCE") {
        c.eat("IF EXISTS");
        for part in split_top_level(c.rest()) {
            if let Some(relation) = Cursor::new(part).name() {
                ctx.catalog.views.remove(&relation);
                ctx.lock(RelationLock::new(relation, Ael));
            }
        }
        return;
    }
    if c.eat("TRIGGER") {
        c.eat("IF EXISTS");
        c.name();
        c.eat("ON");
        match c.name() {
            Some(table) => ctx.lock(RelationLock::new(table, Ael)),
            None => ctx.unknown("DROP TRIGGER without ON table"),
        }
        return;
    }
    let no_table = [
        "EXTENSION",
        "COLLATION",
        "FUNCTION",
        "PROCEDURE",
        "TYPE",
        "DOMAIN",
        "SCHEMA",
        "ROLE",
        "USER",
        "AGGREGATE",
        "OPERATOR",
        "CAST",
    ];
    if no_table.iter().any(|kw| c.at(kw)) {
        if has_top_level(c.rest(), "CASCADE") {
            ctx.unknown("DROP … CASCADE may drop columns or tables that depend on it");
        }
        return;
    }
    let what = c.peek().map(Tok::text).unwrap_or_default();
    ctx.unknown(format!("DROP {what} is not modelled"));
}

fn truncate(c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    c.eat("TABLE");
    let cascade = has_top_level(c.rest(), "CASCADE");
    for part in split_top_level(c.rest()) {
        let mut p = Cursor::new(part);
        p.eat("ONLY");
        let Some(table) = p.name() else { continue };
        if cascade {
            for other in ctx.catalog.referencing(&table) {
                ctx.lock(RelationLock::new(other, Ael));
            }
        }
        ctx.lock(RelationLock::new(table, Ael).rewriting(Some(true)));
    }
    ctx.note("TRUNCATE deletes every row: new, empty files replace the table's");
}

fn lock_table(c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    c.eat("TABLE");
    let rest = c.rest();
    let in_at = top_level_position(rest, "IN");
    let tables = rest.get(..in_at.unwrap_or(rest.len())).unwrap_or_default();
    let mode = match in_at {
        None => Some(Ael),
        Some(i) => {
            let words: Vec<String> = rest
                .get(i + 1..)
                .unwrap_or_default()
                .iter()
                .take_while(|t| !t.is("MODE"))
                .map(|t| t.text().to_ascii_uppercase())
                .collect();
            LockMode::from_sql_words(&words.join(" "))
        }
    };
    let Some(mode) = mode else {
        return ctx.unknown("LOCK mode not understood");
    };
    for part in split_top_level(tables) {
        let mut p = Cursor::new(part);
        p.eat("ONLY");
        if let Some(table) = p.name() {
            ctx.lock(RelationLock::new(table, mode));
        }
    }
}

fn maintenance(word: &str, c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    let mut full = c.eat("FULL");
    if let Some(options) = c.group() {
        full |= options.iter().any(|t| t.is("FULL"));
    }
    c.eat("VERBOSE");
    c.eat("ANALYZE");
    let rewrite = word == "CLUSTER" || full;
    let tables = split_top_level(c.rest());
    if tables.is_empty() {
        return ctx.unknown(format!("{word} without a table touches every table"));
    }
    for part in tables {
        let Some(table) = Cursor::new(part).name() else {
            continue;
        };
        ctx.lock(if rewrite {
            RelationLock::new(table, Ael).rewriting(Some(true))
        } else {
            RelationLock::new(table, Sue).scanning(Some(true))
        });
        if word == "CLUSTER" {
            break;
        }
    }
}

fn reindex(c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    c.group();
    let index = c.eat("INDEX");
    if !index && !c.eat("TABLE") {
        return ctx.unknown("REINDEX SCHEMA/DATABASE/SYSTEM is not modelled");
    }
    let concurrently = c.eat("CONCURRENTLY");
    if concurrently && ctx.pg < 12 {
        return ctx.unknown("REINDEX CONCURRENTLY needs PostgreSQL 12");
    }
    let Some(name) = c.name() else {
        return ctx.unknown("REINDEX without a name");
    };
    let table = if index {
        ctx.catalog.indexes.get(&name).cloned()
    } else {
        Some(name.clone())
    };
    let table_mode = if concurrently { Sue } else { Share };
    match table {
        Some(table) => ctx.lock(RelationLock::new(table, table_mode).building_index()),
        None => ctx.unknown(format!("REINDEX INDEX {name}: its table is unknown")),
    }
    if index {
        let mode = if concurrently { Sue } else { Ael };
        ctx.lock(RelationLock::new(name, mode).rewriting(Some(true)));
    }
    if !concurrently {
        ctx.note("REINDEX holds ACCESS EXCLUSIVE on the index: queries that would use it wait");
    }
}

fn refresh(c: &mut Cursor<'_>, ctx: &mut Ctx<'_>) {
    c.eat("MATERIALIZED VIEW");
    let concurrently = c.eat("CONCURRENTLY");
    let Some(view) = c.name() else {
        return ctx.unknown("REFRESH without a name");
    };
    let view_name = view.clone();
    ctx.lock(if concurrently {
        RelationLock::new(view, Exclusive).scanning(Some(true))
    } else {
        RelationLock::new(view, Ael).rewriting(Some(true))
    });
    match ctx.catalog.views.get(&view_name).cloned() {
        Some(tables) => {
            for table in tables {
                ctx.lock(RelationLock::new(table, AccessShare).scanning(Some(true)));
            }
        }
        None => ctx.unknown(
            "the view was not created by an earlier statement: the tables its query reads (ACCESS SHARE) are unknown",
        ),
    }
}
