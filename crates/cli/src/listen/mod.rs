//! `roster listen`: the receiver of the vendors' push events (docs/specs/webhooks.md). One
//! route per vendor and subscription ("app"): `/tencent-meeting/{app}` and `/wecom/{app}`;
//! the app is `default`, or the name of each `--profile` given.
//!
//! - `GET` is the vendor's URL check (and Tencent's heartbeat): verified, decrypted, answered
//!   with the exact plaintext at once.
//! - `POST` is an event: verified and decoded, then written to the store with its joins and
//!   leaves ([`writer`]: a bounded queue, whatever is waiting written in one transaction),
//!   and only then acknowledged (Tencent: HTTP 200 and the exact body `successfully received
//!   callback`; WeCom: HTTP 200). A receiver killed after the acknowledgement loses nothing;
//!   before it, the vendor delivers again, and a redelivery (Tencent `trace_id`, WeCom's
//!   event key: kept for good, so an old delivery replayed changes nothing either) is
//!   acknowledged and changes nothing.
//! - After the acknowledgements, on its own task ([`reconcile`]): when a meeting ends (the
//!   vendor's end event, or no push for the quiet period) its attendee list is pulled and
//!   written, and the store tells which sessions were seen live, late or only in the pull.
//! - A bad request gets its status and no detail: 401 for a missing or wrong signature, 400
//!   for a body that does not decode, 413 over 1 MiB, 415 for a Tencent body that is not
//!   JSON, 404 for an unknown route or app, 408 for a body that takes over 10 s, 503 when the
//!   store cannot write or the receiver is full — at once for Tencent, which retries any
//!   answer but its acknowledgement, and only after 6 s for WeCom, which retries only a
//!   callback left unanswered for 5 s. Each refusal is counted (`GET /_roster/stats`) and
//!   logged by kind only: never the token, the key or the body.
//!
//! The vendors require HTTPS: run it behind a reverse proxy that terminates TLS (the
//! documented deployment), or give it a certificate and key ([`tls`]).

pub mod reconcile;
pub mod tls;
pub mod writer;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use percent_encoding::percent_decode_str;
use roster_core::Vendor;
use roster_core::webhook::{WebhookError, WebhookErrorKind};
use roster_store::Store;
use roster_tencent_meeting::events::{ACKNOWLEDGEMENT, EventName, WebhookConfig, WebhookEvent};
use roster_wecom::callback::{CallbackConfig, CallbackEvent, ChangeType};
use tokio::sync::{Notify, Semaphore};

use crate::error::CliError;
use writer::{Delivery, MeetingOfPush, NotStored, Writer};

/// The largest body read (enforced, with the time a body may take, where each request
/// enters: [`BODY_TIMEOUT`]).
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

/// The name of the subscription configured without `--profile`.
pub const DEFAULT_APP: &str = "default";

/// Microseconds since the epoch, now (injected, so that tests choose the time).
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000).unwrap_or(0)
    })
}

/// One subscription ("app"): its vendors' tokens and keys, served under its name.
#[derive(Debug)]
pub struct App {
    /// Its name, the last part of its routes.
    pub name: String,
    /// Tencent Meeting's, if configured.
    pub tencent: Option<WebhookConfig>,
    /// WeCom's, if configured.
    pub wecom: Option<CallbackConfig>,
}

