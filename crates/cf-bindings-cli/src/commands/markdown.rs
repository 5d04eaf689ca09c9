//! `plan --output markdown`: the plan as GitHub-flavoured Markdown, for a comment on
//! a pull request (or the body of an issue), made for a reviewer who may read it on
//! a phone.
//!
//! In order: a hidden marker (`<!-- cf-bindings plan: FILE -->`, by which a
//! workflow finds its own comment again to update it), the summary line, then per
//! prefix a table of its changes (CIDR, service before and after, and where the
//! traffic of the addresses each change decides goes, step by step), folded under
//! `<details>` past [`OPEN_ROWS`] rows, and the API calls in order, folded; then the
//! warnings in a section of their own (addresses left with no binding for a
//! while, the file's warnings, live bindings the file does not list); and the file
//! the plan was made from, with the start of its SHA-256.
//!
//! Everything comes in the plan's order (prefixes in file order, changes by
//! address, steps in the order `apply` makes them), so the same plan always gives
//! the same text. No colour: text from the file or the server is escaped, so that
//! it can neither format the comment, nor mention anyone, nor end the marker.
//! The whole stays under GitHub's limit on a comment's length: rows past
//! [`BUDGET`] characters are counted, not shown.

use std::fmt::Write as _;

use cf_bindings::{
    Cidr, PrefixId,
    desired::{Change, Plan, PrefixPlan, Transition},
};

use super::file::{DesiredFile, plural};
use super::{plan, source, traffic};
use crate::exit::Failure;
use crate::output;
use crate::table::printable;

/// A prefix's changes are shown in an open table up to this many; more are folded
/// under `<details>`.
const OPEN_ROWS: usize = 20;

/// The characters the text may take: GitHub refuses a comment (or an issue body)
/// over 65,536, and a workflow adds a line or two.
const BUDGET: usize = 60_000;

/// What the rows may take, the end of the text (the footer, the closing tags, the
/// notes of rows left out) being set aside.
const ROWS_BUDGET: usize = BUDGET - 4_000;

/// Prints the plan of `file` as Markdown on stdout.
pub fn print(plan: &Plan, file: &DesiredFile) -> Result<(), Failure> {
    output::out(&render(plan, file))
}

/// The Markdown of a plan made from `file`.
fn render(plan: &Plan, file: &DesiredFile) -> String {
    let mut doc = Doc::default();
    doc.line(&marker(&file.name));
    headline(&mut doc, plan, &file.name);
    let mut before = 0;
    let mut left_out = 0;
    for prefix in &plan.prefixes {
        let first = before;
        before += prefix.steps.len();
        if prefix.changes.is_empty() {
            continue;
        }
        // Past the budget, a prefix's headings alone would add up.
        if doc.chars > ROWS_BUDGET {
            left_out += 1;
        } else {
            changes(&mut doc, prefix, first);
        }
    }
    if left_out > 0 {
        doc.blank();
        doc.line(&format!(
            "And {} with changes, not shown: GitHub limits a comment's length; `cf-bindings plan` shows them all.",
            plural(left_out, "more prefix", "more prefixes")
        ));
    }
    warnings(&mut doc, plan, file);
    doc.blank();
    doc.line(&footer(file));
    doc.text
}

/// The hidden marker: the first line, always the same for the same file. The
/// file's name cannot end the comment (`>` and `%` are percent-encoded, as is
/// anything that is not printable ASCII).
fn marker(name: &str) -> String {
    let mut encoded = String::new();
    for c in name.chars() {
        if (c.is_ascii_graphic() || c == ' ') && !matches!(c, '%' | '<' | '>') {
            encoded.push(c);
        } else {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                let _ = write!(encoded, "%{byte:02X}");
            }
        }
    }
    format!("<!-- cf-bindings plan: {encoded} -->")
}

/// `### Plan: 3 to create, 1 to replace, 0 to delete`, and what it is about; or
/// that there is nothing to change.
fn headline(doc: &mut Doc, plan: &Plan, name: &str) {
    let name = md(name);
    if !plan.has_drift() {
        doc.line(&format!("### No changes: the live bindings match {name}"));
        return;
    }
    let unlisted = plan.unlisted().count();
    if plan.is_empty() {
        doc.line(&format!(
            "### No changes to make, but {} not in {name}",
            traffic::unlisted_count(unlisted)
        ));
        doc.blank();
        doc.line("Kept because prune = false: see the warnings below.");
        return;
    }
    doc.line(&format!("### {}", plan::counts(plan)));
    doc.blank();
    doc.line(&format!(
        "{name}: {}. Each create or delete takes four to six hours to propagate.",
        plural(plan.steps().count(), "API call", "API calls")
    ));
}

