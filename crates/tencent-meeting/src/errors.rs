//! Error classification (docs/specs/tencent-meeting.md §3 and §6): by `error_info.error_code` only, never by HTTP status
//! or message text.

use std::time::Duration;

use roster_core::http::{RawResponse, decode_error, unexpected_status};
use roster_core::wire::UTC8;
use roster_core::{ApiDetails, Error, ErrorKind, RetryClass, Vendor};
use time::{OffsetDateTime, Time};

use crate::wire::{ErrorBody, Reply};

/// Response header with the vendor's trace id.
pub const TRACE_HEADER: &str = "X-TC-Trace";

/// How long to wait for a rate-limit window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateWindow {
    /// Until the next calendar minute (then retry).
    Minute,
    /// Until the next 00:00 UTC+8 (never retried: surfaced to the caller).
    Day,
}

/// What a vendor code means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Classification {
    /// What went wrong.
    pub kind: ErrorKind,
    /// What the retry executor may do.
    pub class: RetryClass,
    /// For rate limits, which window to wait for.
    pub window: Option<RateWindow>,
    /// A hint for people, for well-known configuration codes.
    pub hint: Option<&'static str>,
}

impl Classification {
    const fn new(kind: ErrorKind, class: RetryClass) -> Self {
        Self {
            kind,
            class,
            window: None,
            hint: None,
        }
    }

    const fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    const fn window(mut self, window: RateWindow) -> Self {
        self.window = Some(window);
        self
    }
}

/// Hint for `190300`.
pub const HINT_CLOCK: &str = "the local clock is more than 5 minutes away from Tencent's: \
     synchronise it (NTP); requests are signed with the current Unix time";
/// Hint for `200003`.
pub const HINT_SIGNATURE: &str = "the signature was rejected: check the SecretKey (and that \
     it belongs to this SecretId)";
/// Hint for `190303`.
pub const HINT_SECRET: &str = "the credentials were not recognised: check AppId and SecretId, \
     and set SdkId only if the account was assigned one";
/// Hint for `200001`.
pub const HINT_HEADERS: &str = "a required header is missing: check that AppId, SecretId and \
     SecretKey are all configured";
/// Hint for `81101`.
pub const HINT_REGISTERED: &str = "the X-TC-Registered header was refused: the operator must \
     be a registered user of the enterprise";
/// Hint for `190001` and `500014`.
pub const HINT_ACCOUNT: &str = "the operator userid is not registered or lacks permission: \
     check the configured operator id";
/// Hint for `9042`.
pub const HINT_FORBIDDEN: &str = "only the meeting creator or an enterprise super-admin may \
     read this: set the operator id accordingly";

/// Classifies a vendor `error_code` (docs/specs/tencent-meeting.md §6).
pub fn classify(code: i64) -> Classification {
    use ErrorKind as K;
    use RetryClass as C;
    match code {
        41 | 960_000 | 5108 | 10_000 => Classification::new(K::Unavailable, C::Retry),
        190_310 | 190_313 | 9061 => {
            Classification::new(K::RateLimited, C::RateLimited).window(RateWindow::Minute)
        }
        // Daily limits: do not retry (the reset time is undocumented); the caller sees when
        // the next day starts in UTC+8.
        190_311 | 190_312 => Classification::new(K::RateLimited, C::Fatal).window(RateWindow::Day),
        190_301 | 200_002 => Classification::new(K::Replay, C::Replay),
        190_300 => Classification::new(K::ClockSkew, C::Fatal).hint(HINT_CLOCK),
        200_001 => Classification::new(K::Config, C::Fatal).hint(HINT_HEADERS),
        200_003 => Classification::new(K::Config, C::Fatal).hint(HINT_SIGNATURE),
        190_303 => Classification::new(K::Config, C::Fatal).hint(HINT_SECRET),
        81_101 => Classification::new(K::Config, C::Fatal).hint(HINT_REGISTERED),
        190_001 | 500_014 => Classification::new(K::Config, C::Fatal).hint(HINT_ACCOUNT),
        9042 => Classification::new(K::Forbidden, C::Fatal).hint(HINT_FORBIDDEN),
        200_006 | 190_004 => Classification::new(K::InvalidArgument, C::Fatal),
        9002 | 9003 | 190_457 => Classification::new(K::NotFound, C::Fatal),
        101 => Classification::new(K::EnrollmentNotEnabled, C::Fatal),
        _ => Classification::new(K::Api, C::Fatal),
    }
}

