//! The policy: its documented defaults, its delays (backoff, jitter, Retry-After),
//! and the table of what follows each kind of failure of each kind of operation:
//! retry, reconcile or fail.

use super::support::*;
use crate::client::retry::*;

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
