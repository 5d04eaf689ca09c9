//! The generated client: it is fresh, its public surface is reviewed, a spec change
//! shows in that surface, and each operation sends exactly what the spec says.

use std::path::PathBuf;

use crate::common::{ACCOUNT, BINDING, MAGIC_TRANSIT, PREFIX, binding_json, ok, wire};
use cf_bindings_generated::types::{
    AddressingAccountIdentifier, AddressingCreateBindingRequest, AddressingPrefixIdentifier,
    AddressingServiceBindingIdentifier,
};
use cf_bindings_generated::{Client, ResponseRecorder};
use cf_bindings_test_server::{Reply, TestServer};
use serde_json::json;
use xtask::codegen::{self, Freshness};

fn root() -> PathBuf {
    xtask::workspace_root()
}

fn spec_text() -> String {
    std::fs::read_to_string(root().join(codegen::SPEC_PATH)).unwrap()
}

/// Generates from a spec text, through a temporary file as a maintainer would.
fn generate_text(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, text).unwrap();
    codegen::generate_from(&path).unwrap()
}

#[test]
fn committed_generated_code_is_fresh() {
    let generated = codegen::generate_from(&root().join(codegen::SPEC_PATH)).unwrap();
    match codegen::check(&generated, &root().join(codegen::OUTPUT_PATH)).unwrap() {
        Freshness::UpToDate => {}
        Freshness::Stale(diff) => panic!(
            "{} is stale: run `cargo xtask codegen` and commit the result\n{diff}",
            codegen::OUTPUT_PATH
        ),
    }
}

#[test]
fn generated_surface() {
    let source = std::fs::read_to_string(root().join(codegen::OUTPUT_PATH)).unwrap();
    insta::assert_snapshot!(xtask::surface::describe(&source).unwrap());
}

#[test]
fn a_spec_change_changes_the_surface() {
    let spec = spec_text();
    let committed = xtask::surface::describe(&generate_text(&spec)).unwrap();

    // A new optional property on the binding, as Cloudflare might add one.
    let anchor = "    addressing_service_binding:\n      type: object\n      properties:\n";
    assert!(spec.contains(anchor), "the spec no longer has {anchor:?}");
    let edited = spec.replacen(
        anchor,
        &format!("{anchor}        x_surface_probe_only_in_this_test:\n          type: string\n"),
        1,
    );
    let changed = xtask::surface::describe(&generate_text(&edited)).unwrap();

    assert_ne!(committed, changed);
    assert!(
        changed.contains("x_surface_probe_only_in_this_test: Option<String>"),
        "{changed}"
    );
    assert!(!committed.contains("x_surface_probe_only_in_this_test"));
}

#[test]
fn a_description_edit_makes_the_committed_file_stale() {
    let edited = spec_text().replacen(
        "Fetch a single Service Binding",
        "Fetch one Service Binding",
        1,
    );
    let generated = generate_text(&edited);
    match codegen::check(&generated, &root().join(codegen::OUTPUT_PATH)).unwrap() {
        Freshness::Stale(diff) => {
            assert!(diff.contains("-Fetch a single Service Binding"), "{diff}");
            assert!(diff.contains("+Fetch one Service Binding"), "{diff}");
        }
        Freshness::UpToDate => panic!("an edited spec still matches the committed file"),
    }
}

/// The test binding in `state`.
fn binding_in(state: &str) -> serde_json::Value {
    binding_json(
        BINDING,
        "192.0.2.0/24",
        MAGIC_TRANSIT,
        "Magic Transit",
        state,
    )
}

#[tokio::test]
async fn each_operation_sends_what_the_spec_says() {
    let server = TestServer::start().await;
    let client = Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        ResponseRecorder::default(),
    );
    let account: AddressingAccountIdentifier = ACCOUNT.parse().unwrap();
    let prefix: AddressingPrefixIdentifier = PREFIX.parse().unwrap();
    let binding: AddressingServiceBindingIdentifier = BINDING.parse().unwrap();

    server.push(Reply::json(200, ok(json!([binding_in("active")]))));
    let listed = client
        .ip_address_management_service_bindings_list_service_bindings(&account, &prefix)
        .await
        .unwrap();
    assert_eq!(listed.result.len(), 1);

    server.push(Reply::json(201, ok(binding_in("provisioning"))));
    let body = AddressingCreateBindingRequest {
        cidr: "192.0.2.0/24".to_string().into(),
        service_id: MAGIC_TRANSIT.parse().unwrap(),
    };
    let created = client
        .ip_address_management_service_bindings_create_service_binding(&account, &prefix, &body)
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    server.push(Reply::json(200, ok(binding_in("active"))));
    client
        .ip_address_management_service_bindings_get_service_binding(&account, &prefix, &binding)
        .await
        .unwrap();

    server.push(Reply::json(
        200,
        json!({"success": true, "errors": [], "messages": []}),
    ));
    client
        .ip_address_management_service_bindings_delete_service_binding(&account, &prefix, &binding)
        .await
        .unwrap();

    server.push(Reply::json(
        200,
        ok(json!([{"id": MAGIC_TRANSIT, "name": "Magic Transit"}])),
    ));
    let services = client
        .ip_address_management_service_bindings_list_services(&account)
        .await
        .unwrap();
    assert_eq!(services.result.len(), 1);

    let requests: Vec<_> = server.requests().iter().map(wire).collect();
    insta::assert_yaml_snapshot!(requests);
}

