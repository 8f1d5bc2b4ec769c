//! Quanshi seed meetings: the cases docs/specs/quanshi.md §9 item 11 requires, written out by hand.
//!
//! | label | what it exercises |
//! |---|---|
//! | `seed-single` | single meeting (`calType: "E"`), ended; title `产品评审会 · Q3 复盘 (100% & more)` (Chinese, `%`, `&`, spaces: percent-encoded in v1); 张三 with three sessions, two of them overlapping (v1 merges the overlap); a phone participant (`deviceType` `Telephone`, `ip` phone-only); 李四 on data + phone audio (`ip` `"<IPv4> <phone>"`); Alice with no mobile (`"-"` in v1); emoji, empty and space-padded names; invitees in `W`, `A`, `R` (and one undocumented letter `P`) with `userProfile: null`, a phone invitee (`userType: 3`) and an external one (`userType: 2`) |
//! | `seed-recurring` | recurring (`calType: "M"`), five weekly occurrences: three ran (three `tempConferenceId`s), one deleted, one still to come; people in several runs and a rejoin within one run |
//! | `seed-live` | in progress: 133 terminals in the meeting now (more than a page of 100), 12 who left, one who left and rejoined |
//! | `seed-not-started` | scheduled in two days: invitees only, empty reports |
//! | `seed-cancelled` | cancelled (meeting `status` 0): invitees only |

use rand::Rng;

use super::QuanshiConfig;
use crate::data::generator::{self, names};
use crate::data::plan::MeetingPlan;
use crate::data::seed::{DAY, HOUR, base_hour};
use crate::data::{
    FixtureAttendee, FixtureInvitee, FixtureMeeting, FixtureSession, FixtureSubMeeting,
    MeetingKind, MeetingState,
};

/// Name of the default host (`host_user_id`) wherever the data does not name it.
pub(crate) const DEFAULT_HOST_NAME: &str = "主持人小裴";

/// One session: join, leave (`None` = still in), sub-meeting index, device, ip.
type S = (
    i64,
    Option<i64>,
    Option<usize>,
    Option<i64>,
    Option<&'static str>,
);

#[allow(clippy::too_many_arguments)] // A table-like constructor for hand-written rows.
fn person(
    userid: Option<&str>,
    name: &str,
    phone: Option<&str>,
    email: Option<&str>,
    device: i64,
    sessions: &[S],
) -> FixtureAttendee {
    FixtureAttendee {
        key: None,
        userid: userid.map(str::to_owned),
        member: Some(userid.is_some()),
        name: name.to_owned(),
        phone: phone.map(str::to_owned),
        email: email.map(str::to_owned),
        device: Some(device),
        sessions: sessions
            .iter()
            .map(|&(join, leave, sub, dev, ip)| FixtureSession {
                join,
                leave,
                sub_meeting: sub,
                device: dev,
                ip: ip.map(str::to_owned),
            })
            .collect(),
        ..FixtureAttendee::default()
    }
}

fn invitee(
    userid: Option<&str>,
    name: &str,
    status: &str,
    user_type: i64,
    phone: Option<&str>,
    email: Option<&str>,
    company: Option<&str>,
) -> FixtureInvitee {
    FixtureInvitee {
        userid: userid.map(str::to_owned),
        name: name.to_owned(),
        status: Some(status.to_owned()),
        user_type: Some(user_type),
        phone: phone.map(str::to_owned),
        email: email.map(str::to_owned),
        company: company.map(str::to_owned),
    }
}

