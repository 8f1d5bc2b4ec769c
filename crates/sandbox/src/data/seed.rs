//! Builders for the vendors' hand-written seed meetings (each vendor's `seed.rs`): rows in the
//! shape the seed tables write them, and the parts of the seed meetings that the Tencent and
//! WeCom specs ask for alike (weekly occurrences, the webinar's 120 enrollments, anonymous
//! enrollments).
//!
//! Which meetings a vendor seeds, and who attends them, stay in the vendor's own module. Helpers
//! that take `rng` draw from it in a fixed order, so a vendor's seed data does not change when
//! it calls them instead of writing the loop out.

use rand::Rng;
use serde_json::Value;

use super::generator::{self, names};
use super::plan::standard_answers;
use crate::fixture::{
    EnrollSource, EnrollStatus, FixtureAttendee, FixtureEnrollment, FixtureInvitee, FixtureSession,
    FixtureSubMeeting, MeetingState, Overrides,
};

pub(crate) const DAY: i64 = 86_400;
pub(crate) const HOUR: i64 = 3_600;

/// The hour the seed meetings are laid out from: the data anchor, rounded down to the hour.
pub(crate) fn base_hour(anchor: i64) -> i64 {
    anchor.div_euclid(HOUR) * HOUR
}

/// Raw fields for one override key (a vendor name, or a vendor's own key).
pub(crate) fn overrides(key: &str, fields: Value) -> Overrides {
    let mut o = Overrides::new();
    if let Value::Object(m) = fields {
        o.insert(key.into(), m);
    }
    o
}

/// An attendee with closed or open sessions `(join, leave)` on one device (join type 0 for a
/// phone, device 0, else 1).
pub(crate) fn person(
    key: &str,
    userid: Option<&str>,
    name: &str,
    phone: Option<&str>,
    device: i64,
    role: i64,
    sessions: &[(i64, Option<i64>)],
) -> FixtureAttendee {
    FixtureAttendee {
        key: Some(key.to_owned()),
        userid: userid.map(str::to_owned),
        name: name.to_owned(),
        phone: phone.map(str::to_owned),
        device: Some(device),
        role: Some(role),
        join_type: Some(if device == 0 { 0 } else { 1 }),
        sessions: sessions
            .iter()
            .map(|&(join, leave)| FixtureSession {
                join,
                leave,
                ..FixtureSession::default()
            })
            .collect(),
        ..FixtureAttendee::default()
    }
}

/// An enrollment with a phone and the standard form's answers (drawn from `rng`).
#[allow(clippy::too_many_arguments)] // A table-like constructor for hand-written rows.
pub(crate) fn enrollment(
    person: Option<&str>,
    userid: Option<&str>,
    name: &str,
    phone: &str,
    status: EnrollStatus,
    source: EnrollSource,
    time: i64,
    rng: &mut impl Rng,
) -> FixtureEnrollment {
    FixtureEnrollment {
        person: person.map(str::to_owned),
        userid: userid.map(str::to_owned),
        name: name.to_owned(),
        phone: Some(phone.to_owned()),
        status,
        source,
        time,
        answers: standard_answers(rng, name, Some(phone)),
    }
}

/// An invited member, named by their user id.
pub(crate) fn invitee(userid: &str) -> FixtureInvitee {
    FixtureInvitee {
        userid: Some(userid.to_owned()),
        name: userid.to_owned(),
        ..FixtureInvitee::default()
    }
}

/// Occurrence `week` of a weekly series starting at `first`: one hour long.
pub(crate) fn weekly_sub(
    first: i64,
    week: i64,
    state: MeetingState,
    deleted: bool,
) -> FixtureSubMeeting {
    FixtureSubMeeting {
        id: None,
        start: first + week * 7 * DAY,
        end: first + week * 7 * DAY + HOUR,
        state: Some(state),
        deleted,
    }
}

/// `n` self-service enrollments of people who never joined, one second apart from `first`:
/// a phone and a Chinese name drawn for each.
pub(crate) fn anonymous_enrollments(
    rng: &mut impl Rng,
    n: i64,
    status: EnrollStatus,
    first: i64,
) -> Vec<FixtureEnrollment> {
    (0..n)
        .map(|k| {
            let phone = generator::phone(rng);
            enrollment(
                None,
                None,
                &names::chinese(rng),
                &phone,
                status,
                EnrollSource::SelfService,
                first + k,
                rng,
            )
        })
        .collect()
}

/// The seed webinar's 120 enrollments (three pages of 50), from a week before `start`: the
/// first 24 belong to the attendees `attendees[k]`, every 9th is a phone import (every other
/// import without a nickname), statuses rotate approved, pending, rejected.
pub(crate) fn webinar_enrollments(
    rng: &mut impl Rng,
    attendees: &[FixtureAttendee],
    start: i64,
) -> Vec<FixtureEnrollment> {
    let mut out = Vec::with_capacity(120);
    for k in 0..120usize {
        let linked = (k < 24).then(|| &attendees[k]);
        let import = k % 9 == 8;
        let name = match (linked, import) {
            (_, true) if k % 2 == 0 => String::new(),
            (Some(a), _) => a.name.clone(),
            _ => names::chinese(rng),
        };
        let phone = generator::phone(rng);
        let status = [
            EnrollStatus::Approved,
            EnrollStatus::Pending,
            EnrollStatus::Rejected,
        ][k % 3];
        out.push(enrollment(
            linked.and_then(|a| a.key.as_deref()),
            if import {
                None
            } else {
                linked.and_then(|a| a.userid.as_deref())
            },
            &name,
            &phone,
            status,
            if import {
                EnrollSource::Import
            } else {
                EnrollSource::SelfService
            },
            start - 7 * DAY + k as i64 * 311,
            rng,
        ));
    }
    out
}
