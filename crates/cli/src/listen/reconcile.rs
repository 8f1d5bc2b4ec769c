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

/// How long a failed reconciliation waits before the next attempt.
pub const RETRY_AFTER: Duration = Duration::from_secs(60);

/// How long a meeting whose app has no API credentials waits before it is looked at again.
pub const NO_CLIENT_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Reconciles ended meetings with their pulled lists.
pub struct Reconciler {
    store: Arc<dyn Store>,
    /// The API client of each (vendor, app) that has credentials.
    clients: HashMap<(Vendor, String), Box<dyn VendorClient>>,
    quiet: Duration,
    clock: Clock,
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

impl Reconciler {
    /// A reconciler writing into `store`, with the API clients of the apps that have
    /// credentials; a meeting is due `quiet` after its last push if no end event came.
    pub fn new(
        store: Arc<dyn Store>,
        clients: HashMap<(Vendor, String), Box<dyn VendorClient>>,
        quiet: Duration,
        clock: Clock,
    ) -> Self {
        Self {
            store,
            clients,
            quiet,
            clock,
        }
    }

    /// Reconciles every meeting due now; how many were reconciled.
    pub async fn run_due(&self) -> Result<usize, CliError> {
        let in_store = |e: roster_store::StoreError| CliError::Io(format!("the store: {e}"));
        let now = (self.clock)();
        let quiet_us = i64::try_from(self.quiet.as_micros()).unwrap_or(i64::MAX);
        let due = self
            .store
            .due_live_meetings(now, now.saturating_sub(quiet_us))
            .await
            .map_err(in_store)?;
        let mut done = 0;
        for m in due {
            match self.reconcile(&m, now).await? {
                Some(r) => {
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
                None => continue,
            }
        }
        Ok(done)
    }

    /// Pulls and writes one meeting; `None` when it could not be done now (recorded in the
    /// store with the reason, to try again later).
    async fn reconcile(&self, m: &LiveMeeting, now: i64) -> Result<Option<Reconciled>, CliError> {
        let in_store = |e: roster_store::StoreError| CliError::Io(format!("the store: {e}"));
        let later = |after: Duration| now + i64::try_from(after.as_micros()).unwrap_or(i64::MAX);
        let Some(client) = self.clients.get(&(m.vendor, m.app.clone())) else {
            let why = format!(
                "no API credentials for {} in subscription {:?}: the meeting is not reconciled",
                m.vendor, m.app
            );
            tracing::warn!(meeting = %m.meeting_id, "{why}");
            self.store
                .record_reconciliation(
                    m.vendor,
                    &m.meeting_id,
                    now,
                    Err((&why, later(NO_CLIENT_RETRY_AFTER))),
                )
                .await
                .map_err(in_store)?;
            return Ok(None);
        };
        let summary = summary_of(m);
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
                self.store
                    .record_reconciliation(m.vendor, &m.meeting_id, now, Ok(()))
                    .await
                    .map_err(in_store)?;
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
                self.store
                    .record_reconciliation(
                        m.vendor,
                        &m.meeting_id,
                        now,
                        Err((&why, later(RETRY_AFTER))),
                    )
                    .await
                    .map_err(in_store)?;
                Ok(None)
            }
        }
    }

    /// Runs until the process ends: at once when `ended` is notified (an end event was
    /// stored), else every `tick` (the quiet period and retries).
    pub async fn run_forever(self, ended: Arc<Notify>, tick: Duration) {
        loop {
            if let Err(e) = self.run_due().await {
                tracing::error!("reconciliation: {e}");
            }
            tokio::select! {
                () = ended.notified() => {}
                () = tokio::time::sleep(tick) => {}
            }
        }
    }
}

/// The meeting as the pushes described it (Tencent's events name its subject and schedule;
/// WeCom's only its id): ended.
fn summary_of(m: &LiveMeeting) -> MeetingSummary {
    let at = |t: Option<i64>| t.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok());
    let mut s = MeetingSummary::new(m.vendor, m.meeting_id.clone());
    s.subject = m.subject.clone();
    s.start = at(m.start_unix);
    s.end = at(m.end_unix);
    s.state = Some(MeetingState::Ended);
    s
}
