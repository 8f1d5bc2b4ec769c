//! The store of **roster**: meetings (one row per occurrence), their join sessions and
//! registrations, people, and what the last sync of each meeting did — in SQLite, embedded (the
//! file is created on first open), or PostgreSQL ([`open`] takes `sqlite:PATH` or a path, or
//! `postgres://…`; both behind the [`Store`] trait, with the same schema and rules).
//!
//! - **Migrations** are versioned SQL files (`migrations/`, embedded with `refinery`) applied
//!   on open; a store written by a newer roster (a schema version this one does not know) is a
//!   clear [`StoreError`], never a silent downgrade.
//! - **Idempotent writes**: [`Store::replace_meeting`] replaces a meeting's row, sessions,
//!   registrations and sync state in one transaction, so a meeting is either wholly the old data
//!   or wholly the new (a crash in between changes nothing), and writing the same export twice
//!   changes nothing.
//! - **People**: each session and registration gets a stable person key ([`person_key`]): the
//!   enterprise user id, else the phone or e-mail, else a key that is only valid inside its
//!   meeting (per-meeting temporary ids are never merged across meetings).
//!
//! - **Several workers on PostgreSQL** share the work ([`Store::claim`]: a lease per meeting,
//!   so each is exported by one worker), the access tokens ([`PgTokenStore`]: one fetch for
//!   all of them, a cross-process lock) and the rate budgets ([`PgRateBudgets`]: N processes
//!   together within the vendor app's budget). The last two plug into any vendor client:
//!
//! ```no_run
//! use std::sync::Arc;
//! use roster_core::ClientBuilder;
//! use roster_store::{PgRateBudgets, PgTokenStore};
//!
//! /// Any vendor's client builder, joined to the tokens and budgets of every process that
//! /// uses the database at `url`.
//! async fn shared<B: ClientBuilder>(builder: B, url: &str) -> roster_store::Result<B> {
//!     Ok(builder
//!         .token_store(Arc::new(PgTokenStore::connect(url).await?))
//!         .shared_budget(Arc::new(PgRateBudgets::connect(url).await?)))
//! }
//! ```
//!
//! ```
//! use roster_core::{Attendee, MeetingSummary, Vendor};
//! use roster_store::{SqliteStore, SyncOutcome};
//!
//! let store = SqliteStore::open_in_memory()?;
//! let meeting = MeetingSummary::new(Vendor::WeCom, "m1");
//! let mut session = Attendee::new(Vendor::WeCom, "m1");
//! session.user_id = Some("zhangsan".into());
//! store.replace_meeting(&meeting, &[session], &[], &SyncOutcome::complete(1_760_000_000))?;
//! assert_eq!(store.counts()?.sessions, 1);
//! # Ok::<(), roster_store::StoreError>(())
//! ```

use std::fmt;

use async_trait::async_trait;
use roster_core::{Attendee, MeetingSummary, Registration, Vendor};

mod budgets;
mod postgres;
mod push;
mod sqlite;
#[cfg(test)]
mod tests_common;
mod tokens;

pub use budgets::PgRateBudgets;
pub use postgres::PgStore;
pub use push::{
    LiveMeeting, LiveSession, MATCH_TOLERANCE_US, PresenceRow, PushMeeting, PushRecord,
    ReconciledSession, Seen, fold_presence, reconcile,
};
pub use sqlite::SqliteStore;
pub use tokens::PgTokenStore;

/// What went wrong with the store. Never contains a record's content.
#[derive(Debug)]
pub struct StoreError {
    kind: StoreErrorKind,
    message: String,
}

/// The kind of a [`StoreError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The store was written by a newer roster (a schema version this one does not know).
    NewerSchema,
    /// The database refused (I/O, corruption, constraint, migration failure).
    Database,
    /// A stored record does not decode.
    Corrupt,
}

