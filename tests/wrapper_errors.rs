//! Every envelope case, transport failure and error helper of the cf-bindings
//! wrapper, over HTTP, and the exact `Display` of each error kind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::{collections::BTreeMap, time::Duration};

use cf_bindings::{Client, Error, RetryPolicy};
use cf_bindings_tests::{Reply, TestServer};
use common::*;
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
    assert_eq!(err.cf_ray(), Some(cf_bindings_tests::TEST_RAY));
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

/// A server that answers every request with an endless body of spaces: announced
/// as 100 GB, or chunked. It stops after 1 GiB or when the client hangs up.
async fn endless_body_server(chunked: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = if chunked {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncf-ray: 8c2f-BIG\r\ntransfer-encoding: chunked\r\n\r\n"
                } else {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncf-ray: 8c2f-BIG\r\ncontent-length: 100000000000\r\n\r\n"
                };
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let spaces = vec![b' '; 64 * 1024];
                let mut chunk = format!("{:x}\r\n", spaces.len()).into_bytes();
                chunk.extend_from_slice(&spaces);
                chunk.extend_from_slice(b"\r\n");
                let piece = if chunked { chunk } else { spaces };
                for _ in 0..(1 << 30) / piece.len() {
                    if socket.write_all(&piece).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}/client/v4")
}

/// The peak resident memory of this process so far (Linux), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

// Real time: it measures memory while a real socket streams an endless body; the
// 20 s timeout is only a safety net and is never meant to fire.
#[tokio::test]
async fn an_endless_body_stops_at_the_cap_without_a_retry() {
    for chunked in [false, true] {
        let base = endless_body_server(chunked).await;
        let client = Client::builder()
            .base_url(&base)
            .api_token(TOKEN)
            .max_body_bytes(256 * 1024)
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        let before = peak_rss();
        let err = client
            .account(ACCOUNT)
            .prefix(PREFIX)
            .bindings()
            .list()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
        assert!(!err.is_retryable());
        assert_eq!(
            err.to_string(),
            "list service bindings: HTTP 200: response body larger than 262144 bytes, not read further (cf-ray 8c2f-BIG)"
        );
        // The server would send 1 GiB: the client kept well under it.
        if let (Some(before), Some(after)) = (before, peak_rss()) {
            assert!(
                after.saturating_sub(before) < 64 << 20,
                "grew by {}",
                after - before
            );
        }
    }
}

#[tokio::test]
async fn truncated_body_is_a_transport_error_with_status() {
    let server = TestServer::start().await;
    let err = list_error(
        &server,
        Reply::json(200, ok(json!([base_binding()]))).truncated(),
    )
    .await;
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(err.status(), Some(200));
    assert!(err.is_retryable());
}

/// `is_rejected`: Cloudflare refused the request as such (a rule, a permission, a
/// missing thing), so the same request gets the same answer; a 408, a 429 and a 5xx
/// are not refusals, nor is a 2xx.
#[tokio::test]
async fn rejected_means_a_4xx_that_a_resend_would_meet_again() {
    let server = TestServer::start().await;
    for (status, rejected) in [
        (400, true),
        (401, true),
        (403, true),
        (404, true),
        (409, true),
        (422, true),
        (408, false),
        (429, false),
        (500, false),
        (503, false),
        (200, false),
    ] {
        let err = list_error(&server, Reply::json(status, failure(1030, "A rule"))).await;
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.is_rejected(), rejected, "HTTP {status}: {err}");
    }
}

