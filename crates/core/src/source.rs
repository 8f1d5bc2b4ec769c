//! The cross-vendor interface: anything that can stream a meeting's attendees and
//! registrations. The CLI and users hold a `Box<dyn AttendeeSource>` and never name a vendor
//! type.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use futures::StreamExt;
use futures::stream::BoxStream;
use time::OffsetDateTime;

use crate::enums::RegistrationFilter;
use crate::error::Result;
use crate::model::{Attendee, Registration, SignIn, WaitingRoomEntry};
use crate::paginate::{ListRequest, PageObserver, Paginator};
use crate::resume::{ExportPosition, Resumable};
use crate::vendor::Vendor;

/// A boxed stream of records, ending after the first error.
pub type RecordStream<T> = BoxStream<'static, Result<T>>;

/// Which meeting, occurrence and time range to read.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct MeetingQuery {
    /// The vendor's meeting id (Quanshi: the `eventId`).
    pub meeting_id: String,
    /// One occurrence of a recurring meeting. When absent, vendors that need one look up the
    /// current occurrence or fail with a clear error.
    pub sub_meeting_id: Option<String>,
    /// Start of the join-time range (inclusive).
    pub from: Option<OffsetDateTime>,
    /// End of the join-time range (exclusive).
    pub to: Option<OffsetDateTime>,
    /// Which registrations to list.
    pub status: RegistrationFilter,
    /// Quanshi: select the meeting by its attendee join link instead of the id.
    pub join_url: Option<String>,
    /// The meeting's host, for a vendor whose per-meeting calls name it (Quanshi's
    /// `room/conference/infos` takes the host's user id; default: the client's configured
    /// host; other vendors ignore it). Discovery gives it ([`crate::MeetingSummary::host`]).
    pub host: Option<String>,
    /// Stop after this many records.
    pub max_items: Option<u64>,
    /// Told about every page (for progress bars).
    pub observer: Option<Arc<dyn PageObserver>>,
}

impl fmt::Debug for MeetingQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MeetingQuery")
            .field("meeting_id", &self.meeting_id)
            .field("sub_meeting_id", &self.sub_meeting_id)
            .field("from", &self.from)
            .field("to", &self.to)
            .field("status", &self.status)
            .field("join_url", &self.join_url)
            .field("host", &self.host)
            .field("max_items", &self.max_items)
            .field("observer", &self.observer.as_ref().map(|_| "…"))
            .finish()
    }
}

impl MeetingQuery {
    /// A query for one meeting, everything else default.
    pub fn new(meeting_id: impl Into<String>) -> Self {
        Self {
            meeting_id: meeting_id.into(),
            ..Self::default()
        }
    }

    /// Names the meeting's host (see [`MeetingQuery::host`]).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// Selects one occurrence of a recurring meeting.
    pub fn sub_meeting(mut self, id: impl Into<String>) -> Self {
        self.sub_meeting_id = Some(id.into());
        self
    }

    /// Restricts attendance to joins in `[from, to)`.
    pub fn between(mut self, from: OffsetDateTime, to: OffsetDateTime) -> Self {
        self.from = Some(from);
        self.to = Some(to);
        self
    }

    /// Sets the start of the range.
    pub fn from(mut self, from: OffsetDateTime) -> Self {
        self.from = Some(from);
        self
    }

    /// Sets the end of the range.
    pub fn to(mut self, to: OffsetDateTime) -> Self {
        self.to = Some(to);
        self
    }

    /// Filters registrations by status.
    pub fn status(mut self, status: RegistrationFilter) -> Self {
        self.status = status;
        self
    }

    /// Quanshi: selects the meeting by its attendee join link.
    pub fn join_url(mut self, url: impl Into<String>) -> Self {
        self.join_url = Some(url.into());
        self
    }

    /// Stops after `n` records.
    pub fn max_items(mut self, n: u64) -> Self {
        self.max_items = Some(n);
        self
    }

    /// Reports every page to `observer`.
    pub fn observer(mut self, observer: Arc<dyn PageObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// `paginator` reporting its pages to this query's observer, if any.
    pub fn observe<R: ListRequest>(&self, paginator: Paginator<R>) -> Paginator<R> {
        match &self.observer {
            Some(o) => paginator.observer(o.clone()),
            None => paginator,
        }
    }

    /// `stream` ending after this query's `max_items` records, if set.
    pub fn limit<T: Send + 'static>(&self, stream: RecordStream<T>) -> RecordStream<T> {
        match self.max_items {
            Some(n) => stream
                .take(usize::try_from(n).unwrap_or(usize::MAX))
                .boxed(),
            None => stream,
        }
    }

