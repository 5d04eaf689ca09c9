//! What a plan means for traffic: the live bindings a file does not list and the
//! routing they change ([`Unlisted`]), and where the traffic of every address whose
//! routing changes goes after each step of the plan ([`Transition`]).
//!
//! Both follow the routing rule (the most specific binding containing an address
//! decides) with the crate's one longest-prefix matcher, over *pieces*: the address
//! space cut at the start and the end of every CIDR involved, so that routing is the
//! same for every address of a piece, whatever the state.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::{
    PrefixPlan, ServiceRef, Step,
    net::{Range, by_address, cidr_at, cidrs_of_range, supernet},
};
use crate::{
    types::cidr::Cidr,
    types::ids::{BindingId, ServiceId},
    types::routing::CidrTable,
};

/// A live binding that the file does not list, kept because the prefix's `prune` is
/// off. `apply` leaves it alone, but it is drift: the file does not say what the
/// prefix holds (see [`Plan::has_drift`](crate::desired::Plan::has_drift)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Unlisted {
    /// The binding's id.
    pub binding: BindingId,
    /// Its CIDR.
    pub cidr: Cidr,
    /// Its service: where it sends the addresses it decides.
    pub service: ServiceRef,
    /// The addresses whose routing it changes: those it sends to its service where
    /// the file's bindings alone would send them elsewhere (or nowhere), grouped by
    /// where that is, in address order. Empty when it changes no routing (it sends
    /// its addresses where the file does anyway).
    pub reroutes: Vec<Reroute>,
}

/// Addresses that an [`Unlisted`] binding takes from where the file sends them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reroute {
    /// The addresses, as the fewest CIDRs, in address order.
    pub cidrs: Vec<Cidr>,
    /// Where the file's bindings alone send them; `None` when no binding of the
    /// file covers them.
    pub file: Option<ServiceRef>,
}

/// Where the traffic of some addresses goes while a plan is applied: every service
/// it passes through, from the live state to the final one, with the step after
/// which each takes over.
///
/// Each create or delete takes four to six hours to propagate on Cloudflare, so a
/// pass between the first and the last lasts hours. A pass with no service is a
/// *gap*: no binding covers the addresses then. Cloudflare documents no service for
/// such addresses; expect their traffic to be dropped until a binding covers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Transition {
    /// The addresses, as the fewest CIDRs, in address order (several when ranges
    /// apart from each other pass through the same services at the same steps).
    pub cidrs: Vec<Cidr>,
    /// The services, in order: at least two, each different from the one before.
    pub passes: Vec<Pass>,
}

/// One service that some addresses' traffic goes to, from one step of a plan until
/// the next pass of their [`Transition`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Pass {
    /// The service; `None` when no binding covers the addresses (a gap).
    pub service: Option<ServiceRef>,
    /// The step after which the traffic goes there: steps are counted from 1 over
    /// the whole plan, in the order [`Plan::steps`](crate::desired::Plan::steps) gives and
    /// `apply` makes them; 0 is now, before the first step.
    pub after_step: usize,
}

impl Transition {
    /// Where the traffic goes now.
    pub fn before(&self) -> Option<&ServiceRef> {
        self.passes.first().and_then(|p| p.service.as_ref())
    }

    /// Where it goes once the plan is applied.
    pub fn after(&self) -> Option<&ServiceRef> {
        self.passes.last().and_then(|p| p.service.as_ref())
    }

    /// The passes between the first and the last: where the traffic goes while
    /// the plan is only partly applied (empty when it moves in one step).
    pub fn in_between(&self) -> &[Pass] {
        let inner = self.passes.len().saturating_sub(1);
        self.passes.get(1..inner).unwrap_or_default()
    }

    /// Whether no binding covers the addresses for a while (a pass in between has
    /// no service).
    pub fn has_gap(&self) -> bool {
        self.in_between().iter().any(|p| p.service.is_none())
    }

