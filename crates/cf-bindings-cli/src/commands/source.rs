//! The bindings file a saved plan records, and the check `apply PLAN` makes of it:
//! what was reviewed is what is applied. `plan` records the file's path as it was
//! given (relative to the working directory) and the SHA-256 of its bytes (see
//! `file::record`); `apply` reads the file at that path again and refuses the plan
//! when its bytes differ.

use std::path::Path;

use cf_bindings::desired::Plan;

use super::file::{self, sha256};
use crate::exit::Failure;
use crate::output;

/// How many hexadecimal digits of a SHA-256 messages show.
const SHORT: usize = 12;

/// The first digits of a SHA-256, as messages show it.
pub fn short(sha256: &str) -> &str {
    sha256.get(..SHORT).unwrap_or(sha256)
}

/// Refuses the saved plan `name` when the bindings file it records no longer holds
/// the bytes it was planned from, or cannot be read: exit 1, like a stale plan
/// (planning again fixes it). A plan that records no file (planned from standard
/// input) is let through, and a note says that its file is not checked.
pub fn check(plan: &Plan, name: &str) -> Result<(), Failure> {
    let Some(source) = &plan.source else {
        output::note(&format!(
            "{name} records no bindings file (it was planned from standard input): the file is not checked, only the live bindings"
        ));
        return Ok(());
    };
    let (file, text) = file::read_text(Path::new(&source.path), "bindings file").map_err(
        |failure| {
            Failure::unfulfilled(format!(
                "not applying {name}: it was planned from {}, which cannot be read now ({}); plan again",
                source.path,
                failure.message().unwrap_or("unreadable")
            ))
        },
    )?;
    let now = sha256(text.as_bytes());
    if now != source.sha256 {
        return Err(Failure::unfulfilled(format!(
            "not applying {name}: {file} changed since it was planned (SHA-256 {} now, {} planned); plan again",
            short(&now),
            short(&source.sha256)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_texts() {
        assert_eq!(
            sha256(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(short(&sha256(b"abc")), "ba7816bf8f01");
        assert_eq!(short("abc"), "abc");
    }
}
