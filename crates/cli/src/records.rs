//! How each model type prints: CSV columns (the JSON keys of roster-core, in order) and table
//! columns.

use roster_core::{
    Attendee, MeetingSummary, Registration, RosterEntry, RosterSummary, SignIn, WaitingRoomEntry,
};
use time::UtcOffset;

use crate::output::{Record, opt, table_time};

fn ids(user: &Option<String>, temp: &Option<String>) -> String {
    match (user.as_deref(), temp.as_deref()) {
        (Some(u), _) if !u.is_empty() => u.to_string(),
        (_, Some(t)) => t.to_string(),
        _ => String::new(),
    }
}

impl Record for Attendee {
    const SHEET: &'static str = "sessions";
    const COLUMNS: &'static [&'static str] = &[
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
    fn xlsx_cells(&self) -> Option<Vec<crate::xlsx::Cell<'_>>> {
        use crate::xlsx::Cell;
        use std::borrow::Cow;
        fn text(v: &Option<String>) -> Cell<'_> {
            v.as_deref()
                .map_or(Cell::Empty, |s| Cell::Text(Cow::Borrowed(s)))
        }
        let time = |t: Option<time::OffsetDateTime>| t.map_or(Cell::Empty, Cell::Time);
        let name = |n: Option<Cow<'static, str>>| n.map_or(Cell::Empty, Cell::Text);
        let flag = |b: Option<bool>| b.map_or(Cell::Empty, Cell::Bool);
        Some(vec![
            Cell::Text(Cow::Borrowed(self.vendor.as_str())),
            Cell::Text(Cow::Borrowed(&self.meeting_id)),
            text(&self.sub_meeting_id),
            text(&self.user_id),
            text(&self.temp_id),
            text(&self.open_id),
            text(&self.display_name),
            time(self.joined_at),
            time(self.left_at),
            name(self.device.map(|d| d.name())),
            name(self.role.map(|r| r.name())),
            name(self.webinar_role.map(|r| r.name())),
            name(self.join_type.map(|j| j.name())),
            text(&self.network),
            flag(self.audio),
            flag(self.video),
            flag(self.screen_share),
            text(&self.phone_hash),
            text(&self.phone),
            text(&self.email),
            text(&self.company),
            if self.extra.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(Cow::Owned(
                    serde_json::to_string(&self.extra).unwrap_or_default(),
                ))
            },
        ])
    }

    const TABLE: &'static [(&'static str, usize)] = &[
        ("name", 16),
        ("user / temp id", 20),
        ("joined", 19),
        ("left", 19),
        ("min", 5),
        ("device", 12),
        ("role", 12),
    ];

    fn table_row(&self, tz: UtcOffset) -> Vec<String> {
        vec![
            opt(&self.display_name),
            ids(&self.user_id, &self.temp_id),
            table_time(self.joined_at, tz),
            if self.joined_at.is_some() && self.left_at.is_none() {
                "(in meeting)".to_string()
            } else {
                table_time(self.left_at, tz)
            },
            self.duration_seconds()
                .map(|s| (s / 60).to_string())
                .unwrap_or_default(),
            opt(&self.device),
            opt(&self.role),
        ]
    }
}

impl Record for roster_store::PersonTotal {
    const SHEET: &'static str = "people";
    const COLUMNS: &'static [&'static str] = &[
        "person",
        "display_name",
        "meetings",
        "minutes",
        "first_joined",
        "last_left",
    ];
    const TABLE: &'static [(&'static str, usize)] = &[
        ("name", 16),
        ("person", 28),
        ("meetings", 8),
        ("minutes", 7),
        ("first joined", 19),
        ("last left", 19),
    ];

    fn table_row(&self, tz: UtcOffset) -> Vec<String> {
        vec![
            opt(&self.display_name),
            self.person.clone(),
            self.meetings.to_string(),
            self.minutes.to_string(),
            table_time(self.first_joined, tz),
            table_time(self.last_left, tz),
        ]
    }
}

