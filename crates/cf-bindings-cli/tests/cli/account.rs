//! Account scope, end to end with the embedded emulator and both demo prefixes
//! (IPv4 203.0.113.0/24 with its base binding, IPv6 2001:db8:1000::/48 with none):
//! `bindings list` and `route` across the account, `export` of the whole account,
//! and `plan`/`apply` reading each prefix's CIDR from the API, never from a guess.

use serde_json::Value;

use super::{Desk, IPV6_PREFIX, PREFIX, stderr, stdout};

impl Desk {
    /// Every binding of the account, as `bindings list` gives them (JSON).
    fn everything(&self) -> Value {
        self.json(&["bindings", "list"])
    }

    /// Creates a binding without `--prefix`: the prefix that holds the CIDR gets it.
    fn create(&self, cidr: &str, service: &str) -> String {
        let created = self.json(&["bindings", "create", "--cidr", cidr, "--service", service]);
        created["id"].as_str().expect("an id").to_owned()
    }
}

/// Replaces each id of `ids` by a fixed name in the snapshots of the closure.
fn with_ids(ids: &[(&str, &str)], check: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    for (id, name) in ids {
        settings.add_filter(id, *name);
    }
    settings.bind(check);
}

/// The bindings of the IPv6 prefix: its base binding (Magic Transit, the whole
/// prefix) and a CDN /64.
fn ipv6_bindings(desk: &Desk) -> (String, String) {
    (
        desk.create("2001:db8:1000::/48", "Magic Transit"),
        desk.create("2001:db8:1000::/64", "CDN"),
    )
}

#[test]
fn bindings_list_groups_every_prefix_of_the_account() {
    let desk = Desk::active_at_once();
    insta::assert_snapshot!("account_bindings_list_seed", desk.ok(&["bindings", "list"]));

    // Made without --prefix: each goes to the prefix that holds its CIDR.
    let cdn = desk.create("203.0.113.7/32", "CDN");
    let (v6_base, v6_cdn) = ipv6_bindings(&desk);
    with_ids(
        &[
            (&cdn, "NEW-IPV4-CDN-0000000000000000000"),
            (&v6_base, "NEW-IPV6-BASE-000000000000000000"),
            (&v6_cdn, "NEW-IPV6-CDN-0000000000000000000"),
        ],
        || insta::assert_snapshot!("account_bindings_list", desk.ok(&["bindings", "list"])),
    );
    // With --prefix, one table, as before.
    let one = desk.ok(&["bindings", "list", "--prefix", IPV6_PREFIX]);
    assert!(one.starts_with("ID "), "{one}");
    assert!(one.contains(&v6_base) && one.contains(&v6_cdn), "{one}");
    assert!(!one.contains(&cdn) && !one.contains("Prefix "), "{one}");

    // Found across the account without --prefix: get, wait and delete.
    assert_eq!(
        desk.json(&["bindings", "get", &v6_cdn])["cidr"],
        "2001:db8:1000::/64"
    );
    assert_eq!(desk.json(&["bindings", "wait", &v6_cdn])["state"], "active");
    desk.ok(&["bindings", "delete", &v6_cdn, "--yes"]);
    let groups = desk.everything();
    assert_eq!(groups[1]["prefix"]["id"], IPV6_PREFIX);
    assert_eq!(
        groups[1]["bindings"].as_array().map(Vec::len),
        Some(1),
        "{groups}"
    );
}

/// The case: with a Magic Transit binding on the IPv6 prefix, `route
/// 2001:db8:1000::1` finds it; an address in no prefix says so.
#[test]
fn route_finds_each_address_across_the_account() {
    let desk = Desk::active_at_once();
    let addresses = [
        "203.0.113.7",
        "2001:db8:1000::1",
        "198.51.100.1",
        "2001:db8:2000::1",
    ];
    let mut args = vec!["route"];
    args.extend(addresses);
    // The IPv6 prefix has no binding yet.
    let before = desk.ok(&args);
    let row: Vec<&str> = before
        .lines()
        .find(|l| l.starts_with("2001:db8:1000::1 "))
        .map(|l| l.split_whitespace().collect())
        .unwrap_or_default();
    assert_eq!(
        row,
        [
            "2001:db8:1000::1",
            "-",
            "(no",
            "binding)",
            "-",
            "2001:db8:1000::/48"
        ],
        "{before}"
    );

    let (v6_base, v6_cdn) = ipv6_bindings(&desk);
    let cdn = desk.create("203.0.113.7/32", "CDN");
    with_ids(
        &[
            (&cdn, "NEW-IPV4-CDN-0000000000000000000"),
            (&v6_base, "NEW-IPV6-BASE-000000000000000000"),
            (&v6_cdn, "NEW-IPV6-CDN-0000000000000000000"),
        ],
        || {
            let mut args = vec!["route"];
            args.extend(addresses);
            args.push("2001:db8:1000:1::1");
            insta::assert_snapshot!("account_route", desk.ok(&args));
            let mut args = vec!["route", "--explain"];
            args.extend(addresses);
            insta::assert_snapshot!("account_route_explain", desk.ok(&args));
        },
    );

    // With --prefix, only that prefix: an address of another is said to be outside it.
    let one = desk.ok(&["route", "--prefix", PREFIX, "2001:db8:1000::1"]);
    assert!(
        one.contains(&format!(
            "2001:db8:1000::1 is not in prefix {PREFIX} (203.0.113.0/24); without --prefix, route looks across the account."
        )),
        "{one}"
    );
    let routes = desk.json(&["route", "2001:db8:1000:1::1", "198.51.100.1"]);
    assert_eq!(routes[0]["prefix"]["id"], IPV6_PREFIX);
    assert_eq!(routes[0]["binding"]["id"], v6_base.as_str());
    assert_eq!(routes[1]["prefix"], Value::Null);
}

