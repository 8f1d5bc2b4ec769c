//! Meeting plans: which meetings a vendor serves, with their attendees either given (seed and
//! fixture meetings) or generated on first access (small and large generated meetings).

use rand::Rng;

use super::generator::{self as generator, names};
use crate::config::{DataConfig, SandboxConfig};
use crate::fixture::{
    AnswerKind, EnrollSource, EnrollStatus, FixtureAnswer, FixtureAttendee, FixtureEnrollment,
    FixtureInvitee, FixtureMeeting, FixtureSession, FixtureSubMeeting, MeetingKind, MeetingState,
    SpecialType,
};
use crate::vendor::Vendor;

/// Sizes of a generated meeting's content, fixed at plan time so the catalog knows them before
/// anything is generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GenSpec {
    /// Join sessions (rows) over the whole meeting.
    pub sessions: usize,
    /// Enrollments.
    pub enrollments: usize,
    /// Invitees.
    pub invitees: usize,
}

impl GenSpec {
    /// One person in ten joins twice; everybody else once.
    pub(crate) fn repeaters(&self) -> usize {
        self.sessions / 10
    }

    /// Distinct people.
    pub(crate) fn people(&self) -> usize {
        self.sessions - self.repeaters()
    }
}

/// One meeting a vendor serves.
#[derive(Clone, Debug)]
pub(crate) struct MeetingPlan {
    /// The catalog label.
    pub label: String,
    /// The meeting; `attendees`, `enrollments` and `invitees` are empty when `generated` is set.
    pub meeting: FixtureMeeting,
    /// Content generated on demand.
    pub generated: Option<GenSpec>,
}

/// Content of a meeting (given or generated).
#[derive(Clone, Debug, Default)]
pub(crate) struct Content {
    pub attendees: Vec<FixtureAttendee>,
    pub enrollments: Vec<FixtureEnrollment>,
    pub invitees: Vec<FixtureInvitee>,
}

impl MeetingPlan {
    /// A plan from a fully described meeting.
    pub(crate) fn given(label: String, meeting: FixtureMeeting) -> Self {
        MeetingPlan {
            label,
            meeting,
            generated: None,
        }
    }

    /// Join sessions over the whole meeting.
    pub(crate) fn sessions(&self) -> usize {
        match &self.generated {
            Some(g) => g.sessions,
            None => self
                .meeting
                .attendees
                .iter()
                .map(|a| a.sessions.len())
                .sum(),
        }
    }

    /// Distinct people who joined.
    pub(crate) fn people(&self) -> usize {
        match &self.generated {
            Some(g) => g.people(),
            None => self.meeting.attendees.len(),
        }
    }

    /// Number of enrollments.
    pub(crate) fn enrollment_count(&self) -> usize {
        match &self.generated {
            Some(g) => g.enrollments,
            None => self.meeting.enrollments.len(),
        }
    }

    /// Number of invitees.
    pub(crate) fn invitee_count(&self) -> usize {
        match &self.generated {
            Some(g) => g.invitees,
            None => self.meeting.invitees.len(),
        }
    }

    /// Join sessions of one sub-meeting (recurring meetings), without generating anything.
    pub(crate) fn sub_meeting_sessions(&self, index: usize) -> usize {
        match &self.generated {
            Some(g) => {
                let spans = past_sub_meetings(&self.meeting);
                match spans.iter().position(|&i| i == index) {
                    Some(k) => generated_sessions_in_span(g, spans.len(), k),
                    None => 0,
                }
            }
            None => self
                .meeting
                .attendees
                .iter()
                .flat_map(|a| &a.sessions)
                .filter(|s| s.sub_meeting == Some(index))
                .count(),
        }
    }

    /// The meeting's state, derived if not given.
    pub(crate) fn state(&self, anchor: i64) -> MeetingState {
        if let Some(s) = self.meeting.state {
            return s;
        }
        if self.meeting.start > anchor {
            return MeetingState::NotStarted;
        }
        let open = self
            .meeting
            .attendees
            .iter()
            .flat_map(|a| &a.sessions)
            .any(|s| s.leave.is_none());
        if open {
            MeetingState::InProgress
        } else {
            MeetingState::Ended
        }
    }

