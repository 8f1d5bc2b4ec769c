//! Conversions from wire types into the unified model. Every vendor field without a model field
//! goes to `extra` under its wire name, so nothing the vendor sent is lost.

use roster_core::wire::{non_empty, parse_utc8_text};
use roster_core::{
    Answer, Attendee, Device, EXTRA_NAME_UNDECODABLE, JoinType, Registration, RegistrationSource,
    RegistrationStatus, Role, SignIn, Vendor, WaitingRoomEntry, WebinarRole,
};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::decode::DecodedText;
use crate::wire::{Enroll, Participant, SignInEvent, UserRef, WaitingRoomParticipant};

fn put_str(extra: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value {
        extra.insert(key.to_string(), Value::String(v));
    }
}

fn put_bool(extra: &mut Map<String, Value>, key: &str, value: Option<bool>) {
    if let Some(v) = value {
        extra.insert(key.to_string(), Value::Bool(v));
    }
}

/// One participant row as an [`Attendee`] of `meeting_id` (and `sub_meeting_id` for an
/// occurrence of a recurring meeting).
///
/// The name is decoded from Base64; if that fails `display_name` is the raw value and
/// `extra[EXTRA_NAME_UNDECODABLE]` is `true`. The raw `user_name` is always kept in `extra`.
/// Empty ids become `None`; `phone` (a hash) goes to `phone_hash` as sent.
pub fn attendee_from_participant(
    p: Participant,
    meeting_id: &str,
    sub_meeting_id: Option<&str>,
) -> Attendee {
    let mut a = Attendee::new(Vendor::TencentMeeting, meeting_id);
    a.sub_meeting_id = sub_meeting_id.map(str::to_string);
    let name = p.display_name();
    let mut extra = p.extra;

    match name {
        Some(DecodedText::Text(name)) => a.display_name = Some(name).filter(|n| !n.is_empty()),
        Some(DecodedText::Undecodable(raw)) => {
            a.display_name = Some(raw);
            extra.insert(EXTRA_NAME_UNDECODABLE.to_string(), Value::Bool(true));
        }
        None => {}
    }
    put_str(&mut extra, "user_name", p.user_name);
    a.user_id = non_empty(p.userid);
    a.temp_id = non_empty(p.ms_open_id);
    a.open_id = non_empty(p.open_id);
    a.joined_at = p.join_time;
    a.left_at = p.left_time;
    a.device = p.instanceid.map(Device::from_code);
    a.role = p.user_role.map(Role::from_code);
    a.webinar_role = p.webinar_member_role.map(WebinarRole::from_code);
    a.join_type = p.join_type.map(JoinType::from_code);
    a.network = non_empty(p.net);
    a.audio = p.audio_state;
    a.video = p.video_state;
    a.screen_share = p.screen_shared_state;
    a.phone_hash = non_empty(p.phone);

    put_str(&mut extra, "uuid", non_empty(p.uuid));
    put_bool(&mut extra, "is_enterprise_user", p.is_enterprise_user);
    put_str(&mut extra, "ip", p.ip);
    put_str(&mut extra, "IP", p.ip_upper);
    put_str(&mut extra, "location", p.location);
    put_str(&mut extra, "link_type", p.link_type);
    put_str(&mut extra, "app_version", p.app_version);
    put_str(&mut extra, "customer_data", p.customer_data);
    a.extra = extra;
    a
}

/// One enrollment as a [`Registration`]. `enroll_time` (UTC+8 wall-clock text) is parsed into
/// `registered_at` and kept raw in `extra`; answers to special questions fill the contact
/// fields ([`Registration::apply_special_answers`]).
pub fn registration_from_enroll(e: Enroll, meeting_id: &str) -> Registration {
    let mut r = Registration::new(Vendor::TencentMeeting, meeting_id);
    let mut extra = e.extra;
    r.registration_id = non_empty(e.enroll_id);
    r.status = e.status.map(RegistrationStatus::from_code);
    r.user_id = non_empty(e.userid);
    r.temp_id = non_empty(e.ms_open_id);
    r.open_id = non_empty(e.open_id);
    r.display_name = non_empty(e.nick_name);
    r.registered_at = e.enroll_time.as_deref().and_then(parse_utc8_text);
    put_str(&mut extra, "enroll_time", e.enroll_time);
    r.source = e.enroll_source_type.map(RegistrationSource::from_code);
    put_str(&mut extra, "enroll_code", non_empty(e.enroll_code));

    r.answers = e.answer_list.into_iter().map(Answer::from).collect();
    r.extra = extra;
    r.apply_special_answers();
    r
}

