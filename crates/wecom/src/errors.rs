//! Classification of WeCom `errcode`s (docs/specs/wecom.md §6; `730011` as §12.0 says).
//!
//! Decisions read the code only, never `errmsg` (the vendor says so, and the text changes); the
//! message is kept verbatim, and its `hint: [...]` value becomes the request id.

use std::time::Duration;

use roster_core::{ApiDetails, Error, ErrorKind, RetryClass, Vendor};

/// Which kind of call returned the code: `40001` means "wrong secret" from `gettoken` but is
/// treated as a rejected token from a business call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallKind {
    /// `GET /cgi-bin/gettoken`.
    GetToken,
    /// Any `/cgi-bin/meeting/*` call.
    Business,
}

/// What an `errcode` means for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Classification {
    /// What went wrong.
    pub kind: ErrorKind,
    /// What the retry executor may do.
    pub class: RetryClass,
    /// What a person should check, for well-known codes.
    pub hint: Option<&'static str>,
}

impl Classification {
    const fn new(kind: ErrorKind, class: RetryClass, hint: Option<&'static str>) -> Self {
        Self { kind, class, hint }
    }
}

const HINT_SECRET: &str = "check the app Secret (应用管理 > 自建应用 > Secret) and that it belongs to this corp id; the secret may have been reset or the app disabled. Repeated wrong secrets get this IP banned for an hour, so roster does not retry";
const HINT_CORP_ID: &str = "check the corp id (我的企业 > 企业信息 > 企业ID)";
const HINT_APP_DISABLED: &str = "the app is disabled: enable it in 应用管理";
const HINT_TRUSTED_IP: &str = "add this machine's public IP to the app's trusted IPs (企业可信IP); a change takes about a minute to apply";
const HINT_API_PERMISSION: &str = "add the app under 协作 > 会议 > API > 可调用接口的应用 (the app list allowed to call meeting APIs)";
const HINT_MEETING_APP_OFF: &str = "the meeting application is switched off for this corp";
const HINT_ADVANCED_TIER: &str =
    "these endpoints need the 会议高级功能 (advanced meeting features) the corp has not bought";
const HINT_MEETING_TYPE: &str = "this API does not support this type of meeting (webinars and meetings have separate enrollment APIs), or not for this account (会议高级功能)";
const HINT_RATE_LIMIT: &str = "the app called this API too often; the block lasts the limit window (usually one minute). Lower the pacing if it happens again";
const HINT_SLOW_DOWN: &str = "WeCom asks to lower concurrency and call rate";
const HINT_TOKEN_MISSING: &str =
    "the access token was not sent: this is a client bug, please report it";
const HINT_MEETING_ID: &str = "check the meeting id, and that this app created the meeting (an app can only read its own meetings)";
const HINT_OTHER_APP: &str = "an app can only read meetings it created itself";

