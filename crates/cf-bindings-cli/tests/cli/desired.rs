//! Bindings as code, end to end: `validate`, `plan`, `apply` and `export` against
//! the emulator, embedded or beside the test with scripted faults.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;

use cf_bindings_emulator::{DEFAULT_API_TOKEN, DEMO_ACCOUNT_ID, Emulator, EmulatorConfig};
use serde_json::Value;

use assert_cmd::Command;

use super::{Emulated, PREFIX, bare, bare_std, stderr, stdout};

/// A bindings file for the demo IPv4 prefix: its base binding, and `bindings`.
pub(super) fn demo_file(bindings: &[(String, &str)]) -> String {
    let mut text = format!(
        "[[prefix]]\nid = \"{PREFIX}\"\ncidr = \"203.0.113.0/24\"\nbindings = [\n  {{ cidr = \"203.0.113.0/24\", service = \"Magic Transit\" }},\n"
    );
    for (cidr, service) in bindings {
        text.push_str(&format!(
            "  {{ cidr = \"{cidr}\", service = \"{service}\" }},\n"
        ));
    }
    text.push_str("]\n");
    text
}

/// `n` /32 bindings from 203.0.113.1, CDN and Spectrum in turn (no two of one
/// service side by side, so nothing to aggregate).
pub(super) fn many(n: u8) -> Vec<(String, &'static str)> {
    (1..=n)
        .map(|i| {
            let service = if i % 2 == 0 { "CDN" } else { "Spectrum" };
            (format!("203.0.113.{i}/32"), service)
        })
        .collect()
}

/// A directory holding one file, for commands run in it (so that locations in
/// messages read `bindings.toml:7:12`).
pub(super) struct Workdir {
    pub(super) dir: tempfile::TempDir,
}

impl Workdir {
    pub(super) fn with(name: &str, text: &str) -> Workdir {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join(name), text).expect("written");
        Workdir { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(super) fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).expect("written");
    }
}

/// An emulator with fault injection, in memory, served from this test process.
pub(super) struct Standalone {
    pub(super) base: String,
    root: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl Standalone {
    pub(super) fn start() -> Standalone {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let config = EmulatorConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            faults: true,
            ..EmulatorConfig::default()
        };
        let running = runtime
            .block_on(Emulator::start(config))
            .expect("the emulator starts");
        let base = running.base_url();
        let root = running.local_addr();
        // Served by the runtime until the test ends.
        std::mem::forget(running);
        Standalone {
            base,
            root,
            _runtime: runtime,
        }
    }

