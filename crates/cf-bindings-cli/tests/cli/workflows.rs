//! The bindings workflows (`.github/workflows/bindings-*.yml`) and their scripts
//! (`ci/bindings/*.sh`): each script runs with bash against an emulator on
//! loopback, as the workflow runs it against Cloudflare, with a stand-in for `gh`
//! (`gh-standin.sh`) that records what it would post and answers as GitHub does.
//! The workflow files parse, and every `cf-bindings` command line the scripts run
//! parses with the real binary.
//!
//! The scripts need jq (GitHub's runners have it); the tests run when it is
//! installed, and under CI it must be (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::Output;

use cf_bindings_emulator::{DEFAULT_API_TOKEN, DEMO_ACCOUNT_ID};
use serde_json::{Value, json};

use super::desired::Standalone;
use super::{PREFIX, bare, scrubbed, stderr};

const IPV6_PREFIX: &str = cf_bindings_emulator::DEMO_IPV6_PREFIX_ID;
const REPO: &str = "octo/network";
const RUN_URL: &str = "https://github.com/octo/network/actions/runs/99";

/// The workspace's root, where `.github` and `ci` are.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether jq is installed; under CI it must be.
fn jq_installed() -> bool {
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
struct Checkout {
    emulator: Standalone,
    /// The repository's working tree.
    dir: tempfile::TempDir,
    /// PATH's first directory, and the stand-in's state.
    tools: tempfile::TempDir,
}

impl Checkout {
    fn new() -> Checkout {
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

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).expect("written");
    }

    fn github(&self, file: &str) -> PathBuf {
        self.tools.path().join("github").join(file)
    }

    /// A JSON file of the stand-in's state.
    fn state(&self, name: &str) -> Value {
        let text = std::fs::read_to_string(self.github(&format!("{name}.json"))).expect("read");
        serde_json::from_str(&text).expect("JSON")
    }

    fn set_state(&self, name: &str, value: &Value) {
        std::fs::write(self.github(&format!("{name}.json")), value.to_string()).expect("written");
    }

    /// Every call made to the stand-in, its arguments.
    fn calls(&self) -> Vec<Vec<String>> {
        std::fs::read_to_string(self.github("calls.jsonl"))
            .expect("read")
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON array"))
            .collect()
    }

    /// Runs `ci/bindings/SCRIPT` with bash, as a workflow step does, with the
    /// secrets and `env`; checks that no secret shows in what it printed.
    fn run(&self, script: &str, env: &[(&str, &str)]) -> Output {
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
    fn cli(&self, args: &[&str]) -> String {
        let output = self.emulator.run(self.dir.path(), args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The live CIDRs of the demo IPv4 prefix.
    fn cidrs(&self) -> Vec<String> {
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
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}

/// The demo IPv4 prefix's file: the base binding, then `bindings`.
fn file(bindings: &[(&str, &str)]) -> String {
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

fn code(output: &Output) -> Option<i32> {
    output.status.code()
}

/// The comments of pull request `pr` that start with the plan's marker.
fn plan_comments(checkout: &Checkout, pr: u64) -> Vec<Value> {
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

/// The pull-request script posts the plan as one comment, with the marker, and
/// every later run updates that comment (found on the second page of comments,
/// among a reviewer's that quotes the marker and another of the bot's); a file
/// that cannot be planned turns it into a "no plan" comment, and fails.
#[test]
fn the_pull_request_script_posts_one_comment_and_updates_it() {
    if !jq_installed() {
        return;
    }
    let checkout = Checkout::new();
    let marker = "<!-- cf-bindings plan: bindings.toml -->";
    checkout.set_state(
        "comments",
        &json!([
            { "id": 1, "issue": 7, "body": "Looks fine to me", "user": { "login": "reviewer" } },
            { "id": 2, "issue": 7, "body": "CI passed", "user": { "login": "github-actions[bot]" } },
            { "id": 3, "issue": 7, "body": format!("{marker}\nquoted by a person"), "user": { "login": "reviewer" } },
            { "id": 4, "issue": 8, "body": format!("{marker}\nanother pull request"), "user": { "login": "github-actions[bot]" } },
        ]),
    );
    checkout.write("bindings.toml", &file(&[("203.0.113.7/32", "CDN")]));
    let summary = checkout.tools.path().join("summary.md");
    let summary_env = summary.to_str().expect("UTF-8");
    let env = [
        ("PR_NUMBER", "7"),
        ("HEAD_SHA", "0123456789abcdef0123456789abcdef01234567"),
        ("GITHUB_STEP_SUMMARY", summary_env),
    ];

    let first = checkout.run("pr.sh", &env);
    assert_eq!(code(&first), Some(0), "{}", stderr(&first));
    let posted = plan_comments(&checkout, 7);
    let mine: Vec<&Value> = posted
        .iter()
        .filter(|c| c["user"]["login"] == "github-actions[bot]")
        .collect();
    assert_eq!(mine.len(), 1, "{posted:?}");
    let body = mine[0]["body"].as_str().unwrap_or_default();
    assert!(
        body.contains("\n### Plan: 1 to create, 0 to replace, 0 to delete\n"),
        "{body}"
    );
    assert!(
        body.contains("| create | 203.0.113.7/32 | – | CDN | Magic Transit → CDN |"),
        "{body}"
    );
    assert!(
        body.ends_with(&format!(
            "\n<sub>Commit 0123456789ab · [workflow run]({RUN_URL})</sub>"
        )),
        "{body}"
    );
    let id = mine[0]["id"].clone();
    // The saved plan, for the artifact, records the file.
    let saved: Value = serde_json::from_str(
        &std::fs::read_to_string(checkout.path("cf-bindings-out/plan.json")).expect("the plan"),
    )
    .expect("JSON");
    assert_eq!(saved["source"]["path"], "bindings.toml");
    // The plan in the job's summary too.
    let shown = std::fs::read_to_string(&summary).expect("the summary");
    assert!(shown.starts_with(marker), "{shown}");

    // A second push: the same comment, updated.
    checkout.write(
        "bindings.toml",
        &file(&[("203.0.113.7/32", "CDN"), ("203.0.113.16/29", "Spectrum")]),
    );
    let second = checkout.run("pr.sh", &env);
    assert_eq!(code(&second), Some(0), "{}", stderr(&second));
    let posted = plan_comments(&checkout, 7);
    assert_eq!(posted.len(), 2, "the reviewer's and the bot's: {posted:?}");
    let updated = posted
        .iter()
        .find(|c| c["id"] == id)
        .expect("the same comment");
    let body = updated["body"].as_str().unwrap_or_default();
    assert!(body.contains("### Plan: 2 to create"), "{body}");
    let comments = checkout.state("comments");
    let untouched = |n: u64, text: &str| {
        comments
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["id"] == n && c["body"].as_str().is_some_and(|b| b.ends_with(text)))
    };
    assert!(untouched(3, "quoted by a person"), "{comments}");
    assert!(untouched(4, "another pull request"), "{comments}");
    assert!(untouched(2, "CI passed"), "{comments}");
    let patched: Vec<Vec<String>> = checkout
        .calls()
        .into_iter()
        .filter(|c| c.iter().any(|a| a == "PATCH"))
        .collect();
    assert_eq!(patched.len(), 1, "{patched:?}");
    assert!(
        patched[0].contains(&format!("repos/{REPO}/issues/comments/{id}")),
        "{patched:?}"
    );

    // A push that breaks the file: no plan to review, said in the same comment.
    checkout.write("bindings.toml", "[[prefix]\n");
    let broken = checkout.run("pr.sh", &env);
    assert_eq!(code(&broken), Some(2), "{}", stderr(&broken));
    let posted = plan_comments(&checkout, 7);
    let body = posted
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["body"].as_str())
        .unwrap_or_default();
    assert!(
        body.starts_with(&format!(
            "{marker}\n### No plan: cf-bindings failed (exit 2)\n"
        )),
        "{body}"
    );
    assert_eq!(posted.len(), 2, "{posted:?}");
    assert!(
        !checkout.path("cf-bindings-out/plan.json").exists(),
        "no plan to upload"
    );
}

/// Plans `bindings.toml` as the pull-request workflow does for pull request `pr`
/// whose head is `head`, merged as `merge`: the saved plan becomes run `run`'s
/// artifact.
fn reviewed(checkout: &Checkout, pr: u64, head: &str, merge: &str, run: u64) {
    let out = format!("out-{pr}");
    let planned = checkout.run(
        "pr.sh",
        &[
            ("PR_NUMBER", &pr.to_string()),
            ("HEAD_SHA", head),
            ("CF_BINDINGS_OUT", &out),
        ],
    );
    assert_eq!(code(&planned), Some(0), "{}", stderr(&planned));
    let artifact = checkout
        .tools
        .path()
        .join(format!("github/artifacts/{run}/bindings-plan"));
    std::fs::create_dir_all(&artifact).expect("a directory");
    std::fs::copy(
        checkout.path(&format!("{out}/plan.json")),
        artifact.join("plan.json"),
    )
    .expect("copied");
    let mut runs = checkout.state("runs");
    let mut pulls = checkout.state("pulls");
    if let (Some(runs), Some(pulls)) = (runs.as_array_mut(), pulls.as_array_mut()) {
        runs.push(json!({
            "databaseId": run, "headSha": head, "workflowName": "bindings-pr.yml",
            "event": "pull_request", "conclusion": "success",
        }));
        pulls.push(json!({
            "number": pr, "merge_commit_sha": merge, "merged_at": "2025-01-02T03:04:05Z",
            "head": { "sha": head },
        }));
    }
    checkout.set_state("runs", &runs);
    checkout.set_state("pulls", &pulls);
}

/// What the apply script said on pull request `pr`, last.
fn said(checkout: &Checkout, pr: u64) -> String {
    checkout
        .state("comments")
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["issue"] == pr)
        .filter_map(|c| c["body"].as_str())
        .rfind(|b| !b.starts_with("<!--"))
        .unwrap_or_default()
        .to_owned()
}

/// On merge: the plan saved for the merged pull request's head is applied, and the
/// pull request told. A plan made stale by a change by hand, or by another pull
/// request changing the file first, is refused (exit 1) and nothing is changed; a
/// commit without a merged pull request, or a pull request without a saved plan,
/// applies nothing. A plan given as PLAN_FILE (the manual run) applies, waiting if
/// asked.
#[test]
fn the_merge_script_applies_the_reviewed_plan_and_refuses_a_stale_one() {
    if !jq_installed() {
        return;
    }
    let checkout = Checkout::new();
    let apply = |merge: &str| checkout.run("apply.sh", &[("COMMIT_SHA", merge)]);

    checkout.write("bindings.toml", &file(&[("203.0.113.7/32", "CDN")]));
    reviewed(&checkout, 11, "head11", "merge11", 501);
    let applied = apply("merge11");
    assert_eq!(code(&applied), Some(0), "{}", stderr(&applied));
    assert_eq!(checkout.cidrs(), ["203.0.113.0/24", "203.0.113.7/32"]);
    assert!(
        said(&checkout, 11).starts_with("**Applied** the plan reviewed here."),
        "{}",
        said(&checkout, 11)
    );
    let listed = checkout
        .calls()
        .into_iter()
        .find(|c| c.first().is_some_and(|a| a == "run") && c.get(1).is_some_and(|a| a == "list"))
        .expect("the runs listed");
    assert!(
        listed.windows(2).any(|w| w == ["--commit", "head11"]),
        "the pull request's head, not the merge: {listed:?}"
    );

    // Stale: a binding made by hand after the review.
    checkout.write(
        "bindings.toml",
        &file(&[("203.0.113.7/32", "CDN"), ("203.0.113.16/29", "Spectrum")]),
    );
    reviewed(&checkout, 12, "head12", "merge12", 502);
    checkout.cli(&[
        "bindings",
        "create",
        "-p",
        PREFIX,
        "--cidr",
        "203.0.113.128/25",
        "--service",
        "CDN",
    ]);
    let before = checkout.cidrs();
    let stale = apply("merge12");
    assert_eq!(code(&stale), Some(1), "{}", stderr(&stale));
    assert!(
        stderr(&stale).contains(&format!(
            "the live bindings of prefix {PREFIX} changed since it was planned"
        )),
        "{}",
        stderr(&stale)
    );
    assert_eq!(checkout.cidrs(), before, "nothing changed");
    assert!(
        said(&checkout, 12).starts_with("**Not applied**: the plan reviewed here is stale"),
        "{}",
        said(&checkout, 12)
    );

    // Stale: another pull request changed the file on main before this one merged.
    checkout.write(
        "bindings.toml",
        &file(&[
            ("203.0.113.7/32", "CDN"),
            ("203.0.113.16/29", "Spectrum"),
            ("203.0.113.128/25", "CDN"),
        ]),
    );
    reviewed(&checkout, 13, "head13", "merge13", 503);
    checkout.write(
        "bindings.toml",
        &file(&[("203.0.113.7/32", "CDN"), ("203.0.113.128/25", "CDN")]),
    );
    let changed = apply("merge13");
    assert_eq!(code(&changed), Some(1), "{}", stderr(&changed));
    assert!(
        stderr(&changed).contains("bindings.toml changed since it was planned"),
        "{}",
        stderr(&changed)
    );
    assert_eq!(checkout.cidrs(), before, "nothing changed");
    assert!(
        said(&checkout, 13).starts_with("**Not applied**: the plan reviewed here is stale"),
        "{}",
        said(&checkout, 13)
    );

    // A commit that no pull request brought.
    let direct = apply("pushed-directly");
    assert_eq!(code(&direct), Some(1));
    assert!(
        stderr(&direct)
            .contains("came without a merged pull request: no reviewed plan, nothing applied"),
        "{}",
        stderr(&direct)
    );
    // A merged pull request whose plan was never saved.
    let mut pulls = checkout.state("pulls");
    if let Some(pulls) = pulls.as_array_mut() {
        pulls.push(json!({
            "number": 14, "merge_commit_sha": "merge14", "merged_at": "2025-01-02T03:04:05Z",
            "head": { "sha": "head14" },
        }));
    }
    checkout.set_state("pulls", &pulls);
    let unplanned = apply("merge14");
    assert_eq!(code(&unplanned), Some(1));
    assert!(
        said(&checkout, 14).starts_with("**Not applied**: no plan was saved"),
        "{}",
        said(&checkout, 14)
    );
    assert_eq!(checkout.cidrs(), before, "nothing changed");

    // The manual run: plan.sh's saved plan, applied with a wait.
    checkout.write(
        "bindings.toml",
        &file(&[
            ("203.0.113.7/32", "CDN"),
            ("203.0.113.64/26", "Spectrum"),
            ("203.0.113.128/25", "CDN"),
        ]),
    );
    let planned = checkout.run("plan.sh", &[("CF_BINDINGS_OUT", "manual")]);
    assert_eq!(code(&planned), Some(0), "{}", stderr(&planned));
    let manual = checkout.run(
        "apply.sh",
        &[
            ("PLAN_FILE", "manual/plan.json"),
            ("WAIT", "true"),
            ("WAIT_TIMEOUT", "1m"),
        ],
    );
    assert_eq!(code(&manual), Some(0), "{}", stderr(&manual));
    assert!(
        stderr(&manual).contains("every created binding is active"),
        "{}",
        stderr(&manual)
    );
    assert_eq!(
        checkout.cidrs(),
        [
            "203.0.113.0/24",
            "203.0.113.7/32",
            "203.0.113.64/26",
            "203.0.113.128/25"
        ]
    );
    let commented = checkout
        .calls()
        .into_iter()
        .filter(|c| c.get(..2) == Some(&["pr".to_owned(), "comment".to_owned()]))
        .count();
    assert_eq!(
        commented,
        3 + 4,
        "three plans, and what became of 11, 12, 13 and 14: {:?}",
        checkout.calls()
    );
}

/// The open issues whose body is the plan of `bindings.toml`.
fn drift_issues(checkout: &Checkout) -> Vec<Value> {
    checkout
        .state("issues")
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| {
            i["body"]
                .as_str()
                .is_some_and(|b| b.starts_with("<!-- cf-bindings plan: bindings.toml -->\n"))
        })
        .cloned()
        .collect()
}

/// The nightly check: no drift opens nothing; drift opens one issue titled with the
/// prefix, holding the plan; a second drift updates it (its title naming both
/// prefixes now); back in sync closes it. A check that cannot run fails and
/// leaves the issue as it is.
#[test]
fn the_drift_script_opens_one_issue_updates_it_and_closes_it() {
    if !jq_installed() {
        return;
    }
    let checkout = Checkout::new();
    checkout.write("bindings.toml", &file(&[]));
    let check = || checkout.run("drift.sh", &[]);

    let quiet = check();
    assert_eq!(code(&quiet), Some(0), "{}", stderr(&quiet));
    assert!(drift_issues(&checkout).is_empty());

    checkout.cli(&[
        "bindings",
        "create",
        "-p",
        PREFIX,
        "--cidr",
        "203.0.113.128/25",
        "--service",
        "Spectrum",
    ]);
    let drifted = check();
    assert_eq!(code(&drifted), Some(0), "{}", stderr(&drifted));
    let issues = drift_issues(&checkout);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(
        issues[0]["title"],
        format!("Bindings drift: prefix {PREFIX} (bindings.toml)")
    );
    assert_eq!(issues[0]["state"], "OPEN");
    let body = issues[0]["body"].as_str().unwrap_or_default();
    assert!(
        body.contains("### No changes to make, but 1 live binding is not in bindings.toml"),
        "{body}"
    );
    assert!(body.contains("| 203.0.113.128/25 | Spectrum |"), "{body}");
    assert!(
        body.ends_with(&format!("[workflow run]({RUN_URL})</sub>")),
        "{body}"
    );

    // More drift, in the other prefix too: the same issue, updated.
    checkout.cli(&[
        "bindings",
        "create",
        "-p",
        IPV6_PREFIX,
        "--cidr",
        "2001:db8:1000::/48",
        "--service",
        "Magic Transit",
    ]);
    checkout.write(
        "bindings.toml",
        &format!(
            "{}\n[[prefix]]\nid = \"{IPV6_PREFIX}\"\nbindings = []\n",
            file(&[])
        ),
    );
    let again = check();
    assert_eq!(code(&again), Some(0), "{}", stderr(&again));
    let issues = drift_issues(&checkout);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0]["number"], 1);
    assert_eq!(
        issues[0]["title"],
        format!("Bindings drift: prefixes {PREFIX}, {IPV6_PREFIX} (bindings.toml)")
    );
    let body = issues[0]["body"].as_str().unwrap_or_default();
    assert!(
        body.contains("2 live bindings are not in bindings.toml"),
        "{body}"
    );
    let created = checkout
        .calls()
        .into_iter()
        .filter(|c| c.get(..2) == Some(&["issue".to_owned(), "create".to_owned()]))
        .count();
    assert_eq!(created, 1);

    // A check that cannot run (a bad token): it fails, the issue stays as it is.
    let refused = checkout.run("drift.sh", &[("CLOUDFLARE_API_TOKEN", "not-the-token")]);
    assert_eq!(code(&refused), Some(3), "{}", stderr(&refused));
    assert_eq!(drift_issues(&checkout), issues);

    // The file lists them: back in sync, the issue closed with a word why.
    checkout.write(
        "bindings.toml",
        &format!(
            "{}\n[[prefix]]\nid = \"{IPV6_PREFIX}\"\nbindings = [{{ cidr = \"2001:db8:1000::/48\", service = \"Magic Transit\" }}]\n",
            file(&[("203.0.113.128/25", "Spectrum")])
        ),
    );
    let synced = check();
    assert_eq!(code(&synced), Some(0), "{}", stderr(&synced));
    let issues = drift_issues(&checkout);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0]["state"], "CLOSED");
    let closing = issues[0]["comments"][0].as_str().unwrap_or_default();
    assert!(
        closing.starts_with("Back in sync: the live bindings match bindings.toml."),
        "{closing}"
    );
    // Nothing more to close on the next night.
    let quiet = check();
    assert_eq!(code(&quiet), Some(0), "{}", stderr(&quiet));
    let closed = checkout
        .calls()
        .into_iter()
        .filter(|c| c.get(..2) == Some(&["issue".to_owned(), "close".to_owned()]))
        .count();
    assert_eq!(closed, 1);
}

