//! Tests of `cargo xtask spec-diff` on small upstream-shaped fixtures.
//!
//! `fixtures/spec_diff/upstream.json` is the curated spec written the way Cloudflare's
//! openapi.json is (inline parameters and failure responses, inline List Services and
//! message items, other descriptions and examples, an `x-` extension, an unrelated
//! operation): it must compare equal. Each test changes one thing in it, or in the
//! curated spec, and checks the exact lines reported.
//! `upstream-older.json` is `upstream.json` with the deviations that the curated
//! spec's CURATED comments name undone, as Cloudflare's older schema has them.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use xtask::spec_diff::{
    self, EXIT_DIFFERENT, EXIT_ERROR, EXIT_SAME, SpecDiffError, default_curated_path,
    diff_documents, load_document, run_cli,
};

const PROVISIONING: &str = "/components/schemas/addressing_provisioning/properties/state";
const SERVICES_GET: &str = "/paths/~1accounts~1{account_id}~1addressing~1services/get";
const BINDINGS: &str =
    "/paths/~1accounts~1{account_id}~1addressing~1prefixes~1{prefix_id}~1bindings";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/spec_diff")
        .join(name)
}

fn curated() -> Value {
    load_document(&default_curated_path()).unwrap()
}

fn upstream() -> Value {
    load_document(&fixture("upstream.json")).unwrap()
}

/// The differences as printed, one string per line.
fn diff(curated: &Value, upstream: &Value) -> Vec<String> {
    let differences = diff_documents(curated, upstream).unwrap();
    differences.iter().map(ToString::to_string).collect()
}

/// The value at a JSON pointer, to be changed in place.
fn at<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("fixture has nothing at {pointer}"))
}

/// Removes the member `key` of the object at `pointer`.
fn remove(doc: &mut Value, pointer: &str, key: &str) {
    at(doc, pointer)
        .as_object_mut()
        .unwrap()
        .remove(key)
        .unwrap();
}

