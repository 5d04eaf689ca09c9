//! The retry loops on tokio's paused clock: every delay is checked to the
//! millisecond, and a wrong one fails at once instead of taking its real time.
#![allow(clippy::unwrap_used)]

use std::{cell::RefCell, collections::VecDeque};

use super::*;
use crate::failure::ApiError;

const MS: Duration = Duration::from_millis(1);

/// An API error with `status`, and the delay the server asked for.
fn api(status: u16, retry_after: Option<Duration>) -> Error {
    Error::Api(Box::new(ApiError {
        operation: Operation::ListBindings,
        status,
        errors: Vec::new(),
        messages: Vec::new(),
        cf_ray: Some("ray-1".to_owned()),
        retry_after,
        retry_cap: None,
    }))
}

/// A timeout: retryable, and ambiguous for a create or delete.
fn timeout() -> Error {
    Error::Timeout {
        operation: Operation::ListBindings,
        after: Duration::from_secs(1),
    }
}

fn ok(value: u32) -> Response<u32> {
    Response {
        result: value,
        messages: Vec::new(),
        status: 200,
        cf_ray: None,
    }
}

/// Attempts that answer from a script (an empty script fails with 503) and note
/// when each one started, on the paused clock.
struct Script<T> {
    answers: RefCell<VecDeque<Result<T, Error>>>,
    starts: RefCell<Vec<Duration>>,
    origin: Instant,
}

impl<T> Script<T> {
    fn new(answers: impl IntoIterator<Item = Result<T, Error>>) -> Self {
        Self {
            answers: RefCell::new(answers.into_iter().collect()),
            starts: RefCell::default(),
            origin: Instant::now(),
        }
    }

    fn attempt(&self) -> impl Future<Output = Result<T, Error>> + use<T> {
        self.starts.borrow_mut().push(self.origin.elapsed());
        // A loop that never stops fails here at once rather than hanging.
        assert!(self.starts.borrow().len() <= 50, "runaway retry loop");
        let answer = self
            .answers
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| Err(api(503, None)));
        async move { answer }
    }

    fn starts(&self) -> Vec<Duration> {
        self.starts.borrow().clone()
    }
}

/// No jitter, 100 ms doubling up to 1 s, no deadline.
fn policy() -> RetryPolicy {
    RetryPolicy::new()
        .with_jitter(false)
        .with_base_delay(100 * MS)
        .with_max_delay(Duration::from_secs(1))
        .with_deadline(None)
}

fn ms(values: &[u64]) -> Vec<Duration> {
    values.iter().map(|v| Duration::from_millis(*v)).collect()
}

#[test]
fn the_default_policy_is_the_documented_one() {
    let p = RetryPolicy::default();
    assert_eq!(p, RetryPolicy::new());
    assert_eq!(p.max_attempts(), 3);
    assert_eq!(p.base_delay(), 500 * MS);
    assert_eq!(p.max_delay(), Duration::from_secs(8));
    assert_eq!(p.max_retry_after(), Duration::from_secs(60));
    assert_eq!(p.deadline(), Some(Duration::from_secs(120)));
    assert!(p.jitter);
    assert_eq!(RetryPolicy::no_retries().max_attempts(), 1);
    assert_eq!(RetryPolicy::new().with_max_attempts(0).max_attempts(), 1);
    assert_eq!(RetryPolicy::new().with_max_attempts(7).max_attempts(), 7);
}

#[test]
fn backoff_grows_and_caps() {
    let p = RetryPolicy::new()
        .with_jitter(false)
        .with_base_delay(Duration::from_millis(100))
        .with_max_delay(Duration::from_millis(350));
    assert_eq!(p.backoff(1), Duration::from_millis(100));
    assert_eq!(p.backoff(2), Duration::from_millis(200));
    assert_eq!(p.backoff(3), Duration::from_millis(350));
    assert_eq!(p.backoff(99), Duration::from_millis(350));
}

#[test]
fn jitter_stays_within_half_and_full() {
    let p = RetryPolicy::new().with_base_delay(Duration::from_millis(100));
    for _ in 0..100 {
        let d = p.backoff(1);
        assert!(
            d >= Duration::from_millis(50) && d <= Duration::from_millis(100),
            "{d:?}"
        );
    }
}

#[test]
fn delay_after_honours_retry_after_up_to_the_cap() {
    let p = policy().with_max_retry_after(Duration::from_secs(10));
    assert_eq!(p.delay_after(1, &api(429, Some(2 * 1000 * MS))), 2000 * MS);
    assert_eq!(
        p.delay_after(1, &api(429, Some(Duration::from_secs(300)))),
        Duration::from_secs(10)
    );
    assert_eq!(p.delay_after(2, &api(429, None)), 200 * MS);
}

#[tokio::test(start_paused = true)]
async fn a_read_retries_with_growing_delays_up_to_the_attempt_count() {
    let script = Script::<u32>::new([]);
    let error = read(
        &policy().with_max_attempts(6),
        Operation::ListBindings,
        || script.attempt(),
    )
    .await
    .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(script.starts(), ms(&[0, 100, 300, 700, 1500, 2500]));
}

