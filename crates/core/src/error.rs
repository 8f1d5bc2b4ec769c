//! The one error type of roster, with the vendor's code, message, HTTP status and request id.
//!
//! Vendor crates classify each vendor code into an [`ErrorKind`] (what went wrong) and a
//! [`RetryClass`] (what to do about it); the retry executor reads only the class. Classification
//! is by vendor code, never by HTTP status or message text.
//!
//! Nothing secret ever enters an `Error`: transport errors are stripped of their URL (WeCom puts
//! the access token in the query), and vendor crates build messages from codes and ids only.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::vendor::Vendor;

/// Convenient alias for results with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A vendor error without a more specific kind.
    Api,
    /// The vendor reports a temporary failure (system busy, network error).
    Unavailable,
    /// The vendor's rate limit was hit; see [`Error::retry_after`].
    RateLimited,
    /// The access token was rejected and one refresh did not help.
    Auth,
    /// Credentials, headers, IP allow-list or account set-up are wrong: fix the configuration.
    Config,
    /// The request timestamp is too far from the vendor's clock: fix the local clock.
    ClockSkew,
    /// The vendor judged the request a replay (nonce and timestamp reused).
    Replay,
    /// Meeting, event or user not found.
    NotFound,
    /// The caller may not read this meeting.
    Forbidden,
    /// A parameter is invalid (detected locally before any request, or reported by the vendor).
    InvalidArgument,
    /// The meeting has no enrollment.
    EnrollmentNotEnabled,
    /// The connection failed, or the vendor answered with a non-JSON error page.
    Transport,
    /// No complete answer within the configured time.
    Timeout,
    /// The answer could not be decoded; the HTTP status and a body snippet are kept.
    Decode,
    /// A saved cursor does not belong to this query or page size.
    CursorMismatch,
    /// The vendor's pagination did not advance (repeated or missing cursor).
    PaginationStalled,
    /// The vendor's record cap cut the result short; the records delivered are real but
    /// incomplete.
    Truncated,
    /// An answer that lacks what every real page of its list carries (the records array, the
    /// vendor's "more" flag): a gateway's or proxy's body, or another endpoint's. Retried like
    /// a transient failure; never read as the end of the list.
    MalformedPage,
    /// The list ended with fewer records than the vendor's own total said it holds, and no
    /// vendor cap explains the gap: the records delivered are real but some are missing.
    Incomplete,
    /// A response body exceeded the configured limit (`HttpConfig::max_body_bytes`).
    ResponseTooLarge,
    /// The vendor has no such data (Quanshi keeps no sign-ins), or not for this kind of
    /// meeting (a vendor's answer that the meeting type does not support the call). Fatal.
    Unsupported,
    /// An asynchronous vendor job (Tencent's participants export) failed, or did not finish
    /// within the time allowed.
    JobFailed,
}

impl ErrorKind {
    /// A short lower-case name (`rate_limited`, `not_found` …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Api => "api",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Auth => "auth",
            ErrorKind::Config => "config",
            ErrorKind::ClockSkew => "clock_skew",
            ErrorKind::Replay => "replay",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::EnrollmentNotEnabled => "enrollment_not_enabled",
            ErrorKind::Transport => "transport",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Decode => "decode",
            ErrorKind::CursorMismatch => "cursor_mismatch",
            ErrorKind::PaginationStalled => "pagination_stalled",
            ErrorKind::Truncated => "truncated",
            ErrorKind::MalformedPage => "malformed_page",
            ErrorKind::Incomplete => "incomplete",
            ErrorKind::ResponseTooLarge => "response_too_large",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::JobFailed => "job_failed",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the retry executor may do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryClass {
    /// Retry with full-jitter exponential backoff.
    Retry,
    /// Retry with a longer backoff base (the vendor asks callers to slow down, e.g. WeCom 45033).
    RetrySlow,
    /// Refresh the credential, then retry once.
    RefreshAuth,
    /// Wait for the rate-limit window ([`Error::retry_after`]), then retry a bounded number of
    /// times.
    RateLimited,
    /// Re-sign with a fresh nonce and timestamp and retry once.
    Replay,
    /// Never retry.
    Fatal,
}

/// The vendor's own description of an error, kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiDetails {
    /// The vendor code classified on (WeCom `errcode`, Tencent `error_code`, Quanshi
    /// `status`/`code`).
    pub code: i64,
    /// A second code some vendors add (Tencent `new_error_code`); kept, never classified on.
    pub new_code: Option<i64>,
    /// The vendor's message, verbatim.
    pub message: String,
    /// Request or trace ids, most specific first (Tencent `X-TC-Trace`, WeCom `hint`, Quanshi
    /// `request_id`/`reqid`/`requestId`).
    pub request_ids: Vec<String>,
}

