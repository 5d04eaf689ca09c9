//! Bindings as code, end to end with the embedded emulator: `export` then `plan`
//! shows nothing to do, `apply` makes the file's bindings (two hundred of them,
//! then nothing more), a service change is a replace with its fallback, `plan
//! --exit-code` tells drift, a saved plan goes stale, and `apply` asks before it
//! changes anything and can wait for the bindings it created.

use std::io::Write;

use cf_bindings_emulator::{DEFAULT_API_TOKEN, DEMO_ACCOUNT_ID};
use serde_json::Value;

use super::desired::{Standalone, Workdir, demo_file, expected, many};
use super::{Emulated, PREFIX, stderr, stdout};

#[test]
fn export_then_plan_shows_no_change() {
    let emulated = Emulated::new();
    let work = Workdir::with("unused", "");
    let exported = emulated.ok(&["export"]);
    assert!(
        exported.contains(&format!("id = \"{PREFIX}\"")),
        "{exported}"
    );
    assert!(exported.contains("cidr = \"203.0.113.0/24\""), "{exported}");
    work.write("bindings.toml", &exported);
    let file = work.path("bindings.toml");
    let file = file.to_str().expect("a UTF-8 path");
    let plan = emulated.run(&["plan", "--exit-code", "-f", file]);
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    assert!(stdout(&plan).starts_with("No changes"), "{}", stdout(&plan));
    // `-f` writes the same file.
    let written = work.path("again.toml");
    emulated.ok(&["export", "-f", written.to_str().expect("UTF-8")]);
    assert_eq!(std::fs::read_to_string(written).expect("written"), exported);
}

