//! Statement shapes: what the column, index and constraint rules need to know of a statement,
//! read from its tokens.
//!
//! In: a statement's SQL (Django's generated text or a user's, possibly several statements in
//! one string, like Django's `ALTER TABLE …; SET CONSTRAINTS … IMMEDIATE`). Out: one [`Shape`]
//! per statement, with names resolved as PostgreSQL resolves them and the source text of every
//! expression kept as written, so a rule can write the safe alternative with the user's own
//! words. Invariant: what is not understood is [`Shape::Other`] or [`Action::Other`], never
//! guessed; reading never fails.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// One significant token and where it is in the SQL text (bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Tok {
    kind: TokKind,
    start: usize,
    end: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum TokKind {
    /// Keyword or identifier; `quoted` for `"Name"`.
    Word { text: String, quoted: bool },
    /// Punctuation or operator.
    Sym(String),
    /// Number or string literal.
    Lit,
}

impl Tok {
    fn is(&self, kw: &str) -> bool {
        matches!(&self.kind, TokKind::Word { text, quoted: false } if text.eq_ignore_ascii_case(kw))
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(&self.kind, TokKind::Sym(t) if t == s)
    }

    /// The identifier as PostgreSQL resolves it: quoted kept, unquoted folded to lower case.
    fn ident(&self) -> Option<String> {
        match &self.kind {
            TokKind::Word { text, quoted: true } => Some(text.clone()),
            TokKind::Word {
                text,
                quoted: false,
            } => Some(text.to_ascii_lowercase()),
            _ => None,
        }
    }
}

/// What one statement does, as far as the rules look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `ALTER TABLE [ONLY] table action, …`.
    AlterTable {
        /// The table.
        table: String,
        /// Its actions, in order.
        actions: Vec<Action>,
        /// Each action as written, in order (to combine or rewrite them).
        texts: Vec<String>,
    },
    /// `CREATE TABLE table (…)`.
    CreateTable {
        /// The table.
        table: String,
        /// Column definitions.
        columns: Vec<ColumnDef>,
        /// Table constraints.
        constraints: Vec<TableConstraint>,
    },
    /// `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON table (…)`.
    CreateIndex {
        /// The table.
        table: String,
        /// The leading plain columns of the index (up to the first expression).
        columns: Vec<String>,
        /// `WHERE …`: a partial index.
        partial: bool,
    },
    /// `DROP INDEX [CONCURRENTLY] [IF EXISTS] name, …`.
    DropIndex {
        /// The indexes.
        names: Vec<String>,
        /// `CONCURRENTLY`.
        concurrently: bool,
        /// The text after `DROP INDEX [CONCURRENTLY] ` (`IF EXISTS "x"`), to write it back.
        rest: String,
    },
    /// `REINDEX [(…)] INDEX|TABLE|SCHEMA|DATABASE|SYSTEM [CONCURRENTLY] name`.
    Reindex {
        /// `INDEX`, `TABLE`, `SCHEMA`, `DATABASE` or `SYSTEM`.
        target: String,
        /// The object reindexed, as written.
        name: String,
        /// `CONCURRENTLY`.
        concurrently: bool,
    },
    /// `DROP TABLE [IF EXISTS] t, … [CASCADE]`.
    DropTable {
        /// The tables.
        tables: Vec<String>,
    },
    /// `UPDATE table SET column = value WHERE column IS NULL` (Django's backfill for a new
    /// `NOT NULL` with a default), or another `UPDATE`.
    Update {
        /// The table.
        table: String,
        /// `Some((column, value as written))` for Django's single-column `IS NULL` backfill.
        backfill: Option<(String, String)>,
    },
    /// Anything else.
    Other,
}

/// One action of `ALTER TABLE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// `ADD [COLUMN] [IF NOT EXISTS] definition`.
    AddColumn(ColumnDef),
    /// `ADD [CONSTRAINT name] …`.
    AddConstraint(TableConstraint),
    /// `ALTER [COLUMN] c [SET DATA] TYPE t [COLLATE …] [USING …]`.
    AlterType {
        /// The column.
        column: String,
        /// The new type as written.
        ty: String,
        /// The `USING` expression as written.
        using: Option<String>,
    },
    /// `ALTER [COLUMN] c SET NOT NULL`.
    SetNotNull {
        /// The column.
        column: String,
    },
    /// `ALTER [COLUMN] c DROP NOT NULL`.
    DropNotNull {
        /// The column.
        column: String,
    },
    /// `ALTER [COLUMN] c SET DEFAULT expr`.
    SetDefault {
        /// The column.
        column: String,
        /// The expression as written.
        expr: String,
    },
    /// `ALTER [COLUMN] c DROP DEFAULT`.
    DropDefault {
        /// The column.
        column: String,
    },
    /// `DROP [COLUMN] [IF EXISTS] c [CASCADE]`.
    DropColumn {
        /// The column.
        column: String,
    },
    /// `DROP CONSTRAINT [IF EXISTS] name`.
    DropConstraint {
        /// The constraint.
        name: String,
    },
    /// `RENAME [COLUMN] a TO b`.
    RenameColumn {
        /// Old name.
        from: String,
        /// New name.
        to: String,
    },
    /// `RENAME TO t`.
    RenameTable {
        /// New name.
        to: String,
    },
    /// `VALIDATE CONSTRAINT name`.
    ValidateConstraint {
        /// The constraint.
        name: String,
    },
    /// `DETACH PARTITION p [CONCURRENTLY | FINALIZE]`.
    DetachPartition {
        /// `CONCURRENTLY`.
        concurrently: bool,
    },
    /// Anything else.
    Other,
}

