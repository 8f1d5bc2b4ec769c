//! Quanshi meetings and their rendered responses.
//!
//! Ids (eventId, conferenceId, pcodes, join links, run ids) are fixed at start from the plans.
//! Everything else is rendered once per meeting, on first access, into pre-serialized JSON: the
//! meeting object in both spellings, the v1 and v2 report results, the invitee list, and the
//! terminal rows sorted by join time. Serving is then string concatenation; only
//! `attendee/list` filters (by the sandbox clock) per call, with the last filter cached.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use super::QuanshiConfig;
use super::seed::{self, DEFAULT_HOST_NAME};
use crate::catalog::{CatalogMeeting, CatalogSubMeeting};
use crate::clock::format_utc8;
use crate::config::SandboxConfig;
use crate::data::generator;
use crate::data::plan::{self, MeetingPlan};
use crate::data::render::{merge_overrides, union_length};
use crate::data::{FixtureAttendee, FixtureInvitee, MeetingKind, MeetingState};
use crate::pager;
use crate::vendor::Vendor;

/// Where generated join links live (the test domain of the doc example).
const JOIN_LINK_BASE: &str = "https://mtest.qsh1.cn/k/";

/// Everything but `A–Z a–z 0–9 - _ . ~` is percent-encoded in v1 `title` (upper-case hex, as in
/// the doc example `pei%E7%9A%84%E4%BC%9A%E8%AE%AE`).
const TITLE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `YYYY-MM-DD HH:MM:SS` in UTC+8.
pub(crate) fn wall_time(unix: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    format_utc8(unix, fmt)
}

/// The Quanshi numeric user id of a data-model user id: the number itself when it is all
/// digits, else a stable 8-digit number derived from it.
pub(crate) fn user_id_of(userid: &str) -> u64 {
    if !userid.is_empty()
        && userid.len() <= 19
        && userid.bytes().all(|b| b.is_ascii_digit())
        && let Ok(n) = userid.parse::<u64>()
        && n > 0
    {
        return n;
    }
    80_000_000 + generator::hash64(0, &["quanshi-user", userid]) % 10_000_000
}

/// A device code of the data model as Quanshi's `deviceType` text.
pub(crate) fn device_type(device: i64) -> &'static str {
    match device {
        0 => "Telephone",
        1 => "PC",
        2 => "Mac",
        3 => "Android",
        4 => "iOS",
        5 => "Web",
        8 => "H323",
        _ => "Unknown",
    }
}

/// `+86-13800138000` (a number already starting with `+` is kept), `""` for none.
fn mobile_text(phone: Option<&str>) -> String {
    match phone {
        None | Some("") => String::new(),
        Some(p) if p.starts_with('+') => p.to_owned(),
        Some(p) => format!("+86-{p}"),
    }
}

fn digits_only(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn ipv4_from(h: u64) -> String {
    format!(
        "{}.{}.{}.{}",
        1 + (h % 223),
        (h >> 8) & 0xff,
        (h >> 16) & 0xff,
        1 + ((h >> 24) % 254)
    )
}

/// `Cancelled` → 0, `Ended` → 4, otherwise 1 (已创建; `2` is not used by these endpoints).
pub(crate) fn status_code(s: MeetingState) -> i64 {
    match s {
        MeetingState::Cancelled => 0,
        MeetingState::Ended => 4,
        MeetingState::NotStarted | MeetingState::InProgress => 1,
    }
}

/// One actual run of a meeting (a `tempConferenceId`).
#[derive(Clone, Debug)]
pub(crate) struct Run {
    pub temp_id: String,
    /// The sub-meeting index (recurring meetings).
    pub sub: Option<usize>,
    /// Scheduled start and end.
    pub start: i64,
    pub end: i64,
    pub state: MeetingState,
}

/// One Quanshi meeting (a calendar event).
pub(crate) struct Meeting {
    pub plan: MeetingPlan,
    pub event_id: u64,
    pub conference_id: String,
    pub pcode1: String,
    pub pcode2: String,
    pub billing_code: String,
    pub host_id: u64,
    pub join_url: String,
    pub host_join_url: String,
    pub cohost_join_url: String,
    pub wcall_url: String,
    pub state: MeetingState,
    /// `tempConferenceId` of every sub-meeting (recurring meetings).
    pub sub_temp_ids: Vec<String>,
    /// Runs that happened (or are happening), in order.
    pub runs: Vec<Run>,
    pub people: usize,
    rendered: OnceLock<Arc<Rendered>>,
}

impl Meeting {
    pub(crate) fn is_recurring(&self) -> bool {
        self.plan.meeting.kind == MeetingKind::Recurring
    }
}

/// Terminal rows (one per join session) sorted by join time.
pub(crate) struct Terminals {
    joins: Vec<i64>,
    /// Leave time, `i64::MAX` while still in.
    leaves: Vec<i64>,
    pub rows: Vec<Box<str>>,
    cache: Mutex<Option<(i64, Arc<Vec<u32>>)>>,
}

impl Terminals {
    /// Indices of the terminals in the meeting at `now` (`join ≤ now < leave`), in join order.
    pub(crate) fn current(&self, now: i64) -> Arc<Vec<u32>> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, v)) = cache.as_ref()
            && *at == now
        {
            return v.clone();
        }
        let joined = self.joins.partition_point(|&j| j <= now);
        let v: Arc<Vec<u32>> = Arc::new(
            (0..joined)
                .filter(|&i| now < self.leaves[i])
                .map(|i| i as u32)
                .collect(),
        );
        *cache = Some((now, v.clone()));
        v
    }
}

