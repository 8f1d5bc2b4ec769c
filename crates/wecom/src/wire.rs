//! Wire types: the JSON WeCom sends and receives, decoded leniently.
//!
//! Every response field is optional (WeCom omits `errcode` on some successes and adds fields
//! often), numbers and strings are accepted for each other where the vendor mixes them, `null`
//! counts as an empty list, unknown enum values keep their integer, and unknown fields are kept
//! in `extra`. The unified model ([`roster_core::Attendee`], [`roster_core::Registration`]) is
//! built from these in [`crate::convert`].

use std::fmt;

use roster_core::SecretString;
use roster_core::wire::{
    null_as_default, opt_bool, opt_i64, opt_string, present_list, string_list, unix_seconds,
    value_as_i64, value_as_string, value_as_time,
};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// `errcode` and `errmsg`, present on every failure and on most successes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Envelope {
    /// Return code; absent or `0` means success.
    #[serde(default, deserialize_with = "opt_i64")]
    pub errcode: Option<i64>,
    /// Text for people; never read for decisions.
    #[serde(default, deserialize_with = "opt_string")]
    pub errmsg: Option<String>,
}

impl Envelope {
    /// The code if it signals a failure (present and non-zero).
    pub fn failure(&self) -> Option<i64> {
        self.errcode.filter(|c| *c != 0)
    }
}

/// An answer that carries WeCom's `errcode`/`errmsg` next to its data, so that one parse of a
/// body both classifies it and yields the data (errors come with HTTP 200).
///
/// The public response types keep the two fields in `extra` (where they always were); the
/// crate's own reply types have them as fields.
pub(crate) trait Reply {
    /// `errcode`, read leniently (a number or a numeric string); absent means success.
    fn errcode(&self) -> Option<i64>;
    /// `errmsg`, for people only.
    fn errmsg(&self) -> Option<String>;

    /// The code if it signals a failure (present and non-zero), as [`Envelope::failure`].
    fn failure(&self) -> Option<i64> {
        self.errcode().filter(|c| *c != 0)
    }
}

impl Reply for Envelope {
    fn errcode(&self) -> Option<i64> {
        self.errcode
    }
    fn errmsg(&self) -> Option<String> {
        self.errmsg.clone()
    }
}

/// [`Reply`] for a type whose `errcode`/`errmsg` land in its `extra` map.
macro_rules! reply_in_extra {
    ($($t:ty),* $(,)?) => {$(
        impl Reply for $t {
            fn errcode(&self) -> Option<i64> {
                self.extra.get("errcode").and_then(value_as_i64)
            }
            fn errmsg(&self) -> Option<String> {
                self.extra.get("errmsg").and_then(value_as_string)
            }
        }
    )*};
}

reply_in_extra!(
    AttendeeListResponse,
    EnrollListResponse,
    QueryByTmpOpenidResponse,
    MeetingInfo,
    UserMeetingIdResponse,
    UserListIdResponse,
    RealtimeAttendeeListResponse,
    WaitingRoomUserListResponse,
    InviteesResponse,
);

/// The answer of `gettoken` as the client reads it: [`GetTokenResponse`] with the envelope, in
/// one parse.
#[derive(Default, Deserialize)]
pub(crate) struct TokenReply {
    #[serde(default, deserialize_with = "opt_i64")]
    pub(crate) errcode: Option<i64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub(crate) errmsg: Option<String>,
    #[serde(default, deserialize_with = "opt_secret")]
    pub(crate) access_token: Option<SecretString>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub(crate) expires_in: Option<i64>,
}

impl Reply for TokenReply {
    fn errcode(&self) -> Option<i64> {
        self.errcode
    }
    fn errmsg(&self) -> Option<String> {
        self.errmsg.clone()
    }
}

/// Answer of `GET /cgi-bin/gettoken`. Its `Debug` never shows the token.
#[derive(Clone, Default, Deserialize)]
pub struct GetTokenResponse {
    /// The token (up to 512 bytes, opaque).
    #[serde(default, deserialize_with = "opt_secret")]
    pub access_token: Option<SecretString>,
    /// Lifetime in seconds (normally 7200).
    #[serde(default, deserialize_with = "opt_i64")]
    pub expires_in: Option<i64>,
}

impl fmt::Debug for GetTokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetTokenResponse")
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

fn opt_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    Ok(value_as_string(&Value::deserialize(d)?)
        .filter(|s| !s.is_empty())
        .map(SecretString::from))
}

/// Body of `POST /cgi-bin/meeting/get_attendee_list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendeeListBody {
    /// Meeting id.
    pub meetingid: String,
    /// Occurrence of a recurring meeting (required for those).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_meetingid: Option<String>,
    /// Join-time filter start, Unix seconds (inclusive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    /// Join-time filter end, Unix seconds (inclusive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    /// The previous page's `next_cursor`; absent on the first call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1–100, the same along a cursor chain.
    pub limit: u32,
}

/// Answer of `get_attendee_list`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct AttendeeListResponse {
    /// More pages follow. `false` ends the chain even when `next_cursor` is set. Every real
    /// page carries it: `None` means the answer is not a page (see `Page::from_wire`).
    #[serde(default, deserialize_with = "opt_bool")]
    pub has_more: Option<bool>,
    /// Cursor of the next page.
    #[serde(default, deserialize_with = "opt_string")]
    pub next_cursor: Option<String>,
    /// This page's join sessions (`None`: no array, or a field of another type). WeCom
    /// documents the array as possibly absent when there are none, so the list reads `None` as
    /// empty; `has_more` is what a page must carry.
    #[serde(default, deserialize_with = "present_list")]
    pub attendees: Option<Vec<WireAttendee>>,
    /// Everything else (including `errcode`/`errmsg`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One join session as `get_attendee_list` sends it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct WireAttendee {
    /// Corp member's user id; `""` for non-members.
    #[serde(default, deserialize_with = "opt_string")]
    pub userid: Option<String>,
    /// Per-meeting temporary id.
    #[serde(default, deserialize_with = "opt_string")]
    pub tmp_openid: Option<String>,
    /// Join time in Unix seconds, as a string (documented) or a number (seen elsewhere).
    #[serde(default)]
    pub join_time: Option<Value>,
    /// Leave time, like `join_time`; `""`, `"0"`, `0` or absent while still in the meeting.
    #[serde(default)]
    pub quit_time: Option<Value>,
    /// Device type code (docs/specs/wecom.md §5.1).
    #[serde(default, deserialize_with = "opt_i64")]
    pub instance_id: Option<i64>,
    /// Role code (§5.2).
    #[serde(default, deserialize_with = "opt_i64")]
    pub role: Option<i64>,
    /// Webinar role code (§5.3).
    #[serde(default, deserialize_with = "opt_i64")]
    pub webinar_role: Option<i64>,
    /// Join type code (§5.4).
    #[serde(default, deserialize_with = "opt_i64")]
    pub join_type: Option<i64>,
    /// Network type (only while in the meeting).
    #[serde(default, deserialize_with = "opt_string")]
    pub net: Option<String>,
    /// Microphone on.
    #[serde(default, deserialize_with = "opt_bool")]
    pub audio_state: Option<bool>,
    /// Camera on.
    #[serde(default, deserialize_with = "opt_bool")]
    pub video_state: Option<bool>,
    /// Sharing the screen.
    #[serde(default, deserialize_with = "opt_bool")]
    pub screen_shared_state: Option<bool>,
    /// Data of the personal join link used, if any.
    #[serde(default, deserialize_with = "opt_string")]
    pub customer_data: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl WireAttendee {
    /// The join time, from a string or a number of Unix seconds.
    pub fn joined_at(&self) -> Option<OffsetDateTime> {
        self.join_time.as_ref().and_then(value_as_time)
    }

    /// The leave time; `None` while the session is open.
    pub fn left_at(&self) -> Option<OffsetDateTime> {
        self.quit_time.as_ref().and_then(value_as_time)
    }
}

