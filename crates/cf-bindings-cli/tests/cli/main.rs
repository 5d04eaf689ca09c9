//! End to end: the real `cf-bindings` binary against the emulator, embedded
//! (`--emulated`) or running beside it (`--base-url`).

use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

const PREFIX: &str = cf_bindings_emulator::DEMO_IPV4_PREFIX_ID;
const IPV6_PREFIX: &str = cf_bindings_emulator::DEMO_IPV6_PREFIX_ID;
const BASE_BINDING: &str = cf_bindings_emulator::DEMO_IPV4_BASE_BINDING_ID;

mod account;
mod chaos;
mod completion;
mod desired;
mod drift;
mod first_use;
mod hardening;
mod interruptions;
mod local_files;
mod outcome;
mod pipes;
mod review;
mod saved_plans;
mod secrets;
mod waits;
mod workflows;

/// The binary with a clean environment: no credentials, no colour, fixed width.
fn bare() -> Command {
    Command::from_std(bare_std())
}

/// [`bare`] as a standard library command, for tests that set up its streams.
fn bare_std() -> std::process::Command {
    scrubbed(env!("CARGO_BIN_EXE_cf-bindings"))
}

/// `program` with the clean environment of [`bare`] (for a program that runs the
/// binary in its turn).
fn scrubbed(program: &str) -> std::process::Command {
    let mut command = std::process::Command::new(program);
    for name in [
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_EMAIL",
        "CLOUDFLARE_API_KEY",
        "CLOUDFLARE_BASE_URL",
        "CLOUDFLARE_ACCOUNT_ID",
        "RUST_LOG",
        "CF_EMULATOR_PROVISIONING_DELAY",
        "CF_EMULATOR_CHAOS",
        "CF_EMULATOR_CHAOS_SEED",
        "CF_EMULATOR_CHAOS_KINDS",
        "CF_EMULATOR_CHAOS_MAX_DELAY",
        "CF_EMULATOR_CHAOS_RETRY_AFTER",
    ] {
        command.env_remove(name);
    }
    command.env("NO_COLOR", "1").env("COLUMNS", "100");
    command
}

/// A state file of its own for one test.
struct Emulated {
    _dir: tempfile::TempDir,
    state: PathBuf,
    provisioning_delay: Option<&'static str>,
}

impl Emulated {
    fn new() -> Emulated {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let state = dir.path().join("state").join("emulator.json");
        Emulated {
            _dir: dir,
            state,
            provisioning_delay: None,
        }
    }

    /// New bindings become active after 400 ms instead of 2 s: a test that waits
    /// for them still sees them provisioning first (the CLI's first poll is at
    /// once, the next 500 ms later), without waiting 3.5 s.
    fn activating_soon() -> Emulated {
        Emulated {
            provisioning_delay: Some("400ms"),
            ..Emulated::new()
        }
    }

    fn command(&self) -> Command {
        let mut command = emulated_command(&self.state);
        if let Some(delay) = self.provisioning_delay {
            command.env("CF_EMULATOR_PROVISIONING_DELAY", delay);
        }
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("the binary runs")
    }

    /// Runs a command that must succeed, and returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--output", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).expect("JSON output")
    }
}

fn emulated_command(state: &Path) -> Command {
    Command::from_std(emulated_std(state))
}

