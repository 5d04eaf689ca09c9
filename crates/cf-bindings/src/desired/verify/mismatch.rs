//! [`PlanMismatch`]: why a saved plan was refused, the prefix and what does not
//! hold ([`MismatchKind`]), and how it is said.

use std::fmt;

use crate::desired::{Change, ChangeKind, ServiceRef, Step};
use crate::types::{cidr::Cidr, ids::PrefixId};

/// Why [`Plan::check`] or [`Plan::verify`] refused a plan: the prefix, and what
/// does not hold.
///
/// [`Plan::check`]: crate::desired::Plan::check
/// [`Plan::verify`]: crate::desired::Plan::verify
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanMismatch {
    /// The prefix whose part of the plan is refused.
    pub prefix: PrefixId,
    pub(super) kind: Box<MismatchKind>,
}

/// What [`Plan::check`] or [`Plan::verify`] found wrong with a prefix's part of a
/// plan.
///
/// [`Plan::check`]: crate::desired::Plan::check
/// [`Plan::verify`]: crate::desired::Plan::verify
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
// Made only on the way out of a check, and returned boxed.
#[allow(clippy::large_enum_variant)]
pub enum MismatchKind {
    /// The plan holds the prefix more than once.
    DuplicatePrefix,
    /// The live bindings of the prefix are not those the plan records (or were not
    /// given): the plan is stale, not wrong; planning again gives a fresh one.
    Stale,
    /// The prefix is not one of the account's prefixes.
    UnknownPrefix,
    /// The plan's CIDR for the prefix is not the prefix's real CIDR (from the
    /// account's prefixes).
    PrefixCidr {
        /// The CIDR the plan gives.
        planned: Option<Cidr>,
        /// The prefix's, as Cloudflare lists it.
        actual: Cidr,
    },
    /// The plan's CIDR for the prefix is not that of its live base binding.
    Base {
        /// The CIDR the plan gives.
        planned: Option<Cidr>,
        /// The live base binding's.
        live: Cidr,
    },
    /// A delete step names a binding that is not live, or gives it another CIDR or
    /// service than the live binding has.
    Delete {
        /// The step's place among the prefix's steps, from 1.
        step: usize,
        /// The step as the plan gives it.
        planned: Step,
        /// The step the live binding it names would give, if that binding is live.
        live: Option<Step>,
    },
    /// A change binds a CIDR to a service the account does not have, or names it
    /// otherwise than the account does.
    Service {
        /// The CIDR of the change.
        cidr: Cidr,
        /// The service as the plan gives it.
        planned: ServiceRef,
        /// The account's service of that id, if any.
        known: Option<ServiceRef>,
    },
    /// The changes are not those between the recorded live bindings and the final
    /// state the changes describe (a kind, a service before, or a fallback that is
    /// not so, or changes out of order).
    Changes {
        /// The place of the first difference, from 1.
        index: usize,
        /// The plan's change there, if it has one.
        planned: Option<Change>,
        /// The change derived there, if any.
        derived: Option<Change>,
    },
    /// The steps are not those that make the changes, in the planner's order.
    Steps {
        /// The place of the first difference, from 1.
        index: usize,
        /// The plan's step there, if it has one.
        planned: Option<Step>,
        /// The step the changes call for there, if any.
        derived: Option<Step>,
    },
}

impl PlanMismatch {
    /// What does not hold.
    pub fn kind(&self) -> &MismatchKind {
        &self.kind
    }

    /// Whether the plan is only stale (the live bindings changed since it was
    /// made), rather than inconsistent in itself.
    pub fn is_stale(&self) -> bool {
        *self.kind == MismatchKind::Stale
    }
}

impl fmt::Display for PlanMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = &self.prefix;
        match &*self.kind {
            MismatchKind::DuplicatePrefix => {
                write!(f, "prefix {prefix} appears more than once in the plan")
            }
            MismatchKind::Stale => write!(
                f,
                "the live bindings of prefix {prefix} are not those the plan was made from"
            ),
            MismatchKind::UnknownPrefix => {
                write!(f, "prefix {prefix} is not one of the account's prefixes")
            }
            MismatchKind::PrefixCidr { planned, actual } => write!(
                f,
                "prefix {prefix}: the plan gives its CIDR as {}, but the prefix is {actual}",
                planned.map_or_else(|| "unknown".to_owned(), |c| c.to_string())
            ),
            MismatchKind::Base { planned, live } => write!(
                f,
                "prefix {prefix}: the plan gives its CIDR as {}, but its live base binding is {live}",
                planned.map_or_else(|| "unknown".to_owned(), |c| c.to_string())
            ),
            MismatchKind::Delete {
                step,
                planned,
                live,
            } => {
                write!(f, "prefix {prefix}: step {step} is `{planned}`, but ")?;
                match live {
                    Some(live) => write!(f, "the live binding is `{live}`"),
                    None => match planned {
                        Step::Delete { binding, .. } => {
                            write!(f, "the prefix has no live binding {binding}")
                        }
                        Step::Create { .. } => write!(f, "it is not a delete"),
                    },
                }
            }
            MismatchKind::Service {
                cidr,
                planned,
                known,
            } => {
                write!(
                    f,
                    "prefix {prefix}: the change of {cidr} binds it to {planned} (service {}), ",
                    planned.id
                )?;
                match known {
                    Some(known) => write!(f, "which the account names {known}"),
                    None => f.write_str("which is not a service of the account"),
                }
            }
            MismatchKind::Changes {
                index,
                planned,
                derived,
            } => {
                write!(
                    f,
                    "prefix {prefix}: the plan's changes do not follow from the live bindings it records: change {index} is "
                )?;
                write_either(f, planned.as_ref().map(describe))?;
                f.write_str(", where it should be ")?;
                write_either(f, derived.as_ref().map(describe))
            }
            MismatchKind::Steps {
                index,
                planned,
                derived,
            } => {
                write!(
                    f,
                    "prefix {prefix}: the plan's steps are not those its changes call for: step {index} is "
                )?;
                write_either(f, planned.as_ref().map(ToString::to_string))?;
                f.write_str(", where the changes call for ")?;
                write_either(f, derived.as_ref().map(ToString::to_string))
            }
        }
    }
}

impl std::error::Error for PlanMismatch {}

/// `` `text` ``, or `nothing`.
fn write_either(f: &mut fmt::Formatter<'_>, text: Option<String>) -> fmt::Result {
    match text {
        Some(text) => write!(f, "`{text}`"),
        None => f.write_str("nothing"),
    }
}

/// `replace 203.0.113.7/32 (CDN → Spectrum; falls back to Magic Transit)`.
fn describe(change: &Change) -> String {
    let services = match (&change.before, &change.after) {
        (Some(before), Some(after)) if change.kind != ChangeKind::Recreate => {
            format!("{before} → {after}")
        }
        (Some(service), _) | (None, Some(service)) => service.to_string(),
        (None, None) => "no service".to_owned(),
    };
    let fallback = change
        .fallback
        .as_ref()
        .map(|f| format!("; falls back to {f}"))
        .unwrap_or_default();
    format!("{} {} ({services}{fallback})", change.kind, change.cidr)
}
