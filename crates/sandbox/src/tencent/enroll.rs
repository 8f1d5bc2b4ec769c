//! `GET /v1/meetings/{meeting_id}/enroll/approvals` (docs/specs/tencent-meeting.md §4.3, §9 item
//! 5, §12.2) and its webinar twin `GET /v1/webinars/{meeting_id}/enroll/approvals` (§12.1).
//!
//! Each path serves its own kind of meeting: a webinar on the meetings path, or anything else on
//! the webinars path, gets `enroll_path_mismatch` (default `190004`; `None` serves either). The
//! paths differ in two undocumented choices: the webinar path takes `operator_id_type` 1 or 2
//! only and refuses a non-creator with `107` (the code its sibling pages list), the meetings
//! path keeps its §9 rules (types 1–3, `9042`).

use axum::http::request::Parts;
use axum::response::Response;

use super::auth::Caller;
use super::error::TcError;
use super::{State, int_param, json_ok, operator_id_first, path_id};
use crate::data::MeetingKind;
use crate::endpoint::ActiveQuirks;
use crate::pager;
use crate::query::QueryParams;

/// `GET /v1/meetings/{meeting_id}/enroll/approvals`.
pub(crate) fn serve(
    st: &State,
    caller: &Caller,
    parts: &Parts,
    _quirks: &ActiveQuirks,
) -> Result<Response, TcError> {
    serve_path(st, caller, parts, false)
}

/// `GET /v1/webinars/{meeting_id}/enroll/approvals`.
pub(crate) fn serve_webinar(
    st: &State,
    caller: &Caller,
    parts: &Parts,
    _quirks: &ActiveQuirks,
) -> Result<Response, TcError> {
    serve_path(st, caller, parts, true)
}

fn serve_path(
    st: &State,
    caller: &Caller,
    parts: &Parts,
    webinar_path: bool,
) -> Result<Response, TcError> {
    let q = QueryParams::parse(parts.uri.query());
    let id = if webinar_path {
        path_id(parts.uri.path(), "/v1/webinars/")
    } else {
        path_id(parts.uri.path(), "/v1/meetings/")
    };
    let instance = int_param(&q, "instanceid")?;
    let page = int_param(&q, "page")?;
    let page_size = int_param(&q, "page_size")?;
    let status = int_param(&q, "status")?.unwrap_or(0);
    if q.non_empty("operator_id").is_none() {
        return Err(TcError::invalid("operator_id is required"));
    }
    if webinar_path && !matches!(int_param(&q, "operator_id_type")?, Some(1 | 2)) {
        return Err(TcError::invalid("operator_id_type must be 1 or 2"));
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
    let max = st.config.enroll_page_size_max.max(1);
    if !(1..=max).contains(&page_size) {
        return Err(TcError::invalid(format!(
            "page_size must be between 1 and {max}"
        )));
    }
    if !(0..=3).contains(&status) {
        return Err(TcError::invalid("status must be 0, 1, 2 or 3"));
    }
    let m = st.store.get(&id).ok_or_else(TcError::meeting_not_found)?;
    let is_webinar = m.kind() == MeetingKind::Webinar;
    if is_webinar != webinar_path
        && let Some(code) = st.config.enroll_path_mismatch
    {
        return Err(TcError::new(code, "meeting type mismatch"));
    }
    // "仅会议创建者可查询": creator only.
    if !State::is_creator(m, &op) {
        return Err(if webinar_path {
            TcError::code(107)
        } else {
            TcError::forbidden()
        });
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
