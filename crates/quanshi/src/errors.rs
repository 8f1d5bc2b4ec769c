//! Classification of Quanshi error codes (docs/specs/quanshi.md §6).
//!
//! No real Quanshi error code is publicly documented; the spec's table is the emulator's
//! choice. So the mapping is data ([`ErrorMap`]) with the spec's defaults, and users can change
//! any code. Classification reads the vendor code only, never the HTTP status or the message;
//! it applies to 2xx answers (a non-2xx answer is classified by its HTTP status, docs/specs/quanshi.md §3.3).

use std::collections::BTreeMap;
use std::time::Duration;

use roster_core::{ApiDetails, Error, ErrorKind, RetryClass, Vendor};

/// What a vendor code means to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CodeClass {
    /// A parameter is missing or invalid: fatal [`ErrorKind::InvalidArgument`].
    InvalidArgument,
    /// The token is missing, invalid, expired or revoked: refresh once and retry in token mode;
    /// fatal [`ErrorKind::Auth`] otherwise.
    TokenInvalid,
    /// The signature was rejected (key, checksum, time, nonce): fatal [`ErrorKind::Auth`], or
    /// [`ErrorKind::ClockSkew`] when the server's clock is far from ours.
    SignatureRejected,
    /// Meeting, event or user not found: fatal [`ErrorKind::NotFound`].
    NotFound,
    /// Rate limited: wait (see [`ErrorMap::rate_limit_wait`]) and retry.
    RateLimited,
    /// A transient server error: retry with backoff.
    Transient,
    /// Anything else: fatal [`ErrorKind::Api`].
    Fatal,
}

/// Vendor code → [`CodeClass`], plus the wait of a rate-limit answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorMap {
    codes: BTreeMap<i64, CodeClass>,
    /// How long a rate-limited answer asks to wait (default 60 s; the retry policy decides how
    /// many times).
    pub rate_limit_wait: Duration,
}

impl Default for ErrorMap {
    /// The docs/specs/quanshi.md §6 table: 400 invalid argument, 401 token invalid, 403 signature rejected,
    /// 404 not found, 429 rate limited, 500/502/503/504 transient, anything else fatal.
    fn default() -> Self {
        let codes = [
            (400, CodeClass::InvalidArgument),
            (401, CodeClass::TokenInvalid),
            (403, CodeClass::SignatureRejected),
            (404, CodeClass::NotFound),
            (429, CodeClass::RateLimited),
            (500, CodeClass::Transient),
            (502, CodeClass::Transient),
            (503, CodeClass::Transient),
            (504, CodeClass::Transient),
        ]
        .into_iter()
        .collect();
        Self {
            codes,
            rate_limit_wait: Duration::from_secs(60),
        }
    }
}

impl ErrorMap {
    /// A map with no code known (everything fatal).
    pub fn empty() -> Self {
        Self {
            codes: BTreeMap::new(),
            rate_limit_wait: Duration::from_secs(60),
        }
    }

    /// Maps `code` to `class`.
    pub fn with_code(mut self, code: i64, class: CodeClass) -> Self {
        self.codes.insert(code, class);
        self
    }

    /// Forgets `code` (it becomes fatal).
    pub fn without_code(mut self, code: i64) -> Self {
        self.codes.remove(&code);
        self
    }

    /// Replaces the token-invalid codes (default `{401}`).
    pub fn with_token_invalid_codes(mut self, codes: impl IntoIterator<Item = i64>) -> Self {
        self.codes.retain(|_, c| *c != CodeClass::TokenInvalid);
        for code in codes {
            self.codes.insert(code, CodeClass::TokenInvalid);
        }
        self
    }

    /// Sets the rate-limit wait.
    pub fn with_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.rate_limit_wait = wait;
        self
    }

    /// The class of `code`.
    pub fn class_of(&self, code: i64) -> CodeClass {
        self.codes.get(&code).copied().unwrap_or(CodeClass::Fatal)
    }

    /// The codes that mean "token invalid".
    pub fn token_invalid_codes(&self) -> Vec<i64> {
        self.codes
            .iter()
            .filter(|(_, c)| **c == CodeClass::TokenInvalid)
            .map(|(code, _)| *code)
            .collect()
    }
}

