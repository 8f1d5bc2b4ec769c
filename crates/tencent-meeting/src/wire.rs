//! Wire types: the JSON bodies exactly as the vendor sends them, decoded leniently.
//!
//! Every field is optional (the vendor's field sets drift), strings and numbers are both
//! accepted where the vendor mixes them, `null` arrays are empty, unknown enum values are kept,
//! and fields this crate does not know are captured in `extra` (and moved to the unified
//! model's `extra` by [`crate::convert`]). Fields that cannot be read as their type become
//! `None` instead of failing the whole page.

use std::fmt;

use roster_core::SecretString;
use roster_core::wire::{
    null_as_default, opt_bool, opt_i64, opt_string, opt_unix_seconds, present_list,
    unix_seconds_or_millis, value_as_i64, value_as_string,
};
use serde::de::{Deserialize, Deserializer};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::decode::{DecodedText, decode_base64_text};

/// The error body of every failed call: `{"error_info":{"error_code":9003,"message":"…"}}`.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct ErrorBody {
    /// The error, if the body has one.
    #[serde(default)]
    pub error_info: Option<ErrorInfo>,
}

/// The vendor's error (docs/specs/tencent-meeting.md §3).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct ErrorInfo {
    /// The code errors are classified on.
    #[serde(default, deserialize_with = "opt_i64")]
    pub error_code: Option<i64>,
    /// Newer responses: a prefixed form of the code (`200190303`); kept, never classified on.
    #[serde(default, deserialize_with = "opt_i64")]
    pub new_error_code: Option<i64>,
    /// Free text.
    #[serde(default, deserialize_with = "opt_string")]
    pub message: Option<String>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An answer whose fields this crate does not know are kept in `extra`, where an `error_info`
/// (docs/specs/tencent-meeting.md §3) then lands too: decoding the answer once yields both its data and its error.
pub(crate) trait Reply {
    /// The answer's unknown fields.
    fn extra(&self) -> &Map<String, Value>;

    /// Its `error_info`, read as [`ErrorBody`] reads it (absent, `null` or not an object:
    /// none).
    fn error_info(&self) -> Option<ErrorInfo> {
        self.extra()
            .get("error_info")
            .and_then(|v| ErrorInfo::deserialize(v).ok())
    }
}

macro_rules! reply {
    ($($t:ty),* $(,)?) => {$(
        impl Reply for $t {
            fn extra(&self) -> &Map<String, Value> {
                &self.extra
            }
        }
    )*};
}

reply!(
    ParticipantsResponse,
    MeetingDetailResponse,
    InviteesResponse,
    EnrollApprovalsResponse,
    CorpMeetingsResponse,
    ExportCreateResponse,
    ExportJobResponse,
    SignInListResponse,
    SignInRecordsResponse,
    RealtimeParticipantsResponse,
    WaitingRoomResponse,
);

/// `GET /v1/meetings/{meeting_id}/participants` (docs/specs/tencent-meeting.md §4.1).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct ParticipantsResponse {
    /// The meeting id.
    #[serde(default, deserialize_with = "opt_string")]
    pub meeting_id: Option<String>,
    /// The meeting code people dial.
    #[serde(default, deserialize_with = "opt_string")]
    pub meeting_code: Option<String>,
    /// The subject, raw (plain text per this page, Base64 per another; see
    /// [`Self::subject_decoded`]).
    #[serde(default, deserialize_with = "opt_string")]
    pub subject: Option<String>,
    /// Scheduled start.
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub schedule_start_time: Option<OffsetDateTime>,
    /// Scheduled end.
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub schedule_end_time: Option<OffsetDateTime>,
    /// One row per join session (may be empty; `None` when the answer had no array, which
    /// makes it no page at all).
    #[serde(default, deserialize_with = "present_list")]
    pub participants: Option<Vec<Participant>>,
    /// More rows follow; always present on a real page (`None`: not a page).
    #[serde(default, deserialize_with = "opt_bool")]
    pub has_remaining: Option<bool>,
    /// The opaque position of the next page, as decimal text.
    #[serde(default, deserialize_with = "opt_string")]
    pub next_pos: Option<String>,
    /// Total join sessions of the query (not distinct people); often absent.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_count: Option<i64>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ParticipantsResponse {
    /// The subject decoded as lenient Base64 when it is Base64 of UTF-8 text, else as sent.
    ///
    /// Plain subjects that happen to be valid Base64 of UTF-8 text would be decoded too, which
    /// is why [`Self::subject`] keeps the raw value.
    pub fn subject_decoded(&self) -> Option<DecodedText> {
        self.subject.as_deref().map(decode_base64_text)
    }
}

/// One join session (docs/specs/tencent-meeting.md §4.1, Participant object).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct Participant {
    /// Enterprise user id; empty for non-members.
    #[serde(default, deserialize_with = "opt_string")]
    pub userid: Option<String>,
    /// Per-meeting temporary id, every user has one.
    #[serde(default, deserialize_with = "opt_string")]
    pub ms_open_id: Option<String>,
    /// Identity id for a single meeting (older models).
    #[serde(default, deserialize_with = "opt_string")]
    pub uuid: Option<String>,
    /// OAuth open id (empty with AK/SK).
    #[serde(default, deserialize_with = "opt_string")]
    pub open_id: Option<String>,
    /// Base64 of the display name, raw.
    #[serde(default, deserialize_with = "opt_string")]
    pub user_name: Option<String>,
    /// Enterprise member (true with an empty `userid`: a departed member).
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_enterprise_user: Option<bool>,
    /// Upper-case hex `SHA-256(phone + "/" + SecretId)`; see [`crate::phone`].
    #[serde(default, deserialize_with = "opt_string")]
    pub phone: Option<String>,
    /// Join time.
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub join_time: Option<OffsetDateTime>,
    /// Leave time; `None` for an open session (`""`, `"0"`, `0` or absent).
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub left_time: Option<OffsetDateTime>,
    /// Device type code (docs/specs/tencent-meeting.md §5.1).
    #[serde(default, deserialize_with = "opt_i64")]
    pub instanceid: Option<i64>,
    /// Role code (docs/specs/tencent-meeting.md §5.2).
    #[serde(default, deserialize_with = "opt_i64")]
    pub user_role: Option<i64>,
    /// Webinar role code (docs/specs/tencent-meeting.md §5.3).
    #[serde(default, deserialize_with = "opt_i64")]
    pub webinar_member_role: Option<i64>,
    /// Join type code (docs/specs/tencent-meeting.md §5.4).
    #[serde(default, deserialize_with = "opt_i64")]
    pub join_type: Option<i64>,
    /// IP address, spelled `ip` (SDK); see [`Self::ip_address`].
    #[serde(default, deserialize_with = "opt_string")]
    pub ip: Option<String>,
    /// IP address, spelled `IP` (doc table); see [`Self::ip_address`].
    #[serde(default, rename = "IP", deserialize_with = "opt_string")]
    pub ip_upper: Option<String>,
    /// Location (only while in the meeting).
    #[serde(default, deserialize_with = "opt_string")]
    pub location: Option<String>,
    /// `UDP`, `TCP` or unknown (only while in the meeting).
    #[serde(default, deserialize_with = "opt_string")]
    pub link_type: Option<String>,
    /// Network type (有线, WIFI, 4G …; only while in the meeting).
    #[serde(default, deserialize_with = "opt_string")]
    pub net: Option<String>,
    /// Client version (only while in the meeting).
    #[serde(default, deserialize_with = "opt_string")]
    pub app_version: Option<String>,
    /// Microphone on.
    #[serde(default, deserialize_with = "opt_bool")]
    pub audio_state: Option<bool>,
    /// Camera on.
    #[serde(default, deserialize_with = "opt_bool")]
    pub video_state: Option<bool>,
    /// Sharing the screen.
    #[serde(default, deserialize_with = "opt_bool")]
    pub screen_shared_state: Option<bool>,
    /// Custom data of an exclusive join link.
    #[serde(default, deserialize_with = "opt_string")]
    pub customer_data: Option<String>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Participant {
    /// The IP address under either spelling (`ip` preferred).
    pub fn ip_address(&self) -> Option<&str> {
        self.ip.as_deref().or(self.ip_upper.as_deref())
    }

    /// The display name decoded from Base64 ([`decode_base64_text`]).
    pub fn display_name(&self) -> Option<DecodedText> {
        self.user_name.as_deref().map(decode_base64_text)
    }
}

