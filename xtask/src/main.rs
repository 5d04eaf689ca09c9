//! `cargo xtask`: maintainer tasks of the cf-bindings workspace.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bench;

use xtask::codegen::{self, Freshness};
use xtask::manifest;

/// Maintainer tasks of the cf-bindings workspace.
#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    after_help = "Exit codes: 0 success, 1 stale or different (chaos: a target missed), 2 error."
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Regenerate crates/cf-bindings-generated/src/generated.rs, and the dependency
    /// lines of its Cargo.toml, from openapi/service-bindings.yaml.
    Codegen {
        /// Write nothing: exit 1 and show a diff if a generated file is stale.
        #[arg(long)]
        check: bool,
        /// The spec to generate from [default: openapi/service-bindings.yaml].
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
    },
    /// Compare an upstream Cloudflare OpenAPI document with the curated spec: exit 1
    /// on a difference no accepted deviation covers, or on a stale one.
    SpecDiff(xtask::spec_diff::Args),
    /// Rehearse the next API change on a copy of the workspace: regenerate, check
    /// that the generated crate compiles and that the wrapper's conversions name
    /// every changed field, and that spec-diff lists each change.
    Drill,
    /// Run every benchmark side by side, print a table and write BENCHMARKS.md:
    /// request overhead (the wrapper, a raw baseline and the official Python SDK),
    /// decode, routing, the CLI, the emulator under wrk, the build footprint,
    /// bindings as code (plan, apply) and the client's CPU per call.
    Bench {
        /// A fast smoke run: fewer and shorter runs (figures not representative).
        #[arg(long)]
        quick: bool,
        /// Where to write the report [default: BENCHMARKS.md].
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Measure whether `cf-bindings apply` converges, truthfully, against the
    /// emulator's chaos mode: random bindings files 0 to 25 changes away, each
    /// applied until it converges; prints the runs needed, duplicates, reports the
    /// server contradicts and what stopped the runs. Exit 1 when a target is missed.
    Chaos(bench::chaos::ChaosArgs),
    /// Print the public API of the wrapper crate (cf-bindings): every public path with
    /// its signature, one line each, as the snapshot in xtask/tests/public_api.rs keeps it.
    PublicApi,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.task {
        Task::Codegen { check, spec } => run_codegen(check, spec),
        Task::SpecDiff(args) => ExitCode::from(xtask::spec_diff::main_spec_diff(args)),
        Task::Drill => ExitCode::from(xtask::drill::main_drill()),
        Task::Bench { quick, output } => bench::main_bench(quick, output),
        Task::Chaos(args) => bench::chaos::main_chaos(args),
        Task::PublicApi => match xtask::public_api::read_wrapper(&xtask::workspace_root()) {
            Ok(api) => {
                print!("{}", api.text());
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(2)
            }
        },
    }
}

fn run_codegen(check: bool, spec: Option<PathBuf>) -> ExitCode {
    let root = xtask::workspace_root();
    let spec = spec.unwrap_or_else(|| root.join(codegen::SPEC_PATH));
    match codegen::regenerate(&root, &spec, check) {
        Ok(Freshness::UpToDate) if check => {
            eprintln!(
                "{} and its crate's dependencies are up to date",
                codegen::OUTPUT_PATH
            );
            ExitCode::SUCCESS
        }
        Ok(Freshness::UpToDate) => {
            eprintln!(
                "wrote {} and the dependencies in {}",
                codegen::OUTPUT_PATH,
                manifest::MANIFEST_PATH
            );
            ExitCode::SUCCESS
        }
        Ok(Freshness::Stale(diff)) => {
            eprintln!(
                "{} or {} is stale: run `cargo xtask codegen` and commit the result\n{diff}",
                codegen::OUTPUT_PATH,
                manifest::MANIFEST_PATH
            );
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