#[tokio::test]
async fn api_version_header_is_the_spec_revision_date() {
    // Decided in openapi/service-bindings.yaml (info.version): a date, the form
    // Cloudflare's official SDKs send, naming the upstream revision curated.
    let server = TestServer::start().await;
    let client = Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        ResponseRecorder::default(),
    );
    server.push(Reply::json(200, ok(json!([]))));
    client
        .ip_address_management_service_bindings_list_services(&ACCOUNT.parse().unwrap())
        .await
        .unwrap();
    let sent = server.requests();
    let version = sent[0]
        .headers
        .get("api-version")
        .cloned()
        .unwrap_or_default();
    assert_eq!(version, "2026-07-27");
}

#[tokio::test]
async fn unknown_state_and_unknown_fields_decode() {
    let server = TestServer::start().await;
    let client = Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        ResponseRecorder::default(),
    );
    let mut result = binding_in("deprovisioning_in_a_future_version");
    result["created_at"] = json!("2026-11-21T00:00:00Z");
    result["provisioning"]["progress"] = json!(42);
    let mut body = ok(result);
    body["result_info"] = json!({"count": 1});
    server.push(Reply::json(200, body));

    let got = client
        .ip_address_management_service_bindings_get_service_binding(
            &ACCOUNT.parse().unwrap(),
            &PREFIX.parse().unwrap(),
            &BINDING.parse().unwrap(),
        )
        .await
        .unwrap()
        .into_inner();
    let state = got
        .result
        .and_then(|b| b.provisioning)
        .and_then(|p| p.state);
    assert_eq!(state.as_deref(), Some("deprovisioning_in_a_future_version"));
}

#[tokio::test]
async fn the_recorder_keeps_the_head_of_an_undecodable_response() {
    let server = TestServer::start().await;
    let client = Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        ResponseRecorder::default(),
    );
    server.push(
        Reply::raw(200, "application/json", "{\"success\": tr").header("cf-ray", "8c2fabc-EMU"),
    );

    let (result, head) = ResponseRecorder::capture(
        client.ip_address_management_service_bindings_list_services(&ACCOUNT.parse().unwrap()),
    )
    .await;
    let error = result.unwrap_err();
    assert!(
        matches!(
            error,
            cf_bindings_generated::Error::InvalidResponsePayload(..)
        ),
        "{error:?}"
    );
    let head = head.expect("the head was recorded");
    assert_eq!(head.status, 200);
    assert_eq!(head.headers.get("cf-ray").unwrap(), "8c2fabc-EMU");
}

#[tokio::test]
async fn capture_keeps_the_head_of_each_concurrent_request_apart() {
    let server = TestServer::start().await;
    let client = Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        ResponseRecorder::default(),
    );
    // Two undecodable answers, with distinct rays and statuses; the second request
    // is answered first.
    server.push(
        Reply::raw(200, "application/json", "{\"success\": tr")
            .header("cf-ray", "ray-A")
            .delay(std::time::Duration::from_millis(50)),
    );
    server.push(Reply::raw(201, "application/json", "{").header("cf-ray", "ray-B"));
    let account = ACCOUNT.parse().unwrap();
    let first = ResponseRecorder::capture(
        client.ip_address_management_service_bindings_list_services(&account),
    );
    let second = async {
        // Let the first request reach the server before this one.
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        ResponseRecorder::capture(
            client.ip_address_management_service_bindings_list_services(&account),
        )
        .await
    };
    let ((first, first_head), (second, second_head)) = tokio::join!(first, second);
    assert!(first.is_err() && second.is_err());
    let first_head = first_head.expect("the first head was captured");
    let second_head = second_head.expect("the second head was captured");
    assert_eq!(first_head.headers.get("cf-ray").unwrap(), "ray-A");
    assert_eq!(first_head.status, 200);
    assert_eq!(second_head.headers.get("cf-ray").unwrap(), "ray-B");
    assert_eq!(second_head.status, 201);
}