    /// State of one sub-meeting, derived if not given.
    pub(crate) fn sub_state(&self, index: usize, anchor: i64) -> MeetingState {
        let Some(sub) = self.meeting.sub_meetings.get(index) else {
            return MeetingState::NotStarted;
        };
        if let Some(s) = sub.state {
            return s;
        }
        if sub.start > anchor {
            MeetingState::NotStarted
        } else {
            MeetingState::Ended
        }
    }

    /// The meeting's attendees, enrollments and invitees (generated now if needed; callers cache
    /// what they render from it). A generated meeting's first attendee is its creator:
    /// `meeting.creator`, else `default_creator`.
    pub(crate) fn content(&self, seed: u64, default_creator: &str) -> Content {
        match &self.generated {
            None => Content {
                attendees: self.meeting.attendees.clone(),
                enrollments: self.meeting.enrollments.clone(),
                invitees: self.meeting.invitees.clone(),
            },
            Some(spec) => generate_content(seed, &self.label, &self.meeting, spec, default_creator),
        }
    }
}

/// Indices of the sub-meetings that have happened (not deleted, state ended or in progress);
/// generated sessions go there. Generated plans always set sub-meeting states.
fn past_sub_meetings(m: &FixtureMeeting) -> Vec<usize> {
    m.sub_meetings
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            !s.deleted
                && matches!(
                    s.state,
                    Some(MeetingState::Ended | MeetingState::InProgress)
                )
        })
        .map(|(i, _)| i)
        .collect()
}

/// How many generated sessions land in the `k`-th of `n` spans (round-robin over people, the
/// repeaters' second session in the next span).
fn generated_sessions_in_span(spec: &GenSpec, n: usize, k: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let people = spec.people();
    let firsts = people / n + usize::from(k < people % n);
    // Repeaters are people 0..r; person i's second session goes to span (i + 1) % n.
    let r = spec.repeaters();
    let k_prev = (k + n - 1) % n;
    let seconds = r / n + usize::from(k_prev < r % n);
    firsts + seconds
}

/// The standard enrollment form (name, phone, e-mail, company, a single and a multiple choice).
pub(crate) fn standard_answers(
    rng: &mut impl Rng,
    name: &str,
    phone: Option<&str>,
) -> Vec<FixtureAnswer> {
    const WAYS: [&str; 3] = ["线上", "线下", "待定"];
    const TOPICS: [&str; 4] = ["产品", "技术", "市场", "Other 其他"];
    let mut topics: Vec<String> = TOPICS
        .iter()
        .filter(|_| rng.random_bool(0.5))
        .map(|s| s.to_string())
        .collect();
    if topics.is_empty() {
        topics.push(TOPICS[0].to_owned());
    }
    vec![
        FixtureAnswer {
            title: "姓名".into(),
            kind: AnswerKind::Text,
            special: SpecialType::Name,
            required: true,
            content: vec![name.to_owned()],
        },
        FixtureAnswer {
            title: "手机号".into(),
            kind: AnswerKind::Text,
            special: SpecialType::Phone,
            required: true,
            content: vec![phone.unwrap_or("").to_owned()],
        },
        FixtureAnswer {
            title: "邮箱".into(),
            kind: AnswerKind::Text,
            special: SpecialType::Email,
            required: false,
            content: vec![format!(
                "user{}@example.com",
                rng.random_range(1..10_000u32)
            )],
        },
        FixtureAnswer {
            title: "公司名称".into(),
            kind: AnswerKind::Text,
            special: SpecialType::Company,
            required: false,
            content: vec!["示例科技有限公司".into()],
        },
        FixtureAnswer {
            title: "参会方式".into(),
            kind: AnswerKind::Single,
            special: SpecialType::None,
            required: true,
            content: vec![WAYS[rng.random_range(0..WAYS.len())].to_owned()],
        },
        FixtureAnswer {
            title: "感兴趣的主题".into(),
            kind: AnswerKind::Multiple,
            special: SpecialType::None,
            required: false,
            content: topics,
        },
    ]
}

