//! The command line, declared with clap.

use std::path::PathBuf;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
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

/// Options every command takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    // Values taken from the environment are never shown in help, which people paste
    // into issues: a base URL can hold a password, and an account id says whose
    // account it is.
    /// Cloudflare account id (with --emulated: the emulator's demo account).
    #[arg(
        long,
        global = true,
        env = "CLOUDFLARE_ACCOUNT_ID",
        hide_env_values = true,
        value_name = "ID"
    )]
    pub account: Option<String>,

    /// API base URL.
    #[arg(
        long,
        global = true,
        env = "CLOUDFLARE_BASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub base_url: Option<String>,

    /// Read the API token from this file, or from standard input with `-`.
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "emulated")]
    pub token_file: Option<PathBuf>,

    /// Output format: aligned tables for people, JSON for scripts, or Markdown for
    /// a pull-request comment (plan only).
    #[arg(long, short, global = true, value_enum, default_value_t = Format::Table)]
    pub output: Format,

    /// Time limit of each request, connection and answer included (e.g. 30s, 2m)
    /// [default: 30s].
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,

    /// How long `bindings wait`, `bindings create --wait` and `apply --wait` wait for
    /// a binding to become active (e.g. 6h, 90m) [default: 7h: Cloudflare takes four
    /// to six hours to provision a binding, and a slow one gets an hour more].
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_wait_timeout)]
    pub wait_timeout: Option<Duration>,

    /// Log what happens to stderr (-v: requests, -vv: everything).
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Run against a local emulator embedded in this program: no account, token or
    /// network needed. The account defaults to the emulator's demo account
    /// (CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_BASE_URL are ignored).
    /// CF_EMULATOR_PROVISIONING_DELAY and CF_EMULATOR_CHAOS (a rate, with _SEED,
    /// _KINDS, _MAX_DELAY, _RETRY_AFTER) set its provisioning delay and seeded random
    /// faults, as for the standalone emulator.
    #[arg(long, global = true)]
    pub emulated: bool,

    /// Requests per second at most, or `off`, so that a long apply stays under
    /// Cloudflare's global limit (1,200 requests per 5 minutes) [default: 4, off
    /// with --emulated].
    #[arg(long, global = true, value_name = "PER_SECOND", value_parser = parse_rate)]
    pub rate: Option<Rate>,

    /// With --emulated, the emulator's state file [default: cf-bindings/emulator.json
    /// in your state directory].
    #[arg(long, global = true, value_name = "FILE", requires = "emulated")]
    pub state: Option<PathBuf>,

    /// The environment variables that were set for options `--emulated` does not
    /// use, and were left aside, with why (see [`parse`]).
    #[arg(skip)]
    pub ignored_variables: Vec<(&'static str, &'static str)>,
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

/// The output format asked for with `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// JSON for scripts (shapes documented in the README).
    Json,
    /// GitHub-flavoured Markdown, for a pull-request comment: `plan` only (the
    /// other commands refuse it).
    Markdown,
}

/// How a command prints its results: every command has a table and a JSON form
/// (or refuses JSON); only `plan` has a Markdown form too, which it prints itself
/// (see `commands::markdown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Aligned columns for people.
    Table,
    /// JSON for scripts (shapes documented in the README).
    Json,
}

/// A `--rate`: requests per second, or none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rate {
    /// No client-side limit.
    Off,
    /// At most this many requests per second (more than zero, finite).
    PerSecond(f64),
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

/// A bindings file (see the README's "Bindings as code").
#[derive(Debug, Args)]
pub struct FileArg {
    /// The bindings file (TOML), or `-` for standard input.
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: PathBuf,
}

/// `validate ...`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub file: FileArg,
}

