//! The cross-vendor [`AttendeeSource`] for WeCom.
//!
//! `attendees` plans by core's rule for every vendor ([`roster_core::plan`]): a caller's
//! `sub_meeting_id` is read as one chain without a window (`from`/`to` then filter join times
//! client-side, because WeCom ignores windows for sub-meetings); otherwise one `get_info` call
//! (read without its per-person attendance summary, which is skipped as the answer arrives)
//! tells recurring from one-off meetings: a recurring meeting uses `current_sub_meetingid`, a
//! one-off meeting is read over ≤ 31-day windows of `[from, to)` with rows on a window edge
//! de-duplicated. Defaults and errors are core's: an empty or reversed range is refused, a
//! missing start is a day before the scheduled start (or before now, for a meeting that has not
//! started), else the configured look-back (90 days).
//!
//! `registrations` reads `get_info` once (without its summary): its `meeting_type` picks the
//! enrollment family (`6`: `webinar/enroll/list`, docs/specs/wecom.md §12.1; never chosen by
//! probing errors), and a meeting without enrollment lists its invitees instead (§12.5).
//! `live_attendees` reads `get_realtime_attendee_list` (§12.3) for the caller's occurrence, or
//! a recurring meeting's current one; `waiting_room` reads `waitingroom/get_user_list` (§12.4).

use async_trait::async_trait;
use futures::StreamExt;
use roster_core::resume::{
    occurrence_position, positioned_pages, records, resumable_windows, window_position,
};
use roster_core::{
    AttendancePlan, Attendee, AttendeeSource, Cursor, ErrorKind, ExportPosition, MAX_WINDOW,
    MeetingQuery, MeetingShape, OccurrenceRange, PlanRules, RecordStream, Registration,
    RegistrationFilter, Result, Resumable, Start, Vendor, WaitingRoomEntry, Window, WindowOptions,
    joined_in_range, page_items, plan_from_query, plan_with_meeting,
};

use crate::client::WeComClient;
use crate::enroll::EnrollFamily;
use crate::validate;

/// How long before the scheduled start the default range begins.
pub const EARLY_JOIN_SLACK: time::Duration = time::Duration::DAY;

impl WeComClient {
    /// Decides how [`AttendeeSource::attendees`] reads `query`, by core's rule for every vendor
    /// ([`roster_core::plan`]); may call `get_info` once.
    pub async fn plan_attendees(&self, query: &MeetingQuery) -> Result<AttendancePlan> {
        validate::id("meeting id", &query.meeting_id)?;
        if let Some(sub) = &query.sub_meeting_id {
            validate::id("sub-meeting id", sub)?;
        }
        let rules = PlanRules {
            lookback: self.config().default_lookback,
            early_join: EARLY_JOIN_SLACK,
            max_window: MAX_WINDOW,
            // WeCom ignores windows for sub-meetings: the range filters join times instead.
            occurrence_range: OccurrenceRange::FilterJoinTimes,
        };
        if let Some(plan) = plan_from_query(query, &rules)? {
            return Ok(plan);
        }
        // Only the head of get_info: its attendance summary (one row per person) is skipped.
        let info = self.get_info_head(&query.meeting_id).await?;
        let shape = MeetingShape {
            recurring: info.is_recurring(),
            current_occurrence: info.current_sub_meeting().map(str::to_string),
            occurrences: info
                .sub_meetings
                .iter()
                .filter(|s| !s.is_deleted())
                .filter_map(|s| s.sub_meetingid.clone())
                .collect(),
            scheduled_start: info.start(),
        };
        plan_with_meeting(query, &shape, self.config().options.clock().now(), &rules)
    }
}

#[async_trait]
impl AttendeeSource for WeComClient {
    fn vendor(&self) -> Vendor {
        Vendor::WeCom
    }

    async fn attendees(&self, query: &MeetingQuery) -> Result<RecordStream<Attendee>> {
        Ok(query.limit(records(self.attendees_from(query, None).await?)))
    }

    async fn attendees_from(
        &self,
        query: &MeetingQuery,
        from: Option<&ExportPosition>,
    ) -> Result<RecordStream<Resumable<Attendee>>> {
        let meeting_id = query.meeting_id.clone();
        match Start::of(from, self.plan_attendees(query)).await? {
            Start::Occurrence {
                sub_meeting_id: sub,
                cursor,
            } => {
                let list = self.attendee_list(meeting_id).sub_meeting(sub.clone());
                let pages = match &cursor {
                    Some(c) => list.resume(c)?,
                    None => list.paginate()?,
                };
                let stream = positioned_pages(query.observe(pages).pages(), move |c| {
                    occurrence_position(&sub, c)
                });
                if query.from.is_none() && query.to.is_none() {
                    return Ok(stream);
                }
                // WeCom ignores windows on an occurrence: the range filters join times.
                let q = query.clone();
                Ok(stream
                    .filter(move |item| {
                        std::future::ready(match item {
                            Ok(Resumable::Record(a)) => joined_in_range(a.joined_at, &q),
                            _ => true,
                        })
                    })
                    .boxed())
            }
            Start::Windows(from) => {
                let page_size = self.config().attendee_page_size;
                for w in &from.windows {
                    self.attendee_list(meeting_id.clone())
                        .window(*w)
                        .limit(page_size)
                        .validate()?;
                }
                let client = self.clone();
                let options = WindowOptions::concurrent(self.config().window_concurrency);
                let per_page = query.observer.clone();
                let window =
                    move |w: Window, cursor: Option<Cursor>, _keys: &[serde_json::Value]| {
                        let list = client.attendee_list(meeting_id.clone()).window(w);
                        // Checked above, window by window: this cannot fail here, but an error
                        // ends the stream rather than panic.
                        let pages = match &cursor {
                            Some(c) => list.resume(c),
                            None => list.paginate(),
                        };
                        match pages {
                            Ok(mut pages) => {
                                if let Some(o) = per_page.clone() {
                                    pages = pages.observer(o);
                                }
                                positioned_pages(pages.pages(), move |c| window_position(w, c))
                            }
                            Err(e) => futures::stream::once(std::future::ready(Err(e))).boxed(),
                        }
                    };
                Ok(resumable_windows(
                    from,
                    options,
                    query.observer.clone(),
                    window,
                    |a: &Attendee| a.joined_at,
                    |a: &Attendee| {
                        let who = a.temp_id.clone().or_else(|| a.user_id.clone());
                        (who, a.joined_at.map(|t| t.unix_timestamp()))
                    },
                ))
            }
        }
    }

