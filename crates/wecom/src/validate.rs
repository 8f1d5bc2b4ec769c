//! Input checks made before any request.
//!
//! Ids travel in JSON bodies, so they cannot inject into a path or query; these checks only
//! catch obvious garbage early, with a clear message instead of a vendor `40058`.

use roster_core::{Error, Result};
use time::OffsetDateTime;

/// Longest id accepted (vendor ids are far shorter; this only stops runaway input).
pub(crate) const MAX_ID_BYTES: usize = 1024;

/// Rejects empty ids, ids with spaces around them or control characters, and absurdly long
/// ids.
pub(crate) fn id(what: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_argument(format!("the {what} is empty")));
    }
    if value.trim() != value {
        return Err(Error::invalid_argument(format!(
            "the {what} {:?} has spaces around it",
            roster_core::wire::excerpt(value)
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid_argument(format!(
            "the {what} contains control characters"
        )));
    }
    if value.len() > MAX_ID_BYTES {
        return Err(Error::invalid_argument(format!(
            "the {what} is {} bytes long (at most {MAX_ID_BYTES})",
            value.len()
        )));
    }
    Ok(())
}

/// Rejects a page size outside `1..=max`.
pub(crate) fn limit(what: &str, value: u32, max: u32) -> Result<()> {
    if value == 0 || value > max {
        return Err(Error::invalid_argument(format!(
            "the {what} must be between 1 and {max}, not {value}"
        )));
    }
    Ok(())
}

/// Rejects a reversed range and a range longer than `max`.
pub(crate) fn range(
    what: &str,
    start: OffsetDateTime,
    end: OffsetDateTime,
    max: time::Duration,
) -> Result<()> {
    if end < start {
        return Err(Error::invalid_argument(format!(
            "the {what} is reversed: {start} is after {end}"
        )));
    }
    if end - start > max {
        return Err(Error::invalid_argument(format!(
            "the {what} spans {} s, more than the {} s the vendor accepts",
            (end - start).whole_seconds(),
            max.whole_seconds()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::ErrorKind;
    use time::macros::datetime;

    #[test]
    fn ids() {
        assert!(id("meeting id", "hy123").is_ok());
        assert!(
            id("meeting id", "会议/../x?y=1").is_ok(),
            "opaque, sent in JSON"
        );
        for bad in ["", "   ", "a\u{0}b", "a\nb", "\u{7f}"] {
            assert_eq!(
                id("meeting id", bad).unwrap_err().kind(),
                ErrorKind::InvalidArgument,
                "{bad:?}"
            );
        }
        assert!(id("meeting id", &"x".repeat(MAX_ID_BYTES + 1)).is_err());
    }

    #[test]
    fn limits() {
        assert!(limit("limit", 1, 100).is_ok());
        assert!(limit("limit", 100, 100).is_ok());
        assert!(limit("limit", 0, 100).is_err());
        assert!(limit("limit", 101, 100).is_err());
    }

    #[test]
    fn ranges() {
        let t = datetime!(2026-01-01 0:00 UTC);
        let d31 = time::Duration::days(31);
        assert!(range("window", t, t + d31, d31).is_ok());
        assert!(range("window", t, t + d31 + time::Duration::SECOND, d31).is_err());
        assert!(range("window", t + time::Duration::SECOND, t, d31).is_err());
    }
}
