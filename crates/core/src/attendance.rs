//! Attendance rules: whether each person of a reconciled meeting ([`crate::RosterEntry`])
//! was present, late, left early, under the minimum or absent, and their minutes per class
//! period, the way HR, training and event teams count attendance.
//!
//! - The meeting's **actual** time ([`MeetingWindow::of_entries`]) runs from its first join to
//!   its last leave (a meeting that ran past its scheduled end counts all of it); a session
//!   still open counts until that end.
//! - A person's minutes are the union of their sessions (overlaps and rejoins counted once).
//! - The **minimum** is `min_minutes`, or `min_percent` of the meeting's actual length (the
//!   larger when both are given).
//! - **Late**: the first join more than `late_after_minutes` after the actual start.
//! - **Status**, in order: no session → [`Status::Absent`]; late → [`Status::Late`]; under the
//!   minimum → [`Status::LeftEarly`] when the last leave came more than a minute before the
//!   end, else [`Status::UnderMinimum`]; otherwise [`Status::Present`].
//! - **Periods** (class slots): the minutes of each period the person was in, overlaps merged.
//!
//! ```
//! use roster_core::attendance::{judge, MeetingWindow, Rules, Status};
//! use roster_core::{reconcile, Attendee, Vendor};
//! use time::macros::datetime;
//!
//! let mut a = Attendee::new(Vendor::WeCom, "m");
//! a.user_id = Some("zhangsan".into());
//! a.joined_at = Some(datetime!(2026-03-02 09:20 +8));
//! a.left_at = Some(datetime!(2026-03-02 10:00 +8));
//! let mut b = a.clone();
//! b.user_id = Some("lisi".into());
//! b.joined_at = Some(datetime!(2026-03-02 09:00 +8));
//! let entries = reconcile(vec![], vec![a, b]);
//! let window = MeetingWindow::of_entries(&entries).unwrap();
//! let rules = Rules { late_after_minutes: Some(10), min_percent: Some(80.0), ..Rules::default() };
//! let lisi = entries.iter().find(|e| e.user_id.as_deref() == Some("lisi")).unwrap();
//! let zhangsan = entries.iter().find(|e| e.user_id.as_deref() == Some("zhangsan")).unwrap();
//! assert_eq!(judge(lisi, &window, &rules).status, Status::Present);
//! assert_eq!(judge(zhangsan, &window, &rules).status, Status::Late);
//! ```

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::reconcile::RosterEntry;

/// The rules a report applies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    /// Minutes a person must attend.
    pub min_minutes: Option<u32>,
    /// Share (0–100) of the meeting's actual length a person must attend.
    pub min_percent: Option<f64>,
    /// A first join later than this many minutes after the start is late.
    pub late_after_minutes: Option<u32>,
    /// Class periods, for minutes per period.
    pub periods: Vec<Period>,
}

/// A named slot of time (a class period).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// Its name.
    pub name: String,
    /// Its start.
    pub start: OffsetDateTime,
    /// Its end.
    pub end: OffsetDateTime,
}

/// When a meeting actually ran: its first join to its last leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingWindow {
    /// The first join.
    pub start: OffsetDateTime,
    /// The last leave (or the last join, when every session is still open).
    pub end: OffsetDateTime,
}

impl MeetingWindow {
    /// The window of the sessions of `entries`; `None` when nobody joined.
    pub fn of_entries(entries: &[RosterEntry]) -> Option<Self> {
        let spans = entries.iter().flat_map(|e| e.spans.iter());
        let start = spans.clone().map(|(j, _)| *j).min()?;
        let end = spans
            .map(|(j, l)| l.unwrap_or(*j))
            .max()
            .unwrap_or(start)
            .max(start);
        Some(Self { start, end })
    }

    /// The window of a meeting that may still be running at `now`: while a session is open,
    /// the meeting lasts until `now` (as the plain report counts open sessions).
    pub fn of_entries_at(entries: &[RosterEntry], now: OffsetDateTime) -> Option<Self> {
        let mut window = Self::of_entries(entries)?;
        let open = entries
            .iter()
            .flat_map(|e| e.spans.iter())
            .any(|(_, left)| left.is_none());
        if open {
            window.end = window.end.max(now);
        }
        Some(window)
    }

    /// Its length in minutes.
    pub fn minutes(&self) -> f64 {
        (self.end - self.start).as_seconds_f64() / 60.0
    }
}

/// A person's attendance status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Attended the minimum, on time.
    Present,
    /// Joined more than the allowed minutes after the start.
    Late,
    /// Under the minimum, having left before the end.
    LeftEarly,
    /// Under the minimum, though in at the end (gaps in between).
    UnderMinimum,
    /// No session.
    Absent,
}

impl Status {
    /// `present`, `late`, `left_early`, `under_minimum`, `absent`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Present => "present",
            Status::Late => "late",
            Status::LeftEarly => "left_early",
            Status::UnderMinimum => "under_minimum",
            Status::Absent => "absent",
        }
    }
}

