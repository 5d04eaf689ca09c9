//! Every operation of the cf-bindings wrapper against a local HTTP server: what it
//! makes of the answer and the exact request it sends (pinned in snapshots), finding
//! a service by name, and invalid input refused before any request.

use cf_bindings::{Client, Error, ProvisioningState};
use cf_bindings_test_server::{Reply, TEST_RAY, TestServer};
use serde_json::json;

use crate::common::*;

/// A server that answers its first request with `reply`, and a client of it.
async fn answering(reply: Reply) -> (TestServer, Client) {
    let server = TestServer::start().await;
    server.push(reply);
    let client = client(&server);
    (server, client)
}

/// The one request `server` received, as snapshots show it.
fn only_request(server: &TestServer) -> WireRequest {
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    wire(&requests[0])
}

// ---------------------------------------------------------------------------------
// Every operation: result and exact request

#[tokio::test]
async fn list_bindings() {
    let (server, client) = answering(Reply::json(
        200,
        ok(json!([
            base_binding(),
            binding_json(BINDING2, "192.0.2.1/32", CDN, "CDN", "provisioning"),
        ])),
    ))
    .await;
    let listed = bindings(&client).list().await.unwrap();
    assert_eq!(listed.status, 200);
    assert_eq!(listed.cf_ray.as_deref(), Some(TEST_RAY));
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id.as_str(), BINDING);
    assert_eq!(listed[0].cidr.to_string(), "192.0.2.0/24");
    assert_eq!(listed[0].service_name, "Magic Transit");
    assert_eq!(listed[0].state, ProvisioningState::Active);
    assert_eq!(listed[1].state, ProvisioningState::Provisioning);
    insta::assert_yaml_snapshot!("list_bindings_request", only_request(&server));
}

#[tokio::test]
async fn get_binding() {
    let (server, client) = answering(Reply::json(
        200,
        ok(binding_json(
            BINDING2,
            "2001:db8::/48",
            CDN,
            "CDN",
            "magic_transit_route_missing",
        )),
    ))
    .await;
    let got = bindings(&client).get(BINDING2).await.unwrap();
    assert_eq!(got.cidr.to_string(), "2001:db8::/48");
    assert_eq!(got.state, ProvisioningState::MagicTransitRouteMissing);
    insta::assert_yaml_snapshot!("get_binding_request", only_request(&server));
}

#[tokio::test]
async fn create_binding() {
    let (server, client) = answering(Reply::json(
        201,
        ok(binding_json(
            BINDING2,
            "192.0.2.16/29",
            CDN,
            "CDN",
            "provisioning",
        )),
    ))
    .await;
    let created = bindings(&client)
        .create("192.0.2.16/29", CDN)
        .await
        .unwrap();
    assert_eq!(created.status, 201);
    assert_eq!(created.id.as_str(), BINDING2);
    assert_eq!(created.service_id.as_str(), CDN);
    insta::assert_yaml_snapshot!("create_binding_request", only_request(&server));
}

#[tokio::test]
async fn delete_binding() {
    let (server, client) = answering(Reply::json(
        200,
        json!({"success": true, "errors": [], "messages": []}),
    ))
    .await;
    let deleted = bindings(&client).delete(BINDING2).await.unwrap();
    assert_eq!(deleted.status, 200);
    insta::assert_yaml_snapshot!("delete_binding_request", only_request(&server));
}

#[tokio::test]
async fn list_services() {
    let (server, client) = answering(services_reply()).await;
    let services = client.account(ACCOUNT).services().list().await.unwrap();
    assert_eq!(services.len(), 2);
    assert_eq!(services[1].name, "CDN");
    assert_eq!(services[1].id.as_str(), CDN);
    insta::assert_yaml_snapshot!("list_services_request", only_request(&server));
}

#[tokio::test]
async fn api_key_credentials_are_sent_as_headers() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, ok(json!([]))));
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key("ops@example.com", "global-key-abc")
        .build()
        .unwrap();
    client.account(ACCOUNT).services().list().await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.headers["x-auth-key"], "global-key-abc");
    assert!(!request.headers.contains_key("authorization"));
    insta::assert_yaml_snapshot!("api_key_request", only_request(&server));
}

#[tokio::test]
async fn messages_on_success_are_kept() {
    let (_server, client) = answering(Reply::json(
        200,
        json!({"success": true, "errors": [], "messages": [{"code": 10500, "message": "deprecated soon"}], "result": []}),
    ))
    .await;
    let listed = bindings(&client).list().await.unwrap();
    assert!(listed.is_empty());
    assert_eq!(listed.messages.len(), 1);
    assert_eq!(listed.messages[0].code, 10500);
    assert_eq!(listed.messages[0].message, "deprecated soon");
}

