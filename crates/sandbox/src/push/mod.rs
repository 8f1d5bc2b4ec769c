//! Push mode: the vendors' webhook events (Tencent Meeting event subscriptions, WeCom
//! callbacks) sent to a receiver URL, per `docs/specs/webhooks.md` §1, §2 and §4.
//!
//! ```no_run
//! # async fn demo(sandbox: roster_sandbox::SandboxHandle) -> Result<(), roster_sandbox::PushError> {
//! use roster_sandbox::{PushOptions, PushTarget, Vendor};
//! let target = PushTarget {
//!     url: "http://127.0.0.1:8090/tencent-meeting/default".into(),
//!     vendor: Vendor::Tencent,
//!     token: "bVPU6F8Htxl5XkAbp3jGV2xWp".into(),
//!     aes_key: None,
//!     corp_id: String::new(),
//! };
//! let meeting = sandbox.catalog().by_label(Vendor::Tencent, "seed-oneoff").unwrap().id.clone();
//! let report = sandbox.pusher(target, PushOptions::default())?.push_meeting(&meeting).await?;
//! assert!(report.events.iter().all(|e| e.acknowledged));
//! # Ok(())
//! # }
//! ```
//!
//! # What is sent
//!
//! The events of a meeting come from its ground-truth attendee rows (Tencent
//! [`GroundTruth::tencent_participants`](crate::GroundTruth::tencent_participants), WeCom
//! [`GroundTruth::wecom_attendees`](crate::GroundTruth::wecom_attendees), whole meeting), so a
//! receiver that also pulls the list sees the same people: a join at each row's join time, a
//! leave at its leave time (none while the person is still in), in event-time order (joins
//! before leaves at equal times), then `meeting.end` / `meeting_end` last if the meeting has
//! ended (at the later of its scheduled end and the last event). Recurring meetings are refused
//! (their rows are per occurrence). The Tencent `meeting_info` comes from the catalog entry.
//!
//! # Sandbox rules (choices the vendors' documents leave open)
//!
//! - **Breakout moves (Tencent):** a session of at least 3 minutes with a leave time gets moves
//!   when a seeded draw over (seed, meeting, row index) falls in 1 of 10. At a third of the
//!   session: `participant-left` (action_scene_type 2, meeting_id_type 0) then
//!   `participant-joined` (2, meeting_id_type 1, same meeting id); at two thirds the pair back
//!   with action_scene_type 3 (left from type 1, joined into type 0). Moves are sent events
//!   ([`PushKind::BreakoutMove`]) but no join or leave: no session in the ground truth.
//! - **Event key ([`SentEvent::key`]):** Tencent: the `trace_id` (uuid-like, from the seed, the
//!   meeting and the event's position). WeCom: `meetingid|change|who|createtime`, `who` the
//!   `tmp_openid` (else the userid, else empty), WeCom's documented de-duplication key.
//! - **Retries:** an attempt not acknowledged in [`PushOptions::ack_deadline`] is a timeout.
//!   Tencent retries anything but its exact acknowledgement; WeCom retries only network failures,
//!   timeouts and dropped sends (a non-200 answer loses the event, as documented). Both retry 3
//!   times, waiting 1, 3 and then 6 [`PushOptions::retry_unit`]s after each failed attempt (WeCom
//!   documents no intervals: the sandbox uses Tencent's).
//! - **Faults ([`PushFaults`])**, drawn per event from the seed: `drop_first` skips the first
//!   send (recorded as [`AttemptOutcome::Dropped`], retried like a network loss); `duplicate`
//!   sends an acknowledged event once more (fresh nonce, timestamp and signature; not retried);
//!   `reorder` swaps an event with the next one in sending order; `delay` holds the first
//!   attempt back by `delay_by` without holding up the events behind it.
//! - **Verification:** one GET with a seeded 19-digit plaintext, deadline `ack_deadline`;
//!   [`Pusher::push_meeting`] sends no event if it fails. WeCom's `AgentID` is `1000002`.
//! - Nonces, trace ids and WeCom's 16 random bytes derive from the seed; header timestamps are
//!   the sandbox clock (Tencent milliseconds, WeCom seconds). All waiting uses Tokio time. The
//!   token and the key are never logged or shown by `Debug`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::clock::SandboxClock;
use crate::fixture::MeetingKind;
use crate::redact::debug_redacted;
use crate::server::SandboxHandle;
use crate::truth::GroundTruth;
use crate::vendor::Vendor;

