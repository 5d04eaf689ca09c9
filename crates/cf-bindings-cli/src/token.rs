//! `--token-file`: the API token read from a file, or from standard input.

use std::io::Read;
use std::path::Path;

use cf_bindings::Secret;

use crate::failure::Failure;

/// The largest token file read. A Cloudflare API token is about 40 bytes; a file
/// this large is the wrong file, and reading no further keeps a huge file or an
/// endless stdin from being read whole and sent as a header.
pub const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

/// Reads a token from a file, or from standard input for `-`; surrounding white
/// space is dropped.
pub fn read(path: &Path) -> Result<Secret, Failure> {
    let from = path.display();
    let cannot_read =
        |e: std::io::Error| Failure::usage(format!("cannot read the token from {from}: {e}"));
    let bytes = if path.as_os_str() == "-" {
        read_bounded(std::io::stdin().lock()).map_err(cannot_read)?
    } else {
        read_bounded(std::fs::File::open(path).map_err(cannot_read)?).map_err(cannot_read)?
    };
    let Some(bytes) = bytes else {
        return Err(Failure::usage(format!(
            "the token file {from} is larger than {} KiB: an API token is about 40 bytes; is it the right file?",
            MAX_TOKEN_FILE_BYTES / 1024
        )));
    };
    // The content is never shown: it may be a token with one wrong byte.
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::usage(format!("the token file {from} is not UTF-8 text")))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(Failure::usage(format!("the token file {from} is empty")));
    }
    Ok(Secret::new(token))
}

/// Reads at most [`MAX_TOKEN_FILE_BYTES`], and one byte more to tell whether
/// there was more: `None` when there was.
fn read_bounded(reader: impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_TOKEN_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_TOKEN_FILE_BYTES).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_after_the_cap() {
        let endless = std::io::repeat(b'a');
        assert_eq!(read_bounded(endless).ok(), Some(None));
        let cap = usize::try_from(MAX_TOKEN_FILE_BYTES).unwrap_or(usize::MAX);
        let full = vec![b'a'; cap];
        assert_eq!(
            read_bounded(full.as_slice())
                .ok()
                .flatten()
                .map(|b| b.len()),
            Some(cap)
        );
    }
}
