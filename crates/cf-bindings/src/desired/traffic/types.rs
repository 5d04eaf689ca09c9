//! The public face of a plan's traffic: [`Unlisted`] (a live binding the file does
//! not list, with the routing it changes) and [`Transition`] (where the traffic of
//! addresses goes after each step).

use serde::{Deserialize, Serialize};

use crate::desired::ServiceRef;
use crate::types::{cidr::Cidr, ids::BindingId};

/// A live binding that the file does not list, kept because the prefix's `prune` is
/// off. `apply` leaves it alone, but it is drift: the file does not say what the
/// prefix holds (see [`Plan::has_drift`](crate::desired::Plan::has_drift)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Unlisted {
    /// The binding's id.
    pub binding: BindingId,
    /// Its CIDR.
    pub cidr: Cidr,
    /// Its service: where it sends the addresses it decides.
    pub service: ServiceRef,
    /// The addresses whose routing it changes: those it sends to its service where
    /// the file's bindings alone would send them elsewhere (or nowhere), grouped by
    /// where that is, in address order. Empty when it changes no routing (it sends
    /// its addresses where the file does anyway).
    pub reroutes: Vec<Reroute>,
}

/// Addresses that an [`Unlisted`] binding takes from where the file sends them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reroute {
    /// The addresses, as the fewest CIDRs, in address order.
    pub cidrs: Vec<Cidr>,
    /// Where the file's bindings alone send them; `None` when no binding of the
    /// file covers them.
    pub file: Option<ServiceRef>,
}

/// Where the traffic of some addresses goes while a plan is applied: every service
/// it passes through, from the live state to the final one, with the step after
/// which each takes over.
///
/// Each create or delete takes four to six hours to propagate on Cloudflare, so a
/// pass between the first and the last lasts hours. A pass with no service is a
/// *gap*: no binding covers the addresses then. Cloudflare documents no service for
/// such addresses; expect their traffic to be dropped until a binding covers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Transition {
    /// The addresses, as the fewest CIDRs, in address order (several when ranges
    /// apart from each other pass through the same services at the same steps).
    pub cidrs: Vec<Cidr>,
    /// The services, in order: at least two, each different from the one before.
    pub passes: Vec<Pass>,
}

/// One service that some addresses' traffic goes to, from one step of a plan until
/// the next pass of their [`Transition`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Pass {
    /// The service; `None` when no binding covers the addresses (a gap).
    pub service: Option<ServiceRef>,
    /// The step after which the traffic goes there: steps are counted from 1 over
    /// the whole plan, in the order [`Plan::steps`](crate::desired::Plan::steps) gives and
    /// `apply` makes them; 0 is now, before the first step.
    pub after_step: usize,
}

impl Transition {
    /// Where the traffic goes now.
    pub fn before(&self) -> Option<&ServiceRef> {
        self.passes.first().and_then(|p| p.service.as_ref())
    }

    /// Where it goes once the plan is applied.
    pub fn after(&self) -> Option<&ServiceRef> {
        self.passes.last().and_then(|p| p.service.as_ref())
    }

    /// The passes between the first and the last: where the traffic goes while
    /// the plan is only partly applied (empty when it moves in one step).
    pub fn in_between(&self) -> &[Pass] {
        let inner = self.passes.len().saturating_sub(1);
        self.passes.get(1..inner).unwrap_or_default()
    }

    /// Whether no binding covers the addresses for a while (a pass in between has
    /// no service).
    pub fn has_gap(&self) -> bool {
        self.in_between().iter().any(|p| p.service.is_none())
    }

    /// Whether the traffic goes, for a while, to a service that is neither the
    /// one it has now nor the one it will have.
    pub fn has_third_service(&self) -> bool {
        let (before, after) = (self.before(), self.after());
        self.in_between().iter().any(|p| {
            p.service
                .as_ref()
                .is_some_and(|s| Some(s) != before && Some(s) != after)
        })
    }

    /// Where the traffic goes once the first `steps_made` steps of the plan are
    /// made (counted as [`Pass::after_step`] counts them; 0 is now); `None` when no
    /// binding covers the addresses then.
    pub fn at(&self, steps_made: usize) -> Option<&ServiceRef> {
        self.passes
            .iter()
            .take_while(|p| p.after_step <= steps_made)
            .last()
            .and_then(|p| p.service.as_ref())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    fn transition(services: &[Option<&str>]) -> Transition {
        let passes = services
            .iter()
            .zip(0..)
            .map(|(name, after_step)| Pass {
                service: name.map(|n| ServiceRef {
                    id: n.parse().unwrap(),
                    name: n.to_owned(),
                }),
                after_step,
            })
            .collect();
        Transition {
            cidrs: vec![c("10.0.0.0/24")],
            passes,
        }
    }

    #[test]
    fn third_services_and_gaps_are_told_apart() {
        let direct = transition(&[Some("MT"), Some("CDN")]);
        assert!(direct.in_between().is_empty());
        assert!(!direct.has_gap() && !direct.has_third_service());
        // Back to where it was, then on: no third service, a gap.
        let back = transition(&[Some("CDN"), None, Some("CDN"), Some("Spectrum")]);
        assert!(back.has_gap() && !back.has_third_service());
        let away = transition(&[Some("CDN"), Some("MT"), Some("Spectrum")]);
        assert!(!away.has_gap() && away.has_third_service());
        assert_eq!(away.before().map(|s| s.name.as_str()), Some("CDN"));
        assert_eq!(away.after().map(|s| s.name.as_str()), Some("Spectrum"));
        // A first or last pass with no binding is no gap: it is where the range
        // starts or ends.
        let created = transition(&[None, Some("MT")]);
        assert!(!created.has_gap());
        assert_eq!(created.before(), None);
    }
}
