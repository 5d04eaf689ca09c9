//! A closed pipe is a normal end: `cf-bindings ... | true` exits quietly with
//! status 0, for every command whose outcome is a success; an outcome that is
//! not (drift, an invalid file) keeps its exit code. Any other write error is an
//! error.

use std::process::{Output, Stdio};

use super::{BASE_BINDING, Emulated, bare_std, emulated_std, stderr};

/// Runs `command` with its stdout a pipe whose reader is already closed, as in
/// `cf-bindings ... | true` once `true` has exited: the first write fails with
/// `EPIPE`, whatever the timing.
fn with_closed_stdout(command: &mut std::process::Command) -> Output {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    command
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs")
}

fn assert_quiet_end(args: &[String], output: &Output) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(0), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert!(!err.contains("error"), "{args:?}: {err}");
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

#[test]
fn help_version_and_completions_end_quietly_on_a_closed_pipe() {
    let mut commands: Vec<Vec<String>> = [
        &["--help"][..],
        &["-h"],
        &["--version"],
        &["help"],
        &["help", "bindings"],
        &["bindings", "--help"],
        &["bindings", "create", "--help"],
        &["route", "-h"],
    ]
    .iter()
    .map(|args| strings(args))
    .collect();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        commands.push(strings(&["completions", shell]));
    }
    for args in &commands {
        let output = with_closed_stdout(bare_std().args(args));
        assert_quiet_end(args, &output);
    }
}

#[test]
fn every_command_ends_quietly_on_a_closed_pipe_in_tables_and_json() {
    let emulated = Emulated::new();
    for (n, format) in ["table", "json"].into_iter().enumerate() {
        // Bindings to get, wait for and delete, made with an open pipe.
        let made: Vec<String> = (0..2)
            .map(|i| {
                let cidr = format!("203.0.113.{}/32", 100 + n * 10 + i);
                let created =
                    emulated.json(&["bindings", "create", "--cidr", &cidr, "--service", "CDN"]);
                created["id"].as_str().expect("an id").to_owned()
            })
            .collect();
        let create_cidr = format!("203.0.113.{}/32", 150 + n);
        let wait_cidr = format!("203.0.113.{}/32", 160 + n);
        let commands: Vec<Vec<String>> = vec![
            strings(&["services", "list"]),
            strings(&["bindings", "list"]),
            strings(&["bindings", "get", BASE_BINDING]),
            strings(&["bindings", "wait", &made[0]]),
            strings(&[
                "bindings",
                "create",
                "--cidr",
                &create_cidr,
                "--service",
                "CDN",
            ]),
            strings(&[
                "bindings",
                "create",
                "--cidr",
                &wait_cidr,
                "--service",
                "CDN",
                "--wait",
            ]),
            strings(&["bindings", "delete", &made[1], "--yes"]),
            strings(&["route", "203.0.113.7", "198.51.100.1"]),
            strings(&["route", "--explain", "203.0.113.7", "198.51.100.1"]),
        ];
        for command in commands {
            let mut args = strings(&["--output", format]);
            args.extend(command);
            // Bindings active at once: the waits are here for their output, not their time.
            let output = with_closed_stdout(
                emulated_std(&emulated.state)
                    .env("CF_EMULATOR_PROVISIONING_DELAY", "0s")
                    .args(&args),
            );
            assert_quiet_end(&args, &output);
        }
        // The commands did their work before their output found no reader.
        let listed = emulated.ok(&["bindings", "list"]);
        assert!(listed.contains(&create_cidr) && listed.contains(&wait_cidr));
        assert!(!listed.contains(&made[1]), "{listed}");
    }
}

#[test]
fn bindings_as_code_ends_quietly_on_a_closed_pipe_and_apply_still_applies() {
    let emulated = Emulated::new();
    let dir = tempfile::tempdir().expect("a directory");
    let file = dir.path().join("bindings.toml");
    let exported = emulated.ok(&["export"]);
    let wanted = exported.replace(
        "{ cidr = \"203.0.113.0/24\", service = \"Magic Transit\" },",
        "{ cidr = \"203.0.113.0/24\", service = \"Magic Transit\" },\n  { cidr = \"203.0.113.9/32\", service = \"CDN\" },",
    );
    assert_ne!(wanted, exported);
    std::fs::write(&file, wanted).expect("written");
    let file = file.to_str().expect("UTF-8").to_owned();
    for format in ["table", "json"] {
        // `export` has no JSON form: it refuses `--output json`.
        let export = (format == "table").then(|| strings(&["export"]));
        for command in export.into_iter().chain([
            strings(&["validate", "-f", &file]),
            strings(&["plan", "-f", &file]),
        ]) {
            let mut args = strings(&["--output", format]);
            args.extend(command);
            let output = with_closed_stdout(emulated_std(&emulated.state).args(&args));
            assert_quiet_end(&args, &output);
        }
    }
    let args = strings(&["apply", "-f", &file, "--yes"]);
    let output = with_closed_stdout(emulated_std(&emulated.state).args(&args));
    assert_quiet_end(&args, &output);
    assert!(
        emulated
            .ok(&["bindings", "list"])
            .contains("203.0.113.9/32")
    );
}

#[test]
fn a_failure_with_stderr_closed_keeps_its_exit_code() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = bare_std()
        .args([
            "--account",
            "023e105f4ecef8ad9ca31a8372d0c353",
            "services",
            "list",
        ])
        .stdin(Stdio::null())
        .stderr(writer)
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_write_error_other_than_a_closed_pipe_is_an_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // Only where the system has a device that is always full.
    };
    let output = bare_std()
        .args(["completions", "bash"])
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: cannot write to standard output:"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_closed_pipe_keeps_the_exit_code_of_the_outcome() {
    let emulated = Emulated::new();
    let dir = tempfile::tempdir().expect("a directory");
    let drift = dir.path().join("drift.toml");
    let exported = emulated.ok(&["export"]);
    let wanted = exported.replace(
        "{ cidr = \"203.0.113.0/24\", service = \"Magic Transit\" },",
        "{ cidr = \"203.0.113.0/24\", service = \"Magic Transit\" },\n  { cidr = \"203.0.113.9/32\", service = \"CDN\" },",
    );
    assert_ne!(wanted, exported);
    std::fs::write(&drift, wanted).expect("written");
    let invalid = dir.path().join("invalid.toml");
    std::fs::write(&invalid, "[[prefix]]\nid = 7\n").expect("written");
    let drift = drift.to_str().expect("UTF-8");
    let invalid = invalid.to_str().expect("UTF-8");
    for format in ["table", "json"] {
        for (command, code) in [
            (&["plan", "--exit-code", "-f", drift][..], 6),
            (&["validate", "-f", invalid], 2),
        ] {
            let mut args = strings(&["--output", format]);
            args.extend(strings(command));
            let output = with_closed_stdout(emulated_std(&emulated.state).args(&args));
            let err = stderr(&output);
            assert_eq!(output.status.code(), Some(code), "{args:?}: {err}");
            assert!(!err.contains("panicked"), "{args:?}: {err}");
        }
    }
}
