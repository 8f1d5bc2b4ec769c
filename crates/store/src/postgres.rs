//! The PostgreSQL backend (`tokio-postgres`): the same schema and the same one-transaction
//! writes as SQLite, for teams that run a server and for several workers sharing one store.

use std::fmt;

use async_trait::async_trait;
use roster_core::webhook::PresenceKind;
use roster_core::{Attendee, MeetingSummary, Registration, Vendor};
use tokio::sync::Mutex;
use tokio_postgres::{Client, NoTls};

use crate::push::{
    DUE_LIVE_MEETINGS, INSERT_PRESENCE, INSERT_PUSH, LIVE_MEETING_COLUMNS, RECONCILE_FAILED,
    RECONCILED, STORED_MEETING, UPSERT_LIVE_MEETING, micros, pg_text, presence_person,
};
use crate::{
    Claim, Counts, INCOMPLETE_MEETINGS, INSERT_MEETING, INSERT_MEETING_IF_ABSENT, LiveMeeting,
    PersonTotal, PresenceRow, PushRecord, Result, Rows, SELECT_REGISTRATIONS, SELECT_SESSIONS,
    SESSIONS_IN_RANGE, SessionSpan, Store, StoreError, StoreErrorKind, SyncOutcome,
    UPSERT_SYNC_STATE, Worker, decode, fingerprint_of, latest, refuse_newer, stored_summary,
    totals,
};

mod embedded {
    refinery::embed_migrations!("migrations/postgres");
}