impl StoreError {
    pub(crate) fn new(kind: StoreErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The kind.
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::new(StoreErrorKind::Database, e.to_string())
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The server's own message and SQLSTATE ("db error" alone says nothing).
        let text = match e.as_db_error() {
            Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
            None => e.to_string(),
        };
        StoreError::new(StoreErrorKind::Database, text)
    }
}

/// A store result.
pub type Result<T> = std::result::Result<T, StoreError>;

/// What a sync of one meeting did, kept in `sync_state`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncOutcome {
    /// When (Unix seconds).
    pub synced_unix: i64,
    /// Whether every record was read.
    pub complete: bool,
    /// The vendor's stated total, if it gave one.
    pub vendor_total: Option<u64>,
    /// The error of a failed attempt, or, on a complete one, what the operator may not read
    /// (registrations of a meeting someone else created).
    pub error: Option<String>,
}

impl SyncOutcome {
    /// A complete sync at `synced_unix`.
    pub fn complete(synced_unix: i64) -> Self {
        Self {
            synced_unix,
            complete: true,
            vendor_total: None,
            error: None,
        }
    }
}

/// Rows in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Meetings (occurrences).
    pub meetings: u64,
    /// Join sessions.
    pub sessions: u64,
    /// Registrations.
    pub registrations: u64,
    /// People.
    pub people: u64,
    /// Push deliveries (webhook events).
    pub pushes: u64,
}

/// The stable key of the person behind a record: `user:<vendor>:<user id>`, else
/// `phone:<phone>` or `email:<e-mail>`, else `meeting:<vendor>:<meeting>:<temp id or name>`
/// (valid inside its meeting only: temporary ids change from meeting to meeting).
pub fn person_key(
    vendor: Vendor,
    meeting_id: &str,
    user_id: Option<&str>,
    phone: Option<&str>,
    email: Option<&str>,
    local: Option<&str>,
) -> String {
    fn some(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|v| !v.is_empty())
    }
    if let Some(u) = some(user_id) {
        return format!("user:{vendor}:{u}");
    }
    if let Some(p) = some(phone) {
        return format!("phone:{p}");
    }
    if let Some(e) = some(email) {
        return format!("email:{}", e.to_lowercase());
    }
    format!(
        "meeting:{vendor}:{meeting_id}:{}",
        some(local).unwrap_or("")
    )
}

fn session_person(a: &Attendee) -> String {
    person_key(
        a.vendor,
        &a.meeting_id,
        a.user_id.as_deref(),
        a.phone.as_deref(),
        a.email.as_deref(),
        a.temp_id.as_deref().or(a.display_name.as_deref()),
    )
}

fn registration_person(r: &Registration) -> String {
    person_key(
        r.vendor,
        &r.meeting_id,
        r.user_id.as_deref(),
        r.phone.as_deref(),
        r.email.as_deref(),
        r.temp_id.as_deref().or(r.display_name.as_deref()),
    )
}

/// The highest migration version of `migrations`.
pub(crate) fn latest(migrations: &[refinery::Migration]) -> i64 {
    migrations
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// Refuses a store whose schema (`applied`, the highest version it records) is newer than the
/// `known` one: a newer roster wrote it.
pub(crate) fn refuse_newer(applied: Option<i64>, known: i64) -> Result<()> {
    match applied.filter(|v| *v > known) {
        Some(v) => Err(StoreError::new(
            StoreErrorKind::NewerSchema,
            format!(
                "the store has schema version {v}, newer than this roster knows ({known}): use a newer roster"
            ),
        )),
        None => Ok(()),
    }
}

/// The one statement that records a sync's outcome (`$1`…`$7`: vendor, meeting id,
/// occurrence, synced at, complete, vendor total, error), for both backends.
/// The meeting row of a summary (`$1`–`$11`: vendor, id, occurrence, subject, start, end,
/// state, host, host name, participants, extra JSON).
macro_rules! insert_meeting {
    () => {
        "INSERT INTO meetings (vendor, meeting_id, occurrence, subject, start_unix, end_unix, state, host, host_name, participants, extra)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    };
}

/// Writes a meeting row (after its old one was deleted).
pub(crate) const INSERT_MEETING: &str = insert_meeting!();

/// Writes a meeting row unless one is stored (a failed sync keeps what an earlier one wrote).
pub(crate) const INSERT_MEETING_IF_ABSENT: &str = concat!(
    insert_meeting!(),
    " ON CONFLICT (vendor, meeting_id, occurrence) DO NOTHING"
);

pub(crate) const UPSERT_SYNC_STATE: &str = "INSERT INTO sync_state (vendor, meeting_id, occurrence, synced_unix, complete, vendor_total, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (vendor, meeting_id, occurrence) DO UPDATE SET
       synced_unix = excluded.synced_unix, complete = excluded.complete,
       vendor_total = excluded.vendor_total, error = excluded.error";

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::new(StoreErrorKind::Corrupt, format!("cannot encode: {e}")))
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::new(
            StoreErrorKind::Corrupt,
            format!("a stored record does not decode: {e}"),
        )
    })
}

