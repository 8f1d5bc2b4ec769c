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
//! the query's status filter, on the webinar path for a webinar (the meeting detail says
//! `meeting_type` 6; docs/specs/tencent-meeting.md §12.1), else on the meeting path. When the meeting has no enrollment (vendor code 101) the invitee
//! list is returned instead (invitees have no status, so a filter other than `All` then gives
//! an empty stream).
//!
//! **Round two** (docs/specs/tencent-meeting.md §12): [`TencentMeetingClient::live_attendees`]
//! (§12.6, the current occurrence of a recurring meeting as [`TencentMeetingClient::current_occurrence`]
//! resolves it), [`TencentMeetingClient::waiting_room`] (§12.7) and
//! [`TencentMeetingClient::sign_ins`] (§12.4, §12.5) back the [`AttendeeSource`] methods of
//! the same names.

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt};
use roster_core::resume::{occurrence_position, positioned_pages, records, resumable_windows};
use roster_core::{
    AttendancePlan, Attendee, AttendeeSource, ErrorKind, ExportPosition, MAX_WINDOW, MeetingQuery,
    MeetingShape, OccurrenceRange, Page, Paginator, PlanRules, RecordStream, Registration,
    RegistrationFilter, Result, Resumable, SignIn, Start, Vendor, WaitingRoomEntry, WindowOptions,
    page_items, plan_from_query, plan_with_meeting,
};
use time::Duration;

use crate::client::TencentMeetingClient;
use crate::config::DEFAULT_EARLY_JOIN;
use crate::enroll::EnrollList;
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
    ///
    /// The meeting detail is read first (one request, nothing cached): a webinar
    /// (`meeting_type` 6) is read on the webinar path, anything else on the meeting path
    /// (docs/specs/tencent-meeting.md §12.1). The detail's type for webinars is not
    /// documented, and old meetings have no detail any more: when the meeting path refuses
    /// the id as invalid (`190004`, what a webinar id gets there), the webinar path is tried
    /// once, and the meeting path's error stands if that fails too.
    pub async fn registrations(&self, query: &MeetingQuery) -> Result<RecordStream<Registration>> {
        // Every local check before any request.
        let meeting_list = self.enrollments_list(query.meeting_id.clone(), query.status)?;
        let detail = self.meeting_detail(&query.meeting_id).await?;
        let webinar = detail.as_ref().is_some_and(|d| d.is_webinar());
        let first = if webinar {
            query.note(&format!(
                "meeting {} is a webinar: listing its webinar enrollments",
                query.meeting_id
            ));
            let list = self.webinar_enrollments_list(query.meeting_id.clone(), query.status)?;
            first_page(query, list).await
        } else {
            match first_page(query, meeting_list).await {
                Err(e) if e.kind() == ErrorKind::InvalidArgument => {
                    let list =
                        self.webinar_enrollments_list(query.meeting_id.clone(), query.status)?;
                    match first_page(query, list).await {
                        Ok(pages) => {
                            query.note(&format!(
                                "meeting {} was refused by the meeting enrollment list and is a webinar: listing its webinar enrollments",
                                query.meeting_id
                            ));
                            Ok(pages)
                        }
                        Err(w) if w.kind() == ErrorKind::EnrollmentNotEnabled => Err(w),
                        Err(_) => Err(e),
                    }
                }
                other => other,
            }
        };
        match first {
            Ok(pages) => Ok(query.limit(page_items(pages).boxed())),
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

/// The pages of an enrollment list, its first page fetched already (it decides between
/// enrollments and the invitee fallback; the rest of the chain goes on in the same paginator,
/// under the same stop rules).
async fn first_page(
    query: &MeetingQuery,
    list: EnrollList,
) -> Result<BoxStream<'static, Result<Page<Registration>>>> {
    let mut pages = query.observe(Paginator::new(list)).pages().boxed();
    let first = pages.next().await.transpose()?;
    Ok(stream::iter(first.map(Ok)).chain(pages).boxed())
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

    /// [`TencentMeetingClient::live_attendees`] (docs/specs/tencent-meeting.md §12.6).
    async fn live_attendees(&self, query: &MeetingQuery) -> Result<RecordStream<Attendee>> {
        TencentMeetingClient::live_attendees(self, query).await
    }

    /// [`TencentMeetingClient::waiting_room`] (docs/specs/tencent-meeting.md §12.7).
    async fn waiting_room(&self, query: &MeetingQuery) -> Result<RecordStream<WaitingRoomEntry>> {
        TencentMeetingClient::waiting_room(self, query).await
    }

    /// [`TencentMeetingClient::sign_ins`] (docs/specs/tencent-meeting.md §12.4, §12.5).
    async fn sign_ins(&self, query: &MeetingQuery) -> Result<RecordStream<SignIn>> {
        TencentMeetingClient::sign_ins(self, query).await
    }
}
