//! WeCom meetings and their rendered rows.
//!
//! A meeting belongs to one app (the app that created it) and is rendered once, on first
//! access, for that app's visible scope: attendee rows pre-serialized and sorted by join time
//! (one list per sub-meeting for recurring meetings), the `get_info` attendee summaries derived
//! from the same sessions, and the enrollment rows with their indexes. Serving a page is then a
//! binary search plus string concatenation.

use std::collections::{HashMap, HashSet};
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use rand::Rng;
use serde_json::{Map, Value, json};

use super::seed::{self, Extra, SUMMARY_OVERRIDE, WaitingStay};
use super::{WeComApp, WeComConfig};
use crate::catalog::CatalogMeeting;
use crate::clock::format_utc8;
use crate::config::SandboxConfig;
use crate::data::generator;
use crate::data::meeting::{IdAssigner, MeetingCore};
use crate::data::plan;
use crate::data::render::{
    self, RowList, StatusIndex, insert_media_states, merge_overrides, union_length,
};
use crate::data::{EnrollSource, FixtureAttendee, FixtureEnrollment, MeetingKind};
use crate::vendor::Vendor;

/// One meeting: the shared identity and schedule, plus the creating app, the deletion mark and
/// the rendered rows.
pub(crate) struct Meeting {
    core: MeetingCore,
    pub app: usize,
    pub deleted: bool,
    /// Waiting-room stays (seed meetings only).
    waiting: Vec<WaitingStay>,
    rendered: OnceLock<Arc<Rendered>>,
}

impl Meeting {
    /// Whether the meeting has waiting-room stays (`get_info.settings.enable_waiting_room`).
    pub(crate) fn has_waiting_room(&self) -> bool {
        !self.waiting.is_empty()
    }
}

impl Deref for Meeting {
    type Target = MeetingCore;

    fn deref(&self) -> &MeetingCore {
        &self.core
    }
}

/// Everything a meeting serves to its app.
pub(crate) struct Rendered {
    /// Attendee rows: one list, or one per sub-meeting (empty for lists not started).
    pub lists: Vec<RowList>,
    /// `get_info.attendees` over the whole meeting.
    pub summary_all: Value,
    /// `get_info.attendees` per sub-meeting (recurring meetings).
    pub summary_by_sub: Vec<Value>,
    /// Enrollment rows, in serving order.
    pub enrollments: Vec<Box<str>>,
    /// Indices into `enrollments` per `status` filter.
    pub enroll_by_status: StatusIndex,
    /// `enroll_id` of each enrollment.
    pub enroll_ids: Vec<String>,
    /// Whether each enrollment is a bulk import.
    pub enroll_import: Vec<bool>,
    /// Enrollments per `tmp_openid`, in enrollment order.
    pub by_tmp_openid: HashMap<String, Vec<u32>>,
    /// Visible members involved (creator, attendees, invitees): for `get_user_meetingid`.
    pub userids: HashSet<String>,
    /// Visible invited members, in invitation order, each once: `get_invitees` rows and the
    /// `status` 2 entries of `get_info.attendees`.
    pub invitees: Vec<String>,
    /// Waiting-room rows (visible stays), ascending `join_time`.
    pub waiting: Vec<Box<str>>,
    /// Real-time rows of every session, per list like `lists`, ascending join time: what
    /// `get_realtime_attendee_list` picks from by the clock.
    pub live: Vec<Vec<LiveRow>>,
}

/// A session as `get_realtime_attendee_list` serves it while it is open.
pub(crate) struct LiveRow {
    /// Join time, Unix seconds.
    pub join: i64,
    /// Quit time, Unix seconds (`None`: still in the meeting).
    pub leave: Option<i64>,
    /// The row, as a JSON object.
    pub row: Box<str>,
}

impl LiveRow {
    /// Whether the session is open at `now`: joined at or before it and not yet left.
    pub(crate) fn open_at(&self, now: i64) -> bool {
        self.join <= now && self.leave.is_none_or(|l| now < l)
    }
}

/// All WeCom meetings.
pub(crate) struct Store {
    seed: u64,
    default_creator: String,
    hidden: Vec<HashSet<String>>,
    meetings: Vec<Arc<Meeting>>,
    by_id: HashMap<String, Arc<Meeting>>,
    by_code: HashMap<String, Arc<Meeting>>,
}

fn alnum(rng: &mut impl Rng, n: usize) -> String {
    const A: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| char::from(A[rng.random_range(0..A.len())]))
        .collect()
}

