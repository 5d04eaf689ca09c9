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
    // The content is never shown: it may be a token with one wrong byte.
    let (from, text) = input::read_text(
        path,
        "token file",
        MAX_TOKEN_FILE_BYTES,
        "an API token is about 40 bytes; is it the right file?",
    )?;
    let token = text.trim();
    if token.is_empty() {
        return Err(Failure::usage(format!("the token file {from} is empty")));
    }
    Ok(Secret::new(token))
}
