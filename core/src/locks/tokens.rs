//! SQL text → simple tokens, split into single statements.
//!
//! sqlparser's tokenizer reads everything Django emits (dollar quotes, `::` casts,
//! `SET CONSTRAINTS … IMMEDIATE; ALTER TABLE …` in one string); the lock classifier only needs
//! words, symbols and literals, so tokens are flattened to [`Tok`] and whitespace and comments
//! dropped.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// One significant token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    /// A word: keyword or identifier. `quoted` for `"Name"`.
    Word {
        /// The text; unquoted words keep their spelling (compare keywords case-insensitively).
        text: String,
        /// Whether it was a quoted identifier.
        quoted: bool,
    },
    /// Punctuation or an operator, as written (`(`, `,`, `::`, `.`).
    Sym(String),
    /// A literal: number, string, dollar-quoted body.
    Lit(String),
}

impl Tok {
    /// Whether this is the unquoted keyword `kw` (given in upper case).
    pub(super) fn is(&self, kw: &str) -> bool {
        matches!(self, Self::Word { text, quoted: false } if text.eq_ignore_ascii_case(kw))
    }

    /// Whether this is the symbol `s`.
    pub(super) fn is_sym(&self, s: &str) -> bool {
        matches!(self, Self::Sym(t) if t == s)
    }

    /// An identifier as PostgreSQL resolves it: quoted kept, unquoted folded to lower case.
    pub(super) fn ident(&self) -> Option<String> {
        match self {
            Self::Word { text, quoted: true } => Some(text.clone()),
            Self::Word {
                text,
                quoted: false,
            } => Some(text.to_ascii_lowercase()),
            _ => None,
        }
    }

    /// The text as it would be written back (for types and notes).
    pub(super) fn text(&self) -> String {
        match self {
            Self::Word { text, quoted: true } => format!("\"{text}\""),
            Self::Word { text, .. } | Self::Sym(text) | Self::Lit(text) => text.clone(),
        }
    }
}

/// The statements in `sql`, each as its significant tokens, or the tokenizer's error.
pub(super) fn statements(sql: &str) -> Result<Vec<Vec<Tok>>, String> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize()
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut current = Vec::new();
    for token in tokens {
        let tok = match token {
            Token::Whitespace(_) | Token::EOF => continue,
            Token::SemiColon => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                continue;
            }
            Token::Word(word) => Tok::Word {
                text: word.value,
                quoted: word.quote_style == Some('"'),
            },
            Token::Number(n, _) => Tok::Lit(n),
            Token::SingleQuotedString(s)
            | Token::EscapedStringLiteral(s)
            | Token::NationalStringLiteral(s)
            | Token::UnicodeStringLiteral(s) => Tok::Lit(format!("'{s}'")),
            Token::DollarQuotedString(s) => Tok::Lit(s.value),
            other => Tok::Sym(other.to_string()),
        };
        current.push(tok);
    }
    if !current.is_empty() {
        out.push(current);
    }
    Ok(out)
}

/// A cursor over one statement's tokens.
#[derive(Clone, Debug)]
pub(super) struct Cursor<'t> {
    tokens: &'t [Tok],
    at: usize,
}

impl<'t> Cursor<'t> {
    /// A cursor at the first token.
    pub(super) fn new(tokens: &'t [Tok]) -> Self {
        Self { tokens, at: 0 }
    }