#[tokio::test]
async fn results_that_do_not_fit_name_the_field() {
    let server = TestServer::start().await;
    let mut missing = base_binding();
    missing.as_object_mut().unwrap().remove("id");
    let cases = [
        (json!([base_binding(), missing]), "result[1].id"),
        (
            json!([binding_json(BINDING, "192.0.2.7/24", CDN, "CDN", "active")]),
            "result[0].cidr",
        ),
        (
            json!([binding_json(BINDING, "nonsense", CDN, "CDN", "active")]),
            "result[0].cidr",
        ),
        (
            json!([binding_json(
                &"a".repeat(40),
                "192.0.2.0/24",
                CDN,
                "CDN",
                "active"
            )]),
            "result[0].id",
        ),
        (json!([{"id": BINDING, "cidr": 5}]), "result[0].cidr"),
        (json!({"not": "a list"}), "result"),
    ];
    for (result, field) in cases {
        let err = list_error(&server, Reply::json(200, ok(result.clone()))).await;
        let Error::Decode(decode) = &err else {
            panic!("{result}: {err:?}")
        };
        assert_eq!(decode.field, field, "{result}: {err}");
        assert!(!err.is_retryable());
    }
    // A get whose `result` is missing altogether.
    server.push(Reply::json(
        200,
        json!({"success": true, "errors": [], "messages": []}),
    ));
    let err = no_retry(&server)
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .get(BINDING)
        .await
        .unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(decode.field, "result");
}

#[tokio::test]
async fn unknown_state_and_missing_name_are_kept() {
    let server = TestServer::start().await;
    server.push(Reply::json(
        200,
        ok(json!([{"id": BINDING, "cidr": "192.0.2.0/24", "service_id": CDN, "provisioning": {"state": "draining"}}])),
    ));
    let listed = no_retry(&server)
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .list()
        .await
        .unwrap();
    assert_eq!(
        listed[0].state,
        cf_bindings::ProvisioningState::Unknown("draining".into())
    );
    assert_eq!(listed[0].service_name, "");
}

#[tokio::test]
async fn create_answering_200_instead_of_201_still_succeeds() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, ok(base_binding())));
    let created = no_retry(&server)
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .create("192.0.2.0/24", MAGIC_TRANSIT)
        .await
        .unwrap();
    assert_eq!(created.status, 200);
    assert_eq!(created.id.as_str(), BINDING);
}

// The paused clock: the 100 ms request timeout fires at once, not in real time.
#[tokio::test(start_paused = true)]
async fn transport_failures_are_kept_apart() {
    let server = TestServer::start().await;
    let dropped = list_error(&server, Reply::drop_connection()).await;
    assert!(
        matches!(dropped, Error::Transport { status: None, .. }),
        "{dropped:?}"
    );
    assert!(dropped.is_retryable() && dropped.status().is_none());

    let slow = Client::builder()
        .base_url(server.base_url())
        .api_token(TOKEN)
        .retry_policy(RetryPolicy::no_retries())
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    server.push(Reply::json(200, ok(json!([]))).delay(Duration::from_secs(5)));
    let timed_out = slow
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .list()
        .await
        .unwrap_err();
    assert!(matches!(timed_out, Error::Timeout { .. }), "{timed_out:?}");
    assert!(timed_out.is_retryable());

    let refused = client_with("http://127.0.0.1:9/client/v4", RetryPolicy::no_retries())
        .account(ACCOUNT)
        .services()
        .list()
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Connect { .. }), "{refused:?}");
    assert!(refused.is_retryable());
}