impl App {
    /// The app `name` from `lookup` (flags, environment, profile): Tencent's token (and
    /// key), WeCom's token, key and corp id. At least one vendor must be configured; a bad
    /// key is a configuration error.
    pub fn from_lookup(
        name: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, CliError> {
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
                "no subscription to serve{}: set {ENV_TENCENT_TOKEN} (Tencent Meeting) or {ENV_WECOM_TOKEN} (WeCom)",
                if name == DEFAULT_APP {
                    String::new()
                } else {
                    format!(" in profile {name:?}")
                }
            )));
        }
        Ok(Self {
            name: name.to_string(),
            tencent,
            wecom,
        })
    }

    /// Its routes.
    pub fn routes(&self) -> Vec<String> {
        [
            self.tencent
                .as_ref()
                .map(|_| format!("/tencent-meeting/{}", self.name)),
            self.wecom.as_ref().map(|_| format!("/wecom/{}", self.name)),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The vendors it subscribes.
    pub fn vendors(&self) -> Vec<Vendor> {
        [
            self.tencent.as_ref().map(|_| Vendor::TencentMeeting),
            self.wecom.as_ref().map(|_| Vendor::WeCom),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// How the receiver runs.
#[derive(Clone)]
pub struct Options {
    /// Deliveries waiting for the store at most (beyond: 503, the vendor retries).
    pub queue: usize,
    /// Deliveries written in one transaction at most.
    pub batch: usize,
    /// How long a transaction waits for more deliveries after its first one.
    pub linger: Duration,
    /// Requests handled at once at most (beyond: 503 before the body is read).
    pub in_flight: usize,
    /// The clock.
    pub clock: Clock,
    /// Serve HTTPS with this configuration (else plain HTTP).
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            queue: 4096,
            batch: 512,
            linger: Duration::from_millis(5),
            in_flight: 1024,
            clock: system_clock(),
            tls: None,
        }
    }
}

/// What the receiver has done so far (`GET /_roster/stats`).
#[derive(Debug, Default)]
struct Counters {
    accepted: AtomicU64,
    duplicates: AtomicU64,
    rejected: AtomicU64,
    busy: AtomicU64,
    unstored: AtomicU64,
}

struct Receiver {
    apps: HashMap<String, App>,
    writer: Writer,
    counters: Counters,
    clock: Clock,
    in_flight: Semaphore,
}

/// The routes of `apps`, writing through `writer`.
pub fn router(apps: Vec<App>, writer: Writer, options: &Options) -> Router {
    let state = Arc::new(Receiver {
        apps: apps.into_iter().map(|a| (a.name.clone(), a)).collect(),
        writer,
        counters: Counters::default(),
        clock: options.clock.clone(),
        in_flight: Semaphore::new(options.in_flight.max(1)),
    });
    Router::new()
        .route(
            "/tencent-meeting/{app}",
            get(tencent_get).post(tencent_post),
        )
        .route("/wecom/{app}", get(wecom_get).post(wecom_post))
        .route("/_roster/stats", get(stats))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_in_flight,
        ))
        .with_state(state)
}

/// Bounds what the receiver holds: at most `in_flight` requests at once, and each body read
/// within [`BODY_TIMEOUT`] (a slow upload cannot hold a slot). Beyond the limit a request is
/// refused with 503: at once for Tencent (which retries anything but its acknowledgement),
/// after [`WECOM_RETRY_WAIT`] for WeCom (which retries only when its 5 s pass unanswered).
async fn limit_in_flight(
    State(st): State<Arc<Receiver>>,
    request: Request,
    next: Next,
) -> Response {
    let vendor = vendor_of_path(request.uri().path());
    let permit = match st.in_flight.try_acquire() {
        Ok(permit) => Some(permit),
        Err(_) if vendor == Some(Vendor::WeCom) => {
            tokio::time::timeout(WECOM_RETRY_WAIT, st.in_flight.acquire())
                .await
                .ok()
                .and_then(Result::ok)
        }
        Err(_) => None,
    };
    let Some(_permit) = permit else {
        st.counters.busy.fetch_add(1, Ordering::Relaxed);
        tracing::warn!("request refused: the receiver is full");
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let (parts, body) = request.into_parts();
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY)).await
    {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            return st.reject(
                vendor.unwrap_or(Vendor::TencentMeeting),
                StatusCode::PAYLOAD_TOO_LARGE,
                "body over the limit or cut off",
            );
        }
        Err(_) => {
            return st.reject(
                vendor.unwrap_or(Vendor::TencentMeeting),
                StatusCode::REQUEST_TIMEOUT,
                "body not received in time",
            );
        }
    };
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// The vendor a route serves.
fn vendor_of_path(path: &str) -> Option<Vendor> {
    if path.starts_with("/wecom/") {
        Some(Vendor::WeCom)
    } else if path.starts_with("/tencent-meeting/") {
        Some(Vendor::TencentMeeting)
    } else {
        None
    }
}

