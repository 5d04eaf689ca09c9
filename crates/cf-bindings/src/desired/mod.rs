//! Bindings as code: a desired state written in a file, checked offline, planned
//! against the live bindings, exported from them, and applied. Pure and free of
//! I/O but for [`apply`]: the caller reads files and lists the live bindings; this
//! module computes, and `apply` makes a plan's calls through the client. The format and
//! the rules are documented on [`Desired`].

mod apply;
mod check;
mod diagnostic;
mod export;
mod location;
mod net;
mod order;
mod parse;
mod plan;
mod planner;
mod service_ref;
mod services;
mod traffic;
mod verify;

pub use apply::{Applied, ApplyError, StopFlag, StopReason, apply, apply_until_stopped};
pub use diagnostic::{Diagnostic, DiagnosticKind, Diagnostics, Severity};
pub use export::export;
pub use location::Location;
pub use plan::{Change, ChangeKind, LiveBinding, Plan, PlanSource, PrefixPlan, Step};
pub use planner::plan;
pub use service_ref::ServiceRef;
pub use traffic::{Pass, Reroute, Transition, Unlisted};
pub use verify::{MismatchKind, PlanMismatch};

use std::collections::BTreeMap;

use crate::{
    types::binding::ServiceBinding,
    types::cidr::Cidr,
    types::ids::{AccountId, PrefixId},
    types::prefix::IpPrefix,
};

/// A desired state: the bindings one account's prefixes should have. Parse it from
/// a file with [`Desired::parse`], or build it with [`Desired::new`] and the fields.
///
/// # The file format
/// TOML, one file per account. Each `[[prefix]]` names a BYOIP prefix by id and
/// lists the bindings it should have; comments are welcome, unknown keys are errors
/// (they are typos).
///
/// ```
/// use cf_bindings::desired::Desired;
///
/// let text = r#"
/// account = "023e105f4ecef8ad9ca31a8372d0c353"   # optional (the command line may give it)
///
/// [[prefix]]
/// id = "2af39739cc4e3b5910c918468bb89828"
/// cidr = "203.0.113.0/24"   # optional: the prefix's CIDR, for offline checks
/// prune = false             # optional: delete live bindings not listed here (default false)
/// bindings = [
///   { cidr = "203.0.113.0/24",  service = "Magic Transit" },  # the base binding
///   { cidr = "203.0.113.7/32",  service = "CDN" },
///   { cidr = "203.0.113.16/29", service = "Spectrum" },
///   { cidr = "203.0.113.64/26", service = "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b" },  # by id
/// ]
///
/// [[prefix]]
/// id = "9f1b2c3d4e5f60718293a4b5c6d7e8f9"
/// prune = true
/// bindings = [{ cidr = "2001:db8::/48", service = "magic transit" }]
/// "#;
///
/// let desired = Desired::parse("bindings.toml", text)?;
/// assert_eq!(desired.prefixes.len(), 2);
/// assert_eq!(desired.prefixes[0].bindings[1].service, "CDN");
/// assert!(desired.validate().is_empty()); // no error, no warning
/// # Ok::<(), cf_bindings::desired::Diagnostics>(())
/// ```
///
/// | key | where | meaning |
/// |-----|-------|---------|
/// | `account` | top | the account id (optional) |
/// | `id` | `[[prefix]]` | the prefix id (required) |
/// | `cidr` | `[[prefix]]` | the prefix's CIDR (optional; enables the prefix checks offline; [`plan`] refuses it when it is not the prefix's real CIDR) |
/// | `prune` | `[[prefix]]` | delete live bindings not listed (default `false`: leave them) |
/// | `bindings` | `[[prefix]]` | the bindings, each `{ cidr, service }` (default: none) |
/// | `cidr` | binding | the CIDR, no host bits (`203.0.113.7/32`, `2001:db8::/64`) |
/// | `service` | binding | a service name (any case: `CDN`, `cdn`) or a service id |
///
/// Bindings may also be written as `[[prefix.bindings]]` tables: TOML makes them the
/// same thing.
///
/// # The rules
/// [`Desired::validate`] checks, with the file alone: every CIDR and id is well formed
/// (no host bits: `203.0.113.7/24` is refused with `203.0.113.0/24` suggested); no
/// CIDR is IPv4-mapped IPv6 (`::ffff:203.0.113.7/128` is refused with
/// `203.0.113.7/32` suggested: written so, IPv4 addresses would escape the rules); no
/// prefix id twice; where a prefix's `cidr` is given, one binding equals it (the
/// *base* binding, the first a prefix gets) and every other lies strictly inside it;
/// no CIDR twice in a prefix; more-specific (non-base) bindings do not overlap; no
/// address is both CDN and Spectrum. Without `cidr`, the binding that contains all
/// the others (if any) is taken as the base; with `prune = true` there must be one.
///
/// - *Nesting.* Cloudflare does not document whether more-specific bindings may nest
///   inside one another; the emulator refuses it, and so does `validate`, so that a
///   file that validates does not fail half-way through an apply. The base binding
///   may hold anything (a CDN base with Spectrum `/32`s is fine).
/// - *Services by id.* Offline, the CDN/Spectrum rule and the warnings only know
///   services by name (`CDN` and `Spectrum`, any case); a service given by id is
///   checked by [`plan`], which knows the live services.
/// - *Service names.* A name that is none of Cloudflare's documented services
///   (Magic Transit, CDN, Spectrum, in any case), nor an id (32 hexadecimal digits),
///   gets a warning, with the documented name it most likely means
///   ([`DiagnosticKind::UndocumentedService`]: `Spektrum`, did you mean
///   `Spectrum`?); [`plan`] still looks it up among the account's services.
///
/// Warnings (the file stays valid): bindings of one service that together form a
/// larger block ([`DiagnosticKind::Aggregate`], e.g. `.6/32` and `.7/32` → `.6/31`),
/// a binding with the same service as the base binding around it, which changes
/// nothing ([`DiagnosticKind::Redundant`]), and a service name Cloudflare does not
/// document ([`DiagnosticKind::UndocumentedService`]).
///
/// # Planning and applying
/// [`plan`] compares a [`Desired`] with the [`Live`] bindings and the services, and
/// returns a [`Plan`]: per prefix, the [`Change`]s (create, delete, replace) and the
/// [`Step`]s (API calls) in an order where every intermediate state obeys the rules
/// above. See [`plan`] for the order. [`export`] writes live bindings as a
/// [`Desired`], and [`Desired::to_toml`] renders it in this format.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Desired {
    /// The account the file describes, when it says.
    pub account: Option<AccountId>,
    /// The prefixes, in file order.
    pub prefixes: Vec<DesiredPrefix>,
}

