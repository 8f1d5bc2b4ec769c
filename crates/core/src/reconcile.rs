//! Enrollment-versus-attendance reconciliation: one [`RosterEntry`] per person.
//!
//! People are recognised as follows:
//!
//! 1. Join sessions are grouped into people by any shared identifier: enterprise user id,
//!    per-meeting temp id, phone number or e-mail (Quanshi reports carry only the last two).
//!    A session with none of these is grouped by display name, the only thing left.
//! 2. Each registration is matched to a person by enterprise user id, else temp id, else
//!    phone, else e-mail: the first identifier that finds someone wins, so a weaker key can
//!    never override a stronger one. Registrations that match nobody are grouped the same way
//!    among themselves (one person registered twice is one no-show, not two).
//! 3. Each person's sessions are merged where they overlap or touch before their time is
//!    summed, so two devices in the meeting at once count once. Tencent's phone hash is never
//!    used: it is not unique.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::enums::RegistrationStatus;
use crate::model::{Answer, Attendee, Registration};
use crate::vendor::Vendor;

/// How a registration was matched to attendance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKey {
    /// Enterprise user id.
    UserId,
    /// Per-meeting temporary id.
    TempId,
    /// Phone number.
    Phone,
    /// E-mail address.
    Email,
}

/// One person's reconciliation of registration and attendance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RosterEntry {
    /// The platform.
    pub vendor: Vendor,
    /// The meeting.
    pub meeting_id: String,
    /// The name from the registration, else from the first named session.
    pub display_name: Option<String>,
    /// Enterprise user id.
    pub user_id: Option<String>,
    /// Per-meeting temporary id.
    pub temp_id: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Whether the person has a registration (any status).
    pub registered: bool,
    /// The registration's id.
    pub registration_id: Option<String>,
    /// The registration's state.
    pub registration_status: Option<RegistrationStatus>,
    /// The registration's answers.
    #[serde(default)]
    pub answers: Vec<Answer>,
    /// How the registration was matched to the sessions (absent when one side is missing).
    pub matched_by: Option<MatchKey>,
    /// Whether the person joined at all.
    pub attended: bool,
    /// Number of join sessions.
    pub sessions: u32,
    /// Earliest join.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub first_join: Option<OffsetDateTime>,
    /// Latest leave of a closed session.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub last_leave: Option<OffsetDateTime>,
    /// Seconds in the meeting, overlapping sessions merged.
    pub attended_seconds: u64,
    /// A session has no leave time yet.
    pub still_in_meeting: bool,
    /// Each session's join and leave (none while still in), for attendance rules
    /// ([`crate::attendance`]); not part of the serialized entry.
    #[serde(skip)]
    pub spans: Vec<(OffsetDateTime, Option<OffsetDateTime>)>,
}

impl RosterEntry {
    /// Whether the person was expected: registered and neither rejected nor declined.
    pub fn expected(&self) -> bool {
        self.registered
            && self
                .registration_status
                .as_ref()
                .is_none_or(RegistrationStatus::is_expected)
    }

    /// Attended without any registration.
    pub fn walk_in(&self) -> bool {
        self.attended && !self.registered
    }

    /// Expected but never joined.
    pub fn no_show(&self) -> bool {
        self.expected() && !self.attended
    }

    /// Minutes in the meeting (rounded down).
    pub fn attended_minutes(&self) -> u64 {
        self.attended_seconds / 60
    }
}

/// Totals over a reconciliation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RosterSummary {
    /// People in the report.
    pub people: u64,
    /// Registered and expected (not rejected or declined).
    pub registered: u64,
    /// Joined at least once.
    pub attended: u64,
    /// Expected but never joined.
    pub no_shows: u64,
    /// Joined without a registration.
    pub walk_ins: u64,
    /// Join sessions in total.
    pub sessions: u64,
    /// Mean minutes in the meeting of those who attended (0 when nobody did).
    pub average_minutes: f64,
}

