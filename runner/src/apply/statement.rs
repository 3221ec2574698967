//! What a plan statement does to the schema, read from its tokens.
//!
//! In: one SQL statement of a step. Out: an [`Action`] — the tables, columns, indexes and
//! constraints it needs and changes — or [`Action::Other`]. The runner uses it for two things:
//! preconditions (a table the plan alters must exist, a column it adds must not) and resuming an
//! autocommit step (is the statement a crash interrupted already in effect?). Invariant: only
//! the shapes Django's schema editor and hand-written DDL use are recognised; anything else is
//! `Other`, never a guess.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// What a statement does, as far as preconditions care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// `CREATE TABLE [IF NOT EXISTS] t (columns, constraints)`.
    CreateTable {
        /// Table name.
        table: String,
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
        /// Column names.
        columns: Vec<String>,
        /// Named constraints (`CONSTRAINT name …`).
        constraints: Vec<String>,
    },
    /// `DROP TABLE [IF EXISTS] t, …`.
    DropTable {
        /// Table names.
        tables: Vec<String>,
        /// `IF EXISTS`.
        if_exists: bool,
    },
    /// `ALTER TABLE [IF EXISTS] [ONLY] t action, …`.
    AlterTable {
        /// Table name.
        table: String,
        /// `IF EXISTS`.
        if_exists: bool,
        /// What it does, in order.
        actions: Vec<TableAction>,
    },
    /// `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON t …`.
    CreateIndex {
        /// Index name.
        name: String,
        /// Table name.
        table: String,
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
        /// `CONCURRENTLY`: a failure leaves an `INVALID` index behind.
        concurrently: bool,
    },
    /// `DROP INDEX [CONCURRENTLY] [IF EXISTS] name, …`.
    DropIndex {
        /// Index names.
        names: Vec<String>,
        /// `IF EXISTS`.
        if_exists: bool,
    },
    /// `ALTER INDEX [IF EXISTS] a RENAME TO b`.
    RenameIndex {
        /// Old name.
        from: String,
        /// New name.
        to: String,
    },
    /// Anything else; `ddl` when it starts like a schema change Lockstep does not model
    /// (`CREATE …`, `DROP …`, `ALTER …`), so later checks cannot trust the model.
    Other {
        /// Changes the schema in a way not modelled.
        ddl: bool,
    },
}

/// One action of an `ALTER TABLE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TableAction {
    /// `ADD [COLUMN] [IF NOT EXISTS] c …`.
    AddColumn {
        /// Column.
        column: String,
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
    },
    /// `DROP [COLUMN] [IF EXISTS] c`.
    DropColumn {
        /// Column.
        column: String,
        /// `IF EXISTS`.
        if_exists: bool,
    },
    /// `ALTER [COLUMN] c …`.
    AlterColumn {
        /// Column.
        column: String,
    },
    /// `ADD CONSTRAINT name …` (with `UNIQUE`/`PRIMARY KEY`, also an index of that name).
    AddConstraint {
        /// Constraint name.
        name: String,
        /// Builds an index of the same name.
        index: bool,
    },
    /// `DROP CONSTRAINT [IF EXISTS] name`.
    DropConstraint {
        /// Constraint name.
        name: String,
        /// `IF EXISTS`.
        if_exists: bool,
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
    /// `RENAME CONSTRAINT a TO b`.
    RenameConstraint {
        /// Old name.
        from: String,
        /// New name.
        to: String,
    },
    /// `RENAME TO b`.
    RenameTable {
        /// New name.
        to: String,
    },
    /// Anything else (`SET …`, `ADD` of an unnamed constraint, …).
    Other,
}

