//! The waiting-room log: `GET /v1/meeting/{meeting_id}/waiting-room` (singular `meeting`;
//! docs/specs/tencent-meeting.md §12.7): every stay in the waiting room, before, during and
//! after the meeting, 50 a page, as [`WaitingRoomEntry`]s.
//!
//! Times are Unix milliseconds; a `left_time` of `0`, `""` or none means still waiting. The
//! vendor serves at most [`MAX_WAITING_ROOM_PAGE`] pages: a log longer than that ends with
//! [`roster_core::ErrorKind::Truncated`] after the last page served.

use futures::StreamExt;
use roster_core::{
    Error, ErrorKind, List, ListEndpoint, MeetingQuery, Page, PageToken, Paginator, RecordStream,
    Result, Vendor, WaitingRoomEntry,
};
use serde::Serialize;

use crate::client::TencentMeetingClient;
use crate::convert::waiting_room_entry_from;
use crate::errors::endpoint;
use crate::paging::numbered_page;
use crate::target::{QueryString, validate_id};
use crate::wire::WaitingRoomResponse;

/// Rows per page: the vendor's maximum ("默认值20,最大值50").
pub const WAITING_ROOM_PAGE_SIZE: u32 = 50;

/// The last page the vendor serves (SDK: "page最大值为2000").
pub const MAX_WAITING_ROOM_PAGE: u32 = 2000;

fn check(meeting_id: &str, page: u32, size: u32) -> Result<()> {
    validate_id("meeting id", meeting_id)?;
    if !(1..=MAX_WAITING_ROOM_PAGE).contains(&page) {
        return Err(Error::invalid_argument(format!(
            "waiting-room pages are numbered from 1 to {MAX_WAITING_ROOM_PAGE}, not {page}"
        )));
    }
    if !(1..=WAITING_ROOM_PAGE_SIZE).contains(&size) {
        return Err(Error::invalid_argument(format!(
            "the waiting-room page size must be 1 to {WAITING_ROOM_PAGE_SIZE}, not {size}"
        )));
    }
    Ok(())
}

impl TencentMeetingClient {
    /// One raw page of the waiting-room log (`page` `1..=2000`, `page_size` `1..=50`). Query
    /// order: `operator_id`, `operator_id_type`, `page`, `page_size`.
    pub async fn waiting_room_page(
        &self,
        meeting_id: &str,
        page: u32,
        page_size: u32,
    ) -> Result<WaitingRoomResponse> {
        check(meeting_id, page, page_size)?;
        let mut q = QueryString::new();
        q.push("operator_id", &self.inner.operator_id)
            .push("operator_id_type", "1")
            .push("page", page.to_string())
            .push("page_size", page_size.to_string());
        self.get_json(
            endpoint::WAITING_ROOM,
            &["v1", "meeting", meeting_id, "waiting-room"],
            &q,
        )
        .await
    }

    /// The waiting-room log of a meeting as a list of 50 a page (checked now, before any
    /// request).
    pub fn waiting_room_list(&self, meeting_id: impl Into<String>) -> Result<WaitingRoomList> {
        List::new(
            self.clone(),
            WaitingRoomQuery {
                meeting_id: meeting_id.into(),
                page_size: WAITING_ROOM_PAGE_SIZE,
            },
        )
    }

    /// Every stay in the meeting's waiting room (docs/specs/tencent-meeting.md §12.7), in the
    /// vendor's order (by entry time). The query's occurrence and time range do not apply
    /// (the vendor has neither) and are ignored.
    pub async fn waiting_room(
        &self,
        query: &MeetingQuery,
    ) -> Result<RecordStream<WaitingRoomEntry>> {
        let list = self.waiting_room_list(query.meeting_id.clone())?;
        Ok(query.limit(query.observe(Paginator::new(list)).items().boxed()))
    }
}

/// The query of [`WaitingRoom`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct WaitingRoomQuery {
    /// The meeting id.
    pub meeting_id: String,
    /// Rows per page, `1..=50`.
    pub page_size: u32,
}

/// A meeting's waiting-room log, page by page ([`PageToken::Page`] from 1 to 2000).
#[derive(Debug)]
pub struct WaitingRoom;

/// The waiting-room log of one meeting.
pub type WaitingRoomList = List<WaitingRoom>;

impl ListEndpoint for WaitingRoom {
    type Client = TencentMeetingClient;
    type Query = WaitingRoomQuery;
    type Item = WaitingRoomEntry;
    const NAME: &'static str = "tencent.waiting_room";

    fn page_size(query: &WaitingRoomQuery) -> u32 {
        query.page_size
    }

    fn validate(query: &WaitingRoomQuery) -> Result<()> {
        check(&query.meeting_id, 1, query.page_size)
    }

    async fn page(
        client: &TencentMeetingClient,
        query: &WaitingRoomQuery,
        token: Option<PageToken>,
    ) -> Result<Page<WaitingRoomEntry>> {
        let page = PageToken::page_number(token, "waiting-room")?;
        if page > MAX_WAITING_ROOM_PAGE {
            // Asked for only after a full page 2000 that said more follow.
            return Err(Error::new(
                ErrorKind::Truncated,
                format!(
                    "the waiting-room log has more than {MAX_WAITING_ROOM_PAGE} pages of {}: the vendor serves no further page, the rest is missing",
                    query.page_size
                ),
            )
            .with_vendor(Vendor::TencentMeeting));
        }
        let r = client
            .waiting_room_page(&query.meeting_id, page, query.page_size)
            .await?;
        let numbers = r.page_numbers();
        let total = numbers.total_count.and_then(|t| u64::try_from(t).ok());
        let items = r.participants.map(|rows| {
            rows.into_iter()
                .map(|p| waiting_room_entry_from(p, &query.meeting_id))
                .collect()
        });
        Ok(numbered_page("waiting-room", page, items, numbers)?.with_total(total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;
    use roster_core::ClientBuilder;

    #[tokio::test]
    async fn no_page_past_2000_is_asked_for() {
        // Nothing listens there: a request would fail with a transport error.
        let c = TencentMeetingClient::builder(Credentials::new("a", "b", "c"))
            .operator_id("owner1")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let list = c.waiting_room_list("123").unwrap();
        let q = list.query().clone();
        let e = WaitingRoom::page(&c, &q, Some(PageToken::Page(MAX_WAITING_ROOM_PAGE + 1)))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Truncated);
        assert!(e.to_string().contains("2000 pages"), "{e}");
        for (page, size) in [(0, 50), (2001, 50), (1, 0), (1, 51)] {
            assert_eq!(
                c.waiting_room_page("123", page, size)
                    .await
                    .unwrap_err()
                    .kind(),
                ErrorKind::InvalidArgument,
                "{page} {size}"
            );
        }
        assert_eq!(
            c.waiting_room_list("12a").unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
}
