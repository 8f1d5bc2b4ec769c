//! The store of **roster**: meetings (one row per occurrence), their join sessions and
//! registrations, people, and what the last sync of each meeting did — in SQLite, embedded
//! (the file is created on first open).
//!
//! - **Migrations** are versioned SQL files (`migrations/`, embedded with `refinery`) applied
//!   on open; a store written by a newer roster (a schema version this one does not know) is a
//!   clear [`StoreError`], never a silent downgrade.
//! - **Idempotent writes**: [`SqliteStore::replace_meeting`] replaces a meeting's row, sessions,
//!   registrations and sync state in one transaction, so a meeting is either wholly the old data
//!   or wholly the new (a crash in between changes nothing), and writing the same export twice
//!   changes nothing.
//! - **People**: each session and registration gets a stable person key ([`person_key`]): the
//!   enterprise user id, else the phone or e-mail, else a key that is only valid inside its
//!   meeting (per-meeting temporary ids are never merged across meetings).
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
use std::path::Path;
use std::sync::Mutex;

use roster_core::{Attendee, MeetingSummary, Registration, Vendor};
use rusqlite::{Connection, OptionalExtension, params};

mod embedded {
    refinery::embed_migrations!("migrations");
}

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
    fn new(kind: StoreErrorKind, message: impl Into<String>) -> Self {
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
        StoreError::new(StoreErrorKind::Database, format!("the store: {e}"))
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
    /// The error of a failed attempt.
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

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::new(StoreErrorKind::Corrupt, format!("cannot encode: {e}")))
}

