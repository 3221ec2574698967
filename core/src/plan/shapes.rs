//! The shapes of statements the plan rewrites, expects and reverses, read from their text.
//!
//! Only what the plan acts on is recognised: index builds and drops, tables created and
//! dropped, the actions of `ALTER TABLE`, and `UPDATE`. Anything else is [`Shape::Other`] and
//! runs as written. Names are resolved as PostgreSQL does (quotes removed, unquoted folded).

use super::sqltext::{self, Token, between, find_word, words_at};

/// What one statement (no `;` inside) does, as far as the plan cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Shape<'t> {
    /// `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON table …`.
    CreateIndex {
        /// Index name (`None` when PostgreSQL would choose it).
        name: Option<String>,
        /// Table name.
        table: String,
        /// Already `CONCURRENTLY`.
        concurrently: bool,
        /// Byte offset right after `INDEX`, where `CONCURRENTLY` goes.
        insert_at: usize,
    },
    /// `DROP INDEX [CONCURRENTLY] [IF EXISTS] name [, …] [CASCADE]`.
    DropIndex {
        /// Index names.
        names: Vec<String>,
        /// Already `CONCURRENTLY`.
        concurrently: bool,
        /// `CASCADE` (which `CONCURRENTLY` does not allow).
        cascade: bool,
        /// Byte offset right after `INDEX`.
        insert_at: usize,
    },
    /// `CREATE TABLE table (…)`.
    CreateTable {
        /// Table name.
        table: String,
        /// The column declared `PRIMARY KEY`, if one is.
        primary_key: Option<String>,
    },
    /// `DROP TABLE table [, …]`.
    DropTable {
        /// Table names.
        tables: Vec<String>,
    },
    /// `ALTER TABLE table action, …`.
    AlterTable {
        /// Table name.
        table: String,
        /// The text up to and including the table name (`ALTER TABLE "shop_order"`).
        head: &'t str,
        /// Each action, as written and as understood.
        actions: Vec<(&'t str, Action<'t>)>,
    },
    /// `UPDATE table SET … [WHERE …]` with nothing else (no `FROM`, `RETURNING`, subquery).
    Update {
        /// Table name.
        table: String,
        /// The table as written.
        table_text: &'t str,
        /// The `SET` list as written.
        set: &'t str,
        /// The condition as written.
        condition: Option<&'t str>,
    },
    /// Anything else.
    Other,
}

/// One action of `ALTER TABLE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action<'t> {
    /// `ADD [COLUMN] name type elements…`.
    AddColumn(Column<'t>),
    /// `DROP [COLUMN] [IF EXISTS] name …`.
    DropColumn {
        /// Column name.
        column: String,
    },
    /// `ALTER [COLUMN] name SET NOT NULL`.
    SetNotNull {
        /// Column name.
        column: String,
        /// As written.
        column_text: &'t str,
    },
    /// `ALTER [COLUMN] name DROP NOT NULL`.
    DropNotNull {
        /// Column name.
        column: String,
    },
    /// `ADD CONSTRAINT name …`.
    AddConstraint {
        /// Constraint name.
        name: String,
        /// What kind.
        kind: ConstraintKind,
        /// `NOT VALID` already.
        not_valid: bool,
    },
    /// `DROP CONSTRAINT [IF EXISTS] name`.
    DropConstraint {
        /// Constraint name.
        name: String,
    },
    /// `VALIDATE CONSTRAINT name`.
    ValidateConstraint {
        /// Constraint name.
        name: String,
    },
    /// `RENAME [COLUMN] a TO b`.
    RenameColumn {
        /// Old name.
        from: String,
        /// New name.
        to: String,
    },
    /// `RENAME TO name`.
    RenameTo {
        /// New table name.
        to: String,
    },
    /// Anything else.
    Other,
}

/// What a constraint checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConstraintKind {
    /// `FOREIGN KEY`.
    ForeignKey,
    /// `CHECK`.
    Check,
    /// `UNIQUE`, `PRIMARY KEY`, `EXCLUDE`, or what else.
    Other,
}

/// A column definition of `ADD COLUMN`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Column<'t> {
    /// Column name.
    pub(crate) name: String,
    /// As written.
    pub(crate) name_text: &'t str,
    /// The type as written.
    pub(crate) ty: &'t str,
    /// The `DEFAULT` expression as written.
    pub(crate) default: Option<&'t str>,
    /// `NOT NULL` (or `PRIMARY KEY`).
    pub(crate) not_null: bool,
    /// `GENERATED …` or a `serial` type: the value does not come from a default.
    pub(crate) generated: bool,
    /// Other elements (`UNIQUE`, `CHECK (…)`, `COLLATE …`), as written, in order.
    pub(crate) others: Vec<&'t str>,
    /// `CONSTRAINT name REFERENCES …`: the name and the text from `REFERENCES` on.
    pub(crate) foreign_key: Option<(String, &'t str)>,
    /// Any other `REFERENCES` (without a name): cannot be split out.
    pub(crate) unnamed_reference: bool,
}

