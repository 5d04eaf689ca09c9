//! `cargo xtask spec-diff`: compare an upstream Cloudflare OpenAPI document with the curated spec.
//!
//! The curated spec (`openapi/service-bindings.yaml`) lists the operations; each is
//! looked up by operationId in the upstream document, which may be the whole multi-megabyte
//! Cloudflare API. Only what those operations reach is resolved. The two documents are
//! laid out differently (upstream repeats parameters inline, the curated spec shares them
//! in `components`; names and `allOf` nesting differ), so what is compared is the
//! *resolved* shape: every `$ref` inlined, `allOf` merged, and documentation keywords
//! (`description`, `example`, `title`, `x-*` extensions, ...) left out.
//!
//! Per operation it compares the method and path, the parameters (by `in` and `name`:
//! `required` and schema), the request body (`required`, media types, schema) and the
//! responses (status codes, media types, schema). Schemas are compared keyword by keyword:
//! properties, `enum` values and `required` entries one by one, anything else
//! (`type`, `format`, `nullable`, `maxLength`, ...) as a value.
//!
//! Each [`Difference`] prints as one line:
//!
//! ```text
//! list-service-bindings 200 result[].provisioning.state: enum value "magic_transit_route_missing": in upstream, not in curated
//! create-service-binding request-body: required: upstream has false, curated has true
//! ```
//!
//! The curated spec deviates from upstream on purpose: each deviation is a `CURATED(id)`
//! comment in the spec, and an entry of [`accepted`]'s sidecar file with the patterns of
//! the differences it causes. The command reports the differences no entry covers (new
//! drift), and the patterns that match nothing (stale: upstream fixed it).

pub mod accepted;
mod cli;
mod compare;
mod fetch;
mod resolve;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub use cli::{Args, EXIT_DIFFERENT, EXIT_ERROR, EXIT_SAME, main_spec_diff, run_cli};

use compare::{Differ, Pair};
use resolve::Doc;

/// The prefixes of the operationIds (one per upstream tag), left out of the output.
pub const OPERATION_PREFIXES: [&str; 2] = [
    "ip-address-management-service-bindings-",
    "ip-address-management-prefixes-",
];

/// An operationId as the output shows it: without its prefix, e.g. `list-prefixes`.
fn short_name(operation_id: &str) -> &str {
    OPERATION_PREFIXES
        .iter()
        .find_map(|prefix| operation_id.strip_prefix(prefix))
        .unwrap_or(operation_id)
}

/// Which of the two documents something belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// The upstream Cloudflare document.
    Upstream,
    /// The curated spec of this workspace.
    Curated,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Upstream => "upstream",
            Side::Curated => "curated",
        })
    }
}

/// How the two documents differ on one subject.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// The upstream document has it, the curated spec does not.
    OnlyUpstream,
    /// The curated spec has it, the upstream document does not.
    OnlyCurated,
    /// Both have it, with different values (compact JSON, or `none` when absent).
    Changed {
        /// The upstream value.
        upstream: String,
        /// The curated value.
        curated: String,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::OnlyUpstream => f.write_str("in upstream, not in curated"),
            Change::OnlyCurated => f.write_str("in curated, not in upstream"),
            Change::Changed { upstream, curated } => {
                write!(f, "upstream has {upstream}, curated has {curated}")
            }
        }
    }
}

/// One difference between the upstream document and the curated spec.
///
/// Displays as `<operation> <location>: <subject>: <change>`, the location left out when
/// the difference concerns the operation as a whole.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    /// The operationId without its prefix ([`OPERATION_PREFIXES`]), e.g.
    /// `create-service-binding`.
    pub operation: String,
    /// Where in the operation: empty for the operation itself, else e.g.
    /// `parameter account_id (path)`, `request-body cidr` or `201 result.provisioning.state`.
    pub location: String,
    /// What differs there, e.g. `enum value "active"`, `property cidr`, `maxLength`.
    pub subject: String,
    /// How it differs.
    pub change: Change,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.operation)?;
        if !self.location.is_empty() {
            write!(f, " {}", self.location)?;
        }
        write!(f, ": {}: {}", self.subject, self.change)
    }
}

/// The outcome of a comparison: the differences, sorted by operation and location.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Every difference found; empty when the documents agree.
    pub differences: Vec<Difference>,
}

impl Report {
    /// Whether no difference was found.
    pub fn is_empty(&self) -> bool {
        self.differences.is_empty()
    }

    /// The report with each difference that recurs, identical, in several operations
    /// (a shared envelope, say) listed once, its operations joined by `,`.
    pub fn collapsed(&self) -> Report {
        let mut groups: BTreeMap<(&str, &str, &Change), Vec<&str>> = BTreeMap::new();
        for difference in &self.differences {
            let key = (
                difference.location.as_str(),
                difference.subject.as_str(),
                &difference.change,
            );
            groups.entry(key).or_default().push(&difference.operation);
        }
        let mut differences: Vec<Difference> = groups
            .into_iter()
            .map(|((location, subject, change), operations)| Difference {
                operation: operations.join(","),
                location: location.to_owned(),
                subject: subject.to_owned(),
                change: change.clone(),
            })
            .collect();
        differences.sort();
        Report { differences }
    }
}

impl fmt::Display for Report {
    /// One line per difference.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.differences
            .iter()
            .try_for_each(|difference| writeln!(f, "{difference}"))
    }
}

