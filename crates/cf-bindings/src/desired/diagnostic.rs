//! [`Diagnostic`]s: the errors and warnings of parsing, validating and planning a
//! desired state, each with its kind, message and location.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Location;
use crate::types::cidr::Cidr;

/// Whether a [`Diagnostic`] stops the file from being used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The file cannot be planned or applied until this is fixed.
    Error,
    /// Worth fixing (Cloudflare recommends fewer, aggregated bindings), but valid.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

/// What a [`Diagnostic`] is about. Serialized as `"kind": "snake_case_name"` next to
/// the data of the kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// The text is not valid TOML, or a value has the wrong type, or a required key
    /// is missing.
    Toml,
    /// A key the format does not know (a typo).
    UnknownKey,
    /// A value that does not parse: a CIDR (malformed, or with host bits set), an
    /// id, or an empty service.
    InvalidValue,
    /// An IPv4-mapped IPv6 CIDR (inside `::ffff:0:0/96`): IPv4 addresses written as
    /// IPv6, which the rules would not compare with the same addresses written as
    /// IPv4 (`::ffff:203.0.113.7/128` is `203.0.113.7/32`).
    Ipv4Mapped {
        /// The CIDR as written.
        cidr: Cidr,
        /// The IPv4 CIDR it stands for.
        ipv4: Cidr,
    },
    /// The same prefix id appears twice in the file.
    DuplicatePrefix,
    /// The prefix has no base binding: none equal to the prefix's CIDR.
    MissingBase,
    /// A binding not inside its prefix's CIDR (the base binding equals it; every
    /// other binding must lie within it).
    OutsidePrefix,
    /// Two bindings of a prefix with the same CIDR.
    DuplicateCidr,
    /// Two more-specific (non-base) bindings that overlap: one nests in the other.
    Overlap,
    /// Addresses that would be both CDN and Spectrum.
    CdnSpectrum,
    /// Warning: a service written as a name that is none of Cloudflare's documented
    /// services (Magic Transit, CDN, Spectrum), nor as an id (32 hexadecimal
    /// digits): a typo, or a service of the account that only [`plan`](crate::desired::plan)
    /// can find.
    UndocumentedService {
        /// The documented service it most likely means (`Spectrum` for
        /// `Spektrum`), when one is close.
        suggestion: Option<String>,
    },
    /// A service that is neither the name nor the id of a live service.
    UnknownService,
    /// The prefix's CIDR in the file is not the prefix's real CIDR (from the
    /// account's prefixes), or, when they are not given, not the live base
    /// binding's.
    PrefixCidrMismatch,
    /// The file names a prefix that is not one of the account's prefixes.
    UnknownPrefix,
    /// The live bindings of a prefix of the file were not given to
    /// [`plan`](crate::desired::plan).
    MissingLiveState,
    /// The base binding's service changes while live bindings that the file does not
    /// list (and `prune` keeps) would have to be deleted and created again.
    UnlistedRecreate,
    /// Warning: bindings of one service that together form exactly `block`.
    Aggregate {
        /// The block that could replace them.
        block: Cidr,
        /// The bindings it would replace, by address.
        members: Vec<Cidr>,
    },
    /// Warning: a binding that routes its addresses to the service they would go to
    /// without it, the service of the `enclosing` binding.
    Redundant {
        /// The binding that could be removed.
        cidr: Cidr,
        /// The binding that already routes its addresses there.
        enclosing: Cidr,
    },
}

/// One error or warning, e.g. `bindings.toml:7:12: error: 203.0.114.0/28 is not
/// inside prefix 203.0.113.0/24`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What it is about, with the suggested block for aggregation warnings.
    #[serde(flatten)]
    pub kind: DiagnosticKind,
    /// A one-line explanation for people, saying how to fix it where possible.
    pub message: String,
    /// Where in the file, when it is about something written there.
    pub location: Option<Location>,
}

impl Diagnostic {
    /// An error.
    pub fn error(
        kind: DiagnosticKind,
        message: impl Into<String>,
        location: Option<Location>,
    ) -> Self {
        Self {
            severity: Severity::Error,
            kind,
            message: message.into(),
            location,
        }
    }

    /// A warning.
    pub fn warning(
        kind: DiagnosticKind,
        message: impl Into<String>,
        location: Option<Location>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            kind,
            message: message.into(),
            location,
        }
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}: {}", self.severity, self.message)
    }
}

/// The [`Diagnostic`]s of one check, in file order (those without a location last).
///
/// `Display` prints one per line; as an error (from [`Desired::parse`] or
/// [`plan`]) it holds at least one error.
///
/// [`Desired::parse`]: crate::desired::Desired::parse
/// [`plan`]: crate::desired::plan
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// Sorts `items` by location, errors before warnings at the same place.
    pub(crate) fn new(mut items: Vec<Diagnostic>) -> Self {
        items.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.location
                    .as_ref()
                    .map_or((1, 0, 0), |l| (0, l.line, l.column))
            };
            key(a).cmp(&key(b)).then(a.severity.cmp(&b.severity))
        });
        Self(items)
    }

    /// Every diagnostic.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    /// Whether there is at least one error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of diagnostics.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The diagnostics as a vector.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