/// A workflow file, parsed.
fn workflow(name: &str) -> Value {
    let path = root().join(".github/workflows").join(name);
    let text = std::fs::read_to_string(&path).expect("the workflow");
    serde_saphyr::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The workflows parse as YAML, with GitHub's shape: triggers, the permissions
/// each needs and no more, jobs on a runner with steps that each use an action or
/// run a command. Secrets reach steps only through `env`, no expression is pasted
/// into a command (the scripts read the environment), every script run exists,
/// and the three install the same cf-bindings (the plan one saves, another
/// applies).
#[test]
fn the_workflows_parse_and_hand_secrets_only_through_the_environment() {
    let expected = [
        (
            "bindings-pr.yml",
            json!({ "contents": "read", "pull-requests": "write" }),
            vec!["pull_request"],
        ),
        (
            "bindings-apply.yml",
            json!({ "contents": "read", "actions": "read", "pull-requests": "write" }),
            vec!["push", "workflow_dispatch"],
        ),
        (
            "bindings-drift.yml",
            json!({ "contents": "read", "issues": "write" }),
            vec!["schedule", "workflow_dispatch"],
        ),
    ];
    let mut installs = Vec::new();
    let mut scripts = Vec::new();
    for (name, permissions, triggers) in expected {
        let parsed = workflow(name);
        assert_eq!(parsed["permissions"], permissions, "{name}");
        let on = parsed["on"]
            .as_object()
            .unwrap_or_else(|| panic!("{name}: no `on`"));
        assert_eq!(
            on.keys().map(String::as_str).collect::<Vec<_>>(),
            triggers,
            "{name}"
        );
        if let Some(paths) = on
            .get("pull_request")
            .or(on.get("push"))
            .map(|t| &t["paths"])
        {
            assert_eq!(paths, &json!(["bindings.toml"]), "{name}");
        }
        assert_eq!(parsed["env"]["BINDINGS_FILE"], "bindings.toml", "{name}");
        let jobs = parsed["jobs"].as_object().expect("jobs");
        assert!(!jobs.is_empty(), "{name}");
        for (job, body) in jobs {
            assert_eq!(body["runs-on"], "ubuntu-latest", "{name} {job}");
            assert!(body["timeout-minutes"].is_u64(), "{name} {job}");
            let steps = body["steps"].as_array().expect("steps");
            assert_eq!(
                steps.first().map(|s| &s["uses"]),
                Some(&json!("actions/checkout@v4")),
                "{name} {job}"
            );
            for step in steps {
                let text = step.to_string();
                match (step["uses"].as_str(), step["run"].as_str()) {
                    (Some(_), None) => {
                        assert!(!text.contains("secrets."), "{name} {job}: {text}");
                    }
                    (None, Some(run)) => {
                        assert!(!run.contains("${{"), "{name} {job}: an expression in {run}");
                        if run.starts_with("cargo install") {
                            installs.push(run.to_owned());
                        } else if let Some(script) = run.strip_prefix("bash ci/bindings/") {
                            assert!(root().join("ci/bindings").join(script).is_file(), "{run}");
                            scripts.push(script.to_owned());
                        } else {
                            panic!("{name} {job}: an unexpected command: {run}");
                        }
                        for (variable, value) in step["env"].as_object().into_iter().flatten() {
                            let value = value.as_str().unwrap_or_default();
                            if value.contains("secrets.") {
                                assert_eq!(
                                    value,
                                    format!("${{{{ secrets.{variable} }}}}"),
                                    "{name} {job}"
                                );
                            }
                        }
                    }
                    _ => panic!("{name} {job}: a step must use an action or run a command: {text}"),
                }
            }
        }
    }
    assert_eq!(installs.len(), 5, "{installs:?}");
    assert!(installs.iter().all(|i| i == &installs[0]), "{installs:?}");
    assert!(installs[0].contains("--locked"), "{installs:?}");
    scripts.sort();
    scripts.dedup();
    assert_eq!(scripts, ["apply.sh", "drift.sh", "plan.sh", "pr.sh"]);
}

/// The words of a command line in a script, as far as this needs: quotes taken
/// off, `${NAME:-default}` read as its default and other expansions as `x`;
/// stopping at a redirection, a pipe or a list operator.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    for raw in split_quoted(line) {
        if matches!(raw.as_str(), "|" | "||" | "&&" | ";" | ">" | ">>")
            || raw.starts_with('>')
            || raw.starts_with("2>")
        {
            break;
        }
        words.push(expand(&raw));
    }
    words
}