fn emulated_std(state: &Path) -> std::process::Command {
    let mut command = bare_std();
    command.arg("--emulated").arg("--state").arg(state);
    command
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The embedded emulator, with commands run in a directory of their own (so that
/// files are named as written: `bindings.toml:4:12`).
struct Desk {
    emulated: Emulated,
    dir: tempfile::TempDir,
}

impl Desk {
    fn new() -> Desk {
        Desk::on(Emulated::new())
    }

    /// New bindings are active at once: the tables show the same states on every
    /// run, and `bindings wait` returns at once.
    fn active_at_once() -> Desk {
        Desk::on(Emulated {
            provisioning_delay: Some("0s"),
            ..Emulated::new()
        })
    }

    fn on(emulated: Emulated) -> Desk {
        Desk {
            emulated,
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).expect("written");
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).expect("read")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.emulated
            .command()
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .expect("the binary runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        stdout(&output)
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--output", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).expect("JSON")
    }

    /// The CIDRs of the demo IPv4 prefix, by address.
    fn cidrs(&self) -> Vec<String> {
        self.json(&["bindings", "list", "--prefix", PREFIX])
            .as_array()
            .expect("an array")
            .iter()
            .filter_map(|b| b["cidr"].as_str().map(str::to_owned))
            .collect()
    }
}

/// Waits for `child` to end, killing it and failing the test if it has not after a
/// minute: what is tested is that it ends, not how soon.
fn wait_bounded(mut child: Child) -> Output {
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("a status").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().expect("ended");
            panic!(
                "the command did not end and was killed: {}",
                stderr(&output)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("the output")
}

/// Asserts a failure: its exit code and one line on stderr containing `expected`.
fn assert_fails(output: &Output, code: i32, expected: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(expected), "expected {expected:?} in {err}");
}

#[test]
fn every_help_text() {
    let commands: &[&[&str]] = &[
        &[],
        &["services"],
        &["services", "list"],
        &["prefixes"],
        &["prefixes", "list"],
        &["prefixes", "get"],
        &["bindings"],
        &["bindings", "list"],
        &["bindings", "get"],
        &["bindings", "create"],
        &["bindings", "delete"],
        &["bindings", "wait"],
        &["route"],
        &["validate"],
        &["plan"],
        &["apply"],
        &["export"],
        &["completions"],
    ];
    for command in commands {
        let output = bare().args(*command).arg("--help").output().expect("runs");
        assert!(output.status.success());
        let name = if command.is_empty() {
            "help".to_owned()
        } else {
            format!("help_{}", command.join("_"))
        };
        insta::assert_snapshot!(name, String::from_utf8_lossy(&output.stdout));
    }
}

/// Every help fits in 80 columns, short (`-h`) and long (`--help`). A command's
/// help shows its own options, and names the global ones once, after them; the
/// program's help describes those under their own heading.
#[test]
fn help_fits_in_80_columns_and_shows_the_global_options_once() {
    let commands: &[&[&str]] = &[
        &[],
        &["services"],
        &["services", "list"],
        &["prefixes"],
        &["prefixes", "list"],
        &["prefixes", "get"],
        &["bindings"],
        &["bindings", "list"],
        &["bindings", "get"],
        &["bindings", "create"],
        &["bindings", "delete"],
        &["bindings", "wait"],
        &["route"],
        &["validate"],
        &["plan"],
        &["apply"],
        &["export"],
        &["completions"],
    ];
    for command in commands {
        for flag in ["-h", "--help"] {
            let output = bare()
                .env("COLUMNS", "80")
                .args(*command)
                .arg(flag)
                .output()
                .expect("runs");
            assert!(output.status.success());
            let help = String::from_utf8_lossy(&output.stdout);
            for line in help.lines() {
                assert!(
                    line.chars().count() <= 80,
                    "{command:?} {flag}: {} columns: {line}",
                    line.chars().count()
                );
            }
            if command.is_empty() {
                assert!(help.contains("\nGlobal options:\n"), "{help}");
                assert!(help.contains("--wait-timeout <DURATION>"), "{help}");
                continue;
            }
            // Named once, at the end, after the command's own options.
            let (own, global) = help
                .split_once("Global options, described in `cf-bindings --help`:\n")
                .unwrap_or_else(|| panic!("{command:?} {flag}: {help}"));
            assert!(own.contains("-h, --help"), "{command:?} {flag}: {help}");
            assert!(!own.contains("--account"), "{command:?} {flag}: {help}");
            assert_eq!(
                global.split_whitespace().collect::<Vec<_>>(),
                [
                    "--account,",
                    "--base-url,",
                    "--token-file,",
                    "-o/--output,",
                    "--timeout,",
                    "--wait-timeout,",
                    "-v/--verbose,",
                    "--emulated,",
                    "--rate,",
                    "--state"
                ],
                "{command:?} {flag}"
            );
        }
    }
}

#[test]
fn prefixes_are_read_from_the_api() {
    let emulated = Emulated::new();
    insta::assert_snapshot!("prefixes_list", emulated.ok(&["prefixes", "list"]));

    let listed = emulated.json(&["prefixes", "list"]);
    let cidrs: Vec<&str> = listed
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|p| p["cidr"].as_str())
        .collect();
    assert_eq!(cidrs, ["203.0.113.0/24", "2001:db8:1000::/48"]);

    let one = emulated.json(&["prefixes", "get", PREFIX]);
    assert_eq!(one["id"], PREFIX);
    assert_eq!(one["cidr"], "203.0.113.0/24");
    assert_eq!(one["approved"], "V");
    assert_eq!(one["created_at"], "2024-05-14T17:02:11.123456Z");
    assert_eq!(one, listed[0], "get answers as list does");

    let missing = emulated.run(&["prefixes", "get", "ffffffffffffffffffffffffffffffff"]);
    assert_fails(&missing, 3, "get prefix details: HTTP 404");
}

#[test]
fn walkthrough_in_tables() {
    let emulated = Emulated::activating_soon();
    insta::assert_snapshot!("services_list", emulated.ok(&["services", "list"]));
    insta::assert_snapshot!("bindings_list_seed", emulated.ok(&["bindings", "list"]));

    let created = emulated.json(&[
        "bindings",
        "create",
        "--cidr",
        "203.0.113.7/32",
        "--service",
        "cdn",
    ]);
    let id = created["id"].as_str().expect("an id").to_owned();
    assert_eq!(created["state"], "provisioning");

    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&id, "NEW-BINDING-ID-00000000000000000");
    settings.bind(|| {
        insta::assert_snapshot!("bindings_wait", emulated.ok(&["bindings", "wait", &id]));
        insta::assert_snapshot!(
            "bindings_list_after_create",
            emulated.ok(&["bindings", "list"])
        );
        insta::assert_snapshot!("bindings_get", emulated.ok(&["bindings", "get", &id]));
        insta::assert_snapshot!(
            "route",
            emulated.ok(&["route", "203.0.113.7", "203.0.113.8", "198.51.100.1"])
        );
        insta::assert_snapshot!(
            "route_explain",
            emulated.ok(&["route", "--explain", "203.0.113.7", "203.0.113.200"])
        );
        insta::assert_snapshot!(
            "bindings_delete",
            emulated.ok(&["bindings", "delete", &id, "--yes"])
        );
    });
    insta::assert_snapshot!(
        "bindings_list_after_delete",
        emulated.ok(&["bindings", "list"])
    );

    let table = emulated.ok(&[
        "bindings",
        "create",
        "--cidr",
        "203.0.113.32/28",
        "--service",
        "Spectrum",
        "--wait",
    ]);
    let id = table
        .lines()
        .nth(1)
        .and_then(|row| row.split_whitespace().next())
        .expect("a row with an id")
        .to_owned();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&id, "NEW-BINDING-ID-00000000000000000");
    settings.bind(|| insta::assert_snapshot!("bindings_create_wait", table));
}

