//! The client: one configured HTTP client, retrier, pacer and token cache, and the call path
//! every endpoint shares (authorize → pace → send → read the envelope → classify).

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use roster_core::http::{decode_json, decode_json_sensitive, unexpected_status};
use roster_core::{
    AccessToken, ApiDetails, Attempt, ClientBuilder, ClientOptions, Error, ExposeSecret,
    HttpClient, ListClient, Pacer, Pipeline, Protocol, RawResponse, Result, Retrier, RetryClass,
    SecretString, TokenCache, TokenKey, Vendor,
};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::checksum::SignatureHeaders;
use crate::config::{AuthMode, Credentials, ENV_VARS, Family, QuanshiClientBuilder, join_url};
use crate::envelope::Envelope;
use crate::errors::{CallAuth, Failure, classify};
use crate::token::{TokenData, token_decode_error};

/// Endpoint names used in tracing spans and errors (never a secret).
pub(crate) mod endpoint {
    pub const TOKEN_CREATE: &str = "quanshi.token_create";
    pub const MEETING_BY_JOIN_URL: &str = "quanshi.meeting_by_join_url";
    pub const CONFERENCE_INFOS: &str = "quanshi.conference_infos";
    pub const CONFERENCE_LIST: &str = "quanshi.conference_list";
    pub const REPORT_V1: &str = "quanshi.report_v1";
    pub const REPORT_V2: &str = "quanshi.report_v2";
    pub const ATTENDEE_LIST: &str = "quanshi.attendee_list";
}

/// The Quanshi open API client. Cheap to clone (one `Arc`); clones share the connection
/// pool, the token cache and the pacing budget.
///
/// Build it with [`QuanshiClient::builder`] (or [`ClientBuilder::from_env`]). Endpoint methods live in
/// [`crate::meeting`], [`crate::report`] and [`crate::terminals`]; the cross-vendor
/// [`roster_core::AttendeeSource`] implementation in [`crate::source`].
#[derive(Clone)]
pub struct QuanshiClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: QuanshiClientBuilder,
    /// Retry, token per attempt, pacing and sending: core's call pipeline.
    pipeline: Pipeline,
    pacer: Pacer,
    /// The configured fixed token, used instead of `token/create` (never refreshed).
    fixed: Option<AccessToken>,
}

impl fmt::Debug for QuanshiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuanshiClient")
            .field("config", &self.inner.config)
            .field("pacer", &self.inner.pacer)
            .finish_non_exhaustive()
    }
}

/// One request: family, endpoint name, path and JSON body (without auth).
pub(crate) struct Call {
    pub family: Family,
    pub endpoint: &'static str,
    pub path: String,
    pub body: Map<String, Value>,
    /// The answer holds secrets (a token; a meeting's passcodes and host links): no error
    /// built from it keeps a body snippet.
    pub secret_answer: bool,
}

/// A successful answer: the envelope's payload plus the raw response (for decode errors).
pub(crate) struct Success {
    pub payload: Value,
    pub raw: RawResponse,
    /// From [`Call::secret_answer`]: a decode error keeps no body snippet.
    secret: bool,
    /// The token the call was made with: redacted from the body before a decode error keeps
    /// it (successful answers are not scanned for it).
    token: Option<AccessToken>,
}

impl Success {
    /// Decodes the payload with `read`; a failure is a fatal [`roster_core::ErrorKind::Decode`] with the
    /// status and a body snippet (none when the answer holds secrets).
    pub(crate) fn decode<T>(
        self,
        read: impl FnOnce(Value) -> std::result::Result<T, String>,
    ) -> Result<T> {
        read(self.payload).map_err(|message| {
            let message = format!("unexpected Quanshi result: {message}");
            if self.secret {
                return Error::decode(Vendor::Quanshi, self.raw.status, message, b"")
                    .without_body();
            }
            let raw = redact(self.raw, self.token.as_ref());
            Error::decode(Vendor::Quanshi, raw.status, message, &raw.body)
        })
    }
}

