//! What a chaos measurement measures ([`Settings`]) and its outcome: each file's
//! runs of apply ([`FileRecord`], [`Run`]), and the figures for people
//! ([`Measurement::table`]).

use std::{collections::BTreeMap, fmt::Write as _, time::Duration};

/// What to measure.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The fraction of requests that get a fault, 0 to 1.
    pub rate: f64,
    /// How many files.
    pub files: usize,
    /// The seed of everything drawn.
    pub seed: u64,
    /// The most runs of apply per file.
    pub max_runs: usize,
    /// The fault kinds (the emulator's names); empty: all.
    pub kinds: Vec<String>,
    /// The `Retry-After` of a rate limit, in seconds; `None`: the emulator's default
    /// (1 s).
    pub retry_after: Option<u64>,
    /// The longest `delay` fault, in milliseconds; `None`: the emulator's default
    /// (250 ms).
    pub max_delay_ms: Option<u64>,
}

/// One run of apply.
#[derive(Debug, Clone)]
pub struct Run {
    /// Its exit code (`None`: killed by a signal, or by the deadline).
    pub exit: Option<i32>,
    /// The live bindings are the file's afterwards.
    pub converged: bool,
    /// Live bindings sharing a CIDR afterwards, and a create refused as a
    /// duplicate.
    pub duplicates: Vec<String>,
    /// What in its report the server's state contradicts.
    pub contradictions: Vec<String>,
    /// Why it did not converge: its last line on stderr, ids, CIDRs and numbers
    /// replaced, when it failed.
    pub error: Option<String>,
    /// The last fault injected during the run (`operation kind`), if any.
    pub last_fault: Option<String>,
    /// Requests it made, and faults injected into them.
    pub requests: u64,
    pub injected: u64,
    /// How long it took.
    pub elapsed: Duration,
}

/// One file and its runs.
#[derive(Debug, Clone)]
pub struct FileRecord {
    /// The file's number, from 1.
    pub number: usize,
    /// Changes from the live bindings when it was made.
    pub changes: usize,
    /// Its runs, until one converged.
    pub runs: Vec<Run>,
}

impl FileRecord {
    /// The run (from 1) after which the live bindings matched, if one did.
    pub fn converged_after(&self) -> Option<usize> {
        self.runs.iter().position(|r| r.converged).map(|i| i + 1)
    }
}

/// The outcome of [`measure`](super::measure).
#[derive(Debug, Clone)]
pub struct Measurement {
    pub settings: Settings,
    pub files: Vec<FileRecord>,
    pub elapsed: Duration,
}

impl Measurement {
    /// Files that converged within `runs` runs.
    pub fn converged_within(&self, runs: usize) -> usize {
        self.files
            .iter()
            .filter(|f| f.converged_after().is_some_and(|n| n <= runs))
            .count()
    }

    fn all_runs(&self) -> impl Iterator<Item = (&FileRecord, &Run)> {
        self.files
            .iter()
            .flat_map(|f| f.runs.iter().map(move |r| (f, r)))
    }

    /// Every duplicate seen after a run: (file, run, what).
    pub fn duplicates(&self) -> Vec<String> {
        self.problems(|r| &r.duplicates)
    }

    /// Every contradicted report: (file, run, what).
    pub fn contradictions(&self) -> Vec<String> {
        self.problems(|r| &r.contradictions)
    }

    fn problems(&self, pick: impl Fn(&Run) -> &Vec<String>) -> Vec<String> {
        let mut out = Vec::new();
        for f in &self.files {
            for (i, run) in f.runs.iter().enumerate() {
                for problem in pick(run) {
                    out.push(format!("file {} run {}: {problem}", f.number, i + 1));
                }
            }
        }
        out
    }

    /// Runs that stopped short of the file, by cause: their exit code and the last
    /// fault injected (the one they gave up on, as a rule); how many, and the
    /// error of the first.
    pub fn causes(&self) -> BTreeMap<String, (usize, String)> {
        let mut causes: BTreeMap<String, (usize, String)> = BTreeMap::new();
        for (_, run) in self.all_runs().filter(|(_, r)| !r.converged) {
            let exit = run
                .exit
                .map_or("killed".to_owned(), |c| format!("exit {c}"));
            let fault = run.last_fault.as_deref().unwrap_or("no fault");
            let entry = causes
                .entry(format!("{exit}, last fault: {fault}"))
                .or_insert_with(|| (0, run.error.clone().unwrap_or_default()));
            entry.0 += 1;
        }
        causes
    }

    /// The figures, for people.
    pub fn table(&self) -> String {
        let s = &self.settings;
        let n = self.files.len();
        let runs: usize = self.files.iter().map(|f| f.runs.len()).sum();
        let requests: u64 = self.all_runs().map(|(_, r)| r.requests).sum();
        let injected: u64 = self.all_runs().map(|(_, r)| r.injected).sum();
        let changes: Vec<usize> = self.files.iter().map(|f| f.changes).collect();
        let kinds = if s.kinds.is_empty() {
            "every kind".to_owned()
        } else {
            s.kinds.join(",")
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "chaos rate {:.2} ({kinds}), {n} files, seed {}, up to {} runs each",
            s.rate, s.seed, s.max_runs
        );
        let _ = writeln!(
            out,
            "  changes per file: {} to {}, {} in all",
            changes.iter().min().unwrap_or(&0),
            changes.iter().max().unwrap_or(&0),
            changes.iter().sum::<usize>()
        );
        for within in 1..=s.max_runs {
            let _ = writeln!(
                out,
                "  converged within {within} run{}: {:>3} of {n}",
                if within == 1 { " " } else { "s" },
                self.converged_within(within)
            );
        }
        let _ = writeln!(
            out,
            "  duplicates (live, or a create refused as one): {}",
            self.duplicates().len()
        );
        let _ = writeln!(
            out,
            "  reports contradicting the server: {}",
            self.contradictions().len()
        );
        let _ = writeln!(
            out,
            "  {runs} runs, {requests} requests, {injected} faults injected ({:.1} %), {:.0} s",
            if requests == 0 {
                0.0
            } else {
                injected as f64 * 100.0 / requests as f64
            },
            self.elapsed.as_secs_f64()
        );
        let causes = self.causes();
        if !causes.is_empty() {
            let stopped: Vec<&Run> = self
                .all_runs()
                .map(|(_, r)| r)
                .filter(|r| !r.converged)
                .collect();
            let on = |ops: &[&str]| {
                stopped
                    .iter()
                    .filter(|r| {
                        r.last_fault
                            .as_deref()
                            .and_then(|f| f.split(' ').next())
                            .is_some_and(|op| ops.contains(&op))
                    })
                    .count()
            };
            let _ = writeln!(
                out,
                "  runs that stopped short: {}, the last fault on a read {} (list, get, list services, list prefixes, get prefix), on a write {} (create, delete)",
                stopped.len(),
                on(&[
                    "list",
                    "get",
                    "list_services",
                    "list_prefixes",
                    "get_prefix"
                ]),
                on(&["create", "delete"]),
            );
            let _ = writeln!(
                out,
                "  runs that stopped short, by exit code and last fault injected:"
            );
            for (cause, (count, error)) in causes {
                let _ = writeln!(out, "    {count:>3}  {cause}\n           e.g. {error}");
            }
        }
        for problem in self.duplicates().iter().chain(&self.contradictions()) {
            let _ = writeln!(out, "  ! {problem}");
        }
        out
    }
}
