//! `GET /v1/meetings/{meeting_id}/invitees` (docs/specs/tencent-meeting.md §4.4, §9 item 6).

use std::sync::Arc;

use axum::http::request::Parts;
use axum::response::Response;

use super::auth::Caller;
use super::error::TcError;
use super::{Operator, State, int_param, json_ok, meeting_id};
use crate::endpoint::ActiveQuirks;
use crate::pager;
use crate::query::QueryParams;

/// What a position must match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChainKey {
    app: usize,
    meeting: String,
}

pub(crate) fn serve(
    st: &State,
    caller: &Caller,
    parts: &Parts,
    _quirks: &ActiveQuirks,
) -> Result<Response, TcError> {
    let q = QueryParams::parse(parts.uri.query());
    let id = meeting_id(parts.uri.path());
    let instance = int_param(&q, "instanceid")?;
    let pos = int_param(&q, "pos")?.unwrap_or(0);
    let userid = q
        .non_empty("userid")
        .ok_or_else(|| TcError::invalid("userid is required"))?;
    if instance.is_none() {
        return Err(TcError::invalid("instanceid is required"));
    }
    let m = st.store.get(&id).ok_or_else(|| TcError::code(190457))?;
    // "只有会议的创建者才有权限获取": creator only.
    if !State::is_creator(m, &Operator::User(userid.to_owned())) {
        return Err(TcError::forbidden());
    }
    let key = ChainKey {
        app: caller.app,
        meeting: m.id.clone(),
    };
    let (chain, offset, rendered) = if pos == 0 {
        let rendered = st.store.rendered(m, caller.app);
        (st.invitee_chains.start(key, rendered.clone()), 0, rendered)
    } else {
        st.invitee_chains
            .resolve(pos, &key)
            .ok_or_else(|| TcError::invalid("pos was not issued for this query"))?
    };
    let all: &Arc<_> = &rendered;
    let total = all.invitees.len();
    let size = st.config.invitee_page_size.max(1);
    let (from, to) = pager::page(offset, size, total);
    let has_remaining = to < total;
    let mut body = String::from("{\"invitees\":[");
    pager::push_joined(&mut body, all.invitees[from..to].iter().map(|r| &**r));
    body.push_str("],\"has_remaining\":");
    body.push_str(if has_remaining { "true" } else { "false" });
    if has_remaining {
        body.push_str(",\"next_pos\":");
        body.push_str(&st.invitee_chains.issue(chain, to).to_string());
    }
    body.push('}');
    Ok(json_ok(body))
}
