//! Property tests: for random valid live and desired states of a prefix, the plan's
//! steps, applied in memory one by one under the API's rules, keep every
//! intermediate state valid and end in exactly the desired state; a state planned
//! against itself (or its export) is empty.

use std::collections::BTreeMap;

use cf_bindings::{
    BindingId, Cidr, PrefixId, ServiceBinding, ServiceId,
    desired::{Desired, DesiredBinding, DesiredPrefix, Live, Plan, Step, export, plan},
};
use proptest::prelude::*;

use super::{BASE, CDN, MT, PREFIX, SPECTRUM, binding, cidr, name_of, services};

/// A state of the prefix: CIDR → service id.
pub(super) type State = BTreeMap<Cidr, &'static str>;

pub(super) const SERVICE_IDS: [&str; 3] = [MT, CDN, SPECTRUM];

/// Disjoint more-specific CIDRs of BASE from raw `(address byte, length)` picks.
pub(super) fn disjoint(picks: &[(u8, u8)]) -> Vec<Cidr> {
    let mut kept: Vec<Cidr> = Vec::new();
    for &(addr, len) in picks {
        let net: ipnet::IpNet = format!("10.0.0.{addr}/{len}").parse().unwrap();
        let c = Cidr::new(net.trunc()).unwrap();
        if !kept
            .iter()
            .any(|k| k.contains_cidr(&c) || c.contains_cidr(k))
        {
            kept.push(c);
        }
    }
    kept
}

pub(super) fn pick() -> impl Strategy<Value = Vec<(u8, u8, usize, bool)>> {
    prop::collection::vec((any::<u8>(), 25u8..=32, 0usize..3, any::<bool>()), 0..12)
}

/// A valid state: the base (with `base_service`) and the disjoint picks that `keep`.
pub(super) fn state(base_service: usize, picks: &[(u8, u8, usize, bool)], pool: &[Cidr]) -> State {
    let mut s = State::new();
    s.insert(cidr(BASE), SERVICE_IDS[base_service]);
    for (c, &(_, _, service, keep)) in pool.iter().zip(picks.iter().cycle()) {
        if keep {
            s.insert(*c, SERVICE_IDS[service]);
        }
    }
    s
}

/// Whether a state obeys the rules: empty, or the base and disjoint bindings in it.
fn obeys_rules(s: &State) -> bool {
    let base = cidr(BASE);
    if s.is_empty() {
        return true;
    }
    let others: Vec<&Cidr> = s.keys().filter(|c| **c != base).collect();
    s.contains_key(&base)
        && others.iter().all(|c| base.contains_cidr(c))
        && others.iter().enumerate().all(|(i, a)| {
            others[i + 1..]
                .iter()
                .all(|b| !a.contains_cidr(b) && !b.contains_cidr(a))
        })
}

/// Applies the steps one by one as the API would, checking each against the rules.
fn apply(plan: &Plan, start: &[ServiceBinding]) -> Result<State, String> {
    let steps: Vec<Step> = plan.steps().map(|(_, s)| s.clone()).collect();
    let states = states(&steps, start)?;
    Ok(states.last().cloned().unwrap_or_default())
}

/// The state before the steps and after each one, made one by one as the API
/// would, each checked against the rules.
pub(super) fn states(steps: &[Step], start: &[ServiceBinding]) -> Result<Vec<State>, String> {
    let base = cidr(BASE);
    let mut now: Vec<(BindingId, Cidr, ServiceId)> = start
        .iter()
        .map(|b| (b.id.clone(), b.cidr, b.service_id.clone()))
        .collect();
    let mut next_id = 0u32;
    let state_of = |now: &[(BindingId, Cidr, ServiceId)]| -> State {
        now.iter()
            .map(|(_, c, s)| {
                (
                    *c,
                    SERVICE_IDS.into_iter().find(|k| *k == s.as_str()).unwrap(),
                )
            })
            .collect()
    };
    let mut all = vec![state_of(&now)];
    for step in steps {
        match step {
            Step::Create { cidr, service } => {
                if now.is_empty() && *cidr != base {
                    return Err(format!("first binding {cidr} is not the prefix"));
                }
                if now.iter().any(|(_, c, _)| c == cidr) {
                    return Err(format!("duplicate {cidr}"));
                }
                next_id += 1;
                now.push((
                    format!("n{next_id}").parse().unwrap(),
                    *cidr,
                    service.id.clone(),
                ));
            }
            Step::Delete { binding, cidr, .. } => {
                let at = now
                    .iter()
                    .position(|(id, _, _)| id == binding)
                    .ok_or("no such binding")?;
                if *cidr == base && now.len() > 1 {
                    return Err("base deleted while others remain".into());
                }
                now.remove(at);
            }
        }
        let s = state_of(&now);
        if s.len() != now.len() || !obeys_rules(&s) {
            return Err(format!("after {step}: {s:?} breaks the rules"));
        }
        all.push(s);
    }
    Ok(all)
}

