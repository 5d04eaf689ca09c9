//! [`Plan`]: what [`plan`](crate::desired::plan) computed, ready to print, save as JSON and
//! apply.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Live, Location, ServiceRef, Transition, Unlisted};
use crate::{
    types::binding::ServiceBinding,
    types::cidr::Cidr,
    types::ids::{AccountId, BindingId, PrefixId, ServiceId},
};

/// What a [`Change`] does to a CIDR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Bind a CIDR that has no binding.
    Create,
    /// Delete a binding that the file does not list (only with `prune`).
    Delete,
    /// Change a CIDR's service: there is no update operation, so a delete and a create.
    Replace,
    /// Delete and create a binding with the same service, because the base binding
    /// around it is replaced and cannot be deleted while it exists.
    Recreate,
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Create => "create",
            Self::Delete => "delete",
            Self::Replace => "replace",
            Self::Recreate => "recreate",
        })
    }
}

/// One change to one CIDR, for people: what it is, and where its traffic goes
/// while the change is in flight (four to six hours per create or delete).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Change {
    /// Create, delete, replace or recreate.
    pub kind: ChangeKind,
    /// The CIDR changed.
    pub cidr: Cidr,
    /// Its service now (`None` for a create).
    pub before: Option<ServiceRef>,
    /// Its service once applied (`None` for a delete).
    pub after: Option<ServiceRef>,
    /// For a delete, replace or recreate: the service of the nearest enclosing
    /// binding that the plan leaves untouched, where the CIDR's traffic falls back
    /// while the change is in flight. `None` when there is no such binding (the
    /// base binding itself, or everything around it changes too): traffic to the
    /// CIDR may then go nowhere for a while. Always `None` for a create. The
    /// prefix's [`transitions`](PrefixPlan::transitions) tell the whole story: every
    /// service the traffic passes through, step by step.
    pub fallback: Option<ServiceRef>,
    /// Where the file lists the CIDR (`None` for a live binding the file does not
    /// list, and in plans saved before locations were recorded).
    #[serde(default)]
    pub location: Option<Location>,
}

/// One API call of a plan, in the order it must be made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Step {
    /// Delete the live binding `binding` (of `cidr`, bound to `service`).
    Delete {
        /// The binding to delete.
        binding: BindingId,
        /// Its CIDR.
        cidr: Cidr,
        /// Its service.
        service: ServiceRef,
    },
    /// Create a binding of `cidr` to `service`.
    Create {
        /// The CIDR to bind.
        cidr: Cidr,
        /// The service to bind it to.
        service: ServiceRef,
    },
}

impl Step {
    /// The CIDR the step is about.
    pub fn cidr(&self) -> &Cidr {
        match self {
            Self::Delete { cidr, .. } | Self::Create { cidr, .. } => cidr,
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Delete {
                binding,
                cidr,
                service,
            } => write!(f, "delete {cidr} ({service}, binding {binding})"),
            Self::Create { cidr, service } => write!(f, "create {cidr} ({service})"),
        }
    }
}

/// A live binding as a plan records it: enough to tell when the live state changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LiveBinding {
    /// The binding's id.
    pub id: BindingId,
    /// Its CIDR.
    pub cidr: Cidr,
    /// Its service's id.
    pub service_id: ServiceId,
}

impl LiveBinding {
    /// The record of `bindings`, sorted by id (provisioning states are left out: a
    /// binding becoming active does not make a plan stale).
    pub(crate) fn record(bindings: &[ServiceBinding]) -> Vec<LiveBinding> {
        let mut record: Vec<LiveBinding> = bindings
            .iter()
            .map(|b| LiveBinding {
                id: b.id.clone(),
                cidr: b.cidr,
                service_id: b.service_id.clone(),
            })
            .collect();
        record.sort_unstable();
        record
    }
}

/// The plan of one prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PrefixPlan {
    /// The prefix.
    pub prefix: PrefixId,
    /// The prefix's CIDR: Cloudflare's, when [`plan`](crate::desired::plan) was given the
    /// account's prefixes (and then checked by [`Plan::verify`]); otherwise the
    /// file's `cidr` or the live base binding's, when known. Never guessed from the
    /// file's bindings.
    pub cidr: Option<Cidr>,
    /// The live bindings the plan was computed from, sorted by id.
    pub live: Vec<LiveBinding>,
    /// The changes, ordered by address.
    pub changes: Vec<Change>,
    /// The API calls, in the order to make them.
    pub steps: Vec<Step>,
    /// The live bindings the file does not list, kept because `prune` is off (with
    /// `prune` they are deleted, and are changes), by address: drift that `apply`
    /// leaves alone.
    #[serde(default)]
    pub unlisted: Vec<Unlisted>,
    /// Where the traffic of every address whose routing the steps change goes after
    /// each step, by address.
    #[serde(default)]
    pub transitions: Vec<Transition>,
}

