//! `POST /cgi-bin/meeting/get_realtime_attendee_list` (docs/specs/wecom.md §12.3).
//!
//! Rows are the sessions of `get_attendee_list` (§4.1) that are open at the sandbox clock
//! (joined at or before it, not yet left), one row per open session, ascending join time, so
//! the two endpoints share one ground truth; a meeting (or occurrence) that is not in progress
//! serves none. A chain pages over the rows of its first call (a snapshot).
//!
//! Checks, in order: field types (`40058` "wrong json format") → `meetingid` (`40058`) →
//! `limit` in `1..=50` (`40058`) → meeting (`90602`, `730008`, `730005`) → webinar refusal if
//! configured → sub-meeting (recurring without one: `40058`; unknown, or given for another
//! kind: `730003`) → cursor (`40058`).

use std::sync::Arc;

use super::error::WcError;
use super::store::Meeting;
use super::{Call, State};
use crate::data::{MeetingKind, MeetingState};
use crate::pager;

/// Largest `limit` (documented: "最大50条").
pub(crate) const MAX_LIMIT: i64 = 50;

/// What a cursor must match: the query as sent, with the effective `limit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChainKey {
    app: usize,
    meeting: String,
    sub: Option<String>,
    limit: i64,
}

/// The `limit` used when the body has none (the configured choice, kept within `1..=50`).
fn default_limit(st: &State) -> i64 {
    st.config.realtime_default_limit.clamp(1, MAX_LIMIT)
}

/// The list (0, or a sub-meeting's index) for a `sub_meetingid`: recurring meetings need one
/// (`40058`), unknown ones and ones given for another kind are `730003`.
pub(crate) fn list_of(m: &Meeting, sub: Option<&str>) -> Result<usize, WcError> {
    match (m.is_recurring(), sub) {
        (true, None) => Err(WcError::invalid(
            "sub_meetingid is required for a recurring meeting",
        )),
        (true, Some(s)) => m.sub_index(s).ok_or_else(|| WcError::code(730003)),
        (false, Some(_)) => Err(WcError::code(730003)),
        (false, None) => Ok(0),
    }
}

/// The rows open at `now` in list `list` of `m` (empty unless the meeting, or the occurrence,
/// is in progress).
pub(crate) fn rows_at(st: &State, m: &Meeting, list: usize, now: i64) -> Vec<Box<str>> {
    let in_progress = if m.is_recurring() {
        m.subs
            .get(list)
            .is_some_and(|s| !s.deleted && s.state == MeetingState::InProgress)
    } else {
        m.state == MeetingState::InProgress
    };
    if !in_progress {
        return Vec::new();
    }
    let rendered = st.store.rendered(m);
    rendered.live.get(list).map_or_else(Vec::new, |rows| {
        rows.iter()
            .filter(|r| r.open_at(now))
            .map(|r| r.row.clone())
            .collect()
    })
}

pub(crate) fn serve(st: &State, call: &Call) -> Result<String, WcError> {
    let b = &call.body;
    let id = b.string("meetingid")?;
    let sub = b.string("sub_meetingid")?;
    let cursor = b.string("cursor")?;
    let limit = b.uint32("limit")?;
    let id = id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| WcError::invalid("meetingid is required"))?;
    let limit = limit.unwrap_or_else(|| default_limit(st));
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(WcError::invalid("limit must be between 1 and 50"));
    }
    let m = st.meeting(call.app, id)?;
    if m.kind() == MeetingKind::Webinar
        && let Some(code) = st.config.webinar_realtime_code.filter(|&c| c != 0)
    {
        return Err(WcError::code(code));
    }
    let sub = sub.filter(|s| !s.is_empty());
    let list = list_of(m, sub)?;
    let key = ChainKey {
        app: call.app,
        meeting: m.id.clone(),
        sub: sub.map(str::to_owned),
        limit,
    };
    let (chain_id, offset, rows) = match cursor.filter(|c| !c.is_empty()) {
        None => {
            let rows = Arc::new(rows_at(st, m, list, call.now));
            (st.realtime_chains.start(key, rows.clone()), 0, rows)
        }
        Some(c) => st
            .realtime_chains
            .pos_of_token(c)
            .and_then(|pos| st.realtime_chains.resolve(pos, &key))
            .ok_or_else(|| WcError::invalid("invalid cursor"))?,
    };
    let total = rows.len();
    let (from, to) = pager::page(offset, limit as usize, total);
    // Every page, the last included, carries a cursor (as get_attendee_list, §9 item 7).
    let next = st
        .realtime_chains
        .token_of(st.realtime_chains.issue(chain_id, to));
    let mut body =
        String::with_capacity(64 + rows[from..to].iter().map(|r| r.len() + 1).sum::<usize>());
    if st.config.realtime_status {
        // The doc example's `"status": "1"` (meaning undocumented).
        body.push_str("\"status\":\"1\",");
    }
    body.push_str(&format!(
        "\"has_more\":{},\"next_cursor\":\"{next}\",\"attendees\":[",
        to < total
    ));
    pager::push_joined(&mut body, rows[from..to].iter().map(|r| &**r));
    body.push(']');
    Ok(body)
}
