//! `POST /cgi-bin/meeting/get_attendee_list`: join sessions, one cursor chain per window or
//! sub-meeting.

use roster_core::{
    Attendee, Cursor, Error, List, ListEndpoint, MAX_WINDOW, Page, PageToken, Paginator, Result,
    Window,
};
use serde::Serialize;

use crate::client::{Api, WeComClient};
use crate::config::MAX_ATTENDEE_LIMIT;
use crate::convert;
use crate::validate;
use crate::wire::{AttendeeListBody, AttendeeListResponse};

impl WeComClient {
    /// One raw `get_attendee_list` call (checked, paced, retried, token refreshed once).
    pub async fn get_attendee_list(&self, body: &AttendeeListBody) -> Result<AttendeeListResponse> {
        validate::id("meeting id", &body.meetingid)?;
        if let Some(sub) = &body.sub_meetingid {
            validate::id("sub-meeting id", sub)?;
        }
        validate::limit("attendee page size", body.limit, MAX_ATTENDEE_LIMIT)?;
        if let (Some(start), Some(end)) = (body.start_time, body.end_time) {
            check_unix_window(start, end)?;
        }
        self.call(Api::GetAttendeeList, body).await
    }

    /// A cursor chain over one meeting's join sessions, with the configured page size. Narrow
    /// it with [`AttendeeList::window`] (one-off meetings) or [`AttendeeList::sub_meeting`]
    /// (recurring meetings), then stream it with [`AttendeeList::paginate`].
    ///
    /// The cross-vendor [`roster_core::AttendeeSource::attendees`] does all of that for you:
    /// windows, sub-meeting lookup and edge de-duplication.
    pub fn attendee_list(&self, meeting_id: impl Into<String>) -> AttendeeList {
        AttendeeList {
            client: self.clone(),
            query: AttendeeQuery {
                meeting_id: meeting_id.into(),
                sub_meeting_id: None,
                window: None,
                limit: self.config().attendee_page_size,
            },
        }
    }
}

fn check_unix_window(start: i64, end: i64) -> Result<()> {
    if end < start {
        return Err(Error::invalid_argument(format!(
            "the attendee window is reversed: start {start} is after end {end}"
        )));
    }
    if end - start > MAX_WINDOW.whole_seconds() {
        return Err(Error::invalid_argument(format!(
            "the attendee window spans {} s; WeCom accepts at most {} s (31 days)",
            end - start,
            MAX_WINDOW.whole_seconds()
        )));
    }
    Ok(())
}

/// The query of one `get_attendee_list` cursor chain: a meeting, optionally a sub-meeting and a
/// join-time window, and a page size that stays the same for the whole chain (WeCom rejects a
/// cursor used with another `limit`; it is checked apart from the fingerprint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendeeQuery {
    meeting_id: String,
    sub_meeting_id: Option<String>,
    window: Option<Window>,
    #[serde(skip)]
    limit: u32,
}

impl AttendeeQuery {
    /// Checks ids, page size and window without a request.
    pub fn validate(&self) -> Result<()> {
        validate::id("meeting id", &self.meeting_id)?;
        if let Some(sub) = &self.sub_meeting_id {
            validate::id("sub-meeting id", sub)?;
        }
        validate::limit("attendee page size", self.limit, MAX_ATTENDEE_LIMIT)?;
        if let Some(w) = &self.window {
            if w.end <= w.start {
                return Err(Error::invalid_argument(format!(
                    "the attendee window is empty or reversed: {} to {}",
                    w.start, w.end
                )));
            }
            let (start, end) = w.inclusive_unix_bounds();
            check_unix_window(start, end)?;
        }
        Ok(())
    }

    /// The request body for a page.
    pub fn body(&self, cursor: Option<String>) -> AttendeeListBody {
        let (start_time, end_time) = match &self.window {
            Some(w) => {
                let (s, e) = w.inclusive_unix_bounds();
                (Some(s), Some(e))
            }
            None => (None, None),
        };
        AttendeeListBody {
            meetingid: self.meeting_id.clone(),
            sub_meetingid: self.sub_meeting_id.clone(),
            start_time,
            end_time,
            cursor,
            limit: self.limit,
        }
    }
}

/// A `get_attendee_list` query being built, with the client that will run it: narrow it with
/// [`AttendeeList::window`] (one-off meetings) or [`AttendeeList::sub_meeting`] (recurring
/// meetings), then stream it with [`AttendeeList::paginate`].
#[derive(Debug, Clone)]
pub struct AttendeeList {
    client: WeComClient,
    query: AttendeeQuery,
}

impl AttendeeList {
    /// Selects one occurrence of a recurring meeting (required for those).
    pub fn sub_meeting(mut self, id: impl Into<String>) -> Self {
        self.query.sub_meeting_id = Some(id.into());
        self
    }

    /// Restricts to joins inside `window` (at most 31 days; sent with inclusive bounds).
    pub fn window(mut self, window: Window) -> Self {
        self.query.window = Some(window);
        self
    }

    /// Sets the page size (1–100).
    pub fn limit(mut self, limit: u32) -> Self {
        self.query.limit = limit;
        self
    }

    /// The meeting id.
    pub fn meeting_id(&self) -> &str {
        &self.query.meeting_id
    }

