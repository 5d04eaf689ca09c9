//! [`Plan::check`] and [`Plan::verify`]: a saved plan does what it shows. Its
//! steps are derived again from the live bindings it records and the changes it
//! shows, with the planner's own ordering; a plan whose steps, changes, base or
//! delete steps disagree is refused with a [`PlanMismatch`] naming the prefix and
//! what differs. `check` needs nothing but the plan; `verify` also compares it with
//! the live bindings listed now and the account's services.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use super::{
    Change, ChangeKind, Live, LiveBinding, Plan, PrefixPlan, ServiceRef, Step,
    net::enclosing,
    order::{LiveEntry, one_per_cidr, order},
    services::Resolver,
};
use crate::{
    types::binding::{Service, ServiceBinding},
    types::cidr::Cidr,
    types::ids::PrefixId,
    types::state::ProvisioningState,
};

/// Why [`Plan::check`] or [`Plan::verify`] refused a plan: the prefix, and what
/// does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanMismatch {
    /// The prefix whose part of the plan is refused.
    pub prefix: PrefixId,
    kind: Box<MismatchKind>,
}

/// What [`Plan::check`] or [`Plan::verify`] found wrong with a prefix's part of a
/// plan.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
// Made only on the way out of a check, and returned boxed.
#[allow(clippy::large_enum_variant)]
pub enum MismatchKind {
    /// The plan holds the prefix more than once.
    DuplicatePrefix,
    /// The live bindings of the prefix are not those the plan records (or were not
    /// given): the plan is stale, not wrong; planning again gives a fresh one.
    Stale,
    /// The prefix is not one of the account's prefixes.
    UnknownPrefix,
    /// The plan's CIDR for the prefix is not the prefix's real CIDR (from the
    /// account's prefixes).
    PrefixCidr {
        /// The CIDR the plan gives.
        planned: Option<Cidr>,
        /// The prefix's, as Cloudflare lists it.
        actual: Cidr,
    },
    /// The plan's CIDR for the prefix is not that of its live base binding.
    Base {
        /// The CIDR the plan gives.
        planned: Option<Cidr>,
        /// The live base binding's.
        live: Cidr,
    },
    /// A delete step names a binding that is not live, or gives it another CIDR or
    /// service than the live binding has.
    Delete {
        /// The step's place among the prefix's steps, from 1.
        step: usize,
        /// The step as the plan gives it.
        planned: Step,
        /// The step the live binding it names would give, if that binding is live.
        live: Option<Step>,
    },
    /// A change binds a CIDR to a service the account does not have, or names it
    /// otherwise than the account does.
    Service {
        /// The CIDR of the change.
        cidr: Cidr,
        /// The service as the plan gives it.
        planned: ServiceRef,
        /// The account's service of that id, if any.
        known: Option<ServiceRef>,
    },
    /// The changes are not those between the recorded live bindings and the final
    /// state the changes describe (a kind, a service before, or a fallback that is
    /// not so, or changes out of order).
    Changes {
        /// The place of the first difference, from 1.
        index: usize,
        /// The plan's change there, if it has one.
        planned: Option<Change>,
        /// The change derived there, if any.
        derived: Option<Change>,
    },
    /// The steps are not those that make the changes, in the planner's order.
    Steps {
        /// The place of the first difference, from 1.
        index: usize,
        /// The plan's step there, if it has one.
        planned: Option<Step>,
        /// The step the changes call for there, if any.
        derived: Option<Step>,
    },
}

impl PlanMismatch {
    /// What does not hold.
    pub fn kind(&self) -> &MismatchKind {
        &self.kind
    }

    /// Whether the plan is only stale (the live bindings changed since it was
    /// made), rather than inconsistent in itself.
    pub fn is_stale(&self) -> bool {
        *self.kind == MismatchKind::Stale
    }
}

impl fmt::Display for PlanMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = &self.prefix;
        match &*self.kind {
            MismatchKind::DuplicatePrefix => {
                write!(f, "prefix {prefix} appears more than once in the plan")
            }
            MismatchKind::Stale => write!(
                f,
                "the live bindings of prefix {prefix} are not those the plan was made from"
            ),
            MismatchKind::UnknownPrefix => {
                write!(f, "prefix {prefix} is not one of the account's prefixes")
            }
            MismatchKind::PrefixCidr { planned, actual } => write!(
                f,
                "prefix {prefix}: the plan gives its CIDR as {}, but the prefix is {actual}",
                planned.map_or_else(|| "unknown".to_owned(), |c| c.to_string())
            ),
            MismatchKind::Base { planned, live } => write!(
                f,
                "prefix {prefix}: the plan gives its CIDR as {}, but its live base binding is {live}",
                planned.map_or_else(|| "unknown".to_owned(), |c| c.to_string())
            ),
            MismatchKind::Delete {
                step,
                planned,
                live,
            } => {
                write!(f, "prefix {prefix}: step {step} is `{planned}`, but ")?;
                match live {
                    Some(live) => write!(f, "the live binding is `{live}`"),
                    None => match planned {
                        Step::Delete { binding, .. } => {
                            write!(f, "the prefix has no live binding {binding}")
                        }
                        Step::Create { .. } => write!(f, "it is not a delete"),
                    },
                }
            }
            MismatchKind::Service {
                cidr,
                planned,
                known,
            } => {
                write!(
                    f,
                    "prefix {prefix}: the change of {cidr} binds it to {planned} (service {}), ",
                    planned.id
                )?;
                match known {
                    Some(known) => write!(f, "which the account names {known}"),
                    None => f.write_str("which is not a service of the account"),
                }
            }
            MismatchKind::Changes {
                index,
                planned,
                derived,
            } => {
                write!(
                    f,
                    "prefix {prefix}: the plan's changes do not follow from the live bindings it records: change {index} is "
                )?;
                write_either(f, planned.as_ref().map(describe))?;
                f.write_str(", where it should be ")?;
                write_either(f, derived.as_ref().map(describe))
            }
            MismatchKind::Steps {
                index,
                planned,
                derived,
            } => {
                write!(
                    f,
                    "prefix {prefix}: the plan's steps are not those its changes call for: step {index} is "
                )?;
                write_either(f, planned.as_ref().map(ToString::to_string))?;
                f.write_str(", where the changes call for ")?;
                write_either(f, derived.as_ref().map(ToString::to_string))
            }
        }
    }
}

impl std::error::Error for PlanMismatch {}

/// `` `text` ``, or `nothing`.
fn write_either(f: &mut fmt::Formatter<'_>, text: Option<String>) -> fmt::Result {
    match text {
        Some(text) => write!(f, "`{text}`"),
        None => f.write_str("nothing"),
    }
}

/// `replace 203.0.113.7/32 (CDN → Spectrum; falls back to Magic Transit)`.
fn describe(change: &Change) -> String {
    let services = match (&change.before, &change.after) {
        (Some(before), Some(after)) if change.kind != ChangeKind::Recreate => {
            format!("{before} → {after}")
        }
        (Some(service), _) | (None, Some(service)) => service.to_string(),
        (None, None) => "no service".to_owned(),
    };
    let fallback = change
        .fallback
        .as_ref()
        .map(|f| format!("; falls back to {f}"))
        .unwrap_or_default();
    format!("{} {} ({services}{fallback})", change.kind, change.cidr)
}

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
