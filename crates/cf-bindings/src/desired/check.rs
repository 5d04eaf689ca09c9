//! [`Desired::validate`](crate::desired::Desired::validate): the offline rules and the
//! aggregation warnings.

use std::collections::HashMap;

use super::{
    Desired, DesiredBinding, DesiredPrefix, Diagnostic, DiagnosticKind, Diagnostics,
    net::{by_address, enclosing, ipv4_mapped, nested_pairs, strictly_contains, supernet},
    services::{self, Kind},
};
use crate::{types::binding::Service, types::cidr::Cidr};

pub(super) fn validate(desired: &Desired) -> Diagnostics {
    let mut out = Vec::new();
    let mut seen = HashMap::new();
    for prefix in &desired.prefixes {
        if let Some(first) = seen.insert(&prefix.id, prefix) {
            out.push(Diagnostic::error(
                DiagnosticKind::DuplicatePrefix,
                format!(
                    "prefix {} is listed twice{}; list each prefix once",
                    prefix.id,
                    line_of(first.location.as_ref())
                ),
                prefix.location.clone(),
            ));
        }
        check_prefix(prefix, &mut out);
        out.extend(
            prefix
                .bindings
                .iter()
                .filter_map(|b| services::check_name(&b.service, b.service_location.as_ref())),
        );
    }
    Diagnostics::new(out)
}

/// ` (first at line N)` when the first place is known.
fn line_of(location: Option<&super::Location>) -> String {
    location.map_or_else(String::new, |l| format!(" (first at line {})", l.line))
}

/// The service as a key for comparing services offline, as names are matched.
fn key(service: &str) -> String {
    Service::name_key(service)
}

/// The base binding of `prefix`: the one equal to its CIDR when given, else the one
/// containing all the others.
pub(super) fn base_of(prefix: &DesiredPrefix) -> Option<Cidr> {
    if let Some(cidr) = prefix.cidr {
        return Some(cidr);
    }
    enclosing(prefix.bindings.iter().map(|b| b.cidr))
}

fn check_prefix(prefix: &DesiredPrefix, out: &mut Vec<Diagnostic>) {
    let errors_before = out.iter().filter(|d| d.is_error()).count();
    let written = prefix
        .cidr
        .map(|c| (c, &prefix.cidr_location))
        .into_iter()
        .chain(prefix.bindings.iter().map(|b| (b.cidr, &b.location)));
    for (cidr, location) in written {
        if let Some(error) = mapped(cidr, location.as_ref()) {
            out.push(error);
        }
    }
    let base = base_of(prefix);
    let mut sorted: Vec<&DesiredBinding> = prefix.bindings.iter().collect();
    sorted.sort_by(|a, b| by_address(&a.cidr, &b.cidr));

    match (prefix.cidr, base) {
        (Some(cidr), _) => {
            if !prefix.bindings.is_empty() && !prefix.bindings.iter().any(|b| b.cidr == cidr) {
                out.push(Diagnostic::error(
                    DiagnosticKind::MissingBase,
                    format!(
                        "prefix {} has no binding for its whole CIDR {cidr}: a prefix's first (base) binding must be exactly its CIDR; add {{ cidr = \"{cidr}\", service = \"Magic Transit\" }} or the base service you use",
                        prefix.id
                    ),
                    prefix.cidr_location.clone(),
                ));
            }
            for b in prefix
                .bindings
                .iter()
                .filter(|b| !cidr.contains_cidr(&b.cidr))
            {
                out.push(Diagnostic::error(
                    DiagnosticKind::OutsidePrefix,
                    format!("{} is not inside prefix {cidr}", b.cidr),
                    b.location.clone(),
                ));
            }
        }
        (None, None) if prefix.prune && !prefix.bindings.is_empty() => {
            out.push(Diagnostic::error(
                DiagnosticKind::MissingBase,
                format!(
                    "prefix {} has prune on but no base binding: no binding contains all the others; list the binding of the whole prefix (and give its cidr)",
                    prefix.id
                ),
                prefix.location.clone(),
            ));
        }
        (None, _) => {}
    }

    let mut others: Vec<&DesiredBinding> = Vec::with_capacity(sorted.len());
    for pair in sorted.windows(2) {
        if let [a, b] = pair
            && a.cidr == b.cidr
        {
            out.push(Diagnostic::error(
                DiagnosticKind::DuplicateCidr,
                format!(
                    "{} is listed twice{}; list each CIDR once",
                    b.cidr,
                    line_of(a.location.as_ref())
                ),
                b.location.clone(),
            ));
        }
    }
    // The more-specific bindings, once each; those outside the prefix are reported.
    let outside = |b: &DesiredBinding| prefix.cidr.is_some_and(|p| !p.contains_cidr(&b.cidr));
    let mut previous = None;
    for b in &sorted {
        if Some(b.cidr) != base && Some(b.cidr) != previous && !outside(b) {
            others.push(b);
        }
        previous = Some(b.cidr);
    }
    let cidrs: Vec<Cidr> = others.iter().map(|b| b.cidr).collect();
    for (outer, inner) in nested_pairs(&cidrs) {
        let (Some(outer), Some(inner)) = (others.get(outer), others.get(inner)) else {
            continue;
        };
        out.push(overlap(outer, inner));
    }

    if out.iter().filter(|d| d.is_error()).count() == errors_before {
        warnings(prefix, base, &others, out);
    }
}