#[test]
fn the_embedded_emulator_takes_its_provisioning_delay_from_the_environment() {
    let emulated = Emulated::new();
    let create = |delay: &str, cidr: &str| {
        emulated
            .command()
            .env("CF_EMULATOR_PROVISIONING_DELAY", delay)
            .args([
                "--output",
                "json",
                "bindings",
                "create",
                "--cidr",
                cidr,
                "--service",
                "CDN",
            ])
            .output()
            .expect("the binary runs")
    };
    let now = create("0s", "203.0.113.200/32");
    assert!(now.status.success(), "{}", stderr(&now));
    let created: serde_json::Value = serde_json::from_slice(&now.stdout).expect("JSON");
    assert_eq!(created["state"], "active");
    // The default keeps a new binding provisioning.
    assert_eq!(
        emulated.json(&[
            "bindings",
            "create",
            "--cidr",
            "203.0.113.201/32",
            "--service",
            "CDN"
        ])["state"],
        "provisioning"
    );
    let bad = create("soon", "203.0.113.202/32");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("CF_EMULATOR_PROVISIONING_DELAY: `soon` is not a duration"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn the_embedded_emulator_takes_chaos_from_the_environment() {
    let emulated = Emulated::new();
    let run = |vars: &[(&str, &str)]| {
        emulated
            .command()
            .envs(vars.iter().copied())
            .args(["services", "list"])
            .output()
            .expect("the binary runs")
    };
    // Every request answered with the edge's HTML 502: the reads give up.
    let failed = run(&[
        ("CF_EMULATOR_CHAOS", "1"),
        ("CF_EMULATOR_CHAOS_KINDS", "http_error"),
    ]);
    assert_eq!(failed.status.code(), Some(4), "{}", stderr(&failed));
    assert!(stderr(&failed).contains("502"), "{}", stderr(&failed));
    // Rate 0 injects nothing.
    let fine = run(&[("CF_EMULATOR_CHAOS", "0"), ("CF_EMULATOR_CHAOS_SEED", "9")]);
    assert!(fine.status.success(), "{}", stderr(&fine));
    for (vars, expected) in [
        (
            &[("CF_EMULATOR_CHAOS", "2")][..],
            "CF_EMULATOR_CHAOS: the chaos rate 2 must be from 0 to 1",
        ),
        (
            &[
                ("CF_EMULATOR_CHAOS", "0.2"),
                ("CF_EMULATOR_CHAOS_KINDS", "boom"),
            ][..],
            "CF_EMULATOR_CHAOS_KINDS: unknown fault kind \"boom\"",
        ),
    ] {
        let bad = run(vars);
        assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
        assert!(stderr(&bad).contains(expected), "{}", stderr(&bad));
    }
}

#[test]
fn json_output_shapes() {
    let emulated = Emulated::activating_soon();
    let services = emulated.json(&["services", "list"]);
    let names: Vec<&str> = services
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["CDN", "Magic Transit", "Spectrum"]);

    let created = emulated.json(&[
        "bindings",
        "create",
        "--cidr",
        "203.0.113.16/29",
        "--service",
        "Spectrum",
        "--wait",
    ]);
    assert_eq!(created["cidr"], "203.0.113.16/29");
    assert_eq!(created["service_name"], "Spectrum");
    assert_eq!(created["state"], "active");
    let id = created["id"].as_str().expect("an id");

    // With --prefix, an array of the prefix's bindings, as ever.
    let listed = emulated.json(&["bindings", "list", "--prefix", PREFIX]);
    let cidrs: Vec<&str> = listed
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|b| b["cidr"].as_str())
        .collect();
    assert_eq!(cidrs, ["203.0.113.0/24", "203.0.113.16/29"]);
    // Without, every prefix of the account with its bindings.
    let account = emulated.json(&["bindings", "list"]);
    assert_eq!(account.as_array().map(Vec::len), Some(2), "{account}");
    assert_eq!(
        account[0]["prefix"],
        serde_json::json!({ "id": PREFIX, "cidr": "203.0.113.0/24", "description": "Demo IPv4 prefix" })
    );
    assert_eq!(account[0]["bindings"], listed);
    assert_eq!(account[1]["prefix"]["id"], IPV6_PREFIX);
    assert_eq!(account[1]["prefix"]["cidr"], "2001:db8:1000::/48");
    assert_eq!(account[1]["bindings"], serde_json::json!([]));

    assert_eq!(emulated.json(&["bindings", "get", id])["id"], id);
    assert_eq!(emulated.json(&["bindings", "wait", id])["state"], "active");

    let routes = emulated.json(&[
        "route",
        "--explain",
        "203.0.113.17",
        "192.0.2.1",
        "2001:db8:1000::1",
    ]);
    assert_eq!(routes[0]["ip"], "203.0.113.17");
    assert_eq!(routes[0]["prefix"]["id"], PREFIX);
    assert_eq!(routes[0]["binding"]["id"], id);
    assert_eq!(routes[0]["matches"][0]["id"], BASE_BINDING);
    assert_eq!(routes[0]["matches"][1]["id"], id);
    // In no prefix of the account.
    assert_eq!(routes[1]["prefix"], Value::Null);
    assert_eq!(routes[1]["binding"], Value::Null);
    assert_eq!(routes[1]["matches"], serde_json::json!([]));
    // In the IPv6 prefix, which has no binding.
    assert_eq!(routes[2]["prefix"]["id"], IPV6_PREFIX);
    assert_eq!(routes[2]["binding"], Value::Null);

    let deleted = emulated.json(&["bindings", "delete", id, "--yes"]);
    assert_eq!(deleted, serde_json::json!({ "deleted": id }));
}