/// Splits on spaces outside quotes, removing the quotes.
fn split_quoted(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), _) if c == q => quote = None,
            (None, ' ') => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            _ => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// `${WAIT_TIMEOUT:-5h}` → `5h`, `$out/plan.json` → `x/plan.json`.
fn expand(word: &str) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let end = inner.find('}').unwrap_or(inner.len());
            let expansion = &inner[..end];
            match expansion.split_once(":-") {
                Some((_, default)) => out.push_str(default),
                None => out.push('x'),
            }
            rest = inner.get(end + 1..).unwrap_or_default();
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            out.push('x');
            rest = &after[end..];
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn command_lines_are_read_as_the_shell_reads_them() {
    assert_eq!(
        words(
            r#"cf-bindings plan -f "$BINDINGS_FILE" --output markdown --out "$out/plan.json" --force >"$out/plan.md""#
        ),
        [
            "cf-bindings",
            "plan",
            "-f",
            "x",
            "--output",
            "markdown",
            "--out",
            "x/plan.json",
            "--force"
        ]
    );
    assert_eq!(
        words(
            r#"cf-bindings apply "$plan" --yes --wait --wait-timeout "${WAIT_TIMEOUT:-5h}" || status=$?"#
        ),
        [
            "cf-bindings",
            "apply",
            "x",
            "--yes",
            "--wait",
            "--wait-timeout",
            "5h"
        ]
    );
}