/// One session row: `(person, joined, left, record, display name)`.
pub(crate) type SessionRow<'a> = (String, Option<i64>, Option<i64>, String, Option<&'a str>);

/// A meeting's rows as both backends write them.
pub(crate) struct Rows<'a> {
    pub vendor: &'static str,
    pub id: &'a str,
    pub occurrence: &'a str,
    pub extra: String,
    /// The sessions, in export order.
    pub sessions: Vec<SessionRow<'a>>,
    /// `(person, record, display name)`.
    pub registrations: Vec<(String, String, Option<&'a str>)>,
}

impl Rows<'_> {
    /// Each person of the sessions and registrations once, in order of first appearance, with
    /// the last name given (sessions, then registrations): one `people` upsert each, with the
    /// same outcome as one per row would have.
    pub(crate) fn people(&self) -> Vec<(&str, Option<&str>)> {
        let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut out: Vec<(&str, Option<&str>)> = Vec::new();
        let rows = self
            .sessions
            .iter()
            .map(|s| (s.0.as_str(), s.4))
            .chain(self.registrations.iter().map(|r| (r.0.as_str(), r.2)));
        for (person, name) in rows {
            match index.get(person) {
                Some(&i) => {
                    if name.is_some() {
                        out[i].1 = name;
                    }
                }
                None => {
                    index.insert(person, out.len());
                    out.push((person, name));
                }
            }
        }
        out
    }
}

/// What is stored for one meeting, as text, to tell a change: the meeting row
/// (`subject|start|end|state|extra`), then every session record and every registration record
/// in order. Both backends read the stored one back in the same shape, inside the write's
/// transaction.
pub(crate) fn fingerprint_of(meeting: &MeetingSummary, rows: &Rows<'_>) -> String {
    let unix = |t: Option<time::OffsetDateTime>| {
        t.map(|t| t.unix_timestamp().to_string())
            .unwrap_or_default()
    };
    let mut out = format!(
        "{}|{}|{}|{}|{}",
        meeting.subject.as_deref().unwrap_or(""),
        unix(meeting.start),
        unix(meeting.end),
        meeting.state.map_or("", |s| s.as_str()),
        rows.extra
    );
    for record in rows
        .sessions
        .iter()
        .map(|s| &s.3)
        .chain(rows.registrations.iter().map(|r| &r.1))
    {
        out.push('\n');
        out.push_str(record);
    }
    out
}

impl<'a> Rows<'a> {
    pub(crate) fn of(
        meeting: &'a MeetingSummary,
        sessions: &'a [Attendee],
        registrations: &'a [Registration],
    ) -> Result<Self> {
        Ok(Self {
            vendor: meeting.vendor.as_str(),
            id: &meeting.meeting_id,
            occurrence: meeting.sub_meeting_id.as_deref().unwrap_or(""),
            extra: json(&meeting.extra)?,
            sessions: sessions
                .iter()
                .map(|a| {
                    Ok((
                        session_person(a),
                        a.joined_at.map(|t| t.unix_timestamp()),
                        a.left_at.map(|t| t.unix_timestamp()),
                        json(a)?,
                        a.display_name.as_deref(),
                    ))
                })
                .collect::<Result<_>>()?,
            registrations: registrations
                .iter()
                .map(|r| Ok((registration_person(r), json(r)?, r.display_name.as_deref())))
                .collect::<Result<_>>()?,
        })
    }
}

