//! The account's meetings: `GET /v1/corp/meetings` (docs/specs/discovery.md §1), and the
//! cross-vendor [`MeetingDirectory`] over it.
//!
//! The vendor lists one state per query (`meeting_state` 1 ended, 2 live, 3 upcoming), page by
//! page (`page` from 1 until `total_page`), filtered on the media room's start; at most
//! 100,000 rows per query and 100 calls a minute for this endpoint (its own pacer, 80 a minute
//! by default). Undocumented, and our choices: times sent in Unix seconds (the sibling page
//! says seconds), at most 100 rows a page, and ranges read in ≤ 31-day windows.

use async_trait::async_trait;
use futures::StreamExt;
use futures::stream;
use roster_core::{
    DiscoveryQuery, Error, List, ListEndpoint, MAX_PLANNED_WINDOWS, MAX_WINDOW, MeetingDirectory,
    MeetingState, MeetingSummary, Page, PageToken, Paginator, RecordStream, Result, Vendor, Window,
    split_windows, stop_after_error,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::client::TencentMeetingClient;
use crate::target::QueryString;
use crate::wire::{CorpMeeting, CorpMeetingsResponse};

/// Largest page the client asks for (undocumented; our choice).
pub const MAX_CORP_PAGE_SIZE: u32 = 100;
/// Rows one query returns at most ("单次最多支持查询10万条数据").
pub const CORP_RECORD_CAP: u64 = 100_000;
/// Default pace of this endpoint: 80 % of its 100 calls a minute.
pub const CORP_CALLS_PER_MINUTE: u32 = 80;

/// The vendor's `meeting_state` of a listable state (cancelled meetings are not listed).
fn state_code(state: MeetingState) -> Option<i64> {
    match state {
        MeetingState::Ended => Some(1),
        MeetingState::Live => Some(2),
        MeetingState::Upcoming => Some(3),
        MeetingState::Cancelled => None,
    }
}

fn state_of(code: i64) -> Option<MeetingState> {
    match code {
        1 => Some(MeetingState::Ended),
        2 => Some(MeetingState::Live),
        3 => Some(MeetingState::Upcoming),
        _ => None,
    }
}

impl TencentMeetingClient {
    /// One raw page of the account's meetings in state `meeting_state` (1 ended, 2 live, 3
    /// upcoming) starting in `window`. Query order: `page`, `page_size`, `meeting_state`,
    /// `operator_id`, `operator_id_type`, `start_time`, `end_time`.
    pub async fn corp_meetings_page(
        &self,
        meeting_state: i64,
        window: &Window,
        page: u32,
        page_size: u32,
    ) -> Result<CorpMeetingsResponse> {
        let (start, end) = window.inclusive_unix_bounds();
        let mut q = QueryString::new();
        q.push("page", page.to_string())
            .push("page_size", page_size.to_string())
            .push("meeting_state", meeting_state.to_string())
            .push("operator_id", &self.inner.operator_id)
            .push("operator_id_type", "1")
            .push("start_time", start.to_string())
            .push("end_time", end.to_string());
        self.get_json("corp_meetings", &["v1", "corp", "meetings"], &q)
            .await
    }

    /// The account's meetings in `state` starting in `window`, as a list (checked now).
    pub fn corp_meetings_list(&self, state: MeetingState, window: Window) -> Result<CorpList> {
        let meeting_state = state_code(state).ok_or_else(|| {
            Error::invalid_argument("Tencent Meeting lists ended, live and upcoming meetings")
        })?;
        List::new(
            self.clone(),
            CorpQuery {
                meeting_state,
                from: window.start.unix_timestamp(),
                to: window.end.unix_timestamp(),
                page_size: self.inner.config.corp_page_size,
            },
        )
    }
}

/// The query of [`CorpMeetings`]: a state, a window (Unix seconds, half-open) and a page size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CorpQuery {
    /// `meeting_state`.
    pub meeting_state: i64,
    /// First second of the window.
    pub from: i64,
    /// First second after it.
    pub to: i64,
    /// Rows per page, `1..=100`.
    pub page_size: u32,
}