impl ApiDetails {
    /// Details with a code and message and no ids.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            new_code: None,
            message: message.into(),
            request_ids: Vec::new(),
        }
    }

    /// Adds a request id (ignored when empty).
    pub fn with_request_id(mut self, id: impl Into<String>) -> Self {
        let id = id.into();
        if !id.trim().is_empty() && !self.request_ids.contains(&id) {
            self.request_ids.push(id);
        }
        self
    }

    /// Sets the secondary code.
    pub fn with_new_code(mut self, code: Option<i64>) -> Self {
        self.new_code = code;
        self
    }
}

/// The error type of every roster crate.
///
/// Cheap to move (one box) and to clone (a failure shared by every caller that waited for it).
/// Inspect it with [`Error::kind`], [`Error::class`] and the accessors; its `Display` is one line
/// naming vendor, code, message and request id.
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    class: RetryClass,
    vendor: Option<Vendor>,
    message: Cow<'static, str>,
    api: Option<ApiDetails>,
    http_status: Option<u16>,
    retry_after: Option<Duration>,
    body_snippet: Option<String>,
    hint: Option<Cow<'static, str>>,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// A new error of `kind` with a message. The retry class defaults from the kind:
    /// transport, timeout, unavailable and malformed pages retry; rate-limited waits; the rest
    /// is fatal.
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        let class = match kind {
            ErrorKind::Unavailable
            | ErrorKind::Transport
            | ErrorKind::Timeout
            | ErrorKind::MalformedPage => RetryClass::Retry,
            ErrorKind::RateLimited => RetryClass::RateLimited,
            ErrorKind::Replay => RetryClass::Replay,
            _ => RetryClass::Fatal,
        };
        Self {
            inner: Box::new(Inner {
                kind,
                class,
                vendor: None,
                message: message.into(),
                api: None,
                http_status: None,
                retry_after: None,
                body_snippet: None,
                hint: None,
                source: None,
            }),
        }
    }

    /// A vendor error, classified by the vendor crate.
    pub fn api(vendor: Vendor, details: ApiDetails, kind: ErrorKind, class: RetryClass) -> Self {
        let mut e = Self::new(kind, details.message.clone());
        e.inner.vendor = Some(vendor);
        e.inner.class = class;
        e.inner.api = Some(details);
        e
    }

    /// Data `vendor` does not have ("quanshi: unsupported: the vendor keeps no sign-ins").
    pub fn unsupported(vendor: Vendor, what: impl fmt::Display) -> Self {
        Self::new(
            ErrorKind::Unsupported,
            format!("the vendor keeps no {what}"),
        )
        .with_vendor(vendor)
    }

    /// A parameter rejected before any request.
    pub fn invalid_argument(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    /// A configuration problem (missing setting, unusable URL …).
    pub fn config(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    /// A connection-level failure. `message` must not contain a URL.
    pub fn transport(vendor: Vendor, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Transport, message).with_vendor(vendor)
    }

    /// No complete answer within `after`.
    pub fn timeout(vendor: Vendor, after: Option<Duration>) -> Self {
        let message = match after {
            Some(d) => format!("no complete response within {:.1} s", d.as_secs_f64()),
            None => "the request timed out".to_string(),
        };
        Self::new(ErrorKind::Timeout, message).with_vendor(vendor)
    }

    /// A body that could not be decoded. Keeps the status and at most 1 KiB of the body.
    pub fn decode(
        vendor: Vendor,
        status: u16,
        message: impl Into<Cow<'static, str>>,
        body: &[u8],
    ) -> Self {
        let mut e = Self::new(ErrorKind::Decode, message).with_vendor(vendor);
        e.inner.http_status = Some(status);
        e.inner.body_snippet = Some(snippet(body));
        e
    }

    /// Sets the vendor.
    pub fn with_vendor(mut self, vendor: Vendor) -> Self {
        self.inner.vendor = Some(vendor);
        self
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.inner.http_status = Some(status);
        self
    }

    /// Appends `context` to the message in parentheses ("… (after 4 attempts over 2.1 s)").
    pub fn with_context(mut self, context: impl fmt::Display) -> Self {
        self.inner.message = format!("{} ({context})", self.inner.message).into();
        self
    }

    /// Overrides the retry class.
    pub fn with_class(mut self, class: RetryClass) -> Self {
        self.inner.class = class;
        self
    }

    /// Sets how long to wait before trying again.
    pub fn with_retry_after(mut self, after: Duration) -> Self {
        self.inner.retry_after = Some(after);
        self
    }

    /// Adds a hint for people (what to check, what to change).
    pub fn with_hint(mut self, hint: impl Into<Cow<'static, str>>) -> Self {
        self.inner.hint = Some(hint.into());
        self
    }

    /// Keeps at most 1 KiB of a response body (for non-JSON error pages).
    pub fn with_body(mut self, body: &[u8]) -> Self {
        self.inner.body_snippet = Some(snippet(body));
        self
    }

    /// Drops the body snippet (for answers that may carry a credential, such as token endpoints).
    pub fn without_body(mut self) -> Self {
        self.inner.body_snippet = None;
        self
    }

    /// Attaches an underlying cause. It must not render a secret or a URL.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Arc::new(source));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// What the retry executor may do.
    pub fn class(&self) -> RetryClass {
        self.inner.class
    }

    /// The platform that reported the error, if any.
    pub fn vendor(&self) -> Option<Vendor> {
        self.inner.vendor
    }

    /// The summary message (for vendor errors, the vendor's message; after several attempts,
    /// followed by how many there were and how long they took: `vendor_message` keeps the
    /// vendor's text alone).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The vendor's details, for errors the vendor reported.
    pub fn api_details(&self) -> Option<&ApiDetails> {
        self.inner.api.as_ref()
    }

    /// The vendor code (`errcode`, `error_code`, `status`/`code`).
    pub fn vendor_code(&self) -> Option<i64> {
        self.inner.api.as_ref().map(|a| a.code)
    }

    /// The vendor's message.
    pub fn vendor_message(&self) -> Option<&str> {
        self.inner.api.as_ref().map(|a| a.message.as_str())
    }

    /// The most specific request/trace id.
    pub fn request_id(&self) -> Option<&str> {
        self.inner
            .api
            .as_ref()
            .and_then(|a| a.request_ids.first())
            .map(String::as_str)
    }

    /// The HTTP status, when a response arrived.
    pub fn http_status(&self) -> Option<u16> {
        self.inner.http_status
    }

    /// How long to wait before trying again, when the vendor or the classifier knows.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// At most 1 KiB of the response body, for decode errors and non-JSON error pages.
    pub fn body_snippet(&self) -> Option<&str> {
        self.inner.body_snippet.as_deref()
    }

    /// A hint for people, for well-known codes.
    pub fn hint(&self) -> Option<&str> {
        self.inner.hint.as_deref()
    }

    /// Whether the executor would retry this error at all (with backoff, after a wait or after
    /// refreshing credentials).
    pub fn is_retryable(&self) -> bool {
        !matches!(self.inner.class, RetryClass::Fatal)
    }
}

