//! The cf-bindings wrapper against a server that misbehaves on purpose: redirects
//! that would take the credentials elsewhere, headers and fields that echo them
//! back, and a `Retry-After` far beyond what the client waits.

use std::time::Duration;

use crate::common::*;
use cf_bindings::{Client, Error, RetryPolicy};
use cf_bindings_test_server::{Reply, TestServer};
use serde_json::json;

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

/// A proxy that puts the request's credentials into every header and field it
/// can: none of it reaches a result, an error or its `Debug`.
#[tokio::test]
async fn every_server_text_echoing_the_credentials_is_masked() {
    let server = TestServer::start().await;
    for (auth, client) in clients(&server) {
        let echo = match auth {
            "token" => format!("Bearer {TOKEN}"),
            _ => format!("{EMAIL} {KEY}"),
        };
        let secrets = match auth {
            "token" => vec![TOKEN],
            _ => vec![EMAIL, KEY],
        };
        let ray = format!("ray {echo}");
        let echoed = |status: u16, content_type: &str, body: String| {
            Reply::raw(status, &format!("{content_type}; {echo}"), body).header("cf-ray", &ray)
        };
        let message = json!([{"code": 1, "message": echo, "documentation_url": echo,
            "source": {"pointer": echo}}]);
        let binding = binding_json(BINDING, "192.0.2.0/24", CDN, &echo, &echo);
        let mut success = ok(json!([binding]));
        success["messages"] = message.clone();
        let mut refusal = failure(1000, &echo);
        refusal["messages"] = message.clone();
        refusal["errors"] = json!([refusal["errors"][0], message[0]]);
        let bad_cidr = binding_json(BINDING, &echo, CDN, "CDN", "active");
        // A header cut after 64 characters leaves the start of a secret.
        let long_ray = format!("{}{echo}", "r".repeat(60));
        let json = "application/json";
        server.push(echoed(200, json, success.to_string()));
        server.push(echoed(400, json, refusal.to_string()));
        server.push(echoed(403, "text/html", format!("<pre>{echo}</pre>")));
        server.push(echoed(200, json, ok(json!([bad_cidr])).to_string()));
        server.push(
            Reply::raw(307, "text/html", "")
                .header(
                    "location",
                    &format!("http://{}.example/", secrets[secrets.len() - 1]),
                )
                .header("cf-ray", &long_ray),
        );
        let services = ok(json!([{"id": CDN, "name": echo}]));
        server.push(echoed(200, json, services.to_string()));

        let bindings = client.account(ACCOUNT).prefix(PREFIX).bindings();
        let listed = bindings.list().await.unwrap();
        let mut shown = vec![
            format!("{listed:?}"),
            serde_json::to_string(&listed.result).unwrap(),
        ];
        for _ in 0..4 {
            let err = bindings.list().await.unwrap_err();
            shown.push(format!("{err} {err:?}"));
        }
        let services = client.account(ACCOUNT).services().list().await.unwrap();
        shown.push(format!("{services:?}"));
        for text in shown {
            assert!(text.contains("[redacted]"), "{auth}: {text}");
            for secret in &secrets {
                for part in [*secret, &secret.to_ascii_lowercase(), &secret[..8]] {
                    assert!(!text.contains(part), "{auth}: {part} in {text}");
                }
            }
        }
    }
}

/// A `Retry-After` of 31,688 years is waited as the policy caps it, and said so.
#[tokio::test(start_paused = true)]
async fn the_retry_after_shown_is_the_one_waited() {
    let server = TestServer::start().await;
    let refusal =
        || Reply::json(429, failure(971, "Please wait")).header("retry-after", "1000000000000");
    server.push(refusal());
    let err = client_with(&server.base_url(), RetryPolicy::no_retries())
        .account(ACCOUNT)
        .services()
        .list()
        .await
        .unwrap_err();
    assert_eq!(
        err.retry_after(),
        Some(Duration::from_secs(1_000_000_000_000))
    );
    assert!(
        err.to_string().ends_with(
            " (retry after 1m 0s: the server asked for 277777777h 46m 40s, capped) (cf-ray 8c2f0000test-EMU)"
        ),
        "{err}"
    );
    // Retried twice, 20 ms apart (fast_retry's cap), then the last error says so.
    for _ in 0..3 {
        server.push(refusal());
    }
    let start = tokio::time::Instant::now();
    let err = client(&server)
        .account(ACCOUNT)
        .services()
        .list()
        .await
        .unwrap_err();
    assert_eq!(start.elapsed(), Duration::from_millis(40));
    assert!(
        err.to_string()
            .contains(" (retry after 20ms: the server asked for 277777777h 46m 40s, capped)"),
        "{err}"
    );
}

/// Every text from the server is cut: headers, messages, result fields, errors.
#[tokio::test]
async fn every_server_text_is_cut() {
    let server = TestServer::start().await;
    let client = client_with(&server.base_url(), RetryPolicy::no_retries());
    let long = "x".repeat(10_000);
    let length = |text: &str| text.chars().count();
    let mut body = ok(json!([binding_json(
        BINDING,
        "192.0.2.0/24",
        CDN,
        &long,
        &long
    )]));
    body["messages"] = json!([{"code": 1, "message": long}]);
    server.push(Reply::raw(200, "application/json", body.to_string()).header("cf-ray", &long));
    let listed = client
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .list()
        .await
        .unwrap();
    assert_eq!(length(&listed[0].service_name), 101);
    assert_eq!(length(listed[0].state.as_str()), 101);
    assert_eq!(length(&listed.messages[0].message), 501);
    assert_eq!(listed.cf_ray.as_deref().map(length), Some(65));

    server.push(Reply::json(200, ok(json!([{"id": CDN, "name": long}]))));
    let services = client.account(ACCOUNT).services().list().await.unwrap();
    assert_eq!(length(&services[0].name), 101);

    // A thousand long errors (1 MB), and a long content type: one bounded line.
    let message = &long[..1000];
    let errors: Vec<_> = (0..1000)
        .map(|i| json!({"code": i, "message": message}))
        .collect();
    let refusal = json!({"success": false, "errors": errors, "messages": []});
    server.push(Reply::raw(400, &long, refusal.to_string()).header("cf-ray", &long));
    let err = client.account(ACCOUNT).services().list().await.unwrap_err();
    assert_eq!(err.api_errors().len(), 1000, "{err:?}");
    let shown = err.to_string();
    assert!(shown.len() < 3_000, "{} bytes", shown.len());
    assert!(shown.contains("; and 995 more errors"), "{shown}");
    server.push(Reply::raw(502, &long, long.clone()).header("cf-ray", &long));
    let err = client.account(ACCOUNT).services().list().await.unwrap_err();
    assert!(err.to_string().len() < 500, "{err}");
}
