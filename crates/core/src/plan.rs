//! Planning an attendance export: one rule for every vendor for which occurrence of a recurring
//! meeting is read and over which time range, so that the same query has the same outcome on
//! every vendor.
//!
//! 1. [`plan_from_query`], before any request: a range that is empty, reversed or before 1970
//!    is an [`crate::ErrorKind::InvalidArgument`]; a query naming an occurrence (`sub_meeting_id`) is
//!    planned as that occurrence, its range refused or kept as a client-side filter (the
//!    vendor's [`OccurrenceRange`]).
//! 2. Otherwise the vendor reads what it knows of the meeting ([`MeetingShape`], one request)
//!    and [`plan_with_meeting`] decides: a recurring meeting → its current (ongoing or next)
//!    occurrence, with a note, or an error listing the occurrences when there is none; a
//!    one-off meeting → `[from, to)` cut into windows the vendor accepts. Missing bounds:
//!    `to` = now (plus one second, so joins in the current second are inside an inclusive
//!    end); `from` = [`PlanRules::early_join`] before the scheduled start (or before now, if
//!    the meeting has not started: so a future meeting gives a short range, not an error),
//!    else `to` − [`PlanRules::lookback`]. Every default is reported as a note.
//! 3. A caller's range is clamped to what can hold joins of the meeting: it ends no later than
//!    now, and starts no earlier than [`CLAMP_MARGIN`] before the scheduled start (when known),
//!    with a note; a range that would still need more than [`MAX_PLANNED_WINDOWS`] windows is
//!    refused (`--from 0` would otherwise walk every 31-day window since 1970).

use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};
use crate::paginate::Cursor;
use crate::resume::{ExportPosition, Rest, WindowsFrom};
use crate::source::MeetingQuery;
use crate::window::{Window, split_windows};

/// How far before the scheduled start a caller's range is kept (joins that early are
/// possible: a meeting can be started before its time).
pub const CLAMP_MARGIN: Duration = Duration::days(31);

/// The most windows an attendance plan may hold (about ten years of 31-day windows); a
/// longer range is refused rather than walked.
pub const MAX_PLANNED_WINDOWS: usize = 120;

/// Where the time range of an attendance plan came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RangeOrigin {
    /// Both bounds from the caller.
    Caller,
    /// A missing start derived from the meeting's scheduled start.
    Schedule,
    /// A missing start derived from the default look-back (no schedule known).
    Lookback,
}

/// What an attendance export reads (exhaustive: every vendor runs both kinds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttendancePlan {
    /// One occurrence of a recurring meeting, without a time window.
    Occurrence {
        /// The occurrence (sub-meeting) id.
        sub_meeting_id: String,
    },
    /// A one-off meeting over these windows (in time order).
    Windows {
        /// The windows.
        windows: Vec<Window>,
        /// Where the range came from.
        origin: RangeOrigin,
    },
}

/// Where an attendance export starts: a plan, or the rest of a saved position.
#[derive(Debug, Clone)]
pub enum Start {
    /// One occurrence's chain, from `cursor`.
    Occurrence {
        /// The occurrence id.
        sub_meeting_id: String,
        /// Where the chain continues (`None`: its first page).
        cursor: Option<Cursor>,
    },
    /// Windows.
    Windows(WindowsFrom),
}

impl Start {
    /// The start of a fresh export of `plan`.
    pub fn planned(plan: AttendancePlan) -> Self {
        match plan {
            AttendancePlan::Occurrence { sub_meeting_id } => Start::Occurrence {
                sub_meeting_id,
                cursor: None,
            },
            AttendancePlan::Windows { windows, .. } => {
                Start::Windows(WindowsFrom::planned(windows))
            }
        }
    }

    /// The rest of a saved position.
    pub fn resumed(position: &ExportPosition) -> Self {
        match &position.rest {
            Rest::Occurrence { sub_meeting_id } => Start::Occurrence {
                sub_meeting_id: sub_meeting_id.clone(),
                cursor: position.cursor.clone(),
            },
            Rest::Windows { windows } => Start::Windows(WindowsFrom {
                resumed_edge: windows.first().map(|w| w.start),
                windows: windows.clone(),
                cursor: position.cursor.clone(),
                edge_keys: position.edge_keys.clone(),
            }),
        }
    }

    /// [`Self::resumed`] of `from`, or [`Self::planned`] of the plan `plan` makes.
    pub async fn of<F>(from: Option<&ExportPosition>, plan: F) -> Result<Self>
    where
        F: std::future::Future<Output = Result<AttendancePlan>>,
    {
        match from {
            Some(p) => Ok(Self::resumed(p)),
            None => Ok(Self::planned(plan.await?)),
        }
    }
}