/// A column definition, in `CREATE TABLE` or `ADD COLUMN`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ColumnDef {
    /// The column.
    pub(crate) name: String,
    /// The type as written (`varchar(10)`, `timestamp with time zone`).
    pub(crate) ty: String,
    /// The type normalised for comparisons: lower case, single spaces, no modifiers
    /// (`character varying`, `timestamp`, `integer`).
    pub(crate) base_type: String,
    /// `DEFAULT expr`, the expression as written.
    pub(crate) default: Option<String>,
    /// `NOT NULL`.
    pub(crate) not_null: bool,
    /// `PRIMARY KEY`.
    pub(crate) primary_key: bool,
    /// `UNIQUE`.
    pub(crate) unique: bool,
    /// `CHECK (expr)`: the whole `CHECK (…)` as written.
    pub(crate) check: Option<String>,
    /// `[CONSTRAINT name] REFERENCES …`.
    pub(crate) references: Option<Reference>,
    /// `GENERATED …`.
    pub(crate) generated: Option<Generated>,
    /// The definition without its constraints: `"name" type` as written.
    pub(crate) head: String,
    /// The whole definition as written.
    pub(crate) text: String,
}

/// `GENERATED` forms of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Generated {
    /// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`.
    Identity,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    Stored,
    /// `GENERATED ALWAYS AS (expr) [VIRTUAL]` (PostgreSQL 18).
    Virtual,
}

/// A column's inline foreign key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reference {
    /// `CONSTRAINT name`, if written.
    pub(crate) constraint: Option<String>,
    /// The referenced table.
    pub(crate) table: String,
    /// `REFERENCES table(cols) …` as written, through `DEFERRABLE INITIALLY DEFERRED` if any.
    pub(crate) text: String,
    /// The same with its `CONSTRAINT name` when written right before it.
    pub(crate) written: String,
}

/// A table constraint, in `CREATE TABLE` or `ADD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TableConstraint {
    /// `CONSTRAINT name`, if written.
    pub(crate) name: Option<String>,
    /// What it is.
    pub(crate) kind: ConstraintKind,
    /// `NOT VALID`.
    pub(crate) not_valid: bool,
    /// The constraint as written, without `CONSTRAINT name` and `NOT VALID`
    /// (`FOREIGN KEY ("a") REFERENCES "b" ("id") DEFERRABLE INITIALLY DEFERRED`).
    pub(crate) body: String,
}

/// A unique or primary key written as the parts `CREATE UNIQUE INDEX` and
/// `ADD CONSTRAINT … USING INDEX` take.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct IndexKey {
    /// `("a", "b")` as written.
    pub(crate) columns: String,
    /// What the index takes after the columns: `INCLUDE (…)`, `WITH (…)`, `NULLS NOT DISTINCT`.
    pub(crate) index_tail: String,
    /// What the constraint keeps: `DEFERRABLE INITIALLY DEFERRED`.
    pub(crate) constraint_tail: String,
}

/// The kinds of table constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ConstraintKind {
    /// `CHECK (…)`.
    Check,
    /// `FOREIGN KEY (cols) REFERENCES table …`.
    ForeignKey {
        /// The referencing columns.
        columns: Vec<String>,
        /// The referenced table.
        table: String,
    },
    /// `UNIQUE [NULLS [NOT] DISTINCT] (cols)` or `UNIQUE USING INDEX i`.
    Unique {
        /// The columns (empty with `USING INDEX`).
        columns: Vec<String>,
        /// `USING INDEX`.
        using_index: bool,
        /// The key as an index would take it: `("a", "b") NULLS NOT DISTINCT`, with
        /// `INCLUDE (…)` and `WITH (…)` when written.
        index: IndexKey,
    },
    /// `PRIMARY KEY (cols)` or `PRIMARY KEY USING INDEX i`.
    PrimaryKey {
        /// The columns (empty with `USING INDEX`).
        columns: Vec<String>,
        /// `USING INDEX`.
        using_index: bool,
        /// The key as an index would take it.
        index: IndexKey,
    },
    /// `EXCLUDE …`.
    Exclude,
    /// Anything else (`NOT NULL col` of PostgreSQL 18).
    Other,
}

/// The shapes of the statements in `sql` (one per statement; none when it does not tokenize).
pub(crate) fn shapes(sql: &str) -> Vec<Shape> {
    let Some(statements) = tokenize(sql) else {
        return Vec::new();
    };
    statements
        .iter()
        .map(|tokens| Reader { sql, tokens }.statement())
        .collect()
}