impl RosterSummary {
    /// Computes the totals of `entries`.
    pub fn from_entries(entries: &[RosterEntry]) -> Self {
        let attended: Vec<&RosterEntry> = entries.iter().filter(|e| e.attended).collect();
        let total_seconds: u64 = attended.iter().map(|e| e.attended_seconds).sum();
        let average_minutes = if attended.is_empty() {
            0.0
        } else {
            total_seconds as f64 / 60.0 / attended.len() as f64
        };
        Self {
            people: entries.len() as u64,
            registered: entries.iter().filter(|e| e.expected()).count() as u64,
            attended: attended.len() as u64,
            no_shows: entries.iter().filter(|e| e.no_show()).count() as u64,
            walk_ins: entries.iter().filter(|e| e.walk_in()).count() as u64,
            sessions: entries.iter().map(|e| u64::from(e.sessions)).sum(),
            average_minutes,
        }
    }
}

/// Options of [`reconcile_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReconcileOptions {
    /// End time for sessions without a leave time (usually "now"). When `None`, open sessions
    /// count no time; [`RosterEntry::still_in_meeting`] marks them either way.
    pub open_sessions_until: Option<OffsetDateTime>,
}

impl ReconcileOptions {
    /// Counts open sessions up to `t`.
    pub fn open_sessions_until(mut self, t: OffsetDateTime) -> Self {
        self.open_sessions_until = Some(t);
        self
    }
}

/// Reconciles with default options (open sessions count no time).
pub fn reconcile(registrations: Vec<Registration>, attendees: Vec<Attendee>) -> Vec<RosterEntry> {
    reconcile_with(registrations, attendees, &ReconcileOptions::default())
}

/// One entry per person: registered people in registration order, then people who only
/// attended, by first join.
pub fn reconcile_with(
    registrations: Vec<Registration>,
    attendees: Vec<Attendee>,
    options: &ReconcileOptions,
) -> Vec<RosterEntry> {
    // 1. Group sessions into people.
    let mut uf = UnionFind::new(attendees.len());
    let mut owner: HashMap<(Id, String), usize> = HashMap::new();
    for (i, a) in attendees.iter().enumerate() {
        let keys = attendee_keys(a);
        for key in keys {
            match owner.get(&key) {
                Some(&j) => uf.union(i, j),
                None => {
                    owner.insert(key, i);
                }
            }
        }
    }
    let mut person_of_root: HashMap<usize, usize> = HashMap::new();
    let mut people: Vec<Vec<usize>> = Vec::new();
    for i in 0..attendees.len() {
        let root = uf.find(i);
        let p = *person_of_root.entry(root).or_insert_with(|| {
            people.push(Vec::new());
            people.len() - 1
        });
        people[p].push(i);
    }
    let person_by_key: HashMap<(Id, String), usize> = owner
        .into_iter()
        .map(|(k, i)| (k, person_of_root[&uf.find(i)]))
        .collect();

    // 2. Match registrations in precedence order; group the unmatched among themselves.
    let mut reg_of_person: Vec<Option<(usize, MatchKey)>> = vec![None; people.len()];
    let mut unmatched: Vec<Vec<usize>> = Vec::new();
    let mut unmatched_by_key: HashMap<(Id, String), usize> = HashMap::new();
    let mut order: Vec<Slot> = Vec::new();
    for (r, reg) in registrations.iter().enumerate() {
        let keys = registration_keys(reg);
        let hit = keys
            .iter()
            .find_map(|(key, how)| person_by_key.get(key).map(|&p| (p, *how)));
        match hit {
            Some((p, how)) => {
                if reg_of_person[p].is_none() {
                    reg_of_person[p] = Some((r, how));
                    order.push(Slot::Person(p));
                }
            }
            None => {
                let existing = keys
                    .iter()
                    .find_map(|(k, _)| unmatched_by_key.get(k).copied());
                let g = existing.unwrap_or_else(|| {
                    unmatched.push(Vec::new());
                    order.push(Slot::Unmatched(unmatched.len() - 1));
                    unmatched.len() - 1
                });
                unmatched[g].push(r);
                for (k, _) in keys {
                    unmatched_by_key.entry(k).or_insert(g);
                }
            }
        }
    }
    let mut walk_ins: Vec<usize> = (0..people.len())
        .filter(|&p| reg_of_person[p].is_none())
        .collect();
    walk_ins.sort_by_key(|&p| {
        people[p]
            .iter()
            .filter_map(|&i| attendees[i].joined_at)
            .min()
    });
    order.extend(walk_ins.into_iter().map(Slot::Person));

    // 3. Build entries.
    order
        .into_iter()
        .map(|slot| match slot {
            Slot::Person(p) => {
                let sessions: Vec<&Attendee> = people[p].iter().map(|&i| &attendees[i]).collect();
                let reg = reg_of_person[p].map(|(r, how)| (&registrations[r], Some(how)));
                entry(reg, &sessions, options)
            }
            Slot::Unmatched(g) => {
                entry(Some((&registrations[unmatched[g][0]], None)), &[], options)
            }
        })
        .collect()
}

