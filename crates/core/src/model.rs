//! The unified attendance model every vendor maps into.
//!
//! JSON keys of [`Attendee`] and [`Registration`] are a contract: the CLI's JSON, JSON Lines and
//! CSV output and users' scripts depend on them. Times serialize as RFC 3339 (or `null`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::enums::{
    Device, JoinType, QuestionType, RegistrationSource, RegistrationStatus, Role, SpecialType,
    WebinarRole,
};
use crate::vendor::Vendor;

/// Key in `extra` set to `true` when a vendor's display name could not be decoded to text
/// (for example Tencent Base64 names whose bytes are not UTF-8); `display_name` then holds the
/// raw value as sent.
pub const EXTRA_NAME_UNDECODABLE: &str = "display_name_undecodable";

/// One join session of one person in a meeting.
///
/// A person who joins three times appears as three `Attendee`s; [`crate::reconcile()`] merges
/// them. Vendor fields that have no place here are kept in [`Attendee::extra`], so nothing the
/// vendor sent is lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Attendee {
    /// The platform this record came from.
    pub vendor: Vendor,
    /// The vendor's meeting id (Quanshi: the `eventId`).
    pub meeting_id: String,
    /// The occurrence of a recurring meeting (WeCom `sub_meetingid`, Tencent `sub_meeting_id`,
    /// Quanshi `tempConferenceId`).
    pub sub_meeting_id: Option<String>,
    /// Enterprise user id, for members of the organisation.
    pub user_id: Option<String>,
    /// Per-meeting temporary id (WeCom `tmp_openid`, Tencent `ms_open_id`); joins attendance to
    /// enrollments.
    pub temp_id: Option<String>,
    /// OAuth open id, where the vendor gives one.
    pub open_id: Option<String>,
    /// The display name, decoded; see [`EXTRA_NAME_UNDECODABLE`].
    pub display_name: Option<String>,
    /// When this session started.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub joined_at: Option<OffsetDateTime>,
    /// When this session ended; `None` while the person is still in the meeting.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub left_at: Option<OffsetDateTime>,
    /// Device type.
    pub device: Option<Device>,
    /// Meeting role.
    pub role: Option<Role>,
    /// Webinar role.
    pub webinar_role: Option<WebinarRole>,
    /// How the person joined.
    pub join_type: Option<JoinType>,
    /// Network type as the vendor reports it (`WIFI`, `4G`, 有线 …).
    pub network: Option<String>,
    /// Microphone on.
    pub audio: Option<bool>,
    /// Camera on.
    pub video: Option<bool>,
    /// Sharing the screen.
    pub screen_share: Option<bool>,
    /// Vendor hash of the phone number (Tencent: SHA-256 of `phone + "/" + SecretId`, upper-case
    /// hex). Not unique: never use it to tell people apart.
    pub phone_hash: Option<String>,
    /// Phone number, where the vendor gives it in clear.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Company name.
    pub company: Option<String>,
    /// Every vendor field not mapped above, under its wire name.
    #[serde(default)]
    pub extra: Map<String, Value>,
}

impl Attendee {
    /// An empty session record; vendor crates fill in the fields they have.
    pub fn new(vendor: Vendor, meeting_id: impl Into<String>) -> Self {
        Self {
            vendor,
            meeting_id: meeting_id.into(),
            sub_meeting_id: None,
            user_id: None,
            temp_id: None,
            open_id: None,
            display_name: None,
            joined_at: None,
            left_at: None,
            device: None,
            role: None,
            webinar_role: None,
            join_type: None,
            network: None,
            audio: None,
            video: None,
            screen_share: None,
            phone_hash: None,
            phone: None,
            email: None,
            company: None,
            extra: Map::new(),
        }
    }

    /// Whether the display name is the raw, undecodable vendor value.
    pub fn name_undecodable(&self) -> bool {
        self.extra.get(EXTRA_NAME_UNDECODABLE) == Some(&Value::Bool(true))
    }

