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

/// A verified delivery, owned, on its way to the store.
#[derive(Debug)]
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
    /// The meeting it is about (attendance and start/end events only).
    pub meeting: Option<MeetingOfPush>,
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
    fn record(&self) -> PushRecord<'_> {
        PushRecord {
            vendor: self.vendor,
            app: &self.app,
            delivery: &self.delivery,
            received_us: self.received_us,
            body: &self.body,
            changes: &self.changes,
            meeting: self.meeting.as_ref().map(|m| PushMeeting {
                meeting_id: &m.meeting_id,
                subject: m.subject.as_deref(),
                start_unix: m.start_unix,
                end_unix: m.end_unix,
                ended: m.ended,
            }),
        }
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
                let records: Vec<PushRecord<'_>> = jobs.iter().map(|(d, _)| d.record()).collect();
                let result = store.record_pushes(&records).await;
                drop(records);
                match result {
                    Ok(stored) => {
                        let any_end = jobs.iter().zip(&stored).any(|((d, _), new)| {
                            *new && d.meeting.as_ref().is_some_and(|m| m.ended)
                        });
                        for ((_, answer), new) in jobs.drain(..).zip(stored) {
                            // A handler whose client went away no longer waits: nothing to do.
                            let _ = answer.send(Ok(new));
                        }
                        if any_end {
                            ended.notify_one();
                        }
                    }
                    Err(e) => {
                        tracing::error!(
                            deliveries = jobs.len(),
                            "pushes not stored (the vendor will retry): {e}"
                        );
                        for (_, answer) in jobs.drain(..) {
                            let _ = answer.send(Err(NotStored::Store(e.to_string())));
                        }
                    }
                }
            }
        });
        Self { queue: tx }
    }

    /// Stores `delivery` (with whatever else is waiting); `Ok(false)` for a redelivery.
    pub async fn store(&self, delivery: Delivery) -> Result<bool, NotStored> {
        let (answer, stored) = oneshot::channel();
        self.queue
            .try_send((delivery, answer))
            .map_err(|_| NotStored::Busy)?;
        stored
            .await
            .unwrap_or_else(|_| Err(NotStored::Store("the writer stopped".into())))
    }
}