/// A meeting's responses, rendered once.
pub(crate) struct Rendered {
    /// `result` of the join-link lookup: `[<meeting object, doc spellings>]`.
    pub lookup: Arc<str>,
    /// `result` of `room/conference/infos`: `[<meeting object, table spellings>]`.
    pub infos: Arc<str>,
    /// `result` of report v1 (array).
    pub v1: Arc<str>,
    /// `result` of report v2 (object).
    pub v2: Arc<str>,
    /// `attendList` (array).
    pub invitees: Arc<str>,
    pub terminals: Terminals,
}

/// All Quanshi meetings.
pub(crate) struct Store {
    seed: u64,
    anchor: i64,
    default_host: String,
    host_email: String,
    customer_code: String,
    meetings: Vec<Arc<Meeting>>,
    by_event: HashMap<u64, Arc<Meeting>>,
    by_join_url: HashMap<String, Arc<Meeting>>,
    by_pcode: HashMap<String, Arc<Meeting>>,
}

struct Ids {
    used: HashSet<String>,
}

impl Ids {
    fn fresh(&mut self, rng: &mut ChaCha8Rng, make: impl Fn(&mut ChaCha8Rng) -> String) -> String {
        loop {
            let v = make(rng);
            if self.used.insert(v.clone()) {
                return v;
            }
        }
    }
}

fn link_code(rng: &mut ChaCha8Rng) -> String {
    const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..11)
        .map(|_| char::from(B62[rng.random_range(0..B62.len())]))
        .collect()
}

/// Whether a sub-meeting (recurring) or the meeting (one-off) ran: not deleted and ended or in
/// progress, or any session recorded in it.
fn ran(state: MeetingState, deleted: bool, has_sessions: bool) -> bool {
    has_sessions || (!deleted && matches!(state, MeetingState::Ended | MeetingState::InProgress))
}

