//! What a plan says about traffic, checked against brute force: the transitions
//! (every service each address passes through while the steps are made, step by
//! step), the live bindings the file does not list and the routing they change, and
//! the claim that no other valid order of the steps routes any address differently.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use cf_bindings::{
    Cidr, PrefixId, ServiceBinding,
    desired::{Live, Plan, Step, Transition, Unlisted, plan},
};
use proptest::prelude::*;

use super::props::{State, disjoint, pick, state, states, to_desired, to_live};
use super::{BASE, CDN, MT, PREFIX, SPECTRUM, b, binding, cidr, file, live, parse, services};

/// The addresses of BASE (10.0.0.0/24).
fn addresses() -> impl Iterator<Item = IpAddr> {
    (0..=255u8).map(|last| IpAddr::V4(Ipv4Addr::new(10, 0, 0, last)))
}

/// Where `state` sends `ip`: the service of the longest CIDR containing it, found
/// by looking at every binding.
fn route(state: &State, ip: IpAddr) -> Option<&'static str> {
    state
        .iter()
        .filter(|(c, _)| c.contains(ip))
        .max_by_key(|(c, _)| c.prefix_len())
        .map(|(_, s)| *s)
}

/// The services `ip` passes through over `states`, each with the index of the
/// state it starts in, consecutive repeats merged.
fn passes(states: &[State], ip: IpAddr) -> Vec<(Option<&'static str>, usize)> {
    let mut out: Vec<(Option<&'static str>, usize)> = Vec::new();
    for (i, s) in states.iter().enumerate() {
        let service = route(s, ip);
        if out.last().is_none_or(|(last, _)| *last != service) {
            out.push((service, i));
        }
    }
    out
}

/// The transitions of the plan's only prefix containing `ip`.
fn containing(plan: &Plan, ip: IpAddr) -> Vec<&Transition> {
    plan.prefixes[0]
        .transitions
        .iter()
        .filter(|t| t.cidrs.iter().any(|c| c.contains(ip)))
        .collect()
}

fn reported(t: &Transition) -> Vec<(Option<&str>, usize)> {
    t.passes
        .iter()
        .map(|p| (p.service.as_ref().map(|s| s.id.as_str()), p.after_step))
        .collect()
}

/// A random live state, a random file and `prune`, planned. `None` when refused.
fn planned(live_state: &State, want: &State, prune: bool) -> Option<(Plan, Vec<ServiceBinding>)> {
    let desired = to_desired(want, prune, true, false);
    let start = to_live(live_state);
    let live: Live = [(PREFIX.parse::<PrefixId>().unwrap(), start.clone())]
        .into_iter()
        .collect();
    plan(&desired, &live, &services()).ok().map(|p| (p, start))
}

fn steps_of(plan: &Plan) -> Vec<Step> {
    plan.steps().map(|(_, s)| s.clone()).collect()
}

/// Two states of the prefix from the same random picks, as the planning property
/// test draws them (sharing some CIDRs, overlapping others).
fn two_states() -> impl Strategy<Value = (State, State, bool)> {
    (
        (0usize..3, pick()),
        (0usize..3, pick()),
        prop::bool::weighted(0.15),
        any::<bool>(),
    )
        .prop_map(
            |((live_base, live_picks), (want_base, want_picks), live_empty, prune)| {
                let all: Vec<(u8, u8)> = live_picks
                    .iter()
                    .chain(&want_picks)
                    .map(|p| (p.0, p.1))
                    .collect();
                let pool = disjoint(&all);
                let live = if live_empty {
                    State::new()
                } else {
                    state(live_base, &live_picks, &pool)
                };
                (live, state(want_base, &want_picks, &pool), prune)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every address of the prefix, followed through the simulated states one by
    /// one: the plan reports exactly the services it passes through and the step
    /// each starts at, and reports nothing for an address whose routing stays.
    #[test]
    fn transitions_are_the_routing_of_each_intermediate_state(
        (live_state, want, prune) in two_states(),
    ) {
        let Some((p, start)) = planned(&live_state, &want, prune) else {
            return Ok(());
        };
        let simulated = states(&steps_of(&p), &start).map_err(TestCaseError::fail)?;
        for ip in addresses() {
            let expected = passes(&simulated, ip);
            let found = containing(&p, ip);
            if expected.len() == 1 {
                prop_assert!(found.is_empty(), "{ip} does not move, yet: {found:?}");
            } else {
                prop_assert_eq!(found.len(), 1, "{} in {:?}", ip, found);
                prop_assert_eq!(reported(found[0]), expected, "{}", ip);
            }
        }
        for t in &p.prefixes[0].transitions {
            prop_assert!(t.passes.len() >= 2);
            for pair in t.passes.windows(2) {
                prop_assert!(pair[0].service != pair[1].service && pair[0].after_step < pair[1].after_step);
            }
        }
    }

    /// With `prune = false`, every live binding the file leaves out is reported,
    /// with exactly the addresses it decides where the file alone sends them
    /// elsewhere; with `prune = true`, none is (they are deleted). Either way the
    /// plan has drift exactly when it has steps or unlisted bindings.
    #[test]
    fn unlisted_bindings_come_with_the_routing_they_change(
        (live_state, want, prune) in two_states(),
    ) {
        let Some((p, _)) = planned(&live_state, &want, prune) else {
            return Ok(());
        };
        let unlisted: Vec<&Unlisted> = p.unlisted().map(|(_, u)| u).collect();
        prop_assert_eq!(p.has_drift(), !p.is_empty() || !unlisted.is_empty());
        if prune {
            prop_assert!(unlisted.is_empty());
            return Ok(());
        }
        let left_out: Vec<Cidr> = live_state.keys().filter(|c| !want.contains_key(c)).copied().collect();
        let mut reported: Vec<Cidr> = unlisted.iter().map(|u| u.cidr).collect();
        reported.sort();
        prop_assert_eq!(&reported, &left_out);
        let mut end = want.clone();
        for (c, s) in &live_state {
            end.entry(*c).or_insert(s);
        }
        for u in &unlisted {
            prop_assert_eq!(Some(u.service.id.as_str()), live_state.get(&u.cidr).copied());
            for ip in addresses() {
                let decides = end
                    .keys()
                    .filter(|c| c.contains(ip))
                    .max_by_key(|c| c.prefix_len())
                    == Some(&u.cidr);
                let by_file = route(&want, ip);
                let expected = (decides && by_file != Some(u.service.id.as_str())).then_some(by_file);
                let found: Vec<Option<&str>> = u
                    .reroutes
                    .iter()
                    .filter(|r| r.cidrs.iter().any(|c| c.contains(ip)))
                    .map(|r| r.file.as_ref().map(|s| s.id.as_str()))
                    .collect();
                prop_assert_eq!(found, expected.into_iter().collect::<Vec<_>>(), "{} of {}", ip, u.cidr);
            }
        }
    }
}

/// The addresses where routing may differ between states: the first address of
/// every CIDR involved and the one after its last.
fn probes(states: &[State]) -> Vec<IpAddr> {
    let mut out: Vec<u32> = Vec::new();
    for c in states.iter().flat_map(|s| s.keys()) {
        let IpAddr::V4(first) = c.network() else {
            continue;
        };
        let first = u32::from(first);
        out.push(first);
        out.push(
            first.saturating_add(
                1u32.checked_shl(32 - u32::from(c.prefix_len()))
                    .unwrap_or(u32::MAX),
            ),
        );
    }
    out.sort_unstable();
    out.dedup();
    out.into_iter()
        .map(|a| IpAddr::V4(Ipv4Addr::from(a)))
        .filter(|ip| cidr(BASE).contains(*ip))
        .collect()
}

/// Every order of `items`.
fn orders<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut tail in orders(&rest) {
            tail.insert(0, first.clone());
            out.push(tail);
        }
    }
    out
}

/// The services each probe passes through, without their steps.
fn journeys(states: &[State], probes: &[IpAddr]) -> BTreeMap<IpAddr, Vec<Option<&'static str>>> {
    probes
        .iter()
        .map(|ip| {
            (
                *ip,
                passes(states, *ip).into_iter().map(|(s, _)| s).collect(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// The order is not a choice: every order of the same steps that the API
    /// accepts at each step passes every address through the same services as the
    /// plan's, so none sends fewer addresses to a service that is neither their old
    /// nor their new one (see the planner's documentation of its order).
    #[test]
    fn every_valid_order_routes_each_address_the_same_way(
        (live_state, want, prune) in two_states(),
    ) {
        let Some((p, start)) = planned(&live_state, &want, prune) else {
            return Ok(());
        };
        let steps = steps_of(&p);
        if steps.len() > 6 {
            return Ok(());
        }
        let planned_states = states(&steps, &start).map_err(TestCaseError::fail)?;
        let mut all_states = planned_states.clone();
        let valid: Vec<Vec<State>> = orders(&steps)
            .iter()
            .filter_map(|order| states(order, &start).ok())
            .collect();
        for s in &valid {
            all_states.extend(s.iter().cloned());
        }
        let probes = probes(&all_states);
        let expected = journeys(&planned_states, &probes);
        for s in &valid {
            prop_assert_eq!(&journeys(s, &probes), &expected);
        }
    }
}

/// The example: the base /24 goes from Magic Transit to CDN while a /28
/// (Spectrum) and a /27 (Magic Transit) stay as they are. Both are deleted, the base
/// replaced, and both created again: meanwhile the /27, Magic Transit before and
/// after, has no binding, then goes to CDN, the new base.
#[test]
fn a_base_replace_sends_a_child_through_the_new_base() {
    let now = live(&[(BASE, MT), ("10.0.0.16/28", SPECTRUM), ("10.0.0.32/27", MT)]);
    let d = parse(&file(
        false,
        &[
            &b(BASE, "CDN"),
            &b("10.0.0.16/28", "Spectrum"),
            &b("10.0.0.32/27", "Magic Transit"),
        ],
    ));
    let p = plan(&d, &now, &services()).unwrap();
    let shown: Vec<String> = p.prefixes[0]
        .transitions
        .iter()
        .map(|t| {
            let cidrs: Vec<String> = t.cidrs.iter().map(ToString::to_string).collect();
            let passes: Vec<String> = t
                .passes
                .iter()
                .map(|p| {
                    let name = p.service.as_ref().map_or("none", |s| s.name.as_str());
                    format!("{name}@{}", p.after_step)
                })
                .collect();
            format!("{}: {}", cidrs.join(" "), passes.join(" "))
        })
        .collect();
    // Steps: 1 -/28, 2 -/27, 3 -/24, 4 +/24, 5 +/27, 6 +/28.
    assert_eq!(
        shown,
        [
            "10.0.0.0/28 10.0.0.64/26 10.0.0.128/25: Magic Transit@0 none@3 CDN@4",
            "10.0.0.16/28: Spectrum@0 Magic Transit@1 none@3 CDN@4 Spectrum@6",
            "10.0.0.32/27: Magic Transit@0 none@3 CDN@4 Magic Transit@5",
        ]
    );
    let t = &p.prefixes[0].transitions;
    assert!(t[2].has_third_service() && t[2].has_gap());
    assert_eq!(t[2].before(), t[2].after());
    // The rest of the prefix goes straight from the old base to the new one, but
    // through a gap.
    assert!(!t[0].has_third_service() && t[0].has_gap());
    assert!(p.prefixes[0].unlisted.is_empty());
    // Each change says where the file lists it.
    let lines: Vec<usize> = p
        .changes()
        .map(|(_, c)| c.location.as_ref().unwrap().line)
        .collect();
    assert_eq!(lines, [6, 7, 8]);
}

/// Steps are numbered over the whole plan, as `apply` makes them: the second
/// prefix's transitions start after the first prefix's steps.
#[test]
fn steps_are_numbered_over_the_whole_plan() {
    let other = "9f1b2c3d4e5f60718293a4b5c6d7e8f9";
    let text = format!(
        "{}\n[[prefix]]\nid = \"{other}\"\nbindings = [\n  {},\n  {},\n]\n",
        file(
            false,
            &[&b(BASE, "Magic Transit"), &b("10.0.0.7/32", "CDN")]
        ),
        b("10.0.1.0/24", "Magic Transit"),
        b("10.0.1.7/32", "Spectrum"),
    );
    let mut now = live(&[(BASE, MT)]);
    now.insert(
        other.parse().unwrap(),
        vec![binding(9, &cidr("10.0.1.0/24"), MT)],
    );
    let p = plan(&parse(&text), &now, &services()).unwrap();
    let second = &p.prefixes[1].transitions;
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].passes[0].after_step, 0);
    assert_eq!(second[0].passes[1].after_step, 2);
    assert_eq!(p.prefixes[0].transitions[0].passes[1].after_step, 1);
    // A replace passes through the binding around it: the old `fallback`, now one
    // pass of its transition.
    let now = live(&[(BASE, MT), ("10.0.0.7/32", CDN)]);
    let d = parse(&file(
        false,
        &[&b(BASE, "Magic Transit"), &b("10.0.0.7/32", "Spectrum")],
    ));
    let p = plan(&d, &now, &services()).unwrap();
    let t = &p.prefixes[0].transitions;
    assert_eq!(t.len(), 1);
    assert_eq!(
        reported(&t[0]),
        [(Some(CDN), 0), (Some(MT), 1), (Some(SPECTRUM), 2)]
    );
    assert!(t[0].has_third_service() && !t[0].has_gap());
}

/// A binding made by hand that the file does not list is drift, with the routing it
/// changes; `prune = true` deletes it instead.
#[test]
fn a_binding_the_file_does_not_list_is_drift() {
    let now = live(&[(BASE, MT), ("10.0.0.128/25", SPECTRUM), ("10.0.0.8/29", MT)]);
    let d = parse(&file(false, &[&b(BASE, "Magic Transit")]));
    let p = plan(&d, &now, &services()).unwrap();
    assert!(p.is_empty());
    assert!(p.has_drift());
    let unlisted: Vec<&Unlisted> = p.unlisted().map(|(_, u)| u).collect();
    assert_eq!(unlisted.len(), 2);
    // By address: the /29 sends its addresses where the file does: no routing change.
    assert_eq!(unlisted[0].cidr, cidr("10.0.0.8/29"));
    assert!(unlisted[0].reroutes.is_empty());
    assert_eq!(unlisted[1].cidr, cidr("10.0.0.128/25"));
    assert_eq!(unlisted[1].service.name, "Spectrum");
    assert_eq!(unlisted[1].reroutes.len(), 1);
    assert_eq!(unlisted[1].reroutes[0].cidrs, [cidr("10.0.0.128/25")]);
    assert_eq!(
        unlisted[1].reroutes[0].file.as_ref().unwrap().name,
        "Magic Transit"
    );
    // Saved and read back, the plan keeps them.
    let saved = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<Plan>(&saved).unwrap(), p);
    // A plan saved before these fields existed still reads, with none.
    let mut old: serde_json::Value = serde_json::from_str(&saved).unwrap();
    old["prefixes"][0]
        .as_object_mut()
        .unwrap()
        .remove("unlisted");
    old["prefixes"][0]
        .as_object_mut()
        .unwrap()
        .remove("transitions");
    let old: Plan = serde_json::from_value(old).unwrap();
    assert!(!old.has_drift());

    let d = parse(&file(true, &[&b(BASE, "Magic Transit")]));
    let p = plan(&d, &now, &services()).unwrap();
    assert_eq!(p.unlisted().count(), 0);
    assert_eq!(p.steps().count(), 2);
    assert!(p.has_drift());

    // Without the base in the file, the live base is unlisted and takes what no
    // binding of the file covers.
    let text = format!(
        "[[prefix]]\nid = \"{PREFIX}\"\nbindings = [\n  {},\n]\n",
        b("10.0.0.128/25", "Spectrum")
    );
    let now = live(&[(BASE, MT), ("10.0.0.128/25", SPECTRUM)]);
    let p = plan(&parse(&text), &now, &services()).unwrap();
    let unlisted: Vec<&Unlisted> = p.unlisted().map(|(_, u)| u).collect();
    assert_eq!(unlisted.len(), 1);
    assert_eq!(unlisted[0].cidr, cidr(BASE));
    assert_eq!(unlisted[0].reroutes.len(), 1);
    assert_eq!(unlisted[0].reroutes[0].cidrs, [cidr("10.0.0.0/25")]);
    assert_eq!(unlisted[0].reroutes[0].file, None);
}