/// Why a comparison could not be made.
#[derive(Debug)]
pub enum SpecDiffError {
    /// A file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A file is not valid JSON or YAML.
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, on one line.
        message: String,
    },
    /// A document does not look like an OpenAPI document.
    NotOpenApi {
        /// Which document.
        side: Side,
        /// What is wrong with it.
        reason: String,
    },
    /// An operation of the curated spec has no operationId.
    MissingOperationId {
        /// Which document.
        side: Side,
        /// Method and path of the operation.
        endpoint: String,
    },
    /// Two operations share an operationId.
    DuplicateOperationId {
        /// Which document.
        side: Side,
        /// The shared operationId.
        operation_id: String,
    },
    /// The upstream document has none of the curated operations: probably the wrong file.
    NoOperationFound {
        /// The operationIds looked for.
        operation_ids: Vec<String>,
    },
    /// A `$ref` that cannot be followed.
    BadRef {
        /// Which document.
        side: Side,
        /// The reference as written.
        reference: String,
        /// Why it cannot be followed.
        reason: &'static str,
    },
    /// Schemas nest deeper than the comparison follows.
    TooDeep {
        /// Which document.
        side: Side,
        /// The `$ref` being expanded when the limit was reached, if any.
        reference: String,
    },
}

impl fmt::Display for SpecDiffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            Self::Parse { path, message } => {
                write!(f, "cannot parse {}: {message}", path.display())
            }
            Self::NotOpenApi { side, reason } => {
                write!(
                    f,
                    "the {side} document is not an OpenAPI document: {reason}"
                )
            }
            Self::MissingOperationId { side, endpoint } => {
                write!(f, "the {side} document has no operationId on {endpoint}")
            }
            Self::DuplicateOperationId { side, operation_id } => {
                write!(
                    f,
                    "the {side} document has operationId {operation_id} twice"
                )
            }
            Self::NoOperationFound { operation_ids } => write!(
                f,
                "the upstream document has none of the operations {}",
                operation_ids.join(", ")
            ),
            Self::BadRef {
                side,
                reference,
                reason,
            } => write!(f, "bad $ref {reference:?} in the {side} document: {reason}"),
            Self::TooDeep { side, reference } => write!(
                f,
                "schemas nest too deeply in the {side} document (at $ref {reference:?})"
            ),
        }
    }
}

impl std::error::Error for SpecDiffError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Compares every operation of `curated` with the operation of the same operationId in
/// `upstream`, both parsed OpenAPI documents; the differences come sorted.
///
/// An operation missing upstream is a difference; an upstream document with none of the
/// operations, a curated operation without operationId, or a `$ref` that cannot be
/// followed is an error.
pub fn diff_documents(curated: &Value, upstream: &Value) -> Result<Vec<Difference>, SpecDiffError> {
    let docs = Pair {
        upstream: Doc::new(upstream, Side::Upstream),
        curated: Doc::new(curated, Side::Curated),
    };
    let curated_ops = docs.curated.operations(None)?;
    if curated_ops.is_empty() {
        return Err(SpecDiffError::NotOpenApi {
            side: Side::Curated,
            reason: "it has no operations".to_owned(),
        });
    }
    let wanted: BTreeSet<&str> = curated_ops.keys().copied().collect();
    let upstream_ops = docs.upstream.operations(Some(&wanted))?;
    if upstream_ops.is_empty() {
        return Err(SpecDiffError::NoOperationFound {
            operation_ids: wanted.iter().map(|id| (*id).to_owned()).collect(),
        });
    }
    let mut differences = Vec::new();
    for (id, curated_op) in &curated_ops {
        let mut differ = Differ::new(docs, short_name(id).to_owned());
        match upstream_ops.get(id) {
            Some(upstream_op) => differ.operation(upstream_op, curated_op)?,
            None => differ.push("", "operation", Change::OnlyCurated),
        }
        differences.extend(differ.finish());
    }
    differences.sort();
    Ok(differences)
}

/// Reads both documents and compares them (see [`diff_documents`]).
pub fn run(upstream_path: &Path, curated_path: &Path) -> Result<Report, SpecDiffError> {
    let upstream = load_document(upstream_path)?;
    let curated = load_document(curated_path)?;
    let differences = diff_documents(&curated, &upstream)?;
    Ok(Report { differences })
}

/// Reads an OpenAPI document: JSON if the file name ends in `.json` or the text starts
/// with `{`, YAML otherwise.
pub fn load_document(path: &Path) -> Result<Value, SpecDiffError> {
    let bytes = std::fs::read(path).map_err(|source| SpecDiffError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_document(&path.to_string_lossy(), &bytes)
}

/// Parses an OpenAPI document named `name` (a path or URL): JSON if the name ends in
/// `.json` or the text starts with `{`, YAML otherwise.
pub fn parse_document(name: &str, bytes: &[u8]) -> Result<Value, SpecDiffError> {
    let parse_error = |message: String| SpecDiffError::Parse {
        path: PathBuf::from(name),
        message: message.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    let text = std::str::from_utf8(bytes).map_err(|e| parse_error(format!("not UTF-8: {e}")))?;
    let is_json =
        name.to_ascii_lowercase().ends_with(".json") || text.trim_start().starts_with('{');
    if is_json {
        serde_json::from_str::<Value>(text).map_err(|error| parse_error(error.to_string()))
    } else {
        serde_saphyr::from_str::<Value>(text)
            .map_err(|error| parse_error(error.without_snippet().to_string()))
    }
}

/// The curated spec of this workspace: [`crate::codegen::SPEC_PATH`] under the
/// workspace root, the spec codegen reads.
pub fn default_curated_path() -> PathBuf {
    crate::workspace_root().join(crate::codegen::SPEC_PATH)
}
