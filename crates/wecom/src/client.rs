//! The client: one configured HTTP client, token cache, retry executor and pacers, shared by
//! every call and every stream (it is an `Arc` inside, cheap to clone).

use std::fmt;
use std::sync::Arc;

use sha2::Digest;
use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use roster_core::http::{JsonReply, decode_error, redact_text, unexpected_status};
use roster_core::{
    Attempt, ClientBuilder, ClientOptions, Error, ErrorKind, ExposeSecret, HttpClient, ListClient,
    Pacer, Pipeline, Protocol, RawResponse, Result, Retrier, RetryClass, SettingLookup, Vendor,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::config::{
    Credentials, ENV_BASE_URL, ENV_CORP_ID, ENV_CORP_SECRET, ENV_VARS, WeComClientBuilder,
};
use crate::errors::{self, CallKind};
use crate::wire::{Envelope, Reply, TokenReply};
use roster_core::token::{AccessToken, MemoryTokenStore, TokenCache, TokenKey};

/// Lifetime assumed when `gettoken` omits `expires_in` (the documented normal value).
pub const DEFAULT_EXPIRES_IN: Duration = Duration::from_secs(7200);

/// The WeCom APIs this client calls; each has its own pacer (the vendor limits per API).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    GetToken,
    GetAttendeeList,
    EnrollList,
    EnrollQueryByTmpOpenid,
    GetInfo,
    GetUserMeetingid,
    UserListId,
    WebinarEnrollList,
    WebinarEnrollQueryByTmpOpenid,
    GetRealtimeAttendeeList,
    WaitingRoomGetUserList,
    GetInvitees,
}

impl Api {
    const ALL: [Api; 12] = [
        Api::GetToken,
        Api::GetAttendeeList,
        Api::EnrollList,
        Api::EnrollQueryByTmpOpenid,
        Api::GetInfo,
        Api::GetUserMeetingid,
        Api::UserListId,
        Api::WebinarEnrollList,
        Api::WebinarEnrollQueryByTmpOpenid,
        Api::GetRealtimeAttendeeList,
        Api::WaitingRoomGetUserList,
        Api::GetInvitees,
    ];

    pub(crate) fn path(self) -> &'static str {
        match self {
            Api::GetToken => "/cgi-bin/gettoken",
            Api::GetAttendeeList => "/cgi-bin/meeting/get_attendee_list",
            Api::EnrollList => "/cgi-bin/meeting/enroll/list",
            Api::EnrollQueryByTmpOpenid => "/cgi-bin/meeting/enroll/query_by_tmp_openid",
            Api::GetInfo => "/cgi-bin/meeting/get_info",
            Api::GetUserMeetingid => "/cgi-bin/meeting/get_user_meetingid",
            Api::UserListId => "/cgi-bin/user/list_id",
            Api::WebinarEnrollList => "/cgi-bin/meeting/webinar/enroll/list",
            Api::WebinarEnrollQueryByTmpOpenid => {
                "/cgi-bin/meeting/webinar/enroll/query_by_tmp_openid"
            }
            Api::GetRealtimeAttendeeList => "/cgi-bin/meeting/get_realtime_attendee_list",
            Api::WaitingRoomGetUserList => "/cgi-bin/meeting/waitingroom/get_user_list",
            Api::GetInvitees => "/cgi-bin/meeting/get_invitees",
        }
    }

    /// The endpoint name in traces (never a URL, never a secret).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Api::GetToken => "gettoken",
            Api::GetAttendeeList => "get_attendee_list",
            Api::EnrollList => "enroll/list",
            Api::EnrollQueryByTmpOpenid => "enroll/query_by_tmp_openid",
            Api::GetInfo => "get_info",
            Api::GetUserMeetingid => "get_user_meetingid",
            Api::UserListId => "user/list_id",
            Api::WebinarEnrollList => "webinar/enroll/list",
            Api::WebinarEnrollQueryByTmpOpenid => "webinar/enroll/query_by_tmp_openid",
            Api::GetRealtimeAttendeeList => "get_realtime_attendee_list",
            Api::WaitingRoomGetUserList => "waitingroom/get_user_list",
            Api::GetInvitees => "get_invitees",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A WeCom meeting API client for one self-built app.