/// Reads one statement.
pub(crate) fn shape(sql: &str) -> Shape<'_> {
    let tokens = sqltext::tokens(sql);
    let tokens: Vec<Token<'_>> = tokens.into_iter().filter(|t| t.text != ";").collect();
    if words_at(&tokens, 0, &["CREATE"]) {
        let mut at = 1;
        if words_at(&tokens, at, &["UNIQUE"]) {
            at += 1;
        }
        if words_at(&tokens, at, &["INDEX"]) {
            return create_index(&tokens, at);
        }
        if words_at(&tokens, at, &["TABLE"]) {
            return create_table(&tokens, at + 1);
        }
        return Shape::Other;
    }
    if words_at(&tokens, 0, &["DROP", "INDEX"]) {
        let mut at = 2;
        let concurrently = words_at(&tokens, at, &["CONCURRENTLY"]);
        if concurrently {
            at += 1;
        }
        if words_at(&tokens, at, &["IF", "EXISTS"]) {
            at += 2;
        }
        let (names, next) = name_list(&tokens, at);
        let cascade = tokens.get(next).is_some_and(|t| t.is("CASCADE"));
        return Shape::DropIndex {
            names,
            concurrently,
            cascade,
            insert_at: tokens.get(1).map_or(0, |t| t.end),
        };
    }
    if words_at(&tokens, 0, &["DROP", "TABLE"]) {
        let mut at = 2;
        if words_at(&tokens, at, &["IF", "EXISTS"]) {
            at += 2;
        }
        return Shape::DropTable {
            tables: name_list(&tokens, at).0,
        };
    }
    if words_at(&tokens, 0, &["ALTER", "TABLE"]) {
        return alter_table(sql, &tokens);
    }
    if words_at(&tokens, 0, &["UPDATE"]) {
        return update(sql, &tokens);
    }
    Shape::Other
}

