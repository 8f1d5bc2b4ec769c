//! `GET /v1/corp/meetings`: the account's meetings in one state, page by page (the repository's
//! docs/specs/discovery.md §1). Only an enterprise admin may call it (`operator_id`,
//! `operator_id_type=1`); `meeting_state` 1 ended, 2 live, 3 upcoming; `page` from 1,
//! `page_size` up to the configured maximum; `start_time`/`end_time` (Unix seconds, both
//! inclusive) filter the start; times in the rows are milliseconds; one row per occurrence of a
//! recurring meeting (with `sub_meeting_id`); at most 100,000 rows per query; its own
//! per-minute limit (see `auth`).

use axum::http::request::Parts;
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::Caller;
use super::error::TcError;
use super::{Operator, State, int_param, json_ok, operator_id_first};
use crate::catalog::CatalogMeeting;
use crate::endpoint::ActiveQuirks;
use crate::fixture::{MeetingKind, MeetingState};
use crate::query::QueryParams;

/// Rows one query may return.
const ROW_CAP: usize = 100_000;

pub(crate) fn serve(
    st: &State,
    _caller: &Caller,
    parts: &Parts,
    _quirks: &ActiveQuirks,
) -> Result<Response, TcError> {
    let q = QueryParams::parse(parts.uri.query());
    let operator = operator_id_first(&q)?;
    let admin = matches!(&operator, Operator::User(u) if st.config.admin_userids.contains(u));
    if !admin {
        return Err(TcError::forbidden());
    }
    let state = int_param(&q, "meeting_state")?
        .filter(|s| (1..=3).contains(s))
        .ok_or_else(|| TcError::invalid("meeting_state must be 1, 2 or 3"))?;
    let page = int_param(&q, "page")?
        .filter(|p| *p >= 1)
        .ok_or_else(|| TcError::invalid("page"))?;
    let size = int_param(&q, "page_size")?
        .filter(|s| *s >= 1 && *s as u64 <= st.config.corp_meetings_max_page_size)
        .ok_or_else(|| TcError::invalid("page_size"))?;
    let from = int_param(&q, "start_time")?;
    let to = int_param(&q, "end_time")?;
    let rows = rows(&st.catalog(), state, from, to);
    let total = rows.len().min(ROW_CAP);
    let size = size as usize;
    let start = ((page - 1) as usize).saturating_mul(size).min(total);
    let end = (start + size).min(total);
    let body = json!({
        "total_count": total,
        "total_page": total.div_ceil(size),
        "current_page": page,
        "current_size": end - start,
        "meeting_info_list": &rows[start..end],
    });
    Ok(json_ok(body.to_string()))
}

/// The rows of the account's meetings in `state` (1 ended, 2 live, 3 upcoming) starting within
/// `[from, to]` (Unix seconds, inclusive), in start order (ties by id).
pub(crate) fn rows(
    catalog: &[CatalogMeeting],
    state: i64,
    from: Option<i64>,
    to: Option<i64>,
) -> Vec<Value> {
    let code = |s: MeetingState| match s {
        MeetingState::Ended => Some(1),
        MeetingState::InProgress => Some(2),
        MeetingState::NotStarted => Some(3),
        MeetingState::Cancelled => None,
    };
    let mut rows: Vec<(i64, String, Value)> = Vec::new();
    for m in catalog {
        let kind = match m.kind {
            MeetingKind::Recurring => 1,
            MeetingKind::Webinar => 6,
            _ => 0,
        };
        let mut push = |sub: Option<&str>, start: i64, end: i64, s: MeetingState, people| {
            if code(s) != Some(state)
                || from.is_some_and(|f| start < f)
                || to.is_some_and(|t| start > t)
            {
                return;
            }
            let mut row = json!({
                "meeting_id": m.id, "meeting_code": m.code, "subject": m.subject,
                "userid": m.creator, "userid_type": 1, "nick_name": m.creator,
                "meeting_type": kind, "start_time": start * 1000, "end_time": end * 1000,
                "participants_num": people, "meeting_duration": (end - start) * 1000,
            });
            if let Some(sub) = sub {
                row["sub_meeting_id"] = sub.into();
            }
            rows.push((start, format!("{}/{}", m.id, sub.unwrap_or("")), row));
        };
        if m.sub_meetings.is_empty() {
            push(None, m.start, m.end, m.state, m.people);
        } else {
            for s in m.sub_meetings.iter().filter(|s| !s.deleted) {
                push(
                    Some(&s.id),
                    s.start,
                    s.end,
                    s.state,
                    s.sessions.min(m.people),
                );
            }
        }
    }
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    rows.into_iter().map(|(_, _, row)| row).collect()
}