#[test]
fn state_persists_across_invocations() {
    let emulated = Emulated::new();
    emulated.ok(&[
        "bindings",
        "create",
        "--cidr",
        "203.0.113.64/26",
        "--service",
        "CDN",
    ]);
    assert!(
        emulated
            .ok(&["bindings", "list"])
            .contains("203.0.113.64/26")
    );
    assert!(emulated.state.exists());
}

#[test]
fn concurrent_processes_lose_no_write() {
    let emulated = Emulated::new();
    // Two streams of processes, writing at the same time to one state file.
    let streams: Vec<_> = (0..2u8)
        .map(|stream| {
            let state = emulated.state.clone();
            std::thread::spawn(move || {
                for i in 0..5u8 {
                    let cidr = format!("203.0.113.{}/32", 100 + stream * 10 + i);
                    let output = emulated_command(&state)
                        .args(["bindings", "create", "--cidr", &cidr, "--service", "CDN"])
                        .output()
                        .expect("runs");
                    assert!(output.status.success(), "{cidr}: {}", stderr(&output));
                }
            })
        })
        .collect();
    for stream in streams {
        stream.join().expect("a stream of creates");
    }
    let listed = emulated.json(&["bindings", "list", "--prefix", PREFIX]);
    assert_eq!(listed.as_array().map(Vec::len), Some(11), "{listed}");
}

