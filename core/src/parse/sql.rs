//! SQL text → [`Statement`]s with spans, through sqlparser's PostgreSQL dialect.
//!
//! In: a `.sql` file or a `RunSQL` string. Out: every statement, in order. The text is split
//! on top-level semicolons by sqlparser's own tokenizer (so semicolons in strings, comments and
//! dollar quotes are respected) and each statement is parsed on its own, so one statement
//! sqlparser rejects does not hide the others. Invariant: nothing is dropped; a rejected
//! statement is kept verbatim as [`StatementKind::Opaque`] with a diagnostic at its position.

use sqlparser::ast;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::{Diagnostic, DiagnosticKind, Parsed};
use crate::span::{FileId, LineIndex, Span};
use crate::sql::{Statement, StatementKind};

/// sqlparser's nesting limit; deeper input is reported, not a stack overflow.
const RECURSION_LIMIT: usize = 50;

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
            Some(message) => Err(message),
            None => parse_one(dialect, tokens),
        };
        let kind = outcome.unwrap_or_else(|message| {
            diagnostics.push(Diagnostic {
                kind: DiagnosticKind::OpaqueSql { message },
                span,
            });
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

fn parse_one(
    dialect: PostgreSqlDialect,
    tokens: Vec<TokenWithSpan>,
) -> Result<StatementKind, String> {
    // Comments are whitespace to the parser; a statement of only comments is nothing to run.
    if tokens.is_empty() {
        return Ok(StatementKind::Other);
    }
    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens);
    let statement = parser.parse_statement().map_err(|e| e.to_string())?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(format!(
            "unexpected {} after the statement at {}",
            next.token, next.span.start
        ));
    }
    Ok(classify(&statement))
}

fn classify(statement: &ast::Statement) -> StatementKind {
    match statement {
        ast::Statement::CreateIndex(index) => StatementKind::CreateIndex {
            name: index.name.as_ref().map(last_ident),
            table: last_ident(&index.table_name),
            unique: index.unique,
            concurrently: index.concurrently,
        },
        ast::Statement::Drop {
            object_type: ast::ObjectType::Index,
            names,
            ..
        } => StatementKind::DropIndex {
            names: names.iter().map(last_ident).collect(),
            concurrently: false,
        },
        ast::Statement::CreateTable(table) => StatementKind::CreateTable {
            table: last_ident(&table.name),
        },
        ast::Statement::AlterTable(alter) => StatementKind::AlterTable {
            table: last_ident(&alter.name),
        },
        ast::Statement::StartTransaction { .. }
        | ast::Statement::Commit { .. }
        | ast::Statement::Rollback { .. } => StatementKind::Transaction,
        _ => StatementKind::Other,
    }
}

/// The unquoted last part of a possibly schema-qualified name.
fn last_ident(name: &ast::ObjectName) -> String {
    name.0
        .last()
        .and_then(ast::ObjectNamePart::as_ident)
        .map_or_else(|| name.to_string(), |ident| ident.value.clone())
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
    fn deep_nesting_is_reported_not_overflowed() {
        let text = format!("SELECT {}1{};", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(kinds(&text), [StatementKind::Opaque]);
    }

    #[test]
    fn empty_and_comment_only_input_has_no_statements() {
        assert!(kinds("").is_empty());
        assert!(kinds("  -- nothing\n/* here */\n;;").is_empty());
    }
}
