//! Retries and backoff: [`RetryPolicy`] and the loops that apply its rules to each
//! operation.

use std::{future::Future, time::Duration};

use tokio::time::Instant;

use crate::{error::Error, operation::Operation, response::Response, text::human};

/// How often and how patiently requests are retried, and the rules each operation
/// follows.
///
/// - **List, get, list services** are safe to repeat: they retry on connection
///   errors, timeouts, HTTP 408, 429 and 5xx. Other 4xx never retry.
/// - **Delete** retries like a read. When an earlier attempt was *ambiguous* (a
///   timeout, a connection lost after sending, 408 or 5xx: the server may have acted)
///   and a retry answers 404, the binding is gone and the delete counts as done.
/// - **Create** is not idempotent. It is resent at once (after the backoff) only when
///   the request surely was not processed: the connection could not be made, or the
///   server answered 429. After an ambiguous failure the client lists the prefix's
///   bindings: if one with the same CIDR and service exists, that binding is the
///   result; if none does, the create is sent again; if the list fails too, the
///   error is [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown), holding both
///   failures. A create thus never makes a duplicate and never
///   reports failure for a binding it made (a binding with the same CIDR and service
///   that existed before the call is returned too).
///
/// Delays grow exponentially from [`RetryPolicy::base_delay`] up to
/// [`RetryPolicy::max_delay`], with jitter (each delay is drawn between half and all of
/// its nominal value). A `Retry-After` (seconds) or `retry-after-ms` header replaces
/// the computed delay, capped at [`RetryPolicy::max_retry_after`]. No attempt starts
/// once [`RetryPolicy::max_attempts`] have been made, or when its delay would end
/// after the overall [`RetryPolicy::deadline`]; the last error is then returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
    deadline: Option<Duration>,
    jitter: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, delays from 500 ms up to 8 s with jitter, `Retry-After` honoured up
    /// to 60 s, 2 minutes overall: the official SDKs' behaviour, made safe for create.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            deadline: Some(Duration::from_secs(120)),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// The default policy (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that never retries (one attempt; a create still reconciles after an
    /// ambiguous failure, without resending).
    pub fn no_retries() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the number of attempts, the first included (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the delay before the first retry; each later one doubles it.
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the longest computed delay between two attempts.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the longest `Retry-After` honoured; longer requests wait this long.
    pub fn with_max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// Sets the overall deadline, measured from the first attempt, after which no
    /// retry starts; `None` for no deadline.
    pub fn with_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// Turns jitter on (the default) or off.
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The number of attempts, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The delay before the first retry.
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// The longest computed delay.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// The longest `Retry-After` honoured.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The overall deadline.
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// The delay before retry number `retry` (1 for the first retry), jitter included.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(31);
        let nominal = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        if self.jitter {
            nominal.mul_f64(0.5 + fastrand::f64() * 0.5)
        } else {
            nominal
        }
    }

    /// The delay before retry number `retry` after `error`: the server's
    /// `Retry-After` (capped) when it sent one, else [`backoff`](Self::backoff).
    pub fn delay_after(&self, retry: u32, error: &Error) -> Duration {
        match error.retry_after() {
            Some(asked) => asked.min(self.max_retry_after),
            None => self.backoff(retry),
        }
    }
}

/// Counts attempts and decides whether another one may start.
struct Attempts<'p> {
    policy: &'p RetryPolicy,
    operation: Operation,
    start: Instant,
    made: u32,
}

impl<'p> Attempts<'p> {
    fn new(policy: &'p RetryPolicy, operation: Operation) -> Self {
        Self {
            policy,
            operation,
            start: Instant::now(),
            made: 0,
        }
    }