/// `GET /v1/meetings/{meeting_id}` (docs/specs/tencent-meeting.md §4.2).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[non_exhaustive]
pub struct MeetingDetailResponse {
    /// Number of entries.
    #[serde(default, deserialize_with = "opt_i64")]
    pub meeting_number: Option<i64>,
    /// Normally one entry; empty for old meetings ("detail unavailable").
    #[serde(default, deserialize_with = "null_as_default")]
    pub meeting_info_list: Vec<MeetingInfo>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A meeting's detail (docs/specs/tencent-meeting.md §4.2, MeetingInfo).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[non_exhaustive]
pub struct MeetingInfo {
    /// Meeting id.
    #[serde(default, deserialize_with = "opt_string")]
    pub meeting_id: Option<String>,
    /// Meeting code.
    #[serde(default, deserialize_with = "opt_string")]
    pub meeting_code: Option<String>,
    /// Subject.
    #[serde(default, deserialize_with = "opt_string")]
    pub subject: Option<String>,
    /// State (`MEETING_STATE_*`).
    #[serde(default, deserialize_with = "opt_meeting_status")]
    pub status: Option<MeetingStatus>,
    /// `0` scheduled, `1` instant (wire name `type`).
    #[serde(default, rename = "type", deserialize_with = "opt_i64")]
    pub schedule_type: Option<i64>,
    /// One-off, recurring, …
    #[serde(default, deserialize_with = "opt_meeting_type")]
    pub meeting_type: Option<MeetingType>,
    /// Scheduled start.
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub start_time: Option<OffsetDateTime>,
    /// Scheduled end.
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub end_time: Option<OffsetDateTime>,
    /// The current (ongoing or next) occurrence of a recurring meeting.
    #[serde(default, deserialize_with = "opt_string")]
    pub current_sub_meeting_id: Option<String>,
    /// Occurrences of a recurring meeting.
    #[serde(default, deserialize_with = "null_as_default")]
    pub sub_meetings: Vec<SubMeeting>,
    /// `1`: more occurrence exceptions exist (documented spelling).
    #[serde(default, deserialize_with = "opt_i64")]
    pub has_more_sub_meeting: Option<i64>,
    /// The doc example's spelling of [`Self::has_more_sub_meeting`].
    #[serde(default, deserialize_with = "opt_i64")]
    pub has_more_sub_meetings: Option<i64>,
    /// Remaining occurrences.
    #[serde(default, deserialize_with = "opt_i64")]
    pub remain_sub_meetings: Option<i64>,
    /// Recurrence rule.
    #[serde(default)]
    pub recurring_rule: Option<RecurringRule>,
    /// Hosts (objects or plain userid strings).
    #[serde(default, deserialize_with = "null_as_default")]
    pub hosts: Vec<UserRef>,
    /// Current hosts.
    #[serde(default, deserialize_with = "null_as_default")]
    pub current_hosts: Vec<UserRef>,
    /// Current co-hosts.
    #[serde(default, deserialize_with = "null_as_default")]
    pub current_co_hosts: Vec<UserRef>,
    /// Invitees (at most 200; see the invitees endpoint for all).
    #[serde(default, deserialize_with = "null_as_default")]
    pub participants: Vec<UserRef>,
    /// Join link.
    #[serde(default, deserialize_with = "opt_string")]
    pub join_url: Option<String>,
    /// Meeting password (only for the creator); never shown by `Debug`.
    #[serde(default, deserialize_with = "opt_secret")]
    pub password: Option<SecretString>,
    /// A password exists (for non-creators).
    #[serde(default, deserialize_with = "opt_bool")]
    pub need_password: Option<bool>,
    /// Enrollment enabled.
    #[serde(default, deserialize_with = "opt_bool")]
    pub enable_enroll: Option<bool>,
    /// Host key; never shown by `Debug`.
    #[serde(default, deserialize_with = "opt_secret")]
    pub host_key: Option<SecretString>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MeetingInfo {
    /// Whether this is a recurring meeting (`meeting_type` 1).
    pub fn is_recurring(&self) -> bool {
        self.meeting_type == Some(MeetingType::Recurring)
    }

    /// Whether this is a webinar (`meeting_type` 6).
    pub fn is_webinar(&self) -> bool {
        self.meeting_type == Some(MeetingType::Webinar)
    }

    /// Whether more occurrence exceptions exist, under either spelling.
    pub fn has_more_sub_meetings(&self) -> bool {
        self.has_more_sub_meeting.or(self.has_more_sub_meetings) == Some(1)
    }
}

/// One occurrence of a recurring meeting.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct SubMeeting {
    /// Occurrence id.
    #[serde(default, deserialize_with = "opt_string")]
    pub sub_meeting_id: Option<String>,
    /// `0` exists, `1` deleted.
    #[serde(default, deserialize_with = "opt_i64")]
    pub status: Option<i64>,
    /// Start (number or string).
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub start_time: Option<OffsetDateTime>,
    /// End (number or string).
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub end_time: Option<OffsetDateTime>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SubMeeting {
    /// Whether the occurrence was deleted (`status` 1).
    pub fn is_deleted(&self) -> bool {
        self.status == Some(1)
    }
}

/// A recurring meeting's rule.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct RecurringRule {
    /// `0` daily, `1` workdays, `2` weekly, `3` bi-weekly, `4` monthly.
    #[serde(default, deserialize_with = "opt_i64")]
    pub recurring_type: Option<i64>,
    /// `0` until a date, `1` a number of times.
    #[serde(default, deserialize_with = "opt_i64")]
    pub until_type: Option<i64>,
    /// Last date.
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub until_date: Option<OffsetDateTime>,
    /// Number of occurrences.
    #[serde(default, deserialize_with = "opt_i64")]
    pub until_count: Option<i64>,
    /// Other fields (`customized_*`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A user in a list: an object (`{"userid":"…","nick_name":"…"}`) or, in some responses, a
/// plain userid string.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct UserRef {
    /// User id.
    pub userid: Option<String>,
    /// Nickname.
    pub nick_name: Option<String>,
    /// Other fields.
    pub extra: Map<String, Value>,
}

#[derive(serde::Deserialize)]
struct UserRefObject {
    #[serde(default, deserialize_with = "opt_string")]
    userid: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    nick_name: Option<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl<'de> Deserialize<'de> for UserRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Object(map) => {
                let o: UserRefObject =
                    serde_json::from_value(Value::Object(map)).map_err(serde::de::Error::custom)?;
                Ok(UserRef {
                    userid: o.userid,
                    nick_name: o.nick_name,
                    extra: o.extra,
                })
            }
            other => Ok(UserRef {
                userid: value_as_string(&other),
                ..UserRef::default()
            }),
        }
    }
}