/// Endpoint names (the `endpoint` of traces) whose small codes mean something of their own
/// (docs/specs/tencent-meeting.md §12, "Endpoint-specific codes").
pub mod endpoint {
    /// `GET /v1/meetings/{id}/enroll/approvals`.
    pub const ENROLL_APPROVALS: &str = "enroll_approvals";
    /// `GET /v1/webinars/{id}/enroll/approvals`.
    pub const WEBINAR_ENROLL_APPROVALS: &str = "webinar_enroll_approvals";
    /// `GET /v1/meetings/sign-in/list`.
    pub const SIGN_IN_LIST: &str = "sign_in_list";
    /// `GET /v1/meetings/sign-in`.
    pub const SIGN_IN_RECORDS: &str = "sign_in_records";
    /// `POST /v1/meetings/export-participants-list`.
    pub const EXPORT_CREATE: &str = "export_participants";
    /// `GET /v1/export/{job_id}`.
    pub const EXPORT_JOB: &str = "export_job";
    /// The plain `GET` of an export's download link.
    pub const EXPORT_DOWNLOAD: &str = "export_download";
    /// `GET /v1/meetings/{id}/real-time-participants`.
    pub const REALTIME_PARTICIPANTS: &str = "realtime_participants";
    /// `GET /v1/meeting/{id}/waiting-room`.
    pub const WAITING_ROOM: &str = "waiting_room";
}

/// Hint for `101` and `102` on the sign-in endpoints.
pub const HINT_SIGN_IN_FORBIDDEN: &str = "sign-ins may be read by the meeting creator, and \
     during the meeting by a host: set the operator id to the creator";
/// Hint for `107` on the enrollment endpoints.
pub const HINT_ENROLL_FORBIDDEN: &str = "only the meeting creator may read its enrollments: \
     set the operator id to the creator";

/// Classifies a vendor `error_code` answered by the endpoint `name` (one of [`endpoint`]'s names, or
/// any other endpoint name for the common table).
///
/// Small codes mean different things on different pages (docs/specs/tencent-meeting.md §12):
/// `101` is "enrollment not enabled" on the enrollment lists
/// ([`ErrorKind::EnrollmentNotEnabled`]) but "must be the creator" on the sign-in lists
/// ([`ErrorKind::Forbidden`], like `102` "must be a host or the creator" there), and nothing
/// known elsewhere ([`ErrorKind::Api`]). Codes of 1000 and above follow [`classify`].
pub fn classify_for(name: &str, code: i64) -> Classification {
    use ErrorKind as K;
    use RetryClass as C;
    use endpoint as E;
    let enroll = name == E::ENROLL_APPROVALS || name == E::WEBINAR_ENROLL_APPROVALS;
    let sign_in = name == E::SIGN_IN_LIST || name == E::SIGN_IN_RECORDS;
    match code {
        101 | 102 if sign_in => {
            Classification::new(K::Forbidden, C::Fatal).hint(HINT_SIGN_IN_FORBIDDEN)
        }
        // 获取会议信息失败 (the meeting's information could not be read).
        501 if sign_in => Classification::new(K::NotFound, C::Fatal),
        101 if enroll => Classification::new(K::EnrollmentNotEnabled, C::Fatal),
        107 if enroll => Classification::new(K::Forbidden, C::Fatal).hint(HINT_ENROLL_FORBIDDEN),
        // 任务不存在 (no such job, or forgotten).
        10_013 if name == E::EXPORT_JOB => Classification::new(K::NotFound, C::Fatal),
        // "Enrollment not enabled" is the enrollment pages' meaning only.
        101 => Classification::new(K::Api, C::Fatal),
        _ => classify(code),
    }
}

