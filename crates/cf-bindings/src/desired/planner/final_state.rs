//! The final state of a prefix, checked against the rules before any step is
//! planned: the prefix's CIDR against the file's and the live base binding's
//! ([`cidr_mismatch`]), the bindings of the final state ([`check_final`]), and the
//! live bindings a base replacement would recreate ([`check_unlisted_recreate`]).

use crate::desired::{
    DesiredPrefix, Diagnostic, DiagnosticKind, Location, ServiceRef,
    net::{by_address, nested_pairs},
    services::Kind,
};
use crate::types::{binding::ServiceBinding, cidr::Cidr};

/// A binding of the final state, and where it comes from (for messages).
pub(super) struct Target<'a> {
    pub(super) cidr: Cidr,
    pub(super) service: ServiceRef,
    pub(super) location: Option<Location>,
    pub(super) kept: Option<&'a ServiceBinding>,
}

impl Target<'_> {
    fn describe(&self) -> String {
        match self.kept {
            Some(b) => format!(
                "{} ({}, live binding {} kept because prune is off)",
                self.cidr, self.service, b.id
            ),
            None => format!("{} ({})", self.cidr, self.service),
        }
    }
}

/// The file's `cidr` against the prefix's real CIDR, when known; else against the
/// live base binding. With the real CIDR known, live bindings whose base is another
/// CIDR (a state the API's rules do not allow) are refused too: the plan's order
/// rests on the base.
pub(super) fn cidr_mismatch(
    prefix: &DesiredPrefix,
    real: Option<Cidr>,
    live_base: Option<Cidr>,
) -> Option<Diagnostic> {
    let id = &prefix.id;
    match (real, prefix.cidr, live_base) {
        (Some(real), Some(file), _) if file != real => Some(Diagnostic::error(
            DiagnosticKind::PrefixCidrMismatch,
            format!(
                "prefix {id} is {real} (as Cloudflare lists it), not {file} as the file says: write cidr = \"{real}\""
            ),
            prefix.cidr_location.clone(),
        )),
        (Some(real), _, Some(live)) if live != real => Some(Diagnostic::error(
            DiagnosticKind::PrefixCidrMismatch,
            format!(
                "the live bindings of prefix {id} ({real}) have {live} as their base binding, not the prefix's CIDR: fix them by hand first"
            ),
            prefix.location.clone(),
        )),
        (None, Some(file), Some(live)) if file != live => Some(Diagnostic::error(
            DiagnosticKind::PrefixCidrMismatch,
            format!("prefix {id} is {live} (its live base binding), not {file}"),
            prefix.cidr_location.clone(),
        )),
        _ => None,
    }
}

/// Checks the final state of a prefix against the rules; sorts `targets` by address.
/// `first`: the prefix has no live binding, so the first binding created must be
/// exactly its CIDR (Cloudflare's rule).
pub(super) fn check_final(
    prefix: &DesiredPrefix,
    base: Option<Cidr>,
    first: bool,
    targets: &mut [Target<'_>],
    errors: &mut Vec<Diagnostic>,
) {
    if targets.is_empty() {
        return;
    }
    let Some(base) = base else {
        errors.push(Diagnostic::error(
            DiagnosticKind::MissingBase,
            format!(
                "prefix {} has no live binding, and no binding of the file contains all the others: list the binding of the whole prefix (a prefix's first binding must be its CIDR) and give the prefix's cidr",
                prefix.id
            ),
            prefix.location.clone(),
        ));
        return;
    };
    if !targets.iter().any(|t| t.cidr == base) {
        let message = if first {
            format!(
                "prefix {} has no binding yet, and Cloudflare accepts a prefix's first binding only when it is exactly the prefix's CIDR {base}: list {{ cidr = \"{base}\", service = \"Magic Transit\" }} (or the base service you use), which apply creates first",
                prefix.id
            )
        } else {
            format!(
                "prefix {} would have no base binding: list {base}, the whole prefix (a prefix's first binding must be its CIDR)",
                prefix.id
            )
        };
        errors.push(Diagnostic::error(
            DiagnosticKind::MissingBase,
            message,
            prefix.location.clone(),
        ));
    }
    for t in targets.iter().filter(|t| !base.contains_cidr(&t.cidr)) {
        errors.push(Diagnostic::error(
            DiagnosticKind::OutsidePrefix,
            format!("{} is not inside prefix {base}", t.describe()),
            t.location.clone().or_else(|| prefix.location.clone()),
        ));
    }
    targets.sort_by(|a, b| by_address(&a.cidr, &b.cidr));
    let others: Vec<&Target<'_>> = targets
        .iter()
        .filter(|t| t.cidr != base && base.contains_cidr(&t.cidr))
        .collect();
    let cidrs: Vec<Cidr> = others.iter().map(|t| t.cidr).collect();
    for (outer, inner) in nested_pairs(&cidrs) {
        let (Some(outer), Some(inner)) = (others.get(outer), others.get(inner)) else {
            continue;
        };
        let conflict =
            Kind::of_name(&outer.service.name).conflicts(Kind::of_name(&inner.service.name));
        let (kind, why) = if conflict {
            (
                DiagnosticKind::CdnSpectrum,
                "an address is either CDN or Spectrum, never both",
            )
        } else {
            (
                DiagnosticKind::Overlap,
                "more-specific bindings may not nest or overlap",
            )
        };
        errors.push(Diagnostic::error(
            kind,
            format!("{} overlaps {}: {why}", inner.describe(), outer.describe()),
            inner
                .location
                .clone()
                .or_else(|| outer.location.clone())
                .or_else(|| prefix.location.clone()),
        ));
    }
}

/// Replacing the base binding deletes and re-creates every other binding; one that
/// the file does not list would be lost if an apply stopped half-way (planning again
/// would not know it), so it must be listed, or pruned.
pub(super) fn check_unlisted_recreate(
    prefix: &DesiredPrefix,
    base: Option<Cidr>,
    live: &[&ServiceBinding],
    targets: &[Target<'_>],
    errors: &mut Vec<Diagnostic>,
) {
    let Some(base) = base else { return };
    let before = live.iter().find(|b| b.cidr == base);
    // The base's target, when the file lists it (a kept one keeps its service).
    let after = targets
        .iter()
        .find(|t| t.cidr == base)
        .filter(|t| t.kept.is_none());
    let (Some(before), Some(after)) = (before, after) else {
        return;
    };
    if before.service_id == after.service.id {
        return;
    }
    let unlisted: Vec<String> = targets
        .iter()
        .filter(|t| t.kept.is_some() && t.cidr != base)
        .map(|t| format!("{} ({})", t.cidr, t.service))
        .collect();
    if unlisted.is_empty() {
        return;
    }
    let shown = unlisted
        .iter()
        .take(5)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let more = unlisted.len().saturating_sub(5);
    errors.push(Diagnostic::error(
        DiagnosticKind::UnlistedRecreate,
        format!(
            "changing the service of base binding {base} means deleting every other binding of prefix {} first and creating them again; list the live bindings the file leaves out so they are re-created, or set prune = true to delete them: {shown}{}",
            prefix.id,
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ),
        after.location.clone().or_else(|| prefix.location.clone()),
    ));
}
