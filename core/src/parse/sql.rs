//! SQL text → [`Statement`]s with spans, through sqlparser's PostgreSQL tokenizer.
//!
//! In: a `.sql` file or a `RunSQL` string. Out: every statement, in order. The text is split
//! on top-level semicolons by the tokenizer (so semicolons in strings, comments and dollar
//! quotes are respected) and each statement is classified on its own, so one malformed
//! statement does not hide the others. Invariant: nothing is dropped; a statement that is not
//! a PostgreSQL command, has unbalanced brackets or stops the tokenizer is kept verbatim as
//! [`StatementKind::Opaque`] with a diagnostic at its position.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::{Diagnostic, DiagnosticKind, Parsed};
use crate::span::{FileId, LineIndex, Span};
use crate::sql::{Statement, StatementKind};

/// Parses `text` (which starts at byte `base` of file `file`) into statements.
///
/// `base` lets `RunSQL` strings report positions inside the migration file; for a `.sql` file
/// it is 0.
pub fn parse(file: FileId, text: &str, base: u32) -> Parsed<Vec<Statement>> {
    let index = LineIndex::new(text);
    let offset = |location: sqlparser::tokenizer::Location| {
        index.offset(text, location.line, location.column)
    };
    let dialect = PostgreSqlDialect {};
    let mut tokens = Vec::new();
    let tokenized = Tokenizer::new(&dialect, text).tokenize_with_location_into_buf(&mut tokens);

    let mut statements = Vec::new();
    let mut diagnostics = Vec::new();
    let mut push = |start: u32, end: u32, tokens: Vec<TokenWithSpan>, error: Option<String>| {
        let span = Span::new(file, base.saturating_add(start), base.saturating_add(end));
        let sql = text
            .get(start as usize..end as usize)
            .unwrap_or("")
            .trim()
            .to_owned();
        let outcome = match error {
            Some(message) => Err(DiagnosticKind::MalformedSql { message }),
            None => parse_one(&tokens),
        };
        let kind = outcome.unwrap_or_else(|kind| {
            diagnostics.push(Diagnostic { kind, span });
            StatementKind::Opaque
        });
        statements.push(Statement { sql, kind, span });
    };

    let mut current: Vec<TokenWithSpan> = Vec::new();
    let mut start = None;
    for token in tokens {
        let significant = !matches!(token.token, Token::Whitespace(_));
        if significant && start.is_none() && token.token != Token::SemiColon {
            start = Some(offset(token.span.start));
        }
        if token.token == Token::SemiColon {
            if let Some(s) = start.take() {
                push(
                    s,
                    offset(token.span.end),
                    std::mem::take(&mut current),
                    None,
                );
            }
            current.clear();
        } else if significant {
            current.push(token);
        }
    }
    match tokenized {
        Ok(()) => {
            if let Some(s) = start {
                let end = current.last().map_or(s, |t| offset(t.span.end));
                push(s, end, current, None);
            }
        }
        // The tokenizer stopped (an unterminated string, say): the rest is one opaque statement.
        Err(error) => {
            let s = start.unwrap_or_else(|| offset(error.location));
            let end = u32::try_from(text.len()).unwrap_or(u32::MAX);
            push(s, end, Vec::new(), Some(error.to_string()));
        }
    }
    Parsed {
        value: statements,
        diagnostics,
    }
}

/// Classifies one statement from its tokens (whitespace and comments already dropped).
///
/// Why tokens and not a grammar: the stages after this need only the statement's shape (the
/// lock model and the rules read their own details from tokens), sqlparser's grammar rejects
/// valid PostgreSQL Django itself prints (`SET CONSTRAINTS "fk" IMMEDIATE`, `REINDEX`), and the
/// grammar is most of the browser bundle. What is checked is what can be checked without one:
/// the statement starts with a PostgreSQL command and its brackets balance.
///
/// Malformed text (PostgreSQL will reject it) and an unknown command (Lockstep cannot say what
/// it does) are different diagnostics: the second is dropped later if the lock model reads it.
fn parse_one(tokens: &[TokenWithSpan]) -> Result<StatementKind, DiagnosticKind> {
    // Comments are whitespace to the tokenizer; a statement of only comments is nothing to run.
    let Some(first) = tokens.first() else {
        return Ok(StatementKind::Other);
    };
    check_brackets(tokens).map_err(|message| DiagnosticKind::MalformedSql { message })?;
    let words = Words(tokens);
    if !(words.is(0, "(") || COMMANDS.iter().any(|command| words.is(0, command))) {
        return Err(DiagnosticKind::OpaqueSql {
            message: format!(
                "`{}`{} does not start a PostgreSQL command",
                first.token, first.span.start
            ),
        });
    }
    Ok(words.classify())
}