pub(super) fn to_live(s: &State) -> Vec<ServiceBinding> {
    s.iter()
        .enumerate()
        .map(|(i, (c, id))| binding(i, c, id))
        .collect()
}

pub(super) fn to_desired(s: &State, prune: bool, with_cidr: bool, by_id: bool) -> Desired {
    let mut prefix = DesiredPrefix::new(PREFIX.parse().unwrap());
    prefix.prune = prune;
    prefix.cidr = (with_cidr && s.contains_key(&cidr(BASE))).then(|| cidr(BASE));
    prefix.bindings = s
        .iter()
        .map(|(c, id)| {
            DesiredBinding::new(
                *c,
                if by_id {
                    id.to_string()
                } else {
                    name_of(id).to_lowercase()
                },
            )
        })
        .collect();
    let mut d = Desired::new();
    d.prefixes.push(prefix);
    d
}

/// Whether the base binding's service changes while live bindings that the file
/// does not list (and does not prune) would be deleted and created again.
fn unlisted_recreate(live: &State, want: &State, prune: bool) -> bool {
    let base = cidr(BASE);
    !prune
        && matches!((live.get(&base), want.get(&base)), (Some(a), Some(b)) if a != b)
        && live.keys().any(|c| *c != base && !want.contains_key(c))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn applying_a_plan_yields_the_desired_state(
        (live_base, live_picks) in (0usize..3, pick()),
        (want_base, want_picks) in (0usize..3, pick()),
        live_empty in prop::bool::weighted(0.15),
        want_empty in prop::bool::weighted(0.15),
        drop_base in prop::bool::weighted(0.2),
        prune in any::<bool>(),
        with_cidr in any::<bool>(),
        by_id in any::<bool>(),
    ) {
        // Both states draw from one pool of CIDRs, so they share some CIDRs and
        // overlap others.
        let all: Vec<(u8, u8)> = live_picks.iter().chain(&want_picks).map(|p| (p.0, p.1)).collect();
        let pool = disjoint(&all);
        let other_pool = disjoint(&want_picks.iter().rev().map(|p| (p.0, p.1)).collect::<Vec<_>>());
        let live_state = if live_empty { State::new() } else { state(live_base, &live_picks, &pool) };
        let mut want = if want_empty { State::new() } else { state(want_base, &want_picks, if want_base == 0 { &pool } else { &other_pool }) };
        // Without prune, the file may leave the base to the live state.
        if drop_base && !prune && !live_state.is_empty() {
            want.remove(&cidr(BASE));
        }
        let mut expected = want.clone();
        if !prune {
            for (c, s) in &live_state {
                expected.entry(*c).or_insert(s);
            }
        }
        let desired = to_desired(&want, prune, with_cidr, by_id);
        let start = to_live(&live_state);
        let live: Live = [(PREFIX.parse::<PrefixId>().unwrap(), start.clone())].into_iter().collect();
        match plan(&desired, &live, &services()) {
            Ok(p) => {
                prop_assert!(obeys_rules(&expected), "planned an invalid state {expected:?}");
                prop_assert!(!unlisted_recreate(&live_state, &want, prune));
                // Read back as saved, the plan verifies against its live state.
                prop_assert_eq!(p.verify(&live, &services()), Ok(()));
                let end = apply(&p, &start).map_err(TestCaseError::fail)?;
                prop_assert_eq!(&end, &expected);
                // Converged: planning again against the result changes nothing.
                let after: Live = [(PREFIX.parse::<PrefixId>().unwrap(), to_live(&end))].into_iter().collect();
                prop_assert!(plan(&desired, &after, &services()).unwrap().is_empty());
                prop_assert_eq!(p.prefixes[0].changes.is_empty(), p.is_empty());
            }
            Err(e) => {
                // Refused: the final state breaks the rules, or the base binding's
                // service changes while live bindings not listed would have to be
                // deleted and created again.
                prop_assert!(
                    !obeys_rules(&expected) || unlisted_recreate(&live_state, &want, prune),
                    "refused a valid state {expected:?}: {e}"
                );
            }
        }
    }

    #[test]
    fn a_state_planned_against_itself_is_empty(
        (base, picks) in (0usize..3, pick()),
        prune in any::<bool>(),
        by_id in any::<bool>(),
    ) {
        let s = state(base, &picks, &disjoint(&picks.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>()));
        let live: Live = [(PREFIX.parse::<PrefixId>().unwrap(), to_live(&s))].into_iter().collect();
        let p = plan(&to_desired(&s, prune, true, by_id), &live, &services()).unwrap();
        prop_assert!(p.is_empty());
        // So is its export, through the file format.
        let text = export(None, &live, &services()).to_toml();
        let back = Desired::parse("export.toml", &text).unwrap();
        prop_assert!(!back.validate().has_errors());
        prop_assert!(plan(&back, &live, &services()).unwrap().is_empty());
    }
}

