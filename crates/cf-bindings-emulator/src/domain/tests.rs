//! The rules, called directly: no server, no HTTP.

use super::rules::*;
use super::*;
use super::{
    CDN_SERVICE_ID, DEMO_ACCOUNT_ID as ACCOUNT, DEMO_IPV4_BASE_BINDING_ID as BASE,
    DEMO_IPV4_PREFIX_ID as V4, DEMO_IPV6_PREFIX_ID as V6, MAGIC_TRANSIT_SERVICE_ID as MT,
    NewBinding, SPECTRUM_SERVICE_ID, Seed,
};

fn net(text: &str) -> IpNet {
    text.parse().expect("a test CIDR")
}

fn demo() -> State {
    Seed::demo().state
}

fn create(state: &mut State, prefix: &str, cidr: &str, service: &str) -> Result<String, RuleError> {
    let request = NewBinding {
        cidr: cidr.to_owned(),
        service_id: service.to_owned(),
    };
    state
        .create_binding(ACCOUNT, prefix, request, None, 7)
        .map(|b| b.id)
}

#[test]
fn cidrs_are_well_formed_without_host_bits_or_leading_zeros() {
    assert_eq!(parse_cidr(" 192.0.2.0/24 "), Ok(net("192.0.2.0/24")));
    assert_eq!(parse_cidr("2001:db8::/32"), Ok(net("2001:db8::/32")));
    assert_eq!(
        parse_cidr("192.0.2.1/24"),
        Err(RuleError::HostBits {
            cidr: "192.0.2.1/24".into(),
            network: net("192.0.2.0/24")
        })
    );
    assert_eq!(
        parse_cidr("192.0.2.0"),
        Err(RuleError::MalformedCidr {
            cidr: "192.0.2.0".into()
        })
    );
    assert_eq!(
        parse_cidr("192.0.02.0/24"),
        Err(RuleError::LeadingZeroOctet {
            cidr: "192.0.02.0/24".into(),
            octet: "02".into()
        })
    );
    assert_eq!(
        parse_cidr("::ffff:10.0.01.0/120"),
        Err(RuleError::LeadingZeroOctet {
            cidr: "::ffff:10.0.01.0/120".into(),
            octet: "01".into()
        })
    );
    // A zero alone is not a leading zero.
    assert_eq!(parse_cidr("10.0.0.0/8"), Ok(net("10.0.0.0/8")));
}

#[test]
fn the_first_binding_is_the_whole_prefix() {
    let mut state = demo();
    assert_eq!(
        create(&mut state, V6, "2001:db8:1000::/64", MT),
        Err(RuleError::FirstBindingMustMatchPrefix {
            prefix_id: V6.into(),
            prefix: net(DEMO_V6_CIDR),
            cidr: net("2001:db8:1000::/64"),
        })
    );
    assert!(create(&mut state, V6, DEMO_V6_CIDR, MT).is_ok());
    assert!(create(&mut state, V6, "2001:db8:1000::/64", CDN_SERVICE_ID).is_ok());
    assert_eq!(state.bindings(ACCOUNT, V6).map(<[_]>::len), Ok(2));
}

const DEMO_V6_CIDR: &str = "2001:db8:1000::/48";

#[test]
fn others_lie_strictly_inside_and_once() {
    let mut state = demo();
    assert_eq!(
        create(&mut state, V4, "198.51.100.0/24", CDN_SERVICE_ID),
        Err(RuleError::CidrOutsidePrefix {
            cidr: net("198.51.100.0/24"),
            prefix: net("203.0.113.0/24")
        })
    );
    // The prefix itself again is a duplicate of the base.
    assert_eq!(
        create(&mut state, V4, "203.0.113.0/24", CDN_SERVICE_ID),
        Err(RuleError::DuplicateBinding {
            cidr: net("203.0.113.0/24"),
            existing: BASE.into()
        })
    );
    let id = create(&mut state, V4, "203.0.113.8/29", CDN_SERVICE_ID).expect("inside");
    assert_eq!(
        create(&mut state, V4, "203.0.113.8/29", CDN_SERVICE_ID),
        Err(RuleError::DuplicateBinding {
            cidr: net("203.0.113.8/29"),
            existing: id
        })
    );
}

#[test]
fn more_specific_bindings_neither_nest_nor_mix_cdn_and_spectrum() {
    let mut state = demo();
    let cdn = create(&mut state, V4, "203.0.113.8/29", CDN_SERVICE_ID).expect("inside");
    assert_eq!(
        create(&mut state, V4, "203.0.113.8/30", SPECTRUM_SERVICE_ID),
        Err(RuleError::CdnSpectrumConflict {
            cidr: net("203.0.113.8/30"),
            other: net("203.0.113.8/29"),
            other_is_cdn: true
        })
    );
    assert_eq!(
        create(&mut state, V4, "203.0.113.0/28", SPECTRUM_SERVICE_ID),
        Err(RuleError::CdnSpectrumConflict {
            cidr: net("203.0.113.0/28"),
            other: net("203.0.113.8/29"),
            other_is_cdn: true
        })
    );
    assert_eq!(
        create(&mut state, V4, "203.0.113.8/30", CDN_SERVICE_ID),
        Err(RuleError::OverlappingBinding {
            cidr: net("203.0.113.8/30"),
            other: net("203.0.113.8/29"),
            other_id: cdn
        })
    );
    // Beside it, and inside the base binding (Magic Transit), any service.
    assert!(create(&mut state, V4, "203.0.113.16/29", SPECTRUM_SERVICE_ID).is_ok());
}

