//! Retries of the cf-bindings wrapper's reads: per status and failure, timeouts,
//! `Retry-After`, the deadline; long waits told to `on_long_wait`; the client-side
//! rate limit. Create and delete, which may not simply be resent, are in
//! `reconcile`. All on tokio's paused clock: delays pass at once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cf_bindings::{
    Client, Error, RetryPolicy,
    wait::{LongWait, WaitReason},
};
use cf_bindings_test_server::{Reply, TestServer};
use serde_json::json;

use crate::common::*;

/// Each reply in `first`, answered before a listing of one binding, is retried:
/// the list succeeds on its second request.
async fn list_is_retried_after_each(first: impl IntoIterator<Item = Reply>) {
    for reply in first {
        let label = format!("{reply:?}");
        let server = serving([reply, Reply::json(200, ok(json!([base_binding()])))]).await;
        let listed = bindings(&client(&server)).list().await.unwrap();
        assert_eq!(listed.len(), 1, "{label}");
        assert_eq!(server.requests().len(), 2, "{label}");
    }
}

/// A policy whose backoff (an hour) would hang a test that waited it out.
fn hour_long_backoff() -> RetryPolicy {
    RetryPolicy::new()
        .with_base_delay(Duration::from_secs(3600))
        .with_max_delay(Duration::from_secs(3600))
}

// ---------------------------------------------------------------------------------
// Reads

#[tokio::test(start_paused = true)]
async fn reads_retry_transient_failures() {
    list_is_retried_after_each([
        Reply::json(500, failure(1050, "internal")),
        Reply::raw(502, "text/html", "<html>bad gateway</html>"),
        Reply::raw(503, "text/html", "unavailable"),
        Reply::json(408, failure(1, "request timeout")),
        Reply::json(429, failure(971, "slow down")),
        Reply::drop_connection(),
        Reply::json(200, ok(json!([]))).truncated(),
    ])
    .await;
}

#[tokio::test(start_paused = true)]
async fn reads_retry_a_2xx_they_cannot_read_or_that_says_it_failed() {
    list_is_retried_after_each([
        Reply::json(200, failure(1099, "Something went wrong")),
        Reply::raw(200, "application/json", "{\"success\":true,\"res"),
        Reply::raw(200, "application/json", ""),
        Reply::raw(200, "text/html", "<html>maintenance</html>"),
    ])
    .await;
}

#[tokio::test(start_paused = true)]
async fn reads_retry_a_timeout() {
    let server = serving([
        Reply::json(200, ok(json!([]))).delay(Duration::from_secs(5)),
        Reply::json(200, ok(json!([{"id": CDN, "name": "CDN"}]))),
    ])
    .await;
    let client = impatient_client(&server);
    let services = client.account(ACCOUNT).services().list().await.unwrap();
    assert_eq!(services.len(), 1);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn reads_never_retry_other_4xx() {
    for status in [400, 401, 403, 404, 405, 409, 422] {
        let refused = || Reply::json(status, failure(1000, "no"));
        let server = serving([
            refused(),
            refused(),
            refused(),
            Reply::json(200, ok(json!([]))),
        ])
        .await;
        let client = client(&server);
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
async fn a_final_timeout_says_how_many_attempts_over_how_long() {
    let slow = || Reply::json(200, ok(json!([]))).delay(Duration::from_secs(5));
    let server = serving([slow(), slow(), slow()]).await;
    let err = bindings(&impatient_client(&server))
        .list()
        .await
        .unwrap_err();
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
    let server = serving((0..5).map(|_| Reply::json(503, failure(1, "unavailable")))).await;
    let err = bindings(&client(&server)).list().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.requests().len(), 3);
}

/// A backoff of an hour would hang the test: the server's `retry-after-ms`
/// replaces it.
#[tokio::test(start_paused = true)]
async fn retry_after_replaces_the_backoff() {
    let server = serving([
        Reply::json(429, failure(971, "slow down")).header("retry-after-ms", "5"),
        Reply::json(503, failure(1, "busy")).header("retry-after", "0"),
        Reply::json(200, ok(json!([]))),
    ])
    .await;
    let policy = hour_long_backoff().with_deadline(None);
    bindings(&client_with(&server.base_url(), policy))
        .list()
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 3);
}

/// A `Retry-After` of an hour would hang the test: it is capped.
#[tokio::test(start_paused = true)]
async fn retry_after_is_capped() {
    let server = serving([
        Reply::json(429, failure(971, "slow down")).header("retry-after", "3600"),
        Reply::json(200, ok(json!([]))),
    ])
    .await;
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
    let server = serving([
        Reply::json(503, failure(1, "busy")),
        Reply::json(200, ok(json!([]))),
    ])
    .await;
    let policy = hour_long_backoff().with_deadline(Some(Duration::from_secs(60)));
    let err = bindings(&client_with(&server.base_url(), policy))
        .list()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.requests().len(), 1);
}

// ---------------------------------------------------------------------------------
// Long waits, told to `on_long_wait`
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
    let server = serving([
        Reply::json(429, failure(971, "slow down")).header("retry-after", "5"),
        Reply::json(429, failure(971, "slow down")).header("retry-after", "1"),
        Reply::json(200, ok(json!([]))),
    ])
    .await;
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
