//! The warnings section of the Markdown plan: the addresses left with no binding
//! for a while during apply, the file's warnings, and the live bindings the file
//! does not list.

use cf_bindings::{Cidr, PrefixId, desired::Plan};

use super::doc::{Doc, md};
use crate::commands::file::{DesiredFile, plural};
use crate::commands::traffic;

/// The warnings: addresses with no binding for a while, the file's warnings, and
/// the live bindings the file does not list.
pub(super) fn warnings(doc: &mut Doc, plan: &Plan, file: &DesiredFile) {
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
