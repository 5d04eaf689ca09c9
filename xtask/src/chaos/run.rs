//! One run of the CLI against the emulator: [`validate`] a generated file, apply
//! it once with chaos on ([`run_once`]) within a deadline, and what the server says
//! of it afterwards; its last error line shortened and normalized, so that runs
//! stopped by the same cause group together.

use std::{
    fs::File,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use super::measurement::{Run, Settings};
use super::model::{self, ACCOUNT, TOKEN};
use super::report;
use super::server::Server;

/// How long one run of the CLI may take before it is killed (and counted as a
/// hang).
const RUN_DEADLINE: Duration = Duration::from_secs(600);

/// Where to measure: the CLI binary, the emulator, a scratch directory.
pub struct Target<'a> {
    /// The `cf-bindings` binary.
    pub cli: &'a Path,
    /// The emulator, served with `--faults` and the demo seed.
    pub server: &'a Server,
    /// Where the files and the CLI's output go.
    pub workdir: &'a Path,
}

/// The CLI with a clean environment, against the emulator.
fn cli(target: &Target<'_>) -> Command {
    let mut command = Command::new(target.cli);
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if text.starts_with("CLOUDFLARE_") || text.starts_with("CF_EMULATOR_") || text == "RUST_LOG"
        {
            command.env_remove(&name);
        }
    }
    command
        .current_dir(target.workdir)
        .env("NO_COLOR", "1")
        .env("CLOUDFLARE_API_TOKEN", TOKEN)
        .args(["--base-url", target.server.base_url(), "--account", ACCOUNT]);
    command
}

/// `cf-bindings validate -f FILE` must accept the file.
pub(super) fn validate(target: &Target<'_>, file: &Path) -> Result<(), String> {
    let output = cli(target)
        .arg("validate")
        .arg("-f")
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", target.cli.display()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "a generated file is invalid ({}): {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// One apply with chaos on, and what the server says of it.
pub(super) fn run_once(
    target: &Target<'_>,
    settings: &Settings,
    file: &Path,
    attempt: usize,
    chaos_seed: u64,
    before: &[model::LiveBinding],
    wanted: &model::Bindings,
) -> Result<Run, String> {
    let mut chaos = json!({ "rate": settings.rate, "seed": chaos_seed });
    if !settings.kinds.is_empty() {
        chaos["kinds"] = json!(settings.kinds);
    }
    if let Some(seconds) = settings.retry_after {
        chaos["retry_after"] = json!(seconds);
    }
    if let Some(ms) = settings.max_delay_ms {
        chaos["max_delay_ms"] = json!(ms);
    }
    target.server.chaos_on(&chaos)?;
    let started = Instant::now();
    let (exit, stdout, stderr) = run_cli(
        target,
        cli(target)
            .args(["--rate", "off", "--output", "json", "apply", "--yes", "-f"])
            .arg(file),
        &file.with_extension(format!("run{attempt}")),
    )?;
    let elapsed = started.elapsed();
    let status = target.server.chaos_status()?;
    let after = target.server.live()?;
    let reported = report::parse(exit, &stdout, &stderr)?;
    let error = (exit != Some(0)).then(|| {
        stderr
            .lines()
            .rev()
            .find(|l| l.starts_with("error: "))
            .map_or_else(|| last_line(&stderr), |line| shorten(&normalize(line)))
    });
    let last_fault = status["recent"].as_array().and_then(|r| r.last()).map(|f| {
        format!(
            "{} {}",
            f["operation"].as_str().unwrap_or("?"),
            f["kind"].as_str().unwrap_or("?")
        )
    });
    Ok(Run {
        exit,
        converged: model::without_ids(&after) == *wanted,
        duplicates: {
            let mut found = report::duplicates(&after);
            if stderr.contains("error 1032") {
                found.push("a create refused as a duplicate (code 1032)".to_owned());
            }
            found
        },
        contradictions: report::contradictions(exit, &reported, before, &after, wanted),
        error,
        last_fault,
        requests: status["requests"].as_u64().unwrap_or(0),
        injected: status["injected"]
            .as_object()
            .map_or(0, |m| m.values().filter_map(Value::as_u64).sum()),
        elapsed,
    })
}

fn last_line(text: &str) -> String {
    text.lines().last().unwrap_or_default().to_owned()
}

/// Runs `command` with its output in files beside `out`, killing it after
/// [`RUN_DEADLINE`]: (exit code, stdout, stderr).
fn run_cli(
    target: &Target<'_>,
    command: &mut Command,
    out: &Path,
) -> Result<(Option<i32>, String, String), String> {
    let name = out.to_string_lossy();
    let paths: [PathBuf; 2] = [
        PathBuf::from(format!("{name}.stdout")),
        PathBuf::from(format!("{name}.stderr")),
    ];
    let open = |p: &PathBuf| File::create(p).map_err(|e| format!("{}: {e}", p.display()));
    let mut child = command
        .stdin(Stdio::null())
        .stdout(open(&paths[0])?)
        .stderr(open(&paths[1])?)
        .spawn()
        .map_err(|e| format!("{}: {e}", target.cli.display()))?;
    let deadline = Instant::now() + RUN_DEADLINE;
    let mut pause = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    let read =
        |p: &PathBuf| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let (stdout, mut stderr) = (read(&paths[0])?, read(&paths[1])?);
    if status.is_none() {
        stderr.push_str("error: killed by the harness after 10 minutes\n");
    }
    Ok((status.and_then(|s| s.code()), stdout, stderr))
}

/// An error line without its quotes of response bodies and its file name, cut
/// at 240 characters.
fn shorten(line: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted => {
                chars.next();
            }
            '"' => {
                if !quoted {
                    out.push_str("\"…\"");
                }
                quoted = !quoted;
            }
            _ if !quoted => out.push(c),
            _ => {}
        }
    }
    let out = match out.split_once(".toml:N:N: ") {
        Some((_, rest)) => format!("error: {rest}"),
        None => out,
    };
    if out.chars().count() > 240 {
        out.chars().take(239).chain(['…']).collect()
    } else {
        out
    }
}

/// An error line with what varies from run to run (ids, CIDRs, numbers) replaced,
/// so that runs stopped by the same cause group together.
fn normalize(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            let core = word.trim_matches(|c: char| "()[]{},;:'\"`".contains(c));
            if core.len() >= 16 && core.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
                word.replace(core, "<id>")
            } else if core.contains('/') && core.parse::<ipnet::IpNet>().is_ok() {
                word.replace(core, "<cidr>")
            } else if core.parse::<std::net::IpAddr>().is_ok() {
                word.replace(core, "<ip>")
            } else {
                let mut out = String::new();
                let mut in_digits = false;
                for c in word.chars() {
                    if c.is_ascii_digit() {
                        if !in_digits {
                            out.push('N');
                        }
                        in_digits = true;
                    } else {
                        out.push(c);
                        in_digits = false;
                    }
                }
                out
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_what_varies() {
        assert_eq!(
            normalize(
                "error: delete 203.0.113.32/28 (CDN, binding 0429b49b6a5155297b78e75a44b09e14) in prefix 2af39739cc4e3b5910c918468bb89828: HTTP 502 after 3 attempts"
            ),
            "error: delete <cidr> (CDN, binding <id>) in prefix <id>: HTTP N after N attempts"
        );
        assert_eq!(normalize("at 2001:db8::1 now"), "at <ip> now");
        assert_eq!(
            shorten(r#"error: x/b.toml:N:N: cannot list: HTTP N: "{\"a\": [1" (cf-ray <id>)"#),
            r#"error: cannot list: HTTP N: "…" (cf-ray <id>)"#
        );
    }
}