impl Record for roster_store::LiveSession {
    const SHEET: &'static str = "in the meeting";
    const COLUMNS: &'static [&'static str] = &[
        "vendor",
        "meeting_id",
        "person",
        "display_name",
        "joined_at",
        "left_at",
    ];
    const TABLE: &'static [(&'static str, usize)] = &[
        ("name", 16),
        ("person", 28),
        ("meeting", 20),
        ("joined", 19),
    ];

    fn table_row(&self, tz: UtcOffset) -> Vec<String> {
        vec![
            opt(&self.display_name),
            self.person.clone(),
            self.meeting_id.clone(),
            table_time(self.joined_at, tz),
        ]
    }
}

/// A pulled session of a reconciled meeting and how the pushes saw it (`roster live --seen`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeenSession {
    /// The platform.
    pub vendor: roster_core::Vendor,
    /// The meeting.
    pub meeting_id: String,
    /// The enterprise user id.
    pub user_id: Option<String>,
    /// The vendor's per-meeting id.
    pub temp_id: Option<String>,
    /// The name.
    pub display_name: Option<String>,
    /// The join (from the pulled list).
    #[serde(with = "time::serde::rfc3339::option")]
    pub joined_at: Option<time::OffsetDateTime>,
    /// The leave (from the pulled list).
    #[serde(with = "time::serde::rfc3339::option")]
    pub left_at: Option<time::OffsetDateTime>,
    /// `live`, `late` or `pull_only`.
    pub seen: roster_store::Seen,
}

impl From<roster_store::ReconciledSession> for SeenSession {
    fn from(r: roster_store::ReconciledSession) -> Self {
        let a = r.session;
        Self {
            vendor: a.vendor,
            meeting_id: a.meeting_id,
            user_id: a.user_id,
            temp_id: a.temp_id,
            display_name: a.display_name,
            joined_at: a.joined_at,
            left_at: a.left_at,
            seen: r.seen,
        }
    }
}

impl Record for SeenSession {
    const SHEET: &'static str = "sessions";
    const COLUMNS: &'static [&'static str] = &[
        "vendor",
        "meeting_id",
        "user_id",
        "temp_id",
        "display_name",
        "joined_at",
        "left_at",
        "seen",
    ];
    const TABLE: &'static [(&'static str, usize)] = &[
        ("name", 16),
        ("id", 24),
        ("joined", 19),
        ("left", 19),
        ("seen", 9),
    ];

    fn table_row(&self, tz: UtcOffset) -> Vec<String> {
        vec![
            opt(&self.display_name),
            ids(&self.user_id, &self.temp_id),
            table_time(self.joined_at, tz),
            table_time(self.left_at, tz),
            self.seen.as_str().to_string(),
        ]
    }
}

impl Record for MeetingSummary {
    const SHEET: &'static str = "meetings";
    const COLUMNS: &'static [&'static str] = &[
        "vendor",
        "meeting_id",
        "sub_meeting_id",
        "meeting_code",
        "subject",
        "start",
        "end",
        "state",
        "host",
        "host_name",
        "participants",
        "extra",
    ];
    const TABLE: &'static [(&'static str, usize)] = &[
        ("meeting id", 20),
        ("occurrence", 12),
        ("subject", 24),
        ("start", 19),
        ("end", 19),
        ("state", 8),
        ("host", 12),
        ("people", 6),
    ];

    fn table_row(&self, tz: UtcOffset) -> Vec<String> {
        vec![
            self.meeting_id.clone(),
            opt(&self.sub_meeting_id),
            opt(&self.subject),
            table_time(self.start, tz),
            table_time(self.end, tz),
            self.state
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            opt(&self.host),
            opt(&self.participants),
        ]
    }
}

