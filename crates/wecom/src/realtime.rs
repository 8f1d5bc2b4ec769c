//! `POST /cgi-bin/meeting/get_realtime_attendee_list` (docs/specs/wecom.md §12.3): who is in
//! the meeting now, one cursor chain of at most 50 rows a page.
//!
//! The rows are the people in the meeting at the time of the call (those who left are not
//! returned), in [`roster_core::Attendee`] with `left_at` none. A recurring meeting needs its
//! occurrence (`sub_meetingid`); [`roster_core::AttendeeSource::live_attendees`] takes the
//! current one from `get_info`, as the attendee export does. The `limit` stays the same along
//! a chain (documented on this page).

use roster_core::{Attendee, ListEndpoint, Page, PageToken, Result};
use serde::Serialize;

use crate::attendees::next_token;
use crate::client::{Api, WeComClient};
use crate::convert;
use crate::validate;
use crate::wire::{RealtimeAttendeeListBody, RealtimeAttendeeListResponse};

/// The largest `limit` of `get_realtime_attendee_list` ("最大50条"), and the page size this
/// client uses unless told otherwise (the vendor's default is undocumented).
pub const MAX_REALTIME_ATTENDEE_LIMIT: u32 = 50;

impl WeComClient {
    /// One raw `get_realtime_attendee_list` call (checked, paced, retried, token refreshed
    /// once).
    pub async fn get_realtime_attendee_list(
        &self,
        body: &RealtimeAttendeeListBody,
    ) -> Result<RealtimeAttendeeListResponse> {
        validate::id("meeting id", &body.meetingid)?;
        if let Some(sub) = &body.sub_meetingid {
            validate::id("sub-meeting id", sub)?;
        }
        validate::limit(
            "real-time attendee page size",
            body.limit,
            MAX_REALTIME_ATTENDEE_LIMIT,
        )?;
        self.call(Api::GetRealtimeAttendeeList, body).await
    }

    /// A cursor chain over who is in `meeting_id` now, 50 a page. A recurring meeting needs
    /// [`RealtimeAttendeeList::sub_meeting`].
    pub fn realtime_attendee_list(&self, meeting_id: impl Into<String>) -> RealtimeAttendeeList {
        RealtimeAttendeeList {
            client: self.clone(),
            query: RealtimeQuery {
                meeting_id: meeting_id.into(),
                sub_meeting_id: None,
                limit: MAX_REALTIME_ATTENDEE_LIMIT,
            },
        }
    }
}

/// The query of one `get_realtime_attendee_list` chain: a meeting, optionally an occurrence,
/// and a page size that stays the same for the whole chain (checked apart from the
/// fingerprint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RealtimeQuery {
    meeting_id: String,
    sub_meeting_id: Option<String>,
    #[serde(skip)]
    limit: u32,
}

impl RealtimeQuery {
    /// Checks ids and page size without a request.
    pub fn validate(&self) -> Result<()> {
        validate::id("meeting id", &self.meeting_id)?;
        if let Some(sub) = &self.sub_meeting_id {
            validate::id("sub-meeting id", sub)?;
        }
        validate::limit(
            "real-time attendee page size",
            self.limit,
            MAX_REALTIME_ATTENDEE_LIMIT,
        )
    }

    /// The request body for a page.
    pub fn body(&self, cursor: Option<String>) -> RealtimeAttendeeListBody {
        RealtimeAttendeeListBody {
            meetingid: self.meeting_id.clone(),
            sub_meetingid: self.sub_meeting_id.clone(),
            cursor,
            limit: self.limit,
        }
    }
}

/// A `get_realtime_attendee_list` query being built, with the client that will run it.
#[derive(Debug, Clone)]
pub struct RealtimeAttendeeList {
    client: WeComClient,
    query: RealtimeQuery,
}

impl RealtimeAttendeeList {
    /// Selects one occurrence of a recurring meeting (required for those).
    pub fn sub_meeting(mut self, id: impl Into<String>) -> Self {
        self.query.sub_meeting_id = Some(id.into());
        self
    }

