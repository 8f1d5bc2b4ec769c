//! Shared helpers for the cross-crate reliability suite in `tests/tests/` (one file per
//! subject: faults, token revocation, signature replay, hostile input, decoders, secrets,
//! timeouts, malformed pages).
//!
//! Every test runs the real clients against an in-process [`roster_sandbox`] on loopback:
//!
//! - [`sandbox_config`] / [`start`]: a lean sandbox on a frozen manual clock (so live meetings
//!   and rate-limit minutes do not move under a test), with Tencent limits no test reaches by
//!   accident and stalls that outlast the clients' short [`REQUEST_TIMEOUT`];
//! - [`ClientOptions`] and [`wecom`], [`tencent`], [`quanshi`], [`source`]: fast clients (no
//!   pacing, millisecond backoff, [`FastClock`]; a generous request timeout, or the short one
//!   where a test stalls answers) pointed at a sandbox or at a [`WireTap`] in front of it;
//! - [`SessionKey`], [`RegistrationKey`] and [`assert_same_records`]: per-record identities of
//!   client records and of the sandbox's ground-truth rows, compared as multisets;
//! - [`WireTap`]: a recording TCP proxy, to see every byte a client sent and received (tokens,
//!   signatures and checksums included) without trusting the client to report them;
//! - [`TraceCapture`] and [`quiet_runtime`]: TRACE-level capture of the client's tracing output,
//!   with the sandbox's own threads kept out of it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::StreamExt;
pub use roster_core::ClientBuilder;
use roster_core::{
    Attendee, AttendeeSource, Error, HttpConfig, Pacer, RecordStream, Registration, RetryPolicy,
    SharedClock,
};
use roster_quanshi::{ErrorMap, QuanshiClient, QuanshiClientBuilder};
use roster_sandbox::{ClockConfig, Fault, FaultKind, SandboxConfig, SandboxHandle, Vendor};
use roster_tencent_meeting::{Credentials, TencentMeetingClient, TencentMeetingClientBuilder};
use roster_wecom::{WeComClient, WeComClientBuilder};
use serde_json::Value;
use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// The set-up every crate's tests share, written once.
pub use roster_testkit::{FastClock, MAX_SLEEP, fast_policy, lean_config, meeting, start};

/// The clients' request timeout in tests that stall answers on purpose (whole request, body
/// included): [`ClientOptions::short_timeout`].
pub const REQUEST_TIMEOUT: Duration = Duration::from_millis(400);

/// The request timeout otherwise: long enough never to fire on a loaded machine, so that
/// tests counting requests are not disturbed by an accidental retry.
pub const GENEROUS_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a sandbox [`Fault::Stall`] lasts: well past [`REQUEST_TIMEOUT`].
pub const STALL: Duration = Duration::from_millis(1_500);

/// Delay of a random [`FaultKind::Latency`] fault (short of the timeout: a slow answer, not a
/// stall).
pub const FAULT_LATENCY: Duration = Duration::from_millis(20);

/// The current Unix time in seconds.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

// ---------------------------------------------------------------------------------------------
// Sandbox
// ---------------------------------------------------------------------------------------------

/// A lean sandbox configuration for `seed`: the seed meetings plus two small generated ones,
/// no large meeting, a manual clock frozen at the current time (signatures, tokens and
/// `attendee/list` windows agree with the clients' real clock and never move during a test),
/// Tencent rate limits out of reach, [`STALL`]-long stalls and [`FAULT_LATENCY`] latency faults.
pub fn sandbox_config(seed: u64) -> SandboxConfig {
    let mut c = lean_config(seed);
    c.clock = ClockConfig::Manual {
        start_unix: now_unix(),
    };
    c.faults.stall = STALL;
    c.faults.fault_latency = FAULT_LATENCY;
    c
}

/// The endpoint-key prefix pattern of a vendor (`wecom.*` …).
pub fn vendor_pattern(vendor: Vendor) -> String {
    format!("{}.*", vendor.as_str())
}

/// The model's vendor for a sandbox vendor.
pub fn model_vendor(vendor: Vendor) -> roster_core::Vendor {
    match vendor {
        Vendor::WeCom => roster_core::Vendor::WeCom,
        Vendor::Tencent => roster_core::Vendor::TencentMeeting,
        Vendor::Quanshi => roster_core::Vendor::Quanshi,
    }
}

