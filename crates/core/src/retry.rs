//! Retries as a pure decision plus a small executor.
//!
//! [`RetryPolicy::decide`] maps (error, what happened so far, a jitter sample) to a
//! [`Decision`]; it has no clock and no randomness of its own, so its table is tested directly.
//! [`Retrier::run`] applies decisions, sleeping on an injected [`Clock`](crate::Clock). Every attempt calls
//! the operation again from scratch, so vendor crates re-authorize (fresh Tencent nonce and
//! timestamp, current WeCom token) on each one.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::clock::SharedClock;
use crate::error::{Error, Result, RetryClass};

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Give up and return the error.
    Stop,
    /// Try again after this delay.
    RetryAfter(Duration),
    /// Refresh the credential, then try again at once.
    RefreshAuthThenRetry,
}

/// How much retrying a call may do. Defaults: full-jitter exponential backoff, base 1 s,
/// factor 2, cap 20 s (the three specs' backoff), at most 8 retries and none that would start
/// more than two minutes after the call began (the specs suggest 3 retries; under a steady
/// fault rate that loses a long export about once per hundred pages, so the time budget is the
/// real bound); one credential refresh; one replay re-sign; two rate-limit waits of at most two
/// minutes each.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries of [`RetryClass::Retry`]/[`RetryClass::RetrySlow`] errors (attempts = this + 1).
    pub max_retries: u32,
    /// Time budget of those retries: none starts later than this after the call began
    /// (attempts and waits included), whatever `max_retries` allows.
    pub max_elapsed: Duration,
    /// First backoff ceiling.
    pub base: Duration,
    /// First backoff ceiling for [`RetryClass::RetrySlow`].
    pub slow_base: Duration,
    /// Growth of the ceiling per retry.
    pub factor: u32,
    /// Largest backoff ceiling.
    pub cap: Duration,
    /// Credential refreshes per call.
    pub max_auth_refreshes: u32,
    /// Re-signed retries after a replay rejection per call.
    pub max_replays: u32,
    /// Waits for a rate-limit window per call.
    pub max_rate_limit_waits: u32,
    /// Wait when a rate-limit error does not say how long.
    pub default_rate_limit_wait: Duration,
    /// Longest rate-limit wait taken; longer ones (daily limits) are returned to the caller.
    pub max_rate_limit_wait: Duration,
    /// Extra random wait added to a rate-limit wait, so that clients do not all return at the
    /// top of the minute.
    pub rate_limit_jitter: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 8,
            max_elapsed: Duration::from_secs(120),
            base: Duration::from_secs(1),
            slow_base: Duration::from_secs(5),
            factor: 2,
            cap: Duration::from_secs(20),
            max_auth_refreshes: 1,
            max_replays: 1,
            max_rate_limit_waits: 2,
            default_rate_limit_wait: Duration::from_secs(60),
            max_rate_limit_wait: Duration::from_secs(120),
            rate_limit_jitter: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries (each call is one attempt).
    pub fn never() -> Self {
        Self {
            max_retries: 0,
            max_auth_refreshes: 0,
            max_replays: 0,
            max_rate_limit_waits: 0,
            ..Self::default()
        }
    }

    /// Sets the number of backoff retries.
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets the time budget of backoff retries.
    pub fn with_max_elapsed(mut self, budget: Duration) -> Self {
        self.max_elapsed = budget;
        self
    }

    /// Sets the backoff base and cap.
    pub fn with_backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.base = base;
        self.slow_base = base.saturating_mul(5);
        self.cap = cap;
        self
    }

    /// Sets how many rate-limit waits a call may take.
    pub fn with_max_rate_limit_waits(mut self, n: u32) -> Self {
        self.max_rate_limit_waits = n;
        self
    }

    /// Sets the longest rate-limit wait taken.
    pub fn with_max_rate_limit_wait(mut self, d: Duration) -> Self {
        self.max_rate_limit_wait = d;
        self
    }

    /// The backoff ceiling before retry number `retry` (0-based): `min(cap, base × factorʳᵉᵗʳʸ)`.
    pub fn ceiling(&self, retry: u32, slow: bool) -> Duration {
        let base = if slow { self.slow_base } else { self.base };
        let mut d = base;
        for _ in 0..retry {
            d = d.saturating_mul(self.factor);
            if d >= self.cap {
                return self.cap;
            }
        }
        d.min(self.cap)
    }

    /// Full-jitter backoff: `jitter × ceiling(retry)`, with `jitter` in `[0, 1)`.
    pub fn backoff(&self, retry: u32, slow: bool, jitter: f64) -> Duration {
        self.ceiling(retry, slow).mul_f64(jitter.clamp(0.0, 1.0))
    }

    /// The pure decision: given what happened so far on this call, the error of the latest
    /// attempt and a jitter sample in `[0, 1)`, what to do next.
    pub fn decide(&self, state: &RetryState, error: &Error, jitter: f64) -> Decision {
        match error.class() {
            RetryClass::Fatal => Decision::Stop,
            RetryClass::Retry | RetryClass::RetrySlow => {
                let slow = error.class() == RetryClass::RetrySlow;
                let delay = self.backoff(state.retries, slow, jitter);
                if state.retries >= self.max_retries
                    || state.elapsed.saturating_add(delay) > self.max_elapsed
                {
                    Decision::Stop
                } else {
                    Decision::RetryAfter(delay)
                }
            }
            RetryClass::RefreshAuth => {
                if state.auth_refreshes >= self.max_auth_refreshes {
                    Decision::Stop
                } else {
                    Decision::RefreshAuthThenRetry
                }
            }
            RetryClass::Replay => {
                if state.replays >= self.max_replays {
                    Decision::Stop
                } else {
                    Decision::RetryAfter(Duration::ZERO)
                }
            }
            RetryClass::RateLimited => {
                let wait = error.retry_after().unwrap_or(self.default_rate_limit_wait);
                if state.rate_limit_waits >= self.max_rate_limit_waits
                    || wait > self.max_rate_limit_wait
                {
                    Decision::Stop
                } else {
                    Decision::RetryAfter(
                        wait + self.rate_limit_jitter.mul_f64(jitter.clamp(0.0, 1.0)),
                    )
                }
            }
        }
    }
}