/// What a vendor does with a time range on one occurrence (its list takes no window there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OccurrenceRange {
    /// Refused ([`crate::ErrorKind::InvalidArgument`]): the vendor would ignore it (Tencent).
    Refuse,
    /// Kept, and applied to join times by the client (WeCom).
    FilterJoinTimes,
}

/// A vendor's planning parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanRules {
    /// How far back a range without a start and without a known schedule reaches.
    pub lookback: Duration,
    /// How long before the scheduled start a range without a start begins (people join early).
    pub early_join: Duration,
    /// The longest window the vendor accepts.
    pub max_window: Duration,
    /// What a range on one occurrence means.
    pub occurrence_range: OccurrenceRange,
}

/// What a vendor knows of a meeting, for [`plan_with_meeting`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingShape {
    /// The meeting is recurring (has occurrences).
    pub recurring: bool,
    /// The ongoing or next occurrence, for a recurring meeting.
    pub current_occurrence: Option<String>,
    /// The occurrences the vendor listed (for messages).
    pub occurrences: Vec<String>,
    /// The scheduled start.
    pub scheduled_start: Option<OffsetDateTime>,
}

/// Step 1 (see the [module docs](self)): checks the query's range, and plans a query that
/// names an occurrence. `None`: the meeting must be looked at.
pub fn plan_from_query(query: &MeetingQuery, rules: &PlanRules) -> Result<Option<AttendancePlan>> {
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from >= to
    {
        return Err(Error::invalid_argument(format!(
            "the time range is empty or reversed: from {} is not before to {}",
            crate::format_time(from),
            crate::format_time(to)
        )));
    }
    for t in [query.from, query.to].into_iter().flatten() {
        if t.unix_timestamp() < 0 {
            return Err(Error::invalid_argument(format!(
                "the time {} is before 1970; vendors take Unix seconds",
                crate::format_time(t)
            )));
        }
    }
    let Some(sub) = &query.sub_meeting_id else {
        return Ok(None);
    };
    if has_range(query) && rules.occurrence_range == OccurrenceRange::Refuse {
        return Err(Error::invalid_argument(
            "a time range cannot be combined with a sub-meeting: the vendor ignores time ranges for recurring meetings",
        ));
    }
    Ok(Some(AttendancePlan::Occurrence {
        sub_meeting_id: sub.clone(),
    }))
}

/// Step 2 (see the [module docs](self)): the plan for a meeting of this shape at `now`.
/// Notes every decision taken for the caller.
pub fn plan_with_meeting(
    query: &MeetingQuery,
    meeting: &MeetingShape,
    now: OffsetDateTime,
    rules: &PlanRules,
) -> Result<AttendancePlan> {
    if meeting.recurring {
        let listed = if meeting.occurrences.is_empty() {
            String::new()
        } else {
            format!(" (occurrences: {})", meeting.occurrences.join(", "))
        };
        if has_range(query) && rules.occurrence_range == OccurrenceRange::Refuse {
            return Err(Error::invalid_argument(format!(
                "meeting {} is recurring: the vendor ignores time ranges for it; choose an occurrence with a sub-meeting id{listed}",
                query.meeting_id
            )));
        }
        let current = meeting
            .current_occurrence
            .clone()
            .filter(|s| !s.trim().is_empty());
        return match current {
            Some(sub) => {
                query.note(&format!(
                    "meeting {} is recurring: exporting its current (ongoing or next) occurrence {sub}; pass a sub-meeting id for another{listed}",
                    query.meeting_id
                ));
                Ok(AttendancePlan::Occurrence {
                    sub_meeting_id: sub,
                })
            }
            None => Err(Error::invalid_argument(format!(
                "meeting {} is recurring and has no current occurrence: pass a sub-meeting id{listed}",
                query.meeting_id
            ))),
        };
    }

    let to = query.to.unwrap_or(now + Duration::SECOND);
    let (from, origin) = match (query.from, meeting.scheduled_start) {
        (Some(from), _) => (from, RangeOrigin::Caller),
        (None, Some(scheduled)) => (
            back(scheduled.min(now).min(to), rules.early_join),
            RangeOrigin::Schedule,
        ),
        (None, None) => (back(to, rules.lookback), RangeOrigin::Lookback),
    };
    let from = from.max(OffsetDateTime::UNIX_EPOCH);
    let (from, to) = if origin == RangeOrigin::Caller {
        clamp(query, meeting, from, to, now)
    } else {
        (from, to)
    };
    if from >= to {
        return Err(Error::invalid_argument(format!(
            "the time range is empty: from {} is not before to {}",
            crate::format_time(from),
            crate::format_time(to)
        )));
    }
    let why = match origin {
        RangeOrigin::Schedule => Some("a day before the scheduled start"),
        RangeOrigin::Lookback => Some("the default look-back: the meeting's schedule is unknown"),
        RangeOrigin::Caller => None,
    };
    if let Some(why) = why {
        query.note(&format!(
            "no start time given: sessions joined from {} ({why}) to {}",
            crate::format_time(from),
            crate::format_time(to)
        ));
    }
    let span = to - from;
    let needed = (span.whole_seconds() / rules.max_window.whole_seconds().max(1)) + 1;
    if needed > MAX_PLANNED_WINDOWS as i64 {
        return Err(Error::invalid_argument(format!(
            "the time range {} to {} needs about {needed} windows of {} days (at most {MAX_PLANNED_WINDOWS}); narrow it with from/to",
            crate::format_time(from),
            crate::format_time(to),
            rules.max_window.whole_days()
        )));
    }
    let windows = split_windows(from, to, rules.max_window)?;
    Ok(AttendancePlan::Windows { windows, origin })
}

