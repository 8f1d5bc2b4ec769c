//! `POST /cgi-bin/meeting/enroll/list` and `/cgi-bin/meeting/enroll/query_by_tmp_openid`
//! (docs/specs/wecom.md §4.2, §4.3, §9 items 5–7 and 11), and their webinar twins
//! `webinar/enroll/list` and `webinar/enroll/query_by_tmp_openid` (§12.1, §12.2).
//!
//! The two families serve the same rows and rules; each refuses the other kind of meeting with
//! a configured code (`730011` by default, roster's choice, §12.0). The webinar pages type
//! `status`, `limit` and `sorting_rules` as uint32 where the meeting pages say int32: a negative
//! value is "wrong json format" there.

use std::collections::HashSet;
use std::sync::Arc;

use super::error::WcError;
use super::store::{Meeting, Rendered};
use super::{Call, State};
use crate::data::MeetingKind;
use crate::pager;

/// `limit` when absent, and its maximum (both documented).
pub(crate) const DEFAULT_LIMIT: i64 = 50;
/// Most `tmp_openid`s one query may carry.
pub(crate) const MAX_TMP_OPENIDS: usize = 500;

/// An enrolment family: which endpoints were called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// `enroll/*`: meetings that are not webinars.
    Meeting,
    /// `webinar/enroll/*`: webinars (`get_info.meeting_type` 6).
    Webinar,
}

/// What a cursor must match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChainKey {
    app: usize,
    family: Family,
    meeting: String,
    status: i64,
    limit: i64,
}

/// The configured refusal when `family` is called for a meeting of the other kind
/// (`webinar_on_meeting_enroll_code`, `meeting_on_webinar_enroll_code`; `None` or `0` serve).
pub(crate) fn check_family(st: &State, m: &Meeting, family: Family) -> Result<(), WcError> {
    let webinar = m.kind() == MeetingKind::Webinar;
    let code = match (family, webinar) {
        (Family::Meeting, true) => st.config.webinar_on_meeting_enroll_code,
        (Family::Webinar, false) => st.config.meeting_on_webinar_enroll_code,
        _ => None,
    };
    match code.filter(|&c| c != 0) {
        Some(c) => Err(WcError::code(c)),
        None => Ok(()),
    }
}

/// Whether `family` lists the enrollments of `m` (not deleted, of the family's kind,
/// enrollment enabled): the ground truth's view of the checks after the caller's access.
pub(crate) fn serves(st: &State, m: &Meeting, family: Family) -> bool {
    !m.deleted && check_family(st, m, family).is_ok() && enrollment_enabled(m).is_ok()
}

/// An integer field typed as the family's page types it (int32 for meetings, uint32 for
/// webinars).
fn int_of(call: &Call, family: Family, name: &str) -> Result<Option<i64>, WcError> {
    match family {
        Family::Meeting => call.body.int32(name),
        Family::Webinar => call.body.uint32(name),
    }
}

fn enrollment_enabled(m: &Meeting) -> Result<(), WcError> {
    if m.plan.meeting.enrollment {
        Ok(())
    } else {
        Err(WcError::new(40058, "enroll not enabled"))
    }
}

/// `enroll/list`.
pub(crate) fn serve_list(st: &State, call: &Call) -> Result<String, WcError> {
    list(st, call, Family::Meeting)
}

/// `webinar/enroll/list`.
pub(crate) fn serve_webinar_list(st: &State, call: &Call) -> Result<String, WcError> {
    list(st, call, Family::Webinar)
}

