//! Client-side pacing: a rate limiter (governor's GCRA) and a concurrency cap, so that a bulk
//! export uses a vendor's published budget without tripping it.
//!
//! Vendors count calls in fixed calendar minutes. A GCRA limiter with a burst of `b` lets at
//! most `rate + b` calls into any calendar minute, so the burst is kept small (one second's
//! worth by default) and the default rates sit below the published limits.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A rate limit and an optional concurrency cap, shared by all calls of one client.
#[derive(Clone)]
pub struct Pacer {
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
    concurrency: Option<Arc<Semaphore>>,
    per_minute: Option<u32>,
    burst: u32,
    max_in_flight: Option<usize>,
}

impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pacer")
            .field("per_minute", &self.per_minute)
            .field("burst", &self.burst)
            .field("max_in_flight", &self.max_in_flight)
            .finish()
    }
}

impl Pacer {
    /// No limits at all.
    pub fn unlimited() -> Self {
        Self {
            limiter: None,
            concurrency: None,
            per_minute: None,
            burst: 0,
            max_in_flight: None,
        }
    }

    /// At most `calls` per minute, with a burst of one second's worth (at least 1).
    /// `0` means unlimited.
    pub fn per_minute(calls: u32) -> Self {
        Self::per_minute_with_burst(calls, (calls / 60).max(1))
    }

    /// At most `calls` per minute with an explicit burst. `0` calls means unlimited.
    pub fn per_minute_with_burst(calls: u32, burst: u32) -> Self {
        let Some(rate) = NonZeroU32::new(calls) else {
            return Self::unlimited();
        };
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(rate).allow_burst(burst);
        Self {
            limiter: Some(Arc::new(RateLimiter::direct(quota))),
            concurrency: None,
            per_minute: Some(calls),
            burst: burst.get(),
            max_in_flight: None,
        }
    }

    /// Also caps the number of calls in flight (`0`: no cap).
    pub fn with_max_in_flight(mut self, n: usize) -> Self {
        if n == 0 {
            self.concurrency = None;
            self.max_in_flight = None;
        } else {
            self.concurrency = Some(Arc::new(Semaphore::new(n)));
            self.max_in_flight = Some(n);
        }
        self
    }

    /// The configured calls per minute, if limited.
    pub fn calls_per_minute(&self) -> Option<u32> {
        self.per_minute
    }

    /// The configured cap on calls in flight, if any.
    pub fn max_in_flight(&self) -> Option<usize> {
        self.max_in_flight
    }

    /// A pacer with the same limits and a budget of its own (for a vendor that counts each
    /// API separately: one per API, from one configured pacer).
    pub fn with_own_budget(&self) -> Self {
        Self::per_minute_with_burst(self.per_minute.unwrap_or(0), self.burst)
            .with_max_in_flight(self.max_in_flight.unwrap_or(0))
    }

    /// Waits for a free slot and a rate token. Hold the permit for the duration of the call.
    ///
    /// The slot is taken first and the rate token last, so a call leaves right after its token:
    /// tokens taken while waiting for a slot would let several calls leave together later and
    /// crowd a vendor's fixed calendar-minute window.
    pub async fn acquire(&self) -> PacerPermit {
        let permit = match &self.concurrency {
            // The semaphore is never closed, so acquisition only fails if it were.
            Some(sem) => sem.clone().acquire_owned().await.ok(),
            None => None,
        };
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
        PacerPermit { _permit: permit }
    }
}

impl Default for Pacer {
    fn default() -> Self {
        Self::unlimited()
    }
}

/// Parses a calls-per-minute setting (`ROSTER_<VENDOR>_CALLS_PER_MINUTE`): a whole number, `0`
/// meaning unlimited. Anything else is a [`crate::ErrorKind::Config`] error naming `variable`.
pub fn parse_calls_per_minute(variable: &str, value: &str) -> crate::Result<u32> {
    value.trim().parse::<u32>().map_err(|_| {
        crate::Error::config(format!(
            "{variable} must be a whole number of calls per minute (0: unlimited), not {:?}",
            value.trim()
        ))
    })
}

/// Proof of a paced call slot; dropping it frees the concurrency slot.
#[derive(Debug)]
pub struct PacerPermit {
    _permit: Option<OwnedSemaphorePermit>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    #[test]
    fn calls_per_minute_settings() {
        assert_eq!(parse_calls_per_minute("X", " 3000 ").unwrap(), 3000);
        assert_eq!(parse_calls_per_minute("X", "0").unwrap(), 0);
        let e = parse_calls_per_minute("ROSTER_X_CALLS_PER_MINUTE", "fast").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config);
        assert!(e.message().contains("ROSTER_X_CALLS_PER_MINUTE"));
    }

    #[test]
    fn own_budget_keeps_the_limits_and_not_the_budget() {
        // One call a minute: a second call within the minute is refused by the same budget.
        let first = Pacer::per_minute_with_burst(1, 1).with_max_in_flight(3);
        let limiter = |p: &Pacer| p.limiter.clone().expect("a rate limit");
        assert!(limiter(&first).check().is_ok());
        assert!(
            limiter(&first.clone()).check().is_err(),
            "clones share one budget"
        );
        let own = first.with_own_budget();
        assert_eq!(own.calls_per_minute(), Some(1));
        assert_eq!(own.max_in_flight(), Some(3));
        assert!(limiter(&own).check().is_ok(), "a budget of its own");
        assert_eq!(
            Pacer::unlimited().with_own_budget().calls_per_minute(),
            None
        );
    }

    #[tokio::test]
    async fn unlimited_never_waits() {
        let p = Pacer::unlimited();
        for _ in 0..1000 {
            let _permit = p.acquire().await;
        }
        assert_eq!(p.calls_per_minute(), None);
    }

    #[tokio::test]
    async fn burst_passes_then_the_rate_applies() {
        // 600/min = one call per 100 ms, burst 10: the first ten pass at once, the eleventh
        // waits about 100 ms. Only a lower bound is asserted (a slow machine can only add time).
        let p = Pacer::per_minute(600);
        let start = Instant::now();
        for _ in 0..11 {
            let _permit = p.acquire().await;
        }
        assert!(start.elapsed() >= Duration::from_millis(80));
    }

    #[tokio::test]
    async fn concurrency_cap_holds() {
        let p = Pacer::unlimited().with_max_in_flight(2);
        let live = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (p, live, peak) = (p.clone(), live.clone(), peak.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = p.acquire().await;
                let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                live.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }
}
