//! Tencent ground truth: the rows complete queries return (as served to the first configured app,
//! whose SecretId the `phone` hashes use).

use std::ops::Range;
use std::sync::Arc;

use serde_json::Value;

use super::{GroundTruth, parse_rows};
use crate::tencent::store::Rendered;
use crate::tencent::{Operator, detail, export, realtime, signin};

impl GroundTruth {
    /// The rendered list and rows a complete participants query returns; `None` for an
    /// unknown meeting or sub-meeting, a recurring meeting without a sub-meeting, and a list
    /// that has not started.
    fn tencent_rows(
        &self,
        meeting_id: &str,
        sub_meeting_id: Option<&str>,
        window: Option<(i64, i64)>,
    ) -> Option<(Arc<Rendered>, usize, Range<usize>)> {
        let st = &self.state.tencent;
        let m = st.store.get(meeting_id)?;
        let list = if m.is_recurring() {
            m.sub_index(sub_meeting_id?)?
        } else {
            0
        };
        if !m.list_started(list) {
            return None;
        }
        let r = st.store.rendered(m, 0);
        // The window is ignored for recurring meetings.
        let range = r.lists[list].select(window.filter(|_| !m.is_recurring()));
        Some((r, list, range))
    }

    /// Participant rows (one per join session, in serving order) that a complete
    /// `/participants` query returns, ignoring pagination and the 50 000 cap. `sub_meeting_id` is
    /// required for recurring meetings (else nothing); `window` `(start, end)` filters
    /// `start ≤ join_time ≤ end` on other meetings (`None`: every row). Unknown meeting or
    /// sub-meeting, and meetings that have not started: nothing.
    pub fn tencent_participants(
        &self,
        meeting_id: &str,
        sub_meeting_id: Option<&str>,
        window: Option<(i64, i64)>,
    ) -> Vec<Value> {
        match self.tencent_rows(meeting_id, sub_meeting_id, window) {
            Some((r, list, range)) => parse_rows(r.lists[list].rows[range].iter()),
            None => Vec::new(),
        }
    }

    /// Number of rows of [`GroundTruth::tencent_participants`] (what `total_count` reports).
    pub fn tencent_participant_count(
        &self,
        meeting_id: &str,
        sub_meeting_id: Option<&str>,
        window: Option<(i64, i64)>,
    ) -> usize {
        self.tencent_rows(meeting_id, sub_meeting_id, window)
            .map_or(0, |(_, _, range)| range.len())
    }

    /// Enrollment records for a `status` filter (`None` or `0`: all), in serving order. Empty if
    /// the meeting is unknown or has enrollment disabled. A webinar's are served on
    /// `/v1/webinars/{id}/enroll/approvals`, other meetings' on `/v1/meetings/{id}/…` (unless
    /// `enroll_path_mismatch` is `None`: then on both).
    pub fn tencent_enroll_approvals(&self, meeting_id: &str, status: Option<i64>) -> Vec<Value> {
        let st = &self.state.tencent;
        let Some(m) = st.store.get(meeting_id) else {
            return Vec::new();
        };
        if !m.plan.meeting.enrollment {
            return Vec::new();
        }
        let r = st.store.rendered(m, 0);
        let Some(index) = r.enroll_by_status.get(status.unwrap_or(0)) else {
            return Vec::new();
        };
        parse_rows(index.iter().map(|&k| &r.enrollments[k as usize]))
    }

    /// Invitee records, in serving order.
    pub fn tencent_invitees(&self, meeting_id: &str) -> Vec<Value> {
        let st = &self.state.tencent;
        let Some(m) = st.store.get(meeting_id) else {
            return Vec::new();
        };
        parse_rows(st.store.rendered(m, 0).invitees.iter())
    }

    /// The meeting-detail body as served to the meeting's creator.
    pub fn tencent_meeting_detail(&self, meeting_id: &str) -> Option<Value> {
        let st = &self.state.tencent;
        let m = st.store.get(meeting_id)?;
        Some(detail::detail_body(
            st,
            m,
            0,
            &Operator::User(m.creator.clone()),
        ))
    }

