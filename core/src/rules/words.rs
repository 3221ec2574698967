//! A statement's SQL as words and symbols, for rules about statements the typed
//! [`crate::sql::StatementKind`] does not distinguish (`TRUNCATE`, `SET lock_timeout`,
//! `CREATE TRIGGER`, …).
//!
//! In: one statement's SQL text. Out: its significant tokens; comments and whitespace are
//! dropped, string and dollar-quoted bodies are single literals (so a function body's words
//! never look like statements). Invariant: text the tokenizer rejects gives no tokens, so a
//! rule never fires on what it could not read (`runsql-opaque` covers that statement).

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// One significant token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A keyword or identifier; `quoted` for `"Name"`.
    Word { text: String, quoted: bool },
    /// Punctuation or an operator.
    Sym(String),
    /// A number, string or dollar-quoted body.
    Lit(String),
}

impl Tok {
    /// Whether this is the unquoted keyword `kw`.
    pub(crate) fn is(&self, kw: &str) -> bool {
        matches!(self, Self::Word { text, quoted: false } if text.eq_ignore_ascii_case(kw))
    }

    /// Whether this is the symbol `s`.
    pub(crate) fn is_sym(&self, s: &str) -> bool {
        matches!(self, Self::Sym(t) if t == s)
    }

    /// The identifier as PostgreSQL resolves it (unquoted folds to lower case).
    pub(crate) fn ident(&self) -> Option<String> {
        match self {
            Self::Word { text, quoted: true } => Some(text.clone()),
            Self::Word {
                text,
                quoted: false,
            } => Some(text.to_ascii_lowercase()),
            _ => None,
        }
    }
}

/// The tokens of one statement.
#[derive(Clone, Debug, Default)]
pub(crate) struct Words {
    toks: Vec<Tok>,
}

impl Words {
    /// Tokenizes `sql`; rejected text gives no tokens.
    pub(crate) fn new(sql: &str) -> Self {
        let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize() else {
            return Self::default();
        };
        let toks = tokens
            .into_iter()
            .filter_map(|token| {
                Some(match token {
                    Token::Whitespace(_) | Token::EOF => return None,
                    Token::Word(word) => Tok::Word {
                        text: word.value,
                        quoted: word.quote_style == Some('"'),
                    },
                    Token::Number(n, _) => Tok::Lit(n),
                    Token::SingleQuotedString(s)
                    | Token::EscapedStringLiteral(s)
                    | Token::NationalStringLiteral(s)
                    | Token::UnicodeStringLiteral(s) => Tok::Lit(s),
                    Token::DollarQuotedString(s) => Tok::Lit(s.value),
                    other => Tok::Sym(other.to_string()),
                })
            })
            .collect();
        Self { toks }
    }

    /// The tokens.
    pub(crate) fn toks(&self) -> &[Tok] {
        &self.toks
    }

    /// The token at `i`.
    pub(crate) fn get(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i)
    }

    /// Whether the statement starts with the keywords `kws` (space-separated).
    pub(crate) fn starts(&self, kws: &str) -> bool {
        self.at(0, kws)
    }

    /// Whether the keywords `kws` (space-separated) come at `i`.
    pub(crate) fn at(&self, i: usize, kws: &str) -> bool {
        kws.split(' ')
            .enumerate()
            .all(|(k, kw)| self.toks.get(i + k).is_some_and(|t| t.is(kw)))
    }

    /// Where the keywords `kws` first come outside parentheses, at or after `from`.
    pub(crate) fn find(&self, from: usize, kws: &str) -> Option<usize> {
        let mut depth = 0usize;
        for (i, tok) in self.toks.iter().enumerate() {
            if tok.is_sym("(") || tok.is_sym("[") {
                depth = depth.saturating_add(1);
            } else if tok.is_sym(")") || tok.is_sym("]") {
                depth = depth.saturating_sub(1);
            } else if depth == 0 && i >= from && self.at(i, kws) {
                return Some(i);
            }
        }
        None
    }

    /// Whether the keywords `kws` come anywhere, even inside parentheses.
    pub(crate) fn contains(&self, kws: &str) -> bool {
        (0..self.toks.len()).any(|i| self.at(i, kws))
    }

    /// The possibly schema-qualified name starting at `i`: its last part, and the index
    /// after it.
    pub(crate) fn name(&self, i: usize) -> Option<(String, usize)> {
        let mut last = self.toks.get(i)?.ident()?;
        let mut next = i + 1;
        while self.toks.get(next).is_some_and(|t| t.is_sym(".")) {
            last = self.toks.get(next + 1)?.ident()?;
            next += 2;
        }
        Some((last, next))
    }

    /// The name after the keywords that open the statement, skipping `IF [NOT] EXISTS`
    /// and `ONLY` (`ALTER TABLE IF EXISTS ONLY "t"` → `t`).
    pub(crate) fn name_after(&self, i: usize) -> Option<(String, usize)> {
        let mut i = i;
        loop {
            if self.at(i, "IF NOT EXISTS") {
                i += 3;
            } else if self.at(i, "IF EXISTS") {
                i += 2;
            } else if self.at(i, "ONLY") {
                i += 1;
            } else {
                return self.name(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_skip_comments_and_keep_bodies_whole() {
        let words = Words::new(
            "-- a comment\nTRUNCATE /* x */ ONLY \"Shop\".\"Order\" CASCADE; SELECT $$ DROP SCHEMA x $$",
        );
        assert!(words.starts("TRUNCATE"));
        assert_eq!(
            words.name_after(1).map(|(n, _)| n).as_deref(),
            Some("Order")
        );
        assert!(words.find(0, "CASCADE").is_some());
        assert!(!words.contains("DROP SCHEMA"));
        assert!(Words::new("SELECT 'unterminated").toks().is_empty());
    }
}