/// The classification of `code` (non-zero) returned by a call of `call` kind.
pub fn classify(code: i64, call: CallKind) -> Classification {
    use ErrorKind as K;
    use RetryClass as R;
    let c = Classification::new;
    match code {
        -1 | 6000 | 45035 => c(K::Unavailable, R::Retry, None),
        45033 | 45036 => c(K::Unavailable, R::RetrySlow, Some(HINT_SLOW_DOWN)),
        45009 => c(K::RateLimited, R::RateLimited, Some(HINT_RATE_LIMIT)),
        40014 | 42001 => match call {
            CallKind::Business => c(K::Auth, R::RefreshAuth, None),
            CallKind::GetToken => c(K::Auth, R::Fatal, None),
        },
        40001 => match call {
            CallKind::Business => c(K::Auth, R::RefreshAuth, Some(HINT_SECRET)),
            CallKind::GetToken => c(K::Config, R::Fatal, Some(HINT_SECRET)),
        },
        40091 => c(K::Config, R::Fatal, Some(HINT_SECRET)),
        41001 => c(K::Auth, R::Fatal, Some(HINT_TOKEN_MISSING)),
        41002 | 40013 => c(K::Config, R::Fatal, Some(HINT_CORP_ID)),
        41004 => c(K::Config, R::Fatal, Some(HINT_SECRET)),
        50003 => c(K::Config, R::Fatal, Some(HINT_APP_DISABLED)),
        48002 | 301002 => c(K::Config, R::Fatal, Some(HINT_API_PERMISSION)),
        60020 => c(K::Config, R::Fatal, Some(HINT_TRUSTED_IP)),
        400028 => c(K::Config, R::Fatal, Some(HINT_MEETING_APP_OFF)),
        730007 => c(K::Config, R::Fatal, Some(HINT_ADVANCED_TIER)),
        // §12.0: the answer to a meeting of the kind an API does not serve (a webinar on
        // `enroll/*` or `get_invitees`, a meeting on `webinar/enroll/*`).
        730011 => c(K::Unsupported, R::Fatal, Some(HINT_MEETING_TYPE)),
        40058 | 40063 | 41009 | 40003 | 60111 | 730000 | 730003 | 730006 => {
            c(K::InvalidArgument, R::Fatal, None)
        }
        90602 | 730004 => c(K::NotFound, R::Fatal, Some(HINT_MEETING_ID)),
        730008 => c(K::NotFound, R::Fatal, None),
        730005 | 730010 => c(K::Forbidden, R::Fatal, Some(HINT_OTHER_APP)),
        400307 | 400308 => c(K::Forbidden, R::Fatal, None),
        _ => c(K::Api, R::Fatal, None),
    }
}

/// The `hint: [...]` value of an `errmsg` (WeCom's request id), e.g.
/// `"api freq out of limit, hint: [1651125626252370061579454], from ip: …"`.
pub fn request_id_from_errmsg(errmsg: &str) -> Option<&str> {
    let start = errmsg.find("hint: [")? + "hint: [".len();
    let rest = &errmsg[start..];
    let id = &rest[..rest.find(']')?];
    let id = id.trim();
    (!id.is_empty()).then_some(id)
}

/// The error for a non-zero `errcode`, classified, with the message verbatim, the request id,
/// HTTP status 200, a hint for well-known codes and, for `45009`, `retry_after`.
pub fn api_error(code: i64, errmsg: &str, call: CallKind, rate_limit_wait: Duration) -> Error {
    let mut details = ApiDetails::new(code, errmsg);
    if let Some(id) = request_id_from_errmsg(errmsg) {
        details = details.with_request_id(id);
    }
    from_details(details, Some(200), call, rate_limit_wait)
}

