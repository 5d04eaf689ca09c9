//! The command line: its exit codes, one line and exit 2 for bad input, a shared
//! difference printed once, an upstream fetched by URL with a time limit and a size
//! cap, and the drill's spec-diff point.

use serde_json::json;
use xtask::spec_diff;
use xtask::spec_diff::{
    EXIT_DIFFERENT, EXIT_ERROR, EXIT_SAME, default_curated_path, diff_documents, load_document,
};

use super::support::{
    at, cli, curated, fixture, http_ok, none_accepted, path_str, remove, serve, upstream,
};

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