/// Time from `now` to the next calendar minute (at least one second).
pub fn until_next_minute(now: OffsetDateTime) -> Duration {
    let into = now.second() as u64 * 1_000 + now.millisecond() as u64;
    Duration::from_millis((60_000 - into).max(1_000))
}

/// Time from `now` to the next 00:00 in UTC+8 (at least one second).
pub fn until_next_utc8_midnight(now: OffsetDateTime) -> Duration {
    let local = now.to_offset(UTC8);
    let next = local
        .date()
        .next_day()
        .map(|d| d.with_time(Time::MIDNIGHT).assume_offset(UTC8));
    match next {
        Some(next) => {
            let d = next - now;
            Duration::from_secs_f64(d.as_seconds_f64().max(1.0))
        }
        None => Duration::from_secs(86_400),
    }
}

/// The error for a vendor `error_info`, classified by the common table ([`classify`]), with
/// the status, trace id, `new_error_code` and, for rate limits, the wait computed from `now`.
pub fn api_error(
    code: i64,
    new_code: Option<i64>,
    message: &str,
    status: u16,
    trace: Option<&str>,
    now: OffsetDateTime,
) -> Error {
    build_api_error(classify(code), code, new_code, message, status, trace, now)
}

/// [`api_error`] for an answer of `endpoint`, classified by [`classify_for`].
pub fn api_error_for(
    endpoint: &str,
    code: i64,
    new_code: Option<i64>,
    message: &str,
    status: u16,
    trace: Option<&str>,
    now: OffsetDateTime,
) -> Error {
    build_api_error(
        classify_for(endpoint, code),
        code,
        new_code,
        message,
        status,
        trace,
        now,
    )
}

fn build_api_error(
    c: Classification,
    code: i64,
    new_code: Option<i64>,
    message: &str,
    status: u16,
    trace: Option<&str>,
    now: OffsetDateTime,
) -> Error {
    let mut details = ApiDetails::new(code, message).with_new_code(new_code);
    if let Some(trace) = trace {
        details = details.with_request_id(trace);
    }
    let mut e = Error::api(Vendor::TencentMeeting, details, c.kind, c.class).with_status(status);
    if let Some(hint) = c.hint {
        e = e.with_hint(hint);
    }
    match c.window {
        Some(RateWindow::Minute) => e = e.with_retry_after(until_next_minute(now)),
        Some(RateWindow::Day) => {
            e = e
                .with_retry_after(until_next_utc8_midnight(now))
                .with_hint("the daily call limit is used up; it resets at 00:00 UTC+8 (assumed)")
        }
        None => {}
    }
    e
}

/// The error a response stands for, if any: an `error_info` body (whatever the HTTP status,
/// even 200) or a non-200 status without one ([`unexpected_status`]). `None` for a 200
/// without `error_info`. Vendor codes are classified by the common table ([`classify`]).
pub fn response_error(response: &RawResponse, now: OffsetDateTime) -> Option<Error> {
    response_error_for("", response, now)
}

/// [`response_error`] for an answer of `endpoint` ([`classify_for`]).
pub fn response_error_for(
    endpoint: &str,
    response: &RawResponse,
    now: OffsetDateTime,
) -> Option<Error> {
    let parsed = serde_json::from_slice::<ErrorBody>(&response.body)
        .ok()
        .and_then(|b| b.error_info)
        .and_then(|info| info.error_code.map(|code| (code, info)));
    let classified = |code, info: &crate::wire::ErrorInfo| {
        let c = if endpoint.is_empty() {
            classify(code)
        } else {
            classify_for(endpoint, code)
        };
        build_api_error(
            c,
            code,
            info.new_error_code,
            info.message.as_deref().unwrap_or(""),
            response.status,
            response.header(TRACE_HEADER),
            now,
        )
    };
    match parsed {
        // Code 0 is no error code: with a non-200 status it is an unexplained failure below.
        Some((code, info)) if code != 0 => Some(classified(code, &info)),
        _ if response.status != 200 => {
            let mut e = unexpected_status(Vendor::TencentMeeting, response);
            if let Some(trace) = response.header(TRACE_HEADER) {
                e = e.with_hint(format!("Tencent trace id {trace}"));
            }
            Some(e)
        }
        _ => None,
    }
}

