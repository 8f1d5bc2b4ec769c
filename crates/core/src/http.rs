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
    /// The largest response body read, whole or streamed ([`DEFAULT_MAX_BODY_BYTES`]): a
    /// larger one fails with [`ErrorKind::ResponseTooLarge`], so memory stays bounded whatever
    /// a server sends.
    pub max_body_bytes: u64,
}

/// Default [`HttpConfig::max_body_bytes`]: 64 MiB, far above any real answer (WeCom's largest,
/// a `get_info` listing every attendee of a huge meeting, is a few MB).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            user_agent: USER_AGENT.to_string(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
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

    /// Sets the largest response body read.
    pub fn with_max_body_bytes(mut self, bytes: u64) -> Self {
        self.max_body_bytes = bytes;
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
        let mut body: Option<Vec<u8>> = None;
        for needle in &secret_forms(secret) {
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
/// may quote a credential): raw, form-encoded and percent-encoded, as [`RawResponse::redact`].
pub fn redact_text(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_string();
    }
    let mut text = text.to_string();
    for needle in &secret_forms(secret) {
        if text.contains(needle.as_str()) {
            text = text.replace(needle.as_str(), REDACTED);
        }
    }
    text
}

/// The ways a credential can appear in an echoed request: as is, form-encoded (a query or form
/// body) and percent-encoded (a path or a strictly encoded query).
fn secret_forms(secret: &str) -> [String; 3] {
    [
        secret.to_string(),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
        percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
    ]
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
            // No vendor API redirects; a redirect would carry the request's credentials (a
            // token header, signature headers) to another origin. A 3xx is an error instead.
            .redirect(reqwest::redirect::Policy::none())
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
        let (timeout, limit) = (self.config.request_timeout, self.config.max_body_bytes);
        traced(vendor, endpoint, attempt, async move {
            let response = start(vendor, request, timeout).await?;
            read_whole(vendor, response, timeout, limit).await
        })
        .await
        .map(|(r, _)| r)
    }

    /// Sends a request and decodes a 2xx JSON body **as it arrives**, without holding the whole
    /// body in memory (for large single answers, such as a WeCom meeting detail listing every
    /// attendee). Other statuses come back whole as [`JsonReply::Other`], for the vendor's error
    /// handling. A body that does not decode is [`ErrorKind::Decode`] with the status and its
    /// first KiB, with `redact` (a credential the request carried) replaced in the snippet.
    pub async fn send_json<T>(
        &self,
        vendor: Vendor,
        endpoint: &'static str,
        attempt: u32,
        request: reqwest::RequestBuilder,
        redact: Option<&str>,
    ) -> Result<JsonReply<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let (timeout, limit) = (self.config.request_timeout, self.config.max_body_bytes);
        let redact = redact.map(str::to_string);
        traced(vendor, endpoint, attempt, async move {
            let response = start(vendor, request, timeout).await?;
            if !response.status().is_success() {
                let (raw, len) = read_whole(vendor, response, timeout, limit).await?;
                let raw = match &redact {
                    Some(secret) => raw.redact(secret),
                    None => raw,
                };
                return Ok((JsonReply::Other(raw), len));
            }
            stream_json(vendor, response, timeout, limit, redact.as_deref()).await
        })
        .await
        .map(|(r, _)| r)
    }
}

/// A reply decoded by [`HttpClient::send_json`].
#[derive(Debug)]
pub enum JsonReply<T> {
    /// A 2xx answer, decoded.
    Decoded {
        /// HTTP status.
        status: u16,
        /// Response headers.
        headers: HeaderMap,
        /// The body.
        value: T,
    },
    /// Any other status, read whole.
    Other(RawResponse),
}

/// Something a request produced, with the status and byte count for its trace span.
trait Traced {
    fn status(&self) -> u16;
}

impl Traced for RawResponse {
    fn status(&self) -> u16 {
        self.status
    }
}

impl<T> Traced for JsonReply<T> {
    fn status(&self) -> u16 {
        match self {
            JsonReply::Decoded { status, .. } => *status,
            JsonReply::Other(raw) => raw.status,
        }
    }
}

