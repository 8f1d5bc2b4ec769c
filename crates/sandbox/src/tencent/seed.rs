//! Tencent seed meetings: the cases docs/specs/tencent-meeting.md §9 item 3 and §12 require,
//! written out by hand. Sign-in rounds ([`sign_ins`]) and waiting-room logs ([`waiting_room`])
//! are Tencent-only, so they live here, keyed by the seed label, rather than in the
//! vendor-neutral fixture model; they name the meeting's attendees by key so their `userid`,
//! `ms_open_id` and `user_name` match the participant rows.
//!
//! | label | what it exercises |
//! |---|---|
//! | `seed-oneoff` | doc names `dBVzdDE=` / `dGvzdDI=`, `5byg5LiJ` (张三), a non-Base64 `user_name`, a departed member, `instanceid` 99, repeat sessions, a duplicate phone hash, emoji and empty names, enrollments in every status with answers and a phone import, 450 invitees (three invitee pages); two closed sign-in rounds (张三 signed in once though on several devices, a guest without `userid`); a waiting-room log (admitted after waiting, removed, re-entered twice) |
//! | `seed-recurring` | recurring, 20-digit id (above `i64::MAX`), ended, deleted and future sub-meetings, enrollment disabled (`101`) |
//! | `seed-webinar` | webinar (`meeting_type` 6): roles 0–5 and an unknown one, co-host roles, 120 enrollments served on `/v1/webinars/{id}/enroll/approvals` only (one page of 300, three of 50) |
//! | `seed-live` | in progress: open sessions (`left_time: ""`) with `ip`, `location`, `net`… (the real-time list, §12.6); `host1` is a host; sign-in rounds: one closed, one open; waiting room: admitted, removed, re-entered twice, one still waiting (`left_time: 0`) |
//! | `seed-not-started` | scheduled in the future: empty participant list, pending enrollments |
//! | `seed-other-owner` | created by `owner2`: `owner1` gets `9042`, the admin does not |
//! | `seed-long-running` | personal meeting room (`meeting_type` 5), 400 sessions over 79 days (window splitting); a waiting-room log of two guests (a PMI meeting: the log carries its `meeting_code`) |

use serde_json::{Map, json};

use crate::data::generator::{self, names};
use crate::data::plan::{GenSpec, MeetingPlan};
use crate::data::seed::{
    DAY, HOUR, anonymous_enrollments, base_hour, enrollment, invitee, overrides, person,
    webinar_enrollments, weekly_sub,
};
use crate::data::{
    EnrollSource, EnrollStatus, FixtureAttendee, FixtureInvitee, FixtureMeeting, FixtureSession,
    MeetingKind, MeetingState,
};

fn meeting_id(seed: u64, label: &str, len: usize, first: Option<char>) -> String {
    let mut rng = generator::rng_for(seed, &["tencent", "meeting-id", label]);
    match first {
        Some(c) => format!("{c}{}", generator::digits(&mut rng, len - 1)),
        None => generator::digits(&mut rng, len),
    }
}