impl ClientBuilder for QuanshiClientBuilder {
    type Client = QuanshiClient;
    const SETTINGS: &'static [&'static str] = &ENV_VARS;

    fn options_mut(&mut self) -> &mut ClientOptions {
        &mut self.options
    }

    /// Reads the `ROSTER_QUANSHI_*` settings: either `ROSTER_QUANSHI_TOKEN`, or all of
    /// `ROSTER_QUANSHI_APP_ID`, `ROSTER_QUANSHI_SECRET_KEY` and `ROSTER_QUANSHI_USER_ID` (the
    /// error names the first missing one). Optional: `ROSTER_QUANSHI_BASE_URL`,
    /// `ROSTER_QUANSHI_EVENTS_BASE_URL`, `ROSTER_QUANSHI_JOIN_URL_PATH`,
    /// `ROSTER_QUANSHI_HOST_USER_ID`, `ROSTER_QUANSHI_CALLS_PER_MINUTE`.
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        QuanshiClientBuilder::read(lookup)
    }

    fn build(self) -> Result<QuanshiClient> {
        QuanshiClient::from_builder(self)
    }
}

/// How one attempt authenticated.
enum Auth {
    Token(AccessToken),
    Signature(SignatureHeaders),
}

impl QuanshiClient {
    /// A builder for a client with these credentials; see [`QuanshiClientBuilder`].
    pub fn builder(credentials: Credentials) -> QuanshiClientBuilder {
        QuanshiClientBuilder::new(credentials)
    }

    /// Fails with [`roster_core::ErrorKind::Config`] naming the setting when the configuration
    /// is incomplete; makes no request.
    fn from_builder(config: QuanshiClientBuilder) -> Result<Self> {
        config.validate()?;
        let options = &config.options;
        let http = HttpClient::new(options.http().clone())?;
        let retrier = Retrier::new(options.retry_policy().clone(), options.clock().clone());
        let credentials = &config.credentials;
        // One token per events host, app key and admin user; the secret key tells apps apart.
        let scope = format!(
            "quanshi:{}:{}:{}",
            config.events_base_url,
            credentials.app_key.as_deref().unwrap_or_default(),
            credentials.admin_user_id.unwrap_or_default()
        );
        let secret = credentials
            .secret_key
            .clone()
            .unwrap_or_else(|| SecretString::from(""));
        let tokens = TokenCache::new(
            TokenKey::new(scope, &secret),
            options.token_store(),
            config.token_margin,
            options.clock().clone(),
        );
        // A fixed token never expires here: the vendor says when it stops working.
        let fixed = credentials
            .token
            .clone()
            .map(|t| AccessToken::new(t, OffsetDateTime::UNIX_EPOCH, std::time::Duration::MAX));
        let pacer = options.pacer_for(&format!(
            "quanshi:{}",
            credentials.app_key.as_deref().unwrap_or_default()
        ));
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                pipeline: Pipeline::new(http, retrier).with_tokens(tokens),
                pacer,
                fixed,
            }),
        })
    }
}

impl ListClient for QuanshiClient {
    fn retrier(&self) -> &Retrier {
        self.inner.pipeline.retrier()
    }
}

impl QuanshiClient {
    /// The settings this client was built from.
    pub fn config(&self) -> &QuanshiClientBuilder {
        &self.inner.config
    }

    /// Number of tokens this client has obtained from `token/create`.
    pub fn tokens_created(&self) -> u64 {
        self.inner.pipeline.tokens().map_or(0, |t| t.fetches())
    }

    /// A fresh token: the fixed one, the cached one, or a new one from `token/create`.
    pub async fn token(&self) -> Result<AccessToken> {
        let inner = &*self.inner;
        inner.pipeline.token(inner).await
    }

    /// Calls `token/create` (signature headers, body `{"userId": <admin id>}`) and reads the
    /// configured token field. Does not touch the cache; [`QuanshiClient::token`] does.
    pub async fn create_token(&self) -> Result<TokenData> {
        self.inner.create_token().await
    }