impl Store {
    pub(crate) fn new(config: &SandboxConfig, qc: &QuanshiConfig, anchor: i64) -> Self {
        let seed = config.seed;
        let plans = plan::served_plans(config, anchor, Vendor::Quanshi, || {
            seed::plans(seed, anchor, qc)
        });

        // Explicit event ids first, so generated ones never take them.
        let explicit = |p: &MeetingPlan| -> Option<u64> {
            let id = p.meeting.id.as_deref()?;
            (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
                .then(|| id.parse::<u64>().ok())
                .flatten()
                .filter(|&n| n > 0)
        };
        let mut events: HashSet<u64> = HashSet::new();
        let mut chosen: Vec<Option<u64>> = plans
            .iter()
            .map(|p| explicit(p).filter(|&n| events.insert(n)))
            .collect();
        let mut ids = Ids {
            used: HashSet::new(),
        };
        let mut meetings = Vec::with_capacity(plans.len());
        for (p, event) in plans.into_iter().zip(chosen.iter_mut()) {
            let mut rng = generator::rng_for(seed, &["quanshi", "meeting", &p.label]);
            let event_id = match event.take() {
                Some(e) => e,
                None => loop {
                    let e = rng.random_range(100_000..10_000_000u64);
                    if events.insert(e) {
                        break e;
                    }
                },
            };
            let conference_id = ids.fresh(&mut rng, |r| format!("2{}", generator::digits(r, 8)));
            let pcode1 = ids.fresh(&mut rng, |r| {
                format!("20150100{}", generator::digits(r, 10))
            });
            let pcode2 = match p.meeting.code.clone() {
                Some(c) if ids.used.insert(c.clone()) => c,
                _ => ids.fresh(&mut rng, |r| {
                    format!("20150100{}", generator::digits(r, 10))
                }),
            };
            let billing_code = generator::digits(&mut rng, 8);
            let overridden_link = p
                .meeting
                .overrides
                .get("quanshi")
                .and_then(|o| o.get("attendeeJoinUrl"))
                .and_then(Value::as_str)
                .map(|s| s.trim().to_owned());
            let join_url = match overridden_link {
                Some(l) => l,
                None => ids.fresh(&mut rng, |r| format!("{JOIN_LINK_BASE}{}", link_code(r))),
            };
            let host_join_url =
                ids.fresh(&mut rng, |r| format!("{JOIN_LINK_BASE}{}", link_code(r)));
            let cohost_join_url =
                ids.fresh(&mut rng, |r| format!("{JOIN_LINK_BASE}{}", link_code(r)));
            let wcall_url = format!(
                "http://meetservicem.quanshi.com/m-wcall/?pcode={}&env=E&billingcode={}&summit=1&prod=meetnow&uc_lang=cn&callin",
                generator::hex_chars(&mut rng, 64),
                generator::hex_chars(&mut rng, 32)
            );
            let host_id = p
                .meeting
                .creator
                .as_deref()
                .map(user_id_of)
                .unwrap_or(qc.host_user_id);
            let state = p.state(anchor);
            let sub_temp_ids: Vec<String> = p
                .meeting
                .sub_meetings
                .iter()
                .map(|s| match &s.id {
                    Some(id) if ids.used.insert(format!("run:{id}")) => id.clone(),
                    _ => {
                        let v = ids.fresh(&mut rng, |r| {
                            format!("run:{}", r.random_range(10_000..1_000_000u32))
                        });
                        v["run:".len()..].to_owned()
                    }
                })
                .collect();
            let given = p.generated.is_none();
            let has_sessions = |sub: Option<usize>| {
                given
                    && p.meeting
                        .attendees
                        .iter()
                        .flat_map(|a| &a.sessions)
                        .any(|s| sub.is_none() || s.sub_meeting == sub)
            };
            let runs: Vec<Run> = if p.meeting.kind == MeetingKind::Recurring {
                p.meeting
                    .sub_meetings
                    .iter()
                    .enumerate()
                    .filter(|(i, s)| {
                        ran(p.sub_state(*i, anchor), s.deleted, has_sessions(Some(*i)))
                    })
                    .map(|(i, s)| Run {
                        temp_id: sub_temp_ids[i].clone(),
                        sub: Some(i),
                        start: s.start,
                        end: s.end,
                        state: p.sub_state(i, anchor),
                    })
                    .collect()
            } else if ran(state, false, has_sessions(None)) {
                let temp_id = ids.fresh(&mut rng, |r| {
                    format!("run:{}", r.random_range(10_000..1_000_000u32))
                });
                vec![Run {
                    temp_id: temp_id["run:".len()..].to_owned(),
                    sub: None,
                    start: p.meeting.start,
                    end: p.meeting.end,
                    state,
                }]
            } else {
                Vec::new()
            };
            let people = match &p.generated {
                Some(g) => g.people(),
                None => p
                    .meeting
                    .attendees
                    .iter()
                    .filter(|a| !a.sessions.is_empty())
                    .count(),
            };
            meetings.push(Arc::new(Meeting {
                plan: p,
                event_id,
                conference_id,
                pcode1,
                pcode2,
                billing_code,
                host_id,
                join_url,
                host_join_url,
                cohost_join_url,
                wcall_url,
                state,
                sub_temp_ids,
                runs,
                people,
                rendered: OnceLock::new(),
            }));
        }
        let by_event = meetings.iter().map(|m| (m.event_id, m.clone())).collect();
        let mut by_join_url = HashMap::new();
        let mut by_pcode = HashMap::new();
        for m in &meetings {
            by_join_url
                .entry(m.join_url.clone())
                .or_insert_with(|| m.clone());
            by_pcode
                .entry(m.pcode1.clone())
                .or_insert_with(|| m.clone());
        }
        Store {
            seed,
            anchor,
            default_host: qc.host_user_id.to_string(),
            host_email: qc.host_email.clone(),
            customer_code: qc.customer_code.clone(),
            meetings,
            by_event,
            by_join_url,
            by_pcode,
        }
    }

    /// The host name of the default host.
    pub(crate) fn default_host_name(&self) -> &'static str {
        DEFAULT_HOST_NAME
    }