#[test]
fn unknown_ids_are_named() {
    let mut state = demo();
    assert_eq!(
        create(
            &mut state,
            V4,
            "203.0.113.8/29",
            "ffffffffffffffffffffffffffffffff"
        ),
        Err(RuleError::UnknownService {
            service: "ffffffffffffffffffffffffffffffff".into()
        })
    );
    assert_eq!(
        state.bindings("00000000000000000000000000000000", V4).err(),
        Some(RuleError::AccountNotFound {
            account: "00000000000000000000000000000000".into()
        })
    );
    assert_eq!(
        state
            .bindings(ACCOUNT, "00000000000000000000000000000000")
            .err(),
        Some(RuleError::PrefixNotFound {
            prefix: "00000000000000000000000000000000".into()
        })
    );
    assert_eq!(
        state
            .binding(ACCOUNT, V4, "00000000000000000000000000000000")
            .err(),
        Some(RuleError::BindingNotFound {
            binding: "00000000000000000000000000000000".into()
        })
    );
    assert_eq!(state.services_of(ACCOUNT).map(<[_]>::len), Ok(3));
}

#[test]
fn the_base_binding_goes_last() {
    let mut state = demo();
    let cdn = create(&mut state, V4, "203.0.113.8/29", CDN_SERVICE_ID).expect("inside");
    assert_eq!(
        state.delete_binding(ACCOUNT, V4, BASE),
        Err(RuleError::BaseBindingInUse {
            binding: BASE.into(),
            prefix: net("203.0.113.0/24"),
            others: 1
        })
    );
    assert_eq!(state.delete_binding(ACCOUNT, V4, &cdn), Ok(()));
    assert_eq!(
        state.delete_binding(ACCOUNT, V4, &cdn),
        Err(RuleError::BindingNotFound { binding: cdn })
    );
    assert_eq!(state.delete_binding(ACCOUNT, V4, BASE), Ok(()));
    assert_eq!(state.bindings(ACCOUNT, V4).map(<[_]>::len), Ok(0));
}

#[test]
fn a_binding_is_active_once_the_delay_passed() {
    let mut state = demo();
    let request = NewBinding {
        cidr: "203.0.113.8/29".into(),
        service_id: CDN_SERVICE_ID.into(),
    };
    let binding = state
        .create_binding(ACCOUNT, V4, request, None, 1_000)
        .expect("created");
    use super::Provisioning::{Active, Provisioning};
    assert_eq!(binding.state_at(1_000, 500), Provisioning);
    assert_eq!(binding.state_at(1_499, 500), Provisioning);
    assert_eq!(binding.state_at(1_500, 500), Active);
    assert_eq!(
        binding.state_at(0, 500),
        Provisioning,
        "clock behind: not active yet"
    );
    assert_eq!(binding.state_at(1_000, 0), Active);
    assert_eq!(binding.id.len(), 32);
    assert!(is_valid_id(&binding.id));
}

#[test]
fn a_new_binding_gets_an_id_no_binding_has() {
    let state = demo();
    let free = "00000000000000000000000000000001".to_owned();
    assert_eq!(
        state.unused_id([BASE.to_owned(), free.clone()]),
        Some(free.clone())
    );
    assert_eq!(state.unused_id([BASE.to_owned()]), None);
    assert_eq!(state.unused_id([free.clone()]), Some(free));
}

#[test]
fn ids_are_32_lowercase_hex_characters() {
    assert!(is_valid_id("0123456789abcdef0123456789abcdef"));
    for bad in [
        "",
        "0123456789abcdef0123456789abcde",
        "0123456789abcdef0123456789abcdef0",
        "0123456789ABCDEF0123456789abcdef",
        "0123456789abcdeg0123456789abcdef",
        "0123456789abcdef0123456789abcd/f",
    ] {
        assert!(!is_valid_id(bad), "{bad:?}");
    }
    assert!(is_valid_id(&new_id()));
}

#[test]
fn a_rule_error_reads_as_cloudflare_words_it() {
    let mut state = demo();
    let err = create(&mut state, V4, "203.0.113.9/29", CDN_SERVICE_ID).expect_err("host bits");
    assert_eq!(
        err.to_string(),
        "CIDR 203.0.113.9/29 has host bits set; did you mean 203.0.113.8/29?"
    );
    let err = state
        .delete_binding(ACCOUNT, V4, "0000")
        .expect_err("unknown");
    assert_eq!(err.to_string(), "Service binding 0000 not found");
}

