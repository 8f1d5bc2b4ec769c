//! Meeting data: the vendor-neutral model (also the JSON fixture format), the deterministic
//! generator helpers, and the plans of which meetings each vendor serves.
//!
//! A vendor module turns `plan::MeetingPlan`s into its own wire rows, once per meeting, on first
//! access, and caches the result (see `tencent::store` for the pattern). What the vendors do
//! alike lives here too: `seed` (builders for the hand-written seed meetings), `meeting` (a
//! served meeting's ids, sub-meetings and list rules) and `render` (overrides, sorted row lists,
//! enrollment rows and indexes).

pub(crate) mod generator;
pub(crate) mod meeting;
pub(crate) mod plan;
pub(crate) mod render;
pub(crate) mod seed;

pub use crate::fixture::{
    AnswerKind, EnrollSource, EnrollStatus, Fixture, FixtureAnswer, FixtureAttendee,
    FixtureEnrollment, FixtureError, FixtureInvitee, FixtureMeeting, FixtureSession,
    FixtureSubMeeting, MeetingKind, MeetingState, Overrides, SpecialType,
};
