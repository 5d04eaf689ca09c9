//! The report: the rows and targets of a run, and the table printed at its end
//! (`BENCHMARKS.md` is written by [`super::markdown`]).

use std::fmt::Write as _;

use super::figures::{fmt_figure, fmt_num};
use super::record::Report;

/// One row of the report.
pub struct Row {
    pub section: &'static str,
    pub what: String,
    pub figure: String,
}

/// A ratio against a target.
pub struct Target {
    pub what: String,
    pub ratio: Option<f64>,
    pub target: String,
    pub met: Option<bool>,
}

/// The rows (every figure measured, by section) and the targets of a run.
pub fn tabulate(report: &Report) -> (Vec<Row>, Vec<Target>) {
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
        "wrapper / generated, per interleaved sample pair",
        "decode.ratio",
    );
    row(
        "2 decode",
        "serde_json into the generated types",
        "decode.generated",
    );
    row(
        "2 decode",
        "wrapper, as `list()` decodes (typed)",
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
    row("4 CLI", "curl, the same request", "cli.curl");
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
        "5 emulator",
        "fixed-body axum server, same answer: throughput",
        "fixed_server.rps",
    );
    row(
        "5 emulator",
        "fixed-body server: p99 latency",
        "fixed_server.p99",
    );
    row(
        "5 emulator",
        "--state FILE, creates under wrk: throughput",
        "emulator_writes.rps",
    );
    row(
        "5 emulator",
        "--state FILE, creates: p99 latency",
        "emulator_writes.p99",
    );
    row(
        "5 emulator",
        "--state FILE, creates: errors",
        "emulator_writes.errors",
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
        for client in ["wrapper", "baseline", "python"] {
            row(
                "8 client CPU",
                &format!("{client}: CPU per `{op}`"),
                &format!("cpu.{client}.{op}"),
            );
        }
    }
    for client in ["wrapper", "baseline", "python"] {
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
        "decode: wrapper / generated, median of sample pairs",
        report.median("decode.ratio"),
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
    for op in ["list_1", "list_1000", "get", "create"] {
        target(
            &format!("CPU per `{op}`: Python SDK ÷ wrapper"),
            report.ratio(&format!("cpu.python.{op}"), &format!("cpu.wrapper.{op}")),
            10.0,
            "≥ 10×",
        );
    }
    target(
        "1,000-binding list: wrapper / Python SDK",
        report.ratio(
            "large_list.wrapper.sequential",
            "large_list.python.sequential",
        ),
        10.0,
        "≥ 10×",
    );
    target(
        "one-shot: curl ÷ cf-bindings (cf-bindings ≤ 1.5× curl)",
        report.ratio("cli.curl", "cli.wrapper"),
        1.0 / 1.5,
        "≥ 0.67×",
    );
    target(
        "throughput: emulator ÷ fixed-body server",
        report.ratio("emulator.rps", "fixed_server.rps"),
        0.0,
        "—",
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

/// `met`, `NOT MET`, `not measured`, or nothing for a figure without a target.
pub fn verdict(t: &Target) -> &'static str {
    match (t.target.as_str(), t.met) {
        ("—", _) => "",
        (_, Some(true)) => "met",
        (_, Some(false)) => "NOT MET",
        (_, None) => "not measured",
    }
}

/// A target's ratio as printed (`1.26×`).
pub fn fmt_ratio(t: &Target) -> String {
    match t.ratio {
        Some(r) if t.what.starts_with("emulator") => fmt_num(r),
        Some(r) => format!("{}×", fmt_num(r)),
        None => "n/a".to_owned(),
    }
}

/// The table printed at the end of a run: every figure, then every target.
pub fn text_table(rows: &[Row], targets: &[Target]) -> String {
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