/// `plan ...`
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub file: FileArg,
    /// Exit 6 when the live bindings differ from the file (drift): changes to make,
    /// or live bindings the file does not list (even with prune = false); 0 when
    /// they match.
    #[arg(long)]
    pub exit_code: bool,
    /// Save the plan (JSON) to this file, for `apply PLAN`: a new file, readable by
    /// you alone (mode 0600), written whole or not at all. A file or symbolic link
    /// already there is refused unless --force is given. The plan records the
    /// bindings file's path and the SHA-256 of its bytes (not with -f -), and
    /// `apply PLAN` refuses it once the file changed.
    #[arg(long, value_name = "PLAN")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists (a symbolic link there is replaced by the
    /// file, never written through: its target is left as it is).
    #[arg(long, requires = "out")]
    pub force: bool,
}

/// `apply ...`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("input").required(true).args(["file", "plan"]))]
pub struct ApplyArgs {
    /// The bindings file (TOML), or `-` for standard input.
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// A plan saved by `plan --out`, instead of a file.
    #[arg(value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    /// Do not ask for confirmation (required without a terminal).
    #[arg(long, short)]
    pub yes: bool,
    /// Then wait until the created bindings are active (each for at most
    /// --wait-timeout).
    #[arg(long)]
    pub wait: bool,
}

/// `export ...`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A prefix id to export; repeat for several [default: every prefix of the
    /// account].
    #[arg(long = "prefix", short, value_name = "ID")]
    pub prefixes: Vec<String>,
    /// Write the bindings file here instead of standard output (`-f`, as the
    /// other commands read it): a new file, readable by you alone (mode 0600),
    /// written whole or not at all. A file or symbolic link already there is
    /// refused unless --force is given.
    #[arg(long = "file", short = 'f', visible_alias = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace FILE if it exists (a symbolic link there is replaced by the file,
    /// never written through: its target is left as it is).
    #[arg(long, requires = "out")]
    pub force: bool,
}

/// `completions ...`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// `services ...`
#[derive(Debug, Subcommand)]
pub enum ServicesCommand {
    /// List the services of the account (Magic Transit, CDN, Spectrum, ...).
    List,
}

/// `prefixes ...`
#[derive(Debug, Subcommand)]
pub enum PrefixesCommand {
    /// List the account's prefixes, with their CIDRs (one List Prefixes request).
    List,
    /// Show one prefix's details.
    Get {
        /// The prefix id.
        #[arg(value_name = "ID")]
        id: String,
    },
}

/// The prefix a command works on.
#[derive(Debug, Args)]
pub struct PrefixArg {
    /// The IP prefix id [default: across the account: see above].
    #[arg(long, short, value_name = "ID")]
    pub prefix: Option<String>,
}

/// `bindings ...`
#[derive(Debug, Subcommand)]
pub enum BindingsCommand {
    /// List the bindings of every prefix of the account, or of one.
    ///
    /// Without --prefix: every prefix of the account, sorted by address, each
    /// headed by its id, CIDR and description, with its bindings sorted by address
    /// (one List Prefixes request, then one list per prefix). With --output json:
    /// an array of {"prefix": {"id", "cidr", "description"}, "bindings": [...]}.
    ///
    /// With --prefix: that prefix's bindings (one request); with --output json, an
    /// array of bindings.
    List {
        #[command(flatten)]
        prefix: PrefixArg,
    },
    /// Show one binding.
    ///
    /// Without --prefix, the binding is looked for across the account: one List
    /// Prefixes request, then one list per prefix until it is found.
    Get {
        #[command(flatten)]
        prefix: PrefixArg,
        /// The binding id.
        id: String,
    },
    /// Bind a CIDR of a prefix to a service.
    ///
    /// Without --prefix, the prefix is the account's prefix that holds the CIDR
    /// (one List Prefixes request first); a CIDR in none of them is refused.
    Create {
        #[command(flatten)]
        prefix: PrefixArg,
        /// The CIDR to bind, inside the prefix (the first binding must be the prefix).
        #[arg(long, value_name = "CIDR")]
        cidr: String,
        /// The service, by name (case-insensitive, e.g. CDN) or id.
        #[arg(long, value_name = "SERVICE")]
        service: String,
        /// Wait until the new binding is active (at most --wait-timeout).
        #[arg(long)]
        wait: bool,
    },
    /// Delete a binding.
    ///
    /// Without --prefix, the binding is looked for across the account: one List
    /// Prefixes request, then one list per prefix until it is found.
    Delete {
        #[command(flatten)]
        prefix: PrefixArg,
        /// The binding id.
        id: String,
        /// Do not ask for confirmation (required without a terminal).
        #[arg(long, short)]
        yes: bool,
    },
    /// Wait until a binding is active (at most --wait-timeout), showing its state
    /// on stderr.
    ///
    /// Without --prefix, the binding is looked for across the account first: one
    /// List Prefixes request, then one list per prefix until it is found.
    ///
    /// SIGINT (Ctrl-C) or SIGTERM stops the wait at once, saying the binding is not
    /// active yet: exit 130 (SIGINT) or 143 (SIGTERM).
    Wait {
        #[command(flatten)]
        prefix: PrefixArg,
        /// The binding id.
        id: String,
    },
}

