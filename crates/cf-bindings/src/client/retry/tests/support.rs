//! What the retry tests share: errors of each kind, scripted attempts that note
//! when each started on the paused clock, and a policy without jitter.

use std::{
    cell::RefCell,
    collections::VecDeque,
    sync::{Arc, Mutex, PoisonError},
};

use crate::client::retry::*;
use crate::{
    client::long_wait::{LongWait, Observer},
    error::{ApiError, BodyError, DecodeError},
    wire::response::Response,
};

pub(super) const MS: Duration = Duration::from_millis(1);

/// An API error with `status`, and the delay the server asked for.
pub(super) fn api(status: u16, retry_after: Option<Duration>) -> Error {
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
pub(super) fn timeout() -> Error {
    Error::timeout(Operation::ListBindings, Duration::from_secs(1))
}

/// A body that is not the envelope (truncated JSON), with `status`.
pub(super) fn unreadable(status: u16) -> Error {
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
pub(super) fn misfit() -> Error {
    Error::Decode(Box::new(DecodeError {
        operation: Operation::ListBindings,
        status: 200,
        field: "result[0].cidr".to_owned(),
        reason: "invalid CIDR".to_owned(),
        cf_ray: None,
    }))
}

/// A body over the cap, with `status`.
pub(super) fn too_large(status: Option<u16>) -> Error {
    Error::BodyTooLarge {
        operation: Operation::CreateBinding,
        status,
        limit: 1024,
        cf_ray: None,
    }
}

/// Long waits are not told.
pub(super) static QUIET: Observer = Observer::NONE;

pub(super) fn quiet(policy: &RetryPolicy) -> Retries<'_> {
    Retries {
        policy,
        observer: &QUIET,
    }
}

/// An observer that keeps every long wait told.
pub(super) fn recording() -> (Observer, Arc<Mutex<Vec<LongWait>>>) {
    let told = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&told);
    let observer = Observer::new(move |wait| {
        sink.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(wait.clone());
    });
    (observer, told)
}

pub(super) fn ok(value: u32) -> Response<u32> {
    Response {
        result: value,
        messages: Vec::new(),
        status: 200,
        cf_ray: None,
    }
}

/// Attempts that answer from a script (an empty script fails with 503) and note
/// when each one started, on the paused clock.
pub(super) struct Script<T> {
    answers: RefCell<VecDeque<Result<T, Error>>>,
    starts: RefCell<Vec<Duration>>,
    origin: Instant,
}

impl<T> Script<T> {
    pub(super) fn new(answers: impl IntoIterator<Item = Result<T, Error>>) -> Self {
        Self {
            answers: RefCell::new(answers.into_iter().collect()),
            starts: RefCell::default(),
            origin: Instant::now(),
        }
    }

    pub(super) fn attempt(&self) -> impl Future<Output = Result<T, Error>> + use<T> {
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

    pub(super) fn starts(&self) -> Vec<Duration> {
        self.starts.borrow().clone()
    }
}

/// No jitter, 100 ms doubling up to 1 s, no deadline.
pub(super) fn policy() -> RetryPolicy {
    RetryPolicy::new()
        .with_jitter(false)
        .with_base_delay(100 * MS)
        .with_max_delay(Duration::from_secs(1))
        .with_deadline(None)
}

pub(super) fn ms(values: &[u64]) -> Vec<Duration> {
    values.iter().map(|v| Duration::from_millis(*v)).collect()
}
