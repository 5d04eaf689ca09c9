//! Long waits: what the client waits for when it pauses for more than
//! [`LONG_WAIT`] (a `Retry-After`, a backoff, its rate limit, a binding still
//! provisioning), told to the callback of
//! [`ClientBuilder::on_long_wait`](crate::ClientBuilder::on_long_wait) before the
//! pause starts, so that a program can say why it is silent.

use std::{fmt, sync::Arc, time::Duration};

use crate::{
    text::human, types::cidr::Cidr, types::ids::BindingId, types::operation::Operation,
    types::state::ProvisioningState,
};

/// Pauses longer than this are told to
/// [`ClientBuilder::on_long_wait`](crate::ClientBuilder::on_long_wait); shorter ones
/// pass in silence.
pub const LONG_WAIT: Duration = Duration::from_secs(2);

/// A pause of the client longer than [`LONG_WAIT`], told before it starts.
///
/// Its `Display` is one line for a person, for example `waiting 5m 0s (Retry-After)
/// to retry list service bindings: rate limited by Cloudflare (HTTP 429), 1 of 4
/// attempts made`. [`LongWait::after`] gives the same wait as it stands later, for a
/// countdown.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LongWait {
    /// The operation that waits: the one to send again, the one waiting for its
    /// rate-limit slot, or the get that polls a provisioning binding.
    pub operation: Operation,
    /// How long the pause lasts.
    pub duration: Duration,
    /// What it waits for.
    pub reason: WaitReason,
}

/// Why the client pauses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitReason {
    /// Before sending a failed request again, under the
    /// [`RetryPolicy`](crate::RetryPolicy).
    Retry {
        /// What failed, in a few words: `rate limited by Cloudflare (HTTP 429)`,
        /// `server error (HTTP 503)`, `no answer within 30s`, ...
        cause: String,
        /// Whether the server chose the delay (`Retry-After` or `retry-after-ms`,
        /// capped by the policy) rather than the policy's backoff.
        retry_after: bool,
        /// The attempts made so far.
        attempts_made: u32,
        /// The attempts the policy allows.
        max_attempts: u32,
    },
    /// Waiting for a slot of the client's own rate limit
    /// ([`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit)).
    RateLimit {
        /// The time between two requests.
        interval: Duration,
    },
    /// Polling a binding until it is active
    /// ([`Bindings::wait_until_active`](crate::Bindings::wait_until_active)): the
    /// pause before the next poll.
    Provisioning {
        /// The binding waited for.
        binding_id: BindingId,
        /// Its CIDR.
        cidr: Cidr,
        /// Its state at the last poll.
        state: ProvisioningState,
        /// How long the whole wait may still last, this pause included
        /// ([`WaitOptions::timeout`](crate::WaitOptions::timeout) minus the time
        /// waited so far).
        remaining: Duration,
    },
}

impl LongWait {
    /// The same wait as it stands `elapsed` after it was told: what is left of
    /// the pause (and of a provisioning wait), for a countdown.
    pub fn after(&self, elapsed: Duration) -> LongWait {
        let mut later = self.clone();
        later.duration = later.duration.saturating_sub(elapsed);
        if let WaitReason::Provisioning { remaining, .. } = &mut later.reason {
            *remaining = remaining.saturating_sub(elapsed);
        }
        later
    }
}

impl fmt::Display for LongWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let waiting = human(self.duration);
        match &self.reason {
            WaitReason::Retry {
                cause,
                retry_after,
                attempts_made,
                max_attempts,
            } => write!(
                f,
                "waiting {waiting} ({}) to retry {}: {cause}, {attempts_made} of {max_attempts} attempts made",
                if *retry_after {
                    "Retry-After"
                } else {
                    "backoff"
                },
                self.operation,
            ),
            WaitReason::RateLimit { interval } => write!(
                f,
                "waiting {waiting} to send {}: the client's rate limit spaces requests {} apart",
                self.operation,
                human(*interval)
            ),
            WaitReason::Provisioning {
                binding_id,
                cidr,
                state,
                remaining,
            } => write!(
                f,
                "waiting {waiting} to check binding {binding_id} ({cidr}) again: it is {state}, {} left of the wait",
                human(*remaining)
            ),
        }
    }
}

/// The callback of [`ClientBuilder::on_long_wait`](crate::ClientBuilder::on_long_wait),
/// if any: told of every pause longer than [`LONG_WAIT`].
#[derive(Clone, Default)]
pub(crate) struct Observer {
    callback: Option<Callback>,
}

