//! The client-side rate limit: a token bucket holding one token, on tokio's clock,
//! so that requests leave evenly spaced, `1 / rate` apart.

use std::{
    sync::{Mutex, PoisonError},
    time::Duration,
};

use tokio::time::Instant;

use crate::error::ConfigError;

/// Spaces the requests of a client (and of its clones and handles, which share it).
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_second: f64,
    interval: Duration,
    next: Mutex<Next>,
}

/// When the next request may leave.
#[derive(Debug, Clone, Copy)]
enum Next {
    /// Now: no request has been made yet, or the last one was long enough ago.
    Free,
    /// At this instant.
    At(Instant),
    /// Beyond what the clock can represent (a rate of almost zero).
    Never,
}

impl RateLimiter {
    /// A limiter of `per_second` requests per second.
    ///
    /// # Errors
    /// A [`ConfigError`] when the rate is not a finite number above zero, or so small
    /// that the interval between two requests cannot be represented.
    pub(crate) fn new(per_second: f64) -> Result<Self, ConfigError> {
        let refused = |why: &str| {
            ConfigError::new(
                None,
                format!(
                    "rate limit of {per_second} requests per second: {why}; give a finite number above 0, or no limit"
                ),
            )
        };
        if !per_second.is_finite() || per_second <= 0.0 {
            return Err(refused("not a finite number above 0"));
        }
        let interval =
            Duration::try_from_secs_f64(per_second.recip()).map_err(|_| refused("too small"))?;
        Ok(Self {
            per_second,
            interval,
            next: Mutex::new(Next::Free),
        })
    }

    /// The rate, in requests per second.
    pub(crate) fn per_second(&self) -> f64 {
        self.per_second
    }

    /// The time between two requests.
    pub(crate) fn interval(&self) -> Duration {
        self.interval
    }

    /// Waits for the next free slot and takes it, telling `before_waiting` how long
    /// the wait will be when there is one. Slots are handed out in the order of the
    /// calls; a caller that stops waiting leaves its slot unused.
    pub(crate) async fn acquire(&self, before_waiting: impl FnOnce(Duration)) {
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let slot = match *next {
                Next::Free => Some(now),
                Next::At(at) => Some(at.max(now)),
                Next::Never => None,
            };
            *next = slot
                .and_then(|slot| slot.checked_add(self.interval))
                .map_or(Next::Never, Next::At);
            slot
        };
        match slot {
            Some(slot) => {
                let delay = slot.saturating_duration_since(Instant::now());
                if !delay.is_zero() {
                    before_waiting(delay);
                }
                tokio::time::sleep_until(slot).await;
            }
            None => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_finite_rate_above_zero_is_accepted() {
        for bad in [
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e-320,
        ] {
            let error = RateLimiter::new(bad).expect_err("refused");
            assert!(error.message().contains("rate limit"), "{error}");
        }
        let limiter = RateLimiter::new(4.0).expect("accepted");
        assert_eq!(limiter.per_second(), 4.0);
        assert_eq!(limiter.interval, Duration::from_millis(250));
    }

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_interval() {
        let limiter = RateLimiter::new(4.0).expect("accepted");
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..5 {
            limiter.acquire(|_| {}).await;
            times.push(start.elapsed());
        }
        let expected: Vec<Duration> = (0..5).map(|i| Duration::from_millis(250 * i)).collect();
        assert_eq!(times, expected);
    }

    #[tokio::test(start_paused = true)]
    async fn a_caller_that_must_wait_is_told_how_long_first() {
        let limiter = RateLimiter::new(0.25).expect("accepted");
        let mut told = Vec::new();
        for _ in 0..2 {
            let start = Instant::now();
            limiter.acquire(|delay| told.push(delay)).await;
            // Told before the wait, not after.
            assert_eq!(start.elapsed(), told.last().copied().unwrap_or_default());
        }
        assert_eq!(told, [Duration::from_secs(4)]);
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_limiter_does_not_save_up_a_burst() {
        let limiter = RateLimiter::new(2.0).expect("accepted");
        limiter.acquire(|_| {}).await;
        tokio::time::sleep(Duration::from_secs(10)).await;
        let start = Instant::now();
        limiter.acquire(|_| {}).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire(|_| {}).await;
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_the_slots() {
        let limiter = std::sync::Arc::new(RateLimiter::new(10.0).expect("accepted"));
        let start = Instant::now();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let limiter = std::sync::Arc::clone(&limiter);
                tokio::spawn(async move {
                    limiter.acquire(|_| {}).await;
                    start.elapsed()
                })
            })
            .collect();
        let mut times = Vec::new();
        for task in tasks {
            times.push(task.await.expect("task"));
        }
        times.sort();
        let expected: Vec<Duration> = (0..4).map(|i| Duration::from_millis(100 * i)).collect();
        assert_eq!(times, expected);
    }
}