mod crypto;
mod plan;
#[cfg(test)]
mod tests;

use crypto::AesKey;
use plan::Planned;

/// Tencent's acknowledgement body.
const TENCENT_ACK: &str = "successfully received callback";
/// WeCom's `AgentID` in the envelope.
const WECOM_AGENT_ID: &str = "1000002";
/// Waits before the 1st, 2nd and 3rd retry, in retry units.
const RETRY_UNITS: [u32; 3] = [1, 3, 6];

/// Where and how to push (a subscription as the vendor stores it). `Debug` hides the token and
/// the key.
#[derive(Clone)]
pub struct PushTarget {
    /// The receiver URL (events are sent to it; the GET check appends its query).
    pub url: String,
    /// [`Vendor::Tencent`] or [`Vendor::WeCom`] (Quanshi has no signed push: an error).
    pub vendor: Vendor,
    /// The subscription's Token.
    pub token: String,
    /// The EncodingAESKey (43 characters): optional for Tencent (plain base64 without),
    /// required for WeCom.
    pub aes_key: Option<String>,
    /// WeCom's receive id (the CorpID), appended to every encrypted frame; unused for Tencent.
    pub corp_id: String,
}
debug_redacted!(PushTarget {
    url,
    vendor,
    token: redacted,
    aes_key: redacted,
    corp_id
});

/// How to push: pacing, retry schedule, faults.
#[derive(Clone, Debug)]
pub struct PushOptions {
    /// Seed of nonces, trace ids, WeCom random bytes, breakout moves and fault draws.
    pub seed: u64,
    /// One "minute" of the retry schedule (retries after 1, 3 and 6 units); default 60 s.
    pub retry_unit: Duration,
    /// An answer later than this is a timeout (retried); default 5 s.
    pub ack_deadline: Duration,
    /// Pacing of first attempts (events per second); `None`: as fast as possible.
    pub events_per_second: Option<f64>,
    /// Requests in flight at once (default 1: one at a time, first attempts in order).
    pub concurrency: usize,
    /// Send the GET verification before the events (default true).
    pub verify: bool,
    /// Injected faults (default none).
    pub faults: PushFaults,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions {
            seed: 0,
            retry_unit: Duration::from_secs(60),
            ack_deadline: Duration::from_secs(5),
            events_per_second: None,
            concurrency: 1,
            verify: true,
            faults: PushFaults::default(),
        }
    }
}

/// Shares (0.0 to 1.0) of events hit by each fault, drawn per event from the seed.
#[derive(Clone, Debug, Default)]
pub struct PushFaults {
    /// First send skipped, as if lost on the network (retried on schedule).
    pub drop_first: f64,
    /// Sent once more after being acknowledged (same event, fresh nonce/timestamp/signature).
    pub duplicate: f64,
    /// Swapped with the next event in sending order.
    pub reorder: f64,
    /// First attempt held back by [`PushFaults::delay_by`].
    pub delay: f64,
    /// How long a delayed event waits.
    pub delay_by: Duration,
}

/// What an event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PushKind {
    /// A join (Tencent `meeting.participant-joined`, WeCom `join_meeting`).
    Join,
    /// A leave (Tencent `meeting.participant-left`, WeCom `quit_meeting`).
    Leave,
    /// A Tencent breakout move (action_scene_type 2 or 3): neither join nor leave.
    BreakoutMove,
    /// The meeting's end (Tencent `meeting.end`, WeCom `meeting_end`).
    MeetingEnd,
}

/// How one attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Acknowledged (Tencent: 200 with the exact body; WeCom: any 200).
    Acknowledged,
    /// Answered in time but not acknowledged: the HTTP status (200 for a wrong Tencent body).
    Refused(u16),
    /// No complete answer within [`PushOptions::ack_deadline`].
    Timeout,
    /// The connection failed.
    NetworkError,
    /// Not sent (the `drop_first` fault).
    Dropped,
}

/// One attempt to deliver an event.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// When it was made, from the start of the push (Tokio time).
    pub at: Duration,
    /// From sending to the answer (zero when dropped).
    pub latency: Duration,
    /// A `duplicate` fault's extra delivery.
    pub duplicate: bool,
}

