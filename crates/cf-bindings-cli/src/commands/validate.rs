//! `validate -f FILE`: the offline checks, with no credentials and no network.

use cf_bindings::desired::Desired;
use serde_json::json;

use super::file;
use crate::args::{Output, ValidateArgs};
use crate::exit::Failure;
use crate::output;

/// Runs `validate`: every diagnostic on stderr (or as JSON on stdout), a summary
/// line on stdout; exit 2 when the file has errors.
pub fn run(args: &ValidateArgs, format: Output) -> Result<(), Failure> {
    let (name, text) = file::read_text(&args.file.file, "bindings file")?;
    let (desired, diagnostics) = match Desired::parse(&name, &text) {
        Ok(desired) => {
            let diagnostics = desired.validate();
            (Some(desired), diagnostics)
        }
        Err(diagnostics) => (None, diagnostics),
    };
    let valid = !diagnostics.has_errors();
    // A reader that went away does not change the outcome: an invalid file still
    // exits 2.
    match format {
        Output::Json => output::unless_closed(output::json(&json!({
            "file": name,
            "valid": valid,
            "diagnostics": diagnostics,
        })))?,
        Output::Table => {
            file::print(&diagnostics);
            if let Some(desired) = desired.filter(|_| valid) {
                let bindings: usize = desired.prefixes.iter().map(|p| p.bindings.len()).sum();
                output::unless_closed(output::line(&format!(
                    "{name}: valid: {}, {} ({})",
                    file::plural(desired.prefixes.len(), "prefix", "prefixes"),
                    file::plural(bindings, "binding", "bindings"),
                    file::plural(diagnostics.warnings().count(), "warning", "warnings"),
                )))?;
            }
        }
    }
    if valid {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "{name}: {}",
            file::counts(&diagnostics)
        )))
    }
}
