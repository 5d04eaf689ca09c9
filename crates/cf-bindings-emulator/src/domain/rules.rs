//! Cloudflare's rules for service bindings, and the typed error of a broken one.

use std::{fmt, str::FromStr};

use ipnet::IpNet;

use super::{Prefix, Service, ServiceKind, State};

/// Why the domain refused an operation. The HTTP layer gives each its status, error
/// code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RuleError {
    AccountNotFound {
        account: String,
    },
    PrefixNotFound {
        prefix: String,
    },
    BindingNotFound {
        binding: String,
    },
    UnknownService {
        service: String,
    },
    /// An IPv4 octet written with a leading zero, which some parsers read as octal.
    LeadingZeroOctet {
        cidr: String,
        octet: String,
    },
    /// Not an address and a prefix length.
    MalformedCidr {
        cidr: String,
    },
    /// Host bits set; `network` is the CIDR meant.
    HostBits {
        cidr: String,
        network: IpNet,
    },
    /// A prefix's first binding must be exactly its CIDR.
    FirstBindingMustMatchPrefix {
        prefix_id: String,
        prefix: IpNet,
        cidr: IpNet,
    },
    CidrOutsidePrefix {
        cidr: IpNet,
        prefix: IpNet,
    },
    DuplicateBinding {
        cidr: IpNet,
        existing: String,
    },
    /// An address would be both CDN and Spectrum; `other_is_cdn` says which the
    /// existing binding is.
    CdnSpectrumConflict {
        cidr: IpNet,
        other: IpNet,
        other_is_cdn: bool,
    },
    /// More-specific bindings may not nest or overlap.
    OverlappingBinding {
        cidr: IpNet,
        other: IpNet,
        other_id: String,
    },
    /// The base binding cannot go while `others` more-specific bindings exist.
    BaseBindingInUse {
        binding: String,
        prefix: IpNet,
        others: usize,
    },
}

impl fmt::Display for RuleError {
    /// The message of the error envelope, as Cloudflare would word it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AccountNotFound { account } => write!(f, "Account {account} not found"),
            Self::PrefixNotFound { prefix } => write!(f, "Prefix {prefix} not found"),
            Self::BindingNotFound { binding } => {
                write!(f, "Service binding {binding} not found")
            }
            Self::UnknownService { service } => write!(
                f,
                "Service {service} not found; List Services gives the available ids"
            ),
            Self::LeadingZeroOctet { cidr, octet } => write!(
                f,
                "Invalid CIDR {cidr:?}: the IPv4 octet {octet:?} has a leading zero, which some parsers read as octal"
            ),
            Self::MalformedCidr { cidr } => write!(
                f,
                "Invalid CIDR {cidr:?}: expected an address and a prefix length, e.g. 192.0.2.0/24"
            ),
            Self::HostBits { cidr, network } => {
                write!(f, "CIDR {cidr} has host bits set; did you mean {network}?")
            }
            Self::FirstBindingMustMatchPrefix {
                prefix_id,
                prefix,
                cidr,
            } => write!(
                f,
                "The first service binding of prefix {prefix_id} must exactly match its CIDR {prefix}, not {cidr}"
            ),
            Self::CidrOutsidePrefix { cidr, prefix } => {
                write!(f, "CIDR {cidr} is not within prefix {prefix}")
            }
            Self::DuplicateBinding { cidr, existing } => {
                write!(
                    f,
                    "A service binding for {cidr} already exists ({existing})"
                )
            }
            Self::CdnSpectrumConflict {
                cidr,
                other,
                other_is_cdn,
            } => write!(
                f,
                "CIDR {cidr} overlaps {other} bound to {}: an address is either CDN or Spectrum, never both",
                if *other_is_cdn { "CDN" } else { "Spectrum" }
            ),
            Self::OverlappingBinding {
                cidr,
                other,
                other_id,
            } => write!(
                f,
                "CIDR {cidr} overlaps the more-specific binding {other} ({other_id}); more-specific bindings may not nest or overlap"
            ),
            Self::BaseBindingInUse {
                binding,
                prefix,
                others,
            } => write!(
                f,
                "Binding {binding} is the base binding of prefix {prefix} and cannot be deleted while {others} more-specific binding(s) exist; delete those first"
            ),
        }
    }
}

