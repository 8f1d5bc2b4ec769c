//! HTTP plumbing shared by the vendor crates: one configured reqwest client, a `send` that
//! traces each request without secrets and turns failures into [`Error`]s without URLs, and
//! JSON decoding that keeps the HTTP status and a body snippet.

use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::error::{Error, ErrorKind, Result, RetryClass};
use crate::vendor::Vendor;

/// The `User-Agent` every roster request sends.
pub const USER_AGENT: &str = concat!("roster/", env!("CARGO_PKG_VERSION"));

/// Timeouts and identity of the HTTP client.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Time allowed to open a connection (default 10 s).
    pub connect_timeout: Duration,
    /// Time allowed for a whole request, body included (default 30 s).
    pub request_timeout: Duration,
    /// `User-Agent` header (default `roster/<version>`).
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            user_agent: USER_AGENT.to_string(),
        }
    }
}

impl HttpConfig {
    /// Sets the connect timeout.
    pub fn with_connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Sets the whole-request timeout.
    pub fn with_request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }
}

/// A response read to the end.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// HTTP status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "<redacted>";

impl RawResponse {
    /// This response with every occurrence of `secret` in its body — as sent, form-encoded or
    /// percent-encoded — replaced by `<redacted>`.
    ///
    /// For credentials that travel in the request (WeCom's token in the URL, a Quanshi token in
    /// the body): an error page that echoes the request would otherwise carry the credential
    /// into an error's body snippet. Bodies without the secret are returned untouched.
    pub fn redact(self, secret: &str) -> RawResponse {
        if secret.is_empty() {
            return self;
        }
        let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let percent =
            percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let mut body: Option<Vec<u8>> = None;
        for needle in [secret, form.as_str(), percent.as_str()] {
            let current = body.as_deref().unwrap_or(&self.body[..]);
            if let Some(replaced) = replace_all(current, needle.as_bytes()) {
                body = Some(replaced);
            }
        }
        match body {
            Some(body) => RawResponse {
                body: Bytes::from(body),
                ..self
            },
            None => self,
        }
    }

    /// A header value as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// `hay` with every `needle` replaced by [`REDACTED`], or `None` when there is none.
fn replace_all(hay: &[u8], needle: &[u8]) -> Option<Vec<u8>> {
    let finder = memchr::memmem::Finder::new(needle);
    let mut hits = finder.find_iter(hay).peekable();
    hits.peek()?;
    let mut out = Vec::with_capacity(hay.len());
    let mut last = 0;
    for at in hits {
        if at < last {
            continue; // overlapping match inside one already replaced
        }
        out.extend_from_slice(&hay[last..at]);
        out.extend_from_slice(REDACTED.as_bytes());
        last = at + needle.len();
    }
    out.extend_from_slice(&hay[last..]);
    Some(out)
}

/// `text` with every occurrence of `secret` replaced by [`REDACTED`] (for vendor messages that
/// may quote a credential).
pub fn redact_text(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        text.to_string()
    } else {
        text.replace(secret, REDACTED)
    }
}

/// A reqwest client configured for roster (rustls with the ring provider, HTTP/1.1, timeouts,
/// user agent). Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    config: HttpConfig,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// Builds the client.
    pub fn new(config: HttpConfig) -> Result<Self> {
        install_crypto_provider();
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| {
                Error::config(format!("cannot build the HTTP client: {}", e.without_url()))
            })?;
        Ok(Self { client, config })
    }

    /// The configuration.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// The underlying reqwest client, to build requests.
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends a request and reads the whole body.
    ///
    /// Records a tracing span `roster.http` with vendor, endpoint, attempt, status and latency
    /// (never the URL, headers or body). Connection failures become [`ErrorKind::Transport`],
    /// timeouts [`ErrorKind::Timeout`], both retryable and both without the URL.
    pub async fn send(
        &self,
        vendor: Vendor,
        endpoint: &'static str,
        attempt: u32,
        request: reqwest::RequestBuilder,
    ) -> Result<RawResponse> {
        let span = tracing::debug_span!(
            "roster.http",
            vendor = %vendor,
            endpoint,
            attempt,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let timeout = self.config.request_timeout;
        async move {
            let started = Instant::now();
            let result: Result<RawResponse> = async {
                let response = request
                    .send()
                    .await
                    .map_err(|e| transport_error(vendor, e, timeout))?;
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let body = response
                    .bytes()
                    .await
                    .map_err(|e| transport_error(vendor, e, timeout).with_status(status))?;
                Ok(RawResponse {
                    status,
                    headers,
                    body,
                })
            }
            .await;
            let span = tracing::Span::current();
            span.record("latency_ms", started.elapsed().as_millis() as u64);
            match &result {
                Ok(r) => {
                    span.record("status", r.status);
                    tracing::debug!(status = r.status, bytes = r.body.len(), "response");
                }
                Err(e) => tracing::debug!(kind = %e.kind(), "request failed"),
            }
            result
        }
        .instrument(span)
        .await
    }
}

/// Installs rustls' ring provider as the process default unless the application installed one.
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another thread installing a provider is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Converts a reqwest error into a URL-free roster error.
pub fn transport_error(vendor: Vendor, error: reqwest::Error, timeout: Duration) -> Error {
    let error = error.without_url();
    if error.is_timeout() {
        return Error::timeout(vendor, Some(timeout));
    }
    // The chain of causes explains what happened ("connection closed before message
    // completed"); none of them carries the URL once the top error is stripped.
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    Error::transport(vendor, message)
}

