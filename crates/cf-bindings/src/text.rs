//! Text helpers shared by errors, logs and exported files.

use std::time::Duration;

/// `1.5s`, `250ms`, `2m 5s`.
pub(crate) fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        let s = d.as_secs_f64();
        if ms.is_multiple_of(1000) {
            format!("{}s", ms / 1000)
        } else {
            format!("{s:.1}s")
        }
    } else if ms < 3_600_000 {
        let s = d.as_secs();
        format!("{}m {}s", s / 60, s % 60)
    } else {
        let s = d.as_secs();
        format!("{}h {}m {}s", s / 3600, s % 3600 / 60, s % 60)
    }
}

/// Whether `c` must not reach a terminal or a reviewed file as it is: a control
/// character, a Unicode format character (general category Cf: bidirectional marks,
/// embeddings, overrides and isolates, zero-width characters, invisible operators,
/// tags...) or a line or paragraph separator (U+2028, U+2029), which some terminals
/// take as a line break. Text from a server (a description, a message) is shown
/// with these escaped, so that it cannot move the cursor or make a reader see
/// other text than is there.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{600}'..='\u{605}'
                | '\u{61c}'
                | '\u{6dd}'
                | '\u{70f}'
                | '\u{890}'..='\u{891}'
                | '\u{8e2}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{110bd}'
                | '\u{110cd}'
                | '\u{13430}'..='\u{1343f}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0001}'
                | '\u{e0020}'..='\u{e007f}'
        )
}

/// Pushes `c` to `out`, escaped when [`is_invisible`]: a control character as Rust
/// writes it (`\n`, `\u{1b}`), another as its code point (`\u{202e}`).
pub fn push_visible(out: &mut String, c: char) {
    if c.is_control() {
        out.extend(c.escape_debug());
    } else if is_invisible(c) {
        out.extend(c.escape_unicode());
    } else {
        out.push(c);
    }
}

/// Collapses whitespace runs (newlines included) into single spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` cut after `max_chars` characters, with `…` to show the cut: every text
/// from the server that the crate keeps is bounded, so one hostile header or
/// field cannot fill a terminal or a log.
pub(crate) fn capped(mut text: String, max_chars: usize) -> String {
    if let Some((end, _)) = text.char_indices().nth(max_chars) {
        text.truncate(end);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_invisible_is_escaped_and_the_rest_kept() {
        let text = "a\nb\u{202e}c\u{1b}[31m é \u{e0041}\u{2028}\"\\";
        let mut out = String::new();
        text.chars().for_each(|c| push_visible(&mut out, c));
        assert_eq!(out, "a\\nb\\u{202e}c\\u{1b}[31m é \\u{e0041}\\u{2028}\"\\");
        assert!(!"plain ASCII, é, 名前".chars().any(is_invisible));
    }

    #[test]
    fn capped_cuts_on_a_character_and_marks_the_cut() {
        assert_eq!(capped("abc".to_owned(), 3), "abc");
        assert_eq!(capped("abcd".to_owned(), 3), "abc…");
        assert_eq!(capped("ééé".to_owned(), 2), "éé…");
        assert_eq!(capped(String::new(), 0), "");
        assert_eq!(capped("a".to_owned(), 0), "…");
    }
}