impl CorpQuery {
    fn window(&self) -> Result<Window> {
        let at = |t| {
            OffsetDateTime::from_unix_timestamp(t)
                .map_err(|_| Error::invalid_argument("a time out of range"))
        };
        Ok(Window {
            start: at(self.from)?,
            end: at(self.to)?,
        })
    }
}

/// The ended meetings of one user in one window (`/v1/history/meetings/{userid}`, docs/specs/discovery.md
/// §2): pages of at most 20, windows of at most 90 days, times in seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct HistoryQuery {
    /// The user.
    pub userid: String,
    /// First second of the window.
    pub from: i64,
    /// First second after it.
    pub to: i64,
    /// Rows per page, `1..=20`.
    pub page_size: u32,
}

/// Largest page of `/v1/history/meetings/{userid}`.
pub const MAX_HISTORY_PAGE_SIZE: u32 = 20;
/// Longest window of `/v1/history/meetings/{userid}`.
pub const MAX_HISTORY_WINDOW: time::Duration = time::Duration::days(90);

/// A user's ended meetings, page by page (from 1, until `total_page`).
#[derive(Debug)]
pub struct HistoryMeetings;

impl ListEndpoint for HistoryMeetings {
    type Client = TencentMeetingClient;
    type Query = HistoryQuery;
    type Item = MeetingSummary;
    const NAME: &'static str = "tencent.history_meetings";

    fn page_size(query: &HistoryQuery) -> u32 {
        query.page_size
    }

    fn validate(query: &HistoryQuery) -> Result<()> {
        // A userid is free text: it travels percent-encoded in the path.
        if query.userid.trim().is_empty()
            || query.userid.chars().count() > 256
            || query.userid.chars().any(char::is_control)
        {
            return Err(Error::invalid_argument(
                "a user id must be 1 to 256 characters without control characters",
            ));
        }
        if !(1..=MAX_HISTORY_PAGE_SIZE).contains(&query.page_size) {
            return Err(Error::invalid_argument(format!(
                "the history page size must be 1 to {MAX_HISTORY_PAGE_SIZE}, not {}",
                query.page_size
            )));
        }
        if query.from >= query.to || query.to - query.from > MAX_HISTORY_WINDOW.whole_seconds() {
            return Err(Error::invalid_argument(
                "a history window must be non-empty and at most 90 days",
            ));
        }
        Ok(())
    }

    async fn page(
        client: &TencentMeetingClient,
        query: &HistoryQuery,
        token: Option<PageToken>,
    ) -> Result<Page<MeetingSummary>> {
        let page = PageToken::page_number(token, "history")?;
        let mut q = QueryString::new();
        q.push("page_size", query.page_size.to_string())
            .push("page", page.to_string())
            .push("start_time", query.from.to_string())
            .push("end_time", (query.to - 1).to_string());
        let r: CorpMeetingsResponse = client
            .get_json(
                "history_meetings",
                &["v1", "history", "meetings", &query.userid],
                &q,
            )
            .await?;
        meeting_page(
            "history/meetings",
            r,
            page,
            Some(MeetingState::Ended),
            1_000,
        )
    }
}