/// The words a PostgreSQL statement can start with (the SQL Commands chapter of its manual).
const COMMANDS: &[&str] = &[
    "ABORT",
    "ALTER",
    "ANALYZE",
    "ANALYSE",
    "BEGIN",
    "CALL",
    "CHECKPOINT",
    "CLOSE",
    "CLUSTER",
    "COMMENT",
    "COMMIT",
    "COPY",
    "CREATE",
    "DEALLOCATE",
    "DECLARE",
    "DELETE",
    "DISCARD",
    "DO",
    "DROP",
    "END",
    "EXECUTE",
    "EXPLAIN",
    "FETCH",
    "GRANT",
    "IMPORT",
    "INSERT",
    "LISTEN",
    "LOAD",
    "LOCK",
    "MERGE",
    "MOVE",
    "NOTIFY",
    "PREPARE",
    "REASSIGN",
    "REFRESH",
    "REINDEX",
    "RELEASE",
    "RESET",
    "REVOKE",
    "ROLLBACK",
    "SAVEPOINT",
    "SECURITY",
    "SELECT",
    "SET",
    "SHOW",
    "START",
    "TABLE",
    "TRUNCATE",
    "UNLISTEN",
    "UPDATE",
    "VACUUM",
    "VALUES",
    "WITH",
];

/// An unclosed or stray bracket, as an error at its position.
fn check_brackets(tokens: &[TokenWithSpan]) -> Result<(), String> {
    let mut open: Vec<&TokenWithSpan> = Vec::new();
    for token in tokens {
        match token.token {
            Token::LParen | Token::LBracket => open.push(token),
            Token::RParen | Token::RBracket => {
                let opener = open.pop().ok_or_else(|| {
                    format!("`{}`{} closes nothing", token.token, token.span.start)
                })?;
                let pair = matches!(
                    (&opener.token, &token.token),
                    (Token::LParen, Token::RParen) | (Token::LBracket, Token::RBracket)
                );
                if !pair {
                    return Err(format!(
                        "`{}`{} does not close `{}`{}",
                        token.token, token.span.start, opener.token, opener.span.start
                    ));
                }
            }
            _ => {}
        }
    }
    match open.last() {
        Some(opener) => Err(format!(
            "`{}`{} is never closed",
            opener.token, opener.span.start
        )),
        None => Ok(()),
    }
}

/// One statement's significant tokens, read as keywords and names.
struct Words<'t>(&'t [TokenWithSpan]);