/// A caller's range narrowed to what can hold joins (see the [module docs](self)), with a
/// note when it was narrowed.
fn clamp(
    query: &MeetingQuery,
    meeting: &MeetingShape,
    from: OffsetDateTime,
    to: OffsetDateTime,
    now: OffsetDateTime,
) -> (OffsetDateTime, OffsetDateTime) {
    let latest = now + Duration::SECOND;
    let earliest = meeting
        .scheduled_start
        .map(|start| back(start.min(now), CLAMP_MARGIN));
    let (new_from, new_to) = (earliest.map_or(from, |e| from.max(e)), to.min(latest));
    if (new_from, new_to) != (from, to) && new_from < new_to {
        query.note(&format!(
            "the time range was narrowed to {} to {}: no join can be later than now{}",
            crate::format_time(new_from),
            crate::format_time(new_to),
            if earliest.is_some() {
                " or more than 31 days before the scheduled start"
            } else {
                ""
            }
        ));
    }
    (new_from, new_to)
}

/// `t − d`, no earlier than 1970 (and never an overflow).
fn back(t: OffsetDateTime, d: Duration) -> OffsetDateTime {
    t.checked_sub(d)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .max(OffsetDateTime::UNIX_EPOCH)
}

fn has_range(query: &MeetingQuery) -> bool {
    query.from.is_some() || query.to.is_some()
}