    /// Tells the observer (if any) about a decision made for this query
    /// ([`PageObserver::on_note`]), and logs it at debug level.
    pub fn note(&self, note: &str) {
        tracing::debug!(note, "query resolved");
        if let Some(o) = &self.observer {
            o.on_note(note);
        }
    }
}

/// A real-time list's rows, each session once: vendors page these lists while people join
/// and leave, so a row can come back on a later page. A row is the same as an earlier one when
/// the person (per-meeting id, else user id), the join time and the device are; two devices
/// of one person stay two rows, and a row without either id is never merged. Errors pass.
pub fn live_rows_once(
    rows: impl futures::Stream<Item = Result<Attendee>> + Send + 'static,
) -> RecordStream<Attendee> {
    let mut seen = std::collections::HashSet::new();
    rows.filter(move |row| {
        let fresh = match row {
            Ok(a) => match a.temp_id.as_ref().or(a.user_id.as_ref()) {
                Some(who) => seen.insert((
                    who.clone(),
                    a.joined_at.map(OffsetDateTime::unix_timestamp),
                    a.device.map(|d| d.code()),
                )),
                None => true,
            },
            Err(_) => true,
        };
        std::future::ready(fresh)
    })
    .boxed()
}

/// A vendor client seen through the unified model.
///
/// Both methods validate the query and resolve what they must (a recurring meeting's current
/// occurrence, a join link) before returning; the returned stream then fetches page by page as
/// it is polled and ends after the first error.
#[async_trait]
pub trait AttendeeSource: Send + Sync {
    /// The platform behind this source.
    fn vendor(&self) -> Vendor;

    /// Every join session of the meeting, in time order.
    async fn attendees(&self, query: &MeetingQuery) -> Result<RecordStream<Attendee>>;

    /// Every registration (enrollment or invitation) of the meeting.
    async fn registrations(&self, query: &MeetingQuery) -> Result<RecordStream<Registration>>;

    /// Who is in the meeting now, from the vendor's real-time list: one record per person and
    /// device in the meeting, `left_at` none. A meeting not in progress gives nothing. The
    /// default: [`crate::ErrorKind::Unsupported`].
    async fn live_attendees(&self, query: &MeetingQuery) -> Result<RecordStream<Attendee>> {
        let _ = query;
        Err(crate::Error::unsupported(
            self.vendor(),
            "real-time participant list",
        ))
    }

    /// The waiting room's log: every stay, before, during and after the meeting. The default:
    /// [`crate::ErrorKind::Unsupported`].
    async fn waiting_room(&self, query: &MeetingQuery) -> Result<RecordStream<WaitingRoomEntry>> {
        let _ = query;
        Err(crate::Error::unsupported(self.vendor(), "waiting-room log"))
    }

    /// Every sign-in (签到) of every sign-in round of the meeting, round by round. The default:
    /// [`crate::ErrorKind::Unsupported`].
    async fn sign_ins(&self, query: &MeetingQuery) -> Result<RecordStream<SignIn>> {
        let _ = query;
        Err(crate::Error::unsupported(self.vendor(), "sign-ins"))
    }