/// Every fault kind the sandbox offers that means something for `vendor`: all of them, except
/// token revocation for Tencent (which has no tokens; the sandbox ignores it there).
pub fn fault_kinds(vendor: Vendor) -> Vec<FaultKind> {
    FaultKind::ALL
        .into_iter()
        .filter(|k| vendor != Vendor::Tencent || *k != FaultKind::RevokeTokens)
        .collect()
}

/// The concrete fault a random fault of `kind` is (same mapping as the sandbox's).
pub fn fault_of(kind: FaultKind) -> Fault {
    match kind {
        FaultKind::Latency => Fault::Latency(FAULT_LATENCY),
        FaultKind::Http500 => Fault::Http(500),
        FaultKind::Http502 => Fault::Http(502),
        FaultKind::Http503 => Fault::Http(503),
        FaultKind::Drop => Fault::Drop,
        FaultKind::Truncate => Fault::Truncate,
        FaultKind::VendorTransient => Fault::VendorTransient,
        FaultKind::RateLimit => Fault::RateLimit,
        FaultKind::RevokeTokens => Fault::RevokeTokens,
        FaultKind::Stall => Fault::Stall,
        // FaultKind is not marked non-exhaustive; a new kind must be mapped here.
    }
}

/// The key under which the sandbox counts faults of `kind` (`"http_502"`, `"stall"` …).
pub fn fault_stats_key(kind: FaultKind) -> String {
    fault_of(kind).stats_key()
}

// ---------------------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------------------

/// [`fast_policy`] with a deeper budget (8 retries, 6 rate-limit waits, 4 credential
/// refreshes and 4 replay re-signs per call), for exports under a steady fault rate — where
/// faults also hit retries, and concurrent windows make their order vary: what those tests
/// assert is that retries never lose or repeat a record, not that a given budget suffices.
pub fn patient_policy() -> RetryPolicy {
    let mut p = fast_policy()
        .with_max_retries(8)
        .with_max_rate_limit_waits(6);
    p.max_auth_refreshes = 4;
    p.max_replays = 4;
    p
}

/// An HTTP configuration with this request timeout and a 2 s connect timeout.
pub fn http_with_timeout(request_timeout: Duration) -> HttpConfig {
    HttpConfig::default()
        .with_connect_timeout(Duration::from_secs(2))
        .with_request_timeout(request_timeout)
}

/// How the helpers configure a client.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Retry policy.
    pub policy: RetryPolicy,
    /// Timeouts.
    pub http: HttpConfig,
    /// Clock for timestamps, token ages and retry sleeps.
    pub clock: SharedClock,
    /// Base URL (both Quanshi families); `None`: the sandbox's.
    pub base_url: Option<String>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            policy: fast_policy(),
            http: http_with_timeout(GENEROUS_TIMEOUT),
            clock: Arc::new(FastClock),
            base_url: None,
        }
    }
}

impl ClientOptions {
    /// [`fast_policy`], [`GENEROUS_TIMEOUT`], [`FastClock`], the sandbox's URL.
    pub fn fast() -> Self {
        Self::default()
    }

    /// Like [`ClientOptions::fast`] with [`patient_policy`].
    pub fn patient() -> Self {
        Self::default().policy(patient_policy())
    }

    /// Like [`ClientOptions::fast`] with [`RetryPolicy::never`] (one attempt per call).
    pub fn never() -> Self {
        Self::default().policy(RetryPolicy::never())
    }

    /// Uses the short [`REQUEST_TIMEOUT`], for tests that stall answers past it.
    pub fn short_timeout(mut self) -> Self {
        self.http = http_with_timeout(REQUEST_TIMEOUT);
        self
    }

    /// Replaces the retry policy.
    pub fn policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Replaces the clock.
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Sends to `url` instead of the sandbox (a [`WireTap`], say).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    fn url(&self, sb: &SandboxHandle) -> String {
        self.base_url.clone().unwrap_or_else(|| sb.base_url())
    }
}

/// A WeCom configuration for the sandbox's first app: no pacing, options applied, rate-limit
/// answers waited for 5 ms.
pub fn wecom_config(sb: &SandboxHandle, o: &ClientOptions) -> WeComClientBuilder {
    let c = sb.credentials().wecom;
    WeComClient::builder(roster_wecom::Credentials::new(c.corp_id, c.corp_secret))
        .base_url(o.url(sb))
        .http(o.http.clone())
        .retry_policy(o.policy.clone())
        .pacer(Pacer::unlimited())
        .clock(o.clock.clone())
        .rate_limit_wait(Duration::from_millis(5))
}