/// `sql`'s statements as tokens with byte offsets, split at top-level semicolons.
fn tokenize(sql: &str) -> Option<Vec<Vec<Tok>>> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    let offsets = LineStarts::new(sql);
    let mut out = Vec::new();
    let mut current = Vec::new();
    for token in tokens {
        let start = offsets.byte(sql, token.span.start.line, token.span.start.column);
        let end = offsets.byte(sql, token.span.end.line, token.span.end.column);
        let kind = match token.token {
            Token::Whitespace(_) | Token::EOF => continue,
            Token::SemiColon => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                continue;
            }
            Token::Word(word) => TokKind::Word {
                text: word.value,
                quoted: word.quote_style == Some('"'),
            },
            Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::EscapedStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::DollarQuotedString(_) => TokKind::Lit,
            other => TokKind::Sym(other.to_string()),
        };
        current.push(Tok { kind, start, end });
    }
    if !current.is_empty() {
        out.push(current);
    }
    Some(out)
}

/// Byte offsets of line starts, to turn the tokenizer's (line, character column) into bytes.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self(starts)
    }

    /// The byte offset of 1-based `line` and character `column` (past the end: the text's end).
    fn byte(&self, text: &str, line: u64, column: u64) -> usize {
        let line_start = usize::try_from(line.saturating_sub(1))
            .ok()
            .and_then(|l| self.0.get(l))
            .copied()
            .unwrap_or(text.len());
        let chars = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
        text.get(line_start..)
            .unwrap_or_default()
            .char_indices()
            .nth(chars)
            .map_or(text.len(), |(i, _)| line_start + i)
    }
}

/// Reads one statement.
struct Reader<'s, 't> {
    sql: &'s str,
    tokens: &'t [Tok],
}

/// A position in a statement's tokens.
struct Cursor<'t> {
    tokens: &'t [Tok],
    at: usize,
}

impl<'t> Cursor<'t> {
    fn new(tokens: &'t [Tok]) -> Self {
        Self { tokens, at: 0 }
    }

    fn peek(&self) -> Option<&'t Tok> {
        self.tokens.get(self.at)
    }

    fn bump(&mut self) -> Option<&'t Tok> {
        let tok = self.tokens.get(self.at);
        if tok.is_some() {
            self.at += 1;
        }
        tok
    }

    /// Takes the keywords `kws` (space-separated) if they come next.
    fn eat(&mut self, kws: &str) -> bool {
        let words: Vec<&str> = kws.split(' ').collect();
        let matches = words
            .iter()
            .enumerate()
            .all(|(i, kw)| self.tokens.get(self.at + i).is_some_and(|t| t.is(kw)));
        if matches {
            self.at += words.len();
        }
        matches
    }

    fn at(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is(kw))
    }

    /// A possibly schema-qualified name: its last part.
    fn name(&mut self) -> Option<String> {
        let mut last = self.bump()?.ident()?;
        while self.peek().is_some_and(|t| t.is_sym(".")) {
            self.bump();
            last = self.bump()?.ident()?;
        }
        Some(last)
    }

    /// A balanced parenthesised group at the cursor: its inside.
    fn group(&mut self) -> Option<&'t [Tok]> {
        if !self.peek().is_some_and(|t| t.is_sym("(")) {
            return None;
        }
        let start = self.at + 1;
        let mut depth = 0usize;
        while let Some(tok) = self.bump() {
            if tok.is_sym("(") {
                depth += 1;
            } else if tok.is_sym(")") {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return self.tokens.get(start..self.at.saturating_sub(1));
                }
            }
        }
        None
    }

    fn rest(&self) -> &'t [Tok] {
        self.tokens.get(self.at..).unwrap_or_default()
    }
}

/// `tokens` split at commas outside brackets.
fn split_top_level(tokens: &[Tok]) -> Vec<&[Tok]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    for (i, tok) in tokens.iter().enumerate() {
        if tok.is_sym("(") || tok.is_sym("[") {
            depth += 1;
        } else if tok.is_sym(")") || tok.is_sym("]") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && tok.is_sym(",") {
            parts.push(tokens.get(start..i).unwrap_or_default());
            start = i + 1;
        }
    }
    parts.push(tokens.get(start..).unwrap_or_default());
    parts.retain(|p| !p.is_empty());
    parts
}

/// Where keyword `kw` first appears outside brackets.
fn top_level(tokens: &[Tok], kw: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, tok) in tokens.iter().enumerate() {
        if tok.is_sym("(") || tok.is_sym("[") {
            depth += 1;
        } else if tok.is_sym(")") || tok.is_sym("]") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && tok.is(kw) {
            return Some(i);
        }
    }
    None
}

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
    "COMPRESSION",
    "STORAGE",
];

impl Reader<'_, '_> {
    /// The source text of `tokens` (from the first one's start to the last one's end).
    fn text(&self, tokens: &[Tok]) -> String {
        match (tokens.first(), tokens.last()) {
            (Some(first), Some(last)) => self
                .sql
                .get(first.start..last.end)
                .unwrap_or_default()
                .to_owned(),
            _ => String::new(),
        }
    }