impl Record for Registration {
    const SHEET: &'static str = "registrations";
    const COLUMNS: &'static [&'static str] = &[
        "vendor",
        "meeting_id",
        "registration_id",
        "status",
        "user_id",
        "temp_id",
        "open_id",
        "display_name",
        "registered_at",
        "source",
        "phone",
        "email",
        "company",
        "answers",
        "extra",
    ];
    const TABLE: &'static [(&'static str, usize)] = &[
        ("name", 16),
        ("status", 10),
        ("user / temp id", 20),
        ("phone", 14),
        ("email", 24),
        ("registered", 19),
    ];

    fn table_row(&self, tz: UtcOffset) -> Vec<String> {
        vec![
            opt(&self.display_name),
            opt(&self.status),
            ids(&self.user_id, &self.temp_id),
            opt(&self.phone),
            opt(&self.email),
            table_time(self.registered_at, tz),
        ]
    }
}

impl Record for RosterEntry {
    const SHEET: &'static str = "people";
    const COLUMNS: &'static [&'static str] = &[
        "vendor",
        "meeting_id",
        "display_name",
        "user_id",
        "temp_id",
        "phone",
        "email",
        "registered",
        "registration_id",
        "registration_status",
        "answers",
        "matched_by",
        "attended",
        "sessions",
        "first_join",
        "last_leave",
        "attended_seconds",
        "still_in_meeting",
    ];
    const TABLE: &'static [(&'static str, usize)] = &[
        ("name", 16),
        ("registered", 10),
        ("attended", 8),
        ("sessions", 8),
        ("first join", 19),
        ("last leave", 19),
        ("minutes", 7),
    ];

    fn table_row(&self, tz: UtcOffset) -> Vec<String> {
        let name = self
            .display_name
            .clone()
            .or_else(|| self.user_id.clone())
            .or_else(|| self.temp_id.clone())
            .unwrap_or_default();
        vec![
            name,
            match (&self.registered, &self.registration_status) {
                (false, _) => "no".to_string(),
                (true, Some(status)) => status.to_string(),
                (true, None) => "yes".to_string(),
            },
            if self.attended { "yes" } else { "no" }.to_string(),
            self.sessions.to_string(),
            table_time(self.first_join, tz),
            if self.still_in_meeting {
                "(in meeting)".to_string()
            } else {
                table_time(self.last_leave, tz)
            },
            self.attended_minutes().to_string(),
        ]
    }
}

impl Record for SignIn {
    const SHEET: &'static str = "sign-ins";
    const COLUMNS: &'static [&'static str] = &[
        "vendor",
        "meeting_id",
        "sign_in_id",
        "round_started_at",
        "round_description",
        "user_id",
        "temp_id",
        "open_id",
        "display_name",
        "role",
        "signed_in_at",
        "extra",
    ];
    const TABLE: &'static [(&'static str, usize)] = &[
        ("name", 16),
        ("id", 24),
        ("round", 16),
        ("round started", 19),
        ("signed in", 19),
    ];

    fn table_row(&self, tz: UtcOffset) -> Vec<String> {
        vec![
            opt(&self.display_name),
            ids(&self.user_id, &self.temp_id),
            self.round_description
                .clone()
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| self.sign_in_id.clone()),
            table_time(self.round_started_at, tz),
            match self.signed_in_at {
                Some(_) => table_time(self.signed_in_at, tz),
                None => "(time unknown)".to_string(),
            },
        ]
    }
}