/// What has happened so far on one call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetryState {
    /// Attempts made.
    pub attempts: u32,
    /// Backoff retries taken.
    pub retries: u32,
    /// Credential refreshes taken.
    pub auth_refreshes: u32,
    /// Replay re-signs taken.
    pub replays: u32,
    /// Rate-limit waits taken.
    pub rate_limit_waits: u32,
    /// Time since the call began (on the retrier's clock).
    pub elapsed: Duration,
}

impl RetryState {
    /// Counts a decision taken for an error of `class`.
    pub fn record(&mut self, class: RetryClass, decision: Decision) {
        match (decision, class) {
            (Decision::Stop, _) => {}
            (Decision::RefreshAuthThenRetry, _) => self.auth_refreshes += 1,
            (Decision::RetryAfter(_), RetryClass::Replay) => self.replays += 1,
            (Decision::RetryAfter(_), RetryClass::RateLimited) => self.rate_limit_waits += 1,
            (Decision::RetryAfter(_), _) => self.retries += 1,
        }
    }
}

/// What the operation learns about the attempt it is making.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// The previous attempt's credential was rejected: refresh it before this attempt.
    pub refresh_auth: bool,
}

/// Runs an operation under a [`RetryPolicy`], sleeping on an injected clock.
#[derive(Clone)]
pub struct Retrier {
    policy: RetryPolicy,
    clock: SharedClock,
    jitter: Arc<dyn Fn() -> f64 + Send + Sync>,
    stats: Arc<CallStats>,
}