/// One event as sent: the ground truth a receiver is checked against.
#[derive(Clone, Debug)]
pub struct SentEvent {
    /// De-duplication key (Tencent `trace_id`; WeCom `meetingid|change|who|createtime`).
    pub key: String,
    /// What it is.
    pub kind: PushKind,
    /// The meeting id.
    pub meeting_id: String,
    /// The person's userid, if any.
    pub userid: Option<String>,
    /// The person's meeting-scoped id (Tencent `ms_open_id`, WeCom `tmp_openid`).
    pub temp_id: Option<String>,
    /// Event time, Unix milliseconds (`operate_time`; WeCom `CreateTime` × 1000).
    pub at_ms: i64,
    /// Every attempt, in order (duplicates last).
    pub attempts: Vec<Attempt>,
    /// Whether some attempt was acknowledged.
    pub acknowledged: bool,
}

/// What [`Pusher::push_meeting`] sent.
#[derive(Clone, Debug)]
pub struct PushReport {
    /// Whether the GET verification was done (and passed: else the push fails).
    pub verified: bool,
    /// Every event, in event-time order (not sending order).
    pub events: Vec<SentEvent>,
}

/// Live counters of a pusher (a cheap clone), e.g. to stop a receiver after N acknowledgements.
#[derive(Clone, Debug, Default)]
pub struct PushProgress(Arc<Counters>);

#[derive(Debug, Default)]
struct Counters {
    acknowledged: AtomicU64,
    attempts: AtomicU64,
    failures: AtomicU64,
    given_up: AtomicU64,
}

impl PushProgress {
    /// Events acknowledged so far.
    pub fn acknowledged(&self) -> u64 {
        self.0.acknowledged.load(Ordering::SeqCst)
    }
    /// Requests sent so far (retries and duplicates included, dropped sends not).
    pub fn attempts(&self) -> u64 {
        self.0.attempts.load(Ordering::SeqCst)
    }
    /// Requests sent but not acknowledged (refused, timed out, failed).
    pub fn failures(&self) -> u64 {
        self.0.failures.load(Ordering::SeqCst)
    }
    /// Events given up (no attempt acknowledged).
    pub fn given_up(&self) -> u64 {
        self.0.given_up.load(Ordering::SeqCst)
    }
}

/// Why a push could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// Quanshi documents no signed attendance push.
    #[error("{0:?} has no push events in the sandbox")]
    UnsupportedVendor(Vendor),
    /// WeCom callbacks are always encrypted.
    #[error("a WeCom push target needs an EncodingAESKey")]
    MissingKey,
    /// The EncodingAESKey is not 43 characters of base64 (the key is not shown).
    #[error("the EncodingAESKey is not 43 characters of base64")]
    BadKey,
    /// No such meeting for this vendor.
    #[error("no meeting {0} for this vendor in the sandbox")]
    UnknownMeeting(String),
    /// Recurring meetings are not pushed (their rows are per occurrence).
    #[error("meeting {0} is recurring: the sandbox pushes one-off meetings and webinars")]
    Recurring(String),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Client(String),
    /// The receiver did not answer the GET check with the plaintext.
    #[error("the receiver failed the URL verification: {0}")]
    Verification(String),
}

/// Sends a meeting's events to one target (from [`SandboxHandle::pusher`]).
pub struct Pusher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Pusher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pusher")
            .field("target", &self.inner.target)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

struct Inner {
    target: PushTarget,
    key: Option<AesKey>,
    options: PushOptions,
    truth: GroundTruth,
    clock: SandboxClock,
    client: reqwest::Client,
    progress: PushProgress,
    /// GET checks made (each gets a fresh nonce: the vendors repeat it as a heartbeat).
    checks: AtomicU64,
}

