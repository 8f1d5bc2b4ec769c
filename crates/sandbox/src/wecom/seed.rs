//! WeCom seed meetings: the cases docs/specs/wecom.md §9 item 14 requires, written out by hand.
//!
//! | label | what it exercises |
//! |---|---|
//! | `seed-oneoff` | repeat sessions of one person on three devices, a non-member (`userid: ""`), a departed member, member `outsider` outside the visible scope (omitted), `instance_id` 99, a WeChat guest (not in `tmp_external_user`), an external contact whose summary `status` is 3 (unknown), `customer_data`; enrollments in all three statuses with answers of every question and special type, a phone import without nickname who never joined (no `tmp_openid`), one person with an import and a self-service enrollment (`sorting_rules`); an invited member who did not attend (summary `status` 2); 7 waiting-room stays (`zhangsan` twice, `outsider` hidden, an external contact with `userid: ""`, a phone at `instance_id` 0, a guest removed without joining) |
//! | `seed-recurring` | recurring: four sub-meetings (ended, deleted, ended, not started), repeat sessions, enrollment disabled |
//! | `seed-webinar` | webinar (`meeting_type` 6) roles 0–4 and 9 (unknown), 120 enrollments (three pages of 50) served by `webinar/enroll/*` only (`enroll/*` answer `730011`) |
//! | `seed-live` | in progress: open sessions (`quit_time: ""`, `net`; the rows of `get_realtime_attendee_list` at the anchor); 108 invitees (7 attendees, 100 members who never joined, `outsider` hidden: 107 served, two pages of 100); 61 waiting-room stays (two pages at `limit` 50), `latecomer` still waiting (`quit_time` 0) |
//! | `seed-not-started` | scheduled in two days: empty attendee list, pending enrollments |
//! | `seed-cancelled` | cancelled (`get_info.status` 4) |
//! | `seed-other-app` | created by the second app: the first gets `730005` |
//! | `seed-deleted` | deleted: `730008` |
//! | `seed-long-running` | 400 sessions over 79 days: more than one page at `limit` 100, window splitting |

use serde_json::{Map, json};

use crate::data::generator::{self, names};
use crate::data::plan::{GenSpec, MeetingPlan};
use crate::data::seed::{
    DAY, HOUR, anonymous_enrollments, base_hour, enrollment, invitee, overrides,
    webinar_enrollments, weekly_sub,
};
use crate::data::{
    EnrollSource, EnrollStatus, FixtureAttendee, FixtureMeeting, FixtureSession, MeetingKind,
    MeetingState,
};

/// Override key of an attendee whose members are merged into that person's `get_info`
/// attendee-summary entry (e.g. `{"status": 3}`).
pub(crate) const SUMMARY_OVERRIDE: &str = "wecom_summary";

/// Seed-only traits a fixture cannot express.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extra {
    /// Index of the creating app.
    pub app: usize,
    /// The meeting was deleted (`730008`).
    pub deleted: bool,
    /// Waiting-room stays (`waitingroom/get_user_list`, docs/specs/wecom.md §12.4), in any
    /// order.
    pub waiting: Vec<WaitingStay>,
}

/// One stay in a meeting's waiting room: from entering it to being admitted or removed.
#[derive(Clone, Debug)]
pub(crate) struct WaitingStay {
    /// The person's key: an attendee's key gives the same `tmp_openid` as their attendee rows.
    pub key: String,
    /// The corp member's userid (`None`: not a member, served as `""`).
    pub userid: Option<String>,
    /// `instance_id` (device type).
    pub device: i64,
    /// Entered the waiting room, Unix milliseconds.
    pub join_ms: i64,
    /// Left it, Unix milliseconds; `None` while still waiting (served as `0`).
    pub quit_ms: Option<i64>,
}

/// A stay from `join` to `quit` (Unix seconds) plus `ms` milliseconds on both ends, so that the
/// served times are not all whole seconds.
fn stay(
    key: &str,
    userid: Option<&str>,
    device: i64,
    join: i64,
    quit: Option<i64>,
    ms: i64,
) -> WaitingStay {
    WaitingStay {
        key: key.to_owned(),
        userid: userid.map(str::to_owned),
        device,
        join_ms: join * 1_000 + ms,
        quit_ms: quit.map(|q| q * 1_000 + ms),
    }
}

