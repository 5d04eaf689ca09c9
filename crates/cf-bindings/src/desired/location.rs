//! [`Location`]: where in a file something was written, and the byte-offset index
//! that computes it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A place in a desired-state file: its name, a line and a column, both counted
/// from 1 (columns in characters, so `é` counts as one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// The file's name, as given to [`Desired::parse`](crate::desired::Desired::parse).
    pub file: String,
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// The start of every line of a text, to turn byte offsets into [`Location`]s with
/// one binary search each.
pub(crate) struct LineIndex<'a> {
    file: &'a str,
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(file: &'a str, text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self { file, text, starts }
    }

    /// The location of byte `offset` (clamped to the text).
    pub(crate) fn locate(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Location {
            file: self.file.to_owned(),
            line,
            column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_from_one() {
        let index = LineIndex::new("f.toml", "ab\nçd\n\nx");
        let at = |o| {
            let l = index.locate(o);
            (l.line, l.column)
        };
        assert_eq!(at(0), (1, 1));
        assert_eq!(at(1), (1, 2));
        assert_eq!(at(3), (2, 1));
        assert_eq!(at(5), (2, 2)); // after the two-byte ç
        assert_eq!(at(7), (3, 1));
        assert_eq!(at(8), (4, 1));
        assert_eq!(at(99), (4, 2));
        assert_eq!(index.locate(3).to_string(), "f.toml:2:1");
    }
}
