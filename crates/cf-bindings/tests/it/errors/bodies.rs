//! Bodies too large, cut short or not fitting the schema, unknown values kept,
//! and transport failures kept apart.

use super::*;

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