/// The bindings file a [`Plan`] was made from, as a saved plan records it: where it
/// is and what it held, so that what was reviewed is what is applied.
///
/// Pure data: the crate neither reads the file nor hashes it. A program that saves
/// plans (the `cf-bindings` CLI's `plan --out`) records the file's path and the
/// SHA-256 of its bytes; before applying the plan it reads the file again and
/// refuses the plan when the bytes differ.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlanSource {
    /// The file's path as it was given, relative to the working directory of the
    /// program that planned (the root of a repository, in CI).
    pub path: String,
    /// The SHA-256 of the file's bytes, as 64 lower-case hexadecimal digits.
    pub sha256: String,
}

impl PlanSource {
    /// The record of the file at `path` whose bytes have the SHA-256 `sha256`
    /// (hexadecimal, stored in lower case).
    pub fn new(path: impl Into<String>, sha256: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            sha256: sha256.into().to_ascii_lowercase(),
        }
    }
}

/// The changes that make the live bindings match a [`Desired`](crate::desired::Desired),
/// and the API calls that make them, in a safe order (see [`plan`](crate::desired::plan)).
///
/// Serialize it (e.g. with `serde_json`) to save it. Before applying a saved plan,
/// refuse it when its [`version`](Plan::version) is not [`Plan::VERSION`], list the
/// live bindings of its prefixes again, and refuse it when [`Plan::verify`] does
/// (a stale plan, or one whose steps are not what its changes show); when it
/// records the bindings file it was made from ([`Plan::source`]), refuse it too
/// when that file's bytes changed. To
/// apply it, run each prefix's [`steps`](PrefixPlan::steps) in order, stopping at
/// the first failure: planning again from the new live state then finishes the job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Plan {
    /// The format version of a saved plan ([`Plan::VERSION`]).
    pub version: u32,
    /// The account of the file, when it names one.
    pub account: Option<AccountId>,
    /// The bindings file the plan was made from, when the program that planned
    /// records it (see [`PlanSource`]); `None` for a plan made from standard input
    /// or by a program that records no file ([`plan`](crate::desired::plan) itself never
    /// does).
    #[serde(default)]
    pub source: Option<PlanSource>,
    /// One entry per prefix of the file, in file order.
    pub prefixes: Vec<PrefixPlan>,
}

impl Plan {
    /// The format version this crate writes: 2 since plans record their bindings
    /// file ([`Plan::source`]). A plan of another version is refused, not read
    /// as best it can: a version-1 plan records no file, and applying it would skip
    /// the check that the file is still what was planned.
    pub const VERSION: u32 = 2;

    /// Whether there is nothing to do: no step to make. The live state may still
    /// hold bindings the file does not list (see [`Plan::has_drift`]).
    pub fn is_empty(&self) -> bool {
        self.prefixes.iter().all(|p| p.steps.is_empty())
    }

    /// Whether the live bindings differ from the file: there are steps to make, or
    /// live bindings that the file does not list and `prune = false` keeps. What
    /// `plan --exit-code` reports as drift.
    pub fn has_drift(&self) -> bool {
        !self.is_empty() || self.unlisted().next().is_some()
    }

    /// Every live binding the file does not list (kept because `prune` is off),
    /// with its prefix.
    pub fn unlisted(&self) -> impl Iterator<Item = (&PrefixId, &Unlisted)> {
        self.prefixes
            .iter()
            .flat_map(|p| p.unlisted.iter().map(move |u| (&p.prefix, u)))
    }

    /// Every change, with its prefix.
    pub fn changes(&self) -> impl Iterator<Item = (&PrefixId, &Change)> {
        self.prefixes
            .iter()
            .flat_map(|p| p.changes.iter().map(move |c| (&p.prefix, c)))
    }

    /// Every step, with its prefix, in the order to run them.
    pub fn steps(&self) -> impl Iterator<Item = (&PrefixId, &Step)> {
        self.prefixes
            .iter()
            .flat_map(|p| p.steps.iter().map(move |s| (&p.prefix, s)))
    }

    /// The prefixes whose live bindings differ from those the plan was computed
    /// from (a binding added, deleted, or bound to another service), or that `live`
    /// does not hold.
    pub fn stale_prefixes(&self, live: &Live) -> Vec<PrefixId> {
        self.prefixes
            .iter()
            .filter(|p| {
                live.get(&p.prefix)
                    .is_none_or(|now| LiveBinding::record(now) != p.live)
            })
            .map(|p| p.prefix.clone())
            .collect()
    }

    /// Whether `live` no longer matches what the plan was computed from.
    pub fn is_stale(&self, live: &Live) -> bool {
        !self.stale_prefixes(live).is_empty()
    }
}