/// How long a request body may take to arrive.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a WeCom callback that cannot be stored now waits before its 503: longer than
/// WeCom's 5 s, so that WeCom counts it a timeout and delivers again (it does not retry an
/// answer it got in time, whatever its status).
pub const WECOM_RETRY_WAIT: Duration = Duration::from_secs(6);

/// How long a WeCom callback waits for room in a full queue.
pub const WECOM_QUEUE_WAIT: Duration = Duration::from_secs(4);

async fn stats(State(st): State<Arc<Receiver>>) -> Response {
    let c = &st.counters;
    axum::Json(serde_json::json!({
        "accepted": c.accepted.load(Ordering::Relaxed),
        "duplicates": c.duplicates.load(Ordering::Relaxed),
        "rejected": c.rejected.load(Ordering::Relaxed),
        "busy": c.busy.load(Ordering::Relaxed),
        "unstored": c.unstored.load(Ordering::Relaxed),
    }))
    .into_response()
}

/// Serves until the process ends; prints the address first (`listening on http://…`). The
/// reconciler runs beside it when given (a meeting is due `quiet` after its last push).
pub async fn run(
    addr: SocketAddr,
    apps: Vec<App>,
    store: Arc<dyn Store>,
    reconciler: Option<reconcile::Reconciler>,
    options: Options,
) -> Result<(), CliError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::Io(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| CliError::Io(format!("cannot listen on {addr}: {e}")))?;
    let routes: Vec<String> = apps.iter().flat_map(App::routes).collect();
    let ended = Arc::new(Notify::new());
    let writer = Writer::spawn(
        store,
        options.queue,
        options.batch,
        options.linger,
        ended.clone(),
    );
    if let Some(reconciler) = reconciler {
        tokio::spawn(reconciler.run_forever(ended, RECONCILE_TICK));
    }
    let scheme = if options.tls.is_some() {
        "https"
    } else {
        "http"
    };
    eprintln!(
        "roster listen: listening on {scheme}://{local} ({})",
        routes.join(", ")
    );
    let stopped = |e: std::io::Error| CliError::Io(format!("the receiver stopped: {e}"));
    let app = router(apps, writer, &options);
    match options.tls {
        Some(config) => {
            let listener = tls::TlsListener::new(listener, config)
                .map_err(|e| CliError::Io(format!("cannot listen on {addr}: {e}")))?;
            axum::serve(listener, app).await.map_err(stopped)
        }
        None => axum::serve(listener, app).await.map_err(stopped),
    }
}

/// How often the reconciler looks for quiet meetings and retries.
pub const RECONCILE_TICK: Duration = Duration::from_secs(5);

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
        let n = self.counters.rejected.fetch_add(1, Ordering::Relaxed) + 1;
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

    /// The app `name`'s subscription of one vendor (`pick`), with the app's name.
    fn subscription<'a, T>(
        &'a self,
        name: &str,
        pick: impl Fn(&'a App) -> Option<&'a T>,
    ) -> Option<(&'a String, &'a T)> {
        let (name, app) = self.apps.get_key_value(name)?;
        Some((name, pick(app)?))
    }

    /// Writes the delivery durably; the answer to give once it is written. One that cannot be
    /// written now gets 503, when the vendor will deliver it again: at once for Tencent, after
    /// [`WECOM_RETRY_WAIT`] for WeCom.
    async fn store(&self, delivery: Delivery, ack: &'static str) -> Response {
        let vendor = delivery.vendor;
        let changes = delivery.changes.len();
        let wait = (vendor == Vendor::WeCom).then_some(WECOM_QUEUE_WAIT);
        let started = tokio::time::Instant::now();
        match self.writer.store(delivery, wait).await {
            Ok(new) => {
                let counter = if new {
                    &self.counters.accepted
                } else {
                    &self.counters.duplicates
                };
                counter.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(%vendor, new, changes, "push stored");
                (StatusCode::OK, ack).into_response()
            }
            Err(why) => {
                let counter = match why {
                    NotStored::Busy => &self.counters.busy,
                    NotStored::Store(_) => &self.counters.unstored,
                };
                counter.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(%vendor, "push not stored now (the vendor will deliver it again)");
                if vendor == Vendor::WeCom {
                    tokio::time::sleep_until(started + WECOM_RETRY_WAIT).await;
                }
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            }
        }
    }
}

