//! The cross-vendor view: [`AttendeeSource`] for [`TencentMeetingClient`].
//!
//! **Attendees** ([`TencentMeetingClient::attendees`]) are planned by core's rule for every
//! vendor ([`roster_core::plan`]): a `sub_meeting_id` is read without a time window (the vendor
//! ignores windows for recurring meetings, so a range with it is an `InvalidArgument`);
//! otherwise the meeting detail is read first (one request): a recurring meeting uses its
//! `current_sub_meeting_id`, a non-recurring one is read over `[from, to)` split into ≤ 31-day
//! windows (inclusive Unix-second bounds, duplicates at window edges dropped), each window split
//! further while the 50,000-record cap would truncate it
//! ([`crate::participants::capped_window_stream`]). Missing bounds: core's defaults, with
//! [`crate::TencentMeetingClientBuilder::default_lookback`].
//!
//! **Registrations** ([`TencentMeetingClient::registrations`]): the enrollment approvals with
//! the query's status filter. When the meeting has no enrollment (vendor code 101) the invitee
//! list is returned instead (invitees have no status, so a filter other than `All` then gives
//! an empty stream).

use async_trait::async_trait;
use futures::stream::{self, StreamExt};
use roster_core::resume::{occurrence_position, positioned_pages, records, resumable_windows};
use roster_core::{
    AttendancePlan, Attendee, AttendeeSource, ErrorKind, ExportPosition, MAX_WINDOW, MeetingQuery,
    MeetingShape, OccurrenceRange, Paginator, PlanRules, RecordStream, Registration,
    RegistrationFilter, Result, Resumable, Start, Vendor, WindowOptions, page_items,
    plan_from_query, plan_with_meeting,
};
use time::Duration;

use crate::client::TencentMeetingClient;
use crate::config::DEFAULT_EARLY_JOIN;
use crate::participants::{ParticipantsParams, capped_window_stream, session_key};
use crate::target::validate_id;

impl TencentMeetingClient {
    /// Decides what an attendance query reads, by core's rule for every vendor
    /// ([`roster_core::plan`]); reads the meeting detail when the query names no occurrence.
    /// Every local check happens before any request.
    pub async fn plan_attendees(&self, query: &MeetingQuery) -> Result<AttendancePlan> {
        validate_id("meeting id", &query.meeting_id)?;
        if let Some(sub) = &query.sub_meeting_id {
            validate_id("sub-meeting id", sub)?;
        }
        let rules = PlanRules {
            lookback: Duration::try_from(self.inner.config.default_lookback)
                .unwrap_or(Duration::days(90)),
            early_join: Duration::try_from(DEFAULT_EARLY_JOIN).unwrap_or(Duration::DAY),
            max_window: MAX_WINDOW,
            // Tencent ignores time ranges for recurring meetings.
            occurrence_range: OccurrenceRange::Refuse,
        };
        if let Some(plan) = plan_from_query(query, &rules)? {
            return Ok(plan);
        }
        let shape = match self.meeting_detail(&query.meeting_id).await? {
            Some(info) => MeetingShape {
                recurring: info.is_recurring(),
                occurrences: info
                    .sub_meetings
                    .iter()
                    .filter(|s| !s.is_deleted())
                    .filter_map(|s| s.sub_meeting_id.clone())
                    .collect(),
                current_occurrence: info.current_sub_meeting_id,
                scheduled_start: info.start_time,
            },
            None => MeetingShape::default(),
        };
        let plan = plan_with_meeting(query, &shape, self.inner.clock.now(), &rules)?;
        if let AttendancePlan::Occurrence { sub_meeting_id } = &plan {
            validate_id("current sub-meeting id", sub_meeting_id)?;
        }
        Ok(plan)
    }

    /// Every join session of the meeting (see the [module docs](crate::source) for how the
    /// query is resolved). The returned stream fetches page by page as it is polled and ends
    /// after the first error; a vendor cap that could not be avoided ends it with
    /// [`ErrorKind::Truncated`].
    pub async fn attendees(&self, query: &MeetingQuery) -> Result<RecordStream<Attendee>> {
        Ok(query.limit(records(self.attendees_from(query, None).await?)))
    }

    /// [`Self::attendees`] with a position after every page; `from` continues a saved one
    /// (see [`roster_core::resume`]).
    pub async fn attendees_from(
        &self,
        query: &MeetingQuery,
        from: Option<&ExportPosition>,
    ) -> Result<RecordStream<Resumable<Attendee>>> {
        let start = Start::of(from, self.plan_attendees(query)).await?;
        self.attendees_for_start(query, start)
    }

    /// Streams the attendees from a start: a plan from [`Self::plan_attendees`], or a saved
    /// position.
    pub fn attendees_for_start(
        &self,
        query: &MeetingQuery,
        start: Start,
    ) -> Result<RecordStream<Resumable<Attendee>>> {
        let size = self.inner.config.participants_page_size;
        let observer = query.observer.clone();
        match start {
            Start::Occurrence {
                sub_meeting_id,
                cursor,
            } => {
                let params = ParticipantsParams::new(query.meeting_id.clone())
                    .sub_meeting(sub_meeting_id.clone())
                    .size(size);
                let list = self.participants_list(params)?;
                let pages = match &cursor {
                    Some(c) => list.resume(c)?,
                    None => Paginator::new(list),
                };
                Ok(positioned_pages(query.observe(pages).pages(), move |c| {
                    occurrence_position(&sub_meeting_id, c)
                }))
            }
            Start::Windows(from) => {
                for w in &from.windows {
                    ParticipantsParams::new(query.meeting_id.clone())
                        .window_of(w)
                        .size(size)
                        .validate()?;
                }
                let client = self.clone();
                let meeting_id = query.meeting_id.clone();
                let per_window = observer.clone();
                Ok(resumable_windows(
                    from,
                    WindowOptions::concurrent(self.inner.config.window_concurrency),
                    observer,
                    move |w, cursor, keys: &[serde_json::Value]| {
                        capped_window_stream(
                            client.clone(),
                            meeting_id.clone(),
                            (w, cursor, keys),
                            size,
                            per_window.clone(),
                        )
                    },
                    |a: &Attendee| a.joined_at,
                    session_key,
                ))
            }
        }
    }

    /// Every registration of the meeting: enrollments with the query's status filter, or the
    /// invitees when enrollment is not enabled (see the [module docs](crate::source)).
    pub async fn registrations(&self, query: &MeetingQuery) -> Result<RecordStream<Registration>> {
        let list = self.enrollments_list(query.meeting_id.clone(), query.status)?;
        let paginator = query.observe(Paginator::new(list));
        // The first page decides between enrollments and the invitee fallback; the rest of
        // the chain goes on in the same paginator, under the same stop rules.
        let mut pages = paginator.pages().boxed();
        match pages.next().await.transpose() {
            Ok(first) => {
                let stream = page_items(stream::iter(first.map(Ok)).chain(pages)).boxed();
                Ok(query.limit(stream))
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
                let p = query.observe(Paginator::new(
                    self.invitees_list(query.meeting_id.clone())?,
                ));
                Ok(query.limit(p.items().boxed()))
            }
            Err(e) => Err(e),
        }
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

    async fn attendees_from(
        &self,
        query: &MeetingQuery,
        from: Option<&ExportPosition>,
    ) -> Result<RecordStream<Resumable<Attendee>>> {
        TencentMeetingClient::attendees_from(self, query, from).await
    }

    async fn registrations(&self, query: &MeetingQuery) -> Result<RecordStream<Registration>> {
        TencentMeetingClient::registrations(self, query).await
    }
}
