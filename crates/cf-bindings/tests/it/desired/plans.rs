//! Planning: errors, replaces and their fallback, the base binding's replacement,
//! saved plans and staleness, and export.

use cf_bindings::{
    Service,
    desired::{
        ChangeKind, Desired, DesiredBinding, DesiredPrefix, DiagnosticKind, Live, Plan, PlanSource,
        Step, export, plan,
    },
};

use super::{BASE, CDN, MT, PREFIX, SPECTRUM, b, binding, cidr, file, live, only, parse, services};

#[test]
fn plan_errors_name_what_is_wrong() {
    let live_base = live(&[(BASE, MT)]);
    let d = parse(&file(
        false,
        &[&b(BASE, "Magic Transit"), &b("10.0.0.7/32", "Akamai")],
    ));
    let e = plan(&d, &live_base, &services()).unwrap_err();
    assert_eq!(only(&e), (DiagnosticKind::UnknownService, 7, 37));
    assert!(
        e.to_string().contains("CDN, Magic Transit, Spectrum"),
        "{e}"
    );

    // Without `cidr` in the file, the live base binding tells the prefix.
    let text = format!(
        "[[prefix]]\nid = \"{PREFIX}\"\nbindings = [\n  {}\n]\n",
        b("10.0.9.0/28", "CDN")
    );
    let e = plan(&parse(&text), &live_base, &services()).unwrap_err();
    assert_eq!(only(&e), (DiagnosticKind::OutsidePrefix, 4, 12), "{e}");

    let e = plan(&parse(&file(false, &[])), &Live::new(), &services()).unwrap_err();
    assert_eq!(only(&e), (DiagnosticKind::MissingLiveState, 2, 6));
    let e = plan(
        &parse(&file(false, &[])),
        &live(&[("10.0.0.0/23", MT)]),
        &services(),
    )
    .unwrap_err();
    assert_eq!(only(&e), (DiagnosticKind::PrefixCidrMismatch, 3, 8));

    // A live binding kept because prune is off may not overlap a listed one.
    let now = live(&[(BASE, MT), ("10.0.0.0/28", CDN)]);
    let d = parse(&file(
        false,
        &[&b(BASE, "Magic Transit"), &b("10.0.0.4/30", "Spectrum")],
    ));
    let e = plan(&d, &now, &services()).unwrap_err();
    assert_eq!(only(&e), (DiagnosticKind::CdnSpectrum, 7, 12));
    assert!(e.to_string().contains("kept because prune is off"), "{e}");
    // With prune, it is deleted first.
    let d = parse(&file(
        true,
        &[&b(BASE, "Magic Transit"), &b("10.0.0.4/30", "Spectrum")],
    ));
    let p = plan(&d, &now, &services()).unwrap();
    assert_eq!(ops(&p), ["-10.0.0.0/28", "+10.0.0.4/30"]);
}

/// The steps as `-cidr` (delete) and `+cidr` (create).
fn ops(plan: &Plan) -> Vec<String> {
    plan.steps()
        .map(|(_, s)| match s {
            Step::Delete { cidr, .. } => format!("-{cidr}"),
            Step::Create { cidr, .. } => format!("+{cidr}"),
        })
        .collect()
}

#[test]
fn a_service_change_is_a_replace_with_its_fallback() {
    let now = live(&[(BASE, MT), ("10.0.0.7/32", CDN), ("10.0.0.64/26", CDN)]);
    let d = parse(&file(
        false,
        &[
            &b(BASE, "magic transit"),
            &b("10.0.0.7/32", "Spectrum"),
            &b("10.0.0.16/28", "CDN"),
        ],
    ));
    let p = plan(&d, &now, &services()).unwrap();
    let changes: Vec<_> = p.changes().map(|(_, c)| c.clone()).collect();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(changes[0].kind, ChangeKind::Replace);
    assert_eq!(changes[0].cidr, cidr("10.0.0.7/32"));
    assert_eq!(changes[0].before.as_ref().unwrap().name, "CDN");
    assert_eq!(changes[0].after.as_ref().unwrap().name, "Spectrum");
    assert_eq!(changes[0].fallback.as_ref().unwrap().name, "Magic Transit");
    assert_eq!(changes[1].kind, ChangeKind::Create);
    assert_eq!(changes[1].fallback, None);
    assert_eq!(ops(&p), ["-10.0.0.7/32", "+10.0.0.7/32", "+10.0.0.16/28"]);
    assert!(!p.is_stale(&now));
    assert!(p.is_stale(&live(&[
        (BASE, MT),
        ("10.0.0.7/32", SPECTRUM),
        ("10.0.0.64/26", CDN)
    ])));
    // A saved plan reads back the same.
    let saved = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<Plan>(&saved).unwrap(), p);
}

