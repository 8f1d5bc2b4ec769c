//! Reconciliation: when a meeting ends (the vendor's end event, or no push for the quiet
//! period) the receiver pulls its attendee list the way `roster sync` does and writes it into
//! the store: the pulled list is the truth (the vendors say pushes can be lost), and
//! [`roster_store::Store::reconciled_sessions`] tells which of its sessions were seen live,
//! late or only in the pull. This runs after the acknowledgements, on its own task: a slow
//! vendor API never delays an acknowledgement.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use roster_core::{MeetingState, MeetingSummary, Vendor};
use roster_store::{LiveMeeting, Seen, Store};
use tokio::sync::Notify;

use super::Clock;
use crate::error::CliError;
use crate::run::{Synced, sync_meeting};
use crate::vendors::VendorClient;

/// The shortest wait after a failed reconciliation; it grows with the time since the
/// meeting's end (a failure that lasts is tried less and less often), up to
/// [`MAX_RETRY_AFTER`].
pub const RETRY_AFTER: Duration = Duration::from_secs(60);

/// The longest wait between attempts, also the wait of a meeting whose app has no API
/// credentials.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// How soon a pull overtaken by a push is done again.
const OVERTAKEN_AGAIN: Duration = Duration::from_millis(200);

/// Reconciles ended meetings with their pulled lists.
pub struct Reconciler {
    store: Arc<dyn Store>,
    /// The API client of each (vendor, app) that has credentials.
    clients: HashMap<(Vendor, String), Box<dyn VendorClient>>,
    timing: Timing,
    clock: Clock,
    /// A pull was overtaken by a push (the meeting is due again at once).
    overtaken: std::sync::atomic::AtomicBool,
}

/// When meetings are reconciled.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// A meeting without its end event counts as ended this long after its last push.
    pub quiet: Duration,
    /// How long after its end event a meeting's list is pulled (the vendor's list may still be
    /// filling in just after the end).
    pub settle: Duration,
}

/// What one reconciliation found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Pulled sessions whose join was pushed before the end.
    pub live: usize,
    /// Pulled sessions whose join was pushed only after the end.
    pub late: usize,
    /// Pulled sessions no push announced.
    pub pull_only: usize,
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