/// Parses a CIDR from a request: well-formed and without host bits.
pub(crate) fn parse_cidr(text: &str) -> Result<IpNet, RuleError> {
    let trimmed = text.trim();
    if let Some(octet) = leading_zero_octet(trimmed) {
        return Err(RuleError::LeadingZeroOctet {
            cidr: text.to_owned(),
            octet: octet.to_owned(),
        });
    }
    let net = IpNet::from_str(trimmed).map_err(|_| RuleError::MalformedCidr {
        cidr: text.to_owned(),
    })?;
    if net.trunc() != net {
        return Err(RuleError::HostBits {
            cidr: text.to_owned(),
            network: net.trunc(),
        });
    }
    Ok(net)
}

/// The first IPv4 octet written with a leading zero (`010`), if any: `ipnet` would
/// read it as decimal where other tools read octal.
fn leading_zero_octet(text: &str) -> Option<&str> {
    let address = text.split('/').next().unwrap_or(text);
    let dotted = address.rsplit(':').next().unwrap_or(address);
    if !dotted.contains('.') {
        return None;
    }
    dotted
        .split('.')
        .find(|octet| octet.len() > 1 && octet.starts_with('0'))
}

/// The rules a new binding of `cidr` to a service of `kind` must satisfy against
/// the prefix's existing bindings.
pub(crate) fn check_new_binding(
    state: &State,
    prefix: &Prefix,
    cidr: IpNet,
    kind: ServiceKind,
) -> Result<(), RuleError> {
    if prefix.bindings.is_empty() {
        if cidr != prefix.cidr {
            return Err(RuleError::FirstBindingMustMatchPrefix {
                prefix_id: prefix.id.clone(),
                prefix: prefix.cidr,
                cidr,
            });
        }
        return Ok(());
    }
    if !prefix.cidr.contains(&cidr) {
        return Err(RuleError::CidrOutsidePrefix {
            cidr,
            prefix: prefix.cidr,
        });
    }
    if let Some(existing) = prefix.bindings.iter().find(|b| b.cidr == cidr) {
        return Err(RuleError::DuplicateBinding {
            cidr,
            existing: existing.id.clone(),
        });
    }
    let overlapping = prefix
        .bindings
        .iter()
        .filter(|b| b.cidr != prefix.cidr && (b.cidr.contains(&cidr) || cidr.contains(&b.cidr)));
    let mut first_overlap = None;
    for other in overlapping {
        let other_kind = state
            .service(&other.service_id)
            .map_or(ServiceKind::Other, Service::kind);
        if matches!(
            (kind, other_kind),
            (ServiceKind::Cdn, ServiceKind::Spectrum) | (ServiceKind::Spectrum, ServiceKind::Cdn)
        ) {
            return Err(RuleError::CdnSpectrumConflict {
                cidr,
                other: other.cidr,
                other_is_cdn: other_kind == ServiceKind::Cdn,
            });
        }
        first_overlap.get_or_insert(other);
    }
    if let Some(other) = first_overlap {
        return Err(RuleError::OverlappingBinding {
            cidr,
            other: other.cidr,
            other_id: other.id.clone(),
        });
    }
    Ok(())
}

/// The index of the binding to delete, if the rules allow it: it exists, and it is
/// not the base binding while others remain.
pub(crate) fn check_delete(prefix: &Prefix, binding_id: &str) -> Result<usize, RuleError> {
    let index = prefix
        .bindings
        .iter()
        .position(|b| b.id == binding_id)
        .ok_or_else(|| RuleError::BindingNotFound {
            binding: binding_id.to_owned(),
        })?;
    let others = prefix.bindings.len() - 1;
    if prefix.bindings[index].cidr == prefix.cidr && others > 0 {
        return Err(RuleError::BaseBindingInUse {
            binding: binding_id.to_owned(),
            prefix: prefix.cidr,
            others,
        });
    }
    Ok(index)
}
