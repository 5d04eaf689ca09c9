//! The changes between a prefix's live and final bindings, and the order of the API
//! calls that make them.

use std::collections::{HashMap, HashSet};

use super::{
    Change, ChangeKind, ServiceRef, Step,
    net::{by_address, least_specific_first, strictly_contains},
};
use crate::{
    types::binding::ServiceBinding, types::cidr::Cidr, types::ids::BindingId,
    types::routing::RoutingTable, types::state::ProvisioningState,
};

/// A live binding: its CIDR, service and id.
pub(super) type LiveEntry = (Cidr, ServiceRef, BindingId);

/// The live bindings of a prefix as a plan starts from them: one per CIDR (the API
/// allows no more; the first by id wins), sorted by id.
pub(super) fn one_per_cidr(now: &[ServiceBinding]) -> Vec<&ServiceBinding> {
    let mut sorted: Vec<&ServiceBinding> = now.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut seen = HashSet::with_capacity(sorted.len());
    sorted.retain(|b| seen.insert(b.cidr));
    sorted
}

/// The changes (by address) and steps (in order) that turn `live` (one binding per
/// CIDR) into `target` (valid under the rules, with base binding `base`).
///
/// Where traffic goes on the way is fixed by the rules, not chosen here. A CIDR is
/// deleted before it is created again (no duplicate), a binding before one that
/// would nest or overlap it is created, the other bindings before the base, and the
/// base before the others are created again (the first binding must be the base).
/// What those rules leave free is the order of steps on disjoint CIDRs, which
/// changes *when* an address's traffic moves but not *where* it goes: every valid
/// order passes each address through the same services (a property test checks
/// it against every valid order of small plans). So no order sends fewer
/// addresses to a service that is neither their old nor their new one; the one
/// chosen keeps each replace's delete and create together, so that a CIDR's
/// traffic is away from its services for as few steps as the rules allow.
pub(super) fn order(
    base: Option<Cidr>,
    live: &[LiveEntry],
    target: &[(Cidr, ServiceRef)],
) -> (Vec<Change>, Vec<Step>) {
    let wanted: HashMap<Cidr, &ServiceRef> = target.iter().map(|(c, s)| (*c, s)).collect();
    let existing: HashSet<Cidr> = live.iter().map(|(c, _, _)| *c).collect();

    let mut deletes: Vec<&LiveEntry> = Vec::new();
    let mut replaces: Vec<(&LiveEntry, &ServiceRef)> = Vec::new();
    let mut unchanged: Vec<&LiveEntry> = Vec::new();
    for entry in live {
        match wanted.get(&entry.0) {
            None => deletes.push(entry),
            Some(after) if after.id != entry.1.id => replaces.push((entry, after)),
            Some(_) => unchanged.push(entry),
        }
    }
    let mut creates: Vec<&(Cidr, ServiceRef)> = target
        .iter()
        .filter(|(c, _)| !existing.contains(c))
        .collect();

    // The base binding cannot be deleted while others exist: replacing it means
    // deleting every other binding that stays, and creating them again afterwards.
    // (With no other binding left, that is simply the base's delete then create.)
    let base_replaced = replaces.iter().any(|(e, _)| Some(e.0) == base);
    let recreates: Vec<&LiveEntry> = if base_replaced {
        std::mem::take(&mut unchanged)
    } else {
        Vec::new()
    };

    let stable = RoutingTable::new(unchanged.iter().map(|(cidr, service, id)| {
        ServiceBinding::new(
            id.clone(),
            *cidr,
            service.id.clone(),
            service.name.clone(),
            ProvisioningState::Active,
        )
    }));
    let fallback = |cidr: &Cidr| -> Option<ServiceRef> {
        stable
            .explain(cidr.network())
            .into_iter()
            .rev()
            .find(|b| strictly_contains(&b.cidr, cidr))
            .map(|b| ServiceRef {
                id: b.service_id.clone(),
                name: b.service_name.clone(),
            })
    };

    let mut changes = Vec::with_capacity(deletes.len() + replaces.len() + creates.len());
    let change =
        |kind, cidr: &Cidr, before: Option<&ServiceRef>, after: Option<&ServiceRef>| Change {
            kind,
            cidr: *cidr,
            before: before.cloned(),
            after: after.cloned(),
            fallback: if kind == ChangeKind::Create {
                None
            } else {
                fallback(cidr)
            },
            location: None,
        };
    changes.extend(
        deletes
            .iter()
            .map(|e| change(ChangeKind::Delete, &e.0, Some(&e.1), None)),
    );
    changes.extend(
        replaces
            .iter()
            .map(|(e, after)| change(ChangeKind::Replace, &e.0, Some(&e.1), Some(after))),
    );
    changes.extend(
        recreates
            .iter()
            .map(|e| change(ChangeKind::Recreate, &e.0, Some(&e.1), Some(&e.1))),
    );
    changes.extend(
        creates
            .iter()
            .map(|(c, s)| change(ChangeKind::Create, c, None, Some(s))),
    );
    changes.sort_by(|a, b| by_address(&a.cidr, &b.cidr));

    let delete = |e: &LiveEntry| Step::Delete {
        binding: e.2.clone(),
        cidr: e.0,
        service: e.1.clone(),
    };
    let create = |cidr: &Cidr, service: &ServiceRef| Step::Create {
        cidr: *cidr,
        service: service.clone(),
    };
    let most_specific_first = |a: &&LiveEntry, b: &&LiveEntry| least_specific_first(&b.0, &a.0);
    deletes.sort_by(most_specific_first);
    replaces.sort_by(|a, b| least_specific_first(&a.0.0, &b.0.0));
    creates.sort_by(|a, b| least_specific_first(&a.0, &b.0));

    let mut steps: Vec<Step> = deletes.iter().map(|e| delete(e)).collect();
    if base_replaced {
        // Every other binding goes, most specific first; then the base is replaced;
        // then everything is created, least specific first.
        let mut going: Vec<(&LiveEntry, &ServiceRef)> = replaces
            .iter()
            .copied()
            .chain(recreates.iter().map(|e| (*e, &e.1)))
            .collect();
        going.sort_by(|a, b| least_specific_first(&b.0.0, &a.0.0));
        steps.extend(going.iter().map(|(e, _)| delete(e)));
        let mut coming: Vec<(&Cidr, &ServiceRef)> = going
            .iter()
            .map(|(e, after)| (&e.0, *after))
            .chain(creates.iter().map(|(c, s)| (c, s)))
            .collect();
        coming.sort_by(|a, b| least_specific_first(a.0, b.0));
        // The base, least specific, is deleted last and created first.
        steps.extend(coming.iter().map(|(c, s)| create(c, s)));
    } else {
        for (e, after) in &replaces {
            steps.push(delete(e));
            steps.push(create(&e.0, after));
        }
        steps.extend(creates.iter().map(|(c, s)| create(c, s)));
    }
    (changes, steps)
}