/// Generates a meeting's content deterministically from `(seed, label)`. The same plan gives the
/// same people to every vendor.
pub(crate) fn generate_content(
    seed: u64,
    label: &str,
    m: &FixtureMeeting,
    spec: &GenSpec,
    default_creator: &str,
) -> Content {
    let mut rng = generator::rng_for(seed, &["plan", label]);
    let spans: Vec<(i64, i64, Option<usize>)> = if m.kind == MeetingKind::Recurring {
        past_sub_meetings(m)
            .into_iter()
            .map(|i| (m.sub_meetings[i].start, m.sub_meetings[i].end, Some(i)))
            .collect()
    } else {
        vec![(m.start, m.end, None)]
    };
    let people = spec.people();
    let repeaters = spec.repeaters();
    let mut attendees = Vec::with_capacity(people);
    if !spans.is_empty() {
        for i in 0..people {
            let member = i == 0 || rng.random_bool(0.7);
            let userid = if i == 0 {
                Some(
                    m.creator
                        .clone()
                        .unwrap_or_else(|| default_creator.to_owned()),
                )
            } else if member {
                Some(format!("u{i:06}"))
            } else {
                None
            };
            let name = names::person(&mut rng);
            let phone = rng.random_bool(0.5).then(|| generator::phone(&mut rng));
            const DEVICES: [i64; 10] = [1, 1, 1, 2, 3, 4, 4, 5, 8, 0];
            let device = DEVICES[rng.random_range(0..DEVICES.len())];
            let n = spans.len();
            let mut sessions = Vec::with_capacity(2);
            if i < repeaters && n > 1 {
                for span in [spans[i % n], spans[(i + 1) % n]] {
                    let (j, l) = generator::sessions(&mut rng, span.0, span.1, 1)[0];
                    sessions.push((j, l, span.2));
                }
            } else {
                let span = spans[i % n];
                let count = if i < repeaters { 2 } else { 1 };
                for (j, l) in generator::sessions(&mut rng, span.0, span.1, count) {
                    sessions.push((j, l, span.2));
                }
            }
            let second_device = if rng.random_bool(0.5) { 3 } else { device };
            attendees.push(FixtureAttendee {
                key: Some(format!("p{i}")),
                member: Some(member),
                userid,
                name,
                phone,
                device: Some(device),
                role: Some(if i == 0 { 3 } else { 0 }),
                webinar_role: (m.kind == MeetingKind::Webinar).then_some(if i == 0 {
                    1
                } else {
                    4
                }),
                join_type: Some(if device == 0 { 0 } else { 1 }),
                sessions: sessions
                    .into_iter()
                    .enumerate()
                    .map(|(k, (join, leave, sub))| FixtureSession {
                        join,
                        leave: Some(leave),
                        sub_meeting: sub,
                        device: (k > 0).then_some(second_device),
                        ip: None,
                    })
                    .collect(),
                ..FixtureAttendee::default()
            });
        }
    }
    let mut enrollments = Vec::with_capacity(spec.enrollments);
    for k in 0..spec.enrollments {
        let linked = (k * 10 < spec.enrollments * 7 && !attendees.is_empty())
            .then(|| &attendees[(k * 7919) % attendees.len()]);
        let import = k % 8 == 7;
        let status = match k % 3 {
            0 => EnrollStatus::Approved,
            1 => EnrollStatus::Pending,
            _ => EnrollStatus::Rejected,
        };
        let phone = linked
            .and_then(|a| a.phone.clone())
            .or_else(|| Some(generator::phone(&mut rng)));
        let name = match (import, linked) {
            (true, _) => String::new(),
            (false, Some(a)) => a.name.clone(),
            (false, None) => names::chinese(&mut rng),
        };
        let form = standard_answers(&mut rng, &name, phone.as_deref());
        enrollments.push(FixtureEnrollment {
            person: linked.map(|a| a.key.clone().unwrap_or_default()),
            userid: if import {
                None
            } else {
                linked.and_then(|a| a.userid.clone())
            },
            name,
            phone,
            status,
            source: if import {
                EnrollSource::Import
            } else {
                EnrollSource::SelfService
            },
            time: m.start - 86_400 * 3 + (k as i64) * 37,
            answers: form,
        });
    }
    let mut invitees = Vec::with_capacity(spec.invitees);
    for k in 0..spec.invitees {
        const STATUS: [&str; 3] = ["W", "A", "R"];
        let member = k % 5 != 4;
        invitees.push(FixtureInvitee {
            userid: member.then(|| format!("u{:06}", k + 1)),
            name: names::person(&mut rng),
            status: Some(STATUS[k % 3].to_owned()),
            user_type: Some(if member {
                1
            } else if k % 10 == 9 {
                3
            } else {
                2
            }),
            phone: Some(generator::phone(&mut rng)),
            email: member.then(|| format!("u{:06}@example.com", k + 1)),
            company: None,
        });
    }
    Content {
        attendees,
        enrollments,
        invitees,
    }
}

