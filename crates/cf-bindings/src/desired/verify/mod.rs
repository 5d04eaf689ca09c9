//! [`Plan::check`] and [`Plan::verify`]: a saved plan does what it shows. Its
//! steps are derived again from the live bindings it records and the changes it
//! shows, with the planner's own ordering; a plan whose steps, changes, base or
//! delete steps disagree is refused with a [`PlanMismatch`] naming the prefix and
//! what differs. `check` needs nothing but the plan; `verify` also compares it with
//! the live bindings listed now and the account's services.
//!
//! What is refused, and how it is said, is in `mismatch`.

mod mismatch;

pub use mismatch::{MismatchKind, PlanMismatch};

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{
    Change, ChangeKind, Live, LiveBinding, Plan, PrefixPlan, ServiceRef, Step,
    net::enclosing,
    order::{LiveEntry, one_per_cidr, order},
    services::Resolver,
};
use crate::{
    types::binding::{Service, ServiceBinding},
    types::cidr::Cidr,
    types::state::ProvisioningState,
};

impl Plan {
    /// Checks, offline, that the plan is consistent in itself: for a plan read back
    /// from a file, which anyone who could write the file could have edited.
    ///
    /// For each prefix: it appears once; its CIDR is the base of the live bindings
    /// it records; every delete step names a recorded live binding, with that
    /// binding's CIDR and service id; and the changes and steps are exactly those
    /// that [`plan`](crate::desired::plan) derives from the recorded live bindings and the
    /// final state the changes describe, in the same order. The names of services
    /// are taken from the changes, so a fallback is compared by service id only;
    /// [`Plan::verify`] checks the names too, against the live bindings.
    ///
    /// # Errors
    /// The first [`PlanMismatch`] found, naming the prefix and what differs.
    pub fn check(&self) -> Result<(), PlanMismatch> {
        let nothing = Resolver::new(&[]);
        let mut seen = HashSet::with_capacity(self.prefixes.len());
        for prefix in &self.prefixes {
            if !seen.insert(&prefix.prefix) {
                return Err(mismatch(prefix, Box::new(MismatchKind::DuplicatePrefix)));
            }
            verify_prefix(prefix, &recorded(prefix), &nothing, Names::Recorded)
                .map_err(|kind| mismatch(prefix, kind))?;
        }
        Ok(())
    }

    /// Checks that the plan does what it shows, against `live` (the live bindings
    /// of its prefixes, listed now) and the account's `services`. Call it before
    /// applying a saved plan; nothing is sent.
    ///
    /// Everything [`Plan::check`] checks, and for each prefix: when `live` holds
    /// the account's prefixes ([`Live::set_account_prefixes`]), the prefix is one of
    /// them ([`MismatchKind::UnknownPrefix`]) and the plan gives its real CIDR
    /// ([`MismatchKind::PrefixCidr`]; a plan without a CIDR passes only for a prefix
    /// with nothing to do); its live bindings
    /// are those the plan records ([`MismatchKind::Stale`] otherwise); every delete
    /// step names its live binding as `live` names it (CIDR, service id and
    /// name); every service a create or replace binds is the account's, under the
    /// account's name; and the changes, fallbacks and their names included, are
    /// exactly those the planner derives. So the changes a person reviews are the
    /// API calls that [`apply`](crate::desired::apply) makes, and its progress names what
    /// each call does.
    ///
    /// # Errors
    /// The first [`PlanMismatch`] found, naming the prefix and what differs.
    pub fn verify(&self, live: &Live, services: &[Service]) -> Result<(), PlanMismatch> {
        self.check()?;
        let resolver = Resolver::new(services);
        for prefix in &self.prefixes {
            check_cidr(prefix, live).map_err(|kind| mismatch(prefix, kind))?;
            let now = live
                .get(&prefix.prefix)
                .filter(|now| LiveBinding::record(now) == prefix.live)
                .ok_or_else(|| mismatch(prefix, Box::new(MismatchKind::Stale)))?;
            check_services(prefix, services).map_err(|kind| mismatch(prefix, kind))?;
            verify_prefix(prefix, now, &resolver, Names::Live)
                .map_err(|kind| mismatch(prefix, kind))?;
        }
        Ok(())
    }
}

