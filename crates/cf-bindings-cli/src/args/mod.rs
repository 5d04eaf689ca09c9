//! The command line, declared with clap: the program and its commands ([`Cli`],
//! [`Command`]), how it is parsed ([`parse`]) and laid out in help ([`command`]).
//! The options every command takes are in `global`, the arguments of the
//! bindings-file commands in `files`, those of the commands on live bindings in
//! `live`, and the parsers of durations and rates in `values`.

mod files;
mod global;
mod live;
mod values;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

pub use files::{ApplyArgs, ExportArgs, PlanArgs, ValidateArgs};
pub use global::{Format, Global, Output};
pub use live::{BindingsCommand, PrefixesCommand, RouteArgs, ServicesCommand};
pub use values::{Rate, parse_duration};

pub(crate) const AFTER_HELP: &str = "\
Credentials come from the environment: CLOUDFLARE_API_TOKEN, or
CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY (the token wins when both are set).
--token-file reads a token from a regular file (with a warning when other users
may read it), or from standard input with `-`; a token is never taken from the
command line, where other users could see it. --emulated needs none of them,
and sets CLOUDFLARE_BASE_URL and CLOUDFLARE_ACCOUNT_ID aside (-v says so).

Exit codes:
  0  success
  1  the command ran but did not get what it asked (a wait that failed or timed
     out, a deletion or apply answered with something other than yes, a saved
     plan that is stale: the live bindings or its bindings file changed)
  2  usage or configuration error (bad arguments; an invalid id, CIDR or IP; an
     unknown service name; a bindings file that does not validate; a saved plan
     whose steps are not what it shows; missing credentials; a deletion or
     apply with no terminal to confirm on and no --yes)
  3  Cloudflare rejected the request (HTTP 4xx: not found, permission, a rule)
  4  network failure, timeout or server error (HTTP 5xx, a redirect, which is
     never followed, or a response that is not Cloudflare's envelope)
  5  outcome unknown: a create or delete may or may not have taken effect (the
     request may have been processed, and checking failed); list the bindings
     before trying again
  6  plan --exit-code: the live bindings differ from the file (drift): changes
     to make, or live bindings the file does not list (kept by prune = false,
     but drift)
  130  apply or a wait stopped by SIGINT (Ctrl-C); stderr says what was done,
       what was not, and what is unknown
  143  the same, stopped by SIGTERM";

/// Manage Cloudflare BYOIP service bindings: which Cloudflare service gets the
/// traffic of each CIDR of a prefix you brought to Cloudflare.
#[derive(Debug, Parser)]
#[command(name = "cf-bindings", version, after_long_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The services a binding can point at.
    #[command(subcommand)]
    Services(ServicesCommand),
    /// The account's BYOIP prefixes.
    #[command(subcommand)]
    Prefixes(PrefixesCommand),
    /// The service bindings of the account's prefixes.
    ///
    /// Without --prefix, each command works across the account: it reads the
    /// account's prefixes with one List Prefixes request (never one Prefix Details
    /// per prefix), then lists the bindings of the prefixes it needs.
    #[command(subcommand)]
    Bindings(BindingsCommand),
    /// Which service gets each IP address, by most-specific binding, across the
    /// account's prefixes.
    ///
    /// Reads the account's prefixes (one List Prefixes request), then the bindings
    /// of each prefix that holds an address asked about (one request per prefix).
    /// An address in none of the account's prefixes is shown as "(no prefix)" and
    /// said so under the table; an address of a prefix that no binding covers, as
    /// "(no binding)". With --prefix, only that prefix is looked at (one Prefix
    /// Details request, then its bindings).
    Route(RouteArgs),
    /// Check a bindings file offline: no credentials, no network.
    ///
    /// Every rule the file alone can decide is an error with its line and column;
    /// bindings that could be aggregated into a larger block are warnings, with the
    /// block suggested. Exit 0 when valid (warnings allowed), 2 otherwise. A
    /// prefix's `cidr`, when given, is only compared with its bindings here: plan
    /// and apply check it against the prefix's real CIDR, read from Cloudflare.
    Validate(ValidateArgs),
    /// Show the changes that would make the live bindings match a bindings file.
    ///
    /// For each prefix: the changes (create, delete, replace, recreate); the order of
    /// the API calls when some address goes, meanwhile, to something other than its
    /// current and final service; where the traffic of every address range whose
    /// routing changes goes after each call (every service it passes through, and
    /// "no binding" when none covers it: expect that traffic to be dropped); and the
    /// live bindings the file does not list, which prune = false keeps, with the
    /// addresses whose routing they take from the file's. Those are drift too.
    ///
    /// Reads the account's prefixes (one List Prefixes request: each prefix's CIDR
    /// is Cloudflare's, never guessed), the bindings of each prefix of the file (one
    /// request each) and the services (one request). Refuses (exit 2), before any
    /// change, a file that names a prefix the account does not have, gives a
    /// prefix a `cidr` other than its real one, or would give a prefix with no
    /// binding yet a first binding that is not exactly the prefix's CIDR
    /// (Cloudflare refuses it).
    ///
    /// With --output markdown: the same plan as GitHub-flavoured Markdown for a
    /// pull-request comment, starting with a hidden marker (`<!-- cf-bindings plan:
    /// FILE -->`) by which a workflow finds its comment again to update it.
    Plan(PlanArgs),
    /// Make the live bindings match a bindings file or a saved plan.
    ///
    /// Reads the live state first, as plan does (one List Prefixes request, one per
    /// prefix, one for the services), and refuses what plan refuses; refuses a saved
    /// plan the live bindings no longer match, or whose bindings file changed since
    /// it was planned, or whose steps are not those its changes show, or whose
    /// prefix CIDRs are not Cloudflare's (an edited plan), before any change.
    /// Deletes most specific first, creates least specific first, and stops at the
    /// first failure, saying what was done: running it again finishes the job,
    /// unless Cloudflare refused a step under its rules (exit 3): then the message
    /// names the file entry and the rule, and the file must change first. With
    /// prune = false, live bindings the file does not list are left alone (and shown).
    ///
    /// SIGINT (Ctrl-C) or SIGTERM: apply starts no other step and lets the one in
    /// flight end as any step ends (each request within --timeout, retried, an
    /// unreadable answer checked by listing); then it says what was done, what was
    /// not, what became of the step in flight, and where the addresses of a replace
    /// cut between its delete and its create go now. Exit 130 (SIGINT) or 143
    /// (SIGTERM). A second signal exits at once, naming the step in flight, whose
    /// outcome is then unknown. During --wait, a signal stops the wait and names the
    /// bindings not active yet.
    Apply(ApplyArgs),
    /// Write the live bindings of the account's prefixes as a bindings file.
    ///
    /// Each prefix gets its real CIDR and, as a comment above it, its description.
    /// Reads the account's prefixes (one List Prefixes request), the bindings of
    /// each prefix exported (one request each) and the services (one request).
    /// Every live binding is listed, with prune = false: applying the file never
    /// deletes a binding it does not list; plan shows such a binding as drift
    /// (exit 6 with --exit-code) until the file lists it or sets prune = true,
    /// which deletes it.
    Export(ExportArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

/// `completions ...`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// The options whose value may come from an environment variable that
/// `--emulated` sets aside: their id, flag and variable, and why it is set aside.
const SET_ASIDE_BY_EMULATED: [(&str, &str, &str, &str); 2] = [
    (
        "base_url",
        "--base-url <URL>",
        "CLOUDFLARE_BASE_URL",
        "--emulated talks to the embedded emulator",
    ),
    (
        "account",
        "--account <ID>",
        "CLOUDFLARE_ACCOUNT_ID",
        "--emulated works on the emulator's demo account, or the one --account names",
    ),
];

/// Reads the command line, and the environment variables of its options.
///
/// A variable never makes a conflict the user did not type: with `--emulated`,
/// `CLOUDFLARE_BASE_URL` and `CLOUDFLARE_ACCOUNT_ID` are set aside (the embedded
/// emulator has its own address and demo account) and listed in
/// [`Global::ignored_variables`]; `--base-url` typed with `--emulated` is still
/// refused, as clap refuses conflicts.
pub fn parse() -> Result<Cli, clap::Error> {
    let mut command = command();
    let mut matches = command.try_get_matches_from_mut(std::env::args_os())?;
    // Before the values are taken out of the matches, with their sources.
    let sources = SET_ASIDE_BY_EMULATED.map(|(id, ..)| source(&matches, id));
    let mut cli = Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut command))?;
    if !cli.global.emulated {
        return Ok(cli);
    }
    for ((id, flag, variable, why), source) in SET_ASIDE_BY_EMULATED.into_iter().zip(sources) {
        match source {
            Some(ValueSource::EnvVariable) => {
                match id {
                    "base_url" => cli.global.base_url = None,
                    _ => cli.global.account = None,
                }
                cli.global.ignored_variables.push((variable, why));
            }
            Some(ValueSource::CommandLine) if id == "base_url" => {
                return Err(command.error(
                    ErrorKind::ArgumentConflict,
                    format!("the argument '{flag}' cannot be used with '--emulated'"),
                ));
            }
            _ => {}
        }
    }
    Ok(cli)
}