    /// Runs a call through core's pipeline with the family's auth mode.
    pub(crate) async fn call(&self, call: Call) -> Result<Success> {
        self.inner.call(&call).await
    }
}

impl Inner {
    fn now(&self) -> OffsetDateTime {
        self.config.options.clock().now()
    }

    /// Runs `call` and reads its envelope.
    async fn call(&self, call: &Call) -> Result<Success> {
        self.pipeline
            .call(self, call, |raw, token| {
                let auth = match token {
                    Some(t) if self.fixed.as_ref().is_some_and(|f| f.same_token(t)) => {
                        CallAuth::FixedToken
                    }
                    Some(_) => CallAuth::RefreshableToken,
                    // The request was signed moments ago: our clock now stands for `CurTime`.
                    None => CallAuth::Signature {
                        sent_ms: (self.now().unix_timestamp_nanos() / 1_000_000) as i64,
                    },
                };
                self.interpret(call.family, raw, auth, call.secret_answer, token)
            })
            .await
    }

    async fn create_token(&self) -> Result<TokenData> {
        let config = &self.config;
        let admin = config.credentials.admin_user_id.ok_or_else(|| {
            Error::config(format!(
                "the administrator user id is not set ({}); token/create needs it",
                crate::config::ENV_USER_ID
            ))
        })?;
        let mut body = Map::new();
        body.insert("userId".into(), json!(admin));
        let call = Call {
            family: Family::Events,
            endpoint: endpoint::TOKEN_CREATE,
            path: config.paths.token_create.clone(),
            body,
            // The answer holds the token.
            secret_answer: true,
        };
        let answer = self.call(&call).await?;
        let status = answer.raw.status;
        TokenData::from_value(&answer.payload, &config.token_field)
            .map_err(|m| token_decode_error(status, m))
    }

    fn sign(&self) -> Result<SignatureHeaders> {
        let config = &self.config;
        let credentials = &config.credentials;
        let (Some(key), Some(secret)) = (&credentials.app_key, &credentials.secret_key) else {
            return Err(Error::config(
                "signature mode needs the app key and the secret key",
            ));
        };
        Ok(SignatureHeaders::new(
            config.key_header,
            key,
            secret,
            self.now(),
        ))
    }

    fn build(&self, call: &Call, auth: &Auth) -> Result<reqwest::RequestBuilder> {
        let config = &self.config;
        let base = match call.family {
            Family::Conference => config.options.base_url(),
            Family::Events => &config.events_base_url,
        };
        let mut body = call.body.clone();
        let mut request = self
            .pipeline
            .http()
            .reqwest()
            .post(join_url(base, &call.path))
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/json");
        match auth {
            Auth::Signature(s) => request = request.headers(s.to_headers()?),
            Auth::Token(token) => {
                let placement = config.family_auth(call.family).placement;
                if placement.header() {
                    let mut value = HeaderValue::from_str(token.secret().expose_secret()).map_err(|_| {
                        Error::config("the token contains characters not allowed in an HTTP header; use TokenPlacement::Body")
                    })?;
                    value.set_sensitive(true);
                    request = request.header("token", value);
                }
                if placement.body() {
                    body.insert(
                        "token".into(),
                        Value::String(token.secret().expose_secret().to_string()),
                    );
                }
            }
        }
        let bytes = serde_json::to_vec(&Value::Object(body))
            .map_err(|e| Error::invalid_argument(format!("cannot encode the request: {e}")))?;
        Ok(request.body(bytes))
    }

    /// Reads the answer: HTTP status, JSON, envelope, vendor code. `token` is the token the call
    /// was made with: an answer that becomes an error is redacted of it first (an error page or
    /// a vendor message echoing the request must not carry it into the error); a successful
    /// answer is not scanned.
    fn interpret(
        &self,
        family: Family,
        raw: RawResponse,
        auth: CallAuth,
        sensitive: bool,
        token: Option<&AccessToken>,
    ) -> Result<Success> {
        if raw.is_success()
            && let Ok(value) = serde_json::from_slice::<Value>(&raw.body)
            && let Some(envelope) = Envelope::from_value(value, family)
            && envelope.is_success()
        {
            return Ok(Success {
                payload: envelope.payload,
                raw,
                secret: sensitive,
                token: token.cloned(),
            });
        }
        Err(self.interpret_failure(family, redact(raw, token), auth, sensitive))
    }