/// `GET /v1/meetings/{meeting_id}/invitees` (docs/specs/tencent-meeting.md §4.4).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct InviteesResponse {
    /// Invitees of this page (`None` when the answer had no array: not a page).
    #[serde(default, deserialize_with = "present_list")]
    pub invitees: Option<Vec<UserRef>>,
    /// More follow; always present on a real page.
    #[serde(default, deserialize_with = "opt_bool")]
    pub has_remaining: Option<bool>,
    /// Opaque position of the next page.
    #[serde(default, deserialize_with = "opt_string")]
    pub next_pos: Option<String>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /v1/corp/meetings`: the account's meetings in one state (docs/specs/discovery.md §1).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct CorpMeetingsResponse {
    /// Page number (from 1).
    #[serde(default, deserialize_with = "opt_i64")]
    pub current_page: Option<i64>,
    /// Rows on this page.
    #[serde(default, deserialize_with = "opt_i64")]
    pub current_size: Option<i64>,
    /// Rows matching the query.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_count: Option<i64>,
    /// Pages matching the query; on every real page (the list's "more" signal).
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_page: Option<i64>,
    /// The meetings (`None` when absent, or of another type).
    #[serde(default, deserialize_with = "present_list")]
    pub meeting_info_list: Option<Vec<CorpMeeting>>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /v1/history/meetings/{userid}`: a user's ended meetings (docs/specs/discovery.md §2).
/// The same page fields as [`CorpMeetingsResponse`]; rows carry times in **seconds**.
pub type HistoryMeetingsResponse = CorpMeetingsResponse;

/// One meeting (one occurrence of a recurring meeting) of [`CorpMeetingsResponse`].
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct CorpMeeting {
    /// Meeting id.
    #[serde(default, deserialize_with = "opt_string")]
    pub meeting_id: Option<String>,
    /// Meeting code.
    #[serde(default, deserialize_with = "opt_string")]
    pub meeting_code: Option<String>,
    /// Subject.
    #[serde(default, deserialize_with = "opt_string")]
    pub subject: Option<String>,
    /// The creator's userid (or rooms_id, see `userid_type`).
    #[serde(default, deserialize_with = "opt_string")]
    pub userid: Option<String>,
    /// `1` userid, `3` rooms_id.
    #[serde(default, deserialize_with = "opt_i64")]
    pub userid_type: Option<i64>,
    /// The creator's nickname.
    #[serde(default, deserialize_with = "opt_string")]
    pub nick_name: Option<String>,
    /// `0` one-off, `1` recurring, `6` webinar.
    #[serde(default, deserialize_with = "opt_i64")]
    pub meeting_type: Option<i64>,
    /// The occurrence of a recurring meeting (absent otherwise).
    #[serde(default, deserialize_with = "opt_string")]
    pub sub_meeting_id: Option<String>,
    /// Start of the media room, Unix **milliseconds**.
    #[serde(default, deserialize_with = "opt_i64")]
    pub start_time: Option<i64>,
    /// End of the media room, Unix milliseconds.
    #[serde(default, deserialize_with = "opt_i64")]
    pub end_time: Option<i64>,
    /// Participants.
    #[serde(default, deserialize_with = "opt_i64")]
    pub participants_num: Option<i64>,
    /// Other fields (`meeting_duration`, `user_meeting_duration`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /v1/meetings/{meeting_id}/enroll/approvals` (docs/specs/tencent-meeting.md §4.3).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct EnrollApprovalsResponse {
    /// Page number.
    #[serde(default, deserialize_with = "opt_i64")]
    pub current_page: Option<i64>,
    /// Rows on this page.
    #[serde(default, deserialize_with = "opt_i64")]
    pub current_size: Option<i64>,
    /// Enrollments matching the filter.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_count: Option<i64>,
    /// Pages matching the filter; always present on a real page (the list's "more" signal).
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_page: Option<i64>,
    /// The enrollments; absent when the page is empty (`None`, also for a field of another
    /// type).
    #[serde(default, deserialize_with = "present_list")]
    pub enroll_list: Option<Vec<Enroll>>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One enrollment.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct Enroll {
    /// Enrollment id (an integer on the wire), as decimal text.
    #[serde(default, deserialize_with = "opt_string")]
    pub enroll_id: Option<String>,
    /// Enrollment time as UTC+8 wall-clock text (not a timestamp), raw.
    #[serde(default, deserialize_with = "opt_string")]
    pub enroll_time: Option<String>,
    /// `1` self-enrolled, `2` imported.
    #[serde(default, deserialize_with = "opt_i64")]
    pub enroll_source_type: Option<i64>,
    /// Nickname (the phone number for phone imports without one).
    #[serde(default, deserialize_with = "opt_string")]
    pub nick_name: Option<String>,
    /// `1` pending, `2` rejected, `3` approved.
    #[serde(default, deserialize_with = "opt_i64")]
    pub status: Option<i64>,
    /// Enterprise user id (same enterprise only).
    #[serde(default, deserialize_with = "opt_string")]
    pub userid: Option<String>,
    /// OAuth open id.
    #[serde(default, deserialize_with = "opt_string")]
    pub open_id: Option<String>,
    /// Per-meeting temporary id; matches participants' `ms_open_id`.
    #[serde(default, deserialize_with = "opt_string")]
    pub ms_open_id: Option<String>,
    /// PSTN dial-in credential.
    #[serde(default, deserialize_with = "opt_string")]
    pub enroll_code: Option<String>,
    /// Answers.
    #[serde(default, deserialize_with = "null_as_default")]
    pub answer_list: Vec<EnrollAnswer>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One answer of an enrollment form (the shape WeCom shares; see
/// [`roster_core::wire::EnrollAnswer`]).
pub use roster_core::wire::EnrollAnswer;

/// A meeting's state (docs/specs/tencent-meeting.md §5.5), unknown states kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MeetingStatus {
    /// `MEETING_STATE_INVALID`.
    Invalid,
    /// `MEETING_STATE_INIT`: not started.
    Init,
    /// `MEETING_STATE_CANCELLED`.
    Cancelled,
    /// `MEETING_STATE_STARTED`: in progress.
    Started,
    /// `MEETING_STATE_ENDED`.
    Ended,
    /// `MEETING_STATE_NULL`: past its end, nobody joined.
    Null,
    /// `MEETING_STATE_RECYCLED`: meeting code recycled.
    Recycled,
    /// A state this version does not know, as sent.
    Unknown(String),
}

impl MeetingStatus {
    /// Maps the wire string.
    pub fn parse(s: &str) -> Self {
        match s.trim() {
            "MEETING_STATE_INVALID" => Self::Invalid,
            "MEETING_STATE_INIT" => Self::Init,
            "MEETING_STATE_CANCELLED" => Self::Cancelled,
            "MEETING_STATE_STARTED" => Self::Started,
            "MEETING_STATE_ENDED" => Self::Ended,
            "MEETING_STATE_NULL" => Self::Null,
            "MEETING_STATE_RECYCLED" => Self::Recycled,
            other => Self::Unknown(other.to_string()),
        }
    }

    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Invalid => "MEETING_STATE_INVALID",
            Self::Init => "MEETING_STATE_INIT",
            Self::Cancelled => "MEETING_STATE_CANCELLED",
            Self::Started => "MEETING_STATE_STARTED",
            Self::Ended => "MEETING_STATE_ENDED",
            Self::Null => "MEETING_STATE_NULL",
            Self::Recycled => "MEETING_STATE_RECYCLED",
            Self::Unknown(s) => s,
        }
    }
}

