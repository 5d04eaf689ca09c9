//! Retries and backoff: [`RetryPolicy`], the one table that says what happens after
//! each kind of failure of each kind of operation ([`next`]), and the loops that
//! apply it.

use std::{future::Future, time::Duration};

use tokio::time::Instant;

use crate::{
    client::long_wait::{Observer, WaitReason},
    error::{Error, FailureKind, Kind, Next, next},
    text::human,
    types::operation::Operation,
};

/// The target of the retry loops' log lines (a retry, a reconciliation, the last
/// attempt), the same wherever the code lives, for a filter such as
/// `cf_bindings::retry=error`.
pub(crate) const LOG_TARGET: &str = "cf_bindings::retry";

/// How often and how patiently requests are retried, and the rules each operation
/// follows.
///
/// After a failed attempt, the client does one of three things: **retry** (send
/// the request again after a delay), **reconcile** (the request may have taken
/// effect: list the prefix's bindings to find out, and send it again only if it
/// did not), or **fail** (return the error). Which one depends on the operation and
/// on how the attempt failed:
///
/// | the attempt failed with | list, get, list services | create | delete |
/// |---|---|---|---|
/// | no connection (the request never left) | retry | retry | retry |
/// | HTTP 429 | retry | retry | retry |
/// | a timeout, or the connection lost after sending (the body cut short included) | retry | reconcile | reconcile |
/// | HTTP 408 or 5xx | retry | reconcile | reconcile |
/// | a 2xx whose body is not Cloudflare's envelope (truncated, malformed, empty) | retry | reconcile | reconcile |
/// | a 2xx with `success: false` | retry | reconcile | reconcile |
/// | a 2xx whose `result` does not fit ([`Error::Decode`]) | fail | reconcile | reconcile |
/// | a body over the cap ([`Error::BodyTooLarge`]) | fail | reconcile | reconcile |
/// | a redirect, never followed ([`Error::Redirected`]) | fail | fail | fail |
/// | HTTP 404 | fail | fail | fail; reconcile after an earlier attempt was reconciled |
/// | any other 4xx (a client mistake or a rule) | fail | fail | fail |
///
/// Reads are idempotent, so every failure that may pass is retried; a client
/// mistake gets a 4xx, which another attempt would only repeat, and a body that
/// does not fit or is too large would come back the same. A create or delete is
/// sent again at once (after the delay) only when it surely was not processed.
/// Otherwise the client lists the prefix's bindings (a read, retried as above):
/// - a create is done when a binding with the same CIDR and service exists (that
///   binding is the result, even if it existed before the call); a delete is done
///   when the binding is no longer listed (the result is then the listing's
///   status and `cf-ray`);
/// - when it is not done, the request is sent again, if attempts are left; if none
///   are, the error is returned as it is: the listing showed that the change was
///   not made;
/// - when the listing fails too, the error is
///   [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown), holding both failures.
///
/// A create thus never makes a duplicate and never reports failure for a binding
/// it made, and a delete never reports failure for a binding it removed.
///
/// Delays grow exponentially from [`RetryPolicy::base_delay`] up to
/// [`RetryPolicy::max_delay`], with jitter (each delay is drawn between half and all of
/// its nominal value). A `Retry-After` (seconds) or `retry-after-ms` header replaces
/// the computed delay, capped at [`RetryPolicy::max_retry_after`]. No attempt starts
/// once [`RetryPolicy::max_attempts`] have been made, or when its delay would end
/// after the overall [`RetryPolicy::deadline`]; the last error is then returned (an
/// [`Error::Timeout`] then says how many attempts were made, over how long). A delay
/// longer than [`LONG_WAIT`](crate::wait::LONG_WAIT) is told to
/// [`ClientBuilder::on_long_wait`](crate::ClientBuilder::on_long_wait) first.
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

    /// A policy that never retries (one attempt; a create or delete still
    /// reconciles after a failure that may have taken effect, without resending).
    pub fn no_retries() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// A policy for a long run of changes, such as
    /// [`desired::apply`](crate::desired::apply): like the default, but with four
    /// attempts instead of three, a `Retry-After` honoured up to Cloudflare's
    /// five-minute block once its global rate limit (1,200 requests per 5 minutes)
    /// is reached (the default gives up after 60 s), and an overall deadline of ten
    /// minutes per call.
    pub fn patient() -> Self {
        /// How long Cloudflare refuses every call once its global rate limit is reached.
        const RATE_LIMIT_BLOCK: Duration = Duration::from_secs(300);
        Self::new()
            .with_max_attempts(4)
            .with_max_retry_after(RATE_LIMIT_BLOCK)
            .with_deadline(Some(2 * RATE_LIMIT_BLOCK))
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

/// The retry policy and where long waits are told: what every retry loop needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retries<'a> {
    pub(crate) policy: &'a RetryPolicy,
    pub(crate) observer: &'a Observer,
}

