//! `POST /cgi-bin/meeting/get_info` (docs/specs/wecom.md §4.4, §9 items 9–10).
//!
//! Checks: field types → advanced parameters without the advanced tier (`meeting_code`,
//! `sub_meetingid`: `730007`) → `meetingid` or `meeting_code` (`40058`; `meetingid` wins) →
//! meeting (`90602` by id, `730004` by code, then `730008`, `730005`) → sub-meeting (`730003`).

use serde_json::{Map, Value, json};

use super::error::WcError;
use super::store::Meeting;
use super::{Call, State};
use crate::data::render::merge_overrides;
use crate::data::{MeetingKind, MeetingState};

fn status_code(s: MeetingState) -> i64 {
    match s {
        MeetingState::NotStarted => 1,
        MeetingState::InProgress => 2,
        MeetingState::Ended => 3,
        MeetingState::Cancelled => 4,
    }
}

/// The `get_info` answer (without `errcode`/`errmsg`) for `m`, or for its sub-meeting `sub`.
pub(crate) fn info_body(st: &State, m: &Meeting, sub: Option<usize>) -> Value {
    let rendered = st.store.rendered(m);
    let meeting = &m.plan.meeting;
    let recurring = m.is_recurring();
    let mut o = Map::new();
    o.insert("admin_userid".into(), m.creator.clone().into());
    o.insert("title".into(), meeting.subject.clone().into());
    let (start, end, state) = match sub.and_then(|i| m.subs.get(i)) {
        Some(s) => (s.start, s.end, s.state),
        None => (meeting.start, meeting.end, m.current_state()),
    };
    o.insert("meeting_start".into(), start.into());
    o.insert("meeting_duration".into(), (end - start).max(0).into());
    o.insert("description".into(), "".into());
    o.insert("location".into(), "".into());
    o.insert("main_department".into(), 1.into());
    o.insert("status".into(), status_code(state).into());
    o.insert(
        "meeting_type".into(),
        match meeting.kind {
            MeetingKind::OneOff => 0,
            MeetingKind::Recurring => 1,
            MeetingKind::Webinar => 6,
        }
        .into(),
    );
    let summary = match sub {
        Some(i) => rendered.summary_by_sub.get(i).cloned(),
        None => None,
    }
    .unwrap_or_else(|| rendered.summary_all.clone());
    o.insert("attendees".into(), summary);
    o.insert(
        "settings".into(),
        json!({
            "remind_scope": 1,
            "need_password": false,
            // On where the seed has waiting-room records (waitingroom/get_user_list).
            "enable_waiting_room": m.has_waiting_room(),
            "allow_enter_before_host": true,
            "enable_enter_mute": 1,
            "allow_external_user": true,
            "enable_screen_watermark": false,
            "enable_enroll": meeting.enrollment,
        }),
    );
    o.insert("cal_id".into(), "".into());
    o.insert(
        "reminders".into(),
        if recurring {
            json!({
                "is_repeat": 1, "repeat_type": 1, "repeat_until": meeting.end,
                "repeat_interval": 1, "remind_before": [900],
            })
        } else {
            json!({"is_repeat": 0, "remind_before": [900]})
        },
    );
    o.insert("meeting_code".into(), m.code.clone().into());
    o.insert(
        "meeting_link".into(),
        format!("https://meeting.tencent.com/dm/{}", m.code).into(),
    );
    o.insert("has_vote".into(), false.into());
    o.insert(
        "agentid".into(),
        st.config.apps.get(m.app).map_or(0, |a| a.agent_id).into(),
    );
    if recurring {
        let current = m.current_sub().map(|i| m.subs[i].id.clone());
        o.insert(
            "current_sub_meetingid".into(),
            current.unwrap_or_default().into(),
        );
        let subs: Vec<Value> = m
            .subs
            .iter()
            .map(|s| {
                json!({
                    "sub_meetingid": s.id,
                    "status": i64::from(s.deleted),
                    "start_time": s.start,
                    "end_time": s.end,
                    "title": meeting.subject,
                    "repeat_id": "",
                })
            })
            .collect();
        o.insert("sub_meetings".into(), subs.into());
        o.insert("has_more_sub_meeting".into(), 0.into());
        o.insert("remain_sub_meetings".into(), m.remaining_subs().into());
    }
    merge_overrides(&mut o, &meeting.overrides, "wecom");
    Value::Object(o)
}

pub(crate) fn serve(st: &State, call: &Call) -> Result<String, WcError> {
    let b = &call.body;
    let id = b.non_empty("meetingid")?;
    let code = b.non_empty("meeting_code")?;
    let sub = b.non_empty("sub_meetingid")?;
    if !st.config.advanced_tier && (code.is_some() || sub.is_some()) {
        return Err(WcError::code(730007));
    }
    let m = if let Some(id) = id {
        st.meeting(call.app, id)?
    } else if let Some(code) = code {
        let m = st
            .store
            .by_code(code)
            .ok_or_else(|| WcError::code(730004))?;
        st.check_access(call.app, m)?;
        m
    } else {
        return Err(WcError::invalid("meetingid or meeting_code is required"));
    };
    let sub = match sub {
        None => None,
        Some(s) if m.is_recurring() => Some(m.sub_index(s).ok_or_else(|| WcError::code(730003))?),
        Some(_) => return Err(WcError::code(730003)),
    };
    let s = info_body(st, m, sub).to_string();
    Ok(s[1..s.len() - 1].to_owned())
}
