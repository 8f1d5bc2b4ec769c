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

use async_trait::async_trait;
use futures::StreamExt;
use roster_core::resume::{
    occurrence_position, positioned_pages, records, resumable_windows, window_position,
};
use roster_core::{
    AttendancePlan, Attendee, AttendeeSource, Cursor, ErrorKind, ExportPosition, MAX_WINDOW,
    MeetingQuery, MeetingShape, OccurrenceRange, PlanRules, RecordStream, Registration, Result,
    Resumable, Start, Vendor, Window, WindowOptions, joined_in_range, page_items, plan_from_query,
    plan_with_meeting,
};

use crate::client::WeComClient;
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
        let list = self
            .enroll_list(query.meeting_id.clone())
            .status(query.status);
        // The first page tells whether the meeting has enrollment at all; the rest of the
        // chain goes on in the same paginator.
        let mut pages = query.observe(list.paginate()?).pages().boxed();
        match pages.next().await.transpose() {
            Ok(first) => {
                Ok(query
                    .limit(page_items(futures::stream::iter(first.map(Ok)).chain(pages)).boxed()))
            }
            Err(e) if e.kind() == ErrorKind::EnrollmentNotEnabled => {
                // As on every vendor, no enrollment is no failure: say so and list nothing
                // (Tencent lists its invitees instead; WeCom's invitee list is not read yet).
                query.note(&format!(
                    "meeting {} has no enrollment: it has no registrations",
                    query.meeting_id
                ));
                Ok(futures::stream::empty().boxed())
            }
            Err(e) => Err(e),
        }
    }
}
