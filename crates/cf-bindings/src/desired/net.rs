//! Address arithmetic shared by the checks and the planner.

use std::cmp::Ordering;

use ipnet::IpNet;

use crate::types::cidr::Cidr;

/// A CIDR as a range of addresses of one family (IPv4 in the low bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Range {
    pub(crate) v6: bool,
    pub(crate) first: u128,
    pub(crate) last: u128,
}

impl Range {
    pub(crate) fn of(cidr: &Cidr) -> Range {
        let (first, last) = cidr.bounds();
        Range {
            v6: !cidr.is_ipv4(),
            first,
            last,
        }
    }

    pub(crate) fn overlaps(&self, other: &Range) -> bool {
        self.v6 == other.v6 && self.first <= other.last && other.first <= self.last
    }
}

/// The widest of `cidrs` when it contains all the others: what a prefix's base
/// binding is, when the prefix's own CIDR is not known.
pub(crate) fn enclosing<I>(cidrs: I) -> Option<Cidr>
where
    I: IntoIterator<Item = Cidr>,
    I::IntoIter: Clone,
{
    let cidrs = cidrs.into_iter();
    let widest = cidrs.clone().min_by_key(Cidr::prefix_len)?;
    cidrs
        .clone()
        .all(|c| widest.contains_cidr(&c))
        .then_some(widest)
}

/// Orders CIDRs by address: IPv4 before IPv6, then by first address, then the
/// larger block first (so a block comes just before the blocks inside it).
pub(crate) fn by_address(a: &Cidr, b: &Cidr) -> Ordering {
    let (ra, rb) = (Range::of(a), Range::of(b));
    (ra.v6, ra.first, a.prefix_len()).cmp(&(rb.v6, rb.first, b.prefix_len()))
}

/// Orders CIDRs from least to most specific, then by address.
pub(crate) fn least_specific_first(a: &Cidr, b: &Cidr) -> Ordering {
    a.prefix_len()
        .cmp(&b.prefix_len())
        .then_with(|| by_address(a, b))
}

/// Whether `outer` contains `inner` and is larger.
pub(crate) fn strictly_contains(outer: &Cidr, inner: &Cidr) -> bool {
    outer != inner && outer.contains_cidr(inner)
}

/// The block of which `cidr` is one half, when `cidr` is not a whole family.
pub(crate) fn supernet(cidr: &Cidr) -> Option<Cidr> {
    let len = cidr.prefix_len().checked_sub(1)?;
    let net = match cidr.as_ipnet() {
        IpNet::V4(n) => IpNet::V4(ipnet::Ipv4Net::new(n.network(), len).ok()?.trunc()),
        IpNet::V6(n) => IpNet::V6(ipnet::Ipv6Net::new(n.network(), len).ok()?.trunc()),
    };
    Cidr::new(net).ok()
}

/// The IPv4 CIDR that an IPv4-mapped IPv6 CIDR (inside `::ffff:0:0/96`) stands
/// for: `203.0.113.7/32` for `::ffff:203.0.113.7/128`, `0.0.0.0/0` for the whole
/// `::ffff:0:0/96`.
pub(crate) fn ipv4_mapped(cidr: &Cidr) -> Option<Cidr> {
    let IpNet::V6(net) = cidr.as_ipnet() else {
        return None;
    };
    let len = net.prefix_len().checked_sub(96)?;
    let ipv4 = net.network().to_ipv4_mapped()?;
    Cidr::new(IpNet::V4(ipnet::Ipv4Net::new(ipv4, len).ok()?)).ok()
}

/// The fewest CIDRs that cover exactly the addresses `first..=last` of one family
/// (IPv4 in the low 32 bits), in address order: each block is the largest that
/// starts where the previous one ended and does not pass `last`.
pub(crate) fn cidrs_of_range(v6: bool, first: u128, last: u128) -> Vec<Cidr> {
    let bits: u32 = if v6 { 128 } else { 32 };
    let mut out = Vec::new();
    let mut at = first;
    while at <= last {
        // The largest block aligned at `at` (all of the family at address 0) ...
        let mut size_log = at.trailing_zeros().min(bits);
        // ... shrunk until it ends by `last`.
        while size_log > 0 && block_last(at, size_log).is_none_or(|end| end > last) {
            size_log -= 1;
        }
        let Some(cidr) = cidr_at(v6, at, bits - size_log) else {
            break;
        };
        out.push(cidr);
        match block_last(at, size_log).and_then(|end| end.checked_add(1)) {
            Some(next) => at = next,
            None => break,
        }
    }
    out
}

