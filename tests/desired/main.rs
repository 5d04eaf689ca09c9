//! Bindings as code (`cf_bindings::{Desired, plan, export}`): parse errors and
//! validation rules with their locations, aggregation warnings, planning errors,
//! the order of a plan's steps, staleness, and property tests that applying a plan
//! in memory, step by step under the API's rules, yields exactly the desired state.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod props;

use cf_bindings::{
    ChangeKind, Cidr, Desired, DesiredBinding, DesiredPrefix, Diagnostic, DiagnosticKind,
    Diagnostics, Live, Plan, ProvisioningState, Service, ServiceBinding, Step, export, plan,
};

const PREFIX: &str = "2af39739cc4e3b5910c918468bb89828";
const MT: &str = "2db684ee7ca04e159946fd05b99e1bcd";
const CDN: &str = "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b";
const SPECTRUM: &str = "c4e8a2f6b0d14e3a9c7b5d2f8e6a4c1d";
const BASE: &str = "10.0.0.0/24";

fn cidr(s: &str) -> Cidr {
    s.parse().unwrap()
}

fn services() -> Vec<Service> {
    vec![
        Service::new(MT.parse().unwrap(), "Magic Transit"),
        Service::new(CDN.parse().unwrap(), "CDN"),
        Service::new(SPECTRUM.parse().unwrap(), "Spectrum"),
    ]
}

fn name_of(id: &str) -> &'static str {
    match id {
        MT => "Magic Transit",
        CDN => "CDN",
        _ => "Spectrum",
    }
}

fn binding(n: usize, c: &Cidr, service: &str) -> ServiceBinding {
    ServiceBinding::new(
        format!("b{n:031x}").parse().unwrap(),
        *c,
        service.parse().unwrap(),
        name_of(service),
        ProvisioningState::Active,
    )
}

/// Live bindings of the prefix from `(cidr, service id)` pairs.
fn live(pairs: &[(&str, &str)]) -> Live {
    let bindings = pairs
        .iter()
        .enumerate()
        .map(|(i, (c, s))| binding(i, &cidr(c), s))
        .collect();
    [(PREFIX.parse().unwrap(), bindings)].into_iter().collect()
}

/// A file of one prefix with `cidr = BASE` and the given binding lines.
fn file(prune: bool, bindings: &[&str]) -> String {
    format!(
        "[[prefix]]\nid = \"{PREFIX}\"\ncidr = \"{BASE}\"\nprune = {prune}\nbindings = [\n{}]\n",
        bindings
            .iter()
            .map(|b| format!("  {b},\n"))
            .collect::<String>()
    )
}

fn b(c: &str, s: &str) -> String {
    format!("{{ cidr = \"{c}\", service = \"{s}\" }}")
}

fn parse(text: &str) -> Desired {
    Desired::parse("bindings.toml", text).unwrap_or_else(|e| panic!("{e}"))
}

/// The diagnostics' `(kind, line, column)`.
fn found(diagnostics: &Diagnostics) -> Vec<(DiagnosticKind, usize, usize)> {
    diagnostics
        .iter()
        .map(|d: &Diagnostic| {
            let at = d.location.as_ref().expect("a location");
            assert_eq!(at.file, "bindings.toml");
            (d.kind.clone(), at.line, at.column)
        })
        .collect()
}

fn only(diagnostics: &Diagnostics) -> (DiagnosticKind, usize, usize) {
    let all = found(diagnostics);
    assert_eq!(all.len(), 1, "{diagnostics}");
    all.into_iter().next().unwrap()
}

#[test]
fn unknown_keys_are_errors_at_the_key() {
    for (text, line, column) in [
        ("acount = \"x\"\n".to_owned(), 1, 1),
        (file(false, &[]).replace("prune", "prun"), 4, 1),
        (
            file(false, &["{ cidr = \"10.0.0.0/24\", servce = \"CDN\" }"]),
            6,
            27,
        ),
    ] {
        let e = Desired::parse("bindings.toml", &text).unwrap_err();
        assert_eq!(only(&e), (DiagnosticKind::UnknownKey, line, column), "{e}");
        assert!(
            e.to_string().starts_with(&format!(
                "bindings.toml:{line}:{column}: error: unknown key"
            )),
            "{e}"
        );
    }
}

