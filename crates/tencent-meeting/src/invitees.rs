//! Invitees: `GET /v1/meetings/{meeting_id}/invitees` (docs/specs/tencent-meeting.md §4.4).

use roster_core::{List, ListEndpoint, Page, PageToken, Registration, Result};

use crate::client::TencentMeetingClient;
use crate::config::INSTANCE_ID;
use crate::convert::registration_from_invitee;
use crate::target::{QueryString, validate_id};
use crate::wire::InviteesResponse;

impl TencentMeetingClient {
    /// One raw page of invitees (server-defined page size). `pos` is `None` for the first page,
    /// then the previous `next_pos` verbatim. Query order: `userid`, `instanceid`, `pos`.
    pub async fn invitees_page(
        &self,
        meeting_id: &str,
        pos: Option<&str>,
    ) -> Result<InviteesResponse> {
        validate_id("meeting id", meeting_id)?;
        let mut q = QueryString::new();
        q.push("userid", &self.inner.operator_id)
            .push("instanceid", INSTANCE_ID.to_string())
            .push("pos", pos.unwrap_or("0"));
        self.get_json("invitees", &["v1", "meetings", meeting_id, "invitees"], &q)
            .await
    }

    /// Every invitee as a list (checked now, before any request).
    pub fn invitees_list(&self, meeting_id: impl Into<String>) -> Result<InviteeList> {
        List::new(self.clone(), meeting_id.into())
    }
}

/// Invitees of one meeting, page by page (opaque `next_pos`, [`PageToken::Position`]); the
/// query is the meeting id.
#[derive(Debug)]
pub struct Invitees;

/// The invitees of one meeting.
pub type InviteeList = List<Invitees>;

impl ListEndpoint for Invitees {
    type Client = TencentMeetingClient;
    type Query = String;
    type Item = Registration;
    const NAME: &'static str = "tencent.invitees";

    /// Server-defined; reported as 0 (cursors only check that it stays the same).
    fn validate(meeting_id: &String) -> Result<()> {
        validate_id("meeting id", meeting_id)
    }

    async fn page(
        client: &TencentMeetingClient,
        meeting_id: &String,
        token: Option<PageToken>,
    ) -> Result<Page<Registration>> {
        let pos = PageToken::position(token, "invitee")?;
        let r = client.invitees_page(meeting_id, pos.as_deref()).await?;
        let items = r.invitees.map(|rows| {
            rows.into_iter()
                .map(|u| registration_from_invitee(u, meeting_id))
                .collect()
        });
        let next = r.next_pos.map(PageToken::Position);
        Page::from_wire("invitees", items, r.has_remaining, next)
    }
}