/// A WeCom client from [`wecom_config`].
pub fn wecom(sb: &SandboxHandle, o: &ClientOptions) -> WeComClient {
    wecom_config(sb, o)
        .build()
        .expect("the WeCom client builds")
}

/// The credentials of the sandbox's first Tencent app.
pub fn tencent_credentials(sb: &SandboxHandle) -> Credentials {
    let c = sb.credentials().tencent;
    let mut creds = Credentials::new(&c.app_id, &c.secret_id, &c.secret_key);
    if let Some(sdk) = &c.sdk_id {
        creds = creds.with_sdk_id(sdk);
    }
    creds
}

/// A Tencent builder for the sandbox's first app and meeting creator: no pacing, options
/// applied.
pub fn tencent_builder(sb: &SandboxHandle, o: &ClientOptions) -> TencentMeetingClientBuilder {
    TencentMeetingClient::builder(tencent_credentials(sb))
        .operator_id(sb.credentials().tencent.userid)
        .base_url(o.url(sb))
        .http(o.http.clone())
        .retry_policy(o.policy.clone())
        .pacer(Pacer::unlimited())
        .clock(o.clock.clone())
}

/// A Tencent client from [`tencent_builder`].
pub fn tencent(sb: &SandboxHandle, o: &ClientOptions) -> TencentMeetingClient {
    tencent_builder(sb, o)
        .build()
        .expect("the Tencent client builds")
}

/// The sandbox's Quanshi app and administrator.
pub fn quanshi_credentials(sb: &SandboxHandle) -> roster_quanshi::Credentials {
    let c = sb.credentials().quanshi;
    roster_quanshi::Credentials::new(c.app_key, c.app_secret).admin_user_id(c.admin_user_id)
}

/// A Quanshi configuration (token mode, both families on the sandbox) for the sandbox's app,
/// administrator and host: no pacing, options applied, rate-limit answers waited for 5 ms.
pub fn quanshi_config(sb: &SandboxHandle, o: &ClientOptions) -> QuanshiClientBuilder {
    let c = sb.credentials().quanshi;
    QuanshiClient::builder(quanshi_credentials(sb))
        .host_user_id(c.host_user_id)
        .base_url(o.url(sb))
        .events_base_url(o.url(sb))
        .join_url_lookup_path(c.join_url_lookup_path)
        .pacer(Pacer::unlimited())
        .http(o.http.clone())
        .retry_policy(o.policy.clone())
        .clock(o.clock.clone())
        .errors(ErrorMap::default().with_rate_limit_wait(Duration::from_millis(5)))
}

/// A Quanshi client from [`quanshi_config`].
pub fn quanshi(sb: &SandboxHandle, o: &ClientOptions) -> QuanshiClient {
    quanshi_config(sb, o)
        .build()
        .expect("the Quanshi client builds")
}

/// The client of `vendor` as the cross-vendor trait object.
pub fn source(vendor: Vendor, sb: &SandboxHandle, o: &ClientOptions) -> Box<dyn AttendeeSource> {
    match vendor {
        Vendor::WeCom => Box::new(wecom(sb, o)),
        Vendor::Tencent => Box::new(tencent(sb, o)),
        Vendor::Quanshi => Box::new(quanshi(sb, o)),
    }
}

// ---------------------------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------------------------

/// Every item of a record stream up to its end, and the errors it yielded (a stream ends after
/// its first error, so there is at most one).
pub async fn drain<T>(mut stream: RecordStream<T>) -> (Vec<T>, Vec<Error>) {
    let (mut items, mut errors) = (Vec::new(), Vec::new());
    while let Some(next) = stream.next().await {
        match next {
            Ok(item) => items.push(item),
            Err(e) => errors.push(e),
        }
    }
    (items, errors)
}

/// Every item of a record stream; panics with the error if it yields one.
pub async fn collect<T>(stream: RecordStream<T>, what: &str) -> Vec<T> {
    let (items, errors) = drain(stream).await;
    if let Some(e) = errors.first() {
        panic!(
            "{what}: the export failed after {} records: {e}",
            items.len()
        );
    }
    items
}

/// The attendees of `query` through the trait, collected (panics on an error).
pub async fn export_attendees(
    source: &dyn AttendeeSource,
    query: &roster_core::MeetingQuery,
) -> Vec<Attendee> {
    let what = format!("{} attendees of {}", source.vendor(), query.meeting_id);
    let stream = source
        .attendees(query)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    collect(stream, &what).await
}

