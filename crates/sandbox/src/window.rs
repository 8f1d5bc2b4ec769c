//! The time window of an attendee-list query (Tencent `participants`, docs/specs/tencent-meeting.md §9 item 3; WeCom
//! `get_attendee_list`, docs/specs/wecom.md §9 item 8): both specs give the same rules, so both endpoints resolve
//! their `start_time` / `end_time` here and only word the refusal in their own envelope.
//!
//! - both bounds given: as given;
//! - only `start`: `[start, now]`;
//! - only `end`: `[end − 31 days, end]`;
//! - neither: the last [`DEFAULT_SPAN`] (90 days) up to now, which may exceed [`MAX_WINDOW`];
//! - otherwise `start > end` or a window longer than [`MAX_WINDOW`] is refused.
//!
//! The window is inclusive at both ends (`start ≤ join_time ≤ end`). WeCom's
//! `get_user_meetingid` window follows other rules (180 days, a future `begin`) and lives in
//! its own module.

/// 31 days: the longest window.
pub(crate) const MAX_WINDOW: i64 = 31 * 86_400;
/// The window when neither bound is given: the last 90 days.
pub(crate) const DEFAULT_SPAN: i64 = 90 * 86_400;

/// Why bounds were refused; each vendor turns it into its own error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WindowError {
    /// `start` after `end`.
    Reversed,
    /// `end − start` over [`MAX_WINDOW`].
    TooLong,
}

/// The window `[start, end]` for the given bounds, defaults resolved against `now`.
pub(crate) fn resolve_window(
    start: Option<i64>,
    end: Option<i64>,
    now: i64,
) -> Result<(i64, i64), WindowError> {
    let (s, e) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, now),
        (None, Some(e)) => (e.saturating_sub(MAX_WINDOW), e),
        (None, None) => return Ok((now.saturating_sub(DEFAULT_SPAN), now)),
    };
    if s > e {
        return Err(WindowError::Reversed);
    }
    if i128::from(e) - i128::from(s) > i128::from(MAX_WINDOW) {
        return Err(WindowError::TooLong);
    }
    Ok((s, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_rules() {
        assert_eq!(MAX_WINDOW, 2_678_400);
        let now = 10_000_000;
        assert_eq!(
            resolve_window(None, None, now),
            Ok((now - DEFAULT_SPAN, now))
        );
        assert_eq!(
            resolve_window(None, Some(now), now),
            Ok((now - MAX_WINDOW, now))
        );
        assert_eq!(
            resolve_window(Some(now - 10), None, now),
            Ok((now - 10, now))
        );
        assert_eq!(
            resolve_window(Some(0), Some(MAX_WINDOW), now),
            Ok((0, MAX_WINDOW))
        );
        assert_eq!(
            resolve_window(Some(0), Some(MAX_WINDOW + 1), now),
            Err(WindowError::TooLong)
        );
        assert_eq!(
            resolve_window(Some(5), Some(4), now),
            Err(WindowError::Reversed)
        );
        assert_eq!(
            resolve_window(Some(now - MAX_WINDOW - 1), None, now),
            Err(WindowError::TooLong)
        );
        assert!(resolve_window(Some(i64::MIN), Some(i64::MAX), now).is_err());
        assert!(resolve_window(None, Some(i64::MIN), i64::MIN).is_ok());
        assert!(resolve_window(None, None, i64::MIN).is_ok());
    }
}