fn mismatch(prefix: &PrefixPlan, kind: Box<MismatchKind>) -> PlanMismatch {
    PlanMismatch {
        prefix: prefix.prefix.clone(),
        kind,
    }
}

/// The plan's CIDR of a prefix against the account's prefixes, when `live` holds
/// them. A plan without a CIDR for a prefix it changes nothing in (an empty prefix
/// and a file that lists no binding for it) passes.
fn check_cidr(plan: &PrefixPlan, live: &Live) -> Result<(), Box<MismatchKind>> {
    if live.account_prefixes().is_none() {
        return Ok(());
    }
    let actual = live
        .account_prefix(&plan.prefix)
        .map(|p| p.cidr)
        .ok_or_else(|| Box::new(MismatchKind::UnknownPrefix))?;
    match plan.cidr {
        Some(planned) if planned == actual => Ok(()),
        None if plan.steps.is_empty() => Ok(()),
        planned => Err(Box::new(MismatchKind::PrefixCidr { planned, actual })),
    }
}

/// What is known of the names of services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    /// Offline ([`Plan::check`]): a changed binding's service is named as the
    /// plan's change names it, any other as `service ID`.
    Recorded,
    /// Against the live bindings and the services ([`Plan::verify`]): as the
    /// planner names them.
    Live,
}

/// The live bindings a prefix's plan records, as bindings, their services named as
/// the plan's changes name them (`service ID` where no change does).
fn recorded(plan: &PrefixPlan) -> Vec<ServiceBinding> {
    let before: HashMap<Cidr, &ServiceRef> = plan
        .changes
        .iter()
        .filter_map(|c| c.before.as_ref().map(|s| (c.cidr, s)))
        .collect();
    plan.live
        .iter()
        .map(|b| {
            let name = before
                .get(&b.cidr)
                .filter(|s| s.id == b.service_id)
                .map_or_else(|| format!("service {}", b.service_id), |s| s.name.clone());
            ServiceBinding::new(
                b.id.clone(),
                b.cidr,
                b.service_id.clone(),
                name,
                ProvisioningState::Active,
            )
        })
        .collect()
}

/// The checks of one prefix whose live bindings are `now`, their services named
/// through `resolver`.
fn verify_prefix(
    plan: &PrefixPlan,
    now: &[ServiceBinding],
    resolver: &Resolver<'_>,
    names: Names,
) -> Result<(), Box<MismatchKind>> {
    let sorted_live = one_per_cidr(now);
    if let Some(base) = enclosing(sorted_live.iter().map(|b| b.cidr))
        && plan.cidr != Some(base)
    {
        return Err(Box::new(MismatchKind::Base {
            planned: plan.cidr,
            live: base,
        }));
    }
    check_deletes(plan, now, resolver, names)?;

    let entries: Vec<LiveEntry> = sorted_live
        .iter()
        .map(|b| (b.cidr, resolver.of_binding(b), b.id.clone()))
        .collect();
    // The final state the changes describe: the live bindings, with each changed
    // CIDR bound to its `after` service, or gone.
    let mut target: BTreeMap<Cidr, ServiceRef> = entries
        .iter()
        .map(|(cidr, service, _)| (*cidr, service.clone()))
        .collect();
    for change in &plan.changes {
        match &change.after {
            Some(after) => target.insert(change.cidr, after.clone()),
            None => target.remove(&change.cidr),
        };
    }
    let target: Vec<(Cidr, ServiceRef)> = target.into_iter().collect();
    let (changes, steps) = order(plan.cidr, &entries, &target);
    // What a change does; its `location` (the file entry it came from) is for people
    // and cannot be derived from the live bindings.
    let same_change = |a: &Change, b: &Change| match names {
        Names::Live => {
            (a.kind, a.cidr, &a.before, &a.after, &a.fallback)
                == (b.kind, b.cidr, &b.before, &b.after, &b.fallback)
        }
        // The fallback's name is that of a binding no change names.
        Names::Recorded => {
            let fallback = |c: &Change| c.fallback.as_ref().map(|s| s.id.clone());
            (a.kind, a.cidr, &a.before, &a.after, fallback(a))
                == (b.kind, b.cidr, &b.before, &b.after, fallback(b))
        }
    };
    if let Some((index, planned, derived)) = first_difference(&plan.changes, &changes, same_change)
    {
        return Err(Box::new(MismatchKind::Changes {
            index,
            planned,
            derived,
        }));
    }
    if let Some((index, planned, derived)) = first_difference(&plan.steps, &steps, Step::eq) {
        return Err(Box::new(MismatchKind::Steps {
            index,
            planned,
            derived,
        }));
    }
    Ok(())
}

