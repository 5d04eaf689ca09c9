//! [`RoutingTable`]: which binding decides where traffic to an address goes.
//!
//! Traffic to an address goes to the service of the most-specific binding that
//! contains it (longest-prefix match). The table keeps one hash map per prefix length
//! in use, for IPv4 and IPv6 apart: a lookup masks the address once per length in
//! use, longest first, so its cost depends on the number of distinct prefix lengths
//! (at most 33 or 129), not on the number of bindings. Building is linear.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
};

use ipnet::IpNet;

use crate::model::ServiceBinding;

/// Per-family index: prefix length → network bits → binding positions.
#[derive(Debug, Clone, Default)]
struct Family<K> {
    /// Prefix lengths in use, ascending.
    lengths: Vec<u8>,
    /// One map per length in `lengths`, same order.
    maps: Vec<HashMap<K, Vec<usize>>>,
}

impl<K: std::hash::Hash + Eq + Copy> Family<K> {
    fn insert(&mut self, len: u8, key: K, index: usize) {
        let slot = match self.lengths.binary_search(&len) {
            Ok(slot) => slot,
            Err(slot) => {
                self.lengths.insert(slot, len);
                self.maps.insert(slot, HashMap::new());
                slot
            }
        };
        if let Some(map) = self.maps.get_mut(slot) {
            map.entry(key).or_default().push(index);
        }
    }

    /// The first binding of the longest matching length.
    fn longest(&self, key_at: impl Fn(u8) -> K) -> Option<usize> {
        self.lengths
            .iter()
            .zip(&self.maps)
            .rev()
            .find_map(|(&len, map)| map.get(&key_at(len)).and_then(|v| v.first().copied()))
    }

    /// Every matching binding, least specific first; among bindings of the same
    /// CIDR, the deciding (first given) one comes last.
    fn all(&self, key_at: impl Fn(u8) -> K) -> Vec<usize> {
        self.lengths
            .iter()
            .zip(&self.maps)
            .filter_map(|(&len, map)| map.get(&key_at(len)))
            .flat_map(|v| v.iter().rev())
            .copied()
            .collect()
    }
}

fn mask_v4(ip: Ipv4Addr, len: u8) -> u32 {
    let bits = u32::from(ip);
    match len {
        0 => 0,
        l if l >= 32 => bits,
        l => bits & (u32::MAX << (32 - u32::from(l))),
    }
}

fn mask_v6(ip: Ipv6Addr, len: u8) -> u128 {
    let bits = u128::from(ip);
    match len {
        0 => 0,
        l if l >= 128 => bits,
        l => bits & (u128::MAX << (128 - u32::from(l))),
    }
}

/// A longest-prefix-match index over service bindings, IPv4 and IPv6.
///
/// ```
/// use cf_bindings::{RoutingTable, ServiceBinding, ProvisioningState};
///
/// # fn main() -> Result<(), cf_bindings::Error> {
/// let binding = |id: &str, cidr: &str, service: &str| -> Result<ServiceBinding, cf_bindings::Error> {
///     Ok(ServiceBinding::new(id.parse()?, cidr.parse()?, "s1".parse()?, service, ProvisioningState::Active))
/// };
/// let table = RoutingTable::new([
///     binding("b1", "192.0.2.0/24", "Magic Transit")?,
///     binding("b2", "192.0.2.1/32", "CDN")?,
/// ]);
/// let ip = "192.0.2.1".parse().map_err(|_| cf_bindings::InvalidInput::new("address", "192.0.2.1", "bad"))?;
/// assert_eq!(table.route(ip).map(|b| b.service_name.as_str()), Some("CDN"));
/// assert_eq!(table.explain(ip).len(), 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct RoutingTable {
    bindings: Vec<ServiceBinding>,
    v4: Family<u32>,
    v6: Family<u128>,
}

impl RoutingTable {
    /// Builds the table. When two bindings have the same CIDR, the first one given
    /// decides; [`explain`](Self::explain) lists both.
    pub fn new(bindings: impl IntoIterator<Item = ServiceBinding>) -> Self {
        let mut table = Self::default();
        for binding in bindings {
            table.insert(binding);
        }
        table
    }

    /// Adds a binding.
    pub fn insert(&mut self, binding: ServiceBinding) {
        let index = self.bindings.len();
        match binding.cidr.as_ipnet() {
            IpNet::V4(net) => self.v4.insert(
                net.prefix_len(),
                mask_v4(net.network(), net.prefix_len()),
                index,
            ),
            IpNet::V6(net) => self.v6.insert(
                net.prefix_len(),
                mask_v6(net.network(), net.prefix_len()),
                index,
            ),
        }
        self.bindings.push(binding);
    }

    /// The binding that decides where traffic to `ip` goes: the most specific one
    /// containing it, or `None` when no binding contains it.
    pub fn route(&self, ip: IpAddr) -> Option<&ServiceBinding> {
        let index = match ip {
            IpAddr::V4(ip) => self.v4.longest(|len| mask_v4(ip, len)),
            IpAddr::V6(ip) => self.v6.longest(|len| mask_v6(ip, len)),
        }?;
        self.bindings.get(index)
    }

    /// Every binding containing `ip`, from least to most specific (the last one
    /// decides, as [`route`](Self::route) says).
    pub fn explain(&self, ip: IpAddr) -> Vec<&ServiceBinding> {
        let indices = match ip {
            IpAddr::V4(ip) => self.v4.all(|len| mask_v4(ip, len)),
            IpAddr::V6(ip) => self.v6.all(|len| mask_v6(ip, len)),
        };
        indices
            .into_iter()
            .filter_map(|i| self.bindings.get(i))
            .collect()
    }

    /// The bindings, in the order given.
    pub fn bindings(&self) -> &[ServiceBinding] {
        &self.bindings
    }

    /// The number of bindings.
    pub fn len(&self) -> usize {
        self.bindings.len()
    }

    /// Whether the table has no binding.
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }
}

impl FromIterator<ServiceBinding> for RoutingTable {
    fn from_iter<I: IntoIterator<Item = ServiceBinding>>(iter: I) -> Self {
        Self::new(iter)
    }
}
