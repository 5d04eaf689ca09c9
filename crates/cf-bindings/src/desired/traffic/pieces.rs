//! The address space cut into *pieces* at the start and the end of every CIDR
//! involved, so that routing is the same for every address of a piece whatever the
//! state; [`Routing`], the longest-prefix match of one state over them; and
//! [`grouped`], which turns pieces back into CIDRs.

use std::collections::HashMap;

use crate::desired::{
    ServiceRef,
    net::{Range, cidrs_of_range},
};
use crate::types::{cidr::Cidr, ids::ServiceId, routing::CidrTable};

/// A range of addresses on which routing is the same in every state considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Piece {
    pub(super) v6: bool,
    pub(super) first: u128,
    pub(super) last: u128,
}

/// The pieces of the address space covered by `cidrs`, in address order (IPv4
/// first): cut at every CIDR's first address and after its last.
pub(super) fn pieces(cidrs: &[Cidr]) -> Vec<Piece> {
    let mut out = Vec::new();
    for v6 in [false, true] {
        let mut cuts: Vec<u128> = Vec::new();
        let mut to_the_end = false;
        for range in cidrs.iter().map(Range::of).filter(|r| r.v6 == v6) {
            cuts.push(range.first);
            match range.last.checked_add(1) {
                Some(after) => cuts.push(after),
                None => to_the_end = true,
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut starts = cuts.iter().peekable();
        while let Some(&first) = starts.next() {
            match starts.peek() {
                Some(&&next) => out.push(Piece {
                    v6,
                    first,
                    last: next - 1,
                }),
                None if to_the_end => out.push(Piece {
                    v6,
                    first,
                    last: u128::MAX,
                }),
                None => {}
            }
        }
    }
    out
}

/// The indexes of the pieces inside `cidr` (pieces sorted by address, and cut at
/// `cidr`'s bounds).
pub(super) fn pieces_in(pieces: &[Piece], cidr: &Cidr) -> std::ops::Range<usize> {
    let range = Range::of(cidr);
    let key = |p: &Piece| (p.v6, p.first);
    let start = pieces.partition_point(|p| key(p) < (range.v6, range.first));
    let end = pieces.partition_point(|p| key(p) <= (range.v6, range.last));
    start..end.max(start)
}

/// A state of a prefix: its bound CIDRs and their services, with the longest-prefix
/// match over them.
pub(super) struct Routing<'a> {
    services: Vec<&'a ServiceRef>,
    table: CidrTable,
}

impl<'a> Routing<'a> {
    pub(super) fn new<'b>(bindings: impl IntoIterator<Item = (&'b Cidr, &'a ServiceRef)>) -> Self {
        let (cidrs, services): (Vec<Cidr>, Vec<&ServiceRef>) =
            bindings.into_iter().map(|(c, s)| (*c, s)).unzip();
        Routing {
            services,
            table: CidrTable::new(&cidrs),
        }
    }

    /// The index of the binding deciding `piece`, and its service.
    pub(super) fn decide(&self, piece: &Piece) -> Option<(usize, &'a ServiceRef)> {
        let index = self.table.decider(piece.v6, piece.first)?;
        Some((index, *self.services.get(index)?))
    }

    pub(super) fn service(&self, piece: &Piece) -> Option<&'a ServiceRef> {
        self.decide(piece).map(|(_, s)| s)
    }
}

pub(super) fn id_of(service: Option<&ServiceRef>) -> Option<&ServiceId> {
    service.map(|s| &s.id)
}

/// Groups `pieces` by a key, in the order of their first piece, and turns each
/// group into CIDRs (runs of adjacent pieces merged first).
pub(super) fn grouped<K: Eq + std::hash::Hash, V>(
    pieces: impl IntoIterator<Item = (Piece, K, V)>,
) -> Vec<(Vec<Cidr>, V)> {
    let mut index: HashMap<K, usize> = HashMap::new();
    let mut groups: Vec<(Vec<Piece>, V)> = Vec::new();
    for (piece, key, value) in pieces {
        let at = *index.entry(key).or_insert_with(|| {
            groups.push((Vec::new(), value));
            groups.len() - 1
        });
        let Some((runs, _)) = groups.get_mut(at) else {
            continue;
        };
        match runs.last_mut() {
            Some(run) if run.v6 == piece.v6 && run.last.checked_add(1) == Some(piece.first) => {
                run.last = piece.last;
            }
            _ => runs.push(piece),
        }
    }
    groups
        .into_iter()
        .map(|(runs, value)| {
            let cidrs = runs
                .iter()
                .flat_map(|r| cidrs_of_range(r.v6, r.first, r.last))
                .collect();
            (cidrs, value)
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn pieces_cut_at_every_bound() {
        let all = pieces(&[c("10.0.0.0/24"), c("10.0.0.16/28"), c("::/0")]);
        let bounds: Vec<(bool, u128, u128)> = all.iter().map(|p| (p.v6, p.first, p.last)).collect();
        let base = 0x0a00_0000;
        assert_eq!(
            bounds,
            [
                (false, base, base + 15),
                (false, base + 16, base + 31),
                (false, base + 32, base + 255),
                (true, 0, u128::MAX),
            ]
        );
        assert_eq!(pieces_in(&all, &c("10.0.0.16/28")), 1..2);
        assert_eq!(pieces_in(&all, &c("10.0.0.0/24")), 0..3);
        // A CIDR that was not cut at holds no whole piece.
        assert!(pieces_in(&all, &c("2001:db8::/32")).is_empty());
    }

    #[test]
    fn adjacent_pieces_of_a_group_are_one_run_but_not_across_families_or_gaps() {
        let all = pieces(&[c("10.0.0.0/24"), c("10.0.0.0/25"), c("::/0")]);
        // Two halves of the /24 in one group, the /24's first address again in IPv6
        // (adjacent by number, another family) in the same group.
        let v4 = |piece: &Piece| !piece.v6;
        let grouped_all = grouped(all.iter().map(|p| (*p, "one", ())));
        let cidrs: Vec<String> = grouped_all[0].0.iter().map(ToString::to_string).collect();
        assert_eq!(cidrs, ["10.0.0.0/24", "::/0"]);
        // Pieces of separate groups stay apart.
        let split = grouped(all.iter().filter(|p| v4(p)).map(|p| (*p, p.first, p.first)));
        assert_eq!(split.len(), 2);
        assert_eq!(split[0].0, [c("10.0.0.0/25")]);
        assert_eq!(split[1].0, [c("10.0.0.128/25")]);
        // A gap between two pieces of one group is kept.
        let gapped = pieces(&[c("10.0.0.0/26"), c("10.0.0.128/26")]);
        let outer: Vec<Piece> = [c("10.0.0.0/26"), c("10.0.0.128/26")]
            .iter()
            .flat_map(|cidr| gapped[pieces_in(&gapped, cidr)].to_vec())
            .collect();
        let runs = grouped(outer.iter().map(|p| (*p, "one", ())));
        assert_eq!(runs[0].0, [c("10.0.0.0/26"), c("10.0.0.128/26")]);
    }
}