/// The registrations of `query` through the trait, collected (panics on an error).
pub async fn export_registrations(
    source: &dyn AttendeeSource,
    query: &roster_core::MeetingQuery,
) -> Vec<Registration> {
    let what = format!("{} registrations of {}", source.vendor(), query.meeting_id);
    let stream = source
        .registrations(query)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    collect(stream, &what).await
}

// ---------------------------------------------------------------------------------------------
// Identities
// ---------------------------------------------------------------------------------------------

/// The identity of one join session, computed the same way from a client's [`Attendee`] and
/// from a sandbox ground-truth row, so that exports can be compared with the truth as
/// multisets.
///
/// - WeCom / Tencent: temp id (`tmp_openid` / `ms_open_id`), user id, join and leave times,
///   device (`instance_id` / `instanceid`).
/// - Quanshi (v2 report sessions have no per-session id): name and e-mail, join and leave
///   times, device text, run (`tempConferenceId`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionKey {
    /// Temp id, or (Quanshi) `name/email`.
    pub who: String,
    /// Enterprise user id (empty when none).
    pub user: String,
    /// Join time, Unix seconds.
    pub joined: Option<i64>,
    /// Leave time, Unix seconds (`None` while in the meeting).
    pub left: Option<i64>,
    /// Device code, or Quanshi's device text.
    pub device: String,
    /// Quanshi run (`tempConferenceId`); empty for the others.
    pub run: String,
}

/// A JSON value as text: strings as they are, numbers in decimal, anything else empty.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// A Unix-seconds JSON value (number or digit string); `0`, `""` and absent mean "none".
pub fn unix_field(v: &Value) -> Option<i64> {
    let n = match v {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (n != 0).then_some(n)
}

fn trimmed(s: Option<&str>) -> String {
    s.map(str::trim).unwrap_or_default().to_string()
}

/// The identity of a client record.
pub fn session_key(a: &Attendee) -> SessionKey {
    let joined = a.joined_at.map(OffsetDateTime::unix_timestamp);
    let left = a.left_at.map(OffsetDateTime::unix_timestamp);
    match a.vendor {
        roster_core::Vendor::Quanshi => SessionKey {
            who: format!(
                "{}/{}",
                trimmed(a.display_name.as_deref()),
                trimmed(a.email.as_deref())
            ),
            user: String::new(),
            joined,
            left,
            device: a.extra.get("deviceType").map(text).unwrap_or_default(),
            run: a.sub_meeting_id.clone().unwrap_or_default(),
        },
        _ => SessionKey {
            who: a.temp_id.clone().unwrap_or_default(),
            user: a.user_id.clone().unwrap_or_default(),
            joined,
            left,
            device: a.device.map(|d| d.code().to_string()).unwrap_or_default(),
            run: String::new(),
        },
    }
}

/// The identity of a ground-truth row (`wecom_attendees`, `tencent_participants`,
/// `quanshi_sessions`).
pub fn truth_session_key(vendor: Vendor, row: &Value) -> SessionKey {
    match vendor {
        Vendor::WeCom => SessionKey {
            who: text(&row["tmp_openid"]),
            user: text(&row["userid"]).trim().to_string(),
            joined: unix_field(&row["join_time"]),
            left: unix_field(&row["quit_time"]),
            device: text(&row["instance_id"]),
            run: String::new(),
        },
        Vendor::Tencent => SessionKey {
            who: text(&row["ms_open_id"]),
            user: text(&row["userid"]).trim().to_string(),
            joined: unix_field(&row["join_time"]),
            left: unix_field(&row["left_time"]),
            device: text(&row["instanceid"]),
            run: String::new(),
        },
        Vendor::Quanshi => SessionKey {
            who: format!(
                "{}/{}",
                text(&row["name"]).trim(),
                text(&row["email"]).trim()
            ),
            user: String::new(),
            joined: unix_field(&row["onlineTime"]),
            left: unix_field(&row["offlineTime"]),
            device: text(&row["deviceType"]),
            run: text(&row["tempConferenceId"]),
        },
    }
}

/// The identity of one registration: the vendor's id (WeCom/Tencent `enroll_id`, Quanshi
/// invitee `user`) and who (temp id, or the Quanshi invitee's name).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegistrationKey {
    /// Enrollment id or invitee user id.
    pub id: String,
    /// Temp id, or (Quanshi) the display name.
    pub who: String,
}

