//! `GET /v1/meetings/{meeting_id}/real-time-participants` (docs/specs/tencent-meeting.md §12.6).
//!
//! `operator_id` + `operator_id_type` (1 userid, 2 open_id, 3 rooms_id), `page` (from 1) and
//! `page_size` (1–50) are required; `sub_meeting_id` for recurring meetings. Checks, in order:
//! parameters (`190004`) → meeting (`9003`) → permission: creator, admin, host or co-host of the
//! meeting (`9042`, 403) → sub-meeting (`190004`). Rows are the participant rows of §4.1 whose
//! session is open at the sandbox clock's now (joined, and `left_time` empty or later), reshaped
//! to this page's fields, ascending `join_time`; a meeting (or occurrence) that is not in
//! progress has none.

use axum::http::request::Parts;
use axum::response::Response;
use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::detail::status_text;
use super::error::TcError;
use super::store::Meeting;
use super::{State, int_param, json_ok, meeting_id, number_page, who};
use crate::data::MeetingState;
use crate::endpoint::ActiveQuirks;
use crate::query::QueryParams;

/// Fields of a participant row this page carries (no `left_time`, no network details).
const FIELDS: [&str; 12] = [
    "userid",
    "open_id",
    "ms_open_id",
    "user_name",
    "join_time",
    "instanceid",
    "user_role",
    "join_type",
    "audio_state",
    "video_state",
    "screen_shared_state",
    "app_version",
];

/// The list of `m` a request addresses: 0, or the occurrence `sub` of a recurring meeting.
pub(crate) fn list_of(m: &Meeting, sub: Option<&str>) -> Result<usize, TcError> {
    match (m.is_recurring(), sub) {
        (true, None) => Err(TcError::invalid(
            "sub_meeting_id is required for a recurring meeting",
        )),
        (true, Some(s)) => m
            .sub_index(s)
            .ok_or_else(|| TcError::invalid("unknown sub_meeting_id")),
        (false, Some(_)) => Err(TcError::invalid(
            "sub_meeting_id given for a meeting that is not recurring",
        )),
        (false, None) => Ok(0),
    }
}

/// The state of list `list` of `m`.
fn list_state(m: &Meeting, list: usize) -> MeetingState {
    if m.is_recurring() {
        m.subs
            .get(list)
            .map_or(MeetingState::NotStarted, |s| s.state)
    } else {
        m.state
    }
}

/// The rows of list `list` of `m` open at `now`, as this endpoint serves them.
pub(crate) fn rows(st: &State, m: &Meeting, list: usize, app: usize, now: i64) -> Vec<Value> {
    if list_state(m, list) != MeetingState::InProgress {
        return Vec::new();
    }
    let rendered = st.store.rendered(m, app);
    let Some(l) = rendered.lists.get(list) else {
        return Vec::new();
    };
    let time = |v: Option<&Value>| -> Option<i64> {
        match v? {
            Value::String(s) => s.parse().ok(),
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    };
    l.rows
        .iter()
        .filter_map(|r| serde_json::from_str::<Map<String, Value>>(r).ok())
        .filter(|r| {
            let joined = time(r.get("join_time")).is_some_and(|j| j <= now);
            let open = time(r.get("left_time")).is_none_or(|left| left > now);
            joined && open
        })
        .map(|r| {
            let mut o = Map::new();
            for k in FIELDS {
                if let Some(v) = r.get(k) {
                    o.insert(k.into(), v.clone());
                }
            }
            if let Some(v) = r.get("customer_data") {
                o.insert("customer_data".into(), v.clone());
            }
            Value::Object(o)
        })
        .collect()
}

/// `GET /v1/meetings/{meeting_id}/real-time-participants` (rules in the module docs).
pub(crate) fn serve(
    st: &State,
    caller: &Caller,
    parts: &Parts,
    _quirks: &ActiveQuirks,
) -> Result<Response, TcError> {
    let q = QueryParams::parse(parts.uri.query());
    let id = meeting_id(parts.uri.path());
    let op = who(&q, &[1, 2, 3])?;
    let page = int_param(&q, "page")?.ok_or_else(|| TcError::invalid("page is required"))?;
    if page < 1 {
        return Err(TcError::invalid("page starts at 1"));
    }
    let size =
        int_param(&q, "page_size")?.ok_or_else(|| TcError::invalid("page_size is required"))?;
    if !(1..=50).contains(&size) {
        return Err(TcError::invalid("page_size must be between 1 and 50"));
    }
    let m = st.store.get(&id).ok_or_else(TcError::meeting_not_found)?;
    let s = st.standing(m, caller.app, &op);
    if !(s.creator || s.admin || s.host || s.cohost) {
        return Err(TcError::forbidden());
    }
    let list = list_of(m, q.non_empty("sub_meeting_id"))?;
    let all = rows(st, m, list, caller.app, st.shared.clock.unix());
    let (range, total_page) = number_page(page, size, all.len());
    let (start, end) = match m.subs.get(list) {
        Some(s) if m.is_recurring() => (s.start, s.end),
        _ => (m.plan.meeting.start, m.plan.meeting.end),
    };
    let body = json!({
        "meeting_id": m.id,
        "meeting_code": m.code,
        // "会议主题(base64)".
        "subject": base64::engine::general_purpose::STANDARD.encode(m.plan.meeting.subject.as_bytes()),
        "schedule_start_time": start.to_string(),
        "schedule_end_time": end.to_string(),
        "status": status_text(list_state(m, list)),
        "participants": &all[range.clone()],
        "current_page": page,
        "current_size": range.len(),
        "total_count": all.len(),
        "total_page": total_page,
    });
    Ok(json_ok(body.to_string()))
}
