//! Tencent error envelope (docs/specs/tencent-meeting.md §3) and HTTP statuses (docs/specs/tencent-meeting.md §6).

use std::borrow::Cow;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A Tencent API error: `{"error_info":{"error_code":N,"message":"…"}}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TcError {
    pub code: i64,
    pub message: Cow<'static, str>,
    /// An HTTP status other than [`TcError::status`]'s table, for the pages that document one
    /// (`9042` is 400 on the export poll, 403 elsewhere).
    pub status_override: Option<StatusCode>,
}

impl TcError {
    pub(crate) fn new(code: i64, message: impl Into<Cow<'static, str>>) -> Self {
        TcError {
            code,
            message: message.into(),
            status_override: None,
        }
    }

    /// The same error sent with HTTP `status`.
    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status_override = Some(status);
        self
    }

    /// `190004` with a detail.
    pub(crate) fn invalid(detail: impl std::fmt::Display) -> Self {
        TcError::new(190004, format!("参数非法 invalid parameter: {detail}"))
    }

    /// `200001` naming the missing header.
    pub(crate) fn missing_header(name: &str) -> Self {
        TcError::new(
            200001,
            format!("API 请求头缺失必填字段 missing required header: {name}"),
        )
    }

    /// `190303`.
    pub(crate) fn bad_secret() -> Self {
        TcError::new(
            190303,
            "未认证的 secret 信息，请检查 AppId 和 X-TC-Key；SdkId 如未分配不要携带",
        )
    }

    /// `9003`.
    pub(crate) fn meeting_not_found() -> Self {
        TcError::new(9003, "MEETING NOT EXIST")
    }

    /// `9042`.
    pub(crate) fn forbidden() -> Self {
        TcError::new(9042, "无权限操作 no permission")
    }

    /// A vendor code with its table message.
    pub(crate) fn code(code: i64) -> Self {
        let message = match code {
            41 | 960000 => "网络错误，请稍后重试",
            5108 => "系统内部错误",
            10000 => "用户信息 API 调用通用错误返回",
            190310 => "每分钟总接口调用次数超过限制",
            190313 => "每分钟单个接口调用次数超过限制",
            9061 => "查询会议过于频繁，超过限频次数",
            190311 => "每天总接口调用次数超过限制",
            190312 => "每天单个接口调用次数超过限制",
            190301 => "请求重放错误",
            200002 => "API 请求重放判定",
            190300 => "X-TC-Timestamp 取值与服务器当前时间差距超过5分钟，视为非法请求",
            200003 => "Signature failed!",
            81101 => "X-TC-Registered 字段必须传入为1",
            190001 => "存在未注册的用户",
            500014 => "账号无权限",
            200004 => "不支持的 API 请求",
            200005 => "JSON 串解析错误",
            200006 => "API 请求参数出错",
            9002 => "获取 TinyId 错误或者 meetingId 错误",
            190457 => "会议不存在，请检查 meeting_id",
            101 => "会议未开启报名",
            107 => "查询权限不足",
            10013 => "任务不存在",
            13603 => "会议已结束",
            190303 => return TcError::bad_secret(),
            9003 => return TcError::meeting_not_found(),
            9042 => return TcError::forbidden(),
            190004 => "参数非法",
            _ => "sandbox injected error",
        };
        TcError::new(code, message)
    }

    /// The HTTP status the emulator sends with this code (documented where known, otherwise an
    /// emulator choice; see the README).
    pub(crate) fn status(&self) -> StatusCode {
        if let Some(s) = self.status_override {
            return s;
        }
        match self.code {
            9042 => StatusCode::FORBIDDEN,
            41 | 960000 | 5108 | 10000 | 190310 | 190311 | 190312 | 190313 | 9061 | 190001
            | 101 => StatusCode::INTERNAL_SERVER_ERROR,
            200001 | 200002 | 200003 | 200004 | 200005 | 200006 | 190300 | 190301 | 190303
            | 190004 | 81101 | 500014 | 9002 | 9003 | 190457 | 13603 => StatusCode::BAD_REQUEST,
            // Unknown injected codes: 400 for the "API request error" range, 500 otherwise.
            c if c >= 100_000 => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The response, with `new_error_code` when the switch is on (`"1000"` + the code).
    pub(crate) fn into_response(self, with_new_code: bool) -> Response {
        let mut info = serde_json::Map::new();
        info.insert("error_code".into(), self.code.into());
        if with_new_code && let Ok(n) = format!("1000{}", self.code.unsigned_abs()).parse::<i64>() {
            info.insert("new_error_code".into(), n.into());
        }
        info.insert("message".into(), self.message.as_ref().into());
        let body = serde_json::json!({ "error_info": info }).to_string();
        (
            self.status(),
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            body,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_spec_table() {
        assert_eq!(TcError::code(9042).status(), StatusCode::FORBIDDEN);
        assert_eq!(TcError::code(9003).status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            TcError::code(190310).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            TcError::code(101).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(TcError::code(200003).message, "Signature failed!");
    }
}
