//! Drift and traffic, end to end with the embedded emulator: a binding made by hand
//! that the file does not list, the transitions of a base replace, and a step that
//! Cloudflare refuses under its rules.

use super::{Desk, IPV6_PREFIX, PREFIX, stderr, stdout};

/// The scheduled drift check of docs/bindings-as-code.md, with a binding made by hand: `export`
/// writes `prune = false`, and the new binding, which the file does not list, is
/// drift (exit 6) though `apply` keeps it. Listing it (a new export) ends the drift;
/// `prune = true` deletes it instead.
#[test]
fn a_binding_made_by_hand_is_drift_whatever_prune_says() {
    let desk = Desk::new();
    desk.ok(&["export", "-f", "drift.toml"]);
    let exported = desk.read("drift.toml");
    assert!(exported.contains("prune = false"), "{exported}");
    let check = desk.run(&["plan", "--exit-code", "-f", "drift.toml"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));

    desk.ok(&[
        "bindings",
        "create",
        "--cidr",
        "203.0.113.128/25",
        "--service",
        "Spectrum",
    ]);
    let check = desk.run(&["plan", "--exit-code", "-f", "drift.toml"]);
    assert_eq!(check.status.code(), Some(6), "{}", stderr(&check));
    let shown = stdout(&check);
    assert!(
        shown.contains("Not in drift.toml (kept, prune = false): 1 live binding"),
        "{shown}"
    );
    assert!(
        shown.contains("203.0.113.128/25  Spectrum  Magic Transit for 203.0.113.128/25"),
        "{shown}"
    );
    assert!(shown.contains("No changes to make, but 1 live binding is not in drift.toml"));
    // On two lines, not with an escaped line break.
    assert!(
        shown.contains(
            "drift.toml (kept because prune = false):\nlist it in the file, or set prune = true to delete it."
        ) && !shown.contains("\\n"),
        "{shown}"
    );
    assert!(
        stderr(&check).contains("differ from drift.toml: 1 live binding not in the file"),
        "{}",
        stderr(&check)
    );
    let plan = desk.json(&["plan", "-f", "drift.toml"]);
    let unlisted = &plan["prefixes"][0]["unlisted"][0];
    assert_eq!(unlisted["cidr"], "203.0.113.128/25", "{plan}");
    assert_eq!(unlisted["service"]["name"], "Spectrum");
    assert_eq!(unlisted["reroutes"][0]["cidrs"][0], "203.0.113.128/25");
    assert_eq!(unlisted["reroutes"][0]["file"]["name"], "Magic Transit");

    // apply leaves it alone, and says so.
    let applied = desk.run(&["apply", "-f", "drift.toml", "--yes"]);
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    assert!(stdout(&applied).contains("Not in drift.toml (kept, prune = false)"));
    assert_eq!(desk.cidrs(), ["203.0.113.0/24", "203.0.113.128/25"]);

    // Exported again, the file lists it: no drift.
    desk.ok(&["export", "-f", "listed.toml"]);
    let check = desk.run(&["plan", "--exit-code", "-f", "listed.toml"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(
        stdout(&check).starts_with("No changes"),
        "{}",
        stdout(&check)
    );

    // With prune, the old file deletes it.
    desk.write(
        "pruned.toml",
        &exported.replacen("prune = false", "prune = true", 1),
    );
    let pruned = desk.run(&["plan", "--exit-code", "-f", "pruned.toml"]);
    assert_eq!(pruned.status.code(), Some(6));
    assert!(!stdout(&pruned).contains("Not in"), "{}", stdout(&pruned));
    assert!(
        stdout(&pruned).contains("delete  203.0.113.128/25  Spectrum  -"),
        "{}",
        stdout(&pruned)
    );
    desk.ok(&["apply", "-f", "pruned.toml", "--yes"]);
    assert_eq!(desk.cidrs(), ["203.0.113.0/24"]);
    let check = desk.run(&["plan", "--exit-code", "-f", "drift.toml"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

/// A bindings file for the demo IPv4 prefix with its base binding bound to `base`,
/// a Spectrum /28 and a Magic Transit /27.
fn base_and_children(base: &str) -> String {
    format!(
        "[[prefix]]\nid = \"{PREFIX}\"\ncidr = \"203.0.113.0/24\"\nbindings = [\n  \
         {{ cidr = \"203.0.113.0/24\",  service = \"{base}\" }},\n  \
         {{ cidr = \"203.0.113.16/28\", service = \"Spectrum\" }},\n  \
         {{ cidr = \"203.0.113.32/27\", service = \"Magic Transit\" }},\n]\n"
    )
}

/// Changing the base binding's service: every range's way through the services,
/// step by step, before it happens. The /27 is Magic Transit before and after, but
/// has no binding, then goes to CDN (the new base) until it is created again.
#[test]
fn a_base_replace_shows_where_each_range_goes_at_each_step() {
    let desk = Desk::new();
    desk.write("bindings.toml", &base_and_children("Magic Transit"));
    desk.ok(&["apply", "-f", "bindings.toml", "--yes"]);
    desk.write("bindings.toml", &base_and_children("CDN"));

    let plan = desk.json(&["plan", "-f", "bindings.toml"]);
    let transitions = plan["prefixes"][0]["transitions"]
        .as_array()
        .expect("transitions");
    let child = transitions
        .iter()
        .find(|t| t["cidrs"] == serde_json::json!(["203.0.113.32/27"]))
        .expect("the /27 moves");
    let passes: Vec<(Option<&str>, u64)> = child["passes"]
        .as_array()
        .expect("passes")
        .iter()
        .map(|p| {
            (
                p["service"]["name"].as_str(),
                p["after_step"].as_u64().unwrap_or(99),
            )
        })
        .collect();
    assert_eq!(
        passes,
        [
            (Some("Magic Transit"), 0),
            (None, 3),
            (Some("CDN"), 4),
            (Some("Magic Transit"), 5)
        ]
    );

    let table = desk.ok(&["plan", "-f", "bindings.toml"]);
    assert!(table.lines().all(|l| l.chars().count() <= 100), "{table}");
    // The summary, on two lines of 80 columns at most.
    let summary: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.starts_with("Plan: "))
        .collect();
    assert_eq!(
        summary,
        [
            "Plan: 0 to create, 3 to replace, 0 to delete (6 API calls).",
            "Each create or delete takes four to six hours to propagate."
        ]
    );
    let mut settings = insta::Settings::clone_current();
    settings.add_filter("binding [0-9a-f]{32}", "binding [id]");
    settings.bind(|| insta::assert_snapshot!("plan_base_replace", table));

    // Applied, the steps are those shown, and the file holds.
    let applied = desk.run(&["apply", "-f", "bindings.toml", "--yes"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    assert!(
        stderr(&applied).contains("[3/6] deleted 203.0.113.0/24"),
        "{}",
        stderr(&applied)
    );
    let check = desk.run(&["plan", "--exit-code", "-f", "bindings.toml"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

/// A Cloudflare that refuses every create under a rule the plan cannot know of
/// (service bindings disabled on the prefix); the demo IPv6 prefix, with no
/// binding, and the services answer as usual.
fn refusing_creates(request_line: &str) -> Option<String> {
    let (status, body) = if request_line.starts_with("POST ") {
        (
            "400 Bad Request",
            r#"{"success":false,"errors":[{"code":1012,"message":"Service bindings are disabled for this prefix"}],"messages":[],"result":null}"#.to_owned(),
        )
    } else if request_line.contains("/bindings ") {
        ("200 OK", envelope("[]"))
    } else if request_line.contains("/addressing/prefixes ") {
        (
            "200 OK",
            envelope(&format!(
                r#"[{{"id":"{IPV6_PREFIX}","cidr":"2001:db8:1000::/48","description":"Demo IPv6 prefix","approved":"V"}}]"#
            )),
        )
    } else if request_line.contains("/addressing/services ") {
        (
            "200 OK",
            envelope(r#"[{"id":"2db684ee7ca04e159946fd05b99e1bcd","name":"Magic Transit"}]"#),
        )
    } else {
        return None;
    };
    Some(format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    ))
}

fn envelope(result: &str) -> String {
    format!(r#"{{"success":true,"errors":[],"messages":[],"result":{result}}}"#)
}

/// A step Cloudflare refuses under a rule the plan cannot check: the failure names
/// the file entry and the rule, and does not advise running apply again, which
/// would be refused the same way.
#[test]
fn a_step_refused_under_a_rule_names_the_entry_and_advises_no_rerun() {
    let base = super::hardening::raw_server(refusing_creates);
    let desk = Desk::new();
    desk.write(
        "bindings.toml",
        &format!(
            "[[prefix]]\nid = \"{IPV6_PREFIX}\"\nbindings = [\n  \
             {{ cidr = \"2001:db8:1000::/48\", service = \"Magic Transit\" }},\n]\n"
        ),
    );
    let output = super::bare()
        .current_dir(desk.dir.path())
        .env("CLOUDFLARE_API_TOKEN", "a-token")
        .args([
            "--base-url",
            &base,
            "--account",
            cf_bindings_emulator::DEMO_ACCOUNT_ID,
        ])
        .args(["--timeout", "10s", "apply", "-f", "bindings.toml", "--yes"])
        .output()
        .expect("the binary runs");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{err}");
    assert!(!err.contains("run apply again"), "{err}");
    assert!(
        err.contains(
            "running apply again would make the same request and be refused the same way; \
             change the entry bindings.toml:4:12 (2001:db8:1000::/48 → Magic Transit)"
        ),
        "{err}"
    );
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(
            "error: bindings.toml:4:12: create 2001:db8:1000::/48 (Magic Transit) in prefix"
        ),
        "{err}"
    );
    assert!(
        last.contains("Cloudflare error 1012: Service bindings are disabled"),
        "{err}"
    );
}