    /// Seconds between join and leave, if both are known and in order.
    pub fn duration_seconds(&self) -> Option<u64> {
        let (start, end) = (self.joined_at?, self.left_at?);
        u64::try_from((end - start).whole_seconds()).ok()
    }
}

/// One answer to an enrollment question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Answer {
    /// Question number (1, 2, 3 …).
    pub question_num: Option<i64>,
    /// Question title.
    pub title: Option<String>,
    /// Kind of question.
    pub question_type: Option<QuestionType>,
    /// Special meaning (phone, e-mail, name, company).
    pub special_type: Option<SpecialType>,
    /// Whether the question was required.
    pub required: Option<bool>,
    /// The answer text(s): one for single choice and short answers, several for multiple choice.
    #[serde(default)]
    pub values: Vec<String>,
    /// Vendor fields of the answer not mapped above (omitted from JSON when empty).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl Answer {
    /// An answer with the given values and nothing else known.
    pub fn new(values: Vec<String>) -> Self {
        Self {
            question_num: None,
            title: None,
            question_type: None,
            special_type: None,
            required: None,
            values,
            extra: Map::new(),
        }
    }

    /// The first non-empty value, trimmed.
    pub fn first_value(&self) -> Option<&str> {
        self.values.iter().map(|v| v.trim()).find(|v| !v.is_empty())
    }
}

/// An enrollment (WeCom, Tencent Meeting) or invitation (Quanshi) for a meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Registration {
    /// The platform this record came from.
    pub vendor: Vendor,
    /// The vendor's meeting id.
    pub meeting_id: String,
    /// Enrollment id (WeCom string, Tencent integer as text) or Quanshi invitee user id.
    pub registration_id: Option<String>,
    /// Approval or invitation state.
    pub status: Option<RegistrationStatus>,
    /// Enterprise user id, for members of the organisation.
    pub user_id: Option<String>,
    /// Per-meeting temporary id; matches [`Attendee::temp_id`].
    pub temp_id: Option<String>,
    /// OAuth open id.
    pub open_id: Option<String>,
    /// Name: the vendor nickname, else the answer to a "name" question.
    pub display_name: Option<String>,
    /// When the person registered (vendors send UTC+8 wall-clock text; the raw text is kept in
    /// `extra` under its wire name).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub registered_at: Option<OffsetDateTime>,
    /// Self-enrolled or imported.
    pub source: Option<RegistrationSource>,
    /// Phone number (from a phone question or the vendor's contact fields).
    pub phone: Option<String>,
    /// E-mail (from an e-mail question or the vendor's contact fields).
    pub email: Option<String>,
    /// Company (from a company question or the vendor's contact fields).
    pub company: Option<String>,
    /// Answers to the enrollment form.
    #[serde(default)]
    pub answers: Vec<Answer>,
    /// Every vendor field not mapped above, under its wire name.
    #[serde(default)]
    pub extra: Map<String, Value>,
}

impl Registration {
    /// An empty registration; vendor crates fill in the fields they have.
    pub fn new(vendor: Vendor, meeting_id: impl Into<String>) -> Self {
        Self {
            vendor,
            meeting_id: meeting_id.into(),
            registration_id: None,
            status: None,
            user_id: None,
            temp_id: None,
            open_id: None,
            display_name: None,
            registered_at: None,
            source: None,
            phone: None,
            email: None,
            company: None,
            answers: Vec::new(),
            extra: Map::new(),
        }
    }

