//! `POST /cgi-bin/meeting/get_invitees` (docs/specs/wecom.md §12.5).
//!
//! The visible invited members, in invitation order, each once, as `{"userid": …}`: the same
//! list whose absentees `get_info.attendees` reports with `status` 2. Pages of
//! `invitee_page_size` (roster's choice 100; there is no `limit`, and one in the body is
//! ignored); the last page has `next_cursor: ""` (or none, by a switch). A webinar gets the
//! configured code (`730011`).
//!
//! Checks, in order: field types (`40058` "wrong json format") → `meetingid` (`40058`) →
//! meeting (`90602`, `730008`, `730005`) → webinar refusal → cursor (`40058`).

use std::sync::Arc;

use super::error::WcError;
use super::store::{Meeting, Rendered};
use super::{Call, State};
use crate::data::MeetingKind;

/// What a cursor must match (the page size is fixed for the sandbox's lifetime).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChainKey {
    app: usize,
    meeting: String,
}

/// The configured refusal of a webinar (`None` or `0`: served).
pub(crate) fn check_kind(st: &State, m: &Meeting) -> Result<(), WcError> {
    match st.config.webinar_invitees_code.filter(|&c| c != 0) {
        Some(code) if m.kind() == MeetingKind::Webinar => Err(WcError::code(code)),
        _ => Ok(()),
    }
}

/// One invitee row.
pub(crate) fn row(userid: &str) -> String {
    serde_json::json!({ "userid": userid }).to_string()
}

pub(crate) fn serve(st: &State, call: &Call) -> Result<String, WcError> {
    let b = &call.body;
    let id = b.string("meetingid")?;
    let cursor = b.string("cursor")?;
    let id = id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| WcError::invalid("meetingid is required"))?;
    let m = st.meeting(call.app, id)?;
    check_kind(st, m)?;
    let key = ChainKey {
        app: call.app,
        meeting: m.id.clone(),
    };
    let (chain_id, offset, rendered): (_, _, Arc<Rendered>) = match cursor.filter(|c| !c.is_empty())
    {
        None => {
            let rendered = st.store.rendered(m);
            (st.invitee_chains.start(key, rendered.clone()), 0, rendered)
        }
        Some(c) => st
            .invitee_chains
            .pos_of_token(c)
            .and_then(|pos| st.invitee_chains.resolve(pos, &key))
            .ok_or_else(|| WcError::invalid("invalid cursor"))?,
    };
    let rows = &rendered.invitees;
    let total = rows.len();
    let size = st.config.invitee_page_size.max(1);
    let (from, to) = crate::pager::page(offset, size, total);
    let has_more = to < total;
    let mut body = format!("\"has_more\":{has_more}");
    if has_more {
        let next = st
            .invitee_chains
            .token_of(st.invitee_chains.issue(chain_id, to));
        body.push_str(&format!(",\"next_cursor\":\"{next}\""));
    } else if !st.config.invitees_omit_final_cursor {
        body.push_str(",\"next_cursor\":\"\"");
    }
    body.push_str(",\"invitees\":[");
    crate::pager::push_joined(
        &mut body,
        rows[from..to]
            .iter()
            .map(|u| row(u))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    body.push(']');
    Ok(body)
}
