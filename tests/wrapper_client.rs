//! The cf-bindings wrapper against a local HTTP server: every operation, the exact
//! request it sends, configuration, invalid input and secrecy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::{
    io::Write,
    sync::{Arc, Mutex, OnceLock},
};

use cf_bindings::{
    Client, ClientBuilder, Error, ProvisioningState, RetryPolicy,
    config::{Credentials, ENV_API_KEY},
};
use cf_bindings_tests::{Reply, TestServer};
use common::*;
use serde_json::json;

// ---------------------------------------------------------------------------------
// Every operation: result and exact request

#[tokio::test]
async fn list_bindings() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        ok(json!([
            base_binding(),
            binding_json(BINDING2, "192.0.2.1/32", CDN, "CDN", "provisioning"),
        ])),
    ));
    let client = client(&server);
    let listed = client
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .list()
        .await
        .unwrap();
    assert_eq!(listed.status, 200);
    assert_eq!(listed.cf_ray.as_deref(), Some(cf_bindings_tests::TEST_RAY));
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id.as_str(), BINDING);
    assert_eq!(listed[0].cidr.to_string(), "192.0.2.0/24");
    assert_eq!(listed[0].service_name, "Magic Transit");
    assert_eq!(listed[0].state, ProvisioningState::Active);
    assert_eq!(listed[1].state, ProvisioningState::Provisioning);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    insta::assert_yaml_snapshot!("list_bindings_request", wire(&requests[0]));
}

#[tokio::test]
async fn get_binding() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        ok(binding_json(
            BINDING2,
            "2001:db8::/48",
            CDN,
            "CDN",
            "magic_transit_route_missing",
        )),
    ));
    let client = client(&server);
    let got = client
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .get(BINDING2)
        .await
        .unwrap();
    assert_eq!(got.cidr.to_string(), "2001:db8::/48");
    assert_eq!(got.state, ProvisioningState::MagicTransitRouteMissing);
    insta::assert_yaml_snapshot!("get_binding_request", wire(&server.requests()[0]));
}

#[tokio::test]
async fn create_binding() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        201,
        ok(binding_json(
            BINDING2,
            "192.0.2.16/29",
            CDN,
            "CDN",
            "provisioning",
        )),
    ));
    let client = client(&server);
    let created = client
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .create("192.0.2.16/29", CDN)
        .await
        .unwrap();
    assert_eq!(created.status, 201);
    assert_eq!(created.id.as_str(), BINDING2);
    assert_eq!(created.service_id.as_str(), CDN);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    insta::assert_yaml_snapshot!("create_binding_request", wire(&requests[0]));
}

#[tokio::test]
async fn delete_binding() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        json!({"success": true, "errors": [], "messages": []}),
    ));
    let client = client(&server);
    let deleted = client
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .delete(BINDING2)
        .await
        .unwrap();
    assert_eq!(deleted.status, 200);
    insta::assert_yaml_snapshot!("delete_binding_request", wire(&server.requests()[0]));
}

#[tokio::test]
async fn list_services() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        ok(json!([
            {"id": MAGIC_TRANSIT, "name": "Magic Transit"},
            {"id": CDN, "name": "CDN"},
        ])),
    ));
    let client = client(&server);
    let services = client.account(ACCOUNT).services().list().await.unwrap();
    assert_eq!(services.len(), 2);
    assert_eq!(services[1].name, "CDN");
    assert_eq!(services[1].id.as_str(), CDN);
    insta::assert_yaml_snapshot!("list_services_request", wire(&server.requests()[0]));
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
    insta::assert_yaml_snapshot!("api_key_request", wire(request));
}

#[tokio::test]
async fn messages_on_success_are_kept() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        json!({"success": true, "errors": [], "messages": [{"code": 10500, "message": "deprecated soon"}], "result": []}),
    ));
    let client = client(&server);
    let listed = client
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .list()
        .await
        .unwrap();
    assert!(listed.is_empty());
    assert_eq!(listed.messages.len(), 1);
    assert_eq!(listed.messages[0].code, 10500);
    assert_eq!(listed.messages[0].message, "deprecated soon");
}

#[tokio::test]
async fn routing_table_from_the_server() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        ok(json!([
            base_binding(),
            binding_json(BINDING2, "192.0.2.1/32", CDN, "CDN", "active"),
        ])),
    ));
    let table = client(&server)
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .routing_table()
        .await
        .unwrap();
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

