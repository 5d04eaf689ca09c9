//! The retry loops on tokio's paused clock: every delay is checked to the
//! millisecond, and a wrong one fails at once instead of taking its real time.
#![allow(clippy::unwrap_used)]

use std::{
    cell::RefCell,
    collections::VecDeque,
    sync::{Arc, Mutex, PoisonError},
};

use super::*;
use crate::{
    client::long_wait::{LongWait, Observer},
    error::{ApiError, BodyError, DecodeError},
    wire::response::Response,
};

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

/// A timeout: retried for a read, reconciled for a create or delete.
fn timeout() -> Error {
    Error::timeout(Operation::ListBindings, Duration::from_secs(1))
}

/// A body that is not the envelope (truncated JSON), with `status`.
fn unreadable(status: u16) -> Error {
    Error::UnexpectedBody(Box::new(BodyError {
        operation: Operation::DeleteBinding,
        status,
        content_type: Some("application/json".to_owned()),
        reason: "body is not Cloudflare's JSON envelope (EOF while parsing)".to_owned(),
        excerpt: "{\"success\": tr".to_owned(),
        cf_ray: None,
        retry_after: None,
        retry_cap: None,
    }))
}

/// A success envelope whose `result` does not fit.
fn misfit() -> Error {
    Error::Decode(Box::new(DecodeError {
        operation: Operation::ListBindings,
        status: 200,
        field: "result[0].cidr".to_owned(),
        reason: "invalid CIDR".to_owned(),
        cf_ray: None,
    }))
}

/// A body over the cap, with `status`.
fn too_large(status: Option<u16>) -> Error {
    Error::BodyTooLarge {
        operation: Operation::CreateBinding,
        status,
        limit: 1024,
        cf_ray: None,
    }
}

/// Long waits are not told.
static QUIET: Observer = Observer::NONE;

fn quiet(policy: &RetryPolicy) -> Retries<'_> {
    Retries {
        policy,
        observer: &QUIET,
    }
}

/// An observer that keeps every long wait told.
fn recording() -> (Observer, Arc<Mutex<Vec<LongWait>>>) {
    let told = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&told);
    let observer = Observer::new(move |wait| {
        sink.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(wait.clone());
    });
    (observer, told)
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

// ---------------------------------------------------------------------------------
// The table: operation kind × failure kind → retry, reconcile or fail

#[test]
fn failures_are_told_apart() {
    let rows: [(Error, FailureKind); 19] = [
        (api(429, None), FailureKind::RateLimited),
        (
            api(429, Some(Duration::from_secs(300))),
            FailureKind::RateLimited,
        ),
        (timeout(), FailureKind::NoAnswer),
        (api(408, None), FailureKind::ServerError),
        (api(500, None), FailureKind::ServerError),
        (api(599, None), FailureKind::ServerError),
        (unreadable(502), FailureKind::ServerError),
        (unreadable(200), FailureKind::Unreadable),
        (unreadable(0), FailureKind::Unreadable),
        (api(200, None), FailureKind::Unsuccessful),
        (misfit(), FailureKind::Misfit),
        (too_large(Some(200)), FailureKind::TooLarge),
        (too_large(Some(503)), FailureKind::TooLarge),
        (too_large(None), FailureKind::TooLarge),
        (api(404, None), FailureKind::NotFound),
        (unreadable(404), FailureKind::NotFound),
        (api(400, None), FailureKind::Refused),
        (unreadable(301), FailureKind::Refused),
        (
            Error::ServiceNotFound {
                name: "CDM".to_owned(),
                available: Vec::new(),
            },
            FailureKind::Local,
        ),
    ];
    for (error, kind) in rows {
        assert_eq!(FailureKind::of(&error), kind, "{error}");
    }
    // A 4xx other than 404, 408 and 429 is a refusal, with or without the envelope.
    for status in [400, 401, 403, 405, 409, 422, 431] {
        assert_eq!(FailureKind::of(&api(status, None)), FailureKind::Refused);
        assert_eq!(FailureKind::of(&unreadable(status)), FailureKind::Refused);
        assert_eq!(
            FailureKind::of(&too_large(Some(status))),
            FailureKind::Refused
        );
    }
}

