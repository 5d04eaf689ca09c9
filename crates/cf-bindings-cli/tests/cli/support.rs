//! What the end-to-end tests share: the binary with a clean environment
//! ([`bare`]), the embedded emulator with a state file of its own ([`Emulated`]),
//! the same in a directory of its own ([`Desk`]), and assertions on how a command
//! ends.

use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

pub(crate) const PREFIX: &str = cf_bindings_emulator::DEMO_IPV4_PREFIX_ID;
pub(crate) const IPV6_PREFIX: &str = cf_bindings_emulator::DEMO_IPV6_PREFIX_ID;
pub(crate) const BASE_BINDING: &str = cf_bindings_emulator::DEMO_IPV4_BASE_BINDING_ID;

/// The binary with a clean environment: no credentials, no colour, fixed width.
pub(crate) fn bare() -> Command {
    Command::from_std(bare_std())
}

/// [`bare`] as a standard library command, for tests that set up its streams.
pub(crate) fn bare_std() -> std::process::Command {
    scrubbed(env!("CARGO_BIN_EXE_cf-bindings"))
}

/// `program` with the clean environment of [`bare`] (for a program that runs the
/// binary in its turn).
pub(crate) fn scrubbed(program: &str) -> std::process::Command {
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
pub(crate) struct Emulated {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) state: PathBuf,
    pub(crate) provisioning_delay: Option<&'static str>,
}

impl Emulated {
    pub(crate) fn new() -> Emulated {
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
    pub(crate) fn activating_soon() -> Emulated {
        Emulated {
            provisioning_delay: Some("400ms"),
            ..Emulated::new()
        }
    }

    pub(crate) fn command(&self) -> Command {
        let mut command = emulated_command(&self.state);
        if let Some(delay) = self.provisioning_delay {
            command.env("CF_EMULATOR_PROVISIONING_DELAY", delay);
        }
        command
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("the binary runs")
    }

    /// Runs a command that must succeed, and returns its stdout.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--output", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).expect("JSON output")
    }
}

pub(crate) fn emulated_command(state: &Path) -> Command {
    Command::from_std(emulated_std(state))
}

pub(crate) fn emulated_std(state: &Path) -> std::process::Command {
    let mut command = bare_std();
    command.arg("--emulated").arg("--state").arg(state);
    command
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The embedded emulator, with commands run in a directory of their own (so that
/// files are named as written: `bindings.toml:4:12`).
pub(crate) struct Desk {
    pub(crate) emulated: Emulated,
    pub(crate) dir: tempfile::TempDir,
}

impl Desk {
    pub(crate) fn new() -> Desk {
        Desk::on(Emulated::new())
    }

    /// New bindings are active at once: the tables show the same states on every
    /// run, and `bindings wait` returns at once.
    pub(crate) fn active_at_once() -> Desk {
        Desk::on(Emulated {
            provisioning_delay: Some("0s"),
            ..Emulated::new()
        })
    }

    pub(crate) fn on(emulated: Emulated) -> Desk {
        Desk {
            emulated,
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    pub(crate) fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).expect("written");
    }

    pub(crate) fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).expect("read")
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.emulated
            .command()
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .expect("the binary runs")
    }

    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        stdout(&output)
    }

    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--output", "json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).expect("JSON")
    }

    /// The CIDRs of the demo IPv4 prefix, by address.
    pub(crate) fn cidrs(&self) -> Vec<String> {
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
pub(crate) fn wait_bounded(mut child: Child) -> Output {
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
pub(crate) fn assert_fails(output: &Output, code: i32, expected: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(expected), "expected {expected:?} in {err}");
}
