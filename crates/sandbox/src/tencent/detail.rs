//! `GET /v1/meetings/{meeting_id}` (docs/specs/tencent-meeting.md §4.2, §9 item 4).

use axum::http::request::Parts;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::error::TcError;
use super::participants::string_to_number;
use super::store::Meeting;
use super::{Operator, State, int_param, json_ok, meeting_id, operator_id_first};
use crate::data::render::merge_overrides;
use crate::data::{MeetingKind, MeetingState};
use crate::endpoint::ActiveQuirks;
use crate::faults::Quirk;
use crate::query::QueryParams;

/// The `MEETING_STATE_*` name of a state (docs/specs/tencent-meeting.md §5.5).
pub(crate) fn status_text(s: MeetingState) -> &'static str {
    match s {
        MeetingState::NotStarted => "MEETING_STATE_INIT",
        MeetingState::InProgress => "MEETING_STATE_STARTED",
        MeetingState::Ended => "MEETING_STATE_ENDED",
        MeetingState::Cancelled => "MEETING_STATE_CANCELLED",
    }
}

/// The `MeetingInfo` object as served to `op` (the password only for the creator).
pub(crate) fn meeting_info(st: &State, m: &Meeting, app: usize, creator_view: bool) -> Value {
    let rendered = st.store.rendered(m, app);
    let meeting = &m.plan.meeting;
    let mut o = Map::new();
    o.insert("subject".into(), meeting.subject.clone().into());
    o.insert("meeting_id".into(), m.id.clone().into());
    o.insert("meeting_code".into(), m.code.clone().into());
    o.insert("status".into(), status_text(m.current_state()).into());
    o.insert("type".into(), 0.into());
    // 6 for webinars, as the meeting lists send it (§12.1: the enroll path follows the type).
    let meeting_type = match meeting.kind {
        MeetingKind::OneOff => 0,
        MeetingKind::Recurring => 1,
        MeetingKind::Webinar => 6,
    };
    o.insert("meeting_type".into(), meeting_type.into());
    o.insert("start_time".into(), meeting.start.to_string().into());
    o.insert("end_time".into(), meeting.end.to_string().into());
    o.insert(
        "join_url".into(),
        format!("https://meeting.tencent.com/dm/{}", m.code).into(),
    );
    o.insert("hosts".into(), json!([{ "userid": m.creator }]));
    o.insert("current_hosts".into(), json!([]));
    o.insert("current_co_hosts".into(), json!([]));
    let invited: Vec<Value> = rendered
        .invitee_userids
        .iter()
        .map(|u| json!({ "userid": u }))
        .collect();
    o.insert("participants".into(), invited.into());
    match (&m.password, creator_view) {
        (Some(p), true) => {
            o.insert("password".into(), p.clone().into());
        }
        (Some(_), false) => {
            o.insert("need_password".into(), true.into());
        }
        (None, _) => {}
    }
    o.insert("enable_enroll".into(), meeting.enrollment.into());
    o.insert(
        "settings".into(),
        json!({
            "mute_enable_join": true,
            "allow_unmute_self": true,
            "mute_all": false,
            "host_video": true,
            "participant_video": false,
            "enable_record": false,
            "play_ivr_on_leave": false,
            "play_ivr_on_join": false,
            "live_url": false
        }),
    );
    o.insert("location".into(), "".into());
    o.insert("time_zone".into(), "Asia/Shanghai".into());
    if m.is_recurring() {
        if let Some(i) = m.current_sub() {
            o.insert("current_sub_meeting_id".into(), m.subs[i].id.clone().into());
        }
        let subs: Vec<Value> = m
            .subs
            .iter()
            .map(|s| {
                json!({
                    "sub_meeting_id": s.id,
                    "status": i64::from(s.deleted),
                    // Numbers, as in the doc example.
                    "start_time": s.start,
                    "end_time": s.end,
                })
            })
            .collect();
        o.insert("sub_meetings".into(), subs.into());
        o.insert("has_more_sub_meeting".into(), 0.into());
        o.insert("remain_sub_meetings".into(), m.remaining_subs().into());
        o.insert(
            "recurring_rule".into(),
            json!({"recurring_type": 2, "until_type": 1, "until_count": m.subs.len()}),
        );
    }
    merge_overrides(&mut o, &meeting.overrides, "tencent");
    Value::Object(o)
}

/// The whole response body for `op`, or `None` when the meeting is hidden (ended one-off with the
/// `hide_ended_one_off` switch).
pub(crate) fn detail_body(st: &State, m: &Meeting, app: usize, op: &Operator) -> Value {
    let hidden =
        st.config.hide_ended_one_off && !m.is_recurring() && matches!(m.state, MeetingState::Ended);
    if hidden {
        return json!({"meeting_number": 0, "meeting_info_list": []});
    }
    let info = meeting_info(st, m, app, State::is_creator(m, op));
    json!({"meeting_number": 1, "meeting_info_list": [info]})
}

pub(crate) fn serve(
    st: &State,
    caller: &Caller,
    parts: &Parts,
    quirks: &ActiveQuirks,
) -> Result<Response, TcError> {
    let q = QueryParams::parse(parts.uri.query());
    let id = meeting_id(parts.uri.path());
    let instance = int_param(&q, "instanceid")?;
    let op = operator_id_first(&q)?;
    if instance.is_none() {
        return Err(TcError::invalid("instanceid is required"));
    }
    let m = st.store.get(&id).ok_or_else(TcError::meeting_not_found)?;
    if !st.is_creator_or_admin(m, &op) {
        return Err(TcError::forbidden());
    }
    let mut body = detail_body(st, m, caller.app, &op);
    if quirks.has(Quirk::FlipTypes) {
        flip(&mut body);
    }
    Ok(json_ok(body.to_string()))
}

/// Times as the other type: `start_time`/`end_time` strings become numbers, sub-meeting times
/// become strings.
fn flip(body: &mut Value) {
    let Some(list) = body
        .get_mut("meeting_info_list")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for info in list.iter_mut().filter_map(Value::as_object_mut) {
        for k in ["start_time", "end_time"] {
            if let Some(x) = info.get_mut(k) {
                string_to_number(x);
            }
        }
        if let Some(Value::Array(subs)) = info.get_mut("sub_meetings") {
            for s in subs.iter_mut().filter_map(Value::as_object_mut) {
                for k in ["start_time", "end_time"] {
                    if let Some(x) = s.get_mut(k)
                        && let Some(n) = x.as_i64()
                    {
                        *x = Value::from(n.to_string());
                    }
                }
            }
        }
    }
}