/// Body of `POST /cgi-bin/meeting/enroll/list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnrollListBody {
    /// Meeting id.
    pub meetingid: String,
    /// Status filter: 0 all, 1 pending, 2 rejected, 3 approved.
    pub status: i64,
    /// The previous page's `next_cursor`; absent on the first call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1–50, the same along a cursor chain.
    pub limit: u32,
}

/// Answer of `enroll/list`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct EnrollListResponse {
    /// More pages follow. `false` ends the chain even when `next_cursor` is set. Every real
    /// page carries it: `None` means the answer is not a page (see `Page::from_wire`).
    #[serde(default, deserialize_with = "opt_bool")]
    pub has_more: Option<bool>,
    /// Cursor of the next page.
    #[serde(default, deserialize_with = "opt_string")]
    pub next_cursor: Option<String>,
    /// This page's enrollments (`None`: no array, or a field of another type; read as empty,
    /// like `attendees`).
    #[serde(default, deserialize_with = "present_list")]
    pub enroll_list: Option<Vec<WireEnroll>>,
    /// Everything else (including `errcode`/`errmsg`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One enrollment as `enroll/list` sends it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct WireEnroll {
    /// Enrollment id (a string; numbers accepted).
    #[serde(default, deserialize_with = "opt_string")]
    pub enroll_id: Option<String>,
    /// Enrollment time as UTC+8 wall-clock text (`2023/03/23 14:00`), not a timestamp.
    #[serde(default, deserialize_with = "opt_string")]
    pub enroll_time: Option<String>,
    /// 1 manual, 2 bulk import.
    #[serde(default, deserialize_with = "opt_i64")]
    pub enroll_source_type: Option<i64>,
    /// Nickname (the phone number for phone imports without one).
    #[serde(default, deserialize_with = "opt_string")]
    pub nick_name: Option<String>,
    /// 1 pending, 2 rejected, 3 approved.
    #[serde(default, deserialize_with = "opt_i64")]
    pub status: Option<i64>,
    /// User id, for corp members.
    #[serde(default, deserialize_with = "opt_string")]
    pub userid: Option<String>,
    /// Per-meeting temporary id (absent for imported enrollees who never joined).
    #[serde(default, deserialize_with = "opt_string")]
    pub tmp_openid: Option<String>,
    /// Dial-in enrollment code.
    #[serde(default, deserialize_with = "opt_string")]
    pub enroll_code: Option<String>,
    /// Answers to the enrollment form.
    #[serde(default, deserialize_with = "null_as_default")]
    pub answer_list: Vec<WireAnswer>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One answer of an enrollment form (the shape Tencent Meeting shares; see
/// [`roster_core::wire::EnrollAnswer`]).
pub use roster_core::wire::EnrollAnswer as WireAnswer;

/// How `query_by_tmp_openid` orders several enrollments of one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortingRules {
    /// Phone imports first, then manual enrollments (the vendor default, code 1).
    #[default]
    ImportsFirst,
    /// Manual enrollments first, then phone imports (code 2).
    ManualFirst,
}

impl SortingRules {
    /// The vendor code.
    pub fn code(self) -> i64 {
        match self {
            SortingRules::ImportsFirst => 1,
            SortingRules::ManualFirst => 2,
        }
    }
}

/// Body of `POST /cgi-bin/meeting/enroll/query_by_tmp_openid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryByTmpOpenidBody {
    /// Meeting id.
    pub meetingid: String,
    /// 1 imports first (default), 2 manual first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sorting_rules: Option<i64>,
    /// At most 500 temporary ids.
    pub tmp_openid_list: Vec<String>,
}

/// Answer of `query_by_tmp_openid`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct QueryByTmpOpenidResponse {
    /// Enrolled ids only; absent when nobody matched.
    #[serde(default, deserialize_with = "null_as_default")]
    pub enroll_id_list: Vec<EnrollIdEntry>,
    /// Everything else (including `errcode`/`errmsg`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One `(tmp_openid, enroll_id)` pair.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct EnrollIdEntry {
    /// Temporary id as sent.
    #[serde(default, deserialize_with = "opt_string")]
    pub tmp_openid: Option<String>,
    /// Enrollment id (a string; numbers accepted).
    #[serde(default, deserialize_with = "opt_string")]
    pub enroll_id: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `POST /cgi-bin/meeting/get_realtime_attendee_list` (docs/specs/wecom.md §12.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RealtimeAttendeeListBody {
    /// Meeting id.
    pub meetingid: String,
    /// Occurrence of a recurring meeting (required for those).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_meetingid: Option<String>,
    /// The previous page's `next_cursor`; absent on the first call. (The doc's example spells
    /// it `cursort`; its table, and every SDK, say `cursor`.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1–50, the same along a cursor chain.
    pub limit: u32,
}

/// Answer of `get_realtime_attendee_list`: who is in the meeting now.
///
/// The rows have the shape of [`WireAttendee`] without `quit_time`, `webinar_role`, `net` and
/// `customer_data`. The doc example also carries a top-level `"status": "1"` that its table
/// does not list (meaning undocumented): it stays in `extra`, and the conversion copies it onto
/// each row's `extra` ([`crate::convert::live_attendee`]).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct RealtimeAttendeeListResponse {
    /// More pages follow; `false` ends the chain whatever `next_cursor` holds. `None`: the
    /// answer is not a page.
    #[serde(default, deserialize_with = "opt_bool")]
    pub has_more: Option<bool>,
    /// Cursor of the next page.
    #[serde(default, deserialize_with = "opt_string")]
    pub next_cursor: Option<String>,
    /// This page's people (`None`: no array; read as empty, as in `get_attendee_list`).
    #[serde(default, deserialize_with = "present_list")]
    pub attendees: Option<Vec<WireAttendee>>,
    /// Everything else (`errcode`/`errmsg`, the undocumented `status`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `POST /cgi-bin/meeting/waitingroom/get_user_list` (docs/specs/wecom.md §12.4). The
/// endpoint has no `sub_meetingid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitingRoomUserListBody {
    /// Meeting id.
    pub meetingid: String,
    /// The previous page's `next_cursor`; absent on the first call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1–50 (the vendor's default is 20), the same along a cursor chain.
    pub limit: u32,
}

/// Answer of `waitingroom/get_user_list`: every stay in the waiting room.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct WaitingRoomUserListResponse {
    /// More pages follow; `false` ends the chain. `None`: the answer is not a page.
    #[serde(default, deserialize_with = "opt_bool")]
    pub has_more: Option<bool>,
    /// Cursor of the next page (documented as set only while `has_more` is true).
    #[serde(default, deserialize_with = "opt_string")]
    pub next_cursor: Option<String>,
    /// This page's records (`None`: no array; read as empty).
    #[serde(default, deserialize_with = "present_list")]
    pub user_list: Option<Vec<WireWaitingRoomUser>>,
    /// Everything else (including `errcode`/`errmsg`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One waiting-room record as `waitingroom/get_user_list` sends it.