fn push_services(server: &TestServer) {
    server.push(Reply::json(
        200,
        ok(json!([
            {"id": MAGIC_TRANSIT, "name": "Magic Transit"},
            {"id": CDN, "name": "CDN"},
        ])),
    ));
}

#[tokio::test]
async fn find_service_by_name_ignoring_case_or_by_id() {
    let server = TestServer::start().await;
    push_services(&server);
    let found = client(&server)
        .account(ACCOUNT)
        .services()
        .find(" cdn ")
        .await
        .unwrap();
    assert_eq!(found.id.as_str(), CDN);
    push_services(&server);
    let found = client(&server)
        .account(ACCOUNT)
        .services()
        .find("magic transit")
        .await
        .unwrap();
    assert_eq!(found.id.as_str(), MAGIC_TRANSIT);
    push_services(&server);
    let found = client(&server)
        .account(ACCOUNT)
        .services()
        .find(CDN)
        .await
        .unwrap();
    assert_eq!(found.name, "CDN", "found by id");
    push_services(&server);
    let found = client(&server)
        .account(ACCOUNT)
        .services()
        .find(&CDN.to_uppercase())
        .await
        .unwrap();
    assert_eq!(found.name, "CDN", "found by id in upper case");
}

#[tokio::test]
async fn find_service_lists_the_available_names() {
    let server = TestServer::start().await;
    push_services(&server);
    let err = client(&server)
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
// Configuration

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

fn config_error(vars: &[(&str, &str)]) -> (Option<&'static str>, String) {
    let err = ClientBuilder::from_lookup(lookup(vars))
        .and_then(ClientBuilder::build)
        .unwrap_err();
    match err {
        Error::Config(c) => (c.variable(), Error::Config(c).to_string()),
        other => panic!("not a config error: {other:?}"),
    }
}

#[test]
fn environment_token_wins_over_email_and_key() {
    let builder = ClientBuilder::from_lookup(lookup(&[
        ("CLOUDFLARE_API_TOKEN", "t0ken"),
        ("CLOUDFLARE_EMAIL", "a@b.c"),
    ]))
    .unwrap();
    assert!(format!("{builder:?}").contains("ApiToken"));
    let client = builder.build().unwrap();
    assert_eq!(client.base_url(), "https://api.cloudflare.com/client/v4");
}

#[test]
fn environment_email_and_key_and_base_url() {
    let client = ClientBuilder::from_lookup(lookup(&[
        ("CLOUDFLARE_EMAIL", "a@b.c"),
        ("CLOUDFLARE_API_KEY", "k"),
        ("CLOUDFLARE_BASE_URL", "http://127.0.0.1:8787/client/v4/"),
    ]))
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:8787/client/v4");
}

#[test]
fn environment_errors_name_the_variable() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[], "CLOUDFLARE_API_TOKEN"),
        (&[("CLOUDFLARE_API_TOKEN", "")], "CLOUDFLARE_API_TOKEN"),
        (&[("CLOUDFLARE_API_TOKEN", "  ")], "CLOUDFLARE_API_TOKEN"),
        (&[("CLOUDFLARE_EMAIL", "a@b.c")], "CLOUDFLARE_API_KEY"),
        (&[("CLOUDFLARE_API_KEY", "k")], "CLOUDFLARE_EMAIL"),
        (
            &[("CLOUDFLARE_EMAIL", ""), ("CLOUDFLARE_API_KEY", "k")],
            "CLOUDFLARE_EMAIL",
        ),
        (
            &[("CLOUDFLARE_EMAIL", "a@b.c"), ("CLOUDFLARE_API_KEY", "")],
            ENV_API_KEY,
        ),
        (
            &[("CLOUDFLARE_API_TOKEN", "t"), ("CLOUDFLARE_BASE_URL", "")],
            "CLOUDFLARE_BASE_URL",
        ),
        (
            &[
                ("CLOUDFLARE_API_TOKEN", "t"),
                ("CLOUDFLARE_BASE_URL", "not a url"),
            ],
            "CLOUDFLARE_BASE_URL",
        ),
        (
            &[
                ("CLOUDFLARE_API_TOKEN", "t"),
                ("CLOUDFLARE_BASE_URL", "ftp://x/client/v4"),
            ],
            "CLOUDFLARE_BASE_URL",
        ),
    ];
    let mut shown = Vec::new();
    for (vars, variable) in cases {
        let (named, message) = config_error(vars);
        assert_eq!(named, Some(*variable), "{vars:?}: {message}");
        assert!(message.contains(variable), "{vars:?}: {message}");
        shown.push(message);
    }
    insta::assert_yaml_snapshot!("config_errors", shown);
}

