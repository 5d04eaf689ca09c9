//! Parsing and validation: unknown keys, invalid TOML and values, each rule with its
//! line and column, spellings of one id, undocumented service names, IPv4-mapped
//! CIDRs and aggregation warnings.

use cf_bindings::desired::{Desired, DiagnosticKind};

use super::{BASE, CDN, MT, PREFIX, b, cidr, file, found, live, only, parse, services};

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
    // A block outside the prefix is reported once, not again for what it holds.
    let d = parse(&file(
        false,
        &[
            &b(BASE, "Magic Transit"),
            &b("10.0.0.0/23", "CDN"),
            &b("10.0.0.8/29", "CDN"),
        ],
    ))
    .validate();
    assert_eq!(only(&d), (DiagnosticKind::OutsidePrefix, 7, 12), "{d}");
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

/// Ids have one spelling (lower case): a prefix written twice in two cases is listed
/// twice, and a service id in upper case is found among the live services.
#[test]
fn two_spellings_of_one_id_are_one_id() {
    let upper = file(false, &[]).replace(PREFIX, &PREFIX.to_uppercase());
    let twice = format!("{}\n{upper}", file(false, &[]));
    let desired = parse(&twice);
    assert_eq!(desired.prefixes[1].id.as_str(), PREFIX);
    assert_eq!(
        only(&desired.validate()),
        (DiagnosticKind::DuplicatePrefix, 9, 6)
    );

    let by_upper_id = parse(&file(
        false,
        &[&b(BASE, &MT.to_uppercase()), &b("10.0.0.7/32", "CDN")],
    ));
    assert!(by_upper_id.validate().is_empty());
    let plan = cf_bindings::desired::plan(&by_upper_id, &live(&[(BASE, MT)]), &services())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.steps().count(), 1, "only the CDN binding is made");
}

/// A service name none of Cloudflare's documented services is a warning, with the
/// name it most likely means; an id, or a documented name in any case, is not.
#[test]
fn undocumented_service_names_are_warnings_with_a_suggestion() {
    let d = parse(&file(
        false,
        &[
            &b(BASE, "magic transit"),
            &b("10.0.0.7/32", "Spektrum"),
            &b("10.0.0.9/32", "Magic WAN"),
            &b("10.0.0.11/32", CDN),
        ],
    ))
    .validate();
    assert!(!d.has_errors(), "{d}");
    assert_eq!(
        found(&d),
        [
            (
                DiagnosticKind::UndocumentedService {
                    suggestion: Some("Spectrum".to_owned())
                },
                7,
                37
            ),
            (
                DiagnosticKind::UndocumentedService { suggestion: None },
                8,
                37
            ),
        ]
    );
    let text = d.to_string();
    assert!(
        text.contains("bindings.toml:7:37: warning: service \"Spektrum\" is none of Cloudflare's documented services (Magic Transit, CDN, Spectrum); did you mean \"Spectrum\"?"),
        "{text}"
    );
}

/// `203.0.113.7/32 → CDN` with `::ffff:203.0.113.7/128 → Spectrum` would bind one
/// address to both: an IPv4-mapped IPv6 CIDR is refused, with its IPv4 form.
#[test]
fn ipv4_mapped_cidrs_are_refused_with_their_ipv4_form() {
    let text = format!(
        "[[prefix]]\nid = \"{PREFIX}\"\nbindings = [\n  {},\n  {},\n]\n",
        b("203.0.113.7/32", "CDN"),
        b("::ffff:203.0.113.7/128", "Spectrum")
    );
    let d = parse(&text).validate();
    assert_eq!(
        only(&d),
        (
            DiagnosticKind::Ipv4Mapped {
                cidr: cidr("::ffff:203.0.113.7/128"),
                ipv4: cidr("203.0.113.7/32"),
            },
            5,
            12
        )
    );
    assert_eq!(
        d.to_string(),
        "bindings.toml:5:12: error: ::ffff:203.0.113.7/128 is an IPv4-mapped IPv6 CIDR: it stands for the IPv4 addresses 203.0.113.7/32; write 203.0.113.7/32"
    );
    // The prefix's own CIDR, a block of mapped addresses, and the whole mapped range.
    let text = format!(
        "[[prefix]]\nid = \"{PREFIX}\"\ncidr = \"::ffff:10.0.0.0/120\"\nbindings = [\n  {},\n  {},\n]\n",
        b("::ffff:10.0.0.0/120", "Magic Transit"),
        b("::ffff:0:0/96", "CDN"),
    );
    let d = parse(&text).validate();
    let mapped: Vec<_> = d
        .iter()
        .filter_map(|d| match (&d.kind, &d.location) {
            (DiagnosticKind::Ipv4Mapped { ipv4, .. }, Some(at)) => {
                Some((ipv4.to_string(), at.line, at.column))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        mapped,
        [
            ("10.0.0.0/24".to_owned(), 3, 8),
            ("10.0.0.0/24".to_owned(), 5, 12),
            ("0.0.0.0/0".to_owned(), 6, 12)
        ]
    );
    // Other IPv6 CIDRs, even those holding the mapped range, are not mapped ones.
    let ok = format!(
        "[[prefix]]\nid = \"{PREFIX}\"\nbindings = [{}]\n",
        b("::/64", "Magic Transit")
    );
    assert!(parse(&ok).validate().is_empty());
    let ok = format!(
        "[[prefix]]\nid = \"{PREFIX}\"\nbindings = [{}]\n",
        b("64:ff9b::/96", "Magic Transit")
    );
    assert!(parse(&ok).validate().is_empty());
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