#[test]
fn the_rules_of_each_operation() {
    use FailureKind as F;
    use Next::{Fail, Reconcile, Retry};
    // failure, then what a read, a create and a delete do; the delete twice: on
    // its first attempt, and after an earlier attempt was reconciled.
    let table: [(F, Next, Next, Next, Next); 11] = [
        (F::NotSent, Retry, Retry, Retry, Retry),
        (F::RateLimited, Retry, Retry, Retry, Retry),
        (F::NoAnswer, Retry, Reconcile, Reconcile, Reconcile),
        (F::ServerError, Retry, Reconcile, Reconcile, Reconcile),
        (F::Unreadable, Retry, Reconcile, Reconcile, Reconcile),
        (F::Unsuccessful, Retry, Reconcile, Reconcile, Reconcile),
        (F::Misfit, Fail, Reconcile, Reconcile, Reconcile),
        (F::TooLarge, Fail, Reconcile, Reconcile, Reconcile),
        (F::NotFound, Fail, Fail, Fail, Reconcile),
        (F::Refused, Fail, Fail, Fail, Fail),
        (F::Local, Fail, Fail, Fail, Fail),
    ];
    for (failure, read, create, delete, delete_after) in table {
        assert_eq!(next(Kind::Read, failure, false), read, "read, {failure:?}");
        assert_eq!(next(Kind::Read, failure, true), read, "read, {failure:?}");
        assert_eq!(
            next(Kind::Create, failure, false),
            create,
            "create, {failure:?}"
        );
        assert_eq!(
            next(Kind::Create, failure, true),
            create,
            "create, {failure:?}"
        );
        assert_eq!(
            next(Kind::Delete, failure, false),
            delete,
            "delete, {failure:?}"
        );
        assert_eq!(
            next(Kind::Delete, failure, true),
            delete_after,
            "delete after a reconciled attempt, {failure:?}"
        );
    }
    assert_eq!(Kind::of(Operation::ListBindings), Kind::Read);
    assert_eq!(Kind::of(Operation::GetBinding), Kind::Read);
    assert_eq!(Kind::of(Operation::ListServices), Kind::Read);
    assert_eq!(Kind::of(Operation::CreateBinding), Kind::Create);
    assert_eq!(Kind::of(Operation::DeleteBinding), Kind::Delete);
    // The public helper says what a read does.
    for error in [api(200, None), unreadable(200), api(503, None), timeout()] {
        assert!(error.is_retryable(), "{error}");
    }
    for error in [
        misfit(),
        too_large(Some(200)),
        api(404, None),
        api(400, None),
    ] {
        assert!(!error.is_retryable(), "{error}");
    }
}

// ---------------------------------------------------------------------------------
// Reads

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

// ---------------------------------------------------------------------------------
// Long waits

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

// ---------------------------------------------------------------------------------
// Creates and deletes

/// A reconciling list that answers from a script and counts its calls.
struct Finder<T> {
    answers: RefCell<VecDeque<Result<Option<T>, Error>>>,
    calls: RefCell<u32>,
}

impl<T> Finder<T> {
    fn new(answers: impl IntoIterator<Item = Result<Option<T>, Error>>) -> Self {
        Self {
            answers: RefCell::new(answers.into_iter().collect()),
            calls: RefCell::new(0),
        }
    }

    fn find(&self) -> impl Future<Output = Result<Option<T>, Error>> + use<T> {
        *self.calls.borrow_mut() += 1;
        let answer = self.answers.borrow_mut().pop_front().unwrap_or(Ok(None));
        async move { answer }
    }

    fn calls(&self) -> u32 {
        *self.calls.borrow()
    }
}

async fn create(script: &Script<u32>, finder: &Finder<u32>) -> Result<u32, Error> {
    create_with(&policy(), script, finder).await
}

async fn create_with(
    p: &RetryPolicy,
    script: &Script<u32>,
    finder: &Finder<u32>,
) -> Result<u32, Error> {
    write(
        quiet(p),
        Operation::CreateBinding,
        || script.attempt(),
        || finder.find(),
    )
    .await
}

/// What a delete's listing answers when the binding is gone.
fn gone() -> Response<()> {
    ok(0).map(|_| ())
}

async fn delete(
    p: &RetryPolicy,
    script: &Script<Response<()>>,
    finder: &Finder<Response<()>>,
) -> Result<Response<()>, Error> {
    write(
        quiet(p),
        Operation::DeleteBinding,
        || script.attempt(),
        || finder.find(),
    )
    .await
}

