//! Meetings: `POST /cgi-bin/meeting/get_info` (details and per-person attendance summary) and
//! `POST /cgi-bin/meeting/get_user_meetingid` (a member's meeting ids over ≤ 180-day windows).

use std::collections::HashSet;

use futures::StreamExt;
use roster_core::{
    Cursor, List, ListEndpoint, Page, PageToken, Paginator, RecordStream, Result, Window,
    WindowOptions, split_windows, windowed,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::attendees::next_token;
use crate::client::{Api, WeComClient};
use crate::validate;
use crate::wire::{
    GetInfoBody, MeetingHead, MeetingInfo, UserMeetingIdBody, UserMeetingIdResponse,
};

/// The largest `limit` of `get_user_meetingid`.
pub const MAX_MEETING_ID_LIMIT: u32 = 100;

/// The longest window `get_user_meetingid` accepts: 180 days.
pub const MAX_USER_MEETING_WINDOW: time::Duration = time::Duration::days(180);

impl WeComClient {
    /// Meeting details (`get_info`), with the per-member attendance summary, status, type,
    /// sub-meetings and `current_sub_meetingid`.
    ///
    /// The summary has one row per person (megabytes for a large meeting), all of it decoded
    /// and held; an attendee export ([`roster_core::AttendeeSource::attendees`]) reads the
    /// same answer without it.
    pub async fn get_info(
        &self,
        meeting_id: &str,
        sub_meeting_id: Option<&str>,
    ) -> Result<MeetingInfo> {
        let body = get_info_body(meeting_id, sub_meeting_id)?;
        self.call(Api::GetInfo, &body).await
    }

    /// `get_info` without the attendance summary: the answer is decoded as it arrives and
    /// `attendees` skipped unread, so memory does not grow with the meeting's size. Same
    /// retries, token refresh and errors as [`Self::get_info`].
    pub(crate) async fn get_info_head(&self, meeting_id: &str) -> Result<MeetingHead> {
        let body = get_info_body(meeting_id, None)?;
        self.call_streamed(Api::GetInfo, &body).await
    }

    /// One raw `get_user_meetingid` call.
    pub async fn get_user_meetingid(
        &self,
        body: &UserMeetingIdBody,
    ) -> Result<UserMeetingIdResponse> {
        validate::id("user id", &body.userid)?;
        validate::limit("meeting id page size", body.limit, MAX_MEETING_ID_LIMIT)?;
        if let (Some(begin), Some(end)) = (body.begin_time, body.end_time) {
            let (b, e) = (unix(begin)?, unix(end)?);
            validate::range("meeting id window", b, e, MAX_USER_MEETING_WINDOW)?;
        }
        self.call(Api::GetUserMeetingid, body).await
    }

    /// The ids of meetings this app created for `userid` with a start in `[from, to)`: the
    /// range is split into ≤ 180-day windows, queried one after another, and ids seen twice
    /// (upcoming meetings are returned by every window) are dropped. Fails before any request
    /// for an invalid user id or a reversed range.
    pub fn user_meeting_ids(
        &self,
        userid: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<RecordStream<String>> {
        validate::id("user id", userid)?;
        let windows = split_windows(from, to, MAX_USER_MEETING_WINDOW)?;
        let client = self.clone();
        let userid = userid.to_string();
        let mut seen = HashSet::new();
        let stream = windowed(
            windows,
            WindowOptions::sequential(),
            move |window| match client
                .user_meeting_id_list(userid.clone(), window)
                .paginate()
            {
                Ok(pages) => pages.items().boxed(),
                Err(e) => futures::stream::once(std::future::ready(Err(e))).boxed(),
            },
        )
        .filter(move |item| {
            let keep = match item {
                Ok(id) => seen.insert(id.clone()),
                Err(_) => true,
            };
            std::future::ready(keep)
        });
        Ok(stream.boxed())
    }

    /// One `get_user_meetingid` cursor chain over one window (at most 180 days).
    pub fn user_meeting_id_list(
        &self,
        userid: impl Into<String>,
        window: Window,
    ) -> UserMeetingIdList {
        UserMeetingIdList {
            client: self.clone(),
            query: UserMeetingIdQuery {
                userid: userid.into(),
                window,
                limit: MAX_MEETING_ID_LIMIT,
            },
        }
    }
}

fn get_info_body(meeting_id: &str, sub_meeting_id: Option<&str>) -> Result<GetInfoBody> {
    validate::id("meeting id", meeting_id)?;
    if let Some(sub) = sub_meeting_id {
        validate::id("sub-meeting id", sub)?;
    }
    Ok(GetInfoBody {
        meetingid: meeting_id.to_string(),
        sub_meetingid: sub_meeting_id.map(str::to_string),
    })
}

fn unix(seconds: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| {
        roster_core::Error::invalid_argument(format!("{seconds} is not a valid Unix time"))
    })
}

/// The query of one `get_user_meetingid` chain: a member, a window of at most 180 days and a
/// page size (checked apart from the fingerprint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserMeetingIdQuery {
    userid: String,
    window: Window,
    #[serde(skip)]
    limit: u32,
}

