//! The client-side rate limit of a [`Client`](crate::Client): requests evenly
//! spaced, at most one per interval, shared by every handle and clone of the
//! client. On tokio's clock, so it follows a paused clock in tests.

use std::time::Duration;

use tokio::{sync::Mutex, time::Instant};

/// Evenly spaced slots: each request takes the next free one and waits for it.
#[derive(Debug)]
pub(crate) struct Pacer {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// A pacer of `per_second` requests per second (finite, above zero).
    pub(crate) fn new(per_second: f64) -> Self {
        Self {
            interval: Duration::from_secs_f64(1.0 / per_second),
            next: Mutex::new(None),
        }
    }

    /// The rate, in requests per second.
    pub(crate) fn per_second(&self) -> f64 {
        1.0 / self.interval.as_secs_f64()
    }

    /// Waits for this request's slot: at once when the last one was an interval
    /// ago or more, else until an interval after it.
    pub(crate) async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |next| next.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_interval() {
        let pacer = Pacer::new(4.0);
        assert!((pacer.per_second() - 4.0).abs() < 1e-9);
        let start = Instant::now();
        let mut at = Vec::new();
        for _ in 0..4 {
            pacer.wait().await;
            at.push(start.elapsed().as_millis());
        }
        assert_eq!(at, [0, 250, 500, 750]);
        // After a pause longer than the interval, the next request goes at once.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let before = Instant::now();
        pacer.wait().await;
        assert_eq!(before.elapsed(), Duration::ZERO);
    }
}
