//! Bindings as code offline, end to end: `validate` reports every rule with its
//! place and warns of blocks to aggregate, bad files fail before anything is sent,
//! unknown services and prefixes are named with their place, and the README's
//! example validates. Also what the bindings-as-code tests share: demo files, a
//! working directory, and an emulator beside the test with scripted faults
//! ([`Standalone`]); `plan_apply` and `apply_faults` hold the online tests.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;

use cf_bindings_emulator::{DEFAULT_API_TOKEN, DEMO_ACCOUNT_ID, Emulator, EmulatorConfig};
use serde_json::Value;

use assert_cmd::Command;

use super::{PREFIX, bare, bare_std, stderr, stdout};

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

    pub(super) fn path(&self, name: &str) -> PathBuf {
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
