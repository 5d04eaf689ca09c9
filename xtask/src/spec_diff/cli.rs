//! The `cargo xtask spec-diff` command line.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use super::accepted::{Accepted, Classified, sidecar_path};
use super::fetch::{Source, fetch};
use super::{Difference, Report, SpecDiffError, default_curated_path, diff_documents};

/// Exit code: nothing to act on (no new difference, no stale deviation).
pub const EXIT_SAME: u8 = 0;
/// Exit code: new differences, or accepted deviations that upstream no longer has.
pub const EXIT_DIFFERENT: u8 = 1;
/// Exit code: the comparison could not be made (bad arguments, files or documents).
pub const EXIT_ERROR: u8 = 2;

const AFTER_HELP: &str = "\
One line per difference on stdout:
  <operation> <location>: <subject>: in upstream, not in curated
  <operation> <location>: <subject>: in curated, not in upstream
  <operation> <location>: <subject>: upstream has <value>, curated has <value>
and one line per stale accepted deviation:
  stale: <pattern>  [<id>: upstream no longer has it; remove it from <sidecar>]

The operations of the curated spec are looked up upstream by operationId and compared
once resolved ($refs inlined, allOf merged, descriptions and examples ignored): method
and path, parameters, request body, status codes, and schemas property by property,
enum value by enum value, `required` entry by entry. The differences that the accepted
deviations (openapi/service-bindings.curated.toml) cover are left out unless --all.

The usual upstream is Cloudflare's published schema:
  https://raw.githubusercontent.com/cloudflare/api-schemas/main/openapi.json

Exit codes: 0 nothing new and nothing stale, 1 new differences or stale deviations,
2 error.";

/// Compare an upstream Cloudflare OpenAPI document with the curated spec, and report
/// the differences that no accepted deviation covers.
#[derive(Debug, Parser)]
#[command(name = "spec-diff", bin_name = "cargo xtask spec-diff", after_long_help = AFTER_HELP)]
pub struct Args {
    /// The upstream document (JSON or YAML): a file, or an https:// URL.
    #[arg(value_name = "UPSTREAM")]
    pub upstream: String,
    /// The curated spec [default: openapi/service-bindings.yaml].
    #[arg(long, value_name = "FILE")]
    pub curated: Option<PathBuf>,
    /// The accepted deviations [default: the curated spec's NAME.curated.toml].
    #[arg(long, value_name = "FILE")]
    pub accepted: Option<PathBuf>,
    /// Also list the differences that accepted deviations cover, marked with their id.
    #[arg(long)]
    pub all: bool,
    /// Print a difference found identical in several operations once, the operations
    /// joined by commas.
    #[arg(long)]
    pub collapse: bool,
    /// Time limit of fetching a URL, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
    /// Largest document fetched from a URL, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_size: u64,
}

/// Runs `cargo xtask spec-diff` with `args`, printing the report to stdout and the
/// summary and errors to stderr; the exit code ([`EXIT_SAME`], [`EXIT_DIFFERENT`] or
/// [`EXIT_ERROR`]).
pub fn main_spec_diff(args: Args) -> u8 {
    run_args(
        &args,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )
}

/// [`main_spec_diff`] from the words that follow `spec-diff`, writing to the given
/// streams (help goes to `out`, with exit code 0).
pub fn run_cli(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let words = std::iter::once("spec-diff").chain(args.iter().map(String::as_str));
    match Args::try_parse_from(words) {
        Ok(args) => run_args(&args, out, err),
        Err(e) if e.use_stderr() => written(write!(err, "{e}"), EXIT_ERROR),
        Err(e) => written(write!(out, "{e}"), EXIT_SAME),
    }
}

fn run_args(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match compare(args) {
        Ok(outcome) => {
            let code = if outcome.classified().needs_action() {
                EXIT_DIFFERENT
            } else {
                EXIT_SAME
            };
            written(outcome.print(args, out, err), code)
        }
        Err(error) => written(writeln!(err, "spec-diff: error: {error}"), EXIT_ERROR),
    }
}

/// What a run found: the differences and the accepted deviations they are sorted by.
struct Outcome {
    differences: Vec<Difference>,
    accepted: Accepted,
    sidecar: PathBuf,
}

fn compare(args: &Args) -> Result<Outcome, String> {
    let curated_path = args.curated.clone().unwrap_or_else(default_curated_path);
    let sidecar = args
        .accepted
        .clone()
        .unwrap_or_else(|| sidecar_path(&curated_path));
    let accepted = Accepted::load(&sidecar).map_err(|e| e.to_string())?;
    let curated = super::load_document(&curated_path).map_err(|e| e.to_string())?;
    let upstream = match Source::parse(&args.upstream)? {
        Source::File(path) => super::load_document(&path).map_err(|e| e.to_string())?,
        Source::Url(url) => {
            let body = fetch(&url, Duration::from_secs(args.timeout), args.max_size)?;
            super::parse_document(url.as_str(), &body).map_err(|e| e.to_string())?
        }
    };
    let differences =
        diff_documents(&curated, &upstream).map_err(|e: SpecDiffError| e.to_string())?;
    Ok(Outcome {
        differences,
        accepted,
        sidecar,
    })
}

impl Outcome {
    fn classified(&self) -> Classified<'_> {
        self.accepted.classify(self.differences.clone())
    }

    fn print(&self, args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<()> {
        let classified = self.classified();
        let shown = |differences: Vec<Difference>| {
            let report = Report { differences };
            if args.collapse {
                report.collapsed()
            } else {
                report
            }
            .differences
        };
        for difference in shown(classified.new.clone()) {
            writeln!(out, "{difference}")?;
        }
        if args.all {
            let covered = classified.accepted.iter().map(|(d, _)| d.clone()).collect();
            for difference in shown(covered) {
                let line = difference.to_string();
                let id = self.accepted.covering(&line).map_or("?", |d| d.id.as_str());
                writeln!(out, "{line}  [accepted: {id}]")?;
            }
        }
        // Named from the workspace root when it is in the workspace.
        let root = crate::workspace_root();
        let sidecar = self.sidecar.strip_prefix(&root).unwrap_or(&self.sidecar);
        for stale in &classified.stale {
            writeln!(
                out,
                "stale: {}  [{}: upstream no longer has it; remove it from {}]",
                stale.pattern,
                stale.deviation.id,
                sidecar.display()
            )?;
        }
        writeln!(
            err,
            "spec-diff: {} new, {} stale, {} accepted (of {} differences)",
            classified.new.len(),
            classified.stale.len(),
            classified.accepted.len(),
            self.differences.len()
        )
    }
}

/// `code`, or [`EXIT_ERROR`] if the output could not be written.
fn written(result: std::io::Result<()>, code: u8) -> u8 {
    match result {
        Ok(()) => code,
        Err(_) => EXIT_ERROR,
    }
}