    /// Every meeting, in serving order.
    pub(crate) fn meetings(&self) -> &[Arc<Meeting>] {
        &self.meetings
    }

    pub(crate) fn by_event(&self, event_id: u64) -> Option<&Arc<Meeting>> {
        self.by_event.get(&event_id)
    }

    /// The meeting whose attendee join link is exactly `url` (already trimmed).
    pub(crate) fn by_join_url(&self, url: &str) -> Option<&Arc<Meeting>> {
        self.by_join_url.get(url)
    }

    /// The meeting whose host passcode (`pcode1`) is `pcode`.
    pub(crate) fn by_pcode(&self, pcode: &str) -> Option<&Arc<Meeting>> {
        self.by_pcode.get(pcode)
    }

    /// The meeting's responses (rendered now on first access).
    pub(crate) fn rendered(&self, m: &Meeting) -> Arc<Rendered> {
        m.rendered.get_or_init(|| Arc::new(self.render(m))).clone()
    }

    fn render(&self, m: &Meeting) -> Rendered {
        let content = m.plan.content(self.seed, &self.default_host);
        let generated = m.plan.generated.is_some();
        let meeting = &m.plan.meeting;
        let title_encoded = utf8_percent_encode(&meeting.subject, TITLE_SET).to_string();

        // The host's name and mobile, from the host's attendee record if there is one.
        let host_attendee = content.attendees.iter().find(|a| {
            a.userid
                .as_deref()
                .is_some_and(|u| !u.is_empty() && user_id_of(u) == m.host_id)
        });
        let host_name = match host_attendee {
            Some(a) if !(generated && m.host_id.to_string() == self.default_host) => a.name.clone(),
            _ => DEFAULT_HOST_NAME.to_owned(),
        };
        let host_mobile = host_attendee
            .and_then(|a| a.phone.clone())
            .unwrap_or_default();

        let run_of = |sub: Option<usize>| -> Option<usize> {
            if m.is_recurring() {
                let sub = sub?;
                m.runs.iter().position(|r| r.sub == Some(sub))
            } else {
                (!m.runs.is_empty()).then_some(0)
            }
        };
        // Per run: earliest join, latest leave.
        let mut run_span: Vec<(i64, i64)> = m.runs.iter().map(|r| (r.start, r.end)).collect();

        let mut v2_rows: Vec<(i64, Box<str>)> = Vec::new();
        let mut term_rows: Vec<(i64, i64, Box<str>)> = Vec::new();
        let mut v1_rows: Vec<(i64, Box<str>)> = Vec::new();
        let mut session_no: u64 = 0;
        for (ai, a) in content.attendees.iter().enumerate() {
            let person = Person::new(self, m, a, generated, &host_name);
            let mut sessions: Vec<SessionView> = Vec::with_capacity(a.sessions.len());
            for (si, s) in a.sessions.iter().enumerate() {
                let Some(run) = run_of(s.sub_meeting) else {
                    continue;
                };
                let device = s.device.or(a.device).unwrap_or(1);
                let h = generator::splitmix(
                    m.event_id ^ generator::splitmix((ai as u64) << 20 ^ si as u64),
                );
                let ip = match &s.ip {
                    Some(ip) => ip.clone(),
                    None => {
                        let phone = a
                            .phone
                            .as_deref()
                            .map(digits_only)
                            .filter(|p| !p.is_empty())
                            .unwrap_or_else(|| format!("1{:010}", h % 10_000_000_000));
                        if device == 0 {
                            phone
                        } else if a.phone.is_some() && ai % 5 == 2 {
                            format!("{} {phone}", ipv4_from(h))
                        } else {
                            ipv4_from(h)
                        }
                    }
                };
                let span = &mut run_span[run];
                span.0 = span.0.min(s.join);
                if let Some(l) = s.leave {
                    span.1 = span.1.max(l);
                }
                let view = SessionView {
                    join: s.join,
                    leave: s.leave,
                    device: device_type(device),
                    ip,
                };
                v2_rows.push((s.join, person.v2_row(&view, &m.runs[run].temp_id)));
                term_rows.push((
                    s.join,
                    s.leave.unwrap_or(i64::MAX),
                    person.terminal_row(self, m, &view, session_no, h),
                ));
                session_no += 1;
                sessions.push(view);
            }
            if let Some(row) = person.v1_row(m, &sessions, &title_encoded) {
                v1_rows.push(row);
            }
        }
        // Stable sorts: equal times keep generation order.
        v2_rows.sort_by_key(|(j, _)| *j);
        v1_rows.sort_by_key(|(j, _)| *j);
        term_rows.sort_by_key(|(j, _, _)| *j);

        let runs: Vec<Value> = m
            .runs
            .iter()
            .zip(&run_span)
            .map(|(r, &(s, e))| {
                json!({
                    "tempConferenceId": r.temp_id,
                    "realStartTime": wall_time(s),
                    "realEndTime": if r.state == MeetingState::InProgress { String::new() } else { wall_time(e) },
                })
            })
            .collect();
        let mut v2 =
            String::with_capacity(v2_rows.iter().map(|(_, r)| r.len() + 1).sum::<usize>() + 64);
        v2.push_str("{\"interaction\":");
        push_array(&mut v2, v2_rows.iter().map(|(_, r)| &**r));
        v2.push_str(",\"tempConfenceList\":");
        v2.push_str(&Value::from(runs).to_string());
        v2.push('}');
        let mut v1 = String::new();
        push_array(&mut v1, v1_rows.iter().map(|(_, r)| &**r));

        let invitees: Vec<Value> = content
            .invitees
            .iter()
            .enumerate()
            .map(|(k, i)| invitee_row(m, i, k))
            .collect();
        let invitees = Value::from(invitees);
        let (lookup, infos) = meeting_objects(m, &host_name, &host_mobile, &invitees);

        let (joins, rest): (Vec<i64>, Vec<(i64, Box<str>)>) =
            term_rows.into_iter().map(|(j, l, r)| (j, (l, r))).unzip();
        let (leaves, rows) = rest.into_iter().unzip();
        Rendered {
            lookup: format!("[{lookup}]").into(),
            infos: format!("[{infos}]").into(),
            v1: v1.into(),
            v2: v2.into(),
            invitees: invitees.to_string().into(),
            terminals: Terminals {
                joins,
                leaves,
                rows,
                cache: Mutex::new(None),
            },
        }
    }

