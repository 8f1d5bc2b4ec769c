//! `POST /cgi-bin/meeting/waitingroom/get_user_list` (docs/specs/wecom.md §12.4): the waiting
//! room's log, every stay before, during and after the meeting, as
//! [`roster_core::WaitingRoomEntry`].
//!
//! Times arrive as JSON numbers of **milliseconds** (strings of digits accepted) and keep
//! their millisecond precision; a `quit_time` of `0`, `""` or none means the person is still
//! waiting. The endpoint has no `sub_meetingid`. The `limit` (1–50; this client sends 50, the
//! vendor's default is 20) stays the same along a chain (documented on this page).

use roster_core::{ListEndpoint, Page, PageToken, Result, WaitingRoomEntry};
use serde::Serialize;

use crate::attendees::next_token;
use crate::client::{Api, WeComClient};
use crate::convert;
use crate::validate;
use crate::wire::{WaitingRoomUserListBody, WaitingRoomUserListResponse};

/// The largest `limit` of `waitingroom/get_user_list` ("最大50"), and the page size this
/// client uses unless told otherwise.
pub const MAX_WAITING_ROOM_LIMIT: u32 = 50;

impl WeComClient {
    /// One raw `waitingroom/get_user_list` call (checked, paced, retried, token refreshed
    /// once).
    pub async fn get_waiting_room_user_list(
        &self,
        body: &WaitingRoomUserListBody,
    ) -> Result<WaitingRoomUserListResponse> {
        validate::id("meeting id", &body.meetingid)?;
        validate::limit("waiting-room page size", body.limit, MAX_WAITING_ROOM_LIMIT)?;
        self.call(Api::WaitingRoomGetUserList, body).await
    }

    /// A cursor chain over the waiting room's log of `meeting_id`, 50 a page.
    pub fn waiting_room_list(&self, meeting_id: impl Into<String>) -> WaitingRoomList {
        WaitingRoomList {
            client: self.clone(),
            query: WaitingRoomQuery {
                meeting_id: meeting_id.into(),
                limit: MAX_WAITING_ROOM_LIMIT,
            },
        }
    }
}

/// The query of one `waitingroom/get_user_list` chain: a meeting and a page size that stays
/// the same for the whole chain (checked apart from the fingerprint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitingRoomQuery {
    meeting_id: String,
    #[serde(skip)]
    limit: u32,
}

impl WaitingRoomQuery {
    /// Checks the id and page size without a request.
    pub fn validate(&self) -> Result<()> {
        validate::id("meeting id", &self.meeting_id)?;
        validate::limit("waiting-room page size", self.limit, MAX_WAITING_ROOM_LIMIT)
    }

    /// The request body for a page.
    pub fn body(&self, cursor: Option<String>) -> WaitingRoomUserListBody {
        WaitingRoomUserListBody {
            meetingid: self.meeting_id.clone(),
            cursor,
            limit: self.limit,
        }
    }
}

/// A `waitingroom/get_user_list` query being built, with the client that will run it.
#[derive(Debug, Clone)]
pub struct WaitingRoomList {
    client: WeComClient,
    query: WaitingRoomQuery,
}

impl WaitingRoomList {
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
    WaitingRoomList,
    GetWaitingRoomUserList,
    WaitingRoomUserListBody
);

/// `waitingroom/get_user_list`, declared once: cursor pages of waiting-room stays.
#[derive(Debug)]
pub struct GetWaitingRoomUserList;

impl ListEndpoint for GetWaitingRoomUserList {
    type Client = WeComClient;
    type Query = WaitingRoomQuery;
    type Item = WaitingRoomEntry;
    const NAME: &'static str = "wecom.waitingroom_get_user_list";

    fn page_size(query: &WaitingRoomQuery) -> u32 {
        query.limit
    }

    fn validate(query: &WaitingRoomQuery) -> Result<()> {
        query.validate()
    }

    async fn page(
        client: &WeComClient,
        query: &WaitingRoomQuery,
        token: Option<PageToken>,
    ) -> Result<Page<WaitingRoomEntry>> {
        let cursor = PageToken::cursor(token, "WeCom waiting-room")?;
        let response = client
            .get_waiting_room_user_list(&query.body(cursor))
            .await?;
        let users = response.user_list.unwrap_or_default();
        tracing::trace!(
            meeting_id = %query.meeting_id,
            rows = users.len(),
            has_more = response.has_more,
            "waitingroom/get_user_list page"
        );
        let items = users
            .into_iter()
            .map(|w| convert::waiting_room_entry(w, &query.meeting_id))
            .collect();
        let next = next_token(response.next_cursor);
        Page::from_wire(
            "waitingroom/get_user_list",
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
    fn bodies_have_no_sub_meeting_and_a_constant_limit() {
        let c = client();
        assert_eq!(
            serde_json::to_value(c.waiting_room_list("m1").body(None)).unwrap(),
            json!({"meetingid": "m1", "limit": 50})
        );
        assert_eq!(
            serde_json::to_value(c.waiting_room_list("m1").limit(20).body(Some("c".into())))
                .unwrap(),
            json!({"meetingid": "m1", "cursor": "c", "limit": 20})
        );
        let list = c.waiting_room_list("m1").limit(20).into_list().unwrap();
        assert_eq!(list.page_size(), 20);
        assert_eq!(
            list.fingerprint(),
            c.waiting_room_list("m1").into_list().unwrap().fingerprint()
        );
    }

    #[tokio::test]
    async fn invalid_lists_fail_before_any_request() {
        let c = client();
        for list in [
            c.waiting_room_list(""),
            c.waiting_room_list("m").limit(0),
            c.waiting_room_list("m").limit(51),
        ] {
            let e = list.clone().paginate().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{list:?}");
        }
        let e = c
            .get_waiting_room_user_list(&WaitingRoomUserListBody {
                meetingid: "m".into(),
                cursor: None,
                limit: 51,
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }
}
