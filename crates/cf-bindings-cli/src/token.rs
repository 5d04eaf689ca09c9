//! `--token-file`: the API token read from a file, or from standard input.

use std::path::Path;

use cf_bindings::config::Secret;

use crate::exit::Failure;
use crate::input;
use crate::output;

/// The largest token file read. A Cloudflare API token is about 40 bytes; a file
/// this large is the wrong file, and reading no further keeps a huge file or an
/// endless stdin from being read whole and sent as a header.
pub const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

/// Reads a token from a file, or from standard input for `-`; surrounding white
/// space is dropped. A file that users other than its owner may read or write is
/// used, with a warning (ssh refuses such key files; a token can be revoked and
/// made anew, so this warns instead).
pub fn read(path: &Path) -> Result<Secret, Failure> {
    // The content is never shown: it may be a token with one wrong byte.
    let read = input::read(
        path,
        "token file",
        MAX_TOKEN_FILE_BYTES,
        "an API token is about 40 bytes; is it the right file?",
    )?;
    if let Some(warning) = read.mode.and_then(|mode| too_open(&read.name, mode)) {
        output::note(&warning);
    }
    let token = read.text.trim();
    if token.is_empty() {
        return Err(Failure::usage(format!(
            "the token file {} is empty",
            read.name
        )));
    }
    Ok(Secret::new(token))
}

/// The warning for a token file of permission bits `mode` that its group or
/// other users may read or write, if it is one.
fn too_open(name: &str, mode: u32) -> Option<String> {
    let who = match (mode & 0o044 != 0, mode & 0o022 != 0) {
        (true, true) => "readable and writable by other users",
        (true, false) => "readable by other users",
        (false, true) => "writable by other users",
        (false, false) if mode & 0o011 != 0 => "open to other users",
        (false, false) => return None,
    };
    Some(format!(
        "warning: the token file {name} is {who} (mode {:04o}): anyone who can read it can use the token; run `chmod 600 {name}`",
        mode & 0o7777
    ))
}

#[cfg(test)]
mod tests {
    use super::too_open;

    #[test]
    fn a_token_file_open_to_others_is_warned_of() {
        assert_eq!(too_open("t", 0o600), None);
        assert_eq!(too_open("t", 0o400), None);
        assert_eq!(too_open("t", 0o700), None);
        let warned = |mode| too_open("t", mode).unwrap_or_default();
        assert_eq!(
            warned(0o644),
            "warning: the token file t is readable by other users (mode 0644): anyone who can read it can use the token; run `chmod 600 t`"
        );
        assert!(warned(0o640).contains("readable by other users (mode 0640)"));
        assert!(warned(0o604).contains("readable by other users"));
        assert!(warned(0o620).contains("writable by other users"));
        assert!(warned(0o666).contains("readable and writable by other users"));
        assert!(warned(0o610).contains("open to other users"));
    }
}
