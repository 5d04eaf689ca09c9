//! [`plan`]: resolve services, check the final state of each prefix, and order the
//! changes.

use std::collections::{HashMap, HashSet};

use super::{
    Desired, DesiredPrefix, Diagnostic, DiagnosticKind, Diagnostics, Live, LiveBinding, Plan,
    PrefixPlan, ServiceRef,
    check::base_of,
    net::{by_address, enclosing, nested_pairs},
    order::{LiveEntry, one_per_cidr, order},
    services::Kind,
    traffic,
};
use crate::{
    types::binding::{Service, ServiceBinding},
    types::cidr::Cidr,
    types::ids::ServiceId,
    types::prefix::IpPrefix,
};

/// Plans the changes that make the `live` bindings match `desired`, given the
/// account's `services` (to resolve names and ids).
///
/// For each prefix of the file: a listed CIDR with no live binding is created; a
/// listed CIDR bound to another service is *replaced* (deleted, then created: there
/// is no update); a live binding not listed is deleted when the prefix has `prune`,
/// and left alone otherwise. Bindings match by CIDR, services by id.
///
/// # Order
/// Every intermediate state obeys the rules documented on [`Desired`](crate::desired::Desired)
/// (so the API accepts every step), given a live state that does:
/// 1. deletes, most specific first (a prefix's base binding, if deleted, last);
/// 2. replaces, least specific first, each a delete then a create of the same CIDR
///    (its traffic falls back to the enclosing binding for as short a time as
///    possible);
/// 3. creates, least specific first (a prefix's base binding, if created, first).
///
/// Replacing the *base* binding while other bindings stay is possible only by
/// deleting them first (the base cannot be deleted while others exist): the plan
/// then deletes every other binding (most specific first), replaces the base, and
/// creates them all again, those whose service does not change as
/// [`ChangeKind::Recreate`](crate::desired::ChangeKind::Recreate) changes, so that a reviewer
/// sees the whole cost. Each of them must be listed in the file (or the prefix must
/// have `prune`): a binding kept only because `prune` is off would be lost for good
/// if an apply stopped between its delete and its create.
///
/// # Drift and traffic
/// Live bindings not listed that `prune = false` keeps are in
/// [`PrefixPlan::unlisted`], each with the addresses whose routing it changes
/// against the file's bindings: they make no step, but they are drift
/// ([`Plan::has_drift`]). [`PrefixPlan::transitions`] follows every address whose
/// routing the steps change through each intermediate state, in the order above.
///
/// # The prefixes' CIDRs
/// When `live` holds the account's prefixes ([`Live::set_account_prefixes`]), each
/// prefix's CIDR is Cloudflare's: a prefix the account does not have is an error, so
/// is a file `cidr` that is not the real one, and the final state is checked against
/// the real CIDR, which is what [`PrefixPlan::cidr`] records. That includes
/// Cloudflare's rule for a prefix with no binding yet: its first binding must be
/// exactly its CIDR, so the file must list it (it is created first). Without them, the
/// CIDR is the file's `cidr` or the live base binding's (which must agree), and is
/// `None` in the plan when neither is known (a file's bindings are then only
/// checked to have one that contains the others).
///
/// # Errors
/// [`Diagnostics`] with every error found: those of [`Desired::validate`]; a service
/// that matches no live service by name (any case) or id; a prefix that is not one
/// of the account's; a prefix missing from `live`; a file `cidr` that is not the
/// prefix's real CIDR (or, without the account's prefixes, the live base binding's);
/// and a final state that breaks the rules (a binding outside the prefix,
/// overlapping ones, a live binding kept because `prune` is off that conflicts with
/// a listed one, no base, a first binding that is not the prefix's CIDR); a base
/// replacement that would recreate bindings the file does not list.
pub fn plan(desired: &Desired, live: &Live, services: &[Service]) -> Result<Plan, Diagnostics> {
    let validated = desired.validate();
    if validated.has_errors() {
        return Err(Diagnostics::new(
            validated.into_iter().filter(Diagnostic::is_error).collect(),
        ));
    }
    let resolver = Resolver::new(services);
    let mut errors = Vec::new();
    let mut prefixes = Vec::with_capacity(desired.prefixes.len());
    for prefix in &desired.prefixes {
        let real = match live.account_prefixes() {
            Some(all) => match all.iter().find(|p| p.id == prefix.id) {
                Some(found) => Some(found.cidr),
                None => {
                    errors.push(unknown_prefix(prefix, all));
                    continue;
                }
            },
            None => None,
        };
        let Some(now) = live.get(&prefix.id) else {
            errors.push(Diagnostic::error(
                DiagnosticKind::MissingLiveState,
                format!("the live bindings of prefix {} were not read", prefix.id),
                prefix.location.clone(),
            ));
            continue;
        };
        match plan_prefix(prefix, real, now, &resolver) {
            Ok(planned) => prefixes.push(planned),
            Err(mut found) => errors.append(&mut found),
        }
    }
    if errors.is_empty() {
        traffic::number_over_the_plan(&mut prefixes);
        Ok(Plan {
            version: Plan::VERSION,
            account: desired.account.clone(),
            source: None,
            prefixes,
        })
    } else {
        Err(Diagnostics::new(errors))
    }
}