    fn statement(&self) -> Shape {
        let mut c = Cursor::new(self.tokens);
        if c.eat("ALTER TABLE") {
            c.eat("IF EXISTS");
            c.eat("ONLY");
            let Some(table) = c.name() else {
                return Shape::Other;
            };
            if c.peek().is_some_and(|t| t.is_sym("*")) {
                c.bump();
            }
            let parts = split_top_level(c.rest());
            let actions = parts.iter().map(|action| self.action(action)).collect();
            let texts = parts.iter().map(|action| self.text(action)).collect();
            return Shape::AlterTable {
                table,
                actions,
                texts,
            };
        }
        if c.eat("CREATE") {
            c.eat("OR REPLACE");
            let unique = c.eat("UNIQUE");
            if c.eat("INDEX") {
                return self.create_index(&mut c);
            }
            if unique {
                return Shape::Other;
            }
            for prefix in ["GLOBAL", "LOCAL", "TEMPORARY", "TEMP", "UNLOGGED"] {
                c.eat(prefix);
            }
            if c.eat("TABLE") {
                return self.create_table(&mut c);
            }
            return Shape::Other;
        }
        if c.eat("DROP INDEX") {
            let concurrently = c.eat("CONCURRENTLY");
            let rest = self.text(c.rest());
            c.eat("IF EXISTS");
            let names = split_top_level(c.rest())
                .into_iter()
                .filter_map(|part| Cursor::new(part).name())
                .collect();
            return Shape::DropIndex {
                names,
                concurrently,
                rest,
            };
        }
        if c.eat("DROP TABLE") {
            c.eat("IF EXISTS");
            let tables = split_top_level(c.rest())
                .into_iter()
                .filter_map(|part| Cursor::new(part).name())
                .collect();
            return Shape::DropTable { tables };
        }
        if c.eat("REINDEX") {
            c.group();
            let target = c
                .bump()
                .and_then(Tok::ident)
                .unwrap_or_default()
                .to_ascii_uppercase();
            let concurrently = c.eat("CONCURRENTLY");
            let name = self.text(c.rest());
            return Shape::Reindex {
                target,
                name,
                concurrently,
            };
        }
        if c.eat("UPDATE") {
            c.eat("ONLY");
            let Some(table) = c.name() else {
                return Shape::Other;
            };
            return Shape::Update {
                backfill: self.backfill(c.rest()),
                table,
            };
        }
        Shape::Other
    }

    /// `SET "c" = value WHERE "c" IS NULL` → `(c, value)`.
    fn backfill(&self, rest: &[Tok]) -> Option<(String, String)> {
        let mut c = Cursor::new(rest);
        if !c.eat("SET") {
            return None;
        }
        let column = c.name()?;
        if !c.bump()?.is_sym("=") {
            return None;
        }
        let where_at = top_level(c.rest(), "WHERE")?;
        let value = c.rest().get(..where_at)?;
        let condition = c.rest().get(where_at + 1..)?;
        if value.is_empty() || split_top_level(value).len() != 1 {
            return None;
        }
        match condition {
            [col, is, null] if is.is("IS") && null.is("NULL") => {
                (col.ident()? == column).then(|| (column, self.text(value)))
            }
            _ => None,
        }
    }

    fn create_index(&self, c: &mut Cursor<'_>) -> Shape {
        c.eat("CONCURRENTLY");
        c.eat("IF NOT EXISTS");
        if !c.at("ON") {
            c.name();
        }
        c.eat("ON");
        c.eat("ONLY");
        let Some(table) = c.name() else {
            return Shape::Other;
        };
        if c.eat("USING") {
            c.bump();
        }
        let columns = c.group().map(leading_columns).unwrap_or_default();
        let partial = top_level(c.rest(), "WHERE").is_some();
        let _ = self;
        Shape::CreateIndex {
            table,
            columns,
            partial,
        }
    }

