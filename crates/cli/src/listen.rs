//! `roster listen`: the receiver of the vendors' push events (docs/specs/webhooks.md). One
//! route per configured subscription: `/tencent-meeting/default` and `/wecom/default`.
//!
//! - `GET` is the vendor's URL check (and Tencent's heartbeat): verified, decrypted, answered
//!   with the exact plaintext at once.
//! - `POST` is an event: verified and decoded, then written to the store with its joins and
//!   leaves in one transaction, and only then acknowledged (Tencent: HTTP 200 and the exact
//!   body `successfully received callback`; WeCom: HTTP 200). A receiver killed after the
//!   acknowledgement loses nothing; before it, the vendor delivers again, and a redelivery
//!   (Tencent `trace_id`, WeCom's event key) changes nothing.
//! - A bad request gets its status and no detail: 401 for a missing or wrong signature, 400
//!   for a body that does not decode, 413 over 1 MiB, 415 for a Tencent body that is not
//!   JSON, 404 for an unknown route, 503 when the store cannot write (the vendor retries).
//!   Each rejection is counted and logged by kind only: never the token, the key or the body.
//!
//! Plain HTTP: the vendors require HTTPS, so run it behind a reverse proxy that terminates TLS.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use percent_encoding::percent_decode_str;
use roster_core::Vendor;
use roster_core::webhook::{WebhookError, WebhookErrorKind};
use roster_store::{PushRecord, Store};
use roster_tencent_meeting::events::{ACKNOWLEDGEMENT, WebhookConfig};
use roster_wecom::callback::{CallbackConfig, CallbackEvent};

use crate::error::CliError;

/// The largest body read.
pub const MAX_BODY: usize = 1 << 20;

/// Tencent Meeting's subscription Token (25 letters or digits).
pub const ENV_TENCENT_TOKEN: &str = "ROSTER_TENCENT_WEBHOOK_TOKEN";
/// Tencent Meeting's EncodingAESKey (only when the subscription encrypts).
pub const ENV_TENCENT_AES_KEY: &str = "ROSTER_TENCENT_WEBHOOK_AES_KEY";
/// WeCom's callback Token.
pub const ENV_WECOM_TOKEN: &str = "ROSTER_WECOM_CALLBACK_TOKEN";
/// WeCom's callback EncodingAESKey.
pub const ENV_WECOM_AES_KEY: &str = "ROSTER_WECOM_CALLBACK_AES_KEY";

/// Every setting `roster listen` reads (also accepted in a `roster.toml` profile: the
/// `tencent` section's `webhook_token`, `webhook_aes_key`; the `wecom` section's
/// `callback_token`, `callback_aes_key`, with its `corp_id`).
pub const SETTINGS: [&str; 4] = [
    ENV_TENCENT_TOKEN,
    ENV_TENCENT_AES_KEY,
    ENV_WECOM_TOKEN,
    ENV_WECOM_AES_KEY,
];

/// The subscriptions this receiver serves.
#[derive(Debug, Default)]
pub struct Subscriptions {
    /// Tencent Meeting's, if configured.
    pub tencent: Option<WebhookConfig>,
    /// WeCom's, if configured.
    pub wecom: Option<CallbackConfig>,
}

impl Subscriptions {
    /// From `lookup` (flags, environment, profile): Tencent's token (and key), WeCom's token, key and
    /// corp id. At least one vendor must be configured; a bad key is a configuration error.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, CliError> {
        let bad = |what: &str, e: WebhookError| CliError::Config(format!("{what}: {e}"));
        let tencent = match lookup(ENV_TENCENT_TOKEN) {
            Some(token) => Some(
                WebhookConfig::new(token, lookup(ENV_TENCENT_AES_KEY).as_deref())
                    .map_err(|e| bad(ENV_TENCENT_AES_KEY, e))?,
            ),
            None => None,
        };
        let wecom = match lookup(ENV_WECOM_TOKEN) {
            Some(token) => {
                let key = lookup(ENV_WECOM_AES_KEY).ok_or_else(|| {
                    CliError::Config(format!(
                        "{ENV_WECOM_TOKEN} is set: set {ENV_WECOM_AES_KEY} too"
                    ))
                })?;
                let corp = lookup(roster_wecom::config::ENV_CORP_ID).ok_or_else(|| {
                    CliError::Config(format!(
                        "WeCom callbacks are checked against the CorpID: set {}",
                        roster_wecom::config::ENV_CORP_ID
                    ))
                })?;
                Some(
                    CallbackConfig::new(token, &key, corp)
                        .map_err(|e| bad(ENV_WECOM_AES_KEY, e))?,
                )
            }
            None => None,
        };
        if tencent.is_none() && wecom.is_none() {
            return Err(CliError::Config(format!(
                "no subscription to serve: set {ENV_TENCENT_TOKEN} (Tencent Meeting) or {ENV_WECOM_TOKEN} (WeCom)"
            )));
        }
        Ok(Self { tencent, wecom })
    }
}

struct Receiver {
    subscriptions: Subscriptions,
    store: Box<dyn Store>,
    accepted: AtomicU64,
    rejected: AtomicU64,
}