impl fmt::Display for MeetingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for MeetingStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A meeting's type (`meeting_type`), unknown codes kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MeetingType {
    /// `0` one-off meeting.
    OneOff,
    /// `1` recurring meeting.
    Recurring,
    /// `2` WeChat-exclusive meeting.
    WeChatExclusive,
    /// `4` Rooms screen-cast meeting.
    RoomsScreenCast,
    /// `5` personal meeting id meeting.
    PersonalMeetingId,
    /// `6` webinar (网络研讨会): its enrollments are on the webinar path
    /// (docs/specs/tencent-meeting.md §12.1).
    Webinar,
    /// A code this version does not know.
    Unknown(i64),
}

impl MeetingType {
    /// Maps the wire code.
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => Self::OneOff,
            1 => Self::Recurring,
            2 => Self::WeChatExclusive,
            4 => Self::RoomsScreenCast,
            5 => Self::PersonalMeetingId,
            6 => Self::Webinar,
            other => Self::Unknown(other),
        }
    }

    /// The wire code.
    pub fn code(self) -> i64 {
        match self {
            Self::OneOff => 0,
            Self::Recurring => 1,
            Self::WeChatExclusive => 2,
            Self::RoomsScreenCast => 4,
            Self::PersonalMeetingId => 5,
            Self::Webinar => 6,
            Self::Unknown(c) => c,
        }
    }
}

