//! Byte spans into a source file, and their rendering as line and column.
//!
//! Every stage keeps byte ranges ([`Span`]); line and column are computed only when a location
//! is shown to a person ([`LineIndex`]), so spans stay cheap to copy and compare.

use serde::Serialize;

/// Index of a file in the slice given to [`crate::analyze`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FileId(pub u32);

/// A byte range `start..end` in one file. `start == end` marks a position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span over `start..end` of `file`.
    pub fn new(file: FileId, start: u32, end: u32) -> Self {
        Self { file, start, end }
    }

    /// The empty span at the start of `file`.
    pub fn file_start(file: FileId) -> Self {
        Self::new(file, 0, 0)
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn cover(self, other: Span) -> Span {
        Span::new(
            self.file,
            self.start.min(other.start),
            self.end.max(other.end),
        )
    }
}

/// A position as people read it: 1-based line and 1-based column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LineColumn {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

/// Start offsets of the lines of one text, to turn byte offsets into [`LineColumn`] and back.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    /// Indexes `text`. Offsets beyond `u32::MAX` are clamped; inputs that large are refused
    /// earlier by [`crate::source`].
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        Self { line_starts }
    }

    /// The line and column of byte `offset` in `text` (the same text given to [`LineIndex::new`]).
    pub fn line_column(&self, text: &str, offset: u32) -> LineColumn {
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1)
            - 1;
        let line_start = self.line_starts.get(line).copied().unwrap_or(0);
        let prefix = text
            .get(line_start as usize..(offset as usize).min(text.len()))
            .unwrap_or("");
        LineColumn {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            column: u32::try_from(prefix.chars().count() + 1).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of a 1-based `line` and character `column` (as sqlparser reports them),
    /// clamped to the text.
    pub fn offset(&self, text: &str, line: u64, column: u64) -> u32 {
        let line = usize::try_from(line.max(1) - 1).unwrap_or(usize::MAX);
        let Some(&start) = self.line_starts.get(line) else {
            return u32::try_from(text.len()).unwrap_or(u32::MAX);
        };
        let rest = text.get(start as usize..).unwrap_or("");
        let skip = usize::try_from(column.max(1) - 1).unwrap_or(usize::MAX);
        let within = rest.char_indices().nth(skip).map_or(rest.len(), |(i, _)| i);
        start.saturating_add(u32::try_from(within).unwrap_or(u32::MAX))
    }

    /// The text of the 1-based `line`, without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: u32) -> &'t str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1) as usize) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line as usize)
            .map_or(text.len(), |&next| next as usize);
        text.get(start as usize..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "ab\nçd\n\nx";
        let index = LineIndex::new(text);
        assert_eq!(
            index.line_column(text, 0),
            LineColumn { line: 1, column: 1 }
        );
        assert_eq!(
            index.line_column(text, 3),
            LineColumn { line: 2, column: 1 }
        );
        // `ç` is two bytes: byte 5 is the second character of line 2.
        assert_eq!(
            index.line_column(text, 5),
            LineColumn { line: 2, column: 2 }
        );
        assert_eq!(
            index.line_column(text, 8),
            LineColumn { line: 4, column: 1 }
        );
        assert_eq!(index.line_text(text, 2), "çd");
        assert_eq!(index.line_text(text, 9), "");
    }

    #[test]
    fn offset_inverts_line_column() {
        let text = "select 1;\n  çreate x;";
        let index = LineIndex::new(text);
        for offset in [0, 4, 10, 12, 14] {
            let lc = index.line_column(text, offset);
            assert_eq!(
                index.offset(text, u64::from(lc.line), u64::from(lc.column)),
                offset
            );
        }
        assert_eq!(index.offset(text, 99, 1), 22);
    }
}