    /// Whether the traffic goes, for a while, to a service that is neither the
    /// one it has now nor the one it will have.
    pub fn has_third_service(&self) -> bool {
        let (before, after) = (self.before(), self.after());
        self.in_between().iter().any(|p| {
            p.service
                .as_ref()
                .is_some_and(|s| Some(s) != before && Some(s) != after)
        })
    }

    /// Where the traffic goes once the first `steps_made` steps of the plan are
    /// made (counted as [`Pass::after_step`] counts them; 0 is now); `None` when no
    /// binding covers the addresses then.
    pub fn at(&self, steps_made: usize) -> Option<&ServiceRef> {
        self.passes
            .iter()
            .take_while(|p| p.after_step <= steps_made)
            .last()
            .and_then(|p| p.service.as_ref())
    }
}

impl PrefixPlan {
    /// Where the traffic of the addresses of `within` goes once the first
    /// `steps_made` steps of the plan are made (counted over the whole plan, as
    /// [`Pass::after_step`] counts them): what a run stopped there leaves, for
    /// example a replace cut between its delete and its create. Each range (the
    /// fewest CIDRs, in address order) with its service, `None` when no binding
    /// covers it. Only the addresses whose routing the plan changes are given (its
    /// [`transitions`](PrefixPlan::transitions)); the others go where they went.
    pub fn routing_after(
        &self,
        within: &Cidr,
        steps_made: usize,
    ) -> Vec<(Cidr, Option<&ServiceRef>)> {
        // CIDRs are nested or disjoint: the part of one inside `within` is the
        // smaller of the two, or nothing.
        let mut parts: Vec<(Range, Option<&ServiceRef>)> = self
            .transitions
            .iter()
            .flat_map(|t| {
                let service = t.at(steps_made);
                t.cidrs.iter().filter_map(move |c| {
                    let inside = if within.contains_cidr(c) {
                        c
                    } else if c.contains_cidr(within) {
                        within
                    } else {
                        return None;
                    };
                    Some((Range::of(inside), service))
                })
            })
            .collect();
        parts.sort_by_key(|(r, _)| (r.v6, r.first));
        // Adjacent ranges going to the same service are one range.
        let mut merged: Vec<(Range, Option<&ServiceRef>)> = Vec::new();
        for (range, service) in parts {
            match merged.last_mut() {
                Some((run, to))
                    if run.v6 == range.v6
                        && run.last.checked_add(1) == Some(range.first)
                        && id_of(*to) == id_of(service) =>
                {
                    run.last = range.last;
                }
                _ => merged.push((range, service)),
            }
        }
        merged
            .into_iter()
            .flat_map(|(r, service)| {
                cidrs_of_range(r.v6, r.first, r.last)
                    .into_iter()
                    .map(move |c| (c, service))
            })
            .collect()
    }
}

/// A range of addresses on which routing is the same in every state considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    v6: bool,
    first: u128,
    last: u128,
}