/// An attendee named by their key, without a phone.
fn person(
    key: &str,
    userid: Option<&str>,
    device: i64,
    role: i64,
    sessions: &[(i64, Option<i64>)],
) -> FixtureAttendee {
    crate::data::seed::person(key, userid, key, None, device, role, sessions)
}

fn external(key: &str, device: i64, role: i64, sessions: &[(i64, Option<i64>)]) -> FixtureAttendee {
    FixtureAttendee {
        member: Some(false),
        ..person(key, None, device, role, sessions)
    }
}

/// The seed meetings, relative to the data anchor, with the app that created each (`apps`:
/// the number of configured apps).
pub(crate) fn plans(seed: u64, anchor: i64, apps: usize) -> Vec<(MeetingPlan, Extra)> {
    let base = base_hour(anchor);
    let mut rng = generator::rng_for(seed, &["wecom", "seed"]);
    let mut out = Vec::new();
    let mine = Extra::default();

    // --- seed-oneoff -------------------------------------------------------------------------
    let s = base - 2 * DAY;
    let mut oneoff = FixtureMeeting {
        subject: "周例会 Weekly sync".into(),
        kind: MeetingKind::OneOff,
        start: s,
        end: s + 2 * HOUR,
        state: Some(MeetingState::Ended),
        enrollment: true,
        ..FixtureMeeting::default()
    };
    let mut departed = person("departed", None, 1, 0, &[(s + 500, Some(s + 4_000))]);
    departed.member = Some(true);
    let mut contact = external("ext-contact", 1, 0, &[(s + 650, Some(s + 3_000))]);
    // The get_info example shows tmp_external_user.status 3 and 4: unknown values.
    contact.overrides = overrides(SUMMARY_OVERRIDE, json!({"status": 3}));
    let mut linked = external("ext-link", 5, 0, &[(s + 700, Some(s + 2_000))]);
    linked.overrides = overrides("wecom", json!({"customer_data": "exclusive-link-42"}));
    let mut pstn = external("pstn", 0, 0, &[(s + 800, Some(s + 5_000))]);
    pstn.phone = Some("13600000000".into());
    oneoff.attendees = vec![
        person("owner1", Some("owner1"), 1, 3, &[(s, Some(s + 7_000))]),
        person("test1", Some("test1"), 1, 0, &[(s + 60, Some(s + 3_600))]),
        // Three sessions on three devices.
        person(
            "zhangsan",
            Some("zhangsan"),
            1,
            0,
            &[
                (s + 120, Some(s + 900)),
                (s + 1_200, Some(s + 2_400)),
                (s + 3_000, Some(s + 6_900)),
            ],
        ),
        // Outside the app's visible scope: never served.
        person(
            "outsider",
            Some("outsider"),
            2,
            0,
            &[(s + 300, Some(s + 1_300)), (s + 2_000, Some(s + 2_500))],
        ),
        departed,
        person(
            "newdev",
            Some("newdev"),
            99,
            0,
            &[(s + 600, Some(s + 6_000))],
        ),
        contact,
        // Joined through the WeChat mini-program as a guest.
        external("wechat-guest", 8, 4, &[(s + 660, Some(s + 1_900))]),
        linked,
        pstn,
        person(
            "alice",
            Some("alice"),
            2,
            2,
            &[(s + 1_000, Some(s + 7_100))],
        ),
        // Two overlapping sessions (a second device): counted once in cumulative_time.
        person(
            "bob2",
            Some("bob2"),
            1,
            6,
            &[(s + 1_500, Some(s + 3_500)), (s + 2_500, Some(s + 4_000))],
        ),
    ];
    oneoff.attendees[2].sessions[1].device = Some(3);
    oneoff.attendees[2].sessions[2].device = Some(4);
    let t0 = s - 3 * DAY;
    oneoff.enrollments = vec![
        enrollment(
            Some("test1"),
            Some("test1"),
            "测试一",
            "13800138000",
            EnrollStatus::Approved,
            EnrollSource::SelfService,
            t0,
            &mut rng,
        ),
        enrollment(
            Some("zhangsan"),
            Some("zhangsan"),
            "张三",
            "13912345678",
            EnrollStatus::Pending,
            EnrollSource::SelfService,
            t0 + 60,
            &mut rng,
        ),
        enrollment(
            Some("ext-contact"),
            None,
            "🎉 Party Host 👩‍💻",
            "13511112222",
            EnrollStatus::Approved,
            EnrollSource::SelfService,
            t0 + 120,
            &mut rng,
        ),
        // Self-service, never joined: a tmp_openid of its own.
        enrollment(
            None,
            None,
            "李四",
            "13522223333",
            EnrollStatus::Rejected,
            EnrollSource::SelfService,
            t0 + 180,
            &mut rng,
        ),
        // Phone import without a nickname, never joined: nick_name is the phone, no tmp_openid.
        enrollment(
            None,
            None,
            "",
            "13500000000",
            EnrollStatus::Approved,
            EnrollSource::Import,
            t0 + 240,
            &mut rng,
        ),
        // One person, two enrollments: self-service first, then an import.
        enrollment(
            Some("pstn"),
            None,
            "电话用户",
            "13600000000",
            EnrollStatus::Pending,
            EnrollSource::SelfService,
            t0 + 300,
            &mut rng,
        ),
        enrollment(
            Some("pstn"),
            None,
            "",
            "13600000000",
            EnrollStatus::Approved,
            EnrollSource::Import,
            t0 + 330,
            &mut rng,
        ),
        enrollment(
            Some("alice"),
            Some("alice"),
            "Alice Wang",
            "13912340000",
            EnrollStatus::Rejected,
            EnrollSource::SelfService,
            t0 + 360,
            &mut rng,
        ),
    ];
    oneoff.invitees = [
        "test1", "zhangsan", "alice", "absent1", "outsider", "absent2",
    ]
    .iter()
    .map(|u| invitee(u))
    .collect();
    // Waiting room: people admitted at their first join, zhangsan twice (before the meeting
    // and before his second session), `outsider` (hidden), an external contact (`userid: ""`),
    // the phone participant (`instance_id` 0) and someone removed who never joined.
    let oneoff_waiting = vec![
        stay("test1", Some("test1"), 1, s - 300, Some(s + 60), 120),
        stay("zhangsan", Some("zhangsan"), 1, s - 200, Some(s + 120), 340),
        stay("outsider", Some("outsider"), 2, s - 100, Some(s + 300), 560),
        stay("ext-contact", None, 1, s + 500, Some(s + 650), 780),
        stay("pstn", None, 0, s + 700, Some(s + 800), 90),
        stay(
            "zhangsan",
            Some("zhangsan"),
            3,
            s + 1_100,
            Some(s + 1_200),
            410,
        ),
        stay("knocker", None, 8, s + 3_000, Some(s + 3_060), 5),
    ];
    out.push((
        MeetingPlan::given("seed-oneoff".into(), oneoff),
        Extra {
            waiting: oneoff_waiting,
            ..Extra::default()
        },
    ));

    // --- seed-recurring ----------------------------------------------------------------------
    let r0 = base - 21 * DAY;
    let sub = |w: i64, state: MeetingState, deleted: bool| weekly_sub(r0, w, state, deleted);
    let mut recurring = FixtureMeeting {
        subject: "每周站会 Weekly stand-up".into(),
        kind: MeetingKind::Recurring,
        start: r0,
        end: r0 + 28 * DAY + HOUR,
        state: Some(MeetingState::InProgress),
        enrollment: false,
        sub_meetings: vec![
            sub(0, MeetingState::Ended, false),
            sub(1, MeetingState::Ended, true),
            sub(2, MeetingState::Ended, false),
            sub(4, MeetingState::NotStarted, false),
        ],
        ..FixtureMeeting::default()
    };
    for k in 0..10usize {
        let mut sessions = Vec::new();
        for (ix, w) in [(0usize, 0i64), (2, 2)] {
            if (k + ix) % 3 == 2 {
                continue; // missed this occurrence
            }
            let st = r0 + w * 7 * DAY;
            let parts = if k == 1 { 2 } else { 1 };
            for (j, l) in generator::sessions(&mut rng, st, st + HOUR, parts) {
                sessions.push(FixtureSession {
                    join: j,
                    leave: Some(l),
                    sub_meeting: Some(ix),
                    ..FixtureSession::default()
                });
            }
        }
        let (key, userid) = if k == 0 {
            ("owner1".to_owned(), Some("owner1".to_owned()))
        } else if k % 4 == 3 {
            (format!("guest{k}"), None)
        } else {
            (format!("r{k}"), Some(format!("r{k}")))
        };
        recurring.attendees.push(FixtureAttendee {
            key: Some(key),
            userid,
            name: names::person(&mut rng),
            device: Some([1, 2, 3, 4, 5][k % 5]),
            role: Some(if k == 0 { 3 } else { 0 }),
            sessions,
            ..FixtureAttendee::default()
        });
    }
    out.push((
        MeetingPlan::given("seed-recurring".into(), recurring),
        mine.clone(),
    ));

    // --- seed-webinar ------------------------------------------------------------------------
    let w = base - 5 * DAY;
    let mut webinar = FixtureMeeting {
        subject: "产品发布会 Launch webinar 🚀".into(),
        kind: MeetingKind::Webinar,
        start: w,
        end: w + 2 * HOUR,
        state: Some(MeetingState::Ended),
        enrollment: true,
        ..FixtureMeeting::default()
    };
    // webinar_role 0–4 plus 9 (unknown); roles up to 7.
    let roles: [(i64, i64); 8] = [
        (3, 1),
        (6, 1),
        (7, 2),
        (0, 3),
        (0, 0),
        (0, 4),
        (4, 9),
        (0, 4),
    ];
    for k in 0..24usize {
        let (role, webinar_role) = roles[k % roles.len()];
        let member = k % 3 != 2;
        let (j, l) = generator::sessions(&mut rng, w, w + 2 * HOUR, 1)[0];
        webinar.attendees.push(FixtureAttendee {
            key: Some(format!("w{k}")),
            userid: if k == 0 {
                Some("owner1".into())
            } else {
                member.then(|| format!("w{k:03}"))
            },
            member: Some(member || k == 0),
            name: names::person(&mut rng),
            device: Some([1, 5, 8, 4, 3][k % 5]),
            role: Some(role),
            webinar_role: Some(webinar_role),
            join_type: Some(1),
            sessions: vec![FixtureSession {
                join: if k == 0 { w } else { j },
                leave: Some(l.max(w + 1)),
                ..FixtureSession::default()
            }],
            ..FixtureAttendee::default()
        });
    }
    webinar.enrollments = webinar_enrollments(&mut rng, &webinar.attendees, w);
    out.push((
        MeetingPlan::given("seed-webinar".into(), webinar),
        mine.clone(),
    ));

    // --- seed-live ---------------------------------------------------------------------------
    let l0 = base - 1_800;
    let mut live = FixtureMeeting {
        subject: "进行中的会议 Live now".into(),
        kind: MeetingKind::OneOff,
        start: l0,
        end: l0 + 2 * HOUR,
        state: Some(MeetingState::InProgress),
        ..FixtureMeeting::default()
    };
    for k in 0..10usize {
        let join = l0 + 60 * k as i64;
        let open = k % 3 != 0;
        let key = format!("live{k}");
        let mut a = person(
            &key,
            if k == 0 {
                Some("owner1")
            } else {
                Some(key.as_str())
            },
            [1, 2, 3, 4, 5][k % 5],
            if k == 0 { 3 } else { 0 },
            &[(join, (!open).then_some(join + 600))],
        );
        if k % 4 == 3 {
            a.userid = None;
            a.member = Some(false);
        }
        live.attendees.push(a);
    }
    // Invitees (get_invitees, docs/specs/wecom.md §12.5): the live members, 100 members who
    // never joined and `outsider` (hidden): more than one page of 100.
    live.invitees = live
        .attendees
        .iter()
        .skip(1)
        .filter_map(|a| a.userid.as_deref())
        .map(invitee)
        .chain((1..=100).map(|k| invitee(&format!("inv{k:03}"))))
        .chain([invitee("outsider")])
        .collect();
    // Waiting room: every attendee waited 30 s before joining, 50 guests were let in or
    // removed without joining, and one member is still waiting (61 stays: two pages at 50).
    let mut live_waiting: Vec<WaitingStay> = live
        .attendees
        .iter()
        .map(|a| {
            let j = a.sessions[0].join;
            let key = a.key.clone().unwrap_or_default();
            stay(
                &key,
                a.userid.as_deref(),
                a.device.unwrap_or(1),
                j - 30,
                Some(j),
                250,
            )
        })
        .collect();
    for k in 0..50i64 {
        let j = l0 - 600 + 20 * k;
        live_waiting.push(stay(
            &format!("lobby{k}"),
            None,
            [1, 2, 8][(k % 3) as usize],
            j,
            Some(j + 45),
            (k * 37) % 1_000,
        ));
    }
    live_waiting.push(stay(
        "latecomer",
        Some("latecomer"),
        2,
        base - 120,
        None,
        777,
    ));
    out.push((
        MeetingPlan::given("seed-live".into(), live),
        Extra {
            waiting: live_waiting,
            ..Extra::default()
        },
    ));

    // --- seed-not-started --------------------------------------------------------------------
    let n0 = base + 2 * DAY;
    let mut future = FixtureMeeting {
        subject: "下周评审 Upcoming review".into(),
        kind: MeetingKind::OneOff,
        start: n0,
        end: n0 + HOUR,
        state: Some(MeetingState::NotStarted),
        enrollment: true,
        ..FixtureMeeting::default()
    };
    future.enrollments = anonymous_enrollments(&mut rng, 3, EnrollStatus::Pending, base - HOUR);
    future.invitees = vec![invitee("test1"), invitee("alice")];
    out.push((
        MeetingPlan::given("seed-not-started".into(), future),
        mine.clone(),
    ));

    // --- seed-cancelled ----------------------------------------------------------------------
    let c0 = base + DAY;
    out.push((
        MeetingPlan::given(
            "seed-cancelled".into(),
            FixtureMeeting {
                subject: "已取消 Cancelled".into(),
                start: c0,
                end: c0 + HOUR,
                state: Some(MeetingState::Cancelled),
                invitees: vec![invitee("test1")],
                ..FixtureMeeting::default()
            },
        ),
        mine.clone(),
    ));

    // --- seed-other-app ----------------------------------------------------------------------
    let o0 = base - 3 * DAY;
    let mut other = FixtureMeeting {
        subject: "别的应用创建的会议 Other app".into(),
        creator: Some("owner2".into()),
        start: o0,
        end: o0 + HOUR,
        state: Some(MeetingState::Ended),
        enrollment: true,
        ..FixtureMeeting::default()
    };
    for k in 0..5usize {
        let (j, l) = generator::sessions(&mut rng, o0, o0 + HOUR, 1)[0];
        let key = if k == 0 {
            "owner2".to_owned()
        } else {
            format!("o{k}")
        };
        other.attendees.push(person(
            &key,
            Some(&key),
            1,
            if k == 0 { 3 } else { 0 },
            &[(j, Some(l))],
        ));
    }
    let phone = generator::phone(&mut rng);
    other.enrollments.push(enrollment(
        Some("o1"),
        Some("o1"),
        "o1",
        &phone,
        EnrollStatus::Approved,
        EnrollSource::SelfService,
        o0 - DAY,
        &mut rng,
    ));
    out.push((
        MeetingPlan::given("seed-other-app".into(), other),
        Extra {
            app: usize::from(apps > 1),
            ..Extra::default()
        },
    ));

    // --- seed-deleted ------------------------------------------------------------------------
    let d0 = base - 4 * DAY;
    let mut deleted = FixtureMeeting {
        subject: "已删除 Deleted".into(),
        start: d0,
        end: d0 + HOUR,
        state: Some(MeetingState::Ended),
        ..FixtureMeeting::default()
    };
    deleted.attendees.push(person(
        "owner1",
        Some("owner1"),
        1,
        3,
        &[(d0 + 10, Some(d0 + 600))],
    ));
    out.push((
        MeetingPlan::given("seed-deleted".into(), deleted),
        Extra {
            deleted: true,
            ..Extra::default()
        },
    ));

    // --- seed-long-running -------------------------------------------------------------------
    let lr0 = base - 80 * DAY;
    let mut info = Map::new();
    info.insert("meeting_type".into(), json!(5));
    out.push((
        MeetingPlan {
            label: "seed-long-running".into(),
            meeting: FixtureMeeting {
                subject: "个人会议号会议 Personal room".into(),
                kind: MeetingKind::OneOff,
                start: lr0,
                end: base - DAY,
                state: Some(MeetingState::Ended),
                overrides: [("wecom".to_owned(), info)].into_iter().collect(),
                ..FixtureMeeting::default()
            },
            generated: Some(GenSpec {
                sessions: 400,
                enrollments: 0,
                invitees: 0,
            }),
        },
        mine,
    ));

    for (p, _) in &mut out {
        p.meeting.label = Some(p.label.clone());
    }
    out
}
