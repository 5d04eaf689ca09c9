//! The binding rules as one table of cases, the single owner of what each rule
//! decides. Three implementations are written independently on purpose (the
//! emulator's domain, the wrapper's `desired` checks, the property tests' oracle);
//! each has a test that runs every case of this table, so that they cannot quietly
//! disagree.
//!
//! A case is a prefix [`PREFIX`] with some `existing` bindings (always a state the
//! rules allow), one `candidate` binding added to it, and the verdict: allowed, or
//! refused by one [`Rule`].

/// The prefix of every case.
pub const PREFIX: &str = "10.0.0.0/24";

/// A service of the cases, by the name the Cloudflare account shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Magic Transit.
    MagicTransit,
    /// CDN.
    Cdn,
    /// Spectrum.
    Spectrum,
}

impl Service {
    /// The service's name.
    pub fn name(self) -> &'static str {
        match self {
            Service::MagicTransit => "Magic Transit",
            Service::Cdn => "CDN",
            Service::Spectrum => "Spectrum",
        }
    }
}

/// A rule that refuses a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The prefix's first binding must be the whole prefix (the base binding).
    FirstMustBePrefix,
    /// A binding must lie inside its prefix.
    OutsidePrefix,
    /// One binding per CIDR.
    Duplicate,
    /// CDN and Spectrum never overlap.
    CdnSpectrum,
    /// Bindings other than the base never overlap.
    Overlap,
}

/// One case of the table.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// What the case shows, for failure messages.
    pub name: &'static str,
    /// The bindings before, the base first when there is one.
    pub existing: &'static [(&'static str, Service)],
    /// The binding added.
    pub candidate: (&'static str, Service),
    /// `None` when the rules allow it.
    pub refused_by: Option<Rule>,
}

use Service::{Cdn, MagicTransit as Mt, Spectrum};

const BASE: (&str, Service) = (PREFIX, Mt);

/// Every case.
pub const CASES: &[Case] = &[
    Case {
        name: "the base binding first",
        existing: &[],
        candidate: (PREFIX, Mt),
        refused_by: None,
    },
    Case {
        name: "a more specific binding first",
        existing: &[],
        candidate: ("10.0.0.7/32", Cdn),
        refused_by: Some(Rule::FirstMustBePrefix),
    },
    Case {
        name: "a more specific binding inside the base",
        existing: &[BASE],
        candidate: ("10.0.0.7/32", Cdn),
        refused_by: None,
    },
    Case {
        name: "Spectrum beside CDN, disjoint",
        existing: &[BASE, ("10.0.0.0/28", Cdn)],
        candidate: ("10.0.0.16/28", Spectrum),
        refused_by: None,
    },
    Case {
        name: "outside the prefix",
        existing: &[BASE],
        candidate: ("10.0.1.0/28", Cdn),
        refused_by: Some(Rule::OutsidePrefix),
    },
    Case {
        name: "the same CIDR again, another service",
        existing: &[BASE, ("10.0.0.16/28", Cdn)],
        candidate: ("10.0.0.16/28", Mt),
        refused_by: Some(Rule::Duplicate),
    },
    Case {
        name: "the base CIDR again",
        existing: &[BASE],
        candidate: (PREFIX, Cdn),
        refused_by: Some(Rule::Duplicate),
    },
    Case {
        name: "Spectrum inside CDN",
        existing: &[BASE, ("10.0.0.0/28", Cdn)],
        candidate: ("10.0.0.4/30", Spectrum),
        refused_by: Some(Rule::CdnSpectrum),
    },
    Case {
        name: "CDN around Spectrum",
        existing: &[BASE, ("10.0.0.4/30", Spectrum)],
        candidate: ("10.0.0.0/28", Cdn),
        refused_by: Some(Rule::CdnSpectrum),
    },
    Case {
        name: "CDN inside CDN",
        existing: &[BASE, ("10.0.0.0/28", Cdn)],
        candidate: ("10.0.0.4/30", Cdn),
        refused_by: Some(Rule::Overlap),
    },
    Case {
        name: "Magic Transit around Spectrum",
        existing: &[BASE, ("10.0.0.4/30", Spectrum)],
        candidate: ("10.0.0.0/28", Mt),
        refused_by: Some(Rule::Overlap),
    },
];