///
/// Cheap to clone (clones share the token cache, connection pool and pacers), so streams it
/// returns are `'static`. Endpoints:
///
/// - [`WeComClient::attendee_list`] / [`WeComClient::get_attendee_list`]: join sessions;
/// - [`WeComClient::enroll_list`] / [`WeComClient::get_enroll_list`]: enrollments;
/// - [`WeComClient::enroll_ids`] / [`WeComClient::query_by_tmp_openid`]: enrollment ids of
///   attendees;
/// - [`WeComClient::webinar_enroll_list`] / [`WeComClient::get_webinar_enroll_list`] and
///   [`WeComClient::webinar_query_by_tmp_openid`]: a webinar's enrollments (the family is
///   chosen with [`WeComClient::enroll_family`]);
/// - [`WeComClient::realtime_attendee_list`] / [`WeComClient::get_realtime_attendee_list`]:
///   who is in the meeting now;
/// - [`WeComClient::waiting_room_list`] / [`WeComClient::get_waiting_room_user_list`]: the
///   waiting room's log;
/// - [`WeComClient::invitee_list`] / [`WeComClient::get_invitees`]: the invitees;
/// - [`WeComClient::get_info`]: meeting details;
/// - [`WeComClient::user_meeting_ids`] / [`WeComClient::get_user_meetingid`]: a member's
///   meetings;
/// - [`WeComClient::member_ids`] / [`WeComClient::user_list_id`]: the corp's members (with the
///   address-book secret);
/// - and the cross-vendor [`roster_core::AttendeeSource`].
#[derive(Clone)]
pub struct WeComClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: WeComClientBuilder,
    base: Url,
    /// Retry, token per attempt, pacing and sending: core's call pipeline.
    pipeline: Pipeline,
    pacers: Vec<Pacer>,
    /// A client of the address-book sync secret, for `user/list_id` (see
    /// [`WeComClientBuilder::contacts_secret`]).
    contacts: Option<WeComClient>,
}

impl fmt::Debug for WeComClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeComClient")
            .field("corp_id", &self.inner.config.credentials.corp_id)
            .field("base_url", &self.inner.base.as_str())
            .field("token_key", self.inner.tokens().key())
            .finish_non_exhaustive()
    }
}

impl WeComClient {
    /// A builder for a client of this app; see [`WeComClientBuilder`].
    pub fn builder(credentials: Credentials) -> WeComClientBuilder {
        WeComClientBuilder::new(credentials)
    }

    /// Fails with a [`Config`](ErrorKind::Config) error for an empty corp id or secret, an
    /// unusable base URL or out-of-range page sizes; makes no request.
    fn from_builder(mut config: WeComClientBuilder) -> Result<Self> {
        config.validate()?;
        // One store for both secrets' tokens, so a shared store shares both.
        if config.options.shared_token_store().is_none() {
            config.options = config
                .options
                .clone()
                .with_token_store(Arc::new(MemoryTokenStore::new()));
        }
        let store = config.options.token_store();
        let contacts = match config.contacts_secret.clone() {
            None => None,
            Some(secret) => {
                let mut address_book = config.clone();
                address_book.credentials.corp_secret = secret;
                address_book.contacts_secret = None;
                address_book.discovery_users = Vec::new();
                Some(Self::from_builder(address_book)?)
            }
        };
        let options = &config.options;
        let base = options.parsed_base_url(&format!("the WeCom base URL ({ENV_BASE_URL})"))?;
        let http = HttpClient::new(options.http().clone())?;
        let retrier = Retrier::new(options.retry_policy().clone(), options.clock().clone());
        let credentials = &config.credentials;
        let tokens = TokenCache::new(
            TokenKey::new(
                format!("wecom:{}", credentials.corp_id),
                &credentials.corp_secret,
            ),
            store,
            config.token_margin,
            options.clock().clone(),
        );
        // WeCom counts each API apart: a budget per API, shared per app across processes. The
        // app is named by a hash of the secret's fingerprint (bucket names show in `Debug`
        // and in the store; the fingerprint itself stays out of both).
        let app_hash = sha2::Sha256::digest(tokens.key().fingerprint().as_bytes());
        let app = format!(
            "wecom:{}:{}",
            credentials.corp_id,
            hex::encode(&app_hash[..6])
        );
        let pacers = Api::ALL
            .iter()
            .map(|api| {
                options
                    .pacer_for(&app)
                    .with_own_budget()
                    .in_bucket(api.name())
            })
            .collect();
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                base,
                pipeline: Pipeline::new(http, retrier).with_tokens(tokens),
                pacers,
                contacts,
            }),
        })
    }

    /// The settings this client was built from.
    pub(crate) fn config(&self) -> &WeComClientBuilder {
        &self.inner.config
    }

    /// The client of the address-book sync secret, if one is configured.
    pub(crate) fn contacts(&self) -> Option<&WeComClient> {
        self.inner.contacts.as_ref()
    }
}

