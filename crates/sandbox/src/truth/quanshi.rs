//! Quanshi ground truth: what complete queries return, as the very JSON objects served. Event
//! ids are the catalog's `id` (decimal text); an unknown or malformed id gives nothing.

use std::sync::Arc;

use serde_json::Value;

use super::GroundTruth;
use crate::quanshi::store::{Meeting, Rendered};

impl GroundTruth {
    fn quanshi_rendered(&self, event_id: &str) -> Option<(Arc<Meeting>, Arc<Rendered>)> {
        let st = &self.state.quanshi;
        let id: u64 = event_id.trim().parse().ok()?;
        let m = st.store.by_event(id)?.clone();
        let r = st.store.rendered(&m);
        Some((m, r))
    }

    fn quanshi_parse(&self, event_id: &str, pick: fn(&Rendered) -> &str) -> Option<Value> {
        let (_, r) = self.quanshi_rendered(event_id)?;
        serde_json::from_str(pick(&r)).ok()
    }

    /// The `result` of report v2 (`getReportDatas/v2`): `{"interaction": [sessions…],
    /// "tempConfenceList": [runs…]}`. `None` for an unknown event.
    pub fn quanshi_report_v2(&self, event_id: &str) -> Option<Value> {
        self.quanshi_parse(event_id, |r| &r.v2)
    }

    /// The v2 session rows (`interaction`), one per join session, in serving order (by
    /// `onlineTime`).
    pub fn quanshi_sessions(&self, event_id: &str) -> Vec<Value> {
        array_at(self.quanshi_report_v2(event_id), "interaction")
    }

    /// The v2 runs (`tempConfenceList`): one per actual run, a recurring event has several.
    pub fn quanshi_runs(&self, event_id: &str) -> Vec<Value> {
        array_at(self.quanshi_report_v2(event_id), "tempConfenceList")
    }

    /// The `result` rows of report v1 (`getReportDatas`), one per person, in serving order (by
    /// first join).
    pub fn quanshi_report_v1(&self, event_id: &str) -> Vec<Value> {
        as_array(self.quanshi_parse(event_id, |r| &r.v1))
    }

    /// The invitees (`attendList` of the meeting object).
    pub fn quanshi_invitees(&self, event_id: &str) -> Vec<Value> {
        as_array(self.quanshi_parse(event_id, |r| &r.invitees))
    }

    /// The terminals `attendee/list` would page through now (at the sandbox clock), in order.
    pub fn quanshi_terminals(&self, event_id: &str) -> Vec<Value> {
        let now = self.state.shared.clock.unix();
        self.quanshi_terminals_at(event_id, now)
    }

    /// The terminals in the meeting at `unix` (`join ≤ unix < leave`), in serving order.
    pub fn quanshi_terminals_at(&self, event_id: &str, unix: i64) -> Vec<Value> {
        let Some((_, r)) = self.quanshi_rendered(event_id) else {
            return Vec::new();
        };
        r.terminals
            .current(unix)
            .iter()
            .filter_map(|&i| serde_json::from_str(&r.terminals.rows[i as usize]).ok())
            .collect()
    }

    /// The meeting object the join-link lookup serves (doc spellings: `billingcode`, `wcallurl`,
    /// `CreateTime`…), with the ids a test needs: `conferenceId`, `pcode1` (host passcode, for
    /// `room/conference/infos`), `pcode2`, `attendeeJoinUrl`, `hostJoinUrl`, `hostId`.
    pub fn quanshi_meeting_detail(&self, event_id: &str) -> Option<Value> {
        first(self.quanshi_parse(event_id, |r| &r.lookup))
    }

    /// The meeting object `room/conference/infos` serves (table spellings `billingCode`,
    /// `wcallUrl`, plus `isGnet`, `joinHostUrl`, `btplRole`).
    pub fn quanshi_conference_infos(&self, event_id: &str) -> Option<Value> {
        first(self.quanshi_parse(event_id, |r| &r.infos))
    }

    /// What `room/conference/list` returns for `host` and `[from, to]` (Unix seconds,
    /// inclusive), recurring meetings included when `in_cycle`.
    pub fn quanshi_conference_list(
        &self,
        host: u64,
        from: i64,
        to: i64,
        in_cycle: bool,
    ) -> Vec<Value> {
        crate::quanshi::detail::list_rows(&self.state.quanshi, host, from, to, in_cycle)
    }

    /// Quanshi tokens currently valid (neither expired at the sandbox clock nor revoked).
    pub fn quanshi_active_tokens(&self) -> usize {
        let st = &self.state.quanshi;
        let now = st.shared.clock.unix_millis();
        st.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .active(now)
    }
}

fn as_array(v: Option<Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    }
}

fn array_at(v: Option<Value>, key: &str) -> Vec<Value> {
    as_array(v.and_then(|mut v| v.get_mut(key).map(Value::take)))
}

fn first(v: Option<Value>) -> Option<Value> {
    as_array(v).into_iter().next()
}