/// The error of a file prefix that the account does not have, naming the account's
/// prefixes (the first few).
fn unknown_prefix(prefix: &DesiredPrefix, all: &[IpPrefix]) -> Diagnostic {
    const SHOWN: usize = 5;
    let mut known: Vec<&IpPrefix> = all.iter().collect();
    known.sort_by(|a, b| by_address(&a.cidr, &b.cidr));
    let listed: Vec<String> = known
        .iter()
        .take(SHOWN)
        .map(|p| format!("{} ({})", p.id, p.cidr))
        .collect();
    let has = match all.len() {
        0 => "it has none".to_owned(),
        n if n > SHOWN => format!("it has {n}: {} and {} more", listed.join(", "), n - SHOWN),
        n => format!("it has {n}: {}", listed.join(", ")),
    };
    Diagnostic::error(
        DiagnosticKind::UnknownPrefix,
        format!(
            "prefix {} is not one of the account's prefixes ({has}): check the id, and the account",
            prefix.id
        ),
        prefix.location.clone(),
    )
}

/// Finds services by name (any case, surrounding spaces ignored) or id; a name wins
/// over an id, as in [`Services::find`](crate::Services::find).
pub(super) struct Resolver<'a> {
    services: &'a [Service],
    by_name: HashMap<String, usize>,
    by_id: HashMap<&'a str, usize>,
}

impl<'a> Resolver<'a> {
    pub(super) fn new(services: &'a [Service]) -> Self {
        let mut by_name = HashMap::new();
        let mut by_id = HashMap::new();
        for (i, s) in services.iter().enumerate() {
            by_name.entry(Service::name_key(&s.name)).or_insert(i);
            by_id.entry(s.id.as_str()).or_insert(i);
        }
        Self {
            services,
            by_name,
            by_id,
        }
    }

    pub(super) fn find(&self, name_or_id: &str) -> Option<&'a Service> {
        let wanted = name_or_id.trim();
        let index = self
            .by_name
            .get(&Service::name_key(wanted))
            // An id in any case: ids are kept in lower case.
            .or_else(|| self.by_id.get(ServiceId::new(wanted).ok()?.as_str()))?;
        self.services.get(*index)
    }

    /// The service of a live binding, named from the service list when it came
    /// without a name.
    pub(super) fn of_binding(&self, b: &ServiceBinding) -> ServiceRef {
        let name = if b.service_name.is_empty() {
            self.by_id
                .get(b.service_id.as_str())
                .and_then(|&i| self.services.get(i))
                .map_or_else(|| b.service_id.to_string(), |s| s.name.clone())
        } else {
            b.service_name.clone()
        };
        ServiceRef {
            id: b.service_id.clone(),
            name,
        }
    }

    fn names(&self) -> String {
        let mut names: Vec<&str> = self.services.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        names.join(", ")
    }
}

