//! A small lexer over statement text, for the plan's rewrites.
//!
//! The rewrites change a few words of statements Django generated (or a `.sql` file holds),
//! and must leave every other byte as written: so tokens keep their byte ranges in the text,
//! and a rewrite splices text rather than printing a syntax tree back. Strings, quoted
//! identifiers, dollar quotes and comments are skipped whole, so a keyword inside them never
//! matches. Anything unusual (an unterminated quote) ends the token stream; the rewrites then
//! see a shape they do not recognise and keep the statement as written.

/// One significant token and where it is in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token<'t> {
    /// The token's text, exactly as written (quotes included).
    pub(crate) text: &'t str,
    /// Byte offset of its first character.
    pub(crate) start: usize,
    /// Byte offset just past it.
    pub(crate) end: usize,
    /// Parenthesis depth it is at (0 at the top level).
    pub(crate) depth: u32,
}

impl Token<'_> {
    /// Whether this is the unquoted keyword `kw` (any case).
    pub(crate) fn is(&self, kw: &str) -> bool {
        self.text.eq_ignore_ascii_case(kw)
            && self
                .text
                .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
    }

    /// The identifier as PostgreSQL resolves it: quotes removed (`""` unescaped), unquoted
    /// names folded to lower case. `None` for symbols and literals.
    pub(crate) fn ident(&self) -> Option<String> {
        if let Some(inner) = self
            .text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
        {
            return Some(inner.replace("\"\"", "\""));
        }
        self.text
            .starts_with(|c: char| c.is_alphabetic() || c == '_')
            .then(|| self.text.to_lowercase())
    }
}

/// The significant tokens of `sql`.
pub(crate) fn tokens(sql: &str) -> Vec<Token<'_>> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut depth: u32 = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0c => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = find_from(bytes, i, b"\n").map_or(bytes.len(), |at| at + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let Some(at) = find_from(bytes, i + 2, b"*/") else {
                    break;
                };
                i = at + 2;
                continue;
            }
            b'\'' | b'"' => {
                let Some(end) = quoted_end(bytes, i, b) else {
                    break;
                };
                i = end;
            }
            b'$' => {
                // `$tag$ … $tag$` (or a positional parameter `$1`).
                let tag_end = bytes
                    .iter()
                    .enumerate()
                    .skip(i + 1)
                    .find(|(_, c)| !(c.is_ascii_alphanumeric() || **c == b'_'))
                    .map(|(at, _)| at);
                match tag_end {
                    Some(at) if bytes.get(at) == Some(&b'$') => {
                        let tag = bytes.get(i..=at).unwrap_or_default();
                        let Some(close) = find_from(bytes, at + 1, tag) else {
                            break;
                        };
                        i = close + tag.len();
                    }
                    Some(at) => i = at,
                    None => i = bytes.len(),
                }
            }
            b'(' => {
                i += 1;
                push(&mut out, sql, start, i, depth);
                depth += 1;
                continue;
            }
            b')' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => {
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c >= 0x80)
                {
                    i += 1;
                }
                // `1.5`, `1e3`: one literal.
                if c.is_ascii_digit() {
                    while bytes
                        .get(i)
                        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.')
                    {
                        i += 1;
                    }
                }
            }
            b':' if bytes.get(i + 1) == Some(&b':') => i += 2,
            _ => i += 1,
        }
        push(&mut out, sql, start, i, depth);
    }
    out
}

fn push<'t>(out: &mut Vec<Token<'t>>, sql: &'t str, start: usize, end: usize, depth: u32) {
    if let Some(text) = sql.get(start..end) {
        out.push(Token {
            text,
            start,
            end,
            depth,
        });
    }
}

/// The end (exclusive) of the quoted token starting at `start` with `quote`; a doubled quote
/// is an escaped one.
fn quoted_end(bytes: &[u8], start: usize, quote: u8) -> Option<usize> {
    let mut i = start + 1;
    loop {
        match bytes.get(i) {
            None => return None,
            Some(&c) if c == quote => {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            Some(_) => i += 1,
        }
    }
}

fn find_from(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| at + from)
}

/// The statements of `sql` split at top-level semicolons, each trimmed, without the `;`.
pub(crate) fn split_statements(sql: &str) -> Vec<&str> {
    split_at(sql, |t| t.text == ";" && t.depth == 0)
}

/// `sql` split at tokens `at` says are separators; pieces are trimmed, empty ones dropped.
pub(crate) fn split_at(sql: &str, at: impl Fn(&Token<'_>) -> bool) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut from = 0;
    for token in tokens(sql) {
        if at(&token) {
            pieces.push(sql.get(from..token.start).unwrap_or("").trim());
            from = token.end;
        }
    }
    pieces.push(sql.get(from..).unwrap_or("").trim());
    pieces.retain(|p| !p.is_empty());
    pieces
}

/// Text of `sql` from the start of token `from` to the end of token `to` (inclusive).
pub(crate) fn between<'t>(sql: &'t str, tokens: &[Token<'_>], from: usize, to: usize) -> &'t str {
    match (tokens.get(from), tokens.get(to)) {
        (Some(a), Some(b)) if a.start <= b.end => sql.get(a.start..b.end).unwrap_or(""),
        _ => "",
    }
}

/// Whether the tokens starting at `at` are the keywords `words`.
pub(crate) fn words_at(tokens: &[Token<'_>], at: usize, words: &[&str]) -> bool {
    words
        .iter()
        .enumerate()
        .all(|(i, w)| tokens.get(at + i).is_some_and(|t| t.is(w)))
}

/// The index of the first top-level token at or after `from` that is one of `words`.
pub(crate) fn find_word(tokens: &[Token<'_>], from: usize, words: &[&str]) -> Option<usize> {
    tokens
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, t)| t.depth == 0 && words.iter().any(|w| t.is(w)))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_comments_and_dollar_quotes_are_single_tokens() {
        let sql =
            "UPDATE t SET a = 'x;y', \"B\"\"c\" = $f$ ; $f$ -- c;\n/* ; */ WHERE (a IS NULL);";
        let texts: Vec<&str> = tokens(sql).iter().map(|t| t.text).collect();
        assert_eq!(
            texts,
            [
                "UPDATE",
                "t",
                "SET",
                "a",
                "=",
                "'x;y'",
                ",",
                "\"B\"\"c\"",
                "=",
                "$f$ ; $f$",
                "WHERE",
                "(",
                "a",
                "IS",
                "NULL",
                ")",
                ";"
            ]
        );
        assert_eq!(tokens(sql)[7].ident().as_deref(), Some("B\"c"));
        assert_eq!(tokens(sql)[12].depth, 1);
        assert_eq!(split_statements(sql).len(), 1);
    }

    #[test]
    fn splits_statements_and_survives_unterminated_input() {
        assert_eq!(
            split_statements("UPDATE t SET a = 1; SET CONSTRAINTS ALL IMMEDIATE;"),
            ["UPDATE t SET a = 1", "SET CONSTRAINTS ALL IMMEDIATE"]
        );
        // Nothing after an unterminated quote is a token; no panic.
        assert_eq!(tokens("SELECT 'abc").len(), 1);
        assert_eq!(tokens("SELECT $x$abc").len(), 1);
        assert_eq!(tokens("é ü").len(), 2);
    }
}
