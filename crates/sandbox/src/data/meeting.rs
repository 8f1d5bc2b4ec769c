//! A served meeting's identity and schedule, shared by the vendor stores whose meetings are a
//! meeting id, a meeting code and numbered sub-meetings (Tencent and WeCom): ids assigned from
//! the plans ([`IdAssigner`]), the sub-meeting and list rules ([`MeetingCore`]) and the catalog
//! entry. A vendor store wraps a [`MeetingCore`] with what only it has (Tencent's password,
//! WeCom's creating app) and its rendered rows.
//!
//! Quanshi identifies meetings differently (event ids, runs, passcodes, join links) and builds
//! its own.

use std::collections::HashSet;

use rand_chacha::ChaCha8Rng;

use super::generator;
use super::plan::MeetingPlan;
use crate::catalog::{CatalogMeeting, CatalogSubMeeting};
use crate::fixture::{FixtureSession, MeetingKind, MeetingState};
use crate::vendor::Vendor;

/// One occurrence of a recurring meeting.
#[derive(Clone, Debug)]
pub(crate) struct Sub {
    pub id: String,
    pub start: i64,
    pub end: i64,
    pub state: MeetingState,
    pub deleted: bool,
}

/// A meeting as a vendor serves it: its plan, ids, creator, state and sub-meetings.
pub(crate) struct MeetingCore {
    pub plan: MeetingPlan,
    pub id: String,
    pub code: String,
    pub creator: String,
    pub state: MeetingState,
    pub subs: Vec<Sub>,
}

impl MeetingCore {
    pub(crate) fn kind(&self) -> MeetingKind {
        self.plan.meeting.kind
    }

    pub(crate) fn is_recurring(&self) -> bool {
        self.kind() == MeetingKind::Recurring
    }

    pub(crate) fn sub_index(&self, id: &str) -> Option<usize> {
        self.subs.iter().position(|s| s.id == id)
    }

    /// The occurrence that is ongoing or next (else the last one).
    pub(crate) fn current_sub(&self) -> Option<usize> {
        self.subs
            .iter()
            .position(|s| {
                !s.deleted && matches!(s.state, MeetingState::InProgress | MeetingState::NotStarted)
            })
            .or_else(|| self.subs.len().checked_sub(1))
    }

    /// The state the detail endpoints report: the current occurrence's for a recurring meeting.
    pub(crate) fn current_state(&self) -> MeetingState {
        match self.current_sub() {
            Some(i) if self.is_recurring() => self.subs[i].state,
            _ => self.state,
        }
    }

    /// Occurrences still to come (not deleted, not started): `remain_sub_meetings`.
    pub(crate) fn remaining_subs(&self) -> usize {
        self.subs
            .iter()
            .filter(|s| !s.deleted && s.state == MeetingState::NotStarted)
            .count()
    }

    /// Number of attendee lists (1, or one per sub-meeting).
    pub(crate) fn list_count(&self) -> usize {
        if self.is_recurring() {
            self.subs.len()
        } else {
            1
        }
    }

    /// The attendee list a session belongs to: 0, or its sub-meeting for a recurring meeting
    /// (`None` when it names none, or one out of range).
    pub(crate) fn list_of(&self, s: &FixtureSession) -> Option<usize> {
        if self.is_recurring() {
            s.sub_meeting.filter(|&i| i < self.list_count())
        } else {
            Some(0)
        }
    }

    /// Whether list `list` (the meeting, or sub-meeting `list`) has started.
    pub(crate) fn list_started(&self, list: usize) -> bool {
        if self.is_recurring() {
            self.subs
                .get(list)
                .is_some_and(|s| s.state != MeetingState::NotStarted)
        } else {
            self.state != MeetingState::NotStarted
        }
    }

    /// The catalog entry, with the vendor's count of served rows (`sessions`) and of each
    /// sub-meeting's rows (`sub_sessions(index)`).
    pub(crate) fn catalog_entry(
        &self,
        vendor: Vendor,
        sessions: usize,
        sub_sessions: impl Fn(usize) -> usize,
    ) -> CatalogMeeting {
        CatalogMeeting {
            vendor,
            label: self.plan.label.clone(),
            id: self.id.clone(),
            code: self.code.clone(),
            subject: self.plan.meeting.subject.clone(),
            kind: self.kind(),
            state: self.state,
            creator: self.creator.clone(),
            sessions,
            people: self.plan.people(),
            sub_meetings: self
                .subs
                .iter()
                .enumerate()
                .map(|(i, s)| CatalogSubMeeting {
                    id: s.id.clone(),
                    start: s.start,
                    end: s.end,
                    state: s.state,
                    deleted: s.deleted,
                    sessions: sub_sessions(i),
                })
                .collect(),
            enrollment: self.plan.meeting.enrollment,
            enrollments: self.plan.enrollment_count(),
            invitees: self.plan.invitee_count(),
            start: self.plan.meeting.start,
            end: self.plan.meeting.end,
            join_url: None,
        }
    }
}

/// Gives each plan its ids, in catalog order, from a per-meeting stream
/// `(seed, vendor, "meeting", label)`: the meeting id (the plan's, else `new_id`; drawn again
/// while taken), the code (the plan's, else 9 digits), then each sub-meeting id (the plan's,
/// else 10 digits).
pub(crate) struct IdAssigner<'a> {
    seed: u64,
    vendor: &'static str,
    anchor: i64,
    default_creator: &'a str,
    new_id: fn(&mut ChaCha8Rng) -> String,
    used: HashSet<String>,
}

impl<'a> IdAssigner<'a> {
    /// Meetings without a `creator` get `default_creator`; states are derived at `anchor`.
    pub(crate) fn new(
        seed: u64,
        vendor: &'static str,
        anchor: i64,
        default_creator: &'a str,
        new_id: fn(&mut ChaCha8Rng) -> String,
    ) -> Self {
        IdAssigner {
            seed,
            vendor,
            anchor,
            default_creator,
            new_id,
            used: HashSet::new(),
        }
    }

    /// The meeting of `p`, and its stream positioned after the ids (for the vendor's own
    /// draws).
    pub(crate) fn assign(&mut self, p: MeetingPlan) -> (MeetingCore, ChaCha8Rng) {
        let mut rng = generator::rng_for(self.seed, &[self.vendor, "meeting", &p.label]);
        let mut id = p
            .meeting
            .id
            .clone()
            .unwrap_or_else(|| (self.new_id)(&mut rng));
        while !self.used.insert(id.clone()) {
            id = (self.new_id)(&mut rng);
        }
        let code = p
            .meeting
            .code
            .clone()
            .unwrap_or_else(|| generator::digits(&mut rng, 9));
        let subs = p
            .meeting
            .sub_meetings
            .iter()
            .enumerate()
            .map(|(i, s)| Sub {
                id: s
                    .id
                    .clone()
                    .unwrap_or_else(|| generator::digits(&mut rng, 10)),
                start: s.start,
                end: s.end,
                state: p.sub_state(i, self.anchor),
                deleted: s.deleted,
            })
            .collect();
        let core = MeetingCore {
            id,
            code,
            creator: p
                .meeting
                .creator
                .clone()
                .unwrap_or_else(|| self.default_creator.to_owned()),
            state: p.state(self.anchor),
            subs,
            plan: p,
        };
        (core, rng)
    }
}