async fn tencent_get(
    State(st): State<Arc<Receiver>>,
    Path(app): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some((_, config)) = st.subscription(&app, |a| a.tencent.as_ref()) else {
        return st.reject(Vendor::TencentMeeting, StatusCode::NOT_FOUND, "unknown app");
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

/// The meetings a Tencent attendance, start or end event is about, one per meeting its
/// items name (other events name none; breakout rooms, `meeting_id_type` 1, are part of their
/// main meeting and get no reconciliation of their own).
fn tencent_meetings(event: &WebhookEvent) -> Vec<MeetingOfPush> {
    let ended = match event.name {
        EventName::MeetingEnd => true,
        EventName::ParticipantJoined | EventName::ParticipantLeft | EventName::MeetingStarted => {
            false
        }
        _ => return Vec::new(),
    };
    let mut meetings: Vec<MeetingOfPush> = Vec::new();
    for item in &event.payload {
        let Some(id) = item.meeting_id.as_deref().filter(|id| !id.is_empty()) else {
            continue;
        };
        if item.meeting_id_type == Some(1) || meetings.iter().any(|m| m.meeting_id == id) {
            continue;
        }
        let info = item.raw.get("meeting_info");
        let field = |name| info.and_then(|i| i.get(name));
        let seconds = |name| {
            field(name).and_then(|v| {
                v.as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            })
        };
        meetings.push(MeetingOfPush {
            meeting_id: id.to_string(),
            subject: field("subject")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string),
            start_unix: seconds("start_time"),
            end_unix: seconds("end_time"),
            ended,
        });
    }
    meetings
}

async fn tencent_post(
    State(st): State<Arc<Receiver>>,
    Path(app): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((name, config)) = st.subscription(&app, |a| a.tencent.as_ref()) else {
        return st.reject(Vendor::TencentMeeting, StatusCode::NOT_FOUND, "unknown app");
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
    let received_us = (st.clock)();
    let text = serde_json::Value::Object(event.raw.clone()).to_string();
    // An event without a trace id is known by its content.
    let delivery = event
        .delivery_id
        .clone()
        .unwrap_or_else(|| roster_core::webhook::signature(&[&text]));
    let delivery = Delivery {
        vendor: Vendor::TencentMeeting,
        app: Arc::from(name.as_str()),
        delivery,
        received_us,
        changes: event.presence(),
        meetings: tencent_meetings(&event),
        body: text,
    };
    st.store(delivery, ACKNOWLEDGEMENT).await
}

async fn wecom_get(
    State(st): State<Arc<Receiver>>,
    Path(app): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let Some((_, config)) = st.subscription(&app, |a| a.wecom.as_ref()) else {
        return st.reject(Vendor::WeCom, StatusCode::NOT_FOUND, "unknown app");
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

/// The meeting a WeCom attendance, start or end callback is about (other changes name none).
fn wecom_meeting(event: &CallbackEvent) -> Option<MeetingOfPush> {
    let ended = match event.change_type.as_ref()? {
        ChangeType::MeetingEnd => true,
        ChangeType::JoinMeeting | ChangeType::QuitMeeting | ChangeType::MeetingStart => false,
        _ => return None,
    };
    Some(MeetingOfPush {
        meeting_id: event.meeting_id.clone()?,
        ended,
        ..MeetingOfPush::default()
    })
}

async fn wecom_post(
    State(st): State<Arc<Receiver>>,
    Path(app): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let Some((name, config)) = st.subscription(&app, |a| a.wecom.as_ref()) else {
        return st.reject(Vendor::WeCom, StatusCode::NOT_FOUND, "unknown app");
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
    let delivery = Delivery {
        vendor: Vendor::WeCom,
        app: Arc::from(name.as_str()),
        delivery: event.dedup_key(),
        received_us: (st.clock)(),
        changes: event.presence().into_iter().collect(),
        meetings: wecom_meeting(&event).into_iter().collect(),
        body: xml,
    };
    st.store(delivery, "").await
}
