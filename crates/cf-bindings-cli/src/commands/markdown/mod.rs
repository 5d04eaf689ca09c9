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
//! `BUDGET` characters (in `doc.rs`) are counted, not shown.
//!
//! The warnings section is made in `warnings`; `doc` holds the text being written,
//! its length budget and the escaping of text from the file or the server.

mod doc;
mod warnings;

use std::fmt::Write as _;

use cf_bindings::desired::{Change, Plan, PrefixPlan, Transition};

use super::file::{DesiredFile, plural};
use super::{counts::counts, source, traffic};
use crate::exit::Failure;
use crate::output;
use doc::{Doc, ROWS_BUDGET, md};

/// A prefix's changes are shown in an open table up to this many; more are folded
/// under `<details>`.
const OPEN_ROWS: usize = 20;

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
    warnings::warnings(&mut doc, plan, file);
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
    doc.line(&format!("### {}", counts(plan)));
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
