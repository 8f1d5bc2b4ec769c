//! `GET /v1/history/meetings/{userid}`: a user's ended meetings (the repository's
//! docs/specs/discovery.md §2). `page_size` 1–20 and `page` from 1 are required; `start_time`/
//! `end_time` (Unix seconds, inclusive, filter the start): both → a span of at most 90 days,
//! only a start → 31 days on, only an end → 31 days back, neither → the last 31 days. Rows of
//! `subject`, `meeting_id`, `meeting_code`, `sub_meeting_id` (occurrences), `start_time`/
//! `end_time` in **seconds**, `meeting_type`. The sandbox models the meetings a user created
//! (the vendor also lists those attended).

use axum::http::request::Parts;
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::Caller;
use super::error::TcError;
use super::{State, int_param, json_ok};
use crate::catalog::CatalogMeeting;
use crate::endpoint::ActiveQuirks;
use crate::fixture::{MeetingKind, MeetingState};
use crate::query::{QueryParams, decode_path_segment};

const DAY: i64 = 86_400;

pub(crate) fn serve(
    st: &State,
    _caller: &Caller,
    parts: &Parts,
    _quirks: &ActiveQuirks,
) -> Result<Response, TcError> {
    let q = QueryParams::parse(parts.uri.query());
    let userid = decode_path_segment(
        parts
            .uri
            .path()
            .strip_prefix("/v1/history/meetings/")
            .unwrap_or(""),
    );
    if userid.is_empty() {
        return Err(TcError::invalid("userid"));
    }
    let size = int_param(&q, "page_size")?
        .filter(|s| (1..=20).contains(s))
        .ok_or_else(|| TcError::invalid("page_size must be 1 to 20"))?;
    let page = int_param(&q, "page")?
        .filter(|p| *p >= 1)
        .ok_or_else(|| TcError::invalid("page"))?;
    let (from, to) = window(
        int_param(&q, "start_time")?,
        int_param(&q, "end_time")?,
        st.shared.clock.unix(),
    )?;
    let rows = rows(&st.catalog(), &userid, from, to);
    let size = size as usize;
    let start = ((page - 1) as usize).saturating_mul(size).min(rows.len());
    let end = (start + size).min(rows.len());
    let body = json!({
        "total_count": rows.len(),
        "total_page": rows.len().div_ceil(size),
        "current_page": page,
        "current_size": end - start,
        "meeting_info_list": &rows[start..end],
    });
    Ok(json_ok(body.to_string()))
}

/// The window the endpoint reads (see the module docs); a span over 90 days is `190004`.
pub(crate) fn window(
    start: Option<i64>,
    end: Option<i64>,
    now: i64,
) -> Result<(i64, i64), TcError> {
    let (s, e) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, s + 31 * DAY),
        (None, Some(e)) => (e - 31 * DAY, e),
        (None, None) => (now - 31 * DAY, now),
    };
    if s > e || e - s > 90 * DAY {
        return Err(TcError::invalid(
            "start_time and end_time must be at most 90 days apart",
        ));
    }
    Ok((s, e))
}

/// The ended meetings (one row per ended occurrence) `userid` created with a start in
/// `[from, to]`, in start order.
pub(crate) fn rows(catalog: &[CatalogMeeting], userid: &str, from: i64, to: i64) -> Vec<Value> {
    let mut rows: Vec<(i64, String, Value)> = Vec::new();
    for m in catalog.iter().filter(|m| m.creator == userid) {
        let kind = match m.kind {
            MeetingKind::Recurring => 1,
            MeetingKind::Webinar => 6,
            MeetingKind::OneOff => 0,
        };
        let mut push = |sub: Option<&str>, start: i64, end: i64, state: MeetingState| {
            if state != MeetingState::Ended || start < from || start > to {
                return;
            }
            let mut row = json!({
                "subject": m.subject, "meeting_id": m.id, "meeting_code": m.code,
                "start_time": start, "end_time": end, "meeting_type": kind,
            });
            if let Some(sub) = sub {
                row["sub_meeting_id"] = sub.into();
            }
            rows.push((start, format!("{}/{}", m.id, sub.unwrap_or("")), row));
        };
        if m.sub_meetings.is_empty() {
            push(None, m.start, m.end, m.state);
        } else {
            for s in m.sub_meetings.iter().filter(|s| !s.deleted) {
                push(Some(&s.id), s.start, s.end, s.state);
            }
        }
    }
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    rows.into_iter().map(|(_, _, row)| row).collect()
}