/// `POST /v1/meetings/export-participants-list` (docs/specs/tencent-meeting.md §12.3): the
/// job created.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct ExportCreateResponse {
    /// The job to poll (a UUID in the doc example).
    #[serde(default, deserialize_with = "opt_string")]
    pub job_id: Option<String>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /v1/export/{job_id}` (docs/specs/tencent-meeting.md §12.3): a job's state.
///
/// `url` is a signed download link valid for two hours: it is held as a secret and never
/// shown by `Debug`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[non_exhaustive]
pub struct ExportJobResponse {
    /// `1` done, `2` failed, `3` processing; anything else is kept as sent.
    #[serde(default, deserialize_with = "opt_i64")]
    pub status: Option<i64>,
    /// The download link (status 1); never shown by `Debug`.
    #[serde(default, deserialize_with = "opt_secret")]
    pub url: Option<SecretString>,
    /// Why the job failed (status 2).
    #[serde(default, deserialize_with = "opt_string")]
    pub error_msg: Option<String>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Paging fields of the page-number lists of docs/specs/tencent-meeting.md §12 (sign-ins,
/// real-time participants, waiting room).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageNumbers {
    /// Page number (from 1).
    pub current_page: Option<i64>,
    /// Rows on this page.
    pub current_size: Option<i64>,
    /// Rows matching the query.
    pub total_count: Option<i64>,
    /// Pages matching the query.
    pub total_page: Option<i64>,
}

/// `page_numbers()` of each page-number answer: its four paging fields as [`PageNumbers`].
macro_rules! page_numbers {
    ($($answer:ty),+) => {$(
        impl $answer {
            /// The paging fields.
            pub fn page_numbers(&self) -> PageNumbers {
                PageNumbers {
                    current_page: self.current_page,
                    current_size: self.current_size,
                    total_count: self.total_count,
                    total_page: self.total_page,
                }
            }
        }
    )+};
}

page_numbers!(
    EnrollApprovalsResponse,
    SignInListResponse,
    SignInRecordsResponse,
    RealtimeParticipantsResponse,
    WaitingRoomResponse
);

/// `GET /v1/meetings/sign-in/list` (docs/specs/tencent-meeting.md §12.4): a meeting's sign-in
/// rounds (签到).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct SignInListResponse {
    /// The rounds of this page (`None` when absent; an empty page may have no array).
    #[serde(default, deserialize_with = "present_list")]
    pub sign_in_list: Option<Vec<SignInInfo>>,
    /// Rounds in all.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_count: Option<i64>,
    /// Pages in all.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_page: Option<i64>,
    /// Page number.
    #[serde(default, deserialize_with = "opt_i64")]
    pub current_page: Option<i64>,
    /// Rows on this page.
    #[serde(default, deserialize_with = "opt_i64")]
    pub current_size: Option<i64>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SignInListResponse {}

/// One sign-in round (docs/specs/tencent-meeting.md §12.4, SignInInfo).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct SignInInfo {
    /// The round's id (`"S42CD414A-…"`).
    #[serde(default, deserialize_with = "opt_string")]
    pub sign_in_id: Option<String>,
    /// When the round started (Unix seconds, number or string).
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub start_time: Option<OffsetDateTime>,
    /// What the host wrote for the round (签到说明).
    #[serde(default, deserialize_with = "opt_string")]
    pub sign_in_specification: Option<String>,
    /// `0` not started, `1` open, `2` closed; unknown values kept.
    #[serde(default, deserialize_with = "opt_i64")]
    pub sign_in_status: Option<i64>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /v1/meetings/sign-in` (docs/specs/tencent-meeting.md §12.5): the records of one round.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct SignInRecordsResponse {
    /// The records of this page, one per signed-in person (`None` when absent).
    #[serde(default, deserialize_with = "present_list")]
    pub events: Option<Vec<SignInEvent>>,
    /// The round queried.
    #[serde(default, deserialize_with = "opt_string")]
    pub sign_in_id: Option<String>,
    /// When the round started.
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub start_time: Option<OffsetDateTime>,
    /// What the host wrote for the round.
    #[serde(default, deserialize_with = "opt_string")]
    pub sign_in_specification: Option<String>,
    /// Records in all.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_count: Option<i64>,
    /// Pages in all.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_page: Option<i64>,
    /// Page number.
    #[serde(default, deserialize_with = "opt_i64")]
    pub current_page: Option<i64>,
    /// Rows on this page.
    #[serde(default, deserialize_with = "opt_i64")]
    pub current_size: Option<i64>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SignInRecordsResponse {}

/// Names the sign-in time may have, in order of preference (docs/specs/tencent-meeting.md
/// §12.5: the field is not documented; `sign_in_time` is roster's choice).
pub const SIGN_IN_TIME_FIELDS: [&str; 4] = ["sign_in_time", "sign_time", "time", "timestamp"];

/// One sign-in record (docs/specs/tencent-meeting.md §12.5, Event). The time field is
/// undocumented: it stays in `extra` under its wire name and is read by
/// [`SignInEvent::signed_in_at`].
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct SignInEvent {
    /// Per-meeting temporary id; joins the record to the sessions.
    #[serde(default, deserialize_with = "opt_string")]
    pub ms_open_id: Option<String>,
    /// Enterprise user id (same enterprise as the host only).
    #[serde(default, deserialize_with = "opt_string")]
    pub userid: Option<String>,
    /// OAuth open id.
    #[serde(default, deserialize_with = "opt_string")]
    pub open_id: Option<String>,
    /// Nickname, raw: plain text, or Base64 (see [`SignInEvent::display_name`]).
    #[serde(default, deserialize_with = "opt_string")]
    pub user_name: Option<String>,
    /// Role code (docs/specs/tencent-meeting.md §5.2), a string or a number on the wire.
    #[serde(default, deserialize_with = "opt_i64")]
    pub user_role: Option<i64>,
    /// Other fields, the sign-in time among them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SignInEvent {
    /// When the person signed in: the first of [`SIGN_IN_TIME_FIELDS`] present, Unix seconds
    /// or milliseconds (above 10¹¹), number or string. A value below 10⁹ is no timestamp (the
    /// write API uses `sign_in_time` for a duration in minutes) and gives `None`, like an
    /// absent one.
    pub fn signed_in_at(&self) -> Option<OffsetDateTime> {
        let value = SIGN_IN_TIME_FIELDS
            .iter()
            .find_map(|k| self.extra.get(*k).filter(|v| !v.is_null()))?;
        let n = value_as_i64(value)?;
        if n < 1_000_000_000 {
            return None;
        }
        unix_seconds_or_millis(n)
    }

    /// The nickname: decoded when the raw value is Base64 of printable UTF-8 text, else the
    /// raw value as plain text (docs/specs/tencent-meeting.md §12.5: the page does not say
    /// Base64). Printable matters: a plain name such as `Bill` is valid Base64 too, of the
    /// bytes `06 29 65`, which are UTF-8 but hold a control character.
    pub fn display_name(&self) -> Option<String> {
        let raw = self.user_name.as_deref()?;
        Some(match decode_base64_text(raw) {
            DecodedText::Text(text)
                if !raw.trim().is_empty()
                    && !text.is_empty()
                    && !text.chars().any(char::is_control) =>
            {
                text
            }
            _ => raw.to_string(),
        })
    }
}

/// `GET /v1/meetings/{meeting_id}/real-time-participants` (docs/specs/tencent-meeting.md
/// §12.6): who is in the meeting now.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct RealtimeParticipantsResponse {
    /// The meeting id.
    #[serde(default, deserialize_with = "opt_string")]
    pub meeting_id: Option<String>,
    /// The meeting code.
    #[serde(default, deserialize_with = "opt_string")]
    pub meeting_code: Option<String>,
    /// The subject, raw (Base64 per the doc; see [`Self::subject_decoded`]).
    #[serde(default, deserialize_with = "opt_string")]
    pub subject: Option<String>,
    /// Scheduled start.
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub schedule_start_time: Option<OffsetDateTime>,
    /// Scheduled end.
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub schedule_end_time: Option<OffsetDateTime>,
    /// The meeting's state: a `MEETING_STATE_*` name, or a number kept as its digits in
    /// [`MeetingStatus::Unknown`].
    #[serde(default, deserialize_with = "opt_meeting_status")]
    pub status: Option<MeetingStatus>,
    /// The people in the meeting on this page (no `left_time`; `None` when absent).
    #[serde(default, deserialize_with = "present_list")]
    pub participants: Option<Vec<Participant>>,
    /// Page number.
    #[serde(default, deserialize_with = "opt_i64")]
    pub current_page: Option<i64>,
    /// Rows on this page.
    #[serde(default, deserialize_with = "opt_i64")]
    pub current_size: Option<i64>,
    /// People in the meeting.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_count: Option<i64>,
    /// Pages in all.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_page: Option<i64>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl RealtimeParticipantsResponse {
    /// The subject decoded as lenient Base64 when it is Base64 of UTF-8 text, else as sent.
    pub fn subject_decoded(&self) -> Option<DecodedText> {
        self.subject.as_deref().map(decode_base64_text)
    }
}

/// `GET /v1/meeting/{meeting_id}/waiting-room` (docs/specs/tencent-meeting.md §12.7): the
/// waiting room's log. Times are Unix **milliseconds** on this endpoint.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct WaitingRoomResponse {
    /// The meeting id.
    #[serde(default, deserialize_with = "opt_string")]
    pub meeting_id: Option<String>,
    /// The meeting code (a PMI meeting's PMI code).
    #[serde(default, deserialize_with = "opt_string")]
    pub meeting_code: Option<String>,
    /// The subject, raw (plain per the doc).
    #[serde(default, deserialize_with = "opt_string")]
    pub subject: Option<String>,
    /// Scheduled start (milliseconds on the wire).
    #[serde(default, deserialize_with = "opt_unix_millis")]
    pub schedule_start_time: Option<OffsetDateTime>,
    /// Scheduled end (milliseconds on the wire).
    #[serde(default, deserialize_with = "opt_unix_millis")]
    pub schedule_end_time: Option<OffsetDateTime>,
    /// One row per stay in the waiting room (`None` when absent).
    #[serde(default, deserialize_with = "present_list")]
    pub participants: Option<Vec<WaitingRoomParticipant>>,
    /// Page number.
    #[serde(default, deserialize_with = "opt_i64")]
    pub current_page: Option<i64>,
    /// Rows on this page.
    #[serde(default, deserialize_with = "opt_i64")]
    pub current_size: Option<i64>,
    /// Rows in all.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_count: Option<i64>,
    /// Pages in all.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_page: Option<i64>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl WaitingRoomResponse {
    /// The subject decoded as lenient Base64 when it is Base64 of UTF-8 text, else as sent.
    pub fn subject_decoded(&self) -> Option<DecodedText> {
        self.subject.as_deref().map(decode_base64_text)
    }
}

