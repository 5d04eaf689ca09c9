//! Retries of the cf-bindings wrapper: per method and status, `Retry-After`, the
//! deadline, timeouts, create reconciliation and delete-404, over HTTP (a scripted
//! local server, and the emulator for faults after a commit).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cf_bindings::{
    Client, Error, RetryPolicy,
    wait::{LongWait, WaitReason},
};
use cf_bindings_emulator::{
    CDN_SERVICE_ID, DEFAULT_API_TOKEN, DEMO_ACCOUNT_ID, DEMO_IPV4_PREFIX_ID, Emulator,
    EmulatorConfig, RunningEmulator,
};
use cf_bindings_tests::{Reply, TestServer};
use common::*;
use serde_json::{Value, json};

fn bindings(client: &Client) -> cf_bindings::Bindings {
    client.account(ACCOUNT).prefix(PREFIX).bindings()
}

fn get_path() -> String {
    format!("GET {}", bindings_path())
}

fn post_path() -> String {
    format!("POST {}", bindings_path())
}

// ---------------------------------------------------------------------------------
// Reads

#[tokio::test(start_paused = true)]
async fn reads_retry_transient_failures() {
    let transient = [
        Reply::json(500, failure(1050, "internal")),
        Reply::raw(502, "text/html", "<html>bad gateway</html>"),
        Reply::raw(503, "text/html", "unavailable"),
        Reply::json(408, failure(1, "request timeout")),
        Reply::json(429, failure(971, "slow down")),
        Reply::drop_connection(),
        Reply::json(200, ok(json!([]))).truncated(),
    ];
    for reply in transient {
        let server = TestServer::start().await;
        let label = format!("{reply:?}");
        server.push(reply);
        server.push(Reply::json(200, ok(json!([base_binding()]))));
        let listed = bindings(&client(&server)).list().await.unwrap();
        assert_eq!(listed.len(), 1, "{label}");
        assert_eq!(server.requests().len(), 2, "{label}");
    }
}