    /// [`Self::attendees`] as a resumable stream ([`crate::resume`]): a position after each
    /// page, and `from` continues a saved one (its plan is not made again; `max_items` is not
    /// applied). The default has no positions: a source that cannot resume starts over, and
    /// refuses a position.
    async fn attendees_from(
        &self,
        query: &MeetingQuery,
        from: Option<&ExportPosition>,
    ) -> Result<RecordStream<Resumable<Attendee>>> {
        if from.is_some() {
            return Err(crate::Error::invalid_argument(format!(
                "{} exports cannot resume from a saved position",
                self.vendor()
            )));
        }
        Ok(crate::resume::without_positions(
            self.attendees(query).await?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn live_rows_are_told_apart_by_person_join_and_device() {
        use crate::enums::Device;
        use futures::TryStreamExt;
        let row = |tmp: Option<&str>, user: Option<&str>, join: i64, device: i64| {
            let mut a = Attendee::new(Vendor::WeCom, "m");
            a.temp_id = tmp.map(str::to_string);
            a.user_id = user.map(str::to_string);
            a.joined_at = OffsetDateTime::from_unix_timestamp(join).ok();
            a.device = Some(Device::from_code(device));
            a
        };
        let rows = vec![
            row(Some("t1"), Some("u1"), 100, 1),
            row(Some("t1"), None, 100, 1), // the same row again (dropped)
            row(Some("t1"), None, 100, 3), // another device
            row(Some("t1"), None, 160, 1), // another join
            row(None, Some("u1"), 100, 1), // the user id when there is no per-meeting id
            row(None, Some("u1"), 100, 1), // ...and again (dropped)
            row(None, None, 100, 1),       // never merged
            row(None, None, 100, 1),
        ];
        let kept: Vec<Attendee> = live_rows_once(futures::stream::iter(rows.into_iter().map(Ok)))
            .try_collect()
            .await
            .unwrap();
        let keys: Vec<(Option<&str>, Option<&str>, i64)> = kept
            .iter()
            .map(|a| {
                (
                    a.temp_id.as_deref(),
                    a.user_id.as_deref(),
                    a.joined_at.unwrap().unix_timestamp(),
                )
            })
            .collect();
        assert_eq!(
            keys,
            vec![
                (Some("t1"), Some("u1"), 100),
                (Some("t1"), None, 100),
                (Some("t1"), None, 160),
                (None, Some("u1"), 100),
                (None, None, 100),
                (None, None, 100),
            ]
        );
    }
    use futures::StreamExt;

    struct Fixed;

    #[async_trait]
    impl AttendeeSource for Fixed {
        fn vendor(&self) -> Vendor {
            Vendor::Quanshi
        }
        async fn attendees(&self, q: &MeetingQuery) -> Result<RecordStream<Attendee>> {
            let a = Attendee::new(Vendor::Quanshi, q.meeting_id.clone());
            Ok(futures::stream::iter(vec![Ok(a)]).boxed())
        }
        async fn registrations(&self, _q: &MeetingQuery) -> Result<RecordStream<Registration>> {
            Ok(futures::stream::empty().boxed())
        }
    }

    #[test]
    fn notes_reach_the_observer() {
        struct Notes(std::sync::Mutex<Vec<String>>);
        impl PageObserver for Notes {
            fn on_page(&self, _items: usize, _total: Option<u64>) {}
            fn on_note(&self, note: &str) {
                self.0.lock().unwrap().push(note.to_string());
            }
        }
        let notes = Arc::new(Notes(std::sync::Mutex::new(Vec::new())));
        let q = MeetingQuery::new("m").observer(notes.clone());
        q.note("using occurrence 2");
        MeetingQuery::new("m").note("nobody listens: no panic");
        assert_eq!(*notes.0.lock().unwrap(), vec!["using occurrence 2"]);
    }

    #[tokio::test]
    async fn limit_and_observe_follow_the_query() {
        let numbers = || futures::stream::iter((0..10).map(Ok)).boxed();
        let q = MeetingQuery::new("m").max_items(3);
        let got: Vec<u32> = q.limit(numbers()).map(|r| r.unwrap()).collect().await;
        assert_eq!(got, vec![0, 1, 2]);
        let all: Vec<Result<u32>> = MeetingQuery::new("m").limit(numbers()).collect().await;
        assert_eq!(all.len(), 10);

        // One page of three records, reported to the query's observer.
        let pages = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = pages.clone();
        let observer = Arc::new(move |items: usize, _total: Option<u64>| {
            seen.fetch_add(items, std::sync::atomic::Ordering::SeqCst);
        });
        let list = crate::List::<crate::list::tests::Numbers>::new(
            crate::Retrier::new(
                crate::RetryPolicy::default(),
                Arc::new(crate::ManualClock::at_unix(0)),
            ),
            crate::list::tests::NumbersQuery { total: 3, size: 5 },
        )
        .unwrap();
        let q = MeetingQuery::new("m").observer(observer);
        let items: Vec<_> = q.observe(list.paginate()).items().collect().await;
        assert_eq!(items.len(), 3);
        assert_eq!(pages.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn the_trait_is_object_safe() {
        let sources: Vec<Box<dyn AttendeeSource>> = vec![Box::new(Fixed)];
        let q = MeetingQuery::new("566390").max_items(5);
        let got: Vec<_> = sources[0].attendees(&q).await.unwrap().collect().await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].as_ref().unwrap().meeting_id, "566390");
        assert_eq!(sources[0].vendor(), Vendor::Quanshi);
        assert!(format!("{q:?}").contains("566390"));
    }
}
