//! The long waits a retry loop tells its observer before they start (over two
//! seconds), with their cause.

use std::sync::PoisonError;

use super::support::*;
use crate::client::long_wait::LongWait;
use crate::client::retry::*;

#[tokio::test(start_paused = true)]
async fn a_wait_longer_than_two_seconds_is_told_before_it_starts() {
    let (observer, told) = recording();
    let p = policy().with_max_retry_after(Duration::from_secs(60));
    let retries = Retries {
        policy: &p,
        observer: &observer,
    };
    let script = Script::new([
        Err(api(429, Some(Duration::from_secs(5)))),
        Err(api(429, Some(Duration::from_secs(1)))),
        Err(api(503, None)),
        Ok(1),
    ]);
    read(retries, Operation::ListBindings, || script.attempt())
        .await
        .unwrap_err();
    // The 5 s wait is told; the 1 s one and the 200 ms backoff are not.
    let told = told.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(
        told,
        [LongWait {
            operation: Operation::ListBindings,
            duration: Duration::from_secs(5),
            reason: WaitReason::Retry {
                cause: "rate limited by Cloudflare (HTTP 429)".to_owned(),
                retry_after: true,
                attempts_made: 1,
                max_attempts: 3,
            },
        }]
    );
    assert_eq!(script.starts(), ms(&[0, 5000, 6000]));
}

#[tokio::test(start_paused = true)]
async fn a_long_backoff_is_told_with_its_cause() {
    let (observer, told) = recording();
    let p = policy()
        .with_base_delay(Duration::from_secs(4))
        .with_max_delay(Duration::from_secs(4));
    let retries = Retries {
        policy: &p,
        observer: &observer,
    };
    let script = Script::new([Err(unreadable(200)), Ok(1)]);
    read(retries, Operation::ListServices, || script.attempt())
        .await
        .unwrap();
    let told = told.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(
        told[0].to_string(),
        "waiting 4s (backoff) to retry list services: an answer that could not be read (HTTP 200), 1 of 3 attempts made"
    );
}

/// A real error of the HTTP client: nothing listens on the discard port.
async fn refused() -> crate::error::HttpError {
    let error = reqwest::Client::new()
        .get("http://127.0.0.1:9/")
        .send()
        .await
        .expect_err("nothing listens on port 9");
    crate::error::HttpError::new(error)
}

/// The cause a long wait names, for each kind of failure the loops retry.
#[tokio::test]
async fn each_kind_of_failure_is_told_in_a_few_words() {
    let operation = Operation::ListBindings;
    let cases = [
        (
            Error::Connect {
                operation,
                source: refused().await,
            },
            "could not connect",
        ),
        (timeout(), "no answer within 1s"),
        (
            Error::Transport {
                operation,
                status: Some(200),
                source: refused().await,
            },
            "connection lost (HTTP 200)",
        ),
        (api(502, None), "server error (HTTP 502)"),
        (api(429, None), "rate limited by Cloudflare (HTTP 429)"),
        (
            unreadable(200),
            "an answer that could not be read (HTTP 200)",
        ),
        (api(200, None), "Cloudflare reported a failure (HTTP 200)"),
    ];
    for (error, told) in cases {
        let kind = crate::error::FailureKind::of(&error);
        assert_eq!(kind.describe(&error), told, "{error}");
    }
}