    fn create_table(&self, c: &mut Cursor<'_>) -> Shape {
        c.eat("IF NOT EXISTS");
        let Some(table) = c.name() else {
            return Shape::Other;
        };
        let Some(body) = c.group() else {
            return Shape::Other;
        };
        let mut columns = Vec::new();
        let mut constraints = Vec::new();
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
                "LIKE",
            ]
            .iter()
            .any(|kw| first.is(kw));
            if is_constraint {
                if let Some(constraint) = self.table_constraint(element) {
                    constraints.push(constraint);
                }
            } else if let Some(column) = self.column(element) {
                columns.push(column);
            }
        }
        Shape::CreateTable {
            table,
            columns,
            constraints,
        }
    }

    fn action(&self, tokens: &[Tok]) -> Action {
        let mut c = Cursor::new(tokens);
        if c.eat("ADD") {
            let constraint_start = [
                "CONSTRAINT",
                "CHECK",
                "FOREIGN",
                "UNIQUE",
                "PRIMARY",
                "EXCLUDE",
            ]
            .iter()
            .any(|kw| c.at(kw));
            if constraint_start {
                return self
                    .table_constraint(c.rest())
                    .map_or(Action::Other, Action::AddConstraint);
            }
            c.eat("COLUMN");
            c.eat("IF NOT EXISTS");
            return self
                .column(c.rest())
                .map_or(Action::Other, Action::AddColumn);
        }
        if c.eat("ALTER CONSTRAINT") {
            return Action::Other;
        }
        if c.eat("ALTER") {
            c.eat("COLUMN");
            let Some(column) = c.name() else {
                return Action::Other;
            };
            if c.eat("TYPE") || c.eat("SET DATA TYPE") {
                let rest = c.rest();
                let end = rest
                    .iter()
                    .position(|t| t.is("COLLATE") || t.is("USING"))
                    .unwrap_or(rest.len());
                let ty = self.text(rest.get(..end).unwrap_or_default());
                let using = top_level(rest, "USING")
                    .and_then(|at| rest.get(at + 1..))
                    .map(|expr| self.text(expr));
                return Action::AlterType { column, ty, using };
            }
            if c.eat("SET NOT NULL") {
                return Action::SetNotNull { column };
            }
            if c.eat("DROP NOT NULL") {
                return Action::DropNotNull { column };
            }
            if c.eat("SET DEFAULT") {
                let expr = self.text(c.rest());
                return Action::SetDefault { column, expr };
            }
            if c.eat("DROP DEFAULT") {
                return Action::DropDefault { column };
            }
            return Action::Other;
        }
        if c.eat("DROP CONSTRAINT") {
            c.eat("IF EXISTS");
            return c
                .name()
                .map_or(Action::Other, |name| Action::DropConstraint { name });
        }
        if c.eat("DROP") {
            c.eat("COLUMN");
            c.eat("IF EXISTS");
            return c
                .name()
                .map_or(Action::Other, |column| Action::DropColumn { column });
        }
        if c.eat("RENAME TO") {
            return c
                .name()
                .map_or(Action::Other, |to| Action::RenameTable { to });
        }
        if c.eat("RENAME") {
            if c.at("CONSTRAINT") {
                return Action::Other;
            }
            c.eat("COLUMN");
            return match (c.name(), c.eat("TO"), c.name()) {
                (Some(from), true, Some(to)) => Action::RenameColumn { from, to },
                _ => Action::Other,
            };
        }
        if c.eat("DETACH PARTITION") {
            c.name();
            return Action::DetachPartition {
                concurrently: c.eat("CONCURRENTLY"),
            };
        }
        if c.eat("VALIDATE CONSTRAINT") {
            return c
                .name()
                .map_or(Action::Other, |name| Action::ValidateConstraint { name });
        }
        Action::Other
    }

    /// A column definition: `name type [constraints…]`.
    fn column(&self, tokens: &[Tok]) -> Option<ColumnDef> {
        let mut c = Cursor::new(tokens);
        let name = c.name()?;
        let rest = c.rest();
        let type_end = rest
            .iter()
            .position(|t| COLUMN_CONSTRAINT_START.iter().any(|kw| t.is(kw)))
            .unwrap_or(rest.len());
        let type_tokens = rest.get(..type_end).unwrap_or_default();
        let ty = self.text(type_tokens);
        let head = self.text(tokens.get(..type_end + (tokens.len() - rest.len()))?);
        let mut column = ColumnDef {
            name,
            base_type: base_type(type_tokens),
            ty,
            default: None,
            not_null: false,
            primary_key: false,
            unique: false,
            check: None,
            references: None,
            generated: None,
            head,
            text: self.text(tokens),
        };
        let constraints = rest.get(type_end..).unwrap_or_default();
        let mut k = Cursor::new(constraints);
        let mut constraint_name = None;
        let mut constraint_start = None;
        while let Some(tok) = k.bump() {
            if tok.is("CONSTRAINT") {
                constraint_start = Some(k.at - 1);
                constraint_name = k.name();
                continue;
            }
            if !tok.is("REFERENCES") {
                constraint_start = None;
            }
            if tok.is("DEFAULT") {
                let expr = expression(&mut k);
                column.default = Some(self.text(expr));
            } else if tok.is("NOT") && k.eat("NULL") {
                column.not_null = true;
            } else if tok.is("PRIMARY") {
                k.eat("KEY");
                column.primary_key = true;
            } else if tok.is("UNIQUE") {
                column.unique = true;
            } else if tok.is("CHECK") {
                let start = k.at;
                k.group();
                let end = k.at;
                let check = std::iter::once(tok)
                    .chain(constraints.get(start..end).unwrap_or_default())
                    .cloned()
                    .collect::<Vec<_>>();
                column.check = Some(self.text(&check));
            } else if tok.is("REFERENCES") {
                let start = k.at.saturating_sub(1);
                let table = k.name()?;
                k.group();
                reference_options(&mut k);
                let text = self.text(constraints.get(start..k.at).unwrap_or_default());
                let from = constraint_start.unwrap_or(start);
                let written = self.text(constraints.get(from..k.at).unwrap_or_default());
                column.references = Some(Reference {
                    constraint: constraint_name.take(),
                    table,
                    text,
                    written,
                });
            } else if tok.is("GENERATED") {
                if k.eat("ALWAYS AS IDENTITY") || k.eat("BY DEFAULT AS IDENTITY") {
                    column.generated = Some(Generated::Identity);
                    k.group();
                } else if k.eat("ALWAYS AS") {
                    k.group();
                    column.generated = Some(if k.eat("STORED") {
                        Generated::Stored
                    } else {
                        k.eat("VIRTUAL");
                        Generated::Virtual
                    });
                }
            }
        }
        Some(column)
    }

    /// A table constraint: `[CONSTRAINT name] body [NOT VALID]`.
    fn table_constraint(&self, tokens: &[Tok]) -> Option<TableConstraint> {
        let mut c = Cursor::new(tokens);
        let name = if c.eat("CONSTRAINT") { c.name() } else { None };
        let mut body = c.rest();
        let not_valid = body.len() >= 2
            && body.get(body.len() - 2).is_some_and(|t| t.is("NOT"))
            && body.last().is_some_and(|t| t.is("VALID"));
        if not_valid {
            body = body.get(..body.len() - 2).unwrap_or_default();
        }
        let mut b = Cursor::new(body);
        let kind = if b.eat("CHECK") {
            ConstraintKind::Check
        } else if b.eat("FOREIGN KEY") {
            let columns = b.group().map(idents).unwrap_or_default();
            b.eat("REFERENCES");
            let table = b.name()?;
            ConstraintKind::ForeignKey { columns, table }
        } else if b.eat("UNIQUE") || b.at("PRIMARY") {
            let primary = b.eat("PRIMARY KEY");
            let nulls_not_distinct = b.eat("NULLS NOT DISTINCT");
            b.eat("NULLS DISTINCT");
            let using_index = b.eat("USING INDEX");
            let mut index = IndexKey::default();
            let columns = if using_index {
                Vec::new()
            } else {
                let start = b.at;
                let group = b.group().unwrap_or_default();
                index.columns = self.text(body.get(start..b.at).unwrap_or_default());
                let mut index_tail = Vec::new();
                let mut constraint_tail = Vec::new();
                if nulls_not_distinct {
                    index_tail.push("NULLS NOT DISTINCT".to_owned());
                }
                while b.peek().is_some() {
                    let start = b.at;
                    if b.eat("INCLUDE") || b.eat("WITH") {
                        b.group();
                        index_tail.push(self.text(body.get(start..b.at).unwrap_or_default()));
                    } else if b.eat("USING INDEX TABLESPACE") {
                        b.name();
                        index_tail.push(self.text(body.get(start..b.at).unwrap_or_default()));
                    } else {
                        b.bump();
                        constraint_tail.push(self.text(body.get(start..b.at).unwrap_or_default()));
                    }
                }
                index.index_tail = index_tail.join(" ");
                index.constraint_tail = constraint_tail.join(" ");
                idents(group)
            };
            if primary {
                ConstraintKind::PrimaryKey {
                    columns,
                    using_index,
                    index,
                }
            } else {
                ConstraintKind::Unique {
                    columns,
                    using_index,
                    index,
                }
            }
        } else if b.at("EXCLUDE") {
            ConstraintKind::Exclude
        } else {
            ConstraintKind::Other
        };
        Some(TableConstraint {
            name,
            kind,
            not_valid,
            body: self.text(body),
        })
    }
}