/// Builds the classified error from details already parsed.
pub(crate) fn from_details(
    details: ApiDetails,
    status: Option<u16>,
    call: CallKind,
    rate_limit_wait: Duration,
) -> Error {
    let c = classify(details.code, call);
    let mut e = Error::api(Vendor::WeCom, details, c.kind, c.class);
    if let Some(status) = status {
        e = e.with_status(status);
    }
    if let Some(hint) = c.hint {
        e = e.with_hint(hint);
    }
    if c.class == RetryClass::RateLimited {
        e = e.with_retry_after(rate_limit_wait);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_table() {
        use CallKind::*;
        use ErrorKind as K;
        use RetryClass as R;
        let table: &[(i64, CallKind, K, R)] = &[
            (-1, Business, K::Unavailable, R::Retry),
            (6000, Business, K::Unavailable, R::Retry),
            (45035, Business, K::Unavailable, R::Retry),
            (45033, Business, K::Unavailable, R::RetrySlow),
            (45036, Business, K::Unavailable, R::RetrySlow),
            (45009, Business, K::RateLimited, R::RateLimited),
            (45009, GetToken, K::RateLimited, R::RateLimited),
            (40014, Business, K::Auth, R::RefreshAuth),
            (42001, Business, K::Auth, R::RefreshAuth),
            (40001, Business, K::Auth, R::RefreshAuth),
            (40001, GetToken, K::Config, R::Fatal),
            (41001, Business, K::Auth, R::Fatal),
            (41002, GetToken, K::Config, R::Fatal),
            (41004, GetToken, K::Config, R::Fatal),
            (40013, GetToken, K::Config, R::Fatal),
            (40091, GetToken, K::Config, R::Fatal),
            (50003, GetToken, K::Config, R::Fatal),
            (60020, GetToken, K::Config, R::Fatal),
            (60020, Business, K::Config, R::Fatal),
            (48002, Business, K::Config, R::Fatal),
            (301002, Business, K::Config, R::Fatal),
            (400028, Business, K::Config, R::Fatal),
            (730007, Business, K::Config, R::Fatal),
            (730011, Business, K::Unsupported, R::Fatal),
            (40058, Business, K::InvalidArgument, R::Fatal),
            (40063, Business, K::InvalidArgument, R::Fatal),
            (41009, Business, K::InvalidArgument, R::Fatal),
            (40003, Business, K::InvalidArgument, R::Fatal),
            (60111, Business, K::InvalidArgument, R::Fatal),
            (730000, Business, K::InvalidArgument, R::Fatal),
            (730003, Business, K::InvalidArgument, R::Fatal),
            (730006, Business, K::InvalidArgument, R::Fatal),
            (90602, Business, K::NotFound, R::Fatal),
            (730004, Business, K::NotFound, R::Fatal),
            (730008, Business, K::NotFound, R::Fatal),
            (730005, Business, K::Forbidden, R::Fatal),
            (730010, Business, K::Forbidden, R::Fatal),
            (400307, Business, K::Forbidden, R::Fatal),
            (400308, Business, K::Forbidden, R::Fatal),
            (400041, Business, K::Api, R::Fatal),
            (123456, Business, K::Api, R::Fatal),
        ];
        for &(code, call, kind, class) in table {
            let c = classify(code, call);
            assert_eq!((c.kind, c.class), (kind, class), "{code} {call:?}");
        }
    }

    #[test]
    fn config_codes_carry_hints() {
        for code in [60020, 48002, 40013, 50003, 730007] {
            assert!(classify(code, CallKind::Business).hint.is_some(), "{code}");
        }
        assert!(
            classify(60020, CallKind::GetToken)
                .hint
                .unwrap()
                .contains("trusted IP")
        );
        assert!(
            classify(48002, CallKind::Business)
                .hint
                .unwrap()
                .contains("可调用接口的应用")
        );
        assert!(
            classify(40001, CallKind::GetToken)
                .hint
                .unwrap()
                .contains("Secret")
        );
    }

    #[test]
    fn request_ids_come_from_the_hint() {
        let msg = "api freq out of limit, hint: [1651125626252370061579454], from ip: 122.14.234.1, more info at https://open.work.weixin.qq.com/devtool/query?e=45009";
        assert_eq!(
            request_id_from_errmsg(msg),
            Some("1651125626252370061579454")
        );
        assert_eq!(request_id_from_errmsg("ok"), None);
        assert_eq!(request_id_from_errmsg("hint: []"), None);
        assert_eq!(request_id_from_errmsg("hint: [unterminated"), None);
        assert_eq!(request_id_from_errmsg("中文 hint: [中] x"), Some("中"));
    }

    #[test]
    fn rate_limit_errors_say_how_long_to_wait() {
        let e = api_error(
            45009,
            "api freq out of limit, hint: [abc]",
            CallKind::Business,
            Duration::from_secs(60),
        );
        assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
        assert_eq!(e.request_id(), Some("abc"));
        assert_eq!(e.http_status(), Some(200));
        assert_eq!(
            e.vendor_message(),
            Some("api freq out of limit, hint: [abc]")
        );
        assert!(e.hint().is_some());
    }

    #[test]
    fn messages_never_change_the_class() {
        // The same text with two codes: only the code decides.
        let a = api_error(
            40014,
            "invalid credential",
            CallKind::Business,
            Duration::ZERO,
        );
        let b = api_error(
            40058,
            "invalid credential",
            CallKind::Business,
            Duration::ZERO,
        );
        assert_eq!(a.class(), RetryClass::RefreshAuth);
        assert_eq!(b.class(), RetryClass::Fatal);
    }
}
