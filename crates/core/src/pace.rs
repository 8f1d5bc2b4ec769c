//! Client-side pacing: a rate limiter (governor's GCRA) and a concurrency cap, so that a bulk
//! export uses a vendor's published budget without tripping it.
//!
//! Vendors count calls in fixed calendar minutes. A GCRA limiter with a burst of `b` lets at
//! most `rate + b` calls into any calendar minute, so the burst is kept small (one second's
//! worth by default) and the default rates sit below the published limits.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use async_trait::async_trait;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A rate budget several processes share (such as `roster_store::PgRateBudgets`): a call
/// waits for a slot in it after the pacer's own limits, so that N processes of one vendor app
/// together stay within the app's budget instead of each using all of it.
#[async_trait]
pub trait SharedBudget: Send + Sync + fmt::Debug {
    /// Waits until `bucket` (one vendor app's budget, or one API's of it) lets one more call
    /// go at `per_minute` calls a minute with a burst of `burst`. An error (the budget's store
    /// is unreachable) fails the call.
    async fn acquire(&self, bucket: &str, per_minute: u32, burst: u32) -> crate::Result<()>;
}

/// A rate limit and an optional concurrency cap, shared by all calls of one client.
#[derive(Clone)]
pub struct Pacer {
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
    concurrency: Option<Arc<Semaphore>>,
    per_minute: Option<u32>,
    burst: u32,
    max_in_flight: Option<usize>,
    /// A budget shared with other processes, and this pacer's bucket in it.
    shared: Option<(Arc<dyn SharedBudget>, Arc<str>)>,
}

impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pacer")
            .field("per_minute", &self.per_minute)
            .field("burst", &self.burst)
            .field("max_in_flight", &self.max_in_flight)
            .field("shared", &self.shared.as_ref().map(|(_, bucket)| bucket))
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
            shared: None,
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
            shared: None,
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
        let mut own = Self::per_minute_with_burst(self.per_minute.unwrap_or(0), self.burst)
            .with_max_in_flight(self.max_in_flight.unwrap_or(0));
        own.shared = self.shared.clone();
        own
    }

    /// Also waits for `bucket` of a budget other processes share (the vendor app's name, such
    /// as `tencent:<AppId>`), at this pacer's rate and burst. An unlimited pacer has no rate
    /// to share and stays unlimited.
    pub fn shared(mut self, budget: Arc<dyn SharedBudget>, bucket: &str) -> Self {
        self.shared = Some((budget, Arc::from(bucket)));
        self
    }

    /// The same pacer with its shared bucket narrowed to `part` (one API of an app whose
    /// vendor counts each API apart: `wecom:<corp>:<app>:get_info`).
    pub fn in_bucket(mut self, part: &str) -> Self {
        if let Some((budget, bucket)) = self.shared.take() {
            self.shared = Some((budget, Arc::from(format!("{bucket}:{part}"))));
        }
        self
    }

    /// The shared bucket, if any.
    pub fn shared_bucket(&self) -> Option<&str> {
        self.shared.as_ref().map(|(_, bucket)| &**bucket)
    }

    /// Waits for a free slot and a rate token. Hold the permit for the duration of the call.
    ///
    /// The slot is taken first and the rate token last, so a call leaves right after its token:
    /// tokens taken while waiting for a slot would let several calls leave together later and
    /// crowd a vendor's fixed calendar-minute window.
    ///
    /// A shared budget is asked last: its slot is the one that leaves. Fails only when the
    /// shared budget cannot be reached.
    pub async fn acquire(&self) -> crate::Result<PacerPermit> {
        let permit = match &self.concurrency {
            // The semaphore is never closed, so acquisition only fails if it were.
            Some(sem) => sem.clone().acquire_owned().await.ok(),
            None => None,
        };
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
        if let (Some((budget, bucket)), Some(per_minute)) = (&self.shared, self.per_minute) {
            budget.acquire(bucket, per_minute, self.burst).await?;
        }
        Ok(PacerPermit { _permit: permit })
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

    /// Records the buckets asked; fails for a bucket named "down".
    #[derive(Debug, Default)]
    struct Recorder(std::sync::Mutex<Vec<(String, u32, u32)>>);

    #[async_trait]
    impl SharedBudget for Recorder {
        async fn acquire(&self, bucket: &str, per_minute: u32, burst: u32) -> crate::Result<()> {
            if bucket.starts_with("down") {
                return Err(crate::Error::new(
                    crate::ErrorKind::Transport,
                    "unreachable",
                ));
            }
            self.0
                .lock()
                .unwrap()
                .push((bucket.into(), per_minute, burst));
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_shared_budget_is_asked_per_bucket_at_the_pacer_s_rate() {
        let shared = Arc::new(Recorder::default());
        let app = Pacer::per_minute_with_burst(6000, 100).shared(shared.clone(), "wecom:ww1:ab");
        let get_info = app.with_own_budget().in_bucket("get_info");
        assert_eq!(get_info.shared_bucket(), Some("wecom:ww1:ab:get_info"));
        app.acquire().await.unwrap();
        get_info.acquire().await.unwrap();
        assert_eq!(
            *shared.0.lock().unwrap(),
            vec![
                ("wecom:ww1:ab".to_string(), 6000, 100),
                ("wecom:ww1:ab:get_info".to_string(), 6000, 100),
            ]
        );
        // Unlimited: nothing to share.
        Pacer::unlimited()
            .shared(shared.clone(), "x")
            .acquire()
            .await
            .unwrap();
        assert_eq!(shared.0.lock().unwrap().len(), 2);
        // An unreachable budget fails the call.
        let e = Pacer::per_minute(60)
            .shared(shared, "down")
            .acquire()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Transport);
        assert!(format!("{:?}", Pacer::unlimited()).contains("shared: None"));
    }

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
