//! The call pipeline: every vendor call runs through [`Pipeline::call`].
//!
//! A vendor crate supplies a [`Protocol`]: how to build the request of one attempt (signed
//! afresh, with a new nonce and timestamp, or carrying the token the pipeline took from its
//! [`TokenCache`]) and how to read an answer into its payload or a classified error (the
//! vendor's envelope and code table, with its code, message and request id kept). The pipeline
//! owns the rest, once for every vendor:
//!
//! 1. the retry loop ([`Retrier`] with the pure [`crate::RetryPolicy::decide`]);
//! 2. the token of each attempt, from the cache (lazy, single-flight, refreshed ahead of
//!    expiry);
//! 3. pacing: one permit per attempt, taken after the token (a token fetch is a call of its
//!    own) and before the request is built, so that a signature's timestamp is taken after any
//!    wait;
//! 4. sending through [`HttpClient`] (its tracing span, timeouts, URL-free transport errors),
//!    the body read whole or, with [`Pipeline::call_streamed`], decoded as it arrives;
//! 5. on a rejected credential ([`RetryClass::RefreshAuth`]), compare-and-invalidate of the
//!    token that attempt carried, so that the next attempt fetches a new one (as many times per
//!    call as the policy's `max_auth_refreshes` allows; then the rejection is final).

use std::future::Future;

use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result, RetryClass};
use crate::http::{HttpClient, JsonReply, RawResponse};
use crate::pace::{Pacer, PacerPermit};
use crate::retry::{Attempt, Retrier};
use crate::token::{AccessToken, TokenCache};
use crate::vendor::Vendor;

/// A vendor's side of its calls: authorize one attempt. (How an answer is read is given with
/// each call, since it depends on the payload type: see [`Pipeline::call`].)
pub trait Protocol: Send + Sync {
    /// One request: what stays the same across its attempts (endpoint, path, query, body).
    type Call: Send + Sync + ?Sized;

    /// The vendor, for traces and errors.
    fn vendor(&self) -> Vendor;

    /// The endpoint name of `call` in traces (never a URL, never a secret).
    fn endpoint(&self, call: &Self::Call) -> &'static str;

    /// The pacer `call` waits on.
    fn pacer(&self, call: &Self::Call) -> &Pacer;

    /// The setting that gives the base URL `call` goes to (`ROSTER_QUANSHI_EVENTS_BASE_URL`),
    /// named in a transport error or timeout beside the host, so that a user knows what to
    /// change (default: none).
    fn setting(&self, call: &Self::Call) -> Option<&'static str> {
        let _ = call;
        None
    }

    /// Whether `call` carries a token from the pipeline's [`TokenCache`] (default: no, the
    /// protocol signs its requests).
    fn needs_token(&self, call: &Self::Call) -> bool {
        let _ = call;
        false
    }

    /// A configured token that is used as it is, never fetched nor refreshed (default none).
    fn fixed_token(&self) -> Option<&AccessToken> {
        None
    }

    /// Fetches a new token; the cache calls it, for one caller at a time. Its errors reach the
    /// call as they are (a transient one is retried with the call, a configuration one is
    /// remembered by the cache and never repeated).
    fn fetch_token(&self) -> impl Future<Output = Result<AccessToken>> + Send {
        std::future::ready(Err(Error::config(
            "this vendor's calls take no token from the cache",
        )))
    }

    /// The request of one attempt, authorized: signed afresh, or carrying `token`.
    fn request(
        &self,
        call: &Self::Call,
        attempt: Attempt,
        token: Option<&AccessToken>,
    ) -> impl Future<Output = Result<reqwest::RequestBuilder>> + Send;
}

/// The shared half of every call: HTTP client, retry executor and (for token vendors) the
/// token cache. See the [module docs](self).
#[derive(Debug)]
pub struct Pipeline {
    http: HttpClient,
    retrier: Retrier,
    tokens: Option<TokenCache>,
}

impl Pipeline {
    /// A pipeline for signing vendors (no token cache).
    pub fn new(http: HttpClient, retrier: Retrier) -> Self {
        Self {
            http,
            retrier,
            tokens: None,
        }
    }

    /// Adds the token cache that calls with [`Protocol::needs_token`] take their token from.
    pub fn with_tokens(mut self, tokens: TokenCache) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// The HTTP client.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The retry executor.
    pub fn retrier(&self) -> &Retrier {
        &self.retrier
    }

    /// The token cache, if the vendor uses tokens.
    pub fn tokens(&self) -> Option<&TokenCache> {
        self.tokens.as_ref()
    }