#[test]
fn base_url_with_user_information_is_refused_without_showing_it() {
    for url in [
        "http://user:s3cret-pw@127.0.0.1:8787/client/v4",
        "https://only-user@api.example.test/client/v4",
        // No `//`: URL parsers still read `user:s3cret-pw` as user information.
        "https:user:s3cret-pw@api.example.test/client/v4",
        "http://user:s3cret-pw@bad host/client/v4",
    ] {
        let (named, message) =
            config_error(&[("CLOUDFLARE_API_TOKEN", "t"), ("CLOUDFLARE_BASE_URL", url)]);
        assert_eq!(named, Some("CLOUDFLARE_BASE_URL"), "{message}");
        assert!(message.contains("user information"), "{message}");
        assert!(
            !message.contains("s3cret-pw") && !message.contains("only-user"),
            "{message}"
        );
        let err = Client::builder()
            .api_token("t")
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err}");
        assert!(!format!("{err} {err:?}").contains("s3cret-pw"), "{err:?}");
    }
}

#[test]
fn builder_refuses_missing_or_unusable_credentials() {
    let err = Client::builder().build().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    let err = Client::builder()
        .api_token("bad\ntoken")
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration: the API token contains characters not allowed in an HTTP header"
    );
    let err = Client::builder()
        .api_token("t")
        .http_client(reqwest::Client::new())
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("caller-supplied reqwest::Client"),
        "{err}"
    );
}

#[test]
fn builder_refuses_a_zero_timeout() {
    let zero = std::time::Duration::ZERO;
    let err = Client::builder().api_token("t").timeout(zero).build();
    assert_eq!(
        err.unwrap_err().to_string(),
        "configuration: the timeout must be above zero"
    );
    let err = Client::builder()
        .api_token("t")
        .connect_timeout(zero)
        .build();
    assert_eq!(
        err.unwrap_err().to_string(),
        "configuration: the connect timeout must be above zero"
    );
}