/// The generated meetings every vendor serves: `small-<i>` and `large-<n>`.
pub(crate) fn generated_plans(config: &DataConfig, seed: u64, anchor: i64) -> Vec<MeetingPlan> {
    let mut plans = Vec::new();
    for i in 0..config.small_meetings {
        let label = format!("small-{i}");
        let mut rng = generator::rng_for(seed, &["small", &label]);
        let kind = if i % 5 == 4 {
            MeetingKind::Recurring
        } else if i % 7 == 6 {
            MeetingKind::Webinar
        } else {
            MeetingKind::OneOff
        };
        let day = 86_400;
        let base = anchor - day * (1 + (i as i64 * 7) % 29);
        let start = (base - rng.random_range(0..12 * 3600)) / 300 * 300;
        let dur = rng.random_range(2..=6) * 1800;
        let mut meeting = FixtureMeeting {
            label: Some(label.clone()),
            subject: format!("{} #{i}", SUBJECTS[i % SUBJECTS.len()]),
            kind,
            start,
            end: start + dur,
            state: Some(MeetingState::Ended),
            enrollment: i % 3 == 0,
            ..FixtureMeeting::default()
        };
        if kind == MeetingKind::Recurring {
            // Three weekly occurrences in the past and the next one still to come.
            let first = start - 3 * 7 * day;
            meeting.start = first;
            meeting.end = start + 7 * day + dur;
            meeting.state = Some(MeetingState::InProgress);
            meeting.sub_meetings = (0..4)
                .map(|w| {
                    let s = first + w * 7 * day;
                    FixtureSubMeeting {
                        id: None,
                        start: s,
                        end: s + dur,
                        state: Some(if s > anchor {
                            MeetingState::NotStarted
                        } else {
                            MeetingState::Ended
                        }),
                        deleted: false,
                    }
                })
                .collect();
        }
        let spec = GenSpec {
            sessions: rng.random_range(3..=40),
            enrollments: if meeting.enrollment {
                rng.random_range(3..=12)
            } else {
                0
            },
            invitees: rng.random_range(0..=8),
        };
        plans.push(MeetingPlan {
            label,
            meeting,
            generated: Some(spec),
        });
    }
    plans.extend(org_plans(config, seed, anchor));
    let mut seen = std::collections::HashMap::<usize, usize>::new();
    for (i, &size) in config.large_meetings.iter().enumerate() {
        let n = seen.entry(size).or_default();
        *n += 1;
        let label = if *n == 1 {
            format!("large-{size}")
        } else {
            format!("large-{size}-{n}")
        };
        let start = (anchor - 3 * 86_400 - (i as i64) * 6 * 3600) / 3600 * 3600;
        plans.push(MeetingPlan {
            label: label.clone(),
            meeting: FixtureMeeting {
                label: Some(label),
                subject: format!("全员大会 All-hands ({size})"),
                kind: MeetingKind::OneOff,
                start,
                end: start + 3 * 3600,
                state: Some(MeetingState::Ended),
                ..FixtureMeeting::default()
            },
            generated: Some(GenSpec {
                sessions: size,
                enrollments: 0,
                invitees: 0,
            }),
        });
    }
    plans
}