/// What a client has done so far, for progress displays: counters shared by every clone of
/// its [`Retrier`].
#[derive(Debug, Default)]
pub struct CallStats {
    calls: AtomicU64,
    rate_limit_waits: AtomicU64,
}

impl CallStats {
    /// Requests sent (every attempt of every business call; token fetches excluded).
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Times a call waited because the vendor refused it for its rate limit.
    pub fn rate_limit_waits(&self) -> u64 {
        self.rate_limit_waits.load(Ordering::Relaxed)
    }

    /// Counts one request sent.
    pub fn count_call(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }
}

impl fmt::Debug for Retrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retrier")
            .field("policy", &self.policy)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl Retrier {
    /// An executor with random jitter.
    pub fn new(policy: RetryPolicy, clock: SharedClock) -> Self {
        Self {
            policy,
            clock,
            jitter: Arc::new(rand::random::<f64>),
            stats: Arc::default(),
        }
    }

    /// The calls and rate-limit waits of this retrier and its clones so far (clone the `Arc`
    /// to watch them while the client works).
    pub fn stats(&self) -> &Arc<CallStats> {
        &self.stats
    }

    /// Replaces the jitter source (tests use a constant).
    pub fn with_jitter(mut self, jitter: impl Fn() -> f64 + Send + Sync + 'static) -> Self {
        self.jitter = Arc::new(jitter);
        self
    }

    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// The clock sleeps happen on.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// Calls `op` until it succeeds or the policy says stop; returns the last error then.
    pub async fn run<T, F, Fut>(&self, op: F) -> Result<T>
    where
        F: FnMut(Attempt) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.run_when(|_| true, op).await
    }

    /// Like [`Retrier::run`], but only errors for which `retry` holds are put to the policy;
    /// any other error ends the call as it is. The paginator uses it to retry malformed pages
    /// around a fetch whose own call already retried its transport errors (retrying those
    /// again would multiply the attempts).
    pub async fn run_when<T, F, Fut>(&self, retry: impl Fn(&Error) -> bool, mut op: F) -> Result<T>
    where
        F: FnMut(Attempt) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut state = RetryState::default();
        let mut refresh_auth = false;
        let started = self.clock.now();
        loop {
            state.attempts += 1;
            let attempt = Attempt {
                number: state.attempts,
                refresh_auth,
            };
            let error = match op(attempt).await {
                Ok(value) => return Ok(value),
                Err(error) if retry(&error) => error,
                Err(error) => return Err(error),
            };
            state.elapsed = (self.clock.now() - started)
                .try_into()
                .unwrap_or(Duration::ZERO);
            let decision = self.policy.decide(&state, &error, (self.jitter)());
            state.record(error.class(), decision);
            if matches!(decision, Decision::RetryAfter(_))
                && error.class() == RetryClass::RateLimited
            {
                self.stats.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
            }
            match decision {
                Decision::Stop => {
                    let error = finalize(error, state.auth_refreshes > 0);
                    // A message such as "no complete response within 30.0 s" tells one
                    // attempt; say how many there were and how long they took in all.
                    if state.attempts > 1 {
                        let spent = (self.clock.now() - started).as_seconds_f64().max(0.0);
                        return Err(error.with_context(format!(
                            "after {} attempts over {spent:.1} s",
                            state.attempts
                        )));
                    }
                    return Err(error);
                }
                Decision::RetryAfter(delay) => {
                    tracing::debug!(
                        attempt = attempt.number,
                        kind = %error.kind(),
                        code = error.vendor_code(),
                        delay_ms = delay.as_millis() as u64,
                        "retrying"
                    );
                    refresh_auth = false;
                    if !delay.is_zero() {
                        self.clock.sleep(delay).await;
                    }
                }
                Decision::RefreshAuthThenRetry => {
                    tracing::debug!(
                        attempt = attempt.number,
                        code = error.vendor_code(),
                        "credential rejected; refreshing once"
                    );
                    refresh_auth = true;
                }
            }
        }
    }
}