/// Every `cf-bindings` command the scripts run exists with those options: each
/// line, with `--help` after it, parses with the real binary (an unknown option,
/// or a value it refuses, would fail before the help) and shows that command's
/// help.
#[test]
fn every_command_line_of_the_scripts_parses() {
    let mut lines = Vec::new();
    let dir = root().join("ci/bindings");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("ci/bindings")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    scripts.sort();
    for script in &scripts {
        let text = std::fs::read_to_string(script).expect("the script");
        for line in text.lines().map(str::trim) {
            if line.starts_with("cf-bindings ") {
                lines.push((script.clone(), line.to_owned()));
            }
        }
    }
    // Each workflow runs scripts only (checked above); a command line there too
    // would be read here.
    for name in [
        "bindings-pr.yml",
        "bindings-apply.yml",
        "bindings-drift.yml",
    ] {
        let text = std::fs::read_to_string(root().join(".github/workflows").join(name))
            .expect("the workflow");
        for line in text.lines().map(str::trim) {
            if let Some(run) = line.strip_prefix("run: cf-bindings ") {
                lines.push((PathBuf::from(name), format!("cf-bindings {run}")));
            }
        }
    }
    assert!(lines.len() >= 5, "{lines:?}");
    let mut commands = Vec::new();
    for (file, line) in &lines {
        let words = words(line);
        let args = words.get(1..).unwrap_or_default();
        let output = bare().args(args).arg("--help").output().expect("runs");
        assert!(
            output.status.success(),
            "{}: `{line}` does not parse: {}",
            file.display(),
            stderr(&output)
        );
        let command = args.first().cloned().unwrap_or_default();
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(
            help.contains(&format!("Usage: cf-bindings {command} ")),
            "{line}: {help}"
        );
        commands.push(command);
    }
    commands.sort();
    commands.dedup();
    assert_eq!(commands, ["apply", "plan", "validate"]);
}
