//! The merge script applies the plan reviewed on the merged pull request, and
//! refuses a stale one.

use serde_json::json;

use super::checkout::{Checkout, code, file, jq_installed};
use crate::{PREFIX, stderr};

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