/// The pieces of the address space covered by `cidrs`, in address order (IPv4
/// first): cut at every CIDR's first address and after its last.
fn pieces(cidrs: &[Cidr]) -> Vec<Piece> {
    let mut out = Vec::new();
    for v6 in [false, true] {
        let mut cuts: Vec<u128> = Vec::new();
        let mut to_the_end = false;
        for range in cidrs.iter().map(Range::of).filter(|r| r.v6 == v6) {
            cuts.push(range.first);
            match range.last.checked_add(1) {
                Some(after) => cuts.push(after),
                None => to_the_end = true,
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut starts = cuts.iter().peekable();
        while let Some(&first) = starts.next() {
            match starts.peek() {
                Some(&&next) => out.push(Piece {
                    v6,
                    first,
                    last: next - 1,
                }),
                None if to_the_end => out.push(Piece {
                    v6,
                    first,
                    last: u128::MAX,
                }),
                None => {}
            }
        }
    }
    out
}

/// The indexes of the pieces inside `cidr` (pieces sorted by address, and cut at
/// `cidr`'s bounds).
fn pieces_in(pieces: &[Piece], cidr: &Cidr) -> std::ops::Range<usize> {
    let range = Range::of(cidr);
    let key = |p: &Piece| (p.v6, p.first);
    let start = pieces.partition_point(|p| key(p) < (range.v6, range.first));
    let end = pieces.partition_point(|p| key(p) <= (range.v6, range.last));
    start..end.max(start)
}

/// A state of a prefix: its bound CIDRs and their services, with the longest-prefix
/// match over them.
struct Routing<'a> {
    services: Vec<&'a ServiceRef>,
    table: CidrTable,
}

impl<'a> Routing<'a> {
    fn new<'b>(bindings: impl IntoIterator<Item = (&'b Cidr, &'a ServiceRef)>) -> Self {
        let (cidrs, services): (Vec<Cidr>, Vec<&ServiceRef>) =
            bindings.into_iter().map(|(c, s)| (*c, s)).unzip();
        Routing {
            services,
            table: CidrTable::new(&cidrs),
        }
    }

    /// The index of the binding deciding `piece`, and its service.
    fn decide(&self, piece: &Piece) -> Option<(usize, &'a ServiceRef)> {
        let index = self.table.decider(piece.v6, piece.first)?;
        Some((index, *self.services.get(index)?))
    }

    fn service(&self, piece: &Piece) -> Option<&'a ServiceRef> {
        self.decide(piece).map(|(_, s)| s)
    }
}

fn id_of(service: Option<&ServiceRef>) -> Option<&ServiceId> {
    service.map(|s| &s.id)
}

/// Groups `pieces` by a key, in the order of their first piece, and turns each
/// group into CIDRs (runs of adjacent pieces merged first).
fn grouped<K: Eq + std::hash::Hash, V>(
    pieces: impl IntoIterator<Item = (Piece, K, V)>,
) -> Vec<(Vec<Cidr>, V)> {
    let mut index: HashMap<K, usize> = HashMap::new();
    let mut groups: Vec<(Vec<Piece>, V)> = Vec::new();
    for (piece, key, value) in pieces {
        let at = *index.entry(key).or_insert_with(|| {
            groups.push((Vec::new(), value));
            groups.len() - 1
        });
        let Some((runs, _)) = groups.get_mut(at) else {
            continue;
        };
        match runs.last_mut() {
            Some(run) if run.v6 == piece.v6 && run.last.checked_add(1) == Some(piece.first) => {
                run.last = piece.last;
            }
            _ => runs.push(piece),
        }
    }
    groups
        .into_iter()
        .map(|(runs, value)| {
            let cidrs = runs
                .iter()
                .flat_map(|r| cidrs_of_range(r.v6, r.first, r.last))
                .collect();
            (cidrs, value)
        })
        .collect()
}