#[tokio::test(start_paused = true)]
async fn a_read_returns_the_first_success() {
    let script = Script::new([Err(timeout()), Ok(7)]);
    let value = read(&policy(), Operation::ListBindings, || script.attempt())
        .await
        .unwrap();
    assert_eq!(value, 7);
    assert_eq!(script.starts(), ms(&[0, 100]));
}

#[tokio::test(start_paused = true)]
async fn a_read_never_retries_what_is_not_retryable() {
    let script = Script::<u32>::new([Err(api(400, None))]);
    let error = read(&policy(), Operation::ListBindings, || script.attempt())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert_eq!(script.starts(), ms(&[0]));
}

#[tokio::test(start_paused = true)]
async fn retry_after_replaces_the_backoff_and_is_capped() {
    let p = policy().with_max_retry_after(Duration::from_secs(10));
    let script = Script::new([
        Err(api(429, Some(Duration::from_secs(2)))),
        Err(api(429, Some(Duration::from_secs(300)))),
        Ok(1),
    ]);
    read(&p, Operation::ListBindings, || script.attempt())
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
    read(&p, Operation::ListBindings, || script.attempt())
        .await
        .unwrap_err();
    assert_eq!(script.starts(), ms(&[0, 100, 300]));

    let p = p.with_deadline(Some(299 * MS));
    let script = Script::<u32>::new([]);
    read(&p, Operation::ListBindings, || script.attempt())
        .await
        .unwrap_err();
    assert_eq!(script.starts(), ms(&[0, 100]));
}