impl TencentMeetingClient {
    /// The ended meetings `userid` created or attended that started in `[from, to)`, in windows
    /// of at most 90 days, pages of 20. Fails before any request for an invalid id or range.
    pub fn user_ended_meetings(
        &self,
        userid: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<RecordStream<MeetingSummary>> {
        let mut lists = Vec::new();
        for w in split_windows(from, to, MAX_HISTORY_WINDOW)? {
            lists.push(List::<HistoryMeetings>::new(
                self.clone(),
                HistoryQuery {
                    userid: userid.to_string(),
                    from: w.start.unix_timestamp(),
                    to: w.end.unix_timestamp(),
                    page_size: MAX_HISTORY_PAGE_SIZE,
                },
            )?);
        }
        Ok(stop_after_error(
            stream::iter(lists)
                .flat_map(|list| Paginator::new(list).items())
                .boxed(),
        ))
    }
}

/// The account's meetings, page by page ([`PageToken::Page`] from 1, until `total_page`).
#[derive(Debug)]
pub struct CorpMeetings;

/// One state's meetings in one window.
pub type CorpList = List<CorpMeetings>;

impl ListEndpoint for CorpMeetings {
    type Client = TencentMeetingClient;
    type Query = CorpQuery;
    type Item = MeetingSummary;
    const NAME: &'static str = "tencent.corp_meetings";

    fn page_size(query: &CorpQuery) -> u32 {
        query.page_size
    }

    fn validate(query: &CorpQuery) -> Result<()> {
        if !(1..=MAX_CORP_PAGE_SIZE).contains(&query.page_size) {
            return Err(Error::invalid_argument(format!(
                "the meeting-list page size must be 1 to {MAX_CORP_PAGE_SIZE}, not {}",
                query.page_size
            )));
        }
        if query.from >= query.to {
            return Err(Error::invalid_argument("the meeting-list window is empty"));
        }
        state_of(query.meeting_state)
            .map(drop)
            .ok_or_else(|| Error::invalid_argument("meeting_state must be 1, 2 or 3"))
    }

    fn record_cap(_client: &TencentMeetingClient, _query: &CorpQuery) -> Option<u64> {
        Some(CORP_RECORD_CAP)
    }

    async fn page(
        client: &TencentMeetingClient,
        query: &CorpQuery,
        token: Option<PageToken>,
    ) -> Result<Page<MeetingSummary>> {
        let page = PageToken::page_number(token, "meeting-list")?;
        let r = client
            .corp_meetings_page(query.meeting_state, &query.window()?, page, query.page_size)
            .await?;
        meeting_page("corp/meetings", r, page, state_of(query.meeting_state), 1)
    }
}

/// Page `page` of a meeting list (both lists share the page fields). `total_page` is the "more"
/// signal and is on every real page; the rows may be left out of an empty result only, one
/// that says `total_count` 0 (rows absent otherwise: no page of this list, never the last one).
fn meeting_page(
    endpoint: &str,
    r: CorpMeetingsResponse,
    page: u32,
    state: Option<MeetingState>,
    to_ms: i128,
) -> Result<Page<MeetingSummary>> {
    let list = match r.meeting_info_list {
        Some(list) => Some(list),
        None if r.total_count == Some(0) => Some(Vec::new()),
        None => None,
    };
    let empty = list.as_ref().is_none_or(Vec::is_empty) || r.current_size == Some(0);
    let has_more = r.total_page.map(|total| i64::from(page) < total && !empty);
    let total = r.total_count.and_then(|t| u64::try_from(t).ok());
    let items = list.map(|list| {
        list.into_iter()
            .filter_map(|m| summary(m, state, to_ms))
            .collect()
    });
    let next = (has_more == Some(true)).then(|| PageToken::Page(page.saturating_add(1)));
    Ok(Page::from_wire(endpoint, items, has_more, next)?.with_total(total))
}

/// A listed meeting as a [`MeetingSummary`] (none without a meeting id); its times are in
/// units of `to_ms` milliseconds (1: milliseconds, 1,000: seconds).
fn summary(m: CorpMeeting, state: Option<MeetingState>, to_ms: i128) -> Option<MeetingSummary> {
    let ms = |t: Option<i64>| {
        t.and_then(|t| {
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(t) * to_ms * 1_000_000).ok()
        })
    };
    let mut s = MeetingSummary::new(Vendor::TencentMeeting, m.meeting_id?);
    s.sub_meeting_id = m.sub_meeting_id;
    s.meeting_code = m.meeting_code;
    s.subject = m.subject;
    s.start = ms(m.start_time);
    s.end = ms(m.end_time);
    s.state = state;
    s.host = m.userid;
    s.host_name = m.nick_name;
    s.participants = m.participants_num.and_then(|n| u64::try_from(n).ok());
    s.extra = m.extra;
    if let Some(t) = m.meeting_type {
        s.extra.insert("meeting_type".into(), t.into());
    }
    if let Some(t) = m.userid_type {
        s.extra.insert("userid_type".into(), t.into());
    }
    Some(s)
}