/// Counts attempts and decides whether another one may start.
struct Attempts<'a> {
    retries: Retries<'a>,
    operation: Operation,
    start: Instant,
    made: u32,
}

impl<'a> Attempts<'a> {
    fn new(retries: Retries<'a>, operation: Operation) -> Self {
        Self {
            retries,
            operation,
            start: Instant::now(),
            made: 0,
        }
    }

    /// Waits before the next attempt after `error` (failed as `failure`); false
    /// when no attempt is left.
    async fn wait_for_next(&mut self, error: &Error, failure: FailureKind) -> bool {
        let policy = self.retries.policy;
        if self.made >= policy.max_attempts {
            tracing::debug!(target: LOG_TARGET, operation = %self.operation, attempts = self.made, "no attempt left");
            return false;
        }
        let delay = policy.delay_after(self.made, error);
        if let Some(deadline) = policy.deadline
            && self
                .start
                .elapsed()
                .checked_add(delay)
                .is_none_or(|end| end > deadline)
        {
            tracing::debug!(target: LOG_TARGET, operation = %self.operation, "retry deadline reached");
            return false;
        }
        tracing::warn!(
            target: LOG_TARGET,
            operation = %self.operation,
            attempt = self.made + 1,
            max_attempts = policy.max_attempts,
            "retrying in {}: {error}",
            human(delay)
        );
        self.retries.observer.pause(delay, || {
            (
                self.operation,
                WaitReason::Retry {
                    cause: failure.describe(error),
                    retry_after: error.retry_after().is_some(),
                    attempts_made: self.made,
                    max_attempts: policy.max_attempts,
                },
            )
        });
        tokio::time::sleep(delay).await;
        true
    }

    /// The error to return: a timeout says how many attempts were made, over how
    /// long.
    fn finish(&self, error: Error) -> Error {
        match error {
            Error::Timeout {
                operation, after, ..
            } => Error::Timeout {
                operation,
                after,
                attempts: self.made,
                elapsed: self.start.elapsed(),
            },
            other => other,
        }
    }
}

/// Runs a read (list, get, list services) with retries.
pub(crate) async fn read<T, F, Fut>(
    retries: Retries<'_>,
    operation: Operation,
    mut attempt: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut attempts = Attempts::new(retries, operation);
    loop {
        attempts.made += 1;
        let error = match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let failure = FailureKind::of(&error);
        match next(Kind::of(operation), failure, false) {
            Next::Retry if attempts.wait_for_next(&error, failure).await => {}
            _ => return Err(attempts.finish(error)),
        }
    }
}

/// Runs a create or a delete: sends it again only when it surely was not
/// processed, and otherwise asks `check` whether it took effect: `Some(result)`
/// when it did (the binding found for a create, the listing that no longer has the
/// binding for a delete), `None` when it did not.
pub(crate) async fn write<T, F, Fut, C, CFut>(
    retries: Retries<'_>,
    operation: Operation,
    mut attempt: F,
    mut check: C,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    C: FnMut() -> CFut,
    CFut: Future<Output = Result<Option<T>, Error>>,
{
    let kind = Kind::of(operation);
    let mut attempts = Attempts::new(retries, operation);
    let mut reconciled = false;
    loop {
        attempts.made += 1;
        let error = match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let failure = FailureKind::of(&error);
        match next(kind, failure, reconciled) {
            Next::Retry => {}
            Next::Fail => return Err(attempts.finish(error)),
            Next::Reconcile => {
                reconciled = true;
                tracing::warn!(
                    target: LOG_TARGET,
                    operation = %operation,
                    "outcome unknown ({error}); listing the prefix's bindings to find out"
                );
                match check().await {
                    Ok(Some(done)) => {
                        tracing::info!(target: LOG_TARGET, operation = %operation, "the listing shows the change: it was made");
                        return Ok(done);
                    }
                    Ok(None) => {
                        tracing::info!(target: LOG_TARGET, operation = %operation, "the listing shows no change: it was not made");
                    }
                    Err(check_error) => {
                        return Err(Error::OutcomeUnknown {
                            operation,
                            cause: Box::new(attempts.finish(error)),
                            check: Some(Box::new(check_error)),
                        });
                    }
                }
            }
        }
        if !attempts.wait_for_next(&error, failure).await {
            return Err(attempts.finish(error));
        }
    }
}

#[cfg(test)]
mod tests;