/// What the rules found for one person.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// The status.
    pub status: Status,
    /// Minutes attended (sessions merged; open ones until the end).
    pub minutes: f64,
    /// The minimum that applied, in minutes (0 without one).
    pub required_minutes: f64,
    /// Minutes after the start of the first join (none without a session).
    pub joined_after_minutes: Option<f64>,
    /// Minutes in each of the rules' periods, in their order.
    pub period_minutes: Vec<f64>,
}

/// The union of a person's sessions (open ones until `until`), sorted, overlaps merged.
pub fn merged(
    spans: &[(OffsetDateTime, Option<OffsetDateTime>)],
    until: OffsetDateTime,
) -> Vec<(OffsetDateTime, OffsetDateTime)> {
    let mut intervals: Vec<(OffsetDateTime, OffsetDateTime)> = spans
        .iter()
        .map(|(j, l)| (*j, l.unwrap_or(until).max(*j)))
        .filter(|(j, l)| l > j)
        .collect();
    intervals.sort();
    let mut out: Vec<(OffsetDateTime, OffsetDateTime)> = Vec::with_capacity(intervals.len());
    for (s, e) in intervals {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

fn overlap_minutes(
    intervals: &[(OffsetDateTime, OffsetDateTime)],
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> f64 {
    intervals
        .iter()
        .map(|(s, e)| {
            let (s, e) = ((*s).max(from), (*e).min(to));
            if e > s {
                (e - s).as_seconds_f64() / 60.0
            } else {
                0.0
            }
        })
        .sum()
}

/// The rules applied to one person of a meeting that ran in `window`.
pub fn judge(entry: &RosterEntry, window: &MeetingWindow, rules: &Rules) -> Judged {
    let intervals = merged(&entry.spans, window.end);
    let minutes: f64 = intervals
        .iter()
        .map(|(s, e)| (*e - *s).as_seconds_f64() / 60.0)
        .sum();
    let required_minutes = rules
        .min_minutes
        .map(f64::from)
        .into_iter()
        .chain(rules.min_percent.map(|p| p / 100.0 * window.minutes()))
        .fold(0.0, f64::max);
    let first = entry.spans.iter().map(|(j, _)| *j).min();
    let joined_after_minutes = first.map(|f| ((f - window.start).as_seconds_f64() / 60.0).max(0.0));
    let period_minutes = rules
        .periods
        .iter()
        .map(|p| overlap_minutes(&intervals, p.start, p.end))
        .collect();
    let late = match (rules.late_after_minutes, first) {
        (Some(m), Some(f)) => f > window.start + Duration::minutes(i64::from(m)),
        _ => false,
    };
    let last_leave = intervals.last().map(|(_, e)| *e);
    let status = if entry.spans.is_empty() {
        Status::Absent
    } else if late {
        Status::Late
    } else if minutes + 1e-9 < required_minutes {
        if last_leave.is_some_and(|l| l < window.end - Duration::minutes(1)) {
            Status::LeftEarly
        } else {
            Status::UnderMinimum
        }
    } else {
        Status::Present
    };
    Judged {
        status,
        minutes,
        required_minutes,
        joined_after_minutes,
        period_minutes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Attendee, Vendor, reconcile};
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-03-02 09:00 +8);

    /// A session of `who` from minute `from` to minute `to` (none: still in).
    fn s(who: &str, from: i64, to: Option<i64>) -> Attendee {
        let mut a = Attendee::new(Vendor::WeCom, "m");
        a.user_id = Some(who.into());
        a.joined_at = Some(T0 + Duration::minutes(from));
        a.left_at = to.map(|t| T0 + Duration::minutes(t));
        a
    }

    fn judged(sessions: Vec<Attendee>, rules: &Rules) -> Vec<(String, Status, f64)> {
        let entries = reconcile(vec![], sessions);
        let window = MeetingWindow::of_entries(&entries).unwrap();
        let mut out: Vec<(String, Status, f64)> = entries
            .iter()
            .map(|e| {
                let j = judge(e, &window, rules);
                (e.user_id.clone().unwrap(), j.status, j.minutes)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    fn rules(min_minutes: Option<u32>, min_percent: Option<f64>, late: Option<u32>) -> Rules {
        Rules {
            min_minutes,
            min_percent,
            late_after_minutes: late,
            periods: Vec::new(),
        }
    }

    #[test]
    fn nested_overlapping_and_rejoined_sessions_count_once() {
        // a: 0–60 with 10–20 nested inside and 50–70 overlapping: 70 minutes.
        // b: 0–20, rejoins 40–60: 40 minutes.
        let got = judged(
            vec![
                s("a", 0, Some(60)),
                s("a", 10, Some(20)),
                s("a", 50, Some(70)),
                s("b", 0, Some(20)),
                s("b", 40, Some(60)),
            ],
            &rules(Some(45), None, None),
        );
        assert_eq!(
            got,
            vec![
                ("a".into(), Status::Present, 70.0),
                // Under 45 minutes, left at 60 of 70: left early.
                ("b".into(), Status::LeftEarly, 40.0),
            ]
        );
    }

    #[test]
    fn late_minimum_percent_and_a_meeting_past_its_schedule() {
        // The meeting actually ran 0–120 (whatever its schedule said): 80 % is 96 minutes.
        let got = judged(
            vec![
                s("on-time", 0, Some(120)),
                s("late", 11, Some(120)),
                s("just", 10, Some(120)),
                s("gappy", 0, Some(30)),
                s("gappy", 90, Some(120)),
                s("open", 0, None),
            ],
            &rules(None, Some(80.0), Some(10)),
        );
        assert_eq!(
            got,
            vec![
                // In at the end, but 60 of the 96 minutes: under the minimum.
                ("gappy".into(), Status::UnderMinimum, 60.0),
                ("just".into(), Status::Present, 110.0),
                ("late".into(), Status::Late, 109.0),
                ("on-time".into(), Status::Present, 120.0),
                // Still in: counted until the meeting's end.
                ("open".into(), Status::Present, 120.0),
            ]
        );
        // Both minimums: the larger applies.
        let both = judged(
            vec![s("x", 0, Some(100)), s("y", 0, Some(120))],
            &rules(Some(110), Some(50.0), None),
        );
        assert_eq!(both[0].1, Status::LeftEarly);
    }

    #[test]
    fn periods_take_the_merged_minutes_inside_each() {
        let entries = reconcile(
            vec![],
            vec![
                s("a", 5, Some(50)),
                s("a", 40, Some(100)),
                s("b", 0, Some(100)),
            ],
        );
        let window = MeetingWindow::of_entries(&entries).unwrap();
        let rules = Rules {
            periods: vec![
                Period {
                    name: "第一节".into(),
                    start: T0,
                    end: T0 + Duration::minutes(45),
                },
                Period {
                    name: "第二节".into(),
                    start: T0 + Duration::minutes(55),
                    end: T0 + Duration::minutes(100),
                },
            ],
            ..Rules::default()
        };
        let a = entries
            .iter()
            .find(|e| e.user_id.as_deref() == Some("a"))
            .unwrap();
        let a = judge(a, &window, &rules);
        assert_eq!(a.period_minutes, vec![40.0, 45.0]);
        assert_eq!(a.minutes, 95.0);
    }

    #[test]
    fn around_midnight_the_window_is_instants_not_dates() {
        // A meeting from 23:30 to 00:30 (UTC+8) across the date line.
        let late_evening = datetime!(2026-03-02 23:30 +8);
        let mut a = s("a", 0, Some(60));
        a.joined_at = Some(late_evening);
        a.left_at = Some(late_evening + Duration::minutes(60));
        let mut b = a.clone();
        b.user_id = Some("b".into());
        b.joined_at = Some(late_evening + Duration::minutes(40));
        let entries = reconcile(vec![], vec![a, b]);
        let window = MeetingWindow::of_entries(&entries).unwrap();
        assert_eq!(window.minutes(), 60.0);
        let rules = rules(None, Some(50.0), Some(15));
        assert_eq!(judge(&entries[0], &window, &rules).status, Status::Present);
        let b = judge(&entries[1], &window, &rules);
        assert_eq!(
            (b.status, b.joined_after_minutes),
            (Status::Late, Some(40.0))
        );
    }

    #[test]
    fn a_meeting_still_running_lasts_until_now() {
        let entries = reconcile(vec![], vec![s("a", 0, None), s("b", 0, Some(30))]);
        let now = T0 + Duration::minutes(90);
        let window = MeetingWindow::of_entries_at(&entries, now).unwrap();
        assert_eq!(window.minutes(), 90.0);
        let rules = rules(None, Some(50.0), None);
        let got: Vec<(Status, f64)> = entries
            .iter()
            .map(|e| {
                let j = judge(e, &window, &rules);
                (j.status, j.minutes)
            })
            .collect();
        assert!(got.contains(&(Status::Present, 90.0)));
        assert!(got.contains(&(Status::LeftEarly, 30.0)));
        // Everyone gone: the window ends at the last leave whatever `now` is.
        let ended = reconcile(vec![], vec![s("b", 0, Some(30))]);
        assert_eq!(
            MeetingWindow::of_entries_at(&ended, now).unwrap().minutes(),
            30.0
        );
    }

    #[test]
    fn nobody_joined_means_no_window_and_no_session_is_absent() {
        assert!(MeetingWindow::of_entries(&[]).is_none());
        let entries = reconcile(vec![], vec![s("a", 0, Some(10))]);
        let window = MeetingWindow::of_entries(&entries).unwrap();
        let mut nobody = entries[0].clone();
        nobody.spans.clear();
        assert_eq!(
            judge(&nobody, &window, &Rules::default()).status,
            Status::Absent
        );
    }
}
