//! When the outcome of a create or a delete cannot be established, the command
//! says so at the default verbosity, says what to do, and exits 5.

use super::hardening::raw_server;
use super::{bare, stderr};

const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const PREFIX: &str = "2af39739cc4e3b5910c918468bb89828";
const CDN: &str = "0ee3c9d2ed4e4ad4b8fcbe9a1e4b3e1c";

/// The services list works; every request about bindings loses its connection
/// before an answer (the server may have acted on it).
fn services_only(request_line: &str) -> Option<String> {
    if !request_line.starts_with("GET ") || !request_line.contains("/addressing/services") {
        return None;
    }
    let body = format!(
        r#"{{"success":true,"errors":[],"messages":[],"result":[{{"id":"{CDN}","name":"CDN"}}]}}"#
    );
    Some(format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    ))
}

fn run(base: &str, args: &[&str]) -> std::process::Output {
    bare()
        .env("CLOUDFLARE_API_TOKEN", "a-token")
        .args(["--base-url", base, "--account", ACCOUNT, "--timeout", "10s"])
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn a_create_whose_outcome_is_unknown_says_so_and_what_to_do() {
    let base = raw_server(services_only);
    let output = run(
        &base,
        &[
            "bindings",
            "create",
            "--prefix",
            PREFIX,
            "--cidr",
            "192.0.2.0/24",
            "--service",
            "CDN",
        ],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(5), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("outcome unknown"), "{err}");
    assert!(
        err.contains(&format!(
            "the binding may exist: check with `cf-bindings bindings list -p {PREFIX}` before trying again"
        )),
        "{err}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_delete_whose_outcome_is_unknown_says_so_and_what_to_do() {
    let base = raw_server(services_only);
    let output = run(
        &base,
        &[
            "bindings",
            "delete",
            // Given in upper case, named in the advice as ids are written.
            "--prefix",
            &PREFIX.to_uppercase(),
            "ffffffffffffffffffffffffffffffff",
            "--yes",
        ],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(5), "{err}");
    assert!(err.contains("outcome unknown"), "{err}");
    assert!(
        err.contains(&format!(
            "the binding may still exist: check with `cf-bindings bindings list -p {PREFIX}` before trying again"
        )),
        "{err}"
    );
}