    /// What `/v1/history/meetings/{userid}` lists for a start within `[from, to]` (Unix
    /// seconds, inclusive), over all pages.
    pub fn tencent_history_meetings(&self, userid: &str, from: i64, to: i64) -> Vec<Value> {
        crate::tencent::history::rows(&self.state.tencent.catalog(), userid, from, to)
    }

    /// What `/v1/corp/meetings` lists for `meeting_state` (1 ended, 2 live, 3 upcoming) and
    /// a start within `[from, to]` (Unix seconds, inclusive), over all pages.
    pub fn tencent_corp_meetings(
        &self,
        state: i64,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Vec<Value> {
        crate::tencent::corp::rows(&self.state.tencent.catalog(), state, from, to)
    }

    /// The rows of the json file a participants export (`POST
    /// /v1/meetings/export-participants-list` with `file_type` json) created now would hold:
    /// one per person (userid, else ms_open_id) in order of first join, over the participant
    /// rows with `start ≤ join_time ≤ end` (`window` `None`: every row; ignored for recurring
    /// meetings, which need `sub_meeting_id`); open sessions last until the sandbox clock's now.
    /// Unknown meeting or sub-meeting, and meetings that have not started: nothing.
    pub fn tencent_export_rows(
        &self,
        meeting_id: &str,
        sub_meeting_id: Option<&str>,
        window: Option<(i64, i64)>,
    ) -> Vec<Value> {
        let st = &self.state.tencent;
        let Some(m) = st.store.get(meeting_id) else {
            return Vec::new();
        };
        let Ok(list) = realtime::list_of(m, sub_meeting_id) else {
            return Vec::new();
        };
        export::rows(st, m, list, window, st.shared.clock.unix())
    }

    /// The sign-in rounds (`SignInInfo` objects) `/v1/meetings/sign-in/list` pages through,
    /// ascending `start_time`.
    pub fn tencent_sign_in_rounds(&self, meeting_id: &str) -> Vec<Value> {
        let st = &self.state.tencent;
        let Some(m) = st.store.get(meeting_id) else {
            return Vec::new();
        };
        st.store
            .rendered(m, 0)
            .sign_ins
            .iter()
            .map(signin::round_info)
            .collect()
    }

    /// The records (`events`) of one sign-in round that `/v1/meetings/sign-in` pages through,
    /// as served (`user_name` plain, or Base64 with `signin_user_name_base64`). Unknown meeting
    /// or round: nothing.
    pub fn tencent_sign_ins(&self, meeting_id: &str, sign_in_id: &str) -> Vec<Value> {
        let st = &self.state.tencent;
        let Some(m) = st.store.get(meeting_id) else {
            return Vec::new();
        };
        let r = st.store.rendered(m, 0);
        r.sign_ins
            .iter()
            .find(|round| round.id == sign_in_id)
            .map(|round| signin::events(st, round))
            .unwrap_or_default()
    }

    /// The rows `/v1/meetings/{id}/real-time-participants` pages through at the sandbox clock's
    /// now: the participant sessions open then, reshaped. `sub_meeting_id` is required for
    /// recurring meetings (else nothing); a meeting not in progress has none.
    pub fn tencent_realtime_participants(
        &self,
        meeting_id: &str,
        sub_meeting_id: Option<&str>,
    ) -> Vec<Value> {
        let st = &self.state.tencent;
        let Some(m) = st.store.get(meeting_id) else {
            return Vec::new();
        };
        let Ok(list) = realtime::list_of(m, sub_meeting_id) else {
            return Vec::new();
        };
        realtime::rows(st, m, list, 0, st.shared.clock.unix())
    }

    /// The waiting-room log `/v1/meeting/{id}/waiting-room` pages through, ascending
    /// `join_time`.
    pub fn tencent_waiting_room(&self, meeting_id: &str) -> Vec<Value> {
        let st = &self.state.tencent;
        let Some(m) = st.store.get(meeting_id) else {
            return Vec::new();
        };
        parse_rows(st.store.rendered(m, 0).waiting_room.iter())
    }
}
