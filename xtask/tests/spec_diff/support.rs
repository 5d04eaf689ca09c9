//! What the spec-diff tests share: the fixtures and the curated spec, the
//! differences as printed, edits at a JSON pointer, the command line run in
//! process, and a small HTTP server on loopback for fetching by URL.

use std::path::{Path, PathBuf};

use serde_json::Value;
use xtask::spec_diff::{default_curated_path, diff_documents, load_document, run_cli};

pub(super) const PROVISIONING: &str =
    "/components/schemas/addressing_provisioning/properties/state";
pub(super) const SERVICES_GET: &str = "/paths/~1accounts~1{account_id}~1addressing~1services/get";
pub(super) const BINDINGS: &str =
    "/paths/~1accounts~1{account_id}~1addressing~1prefixes~1{prefix_id}~1bindings";

pub(super) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/spec_diff")
        .join(name)
}

pub(super) fn curated() -> Value {
    load_document(&default_curated_path()).unwrap()
}

pub(super) fn upstream() -> Value {
    load_document(&fixture("upstream.json")).unwrap()
}

/// The differences as printed, one string per line.
pub(super) fn diff(curated: &Value, upstream: &Value) -> Vec<String> {
    let differences = diff_documents(curated, upstream).unwrap();
    differences.iter().map(ToString::to_string).collect()
}

/// The value at a JSON pointer, to be changed in place.
pub(super) fn at<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("fixture has nothing at {pointer}"))
}

/// Removes the member `key` of the object at `pointer`.
pub(super) fn remove(doc: &mut Value, pointer: &str, key: &str) {
    at(doc, pointer)
        .as_object_mut()
        .unwrap()
        .remove(key)
        .unwrap();
}

/// Runs the command line; returns the exit code, stdout and stderr.
pub(super) fn cli(args: &[&str]) -> (u8, String, String) {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_cli(&args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

pub(super) fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// An empty accepted-deviations file: every difference counts.
pub(super) fn none_accepted() -> tempfile::NamedTempFile {
    tempfile::NamedTempFile::new().unwrap()
}

/// `upstream-older.json` (upstream as it is, with every deviation the curated spec
/// makes) after `change`, written to a file; the command's exit code and stdout.
pub(super) fn gate(change: impl FnOnce(&mut Value), extra: &[&str]) -> (u8, String, String) {
    let mut upstream = load_document(&fixture("upstream-older.json")).unwrap();
    change(&mut upstream);
    let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    std::fs::write(file.path(), upstream.to_string()).unwrap();
    let mut args = vec![path_str(file.path())];
    args.extend_from_slice(extra);
    cli(&args)
}

/// A one-connection-at-a-time HTTP server on loopback answering every request with
/// `answer`; `None` keeps the connection open without answering.
pub(super) fn serve(answer: Option<Vec<u8>>) -> String {
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

pub(super) fn http_ok(body: &[u8]) -> Vec<u8> {
    let mut answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(body);
    answer
}
