//! Meeting detail: the join-link lookup (docs/specs/quanshi.md §4.1, §9 item 5) and `room/conference/infos`
//! (docs/specs/quanshi.md §4.2, §9 item 6).

use serde_json::Value;

use super::State;
use super::auth::Caller;
use super::envelope::{Payload, QsError};
use super::request::Body;

/// `POST <join_url_lookup_path>` with `{"attendeeJoinUrl": "…"}`: exact match on the trimmed
/// link; `result` is an array with the meeting object in the doc example's spellings.
pub(crate) fn by_join_url(st: &State, _caller: &Caller, body: &Body) -> Result<Payload, QsError> {
    let url = body
        .string("attendeeJoinUrl")?
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| QsError::invalid("attendeeJoinUrl is required"))?;
    match st.store.by_join_url(url) {
        Some(m) => Ok(Payload::json(st.store.rendered(m).lookup.clone())),
        None if st.config.join_url_not_found_error => {
            Err(QsError::not_found("no meeting with this attendeeJoinUrl"))
        }
        None => Ok(Payload::json("[]")),
    }
}

/// `pcode` as a string (a JSON number of digits is accepted too); `""` counts as absent.
fn pcode(body: &Body) -> Result<Option<String>, QsError> {
    match body.get("pcode") {
        None => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(Value::Number(n)) if n.is_u64() => Ok(Some(n.to_string())),
        Some(_) => Err(QsError::invalid("pcode must be a string")),
    }
}

/// `POST /confopenapi/room/conference/infos` with `eventId` or `pcode` (the host passcode,
/// `pcode1`) and the host's `userId`. `eventId` wins when both are sent.
pub(crate) fn conference_infos(
    st: &State,
    _caller: &Caller,
    body: &Body,
) -> Result<Payload, QsError> {
    let event = body.id("eventId")?;
    let pcode = pcode(body)?;
    let user = body.id("userId")?;
    if event.is_none() && pcode.is_none() {
        return Err(QsError::invalid("eventId or pcode is required"));
    }
    let user = user.ok_or_else(|| QsError::invalid("userId is required"))?;
    let m = match (event, &pcode) {
        (Some(e), _) => st.store.by_event(e),
        (None, Some(p)) => st.store.by_pcode(p),
        (None, None) => None,
    }
    .ok_or_else(|| QsError::not_found("meeting not found"))?;
    if user != m.host_id {
        return Err(QsError::not_found(
            "meeting not found for this userId (not the host)",
        ));
    }
    Ok(Payload::json(st.store.rendered(m).infos.clone()))
}

/// `room/conference/list` (the repository's docs/specs/discovery.md §4): the meetings `userId`
/// hosts whose scheduled start is within `[startTime, endTime]` (Unix seconds, both inclusive),
/// recurring ones only with `inCycle` 1; no paging; `result` the meeting objects as
/// `room/conference/infos` renders them, in start order.
pub(crate) fn conference_list(
    st: &State,
    _caller: &Caller,
    body: &Body,
) -> Result<Payload, QsError> {
    let (from, to) = (body.int("startTime")?, body.int("endTime")?);
    let (Some(from), Some(to)) = (from, to) else {
        return Err(QsError::invalid("startTime and endTime are required"));
    };
    if from > to {
        return Err(QsError::invalid("startTime is after endTime"));
    }
    let user = body
        .id("userId")?
        .ok_or_else(|| QsError::invalid("userId is required"))?;
    let in_cycle = body.int("inCycle")?.unwrap_or(0) == 1;
    Ok(Payload::value(&serde_json::Value::Array(list_rows(
        st, user, from, to, in_cycle,
    ))))
}

/// The meetings of [`conference_list`].
pub(crate) fn list_rows(
    st: &State,
    host: u64,
    from: i64,
    to: i64,
    in_cycle: bool,
) -> Vec<serde_json::Value> {
    let mut found: Vec<_> = st
        .store
        .meetings()
        .iter()
        .filter(|m| m.host_id == host && (in_cycle || !m.is_recurring()))
        .filter(|m| (from..=to).contains(&m.plan.meeting.start))
        .collect();
    found.sort_by_key(|m| (m.plan.meeting.start, m.event_id));
    found
        .into_iter()
        .flat_map(|m| {
            serde_json::from_str::<Vec<serde_json::Value>>(&st.store.rendered(m).infos)
                .unwrap_or_default()
        })
        .collect()
}
