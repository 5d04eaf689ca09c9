//! Every envelope case, transport failure and error helper of the cf-bindings
//! wrapper, over HTTP (`bodies`: what a body may be, and transport failures), and
//! the exact `Display` of each error kind (`display`).

mod bodies;
mod display;

use std::{collections::BTreeMap, time::Duration};

use crate::common::*;
use cf_bindings::{Client, Error, RetryPolicy};
use cf_bindings_test_server::{Reply, TestServer};
use serde_json::json;

fn no_retry(server: &TestServer) -> Client {
    client_with(&server.base_url(), RetryPolicy::no_retries())
}

async fn list_error(server: &TestServer, reply: Reply) -> Error {
    server.push(reply);
    no_retry(server)
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .list()
        .await
        .unwrap_err()
}

fn shown(server: &TestServer, error: &Error) -> String {
    error
        .to_string()
        .replace(&server.addr().port().to_string(), "[port]")
}

#[tokio::test]
async fn success_false_on_200_is_an_api_error() {
    let server = TestServer::start().await;
    let err = list_error(
        &server,
        Reply::json(200, failure(1099, "Something went wrong")),
    )
    .await;
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 200);
    assert_eq!(err.codes(), [1099]);
    assert_eq!(err.cf_ray(), Some(cf_bindings_test_server::TEST_RAY));
    // A read answered so is retried: a success status that says it failed passes.
    assert!(err.is_retryable());
}

#[tokio::test]
async fn failure_envelope_keeps_every_item() {
    let server = TestServer::start().await;
    let body = json!({
        "success": false,
        "errors": [
            {"code": 1011, "message": "missing field cidr", "source": {"pointer": "/cidr"},
             "documentation_url": "https://developers.cloudflare.com/byoip/"},
            {"code": 4294967297i64, "message": "second"},
        ],
        "messages": [{"code": 1000, "message": "fyi"}],
        "result": null,
    });
    let err = list_error(&server, Reply::json(400, body)).await;
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 400);
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.codes(), [1011, 4_294_967_297]);
    assert_eq!(api.errors[0].pointer.as_deref(), Some("/cidr"));
    assert_eq!(
        api.errors[0].documentation_url.as_deref(),
        Some("https://developers.cloudflare.com/byoip/")
    );
    assert_eq!(api.messages[0].message, "fyi");
    assert!(!err.is_retryable() && !err.is_not_found() && !err.is_auth());
}

#[tokio::test]
async fn helpers_by_status() {
    let server = TestServer::start().await;
    let not_found = list_error(&server, Reply::json(404, failure(1002, "Prefix not found"))).await;
    assert!(not_found.is_not_found() && !not_found.is_retryable());
    let unauthorized = list_error(
        &server,
        Reply::json(401, failure(9106, "Missing X-Auth-Key")),
    )
    .await;
    assert!(unauthorized.is_auth());
    let forbidden = list_error(
        &server,
        Reply::json(403, failure(10000, "Authentication error")),
    )
    .await;
    assert!(forbidden.is_auth() && !forbidden.is_retryable());
    let limited = list_error(
        &server,
        Reply::json(429, failure(971, "Please wait")).header("retry-after", "7"),
    )
    .await;
    assert!(limited.is_rate_limited() && limited.is_retryable());
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(7)));
    let limited_ms = list_error(
        &server,
        Reply::json(429, failure(971, "Please wait")).header("retry-after-ms", "1500"),
    )
    .await;
    assert_eq!(limited_ms.retry_after(), Some(Duration::from_millis(1500)));
    let server_error = list_error(
        &server,
        Reply::json(500, failure(1050, "State could not be saved")),
    )
    .await;
    assert!(matches!(server_error, Error::Api(_)) && server_error.is_retryable());
    let timeout_408 = list_error(&server, Reply::json(408, failure(1, "Request timeout"))).await;
    assert!(timeout_408.is_retryable());
}

#[tokio::test]
async fn non_envelope_bodies() {
    let server = TestServer::start().await;
    let html = list_error(
        &server,
        Reply::raw(
            502,
            "text/html",
            "<html>\n<head><title>502 Bad Gateway</title></head>\n</html>",
        )
        .header("cf-ray", "8c2f0000html-EMU"),
    )
    .await;
    let Error::UnexpectedBody(body) = &html else {
        panic!("{html:?}")
    };
    assert_eq!(body.status, 502);
    assert_eq!(body.content_type.as_deref(), Some("text/html"));
    assert!(
        body.excerpt
            .starts_with("<html> <head><title>502 Bad Gateway")
    );
    assert_eq!(html.cf_ray(), Some("8c2f0000html-EMU"));
    assert!(html.is_retryable());

    let empty = list_error(&server, Reply::raw(200, "application/json", "")).await;
    assert!(matches!(empty, Error::UnexpectedBody(_)), "{empty:?}");
    let cut = list_error(
        &server,
        Reply::raw(200, "application/json", r#"{"success": tr"#),
    )
    .await;
    assert!(matches!(cut, Error::UnexpectedBody(_)), "{cut:?}");
    let other = list_error(&server, Reply::json(200, json!({"hello": "world"}))).await;
    assert!(matches!(other, Error::UnexpectedBody(_)), "{other:?}");
    let html_404 = list_error(&server, Reply::raw(404, "text/html", "<h1>Not Found</h1>")).await;
    assert!(matches!(html_404, Error::UnexpectedBody(_)) && html_404.is_not_found());
}

#[tokio::test]
async fn a_page_echoing_the_request_headers_shows_no_credential() {
    let server = TestServer::start().await;
    // A proxy's error page that echoes the request, the token whole, and the token
    // cut short by the excerpt's length.
    let whole = format!("<h1>502</h1><pre>authorization: Bearer {TOKEN}\nhost: x</pre>");
    let cut = format!("<pre>{}authorization: Bearer {TOKEN}</pre>", "x".repeat(80));
    for page in [whole, cut] {
        let err = list_error(&server, Reply::raw(502, "text/html", page.clone())).await;
        let Error::UnexpectedBody(body) = &err else {
            panic!("{err:?}")
        };
        assert!(body.excerpt.contains("[redacted]"), "{}", body.excerpt);
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains(&TOKEN[..6]), "{shown}");
        }
    }
    // Cloudflare's own messages are shown with the credential masked too.
    let err = list_error(
        &server,
        Reply::json(400, failure(1000, &format!("bad header Bearer {TOKEN}"))),
    )
    .await;
    assert!(!err.to_string().contains(TOKEN), "{err}");
    assert!(err.to_string().contains("[redacted]"), "{err}");
}

#[tokio::test]
async fn server_values_in_decode_errors_and_messages_show_no_credential() {
    let server = TestServer::start().await;
    // A value the wrapper refuses, echoing the token, and one of a megabyte.
    for cidr in [format!("Bearer {TOKEN}"), "9".repeat(1 << 20)] {
        let binding = binding_json(BINDING, &cidr, CDN, "CDN", "active");
        let err = list_error(&server, Reply::json(200, ok(json!([binding])))).await;
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains(&TOKEN[..6]), "{shown}");
            assert!(shown.len() < 1024, "{} bytes", shown.len());
        }
    }
    // A successful answer's messages, returned and logged, are masked too.
    let mut body = ok(json!([base_binding()]));
    body["messages"] = json!([{"code": 1, "message": format!("echo: Bearer {TOKEN}")}]);
    server.push(Reply::json(200, body));
    let listed = no_retry(&server)
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .list()
        .await
        .unwrap();
    assert_eq!(listed.messages[0].message, "echo: Bearer [redacted]");
}