impl SandboxHandle {
    /// A pusher of this sandbox's meetings to `target`. Errors: Quanshi, a WeCom target
    /// without a key, a malformed key.
    pub fn pusher(&self, target: PushTarget, options: PushOptions) -> Result<Pusher, PushError> {
        if target.vendor == Vendor::Quanshi {
            return Err(PushError::UnsupportedVendor(target.vendor));
        }
        let key = match (&target.aes_key, target.vendor) {
            (Some(k), _) => Some(AesKey::parse(k).ok_or(PushError::BadKey)?),
            (None, Vendor::WeCom) => return Err(PushError::MissingKey),
            (None, _) => None,
        };
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Losing a race with another thread installing a provider is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|e| PushError::Client(e.without_url().to_string()))?;
        Ok(Pusher {
            inner: Arc::new(Inner {
                target,
                key,
                options,
                truth: self.truth(),
                clock: self.clock(),
                client,
                progress: PushProgress::default(),
                checks: AtomicU64::new(0),
            }),
        })
    }
}

/// SHA-256 of the seed and length-prefixed parts: every seeded choice of push mode.
pub(crate) fn digest(seed: u64, parts: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().into()
}

/// A seeded draw in `[0, 1)`.
fn draw(seed: u64, parts: &[&str]) -> f64 {
    (plan::u64_of(&digest(seed, parts)) >> 11) as f64 / (1u64 << 53) as f64
}

fn with_query(url: &str, query: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{query}")
}

fn enc(v: &str) -> String {
    utf8_percent_encode(v, NON_ALPHANUMERIC).to_string()
}

/// One event's delivery job.
struct Job {
    index: usize,
    planned: Planned,
    drop_first: bool,
    duplicate: bool,
}

impl Pusher {
    /// Live counters (shared by every clone of the returned value).
    pub fn progress(&self) -> PushProgress {
        self.inner.progress.clone()
    }

    /// The GET URL verification: `Err` unless the receiver answers HTTP 200 with exactly the
    /// plaintext within the ack deadline.
    pub async fn verify(&self) -> Result<(), PushError> {
        let inner = &self.inner;
        let check = plan::u64_of(&digest(inner.options.seed, &["check"])) % 10u64.pow(19);
        let plain = format!("{check:019}");
        let n = inner.checks.fetch_add(1, Ordering::SeqCst);
        let [ts, nonce, data, sig] = inner.seal(&plain, &format!("check|{n}"));
        let url = &inner.target.url;
        let req = match inner.target.vendor {
            Vendor::WeCom => inner.client.get(with_query(
                url,
                &format!(
                    "msg_signature={sig}&timestamp={ts}&nonce={nonce}&echostr={}",
                    enc(&data)
                ),
            )),
            _ => inner
                .client
                .get(with_query(url, &format!("check_str={}", enc(&data))))
                .header("timestamp", ts)
                .header("nonce", nonce)
                .header("signature", sig),
        };
        let fail = |why: String| Err(PushError::Verification(why));
        match inner.exchange(req).await {
            Ok((200, body)) if body == plain => Ok(()),
            Ok((200, _)) => fail("the answer is not the plaintext".into()),
            Ok((status, _)) => fail(format!("HTTP {status}")),
            Err(AttemptOutcome::Timeout) => fail("no answer in time".into()),
            Err(_) => fail("the connection failed".into()),
        }
    }

    /// Verifies the URL (unless [`PushOptions::verify`] is off), then sends every event of the
    /// meeting and waits for all retries to finish.
    pub async fn push_meeting(&self, meeting_id: &str) -> Result<PushReport, PushError> {
        let planned = self.inner.plan(meeting_id)?;
        let verified = self.inner.options.verify;
        if verified {
            self.verify().await?;
        }
        let events = self.deliver(meeting_id, planned).await;
        Ok(PushReport { verified, events })
    }