    /// Catalog entries.
    pub(crate) fn catalog(&self) -> Vec<CatalogMeeting> {
        self.meetings
            .iter()
            .map(|m| CatalogMeeting {
                vendor: Vendor::Quanshi,
                label: m.plan.label.clone(),
                id: m.event_id.to_string(),
                code: m.pcode2.clone(),
                subject: m.plan.meeting.subject.clone(),
                kind: m.plan.meeting.kind,
                state: m.state,
                creator: m.host_id.to_string(),
                sessions: m.plan.sessions(),
                people: m.people,
                sub_meetings: if m.is_recurring() {
                    m.plan
                        .meeting
                        .sub_meetings
                        .iter()
                        .enumerate()
                        .map(|(i, s)| CatalogSubMeeting {
                            id: m.sub_temp_ids[i].clone(),
                            start: s.start,
                            end: s.end,
                            state: m.plan.sub_state(i, self.anchor),
                            deleted: s.deleted,
                            sessions: m.plan.sub_meeting_sessions(i),
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                enrollment: false,
                enrollments: 0,
                invitees: m.plan.invitee_count(),
                start: m.plan.meeting.start,
                end: m.plan.meeting.end,
                join_url: Some(m.join_url.clone()),
            })
            .collect()
    }
}

fn push_array<'a>(out: &mut String, rows: impl Iterator<Item = &'a str>) {
    out.push('[');
    pager::push_joined(out, rows);
    out.push(']');
}

/// One session as the rows need it.
struct SessionView {
    join: i64,
    leave: Option<i64>,
    device: &'static str,
    ip: String,
}

/// One attendee's rendered identity.
struct Person<'a> {
    a: &'a FixtureAttendee,
    uid: Option<u64>,
    name: String,
    mobile: String,
    email: String,
    role: i64,
    host_name: &'a str,
}

impl<'a> Person<'a> {
    fn new(
        store: &Store,
        m: &Meeting,
        a: &'a FixtureAttendee,
        generated: bool,
        host_name: &'a str,
    ) -> Self {
        let userid = a.userid.as_deref().filter(|u| !u.is_empty());
        let uid = userid.map(user_id_of);
        let is_host = uid == Some(m.host_id);
        let default_host = generated && is_host && m.host_id.to_string() == store.default_host;
        let name = if default_host {
            DEFAULT_HOST_NAME.to_owned()
        } else {
            a.name.clone()
        };
        let email = match (&a.email, userid) {
            (Some(e), _) => e.clone(),
            (None, _) if default_host => store.host_email.clone(),
            (None, Some(u)) if generated => format!("{u}@example.com"),
            _ => String::new(),
        };
        Person {
            a,
            uid,
            name,
            mobile: mobile_text(a.phone.as_deref()),
            email,
            role: i64::from(is_host),
            host_name,
        }
    }