impl Reconciler {
    /// A reconciler writing into `store`, with the API clients of the apps that have
    /// credentials.
    pub fn new(
        store: Arc<dyn Store>,
        clients: HashMap<(Vendor, String), Box<dyn VendorClient>>,
        timing: Timing,
        clock: Clock,
    ) -> Self {
        Self {
            store,
            clients,
            timing,
            clock,
            overtaken: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Reconciles every meeting due now; how many were reconciled.
    pub async fn run_due(&self) -> Result<usize, CliError> {
        let in_store = |e: roster_store::StoreError| CliError::Io(format!("the store: {e}"));
        let now = (self.clock)();
        let due = self
            .store
            .due_live_meetings(
                now,
                now.saturating_sub(micros(self.timing.settle)),
                now.saturating_sub(micros(self.timing.quiet)),
            )
            .await
            .map_err(in_store)?;
        let mut done = 0;
        for m in due {
            if let Some(r) = self.reconcile(&m).await? {
                done += 1;
                tracing::info!(
                    vendor = %m.vendor,
                    meeting = %m.meeting_id,
                    live = r.live,
                    late = r.late,
                    pull_only = r.pull_only,
                    "meeting reconciled with its pulled list"
                );
            }
        }
        Ok(done)
    }

    /// Records a failed attempt, to try again after a wait that grows with the time since the
    /// meeting's end.
    async fn failed(&self, m: &LiveMeeting, why: &str, at_least: Duration) -> Result<(), CliError> {
        let now = (self.clock)();
        let since_end = now.saturating_sub(m.ended_us.unwrap_or(m.last_push_us));
        let wait = since_end.clamp(micros(at_least), micros(MAX_RETRY_AFTER));
        self.store
            .record_reconciliation(
                m.vendor,
                &m.meeting_id,
                m.last_push_us,
                now,
                Err((why, now.saturating_add(wait))),
            )
            .await
            .map_err(|e| CliError::Io(format!("the store: {e}")))?;
        Ok(())
    }

    /// Pulls and writes one meeting; `None` when it could not be done now (recorded in the
    /// store with the reason, to try again later) or a push came meanwhile (due again).
    async fn reconcile(&self, m: &LiveMeeting) -> Result<Option<Reconciled>, CliError> {
        let in_store = |e: roster_store::StoreError| CliError::Io(format!("the store: {e}"));
        let Some(client) = self.clients.get(&(m.vendor, m.app.clone())) else {
            let why = format!(
                "no API credentials for {} in subscription {:?}: the meeting is not reconciled",
                m.vendor, m.app
            );
            tracing::warn!(meeting = %m.meeting_id, "{why}");
            self.failed(m, &why, MAX_RETRY_AFTER).await?;
            return Ok(None);
        };
        let summary = self.summary_of(m).await?;
        let now = (self.clock)();
        let now_time = time::OffsetDateTime::from_unix_timestamp(now / 1_000_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        match sync_meeting(
            client.as_ref(),
            self.store.as_ref(),
            &summary,
            now_time,
            None,
        )
        .await?
        {
            Synced::Written { .. } => {
                let recorded = self
                    .store
                    .record_reconciliation(m.vendor, &m.meeting_id, m.last_push_us, now, Ok(()))
                    .await
                    .map_err(in_store)?;
                if !recorded {
                    // A push came during the pull: the meeting stays due and is pulled again.
                    self.overtaken
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                    return Ok(None);
                }
                let sessions = self
                    .store
                    .reconciled_sessions(m.vendor, &m.meeting_id)
                    .await
                    .map_err(in_store)?;
                let count = |seen| sessions.iter().filter(|s| s.seen == seen).count();
                Ok(Some(Reconciled {
                    live: count(Seen::Live),
                    late: count(Seen::Late),
                    pull_only: count(Seen::PullOnly),
                }))
            }
            Synced::Failed(e) => {
                let why = e.to_string();
                tracing::warn!(vendor = %m.vendor, meeting = %m.meeting_id, "reconciliation failed, to try again: {why}");
                self.failed(m, &why, RETRY_AFTER).await?;
                Ok(None)
            }
        }
    }

    /// The meeting to write: its stored row when there is one (a sync wrote its host, its
    /// counts …), with what the pushes said where the row says nothing (Tencent's events name
    /// the subject and the schedule; for WeCom the first pushed join and the end stand for
    /// them); ended.
    async fn summary_of(&self, m: &LiveMeeting) -> Result<MeetingSummary, CliError> {
        let in_store = |e: roster_store::StoreError| CliError::Io(format!("the store: {e}"));
        let at = |t: Option<i64>| t.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok());
        let mut s = self
            .store
            .stored_meeting(m.vendor, &m.meeting_id)
            .await
            .map_err(in_store)?
            .unwrap_or_else(|| MeetingSummary::new(m.vendor, m.meeting_id.clone()));
        s.subject = s.subject.or_else(|| m.subject.clone());
        s.start = s.start.or_else(|| at(m.start_unix));
        s.end = s.end.or_else(|| at(m.end_unix));
        if s.start.is_none() || s.end.is_none() {
            let pushed = self
                .store
                .presence(Some(m.vendor), Some(&m.meeting_id))
                .await
                .map_err(in_store)?;
            let first = pushed.iter().filter_map(|p| p.at_us).min();
            let us = |t: Option<i64>| {
                t.and_then(|t| {
                    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(t) * 1_000).ok()
                })
            };
            s.start = s.start.or_else(|| us(first));
            s.end = s.end.or_else(|| us(m.ended_us));
        }
        s.state = Some(MeetingState::Ended);
        Ok(s)
    }

    /// Runs until the process ends: at once when `ended` is notified (an end event was
    /// stored), else every `tick` (settling, quiet periods and retries).
    pub async fn run_forever(self, ended: Arc<Notify>, tick: Duration) {
        loop {
            if let Err(e) = self.run_due().await {
                tracing::error!("reconciliation: {e}");
            }
            // A pull overtaken by a push is done again soon, not a tick later.
            let wait = if self
                .overtaken
                .swap(false, std::sync::atomic::Ordering::Relaxed)
            {
                tick.min(OVERTAKEN_AGAIN)
            } else {
                tick
            };
            tokio::select! {
                () = ended.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}