/// Takes what belongs to a `REFERENCES` clause after its columns: `ON DELETE …`, `MATCH …`,
/// `DEFERRABLE INITIALLY DEFERRED`.
fn reference_options(k: &mut Cursor<'_>) {
    loop {
        if k.eat("ON DELETE") || k.eat("ON UPDATE") {
            let _ = k.eat("CASCADE")
                || k.eat("RESTRICT")
                || k.eat("NO ACTION")
                || k.eat("SET NULL")
                || k.eat("SET DEFAULT");
        } else if k.eat("MATCH") {
            k.bump();
        } else if !(k.eat("DEFERRABLE")
            || k.eat("NOT DEFERRABLE")
            || k.eat("INITIALLY DEFERRED")
            || k.eat("INITIALLY IMMEDIATE"))
        {
            break;
        }
    }
}

/// Takes an expression up to the next column-constraint keyword outside parentheses.
fn expression<'t>(c: &mut Cursor<'t>) -> &'t [Tok] {
    let rest = c.rest();
    let mut depth = 0usize;
    let mut end = rest.len();
    for (i, tok) in rest.iter().enumerate() {
        if tok.is_sym("(") {
            depth += 1;
        } else if tok.is_sym(")") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && COLUMN_CONSTRAINT_START.iter().any(|kw| tok.is(kw)) {
            end = i;
            break;
        }
    }
    c.at += end;
    rest.get(..end).unwrap_or_default()
}

/// The identifiers in `tokens`.
fn idents(tokens: &[Tok]) -> Vec<String> {
    tokens.iter().filter_map(Tok::ident).collect()
}