    /// The error an answer makes that is not a successful envelope on a 2xx. `raw`
    /// holds no token.
    fn interpret_failure(
        &self,
        family: Family,
        raw: RawResponse,
        auth: CallAuth,
        sensitive: bool,
    ) -> Error {
        let strip = |e: Error| if sensitive { e.without_body() } else { e };
        // Answers holding secrets (the token, a meeting's passcodes): their errors keep no body.
        let parsed: Result<Value> = if sensitive {
            decode_json_sensitive(Vendor::Quanshi, &raw)
        } else {
            decode_json(Vendor::Quanshi, &raw)
        };
        let value = match parsed {
            Ok(v) => v,
            // A cut or garbled 2xx body: a Decode error, retryable for syntax/EOF.
            Err(e) if raw.is_success() => return e,
            Err(_) => return strip(unexpected_status(Vendor::Quanshi, &raw)),
        };
        let envelope = Envelope::from_value(value, family);
        if !raw.is_success() {
            // docs/specs/quanshi.md §3.3: the HTTP status classifies a non-2xx answer, envelope or not (a proxy's
            // or gateway's JSON page may carry a `status` of its own).
            return strip(self.http_failure(&raw, envelope));
        }
        let Some(envelope) = envelope else {
            // Quanshi always answers in its envelope: a 2xx without one (`{}`, another
            // service's JSON) comes from something in between, a gateway or proxy, and is
            // retried like a transient failure.
            return strip(
                Error::decode(
                    Vendor::Quanshi,
                    raw.status,
                    format!(
                        "the answer is not a {} envelope (no status or code)",
                        family.as_str()
                    ),
                    &raw.body,
                )
                .with_class(RetryClass::Retry),
            );
        };
        // A successful envelope on a 2xx never gets here: `interpret` took it.
        let failure = Failure {
            code: envelope.code,
            message: envelope.msg.unwrap_or_default(),
            request_ids: envelope.request_ids,
            http_status: raw.status,
            // Only the envelope's own clock: an HTTP `Date` may come from a proxy, or from the
            // real clock of an emulator running a manual one.
            server_time_ms: envelope.server_time_ms,
        };
        let config = &self.config;
        let error = classify(&config.errors, &failure, auth, config.max_clock_skew);
        tracing::debug!(
            code = failure.code,
            kind = %error.kind(),
            request_id = error.request_id().unwrap_or(""),
            "quanshi call failed"
        );
        error
    }

    /// The error of a non-2xx answer: classified by the HTTP status (5xx and 408 retry, 429 is
    /// rate-limited, any other status is fatal), keeping the vendor's code, message and request
    /// ids when the body is a failure envelope.
    fn http_failure(&self, raw: &RawResponse, envelope: Option<Envelope>) -> Error {
        let mut error = unexpected_status(Vendor::Quanshi, raw);
        if let Some(envelope) = envelope.filter(|e| !e.is_success()) {
            let message = envelope
                .msg
                .filter(|m| !m.trim().is_empty())
                .unwrap_or_else(|| format!("unexpected HTTP status {}", raw.status));
            let details = envelope
                .request_ids
                .into_iter()
                .fold(ApiDetails::new(envelope.code, message), |d, id| {
                    d.with_request_id(id)
                });
            error = Error::api(Vendor::Quanshi, details, error.kind(), error.class())
                .with_status(raw.status)
                .with_body(&raw.body);
        }
        if raw.status == 429 {
            error = error
                .with_retry_after(self.config.errors.rate_limit_wait)
                .with_hint("Quanshi rate limit: lower calls_per_minute");
        }
        tracing::debug!(
            status = raw.status,
            code = error.vendor_code(),
            kind = %error.kind(),
            request_id = error.request_id().unwrap_or(""),
            "quanshi call failed"
        );
        error
    }
}