impl Record for WaitingRoomEntry {
    const SHEET: &'static str = "waiting room";
    const COLUMNS: &'static [&'static str] = &[
        "vendor",
        "meeting_id",
        "user_id",
        "temp_id",
        "open_id",
        "display_name",
        "device",
        "entered_at",
        "left_at",
        "extra",
    ];
    const TABLE: &'static [(&'static str, usize)] = &[
        ("name", 16),
        ("id", 24),
        ("entered", 19),
        ("left", 19),
        ("minutes", 7),
    ];

    fn table_row(&self, tz: UtcOffset) -> Vec<String> {
        let minutes = match (self.entered_at, self.left_at) {
            (Some(a), Some(b)) if b >= a => ((b - a).whole_seconds() / 60).to_string(),
            _ => String::new(),
        };
        vec![
            opt(&self.display_name),
            ids(&self.user_id, &self.temp_id),
            table_time(self.entered_at, tz),
            match self.left_at {
                Some(_) => table_time(self.left_at, tz),
                None => "(waiting)".to_string(),
            },
            minutes,
        ]
    }
}

/// A report row of a meeting with sign-in rounds: the person's row and how many rounds they
/// signed in to (the report's "signed in" column, present only where the meeting has
/// sign-ins).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SignedInEntry {
    /// The person's row.
    #[serde(flatten)]
    pub entry: RosterEntry,
    /// Sign-in rounds the person signed in to (matched by user id, else per-meeting id).
    pub signed_in: u32,
}

impl SignedInEntry {
    /// Each entry with its count of rounds signed in to. A sign-in counts for the entry with
    /// the same user id or the same per-meeting id; a round is counted once per person.
    pub fn of(entries: &[RosterEntry], sign_ins: &[SignIn]) -> Vec<SignedInEntry> {
        use std::collections::{HashMap, HashSet};
        let mut by_user: HashMap<&str, HashSet<&str>> = HashMap::new();
        let mut by_temp: HashMap<&str, HashSet<&str>> = HashMap::new();
        // Every key a sign-in has: a row may know the person by either.
        for s in sign_ins {
            if let Some(u) = s.user_id.as_deref().filter(|u| !u.is_empty()) {
                by_user.entry(u).or_default().insert(s.sign_in_id.as_str());
            }
            if let Some(t) = s.temp_id.as_deref().filter(|t| !t.is_empty()) {
                by_temp.entry(t).or_default().insert(s.sign_in_id.as_str());
            }
        }
        entries
            .iter()
            .map(|e| {
                let mut rounds: HashSet<&str> = HashSet::new();
                if let Some(u) = e.user_id.as_deref().filter(|u| !u.is_empty())
                    && let Some(r) = by_user.get(u)
                {
                    rounds.extend(r);
                }
                if let Some(t) = e.temp_id.as_deref().filter(|t| !t.is_empty())
                    && let Some(r) = by_temp.get(t)
                {
                    rounds.extend(r);
                }
                SignedInEntry {
                    entry: e.clone(),
                    signed_in: u32::try_from(rounds.len()).unwrap_or(u32::MAX),
                }
            })
            .collect()
    }
}

impl Record for SignedInEntry {
    const SHEET: &'static str = "people";
    const COLUMNS: &'static [&'static str] = &[
        "vendor",
        "meeting_id",
        "display_name",
        "user_id",
        "temp_id",
        "phone",
        "email",
        "registered",
        "registration_id",
        "registration_status",
        "answers",
        "matched_by",
        "attended",
        "sessions",
        "first_join",
        "last_leave",
        "attended_seconds",
        "still_in_meeting",
        "signed_in",
    ];
    const TABLE: &'static [(&'static str, usize)] = &[
        ("name", 16),
        ("registered", 10),
        ("attended", 8),
        ("sessions", 8),
        ("first join", 19),
        ("last leave", 19),
        ("minutes", 7),
        ("signed in", 9),
    ];

    fn table_row(&self, tz: UtcOffset) -> Vec<String> {
        let mut row = self.entry.table_row(tz);
        row.push(self.signed_in.to_string());
        row
    }
}

/// The report's closing summary, one line per figure.
pub fn summary_lines(s: &RosterSummary) -> Vec<String> {
    vec![
        format!("registered   {}", s.registered),
        format!("attended     {}", s.attended),
        format!("no-shows     {}", s.no_shows),
        format!("walk-ins     {}", s.walk_ins),
        format!("avg minutes  {:.1}", s.average_minutes),
    ]
}