/// The seed meetings, relative to the data anchor.
pub(crate) fn plans(seed: u64, anchor: i64, qc: &QuanshiConfig) -> Vec<MeetingPlan> {
    let base = base_hour(anchor);
    let host = qc.host_user_id.to_string();
    let host = host.as_str();
    let host_email = qc.host_email.as_str();
    let mut out = Vec::new();

    // --- seed-single ------------------------------------------------------------------------
    let s = base - 2 * DAY;
    let single = FixtureMeeting {
        label: Some("seed-single".into()),
        subject: "产品评审会 · Q3 复盘 (100% & more)".into(),
        kind: MeetingKind::OneOff,
        start: s,
        end: s + HOUR,
        state: Some(MeetingState::Ended),
        attendees: vec![
            person(
                Some(host),
                DEFAULT_HOST_NAME,
                Some("13800000001"),
                Some(host_email),
                1,
                &[(s - 300, Some(s + 3_600), None, None, Some("121.69.12.34"))],
            ),
            person(
                Some("88610850"),
                "张三",
                Some("13912345678"),
                Some("zhangsan@example.com"),
                1,
                &[
                    (s + 120, Some(s + 900), None, None, Some("183.186.246.249")),
                    (
                        s + 1_200,
                        Some(s + 2_400),
                        None,
                        None,
                        Some("183.186.246.249"),
                    ),
                    // Overlaps the previous one: data on a phone app plus phone audio.
                    (
                        s + 2_000,
                        Some(s + 3_000),
                        None,
                        Some(3),
                        Some("183.186.246.249 13912345678"),
                    ),
                ],
            ),
            // A phone participant: no data client, `ip` is the phone number.
            person(
                None,
                "电话用户",
                Some("17694879663"),
                None,
                0,
                &[(s + 300, Some(s + 1_800), None, None, Some("17694879663"))],
            ),
            // No mobile: v1 shows "-".
            person(
                Some("88610851"),
                "Alice Wang",
                None,
                Some("alice@example.com"),
                2,
                &[(s + 60, Some(s + 3_500), None, None, Some("203.0.113.7"))],
            ),
            // Data client with phone audio.
            person(
                Some("88610852"),
                "李四",
                Some("13700001111"),
                Some("lisi@example.com"),
                1,
                &[(
                    s + 600,
                    Some(s + 3_300),
                    None,
                    None,
                    Some("183.186.246.250 13700001111"),
                )],
            ),
            person(
                None,
                "🎉 Party 👩‍💻",
                None,
                None,
                5,
                &[(s + 700, Some(s + 2_000), None, None, None)],
            ),
            person(
                None,
                "",
                None,
                None,
                4,
                &[(s + 750, Some(s + 1_500), None, None, None)],
            ),
            person(
                None,
                names::AWKWARD[3],
                None,
                None,
                1,
                &[(s + 800, Some(s + 1_600), None, None, None)],
            ),
        ],
        invitees: vec![
            invitee(Some(host), DEFAULT_HOST_NAME, "W", 1, None, None, None),
            invitee(
                Some("88610850"),
                "张三",
                "A",
                1,
                Some("13912345678"),
                None,
                None,
            ),
            invitee(
                Some("88610851"),
                "Alice Wang",
                "R",
                1,
                None,
                Some("alice@example.com"),
                None,
            ),
            invitee(
                Some("88610852"),
                "李四",
                "W",
                1,
                Some("13700001111"),
                None,
                None,
            ),
            invitee(None, "电话用户", "W", 3, Some("17694879663"), None, None),
            invitee(
                None,
                "外部嘉宾 Guest",
                "A",
                2,
                None,
                Some("guest@acme.example"),
                Some("ACME"),
            ),
            invitee(Some("88610853"), "王五", "R", 1, None, None, None),
            // An undocumented status letter: clients map it to Unknown.
            invitee(Some("88610854"), "赵六", "P", 1, None, None, None),
        ],
        ..FixtureMeeting::default()
    };
    out.push(MeetingPlan::given("seed-single".into(), single));

    // --- seed-recurring ---------------------------------------------------------------------
    let first = base - 4 * 7 * DAY + 2 * HOUR;
    let at = |w: i64| first + w * 7 * DAY;
    let subs: Vec<FixtureSubMeeting> = (0..5)
        .map(|w| FixtureSubMeeting {
            id: None,
            start: at(w),
            end: at(w) + HOUR,
            state: Some(if w == 4 {
                MeetingState::NotStarted
            } else {
                MeetingState::Ended
            }),
            deleted: w == 2,
        })
        .collect();
    let recurring = FixtureMeeting {
        label: Some("seed-recurring".into()),
        subject: "周例会 Weekly sync".into(),
        kind: MeetingKind::Recurring,
        start: at(0),
        end: at(4) + HOUR,
        state: Some(MeetingState::InProgress),
        sub_meetings: subs,
        attendees: vec![
            person(
                Some(host),
                DEFAULT_HOST_NAME,
                Some("13800000001"),
                Some(host_email),
                1,
                &[
                    (at(0) - 60, Some(at(0) + 3_600), Some(0), None, None),
                    (at(1) - 30, Some(at(1) + 3_500), Some(1), None, None),
                    (at(3), Some(at(3) + 3_550), Some(3), None, None),
                ],
            ),
            person(
                Some("88610853"),
                "王五",
                Some("13600003333"),
                Some("wangwu@example.com"),
                4,
                &[
                    (at(0) + 100, Some(at(0) + 3_000), Some(0), None, None),
                    (at(3) + 200, Some(at(3) + 2_000), Some(3), None, None),
                ],
            ),
            person(
                Some("88610854"),
                "赵六",
                None,
                Some("zhaoliu@example.com"),
                1,
                &[
                    (at(1) + 60, Some(at(1) + 600), Some(1), None, None),
                    (at(1) + 900, Some(at(1) + 3_000), Some(1), Some(3), None),
                ],
            ),
            person(
                None,
                "电话参会",
                Some("13500002222"),
                None,
                0,
                &[(at(3) + 300, Some(at(3) + 1_200), Some(3), None, None)],
            ),
            person(
                None,
                "Bob Li",
                None,
                Some("bob@partner.example"),
                5,
                &[(at(0) + 400, Some(at(0) + 1_400), Some(0), None, None)],
            ),
        ],
        invitees: vec![
            invitee(Some(host), DEFAULT_HOST_NAME, "W", 1, None, None, None),
            invitee(
                Some("88610853"),
                "王五",
                "A",
                1,
                Some("13600003333"),
                None,
                None,
            ),
            invitee(Some("88610854"), "赵六", "A", 1, None, None, None),
            invitee(Some("88610855"), "钱七", "R", 1, None, None, None),
            invitee(None, "电话参会", "W", 3, Some("13500002222"), None, None),
        ],
        ..FixtureMeeting::default()
    };
    out.push(MeetingPlan::given("seed-recurring".into(), recurring));

    // --- seed-live --------------------------------------------------------------------------
    let s = base - HOUR;
    let mut rng = generator::rng_for(seed, &["quanshi", "seed-live"]);
    let mut live = FixtureMeeting {
        label: Some("seed-live".into()),
        subject: "全员直播 Live town hall".into(),
        kind: MeetingKind::OneOff,
        start: s,
        end: s + 3 * HOUR,
        state: Some(MeetingState::InProgress),
        ..FixtureMeeting::default()
    };
    live.attendees.push(person(
        Some(host),
        DEFAULT_HOST_NAME,
        Some("13800000001"),
        Some(host_email),
        1,
        &[(s + 60, None, None, None, None)],
    ));
    for k in 0..130i64 {
        let member = k % 10 < 7;
        let userid = member.then(|| format!("{}", 88_620_000 + k));
        let phone = (k % 2 == 0).then(|| generator::phone(&mut rng));
        let mut a = person(
            userid.as_deref(),
            &names::person(&mut rng),
            phone.as_deref(),
            None,
            [1, 1, 2, 3, 4, 5][rng.random_range(0..6usize)],
            &[(s + 120 + k * 10, None, None, None, None)],
        );
        a.email = userid.as_ref().map(|u| format!("{u}@example.com"));
        live.attendees.push(a);
    }
    for k in 0..12i64 {
        live.attendees.push(person(
            None,
            &names::person(&mut rng),
            None,
            None,
            1,
            &[(s + 100 + k, Some(s + 1_800 + k), None, None, None)],
        ));
    }
    live.attendees.push(person(
        Some("88610856"),
        "回来了 Back again",
        Some("13600004444"),
        Some("back@example.com"),
        3,
        &[
            (s + 200, Some(s + 900), None, None, None),
            (s + 1_000, None, None, None, None),
        ],
    ));
    live.attendees.push(person(
        None,
        "电话接入",
        Some("13500005555"),
        None,
        0,
        &[(s + 1_500, None, None, None, None)],
    ));
    live.invitees = vec![
        invitee(Some(host), DEFAULT_HOST_NAME, "W", 1, None, None, None),
        invitee(Some("88620000"), "Invited A", "A", 1, None, None, None),
        invitee(Some("88620001"), "Invited R", "R", 1, None, None, None),
    ];
    out.push(MeetingPlan::given("seed-live".into(), live));

    // --- seed-not-started -------------------------------------------------------------------
    let s = base + 2 * DAY;
    out.push(MeetingPlan::given(
        "seed-not-started".into(),
        FixtureMeeting {
            label: Some("seed-not-started".into()),
            subject: "下周规划会".into(),
            kind: MeetingKind::OneOff,
            start: s,
            end: s + HOUR,
            state: Some(MeetingState::NotStarted),
            invitees: vec![
                invitee(Some(host), DEFAULT_HOST_NAME, "W", 1, None, None, None),
                invitee(Some("88610850"), "张三", "A", 1, None, None, None),
                invitee(Some("88610851"), "Alice Wang", "R", 1, None, None, None),
                invitee(None, "电话用户", "W", 3, Some("17694879663"), None, None),
            ],
            ..FixtureMeeting::default()
        },
    ));

    // --- seed-cancelled ---------------------------------------------------------------------
    let s = base - DAY;
    out.push(MeetingPlan::given(
        "seed-cancelled".into(),
        FixtureMeeting {
            label: Some("seed-cancelled".into()),
            subject: "已取消的会议 Cancelled".into(),
            kind: MeetingKind::OneOff,
            start: s,
            end: s + HOUR,
            state: Some(MeetingState::Cancelled),
            invitees: vec![
                invitee(Some(host), DEFAULT_HOST_NAME, "W", 1, None, None, None),
                invitee(Some("88610850"), "张三", "R", 1, None, None, None),
            ],
            ..FixtureMeeting::default()
        },
    ));
    out
}