#[test]
fn prefix_details_default_to_an_approved_prefix_with_nothing_set() {
    let details = PrefixDetails::defaults(V4, Approval::Active);
    assert_eq!(
        details,
        PrefixDetails {
            description: String::new(),
            asn: None,
            approved: Approval::Active,
            advertised: None,
            advertised_modified_at: None,
            created_at: Timestamp::EPOCH,
            modified_at: Timestamp::EPOCH,
            on_demand_enabled: false,
            on_demand_locked: false,
            delegate_loa_creation: false,
            loa_document_id: None,
            irr_validation_state: "validated".to_owned(),
            ownership_validation_state: "validated".to_owned(),
            rpki_validation_state: "validated".to_owned(),
            ownership_validation_token: "2af39739-cc4e-3b59-10c9-18468bb89828".to_owned(),
        }
    );
    assert_eq!(Timestamp::EPOCH.to_string(), "1970-01-01T00:00:00.000000Z");

    // A pending prefix has not passed its validations yet.
    let pending = PrefixDetails::defaults(V6, Approval::Pending);
    assert_eq!(pending.approved.code(), "P");
    assert_eq!(pending.irr_validation_state, "pending");
    assert_eq!(pending.ownership_validation_state, "pending");
    assert_eq!(pending.rpki_validation_state, "pending");
    assert_eq!(
        pending.ownership_validation_token,
        "6b3f1e0a-9d2c-4b7e-8f5a-1c3d2e4f6a8b"
    );
    // The token is stable: the same id gives the same token.
    assert_eq!(
        PrefixDetails::defaults(V6, Approval::Active).ownership_validation_token,
        pending.ownership_validation_token
    );
}

#[test]
fn approval_letters_are_p_and_v_only() {
    assert_eq!(Approval::from_code("P"), Some(Approval::Pending));
    assert_eq!(Approval::from_code("V"), Some(Approval::Active));
    for bad in ["", "p", "v", "A", "VV"] {
        assert_eq!(Approval::from_code(bad), None, "{bad:?}");
    }
    assert_eq!(Approval::Active.code(), "V");
}

#[test]
fn timestamps_read_and_write_rfc3339_utc_to_the_microsecond() {
    let text = "2024-05-14T17:02:11.123456Z";
    assert_eq!(
        Timestamp::parse(text).map(|t| t.to_string()),
        Ok(text.to_owned())
    );
    let same = |a: &str, b: &str| {
        assert_eq!(
            Timestamp::parse(a).map(|t| t.to_string()),
            Ok(b.to_owned()),
            "{a}"
        );
    };
    same("2024-05-14T17:02:11Z", "2024-05-14T17:02:11.000000Z");
    same("2024-05-14T17:02:11.5+00:00", "2024-05-14T17:02:11.500000Z");
    // Digits past the microsecond are dropped, so a saved file reads back the same.
    same(
        "2024-05-14T17:02:11.123456789Z",
        "2024-05-14T17:02:11.123456Z",
    );
    assert!(
        Timestamp::parse("2024-05-14T17:02:11.1Z") < Timestamp::parse("2024-05-14T17:02:11.2Z")
    );
    for bad in [
        "",
        "2024-05-14",
        "2024-05-14 17:02:11Z",
        "2024-05-14T17:02:11",
        "2024-05-14T17:02:11+02:00",
        "2024-13-14T17:02:11Z",
        "1969-12-31T23:59:59Z",
        "2024-05-14T17:02:11.12x4Z",
    ] {
        let err = Timestamp::parse(bad).expect_err(bad);
        assert!(err.contains("RFC 3339"), "{err}");
    }
}

#[test]
fn the_demo_prefixes_have_realistic_fixed_details() {
    let state = demo();
    let v4 = &state.prefix(ACCOUNT, V4).expect("v4").details;
    assert_eq!(v4.description, DEMO_IPV4_PREFIX_DESCRIPTION);
    assert_eq!(v4.asn, Some(DEMO_ASN));
    assert_eq!(v4.approved, Approval::Active);
    assert_eq!(v4.created_at.to_string(), "2024-05-14T17:02:11.123456Z");
    assert_eq!(v4.modified_at.to_string(), "2024-05-21T09:45:30.250000Z");
    assert_eq!(
        v4.loa_document_id.as_deref(),
        Some("6ac3b3591419bade34971ebe2df7047f")
    );
    assert!(!v4.on_demand_enabled && v4.advertised.is_none());
    let v6 = &state.prefix(ACCOUNT, V6).expect("v6").details;
    assert_eq!(v6.description, DEMO_IPV6_PREFIX_DESCRIPTION);
    assert_eq!(v6.asn, Some(DEMO_ASN));
    assert_eq!(v6.created_at.to_string(), "2024-06-03T08:15:00.500000Z");
    assert_eq!(v6.modified_at.to_string(), "2024-06-10T12:00:00.000000Z");
    assert!(v6.delegate_loa_creation && v6.loa_document_id.is_none());
    assert_ne!(v4.ownership_validation_token, v6.ownership_validation_token);
    assert_eq!(
        state.prefixes(ACCOUNT).map(|p| p.len()),
        Ok(2),
        "List Prefixes sees both"
    );
    assert_eq!(
        state.prefixes("0000").map(|p| p.len()),
        Err(RuleError::AccountNotFound {
            account: "0000".into()
        })
    );
}