#[tokio::test]
async fn routing_table_from_the_server() {
    let (_server, client) = answering(Reply::json(
        200,
        ok(json!([
            base_binding(),
            binding_json(BINDING2, "192.0.2.1/32", CDN, "CDN", "active"),
        ])),
    ))
    .await;
    let table = bindings(&client).routing_table().await.unwrap();
    let route = |ip: &str| {
        table
            .route(ip.parse().unwrap())
            .map(|b| b.service_name.clone())
    };
    assert_eq!(route("192.0.2.1").as_deref(), Some("CDN"));
    assert_eq!(route("192.0.2.2").as_deref(), Some("Magic Transit"));
    assert_eq!(route("198.51.100.1"), None);
    let explained: Vec<_> = table
        .explain("192.0.2.1".parse().unwrap())
        .iter()
        .map(|b| b.cidr.to_string())
        .collect();
    assert_eq!(explained, ["192.0.2.0/24", "192.0.2.1/32"]);
}

// ---------------------------------------------------------------------------------
// Finding a service by name

/// The account's services: Magic Transit and CDN.
fn services_reply() -> Reply {
    Reply::json(
        200,
        ok(json!([
            {"id": MAGIC_TRANSIT, "name": "Magic Transit"},
            {"id": CDN, "name": "CDN"},
        ])),
    )
}

#[tokio::test]
async fn find_service_by_name_ignoring_case_or_by_id() {
    let cdn_upper = CDN.to_uppercase();
    let cases = [
        (" cdn ", CDN, "CDN"),
        ("magic transit", MAGIC_TRANSIT, "Magic Transit"),
        (CDN, CDN, "CDN"),
        (cdn_upper.as_str(), CDN, "CDN"),
    ];
    for (query, id, name) in cases {
        let (_server, client) = answering(services_reply()).await;
        let found = client
            .account(ACCOUNT)
            .services()
            .find(query)
            .await
            .unwrap();
        assert_eq!(found.id.as_str(), id, "{query:?}");
        assert_eq!(found.name, name, "{query:?}");
    }
}

#[tokio::test]
async fn find_service_lists_the_available_names() {
    let (_server, client) = answering(services_reply()).await;
    let err = client
        .account(ACCOUNT)
        .services()
        .find("Spectrum")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ServiceNotFound { .. }));
    assert_eq!(
        err.to_string(),
        r#"no service named "Spectrum"; available: Magic Transit, CDN"#
    );
}

// ---------------------------------------------------------------------------------
// Invalid input: refused before any request

const BAD_IDS: &[&str] = &[
    "",
    "../x",
    "a/b",
    "%2e%2e",
    "a?b",
    "a#b",
    "a b",
    "a.b",
    "ab\u{e9}",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", // 33 characters
];

const BAD_CIDRS: &[&str] = &[
    "",
    "x",
    "192.0.2.7/24",
    "192.0.2.0",
    "192.0.2.0/33",
    "192.0.2.0/",
    "/24",
    "2001:db8::1/48",
    "2001:db8::/129",
    "256.0.0.0/8",
    "../x",
];

/// The error of every operation given `bad` in each place an id goes: the account,
/// the prefix, the binding, the service.
async fn with_bad_id(client: &Client, bad: &str) -> [Error; 8] {
    let of_bad_account = client.account(bad).prefix(PREFIX).bindings();
    let of_bad_prefix = client.account(ACCOUNT).prefix(bad).bindings();
    let good = bindings(client);
    [
        client.account(bad).services().list().await.unwrap_err(),
        of_bad_account.list().await.unwrap_err(),
        of_bad_prefix.list().await.unwrap_err(),
        of_bad_prefix.create("192.0.2.0/24", CDN).await.unwrap_err(),
        good.get(bad).await.unwrap_err(),
        good.delete(bad).await.unwrap_err(),
        good.create("192.0.2.0/24", bad).await.unwrap_err(),
        good.wait_until_active(bad, &Default::default(), |_| {})
            .await
            .unwrap_err(),
    ]
}

#[tokio::test]
async fn invalid_ids_send_no_request() {
    let server = TestServer::start().await;
    let client = client(&server);
    for bad in BAD_IDS {
        for err in with_bad_id(&client, bad).await {
            assert!(matches!(err, Error::InvalidInput(_)), "{bad:?}: {err:?}");
            assert!(!err.is_retryable());
        }
    }
    for bad in BAD_CIDRS {
        let err = bindings(&client).create(*bad, CDN).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad:?}: {err:?}");
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn invalid_input_messages() {
    let id_errors: Vec<String> = BAD_IDS
        .iter()
        .map(|bad| {
            bad.parse::<cf_bindings::PrefixId>()
                .unwrap_err()
                .to_string()
        })
        .collect();
    let cidr_errors: Vec<String> = BAD_CIDRS
        .iter()
        .map(|bad| bad.parse::<cf_bindings::Cidr>().unwrap_err().to_string())
        .collect();
    insta::assert_yaml_snapshot!("invalid_id_messages", id_errors);
    insta::assert_yaml_snapshot!("invalid_cidr_messages", cidr_errors);
}