/// The summary as rows of a workbook's summary sheet: figure, value.
pub fn summary_cells(s: &RosterSummary) -> Vec<Vec<crate::xlsx::Cell<'static>>> {
    use crate::xlsx::Cell;
    let row = |name: &'static str, value: f64| vec![Cell::Text(name.into()), Cell::Number(value)];
    vec![
        row("registered", s.registered as f64),
        row("attended", s.attended as f64),
        row("no-shows", s.no_shows as f64),
        row("walk-ins", s.walk_ins as f64),
        row("average minutes", s.average_minutes),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::{Vendor, reconcile};

    #[test]
    fn csv_columns_are_exactly_the_json_keys() {
        fn keys<T: serde::Serialize>(v: &T) -> Vec<String> {
            let mut k: Vec<String> = serde_json::to_value(v)
                .unwrap()
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            k.sort();
            k
        }
        fn sorted(c: &[&str]) -> Vec<String> {
            let mut v: Vec<String> = c.iter().map(|s| s.to_string()).collect();
            v.sort();
            v
        }
        let a = Attendee::new(Vendor::WeCom, "m");
        assert_eq!(keys(&a), sorted(Attendee::COLUMNS));
        let r = Registration::new(Vendor::WeCom, "m");
        assert_eq!(keys(&r), sorted(Registration::COLUMNS));
        let entries = reconcile(vec![r], vec![a]);
        assert_eq!(keys(&entries[0]), sorted(RosterEntry::COLUMNS));
        let s = SignIn::new(Vendor::TencentMeeting, "m", "round");
        assert_eq!(keys(&s), sorted(SignIn::COLUMNS));
        let w = WaitingRoomEntry::new(Vendor::TencentMeeting, "m");
        assert_eq!(keys(&w), sorted(WaitingRoomEntry::COLUMNS));
        let signed = &SignedInEntry::of(&entries, &[s])[0];
        assert_eq!(keys(signed), sorted(SignedInEntry::COLUMNS));
    }

    #[test]
    fn sign_ins_count_rounds_per_person_by_user_or_meeting_id() {
        let mut by_user = Attendee::new(Vendor::TencentMeeting, "m");
        by_user.user_id = Some("zhang".into());
        by_user.temp_id = Some("t1".into());
        let mut guest = Attendee::new(Vendor::TencentMeeting, "m");
        guest.temp_id = Some("t2".into());
        let mut absent = Attendee::new(Vendor::TencentMeeting, "m");
        absent.temp_id = Some("t3".into());
        let entries = reconcile(Vec::new(), vec![by_user, guest, absent]);
        let sign_in = |round: &str, user: Option<&str>, temp: Option<&str>| {
            let mut s = SignIn::new(Vendor::TencentMeeting, "m", round);
            s.user_id = user.map(str::to_string);
            s.temp_id = temp.map(str::to_string);
            s
        };
        let sign_ins = [
            sign_in("r1", Some("zhang"), Some("other-device")),
            sign_in("r2", None, Some("t1")),
            // The same round twice (two devices) counts once.
            sign_in("r2", Some("zhang"), None),
            sign_in("r1", Some(""), Some("t2")),
            sign_in("r9", None, None),
        ];
        let counted: Vec<(Option<String>, u32)> = SignedInEntry::of(&entries, &sign_ins)
            .into_iter()
            .map(|s| (s.entry.temp_id.clone(), s.signed_in))
            .collect();
        let of = |temp: &str| {
            counted
                .iter()
                .find(|(t, _)| t.as_deref() == Some(temp))
                .map(|(_, n)| *n)
        };
        assert_eq!(of("t1"), Some(2));
        assert_eq!(of("t2"), Some(1));
        assert_eq!(of("t3"), Some(0));
    }
}
