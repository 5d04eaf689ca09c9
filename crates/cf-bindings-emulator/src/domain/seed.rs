//! The demo seed: what an emulator starts with unless told otherwise. Seed files are
//! read by the persistence layer (`Seed::load`).

use std::str::FromStr;

use ipnet::IpNet;

use super::{Account, Binding, Prefix, Service, State};

/// Id of the demo account of the default seed.
pub const DEMO_ACCOUNT_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
/// Id of the default seed's IPv4 prefix.
pub const DEMO_IPV4_PREFIX_ID: &str = "2af39739cc4e3b5910c918468bb89828";
/// CIDR of the default seed's IPv4 prefix.
pub const DEMO_IPV4_PREFIX_CIDR: &str = "203.0.113.0/24";
/// Id of the default seed's IPv4 base binding (Magic Transit on the whole prefix, active).
pub const DEMO_IPV4_BASE_BINDING_ID: &str = "0429b49b6a5155297b78e75a44b09e14";
/// Id of the default seed's IPv6 prefix (no bindings).
pub const DEMO_IPV6_PREFIX_ID: &str = "6b3f1e0a9d2c4b7e8f5a1c3d2e4f6a8b";
/// CIDR of the default seed's IPv6 prefix.
pub const DEMO_IPV6_PREFIX_CIDR: &str = "2001:db8:1000::/48";
/// Id of the Magic Transit service.
pub const MAGIC_TRANSIT_SERVICE_ID: &str = "2db684ee7ca04e159946fd05b99e1bcd";
/// Id of the CDN service.
pub const CDN_SERVICE_ID: &str = "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b";
/// Id of the Spectrum service.
pub const SPECTRUM_SERVICE_ID: &str = "c4e8a2f6b0d14e3a9c7b5d2f8e6a4c1d";

/// The initial data of an emulator: services, accounts, prefixes and bindings.
///
/// [`Seed::demo`] is the default; [`Seed::load`] reads a TOML or JSON seed file (see
/// `seed.example.toml` in this crate and the crate documentation for the format).
#[derive(Debug, Clone)]
pub struct Seed {
    pub(crate) state: State,
}

impl Default for Seed {
    fn default() -> Self {
        Self::demo()
    }
}

impl Seed {
    /// The default seed: the demo account [`DEMO_ACCOUNT_ID`] with the IPv4 prefix
    /// [`DEMO_IPV4_PREFIX_CIDR`] (its base Magic Transit binding active) and the IPv6
    /// prefix [`DEMO_IPV6_PREFIX_CIDR`] (no bindings), and the services Magic Transit,
    /// CDN and Spectrum.
    pub fn demo() -> Self {
        let base = Binding {
            id: DEMO_IPV4_BASE_BINDING_ID.to_owned(),
            cidr: parse_net(DEMO_IPV4_PREFIX_CIDR),
            service_id: MAGIC_TRANSIT_SERVICE_ID.to_owned(),
            created_at_ms: 0,
        };
        let state = State {
            services: vec![
                Service::new(MAGIC_TRANSIT_SERVICE_ID, "Magic Transit"),
                Service::new(CDN_SERVICE_ID, "CDN"),
                Service::new(SPECTRUM_SERVICE_ID, "Spectrum"),
            ],
            accounts: vec![Account {
                id: DEMO_ACCOUNT_ID.to_owned(),
                prefixes: vec![
                    Prefix {
                        id: DEMO_IPV4_PREFIX_ID.to_owned(),
                        cidr: parse_net(DEMO_IPV4_PREFIX_CIDR),
                        bindings: vec![base],
                    },
                    Prefix {
                        id: DEMO_IPV6_PREFIX_ID.to_owned(),
                        cidr: parse_net(DEMO_IPV6_PREFIX_CIDR),
                        bindings: Vec::new(),
                    },
                ],
            }],
        };
        Self { state }
    }
}

/// Parses one of the constant CIDRs above (known to be valid).
fn parse_net(text: &str) -> IpNet {
    IpNet::from_str(text).unwrap_or_else(|_| IpNet::V4(ipnet::Ipv4Net::default()))
}