impl Words<'_> {
    /// Whether token `i` is the unquoted keyword `kw`, or the symbol `kw` (`(`).
    fn is(&self, i: usize, kw: &str) -> bool {
        match self.0.get(i).map(|t| &t.token) {
            Some(Token::Word(word)) => {
                word.quote_style.is_none() && word.value.eq_ignore_ascii_case(kw)
            }
            Some(Token::LParen) => kw == "(",
            _ => false,
        }
    }

    /// Skips the optional keywords `kws` (space-separated, all or nothing) at `i`.
    fn skip(&self, i: usize, kws: &str) -> usize {
        let words: Vec<&str> = kws.split(' ').collect();
        if words.iter().enumerate().all(|(k, kw)| self.is(i + k, kw)) {
            i + words.len()
        } else {
            i
        }
    }

    /// The identifier at `i` as PostgreSQL resolves it (unquoted folds to lower case).
    fn ident(&self, i: usize) -> Option<String> {
        match &self.0.get(i)?.token {
            Token::Word(word) if word.quote_style == Some('"') => Some(word.value.clone()),
            Token::Word(word) if word.quote_style.is_none() => Some(word.value.to_lowercase()),
            _ => None,
        }
    }

    /// The possibly schema-qualified name at `i`: its last part, and the index after it.
    fn name(&self, i: usize) -> Option<(String, usize)> {
        let mut last = self.ident(i)?;
        let mut next = i + 1;
        while matches!(self.0.get(next).map(|t| &t.token), Some(Token::Period)) {
            last = self.ident(next + 1)?;
            next += 2;
        }
        Some((last, next))
    }

    fn classify(&self) -> StatementKind {
        if self.is(0, "CREATE") {
            let mut i = self.skip(1, "OR REPLACE");
            let unique = self.is(i, "UNIQUE");
            i = self.skip(i, "UNIQUE");
            if self.is(i, "INDEX") {
                return self.create_index(i + 1, unique);
            }
            for modifier in ["GLOBAL", "LOCAL", "TEMPORARY", "TEMP", "UNLOGGED"] {
                i = self.skip(i, modifier);
            }
            if self.is(i, "TABLE") {
                let i = self.skip(i + 1, "IF NOT EXISTS");
                if let Some((table, _)) = self.name(i) {
                    return StatementKind::CreateTable { table };
                }
            }
        } else if self.is(0, "DROP") && self.is(1, "INDEX") {
            let concurrently = self.is(2, "CONCURRENTLY");
            let mut i = self.skip(self.skip(2, "CONCURRENTLY"), "IF EXISTS");
            let mut names = Vec::new();
            while let Some((name, next)) = self.name(i) {
                names.push(name);
                if !matches!(self.0.get(next).map(|t| &t.token), Some(Token::Comma)) {
                    break;
                }
                i = next + 1;
            }
            if !names.is_empty() {
                return StatementKind::DropIndex {
                    names,
                    concurrently,
                };
            }
        } else if self.is(0, "ALTER") && self.is(1, "TABLE") {
            let i = self.skip(self.skip(2, "IF EXISTS"), "ONLY");
            if let Some((table, _)) = self.name(i) {
                return StatementKind::AlterTable { table };
            }
        } else if ["BEGIN", "COMMIT", "END", "ROLLBACK", "ABORT"]
            .iter()
            .any(|kw| self.is(0, kw))
            || (self.is(0, "START") && self.is(1, "TRANSACTION"))
        {
            return StatementKind::Transaction;
        }
        StatementKind::Other
    }

    /// `CREATE [UNIQUE] INDEX` from `i` on: `[CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] table`.
    fn create_index(&self, i: usize, unique: bool) -> StatementKind {
        let concurrently = self.is(i, "CONCURRENTLY");
        let mut i = self.skip(self.skip(i, "CONCURRENTLY"), "IF NOT EXISTS");
        let mut name = None;
        if !self.is(i, "ON")
            && let Some((index, next)) = self.name(i)
        {
            name = Some(index);
            i = next;
        }
        if !self.is(i, "ON") {
            return StatementKind::Other;
        }
        match self.name(self.skip(i + 1, "ONLY")) {
            Some((table, _)) => StatementKind::CreateIndex {
                name,
                table,
                unique,
                concurrently,
            },
            None => StatementKind::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<StatementKind> {
        parse(FileId(0), text, 0)
            .value
            .into_iter()
            .map(|s| s.kind)
            .collect()
    }

    #[test]
    fn splits_on_top_level_semicolons_only() {
        let text = "CREATE INDEX i ON \"t\" (a);\n-- a comment; with a semicolon\nSELECT 'a;b';\n\
                    CREATE UNIQUE INDEX CONCURRENTLY j ON s.u (b)";
        let parsed = parse(FileId(0), text, 0);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let statements = parsed.value;
        assert_eq!(statements.len(), 3);
        assert_eq!(statements[0].sql, "CREATE INDEX i ON \"t\" (a);");
        assert_eq!(
            statements[0].kind,
            StatementKind::CreateIndex {
                name: Some("i".into()),
                table: "t".into(),
                unique: false,
                concurrently: false
            }
        );
        assert_eq!(statements[1].sql, "SELECT 'a;b';");
        assert_eq!(
            statements[2].kind,
            StatementKind::CreateIndex {
                name: Some("j".into()),
                table: "u".into(),
                unique: true,
                concurrently: true
            }
        );
        // Spans point at the statement's first character.
        assert_eq!(&text[statements[1].span.start as usize..][..6], "SELECT");
    }

    #[test]
    fn rejected_statements_are_kept_opaque_with_their_position() {
        let text = "SELECT 1;\nFROBNICATE the table;\nSELECT 2;";
        let parsed = parse(FileId(0), text, 100);
        assert_eq!(parsed.value.len(), 3);
        assert_eq!(parsed.value[1].kind, StatementKind::Opaque);
        assert_eq!(parsed.value[1].sql, "FROBNICATE the table;");
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.diagnostics[0].span.start, 110);
        assert_eq!(parsed.value[2].kind, StatementKind::Other);
    }

    #[test]
    fn unterminated_string_keeps_the_rest_as_one_opaque_statement() {
        let parsed = parse(FileId(0), "SELECT 1; SELECT 'oops", 0);
        assert_eq!(parsed.value.len(), 2);
        assert_eq!(parsed.value[1].sql, "SELECT 'oops");
        assert_eq!(parsed.value[1].kind, StatementKind::Opaque);
    }

    #[test]
    fn deep_nesting_is_read_without_recursion() {
        let text = format!("SELECT {}1{};", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(kinds(&text), [StatementKind::Other]);
        let unclosed = format!("SELECT {}1;", "(".repeat(10_000));
        let parsed = parse(FileId(0), &unclosed, 0);
        assert_eq!(parsed.value[0].kind, StatementKind::Opaque);
        assert!(
            parsed.diagnostics[0]
                .kind
                .to_string()
                .contains("never closed"),
            "{:?}",
            parsed.diagnostics
        );
    }

    #[test]
    fn statements_are_classified_from_their_words() {
        let cases = [
            (
                "create index if not exists \"Idx\" on only public.Orders (a)",
                StatementKind::CreateIndex {
                    name: Some("Idx".into()),
                    table: "orders".into(),
                    unique: false,
                    concurrently: false,
                },
            ),
            (
                "CREATE INDEX CONCURRENTLY ON t (a)",
                StatementKind::CreateIndex {
                    name: None,
                    table: "t".into(),
                    unique: false,
                    concurrently: true,
                },
            ),
            (
                "DROP INDEX CONCURRENTLY IF EXISTS s.a, \"B\" CASCADE",
                StatementKind::DropIndex {
                    names: vec!["a".into(), "B".into()],
                    concurrently: true,
                },
            ),
            (
                "CREATE UNLOGGED TABLE IF NOT EXISTS \"t\" (id int)",
                StatementKind::CreateTable { table: "t".into() },
            ),
            (
                "ALTER TABLE IF EXISTS ONLY \"shop\".\"t\" ADD COLUMN a int",
                StatementKind::AlterTable { table: "t".into() },
            ),
            (
                "START TRANSACTION ISOLATION LEVEL SERIALIZABLE",
                StatementKind::Transaction,
            ),
            ("end", StatementKind::Transaction),
            ("ALTER INDEX i RENAME TO j", StatementKind::Other),
            ("(SELECT 1) UNION (SELECT 2)", StatementKind::Other),
        ];
        for (sql, kind) in cases {
            assert_eq!(kinds(sql), [kind], "{sql}");
        }
    }

    #[test]
    fn malformed_statements_say_what_and_where() {
        for (sql, expected) in [
            ("SELECT (1;", "`(` at Line: 1, Column: 8 is never closed"),
            ("SELECT 1);", "`)` at Line: 1, Column: 9 closes nothing"),
            (
                "SELECT a[1);",
                "`)` at Line: 1, Column: 11 does not close `[`",
            ),
            (
                "42 AND 43;",
                "`42` at Line: 1, Column: 1 does not start a PostgreSQL command",
            ),
        ] {
            let parsed = parse(FileId(0), sql, 0);
            assert_eq!(parsed.value[0].kind, StatementKind::Opaque, "{sql}");
            let message = parsed.diagnostics[0].kind.to_string();
            assert!(message.contains(expected), "{sql}: {message}");
        }
    }

    #[test]
    fn empty_and_comment_only_input_has_no_statements() {
        assert!(kinds("").is_empty());
        assert!(kinds("  -- nothing\n/* here */\n;;").is_empty());
    }
}