///
/// Its times are JSON numbers of **milliseconds** (unlike `get_attendee_list`'s strings of
/// seconds); strings of digits are accepted too.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct WireWaitingRoomUser {
    /// Corp member's user id (`""` for non-members).
    #[serde(default, deserialize_with = "opt_string")]
    pub userid: Option<String>,
    /// Per-meeting temporary id.
    #[serde(default, deserialize_with = "opt_string")]
    pub tmp_openid: Option<String>,
    /// Device type code (docs/specs/wecom.md §5.1).
    #[serde(default, deserialize_with = "opt_i64")]
    pub instance_id: Option<i64>,
    /// Entered the waiting room, Unix milliseconds (a number, or a string of digits).
    #[serde(default)]
    pub join_time: Option<Value>,
    /// Left the waiting room, Unix milliseconds; `0`, `""` or absent while still waiting.
    #[serde(default)]
    pub quit_time: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl WireWaitingRoomUser {
    /// When the person entered the waiting room (millisecond precision kept).
    pub fn entered_at(&self) -> Option<OffsetDateTime> {
        self.join_time.as_ref().and_then(unix_millis)
    }

    /// When the person left it; `None` while still waiting.
    pub fn left_at(&self) -> Option<OffsetDateTime> {
        self.quit_time.as_ref().and_then(unix_millis)
    }
}

/// A time from Unix milliseconds, as a number or a string of digits
/// ([`roster_core::wire::unix_millis`]); `0`, negative values, `""` and anything else give
/// `None`.
pub fn unix_millis(value: &Value) -> Option<OffsetDateTime> {
    value_as_i64(value).and_then(roster_core::wire::unix_millis)
}

