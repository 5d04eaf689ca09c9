//! `cargo xtask codegen`: generate `crates/cf-bindings-generated/src/generated.rs`
//! from `openapi/service-bindings.yaml` with progenitor.
//!
//! The output is deterministic: progenitor's token stream is printed by
//! prettyplease, never by a toolchain's rustfmt, so every machine writes the same
//! bytes.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use openapiv3::{OpenAPI, ReferenceOr, StatusCode};
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle};

use crate::manifest::Uses;

/// The spec, relative to the workspace root.
pub const SPEC_PATH: &str = "openapi/service-bindings.yaml";
/// The generated file, relative to the workspace root.
pub const OUTPUT_PATH: &str = "crates/cf-bindings-generated/src/generated.rs";

/// How many lines of a stale file's diff `--check` prints.
const DIFF_LINES_SHOWN: usize = 60;

/// Everything that can go wrong while generating; each prints as one line.
#[derive(Debug)]
pub enum CodegenError {
    /// A file could not be read or written.
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The spec is not valid YAML (or JSON).
    Syntax { path: PathBuf, message: String },
    /// The spec is YAML, but not an OpenAPI document progenitor can use.
    InvalidSpec { path: PathBuf, message: String },
    /// progenitor refused the spec.
    Generator(String),
    /// progenitor's tokens did not parse as a Rust file.
    Format(String),
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, error } => write!(f, "{}: {error}", path.display()),
            Self::Syntax { path, message } => {
                write!(f, "{}: not valid YAML: {message}", path.display())
            }
            Self::InvalidSpec { path, message } => {
                write!(f, "{}: invalid spec: {message}", path.display())
            }
            Self::Generator(message) => write!(f, "progenitor failed: {message}"),
            Self::Format(message) => write!(f, "generated code does not parse: {message}"),
        }
    }
}

impl std::error::Error for CodegenError {}

/// Reads, parses and validates a spec file.
pub fn load_spec(path: &Path) -> Result<OpenAPI, CodegenError> {
    let text = std::fs::read_to_string(path).map_err(|error| CodegenError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    parse_spec(&text).map_err(|error| match error {
        SpecError::Syntax(message) => CodegenError::Syntax {
            path: path.to_path_buf(),
            message,
        },
        SpecError::Invalid(message) => CodegenError::InvalidSpec {
            path: path.to_path_buf(),
            message,
        },
    })
}

/// Why a spec text was refused, before a path is attached to it.
enum SpecError {
    Syntax(String),
    Invalid(String),
}

fn parse_spec(text: &str) -> Result<OpenAPI, SpecError> {
    // Parse to a plain value first: syntax errors then carry their line and
    // column, and the version can be checked before the schema is applied.
    let value: serde_json::Value =
        serde_saphyr::from_str(text).map_err(|e| SpecError::Syntax(first_line(&e.to_string())))?;
    match value.get("openapi").and_then(serde_json::Value::as_str) {
        Some(version) if version.starts_with("3.0.") => {}
        Some(version) => {
            return Err(SpecError::Invalid(format!(
                "OpenAPI {version} is not supported: progenitor reads OpenAPI 3.0.x only"
            )));
        }
        None => {
            return Err(SpecError::Invalid(
                "no `openapi` version string: is this an OpenAPI 3.0 document?".into(),
            ));
        }
    }
    let spec: OpenAPI = serde_path_to_error::deserialize(value).map_err(|e| {
        let at = e.path().to_string();
        let message = one_line(&e.into_inner().to_string());
        SpecError::Invalid(if at == "." {
            message
        } else {
            format!("at {at}: {message}")
        })
    })?;
    validate(&spec).map_err(SpecError::Invalid)?;
    Ok(spec)
}

/// Checks what progenitor needs and would otherwise panic on or get wrong.
fn validate(spec: &OpenAPI) -> Result<(), String> {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for (path, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            return Err(format!("path {path}: a $ref path item is not supported"));
        };
        for (method, op) in item.iter() {
            let at = format!("{} {path}", method.to_uppercase());
            let Some(id) = op.operation_id.as_deref() else {
                return Err(format!("operation {at} has no operationId"));
            };
            if let Some(first) = seen.insert(id, at.clone()) {
                return Err(format!(
                    "operationId `{id}` is used twice: by {first} and by {at}"
                ));
            }
            let (mut success, mut failure) = (Vec::new(), Vec::new());
            for code in op.responses.responses.keys() {
                let is_success = match code {
                    StatusCode::Code(n) => (200..300).contains(n),
                    StatusCode::Range(n) => *n == 2,
                };
                if is_success {
                    success.push(code.to_string());
                } else {
                    failure.push(code.to_string());
                }
            }
            if op.responses.default.is_some() {
                failure.push("default".into());
            }
            if success.len() != 1 {
                return Err(format!(
                    "operation `{id}` ({at}) must have exactly one success response, has {}",
                    describe_codes(&success)
                ));
            }
            if failure.len() > 1 {
                return Err(format!(
                    "operation `{id}` ({at}) must have at most one error response, has {}",
                    describe_codes(&failure)
                ));
            }
        }
    }
    if seen.is_empty() {
        return Err("the spec has no operations".into());
    }
    Ok(())
}