/// The organisation's meetings (see [`DataConfig::org_meetings`]).
fn org_plans(config: &DataConfig, seed: u64, anchor: i64) -> Vec<MeetingPlan> {
    let day = 86_400;
    let span = config.org_days.max(1) * day;
    (0..config.org_meetings)
        .map(|i| {
            let label = format!("org-{i}");
            let mut rng = generator::rng_for(seed, &["org", &label]);
            let roll = rng.random_range(0..100u32);
            let kind = match roll % 10 {
                0 => MeetingKind::Recurring,
                1 => MeetingKind::Webinar,
                _ => MeetingKind::OneOff,
            };
            let dur = rng.random_range(1..=6) * 1800;
            // Mostly past; one in ten ahead (within a week), a few live or cancelled.
            let (start, state) = match roll {
                0..=4 => (anchor - 1800, MeetingState::InProgress),
                5..=14 => (
                    anchor + rng.random_range(1..7 * day) / 300 * 300,
                    MeetingState::NotStarted,
                ),
                15..=19 => (
                    anchor - rng.random_range(day..span) / 300 * 300,
                    MeetingState::Cancelled,
                ),
                _ => (
                    anchor - rng.random_range(day..span) / 300 * 300,
                    MeetingState::Ended,
                ),
            };
            let host = 1 + rng.random_range(0..config.org_hosts.max(1));
            let mut meeting = FixtureMeeting {
                label: Some(label.clone()),
                subject: format!("{} · org {i}", SUBJECTS[i % SUBJECTS.len()]),
                kind,
                creator: Some(format!("host{host:02}")),
                start,
                end: start + dur,
                state: Some(state),
                ..FixtureMeeting::default()
            };
            if kind == MeetingKind::Recurring && state == MeetingState::Ended {
                // Weekly occurrences up to the last one before the anchor.
                let weeks = 1 + (anchor - start) / (7 * day);
                let weeks = weeks.min(4);
                meeting.end = start + (weeks - 1) * 7 * day + dur;
                meeting.sub_meetings = (0..weeks)
                    .map(|w| FixtureSubMeeting {
                        id: None,
                        start: start + w * 7 * day,
                        end: start + w * 7 * day + dur,
                        state: Some(MeetingState::Ended),
                        deleted: false,
                    })
                    .collect();
            }
            let sessions = if state == MeetingState::Ended {
                rng.random_range(3..=config.org_max_sessions.max(3))
            } else {
                0
            };
            MeetingPlan {
                label,
                meeting,
                generated: Some(GenSpec {
                    sessions,
                    enrollments: 0,
                    invitees: rng.random_range(0..=5),
                }),
            }
        })
        .collect()
}

const SUBJECTS: [&str; 6] = [
    "周例会 Weekly sync",
    "产品评审",
    "Design review",
    "季度复盘 🎯",
    "客户培训",
    "All hands",
];

/// Every plan `vendor` serves, in catalog order: its own seed meetings (`seeds`, called only
/// when `data.seed_meetings` is on), the generated meetings, then the fixture's meetings for it.
pub(crate) fn served_plans(
    config: &SandboxConfig,
    anchor: i64,
    vendor: Vendor,
    seeds: impl FnOnce() -> Vec<MeetingPlan>,
) -> Vec<MeetingPlan> {
    let mut plans = Vec::new();
    if config.data.seed_meetings {
        plans.extend(seeds());
    }
    plans.extend(generated_plans(&config.data, config.seed, anchor));
    plans.extend(fixture_plans(config.fixture.as_ref(), vendor));
    plans
}