/// Runs `work` inside the `roster.http` span and records its status, size and latency.
async fn traced<T: Traced>(
    vendor: Vendor,
    endpoint: &'static str,
    attempt: u32,
    work: impl std::future::Future<Output = Result<(T, usize)>>,
) -> Result<(T, usize)> {
    let span = tracing::debug_span!(
        "roster.http",
        vendor = %vendor,
        endpoint,
        attempt,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    async move {
        let started = Instant::now();
        let result = work.await;
        let span = tracing::Span::current();
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok((r, bytes)) => {
                span.record("status", r.status());
                tracing::debug!(status = r.status(), bytes, "response");
            }
            Err(e) => tracing::debug!(kind = %e.kind(), "request failed"),
        }
        result
    }
    .instrument(span)
    .await
}

/// Sends the request and waits for the response head.
async fn start(
    vendor: Vendor,
    request: reqwest::RequestBuilder,
    timeout: Duration,
) -> Result<reqwest::Response> {
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(vendor, e, timeout))?;
    if response.status().is_redirection() {
        return Err(redirected(vendor, &response));
    }
    Ok(response)
}

/// The error for a 3xx: roster follows no redirect. Names the target's host, never its path
/// or query (they may carry anything).
fn redirected(vendor: Vendor, response: &reqwest::Response) -> Error {
    let status = response.status().as_u16();
    let target = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(|location| match url::Url::parse(location) {
            Ok(url) => url
                .host_str()
                .map_or("an unnamed host".to_string(), |h| format!("host {h}")),
            // A relative location: the same host.
            Err(_) => "another path on the same host".to_string(),
        })
        .unwrap_or_else(|| "nowhere (no Location header)".to_string());
    Error::new(
        ErrorKind::Transport,
        format!("HTTP {status}: the server redirects to {target}; roster follows no redirect"),
    )
    .with_vendor(vendor)
    .with_status(status)
    .with_class(RetryClass::Fatal)
    .with_hint(
        "no vendor API redirects: check the base URL (a proxy or an old host?); credentials are never sent to a redirect's target",
    )
}

/// The error for a body over `limit` bytes.
fn too_large(vendor: Vendor, status: u16, limit: u64) -> Error {
    Error::new(
        ErrorKind::ResponseTooLarge,
        format!("the response body is larger than the {limit}-byte limit"),
    )
    .with_vendor(vendor)
    .with_status(status)
    .with_hint("no real answer is that large; raise HttpConfig::max_body_bytes only if one is")
}

/// The largest body size taken from `Content-Length` to size the buffer up front (a larger
/// announced size grows the buffer as the body arrives instead).
const MAX_PREALLOCATION: u64 = 16 * 1024 * 1024;

/// Reads the body chunk by chunk into one buffer (sized from `Content-Length`), so the body is
/// never held twice.
async fn read_whole(
    vendor: Vendor,
    mut response: reqwest::Response,
    timeout: Duration,
    limit: u64,
) -> Result<(RawResponse, usize)> {
    let status = response.status().as_u16();
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(too_large(vendor, status, limit));
    }
    let headers = std::mem::take(response.headers_mut());
    let capacity = response
        .content_length()
        .unwrap_or(0)
        .min(MAX_PREALLOCATION) as usize;
    let mut body = Vec::with_capacity(capacity);
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(vendor, e, timeout).with_status(status))?
    {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large(vendor, status, limit));
        }
        body.extend_from_slice(&chunk);
    }
    let len = body.len();
    Ok((
        RawResponse {
            status,
            headers,
            body: Bytes::from(body),
        },
        len,
    ))
}

/// How much of a streamed body is kept for an error snippet: twice what a snippet shows, so
/// that a credential straddling the shown part is whole when it is redacted, and the snippet
/// can tell (and mark with `…`) that the body went on.
const SNIPPET_KEEP: usize = 2 * 1024;