impl ListClient for WeComClient {
    fn retrier(&self) -> &Retrier {
        self.inner.pipeline.retrier()
    }
}

impl WeComClient {
    /// The key this client's token is cached under.
    pub fn token_key(&self) -> &TokenKey {
        self.inner.tokens().key()
    }

    /// A fresh access token (cached, or fetched once for all concurrent callers), for calling
    /// WeCom APIs this crate does not cover. Keep it out of logs.
    pub async fn access_token(&self) -> Result<AccessToken> {
        let inner = &*self.inner;
        self.retrier()
            .run(|_attempt| inner.pipeline.token(inner))
            .await
    }

    /// Forgets a configuration error of `gettoken` (wrong secret, untrusted IP, disabled app …)
    /// that this client remembers so as never to repeat the call. Use it after fixing the
    /// configuration on WeCom's side (a trusted IP added, the app enabled); a wrong secret
    /// needs a new client anyway.
    pub fn clear_token_failure(&self) {
        self.inner.tokens().clear_failure();
    }

    /// A business call: `POST <path>?access_token=…` with a JSON body, through core's
    /// pipeline (retries, the token of each attempt, one refresh on `40014`/`42001`/`40001`).
    /// The body is read whole and parsed once: the answer type carries `errcode`/`errmsg`
    /// ([`Reply`]).
    pub(crate) async fn call<B, T>(&self, api: Api, body: &B) -> Result<T>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned + Reply + Send + 'static,
    {
        let call = Post::new(api, body)?;
        let inner = &*self.inner;
        inner
            .pipeline
            .call(inner, &call, |response, token| {
                let secret = secret_of(token);
                // Error snippets keep part of the body: an echo of the URL (a proxy's error
                // page, say) must not carry the token into an error. Only error paths pay for
                // the search.
                if response.status != 200 {
                    return Err(unexpected_status(Vendor::WeCom, &response.redact(secret)));
                }
                inner.answer(api, decode_body::<T>(&response, secret)?, secret)
            })
            .await
    }

    /// [`Self::call`] for large answers: the body is decoded as it arrives and never held
    /// whole (core's [`HttpClient::send_json`]), so a `T` that skips a large part of it
    /// (`serde::de::IgnoredAny`) costs no memory for that part. Same retries, token refresh,
    /// pacing, tracing and error classification as [`Self::call`].
    pub(crate) async fn call_streamed<B, T>(&self, api: Api, body: &B) -> Result<T>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned + Reply + Send + 'static,
    {
        let call = Post::new(api, body)?;
        let inner = &*self.inner;
        inner
            .pipeline
            .call_streamed(inner, &call, |reply, token| {
                let secret = secret_of(token);
                inner.answer(api, streamed_answer::<T>(reply)?, secret)
            })
            .await
    }
}

