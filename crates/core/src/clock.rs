//! Time as a dependency: signing timestamps, token expiry and backoff sleeps all read a
//! [`Clock`], so tests can run hours of retries and token lifetimes in microseconds.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use time::OffsetDateTime;

/// A source of the current time and of sleeps.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> OffsetDateTime;

    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// A shared clock handle.
pub type SharedClock = Arc<dyn Clock>;

/// A time for messages: RFC 3339 to the second, in the time's own offset
/// (`2026-03-01T09:00:00+08:00`).
pub fn format_time(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// The system clock with tokio sleeps.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// The system clock shifted by a fixed offset (to test clock-skew handling against a real
/// server).
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock {
    offset: time::Duration,
}

impl OffsetClock {
    /// A clock running `offset` ahead of the system clock (negative: behind).
    pub fn new(offset: time::Duration) -> Self {
        Self { offset }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.offset
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock that only moves when told to, or when something sleeps on it (the sleep returns at
/// once and advances the time). Records every sleep, for backoff assertions.
#[derive(Clone)]
pub struct ManualClock {
    state: Arc<Mutex<ManualState>>,
}

struct ManualState {
    now: OffsetDateTime,
    sleeps: Vec<Duration>,
}

impl ManualClock {
    /// A clock frozen at `start`.
    pub fn new(start: OffsetDateTime) -> Self {
        Self {
            state: Arc::new(Mutex::new(ManualState {
                now: start,
                sleeps: Vec::new(),
            })),
        }
    }

    /// A clock frozen at a Unix time in seconds.
    ///
    /// # Panics
    ///
    /// If `seconds` is outside the years -9999 to 9999 (a test set-up error).
    pub fn at_unix(seconds: i64) -> Self {
        Self::new(OffsetDateTime::from_unix_timestamp(seconds).expect("unix time in range"))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut s = self.lock();
        s.now += by;
    }

    /// Sets the clock.
    pub fn set(&self, now: OffsetDateTime) {
        self.lock().now = now;
    }

    /// Every sleep requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        // A panic while holding this lock cannot leave the time half-written.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManualClock")
            .field("now", &self.lock().now)
            .finish()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        self.lock().now
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        let mut s = self.lock();
        s.now += duration;
        s.sleeps.push(duration);
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn manual_clock_sleeps_advance_time() {
        let c = ManualClock::at_unix(1_000);
        c.sleep(Duration::from_secs(5)).await;
        c.advance(Duration::from_secs(1));
        assert_eq!(c.now().unix_timestamp(), 1_006);
        assert_eq!(c.sleeps(), vec![Duration::from_secs(5)]);
    }

    #[test]
    fn message_times() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_772_326_800_500_000_000).unwrap();
        assert_eq!(format_time(t), "2026-03-01T01:00:00Z");
        let t8 = t.to_offset(time::macros::offset!(+8));
        assert_eq!(format_time(t8), "2026-03-01T09:00:00+08:00");
    }

    #[test]
    fn offset_clock_is_shifted() {
        let c = OffsetClock::new(time::Duration::minutes(10));
        let diff = c.now() - OffsetDateTime::now_utc();
        assert!(diff > time::Duration::minutes(9) && diff <= time::Duration::minutes(10));
    }
}
