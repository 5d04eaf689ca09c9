//! [`IpPrefix`] and [`ApprovalState`]: a BYOIP prefix of an account, as List Prefixes
//! and Prefix Details answer it, converted from the generated wire type.

use std::{convert::Infallible, fmt, net::IpAddr, str::FromStr};

use cf_bindings_generated::types;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{
    text::capped,
    types::binding::{At, FieldError},
    types::cidr::Cidr,
    types::ids::{AccountId, PrefixId},
};

/// The longest description kept (Cloudflare's own limit).
const MAX_DESCRIPTION_CHARS: usize = 1000;
/// The longest other text kept (states, tokens, document ids).
const MAX_TEXT_CHARS: usize = 100;

/// A prefix brought to Cloudflare (BYOIP): the address block whose CIDRs its service
/// bindings route.
///
/// Only the id and the CIDR are required of the server; every other field is kept
/// as Cloudflare sends it, `None` when absent or `null`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IpPrefix {
    /// The prefix's id.
    pub id: PrefixId,
    /// The prefix, in CIDR notation. A prefix's first binding must be exactly this.
    pub cidr: Cidr,
    /// The account it belongs to.
    pub account_id: Option<AccountId>,
    /// Free text given by the account (empty when there is none).
    pub description: String,
    /// The autonomous system number it is advertised under.
    pub asn: Option<i64>,
    /// Whether Cloudflare approved it.
    pub approved: ApprovalState,
    /// Whether it is advertised to the Internet (only known with on-demand advertisement).
    pub advertised: Option<bool>,
    /// When `advertised` last changed.
    pub advertised_modified_at: Option<DateTime<Utc>>,
    /// When the prefix was added.
    pub created_at: Option<DateTime<Utc>>,
    /// When the prefix was last changed.
    pub modified_at: Option<DateTime<Utc>>,
    /// Whether its advertisement may be switched on and off on demand.
    pub on_demand_enabled: Option<bool>,
    /// Whether its advertisement status is locked.
    pub on_demand_locked: Option<bool>,
    /// Whether Cloudflare may generate the letter of agency for the owner.
    pub delegate_loa_creation: Option<bool>,
    /// The uploaded letter of agency.
    pub loa_document_id: Option<String>,
    /// The state of its IRR validation.
    pub irr_validation_state: Option<String>,
    /// The state of its ownership validation.
    pub ownership_validation_state: Option<String>,
    /// The token that demonstrates ownership of the prefix (published by the owner,
    /// not a credential).
    pub ownership_validation_token: Option<String>,
    /// The state of its RPKI validation.
    pub rpki_validation_state: Option<String>,
}

impl IpPrefix {
    /// A prefix with an id and a CIDR only (for tests and examples).
    pub fn new(id: PrefixId, cidr: Cidr) -> Self {
        Self {
            id,
            cidr,
            account_id: None,
            description: String::new(),
            asn: None,
            approved: ApprovalState::Unknown(String::new()),
            advertised: None,
            advertised_modified_at: None,
            created_at: None,
            modified_at: None,
            on_demand_enabled: None,
            on_demand_locked: None,
            delegate_loa_creation: None,
            loa_document_id: None,
            irr_validation_state: None,
            ownership_validation_state: None,
            ownership_validation_token: None,
            rpki_validation_state: None,
        }
    }

    /// Whether `ip` is one of the prefix's addresses.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.cidr.contains(ip)
    }

    /// The prefix of `prefixes` that holds `ip`: the most specific one, should two
    /// overlap. `None` when no prefix holds it.
    pub fn find_containing(prefixes: &[IpPrefix], ip: IpAddr) -> Option<&IpPrefix> {
        prefixes
            .iter()
            .filter(|p| p.contains(ip))
            .max_by_key(|p| p.cidr.prefix_len())
    }
}

/// A prefix's approval by Cloudflare (`approved` on the wire). Values Cloudflare adds
/// later arrive as [`Unknown`](Self::Unknown) instead of failing the response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApprovalState {
    /// `P`: waiting for approval.
    Pending,
    /// `V`: approved, active.
    Active,
    /// Any other value, kept as received (empty when the server sent none).
    Unknown(String),
}

impl ApprovalState {
    /// The value as it appears on the wire (`P`, `V`, or what was received).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Pending => "P",
            Self::Active => "V",
            Self::Unknown(other) => other,
        }
    }
}

impl FromStr for ApprovalState {
    type Err = Infallible;

    fn from_str(value: &str) -> Result<Self, Infallible> {
        Ok(match value {
            "P" => Self::Pending,
            "V" => Self::Active,
            other => Self::Unknown(other.to_owned()),
        })
    }
}

impl fmt::Display for ApprovalState {
    /// `pending`, `active`, or the value received.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Unknown(other) => other,
        })
    }
}

