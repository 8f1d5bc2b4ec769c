//! `POST /cgi-bin/meeting/get_attendee_list` (docs/specs/wecom.md §4.1, §9 items 5–10).
//!
//! Checks, in order: field types (`40058` "wrong json format") → `meetingid` (`40058`) →
//! `limit` in `1..=100` (`40058`) → meeting (`90602`, `730008`, `730005`) → sub-meeting
//! (recurring without one: `40058`; unknown, or given for another kind: `730003`) → window
//! (`40058`) → cursor (`40058`).

use std::sync::Arc;

use serde_json::Value;

use super::error::WcError;
use super::{Call, State};
use crate::faults::Quirk;
use crate::pager::{self, ListChain};
use crate::window::{self, WindowError};

/// `limit` when absent (emulator choice) and its maximum (documented).
pub(crate) const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 100;

/// What a cursor must match: the query as the client sent it, with the effective `limit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChainKey {
    app: usize,
    meeting: String,
    sub: Option<String>,
    start: Option<i64>,
    end: Option<i64>,
    limit: i64,
}

/// The window `[start, end]` for the given bounds (docs/specs/wecom.md §9 item 8; rules in [`crate::window`]).
pub(crate) fn resolve_window(
    start: Option<i64>,
    end: Option<i64>,
    now: i64,
) -> Result<(i64, i64), WcError> {
    window::resolve_window(start, end, now).map_err(|e| match e {
        WindowError::Reversed => WcError::invalid("start_time is after end_time"),
        WindowError::TooLong => WcError::invalid(
            "the time range between start_time and end_time may not exceed 31 days",
        ),
    })
}

pub(crate) fn serve(st: &State, call: &Call) -> Result<String, WcError> {
    let b = &call.body;
    let id = b.string("meetingid")?;
    let sub = b.string("sub_meetingid")?;
    let start = b.uint32("start_time")?;
    let end = b.uint32("end_time")?;
    let cursor = b.string("cursor")?;
    let limit = b.uint32("limit")?;
    let id = id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| WcError::invalid("meetingid is required"))?;
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(WcError::invalid("limit must be between 1 and 100"));
    }
    let m = st.meeting(call.app, id)?;
    let sub = sub.filter(|s| !s.is_empty());
    let list = match (m.is_recurring(), sub) {
        (true, None) => {
            return Err(WcError::invalid(
                "sub_meetingid is required for a recurring meeting",
            ));
        }
        (true, Some(s)) => m.sub_index(s).ok_or_else(|| WcError::code(730003))?,
        (false, Some(_)) => return Err(WcError::code(730003)),
        (false, None) => 0,
    };
    let key = ChainKey {
        app: call.app,
        meeting: m.id.clone(),
        sub: sub.map(str::to_owned),
        start,
        end,
        limit,
    };
    let (chain_id, offset, chain) = match cursor.filter(|c| !c.is_empty()) {
        None => {
            // The window is ignored for recurring meetings (docs/specs/wecom.md §4.1).
            let window = if m.is_recurring() {
                None
            } else {
                Some(resolve_window(start, end, call.now)?)
            };
            let rendered = st.store.rendered(m);
            let rows = rendered.lists[list].select(window);
            let chain = Arc::new(ListChain {
                rendered,
                list,
                rows,
            });
            let id = st.attendee_chains.start(key, chain.clone());
            (id, 0, chain)
        }
        Some(c) => st
            .attendee_chains
            .pos_of_token(c)
            .and_then(|pos| st.attendee_chains.resolve(pos, &key))
            .ok_or_else(|| WcError::invalid("invalid cursor"))?,
    };

    let total = chain.rows.len();
    let (from, to) = pager::page(offset, limit as usize, total);
    let has_more = to < total;
    // Every page, the last one included, carries a cursor (docs/specs/wecom.md §9 item 7).
    let next = st
        .attendee_chains
        .token_of(st.attendee_chains.issue(chain_id, to));
    let l = &chain.rendered.lists[chain.list];
    let rows = &l.rows[chain.rows.start + from..chain.rows.start + to];
    let mut body =
        String::with_capacity(64 + next.len() + rows.iter().map(|r| r.len() + 1).sum::<usize>());
    body.push_str("\"has_more\":");
    body.push_str(if has_more { "true" } else { "false" });
    body.push_str(",\"next_cursor\":\"");
    body.push_str(&next);
    body.push_str("\",\"attendees\":[");
    pager::push_joined(&mut body, rows.iter().map(|r| &**r));
    body.push(']');
    if call.quirks.has(Quirk::FlipTypes) {
        body = flip_times(&body);
    }
    Ok(body)
}

/// The `FlipTypes` quirk: attendee times as JSON numbers (`""` becomes `0`).
fn flip_times(members: &str) -> String {
    let Ok(mut v) = serde_json::from_str::<Value>(&format!("{{{members}}}")) else {
        return members.to_owned();
    };
    if let Some(Value::Array(rows)) = v.get_mut("attendees") {
        for row in rows.iter_mut().filter_map(Value::as_object_mut) {
            for k in ["join_time", "quit_time"] {
                if let Some(x) = row.get_mut(k)
                    && let Value::String(s) = x
                {
                    *x = Value::from(s.parse::<i64>().unwrap_or(0));
                }
            }
        }
    }
    let s = v.to_string();
    s[1..s.len() - 1].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_refusals_are_40058() {
        for (start, end) in [(Some(5), Some(4)), (Some(0), Some(window::MAX_WINDOW + 1))] {
            assert_eq!(resolve_window(start, end, 0).unwrap_err().code, 40058);
        }
    }

    #[test]
    fn flip_makes_numbers() {
        let out = flip_times(
            r#""has_more":false,"attendees":[{"join_time":"5","quit_time":""},{"join_time":"6","quit_time":"9"}]"#,
        );
        let v: Value = serde_json::from_str(&format!("{{{out}}}")).unwrap();
        assert_eq!(
            v["attendees"],
            serde_json::json!([{"join_time":5,"quit_time":0},{"join_time":6,"quit_time":9}])
        );
    }
}