#[tokio::test(start_paused = true)]
async fn the_deadline_counts_the_time_attempts_take() {
    // Each attempt takes 1 s: the second would start at 1.1 s, past 1 s.
    let p = policy().with_deadline(Some(Duration::from_secs(1)));
    let starts = RefCell::new(0);
    let origin = Instant::now();
    read(&p, Operation::ListBindings, || {
        *starts.borrow_mut() += 1;
        assert!(*starts.borrow() <= 50, "runaway retry loop");
        async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Err::<(), _>(timeout())
        }
    })
    .await
    .unwrap_err();
    assert_eq!(*starts.borrow(), 1);
    assert_eq!(origin.elapsed(), Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn a_delete_stops_at_its_attempt_count_and_says_the_outcome_is_unknown() {
    let script = Script::<Response<()>>::new([]);
    let error = delete(&policy().with_max_attempts(4), || script.attempt())
        .await
        .unwrap_err();
    assert!(error.is_outcome_unknown(), "{error}");
    assert_eq!(error.status(), Some(503));
    assert_eq!(script.starts(), ms(&[0, 100, 300, 700]));
}

#[tokio::test(start_paused = true)]
async fn a_delete_refused_without_ambiguity_is_a_plain_error() {
    let script = Script::<Response<()>>::new([
        Err(api(429, None)),
        Err(api(429, None)),
        Err(api(429, None)),
    ]);
    let error = delete(&policy(), || script.attempt()).await.unwrap_err();
    assert!(!error.is_outcome_unknown(), "{error}");
    assert!(error.is_rate_limited());
    assert_eq!(script.starts(), ms(&[0, 100, 300]));

    let script = Script::<Response<()>>::new([Err(api(404, None))]);
    let error = delete(&policy(), || script.attempt()).await.unwrap_err();
    assert!(!error.is_outcome_unknown(), "{error}");
    assert_eq!(error.status(), Some(404));

    let script = Script::<Response<()>>::new([Err(api(429, None)), Err(api(404, None))]);
    let error = delete(&policy(), || script.attempt()).await.unwrap_err();
    assert!(!error.is_outcome_unknown(), "{error}");
    assert_eq!(error.status(), Some(404));
}

#[tokio::test(start_paused = true)]
async fn a_delete_after_an_ambiguous_attempt_counts_404_as_done() {
    let script = Script::new([Err(timeout()), Err(api(429, None)), Err(api(404, None))]);
    let done = delete(&policy(), || script.attempt()).await.unwrap();
    assert_eq!(done.status, 404);
    assert_eq!(done.cf_ray.as_deref(), Some("ray-1"));
    assert!(done.messages.is_empty());
    assert_eq!(script.starts(), ms(&[0, 100, 300]));
}

#[tokio::test(start_paused = true)]
async fn a_delete_stays_ambiguous_after_several_ambiguous_attempts() {
    let script = Script::new([Err(timeout()), Err(api(503, None)), Err(api(404, None))]);
    let done = delete(&policy(), || script.attempt()).await.unwrap();
    assert_eq!(done.status, 404);
}

#[tokio::test(start_paused = true)]
async fn a_delete_after_an_ambiguous_attempt_that_then_fails_is_unknown() {
    let script = Script::<Response<()>>::new([Err(timeout()), Err(api(400, None))]);
    let error = delete(&policy(), || script.attempt()).await.unwrap_err();
    assert!(error.is_outcome_unknown(), "{error}");
    assert_eq!(error.status(), Some(400));

    let ok_script = Script::new([Err(timeout()), Ok(ok(1).map(|_| ()))]);
    let done = delete(&policy(), || ok_script.attempt()).await.unwrap();
    assert_eq!(done.status, 200);
}

/// A reconciling list that answers from a script and counts its calls.
struct Finder {
    answers: RefCell<VecDeque<Result<Option<u32>, Error>>>,
    calls: RefCell<u32>,
}

impl Finder {
    fn new(answers: impl IntoIterator<Item = Result<Option<u32>, Error>>) -> Self {
        Self {
            answers: RefCell::new(answers.into_iter().collect()),
            calls: RefCell::new(0),
        }
    }

    fn find(&self) -> impl Future<Output = Result<Option<u32>, Error>> + use<> {
        *self.calls.borrow_mut() += 1;
        let answer = self.answers.borrow_mut().pop_front().unwrap_or(Ok(None));
        async move { answer }
    }

    fn calls(&self) -> u32 {
        *self.calls.borrow()
    }
}

#[tokio::test(start_paused = true)]
async fn a_create_refused_with_429_is_resent_after_the_delay() {
    let script = Script::new([Err(api(429, Some(Duration::from_secs(5)))), Ok(9)]);
    let finder = Finder::new([]);
    let value = create(&policy(), || script.attempt(), || finder.find())
        .await
        .unwrap();
    assert_eq!(value, 9);
    assert_eq!(script.starts(), ms(&[0, 5000]));
    assert_eq!(finder.calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_create_stops_at_its_attempt_count() {
    let script = Script::<u32>::new([
        Err(api(429, None)),
        Err(api(429, None)),
        Err(api(429, None)),
        Err(api(429, None)),
    ]);
    let finder = Finder::new([]);
    let error = create(
        &policy().with_max_attempts(2),
        || script.attempt(),
        || finder.find(),
    )
    .await
    .unwrap_err();
    assert!(error.is_rate_limited());
    assert_eq!(script.starts(), ms(&[0, 100]));
}

#[tokio::test(start_paused = true)]
async fn an_ambiguous_create_returns_the_binding_it_finds() {
    let script = Script::new([Err(timeout())]);
    let finder = Finder::new([Ok(Some(4))]);
    let value = create(&policy(), || script.attempt(), || finder.find())
        .await
        .unwrap();
    assert_eq!(value, 4);
    assert_eq!(script.starts(), ms(&[0]));
    assert_eq!(finder.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_create_whose_answer_is_too_large_to_read_is_checked() {
    for status in [Some(201), Some(502), None] {
        let too_large = Error::BodyTooLarge {
            operation: Operation::CreateBinding,
            status,
            limit: 1024,
            cf_ray: None,
        };
        let script = Script::new([Err(too_large)]);
        let finder = Finder::new([Ok(Some(4))]);
        let value = create(&policy(), || script.attempt(), || finder.find())
            .await
            .unwrap();
        assert_eq!(value, 4, "{status:?}");
        assert_eq!(finder.calls(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn an_ambiguous_create_not_found_is_resent_up_to_the_attempt_count() {
    let script = Script::<u32>::new([Err(timeout()), Err(timeout()), Err(timeout())]);
    let finder = Finder::new([]);
    let error = create(&policy(), || script.attempt(), || finder.find())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error}");
    assert_eq!(script.starts(), ms(&[0, 100, 300]));
    assert_eq!(finder.calls(), 3);

    let script = Script::new([Err(api(503, None)), Ok(2)]);
    let finder = Finder::new([Ok(None)]);
    let value = create(&policy(), || script.attempt(), || finder.find())
        .await
        .unwrap();
    assert_eq!(value, 2);
    assert_eq!(script.starts(), ms(&[0, 100]));
}

#[tokio::test(start_paused = true)]
async fn an_ambiguous_create_whose_check_fails_is_unknown() {
    let script = Script::<u32>::new([Err(timeout())]);
    let finder = Finder::new([Err(api(500, None))]);
    let error = create(&policy(), || script.attempt(), || finder.find())
        .await
        .unwrap_err();
    let Error::OutcomeUnknown {
        operation,
        cause,
        check,
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(*operation, Operation::CreateBinding);
    assert!(matches!(**cause, Error::Timeout { .. }));
    assert_eq!(check.as_ref().and_then(|c| c.status()), Some(500));
    assert_eq!(script.starts(), ms(&[0]));
}

#[tokio::test(start_paused = true)]
async fn a_create_refused_outright_is_not_retried_or_checked() {
    let script = Script::<u32>::new([Err(api(400, None))]);
    let finder = Finder::new([]);
    let error = create(&policy(), || script.attempt(), || finder.find())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert_eq!(script.starts(), ms(&[0]));
    assert_eq!(finder.calls(), 0);
}