/// Reads one statement (a trailing `;` is fine). Text the tokenizer rejects is `Other`.
pub(crate) fn read(sql: &str) -> Action {
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize() else {
        return Action::Other {
            ddl: looks_like_ddl(sql),
        };
    };
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    // Several statements in one string are not modelled: only a trailing `;` is allowed.
    let end = tokens
        .iter()
        .position(|t| matches!(t, Token::SemiColon))
        .unwrap_or(tokens.len());
    if tokens
        .iter()
        .skip(end)
        .any(|t| !matches!(t, Token::SemiColon))
    {
        return Action::Other {
            ddl: looks_like_ddl(sql),
        };
    }
    let mut cursor = Cursor {
        tokens: tokens.get(..end).unwrap_or_default(),
        at: 0,
    };
    cursor.statement().unwrap_or_else(|| Action::Other {
        ddl: looks_like_ddl(sql),
    })
}

fn looks_like_ddl(sql: &str) -> bool {
    let first = sql
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    // Comments (whitespace tokens) were never read here: a leading `--` line makes the first
    // word `--`, which is treated as unknown DDL, the safe side.
    matches!(
        first.as_str(),
        "CREATE" | "DROP" | "ALTER" | "TRUNCATE" | "DO" | "--" | "/*"
    )
}

