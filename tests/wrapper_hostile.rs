//! The cf-bindings wrapper against a server that misbehaves on purpose: redirects
//! that would take the credentials elsewhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use cf_bindings::{Client, Error, RetryPolicy};
use cf_bindings_tests::{Reply, TestServer};
use common::*;

/// The email and key of the global-API-key client; they must never be sent
/// elsewhere nor printed.
const EMAIL: &str = "ops-secret@example.com";
const KEY: &str = "GLOBALKEY-9f8e7d6c5b4a";

/// A token client and a global-API-key client of `server`, both with retries.
fn clients(server: &TestServer) -> [(&'static str, Client); 2] {
    let key = Client::builder()
        .base_url(server.base_url())
        .api_key(EMAIL, KEY)
        .retry_policy(fast_retry())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    [("token", client(server)), ("email and key", key)]
}

/// Runs one operation of each kind; `Ok` holds nothing of interest.
async fn each_operation(client: &Client) -> Vec<(&'static str, Result<(), Error>)> {
    let bindings = client.account(ACCOUNT).prefix(PREFIX).bindings();
    vec![
        ("list", bindings.list().await.map(|_| ())),
        ("get", bindings.get(BINDING).await.map(|_| ())),
        (
            "create",
            bindings.create("192.0.2.0/24", CDN).await.map(|_| ()),
        ),
        ("delete", bindings.delete(BINDING).await.map(|_| ())),
        (
            "services",
            client.account(ACCOUNT).services().list().await.map(|_| ()),
        ),
    ]
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_takes_no_credential_elsewhere() {
    let server = TestServer::start().await;
    // Where the redirects point: it must never hear from the client.
    let elsewhere = TestServer::start().await;
    let port = elsewhere.addr().port();
    let location = format!("http://127.0.0.1:{port}/client/v4/moved?token=hunter2query");
    for (auth, client) in clients(&server) {
        for status in [301, 302, 303, 307, 308] {
            for _ in 0..5 {
                server.push(
                    Reply::raw(status, "text/html", "<a href=x>moved</a>")
                        .header("location", &location)
                        .header("cf-ray", "8c2f-REDIRECT"),
                );
            }
            let before = server.requests().len();
            for (operation, result) in each_operation(&client).await {
                let what = format!("{auth}, {operation}, HTTP {status}");
                let err = result.expect_err(&what);
                let Error::Redirected {
                    status: seen,
                    location,
                    ..
                } = &err
                else {
                    panic!("{what}: {err:?}")
                };
                assert_eq!(*seen, status, "{what}");
                assert_eq!(
                    location.as_deref(),
                    Some(format!("http://127.0.0.1:{port}").as_str()),
                    "{what}"
                );
                assert_eq!(err.status(), Some(status), "{what}");
                assert_eq!(err.cf_ray(), Some("8c2f-REDIRECT"), "{what}");
                // The server did not act: not retried, not in doubt.
                assert!(!err.is_retryable(), "{what}");
                assert!(!err.is_outcome_unknown(), "{what}");
                let shown = err.to_string();
                assert!(
                    shown.contains(&format!(
                        "HTTP {status}: redirected to http://127.0.0.1:{port}, not followed"
                    )),
                    "{what}: {shown}"
                );
                for hidden in ["hunter2query", "/moved", "?token"] {
                    assert!(!shown.contains(hidden), "{what}: {shown}");
                    assert!(!format!("{err:?}").contains(hidden), "{what}: {err:?}");
                }
            }
            // One request per operation: no retry, no list to reconcile a create.
            assert_eq!(server.requests().len() - before, 5, "{auth}, HTTP {status}");
        }
    }
    assert!(
        elsewhere.requests().is_empty(),
        "a redirect was followed: {:?}",
        elsewhere.requests()
    );
    for request in server.requests() {
        assert!(!request.headers.contains_key("referer"), "{request:?}");
    }
}

#[tokio::test]
async fn a_redirect_without_a_usable_location_says_so() {
    let server = TestServer::start().await;
    let client = client_with(&server.base_url(), RetryPolicy::no_retries());
    for location in [
        None,
        Some("/client/v4/moved?token=hunter2query"),
        Some("::"),
    ] {
        let mut reply = Reply::raw(302, "text/plain", "");
        if let Some(location) = location {
            reply = reply.header("location", location);
        }
        server.push(reply);
        let err = client.account(ACCOUNT).services().list().await.unwrap_err();
        assert!(
            matches!(err, Error::Redirected { location: None, .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "list services: HTTP 302: a redirect, not followed (Cloudflare's API never redirects: check the base URL)"
        );
    }
}
