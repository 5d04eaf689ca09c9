//! The loop of a read: retries with growing delays up to the attempt count, what
//! it never retries, Retry-After, and the deadline.

use std::cell::RefCell;

use super::support::*;
use crate::client::retry::*;

#[tokio::test(start_paused = true)]
async fn a_read_retries_with_growing_delays_up_to_the_attempt_count() {
    let script = Script::<u32>::new([]);
    let p = policy().with_max_attempts(6);
    let error = read(quiet(&p), Operation::ListBindings, || script.attempt())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(script.starts(), ms(&[0, 100, 300, 700, 1500, 2500]));
}

#[tokio::test(start_paused = true)]
async fn a_read_returns_the_first_success() {
    let script = Script::new([Err(timeout()), Ok(7)]);
    let p = policy();
    let value = read(quiet(&p), Operation::ListBindings, || script.attempt())
        .await
        .unwrap();
    assert_eq!(value, 7);
    assert_eq!(script.starts(), ms(&[0, 100]));
}

#[tokio::test(start_paused = true)]
async fn a_read_retries_an_answer_it_could_not_read_or_that_says_it_failed() {
    for failure in [unreadable(200), api(200, None), api(502, None)] {
        let label = failure.to_string();
        let script = Script::new([Err(failure), Ok(7)]);
        let p = policy();
        let value = read(quiet(&p), Operation::ListServices, || script.attempt())
            .await
            .unwrap();
        assert_eq!(value, 7, "{label}");
        assert_eq!(script.starts(), ms(&[0, 100]), "{label}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_read_never_retries_what_would_come_back_the_same() {
    for failure in [
        api(400, None),
        api(404, None),
        misfit(),
        too_large(Some(200)),
    ] {
        let label = failure.to_string();
        let script = Script::<u32>::new([Err(failure)]);
        let p = policy();
        read(quiet(&p), Operation::GetBinding, || script.attempt())
            .await
            .unwrap_err();
        assert_eq!(script.starts(), ms(&[0]), "{label}");
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_replaces_the_backoff_and_is_capped() {
    let p = policy().with_max_retry_after(Duration::from_secs(10));
    let script = Script::new([
        Err(api(429, Some(Duration::from_secs(2)))),
        Err(api(429, Some(Duration::from_secs(300)))),
        Ok(1),
    ]);
    read(quiet(&p), Operation::ListBindings, || script.attempt())
        .await
        .unwrap();
    assert_eq!(script.starts(), ms(&[0, 2000, 12_000]));
}

#[tokio::test(start_paused = true)]
async fn no_retry_starts_past_the_deadline() {
    // Attempts at 0, 100 and 300 ms: the third ends its delay exactly at the
    // deadline (allowed); a fourth would start at 700 ms.
    let p = policy().with_max_attempts(10).with_deadline(Some(300 * MS));
    let script = Script::<u32>::new([]);
    read(quiet(&p), Operation::ListBindings, || script.attempt())
        .await
        .unwrap_err();
    assert_eq!(script.starts(), ms(&[0, 100, 300]));

    let p = p.with_deadline(Some(299 * MS));
    let script = Script::<u32>::new([]);
    read(quiet(&p), Operation::ListBindings, || script.attempt())
        .await
        .unwrap_err();
    assert_eq!(script.starts(), ms(&[0, 100]));
}

/// Attempts that each time out after 1 s.
fn timing_out(starts: &RefCell<u32>) -> impl Future<Output = Result<(), Error>> + use<> {
    *starts.borrow_mut() += 1;
    assert!(*starts.borrow() <= 50, "runaway retry loop");
    async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        Err(timeout())
    }
}

#[tokio::test(start_paused = true)]
async fn the_deadline_counts_the_time_attempts_take() {
    // Each attempt takes 1 s: the second would start at 1.1 s, past 1 s.
    let p = policy().with_deadline(Some(Duration::from_secs(1)));
    let starts = RefCell::new(0);
    let origin = Instant::now();
    read(quiet(&p), Operation::ListBindings, || timing_out(&starts))
        .await
        .unwrap_err();
    assert_eq!(*starts.borrow(), 1);
    assert_eq!(origin.elapsed(), Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_final_timeout_says_how_many_attempts_over_how_long() {
    let p = policy();
    let starts = RefCell::new(0);
    let error = read(quiet(&p), Operation::ListBindings, || timing_out(&starts))
        .await
        .unwrap_err();
    // 1 s, 100 ms, 1 s, 200 ms, 1 s.
    let Error::Timeout {
        attempts, elapsed, ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!((*attempts, *elapsed), (3, 3300 * MS));
    assert_eq!(
        error.to_string(),
        "list service bindings: timed out after 3 attempts over 3.3s (each request limited to 1s)"
    );

    let p = RetryPolicy::no_retries();
    let starts = RefCell::new(0);
    let error = read(quiet(&p), Operation::ListBindings, || timing_out(&starts))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "list service bindings: timed out after 1s"
    );
}