impl QuanshiClient {
    /// The configured host user id, or a configuration error naming the setting.
    pub(crate) fn host_user_id(&self, what: &str) -> Result<u64> {
        self.inner.config.host_user_id.ok_or_else(|| {
            Error::config(format!(
                "{what} needs the meeting host's user id: set host_user_id ({})",
                crate::config::ENV_HOST_USER_ID
            ))
        })
    }

    /// A meeting id as Quanshi's numeric `eventId`.
    pub(crate) fn parse_event_id(id: &str) -> Result<u64> {
        // Digits only, as Tencent's ids: no sign, no padding (`u64::from_str` takes `+123`).
        let digits = !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit());
        digits
            .then(|| id.parse::<u64>().ok())
            .flatten()
            .ok_or_else(|| {
                Error::invalid_argument(format!(
                    "Quanshi meeting ids are numeric eventIds, not {:?}",
                    roster_core::wire::excerpt(id)
                ))
            })
    }
}

impl Protocol for Inner {
    type Call = Call;

    fn vendor(&self) -> Vendor {
        Vendor::Quanshi
    }

    fn endpoint(&self, call: &Call) -> &'static str {
        call.endpoint
    }

    fn pacer(&self, _call: &Call) -> &Pacer {
        &self.pacer
    }

    fn setting(&self, call: &Call) -> Option<&'static str> {
        Some(match call.family {
            Family::Conference => crate::config::ENV_BASE_URL,
            Family::Events => crate::config::ENV_EVENTS_BASE_URL,
        })
    }

    /// Token mode per family; `token/create` itself is always signed.
    fn needs_token(&self, call: &Call) -> bool {
        call.endpoint != endpoint::TOKEN_CREATE
            && self.config.family_auth(call.family).mode == AuthMode::Token
    }

    fn fixed_token(&self) -> Option<&AccessToken> {
        self.fixed.as_ref()
    }

    /// `token/create`, itself a call through the pipeline (so boxed: its future contains the
    /// pipeline's, which contains this one). Its errors are final for the call that needed
    /// the token: it has already retried what it could.
    #[allow(refining_impl_trait)]
    fn fetch_token(&self) -> BoxFuture<'_, Result<AccessToken>> {
        Box::pin(async move {
            let fetched_at = self.now();
            let data = self
                .create_token()
                .await
                .map_err(|e| e.with_class(RetryClass::Fatal))?;
            let lifetime = data.lifetime();
            Ok(AccessToken::new(data.token, fetched_at, lifetime))
        })
    }

    /// Signed afresh (a new `Nonce` and `CurTime`) or carrying the token.
    async fn request(
        &self,
        call: &Call,
        _attempt: Attempt,
        token: Option<&AccessToken>,
    ) -> Result<reqwest::RequestBuilder> {
        let auth = match token {
            Some(token) => Auth::Token(token.clone()),
            None => Auth::Signature(self.sign()?),
        };
        self.build(call, &auth)
    }
}

