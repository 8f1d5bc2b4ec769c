//! Participants: `GET /v1/meetings/{meeting_id}/participants` (docs/specs/tencent-meeting.md §4.1).
//!
//! Three layers:
//! - [`TencentMeetingClient::participants_page`]: one raw page;
//! - [`ParticipantsList`]: one query chain (`pos` → `next_pos`) as a [`roster_core::List`] for
//!   [`roster_core::Paginator`], with the 50,000-record cap declared;
//! - [`capped_window_stream`]: one time window, split in halves (down to one hour) while the
//!   vendor's cap would truncate it; used by [`TencentMeetingClient::attendees`].

use std::sync::Arc;

use futures::stream::{BoxStream, StreamExt};
use roster_core::{
    Attendee, Cursor, Error, List, ListEndpoint, Page, PageObserver, PageToken, Paginator, Result,
    Resumable, Window, capped_windows,
};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::client::TencentMeetingClient;
use crate::config::MAX_PARTICIPANTS_PAGE_SIZE;
use crate::convert::attendee_from_participant;
use crate::target::{QueryString, validate_id};
use crate::wire::ParticipantsResponse;

/// Longest window sent: 31 days (core's [`roster_core::MAX_WINDOW`]), in seconds between
/// `start_time` and `end_time`.
pub const MAX_WINDOW_SECONDS: i64 = roster_core::MAX_WINDOW.whole_seconds();

/// Shortest window created by splitting a capped window in halves.
pub const MIN_SPLIT_WINDOW: Duration = Duration::HOUR;

/// Parameters of one participants query chain. Frozen for the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ParticipantsParams {
    /// The meeting id (decimal digits).
    pub meeting_id: String,
    /// The occurrence of a recurring meeting.
    pub sub_meeting_id: Option<String>,
    /// Join-time filter, Unix seconds, both ends inclusive (`start_time`, `end_time`).
    pub window: Option<(i64, i64)>,
    /// Rows per page, `1..=100`.
    pub size: u32,
}

impl ParticipantsParams {
    /// A chain over `meeting_id` with 100 rows per page, no sub-meeting and no window.
    pub fn new(meeting_id: impl Into<String>) -> Self {
        Self {
            meeting_id: meeting_id.into(),
            sub_meeting_id: None,
            window: None,
            size: MAX_PARTICIPANTS_PAGE_SIZE,
        }
    }

    /// Selects an occurrence of a recurring meeting (no window may be set then).
    pub fn sub_meeting(mut self, id: impl Into<String>) -> Self {
        self.sub_meeting_id = Some(id.into());
        self
    }

    /// Sets the join-time filter: Unix seconds, both inclusive, at most 31 days apart.
    pub fn window(mut self, start: i64, end: i64) -> Self {
        self.window = Some((start, end));
        self
    }

    /// Sets the filter from a half-open [`Window`] ([`Window::inclusive_unix_bounds`]).
    pub fn window_of(self, w: &Window) -> Self {
        let (s, e) = w.inclusive_unix_bounds();
        self.window(s, e)
    }

    /// Sets the page size.
    pub fn size(mut self, size: u32) -> Self {
        self.size = size;
        self
    }

    /// Checks everything locally, before any request.
    pub fn validate(&self) -> Result<()> {
        validate_id("meeting id", &self.meeting_id)?;
        if let Some(sub) = &self.sub_meeting_id {
            validate_id("sub-meeting id", sub)?;
        }
        if !(1..=MAX_PARTICIPANTS_PAGE_SIZE).contains(&self.size) {
            return Err(Error::invalid_argument(format!(
                "the participants page size must be 1 to {MAX_PARTICIPANTS_PAGE_SIZE}, not {}",
                self.size
            )));
        }
        if let Some((start, end)) = self.window {
            if self.sub_meeting_id.is_some() {
                return Err(Error::invalid_argument(
                    "a time window cannot be combined with a sub-meeting: the vendor ignores it for recurring meetings",
                ));
            }
            if start < 0 || end < start {
                return Err(Error::invalid_argument(format!(
                    "the participants window [{start}, {end}] is negative or reversed"
                )));
            }
            if end - start > MAX_WINDOW_SECONDS {
                return Err(Error::invalid_argument(format!(
                    "the participants window spans {} s; the vendor accepts at most {MAX_WINDOW_SECONDS} s (31 days)",
                    end - start
                )));
            }
        }
        Ok(())
    }
}

impl TencentMeetingClient {
    /// One raw page. `pos` is `None` for the first page, then the previous `next_pos`
    /// verbatim. Query order: `userid`, `sub_meeting_id`, `pos`, `size`, `start_time`,
    /// `end_time`.
    pub async fn participants_page(
        &self,
        params: &ParticipantsParams,
        pos: Option<&str>,
    ) -> Result<ParticipantsResponse> {
        params.validate()?;
        let mut q = QueryString::new();
        q.push("userid", &self.inner.operator_id)
            .push_opt("sub_meeting_id", params.sub_meeting_id.as_deref())
            .push("pos", pos.unwrap_or("0"))
            .push("size", params.size.to_string());
        if let Some((start, end)) = params.window {
            q.push("start_time", start.to_string())
                .push("end_time", end.to_string());
        }
        self.get_json(
            "participants",
            &["v1", "meetings", &params.meeting_id, "participants"],
            &q,
        )
        .await
    }

    /// One query chain as a list (checked now, before any request).
    pub fn participants_list(&self, params: ParticipantsParams) -> Result<ParticipantsList> {
        List::new(self.clone(), params)
    }
}