/// The PostgreSQL store. Its connection runs on a task of the current runtime.
pub struct PgStore {
    client: Mutex<Client>,
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password: never shown.
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`) and brings the schema up to date;
    /// a schema newer than this roster knows is refused.
    pub async fn connect(url: &str) -> Result<Self> {
        Ok(Self {
            client: Mutex::new(connect_migrated(url).await?),
        })
    }
}

/// A connection whose task runs on the current runtime (a lost connection ends every later
/// call with an error; the task just ends).
pub(crate) async fn connect(url: &str) -> Result<Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// The advisory lock that lets one process at a time check and migrate the schema (workers
/// started together on an empty database would otherwise race to create it).
const MIGRATION_LOCK: i64 = 0x726f_7374_6572_0001;

/// A connection to a database whose schema is this roster's: migrated if older, refused if
/// newer.
pub(crate) async fn connect_migrated(url: &str) -> Result<Client> {
    let mut client = connect(url).await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let migrated = migrate(&mut client).await;
    // Released with the session anyway; unlocked now so the others go on at once.
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    migrated?;
    unlocked?;
    Ok(client)
}

async fn migrate(client: &mut Client) -> Result<()> {
    let known = latest(embedded::migrations::runner().get_migrations());
    let history = client
        .query_one(
            "SELECT to_regclass('refinery_schema_history') IS NOT NULL",
            &[],
        )
        .await?;
    if history.get::<_, bool>(0) {
        let applied: Option<i32> = client
            .query_one("SELECT max(version) FROM refinery_schema_history", &[])
            .await?
            .get(0);
        refuse_newer(applied.map(i64::from), known)?;
    }
    embedded::migrations::runner()
        .run_async(client)
        .await
        .map_err(|e| {
            StoreError::new(
                StoreErrorKind::Database,
                format!("migrating the store: {e}"),
            )
        })?;
    Ok(())
}

/// What is stored for one meeting, in the shape of [`crate::fingerprint_of`] (empty when none).
async fn fingerprint(
    client: &impl tokio_postgres::GenericClient,
    key: (&str, &str, &str),
) -> Result<String> {
    let (vendor, id, occurrence) = key;
    let row = client
        .query_opt(
            "SELECT coalesce(subject, '') || '|' || coalesce(start_unix::text, '') || '|' || coalesce(end_unix::text, '') || '|' || coalesce(state, '') || '|' || extra
             FROM meetings WHERE vendor = $1 AND meeting_id = $2 AND occurrence = $3",
            &[&vendor, &id, &occurrence],
        )
        .await?;
    let Some(mut out) = row.map(|r| r.get::<_, String>(0)) else {
        return Ok(String::new());
    };
    for table in ["sessions", "registrations"] {
        let rows = client
            .query(
                &format!(
                    "SELECT record FROM {table} WHERE vendor = $1 AND meeting_id = $2 AND occurrence = $3 ORDER BY seq"
                ),
                &[&vendor, &id, &occurrence],
            )
            .await?;
        for r in rows {
            out.push('\n');
            out.push_str(r.get::<_, &str>(0));
        }
    }
    Ok(out)
}

#[async_trait]
impl Store for PgStore {
    async fn start_worker(&self, name: &str) -> Result<Worker> {
        let row = self
            .client
            .lock()
            .await
            .query_one("SELECT (extract(epoch FROM now()) * 1000000)::bigint", &[])
            .await?;
        Ok(Worker {
            name: name.to_string(),
            started_us: row.get(0),
        })
    }

    async fn record_pushes(&self, pushes: &[PushRecord<'_>]) -> Result<Vec<bool>> {
        let mut client = self.client.lock().await;
        let tx = client.transaction().await?;
        let insert_push = tx.prepare(INSERT_PUSH).await?;
        let insert = tx.prepare(INSERT_PRESENCE).await?;
        let meeting = tx.prepare(UPSERT_LIVE_MEETING).await?;
        let mut stored = Vec::with_capacity(pushes.len());
        for push in pushes {
            let vendor = push.vendor.as_str();
            let new = tx
                .execute(
                    &insert_push,
                    &[
                        &vendor,
                        &push.app,
                        &push.delivery,
                        &push.received_us,
                        &pg_text(push.body),
                    ],
                )
                .await?
                > 0;
            stored.push(new);
            if !new {
                continue;
            }
            for (item, c) in push.changes.iter().enumerate() {
                tx.execute(
                    &insert,
                    &[
                        &vendor,
                        &push.app,
                        &push.delivery,
                        &(item as i32),
                        &c.meeting_id,
                        &pg_text(&presence_person(c)),
                        &c.instance_id.as_deref().unwrap_or(""),
                        &(c.kind == PresenceKind::Joined),
                        &micros(c.at),
                        &c.display_name.as_deref().map(pg_text),
                        &c.user_id.as_deref().map(pg_text),
                        &c.temp_id.as_deref().map(pg_text),
                    ],
                )
                .await?;
            }
            for m in push.meetings {
                tx.execute(
                    &meeting,
                    &[
                        &vendor,
                        &m.meeting_id,
                        &push.app,
                        &m.subject,
                        &m.start_unix,
                        &m.end_unix,
                        &push.received_us,
                        &m.ended,
                        &m.ended.then_some(push.received_us),
                    ],
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn live_meeting(&self, vendor: Vendor, meeting_id: &str) -> Result<Option<LiveMeeting>> {
        let rows = self
            .client
            .lock()
            .await
            .query(
                &format!(
                    "SELECT {LIVE_MEETING_COLUMNS} FROM live_meetings WHERE vendor = $1 AND meeting_id = $2"
                ),
                &[&vendor.as_str(), &meeting_id],
            )
            .await?;
        rows.first().map(live_meeting_row).transpose()
    }

    async fn due_live_meetings(
        &self,
        now_us: i64,
        settled_before_us: i64,
        quiet_since_us: i64,
    ) -> Result<Vec<LiveMeeting>> {
        let rows = self
            .client
            .lock()
            .await
            .query(
                &format!("SELECT {LIVE_MEETING_COLUMNS} FROM live_meetings {DUE_LIVE_MEETINGS}"),
                &[&now_us, &settled_before_us, &quiet_since_us],
            )
            .await?;
        rows.iter().map(live_meeting_row).collect()
    }

    async fn record_reconciliation(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        last_push_us: i64,
        now_us: i64,
        outcome: std::result::Result<(), (&str, i64)>,
    ) -> Result<bool> {
        let client = self.client.lock().await;
        let changed = match outcome {
            Ok(()) => {
                client
                    .execute(
                        RECONCILED,
                        &[&now_us, &vendor.as_str(), &meeting_id, &last_push_us],
                    )
                    .await?
            }
            Err((error, retry_after_us)) => {
                client
                    .execute(
                        RECONCILE_FAILED,
                        &[
                            &pg_text(error),
                            &retry_after_us,
                            &vendor.as_str(),
                            &meeting_id,
                            &last_push_us,
                        ],
                    )
                    .await?
            }
        };
        Ok(changed > 0)
    }

    async fn stored_meeting(
        &self,
        vendor: Vendor,
        meeting_id: &str,
    ) -> Result<Option<MeetingSummary>> {
        let rows = self
            .client
            .lock()
            .await
            .query(STORED_MEETING, &[&vendor.as_str(), &meeting_id])
            .await?;
        Ok(rows.first().map(|r| summary_row(vendor, r, 0)))
    }

    async fn presence(
        &self,
        vendor: Option<Vendor>,
        meeting_id: Option<&str>,
    ) -> Result<Vec<PresenceRow>> {
        let rows = self
            .client
            .lock()
            .await
            .query(
                "SELECT p.vendor, p.meeting_id, p.person, p.instance, p.joined, p.at_us, p.display_name, p.user_id, p.temp_id, e.received_us
                 FROM presence p
                 JOIN push_events e ON e.vendor = p.vendor AND e.app = p.app AND e.delivery = p.delivery
                 WHERE ($1::text IS NULL OR p.vendor = $1) AND ($2::text IS NULL OR p.meeting_id = $2)",
                &[&vendor.map(Vendor::as_str), &meeting_id],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                let vendor: String = r.get(0);
                Ok(PresenceRow {
                    vendor: vendor.parse().map_err(|_| {
                        StoreError::new(
                            StoreErrorKind::Corrupt,
                            format!("unknown vendor {vendor:?}"),
                        )
                    })?,
                    meeting_id: r.get(1),
                    person: r.get(2),
                    instance: r.get(3),
                    joined: r.get(4),
                    at_us: r.get(5),
                    display_name: r.get(6),
                    user_id: r.get(7),
                    temp_id: r.get(8),
                    received_us: r.get(9),
                })
            })
            .collect()
    }

    async fn claim(
        &self,
        worker: &Worker,
        meeting: &MeetingSummary,
        lease: std::time::Duration,
        fresh_for: std::time::Duration,
    ) -> Result<Claim> {
        let occurrence = meeting.sub_meeting_id.as_deref().unwrap_or("");
        let since_us = worker.started_us - i64::try_from(fresh_for.as_micros()).unwrap_or(i64::MAX);
        let client = self.client.lock().await;
        let row = client
            .query_opt(
                "INSERT INTO claims (vendor, meeting_id, occurrence, worker, expires_at)
                 VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5::double precision))
                 ON CONFLICT (vendor, meeting_id, occurrence) DO UPDATE
                   SET worker = excluded.worker, expires_at = excluded.expires_at, done_at = NULL
                   WHERE (claims.done_at IS NULL
                          AND (claims.expires_at < now() OR claims.worker = excluded.worker))
                      OR (claims.done_at IS NOT NULL
                          AND claims.done_at < to_timestamp($6::bigint / 1000000.0))
                 RETURNING worker",
                &[
                    &meeting.vendor.as_str(),
                    &meeting.meeting_id,
                    &occurrence,
                    &worker.name,
                    &lease.as_secs_f64(),
                    &since_us,
                ],
            )
            .await?;
        if row.is_some() {
            return Ok(Claim::Mine);
        }
        let done = client
            .query_opt(
                "SELECT done_at IS NOT NULL FROM claims
                 WHERE vendor = $1 AND meeting_id = $2 AND occurrence = $3",
                &[&meeting.vendor.as_str(), &meeting.meeting_id, &occurrence],
            )
            .await?
            .is_some_and(|r| r.get::<_, bool>(0));
        Ok(if done { Claim::Done } else { Claim::Held })
    }

    async fn finish_claim(&self, worker: &Worker, meeting: &MeetingSummary) -> Result<()> {
        let occurrence = meeting.sub_meeting_id.as_deref().unwrap_or("");
        self.client
            .lock()
            .await
            .execute(
                "UPDATE claims SET done_at = now()
                 WHERE vendor = $1 AND meeting_id = $2 AND occurrence = $3 AND worker = $4",
                &[
                    &meeting.vendor.as_str(),
                    &meeting.meeting_id,
                    &occurrence,
                    &worker.name,
                ],
            )
            .await?;
        Ok(())
    }

    async fn replace_meeting(
        &self,
        meeting: &MeetingSummary,
        sessions: &[Attendee],
        registrations: &[Registration],
        outcome: &SyncOutcome,
    ) -> Result<bool> {
        let rows = Rows::of(meeting, sessions, registrations)?;
        let key = (rows.vendor, rows.id, rows.occurrence);
        let (vendor, id, occurrence) = key;
        let mut client = self.client.lock().await;
        let tx = client.transaction().await?;
        let after = fingerprint_of(meeting, &rows);
        let before = fingerprint(&tx, key).await?;
        tx.execute(
            "DELETE FROM meetings WHERE vendor = $1 AND meeting_id = $2 AND occurrence = $3",
            &[&vendor, &id, &occurrence],
        )
        .await?;
        insert_meeting(&tx, INSERT_MEETING, meeting, &rows).await?;
        // One statement per table, the rows as arrays (`UNNEST`): a round trip per table
        // instead of one per row.
        let (mut seqs, mut persons, mut joined, mut left, mut records) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (seq, (key, join, leave, record, _)) in rows.sessions.iter().enumerate() {
            seqs.push(seq as i64);
            persons.push(key.as_str());
            joined.push(*join);
            left.push(*leave);
            records.push(record.as_str());
        }
        tx.execute(
            "INSERT INTO sessions (vendor, meeting_id, occurrence, seq, person, joined_unix, left_unix, record)
             SELECT $1, $2, $3, s.seq, s.person, s.joined, s.left_at, s.record
             FROM UNNEST($4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::text[])
               AS s (seq, person, joined, left_at, record)",
            &[&vendor, &id, &occurrence, &seqs, &persons, &joined, &left, &records],
        )
        .await?;
        let (mut seqs, mut persons, mut records) = (Vec::new(), Vec::new(), Vec::new());
        for (seq, (key, record, _)) in rows.registrations.iter().enumerate() {
            seqs.push(seq as i64);
            persons.push(key.as_str());
            records.push(record.as_str());
        }
        tx.execute(
            "INSERT INTO registrations (vendor, meeting_id, occurrence, seq, person, record)
             SELECT $1, $2, $3, r.seq, r.person, r.record
             FROM UNNEST($4::bigint[], $5::text[], $6::text[]) AS r (seq, person, record)",
            &[&vendor, &id, &occurrence, &seqs, &persons, &records],
        )
        .await?;
        // In key order: two workers writing meetings with people in common lock their rows in
        // the same order, so they wait for each other instead of deadlocking.
        let mut people = rows.people();
        people.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let (persons, names): (Vec<&str>, Vec<Option<&str>>) = people.into_iter().unzip();
        tx.execute(
            "INSERT INTO people (person, display_name)
             SELECT * FROM UNNEST($1::text[], $2::text[])
             ON CONFLICT (person) DO UPDATE SET display_name = coalesce(excluded.display_name, people.display_name)",
            &[&persons, &names],
        )
        .await?;
        tx.execute(
            UPSERT_SYNC_STATE,
            &[
                &vendor,
                &id,
                &occurrence,
                &outcome.synced_unix,
                &outcome.complete,
                &outcome.vendor_total.and_then(|n| i64::try_from(n).ok()),
                &outcome.error,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(after != before)
    }

    async fn record_failure(&self, meeting: &MeetingSummary, outcome: &SyncOutcome) -> Result<()> {
        let rows = Rows::of(meeting, &[], &[])?;
        let mut client = self.client.lock().await;
        let tx = client.transaction().await?;
        insert_meeting(&tx, INSERT_MEETING_IF_ABSENT, meeting, &rows).await?;
        tx.execute(
            UPSERT_SYNC_STATE,
            &[
                &rows.vendor,
                &rows.id,
                &rows.occurrence,
                &outcome.synced_unix,
                &outcome.complete,
                &outcome.vendor_total.and_then(|n| i64::try_from(n).ok()),
                &outcome.error,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn sessions(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Vec<Attendee>> {
        self.records(SELECT_SESSIONS, vendor, meeting_id, occurrence)
            .await
    }

    async fn registrations(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Vec<Registration>> {
        self.records(SELECT_REGISTRATIONS, vendor, meeting_id, occurrence)
            .await
    }

    async fn meetings_in_range(&self, from: i64, to: i64) -> Result<Vec<MeetingSummary>> {
        let rows = self
            .client
            .lock()
            .await
            .query(crate::MEETINGS_IN_RANGE, &[&from, &to])
            .await?;
        rows.iter()
            .map(|r| {
                let v: String = r.get(0);
                let vendor = v.parse().map_err(|_| {
                    StoreError::new(StoreErrorKind::Corrupt, format!("unknown vendor {v:?}"))
                })?;
                Ok(summary_row(vendor, r, 1))
            })
            .collect()
    }

    async fn sync_state(
        &self,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Option<SyncOutcome>> {
        let client = self.client.lock().await;
        let row = client
            .query_opt(
                "SELECT synced_unix, complete, vendor_total, error FROM sync_state
                 WHERE vendor = $1 AND meeting_id = $2 AND occurrence = $3",
                &[&vendor.as_str(), &meeting_id, &occurrence.unwrap_or("")],
            )
            .await?;
        Ok(row.map(|r| SyncOutcome {
            synced_unix: r.get(0),
            complete: r.get(1),
            vendor_total: r
                .get::<_, Option<i64>>(2)
                .and_then(|n| u64::try_from(n).ok()),
            error: r.get(3),
        }))
    }

    async fn record_run(&self, vendor: Vendor, from: i64, to: i64, finished: i64) -> Result<()> {
        let client = self.client.lock().await;
        client
            .execute(
                "INSERT INTO sync_runs (vendor, from_unix, to_unix, finished_unix) VALUES ($1, $2, $3, $4)",
                &[&vendor.as_str(), &from, &to, &finished],
            )
            .await?;
        Ok(())
    }

    async fn last_run_end(&self, vendor: Vendor) -> Result<Option<i64>> {
        let client = self.client.lock().await;
        Ok(client
            .query_one(
                "SELECT max(to_unix) FROM sync_runs WHERE vendor = $1",
                &[&vendor.as_str()],
            )
            .await?
            .get(0))
    }

    async fn incomplete_meetings(&self, vendor: Vendor) -> Result<Vec<MeetingSummary>> {
        let client = self.client.lock().await;
        let rows = client
            .query(INCOMPLETE_MEETINGS, &[&vendor.as_str()])
            .await?;
        Ok(rows.iter().map(|r| summary_row(vendor, r, 0)).collect())
    }

    async fn person_totals(&self, from: i64, to: i64) -> Result<Vec<PersonTotal>> {
        let client = self.client.lock().await;
        let rows = client.query(SESSIONS_IN_RANGE, &[&from, &to]).await?;
        let spans: Vec<SessionSpan> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
            .collect();
        Ok(totals(spans))
    }

    async fn counts(&self) -> Result<Counts> {
        let client = self.client.lock().await;
        let mut counts = [0u64; 5];
        for (n, table) in counts.iter_mut().zip([
            "meetings",
            "sessions",
            "registrations",
            "people",
            "push_events",
        ]) {
            let row = client
                .query_one(&format!("SELECT count(*) FROM {table}"), &[])
                .await?;
            *n = u64::try_from(row.get::<_, i64>(0)).unwrap_or(0);
        }
        Ok(Counts {
            meetings: counts[0],
            sessions: counts[1],
            registrations: counts[2],
            people: counts[3],
            pushes: counts[4],
        })
    }
}

/// Writes `meeting`'s row with `statement` ([`INSERT_MEETING`] or [`INSERT_MEETING_IF_ABSENT`]).
async fn insert_meeting(
    tx: &tokio_postgres::Transaction<'_>,
    statement: &str,
    meeting: &MeetingSummary,
    rows: &Rows<'_>,
) -> Result<()> {
    tx.execute(
        statement,
        &[
            &rows.vendor,
            &rows.id,
            &rows.occurrence,
            &meeting.subject,
            &meeting.start.map(|t| t.unix_timestamp()),
            &meeting.end.map(|t| t.unix_timestamp()),
            &meeting.state.map(|s| s.as_str()),
            &meeting.host,
            &meeting.host_name,
            &meeting.participants.and_then(|n| i64::try_from(n).ok()),
            &rows.extra,
        ],
    )
    .await?;
    Ok(())
}

/// A `live_meetings` row ([`LIVE_MEETING_COLUMNS`]).
fn live_meeting_row(r: &tokio_postgres::Row) -> Result<LiveMeeting> {
    let vendor: String = r.get(0);
    Ok(LiveMeeting {
        vendor: vendor.parse().map_err(|_| {
            StoreError::new(
                StoreErrorKind::Corrupt,
                format!("unknown vendor {vendor:?}"),
            )
        })?,
        meeting_id: r.get(1),
        app: r.get(2),
        subject: r.get(3),
        start_unix: r.get(4),
        end_unix: r.get(5),
        last_push_us: r.get(6),
        ended_us: r.get(7),
        ended_by_event: r.get(8),
        reconciled_us: r.get(9),
        error: r.get(10),
        retry_after_us: r.get(11),
    })
}

/// A meeting row as a summary: the columns id, occurrence, subject, start, end, state, host,
/// host name, participants, extra from column `first` on.
fn summary_row(vendor: Vendor, r: &tokio_postgres::Row, first: usize) -> MeetingSummary {
    stored_summary(
        vendor,
        r.get(first),
        r.get(first + 1),
        r.get(first + 2),
        r.get(first + 3),
        r.get(first + 4),
        r.get(first + 5),
        r.get(first + 6),
        r.get(first + 7),
        r.get(first + 8),
        r.get::<_, &str>(first + 9),
    )
}

impl PgStore {
    /// The JSON records `statement` selects for a meeting (`$1`–`$3`: vendor, id,
    /// occurrence), decoded.
    async fn records<T: serde::de::DeserializeOwned>(
        &self,
        statement: &str,
        vendor: Vendor,
        meeting_id: &str,
        occurrence: Option<&str>,
    ) -> Result<Vec<T>> {
        let rows = self
            .client
            .lock()
            .await
            .query(
                statement,
                &[&vendor.as_str(), &meeting_id, &occurrence.unwrap_or("")],
            )
            .await?;
        rows.iter().map(|r| decode(r.get::<_, &str>(0))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Meetings by start within a range, and a meeting's registrations in export order.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn meetings_in_a_range_and_their_registrations() {
        let cluster = roster_testkit::postgres::Cluster::start().unwrap();
        let store = PgStore::connect(&cluster.url()).await.unwrap();
        crate::tests_common::meetings_and_registrations(&store).await;
    }

    /// A store written by the previous version (schema V4, with pushes in it) migrates keeping
    /// them readable, on a real PostgreSQL.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_v4_store_with_pushes_migrates_keeping_them() {
        let cluster = roster_testkit::postgres::Cluster::start().unwrap();
        let mut client = connect(&cluster.url()).await.unwrap();
        embedded::migrations::runner()
            .set_target(refinery::Target::Version(4))
            .run_async(&mut client)
            .await
            .unwrap();
        client
            .batch_execute(
                "INSERT INTO push_events VALUES ('wecom', 'default', 'k1', 7, '<xml/>');
                 INSERT INTO presence VALUES ('wecom', 'default', 'k1', 0, 'm1',
                     'user:wecom:a', '', TRUE, 100000000, NULL);",
            )
            .await
            .unwrap();
        drop(client);
        let store = PgStore::connect(&cluster.url()).await.unwrap();
        let rows = store
            .presence(Some(Vendor::WeCom), Some("m1"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].person, "user:wecom:a");
        assert_eq!((rows[0].received_us, rows[0].temp_id.as_deref()), (7, None));
        assert_eq!(store.counts().await.unwrap().pushes, 1);
    }
}