fn describe_codes(codes: &[String]) -> String {
    if codes.is_empty() {
        "none".into()
    } else {
        codes.join(", ")
    }
}

/// The first line of a parser's message, without its own `error: ` prefix.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default();
    line.strip_prefix("error: ")
        .unwrap_or(line)
        .trim()
        .to_string()
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The progenitor settings of this workspace, in one place.
fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        // The client's inner value, which its `exec` hook (the crate's lib.rs) reads:
        // the body limit, and where each response's head goes, so that the wrapper
        // can report the status and headers (cf-ray above all) even when the body
        // does not decode, which progenitor's `Error::InvalidResponsePayload` cannot
        // carry.
        .with_inner_type(quote_path("crate::ResponseRecorder"))
        .with_derive("PartialEq");
    settings
}

fn quote_path(path: &str) -> proc_macro2::TokenStream {
    // A fixed, valid Rust path: parsing cannot fail.
    path.parse().unwrap_or_default()
}

/// The generated code and what it needs.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The complete text of `generated.rs`.
    pub code: String,
    /// The crates it uses beyond the fixed ones.
    pub uses: Uses,
}

/// Generates `generated.rs` from a spec, with the crates its code uses.
pub fn generate_all(spec: &OpenAPI) -> Result<Generated, CodegenError> {
    let mut generator = Generator::new(&settings());
    let tokens = quietly(|| generator.generate_tokens(spec))
        .map_err(CodegenError::Generator)?
        .map_err(|e| CodegenError::Generator(one_line(&e.to_string())))?;
    let types = generator.get_type_space();
    let uses = Uses {
        chrono: types.uses_chrono(),
        futures: generator.uses_futures(),
        regress: types.uses_regress(),
        serde_json: types.uses_serde_json(),
        uuid: types.uses_uuid(),
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| CodegenError::Format(e.to_string()))?;
    let code = format!("{HEADER}\n{}", prettyplease::unparse(&file));
    Ok(Generated { code, uses })
}

/// Generates the complete text of `generated.rs` from a spec.
pub fn generate(spec: &OpenAPI) -> Result<String, CodegenError> {
    generate_all(spec).map(|generated| generated.code)
}

const HEADER: &str = "\
// @generated from openapi/service-bindings.yaml by `cargo xtask codegen`.
// Do not edit by hand: edit the spec, then run `cargo xtask codegen`.
";

/// Runs `f`, turning a panic inside progenitor into an error message instead of
/// a backtrace on the maintainer's terminal.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    outcome.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_else(|| "it panicked".into())
    })
}

/// Generates from the spec at `spec_path`.
pub fn generate_from(spec_path: &Path) -> Result<String, CodegenError> {
    generate(&load_spec(spec_path)?)
}

/// Generates from the spec at `spec_path`, with the crates the code uses.
pub fn generate_all_from(spec_path: &Path) -> Result<Generated, CodegenError> {
    generate_all(&load_spec(spec_path)?)
}