    async fn registrations(&self, query: &MeetingQuery) -> Result<RecordStream<Registration>> {
        validate::id("meeting id", &query.meeting_id)?;
        // get_info's meeting_type picks the enrollment family (§12.0: never by probing), and
        // its enrollment flag tells a meeting without enrollment before any list call.
        let info = self.get_info_head(&query.meeting_id).await?;
        let family = EnrollFamily::for_meeting_type(info.meeting_type());
        if info.enrollment_enabled() == Some(false) {
            return self.without_enrollment(query, family);
        }
        let list = self
            .enroll_list(query.meeting_id.clone())
            .family(family)
            .status(query.status);
        // The first page can still say the meeting has no enrollment (40058, explained); the
        // rest of the chain goes on in the same paginator.
        let mut pages = query.observe(list.paginate()?).pages().boxed();
        match pages.next().await.transpose() {
            Ok(first) => {
                Ok(query
                    .limit(page_items(futures::stream::iter(first.map(Ok)).chain(pages)).boxed()))
            }
            Err(e) if e.kind() == ErrorKind::EnrollmentNotEnabled => {
                self.without_enrollment(query, family)
            }
            Err(e) => Err(e),
        }
    }

    async fn live_attendees(&self, query: &MeetingQuery) -> Result<RecordStream<Attendee>> {
        validate::id("meeting id", &query.meeting_id)?;
        let mut list = self.realtime_attendee_list(query.meeting_id.clone());
        match &query.sub_meeting_id {
            Some(sub) => list = list.sub_meeting(sub.clone()),
            None => {
                // A recurring meeting needs its occurrence: the current one, as the attendee
                // export takes it.
                let info = self.get_info_head(&query.meeting_id).await?;
                if info.is_recurring() {
                    let Some(sub) = info.current_sub_meeting() else {
                        query.note(&format!(
                            "recurring meeting {} has no current occurrence: nobody is in it",
                            query.meeting_id
                        ));
                        return Ok(futures::stream::empty().boxed());
                    };
                    query.note(&format!(
                        "recurring meeting {}: reading its current occurrence {sub}",
                        query.meeting_id
                    ));
                    list = list.sub_meeting(sub.to_string());
                }
            }
        }
        let pages = query.observe(list.paginate()?);
        Ok(query.limit(roster_core::live_rows_once(pages.items())))
    }

    async fn waiting_room(&self, query: &MeetingQuery) -> Result<RecordStream<WaitingRoomEntry>> {
        validate::id("meeting id", &query.meeting_id)?;
        if let Some(sub) = &query.sub_meeting_id {
            validate::id("sub-meeting id", sub)?;
            query.note(&format!(
                "WeCom's waiting-room log has no occurrence filter: listing every stay of meeting {}, not only of {sub}",
                query.meeting_id
            ));
        }
        let pages = query.observe(
            self.waiting_room_list(query.meeting_id.clone())
                .paginate()?,
        );
        Ok(query.limit(pages.items().boxed()))
    }
}

impl WeComClient {
    /// The registrations of a meeting without enrollment: a meeting's invitees (they have no
    /// status, so a status filter other than all matches none of them); a webinar has no
    /// invitee list (`get_invitees` answers `730011`), so nothing.
    fn without_enrollment(
        &self,
        query: &MeetingQuery,
        family: EnrollFamily,
    ) -> Result<RecordStream<Registration>> {
        let id = &query.meeting_id;
        if family == EnrollFamily::Webinar {
            query.note(&format!(
                "webinar {id} has no enrollment (and webinars have no invitee list): it has no registrations"
            ));
            return Ok(futures::stream::empty().boxed());
        }
        if query.status != RegistrationFilter::All {
            query.note(&format!(
                "meeting {id} has no enrollment, and its invitees have no status: nothing matches the status filter"
            ));
            return Ok(futures::stream::empty().boxed());
        }
        query.note(&format!(
            "meeting {id} has no enrollment: listing its invitees instead"
        ));
        let pages = query.observe(self.invitee_list(id.clone()).paginate()?);
        Ok(query.limit(pages.items().boxed()))
    }
}