fn lower_alnum(rng: &mut impl Rng, n: usize) -> String {
    const A: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| char::from(A[rng.random_range(0..A.len())]))
        .collect()
}

/// Whether a userid looks like one the generator makes (`u` + six digits).
fn generated_userid(u: &str) -> bool {
    u.len() == 7 && u.starts_with('u') && u[1..].bytes().all(|b| b.is_ascii_digit())
}

impl Store {
    pub(crate) fn new(config: &SandboxConfig, wc: &WeComConfig, anchor: i64) -> Self {
        let seed = config.seed;
        let mut extras = Vec::new();
        let plans = plan::served_plans(config, anchor, Vendor::WeCom, || {
            let (plans, e) = seed::plans(seed, anchor, wc.apps.len()).into_iter().unzip();
            extras = e;
            plans
        });
        let mut ids = IdAssigner::new(seed, "wecom", anchor, &wc.creator_userid, |rng| {
            format!("hy{}", alnum(rng, 28))
        });
        let mut meetings = Vec::with_capacity(plans.len());
        for (n, p) in plans.into_iter().enumerate() {
            // Seed meetings come first; generated and fixture meetings have no extras.
            let extra: Extra = extras.get(n).cloned().unwrap_or_default();
            let (core, _) = ids.assign(p);
            meetings.push(Arc::new(Meeting {
                core,
                app: extra.app.min(wc.apps.len().saturating_sub(1)),
                deleted: extra.deleted,
                waiting: extra.waiting,
                rendered: OnceLock::new(),
            }));
        }
        let by_id = meetings.iter().map(|m| (m.id.clone(), m.clone())).collect();
        let mut by_code = HashMap::new();
        for m in &meetings {
            by_code.entry(m.code.clone()).or_insert_with(|| m.clone());
        }
        Store {
            seed,
            default_creator: wc.creator_userid.clone(),
            hidden: wc
                .apps
                .iter()
                .map(|a: &WeComApp| a.hidden_userids.iter().cloned().collect())
                .collect(),
            meetings,
            by_id,
            by_code,
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Arc<Meeting>> {
        self.by_id.get(id)
    }

    pub(crate) fn by_code(&self, code: &str) -> Option<&Arc<Meeting>> {
        self.by_code.get(code)
    }

    /// Every meeting, in catalog order.
    pub(crate) fn all(&self) -> &[Arc<Meeting>] {
        &self.meetings
    }

    /// Whether `userid` is outside the visible scope of `app`.
    pub(crate) fn hidden(&self, app: usize, userid: &str) -> bool {
        self.hidden.get(app).is_some_and(|h| h.contains(userid))
    }

    /// The meeting rendered for its app (rendered now on first access).
    pub(crate) fn rendered(&self, m: &Meeting) -> Arc<Rendered> {
        m.rendered.get_or_init(|| Arc::new(self.render(m))).clone()
    }

    fn visible(&self, m: &Meeting, a: &FixtureAttendee) -> bool {
        !(a.is_member() && a.userid.as_deref().is_some_and(|u| self.hidden(m.app, u)))
    }

    fn render(&self, m: &Meeting) -> Rendered {
        let content = m.plan.content(self.seed, &self.default_creator);
        let webinar = m.kind() == MeetingKind::Webinar;
        let list_count = m.list_count();
        let mut rows: Vec<Vec<(i64, Box<str>)>> = (0..list_count).map(|_| Vec::new()).collect();
        let mut live: Vec<Vec<LiveRow>> = (0..list_count).map(|_| Vec::new()).collect();
        let mut summaries: Vec<Summary> = (0..list_count).map(|_| Summary::default()).collect();
        let mut whole = Summary::default();
        let mut userids = HashSet::new();
        userids.insert(m.creator.clone());
        for (ai, a) in content.attendees.iter().enumerate() {
            if !self.visible(m, a) {
                continue;
            }
            let key = a.person_key(ai);
            let tmp_openid = generator::temp_id(self.seed, "wecom", &m.id, &key);
            let who = self.summary_key(m, a, &key);
            let summary_extra = a.overrides.get(SUMMARY_OVERRIDE);
            for (si, s) in a.sessions.iter().enumerate() {
                let Some(list) = m.list_of(s) else {
                    continue;
                };
                if !m.list_started(list) {
                    continue;
                }
                let row = attendee_row(a, ai, si, &tmp_openid, webinar);
                live[list].push(LiveRow {
                    join: s.join,
                    leave: s.leave,
                    row: realtime_row(row.clone()).into_boxed_str(),
                });
                rows[list].push((s.join, Value::Object(row).to_string().into_boxed_str()));
                if let Some(u) = member_userid(a) {
                    userids.insert(u.to_owned());
                }
                if let Some(who) = &who {
                    summaries[list].add(who, s.join, s.leave, summary_extra);
                    whole.add(who, s.join, s.leave, summary_extra);
                }
            }
        }
        let mut seen_invitees = HashSet::new();
        let invited: Vec<String> = content
            .invitees
            .iter()
            .filter_map(|i| i.userid.clone())
            .filter(|u| !u.is_empty() && !self.hidden(m.app, u))
            .filter(|u| seen_invitees.insert(u.clone()))
            .collect();
        userids.extend(invited.iter().cloned());
        let lists = rows.into_iter().map(RowList::sorted).collect();
        for l in &mut live {
            // Stable: equal join times keep generation order, as in `lists`.
            l.sort_by_key(|r| r.join);
        }
        let waiting = self.waiting_rows(m);
        let summary_all = whole.to_json(&invited);
        let summary_by_sub = if m.is_recurring() {
            summaries.iter().map(|s| s.to_json(&invited)).collect()
        } else {
            Vec::new()
        };

        let mut erng = generator::rng_for(self.seed, &["wecom", "enroll", &m.id]);
        let mut enrollments = Vec::with_capacity(content.enrollments.len());
        let mut enroll_by_status = StatusIndex::default();
        let mut enroll_ids = Vec::with_capacity(content.enrollments.len());
        let mut enroll_import = Vec::with_capacity(content.enrollments.len());
        let mut by_tmp_openid: HashMap<String, Vec<u32>> = HashMap::new();
        let mut seen_ids = HashSet::new();
        for (k, e) in content.enrollments.iter().enumerate() {
            let mut id = format!("me{}", lower_alnum(&mut erng, 14));
            while !seen_ids.insert(id.clone()) {
                id = format!("me{}", lower_alnum(&mut erng, 14));
            }
            let code = generator::digits(&mut erng, 8);
            let tmp = enroll_tmp_openid(self.seed, m, e, k);
            let row = enroll_row(e, &id, tmp.as_deref(), &code);
            let k32 = k as u32;
            enroll_by_status.push(k32, e.status);
            if let Some(t) = tmp {
                by_tmp_openid.entry(t).or_default().push(k32);
            }
            enrollments.push(row.into_boxed_str());
            enroll_ids.push(id);
            enroll_import.push(e.source == EnrollSource::Import);
        }
        Rendered {
            lists,
            summary_all,
            summary_by_sub,
            enrollments,
            enroll_by_status,
            enroll_ids,
            enroll_import,
            by_tmp_openid,
            userids,
            invitees: invited,
            waiting,
            live,
        }
    }

    /// The waiting-room rows of `m`: one per visible stay, ascending `join_time` (ties in seed
    /// order); times in milliseconds as JSON numbers, `quit_time` 0 while still waiting,
    /// `userid` `""` for non-members (docs/specs/wecom.md §12.4, roster's choices).
    fn waiting_rows(&self, m: &Meeting) -> Vec<Box<str>> {
        let mut stays: Vec<&WaitingStay> = m
            .waiting
            .iter()
            .filter(|w| w.userid.as_deref().is_none_or(|u| !self.hidden(m.app, u)))
            .collect();
        stays.sort_by_key(|w| w.join_ms);
        stays
            .into_iter()
            .map(|w| {
                json!({
                    "userid": w.userid.as_deref().unwrap_or(""),
                    "tmp_openid": generator::temp_id(self.seed, "wecom", &m.id, &w.key),
                    "instance_id": w.device,
                    "join_time": w.join_ms,
                    "quit_time": w.quit_ms.unwrap_or(0),
                })
                .to_string()
                .into_boxed_str()
            })
            .collect()
    }

    /// Who a person is in the `get_info` summary: a visible member (by userid), an external
    /// contact (by a per-meeting `tmp_external_userid`), or nobody (departed members, and guests
    /// who joined through WeChat: "微信入会的用户不会返回").
    fn summary_key(&self, m: &Meeting, a: &FixtureAttendee, key: &str) -> Option<Who> {
        if let Some(u) = member_userid(a) {
            return Some(Who::Member(u.to_owned()));
        }
        if a.is_member() {
            return None;
        }
        if matches!(a.role, Some(4 | 5)) {
            return None;
        }
        Some(Who::External(generator::temp_id(
            self.seed,
            "wecom-external",
            &m.id,
            key,
        )))
    }

    /// Attendee rows of one list as served (after the visible-scope filter).
    fn served_sessions(&self, m: &Meeting, list: Option<usize>) -> usize {
        let might_hide_generated = self
            .hidden
            .get(m.app)
            .is_some_and(|h| h.iter().any(|u| *u == m.creator || generated_userid(u)));
        match &m.plan.generated {
            Some(_) if might_hide_generated => {
                let r = self.rendered(m);
                match list {
                    Some(i) => r.lists.get(i).map_or(0, |l| l.rows.len()),
                    None => r.lists.iter().map(|l| l.rows.len()).sum(),
                }
            }
            Some(_) => {
                let count = |i: usize| {
                    if !m.list_started(i) {
                        0
                    } else if m.is_recurring() {
                        m.plan.sub_meeting_sessions(i)
                    } else {
                        m.plan.sessions()
                    }
                };
                match list {
                    Some(i) => count(i),
                    None => (0..m.list_count()).map(count).sum(),
                }
            }
            None => m
                .plan
                .meeting
                .attendees
                .iter()
                .filter(|a| self.visible(m, a))
                .flat_map(|a| &a.sessions)
                .filter(|s| {
                    m.list_of(s)
                        .is_some_and(|l| list.is_none_or(|want| want == l) && m.list_started(l))
                })
                .count(),
        }
    }

    /// Catalog entries.
    pub(crate) fn catalog(&self, _wc: &WeComConfig) -> Vec<CatalogMeeting> {
        self.meetings
            .iter()
            .map(|m| {
                m.catalog_entry(Vendor::WeCom, self.served_sessions(m, None), |i| {
                    self.served_sessions(m, Some(i))
                })
            })
            .collect()
    }
}

/// The userid of a corp member with one (departed members and external people have none).
fn member_userid(a: &FixtureAttendee) -> Option<&str> {
    a.userid
        .as_deref()
        .filter(|u| a.is_member() && !u.is_empty())
}

/// The `tmp_openid` of an enrollment: the enrollee's attendee id when linked to an attendee,
/// a per-enrollment id for self-service enrollees who never joined, none for imported enrollees
/// who never joined.
pub(crate) fn enroll_tmp_openid(
    seed: u64,
    m: &Meeting,
    e: &FixtureEnrollment,
    k: usize,
) -> Option<String> {
    match (&e.person, e.source) {
        (Some(p), _) => Some(generator::temp_id(seed, "wecom", &m.id, p)),
        (None, EnrollSource::SelfService) => Some(generator::temp_id(
            seed,
            "wecom",
            &m.id,
            &format!("enroll-{k}"),
        )),
        (None, EnrollSource::Import) => None,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Who {
    Member(String),
    External(String),
}

#[derive(Default)]
struct Acc {
    first_join: i64,
    last_quit: i64,
    count: u64,
    closed: Vec<(i64, i64)>,
    extra: Option<Map<String, Value>>,
}

/// Per-person attendance over some sessions, in first-seen order.
#[derive(Default)]
struct Summary {
    order: Vec<Who>,
    people: HashMap<Who, Acc>,
}

impl Summary {
    fn add(
        &mut self,
        who: &Who,
        join: i64,
        leave: Option<i64>,
        extra: Option<&Map<String, Value>>,
    ) {
        let acc = self.people.entry(who.clone()).or_insert_with(|| {
            self.order.push(who.clone());
            Acc {
                first_join: join,
                ..Acc::default()
            }
        });
        acc.first_join = acc.first_join.min(join);
        acc.count += 1;
        if let Some(l) = leave {
            acc.last_quit = acc.last_quit.max(l);
            acc.closed.push((join, l));
        }
        if acc.extra.is_none() {
            acc.extra = extra.cloned();
        }
    }

    /// `{"member":[…],"tmp_external_user":[…]}`: attendees in first-join order, then invited
    /// members who did not attend (`status` 2).
    fn to_json(&self, invited: &[String]) -> Value {
        let mut order: Vec<&Who> = self.order.iter().collect();
        order.sort_by_key(|w| self.people[*w].first_join);
        let mut members = Vec::new();
        let mut externals = Vec::new();
        for who in order {
            let acc = &self.people[who];
            let mut o = Map::new();
            match who {
                Who::Member(u) => o.insert("userid".into(), u.clone().into()),
                Who::External(x) => o.insert("tmp_external_userid".into(), x.clone().into()),
            };
            o.insert("status".into(), 1.into());
            o.insert("first_join_time".into(), acc.first_join.into());
            o.insert("last_quit_time".into(), acc.last_quit.into());
            o.insert("total_join_count".into(), acc.count.into());
            o.insert(
                "cumulative_time".into(),
                union_length(acc.closed.clone()).into(),
            );
            if let Some(extra) = &acc.extra {
                for (k, v) in extra {
                    o.insert(k.clone(), v.clone());
                }
            }
            match who {
                Who::Member(_) => members.push(Value::Object(o)),
                Who::External(_) => externals.push(Value::Object(o)),
            }
        }
        let mut listed = HashSet::new();
        for u in invited {
            if self.people.contains_key(&Who::Member(u.clone())) || !listed.insert(u.as_str()) {
                continue;
            }
            members.push(json!({
                "userid": u, "status": 2, "first_join_time": 0, "last_quit_time": 0,
                "total_join_count": 0, "cumulative_time": 0,
            }));
        }
        json!({"member": members, "tmp_external_user": externals})
    }
}

/// An attendee row of `get_attendee_list` (as a JSON object, serialized by the caller).
fn attendee_row(
    a: &FixtureAttendee,
    ai: usize,
    si: usize,
    tmp_openid: &str,
    webinar: bool,
) -> Map<String, Value> {
    let s = &a.sessions[si];
    let mut o = Map::new();
    o.insert("userid".into(), member_userid(a).unwrap_or("").into());
    o.insert("tmp_openid".into(), tmp_openid.into());
    o.insert("join_time".into(), s.join.to_string().into());
    // Still in the meeting: "" (docs/specs/wecom.md §9 item 10, emulator choice).
    o.insert(
        "quit_time".into(),
        s.leave.map(|l| l.to_string()).unwrap_or_default().into(),
    );
    o.insert(
        "instance_id".into(),
        s.device.or(a.device).unwrap_or(1).into(),
    );
    o.insert("role".into(), a.role.unwrap_or(0).into());
    o.insert(
        "webinar_role".into(),
        if webinar {
            a.webinar_role.unwrap_or(0)
        } else {
            0
        }
        .into(),
    );
    o.insert("join_type".into(), a.join_type.unwrap_or(1).into());
    if s.leave.is_none() {
        // "当成员在会中时才能返回": only while in the meeting.
        o.insert("net".into(), ["WIFI", "有线", "4G", "未知"][ai % 4].into());
    }
    insert_media_states(&mut o, ai, si);
    merge_overrides(&mut o, &a.overrides, "wecom");
    o
}

/// The `get_realtime_attendee_list` row of a session: its attendee row without the fields that
/// endpoint does not return (`quit_time`, `webinar_role`, `net`, `customer_data`,
/// docs/specs/wecom.md §12.3), so both endpoints describe one session alike.
fn realtime_row(mut o: Map<String, Value>) -> String {
    for k in ["quit_time", "webinar_role", "net", "customer_data"] {
        o.remove(k);
    }
    Value::Object(o).to_string()
}

fn enroll_row(e: &FixtureEnrollment, id: &str, tmp_openid: Option<&str>, code: &str) -> String {
    let fmt = time::macros::format_description!("[year]/[month]/[day] [hour]:[minute]");
    // nick_name: "若通过手机号导入报名且未设置昵称，则该字段显示手机号".
    render::enroll_row(e, id.into(), format_utc8(e.time, fmt), code, |o| {
        // "为企业内成员时返回userid": only for corp members.
        if let Some(u) = e.userid.as_deref().filter(|u| !u.is_empty()) {
            o.insert("userid".into(), u.into());
        }
        if let Some(t) = tmp_openid {
            o.insert("tmp_openid".into(), t.into());
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_sessions_by_the_clock() {
        let row = |join, leave| LiveRow {
            join,
            leave,
            row: "{}".into(),
        };
        assert!(!row(10, None).open_at(9), "not joined yet");
        assert!(row(10, None).open_at(10) && row(10, None).open_at(i64::MAX));
        assert!(row(10, Some(20)).open_at(19));
        assert!(!row(10, Some(20)).open_at(20), "left at 20");
    }

    #[test]
    fn generated_userids() {
        assert!(generated_userid("u000123"));
        assert!(!generated_userid("owner1"));
    }
}
