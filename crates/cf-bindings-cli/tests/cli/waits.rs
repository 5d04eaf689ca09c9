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

/// On a terminal, the wait shows at the end of apply's progress line, counting
/// down. The terminal is a pseudo-terminal from util-linux's `script`.
#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_the_wait_shows_in_the_progress_line() {
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
    let screen = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{screen}");
    assert!(screen.contains("[1/1] created 203.0.113.7/32"), "{screen}");
    // Drawn in the line, after the bar and `0/1`, rather than as a line of its own.
    assert!(
        screen.contains(" 0/1 waiting ") && screen.contains("(Retry-After) to retry"),
        "{screen:?}"
    );
    assert!(!screen.contains("\nwaiting "), "{screen:?}");
}