/// One person's attendance over the meetings of a range (see [`Store::person_totals`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct PersonTotal {
    /// The person key ([`person_key`]).
    pub person: String,
    /// The latest name seen.
    pub display_name: Option<String>,
    /// Meetings (occurrences) attended.
    pub meetings: u64,
    /// Minutes attended, overlapping sessions counted once.
    pub minutes: u64,
    /// First join.
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_joined: Option<time::OffsetDateTime>,
    /// Last leave.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_left: Option<time::OffsetDateTime>,
}

/// One stored session as the totals read it: person, meeting key, join, leave, name.
pub(crate) type SessionSpan = (String, String, Option<i64>, Option<i64>, Option<String>);

/// Per-person totals of `spans`, by person key.
pub(crate) fn totals(spans: Vec<SessionSpan>) -> Vec<PersonTotal> {
    use std::collections::{BTreeMap, BTreeSet};
    /// Per person: the meetings, the `(join, leave)` spans and the latest name.
    type Seen = (BTreeSet<String>, Vec<(i64, i64)>, Option<String>);
    let mut by_person: BTreeMap<String, Seen> = BTreeMap::new();
    for (person, meeting, joined, left, name) in spans {
        let entry = by_person.entry(person).or_default();
        entry.0.insert(meeting);
        if let (Some(j), Some(l)) = (joined, left.or(joined)) {
            entry.1.push((j, l.max(j)));
        }
        if name.is_some() {
            entry.2 = name;
        }
    }
    by_person
        .into_iter()
        .map(|(person, (meetings, mut spans, display_name))| {
            spans.sort_unstable();
            let mut seconds = 0i64;
            let mut current: Option<(i64, i64)> = None;
            for (start, end) in spans.iter().copied() {
                current = match current {
                    Some((s, e)) if start <= e => Some((s, e.max(end))),
                    Some((s, e)) => {
                        seconds += e - s;
                        Some((start, end))
                    }
                    None => Some((start, end)),
                };
            }
            if let Some((s, e)) = current {
                seconds += e - s;
            }
            let at =
                |t: Option<i64>| t.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok());
            PersonTotal {
                person,
                display_name,
                meetings: meetings.len() as u64,
                minutes: u64::try_from(seconds / 60).unwrap_or(0),
                first_joined: at(spans.first().map(|s| s.0)),
                last_left: at(spans.iter().map(|s| s.1).max()),
            }
        })
        .collect()
}

/// The statement reading the sessions of the meetings starting in `[$1, $2)`, for both
/// backends.
pub(crate) const SESSIONS_IN_RANGE: &str = "SELECT s.person, s.vendor || '/' || s.meeting_id || '/' || s.occurrence, s.joined_unix, s.left_unix, p.display_name
     FROM sessions s
     JOIN meetings m ON m.vendor = s.vendor AND m.meeting_id = s.meeting_id AND m.occurrence = s.occurrence
     LEFT JOIN people p ON p.person = s.person
     WHERE m.start_unix >= $1 AND m.start_unix < $2";

/// The statement reading the meetings of a vendor whose last sync was incomplete (`$1`:
/// vendor), for both backends: id, occurrence, subject, start, end, state, host, host name,
/// participants, extra.
pub(crate) const INCOMPLETE_MEETINGS: &str = "SELECT m.meeting_id, m.occurrence, m.subject, m.start_unix, m.end_unix, m.state, m.host, m.host_name, m.participants, m.extra
     FROM sync_state s
     JOIN meetings m ON m.vendor = s.vendor AND m.meeting_id = s.meeting_id AND m.occurrence = s.occurrence
     WHERE s.vendor = $1 AND NOT s.complete
     ORDER BY m.start_unix, m.meeting_id, m.occurrence";

