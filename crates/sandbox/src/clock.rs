//! The sandbox clock: every time rule (signature skew, replay window, token expiry, rate-limit
//! minute, "now − 31 d" defaults) reads this clock, never the system time directly.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// How the sandbox tells the time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockConfig {
    /// The system clock.
    #[default]
    System,
    /// The system clock shifted by a fixed number of seconds (negative = in the past). Useful to
    /// test a client's clock-skew handling against a running sandbox.
    Offset {
        /// Seconds added to the system time.
        secs: i64,
    },
    /// A clock that only moves when a test calls [`SandboxClock::set`] or
    /// [`SandboxClock::advance`].
    Manual {
        /// The clock's initial value, Unix seconds.
        start_unix: i64,
    },
}

/// A handle on the sandbox clock (cheap to clone; all clones see the same time).
#[derive(Clone, Debug)]
pub struct SandboxClock {
    inner: Arc<ClockInner>,
}

#[derive(Debug)]
struct ClockInner {
    manual: bool,
    /// Manual clock: the current time in Unix milliseconds. System clock: the offset in
    /// milliseconds added to the system time.
    millis: AtomicI64,
}

fn system_millis() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

fn duration_millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl SandboxClock {
    /// A clock as configured.
    pub fn new(config: &ClockConfig) -> Self {
        let (manual, millis) = match config {
            ClockConfig::System => (false, 0),
            ClockConfig::Offset { secs } => (false, secs.saturating_mul(1000)),
            ClockConfig::Manual { start_unix } => (true, start_unix.saturating_mul(1000)),
        };
        SandboxClock {
            inner: Arc::new(ClockInner {
                manual,
                millis: AtomicI64::new(millis),
            }),
        }
    }

    /// Whether this is a manual clock.
    pub fn is_manual(&self) -> bool {
        self.inner.manual
    }

    /// Current time in Unix milliseconds.
    pub fn unix_millis(&self) -> i64 {
        let v = self.inner.millis.load(Ordering::SeqCst);
        if self.inner.manual {
            v
        } else {
            system_millis().saturating_add(v)
        }
    }

    /// Current time in Unix seconds (rounded down).
    pub fn unix(&self) -> i64 {
        self.unix_millis().div_euclid(1000)
    }

    /// Current time.
    pub fn now(&self) -> OffsetDateTime {
        let nanos = i128::from(self.unix_millis()) * 1_000_000;
        OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// Sets the clock to `unix` seconds. On a system clock this changes the offset so that the
    /// clock reads `unix` now and keeps running.
    pub fn set(&self, unix: i64) {
        self.set_millis(unix.saturating_mul(1000));
    }

    /// Sets the clock to `unix_millis` milliseconds (see [`SandboxClock::set`]).
    pub fn set_millis(&self, unix_millis: i64) {
        let v = if self.inner.manual {
            unix_millis
        } else {
            unix_millis.saturating_sub(system_millis())
        };
        self.inner.millis.store(v, Ordering::SeqCst);
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.inner
            .millis
            .fetch_add(duration_millis(by), Ordering::SeqCst);
    }

    /// Moves the clock by a signed number of seconds (negative goes back in time).
    pub fn shift_secs(&self, secs: i64) {
        self.inner
            .millis
            .fetch_add(secs.saturating_mul(1000), Ordering::SeqCst);
    }
}

/// Calendar-minute index of a Unix time (fixed windows starting at :00).
pub(crate) fn minute_index(unix: i64) -> i64 {
    unix.div_euclid(60)
}

/// Calendar-day index of a Unix time in UTC+8 (the vendors' business day).
pub(crate) fn day_index_utc8(unix: i64) -> i64 {
    (unix + 8 * 3600).div_euclid(86_400)
}

/// Formats a Unix time as wall-clock text in UTC+8 with a `time` format description such as
/// `"[year]-[month]-[day] [hour]:[minute]:[second]"`.
pub(crate) fn format_utc8(
    unix: i64,
    format: &[time::format_description::BorrowedFormatItem<'_>],
) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.to_offset(offset))
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = SandboxClock::new(&ClockConfig::Manual {
            start_unix: 1_586_675_334,
        });
        assert_eq!(c.unix(), 1_586_675_334);
        c.advance(Duration::from_millis(1500));
        assert_eq!(c.unix_millis(), 1_586_675_335_500);
        c.set(10);
        assert_eq!(c.unix(), 10);
        c.shift_secs(-20);
        assert_eq!(c.unix(), -10);
    }

    #[test]
    fn offset_clock_is_shifted() {
        let c = SandboxClock::new(&ClockConfig::Offset { secs: -3600 });
        let diff = system_millis() / 1000 - c.unix();
        assert!((3599..=3601).contains(&diff), "{diff}");
        c.set(1_000);
        assert!((1_000..=1_001).contains(&c.unix()));
    }

    #[test]
    fn calendar_windows() {
        assert_eq!(minute_index(59), 0);
        assert_eq!(minute_index(60), 1);
        // 2024-01-01 15:59:59 UTC is 23:59:59 UTC+8; one second later is a new day there.
        let t = 1_704_124_799;
        assert_eq!(day_index_utc8(t) + 1, day_index_utc8(t + 1));
        let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        assert_eq!(format_utc8(t, f), "2024-01-01 23:59:59");
    }
}