#[test]
fn replacing_the_base_recreates_what_it_holds() {
    let now = live(&[(BASE, MT), ("10.0.0.7/32", CDN), ("10.0.0.8/29", CDN)]);
    // A binding the file leaves out would be lost if an apply stopped half-way.
    let d = parse(&file(
        false,
        &[&b(BASE, "Spectrum"), &b("10.0.0.7/32", "CDN")],
    ));
    let e = plan(&d, &now, &services()).unwrap_err();
    assert_eq!(only(&e), (DiagnosticKind::UnlistedRecreate, 6, 12), "{e}");
    assert!(e.to_string().contains("10.0.0.8/29 (CDN)"), "{e}");
    let d = parse(&file(
        false,
        &[
            &b(BASE, "Spectrum"),
            &b("10.0.0.7/32", "Spectrum"),
            &b("10.0.0.8/29", "CDN"),
        ],
    ));
    let p = plan(&d, &now, &services()).unwrap();
    let kinds: Vec<_> = p
        .changes()
        .map(|(_, c)| (c.kind, c.cidr.to_string(), c.fallback.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::Replace, BASE.to_owned(), None),
            (ChangeKind::Replace, "10.0.0.7/32".to_owned(), None),
            (ChangeKind::Recreate, "10.0.0.8/29".to_owned(), None),
        ]
    );
    assert_eq!(
        ops(&p),
        [
            "-10.0.0.7/32",
            "-10.0.0.8/29",
            "-10.0.0.0/24",
            "+10.0.0.0/24",
            "+10.0.0.8/29",
            "+10.0.0.7/32"
        ]
    );
}

#[test]
fn export_renders_a_file_that_plans_nothing() {
    let now = live(&[("10.0.0.7/32", CDN), (BASE, MT), ("10.0.0.16/28", SPECTRUM)]);
    let desired = export(
        Some("023e105f4ecef8ad9ca31a8372d0c353".parse().unwrap()),
        &now,
        &services(),
    );
    let text = desired.to_toml();
    assert_eq!(
        text,
        format!(
            "account = \"023e105f4ecef8ad9ca31a8372d0c353\"\n\n[[prefix]]\nid = \"{PREFIX}\"\ncidr = \"10.0.0.0/24\"\nprune = false\nbindings = [\n  {{ cidr = \"10.0.0.0/24\",  service = \"Magic Transit\" }},\n  {{ cidr = \"10.0.0.7/32\",  service = \"CDN\" }},\n  {{ cidr = \"10.0.0.16/28\", service = \"Spectrum\" }},\n]\n"
        )
    );
    let back = parse(&text);
    assert_eq!(back, parse(&back.to_toml()));
    assert!(back.validate().is_empty());
    assert!(plan(&back, &now, &services()).unwrap().is_empty());
}

#[test]
fn ipv6_prefixes_and_bindings_built_in_code() {
    let mut prefix = DesiredPrefix::new(PREFIX.parse().unwrap());
    prefix.prune = true;
    prefix.bindings = vec![
        DesiredBinding::new(cidr("2001:db8::/48"), "Magic Transit"),
        DesiredBinding::new(cidr("2001:db8:0:1::/64"), CDN),
    ];
    let mut desired = Desired::new();
    desired.prefixes.push(prefix);
    let p = plan(&desired, &live(&[]), &services()).unwrap();
    assert_eq!(ops(&p), ["+2001:db8::/48", "+2001:db8:0:1::/64"]);
    // Neither the file nor the live bindings give the prefix's CIDR: the plan does
    // not guess it (the account's prefixes would give it).
    assert_eq!(p.prefixes[0].cidr, None);
    let mut now = live(&[]);
    now.set_account_prefixes(vec![cf_bindings::IpPrefix::new(
        PREFIX.parse().unwrap(),
        cidr("2001:db8::/48"),
    )]);
    let p = plan(&desired, &now, &services()).unwrap();
    assert_eq!(p.prefixes[0].cidr, Some(cidr("2001:db8::/48")));
}