/// A binding of the final state, and where it comes from (for messages).
struct Target<'a> {
    cidr: Cidr,
    service: ServiceRef,
    location: Option<super::Location>,
    kept: Option<&'a ServiceBinding>,
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

/// Plans one prefix whose live bindings are `now`; `real` is the prefix's CIDR as
/// the account's prefixes give it, when they were given.
fn plan_prefix(
    prefix: &DesiredPrefix,
    real: Option<Cidr>,
    now: &[ServiceBinding],
    resolver: &Resolver<'_>,
) -> Result<PrefixPlan, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut targets: Vec<Target<'_>> = Vec::with_capacity(prefix.bindings.len());
    for b in &prefix.bindings {
        match resolver.find(&b.service) {
            Some(service) => targets.push(Target {
                cidr: b.cidr,
                service: service.into(),
                location: b.location.clone(),
                kept: None,
            }),
            None => errors.push(Diagnostic::error(
                DiagnosticKind::UnknownService,
                format!(
                    "unknown service {:?}: the account's services are {} (give a name or an id)",
                    b.service,
                    resolver.names()
                ),
                b.service_location.clone(),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let sorted_live = one_per_cidr(now);
    let live_base = enclosing(sorted_live.iter().map(|b| b.cidr));

    if let Some(error) = cidr_mismatch(prefix, real, live_base) {
        errors.push(error);
        return Err(errors);
    }
    // The prefix's CIDR as known: Cloudflare's, else the file's, else the live base
    // binding's (the two agree, checked above). Never guessed from the file's
    // bindings: that guess only serves to check the file's own consistency when
    // nothing better is known, and is not recorded in the plan.
    let known = real.or(prefix.cidr).or(live_base);
    let base = known.or_else(|| base_of(prefix));

    if !prefix.prune {
        let listed: HashSet<Cidr> = prefix.bindings.iter().map(|b| b.cidr).collect();
        targets.extend(
            sorted_live
                .iter()
                .filter(|b| !listed.contains(&b.cidr))
                .map(|b| Target {
                    cidr: b.cidr,
                    service: resolver.of_binding(b),
                    location: None,
                    kept: Some(b),
                }),
        );
    }
    check_final(prefix, base, now.is_empty(), &mut targets, &mut errors);
    if errors.is_empty() {
        check_unlisted_recreate(prefix, base, &sorted_live, &targets, &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let live: Vec<LiveEntry> = sorted_live
        .iter()
        .map(|b| (b.cidr, resolver.of_binding(b), b.id.clone()))
        .collect();
    let mut listed = Vec::with_capacity(targets.len());
    let mut kept = Vec::new();
    let mut locations = HashMap::with_capacity(targets.len());
    for t in &targets {
        match t.kept {
            Some(b) => kept.push((t.cidr, t.service.clone(), b.id.clone())),
            None => {
                listed.push((t.cidr, t.service.clone()));
                locations.insert(t.cidr, t.location.clone());
            }
        }
    }
    let unlisted = traffic::unlisted(&listed, &kept);
    let target: Vec<(Cidr, ServiceRef)> =
        targets.into_iter().map(|t| (t.cidr, t.service)).collect();
    let (mut changes, steps) = order(base, &live, &target);
    for change in &mut changes {
        change.location = locations.get(&change.cidr).cloned().flatten();
    }
    let before: Vec<(Cidr, ServiceRef)> = live.into_iter().map(|(c, s, _)| (c, s)).collect();
    let transitions = traffic::transitions(&before, &steps);
    Ok(PrefixPlan {
        prefix: prefix.id.clone(),
        cidr: known,
        live: LiveBinding::record(now),
        changes,
        steps,
        unlisted,
        transitions,
    })
}

/// The file's `cidr` against the prefix's real CIDR, when known; else against the
/// live base binding. With the real CIDR known, live bindings whose base is another
/// CIDR (a state the API's rules do not allow) are refused too: the plan's order
/// rests on the base.
fn cidr_mismatch(
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
fn check_final(
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
fn check_unlisted_recreate(
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