#[async_trait]
impl MeetingDirectory for TencentMeetingClient {
    fn vendor(&self) -> Vendor {
        Vendor::TencentMeeting
    }

    /// Each wanted state (ended, live, upcoming; cancelled meetings are not listed), window by
    /// window of at most 31 days.
    async fn meetings(&self, query: &DiscoveryQuery) -> Result<RecordStream<MeetingSummary>> {
        let windows = split_windows(query.from, query.to, MAX_WINDOW)?;
        if windows.len() > MAX_PLANNED_WINDOWS {
            return Err(Error::invalid_argument(format!(
                "the range needs {} windows of 31 days; at most {MAX_PLANNED_WINDOWS}",
                windows.len()
            )));
        }
        let mut lists = Vec::new();
        for state in [
            MeetingState::Ended,
            MeetingState::Live,
            MeetingState::Upcoming,
        ] {
            if query.wants(state) {
                for w in &windows {
                    lists.push(self.corp_meetings_list(state, *w)?);
                }
            }
        }
        let observer = query.observer.clone();
        Ok(stop_after_error(
            stream::iter(lists)
                .flat_map(move |list| {
                    let mut p = Paginator::new(list);
                    if let Some(o) = observer.clone() {
                        p = p.observer(o);
                    }
                    p.items()
                })
                .boxed(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_without_its_paging_fields_or_rows_is_malformed_never_the_last() {
        let page = |v: serde_json::Value| {
            meeting_page(
                "corp/meetings",
                serde_json::from_value(v).unwrap(),
                1,
                None,
                1,
            )
        };
        for bad in [
            serde_json::json!({}),
            serde_json::json!({"meeting_info_list": []}),
            serde_json::json!({"total_page": 1, "total_count": 5, "current_page": 1}),
        ] {
            let e = page(bad.clone()).unwrap_err();
            assert_eq!(e.kind(), roster_core::ErrorKind::MalformedPage, "{bad}");
        }
        let empty = page(serde_json::json!({"total_page": 0, "total_count": 0})).unwrap();
        assert!(empty.items.is_empty() && !empty.has_more);
        let first = page(serde_json::json!({
            "total_page": 2, "total_count": 3, "current_size": 2,
            "meeting_info_list": [{"meeting_id": "1"}, {"meeting_id": "2"}]
        }))
        .unwrap();
        assert!(first.has_more && first.items.len() == 2);
        assert_eq!(first.next, Some(PageToken::Page(2)));
    }

    #[test]
    fn summaries_read_milliseconds_and_keep_the_rest() {
        let m: CorpMeeting = serde_json::from_value(serde_json::json!({
            "subject": "周会", "meeting_id": "2882809173109452722", "meeting_code": "594530158",
            "userid": "xianminxiao", "nick_name": "xianminxiao",
            "start_time": 1611143122615_i64, "end_time": 1611143209838_i64,
            "participants_num": 1, "meeting_duration": 87223, "meeting_type": 6
        }))
        .unwrap();
        let s = summary(m, Some(MeetingState::Ended), 1).unwrap();
        assert_eq!(s.start.unwrap().unix_timestamp(), 1_611_143_122);
        assert_eq!(s.participants, Some(1));
        assert_eq!(s.host.as_deref(), Some("xianminxiao"));
        assert_eq!(s.extra["meeting_duration"], 87223);
        assert_eq!(s.extra["meeting_type"], 6);
        assert!(summary(CorpMeeting::default(), None, 1).is_none());
    }
}
