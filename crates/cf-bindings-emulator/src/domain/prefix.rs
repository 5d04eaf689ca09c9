//! What Cloudflare tells about a prefix besides its CIDR and bindings (List Prefixes,
//! Prefix Details): its description, ASN, approval, advertisement, LOA and validation
//! states, and its timestamps; with the defaults of a seed or state file that says
//! nothing about them.

use std::{
    fmt,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// Approval state of a prefix: `P` pending, `V` active (Cloudflare's letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Approval {
    Pending,
    Active,
}

impl Approval {
    /// Cloudflare's letter for it.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Approval::Pending => "P",
            Approval::Active => "V",
        }
    }

    /// The state a letter names, if any.
    pub(crate) fn from_code(code: &str) -> Option<Self> {
        match code {
            "P" => Some(Approval::Pending),
            "V" => Some(Approval::Active),
            _ => None,
        }
    }

    /// The state of a validation (IRR, ownership, RPKI) of a prefix in this approval
    /// state, when nothing else is said: an active prefix passed them all.
    pub(crate) fn default_validation_state(self) -> &'static str {
        match self {
            Approval::Pending => "pending",
            Approval::Active => "validated",
        }
    }
}

/// A point in time, to the microsecond (Cloudflare's timestamps have six fractional
/// digits), written as RFC 3339 in UTC: `2024-05-14T17:02:11.123456Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timestamp {
    micros: u64,
}

impl Timestamp {
    /// The Unix epoch, 1970-01-01T00:00:00Z: the default of a timestamp nobody gave.
    pub(crate) const EPOCH: Timestamp = Timestamp { micros: 0 };

    /// Parses RFC 3339 in UTC (`Z` or `+00:00`); digits past the microsecond are
    /// dropped.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let time = humantime::parse_rfc3339(text).map_err(|e| {
            format!("{text:?} is not an RFC 3339 UTC timestamp such as 2024-05-14T17:02:11.123456Z ({e})")
        })?;
        let since = time.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        Ok(Self {
            micros: u64::try_from(since.as_micros()).unwrap_or(u64::MAX),
        })
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with six fractional digits, as Cloudflare writes them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let time: SystemTime = UNIX_EPOCH + Duration::from_micros(self.micros);
        write!(f, "{}", humantime::format_rfc3339_micros(time))
    }
}

/// A prefix's details, as List Prefixes and Prefix Details return them (the id,
/// account and CIDR are the prefix's own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrefixDetails {
    pub(crate) description: String,
    /// The AS number it is advertised under; `None` when not set.
    pub(crate) asn: Option<u32>,
    pub(crate) approved: Approval,
    /// Advertisement status; Cloudflare sets it only with on-demand advertisement.
    pub(crate) advertised: Option<bool>,
    /// Last change of `advertised`; set only with on-demand advertisement.
    pub(crate) advertised_modified_at: Option<Timestamp>,
    pub(crate) created_at: Timestamp,
    pub(crate) modified_at: Timestamp,
    pub(crate) on_demand_enabled: bool,
    pub(crate) on_demand_locked: bool,
    pub(crate) delegate_loa_creation: bool,
    pub(crate) loa_document_id: Option<String>,
    pub(crate) irr_validation_state: String,
    pub(crate) ownership_validation_state: String,
    pub(crate) rpki_validation_state: String,
    pub(crate) ownership_validation_token: String,
}

/// Longest description Cloudflare accepts, in characters.
pub(crate) const MAX_DESCRIPTION_CHARS: usize = 1000;

impl PrefixDetails {
    /// The details of prefix `prefix_id`, in the approval state `approved`, when its
    /// seed or state file gives none: no description and no ASN, every validation
    /// passed (pending while the prefix is), on-demand advertisement off (so
    /// `advertised` unset), no LOA document, created and modified at the Unix epoch,
    /// and an ownership token derived from the id (so it is stable across restarts).
    pub(crate) fn defaults(prefix_id: &str, approved: Approval) -> Self {
        let state = approved.default_validation_state().to_owned();
        Self {
            description: String::new(),
            asn: None,
            approved,
            advertised: None,
            advertised_modified_at: None,
            created_at: Timestamp::EPOCH,
            modified_at: Timestamp::EPOCH,
            on_demand_enabled: false,
            on_demand_locked: false,
            delegate_loa_creation: false,
            loa_document_id: None,
            irr_validation_state: state.clone(),
            ownership_validation_state: state.clone(),
            rpki_validation_state: state,
            ownership_validation_token: token_from_id(prefix_id),
        }
    }
}

/// An ownership token in Cloudflare's UUID-like shape, made from a 32-character id:
/// `2af39739-cc4e-3b59-10c9-18468bb89828`. Other ids are returned as they are.
pub(crate) fn token_from_id(id: &str) -> String {
    match (
        id.get(..8),
        id.get(8..12),
        id.get(12..16),
        id.get(16..20),
        id.get(20..),
    ) {
        (Some(a), Some(b), Some(c), Some(d), Some(e)) if id.len() == 32 => {
            format!("{a}-{b}-{c}-{d}-{e}")
        }
        _ => id.to_owned(),
    }
}