/// A meeting's sessions, in export order (`$1`–`$3`: vendor, id, occurrence).
pub(crate) const SELECT_SESSIONS: &str = "SELECT record FROM sessions WHERE vendor = $1 AND meeting_id = $2 AND occurrence = $3 ORDER BY seq";

/// A meeting's registrations, in export order (`$1`–`$3`: vendor, id, occurrence).
pub(crate) const SELECT_REGISTRATIONS: &str = "SELECT record FROM registrations WHERE vendor = $1 AND meeting_id = $2 AND occurrence = $3 ORDER BY seq";

/// The meetings starting in `[$1, $2)`: vendor, id, occurrence, subject, start, end, state,
/// host, host name, participants, extra.
pub(crate) const MEETINGS_IN_RANGE: &str = "SELECT vendor, meeting_id, occurrence, subject, start_unix, end_unix, state, host, host_name, participants, extra
     FROM meetings WHERE start_unix >= $1 AND start_unix < $2
     ORDER BY start_unix, vendor, meeting_id, occurrence";

/// A stored meeting row as a summary.
#[allow(clippy::too_many_arguments)]
pub(crate) fn stored_summary(
    vendor: Vendor,
    id: String,
    occurrence: String,
    subject: Option<String>,
    start: Option<i64>,
    end: Option<i64>,
    state: Option<String>,
    host: Option<String>,
    host_name: Option<String>,
    participants: Option<i64>,
    extra: &str,
) -> MeetingSummary {
    let at = |t: Option<i64>| t.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok());
    let mut m = MeetingSummary::new(vendor, id);
    m.sub_meeting_id = (!occurrence.is_empty()).then_some(occurrence);
    m.subject = subject;
    m.start = at(start);
    m.end = at(end);
    m.state = state.and_then(|s| {
        roster_core::MeetingState::ALL
            .into_iter()
            .find(|known| known.as_str() == s)
    });
    m.host = host;
    m.host_name = host_name;
    m.participants = participants.and_then(|n| u64::try_from(n).ok());
    m.extra = serde_json::from_str(extra).unwrap_or_default();
    m
}

/// A store of meetings, sessions, registrations, people and sync state: SQLite
/// ([`SqliteStore`]) or PostgreSQL ([`PgStore`]). Nothing in it assumes one process: every
/// write is one transaction per meeting.
#[async_trait]
pub trait Store: Send + Sync {
    /// Replaces everything stored for `meeting` (its row, sessions, registrations and sync
    /// state) in one transaction; whether anything changed.
    async fn replace_meeting(
        &self,
        meeting: &MeetingSummary,
        sessions: &[Attendee],
        registrations: &[Registration],
        outcome: &SyncOutcome,
    ) -> Result<bool>;

    /// Records a failed sync of a meeting, in one transaction: its sync state, and its row
    /// if none is stored (so that a meeting failing on its first sync is found again by
    /// [`Store::incomplete_meetings`]); the data stored before (if any) stays as it was.
    async fn record_failure(&self, meeting: &MeetingSummary, outcome: &SyncOutcome) -> Result<()>;