    /// Checks ids, page size and window without a request.
    pub fn validate(&self) -> Result<()> {
        self.query.validate()
    }

    /// The checked list; fails before any request if the query is invalid.
    pub fn into_list(self) -> Result<List<GetAttendeeList>> {
        List::new(self.client, self.query)
    }

    /// A paginator from the first page; fails before any request if the list is invalid.
    pub fn paginate(self) -> Result<Paginator<List<GetAttendeeList>>> {
        Ok(self.into_list()?.paginate())
    }

    /// A paginator resuming a saved cursor; fails with
    /// [`CursorMismatch`](roster_core::ErrorKind::CursorMismatch) before any request if the
    /// cursor was saved with another page size or query.
    pub fn resume(self, cursor: &Cursor) -> Result<Paginator<List<GetAttendeeList>>> {
        self.into_list()?.resume(cursor)
    }

    /// The request body for a page.
    pub fn body(&self, cursor: Option<String>) -> AttendeeListBody {
        self.query.body(cursor)
    }
}

/// The token of the next page: a non-empty `next_cursor`. Whether there is a next page is
/// `has_more`'s alone to say (WeCom's last page carries a cursor too).
pub(crate) fn next_token(next_cursor: Option<String>) -> Option<PageToken> {
    next_cursor.filter(|c| !c.is_empty()).map(PageToken::Cursor)
}

/// `get_attendee_list`, declared once: cursor pages of join sessions.
#[derive(Debug)]
pub struct GetAttendeeList;

impl ListEndpoint for GetAttendeeList {
    type Client = WeComClient;
    type Query = AttendeeQuery;
    type Item = Attendee;
    const NAME: &'static str = "wecom.get_attendee_list";

    fn page_size(query: &AttendeeQuery) -> u32 {
        query.limit
    }

    fn validate(query: &AttendeeQuery) -> Result<()> {
        query.validate()
    }

    async fn page(
        client: &WeComClient,
        query: &AttendeeQuery,
        token: Option<PageToken>,
    ) -> Result<Page<Attendee>> {
        let cursor = PageToken::cursor(token, "WeCom attendee")?;
        let response = client.get_attendee_list(&query.body(cursor)).await?;
        let attendees = response.attendees.unwrap_or_default();
        tracing::trace!(
            meeting_id = %query.meeting_id,
            rows = attendees.len(),
            has_more = response.has_more,
            "get_attendee_list page"
        );
        let (meeting_id, sub) = (&query.meeting_id, query.sub_meeting_id.as_deref());
        let items = attendees
            .into_iter()
            .map(|w| convert::attendee(w, meeting_id, sub))
            .collect();
        let next = next_token(response.next_cursor);
        Page::from_wire("get_attendee_list", Some(items), response.has_more, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::{ErrorKind, split_windows};
    use time::macros::datetime;

    use crate::client::offline_client as client;

    #[test]
    fn next_tokens() {
        assert_eq!(
            next_token(Some("jigjegn==".into())),
            Some(PageToken::Cursor("jigjegn==".into()))
        );
        assert_eq!(next_token(Some("".into())), None, "an empty cursor is none");
        assert_eq!(next_token(None), None);
    }

    #[test]
    fn bodies_use_inclusive_window_bounds() {
        let t = datetime!(2026-01-01 0:00 UTC);
        let w = split_windows(t, t + MAX_WINDOW, MAX_WINDOW).unwrap()[0];
        let b = client()
            .attendee_list("m1")
            .window(w)
            .body(Some("c".into()));
        assert_eq!(b.start_time, Some(t.unix_timestamp()));
        assert_eq!(b.end_time, Some(t.unix_timestamp() + 2_678_399));
        assert_eq!(b.limit, 100);
        assert_eq!(b.cursor.as_deref(), Some("c"));
    }

    #[test]
    fn invalid_lists_fail_before_any_request() {
        let t = datetime!(2026-01-01 0:00 UTC);
        let c = client();
        let too_long = Window {
            start: t,
            end: t + MAX_WINDOW + time::Duration::seconds(2),
        };
        let reversed = Window {
            start: t + time::Duration::SECOND,
            end: t,
        };
        for list in [
            c.attendee_list(""),
            c.attendee_list("m\u{1}"),
            c.attendee_list("m").limit(0),
            c.attendee_list("m").limit(101),
            c.attendee_list("m").sub_meeting(" "),
            c.attendee_list("m").window(too_long),
            c.attendee_list("m").window(reversed),
        ] {
            let e = list.clone().paginate().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{list:?}");
        }
        assert!(check_unix_window(0, 2_678_400).is_ok());
        assert!(check_unix_window(0, 2_678_401).is_err());
    }

    #[test]
    fn fingerprints_separate_queries_but_not_pages() {
        use roster_core::ListRequest;
        let c = client();
        let fp = |l: AttendeeList| l.into_list().unwrap().fingerprint();
        let a = fp(c.attendee_list("m1"));
        assert_eq!(a, fp(c.attendee_list("m1").limit(10)));
        assert_ne!(a, fp(c.attendee_list("m2")));
        assert_ne!(a, fp(c.attendee_list("m1").sub_meeting("s")));
    }
}
