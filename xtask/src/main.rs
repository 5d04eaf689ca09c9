//! `cargo xtask`: maintainer tasks of the cf-bindings workspace.
#![forbid(unsafe_code)]

use std::process::ExitCode;

mod bench;

use xtask::codegen::{self, Freshness};
use xtask::manifest;

const USAGE: &str = "\
Usage: cargo xtask <task> [options]

Tasks:
  codegen [--check] [--spec FILE]
                           Regenerate crates/cf-bindings-generated/src/generated.rs
                           from openapi/service-bindings.yaml (or FILE). With
                           --check, write nothing: exit 1 and show a diff if the
                           file is stale.
  spec-diff <upstream>     Compare an upstream Cloudflare OpenAPI document (JSON or
                           YAML) with openapi/service-bindings.yaml. Exit 1 if they
                           differ. `cargo xtask spec-diff --help` for more.
  drill                    Rehearse the next API change on a copy of the workspace:
                           regenerate, check that the generated crate compiles and
                           that the wrapper's conversions name every changed field.
  bench [--quick] [--output FILE]
                           Run every benchmark side by side (wrapper, raw baseline,
                           Python SDK, emulator, CLI, footprint), print a table and
                           write BENCHMARKS.md.

Exit codes: 0 success, 1 stale or different, 2 error.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("codegen") => run_codegen(&args[1..]),
        Some("spec-diff") => xtask::spec_diff::main_spec_diff(&args[1..]),
        Some("bench") => bench::main_bench(&args[1..]),
        Some("drill") => ExitCode::from(xtask::drill::main_drill()),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => usage_error(&format!("unknown task `{other}`")),
        None => usage_error("no task given"),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

fn run_codegen(args: &[String]) -> ExitCode {
    let root = codegen::workspace_root();
    let mut spec = root.join(codegen::SPEC_PATH);
    let mut check = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--spec" => match args.next() {
                Some(path) => spec = path.into(),
                None => return usage_error("--spec needs a file"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage_error(&format!("codegen: unexpected argument `{other}`")),
        }
    }
    let result = codegen::regenerate(&root, &spec, check);
    match result {
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