/// Body of `POST /cgi-bin/meeting/get_invitees` (docs/specs/wecom.md §12.5). There is no
/// `limit`: the server chooses the page size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InviteesBody {
    /// Meeting id.
    pub meetingid: String,
    /// The previous page's `next_cursor`; absent on the first call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Answer of `get_invitees`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct InviteesResponse {
    /// More pages follow; `false` ends the chain. `None`: the answer is not a page.
    #[serde(default, deserialize_with = "opt_bool")]
    pub has_more: Option<bool>,
    /// Cursor of the next page (set while `has_more` is true).
    #[serde(default, deserialize_with = "opt_string")]
    pub next_cursor: Option<String>,
    /// This page's invitees (`None`: no array; read as empty).
    #[serde(default, deserialize_with = "present_list")]
    pub invitees: Option<Vec<WireInvitee>>,
    /// Everything else (including `errcode`/`errmsg`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One invitee: a corp member put on the participant list when the meeting was booked.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct WireInvitee {
    /// The member's user id (the only documented field).
    #[serde(default, deserialize_with = "opt_string")]
    pub userid: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `POST /cgi-bin/meeting/get_info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetInfoBody {
    /// Meeting id.
    pub meetingid: String,
    /// Occurrence of a recurring meeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_meetingid: Option<String>,
}

/// Meeting details from `get_info` (the fields attendance export uses; the rest in `extra`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct MeetingInfo {
    /// The meeting administrator's user id.
    #[serde(default, deserialize_with = "opt_string")]
    pub admin_userid: Option<String>,
    /// Title.
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    /// Scheduled start, Unix seconds.
    #[serde(default, deserialize_with = "opt_i64")]
    pub meeting_start: Option<i64>,
    /// Scheduled duration, seconds.
    #[serde(default, deserialize_with = "opt_i64")]
    pub meeting_duration: Option<i64>,
    /// Status code; see [`MeetingInfo::status`].
    #[serde(default, rename = "status", deserialize_with = "opt_i64")]
    pub status_code: Option<i64>,
    /// Type code; see [`MeetingInfo::meeting_type`].
    #[serde(default, rename = "meeting_type", deserialize_with = "opt_i64")]
    pub meeting_type_code: Option<i64>,
    /// Meeting code (the number people dial).
    #[serde(default, deserialize_with = "opt_string")]
    pub meeting_code: Option<String>,
    /// Per-person attendance summary (an object, although the table says array).
    #[serde(default, deserialize_with = "attendees_object")]
    pub attendees: MeetingAttendees,
    /// Settings.
    #[serde(default)]
    pub settings: Option<MeetingSettings>,
    /// Repetition.
    #[serde(default)]
    pub reminders: Option<MeetingReminders>,
    /// The current (ongoing or next) occurrence of a recurring meeting.
    #[serde(default, deserialize_with = "opt_string")]
    pub current_sub_meetingid: Option<String>,
    /// Occurrences of a recurring meeting.
    #[serde(default, deserialize_with = "null_as_default")]
    pub sub_meetings: Vec<SubMeeting>,
    /// 1 when more sub-meeting exceptions exist.
    #[serde(default, deserialize_with = "opt_i64")]
    pub has_more_sub_meeting: Option<i64>,
    /// Occurrences left.
    #[serde(default, deserialize_with = "opt_i64")]
    pub remain_sub_meetings: Option<i64>,
    /// Everything else (including `errcode`/`errmsg`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MeetingInfo {
    /// The status.
    pub fn status(&self) -> Option<MeetingStatus> {
        self.status_code.map(MeetingStatus::from_code)
    }

    /// The type.
    pub fn meeting_type(&self) -> Option<MeetingType> {
        self.meeting_type_code.map(MeetingType::from_code)
    }

    /// Scheduled start.
    pub fn start(&self) -> Option<OffsetDateTime> {
        self.meeting_start.and_then(unix_seconds)
    }

    /// Whether this is a recurring meeting (type 1, or `reminders.is_repeat == 1`): its attendee
    /// lists need a `sub_meetingid`.
    pub fn is_recurring(&self) -> bool {
        is_recurring(self.meeting_type_code, self.reminders.as_ref())
    }

    /// Whether enrollment is enabled, if the answer says.
    pub fn enrollment_enabled(&self) -> Option<bool> {
        self.settings.as_ref().and_then(|s| s.enable_enroll)
    }

    /// `current_sub_meetingid` unless empty.
    pub fn current_sub_meeting(&self) -> Option<&str> {
        non_blank(self.current_sub_meetingid.as_deref())
    }
}

/// `get_info.attendees`: decoded as an object; an array of such objects is merged; `null` and
/// other scalars give an empty summary. Decoded straight from the body (no `Value` tree).
fn attendees_object<'de, D: Deserializer<'de>>(d: D) -> Result<MeetingAttendees, D::Error> {
    struct Summary;

    impl<'de> Visitor<'de> for Summary {
        type Value = MeetingAttendees;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an attendance summary object or an array of them")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            MeetingAttendees::deserialize(de::value::MapAccessDeserializer::new(map))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut all = MeetingAttendees::default();
            while let Some(part) = seq.next_element::<MeetingAttendees>()? {
                all.member.extend(part.member);
                all.tmp_external_user.extend(part.tmp_external_user);
                all.extra.extend(part.extra);
            }
            Ok(all)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(MeetingAttendees::default())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(MeetingAttendees::default())
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(MeetingAttendees::default())
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(MeetingAttendees::default())
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(MeetingAttendees::default())
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(MeetingAttendees::default())
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(MeetingAttendees::default())
        }
    }

    d.deserialize_any(Summary)
}

/// What planning an export reads of a `get_info` answer: everything but the per-person
/// attendance summary, which is skipped as it is parsed, never stored (`attendees` is one row
/// per person: megabytes for a large meeting). Carries the envelope, so one parse classifies
/// the answer too.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct MeetingHead {
    /// Return code; absent or `0` means success.
    #[serde(default, deserialize_with = "opt_i64")]
    pub(crate) errcode: Option<i64>,
    /// Text for people.
    #[serde(default, deserialize_with = "opt_string")]
    pub(crate) errmsg: Option<String>,
    /// As [`MeetingInfo::admin_userid`].
    #[serde(default, deserialize_with = "opt_string")]
    pub(crate) admin_userid: Option<String>,
    /// As [`MeetingInfo::title`].
    #[serde(default, deserialize_with = "opt_string")]
    pub(crate) title: Option<String>,
    /// As [`MeetingInfo::meeting_code`].
    #[serde(default, deserialize_with = "opt_string")]
    pub(crate) meeting_code: Option<String>,
    /// As [`MeetingInfo::meeting_start`].
    #[serde(default, deserialize_with = "opt_i64")]
    pub(crate) meeting_start: Option<i64>,
    /// As [`MeetingInfo::meeting_duration`].
    #[serde(default, deserialize_with = "opt_i64")]
    pub(crate) meeting_duration: Option<i64>,
    /// As [`MeetingInfo::status_code`].
    #[serde(default, rename = "status", deserialize_with = "opt_i64")]
    pub(crate) status_code: Option<i64>,
    /// As [`MeetingInfo::meeting_type_code`].
    #[serde(default, rename = "meeting_type", deserialize_with = "opt_i64")]
    pub(crate) meeting_type_code: Option<i64>,
    /// As [`MeetingInfo::settings`].
    #[serde(default)]
    pub(crate) settings: Option<MeetingSettings>,
    /// As [`MeetingInfo::reminders`].
    #[serde(default)]
    pub(crate) reminders: Option<MeetingReminders>,
    /// As [`MeetingInfo::current_sub_meetingid`].
    #[serde(default, deserialize_with = "opt_string")]
    pub(crate) current_sub_meetingid: Option<String>,
    /// As [`MeetingInfo::sub_meetings`].
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) sub_meetings: Vec<SubMeeting>,
    /// Present only to say it is skipped (unknown fields would be skipped the same way).
    #[serde(default)]
    pub(crate) attendees: de::IgnoredAny,
}

impl Reply for MeetingHead {
    fn errcode(&self) -> Option<i64> {
        self.errcode
    }
    fn errmsg(&self) -> Option<String> {
        self.errmsg.clone()
    }
}

impl MeetingHead {
    /// As [`MeetingInfo::start`].
    pub(crate) fn start(&self) -> Option<OffsetDateTime> {
        self.meeting_start.and_then(unix_seconds)
    }

    /// As [`MeetingInfo::is_recurring`].
    pub(crate) fn is_recurring(&self) -> bool {
        is_recurring(self.meeting_type_code, self.reminders.as_ref())
    }

    /// As [`MeetingInfo::meeting_type`].
    pub(crate) fn meeting_type(&self) -> Option<MeetingType> {
        self.meeting_type_code.map(MeetingType::from_code)
    }

    /// As [`MeetingInfo::enrollment_enabled`].
    pub(crate) fn enrollment_enabled(&self) -> Option<bool> {
        self.settings.as_ref().and_then(|s| s.enable_enroll)
    }

    /// As [`MeetingInfo::current_sub_meeting`].
    pub(crate) fn current_sub_meeting(&self) -> Option<&str> {
        non_blank(self.current_sub_meetingid.as_deref())
    }
}

fn is_recurring(type_code: Option<i64>, reminders: Option<&MeetingReminders>) -> bool {
    type_code.map(MeetingType::from_code) == Some(MeetingType::Recurring)
        || reminders.and_then(|r| r.is_repeat) == Some(1)
}

fn non_blank(id: Option<&str>) -> Option<&str> {
    id.filter(|s| !s.trim().is_empty())
}

/// Attendance summary per person.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct MeetingAttendees {
    /// Corp members.
    #[serde(default, deserialize_with = "null_as_default")]
    pub member: Vec<MemberAttendance>,
    /// External contacts (not those who joined through WeChat).
    #[serde(default, deserialize_with = "null_as_default")]
    pub tmp_external_user: Vec<ExternalAttendance>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One corp member's attendance summary.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct MemberAttendance {
    /// User id.
    #[serde(default, deserialize_with = "opt_string")]
    pub userid: Option<String>,
    /// Status code; see [`MemberAttendance::status`].
    #[serde(default, rename = "status", deserialize_with = "opt_i64")]
    pub status_code: Option<i64>,
    /// First join, Unix seconds.
    #[serde(default, deserialize_with = "opt_i64")]
    pub first_join_time: Option<i64>,
    /// Last leave, Unix seconds.
    #[serde(default, deserialize_with = "opt_i64")]
    pub last_quit_time: Option<i64>,
    /// Number of joins.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_join_count: Option<i64>,
    /// Seconds in the meeting.
    #[serde(default, deserialize_with = "opt_i64")]
    pub cumulative_time: Option<i64>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One external contact's attendance summary.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ExternalAttendance {
    /// Per-meeting external user id (convert with `idconvert/convert_tmp_external_userid`).
    #[serde(default, deserialize_with = "opt_string")]
    pub tmp_external_userid: Option<String>,
    /// Status code; see [`ExternalAttendance::status`] (the doc example shows undocumented 3
    /// and 4).
    #[serde(default, rename = "status", deserialize_with = "opt_i64")]
    pub status_code: Option<i64>,
    /// First join, Unix seconds.
    #[serde(default, deserialize_with = "opt_i64")]
    pub first_join_time: Option<i64>,
    /// Last leave, Unix seconds.
    #[serde(default, deserialize_with = "opt_i64")]
    pub last_quit_time: Option<i64>,
    /// Number of joins.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_join_count: Option<i64>,
    /// Seconds in the meeting.
    #[serde(default, deserialize_with = "opt_i64")]
    pub cumulative_time: Option<i64>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

macro_rules! summary_accessors {
    ($t:ty) => {
        impl $t {
            /// Attended or not.
            pub fn status(&self) -> Option<AttendanceStatus> {
                self.status_code.map(AttendanceStatus::from_code)
            }

            /// First join.
            pub fn first_join(&self) -> Option<OffsetDateTime> {
                self.first_join_time.and_then(unix_seconds)
            }

            /// Last leave.
            pub fn last_quit(&self) -> Option<OffsetDateTime> {
                self.last_quit_time.and_then(unix_seconds)
            }
        }
    };
}
summary_accessors!(MemberAttendance);
summary_accessors!(ExternalAttendance);

/// `get_info.settings` (only `enable_enroll` is read).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct MeetingSettings {
    /// Enrollment enabled.
    #[serde(default, deserialize_with = "opt_bool")]
    pub enable_enroll: Option<bool>,
    /// Every other setting.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `get_info.reminders` (only `is_repeat` is read).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct MeetingReminders {
    /// 1 recurring, 0 not.
    #[serde(default, deserialize_with = "opt_i64")]
    pub is_repeat: Option<i64>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One occurrence of a recurring meeting.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct SubMeeting {
    /// Sub-meeting id.
    #[serde(default, deserialize_with = "opt_string")]
    pub sub_meetingid: Option<String>,
    /// 0 exists, 1 deleted.
    #[serde(default, deserialize_with = "opt_i64")]
    pub status: Option<i64>,
    /// Start, Unix seconds.
    #[serde(default, deserialize_with = "opt_i64")]
    pub start_time: Option<i64>,
    /// End, Unix seconds.
    #[serde(default, deserialize_with = "opt_i64")]
    pub end_time: Option<i64>,
    /// Title.
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    /// Repetition id.
    #[serde(default, deserialize_with = "opt_string")]
    pub repeat_id: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SubMeeting {
    /// Whether the occurrence was deleted.
    pub fn is_deleted(&self) -> bool {
        self.status == Some(1)
    }
}

/// Body of `POST /cgi-bin/meeting/get_user_meetingid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserMeetingIdBody {
    /// The member's user id.
    pub userid: String,
    /// The previous page's `next_cursor`; absent on the first call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Window start, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub begin_time: Option<i64>,
    /// Window end, Unix seconds (at most 180 days after the start).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    /// Page size, 1–100.
    pub limit: u32,
}

