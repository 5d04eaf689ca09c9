//! [`RoutingTable`]: which binding decides where traffic to an address goes.
//!
//! Traffic to an address goes to the service of the most-specific binding that
//! contains it (longest-prefix match). Two CIDRs are either disjoint or nested, so the
//! bindings of one address family cut its address space into disjoint segments, each
//! decided by one binding (or by none). The table keeps those segments sorted by their
//! first address: a lookup is one binary search, whatever the prefix lengths, and
//! building is a sort and a sweep. Each binding also keeps its parent, the binding
//! it nests in, so [`RoutingTable::explain`] walks from the decider outwards.

use std::net::IpAddr;

use crate::{types::binding::ServiceBinding, types::cidr::Cidr};

/// No binding: the marker of a segment that no binding covers, and of a root.
const NONE: usize = usize::MAX;

/// The segments of one address family, addresses as `u128` (IPv4 in the low bits).
#[derive(Debug, Clone, Default)]
struct Segments {
    /// First address of each segment, ascending; a segment ends where the next begins.
    starts: Vec<u128>,
    /// The binding deciding each segment, or [`NONE`].
    deciders: Vec<usize>,
    /// A radix index over `starts`, narrowing each binary search to a bucket.
    index: Radix,
}

/// Buckets `starts` by a few bits taken right after the bits that all of them share:
/// `first[b]..first[b + 1]` are the segments starting in bucket `b`. A lookup then
/// searches one bucket, which stays in cache, instead of the whole array.
#[derive(Debug, Clone, Default)]
struct Radix {
    shift: u32,
    mask: u128,
    first: Vec<usize>,
}

impl Radix {
    fn new(starts: &[u128]) -> Radix {
        let (Some(&low), Some(&high)) = (starts.first(), starts.last()) else {
            return Radix::default();
        };
        // About one segment a bucket, at most 2^16 buckets.
        let bits = (usize::BITS - starts.len().leading_zeros()).min(16);
        let shared = (low ^ high).leading_zeros();
        let shift = 128u32.saturating_sub(shared + bits);
        let mask = (1u128 << bits) - 1;
        let mut first = Vec::with_capacity((1 << bits) + 1);
        let mut i = 0;
        for bucket in 0..=mask {
            while starts.get(i).is_some_and(|&s| (s >> shift) & mask < bucket) {
                i += 1;
            }
            first.push(i);
        }
        first.push(starts.len());
        Radix { shift, mask, first }
    }

    /// The range of `starts` to search for the last start at or below `address`,
    /// which lies between the first and the last start.
    fn bucket(&self, address: u128) -> (usize, usize) {
        let bucket = ((address >> self.shift) & self.mask) as usize;
        let low = self.first.get(bucket).copied().unwrap_or(0);
        let high = self.first.get(bucket + 1).copied().unwrap_or(low);
        (low, high)
    }
}

impl Segments {
    /// Sweeps `(first, last, index)` ranges into segments, recording each binding's
    /// parent in `parents`. Ranges are laminar (disjoint or nested).
    fn build(mut ranges: Vec<(u128, u128, usize)>, parents: &mut [usize]) -> Segments {
        // Outer ranges before the ranges they contain; among equal ranges, the first
        // given last, so that it ends on top of the stack and decides.
        ranges.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
        let mut segments = Segments::default();
        let mut open: Vec<(u128, usize)> = Vec::new();
        for (first, last, index) in ranges {
            segments.close_before(&mut open, first);
            if let Some(parent) = parents.get_mut(index) {
                *parent = open.last().map_or(NONE, |&(_, i)| i);
            }
            open.push((last, index));
            segments.push(first, index);
        }
        segments.close_before(&mut open, u128::MAX);
        // The outermost ranges may end at the family's last address.
        while let Some((last, _)) = open.pop() {
            if last < u128::MAX {
                let decider = open.last().map_or(NONE, |&(_, i)| i);
                segments.push(last + 1, decider);
            }
        }
        segments.index = Radix::new(&segments.starts);
        segments
    }