/// The identity of a client registration.
pub fn registration_key(r: &Registration) -> RegistrationKey {
    let who = match r.vendor {
        roster_core::Vendor::Quanshi => trimmed(r.display_name.as_deref()),
        _ => r.temp_id.clone().unwrap_or_default(),
    };
    RegistrationKey {
        id: r.registration_id.clone().unwrap_or_default(),
        who,
    }
}

/// The identity of a ground-truth registration row (`wecom_enrollments`,
/// `tencent_enroll_approvals`, `quanshi_invitees`).
pub fn truth_registration_key(vendor: Vendor, row: &Value) -> RegistrationKey {
    match vendor {
        Vendor::WeCom | Vendor::Tencent => RegistrationKey {
            id: text(&row["enroll_id"]),
            who: text(
                &row[if vendor == Vendor::WeCom {
                    "tmp_openid"
                } else {
                    "ms_open_id"
                }],
            ),
        },
        Vendor::Quanshi => {
            let display = text(&row["displayName"]);
            let name = if display.trim().is_empty() {
                text(&row["phoneName"])
            } else {
                display
            };
            RegistrationKey {
                id: text(&row["user"]),
                who: name.trim().to_string(),
            }
        }
    }
}

/// How many times each key occurs.
pub fn multiset<K: Ord>(keys: impl IntoIterator<Item = K>) -> BTreeMap<K, usize> {
    let mut m = BTreeMap::new();
    for k in keys {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

/// Asserts that `got` and `want` hold the same keys the same number of times; the message
/// names the first keys missing, duplicated or unexpected.
pub fn assert_same_records<K: Ord + fmt::Debug + Clone>(
    what: &str,
    got: impl IntoIterator<Item = K>,
    want: impl IntoIterator<Item = K>,
) {
    let (got, want) = (multiset(got), multiset(want));
    if got == want {
        return;
    }
    let mut problems = Vec::new();
    for (k, n) in &want {
        let g = got.get(k).copied().unwrap_or(0);
        if g != *n {
            problems.push(format!("{k:?}: expected {n}, got {g}"));
        }
    }
    for (k, g) in &got {
        if !want.contains_key(k) {
            problems.push(format!("{k:?}: unexpected, got {g}"));
        }
    }
    let total = |m: &BTreeMap<K, usize>| m.values().sum::<usize>();
    panic!(
        "{what}: {} records delivered, {} expected; {} differences, first: {:#?}",
        total(&got),
        total(&want),
        problems.len(),
        &problems[..problems.len().min(8)]
    );
}

// ---------------------------------------------------------------------------------------------
// Tracing capture
// ---------------------------------------------------------------------------------------------

/// A shared buffer that a `tracing_subscriber` writes into.
#[derive(Clone, Default)]
pub struct TraceCapture(Arc<Mutex<Vec<u8>>>);

impl TraceCapture {
    /// Installs a TRACE-level `fmt` subscriber writing into a new capture as the **global**
    /// default (once per test binary: call it first, before anything traces), and forwards
    /// `log` records (reqwest's and rustls's) into it too. Threads that set their own default
    /// (see [`quiet_runtime`]) stay out of it.
    pub fn install_global() -> Self {
        let capture = Self::default();
        let writer = capture.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init()
            .expect("no other global subscriber or logger in this test binary");
        capture
    }

    /// Everything captured so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&lock(&self.0)).into_owned()
    }
}

impl std::io::Write for TraceCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        lock(&self.0).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A multi-thread runtime whose worker threads trace into nothing (a thread-local
/// `NoSubscriber` default), for the sandbox and the [`WireTap`]: with a global
/// [`TraceCapture`], their logs would otherwise mix with the client's.
pub fn quiet_runtime(threads: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .on_thread_start(|| {
            let guard =
                tracing::subscriber::set_default(tracing::subscriber::NoSubscriber::default());
            // The thread keeps this default for its whole life.
            std::mem::forget(guard);
        })
        .build()
        .expect("a runtime")
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

// ---------------------------------------------------------------------------------------------
// Wire tap
// ---------------------------------------------------------------------------------------------

/// One direction of one connection: its bytes, and where each read began with the tap-wide
/// sequence number of that read (to put messages of all connections in arrival order).
#[derive(Default)]
struct Flow {
    bytes: Vec<u8>,
    marks: Vec<(usize, u64)>,
}

impl Flow {
    fn messages(&self, responses: bool) -> Vec<HttpMessage> {
        let mut out = parse_messages(&self.bytes, responses);
        for m in &mut out {
            m.seq = self
                .marks
                .iter()
                .take_while(|(offset, _)| *offset <= m.offset)
                .last()
                .map_or(0, |(_, seq)| *seq);
        }
        out
    }
}

#[derive(Default)]
struct ConnLog {
    /// Client → server.
    up: Flow,
    /// Server → client.
    down: Flow,
}

#[derive(Default)]
struct TapLog {
    conns: Vec<ConnLog>,
    reads: u64,
}

type Conns = Arc<Mutex<TapLog>>;

/// A recording TCP proxy on loopback in front of a sandbox: clients pointed at
/// [`WireTap::base_url`] reach the sandbox through it, and every byte in both directions is
/// kept per connection. A fault that cuts a connection (a dropped body, a client timing out)
/// is passed on as a close.
///
/// It shows what really went over the wire — tokens in queries, headers and bodies,
/// signatures, checksums, the body a decode error was made from — without asking the client.
pub struct WireTap {
    addr: SocketAddr,
    conns: Conns,
    task: tokio::task::JoinHandle<()>,
}

impl fmt::Debug for WireTap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireTap")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for WireTap {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl WireTap {
    /// Starts the proxy on the current runtime, forwarding to `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let conns: Conns = Arc::default();
        let log = conns.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let log = log.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let index = {
                        let mut l = lock(&log);
                        l.conns.push(ConnLog::default());
                        l.conns.len() - 1
                    };
                    let (client_read, client_write) = client.into_split();
                    let (server_read, server_write) = server.into_split();
                    tokio::join!(
                        pump(client_read, server_write, log.clone(), index, true),
                        pump(server_read, client_write, log, index, false),
                    );
                });
            }
        });
        Ok(Self { addr, conns, task })
    }

    /// The proxy's base URL (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request sent through the proxy, in the order they reached it.
    pub fn requests(&self) -> Vec<HttpMessage> {
        let mut all: Vec<HttpMessage> = lock(&self.conns)
            .conns
            .iter()
            .flat_map(|c| c.up.messages(false))
            .collect();
        all.sort_by_key(|m| m.seq);
        all
    }

    /// Every response (or the part of it that arrived), in the order they reached the proxy.
    pub fn responses(&self) -> Vec<HttpMessage> {
        let mut all: Vec<HttpMessage> = lock(&self.conns)
            .conns
            .iter()
            .flat_map(|c| c.down.messages(true))
            .collect();
        all.sort_by_key(|m| m.seq);
        all
    }

    /// Forgets what was recorded so far (connections still open keep being recorded from
    /// where they are; a message in flight may be cut at its start).
    pub fn clear(&self) {
        let mut l = lock(&self.conns);
        for c in &mut l.conns {
            *c = ConnLog::default();
        }
    }

    /// Every credential value that went over the wire, per kind (see [`WireSecrets`]).
    pub fn secrets(&self) -> WireSecrets {
        let mut s = WireSecrets::default();
        for r in self.requests() {
            for (name, value) in &r.headers {
                let set = match name.as_str() {
                    "x-tc-signature" => &mut s.signatures,
                    "checksum" => &mut s.signatures,
                    "x-tc-key" => &mut s.keys,
                    "token" => &mut s.tokens,
                    _ => continue,
                };
                set.insert(value.clone());
            }
            for (k, v) in r.query_pairs() {
                match k.as_str() {
                    "access_token" => s.tokens.insert(v),
                    "corpsecret" => s.keys.insert(v),
                    _ => false,
                };
            }
            for v in json_string_values(&r.body, "token") {
                s.tokens.insert(v);
            }
        }
        for r in self.responses() {
            for key in ["access_token", "token"] {
                for v in json_string_values(&r.body, key) {
                    s.issued.insert(v);
                }
            }
        }
        s.tokens.retain(|t| !t.is_empty());
        s.issued.retain(|t| t.len() >= 8);
        s
    }
}