/// Runs the command line; returns the exit code, stdout and stderr.
fn cli(args: &[&str]) -> (u8, String, String) {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_cli(&args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn curated_spec_equals_itself() {
    let curated_path = default_curated_path();
    let report = spec_diff::run(&curated_path, &curated_path).unwrap();
    assert!(report.is_empty(), "{report}");
    assert_eq!(report.to_string(), "");
}

#[test]
fn upstream_shaped_equivalent_reports_nothing() {
    assert_eq!(diff(&curated(), &upstream()), Vec::<String>::new());
}

#[test]
fn documentation_keywords_are_ignored() {
    let mut upstream = upstream();
    let state = at(&mut upstream, PROVISIONING);
    state["description"] = json!("Something else entirely.");
    state["example"] = json!("active");
    state["title"] = json!("State");
    state["x-stainless-naming"] = json!("provisioning_state");
    assert_eq!(diff(&curated(), &upstream), Vec::<String>::new());
}

#[test]
fn reports_a_new_enum_value() {
    let (mut curated, mut upstream) = (curated(), upstream());
    at(&mut curated, PROVISIONING)["enum"] = json!(["provisioning", "active"]);
    at(&mut upstream, PROVISIONING)["enum"] =
        json!(["provisioning", "active", "magic_transit_route_missing"]);
    let added = r#"enum value "magic_transit_route_missing": in upstream, not in curated"#;
    assert_eq!(
        diff(&curated, &upstream),
        [
            format!("create-service-binding 201 result.provisioning.state: {added}"),
            format!("get-service-binding 200 result.provisioning.state: {added}"),
            format!("list-service-bindings 200 result[].provisioning.state: {added}"),
        ]
    );
}

#[test]
fn reports_an_enum_only_one_side_has() {
    let mut upstream = upstream();
    at(&mut upstream, PROVISIONING)["enum"] = json!(["provisioning", "active"]);
    let lines = diff(&curated(), &upstream);
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert_eq!(
        lines[0],
        r#"create-service-binding 201 result.provisioning.state: enum: upstream has ["provisioning","active"], curated has none"#
    );
}

#[test]
fn reports_a_removed_property() {
    let mut upstream = upstream();
    remove(
        &mut upstream,
        "/components/schemas/addressing_service_binding/properties",
        "service_name",
    );
    let removed = "property service_name: in curated, not in upstream";
    assert_eq!(
        diff(&curated(), &upstream),
        [
            format!("create-service-binding 201 result: {removed}"),
            format!("get-service-binding 200 result: {removed}"),
            format!("list-service-bindings 200 result[]: {removed}"),
        ]
    );
}

#[test]
fn reports_a_changed_required_list() {
    let mut upstream = upstream();
    at(
        &mut upstream,
        "/components/schemas/addressing_create_binding_request",
    )["required"] = json!(["cidr"]);
    assert_eq!(
        diff(&curated(), &upstream),
        [
            r#"create-service-binding request-body: required entry "service_id": in curated, not in upstream"#
        ]
    );
}

#[test]
fn reports_a_changed_status_code() {
    let mut upstream = upstream();
    let responses = at(&mut upstream, &format!("{BINDINGS}/post/responses"));
    let created = responses.as_object_mut().unwrap().remove("201").unwrap();
    responses["202"] = created;
    assert_eq!(
        diff(&curated(), &upstream),
        [
            "create-service-binding: status 201: in curated, not in upstream",
            "create-service-binding: status 202: in upstream, not in curated",
        ]
    );
}

#[test]
fn reports_changed_parameters() {
    let mut upstream = upstream();
    let parameters = at(&mut upstream, &format!("{SERVICES_GET}/parameters"));
    parameters[0]["schema"] = json!({"type": "string", "maxLength": 36});
    parameters.as_array_mut().unwrap().push(json!({
        "in": "query", "name": "per_page", "schema": {"type": "integer"}
    }));
    assert_eq!(
        diff(&curated(), &upstream),
        [
            "list-services: parameter per_page (query): in upstream, not in curated",
            "list-services parameter account_id (path): maxLength: upstream has 36, curated has 32",
        ]
    );
}

#[test]
fn reports_changed_type_nullable_format_and_endpoint() {
    let mut upstream = upstream();
    let code = "/components/schemas/addressing_messages/items/properties/code";
    at(&mut upstream, code)["format"] = json!("int32");
    at(&mut upstream, "/components/schemas/addressing_cidr")["nullable"] = json!(true);
    at(&mut upstream, "/components/schemas/addressing_service_name")["type"] = json!("integer");
    let paths = at(&mut upstream, "/paths").as_object_mut().unwrap();
    let services = paths
        .remove("/accounts/{account_id}/addressing/services")
        .unwrap();
    paths.insert(
        "/accounts/{account_id}/addressing/catalog".to_owned(),
        services,
    );
    let lines = diff(&curated(), &upstream);
    for expected in [
        r#"list-services: endpoint: upstream has "GET /accounts/{account_id}/addressing/catalog", curated has "GET /accounts/{account_id}/addressing/services""#,
        r#"list-services 200 result[].name: type: upstream has "integer", curated has "string""#,
        r#"get-service-binding 200 errors[].code: format: upstream has "int32", curated has "int64""#,
        "create-service-binding request-body cidr: nullable: upstream has true, curated has none",
    ] {
        assert!(
            lines.iter().any(|line| line == expected),
            "{expected}\nnot in {lines:#?}"
        );
    }
}

#[test]
fn reports_an_operation_missing_upstream() {
    let mut upstream = upstream();
    remove(
        &mut upstream,
        "/paths/~1accounts~1{account_id}~1addressing~1prefixes~1{prefix_id}~1bindings~1{binding_id}",
        "delete",
    );
    assert_eq!(
        diff(&curated(), &upstream),
        ["delete-service-binding: operation: in curated, not in upstream"]
    );
}

#[test]
fn recursive_schemas_are_compared_without_looping() {
    let (mut curated, mut upstream) = (curated(), upstream());
    let source = "/components/schemas/addressing_message_source/properties";
    let recursive = json!({"$ref": "#/components/schemas/addressing_message_source"});
    at(&mut curated, source)["parent"] = recursive.clone();
    at(&mut upstream, source)["parent"] = recursive;
    assert_eq!(diff(&curated, &upstream), Vec::<String>::new());

    at(&mut upstream, source)["parent"] = json!({"type": "string"});
    let lines = diff(&curated, &upstream);
    let expected =
        r#"list-services 4XX errors[].source.parent: $recursive: upstream has none, curated has "#;
    assert!(
        lines.iter().any(|line| line.starts_with(expected)),
        "{lines:#?}"
    );
}

#[test]
fn unresolved_ref_is_an_error() {
    let mut upstream = upstream();
    at(
        &mut upstream,
        "/components/schemas/addressing_service_binding/properties/cidr",
    )["$ref"] = json!("#/components/schemas/addressing_gone");
    let error = diff_documents(&curated(), &upstream).unwrap_err();
    assert!(matches!(error, SpecDiffError::BadRef { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        r##"bad $ref "#/components/schemas/addressing_gone" in the upstream document: nothing is defined there"##
    );
}

#[test]
fn external_and_self_refs_are_errors() {
    let mut upstream = upstream();
    at(&mut upstream, &format!("{SERVICES_GET}/parameters"))[0] =
        json!({"$ref": "common.yaml#/components/parameters/account_id"});
    let error = diff_documents(&curated(), &upstream).unwrap_err();
    assert!(
        error.to_string().contains("only local references"),
        "{error}"
    );

    let mut curated = curated();
    at(&mut curated, "/components/parameters/account_id")["$ref"] =
        json!("#/components/parameters/account_id");
    let error = diff_documents(&curated, &self::upstream()).unwrap_err();
    assert!(error.to_string().contains("refers to itself"), "{error}");
}

#[test]
fn a_document_without_the_operations_is_an_error() {
    let unrelated =
        json!({"openapi": "3.0.3", "paths": {"/zones": {"get": {"operationId": "zones-list"}}}});
    let error = diff_documents(&curated(), &unrelated).unwrap_err();
    assert!(
        matches!(error, SpecDiffError::NoOperationFound { .. }),
        "{error:?}"
    );
    let error = diff_documents(&curated(), &json!({"swagger": "2.0"})).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the upstream document is not an OpenAPI document: it has no `paths` object"
    );
}

#[test]
fn an_older_upstream_shows_the_curated_deviations() {
    let upstream = load_document(&fixture("upstream-older.json")).unwrap();
    let lines = diff(&curated(), &upstream);
    for expected in [
        "create-service-binding request-body: required: upstream has false, curated has true",
        r#"create-service-binding request-body: required entry "cidr": in curated, not in upstream"#,
        r#"list-service-bindings 200 result[].provisioning.state: enum: upstream has ["provisioning","active"], curated has none"#,
        "list-service-bindings 200 success: enum: upstream has [true], curated has none",
        r#"list-services 200 result[]: type: upstream has none, curated has "object""#,
        r#"get-service-binding 4XX: required entry "result": in upstream, not in curated"#,
        "delete-service-binding 4XX errors[]: property documentation_url: in curated, not in upstream",
    ] {
        assert!(
            lines.iter().any(|line| line == expected),
            "{expected}\nnot in {lines:#?}"
        );
    }
    let differences = diff_documents(&curated(), &upstream).unwrap();
    assert!(
        differences.windows(2).all(|pair| pair[0] < pair[1]),
        "sorted by operation, location, subject"
    );
}

/// An empty accepted-deviations file: every difference counts.
fn none_accepted() -> tempfile::NamedTempFile {
    tempfile::NamedTempFile::new().unwrap()
}

#[test]
fn cli_exit_codes() {
    let curated_path = default_curated_path();
    let curated = path_str(&curated_path);
    let empty = none_accepted();
    let empty = path_str(empty.path());

    let (code, out, err) = cli(&[path_str(&fixture("upstream.json")), "--accepted", empty]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            EXIT_SAME,
            "",
            "spec-diff: 0 new, 0 stale, 0 accepted (of 0 differences)\n"
        )
    );

    let older = fixture("upstream-older.json");
    let (code, out, err) = cli(&[path_str(&older), "--curated", curated, "--accepted", empty]);
    assert_eq!(code, EXIT_DIFFERENT);
    let count = out.lines().count();
    assert!(count > 10, "{out}");
    assert_eq!(
        err,
        format!("spec-diff: {count} new, 0 stale, 0 accepted (of {count} differences)\n")
    );

    let (code, out, _) = cli(&["--curated=", "x"]);
    assert_eq!((code, out.as_str()), (EXIT_ERROR, ""));

    let (code, out, _) = cli(&["--help"]);
    assert_eq!(code, EXIT_SAME);
    assert!(out.contains("Usage: cargo xtask spec-diff"), "{out}");
}

#[test]
fn cli_bad_input_gives_one_line_and_exit_2() {
    let cases = [
        (vec![], "the following required arguments were not provided"),
        (vec!["a.json", "b.json"], "unexpected argument 'b.json'"),
        (vec!["--verbose"], "unexpected argument '--verbose'"),
        (
            vec!["x.json", "--curated"],
            "a value is required for '--curated <FILE>'",
        ),
        (vec!["http://example.com/x.json"], "use https://"),
    ];
    for (args, expected) in cases {
        let (code, out, err) = cli(&args);
        assert_eq!((code, out.as_str()), (EXIT_ERROR, ""), "{args:?}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }

    let files = [
        ("missing.json", "cannot read "),
        ("invalid.json", "cannot parse "),
        ("invalid.yaml", "cannot parse "),
        (
            "bad-ref.json",
            "bad $ref \"#/components/schemas/addressing_no_such_schema\"",
        ),
    ];
    for (name, expected) in files {
        let (code, out, err) = cli(&[path_str(&fixture(name))]);
        assert_eq!((code, out.as_str()), (EXIT_ERROR, ""), "{name}");
        assert_eq!(err.lines().count(), 1, "{name}: one line\n{err}");
        assert!(err.starts_with("spec-diff: error: "), "{name}: {err}");
        assert!(err.contains(expected), "{name}: {err}");
    }
    let (_, _, err) = cli(&[path_str(&fixture("invalid.json"))]);
    assert!(err.contains("line 7"), "position of a JSON error: {err}");
}

#[test]
fn collapse_prints_a_shared_difference_once() {
    let mut upstream = upstream();
    at(
        &mut upstream,
        "/components/schemas/addressing_api-response-common-failure",
    )["required"] = json!(["errors", "messages", "result", "success"]);
    let report = spec_diff::Report {
        differences: diff_documents(&curated(), &upstream).unwrap(),
    };
    assert_eq!(report.differences.len(), 7);
    assert_eq!(
        report.collapsed().to_string(),
        "create-service-binding,delete-service-binding,get-service-binding,list-prefixes,list-service-bindings,list-services,prefix-details 4XX: \
         required entry \"result\": in upstream, not in curated\n"
    );
}

// ---------------------------------------------------------------------------------
// Gating: accepted deviations, new drift, stale deviations, fetching by URL.

/// `upstream-older.json` (upstream as it is, with every deviation the curated spec
/// makes) after `change`, written to a file; the command's exit code and stdout.
fn gate(change: impl FnOnce(&mut Value), extra: &[&str]) -> (u8, String, String) {
    let mut upstream = load_document(&fixture("upstream-older.json")).unwrap();
    change(&mut upstream);
    let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    std::fs::write(file.path(), upstream.to_string()).unwrap();
    let mut args = vec![path_str(file.path())];
    args.extend_from_slice(extra);
    cli(&args)
}

#[test]
fn upstream_modulo_the_accepted_deviations_is_nothing_new() {
    let (code, out, err) = gate(|_| {}, &[]);
    assert_eq!((code, out.as_str()), (EXIT_SAME, ""), "{err}");
    assert_eq!(
        err,
        "spec-diff: 0 new, 0 stale, 192 accepted (of 192 differences)\n"
    );

    let (code, out, _) = gate(|_| {}, &["--all", "--collapse"]);
    assert_eq!(code, EXIT_SAME);
    assert!(
        out.contains(
            "create-service-binding request-body: required: upstream has false, curated has true  [accepted: create-body-required]"
        ),
        "{out}"
    );
    assert!(out.lines().all(|l| l.contains("  [accepted: ")), "{out}");
}

#[test]
fn each_kind_of_upstream_change_is_reported_alone() {
    // A new property.
    let (code, out, _) = gate(
        |u| {
            at(
                u,
                "/components/schemas/addressing_create_binding_request/properties",
            )["comment"] = json!({"type": "string"});
        },
        &[],
    );
    assert_eq!(
        (code, out.as_str()),
        (
            EXIT_DIFFERENT,
            "create-service-binding request-body: property comment: in upstream, not in curated\n"
        )
    );

    // A new enum value: the accepted enum no longer matches, so it is new drift, and
    // its pattern is stale.
    let (code, out, _) = gate(
        |u| {
            at(u, PROVISIONING)["enum"] = json!(["provisioning", "active", "deprovisioning"]);
        },
        &["--collapse"],
    );
    assert_eq!(code, EXIT_DIFFERENT);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[..3].iter().all(|l| l.ends_with(
        r#"provisioning.state: enum: upstream has ["provisioning","active","deprovisioning"], curated has none"#
    )), "{out}");
    assert!(
        lines[3].starts_with("stale: * result*.provisioning.state"),
        "{out}"
    );

    // A changed status code.
    let (code, out, _) = gate(
        |u| {
            let responses = at(u, &format!("{BINDINGS}/post/responses"));
            let created = responses.as_object_mut().unwrap().remove("201").unwrap();
            responses["202"] = created;
        },
        &[],
    );
    assert_eq!(code, EXIT_DIFFERENT);
    assert_eq!(
        out,
        "create-service-binding: status 201: in curated, not in upstream\n\
         create-service-binding: status 202: in upstream, not in curated\n"
    );

    // A changed `required` list.
    let (code, out, _) = gate(
        |u| {
            at(u, "/components/schemas/addressing_service_binding")["required"] =
                json!(["id", "cidr"]);
        },
        &["--collapse"],
    );
    assert_eq!(code, EXIT_DIFFERENT);
    assert!(!out.is_empty());
    assert!(
        out.lines()
            .all(|l| l.contains(r#"required entry "#) && l.contains("in upstream, not in curated")),
        "{out}"
    );
}

#[test]
fn a_deviation_upstream_fixed_is_stale() {
    let (code, out, _) = gate(
        |u| {
            at(u, &format!("{BINDINGS}/post/requestBody"))["required"] = json!(true);
        },
        &[],
    );
    assert_eq!(code, EXIT_DIFFERENT);
    assert_eq!(
        out,
        "stale: create-service-binding request-body: required: upstream has false, curated has true  \
         [create-body-required: upstream no longer has it; remove it from \
         openapi/service-bindings.curated.toml]\n"
    );
}

/// A one-connection-at-a-time HTTP server on loopback answering every request with
/// `answer`; `None` keeps the connection open without answering.
fn serve(answer: Option<Vec<u8>>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buffer);
            match &answer {
                Some(bytes) => {
                    let _ = std::io::Write::write_all(&mut stream, bytes);
                }
                None => held.push(stream),
            }
        }
    });
    format!("http://{address}/openapi.json")
}

fn http_ok(body: &[u8]) -> Vec<u8> {
    let mut answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(body);
    answer
}

#[test]
fn upstream_by_url_is_fetched_with_a_time_limit_and_a_size_cap() {
    let body = std::fs::read(fixture("upstream-older.json")).unwrap();
    let url = serve(Some(http_ok(&body)));
    let (code, out, err) = cli(&[&url]);
    assert_eq!((code, out.as_str()), (EXIT_SAME, ""), "{err}");
    assert!(err.contains("0 new, 0 stale, 192 accepted"), "{err}");

    let (code, _, err) = cli(&[&url, "--max-size", "1000"]);
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("larger than 1000 bytes (--max-size)"), "{err}");

    // An announced length within the cap, but more bytes than the cap streamed.
    let lying = serve(Some(
        [
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n"
                .as_slice(),
            &body,
        ]
        .concat(),
    ));
    let (code, _, err) = cli(&[&lying, "--max-size", "1000"]);
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("larger than 1000 bytes"), "{err}");

    let silent = serve(None);
    let (code, _, err) = cli(&[&silent, "--timeout", "1"]);
    assert_eq!(code, EXIT_ERROR);
    assert!(
        err.contains(&format!(
            "cannot fetch {silent}: no complete answer within 1 s"
        )),
        "{err}"
    );

    let missing = serve(Some(
        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec(),
    ));
    let (code, _, err) = cli(&[&missing]);
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("HTTP 404 Not Found"), "{err}");
}

