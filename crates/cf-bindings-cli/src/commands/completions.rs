//! `completions SHELL`: a shell completion script, made without network or
//! credentials.

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs};
use crate::failure::Failure;
use crate::output;

/// Prints the completion script of the shell asked for.
pub fn run(args: &CompletionsArgs) -> Result<(), Failure> {
    // clap_complete panics when its writer fails: it writes into memory, and the
    // output module writes to stdout.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "cf-bindings", &mut script);
    output::out(&String::from_utf8_lossy(&script))
}