/// Credential values seen by a [`WireTap`].
#[derive(Clone, Debug, Default)]
pub struct WireSecrets {
    /// Tokens sent by clients (WeCom `access_token` query values, Quanshi `token` headers and
    /// body fields).
    pub tokens: BTreeSet<String>,
    /// Tokens in answers (`access_token`, `token` fields), including the part of a cut answer
    /// that arrived (at least 8 characters).
    pub issued: BTreeSet<String>,
    /// Tencent `X-TC-Signature` and Quanshi `CheckSum` values.
    pub signatures: BTreeSet<String>,
    /// Key material sent by clients (Tencent `X-TC-Key`, WeCom `corpsecret`).
    pub keys: BTreeSet<String>,
}

impl WireSecrets {
    /// All values, of every kind.
    pub fn all(&self) -> BTreeSet<String> {
        let mut all = BTreeSet::new();
        for set in [&self.tokens, &self.issued, &self.signatures, &self.keys] {
            all.extend(set.iter().cloned());
        }
        all
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    log: Conns,
    index: usize,
    up: bool,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        {
            let mut l = lock(&log);
            l.reads += 1;
            let seq = l.reads;
            let conn = &mut l.conns[index];
            let flow = if up { &mut conn.up } else { &mut conn.down };
            flow.marks.push((flow.bytes.len(), seq));
            flow.bytes.extend_from_slice(&buf[..n]);
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// One HTTP/1.1 message recorded by a [`WireTap`].
#[derive(Clone, Debug)]
pub struct HttpMessage {
    /// `POST /path?query HTTP/1.1` or `HTTP/1.1 200 OK`.
    pub start_line: String,
    /// Header names (lower-case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked), or the part of it that arrived.
    pub body: Vec<u8>,
    /// Whether the whole message arrived.
    pub complete: bool,
    /// Order of arrival at the tap, across connections (the read its first byte came in).
    pub seq: u64,
    /// Offset of the message in its connection's stream.
    offset: usize,
}

impl HttpMessage {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A request's target (`/path?query`).
    pub fn target(&self) -> &str {
        self.start_line.split(' ').nth(1).unwrap_or_default()
    }

    /// A request's path (the target before `?`).
    pub fn path(&self) -> &str {
        let t = self.target();
        t.split_once('?').map_or(t, |(p, _)| p)
    }

    /// A request's decoded query pairs.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        reqwest::Url::parse(&format!("http://tap{}", self.target()))
            .map(|u| u.query_pairs().into_owned().collect())
            .unwrap_or_default()
    }

    /// A response's status code.
    pub fn status(&self) -> Option<u16> {
        self.start_line.split(' ').nth(1)?.parse().ok()
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, if it is complete JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Splits one direction of a connection into messages.
fn parse_messages(bytes: &[u8], responses: bool) -> Vec<HttpMessage> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let rest = &bytes[pos..];
        let Some(head_len) = find(rest, b"\r\n\r\n") else {
            let head = String::from_utf8_lossy(rest);
            out.push(HttpMessage {
                start_line: head.lines().next().unwrap_or_default().to_string(),
                headers: Vec::new(),
                body: Vec::new(),
                complete: false,
                seq: 0,
                offset: pos,
            });
            break;
        };
        let head = String::from_utf8_lossy(&rest[..head_len]).into_owned();
        let mut lines = head.split("\r\n");
        let start_line = lines.next().unwrap_or_default().to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let data = &rest[head_len + 4..];
        let chunked = get("transfer-encoding").is_some_and(|v| v.contains("chunked"));
        let length = get("content-length").and_then(|v| v.parse::<usize>().ok());
        let (body, used, complete) = if chunked {
            dechunk(data)
        } else if let Some(len) = length {
            let n = len.min(data.len());
            (data[..n].to_vec(), n, n == len)
        } else if responses {
            // No length: the body runs to the close.
            (data.to_vec(), data.len(), true)
        } else {
            (Vec::new(), 0, true)
        };
        out.push(HttpMessage {
            start_line,
            headers,
            body,
            complete,
            seq: 0,
            offset: pos,
        });
        pos += head_len + 4 + used;
    }
    out
}

/// De-chunks a chunked body: (body, bytes used, complete).
fn dechunk(data: &[u8]) -> (Vec<u8>, usize, bool) {
    let mut body = Vec::new();
    let mut pos = 0;
    loop {
        let Some(line_len) = find(&data[pos..], b"\r\n") else {
            return (body, data.len(), false);
        };
        let line = String::from_utf8_lossy(&data[pos..pos + line_len]);
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            return (body, data.len(), false);
        };
        pos += line_len + 2;
        if size == 0 {
            // Trailers end with an empty line.
            return match find(&data[pos..], b"\r\n") {
                Some(0) => (body, pos + 2, true),
                Some(_) => match find(&data[pos..], b"\r\n\r\n") {
                    Some(j) => (body, pos + j + 4, true),
                    None => (body, data.len(), false),
                },
                None => (body, data.len(), false),
            };
        }
        let end = (pos + size).min(data.len());
        body.extend_from_slice(&data[pos..end]);
        if end < pos + size {
            return (body, data.len(), false);
        }
        pos = end + 2;
        if pos > data.len() {
            return (body, data.len(), false);
        }
    }
}

/// The string values of every `"key": "…"` in a (possibly cut) JSON text; a value cut by the
/// end of the text is returned as far as it goes.
pub fn json_string_values(body: &[u8], key: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    let needle = format!("\"{key}\"");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(&needle) {
        let mut rest = text[from + i + needle.len()..].trim_start();
        from += i + needle.len();
        let Some(after_colon) = rest.strip_prefix(':') else {
            continue;
        };
        rest = after_colon.trim_start();
        let Some(value) = rest.strip_prefix('"') else {
            continue;
        };
        let end = value.find(['"', '\\']).unwrap_or(value.len());
        out.push(value[..end].to_string());
    }
    out
}

/// `s` URL-encoded as a form value (how a token or secret would look in a query).
pub fn form_encoded(s: &str) -> String {
    let mut url = reqwest::Url::parse("http://x/").expect("a URL");
    url.query_pairs_mut().append_pair("v", s);
    url.query()
        .and_then(|q| q.strip_prefix("v="))
        .unwrap_or_default()
        .to_string()
}

/// Panics if any of `needles` (or its form-encoded form) occurs in `haystack`.
pub fn assert_no_secret(what: &str, haystack: &str, needles: &BTreeSet<String>) {
    for needle in needles {
        if needle.is_empty() {
            continue;
        }
        for form in [needle.clone(), form_encoded(needle)] {
            if let Some(at) = haystack.find(&form) {
                let start = haystack[..at]
                    .char_indices()
                    .rev()
                    .nth(60)
                    .map_or(0, |(i, _)| i);
                panic!(
                    "{what} holds a secret value ({} characters) at byte {at}, after: {:?}",
                    form.len(),
                    &haystack[start..at]
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_split_and_de_chunked() {
        let up = b"GET /a?access_token=t%2B1&x=2 HTTP/1.1\r\nHost: h\r\ntoken: abc\r\n\r\n\
                   POST /b HTTP/1.1\r\ncontent-length: 13\r\n\r\n{\"token\":\"q\"}";
        let reqs = parse_messages(up, false);
        assert_eq!(reqs.len(), 2);
        assert_eq!(reqs[0].path(), "/a");
        assert_eq!(
            reqs[0].query_pairs()[0],
            ("access_token".into(), "t+1".into())
        );
        assert_eq!(reqs[0].header("Token"), Some("abc"));
        assert_eq!(reqs[1].body, b"{\"token\":\"q\"}");
        let down = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n\
                     HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n{\"access_";
        let resps = parse_messages(down, true);
        assert_eq!(resps.len(), 2);
        assert_eq!(resps[0].body, b"abcde");
        assert!(resps[0].complete);
        assert_eq!(resps[1].status(), Some(200));
        assert!(!resps[1].complete);
    }

    #[test]
    fn string_values_of_cut_json() {
        let v = json_string_values(br#"{"a":1,"token" : "xyz","access_token":"abcdef"#, "token");
        assert_eq!(v, vec!["xyz".to_string()]);
        let v = json_string_values(br#"{"access_token":"abcdef"#, "access_token");
        assert_eq!(v, vec!["abcdef".to_string()]);
        assert_eq!(form_encoded("a+b/c d"), "a%2Bb%2Fc+d");
    }

    #[test]
    #[should_panic(expected = "2 records delivered, 2 expected")]
    fn a_duplicate_is_caught_even_when_the_count_is_right() {
        assert_same_records("dup", ["a", "a"], ["a", "b"]);
    }

    #[test]
    fn identities_agree_between_truth_rows_and_records() {
        let row = serde_json::json!({"tmp_openid":"t1","userid":"u1","join_time":"100","quit_time":"0","instance_id":3});
        let mut a = Attendee::new(roster_core::Vendor::WeCom, "m");
        a.temp_id = Some("t1".into());
        a.user_id = Some("u1".into());
        a.joined_at = OffsetDateTime::from_unix_timestamp(100).ok();
        a.device = Some(roster_core::Device::from_code(3));
        assert_eq!(session_key(&a), truth_session_key(Vendor::WeCom, &row));
    }
}