    fn v2_row(&self, s: &SessionView, temp_id: &str) -> Box<str> {
        let mut o = Map::new();
        o.insert("name".into(), self.name.clone().into());
        o.insert("mobile".into(), self.mobile.clone().into());
        o.insert("email".into(), self.email.clone().into());
        o.insert("roleId".into(), self.role.into());
        o.insert("onlineTime".into(), s.join.into());
        o.insert("offlineTime".into(), s.leave.unwrap_or(0).into());
        o.insert("deviceType".into(), s.device.into());
        o.insert("ip".into(), s.ip.clone().into());
        o.insert("tempConferenceId".into(), temp_id.into());
        merge_overrides(&mut o, &self.a.overrides, "quanshi");
        Value::Object(o).to_string().into_boxed_str()
    }

    fn terminal_row(
        &self,
        store: &Store,
        m: &Meeting,
        s: &SessionView,
        session_no: u64,
        h: u64,
    ) -> Box<str> {
        const LOCATIONS: [&str; 5] = ["北京市", "上海市", "广东省深圳市", "陕西省西安市", ""];
        const CARRIERS: [&str; 4] = ["电信", "联通", "移动", ""];
        const NETS: [&str; 4] = ["WIFI", "ETHERNET", "4G", "5G"];
        let phone_only = s.device == "Telephone";
        let public_ip =
            s.ip.split_whitespace()
                .find(|t| t.contains('.') || t.contains(':'));
        let mut o = Map::new();
        o.insert("eventId".into(), m.event_id.into());
        o.insert("conferenceId".into(), m.conference_id.clone().into());
        o.insert(
            "tempUserId".into(),
            (1_000_000_000 + (m.event_id % 1_000_000) * 1_000_000 + session_no).into(),
        );
        o.insert("userId".into(), self.uid.unwrap_or(0).into());
        o.insert("customerCode".into(), store.customer_code.clone().into());
        o.insert("name".into(), self.name.trim().into());
        o.insert("email".into(), self.email.clone().into());
        o.insert("mobile".into(), self.mobile.clone().into());
        o.insert("role".into(), self.role.into());
        o.insert(
            "roles".into(),
            if self.role == 1 {
                json!([1, 2])
            } else {
                json!([0])
            },
        );
        o.insert("deviceType".into(), s.device.into());
        o.insert(
            "deviceVer".into(),
            if phone_only { "" } else { "6.13.0.2" }.into(),
        );
        o.insert(
            "deviceId".into(),
            format!("{:016x}", generator::splitmix(h)).into(),
        );
        o.insert(
            "localIp".into(),
            if phone_only {
                String::new()
            } else {
                format!("192.168.{}.{}", (h >> 32) & 0xff, 2 + ((h >> 40) % 250))
            }
            .into(),
        );
        o.insert("ip".into(), public_ip.unwrap_or("").into());
        o.insert(
            "location".into(),
            LOCATIONS[(h >> 48) as usize % LOCATIONS.len()].into(),
        );
        o.insert(
            "carrier".into(),
            CARRIERS[(h >> 52) as usize % CARRIERS.len()].into(),
        );
        o.insert(
            "netType".into(),
            if phone_only {
                "PSTN"
            } else {
                NETS[(h >> 56) as usize % NETS.len()]
            }
            .into(),
        );
        o.insert("joinTime".into(), s.join.into());
        merge_overrides(&mut o, &self.a.overrides, "quanshi");
        Value::Object(o).to_string().into_boxed_str()
    }

