//! Text helpers shared by errors and logs.

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
    fn capped_cuts_on_a_character_and_marks_the_cut() {
        assert_eq!(capped("abc".to_owned(), 3), "abc");
        assert_eq!(capped("abcd".to_owned(), 3), "abc…");
        assert_eq!(capped("ééé".to_owned(), 2), "éé…");
        assert_eq!(capped(String::new(), 0), "");
        assert_eq!(capped("a".to_owned(), 0), "…");
    }
}
