//! Attendance reports: `getReportDatas` v1 (one row per person) and v2 (one row per join session,
//! plus the runs), docs/specs/quanshi.md §4.3–4.4, §9 item 7. Both are rendered once per meeting from the same
//! sessions, so v1 is always the per-person aggregation of v2.

use super::State;
use super::auth::Caller;
use super::envelope::{Payload, QsError};
use super::request::Body;
use super::store::Meeting;

fn event(body: &Body) -> Result<u64, QsError> {
    body.id("eventId")?
        .ok_or_else(|| QsError::invalid("eventId is required"))
}

fn meeting(st: &State, event: u64) -> Result<&std::sync::Arc<Meeting>, QsError> {
    st.store
        .by_event(event)
        .ok_or_else(|| QsError::not_found("no meeting with this eventId"))
}

/// `POST /confopenapi/conference/report/getReportDatas` with `eventId` and the host's `userId`.
pub(crate) fn serve_v1(st: &State, _caller: &Caller, body: &Body) -> Result<Payload, QsError> {
    let event = event(body)?;
    let user = body
        .id("userId")?
        .ok_or_else(|| QsError::invalid("userId (the host's) is required"))?;
    let m = meeting(st, event)?;
    if user != m.host_id {
        return Err(QsError::not_found(
            "no meeting with this eventId for this userId (not the host)",
        ));
    }
    Ok(Payload::json(st.store.rendered(m).v1.clone()))
}

/// `POST /confopenapi/conference/report/getReportDatas/v2` with `eventId`.
pub(crate) fn serve_v2(st: &State, _caller: &Caller, body: &Body) -> Result<Payload, QsError> {
    let event = event(body)?;
    let m = meeting(st, event)?;
    Ok(Payload::json(st.store.rendered(m).v2.clone()))
}