/// Body of `POST /cgi-bin/user/list_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserListIdBody {
    /// The previous page's `next_cursor`; absent on the first call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1–10,000.
    pub limit: u32,
}

/// One row of `user/list_id`: a member in one department (a member in several departments
/// comes once per department).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct DeptUser {
    /// The member's userid.
    #[serde(default, deserialize_with = "opt_string")]
    pub userid: Option<String>,
    /// The department id.
    #[serde(default, deserialize_with = "opt_i64")]
    pub department: Option<i64>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Answer of `user/list_id`. No `has_more`: an empty or absent `next_cursor` ends the list.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct UserListIdResponse {
    /// Cursor of the next page; empty or absent at the end.
    #[serde(default, deserialize_with = "opt_string")]
    pub next_cursor: Option<String>,
    /// This page's rows (`None`: no array, or a field of another type: not a page).
    #[serde(default, deserialize_with = "present_list")]
    pub dept_user: Option<Vec<DeptUser>>,
    /// Everything else (including `errcode`/`errmsg`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// [`string_list`] for an array that must be present (absent stays `None`).
fn present_string_list<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<String>>, D::Error> {
    string_list(d).map(Some)
}

/// Answer of `get_user_meetingid`. There is no `has_more`: an empty or absent `next_cursor`
/// ends the list.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct UserMeetingIdResponse {
    /// Cursor of the next page; empty or absent at the end.
    #[serde(default, deserialize_with = "opt_string")]
    pub next_cursor: Option<String>,
    /// Meeting ids of this page (may be empty, but present on every real page: `None` means
    /// the answer is not a page).
    #[serde(default, deserialize_with = "present_string_list")]
    pub meetingid_list: Option<Vec<String>>,
    /// Everything else (including `errcode`/`errmsg`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $c:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vm])* $v,)*
            /// A value this version does not know, kept as sent.
            Unknown(i64),
        }

        impl $name {
            /// Maps a vendor code; unknown codes are kept.
            pub fn from_code(code: i64) -> Self {
                match code {
                    $($c => $name::$v,)*
                    other => $name::Unknown(other),
                }
            }

            /// The vendor code.
            pub fn code(self) -> i64 {
                match self {
                    $($name::$v => $c,)*
                    $name::Unknown(c) => c,
                }
            }
        }
    };
}

code_enum! {
    /// `get_info.status`.
    MeetingStatus {
        /// 1 待开始.
        NotStarted = 1,
        /// 2 会议中.
        InProgress = 2,
        /// 3 已结束.
        Ended = 3,
        /// 4 已取消.
        Cancelled = 4,
        /// 5 已过期.
        Expired = 5,
    }
}

code_enum! {
    /// `get_info.meeting_type`.
    MeetingType {
        /// 0 一次性会议.
        OneOff = 0,
        /// 1 周期性会议.
        Recurring = 1,
        /// 2 微信专属会议.
        WeChatExclusive = 2,
        /// 3 Rooms 投屏会议.
        RoomsScreenCast = 3,
        /// 5 个人会议号会议.
        PersonalMeetingId = 5,
        /// 6 网络研讨会.
        Webinar = 6,
    }
}

