//! The `cargo xtask spec-diff` command line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::{Report, default_curated_path, run};

/// Exit code: the documents agree.
pub const EXIT_SAME: u8 = 0;
/// Exit code: differences were found.
pub const EXIT_DIFFERENT: u8 = 1;
/// Exit code: the comparison could not be made (bad arguments, files or documents).
pub const EXIT_ERROR: u8 = 2;

const USAGE: &str = "\
Usage: cargo xtask spec-diff <upstream.json|yaml> [--curated <spec.yaml>] [--collapse]

Compare an upstream Cloudflare OpenAPI document (e.g. openapi.json of
cloudflare/api-schemas) with the curated spec, openapi/service-bindings.yaml unless
--curated says otherwise. The operations of the curated spec are looked up upstream by
operationId and compared once resolved ($refs inlined, allOf merged, descriptions and
examples ignored): method and path, parameters, request body, status codes, and schemas
property by property, enum value by enum value, `required` entry by entry.

One line per difference on stdout:
  <operation> <location>: <subject>: in upstream, not in curated
  <operation> <location>: <subject>: in curated, not in upstream
  <operation> <location>: <subject>: upstream has <value>, curated has <value>

With --collapse, a difference found identical in several operations is printed once,
the operations joined by commas.

Deliberate deviations of the curated spec (its CURATED comments) show up too.

Exit codes: 0 no differences, 1 differences found, 2 error.";

/// Runs `cargo xtask spec-diff` with the arguments that follow `spec-diff`, printing the
/// report to stdout and errors to stderr.
pub fn main_spec_diff(args: &[String]) -> ExitCode {
    let code = run_cli(
        args,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}

/// [`main_spec_diff`] writing to the given streams and returning the exit code
/// ([`EXIT_SAME`], [`EXIT_DIFFERENT`] or [`EXIT_ERROR`]).
pub fn run_cli(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let options = match parse_args(args) {
        Ok(Some(options)) => options,
        Ok(None) => return write_or_error(writeln!(out, "{USAGE}"), EXIT_SAME),
        Err(message) => {
            return write_or_error(
                writeln!(err, "spec-diff: error: {message}\n\n{USAGE}"),
                EXIT_ERROR,
            );
        }
    };
    match run(&options.upstream, &options.curated) {
        Ok(report) => {
            let code = if report.is_empty() {
                EXIT_SAME
            } else {
                EXIT_DIFFERENT
            };
            let summary = summary(&report);
            let shown = if options.collapse {
                report.collapsed()
            } else {
                report
            };
            let written =
                write!(out, "{shown}").and_then(|()| writeln!(err, "spec-diff: {summary}"));
            write_or_error(written, code)
        }
        Err(error) => write_or_error(writeln!(err, "spec-diff: error: {error}"), EXIT_ERROR),
    }
}

/// What the command line asks for.
struct Options {
    upstream: PathBuf,
    curated: PathBuf,
    collapse: bool,
}

/// The options, or `None` when help was asked for.
fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    let mut upstream = None;
    let mut curated = None;
    let mut collapse = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--collapse" => collapse = true,
            "--curated" => match args.next() {
                Some(path) => curated = Some(PathBuf::from(path)),
                None => return Err("--curated needs a path".to_owned()),
            },
            flag if flag.starts_with("--curated=") => {
                curated = Some(PathBuf::from(&flag["--curated=".len()..]));
            }
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option `{flag}`"));
            }
            path if upstream.is_none() => upstream = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument `{extra}`")),
        }
    }
    let upstream = upstream.ok_or("no upstream document given")?;
    Ok(Some(Options {
        upstream,
        curated: curated.unwrap_or_else(default_curated_path),
        collapse,
    }))
}

fn summary(report: &Report) -> String {
    match report.differences.len() {
        0 => "no differences".to_owned(),
        1 => "1 difference".to_owned(),
        n => format!("{n} differences"),
    }
}

/// `code`, or [`EXIT_ERROR`] if the output could not be written.
fn write_or_error(written: std::io::Result<()>, code: u8) -> u8 {
    match written {
        Ok(()) => code,
        Err(_) => EXIT_ERROR,
    }
}
