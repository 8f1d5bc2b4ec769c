//! The cross-vendor view: [`AttendeeSource`] for [`TencentMeetingClient`].
//!
//! **Attendees** ([`TencentMeetingClient::attendees`]):
//! - with a `sub_meeting_id`: that occurrence, without a time window (the vendor ignores
//!   windows for recurring meetings); a range in the query is an `InvalidArgument`;
//! - otherwise the meeting detail is read first (one request). A recurring meeting uses its
//!   `current_sub_meeting_id`, or fails with `InvalidArgument` listing the occurrences;
//! - a non-recurring meeting is read over `[from, to)` split into ≤ 31-day windows (inclusive
//!   Unix-second bounds, duplicates at window edges dropped), each window split further while
//!   the 50,000-record cap would truncate it ([`crate::participants::capped_window_stream`]).
//!   Missing bounds default to: `to` = now; `from` = one day before the scheduled start (or
//!   before now, if that is earlier) when the detail is available, else `to` − 90 days
//!   ([`crate::ClientBuilder::default_lookback`]). Meetings older than that need an explicit
//!   `from`.
//!
//! **Registrations** ([`TencentMeetingClient::registrations`]): the enrollment approvals with
//! the query's status filter. When the meeting has no enrollment (vendor code 101) the invitee
//! list is returned instead (invitees have no status, so a filter other than `All` then gives
//! an empty stream).

use async_trait::async_trait;
use futures::stream::{self, StreamExt};
use roster_core::{
    Attendee, AttendeeSource, Error, ErrorKind, MAX_WINDOW, MeetingQuery, Paginator, RecordStream,
    Registration, RegistrationFilter, Result, Vendor, Window, WindowOptions, dedup_window_edges,
    page_items, split_windows, windowed,
};
use time::{Duration, OffsetDateTime};

use crate::client::TencentMeetingClient;
use crate::participants::{ParticipantsParams, capped_window_stream, session_key};
use crate::target::validate_id;

/// Where the time range of an attendance query came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RangeOrigin {
    /// Both bounds from the caller.
    Caller,
    /// A missing start derived from the meeting's scheduled start.
    Schedule,
    /// A missing start derived from the default look-back (no schedule known).
    Lookback,
}

/// What [`TencentMeetingClient::attendees`] will query.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttendancePlan {
    /// One occurrence of a recurring meeting, without a time window.
    Occurrence {
        /// The occurrence.
        sub_meeting_id: String,
    },
    /// A non-recurring meeting over these windows (≤ 31 days each, in time order).
    Windows {
        /// The windows.
        windows: Vec<Window>,
        /// Where the range came from.
        origin: RangeOrigin,
    },
}

impl TencentMeetingClient {
    /// Decides what an attendance query reads (reads the meeting detail when the query has no
    /// sub-meeting). Every local check happens before any request.
    pub async fn plan_attendees(&self, query: &MeetingQuery) -> Result<AttendancePlan> {
        validate_id("meeting id", &query.meeting_id)?;
        if let Some(sub) = &query.sub_meeting_id {
            validate_id("sub-meeting id", sub)?;
            if query.from.is_some() || query.to.is_some() {
                return Err(range_with_occurrence());
            }
            return Ok(AttendancePlan::Occurrence {
                sub_meeting_id: sub.clone(),
            });
        }
        if let (Some(from), Some(to)) = (query.from, query.to)
            && from >= to
        {
            return Err(Error::invalid_argument(format!(
                "the time range is empty or reversed: from {from} is not before to {to}"
            )));
        }
        for t in [query.from, query.to].into_iter().flatten() {
            if t.unix_timestamp() < 0 {
                return Err(Error::invalid_argument(format!(
                    "the time {t} is before 1970; Tencent Meeting takes Unix seconds"
                )));
            }
        }

        let detail = self.meeting_detail(&query.meeting_id).await?;
        if let Some(info) = detail.as_ref().filter(|i| i.is_recurring()) {
            let occurrences: Vec<&str> = info
                .sub_meetings
                .iter()
                .filter(|s| !s.is_deleted())
                .filter_map(|s| s.sub_meeting_id.as_deref())
                .collect();
            let listed = if occurrences.is_empty() {
                String::new()
            } else {
                format!(" (occurrences: {})", occurrences.join(", "))
            };
            if query.from.is_some() || query.to.is_some() {
                return Err(Error::invalid_argument(format!(
                    "meeting {} is recurring: Tencent ignores time ranges for it; choose an occurrence with a sub-meeting id{listed}",
                    query.meeting_id
                )));
            }
            let current = info
                .current_sub_meeting_id
                .clone()
                .filter(|s| !s.trim().is_empty());
            return match current {
                Some(sub) => {
                    validate_id("current sub-meeting id", &sub)?;
                    query.note(&format!(
                        "meeting {} is recurring: exporting its current (ongoing or next) occurrence {sub}; pass a sub-meeting id for another{listed}",
                        query.meeting_id
                    ));
                    Ok(AttendancePlan::Occurrence {
                        sub_meeting_id: sub,
                    })
                }
                None => Err(Error::invalid_argument(format!(
                    "meeting {} is recurring and has no current occurrence: pass a sub-meeting id{listed}",
                    query.meeting_id
                ))),
            };
        }

        let now = self.inner.clock.now();
        let to = query.to.unwrap_or(now + Duration::SECOND);
        let (from, origin) = match (query.from, detail.as_ref().and_then(|i| i.start_time)) {
            (Some(from), _) => (from, RangeOrigin::Caller),
            (None, Some(scheduled)) => (
                scheduled.min(now).min(to)
                    - Duration::try_from(crate::config::DEFAULT_EARLY_JOIN)
                        .unwrap_or(Duration::DAY),
                RangeOrigin::Schedule,
            ),
            (None, None) => (
                to - Duration::try_from(self.inner.default_lookback).unwrap_or(Duration::days(90)),
                RangeOrigin::Lookback,
            ),
        };
        let from = from.max(OffsetDateTime::UNIX_EPOCH);
        if from >= to {
            return Err(Error::invalid_argument(format!(
                "the time range is empty: from {from} is not before to {to}"
            )));
        }
        match origin {
            RangeOrigin::Schedule => query.note(&format!(
                "no start time given: sessions joined from {} (a day before the scheduled start) to {}",
                roster_core::format_time(from),
                roster_core::format_time(to)
            )),
            RangeOrigin::Lookback => query.note(&format!(
                "no start time given and no meeting detail: sessions joined from {} (the default look-back) to {}",
                roster_core::format_time(from),
                roster_core::format_time(to)
            )),
            _ => {}
        }
        let windows = split_windows(from, to, MAX_WINDOW)?;
        Ok(AttendancePlan::Windows { windows, origin })
    }