/// The last address of the block of `2^size_log` addresses starting at `at`.
fn block_last(at: u128, size_log: u32) -> Option<u128> {
    let span = 1u128
        .checked_shl(size_log)
        .map_or(u128::MAX, |size| size - 1);
    at.checked_add(span)
}

/// The CIDR of prefix length `len` at address `at` of one family.
pub(crate) fn cidr_at(v6: bool, at: u128, len: u32) -> Option<Cidr> {
    let len = u8::try_from(len).ok()?;
    let net = if v6 {
        IpNet::V6(ipnet::Ipv6Net::new(at.into(), len).ok()?)
    } else {
        IpNet::V4(ipnet::Ipv4Net::new(u32::try_from(at).ok()?.into(), len).ok()?)
    };
    Cidr::new(net).ok()
}

/// A pair of overlapping bindings among `items`, which are sorted with
/// [`by_address`]: for each binding that lies inside an earlier one, the indexes of
/// both (CIDRs are disjoint or nested, so the latest block still open holds it).
pub(crate) fn nested_pairs(items: &[Cidr]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut open: Option<(usize, Range)> = None;
    for (i, cidr) in items.iter().enumerate() {
        let range = Range::of(cidr);
        match open {
            Some((j, outer)) if outer.overlaps(&range) => pairs.push((j, i)),
            _ => open = Some((i, range)),
        }
    }
    pairs
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn supernets_and_order() {
        assert_eq!(supernet(&c("10.0.0.7/32")), Some(c("10.0.0.6/31")));
        assert_eq!(supernet(&c("2001:db8::/48")), Some(c("2001:db8::/47")));
        assert_eq!(supernet(&c("0.0.0.0/0")), None);
        let mut v = vec![
            c("::/0"),
            c("10.0.0.8/29"),
            c("10.0.0.0/24"),
            c("10.0.0.0/29"),
        ];
        v.sort_by(by_address);
        assert_eq!(
            v,
            [
                c("10.0.0.0/24"),
                c("10.0.0.0/29"),
                c("10.0.0.8/29"),
                c("::/0")
            ]
        );
    }

    #[test]
    fn ranges_become_the_fewest_cidrs() {
        let of = |v6, a: &str, b: &str| -> Vec<String> {
            let (first, _) = c(a).bounds();
            let (_, last) = c(b).bounds();
            cidrs_of_range(v6, first, last)
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(of(false, "10.0.0.32/32", "10.0.0.63/32"), ["10.0.0.32/27"]);
        assert_eq!(
            of(false, "10.0.0.48/32", "10.0.0.255/32"),
            ["10.0.0.48/28", "10.0.0.64/26", "10.0.0.128/25"]
        );
        assert_eq!(
            of(false, "10.0.0.7/32", "10.0.0.9/32"),
            ["10.0.0.7/32", "10.0.0.8/31"]
        );
        assert_eq!(of(false, "0.0.0.0/32", "255.255.255.255/32"), ["0.0.0.0/0"]);
        assert_eq!(
            of(
                true,
                "::/128",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"
            ),
            ["::/0"]
        );
        assert_eq!(
            of(true, "2001:db8::1/128", "2001:db8::2/128"),
            ["2001:db8::1/128", "2001:db8::2/128"]
        );
        assert!(of(false, "10.0.0.9/32", "10.0.0.8/32").is_empty());
    }

    #[test]
    fn nested_pairs_finds_each_inner_block() {
        let v = [
            c("10.0.0.0/28"),
            c("10.0.0.4/30"),
            c("10.0.0.8/30"),
            c("10.0.0.16/28"),
        ];
        assert_eq!(nested_pairs(&v), [(0, 1), (0, 2)]);
    }
}
