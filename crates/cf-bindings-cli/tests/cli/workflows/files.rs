//! The workflow files parse with GitHub's shape and hand secrets only through the
//! environment; every `cf-bindings` command line their scripts run parses with the
//! real binary.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::checkout::root;
use crate::{bare, stderr};

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