/// A possibly schema-qualified name at `at`: the last part, and the index after it.
fn qualified(tokens: &[Token<'_>], at: usize) -> Option<(String, usize)> {
    let mut name = tokens.get(at)?.ident()?;
    let mut next = at + 1;
    while tokens.get(next).is_some_and(|t| t.text == ".") {
        name = tokens.get(next + 1)?.ident()?;
        next += 2;
    }
    Some((name, next))
}

fn name_list(tokens: &[Token<'_>], mut at: usize) -> (Vec<String>, usize) {
    let mut names = Vec::new();
    while let Some((name, next)) = qualified(tokens, at) {
        names.push(name);
        at = next;
        if tokens.get(at).is_some_and(|t| t.text == ",") {
            at += 1;
        } else {
            break;
        }
    }
    (names, at)
}

fn create_index(tokens: &[Token<'_>], index_at: usize) -> Shape<'static> {
    let insert_at = tokens.get(index_at).map_or(0, |t| t.end);
    let mut at = index_at + 1;
    let concurrently = words_at(tokens, at, &["CONCURRENTLY"]);
    if concurrently {
        at += 1;
    }
    if words_at(tokens, at, &["IF", "NOT", "EXISTS"]) {
        at += 3;
    }
    let name = if tokens.get(at).is_some_and(|t| t.is("ON")) {
        None
    } else {
        let Some((name, next)) = qualified(tokens, at) else {
            return Shape::Other;
        };
        at = next;
        Some(name)
    };
    if !words_at(tokens, at, &["ON"]) {
        return Shape::Other;
    }
    at += 1;
    if words_at(tokens, at, &["ONLY"]) {
        at += 1;
    }
    let Some((table, _)) = qualified(tokens, at) else {
        return Shape::Other;
    };
    Shape::CreateIndex {
        name,
        table,
        concurrently,
        insert_at,
    }
}

fn create_table(tokens: &[Token<'_>], mut at: usize) -> Shape<'static> {
    if words_at(tokens, at, &["IF", "NOT", "EXISTS"]) {
        at += 3;
    }
    let Some((table, next)) = qualified(tokens, at) else {
        return Shape::Other;
    };
    // Column definitions are at depth 1, separated by commas at depth 1.
    let mut primary_key = None;
    let mut element_start = next + 1;
    for (i, token) in tokens.iter().enumerate().skip(next + 1) {
        let ends =
            (token.depth == 1 && token.text == ",") || (token.depth == 0 && token.text == ")");
        if ends {
            let element = tokens.get(element_start..i).unwrap_or_default();
            let is_pk = element.windows(2).any(|w| {
                w.first().is_some_and(|t| t.is("PRIMARY")) && w.get(1).is_some_and(|t| t.is("KEY"))
            });
            let starts_constraint = element
                .first()
                .is_some_and(|t| t.is("CONSTRAINT") || t.is("PRIMARY") || t.is("UNIQUE"));
            if is_pk && !starts_constraint && primary_key.is_none() {
                primary_key = element.first().and_then(Token::ident);
            }
            element_start = i + 1;
            if token.depth == 0 {
                break;
            }
        }
    }
    Shape::CreateTable { table, primary_key }
}

fn alter_table<'t>(sql: &'t str, tokens: &[Token<'t>]) -> Shape<'t> {
    let mut at = 2;
    if words_at(tokens, at, &["IF", "EXISTS"]) {
        at += 2;
    }
    if words_at(tokens, at, &["ONLY"]) {
        at += 1;
    }
    let Some((table, next)) = qualified(tokens, at) else {
        return Shape::Other;
    };
    let head = between(sql, tokens, 0, next - 1);
    let mut actions = Vec::new();
    let mut start = next;
    for i in next..=tokens.len() {
        let separator = tokens.get(i).is_none_or(|t| t.depth == 0 && t.text == ",");
        if separator {
            if i > start {
                let action_tokens = tokens.get(start..i).unwrap_or_default();
                let text = between(sql, tokens, start, i - 1);
                actions.push((text, action(sql, action_tokens)));
            }
            start = i + 1;
        }
    }
    Shape::AlterTable {
        table,
        head,
        actions,
    }
}

fn action<'t>(sql: &'t str, t: &[Token<'t>]) -> Action<'t> {
    let ident_at = |i: usize| t.get(i).and_then(Token::ident);
    if words_at(t, 0, &["ADD", "CONSTRAINT"]) {
        let Some(name) = ident_at(2) else {
            return Action::Other;
        };
        let kind = if words_at(t, 3, &["FOREIGN", "KEY"]) {
            ConstraintKind::ForeignKey
        } else if words_at(t, 3, &["CHECK"]) {
            ConstraintKind::Check
        } else {
            ConstraintKind::Other
        };
        let not_valid = t.windows(2).any(|w| {
            w.first().is_some_and(|a| a.is("NOT") && a.depth == 0)
                && w.get(1).is_some_and(|b| b.is("VALID"))
        });
        return Action::AddConstraint {
            name,
            kind,
            not_valid,
        };
    }
    if words_at(t, 0, &["ADD"]) {
        let mut at = 1;
        if words_at(t, at, &["COLUMN"]) {
            at += 1;
        }
        if words_at(t, at, &["IF", "NOT", "EXISTS"]) {
            return Action::Other;
        }
        return column(sql, t, at).map_or(Action::Other, Action::AddColumn);
    }
    if words_at(t, 0, &["DROP", "CONSTRAINT"]) {
        let at = if words_at(t, 2, &["IF", "EXISTS"]) {
            4
        } else {
            2
        };
        return ident_at(at).map_or(Action::Other, |name| Action::DropConstraint { name });
    }
    if words_at(t, 0, &["DROP"]) {
        let mut at = 1;
        if words_at(t, at, &["COLUMN"]) {
            at += 1;
        }
        if words_at(t, at, &["IF", "EXISTS"]) {
            at += 2;
        }
        return ident_at(at).map_or(Action::Other, |column| Action::DropColumn { column });
    }
    if words_at(t, 0, &["VALIDATE", "CONSTRAINT"]) {
        return ident_at(2).map_or(Action::Other, |name| Action::ValidateConstraint { name });
    }
    if words_at(t, 0, &["ALTER"]) {
        let at = if words_at(t, 1, &["COLUMN"]) { 2 } else { 1 };
        let (Some(column), Some(column_text)) = (ident_at(at), t.get(at).map(|c| c.text)) else {
            return Action::Other;
        };
        if t.len() == at + 4 && words_at(t, at + 1, &["SET", "NOT", "NULL"]) {
            return Action::SetNotNull {
                column,
                column_text,
            };
        }
        if t.len() == at + 4 && words_at(t, at + 1, &["DROP", "NOT", "NULL"]) {
            return Action::DropNotNull { column };
        }
        return Action::Other;
    }
    if words_at(t, 0, &["RENAME", "TO"]) {
        return ident_at(2).map_or(Action::Other, |to| Action::RenameTo { to });
    }
    if words_at(t, 0, &["RENAME"]) && !words_at(t, 1, &["CONSTRAINT"]) {
        let at = if words_at(t, 1, &["COLUMN"]) { 2 } else { 1 };
        if let (Some(from), true, Some(to)) =
            (ident_at(at), words_at(t, at + 1, &["TO"]), ident_at(at + 2))
        {
            return Action::RenameColumn { from, to };
        }
    }
    Action::Other
}

/// Keywords that start an element of a column definition.
const ELEMENTS: &[&str] = &[
    "DEFAULT",
    "NULL",
    "NOT",
    "CONSTRAINT",
    "CHECK",
    "UNIQUE",
    "PRIMARY",
    "REFERENCES",
    "GENERATED",
    "COLLATE",
];

fn column<'t>(sql: &'t str, t: &[Token<'t>], at: usize) -> Option<Column<'t>> {
    let name_token = t.get(at)?;
    let name = name_token.ident()?;
    let type_start = at + 1;
    let first_element = find_word(t, type_start, ELEMENTS).unwrap_or(t.len());
    if first_element <= type_start {
        return None;
    }
    let ty = between(sql, t, type_start, first_element - 1);
    let lower = ty.to_ascii_lowercase();
    let mut column = Column {
        name,
        name_text: name_token.text,
        ty,
        default: None,
        not_null: false,
        generated: matches!(
            lower.as_str(),
            "serial" | "bigserial" | "smallserial" | "serial4" | "serial8" | "serial2"
        ),
        others: Vec::new(),
        foreign_key: None,
        unnamed_reference: false,
    };
    // Element boundaries: an element keyword at the top level, except `NOT` that continues
    // a `NOT DEFERRABLE` and keywords inside a `REFERENCES …` clause's attributes.
    let mut starts = Vec::new();
    let mut i = first_element;
    let mut after_constraint_name = false;
    while let Some(token) = t.get(i) {
        let is_element = token.depth == 0
            && ELEMENTS.iter().any(|w| token.is(w))
            && !(token.is("NOT") && t.get(i + 1).is_some_and(|n| n.is("DEFERRABLE")))
            // `ON DELETE SET NULL` / `SET DEFAULT` belong to a `REFERENCES` clause.
            && !i.checked_sub(1).and_then(|p| t.get(p)).is_some_and(|p| p.is("SET"))
            && !after_constraint_name;
        after_constraint_name = false;
        if is_element {
            starts.push(i);
            if token.is("CONSTRAINT") {
                // `CONSTRAINT name <element>`: the element keyword after the name belongs to it.
                i += 2;
                after_constraint_name = true;
                continue;
            }
            if token.is("NOT") || token.is("PRIMARY") {
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(t.len(), |&next| next) - 1;
        let text = between(sql, t, start, end);
        let head = t.get(start)?;
        if head.is("DEFAULT") {
            column.default = Some(between(sql, t, start + 1, end));
        } else if head.is("NOT") {
            column.not_null = true;
        } else if head.is("NULL") {
        } else if head.is("PRIMARY") {
            column.not_null = true;
            column.others.push(text);
        } else if head.is("GENERATED") {
            column.generated = true;
            column.others.push(text);
        } else if head.is("REFERENCES") {
            column.unnamed_reference = true;
            column.others.push(text);
        } else if head.is("CONSTRAINT") {
            let references = t.get(start + 2).is_some_and(|k| k.is("REFERENCES"));
            if let (true, Some(name)) = (references, t.get(start + 1).and_then(Token::ident)) {
                column.foreign_key = Some((name, between(sql, t, start + 2, end)));
            } else {
                if t.get(start + 2).is_some_and(|k| k.is("NOT")) {
                    column.not_null = true;
                }
                column.others.push(text);
            }
        } else {
            column.others.push(text);
        }
    }
    Some(column)
}

fn update<'t>(sql: &'t str, t: &[Token<'t>]) -> Shape<'t> {
    let mut at = 1;
    if words_at(t, at, &["ONLY"]) {
        at += 1;
    }
    let Some((table, next)) = qualified(t, at) else {
        return Shape::Other;
    };
    let table_text = between(sql, t, at, next - 1);
    if !words_at(t, next, &["SET"]) {
        return Shape::Other;
    }
    // Batching is only the same as one statement when each row's new value depends on the
    // row alone.
    if t.iter().any(|token| {
        ["FROM", "RETURNING", "SELECT", "WITH", "CURRENT"]
            .iter()
            .any(|w| token.is(w))
    }) {
        return Shape::Other;
    }
    let where_at = find_word(t, next + 1, &["WHERE"]);
    let set_end = where_at.unwrap_or(t.len());
    if set_end <= next + 1 {
        return Shape::Other;
    }
    let set = between(sql, t, next + 1, set_end - 1);
    let condition = where_at.map(|w| between(sql, t, w + 1, t.len().saturating_sub(1)));
    if condition == Some("") {
        return Shape::Other;
    }
    Shape::Update {
        table,
        table_text,
        set,
        condition,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_django_statements() {
        assert_eq!(
            shape(r#"CREATE INDEX "i" ON "shop_order" ("created");"#),
            Shape::CreateIndex {
                name: Some("i".into()),
                table: "shop_order".into(),
                concurrently: false,
                insert_at: 12
            }
        );
        let Shape::CreateTable { table, primary_key } = shape(
            r#"CREATE TABLE "t" ("code" varchar(3) NOT NULL PRIMARY KEY, "n" integer NOT NULL, CONSTRAINT "u" UNIQUE ("n"));"#,
        ) else {
            panic!()
        };
        assert_eq!(
            (table.as_str(), primary_key.as_deref()),
            ("t", Some("code"))
        );
        let Shape::AlterTable {
            table,
            head,
            actions,
        } = shape(
            r#"ALTER TABLE "shop_client" ALTER COLUMN "phone" SET DEFAULT '', ALTER COLUMN "phone" SET NOT NULL;"#,
        )
        else {
            panic!()
        };
        assert_eq!(
            (table.as_str(), head),
            ("shop_client", r#"ALTER TABLE "shop_client""#)
        );
        assert_eq!(actions.len(), 2);
        assert_eq!(actions[0].0, r#"ALTER COLUMN "phone" SET DEFAULT ''"#);
        assert_eq!(
            actions[1].1,
            Action::SetNotNull {
                column: "phone".into(),
                column_text: "\"phone\""
            }
        );
    }

    #[test]
    fn reads_column_definitions() {
        let Shape::AlterTable { actions, .. } = shape(
            r#"ALTER TABLE "o" ADD COLUMN "p_id" bigint NULL UNIQUE CONSTRAINT "fk" REFERENCES "p"("id") DEFERRABLE INITIALLY DEFERRED"#,
        ) else {
            panic!()
        };
        let Action::AddColumn(column) = &actions[0].1 else {
            panic!()
        };
        assert_eq!(column.ty, "bigint");
        assert!(!column.not_null);
        assert_eq!(column.others, ["UNIQUE"]);
        assert_eq!(
            column.foreign_key,
            Some((
                "fk".into(),
                r#"REFERENCES "p"("id") DEFERRABLE INITIALLY DEFERRED"#
            ))
        );
        let Shape::AlterTable { actions, .. } = shape(
            r#"ALTER TABLE "c" ADD COLUMN "token" uuid DEFAULT (GEN_RANDOM_UUID()) NOT NULL"#,
        ) else {
            panic!()
        };
        let Action::AddColumn(column) = &actions[0].1 else {
            panic!()
        };
        assert_eq!(column.default, Some("(GEN_RANDOM_UUID())"));
        assert!(column.not_null);
        assert!(column.others.is_empty());
        let Shape::AlterTable { actions, .. } = shape(
            r#"ALTER TABLE "c" ADD COLUMN "w" timestamp with time zone DEFAULT '2026-01-01'::timestamptz NOT NULL CHECK ("w" > '2000-01-01')"#,
        ) else {
            panic!()
        };
        let Action::AddColumn(column) = &actions[0].1 else {
            panic!()
        };
        assert_eq!(column.ty, "timestamp with time zone");
        assert_eq!(column.others, [r#"CHECK ("w" > '2000-01-01')"#]);
    }

    #[test]
    fn reads_updates_only_when_batching_is_the_same() {
        assert_eq!(
            shape(r#"UPDATE "t" SET "c" = 0.0 WHERE "c" IS NULL"#),
            Shape::Update {
                table: "t".into(),
                table_text: "\"t\"",
                set: "\"c\" = 0.0",
                condition: Some("\"c\" IS NULL")
            }
        );
        assert_eq!(
            shape("UPDATE t SET a = (SELECT max(b) FROM u)"),
            Shape::Other
        );
        assert!(matches!(
            shape("update t set a = 1"),
            Shape::Update {
                condition: None,
                ..
            }
        ));
    }
}