/// One stay in the waiting room (docs/specs/tencent-meeting.md §12.7, Participant).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[non_exhaustive]
pub struct WaitingRoomParticipant {
    /// Base64 of the display name, raw.
    #[serde(default, deserialize_with = "opt_string")]
    pub user_name: Option<String>,
    /// Enterprise user id.
    #[serde(default, deserialize_with = "opt_string")]
    pub userid: Option<String>,
    /// OAuth open id.
    #[serde(default, deserialize_with = "opt_string")]
    pub open_id: Option<String>,
    /// Per-meeting temporary id.
    #[serde(default, deserialize_with = "opt_string")]
    pub ms_open_id: Option<String>,
    /// Device type code (a decimal string on the wire, numbers accepted).
    #[serde(default, deserialize_with = "opt_i64")]
    pub instanceid: Option<i64>,
    /// Entered the waiting room (milliseconds on the wire).
    #[serde(default, deserialize_with = "opt_unix_millis")]
    pub join_time: Option<OffsetDateTime>,
    /// Left it; `None` while still waiting (`0`, `""` or absent).
    #[serde(default, deserialize_with = "opt_unix_millis")]
    pub left_time: Option<OffsetDateTime>,
    /// Client version.
    #[serde(default, deserialize_with = "opt_string")]
    pub app_version: Option<String>,
    /// Nickname of an exclusive-link entry.
    #[serde(default, deserialize_with = "opt_string")]
    pub customer_data: Option<String>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl WaitingRoomParticipant {
    /// The display name decoded from Base64 ([`decode_base64_text`]).
    pub fn display_name(&self) -> Option<DecodedText> {
        self.user_name.as_deref().map(decode_base64_text)
    }
}

/// `Option<OffsetDateTime>` from Unix milliseconds (number or string), as documented
/// ([`roster_core::wire::unix_millis`]). `0`, `""` and `null` mean "no time".
fn opt_unix_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    Ok(opt_i64(d)?.and_then(roster_core::wire::unix_millis))
}

fn opt_meeting_status<'de, D: Deserializer<'de>>(d: D) -> Result<Option<MeetingStatus>, D::Error> {
    Ok(opt_string(d)?
        .filter(|s| !s.trim().is_empty())
        .map(|s| MeetingStatus::parse(&s)))
}

fn opt_meeting_type<'de, D: Deserializer<'de>>(d: D) -> Result<Option<MeetingType>, D::Error> {
    Ok(opt_i64(d)?.map(MeetingType::from_code))
}

