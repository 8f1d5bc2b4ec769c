//! Test support shared by the crates' tests, written once: a lean sandbox, its meetings by
//! label, a fast retry policy and test clocks. It depends on `roster-core` and
//! `roster-sandbox` only, so every client crate can use it without the sandbox ever seeing a
//! client's code.

pub mod postgres;

use std::time::Duration;

use futures::future::BoxFuture;
use roster_core::{Clock, RetryPolicy};
use roster_sandbox::{CatalogMeeting, Sandbox, SandboxConfig, SandboxHandle, Vendor};
use time::OffsetDateTime;

/// The longest wait a [`FastClock`] really sleeps.
pub const MAX_SLEEP: Duration = Duration::from_millis(5);

/// A lean sandbox configuration for `seed`: the seed meetings plus two small generated ones, no
/// large meeting, and Tencent rate limits no test reaches by accident.
pub fn lean_config(seed: u64) -> SandboxConfig {
    let mut c = SandboxConfig {
        seed,
        ..SandboxConfig::default()
    };
    c.data.small_meetings = 2;
    c.data.large_meetings = Vec::new();
    c.tencent.per_minute = 1_000_000;
    c.tencent.per_day = 100_000_000;
    c
}

/// Starts a sandbox on the current runtime.
pub async fn start(config: SandboxConfig) -> SandboxHandle {
    Sandbox::start(config).await.expect("the sandbox starts")
}

/// A catalog meeting by vendor and label (panics when absent).
pub fn meeting(sb: &SandboxHandle, vendor: Vendor, label: &str) -> CatalogMeeting {
    sb.catalog()
        .by_label(vendor, label)
        .unwrap_or_else(|| panic!("the sandbox has no {vendor:?} meeting {label}"))
        .clone()
}

/// Core's retry policy with millisecond backoff (1 ms base, 5 ms cap), no rate-limit jitter and
/// three retries per call: the tests that count attempts were written against three (core's
/// own tests cover the default's eight).
pub fn fast_policy() -> RetryPolicy {
    let mut p = RetryPolicy::default()
        .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .with_max_retries(3);
    p.rate_limit_jitter = Duration::ZERO;
    p
}

/// The real clock with waits cut to at most [`MAX_SLEEP`].
///
/// Timestamps (Tencent signatures, Quanshi `CurTime`, token ages) must be real, so the clients
/// keep the system time; but a vendor rate-limit answer makes them wait for the next minute,
/// which would dominate the suite's run time. The waits still happen, in order, only shorter.
#[derive(Debug, Clone, Copy, Default)]
pub struct FastClock;

impl Clock for FastClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration.min(MAX_SLEEP)))
    }
}

/// A clock that stays at one instant: waits return at once and do not move it (a
/// `ManualClock` advances by every wait), for tests that compare two results computed from
/// "now".
#[derive(Debug, Clone, Copy)]
pub struct FrozenClock(pub OffsetDateTime);

impl Clock for FrozenClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }

    fn sleep(&self, _: Duration) -> BoxFuture<'static, ()> {
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_lean_sandbox_serves_its_seed_meetings() {
        let sb = start(lean_config(3)).await;
        for vendor in [Vendor::WeCom, Vendor::Tencent, Vendor::Quanshi] {
            assert!(
                !sb.catalog()
                    .of(vendor)
                    .any(|m| m.label.starts_with("large-"))
            );
        }
        assert_eq!(
            meeting(&sb, Vendor::Tencent, "seed-oneoff").vendor,
            Vendor::Tencent
        );
        sb.shutdown().await;
    }

    #[tokio::test(start_paused = true)]
    async fn test_clocks() {
        let t = OffsetDateTime::from_unix_timestamp(1_000).unwrap();
        let frozen = FrozenClock(t);
        frozen.sleep(Duration::from_secs(60)).await;
        assert_eq!(frozen.now(), t, "a wait does not move a frozen clock");
        // On tokio's paused clock: the minute's wait takes MAX_SLEEP of it.
        let before = tokio::time::Instant::now();
        FastClock.sleep(Duration::from_secs(60)).await;
        assert_eq!(before.elapsed(), MAX_SLEEP);
    }
}