struct Cursor<'a> {
    tokens: &'a [Token],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    /// Consumes the keyword if it is next (unquoted, any case).
    fn keyword(&mut self, word: &str) -> bool {
        match self.peek() {
            Some(Token::Word(w))
                if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word) =>
            {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    fn keywords(&mut self, words: &[&str]) -> bool {
        let start = self.at;
        for word in words {
            if !self.keyword(word) {
                self.at = start;
                return false;
            }
        }
        true
    }

    /// An identifier as PostgreSQL folds it: quoted as written, unquoted in lower case.
    fn identifier(&mut self) -> Option<String> {
        match self.peek() {
            Some(Token::Word(w)) => {
                let name = if w.quote_style.is_some() {
                    w.value.clone()
                } else {
                    w.value.to_lowercase()
                };
                self.at += 1;
                Some(name)
            }
            _ => None,
        }
    }

    /// `a.b.c` → `c` (the runner works in the search path; schemas are not modelled).
    fn qualified(&mut self) -> Option<String> {
        let mut name = self.identifier()?;
        while matches!(self.peek(), Some(Token::Period)) {
            self.at += 1;
            name = self.identifier()?;
        }
        Some(name)
    }

    fn statement(&mut self) -> Option<Action> {
        if self.keyword("CREATE") {
            if self.keyword("TABLE") {
                return self.create_table();
            }
            let _ = self.keyword("UNIQUE");
            if self.keyword("INDEX") {
                return self.create_index();
            }
            return None;
        }
        if self.keyword("DROP") {
            if self.keyword("TABLE") {
                let if_exists = self.keywords(&["IF", "EXISTS"]);
                let tables = self.name_list()?;
                return Some(Action::DropTable { tables, if_exists });
            }
            if self.keyword("INDEX") {
                let _ = self.keyword("CONCURRENTLY");
                let if_exists = self.keywords(&["IF", "EXISTS"]);
                let names = self.name_list()?;
                return Some(Action::DropIndex { names, if_exists });
            }
            return None;
        }
        if self.keyword("ALTER") {
            if self.keyword("TABLE") {
                return self.alter_table();
            }
            if self.keyword("INDEX") {
                let _ = self.keywords(&["IF", "EXISTS"]);
                let from = self.qualified()?;
                if !self.keywords(&["RENAME", "TO"]) {
                    return None;
                }
                let to = self.identifier()?;
                self.at = self.tokens.len();
                return Some(Action::RenameIndex { from, to });
            }
        }
        None
    }

    fn name_list(&mut self) -> Option<Vec<String>> {
        let mut names = vec![self.qualified()?];
        while matches!(self.peek(), Some(Token::Comma)) {
            self.at += 1;
            names.push(self.qualified()?);
        }
        let _ = self.keyword("CASCADE") || self.keyword("RESTRICT");
        Some(names)
    }

    fn create_table(&mut self) -> Option<Action> {
        let if_not_exists = self.keywords(&["IF", "NOT", "EXISTS"]);
        let table = self.qualified()?;
        if !matches!(self.peek(), Some(Token::LParen)) {
            return None;
        }
        self.at += 1;
        let mut columns = Vec::new();
        let mut constraints = Vec::new();
        for element in self.top_level_items() {
            let mut inner = Cursor {
                tokens: element,
                at: 0,
            };
            if inner.keyword("CONSTRAINT") {
                constraints.push(inner.identifier()?);
            } else if ["PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE", "LIKE"]
                .iter()
                .any(|k| inner.keyword(k))
            {
            } else {
                columns.push(inner.identifier()?);
            }
        }
        Some(Action::CreateTable {
            table,
            if_not_exists,
            columns,
            constraints,
        })
    }

    /// The comma-separated items up to the closing parenthesis at depth 0 (the opening one
    /// is already consumed), or up to the end when there is no enclosing parenthesis.
    fn top_level_items(&mut self) -> Vec<&[Token]> {
        let mut items = Vec::new();
        let mut depth = 0usize;
        let mut start = self.at;
        while let Some(token) = self.tokens.get(self.at) {
            match token {
                Token::LParen => depth += 1,
                Token::RParen if depth == 0 => {
                    items.push(self.tokens.get(start..self.at).unwrap_or_default());
                    self.at += 1;
                    return items;
                }
                Token::RParen => depth -= 1,
                Token::Comma if depth == 0 => {
                    items.push(self.tokens.get(start..self.at).unwrap_or_default());
                    start = self.at + 1;
                }
                _ => {}
            }
            self.at += 1;
        }
        items.push(self.tokens.get(start..self.at).unwrap_or_default());
        items
    }

    fn create_index(&mut self) -> Option<Action> {
        let concurrently = self.keyword("CONCURRENTLY");
        let if_not_exists = self.keywords(&["IF", "NOT", "EXISTS"]);
        let name = self.identifier()?;
        if !self.keyword("ON") {
            return None;
        }
        let _ = self.keyword("ONLY");
        let table = self.qualified()?;
        self.at = self.tokens.len();
        Some(Action::CreateIndex {
            name,
            table,
            if_not_exists,
            concurrently,
        })
    }

    fn alter_table(&mut self) -> Option<Action> {
        let if_exists = self.keywords(&["IF", "EXISTS"]);
        let _ = self.keyword("ONLY");
        let table = self.qualified()?;
        let mut actions = Vec::new();
        for item in self.top_level_items() {
            let mut inner = Cursor {
                tokens: item,
                at: 0,
            };
            actions.push(inner.table_action());
        }
        Some(Action::AlterTable {
            table,
            if_exists,
            actions,
        })
    }

    fn table_action(&mut self) -> TableAction {
        self.table_action_inner().unwrap_or(TableAction::Other)
    }

    fn table_action_inner(&mut self) -> Option<TableAction> {
        if self.keyword("ADD") {
            if self.keyword("CONSTRAINT") {
                let name = self.identifier()?;
                let index = self.keyword("UNIQUE") || self.keywords(&["PRIMARY", "KEY"]);
                return Some(TableAction::AddConstraint { name, index });
            }
            if ["PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE"]
                .iter()
                .any(|k| self.keyword(k))
            {
                return Some(TableAction::Other);
            }
            let _ = self.keyword("COLUMN");
            let if_not_exists = self.keywords(&["IF", "NOT", "EXISTS"]);
            let column = self.identifier()?;
            return Some(TableAction::AddColumn {
                column,
                if_not_exists,
            });
        }
        if self.keyword("DROP") {
            if self.keyword("CONSTRAINT") {
                let if_exists = self.keywords(&["IF", "EXISTS"]);
                let name = self.identifier()?;
                return Some(TableAction::DropConstraint { name, if_exists });
            }
            let _ = self.keyword("COLUMN");
            let if_exists = self.keywords(&["IF", "EXISTS"]);
            let column = self.identifier()?;
            return Some(TableAction::DropColumn { column, if_exists });
        }
        if self.keyword("ALTER") {
            if self.keyword("CONSTRAINT") {
                return Some(TableAction::Other);
            }
            let _ = self.keyword("COLUMN");
            let column = self.identifier()?;
            return Some(TableAction::AlterColumn { column });
        }
        if self.keywords(&["VALIDATE", "CONSTRAINT"]) {
            let name = self.identifier()?;
            return Some(TableAction::ValidateConstraint { name });
        }
        if self.keyword("RENAME") {
            if self.keyword("TO") {
                let to = self.identifier()?;
                return Some(TableAction::RenameTable { to });
            }
            if self.keyword("CONSTRAINT") {
                let from = self.identifier()?;
                if !self.keyword("TO") {
                    return None;
                }
                let to = self.identifier()?;
                return Some(TableAction::RenameConstraint { from, to });
            }
            let _ = self.keyword("COLUMN");
            let from = self.identifier()?;
            if !self.keyword("TO") {
                return None;
            }
            let to = self.identifier()?;
            return Some(TableAction::RenameColumn { from, to });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_django_emits() {
        assert_eq!(
            read(
                r#"CREATE TABLE "shop_order" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "total" numeric(10, 2) NOT NULL, CONSTRAINT "c" CHECK ("total" >= 0), UNIQUE ("id", "total"));"#
            ),
            Action::CreateTable {
                table: "shop_order".into(),
                if_not_exists: false,
                columns: vec!["id".into(), "total".into()],
                constraints: vec!["c".into()],
            }
        );
        assert_eq!(
            read(
                r#"ALTER TABLE "shop_order" ADD COLUMN "note" varchar(20) DEFAULT 'a,b' NOT NULL, ALTER COLUMN "note" DROP DEFAULT"#
            ),
            Action::AlterTable {
                table: "shop_order".into(),
                if_exists: false,
                actions: vec![
                    TableAction::AddColumn {
                        column: "note".into(),
                        if_not_exists: false
                    },
                    TableAction::AlterColumn {
                        column: "note".into()
                    },
                ],
            }
        );
        assert_eq!(
            read(
                r#"ALTER TABLE "a" ADD CONSTRAINT "a_b_fk" FOREIGN KEY ("b_id") REFERENCES "b" ("id") DEFERRABLE INITIALLY DEFERRED NOT VALID"#
            ),
            Action::AlterTable {
                table: "a".into(),
                if_exists: false,
                actions: vec![TableAction::AddConstraint {
                    name: "a_b_fk".into(),
                    index: false
                }],
            }
        );
        assert_eq!(
            read(
                r#"CREATE UNIQUE INDEX CONCURRENTLY "i" ON public."T" USING btree ("x", lower("y"))"#
            ),
            Action::CreateIndex {
                name: "i".into(),
                table: "T".into(),
                if_not_exists: false,
                concurrently: true
            }
        );
        assert_eq!(
            read("DROP INDEX CONCURRENTLY IF EXISTS i1, I2"),
            Action::DropIndex {
                names: vec!["i1".into(), "i2".into()],
                if_exists: true
            }
        );
        assert_eq!(
            read(r#"ALTER TABLE t RENAME COLUMN "a" TO "b""#),
            Action::AlterTable {
                table: "t".into(),
                if_exists: false,
                actions: vec![TableAction::RenameColumn {
                    from: "a".into(),
                    to: "b".into()
                }],
            }
        );
        assert_eq!(
            read("ALTER TABLE t VALIDATE CONSTRAINT c"),
            Action::AlterTable {
                table: "t".into(),
                if_exists: false,
                actions: vec![TableAction::ValidateConstraint { name: "c".into() }],
            }
        );
        assert_eq!(
            read("SET CONSTRAINTS ALL IMMEDIATE"),
            Action::Other { ddl: false }
        );
        assert_eq!(
            read("CREATE EXTENSION IF NOT EXISTS hstore"),
            Action::Other { ddl: true }
        );
        assert_eq!(
            read("COMMENT ON TABLE t IS 'x'"),
            Action::Other { ddl: false }
        );
        assert_eq!(read("UPDATE t SET a = 1"), Action::Other { ddl: false });
        assert_eq!(
            read("CREATE TABLE a (x int); DROP TABLE b"),
            Action::Other { ddl: true }
        );
        assert_eq!(
            read("CREATE TABLE 'unterminated"),
            Action::Other { ddl: true }
        );
    }
}
