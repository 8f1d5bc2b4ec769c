//! `POST /confopenapi/conference/attendee/list`: the terminals in the meeting at the sandbox
//! clock, paged by number (docs/specs/quanshi.md §4.5, §9 item 8).

use super::State;
use super::auth::Caller;
use super::envelope::{Payload, QsError};
use super::request::Body;
use crate::pager;

/// Largest `count`.
pub(crate) const MAX_COUNT: i64 = 100;
/// `count` when absent.
const DEFAULT_COUNT: i64 = 20;

/// `{"eventId": …, "page": 1, "count": 20}` → `{"list": [...]}` (no total).
pub(crate) fn serve(st: &State, _caller: &Caller, body: &Body) -> Result<Payload, QsError> {
    let event = body
        .id("eventId")?
        .ok_or_else(|| QsError::invalid("eventId is required"))?;
    let page = body.int("page")?.unwrap_or(1);
    let count = body.int("count")?.unwrap_or(DEFAULT_COUNT);
    if !(1..=MAX_COUNT).contains(&count) {
        return Err(QsError::invalid("count must be between 1 and 100"));
    }
    if page < 1 {
        return Err(QsError::invalid("page starts at 1"));
    }
    let m = st
        .store
        .by_event(event)
        .ok_or_else(|| QsError::not_found("no meeting with this eventId"))?;
    let rendered = st.store.rendered(m);
    let current = rendered.terminals.current(st.shared.clock.unix());
    // page ≥ 1 and count ≤ 100, so this cannot overflow in u128.
    let offset = (page as u128 - 1) * count as u128;
    let from = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(current.len());
    let to = from.saturating_add(count as usize).min(current.len());
    let rows = &rendered.terminals.rows;
    let mut out = String::with_capacity(
        16 + current[from..to]
            .iter()
            .map(|&i| rows[i as usize].len() + 1)
            .sum::<usize>(),
    );
    out.push_str("{\"list\":[");
    pager::push_joined(
        &mut out,
        current[from..to].iter().map(|&i| &*rows[i as usize]),
    );
    out.push_str("]}");
    Ok(Payload::json(out))
}
