//! The bindings of the emulator's two demo prefixes, as the harness sees them: live
//! (with ids) or wanted (a bindings file), and the number of changes between them.

use std::{collections::BTreeMap, fmt::Write as _};

use ipnet::IpNet;

/// The demo seed's account.
pub const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
/// The token the emulator accepts by default.
pub const TOKEN: &str = "emulator-token";
/// The services of the demo seed, by name.
pub const SERVICES: [&str; 3] = ["Magic Transit", "CDN", "Spectrum"];

/// One of the demo seed's prefixes.
#[derive(Debug, Clone, Copy)]
pub struct Prefix {
    /// Its id.
    pub id: &'static str,
    /// Its CIDR, as text.
    pub cidr: &'static str,
}

/// The demo seed's IPv4 prefix (a Magic Transit base binding at start) and IPv6
/// prefix (empty at start).
pub const PREFIXES: [Prefix; 2] = [
    Prefix {
        id: "2af39739cc4e3b5910c918468bb89828",
        cidr: "203.0.113.0/24",
    },
    Prefix {
        id: "6b3f1e0a9d2c4b7e8f5a1c3d2e4f6a8b",
        cidr: "2001:db8:1000::/48",
    },
];

impl Prefix {
    /// Its CIDR.
    pub fn net(&self) -> IpNet {
        // A constant above, well formed.
        self.cidr.parse().unwrap_or_else(|_| IpNet::default())
    }
}

/// The index in [`PREFIXES`] of the prefix holding `cidr`, if one does.
pub fn prefix_of(cidr: &IpNet) -> Option<usize> {
    PREFIXES.iter().position(|p| p.net().contains(cidr))
}

/// A live binding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LiveBinding {
    /// The index of its prefix in [`PREFIXES`].
    pub prefix: usize,
    /// Its CIDR.
    pub cidr: IpNet,
    /// Its service's name.
    pub service: String,
    /// Its id.
    pub id: String,
}

/// Wanted (or live, without ids) bindings: per prefix of [`PREFIXES`], CIDR →
/// service name.
pub type Bindings = [BTreeMap<IpNet, String>; 2];

/// The live bindings without their ids.
pub fn without_ids(live: &[LiveBinding]) -> Bindings {
    let mut out: Bindings = Default::default();
    for b in live {
        if let Some(map) = out.get_mut(b.prefix) {
            map.insert(b.cidr, b.service.clone());
        }
    }
    out
}

/// The changes `plan` counts between the `live` and `wanted` bindings of a prefix
/// with base binding `base`: one per CIDR created, deleted or given another
/// service, and, when the base binding's service changes, one per other binding
/// that stays as it is (recreated, since the base cannot be deleted under it).
pub fn changes(
    live: &BTreeMap<IpNet, String>,
    wanted: &BTreeMap<IpNet, String>,
    base: IpNet,
) -> usize {
    let base_replaced =
        matches!((live.get(&base), wanted.get(&base)), (Some(a), Some(b)) if a != b);
    let mut n = 0;
    for (cidr, service) in live {
        match wanted.get(cidr) {
            None => n += 1,
            Some(after) if after != service => n += 1,
            Some(_) if base_replaced => n += 1,
            Some(_) => {}
        }
    }
    n + wanted.keys().filter(|c| !live.contains_key(c)).count()
}

/// The changes between two states of both prefixes.
pub fn all_changes(live: &Bindings, wanted: &Bindings) -> usize {
    PREFIXES
        .iter()
        .zip(live.iter().zip(wanted))
        .map(|(p, (l, w))| changes(l, w, p.net()))
        .sum()
}

/// The bindings file of `wanted`: both prefixes, each with its CIDR and
/// `prune = true`, so that the live bindings must end up exactly as listed.
pub fn render_file(wanted: &Bindings) -> String {
    let mut text = String::from("# Made by `cargo xtask chaos`.\n");
    for (prefix, bindings) in PREFIXES.iter().zip(wanted) {
        let _ = write!(
            text,
            "\n[[prefix]]\nid = \"{}\"\ncidr = \"{}\"\nprune = true\nbindings = [\n",
            prefix.id, prefix.cidr
        );
        for (cidr, service) in bindings {
            let _ = writeln!(text, "  {{ cidr = \"{cidr}\", service = \"{service}\" }},");
        }
        text.push_str("]\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &str)]) -> BTreeMap<IpNet, String> {
        entries
            .iter()
            .map(|(c, s)| (c.parse().unwrap_or_default(), (*s).to_owned()))
            .collect()
    }

    #[test]
    fn counts_changes_as_plan_does() {
        let base = PREFIXES[0].net();
        let live = map(&[
            ("203.0.113.0/24", "Magic Transit"),
            ("203.0.113.8/29", "CDN"),
            ("203.0.113.64/26", "Spectrum"),
        ]);
        assert_eq!(changes(&live, &live, base), 0);
        let wanted = map(&[
            ("203.0.113.0/24", "Magic Transit"),
            ("203.0.113.8/29", "Spectrum"),
            ("203.0.113.1/32", "CDN"),
        ]);
        // A replace, a delete, a create.
        assert_eq!(changes(&live, &wanted, base), 3);
        let rebased = map(&[
            ("203.0.113.0/24", "CDN"),
            ("203.0.113.8/29", "CDN"),
            ("203.0.113.64/26", "Spectrum"),
        ]);
        // The base replaced, one child replaced, one recreated.
        assert_eq!(changes(&live, &rebased, base), 3);
        assert_eq!(changes(&live, &BTreeMap::new(), base), 3);
        assert_eq!(changes(&BTreeMap::new(), &live, base), 3);
    }

    #[test]
    fn renders_a_file_of_both_prefixes() {
        let wanted: Bindings = [map(&[("203.0.113.0/24", "CDN")]), BTreeMap::new()];
        let text = render_file(&wanted);
        assert!(text.contains(
            "id = \"2af39739cc4e3b5910c918468bb89828\"\ncidr = \"203.0.113.0/24\"\nprune = true\nbindings = [\n  { cidr = \"203.0.113.0/24\", service = \"CDN\" },\n]"
        ));
        assert!(text.contains("cidr = \"2001:db8:1000::/48\"\nprune = true\nbindings = [\n]"));
    }
}