fn opt_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    Ok(opt_string(d)?
        .filter(|s| !s.is_empty())
        .map(SecretString::from))
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::ExposeSecret;
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn doc_example_page() {
        let body = r#"{"meeting_id":"144115214488302892","meeting_code":"746950080","subject":"Test Meeting",
 "schedule_start_time":"1572085800","schedule_end_time":"1572089400","has_remaining":false,
 "participants":[{"userid":"test2","user_name":"dGvzdDI=",
   "phone":"0A07C3D999F5E29535D809857B5C44C51B819798542B241EC286F7DC828E0C01",
   "join_time":"1572085800","left_time":"1572089400","instanceid":1}]}"#;
        let r: ParticipantsResponse = serde_json::from_str(body).unwrap();
        assert_eq!(r.meeting_id.as_deref(), Some("144115214488302892"));
        assert_eq!(r.has_remaining, Some(false));
        assert_eq!(r.next_pos, None);
        assert_eq!(r.schedule_start_time, Some(datetime!(2019-10-26 10:30 UTC)));
        let p = &r.participants.as_ref().unwrap()[0];
        assert_eq!(p.userid.as_deref(), Some("test2"));
        assert_eq!(p.join_time, Some(datetime!(2019-10-26 10:30 UTC)));
        assert_eq!(p.left_time, Some(datetime!(2019-10-26 11:30 UTC)));
        assert!(p.display_name().unwrap().is_undecodable());
        assert!(r.extra.is_empty() && p.extra.is_empty());
    }

    #[test]
    fn quirks_strings_numbers_open_sessions_ip_spellings_unknown_fields() {
        for (left, open) in [
            (json!(""), true),
            (json!("0"), true),
            (json!(0), true),
            (json!(null), true),
            (json!("1572089400"), false),
            (json!(1572089400), false),
        ] {
            let p: Participant =
                serde_json::from_value(json!({"join_time": 1572085800, "left_time": left.clone()}))
                    .unwrap();
            assert_eq!(p.left_time.is_none(), open, "{left}");
            assert!(p.join_time.is_some());
        }
        let p: Participant =
            serde_json::from_value(json!({"IP": "10.0.0.1", "instanceid": "99", "new_field": [1]}))
                .unwrap();
        assert_eq!(p.ip_address(), Some("10.0.0.1"));
        assert_eq!(p.instanceid, Some(99));
        assert_eq!(p.extra["new_field"], json!([1]));
        let both: Participant =
            serde_json::from_value(json!({"IP": "1.1.1.1", "ip": "2.2.2.2"})).unwrap();
        assert_eq!(both.ip_address(), Some("2.2.2.2"));
        assert_eq!(both.ip_upper.as_deref(), Some("1.1.1.1"));
    }

    #[test]
    fn next_pos_as_number_or_string_and_null_lists() {
        let a: ParticipantsResponse =
            serde_json::from_value(json!({"has_remaining": true, "next_pos": 5678, "participants": null, "total_count": "60000"})).unwrap();
        let b: ParticipantsResponse =
            serde_json::from_value(json!({"has_remaining": "true", "next_pos": "5678"})).unwrap();
        assert_eq!(a.next_pos.as_deref(), Some("5678"));
        assert_eq!(a.next_pos, b.next_pos);
        assert_eq!(a.total_count, Some(60_000));
        assert_eq!(a.participants, Some(vec![]), "null is an empty array");
        assert_eq!(b.participants, None, "absent is no array at all");
    }

    #[test]
    fn meeting_detail_mixed_forms_and_secrets() {
        let body = json!({"meeting_number": 1, "meeting_info_list": [{
            "meeting_id": "7567173273889276131", "subject": "周会", "status": "MEETING_STATE_SOMETHING_NEW",
            "type": 0, "meeting_type": 1, "start_time": "1572085800", "end_time": 1572089400,
            "current_sub_meeting_id": 1572085800u64,
            "sub_meetings": [{"sub_meeting_id": "1572085800", "status": 0, "start_time": 1572085800, "end_time": "1572089400"},
                              {"sub_meeting_id": "1572690600", "status": 1}],
            "has_more_sub_meetings": 1,
            "hosts": ["tester", {"userid": "owner1", "x": 1}], "participants": null,
            "password": "123456", "host_key": "654321",
            "settings": {"mute_enable_join": true}
        }]});
        let r: MeetingDetailResponse = serde_json::from_value(body).unwrap();
        let m = &r.meeting_info_list[0];
        assert!(m.is_recurring());
        assert!(m.has_more_sub_meetings());
        assert_eq!(
            m.status,
            Some(MeetingStatus::Unknown("MEETING_STATE_SOMETHING_NEW".into()))
        );
        assert_eq!(m.current_sub_meeting_id.as_deref(), Some("1572085800"));
        assert_eq!(m.sub_meetings.len(), 2);
        assert!(m.sub_meetings[1].is_deleted());
        assert_eq!(
            m.sub_meetings[0].end_time,
            Some(datetime!(2019-10-26 11:30 UTC))
        );
        assert_eq!(m.hosts[0].userid.as_deref(), Some("tester"));
        assert_eq!(m.hosts[1].userid.as_deref(), Some("owner1"));
        assert_eq!(m.hosts[1].extra["x"], json!(1));
        assert_eq!(m.password.as_ref().unwrap().expose_secret(), "123456");
        let shown = format!("{m:?}");
        assert!(
            !shown.contains("123456") && !shown.contains("654321"),
            "{shown}"
        );
        assert!(m.extra.contains_key("settings"));
        let empty: MeetingDetailResponse =
            serde_json::from_value(json!({"meeting_number": 0, "meeting_info_list": []})).unwrap();
        assert!(empty.meeting_info_list.is_empty());
    }

    #[test]
    fn enrollments_absent_list_and_answers() {
        let r: EnrollApprovalsResponse = serde_json::from_value(
            json!({"current_page": 3, "current_size": 0, "total_count": 100, "total_page": 2}),
        )
        .unwrap();
        assert_eq!(r.enroll_list, None, "absent on an empty page");
        let e: Enroll = serde_json::from_value(json!({
            "enroll_id": 123456789012345u64, "enroll_time": "2023-03-23 10:00:00", "status": 3,
            "answer_list": [{"answer_content": ["a", "b"], "special_type": 2},
                            {"answer_content": "single", "question_num": "2"},
                            {"answer_content": null}]
        }))
        .unwrap();
        assert_eq!(e.enroll_id.as_deref(), Some("123456789012345"));
        assert_eq!(e.answer_list[0].answer_content, vec!["a", "b"]);
        assert_eq!(e.answer_list[1].answer_content, vec!["single"]);
        assert_eq!(e.answer_list[1].question_num, Some(2));
        assert!(e.answer_list[2].answer_content.is_empty());
    }

    #[test]
    fn error_body() {
        let e: ErrorBody = serde_json::from_str(
            r#"{"error_info":{"error_code":190303,"new_error_code":200190303,"message":"x"}}"#,
        )
        .unwrap();
        let i = e.error_info.unwrap();
        assert_eq!(
            (i.error_code, i.new_error_code),
            (Some(190303), Some(200190303))
        );
        let none: ErrorBody = serde_json::from_str("{}").unwrap();
        assert!(none.error_info.is_none());
    }

    #[test]
    fn export_answers_doc_examples_and_the_url_is_secret() {
        let c: ExportCreateResponse =
            serde_json::from_str(r#"{"job_id":"e1234567-f123-4d12-123a-12346192e332"}"#).unwrap();
        assert_eq!(
            c.job_id.as_deref(),
            Some("e1234567-f123-4d12-123a-12346192e332")
        );
        let j: ExportJobResponse = serde_json::from_str(
            r#"{"status":1,"url":"https://www.xxxx.xxxx.com/job1?sign=S3CRET","later":true}"#,
        )
        .unwrap();
        assert_eq!(j.status, Some(1));
        assert_eq!(
            j.url.as_ref().unwrap().expose_secret(),
            "https://www.xxxx.xxxx.com/job1?sign=S3CRET"
        );
        assert_eq!(j.extra["later"], json!(true));
        let shown = format!("{j:?}");
        assert!(
            !shown.contains("S3CRET") && !shown.contains("xxxx"),
            "{shown}"
        );
        let f: ExportJobResponse =
            serde_json::from_value(json!({"status": "2", "error_msg": "export failed"})).unwrap();
        assert_eq!(
            (f.status, f.error_msg.as_deref()),
            (Some(2), Some("export failed"))
        );
        assert!(f.url.is_none());
    }

    #[test]
    fn sign_in_rounds_and_records() {
        let r: SignInListResponse = serde_json::from_value(json!({
            "sign_in_list": [{"sign_in_id": "S42CD414A-6EBD-XXXX-XXXX-C6437FC76741",
                              "start_time": 1572085800, "sign_in_specification": "上课签到",
                              "sign_in_status": 2, "new": 1},
                             {"sign_in_id": "S2", "start_time": "1572089400", "sign_in_status": 7}],
            "total_count": 2, "total_page": 1, "current_page": 1, "current_size": 2
        }))
        .unwrap();
        let rounds = r.sign_in_list.as_ref().unwrap();
        assert_eq!(rounds[0].start_time, Some(datetime!(2019-10-26 10:30 UTC)));
        assert_eq!(rounds[0].sign_in_specification.as_deref(), Some("上课签到"));
        assert_eq!(rounds[0].extra["new"], json!(1));
        assert_eq!(rounds[1].sign_in_status, Some(7), "unknown status kept");
        assert_eq!(r.page_numbers().total_page, Some(1));
        let empty: SignInListResponse =
            serde_json::from_value(json!({"total_count": 0, "total_page": 0})).unwrap();
        assert_eq!(empty.sign_in_list, None);

        let rec: SignInRecordsResponse = serde_json::from_value(json!({
            "total_count": 1, "current_size": 1, "total_page": 1, "current_page": 1,
            "sign_in_id": "S2", "start_time": 1572089400, "sign_in_specification": "x",
            "events": [{"ms_open_id": "ms-1", "userid": "", "open_id": "", "user_name": "张三",
                        "user_role": "3", "sign_in_time": 1572089460}]
        }))
        .unwrap();
        let e = &rec.events.as_ref().unwrap()[0];
        assert_eq!(e.user_role, Some(3), "a string of digits");
        assert_eq!(e.display_name().as_deref(), Some("张三"), "plain text");
        assert_eq!(e.signed_in_at(), Some(datetime!(2019-10-26 11:31 UTC)));
    }

    #[test]
    fn sign_in_time_is_read_leniently_and_never_from_a_duration() {
        let at = |v: Value| {
            serde_json::from_value::<SignInEvent>(v)
                .unwrap()
                .signed_in_at()
        };
        let t = Some(datetime!(2019-10-26 11:31 UTC));
        assert_eq!(at(json!({"sign_in_time": "1572089460"})), t);
        assert_eq!(at(json!({"sign_in_time": 1572089460000i64})), t, "ms");
        assert_eq!(at(json!({"sign_time": 1572089460})), t);
        assert_eq!(at(json!({"time": "1572089460000"})), t);
        assert_eq!(at(json!({"timestamp": 1572089460})), t);
        assert_eq!(
            at(json!({"sign_in_time": null, "sign_time": 1572089460})),
            t,
            "null is absent"
        );
        assert_eq!(at(json!({"sign_in_time": 15})), None, "minutes, not a time");
        assert_eq!(at(json!({"sign_in_time": "soon"})), None);
        assert_eq!(at(json!({})), None);
    }

    #[test]
    fn sign_in_names_plain_or_base64() {
        let name = |raw: &str| {
            serde_json::from_value::<SignInEvent>(json!({ "user_name": raw }))
                .unwrap()
                .display_name()
        };
        assert_eq!(name("5byg5LiJ").as_deref(), Some("张三"), "Base64 of UTF-8");
        assert_eq!(name("张三").as_deref(), Some("张三"));
        assert_eq!(
            name("dGvzdDI=").as_deref(),
            Some("dGvzdDI="),
            "not UTF-8: raw"
        );
        assert_eq!(name("Guest 1").as_deref(), Some("Guest 1"));
        assert_eq!(name("").as_deref(), Some(""));
        // Valid Base64 of valid UTF-8, but of a control character: a plain name.
        assert_eq!(name("Bill").as_deref(), Some("Bill"));
    }

    #[test]
    fn realtime_participants_page() {
        let r: RealtimeParticipantsResponse = serde_json::from_value(json!({
            "meeting_id": "1", "meeting_code": "746950080", "subject": "5byg5LiJ",
            "schedule_start_time": "1572085800", "schedule_end_time": "1572089400",
            "status": "MEETING_STATE_STARTED",
            "participants": [{"userid": "u1", "ms_open_id": "ms-1", "user_name": "dBVzdDE=",
                              "join_time": "1572085800", "instanceid": 99, "user_role": 2,
                              "join_type": 1, "audio_state": true, "app_version": "3.0"}],
            "current_page": 1, "current_size": 1, "total_count": 1, "total_page": 1
        }))
        .unwrap();
        assert_eq!(r.status, Some(MeetingStatus::Started));
        assert_eq!(r.subject_decoded().unwrap().as_str(), "张三");
        let p = &r.participants.as_ref().unwrap()[0];
        assert_eq!(p.join_time, Some(datetime!(2019-10-26 10:30 UTC)));
        assert_eq!(p.left_time, None);
        let numbered: RealtimeParticipantsResponse =
            serde_json::from_value(json!({"status": 3, "participants": [], "total_page": 0}))
                .unwrap();
        assert_eq!(numbered.status, Some(MeetingStatus::Unknown("3".into())));
    }

    #[test]
    fn waiting_room_times_in_ms_and_open_stays() {
        let r: WaitingRoomResponse = serde_json::from_value(json!({
            "meeting_id": "1", "meeting_code": "PMI123", "subject": "周会",
            "schedule_start_time": 1572085800000i64, "schedule_end_time": "1572089400000",
            "participants": [
                {"user_name": "5byg5LiJ", "userid": "u1", "ms_open_id": "ms-1", "instanceid": "2",
                 "join_time": 1572085800000i64, "left_time": 1572085860000i64, "x": 1},
                {"user_name": "dGvzdDI=", "instanceid": 3, "join_time": "1572085800000", "left_time": 0},
                {"instanceid": "99", "join_time": 1572085800000i64, "left_time": ""},
                {"instanceid": "", "join_time": 1572085800000i64}
            ],
            "current_size": 4, "total_count": 4, "current_page": 1, "total_page": 1
        }))
        .unwrap();
        assert_eq!(r.schedule_start_time, Some(datetime!(2019-10-26 10:30 UTC)));
        assert_eq!(r.schedule_end_time, Some(datetime!(2019-10-26 11:30 UTC)));
        let rows = r.participants.unwrap();
        assert_eq!(rows[0].instanceid, Some(2), "a decimal string");
        assert_eq!(rows[0].left_time, Some(datetime!(2019-10-26 10:31 UTC)));
        assert_eq!(rows[0].extra["x"], json!(1));
        assert_eq!(rows[1].instanceid, Some(3), "or a number");
        for open in &rows[1..] {
            assert_eq!(open.left_time, None, "0, \"\" or absent: still waiting");
            assert_eq!(open.join_time, Some(datetime!(2019-10-26 10:30 UTC)));
        }
        assert_eq!(rows[3].instanceid, None);
    }

    #[test]
    fn webinar_meeting_type() {
        let m: MeetingInfo = serde_json::from_value(json!({"meeting_type": 6})).unwrap();
        assert!(m.is_webinar() && !m.is_recurring());
        assert_eq!(MeetingType::from_code(6).code(), 6);
        let m: MeetingInfo = serde_json::from_value(json!({"meeting_type": "1"})).unwrap();
        assert!(!m.is_webinar() && m.is_recurring());
    }

    mod garbage {
        use super::super::*;
        use proptest::prelude::*;

        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or(Value::Null)),
                ".{0,12}".prop_map(Value::String),
            ];
            leaf.prop_recursive(3, 24, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::vec(
                        (
                            prop_oneof![
                                Just("participants".to_string()),
                                Just("join_time".to_string()),
                                Just("user_name".to_string()),
                                Just("next_pos".to_string()),
                                Just("has_remaining".to_string()),
                                Just("meeting_info_list".to_string()),
                                Just("sub_meetings".to_string()),
                                Just("hosts".to_string()),
                                Just("enroll_list".to_string()),
                                Just("answer_list".to_string()),
                                Just("answer_content".to_string()),
                                Just("error_info".to_string()),
                                Just("error_code".to_string()),
                                Just("events".to_string()),
                                Just("sign_in_time".to_string()),
                                Just("left_time".to_string()),
                                Just("status".to_string()),
                                Just("url".to_string()),
                                ".{0,6}".prop_map(|s| s),
                            ],
                            inner,
                        ),
                        0..5
                    )
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
                ]
            })
        }

        fn decode_all(bytes: &[u8]) {
            let _ = serde_json::from_slice::<ParticipantsResponse>(bytes);
            let _ = serde_json::from_slice::<MeetingDetailResponse>(bytes);
            let _ = serde_json::from_slice::<EnrollApprovalsResponse>(bytes);
            let _ = serde_json::from_slice::<InviteesResponse>(bytes);
            let _ = serde_json::from_slice::<ErrorBody>(bytes);
            let _ = serde_json::from_slice::<ExportCreateResponse>(bytes);
            let _ = serde_json::from_slice::<ExportJobResponse>(bytes);
            let _ = serde_json::from_slice::<SignInListResponse>(bytes);
            let _ = serde_json::from_slice::<RealtimeParticipantsResponse>(bytes);
            let _ = crate::export::decode_export_file(bytes);
            if let Ok(r) = serde_json::from_slice::<SignInRecordsResponse>(bytes) {
                for e in r.events.into_iter().flatten() {
                    let _ = crate::convert::sign_in_from_event(e, "1", "s", None, None);
                }
            }
            if let Ok(r) = serde_json::from_slice::<WaitingRoomResponse>(bytes) {
                for p in r.participants.into_iter().flatten() {
                    let _ = crate::convert::waiting_room_entry_from(p, "1");
                }
            }
        }

        proptest! {
            #[test]
            fn decoders_never_panic_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
                decode_all(&bytes);
            }

            #[test]
            fn decoders_never_panic_on_json(v in json_value()) {
                let bytes = serde_json::to_vec(&v).unwrap();
                decode_all(&bytes);
                if let Ok(r) = serde_json::from_slice::<ParticipantsResponse>(&bytes) {
                    for p in r.participants.into_iter().flatten() {
                        let _ = crate::convert::attendee_from_participant(p, "1", None);
                    }
                }
                if let Ok(r) = serde_json::from_slice::<EnrollApprovalsResponse>(&bytes) {
                    for e in r.enroll_list.into_iter().flatten() {
                        let _ = crate::convert::registration_from_enroll(e, "1");
                    }
                }
            }
        }
    }
}