#[tokio::test]
async fn caller_supplied_client_carries_its_own_credentials() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, ok(json!([]))));
    let headers = Credentials::api_token(TOKEN).headers().unwrap();
    assert!(headers["authorization"].is_sensitive());
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let client = Client::builder()
        .base_url(server.base_url())
        .http_client(http)
        .build()
        .unwrap();
    client.account(ACCOUNT).services().list().await.unwrap();
    assert_eq!(
        server.requests()[0].headers["authorization"],
        format!("Bearer {TOKEN}")
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

#[tokio::test]
async fn invalid_ids_send_no_request() {
    let server = TestServer::start().await;
    let client = client(&server);
    for bad in BAD_IDS {
        let errors = [
            client.account(*bad).services().list().await.unwrap_err(),
            client
                .account(*bad)
                .prefix(PREFIX)
                .bindings()
                .list()
                .await
                .unwrap_err(),
            client
                .account(ACCOUNT)
                .prefix(*bad)
                .bindings()
                .list()
                .await
                .unwrap_err(),
            client
                .account(ACCOUNT)
                .prefix(*bad)
                .bindings()
                .create("192.0.2.0/24", CDN)
                .await
                .unwrap_err(),
            client
                .account(ACCOUNT)
                .prefix(PREFIX)
                .bindings()
                .get(*bad)
                .await
                .unwrap_err(),
            client
                .account(ACCOUNT)
                .prefix(PREFIX)
                .bindings()
                .delete(*bad)
                .await
                .unwrap_err(),
            client
                .account(ACCOUNT)
                .prefix(PREFIX)
                .bindings()
                .create("192.0.2.0/24", *bad)
                .await
                .unwrap_err(),
            client
                .account(ACCOUNT)
                .prefix(PREFIX)
                .bindings()
                .wait_until_active(*bad, &Default::default(), |_| {})
                .await
                .unwrap_err(),
        ];
        for err in errors {
            assert!(matches!(err, Error::InvalidInput(_)), "{bad:?}: {err:?}");
            assert!(!err.is_retryable());
        }
    }
    for bad in BAD_CIDRS {
        let err = client
            .account(ACCOUNT)
            .prefix(PREFIX)
            .bindings()
            .create(*bad, CDN)
            .await
            .unwrap_err();
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

// ---------------------------------------------------------------------------------
// Secrecy

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs, once per test binary, a global subscriber at trace level (bridging the
/// `log` records of reqwest and hyper too) writing to a buffer.
fn trace_buffer() -> Buffer {
    static BUFFER: OnceLock<Buffer> = OnceLock::new();
    BUFFER
        .get_or_init(|| {
            use tracing_subscriber::util::SubscriberInitExt;
            let buffer = Buffer::default();
            let writer = buffer.clone();
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish()
                .try_init()
                .expect("no other global subscriber");
            buffer
        })
        .clone()
}

#[tokio::test]
async fn the_token_never_shows() {
    let buffer = trace_buffer();
    let server = TestServer::start().await;
    let client = client(&server);
    let key_client = Client::builder()
        .base_url(server.base_url())
        .api_key("ops@example.com", TOKEN)
        .retry_policy(RetryPolicy::no_retries())
        .build()
        .unwrap();

    // The email of a global API key is personal data, and masked as the key is.
    for shown in [
        format!("{:?}", Credentials::api_key("ops@example.com", TOKEN)),
        format!("{:?}", Client::builder().api_key("ops@example.com", TOKEN)),
        format!("{key_client:?}"),
    ] {
        assert!(!shown.contains(TOKEN) && !shown.contains("ops@"), "{shown}");
    }

    let mut debug = vec![
        format!("{client:?}"),
        format!("{key_client:?}"),
        format!("{:?}", Client::builder().api_token(TOKEN)),
        format!("{:?}", Credentials::api_token(TOKEN)),
        format!("{:?}", Credentials::api_token(TOKEN).headers().unwrap()),
        format!("{:?}", client.account(ACCOUNT).prefix(PREFIX).bindings()),
        cf_bindings::config::Secret::new(TOKEN).to_string(),
    ];

    // One error of each kind reached over the wire, with retries and messages logged.
    let bindings = client.account(ACCOUNT).prefix(PREFIX).bindings();
    server.push(Reply::json(
        200,
        json!({"success": true, "errors": [], "messages": [{"code": 1, "message": "note"}], "result": []}),
    ));
    bindings.list().await.unwrap();
    server.push(Reply::json(403, failure(10000, "Authentication error")));
    let mut errors = vec![bindings.list().await.unwrap_err()];
    server.push(Reply::raw(502, "text/html", "<html>bad gateway</html>"));
    server.push(Reply::raw(502, "text/html", "<html>bad gateway</html>"));
    server.push(Reply::raw(502, "text/html", "<html>bad gateway</html>"));
    errors.push(bindings.get(BINDING).await.unwrap_err());
    server.push(Reply::json(200, ok(json!([{"id": "x"}]))));
    errors.push(bindings.list().await.unwrap_err());
    server.push(Reply::drop_connection());
    server.push(Reply::json(200, ok(json!([]))));
    server.push(Reply::json(400, failure(1031, "not within the prefix")));
    errors.push(bindings.create("192.0.2.0/24", CDN).await.unwrap_err());
    server.push(Reply::json(404, failure(1003, "not found")));
    errors.push(
        key_client
            .account(ACCOUNT)
            .prefix(PREFIX)
            .bindings()
            .delete(BINDING)
            .await
            .unwrap_err(),
    );
    errors.push(client.account("a/b").services().list().await.unwrap_err());
    let closed = client_with("http://127.0.0.1:9/client/v4", RetryPolicy::no_retries());
    errors.push(closed.account(ACCOUNT).services().list().await.unwrap_err());
    for error in &errors {
        debug.push(format!("{error:?}"));
        debug.push(error.to_string());
    }

    for text in &debug {
        assert!(!text.contains(TOKEN), "token in {text}");
    }
    let traced = String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned();
    assert!(
        traced.contains("retrying"),
        "tracing captured nothing useful: {traced}"
    );
    assert!(traced.contains("Cloudflare message: note"), "{traced}");
    assert!(!traced.contains(TOKEN), "token in tracing output");
}