    /// Waits before the next attempt after `error`; false when no attempt is left.
    async fn wait_for_next(&mut self, error: &Error) -> bool {
        if self.made >= self.policy.max_attempts {
            tracing::debug!(operation = %self.operation, attempts = self.made, "no attempt left");
            return false;
        }
        let delay = self.policy.delay_after(self.made, error);
        if let Some(deadline) = self.policy.deadline
            && self
                .start
                .elapsed()
                .checked_add(delay)
                .is_none_or(|end| end > deadline)
        {
            tracing::debug!(operation = %self.operation, "retry deadline reached");
            return false;
        }
        tracing::warn!(
            operation = %self.operation,
            attempt = self.made + 1,
            max_attempts = self.policy.max_attempts,
            "retrying in {}: {error}",
            human(delay)
        );
        tokio::time::sleep(delay).await;
        true
    }
}

/// Runs a read (list, get, list services) with retries.
pub(crate) async fn read<T, F, Fut>(
    policy: &RetryPolicy,
    operation: Operation,
    mut attempt: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut attempts = Attempts::new(policy, operation);
    loop {
        attempts.made += 1;
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) if error.is_retryable() => {
                if !attempts.wait_for_next(&error).await {
                    return Err(error);
                }
            }
            Err(error) => return Err(error),
        }
    }
}

/// Runs a delete with retries; a 404 after an ambiguous attempt counts as done.
pub(crate) async fn delete<F, Fut>(
    policy: &RetryPolicy,
    mut attempt: F,
) -> Result<Response<()>, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Response<()>, Error>>,
{
    let operation = Operation::DeleteBinding;
    let mut attempts = Attempts::new(policy, operation);
    let mut ambiguous = false;
    // After an ambiguous attempt, a failure no longer says whether the binding exists.
    let give_up = |error: Error, ambiguous: bool| {
        if ambiguous {
            Error::OutcomeUnknown {
                operation,
                cause: Box::new(error),
                check: None,
            }
        } else {
            error
        }
    };
    loop {
        attempts.made += 1;
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) if ambiguous && error.status() == Some(404) => {
                tracing::info!(
                    operation = %operation,
                    "binding not found after an ambiguous attempt: it was deleted by that attempt"
                );
                return Ok(Response {
                    result: (),
                    messages: Vec::new(),
                    status: 404,
                    cf_ray: error.cf_ray().map(str::to_owned),
                });
            }
            Err(error) if error.is_retryable() => {
                ambiguous |= error.is_ambiguous();
                if !attempts.wait_for_next(&error).await {
                    return Err(give_up(error, ambiguous));
                }
            }
            Err(error) => return Err(give_up(error, ambiguous)),
        }
    }
}

/// Runs a create: resends only when the request surely was not processed, and
/// reconciles with `find_existing` after an ambiguous failure.
pub(crate) async fn create<T, F, Fut, R, RFut>(
    policy: &RetryPolicy,
    mut attempt: F,
    mut find_existing: R,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    R: FnMut() -> RFut,
    RFut: Future<Output = Result<Option<T>, Error>>,
{
    let operation = Operation::CreateBinding;
    let mut attempts = Attempts::new(policy, operation);
    loop {
        attempts.made += 1;
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) if error.surely_not_processed() => {
                if !attempts.wait_for_next(&error).await {
                    return Err(error);
                }
            }
            Err(error) if error.is_ambiguous() => {
                tracing::warn!(
                    operation = %operation,
                    "outcome unknown ({error}); listing the prefix's bindings to find out"
                );
                match find_existing().await {
                    Ok(Some(found)) => {
                        tracing::info!(operation = %operation, "the binding exists: the create succeeded");
                        return Ok(found);
                    }
                    Ok(None) => {
                        tracing::info!(operation = %operation, "the binding does not exist: the create was not processed");
                        if !attempts.wait_for_next(&error).await {
                            return Err(error);
                        }
                    }
                    Err(list_error) => {
                        return Err(Error::OutcomeUnknown {
                            operation,
                            cause: Box::new(error),
                            check: Some(Box::new(list_error)),
                        });
                    }
                }
            }
            Err(error) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests;