/// The desired bindings of one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DesiredPrefix {
    /// The prefix's id.
    pub id: PrefixId,
    /// The prefix's CIDR, when the file gives it (it enables the offline checks).
    pub cidr: Option<Cidr>,
    /// Whether live bindings not listed are deleted (`false`: they are left alone).
    pub prune: bool,
    /// The bindings, in file order.
    pub bindings: Vec<DesiredBinding>,
    /// Where the prefix's `id` is written.
    pub location: Option<Location>,
    /// Where the prefix's `cidr` is written.
    pub cidr_location: Option<Location>,
    /// The prefix's description, as Cloudflare gives it: [`Desired::to_toml`]
    /// writes it as a comment above the prefix (so [`Desired::parse`], which reads
    /// no comment, leaves it `None`). [`export`] sets it from the account's prefixes.
    pub description: Option<String>,
}

impl DesiredPrefix {
    /// A prefix with no CIDR, no binding, no description, and `prune` off.
    pub fn new(id: PrefixId) -> Self {
        Self {
            id,
            cidr: None,
            prune: false,
            bindings: Vec::new(),
            location: None,
            cidr_location: None,
            description: None,
        }
    }
}

/// One desired binding: a CIDR and its service.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DesiredBinding {
    /// The CIDR.
    pub cidr: Cidr,
    /// The service, by name (any case) or by id, as written.
    pub service: String,
    /// Where the binding's `cidr` is written.
    pub location: Option<Location>,
    /// Where the binding's `service` is written.
    pub service_location: Option<Location>,
}

impl DesiredBinding {
    /// A binding of `cidr` to `service` (a name or an id).
    pub fn new(cidr: Cidr, service: impl Into<String>) -> Self {
        Self {
            cidr,
            service: service.into(),
            location: None,
            service_location: None,
        }
    }
}

