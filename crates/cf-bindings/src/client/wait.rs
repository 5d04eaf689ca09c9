//! Waiting for a binding to become active: [`WaitOptions`] and the polling loop.

use std::{future::Future, time::Duration};

use tokio::time::Instant;

use crate::{
    client::long_wait::{Observer, WaitReason},
    error::Error,
    types::binding::ServiceBinding,
    types::ids::BindingId,
    types::operation::Operation,
    types::state::ProvisioningState,
};

/// How long and how often [`Bindings::wait_until_active`](crate::Bindings::wait_until_active) polls.
///
/// A new binding takes four to six hours to propagate. `wait_until_active` polls it
/// with a growing interval and reports every state it observes through a callback,
/// so a command-line tool can show progress; a pause between two polls longer than
/// [`LONG_WAIT`](crate::wait::LONG_WAIT) is also told to
/// [`ClientBuilder::on_long_wait`](crate::ClientBuilder::on_long_wait). It ends with:
/// - `Ok(binding)` once the binding is `active`;
/// - [`Error::RouteMissing`] as soon as it reports `magic_transit_route_missing`
///   (waiting will not help);
/// - [`Error::BindingGone`] when the binding disappears (the server answers 404 after
///   it had shown it; a 404 on the first poll is returned as it is);
/// - [`Error::WaitTimeout`] when [`WaitOptions::timeout`] has passed;
/// - any other error of the get request (after its own retries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitOptions {
    timeout: Duration,
    initial_interval: Duration,
    max_interval: Duration,
}

impl Default for WaitOptions {
    /// Up to 7 hours, polling after 15 s, then doubling up to every 5 minutes.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(7 * 3600),
            initial_interval: Duration::from_secs(15),
            max_interval: Duration::from_secs(300),
        }
    }
}

impl WaitOptions {
    /// The default options (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets how long to wait in total before giving up.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the delay between the first two polls; later delays double.
    pub fn with_initial_interval(mut self, interval: Duration) -> Self {
        self.initial_interval = interval;
        self
    }

    /// Sets the longest delay between two polls.
    pub fn with_max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// How long to wait in total.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The delay between the first two polls.
    pub fn initial_interval(&self) -> Duration {
        self.initial_interval
    }

    /// The longest delay between two polls.
    pub fn max_interval(&self) -> Duration {
        self.max_interval
    }
}

/// Polls with `get` until the binding is active, telling `observer` of long
/// pauses; the outcomes are those of [`WaitOptions`].
pub(crate) async fn until_active<F, Fut>(
    binding_id: &BindingId,
    options: &WaitOptions,
    observer: &Observer,
    mut get: F,
    mut on_state: impl FnMut(&ServiceBinding),
) -> Result<ServiceBinding, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<ServiceBinding, Error>>,
{
    let start = Instant::now();
    let mut interval = options.initial_interval;
    // A 404 before the binding was ever seen is a wrong id, not a deletion.
    let mut seen = false;
    loop {
        let binding = match get().await {
            Ok(binding) => binding,
            Err(error) if seen && error.status() == Some(404) => {
                return Err(Error::BindingGone {
                    binding_id: binding_id.clone(),
                });
            }
            Err(error) => return Err(error),
        };
        tracing::debug!(binding = %binding.id, state = %binding.state, "observed state");
        seen = true;
        on_state(&binding);
        match binding.state {
            ProvisioningState::Active => return Ok(binding),
            ProvisioningState::MagicTransitRouteMissing => {
                return Err(Error::RouteMissing {
                    binding: Box::new(binding),
                });
            }
            _ => {}
        }
        let waited = start.elapsed();
        if waited >= options.timeout {
            return Err(Error::WaitTimeout {
                binding_id: binding_id.clone(),
                last_state: binding.state,
                waited,
            });
        }
        let remaining = options.timeout - waited;
        let pause = interval.min(remaining);
        observer.pause(pause, || {
            (
                Operation::GetBinding,
                WaitReason::Provisioning {
                    binding_id: binding_id.clone(),
                    cidr: binding.cidr,
                    state: binding.state.clone(),
                    remaining,
                },
            )
        });
        tokio::time::sleep(pause).await;
        interval = interval.saturating_mul(2).min(options.max_interval);
    }
}