/// At most 1 KiB of `body`, cut at a character boundary, invalid UTF-8 replaced.
pub fn snippet(body: &[u8]) -> String {
    const MAX: usize = 1024;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX)]);
    let mut text = text.into_owned();
    if body.len() > MAX {
        // from_utf8_lossy may have replaced a cut multi-byte character with U+FFFD: fine.
        text.push('…');
    }
    text
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        if let Some(v) = i.vendor {
            write!(f, "{v}: ")?;
        }
        match &i.api {
            Some(api) => {
                write!(f, "error {}", api.code)?;
                if let Some(status) = i.http_status {
                    write!(f, " (HTTP {status})")?;
                }
                write!(f, ": {}", api.message)?;
                if let Some(id) = api.request_ids.first() {
                    write!(f, " [request id {id}]")?;
                }
            }
            None => {
                write!(f, "{}: {}", i.kind, i.message)?;
                if let Some(status) = i.http_status {
                    write!(f, " (HTTP {status})")?;
                }
            }
        }
        if let Some(after) = i.retry_after {
            write!(f, " (retry after {} s)", after.as_secs())?;
        }
        if let Some(hint) = &i.hint {
            write!(f, "; hint: {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind)
            .field("class", &i.class)
            .field("vendor", &i.vendor)
            .field("message", &i.message);
        if let Some(api) = &i.api {
            d.field("api", api);
        }
        if let Some(status) = i.http_status {
            d.field("http_status", &status);
        }
        if let Some(after) = i.retry_after {
            d.field("retry_after", &after);
        }
        if let Some(hint) = &i.hint {
            d.field("hint", hint);
        }
        if let Some(body) = &i.body_snippet {
            d.field("body_snippet", body);
        }
        if let Some(source) = &i.source {
            d.field("source", &source.to_string());
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_vendor_code_status_and_request_id() {
        let e = Error::api(
            Vendor::TencentMeeting,
            ApiDetails::new(9003, "MEETING NOT EXIST").with_request_id("trace-1"),
            ErrorKind::NotFound,
            RetryClass::Fatal,
        )
        .with_status(500);
        assert_eq!(
            e.to_string(),
            "tencent_meeting: error 9003 (HTTP 500): MEETING NOT EXIST [request id trace-1]"
        );
        assert_eq!(e.vendor_code(), Some(9003));
        assert_eq!(e.request_id(), Some("trace-1"));
        assert_eq!(e.http_status(), Some(500));
        assert!(!e.is_retryable());
    }

    #[test]
    fn default_classes_follow_kind() {
        assert_eq!(
            Error::transport(Vendor::WeCom, "reset").class(),
            RetryClass::Retry
        );
        assert_eq!(
            Error::timeout(Vendor::WeCom, None).class(),
            RetryClass::Retry
        );
        assert_eq!(Error::invalid_argument("x").class(), RetryClass::Fatal);
        assert_eq!(
            Error::new(ErrorKind::RateLimited, "slow down").class(),
            RetryClass::RateLimited
        );
    }

    #[test]
    fn decode_keeps_status_and_a_bounded_snippet() {
        let body = "好".repeat(1000); // 3000 bytes
        let e = Error::decode(Vendor::Quanshi, 200, "EOF while parsing", body.as_bytes());
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert_eq!(e.http_status(), Some(200));
        let s = e.body_snippet().unwrap();
        assert!(s.len() <= 1024 + 3 + 3, "snippet is bounded: {}", s.len());
        assert!(s.starts_with("好好"));
        assert!(e.without_body().body_snippet().is_none());
    }

    #[test]
    fn clones_keep_everything() {
        let e = Error::api(
            Vendor::WeCom,
            ApiDetails::new(40001, "invalid credential").with_request_id("h1"),
            ErrorKind::Config,
            RetryClass::Fatal,
        )
        .with_status(200)
        .with_hint("check the secret")
        .with_retry_after(Duration::from_secs(3))
        .with_source(std::io::Error::other("cause"));
        let c = e.clone();
        assert_eq!(c.to_string(), e.to_string());
        assert_eq!(format!("{c:?}"), format!("{e:?}"));
        assert_eq!(
            std::error::Error::source(&c).map(ToString::to_string),
            Some("cause".to_string())
        );
    }

    #[test]
    fn request_ids_ignore_blanks_and_duplicates() {
        let d = ApiDetails::new(1, "x")
            .with_request_id("")
            .with_request_id("a")
            .with_request_id("a")
            .with_request_id("b");
        assert_eq!(d.request_ids, vec!["a", "b"]);
    }
}