#[test]
fn bindings_as_tables_and_json_shapes() {
    let text = format!(
        "[[prefix]]\nid = \"{PREFIX}\"\ncidr = \"{BASE}\"\n\n[[prefix.bindings]]\ncidr = \"{BASE}\"\nservice = \"CDN\"\n\n[[prefix.bindings]]\ncidr = \"10.0.0.6/32\"\nservice = \"CDN\"\n\n[[prefix.bindings]]\ncidr = \"10.0.0.7/32\"\nservice = \"CDN\"\n"
    );
    let d = parse(&text);
    assert_eq!(d.prefixes[0].bindings.len(), 3);
    assert!(!d.prefixes[0].prune);
    let warnings = d.validate();
    let json = serde_json::to_value(&warnings).unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"severity": "warning", "kind": "redundant", "cidr": "10.0.0.6/32", "enclosing": BASE,
             "message": "10.0.0.6/32 goes to CDN like the base binding 10.0.0.0/24 around it: it changes nothing; remove it",
             "location": {"file": "bindings.toml", "line": 10, "column": 8}},
            {"severity": "warning", "kind": "redundant", "cidr": "10.0.0.7/32", "enclosing": BASE,
             "message": "10.0.0.7/32 goes to CDN like the base binding 10.0.0.0/24 around it: it changes nothing; remove it",
             "location": {"file": "bindings.toml", "line": 14, "column": 8}},
        ])
    );
    let p = plan(&d, &live(&[(BASE, MT)]), &services()).unwrap();
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["version"], 2);
    // The planner records no file: the program that read it does.
    assert_eq!(json["source"], serde_json::Value::Null);
    let mut recorded = p.clone();
    recorded.source = Some(PlanSource::new("envs/prod.toml", "AB".repeat(32)));
    let saved = serde_json::to_value(&recorded).unwrap();
    assert_eq!(
        saved["source"],
        serde_json::json!({"path": "envs/prod.toml", "sha256": "ab".repeat(32)})
    );
    let back: Plan = serde_json::from_value(saved).unwrap();
    assert_eq!(back, recorded);
    assert_eq!(json["prefixes"][0]["steps"][0]["op"], "delete");
    assert_eq!(json["prefixes"][0]["changes"][0]["kind"], "replace");
    assert_eq!(json["prefixes"][0]["live"][0]["cidr"], BASE);
}

#[test]
fn export_names_services_only_when_the_name_finds_them_back() {
    let other_cdn = "0123456789abcdef0123456789abcdef";
    let mut all = services();
    all.push(Service::new(other_cdn.parse().unwrap(), "cdn"));
    let mut nameless = binding(1, &cidr("10.0.0.8/29"), SPECTRUM);
    nameless.service_name = String::new();
    let mut second_cdn = binding(2, &cidr("10.0.0.7/32"), other_cdn);
    second_cdn.service_name = "cdn".to_owned();
    let now: Live = [(
        PREFIX.parse().unwrap(),
        vec![binding(0, &cidr(BASE), MT), nameless, second_cdn],
    )]
    .into_iter()
    .collect();
    let desired = export(None, &now, &all);
    let services: Vec<&str> = desired.prefixes[0]
        .bindings
        .iter()
        .map(|b| b.service.as_str())
        .collect();
    // "cdn" finds the first CDN, so the second is written by id.
    assert_eq!(services, ["Magic Transit", other_cdn, "Spectrum"]);
    assert!(plan(&desired, &now, &all).unwrap().is_empty());
    // A plan is stale for a prefix that is no longer listed.
    let p = plan(&desired, &now, &all).unwrap();
    assert_eq!(p.stale_prefixes(&Live::new()), [PREFIX.parse().unwrap()]);
}