/// Checks: field types → `meetingid` → `status` in `0..=3` → `limit` in `1..=50` → meeting →
/// kind (`730011`) → enrollment enabled → cursor (all `40058` except the meeting and kind
/// codes).
fn list(st: &State, call: &Call, family: Family) -> Result<String, WcError> {
    let b = &call.body;
    let id = b.string("meetingid")?;
    let status = int_of(call, family, "status")?;
    let cursor = b.string("cursor")?;
    let limit = int_of(call, family, "limit")?;
    let id = id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| WcError::invalid("meetingid is required"))?;
    let status = status.unwrap_or(0);
    if !(0..=3).contains(&status) {
        return Err(WcError::invalid("status must be 0, 1, 2 or 3"));
    }
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=DEFAULT_LIMIT).contains(&limit) {
        return Err(WcError::invalid("limit must be between 1 and 50"));
    }
    let m = st.meeting(call.app, id)?;
    check_family(st, m, family)?;
    enrollment_enabled(m)?;
    let key = ChainKey {
        app: call.app,
        family,
        meeting: m.id.clone(),
        status,
        limit,
    };
    let (chain_id, offset, rendered) = match cursor.filter(|c| !c.is_empty()) {
        None => {
            let rendered = st.store.rendered(m);
            (st.enroll_chains.start(key, rendered.clone()), 0, rendered)
        }
        Some(c) => st
            .enroll_chains
            .pos_of_token(c)
            .and_then(|pos| st.enroll_chains.resolve(pos, &key))
            .ok_or_else(|| WcError::invalid("invalid cursor"))?,
    };
    let index = rendered.enroll_by_status.get(status).unwrap_or_default();
    let total = index.len();
    let (from, to) = pager::page(offset, limit as usize, total);
    let next = st
        .enroll_chains
        .token_of(st.enroll_chains.issue(chain_id, to));
    let mut body = format!(
        "\"has_more\":{},\"next_cursor\":\"{next}\",\"enroll_list\":[",
        to < total
    );
    pager::push_joined(
        &mut body,
        index[from..to]
            .iter()
            .map(|&k| &*rendered.enrollments[k as usize]),
    );
    body.push(']');
    Ok(body)
}

/// `(tmp_openid, enroll_id)` pairs for the given ids: input order, duplicates and unknown ids
/// skipped; a person's enrollments ordered by `sorting_rules` (1: imports first, 2: self-service
/// first), enrollment order otherwise.
pub(crate) fn enroll_ids(
    rendered: &Rendered,
    tmp_openids: &[&str],
    sorting_rules: i64,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for &t in tmp_openids {
        if !seen.insert(t) {
            continue;
        }
        let Some(ks) = rendered.by_tmp_openid.get(t) else {
            continue;
        };
        let mut ks = ks.clone();
        // Stable sort: the preferred source first.
        ks.sort_by_key(|&k| {
            let import = rendered.enroll_import[k as usize];
            if sorting_rules == 2 { import } else { !import }
        });
        for k in ks {
            out.push((t.to_owned(), rendered.enroll_ids[k as usize].clone()));
        }
    }
    out
}

/// The members of a `query_by_tmp_openid` answer (`enroll_id_list` omitted when empty).
pub(crate) fn query_members(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let list: Vec<serde_json::Value> = pairs
        .iter()
        .map(|(t, e)| serde_json::json!({"tmp_openid": t, "enroll_id": e}))
        .collect();
    format!("\"enroll_id_list\":{}", serde_json::Value::from(list))
}

/// `enroll/query_by_tmp_openid`.
pub(crate) fn serve_query(st: &State, call: &Call) -> Result<String, WcError> {
    query(st, call, Family::Meeting)
}

/// `webinar/enroll/query_by_tmp_openid`.
pub(crate) fn serve_webinar_query(st: &State, call: &Call) -> Result<String, WcError> {
    query(st, call, Family::Webinar)
}

/// Checks: field types → `meetingid` → `tmp_openid_list` with 1–500 ids → `sorting_rules` 1
/// or 2 → meeting → kind (`730011`) → enrollment enabled.
fn query(st: &State, call: &Call, family: Family) -> Result<String, WcError> {
    let b = &call.body;
    let id = b.string("meetingid")?;
    let rules = int_of(call, family, "sorting_rules")?;
    let list = b.strings("tmp_openid_list")?;
    let id = id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| WcError::invalid("meetingid is required"))?;
    let list = list.unwrap_or_default();
    if list.is_empty() {
        return Err(WcError::invalid("tmp_openid_list is required"));
    }
    if list.len() > MAX_TMP_OPENIDS {
        return Err(WcError::invalid("tmp_openid_list may hold at most 500 ids"));
    }
    let rules = rules.unwrap_or(1);
    if !(1..=2).contains(&rules) {
        return Err(WcError::invalid("sorting_rules must be 1 or 2"));
    }
    let m = st.meeting(call.app, id)?;
    check_family(st, m, family)?;
    enrollment_enabled(m)?;
    let rendered: Arc<Rendered> = st.store.rendered(m);
    Ok(query_members(&enroll_ids(&rendered, &list, rules)))
}
