//! Reading what the user points at: a file, or standard input for `-`, never
//! more than a cap, so a huge file or an endless stdin is refused instead of read
//! whole.

use std::io::{self, Read};
use std::path::Path;

/// The bytes of `path` (standard input for `-`): `Ok(None)` when there are more
/// than `cap`.
pub fn read_bounded(path: &Path, cap: u64) -> io::Result<Option<Vec<u8>>> {
    if path.as_os_str() == "-" {
        bounded(io::stdin().lock(), cap)
    } else {
        bounded(std::fs::File::open(path)?, cap)
    }
}

/// Reads at most `cap` bytes, and one more to tell whether there was more.
fn bounded(reader: impl Read, cap: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= cap).then_some(bytes))
}

/// How a path is named in messages: `standard input` for `-`.
pub fn name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_after_the_cap() {
        assert_eq!(bounded(io::repeat(b'a'), 1024).ok(), Some(None));
        let full = vec![b'a'; 1024];
        assert_eq!(
            bounded(full.as_slice(), 1024)
                .ok()
                .flatten()
                .map(|b| b.len()),
            Some(1024)
        );
        assert_eq!(bounded(&b""[..], 0).ok(), Some(Some(Vec::new())));
    }
}
