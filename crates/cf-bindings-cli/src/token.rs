//! `--token-file`: the API token read from a file, or from standard input.

use std::path::Path;

use cf_bindings::Secret;

use crate::failure::Failure;
use crate::input;

/// The largest token file read. A Cloudflare API token is about 40 bytes; a file
/// this large is the wrong file, and reading no further keeps a huge file or an
/// endless stdin from being read whole and sent as a header.
pub const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

/// Reads a token from a file, or from standard input for `-`; surrounding white
/// space is dropped.
pub fn read(path: &Path) -> Result<Secret, Failure> {
    let from = input::name(path);
    let cannot_read =
        |e: std::io::Error| Failure::usage(format!("cannot read the token from {from}: {e}"));
    let Some(bytes) = input::read_bounded(path, MAX_TOKEN_FILE_BYTES).map_err(cannot_read)? else {
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
