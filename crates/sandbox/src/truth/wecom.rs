//! WeCom ground truth: what complete queries return, as served to the app that created each
//! meeting (after its visible-scope filter). Deleted meetings serve nothing.

use std::ops::Range;
use std::sync::Arc;

use serde_json::Value;

use super::{GroundTruth, parse_rows};
use crate::wecom::store::Rendered;
use crate::wecom::{attendees, contacts, enroll, info, meetingids};

impl GroundTruth {
    /// The rendered list and rows a complete attendee query returns; `None` for an unknown or
    /// deleted meeting, an unknown sub-meeting, a recurring meeting without a sub-meeting and a
    /// sub-meeting given for another kind.
    fn wecom_rows(
        &self,
        meetingid: &str,
        sub_meetingid: Option<&str>,
        window: Option<(i64, i64)>,
    ) -> Option<(Arc<Rendered>, usize, Range<usize>)> {
        let st = &self.state.wecom;
        let m = st.store.get(meetingid).filter(|m| !m.deleted)?;
        let list = match (m.is_recurring(), sub_meetingid) {
            (true, Some(s)) => m.sub_index(s)?,
            (false, None) => 0,
            _ => return None,
        };
        let r = st.store.rendered(m);
        // The window is ignored for recurring meetings.
        let range = r.lists[list].select(window.filter(|_| !m.is_recurring()));
        Some((r, list, range))
    }

    /// Attendee rows (one per join session, ascending `join_time`, in serving order) that a
    /// complete `get_attendee_list` query returns, ignoring pagination. `sub_meetingid` is
    /// required for recurring meetings (else nothing); `window` `(start, end)` filters
    /// `start ≤ join_time ≤ end` on other meetings (`None`: every row, not the endpoint's default
    /// window). Unknown or deleted meetings, unknown sub-meetings, and meetings (or
    /// sub-meetings) that have not started: nothing.
    pub fn wecom_attendees(
        &self,
        meetingid: &str,
        sub_meetingid: Option<&str>,
        window: Option<(i64, i64)>,
    ) -> Vec<Value> {
        match self.wecom_rows(meetingid, sub_meetingid, window) {
            Some((r, list, range)) => parse_rows(r.lists[list].rows[range].iter()),
            None => Vec::new(),
        }
    }

    /// Number of rows of [`GroundTruth::wecom_attendees`].
    pub fn wecom_attendee_count(
        &self,
        meetingid: &str,
        sub_meetingid: Option<&str>,
        window: Option<(i64, i64)>,
    ) -> usize {
        self.wecom_rows(meetingid, sub_meetingid, window)
            .map_or(0, |(_, _, range)| range.len())
    }

    /// The rendering of a meeting whose enrollments the endpoints list (known, not deleted,
    /// enrollment enabled).
    fn wecom_enrollable(&self, meetingid: &str) -> Option<Arc<Rendered>> {
        let st = &self.state.wecom;
        let m = st.store.get(meetingid).filter(|m| !m.deleted)?;
        m.plan.meeting.enrollment.then(|| st.store.rendered(m))
    }

    /// Enrollment records (`enroll/list`) for a `status` filter (`None` or `0`: all), in
    /// serving order. Empty if the meeting is unknown, deleted or has enrollment disabled.
    pub fn wecom_enrollments(&self, meetingid: &str, status: Option<i64>) -> Vec<Value> {
        let Some(r) = self.wecom_enrollable(meetingid) else {
            return Vec::new();
        };
        let Some(index) = r.enroll_by_status.get(status.unwrap_or(0)) else {
            return Vec::new();
        };
        parse_rows(index.iter().map(|&k| &r.enrollments[k as usize]))
    }

    /// The `enroll_id_list` entries (`{"tmp_openid","enroll_id"}`) that
    /// `enroll/query_by_tmp_openid` returns for these ids and `sorting_rules` (`None`: 1),
    /// without the 500-id limit. Empty when the endpoint would omit the list.
    pub fn wecom_enroll_ids(
        &self,
        meetingid: &str,
        tmp_openids: &[&str],
        sorting_rules: Option<i64>,
    ) -> Vec<Value> {
        let Some(r) = self.wecom_enrollable(meetingid) else {
            return Vec::new();
        };
        enroll::enroll_ids(&r, tmp_openids, sorting_rules.unwrap_or(1))
            .into_iter()
            .map(|(t, e)| serde_json::json!({"tmp_openid": t, "enroll_id": e}))
            .collect()
    }

    /// The `get_info` answer without `errcode`/`errmsg`, for the meeting or one of its
    /// sub-meetings. `None` for unknown or deleted meetings and unknown sub-meetings.
    pub fn wecom_meeting_info(
        &self,
        meetingid: &str,
        sub_meetingid: Option<&str>,
    ) -> Option<Value> {
        let st = &self.state.wecom;
        let m = st.store.get(meetingid).filter(|m| !m.deleted)?;
        let sub = match sub_meetingid {
            None => None,
            Some(s) => Some(m.sub_index(s)?),
        };
        Some(info::info_body(st, m, sub))
    }

    /// The rows a complete `user/list_id` chain returns: `(userid, department)`, a member in
    /// two departments twice.
    pub fn wecom_address_book(&self) -> Vec<(String, u32)> {
        contacts::rows(&self.state.wecom)
            .into_iter()
            .map(|r| (r.userid, r.department))
            .collect()
    }

    /// The meeting ids a complete `get_user_meetingid` chain returns to the first app for
    /// `userid` and the given bounds (defaults resolved with the sandbox clock now, as the
    /// endpoint does). Empty for a window the endpoint refuses.
    pub fn wecom_user_meetingids(
        &self,
        userid: &str,
        begin_time: Option<i64>,
        end_time: Option<i64>,
    ) -> Vec<String> {
        let st = &self.state.wecom;
        match meetingids::resolve_window(begin_time, end_time, st.shared.clock.unix()) {
            Ok((b, e)) => meetingids::user_meetings(st, 0, userid, b, e),
            Err(_) => Vec::new(),
        }
    }

    /// The endpoint's window for the given `get_attendee_list` bounds (defaults resolved with the
    /// sandbox clock now), or `None` if the endpoint would refuse them. Feed it to
    /// [`GroundTruth::wecom_attendees`] to check a query that relied on a default bound.
    pub fn wecom_attendee_window(
        &self,
        start_time: Option<i64>,
        end_time: Option<i64>,
    ) -> Option<(i64, i64)> {
        attendees::resolve_window(start_time, end_time, self.state.wecom.shared.clock.unix()).ok()
    }
}
