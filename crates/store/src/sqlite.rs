//! The SQLite backend: one connection, calls serialised on it (short local transactions, run on
//! the calling task).

use std::fmt;
use std::path::Path;
use std::sync::Mutex;

use async_trait::async_trait;
use roster_core::webhook::PresenceKind;
use roster_core::{Attendee, MeetingSummary, Registration, Vendor};
use rusqlite::{Connection, OptionalExtension, params};

use crate::push::{
    DUE_LIVE_MEETINGS, INSERT_PRESENCE, INSERT_PUSH, LIVE_MEETING_COLUMNS, RECONCILE_FAILED,
    RECONCILED, SELECT_PRESENCE, STORED_MEETING, UPSERT_LIVE_MEETING, micros, presence_person,
};
use crate::{
    Counts, INCOMPLETE_MEETINGS, INSERT_MEETING, INSERT_MEETING_IF_ABSENT, LiveMeeting,
    PersonTotal, PresenceRow, PushRecord, Result, Rows, SELECT_REGISTRATIONS, SELECT_SESSIONS,
    SESSIONS_IN_RANGE, SessionSpan, Store, StoreError, StoreErrorKind, SyncOutcome,
    UPSERT_SYNC_STATE, decode, fingerprint_of, latest, refuse_newer, stored_summary, totals,
};