    /// Closes the open ranges that end before `address`, starting the segments that
    /// follow them.
    fn close_before(&mut self, open: &mut Vec<(u128, usize)>, address: u128) {
        while let Some(&(last, _)) = open.last() {
            if last >= address {
                break;
            }
            open.pop();
            let decider = open.last().map_or(NONE, |&(_, i)| i);
            self.push(last + 1, decider);
        }
    }

    /// Starts a segment; a later segment at the same address replaces an earlier one.
    fn push(&mut self, start: u128, decider: usize) {
        if self.starts.last() == Some(&start) {
            self.deciders.pop();
            self.starts.pop();
        }
        self.starts.push(start);
        self.deciders.push(decider);
    }

    fn decider(&self, address: u128) -> Option<usize> {
        let (&first, &last) = (self.starts.first()?, self.starts.last()?);
        let segment = if address < first {
            return None;
        } else if address >= last {
            self.starts.len() - 1
        } else {
            // The answer is in the bucket, or is the segment just before it.
            let (low, high) = self.index.bucket(address);
            let bucket = self.starts.get(low..high).unwrap_or_default();
            (low + bucket.partition_point(|&start| start <= address)).checked_sub(1)?
        };
        let decider = *self.deciders.get(segment)?;
        (decider != NONE).then_some(decider)
    }
}

/// A longest-prefix-match index over service bindings, IPv4 and IPv6.
///
/// Traffic to an address goes to the service of the most-specific binding that
/// contains it (longest-prefix match). A lookup is one binary search, whatever the
/// prefix lengths, and building is a sort and a sweep; [`RoutingTable::explain`]
/// walks from the deciding binding outwards through the bindings it nests in.
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
/// let ip = "192.0.2.1".parse().map_err(|_| cf_bindings::error::InvalidInput::new("address", "192.0.2.1", "bad"))?;
/// assert_eq!(table.route(ip).map(|b| b.service_name.as_str()), Some("CDN"));
/// assert_eq!(table.explain(ip).len(), 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct RoutingTable {
    bindings: Vec<ServiceBinding>,
    /// For each binding, the one it nests in, or [`NONE`].
    parents: Vec<usize>,
    v4: Segments,
    v6: Segments,
}

/// The `(first, last, index)` ranges of `cidrs`, IPv4 and IPv6 apart.
type Ranges = Vec<(u128, u128, usize)>;

fn ranges<'a>(cidrs: impl IntoIterator<Item = &'a Cidr>) -> (Ranges, Ranges) {
    let (mut v4, mut v6) = (Vec::new(), Vec::new());
    for (index, cidr) in cidrs.into_iter().enumerate() {
        let (first, last) = cidr.bounds();
        if cidr.is_ipv4() {
            v4.push((first, last, index));
        } else {
            v6.push((first, last, index));
        }
    }
    (v4, v6)
}

impl RoutingTable {
    /// Builds the table. When two bindings have the same CIDR, the first one given
    /// decides; [`explain`](Self::explain) lists both.
    pub fn new(bindings: impl IntoIterator<Item = ServiceBinding>) -> Self {
        let bindings: Vec<ServiceBinding> = bindings.into_iter().collect();
        let (v4, v6) = ranges(bindings.iter().map(|b| &b.cidr));
        let mut parents = vec![NONE; bindings.len()];
        let v4 = Segments::build(v4, &mut parents);
        let v6 = Segments::build(v6, &mut parents);
        Self {
            bindings,
            parents,
            v4,
            v6,
        }
    }

    fn decider(&self, ip: IpAddr) -> Option<usize> {
        match ip {
            IpAddr::V4(ip) => self.v4.decider(u128::from(u32::from(ip))),
            IpAddr::V6(ip) => self.v6.decider(u128::from(ip)),
        }
    }

    /// The binding that decides where traffic to `ip` goes: the most specific one
    /// containing it, or `None` when no binding contains it.
    pub fn route(&self, ip: IpAddr) -> Option<&ServiceBinding> {
        self.bindings.get(self.decider(ip)?)
    }