/// What [`ClientBuilder::on_long_wait`](crate::ClientBuilder::on_long_wait) is given.
type Callback = Arc<dyn Fn(&LongWait) + Send + Sync>;

impl Observer {
    /// No callback: long waits are not told.
    #[cfg(test)]
    pub(crate) const NONE: Observer = Observer { callback: None };

    /// An observer calling `callback`.
    pub(crate) fn new(callback: impl Fn(&LongWait) + Send + Sync + 'static) -> Self {
        Self {
            callback: Some(Arc::new(callback)),
        }
    }

    /// Tells the callback of a pause of `duration`, when it is longer than
    /// [`LONG_WAIT`]; `wait` builds what is told.
    pub(crate) fn pause(&self, duration: Duration, wait: impl FnOnce() -> (Operation, WaitReason)) {
        if duration <= LONG_WAIT {
            return;
        }
        let (operation, reason) = wait();
        let wait = LongWait {
            operation,
            duration,
            reason,
        };
        tracing::debug!(operation = %operation, "{wait}");
        if let Some(callback) = &self.callback {
            callback(&wait);
        }
    }
}

impl fmt::Debug for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.callback {
            Some(_) => "Some(callback)",
            None => "None",
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn retry(duration: Duration) -> LongWait {
        LongWait {
            operation: Operation::ListBindings,
            duration,
            reason: WaitReason::Retry {
                cause: "rate limited by Cloudflare (HTTP 429)".to_owned(),
                retry_after: true,
                attempts_made: 1,
                max_attempts: 4,
            },
        }
    }

    #[test]
    fn an_observer_shows_whether_it_has_a_callback_and_nothing_else() {
        assert_eq!(format!("{:?}", Observer::NONE), "None");
        assert_eq!(format!("{:?}", Observer::new(|_| {})), "Some(callback)");
    }

    #[test]
    fn each_reason_reads_as_one_line() {
        assert_eq!(
            retry(Duration::from_secs(300)).to_string(),
            "waiting 5m 0s (Retry-After) to retry list service bindings: rate limited by Cloudflare (HTTP 429), 1 of 4 attempts made"
        );
        let limited = LongWait {
            operation: Operation::CreateBinding,
            duration: Duration::from_millis(2500),
            reason: WaitReason::RateLimit {
                interval: Duration::from_secs(10),
            },
        };
        assert_eq!(
            limited.to_string(),
            "waiting 2.5s to send create service binding: the client's rate limit spaces requests 10s apart"
        );
        let polling = LongWait {
            operation: Operation::GetBinding,
            duration: Duration::from_secs(30),
            reason: WaitReason::Provisioning {
                binding_id: "0429b49b6a5155297b78e75a44b09e14"
                    .parse()
                    .unwrap_or_else(|e| panic!("{e}")),
                cidr: "203.0.113.7/32".parse().unwrap_or_else(|e| panic!("{e}")),
                state: ProvisioningState::Provisioning,
                remaining: Duration::from_secs(7 * 3600),
            },
        };
        assert_eq!(
            polling.to_string(),
            "waiting 30s to check binding 0429b49b6a5155297b78e75a44b09e14 (203.0.113.7/32) again: it is provisioning, 7h 0m 0s left of the wait"
        );
        assert_eq!(
            polling.after(Duration::from_secs(12)).to_string(),
            "waiting 18s to check binding 0429b49b6a5155297b78e75a44b09e14 (203.0.113.7/32) again: it is provisioning, 6h 59m 48s left of the wait"
        );
        assert_eq!(
            polling.after(Duration::from_secs(8 * 3600)).duration,
            Duration::ZERO
        );
    }

    #[test]
    fn only_pauses_longer_than_two_seconds_are_told() {
        let told = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&told);
        let observer = Observer::new(move |wait| {
            sink.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(wait.clone());
        });
        let reason = || {
            let LongWait {
                operation, reason, ..
            } = retry(Duration::ZERO);
            (operation, reason)
        };
        observer.pause(Duration::from_secs(1), reason);
        observer.pause(LONG_WAIT, reason);
        observer.pause(LONG_WAIT + Duration::from_millis(1), reason);
        observer.pause(Duration::from_secs(5), reason);
        let told = told
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|w| w.duration)
            .collect::<Vec<_>>();
        assert_eq!(told, [Duration::from_millis(2001), Duration::from_secs(5)]);
        // Without a callback, nothing to tell and nothing fails.
        Observer::default().pause(Duration::from_secs(5), reason);
    }
}
