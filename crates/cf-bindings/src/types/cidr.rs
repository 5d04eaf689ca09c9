//! [`Cidr`]: an IPv4 or IPv6 network in CIDR notation, validated.

use std::{fmt, net::IpAddr, str::FromStr};

use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::invalid::InvalidInput;

const KIND: &str = "CIDR";

/// An IPv4 or IPv6 network such as `192.0.2.0/24` or `2001:db8::/48`.
///
/// Parsing rejects malformed input, a missing prefix length, and an address with
/// host bits set (`192.0.2.7/24`), suggesting the network form in the error. The
/// [`Display`](fmt::Display) form is canonical and parses back to the same value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr(IpNet);

impl Cidr {
    /// Wraps a network, refusing one with host bits set.
    ///
    /// # Errors
    /// [`InvalidInput`] when `net` has host bits set.
    pub fn new(net: IpNet) -> Result<Self, InvalidInput> {
        let network = net.trunc();
        if network != net {
            return Err(InvalidInput::new(
                KIND,
                net.to_string(),
                format!("{net} has host bits set; did you mean {network}?"),
            ));
        }
        Ok(Self(net))
    }

    /// The network as an [`ipnet::IpNet`].
    pub fn as_ipnet(&self) -> IpNet {
        self.0
    }

    /// The network address (`192.0.2.0` for `192.0.2.0/24`).
    pub fn network(&self) -> IpAddr {
        self.0.network()
    }

    /// The prefix length (`24` for `192.0.2.0/24`).
    pub fn prefix_len(&self) -> u8 {
        self.0.prefix_len()
    }

    /// Whether this is an IPv4 network.
    pub fn is_ipv4(&self) -> bool {
        matches!(self.0, IpNet::V4(_))
    }

    /// Whether `ip` lies inside this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(&ip)
    }

    /// Whether `other` lies inside this network (a network contains itself).
    pub fn contains_cidr(&self, other: &Cidr) -> bool {
        self.0.contains(&other.0)
    }

    /// The first and last address, as `u128` (an IPv4 address in the low 32 bits).
    pub(crate) fn bounds(&self) -> (u128, u128) {
        match self.0 {
            IpNet::V4(net) => (
                u128::from(u32::from(net.network())),
                u128::from(u32::from(net.broadcast())),
            ),
            IpNet::V6(net) => (u128::from(net.network()), u128::from(net.broadcast())),
        }
    }
}

impl FromStr for Cidr {
    type Err = InvalidInput;

    fn from_str(input: &str) -> Result<Self, InvalidInput> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(InvalidInput::new(KIND, input, "must not be empty"));
        }
        if let Some(octet) = leading_zero_octet(trimmed) {
            return Err(InvalidInput::new(
                KIND,
                input,
                format!(
                    "has the IPv4 octet {octet:?} with a leading zero, which some parsers read as octal; write it without leading zeros"
                ),
            ));
        }
        match trimmed.parse::<IpNet>() {
            Ok(net) => Self::new(net).map_err(|e| InvalidInput::new(KIND, input, e.reason())),
            Err(_) => {
                if let Ok(ip) = trimmed.parse::<IpAddr>() {
                    let len = if ip.is_ipv4() { 32 } else { 128 };
                    return Err(InvalidInput::new(
                        KIND,
                        input,
                        format!("has no prefix length; did you mean {ip}/{len}?"),
                    ));
                }
                Err(InvalidInput::new(
                    KIND,
                    input,
                    "is not an IPv4 or IPv6 network in CIDR notation (e.g. 192.0.2.0/24 or 2001:db8::/48)",
                ))
            }
        }
    }
}

/// The first IPv4 octet written with a leading zero (`010`, `000`), if any.
///
/// `ipnet` accepts them and reads them as decimal, while other tools read `010` as
/// octal 8: refusing them keeps one address from meaning two things. The dotted
/// part of an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is checked too.
fn leading_zero_octet(input: &str) -> Option<&str> {
    let address = input.split('/').next().unwrap_or(input);
    let dotted = address.rsplit(':').next().unwrap_or(address);
    if !dotted.contains('.') {
        return None;
    }
    dotted
        .split('.')
        // An octet has at most three digits; a longer run is invalid anyway.
        .find(|octet| (2..=3).contains(&octet.len()) && octet.starts_with('0'))
}

impl TryFrom<&str> for Cidr {
    type Error = InvalidInput;
    fn try_from(value: &str) -> Result<Self, InvalidInput> {
        value.parse()
    }
}

impl TryFrom<String> for Cidr {
    type Error = InvalidInput;
    fn try_from(value: String) -> Result<Self, InvalidInput> {
        value.parse()
    }
}

impl TryFrom<&String> for Cidr {
    type Error = InvalidInput;
    fn try_from(value: &String) -> Result<Self, InvalidInput> {
        value.parse()
    }
}

impl TryFrom<IpNet> for Cidr {
    type Error = InvalidInput;
    fn try_from(value: IpNet) -> Result<Self, InvalidInput> {
        Self::new(value)
    }
}

impl From<&Cidr> for Cidr {
    fn from(value: &Cidr) -> Self {
        *value
    }
}

impl From<Cidr> for IpNet {
    fn from(value: Cidr) -> IpNet {
        value.0
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cidr({})", self.0)
    }
}

impl Serialize for Cidr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        value.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_v4_and_v6() {
        let c: Cidr = "192.0.2.0/24".parse().unwrap();
        assert_eq!(c.to_string(), "192.0.2.0/24");
        assert!(c.is_ipv4());
        let c: Cidr = "2001:DB8::/48".parse().unwrap();
        assert_eq!(c.to_string(), "2001:db8::/48");
    }

    #[test]
    fn host_bits_suggest_network() {
        let e = "192.0.2.7/24".parse::<Cidr>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid CIDR \"192.0.2.7/24\": 192.0.2.7/24 has host bits set; did you mean 192.0.2.0/24?"
        );
    }

    #[test]
    fn leading_zero_octets_are_refused_and_named() {
        for (input, octet) in [
            ("203.0.113.010/32", "\"010\""),
            ("203.000.113.20/32", "\"000\""),
            ("::ffff:192.0.02.1/128", "\"02\""),
        ] {
            let e = input.parse::<Cidr>().unwrap_err().to_string();
            assert!(
                e.contains(octet) && e.contains("leading zero"),
                "{input}: {e}"
            );
        }
        let ok: Cidr = "10.0.0.0/8".parse().unwrap();
        assert_eq!(ok.to_string(), "10.0.0.0/8");
        // A run of digits longer than an octet is not echoed whole.
        let long = format!("0{}.1.1.1/32", "1".repeat(100_000));
        let e = long.parse::<Cidr>().unwrap_err().to_string();
        assert!(e.len() < 400, "{} bytes", e.len());
    }

    #[test]
    fn bare_address_suggests_host_route() {
        let e = "192.0.2.7".parse::<Cidr>().unwrap_err();
        assert!(e.to_string().contains("did you mean 192.0.2.7/32?"), "{e}");
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "x",
            "192.0.2.0/33",
            "192.0.2.0/",
            "/24",
            "::/129",
            "1.2.3/8",
        ] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad:?} accepted");
        }
    }
}
