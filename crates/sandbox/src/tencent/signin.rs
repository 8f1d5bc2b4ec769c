//! Sign-in (签到): `GET /v1/meetings/sign-in/list` (docs/specs/tencent-meeting.md §12.4) and
//! `GET /v1/meetings/sign-in` (§12.5).
//!
//! Both take `meeting_id`, `operator_id`, `operator_id_type` (1 userid, 2 open_id, 4
//! ms_open_id) and `instanceid` (all required), then `page` (from 1, default 1) and
//! `page_size` (default 10; at most 20 for the list, 50 for the records). Checks, in order:
//! parameters (`190004`) → meeting (`501`) → a userid the enterprise does not know (`190001`)
//! → permission: while the meeting runs its creator or a host (else `102`), otherwise its
//! creator only (else `101`). "Runs" is the meeting's data state, not the clock.

use axum::http::request::Parts;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::error::TcError;
use super::store::{Meeting, SignInRound};
use super::{State, Who, int_param, json_ok, number_page, who};
use crate::data::MeetingState;
use crate::endpoint::ActiveQuirks;
use crate::query::QueryParams;

/// The checks both endpoints share; the meeting and the page and page size.
fn checked<'a>(
    st: &'a State,
    caller: &Caller,
    q: &QueryParams,
    max_page_size: i64,
) -> Result<(&'a Meeting, i64, i64), TcError> {
    let id = q
        .non_empty("meeting_id")
        .ok_or_else(|| TcError::invalid("meeting_id is required"))?;
    let op = who(q, &[1, 2, 4])?;
    if int_param(q, "instanceid")?.is_none() {
        return Err(TcError::invalid("instanceid is required"));
    }
    let page = int_param(q, "page")?.unwrap_or(1);
    if page < 1 {
        return Err(TcError::invalid("page starts at 1"));
    }
    let size = int_param(q, "page_size")?.unwrap_or(10);
    if !(1..=max_page_size).contains(&size) {
        return Err(TcError::invalid(format!(
            "page_size must be between 1 and {max_page_size}"
        )));
    }
    let m = st
        .store
        .get(id)
        .ok_or_else(|| TcError::new(501, "获取会议信息失败"))?;
    if let Who::UserId(u) = &op
        && !st.knows_user(m, caller.app, u)
    {
        return Err(TcError::code(190001));
    }
    let standing = st.standing(m, caller.app, &op);
    if m.state == MeetingState::InProgress {
        if !(standing.creator || standing.host) {
            return Err(TcError::new(102, "无权限操作,必须为会议主持人或创建者"));
        }
    } else if !standing.creator {
        return Err(TcError::new(101, "无权限操作,必须为会议创建者"));
    }
    Ok((m, page, size))
}

/// The `SignInInfo` object of a round.
pub(crate) fn round_info(r: &SignInRound) -> Value {
    json!({
        "sign_in_id": r.id,
        "start_time": r.start,
        "sign_in_specification": r.specification,
        "sign_in_status": r.status,
    })
}

/// The records of a round as served: `user_name` plain, or Base64 with the switch.
pub(crate) fn events(st: &State, r: &SignInRound) -> Vec<Value> {
    r.events
        .iter()
        .zip(&r.names_base64)
        .map(|(e, b64)| {
            let mut o: Map<String, Value> = e.clone();
            if st.config.signin_user_name_base64 {
                o.insert("user_name".into(), b64.clone().into());
            }
            Value::Object(o)
        })
        .collect()
}

/// `GET /v1/meetings/sign-in/list`.
pub(crate) fn serve_list(
    st: &State,
    caller: &Caller,
    parts: &Parts,
    _quirks: &ActiveQuirks,
) -> Result<Response, TcError> {
    let q = QueryParams::parse(parts.uri.query());
    let (m, page, size) = checked(st, caller, &q, 20)?;
    let rendered = st.store.rendered(m, caller.app);
    let (range, total_page) = number_page(page, size, rendered.sign_ins.len());
    let list: Vec<Value> = rendered.sign_ins[range].iter().map(round_info).collect();
    let body = json!({
        "sign_in_list": list,
        "total_count": rendered.sign_ins.len(),
        "total_page": total_page,
        "current_page": page,
        "current_size": list.len(),
    });
    Ok(json_ok(body.to_string()))
}

/// `GET /v1/meetings/sign-in`.
pub(crate) fn serve_records(
    st: &State,
    caller: &Caller,
    parts: &Parts,
    _quirks: &ActiveQuirks,
) -> Result<Response, TcError> {
    let q = QueryParams::parse(parts.uri.query());
    let sign_in_id = q
        .non_empty("sign_in_id")
        .ok_or_else(|| TcError::invalid("sign_in_id is required"))?
        .to_owned();
    let (m, page, size) = checked(st, caller, &q, 50)?;
    let rendered = st.store.rendered(m, caller.app);
    let round = rendered
        .sign_ins
        .iter()
        .find(|r| r.id == sign_in_id)
        .ok_or_else(|| TcError::invalid("unknown sign_in_id"))?;
    let all = events(st, round);
    let (range, total_page) = number_page(page, size, all.len());
    let body = json!({
        "total_count": all.len(),
        "current_size": range.len(),
        "total_page": total_page,
        "current_page": page,
        "events": &all[range],
        "sign_in_id": round.id,
        "start_time": round.start,
        "sign_in_specification": round.specification,
    });
    Ok(json_ok(body.to_string()))
}