/// A prefix's changes, as a table, and its steps (folded); `first` steps of the
/// plan come before its own.
fn changes(doc: &mut Doc, prefix: &PrefixPlan, first: usize) {
    doc.blank();
    let cidr = prefix.cidr.map(|c| format!(" ({c})")).unwrap_or_default();
    doc.line(&format!(
        "#### Prefix {}{cidr}: {}",
        md(prefix.prefix.as_str()),
        plural(prefix.changes.len(), "change", "changes")
    ));
    doc.blank();
    let folded = prefix.changes.len() > OPEN_ROWS;
    if folded {
        doc.line(&format!(
            "<details><summary>{}</summary>",
            plural(prefix.changes.len(), "change", "changes")
        ));
        doc.blank();
    }
    doc.line("| Change | CIDR | Before | After | Traffic, step by step |");
    doc.line("| --- | --- | --- | --- | --- |");
    let traffic = attribute(prefix);
    let rows: Vec<String> = prefix
        .changes
        .iter()
        .zip(&traffic)
        .map(|(change, t)| row(change, t.and_then(|t| prefix.transitions.get(t))))
        .collect();
    let others: Vec<&Transition> = (0..prefix.transitions.len())
        .filter(|t| !traffic.contains(&Some(*t)))
        .filter_map(|t| prefix.transitions.get(t))
        .collect();
    doc.rows(rows, "changes", |n| format!("| … | {n} | | | |"));
    if folded {
        doc.blank();
        doc.line("</details>");
    }
    if !others.is_empty() {
        doc.blank();
        doc.line("Other addresses whose traffic moves:");
        doc.blank();
        let items = others
            .iter()
            .map(|t| format!("- {}: {}", ranges(t), path(t)))
            .collect();
        doc.rows(items, "address ranges", |n| format!("- {n}"));
    }
    doc.blank();
    doc.line(&format!(
        "<details><summary>{}, in the order apply makes them (step N in the traffic column)</summary>",
        plural(prefix.steps.len(), "API call", "API calls")
    ));
    doc.blank();
    let steps = (first + 1..)
        .zip(&prefix.steps)
        .map(|(number, step)| format!("{number}. {}", md(&step.to_string())))
        .collect();
    doc.rows(steps, "steps", |n| format!("- {n}"));
    doc.blank();
    doc.line("</details>");
}

/// `| create | 203.0.113.7/32 | – | CDN | Magic Transit → CDN |`.
fn row(change: &Change, transition: Option<&Transition>) -> String {
    let name = |s: Option<&cf_bindings::desired::ServiceRef>| {
        s.map_or_else(|| "–".to_owned(), |s| md(&s.to_string()))
    };
    let traffic = match transition {
        Some(transition) => path(transition),
        // Its addresses go where they went: to the service it binds (a create or a
        // recreate under the same service), or the one around it (a delete).
        None => format!(
            "stays {}",
            name(change.after.as_ref().or(change.before.as_ref()))
        ),
    };
    format!(
        "| {} | {} | {} | {} | {traffic} |",
        change.kind,
        change.cidr,
        name(change.before.as_ref()),
        name(change.after.as_ref()),
    )
}

/// For each change of a prefix, the index of the transition of the addresses it
/// decides (those of its CIDR that no more specific change decides), if their
/// traffic moves. They all move alike: they are routed by the change's binding, or
/// by what is around it, at every step. A transition no change decides (none, as
/// plans are made: every address whose routing changes is in a changed CIDR) is
/// shown apart rather than lost.
fn attribute(prefix: &PrefixPlan) -> Vec<Option<usize>> {
    let decides = |change: &Change, range: &cf_bindings::Cidr| {
        range.contains_cidr(&change.cidr)
            || (change.cidr.contains_cidr(range)
                && !prefix.changes.iter().any(|other| {
                    other.cidr != change.cidr
                        && change.cidr.contains_cidr(&other.cidr)
                        && other.cidr.contains_cidr(range)
                }))
    };
    prefix
        .changes
        .iter()
        .map(|change| {
            prefix
                .transitions
                .iter()
                .position(|t| t.cidrs.iter().any(|range| decides(change, range)))
        })
        .collect()
}