/// One business call: the API and its encoded body.
struct Post {
    api: Api,
    body: Vec<u8>,
}

impl Post {
    fn new<B: Serialize + ?Sized>(api: Api, body: &B) -> Result<Self> {
        let body = serde_json::to_vec(body).map_err(|e| {
            Error::invalid_argument(format!("cannot encode the {} request: {e}", api.name()))
        })?;
        Ok(Self { api, body })
    }
}

impl Protocol for Inner {
    type Call = Post;

    fn vendor(&self) -> Vendor {
        Vendor::WeCom
    }

    fn endpoint(&self, call: &Post) -> &'static str {
        call.api.name()
    }

    fn setting(&self, _call: &Post) -> Option<&'static str> {
        Some(ENV_BASE_URL)
    }

    fn pacer(&self, call: &Post) -> &Pacer {
        &self.pacers[call.api.index()]
    }

    fn needs_token(&self, _call: &Post) -> bool {
        true
    }

    fn fetch_token(&self) -> impl std::future::Future<Output = Result<AccessToken>> + Send {
        self.gettoken()
    }

    async fn request(
        &self,
        call: &Post,
        attempt: Attempt,
        token: Option<&AccessToken>,
    ) -> Result<reqwest::RequestBuilder> {
        if attempt.refresh_auth {
            tracing::debug!(
                endpoint = call.api.name(),
                "retrying once with a refreshed token"
            );
        }
        let mut url = self.url(call.api);
        url.query_pairs_mut()
            .append_pair("access_token", secret_of(token));
        Ok(self
            .pipeline
            .http()
            .reqwest()
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .body(call.body.clone()))
    }
}

impl Inner {
    fn tokens(&self) -> &TokenCache {
        self.pipeline
            .tokens()
            .expect("a WeCom client is built with its token cache")
    }

    fn rate_limit_wait(&self) -> Duration {
        self.config.rate_limit_wait
    }

    fn url(&self, api: Api) -> Url {
        let mut url = self.base.clone();
        let prefix = self.base.path().trim_end_matches('/');
        url.set_path(&format!("{prefix}{}", api.path()));
        url
    }

    /// A 200 answer's data, or the error its `errcode` means (its message with `secret`
    /// removed).
    fn answer<T>(&self, api: Api, answer: Outcome<T>, secret: &str) -> Result<T> {
        match answer {
            Outcome::Data(data) => Ok(data),
            Outcome::Failed { code, errmsg } => {
                let error = errors::api_error(
                    code,
                    &redact_text(&errmsg, secret),
                    CallKind::Business,
                    self.rate_limit_wait(),
                );
                tracing::debug!(
                    endpoint = api.name(),
                    code,
                    kind = %error.kind(),
                    "WeCom returned an error"
                );
                Err(error)
            }
        }
    }

    /// One `gettoken` call. Not retried here: the business call that needs the token retries
    /// as a whole, and configuration errors are never retried at all.
    async fn gettoken(&self) -> Result<AccessToken> {
        let credentials = &self.config.credentials;
        let mut url = self.url(Api::GetToken);
        url.query_pairs_mut()
            .append_pair("corpid", &credentials.corp_id)
            .append_pair("corpsecret", credentials.corp_secret.expose_secret());
        let fetched_at = self.config.options.clock().now();
        let request = self.pipeline.http().reqwest().get(url);
        let response = self.send(Api::GetToken, 1, request).await?;
        if response.status != 200 {
            return Err(unexpected_status(Vendor::WeCom, &response).without_body());
        }
        // One parse classifies and yields the token; the body is never kept in an error.
        let reply = match decode_body::<TokenReply>(&response, "") {
            Ok(Outcome::Data(reply)) => reply,
            Ok(Outcome::Failed { code, errmsg }) => {
                return Err(errors::api_error(
                    code,
                    &errmsg,
                    CallKind::GetToken,
                    self.rate_limit_wait(),
                ));
            }
            // Neither the body nor serde's message (which quotes values) may carry the token.
            Err(e) => {
                return Err(Error::new(
                    ErrorKind::Decode,
                    "gettoken's answer is not the JSON expected (not shown: it may hold the token)",
                )
                .with_vendor(Vendor::WeCom)
                .with_status(response.status)
                .with_class(e.class()));
            }
        };
        let Some(value) = reply.access_token else {
            return Err(Error::new(
                ErrorKind::Decode,
                "gettoken answered without an access_token",
            )
            .with_vendor(Vendor::WeCom)
            .with_status(response.status)
            .with_class(RetryClass::Retry));
        };
        let expires_in = reply
            .expires_in
            .and_then(|s| u64::try_from(s).ok())
            .filter(|s| *s > 0)
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_EXPIRES_IN);
        Ok(AccessToken::new(value, fetched_at, expires_in))
    }

    async fn send(
        &self,
        api: Api,
        attempt: u32,
        request: reqwest::RequestBuilder,
    ) -> Result<RawResponse> {
        let _permit = self.pacers[api.index()].acquire().await?;
        self.pipeline
            .http()
            .send(Vendor::WeCom, api.name(), attempt, request)
            .await
    }
}

