//! `GET /v1/meetings/{meeting_id}/enroll/approvals` (docs/specs/tencent-meeting.md §4.3, §9 item 5).

use axum::http::request::Parts;
use axum::response::Response;

use super::auth::Caller;
use super::error::TcError;
use super::{State, int_param, json_ok, meeting_id, operator_id_first};
use crate::endpoint::ActiveQuirks;
use crate::pager;
use crate::query::QueryParams;

/// Largest `page_size` (the stricter of the two documented maxima).
const MAX_PAGE_SIZE: i64 = 50;

pub(crate) fn serve(
    st: &State,
    caller: &Caller,
    parts: &Parts,
    _quirks: &ActiveQuirks,
) -> Result<Response, TcError> {
    let q = QueryParams::parse(parts.uri.query());
    let id = meeting_id(parts.uri.path());
    let instance = int_param(&q, "instanceid")?;
    let page = int_param(&q, "page")?;
    let page_size = int_param(&q, "page_size")?;
    let status = int_param(&q, "status")?.unwrap_or(0);
    if q.non_empty("operator_id").is_none() {
        return Err(TcError::invalid("operator_id is required"));
    }
    let op = operator_id_first(&q)?;
    if instance.is_none() {
        return Err(TcError::invalid("instanceid is required"));
    }
    let page = page.ok_or_else(|| TcError::invalid("page is required"))?;
    if page < 1 {
        return Err(TcError::invalid("page starts at 1"));
    }
    let page_size = page_size.ok_or_else(|| TcError::invalid("page_size is required"))?;
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        return Err(TcError::invalid("page_size must be between 1 and 50"));
    }
    if !(0..=3).contains(&status) {
        return Err(TcError::invalid("status must be 0, 1, 2 or 3"));
    }
    let m = st.store.get(&id).ok_or_else(TcError::meeting_not_found)?;
    // "仅会议创建者可查询": creator only.
    if !State::is_creator(m, &op) {
        return Err(TcError::forbidden());
    }
    if !m.plan.meeting.enrollment {
        return Err(TcError::code(101));
    }
    let rendered = st.store.rendered(m, caller.app);
    let index = rendered.enroll_by_status.get(status).unwrap_or_default();
    let total = index.len();
    let size = page_size as usize;
    let total_page = total.div_ceil(size);
    let from = usize::try_from(page - 1)
        .unwrap_or(usize::MAX)
        .saturating_mul(size)
        .min(total);
    let to = from.saturating_add(size).min(total);
    let rows = &index[from..to];
    let mut body = format!(
        "{{\"current_page\":{page},\"current_size\":{},\"total_count\":{total},\"total_page\":{total_page}",
        rows.len()
    );
    // "current_size 为0时无该字段": no enroll_list on an empty page.
    if !rows.is_empty() {
        body.push_str(",\"enroll_list\":[");
        pager::push_joined(
            &mut body,
            rows.iter().map(|&k| &*rendered.enrollments[k as usize]),
        );
        body.push(']');
    }
    body.push('}');
    Ok(json_ok(body))
}
