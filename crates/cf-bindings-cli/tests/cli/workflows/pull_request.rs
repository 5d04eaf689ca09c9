//! The pull-request script posts the plan as one comment and updates it on every
//! later run.

use serde_json::{Value, json};

use super::checkout::{Checkout, REPO, RUN_URL, code, file, jq_installed, plan_comments};
use crate::stderr;

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
