//! WeCom error envelope (docs/specs/wecom.md §3, §6): always HTTP 200 with `{"errcode":N,"errmsg":"…"}`.
//!
//! `errmsg` carries the real service's suffix, `, hint: [<id>], from ip: …, more info at
//! https://open.work.weixin.qq.com/devtool/query?e=<code>`, so that clients can keep the hint as a
//! request id (docs/specs/wecom.md §3). The hint is 25 digits: the sandbox time, a sequence number and a salt.

use std::borrow::Cow;

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A WeCom API error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WcError {
    pub code: i64,
    pub message: Cow<'static, str>,
}

impl WcError {
    pub(crate) fn new(code: i64, message: impl Into<Cow<'static, str>>) -> Self {
        WcError {
            code,
            message: message.into(),
        }
    }

    /// `40058` for a parameter that is missing, empty, out of range or not allowed.
    pub(crate) fn invalid(detail: impl std::fmt::Display) -> Self {
        WcError::new(40058, format!("invalid Request Parameter: {detail}"))
    }

    /// `40058` with the documented text for malformed or mistyped JSON.
    pub(crate) fn wrong_json(detail: impl std::fmt::Display) -> Self {
        WcError::new(40058, format!("Warning: wrong json format. {detail}"))
    }

    /// A code with its table text (docs/specs/wecom.md §6).
    pub(crate) fn code(code: i64) -> Self {
        let message = match code {
            -1 => "system busy",
            6000 => "data version conflict",
            40001 => "invalid credential, access_token is invalid or not latest",
            40013 => "invalid corpid",
            40014 => "invalid access_token",
            40058 => "invalid Request Parameter",
            40091 => "secret is invalid",
            41001 => "access_token missing",
            41002 => "corpid missing",
            41004 => "corpsecret missing",
            41009 => "missing userid",
            42001 => "access_token expired",
            45009 => "api freq out of limit",
            45033 => "api concurrent out of limit",
            45035 => "concurrent operation conflict",
            45036 => "api data access out of limit",
            48002 => "api forbidden",
            50003 => "application is disabled",
            60020 => "not allow to access from your ip",
            90602 => "invalid meetingid",
            730000 => "invalid tmp_openid",
            730003 => "invalid sub_meetingid",
            730004 => "invalid meeting_code",
            730005 => "cannot operate meeting created by other app",
            730006 => "invalid enroll_id",
            730007 => "corp is not professional edition or meeting rooms less than 10",
            730008 => "meeting has been deleted",
            730010 => "meeting not created by api",
            730011 => "meeting type not supported",
            400041 => "meeting has been cancelled",
            _ => "sandbox injected error",
        };
        WcError::new(code, message)
    }
}

/// The complete `errmsg` of an error: text, hint and the documented suffix.
pub(crate) fn errmsg(message: &str, code: i64, hint: &str) -> String {
    format!(
        "{message}, hint: [{hint}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e={code}"
    )
}

/// An error body (HTTP 200).
pub(crate) fn error_response(code: i64, errmsg: &str) -> Response {
    let body = format!(
        "{{\"errcode\":{code},\"errmsg\":{}}}",
        serde_json::Value::from(errmsg)
    );
    json_response(body)
}

/// A JSON body with HTTP 200.
pub(crate) fn json_response(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=UTF-8")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_the_documented_shape() {
        let m = errmsg("api freq out of limit", 45009, "1700000000000000001123456");
        assert!(m.starts_with("api freq out of limit, hint: [1700000000000000001123456]"));
        assert!(m.ends_with("devtool/query?e=45009"));
        assert!(
            WcError::wrong_json("x")
                .message
                .starts_with("Warning: wrong json format.")
        );
        assert_eq!(WcError::code(90602).code, 90602);
    }
}