mod embedded {
    refinery::embed_migrations!("migrations/sqlite");
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
        // Pages of 16 KiB (a new file only; an existing one keeps its own): a quarter of the
        // page reads and writes of the 4 KiB default for rows of a few hundred bytes of JSON,
        // which nearly doubles the write rate (`cargo xtask bench`, B6).
        conn.pragma_update(None, "page_size", 16384)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // In WAL mode, NORMAL syncs at checkpoints rather than at every commit: a crash of the
        // process loses nothing, a power cut may lose the last commits but never leaves a
        // meeting half-written (the next sync writes them again).
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // An 8 MiB page cache (the default is 2 MiB): fewer re-reads of index pages while a
        // large store is written, and still a fixed bound on memory.
        conn.pragma_update(None, "cache_size", -8192)?;
        let known = latest(embedded::migrations::runner().get_migrations());
        let has_history: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)?;
        if has_history {
            refuse_newer(
                conn.query_row(
                    "SELECT max(version) FROM refinery_schema_history",
                    [],
                    |r| r.get(0),
                )?,
                known,
            )?;
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
        let rows = Rows::of(meeting, sessions, registrations)?;
        let (vendor, id, occurrence) = (rows.vendor, rows.id, rows.occurrence);
        let after = fingerprint_of(meeting, &rows);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let before = stored_fingerprint(&tx, vendor, id, occurrence)?;
        tx.execute(
            "DELETE FROM meetings WHERE vendor = ?1 AND meeting_id = ?2 AND occurrence = ?3",
            params![vendor, id, occurrence],
        )?;
        insert_meeting(&tx, INSERT_MEETING, meeting, &rows)?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO sessions (vendor, meeting_id, occurrence, seq, person, joined_unix, left_unix, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for (seq, (key, joined, left, record, _)) in rows.sessions.iter().enumerate() {
                insert.execute(params![
                    vendor, id, occurrence, seq as i64, key, joined, left, record
                ])?;
            }
            let mut insert = tx.prepare(
                "INSERT INTO registrations (vendor, meeting_id, occurrence, seq, person, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (seq, (key, record, _)) in rows.registrations.iter().enumerate() {
                insert.execute(params![vendor, id, occurrence, seq as i64, key, record])?;
            }
            let mut person = tx.prepare(
                "INSERT INTO people (person, display_name) VALUES (?1, ?2)
                 ON CONFLICT (person) DO UPDATE SET display_name = coalesce(excluded.display_name, display_name)",
            )?;
            for (key, name) in rows.people() {
                person.execute(params![key, name])?;
            }
        }
        tx.execute(
            UPSERT_SYNC_STATE,
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
        Ok(after != before)
    }

    /// Records a failed sync (see [`Store::record_failure`]).
    pub fn record_failure(&self, meeting: &MeetingSummary, outcome: &SyncOutcome) -> Result<()> {
        let rows = Rows::of(meeting, &[], &[])?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        insert_meeting(&tx, INSERT_MEETING_IF_ABSENT, meeting, &rows)?;
        tx.execute(
            UPSERT_SYNC_STATE,
            params![
                rows.vendor,
                rows.id,
                rows.occurrence,
                outcome.synced_unix,
                outcome.complete,
                outcome.vendor_total.and_then(|n| i64::try_from(n).ok()),
                outcome.error,
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The sessions stored for a meeting (or one occurrence), in export order.
    pub fn sessions(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Vec<Attendee>> {
        self.records(SELECT_SESSIONS, vendor, meeting_id, occurrence)
    }

    /// The JSON records `statement` selects for a meeting (`$1`–`$3`: vendor, id,
    /// occurrence), decoded.
    fn records<T: serde::de::DeserializeOwned>(
        &self,
        statement: &str,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Vec<T>> {
        let conn = self.conn();
        let mut q = conn.prepare_cached(statement)?;
        let rows = q.query_map(
            params![vendor.as_str(), meeting_id, occurrence.unwrap_or("")],
            |r| r.get::<_, String>(0),
        )?;
        rows.map(|row| decode(&row?)).collect()
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
            pushes: count("push_events")?,
        })
    }
}

/// What is stored for one meeting, in the shape of [`crate::fingerprint_of`] (empty when none).
fn stored_fingerprint(
    conn: &Connection,
    vendor: &str,
    id: &str,
    occurrence: &str,
) -> Result<String> {
    let meeting: Option<String> = conn
        .query_row(
            "SELECT coalesce(subject, '') || '|' || coalesce(start_unix, '') || '|' || coalesce(end_unix, '') || '|' || coalesce(state, '') || '|' || extra
             FROM meetings WHERE vendor = ?1 AND meeting_id = ?2 AND occurrence = ?3",
            params![vendor, id, occurrence],
            |r| r.get(0),
        )
        .optional()?;
    let Some(mut out) = meeting else {
        return Ok(String::new());
    };
    for table in ["sessions", "registrations"] {
        let mut records = conn.prepare(&format!(
            "SELECT record FROM {table} WHERE vendor = ?1 AND meeting_id = ?2 AND occurrence = ?3 ORDER BY seq"
        ))?;
        let rows = records.query_map(params![vendor, id, occurrence], |r| r.get::<_, String>(0))?;
        for row in rows {
            out.push('\n');
            out.push_str(&row?);
        }
    }
    Ok(out)
}

#[async_trait]
impl Store for SqliteStore {
    async fn replace_meeting(
        &self,
        meeting: &MeetingSummary,
        sessions: &[Attendee],
        registrations: &[Registration],
        outcome: &SyncOutcome,
    ) -> Result<bool> {
        SqliteStore::replace_meeting(self, meeting, sessions, registrations, outcome)
    }

    async fn record_failure(&self, meeting: &MeetingSummary, outcome: &SyncOutcome) -> Result<()> {
        SqliteStore::record_failure(self, meeting, outcome)
    }

    async fn make_durable(&self) -> Result<()> {
        self.conn().pragma_update(None, "synchronous", "FULL")?;
        Ok(())
    }

    async fn record_pushes(&self, pushes: &[PushRecord<'_>]) -> Result<Vec<bool>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut stored = Vec::with_capacity(pushes.len());
        {
            let mut insert_push = tx.prepare_cached(INSERT_PUSH)?;
            let mut insert = tx.prepare_cached(INSERT_PRESENCE)?;
            let mut meeting = tx.prepare_cached(UPSERT_LIVE_MEETING)?;
            for push in pushes {
                let vendor = push.vendor.as_str();
                let new = insert_push.execute(params![
                    vendor,
                    push.app,
                    push.delivery,
                    push.received_us,
                    push.body
                ])? > 0;
                stored.push(new);
                if !new {
                    continue;
                }
                for (item, c) in push.changes.iter().enumerate() {
                    insert.execute(params![
                        vendor,
                        push.app,
                        push.delivery,
                        item as i64,
                        c.meeting_id,
                        presence_person(c),
                        c.instance_id.as_deref().unwrap_or(""),
                        c.kind == PresenceKind::Joined,
                        micros(c.at),
                        c.display_name,
                        c.user_id,
                        c.temp_id,
                    ])?;
                }
                for m in push.meetings {
                    meeting.execute(params![
                        vendor,
                        m.meeting_id,
                        push.app,
                        m.subject,
                        m.start_unix,
                        m.end_unix,
                        push.received_us,
                        m.ended,
                        m.ended.then_some(push.received_us),
                    ])?;
                }
            }
        }
        tx.commit()?;
        Ok(stored)
    }

    async fn live_meeting(&self, vendor: Vendor, meeting_id: &str) -> Result<Option<LiveMeeting>> {
        let conn = self.conn();
        let mut q = conn.prepare_cached(&format!(
            "SELECT {LIVE_MEETING_COLUMNS} FROM live_meetings WHERE vendor = $1 AND meeting_id = $2"
        ))?;
        let mut rows = q.query_map(params![vendor.as_str(), meeting_id], live_meeting_row)?;
        rows.next()
            .transpose()?
            .map(checked_live_meeting)
            .transpose()
    }

    async fn due_live_meetings(
        &self,
        now_us: i64,
        settled_before_us: i64,
        quiet_since_us: i64,
    ) -> Result<Vec<LiveMeeting>> {
        let conn = self.conn();
        let mut q = conn.prepare_cached(&format!(
            "SELECT {LIVE_MEETING_COLUMNS} FROM live_meetings {DUE_LIVE_MEETINGS}"
        ))?;
        let rows = q.query_map(
            params![now_us, settled_before_us, quiet_since_us],
            live_meeting_row,
        )?;
        rows.map(|r| checked_live_meeting(r?)).collect()
    }

    async fn record_reconciliation(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        last_push_us: i64,
        now_us: i64,
        outcome: std::result::Result<(), (&str, i64)>,
    ) -> Result<bool> {
        let conn = self.conn();
        let changed = match outcome {
            Ok(()) => conn.execute(
                RECONCILED,
                params![now_us, vendor.as_str(), meeting_id, last_push_us],
            )?,
            Err((error, retry_after_us)) => conn.execute(
                RECONCILE_FAILED,
                params![
                    error,
                    retry_after_us,
                    vendor.as_str(),
                    meeting_id,
                    last_push_us
                ],
            )?,
        };
        Ok(changed > 0)
    }

    async fn stored_meeting(
        &self,
        vendor: Vendor,
        meeting_id: &str,
    ) -> Result<Option<MeetingSummary>> {
        let conn = self.conn();
        let row = conn
            .query_row(STORED_MEETING, params![vendor.as_str(), meeting_id], |r| {
                summary_row(vendor, r, 0)
            })
            .optional()?;
        Ok(row)
    }

    async fn presence(
        &self,
        vendor: Option<Vendor>,
        meeting_id: Option<&str>,
    ) -> Result<Vec<PresenceRow>> {
        let conn = self.conn();
        let mut q = conn.prepare(SELECT_PRESENCE)?;
        let rows = q.query_map(params![vendor.map(Vendor::as_str), meeting_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                PresenceRow {
                    vendor: Vendor::WeCom,
                    meeting_id: r.get(1)?,
                    person: r.get(2)?,
                    instance: r.get(3)?,
                    joined: r.get(4)?,
                    at_us: r.get(5)?,
                    display_name: r.get(6)?,
                    user_id: r.get(7)?,
                    temp_id: r.get(8)?,
                    received_us: r.get(9)?,
                },
            ))
        })?;
        rows.map(|row| {
            let (vendor, mut row) = row?;
            row.vendor = vendor.parse().map_err(|_| {
                StoreError::new(
                    StoreErrorKind::Corrupt,
                    format!("unknown vendor {vendor:?}"),
                )
            })?;
            Ok(row)
        })
        .collect()
    }

    async fn sessions(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Vec<Attendee>> {
        SqliteStore::sessions(self, vendor, meeting_id, occurrence)
    }

    async fn sync_state(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Option<SyncOutcome>> {
        SqliteStore::sync_state(self, vendor, meeting_id, occurrence)
    }

    async fn registrations(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Vec<Registration>> {
        self.records(SELECT_REGISTRATIONS, vendor, meeting_id, occurrence)
    }

    async fn meetings_in_range(&self, from: i64, to: i64) -> Result<Vec<MeetingSummary>> {
        let conn = self.conn();
        let mut q = conn.prepare(crate::MEETINGS_IN_RANGE)?;
        let rows = q.query_map(params![from, to], |r| {
            Ok((r.get::<_, String>(0)?, summary_row(Vendor::WeCom, r, 1)?))
        })?;
        rows.map(|row| {
            let (v, mut m) = row?;
            m.vendor = v.parse().map_err(|_| {
                StoreError::new(StoreErrorKind::Corrupt, format!("unknown vendor {v:?}"))
            })?;
            Ok(m)
        })
        .collect()
    }

    async fn counts(&self) -> Result<Counts> {
        SqliteStore::counts(self)
    }

    async fn record_run(&self, vendor: Vendor, from: i64, to: i64, finished: i64) -> Result<()> {
        self.conn().execute(
            "INSERT INTO sync_runs (vendor, from_unix, to_unix, finished_unix) VALUES ($1, $2, $3, $4)",
            params![vendor.as_str(), from, to, finished],
        )?;
        Ok(())
    }

    async fn last_run_end(&self, vendor: Vendor) -> Result<Option<i64>> {
        Ok(self.conn().query_row(
            "SELECT max(to_unix) FROM sync_runs WHERE vendor = $1",
            params![vendor.as_str()],
            |r| r.get(0),
        )?)
    }

    async fn incomplete_meetings(&self, vendor: Vendor) -> Result<Vec<MeetingSummary>> {
        let conn = self.conn();
        let mut q = conn.prepare(INCOMPLETE_MEETINGS)?;
        let rows = q.query_map(params![vendor.as_str()], |r| summary_row(vendor, r, 0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    async fn person_totals(&self, from: i64, to: i64) -> Result<Vec<PersonTotal>> {
        let conn = self.conn();
        let mut q = conn.prepare(SESSIONS_IN_RANGE)?;
        let spans = q
            .query_map(params![from, to], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<std::result::Result<Vec<SessionSpan>, _>>()?;
        Ok(totals(spans))
    }
}

/// A meeting row as a summary: the columns id, occurrence, subject, start, end, state, host,
/// host name, participants, extra from column `first` on.
fn summary_row(
    vendor: Vendor,
    r: &rusqlite::Row<'_>,
    first: usize,
) -> rusqlite::Result<MeetingSummary> {
    Ok(stored_summary(
        vendor,
        r.get(first)?,
        r.get(first + 1)?,
        r.get(first + 2)?,
        r.get(first + 3)?,
        r.get(first + 4)?,
        r.get(first + 5)?,
        r.get(first + 6)?,
        r.get(first + 7)?,
        r.get(first + 8)?,
        &r.get::<_, String>(first + 9)?,
    ))
}

/// Writes `meeting`'s row with `statement` ([`INSERT_MEETING`] or [`INSERT_MEETING_IF_ABSENT`]).
fn insert_meeting(
    tx: &rusqlite::Transaction<'_>,
    statement: &str,
    meeting: &MeetingSummary,
    rows: &Rows<'_>,
) -> Result<()> {
    tx.execute(
        statement,
        params![
            rows.vendor,
            rows.id,
            rows.occurrence,
            meeting.subject,
            meeting.start.map(|t| t.unix_timestamp()),
            meeting.end.map(|t| t.unix_timestamp()),
            meeting.state.map(|s| s.as_str()),
            meeting.host,
            meeting.host_name,
            meeting.participants.and_then(|n| i64::try_from(n).ok()),
            rows.extra,
        ],
    )?;
    Ok(())
}

/// A `live_meetings` row ([`LIVE_MEETING_COLUMNS`]), the vendor still as text.
fn live_meeting_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, LiveMeeting)> {
    Ok((
        r.get(0)?,
        LiveMeeting {
            vendor: Vendor::WeCom,
            meeting_id: r.get(1)?,
            app: r.get(2)?,
            subject: r.get(3)?,
            start_unix: r.get(4)?,
            end_unix: r.get(5)?,
            last_push_us: r.get(6)?,
            ended_us: r.get(7)?,
            ended_by_event: r.get(8)?,
            reconciled_us: r.get(9)?,
            error: r.get(10)?,
            retry_after_us: r.get(11)?,
        },
    ))
}

fn checked_live_meeting((vendor, mut m): (String, LiveMeeting)) -> Result<LiveMeeting> {
    m.vendor = vendor.parse().map_err(|_| {
        StoreError::new(
            StoreErrorKind::Corrupt,
            format!("unknown vendor {vendor:?}"),
        )
    })?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Meetings by start within a range, and a meeting's registrations in export order.
    #[tokio::test]
    async fn meetings_in_a_range_and_their_registrations() {
        crate::tests_common::meetings_and_registrations(&SqliteStore::open_in_memory().unwrap())
            .await;
    }

    /// A store written by the previous version (schema V3, with pushes in it) opens with its
    /// pushed joins and leaves kept, readable, and new ones written beside them.
    #[tokio::test]
    async fn a_v3_store_with_pushes_migrates_keeping_them() {
        let mut conn = Connection::open_in_memory().unwrap();
        embedded::migrations::runner()
            .set_target(refinery::Target::Version(3))
            .run(&mut conn)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO push_events VALUES ('tencent_meeting', 'default', 't1', 7, '{}');
             INSERT INTO presence VALUES ('tencent_meeting', 'default', 't1', 0, 'm1',
                 'user:tencent_meeting:a', '1', 1, 100000000, 'a');
             INSERT INTO presence VALUES ('tencent_meeting', 'default', 't1', 1, 'm1',
                 'user:tencent_meeting:b', '', 0, 200000000, NULL);",
        )
        .unwrap();
        let store = SqliteStore::prepare(conn).unwrap();
        let rows = Store::presence(&store, Some(Vendor::TencentMeeting), Some("m1"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].person, "user:tencent_meeting:a");
        assert_eq!((rows[0].joined, rows[0].at_us), (true, Some(100_000_000)));
        assert_eq!(rows[0].received_us, 7);
        assert_eq!((rows[1].joined, rows[1].user_id.as_deref()), (false, None));
        assert_eq!(store.counts().unwrap().pushes, 1);
        assert!(
            Store::live_meeting(&store, Vendor::TencentMeeting, "m1")
                .await
                .unwrap()
                .is_none()
        );
    }
}