    /// The person's v1 row (`None` without sessions), keyed by the first join.
    fn v1_row(
        &self,
        m: &Meeting,
        sessions: &[SessionView],
        title: &str,
    ) -> Option<(i64, Box<str>)> {
        let first = sessions.iter().min_by_key(|s| s.join)?;
        let open = sessions.iter().any(|s| s.leave.is_none());
        let last_leave = sessions.iter().filter_map(|s| s.leave).max();
        // Time in the meeting: the union of the closed sessions (overlaps count once).
        let watched = union_length(
            sessions
                .iter()
                .filter_map(|s| s.leave.map(|l| (s.join, l)))
                .collect(),
        );
        let meeting = &m.plan.meeting;
        let mut o = Map::new();
        o.insert("conferenceId".into(), m.conference_id.clone().into());
        o.insert("eventId".into(), m.event_id.into());
        o.insert("title".into(), title.into());
        o.insert("hostId".into(), m.host_id.into());
        o.insert("hostName".into(), self.host_name.into());
        o.insert("startTime".into(), wall_time(meeting.start).into());
        o.insert("endTime".into(), wall_time(meeting.end).into());
        o.insert("name".into(), self.name.clone().into());
        o.insert(
            "mobile".into(),
            if self.mobile.is_empty() {
                "-".to_owned()
            } else {
                self.mobile.clone()
            }
            .into(),
        );
        o.insert("email".into(), self.email.clone().into());
        o.insert("role".into(), self.role.into());
        o.insert("onlineTime".into(), wall_time(first.join).into());
        o.insert(
            "offlineTime".into(),
            match (open, last_leave) {
                (false, Some(l)) => wall_time(l),
                _ => String::new(),
            }
            .into(),
        );
        o.insert("times".into(), sessions.len().into());
        o.insert("watchDuration".into(), watched.to_string().into());
        o.insert("deviceType".into(), first.device.into());
        o.insert("ip".into(), first.ip.clone().into());
        merge_overrides(&mut o, &self.a.overrides, "quanshi");
        Some((first.join, Value::Object(o).to_string().into_boxed_str()))
    }
}

fn invitee_row(m: &Meeting, i: &FixtureInvitee, k: usize) -> Value {
    let userid = i.userid.as_deref().filter(|u| !u.is_empty());
    let user_type = i.user_type.unwrap_or(if userid.is_some() { 1 } else { 2 });
    let phone_invitee = user_type == 3;
    let user = if phone_invitee {
        String::new()
    } else {
        match userid {
            Some(u) => user_id_of(u).to_string(),
            None => user_id_of(&format!("guest-{}-{k}", m.event_id)).to_string(),
        }
    };
    let phone = i.phone.clone().unwrap_or_default();
    json!({
        "cityCode": "",
        "companyName": i.company.clone().unwrap_or_default(),
        "contactId": "",
        "countryCode": if phone.is_empty() { "" } else { "86" },
        "displayName": if phone_invitee { String::new() } else { i.name.clone() },
        "mobileNumber": phone,
        "officePhone": "",
        "orgName": "",
        "phoneEmail": if phone_invitee { i.email.clone().unwrap_or_default() } else { String::new() },
        "phoneName": if phone_invitee { i.name.clone() } else { String::new() },
        "productStatus": 1,
        "status": i.status.clone().unwrap_or_else(|| "W".to_owned()),
        "user": user,
        "userProfile": null,
        "userType": user_type,
    })
}

/// The meeting object as the join-link lookup (doc example spellings) and as
/// `room/conference/infos` (table spellings, plus `isGnet`, `joinHostUrl`, `btplRole`) serve it.
fn meeting_objects(
    m: &Meeting,
    host_name: &str,
    host_mobile: &str,
    invitees: &Value,
) -> (String, String) {
    let meeting = &m.plan.meeting;
    let (len_start, len_end) = match meeting.sub_meetings.first() {
        Some(s) if m.is_recurring() => (s.start, s.end),
        _ => (meeting.start, meeting.end),
    };
    let created = meeting.start.saturating_sub(3 * 86_400);
    let mut o = Map::new();
    o.insert("conferenceId".into(), m.conference_id.clone().into());
    o.insert("pcode1".into(), m.pcode1.clone().into());
    o.insert("pcode2".into(), m.pcode2.clone().into());
    o.insert("billingcode".into(), m.billing_code.clone().into());
    o.insert("eventId".into(), m.event_id.into());
    o.insert("attendeeJoinUrl".into(), m.join_url.clone().into());
    o.insert("hostJoinUrl".into(), m.host_join_url.clone().into());
    o.insert("wcallurl".into(), m.wcall_url.clone().into());
    o.insert("hostId".into(), m.host_id.into());
    o.insert("hostName".into(), host_name.into());
    o.insert("hostMobile".into(), host_mobile.into());
    o.insert("startTime".into(), meeting.start.into());
    o.insert("endTime".into(), meeting.end.into());
    o.insert(
        "length".into(),
        (len_end.saturating_sub(len_start).max(0) / 60).into(),
    );
    o.insert("status".into(), status_code(m.state).into());
    o.insert("title".into(), meeting.subject.clone().into());
    o.insert("confMode".into(), 0.into());
    o.insert(
        "calType".into(),
        if m.is_recurring() { "M" } else { "E" }.into(),
    );
    o.insert("roomId".into(), "".into());
    o.insert("attendList".into(), invitees.clone());
    o.insert("livePullUrl".into(), "".into());
    o.insert("livePullPwd".into(), "".into());
    o.insert("CreateTime".into(), created.into());
    o.insert("modifyTime".into(), created.saturating_add(120).into());
    o.insert("timezone".into(), "Asia/Shanghai".into());
    o.insert("joinLogin".into(), 0.into());
    o.insert("joinConfSelTag".into(), 0.into());
    o.insert("joinConfTags".into(), "".into());
    o.insert(
        "webRTCUrl".into(),
        format!("{}?priority=web", m.join_url).into(),
    );
    o.insert("calExtraInfo".into(), json!({}));
    o.insert("confNodeType".into(), 1.into());
    o.insert("houseList".into(), json!([]));
    o.insert("equipList".into(), json!([]));
    o.insert("detailHouseList".into(), Value::Null);
    merge_overrides(&mut o, &meeting.overrides, "quanshi");
    let lookup = Value::Object(o.clone()).to_string();
    for (from, to) in [("billingcode", "billingCode"), ("wcallurl", "wcallUrl")] {
        if let Some(v) = o.remove(from) {
            o.insert(to.into(), v);
        }
    }
    o.insert("isGnet".into(), 1.into());
    o.insert("joinHostUrl".into(), m.cohost_join_url.clone().into());
    o.insert("btplRole".into(), json!({}));
    (lookup, Value::Object(o).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(user_id_of("88610849"), 88_610_849);
        let h = user_id_of("owner1");
        assert!((80_000_000..90_000_000).contains(&h));
        assert_eq!(h, user_id_of("owner1"));
        assert_ne!(user_id_of("0"), 0);
        assert_eq!(mobile_text(Some("13800138000")), "+86-13800138000");
        assert_eq!(mobile_text(Some("+1-5550100")), "+1-5550100");
        assert_eq!(mobile_text(None), "");
        assert_eq!(
            utf8_percent_encode("pei的会议", TITLE_SET).to_string(),
            "pei%E7%9A%84%E4%BC%9A%E8%AE%AE"
        );
        assert_eq!(
            utf8_percent_encode("a b+c%&-_.~", TITLE_SET).to_string(),
            "a%20b%2Bc%25%26-_.~"
        );
        // 2022-11-18 11:00:00 UTC is 19:00:00 in UTC+8.
        assert_eq!(wall_time(1_668_769_200), "2022-11-18 19:00:00");
    }

    #[test]
    fn terminals_at_a_time() {
        let t = Terminals {
            joins: vec![10, 20, 30],
            leaves: vec![25, i64::MAX, 31],
            rows: vec!["a".into(), "b".into(), "c".into()],
            cache: Mutex::new(None),
        };
        assert_eq!(*t.current(9), Vec::<u32>::new());
        assert_eq!(*t.current(20), vec![0, 1]);
        assert_eq!(*t.current(25), vec![1]);
        assert_eq!(*t.current(30), vec![1, 2]);
        assert_eq!(*t.current(31), vec![1]);
    }
}