/// Decodes a JSON body. Failures are [`ErrorKind::Decode`] with the status and a snippet; a
/// cut or garbled body (EOF or syntax error) is retryable, a well-formed body of the wrong
/// shape is not.
pub fn decode_json<T: DeserializeOwned>(vendor: Vendor, response: &RawResponse) -> Result<T> {
    serde_json::from_slice(&response.body).map_err(|e| decode_error(vendor, response, &e))
}

/// Like [`decode_json`] but never keeps the body (for answers that carry credentials, such as
/// token endpoints).
pub fn decode_json_sensitive<T: DeserializeOwned>(
    vendor: Vendor,
    response: &RawResponse,
) -> Result<T> {
    serde_json::from_slice(&response.body)
        .map_err(|e| decode_error(vendor, response, &e).without_body())
}

/// The [`ErrorKind::Decode`] error for a serde_json failure on `response`.
pub fn decode_error(vendor: Vendor, response: &RawResponse, error: &serde_json::Error) -> Error {
    use serde_json::error::Category;
    let class = match error.classify() {
        Category::Eof | Category::Syntax | Category::Io => RetryClass::Retry,
        Category::Data => RetryClass::Fatal,
    };
    Error::decode(
        vendor,
        response.status,
        format!("cannot decode the response: {error}"),
        &response.body,
    )
    .with_class(class)
}

/// The error for a non-2xx response that carries no vendor error body (gateway pages, empty
/// bodies): transport-class, retryable for 408, 429 and 5xx, with status and snippet.
pub fn unexpected_status(vendor: Vendor, response: &RawResponse) -> Error {
    let status = response.status;
    let (kind, class) = match status {
        429 => (ErrorKind::RateLimited, RetryClass::RateLimited),
        408 | 500..=599 => (ErrorKind::Transport, RetryClass::Retry),
        _ => (ErrorKind::Transport, RetryClass::Fatal),
    };
    Error::new(kind, format!("unexpected HTTP status {status}"))
        .with_vendor(vendor)
        .with_status(status)
        .with_class(class)
        .with_body(&response.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            headers: HeaderMap::new(),
            body: Bytes::copy_from_slice(body.as_bytes()),
        }
    }

    #[derive(Debug, serde::Deserialize)]
    struct Shape {
        #[allow(dead_code)]
        n: i64,
    }

    #[test]
    fn echoed_secrets_are_redacted_in_every_encoding() {
        let page = "Cannot POST /cgi-bin/x?access_token=tok%2Bv%2F1 body token=tok+v/1 raw tok+v/1 again tok+v/1";
        let r = raw(502, page).redact("tok+v/1");
        let body = std::str::from_utf8(&r.body).unwrap();
        assert!(
            !body.contains("tok+v") && !body.contains("tok%2B"),
            "{body}"
        );
        assert_eq!(body.matches(REDACTED).count(), 4, "{body}");
        assert_eq!(r.status, 502);
        let e = unexpected_status(Vendor::WeCom, &r);
        assert!(!format!("{e:?}").contains("tok+v"));

        let clean = raw(200, "{\"ok\":1}");
        assert_eq!(clean.clone().redact("tok").body, clean.body);
        assert_eq!(raw(200, "x").redact("").body, Bytes::from_static(b"x"));
        assert_eq!(redact_text("bad token abc", "abc"), "bad token <redacted>");
        assert_eq!(redact_text("fine", ""), "fine");
    }

    #[test]
    fn truncated_json_is_a_retryable_decode_error_with_snippet() {
        let e = decode_json::<Shape>(Vendor::WeCom, &raw(200, "{\"n\":1")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert_eq!(e.class(), RetryClass::Retry);
        assert_eq!(e.http_status(), Some(200));
        assert_eq!(e.body_snippet(), Some("{\"n\":1"));
    }

    #[test]
    fn wrong_shape_is_fatal() {
        let e = decode_json::<Shape>(Vendor::WeCom, &raw(200, "{\"n\":\"x\"}")).unwrap_err();
        assert_eq!(e.class(), RetryClass::Fatal);
    }

    #[test]
    fn sensitive_decode_drops_the_body() {
        let e =
            decode_json_sensitive::<Shape>(Vendor::WeCom, &raw(200, "{\"access_token\":\"SECRET"))
                .unwrap_err();
        assert!(e.body_snippet().is_none());
        assert!(!format!("{e} {e:?}").contains("SECRET"));
    }

    #[test]
    fn gateway_pages_are_classified_by_status() {
        let e = unexpected_status(
            Vendor::TencentMeeting,
            &raw(502, "<html>bad gateway</html>"),
        );
        assert_eq!(e.class(), RetryClass::Retry);
        assert_eq!(e.body_snippet(), Some("<html>bad gateway</html>"));
        assert_eq!(
            unexpected_status(Vendor::Quanshi, &raw(429, "")).kind(),
            ErrorKind::RateLimited
        );
        assert_eq!(
            unexpected_status(Vendor::Quanshi, &raw(404, "")).class(),
            RetryClass::Fatal
        );
    }

    #[tokio::test]
    async fn transport_errors_carry_no_url() {
        // A port nobody listens on (bound, then dropped).
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let client = HttpClient::new(HttpConfig::default()).unwrap();
        let url = format!("http://127.0.0.1:{port}/cgi-bin/x?access_token=SECRET_TOKEN");
        let e = client
            .send(Vendor::WeCom, "test", 1, client.reqwest().get(&url))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert!(e.is_retryable());
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("SECRET_TOKEN"), "{shown}");
        assert!(!shown.contains("/cgi-bin/x"), "{shown}");
    }
}
