//! The loops of creates and deletes: an answer in doubt is reconciled by listing,
//! a create found is returned, a delete gone is done, and what stays unknown.

use std::{cell::RefCell, collections::VecDeque};

use super::support::*;
use crate::client::retry::*;
use crate::wire::response::Response;

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
