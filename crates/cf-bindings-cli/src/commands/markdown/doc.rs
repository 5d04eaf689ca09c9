//! The Markdown text being written ([`Doc`]), the length GitHub allows it
//! ([`BUDGET`]), and [`md`], which escapes text from the file or the server so that
//! it can neither format the comment, nor mention anyone, nor end the marker.

use crate::table::printable;

/// The characters the text may take: GitHub refuses a comment (or an issue body)
/// over 65,536, and a workflow adds a line or two.
const BUDGET: usize = 60_000;

/// What the rows may take, the end of the text (the footer, the closing tags, the
/// notes of rows left out) being set aside.
pub(super) const ROWS_BUDGET: usize = BUDGET - 4_000;

/// `text` for Markdown: control and format characters escaped as for a terminal,
/// then every character that Markdown, GitHub or HTML would read as more than
/// text escaped: emphasis, code, links, tables, headings, math, HTML and entities,
/// mentions and issue references.
pub(super) fn md(text: &str) -> String {
    let text = printable(text);
    let mut escaped = String::with_capacity(text.len() + 8);
    for (i, c) in text.chars().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' | '$' => {
                escaped.push('\\');
                escaped.push(c);
            }
            // A list or a heading underline, only where a line could start.
            '-' | '+' | '=' if i == 0 => {
                escaped.push('\\');
                escaped.push(c);
            }
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '@' => escaped.push_str("&#64;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// The text being written, and how many of its characters rows may still take.
#[derive(Default)]
pub(super) struct Doc {
    pub(super) text: String,
    pub(super) chars: usize,
}

impl Doc {
    pub(super) fn line(&mut self, line: &str) {
        self.chars += line.chars().count() + 1;
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// A blank line, unless the text ends with one.
    pub(super) fn blank(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.line("");
        }
    }

    /// Writes `rows` while they fit in [`ROWS_BUDGET`]; the rows left out are
    /// counted on a line that `more` makes of `… and 12 more changes: …`.
    pub(super) fn rows(&mut self, rows: Vec<String>, what: &str, more: impl Fn(&str) -> String) {
        let total = rows.len();
        for (shown, row) in rows.into_iter().enumerate() {
            if self.chars + row.chars().count() + 1 > ROWS_BUDGET {
                self.line(&more(&format!(
                    "and {} more {what}, not shown: GitHub limits a comment's length; `cf-bindings plan` shows them all",
                    total - shown
                )));
                return;
            }
            self.line(&row);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_format_the_comment() {
        assert_eq!(md("Magic Transit"), "Magic Transit");
        assert_eq!(md("203.0.113.0/24"), "203.0.113.0/24");
        assert_eq!(
            md("*bold* [link](x) `code` a|b <img src=x> @team #12 $x$"),
            "\\*bold\\* \\[link\\](x) \\`code\\` a\\|b &lt;img src=x&gt; &#64;team \\#12 \\$x\\$"
        );
        assert_eq!(md("- item"), "\\- item");
        assert_eq!(md("a - b"), "a - b");
        assert_eq!(md("line\nbreak\u{1b}[31m"), "line\\\\nbreak\\\\u{1b}\\[31m");
        assert_eq!(md("\u{202e}"), "\\\\u{202e}");
    }

    #[test]
    fn rows_past_the_budget_are_counted() {
        let mut doc = Doc::default();
        let rows: Vec<String> = (0..10_000).map(|i| format!("| row {i:>5} |")).collect();
        doc.rows(rows, "changes", |n| format!("| {n} |"));
        assert!(
            doc.text.chars().count() <= ROWS_BUDGET + 200,
            "{}",
            doc.chars
        );
        let last = doc.text.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("| and ") && last.contains(" more changes, not shown"),
            "{last}"
        );
        let shown = doc.text.lines().count() - 1;
        assert!(
            last.contains(&format!("and {} more", 10_000 - shown)),
            "{last}"
        );
    }
}
