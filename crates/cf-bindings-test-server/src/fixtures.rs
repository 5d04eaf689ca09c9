//! What scripts and assertions share: the ids of the test account, Cloudflare's
//! envelopes, and requests as snapshots show them (secrets masked, the port removed).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::{RecordedRequest, TestServer};

/// The API token every test client uses; it must never be printed.
pub const TOKEN: &str = "tok-SEKRET-6f2d91c0ab";
/// The test account.
pub const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
/// The test prefix, `192.0.2.0/24`.
pub const PREFIX: &str = "2af39739cc4e3b5910c918468bb89828";
/// The base binding of the test prefix (Magic Transit).
pub const BINDING: &str = "0429b49b6a5155297b78e75a44b09e14";
/// A second binding of the test prefix.
pub const BINDING2: &str = "1f2e3d4c5b6a79880716253443526170";
/// The Magic Transit service.
pub const MAGIC_TRANSIT: &str = "2db684ee7ca04e159946fd05b99e1bcd";
/// The CDN service.
pub const CDN: &str = "7f3c1a9e5b2d4c6e8a0b1d3f5e7c9a2b";

/// A success envelope.
pub fn ok(result: Value) -> Value {
    json!({"success": true, "errors": [], "messages": [], "result": result})
}

/// A failure envelope with one error.
pub fn failure(code: i64, message: &str) -> Value {
    json!({"success": false, "errors": [{"code": code, "message": message}], "messages": [], "result": null})
}

/// A binding as the API sends it.
pub fn binding_json(id: &str, cidr: &str, service_id: &str, name: &str, state: &str) -> Value {
    json!({
        "id": id,
        "cidr": cidr,
        "service_id": service_id,
        "service_name": name,
        "provisioning": {"state": state},
    })
}

/// The base binding of the test prefix.
pub fn base_binding() -> Value {
    binding_json(
        BINDING,
        "192.0.2.0/24",
        MAGIC_TRANSIT,
        "Magic Transit",
        "active",
    )
}

/// A request as pinned in snapshots: secrets masked, the port removed.
#[derive(Debug, Serialize)]
pub struct WireRequest {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The path and query.
    pub path: String,
    /// The headers, `authorization` and `x-auth-key` masked, `host` without its port.
    pub headers: BTreeMap<String, String>,
    /// The body as JSON (a string if it is not JSON, null if empty).
    pub body: Value,
}

/// `request` as snapshots show it.
pub fn wire(request: &RecordedRequest) -> WireRequest {
    let headers = request
        .headers
        .iter()
        .map(|(name, value)| {
            let shown = match name.as_str() {
                "authorization" => value.replace(TOKEN, "[token]"),
                "x-auth-key" => "[key]".to_owned(),
                "host" => "127.0.0.1:[port]".to_owned(),
                _ => value.clone(),
            };
            (name.clone(), shown)
        })
        .collect();
    let body = if request.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&request.body).unwrap_or_else(|_| Value::String(request.body.clone()))
    };
    WireRequest {
        method: request.method.clone(),
        path: request.path.clone(),
        headers,
        body,
    }
}

/// The method and path of every request, for asserting sequences.
pub fn calls(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// The `/client/v4` path of the test prefix's bindings.
pub fn bindings_path() -> String {
    format!("/client/v4/accounts/{ACCOUNT}/addressing/prefixes/{PREFIX}/bindings")
}
