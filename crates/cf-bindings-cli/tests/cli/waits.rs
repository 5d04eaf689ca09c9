//! Long waits say what they wait for, and the two time limits: `--timeout` for each
//! request, `--wait-timeout` for a binding to become active.

use std::net::TcpListener;

use super::desired::Standalone;
use super::{Emulated, assert_fails, bare, stderr};

/// A 429 with `Retry-After: 3`: one line on stderr says what is waited for and how
/// long, before the retry that succeeds. Real time: the command waits the 3 s.
#[test]
fn a_retry_after_of_three_seconds_says_so_on_stderr() {
    let emulator = Standalone::start();
    emulator.faults(&serde_json::json!({
        "list_services": [{ "kind": "rate_limit", "retry_after": 3 }]
    }));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let output = emulator.run(dir.path(), &["services", "list"]);
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert_eq!(
        err,
        "waiting 3s (Retry-After) to retry list services: rate limited by Cloudflare (HTTP 429), 1 of 3 attempts made\n"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("CDN"));
}

/// A server that accepts connections and never answers.
fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let address = listener.local_addr().expect("an address");
    std::thread::spawn(move || {
        // Held open, never answered, until the test process ends.
        let held: Vec<_> = listener.incoming().flatten().collect();
        drop(held);
    });
    format!("http://{address}/client/v4")
}

/// `--timeout` limits each request; the final error says how many attempts were
/// made and over how long.
#[test]
fn a_request_that_never_ends_times_out_after_each_attempt() {
    let base = silent_server();
    let output = bare()
        .env("CLOUDFLARE_API_TOKEN", "a-token")
        .args([
            "--base-url",
            &base,
            "--account",
            "023e105f4ecef8ad9ca31a8372d0c353",
        ])
        .args(["--timeout", "500ms", "services", "list"])
        .output()
        .expect("runs");
    assert_fails(
        &output,
        4,
        "list services: timed out after 3 attempts over ",
    );
    assert!(
        stderr(&output).ends_with(" (each request limited to 500ms)\n"),
        "{}",
        stderr(&output)
    );
}

/// `--wait-timeout` bounds the wait for a binding to become active, whatever
/// `--timeout` says; zero is refused.
#[test]
fn the_wait_timeout_bounds_the_wait_and_the_timeout_does_not() {
    let emulated = Emulated {
        provisioning_delay: Some("1h"),
        ..Emulated::new()
    };
    let created = emulated.json(&[
        "bindings",
        "create",
        "--cidr",
        "203.0.113.7/32",
        "--service",
        "CDN",
    ]);
    let id = created["id"].as_str().expect("an id");
    let output = emulated.run(&[
        "--timeout",
        "1s",
        "--wait-timeout",
        "2s",
        "bindings",
        "wait",
        id,
    ]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!(
            "error: binding {id} is still provisioning after waiting 2"
        )) && last.contains("wait longer or check again later"),
        "{err}"
    );

    let zero = emulated.run(&["--wait-timeout", "0s", "bindings", "wait", id]);
    assert_eq!(zero.status.code(), Some(2), "{}", stderr(&zero));
    assert!(
        stderr(&zero).contains("`0s` is no time at all: the wait would give up at once"),
        "{}",
        stderr(&zero)
    );
}

/// `apply` of one CDN binding on a terminal (a pseudo-terminal from util-linux's
/// `script`) `columns` wide, its first create answered 429 with a `Retry-After` of
/// 3 s; what the terminal got.
#[cfg(target_os = "linux")]
fn apply_on_a_terminal(columns: u16) -> String {
    let emulator = Standalone::start();
    emulator.faults(&serde_json::json!({
        "create": [{ "kind": "rate_limit", "retry_after": 3 }]
    }));
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("bindings.toml"),
        format!(
            "[[prefix]]\nid = \"{}\"\nbindings = [\n  {{ cidr = \"203.0.113.0/24\", service = \"Magic Transit\" }},\n  {{ cidr = \"203.0.113.7/32\", service = \"CDN\" }},\n]\n",
            super::PREFIX
        ),
    )
    .expect("written");
    let quoted = |arg: &str| format!("'{}'", arg.replace('\'', r"'\''"));
    let command = [
        env!("CARGO_BIN_EXE_cf-bindings"),
        "--base-url",
        &emulator.base,
        "--account",
        cf_bindings_emulator::DEMO_ACCOUNT_ID,
        "--rate",
        "off",
        "apply",
        "-f",
        "bindings.toml",
        "--yes",
    ]
    .map(quoted)
    .join(" ");
    let command = format!("stty cols {columns} rows 40 && {command}");
    let mut script = super::scrubbed("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .current_dir(dir.path())
        .env(
            "CLOUDFLARE_API_TOKEN",
            cf_bindings_emulator::DEFAULT_API_TOKEN,
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("util-linux's script runs");
    // Nothing to type; the terminal stays open until the command ends.
    let input = script.stdin.take().expect("a pipe");
    let output = script.wait_with_output().expect("script ends");
    drop(input);
    let screen = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{screen}");
    screen
}

/// On a terminal, the wait shows at the end of apply's progress line, counting
/// down.
#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_the_wait_shows_in_the_progress_line() {
    let screen = apply_on_a_terminal(80);
    assert!(screen.contains("[1/1] created 203.0.113.7/32"), "{screen}");
    // Drawn in the line, after the bar and `0/1`, rather than as a line of its own.
    assert!(
        screen.contains(" 0/1 waiting ") && screen.contains("(Retry-After) to retry"),
        "{screen:?}"
    );
    assert!(!screen.contains("\nwaiting "), "{screen:?}");
}

/// On a terminal wider than 80 columns, the progress line still fits in 80: its
/// text (a long wait's, here) is cut to fit.
#[cfg(target_os = "linux")]
#[test]
fn on_a_wide_terminal_the_progress_line_fits_in_80_columns() {
    let screen = apply_on_a_terminal(200);
    // What is written between line ends and cursor movements, and between the
    // spaces that pad each line to the terminal's width (the next line follows
    // them).
    let progress: Vec<String> = screen
        .split(['\r', '\n'])
        .flat_map(between_escapes)
        .flat_map(|run| {
            run.split("   ")
                .map(|text| text.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .filter(|text| text.contains(" 0/1"))
        .collect();
    assert!(
        progress.iter().any(|line| line.contains("(Retry-After)")),
        "{screen:?}"
    );
    for line in &progress {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line:?}",
            line.chars().count()
        );
    }
    // Cut, not wrapped: the long wait's text ends in an ellipsis.
    assert!(
        progress.iter().any(|line| line.ends_with('…')),
        "{progress:?}"
    );
}

/// The runs of text between the ANSI escape sequences (`ESC [ ... letter`) of
/// `text`.
#[cfg(target_os = "linux")]
fn between_escapes(text: &str) -> Vec<String> {
    let mut runs = vec![String::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // The sequence ends at its first letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
            runs.push(String::new());
        } else if let Some(run) = runs.last_mut() {
            run.push(c);
        }
    }
    runs
}
