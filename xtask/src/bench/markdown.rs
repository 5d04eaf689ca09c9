//! `BENCHMARKS.md`: the machine, every figure, the targets, the analysis of missed
//! ones (`benches/NOTES.md`), how each figure was measured, and the commands run.

use std::{fmt::Write as _, time::Duration};

use super::record::Report;
use super::report::{Row, Target, fmt_ratio, verdict};
use super::tools::machine;

/// The hand-kept parts of `BENCHMARKS.md`, each included as it is (nothing when
/// empty).
pub struct Included<'a> {
    /// The analysis of missed targets (`benches/NOTES.md`), after the list of them.
    pub notes: &'a str,
    /// The figures of `cargo xtask chaos` (`benches/CHAOS.md`), a section of their
    /// own before how the figures were measured.
    pub chaos: &'a str,
}

/// The whole of `BENCHMARKS.md` for a run.
pub fn markdown(
    report: &Report,
    rows: &[Row],
    targets: &[Target],
    included: Included<'_>,
    elapsed: Duration,
    quick: bool,
) -> String {
    let Included { notes, chaos } = included;
    let mut md = String::new();
    md.push_str("# Benchmarks\n\n");
    md.push_str(
        "Written by `cargo xtask bench` (do not edit by hand: the analysis of missed \
         targets comes from `benches/NOTES.md`, the figures of `cargo xtask chaos` from \
         `benches/CHAOS.md`). Each figure is the median of its runs \
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
    if !chaos.trim().is_empty() {
        md.push('\n');
        md.push_str(chaos.trim());
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
         the generated type alone, against the wrapper's decoding of a list body, which \
         decodes the same type and converts it to `ServiceBinding`s (ids, CIDRs, states \
         checked) with the very function `list()` uses (`cf_bindings::bench::decode_bindings`, \
         behind the wrapper's off-by-default `bench` feature). Short samples (one decode each), the two taking \
         turns, many per run; the ratio is computed per adjacent pair, so drift in the \
         machine's speed falls on both alike, and reported as the median of all pairs \
         with its min–max.\n\
         3. **Routing**: 100,000 random bindings (¾ IPv4 /16–/32, ¼ IPv6 /32–/64 in \
         2001:db8::/32), 1,000,000 addresses (half inside a random binding, half random), \
         fixed seed. The naive scan checks every binding per address, on the first 1,000 \
         addresses; both must agree on the sample.\n\
         4. **One-shot**: the release `cf-bindings bindings list` against the running \
         emulator, process start to exit, after one untimed warm-up run; the Python \
         script is a one-shot `Cloudflare(...).addressing.prefixes.service_bindings.list(...)` \
         printing the bindings; curl makes the same request (`--silent --fail`, the \
         bearer token): the floor for any process that makes one request.\n\
         5. **Emulator**: `wrk -t2 -c64 --latency` on the list endpoint with the bearer \
         token (a Lua script); errors are non-2xx responses plus socket errors. Beside \
         it, `bench-fixed-server`: axum answering every GET with the emulator's own \
         answer to that request, fetched once; the ratio is what the emulator's logic \
         costs. Then the emulator with `--state FILE` (saved atomically, fsync, after \
         every change) under wrk creating distinct /64s in the demo IPv6 prefix.\n\
         6. **Footprint**: a new binary crate with only `cf-bindings` as a path \
         dependency, the workspace's Cargo.lock, its own empty target directory; \
         dependencies fetched before the timed `cargo build --release`; crates counted \
         from `cargo tree -e normal --prefix none` (unique, the new crate itself \
         excluded).\n\
         7. **Bindings as code**: `bench-desired` plans 10,000 desired bindings against \
         10,000 live ones in a /8 (a quarter unchanged, a quarter replaced, half deleted \
         by `prune`, 2,500 created), in memory; then, against a fresh emulator, applies \
         the creates of the empty demo IPv6 prefix's base binding and 999 /64s with \
         `cf_bindings::desired::apply`, no pacing: creates per second, and the client's CPU per \
         create from the process CPU clock (`CLOCK_PROCESS_CPUTIME_ID`); the bindings \
         are deleted between runs, untimed.\n\
         8. **Client CPU**: `bench-cpu`, one process, against a fresh emulator in another: \
         the process CPU clock (user + system, all threads) around N calls of each kind, \
         wrapper and baseline taking turns within each run, after a warm-up run: \
         one-binding lists, 1,000-binding lists (the demo IPv6 prefix, bound first), gets \
         of one binding, and creates (deleted after each run, untimed). The baseline is \
         reqwest + serde_json into plain structs. Both on a current-thread runtime. The \
         Python SDK makes the same calls (`time.process_time()`), after them, against the \
         same emulator.\n",
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
    fn the_chaos_figures_have_their_section_before_how_figures_were_measured() {
        let chaos = "## Chaos: apply against a flaky server\n\nconverged within 1 run: 30 of 30\n";
        let md = markdown(
            &Report::default(),
            &[],
            &[],
            Included {
                notes: "### Why\n\nbecause\n",
                chaos,
            },
            Duration::from_secs(60),
            false,
        );
        let section = md.find("## Chaos: apply").expect("the chaos section");
        let notes = md.find("### Why").expect("the notes");
        let how = md.find("## What was measured").expect("how");
        assert!(notes < section && section < how, "{md}");
        assert!(md.contains("converged within 1 run: 30 of 30\n"), "{md}");
        assert!(md.contains("`benches/CHAOS.md`"), "{md}");

        let without = markdown(
            &Report::default(),
            &[],
            &[],
            Included {
                notes: "",
                chaos: " \n",
            },
            Duration::from_secs(60),
            false,
        );
        assert!(!without.contains("## Chaos"), "{without}");
        assert!(
            without.contains("\n## What was measured, and how\n"),
            "{without}"
        );
    }
}