    /// The sessions stored for a meeting (or one occurrence), in export order.
    async fn sessions(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Vec<Attendee>>;

    /// The registrations stored for a meeting (or one occurrence), in export order.
    async fn registrations(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Vec<Registration>>;

    /// The meetings (occurrences) starting in `[from, to)` (Unix seconds), by start.
    async fn meetings_in_range(&self, from: i64, to: i64) -> Result<Vec<MeetingSummary>>;

    /// The sync state of a meeting (or occurrence), if it was ever synced.
    async fn sync_state(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Option<SyncOutcome>>;

    /// How many rows each table holds.
    async fn counts(&self) -> Result<Counts>;

    /// Records a finished sync of `vendor` over the meetings starting in `[from, to)`.
    async fn record_run(&self, vendor: Vendor, from: i64, to: i64, finished: i64) -> Result<()>;

    /// Where the last finished sync of `vendor` ended (`to`, Unix seconds), if any.
    async fn last_run_end(&self, vendor: Vendor) -> Result<Option<i64>>;

    /// The meetings of `vendor` whose last sync was incomplete or failed, as stored (to sync
    /// again).
    async fn incomplete_meetings(&self, vendor: Vendor) -> Result<Vec<MeetingSummary>>;

    /// One row per person over the meetings (occurrences) starting in `[from, to)` (Unix
    /// seconds): meetings attended, minutes with overlapping sessions counted once, first join
    /// and last leave; by person key.
    async fn person_totals(&self, from: i64, to: i64) -> Result<Vec<PersonTotal>>;

    /// Registers a sync worker named `name` (for a shared store: the claims below know it by
    /// that name and its start on the store's clock). The default is a worker alone on its
    /// store (SQLite).
    async fn start_worker(&self, name: &str) -> Result<Worker> {
        Ok(Worker {
            name: name.to_string(),
            started_us: 0,
        })
    }

    /// Claims `meeting` for `worker` until `lease` from now, so that of several workers on
    /// one store exactly one exports it: [`Claim::Mine`] when this worker should export it,
    /// [`Claim::Held`] while another worker holds an unexpired claim on it (ask again later:
    /// if that worker dies, its lease ends and the claim is taken over), [`Claim::Done`] when
    /// another worker finished it no earlier than `fresh_for` before this worker started. The
    /// default (a store of one worker) always claims.
    async fn claim(
        &self,
        worker: &Worker,
        meeting: &MeetingSummary,
        lease: std::time::Duration,
        fresh_for: std::time::Duration,
    ) -> Result<Claim> {
        let _ = (worker, meeting, lease, fresh_for);
        Ok(Claim::Mine)
    }

    /// Marks `worker`'s claim on `meeting` done (written or failed: its sync state says which).
    async fn finish_claim(&self, worker: &Worker, meeting: &MeetingSummary) -> Result<()> {
        let _ = (worker, meeting);
        Ok(())
    }

    /// From now on, makes every commit survive a power cut, not only a crash of the process
    /// (SQLite: `synchronous = FULL`; PostgreSQL commits are durable already). For a receiver
    /// of pushes: a delivery acknowledged is never sent again.
    async fn make_durable(&self) -> Result<()> {
        Ok(())
    }

    /// Writes verified push deliveries, their joins and leaves and their meetings
    /// ([`LiveMeeting`]) in one transaction, before the vendor is acknowledged (a receiver
    /// writes what arrived together at once: one commit for many deliveries); for each,
    /// `false` when it was stored already (a redelivery: nothing changes).
    async fn record_pushes(&self, pushes: &[PushRecord<'_>]) -> Result<Vec<bool>>;

    /// [`Store::record_pushes`] of one delivery.
    async fn record_push(&self, push: &PushRecord<'_>) -> Result<bool> {
        Ok(self
            .record_pushes(std::slice::from_ref(push))
            .await?
            .first()
            .copied()
            .unwrap_or(false))
    }

    /// The meeting pushes were received for, if any.
    async fn live_meeting(&self, vendor: Vendor, meeting_id: &str) -> Result<Option<LiveMeeting>>;

    /// The meetings to reconcile at `now_us`: not reconciled yet, not waiting after a failed
    /// attempt, and either ended (the vendor's end event) no later than `settled_before_us`, or
    /// without a push since `quiet_since_us`.
    async fn due_live_meetings(
        &self,
        now_us: i64,
        settled_before_us: i64,
        quiet_since_us: i64,
    ) -> Result<Vec<LiveMeeting>>;

    /// Records the reconciliation of a meeting at `now_us`: done (`Ok`; its end is `now_us`
    /// if none was noticed), or failed with a reason, to try again after `retry_after_us`.
    /// Only if its last push is still `last_push_us` (what the reconciler read when it took the
    /// meeting): a push that arrived meanwhile leaves it due, to be reconciled again; `false`
    /// then.
    async fn record_reconciliation(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        last_push_us: i64,
        now_us: i64,
        outcome: std::result::Result<(), (&str, i64)>,
    ) -> Result<bool>;

    /// The stored row of a meeting (not an occurrence), if any.
    async fn stored_meeting(
        &self,
        vendor: Vendor,
        meeting_id: &str,
    ) -> Result<Option<MeetingSummary>>;

    /// The stored (pulled) sessions of a meeting, each with how pushes saw it ([`reconcile`]
    /// against the stored joins and the meeting's noticed end); empty when none is stored.
    async fn reconciled_sessions(
        &self,
        vendor: Vendor,
        meeting_id: &str,
    ) -> Result<Vec<ReconciledSession>> {
        let pulled = self.sessions(vendor, meeting_id, None).await?;
        let pushed = self.presence(Some(vendor), Some(meeting_id)).await?;
        let ended = self
            .live_meeting(vendor, meeting_id)
            .await?
            .and_then(|m| m.ended_us);
        Ok(reconcile(pulled, &pushed, ended, MATCH_TOLERANCE_US).0)
    }

    /// The stored joins and leaves, of one vendor and meeting when given.
    async fn presence(
        &self,
        vendor: Option<Vendor>,
        meeting_id: Option<&str>,
    ) -> Result<Vec<PresenceRow>>;

    /// The sessions folded from the pushed joins and leaves ([`fold_presence`]).
    async fn live_sessions(
        &self,
        vendor: Option<Vendor>,
        meeting_id: Option<&str>,
    ) -> Result<Vec<LiveSession>> {
        Ok(fold_presence(self.presence(vendor, meeting_id).await?))
    }
}

/// What [`Store::claim`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This worker exports the meeting.
    Mine,
    /// Another worker holds an unexpired claim on it.
    Held,
    /// Another worker finished it recently.
    Done,
}

/// A sync worker on a store (see [`Store::start_worker`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worker {
    /// Its name: unique among the workers of one store (host and process id).
    pub name: String,
    /// When it started, in microseconds of the store's clock (0 for a store of one worker).
    pub started_us: i64,
}

/// Whether `url` names a PostgreSQL store (`postgres://…` or `postgresql://…`).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Opens the store at `url`: `postgres://…` or `postgresql://…` for PostgreSQL, `sqlite:PATH`
/// or a plain path for SQLite.
pub async fn open(url: &str) -> Result<Box<dyn Store>> {
    if is_postgres_url(url) {
        return Ok(Box::new(PgStore::connect(url).await?));
    }
    let path = url.strip_prefix("sqlite:").unwrap_or(url);
    Ok(Box::new(SqliteStore::open(std::path::Path::new(path))?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_person_once_with_the_last_name_given() {
        let meeting = MeetingSummary::new(Vendor::TencentMeeting, "m");
        let session = |user: &str, name: Option<&str>| {
            let mut a = Attendee::new(Vendor::TencentMeeting, "m");
            a.user_id = Some(user.into());
            a.display_name = name.map(str::to_string);
            a
        };
        let sessions = [
            session("u1", Some("甲")),
            session("u2", None),
            session("u1", None),
            session("u1", Some("甲二")),
        ];
        let mut r = Registration::new(Vendor::TencentMeeting, "m");
        r.phone = Some("13800000000".into());
        r.display_name = Some("报名人".into());
        let rows = Rows::of(&meeting, &sessions, std::slice::from_ref(&r)).unwrap();
        assert_eq!(
            rows.people(),
            vec![
                ("user:tencent_meeting:u1", Some("甲二")),
                ("user:tencent_meeting:u2", None),
                ("phone:13800000000", Some("报名人")),
            ]
        );
    }
}
