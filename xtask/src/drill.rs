//! `cargo xtask drill`: rehearse the next API change on a copy of the workspace.
//!
//! It copies the tracked files of the workspace to a temporary directory (removed
//! when the drill ends, however it ends), makes the spec edit a maintainer would make
//! for a plausible next upstream revision (below), runs the real `cargo xtask codegen`
//! in the copy (`cargo run -p xtask -- codegen`, the copy's own xtask), and checks
//! with `cargo check` that:
//! - the regenerated `cf-bindings-generated` compiles with no hand edit (its
//!   dependencies, uuid here (new to the workspace; chrono is already in use), are
//!   written by codegen);
//! - `cf-bindings` does not compile, and the compiler names the wrapper's conversion
//!   and every field added or removed, so none is dropped without a decision;
//! - the generated surface names each change;
//! - `spec-diff` against the same revision written in upstream's layout
//!   (`tests/fixtures/drill/next-upstream.json`) lists each change and nothing else.
//!
//! Its builds go to their own target directory, `target/drill`: kept between runs
//! on a maintainer's machine (later drills are incremental), deleted by `.ci/run`
//! after the drill to save disk.
//!
//! Run by CI. Exit 0 when every point holds, 1 when one does not, 2 on error.

use std::{path::Path, process::Command};

use crate::{
    codegen,
    spec_diff::{self, accepted},
    surface,
};

/// One edit of the spec: the text to find (exactly once) and its replacement.
struct Edit {
    what: &'static str,
    find: &'static str,
    replace: &'static str,
}

/// The spec edits for the rehearsed revision: a new optional date-time field and a
/// new uuid field on the binding, a field removed from it, a new optional field of
/// the create request, and a new provisioning state value.
const EDITS: &[Edit] = &[
    Edit {
        what: "new date-time and uuid fields on the binding; service_name removed",
        find: "        service_name:\n          $ref: \"#/components/schemas/addressing_service_name\"\n    # CURATED(services-item-type): upstream declares the List Services item",
        replace: "        created_at:\n          description: When the binding was created.\n          type: string\n          format: date-time\n        request_id:\n          description: The request that created the binding.\n          type: string\n          format: uuid\n    # CURATED(services-item-type): upstream declares the List Services item",
    },
    Edit {
        what: "new optional field of the create request",
        find: "        service_id:\n          $ref: \"#/components/schemas/addressing_service_identifier\"\n    addressing_service_binding:",
        replace: "        service_id:\n          $ref: \"#/components/schemas/addressing_service_identifier\"\n        comment:\n          description: A note kept with the binding.\n          type: string\n    addressing_service_binding:",
    },
    Edit {
        what: "new provisioning state value",
        find: "`magic_transit_route_missing`; more may be added.",
        replace: "`magic_transit_route_missing`, `deprovisioning`; more may be added.",
    },
];

/// The names each check must find.
const ADDED_FIELDS: &[&str] = &["created_at", "request_id"];
const REMOVED_FIELD: &str = "service_name";
const REQUEST_FIELD: &str = "comment";

/// The rehearsed revision in upstream's layout, from the workspace root: the upstream fixture of the
/// spec-diff tests with the changes of the drill's edits.
pub const UPSTREAM_FIXTURE: &str = "xtask/tests/fixtures/drill/next-upstream.json";

/// What spec-diff must report against it (each line ends so, in any operation), and
/// nothing else.
const EXPECTED_DRIFT: &[&str] = &[
    ": property created_at: in upstream, not in curated",
    ": property request_id: in upstream, not in curated",
    ": property service_name: in curated, not in upstream",
    "request-body: property comment: in upstream, not in curated",
    r#"provisioning.state: enum: upstream has ["provisioning","active","deprovisioning"], curated has none"#,
];

/// The accepted deviation the new state value makes stale: the accepted upstream
/// enum changed.
const EXPECTED_STALE: &str = "provisioning-state-string";

/// Runs the drill; the process exit code.
pub fn main_drill() -> u8 {
    match run() {
        Ok(failures) if failures.is_empty() => {
            eprintln!("drill: every point holds");
            0
        }
        Ok(failures) => {
            for failure in failures {
                eprintln!("drill: FAILED: {failure}");
            }
            1
        }
        Err(error) => {
            eprintln!("drill: error: {error}");
            2
        }
    }
}

