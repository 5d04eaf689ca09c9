//! Aligned text tables, optionally coloured (the output module decides when), and
//! the escaping of control and format characters in text meant for a terminal.

use std::borrow::Cow;

/// `text` with its control characters escaped as Rust writes them (`\u{1b}`,
/// `\r`, `\n`), and its invisible format characters as `\u{202e}`: text from a
/// server (a service name, an error message) cannot move the cursor, change
/// colours, forge lines or reorder what the terminal shows (the bidirectional
/// overrides and isolates of "Trojan Source"). Every table cell and every message
/// on stderr goes through it.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(cf_bindings::text::is_invisible) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        cf_bindings::text::push_visible(&mut escaped, c);
    }
    Cow::Owned(escaped)
}

/// `text`, a log line of this program's own making, escaped as [`printable`] does
/// except for its line breaks and, when `colour` is on, the escape character that
/// starts its colours. The logger escapes every escape character of the values it
/// logs, so the ones left are its own.
pub fn printable_log(text: &str, colour: bool) -> Cow<'_, str> {
    let kept = |c: char| c == '\n' || (colour && c == '\u{1b}');
    if !text
        .chars()
        .any(|c| cf_bindings::text::is_invisible(c) && !kept(c))
    {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if kept(c) {
            escaped.push(c);
        } else {
            cf_bindings::text::push_visible(&mut escaped, c);
        }
    }
    Cow::Owned(escaped)
}

/// A colour for one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Good,
    Pending,
    Bad,
}

impl Tone {
    fn code(self) -> Option<&'static str> {
        match self {
            Tone::Plain => None,
            Tone::Good => Some("32"),
            Tone::Pending => Some("33"),
            Tone::Bad => Some("31"),
        }
    }
}

/// A table: a header row and rows of (text, tone) cells.
#[derive(Debug, Default)]
pub struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<(String, Tone)>>,
}

impl Table {
    /// A table with these column titles.
    pub fn new(header: Vec<&'static str>) -> Table {
        Table {
            header,
            rows: Vec::new(),
        }
    }

    /// Adds a row of plain cells, their control and format characters escaped.
    pub fn row(&mut self, cells: Vec<String>) {
        self.toned_row(cells.into_iter().map(|c| (c, Tone::Plain)).collect());
    }

    /// Adds a row of cells with tones, their control and format characters escaped.
    pub fn toned_row(&mut self, cells: Vec<(String, Tone)>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|(text, tone)| (printable(&text).into_owned(), tone))
                .collect(),
        );
    }

    /// Renders the table; the last column is not padded.
    pub fn render(&self, colour: bool) -> String {
        let columns = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, (text, _)) in widths.iter_mut().zip(row) {
                *width = (*width).max(text.chars().count());
            }
        }
        let mut out = String::new();
        let header: Vec<(String, Tone)> = self
            .header
            .iter()
            .map(|h| ((*h).to_string(), Tone::Plain))
            .collect();
        for row in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (i, ((text, tone), width)) in row.iter().zip(&widths).enumerate() {
                let padding = if i + 1 < columns {
                    " ".repeat(width - text.chars().count() + 2)
                } else {
                    String::new()
                };
                match tone.code().filter(|_| colour) {
                    Some(code) => line.push_str(&format!("\x1b[{code}m{text}\x1b[0m{padding}")),
                    None => line.push_str(&format!("{text}{padding}")),
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(printable("CDN é → ok"), "CDN é → ok");
        assert_eq!(
            printable("\u{1b}[31mred\r\n\u{7}\u{9b}"),
            "\\u{1b}[31mred\\r\\n\\u{7}\\u{9b}"
        );
        let mut table = Table::new(vec!["NAME"]);
        table.row(vec!["\u{1b}[2Jx".into()]);
        assert_eq!(table.render(false), "NAME\n\\u{1b}[2Jx\n");
    }

    #[test]
    fn format_characters_are_escaped_like_control_characters() {
        // Right-to-left override, isolates, marks, Arabic letter mark, zero-width
        // space and joiner, word joiner, byte order mark, line separator, a tag.
        let hostile = "a\u{202e}b\u{2066}c\u{2067}\u{2068}\u{2069}\u{200e}\u{200f}\u{61c}\u{200b}\u{200d}\u{2060}\u{feff}\u{2028}\u{e0041}z";
        assert_eq!(
            printable(hostile),
            "a\\u{202e}b\\u{2066}c\\u{2067}\\u{2068}\\u{2069}\\u{200e}\\u{200f}\\u{61c}\\u{200b}\\u{200d}\\u{2060}\\u{feff}\\u{2028}\\u{e0041}z"
        );
        // Letters of right-to-left scripts, and other visible text, are kept.
        assert_eq!(printable("שלום مرحبا ✓ é"), "שלום مرحبا ✓ é");
        let mut table = Table::new(vec!["NAME"]);
        table.row(vec!["CDN\u{202e}evil".into()]);
        assert_eq!(table.render(false), "NAME\nCDN\\u{202e}evil\n");
    }

    #[test]
    fn log_lines_keep_their_breaks_and_colours_only() {
        let line = "\u{1b}[33m WARN\u{1b}[0m msg \u{202e}x\r\u{7}\n";
        assert_eq!(
            printable_log(line, true),
            "\u{1b}[33m WARN\u{1b}[0m msg \\u{202e}x\\r\\u{7}\n"
        );
        assert_eq!(
            printable_log(line, false),
            "\\u{1b}[33m WARN\\u{1b}[0m msg \\u{202e}x\\r\\u{7}\n"
        );
        assert!(matches!(
            printable_log(" WARN plain\n", false),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn columns_align_and_colour_does_not_shift_them() {
        let mut table = Table::new(vec!["ID", "STATE"]);
        table.toned_row(vec![
            ("a".into(), Tone::Plain),
            ("active".into(), Tone::Good),
        ]);
        table.row(vec!["longer-id".into(), "provisioning".into()]);
        assert_eq!(
            table.render(false),
            "ID         STATE\na          active\nlonger-id  provisioning\n"
        );
        let coloured = table.render(true);
        assert!(
            coloured.contains("a          \x1b[32mactive\x1b[0m"),
            "{coloured:?}"
        );
    }
}