/// The routes of `subscriptions`, writing into `store`.
pub fn router(subscriptions: Subscriptions, store: Box<dyn Store>) -> Router {
    let state = Arc::new(Receiver {
        subscriptions,
        store,
        accepted: AtomicU64::new(0),
        rejected: AtomicU64::new(0),
    });
    Router::new()
        .route(
            "/tencent-meeting/default",
            get(tencent_get).post(tencent_post),
        )
        .route("/wecom/default", get(wecom_get).post(wecom_post))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Serves until the process ends; prints the address first (`listening on http://…`).
pub async fn run(
    addr: SocketAddr,
    subscriptions: Subscriptions,
    store: Box<dyn Store>,
) -> Result<(), CliError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::Io(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| CliError::Io(format!("cannot listen on {addr}: {e}")))?;
    let routes: Vec<&str> = [
        subscriptions
            .tencent
            .as_ref()
            .map(|_| "/tencent-meeting/default"),
        subscriptions.wecom.as_ref().map(|_| "/wecom/default"),
    ]
    .into_iter()
    .flatten()
    .collect();
    eprintln!(
        "roster listen: listening on http://{local} ({})",
        routes.join(", ")
    );
    axum::serve(listener, router(subscriptions, store))
        .await
        .map_err(|e| CliError::Io(format!("the receiver stopped: {e}")))
}

/// The query's parameters, percent-decoded without turning `+` into a space (a base64
/// `check_str` or `echostr` keeps its `+`).
fn query_param(query: &Option<String>, name: &str) -> Option<String> {
    query.as_deref()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| percent_decode_str(v).decode_utf8_lossy().into_owned())
    })
}

fn header_value<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

impl Receiver {
    fn reject(&self, vendor: Vendor, status: StatusCode, why: &str) -> Response {
        let n = self.rejected.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::warn!(%vendor, status = status.as_u16(), rejected_so_far = n, "push rejected: {why}");
        status.into_response()
    }

    fn rejected_check(&self, vendor: Vendor, e: &WebhookError) -> Response {
        let status = match e.kind() {
            WebhookErrorKind::Signature => StatusCode::UNAUTHORIZED,
            _ => StatusCode::BAD_REQUEST,
        };
        self.reject(vendor, status, &e.to_string())
    }

    /// Writes the delivery durably; the answer to give once it is written.
    async fn store(&self, push: PushRecord<'_>, ack: &'static str) -> Response {
        match self.store.record_push(&push).await {
            Ok(new) => {
                self.accepted.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(vendor = %push.vendor, new, changes = push.changes.len(), "push stored");
                (StatusCode::OK, ack).into_response()
            }
            Err(e) => {
                tracing::error!(vendor = %push.vendor, "push not stored (the vendor will retry): {e}");
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            }
        }
    }
}

fn now_us() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000).unwrap_or(0)
}

async fn tencent_get(
    State(st): State<Arc<Receiver>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some(config) = &st.subscriptions.tencent else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let check = query_param(&q, "check_str").unwrap_or_default();
    match config.verify_url(
        header_value(&headers, "timestamp"),
        header_value(&headers, "nonce"),
        header_value(&headers, "signature"),
        &check,
    ) {
        Ok(plain) => (StatusCode::OK, plain).into_response(),
        Err(e) => st.rejected_check(Vendor::TencentMeeting, &e),
    }
}

async fn tencent_post(
    State(st): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(config) = &st.subscriptions.tencent else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let json = header_value(&headers, header::CONTENT_TYPE.as_str())
        .to_ascii_lowercase()
        .starts_with("application/json");
    if !json {
        return st.reject(
            Vendor::TencentMeeting,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not JSON",
        );
    }
    let event = match config.open_event(
        header_value(&headers, "timestamp"),
        header_value(&headers, "nonce"),
        header_value(&headers, "signature"),
        &body,
    ) {
        Ok(event) => event,
        Err(e) => return st.rejected_check(Vendor::TencentMeeting, &e),
    };
    let text = serde_json::Value::Object(event.raw.clone()).to_string();
    // An event without a trace id is known by its content.
    let delivery = event
        .delivery_id
        .clone()
        .unwrap_or_else(|| roster_core::webhook::signature(&[&text]));
    let changes = event.presence();
    st.store(
        PushRecord {
            vendor: Vendor::TencentMeeting,
            app: "default",
            delivery: &delivery,
            received_us: now_us(),
            body: &text,
            changes: &changes,
        },
        ACKNOWLEDGEMENT,
    )
    .await
}

async fn wecom_get(State(st): State<Arc<Receiver>>, RawQuery(q): RawQuery) -> Response {
    let Some(config) = &st.subscriptions.wecom else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let p = |name| query_param(&q, name).unwrap_or_default();
    match config.verify_url(
        &p("msg_signature"),
        &p("timestamp"),
        &p("nonce"),
        &p("echostr"),
    ) {
        Ok(plain) => (StatusCode::OK, plain).into_response(),
        Err(e) => st.rejected_check(Vendor::WeCom, &e),
    }
}

async fn wecom_post(
    State(st): State<Arc<Receiver>>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let Some(config) = &st.subscriptions.wecom else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let p = |name| query_param(&q, name).unwrap_or_default();
    let Ok(body) = std::str::from_utf8(&body) else {
        return st.reject(Vendor::WeCom, StatusCode::BAD_REQUEST, "not UTF-8");
    };
    let xml = match config.open_event(&p("msg_signature"), &p("timestamp"), &p("nonce"), body) {
        Ok(xml) => xml,
        Err(e) => return st.rejected_check(Vendor::WeCom, &e),
    };
    let event = match CallbackEvent::parse(&xml) {
        Ok(event) => event,
        Err(e) => return st.rejected_check(Vendor::WeCom, &e),
    };
    let delivery = event.dedup_key();
    let changes: Vec<_> = event.presence().into_iter().collect();
    st.store(
        PushRecord {
            vendor: Vendor::WeCom,
            app: "default",
            delivery: &delivery,
            received_us: now_us(),
            body: &xml,
            changes: &changes,
        },
        "",
    )
    .await
}