    /// Every join session of the meeting (see the [module docs](crate::source) for how the
    /// query is resolved). The returned stream fetches page by page as it is polled and ends
    /// after the first error; a vendor cap that could not be avoided ends it with
    /// [`ErrorKind::Truncated`].
    pub async fn attendees(&self, query: &MeetingQuery) -> Result<RecordStream<Attendee>> {
        let plan = self.plan_attendees(query).await?;
        self.attendees_for_plan(query, plan)
    }

    /// Streams the attendees of a plan from [`Self::plan_attendees`].
    pub fn attendees_for_plan(
        &self,
        query: &MeetingQuery,
        plan: AttendancePlan,
    ) -> Result<RecordStream<Attendee>> {
        let size = self.inner.participants_page_size;
        let observer = query.observer.clone();
        let stream = match plan {
            AttendancePlan::Occurrence { sub_meeting_id } => {
                let params = ParticipantsParams::new(query.meeting_id.clone())
                    .sub_meeting(sub_meeting_id)
                    .size(size);
                let mut p = Paginator::new(self.participants_list(params)?);
                if let Some(o) = observer {
                    p = p.observer(o);
                }
                p.items().boxed()
            }
            AttendancePlan::Windows { windows, .. } => {
                for w in &windows {
                    ParticipantsParams::new(query.meeting_id.clone())
                        .window_of(w)
                        .size(size)
                        .validate()?;
                }
                let client = self.clone();
                let meeting_id = query.meeting_id.clone();
                let joined = windowed(
                    windows.clone(),
                    WindowOptions::concurrent(self.inner.window_concurrency),
                    move |w| {
                        capped_window_stream(
                            client.clone(),
                            meeting_id.clone(),
                            w,
                            size,
                            observer.clone(),
                        )
                    },
                );
                dedup_window_edges(joined, &windows, |a: &Attendee| a.joined_at, session_key)
                    .boxed()
            }
        };
        Ok(limit(stream, query.max_items))
    }

    /// Every registration of the meeting: enrollments with the query's status filter, or the
    /// invitees when enrollment is not enabled (see the [module docs](crate::source)).
    pub async fn registrations(&self, query: &MeetingQuery) -> Result<RecordStream<Registration>> {
        let list = self.enrollments_list(query.meeting_id.clone(), query.status)?;
        let mut paginator = Paginator::new(list);
        if let Some(o) = query.observer.clone() {
            paginator = paginator.observer(o);
        }
        // The first page decides between enrollments and the invitee fallback; the rest of
        // the chain goes on in the same paginator, under the same stop rules.
        let mut pages = paginator.pages().boxed();
        match pages.next().await.transpose() {
            Ok(first) => {
                let stream = page_items(stream::iter(first.map(Ok)).chain(pages)).boxed();
                Ok(limit(stream, query.max_items))
            }
            Err(e) if e.kind() == ErrorKind::EnrollmentNotEnabled => {
                tracing::debug!(
                    meeting_id = %query.meeting_id,
                    "enrollment not enabled; listing invitees instead"
                );
                if query.status != RegistrationFilter::All {
                    query.note(&format!(
                        "meeting {} has no enrollment, and its invitees have no status: nothing matches the status filter",
                        query.meeting_id
                    ));
                    return Ok(stream::empty().boxed());
                }
                query.note(&format!(
                    "meeting {} has no enrollment: listing its invitees instead",
                    query.meeting_id
                ));
                let mut p = Paginator::new(self.invitees_list(query.meeting_id.clone())?);
                if let Some(o) = query.observer.clone() {
                    p = p.observer(o);
                }
                Ok(limit(p.items().boxed(), query.max_items))
            }
            Err(e) => Err(e),
        }
    }
}

fn range_with_occurrence() -> Error {
    Error::invalid_argument(
        "a time range cannot be combined with a sub-meeting: Tencent ignores time ranges for recurring meetings",
    )
}

fn limit<T: Send + 'static>(s: RecordStream<T>, max: Option<u64>) -> RecordStream<T> {
    match max {
        Some(n) => s.take(usize::try_from(n).unwrap_or(usize::MAX)).boxed(),
        None => s,
    }
}

#[async_trait]
impl AttendeeSource for TencentMeetingClient {
    fn vendor(&self) -> Vendor {
        Vendor::TencentMeeting
    }

    async fn attendees(&self, query: &MeetingQuery) -> Result<RecordStream<Attendee>> {
        TencentMeetingClient::attendees(self, query).await
    }

    async fn registrations(&self, query: &MeetingQuery) -> Result<RecordStream<Registration>> {
        TencentMeetingClient::registrations(self, query).await
    }
}