/// Decodes a response as `T` with one parse of the body.
///
/// Errors come with a non-200 status (§3): those are [`response_error`]'s. A 200 body is
/// decoded straight as `T`; an `error_info` with a non-zero code in it (kept in `T`'s `extra`)
/// is still an error. A 200 body `T` cannot read is the error its `error_info` says, if any,
/// else a [`roster_core::ErrorKind::Decode`] error. The outcome is the same as
/// [`response_error`] followed by a decode of `T`.
pub(crate) fn decode_reply<T>(
    endpoint: &str,
    response: &RawResponse,
    now: OffsetDateTime,
) -> Result<T, Error>
where
    T: serde::de::DeserializeOwned + Reply,
{
    if response.status != 200 {
        return Err(response_error_for(endpoint, response, now)
            .unwrap_or_else(|| unexpected_status(Vendor::TencentMeeting, response)));
    }
    match roster_core::wire::from_body::<T>(&response.body) {
        Ok(reply) => match reply.error_info() {
            Some(info) if info.error_code.is_some_and(|code| code != 0) => Err(api_error_for(
                endpoint,
                info.error_code.unwrap_or_default(),
                info.new_error_code,
                info.message.as_deref().unwrap_or(""),
                response.status,
                response.header(TRACE_HEADER),
                now,
            )),
            _ => Ok(reply),
        },
        Err(e) => Err(response_error_for(endpoint, response, now)
            .unwrap_or_else(|| decode_error(Vendor::TencentMeeting, response, &e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};
    use time::macros::datetime;

    fn raw(status: u16, body: &str, trace: Option<&str>) -> RawResponse {
        let mut headers = HeaderMap::new();
        if let Some(t) = trace {
            headers.insert("x-tc-trace", HeaderValue::from_str(t).unwrap());
        }
        RawResponse {
            status,
            headers,
            body: body.as_bytes().to_vec().into(),
        }
    }

    #[test]
    fn classification_table() {
        use ErrorKind as K;
        use RetryClass as C;
        let table: &[(i64, K, C)] = &[
            (41, K::Unavailable, C::Retry),
            (960000, K::Unavailable, C::Retry),
            (5108, K::Unavailable, C::Retry),
            (10000, K::Unavailable, C::Retry),
            (190310, K::RateLimited, C::RateLimited),
            (190313, K::RateLimited, C::RateLimited),
            (9061, K::RateLimited, C::RateLimited),
            (190311, K::RateLimited, C::Fatal),
            (190312, K::RateLimited, C::Fatal),
            (190301, K::Replay, C::Replay),
            (200002, K::Replay, C::Replay),
            (190300, K::ClockSkew, C::Fatal),
            (200001, K::Config, C::Fatal),
            (200003, K::Config, C::Fatal),
            (190303, K::Config, C::Fatal),
            (81101, K::Config, C::Fatal),
            (190001, K::Config, C::Fatal),
            (500014, K::Config, C::Fatal),
            (9042, K::Forbidden, C::Fatal),
            (200004, K::Api, C::Fatal),
            (200005, K::Api, C::Fatal),
            (200006, K::InvalidArgument, C::Fatal),
            (190004, K::InvalidArgument, C::Fatal),
            (9002, K::NotFound, C::Fatal),
            (9003, K::NotFound, C::Fatal),
            (190457, K::NotFound, C::Fatal),
            (101, K::EnrollmentNotEnabled, C::Fatal),
            (13603, K::Api, C::Fatal),
            (-1, K::Api, C::Fatal),
            (123456789, K::Api, C::Fatal),
        ];
        for &(code, kind, class) in table {
            let c = classify(code);
            assert_eq!((c.kind, c.class), (kind, class), "code {code}");
        }
        for code in [190300, 200003, 190303, 200001, 81101] {
            assert!(classify(code).hint.is_some(), "{code} has a hint");
        }
        assert!(classify(190300).hint.unwrap().contains("clock"));
        assert!(classify(200003).hint.unwrap().contains("SecretKey"));
        let h = classify(190303).hint.unwrap();
        assert!(h.contains("AppId") && h.contains("SecretId") && h.contains("SdkId"));
    }

    #[test]
    fn small_codes_are_classified_per_endpoint() {
        use ErrorKind as K;
        use endpoint as E;
        let table: &[(&str, i64, K)] = &[
            (E::ENROLL_APPROVALS, 101, K::EnrollmentNotEnabled),
            (E::WEBINAR_ENROLL_APPROVALS, 101, K::EnrollmentNotEnabled),
            (E::ENROLL_APPROVALS, 107, K::Forbidden),
            (E::WEBINAR_ENROLL_APPROVALS, 107, K::Forbidden),
            (E::SIGN_IN_LIST, 101, K::Forbidden),
            (E::SIGN_IN_LIST, 102, K::Forbidden),
            (E::SIGN_IN_RECORDS, 101, K::Forbidden),
            (E::SIGN_IN_RECORDS, 102, K::Forbidden),
            (E::SIGN_IN_LIST, 501, K::NotFound),
            (E::SIGN_IN_LIST, 503, K::Api),
            (E::EXPORT_JOB, 10013, K::NotFound),
            (E::EXPORT_CREATE, 10013, K::Api),
            (E::REALTIME_PARTICIPANTS, 101, K::Api),
            (E::WAITING_ROOM, 101, K::Api),
            (E::ENROLL_APPROVALS, 102, K::Api),
            ("participants", 101, K::Api),
            // Codes of 1000 and above: the common table, on every endpoint.
            (E::SIGN_IN_LIST, 190_004, K::InvalidArgument),
            (E::EXPORT_JOB, 9042, K::Forbidden),
            (E::WAITING_ROOM, 9003, K::NotFound),
            (E::SIGN_IN_RECORDS, 41, K::Unavailable),
        ];
        for &(name, code, kind) in table {
            let c = classify_for(name, code);
            assert_eq!(c.kind, kind, "{name} {code}");
        }
        assert!(classify_for(E::SIGN_IN_LIST, 190_310).class == RetryClass::RateLimited);
        assert!(
            classify_for(E::SIGN_IN_LIST, 102)
                .hint
                .unwrap()
                .contains("creator")
        );
        // The common table keeps its meaning of 101 for callers without an endpoint.
        assert_eq!(classify(101).kind, K::EnrollmentNotEnabled);
        let now = datetime!(2026-01-01 00:00:30 UTC);
        let sign_in = decode_reply::<crate::wire::SignInListResponse>(
            E::SIGN_IN_LIST,
            &raw(
                500,
                r#"{"error_info":{"error_code":101,"message":"无权限操作,必须为会议创建者"}}"#,
                Some("tr-s"),
            ),
            now,
        )
        .unwrap_err();
        assert_eq!(
            (sign_in.kind(), sign_in.vendor_code(), sign_in.http_status()),
            (K::Forbidden, Some(101), Some(500))
        );
        assert_eq!(sign_in.request_id(), Some("tr-s"));
        let enroll = decode_reply::<crate::wire::EnrollApprovalsResponse>(
            E::WEBINAR_ENROLL_APPROVALS,
            &raw(500, r#"{"error_info":{"error_code":101}}"#, None),
            now,
        )
        .unwrap_err();
        assert_eq!(enroll.kind(), K::EnrollmentNotEnabled);
        // 10013 on the job poll: no such job (never retried).
        let job = response_error_for(
            E::EXPORT_JOB,
            &raw(500, r#"{"error_info":{"error_code":10013}}"#, None),
            now,
        )
        .unwrap();
        assert_eq!((job.kind(), job.class()), (K::NotFound, RetryClass::Fatal));
    }

    #[test]
    fn status_does_not_matter_9003_with_500_is_fatal_not_found() {
        let now = datetime!(2026-01-01 00:00:30 UTC);
        for status in [400, 500, 403, 200] {
            let e = response_error(
                &raw(
                    status,
                    r#"{"error_info":{"error_code":9003,"message":"MEETING NOT EXIST"}}"#,
                    Some("tr-1"),
                ),
                now,
            )
            .unwrap();
            assert_eq!(e.kind(), ErrorKind::NotFound);
            assert_eq!(e.class(), RetryClass::Fatal);
            assert_eq!(e.http_status(), Some(status));
            assert_eq!(e.request_id(), Some("tr-1"));
            assert_eq!(e.vendor_message(), Some("MEETING NOT EXIST"));
        }
    }

    #[test]
    fn new_error_code_is_kept_not_classified() {
        let now = datetime!(2026-01-01 00:00:30 UTC);
        let e = response_error(
            &raw(400, r#"{"error_info":{"error_code":"190004","new_error_code":1000190004,"message":"bad"}}"#, None),
            now,
        )
        .unwrap();
        assert_eq!(e.vendor_code(), Some(190004));
        assert_eq!(e.api_details().unwrap().new_code, Some(1000190004));
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn rate_limit_waits() {
        let now = datetime!(2026-01-01 15:59:45.250 UTC); // 23:59:45.25 in UTC+8
        let e = response_error(
            &raw(
                500,
                r#"{"error_info":{"error_code":190310,"message":""}}"#,
                None,
            ),
            now,
        )
        .unwrap();
        assert_eq!(e.retry_after(), Some(Duration::from_millis(14_750)));
        let d = response_error(
            &raw(
                500,
                r#"{"error_info":{"error_code":190311,"message":""}}"#,
                None,
            ),
            now,
        )
        .unwrap();
        assert_eq!(d.retry_after(), Some(Duration::from_millis(14_750)));
        assert!(!d.is_retryable());
        // In the daytime the two windows differ: the next minute against the next midnight.
        let day = datetime!(2026-01-01 02:00:00 UTC); // 10:00 in UTC+8
        for (code, wait) in [(190310, 60), (190311, 14 * 3600)] {
            let body = format!(r#"{{"error_info":{{"error_code":{code},"message":""}}}}"#);
            let e = response_error(&raw(500, &body, None), day).unwrap();
            assert_eq!(e.retry_after(), Some(Duration::from_secs(wait)), "{code}");
        }
        assert_eq!(
            until_next_utc8_midnight(datetime!(2026-01-01 16:00:00 UTC)),
            Duration::from_secs(86_400)
        );
        assert_eq!(
            until_next_minute(datetime!(2026-01-01 00:00:00 UTC)),
            Duration::from_secs(60)
        );
        assert_eq!(
            until_next_minute(datetime!(2026-01-01 00:00:59.9 UTC)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn non_json_and_empty_error_pages_are_unexpected_status() {
        let now = datetime!(2026-01-01 00:00:30 UTC);
        let e = response_error(&raw(502, "<html>bad gateway</html>", Some("tr-9")), now).unwrap();
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert_eq!(e.class(), RetryClass::Retry);
        assert_eq!(e.body_snippet(), Some("<html>bad gateway</html>"));
        assert!(e.hint().unwrap().contains("tr-9"));
        let e = response_error(&raw(404, "", None), now).unwrap();
        assert_eq!(e.class(), RetryClass::Fatal);
        let e = response_error(&raw(500, r#"{"error_info":{}}"#, None), now).unwrap();
        assert_eq!(e.kind(), ErrorKind::Transport);
        // Code 0 with a failure status is no vendor verdict: classified by the status.
        let e = response_error(
            &raw(
                503,
                r#"{"error_info":{"error_code":0,"message":"ok"}}"#,
                None,
            ),
            now,
        )
        .unwrap();
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert!(e.is_retryable());
        assert!(response_error(&raw(200, r#"{"participants":[]}"#, None), now).is_none());
        assert!(
            response_error(&raw(200, r#"{"error_info":{"error_code":0}}"#, None), now).is_none()
        );
    }

    use crate::wire::ParticipantsResponse;

    #[test]
    fn a_200_with_error_info_is_still_an_error() {
        let now = datetime!(2026-01-01 00:00:30 UTC);
        let body = r#"{"participants":[{"userid":"u1"}],"error_info":{"error_code":"9003","new_error_code":1009003,"message":"MEETING NOT EXIST"}}"#;
        let e = decode_reply::<ParticipantsResponse>(
            "participants",
            &raw(200, body, Some("tr-2")),
            now,
        )
        .unwrap_err();
        assert_eq!(
            (e.kind(), e.vendor_code()),
            (ErrorKind::NotFound, Some(9003))
        );
        assert_eq!(e.http_status(), Some(200));
        assert_eq!(e.request_id(), Some("tr-2"));
        assert_eq!(e.vendor_message(), Some("MEETING NOT EXIST"));
        assert_eq!(e.api_details().unwrap().new_code, Some(1_009_003));
        // A rate limit in a 200 keeps its wait.
        let e = decode_reply::<ParticipantsResponse>(
            "participants",
            &raw(200, r#"{"error_info":{"error_code":190310}}"#, None),
            now,
        )
        .unwrap_err();
        assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
        // The payload cannot be read: the error_info still decides.
        let e = decode_reply::<ParticipantsResponse>(
            "participants",
            &raw(
                200,
                r#"{"participants":5,"error_info":{"error_code":41}}"#,
                None,
            ),
            now,
        )
        .unwrap_err();
        assert_eq!(
            (e.kind(), e.class()),
            (ErrorKind::Unavailable, RetryClass::Retry)
        );
    }

    #[test]
    fn a_200_is_decoded_once() {
        let now = datetime!(2026-01-01 00:00:30 UTC);
        let page = decode_reply::<ParticipantsResponse>(
            "participants",
            &raw(
                200,
                r#"{"participants":[{"userid":"u1"}],"has_remaining":false}"#,
                None,
            ),
            now,
        )
        .unwrap();
        assert_eq!(page.participants.map(|rows| rows.len()), Some(1));
        for info in [
            r#"{"error_code":0}"#,
            r#"{"message":"no code"}"#,
            "null",
            "\"x\"",
        ] {
            let body = format!(r#"{{"participants":[],"error_info":{info}}}"#);
            let page =
                decode_reply::<ParticipantsResponse>("participants", &raw(200, &body, None), now)
                    .unwrap();
            assert!(
                page.extra.contains_key("error_info"),
                "kept in extra: {info}"
            );
        }
        // A records field of another type is no array (the page is then refused as
        // malformed); a record of another type is a decode failure.
        let page = decode_reply::<ParticipantsResponse>(
            "participants",
            &raw(200, r#"{"participants":5}"#, None),
            now,
        )
        .unwrap();
        assert_eq!(page.participants, None);
        let e = decode_reply::<ParticipantsResponse>(
            "participants",
            &raw(200, r#"{"participants":[5]}"#, None),
            now,
        )
        .unwrap_err();
        assert_eq!(
            (e.kind(), e.class()),
            (ErrorKind::Decode, RetryClass::Fatal)
        );
        assert_eq!(e.body_snippet(), Some(r#"{"participants":[5]}"#));
        let e = decode_reply::<ParticipantsResponse>(
            "participants",
            &raw(200, r#"{"participants":[{"#, None),
            now,
        )
        .unwrap_err();
        assert_eq!(
            (e.kind(), e.class()),
            (ErrorKind::Decode, RetryClass::Retry)
        );
        // Other statuses are response_error's, with a body or without.
        let e = decode_reply::<ParticipantsResponse>(
            "participants",
            &raw(500, r#"{"error_info":{"error_code":9003}}"#, None),
            now,
        )
        .unwrap_err();
        assert_eq!(
            (e.kind(), e.http_status()),
            (ErrorKind::NotFound, Some(500))
        );
        let e = decode_reply::<ParticipantsResponse>(
            "participants",
            &raw(502, "<html/>", Some("tr-3")),
            now,
        )
        .unwrap_err();
        assert_eq!(
            (e.kind(), e.class()),
            (ErrorKind::Transport, RetryClass::Retry)
        );
        assert!(e.hint().unwrap().contains("tr-3"));
        let e = decode_reply::<ParticipantsResponse>(
            "participants",
            &raw(201, r#"{"participants":[]}"#, None),
            now,
        )
        .unwrap_err();
        assert_eq!(e.http_status(), Some(201));
    }

    mod one_parse {
        use super::*;
        use crate::wire::{EnrollApprovalsResponse, InviteesResponse, MeetingDetailResponse};
        use proptest::prelude::*;
        use serde_json::Value;

        fn key() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("error_info".to_string()),
                Just("error_code".to_string()),
                Just("message".to_string()),
                Just("participants".to_string()),
                Just("meeting_info_list".to_string()),
                Just("invitees".to_string()),
                Just("enroll_list".to_string()),
                Just("has_remaining".to_string()),
                "[a-z_]{1,6}",
            ]
        }

        fn json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                (-3i64..3).prop_map(|n| serde_json::json!(n)),
                any::<i64>().prop_map(|n| serde_json::json!(n)),
                prop_oneof![Just("9003".to_string()), ".{0,6}".prop_map(String::from)]
                    .prop_map(Value::String),
            ];
            leaf.prop_recursive(3, 20, 5, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                    prop::collection::btree_map(key(), inner, 0..4)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        /// The outcome of the old two-parse path: `response_error`, then a decode of `T`.
        fn two_parses<T: serde::de::DeserializeOwned>(
            r: &RawResponse,
            now: OffsetDateTime,
        ) -> Result<T, Error> {
            match response_error(r, now) {
                Some(e) => Err(e),
                None => roster_core::http::decode_json(Vendor::TencentMeeting, r),
            }
        }

        fn same<T: serde::de::DeserializeOwned + Reply + PartialEq + std::fmt::Debug>(
            r: &RawResponse,
            now: OffsetDateTime,
        ) -> Result<(), TestCaseError> {
            match (decode_reply::<T>("", r, now), two_parses::<T>(r, now)) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(a), Err(b)) => {
                    prop_assert_eq!(a.to_string(), b.to_string());
                    prop_assert_eq!(
                        (
                            a.kind(),
                            a.class(),
                            a.vendor_code(),
                            a.http_status(),
                            a.retry_after()
                        ),
                        (
                            b.kind(),
                            b.class(),
                            b.vendor_code(),
                            b.http_status(),
                            b.retry_after()
                        )
                    );
                    prop_assert_eq!(a.body_snippet(), b.body_snippet());
                }
                (a, b) => prop_assert!(false, "{:?} against {:?}", a.err(), b.err()),
            }
            Ok(())
        }

        proptest! {
            #[test]
            fn decode_reply_agrees_with_the_error_check_then_decode(
                fields in prop::collection::btree_map(key(), json(), 0..4),
                info in prop::option::of((json(), json(), json())),
                status in prop_oneof![Just(200u16), Just(200), Just(400), Just(500), Just(502)],
                text in ".{0,20}",
            ) {
                let now = datetime!(2026-01-01 00:00:30 UTC);
                let mut body: serde_json::Map<String, Value> = fields.into_iter().collect();
                if let Some((code, message, other)) = info {
                    // Mostly a well-formed error_info, sometimes anything.
                    let info = match other {
                        Value::Bool(true) => other,
                        _ => serde_json::json!({"error_code": code, "message": message}),
                    };
                    body.insert("error_info".into(), info);
                }
                let body = Value::Object(body);
                for text in [body.to_string(), text] {
                    let r = raw(status, &text, Some("tr"));
                    same::<ParticipantsResponse>(&r, now)?;
                    same::<InviteesResponse>(&r, now)?;
                    same::<EnrollApprovalsResponse>(&r, now)?;
                    // MeetingDetailResponse has no PartialEq: compare its error side only.
                    let a = decode_reply::<MeetingDetailResponse>("", &r, now).err().map(|e| e.to_string());
                    let b = two_parses::<MeetingDetailResponse>(&r, now).err().map(|e| e.to_string());
                    prop_assert_eq!(a, b);
                }
            }
        }
    }

    #[test]
    fn clock_skew_is_clear() {
        let now = datetime!(2026-01-01 00:00:30 UTC);
        let e = response_error(
            &raw(
                400,
                r#"{"error_info":{"error_code":190300,"message":"skew"}}"#,
                None,
            ),
            now,
        )
        .unwrap();
        assert_eq!(e.kind(), ErrorKind::ClockSkew);
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("clock"), "{e}");
    }
}
