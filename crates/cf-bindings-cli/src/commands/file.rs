//! A bindings file: read, parsed and checked offline before anything is sent.

use std::path::Path;

use cf_bindings::{
    RetryPolicy,
    desired::{Desired, Diagnostics, PlanSource},
};

use crate::exit::Failure;
use crate::input;
use crate::output;
use crate::session::Setup;

/// The largest bindings file read: far above any real one (a 10,000-binding file
/// is about 700 KiB).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A bindings file that parsed and passed every offline check.
#[derive(Debug)]
pub struct DesiredFile {
    /// The file's name, as errors show it.
    pub name: String,
    /// What it says.
    pub desired: Desired,
    /// Its warnings (a file with errors is not loaded), printed on stderr as it
    /// was read; the Markdown plan shows them too.
    pub warnings: Diagnostics,
    /// Its path as given and the SHA-256 of its bytes, for a saved plan to record
    /// (`None` for standard input).
    pub source: Option<PlanSource>,
}

impl DesiredFile {
    /// Reads, parses and validates `path`; prints its warnings on stderr. Errors
    /// are printed one per line, with their locations, before the failure.
    pub fn load(path: &Path) -> Result<DesiredFile, Failure> {
        let (name, text) = read_text(path, "bindings file")?;
        let diagnostics = match Desired::parse(&name, &text) {
            Ok(desired) => {
                let diagnostics = desired.validate();
                if !diagnostics.has_errors() {
                    print(&diagnostics);
                    return Ok(DesiredFile {
                        source: record(path, text.as_bytes()),
                        name,
                        desired,
                        warnings: diagnostics,
                    });
                }
                diagnostics
            }
            Err(diagnostics) => diagnostics,
        };
        Err(invalid(&name, &diagnostics, "nothing was sent"))
    }

    /// The session this file asks for: its account, if it names one.
    pub fn setup(&self, retry: Option<RetryPolicy>) -> Setup {
        Setup {
            account: self.desired.account.as_ref().map(ToString::to_string),
            retry,
        }
    }
}

/// Reads a UTF-8 text file the user named (`-`: standard input), at most
/// [`MAX_FILE_BYTES`]; `what` names it in errors. Returns its name and text.
pub fn read_text(path: &Path, what: &str) -> Result<(String, String), Failure> {
    input::read_text(path, what, MAX_FILE_BYTES, "is it the right file?")
}

/// Prints diagnostics on stderr, one per line (`file:line:column: error: ...`).
pub fn print(diagnostics: &Diagnostics) {
    for diagnostic in diagnostics.iter() {
        output::note(&diagnostic.to_string());
    }
}

/// Prints the diagnostics of a file that cannot be used, and says so, and what
/// that means (`nothing was sent`).
pub fn invalid(name: &str, diagnostics: &Diagnostics, consequence: &str) -> Failure {
    print(diagnostics);
    Failure::usage(format!("{name}: {}; {consequence}", counts(diagnostics)))
}

/// `2 errors, 1 warning`.
pub fn counts(diagnostics: &Diagnostics) -> String {
    let errors = diagnostics.errors().count();
    let warnings = diagnostics.warnings().count();
    format!(
        "{}, {}",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
    )
}

/// `1 change`, `2 changes`: `one` or `many` after the count.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The record of the bindings file given as `path`, whose bytes are `bytes`; `None`
/// for standard input (`-`), which cannot be read again.
pub fn record(path: &Path, bytes: &[u8]) -> Option<PlanSource> {
    if path.as_os_str() == "-" {
        return None;
    }
    // A path that is not UTF-8 is recorded as best it can be: it then names no
    // file, and the plan is refused, never applied unchecked.
    Some(PlanSource::new(path.to_string_lossy(), sha256(bytes)))
}

/// The SHA-256 of `bytes`, in lower-case hexadecimal.
pub fn sha256(bytes: &[u8]) -> String {
    // The SHA-256 of rustls's crypto provider, already in the program.
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_input_is_not_recorded() {
        assert_eq!(record(Path::new("-"), b"x"), None);
        let recorded = record(Path::new("envs/prod.toml"), b"abc").expect("a record");
        assert_eq!(recorded.path, "envs/prod.toml");
        assert_eq!(recorded.sha256, sha256(b"abc"));
    }
}