#[tokio::test(start_paused = true)]
async fn a_delete_whose_answer_cannot_be_read_is_done_when_the_listing_says_so() {
    for failure in [
        unreadable(200),
        too_large(Some(200)),
        too_large(None),
        api(200, None),
        timeout(),
        api(502, None),
    ] {
        let label = failure.to_string();
        let script = Script::new([Err(failure)]);
        let finder = Finder::new([Ok(Some(gone()))]);
        let done = delete(&policy(), &script, &finder).await.unwrap();
        assert_eq!(done.status, 200, "{label}");
        assert_eq!(script.starts(), ms(&[0]), "{label}");
        assert_eq!(finder.calls(), 1, "{label}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_delete_whose_answer_and_listing_both_fail_is_unknown() {
    let script = Script::<Response<()>>::new([Err(unreadable(200))]);
    let finder = Finder::new([Err(api(503, None))]);
    let error = delete(&policy(), &script, &finder).await.unwrap_err();
    let Error::OutcomeUnknown {
        operation,
        cause,
        check,
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(*operation, Operation::DeleteBinding);
    assert_eq!(cause.status(), Some(200));
    assert_eq!(check.as_ref().and_then(|c| c.status()), Some(503));
    assert!(
        error.to_string().starts_with(
            "delete service binding: outcome unknown: the binding may or may not have been deleted"
        ),
        "{error}"
    );
    assert_eq!(script.starts(), ms(&[0]));
}

#[tokio::test(start_paused = true)]
async fn a_delete_the_listing_still_shows_is_sent_again() {
    let script = Script::new([Err(unreadable(200)), Ok(gone())]);
    let finder = Finder::new([Ok(None)]);
    let done = delete(&policy(), &script, &finder).await.unwrap();
    assert_eq!(done.status, 200);
    assert_eq!(script.starts(), ms(&[0, 100]));
    assert_eq!(finder.calls(), 1);

    // Out of attempts: the listing showed the binding, so the delete failed.
    let script = Script::<Response<()>>::new([Err(timeout()), Err(timeout())]);
    let finder = Finder::new([Ok(None), Ok(None)]);
    let error = delete(&policy().with_max_attempts(2), &script, &finder)
        .await
        .unwrap_err();
    assert!(!error.is_outcome_unknown(), "{error}");
    assert!(
        matches!(error, Error::Timeout { attempts: 2, .. }),
        "{error:?}"
    );
    assert_eq!(finder.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_delete_answered_404_after_a_reconciled_attempt_is_checked() {
    // The listing showed the binding, the second DELETE got 404: the listing tells.
    let script = Script::new([Err(timeout()), Err(api(404, None))]);
    let finder = Finder::new([Ok(None), Ok(Some(gone()))]);
    let done = delete(&policy(), &script, &finder).await.unwrap();
    assert_eq!(done.status, 200);
    assert_eq!(finder.calls(), 2);
    assert_eq!(script.starts(), ms(&[0, 100]));
}

#[tokio::test(start_paused = true)]
async fn a_delete_refused_is_a_plain_error_and_not_checked() {
    for failure in [api(404, None), api(400, None), api(403, None)] {
        let status = failure.status();
        let script = Script::<Response<()>>::new([Err(failure)]);
        let finder = Finder::new([]);
        let error = delete(&policy(), &script, &finder).await.unwrap_err();
        assert!(!error.is_outcome_unknown(), "{error}");
        assert_eq!(error.status(), status);
        assert_eq!(finder.calls(), 0);
    }
    // Refused after 429s: sent again without a check, then a plain error.
    let script = Script::<Response<()>>::new([Err(api(429, None)), Err(api(404, None))]);
    let finder = Finder::new([]);
    let error = delete(&policy(), &script, &finder).await.unwrap_err();
    assert!(
        error.is_not_found() && !error.is_outcome_unknown(),
        "{error}"
    );
    assert_eq!(script.starts(), ms(&[0, 100]));
    assert_eq!(finder.calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_create_refused_with_429_is_resent_after_the_delay() {
    let script = Script::new([Err(api(429, Some(Duration::from_secs(5)))), Ok(9)]);
    let finder = Finder::new([]);
    let value = create(&script, &finder).await.unwrap();
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
    let error = create_with(&policy().with_max_attempts(2), &script, &finder)
        .await
        .unwrap_err();
    assert!(error.is_rate_limited());
    assert_eq!(script.starts(), ms(&[0, 100]));
}

#[tokio::test(start_paused = true)]
async fn a_create_in_doubt_returns_the_binding_it_finds() {
    for failure in [
        timeout(),
        unreadable(201),
        api(200, None),
        misfit(),
        too_large(Some(201)),
        too_large(Some(502)),
        too_large(None),
    ] {
        let label = failure.to_string();
        let script = Script::new([Err(failure)]);
        let finder = Finder::new([Ok(Some(4))]);
        let value = create(&script, &finder).await.unwrap();
        assert_eq!(value, 4, "{label}");
        assert_eq!(script.starts(), ms(&[0]), "{label}");
        assert_eq!(finder.calls(), 1, "{label}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_create_in_doubt_not_found_is_resent_up_to_the_attempt_count() {
    let script = Script::<u32>::new([Err(timeout()), Err(timeout()), Err(timeout())]);
    let finder = Finder::new([]);
    let error = create(&script, &finder).await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error}");
    assert_eq!(script.starts(), ms(&[0, 100, 300]));
    assert_eq!(finder.calls(), 3);

    let script = Script::new([Err(api(503, None)), Ok(2)]);
    let finder = Finder::new([Ok(None)]);
    let value = create(&script, &finder).await.unwrap();
    assert_eq!(value, 2);
    assert_eq!(script.starts(), ms(&[0, 100]));
}

#[tokio::test(start_paused = true)]
async fn a_create_in_doubt_whose_check_fails_is_unknown() {
    let script = Script::<u32>::new([Err(timeout())]);
    let finder = Finder::new([Err(api(500, None))]);
    let error = create(&script, &finder).await.unwrap_err();
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
    for failure in [api(400, None), api(404, None), api(409, None)] {
        let script = Script::<u32>::new([Err(failure)]);
        let finder = Finder::new([]);
        create(&script, &finder).await.unwrap_err();
        assert_eq!(script.starts(), ms(&[0]));
        assert_eq!(finder.calls(), 0);
    }
}
