//! Property tests of the cf-bindings wrapper: id and CIDR parsing never panic and
//! round-trip, and the routing table agrees with
//! a naive linear scan, IPv4 and IPv6.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use cf_bindings::{
    AccountId, BindingId, Cidr, PrefixId, ProvisioningState, RoutingTable, ServiceBinding,
    ServiceId,
};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn id_parsing_never_panics_and_round_trips(input in ".{0,40}") {
        if let Ok(id) = input.parse::<PrefixId>() {
            // One spelling: the input in lower case.
            prop_assert_eq!(id.to_string(), input.to_ascii_lowercase());
            prop_assert_eq!(&id, &input.to_ascii_uppercase().parse::<PrefixId>().unwrap());
            prop_assert!(id.as_str().len() <= 32 && !id.as_str().is_empty());
            prop_assert!(id.as_str().chars().all(|c| c.is_ascii_alphanumeric()));
        }
        let _ = input.parse::<AccountId>();
        let _ = input.parse::<BindingId>();
        let _ = input.parse::<ServiceId>();
    }

    #[test]
    fn valid_ids_round_trip(input in "[A-Za-z0-9]{1,32}") {
        let id: BindingId = input.parse().unwrap();
        prop_assert_eq!(id.to_string().parse::<BindingId>().unwrap(), id.clone());
        let json = serde_json::to_string(&id).unwrap();
        prop_assert_eq!(serde_json::from_str::<BindingId>(&json).unwrap(), id);
    }

    #[test]
    fn cidr_parsing_never_panics(input in "[0-9a-fA-F:./ ]{0,48}|.{0,24}") {
        if let Ok(cidr) = input.parse::<Cidr>() {
            prop_assert_eq!(cidr.to_string().parse::<Cidr>().unwrap(), cidr);
        }
    }

    #[test]
    fn v4_cidrs_round_trip(bits in any::<u32>(), len in 0u8..=32) {
        let net = IpNet::V4(Ipv4Net::new(Ipv4Addr::from(bits), len).unwrap());
        let network = net.trunc();
        let cidr: Cidr = network.to_string().parse().unwrap();
        prop_assert_eq!(cidr.as_ipnet(), network);
        prop_assert_eq!(cidr.to_string().parse::<Cidr>().unwrap(), cidr);
        if net != network {
            let err = net.to_string().parse::<Cidr>().unwrap_err();
            let suggestion = format!("did you mean {network}?");
            prop_assert!(err.to_string().contains(&suggestion), "{}", err);
        }
    }

    #[test]
    fn v6_cidrs_round_trip(bits in any::<u128>(), len in 0u8..=128) {
        let net = IpNet::V6(Ipv6Net::new(Ipv6Addr::from(bits), len).unwrap());
        let network = net.trunc();
        let cidr: Cidr = network.to_string().parse().unwrap();
        prop_assert_eq!(cidr.to_string().parse::<Cidr>().unwrap(), cidr);
        let json = serde_json::to_string(&cidr).unwrap();
        prop_assert_eq!(serde_json::from_str::<Cidr>(&json).unwrap(), cidr);
        if net != network {
            prop_assert!(net.to_string().parse::<Cidr>().is_err());
        }
    }
}

// ---------------------------------------------------------------------------------
// Routing against a naive scan

fn binding(index: usize, net: IpNet) -> ServiceBinding {
    ServiceBinding::new(
        format!("b{index}").parse().unwrap(),
        Cidr::new(net.trunc()).unwrap(),
        "s1".parse().unwrap(),
        format!("service {index}"),
        ProvisioningState::Active,
    )
}

/// The binding that decides, by scanning: longest prefix, first given on ties.
fn naive_route(bindings: &[ServiceBinding], ip: IpAddr) -> Option<&ServiceBinding> {
    let mut best: Option<&ServiceBinding> = None;
    for b in bindings.iter().filter(|b| b.cidr.contains(ip)) {
        if best.is_none_or(|d| b.cidr.prefix_len() > d.cidr.prefix_len()) {
            best = Some(b);
        }
    }
    best
}

