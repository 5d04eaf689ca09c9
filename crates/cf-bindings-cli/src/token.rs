//! `--token-file`: the API token read from a file, or from standard input.

use std::io::Read;
use std::path::Path;

use cf_bindings::Secret;

use crate::failure::Failure;

/// Reads a token from a file, or from standard input for `-`; surrounding white
/// space is dropped.
pub fn read(path: &Path) -> Result<Secret, Failure> {
    let mut text = String::new();
    let outcome = if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text).map(|_| ()))
    };
    outcome.map_err(|e| {
        Failure::usage(format!(
            "cannot read the token from {}: {e}",
            path.display()
        ))
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(Failure::usage(format!(
            "the token file {} is empty",
            path.display()
        )));
    }
    Ok(Secret::new(token))
}