    /// Every binding containing `ip`, from least to most specific (the last one
    /// decides, as [`route`](Self::route) says).
    pub fn explain(&self, ip: IpAddr) -> Vec<&ServiceBinding> {
        let mut chain = Vec::new();
        let mut next = self.decider(ip);
        while let Some(index) = next {
            chain.extend(self.bindings.get(index));
            next = self.parents.get(index).copied().filter(|&p| p != NONE);
        }
        chain.reverse();
        chain
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

/// The same longest-prefix match over bare CIDRs: which of them decides each
/// address. The planner follows the routing of a prefix through a plan's
/// intermediate states with it, where there are CIDRs and services but no bindings.
#[derive(Debug, Clone, Default)]
pub(crate) struct CidrTable {
    v4: Segments,
    v6: Segments,
}

impl CidrTable {
    /// The table of `cidrs`; of two equal CIDRs, the first given decides.
    pub(crate) fn new(cidrs: &[Cidr]) -> CidrTable {
        let (v4, v6) = ranges(cidrs);
        let mut parents = vec![NONE; cidrs.len()];
        CidrTable {
            v4: Segments::build(v4, &mut parents),
            v6: Segments::build(v6, &mut parents),
        }
    }

    /// The index in `cidrs` of the most specific CIDR containing `address` (of
    /// IPv6 when `v6`, else IPv4 in the low 32 bits), or `None`.
    pub(crate) fn decider(&self, v6: bool, address: u128) -> Option<usize> {
        if v6 {
            self.v6.decider(address)
        } else {
            self.v4.decider(address)
        }
    }
}

impl FromIterator<ServiceBinding> for RoutingTable {
    fn from_iter<I: IntoIterator<Item = ServiceBinding>>(iter: I) -> Self {
        Self::new(iter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProvisioningState;

    fn table(cidrs: &[&str]) -> RoutingTable {
        cidrs
            .iter()
            .enumerate()
            .map(|(i, cidr)| {
                ServiceBinding::new(
                    format!("b{i}").parse().unwrap(),
                    cidr.parse().unwrap(),
                    "s".parse().unwrap(),
                    "CDN",
                    ProvisioningState::Active,
                )
            })
            .collect()
    }

    fn route(table: &RoutingTable, ip: &str) -> Option<String> {
        table.route(ip.parse().unwrap()).map(|b| b.id.to_string())
    }

    #[test]
    fn the_last_addresses_of_each_family() {
        let t = table(&[
            "255.255.255.0/24",
            "255.255.255.255/32",
            "ffff::/16",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
        ]);
        assert_eq!(route(&t, "255.255.255.254").as_deref(), Some("b0"));
        assert_eq!(route(&t, "255.255.255.255").as_deref(), Some("b1"));
        assert_eq!(route(&t, "255.255.254.255"), None);
        assert_eq!(
            route(&t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe").as_deref(),
            Some("b2")
        );
        assert_eq!(
            route(&t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").as_deref(),
            Some("b3")
        );
        assert_eq!(route(&t, "fffe::1"), None);
    }

    #[test]
    fn a_gap_between_siblings_falls_back_to_the_parent() {
        let t = table(&["10.0.0.0/8", "10.1.0.0/16", "10.3.0.0/16", "10.1.2.0/24"]);
        assert_eq!(route(&t, "10.1.2.3").as_deref(), Some("b3"));
        assert_eq!(route(&t, "10.1.3.0").as_deref(), Some("b1"));
        assert_eq!(route(&t, "10.2.0.0").as_deref(), Some("b0"));
        assert_eq!(route(&t, "10.3.255.255").as_deref(), Some("b2"));
        assert_eq!(route(&t, "11.0.0.0"), None);
        let chain: Vec<String> = t
            .explain("10.1.2.3".parse().unwrap())
            .iter()
            .map(|b| b.id.to_string())
            .collect();
        assert_eq!(chain, ["b0", "b1", "b3"]);
    }
}
