//! Following the traffic through a plan: the routing a run stopped after some
//! steps leaves ([`PrefixPlan::routing_after`]), the routing the live bindings the
//! file does not list change ([`unlisted`]), and where every address whose routing
//! changes goes after each step ([`transitions`]).

use std::collections::BTreeMap;

use super::pieces::{Routing, grouped, id_of, pieces, pieces_in};
use super::types::{Pass, Reroute, Transition, Unlisted};
use crate::desired::{
    PrefixPlan, ServiceRef, Step,
    net::{Range, by_address, cidr_at, cidrs_of_range, supernet},
};
use crate::types::{
    cidr::Cidr,
    ids::{BindingId, ServiceId},
};

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

/// The live bindings of a prefix that the file does not list (`kept`), with the
/// routing each changes against the file's bindings (`listed`); by address.
pub(in crate::desired) fn unlisted(
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
pub(in crate::desired) fn transitions(
    live: &[(Cidr, ServiceRef)],
    steps: &[Step],
) -> Vec<Transition> {
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
pub(in crate::desired) fn number_over_the_plan(prefixes: &mut [PrefixPlan]) {
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
}