#[test]
fn invalid_toml_and_values_name_their_place() {
    let e = Desired::parse("bindings.toml", "[[prefix]\nid = 1\n").unwrap_err();
    assert_eq!(only(&e).0, DiagnosticKind::Toml);
    let e = Desired::parse(
        "bindings.toml",
        &file(false, &["{ cidr = 7, service = \"CDN\" }"]),
    )
    .unwrap_err();
    assert_eq!(only(&e), (DiagnosticKind::Toml, 6, 12), "{e}");
    // Every malformed value is reported, not just the first.
    let text = file(
        false,
        &[
            &b("10.0.0.7/24", "CDN"),
            &b("10.0.0.9", "CDN"),
            &b("10.0.0.8/32", " "),
        ],
    );
    let e = Desired::parse("bindings.toml", &text).unwrap_err();
    assert_eq!(
        found(&e),
        [
            (DiagnosticKind::InvalidValue, 6, 12),
            (DiagnosticKind::InvalidValue, 7, 12),
            (DiagnosticKind::InvalidValue, 8, 37)
        ]
    );
    let text = e.to_string();
    assert!(text.contains("did you mean 10.0.0.0/24?"), "{text}");
    assert!(text.contains("did you mean 10.0.0.9/32?"), "{text}");
}

#[test]
fn each_rule_is_an_error_with_its_line_and_column() {
    let cases: [(Vec<String>, DiagnosticKind, usize, usize); 5] = [
        (
            vec![b("10.0.0.0/24", "Magic Transit"), b("10.0.1.0/28", "CDN")],
            DiagnosticKind::OutsidePrefix,
            7,
            12,
        ),
        (
            vec![
                b("10.0.0.0/24", "Magic Transit"),
                b("10.0.0.8/29", "CDN"),
                b("10.0.0.8/29", "CDN"),
            ],
            DiagnosticKind::DuplicateCidr,
            8,
            12,
        ),
        (
            vec![
                b("10.0.0.0/24", "Magic Transit"),
                b("10.0.0.0/28", "CDN"),
                b("10.0.0.4/30", "CDN"),
            ],
            DiagnosticKind::Overlap,
            8,
            12,
        ),
        (
            vec![
                b("10.0.0.0/24", "Magic Transit"),
                b("10.0.0.0/28", "cdn"),
                b("10.0.0.4/32", "SPECTRUM"),
            ],
            DiagnosticKind::CdnSpectrum,
            8,
            12,
        ),
        (
            vec![b("10.0.0.16/28", "CDN")],
            DiagnosticKind::MissingBase,
            3,
            8,
        ),
    ];
    for (bindings, kind, line, column) in cases {
        let refs: Vec<&str> = bindings.iter().map(String::as_str).collect();
        let d = parse(&file(false, &refs)).validate();
        assert_eq!(only(&d), (kind, line, column), "{d}");
        assert!(d.has_errors());
    }
    // A CDN base may carry Spectrum addresses.
    let ok = parse(&file(
        false,
        &[&b("10.0.0.0/24", "CDN"), &b("10.0.0.7/32", "Spectrum")],
    ));
    assert!(ok.validate().is_empty());
    let twice = format!("{}\n{}", file(false, &[]), file(false, &[]));
    assert_eq!(
        only(&parse(&twice).validate()),
        (DiagnosticKind::DuplicatePrefix, 9, 6)
    );
}

#[test]
fn aggregation_warnings_suggest_the_block() {
    let text = file(
        false,
        &[
            &b("10.0.0.0/24", "Magic Transit"),
            &b("10.0.0.6/32", "CDN"),
            &b("10.0.0.7/32", "cdn"),
            &b("10.0.0.16/30", "Spectrum"),
            &b("10.0.0.20/31", "Spectrum"),
            &b("10.0.0.22/31", "Spectrum"),
            &b("10.0.0.24/29", "CDN"),
            &b("10.0.0.128/25", "Magic Transit"),
        ],
    );
    let d = parse(&text).validate();
    assert!(!d.has_errors(), "{d}");
    let agg = |block: &str, members: &[&str]| DiagnosticKind::Aggregate {
        block: cidr(block),
        members: members.iter().map(|m| cidr(m)).collect(),
    };
    assert_eq!(
        found(&d),
        [
            (agg("10.0.0.6/31", &["10.0.0.6/32", "10.0.0.7/32"]), 7, 12),
            (
                agg(
                    "10.0.0.16/29",
                    &["10.0.0.16/30", "10.0.0.20/31", "10.0.0.22/31"]
                ),
                9,
                12
            ),
            (
                DiagnosticKind::Redundant {
                    cidr: cidr("10.0.0.128/25"),
                    enclosing: cidr(BASE)
                },
                13,
                12
            ),
        ]
    );
    assert!(d.iter().all(|w| !w.is_error()));
    assert!(d.to_string().contains("together form 10.0.0.6/31"), "{d}");
}

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
    assert_eq!(json["version"], 1);
    assert_eq!(json["prefixes"][0]["steps"][0]["op"], "delete");
    assert_eq!(json["prefixes"][0]["changes"][0]["kind"], "replace");
    assert_eq!(json["prefixes"][0]["live"][0]["cidr"], BASE);
}
