//! What the workflow tests share: a [`Checkout`] of a repository where a script
//! runs (`cf-bindings`, the stand-in `gh` and an emulator on loopback), the
//! workspace's root, whether jq is installed, and a demo bindings file.

use std::path::{Path, PathBuf};
use std::process::Output;

use cf_bindings_emulator::{DEFAULT_API_TOKEN, DEMO_ACCOUNT_ID};
use serde_json::Value;

use crate::desired::Standalone;
use crate::{PREFIX, scrubbed, stderr};

pub(super) const IPV6_PREFIX: &str = cf_bindings_emulator::DEMO_IPV6_PREFIX_ID;
pub(super) const REPO: &str = "octo/network";
pub(super) const RUN_URL: &str = "https://github.com/octo/network/actions/runs/99";

/// The workspace's root, where `.github` and `ci` are.
pub(super) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether jq is installed; under CI it must be.
pub(super) fn jq_installed() -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("jq").is_file()));
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "jq is needed under CI: .ci/run installs it"
        );
        println!("jq is not installed: the workflow scripts are not run");
    }
    found
}

/// A checkout of a repository holding `bindings.toml`, where a workflow's script
/// runs: `cf-bindings` and the stand-in `gh` on its PATH, GitHub's state in the
/// stand-in's files, and the Cloudflare API an emulator on loopback.
pub(super) struct Checkout {
    pub(super) emulator: Standalone,
    /// The repository's working tree.
    pub(super) dir: tempfile::TempDir,
    /// PATH's first directory, and the stand-in's state.
    pub(super) tools: tempfile::TempDir,
}

impl Checkout {
    pub(super) fn new() -> Checkout {
        let tools = tempfile::tempdir().expect("a directory");
        let bin = tools.path().join("bin");
        std::fs::create_dir(&bin).expect("a directory");
        let standin = root().join("crates/cf-bindings-cli/tests/cli/gh-standin.sh");
        std::fs::write(
            bin.join("gh"),
            format!(
                "#!/usr/bin/env bash\nexec bash '{}' \"$@\"\n",
                standin.display()
            ),
        )
        .expect("written");
        std::fs::write(
            bin.join("cf-bindings"),
            format!(
                "#!/usr/bin/env bash\nexec '{}' \"$@\"\n",
                env!("CARGO_BIN_EXE_cf-bindings")
            ),
        )
        .expect("written");
        for tool in ["gh", "cf-bindings"] {
            make_executable(&bin.join(tool));
        }
        let state = tools.path().join("github");
        std::fs::create_dir(&state).expect("a directory");
        for file in ["comments", "issues", "pulls", "runs"] {
            std::fs::write(state.join(format!("{file}.json")), "[]").expect("written");
        }
        std::fs::write(state.join("calls.jsonl"), "").expect("written");
        Checkout {
            emulator: Standalone::start(),
            dir: tempfile::tempdir().expect("a directory"),
            tools,
        }
    }

    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(super) fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).expect("written");
    }

    pub(super) fn github(&self, file: &str) -> PathBuf {
        self.tools.path().join("github").join(file)
    }

    /// A JSON file of the stand-in's state.
    pub(super) fn state(&self, name: &str) -> Value {
        let text = std::fs::read_to_string(self.github(&format!("{name}.json"))).expect("read");
        serde_json::from_str(&text).expect("JSON")
    }

    pub(super) fn set_state(&self, name: &str, value: &Value) {
        std::fs::write(self.github(&format!("{name}.json")), value.to_string()).expect("written");
    }

    /// Every call made to the stand-in, its arguments.
    pub(super) fn calls(&self) -> Vec<Vec<String>> {
        std::fs::read_to_string(self.github("calls.jsonl"))
            .expect("read")
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON array"))
            .collect()
    }

    /// Runs `ci/bindings/SCRIPT` with bash, as a workflow step does, with the
    /// secrets and `env`; checks that no secret shows in what it printed.
    pub(super) fn run(&self, script: &str, env: &[(&str, &str)]) -> Output {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.tools.path().join("bin")];
        paths.extend(std::env::split_paths(&path));
        let mut command = scrubbed("bash");
        command
            .arg(root().join("ci/bindings").join(script))
            .current_dir(self.dir.path())
            .env_remove("GH_TOKEN")
            .env_remove("GITHUB_TOKEN")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env("PATH", std::env::join_paths(paths).expect("a PATH"))
            .env("GH_STANDIN", self.tools.path().join("github"))
            .env("GITHUB_ACTIONS", "true")
            .env("GH_REPO", REPO)
            .env("RUN_URL", RUN_URL)
            .env("BINDINGS_FILE", "bindings.toml")
            .env("CLOUDFLARE_BASE_URL", &self.emulator.base)
            .env("CLOUDFLARE_API_TOKEN", DEFAULT_API_TOKEN)
            .env("CLOUDFLARE_ACCOUNT_ID", DEMO_ACCOUNT_ID);
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().expect("bash runs");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(&output)
        );
        assert!(!printed.contains(DEFAULT_API_TOKEN), "the token: {printed}");
        // The log masks the account id (`apply` names it) once told to, which the
        // script does before anything else.
        let masked = format!("::add-mask::{DEMO_ACCOUNT_ID}\n");
        assert!(
            printed.starts_with(&masked),
            "not masked before anything is printed: {printed}"
        );
        // What is posted on GitHub is never masked: no secret there.
        for file in ["comments.json", "issues.json", "calls.jsonl"] {
            let posted = std::fs::read_to_string(self.github(file)).expect("read");
            assert!(
                !posted.contains(DEMO_ACCOUNT_ID) && !posted.contains(DEFAULT_API_TOKEN),
                "{file}: {posted}"
            );
        }
        output
    }

    /// `cf-bindings` against the emulator, in the checkout (a change by hand).
    pub(super) fn cli(&self, args: &[&str]) -> String {
        let output = self.emulator.run(self.dir.path(), args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The live CIDRs of the demo IPv4 prefix.
    pub(super) fn cidrs(&self) -> Vec<String> {
        let listed: Value =
            serde_json::from_str(&self.cli(&["-o", "json", "bindings", "list", "-p", PREFIX]))
                .expect("JSON");
        listed
            .as_array()
            .expect("an array")
            .iter()
            .filter_map(|b| b["cidr"].as_str().map(str::to_owned))
            .collect()
    }
}

#[cfg(unix)]
pub(super) fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[cfg(not(unix))]
pub(super) fn make_executable(_: &Path) {}

/// The demo IPv4 prefix's file: the base binding, then `bindings`.
pub(super) fn file(bindings: &[(&str, &str)]) -> String {
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

pub(super) fn code(output: &Output) -> Option<i32> {
    output.status.code()
}

/// The comments of pull request `pr` that start with the plan's marker.
pub(super) fn plan_comments(checkout: &Checkout, pr: u64) -> Vec<Value> {
    checkout
        .state("comments")
        .as_array()
        .expect("an array")
        .iter()
        .filter(|c| c["issue"] == pr)
        .filter(|c| {
            c["body"]
                .as_str()
                .is_some_and(|b| b.starts_with("<!-- cf-bindings plan: bindings.toml -->\n"))
        })
        .cloned()
        .collect()
}