/// Decodes a 2xx body on a blocking thread while its chunks arrive.
async fn stream_json<T>(
    vendor: Vendor,
    mut response: reqwest::Response,
    timeout: Duration,
    limit: u64,
    redact: Option<&str>,
) -> Result<(JsonReply<T>, usize)>
where
    T: DeserializeOwned + Send + 'static,
{
    let status = response.status().as_u16();
    let headers = std::mem::take(response.headers_mut());
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    let decoder = tokio::task::spawn_blocking(move || {
        let head = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        // serde_json reads a byte at a time: buffer in front of the chunks. The BufReader is
        // given by value, not by reference: std then reads each byte straight from its buffer
        // (its byte-iterator specialisation for `BufReader`) instead of through a `read` call
        // per byte, which was a sixth of a large WeCom export's instructions.
        let reader = std::io::BufReader::with_capacity(
            64 * 1024,
            ChunkReader {
                chunks: rx,
                current: Bytes::new(),
                head: head.clone(),
            },
        );
        let result = {
            let mut de = serde_json::Deserializer::from_reader(reader);
            T::deserialize(&mut de).and_then(|value| de.end().map(|()| value))
        };
        (result, head.take())
    });
    let mut received = 0usize;
    let mut transport: Option<Error> = None;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                received += chunk.len();
                if received as u64 > limit {
                    // Stops the decoder (its input ends) and the body; memory stays bounded.
                    transport = Some(too_large(vendor, status, limit));
                    break;
                }
                // The decoder stopped early (a syntax error): nothing more to feed.
                if tx.send(chunk).await.is_err() {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                transport = Some(transport_error(vendor, e, timeout).with_status(status));
                break;
            }
        }
    }
    drop(tx);
    let (result, head) = decoder
        .await
        .map_err(|e| Error::new(ErrorKind::Decode, format!("the JSON decoder failed: {e}")))?;
    if let Some(error) = transport {
        // A body cut by the connection: report the connection, not the half document.
        return Err(error);
    }
    match result {
        Ok(value) => Ok((
            JsonReply::Decoded {
                status,
                headers,
                value,
            },
            received,
        )),
        Err(e) => {
            let raw = RawResponse {
                status,
                headers,
                body: Bytes::from(head),
            };
            let raw = match redact {
                Some(secret) => raw.redact(secret),
                None => raw,
            };
            Err(decode_error(vendor, &raw, &e))
        }
    }
}

/// A blocking `Read` over the chunks of a body, keeping its first bytes for error snippets.
struct ChunkReader {
    chunks: tokio::sync::mpsc::Receiver<Bytes>,
    current: Bytes,
    /// Shared with the decoding thread's caller, which gets it back after the deserializer
    /// (which owns this reader) is gone.
    head: std::rc::Rc<std::cell::RefCell<Vec<u8>>>,
}

impl std::io::Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(chunk) => {
                    let mut head = self.head.borrow_mut();
                    let room = SNIPPET_KEEP.saturating_sub(head.len());
                    head.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    drop(head);
                    self.current = chunk;
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        bytes::Buf::advance(&mut self.current, n);
        Ok(n)
    }
}

/// Installs rustls' ring provider as the process default unless the application installed one.
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another thread installing a provider is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Converts a reqwest error into a URL-free roster error that names the host (and port) it
/// tried: never the path or query, where WeCom's token travels.
pub fn transport_error(vendor: Vendor, error: reqwest::Error, timeout: Duration) -> Error {
    let host = error.url().and_then(|url| {
        let host = url.host_str()?;
        Some(match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        })
    });
    let connect = error.is_connect();
    let error = error.without_url();
    if error.is_timeout() {
        let e = Error::timeout(vendor, Some(timeout));
        return match host {
            Some(host) => e.with_context(format!("from {host}")),
            None => e,
        };
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
    let message = match (host, connect) {
        (Some(host), true) => format!("cannot connect to {host}: {message}"),
        (Some(host), false) => format!("{message} (talking to {host})"),
        (None, _) => message,
    };
    Error::transport(vendor, message)
}