    async fn deliver(&self, meeting_id: &str, planned: Vec<Planned>) -> Vec<SentEvent> {
        let o = &self.inner.options;
        let seed = o.seed;
        let chance = |what: &str, i: usize, share: f64| {
            share > 0.0 && draw(seed, &["fault", what, meeting_id, &i.to_string()]) < share
        };
        let mut order: Vec<usize> = (0..planned.len()).collect();
        let mut i = 0;
        while i + 1 < order.len() {
            if chance("reorder", i, o.faults.reorder) {
                order.swap(i, i + 1);
                i += 1;
            }
            i += 1;
        }
        let gap = o
            .events_per_second
            .filter(|r| *r > 0.0)
            .map(|r| Duration::from_secs_f64(1.0 / r));
        let permits = Arc::new(Semaphore::new(o.concurrency.max(1)));
        let start = Instant::now();
        let mut tasks = JoinSet::new();
        for (slot, index) in order.into_iter().enumerate() {
            if let Some(gap) = gap {
                tokio::time::sleep_until(start + gap * slot as u32).await;
            }
            let job = Job {
                index,
                planned: planned[index].clone(),
                drop_first: chance("drop", index, o.faults.drop_first),
                duplicate: chance("duplicate", index, o.faults.duplicate),
            };
            // The first attempt's permit is taken here, so first attempts start in sending
            // order; a delayed or dropped one takes none and holds nobody up.
            let delayed = chance("delay", index, o.faults.delay);
            let permit = if delayed || job.drop_first {
                None
            } else {
                Some(permits.clone().acquire_owned().await.expect("never closed"))
            };
            let inner = self.inner.clone();
            let permits = permits.clone();
            let delay = delayed.then_some(o.faults.delay_by);
            tasks.spawn(async move { inner.chain(job, permit, permits, delay, start).await });
        }
        let mut attempts: Vec<Vec<Attempt>> = vec![Vec::new(); planned.len()];
        while let Some(done) = tasks.join_next().await {
            if let Ok((index, a)) = done {
                attempts[index] = a;
            }
        }
        planned
            .into_iter()
            .zip(attempts)
            .map(|(p, attempts)| SentEvent {
                key: p.key,
                kind: p.kind,
                meeting_id: meeting_id.to_owned(),
                userid: p.userid,
                temp_id: p.temp_id,
                at_ms: p.at_ms,
                acknowledged: attempts
                    .iter()
                    .any(|a| a.outcome == AttemptOutcome::Acknowledged),
                attempts,
            })
            .collect()
    }
}

impl Inner {
    fn plan(&self, meeting_id: &str) -> Result<Vec<Planned>, PushError> {
        let state = &self.truth.state;
        let vendor = self.target.vendor;
        let catalog = match vendor {
            Vendor::WeCom => state.wecom.catalog(),
            _ => state.tencent.catalog(),
        };
        let m = catalog
            .iter()
            .find(|m| m.id == meeting_id)
            .ok_or_else(|| PushError::UnknownMeeting(meeting_id.to_owned()))?;
        if m.kind == MeetingKind::Recurring {
            return Err(PushError::Recurring(meeting_id.to_owned()));
        }
        let seed = self.options.seed;
        Ok(match vendor {
            Vendor::WeCom => {
                let rows = self.truth.wecom_attendees(meeting_id, None, None);
                plan::wecom(&rows, m, &self.target.corp_id, seed)
            }
            _ => plan::tencent(
                &self.truth.tencent_participants(meeting_id, None, None),
                m,
                seed,
            ),
        })
    }

    /// Signs (and encrypts) a plaintext for a fresh request named `label`:
    /// `[timestamp, nonce, payload, signature]`, the payload being Tencent's `data` /
    /// `check_str` or WeCom's `Encrypt` / `echostr`.
    fn seal(&self, plain: &str, label: &str) -> [String; 4] {
        let d = digest(self.options.seed, &["seal", label]);
        let nonce = (plan::u64_of(&d) % 1_000_000_000).to_string();
        let (ts, payload) = match (&self.key, self.target.vendor) {
            (Some(key), Vendor::WeCom) => {
                let mut random = [0u8; 16];
                random.copy_from_slice(&d[16..]);
                let sealed = key.wecom(random, plain.as_bytes(), &self.target.corp_id);
                (self.clock.unix(), sealed)
            }
            (Some(key), _) => (self.clock.unix_millis(), key.tencent(plain.as_bytes())),
            (None, _) => (self.clock.unix_millis(), crypto::base64(plain.as_bytes())),
        };
        let ts = ts.to_string();
        let sig = crypto::signature([&self.target.token, &ts, &nonce, &payload]);
        [ts, nonce, payload, sig]
    }

