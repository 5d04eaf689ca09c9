//! `cargo xtask bench`: runs every measurement side by side, prints a table and
//! writes `BENCHMARKS.md`.
//!
//! The Rust measurements are the programs of the `cf-bindings-benches` package
//! (built in release mode; `--quick` uses the dev profile, a smoke run); each prints
//! JSON lines `{"name", "unit", "values"}`. The Python SDK is installed into a
//! throwaway virtualenv under `target/bench/`, at the versions pinned in
//! `interop/python/requirements.txt` (the interop check's); `wrk` from Debian's
//! packages; either is skipped with a message when it cannot be had.
//!
//! Rooms: [`measure`] runs the measurements, [`tools`] provides the programs they
//! need, [`record`] keeps what a run gathered, [`figures`] reads and formats
//! figures, [`report`] turns them into rows, targets and a table, [`markdown`] into
//! `BENCHMARKS.md`, [`footprint`]
//! measures the cost of depending on the crate, [`python`] holds the Python programs.

pub mod chaos;
mod figures;
mod footprint;
mod markdown;
mod measure;
mod python;
mod record;
mod report;
mod tools;

use std::{
    path::{Path, PathBuf},
    process::{Command, ExitCode},
    time::Instant,
};

use record::Report;

/// The demo seed's account, prefix and token, which the emulator starts with.
const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const PREFIX: &str = "2af39739cc4e3b5910c918468bb89828";
const TOKEN: &str = "emulator-token";
/// The demo seed's base binding of [`PREFIX`], for gets.
const BASE_BINDING: &str = "0429b49b6a5155297b78e75a44b09e14";
/// The demo seed's IPv6 prefix, empty at start: bound by the CPU and apply programs.
const IPV6_PREFIX: &str = "6b3f1e0a9d2c4b7e8f5a1c3d2e4f6a8b";
const IPV6_PREFIX_CIDR: &str = "2001:db8:1000::/48";
/// The demo seed's Magic Transit and CDN services.
const MAGIC_TRANSIT_SERVICE: &str = "2db684ee7ca04e159946fd05b99e1bcd";
const CDN_SERVICE: &str = "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b";
/// The hand-written analysis of missed targets, included in `BENCHMARKS.md`.
const NOTES_PATH: &str = "benches/NOTES.md";
/// The figures of `cargo xtask chaos`, a measurement of its own (it takes minutes
/// and measures correctness under faults, not speed), kept by hand and included in
/// `BENCHMARKS.md`.
const CHAOS_PATH: &str = "benches/CHAOS.md";

/// How much of each measurement a run makes.
struct Settings {
    runs: usize,
    sequential: usize,
    concurrent: usize,
    python_sequential: usize,
    python_concurrent: usize,
    cli_runs: usize,
    wrk_runs: usize,
    wrk_seconds: u32,
    cpu_calls: usize,
    cpu_large_calls: usize,
    creates: usize,
}

impl Settings {
    fn new(quick: bool) -> Settings {
        if quick {
            Settings {
                runs: 2,
                sequential: 100,
                concurrent: 640,
                python_sequential: 30,
                python_concurrent: 64,
                cli_runs: 3,
                wrk_runs: 1,
                wrk_seconds: 1,
                cpu_calls: 30,
                cpu_large_calls: 5,
                creates: 100,
            }
        } else {
            Settings {
                runs: 5,
                sequential: 2000,
                concurrent: 6400,
                python_sequential: 300,
                python_concurrent: 640,
                cli_runs: 20,
                wrk_runs: 3,
                wrk_seconds: 10,
                cpu_calls: 300,
                cpu_large_calls: 100,
                creates: 1000,
            }
        }
    }
}

/// A run: where things are, what is available, and what was gathered so far.
struct Bench {
    root: PathBuf,
    quick: bool,
    settings: Settings,
    /// Where the built benchmark programs, CLI and emulator are.
    bin: PathBuf,
    /// Scratch space: `target/bench`.
    dir: PathBuf,
    /// The Python of a virtualenv with the official SDK, when there is one.
    python: Option<PathBuf>,
    have_wrk: bool,
    report: Report,
}

/// `cargo xtask bench [--quick] [--output FILE]`.
pub fn main_bench(quick: bool, output: Option<PathBuf>) -> ExitCode {
    let root = xtask::workspace_root();
    let output = output.unwrap_or_else(|| root.join("BENCHMARKS.md"));
    match run(&root, quick, &output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(root: &Path, quick: bool, output: &Path) -> Result<(), String> {
    let started = Instant::now();
    let mut bench = Bench::prepare(root, quick)?;
    bench.measure_all()?;
    let elapsed = started.elapsed();
    let (rows, targets) = report::tabulate(&bench.report);
    println!("{}", report::text_table(&rows, &targets));
    let notes = std::fs::read_to_string(root.join(NOTES_PATH)).unwrap_or_default();
    let chaos = std::fs::read_to_string(root.join(CHAOS_PATH)).unwrap_or_default();
    let markdown = markdown::markdown(
        &bench.report,
        &rows,
        &targets,
        markdown::Included {
            notes: &notes,
            chaos: &chaos,
        },
        elapsed,
        quick,
    );
    std::fs::write(output, markdown).map_err(|e| format!("{}: {e}", output.display()))?;
    eprintln!(
        "wrote {} ({:.1} min in all)",
        output.display(),
        elapsed.as_secs_f64() / 60.0
    );
    Ok(())
}

impl Bench {
    /// Builds the measured programs and finds the tools.
    fn prepare(root: &Path, quick: bool) -> Result<Bench, String> {
        let mut report = Report::default();
        let dir = root.join("target/bench");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        // A quick run is a smoke test: the dev profile, already built by the tests.
        let (profile, profile_dir) = if quick {
            ("dev", "debug")
        } else {
            ("release", "release")
        };
        let build_start = Instant::now();
        report.run(
            root,
            Command::new(&cargo).current_dir(root).args([
                "build",
                "--profile",
                profile,
                "-p",
                "cf-bindings-benches",
                "-p",
                "cf-bindings-cli",
                "-p",
                "cf-bindings-emulator",
            ]),
        )?;
        report.notes.push(format!(
            "The {profile} build of the measured programs took {:.0} s in this run (cold on a fresh clone, incremental otherwise).",
            build_start.elapsed().as_secs_f64()
        ));
        let target_dir = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        let python = tools::python_sdk(&mut report, root, &dir)
            .map_err(|why| report.skip(&format!("Python SDK measurements skipped: {why}")))
            .ok();
        let have_wrk = tools::wrk(&mut report, root)
            .map_err(|why| report.skip(&format!("emulator load tests skipped: {why}")))
            .is_ok();
        Ok(Bench {
            root: root.to_owned(),
            quick,
            settings: Settings::new(quick),
            bin: target_dir.join(profile_dir),
            dir,
            python,
            have_wrk,
            report,
        })
    }
}
