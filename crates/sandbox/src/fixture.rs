//! The vendor-neutral meeting description: the JSON fixture format, and also what the built-in
//! generator produces. Each vendor module renders these into its own wire shapes.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::vendor::Vendor;

/// Vendor-specific raw fields, keyed by vendor name (`"tencent"`, `"wecom"`, `"quanshi"`), merged
/// over the object the vendor would otherwise render (a later key replaces an earlier one).
pub type Overrides = BTreeMap<String, Map<String, Value>>;

/// Meetings described by the user, loaded from JSON (see the crate README for the format).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fixture {
    /// The meetings.
    pub meetings: Vec<FixtureMeeting>,
}

/// Error loading a fixture.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The file could not be read.
    #[error("cannot read fixture {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The JSON does not match the format.
    #[error("invalid fixture JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The JSON parsed but describes something impossible.
    #[error("invalid fixture: {0}")]
    Invalid(String),
}

impl Fixture {
    /// Parses a fixture from JSON text and checks it.
    pub fn from_json(text: &str) -> Result<Fixture, FixtureError> {
        let f: Fixture = serde_json::from_str(text)?;
        f.validate()?;
        Ok(f)
    }

    /// Reads and parses a fixture file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Fixture, FixtureError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| FixtureError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Fixture::from_json(&text)
    }

    /// Checks references and time spans.
    pub fn validate(&self) -> Result<(), FixtureError> {
        let mut labels = std::collections::HashSet::new();
        for (i, m) in self.meetings.iter().enumerate() {
            let name = m.label.clone().unwrap_or_else(|| format!("fixture-{i}"));
            if !labels.insert(name.clone()) {
                return Err(FixtureError::Invalid(format!(
                    "duplicate meeting label {name:?}"
                )));
            }
            if m.end < m.start {
                return Err(FixtureError::Invalid(format!("{name}: end before start")));
            }
            if m.kind == MeetingKind::Recurring && m.sub_meetings.is_empty() {
                return Err(FixtureError::Invalid(format!(
                    "{name}: a recurring meeting needs sub_meetings"
                )));
            }
            for a in &m.attendees {
                for s in &a.sessions {
                    if let Some(leave) = s.leave
                        && leave < s.join
                    {
                        return Err(FixtureError::Invalid(format!(
                            "{name}: session leaves before it joins"
                        )));
                    }
                    match (m.kind == MeetingKind::Recurring, s.sub_meeting) {
                        (true, None) => {
                            return Err(FixtureError::Invalid(format!(
                                "{name}: sessions of a recurring meeting need sub_meeting"
                            )));
                        }
                        (_, Some(ix)) if ix >= m.sub_meetings.len() => {
                            return Err(FixtureError::Invalid(format!(
                                "{name}: sub_meeting index {ix} out of range"
                            )));
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }
}

/// What kind of meeting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// A single scheduled meeting.
    #[default]
    OneOff,
    /// A recurring meeting with sub-meetings (occurrences).
    Recurring,
    /// A webinar (participants carry a webinar role).
    Webinar,
}

/// The meeting's state, as the vendor reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingState {
    /// Nobody has joined yet: attendee lists are empty.
    NotStarted,
    /// People are in the meeting (open sessions have no leave time).
    InProgress,
    /// Over.
    Ended,
    /// Cancelled.
    Cancelled,
}

/// One meeting.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FixtureMeeting {
    /// Stable name to find the meeting in the catalog (default `fixture-<index>`).
    pub label: Option<String>,
    /// Vendors that serve this meeting (empty = all three).
    pub vendors: Vec<Vendor>,
    /// Meeting id as the vendor shows it (default: generated in the vendor's format). Quanshi
    /// uses it as `eventId` when it is all digits.
    pub id: Option<String>,
    /// Meeting code (default: generated).
    pub code: Option<String>,
    /// Title.
    pub subject: String,
    /// One-off, recurring or webinar.
    pub kind: MeetingKind,
    /// Creator's user id in the vendor (default: the vendor's default creator, see
    /// [`crate::Credentials`]).
    pub creator: Option<String>,
    /// Scheduled start, Unix seconds.
    pub start: i64,
    /// Scheduled end, Unix seconds.
    pub end: i64,
    /// State (default: not started if `start` is after the data anchor, in progress if a session
    /// is open, ended otherwise).
    pub state: Option<MeetingState>,
    /// Whether enrollment (registration) is enabled.
    pub enrollment: bool,
    /// Occurrences of a recurring meeting.
    pub sub_meetings: Vec<FixtureSubMeeting>,
    /// People who joined, each with one or more join sessions.
    pub attendees: Vec<FixtureAttendee>,
    /// Enrollments (registrations).
    pub enrollments: Vec<FixtureEnrollment>,
    /// Invited people.
    pub invitees: Vec<FixtureInvitee>,
    /// Raw fields merged into the vendor's meeting object (detail endpoints).
    pub overrides: Overrides,
}

/// One occurrence of a recurring meeting.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FixtureSubMeeting {
    /// Sub-meeting id (default: generated).
    pub id: Option<String>,
    /// Start, Unix seconds.
    pub start: i64,
    /// End, Unix seconds.
    pub end: i64,
    /// State (default: derived like the meeting's).
    pub state: Option<MeetingState>,
    /// Deleted occurrence (listed with the vendor's "deleted" status).
    pub deleted: bool,
}

