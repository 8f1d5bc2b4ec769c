//! From wire types into the unified model.
//!
//! Mapped fields go to their model field; everything else the vendor sent stays in `extra`
//! under its wire name (unknown fields, `customer_data`, `enroll_code`, the raw `enroll_time`,
//! and time values that could not be read).

use roster_core::wire::{non_empty, parse_utc8_text};
use roster_core::{
    Answer, Attendee, Device, JoinType, Registration, RegistrationSource, RegistrationStatus, Role,
    Vendor, WaitingRoomEntry, WebinarRole,
};
use serde_json::Value;

use crate::wire::{WireAttendee, WireEnroll, WireInvitee, WireWaitingRoomUser};

/// One join session in the unified model. `sub_meeting_id` is the occurrence that was queried.
pub fn attendee(wire: WireAttendee, meeting_id: &str, sub_meeting_id: Option<&str>) -> Attendee {
    let joined_at = wire.joined_at();
    let left_at = wire.left_at();
    let mut a = Attendee::new(Vendor::WeCom, meeting_id);
    a.sub_meeting_id = sub_meeting_id.map(str::to_string);
    a.user_id = non_empty(wire.userid);
    a.temp_id = non_empty(wire.tmp_openid);
    a.joined_at = joined_at;
    a.left_at = left_at;
    a.device = wire.instance_id.map(Device::from_code);
    a.role = wire.role.map(Role::from_code);
    a.webinar_role = wire.webinar_role.map(WebinarRole::from_code);
    a.join_type = wire.join_type.map(JoinType::from_code);
    a.network = non_empty(wire.net);
    a.audio = wire.audio_state;
    a.video = wire.video_state;
    a.screen_share = wire.screen_shared_state;
    a.extra = wire.extra;
    if let Some(data) = wire.customer_data {
        a.extra.insert("customer_data".into(), Value::String(data));
    }
    // Keep a time we could not read (never the "still in the meeting" placeholders).
    keep_unread_time(
        &mut a.extra,
        "join_time",
        wire.join_time,
        joined_at.is_some(),
    );
    keep_unread_time(&mut a.extra, "quit_time", wire.quit_time, left_at.is_some());
    a
}

/// One person in the meeting now, from `get_realtime_attendee_list` (docs/specs/wecom.md
/// §12.3): [`attendee`] with `left_at` none (the list holds only people still in the
/// meeting; a `quit_time` the server might add anyway is kept raw in `extra`, not read).
/// `page_status` is the page's undocumented top-level `status`, copied into `extra["status"]`
/// unless the row has a `status` of its own.
pub fn live_attendee(
    mut wire: WireAttendee,
    meeting_id: &str,
    sub_meeting_id: Option<&str>,
    page_status: Option<&Value>,
) -> Attendee {
    let quit_time = wire.quit_time.take();
    let mut a = attendee(wire, meeting_id, sub_meeting_id);
    keep_unread_time(&mut a.extra, "quit_time", quit_time, false);
    if let Some(status) = page_status {
        a.extra.entry("status").or_insert_with(|| status.clone());
    }
    a
}

/// One waiting-room stay (docs/specs/wecom.md §12.4): times from Unix milliseconds (precision
/// kept), `left_at` none while still waiting; a time that cannot be read is kept raw in
/// `extra` under its wire name.
pub fn waiting_room_entry(wire: WireWaitingRoomUser, meeting_id: &str) -> WaitingRoomEntry {
    let entered_at = wire.entered_at();
    let left_at = wire.left_at();
    let mut e = WaitingRoomEntry::new(Vendor::WeCom, meeting_id);
    e.user_id = non_empty(wire.userid);
    e.temp_id = non_empty(wire.tmp_openid);
    e.device = wire.instance_id.map(Device::from_code);
    e.entered_at = entered_at;
    e.left_at = left_at;
    e.extra = wire.extra;
    keep_unread_time(
        &mut e.extra,
        "join_time",
        wire.join_time,
        entered_at.is_some(),
    );
    keep_unread_time(&mut e.extra, "quit_time", wire.quit_time, left_at.is_some());
    e
}