/// Parses and checks a configured base URL, one rule for every vendor: `http` or `https`, a
/// host, an optional port and path prefix; no user info, query or fragment (they would be sent
/// with, or mangle, every request), and not empty. `what` names the setting in the error (for
/// example `"the WeCom base URL (ROSTER_WECOM_BASE_URL)"`); the value itself is never repeated,
/// since a URL with user info carries a password.
pub fn parse_base_url(what: &str, text: &str) -> Result<url::Url> {
    let refuse = |why: &str| {
        Error::config(format!(
            "{what} {why}: it must be http(s)://host[:port][/prefix]"
        ))
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(refuse("is empty"));
    }
    let url = url::Url::parse(text).map_err(|e| refuse(&format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse("is not http or https"));
    }
    if url.cannot_be_a_base() || url.host_str().is_none_or(str::is_empty) {
        return Err(refuse("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("carries user info"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("carries a query or fragment"));
    }
    Ok(url)
}

/// Decodes a JSON body. Failures are [`ErrorKind::Decode`] with the status and a snippet; a
/// cut or garbled body (EOF or syntax error) is retryable, a well-formed body of the wrong
/// shape is not.
pub fn decode_json<T: DeserializeOwned>(vendor: Vendor, response: &RawResponse) -> Result<T> {
    crate::wire::from_body(&response.body).map_err(|e| decode_error(vendor, response, &e))
}

/// Like [`decode_json`] but never keeps the body, nor serde's message (which quotes values of
/// the wrong type): for answers that carry credentials, such as token endpoints. The error says
/// what kind of failure it was and where.
pub fn decode_json_sensitive<T: DeserializeOwned>(
    vendor: Vendor,
    response: &RawResponse,
) -> Result<T> {
    crate::wire::from_body(&response.body).map_err(|e| {
        use serde_json::error::Category;
        let what = match e.classify() {
            Category::Eof => "the body ends early",
            Category::Syntax => "the body is not valid JSON",
            Category::Io => "the body could not be read",
            Category::Data => "a field has an unexpected type or value",
        };
        Error::decode(
            vendor,
            response.status,
            format!(
                "cannot decode the response: {what} (line {}, column {}; body not shown: it may hold a credential)",
                e.line(),
                e.column()
            ),
            b"",
        )
        .without_body()
        .with_class(decode_class(&e))
    })
}

/// Whether a serde_json failure is worth a retry: a cut or garbled body may be the transport's
/// doing; a body of the wrong shape will come back the same.
fn decode_class(error: &serde_json::Error) -> RetryClass {
    use serde_json::error::Category;
    match error.classify() {
        Category::Eof | Category::Syntax | Category::Io => RetryClass::Retry,
        Category::Data => RetryClass::Fatal,
    }
}

/// The [`ErrorKind::Decode`] error for a serde_json failure on `response`.
pub fn decode_error(vendor: Vendor, response: &RawResponse, error: &serde_json::Error) -> Error {
    Error::decode(
        vendor,
        response.status,
        format!("cannot decode the response: {error}"),
        &response.body,
    )
    .with_class(decode_class(error))
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
        assert_eq!(
            redact_text("echo a%2Bb%2Fc and a+b/c", "a+b/c"),
            "echo <redacted> and <redacted>"
        );
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
        assert_eq!(e.class(), RetryClass::Retry);

        // A value of the wrong type: serde would quote it in its message.
        let e = decode_json_sensitive::<Shape>(Vendor::WeCom, &raw(200, "{\"n\":\"SECRET\"}"))
            .unwrap_err();
        assert!(!format!("{e} {e:?}").contains("SECRET"), "{e:?}");
        assert!(e.to_string().contains("unexpected type"), "{e}");
        assert_eq!(e.class(), RetryClass::Fatal);
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

    /// A one-shot HTTP server on loopback answering every connection with `response`.
    async fn serve(response: Vec<u8>) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/x", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let response = response.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        if socket.read(&mut byte).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let _ = socket.write_all(&response).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        url
    }

    fn http(status: &str, body: &[u8], announced: usize) -> Vec<u8> {
        let mut r = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {announced}\r\nconnection: close\r\n\r\n"
        )
        .into_bytes();
        r.extend_from_slice(body);
        r
    }

    #[derive(Debug, serde::Deserialize)]
    struct Head {
        title: String,
        #[serde(default)]
        #[allow(dead_code)]
        attendees: serde::de::IgnoredAny,
    }

    #[tokio::test]
    async fn large_bodies_decode_as_they_arrive() {
        let people: Vec<String> = (0..40_000)
            .map(|i| format!("{{\"userid\":\"u{i}\",\"cumulative_time\":{i}}}"))
            .collect();
        let body = format!(
            "{{\"title\":\"周会\",\"attendees\":[{}]}}",
            people.join(",")
        );
        let url = serve(http("200 OK", body.as_bytes(), body.len())).await;
        let client = HttpClient::new(HttpConfig::default()).unwrap();
        let reply = client
            .send_json::<Head>(Vendor::WeCom, "test", 1, client.reqwest().get(&url), None)
            .await
            .unwrap();
        match reply {
            JsonReply::Decoded { status, value, .. } => {
                assert_eq!(status, 200);
                assert_eq!(value.title, "周会");
            }
            JsonReply::Other(r) => panic!("unexpected {}", r.status),
        }
        // The same body read whole is identical to what was sent.
        let raw = client
            .send(Vendor::WeCom, "test", 1, client.reqwest().get(&url))
            .await
            .unwrap();
        assert_eq!(raw.body.len(), body.len());
        assert_eq!(&raw.body[..], body.as_bytes());
    }

    #[tokio::test]
    async fn a_streamed_body_that_does_not_decode_keeps_a_redacted_snippet() {
        let body = b"{\"title\": oops token=SECRET-TOKEN-1 and more}";
        let url = serve(http("200 OK", body, body.len())).await;
        let client = HttpClient::new(HttpConfig::default()).unwrap();
        let e = client
            .send_json::<Head>(
                Vendor::WeCom,
                "test",
                1,
                client.reqwest().get(&url),
                Some("SECRET-TOKEN-1"),
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert_eq!(e.http_status(), Some(200));
        let snippet = e.body_snippet().unwrap();
        assert!(snippet.starts_with("{\"title\": oops"), "{snippet}");
        assert!(!format!("{e:?}").contains("SECRET-TOKEN-1"));
    }

    #[tokio::test]
    async fn a_long_streamed_snippet_is_marked_cut_and_redacted_across_its_end() {
        // The token starts 10 bytes before the snippet's 1 KiB end.
        let token = "SECRET-TOKEN-STRADDLING-THE-END";
        let body = format!(
            "{{\"title\": {}{token}{}",
            "x".repeat(1014 - 11),
            "y".repeat(3000)
        );
        let url = serve(http("200 OK", body.as_bytes(), body.len())).await;
        let client = HttpClient::new(HttpConfig::default()).unwrap();
        let e = client
            .send_json::<Head>(
                Vendor::WeCom,
                "test",
                1,
                client.reqwest().get(&url),
                Some(token),
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        let snippet = e.body_snippet().unwrap();
        assert!(snippet.ends_with('…'), "{snippet}");
        assert!(!snippet.contains("SECRET-TOK"), "{snippet}");
    }

    #[tokio::test]
    async fn a_streamed_body_cut_by_the_connection_is_a_transport_error() {
        let body = b"{\"title\":\"half";
        let url = serve(http("200 OK", body, 10_000)).await;
        let client = HttpClient::new(HttpConfig::default()).unwrap();
        let e = client
            .send_json::<Head>(Vendor::WeCom, "test", 1, client.reqwest().get(&url), None)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
        assert!(e.is_retryable());
        let e = client
            .send(Vendor::WeCom, "test", 1, client.reqwest().get(&url))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport);
    }

    #[tokio::test]
    async fn other_statuses_come_back_whole() {
        let body = b"<html>bad gateway TOKEN-2</html>";
        let url = serve(http("502 Bad Gateway", body, body.len())).await;
        let client = HttpClient::new(HttpConfig::default()).unwrap();
        let reply = client
            .send_json::<Head>(
                Vendor::WeCom,
                "test",
                1,
                client.reqwest().get(&url),
                Some("TOKEN-2"),
            )
            .await
            .unwrap();
        let JsonReply::Other(raw) = reply else {
            panic!("a 502 is not decoded")
        };
        assert_eq!(raw.status, 502);
        assert_eq!(&raw.body[..], b"<html>bad gateway <redacted></html>");
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
        // Where it tried to go: the host and port, so a wrong base URL can be found.
        assert!(
            e.message()
                .starts_with(&format!("cannot connect to 127.0.0.1:{port}")),
            "{e}"
        );
    }

    #[test]
    fn base_urls_follow_one_rule() {
        for ok in [
            "https://api.meeting.qq.com",
            " http://127.0.0.1:8080/proxy/ ",
            "http://[::1]:9",
        ] {
            parse_base_url("the base URL", ok).unwrap();
        }
        for (bad, why) in [
            ("", "empty"),
            ("   ", "empty"),
            ("not a url", "not a URL"),
            ("ftp://127.0.0.1", "not http"),
            ("mailto:a@b", "not http"),
            ("https://user:s3cret@host", "user info"),
            ("https://user@host", "user info"),
            ("https://host/?token=x", "query"),
            ("https://host/#f", "fragment"),
        ] {
            let e = parse_base_url("the X base URL (ROSTER_X_BASE_URL)", bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config);
            let text = e.to_string();
            assert!(
                text.contains(why) && text.contains("ROSTER_X_BASE_URL"),
                "{text}"
            );
            assert!(
                !text.contains("s3cret") && !text.contains("token=x"),
                "{text}"
            );
        }
    }

    /// A server on loopback that answers with a chunked body that does not end (bounded at
    /// 256 MiB, so the loop stops by itself if the client keeps reading).
    async fn serve_endless() -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/x", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = socket.read(&mut buf).await;
                    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                    if socket.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
                    chunk.extend(
                        std::iter::once(b'[').chain(std::iter::repeat_n(b' ', 64 * 1024 - 1)),
                    );
                    chunk.extend_from_slice(b"\r\n");
                    for _ in 0..4096 {
                        if socket.write_all(&chunk).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        url
    }

    fn limited(bytes: u64) -> HttpClient {
        HttpClient::new(HttpConfig::default().with_max_body_bytes(bytes)).unwrap()
    }

    #[tokio::test]
    async fn an_endless_body_stops_at_the_limit_whole_or_streamed() {
        let url = serve_endless().await;
        let client = limited(1024 * 1024);
        let e = client
            .send(Vendor::WeCom, "x", 1, client.reqwest().get(&url))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ResponseTooLarge);
        assert_eq!(e.class(), RetryClass::Fatal);
        assert!(e.to_string().contains("1048576"), "{e}");
        let e = client
            .send_json::<serde_json::Value>(Vendor::WeCom, "x", 1, client.reqwest().get(&url), None)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ResponseTooLarge);
    }

    #[tokio::test]
    async fn an_announced_huge_body_is_refused_before_it_is_read() {
        // Announces 2 GB, sends 10 bytes: refused on the header alone.
        let url = serve(http("200 OK", b"{\"a\":1}  ", 2_000_000_000)).await;
        let client = limited(1024);
        let e = client
            .send(Vendor::Quanshi, "x", 1, client.reqwest().get(&url))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ResponseTooLarge);
        // Under the limit: read as usual.
        let url = serve(http("200 OK", b"{}", 2)).await;
        let ok = client
            .send(Vendor::Quanshi, "x", 1, client.reqwest().get(&url))
            .await
            .unwrap();
        assert_eq!(&ok.body[..], b"{}");
    }

    #[tokio::test]
    async fn redirects_are_errors_and_credentials_never_follow_them() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        // The target: counts every connection it gets.
        let target = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let target_port = target.local_addr().unwrap().port();
        let reached = Arc::new(AtomicUsize::new(0));
        let counter = reached.clone();
        tokio::spawn(async move {
            while let Ok((_socket, _)) = target.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        let location = format!("http://127.0.0.1:{target_port}/steal?token=abc");
        for status in [
            "301 Moved Permanently",
            "302 Found",
            "307 Temporary Redirect",
        ] {
            let response = format!(
                "HTTP/1.1 {status}\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            let url = serve(response.into_bytes()).await;
            let client = HttpClient::new(HttpConfig::default()).unwrap();
            let request = client.reqwest().get(&url).header("token", "SECRET-TOKEN");
            let e = client
                .send(Vendor::Quanshi, "x", 1, request)
                .await
                .unwrap_err();
            assert_eq!(
                (e.kind(), e.class()),
                (ErrorKind::Transport, RetryClass::Fatal)
            );
            let text = format!("{e} {e:?}");
            assert!(text.contains("host 127.0.0.1"), "{text}");
            assert!(
                !text.contains("steal") && !text.contains("token=abc"),
                "{text}"
            );
        }
        // A followed redirect would have connected before `send` returned.
        assert_eq!(
            reached.load(Ordering::SeqCst),
            0,
            "nothing reached the redirect's target"
        );
    }
}