/// `Magic Transit → **no binding** (step 3) → CDN (from step 4)`: no binding in
/// bold where it is a gap (while apply runs), not where it is the state before
/// or after.
fn path(transition: &Transition) -> String {
    let passes = traffic::passes(transition);
    let last = passes.len().saturating_sub(1);
    passes
        .into_iter()
        .enumerate()
        .map(|(i, (to, when))| {
            let name = match to {
                Some(service) => md(&service.to_string()),
                None if i == 0 || i == last => "no binding".to_owned(),
                None => "**no binding**".to_owned(),
            };
            match when {
                Some(when) => format!("{name} {when}"),
                None => name,
            }
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// `203.0.113.0/28, 203.0.113.64/26`.
fn ranges(transition: &Transition) -> String {
    transition
        .cidrs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The warnings: addresses with no binding for a while, the file's warnings, and
/// the live bindings the file does not list.
fn warnings(doc: &mut Doc, plan: &Plan, file: &DesiredFile) {
    let gaps = gaps(plan);
    let noted = file.warnings.warnings().count();
    let unlisted = plan.unlisted().count();
    if gaps.is_empty() && noted == 0 && unlisted == 0 {
        return;
    }
    doc.blank();
    doc.line("### Warnings");
    if !gaps.is_empty() {
        doc.blank();
        doc.line(
            "**No binding for a while.** While apply runs, no binding covers these addresses; Cloudflare documents no service for them, so expect their traffic to be dropped:",
        );
        doc.blank();
        let items = gaps
            .iter()
            .map(|(prefix, when, cidrs)| {
                let shown: Vec<String> = cidrs
                    .iter()
                    .take(GAP_RANGES)
                    .map(ToString::to_string)
                    .collect();
                let more = match cidrs.len().saturating_sub(GAP_RANGES) {
                    0 => String::new(),
                    n => format!(" and {}", plural(n, "more range", "more ranges")),
                };
                format!(
                    "- **{when}**: {}{more} (prefix {})",
                    shown.join(", "),
                    md(prefix.as_str())
                )
            })
            .collect();
        doc.rows(items, "address ranges", |n| format!("- {n}"));
    }
    if noted > 0 {
        doc.blank();
        doc.line(&format!(
            "**{} of {}** (as `cf-bindings validate` shows):",
            plural(noted, "warning", "warnings"),
            md(&file.name)
        ));
        doc.blank();
        let items = file
            .warnings
            .warnings()
            .map(|w| format!("- {}", md(&w.to_string())))
            .collect();
        doc.rows(items, "warnings", |n| format!("- {n}"));
    }
    if unlisted > 0 {
        let them = if unlisted == 1 { "it" } else { "them" };
        doc.blank();
        doc.line(&format!(
            "**{} not in {}**, kept because prune = false: drift until the file lists {them}, or sets prune = true to delete {them}.",
            plural(unlisted, "live binding", "live bindings"),
            md(&file.name)
        ));
        for prefix in plan.prefixes.iter().filter(|p| !p.unlisted.is_empty()) {
            let cidr = prefix.cidr.map(|c| format!(" ({c})")).unwrap_or_default();
            doc.blank();
            doc.line(&format!(
                "Prefix {}{cidr}: {}",
                md(prefix.prefix.as_str()),
                plural(prefix.unlisted.len(), "live binding", "live bindings")
            ));
            doc.blank();
            doc.line("| CIDR | Service | Instead of the file's | Binding |");
            doc.line("| --- | --- | --- | --- |");
            let rows = prefix
                .unlisted
                .iter()
                .map(|u| {
                    format!(
                        "| {} | {} | {} | {} |",
                        u.cidr,
                        md(&u.service.to_string()),
                        md(&traffic::instead(u)),
                        md(u.binding.as_str())
                    )
                })
                .collect();
            doc.rows(rows, "live bindings", |n| format!("| … | {n} | | |"));
        }
    }
}

/// How many of the address ranges left with no binding at the same steps are
/// named; the others are counted.
const GAP_RANGES: usize = 6;

/// The addresses no binding covers for a while, by prefix and by when (`step 3`,
/// `steps 4–5`), in address order.
fn gaps(plan: &Plan) -> Vec<(&PrefixId, String, Vec<Cidr>)> {
    let mut gaps: Vec<(&PrefixId, String, Vec<Cidr>)> = Vec::new();
    for prefix in &plan.prefixes {
        for transition in prefix.transitions.iter().filter(|t| t.has_gap()) {
            let when: Vec<String> = traffic::passes(transition)
                .into_iter()
                .filter(|(to, _)| to.is_none())
                .filter_map(|(_, when)| when)
                .map(|when| when.trim_matches(['(', ')']).to_owned())
                .collect();
            let when = when.join(", ");
            match gaps
                .iter_mut()
                .find(|(p, w, _)| *p == &prefix.prefix && *w == when)
            {
                Some((_, _, cidrs)) => cidrs.extend(transition.cidrs.iter().copied()),
                None => gaps.push((&prefix.prefix, when, transition.cidrs.clone())),
            }
        }
    }
    for (_, _, cidrs) in &mut gaps {
        *cidrs = aggregate(cidrs);
    }
    gaps
}

/// `cidrs` as the fewest CIDRs, in address order (IPv4 first).
fn aggregate(cidrs: &[Cidr]) -> Vec<Cidr> {
    let nets: Vec<ipnet::IpNet> = cidrs.iter().map(Cidr::as_ipnet).collect();
    let mut merged: Vec<Cidr> = ipnet::IpNet::aggregate(&nets)
        .into_iter()
        .filter_map(|net| Cidr::new(net).ok())
        .collect();
    merged.sort_unstable();
    merged
}

/// `<sub>Planned from bindings.toml (SHA-256 3a7bd3e2360a…). …</sub>`
fn footer(file: &DesiredFile) -> String {
    let from = match &file.source {
        Some(source) => format!(
            "Planned from {} (SHA-256 {}…) and the live bindings.",
            md(&source.path),
            source::short(&source.sha256)
        ),
        None => format!(
            "Planned from {} and the live bindings: a saved plan records no file.",
            md(&file.name)
        ),
    };
    format!(
        "<sub>{from} A plan saved with `--out` is refused by `cf-bindings apply` once the file or the live bindings change.</sub>"
    )
}

/// `text` for Markdown: control and format characters escaped as for a terminal,
/// then every character that Markdown, GitHub or HTML would read as more than
/// text escaped: emphasis, code, links, tables, headings, math, HTML and entities,
/// mentions and issue references.
fn md(text: &str) -> String {
    let text = printable(text);
    let mut escaped = String::with_capacity(text.len() + 8);
    for (i, c) in text.chars().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' | '$' => {
                escaped.push('\\');
                escaped.push(c);
            }
            // A list or a heading underline, only where a line could start.
            '-' | '+' | '=' if i == 0 => {
                escaped.push('\\');
                escaped.push(c);
            }
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '@' => escaped.push_str("&#64;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// The text being written, and how many of its characters rows may still take.
#[derive(Default)]
struct Doc {
    text: String,
    chars: usize,
}

impl Doc {
    fn line(&mut self, line: &str) {
        self.chars += line.chars().count() + 1;
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// A blank line, unless the text ends with one.
    fn blank(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.line("");
        }
    }

    /// Writes `rows` while they fit in [`ROWS_BUDGET`]; the rows left out are
    /// counted on a line that `more` makes of `… and 12 more changes: …`.
    fn rows(&mut self, rows: Vec<String>, what: &str, more: impl Fn(&str) -> String) {
        let total = rows.len();
        for (shown, row) in rows.into_iter().enumerate() {
            if self.chars + row.chars().count() + 1 > ROWS_BUDGET {
                self.line(&more(&format!(
                    "and {} more {what}, not shown: GitHub limits a comment's length; `cf-bindings plan` shows them all",
                    total - shown
                )));
                return;
            }
            self.line(&row);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_format_the_comment() {
        assert_eq!(md("Magic Transit"), "Magic Transit");
        assert_eq!(md("203.0.113.0/24"), "203.0.113.0/24");
        assert_eq!(
            md("*bold* [link](x) `code` a|b <img src=x> @team #12 $x$"),
            "\\*bold\\* \\[link\\](x) \\`code\\` a\\|b &lt;img src=x&gt; &#64;team \\#12 \\$x\\$"
        );
        assert_eq!(md("- item"), "\\- item");
        assert_eq!(md("a - b"), "a - b");
        assert_eq!(md("line\nbreak\u{1b}[31m"), "line\\\\nbreak\\\\u{1b}\\[31m");
        assert_eq!(md("\u{202e}"), "\\\\u{202e}");
    }

    #[test]
    fn the_marker_cannot_end_early() {
        assert_eq!(
            marker("bindings.toml"),
            "<!-- cf-bindings plan: bindings.toml -->"
        );
        assert_eq!(
            marker("envs/prod bindings.toml"),
            "<!-- cf-bindings plan: envs/prod bindings.toml -->"
        );
        assert_eq!(
            marker("a-->b%\né"),
            "<!-- cf-bindings plan: a--%3Eb%25%0A%C3%A9 -->"
        );
    }

    #[test]
    fn rows_past_the_budget_are_counted() {
        let mut doc = Doc::default();
        let rows: Vec<String> = (0..10_000).map(|i| format!("| row {i:>5} |")).collect();
        doc.rows(rows, "changes", |n| format!("| {n} |"));
        assert!(
            doc.text.chars().count() <= ROWS_BUDGET + 200,
            "{}",
            doc.chars
        );
        let last = doc.text.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("| and ") && last.contains(" more changes, not shown"),
            "{last}"
        );
        let shown = doc.text.lines().count() - 1;
        assert!(
            last.contains(&format!("and {} more", 10_000 - shown)),
            "{last}"
        );
    }
}