/// The SQLite store (see the [crate docs](crate)). Cheap to share behind an `Arc`; calls are
/// serialised on one connection.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating it if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        Self::prepare(Connection::open(path)?)
    }

    /// A store in memory (tests, examples).
    pub fn open_in_memory() -> Result<Self> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(mut conn: Connection) -> Result<Self> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let known = embedded::migrations::runner()
            .get_migrations()
            .iter()
            .map(|m| i64::from(m.version()))
            .max()
            .unwrap_or(0);
        let has_history: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)?;
        if has_history {
            let applied: Option<i64> = conn.query_row(
                "SELECT max(version) FROM refinery_schema_history",
                [],
                |r| r.get(0),
            )?;
            if let Some(v) = applied.filter(|v| *v > known) {
                return Err(StoreError::new(
                    StoreErrorKind::NewerSchema,
                    format!(
                        "the store has schema version {v}, newer than this roster knows ({known}): use a newer roster"
                    ),
                ));
            }
        }
        embedded::migrations::runner().run(&mut conn).map_err(|e| {
            StoreError::new(
                StoreErrorKind::Database,
                format!("migrating the store: {e}"),
            )
        })?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces everything stored for `meeting` (its row, sessions, registrations and sync
    /// state) in one transaction. Returns whether anything changed.
    pub fn replace_meeting(
        &self,
        meeting: &MeetingSummary,
        sessions: &[Attendee],
        registrations: &[Registration],
        outcome: &SyncOutcome,
    ) -> Result<bool> {
        let vendor = meeting.vendor.as_str();
        let occurrence = meeting.sub_meeting_id.as_deref().unwrap_or("");
        let id = meeting.meeting_id.as_str();
        let session_rows: Vec<(String, Option<i64>, Option<i64>, String)> = sessions
            .iter()
            .map(|a| {
                Ok((
                    session_person(a),
                    a.joined_at.map(|t| t.unix_timestamp()),
                    a.left_at.map(|t| t.unix_timestamp()),
                    json(a)?,
                ))
            })
            .collect::<Result<_>>()?;
        let registration_rows: Vec<(String, String)> = registrations
            .iter()
            .map(|r| Ok((registration_person(r), json(r)?)))
            .collect::<Result<_>>()?;
        let before = self.fingerprint(vendor, id, occurrence)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "DELETE FROM meetings WHERE vendor = ?1 AND meeting_id = ?2 AND occurrence = ?3",
            params![vendor, id, occurrence],
        )?;
        tx.execute(
            "INSERT INTO meetings (vendor, meeting_id, occurrence, subject, start_unix, end_unix, state, host, host_name, participants, extra)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                vendor,
                id,
                occurrence,
                meeting.subject,
                meeting.start.map(|t| t.unix_timestamp()),
                meeting.end.map(|t| t.unix_timestamp()),
                meeting.state.map(|s| s.as_str()),
                meeting.host,
                meeting.host_name,
                meeting.participants.and_then(|n| i64::try_from(n).ok()),
                json(&meeting.extra)?,
            ],
        )?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO sessions (vendor, meeting_id, occurrence, seq, person, joined_unix, left_unix, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut person = tx.prepare(
                "INSERT INTO people (person, display_name) VALUES (?1, ?2)
                 ON CONFLICT (person) DO UPDATE SET display_name = coalesce(excluded.display_name, display_name)",
            )?;
            for (seq, ((key, joined, left, record), a)) in
                session_rows.iter().zip(sessions).enumerate()
            {
                insert.execute(params![
                    vendor, id, occurrence, seq as i64, key, joined, left, record
                ])?;
                person.execute(params![key, a.display_name])?;
            }
            let mut insert = tx.prepare(
                "INSERT INTO registrations (vendor, meeting_id, occurrence, seq, person, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (seq, ((key, record), r)) in registration_rows.iter().zip(registrations).enumerate()
            {
                insert.execute(params![vendor, id, occurrence, seq as i64, key, record])?;
                person.execute(params![key, r.display_name])?;
            }
        }
        tx.execute(
            "INSERT INTO sync_state (vendor, meeting_id, occurrence, synced_unix, complete, vendor_total, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (vendor, meeting_id, occurrence) DO UPDATE SET
               synced_unix = excluded.synced_unix, complete = excluded.complete,
               vendor_total = excluded.vendor_total, error = excluded.error",
            params![
                vendor,
                id,
                occurrence,
                outcome.synced_unix,
                outcome.complete,
                outcome.vendor_total.and_then(|n| i64::try_from(n).ok()),
                outcome.error,
            ],
        )?;
        tx.commit()?;
        drop(conn);
        Ok(self.fingerprint(vendor, id, occurrence)? != before)
    }

    /// A digest of what is stored for one meeting (its rows, in order), to tell a change.
    fn fingerprint(&self, vendor: &str, id: &str, occurrence: &str) -> Result<String> {
        let conn = self.conn();
        let meeting: Option<String> = conn
            .query_row(
                "SELECT coalesce(subject, '') || '|' || coalesce(start_unix, '') || '|' || coalesce(end_unix, '') || '|' || coalesce(state, '') || '|' || extra
                 FROM meetings WHERE vendor = ?1 AND meeting_id = ?2 AND occurrence = ?3",
                params![vendor, id, occurrence],
                |r| r.get(0),
            )
            .optional()?;
        let mut records = conn.prepare(
            "SELECT record FROM sessions WHERE vendor = ?1 AND meeting_id = ?2 AND occurrence = ?3
             UNION ALL SELECT record FROM registrations WHERE vendor = ?1 AND meeting_id = ?2 AND occurrence = ?3",
        )?;
        let mut out = meeting.unwrap_or_default();
        let rows = records.query_map(params![vendor, id, occurrence], |r| r.get::<_, String>(0))?;
        for row in rows {
            out.push('\n');
            out.push_str(&row?);
        }
        Ok(out)
    }

    /// The sessions stored for a meeting (or one occurrence), in export order.
    pub fn sessions(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Vec<Attendee>> {
        let conn = self.conn();
        let mut q = conn.prepare(
            "SELECT record FROM sessions WHERE vendor = ?1 AND meeting_id = ?2 AND occurrence = ?3 ORDER BY seq",
        )?;
        let rows = q.query_map(
            params![vendor.as_str(), meeting_id, occurrence.unwrap_or("")],
            |r| r.get::<_, String>(0),
        )?;
        rows.map(|row| {
            serde_json::from_str(&row?).map_err(|e| {
                StoreError::new(
                    StoreErrorKind::Corrupt,
                    format!("a stored session does not decode: {e}"),
                )
            })
        })
        .collect()
    }

    /// The sync state of a meeting (or occurrence), if it was ever synced.
    pub fn sync_state(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Option<SyncOutcome>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT synced_unix, complete, vendor_total, error FROM sync_state
                 WHERE vendor = ?1 AND meeting_id = ?2 AND occurrence = ?3",
                params![vendor.as_str(), meeting_id, occurrence.unwrap_or("")],
                |r| {
                    Ok(SyncOutcome {
                        synced_unix: r.get(0)?,
                        complete: r.get(1)?,
                        vendor_total: r
                            .get::<_, Option<i64>>(2)?
                            .and_then(|n| u64::try_from(n).ok()),
                        error: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// How many rows each table holds.
    pub fn counts(&self) -> Result<Counts> {
        let conn = self.conn();
        let count = |table: &str| -> Result<u64> {
            let n: i64 =
                conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        Ok(Counts {
            meetings: count("meetings")?,
            sessions: count("sessions")?,
            registrations: count("registrations")?,
            people: count("people")?,
        })
    }
}
