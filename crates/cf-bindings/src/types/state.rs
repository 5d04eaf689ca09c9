//! [`ProvisioningState`]: where a binding is in its deployment to Cloudflare's network.

use std::{convert::Infallible, fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The `provisioning.state` of a service binding.
///
/// A created (or deleted) binding takes four to six hours to propagate; it reports
/// [`Provisioning`](Self::Provisioning) until a majority of Cloudflare's data centres
/// have it, then [`Active`](Self::Active). Values Cloudflare adds later arrive as
/// [`Unknown`](Self::Unknown) instead of failing the response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProvisioningState {
    /// `provisioning`: still propagating.
    Provisioning,
    /// `active`: deployed to a majority of data centres and in use.
    Active,
    /// `magic_transit_route_missing`: the binding cannot become active until a Magic
    /// Transit route covers it.
    MagicTransitRouteMissing,
    /// Any other value, kept as received (empty when the server sent none); from a
    /// client, cut after 100 characters and with the client's own credentials
    /// masked.
    Unknown(String),
}

impl ProvisioningState {
    /// The value as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Provisioning => "provisioning",
            Self::Active => "active",
            Self::MagicTransitRouteMissing => "magic_transit_route_missing",
            Self::Unknown(other) => other,
        }
    }

    /// Whether the binding is active.
    pub fn is_active(&self) -> bool {
        matches!(self, Self::Active)
    }
}

impl FromStr for ProvisioningState {
    type Err = Infallible;

    fn from_str(value: &str) -> Result<Self, Infallible> {
        Ok(match value {
            "provisioning" => Self::Provisioning,
            "active" => Self::Active,
            "magic_transit_route_missing" => Self::MagicTransitRouteMissing,
            other => Self::Unknown(other.to_owned()),
        })
    }
}

impl From<&str> for ProvisioningState {
    fn from(value: &str) -> Self {
        match value.parse() {
            Ok(state) => state,
            Err(never) => match never {},
        }
    }
}

impl fmt::Display for ProvisioningState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(other) if other.is_empty() => f.write_str("unknown"),
            _ => f.write_str(self.as_str()),
        }
    }
}

impl Serialize for ProvisioningState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProvisioningState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self::from(String::deserialize(deserializer)?.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_known_and_unknown() {
        for s in [
            "provisioning",
            "active",
            "magic_transit_route_missing",
            "draining",
        ] {
            assert_eq!(ProvisioningState::from(s).as_str(), s);
        }
        assert_eq!(
            ProvisioningState::from("draining"),
            ProvisioningState::Unknown("draining".into())
        );
    }
}
