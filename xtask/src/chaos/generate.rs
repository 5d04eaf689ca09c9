//! Random bindings files, valid by construction: from the live bindings, random
//! edits (a binding added, removed or given another service, a base binding given
//! another service, a prefix emptied) until the file is a given number of changes
//! away.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use super::model::{Bindings, PREFIXES, SERVICES, all_changes};

/// Edits tried before settling for fewer changes than drawn.
const ATTEMPTS: usize = 500;

/// A wanted state `changes` changes away from `live` (fewer when no edit fits).
pub fn wanted(rng: &mut fastrand::Rng, live: &Bindings, changes: usize) -> Bindings {
    let mut wanted = live.clone();
    for _ in 0..ATTEMPTS {
        if all_changes(live, &wanted) == changes {
            break;
        }
        let mut edited = wanted.clone();
        let prefix = rng.usize(..PREFIXES.len());
        if let Some(bindings) = edited.get_mut(prefix) {
            edit(rng, prefix, bindings);
        }
        if all_changes(live, &edited) <= changes {
            wanted = edited;
        }
    }
    wanted
}

fn service(rng: &mut fastrand::Rng) -> String {
    SERVICES[rng.usize(..SERVICES.len())].to_owned()
}

/// Another service than `than`.
fn other_service(rng: &mut fastrand::Rng, than: &str) -> String {
    let others: Vec<&str> = SERVICES.iter().copied().filter(|s| *s != than).collect();
    others[rng.usize(..others.len())].to_owned()
}

/// One random edit of one prefix's bindings, keeping them valid: a base binding
/// whenever there is any binding, more-specific ones strictly inside the prefix and
/// never nested in each other.
fn edit(rng: &mut fastrand::Rng, prefix: usize, bindings: &mut BTreeMap<IpNet, String>) {
    let base = PREFIXES[prefix].net();
    let children: Vec<IpNet> = bindings.keys().copied().filter(|c| *c != base).collect();
    match rng.usize(..20) {
        // Add a binding (the base binding first).
        0..=8 => {
            if bindings.is_empty() {
                bindings.insert(base, service(rng));
            } else {
                let cidr = random_child(rng, base);
                if !children
                    .iter()
                    .any(|c| c.contains(&cidr) || cidr.contains(c))
                {
                    bindings.insert(cidr, service(rng));
                }
            }
        }
        // Remove one.
        9..=12 => {
            if !children.is_empty() {
                bindings.remove(&children[rng.usize(..children.len())]);
            }
        }
        // Give one another service.
        13..=16 => {
            if !children.is_empty() {
                let cidr = children[rng.usize(..children.len())];
                let now = bindings.get(&cidr).cloned().unwrap_or_default();
                bindings.insert(cidr, other_service(rng, &now));
            }
        }
        // Give the base binding another service.
        17..=18 => {
            if let Some(now) = bindings.get(&base).cloned() {
                bindings.insert(base, other_service(rng, &now));
            }
        }
        // Empty the prefix.
        _ => bindings.clear(),
    }
}

/// A random CIDR strictly inside `base`, without host bits.
fn random_child(rng: &mut fastrand::Rng, base: IpNet) -> IpNet {
    let net = match base.network() {
        IpAddr::V4(address) => {
            let len = rng.u8(base.prefix_len() + 1..=32);
            let bits = u32::from(address) | (rng.u32(..) >> base.prefix_len());
            IpNet::new(IpAddr::V4(Ipv4Addr::from(bits)), len)
        }
        IpAddr::V6(address) => {
            let lengths = [52, 56, 60, 64, 96, 112, 127, 128];
            let len = lengths[rng.usize(..lengths.len())].max(base.prefix_len() + 1);
            let bits = u128::from(address) | (rng.u128(..) >> base.prefix_len());
            IpNet::new(IpAddr::V6(Ipv6Addr::from(bits)), len)
        }
    };
    net.map(|n| n.trunc()).unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(wanted: &Bindings) -> bool {
        PREFIXES.iter().zip(wanted).all(|(prefix, bindings)| {
            let base = prefix.net();
            let children: Vec<&IpNet> = bindings.keys().filter(|c| **c != base).collect();
            (bindings.is_empty() || bindings.contains_key(&base))
                && children
                    .iter()
                    .all(|c| base.contains(*c) && c.trunc() == **c)
                && children.iter().enumerate().all(|(i, a)| {
                    children[i + 1..]
                        .iter()
                        .all(|b| !a.contains(*b) && !b.contains(*a))
                })
        })
    }

    #[test]
    fn files_are_valid_and_as_far_as_drawn() {
        let mut rng = fastrand::Rng::with_seed(5);
        let mut live: Bindings = Default::default();
        live[0].insert(PREFIXES[0].net(), "Magic Transit".to_owned());
        let mut exact = 0;
        for _ in 0..60 {
            let changes = rng.usize(0..=25);
            let wanted = wanted(&mut rng, &live, changes);
            assert!(valid(&wanted), "{wanted:?}");
            let made = all_changes(&live, &wanted);
            assert!(made <= changes);
            exact += usize::from(made == changes);
            live = wanted;
        }
        assert!(exact >= 55, "{exact} of 60 as far as drawn");
    }
}
