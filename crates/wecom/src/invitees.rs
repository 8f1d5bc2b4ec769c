//! `POST /cgi-bin/meeting/get_invitees` (docs/specs/wecom.md §12.5): the members put on a
//! meeting's participant list when it was booked, as [`roster_core::Registration`]s.
//!
//! An invitee carries a user id only: the registration has no status and no id of its own
//! (as Tencent Meeting's invitee registrations). The endpoint takes no `limit`: the server
//! chooses the page size. [`roster_core::AttendeeSource::registrations`] lists invitees for a
//! meeting without enrollment; webinars have no invitee list (`730011`).

use roster_core::{ListEndpoint, Page, PageToken, Registration, Result};
use serde::Serialize;

use crate::attendees::next_token;
use crate::client::{Api, WeComClient};
use crate::convert;
use crate::validate;
use crate::wire::{InviteesBody, InviteesResponse};

impl WeComClient {
    /// One raw `get_invitees` call (checked, paced, retried, token refreshed once).
    pub async fn get_invitees(&self, body: &InviteesBody) -> Result<InviteesResponse> {
        validate::id("meeting id", &body.meetingid)?;
        self.call(Api::GetInvitees, body).await
    }

    /// A cursor chain over the invitees of `meeting_id`.
    pub fn invitee_list(&self, meeting_id: impl Into<String>) -> InviteeList {
        InviteeList {
            client: self.clone(),
            query: InviteeQuery {
                meeting_id: meeting_id.into(),
            },
        }
    }
}

/// The query of one `get_invitees` chain: a meeting (the page size is the server's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InviteeQuery {
    meeting_id: String,
}

impl InviteeQuery {
    /// Checks the id without a request.
    pub fn validate(&self) -> Result<()> {
        validate::id("meeting id", &self.meeting_id)
    }

    /// The request body for a page.
    pub fn body(&self, cursor: Option<String>) -> InviteesBody {
        InviteesBody {
            meetingid: self.meeting_id.clone(),
            cursor,
        }
    }
}

/// A `get_invitees` query being built, with the client that will run it.
#[derive(Debug, Clone)]
pub struct InviteeList {
    client: WeComClient,
    query: InviteeQuery,
}

impl InviteeList {
    /// The meeting id.
    pub fn meeting_id(&self) -> &str {
        &self.query.meeting_id
    }
}

list_handle_methods!(InviteeList, GetInvitees, InviteesBody);

/// `get_invitees`, declared once: cursor pages of invitees, as registrations.
#[derive(Debug)]
pub struct GetInvitees;

impl ListEndpoint for GetInvitees {
    type Client = WeComClient;
    type Query = InviteeQuery;
    type Item = Registration;
    const NAME: &'static str = "wecom.get_invitees";

    fn validate(query: &InviteeQuery) -> Result<()> {
        query.validate()
    }

    async fn page(
        client: &WeComClient,
        query: &InviteeQuery,
        token: Option<PageToken>,
    ) -> Result<Page<Registration>> {
        let cursor = PageToken::cursor(token, "WeCom invitee")?;
        let response = client.get_invitees(&query.body(cursor)).await?;
        let invitees = response.invitees.unwrap_or_default();
        tracing::trace!(
            meeting_id = %query.meeting_id,
            rows = invitees.len(),
            has_more = response.has_more,
            "get_invitees page"
        );
        let items = invitees
            .into_iter()
            .map(|w| convert::registration_from_invitee(w, &query.meeting_id))
            .collect();
        let next = next_token(response.next_cursor);
        Page::from_wire("get_invitees", Some(items), response.has_more, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::{ErrorKind, ListRequest};
    use serde_json::json;

    use crate::client::offline_client as client;

    #[tokio::test]
    async fn bodies_and_checks() {
        let c = client();
        assert_eq!(
            serde_json::to_value(c.invitee_list("m1").body(None)).unwrap(),
            json!({"meetingid": "m1"}),
            "no limit: the server chooses the page size"
        );
        assert_eq!(
            serde_json::to_value(c.invitee_list("m1").body(Some("c".into()))).unwrap(),
            json!({"meetingid": "m1", "cursor": "c"})
        );
        assert_eq!(c.invitee_list("m1").into_list().unwrap().page_size(), 0);
        let e = c.invitee_list(" m").paginate().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = c
            .get_invitees(&InviteesBody {
                meetingid: String::new(),
                cursor: None,
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }
}
