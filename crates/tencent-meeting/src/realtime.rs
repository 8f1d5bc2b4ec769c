//! Real-time participants: `GET /v1/meetings/{meeting_id}/real-time-participants`
//! (docs/specs/tencent-meeting.md §12.6): who is in the meeting now, 50 a page, as
//! [`Attendee`]s without a leave time.
//!
//! The list changes while it is read: [`TencentMeetingClient::live_attendees`] drops a
//! person-and-device seen on an earlier page (`(ms_open_id, instanceid)`) and reports no
//! vendor total (the result is a snapshot from about the time of the first page).

use roster_core::{
    Attendee, Error, List, ListEndpoint, MeetingQuery, Page, PageToken, Paginator, RecordStream,
    Result,
};
use serde::Serialize;

use crate::client::TencentMeetingClient;
use crate::convert::attendee_from_participant;
use crate::errors::endpoint;
use crate::paging::numbered_page;
use crate::target::{QueryString, validate_id};
use crate::wire::{MeetingInfo, RealtimeParticipantsResponse};

/// People per page: the vendor's maximum ("分页大小,最大50条").
pub const REALTIME_PAGE_SIZE: u32 = 50;

fn check(meeting_id: &str, sub_meeting_id: Option<&str>, page: u32, size: u32) -> Result<()> {
    validate_id("meeting id", meeting_id)?;
    if let Some(sub) = sub_meeting_id {
        validate_id("sub-meeting id", sub)?;
    }
    if page < 1 {
        return Err(Error::invalid_argument(
            "real-time participant pages are numbered from 1",
        ));
    }
    if !(1..=REALTIME_PAGE_SIZE).contains(&size) {
        return Err(Error::invalid_argument(format!(
            "the real-time participant page size must be 1 to {REALTIME_PAGE_SIZE}, not {size}"
        )));
    }
    Ok(())
}

/// The occurrence a per-occurrence call reads for a meeting with this detail: a recurring
/// meeting's current one (an error when it has none), nothing for other meetings.
pub(crate) fn occurrence_of(info: &MeetingInfo, meeting_id: &str) -> Result<Option<String>> {
    if !info.is_recurring() {
        return Ok(None);
    }
    match &info.current_sub_meeting_id {
        Some(sub) if !sub.is_empty() => {
            validate_id("current sub-meeting id", sub)?;
            Ok(Some(sub.clone()))
        }
        _ => Err(Error::invalid_argument(format!(
            "meeting {meeting_id} is recurring and has no current occurrence: name one (sub-meeting id)"
        ))),
    }
}

impl TencentMeetingClient {
    /// One raw page of the people in the meeting now (`page` from 1, `page_size` `1..=50`).
    /// Query order: `sub_meeting_id` (recurring meetings only), `operator_id`,
    /// `operator_id_type`, `page`, `page_size`; no `instanceid`, no time window.
    pub async fn realtime_participants_page(
        &self,
        meeting_id: &str,
        sub_meeting_id: Option<&str>,
        page: u32,
        page_size: u32,
    ) -> Result<RealtimeParticipantsResponse> {
        check(meeting_id, sub_meeting_id, page, page_size)?;
        let mut q = QueryString::new();
        q.push_opt("sub_meeting_id", sub_meeting_id)
            .push("operator_id", &self.inner.operator_id)
            .push("operator_id_type", "1")
            .push("page", page.to_string())
            .push("page_size", page_size.to_string());
        self.get_json(
            endpoint::REALTIME_PARTICIPANTS,
            &["v1", "meetings", meeting_id, "real-time-participants"],
            &q,
        )
        .await
    }

    /// The people in the meeting (an occurrence of a recurring one) now, as a list of 50 a
    /// page (checked now, before any request).
    pub fn realtime_participants_list(
        &self,
        meeting_id: impl Into<String>,
        sub_meeting_id: Option<String>,
    ) -> Result<RealtimeParticipantList> {
        List::new(
            self.clone(),
            RealtimeQuery {
                meeting_id: meeting_id.into(),
                sub_meeting_id,
                page_size: REALTIME_PAGE_SIZE,
            },
        )
    }

