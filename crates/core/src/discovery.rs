//! Meetings found without knowing their ids: the cross-vendor [`MeetingDirectory`], beside
//! [`crate::AttendeeSource`], and the [`MeetingSummary`] it yields (one per occurrence).

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::paginate::PageObserver;
use crate::source::RecordStream;
use crate::vendor::Vendor;

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingState {
    /// Not started yet.
    Upcoming,
    /// In progress.
    Live,
    /// Over.
    Ended,
    /// Cancelled.
    Cancelled,
}

impl MeetingState {
    /// Every state.
    pub const ALL: [MeetingState; 4] = [
        MeetingState::Upcoming,
        MeetingState::Live,
        MeetingState::Ended,
        MeetingState::Cancelled,
    ];

    /// `upcoming`, `live`, `ended` or `cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingState::Upcoming => "upcoming",
            MeetingState::Live => "live",
            MeetingState::Ended => "ended",
            MeetingState::Cancelled => "cancelled",
        }
    }
}

/// One meeting, or one occurrence of a recurring meeting, as a directory lists it. Fields a
/// vendor does not give are `None`; everything else it sent is in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MeetingSummary {
    /// Platform.
    pub vendor: Vendor,
    /// Meeting id (what [`crate::MeetingQuery::new`] takes).
    pub meeting_id: String,
    /// Occurrence (sub-meeting) id of a recurring meeting.
    pub sub_meeting_id: Option<String>,
    /// The number people dial.
    pub meeting_code: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Start (scheduled, or actual where the vendor reports that instead: see the vendor's
    /// docs).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub start: Option<OffsetDateTime>,
    /// End.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub end: Option<OffsetDateTime>,
    /// State, when known.
    pub state: Option<MeetingState>,
    /// The host's (creator's) user id.
    pub host: Option<String>,
    /// The host's name.
    pub host_name: Option<String>,
    /// Participants, where the vendor counts them.
    pub participants: Option<u64>,
    /// Other vendor fields, under snake_case names.
    pub extra: Map<String, Value>,
}

impl MeetingSummary {
    /// A summary with only its identity.
    pub fn new(vendor: Vendor, meeting_id: impl Into<String>) -> Self {
        Self {
            vendor,
            meeting_id: meeting_id.into(),
            sub_meeting_id: None,
            meeting_code: None,
            subject: None,
            start: None,
            end: None,
            state: None,
            host: None,
            host_name: None,
            participants: None,
            extra: Map::new(),
        }
    }
}

/// What to list: meetings starting in `[from, to)` in some states.
#[derive(Clone)]
#[non_exhaustive]
pub struct DiscoveryQuery {
    /// First second included.
    pub from: OffsetDateTime,
    /// First second excluded.
    pub to: OffsetDateTime,
    /// The states wanted (empty: all a vendor can list).
    pub states: Vec<MeetingState>,
    /// Told about every page and about decisions.
    pub observer: Option<Arc<dyn PageObserver>>,
}

impl std::fmt::Debug for DiscoveryQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscoveryQuery")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("states", &self.states)
            .finish_non_exhaustive()
    }
}

impl DiscoveryQuery {
    /// Meetings starting in `[from, to)`; an empty or reversed range is an
    /// [`crate::ErrorKind::InvalidArgument`] error.
    pub fn between(from: OffsetDateTime, to: OffsetDateTime) -> Result<Self> {
        if from >= to {
            return Err(Error::invalid_argument(format!(
                "the range is empty: {} is not before {}",
                crate::format_time(from),
                crate::format_time(to)
            )));
        }
        Ok(Self {
            from,
            to,
            states: Vec::new(),
            observer: None,
        })
    }

    /// Only these states.
    pub fn states(mut self, states: impl IntoIterator<Item = MeetingState>) -> Self {
        self.states = states.into_iter().collect();
        self
    }

    /// Reports every page to `observer`.
    pub fn observer(mut self, observer: Arc<dyn PageObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Whether `state` is wanted.
    pub fn wants(&self, state: MeetingState) -> bool {
        self.states.is_empty() || self.states.contains(&state)
    }
}

/// A vendor client that can list an organisation's meetings.
#[async_trait]
pub trait MeetingDirectory: Send + Sync {
    /// The platform.
    fn vendor(&self) -> Vendor;

    /// The meetings (one summary per occurrence) starting in the query's range, in the wanted
    /// states. The stream fetches page by page as it is polled and ends after the first error.
    async fn meetings(&self, query: &DiscoveryQuery) -> Result<RecordStream<MeetingSummary>>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn ranges_and_states() {
        let from = datetime!(2026-01-01 0:00 UTC);
        assert!(DiscoveryQuery::between(from, from).is_err());
        let q = DiscoveryQuery::between(from, datetime!(2026-01-02 0:00 UTC)).unwrap();
        assert!(MeetingState::ALL.iter().all(|s| q.wants(*s)));
        let q = q.states([MeetingState::Ended]);
        assert!(q.wants(MeetingState::Ended) && !q.wants(MeetingState::Live));
        let json = serde_json::to_value(MeetingSummary::new(Vendor::WeCom, "m1")).unwrap();
        assert_eq!(json["meeting_id"], "m1");
        assert_eq!(
            serde_json::to_value(MeetingState::Upcoming).unwrap(),
            "upcoming"
        );
    }
}
