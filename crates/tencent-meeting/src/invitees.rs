//! Invitees: `GET /v1/meetings/{meeting_id}/invitees` (docs/specs/tencent-meeting.md §4.4).

use roster_core::{Error, ListRequest, Page, PageToken, Registration, Result, Retrier};

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

    /// Every invitee as a [`ListRequest`] (validated now, before any request).
    pub fn invitees_list(&self, meeting_id: impl Into<String>) -> Result<InviteeList> {
        let meeting_id = meeting_id.into();
        validate_id("meeting id", &meeting_id)?;
        Ok(InviteeList {
            client: self.clone(),
            meeting_id,
        })
    }
}

/// Invitees of one meeting, page by page (opaque `next_pos`, [`PageToken::Position`]).
#[derive(Debug, Clone)]
pub struct InviteeList {
    client: TencentMeetingClient,
    meeting_id: String,
}

impl ListRequest for InviteeList {
    type Item = Registration;

    /// Server-defined; reported as 0 (cursors only check that it stays the same).
    fn page_size(&self) -> u32 {
        0
    }

    fn fingerprint(&self) -> String {
        format!("tencent.invitees|{}", self.meeting_id)
    }

    async fn fetch(&self, token: Option<PageToken>) -> Result<Page<Registration>> {
        let pos = match token {
            None => None,
            Some(PageToken::Position(p)) => Some(p),
            Some(other) => {
                return Err(Error::invalid_argument(format!(
                    "invitee pages are addressed by position, not by {other}"
                )));
            }
        };
        let r = self
            .client
            .invitees_page(&self.meeting_id, pos.as_deref())
            .await?;
        let items = r.invitees.map(|rows| {
            rows.into_iter()
                .map(|u| registration_from_invitee(u, &self.meeting_id))
                .collect()
        });
        let next = r.next_pos.map(PageToken::Position);
        Page::from_wire("invitees", items, r.has_remaining, next)
    }

    fn retrier(&self) -> Option<&Retrier> {
        Some(self.client.retrier())
    }
}
