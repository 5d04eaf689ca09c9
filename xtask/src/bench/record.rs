//! The record of a run: the figures gathered, the commands run (for the report),
//! what was skipped, and notes.

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    path::Path,
    process::{Command, Stdio},
    time::Instant,
};

use super::figures::{Figure, parse_figures};

/// Everything gathered during a run.
#[derive(Default)]
pub struct Report {
    pub figures: BTreeMap<String, Figure>,
    pub commands: Vec<String>,
    pub skipped: Vec<String>,
    pub notes: Vec<String>,
}

impl Report {
    /// A figure, by name.
    pub fn get(&self, name: &str) -> Option<&Figure> {
        self.figures.get(name)
    }

    /// The median of a figure, when it was measured.
    pub fn median(&self, name: &str) -> Option<f64> {
        self.get(name).map(Figure::median).filter(|x| x.is_finite())
    }

    /// The ratio of two figures' medians.
    pub fn ratio(&self, a: &str, b: &str) -> Option<f64> {
        Some(self.median(a)? / self.median(b)?)
    }

    /// Records that a measurement was skipped, and says so on stderr.
    pub fn skip(&mut self, why: &str) {
        eprintln!("{why}");
        self.skipped.push(why.to_owned());
    }

    /// Adds a figure measured here rather than by a benchmark program.
    pub fn add(&mut self, name: &str, unit: &str, values: Vec<f64>) {
        self.figures.insert(
            name.to_owned(),
            Figure {
                unit: unit.to_owned(),
                values,
            },
        );
    }
}

/// A command as a shell would read it, its environment first.
pub fn describe(cmd: &Command) -> String {
    let mut out = String::new();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            let _ = write!(out, "{}={} ", k.to_string_lossy(), v.to_string_lossy());
        }
    }
    let _ = write!(out, "{}", cmd.get_program().to_string_lossy());
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        if arg.contains(' ') || arg.contains('\n') {
            let _ = write!(out, " '{arg}'");
        } else {
            let _ = write!(out, " {arg}");
        }
    }
    out
}

/// Shortens absolute paths under the workspace root for the report.
pub fn relative(root: &Path, text: &str) -> String {
    let root = root.to_string_lossy();
    text.replace(&format!("{root}/"), "").replace(&*root, ".")
}

impl Report {
    /// Runs a command, records it, and returns its standard output.
    pub fn run(&mut self, root: &Path, cmd: &mut Command) -> Result<String, String> {
        let line = describe(cmd);
        self.commands.push(relative(root, &line));
        eprintln!("$ {line}");
        let output = cmd
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("{line}: {e}"))?;
        if !output.status.success() {
            return Err(format!("{line}: {}", output.status));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Runs a benchmark program and keeps its figures.
    pub fn collect(&mut self, root: &Path, cmd: &mut Command) -> Result<(), String> {
        let out = self.run(root, cmd)?;
        self.figures.extend(parse_figures(&out));
        Ok(())
    }
}

/// Runs a command `runs` times after an untimed one: milliseconds from start to exit.
pub fn time_runs(
    report: &mut Report,
    root: &Path,
    cmd: &mut Command,
    runs: usize,
) -> Result<Vec<f64>, String> {
    let line = describe(cmd);
    report.commands.push(relative(root, &line));
    eprintln!("$ {line}   (×{runs}, timed)");
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    // One untimed run warms the page cache.
    let _ = cmd.status();
    let mut out = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let status = cmd.status().map_err(|e| format!("{line}: {e}"))?;
        let elapsed = start.elapsed();
        if !status.success() {
            return Err(format!("{line}: {status}"));
        }
        out.push(elapsed.as_secs_f64() * 1e3);
    }
    Ok(out)
}