impl UserMeetingIdQuery {
    /// Checks the id, page size and window without a request.
    pub fn validate(&self) -> Result<()> {
        validate::id("user id", &self.userid)?;
        validate::limit("meeting id page size", self.limit, MAX_MEETING_ID_LIMIT)?;
        let (b, e) = self.window.inclusive_unix_bounds();
        validate::range(
            "meeting id window",
            unix(b)?,
            unix(e)?,
            MAX_USER_MEETING_WINDOW,
        )
    }

    /// The request body for a page.
    pub fn body(&self, cursor: Option<String>) -> UserMeetingIdBody {
        let (begin, end) = self.window.inclusive_unix_bounds();
        UserMeetingIdBody {
            userid: self.userid.clone(),
            cursor,
            begin_time: Some(begin),
            end_time: Some(end),
            limit: self.limit,
        }
    }
}

/// A `get_user_meetingid` query being built, with the client that will run it.
#[derive(Debug, Clone)]
pub struct UserMeetingIdList {
    client: WeComClient,
    query: UserMeetingIdQuery,
}

impl UserMeetingIdList {
    /// Sets the page size (1–100, default 100).
    pub fn limit(mut self, limit: u32) -> Self {
        self.query.limit = limit;
        self
    }

    /// Checks the id, page size and window without a request.
    pub fn validate(&self) -> Result<()> {
        self.query.validate()
    }

    /// A paginator from the first page; fails before any request if the list is invalid.
    pub fn paginate(self) -> Result<Paginator<List<GetUserMeetingIds>>> {
        Ok(List::new(self.client, self.query)?.paginate())
    }

    /// A paginator resuming a saved cursor (same page size and query only).
    pub fn resume(self, cursor: &Cursor) -> Result<Paginator<List<GetUserMeetingIds>>> {
        List::new(self.client, self.query)?.resume(cursor)
    }

    /// The request body for a page.
    pub fn body(&self, cursor: Option<String>) -> UserMeetingIdBody {
        self.query.body(cursor)
    }
}

/// `get_user_meetingid`, declared once. The endpoint has no `has_more`: an empty or absent
/// `next_cursor` ends it; a repeated cursor stops it with `PaginationStalled`.
#[derive(Debug)]
pub struct GetUserMeetingIds;

impl ListEndpoint for GetUserMeetingIds {
    type Client = WeComClient;
    type Query = UserMeetingIdQuery;
    type Item = String;
    const NAME: &'static str = "wecom.get_user_meetingid";

    fn page_size(query: &UserMeetingIdQuery) -> u32 {
        query.limit
    }

    fn validate(query: &UserMeetingIdQuery) -> Result<()> {
        query.validate()
    }

    async fn page(
        client: &WeComClient,
        query: &UserMeetingIdQuery,
        token: Option<PageToken>,
    ) -> Result<Page<String>> {
        let cursor = PageToken::cursor(token, "WeCom meeting id")?;
        let response = client.get_user_meetingid(&query.body(cursor)).await?;
        // No `has_more` on this endpoint: a cursor is the "more" signal, and the id array
        // (possibly empty) is what every real page carries.
        let next = next_token(response.next_cursor);
        let more = Some(next.is_some());
        Page::from_wire("get_user_meetingid", response.meetingid_list, more, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::ErrorKind;
    use time::macros::datetime;

    use crate::client::offline_client as client;

    #[tokio::test]
    async fn invalid_inputs_fail_before_any_request() {
        let c = client();
        let t = datetime!(2026-01-01 0:00 UTC);
        assert_eq!(
            c.user_meeting_ids("", t, t + time::Duration::DAY)
                .err()
                .unwrap()
                .kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            c.user_meeting_ids("u", t + time::Duration::DAY, t)
                .err()
                .unwrap()
                .kind(),
            ErrorKind::InvalidArgument
        );
        let too_long = UserMeetingIdBody {
            userid: "u".into(),
            cursor: None,
            begin_time: Some(0),
            end_time: Some(MAX_USER_MEETING_WINDOW.whole_seconds() + 1),
            limit: 100,
        };
        assert_eq!(
            c.get_user_meetingid(&too_long).await.unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        let big_limit = UserMeetingIdBody {
            limit: 101,
            end_time: Some(10),
            ..too_long
        };
        assert_eq!(
            c.get_user_meetingid(&big_limit).await.unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            c.get_info("", None).await.unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }

    #[test]
    fn windows_of_180_days() {
        let c = client();
        let t = datetime!(2026-01-01 0:00 UTC);
        let w = split_windows(t, t + time::Duration::days(400), MAX_USER_MEETING_WINDOW).unwrap();
        assert_eq!(w.len(), 3);
        let l = c.user_meeting_id_list("u", w[0]);
        assert!(l.validate().is_ok());
        let b = l.body(None);
        assert_eq!(
            b.end_time.unwrap() - b.begin_time.unwrap(),
            MAX_USER_MEETING_WINDOW.whole_seconds() - 1
        );
        assert_eq!(b.cursor, None, "the first call sends no cursor");
    }
}
