//! Tencent meetings and their rendered rows.
//!
//! Each meeting is rendered on first access, once per app (the `phone` hash includes the
//! caller's SecretId), into pre-serialized JSON rows sorted by join time. Serving a page is then
//! a binary search for the window plus string concatenation: nothing is regenerated, re-sorted or
//! re-serialized per request.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::seed;
use crate::catalog::CatalogMeeting;
use crate::clock::format_utc8;
use crate::config::SandboxConfig;
use crate::data::generator;
use crate::data::meeting::{IdAssigner, MeetingCore};
use crate::data::plan;
use crate::data::render::{self, RowList, StatusIndex, insert_media_states, merge_overrides};
use crate::data::{EnrollSource, FixtureAttendee, FixtureEnrollment, MeetingKind};
use crate::vendor::Vendor;

/// `phone` field: upper-case hex SHA-256 of `phone + "/" + SecretId` (docs/specs/tencent-meeting.md §4.1).
pub(crate) fn phone_hash(phone: &str, secret_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(phone.as_bytes());
    h.update(b"/");
    h.update(secret_id.as_bytes());
    hex::encode_upper(h.finalize())
}

/// One meeting: the shared identity and schedule, plus Tencent's password and rendered rows.
pub(crate) struct Meeting {
    core: MeetingCore,
    pub password: Option<String>,
    rendered: Vec<OnceLock<Arc<Rendered>>>,
}

impl Deref for Meeting {
    type Target = MeetingCore;

    fn deref(&self) -> &MeetingCore {
        &self.core
    }
}

/// Everything a meeting serves to one app.
pub(crate) struct Rendered {
    /// Participant rows. One-off and webinar: one list; recurring: one list per sub-meeting.
    pub lists: Vec<RowList>,
    /// Per list: the response fields before `participants`, without braces.
    pub headers: Vec<String>,
    /// Enrollment rows in serving order.
    pub enrollments: Vec<Box<str>>,
    /// Indices into `enrollments` per `status` filter.
    pub enroll_by_status: StatusIndex,
    /// Invitee rows.
    pub invitees: Vec<Box<str>>,
    /// Invitee user ids (the detail's `participants`, first 200).
    pub invitee_userids: Vec<String>,
    /// Every attendee's ids and `user_role` (for the host rules of §12.4–12.7).
    pub people: Vec<Person>,
    /// Sign-in rounds, ascending `start_time` (§12.4).
    pub sign_ins: Vec<SignInRound>,
    /// Waiting-room rows, ascending `join_time` (§12.7).
    pub waiting_room: Vec<Box<str>>,
}

/// An attendee's identities and role.
pub(crate) struct Person {
    /// Enterprise userid, if any.
    pub userid: Option<String>,
    /// Per-meeting temporary id.
    pub ms_open_id: String,
    /// `user_role` (docs/specs/tencent-meeting.md §5.2).
    pub role: i64,
}

impl Person {
    /// Host roles: host, creator + host, guest + host.
    pub(crate) fn is_host(&self) -> bool {
        matches!(self.role, 2 | 3 | 5)
    }

    /// Co-host roles: co-host, creator + co-host.
    pub(crate) fn is_cohost(&self) -> bool {
        matches!(self.role, 6 | 7)
    }
}

/// One sign-in round and its records.
pub(crate) struct SignInRound {
    /// `sign_in_id`.
    pub id: String,
    /// `start_time`, Unix seconds.
    pub start: i64,
    /// `sign_in_specification`.
    pub specification: String,
    /// `sign_in_status`.
    pub status: i64,
    /// Event objects with `user_name` in plain UTF-8, ascending `sign_in_time`.
    pub events: Vec<Map<String, Value>>,
    /// Per event: `user_name` in Base64, as the participant rows send it.
    pub names_base64: Vec<String>,
}

/// All Tencent meetings.
pub(crate) struct Store {
    seed: u64,
    default_creator: String,
    secret_ids: Vec<String>,
    meetings: Vec<Arc<Meeting>>,
    by_id: HashMap<String, Arc<Meeting>>,
}

