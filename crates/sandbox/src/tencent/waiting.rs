//! `GET /v1/meeting/{meeting_id}/waiting-room` (singular `meeting`; docs/specs/tencent-meeting.md
//! §12.7): every entry to and exit from the waiting room, before, during and after the meeting.
//!
//! `operator_id` + `operator_id_type` (1 userid, 2 open_id) are required; `page` from 1 to 2000
//! (default 1) and `page_size` 1–50 (default 20). Checks, in order: parameters (`190004`) →
//! meeting (`9003`) → permission: creator, host or co-host (`9042`, 403). Rows ascending
//! `join_time`, times in milliseconds, `left_time: 0` while still waiting, `instanceid` a
//! string, `user_name` Base64; `subject` plain and the schedule in milliseconds.

use axum::http::request::Parts;
use axum::response::Response;
use serde_json::json;

use super::auth::Caller;
use super::error::TcError;
use super::{State, int_param, json_ok, number_page, path_id, who};
use crate::endpoint::ActiveQuirks;
use crate::pager;
use crate::query::QueryParams;

/// Largest `page` ("page最大值为2000").
const MAX_PAGE: i64 = 2000;

/// `GET /v1/meeting/{meeting_id}/waiting-room` (rules in the module docs).
pub(crate) fn serve(
    st: &State,
    caller: &Caller,
    parts: &Parts,
    _quirks: &ActiveQuirks,
) -> Result<Response, TcError> {
    let q = QueryParams::parse(parts.uri.query());
    let id = path_id(parts.uri.path(), "/v1/meeting/");
    let op = who(&q, &[1, 2])?;
    let page = int_param(&q, "page")?.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(TcError::invalid("page must be between 1 and 2000"));
    }
    let size = int_param(&q, "page_size")?.unwrap_or(20);
    if !(1..=50).contains(&size) {
        return Err(TcError::invalid("page_size must be between 1 and 50"));
    }
    let m = st.store.get(&id).ok_or_else(TcError::meeting_not_found)?;
    let s = st.standing(m, caller.app, &op);
    if !(s.creator || s.host || s.cohost) {
        return Err(TcError::forbidden());
    }
    let rendered = st.store.rendered(m, caller.app);
    let total = rendered.waiting_room.len();
    let (range, total_page) = number_page(page, size, total);
    let head = json!({
        "meeting_id": m.id,
        "meeting_code": m.code,
        "subject": m.plan.meeting.subject,
        "schedule_start_time": m.plan.meeting.start.saturating_mul(1000),
        "schedule_end_time": m.plan.meeting.end.saturating_mul(1000),
        "current_size": range.len(),
        "total_count": total,
        "current_page": page,
        "total_page": total_page,
    });
    // The rows are pre-serialized: splice them in rather than re-parse them.
    let mut body = head.to_string();
    body.pop();
    body.push_str(",\"participants\":[");
    pager::push_joined(&mut body, rendered.waiting_room[range].iter().map(|r| &**r));
    body.push_str("]}");
    Ok(json_ok(body))
}