code_enum! {
    /// Attendance status in `get_info.attendees`.
    AttendanceStatus {
        /// 1 已参与.
        Attended = 1,
        /// 2 未参与.
        Absent = 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::ExposeSecret;
    use serde_json::json;

    #[test]
    fn the_doc_attendee_example_decodes() {
        let body = r#"{"errcode":0,"errmsg":"ok","has_more":false,"next_cursor":"jigjegn==",
 "attendees":[{"tmp_openid":"lisi","userid":"","join_time":"166666666","quit_time":"166666666",
   "instance_id":1,"role":0,"webinar_role":0,"join_type":0,"net":"WIFI","audio_state":true,
   "screen_shared_state":true,"customer_data":"data"}]}"#;
        let r: AttendeeListResponse = serde_json::from_str(body).unwrap();
        assert_eq!(r.has_more, Some(false));
        assert_eq!(r.next_cursor.as_deref(), Some("jigjegn=="));
        let a = &r.attendees.as_ref().unwrap()[0];
        assert_eq!(a.tmp_openid.as_deref(), Some("lisi"));
        assert_eq!(a.joined_at().unwrap().unix_timestamp(), 166_666_666);
        assert_eq!(a.instance_id, Some(1));
        assert_eq!(a.audio_state, Some(true));
        assert_eq!(a.video_state, None);
        let env: Envelope = serde_json::from_str(body).unwrap();
        assert_eq!(env.failure(), None);
    }

    #[test]
    fn join_time_as_string_or_number() {
        for v in [json!("1700000000"), json!(1_700_000_000)] {
            let a: WireAttendee =
                serde_json::from_value(json!({"join_time": v, "quit_time": ""})).unwrap();
            assert_eq!(a.joined_at().unwrap().unix_timestamp(), 1_700_000_000);
            assert_eq!(a.left_at(), None);
        }
        for open in [json!(""), json!("0"), json!(0), json!(null)] {
            let a: WireAttendee = serde_json::from_value(json!({"quit_time": open})).unwrap();
            assert_eq!(a.left_at(), None);
        }
    }

    #[test]
    fn envelope_absent_means_success() {
        let env: Envelope = serde_json::from_str(r#"{"attendees":[]}"#).unwrap();
        assert_eq!(env.failure(), None);
        let env: Envelope = serde_json::from_str(r#"{"errcode":"40014"}"#).unwrap();
        assert_eq!(env.failure(), Some(40014));
    }

    #[test]
    fn the_doc_enroll_example_decodes() {
        let body = r#"{"errcode":0,"errmsg":"ok","has_more":false,"next_cursor":"CURSOR",
 "enroll_list":[{"enroll_id":"mexxxxxx","enroll_time":"2023/03/23 14:00","enroll_source_type":1,
   "nick_name":"NICKNAME","status":1,"userid":"USERID","tmp_openid":"TMP_OPENID","enroll_code":"CODE",
   "answer_list":[{"answer_content":["CONTENT1","CONTENT2"],"is_required":1,"question_num":10,
   "question_title":"TITLE","question_type":1,"special_type":1}]}]}"#;
        let r: EnrollListResponse = serde_json::from_str(body).unwrap();
        let e = &r.enroll_list.as_ref().unwrap()[0];
        assert_eq!(e.enroll_id.as_deref(), Some("mexxxxxx"));
        assert_eq!(
            e.answer_list[0].answer_content,
            vec!["CONTENT1", "CONTENT2"]
        );
        // The webinar page shows a numeric enroll id.
        let e: WireEnroll = serde_json::from_value(json!({"enroll_id": 1386442})).unwrap();
        assert_eq!(e.enroll_id.as_deref(), Some("1386442"));
        let a: WireAnswer =
            serde_json::from_value(json!({"answer_content": "only", "is_required": "2"})).unwrap();
        assert_eq!(a.answer_content, vec!["only"]);
        assert_eq!(a.is_required, Some(2));
    }

    #[test]
    fn the_doc_webinar_enroll_examples_decode() {
        // §12.1: the webinar page's example has a numeric enroll_id and dashed enroll_time.
        let body = r#"{"errcode":0,"errmsg":"ok","has_more":false,"next_cursor":"CURSOR",
 "enroll_list":[{"enroll_id":1386442,"enroll_time":"2023-03-23 10:00:00","enroll_source_type":1,
   "nick_name":"NICKNAME","status":1,"userid":"USERID","tmp_openid":"MSOPENID","enroll_code":"CODE",
   "answer_list":[{"answer_content":["CONTENT"],"is_required":1,"question_num":1,
   "question_title":"TITLE","question_type":3,"special_type":4}]}]}"#;
        let r: EnrollListResponse = serde_json::from_str(body).unwrap();
        assert_eq!((r.has_more, r.failure()), (Some(false), None));
        assert_eq!(r.next_cursor.as_deref(), Some("CURSOR"));
        let e = &r.enroll_list.as_ref().unwrap()[0];
        assert_eq!(e.enroll_id.as_deref(), Some("1386442"));
        assert_eq!(e.tmp_openid.as_deref(), Some("MSOPENID"));
        assert_eq!(e.status, Some(1));
        let reg = crate::convert::registration(e.clone(), "w1");
        assert_eq!(reg.registration_id.as_deref(), Some("1386442"));
        assert_eq!(
            reg.registered_at,
            Some(time::macros::datetime!(2023-03-23 10:00 +8))
        );
        assert_eq!(
            reg.display_name.as_deref(),
            Some("NICKNAME"),
            "the nickname wins"
        );

        // §12.2: string ids, numbers accepted; an absent list is nobody.
        let r: QueryByTmpOpenidResponse = serde_json::from_str(
            r#"{"errcode":0,"errmsg":"ok","enroll_id_list":[{"tmp_openid":"msaaaaaaaa","enroll_id":"mexxxxxxx"},{"tmp_openid":"msb","enroll_id":1386442}]}"#,
        )
        .unwrap();
        assert_eq!(r.enroll_id_list[0].enroll_id.as_deref(), Some("mexxxxxxx"));
        assert_eq!(r.enroll_id_list[1].enroll_id.as_deref(), Some("1386442"));
    }

    #[test]
    fn the_doc_realtime_example_decodes() {
        // §12.3: `status` is in the example only; rows have no quit_time.
        let body = r#"{"errcode":0,"errmsg":"ok","has_more":true,"next_cursor":"NEXT","status":"1",
 "attendees":[{"userid":"zhangsan","tmp_openid":"TMP","join_time":"166666666","instance_id":1,
   "role":4,"join_type":1,"audio_state":true,"video_state":true,"screen_shared_state":false}],
 "unknown_field":{"a":1}}"#;
        let r: RealtimeAttendeeListResponse = serde_json::from_str(body).unwrap();
        assert_eq!(r.has_more, Some(true));
        assert_eq!(r.next_cursor.as_deref(), Some("NEXT"));
        assert_eq!(r.extra["status"], "1");
        assert_eq!(r.extra["unknown_field"], json!({"a": 1}));
        assert_eq!(r.failure(), None);
        let a = &r.attendees.as_ref().unwrap()[0];
        assert_eq!(a.joined_at().unwrap().unix_timestamp(), 166_666_666);
        assert_eq!(a.left_at(), None);
        assert_eq!(a.role, Some(4));
        // An absent array is an empty page; no `has_more` is not a page at all.
        let r: RealtimeAttendeeListResponse =
            serde_json::from_str(r#"{"errcode":0,"has_more":false}"#).unwrap();
        assert_eq!((r.attendees, r.has_more), (None, Some(false)));
        let r: RealtimeAttendeeListResponse =
            serde_json::from_str(r#"{"errcode":"730003","errmsg":"bad sub"}"#).unwrap();
        assert_eq!(r.failure(), Some(730003));
    }

    #[test]
    fn the_doc_waiting_room_example_decodes() {
        // §12.4: numbers of milliseconds (the doc's values are junk), string-or-number.
        let body = r#"{"errcode":0,"errmsg":"ok","has_more":true,"next_cursor":"CURSOR",
 "user_list":[{"userid":"USERID","tmp_openid":"TMP","instance_id":1,"join_time":13525325,
   "quit_time":12491059320},
  {"userid":"","tmp_openid":"T2","instance_id":"99","join_time":"1700000000123","quit_time":0,"x":true}]}"#;
        let r: WaitingRoomUserListResponse = serde_json::from_str(body).unwrap();
        assert_eq!(r.has_more, Some(true));
        let users = r.user_list.unwrap();
        assert_eq!(
            users[0].entered_at().unwrap().unix_timestamp_nanos(),
            13_525_325_000_000
        );
        assert_eq!(
            users[0].left_at().unwrap().unix_timestamp_nanos(),
            12_491_059_320_000_000
        );
        assert_eq!(users[1].instance_id, Some(99), "unknown device codes kept");
        assert_eq!(
            users[1].entered_at().unwrap().unix_timestamp_nanos(),
            1_700_000_000_123_000_000
        );
        assert_eq!(users[1].left_at(), None, "0: still waiting");
        assert_eq!(users[1].extra["x"], true);
        for (v, want) in [
            (json!(""), None),
            (json!("0"), None),
            (json!(-5), None),
            (json!(null), None),
            (json!("x"), None),
            (json!(1500), Some(1_500_000_000)),
            (json!(" 1500 "), Some(1_500_000_000)),
        ] {
            assert_eq!(
                unix_millis(&v).map(|t| t.unix_timestamp_nanos()),
                want,
                "{v}"
            );
        }
        assert_eq!(unix_millis(&json!(i64::MAX)), None, "out of range");
    }

    #[test]
    fn the_doc_invitees_example_decodes() {
        // §12.5: userid only.
        let r: InviteesResponse = serde_json::from_str(
            r#"{"errcode":0,"errmsg":"ok","invitees":[{"userid":"lisi"},{"userid":7,"new":1}],"has_more":false,"next_cursor":""}"#,
        )
        .unwrap();
        assert_eq!(r.has_more, Some(false));
        let invitees = r.invitees.unwrap();
        assert_eq!(invitees[0].userid.as_deref(), Some("lisi"));
        assert_eq!(invitees[1].userid.as_deref(), Some("7"));
        assert_eq!(invitees[1].extra["new"], 1);
        let r: InviteesResponse = serde_json::from_str(r#"{"errcode":0}"#).unwrap();
        assert_eq!((r.invitees, r.has_more), (None, None), "not a page");
    }

    #[test]
    fn round_two_bodies_omit_what_is_unset() {
        assert_eq!(
            serde_json::to_value(RealtimeAttendeeListBody {
                meetingid: "m".into(),
                sub_meetingid: None,
                cursor: None,
                limit: 50,
            })
            .unwrap(),
            json!({"meetingid": "m", "limit": 50})
        );
        assert_eq!(
            serde_json::to_value(WaitingRoomUserListBody {
                meetingid: "m".into(),
                cursor: Some("c".into()),
                limit: 50,
            })
            .unwrap(),
            json!({"meetingid": "m", "cursor": "c", "limit": 50})
        );
        assert_eq!(
            serde_json::to_value(InviteesBody {
                meetingid: "m".into(),
                cursor: None,
            })
            .unwrap(),
            json!({"meetingid": "m"})
        );
    }

    #[test]
    fn the_doc_get_info_shape_decodes() {
        let body = json!({
            "errcode": 0, "errmsg": "ok", "admin_userid": "zhangsan", "title": "周会",
            "meeting_start": 1700000000, "meeting_duration": 3600, "status": 3, "meeting_type": 1,
            "attendees": {
                "member": [{"userid": "lisi", "status": 1, "first_join_time": 1700000100,
                            "last_quit_time": 1700003600, "total_join_count": 2, "cumulative_time": 3000}],
                "tmp_external_user": [{"tmp_external_userid": "ext1", "status": 3}]
            },
            "settings": {"enable_enroll": true, "mute_upon_entry": true},
            "reminders": {"is_repeat": 1, "repeat_type": 0},
            "current_sub_meetingid": "sub2",
            "sub_meetings": [{"sub_meetingid": "sub1", "status": 1, "start_time": 1700000000, "end_time": 1700003600},
                             {"sub_meetingid": "sub2", "status": 0, "start_time": 1700604800, "end_time": 1700608400}],
            "has_more_sub_meeting": 0, "remain_sub_meetings": 10, "location": "Room 1"
        });
        let m: MeetingInfo = serde_json::from_value(body).unwrap();
        assert_eq!(m.status(), Some(MeetingStatus::Ended));
        assert_eq!(m.meeting_type(), Some(MeetingType::Recurring));
        assert!(m.is_recurring());
        assert_eq!(m.current_sub_meeting(), Some("sub2"));
        assert_eq!(m.enrollment_enabled(), Some(true));
        assert_eq!(
            m.attendees.member[0].status(),
            Some(AttendanceStatus::Attended)
        );
        assert_eq!(m.attendees.member[0].cumulative_time, Some(3000));
        assert_eq!(
            m.attendees.tmp_external_user[0].status(),
            Some(AttendanceStatus::Unknown(3))
        );
        assert!(m.sub_meetings[0].is_deleted());
        assert_eq!(m.extra["location"], "Room 1");
        assert_eq!(m.settings.unwrap().extra["mute_upon_entry"], true);
        assert_eq!(MeetingType::from_code(42).code(), 42);

        // The table says object[]: an array is merged.
        let m: MeetingInfo = serde_json::from_value(json!({
            "attendees": [{"member": [{"userid": "a"}]}, {"member": [{"userid": "b"}]}],
            "meeting_type": 0
        }))
        .unwrap();
        assert_eq!(m.attendees.member.len(), 2);
        assert!(!m.is_recurring());
    }

    #[test]
    fn user_meeting_ids_and_enroll_ids() {
        let r: UserMeetingIdResponse =
            serde_json::from_value(json!({"meetingid_list": ["a", 2], "next_cursor": ""})).unwrap();
        assert_eq!(r.meetingid_list, Some(vec!["a".into(), "2".into()]));
        let r: UserMeetingIdResponse =
            serde_json::from_value(json!({"errcode": 0, "errmsg": "ok"})).unwrap();
        assert_eq!(r.meetingid_list, None, "no array: not a page");
        let r: QueryByTmpOpenidResponse =
            serde_json::from_value(json!({"errcode": 0, "errmsg": "ok"})).unwrap();
        assert!(r.enroll_id_list.is_empty(), "absent list = nobody enrolled");
    }

    #[test]
    fn token_response_is_redacted() {
        let r: GetTokenResponse = serde_json::from_str(
            r#"{"errcode":0,"errmsg":"ok","access_token":"accesstoken000001","expires_in":7200}"#,
        )
        .unwrap();
        assert_eq!(
            r.access_token.as_ref().unwrap().expose_secret(),
            "accesstoken000001"
        );
        assert!(!format!("{r:?}").contains("accesstoken000001"));
    }

    #[test]
    fn request_bodies_omit_what_is_unset() {
        let b = AttendeeListBody {
            meetingid: "m".into(),
            sub_meetingid: None,
            start_time: Some(1),
            end_time: Some(2),
            cursor: None,
            limit: 100,
        };
        assert_eq!(
            serde_json::to_value(&b).unwrap(),
            json!({"meetingid": "m", "start_time": 1, "end_time": 2, "limit": 100})
        );
    }

    #[test]
    fn the_planning_head_skips_the_summary() {
        let body = json!({
            "errcode": 0, "errmsg": "ok", "meeting_start": 1700000000, "meeting_type": 1,
            "attendees": {"member": 5, "tmp_external_user": [[1], "x"]},
            "settings": {"enable_enroll": false},
            "current_sub_meetingid": " ", "sub_meetings": [{"sub_meetingid": "s1"}],
        })
        .to_string();
        assert!(
            serde_json::from_str::<MeetingInfo>(&body).is_err(),
            "the full decoder reads the summary"
        );
        let head: MeetingHead = serde_json::from_str(&body).unwrap();
        assert_eq!(head.start().unwrap().unix_timestamp(), 1_700_000_000);
        assert!(head.is_recurring());
        assert_eq!(head.current_sub_meeting(), None, "blank is none");
        assert_eq!(head.enrollment_enabled(), Some(false));
        assert_eq!(head.sub_meetings[0].sub_meetingid.as_deref(), Some("s1"));
        assert_eq!(head.failure(), None);
        let head: MeetingHead =
            serde_json::from_str(r#"{"errcode":"40014","errmsg":7,"attendees":[1]}"#).unwrap();
        assert_eq!(
            (head.failure(), head.errmsg()),
            (Some(40014), Some("7".into()))
        );
        let head: MeetingHead =
            serde_json::from_str(r#"{"reminders":{"is_repeat":"1"},"meeting_type":0}"#).unwrap();
        assert!(head.is_recurring());
    }

    #[test]
    fn replies_read_the_envelope_from_extra() {
        let r: AttendeeListResponse =
            serde_json::from_str(r#"{"errcode":"42001","errmsg":"expired, hint: [x]"}"#).unwrap();
        assert_eq!(r.failure(), Some(42001));
        assert_eq!(r.errmsg().as_deref(), Some("expired, hint: [x]"));
        let r: MeetingInfo = serde_json::from_str(r#"{"errcode":0,"title":"t"}"#).unwrap();
        assert_eq!(r.failure(), None);
        let r: UserMeetingIdResponse = serde_json::from_str("{}").unwrap();
        assert_eq!((r.errcode(), r.failure()), (None, None), "absent = success");
    }

    /// The `Value`-based `attendees` decoder this crate used before: the reference the direct
    /// decoder must agree with.
    fn attendees_via_value(v: Value) -> Result<MeetingAttendees, serde_json::Error> {
        let decode = serde_json::from_value::<MeetingAttendees>;
        match v {
            Value::Object(map) => decode(Value::Object(map)),
            Value::Array(items) => {
                let mut all = MeetingAttendees::default();
                for item in items {
                    let part = decode(item)?;
                    all.member.extend(part.member);
                    all.tmp_external_user.extend(part.tmp_external_user);
                    all.extra.extend(part.extra);
                }
                Ok(all)
            }
            _ => Ok(MeetingAttendees::default()),
        }
    }

    #[test]
    fn attendees_decode_as_before() {
        for v in [
            json!(null),
            json!(5),
            json!("x"),
            json!(true),
            json!(1.5),
            json!([]),
            json!({}),
            json!([1]),
            json!([null]),
            json!({"member": null, "other": {"a": 1}}),
            json!([{"member": [{"userid": 1, "status": "1", "x": [1]}]}, {"member": [{"userid": "b"}]}]),
            json!({"member": [{"userid": "a"}], "tmp_external_user": [{"tmp_external_userid": "e"}]}),
            json!({"member": 5}),
        ] {
            let body = json!({ "attendees": v.clone() }).to_string();
            let direct = serde_json::from_str::<MeetingInfo>(&body).map(|m| m.attendees);
            let reference = attendees_via_value(serde_json::from_str(&v.to_string()).unwrap());
            match (direct, reference) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{v}"),
                (Err(_), Err(_)) => {}
                (a, b) => panic!("{v}: {a:?} against {b:?}"),
            }
        }
    }

    #[test]
    fn garbage_never_panics() {
        for body in [
            "",
            "null",
            "[]",
            "42",
            "\"x\"",
            "{",
            "{\"attendees\":5}",
            "{\"attendees\":[1]}",
            "{\"enroll_list\":{}}",
            "{\"attendees\":\"x\"}",
            "\u{0}",
            "{\"has_more\":\"maybe\"}",
        ] {
            let _ = serde_json::from_str::<AttendeeListResponse>(body);
            let _ = serde_json::from_str::<EnrollListResponse>(body);
            let _ = serde_json::from_str::<MeetingInfo>(body);
            let _ = serde_json::from_str::<UserMeetingIdResponse>(body);
            let _ = serde_json::from_str::<QueryByTmpOpenidResponse>(body);
            let _ = serde_json::from_str::<GetTokenResponse>(body);
            let _ = serde_json::from_str::<Envelope>(body);
            let _ = serde_json::from_str::<RealtimeAttendeeListResponse>(body);
            let _ = serde_json::from_str::<WaitingRoomUserListResponse>(body);
            let _ = serde_json::from_str::<InviteesResponse>(body);
        }
    }

    mod garbage {
        use super::super::*;
        use proptest::prelude::*;

        fn json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(|n| serde_json::json!(n)),
                any::<f64>().prop_map(|f| serde_json::json!(f)),
                ".{0,12}".prop_map(Value::String),
            ];
            leaf.prop_recursive(3, 24, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::btree_map(
                        prop_oneof![
                            Just("join_time".to_string()),
                            Just("quit_time".to_string()),
                            Just("enroll_time".to_string()),
                            Just("answer_content".to_string()),
                            Just("attendees".to_string()),
                            Just("enroll_list".to_string()),
                            Just("answer_list".to_string()),
                            Just("member".to_string()),
                            Just("user_list".to_string()),
                            Just("invitees".to_string()),
                            Just("userid".to_string()),
                            Just("has_more".to_string()),
                            Just("errcode".to_string()),
                            "[a-z_]{1,8}",
                        ],
                        inner,
                        0..5
                    )
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #[test]
            fn decoders_and_conversions_never_panic(v in json(), text in ".{0,40}") {
                let body = v.to_string();
                for input in [body.as_str(), text.as_str()] {
                    let _ = serde_json::from_str::<Envelope>(input);
                    if let Ok(r) = serde_json::from_str::<AttendeeListResponse>(input) {
                        for a in r.attendees.into_iter().flatten() {
                            let _ = crate::convert::attendee(a, "m", None);
                        }
                    }
                    if let Ok(r) = serde_json::from_str::<EnrollListResponse>(input) {
                        for e in r.enroll_list.into_iter().flatten() {
                            let _ = crate::convert::registration(e, "m");
                        }
                    }
                    if let Ok(m) = serde_json::from_str::<MeetingInfo>(input) {
                        let _ = (m.is_recurring(), m.start(), m.status(), m.current_sub_meeting());
                    }
                    if let Ok(r) = serde_json::from_str::<RealtimeAttendeeListResponse>(input) {
                        let status = r.extra.get("status").cloned();
                        for a in r.attendees.into_iter().flatten() {
                            let _ = crate::convert::live_attendee(a, "m", None, status.as_ref());
                        }
                    }
                    if let Ok(r) = serde_json::from_str::<WaitingRoomUserListResponse>(input) {
                        for u in r.user_list.into_iter().flatten() {
                            let _ = crate::convert::waiting_room_entry(u, "m");
                        }
                    }
                    if let Ok(r) = serde_json::from_str::<InviteesResponse>(input) {
                        for i in r.invitees.into_iter().flatten() {
                            let _ = crate::convert::registration_from_invitee(i, "m");
                        }
                    }
                    let _ = serde_json::from_str::<QueryByTmpOpenidResponse>(input);
                    let _ = serde_json::from_str::<UserMeetingIdResponse>(input);
                    let _ = serde_json::from_str::<GetTokenResponse>(input);
                    if let Ok(h) = serde_json::from_str::<MeetingHead>(input) {
                        let _ = (h.is_recurring(), h.start(), h.current_sub_meeting());
                    }
                }
                // Rows of every shape.
                if let Ok(a) = serde_json::from_value::<WireAttendee>(v.clone()) {
                    let _ = crate::convert::attendee(a, "m", Some("s"));
                }
                if let Ok(e) = serde_json::from_value::<WireEnroll>(v.clone()) {
                    let _ = crate::convert::registration(e, "m");
                }
                if let Ok(u) = serde_json::from_value::<WireWaitingRoomUser>(v.clone()) {
                    let _ = crate::convert::waiting_room_entry(u, "m");
                }
            }

            #[test]
            fn one_parse_reads_the_envelope_as_the_envelope_does(v in json(), code in json(), msg in json()) {
                let mut v = v;
                if let Value::Object(map) = &mut v {
                    map.insert("errcode".into(), code);
                    map.insert("errmsg".into(), msg);
                }
                let body = v.to_string();
                if let Ok(env) = serde_json::from_str::<Envelope>(&body) {
                    let check = |failure: Option<i64>, errmsg: Option<String>| {
                        prop_assert_eq!(failure, env.failure());
                        if failure.is_some() {
                            prop_assert_eq!(errmsg, env.errmsg.clone());
                        }
                        Ok(())
                    };
                    if let Ok(r) = serde_json::from_str::<AttendeeListResponse>(&body) {
                        check(r.failure(), r.errmsg())?;
                    }
                    if let Ok(r) = serde_json::from_str::<MeetingInfo>(&body) {
                        check(r.failure(), r.errmsg())?;
                    }
                    if let Ok(r) = serde_json::from_str::<MeetingHead>(&body) {
                        check(r.failure(), r.errmsg())?;
                    }
                    if let Ok(r) = serde_json::from_str::<EnrollListResponse>(&body) {
                        check(r.failure(), r.errmsg())?;
                    }
                    if let Ok(r) = serde_json::from_str::<TokenReply>(&body) {
                        check(r.failure(), r.errmsg())?;
                    }
                    if let Ok(r) = serde_json::from_str::<RealtimeAttendeeListResponse>(&body) {
                        check(r.failure(), r.errmsg())?;
                    }
                    if let Ok(r) = serde_json::from_str::<WaitingRoomUserListResponse>(&body) {
                        check(r.failure(), r.errmsg())?;
                    }
                    if let Ok(r) = serde_json::from_str::<InviteesResponse>(&body) {
                        check(r.failure(), r.errmsg())?;
                    }
                }
            }

            #[test]
            fn attendees_decode_as_through_a_value(v in json()) {
                let body = serde_json::json!({ "attendees": v.clone() }).to_string();
                let direct = serde_json::from_str::<MeetingInfo>(&body).map(|m| m.attendees);
                // The old decoder read the same text into a `Value` first.
                let parsed: Value = serde_json::from_str(&v.to_string()).unwrap();
                match (direct, super::attendees_via_value(parsed)) {
                    (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                    (Err(_), Err(_)) => {}
                    (a, b) => prop_assert!(false, "{:?} against {:?}", a, b),
                }
            }
        }
    }
}
