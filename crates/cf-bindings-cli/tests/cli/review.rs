//! Review in pull requests: `plan --output markdown` (snapshots of the comment a
//! reviewer reads), refused by every other command. That what was reviewed is what
//! is applied is in `reviewed_plans`.

use super::{BASE_BINDING, Desk, IPV6_PREFIX, PREFIX, assert_fails, stderr};

impl Desk {
    /// Makes a binding by hand, as someone at Cloudflare's dashboard would.
    pub(super) fn by_hand(&self, prefix: &str, cidr: &str, service: &str) {
        self.ok(&[
            "bindings",
            "create",
            "-p",
            prefix,
            "--cidr",
            cidr,
            "--service",
            service,
        ]);
    }

    /// The plan of `file` as Markdown, checked for what every comment holds.
    pub(super) fn markdown(&self, file: &str) -> String {
        let text = self.ok(&["plan", "-f", file, "--output", "markdown"]);
        assert_eq!(
            text.lines().next(),
            Some(format!("<!-- cf-bindings plan: {file} -->").as_str()),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'), "ANSI in {text}");
        assert!(text.chars().count() < 65_536, "too long for a comment");
        // The same plan, the same text.
        assert_eq!(self.ok(&["plan", "-f", file, "--output", "markdown"]), text);
        text
    }
}

/// A bindings file of the demo IPv4 prefix: its base binding to `base`, then
/// `bindings`.
pub(super) fn ipv4_file(base: &str, bindings: &[(String, &str)], prune: bool) -> String {
    let mut text = format!(
        "[[prefix]]\nid = \"{PREFIX}\"\ncidr = \"203.0.113.0/24\"\nprune = {prune}\nbindings = [\n  {{ cidr = \"203.0.113.0/24\", service = \"{base}\" }},\n"
    );
    for (cidr, service) in bindings {
        text.push_str(&format!(
            "  {{ cidr = \"{cidr}\", service = \"{service}\" }},\n"
        ));
    }
    text.push_str("]\n");
    text
}

pub(super) fn owned(bindings: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
    bindings
        .iter()
        .map(|(c, s)| ((*c).to_owned(), *s))
        .collect()
}

/// Binding ids are new in every run.
fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter("binding [0-9a-f]{32}", "binding [id]");
    settings.add_filter(r"\| [0-9a-f]{32} \|", "| [id] |");
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn markdown_of_no_change() {
    let desk = Desk::new();
    desk.write("bindings.toml", &ipv4_file("Magic Transit", &[], false));
    let text = desk.markdown("bindings.toml");
    assert!(
        text.contains("### No changes: the live bindings match bindings.toml"),
        "{text}"
    );
    snapshot("markdown_no_change", &text);
}

/// Two creates and a replace: the summary line first, then the prefix's table,
/// each change with where its addresses' traffic goes; the steps folded.
#[test]
fn markdown_of_a_small_plan() {
    let desk = Desk::new();
    desk.by_hand(PREFIX, "203.0.113.64/26", "Spectrum");
    let file = ipv4_file(
        "Magic Transit",
        &owned(&[
            ("203.0.113.7/32", "CDN"),
            ("203.0.113.16/29", "Spectrum"),
            ("203.0.113.64/26", "CDN"),
        ]),
        false,
    );
    desk.write("bindings.toml", &file);
    let text = desk.markdown("bindings.toml");
    let summary = text.lines().nth(1).unwrap_or_default();
    assert_eq!(
        summary, "### Plan: 2 to create, 1 to replace, 0 to delete",
        "{text}"
    );
    assert!(
        text.contains("| create | 203.0.113.7/32 | – | CDN | Magic Transit → CDN |"),
        "{text}"
    );
    assert!(
        text.contains(
            "| replace | 203.0.113.64/26 | Spectrum | CDN | Spectrum → Magic Transit (step 1) → CDN (from step 2) |"
        ),
        "{text}"
    );
    assert!(!text.contains("<details><summary>3 changes"), "{text}");
    assert!(!text.contains("### Warnings"), "{text}");
    snapshot("markdown_small_plan", &text);
}

/// 200 creates: the table is folded under `<details>`, the summary line still
/// first, every change still shown.
#[test]
fn markdown_of_a_200_change_plan_is_folded() {
    let desk = Desk::new();
    // CDN and Spectrum in turn: no two of one service side by side to aggregate.
    let bindings: Vec<(String, &str)> = (0..200)
        .map(|i| {
            let service = if i % 2 == 0 { "CDN" } else { "Spectrum" };
            (format!("203.0.113.{i}/32"), service)
        })
        .collect();
    desk.write(
        "bindings.toml",
        &ipv4_file("Magic Transit", &bindings, false),
    );
    let text = desk.markdown("bindings.toml");
    assert_eq!(
        text.lines().nth(1),
        Some("### Plan: 200 to create, 0 to replace, 0 to delete")
    );
    let folded = text
        .split_once("<details><summary>200 changes</summary>")
        .map(|(_, rest)| rest)
        .and_then(|rest| rest.split_once("</details>"))
        .map(|(inside, _)| inside)
        .expect("the changes folded");
    assert_eq!(folded.matches("\n| create | ").count(), 200, "{text}");
    assert!(text.contains("<details><summary>200 API calls, in the order"));
    assert!(text.contains("\n200. create 203.0.113.199/32 (Spectrum)\n"));
    snapshot("markdown_200_changes", &text);
}

/// The warnings in a section of their own: the file's (aggregation, a binding that
/// changes nothing), and a live binding made by hand that the file does not list.
#[test]
fn markdown_warnings() {
    let desk = Desk::new();
    desk.by_hand(PREFIX, "203.0.113.128/25", "Spectrum");
    let file = ipv4_file(
        "Magic Transit",
        &owned(&[
            ("203.0.113.6/32", "CDN"),
            ("203.0.113.7/32", "CDN"),
            ("203.0.113.16/28", "Magic Transit"),
        ]),
        false,
    );
    desk.write("bindings.toml", &file);
    let text = desk.markdown("bindings.toml");
    let warnings = text
        .split_once("\n### Warnings\n")
        .map(|(_, w)| w)
        .expect("a warnings section");
    assert!(
        warnings.contains("**2 warnings of bindings.toml**"),
        "{warnings}"
    );
    assert!(
        warnings
            .contains("together form 203.0.113.6/31: Cloudflare recommends one aggregated binding"),
        "{warnings}"
    );
    assert!(
        warnings.contains("**1 live binding not in bindings.toml**, kept because prune = false"),
        "{warnings}"
    );
    assert!(
        warnings.contains("| 203.0.113.128/25 | Spectrum | Magic Transit for 203.0.113.128/25 |"),
        "{warnings}"
    );
    snapshot("markdown_warnings", &text);

    // Only the live binding the file leaves out: nothing to make, but drift.
    desk.ok(&["apply", "-f", "bindings.toml", "--yes"]);
    let text = desk.markdown("bindings.toml");
    assert_eq!(
        text.lines().nth(1),
        Some("### No changes to make, but 1 live binding is not in bindings.toml"),
        "{text}"
    );
    assert!(text.contains("| 203.0.113.128/25 | Spectrum |"), "{text}");
}

/// Two prefixes, each with a table of its own and its steps numbered over the
/// whole plan; the base replace leaves addresses with no binding for a while,
/// the first warning.
#[test]
fn markdown_of_two_prefixes() {
    let desk = Desk::new();
    desk.by_hand(PREFIX, "203.0.113.32/27", "Spectrum");
    let file = format!(
        "{}\n[[prefix]]\nid = \"{IPV6_PREFIX}\"\nbindings = [\n  \
         {{ cidr = \"2001:db8:1000::/48\", service = \"Magic Transit\" }},\n  \
         {{ cidr = \"2001:db8:1000:1::/64\", service = \"CDN\" }},\n]\n",
        ipv4_file("CDN", &owned(&[("203.0.113.32/27", "Spectrum")]), false)
    );
    desk.write("bindings.toml", &file);
    let text = desk.markdown("bindings.toml");
    let at = |heading: String| {
        text.find(&heading)
            .unwrap_or_else(|| panic!("no {heading:?} in {text}"))
    };
    let first = at(format!("#### Prefix {PREFIX} (203.0.113.0/24): 2 changes"));
    let second = at(format!(
        "#### Prefix {IPV6_PREFIX} (2001:db8:1000::/48): 2 changes"
    ));
    assert!(first < second, "in file order: {text}");
    // The IPv4 prefix takes steps 1 to 4, the IPv6 one 5 and 6.
    assert!(
        text.contains("\n5. create 2001:db8:1000::/48 (Magic Transit)\n"),
        "{text}"
    );
    assert!(
        text.contains("| create | 2001:db8:1000:1::/64 | – | CDN | no binding → Magic Transit (step 5) → CDN (from step 6) |"),
        "{text}"
    );
    assert!(
        text.contains("**No binding for a while.**")
            && text.contains(&format!("- **step 2**: 203.0.113.0/24 (prefix {PREFIX})")),
        "{text}"
    );
    snapshot("markdown_two_prefixes", &text);
}

/// GitHub refuses a comment over 65,536 characters: past its budget the Markdown
/// counts the changes it leaves out, and says where they all are.
#[test]
fn a_plan_too_long_for_a_comment_is_cut_with_a_count() {
    let desk = Desk::new();
    let mut file = format!(
        "[[prefix]]\nid = \"{IPV6_PREFIX}\"\nbindings = [\n  {{ cidr = \"2001:db8:1000::/48\", service = \"Magic Transit\" }},\n"
    );
    for i in 0..1500 {
        let service = if i % 2 == 0 { "CDN" } else { "Spectrum" };
        file.push_str(&format!(
            "  {{ cidr = \"2001:db8:1000:{i:x}::/64\", service = \"{service}\" }},\n"
        ));
    }
    file.push_str("]\n");
    desk.write("bindings.toml", &file);
    let text = desk.markdown("bindings.toml");
    assert!(text.chars().count() <= 60_000, "{}", text.chars().count());
    assert_eq!(
        text.lines().nth(1),
        Some("### Plan: 1501 to create, 0 to replace, 0 to delete")
    );
    let cut = text
        .lines()
        .find(|l| l.contains("more changes, not shown"))
        .expect("a count of the changes left out");
    let shown = text.matches("\n| create | ").count();
    assert!(
        cut.contains(&format!("and {} more changes", 1501 - shown)),
        "{cut}"
    );
    assert!(cut.contains("`cf-bindings plan` shows them all"), "{cut}");
    assert!(text.ends_with("</sub>\n"), "the footer stays");
}

/// Markdown is `plan`'s alone: every other command refuses it (exit 2) before
/// doing anything, and prints nothing on stdout.
#[test]
fn every_other_command_refuses_markdown() {
    let desk = Desk::new();
    desk.write(
        "bindings.toml",
        &ipv4_file("Magic Transit", &owned(&[("203.0.113.7/32", "CDN")]), false),
    );
    let plan = desk.run(&["plan", "-f", "bindings.toml", "--out", "plan.json"]);
    assert!(plan.status.success(), "{}", stderr(&plan));
    let before = desk.cidrs();
    let refused: &[(&[&str], &str)] = &[
        (&["services", "list"], "services"),
        (&["prefixes", "list"], "prefixes"),
        (&["bindings", "list"], "bindings"),
        (&["bindings", "delete", BASE_BINDING, "--yes"], "bindings"),
        (&["route", "203.0.113.7"], "route"),
        (&["validate", "-f", "bindings.toml"], "validate"),
        (&["apply", "-f", "bindings.toml", "--yes"], "apply"),
        (&["apply", "plan.json", "--yes"], "apply"),
        (&["export"], "export"),
        (&["completions", "bash"], "completions"),
    ];
    for (args, name) in refused {
        let output = desk.run(&[&["-o", "markdown"], *args].concat());
        assert_fails(
            &output,
            2,
            &format!(
                "cf-bindings {name} has no Markdown form: drop --output markdown (only plan prints Markdown, for a pull-request comment)"
            ),
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    assert_eq!(desk.cidrs(), before, "nothing was changed");
}