/// The plain columns an index definition starts with, up to the first expression, operator
/// class or sort option (`("a", "b" varchar_pattern_ops)` → `[a, b]`).
fn leading_columns(tokens: &[Tok]) -> Vec<String> {
    let mut out = Vec::new();
    for part in split_top_level(tokens) {
        match part {
            [only] => match only.ident() {
                Some(column) => out.push(column),
                None => break,
            },
            [first, ..] => {
                // A column with an operator class or `DESC`: it still leads the index.
                if let Some(column) = first
                    .ident()
                    .filter(|_| !part.iter().any(|t| t.is_sym("(")))
                {
                    out.push(column);
                }
                break;
            }
            [] => break,
        }
    }
    out
}

/// A type's name without modifiers, lower case, words single-spaced.
fn base_type(tokens: &[Tok]) -> String {
    let mut words = Vec::new();
    let mut depth = 0usize;
    for tok in tokens {
        if tok.is_sym("(") {
            depth += 1;
        } else if tok.is_sym(")") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 {
            match &tok.kind {
                TokKind::Word {
                    text,
                    quoted: false,
                } => words.push(text.to_ascii_lowercase()),
                TokKind::Word { text, quoted: true } => words.push(text.clone()),
                TokKind::Sym(s) if s == "[" || s == "]" => words.push("[]".to_owned()),
                _ => {}
            }
        }
    }
    words.dedup();
    words.join(" ").replace(" []", "[]")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sql: &str) -> Shape {
        let mut shapes = shapes(sql);
        assert_eq!(shapes.len(), 1, "{sql}");
        shapes.remove(0)
    }

    #[test]
    fn django_add_field_foreign_key() {
        let sql = r#"ALTER TABLE "shop_order" ADD COLUMN "owner_id" bigint DEFAULT 1 NOT NULL CONSTRAINT "shop_order_owner_id_fk" REFERENCES "shop_customer"("id") DEFERRABLE INITIALLY DEFERRED; SET CONSTRAINTS "shop_order_owner_id_fk" IMMEDIATE;"#;
        let shapes = shapes(sql);
        assert_eq!(shapes.len(), 2);
        let Shape::AlterTable { table, actions, .. } = &shapes[0] else {
            panic!("{shapes:?}")
        };
        assert_eq!(table, "shop_order");
        let [Action::AddColumn(column)] = actions.as_slice() else {
            panic!("{actions:?}")
        };
        assert_eq!(column.name, "owner_id");
        assert_eq!(column.ty, "bigint");
        assert_eq!(column.head, r#""owner_id" bigint"#);
        assert_eq!(column.default.as_deref(), Some("1"));
        assert!(column.not_null);
        let reference = column.references.as_ref().unwrap();
        assert_eq!(reference.table, "shop_customer");
        assert_eq!(
            reference.constraint.as_deref(),
            Some("shop_order_owner_id_fk")
        );
        assert_eq!(
            reference.text,
            r#"REFERENCES "shop_customer"("id") DEFERRABLE INITIALLY DEFERRED"#
        );
        assert_eq!(shapes[1], Shape::Other);
    }

    #[test]
    fn columns_keep_their_text() {
        let Shape::AlterTable { actions, .. } = one(
            "alter table t add column qty integer NULL CHECK (\"qty\" >= 0), add c timestamp without time zone default (GEN_RANDOM_UUID()) not null, add g int generated always as (a * 2) stored",
        ) else {
            panic!()
        };
        let [
            Action::AddColumn(qty),
            Action::AddColumn(c),
            Action::AddColumn(g),
        ] = actions.as_slice()
        else {
            panic!("{actions:?}")
        };
        assert_eq!(qty.check.as_deref(), Some("CHECK (\"qty\" >= 0)"));
        assert!(!qty.not_null);
        assert_eq!(c.base_type, "timestamp without time zone");
        assert_eq!(c.default.as_deref(), Some("(GEN_RANDOM_UUID())"));
        assert!(c.not_null);
        assert_eq!(g.generated, Some(Generated::Stored));
    }

    #[test]
    fn table_constraints() {
        let Shape::AlterTable { actions, .. } = one(
            r#"ALTER TABLE "t" ADD CONSTRAINT "fk" FOREIGN KEY ("a_id") REFERENCES "a" ("id") DEFERRABLE INITIALLY DEFERRED NOT VALID, ADD CONSTRAINT u UNIQUE NULLS NOT DISTINCT (x, y), ADD PRIMARY KEY USING INDEX i, ADD CONSTRAINT "c" CHECK ("n" >= 0), ADD CONSTRAINT e EXCLUDE USING gist (r WITH &&)"#,
        ) else {
            panic!()
        };
        let kinds: Vec<_> = actions
            .iter()
            .map(|a| match a {
                Action::AddConstraint(c) => (c.name.clone(), c.kind.clone(), c.not_valid),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                (
                    Some("fk".into()),
                    ConstraintKind::ForeignKey {
                        columns: vec!["a_id".into()],
                        table: "a".into()
                    },
                    true
                ),
                (
                    Some("u".into()),
                    ConstraintKind::Unique {
                        columns: vec!["x".into(), "y".into()],
                        using_index: false,
                        index: IndexKey {
                            columns: "(x, y)".into(),
                            index_tail: "NULLS NOT DISTINCT".into(),
                            constraint_tail: String::new()
                        }
                    },
                    false
                ),
                (
                    None,
                    ConstraintKind::PrimaryKey {
                        columns: vec![],
                        using_index: true,
                        index: IndexKey::default()
                    },
                    false
                ),
                (Some("c".into()), ConstraintKind::Check, false),
                (Some("e".into()), ConstraintKind::Exclude, false),
            ]
        );
        let Action::AddConstraint(fk) = &actions[0] else {
            panic!()
        };
        assert_eq!(
            fk.body,
            r#"FOREIGN KEY ("a_id") REFERENCES "a" ("id") DEFERRABLE INITIALLY DEFERRED"#
        );
    }

    #[test]
    fn alter_column_actions() {
        let Shape::AlterTable { actions, .. } = one(
            r#"ALTER TABLE "t" ALTER COLUMN "total" TYPE bigint USING "total"::bigint, ALTER COLUMN "a" SET NOT NULL, ALTER "b" DROP NOT NULL, ALTER COLUMN "c" SET DEFAULT 'x', ALTER COLUMN "c" DROP DEFAULT, DROP COLUMN "d" CASCADE, RENAME COLUMN "e" TO "f""#,
        ) else {
            panic!()
        };
        assert_eq!(
            actions,
            vec![
                Action::AlterType {
                    column: "total".into(),
                    ty: "bigint".into(),
                    using: Some("\"total\"::bigint".into())
                },
                Action::SetNotNull { column: "a".into() },
                Action::DropNotNull { column: "b".into() },
                Action::SetDefault {
                    column: "c".into(),
                    expr: "'x'".into()
                },
                Action::DropDefault { column: "c".into() },
                Action::DropColumn { column: "d".into() },
                Action::RenameColumn {
                    from: "e".into(),
                    to: "f".into()
                },
            ]
        );
        assert_eq!(
            one("ALTER TABLE a.b RENAME TO c"),
            Shape::AlterTable {
                table: "b".into(),
                actions: vec![Action::RenameTable { to: "c".into() }],
                texts: vec!["RENAME TO c".into()]
            }
        );
    }

    #[test]
    fn other_statements() {
        assert_eq!(
            shapes(
                r#"UPDATE "t" SET "total" = 0 WHERE "total" IS NULL; SET CONSTRAINTS ALL IMMEDIATE;"#
            )[0],
            Shape::Update {
                table: "t".into(),
                backfill: Some(("total".into(), "0".into()))
            }
        );
        assert_eq!(
            one(r#"CREATE INDEX "i" ON "t" ("a_id", "b" varchar_pattern_ops) WHERE x"#),
            Shape::CreateIndex {
                table: "t".into(),
                columns: vec!["a_id".into(), "b".into()],
                partial: true
            }
        );
        assert_eq!(
            one(r#"DROP INDEX IF EXISTS "i""#),
            Shape::DropIndex {
                names: vec!["i".into()],
                concurrently: false,
                rest: r#"IF EXISTS "i""#.into()
            }
        );
        assert_eq!(
            one("REINDEX (VERBOSE) TABLE shop_order"),
            Shape::Reindex {
                target: "TABLE".into(),
                name: "shop_order".into(),
                concurrently: false
            }
        );
        assert_eq!(
            one("DROP TABLE IF EXISTS a, s.b CASCADE"),
            Shape::DropTable {
                tables: vec!["a".into(), "b".into()]
            }
        );
        assert_eq!(shapes("SELECT 'unterminated"), vec![]);
    }

    #[test]
    fn multibyte_text_keeps_its_offsets() {
        let Shape::AlterTable { actions, .. } =
            one("ALTER TABLE \"café\"\n  ADD COLUMN \"naïve\" text DEFAULT 'é' NOT NULL")
        else {
            panic!()
        };
        let [Action::AddColumn(column)] = actions.as_slice() else {
            panic!()
        };
        assert_eq!(column.head, "\"naïve\" text");
        assert_eq!(column.default.as_deref(), Some("'é'"));
    }

    #[test]
    fn create_table_columns_and_constraints() {
        let Shape::CreateTable {
            table,
            columns,
            constraints,
        } = one(
            r#"CREATE TABLE "t" ("id" integer NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "at" timestamp NULL, "doc" json NOT NULL, CONSTRAINT "u" UNIQUE ("at"))"#,
        )
        else {
            panic!()
        };
        assert_eq!(table, "t");
        assert_eq!(columns.len(), 3);
        assert!(columns[0].primary_key);
        assert_eq!(columns[0].generated, Some(Generated::Identity));
        assert_eq!(columns[1].base_type, "timestamp");
        assert_eq!(columns[2].base_type, "json");
        assert_eq!(constraints.len(), 1);
    }
}
