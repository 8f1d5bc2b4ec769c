//! Fixed-window call counters (calendar minute, calendar day) for vendor rate limits.

use std::collections::HashMap;
use std::sync::Mutex;

/// Counts calls per key in fixed windows identified by an index (e.g. [`crate::clock`]'s minute
/// or UTC+8 day index). A key's count restarts when its window index changes.
#[derive(Debug, Default)]
pub(crate) struct WindowCounter {
    inner: Mutex<HashMap<String, (i64, u64)>>,
}

impl WindowCounter {
    /// Counts one call for `key` in `window` and returns the count so far in that window
    /// (including this one).
    pub(crate) fn hit(&self, key: &str, window: i64) -> u64 {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let e = g.entry(key.to_owned()).or_insert((window, 0));
        if e.0 != window {
            *e = (window, 0);
        }
        e.1 += 1;
        e.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_with_the_window() {
        let c = WindowCounter::default();
        assert_eq!(c.hit("a", 1), 1);
        assert_eq!(c.hit("a", 1), 2);
        assert_eq!(c.hit("b", 1), 1);
        assert_eq!(c.hit("a", 2), 1);
    }
}
