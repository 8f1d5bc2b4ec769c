//! `GET /v1/meetings/{meeting_id}/participants` (docs/specs/tencent-meeting.md §4.1, §9 item 3).

use std::sync::Arc;

use axum::http::request::Parts;
use axum::response::Response;
use serde_json::Value;

use super::auth::Caller;
use super::error::TcError;
use super::{State, int_param, json_ok, meeting_id, operator_userid_first};
use crate::endpoint::ActiveQuirks;
use crate::faults::Quirk;
use crate::pager::{self, ListChain};
use crate::query::QueryParams;
use crate::window::{self, WindowError};

/// `size` when absent.
const DEFAULT_SIZE: i64 = 20;

/// What a position must match: the query as the client sent it (a later call must repeat it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChainKey {
    app: usize,
    meeting: String,
    sub: Option<String>,
    start: Option<i64>,
    end: Option<i64>,
    size: i64,
}

/// The window `[start, end]` for the given bounds (docs/specs/tencent-meeting.md §9 item 3; rules in [`crate::window`]).
fn resolve_window(start: Option<i64>, end: Option<i64>, now: i64) -> Result<(i64, i64), TcError> {
    window::resolve_window(start, end, now).map_err(|e| match e {
        WindowError::Reversed => TcError::invalid("start_time is after end_time"),
        WindowError::TooLong => TcError::invalid("the time window may not exceed 31 days"),
    })
}

pub(crate) fn serve(
    st: &State,
    caller: &Caller,
    parts: &Parts,
    quirks: &ActiveQuirks,
) -> Result<Response, TcError> {
    let q = QueryParams::parse(parts.uri.query());
    let id = meeting_id(parts.uri.path());
    let size = int_param(&q, "size")?;
    let pos = int_param(&q, "pos")?.unwrap_or(0);
    let start = int_param(&q, "start_time")?;
    let end = int_param(&q, "end_time")?;
    let sub = q.non_empty("sub_meeting_id");
    let op = operator_userid_first(&q)?;
    let m = st.store.get(&id).ok_or_else(TcError::meeting_not_found)?;
    if !st.is_creator_or_admin(m, &op) {
        return Err(TcError::forbidden());
    }
    let size = size.unwrap_or(DEFAULT_SIZE);
    if !(1..=100).contains(&size) {
        return Err(TcError::invalid("size must be between 1 and 100"));
    }
    let list = match (m.is_recurring(), sub) {
        (true, None) => {
            return Err(TcError::invalid(
                "sub_meeting_id is required for a recurring meeting",
            ));
        }
        (true, Some(s)) => m
            .sub_index(s)
            .ok_or_else(|| TcError::invalid("unknown sub_meeting_id"))?,
        (false, Some(_)) => {
            return Err(TcError::invalid(
                "sub_meeting_id given for a meeting that is not recurring",
            ));
        }
        (false, None) => 0,
    };
    let key = ChainKey {
        app: caller.app,
        meeting: m.id.clone(),
        sub: sub.map(str::to_owned),
        start,
        end,
        size,
    };
    let (chain_id, offset, chain) = if pos == 0 {
        // The window is ignored for recurring meetings (docs/specs/tencent-meeting.md §4.1).
        let window = if m.is_recurring() {
            None
        } else {
            Some(resolve_window(start, end, st.shared.clock.unix())?)
        };
        let rendered = st.store.rendered(m, caller.app);
        let rows = if m.list_started(list) {
            rendered.lists[list].select(window)
        } else {
            0..0
        };
        let chain = Arc::new(ListChain {
            rendered,
            list,
            rows,
        });
        let id = st.participant_chains.start(key, chain.clone());
        (id, 0, chain)
    } else {
        st.participant_chains
            .resolve(pos, &key)
            .ok_or_else(|| TcError::invalid("pos was not issued for this query"))?
    };

    let total = chain.rows.len();
    let served = total.min(st.config.participants_cap);
    let (from, to) = pager::page(offset, size as usize, served);
    let has_remaining = to < served;
    let next_pos = has_remaining.then(|| st.participant_chains.issue(chain_id, to));

    let list = &chain.rendered.lists[chain.list];
    let header = &chain.rendered.headers[chain.list];
    let rows = &list.rows[chain.rows.start + from..chain.rows.start + to];
    let mut body =
        String::with_capacity(header.len() + 96 + rows.iter().map(|r| r.len() + 1).sum::<usize>());
    body.push('{');
    body.push_str(header);
    body.push_str(",\"participants\":[");
    pager::push_joined(&mut body, rows.iter().map(|r| &**r));
    body.push_str("],\"has_remaining\":");
    body.push_str(if has_remaining { "true" } else { "false" });
    if let Some(n) = next_pos {
        body.push_str(",\"next_pos\":");
        body.push_str(&n.to_string());
    }
    body.push_str(",\"total_count\":");
    body.push_str(&total.to_string());
    body.push('}');
    if quirks.any() {
        body = apply_quirks(&body, quirks);
    }
    Ok(json_ok(body))
}

/// A JSON string holding digits becomes a number; `""` becomes `0`.
pub(crate) fn string_to_number(v: &mut Value) {
    if let Value::String(s) = v {
        if s.is_empty() {
            *v = Value::from(0);
        } else if let Ok(n) = s.parse::<i64>() {
            *v = Value::from(n);
        }
    }
}

/// The slow path: re-shape a page for the active quirks.
fn apply_quirks(body: &str, quirks: &ActiveQuirks) -> String {
    let Ok(mut v) = serde_json::from_str::<Value>(body) else {
        return body.to_owned();
    };
    if let Value::Object(top) = &mut v {
        if quirks.has(Quirk::OmitTotalCount) {
            top.remove("total_count");
        }
        if quirks.has(Quirk::FlipTypes) {
            for k in ["schedule_start_time", "schedule_end_time"] {
                if let Some(x) = top.get_mut(k) {
                    string_to_number(x);
                }
            }
        }
        if let Some(Value::Array(rows)) = top.get_mut("participants") {
            for row in rows.iter_mut().filter_map(Value::as_object_mut) {
                if quirks.has(Quirk::UpperCaseIp)
                    && let Some(ip) = row.remove("ip")
                {
                    row.insert("IP".into(), ip);
                }
                if quirks.has(Quirk::FlipTypes) {
                    for k in ["join_time", "left_time"] {
                        if let Some(x) = row.get_mut(k) {
                            string_to_number(x);
                        }
                    }
                }
            }
        }
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_refusals_are_190004() {
        for (start, end) in [(Some(5), Some(4)), (Some(0), Some(window::MAX_WINDOW + 1))] {
            assert_eq!(resolve_window(start, end, 0).unwrap_err().code, 190004);
        }
    }

    #[test]
    fn quirks_reshape_a_page() {
        let body = r#"{"schedule_start_time":"1","participants":[{"ip":"1.2.3.4","join_time":"5","left_time":""}],"has_remaining":false,"total_count":1}"#;
        let out: Value = serde_json::from_str(&apply_quirks(
            body,
            &ActiveQuirks(vec![
                Quirk::UpperCaseIp,
                Quirk::OmitTotalCount,
                Quirk::FlipTypes,
            ]),
        ))
        .unwrap();
        assert_eq!(
            out,
            serde_json::json!({"schedule_start_time":1,"participants":[{"IP":"1.2.3.4","join_time":5,"left_time":0}],"has_remaining":false})
        );
    }
}
