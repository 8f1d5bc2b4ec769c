//! Request authentication, in the order of docs/specs/tencent-meeting.md §9 item 1:
//! headers present → number formats → key/AppId → SdkId → skew → signature → replay →
//! `X-TC-Registered` → rate limits.

use std::collections::BTreeSet;

use axum::http::HeaderMap;
use axum::http::request::Parts;

use super::State;
use super::error::TcError;
use super::sign::{self, SignInput};
use crate::clock::{day_index_utc8, minute_index};

/// Seconds a signature stays valid either side of the server time, and a replay key is kept.
pub(crate) const WINDOW_SECS: i64 = 300;

/// The authenticated caller.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    /// Index of the app in [`super::TencentConfig::apps`].
    pub app: usize,
}

/// Replay keys `(AppId, nonce, timestamp)` whose timestamp could still pass the skew check.
///
/// A key is kept until its own timestamp is more than [`WINDOW_SECS`] in the past, not for
/// [`WINDOW_SECS`] after arrival: a request stamped 299 s ahead stays valid for 599 s, and so
/// must its replay key, or the same request is accepted again once its key is forgotten.
#[derive(Debug, Default)]
pub(crate) struct ReplayCache {
    seen: BTreeSet<(i64, String, u64)>,
}

impl ReplayCache {
    /// Records the key; returns `true` if it was already seen (a replay). `now` only drops keys
    /// whose timestamp has left the window for good.
    pub(crate) fn check_and_record(&mut self, key: (String, u64, i64), now: i64) -> bool {
        while let Some(first) = self.seen.first()
            && first.0.saturating_add(WINDOW_SECS) < now
        {
            self.seen.pop_first();
        }
        let (app, nonce, ts) = key;
        !self.seen.insert((ts, app, nonce))
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a [u8]> {
    // HeaderMap lookups ignore case (names are stored lower-case).
    headers.get(name).map(|v| v.as_bytes())
}

fn decimal(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

/// Checks one request; on success the call has been counted against the rate limits.
pub(crate) fn authenticate(
    st: &State,
    parts: &Parts,
    body: &[u8],
    endpoint: &'static str,
) -> Result<Caller, TcError> {
    let h = &parts.headers;
    // 1. Required headers, present and non-empty.
    let mut values: [&[u8]; 5] = [b""; 5];
    for (slot, name) in values.iter_mut().zip([
        "X-TC-Key",
        "X-TC-Timestamp",
        "X-TC-Nonce",
        "X-TC-Signature",
        "AppId",
    ]) {
        match header(h, name) {
            Some(v) if !v.is_empty() => *slot = v,
            _ => return Err(TcError::missing_header(name)),
        }
    }
    let [key, ts_raw, nonce_raw, signature, app_id] = values;

    // 2. Timestamp and nonce are decimal integers; nonce in 1..=u64::MAX (the official Go SDK's
    //    nonce is a `uint64`, and the Python SDK's example draws up to 2^64).
    let ts = decimal(ts_raw)
        .and_then(|t| i64::try_from(t).ok())
        .ok_or_else(|| TcError::new(200001, "X-TC-Timestamp must be a decimal integer"))?;
    let nonce = decimal(nonce_raw).filter(|n| *n >= 1).ok_or_else(|| {
        TcError::new(
            200001,
            "X-TC-Nonce must be a positive decimal integer ≤ 18446744073709551615",
        )
    })?;

    // 3. Known key, AppId bound to it.
    let (app_index, app) = st
        .config
        .apps
        .iter()
        .enumerate()
        .find(|(_, a)| a.secret_id.as_bytes() == key)
        .ok_or_else(TcError::bad_secret)?;
    if app.app_id.as_bytes() != app_id {
        return Err(TcError::bad_secret());
    }

    // 4. SdkId: required iff the app has one; an empty header counts as absent.
    let sdk = header(h, "SdkId").filter(|v| !v.is_empty());
    match (&app.sdk_id, sdk) {
        (None, None) => {}
        (Some(expected), Some(given)) if expected.as_bytes() == given => {}
        _ => return Err(TcError::bad_secret()),
    }

    // 5. Skew (exactly 300 s is accepted).
    let now = st.shared.clock.unix();
    if (i128::from(now) - i128::from(ts)).abs() > i128::from(WINDOW_SECS) {
        return Err(TcError::code(190300));
    }

    // 6. Signature over the method, the raw request-target and the raw body.
    let target = match parts.uri.path_and_query() {
        Some(pq) => pq.as_str(),
        None => parts.uri.path(),
    };
    let input = SignInput {
        method: parts.method.as_str().as_bytes(),
        secret_id: key,
        nonce: nonce_raw,
        timestamp: ts_raw,
        target: target.as_bytes(),
        body,
    };
    if !sign::verify(app.secret_key.as_bytes(), &input, signature) {
        return Err(TcError::code(200003));
    }

    // 7. Replay, recorded only now that the signature is good.
    let replay = {
        let mut cache = st.replay.lock().unwrap_or_else(|p| p.into_inner());
        cache.check_and_record((app.app_id.clone(), nonce, ts), now)
    };
    if replay {
        return Err(TcError::code(190301));
    }

    // 8. X-TC-Registered: 1.
    if header(h, "X-TC-Registered") != Some(b"1".as_slice()) {
        return Err(TcError::code(81101));
    }

    // 9. Rate limits per AppId: calendar day (UTC+8), calendar minute, per-endpoint minute.
    let day = st.day.hit(&app.app_id, day_index_utc8(now));
    if day > st.config.per_day {
        return Err(TcError::code(190311));
    }
    let minute = minute_index(now);
    if st.minute.hit(&app.app_id, minute) > st.config.per_minute {
        return Err(TcError::code(190310));
    }
    let endpoint_limit = match endpoint {
        "tencent.corp_meetings" => Some(st.config.corp_meetings_per_minute),
        _ => st.config.per_minute_per_endpoint,
    };
    if let Some(limit) = endpoint_limit
        && st.minute.hit(&format!("{}|{endpoint}", app.app_id), minute) > limit
    {
        return Err(TcError::code(190313));
    }
    Ok(Caller { app: app_index })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_window() {
        let mut c = ReplayCache::default();
        let k = ("app".to_owned(), 7, 1000);
        assert!(!c.check_and_record(k.clone(), 1000));
        assert!(c.check_and_record(k.clone(), 1300));
        assert!(
            !c.check_and_record(("app2".to_owned(), 7, 1000), 1300),
            "per AppId"
        );
        assert!(
            !c.check_and_record(("app".to_owned(), 7, 1001), 1300),
            "timestamp is part of the key"
        );
        // 301 s after its own timestamp the key has expired (the skew check refuses it then).
        assert!(!c.check_and_record(k, 1301));
    }

    #[test]
    fn replay_window_follows_the_request_timestamp() {
        let mut c = ReplayCache::default();
        // Stamped 299 s ahead of arrival: valid until 1599, and so is its key.
        let k = ("app".to_owned(), 9, 1299);
        assert!(!c.check_and_record(k.clone(), 1000));
        assert!(
            c.check_and_record(k.clone(), 1302),
            "not forgotten after 300 s"
        );
        assert!(
            c.check_and_record(k.clone(), 1599),
            "still valid by its timestamp"
        );
        assert!(
            !c.check_and_record(k, 1600),
            "gone once its timestamp left the window"
        );
    }

    #[test]
    fn decimals() {
        assert_eq!(decimal(b"123"), Some(123));
        assert_eq!(decimal(b""), None);
        assert_eq!(decimal(b"-1"), None);
        assert_eq!(decimal(b"+1"), None);
        assert_eq!(decimal(b"1 "), None);
        assert_eq!(decimal(b"99999999999999999999999"), None);
        assert_eq!(decimal("１".as_bytes()), None);
    }
}