/// The live bindings of a prefix that the file does not list (`kept`), with the
/// routing each changes against the file's bindings (`listed`); by address.
pub(super) fn unlisted(
    listed: &[(Cidr, ServiceRef)],
    kept: &[(Cidr, ServiceRef, BindingId)],
) -> Vec<Unlisted> {
    if kept.is_empty() {
        return Vec::new();
    }
    let file = Routing::new(listed.iter().map(|(c, s)| (c, s)));
    let both = Routing::new(
        listed
            .iter()
            .map(|(c, s)| (c, s))
            .chain(kept.iter().map(|(c, s, _)| (c, s))),
    );
    let cidrs: Vec<Cidr> = listed
        .iter()
        .map(|(c, _)| *c)
        .chain(kept.iter().map(|(c, _, _)| *c))
        .collect();
    let all = pieces(&cidrs);
    let mut out: Vec<Unlisted> = kept
        .iter()
        .enumerate()
        .map(|(i, (cidr, service, id))| {
            let decided = pieces_in(&all, cidr).filter_map(|p| {
                let piece = *all.get(p)?;
                let (decider, _) = both.decide(&piece)?;
                let there = file.service(&piece);
                (decider == listed.len() + i && id_of(there) != Some(&service.id))
                    .then(|| (piece, id_of(there).cloned(), there))
            });
            Unlisted {
                binding: id.clone(),
                cidr: *cidr,
                service: service.clone(),
                reroutes: grouped(decided)
                    .into_iter()
                    .map(|(cidrs, file)| Reroute {
                        cidrs,
                        file: file.cloned(),
                    })
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| by_address(&a.cidr, &b.cidr));
    out
}

/// The transitions of a prefix whose live bindings are `live` (one per CIDR) when
/// `steps` are made in order; steps counted from 1 within `steps`.
pub(super) fn transitions(live: &[(Cidr, ServiceRef)], steps: &[Step]) -> Vec<Transition> {
    let created = steps.iter().filter_map(|s| match s {
        Step::Create { cidr, .. } => Some(*cidr),
        Step::Delete { .. } => None,
    });
    let cidrs: Vec<Cidr> = live.iter().map(|(c, _)| *c).chain(created).collect();
    let all = pieces(&cidrs);

    let mut state: BTreeMap<Cidr, &ServiceRef> = live.iter().map(|(c, s)| (*c, s)).collect();
    let now = Routing::new(state.iter().map(|(c, s)| (c, *s)));
    let mut passes: Vec<Vec<(Option<&ServiceRef>, usize)>> = all
        .iter()
        .map(|piece| vec![(now.service(piece), 0)])
        .collect();
    for (number, step) in (1..).zip(steps) {
        match step {
            Step::Delete { cidr, .. } => {
                state.remove(cidr);
            }
            Step::Create { cidr, service } => {
                state.insert(*cidr, service);
            }
        }
        // Only the addresses of the step's CIDR can change.
        let changed = step.cidr();
        let routing = Routing::new(around_and_inside(&state, changed));
        for p in pieces_in(&all, changed) {
            let (Some(piece), Some(history)) = (all.get(p), passes.get_mut(p)) else {
                continue;
            };
            let service = routing.service(piece);
            if history
                .last()
                .is_none_or(|(s, _)| id_of(*s) != id_of(service))
            {
                history.push((service, number));
            }
        }
    }

    let changed = all.iter().zip(passes).filter(|(_, h)| h.len() > 1);
    let keyed = changed.map(|(piece, history)| {
        let key: Vec<(Option<ServiceId>, usize)> = history
            .iter()
            .map(|(s, n)| (id_of(*s).cloned(), *n))
            .collect();
        (*piece, key, history)
    });
    grouped(keyed)
        .into_iter()
        .map(|(cidrs, history)| Transition {
            cidrs,
            passes: history
                .into_iter()
                .map(|(service, after_step)| Pass {
                    service: service.cloned(),
                    after_step,
                })
                .collect(),
        })
        .collect()
}

/// The bindings of `state` that can decide an address of `cidr`: those around it
/// and those inside it (CIDRs are nested or disjoint). `state` is ordered by
/// address then length, so those inside `cidr` are one range of it.
fn around_and_inside<'s, 'a>(
    state: &'s BTreeMap<Cidr, &'a ServiceRef>,
    cidr: &Cidr,
) -> Vec<(&'s Cidr, &'a ServiceRef)> {
    let range = Range::of(cidr);
    let last = cidr_at(range.v6, range.last, if range.v6 { 128 } else { 32 });
    let mut near: Vec<(&Cidr, &ServiceRef)> = match last {
        Some(last) => state.range(*cidr..=last).map(|(c, s)| (c, *s)).collect(),
        None => state
            .iter()
            .filter(|(c, _)| cidr.contains_cidr(c))
            .map(|(c, s)| (c, *s))
            .collect(),
    };
    let mut outer = supernet(cidr);
    while let Some(around) = outer {
        near.extend(state.get_key_value(&around).map(|(c, s)| (c, *s)));
        outer = supernet(&around);
    }
    near
}

/// Numbers the steps of each prefix's transitions over the whole plan, as `apply`
/// makes them: the steps of the prefixes before come first.
pub(super) fn number_over_the_plan(prefixes: &mut [PrefixPlan]) {
    let mut before = 0;
    for prefix in prefixes {
        for pass in prefix
            .transitions
            .iter_mut()
            .flat_map(|t| t.passes.iter_mut())
            .filter(|p| p.after_step > 0)
        {
            pass.after_step += before;
        }
        before += prefix.steps.len();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    fn transition(services: &[Option<&str>]) -> Transition {
        let passes = services
            .iter()
            .zip(0..)
            .map(|(name, after_step)| Pass {
                service: name.map(|n| ServiceRef {
                    id: n.parse().unwrap(),
                    name: n.to_owned(),
                }),
                after_step,
            })
            .collect();
        Transition {
            cidrs: vec![c("10.0.0.0/24")],
            passes,
        }
    }

    #[test]
    fn third_services_and_gaps_are_told_apart() {
        let direct = transition(&[Some("MT"), Some("CDN")]);
        assert!(direct.in_between().is_empty());
        assert!(!direct.has_gap() && !direct.has_third_service());
        // Back to where it was, then on: no third service, a gap.
        let back = transition(&[Some("CDN"), None, Some("CDN"), Some("Spectrum")]);
        assert!(back.has_gap() && !back.has_third_service());
        let away = transition(&[Some("CDN"), Some("MT"), Some("Spectrum")]);
        assert!(!away.has_gap() && away.has_third_service());
        assert_eq!(away.before().map(|s| s.name.as_str()), Some("CDN"));
        assert_eq!(away.after().map(|s| s.name.as_str()), Some("Spectrum"));
        // A first or last pass with no binding is no gap: it is where the range
        // starts or ends.
        let created = transition(&[None, Some("MT")]);
        assert!(!created.has_gap());
        assert_eq!(created.before(), None);
    }

    fn service(name: &str) -> ServiceRef {
        ServiceRef {
            id: name.parse().unwrap(),
            name: name.to_owned(),
        }
    }

    fn prefix_plan(live: &[(Cidr, ServiceRef)], steps: Vec<Step>) -> PrefixPlan {
        PrefixPlan {
            prefix: "p1".parse().unwrap(),
            cidr: None,
            live: Vec::new(),
            changes: Vec::new(),
            transitions: transitions(live, &steps),
            steps,
            unlisted: Vec::new(),
        }
    }

    fn delete(cidr: &str, to: &str) -> Step {
        Step::Delete {
            binding: "b1".parse().unwrap(),
            cidr: c(cidr),
            service: service(to),
        }
    }

    fn create(cidr: &str, to: &str) -> Step {
        Step::Create {
            cidr: c(cidr),
            service: service(to),
        }
    }

    fn routing(plan: &PrefixPlan, within: &str, made: usize) -> Vec<String> {
        plan.routing_after(&c(within), made)
            .into_iter()
            .map(|(cidr, to)| format!("{cidr} {}", to.map_or("none", |s| s.name.as_str())))
            .collect()
    }

    #[test]
    fn the_routing_where_a_run_stops() {
        let (mt, cdn) = (service("MT"), service("CDN"));
        // A replace: CDN to Spectrum, falling back to the base in between.
        let replace = prefix_plan(
            &[
                (c("10.0.0.0/24"), mt.clone()),
                (c("10.0.0.7/32"), cdn.clone()),
            ],
            vec![
                delete("10.0.0.7/32", "CDN"),
                create("10.0.0.7/32", "Spectrum"),
            ],
        );
        assert_eq!(replace.transitions[0].at(0), Some(&cdn));
        assert_eq!(replace.transitions[0].at(1), Some(&mt));
        assert_eq!(routing(&replace, "10.0.0.7/32", 0), ["10.0.0.7/32 CDN"]);
        assert_eq!(routing(&replace, "10.0.0.7/32", 1), ["10.0.0.7/32 MT"]);
        assert_eq!(
            routing(&replace, "10.0.0.7/32", 2),
            ["10.0.0.7/32 Spectrum"]
        );
        // Only the addresses whose routing changes, and only those asked for.
        assert_eq!(routing(&replace, "10.0.0.0/24", 1), ["10.0.0.7/32 MT"]);
        assert!(routing(&replace, "10.0.0.8/29", 1).is_empty());

        // The base replaced (MT to CDN) around a child kept on CDN: the child and
        // the rest of the base have different histories, and ranges that go to the
        // same service once the run stops are given as one.
        let base = prefix_plan(
            &[
                (c("10.0.0.0/24"), mt.clone()),
                (c("10.0.0.32/27"), cdn.clone()),
            ],
            vec![
                delete("10.0.0.32/27", "CDN"),
                delete("10.0.0.0/24", "MT"),
                create("10.0.0.0/24", "CDN"),
                create("10.0.0.32/27", "CDN"),
            ],
        );
        assert_eq!(base.transitions.len(), 2, "{:?}", base.transitions);
        assert_eq!(routing(&base, "10.0.0.0/24", 1), ["10.0.0.0/24 MT"]);
        assert_eq!(routing(&base, "10.0.0.0/24", 2), ["10.0.0.0/24 none"]);
        assert_eq!(
            routing(&base, "10.0.0.0/24", 0),
            [
                "10.0.0.0/27 MT",
                "10.0.0.32/27 CDN",
                "10.0.0.64/26 MT",
                "10.0.0.128/25 MT"
            ]
        );
        // A CIDR inside a transition's range gets its own part of it.
        assert_eq!(routing(&base, "10.0.0.128/26", 2), ["10.0.0.128/26 none"]);
    }

    #[test]
    fn the_bindings_around_and_inside_a_cidr() {
        let service = ServiceRef {
            id: "s1".parse().unwrap(),
            name: "S".to_owned(),
        };
        let state: BTreeMap<Cidr, &ServiceRef> = [
            "10.0.0.0/16",
            "10.0.0.0/24",
            "10.0.0.0/25",
            "10.0.0.128/32",
            "10.0.0.255/32",
            "10.0.1.0/24",
            "9.255.255.255/32",
            "::/0",
        ]
        .into_iter()
        .map(|s| (c(s), &service))
        .collect();
        let mut near: Vec<String> = around_and_inside(&state, &c("10.0.0.0/24"))
            .into_iter()
            .map(|(c, _)| c.to_string())
            .collect();
        near.sort();
        assert_eq!(
            near,
            [
                "10.0.0.0/16",
                "10.0.0.0/24",
                "10.0.0.0/25",
                "10.0.0.128/32",
                "10.0.0.255/32"
            ]
        );
        let near = around_and_inside(&state, &c("2001:db8::/32"));
        assert_eq!(near.len(), 1);
    }

    #[test]
    fn pieces_cut_at_every_bound() {
        let all = pieces(&[c("10.0.0.0/24"), c("10.0.0.16/28"), c("::/0")]);
        let bounds: Vec<(bool, u128, u128)> = all.iter().map(|p| (p.v6, p.first, p.last)).collect();
        let base = 0x0a00_0000;
        assert_eq!(
            bounds,
            [
                (false, base, base + 15),
                (false, base + 16, base + 31),
                (false, base + 32, base + 255),
                (true, 0, u128::MAX),
            ]
        );
        assert_eq!(pieces_in(&all, &c("10.0.0.16/28")), 1..2);
        assert_eq!(pieces_in(&all, &c("10.0.0.0/24")), 0..3);
        // A CIDR that was not cut at holds no whole piece.
        assert!(pieces_in(&all, &c("2001:db8::/32")).is_empty());
    }
}