/// One invitee as a [`Registration`] (no status, no id of its own: the userid identifies it).
pub fn registration_from_invitee(u: UserRef, meeting_id: &str) -> Registration {
    let mut r = Registration::new(Vendor::TencentMeeting, meeting_id);
    r.user_id = non_empty(u.userid);
    r.display_name = non_empty(u.nick_name);
    r.extra = u.extra;
    r
}

/// One sign-in record as a [`SignIn`] of `meeting_id`'s round `sign_in_id`, which started at
/// `round_started_at` with the host's `round_description` (docs/specs/tencent-meeting.md
/// §12.5).
///
/// The name is plain text or Base64 ([`SignInEvent::display_name`]); the raw `user_name` and
/// every field without a place (the time field under its wire name among them) stay in
/// `extra`. `signed_in_at` is `None` when the record has no readable time.
pub fn sign_in_from_event(
    e: SignInEvent,
    meeting_id: &str,
    sign_in_id: &str,
    round_started_at: Option<OffsetDateTime>,
    round_description: Option<&str>,
) -> SignIn {
    let mut s = SignIn::new(Vendor::TencentMeeting, meeting_id, sign_in_id);
    s.round_started_at = round_started_at;
    s.round_description = round_description
        .map(str::to_string)
        .filter(|d| !d.is_empty());
    s.display_name = e.display_name().filter(|n| !n.is_empty());
    s.signed_in_at = e.signed_in_at();
    s.role = e.user_role.map(Role::from_code);
    let mut extra = e.extra;
    put_str(&mut extra, "user_name", e.user_name);
    s.user_id = non_empty(e.userid);
    s.temp_id = non_empty(e.ms_open_id);
    s.open_id = non_empty(e.open_id);
    s.extra = extra;
    s
}