#[test]
fn two_hundred_bindings_apply_and_a_second_apply_changes_nothing() {
    let emulator = Standalone::start();
    let wanted = many(200);
    let work = Workdir::with("bindings.toml", &demo_file(&wanted));
    let first = emulator.run(work.dir.path(), &["apply", "-f", "bindings.toml", "--yes"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("[200/200] created"),
        "{}",
        stderr(&first)
    );
    assert_eq!(emulator.bindings(work.dir.path()), expected(&wanted));
    let second = emulator.run(work.dir.path(), &["apply", "-f", "bindings.toml", "--yes"]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(
        stdout(&second),
        "No changes: the live bindings already match bindings.toml.\n"
    );
    assert_eq!(emulator.bindings(work.dir.path()).len(), 201);
}

#[test]
fn a_service_change_is_a_replace_with_its_fallback() {
    let emulator = Standalone::start();
    let before = vec![("203.0.113.7/32".to_owned(), "CDN")];
    let work = Workdir::with("bindings.toml", &demo_file(&before));
    let applied = emulator.run(work.dir.path(), &["apply", "-f", "bindings.toml", "--yes"]);
    assert!(applied.status.success(), "{}", stderr(&applied));

    work.write(
        "bindings.toml",
        &demo_file(&[("203.0.113.7/32".to_owned(), "Spectrum")]),
    );
    let plan = emulator.run(
        work.dir.path(),
        &["--output", "json", "plan", "-f", "bindings.toml"],
    );
    assert!(plan.status.success(), "{}", stderr(&plan));
    let plan: Value = serde_json::from_slice(&plan.stdout).expect("JSON");
    let changes = &plan["prefixes"][0]["changes"];
    assert_eq!(changes.as_array().map(Vec::len), Some(1), "{plan}");
    assert_eq!(changes[0]["kind"], "replace");
    assert_eq!(changes[0]["cidr"], "203.0.113.7/32");
    assert_eq!(changes[0]["before"]["name"], "CDN");
    assert_eq!(changes[0]["after"]["name"], "Spectrum");
    assert_eq!(changes[0]["fallback"]["name"], "Magic Transit");
    let steps: Vec<&str> = plan["prefixes"][0]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["op"].as_str())
        .collect();
    assert_eq!(steps, ["delete", "create"]);

    let table = emulator.run(work.dir.path(), &["plan", "-f", "bindings.toml"]);
    let table = stdout(&table);
    assert!(
        table.contains("replace  203.0.113.7/32  CDN     Spectrum\n"),
        "{table}"
    );
    // While the replace is in flight, the /32 goes to the base binding around it.
    assert!(
        table.contains("  203.0.113.7/32: CDN → Magic Transit (step 1) → Spectrum (from step 2)\n"),
        "{table}"
    );
    assert!(
        table.contains("Plan: 0 to create, 1 to replace, 0 to delete (2 API calls)"),
        "{table}"
    );
}

#[test]
fn exit_code_tells_drift_from_in_sync() {
    let emulator = Standalone::start();
    let work = Workdir::with("bindings.toml", &demo_file(&[]));
    let in_sync = emulator.run(
        work.dir.path(),
        &["plan", "--exit-code", "-f", "bindings.toml"],
    );
    assert_eq!(in_sync.status.code(), Some(0), "{}", stderr(&in_sync));

    work.write(
        "bindings.toml",
        &demo_file(&[("203.0.113.7/32".to_owned(), "CDN")]),
    );
    let drift = emulator.run(
        work.dir.path(),
        &["plan", "--exit-code", "-f", "bindings.toml"],
    );
    assert_eq!(drift.status.code(), Some(6), "{}", stderr(&drift));
    assert!(stderr(&drift).contains("differ from bindings.toml: 1 change"));
    // Without --exit-code, drift is a success.
    let plain = emulator.run(work.dir.path(), &["plan", "-f", "bindings.toml"]);
    assert_eq!(plain.status.code(), Some(0));
}

#[test]
fn a_stale_saved_plan_is_refused_and_a_fresh_one_applies() {
    let emulator = Standalone::start();
    let work = Workdir::with(
        "bindings.toml",
        &demo_file(&[("203.0.113.7/32".to_owned(), "CDN")]),
    );
    let dir = work.dir.path();
    let saved = emulator.run(dir, &["plan", "-f", "bindings.toml", "--out", "plan.json"]);
    assert!(saved.status.success(), "{}", stderr(&saved));

    // Someone changes the prefix in between.
    let created = emulator.run(
        dir,
        &[
            "bindings",
            "create",
            "--prefix",
            PREFIX,
            "--cidr",
            "203.0.113.64/26",
            "--service",
            "CDN",
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let stale = emulator.run(dir, &["apply", "plan.json", "--yes"]);
    assert_eq!(stale.status.code(), Some(1), "{}", stderr(&stale));
    assert!(
        stderr(&stale).contains("changed since it was planned; plan again"),
        "{}",
        stderr(&stale)
    );
    assert_eq!(emulator.bindings(dir).len(), 2, "nothing applied");

    // The new plan replaces the old one only when told to.
    let refused = emulator.run(dir, &["plan", "-f", "bindings.toml", "--out", "plan.json"]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let again = emulator.run(
        dir,
        &[
            "plan",
            "-f",
            "bindings.toml",
            "--out",
            "plan.json",
            "--force",
        ],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    let fresh = emulator.run(dir, &["apply", "plan.json", "--yes"]);
    assert!(fresh.status.success(), "{}", stderr(&fresh));
    assert_eq!(emulator.bindings(dir).len(), 3);
}

#[test]
fn apply_without_a_terminal_needs_yes() {
    let emulator = Standalone::start();
    let work = Workdir::with(
        "bindings.toml",
        &demo_file(&[("203.0.113.7/32".to_owned(), "CDN")]),
    );
    let output = emulator.run(work.dir.path(), &["apply", "-f", "bindings.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not applying: no terminal to confirm on; pass --yes"));
    assert_eq!(emulator.bindings(work.dir.path()).len(), 1);
}

/// On a terminal, `apply` shows the plan and asks; only a yes changes anything.
/// The terminal is a pseudo-terminal from util-linux's `script`, which every Debian
/// system has: the answer is typed into it, and what the command wrote comes back.
#[cfg(target_os = "linux")]
#[test]
fn apply_on_a_terminal_asks_and_changes_nothing_without_a_yes() {
    let emulator = Standalone::start();
    let work = Workdir::with(
        "bindings.toml",
        &demo_file(&[("203.0.113.7/32".to_owned(), "CDN")]),
    );
    let quoted = |arg: &str| format!("'{}'", arg.replace('\'', r"'\''"));
    let command = [
        env!("CARGO_BIN_EXE_cf-bindings"),
        "--base-url",
        &emulator.base,
        "--account",
        DEMO_ACCOUNT_ID,
        "--rate",
        "off",
        "apply",
        "-f",
        "bindings.toml",
    ]
    .map(quoted)
    .join(" ");
    let on_a_terminal = |answer: &str| {
        let mut script = super::scrubbed("script")
            .args(["--quiet", "--return", "--command", &command, "/dev/null"])
            .current_dir(work.dir.path())
            .env("CLOUDFLARE_API_TOKEN", DEFAULT_API_TOKEN)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("util-linux's script runs");
        let mut input = script.stdin.take().expect("a pipe");
        input.write_all(answer.as_bytes()).expect("typed");
        drop(input);
        let output = script.wait_with_output().expect("script ends");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };

    let (code, screen) = on_a_terminal("n\n");
    assert!(
        screen.contains("203.0.113.7/32"),
        "the plan is shown:\n{screen}"
    );
    assert!(
        screen.contains(&format!(
            "Apply 1 API call to account {DEMO_ACCOUNT_ID}? [y/N]"
        )),
        "{screen}"
    );
    assert!(screen.contains("not applying: not confirmed"), "{screen}");
    assert_eq!(code, Some(1), "{screen}");
    assert_eq!(emulator.bindings(work.dir.path()).len(), 1);

    let (code, screen) = on_a_terminal("y\n");
    assert_eq!(code, Some(0), "{screen}");
    assert!(
        emulator
            .bindings(work.dir.path())
            .contains(&("203.0.113.7/32".to_owned(), "CDN".to_owned())),
        "{screen}"
    );
}

#[test]
fn apply_wait_returns_once_the_created_bindings_are_active() {
    let emulated = Emulated::activating_soon();
    let work = Workdir::with(
        "bindings.toml",
        &demo_file(&[("203.0.113.7/32".to_owned(), "CDN")]),
    );
    let file = work.path("bindings.toml");
    let output = emulated.run(&[
        "apply",
        "-f",
        file.to_str().expect("UTF-8"),
        "--yes",
        "--wait",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("every created binding is active"),
        "{}",
        stderr(&output)
    );
    let listed = emulated.json(&["bindings", "list", "--prefix", PREFIX]);
    let states: Vec<&str> = listed
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|b| b["state"].as_str())
        .collect();
    assert_eq!(states, ["active", "active"], "{listed}");
}