#[tokio::test(start_paused = true)]
async fn reads_retry_a_timeout() {
    let server = TestServer::start().await;
    server.push(Reply::json(200, ok(json!([]))).delay(Duration::from_secs(5)));
    server.push(Reply::json(200, ok(json!([{"id": CDN, "name": "CDN"}]))));
    let client = Client::builder()
        .base_url(server.base_url())
        .api_token(TOKEN)
        .retry_policy(fast_retry())
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let services = client.account(ACCOUNT).services().list().await.unwrap();
    assert_eq!(services.len(), 1);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn reads_never_retry_other_4xx() {
    for status in [400, 401, 403, 404, 405, 409, 422] {
        let server = TestServer::start().await;
        let client = client(&server);
        for _ in 0..3 {
            server.push(Reply::json(status, failure(1000, "no")));
        }
        server.push(Reply::json(200, ok(json!([]))));
        let errors = [
            bindings(&client).get(BINDING).await.unwrap_err(),
            bindings(&client).list().await.unwrap_err(),
            client.account(ACCOUNT).services().list().await.unwrap_err(),
        ];
        for err in errors {
            assert_eq!(err.status(), Some(status), "{err}");
        }
        assert_eq!(server.requests().len(), 3, "HTTP {status} was retried");
    }
}

#[tokio::test(start_paused = true)]
async fn reads_retry_a_2xx_they_cannot_read_or_that_says_it_failed() {
    let answers = [
        Reply::json(200, failure(1099, "Something went wrong")),
        Reply::raw(200, "application/json", "{\"success\":true,\"res"),
        Reply::raw(200, "application/json", ""),
        Reply::raw(200, "text/html", "<html>maintenance</html>"),
    ];
    for reply in answers {
        let server = TestServer::start().await;
        let label = format!("{reply:?}");
        server.push(reply);
        server.push(Reply::json(200, ok(json!([base_binding()]))));
        let listed = bindings(&client(&server)).list().await.unwrap();
        assert_eq!(listed.len(), 1, "{label}");
        assert_eq!(server.requests().len(), 2, "{label}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_final_timeout_says_how_many_attempts_over_how_long() {
    let server = TestServer::start().await;
    for _ in 0..3 {
        server.push(Reply::json(200, ok(json!([]))).delay(Duration::from_secs(5)));
    }
    let client = Client::builder()
        .base_url(server.base_url())
        .api_token(TOKEN)
        .retry_policy(fast_retry())
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let err = bindings(&client).list().await.unwrap_err();
    let Error::Timeout {
        attempts, elapsed, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*attempts, 3);
    // Three timeouts of 150 ms and two backoffs of at least 1 and 2 ms.
    assert!(*elapsed >= Duration::from_millis(453), "{elapsed:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("list service bindings: timed out after 3 attempts over ")
            && text.ends_with(" (each request limited to 150ms)"),
        "{text}"
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn reads_stop_after_max_attempts() {
    let server = TestServer::start().await;
    for _ in 0..5 {
        server.push(Reply::json(503, failure(1, "unavailable")));
    }
    let err = bindings(&client(&server)).list().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.requests().len(), 3);
}

/// A backoff of an hour would hang the test: the server's `retry-after-ms`
/// replaces it.
#[tokio::test(start_paused = true)]
async fn retry_after_replaces_the_backoff() {
    let server = TestServer::start().await;
    server.push(Reply::json(429, failure(971, "slow down")).header("retry-after-ms", "5"));
    server.push(Reply::json(503, failure(1, "busy")).header("retry-after", "0"));
    server.push(Reply::json(200, ok(json!([]))));
    let policy = RetryPolicy::new()
        .with_base_delay(Duration::from_secs(3600))
        .with_max_delay(Duration::from_secs(3600))
        .with_deadline(None);
    bindings(&client_with(&server.base_url(), policy))
        .list()
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 3);
}

/// A `Retry-After` of an hour would hang the test: it is capped.
#[tokio::test(start_paused = true)]
async fn retry_after_is_capped() {
    let server = TestServer::start().await;
    server.push(Reply::json(429, failure(971, "slow down")).header("retry-after", "3600"));
    server.push(Reply::json(200, ok(json!([]))));
    let policy = fast_retry().with_max_retry_after(Duration::from_millis(10));
    bindings(&client_with(&server.base_url(), policy))
        .list()
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 2);
}

/// No retry starts when its delay would end after the deadline.
#[tokio::test(start_paused = true)]
async fn the_deadline_stops_retries() {
    let server = TestServer::start().await;
    server.push(Reply::json(503, failure(1, "busy")));
    server.push(Reply::json(200, ok(json!([]))));
    let policy = RetryPolicy::new()
        .with_base_delay(Duration::from_secs(3600))
        .with_max_delay(Duration::from_secs(3600))
        .with_deadline(Some(Duration::from_secs(60)));
    let err = bindings(&client_with(&server.base_url(), policy))
        .list()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.requests().len(), 1);
}

// ---------------------------------------------------------------------------------
// Create

fn created() -> Reply {
    Reply::json(
        201,
        ok(binding_json(
            BINDING2,
            "192.0.2.16/29",
            CDN,
            "CDN",
            "provisioning",
        )),
    )
}

async fn create(
    server: &TestServer,
) -> Result<cf_bindings::Response<cf_bindings::ServiceBinding>, Error> {
    bindings(&client(server)).create("192.0.2.16/29", CDN).await
}

#[tokio::test(start_paused = true)]
async fn create_resends_after_429() {
    let server = TestServer::start().await;
    server.push(Reply::json(429, failure(971, "slow down")).header("retry-after", "0"));
    server.push(created());
    let binding = create(&server).await.unwrap();
    assert_eq!(binding.id.as_str(), BINDING2);
    assert_eq!(calls(&server), [post_path(), post_path()]);
}

#[tokio::test(start_paused = true)]
async fn create_never_resends_after_other_4xx() {
    for status in [400, 403, 404, 409, 422] {
        let server = TestServer::start().await;
        server.push(Reply::json(status, failure(1032, "exists")));
        let err = create(&server).await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(calls(&server), [post_path()], "HTTP {status}");
    }
}

#[tokio::test(start_paused = true)]
async fn create_connect_error_is_retried_and_reported() {
    let client = client_with("http://127.0.0.1:9/client/v4", fast_retry());
    let err = bindings(&client)
        .create("192.0.2.16/29", CDN)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn create_after_ambiguous_failure_finds_the_binding() {
    let ambiguous = [
        Reply::drop_connection(),
        Reply::json(500, failure(1050, "internal")),
        Reply::raw(502, "text/html", "<html>bad gateway</html>"),
        Reply::json(201, ok(json!({}))).truncated(),
        Reply::raw(201, "application/json", "{\"success\":true,\"res"),
    ];
    for reply in ambiguous {
        let server = TestServer::start().await;
        let label = format!("{reply:?}");
        server.push(reply);
        server.push(Reply::json(
            200,
            ok(json!([
                base_binding(),
                binding_json(BINDING2, "192.0.2.16/29", CDN, "CDN", "provisioning"),
            ])),
        ));
        let binding = create(&server).await.unwrap();
        assert_eq!(binding.id.as_str(), BINDING2, "{label}");
        assert_eq!(calls(&server), [post_path(), get_path()], "{label}");
    }
}

#[tokio::test(start_paused = true)]
async fn create_after_timeout_finds_the_binding() {
    let server = TestServer::start().await;
    server.push(created().delay(Duration::from_secs(5)));
    server.push(Reply::json(
        200,
        ok(json!([binding_json(
            BINDING2,
            "192.0.2.16/29",
            CDN,
            "CDN",
            "provisioning"
        )])),
    ));
    let client = Client::builder()
        .base_url(server.base_url())
        .api_token(TOKEN)
        .retry_policy(fast_retry())
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let binding = bindings(&client)
        .create("192.0.2.16/29", CDN)
        .await
        .unwrap();
    assert_eq!(binding.id.as_str(), BINDING2);
    assert_eq!(calls(&server), [post_path(), get_path()]);
}

#[tokio::test(start_paused = true)]
async fn create_resends_when_the_binding_is_not_there() {
    let server = TestServer::start().await;
    server.push(Reply::json(503, failure(1, "busy")));
    // Same CIDR but another service does not count.
    server.push(Reply::json(
        200,
        ok(json!([
            base_binding(),
            binding_json(
                BINDING,
                "192.0.2.16/29",
                MAGIC_TRANSIT,
                "Magic Transit",
                "active"
            ),
        ])),
    ));
    server.push(created());
    let binding = create(&server).await.unwrap();
    assert_eq!(binding.id.as_str(), BINDING2);
    assert_eq!(calls(&server), [post_path(), get_path(), post_path()]);
}

#[tokio::test(start_paused = true)]
async fn create_does_not_resend_when_it_cannot_tell() {
    let server = TestServer::start().await;
    server.push(Reply::drop_connection());
    server.push(Reply::json(403, failure(10000, "Authentication error")));
    let err = create(&server).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    let Error::OutcomeUnknown { cause, check, .. } = &err else {
        unreachable!("checked above")
    };
    assert!(matches!(**cause, Error::Transport { .. }), "{cause:?}");
    assert_eq!(check.as_ref().and_then(|c| c.status()), Some(403));
    let text = err.to_string();
    assert!(
        text.starts_with(
            "create service binding: outcome unknown: the binding may or may not have been created"
        ) && text.contains("checking failed"),
        "{text}"
    );
    assert_eq!(calls(&server), [post_path(), get_path()]);
}

#[tokio::test(start_paused = true)]
async fn create_gives_up_after_max_attempts() {
    let server = TestServer::start().await;
    for _ in 0..3 {
        server.push(Reply::json(502, failure(1, "bad gateway")));
        server.push(Reply::json(200, ok(json!([base_binding()]))));
    }
    let err = create(&server).await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    let (p, g) = (post_path(), get_path());
    assert_eq!(calls(&server), [&*p, &*g, &*p, &*g, &*p, &*g]);
}

// ---------------------------------------------------------------------------------
// Delete

fn deleted() -> Reply {
    Reply::json(200, json!({"success": true, "errors": [], "messages": []}))
}

async fn delete(server: &TestServer) -> Result<cf_bindings::Response<()>, Error> {
    bindings(&client(server)).delete(BINDING2).await
}

/// The prefix's bindings as listed, with `BINDING2` (the one deleted) or without.
fn listed(with_binding2: bool) -> Reply {
    let mut bindings = vec![base_binding()];
    if with_binding2 {
        bindings.push(binding_json(
            BINDING2,
            "192.0.2.16/29",
            CDN,
            "CDN",
            "active",
        ));
    }
    Reply::json(200, ok(json!(bindings)))
}

fn delete_path() -> String {
    format!("DELETE {}/{BINDING2}", bindings_path())
}

#[tokio::test(start_paused = true)]
async fn delete_in_doubt_is_done_when_the_listing_no_longer_has_the_binding() {
    let in_doubt = [
        Reply::drop_connection(),
        Reply::json(500, failure(1050, "internal")),
        Reply::raw(502, "text/html", "<html>bad gateway</html>"),
        // The body cut short: the connection closes before `content-length`.
        Reply::json(200, json!({"success": true, "errors": [], "messages": []})).truncated(),
        // A whole body that is not the envelope: truncated JSON, or not JSON.
        Reply::raw(200, "application/json", "{\"success\":true,\"err"),
        Reply::raw(200, "application/json", "<html>ok</html>"),
        Reply::json(200, failure(1099, "Something went wrong")),
    ];
    for reply in in_doubt {
        let server = TestServer::start().await;
        let label = format!("{reply:?}");
        server.push(reply);
        server.push(listed(false));
        let done = delete(&server).await.unwrap();
        assert_eq!(done.status, 200, "{label}");
        assert_eq!(calls(&server), [delete_path(), get_path()], "{label}");
    }
}

#[tokio::test(start_paused = true)]
async fn delete_in_doubt_is_sent_again_when_the_listing_still_has_the_binding() {
    let server = TestServer::start().await;
    server.push(Reply::raw(503, "text/html", "unavailable"));
    server.push(listed(true));
    server.push(deleted());
    assert_eq!(delete(&server).await.unwrap().status, 200);
    assert_eq!(calls(&server), [delete_path(), get_path(), delete_path()]);

    // A 404 to the second DELETE: gone since the listing, which tells again.
    let server = TestServer::start().await;
    server.push(Reply::drop_connection());
    server.push(listed(true));
    server.push(Reply::json(404, failure(1003, "Service binding not found")));
    server.push(listed(false));
    assert_eq!(delete(&server).await.unwrap().status, 200);
    let (d, g) = (delete_path(), get_path());
    assert_eq!(calls(&server), [&*d, &*g, &*d, &*g]);
}

#[tokio::test(start_paused = true)]
async fn delete_404_on_the_first_attempt_is_an_error() {
    let server = TestServer::start().await;
    server.push(Reply::json(404, failure(1003, "Service binding not found")));
    let err = delete(&server).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn delete_404_after_a_429_is_an_error() {
    let server = TestServer::start().await;
    server.push(Reply::json(429, failure(971, "slow down")).header("retry-after", "0"));
    server.push(Reply::json(404, failure(1003, "Service binding not found")));
    let err = delete(&server).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn delete_whose_outcome_cannot_be_established_says_so() {
    // The answer is lost, and so is the listing that would tell.
    let server = TestServer::start().await;
    server
        .push(Reply::json(200, json!({"success": true, "errors": [], "messages": []})).truncated());
    server.push(Reply::json(403, failure(10000, "Authentication error")));
    let err = delete(&server).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    let Error::OutcomeUnknown { cause, check, .. } = &err else {
        unreachable!("checked above")
    };
    assert_eq!(cause.status(), Some(200));
    assert_eq!(check.as_ref().and_then(|c| c.status()), Some(403));
    assert!(
        err.to_string().starts_with(
            "delete service binding: outcome unknown: the binding may or may not have been deleted"
        ),
        "{err}"
    );
    assert_eq!(calls(&server), [delete_path(), get_path()]);
}

#[tokio::test(start_paused = true)]
async fn delete_the_listing_shows_undone_after_every_attempt_is_a_plain_error() {
    let server = TestServer::start().await;
    for _ in 0..3 {
        server.push(Reply::drop_connection());
        server.push(listed(true));
    }
    let err = delete(&server).await.unwrap_err();
    assert!(!err.is_outcome_unknown(), "{err:?}");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.requests().len(), 6);
}

#[tokio::test(start_paused = true)]
async fn delete_refused_before_any_ambiguous_attempt_is_a_plain_error() {
    let server = TestServer::start().await;
    for _ in 0..3 {
        server.push(Reply::json(429, failure(971, "slow down")).header("retry-after", "0"));
    }
    let err = delete(&server).await.unwrap_err();
    assert!(
        !err.is_outcome_unknown() && err.is_rate_limited(),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 3);
}

// ---------------------------------------------------------------------------------
// Against the emulator: the server commits, then drops the connection

async fn emulator() -> RunningEmulator {
    Emulator::start(EmulatorConfig {
        faults: true,
        provisioning_delay: Duration::ZERO,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator starts")
}

async fn inject(running: &RunningEmulator, faults: Value) {
    let response = reqwest::Client::new()
        .post(format!("http://{}/__emulator/faults", running.local_addr()))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
}

fn emulator_bindings(running: &RunningEmulator) -> cf_bindings::Bindings {
    Client::builder()
        .base_url(running.base_url())
        .api_token(DEFAULT_API_TOKEN)
        .retry_policy(fast_retry())
        .build()
        .unwrap()
        .account(DEMO_ACCOUNT_ID)
        .prefix(DEMO_IPV4_PREFIX_ID)
        .bindings()
}

#[tokio::test(start_paused = true)]
async fn emulator_create_dropped_after_commit_makes_exactly_one_binding() {
    let running = emulator().await;
    inject(&running, json!({"create": [{"kind": "drop_after_commit"}]})).await;
    let bindings = emulator_bindings(&running);
    let created = bindings
        .create("203.0.113.16/29", CDN_SERVICE_ID)
        .await
        .unwrap();
    assert_eq!(created.cidr.to_string(), "203.0.113.16/29");
    let all = bindings.list().await.unwrap();
    let same: Vec<_> = all.iter().filter(|b| b.cidr == created.cidr).collect();
    assert_eq!(same.len(), 1, "{all:?}");
    assert_eq!(same[0].id, created.id);
    running.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn emulator_create_dropped_before_commit_is_resent_once() {
    let running = emulator().await;
    inject(
        &running,
        json!({"create": [{"kind": "drop_before_commit"}, {"kind": "http_error", "status": 503}]}),
    )
    .await;
    let bindings = emulator_bindings(&running);
    let created = bindings
        .create("203.0.113.16/29", CDN_SERVICE_ID)
        .await
        .unwrap();
    let all = bindings.list().await.unwrap();
    assert_eq!(
        all.iter().filter(|b| b.cidr == created.cidr).count(),
        1,
        "{all:?}"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn emulator_delete_dropped_after_commit_is_done() {
    let running = emulator().await;
    let bindings = emulator_bindings(&running);
    let created = bindings
        .create("203.0.113.16/29", CDN_SERVICE_ID)
        .await
        .unwrap();
    inject(&running, json!({"delete": [{"kind": "drop_after_commit"}]})).await;
    let done = bindings.delete(&created.id).await.unwrap();
    assert_eq!(done.status, 200, "the listing's");
    assert!(bindings.get(&created.id).await.unwrap_err().is_not_found());
    running.shutdown().await.unwrap();
}

/// A delete the server made, answered 200 with its body cut in half.
#[tokio::test(start_paused = true)]
async fn emulator_delete_answered_with_a_truncated_body_is_done() {
    let running = emulator().await;
    let bindings = emulator_bindings(&running);
    let created = bindings
        .create("203.0.113.16/29", CDN_SERVICE_ID)
        .await
        .unwrap();
    inject(&running, json!({"delete": [{"kind": "truncated_json"}]})).await;
    bindings.delete(&created.id).await.unwrap();
    let all = bindings.list().await.unwrap();
    assert!(all.iter().all(|b| b.id != created.id), "{all:?}");
    running.shutdown().await.unwrap();
}

/// The same, and every attempt of the listing that would tell fails.
#[tokio::test(start_paused = true)]
async fn emulator_delete_truncated_whose_listing_fails_is_unknown() {
    let running = emulator().await;
    let bindings = emulator_bindings(&running);
    let created = bindings
        .create("203.0.113.16/29", CDN_SERVICE_ID)
        .await
        .unwrap();
    let down = json!({"kind": "http_error", "status": 503});
    inject(
        &running,
        json!({"delete": [{"kind": "truncated_json"}], "list": [down, down, down]}),
    )
    .await;
    let err = bindings.delete(&created.id).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    let Error::OutcomeUnknown { check, .. } = &err else {
        unreachable!("checked above")
    };
    assert_eq!(check.as_ref().and_then(|c| c.status()), Some(503));
    // It was made: the answer was lost, not the delete.
    assert!(bindings.get(&created.id).await.unwrap_err().is_not_found());
    running.shutdown().await.unwrap();
}

/// A create answered 200 with `success: false` was not made, as the listing shows:
/// it is sent again, and makes one binding.
#[tokio::test(start_paused = true)]
async fn emulator_create_answered_unsuccessful_is_checked_then_made_once() {
    let running = emulator().await;
    inject(&running, json!({"create": [{"kind": "unsuccessful"}]})).await;
    let bindings = emulator_bindings(&running);
    let created = bindings
        .create("203.0.113.16/29", CDN_SERVICE_ID)
        .await
        .unwrap();
    let all = bindings.list().await.unwrap();
    assert_eq!(
        all.iter().filter(|b| b.cidr == created.cidr).count(),
        1,
        "{all:?}"
    );
    running.shutdown().await.unwrap();
}

/// Each read, answered once with a truncated body, a malformed one, a 200 with
/// `success: false`, an HTML 502 or a dropped connection, is retried and succeeds.
#[tokio::test(start_paused = true)]
async fn emulator_reads_answered_badly_once_are_retried() {
    let faults = [
        json!({"kind": "truncated_json"}),
        json!({"kind": "malformed_json"}),
        json!({"kind": "unsuccessful"}),
        json!({"kind": "http_error"}),
        json!({"kind": "drop_before_commit"}),
    ];
    for fault in faults {
        let running = emulator().await;
        let bindings = emulator_bindings(&running);
        let created = bindings
            .create("203.0.113.16/29", CDN_SERVICE_ID)
            .await
            .unwrap();
        inject(
            &running,
            json!({"list": [fault], "get": [fault], "list_services": [fault]}),
        )
        .await;
        let listed = bindings.list().await.unwrap();
        assert!(listed.iter().any(|b| b.id == created.id), "{fault}");
        let got = bindings.get(&created.id).await.unwrap();
        assert_eq!(got.cidr, created.cidr, "{fault}");
        let services = Client::builder()
            .base_url(running.base_url())
            .api_token(DEFAULT_API_TOKEN)
            .retry_policy(fast_retry())
            .build()
            .unwrap()
            .account(DEMO_ACCOUNT_ID)
            .services()
            .list()
            .await
            .unwrap();
        assert!(!services.is_empty(), "{fault}");
        running.shutdown().await.unwrap();
    }
}

// ---------------------------------------------------------------------------------
// Long waits, told to `on_long_wait`

/// A client of `server` with `policy` that keeps every long wait it is told.
fn recording_client(
    server: &TestServer,
    policy: RetryPolicy,
    rate: Option<f64>,
) -> (Client, Arc<Mutex<Vec<LongWait>>>) {
    let told = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&told);
    let client = Client::builder()
        .base_url(server.base_url())
        .api_token(TOKEN)
        .retry_policy(policy)
        .rate_limit(rate)
        .on_long_wait(move |wait| sink.lock().unwrap().push(wait.clone()))
        .build()
        .unwrap();
    (client, told)
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_of_five_seconds_is_told_and_one_of_one_second_is_not() {
    let server = TestServer::start().await;
    server.push(Reply::json(429, failure(971, "slow down")).header("retry-after", "5"));
    server.push(Reply::json(429, failure(971, "slow down")).header("retry-after", "1"));
    server.push(Reply::json(200, ok(json!([]))));
    let policy = RetryPolicy::new()
        .with_max_attempts(3)
        .with_max_retry_after(Duration::from_secs(60));
    let (client, told) = recording_client(&server, policy, None);
    let start = tokio::time::Instant::now();
    bindings(&client).list().await.unwrap();
    assert!(start.elapsed() >= Duration::from_secs(6));
    let told = told.lock().unwrap().clone();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(
        told[0].operation,
        cf_bindings::error::Operation::ListBindings
    );
    assert_eq!(told[0].duration, Duration::from_secs(5));
    assert_eq!(
        told[0].reason,
        WaitReason::Retry {
            cause: "rate limited by Cloudflare (HTTP 429)".to_owned(),
            retry_after: true,
            attempts_made: 1,
            max_attempts: 3,
        }
    );
    assert_eq!(
        told[0].to_string(),
        "waiting 5s (Retry-After) to retry list service bindings: rate limited by Cloudflare (HTTP 429), 1 of 3 attempts made"
    );
}

#[tokio::test(start_paused = true)]
async fn a_long_wait_for_the_rate_limit_is_told() {
    let server = TestServer::start().await;
    for _ in 0..2 {
        server.push(Reply::json(200, ok(json!([]))));
    }
    let (client, told) = recording_client(&server, fast_retry(), Some(0.2));
    bindings(&client).list().await.unwrap();
    assert!(told.lock().unwrap().is_empty(), "the first slot is free");
    bindings(&client).list().await.unwrap();
    let told = told.lock().unwrap().clone();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(
        told[0].reason,
        WaitReason::RateLimit {
            interval: Duration::from_secs(5)
        }
    );
    assert!(
        told[0].duration > Duration::from_millis(4900)
            && told[0].duration <= Duration::from_secs(5),
        "{told:?}"
    );
}

// ---------------------------------------------------------------------------------
// Client-side rate limit

#[tokio::test(start_paused = true)]
async fn the_rate_limit_spaces_every_attempt_of_a_client_and_its_clones() {
    let server = TestServer::start().await;
    let client = Client::builder()
        .base_url(server.base_url())
        .api_token(TOKEN)
        .retry_policy(fast_retry())
        .rate_limit(Some(2.0))
        .build()
        .unwrap();
    assert_eq!(client.rate_limit(), Some(2.0));
    server.push(Reply::json(503, failure(1050, "unavailable")));
    for _ in 0..3 {
        server.push(Reply::json(200, ok(json!([]))));
    }
    let start = tokio::time::Instant::now();
    let mut ends = Vec::new();
    // The first list is retried: its second attempt waits for the next slot too.
    bindings(&client).list().await.unwrap();
    ends.push(start.elapsed());
    bindings(&client).list().await.unwrap();
    ends.push(start.elapsed());
    let clone = client.clone();
    clone
        .account(ACCOUNT)
        .prefix(PREFIX)
        .bindings()
        .list()
        .await
        .unwrap();
    ends.push(start.elapsed());
    assert_eq!(
        ends,
        [500, 1000, 1500].map(Duration::from_millis).to_vec(),
        "requests leave 1 / rate apart"
    );
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn without_a_rate_limit_requests_do_not_wait() {
    let server = TestServer::start().await;
    let client = client(&server);
    assert_eq!(client.rate_limit(), None);
    for _ in 0..3 {
        server.push(Reply::json(200, ok(json!([]))));
    }
    let start = tokio::time::Instant::now();
    for _ in 0..3 {
        bindings(&client).list().await.unwrap();
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[test]
fn a_rate_that_is_not_a_finite_number_above_zero_is_refused() {
    for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let error = Client::builder()
            .api_token(TOKEN)
            .rate_limit(Some(rate))
            .build()
            .unwrap_err();
        let Error::Config(config) = &error else {
            panic!("{error:?}")
        };
        assert!(config.message().contains("rate limit"), "{error}");
    }
}
