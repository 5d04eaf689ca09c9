//! Saved plans checked before they are applied ([`Plan::verify`]): the steps are
//! those the changes call for, each delete names its live binding truly, and the
//! changes follow from the live bindings the plan records.

use cf_bindings::desired::{ChangeKind, Live, MismatchKind, Plan, ServiceRef, Step, plan};

use super::{BASE, CDN, MT, PREFIX, SPECTRUM, b, cidr, file, live, parse, services};

/// The live state of these tests: the base, a CDN /32 and a Spectrum /29.
fn now() -> Live {
    live(&[(BASE, MT), ("10.0.0.7/32", CDN), ("10.0.0.16/29", SPECTRUM)])
}

/// A plan that adds one harmless CDN binding to [`now`].
fn one_create() -> Plan {
    let d = parse(&file(
        false,
        &[&b(BASE, "Magic Transit"), &b("10.0.0.64/32", "CDN")],
    ));
    plan(&d, &now(), &services()).unwrap()
}

/// The delete step of the live binding of `cidr`, as the planner writes it.
fn delete_of(live: &Live, at: &str) -> Step {
    let bindings = live.get(&PREFIX.parse().unwrap()).unwrap();
    let binding = bindings.iter().find(|b| b.cidr == cidr(at)).unwrap();
    Step::Delete {
        binding: binding.id.clone(),
        cidr: binding.cidr,
        service: ServiceRef {
            id: binding.service_id.clone(),
            name: binding.service_name.clone(),
        },
    }
}

fn refusal(p: &Plan, live: &Live) -> (MismatchKind, String) {
    let e = p.verify(live, &services()).unwrap_err();
    assert_eq!(e.prefix.as_str(), PREFIX);
    // Wrong in itself, not stale: planning again would not fix it.
    assert!(!e.is_stale(), "{e}");
    (e.kind().clone(), e.to_string())
}

#[test]
fn plans_verify_against_the_state_they_were_made_from() {
    let p = one_create();
    assert_eq!(p.verify(&now(), &services()), Ok(()));
    // Read back from JSON, as `apply PLAN` reads it.
    let back: Plan = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back.verify(&now(), &services()), Ok(()));

    // Replaces, deletes with prune, and a base replacement that recreates.
    let d = parse(&file(
        true,
        &[&b(BASE, "Spectrum"), &b("10.0.0.7/32", "Spectrum")],
    ));
    let p = plan(&d, &now(), &services()).unwrap();
    assert!(p.changes().any(|(_, c)| c.kind == ChangeKind::Replace));
    assert!(p.changes().any(|(_, c)| c.kind == ChangeKind::Delete));
    assert_eq!(p.verify(&now(), &services()), Ok(()));
    let d = parse(&file(
        false,
        &[
            &b(BASE, "Spectrum"),
            &b("10.0.0.7/32", "CDN"),
            &b("10.0.0.16/29", "Spectrum"),
        ],
    ));
    let p = plan(&d, &now(), &services()).unwrap();
    assert!(p.changes().any(|(_, c)| c.kind == ChangeKind::Recreate));
    assert_eq!(p.verify(&now(), &services()), Ok(()));
    // A recreate keeps its service: shown once, not as `CDN → CDN`.
    let mut tampered = p.clone();
    let recreate = tampered.prefixes[0]
        .changes
        .iter()
        .position(|c| c.kind == ChangeKind::Recreate)
        .unwrap();
    tampered.prefixes[0].changes.swap(0, recreate);
    let message = tampered
        .verify(&now(), &services())
        .unwrap_err()
        .to_string();
    assert!(message.contains("(CDN)"), "{message}");
    assert!(!message.contains("CDN → CDN"), "{message}");

    // The live bindings changed since: stale, not wrong.
    let changed = live(&[(BASE, MT), ("10.0.0.7/32", SPECTRUM)]);
    let e = one_create().verify(&changed, &services()).unwrap_err();
    assert!(e.is_stale(), "{e}");
    assert!(e.to_string().contains("not those the plan was made from"));
    let e = one_create().verify(&Live::new(), &services()).unwrap_err();
    assert!(e.is_stale(), "{e}");
}

