//! [`plan`]: resolve services, check the final state of each prefix, and order the
//! changes.
//!
//! The checks of each prefix's final state are in `final_state`; services are
//! resolved by [`Resolver`](super::services::Resolver).

mod final_state;

use std::collections::{HashMap, HashSet};

use super::{
    Desired, DesiredPrefix, Diagnostic, DiagnosticKind, Diagnostics, Live, LiveBinding, Plan,
    PrefixPlan, ServiceRef,
    check::base_of,
    net::{by_address, enclosing},
    order::{LiveEntry, one_per_cidr, order},
    services::Resolver,
    traffic,
};
use crate::{
    types::binding::{Service, ServiceBinding},
    types::cidr::Cidr,
    types::prefix::IpPrefix,
};
use final_state::{Target, check_final, check_unlisted_recreate, cidr_mismatch};

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