    /// Copies the answers to special questions (name, phone, e-mail, company) into the contact
    /// fields. Phone, e-mail and company answers win over vendor fields, because the person typed
    /// them; a name answer fills `display_name` only when the vendor gave none (WeCom shows the
    /// phone number as nickname for phone imports, so a typed name is kept as well in that case).
    pub fn apply_special_answers(&mut self) {
        let answered = |kind: SpecialType| {
            self.answers
                .iter()
                .rev() // the last answer of a kind wins
                .filter(|a| a.special_type == Some(kind))
                .find_map(|a| a.first_value())
                .map(str::to_string)
        };
        let (name, phone, email, company) = (
            answered(SpecialType::Name),
            answered(SpecialType::Phone),
            answered(SpecialType::Email),
            answered(SpecialType::Company),
        );
        // Contact fields first, so that the name rule below sees the final phone whatever the
        // order of the answers.
        if let Some(v) = phone {
            self.phone = Some(v);
        }
        if let Some(v) = email {
            self.email = Some(v);
        }
        if let Some(v) = company {
            self.company = Some(v);
        }
        if let Some(v) = name {
            let nickname_is_phone = self.display_name.is_some() && self.display_name == self.phone;
            if self.display_name.as_deref().is_none_or(str::is_empty) || nickname_is_phone {
                self.display_name = Some(v);
            }
        }
    }
}

/// One person's sign-in (签到) to one sign-in round of a meeting.
///
/// A host starts a round during the meeting and people confirm they are there; a round nobody
/// signed in to yields no record. Tencent Meeting has them; WeCom and Quanshi do not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SignIn {
    /// The platform.
    pub vendor: Vendor,
    /// The meeting.
    pub meeting_id: String,
    /// The sign-in round.
    pub sign_in_id: String,
    /// When the round started.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub round_started_at: Option<OffsetDateTime>,
    /// What the host wrote for the round.
    pub round_description: Option<String>,
    /// Enterprise user id (people of the host's enterprise).
    pub user_id: Option<String>,
    /// Per-meeting temporary id (Tencent `ms_open_id`): joins a sign-in to the sessions.
    pub temp_id: Option<String>,
    /// OAuth open id.
    pub open_id: Option<String>,
    /// Name shown in the meeting.
    pub display_name: Option<String>,
    /// Role in the meeting.
    pub role: Option<Role>,
    /// When the person signed in, where the vendor says.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub signed_in_at: Option<OffsetDateTime>,
    /// Vendor fields without a place above.
    #[serde(default)]
    pub extra: Map<String, Value>,
}

impl SignIn {
    /// An empty sign-in; vendor crates fill in the fields they have.
    pub fn new(
        vendor: Vendor,
        meeting_id: impl Into<String>,
        sign_in_id: impl Into<String>,
    ) -> Self {
        Self {
            vendor,
            meeting_id: meeting_id.into(),
            sign_in_id: sign_in_id.into(),
            round_started_at: None,
            round_description: None,
            user_id: None,
            temp_id: None,
            open_id: None,
            display_name: None,
            role: None,
            signed_in_at: None,
            extra: Map::new(),
        }
    }
}

/// One stay in a meeting's waiting room: from entering it to leaving it (admitted, removed or
/// gone; the vendors do not say which). Someone still waiting has no `left_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WaitingRoomEntry {
    /// The platform.
    pub vendor: Vendor,
    /// The meeting.
    pub meeting_id: String,
    /// Enterprise user id.
    pub user_id: Option<String>,
    /// Per-meeting temporary id.
    pub temp_id: Option<String>,
    /// OAuth open id.
    pub open_id: Option<String>,
    /// Name shown in the waiting room.
    pub display_name: Option<String>,
    /// The device.
    pub device: Option<Device>,
    /// Entered the waiting room.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub entered_at: Option<OffsetDateTime>,
    /// Left it (none while still waiting).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub left_at: Option<OffsetDateTime>,
    /// Vendor fields without a place above.
    #[serde(default)]
    pub extra: Map<String, Value>,
}