/// An error for an IPv4-mapped IPv6 CIDR: it would dodge the rules that compare
/// addresses (an address bound to CDN as IPv4 and to Spectrum as IPv6, say).
fn mapped(cidr: Cidr, location: Option<&super::Location>) -> Option<Diagnostic> {
    let ipv4 = ipv4_mapped(&cidr)?;
    Some(Diagnostic::error(
        DiagnosticKind::Ipv4Mapped { cidr, ipv4 },
        format!(
            "{cidr} is an IPv4-mapped IPv6 CIDR: it stands for the IPv4 addresses {ipv4}; write {ipv4}"
        ),
        location.cloned(),
    ))
}

fn overlap(outer: &DesiredBinding, inner: &DesiredBinding) -> Diagnostic {
    let (a, b) = (Kind::of_name(&outer.service), Kind::of_name(&inner.service));
    if a.conflicts(b) {
        Diagnostic::error(
            DiagnosticKind::CdnSpectrum,
            format!(
                "{} ({}) overlaps {} ({}): an address is either CDN or Spectrum, never both",
                inner.cidr, inner.service, outer.cidr, outer.service
            ),
            inner.location.clone(),
        )
    } else {
        Diagnostic::error(
            DiagnosticKind::Overlap,
            format!(
                "{} lies inside {}{}: more-specific bindings may not nest or overlap; only the base binding holds others",
                inner.cidr,
                outer.cidr,
                outer
                    .location
                    .as_ref()
                    .map_or_else(String::new, |l| format!(" (line {})", l.line))
            ),
            inner.location.clone(),
        )
    }
}

/// Redundant bindings, and bindings of one service that form a larger block.
/// `others` are the non-base bindings, disjoint and sorted by address.
fn warnings(
    prefix: &DesiredPrefix,
    base: Option<Cidr>,
    others: &[&DesiredBinding],
    out: &mut Vec<Diagnostic>,
) {
    let base_binding = base.and_then(|c| prefix.bindings.iter().find(|b| b.cidr == c));
    let mut groups: HashMap<String, Vec<&DesiredBinding>> = HashMap::new();
    for b in others {
        if let Some(base) = base_binding
            && key(&base.service) == key(&b.service)
            && strictly_contains(&base.cidr, &b.cidr)
        {
            out.push(Diagnostic::warning(
                DiagnosticKind::Redundant {
                    cidr: b.cidr,
                    enclosing: base.cidr,
                },
                format!(
                    "{} goes to {} like the base binding {} around it: it changes nothing; remove it",
                    b.cidr, b.service, base.cidr
                ),
                b.location.clone(),
            ));
            continue;
        }
        groups.entry(key(&b.service)).or_default().push(b);
    }
    for group in groups.values() {
        aggregate(group, base, out);
    }
}

/// Merges sibling blocks of one service (sorted, disjoint) into the largest blocks
/// they form, short of the base binding, and warns about each merged block.
fn aggregate(group: &[&DesiredBinding], base: Option<Cidr>, out: &mut Vec<Diagnostic>) {
    let mut stack: Vec<(Cidr, Vec<usize>)> = Vec::new();
    for (i, b) in group.iter().enumerate() {
        stack.push((b.cidr, vec![i]));
        while let [.., (left, _), (right, _)] = stack.as_slice() {
            let parent = supernet(right);
            if left.prefix_len() != right.prefix_len()
                || left == right
                || parent != supernet(left)
                || parent.is_none()
                || parent == base
            {
                break;
            }
            let (Some((_, mut members)), Some((_, tail))) = (stack.pop(), stack.pop()) else {
                break;
            };
            let Some(parent) = parent else { break };
            let mut merged = tail;
            merged.append(&mut members);
            stack.push((parent, merged));
        }
    }
    for (block, members) in stack.into_iter().filter(|(_, m)| m.len() > 1) {
        let members: Vec<&DesiredBinding> = members
            .iter()
            .filter_map(|&i| group.get(i).copied())
            .collect();
        let (Some(first), Some(last)) = (members.first(), members.last()) else {
            continue;
        };
        let listed = if members.len() <= 4 {
            members
                .iter()
                .map(|b| b.cidr.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            format!(
                "{} bindings from {} to {}",
                members.len(),
                first.cidr,
                last.cidr
            )
        };
        out.push(Diagnostic::warning(
            DiagnosticKind::Aggregate {
                block,
                members: members.iter().map(|b| b.cidr).collect(),
            },
            format!(
                "{listed} ({}) together form {block}: Cloudflare recommends one aggregated binding; bind {block} instead",
                first.service
            ),
            first.location.clone(),
        ));
    }
}