    /// The next token.
    pub(super) fn peek(&self) -> Option<&'t Tok> {
        self.tokens.get(self.at)
    }

    /// The token `n` places ahead.
    pub(super) fn peek_at(&self, n: usize) -> Option<&'t Tok> {
        self.tokens.get(self.at.saturating_add(n))
    }

    /// Takes the next token.
    pub(super) fn bump(&mut self) -> Option<&'t Tok> {
        let tok = self.tokens.get(self.at);
        if tok.is_some() {
            self.at = self.at.saturating_add(1);
        }
        tok
    }

    /// Takes the keywords `kws` (space-separated) if they come next.
    pub(super) fn eat(&mut self, kws: &str) -> bool {
        let words: Vec<&str> = kws.split(' ').collect();
        let matches = words
            .iter()
            .enumerate()
            .all(|(i, kw)| self.peek_at(i).is_some_and(|t| t.is(kw)));
        if matches {
            self.at = self.at.saturating_add(words.len());
        }
        matches
    }

    /// Takes the symbol `s` if it comes next.
    pub(super) fn eat_sym(&mut self, s: &str) -> bool {
        let matches = self.peek().is_some_and(|t| t.is_sym(s));
        if matches {
            self.at = self.at.saturating_add(1);
        }
        matches
    }

    /// Whether the next token is the keyword `kw`.
    pub(super) fn at(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is(kw))
    }

    /// Takes a possibly schema-qualified name and returns its last part.
    pub(super) fn name(&mut self) -> Option<String> {
        let mut last = self.bump()?.ident()?;
        while self.peek().is_some_and(|t| t.is_sym(".")) {
            self.bump();
            last = self.bump()?.ident()?;
        }
        Some(last)
    }

    /// Takes a balanced parenthesised group (the cursor is at `(`) and returns its inside.
    pub(super) fn group(&mut self) -> Option<&'t [Tok]> {
        if !self.peek().is_some_and(|t| t.is_sym("(")) {
            return None;
        }
        let start = self.at.saturating_add(1);
        let mut depth = 0usize;
        while let Some(tok) = self.bump() {
            if tok.is_sym("(") {
                depth = depth.saturating_add(1);
            } else if tok.is_sym(")") {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return self.tokens.get(start..self.at.saturating_sub(1));
                }
            }
        }
        None
    }

    /// The tokens not taken yet.
    pub(super) fn rest(&self) -> &'t [Tok] {
        self.tokens.get(self.at..).unwrap_or_default()
    }
}

/// `tokens` split at commas outside parentheses and brackets.
pub(super) fn split_top_level(tokens: &[Tok]) -> Vec<&[Tok]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    for (i, tok) in tokens.iter().enumerate() {
        if tok.is_sym("(") || tok.is_sym("[") {
            depth = depth.saturating_add(1);
        } else if tok.is_sym(")") || tok.is_sym("]") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && tok.is_sym(",") {
            parts.push(tokens.get(start..i).unwrap_or_default());
            start = i.saturating_add(1);
        }
    }
    parts.push(tokens.get(start..).unwrap_or_default());
    parts.retain(|p| !p.is_empty());
    parts
}

/// Whether `tokens` contains the keyword `kw` outside parentheses.
pub(super) fn has_top_level(tokens: &[Tok], kw: &str) -> bool {
    top_level_position(tokens, kw).is_some()
}

/// Where the keyword `kw` first appears outside parentheses.
pub(super) fn top_level_position(tokens: &[Tok], kw: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, tok) in tokens.iter().enumerate() {
        if tok.is_sym("(") || tok.is_sym("[") {
            depth = depth.saturating_add(1);
        } else if tok.is_sym(")") || tok.is_sym("]") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && tok.is(kw) {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn django_pairs_split_into_two_statements() {
        let sql = "SET CONSTRAINTS \"fk\" IMMEDIATE; ALTER TABLE \"t\" DROP CONSTRAINT \"fk\";";
        let statements = statements(sql).unwrap();
        assert_eq!(statements.len(), 2);
        let mut c = Cursor::new(&statements[1]);
        assert!(c.eat("ALTER TABLE"));
        assert_eq!(c.name().as_deref(), Some("t"));
    }

    #[test]
    fn dollar_quotes_and_casts_are_single_tokens() {
        let statements =
            statements("CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN; END $$ LANGUAGE plpgsql; SELECT 'a'::text")
                .unwrap();
        assert_eq!(statements.len(), 2);
        assert!(statements[1].iter().any(|t| t.is_sym("::")));
    }
}
