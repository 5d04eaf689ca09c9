//! The `cargo xtask` binary: codegen on bad input gives one clear line on stderr,
//! exit code 2 and never a panic; codegen --check and spec-diff exit codes.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

fn codegen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("codegen")
        .args(args)
        .output()
        .unwrap()
}

/// Runs `codegen --check --spec FILE` on `text` and returns (exit code, stderr).
fn check_spec(text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, text).unwrap();
    let output = codegen(&["--check", "--spec", path.to_str().unwrap()]);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_one_clear_line(stderr: &str, expected: &str) {
    assert_eq!(stderr.lines().count(), 1, "not one line: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
}

#[test]
fn committed_file_passes_the_check() {
    let output = codegen(&["--check"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("are up to date"), "{stderr}");
}

#[test]
fn missing_file() {
    let output = codegen(&["--check", "--spec", "/nonexistent/spec.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert_one_clear_line(
        &String::from_utf8_lossy(&output.stderr),
        "/nonexistent/spec.yaml: No such file or directory",
    );
}

#[test]
fn yaml_syntax_error_names_line_and_column() {
    let (code, stderr) = check_spec("openapi: 3.0.3\ninfo:\n  title: x\n   version: 1\n");
    assert_eq!(code, Some(2));
    assert_one_clear_line(&stderr, "not valid YAML: line 4 column 11");
}

#[test]
fn invalid_spec_names_where() {
    let (code, stderr) = check_spec("openapi: 3.0.3\ninfo: {title: x}\npaths: {}\n");
    assert_eq!(code, Some(2));
    assert_one_clear_line(&stderr, "invalid spec: at info: missing field `version`");
}

#[test]
fn openapi_3_1_is_refused() {
    let (code, stderr) = check_spec("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n");
    assert_eq!(code, Some(2));
    assert_one_clear_line(&stderr, "OpenAPI 3.1.0 is not supported");
}

#[test]
fn operation_at_fault_is_named() {
    let (code, stderr) = check_spec(
        "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: get-a\n      responses: {'200': {description: ok}, '4XX': {description: err}, default: {description: err}}\n",
    );
    assert_eq!(code, Some(2));
    assert_one_clear_line(
        &stderr,
        "operation `get-a` (GET /a) must have at most one error response, has 4XX, default",
    );
}

#[test]
fn stale_file_fails_with_a_diff() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/service-bindings.yaml");
    let text = std::fs::read_to_string(spec).unwrap();
    let edited = text.replacen(
        "Fetch a single Service Binding",
        "Fetch one Service Binding",
        1,
    );
    let (code, stderr) = check_spec(&edited);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("is stale: run `cargo xtask codegen`"),
        "{stderr}"
    );
    assert!(stderr.contains("+Fetch one Service Binding"), "{stderr}");
}

#[test]
fn check_fails_when_the_generated_crate_lacks_a_crate_the_code_uses() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/service-bindings.yaml");
    let text = std::fs::read_to_string(spec).unwrap();
    let anchor = "    addressing_service_binding:\n      type: object\n      properties:\n";
    assert!(text.contains(anchor));
    let edited = text.replacen(
        anchor,
        &format!(
            "{anchor}        x_probe_when:\n          type: string\n          format: date-time\n        \
             x_probe_uid:\n          type: string\n          format: uuid\n"
        ),
        1,
    );
    let (code, stderr) = check_spec(&edited);
    assert_eq!(code, Some(1), "{stderr}");
    // The manifest's managed block is stale too, and the diff says what to add.
    assert!(
        stderr.contains("crates/cf-bindings-generated/Cargo.toml (from the spec)"),
        "{stderr}"
    );
    // chrono is in the block already (the prefix timestamps); uuid is new.
    assert!(stderr.contains("+uuid.workspace = true"), "{stderr}");
    assert!(!stderr.contains("+chrono.workspace = true"), "{stderr}");
}

#[test]
fn unknown_argument_is_a_usage_error() {
    let output = codegen(&["--frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unexpected argument '--frobnicate'"),
        "{stderr}"
    );
}

fn spec_diff(upstream: &str) -> Output {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec_diff");
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("spec-diff")
        .arg(fixture.join(upstream))
        .output()
        .unwrap()
}

#[test]
fn spec_diff_exit_codes_through_the_binary() {
    // Upstream as it is: it differs only where the curated spec deviates on purpose.
    let older = spec_diff("upstream-older.json");
    let stdout = String::from_utf8_lossy(&older.stdout);
    assert_eq!(older.status.code(), Some(0), "{stdout}");
    assert!(stdout.is_empty(), "{stdout}");
    let stderr = String::from_utf8_lossy(&older.stderr);
    assert!(stderr.contains("0 new, 0 stale, 192 accepted"), "{stderr}");

    // Upstream with every deviation fixed: each accepted pattern is stale.
    let fixed = spec_diff("upstream.json");
    assert_eq!(fixed.status.code(), Some(1));
    let report = String::from_utf8_lossy(&fixed.stdout);
    assert!(report.lines().all(|l| l.starts_with("stale: ")), "{report}");
    assert!(
        report.contains(
            "stale: * success: enum: upstream has [true], curated has none  [success-any: "
        ),
        "{report}"
    );

    let broken = spec_diff("invalid.json");
    assert_eq!(broken.status.code(), Some(2));
}

#[test]
fn every_task_has_help() {
    for task in ["codegen", "spec-diff", "drill", "bench"] {
        let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args([task, "--help"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{task}");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(
            help.contains(&format!("Usage: cargo xtask {task}")),
            "{help}"
        );
    }
}
