//! The nightly drift script opens one issue, updates it, and closes it once the
//! live bindings are back in sync.

use serde_json::Value;

use super::checkout::{Checkout, IPV6_PREFIX, RUN_URL, code, file, jq_installed};
use crate::{PREFIX, stderr};

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
