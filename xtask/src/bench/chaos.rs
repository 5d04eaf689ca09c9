//! `cargo xtask chaos`: the convergence measurement of [`xtask::chaos`] against the
//! emulator's binary, at one rate or at the two the targets name, with the table
//! of figures.

use std::{
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use xtask::chaos::{Measurement, Server, Settings, Target, measure};

use super::{record::Report, tools};

/// The options of `cargo xtask chaos`.
#[derive(Debug, clap::Args)]
pub struct ChaosArgs {
    /// The fraction of requests that get a fault, 0 to 1 [default: 0.2, then 0.4,
    /// each against its targets].
    #[arg(long, value_name = "RATE")]
    rate: Option<f64>,
    /// How many random files at each rate.
    #[arg(long, default_value_t = 30)]
    files: usize,
    /// The seed of the files and of the faults.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The most runs of apply per file.
    #[arg(long, default_value_t = 4)]
    runs: usize,
    /// The fault kinds, comma-separated [default: every kind].
    #[arg(long, value_delimiter = ',', value_name = "KINDS")]
    kinds: Vec<String>,
    /// Build the CLI and the emulator in the dev profile (faster to build, the same
    /// figures).
    #[arg(long)]
    quick: bool,
}

/// A target of the measurement: its text, and whether it was met.
struct Goal {
    text: String,
    met: bool,
}

/// At least `fraction` of `n`, rounded up.
fn at_least(n: usize, numerator: usize, denominator: usize) -> usize {
    (n * numerator).div_ceil(denominator)
}

/// The targets at this rate: 0 duplicates and 0 contradicted reports always; at 0.2,
/// 29 of 30 files converged in one run and all within two; at 0.4, 25 of 30 in one.
fn goals(m: &Measurement) -> Vec<Goal> {
    let n = m.files.len();
    let mut goals = vec![
        Goal {
            text: "0 duplicates".to_owned(),
            met: m.duplicates().is_empty(),
        },
        Goal {
            text: "0 reports contradicting the server".to_owned(),
            met: m.contradictions().is_empty(),
        },
    ];
    let rate = m.settings.rate;
    if (rate - 0.2).abs() < 1e-9 {
        let one = at_least(n, 29, 30);
        goals.push(Goal {
            text: format!("at least {one} of {n} converged in one run"),
            met: m.converged_within(1) >= one,
        });
        goals.push(Goal {
            text: format!("all {n} converged within two runs"),
            met: m.converged_within(2) == n,
        });
    } else if (rate - 0.4).abs() < 1e-9 {
        let one = at_least(n, 25, 30);
        goals.push(Goal {
            text: format!("at least {one} of {n} converged in one run"),
            met: m.converged_within(1) >= one,
        });
    }
    goals
}

/// `cargo xtask chaos`: exit 0 when every target is met, 1 when one is missed, 2 on
/// an error.
pub fn main_chaos(args: ChaosArgs) -> ExitCode {
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &ChaosArgs) -> Result<bool, String> {
    let rates = match args.rate {
        Some(rate) if (0.0..=1.0).contains(&rate) => vec![rate],
        Some(rate) => return Err(format!("--rate {rate}: it must be from 0 to 1")),
        None => vec![0.2, 0.4],
    };
    if args.files == 0 || args.runs == 0 {
        return Err("--files and --runs must be at least 1".to_owned());
    }
    let root = xtask::workspace_root();
    let mut report = Report::default();
    let bin = build(&mut report, &root, args.quick)?;
    let mut all_met = true;
    let mut tables = Vec::new();
    for rate in rates {
        let settings = Settings {
            rate,
            files: args.files,
            seed: args.seed,
            max_runs: args.runs,
            kinds: args.kinds.clone(),
            retry_after: None,
            max_delay_ms: None,
        };
        let workdir = target_dir(&root).join(format!("chaos/rate-{rate:.2}"));
        let _ = std::fs::remove_dir_all(&workdir);
        std::fs::create_dir_all(&workdir).map_err(|e| format!("{}: {e}", workdir.display()))?;
        // A fresh emulator per rate: the demo seed, faults served, chaos set per run.
        let emulator = tools::start_emulator(&mut report, &root, &bin, &["--faults"])?;
        let server = Server::new(&emulator.base_url)?;
        let cli = bin.join("cf-bindings");
        let target = Target {
            cli: &cli,
            server: &server,
            workdir: &workdir,
        };
        eprintln!(
            "== chaos rate {rate:.2}: files and output in {}",
            workdir.display()
        );
        let measured = measure(&target, &settings, &mut |line| eprintln!("{line}"))?;
        drop(emulator);
        let mut table = measured.table();
        for goal in goals(&measured) {
            all_met &= goal.met;
            table.push_str(&format!(
                "  target: {} — {}\n",
                goal.text,
                if goal.met { "met" } else { "MISSED" }
            ));
        }
        tables.push(table);
    }
    println!("{}", tables.join("\n"));
    Ok(all_met)
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Builds the CLI and the emulator; returns the directory of their binaries.
fn build(report: &mut Report, root: &Path, quick: bool) -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let (profile, dir) = if quick {
        ("dev", "debug")
    } else {
        ("release", "release")
    };
    report.run(
        root,
        Command::new(&cargo).current_dir(root).args([
            "build",
            "--profile",
            profile,
            "-p",
            "cf-bindings-cli",
            "-p",
            "cf-bindings-emulator",
        ]),
    )?;
    Ok(target_dir(root).join(dir))
}
