//! The receiver's store writer: verified deliveries wait in a bounded queue, and one task
//! writes whatever is waiting in one transaction ([`roster_store::Store::record_pushes`]),
//! then answers each handler, which only then acknowledges the vendor. Under load this is a
//! group commit (one commit for many deliveries); a full queue is refused at once (503: the
//! vendor retries), so memory stays bounded whatever the rate.

use std::sync::Arc;
use std::time::Duration;

use roster_core::Vendor;
use roster_core::webhook::PresenceChange;
use roster_store::{PushMeeting, PushRecord, Store};
use tokio::sync::{Notify, mpsc, oneshot};

/// A verified delivery, owned, on its way to the store. `Debug` leaves the decoded body out.
pub struct Delivery {
    /// The platform.
    pub vendor: Vendor,
    /// The subscription (route) it came through.
    pub app: Arc<str>,
    /// What tells it from other deliveries.
    pub delivery: String,
    /// When it was received (µs since the epoch).
    pub received_us: i64,
    /// The decoded event.
    pub body: String,
    /// Its joins and leaves.
    pub changes: Vec<PresenceChange>,
    /// The meetings it is about (attendance and start/end events only).
    pub meetings: Vec<MeetingOfPush>,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("vendor", &self.vendor)
            .field("app", &self.app)
            .field("delivery", &self.delivery)
            .field("received_us", &self.received_us)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("changes", &self.changes.len())
            .field("meetings", &self.meetings)
            .finish()
    }
}

/// [`PushMeeting`], owned.
#[derive(Debug, Clone, Default)]
pub struct MeetingOfPush {
    /// The meeting id.
    pub meeting_id: String,
    /// Its subject, when given.
    pub subject: Option<String>,
    /// Its scheduled start (Unix seconds), when given.
    pub start_unix: Option<i64>,
    /// Its scheduled end (Unix seconds), when given.
    pub end_unix: Option<i64>,
    /// The event is the meeting's end.
    pub ended: bool,
}

impl Delivery {
    /// Its meetings as the store takes them.
    fn meetings(&self) -> Vec<PushMeeting<'_>> {
        self.meetings
            .iter()
            .map(|m| PushMeeting {
                meeting_id: &m.meeting_id,
                subject: m.subject.as_deref(),
                start_unix: m.start_unix,
                end_unix: m.end_unix,
                ended: m.ended,
            })
            .collect()
    }

    fn record<'a>(&'a self, meetings: &'a [PushMeeting<'a>]) -> PushRecord<'a> {
        PushRecord {
            vendor: self.vendor,
            app: &self.app,
            delivery: &self.delivery,
            received_us: self.received_us,
            body: &self.body,
            changes: &self.changes,
            meetings,
        }
    }

    fn ends_a_meeting(&self) -> bool {
        self.meetings.iter().any(|m| m.ended)
    }
}

/// Why a delivery was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotStored {
    /// The queue is full: the receiver is behind (the vendor retries).
    Busy,
    /// The store refused the write (its message, which holds no secret).
    Store(String),
}

type Job = (Delivery, oneshot::Sender<Result<bool, NotStored>>);

/// The handle the handlers submit deliveries through (cheap to clone).
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writing task on the current runtime: at most `queue` deliveries wait, at
    /// most `batch` go into one transaction, and a transaction waits up to `linger` after its
    /// first delivery for others to join it (each commit costs whole pages written: under load
    /// fewer, larger commits cost far less CPU and disk, for a few milliseconds more before the
    /// acknowledgement); `ended` is notified after a write that stored a meeting's end (the
    /// reconciler wakes on it).
    pub fn spawn(
        store: Arc<dyn Store>,
        queue: usize,
        batch: usize,
        linger: Duration,
        ended: Arc<Notify>,
    ) -> Self {
        let (tx, mut rx) = mpsc::channel::<Job>(queue.max(1));
        let batch = batch.max(1);
        tokio::spawn(async move {
            let mut jobs: Vec<Job> = Vec::with_capacity(batch);
            while rx.recv_many(&mut jobs, batch).await > 0 {
                if jobs.len() < batch && !linger.is_zero() {
                    let deadline = tokio::time::sleep(linger);
                    tokio::pin!(deadline);
                    while jobs.len() < batch {
                        let room = batch - jobs.len();
                        tokio::select! {
                            () = &mut deadline => break,
                            n = rx.recv_many(&mut jobs, room) => if n == 0 { break },
                        }
                    }
                }
                let meetings: Vec<Vec<PushMeeting<'_>>> =
                    jobs.iter().map(|(d, _)| d.meetings()).collect();
                let records: Vec<PushRecord<'_>> = jobs
                    .iter()
                    .zip(&meetings)
                    .map(|((d, _), m)| d.record(m))
                    .collect();
                let result = match store.record_pushes(&records).await {
                    Ok(stored) => stored.into_iter().map(Ok).collect(),
                    // One delivery the store refuses must not fail the others it was written
                    // with: each alone, so only that one is refused (and retried by the vendor).
                    Err(e) if records.len() > 1 => {
                        tracing::warn!(
                            deliveries = records.len(),
                            "a batch of pushes was not stored ({e}): writing them one by one"
                        );
                        let mut each = Vec::with_capacity(records.len());
                        for record in &records {
                            each.push(store.record_push(record).await);
                        }
                        each
                    }
                    Err(e) => vec![Err(e)],
                };
                drop(records);
                drop(meetings);
                let mut any_end = false;
                for ((delivery, answer), stored) in jobs.drain(..).zip(result) {
                    let answer_with = match stored {
                        Ok(new) => {
                            any_end |= new && delivery.ends_a_meeting();
                            Ok(new)
                        }
                        Err(e) => {
                            tracing::error!(vendor = %delivery.vendor, "a push was not stored: {e}");
                            Err(NotStored::Store(e.to_string()))
                        }
                    };
                    // A handler whose client went away no longer waits: nothing to do.
                    let _ = answer.send(answer_with);
                }
                if any_end {
                    ended.notify_one();
                }
            }
        });
        Self { queue: tx }
    }

    /// Stores `delivery` (with whatever else is waiting); `Ok(false)` for a redelivery. A full
    /// queue is [`NotStored::Busy`] at once, or, given `wait_for_room`, only if it stays full
    /// that long.
    pub async fn store(
        &self,
        delivery: Delivery,
        wait_for_room: Option<Duration>,
    ) -> Result<bool, NotStored> {
        let (answer, stored) = oneshot::channel();
        match wait_for_room {
            None => self
                .queue
                .try_send((delivery, answer))
                .map_err(|_| NotStored::Busy)?,
            Some(wait) => self
                .queue
                .send_timeout((delivery, answer), wait)
                .await
                .map_err(|_| NotStored::Busy)?,
        }
        stored
            .await
            .unwrap_or_else(|_| Err(NotStored::Store("the writer stopped".into())))
    }
}