/// The attack of a saved plan: `changes` shows one harmless create while `steps`
/// deletes the CDN and Spectrum bindings.
#[test]
fn steps_that_are_not_what_the_changes_call_for_are_refused() {
    let live = now();
    let mut p = one_create();
    let create = p.prefixes[0].steps[0].clone();
    p.prefixes[0].steps = vec![
        delete_of(&live, "10.0.0.16/29"),
        delete_of(&live, "10.0.0.7/32"),
    ];
    let (kind, message) = refusal(&p, &live);
    assert_eq!(
        kind,
        MismatchKind::Steps {
            index: 1,
            planned: Some(delete_of(&live, "10.0.0.16/29")),
            derived: Some(create.clone()),
        }
    );
    // Told without the live bindings, from the plan alone.
    assert_eq!(p.check().unwrap_err().kind(), &kind);
    assert!(
        message.contains(&format!(
            "prefix {PREFIX}: the plan's steps are not those its changes call for: step 1 is `delete 10.0.0.16/29 (Spectrum, binding "
        )),
        "{message}"
    );
    assert!(
        message.ends_with("where the changes call for `create 10.0.0.64/32 (CDN)`"),
        "{message}"
    );

    // One step more than the changes call for, or one less.
    let mut p = one_create();
    p.prefixes[0].steps.push(delete_of(&live, "10.0.0.7/32"));
    let (kind, message) = refusal(&p, &live);
    assert!(
        matches!(
            kind,
            MismatchKind::Steps {
                index: 2,
                derived: None,
                ..
            }
        ),
        "{kind:?}"
    );
    assert!(
        message.ends_with("where the changes call for nothing"),
        "{message}"
    );
    let mut p = one_create();
    p.prefixes[0].steps.clear();
    assert!(matches!(
        refusal(&p, &live).0,
        MismatchKind::Steps {
            index: 1,
            planned: None,
            ..
        }
    ));

    // A create of another service than the change shows.
    let mut p = one_create();
    if let Step::Create { service, .. } = &mut p.prefixes[0].steps[0] {
        service.id = SPECTRUM.parse().unwrap();
    }
    assert!(matches!(
        refusal(&p, &live).0,
        MismatchKind::Steps { index: 1, .. }
    ));

    // Steps in another order than the planner's.
    let d = parse(&file(
        true,
        &[&b(BASE, "Magic Transit"), &b("10.0.0.64/26", "CDN")],
    ));
    let mut p = plan(&d, &live, &services()).unwrap();
    assert_eq!(p.prefixes[0].steps.len(), 3);
    assert_eq!(p.verify(&live, &services()), Ok(()));
    p.prefixes[0].steps.swap(0, 2);
    assert!(matches!(
        refusal(&p, &live).0,
        MismatchKind::Steps { index: 1, .. }
    ));
}

#[test]
fn a_delete_step_that_misnames_its_live_binding_is_refused() {
    let live = now();
    let d = parse(&file(
        true,
        &[&b(BASE, "Magic Transit"), &b("10.0.0.7/32", "CDN")],
    ));
    let planned = plan(&d, &live, &services()).unwrap();
    let truth = delete_of(&live, "10.0.0.16/29");
    assert_eq!(planned.prefixes[0].steps, std::slice::from_ref(&truth));

    let Step::Delete {
        binding,
        cidr: at,
        service,
    } = truth.clone()
    else {
        unreachable!()
    };
    let cdn = ServiceRef {
        id: CDN.parse().unwrap(),
        name: "CDN".to_owned(),
    };
    // Another CIDR or service than the recorded binding's: refused offline (the
    // service is named as the plan's change of its CIDR names it).
    let wrong_cidr = Step::Delete {
        binding: binding.clone(),
        cidr: cidr("10.0.0.64/32"),
        service: service.clone(),
    };
    let wrong_service = Step::Delete {
        binding: binding.clone(),
        cidr: at,
        service: cdn.clone(),
    };
    for wrong in [wrong_cidr, wrong_service] {
        let mut p = planned.clone();
        p.prefixes[0].steps = vec![wrong.clone()];
        let offline = p.check().unwrap_err();
        assert_eq!(
            *offline.kind(),
            MismatchKind::Delete {
                step: 1,
                planned: wrong.clone(),
                live: Some(truth.clone()),
            }
        );
        let (kind, message) = refusal(&p, &live);
        assert_eq!(&kind, offline.kind());
        assert!(
            message.contains(&format!(
                "step 1 is `{wrong}`, but the live binding is `{truth}`"
            )),
            "{message}"
        );
    }

    // Another name than the change's: the step is not what the change calls for.
    let wrong_name = Step::Delete {
        binding: binding.clone(),
        cidr: at,
        service: ServiceRef {
            id: service.id.clone(),
            name: "CDN".to_owned(),
        },
    };
    let mut p = planned.clone();
    p.prefixes[0].steps = vec![wrong_name.clone()];
    assert!(matches!(
        p.check().unwrap_err().kind(),
        MismatchKind::Steps { index: 1, .. }
    ));
    // Renamed in the change too: consistent, so only the live binding tells.
    p.prefixes[0].changes[0].before = Some(ServiceRef {
        id: service.id.clone(),
        name: "CDN".to_owned(),
    });
    assert_eq!(p.check(), Ok(()));
    let (kind, message) = refusal(&p, &live);
    assert_eq!(
        kind,
        MismatchKind::Delete {
            step: 1,
            planned: wrong_name.clone(),
            live: Some(truth.clone()),
        }
    );
    assert!(
        message.contains(&format!(
            "step 1 is `{wrong_name}`, but the live binding is `{truth}`"
        )),
        "{message}"
    );

    // A binding that is not live.
    let gone = Step::Delete {
        binding: "ffffffffffffffffffffffffffffffff".parse().unwrap(),
        cidr: at,
        service,
    };
    let mut p = planned.clone();
    p.prefixes[0].steps = vec![gone.clone()];
    let (kind, message) = refusal(&p, &live);
    assert_eq!(
        kind,
        MismatchKind::Delete {
            step: 1,
            planned: gone,
            live: None,
        }
    );
    assert!(
        message.ends_with("but the prefix has no live binding ffffffffffffffffffffffffffffffff"),
        "{message}"
    );
}