/// `route ...`
#[derive(Debug, Args)]
pub struct RouteArgs {
    #[command(flatten)]
    pub prefix: PrefixArg,
    /// List every binding containing each address, least specific first.
    #[arg(long)]
    pub explain: bool,
    /// The IP addresses (IPv4 or IPv6).
    #[arg(required = true, value_name = "IP")]
    pub ips: Vec<String>,
}

/// Parses a duration as humantime reads it (`500ms`, `30s`, `2m`, `1h 30m`), or a
/// plain number of seconds (`1.5`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let plain_seconds = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.');
    let parsed = if plain_seconds {
        humantime::parse_duration(&format!("{text}s"))
    } else {
        humantime::parse_duration(text)
    };
    parsed.map_err(|e| format!("`{text}` is not a duration ({e}): try 30s, 2m, 1h 30m or 500ms"))
}

/// A `--rate`: `off`, or a number of requests per second above zero (`4`, `0.5`).
pub fn parse_rate(text: &str) -> Result<Rate, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") {
        return Ok(Rate::Off);
    }
    match text.parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(Rate::PerSecond(rate)),
        _ => Err(format!(
            "`{text}` is not a rate: give requests per second above zero (4, 0.5), or off"
        )),
    }
}

/// A `--timeout`: a duration longer than zero (a zero timeout fails every request).
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let timeout = parse_duration(text)?;
    if timeout.is_zero() {
        return Err(format!(
            "`{text}` is no time at all: every request would time out; try 30s"
        ));
    }
    Ok(timeout)
}

/// A `--wait-timeout`: a duration longer than zero (a zero wait fails at once).
pub fn parse_wait_timeout(text: &str) -> Result<Duration, String> {
    let timeout = parse_duration(text)?;
    if timeout.is_zero() {
        return Err(format!(
            "`{text}` is no time at all: the wait would give up at once; try 6h"
        ));
    }
    Ok(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("5d"), Ok(Duration::from_secs(5 * 86_400)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("1.2.3").is_err());
        assert_eq!(parse_timeout("1ms"), Ok(Duration::from_millis(1)));
        for zero in ["0", "0s", "0ms", "0.0"] {
            assert!(parse_timeout(zero).unwrap_err().contains("no time at all"));
            assert!(
                parse_wait_timeout(zero)
                    .unwrap_err()
                    .contains("the wait would give up at once")
            );
        }
        assert_eq!(parse_wait_timeout("6h"), Ok(Duration::from_secs(6 * 3600)));
        assert_eq!(parse_wait_timeout("90m"), Ok(Duration::from_secs(5400)));
        assert!(
            parse_duration("5x")
                .unwrap_err()
                .contains("`5x` is not a duration")
        );
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("4"), Ok(Rate::PerSecond(4.0)));
        assert_eq!(parse_rate("0.5"), Ok(Rate::PerSecond(0.5)));
        assert_eq!(parse_rate("OFF"), Ok(Rate::Off));
        for bad in ["0", "-1", "inf", "NaN", "fast", ""] {
            assert!(
                parse_rate(bad).unwrap_err().contains("is not a rate"),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
        // As parsed, with the global options hidden from the commands' help.
        command().debug_assert();
    }
}