    /// Appends a fault script (see the emulator's docs).
    pub(super) fn faults(&self, script: &Value) {
        let body = script.to_string();
        let mut stream = TcpStream::connect(self.root).expect("connects");
        write!(
            stream,
            "POST /__emulator/faults HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("sent");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("an answer");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }

    pub(super) fn run(&self, dir: &Path, args: &[&str]) -> Output {
        Command::from_std(self.command(dir, args))
            .output()
            .expect("the binary runs")
    }

    /// The command [`Standalone::run`] runs, to start it otherwise.
    pub(super) fn command(&self, dir: &Path, args: &[&str]) -> std::process::Command {
        let mut command = bare_std();
        command
            .current_dir(dir)
            .env("CLOUDFLARE_API_TOKEN", DEFAULT_API_TOKEN)
            .args(["--base-url", &self.base, "--account", DEMO_ACCOUNT_ID])
            .args(["--rate", "off", "--timeout", "20s"])
            .args(args);
        command
    }

    /// How many scripted faults of `operation` have not been taken yet: a fault is
    /// taken when a request of the operation arrives.
    pub(super) fn pending_faults(&self, operation: &str) -> u64 {
        let mut stream = TcpStream::connect(self.root).expect("connects");
        write!(
            stream,
            "GET /__emulator/faults HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n"
        )
        .expect("sent");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("an answer");
        let body = answer.split("\r\n\r\n").nth(1).expect("a body");
        let value: Value = serde_json::from_str(body).expect("JSON");
        value["result"]["pending"][operation].as_u64().unwrap_or(0)
    }

    pub(super) fn bindings(&self, dir: &Path) -> Vec<(String, String)> {
        let output = self.run(
            dir,
            &["--output", "json", "bindings", "list", "--prefix", PREFIX],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        cidrs_and_services(&output.stdout)
    }
}

/// `(cidr, service name)` of a `bindings list --output json`, in its order.
fn cidrs_and_services(json: &[u8]) -> Vec<(String, String)> {
    let list: Value = serde_json::from_slice(json).expect("JSON");
    list.as_array()
        .expect("an array")
        .iter()
        .map(|b| {
            (
                b["cidr"].as_str().unwrap_or_default().to_owned(),
                b["service_name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// What the demo prefix should hold once `file` of [`demo_file`] is applied, sorted
/// as `bindings list` sorts.
pub(super) fn expected(bindings: &[(String, &str)]) -> Vec<(String, String)> {
    let mut all = vec![("203.0.113.0/24".to_owned(), "Magic Transit".to_owned())];
    all.extend(bindings.iter().map(|(c, s)| (c.clone(), (*s).to_owned())));
    all
}

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
fn a_failure_half_way_stops_with_a_summary_and_a_second_apply_finishes() {
    let emulator = Standalone::start();
    let wanted = many(10);
    let work = Workdir::with("bindings.toml", &demo_file(&wanted));
    let dir = work.dir.path();
    let pass = serde_json::json!({ "kind": "delay", "ms": 0 });
    let refuse =
        serde_json::json!({ "kind": "unsuccessful", "code": 1000, "message": "Injected failure" });
    // A create answered `success: false` is checked by listing and sent again: the
    // fourth create is refused on each of apply's four attempts.
    emulator.faults(&serde_json::json!({
        "create": [pass, pass, pass, refuse, refuse, refuse, refuse]
    }));

    let first = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    let err = stderr(&first);
    assert_eq!(first.status.code(), Some(3), "{err}");
    assert!(err.contains("[3/10] created"), "{err}");
    assert!(
        err.contains("apply stopped after 3 of 10 steps; not done:"),
        "{err}"
    );
    assert!(err.contains("(failed)"), "{err}");
    assert!(err.contains("run apply again to finish"), "{err}");
    assert!(
        err.lines()
            .last()
            .is_some_and(|l| l.starts_with("error: create 203.0.113.")),
        "{err}"
    );
    assert_eq!(emulator.bindings(dir).len(), 4);

    let second = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("[7/7] created"),
        "{}",
        stderr(&second)
    );
    assert_eq!(emulator.bindings(dir), expected(&wanted));
}

#[test]
fn lost_answers_on_a_fifth_of_creates_make_no_duplicate() {
    let emulator = Standalone::start();
    let wanted = many(100);
    let work = Workdir::with("bindings.toml", &demo_file(&wanted));
    let dir = work.dir.path();
    let script: Vec<Value> = (0..100)
        .map(|i| {
            if i % 5 == 0 {
                serde_json::json!({ "kind": "drop_after_commit" })
            } else {
                serde_json::json!({ "kind": "delay", "ms": 0 })
            }
        })
        .collect();
    emulator.faults(&serde_json::json!({ "create": script }));

    let applied = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    // Exactly the file: every CIDR once.
    assert_eq!(emulator.bindings(dir), expected(&wanted));
    let again = emulator.run(dir, &["plan", "--exit-code", "-f", "bindings.toml"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
}

/// A delete the server made, whose 200 answer arrives cut in half, is checked by
/// listing: done, never "failed"; when the listing fails too, exit 5, outcome
/// unknown, and the record matches the server.
#[test]
fn a_delete_answered_with_a_truncated_body_is_done_or_unknown_never_failed() {
    let emulator = Standalone::start();
    let file = |service: &str| demo_file(&[("203.0.113.32/28".to_owned(), service)]);
    let work = Workdir::with("bindings.toml", &file("CDN"));
    let dir = work.dir.path();
    let apply = || emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    let made = apply();
    assert!(made.status.success(), "{}", stderr(&made));

    // Moving the /28 to Spectrum deletes it, then creates it again.
    work.write("bindings.toml", &file("Spectrum"));
    let truncated = serde_json::json!({ "kind": "truncated_json" });
    emulator.faults(&serde_json::json!({ "delete": [truncated] }));
    let replaced = apply();
    let err = stderr(&replaced);
    assert!(replaced.status.success(), "{err}");
    assert!(err.contains("[1/2] deleted 203.0.113.32/28 (CDN"), "{err}");
    assert!(
        err.contains("[2/2] created 203.0.113.32/28 → Spectrum"),
        "{err}"
    );
    assert!(!err.contains("failed"), "{err}");
    assert_eq!(
        emulator.bindings(dir),
        expected(&[("203.0.113.32/28".to_owned(), "Spectrum")])
    );

    // Back to CDN; planning lists once, then every attempt of the listing that
    // would tell fails.
    work.write("bindings.toml", &file("CDN"));
    let pass = serde_json::json!({ "kind": "delay", "ms": 0 });
    let down = serde_json::json!({ "kind": "http_error", "status": 503 });
    emulator.faults(&serde_json::json!({
        "delete": [truncated],
        "list": [pass, down, down, down, down],
    }));
    let unknown = apply();
    let err = stderr(&unknown);
    assert_eq!(unknown.status.code(), Some(5), "{err}");
    assert!(
        err.contains("apply stopped after 0 of 2 steps; not done:"),
        "{err}"
    );
    assert!(
        err.contains("delete 203.0.113.32/28") && err.contains("(outcome unknown)"),
        "{err}"
    );
    assert!(!err.contains("failed)"), "{err}");
    assert!(err.contains("outcome unknown: the binding may or may not have been deleted"));
    assert!(
        err.contains(&format!(
            "check with `cf-bindings bindings list -p {PREFIX}` before trying again"
        )),
        "{err}"
    );
    // The delete was made (its answer was lost), the create not tried.
    assert_eq!(emulator.bindings(dir), expected(&[]));
    let finished = apply();
    assert!(finished.status.success(), "{}", stderr(&finished));
    assert_eq!(
        emulator.bindings(dir),
        expected(&[("203.0.113.32/28".to_owned(), "CDN")])
    );
}

#[test]
fn validate_reports_every_rule_with_its_place() {
    let text = format!(
        r#"[[prefix]]
id = "{PREFIX}"
cidr = "203.0.113.0/24"
bindings = [
  {{ cidr = "203.0.113.0/24", service = "Magic Transit" }},
  {{ cidr = "198.51.100.0/28", service = "CDN" }},
  {{ cidr = "203.0.113.32/28", service = "CDN" }},
  {{ cidr = "203.0.113.32/28", service = "CDN" }},
  {{ cidr = "203.0.113.64/27", service = "CDN" }},
  {{ cidr = "203.0.113.64/28", service = "Spectrum" }},
  {{ cidr = "203.0.113.128/26", service = "Spectrum" }},
  {{ cidr = "203.0.113.192/26", service = "Spectrum" }},
]

[[prefix]]
id = "{PREFIX}"
bindings = []

[[prefix]]
id = "6b3f1e0a9d2c4b7e8f5a1c3d2e4f6a8b"
cidr = "2001:db8:1000::/48"
bindings = [{{ cidr = "2001:db8:1000::/64", service = "CDN" }}]

[[prefix]]
id = "9f1b2c3d4e5f60718293a4b5c6d7e8f9"
bindings = [
  {{ cidr = "198.51.100.7/32", service = "CDN" }},
  {{ cidr = "::ffff:198.51.100.7/128", service = "Spectrum" }},
]
"#
    );
    let work = Workdir::with("bindings.toml", &text);
    let output = bare()
        .current_dir(work.dir.path())
        .args(["validate", "-f", "bindings.toml"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("validate_rules", stderr(&output));

    let typo = text.replace(
        "cidr = \"203.0.113.0/24\"\nbindings",
        "cidr = \"203.0.113.0/24\"\nprnue = true\nbindings",
    );
    work.write("typo.toml", &typo);
    let output = bare()
        .current_dir(work.dir.path())
        .args(["validate", "-f", "typo.toml"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("validate_unknown_key", stderr(&output));

    let malformed = text
        .replace("\"203.0.113.128/26\"", "\"203.0.113.129/26\"")
        .replace("\"203.0.113.192/26\"", "\"203.0.113.192/33\"");
    work.write("malformed.toml", &malformed);
    let output = bare()
        .current_dir(work.dir.path())
        .args(["validate", "-f", "malformed.toml"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("validate_malformed", stderr(&output));
}

#[test]
fn validate_warns_of_blocks_to_aggregate_and_stays_valid() {
    let work = Workdir::with(
        "bindings.toml",
        &demo_file(&[
            ("203.0.113.6/32".to_owned(), "CDN"),
            ("203.0.113.7/32".to_owned(), "CDN"),
            ("203.0.113.16/28".to_owned(), "Magic Transit"),
        ]),
    );
    let output = bare()
        .current_dir(work.dir.path())
        .args(["validate", "-f", "bindings.toml"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!(
        "validate_warnings",
        format!("{}{}", stderr(&output), stdout(&output))
    );
}

/// Bad input: each a clear error with its exit code, before any request. The
/// file errors are found with a base URL where nothing listens.
#[test]
fn bad_files_fail_before_anything_is_sent() {
    let nowhere = "http://127.0.0.1:9/client/v4";
    let work = Workdir::with("bindings.toml", "[[prefix]\nid = 1\n");
    let run = |args: &[&str]| {
        bare()
            .current_dir(work.dir.path())
            .env("CLOUDFLARE_API_TOKEN", "a-token")
            .args(["--base-url", nowhere, "--account", DEMO_ACCOUNT_ID])
            .args(args)
            .output()
            .expect("runs")
    };
    for command in ["plan", "apply", "validate"] {
        let missing = run(
            &[command, "-f", "missing.toml", "--yes"][..if command == "apply" { 4 } else { 3 }]
        );
        assert_eq!(
            missing.status.code(),
            Some(2),
            "{command}: {}",
            stderr(&missing)
        );
        assert!(
            stderr(&missing).contains("cannot read the bindings file missing.toml"),
            "{}",
            stderr(&missing)
        );

        let invalid = run(&[command, "-f", "bindings.toml"]);
        assert_eq!(invalid.status.code(), Some(2), "{command}");
        let err = stderr(&invalid);
        assert!(err.starts_with("bindings.toml:1:"), "{command}: {err}");
        if command != "validate" {
            assert!(err.contains("nothing was sent"), "{err}");
        }
    }
    let zero = run(&["--rate", "0", "plan", "-f", "bindings.toml"]);
    assert_eq!(zero.status.code(), Some(2));
    assert!(
        stderr(&zero).contains("`0` is not a rate"),
        "{}",
        stderr(&zero)
    );

    work.write("plan.json", "{\"version\": 99, \"prefixes\": []}");
    let future = run(&["apply", "plan.json", "--yes"]);
    assert_eq!(future.status.code(), Some(2));
    assert!(stderr(&future).contains("plan.json is a plan of format 99"));
}

#[test]
fn unknown_services_prefixes_and_cidrs_outside_are_named_with_their_place() {
    let emulator = Standalone::start();
    let unknown_service = demo_file(&[("203.0.113.7/32".to_owned(), "Load Balancer")]);
    let work = Workdir::with("bindings.toml", &unknown_service);
    let dir = work.dir.path();
    let output = emulator.run(dir, &["apply", "-f", "bindings.toml", "--yes"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("bindings.toml:6:"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("Load Balancer"),
        "{}",
        stderr(&output)
    );

    let no_such_prefix = "[[prefix]]\nid = \"ffffffffffffffffffffffffffffffff\"\nbindings = []\n";
    work.write("bindings.toml", no_such_prefix);
    for command in ["plan", "apply"] {
        let output = emulator.run(
            dir,
            &[command, "-f", "bindings.toml", "--yes"][..if command == "apply" { 4 } else { 3 }],
        );
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(
                "bindings.toml:2:6: error: prefix ffffffffffffffffffffffffffffffff is not one of the account's prefixes (it has 2: 2af39739cc4e3b5910c918468bb89828 (203.0.113.0/24), 6b3f1e0a9d2c4b7e8f5a1c3d2e4f6a8b (2001:db8:1000::/48))"
            ),
            "{}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("nothing was changed"),
            "{}",
            stderr(&output)
        );
    }

    // Without the prefix's CIDR in the file, Cloudflare's tells.
    let outside = format!(
        "[[prefix]]\nid = \"{PREFIX}\"\nbindings = [\n  {{ cidr = \"198.51.100.0/28\", service = \"CDN\" }},\n]\n"
    );
    work.write("bindings.toml", &outside);
    let output = emulator.run(dir, &["plan", "-f", "bindings.toml"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("bindings.toml:4:"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("198.51.100.0/28"),
        "{}",
        stderr(&output)
    );
    assert_eq!(emulator.bindings(dir).len(), 1, "nothing applied");
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

/// The example of the README's "Bindings as code" stays a valid file.
#[test]
fn the_readme_example_validates() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("the README");
    let example: String = readme
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a TOML example")
        .to_owned();
    let work = Workdir::with("bindings.toml", &example);
    let output = bare()
        .current_dir(work.dir.path())
        .args(["validate", "-f", "bindings.toml"])
        .output()
        .expect("runs");
    assert_eq!(stderr(&output), "");
    assert_eq!(
        stdout(&output),
        "bindings.toml: valid: 2 prefixes, 5 bindings (0 warnings)\n"
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
