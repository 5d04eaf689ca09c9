//! The arguments of the commands that read or write a bindings file: `validate`,
//! `plan`, `apply` and `export`.

use std::path::PathBuf;

use clap::Args;

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