/// Each delete step against the live binding it names, in the list the plan
/// records (id, CIDR, service id) and in `now` (which, with [`Names::Live`], also
/// gives the service's name).
fn check_deletes(
    plan: &PrefixPlan,
    now: &[ServiceBinding],
    resolver: &Resolver<'_>,
    names: Names,
) -> Result<(), Box<MismatchKind>> {
    for (i, step) in plan.steps.iter().enumerate() {
        let Step::Delete {
            binding,
            cidr,
            service,
        } = step
        else {
            continue;
        };
        let recorded = plan.live.iter().find(|b| b.id == *binding);
        let live = now.iter().find(|b| b.id == *binding).map(|b| Step::Delete {
            binding: b.id.clone(),
            cidr: b.cidr,
            service: resolver.of_binding(b),
        });
        let matches = match (recorded, &live) {
            (
                Some(recorded),
                Some(Step::Delete {
                    cidr: live_cidr,
                    service: live_service,
                    ..
                }),
            ) => {
                recorded.cidr == *cidr
                    && recorded.service_id == service.id
                    && live_cidr == cidr
                    && live_service.id == service.id
                    && (names == Names::Recorded || live_service.name == service.name)
            }
            _ => false,
        };
        if !matches {
            return Err(Box::new(MismatchKind::Delete {
                step: i + 1,
                planned: step.clone(),
                live,
            }));
        }
    }
    Ok(())
}

/// Every service a change binds is the account's, under the account's name (as the
/// planner names it).
fn check_services(plan: &PrefixPlan, services: &[Service]) -> Result<(), Box<MismatchKind>> {
    for change in &plan.changes {
        let Some(after) = &change.after else { continue };
        if change.kind == ChangeKind::Recreate {
            // Named as the live binding names it: checked with the changes.
            continue;
        }
        let known = services
            .iter()
            .find(|s| s.id == after.id)
            .map(ServiceRef::from);
        if known.as_ref() != Some(after) {
            return Err(Box::new(MismatchKind::Service {
                cidr: change.cidr,
                planned: after.clone(),
                known,
            }));
        }
    }
    Ok(())
}

/// The first place (from 1) where `planned` and `derived` differ by `same`, and
/// what each holds there.
fn first_difference<T: Clone>(
    planned: &[T],
    derived: &[T],
    same: impl Fn(&T, &T) -> bool,
) -> Option<(usize, Option<T>, Option<T>)> {
    let len = planned.len().max(derived.len());
    (0..len).find_map(|i| {
        let (a, b) = (planned.get(i), derived.get(i));
        let differ = match (a, b) {
            (Some(a), Some(b)) => !same(a, b),
            _ => true,
        };
        differ.then(|| (i + 1, a.cloned(), b.cloned()))
    })
}