    /// A fresh token: the protocol's fixed one, the cached one, or one from
    /// [`Protocol::fetch_token`].
    pub async fn token<P: Protocol>(&self, protocol: &P) -> Result<AccessToken> {
        if let Some(fixed) = protocol.fixed_token() {
            return Ok(fixed.clone());
        }
        let Some(tokens) = &self.tokens else {
            return Err(Error::config("this client has no token cache"));
        };
        tokens.token(|| protocol.fetch_token()).await
    }

    /// Runs `call` to its payload or its final error (see the [module docs](self)): each
    /// attempt's answer is read whole and given to `read` with the token the attempt carried
    /// (anything `read` keeps from the answer in an error must have it removed). `read` turns
    /// it into the payload or the error it means, classified by the vendor's code and keeping
    /// the vendor's code, message and request id.
    pub async fn call<P, T>(
        &self,
        protocol: &P,
        call: &P::Call,
        read: impl Fn(RawResponse, Option<&AccessToken>) -> Result<T> + Send + Sync,
    ) -> Result<T>
    where
        P: Protocol,
    {
        let read = &read;
        self.retrier
            .run(|attempt| async move {
                let (token, permit, request) = self.prepare(protocol, call, attempt).await?;
                let response = self
                    .http
                    .send(
                        protocol.vendor(),
                        protocol.endpoint(call),
                        attempt.number,
                        request,
                    )
                    .await;
                drop(permit);
                let outcome = response
                    .map_err(|e| name_setting(e, protocol, call))
                    .and_then(|r| read(r, token.as_ref()));
                self.after(outcome, token.as_ref(), protocol.endpoint(call))
                    .await
            })
            .await
    }

    /// [`Pipeline::call`] for large single answers: a 2xx JSON body is decoded as `T` as it
    /// arrives and never held whole; `read` gets the decoded value, any other status read
    /// whole, or the failure (a decode error's snippet has the token removed already).
    pub async fn call_streamed<P, T, U>(
        &self,
        protocol: &P,
        call: &P::Call,
        read: impl Fn(Result<JsonReply<T>>, Option<&AccessToken>) -> Result<U> + Send + Sync,
    ) -> Result<U>
    where
        P: Protocol,
        T: DeserializeOwned + Send + 'static,
    {
        let read = &read;
        self.retrier
            .run(|attempt| async move {
                let (token, permit, request) = self.prepare(protocol, call, attempt).await?;
                let secret = token.as_ref().map(|t| t.secret().expose_secret());
                let reply = self
                    .http
                    .send_json::<T>(
                        protocol.vendor(),
                        protocol.endpoint(call),
                        attempt.number,
                        request,
                        secret,
                    )
                    .await;
                drop(permit);
                let reply = reply.map_err(|e| name_setting(e, protocol, call));
                let outcome = read(reply, token.as_ref());
                self.after(outcome, token.as_ref(), protocol.endpoint(call))
                    .await
            })
            .await
    }

    /// The token, the pacing permit and the authorized request of one attempt.
    async fn prepare<P: Protocol>(
        &self,
        protocol: &P,
        call: &P::Call,
        attempt: Attempt,
    ) -> Result<(Option<AccessToken>, PacerPermit, reqwest::RequestBuilder)> {
        let token = if protocol.needs_token(call) {
            Some(self.token(protocol).await?)
        } else {
            None
        };
        let permit = protocol.pacer(call).acquire().await?;
        let request = protocol.request(call, attempt, token.as_ref()).await?;
        self.retrier.stats().count_call();
        Ok((token, permit, request))
    }

    /// After an attempt: a rejected credential is dropped from the cache (only if it is still
    /// the cached one: a token another caller just fetched stays).
    async fn after<T>(
        &self,
        outcome: Result<T>,
        token: Option<&AccessToken>,
        endpoint: &'static str,
    ) -> Result<T> {
        if let (Err(error), Some(token), Some(tokens)) = (&outcome, token, &self.tokens)
            && error.class() == RetryClass::RefreshAuth
        {
            tokens.invalidate(token).await?;
            tracing::debug!(
                endpoint,
                code = error.vendor_code(),
                "credential rejected; the next attempt takes a new token"
            );
        }
        outcome
    }
}

/// A transport failure or timeout, with the setting of the base URL it tried appended
/// ("cannot connect to events-openapi.quanshi.com: … (ROSTER_QUANSHI_EVENTS_BASE_URL)").
fn name_setting<P: Protocol>(error: Error, protocol: &P, call: &P::Call) -> Error {
    match protocol.setting(call) {
        Some(setting)
            if matches!(
                error.kind(),
                crate::ErrorKind::Transport | crate::ErrorKind::Timeout
            ) && error.api_details().is_none() =>
        {
            error.with_context(setting)
        }
        _ => error,
    }
}