/// Where the value of global option `id` came from: a global option is read at
/// every level of subcommands; the strongest source wins (typed, then the
/// environment, then a default), as clap ranks them.
fn source(matches: &ArgMatches, id: &str) -> Option<ValueSource> {
    let mut strongest = None;
    let mut level = Some(matches);
    while let Some(matches) = level {
        strongest = strongest.max(matches.value_source(id));
        level = matches.subcommand().map(|(_, sub)| sub);
    }
    strongest
}

/// The command line as parsed and shown in help: each subcommand's help shows its
/// own options, then names the global ones, which `cf-bindings --help` describes
/// under their own heading (they are the same for every command).
pub fn command() -> clap::Command {
    let mut command = Cli::command();
    // Built, the subcommands hold copies of the global options, to hide.
    command.build();
    let globals: Vec<String> = command
        .get_arguments()
        .filter(|arg| arg.is_global_set())
        .map(|arg| match (arg.get_short(), arg.get_long()) {
            (Some(short), Some(long)) => format!("-{short}/--{long}"),
            (None, Some(long)) => format!("--{long}"),
            (Some(short), None) => format!("-{short}"),
            (None, None) => arg.get_id().to_string(),
        })
        .collect();
    // Their names, indented, on lines that fit in 80 columns.
    let mut pointer = String::from("Global options, described in `cf-bindings --help`:");
    let mut line = String::new();
    for (i, name) in globals.iter().enumerate() {
        let item = if i + 1 < globals.len() {
            format!("{name},")
        } else {
            name.clone()
        };
        if !line.is_empty() && 2 + line.len() + 1 + item.len() > 80 {
            pointer.push_str(&format!("\n  {line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&item);
    }
    pointer.push_str(&format!("\n  {line}"));
    for subcommand in command.get_subcommands_mut() {
        // `help` takes no option: it shows the help of the others.
        if subcommand.get_name() != "help" {
            hide_globals(subcommand, &pointer);
        }
    }
    command
}

fn hide_globals(command: &mut clap::Command, pointer: &str) {
    let taken = std::mem::take(command);
    *command = taken
        .mut_args(|arg| {
            if arg.is_global_set() {
                arg.hide(true)
            } else {
                arg
            }
        })
        .after_help(pointer.to_owned());
    for subcommand in command.get_subcommands_mut() {
        hide_globals(subcommand, pointer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
        // As parsed, with the global options hidden from the commands' help.
        command().debug_assert();
    }
}