/// The participants list: pages of [`Attendee`]s, `next_pos` tokens ([`PageToken::Position`]),
/// the 50,000-record cap declared (the paginator surfaces
/// [`roster_core::ErrorKind::Truncated`] after the last page when it is hit).
#[derive(Debug)]
pub struct Participants;

/// One participants query chain.
pub type ParticipantsList = List<Participants>;

impl ListEndpoint for Participants {
    type Client = TencentMeetingClient;
    type Query = ParticipantsParams;
    type Item = Attendee;
    const NAME: &'static str = "tencent.participants";

    fn page_size(params: &ParticipantsParams) -> u32 {
        params.size
    }

    fn validate(params: &ParticipantsParams) -> Result<()> {
        params.validate()
    }

    fn record_cap(client: &TencentMeetingClient, _params: &ParticipantsParams) -> Option<u64> {
        Some(client.inner.config.record_cap)
    }

    async fn page(
        client: &TencentMeetingClient,
        params: &ParticipantsParams,
        token: Option<PageToken>,
    ) -> Result<Page<Attendee>> {
        let pos = PageToken::position(token, "participants")?;
        let r = client.participants_page(params, pos.as_deref()).await?;
        let (meeting_id, sub) = (&params.meeting_id, params.sub_meeting_id.as_deref());
        let items = r.participants.map(|rows| {
            rows.into_iter()
                .map(|p| attendee_from_participant(p, meeting_id, sub))
                .collect()
        });
        let total = r.total_count.and_then(|t| u64::try_from(t).ok());
        let next = r.next_pos.map(PageToken::Position);
        Ok(Page::from_wire("participants", items, r.has_remaining, next)?.with_total(total))
    }
}

/// The identity of a join session for de-duplication: `(ms_open_id or userid or uuid or raw
/// name, join time, device)` (docs/specs/tencent-meeting.md §4.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SessionKey(String, Option<i64>, Option<i64>);

/// The [`SessionKey`] of an attendee.
pub fn session_key(a: &Attendee) -> SessionKey {
    let id = a
        .temp_id
        .clone()
        .or_else(|| a.user_id.clone())
        .or_else(|| {
            a.extra
                .get("uuid")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
        .map(|id| format!("id:{id}"))
        .or_else(|| {
            a.extra
                .get("user_name")
                .and_then(|v| v.as_str())
                .map(|n| format!("name:{n}"))
        })
        .unwrap_or_default();
    SessionKey(
        id,
        a.joined_at.map(OffsetDateTime::unix_timestamp),
        a.device.map(|d| d.code()),
    )
}

/// Every session of `meeting_id` that joined in `window`, read by core's
/// [`roster_core::capped_windows`] under the 50,000-record cap: a window whose first page
/// reports `total_count > 50,000` (or whose chain stops at the cap without a total) is read as
/// halves while both are at least [`MIN_SPLIT_WINDOW`] long; sessions on the edges between
/// halves are delivered once (by [`session_key`]). A window too short to split delivers its
/// 50,000 records, then [`roster_core::ErrorKind::Truncated`].
///
/// `at` is the window, and where it continues with the edge keys delivered before (a resume,
/// [`roster_core::resume`]); the stream carries a position after each page.
pub fn capped_window_stream(
    client: TencentMeetingClient,
    meeting_id: String,
    at: (Window, Option<Cursor>, &[serde_json::Value]),
    size: u32,
    observer: Option<Arc<dyn PageObserver>>,
) -> BoxStream<'static, Result<Resumable<Attendee>>> {
    let (window, cursor, edge_keys) = at;
    let cap = client.inner.config.record_cap;
    let pages = move |w: Window, cursor: Option<Cursor>| {
        let params = ParticipantsParams::new(meeting_id.clone())
            .window_of(&w)
            .size(size);
        let list = client.participants_list(params)?;
        let pages = match &cursor {
            Some(c) => list.resume(c)?,
            None => Paginator::new(list),
        };
        Ok(pages.pages().boxed())
    };
    capped_windows(
        window,
        cursor,
        edge_keys,
        cap,
        MIN_SPLIT_WINDOW,
        observer,
        pages,
        session_key,
        |a: &Attendee| a.joined_at,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::ErrorKind;
    use time::macros::datetime;

    #[test]
    fn params_validation() {
        let ok = ParticipantsParams::new("123").window(0, MAX_WINDOW_SECONDS);
        ok.validate().unwrap();
        let bad = [
            ParticipantsParams::new("12/3"),
            ParticipantsParams::new("123").size(0),
            ParticipantsParams::new("123").size(101),
            ParticipantsParams::new("123").window(10, 9),
            ParticipantsParams::new("123").window(-1, 9),
            ParticipantsParams::new("123").window(0, MAX_WINDOW_SECONDS + 1),
            ParticipantsParams::new("123").sub_meeting("4").window(0, 1),
            ParticipantsParams::new("123").sub_meeting("4?x"),
        ];
        for p in bad {
            assert_eq!(
                p.validate().unwrap_err().kind(),
                ErrorKind::InvalidArgument,
                "{p:?}"
            );
        }
    }

    #[test]
    fn session_keys() {
        let mut a = Attendee::new(roster_core::Vendor::TencentMeeting, "m");
        a.user_id = Some("u".into());
        a.joined_at = Some(datetime!(2026-01-01 0:00 UTC));
        let k1 = session_key(&a);
        a.temp_id = Some("ms".into());
        assert_ne!(session_key(&a), k1, "ms_open_id wins over userid");
        let mut b = Attendee::new(roster_core::Vendor::TencentMeeting, "m");
        b.extra.insert("user_name".into(), "dGVzdA==".into());
        let mut c = b.clone();
        c.extra.insert("user_name".into(), "b3RoZXI=".into());
        assert_ne!(session_key(&b), session_key(&c));
    }
}