/// Whether an attendee's join time is inside the query's range (a session without a join
/// time cannot be judged and is kept rather than lost): the client-side filter of
/// [`OccurrenceRange::FilterJoinTimes`].
pub fn joined_in_range(joined_at: Option<OffsetDateTime>, query: &MeetingQuery) -> bool {
    match joined_at {
        Some(t) => query.from.is_none_or(|f| t >= f) && query.to.is_none_or(|to| t < to),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::window::MAX_WINDOW;
    use std::sync::{Arc, Mutex};
    use time::macros::datetime;

    fn rules(occurrence_range: OccurrenceRange) -> PlanRules {
        PlanRules {
            lookback: Duration::days(90),
            early_join: Duration::DAY,
            max_window: MAX_WINDOW,
            occurrence_range,
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

    #[test]
    fn ranges_are_checked_before_anything() {
        let r = rules(OccurrenceRange::FilterJoinTimes);
        let q = MeetingQuery::new("m").from(NOW).to(NOW);
        assert_eq!(
            plan_from_query(&q, &r).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        let q = MeetingQuery::new("m")
            .from(NOW)
            .to(NOW - time::Duration::HOUR);
        let e = plan_from_query(&q, &r).unwrap_err();
        assert!(
            e.to_string().contains("2026-06-01T12:00:00Z"),
            "RFC 3339: {e}"
        );
        let q = MeetingQuery::new("m").from(datetime!(1969-12-31 0:00 UTC));
        assert!(plan_from_query(&q, &r).is_err());
        assert_eq!(plan_from_query(&MeetingQuery::new("m"), &r).unwrap(), None);
    }

    #[test]
    fn an_occurrence_with_a_range_follows_the_vendor() {
        let q = MeetingQuery::new("m").sub_meeting("s1").from(NOW);
        assert!(plan_from_query(&q, &rules(OccurrenceRange::Refuse)).is_err());
        assert_eq!(
            plan_from_query(&q, &rules(OccurrenceRange::FilterJoinTimes)).unwrap(),
            Some(AttendancePlan::Occurrence {
                sub_meeting_id: "s1".into()
            })
        );
    }

    #[test]
    fn recurring_meetings_use_their_current_occurrence_with_a_note() {
        struct Notes(Mutex<Vec<String>>);
        impl crate::PageObserver for Notes {
            fn on_page(&self, _: usize, _: Option<u64>) {}
            fn on_note(&self, note: &str) {
                self.0.lock().unwrap().push(note.to_string());
            }
        }
        let notes = Arc::new(Notes(Mutex::new(Vec::new())));
        let q = MeetingQuery::new("m").observer(notes.clone());
        let shape = MeetingShape {
            recurring: true,
            current_occurrence: Some("s2".into()),
            occurrences: vec!["s1".into(), "s2".into()],
            scheduled_start: None,
        };
        let plan = plan_with_meeting(&q, &shape, NOW, &rules(OccurrenceRange::Refuse)).unwrap();
        assert_eq!(
            plan,
            AttendancePlan::Occurrence {
                sub_meeting_id: "s2".into()
            }
        );
        assert!(notes.0.lock().unwrap()[0].contains("occurrences: s1, s2"));
        let none = MeetingShape {
            current_occurrence: None,
            ..shape
        };
        let e = plan_with_meeting(&q, &none, NOW, &rules(OccurrenceRange::Refuse)).unwrap_err();
        assert!(e.to_string().contains("s1, s2"), "{e}");
    }

    #[test]
    fn default_ranges() {
        let r = rules(OccurrenceRange::Refuse);
        let q = MeetingQuery::new("m");
        // Scheduled yesterday: from a day before the start to now + 1 s.
        let shape = MeetingShape {
            scheduled_start: Some(NOW - time::Duration::DAY),
            ..MeetingShape::default()
        };
        let AttendancePlan::Windows { windows, origin } =
            plan_with_meeting(&q, &shape, NOW, &r).unwrap()
        else {
            panic!()
        };
        assert_eq!(origin, RangeOrigin::Schedule);
        assert_eq!(windows[0].start, NOW - time::Duration::days(2));
        assert_eq!(windows.last().unwrap().end, NOW + time::Duration::SECOND);
        // Not started yet: a day before now, never an empty range.
        let future = MeetingShape {
            scheduled_start: Some(NOW + time::Duration::days(30)),
            ..MeetingShape::default()
        };
        let AttendancePlan::Windows { windows, .. } =
            plan_with_meeting(&q, &future, NOW, &r).unwrap()
        else {
            panic!()
        };
        assert_eq!(windows[0].start, NOW - time::Duration::DAY);
        // Unknown schedule: the look-back, in 31-day windows.
        let AttendancePlan::Windows { windows, origin } =
            plan_with_meeting(&q, &MeetingShape::default(), NOW, &r).unwrap()
        else {
            panic!()
        };
        assert_eq!(origin, RangeOrigin::Lookback);
        assert_eq!(windows.len(), 3);
        // A start in the future with the default end: empty, refused.
        let q = MeetingQuery::new("m").from(NOW + time::Duration::DAY);
        assert!(plan_with_meeting(&q, &shape, NOW, &r).is_err());
    }

    #[test]
    fn absurd_ranges_are_narrowed_or_refused() {
        let r = rules(OccurrenceRange::Refuse);
        let scheduled = MeetingShape {
            scheduled_start: Some(NOW - Duration::days(10)),
            ..MeetingShape::default()
        };
        // From 1970 to 9999 on a meeting scheduled ten days ago: about 41 days, 2 windows.
        let q = MeetingQuery::new("m")
            .from(OffsetDateTime::UNIX_EPOCH)
            .to(datetime!(9999-12-31 23:59:59 UTC));
        let AttendancePlan::Windows { windows, .. } =
            plan_with_meeting(&q, &scheduled, NOW, &r).unwrap()
        else {
            panic!()
        };
        assert_eq!(windows[0].start, NOW - Duration::days(41));
        assert_eq!(windows.last().unwrap().end, NOW + Duration::SECOND);
        assert_eq!(windows.len(), 2);
        // Unknown schedule: only the end is narrowed, and 56 years of windows are refused.
        let e = plan_with_meeting(&q, &MeetingShape::default(), NOW, &r).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.to_string().contains("windows"), "{e}");
        // A sane range is left alone.
        let q = MeetingQuery::new("m").between(NOW - Duration::days(5), NOW - Duration::days(4));
        let AttendancePlan::Windows { windows, .. } =
            plan_with_meeting(&q, &scheduled, NOW, &r).unwrap()
        else {
            panic!()
        };
        assert_eq!(windows[0].start, NOW - Duration::days(5));
        assert_eq!(windows[0].end, NOW - Duration::days(4));
    }

    #[test]
    fn join_time_filter() {
        let q = MeetingQuery::new("m")
            .from(NOW)
            .to(NOW + time::Duration::HOUR);
        assert!(joined_in_range(Some(NOW), &q));
        assert!(!joined_in_range(Some(NOW + time::Duration::HOUR), &q));
        assert!(joined_in_range(None, &q));
    }
}