/// `raw` without the token (as sent, form- or percent-encoded) in its body.
fn redact(raw: RawResponse, token: Option<&AccessToken>) -> RawResponse {
    match token {
        Some(token) => raw.redact(token.secret().expose_secret()),
        None => raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::ErrorKind;

    #[test]
    fn event_ids() {
        assert_eq!(QuanshiClient::parse_event_id("566390").unwrap(), 566_390);
        let huge = "9".repeat(100_000);
        for bad in [
            "", "abc", "-1", "1.5", "+123", " 566390 ", "566390\n", &huge,
        ] {
            let e = QuanshiClient::parse_event_id(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.to_string().len() < 300, "the id is not echoed whole");
        }
    }

    fn raw(status: u16, body: Value) -> RawResponse {
        RawResponse {
            status,
            headers: reqwest::header::HeaderMap::new(),
            body: body.to_string().into_bytes().into(),
        }
    }

    /// A client with a fixed token, pointed at `base`, and that token.
    async fn token_client(base: &str) -> (QuanshiClient, AccessToken) {
        let c = QuanshiClient::builder(Credentials::fixed_token("TKN-ECHO-42"))
            .base_url(base)
            .events_base_url(base)
            .pacer(roster_core::Pacer::unlimited())
            .build()
            .unwrap();
        let token = c.token().await.unwrap();
        (c, token)
    }

    /// A loopback server answering every request with HTTP 200 and `body`.
    async fn serve(body: String) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let body = body.clone();
                tokio::spawn(async move {
                    // One small request: read until the body has arrived (its JSON closes).
                    let mut seen = Vec::new();
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = stream.read(&mut buf).await {
                        if n == 0 {
                            return;
                        }
                        seen.extend_from_slice(&buf[..n]);
                        if seen.ends_with(b"}") {
                            break;
                        }
                    }
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(reply.as_bytes()).await;
                });
            }
        });
        url
    }

    #[tokio::test]
    async fn successful_answers_are_not_scanned_for_the_token() {
        let body = json!({"status": 0, "result": {"echo": "TKN-ECHO-42"}}).to_string();
        let url = serve(body.clone()).await;
        let (c, _) = token_client(&url).await;
        let answer = c
            .call(Call {
                family: Family::Conference,
                endpoint: endpoint::REPORT_V2,
                path: "/confopenapi/conference/report/getReportDatas/v2".into(),
                body: Map::new(),
                secret_answer: false,
            })
            .await
            .unwrap();
        // Untouched: a successful body is not redacted (nor copied) on the way.
        assert_eq!(answer.raw.body, body.as_bytes());
        // But a decode error built from it still keeps no token.
        let e = answer
            .decode(|_| Err::<(), _>("no".to_string()))
            .unwrap_err();
        let snippet = e.body_snippet().unwrap();
        assert!(snippet.contains("<redacted>"), "{snippet}");
        assert!(!format!("{e} {e:?}").contains("TKN-ECHO-42"));
    }

    #[tokio::test]
    async fn failed_answers_never_carry_the_token() {
        let (c, token) = token_client("http://127.0.0.1:9").await;
        let echo = "bad token TKN-ECHO-42";
        for (status, body) in [
            (200, json!({"status": 401, "msg": echo, "request_id": "r"})),
            (200, json!({"status": 99, "msg": echo})),
            (503, json!({"status": 1, "msg": echo})),
            (400, json!({"code": 400, "msg": echo})),
            (200, json!({"no": "envelope", "echo": echo})),
            (502, json!(echo)),
        ] {
            for sensitive in [false, true] {
                let e = c
                    .inner
                    .interpret(
                        Family::Conference,
                        raw(status, body.clone()),
                        CallAuth::FixedToken,
                        sensitive,
                        Some(&token),
                    )
                    .err()
                    .unwrap();
                let shown = format!("{e} {e:?} {:?}", e.vendor_message());
                assert!(!shown.contains("TKN-ECHO-42"), "{status} {body}: {shown}");
            }
        }
        // A cut 2xx body (a Decode error with a snippet).
        let cut = RawResponse {
            status: 200,
            headers: reqwest::header::HeaderMap::new(),
            body: "{\"status\":0,\"msg\":\"TKN-ECHO-42"
                .as_bytes()
                .to_vec()
                .into(),
        };
        let e = c
            .inner
            .interpret(
                Family::Conference,
                cut,
                CallAuth::RefreshableToken,
                false,
                Some(&token),
            )
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(!format!("{e} {e:?}").contains("TKN-ECHO-42"), "{e:?}");
    }

    #[test]
    fn debug_hides_credentials() {
        let c = QuanshiClient::builder(Credentials::new("app", "SECRET-XYZ").admin_user_id(1))
            .base_url("http://127.0.0.1:9")
            .events_base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("SECRET-XYZ"), "{shown}");
    }
}
