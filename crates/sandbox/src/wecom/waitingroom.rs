//! `POST /cgi-bin/meeting/waitingroom/get_user_list` (docs/specs/wecom.md §12.4).
//!
//! Everyone who entered and left the waiting room, before, during or after the meeting: one row
//! per stay, ascending `join_time`; times are JSON numbers in milliseconds, `quit_time` 0 while
//! still waiting, `userid` `""` for non-members; members outside the app's visible scope are
//! omitted. There is no `sub_meetingid`: a recurring meeting's occurrences share one list. A
//! webinar serves an empty list (or the configured code). The last page has `next_cursor: ""`
//! (or none, by a switch), as the doc says the cursor is set only while `has_more` is true.
//!
//! Checks, in order: field types (`40058` "wrong json format") → `meetingid` (`40058`) →
//! `limit` in `1..=50`, default 20 (`40058`) → meeting (`90602`, `730008`, `730005`) → webinar
//! refusal if configured → cursor (`40058`).

use std::sync::Arc;

use super::error::WcError;
use super::store::{Meeting, Rendered};
use super::{Call, State};
use crate::data::MeetingKind;
use crate::pager;

/// `limit` when absent (documented: "默认20").
pub(crate) const DEFAULT_LIMIT: i64 = 20;
/// Largest `limit` (documented: "最大50").
pub(crate) const MAX_LIMIT: i64 = 50;

/// What a cursor must match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChainKey {
    app: usize,
    meeting: String,
    limit: i64,
}

/// The rows of `m` as served (a webinar's: none).
pub(crate) fn rows(rendered: &Rendered, m: &Meeting) -> Vec<Box<str>> {
    if m.kind() == MeetingKind::Webinar {
        Vec::new()
    } else {
        rendered.waiting.clone()
    }
}

pub(crate) fn serve(st: &State, call: &Call) -> Result<String, WcError> {
    let b = &call.body;
    let id = b.string("meetingid")?;
    let limit = b.int32("limit")?;
    let cursor = b.string("cursor")?;
    let id = id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| WcError::invalid("meetingid is required"))?;
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(WcError::invalid("limit must be between 1 and 50"));
    }
    let m = st.meeting(call.app, id)?;
    if m.kind() == MeetingKind::Webinar
        && let Some(code) = st.config.webinar_waiting_room_code.filter(|&c| c != 0)
    {
        return Err(WcError::code(code));
    }
    let key = ChainKey {
        app: call.app,
        meeting: m.id.clone(),
        limit,
    };
    let (chain_id, offset, rows) = match cursor.filter(|c| !c.is_empty()) {
        None => {
            let rows = Arc::new(rows(&st.store.rendered(m), m));
            (st.waiting_chains.start(key, rows.clone()), 0, rows)
        }
        Some(c) => st
            .waiting_chains
            .pos_of_token(c)
            .and_then(|pos| st.waiting_chains.resolve(pos, &key))
            .ok_or_else(|| WcError::invalid("invalid cursor"))?,
    };
    let total = rows.len();
    let (from, to) = pager::page(offset, limit as usize, total);
    let has_more = to < total;
    let mut body = format!("\"has_more\":{has_more}");
    if has_more {
        let next = st
            .waiting_chains
            .token_of(st.waiting_chains.issue(chain_id, to));
        body.push_str(&format!(",\"next_cursor\":\"{next}\""));
    } else if !st.config.waiting_room_omit_final_cursor {
        body.push_str(",\"next_cursor\":\"\"");
    }
    body.push_str(",\"user_list\":[");
    pager::push_joined(&mut body, rows[from..to].iter().map(|r| &**r));
    body.push(']');
    Ok(body)
}
