//! `completions SHELL`: a shell completion script, made without network or
//! credentials.

use clap::{CommandFactory, ValueEnum};
use clap_complete::Shell;

use crate::args::{Cli, CompletionsArgs, Output};
use crate::exit::Failure;
use crate::output;

/// The program's name, as shells see it.
const BIN: &str = "cf-bindings";

/// Prints the completion script of the shell asked for (never as JSON).
pub fn run(args: &CompletionsArgs, format: Output) -> Result<(), Failure> {
    super::no_json(format, "completions prints a shell script", "")?;
    output::out(&script(args.shell))
}

/// The completion script of `shell`.
///
/// clap_complete's bash script names its states after the program, and spells a
/// hyphen in the name two ways: the loop that follows the words reaches states
/// the `case` that completes them never names (clap issue 6421), so nothing
/// completes after the first word. Bash's script is therefore made for a name
/// without a hyphen, and then registered for the real one: the name only ever
/// serves as a label inside the script, the program's words being matched as
/// typed. The other shells' scripts keep the name as it is; fish's, which
/// completes no argument that is not an option, gets the shells of `completions
/// SHELL`.
fn script(shell: Shell) -> String {
    let name = match shell {
        Shell::Bash => BIN.replace('-', "_"),
        _ => BIN.to_owned(),
    };
    // clap_complete panics when its writer fails: it writes into memory, and the
    // output module writes to stdout.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), &name, &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if shell == Shell::Fish {
        let shells: Vec<String> = Shell::value_variants()
            .iter()
            .filter_map(|s| s.to_possible_value())
            .map(|s| s.get_name().to_owned())
            .collect();
        script.push_str(&format!(
            "complete -c {BIN} -n \"__fish_{}_using_subcommand completions\" -f -a \"{}\"\n",
            BIN.replace('-', "_"),
            shells.join(" ")
        ));
    }
    if name == BIN {
        return script;
    }
    // `complete -F _cf_bindings ... cf_bindings`: the last word is the program.
    script
        .lines()
        .map(|line| match line.strip_suffix(&format!(" {name}")) {
            Some(start) if line.trim_start().starts_with("complete ") => {
                format!("{start} {BIN}\n")
            }
            _ => format!("{line}\n"),
        })
        .collect()
}