    /// Sets the page size (1–50, default 50).
    pub fn limit(mut self, limit: u32) -> Self {
        self.query.limit = limit;
        self
    }

    /// The meeting id.
    pub fn meeting_id(&self) -> &str {
        &self.query.meeting_id
    }
}

list_handle_methods!(
    RealtimeAttendeeList,
    GetRealtimeAttendeeList,
    RealtimeAttendeeListBody
);

/// `get_realtime_attendee_list`, declared once: cursor pages of the people in the meeting.
#[derive(Debug)]
pub struct GetRealtimeAttendeeList;

impl ListEndpoint for GetRealtimeAttendeeList {
    type Client = WeComClient;
    type Query = RealtimeQuery;
    type Item = Attendee;
    const NAME: &'static str = "wecom.get_realtime_attendee_list";

    fn page_size(query: &RealtimeQuery) -> u32 {
        query.limit
    }

    fn validate(query: &RealtimeQuery) -> Result<()> {
        query.validate()
    }

    async fn page(
        client: &WeComClient,
        query: &RealtimeQuery,
        token: Option<PageToken>,
    ) -> Result<Page<Attendee>> {
        let cursor = PageToken::cursor(token, "WeCom real-time attendee")?;
        let response = client
            .get_realtime_attendee_list(&query.body(cursor))
            .await?;
        let attendees = response.attendees.unwrap_or_default();
        tracing::trace!(
            meeting_id = %query.meeting_id,
            rows = attendees.len(),
            has_more = response.has_more,
            "get_realtime_attendee_list page"
        );
        let (meeting_id, sub) = (&query.meeting_id, query.sub_meeting_id.as_deref());
        let status = response.extra.get("status");
        let items = attendees
            .into_iter()
            .map(|w| convert::live_attendee(w, meeting_id, sub, status))
            .collect();
        let next = next_token(response.next_cursor);
        Page::from_wire(
            "get_realtime_attendee_list",
            Some(items),
            response.has_more,
            next,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::{ErrorKind, ListRequest};
    use serde_json::json;

    use crate::client::offline_client as client;

    #[test]
    fn bodies_send_cursor_and_a_constant_limit() {
        let c = client();
        let l = c.realtime_attendee_list("m1").sub_meeting("s1");
        assert_eq!(
            serde_json::to_value(l.body(None)).unwrap(),
            json!({"meetingid": "m1", "sub_meetingid": "s1", "limit": 50})
        );
        let b =
            serde_json::to_value(c.realtime_attendee_list("m1").body(Some("c2".into()))).unwrap();
        assert_eq!(b, json!({"meetingid": "m1", "cursor": "c2", "limit": 50}));
        assert!(
            b.get("cursort").is_none(),
            "the doc example's typo is not sent"
        );
    }

    #[tokio::test]
    async fn invalid_lists_fail_before_any_request() {
        let c = client();
        for list in [
            c.realtime_attendee_list(""),
            c.realtime_attendee_list("m").limit(0),
            c.realtime_attendee_list("m").limit(51),
            c.realtime_attendee_list("m").sub_meeting(""),
        ] {
            let e = list.clone().paginate().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{list:?}");
        }
        let e = c
            .get_realtime_attendee_list(&RealtimeAttendeeListBody {
                meetingid: "m".into(),
                sub_meetingid: None,
                cursor: None,
                limit: 100,
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn fingerprints_separate_occurrences_but_not_page_sizes() {
        let c = client();
        let fp = |l: RealtimeAttendeeList| l.into_list().unwrap().fingerprint();
        let a = fp(c.realtime_attendee_list("m1"));
        assert_eq!(a, fp(c.realtime_attendee_list("m1").limit(10)));
        assert_ne!(a, fp(c.realtime_attendee_list("m1").sub_meeting("s")));
        assert_ne!(
            a,
            c.attendee_list("m1").into_list().unwrap().fingerprint(),
            "a cursor of the attendee list does not resume this one"
        );
        assert_eq!(
            c.realtime_attendee_list("m1")
                .limit(20)
                .into_list()
                .unwrap()
                .page_size(),
            20
        );
    }
}