#[test]
fn the_drill_spec_diff_point_holds_and_can_fail() {
    use xtask::drill::{UPSTREAM_FIXTURE, spec_diff_point};
    let root = default_curated_path()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_owned();
    let fixture = root.join(UPSTREAM_FIXTURE);
    assert_eq!(
        spec_diff_point(&default_curated_path(), &fixture).unwrap(),
        Vec::<String>::new()
    );

    // One change fewer, one more.
    let mut next = load_document(&fixture).unwrap();
    remove(
        &mut next,
        "/components/schemas/addressing_create_binding_request/properties",
        "comment",
    );
    at(
        &mut next,
        "/components/schemas/addressing_service_binding/properties",
    )["zone"] = json!({"type": "string"});
    let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    std::fs::write(file.path(), next.to_string()).unwrap();
    let failures = spec_diff_point(&default_curated_path(), file.path()).unwrap();
    assert!(
        failures
            .iter()
            .any(|f| f.contains("does not report `…request-body: property comment")),
        "{failures:#?}"
    );
    assert!(
        failures
            .iter()
            .any(|f| f.contains("did not change") && f.contains("property zone")),
        "{failures:#?}"
    );
}

/// `upstream-2024-08.json` is Cloudflare's own text, not a synthetic fixture: the
/// definitions of Part A of `shared/reference/upstream-openapi-fragments.txt`
/// (cloudflare/api-schemas, openapi.json at cca3064f, 2024-08-06) and, from the same
/// file and commit, the two prefix path items with every schema they reach, put
/// together in upstream's layout (keys sorted, components inline). Every difference
/// from the curated spec must be one the sidecar explains: nothing new, nothing stale.
#[test]
fn verbatim_upstream_shows_only_accepted_differences() {
    let upstream = fixture("upstream-2024-08.json");
    let (code, out, err) = cli(&[path_str(&upstream)]);
    assert_eq!((code, out.as_str()), (EXIT_SAME, ""), "{err}");
    assert!(err.starts_with("spec-diff: 0 new, 0 stale, "), "{err}");

    // The same differences, listed: each carries the id of its accepted deviation.
    let (code, out, _) = cli(&[path_str(&upstream), "--all"]);
    assert_eq!(code, EXIT_SAME);
    assert!(out.lines().count() > 100, "{out}");
    for line in out.lines() {
        assert!(line.contains("  [accepted: "), "not explained: {line}");
    }
}

#[test]
fn all_of_members_narrow_the_items_of_an_array() {
    // Upstream's List Prefixes: a generic envelope with `items: {}`, narrowed by a second
    // `allOf` member to the prefix object. The items are the prefix, not "anything".
    let mut upstream = load_document(&fixture("upstream-2024-08.json")).unwrap();
    let lines = diff(&curated(), &upstream);
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("list-prefixes 200 result[]: type")),
        "{lines:#?}"
    );
    // Remove the narrowing member: the items are then untyped, and that shows.
    at(
        &mut upstream,
        "/components/schemas/addressing_response_collection/allOf",
    )
    .as_array_mut()
    .unwrap()
    .truncate(1);
    let lines = diff(&curated(), &upstream);
    assert!(
        lines.contains(
            &r#"list-prefixes 200 result[]: type: upstream has none, curated has "object""#
                .to_owned()
        ),
        "{lines:#?}"
    );
}
