//! What each vendor serves: one entry per meeting with the traits tests look for.

use serde::Serialize;

use crate::fixture::{MeetingKind, MeetingState};
use crate::vendor::Vendor;

/// The meetings of all vendors (from [`crate::SandboxHandle::catalog`]).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Catalog {
    /// Every meeting, vendor by vendor, in serving order.
    pub meetings: Vec<CatalogMeeting>,
}

impl Catalog {
    /// The meetings of one vendor.
    pub fn of(&self, vendor: Vendor) -> impl Iterator<Item = &CatalogMeeting> {
        self.meetings.iter().filter(move |m| m.vendor == vendor)
    }

    /// A vendor's meeting by label (`seed-oneoff`, `small-3`, `large-60000`, a fixture label…).
    pub fn by_label(&self, vendor: Vendor, label: &str) -> Option<&CatalogMeeting> {
        self.of(vendor).find(|m| m.label == label)
    }

    /// A vendor's meeting by id.
    pub fn by_id(&self, vendor: Vendor, id: &str) -> Option<&CatalogMeeting> {
        self.of(vendor).find(|m| m.id == id)
    }
}

/// One meeting and its traits.
#[derive(Clone, Debug, Serialize)]
pub struct CatalogMeeting {
    /// The vendor serving it.
    pub vendor: Vendor,
    /// Stable label (`seed-oneoff`, `small-0`, `large-60000`, fixture labels).
    pub label: String,
    /// The meeting id as the vendor's API takes it.
    pub id: String,
    /// The meeting code (the number people dial).
    pub code: String,
    /// Title.
    pub subject: String,
    /// One-off, recurring or webinar.
    pub kind: MeetingKind,
    /// State.
    pub state: MeetingState,
    /// The creator's user id (who may list its attendees).
    pub creator: String,
    /// Join sessions (attendee rows) over the whole meeting.
    pub sessions: usize,
    /// Distinct people who joined.
    pub people: usize,
    /// Occurrences of a recurring meeting (empty otherwise).
    pub sub_meetings: Vec<CatalogSubMeeting>,
    /// Whether enrollment is enabled.
    pub enrollment: bool,
    /// Number of enrollments.
    pub enrollments: usize,
    /// Number of invitees.
    pub invitees: usize,
    /// Scheduled start, Unix seconds.
    pub start: i64,
    /// Scheduled end, Unix seconds.
    pub end: i64,
    /// The attendee join link, for vendors that look meetings up by link (Quanshi
    /// `attendeeJoinUrl`); `None` otherwise.
    pub join_url: Option<String>,
}

/// One occurrence of a recurring meeting.
#[derive(Clone, Debug, Serialize)]
pub struct CatalogSubMeeting {
    /// Sub-meeting id.
    pub id: String,
    /// Start, Unix seconds.
    pub start: i64,
    /// End, Unix seconds.
    pub end: i64,
    /// State.
    pub state: MeetingState,
    /// Deleted occurrence.
    pub deleted: bool,
    /// Join sessions in this occurrence.
    pub sessions: usize,
}