#[test]
fn bad_input_gives_one_line_and_the_documented_exit_code() {
    let emulated = Emulated::new();
    let create = |cidr: &str, service: &str| {
        emulated.run(&["bindings", "create", "--cidr", cidr, "--service", service])
    };
    assert_fails(
        &create("203.0.113.7/24", "CDN"),
        2,
        "203.0.113.7/24 has host bits set; did you mean 203.0.113.0/24?",
    );
    assert_fails(&create("203.0.113.300/32", "CDN"), 2, "invalid CIDR");
    assert_fails(
        &create("203.0.113.8/32", "Teleport"),
        2,
        "no service named \"Teleport\"; available: Magic Transit, CDN, Spectrum",
    );
    assert_fails(
        &emulated.run(&[
            "bindings",
            "list",
            "--prefix",
            "ffffffffffffffffffffffffffffffff",
        ]),
        3,
        "HTTP 404: Cloudflare error 1002",
    );
    assert_fails(&emulated.run(&["bindings", "get", "../x"]), 2, "../x");
    assert_fails(
        &emulated.run(&["route", "203.0.113.7", "1.2.3"]),
        2,
        "`1.2.3` is not an IPv4 or IPv6 address",
    );
    // In none of the account's prefixes: refused before anything is sent.
    assert_fails(
        &create("198.51.100.0/24", "CDN"),
        2,
        "198.51.100.0/24 is in none of the account's 2 prefixes (203.0.113.0/24, 2001:db8:1000::/48): nothing was created",
    );
    // Sent to a prefix it is not in: a rule of Cloudflare's, enforced by the emulator.
    assert_fails(
        &emulated.run(&[
            "bindings",
            "create",
            "--prefix",
            PREFIX,
            "--cidr",
            "198.51.100.0/24",
            "--service",
            "CDN",
        ]),
        3,
        "HTTP 400",
    );
    // A binding in none of the prefixes.
    assert_fails(
        &emulated.run(&["bindings", "get", "ffffffffffffffffffffffffffffffff"]),
        3,
        "binding ffffffffffffffffffffffffffffffff is in none of the account's 2 prefixes",
    );
    assert_fails(
        &emulated.run(&[
            "route",
            "--prefix",
            "ffffffffffffffffffffffffffffffff",
            "203.0.113.7",
        ]),
        3,
        "get prefix details: HTTP 404",
    );
    assert_fails(
        &emulated.run(&["export", "--prefix", "ffffffffffffffffffffffffffffffff"]),
        3,
        "prefix ffffffffffffffffffffffffffffffff is not one of the account's 2 prefixes",
    );
    // No terminal to confirm on.
    assert_fails(
        &emulated.run(&["bindings", "delete", BASE_BINDING]),
        2,
        "no terminal to confirm on; pass --yes",
    );
}