fn run() -> Result<Vec<String>, String> {
    let root = crate::workspace_root();
    eprintln!("drill: cargo xtask spec-diff {UPSTREAM_FIXTURE}");
    let mut failures =
        spec_diff_point(&root.join(codegen::SPEC_PATH), &root.join(UPSTREAM_FIXTURE))?;
    // Removed when dropped: on success and on every early return.
    let copy_dir = tempfile::Builder::new()
        .prefix("cf-bindings-drill-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let copy = copy_dir.path();
    copy_tracked(&root, copy)?;
    let spec_path = copy.join(codegen::SPEC_PATH);
    let mut spec = read(&spec_path)?;
    for edit in EDITS {
        if spec.matches(edit.find).count() != 1 {
            return Err(format!(
                "the spec no longer has the anchor of edit {:?}: update src/drill.rs",
                edit.what
            ));
        }
        spec = spec.replacen(edit.find, edit.replace, 1);
    }
    std::fs::write(&spec_path, spec).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    // Its own target directory: cargo names a path crate's artifacts alike in both
    // trees, so sharing this workspace's would let the copy's builds stand in for
    // this workspace's (with the copy's paths compiled in).
    let target = root.join("target").join("drill");

    eprintln!("drill: cargo xtask codegen in {}", copy.display());
    let regen = cargo(
        copy,
        &target,
        &["run", "-q", "-p", "xtask", "--", "codegen"],
    )?;
    if !regen.0 {
        return Err(format!("codegen failed:\n{}", regen.1));
    }

    eprintln!("drill: cargo check -p cf-bindings-generated");
    let (ok, log) = cargo(copy, &target, &["check", "-p", "cf-bindings-generated"])?;
    if !ok {
        failures.push(format!("the regenerated crate does not compile:\n{log}"));
    }

    eprintln!("drill: cargo check -p cf-bindings (must fail at the conversions)");
    let (ok, log) = cargo(copy, &target, &["check", "-p", "cf-bindings"])?;
    if ok {
        failures.push("cf-bindings compiled: a new or removed field went unnoticed".into());
    } else {
        let named = |needle: &str| log.contains(needle);
        for field in ADDED_FIELDS {
            if !named(&format!("`{field}`")) {
                failures.push(format!(
                    "the compiler error does not name the new field {field}:\n{log}"
                ));
            }
        }
        if !named(&format!("does not have a field named `{REMOVED_FIELD}`")) {
            failures.push(format!(
                "the compiler error does not name the removed field {REMOVED_FIELD}:\n{log}"
            ));
        }
        if !named("src/types/binding.rs") {
            failures.push(format!(
                "the compiler error is not in the wrapper's conversion (types/binding.rs):\n{log}"
            ));
        }
        if !named(&format!("`{REQUEST_FIELD}`")) {
            failures.push(format!(
                "the compiler error does not name the new request field {REQUEST_FIELD}:\n{log}"
            ));
        }
    }

    let generated = read(&copy.join(codegen::OUTPUT_PATH))?;
    let described = surface::describe(&generated).map_err(|e| e.to_string())?;
    for name in ADDED_FIELDS.iter().chain([&REQUEST_FIELD]) {
        if !described.contains(name) {
            failures.push(format!("the surface does not show the new field {name}"));
        }
    }
    if !generated.contains("deprovisioning") {
        failures.push("the generated docs do not show the new state value".into());
    }
    Ok(failures)
}

/// spec-diff of the curated spec against the rehearsed revision `upstream`: each
/// expected line, nothing else, and only the expected stale deviation. The failures.
///
/// # Errors
/// When a document cannot be read or compared.
pub fn spec_diff_point(curated_path: &Path, upstream: &Path) -> Result<Vec<String>, String> {
    let curated = spec_diff::load_document(curated_path).map_err(|e| e.to_string())?;
    let upstream = spec_diff::load_document(upstream).map_err(|e| e.to_string())?;
    let sidecar = accepted::sidecar_path(curated_path);
    let accepted = accepted::Accepted::load(&sidecar).map_err(|e| e.to_string())?;
    let differences = spec_diff::diff_documents(&curated, &upstream).map_err(|e| e.to_string())?;
    let classified = accepted.classify(differences);
    let new: Vec<String> = classified.new.iter().map(ToString::to_string).collect();
    let mut failures = Vec::new();
    for expected in EXPECTED_DRIFT {
        if !new.iter().any(|line| line.ends_with(expected)) {
            failures.push(format!("spec-diff does not report `…{expected}`"));
        }
    }
    for line in &new {
        if !EXPECTED_DRIFT
            .iter()
            .any(|expected| line.ends_with(expected))
        {
            failures.push(format!(
                "spec-diff reports what the revision did not change: {line}"
            ));
        }
    }
    for stale in &classified.stale {
        if stale.deviation.id != EXPECTED_STALE {
            failures.push(format!(
                "spec-diff reports deviation {} stale: {}",
                stale.deviation.id, stale.pattern
            ));
        }
    }
    if !classified
        .stale
        .iter()
        .any(|s| s.deviation.id == EXPECTED_STALE)
    {
        failures.push(format!("spec-diff does not report {EXPECTED_STALE} stale"));
    }
    Ok(failures)
}

/// Runs cargo in `dir` with the shared target directory: success, and its output.
fn cargo(dir: &Path, target: &Path, args: &[&str]) -> Result<(bool, String), String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((output.status.success(), log))
}

/// Copies the files git tracks (as they are in the work tree) from `root` to `to`.
fn copy_tracked(root: &Path, to: &Path) -> Result<(), String> {
    let output = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err("git ls-files failed: the drill needs a git checkout".into());
    }
    for name in output.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name);
        let (from, dest) = (root.join(&*name), to.join(&*name));
        if !from.is_file() {
            continue;
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::copy(&from, &dest).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}
