//! `cargo xtask bench`: runs the six measurements of the benchmark issue side by
//! side, prints a table and writes `BENCHMARKS.md`.
//!
//! The Rust measurements are the programs of the `cf-bindings-benches` package
//! (built in release mode); each prints JSON lines `{"name", "unit", "values"}`.
//! The Python SDK is installed into a throwaway virtualenv under `target/bench/`,
//! `wrk` from Debian's packages; either is skipped with a message when it cannot be
//! had.

mod python;

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, ExitCode, Stdio},
    time::{Duration, Instant},
};

const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const PREFIX: &str = "2af39739cc4e3b5910c918468bb89828";
const TOKEN: &str = "emulator-token";
/// The demo seed's base binding of [`PREFIX`], for gets.
const BASE_BINDING: &str = "0429b49b6a5155297b78e75a44b09e14";
/// The demo seed's IPv6 prefix, empty at start: bound by the CPU and apply programs.
const IPV6_PREFIX: &str = "6b3f1e0a9d2c4b7e8f5a1c3d2e4f6a8b";
const IPV6_PREFIX_CIDR: &str = "2001:db8:1000::/48";
/// The hand-written analysis of missed targets, included in `BENCHMARKS.md`.
const NOTES_PATH: &str = "benches/NOTES.md";

/// A figure: a unit and one value per run.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The unit, e.g. `req/s`.
    pub unit: String,
    /// One value per run.
    pub values: Vec<f64>,
}

impl Figure {
    /// The median of the values (NaN when there is none).
    pub fn median(&self) -> f64 {
        median(&self.values)
    }
}

/// The median of `values` (NaN when empty).
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Parses the JSON lines of a benchmark program; other lines are ignored.
pub fn parse_figures(output: &str) -> BTreeMap<String, Figure> {
    let mut out = BTreeMap::new();
    for line in output.lines() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line.trim()) else {
            continue;
        };
        let (Some(name), Some(unit), Some(values)) = (
            value.get("name").and_then(|v| v.as_str()),
            value.get("unit").and_then(|v| v.as_str()),
            value.get("values").and_then(|v| v.as_array()),
        ) else {
            continue;
        };
        out.insert(
            name.to_owned(),
            Figure {
                unit: unit.to_owned(),
                values: values
                    .iter()
                    .filter_map(serde_json::Value::as_f64)
                    .collect(),
            },
        );
    }
    out
}