/// One row of the waiting-room log as a [`WaitingRoomEntry`] (docs/specs/tencent-meeting.md
/// §12.7): the name decoded from Base64 like [`attendee_from_participant`]'s (raw and flagged
/// when undecodable), times from milliseconds, no `left_at` while still waiting.
pub fn waiting_room_entry_from(p: WaitingRoomParticipant, meeting_id: &str) -> WaitingRoomEntry {
    let mut w = WaitingRoomEntry::new(Vendor::TencentMeeting, meeting_id);
    let name = p.display_name();
    let mut extra = p.extra;
    match name {
        Some(DecodedText::Text(name)) => w.display_name = Some(name).filter(|n| !n.is_empty()),
        Some(DecodedText::Undecodable(raw)) => {
            w.display_name = Some(raw);
            extra.insert(EXTRA_NAME_UNDECODABLE.to_string(), Value::Bool(true));
        }
        None => {}
    }
    put_str(&mut extra, "user_name", p.user_name);
    w.user_id = non_empty(p.userid);
    w.temp_id = non_empty(p.ms_open_id);
    w.open_id = non_empty(p.open_id);
    w.device = p.instanceid.map(Device::from_code);
    w.entered_at = p.join_time;
    w.left_at = p.left_time;
    put_str(&mut extra, "app_version", non_empty(p.app_version));
    put_str(&mut extra, "customer_data", non_empty(p.customer_data));
    w.extra = extra;
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::QuestionType;
    use serde_json::json;
    use time::macros::datetime;

    fn participant(v: Value) -> Participant {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn participant_mapping_keeps_everything() {
        let p = participant(json!({
            "userid": "test1", "ms_open_id": "ms-1", "uuid": "u-1", "open_id": "",
            "user_name": "5byg5LiJ", "is_enterprise_user": true,
            "phone": "6B6537A68B7BB5E7DC051547CCB5AE394BDB02D660E393F695E9AB3DC038AC36",
            "join_time": "1572085800", "left_time": "", "instanceid": 99, "user_role": 3,
            "webinar_member_role": 9, "join_type": 1, "IP": "10.1.1.1", "location": "深圳",
            "link_type": "UDP", "net": "WIFI", "app_version": "3.0", "audio_state": true,
            "video_state": false, "screen_shared_state": false, "customer_data": "x",
            "brand_new": {"a": 1}
        }));
        let a = attendee_from_participant(p, "m1", Some("s1"));
        assert_eq!(a.vendor, Vendor::TencentMeeting);
        assert_eq!(a.meeting_id, "m1");
        assert_eq!(a.sub_meeting_id.as_deref(), Some("s1"));
        assert_eq!(a.display_name.as_deref(), Some("张三"));
        assert!(!a.name_undecodable());
        assert_eq!(a.user_id.as_deref(), Some("test1"));
        assert_eq!(a.temp_id.as_deref(), Some("ms-1"));
        assert_eq!(a.open_id, None);
        assert_eq!(a.joined_at, Some(datetime!(2019-10-26 10:30 UTC)));
        assert_eq!(a.left_at, None, "empty left_time is an open session");
        assert_eq!(a.device, Some(Device::Unknown(99)));
        assert_eq!(a.role, Some(Role::CreatorHost));
        assert_eq!(a.webinar_role, Some(WebinarRole::Unknown(9)));
        assert_eq!(a.join_type, Some(JoinType::Voip));
        assert_eq!(a.network.as_deref(), Some("WIFI"));
        assert_eq!(
            (a.audio, a.video, a.screen_share),
            (Some(true), Some(false), Some(false))
        );
        assert!(a.phone_hash.as_deref().unwrap().starts_with("6B6537"));
        for (k, v) in [
            ("uuid", json!("u-1")),
            ("is_enterprise_user", json!(true)),
            ("IP", json!("10.1.1.1")),
            ("location", json!("深圳")),
            ("link_type", json!("UDP")),
            ("app_version", json!("3.0")),
            ("customer_data", json!("x")),
            ("brand_new", json!({"a": 1})),
            ("user_name", json!("5byg5LiJ")),
        ] {
            assert_eq!(a.extra.get(k), Some(&v), "{k}");
        }
    }

    #[test]
    fn undecodable_names_are_raw_and_flagged() {
        for raw in ["dGvzdDI=", "not base64!*"] {
            let a = attendee_from_participant(participant(json!({"user_name": raw})), "m", None);
            assert_eq!(a.display_name.as_deref(), Some(raw));
            assert!(a.name_undecodable());
        }
        let a = attendee_from_participant(participant(json!({"user_name": "dBVzdDE="})), "m", None);
        assert_eq!(a.display_name.as_deref(), Some("t\u{15}st1"));
        assert!(!a.name_undecodable());
        let a = attendee_from_participant(participant(json!({"user_name": ""})), "m", None);
        assert_eq!(a.display_name, None);
    }

    #[test]
    fn enrollment_mapping_with_special_answers() {
        let e: Enroll = serde_json::from_value(json!({
            "enroll_id": 42, "enroll_time": "2023-03-23 10:00:00", "enroll_source_type": 2,
            "nick_name": "13500000000", "status": 3, "userid": "", "open_id": "", "ms_open_id": "ms-9",
            "enroll_code": "8888",
            "answer_list": [
                {"answer_content": ["13500000000"], "is_required": 2, "question_num": 1,
                 "question_title": "手机号", "question_type": 3, "special_type": 2},
                {"answer_content": ["王五"], "is_required": 1, "question_num": 2,
                 "question_title": "姓名", "question_type": 3, "special_type": 4},
                {"answer_content": ["a@b.c"], "question_num": 3, "special_type": 3, "hint": "x"},
                {"answer_content": ["ACME"], "question_num": 4, "special_type": 5},
                {"answer_content": ["A", "B"], "question_num": 5, "question_type": 2, "special_type": 1}
            ],
            "future": 1
        }))
        .unwrap();
        let r = registration_from_enroll(e, "m1");
        assert_eq!(r.registration_id.as_deref(), Some("42"));
        assert_eq!(r.status, Some(RegistrationStatus::Approved));
        assert_eq!(r.source, Some(RegistrationSource::Import));
        assert_eq!(r.user_id, None);
        assert_eq!(r.temp_id.as_deref(), Some("ms-9"));
        assert_eq!(r.registered_at, Some(datetime!(2023-03-23 10:00:00 +8)));
        assert_eq!(r.extra["enroll_time"], json!("2023-03-23 10:00:00"));
        assert_eq!(r.extra["enroll_code"], json!("8888"));
        assert_eq!(r.extra["future"], json!(1));
        assert_eq!(r.phone.as_deref(), Some("13500000000"));
        // The nickname was the phone number (phone import): the typed name wins.
        assert_eq!(r.display_name.as_deref(), Some("王五"));
        assert_eq!(r.email.as_deref(), Some("a@b.c"));
        assert_eq!(r.company.as_deref(), Some("ACME"));
        assert_eq!(r.answers.len(), 5);
        assert_eq!(r.answers[0].required, Some(true));
        assert_eq!(r.answers[1].required, Some(false));
        assert_eq!(
            r.answers[4].question_type,
            Some(QuestionType::MultipleChoice)
        );
        assert_eq!(r.answers[4].values, vec!["A", "B"]);
        let third = r
            .answers
            .iter()
            .find(|a| a.question_num == Some(3))
            .unwrap();
        assert_eq!(
            third.extra.get("hint"),
            Some(&json!("x")),
            "unknown answer fields kept"
        );
        assert!(!r.extra.contains_key("answer_list_extra"));
    }

    #[test]
    fn unparseable_enroll_time_is_kept_raw() {
        let e: Enroll =
            serde_json::from_value(json!({"enroll_time": "yesterday", "status": 7})).unwrap();
        let r = registration_from_enroll(e, "m");
        assert_eq!(r.registered_at, None);
        assert_eq!(r.extra["enroll_time"], json!("yesterday"));
        assert_eq!(r.status, Some(RegistrationStatus::Unknown("7".into())));
    }

    #[test]
    fn sign_in_mapping() {
        let e: SignInEvent = serde_json::from_value(json!({
            "ms_open_id": "ms-1", "userid": "zhangsan", "open_id": "", "user_name": "5byg5LiJ",
            "user_role": "3", "sign_in_time": 1572089460, "device": "pc"
        }))
        .unwrap();
        let s = sign_in_from_event(
            e,
            "m1",
            "S1",
            Some(datetime!(2019-10-26 11:30 UTC)),
            Some("上课签到"),
        );
        assert_eq!(
            (s.vendor, s.meeting_id.as_str(), s.sign_in_id.as_str()),
            (Vendor::TencentMeeting, "m1", "S1")
        );
        assert_eq!(s.round_started_at, Some(datetime!(2019-10-26 11:30 UTC)));
        assert_eq!(s.round_description.as_deref(), Some("上课签到"));
        assert_eq!(s.display_name.as_deref(), Some("张三"));
        assert_eq!(s.user_id.as_deref(), Some("zhangsan"));
        assert_eq!(s.temp_id.as_deref(), Some("ms-1"));
        assert_eq!(s.open_id, None);
        assert_eq!(s.role, Some(Role::CreatorHost));
        assert_eq!(s.signed_in_at, Some(datetime!(2019-10-26 11:31 UTC)));
        assert_eq!(s.extra["user_name"], json!("5byg5LiJ"));
        assert_eq!(
            s.extra["sign_in_time"],
            json!(1572089460),
            "the raw time is kept"
        );
        assert_eq!(s.extra["device"], json!("pc"));

        // A guest: no userid, a plain name, no time.
        let e: SignInEvent =
            serde_json::from_value(json!({"ms_open_id": "ms-9", "user_name": "Guest 访客"}))
                .unwrap();
        let s = sign_in_from_event(e, "m1", "S1", None, Some(""));
        assert_eq!(s.user_id, None);
        assert_eq!(s.display_name.as_deref(), Some("Guest 访客"));
        assert_eq!(s.signed_in_at, None, "signed in, time unknown");
        assert_eq!(s.round_description, None);
    }

    #[test]
    fn waiting_room_mapping() {
        let p: WaitingRoomParticipant = serde_json::from_value(json!({
            "user_name": "5byg5LiJ", "userid": "u1", "ms_open_id": "ms-1", "open_id": "",
            "instanceid": "2", "join_time": 1572085800000i64, "left_time": 1572085860000i64,
            "app_version": "3.1", "customer_data": "vip", "z": [1]
        }))
        .unwrap();
        let w = waiting_room_entry_from(p, "m1");
        assert_eq!(w.vendor, Vendor::TencentMeeting);
        assert_eq!(w.display_name.as_deref(), Some("张三"));
        assert_eq!(
            (
                w.user_id.as_deref(),
                w.temp_id.as_deref(),
                w.open_id.as_deref()
            ),
            (Some("u1"), Some("ms-1"), None)
        );
        assert_eq!(w.device, Some(Device::from_code(2)));
        assert_eq!(w.entered_at, Some(datetime!(2019-10-26 10:30 UTC)));
        assert_eq!(w.left_at, Some(datetime!(2019-10-26 10:31 UTC)));
        for (k, v) in [
            ("user_name", json!("5byg5LiJ")),
            ("app_version", json!("3.1")),
            ("customer_data", json!("vip")),
            ("z", json!([1])),
        ] {
            assert_eq!(w.extra.get(k), Some(&v), "{k}");
        }
        let p: WaitingRoomParticipant = serde_json::from_value(
            json!({"user_name": "dGvzdDI=", "instanceid": 99, "join_time": 1572085800000i64, "left_time": 0}),
        )
        .unwrap();
        let w = waiting_room_entry_from(p, "m1");
        assert_eq!(w.display_name.as_deref(), Some("dGvzdDI="));
        assert_eq!(w.extra.get(EXTRA_NAME_UNDECODABLE), Some(&json!(true)));
        assert_eq!(w.device, Some(Device::Unknown(99)));
        assert_eq!(w.left_at, None, "still waiting");
    }

    #[test]
    fn invitee_mapping() {
        let u: UserRef =
            serde_json::from_value(json!({"userid": "inv0001", "nick_name": "李四", "k": 2}))
                .unwrap();
        let r = registration_from_invitee(u, "m");
        assert_eq!(r.user_id.as_deref(), Some("inv0001"));
        assert_eq!(r.display_name.as_deref(), Some("李四"));
        assert_eq!(r.status, None);
        assert_eq!(r.extra["k"], json!(2));
    }
}