/// How the failed call authenticated, for classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallAuth {
    /// A token from `token/create`, refreshed on rejection as often as the retry policy's
    /// `max_auth_refreshes` allows.
    RefreshableToken,
    /// The configured fixed token: never refreshed.
    FixedToken,
    /// Signature headers, sent with `CurTime` in Unix ms.
    Signature {
        /// `CurTime` we sent.
        sent_ms: i64,
    },
}

/// The failed answer, as the classifier sees it.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The vendor code (`status` or `code`).
    pub code: i64,
    /// The vendor's message.
    pub message: String,
    /// Request ids (`request_id`, `reqid`, `requestId`).
    pub request_ids: Vec<String>,
    /// HTTP status.
    pub http_status: u16,
    /// The server's clock in Unix ms (envelope `timestamp`/`timeStamp`).
    pub server_time_ms: Option<i64>,
}

/// Builds the roster error for a failed Quanshi answer.
pub fn classify(map: &ErrorMap, failure: &Failure, auth: CallAuth, max_skew: Duration) -> Error {
    let mut details = ApiDetails::new(failure.code, failure.message.clone());
    for id in &failure.request_ids {
        details = details.with_request_id(id.clone());
    }
    let api = |kind, class| Error::api(Vendor::Quanshi, details.clone(), kind, class);
    let error = match map.class_of(failure.code) {
        CodeClass::InvalidArgument => api(ErrorKind::InvalidArgument, RetryClass::Fatal),
        CodeClass::NotFound => api(ErrorKind::NotFound, RetryClass::Fatal),
        CodeClass::Transient => api(ErrorKind::Unavailable, RetryClass::Retry),
        CodeClass::RateLimited => api(ErrorKind::RateLimited, RetryClass::RateLimited)
            .with_retry_after(map.rate_limit_wait)
            .with_hint("Quanshi rate limit: lower calls_per_minute"),
        CodeClass::Fatal => api(ErrorKind::Api, RetryClass::Fatal),
        CodeClass::TokenInvalid => match auth {
            // The hint matters only when the rejection is final, after the refreshes.
            CallAuth::RefreshableToken => api(ErrorKind::Auth, RetryClass::RefreshAuth)
                .with_hint("the token was rejected, a freshly created one included: check which token-invalid codes are configured and that the token is valid on this API family (or use signature mode)"),
            CallAuth::FixedToken => api(ErrorKind::Auth, RetryClass::Fatal)
                .with_hint("the configured fixed token (ROSTER_QUANSHI_TOKEN) was rejected: it may have expired or been revoked"),
            CallAuth::Signature { .. } => api(ErrorKind::Auth, RetryClass::Fatal)
                .with_hint("the call was signed and rejected as unauthenticated: this endpoint may need token mode"),
        },
        CodeClass::SignatureRejected => {
            let skew = match (auth, failure.server_time_ms) {
                (CallAuth::Signature { sent_ms }, Some(server)) => {
                    Some(Duration::from_millis(sent_ms.abs_diff(server)))
                }
                _ => None,
            };
            match skew {
                Some(skew) if skew > max_skew => api(ErrorKind::ClockSkew, RetryClass::Fatal)
                    .with_hint(format!(
                        "the local clock differs from Quanshi's by about {} s: fix the system clock (CurTime must be current Unix milliseconds)",
                        skew.as_secs()
                    )),
                _ => api(ErrorKind::Auth, RetryClass::Fatal).with_hint(
                    "the signature was rejected: check the app key, the secret key, the key header name (AppKey/AppId) and the system clock",
                ),
            }
        }
    };
    error.with_status(failure.http_status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: i64) -> Failure {
        Failure {
            code,
            message: "m".into(),
            request_ids: vec!["rid-1".into(), "reqid-2".into()],
            http_status: 200,
            server_time_ms: Some(1_000_000),
        }
    }

    #[test]
    fn spec_table() {
        let map = ErrorMap::default();
        let token = CallAuth::RefreshableToken;
        let cases = [
            (400, ErrorKind::InvalidArgument, RetryClass::Fatal),
            (401, ErrorKind::Auth, RetryClass::RefreshAuth),
            (403, ErrorKind::Auth, RetryClass::Fatal),
            (404, ErrorKind::NotFound, RetryClass::Fatal),
            (429, ErrorKind::RateLimited, RetryClass::RateLimited),
            (500, ErrorKind::Unavailable, RetryClass::Retry),
            (502, ErrorKind::Unavailable, RetryClass::Retry),
            (503, ErrorKind::Unavailable, RetryClass::Retry),
            (504, ErrorKind::Unavailable, RetryClass::Retry),
            (501, ErrorKind::Api, RetryClass::Fatal),
            (-1, ErrorKind::Api, RetryClass::Fatal),
            (12345, ErrorKind::Api, RetryClass::Fatal),
        ];
        for (code, kind, class) in cases {
            let e = classify(&map, &failure(code), token, Duration::from_secs(300));
            assert_eq!((e.kind(), e.class()), (kind, class), "code {code}");
            assert_eq!(e.vendor_code(), Some(code));
            assert_eq!(e.request_id(), Some("rid-1"));
            assert_eq!(
                e.api_details().unwrap().request_ids,
                vec!["rid-1", "reqid-2"]
            );
            assert_eq!(e.vendor(), Some(Vendor::Quanshi));
        }
        let rl = classify(&map, &failure(429), token, Duration::from_secs(300));
        assert_eq!(rl.retry_after(), Some(Duration::from_secs(60)));
    }

    #[test]
    fn token_invalid_depends_on_the_auth_used() {
        let map = ErrorMap::default();
        let skew = Duration::from_secs(300);
        let f = failure(401);
        assert_eq!(
            classify(&map, &f, CallAuth::RefreshableToken, skew).class(),
            RetryClass::RefreshAuth
        );
        for auth in [
            CallAuth::FixedToken,
            CallAuth::Signature { sent_ms: 1_000_000 },
        ] {
            let e = classify(&map, &f, auth, skew);
            assert_eq!(
                (e.kind(), e.class()),
                (ErrorKind::Auth, RetryClass::Fatal),
                "{auth:?}"
            );
            assert!(e.hint().is_some());
        }
    }

    #[test]
    fn signature_rejection_with_a_far_clock_is_clock_skew() {
        let map = ErrorMap::default();
        let skew = Duration::from_secs(300);
        let near = CallAuth::Signature {
            sent_ms: 1_000_000 + 299_000,
        };
        let far = CallAuth::Signature {
            sent_ms: 1_000_000 + 301_000,
        };
        assert_eq!(
            classify(&map, &failure(403), near, skew).kind(),
            ErrorKind::Auth
        );
        let e = classify(&map, &failure(403), far, skew);
        assert_eq!(
            (e.kind(), e.class()),
            (ErrorKind::ClockSkew, RetryClass::Fatal)
        );
        assert!(e.hint().unwrap().contains("clock"));
        let mut unknown = failure(403);
        unknown.server_time_ms = None;
        assert_eq!(classify(&map, &unknown, far, skew).kind(), ErrorKind::Auth);
    }

    #[test]
    fn the_map_is_configurable() {
        let map = ErrorMap::default()
            .with_token_invalid_codes([40001, 40002])
            .with_code(10_001, CodeClass::Transient)
            .without_code(404)
            .with_rate_limit_wait(Duration::from_secs(5));
        assert_eq!(map.token_invalid_codes(), vec![40001, 40002]);
        assert_eq!(map.class_of(401), CodeClass::Fatal);
        assert_eq!(map.class_of(40002), CodeClass::TokenInvalid);
        assert_eq!(map.class_of(10_001), CodeClass::Transient);
        assert_eq!(map.class_of(404), CodeClass::Fatal);
        let e = classify(
            &map,
            &failure(429),
            CallAuth::RefreshableToken,
            Duration::ZERO,
        );
        assert_eq!(e.retry_after(), Some(Duration::from_secs(5)));
        assert_eq!(ErrorMap::empty().class_of(500), CodeClass::Fatal);
    }
}
