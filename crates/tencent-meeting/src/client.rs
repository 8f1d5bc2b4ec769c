//! The client: configuration, and one signed, paced, retried call (`GET`, or `POST` with a JSON
//! body) that every endpoint uses, plus the plain `GET` of an export's download link.

use std::fmt;
use std::sync::Arc;

use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use roster_core::{
    AccessToken, Attempt, ClientBuilder, ClientOptions, Error, HttpClient, ListClient, Pacer,
    Pipeline, Protocol, RawResponse, Result, Retrier, SettingLookup, SharedClock, Vendor,
};
use serde::de::DeserializeOwned;
use url::Url;

use crate::auth::{
    AkSkAuthenticator, Authenticator, Credentials, RequestToSign, header_value, name,
};
use crate::config::{
    MAX_ENROLL_PAGE_SIZE, MAX_PARTICIPANTS_PAGE_SIZE, TencentMeetingClientBuilder, env,
};
use crate::errors::decode_reply;
use crate::target::{QueryString, Target};
use crate::wire::Reply;

/// Header that must be `1` on every request (docs/specs/tencent-meeting.md §2.1).
pub const HEADER_REGISTERED: &str = "X-TC-Registered";
/// Optional app version header.
pub const HEADER_VERSION: &str = "X-TC-Version";

/// Tencent Meeting REST client (AK/SK). Cheap to clone: clones share configuration, connection
/// pool, pacer and clock.
///
/// Build it with [`TencentMeetingClient::builder`]. Read attendance through the
/// [`roster_core::AttendeeSource`] methods ([`Self::attendees`], [`Self::registrations`]), or
/// call endpoints directly (`*_page` for one raw page, `*_list` for a [`roster_core::ListRequest`]).
#[derive(Clone)]
pub struct TencentMeetingClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// Retry, pacing and sending: core's call pipeline (this crate signs each attempt).
    pub(crate) pipeline: Pipeline,
    pub(crate) auth: Arc<dyn Authenticator>,
    pub(crate) base: Url,
    pub(crate) operator_id: String,
    pub(crate) version: Option<HeaderValue>,
    pub(crate) pacer: Pacer,
    /// `/v1/corp/meetings` has a budget of its own (100 calls a minute).
    pub(crate) corp_pacer: Pacer,
    /// Export downloads go to a storage link, not to the API: not paced against its budget.
    pub(crate) download_pacer: Pacer,
    pub(crate) clock: SharedClock,
    /// Everything else it was built with (page sizes, planning, legacy parameters).
    pub(crate) config: TencentMeetingClientBuilder,
}

impl fmt::Debug for TencentMeetingClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("TencentMeetingClient")
            .field("base_url", &i.base.as_str())
            .field("auth", &i.auth)
            .field("operator_id", &i.operator_id)
            .field("pacer", &i.pacer)
            .field("retry", i.pipeline.retrier().policy())
            .field("participants_page_size", &i.config.participants_page_size)
            .field("enroll_page_size", &i.config.enroll_page_size)
            .finish_non_exhaustive()
    }
}

impl TencentMeetingClient {
    /// A builder for a client with these credentials.
    ///
    /// ```no_run
    /// # async fn run() -> roster_core::Result<()> {
    /// use roster_tencent_meeting::{ClientBuilder, Credentials, TencentMeetingClient};
    ///
    /// let client = TencentMeetingClient::builder(Credentials::new("app-id", "secret-id", "secret-key"))
    ///     .operator_id("owner1")
    ///     .base_url("http://127.0.0.1:8080")
    ///     .build()?;
    /// let detail = client.meeting_detail("7567173273889276131").await?;
    /// # Ok(()) }
    /// ```
    pub fn builder(credentials: Credentials) -> TencentMeetingClientBuilder {
        TencentMeetingClientBuilder::new(credentials)
    }

