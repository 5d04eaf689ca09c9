//! The demo seed: what an emulator starts with unless told otherwise. Seed files are
//! read by the persistence layer (`Seed::load`).

use std::str::FromStr;

use ipnet::IpNet;

use super::{Account, Approval, Binding, Prefix, PrefixDetails, Service, State, Timestamp};

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
/// Description of the default seed's IPv4 prefix.
pub const DEMO_IPV4_PREFIX_DESCRIPTION: &str = "Demo IPv4 prefix";
/// Description of the default seed's IPv6 prefix.
pub const DEMO_IPV6_PREFIX_DESCRIPTION: &str = "Demo IPv6 prefix";
/// The AS number the default seed's prefixes are advertised under (from the range
/// RFC 5398 reserves for documentation).
pub const DEMO_ASN: u32 = 64496;
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
    /// CDN and Spectrum. Both prefixes are approved, advertised under [`DEMO_ASN`]
    /// with on-demand advertisement off, described as [`DEMO_IPV4_PREFIX_DESCRIPTION`]
    /// and [`DEMO_IPV6_PREFIX_DESCRIPTION`], with fixed timestamps.
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
                        details: PrefixDetails {
                            description: DEMO_IPV4_PREFIX_DESCRIPTION.to_owned(),
                            created_at: time("2024-05-14T17:02:11.123456Z"),
                            modified_at: time("2024-05-21T09:45:30.250000Z"),
                            loa_document_id: Some("6ac3b3591419bade34971ebe2df7047f".to_owned()),
                            ownership_validation_token: "ad8711b2-fa7d-4bf3-8359-3441a63cb21f"
                                .to_owned(),
                            ..demo_details()
                        },
                        bindings: vec![base],
                    },
                    Prefix {
                        id: DEMO_IPV6_PREFIX_ID.to_owned(),
                        cidr: parse_net(DEMO_IPV6_PREFIX_CIDR),
                        details: PrefixDetails {
                            description: DEMO_IPV6_PREFIX_DESCRIPTION.to_owned(),
                            created_at: time("2024-06-03T08:15:00.500000Z"),
                            modified_at: time("2024-06-10T12:00:00.000000Z"),
                            delegate_loa_creation: true,
                            ownership_validation_token: "ce8b2d61-3c3a-42c0-bbfb-654b27bcb79a"
                                .to_owned(),
                            ..demo_details()
                        },
                        bindings: Vec::new(),
                    },
                ],
            }],
        };
        Self { state }
    }
}

/// What the demo prefixes share: approved and validated, advertised under
/// [`DEMO_ASN`], on-demand advertisement off.
fn demo_details() -> PrefixDetails {
    PrefixDetails {
        asn: Some(DEMO_ASN),
        ..PrefixDetails::defaults("", Approval::Active)
    }
}

/// Parses one of the constant timestamps above (known to be valid).
fn time(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap_or(Timestamp::EPOCH)
}

/// Parses one of the constant CIDRs above (known to be valid).
fn parse_net(text: &str) -> IpNet {
    IpNet::from_str(text).unwrap_or_else(|_| IpNet::V4(ipnet::Ipv4Net::default()))
}