/// `cargo xtask codegen [--check]` for the workspace at `root`: generates from
/// `spec` and writes (or, with `check`, compares) `generated.rs` and the managed
/// dependency block of the generated crate's manifest.
pub fn regenerate(root: &Path, spec: &Path, check: bool) -> Result<Freshness, CodegenError> {
    use crate::manifest;
    let output = root.join(OUTPUT_PATH);
    let manifest_path = root.join(manifest::MANIFEST_PATH);
    let generated = generate_all_from(spec)?;
    let current = std::fs::read_to_string(&manifest_path).map_err(|error| CodegenError::Io {
        path: manifest_path.clone(),
        error,
    })?;
    let new_manifest =
        manifest::rewrite(&current, generated.uses).map_err(CodegenError::Generator)?;
    if check {
        // Both files are checked, and both diffs shown.
        let code = self::check(&generated.code, &output)?;
        let deps = check_named(manifest::MANIFEST_PATH, &new_manifest, &manifest_path)?;
        return Ok(match (code, deps) {
            (Freshness::UpToDate, Freshness::UpToDate) => Freshness::UpToDate,
            (Freshness::Stale(diff), Freshness::UpToDate)
            | (Freshness::UpToDate, Freshness::Stale(diff)) => Freshness::Stale(diff),
            (Freshness::Stale(a), Freshness::Stale(b)) => Freshness::Stale(format!("{a}\n{b}")),
        });
    }
    for (path, text) in [(&output, &generated.code), (&manifest_path, &new_manifest)] {
        std::fs::write(path, text).map_err(|error| CodegenError::Io {
            path: path.clone(),
            error,
        })?;
    }
    Ok(Freshness::UpToDate)
}

/// The result of comparing freshly generated code with the committed file.
#[derive(Debug, PartialEq, Eq)]
pub enum Freshness {
    /// The committed file is what the spec generates.
    UpToDate,
    /// It differs; the string is a readable unified diff, shortened.
    Stale(String),
}

/// Compares `generated` with the file at `committed_path` (a missing file is stale).
pub fn check(generated: &str, committed_path: &Path) -> Result<Freshness, CodegenError> {
    check_named(OUTPUT_PATH, generated, committed_path)
}

/// [`check`] for any file, named `name` in the diff.
pub fn check_named(
    name: &str,
    generated: &str,
    committed_path: &Path,
) -> Result<Freshness, CodegenError> {
    let committed = match std::fs::read_to_string(committed_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => {
            return Err(CodegenError::Io {
                path: committed_path.to_path_buf(),
                error,
            });
        }
    };
    if committed == generated {
        return Ok(Freshness::UpToDate);
    }
    Ok(Freshness::Stale(short_diff(name, &committed, generated)))
}

/// A unified diff of `old` → `new`, cut after [`DIFF_LINES_SHOWN`] lines.
fn short_diff(name: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let full = diff
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{name} (committed)"),
            &format!("{name} (from the spec)"),
        )
        .to_string();
    let lines: Vec<&str> = full.lines().collect();
    let mut out = lines
        .iter()
        .take(DIFF_LINES_SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    if lines.len() > DIFF_LINES_SHOWN {
        out.push_str(&format!(
            "\n... and {} more diff lines",
            lines.len() - DIFF_LINES_SHOWN
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(text: &str) -> String {
        match parse_spec(text) {
            Err(SpecError::Invalid(m)) => m,
            Err(SpecError::Syntax(m)) => panic!("syntax error, not invalid: {m}"),
            Ok(_) => panic!("accepted"),
        }
    }

    const OP: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n";

    #[test]
    fn duplicate_operation_ids_name_both_operations() {
        let text = format!(
            "{OP}  /a:\n    get:\n      operationId: same\n      responses: {{'200': {{description: ok}}}}\n  /b:\n    get:\n      operationId: same\n      responses: {{'200': {{description: ok}}}}\n"
        );
        let message = invalid(&text);
        assert!(message.contains("`same` is used twice"), "{message}");
        assert!(
            message.contains("GET /a") && message.contains("GET /b"),
            "{message}"
        );
    }

    #[test]
    fn two_success_responses_are_refused() {
        let text = format!(
            "{OP}  /a:\n    get:\n      operationId: two\n      responses: {{'200': {{description: ok}}, '201': {{description: ok}}}}\n"
        );
        assert!(
            invalid(&text)
                .contains("`two` (GET /a) must have exactly one success response, has 200, 201")
        );
    }

    #[test]
    fn missing_operation_id_is_refused() {
        let text =
            format!("{OP}  /a:\n    get:\n      responses: {{'200': {{description: ok}}}}\n");
        assert!(invalid(&text).contains("GET /a has no operationId"));
    }

    #[test]
    fn diff_is_cut_with_a_count() {
        let old: String = (0..200).map(|i| format!("{i}\n")).collect();
        let new: String = (0..200).map(|i| format!("{}\n", i * 2)).collect();
        let diff = short_diff(OUTPUT_PATH, &old, &new);
        assert_eq!(diff.lines().count(), DIFF_LINES_SHOWN + 1);
        assert!(diff.ends_with("more diff lines"), "{diff}");
    }
}