/// One invitee as a [`Registration`] (docs/specs/wecom.md §12.5): the user id only, no status
/// and no id of its own, as Tencent Meeting's invitee registrations.
pub fn registration_from_invitee(wire: WireInvitee, meeting_id: &str) -> Registration {
    let mut r = Registration::new(Vendor::WeCom, meeting_id);
    r.user_id = non_empty(wire.userid);
    r.extra = wire.extra;
    r
}

fn keep_unread_time(
    extra: &mut serde_json::Map<String, Value>,
    key: &str,
    raw: Option<Value>,
    read: bool,
) {
    let Some(raw) = raw else { return };
    if read || is_open_placeholder(&raw) {
        return;
    }
    extra.insert(key.to_string(), raw);
}

fn is_open_placeholder(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => matches!(s.trim(), "" | "0"),
        Value::Number(n) => n.as_i64() == Some(0),
        _ => false,
    }
}

/// One enrollment in the unified model, with special answers copied into the contact fields.
pub fn registration(wire: WireEnroll, meeting_id: &str) -> Registration {
    let mut r = Registration::new(Vendor::WeCom, meeting_id);
    r.registration_id = non_empty(wire.enroll_id);
    r.status = wire.status.map(RegistrationStatus::from_code);
    r.user_id = non_empty(wire.userid);
    r.temp_id = non_empty(wire.tmp_openid);
    r.display_name = non_empty(wire.nick_name);
    r.source = wire.enroll_source_type.map(RegistrationSource::from_code);
    r.answers = wire.answer_list.into_iter().map(Answer::from).collect();
    r.extra = wire.extra;
    if let Some(text) = wire.enroll_time {
        // UTC+8 wall-clock text, not a timestamp: parsed, and kept raw under its wire name.
        r.registered_at = parse_utc8_text(&text);
        r.extra.insert("enroll_time".into(), Value::String(text));
    }
    if let Some(code) = wire.enroll_code {
        r.extra.insert("enroll_code".into(), Value::String(code));
    }
    r.apply_special_answers();
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::{QuestionType, SpecialType};
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn attendee_fields_and_extra() {
        let w: WireAttendee = serde_json::from_value(json!({
            "tmp_openid": "lisi", "userid": "", "join_time": "1700000000", "quit_time": "",
            "instance_id": 99, "role": 6, "webinar_role": 4, "join_type": 1, "net": "WIFI",
            "audio_state": true, "video_state": false, "screen_shared_state": true,
            "customer_data": "data", "new_field": {"x": 1}
        }))
        .unwrap();
        let a = attendee(w, "m1", Some("sub1"));
        assert_eq!(a.vendor, Vendor::WeCom);
        assert_eq!(a.meeting_id, "m1");
        assert_eq!(a.sub_meeting_id.as_deref(), Some("sub1"));
        assert_eq!(a.user_id, None, "non-members have an empty userid");
        assert_eq!(a.temp_id.as_deref(), Some("lisi"));
        assert_eq!(a.joined_at, Some(datetime!(2023-11-14 22:13:20 UTC)));
        assert_eq!(a.left_at, None);
        assert_eq!(a.device, Some(Device::Unknown(99)));
        assert_eq!(a.role, Some(Role::CoHost));
        assert_eq!(a.webinar_role, Some(WebinarRole::Audience));
        assert_eq!(a.join_type, Some(JoinType::Voip));
        assert_eq!(a.network.as_deref(), Some("WIFI"));
        assert_eq!(
            (a.audio, a.video, a.screen_share),
            (Some(true), Some(false), Some(true))
        );
        assert_eq!(a.extra["customer_data"], "data");
        assert_eq!(a.extra["new_field"], json!({"x": 1}));
        assert!(
            !a.extra.contains_key("quit_time"),
            "an open session is not junk"
        );
    }

    #[test]
    fn unreadable_times_are_kept_raw() {
        let w: WireAttendee =
            serde_json::from_value(json!({"join_time": "yesterday", "quit_time": 0})).unwrap();
        let a = attendee(w, "m1", None);
        assert_eq!(a.joined_at, None);
        assert_eq!(a.extra["join_time"], "yesterday");
        assert!(!a.extra.contains_key("quit_time"));
    }

    #[test]
    fn registration_with_every_question_type() {
        let w: WireEnroll = serde_json::from_value(json!({
            "enroll_id": "me1", "enroll_time": "2023/03/23 14:00", "enroll_source_type": 2,
            "nick_name": "13800138000", "status": 3, "userid": "", "enroll_code": "8888",
            "answer_list": [
                {"answer_content": ["A"], "is_required": 2, "question_num": 1,
                 "question_title": "单选", "question_type": 1, "special_type": 1},
                {"answer_content": ["A", "C"], "is_required": 1, "question_num": 2,
                 "question_title": "多选", "question_type": 2, "special_type": 1},
                {"answer_content": ["自由文本"], "question_num": 3, "question_type": 3, "special_type": 1},
                {"answer_content": ["13800138000"], "question_type": 3, "special_type": 2},
                {"answer_content": ["li@example.com"], "question_type": 3, "special_type": 3},
                {"answer_content": ["李四"], "question_type": 3, "special_type": 4},
                {"answer_content": ["腾讯"], "question_type": 3, "special_type": 5},
                {"answer_content": ["?"], "question_type": 9, "special_type": 7, "option_id": "o7"}
            ]
        }))
        .unwrap();
        let r = registration(w, "m1");
        assert_eq!(r.registration_id.as_deref(), Some("me1"));
        assert_eq!(r.status, Some(RegistrationStatus::Approved));
        assert_eq!(r.source, Some(RegistrationSource::Import));
        assert_eq!(r.registered_at, Some(datetime!(2023-03-23 14:00 +8)));
        assert_eq!(r.extra["enroll_time"], "2023/03/23 14:00");
        assert_eq!(r.extra["enroll_code"], "8888");
        assert_eq!(r.user_id, None);
        assert_eq!(r.answers.len(), 8);
        assert_eq!(r.answers[0].question_type, Some(QuestionType::SingleChoice));
        assert_eq!(r.answers[0].required, Some(true));
        assert_eq!(
            r.answers[1].question_type,
            Some(QuestionType::MultipleChoice)
        );
        assert_eq!(r.answers[1].values, vec!["A", "C"]);
        assert_eq!(r.answers[1].required, Some(false));
        assert_eq!(r.answers[2].question_type, Some(QuestionType::ShortAnswer));
        assert_eq!(r.answers[2].required, None);
        assert_eq!(r.answers[7].question_type, Some(QuestionType::Unknown(9)));
        assert_eq!(r.answers[7].special_type, Some(SpecialType::Unknown(7)));
        assert_eq!(
            r.answers[7].extra.get("option_id"),
            Some(&json!("o7")),
            "fields the model has no place for are kept on the answer"
        );
        // Special answers land in the contact fields; the phone-number nickname gives way to
        // the typed name.
        assert_eq!(r.phone.as_deref(), Some("13800138000"));
        assert_eq!(r.email.as_deref(), Some("li@example.com"));
        assert_eq!(r.company.as_deref(), Some("腾讯"));
        assert_eq!(r.display_name.as_deref(), Some("李四"));
    }

    #[test]
    fn live_attendees_are_in_the_meeting() {
        // The doc example's row, with the page's undocumented `status`.
        let w: WireAttendee = serde_json::from_value(json!({
            "userid": "zhangsan", "tmp_openid": "x1", "join_time": "1700000000",
            "instance_id": 1, "role": 4, "join_type": 1, "audio_state": true,
            "video_state": false, "screen_shared_state": false
        }))
        .unwrap();
        let a = live_attendee(w, "m1", Some("s1"), Some(&json!("1")));
        assert_eq!(a.user_id.as_deref(), Some("zhangsan"));
        assert_eq!(a.temp_id.as_deref(), Some("x1"));
        assert_eq!(a.sub_meeting_id.as_deref(), Some("s1"));
        assert_eq!(a.joined_at, Some(datetime!(2023-11-14 22:13:20 UTC)));
        assert_eq!(a.left_at, None);
        assert_eq!(a.device, Some(Device::Pc));
        assert_eq!(a.role, Some(Role::Guest));
        assert_eq!(a.extra["status"], "1");
        // A leave time on a live row is not read (kept raw); a row's own status wins.
        let w: WireAttendee = serde_json::from_value(json!({
            "join_time": 1_700_000_000, "quit_time": "1700000100", "status": 9
        }))
        .unwrap();
        let a = live_attendee(w, "m1", None, Some(&json!("1")));
        assert_eq!(a.left_at, None);
        assert_eq!(a.extra["quit_time"], "1700000100");
        assert_eq!(a.extra["status"], 9);
        let w: WireAttendee = serde_json::from_value(json!({"quit_time": ""})).unwrap();
        let a = live_attendee(w, "m1", None, None);
        assert!(a.extra.is_empty(), "{:?}", a.extra);
    }

    #[test]
    fn waiting_room_times_are_milliseconds() {
        let w: WireWaitingRoomUser = serde_json::from_value(json!({
            "userid": "", "tmp_openid": "t1", "instance_id": 0,
            "join_time": 1_700_000_000_123_i64, "quit_time": "1700000060456", "seat": 3
        }))
        .unwrap();
        let e = waiting_room_entry(w, "m1");
        assert_eq!(e.vendor, Vendor::WeCom);
        assert_eq!(e.user_id, None, "non-members have an empty userid");
        assert_eq!(e.temp_id.as_deref(), Some("t1"));
        assert_eq!(e.device, Some(Device::Pstn));
        assert_eq!(e.entered_at, Some(datetime!(2023-11-14 22:13:20.123 UTC)));
        assert_eq!(e.left_at, Some(datetime!(2023-11-14 22:14:20.456 UTC)));
        assert_eq!(e.extra["seat"], 3);
        // Still waiting, whichever way the server says it.
        for open in [json!(0), json!(""), json!("0"), json!(null)] {
            let w: WireWaitingRoomUser =
                serde_json::from_value(json!({"join_time": 1000, "quit_time": open})).unwrap();
            let e = waiting_room_entry(w, "m1");
            assert_eq!(e.left_at, None);
            assert!(!e.extra.contains_key("quit_time"));
            // The doc example's small junk values are milliseconds too, never seconds.
            assert_eq!(e.entered_at, Some(datetime!(1970-01-01 0:00:01 UTC)));
        }
        let w: WireWaitingRoomUser = serde_json::from_value(json!({})).unwrap();
        assert_eq!(waiting_room_entry(w, "m1").left_at, None);
        let w: WireWaitingRoomUser =
            serde_json::from_value(json!({"join_time": "soon", "quit_time": [1]})).unwrap();
        let e = waiting_room_entry(w, "m1");
        assert_eq!((e.entered_at, e.left_at), (None, None));
        assert_eq!(e.extra["join_time"], "soon");
        assert_eq!(e.extra["quit_time"], json!([1]));
    }

    #[test]
    fn invitees_are_registrations_without_status() {
        let w: WireInvitee = serde_json::from_value(json!({"userid": "lisi", "dept": 7})).unwrap();
        let r = registration_from_invitee(w, "m1");
        assert_eq!(r.vendor, Vendor::WeCom);
        assert_eq!(r.meeting_id, "m1");
        assert_eq!(r.user_id.as_deref(), Some("lisi"));
        assert_eq!((r.status, r.registration_id), (None, None));
        assert_eq!(r.extra["dept"], 7);
        let w: WireInvitee = serde_json::from_value(json!({"userid": ""})).unwrap();
        assert_eq!(registration_from_invitee(w, "m1").user_id, None);
    }

    #[test]
    fn unparsable_enroll_time_is_kept_raw_only() {
        let w: WireEnroll =
            serde_json::from_value(json!({"enroll_time": "2023-03-23 10:00:00"})).unwrap();
        assert_eq!(
            registration(w, "m").registered_at,
            Some(datetime!(2023-03-23 10:00 +8))
        );
        let w: WireEnroll = serde_json::from_value(json!({"enroll_time": "soon"})).unwrap();
        let r = registration(w, "m");
        assert_eq!(r.registered_at, None);
        assert_eq!(r.extra["enroll_time"], "soon");
    }
}