/// Formats a number with 3 significant digits, thousands grouped.
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    let abs = x.abs();
    let decimals = if abs >= 100.0 {
        0
    } else if abs >= 10.0 {
        1
    } else if abs >= 1.0 {
        2
    } else {
        3
    };
    let text = format!("{x:.decimals$}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// `median (min–max)` of a figure.
pub fn fmt_figure(f: &Figure) -> String {
    let finite: Vec<f64> = f.values.iter().copied().filter(|x| x.is_finite()).collect();
    let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    match finite.len() {
        0 => "n/a".to_owned(),
        1 => format!("{} {}", fmt_num(finite[0]), f.unit),
        n => format!(
            "{} {} ({}–{}, n={n})",
            fmt_num(f.median()),
            f.unit,
            fmt_num(min),
            fmt_num(max)
        ),
    }
}

/// One row of the report.
struct Row {
    section: &'static str,
    what: String,
    figure: String,
}

/// A ratio against a target.
struct Target {
    what: String,
    ratio: Option<f64>,
    target: String,
    met: Option<bool>,
}

struct Settings {
    runs: usize,
    sequential: usize,
    concurrent: usize,
    python_sequential: usize,
    python_concurrent: usize,
    cli_runs: usize,
    wrk_runs: usize,
    wrk_seconds: u32,
}

/// Everything gathered during a run.
#[derive(Default)]
struct Report {
    figures: BTreeMap<String, Figure>,
    commands: Vec<String>,
    skipped: Vec<String>,
    notes: Vec<String>,
}

impl Report {
    fn get(&self, name: &str) -> Option<&Figure> {
        self.figures.get(name)
    }
    fn median(&self, name: &str) -> Option<f64> {
        self.get(name).map(Figure::median).filter(|x| x.is_finite())
    }
    fn ratio(&self, a: &str, b: &str) -> Option<f64> {
        Some(self.median(a)? / self.median(b)?)
    }
    fn add(&mut self, name: &str, unit: &str, values: Vec<f64>) {
        self.figures.insert(
            name.to_owned(),
            Figure {
                unit: unit.to_owned(),
                values,
            },
        );
    }
}

fn describe(cmd: &Command) -> String {
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
fn relative(root: &Path, text: &str) -> String {
    let root = root.to_string_lossy();
    text.replace(&format!("{root}/"), "").replace(&*root, ".")
}

impl Report {
    /// Runs a command, records it, and returns its standard output.
    fn run(&mut self, root: &Path, cmd: &mut Command) -> Result<String, String> {
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
    fn collect(&mut self, root: &Path, cmd: &mut Command) -> Result<(), String> {
        let out = self.run(root, cmd)?;
        self.figures.extend(parse_figures(&out));
        Ok(())
    }
}

/// Kills the emulator when dropped.
struct Emulator {
    child: Child,
    base_url: String,
    addr: SocketAddr,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn start_emulator(report: &mut Report, root: &Path, release: &Path) -> Result<Emulator, String> {
    let port = free_port()?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut cmd = Command::new(release.join("cf-bindings-emulator"));
    cmd.args(["--listen", &addr.to_string(), "--provisioning-delay", "0"]);
    let line = describe(&cmd);
    report.commands.push(relative(root, &line) + " &");
    eprintln!("$ {line} &");
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{line}: {e}"))?;
    let emulator = Emulator {
        child,
        base_url: format!("http://{addr}/client/v4"),
        addr,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect_timeout(&emulator.addr, Duration::from_millis(200)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("the emulator did not listen on {addr} within 20 s"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(emulator)
}

fn command_works(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A virtualenv with the official `cloudflare` SDK, or why there is none.
fn python_sdk(report: &mut Report, root: &Path, dir: &Path) -> Result<PathBuf, String> {
    let venv = dir.join("venv");
    let python = venv.join("bin/python");
    if command_works(&python.to_string_lossy(), &["-c", "import cloudflare"]) {
        eprintln!("reusing {}", venv.display());
    } else {
        if !command_works("python3", &["--version"]) {
            return Err("python3 is not installed".to_owned());
        }
        let _ = std::fs::remove_dir_all(&venv);
        report
            .run(
                root,
                Command::new("python3").args(["-m", "venv"]).arg(&venv),
            )
            .map_err(|e| {
                format!("cannot create a virtualenv ({e}); on Debian: apt-get install python3-venv")
            })?;
        report
            .run(
                root,
                Command::new(venv.join("bin/pip")).args([
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "cloudflare",
                ]),
            )
            .map_err(|e| format!("cannot install the `cloudflare` SDK from PyPI ({e})"))?;
    }
    let version = Command::new(&python)
        .args(["-c", "import cloudflare; print(cloudflare.__version__)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    report
        .notes
        .push(format!("Python SDK: `cloudflare` {version} from PyPI"));
    Ok(python)
}

/// `wrk`, installed from Debian's packages when missing.
fn wrk(report: &mut Report, root: &Path) -> Result<(), String> {
    if command_works("wrk", &["--version"]) || Command::new("wrk").output().is_ok() {
        return Ok(());
    }
    let install = |report: &mut Report| {
        report.run(
            root,
            Command::new("apt-get").args(["install", "-y", "-q", "wrk"]),
        )
    };
    if install(report).is_err() {
        let _ = report.run(root, Command::new("apt-get").args(["update", "-q"]));
        install(report).map_err(|e| format!("cannot install wrk with apt-get ({e})"))?;
    }
    Ok(())
}

/// Parses wrk's `--latency` output: requests/s, p99 in ms, errors.
pub fn parse_wrk(output: &str) -> Option<(f64, f64, u64)> {
    let mut rps = None;
    let mut p99 = None;
    let mut errors = 0u64;
    for line in output.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            rps = rest.trim().parse().ok();
        } else if let Some(rest) = line.strip_prefix("99%") {
            p99 = parse_wrk_duration(rest.trim());
        } else if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            errors += rest.trim().parse::<u64>().unwrap_or(0);
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            errors += rest
                .split(',')
                .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    Some((rps?, p99?, errors))
}

/// `1.23ms`, `456.00us`, `1.2s` → milliseconds.
fn parse_wrk_duration(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.trim().parse().ok()?;
    Some(match unit {
        "us" => value / 1e3,
        "ms" => value,
        "s" => value * 1e3,
        "m" => value * 60e3,
        _ => return None,
    })
}

fn time_runs(
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

fn machine() -> Vec<String> {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown", |(_, m)| m.trim())
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let mem = read("/proc/meminfo")
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or("unknown".to_owned(), |kb| {
            format!("{:.1} GiB", kb / 1048576.0)
        });
    let output = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    vec![
        format!("CPU: {model}, {cores} cores available"),
        format!("Memory: {mem}"),
        format!("OS: {}", output("uname", &["-srm"])),
        format!("Rust: {}", output("rustc", &["--version"])),
    ]
}

/// `cargo xtask bench [--quick] [--output FILE]`.
pub fn main_bench(quick: bool, output: Option<PathBuf>) -> ExitCode {
    let root = xtask::codegen::workspace_root();
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
    let settings = if quick {
        Settings {
            runs: 2,
            sequential: 300,
            concurrent: 1280,
            python_sequential: 50,
            python_concurrent: 128,
            cli_runs: 3,
            wrk_runs: 1,
            wrk_seconds: 2,
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
        }
    };
    let mut report = Report::default();
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());

    // Build everything measured, in release mode.
    let build_start = Instant::now();
    report.run(
        root,
        Command::new(&cargo).current_dir(root).args([
            "build",
            "--release",
            "-p",
            "cf-bindings-benches",
            "-p",
            "cf-bindings-cli",
            "-p",
            "cf-bindings-emulator",
        ]),
    )?;
    report.notes.push(format!(
        "Release build of the measured programs took {:.0} s in this run (cold on a fresh clone, incremental otherwise).",
        build_start.elapsed().as_secs_f64()
    ));
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let release = target_dir.join("release");

    // Tools.
    let python = match python_sdk(&mut report, root, &dir) {
        Ok(p) => Some(p),
        Err(why) => {
            let msg = format!("Python SDK measurements skipped: {why}");
            eprintln!("{msg}");
            report.skipped.push(msg);
            None
        }
    };
    let have_wrk = match wrk(&mut report, root) {
        Ok(()) => true,
        Err(why) => {
            let msg = format!("emulator load test skipped: {why}");
            eprintln!("{msg}");
            report.skipped.push(msg);
            false
        }
    };
    let python_requests = dir.join("python_requests.py");
    let python_one_shot = dir.join("python_one_shot.py");
    let lua = dir.join("auth.lua");
    for (path, text) in [
        (&python_requests, python::REQUESTS),
        (&python_one_shot, python::ONE_SHOT),
        (
            &lua,
            "wrk.headers[\"Authorization\"] = \"Bearer emulator-token\"\n",
        ),
    ] {
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }

    // 1, 4, 5: against one emulator.
    {
        let emulator = start_emulator(&mut report, root, &release)?;
        let url = emulator.base_url.clone();
        {
            eprintln!("== 1. request overhead: wrapper and baseline, taking turns");
            report.collect(
                root,
                Command::new(release.join("bench-requests")).args([
                    "--clients",
                    "wrapper,baseline",
                    "--base-url",
                    &url,
                    "--account",
                    ACCOUNT,
                    "--prefix",
                    PREFIX,
                    "--token",
                    TOKEN,
                    "--runs",
                    &settings.runs.to_string(),
                    "--sequential",
                    &settings.sequential.to_string(),
                    "--concurrent",
                    &settings.concurrent.to_string(),
                    "--concurrency",
                    "64",
                ]),
            )?;
        }
        if let Some(python) = &python {
            eprintln!("== 1. request overhead: Python SDK");
            let result = report.collect(
                root,
                Command::new(python)
                    .env("CLOUDFLARE_API_TOKEN", TOKEN)
                    .arg(&python_requests)
                    .args([
                        url.as_str(),
                        ACCOUNT,
                        PREFIX,
                        &settings.runs.to_string(),
                        &settings.python_sequential.to_string(),
                        &settings.python_concurrent.to_string(),
                        "64",
                    ]),
            );
            if let Err(e) = result {
                report
                    .skipped
                    .push(format!("Python SDK request overhead failed: {e}"));
            }
        }

        eprintln!("== 4. CLI wall time");
        let cli = time_runs(
            &mut report,
            root,
            Command::new(release.join("cf-bindings"))
                .env("CLOUDFLARE_API_TOKEN", TOKEN)
                .args([
                    "--base-url",
                    &url,
                    "--account",
                    ACCOUNT,
                    "bindings",
                    "list",
                    "--prefix",
                    PREFIX,
                ]),
            settings.cli_runs,
        )?;
        report.add("cli.wrapper", "ms", cli);
        if let Some(python) = &python {
            match time_runs(
                &mut report,
                root,
                Command::new(python)
                    .env("CLOUDFLARE_API_TOKEN", TOKEN)
                    .arg(&python_one_shot)
                    .args([url.as_str(), ACCOUNT, PREFIX]),
                settings.cli_runs,
            ) {
                Ok(v) => report.add("cli.python", "ms", v),
                Err(e) => report.skipped.push(format!("Python one-shot failed: {e}")),
            }
        }

        if have_wrk {
            eprintln!("== 5. emulator under load");
            let list_url =
                format!("{url}/accounts/{ACCOUNT}/addressing/prefixes/{PREFIX}/bindings");
            let (mut rps, mut p99, mut errors) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..settings.wrk_runs {
                let out = report.run(
                    root,
                    Command::new("wrk")
                        .args(["-t2", "-c64"])
                        .arg(format!("-d{}s", settings.wrk_seconds))
                        .arg("--latency")
                        .arg("-s")
                        .arg(&lua)
                        .arg(&list_url),
                )?;
                let (r, p, e) =
                    parse_wrk(&out).ok_or_else(|| format!("cannot read wrk's output:\n{out}"))?;
                rps.push(r);
                p99.push(p);
                errors.push(e as f64);
            }
            report.add("emulator.rps", "req/s", rps);
            report.add("emulator.p99", "ms", p99);
            report.add("emulator.errors", "errors", errors);
        }
        drop(emulator);
    }

    eprintln!("== 2. decode");
    report.collect(
        root,
        Command::new(release.join("bench-decode")).args([
            "--runs",
            &settings.runs.to_string(),
            "--iterations",
            if quick { "5" } else { "20" },
        ]),
    )?;

    eprintln!("== 3. routing");
    report.collect(
        root,
        Command::new(release.join("bench-routing")).args([
            "--runs",
            &settings.runs.to_string(),
            "--lookups",
            if quick { "200000" } else { "1000000" },
        ]),
    )?;

    eprintln!("== 7. bindings as code: plan, and apply against a fresh emulator");
    {
        let emulator = start_emulator(&mut report, root, &release)?;
        report.collect(
            root,
            Command::new(release.join("bench-desired")).args([
                "--runs",
                &settings.runs.to_string(),
                "--plan-size",
                "10000",
                "--base-url",
                &emulator.base_url,
                "--account",
                ACCOUNT,
                "--prefix",
                IPV6_PREFIX,
                "--prefix-cidr",
                IPV6_PREFIX_CIDR,
                "--token",
                TOKEN,
                "--creates",
                if quick { "200" } else { "1000" },
            ]),
        )?;
    }

    eprintln!("== 8. client CPU per call, wrapper and baseline taking turns, fresh emulator");
    {
        let emulator = start_emulator(&mut report, root, &release)?;
        report.collect(
            root,
            Command::new(release.join("bench-cpu")).args([
                "--clients",
                "wrapper,baseline",
                "--base-url",
                &emulator.base_url,
                "--account",
                ACCOUNT,
                "--token",
                TOKEN,
                "--small-prefix",
                PREFIX,
                "--binding",
                BASE_BINDING,
                "--large-prefix",
                IPV6_PREFIX,
                "--large-cidr",
                IPV6_PREFIX_CIDR,
                "--runs",
                &settings.runs.to_string(),
                "--calls",
                if quick { "50" } else { "300" },
                "--large-calls",
                if quick { "10" } else { "100" },
            ]),
        )?;
    }

    eprintln!("== 6. footprint");
    footprint(&mut report, root, &dir, &cargo)?;

    let elapsed = started.elapsed();
    let (rows, targets) = tabulate(&report);
    let table = text_table(&rows, &targets);
    println!("{table}");
    let notes = std::fs::read_to_string(root.join(NOTES_PATH)).unwrap_or_default();
    let markdown = markdown(&report, &rows, &targets, &notes, elapsed, quick);
    std::fs::write(output, markdown).map_err(|e| format!("{}: {e}", output.display()))?;
    eprintln!(
        "wrote {} ({:.1} min in all)",
        output.display(),
        elapsed.as_secs_f64() / 60.0
    );
    Ok(())
}

/// Crate count and cold release build time of a new binary that depends only on
/// `cf-bindings`.
fn footprint(report: &mut Report, root: &Path, dir: &Path, cargo: &str) -> Result<(), String> {
    let krate = dir.join("footprint");
    let target = dir.join("footprint-target");
    let _ = std::fs::remove_dir_all(&krate);
    let _ = std::fs::remove_dir_all(&target);
    std::fs::create_dir_all(krate.join("src")).map_err(|e| format!("{}: {e}", krate.display()))?;
    let manifest = format!(
        "[package]\nname = \"footprint\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\ncf-bindings = {{ path = {:?} }}\n\n[workspace]\n",
        root.join("crates/cf-bindings").to_string_lossy()
    );
    let main = "fn main() {\n    let client = cf_bindings::Client::builder().api_token(\"t\").build();\n    \
                println!(\"{}\", client.is_ok());\n}\n";
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write(krate.join("Cargo.toml"), &manifest)?;
    write(krate.join("src/main.rs"), main)?;
    // The workspace's lock file, so that the versions are the ones the workspace uses.
    std::fs::copy(root.join("Cargo.lock"), krate.join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;

    // Resolve (and fetch) first, so that the build time is compile time only.
    report.run(
        root,
        Command::new(cargo).current_dir(&krate).args(["fetch"]),
    )?;
    let tree = report.run(
        root,
        Command::new(cargo).current_dir(&krate).args([
            "tree",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ]),
    )?;
    let mut crates: Vec<&str> = tree
        .lines()
        .map(|l| l.trim_end_matches(" (*)").trim())
        .filter(|l| !l.is_empty() && !l.starts_with("footprint "))
        .collect();
    crates.sort_unstable();
    crates.dedup();
    report.add("footprint.crates", "crates", vec![crates.len() as f64]);
    let build_deps = tree_count(
        report,
        root,
        Command::new(cargo).current_dir(&krate).args([
            "tree",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "--offline",
        ]),
    )?;
    report.add(
        "footprint.crates_with_build",
        "crates",
        vec![build_deps as f64],
    );

    let start = Instant::now();
    report.run(
        root,
        Command::new(cargo)
            .current_dir(&krate)
            .env("CARGO_TARGET_DIR", &target)
            .args(["build", "--release", "--offline"]),
    )?;
    report.add(
        "footprint.cold_build",
        "s",
        vec![start.elapsed().as_secs_f64()],
    );
    let binary = target.join("release/footprint");
    if let Ok(meta) = std::fs::metadata(&binary) {
        report.add("footprint.binary", "MB", vec![meta.len() as f64 / 1e6]);
    }
    let _ = std::fs::remove_dir_all(&target);
    Ok(())
}

fn tree_count(report: &mut Report, root: &Path, cmd: &mut Command) -> Result<usize, String> {
    let tree = report.run(root, cmd)?;
    let mut crates: Vec<&str> = tree
        .lines()
        .map(|l| l.trim_end_matches(" (*)").trim())
        .filter(|l| !l.is_empty() && !l.starts_with("footprint ") && !l.starts_with('['))
        .collect();
    crates.sort_unstable();
    crates.dedup();
    Ok(crates.len())
}

fn tabulate(report: &Report) -> (Vec<Row>, Vec<Target>) {
    let mut rows = Vec::new();
    let mut row = |section: &'static str, what: &str, name: &str| {
        if let Some(f) = report.get(name) {
            rows.push(Row {
                section,
                what: what.to_owned(),
                figure: fmt_figure(f),
            });
        }
    };
    row(
        "1 requests",
        "wrapper, sequential",
        "requests.wrapper.sequential",
    );
    row(
        "1 requests",
        "baseline (reqwest+serde), sequential",
        "requests.baseline.sequential",
    );
    row(
        "1 requests",
        "Python SDK, sequential",
        "requests.python.sequential",
    );
    row(
        "1 requests",
        "wrapper, 64 concurrent",
        "requests.wrapper.concurrent",
    );
    row(
        "1 requests",
        "baseline, 64 concurrent",
        "requests.baseline.concurrent",
    );
    row(
        "1 requests",
        "Python SDK (async), 64 concurrent",
        "requests.python.concurrent",
    );
    row("2 decode", "envelope size", "decode.body_size");
    row(
        "2 decode",
        "serde_json into the generated types",
        "decode.generated",
    );
    row(
        "2 decode",
        "wrapper `envelope::decode_bindings` (typed)",
        "decode.wrapper",
    );
    row(
        "3 routing",
        "RoutingTable build, 100k bindings",
        "routing.build",
    );
    row(
        "3 routing",
        "RoutingTable lookups, 1M addresses",
        "routing.table",
    );
    row(
        "3 routing",
        "naive scan lookups (1,000-address sample)",
        "routing.naive",
    );
    row(
        "3 routing",
        "addresses routed (hit ratio)",
        "routing.hit_ratio",
    );
    row(
        "3 routing",
        "table vs naive disagreements on the sample",
        "routing.disagreements",
    );
    row(
        "4 CLI",
        "`cf-bindings bindings list`, start to exit",
        "cli.wrapper",
    );
    row("4 CLI", "Python SDK one-shot script", "cli.python");
    row(
        "5 emulator",
        "wrk, 64 connections: throughput",
        "emulator.rps",
    );
    row("5 emulator", "wrk: p99 latency", "emulator.p99");
    row(
        "5 emulator",
        "wrk: errors (non-2xx + socket)",
        "emulator.errors",
    );
    row(
        "6 footprint",
        "crates (normal deps, incl. cf-bindings)",
        "footprint.crates",
    );
    row(
        "6 footprint",
        "crates (normal + build deps)",
        "footprint.crates_with_build",
    );
    row(
        "6 footprint",
        "cold `cargo build --release`",
        "footprint.cold_build",
    );
    row("6 footprint", "binary size", "footprint.binary");
    row(
        "7 as code",
        "`plan`: 10,000 desired against 10,000 live",
        "desired.plan_10k",
    );
    row(
        "7 as code",
        "`apply`: creates, pacing off",
        "desired.apply_1k.rate",
    );
    row(
        "7 as code",
        "`apply`: client CPU per create",
        "desired.apply_1k.cpu",
    );
    for op in ["list_1", "list_1000", "get", "create"] {
        for client in ["wrapper", "baseline"] {
            row(
                "8 client CPU",
                &format!("{client}: CPU per `{op}`"),
                &format!("cpu.{client}.{op}"),
            );
        }
    }
    for client in ["wrapper", "baseline"] {
        row(
            "8 client CPU",
            &format!("{client}: 1,000-binding list, sequential"),
            &format!("large_list.{client}.sequential"),
        );
    }

    let mut targets = Vec::new();
    let mut target = |what: &str, ratio: Option<f64>, min: f64, text: &str| {
        targets.push(Target {
            what: what.to_owned(),
            ratio,
            target: text.to_owned(),
            met: ratio.map(|r| r >= min),
        });
    };
    target(
        "wrapper / baseline, sequential",
        report.ratio(
            "requests.wrapper.sequential",
            "requests.baseline.sequential",
        ),
        0.9,
        "≥ 0.9×",
    );
    target(
        "wrapper / baseline, 64 concurrent",
        report.ratio(
            "requests.wrapper.concurrent",
            "requests.baseline.concurrent",
        ),
        0.9,
        "≥ 0.9×",
    );
    target(
        "wrapper / Python SDK, sequential",
        report.ratio("requests.wrapper.sequential", "requests.python.sequential"),
        10.0,
        "≥ 10×",
    );
    target(
        "wrapper / Python SDK, 64 concurrent (no target)",
        report.ratio("requests.wrapper.concurrent", "requests.python.concurrent"),
        0.0,
        "—",
    );
    target(
        "decode: wrapper / generated types",
        report.ratio("decode.wrapper", "decode.generated"),
        0.8,
        "≥ 0.8×",
    );
    target(
        "routing: lookups/s ÷ 10M",
        report.median("routing.table").map(|r| r / 10e6),
        1.0,
        "≥ 1× (10M/s)",
    );
    target(
        "routing: table / naive scan",
        report.ratio("routing.table", "routing.naive"),
        0.0,
        "—",
    );
    target(
        "CLI: Python one-shot / cf-bindings (times faster)",
        report.ratio("cli.python", "cli.wrapper"),
        0.0,
        "—",
    );
    target(
        "plan 10k against 10k: 50 ms ÷ median",
        report.median("desired.plan_10k").map(|ms| 50.0 / ms),
        1.0,
        "≥ 1× (< 50 ms)",
    );
    for op in ["list_1", "list_1000", "get", "create"] {
        target(
            &format!("CPU per `{op}`: baseline ÷ wrapper"),
            report.ratio(&format!("cpu.baseline.{op}"), &format!("cpu.wrapper.{op}")),
            1.0 / 1.15,
            "≥ 0.87× (wrapper ≤ 1.15×)",
        );
    }
    target(
        "1,000-binding list: wrapper / baseline",
        report.ratio(
            "large_list.wrapper.sequential",
            "large_list.baseline.sequential",
        ),
        0.9,
        "≥ 0.9×",
    );
    let errors = report.median("emulator.errors");
    targets.push(Target {
        what: "emulator: zero errors under load".to_owned(),
        ratio: errors,
        target: "0 errors".to_owned(),
        met: errors.map(|e| e == 0.0),
    });
    (rows, targets)
}

fn verdict(t: &Target) -> &'static str {
    match (t.target.as_str(), t.met) {
        ("—", _) => "",
        (_, Some(true)) => "met",
        (_, Some(false)) => "NOT MET",
        (_, None) => "not measured",
    }
}

fn fmt_ratio(t: &Target) -> String {
    match t.ratio {
        Some(r) if t.what.starts_with("emulator") => fmt_num(r),
        Some(r) => format!("{}×", fmt_num(r)),
        None => "n/a".to_owned(),
    }
}

fn text_table(rows: &[Row], targets: &[Target]) -> String {
    let w0 = rows.iter().map(|r| r.section.len()).max().unwrap_or(0);
    let w1 = rows
        .iter()
        .map(|r| r.what.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for r in rows {
        let pad = w1 - r.what.chars().count();
        let _ = writeln!(
            out,
            "{:w0$}  {}{}  {}",
            r.section,
            r.what,
            " ".repeat(pad),
            r.figure
        );
    }
    out.push('\n');
    for t in targets {
        let _ = writeln!(
            out,
            "{:58} {:>12}  target {:14} {}",
            t.what,
            fmt_ratio(t),
            t.target,
            verdict(t)
        );
    }
    out
}

fn markdown(
    report: &Report,
    rows: &[Row],
    targets: &[Target],
    notes: &str,
    elapsed: Duration,
    quick: bool,
) -> String {
    let mut md = String::new();
    md.push_str("# Benchmarks\n\n");
    md.push_str(
        "Written by `cargo xtask bench` (do not edit by hand: the analysis of missed \
         targets comes from `benches/NOTES.md`). Each figure is the median of its runs \
         with the min–max and the number of runs; the machine is shared and noisy, so \
         compare ratios taken in the same run rather than absolute figures.\n\n",
    );
    if quick {
        md.push_str("**This is a `--quick` run: fewer runs, shorter loads.**\n\n");
    }
    md.push_str("## Machine\n\n");
    for line in machine() {
        let _ = writeln!(md, "- {line}");
    }
    for line in &report.notes {
        let _ = writeln!(md, "- {line}");
    }
    let _ = writeln!(
        md,
        "- The whole run took {:.1} minutes.\n",
        elapsed.as_secs_f64() / 60.0
    );
    md.push_str("## Results\n\n| # | measurement | median (min–max, runs) |\n|---|---|---|\n");
    for r in rows {
        let _ = writeln!(md, "| {} | {} | {} |", r.section, r.what, r.figure);
    }
    md.push_str("\n## Ratios and targets\n\n| comparison | ratio of medians | target | |\n|---|---|---|---|\n");
    for t in targets {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            t.what,
            fmt_ratio(t),
            t.target,
            verdict(t)
        );
    }
    if !report.skipped.is_empty() {
        md.push_str("\n## Skipped\n\n");
        for s in &report.skipped {
            let _ = writeln!(md, "- {s}");
        }
    }
    md.push_str("\n## Targets not met\n\n");
    let missed: Vec<&Target> = targets.iter().filter(|t| t.met == Some(false)).collect();
    if missed.is_empty() {
        md.push_str("None in this run.\n");
    } else {
        for t in &missed {
            let _ = writeln!(md, "- {}: {} (target {})", t.what, fmt_ratio(t), t.target);
        }
    }
    if !notes.trim().is_empty() {
        md.push('\n');
        md.push_str(notes.trim());
        md.push('\n');
    }
    md.push_str("\n## What was measured, and how\n\n");
    md.push_str(
        "1. **Request overhead**: one release emulator on 127.0.0.1 (provisioning delay 0, \
         faults off, the demo seed: one binding in the listed prefix). `bench-requests` \
         makes N sequential `list bindings` calls, then N calls from 64 concurrent tasks, \
         per run, after a warm-up; the wrapper is `Client::builder()…bindings().list()`, the \
         baseline reqwest + serde_json into plain structs. The Python SDK does the same \
         with `Cloudflare` (sequential) and `AsyncCloudflare` + asyncio (64 concurrent), \
         `max_retries=0`. Client and server share the machine's cores.\n\
         2. **Decode**: a generated 10,000-binding envelope, in memory: serde_json into \
         the generated type alone, against the wrapper's `envelope::decode_bindings`, \
         which decodes the same type and converts it to `ServiceBinding`s (ids, CIDRs, \
         states checked), as `list()` does.\n\
         3. **Routing**: 100,000 random bindings (¾ IPv4 /16–/32, ¼ IPv6 /32–/64 in \
         2001:db8::/32), 1,000,000 addresses (half inside a random binding, half random), \
         fixed seed. The naive scan checks every binding per address, on the first 1,000 \
         addresses; both must agree on the sample.\n\
         4. **CLI**: the release `cf-bindings` against the running emulator, process start \
         to exit, after one untimed warm-up run; the Python script is a one-shot \
         `Cloudflare(...).addressing.prefixes.service_bindings.list(...)` printing the \
         bindings.\n\
         5. **Emulator**: `wrk -t2 -c64 --latency` on the list endpoint with the bearer \
         token (a Lua script); errors are non-2xx responses plus socket errors.\n\
         6. **Footprint**: a new binary crate with only `cf-bindings` as a path \
         dependency, the workspace's Cargo.lock, its own empty target directory; \
         dependencies fetched before the timed `cargo build --release`; crates counted \
         from `cargo tree -e normal --prefix none` (unique, the new crate itself \
         excluded).\n\
         7. **Bindings as code**: `bench-desired` plans 10,000 desired bindings against \
         10,000 live ones in a /8 (a quarter unchanged, a quarter replaced, half deleted \
         by `prune`, 2,500 created), in memory; then, against a fresh emulator, applies \
         the creates of the empty demo IPv6 prefix's base binding and 999 /64s with \
         `cf_bindings::apply`, no pacing: creates per second, and the client's CPU per \
         create from the process CPU clock (`CLOCK_PROCESS_CPUTIME_ID`); the bindings \
         are deleted between runs, untimed.\n\
         8. **Client CPU**: `bench-cpu`, one process, against a fresh emulator in another: \
         the process CPU clock (user + system, all threads) around N calls of each kind, \
         wrapper and baseline taking turns within each run, after a warm-up run: \
         one-binding lists, 1,000-binding lists (the demo IPv6 prefix, bound first), gets \
         of one binding, and creates (deleted after each run, untimed). The baseline is \
         reqwest + serde_json into plain structs. Both on a current-thread runtime.\n",
    );
    md.push_str("\n## Commands\n\nThe command: `cargo xtask bench`. It ran:\n\n```sh\n");
    for c in &report.commands {
        let _ = writeln!(md, "{c}");
    }
    md.push_str("```\n");
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(fmt_num(1234567.8), "1,234,568");
        assert_eq!(fmt_num(12.345), "12.3");
        assert_eq!(fmt_num(0.1234), "0.123");
        assert_eq!(fmt_num(-1500.0), "-1,500");
        let f = Figure {
            unit: "req/s".to_owned(),
            values: vec![3.0, 1.0, 2.0],
        };
        assert_eq!(fmt_figure(&f), "2.00 req/s (1.00–3.00, n=3)");
    }

    #[test]
    fn parses_figures() {
        let out = "noise\n{\"name\":\"a.b\",\"unit\":\"ms\",\"values\":[1,2.5]}\n";
        let figures = parse_figures(out);
        assert_eq!(figures["a.b"].values, vec![1.0, 2.5]);
        assert_eq!(figures.len(), 1);
    }

    #[test]
    fn parses_wrk() {
        let out = "Running 10s test @ http://127.0.0.1:1/x\n  Latency Distribution\n     50%    1.00ms\n     99%  850.00us\n  12 requests\nRequests/sec:  41234.56\nTransfer/sec:      9.00MB\n";
        assert_eq!(parse_wrk(out), Some((41234.56, 0.85, 0)));
        let out = "  Socket errors: connect 0, read 2, write 0, timeout 1\nNon-2xx or 3xx responses: 4\n     99%    2.5s\nRequests/sec: 10\n";
        assert_eq!(parse_wrk(out), Some((10.0, 2500.0, 7)));
    }
}
