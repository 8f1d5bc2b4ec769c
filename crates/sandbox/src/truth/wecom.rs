//! WeCom ground truth: what complete queries return, as served to the app that created each
//! meeting (after its visible-scope filter). Deleted meetings serve nothing.

use std::ops::Range;
use std::sync::Arc;

use serde_json::Value;

use super::{GroundTruth, parse_rows};
use crate::wecom::enroll::Family;
use crate::wecom::store::{Meeting, Rendered};
use crate::wecom::{
    attendees, contacts, enroll, info, invitees, meetingids, realtime, waitingroom,
};

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

    /// A meeting that is known and not deleted.
    fn wecom_meeting(&self, meetingid: &str) -> Option<&Arc<Meeting>> {
        self.state.wecom.store.get(meetingid).filter(|m| !m.deleted)
    }

    /// The rendering of a meeting whose enrollments `family` lists (known, not deleted, of the
    /// family's kind unless configured otherwise, enrollment enabled).
    fn wecom_enrollable(&self, meetingid: &str, family: Family) -> Option<Arc<Rendered>> {
        let st = &self.state.wecom;
        let m = self.wecom_meeting(meetingid)?;
        enroll::serves(st, m, family).then(|| st.store.rendered(m))
    }

    fn wecom_enroll_rows(
        &self,
        meetingid: &str,
        status: Option<i64>,
        family: Family,
    ) -> Vec<Value> {
        let Some(r) = self.wecom_enrollable(meetingid, family) else {
            return Vec::new();
        };
        let Some(index) = r.enroll_by_status.get(status.unwrap_or(0)) else {
            return Vec::new();
        };
        parse_rows(index.iter().map(|&k| &r.enrollments[k as usize]))
    }

    /// Enrollment records (`enroll/list`) for a `status` filter (`None` or `0`: all), in
    /// serving order. Empty if the meeting is unknown, deleted, has enrollment disabled or is a
    /// webinar (`enroll/list` refuses webinars unless `webinar_on_meeting_enroll_code` is
    /// `None`).
    pub fn wecom_enrollments(&self, meetingid: &str, status: Option<i64>) -> Vec<Value> {
        self.wecom_enroll_rows(meetingid, status, Family::Meeting)
    }

    /// Enrollment records (`webinar/enroll/list`, docs/specs/wecom.md §12.1) for a `status`
    /// filter (`None` or `0`: all), in serving order. Empty if the meeting is unknown, deleted,
    /// has enrollment disabled or is not a webinar (unless `meeting_on_webinar_enroll_code` is
    /// `None`).
    pub fn wecom_webinar_enrollments(&self, meetingid: &str, status: Option<i64>) -> Vec<Value> {
        self.wecom_enroll_rows(meetingid, status, Family::Webinar)
    }

    fn wecom_enroll_id_rows(
        &self,
        meetingid: &str,
        tmp_openids: &[&str],
        sorting_rules: Option<i64>,
        family: Family,
    ) -> Vec<Value> {
        let Some(r) = self.wecom_enrollable(meetingid, family) else {
            return Vec::new();
        };
        enroll::enroll_ids(&r, tmp_openids, sorting_rules.unwrap_or(1))
            .into_iter()
            .map(|(t, e)| serde_json::json!({"tmp_openid": t, "enroll_id": e}))
            .collect()
    }

    /// The `enroll_id_list` entries (`{"tmp_openid","enroll_id"}`) that
    /// `enroll/query_by_tmp_openid` returns for these ids and `sorting_rules` (`None`: 1),
    /// without the 500-id limit. Empty when the endpoint would omit the list (or refuse the
    /// meeting, as for a webinar).
    pub fn wecom_enroll_ids(
        &self,
        meetingid: &str,
        tmp_openids: &[&str],
        sorting_rules: Option<i64>,
    ) -> Vec<Value> {
        self.wecom_enroll_id_rows(meetingid, tmp_openids, sorting_rules, Family::Meeting)
    }

    /// The same for `webinar/enroll/query_by_tmp_openid` (docs/specs/wecom.md §12.2): empty
    /// for a meeting that is not a webinar.
    pub fn wecom_webinar_enroll_ids(
        &self,
        meetingid: &str,
        tmp_openids: &[&str],
        sorting_rules: Option<i64>,
    ) -> Vec<Value> {
        self.wecom_enroll_id_rows(meetingid, tmp_openids, sorting_rules, Family::Webinar)
    }

    /// The rows a complete `get_realtime_attendee_list` chain started now returns
    /// (docs/specs/wecom.md §12.3): the attendee sessions open at the sandbox clock (joined at
    /// or before it, not yet left), ascending join time, each the session's attendee row without
    /// `quit_time`, `webinar_role`, `net` and `customer_data`. Empty for unknown or deleted
    /// meetings, a meeting or occurrence not in progress, a recurring meeting without
    /// `sub_meetingid`, an unknown sub-meeting, one given for another kind, and a webinar the
    /// endpoint is configured to refuse.
    pub fn wecom_realtime_attendees(
        &self,
        meetingid: &str,
        sub_meetingid: Option<&str>,
    ) -> Vec<Value> {
        let st = &self.state.wecom;
        let Some(m) = self.wecom_meeting(meetingid) else {
            return Vec::new();
        };
        if m.kind() == crate::data::MeetingKind::Webinar
            && st.config.webinar_realtime_code.is_some_and(|c| c != 0)
        {
            return Vec::new();
        }
        match realtime::list_of(m, sub_meetingid.filter(|s| !s.is_empty())) {
            Ok(list) => parse_rows(realtime::rows_at(st, m, list, st.shared.clock.unix()).iter()),
            Err(_) => Vec::new(),
        }
    }

    /// The rows a complete `waitingroom/get_user_list` chain returns (docs/specs/wecom.md
    /// §12.4): one per visible waiting-room stay, ascending `join_time` (milliseconds), still
    /// waiting with `quit_time` 0. Empty for unknown or deleted meetings and webinars.
    pub fn wecom_waiting_room(&self, meetingid: &str) -> Vec<Value> {
        let st = &self.state.wecom;
        match self.wecom_meeting(meetingid) {
            Some(m) => parse_rows(waitingroom::rows(&st.store.rendered(m), m).iter()),
            None => Vec::new(),
        }
    }

    /// The rows (`{"userid"}`) a complete `get_invitees` chain returns (docs/specs/wecom.md
    /// §12.5): the visible invited members in invitation order. Empty for unknown or deleted
    /// meetings and for webinars the endpoint refuses.
    pub fn wecom_invitees(&self, meetingid: &str) -> Vec<Value> {
        let st = &self.state.wecom;
        let Some(m) = self.wecom_meeting(meetingid) else {
            return Vec::new();
        };
        if invitees::check_kind(st, m).is_err() {
            return Vec::new();
        }
        parse_rows(
            st.store
                .rendered(m)
                .invitees
                .iter()
                .map(|u| invitees::row(u)),
        )
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