impl Store {
    pub(crate) fn new(config: &SandboxConfig, tc: &super::TencentConfig, anchor: i64) -> Self {
        let seed = config.seed;
        let plans = plan::served_plans(config, anchor, Vendor::Tencent, || {
            seed::plans(seed, anchor)
        });
        let mut ids = IdAssigner::new(seed, "tencent", anchor, &tc.creator_userid, |rng| {
            generator::digits(rng, 19)
        });
        let mut meetings = Vec::with_capacity(plans.len());
        for (n, p) in plans.into_iter().enumerate() {
            let (core, mut rng) = ids.assign(p);
            meetings.push(Arc::new(Meeting {
                core,
                password: (n % 2 == 1).then(|| generator::digits(&mut rng, 6)),
                rendered: tc.apps.iter().map(|_| OnceLock::new()).collect(),
            }));
        }
        let by_id = meetings.iter().map(|m| (m.id.clone(), m.clone())).collect();
        Store {
            seed,
            default_creator: tc.creator_userid.clone(),
            secret_ids: tc.apps.iter().map(|a| a.secret_id.clone()).collect(),
            meetings,
            by_id,
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Arc<Meeting>> {
        self.by_id.get(id)
    }

    /// The meeting rendered for app `app` (rendered now on first access).
    pub(crate) fn rendered(&self, m: &Meeting, app: usize) -> Arc<Rendered> {
        let app = app.min(self.secret_ids.len().saturating_sub(1));
        match m.rendered.get(app) {
            Some(cell) => cell
                .get_or_init(|| Arc::new(self.render(m, &self.secret_ids[app])))
                .clone(),
            None => Arc::new(self.render(m, "")),
        }
    }

    fn render(&self, m: &Meeting, secret_id: &str) -> Rendered {
        let content = m.plan.content(self.seed, &self.default_creator);
        let webinar = m.kind() == MeetingKind::Webinar;
        let list_count = m.list_count();
        // (join, list, row)
        let mut rows: Vec<Vec<(i64, Box<str>)>> = (0..list_count).map(|_| Vec::new()).collect();
        for (ai, a) in content.attendees.iter().enumerate() {
            let key = a.person_key(ai);
            let ms_open_id = generator::temp_id(self.seed, "tencent", &m.id, &key);
            let phone = a.phone.as_deref().map(|p| phone_hash(p, secret_id));
            for (si, s) in a.sessions.iter().enumerate() {
                let Some(list) = m.list_of(s) else {
                    continue;
                };
                let row = participant_row(a, ai, si, &ms_open_id, phone.as_deref(), webinar);
                rows[list].push((s.join, row.into_boxed_str()));
            }
        }
        let headers = (0..list_count)
            .map(|i| {
                let (start, end) = match m.subs.get(i) {
                    Some(s) if m.is_recurring() => (s.start, s.end),
                    _ => (m.plan.meeting.start, m.plan.meeting.end),
                };
                format!(
                    "\"meeting_id\":{},\"meeting_code\":{},\"subject\":{},\"schedule_start_time\":\"{}\",\"schedule_end_time\":\"{}\"",
                    json!(m.id),
                    json!(m.code),
                    json!(m.plan.meeting.subject),
                    start,
                    end
                )
            })
            .collect();
        let lists = rows.into_iter().map(RowList::sorted).collect();

        let mut erng = generator::rng_for(self.seed, &["tencent", "enroll", &m.id]);
        let enroll_base: i64 = rand::Rng::random_range(&mut erng, 100_000_000..900_000_000);
        let mut enrollments = Vec::with_capacity(content.enrollments.len());
        let mut enroll_by_status = StatusIndex::default();
        for (k, e) in content.enrollments.iter().enumerate() {
            let code = generator::digits(&mut erng, 8);
            let row = enroll_row(self.seed, m, e, k, enroll_base + k as i64 * 3, &code);
            enroll_by_status.push(k as u32, e.status);
            enrollments.push(row.into_boxed_str());
        }
        let invitees = content
            .invitees
            .iter()
            .map(|i| {
                json!({"userid": i.userid.clone().unwrap_or_default(), "nick_name": i.name})
                    .to_string()
                    .into_boxed_str()
            })
            .collect();
        let invitee_userids = content
            .invitees
            .iter()
            .filter_map(|i| i.userid.clone())
            .take(200)
            .collect();
        let people: Vec<Person> = content
            .attendees
            .iter()
            .enumerate()
            .map(|(ai, a)| Person {
                userid: a.userid.clone().filter(|u| !u.is_empty()),
                ms_open_id: generator::temp_id(self.seed, "tencent", &m.id, &a.person_key(ai)),
                role: a.role.unwrap_or(0),
            })
            .collect();
        let find = |key: &str| {
            content
                .attendees
                .iter()
                .enumerate()
                .find(|(ai, a)| a.person_key(*ai) == key)
        };
        let sign_ins = seed::sign_ins(&m.plan.label, m.plan.meeting.start)
            .into_iter()
            .enumerate()
            .map(|(k, round)| {
                let mut events: Vec<(i64, Map<String, Value>, String)> = round
                    .events
                    .iter()
                    .filter_map(|&(key, at)| {
                        let (ai, a) = find(key)?;
                        let mut o = Map::new();
                        o.insert("ms_open_id".into(), people[ai].ms_open_id.clone().into());
                        if let Some(u) = &people[ai].userid {
                            o.insert("userid".into(), u.clone().into());
                        }
                        o.insert("open_id".into(), "".into());
                        o.insert("user_name".into(), a.name.clone().into());
                        // A string of digits (the doc's type cell is cut off at "Strin…").
                        o.insert("user_role".into(), people[ai].role.to_string().into());
                        o.insert("sign_in_time".into(), at.into());
                        Some((at, o, base64_name(a)))
                    })
                    .collect();
                events.sort_by_key(|(at, _, _)| *at);
                let (events, names_base64) = events.into_iter().map(|(_, o, n)| (o, n)).unzip();
                SignInRound {
                    id: sign_in_id(self.seed, &m.id, k),
                    start: round.start,
                    specification: round.specification.to_owned(),
                    status: round.status,
                    events,
                    names_base64,
                }
            })
            .collect();
        let mut waits: Vec<(i64, Box<str>)> =
            seed::waiting_room(&m.plan.label, m.plan.meeting.start)
                .into_iter()
                .filter_map(|w| {
                    let (userid, name, device, ms_open_id) = match find(w.person) {
                        Some((ai, a)) => (
                            people[ai].userid.clone(),
                            base64_name(a),
                            a.sessions
                                .first()
                                .and_then(|s| s.device)
                                .or(a.device)
                                .unwrap_or(1),
                            people[ai].ms_open_id.clone(),
                        ),
                        // Someone only ever in the waiting room, with a seed name.
                        None if !w.name.is_empty() => (
                            None,
                            base64::engine::general_purpose::STANDARD.encode(w.name.as_bytes()),
                            w.device,
                            generator::temp_id(self.seed, "tencent", &m.id, w.person),
                        ),
                        None => return None,
                    };
                    let mut o = Map::new();
                    o.insert("user_name".into(), name.into());
                    if let Some(u) = userid {
                        o.insert("userid".into(), u.into());
                    }
                    o.insert("open_id".into(), "".into());
                    o.insert("ms_open_id".into(), ms_open_id.into());
                    // A decimal string on this page (doc and SDK).
                    o.insert("instanceid".into(), device.to_string().into());
                    o.insert("join_time".into(), w.join_ms.into());
                    // Still waiting: 0 (choice).
                    o.insert("left_time".into(), w.left_ms.unwrap_or(0).into());
                    o.insert("app_version".into(), "3.30.1.466".into());
                    Some((w.join_ms, Value::Object(o).to_string().into_boxed_str()))
                })
                .collect();
        waits.sort_by_key(|(j, _)| *j);
        Rendered {
            lists,
            headers,
            enrollments,
            enroll_by_status,
            invitees,
            invitee_userids,
            people,
            sign_ins,
            waiting_room: waits.into_iter().map(|(_, r)| r).collect(),
        }
    }

    /// Catalog entries.
    pub(crate) fn catalog(&self) -> Vec<CatalogMeeting> {
        self.meetings
            .iter()
            .map(|m| {
                m.catalog_entry(Vendor::Tencent, m.plan.sessions(), |i| {
                    m.plan.sub_meeting_sessions(i)
                })
            })
            .collect()
    }
}

/// `user_name` as the participant rows send it: the raw override if the fixture has one, else
/// Base64 of the name.
fn base64_name(a: &FixtureAttendee) -> String {
    a.overrides
        .get("tencent")
        .and_then(|o| o.get("user_name"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| base64::engine::general_purpose::STANDARD.encode(a.name.as_bytes()))
}

/// A `sign_in_id` shaped like the doc example (`S42CD414A-6EBD-XXXX-XXXX-C6437FC76741`), stable
/// per seed, meeting and round.
fn sign_in_id(seed: u64, meeting_id: &str, round: usize) -> String {
    let k = round.to_string();
    let a = generator::hash64(seed, &["tencent", "sign-in", meeting_id, &k, "a"]);
    let b = generator::hash64(seed, &["tencent", "sign-in", meeting_id, &k, "b"]);
    let hex = format!("{a:016X}{b:016X}");
    format!(
        "S{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn participant_row(
    a: &FixtureAttendee,
    ai: usize,
    si: usize,
    ms_open_id: &str,
    phone: Option<&str>,
    webinar: bool,
) -> String {
    let s = &a.sessions[si];
    let mut o = Map::new();
    if let Some(u) = a.userid.as_deref().filter(|u| !u.is_empty()) {
        o.insert("userid".into(), u.into());
    }
    o.insert("ms_open_id".into(), ms_open_id.into());
    o.insert(
        "user_name".into(),
        base64::engine::general_purpose::STANDARD
            .encode(a.name.as_bytes())
            .into(),
    );
    o.insert("is_enterprise_user".into(), a.is_member().into());
    if let Some(p) = phone {
        o.insert("phone".into(), p.into());
    }
    o.insert("join_time".into(), s.join.to_string().into());
    o.insert(
        "left_time".into(),
        s.leave.map(|l| l.to_string()).unwrap_or_default().into(),
    );
    o.insert(
        "instanceid".into(),
        s.device.or(a.device).unwrap_or(1).into(),
    );
    o.insert("user_role".into(), a.role.unwrap_or(0).into());
    if webinar {
        o.insert(
            "webinar_member_role".into(),
            a.webinar_role.unwrap_or(0).into(),
        );
    }
    o.insert("join_type".into(), a.join_type.unwrap_or(1).into());
    insert_media_states(&mut o, ai, si);
    if s.leave.is_none() {
        // Only while in the meeting (docs/specs/tencent-meeting.md §4.1).
        let ip =
            s.ip.clone()
                .unwrap_or_else(|| format!("10.{}.{}.{}", ai % 250, si % 250, 1 + ai % 200));
        o.insert("ip".into(), ip.into());
        o.insert("location".into(), "广东省深圳市".into());
        o.insert("link_type".into(), "UDP".into());
        o.insert("net".into(), ["WIFI", "有线", "4G"][ai % 3].into());
        o.insert("app_version".into(), "3.30.1.466".into());
    }
    merge_overrides(&mut o, &a.overrides, "tencent");
    Value::Object(o).to_string()
}

fn enroll_row(
    seed: u64,
    m: &Meeting,
    e: &FixtureEnrollment,
    k: usize,
    id: i64,
    code: &str,
) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let person = e.person.clone().unwrap_or_else(|| format!("enroll-{k}"));
    render::enroll_row(e, id.into(), format_utc8(e.time, fmt), code, |o| {
        if e.source == EnrollSource::SelfService {
            // Not returned for phone imports; empty for people outside the enterprise.
            o.insert("userid".into(), e.userid.clone().unwrap_or_default().into());
        }
        o.insert("open_id".into(), "".into());
        o.insert(
            "ms_open_id".into(),
            generator::temp_id(seed, "tencent", &m.id, &person).into(),
        );
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_hash_fixture_check() {
        assert_eq!(
            phone_hash("13800138000", "aSecretId"),
            "6B6537A68B7BB5E7DC051547CCB5AE394BDB02D660E393F695E9AB3DC038AC36"
        );
    }
}