/// The one-line `Display` of every error kind, pinned.
// The paused clock: the 100 ms request timeout fires at once, not in real time.
#[tokio::test(start_paused = true)]
async fn display_of_each_error_kind() {
    let server = TestServer::start().await;
    let client = no_retry(&server);
    let bindings = client.account(ACCOUNT).prefix(PREFIX).bindings();
    let mut shown_errors = BTreeMap::new();

    server.push(Reply::json(
        400,
        json!({
            "success": false,
            "errors": [{"code": 1002, "message": "Prefix not found"}],
            "messages": [],
            "result": null,
        }),
    ));
    let err = bindings.create("192.0.2.0/24", CDN).await.unwrap_err();
    shown_errors.insert("api_400", shown(&server, &err));

    server.push(Reply::json(
        400,
        json!({
            "success": false,
            "errors": [
                {"code": 1011, "message": "Missing required field", "source": {"pointer": "/cidr"}},
                {"code": 1012, "message": "Field has the\nwrong type"},
            ],
            "messages": [],
        }),
    ));
    let err = bindings.create("192.0.2.0/24", CDN).await.unwrap_err();
    shown_errors.insert("api_two_errors", shown(&server, &err));

    let err = list_error(&server, Reply::json(200, failure(1099, "Injected failure"))).await;
    shown_errors.insert("api_200_success_false", shown(&server, &err));

    let err = list_error(
        &server,
        Reply::json(403, json!({"success": false, "errors": [], "messages": []})),
    )
    .await;
    shown_errors.insert("api_no_details", shown(&server, &err));

    let err = list_error(
        &server,
        Reply::json(
            429,
            failure(
                971,
                "Please wait and consider throttling your request speed",
            ),
        )
        .header("retry-after", "2"),
    )
    .await;
    shown_errors.insert("api_429", shown(&server, &err));

    let err = list_error(
        &server,
        Reply::raw(
            502,
            "text/html",
            "<html>\n<head><title>502 Bad Gateway</title></head></html>",
        )
        .header("cf-ray", "8c2f0000html-EMU"),
    )
    .await;
    shown_errors.insert("body_html_502", shown(&server, &err));

    let err = list_error(&server, Reply::raw(200, "application/json", "")).await;
    shown_errors.insert("body_empty", shown(&server, &err));

    let err = list_error(
        &server,
        Reply::raw(200, "application/json", r#"{"success": tr"#),
    )
    .await;
    shown_errors.insert("body_truncated_json", shown(&server, &err));

    let err = list_error(&server, Reply::json(200, json!({"hello": "world"}))).await;
    shown_errors.insert("body_other_json", shown(&server, &err));

    let err = list_error(
        &server,
        Reply::json(
            200,
            ok(json!([binding_json(
                BINDING,
                "192.0.2.7/24",
                CDN,
                "CDN",
                "active"
            )])),
        ),
    )
    .await;
    shown_errors.insert("decode_bad_cidr", shown(&server, &err));

    let err = list_error(
        &server,
        Reply::json(200, ok(json!([{"cidr": "192.0.2.0/24"}]))),
    )
    .await;
    shown_errors.insert("decode_missing_id", shown(&server, &err));

    let err = list_error(&server, Reply::drop_connection()).await;
    shown_errors.insert("transport_dropped", shown(&server, &err));

    let err = list_error(&server, Reply::json(200, ok(json!([]))).truncated()).await;
    shown_errors.insert("transport_truncated_body", shown(&server, &err));

    let slow = Client::builder()
        .base_url(server.base_url())
        .api_token(TOKEN)
        .retry_policy(RetryPolicy::no_retries())
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    server.push(Reply::json(200, ok(json!([]))).delay(Duration::from_secs(5)));
    let err = slow.account(ACCOUNT).services().list().await.unwrap_err();
    shown_errors.insert("timeout", shown(&server, &err));

    let err = client_with("http://127.0.0.1:9/client/v4", RetryPolicy::no_retries())
        .account(ACCOUNT)
        .services()
        .list()
        .await
        .unwrap_err();
    shown_errors.insert("connect_refused", shown(&server, &err));

    let err = bindings.get("../etc").await.unwrap_err();
    shown_errors.insert("invalid_id", shown(&server, &err));
    let err = bindings.create("192.0.2.7/24", CDN).await.unwrap_err();
    shown_errors.insert("invalid_cidr", shown(&server, &err));
    let err = Client::builder().build().unwrap_err();
    shown_errors.insert("config", shown(&server, &err));

    server.push(Reply::json(200, ok(json!([{"id": CDN, "name": "CDN"}]))));
    let err = client
        .account(ACCOUNT)
        .services()
        .find("Spectrum")
        .await
        .unwrap_err();
    shown_errors.insert("service_not_found", shown(&server, &err));

    for text in shown_errors.values() {
        assert!(!text.contains('\n'), "not one line: {text}");
    }
    insta::assert_yaml_snapshot!("error_display", shown_errors);
}