impl Desired {
    /// An empty desired state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a file in the format of the [format](Desired); `name` is
    /// the file's name for the locations of errors.
    ///
    /// # Errors
    /// [`Diagnostics`] holding every malformed value (CIDR, id, empty service), or
    /// the first TOML error (invalid syntax, unknown key, wrong type, missing key),
    /// each with its file, line and column.
    pub fn parse(name: &str, text: &str) -> Result<Desired, Diagnostics> {
        parse::parse(name, text)
    }

    /// The offline checks of the [format](Desired): errors for rule
    /// violations, warnings for bindings that could be aggregated or removed.
    pub fn validate(&self) -> Diagnostics {
        check::validate(self)
    }

    /// Renders this state in the file format, bindings ordered by address, so that
    /// [`Desired::parse`] reads it back as the same state.
    pub fn to_toml(&self) -> String {
        export::render(self)
    }
}

/// The live state of an account as read from the API: the bindings of some
/// prefixes, and the account's prefixes themselves (List Prefixes). What [`plan`]
/// compares a [`Desired`] with, and what [`export`] writes.
///
/// Give the account's prefixes ([`Live::set_account_prefixes`]) so that each
/// prefix's CIDR is Cloudflare's, never inferred: [`plan`] then refuses a file that
/// names a prefix the account does not have, or gives a prefix another `cidr`, and
/// checks a prefix's first binding against its real CIDR; [`Plan::verify`] checks a
/// saved plan's CIDRs; [`export`] writes each prefix's CIDR and description.
///
/// ```
/// use cf_bindings::{Cidr, IpPrefix, PrefixId, desired::Live};
///
/// let id: PrefixId = "2af39739cc4e3b5910c918468bb89828".parse()?;
/// let cidr: Cidr = "203.0.113.0/24".parse()?;
/// let mut live = Live::new();
/// live.set_account_prefixes(vec![IpPrefix::new(id.clone(), cidr)]);
/// live.insert(id.clone(), Vec::new()); // its bindings, as listed: none yet
/// assert_eq!(live.account_prefix(&id).map(|p| p.cidr), Some(cidr));
/// # Ok::<(), cf_bindings::error::InvalidInput>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Live {
    prefixes: BTreeMap<PrefixId, Vec<ServiceBinding>>,
    account_prefixes: Option<Vec<IpPrefix>>,
}

impl Live {
    /// No prefix.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the account's prefixes, all of them, as List Prefixes
    /// ([`Prefixes::list`](crate::Prefixes::list)) answered, replacing those given
    /// before.
    pub fn set_account_prefixes(&mut self, prefixes: Vec<IpPrefix>) {
        self.account_prefixes = Some(prefixes);
    }

    /// The account's prefixes, when given with [`Live::set_account_prefixes`].
    pub fn account_prefixes(&self) -> Option<&[IpPrefix]> {
        self.account_prefixes.as_deref()
    }

    /// The account's prefix `id`, when the account's prefixes were given and hold it.
    pub fn account_prefix(&self, id: &PrefixId) -> Option<&IpPrefix> {
        self.account_prefixes
            .as_deref()
            .and_then(|all| all.iter().find(|p| &p.id == id))
    }

    /// Sets the live bindings of `prefix`, returning those it had.
    pub fn insert(
        &mut self,
        prefix: PrefixId,
        bindings: Vec<ServiceBinding>,
    ) -> Option<Vec<ServiceBinding>> {
        self.prefixes.insert(prefix, bindings)
    }

    /// The live bindings of `prefix`, when given.
    pub fn get(&self, prefix: &PrefixId) -> Option<&[ServiceBinding]> {
        self.prefixes.get(prefix).map(Vec::as_slice)
    }

    /// The prefixes and their bindings, by prefix id.
    pub fn iter(&self) -> impl Iterator<Item = (&PrefixId, &[ServiceBinding])> {
        self.prefixes.iter().map(|(id, b)| (id, b.as_slice()))
    }
}

impl FromIterator<(PrefixId, Vec<ServiceBinding>)> for Live {
    /// The bindings of some prefixes, without the account's prefixes.
    fn from_iter<I: IntoIterator<Item = (PrefixId, Vec<ServiceBinding>)>>(iter: I) -> Self {
        Self {
            prefixes: iter.into_iter().collect(),
            account_prefixes: None,
        }
    }
}