/// Any bindings at all: `(third octet, fourth octet, length, service)` with
/// lengths from /22, so some lie outside the prefix, nest or repeat; service 3 is
/// unknown.
fn any_bindings() -> impl Strategy<Value = Vec<(u8, u8, u8, usize)>> {
    let third = prop_oneof![9 => Just(0u8), 1 => Just(1u8)];
    let len = prop_oneof![1 => 22u8..25, 6 => 25u8..=32];
    let service = prop_oneof![9 => 0usize..3, 1 => Just(3usize)];
    prop::collection::vec((third, any::<u8>(), len, service), 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsing_never_panics_and_locates_errors_in_the_text(
        text in "[\\[\\]a-z0-9=\"{}., /:#\n]{0,160}",
        cut in any::<prop::sample::Index>(),
    ) {
        let valid = format!("[[prefix]]\nid = \"{PREFIX}\"\nbindings = [{{ cidr = \"{BASE}\", service = \"CDN\" }}]\n");
        let at = cut.index(valid.len() + 1);
        for input in [text.clone(), format!("{}{text}{}", &valid[..at], &valid[at..])] {
            if let Err(e) = Desired::parse("f.toml", &input) {
                prop_assert!(e.has_errors());
                for d in &e {
                    let l = d.location.as_ref().unwrap();
                    prop_assert!(l.line >= 1 && l.line <= input.lines().count() + 1, "{d}");
                    prop_assert!(l.column >= 1, "{d}");
                }
            }
        }
    }

    #[test]
    fn whatever_the_file_says_a_plan_applies_cleanly(
        (live_base, live_picks) in (0usize..3, pick()),
        raw in any_bindings(),
        base_service in prop::option::of(0usize..3),
        prune in any::<bool>(),
        with_cidr in any::<bool>(),
    ) {
        let live_state = state(live_base, &live_picks, &disjoint(&live_picks.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>()));
        let names = ["Magic Transit", "cdn", "SPECTRUM", "Akamai"];
        let mut prefix = DesiredPrefix::new(PREFIX.parse().unwrap());
        prefix.prune = prune;
        prefix.cidr = with_cidr.then(|| cidr(BASE));
        if let Some(s) = base_service {
            prefix.bindings.push(DesiredBinding::new(cidr(BASE), names[s]));
        }
        for &(third, fourth, len, service) in &raw {
            let net: ipnet::IpNet = format!("10.0.{third}.{fourth}/{len}").parse().unwrap();
            prefix.bindings.push(DesiredBinding::new(Cidr::new(net.trunc()).unwrap(), names[service]));
        }
        let mut desired = Desired::new();
        desired.prefixes.push(prefix);
        let _ = desired.validate();
        let start = to_live(&live_state);
        let live: Live = [(PREFIX.parse::<PrefixId>().unwrap(), start.clone())].into_iter().collect();
        if let Ok(p) = plan(&desired, &live, &services()) {
            let mut expected: State = desired.prefixes[0]
                .bindings
                .iter()
                .map(|b| (b.cidr, SERVICE_IDS[names.iter().position(|n| *n == b.service).unwrap()]))
                .collect();
            if !prune {
                for (c, s) in &live_state {
                    expected.entry(*c).or_insert(s);
                }
            }
            prop_assert_eq!(p.verify(&live, &services()), Ok(()));
            let end = apply(&p, &start).map_err(TestCaseError::fail)?;
            prop_assert_eq!(end, expected);
        }
    }
}

/// The oracle against the table of binding-rule cases
/// (`cf_bindings_test_server::binding_rules`): a case's existing state obeys the
/// rules, and the candidate added to it does exactly when the table allows it.
#[test]
fn the_oracle_agrees_with_every_case_of_the_rule_table() {
    use cf_bindings_test_server::binding_rules::{CASES, PREFIX as PREFIX_CIDR};
    assert_eq!(PREFIX_CIDR, BASE, "the table's prefix is the oracle's");
    for case in CASES {
        let state = |bindings: &[(&str, _)]| -> State {
            bindings.iter().map(|(c, _)| (cidr(c), MT)).collect()
        };
        assert!(
            obeys_rules(&state(case.existing)),
            "{}: the existing state",
            case.name
        );
        let mut after: Vec<(&str, _)> = case.existing.to_vec();
        after.push(case.candidate);
        // Two bindings of one CIDR are one map entry: the oracle's states cannot
        // hold a duplicate, so a duplicate is refused by the map itself.
        let duplicate = case.existing.iter().any(|(c, _)| *c == case.candidate.0);
        let allowed = !duplicate && obeys_rules(&state(&after));
        assert_eq!(allowed, case.refused_by.is_none(), "{}", case.name);
    }
}
