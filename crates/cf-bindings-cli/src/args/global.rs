//! The options every command takes ([`Global`]) and the output formats
//! (`--output`).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::values::{Rate, parse_rate, parse_timeout, parse_wait_timeout};

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
    /// use, and were left aside, with why (see [`parse`](super::parse)).
    #[arg(skip)]
    pub ignored_variables: Vec<(&'static str, &'static str)>,
}

/// The output format asked for with `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// JSON for scripts (shapes documented in docs/json-output.md).
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
    /// JSON for scripts (shapes documented in docs/json-output.md).
    Json,
}