#[test]
fn missing_credentials() {
    let output = bare()
        .args([
            "--account",
            "023e105f4ecef8ad9ca31a8372d0c353",
            "bindings",
            "list",
        ])
        .args(["--prefix", PREFIX])
        .output()
        .expect("runs");
    assert_fails(&output, 2, "no credentials");
    assert!(stderr(&output).contains("set CLOUDFLARE_API_TOKEN"));
    assert!(stderr(&output).contains("or try --emulated"));
}

#[test]
fn unreachable_base_url() {
    // Port 9 (discard) on loopback: nothing listens there.
    let output = bare()
        .env("CLOUDFLARE_API_TOKEN", "a-token")
        .env("CLOUDFLARE_ACCOUNT_ID", "023e105f4ecef8ad9ca31a8372d0c353")
        .args([
            "--base-url",
            "http://127.0.0.1:9/client/v4",
            "--timeout",
            "5s",
        ])
        .args(["services", "list"])
        .output()
        .expect("runs");
    assert_fails(&output, 4, "could not connect");
}

#[test]
fn a_token_from_stdin_against_a_running_emulator() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let emulator = runtime
        .block_on(cf_bindings_emulator::Emulator::start(Default::default()))
        .expect("the emulator starts");
    let base = ["--base-url", &emulator.base_url()].map(str::to_owned);
    let account = ["--account", cf_bindings_emulator::DEMO_ACCOUNT_ID];

    let good = bare()
        .args(&base)
        .args(account)
        .args(["--token-file", "-", "bindings", "list", "--prefix", PREFIX])
        .write_stdin(format!("{}\n", cf_bindings_emulator::DEFAULT_API_TOKEN))
        .output()
        .expect("runs");
    assert!(good.status.success(), "{}", stderr(&good));
    assert!(String::from_utf8_lossy(&good.stdout).contains(BASE_BINDING));

    let secret = "wrong-token-never-printed";
    let bad = bare()
        .args(&base)
        .args(account)
        .args(["--token-file", "-", "services", "list"])
        .write_stdin(secret)
        .output()
        .expect("runs");
    assert_fails(&bad, 3, "HTTP 403");
    assert!(stderr(&bad).contains("check the credentials"));
    assert!(
        !stderr(&bad).contains(secret) && !String::from_utf8_lossy(&bad.stdout).contains(secret)
    );
    drop(emulator);
}

#[test]
fn completions() {
    let output = bare().args(["completions", "bash"]).output().expect("runs");
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("cf-bindings"));
}