/// The seed meetings, relative to the data anchor.
pub(crate) fn plans(seed: u64, anchor: i64) -> Vec<MeetingPlan> {
    let base = base_hour(anchor);
    let mut rng = generator::rng_for(seed, &["tencent", "seed"]);
    let mut out = Vec::new();

    // --- seed-oneoff -------------------------------------------------------------------------
    let s = base - 2 * DAY;
    let mut oneoff = FixtureMeeting {
        id: Some(meeting_id(seed, "seed-oneoff", 19, None)),
        subject: "周例会 Weekly sync".into(),
        kind: MeetingKind::OneOff,
        start: s,
        end: s + 2 * HOUR,
        state: Some(MeetingState::Ended),
        enrollment: true,
        ..FixtureMeeting::default()
    };
    let mut test2 = person(
        "test2",
        Some("test2"),
        "t\u{FFFD}st2",
        Some("13800138000"),
        1,
        0,
        &[(s + 90, Some(s + 3_000))],
    );
    // Decodes to 74 6B F3 74 32: not UTF-8 (docs/specs/tencent-meeting.md §4.1 quirk 3).
    test2.overrides = overrides("tencent", json!({"user_name": "dGvzdDI="}));
    let mut not_b64 = person(
        "not-base64",
        None,
        "?",
        None,
        5,
        4,
        &[(s + 400, Some(s + 1_000))],
    );
    not_b64.member = Some(false);
    not_b64.overrides = overrides("tencent", json!({"user_name": "not base64!*"}));
    let mut departed = person(
        "departed",
        None,
        "已离职成员",
        Some("13711112222"),
        1,
        0,
        &[(s + 500, Some(s + 4_000))],
    );
    departed.member = Some(true);
    let mut emoji = person(
        "emoji",
        None,
        "🎉 Party Host 👩‍💻",
        None,
        4,
        4,
        &[(s + 700, Some(s + 2_000))],
    );
    emoji.member = Some(false);
    emoji.overrides = overrides("tencent", json!({"customer_data": "exclusive-link-42"}));
    let mut pstn = person(
        "pstn",
        None,
        "电话用户",
        Some("13600000000"),
        0,
        4,
        &[(s + 800, Some(s + 5_000))],
    );
    pstn.member = Some(false);
    let mut awkward = person(
        "awkward",
        None,
        names::AWKWARD[0],
        None,
        5,
        4,
        &[(s + 900, Some(s + 1_900))],
    );
    awkward.member = Some(false);
    oneoff.attendees = vec![
        person(
            "owner1",
            Some("owner1"),
            "会议创建者",
            Some("13700000001"),
            1,
            3,
            &[(s, Some(s + 7_000))],
        ),
        // "t\x15st1": Base64 `dBVzdDE=`, valid UTF-8 with a control character.
        person(
            "test1",
            Some("test1"),
            "t\u{15}st1",
            Some("13800138000"),
            1,
            0,
            &[(s + 60, Some(s + 3_600))],
        ),
        test2,
        // 张三: Base64 `5byg5LiJ`; three sessions on three devices.
        person(
            "zhangsan",
            Some("zhangsan"),
            "张三",
            Some("13912345678"),
            1,
            0,
            &[
                (s + 120, Some(s + 900)),
                (s + 1_200, Some(s + 2_400)),
                (s + 3_000, Some(s + 6_900)),
            ],
        ),
        not_b64,
        departed,
        person(
            "newdev",
            Some("newdev"),
            "New Device",
            None,
            99,
            0,
            &[(s + 600, Some(s + 6_000))],
        ),
        emoji,
        person(
            "empty-name",
            Some("u-empty"),
            "",
            None,
            2,
            0,
            &[(s + 750, Some(s + 3_300))],
        ),
        pstn,
        awkward,
        person(
            "alice",
            Some("alice"),
            "Alice Wang",
            Some("13912340000"),
            2,
            2,
            &[(s + 1_000, Some(s + 7_100))],
        ),
    ];
    oneoff.attendees[3].sessions[1].device = Some(3);
    oneoff.attendees[3].sessions[2].device = Some(4);
    let t0 = s - 3 * DAY;
    oneoff.enrollments = vec![
        enrollment(
            Some("test1"),
            Some("test1"),
            "t\u{15}st1",
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
            Some("emoji"),
            None,
            "🎉 Party Host 👩‍💻",
            "13511112222",
            EnrollStatus::Approved,
            EnrollSource::SelfService,
            t0 + 120,
            &mut rng,
        ),
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
        // Phone import without a nickname: nick_name shows the phone.
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
        enrollment(
            Some("pstn"),
            None,
            "电话用户",
            "13600000000",
            EnrollStatus::Approved,
            EnrollSource::Import,
            t0 + 300,
            &mut rng,
        ),
        enrollment(
            Some("alice"),
            Some("alice"),
            "Alice Wang",
            "13912340000",
            EnrollStatus::Pending,
            EnrollSource::SelfService,
            t0 + 360,
            &mut rng,
        ),
    ];
    let mut irng = generator::rng_for(seed, &["tencent", "seed-oneoff", "invitees"]);
    oneoff.invitees = ["test1", "test2", "zhangsan", "alice"]
        .iter()
        .map(|u| invitee(u))
        .chain((0..446).map(|k| FixtureInvitee {
            userid: Some(format!("inv{k:04}")),
            name: names::person(&mut irng),
            ..FixtureInvitee::default()
        }))
        .collect();
    out.push(MeetingPlan::given("seed-oneoff".into(), oneoff));

    // --- seed-recurring ----------------------------------------------------------------------
    let r0 = base - 21 * DAY;
    let sub = |w: i64, state: MeetingState, deleted: bool| weekly_sub(r0, w, state, deleted);
    let mut recurring = FixtureMeeting {
        // Twenty digits, above i64::MAX: ids are strings.
        id: Some(meeting_id(seed, "seed-recurring", 20, Some('9'))),
        subject: "每周站会 Weekly stand-up".into(),
        kind: MeetingKind::Recurring,
        start: r0,
        end: r0 + 28 * DAY + HOUR,
        // The series is running; the detail endpoint reports the current occurrence's state.
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
    let mut rec_people = Vec::new();
    for k in 0..10usize {
        let mut sessions = Vec::new();
        for (ix, w) in [(0usize, 0i64), (2, 2)] {
            if (k + ix) % 3 == 2 {
                continue; // missed this occurrence
            }
            let st = r0 + w * 7 * DAY;
            let parts = if k == 1 && ix == 2 { 2 } else { 1 };
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
        rec_people.push(FixtureAttendee {
            key: Some(key),
            userid,
            name: names::person(&mut rng),
            phone: (k % 2 == 0).then(|| generator::phone(&mut rng)),
            device: Some([1, 2, 3, 4, 5][k % 5]),
            role: Some(if k == 0 { 3 } else { 0 }),
            sessions,
            ..FixtureAttendee::default()
        });
    }
    recurring.attendees = rec_people;
    out.push(MeetingPlan::given("seed-recurring".into(), recurring));

    // --- seed-webinar ------------------------------------------------------------------------
    let w = base - 5 * DAY;
    let mut webinar = FixtureMeeting {
        id: Some(meeting_id(seed, "seed-webinar", 19, None)),
        subject: "产品发布会 Launch webinar 🚀".into(),
        kind: MeetingKind::Webinar,
        start: w,
        end: w + 2 * HOUR,
        state: Some(MeetingState::Ended),
        enrollment: true,
        ..FixtureMeeting::default()
    };
    // webinar_member_role 0–5 plus 9 (unknown); user_role 0–7 (6, 7: co-host roles).
    let roles: [(i64, i64); 9] = [
        (3, 1),
        (6, 1),
        (7, 2),
        (0, 3),
        (0, 0),
        (0, 4),
        (0, 5),
        (4, 9),
        (0, 4),
    ];
    for k in 0..24usize {
        let (user_role, webinar_role) = roles[k % roles.len()];
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
            phone: (k % 2 == 1).then(|| generator::phone(&mut rng)),
            device: Some([1, 5, 8, 4, 3][k % 5]),
            role: Some(user_role),
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
    out.push(MeetingPlan::given("seed-webinar".into(), webinar));

    // --- seed-live ---------------------------------------------------------------------------
    let l0 = base - 1_800;
    let mut live = FixtureMeeting {
        id: Some(meeting_id(seed, "seed-live", 19, None)),
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
        // live0 is the creator (+ host); live1 (`host1`) a host, who may read the sign-ins
        // and the waiting room while the meeting runs (§12.4, §12.7).
        let (userid, role) = match k {
            0 => (Some("owner1"), 3),
            1 => (Some("host1"), 2),
            _ => (None, 0),
        };
        let mut a = person(
            &format!("live{k}"),
            userid,
            &names::person(&mut rng),
            None,
            [1, 2, 3, 4, 5][k % 5],
            role,
            &[(join, (!open).then_some(join + 600))],
        );
        if open {
            a.sessions[0].ip = Some(generator::ipv4(&mut rng));
        }
        live.attendees.push(a);
    }
    out.push(MeetingPlan::given("seed-live".into(), live));

    // --- seed-not-started --------------------------------------------------------------------
    let n0 = base + 2 * DAY;
    let mut future = FixtureMeeting {
        id: Some(meeting_id(seed, "seed-not-started", 19, None)),
        subject: "下周评审 Upcoming review".into(),
        kind: MeetingKind::OneOff,
        start: n0,
        end: n0 + HOUR,
        state: Some(MeetingState::NotStarted),
        enrollment: true,
        ..FixtureMeeting::default()
    };
    future.enrollments = anonymous_enrollments(&mut rng, 3, EnrollStatus::Pending, base - HOUR);
    future.invitees = (0..3)
        .map(|k| FixtureInvitee {
            userid: Some(format!("inv{k:04}")),
            name: format!("invitee {k}"),
            ..FixtureInvitee::default()
        })
        .collect();
    out.push(MeetingPlan::given("seed-not-started".into(), future));

    // --- seed-other-owner --------------------------------------------------------------------
    let o0 = base - 3 * DAY;
    let mut other = FixtureMeeting {
        id: Some(meeting_id(seed, "seed-other-owner", 19, None)),
        subject: "别人的会议 Someone else's".into(),
        kind: MeetingKind::OneOff,
        creator: Some("owner2".into()),
        start: o0,
        end: o0 + HOUR,
        state: Some(MeetingState::Ended),
        enrollment: true,
        ..FixtureMeeting::default()
    };
    for k in 0..5usize {
        let (j, l) = generator::sessions(&mut rng, o0, o0 + HOUR, 1)[0];
        other.attendees.push(person(
            &format!("o{k}"),
            Some(if k == 0 {
                "owner2"
            } else {
                ["o1", "o2", "o3", "o4"][k - 1]
            }),
            &names::person(&mut rng),
            None,
            1,
            if k == 0 { 3 } else { 0 },
            &[(j, Some(l))],
        ));
    }
    other.enrollments = anonymous_enrollments(&mut rng, 2, EnrollStatus::Approved, o0 - DAY);
    other.invitees = vec![invitee("o1")];
    out.push(MeetingPlan::given("seed-other-owner".into(), other));

    // --- seed-long-running -------------------------------------------------------------------
    let lr0 = base - 80 * DAY;
    let mut overrides = Map::new();
    overrides.insert("meeting_type".into(), json!(5));
    let long = FixtureMeeting {
        label: Some("seed-long-running".into()),
        id: Some(meeting_id(seed, "seed-long-running", 19, None)),
        subject: "个人会议室 Personal room".into(),
        kind: MeetingKind::OneOff,
        start: lr0,
        end: base - DAY,
        state: Some(MeetingState::Ended),
        overrides: [("tencent".to_owned(), overrides)].into_iter().collect(),
        ..FixtureMeeting::default()
    };
    out.push(MeetingPlan {
        label: "seed-long-running".into(),
        meeting: long,
        generated: Some(GenSpec {
            sessions: 400,
            enrollments: 0,
            invitees: 0,
        }),
    });

    for p in &mut out {
        p.meeting.label = Some(p.label.clone());
    }
    out
}

/// One sign-in round (签到) of a seed meeting (docs/specs/tencent-meeting.md §12.4, §12.5).
pub(crate) struct SeedSignIn {
    /// Start, Unix seconds.
    pub start: i64,
    /// `sign_in_specification`.
    pub specification: &'static str,
    /// `sign_in_status`: 0 not started, 1 open, 2 closed.
    pub status: i64,
    /// Who signed in: attendee key and sign-in time (Unix seconds). One event per person,
    /// even for someone in the meeting on two devices (choice).
    pub events: Vec<(&'static str, i64)>,
}

/// One waiting-room entry of a seed meeting (docs/specs/tencent-meeting.md §12.7).
pub(crate) struct SeedWait {
    /// An attendee key, or the key of someone never admitted (then `name` names them).
    pub person: &'static str,
    /// Display name of someone who is not an attendee.
    pub name: &'static str,
    /// `instanceid` of someone who is not an attendee.
    pub device: i64,
    /// Entered the waiting room, Unix milliseconds.
    pub join_ms: i64,
    /// Left it (admitted, removed or gone), Unix milliseconds; `None` while still waiting.
    pub left_ms: Option<i64>,
}

/// The sign-in rounds of the seed meeting `label` that starts at `start` (none for others).
pub(crate) fn sign_ins(label: &str, start: i64) -> Vec<SeedSignIn> {
    let s = start;
    match label {
        "seed-oneoff" => vec![
            SeedSignIn {
                start: s + 1_500,
                specification: "第一次签到",
                status: 2,
                events: vec![
                    ("owner1", s + 1_510),
                    ("test1", s + 1_520),
                    // A guest without userid.
                    ("emoji", s + 1_550),
                    ("zhangsan", s + 1_600),
                    ("alice", s + 1_650),
                    ("departed", s + 1_700),
                    ("awkward", s + 1_800),
                ],
            },
            SeedSignIn {
                start: s + 5_500,
                specification: "第二次签到 second",
                status: 2,
                events: vec![
                    ("owner1", s + 5_510),
                    ("alice", s + 5_520),
                    ("zhangsan", s + 5_600),
                    ("newdev", s + 5_700),
                ],
            },
        ],
        "seed-live" => vec![
            SeedSignIn {
                start: s + 600,
                specification: "开场签到",
                status: 2,
                events: vec![
                    ("live0", s + 610),
                    ("live1", s + 620),
                    ("live2", s + 640),
                    ("live3", s + 650),
                    ("live4", s + 700),
                ],
            },
            SeedSignIn {
                start: s + 1_500,
                specification: "进行中的签到",
                status: 1,
                events: vec![
                    ("live0", s + 1_505),
                    ("live5", s + 1_530),
                    ("live7", s + 1_560),
                ],
            },
        ],
        _ => Vec::new(),
    }
}

/// The waiting-room log of the seed meeting `label` that starts at `start` (none for others).
pub(crate) fn waiting_room(label: &str, start: i64) -> Vec<SeedWait> {
    let ms = |secs: i64, extra: i64| (start + secs) * 1000 + extra;
    let wait = |person, join_ms, left_ms| SeedWait {
        person,
        name: "",
        device: 1,
        join_ms,
        left_ms,
    };
    match label {
        "seed-oneoff" => vec![
            // dBVzdDE=, admitted.
            wait("test1", ms(40, 120), Some(ms(60, 0))),
            // dGvzdDI= (not UTF-8): entered, left, entered again, admitted: two rows.
            wait("test2", ms(60, 5), Some(ms(70, 0))),
            wait("test2", ms(80, 7), Some(ms(90, 0))),
            // 张三, admitted after waiting.
            wait("zhangsan", ms(100, 250), Some(ms(120, 0))),
            // Removed by the host: never joined.
            SeedWait {
                person: "wr-stranger",
                name: "陌生人 Stranger",
                device: 5,
                join_ms: ms(300, 500),
                left_ms: Some(ms(420, 1)),
            },
            wait("alice", ms(980, 10), Some(ms(1_000, 0))),
        ],
        "seed-live" => vec![
            wait("live1", ms(30, 300), Some(ms(60, 0))),
            wait("live4", ms(150, 40), Some(ms(170, 0))),
            wait("live4", ms(200, 900), Some(ms(240, 0))),
            SeedWait {
                person: "wr-removed",
                name: "被移出的人",
                device: 4,
                join_ms: ms(200, 15),
                left_ms: Some(ms(260, 0)),
            },
            // Still waiting.
            SeedWait {
                person: "wr-waiting",
                name: "等候中的访客 Waiting guest",
                device: 3,
                join_ms: ms(1_700, 333),
                left_ms: None,
            },
        ],
        // A personal meeting room (PMI): a guest on its first day, another on its second.
        "seed-long-running" => vec![
            SeedWait {
                person: "wr-pmi-guest",
                name: "PMI 访客",
                device: 2,
                join_ms: ms(3_600, 1),
                left_ms: Some(ms(3_660, 2)),
            },
            SeedWait {
                person: "wr-pmi-late",
                name: "Late guest",
                device: 8,
                join_ms: ms(86_400, 3),
                left_ms: Some(ms(86_500, 4)),
            },
        ],
        _ => Vec::new(),
    }
}