    fn from_builder(b: TencentMeetingClientBuilder) -> Result<Self> {
        let operator_id = b
            .operator_id
            .clone()
            .filter(|o| !o.trim().is_empty())
            .ok_or_else(|| {
                Error::config(
                    "the Tencent Meeting operator id (creator or admin userid) is not set",
                )
                .with_hint("set it with .operator_id(…) or ROSTER_TENCENT_OPERATOR_ID")
            })?;
        if !(1..=MAX_PARTICIPANTS_PAGE_SIZE).contains(&b.participants_page_size) {
            return Err(Error::config(format!(
                "the participants page size must be 1 to {MAX_PARTICIPANTS_PAGE_SIZE}, not {}",
                b.participants_page_size
            )));
        }
        if !(1..=MAX_ENROLL_PAGE_SIZE).contains(&b.enroll_page_size) {
            return Err(Error::config(format!(
                "the enrollment page size must be 1 to {MAX_ENROLL_PAGE_SIZE}, not {}",
                b.enroll_page_size
            )));
        }
        let auth: Arc<dyn Authenticator> = match &b.authenticator {
            Some(a) => a.clone(),
            None => Arc::new(AkSkAuthenticator::new(b.credentials.clone())?),
        };
        let version = match &b.version {
            Some(v) => Some(header_value("version", v, false)?),
            None => None,
        };
        let base = b
            .options
            .parsed_base_url(&format!("the Tencent Meeting base URL ({})", env::BASE_URL))?;
        let options = &b.options;
        Ok(Self {
            inner: Arc::new(Inner {
                pipeline: Pipeline::new(
                    HttpClient::new(options.http().clone())?,
                    Retrier::new(options.retry_policy().clone(), options.clock().clone()),
                ),
                auth,
                base,
                operator_id,
                version,
                // The vendor's budget is per AppId; the account list has one of its own.
                pacer: options.pacer_for(&format!("tencent:{}", b.credentials.app_id())),
                corp_pacer: {
                    let corp = b
                        .corp_pacer
                        .clone()
                        .unwrap_or_else(|| Pacer::per_minute(crate::corp::CORP_CALLS_PER_MINUTE));
                    match options.shared_budget() {
                        Some(budget) => corp.shared(
                            budget.clone(),
                            &format!("tencent:{}:corp_meetings", b.credentials.app_id()),
                        ),
                        None => corp,
                    }
                },
                download_pacer: Pacer::unlimited(),
                clock: options.clock().clone(),
                config: b,
            }),
        })
    }

    /// The userid requests are made as.
    pub fn operator_id(&self) -> &str {
        &self.inner.operator_id
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The clock the client signs with.
    pub fn clock(&self) -> &SharedClock {
        &self.inner.clock
    }

    /// Sends one signed `GET` to `segments` with `query` and decodes a 200 body as `T`.
    ///
    /// The request target is built once; every attempt (retries included) waits for the pacer,
    /// takes the time from the clock and is signed afresh with a new nonce. Errors are
    /// classified by `error_code` for this endpoint ([`crate::errors::classify_for`]) and
    /// retried per the policy. The body is parsed once: `T` keeps an `error_info` in its
    /// `extra` ([`crate::errors::decode_reply`]).
    pub(crate) async fn get_json<T: DeserializeOwned + Reply>(
        &self,
        endpoint: &'static str,
        segments: &[&str],
        query: &QueryString,
    ) -> Result<T> {
        let call = Call::signed(
            endpoint,
            Method::GET,
            Target::new(&self.inner.base, segments, query)?,
            String::new(),
        );
        self.send_json(&call).await
    }

    /// Sends one signed `POST` of the JSON `body` (compact, exactly these bytes are signed
    /// and sent, docs/specs/tencent-meeting.md §2.2 rule 4) to `segments`, and decodes a 200
    /// body as `T`, like [`Self::get_json`].
    pub(crate) async fn post_json<T: DeserializeOwned + Reply>(
        &self,
        endpoint: &'static str,
        segments: &[&str],
        body: String,
    ) -> Result<T> {
        let call = Call::signed(
            endpoint,
            Method::POST,
            Target::new(&self.inner.base, segments, &QueryString::new())?,
            body,
        );
        self.send_json(&call).await
    }

    async fn send_json<T: DeserializeOwned + Reply>(&self, call: &Call) -> Result<T> {
        let inner = &*self.inner;
        let endpoint = call.endpoint;
        inner
            .pipeline
            .call(inner, call, |response, _| {
                decode_reply(endpoint, &response, inner.clock.now())
            })
            .await
    }

    /// Sends one plain, unsigned `GET` to `url` (a download link the vendor handed out) and
    /// reads the whole body (the HTTP client's body cap applies). Retried like every call; no
    /// credential header is sent. `read` turns the answer into the payload or an error.
    pub(crate) async fn get_plain<T>(
        &self,
        endpoint: &'static str,
        url: Url,
        read: impl Fn(RawResponse) -> Result<T> + Send + Sync,
    ) -> Result<T> {
        let call = Call {
            endpoint,
            send: Outgoing::Plain(url),
        };
        let inner = &*self.inner;
        inner
            .pipeline
            .call(inner, &call, |response, _| read(response))
            .await
    }
}

impl ListClient for TencentMeetingClient {
    fn retrier(&self) -> &Retrier {
        self.inner.pipeline.retrier()
    }
}

impl ClientBuilder for TencentMeetingClientBuilder {
    type Client = TencentMeetingClient;
    const SETTINGS: &'static [&'static str] = &env::ALL;