/// `export` with no `--prefix` writes every prefix of the account, each with its
/// real CIDR (the IPv6 prefix has no binding to tell it) and its description as a
/// comment; the file validates and plans no change.
#[test]
fn export_of_the_account_then_plan_shows_no_change() {
    let desk = Desk::active_at_once();
    desk.ok(&["export", "-f", "account.toml"]);
    insta::assert_snapshot!("account_export_seed", desk.read("account.toml"));
    let valid = desk.ok(&["validate", "-f", "account.toml"]);
    assert_eq!(
        valid,
        "account.toml: valid: 2 prefixes, 1 binding (0 warnings)\n"
    );
    let check = desk.run(&["plan", "--exit-code", "-f", "account.toml"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));

    ipv6_bindings(&desk);
    desk.create("203.0.113.16/29", "Spectrum");
    let exported = desk.ok(&["export"]);
    insta::assert_snapshot!("account_export", exported);
    desk.write("exported.toml", &exported);
    let check = desk.run(&["plan", "--exit-code", "-f", "exported.toml"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(
        stdout(&check).starts_with("No changes"),
        "{}",
        stdout(&check)
    );

    // --prefix still exports the prefixes named, and only them.
    let one = desk.ok(&["export", "--prefix", IPV6_PREFIX]);
    assert!(one.contains("# Demo IPv6 prefix\n[[prefix]]"), "{one}");
    assert!(!one.contains(PREFIX), "{one}");
}

/// A description is the server's text: written as a comment, it cannot end the
/// comment and add TOML of its own, nor hide text from a reviewer.
#[test]
fn a_hostile_description_stays_a_comment() {
    let desk = Desk::active_at_once();
    desk.ok(&["prefixes", "list"]);
    let state = std::fs::read_to_string(&desk.emulated.state).expect("the state file");
    let hostile = state.replace(
        "\"Demo IPv6 prefix\"",
        "\"Lab\\nprune = true\\r\\n[[prefix]]\\u202e\"",
    );
    assert_ne!(state, hostile);
    std::fs::write(&desk.emulated.state, hostile).expect("written");
    desk.ok(&["export", "-f", "account.toml"]);
    let exported = desk.read("account.toml");
    assert!(
        exported.contains("# Lab\\nprune = true\\r\\n[[prefix]]\\u{202e}\n[[prefix]]\n"),
        "{exported}"
    );
    assert_eq!(exported.matches("prune = true").count(), 1, "{exported}");
    let valid = desk.ok(&["validate", "-f", "account.toml"]);
    assert!(valid.contains("valid: 2 prefixes"), "{valid}");
    let check = desk.run(&["plan", "--exit-code", "-f", "account.toml"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

/// A file for both prefixes, the IPv6 one without `cidr`: the plan's headers give
/// each prefix's CIDR as Cloudflare lists it.
#[test]
fn plan_across_both_prefixes() {
    let desk = Desk::active_at_once();
    desk.write(
        "bindings.toml",
        &format!(
            "[[prefix]]\nid = \"{PREFIX}\"\ncidr = \"203.0.113.0/24\"\nbindings = [\n  \
             {{ cidr = \"203.0.113.0/24\", service = \"Magic Transit\" }},\n  \
             {{ cidr = \"203.0.113.7/32\", service = \"CDN\" }},\n]\n\n\
             [[prefix]]\nid = \"{IPV6_PREFIX}\"\nbindings = [\n  \
             {{ cidr = \"2001:db8:1000::/48\", service = \"Magic Transit\" }},\n  \
             {{ cidr = \"2001:db8:1000:ff00::/56\", service = \"Spectrum\" }},\n]\n"
        ),
    );
    let plan = desk.ok(&["plan", "-f", "bindings.toml"]);
    insta::assert_snapshot!("account_plan", plan);
    assert!(plan.contains(&format!("Prefix {PREFIX} (203.0.113.0/24): 1 change")));
    assert!(plan.contains(&format!(
        "Prefix {IPV6_PREFIX} (2001:db8:1000::/48): 2 changes"
    )));
    let saved = desk.json(&["plan", "-f", "bindings.toml"]);
    assert_eq!(saved["prefixes"][0]["cidr"], "203.0.113.0/24");
    assert_eq!(saved["prefixes"][1]["cidr"], "2001:db8:1000::/48");

    desk.ok(&["apply", "-f", "bindings.toml", "--yes"]);
    let check = desk.run(&["plan", "--exit-code", "-f", "bindings.toml"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let routes = desk.json(&["route", "203.0.113.7", "2001:db8:1000:ff00::1"]);
    assert_eq!(routes[0]["binding"]["service_name"], "CDN");
    assert_eq!(routes[1]["binding"]["service_name"], "Spectrum");
}

/// The case: the IPv6 prefix has no binding, and the file (without `cidr`)
/// lists a /64 outside it. The plan used to print a CIDR guessed from the file as
/// the prefix's (`Prefix 6b3f… (2001:db8:2000::/64)`), and apply to fail at
/// Cloudflare's first-binding rule advising a rerun. Now both refuse the file
/// before any write, naming the rule, the entries and the real CIDR.
#[test]
fn a_first_binding_that_is_not_the_prefix_is_refused_before_any_write() {
    let desk = Desk::active_at_once();
    desk.write(
        "bindings.toml",
        &format!(
            "[[prefix]]\nid = \"{IPV6_PREFIX}\"\nbindings = [\n  \
             {{ cidr = \"2001:db8:2000::/64\", service = \"Magic Transit\" }},\n]\n"
        ),
    );
    assert!(
        desk.ok(&["validate", "-f", "bindings.toml"])
            .contains("valid: 1 prefix, 1 binding"),
        "valid offline: only Cloudflare knows the prefix's CIDR"
    );
    let before = desk.everything();
    for args in [
        &["plan", "-f", "bindings.toml"][..],
        &["plan", "--exit-code", "-f", "bindings.toml"][..],
        &["apply", "-f", "bindings.toml", "--yes"][..],
    ] {
        let output = desk.run(args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(stdout(&output), "", "{args:?}: no plan, no guessed header");
        assert!(!err.contains("2001:db8:2000::/64)"), "{err}");
        assert!(!err.contains("again"), "{err}");
        assert!(
            err.contains(&format!(
                "bindings.toml:2:6: error: prefix {IPV6_PREFIX} has no binding yet, and Cloudflare accepts a prefix's first binding only when it is exactly the prefix's CIDR 2001:db8:1000::/48: list {{ cidr = \"2001:db8:1000::/48\", service = \"Magic Transit\" }}"
            )),
            "{err}"
        );
        assert!(
            err.contains(
                "bindings.toml:4:12: error: 2001:db8:2000::/64 (Magic Transit) is not inside prefix 2001:db8:1000::/48"
            ),
            "{err}"
        );
        assert!(
            err.ends_with("error: bindings.toml: 2 errors, 0 warnings; nothing was changed\n"),
            "{err}"
        );
    }
    assert_eq!(desk.everything(), before, "nothing was written");

    // Listing the prefix's CIDR first makes it a plan, headed by the real CIDR.
    desk.write(
        "bindings.toml",
        &format!(
            "[[prefix]]\nid = \"{IPV6_PREFIX}\"\nbindings = [\n  \
             {{ cidr = \"2001:db8:1000::/48\", service = \"Magic Transit\" }},\n  \
             {{ cidr = \"2001:db8:1000::/64\", service = \"CDN\" }},\n]\n"
        ),
    );
    let plan = desk.ok(&["plan", "-f", "bindings.toml"]);
    assert!(
        plan.starts_with(&format!(
            "Prefix {IPV6_PREFIX} (2001:db8:1000::/48): 2 changes\n"
        )),
        "{plan}"
    );
    let applied = desk.run(&["apply", "-f", "bindings.toml", "--yes"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    assert!(
        stderr(&applied).contains("[1/2] created 2001:db8:1000::/48 → Magic Transit"),
        "{}",
        stderr(&applied)
    );
}

/// A `cidr` that is not the prefix's real one is refused before any write, with
/// the file's place and both CIDRs, for a prefix with bindings and one without
/// (where no live binding could have told).
#[test]
fn a_file_whose_cidr_is_not_cloudflares_is_refused_before_any_write() {
    let desk = Desk::active_at_once();
    let cases = [
        (PREFIX, "203.0.113.0/25", "203.0.113.0/24"),
        (IPV6_PREFIX, "2001:db8:2000::/48", "2001:db8:1000::/48"),
    ];
    let before = desk.everything();
    for (id, written, real) in cases {
        desk.write(
            "bindings.toml",
            &format!(
                "[[prefix]]\nid = \"{id}\"\ncidr = \"{written}\"\nbindings = [\n  \
                 {{ cidr = \"{written}\", service = \"Magic Transit\" }},\n]\n"
            ),
        );
        desk.ok(&["validate", "-f", "bindings.toml"]);
        for args in [
            &["plan", "-f", "bindings.toml"][..],
            &["apply", "-f", "bindings.toml", "--yes"][..],
        ] {
            let output = desk.run(args);
            let err = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
            assert!(
                err.starts_with(&format!(
                    "bindings.toml:3:8: error: prefix {id} is {real} (as Cloudflare lists it), not {written} as the file says: write cidr = \"{real}\"\n"
                )),
                "{err}"
            );
            assert!(err.ends_with("nothing was changed\n"), "{err}");
        }
    }
    assert_eq!(desk.everything(), before, "nothing was written");
}