enum Slot {
    Person(usize),
    Unmatched(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Id {
    User,
    Temp,
    Phone,
    Email,
    Name,
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// A phone number as matching compares it: digits only, without a leading `86` country code
/// on a Chinese mobile number; `None` for fewer than 5 digits.
pub fn normalized_phone(s: &str) -> Option<String> {
    normalize_phone(&Some(s.to_string()))
}

/// Digits only, without a leading `86` country code on a Chinese mobile number.
fn normalize_phone(s: &Option<String>) -> Option<String> {
    let digits: String = clean(s)?.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.strip_prefix("86") {
        Some(rest) if rest.len() == 11 => rest.to_string(),
        _ => digits,
    };
    (digits.len() >= 5).then_some(digits)
}

fn normalize_email(s: &Option<String>) -> Option<String> {
    clean(s)
        .filter(|e| e.contains('@'))
        .map(|e| e.to_lowercase())
}

fn attendee_keys(a: &Attendee) -> Vec<(Id, String)> {
    let mut keys = Vec::new();
    if let Some(v) = clean(&a.user_id) {
        keys.push((Id::User, v));
    }
    if let Some(v) = clean(&a.temp_id) {
        keys.push((Id::Temp, v));
    }
    if let Some(v) = normalize_phone(&a.phone) {
        keys.push((Id::Phone, v));
    }
    if let Some(v) = normalize_email(&a.email) {
        keys.push((Id::Email, v));
    }
    if keys.is_empty()
        && let Some(v) = clean(&a.display_name)
    {
        keys.push((Id::Name, v));
    }
    keys
}

fn registration_keys(r: &Registration) -> Vec<((Id, String), MatchKey)> {
    let mut keys = Vec::new();
    if let Some(v) = clean(&r.user_id) {
        keys.push(((Id::User, v), MatchKey::UserId));
    }
    if let Some(v) = clean(&r.temp_id) {
        keys.push(((Id::Temp, v), MatchKey::TempId));
    }
    if let Some(v) = normalize_phone(&r.phone) {
        keys.push(((Id::Phone, v), MatchKey::Phone));
    }
    if let Some(v) = normalize_email(&r.email) {
        keys.push(((Id::Email, v), MatchKey::Email));
    }
    keys
}

fn entry(
    reg: Option<(&Registration, Option<MatchKey>)>,
    sessions: &[&Attendee],
    options: &ReconcileOptions,
) -> RosterEntry {
    let first = |f: fn(&Attendee) -> &Option<String>| sessions.iter().find_map(|a| clean(f(a)));
    let vendor = reg
        .map(|(r, _)| r.vendor)
        .or_else(|| sessions.first().map(|a| a.vendor))
        .unwrap_or(Vendor::WeCom);
    let meeting_id = reg
        .map(|(r, _)| r.meeting_id.clone())
        .or_else(|| sessions.first().map(|a| a.meeting_id.clone()))
        .unwrap_or_default();

    let mut intervals: Vec<(OffsetDateTime, OffsetDateTime)> = Vec::new();
    let mut still_in_meeting = false;
    for a in sessions {
        let Some(start) = a.joined_at else { continue };
        let end = match a.left_at {
            Some(end) => end,
            None => {
                still_in_meeting = true;
                options.open_sessions_until.unwrap_or(start)
            }
        };
        if end > start {
            intervals.push((start, end));
        }
    }
    let attended_seconds = merged_seconds(intervals);

    RosterEntry {
        vendor,
        meeting_id,
        display_name: reg
            .and_then(|(r, _)| clean(&r.display_name))
            .or_else(|| first(|a| &a.display_name)),
        user_id: reg
            .and_then(|(r, _)| clean(&r.user_id))
            .or_else(|| first(|a| &a.user_id)),
        temp_id: reg
            .and_then(|(r, _)| clean(&r.temp_id))
            .or_else(|| first(|a| &a.temp_id)),
        phone: reg
            .and_then(|(r, _)| clean(&r.phone))
            .or_else(|| first(|a| &a.phone)),
        email: reg
            .and_then(|(r, _)| clean(&r.email))
            .or_else(|| first(|a| &a.email)),
        registered: reg.is_some(),
        registration_id: reg.and_then(|(r, _)| r.registration_id.clone()),
        registration_status: reg.and_then(|(r, _)| r.status.clone()),
        answers: reg.map(|(r, _)| r.answers.clone()).unwrap_or_default(),
        matched_by: reg.and_then(|(_, how)| how),
        attended: !sessions.is_empty(),
        sessions: u32::try_from(sessions.len()).unwrap_or(u32::MAX),
        first_join: sessions.iter().filter_map(|a| a.joined_at).min(),
        last_leave: sessions.iter().filter_map(|a| a.left_at).max(),
        attended_seconds,
        still_in_meeting,
        spans: sessions
            .iter()
            .filter_map(|a| a.joined_at.map(|j| (j, a.left_at)))
            .collect(),
    }
}

/// Total length of the union of intervals: overlapping or touching intervals count once.
pub(crate) fn merged_seconds(mut intervals: Vec<(OffsetDateTime, OffsetDateTime)>) -> u64 {
    intervals.sort();
    let mut total: i64 = 0;
    let mut current: Option<(OffsetDateTime, OffsetDateTime)> = None;
    for (start, end) in intervals {
        current = match current {
            Some((s, e)) if start <= e => Some((s, e.max(end))),
            Some((s, e)) => {
                total += (e - s).whole_seconds();
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = current {
        total += (e - s).whole_seconds();
    }
    u64::try_from(total).unwrap_or(0)
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // Keep the earlier record as root, so people keep input order.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-03-01 09:00:00 +8);

    fn session(user: &str, temp: &str, start_min: i64, end_min: Option<i64>) -> Attendee {
        let mut a = Attendee::new(Vendor::WeCom, "m");
        a.user_id = (!user.is_empty()).then(|| user.to_string());
        a.temp_id = (!temp.is_empty()).then(|| temp.to_string());
        a.joined_at = Some(T0 + Duration::minutes(start_min));
        a.left_at = end_min.map(|m| T0 + Duration::minutes(m));
        a
    }

    fn reg(user: &str, temp: &str, status: RegistrationStatus) -> Registration {
        let mut r = Registration::new(Vendor::WeCom, "m");
        r.user_id = (!user.is_empty()).then(|| user.to_string());
        r.temp_id = (!temp.is_empty()).then(|| temp.to_string());
        r.status = Some(status);
        r
    }

    #[test]
    fn overlapping_nested_touching_and_disjoint_sessions() {
        let attendees = vec![
            session("u1", "t1", 0, Some(30)),
            session("u1", "t1", 20, Some(50)), // overlaps: union 0..50
            session("u1", "t1", 25, Some(35)), // nested: no change
            session("u1", "t1", 50, Some(60)), // touches: 0..60
            session("u1", "t1", 90, Some(100)), // disjoint: +10
        ];
        let entries = reconcile(vec![], attendees);
        assert_eq!(entries.len(), 1);
        let e = &entries[0];
        assert_eq!(e.sessions, 5);
        assert_eq!(e.attended_seconds, 70 * 60);
        assert_eq!(e.first_join, Some(T0));
        assert_eq!(e.last_leave, Some(T0 + Duration::minutes(100)));
        assert!(e.walk_in());
    }

    #[test]
    fn registered_absent_and_walk_ins() {
        let regs = vec![
            reg("u1", "", RegistrationStatus::Approved),
            reg("u2", "", RegistrationStatus::Pending),
            reg("u3", "", RegistrationStatus::Rejected),
        ];
        let attendees = vec![
            session("u1", "t1", 0, Some(10)),
            session("", "t9", 5, Some(25)),
        ];
        let entries = reconcile(regs, attendees);
        assert_eq!(entries.len(), 4);
        assert_eq!(entries[0].user_id.as_deref(), Some("u1"));
        assert!(entries[0].attended && entries[0].registered);
        assert_eq!(entries[0].matched_by, Some(MatchKey::UserId));
        assert!(entries[1].no_show());
        assert!(
            !entries[2].expected() && !entries[2].no_show(),
            "rejected is not a no-show"
        );
        assert!(entries[3].walk_in());
        let s = RosterSummary::from_entries(&entries);
        assert_eq!(
            (s.people, s.registered, s.attended, s.no_shows, s.walk_ins),
            (4, 2, 2, 1, 1)
        );
        assert_eq!(s.sessions, 2);
        assert!((s.average_minutes - 15.0).abs() < 1e-9);
    }

    #[test]
    fn temp_id_matches_when_there_is_no_user_id_and_joins_sessions() {
        // An external person: a temp id only. Sessions with the same temp id are one person,
        // and a session with both ids links the two.
        let attendees = vec![
            session("", "tmp-x", 0, Some(5)),
            session("u7", "tmp-x", 10, Some(15)),
            session("u7", "", 20, Some(25)),
        ];
        let regs = vec![reg("", "tmp-x", RegistrationStatus::Approved)];
        let entries = reconcile(regs, attendees);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].sessions, 3);
        assert_eq!(entries[0].matched_by, Some(MatchKey::TempId));
        assert_eq!(entries[0].attended_seconds, 15 * 60);
    }

    #[test]
    fn user_id_wins_over_a_conflicting_weaker_key() {
        let mut a = session("u1", "", 0, Some(10));
        a.email = Some("shared@example.com".into());
        let mut b = session("u2", "", 0, Some(20));
        b.email = Some("other@example.com".into());
        let mut r = reg("u2", "", RegistrationStatus::Approved);
        r.email = Some("SHARED@example.com".into());
        let entries = reconcile(vec![r], vec![a, b]);
        assert_eq!(entries[0].user_id.as_deref(), Some("u2"));
        assert_eq!(entries[0].attended_seconds, 20 * 60);
        assert_eq!(entries[0].matched_by, Some(MatchKey::UserId));
    }

    #[test]
    fn phone_and_email_match_quanshi_style_records() {
        let mut a = Attendee::new(Vendor::Quanshi, "566390");
        a.phone = Some("+86-13800138000".into());
        a.joined_at = Some(T0);
        a.left_at = Some(T0 + Duration::minutes(30));
        let mut r = Registration::new(Vendor::Quanshi, "566390");
        r.phone = Some("13800138000".into());
        r.status = Some(RegistrationStatus::Accepted);
        let entries = reconcile(vec![r], vec![a]);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].matched_by, Some(MatchKey::Phone));
    }

    #[test]
    fn a_person_registered_twice_is_one_no_show() {
        let regs = vec![
            reg("u5", "", RegistrationStatus::Pending),
            reg("u5", "", RegistrationStatus::Approved),
        ];
        let entries = reconcile(regs, vec![]);
        assert_eq!(entries.len(), 1);
        assert_eq!(RosterSummary::from_entries(&entries).no_shows, 1);
    }

    #[test]
    fn open_sessions() {
        let attendees = vec![session("u1", "", 0, None)];
        let e = &reconcile(vec![], attendees.clone())[0];
        assert!(e.still_in_meeting);
        assert_eq!(e.attended_seconds, 0);
        let opts = ReconcileOptions::default().open_sessions_until(T0 + Duration::minutes(12));
        let e = &reconcile_with(vec![], attendees, &opts)[0];
        assert_eq!(e.attended_seconds, 12 * 60);
    }

    #[test]
    fn nameless_idless_sessions_group_by_name_only_as_a_last_resort() {
        let mut a = Attendee::new(Vendor::Quanshi, "m");
        a.display_name = Some("王五".into());
        a.joined_at = Some(T0);
        let b = a.clone();
        let mut c = a.clone();
        c.email = Some("w@example.com".into()); // has an identifier: not grouped by name
        let entries = reconcile(vec![], vec![a, b, c]);
        assert_eq!(entries.len(), 2);
    }

    #[test]
    fn summary_of_nothing() {
        let s = RosterSummary::from_entries(&[]);
        assert_eq!(s.average_minutes, 0.0);
        assert_eq!(s.people, 0);
    }

    #[test]
    fn entries_serialize() {
        let entries = reconcile(vec![reg("u1", "", RegistrationStatus::Approved)], vec![]);
        let v = serde_json::to_value(&entries[0]).unwrap();
        assert_eq!(v["registration_status"], "approved");
        assert_eq!(v["attended"], false);
        let back: RosterEntry = serde_json::from_value(v).unwrap();
        assert_eq!(back, entries[0]);
    }
}