/// The error a call ends with. A credential rejected again after its one refresh, or a second
/// replay rejection, is final: its class becomes [`RetryClass::Fatal`], so that no caller
/// retries it again in a loop. `refreshed` says whether a refresh happened before (the hint
/// about a rejection "right after a refresh" is only true then).
fn finalize(error: Error, refreshed: bool) -> Error {
    match error.class() {
        RetryClass::RefreshAuth => {
            let hinted = error.hint().is_some();
            let error = error.with_class(RetryClass::Fatal);
            if hinted || !refreshed {
                error
            } else {
                error.with_hint(
                    "the vendor rejected the credential again right after a refresh; check the app's credentials and permissions",
                )
            }
        }
        RetryClass::Replay => error.with_class(RetryClass::Fatal),
        _ => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::error::{ApiDetails, ErrorKind};
    use crate::vendor::Vendor;
    use std::sync::Mutex;

    fn err(class: RetryClass) -> Error {
        Error::api(
            Vendor::WeCom,
            ApiDetails::new(-1, "busy"),
            ErrorKind::Api,
            class,
        )
    }

    #[test]
    fn decision_table() {
        let p = RetryPolicy::default();
        let fresh = RetryState::default();
        let spent = RetryState {
            attempts: 9,
            retries: 8,
            auth_refreshes: 1,
            replays: 1,
            rate_limit_waits: 2,
            elapsed: Duration::ZERO,
        };
        let cases = [
            (RetryClass::Fatal, fresh, Decision::Stop),
            (
                RetryClass::Retry,
                fresh,
                Decision::RetryAfter(Duration::from_millis(500)),
            ),
            (RetryClass::Retry, spent, Decision::Stop),
            (
                RetryClass::RetrySlow,
                fresh,
                Decision::RetryAfter(Duration::from_millis(2500)),
            ),
            (
                RetryClass::RefreshAuth,
                fresh,
                Decision::RefreshAuthThenRetry,
            ),
            (RetryClass::RefreshAuth, spent, Decision::Stop),
            (
                RetryClass::Replay,
                fresh,
                Decision::RetryAfter(Duration::ZERO),
            ),
            (RetryClass::Replay, spent, Decision::Stop),
            (
                RetryClass::RateLimited,
                fresh,
                Decision::RetryAfter(Duration::from_millis(60_500)),
            ),
            (RetryClass::RateLimited, spent, Decision::Stop),
        ];
        for (class, state, expected) in cases {
            assert_eq!(
                p.decide(&state, &err(class), 0.5),
                expected,
                "{class:?} {state:?}"
            );
        }
    }

    #[test]
    fn rate_limit_waits_use_the_error_and_refuse_long_waits() {
        let p = RetryPolicy::default();
        let s = RetryState::default();
        let minute = err(RetryClass::RateLimited).with_retry_after(Duration::from_secs(7));
        assert_eq!(
            p.decide(&s, &minute, 0.0),
            Decision::RetryAfter(Duration::from_secs(7))
        );
        let day = err(RetryClass::RateLimited).with_retry_after(Duration::from_secs(3600 * 5));
        assert_eq!(p.decide(&s, &day, 0.0), Decision::Stop);
    }

    #[test]
    fn backoff_bounds() {
        let p = RetryPolicy::default();
        assert_eq!(p.ceiling(0, false), Duration::from_secs(1));
        assert_eq!(p.ceiling(1, false), Duration::from_secs(2));
        assert_eq!(p.ceiling(4, false), Duration::from_secs(16));
        assert_eq!(p.ceiling(5, false), Duration::from_secs(20));
        assert_eq!(p.ceiling(60, false), Duration::from_secs(20), "no overflow");
        assert_eq!(p.ceiling(0, true), Duration::from_secs(5));
        for retry in 0..10 {
            for j in [0.0, 0.25, 0.999_999] {
                let d = p.backoff(retry, false, j);
                assert!(d <= p.ceiling(retry, false));
            }
            assert_eq!(p.backoff(retry, false, 0.0), Duration::ZERO);
        }
    }

    #[tokio::test]
    async fn executor_retries_transient_errors_then_gives_up() {
        let clock = ManualClock::at_unix(0);
        let r = Retrier::new(RetryPolicy::default(), Arc::new(clock.clone())).with_jitter(|| 1.0);
        let calls = Mutex::new(0u32);
        let result: Result<()> = r
            .run(|a| {
                *calls.lock().unwrap() += 1;
                assert_eq!(a.number, *calls.lock().unwrap());
                async { Err(err(RetryClass::Retry)) }
            })
            .await;
        assert!(result.is_err());
        assert_eq!(*calls.lock().unwrap(), 9, "one attempt and eight retries");
        let secs: Vec<u64> = clock.sleeps().iter().map(Duration::as_secs).collect();
        assert_eq!(
            secs,
            vec![1, 2, 4, 8, 16, 20, 20, 20],
            "doubling up to the cap"
        );

        // The time budget ends the retries first when the backoffs outgrow it.
        let clock = ManualClock::at_unix(0);
        let policy = RetryPolicy::default().with_max_elapsed(Duration::from_secs(40));
        let r = Retrier::new(policy, Arc::new(clock.clone())).with_jitter(|| 1.0);
        let _ = r
            .run(|_| async { Err::<(), _>(err(RetryClass::Retry)) })
            .await;
        let secs: Vec<u64> = clock.sleeps().iter().map(Duration::as_secs).collect();
        assert_eq!(
            secs,
            vec![1, 2, 4, 8, 16],
            "31 s spent; another 20 s would pass 40 s"
        );
    }

    #[test]
    fn retries_stop_at_the_time_budget() {
        let p = RetryPolicy::default().with_max_elapsed(Duration::from_secs(60));
        let e = Error::timeout(Vendor::WeCom, None);
        let mut state = RetryState::default();
        assert!(matches!(p.decide(&state, &e, 1.0), Decision::RetryAfter(_)));
        // 59.5 s gone and a 1 s backoff: past the budget.
        state.elapsed = Duration::from_millis(59_500);
        assert_eq!(p.decide(&state, &e, 1.0), Decision::Stop);
        // Rate-limit waits are bounded by their own count, not by this budget.
        let limited = Error::new(ErrorKind::RateLimited, "slow down");
        assert!(matches!(
            p.decide(&state, &limited, 0.0),
            Decision::RetryAfter(_)
        ));
    }

    #[tokio::test]
    async fn rate_limit_waits_are_counted_for_every_clone() {
        let clock = ManualClock::at_unix(0);
        let policy = RetryPolicy::default().with_max_elapsed(Duration::from_secs(3_600));
        let r = Retrier::new(policy, Arc::new(clock.clone())).with_jitter(|| 1.0);
        let clone = r.clone();
        // Two refusals for the rate limit (the default policy waits twice), then a transport
        // error and a success: two waits counted, not the transport retry.
        let n = Mutex::new(0u32);
        let result: Result<()> = clone
            .run(|_| {
                let mut n = n.lock().unwrap();
                *n += 1;
                let out = match *n {
                    1 | 2 => Err(err(RetryClass::RateLimited)),
                    3 => Err(err(RetryClass::Retry)),
                    _ => Ok(()),
                };
                async move { out }
            })
            .await;
        assert!(result.is_ok());
        assert_eq!(r.stats().rate_limit_waits(), 2);
        assert_eq!(
            r.stats().calls(),
            0,
            "requests are counted by the pipeline, not here"
        );
        r.stats().count_call();
        assert_eq!(clone.stats().calls(), 1);
    }

    #[tokio::test]
    async fn a_final_error_after_retries_says_how_many_attempts_and_how_long() {
        let clock = ManualClock::at_unix(0);
        let r = Retrier::new(RetryPolicy::default(), Arc::new(clock.clone())).with_jitter(|| 1.0);
        let e = r
            .run(|_| async {
                Err::<(), _>(Error::timeout(Vendor::WeCom, Some(Duration::from_secs(30))))
            })
            .await
            .unwrap_err();
        // 9 attempts; the waits between them (1 + 2 + 4 + 8 + 16 + 3 × 20 s at full jitter)
        // on the clock.
        assert!(e.message().contains("30.0 s"), "{e}");
        assert!(e.message().contains("after 9 attempts over 91.0 s"), "{e}");
        // One attempt: nothing added.
        let r = Retrier::new(RetryPolicy::never(), Arc::new(ManualClock::at_unix(0)));
        let e = r
            .run(|_| async { Err::<(), _>(Error::timeout(Vendor::WeCom, None)) })
            .await
            .unwrap_err();
        assert!(!e.message().contains("attempts"), "{e}");
    }

    #[tokio::test]
    async fn executor_refreshes_auth_once_and_never_loops() {
        let clock = ManualClock::at_unix(0);
        let r = Retrier::new(RetryPolicy::default(), Arc::new(clock.clone()));
        let seen = Mutex::new(Vec::new());
        let result: Result<()> = r
            .run(|a| {
                seen.lock().unwrap().push(a.refresh_auth);
                async { Err(err(RetryClass::RefreshAuth)) }
            })
            .await;
        let error = result.unwrap_err();
        assert_eq!(
            error.class(),
            RetryClass::Fatal,
            "a second rejection is final"
        );
        assert!(!error.is_retryable());
        assert!(error.hint().is_some());
        assert_eq!(*seen.lock().unwrap(), vec![false, true]);
        assert!(clock.sleeps().is_empty(), "no sleep before a refresh");
    }

    #[tokio::test]
    async fn a_rejection_without_a_refresh_is_not_called_a_second_one() {
        // No refresh allowed: the error is final, but no hint claims a refresh happened.
        let r = Retrier::new(RetryPolicy::never(), Arc::new(ManualClock::at_unix(0)));
        let result: Result<()> = r.run(|_| async { Err(err(RetryClass::RefreshAuth)) }).await;
        let error = result.unwrap_err();
        assert_eq!(error.class(), RetryClass::Fatal);
        assert_eq!(error.hint(), None);
    }

    #[tokio::test]
    async fn a_second_replay_rejection_is_final() {
        let r = Retrier::new(RetryPolicy::default(), Arc::new(ManualClock::at_unix(0)));
        let calls = Mutex::new(0);
        let result: Result<()> = r
            .run(|_| {
                *calls.lock().unwrap() += 1;
                async { Err(err(RetryClass::Replay)) }
            })
            .await;
        assert_eq!(*calls.lock().unwrap(), 2);
        assert_eq!(result.unwrap_err().class(), RetryClass::Fatal);
    }

    #[tokio::test]
    async fn exhausted_transient_errors_keep_their_class() {
        let r = Retrier::new(RetryPolicy::never(), Arc::new(ManualClock::at_unix(0)));
        let result: Result<()> = r.run(|_| async { Err(err(RetryClass::Retry)) }).await;
        assert_eq!(result.unwrap_err().class(), RetryClass::Retry);
    }

    #[tokio::test]
    async fn executor_returns_the_first_success() {
        let r = Retrier::new(RetryPolicy::default(), Arc::new(ManualClock::at_unix(0)));
        let n = Mutex::new(0);
        let v = r
            .run(|_| {
                let mut g = n.lock().unwrap();
                *g += 1;
                let k = *g;
                async move {
                    if k < 3 {
                        Err(err(RetryClass::Retry))
                    } else {
                        Ok(k)
                    }
                }
            })
            .await
            .unwrap();
        assert_eq!(v, 3);
    }
}
