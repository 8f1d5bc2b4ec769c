//! `POST /cgi-bin/meeting/get_user_meetingid` (docs/specs/wecom.md §4.5, §9 items 6–8).
//!
//! A member's meetings are the calling app's meetings (not deleted) that the member created,
//! attended or was invited to, ordered by start time. A meeting is listed when
//! `begin ≤ start ≤ end`, or when it has not started and `start ≥ begin` (whatever `end`).
//! Checks: field types → `userid` (`41009`) → `limit` in `1..=100` → window (span over 180 days
//! or `begin > end`: `40058`) → cursor (`40058`).

use std::sync::Arc;

use super::error::WcError;
use super::{Call, State};
use crate::data::MeetingState;
use crate::pager;

/// Longest `end_time − begin_time`.
pub(crate) const MAX_SPAN: i64 = 180 * 86_400;
/// `limit` when absent, and its maximum (documented).
const MAX_LIMIT: i64 = 100;

/// What a cursor must match (the `limit` may change along a chain: the same-limit rule is not
/// documented for this endpoint).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChainKey {
    app: usize,
    userid: String,
    begin: Option<i64>,
    end: Option<i64>,
}

/// The window `[begin, end]`: both given → as given; only `begin` → end = max(now, begin);
/// only `end` → begin = end − 180 d; neither → `[now − 180 d, now]`.
pub(crate) fn resolve_window(
    begin: Option<i64>,
    end: Option<i64>,
    now: i64,
) -> Result<(i64, i64), WcError> {
    let (b, e) = match (begin, end) {
        (Some(b), Some(e)) => (b, e),
        (Some(b), None) => (b, now.max(b)),
        (None, Some(e)) => (e.saturating_sub(MAX_SPAN), e),
        (None, None) => (now.saturating_sub(MAX_SPAN), now),
    };
    if b > e {
        return Err(WcError::invalid("begin_time is after end_time"));
    }
    if i128::from(e) - i128::from(b) > i128::from(MAX_SPAN) {
        return Err(WcError::invalid(
            "the time range between begin_time and end_time may not exceed 180 days",
        ));
    }
    Ok((b, e))
}

/// The meeting ids `userid` gets from `app` for the window `[begin, end]`.
pub(crate) fn user_meetings(
    st: &State,
    app: usize,
    userid: &str,
    begin: i64,
    end: i64,
) -> Vec<String> {
    if st.store.hidden(app, userid) {
        return Vec::new();
    }
    let mut hits: Vec<(i64, &str)> = st
        .store
        .all()
        .iter()
        .filter(|m| m.app == app && !m.deleted)
        .filter(|m| {
            let start = m.plan.meeting.start;
            (begin..=end).contains(&start)
                || (m.state == MeetingState::NotStarted && start >= begin)
        })
        .filter(|m| m.creator == userid || st.store.rendered(m).userids.contains(userid))
        .map(|m| (m.plan.meeting.start, m.id.as_str()))
        .collect();
    hits.sort();
    hits.into_iter().map(|(_, id)| id.to_owned()).collect()
}

pub(crate) fn serve(st: &State, call: &Call) -> Result<String, WcError> {
    let b = &call.body;
    let userid = b.string("userid")?;
    let cursor = b.string("cursor")?;
    let limit = b.uint32("limit")?;
    let begin = b.uint32("begin_time")?;
    let end = b.uint32("end_time")?;
    let userid = userid
        .filter(|u| !u.is_empty())
        .ok_or_else(|| WcError::code(41009))?;
    let limit = limit.unwrap_or(MAX_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(WcError::invalid("limit must be between 1 and 100"));
    }
    let key = ChainKey {
        app: call.app,
        userid: userid.to_owned(),
        begin,
        end,
    };
    // "初次调用可以填\"0\"": "0" (or "") starts a chain.
    let (chain_id, offset, ids) = match cursor.filter(|c| !c.is_empty() && *c != "0") {
        None => {
            let (b, e) = resolve_window(begin, end, call.now)?;
            let ids = Arc::new(user_meetings(st, call.app, userid, b, e));
            (st.meetingid_chains.start(key, ids.clone()), 0, ids)
        }
        Some(c) => st
            .meetingid_chains
            .pos_of_token(c)
            .and_then(|pos| st.meetingid_chains.resolve(pos, &key))
            .ok_or_else(|| WcError::invalid("invalid cursor"))?,
    };
    let total = ids.len();
    let (from, to) = pager::page(offset, limit as usize, total);
    let mut body = String::new();
    if to < total {
        let next = st
            .meetingid_chains
            .token_of(st.meetingid_chains.issue(chain_id, to));
        body.push_str(&format!("\"next_cursor\":\"{next}\","));
    } else if !st.config.omit_final_cursor {
        body.push_str("\"next_cursor\":\"\",");
    }
    body.push_str("\"meetingid_list\":");
    body.push_str(&serde_json::Value::from(ids[from..to].to_vec()).to_string());
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_rules() {
        let now = 100_000_000;
        assert_eq!(resolve_window(None, None, now), Ok((now - MAX_SPAN, now)));
        assert_eq!(
            resolve_window(Some(now + 5), None, now),
            Ok((now + 5, now + 5))
        );
        assert_eq!(
            resolve_window(None, Some(now), now),
            Ok((now - MAX_SPAN, now))
        );
        assert_eq!(
            resolve_window(Some(0), Some(MAX_SPAN), now),
            Ok((0, MAX_SPAN))
        );
        assert!(resolve_window(Some(0), Some(MAX_SPAN + 1), now).is_err());
        assert!(resolve_window(Some(2), Some(1), now).is_err());
        assert!(resolve_window(Some(now - MAX_SPAN - 1), None, now).is_err());
        assert!(resolve_window(Some(i64::MIN), Some(i64::MAX), now).is_err());
        assert!(resolve_window(None, None, i64::MIN).is_ok());
    }
}