impl Serialize for ApprovalState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ApprovalState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Ok(match value.parse() {
            Ok(state) => state,
            Err(never) => match never {},
        })
    }
}

// Exhaustive on purpose, as every conversion in `model.rs`: a field added to or removed
// from the spec's prefix is a compile error here, where the wrapper decides.
fn prefix_from_wire(wire: types::AddressingIpamPrefixes, at: At) -> Result<IpPrefix, FieldError> {
    let types::AddressingIpamPrefixes {
        account_id,
        advertised,
        advertised_modified_at,
        approved,
        asn,
        cidr,
        created_at,
        delegate_loa_creation,
        description,
        id,
        irr_validation_state,
        loa_document_id,
        modified_at,
        on_demand_enabled,
        on_demand_locked,
        ownership_validation_state,
        ownership_validation_token,
        rpki_validation_state,
    } = wire;
    let id = String::from(at.required(id, "id")?);
    let id = PrefixId::new(id).map_err(|e| (at.field("id"), e.reason().to_owned()))?;
    let cidr = at.required(cidr, "cidr")?;
    let cidr: Cidr = cidr.parse().map_err(|e: crate::types::InvalidInput| {
        (at.field("cidr"), format!("{:?}: {}", e.value(), e.reason()))
    })?;
    let account_id = account_id
        .map(|a| AccountId::new(String::from(a)))
        .transpose()
        .map_err(|e| (at.field("account_id"), e.reason().to_owned()))?;
    let text = |value: Option<String>| value.map(|v| capped(v, MAX_TEXT_CHARS));
    let approved = approved.map_or(ApprovalState::Unknown(String::new()), |a| {
        match capped(a, MAX_TEXT_CHARS).parse() {
            Ok(state) => state,
            Err(never) => match never {},
        }
    });
    Ok(IpPrefix {
        id,
        cidr,
        account_id,
        description: capped(description.unwrap_or_default(), MAX_DESCRIPTION_CHARS),
        asn,
        approved,
        advertised,
        advertised_modified_at,
        created_at: created_at.map(|t| t.0),
        modified_at: modified_at.map(|t| t.0),
        on_demand_enabled,
        on_demand_locked,
        delegate_loa_creation,
        loa_document_id: text(loa_document_id.map(String::from)),
        irr_validation_state: text(irr_validation_state.map(|s| s.0)),
        ownership_validation_state: text(ownership_validation_state.map(|s| s.0)),
        ownership_validation_token: text(ownership_validation_token),
        rpki_validation_state: text(rpki_validation_state.map(|s| s.0)),
    })
}

pub(crate) fn prefixes_from_wire(
    wire: Vec<types::AddressingIpamPrefixes>,
) -> Result<Vec<IpPrefix>, FieldError> {
    wire.into_iter()
        .enumerate()
        .map(|(i, p)| prefix_from_wire(p, At::Item(i)))
        .collect()
}

pub(crate) fn one_prefix_from_wire(
    wire: Option<types::AddressingIpamPrefixes>,
) -> Result<IpPrefix, FieldError> {
    let wire = wire.ok_or_else(|| ("result".to_owned(), "is missing".to_owned()))?;
    prefix_from_wire(wire, At::Result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix(id: &str, cidr: &str) -> IpPrefix {
        IpPrefix::new(id.parse().expect("an id"), cidr.parse().expect("a CIDR"))
    }

    #[test]
    fn the_most_specific_prefix_holding_an_address_is_found() {
        let prefixes = [
            prefix("a1", "203.0.113.0/24"),
            prefix("b2", "2001:db8:1000::/48"),
            prefix("c3", "203.0.113.128/25"),
        ];
        let find = |ip: &str| {
            IpPrefix::find_containing(&prefixes, ip.parse().expect("an address"))
                .map(|p| p.id.as_str())
        };
        assert_eq!(find("203.0.113.7"), Some("a1"));
        assert_eq!(find("203.0.113.200"), Some("c3"));
        assert_eq!(find("2001:db8:1000::1"), Some("b2"));
        assert_eq!(find("198.51.100.1"), None);
        assert_eq!(find("2001:db8:2000::1"), None);
    }

    #[test]
    fn approval_states_keep_what_they_do_not_know() {
        for (wire, state, shown) in [
            ("P", ApprovalState::Pending, "pending"),
            ("V", ApprovalState::Active, "active"),
            ("X", ApprovalState::Unknown("X".to_owned()), "X"),
        ] {
            let parsed: ApprovalState = wire.parse().expect("infallible");
            assert_eq!(parsed, state);
            assert_eq!(parsed.as_str(), wire);
            assert_eq!(parsed.to_string(), shown);
            let json = serde_json::to_string(&parsed).expect("serializes");
            assert_eq!(json, format!("{wire:?}"));
            let back: ApprovalState = serde_json::from_str(&json).expect("deserializes");
            assert_eq!(back, state);
        }
    }
}