/// The token an attempt carried, for the URL and for redaction (every business call has one).
fn secret_of(token: Option<&AccessToken>) -> &str {
    token.map_or("", |t| t.secret().expose_secret())
}

/// A streamed answer (core's [`HttpClient::send_json`]) as an [`Outcome`] or an error.
fn streamed_answer<T: Reply>(reply: Result<JsonReply<T>>) -> Result<Outcome<T>> {
    match reply {
        Ok(JsonReply::Decoded {
            status: 200, value, ..
        }) => Ok(Outcome::from_reply(value)),
        // Another 2xx: refused as the whole-body path refuses it (its body is consumed).
        Ok(JsonReply::Decoded {
            status, headers, ..
        }) => Err(unexpected_status(
            Vendor::WeCom,
            &RawResponse {
                status,
                headers,
                body: Default::default(),
            },
        )),
        Ok(JsonReply::Other(response)) => Err(unexpected_status(Vendor::WeCom, &response)),
        Err(e) if e.kind() == ErrorKind::Decode => {
            // The whole-body path lets an error envelope win over a body the answer type
            // cannot read; error answers are small, so their whole body is the snippet.
            let envelope = e
                .body_snippet()
                .and_then(|s| serde_json::from_str::<Envelope>(s).ok());
            if let Some(code) = envelope.as_ref().and_then(Envelope::failure) {
                let errmsg = envelope.and_then(|e| e.errmsg).unwrap_or_default();
                return Ok(Outcome::Failed { code, errmsg });
            }
            match e.http_status() {
                Some(status) if status != 200 => Err(unexpected_status(
                    Vendor::WeCom,
                    &RawResponse {
                        status,
                        headers: Default::default(),
                        body: e
                            .body_snippet()
                            .unwrap_or_default()
                            .as_bytes()
                            .to_vec()
                            .into(),
                    },
                )),
                _ => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// A 200 answer: its data, or the failure its `errcode` reports.
enum Outcome<T> {
    Data(T),
    Failed { code: i64, errmsg: String },
}

impl<T: Reply> Outcome<T> {
    fn from_reply(reply: T) -> Self {
        match reply.failure() {
            Some(code) => Outcome::Failed {
                code,
                errmsg: reply.errmsg().unwrap_or_default(),
            },
            None => Outcome::Data(reply),
        }
    }
}

/// Parses a 200 body once as `T`, which carries the envelope. A body `T` cannot read is still
/// classified by its `errcode` when it has one (the envelope decides first, as it always did);
/// otherwise it is a [`ErrorKind::Decode`] error with a snippet of `response`.
/// A snippet of the body goes into that error with `secret` redacted.
fn decode_body<T: DeserializeOwned + Reply>(
    response: &RawResponse,
    secret: &str,
) -> Result<Outcome<T>> {
    match roster_core::wire::from_body::<T>(&response.body) {
        Ok(reply) => Ok(Outcome::from_reply(reply)),
        Err(e) => {
            if let Ok(envelope) = serde_json::from_slice::<Envelope>(&response.body)
                && let Some(code) = envelope.failure()
            {
                return Ok(Outcome::Failed {
                    code,
                    errmsg: envelope.errmsg.unwrap_or_default(),
                });
            }
            Err(decode_error(
                Vendor::WeCom,
                &response.clone().redact(secret),
                &e,
            ))
        }
    }
}

impl ClientBuilder for WeComClientBuilder {
    type Client = WeComClient;
    const SETTINGS: &'static [&'static str] = &ENV_VARS;

    fn options_mut(&mut self) -> &mut ClientOptions {
        &mut self.options
    }

    /// Reads `ROSTER_WECOM_CORP_ID`, `ROSTER_WECOM_CORP_SECRET` and, if set,
    /// `ROSTER_WECOM_BASE_URL`, `ROSTER_WECOM_CALLS_PER_MINUTE`, `ROSTER_WECOM_MAX_RETRIES`,
    /// `ROSTER_WECOM_USERS` and `ROSTER_WECOM_CONTACTS_SECRET`.
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let settings = SettingLookup::new(lookup);
        let corp_id = settings.require(ENV_CORP_ID)?;
        let secret = settings.require(ENV_CORP_SECRET)?;
        let mut builder = WeComClientBuilder::new(Credentials::new(corp_id, secret));
        builder
            .options
            .read_settings(&settings, crate::config::ENV_PREFIX)?;
        if let Some(users) = settings.get(crate::config::ENV_USERS) {
            builder =
                builder.discovery_users(users.split(',').map(str::trim).filter(|u| !u.is_empty()));
        }
        if let Some(secret) = settings.get(crate::config::ENV_CONTACTS_SECRET) {
            builder = builder.contacts_secret(secret);
        }
        Ok(builder)
    }

    fn build(self) -> Result<WeComClient> {
        WeComClient::from_builder(self)
    }
}

/// A client for unit tests that must fail before any request: nothing listens on its base URL
/// (loopback port 9).
#[cfg(test)]
pub(crate) fn offline_client() -> WeComClient {
    WeComClient::builder(Credentials::new("ww1", "s"))
        .base_url("http://127.0.0.1:9")
        .build()
        .expect("a valid test configuration")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> Result<WeComClient> {
        WeComClient::builder(Credentials::new("ww1", "secret-xyz"))
            .base_url(base)
            .build()
    }

    #[test]
    fn urls_keep_a_base_path_prefix() {
        let c = client("http://127.0.0.1:9/proxy/wecom/").unwrap();
        assert_eq!(
            c.inner.url(Api::GetAttendeeList).as_str(),
            "http://127.0.0.1:9/proxy/wecom/cgi-bin/meeting/get_attendee_list"
        );
        let c = client("http://127.0.0.1:9").unwrap();
        assert_eq!(
            c.inner.url(Api::GetToken).as_str(),
            "http://127.0.0.1:9/cgi-bin/gettoken"
        );
    }

    #[test]
    fn bad_base_urls_are_config_errors() {
        for bad in [
            "",
            "not a url",
            "ftp://127.0.0.1",
            "http://127.0.0.1/?x=1",
            "mailto:a@b",
        ] {
            let e = client(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config, "{bad}");
        }
    }

    #[test]
    fn tokens_are_url_encoded_in_the_query() {
        let c = client("http://127.0.0.1:9").unwrap();
        let mut url = c.inner.url(Api::GetInfo);
        url.query_pairs_mut()
            .append_pair("access_token", "a+b/c=d&e f");
        assert_eq!(url.query(), Some("access_token=a%2Bb%2Fc%3Dd%26e+f"));
    }

    #[test]
    fn debug_shows_no_secret() {
        let c = client("http://127.0.0.1:9").unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret-xyz"), "{shown}");
        assert!(shown.contains("ww1"));
    }
}