/// Every containing binding, least specific first, the deciding one last on ties.
fn naive_explain(bindings: &[ServiceBinding], ip: IpAddr) -> Vec<&ServiceBinding> {
    let mut found: Vec<_> = bindings.iter().filter(|b| b.cidr.contains(ip)).collect();
    found.reverse();
    found.sort_by_key(|b| b.cidr.prefix_len());
    found
}

/// IPv4 networks crowded into 10.0.0.0/14, so that they nest and collide.
fn v4_net() -> impl Strategy<Value = IpNet> {
    (0u32..(1 << 18), 6u8..=32).prop_map(|(low, len)| {
        IpNet::V4(Ipv4Net::new(Ipv4Addr::from(0x0A00_0000 | low), len).unwrap())
    })
}

fn v4_addr() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        4 => (0u32..(1 << 18)).prop_map(|low| IpAddr::V4(Ipv4Addr::from(0x0A00_0000 | low))),
        1 => any::<u32>().prop_map(|b| IpAddr::V4(Ipv4Addr::from(b))),
    ]
}

/// IPv6 networks crowded into 2001:db8::/32's first /110.
fn v6_net() -> impl Strategy<Value = IpNet> {
    (0u128..(1 << 18), 16u8..=128).prop_map(|(low, len)| {
        let bits = (0x2001_0db8u128 << 96) | low;
        IpNet::V6(Ipv6Net::new(Ipv6Addr::from(bits), len).unwrap())
    })
}

fn v6_addr() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        4 => (0u128..(1 << 18)).prop_map(|low| IpAddr::V6(Ipv6Addr::from((0x2001_0db8u128 << 96) | low))),
        1 => any::<u128>().prop_map(|b| IpAddr::V6(Ipv6Addr::from(b))),
    ]
}

fn check(nets: Vec<IpNet>, addrs: Vec<IpAddr>) -> Result<(), TestCaseError> {
    let bindings: Vec<_> = nets
        .into_iter()
        .enumerate()
        .map(|(i, n)| binding(i, n))
        .collect();
    let table = RoutingTable::new(bindings.clone());
    prop_assert_eq!(table.len(), bindings.len());
    for ip in addrs {
        prop_assert_eq!(table.route(ip), naive_route(&bindings, ip), "route {}", ip);
        prop_assert_eq!(
            table.explain(ip),
            naive_explain(&bindings, ip),
            "explain {}",
            ip
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn routing_agrees_with_a_scan_v4(
        nets in prop::collection::vec(v4_net(), 0..60),
        addrs in prop::collection::vec(v4_addr(), 1..40),
    ) {
        check(nets, addrs)?;
    }

    #[test]
    fn routing_agrees_with_a_scan_v6(
        nets in prop::collection::vec(v6_net(), 0..60),
        addrs in prop::collection::vec(v6_addr(), 1..40),
    ) {
        check(nets, addrs)?;
    }

    #[test]
    fn routing_agrees_with_a_scan_mixed(
        v4 in prop::collection::vec(v4_net(), 0..30),
        v6 in prop::collection::vec(v6_net(), 0..30),
        a4 in prop::collection::vec(v4_addr(), 1..20),
        a6 in prop::collection::vec(v6_addr(), 1..20),
    ) {
        let nets = v4.into_iter().chain(v6).collect();
        check(nets, a4.into_iter().chain(a6).collect())?;
    }
}

#[test]
fn routing_handles_the_documented_example_and_defaults() {
    let table = RoutingTable::new([
        binding(0, "192.0.2.0/24".parse().unwrap()),
        binding(1, "192.0.2.1/32".parse().unwrap()),
        binding(2, "0.0.0.0/0".parse().unwrap()),
        binding(3, "::/0".parse().unwrap()),
    ]);
    let route = |ip: &str| table.route(ip.parse().unwrap()).map(|b| b.id.to_string());
    assert_eq!(route("192.0.2.1").as_deref(), Some("b1"));
    assert_eq!(route("192.0.2.2").as_deref(), Some("b0"));
    assert_eq!(route("8.8.8.8").as_deref(), Some("b2"));
    assert_eq!(route("2001:db8::1").as_deref(), Some("b3"));
    assert!(
        RoutingTable::default()
            .route("192.0.2.1".parse().unwrap())
            .is_none()
    );
}