/// One person who joined.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FixtureAttendee {
    /// Person key, used by enrollments to point at this attendee and to derive the per-meeting
    /// temporary id (default: `userid`, else `attendee-<index>`).
    pub key: Option<String>,
    /// Enterprise user id; absent for external people.
    pub userid: Option<String>,
    /// Enterprise member (default: `userid` is present). `true` without `userid` is a departed
    /// member.
    pub member: Option<bool>,
    /// Display name (UTF-8). Vendors that send bytes (Tencent's Base64 `user_name`) encode it;
    /// raw wire values go in `overrides`.
    pub name: String,
    /// Phone number (Tencent sends a hash of it).
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// Device type, in the vendor's enum (Tencent `instanceid`, WeCom `instance_id`).
    pub device: Option<i64>,
    /// Role, in the vendor's enum.
    pub role: Option<i64>,
    /// Webinar role, in the vendor's enum.
    pub webinar_role: Option<i64>,
    /// Join type, in the vendor's enum.
    pub join_type: Option<i64>,
    /// Join sessions (at least one).
    pub sessions: Vec<FixtureSession>,
    /// Raw fields merged into every row of this person, per vendor.
    pub overrides: Overrides,
}

/// One join session.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FixtureSession {
    /// Join time, Unix seconds.
    pub join: i64,
    /// Leave time, Unix seconds; absent = still in the meeting.
    pub leave: Option<i64>,
    /// Index into the meeting's `sub_meetings` (required for recurring meetings).
    pub sub_meeting: Option<usize>,
    /// Device of this session (default: the attendee's).
    pub device: Option<i64>,
    /// IP address while in the meeting.
    pub ip: Option<String>,
}

/// Enrollment status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollStatus {
    /// Waiting for approval.
    #[default]
    Pending,
    /// Rejected.
    Rejected,
    /// Approved.
    Approved,
}

impl EnrollStatus {
    /// The vendors' shared code: 1 pending, 2 rejected, 3 approved.
    pub fn code(&self) -> i64 {
        match self {
            EnrollStatus::Pending => 1,
            EnrollStatus::Rejected => 2,
            EnrollStatus::Approved => 3,
        }
    }
}

/// How the enrollment was made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollSource {
    /// The person enrolled (code 1).
    #[default]
    SelfService,
    /// Bulk import by phone number (code 2).
    Import,
}

/// One enrollment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FixtureEnrollment {
    /// Key of the attendee this enrollment belongs to (shares the temporary id); absent if the
    /// person never joined.
    pub person: Option<String>,
    /// Enterprise user id of the enrollee.
    pub userid: Option<String>,
    /// Nickname (empty for a phone import without a nickname: vendors show the phone).
    pub name: String,
    /// Phone number.
    pub phone: Option<String>,
    /// Status.
    pub status: EnrollStatus,
    /// Self-service or import.
    pub source: EnrollSource,
    /// Enrollment time, Unix seconds.
    pub time: i64,
    /// Answers to the enrollment form.
    pub answers: Vec<FixtureAnswer>,
}

/// Question type of an enrollment answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    /// Single choice (code 1).
    Single,
    /// Multiple choice (code 2).
    Multiple,
    /// Short text (code 3).
    #[default]
    Text,
}

/// Special meaning of a question.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialType {
    /// None (code 1).
    #[default]
    None,
    /// Phone (code 2).
    Phone,
    /// E-mail (code 3).
    Email,
    /// Name (code 4).
    Name,
    /// Company (code 5).
    Company,
}

/// One answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FixtureAnswer {
    /// Question title.
    pub title: String,
    /// Question type.
    pub kind: AnswerKind,
    /// Special meaning.
    pub special: SpecialType,
    /// Required question.
    pub required: bool,
    /// Answer values (one for single choice and text, several for multiple choice).
    pub content: Vec<String>,
}

/// One invited person.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FixtureInvitee {
    /// Enterprise user id.
    pub userid: Option<String>,
    /// Display name.
    pub name: String,
    /// Vendor status letter or code (Quanshi `W`/`A`/`R`).
    pub status: Option<String>,
    /// Vendor user type (Quanshi 1 internal, 2 external, 3 phone).
    pub user_type: Option<i64>,
    /// Phone number.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Company.
    pub company: Option<String>,
}

impl FixtureMeeting {
    /// Whether `vendor` serves this meeting.
    pub fn served_by(&self, vendor: Vendor) -> bool {
        self.vendors.is_empty() || self.vendors.contains(&vendor)
    }
}

impl FixtureAttendee {
    /// The person key (explicit key, else userid, else `attendee-<index>`).
    pub fn person_key(&self, index: usize) -> String {
        self.key
            .clone()
            .or_else(|| self.userid.clone().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| format!("attendee-{index}"))
    }

    /// Whether the person is (or was) an enterprise member.
    pub fn is_member(&self) -> bool {
        self.member
            .unwrap_or_else(|| self.userid.as_deref().is_some_and(|u| !u.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_minimal_and_rejects_typos_and_bad_refs() {
        let f = Fixture::from_json(
            r#"{"meetings":[{"subject":"Weekly","start":100,"end":200,
                "attendees":[{"name":"张三","sessions":[{"join":110,"leave":150}]}]}]}"#,
        )
        .unwrap();
        assert_eq!(f.meetings[0].attendees[0].person_key(0), "attendee-0");
        assert!(Fixture::from_json(r#"{"meetings":[{"subjet":"x"}]}"#).is_err());
        let bad = r#"{"meetings":[{"kind":"recurring","start":0,"end":10,
            "sub_meetings":[{"start":0,"end":10}],
            "attendees":[{"name":"a","sessions":[{"join":1,"sub_meeting":3}]}]}]}"#;
        assert!(matches!(
            Fixture::from_json(bad),
            Err(FixtureError::Invalid(_))
        ));
    }
}