/// Plans of the fixture's meetings that `vendor` serves.
pub(crate) fn fixture_plans(fixture: Option<&super::Fixture>, vendor: Vendor) -> Vec<MeetingPlan> {
    let Some(f) = fixture else {
        return Vec::new();
    };
    f.meetings
        .iter()
        .enumerate()
        .filter(|(_, m)| m.served_by(vendor))
        .map(|(i, m)| {
            let label = m.label.clone().unwrap_or_else(|| format!("fixture-{i}"));
            MeetingPlan::given(label, m.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organisation_spreads_over_its_days_hosts_kinds_and_states() {
        let cfg = DataConfig {
            seed_meetings: false,
            small_meetings: 0,
            large_meetings: Vec::new(),
            org_meetings: 300,
            ..DataConfig::default()
        };
        let anchor = 1_760_000_400;
        let plans = generated_plans(&cfg, 7, anchor);
        assert_eq!(plans.len(), 300);
        let again = generated_plans(&cfg, 7, anchor);
        assert_eq!(
            plans.iter().map(|p| p.meeting.start).collect::<Vec<_>>(),
            again.iter().map(|p| p.meeting.start).collect::<Vec<_>>(),
            "deterministic from the seed"
        );
        let count = |f: &dyn Fn(&MeetingPlan) -> bool| plans.iter().filter(|p| f(p)).count();
        for state in [
            MeetingState::Ended,
            MeetingState::NotStarted,
            MeetingState::InProgress,
            MeetingState::Cancelled,
        ] {
            assert!(count(&|p| p.meeting.state == Some(state)) > 0, "{state:?}");
        }
        for kind in [
            MeetingKind::OneOff,
            MeetingKind::Recurring,
            MeetingKind::Webinar,
        ] {
            assert!(count(&|p| p.meeting.kind == kind) > 0, "{kind:?}");
        }
        let hosts: std::collections::BTreeSet<_> = plans
            .iter()
            .filter_map(|p| p.meeting.creator.clone())
            .collect();
        assert_eq!(hosts.len(), 8);
        assert!(plans.iter().all(|p| {
            p.meeting.start >= anchor - 90 * 86_400 && p.meeting.start < anchor + 7 * 86_400
        }));
        assert!(
            plans
                .iter()
                .filter(|p| p.meeting.state != Some(MeetingState::Ended))
                .all(|p| p.generated.as_ref().is_some_and(|g| g.sessions == 0)),
            "no sessions before a meeting ends"
        );
    }

    fn plans() -> Vec<MeetingPlan> {
        let cfg = DataConfig {
            small_meetings: 12,
            large_meetings: vec![1000, 1000],
            ..DataConfig::default()
        };
        generated_plans(&cfg, 9, 1_700_000_000)
    }

    #[test]
    fn generated_content_matches_the_announced_sizes() {
        for p in plans() {
            let c = p.content(9, "owner1");
            let sessions: usize = c.attendees.iter().map(|a| a.sessions.len()).sum();
            assert_eq!(sessions, p.sessions(), "{}", p.label);
            assert_eq!(c.attendees.len(), p.people(), "{}", p.label);
            assert_eq!(c.enrollments.len(), p.enrollment_count());
            assert_eq!(c.invitees.len(), p.invitee_count());
            for (k, _) in p.meeting.sub_meetings.iter().enumerate() {
                let n = c
                    .attendees
                    .iter()
                    .flat_map(|a| &a.sessions)
                    .filter(|s| s.sub_meeting == Some(k))
                    .count();
                assert_eq!(n, p.sub_meeting_sessions(k), "{} sub {k}", p.label);
            }
        }
    }

    #[test]
    fn generation_is_deterministic_and_labels_are_unique() {
        let a = plans();
        let labels: std::collections::HashSet<_> = a.iter().map(|p| p.label.clone()).collect();
        assert_eq!(labels.len(), a.len());
        assert!(labels.contains("large-1000-2"));
        let x = a[3].content(9, "owner1");
        let y = plans()[3].content(9, "owner1");
        assert_eq!(x.attendees, y.attendees);
        assert_ne!(x.attendees, a[3].content(10, "owner1").attendees);
    }
}