impl WaitingRoomEntry {
    /// An empty entry; vendor crates fill in the fields they have.
    pub fn new(vendor: Vendor, meeting_id: impl Into<String>) -> Self {
        Self {
            vendor,
            meeting_id: meeting_id.into(),
            user_id: None,
            temp_id: None,
            open_id: None,
            display_name: None,
            device: None,
            entered_at: None,
            left_at: None,
            extra: Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    /// The fixed key list of the issue, in order.
    const ATTENDEE_KEYS: [&str; 22] = [
        "vendor",
        "meeting_id",
        "sub_meeting_id",
        "user_id",
        "temp_id",
        "open_id",
        "display_name",
        "joined_at",
        "left_at",
        "device",
        "role",
        "webinar_role",
        "join_type",
        "network",
        "audio",
        "video",
        "screen_share",
        "phone_hash",
        "phone",
        "email",
        "company",
        "extra",
    ];

    fn sample() -> Attendee {
        let mut a = Attendee::new(Vendor::TencentMeeting, "7567173273889276131");
        a.user_id = Some("test2".into());
        a.temp_id = Some("ms_1".into());
        a.display_name = Some("张三".into());
        a.joined_at = Some(datetime!(2019-10-26 10:30:00 UTC));
        a.device = Some(Device::from_code(99));
        a.role = Some(Role::CoHost);
        a.audio = Some(true);
        a.extra.insert("customer_data".into(), json!("x"));
        a
    }

    #[test]
    fn attendee_keys_are_the_contract() {
        let value = serde_json::to_value(sample()).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = ATTENDEE_KEYS.to_vec();
        expected.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, expected);
        assert_eq!(value["vendor"], "tencent_meeting");
        assert_eq!(value["joined_at"], "2019-10-26T10:30:00Z");
        assert_eq!(value["left_at"], Value::Null);
        assert_eq!(value["device"], "unknown:99");
        assert_eq!(value["role"], "co_host");
    }

    #[test]
    fn attendee_json_round_trip_keeps_unknown_values() {
        let a = sample();
        let text = serde_json::to_string(&a).unwrap();
        let back: Attendee = serde_json::from_str(&text).unwrap();
        assert_eq!(back, a);
        assert_eq!(back.device, Some(Device::Unknown(99)));
    }

    #[test]
    fn special_answers_fill_contact_fields() {
        let mut r = Registration::new(Vendor::WeCom, "m1");
        r.display_name = Some("13800138000".into());
        let mut phone = Answer::new(vec!["13800138000".into()]);
        phone.special_type = Some(SpecialType::Phone);
        let mut name = Answer::new(vec![" 李四 ".into()]);
        name.special_type = Some(SpecialType::Name);
        let mut mail = Answer::new(vec!["li@example.com".into()]);
        mail.special_type = Some(SpecialType::Email);
        let mut company = Answer::new(vec!["腾讯".into()]);
        company.special_type = Some(SpecialType::Company);
        let mut other = Answer::new(vec!["blue".into()]);
        other.special_type = Some(SpecialType::Ordinary);
        let answers = vec![phone, name, mail, company, other];
        // The order of the answers does not matter: the name answer is compared with the final
        // phone (a nickname that is the phone number gives way to the typed name).
        for order in [answers.clone(), answers.into_iter().rev().collect()] {
            let mut r = r.clone();
            r.answers = order;
            r.apply_special_answers();
            assert_eq!(r.phone.as_deref(), Some("13800138000"));
            assert_eq!(r.display_name.as_deref(), Some("李四"));
            assert_eq!(r.email.as_deref(), Some("li@example.com"));
            assert_eq!(r.company.as_deref(), Some("腾讯"));
        }
    }

    #[test]
    fn name_answer_does_not_override_a_real_nickname() {
        let mut r = Registration::new(Vendor::WeCom, "m1");
        r.display_name = Some("小王".into());
        let mut name = Answer::new(vec!["王五".into()]);
        name.special_type = Some(SpecialType::Name);
        r.answers = vec![name];
        r.apply_special_answers();
        assert_eq!(r.display_name.as_deref(), Some("小王"));
    }

    #[test]
    fn duration_and_flags() {
        let mut a = sample();
        assert_eq!(a.duration_seconds(), None);
        a.left_at = Some(datetime!(2019-10-26 11:00:00 UTC));
        assert_eq!(a.duration_seconds(), Some(1800));
        assert!(!a.name_undecodable());
        a.extra
            .insert(EXTRA_NAME_UNDECODABLE.into(), Value::Bool(true));
        assert!(a.name_undecodable());
    }
}