    fn options_mut(&mut self) -> &mut ClientOptions {
        &mut self.options
    }

    /// Reads the `ROSTER_TENCENT_*` settings ([`crate::config::env`]); the error names the first missing
    /// required one.
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let settings = SettingLookup::new(lookup);
        let require = |name: &str| {
            settings.require(name).map_err(|e| {
                e.with_hint("set the Tencent Meeting AppId, SecretId, SecretKey and operator userid (ROSTER_TENCENT_*)")
            })
        };
        let app_id = require(env::APP_ID)?;
        let secret_id = require(env::SECRET_ID)?;
        let secret_key = require(env::SECRET_KEY)?;
        let operator = require(env::OPERATOR_ID)?;
        let mut credentials = Credentials::new(app_id, secret_id, secret_key);
        if let Some(sdk) = settings.get(env::SDK_ID) {
            credentials = credentials.with_sdk_id(sdk);
        }
        let mut builder = Self::new(credentials).operator_id(operator);
        builder.options.read_settings(&settings, env::PREFIX)?;
        if let Some(rate) = settings.get(env::CORP_MEETINGS_PER_MINUTE) {
            let rate = roster_core::parse_calls_per_minute(env::CORP_MEETINGS_PER_MINUTE, &rate)?;
            builder = builder.corp_meetings_pacer(Pacer::per_minute(rate));
        }
        Ok(builder)
    }

    fn build(self) -> Result<TencentMeetingClient> {
        TencentMeetingClient::from_builder(self)
    }
}

/// One request: the endpoint name for traces, and what is sent.
pub(crate) struct Call {
    endpoint: &'static str,
    send: Outgoing,
}

/// What a [`Call`] sends.
enum Outgoing {
    /// A signed vendor request: the method, the exact target and the exact body (empty for
    /// `GET`) that are both signed and sent.
    Signed {
        method: Method,
        target: Target,
        body: String,
    },
    /// An unsigned `GET` of a link the vendor handed out (an export's download URL): no
    /// credential header, its own unlimited pace, no base-URL setting to name.
    Plain(Url),
}

impl Call {
    fn signed(endpoint: &'static str, method: Method, target: Target, body: String) -> Self {
        Self {
            endpoint,
            send: Outgoing::Signed {
                method,
                target,
                body,
            },
        }
    }
}

impl Protocol for Inner {
    type Call = Call;

    fn vendor(&self) -> Vendor {
        Vendor::TencentMeeting
    }

    fn endpoint(&self, call: &Call) -> &'static str {
        call.endpoint
    }

    fn setting(&self, call: &Call) -> Option<&'static str> {
        match call.send {
            Outgoing::Signed { .. } => Some(env::BASE_URL),
            Outgoing::Plain(_) => None,
        }
    }

    fn pacer(&self, call: &Call) -> &Pacer {
        match call.send {
            Outgoing::Plain(_) => &self.download_pacer,
            Outgoing::Signed { .. } if call.endpoint == "corp_meetings" => &self.corp_pacer,
            Outgoing::Signed { .. } => &self.pacer,
        }
    }

    /// Signs afresh: a new nonce and timestamp for every attempt (a replayed signature is
    /// refused), taken after the pacing wait. A plain download carries no credential.
    async fn request(
        &self,
        call: &Call,
        attempt: Attempt,
        _token: Option<&AccessToken>,
    ) -> Result<reqwest::RequestBuilder> {
        let (method, target, body) = match &call.send {
            Outgoing::Plain(url) => return Ok(self.pipeline.http().reqwest().get(url.clone())),
            Outgoing::Signed {
                method,
                target,
                body,
            } => (method, target, body),
        };
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(name(HEADER_REGISTERED), HeaderValue::from_static("1"));
        if let Some(v) = &self.version {
            headers.insert(name(HEADER_VERSION), v.clone());
        }
        let to_sign = RequestToSign::new(
            method.as_str(),
            target.request_target(),
            body,
            self.clock.now(),
        )
        .with_refresh(attempt.refresh_auth);
        self.auth.authorize(&to_sign, &mut headers).await?;
        let request = self
            .pipeline
            .http()
            .reqwest()
            .request(method.clone(), target.url().clone())
            .headers(headers);
        Ok(if body.is_empty() {
            request
        } else {
            request.body(body.clone())
        })
    }
}