    /// Sends a request and reads the answer within the ack deadline.
    async fn exchange(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<(u16, String), AttemptOutcome> {
        let answer = async {
            let r = req.send().await?;
            Ok::<_, reqwest::Error>((r.status().as_u16(), r.text().await?))
        };
        match tokio::time::timeout(self.options.ack_deadline, answer).await {
            Err(_) => Err(AttemptOutcome::Timeout),
            Ok(Err(e)) if e.is_timeout() => Err(AttemptOutcome::Timeout),
            Ok(Err(_)) => Err(AttemptOutcome::NetworkError),
            Ok(Ok(answer)) => Ok(answer),
        }
    }

    /// One event: first attempt, retries on schedule, then the duplicate if any.
    async fn chain(
        self: Arc<Self>,
        job: Job,
        mut permit: Option<OwnedSemaphorePermit>,
        permits: Arc<Semaphore>,
        delay: Option<Duration>,
        start: Instant,
    ) -> (usize, Vec<Attempt>) {
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
        let mut attempts = Vec::new();
        let mut acked = false;
        for n in 0..=RETRY_UNITS.len() {
            if n > 0 {
                tokio::time::sleep(self.options.retry_unit * RETRY_UNITS[n - 1]).await;
            }
            // The attempt's time is when it is sent (after waiting for a slot, if any).
            let (at, outcome, latency) = if n == 0 && job.drop_first {
                (start.elapsed(), AttemptOutcome::Dropped, Duration::ZERO)
            } else {
                let _held = match permit.take() {
                    Some(p) => p,
                    None => permits.clone().acquire_owned().await.expect("never closed"),
                };
                let at = start.elapsed();
                let (outcome, latency) = self.send(&job.planned, &n.to_string()).await;
                (at, outcome, latency)
            };
            attempts.push(Attempt {
                outcome,
                at,
                latency,
                duplicate: false,
            });
            acked = outcome == AttemptOutcome::Acknowledged;
            // WeCom retries network failures and timeouts only; Tencent all but its ack.
            let final_answer = matches!(
                (outcome, self.target.vendor),
                (AttemptOutcome::Acknowledged, _) | (AttemptOutcome::Refused(_), Vendor::WeCom)
            );
            if final_answer {
                break;
            }
        }
        let counters = &self.progress.0;
        if acked {
            counters.acknowledged.fetch_add(1, Ordering::SeqCst);
        } else {
            counters.given_up.fetch_add(1, Ordering::SeqCst);
        }
        if acked && job.duplicate {
            let _held = permits.acquire_owned().await.expect("never closed");
            let at = start.elapsed();
            let (outcome, latency) = self.send(&job.planned, "duplicate").await;
            attempts.push(Attempt {
                outcome,
                at,
                latency,
                duplicate: true,
            });
        }
        (job.index, attempts)
    }

    /// One HTTP request for an event (`attempt` names it, for a fresh nonce and random bytes).
    async fn send(&self, p: &Planned, attempt: &str) -> (AttemptOutcome, Duration) {
        let [ts, nonce, data, sig] = self.seal(&p.body, &format!("{}|{attempt}", p.key));
        let t = &self.target;
        let req = match t.vendor {
            Vendor::WeCom => self
                .client
                .post(with_query(&t.url, &format!("msg_signature={sig}&timestamp={ts}&nonce={nonce}")))
                .header("content-type", "text/xml")
                .body(format!(
                    "<xml><ToUserName><![CDATA[{}]]></ToUserName><AgentID><![CDATA[{WECOM_AGENT_ID}]]></AgentID><Encrypt><![CDATA[{data}]]></Encrypt></xml>",
                    t.corp_id
                )),
            _ => self
                .client
                .post(&t.url)
                .header("content-type", "application/json")
                .header("timestamp", ts)
                .header("nonce", nonce)
                .header("signature", sig)
                .body(serde_json::json!({ "data": data }).to_string()),
        };
        let counters = &self.progress.0;
        counters.attempts.fetch_add(1, Ordering::SeqCst);
        let sent = Instant::now();
        let outcome = match self.exchange(req).await {
            Ok((200, body)) if t.vendor == Vendor::WeCom || body == TENCENT_ACK => {
                AttemptOutcome::Acknowledged
            }
            Ok((status, _)) => AttemptOutcome::Refused(status),
            Err(outcome) => outcome,
        };
        if outcome != AttemptOutcome::Acknowledged {
            counters.failures.fetch_add(1, Ordering::SeqCst);
        }
        tracing::debug!(key = %p.key, attempt, ?outcome, "push attempt");
        (outcome, sent.elapsed())
    }
}