    /// The occurrence a per-occurrence call reads: the query's `sub_meeting_id`, else (one
    /// meeting-detail request) a recurring meeting's current occurrence, else none. A
    /// recurring meeting without a current occurrence is an
    /// [`roster_core::ErrorKind::InvalidArgument`] naming what to pass.
    pub async fn current_occurrence(
        &self,
        meeting_id: &str,
        sub_meeting_id: Option<&str>,
    ) -> Result<Option<String>> {
        validate_id("meeting id", meeting_id)?;
        if let Some(sub) = sub_meeting_id {
            validate_id("sub-meeting id", sub)?;
            return Ok(Some(sub.to_string()));
        }
        match self.meeting_detail(meeting_id).await? {
            Some(info) => occurrence_of(&info, meeting_id),
            None => Ok(None),
        }
    }

    /// Who is in the meeting now (docs/specs/tencent-meeting.md §12.6): one [`Attendee`] per
    /// person and device, `left_at` none; a meeting not in progress gives nothing.
    ///
    /// A recurring meeting is read at the query's `sub_meeting_id`, else at its current
    /// occurrence ([`Self::current_occurrence`], one meeting-detail request). The query's time
    /// range does not apply and is ignored. A person-and-device already delivered from an
    /// earlier page is dropped (the list moves while it is read).
    pub async fn live_attendees(&self, query: &MeetingQuery) -> Result<RecordStream<Attendee>> {
        let sub = self
            .current_occurrence(&query.meeting_id, query.sub_meeting_id.as_deref())
            .await?;
        if let (Some(sub), None) = (&sub, &query.sub_meeting_id) {
            query.note(&format!(
                "meeting {} is recurring: listing who is in its current occurrence {sub}",
                query.meeting_id
            ));
        }
        let list = self.realtime_participants_list(query.meeting_id.clone(), sub)?;
        let stream = roster_core::live_rows_once(query.observe(Paginator::new(list)).items());
        Ok(query.limit(stream))
    }
}

/// The query of [`RealtimeParticipants`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RealtimeQuery {
    /// The meeting id.
    pub meeting_id: String,
    /// The occurrence of a recurring meeting (required for those).
    pub sub_meeting_id: Option<String>,
    /// People per page, `1..=50`.
    pub page_size: u32,
}

/// The people in a meeting now, page by page ([`PageToken::Page`] from 1), as [`Attendee`]s
/// (no vendor total: the list moves while it is read).
#[derive(Debug)]
pub struct RealtimeParticipants;

/// The people in one meeting now.
pub type RealtimeParticipantList = List<RealtimeParticipants>;

impl ListEndpoint for RealtimeParticipants {
    type Client = TencentMeetingClient;
    type Query = RealtimeQuery;
    type Item = Attendee;
    const NAME: &'static str = "tencent.realtime_participants";

    fn page_size(query: &RealtimeQuery) -> u32 {
        query.page_size
    }

    fn validate(query: &RealtimeQuery) -> Result<()> {
        check(
            &query.meeting_id,
            query.sub_meeting_id.as_deref(),
            1,
            query.page_size,
        )
    }

    async fn page(
        client: &TencentMeetingClient,
        query: &RealtimeQuery,
        token: Option<PageToken>,
    ) -> Result<Page<Attendee>> {
        let page = PageToken::page_number(token, "real-time participant")?;
        let r = client
            .realtime_participants_page(
                &query.meeting_id,
                query.sub_meeting_id.as_deref(),
                page,
                query.page_size,
            )
            .await?;
        let numbers = r.page_numbers();
        let items = r.participants.map(|rows| {
            rows.into_iter()
                .map(|p| {
                    let mut a = attendee_from_participant(
                        p,
                        &query.meeting_id,
                        query.sub_meeting_id.as_deref(),
                    );
                    // In the meeting now: whatever a row says, there is no leave time yet.
                    a.left_at = None;
                    a
                })
                .collect()
        });
        numbered_page("real-time-participants", page, items, numbers)
    }
}