#[test]
fn changes_that_do_not_follow_from_the_recorded_live_bindings_are_refused() {
    let live = now();
    // A create shown as a delete: the change is not what the state gives.
    let mut p = one_create();
    p.prefixes[0].changes[0].kind = ChangeKind::Delete;
    let (kind, message) = refusal(&p, &live);
    assert!(
        matches!(kind, MismatchKind::Changes { index: 1, .. }),
        "{kind:?}"
    );
    assert!(
        message.contains("change 1 is `delete 10.0.0.64/32 (CDN)`, where it should be `create 10.0.0.64/32 (CDN)`"),
        "{message}"
    );
    assert!(p.check().is_err());

    // A replace whose service before is another, or whose fallback is invented
    // (refused offline), or renamed (refused against the live bindings).
    let d = parse(&file(
        false,
        &[&b(BASE, "Magic Transit"), &b("10.0.0.7/32", "Spectrum")],
    ));
    let planned = plan(&d, &live, &services()).unwrap();
    assert_eq!(planned.verify(&live, &services()), Ok(()));
    let mut p = planned.clone();
    p.prefixes[0].changes[0].before.as_mut().unwrap().id = MT.parse().unwrap();
    assert!(matches!(
        p.check().unwrap_err().kind(),
        MismatchKind::Changes { index: 1, .. }
    ));
    let mut p = planned.clone();
    p.prefixes[0].changes[0].fallback = Some(ServiceRef {
        id: CDN.parse().unwrap(),
        name: "CDN".to_owned(),
    });
    assert!(matches!(
        p.check().unwrap_err().kind(),
        MismatchKind::Changes { index: 1, .. }
    ));
    let mut p = planned.clone();
    p.prefixes[0].changes[0].fallback.as_mut().unwrap().name = "CDN".to_owned();
    assert_eq!(p.check(), Ok(()));
    let (kind, message) = refusal(&p, &live);
    assert!(
        matches!(kind, MismatchKind::Changes { index: 1, .. }),
        "{kind:?}"
    );
    assert!(
        message.contains("change 1 is `replace 10.0.0.7/32 (CDN → Spectrum; falls back to CDN)`, where it should be `replace 10.0.0.7/32 (CDN → Spectrum; falls back to Magic Transit)`"),
        "{message}"
    );

    // A service under another name than the account's, or one it does not have,
    // in the change and its step alike: consistent, so only `verify` can tell.
    let renamed = |rename: fn(&mut ServiceRef)| {
        let mut p = one_create();
        rename(p.prefixes[0].changes[0].after.as_mut().unwrap());
        if let Step::Create { service, .. } = &mut p.prefixes[0].steps[0] {
            rename(service);
        }
        assert_eq!(p.check(), Ok(()));
        p
    };
    let p = renamed(|s| s.name = "Spectrum".to_owned());
    let (kind, message) = refusal(&p, &live);
    assert!(matches!(kind, MismatchKind::Service { .. }), "{kind:?}");
    assert!(
        message.ends_with("which the account names CDN"),
        "{message}"
    );
    let p = renamed(|s| s.id = "0123456789abcdef0123456789abcdef".parse().unwrap());
    assert!(
        refusal(&p, &live)
            .1
            .ends_with("which is not a service of the account")
    );

    // Another base than the live one.
    let mut p = one_create();
    p.prefixes[0].cidr = Some(cidr("10.0.0.0/25"));
    let (kind, message) = refusal(&p, &live);
    assert_eq!(
        kind,
        MismatchKind::Base {
            planned: Some(cidr("10.0.0.0/25")),
            live: cidr(BASE),
        }
    );
    assert!(
        message.contains("its live base binding is 10.0.0.0/24"),
        "{message}"
    );

    // One prefix twice: its steps would run twice.
    let mut p = one_create();
    p.prefixes.push(p.prefixes[0].clone());
    assert_eq!(refusal(&p, &live).0, MismatchKind::DuplicatePrefix);
}
