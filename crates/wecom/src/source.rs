//! The cross-vendor [`AttendeeSource`] for WeCom.
//!
//! `attendees` resolves what `get_attendee_list` needs before returning the stream:
//!
//! - a caller's `sub_meeting_id` is used as is (one chain, no window; `from`/`to` then filter
//!   join times client-side, because WeCom ignores windows for sub-meetings);
//! - otherwise one `get_info` call tells recurring from one-off meetings (read without its
//!   per-person attendance summary, which is skipped as the answer arrives). A recurring meeting
//!   uses `current_sub_meetingid` (the ongoing or next occurrence), or fails with
//!   `InvalidArgument` listing the known occurrences when there is none;
//! - a one-off meeting is read over ≤ 31-day windows of `[from, to)`, rows on a window edge
//!   de-duplicated. Missing bounds default to: `to` = now; `from` = one day before the
//!   meeting's scheduled start (`get_info.meeting_start`; people join early), else `to` minus
//!   the configured look-back (90 days). A meeting that has not started yet gives an empty
//!   stream.

use async_trait::async_trait;
use futures::StreamExt;
use roster_core::{
    Attendee, AttendeeSource, Error, MAX_WINDOW, MeetingQuery, Paginator, RecordStream,
    Registration, Result, Vendor, Window, WindowOptions, dedup_window_edges, split_windows,
    windowed,
};
use time::OffsetDateTime;

use crate::client::WeComClient;
use crate::validate;
use crate::wire::MeetingHead;

/// How long before the scheduled start the default range begins.
pub const EARLY_JOIN_SLACK: time::Duration = time::Duration::DAY;

/// What an attendee export will query.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttendeePlan {
    /// One occurrence of a recurring meeting (no window).
    SubMeeting(String),
    /// Consecutive ≤ 31-day windows of a one-off meeting (possibly none).
    Windows(Vec<Window>),
}

impl WeComClient {
    /// Decides how [`AttendeeSource::attendees`] reads `query` (may call `get_info` once).
    pub async fn plan_attendees(&self, query: &MeetingQuery) -> Result<AttendeePlan> {
        validate::id("meeting id", &query.meeting_id)?;
        if let (Some(from), Some(to)) = (query.from, query.to)
            && to < from
        {
            return Err(Error::invalid_argument(format!(
                "the time range is reversed: from {from} is after to {to}"
            )));
        }
        if let Some(sub) = &query.sub_meeting_id {
            validate::id("sub-meeting id", sub)?;
            return Ok(AttendeePlan::SubMeeting(sub.clone()));
        }
        // Only the head of get_info: its attendance summary (one row per person) is skipped.
        let info = self.get_info_head(&query.meeting_id).await?;
        if info.is_recurring() {
            return match info.current_sub_meeting() {
                Some(sub) => {
                    query.note(&format!(
                        "meeting {} is recurring: exporting its current (ongoing or next) occurrence {sub}; pass a sub-meeting id for another ({})",
                        query.meeting_id,
                        occurrences(&info)
                    ));
                    Ok(AttendeePlan::SubMeeting(sub.to_string()))
                }
                None => Err(no_current_occurrence(&query.meeting_id, &info)),
            };
        }
        let now = self.config().clock().now();
        let (from, to) = default_range(query, &info, now, self.config().default_lookback());
        if query.from.is_none() {
            let why = if info.start().is_some() {
                "a day before the meeting's start"
            } else {
                "the default look-back"
            };
            query.note(&format!(
                "no start time given: sessions joined from {} ({why}) to {}",
                roster_core::format_time(from),
                roster_core::format_time(to)
            ));
        }
        if from >= to {
            return Ok(AttendeePlan::Windows(Vec::new()));
        }
        Ok(AttendeePlan::Windows(split_windows(from, to, MAX_WINDOW)?))
    }
}

/// The range of a one-off meeting's export (see the module docs).
fn default_range(
    query: &MeetingQuery,
    info: &MeetingHead,
    now: OffsetDateTime,
    lookback: time::Duration,
) -> (OffsetDateTime, OffsetDateTime) {
    // One second past now, so that joins in the current second are inside the inclusive end.
    let to = query.to.unwrap_or(now + time::Duration::SECOND);
    let from = query.from.unwrap_or_else(|| match info.start() {
        Some(start) => start - EARLY_JOIN_SLACK,
        None => to - lookback,
    });
    (from, to)
}

/// The meeting's occurrences, for messages.
fn occurrences(info: &MeetingHead) -> String {
    let known: Vec<&str> = info
        .sub_meetings
        .iter()
        .filter(|s| !s.is_deleted())
        .filter_map(|s| s.sub_meetingid.as_deref())
        .collect();
    if known.is_empty() {
        "get_info lists none".to_string()
    } else {
        format!("known occurrences: {}", known.join(", "))
    }
}

fn no_current_occurrence(meeting_id: &str, info: &MeetingHead) -> Error {
    Error::invalid_argument(format!(
        "meeting {meeting_id} is recurring and has no current occurrence; give a sub-meeting id ({})",
        occurrences(info)
    ))
}

fn in_range(a: &Attendee, query: &MeetingQuery) -> bool {
    match a.joined_at {
        Some(t) => query.from.is_none_or(|f| t >= f) && query.to.is_none_or(|to| t < to),
        // Without a join time the row cannot be judged: keep it rather than lose it.
        None => true,
    }
}

#[async_trait]
impl AttendeeSource for WeComClient {
    fn vendor(&self) -> Vendor {
        Vendor::WeCom
    }

    async fn attendees(&self, query: &MeetingQuery) -> Result<RecordStream<Attendee>> {
        let plan = self.plan_attendees(query).await?;
        let meeting_id = query.meeting_id.clone();
        let observer = query.observer.clone();
        let max = query.max_items;
        let stream: RecordStream<Attendee> = match plan {
            AttendeePlan::SubMeeting(sub) => {
                let list = self.attendee_list(meeting_id).sub_meeting(sub);
                list.validate()?;
                let mut pages = Paginator::new(list);
                if let Some(o) = observer {
                    pages = pages.observer(o);
                }
                if query.from.is_none() && query.to.is_none() {
                    if let Some(n) = max {
                        pages = pages.max_items(n);
                    }
                    pages.items().boxed()
                } else {
                    let q = query.clone();
                    let filtered = pages.items().filter(move |item| {
                        std::future::ready(item.as_ref().map_or(true, |a| in_range(a, &q)))
                    });
                    limit(filtered.boxed(), max)
                }
            }
            AttendeePlan::Windows(windows) => {
                let page_size = self.config().attendee_page_size();
                for w in &windows {
                    self.attendee_list(meeting_id.clone())
                        .window(*w)
                        .limit(page_size)
                        .validate()?;
                }
                let client = self.clone();
                let options = WindowOptions::concurrent(self.config().window_concurrency());
                let joined = windowed(windows.clone(), options, move |window| {
                    let mut pages =
                        Paginator::new(client.attendee_list(meeting_id.clone()).window(window));
                    if let Some(o) = observer.clone() {
                        pages = pages.observer(o);
                    }
                    pages.items()
                });
                let deduped = dedup_window_edges(
                    joined,
                    &windows,
                    |a: &Attendee| a.joined_at,
                    |a: &Attendee| {
                        let who = a.temp_id.clone().or_else(|| a.user_id.clone());
                        (who, a.joined_at.map(|t| t.unix_timestamp()))
                    },
                );
                limit(deduped.boxed(), max)
            }
        };
        Ok(stream)
    }

    async fn registrations(&self, query: &MeetingQuery) -> Result<RecordStream<Registration>> {
        let list = self
            .enroll_list(query.meeting_id.clone())
            .status(query.status);
        let mut pages = list.paginate()?;
        if let Some(n) = query.max_items {
            pages = pages.max_items(n);
        }
        if let Some(o) = query.observer.clone() {
            pages = pages.observer(o);
        }
        Ok(pages.items().boxed())
    }
}

fn limit<T: Send + 'static>(stream: RecordStream<T>, max: Option<u64>) -> RecordStream<T> {
    match max {
        Some(n) => stream
            .take(usize::try_from(n).unwrap_or(usize::MAX))
            .boxed(),
        None => stream,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn info(start: Option<i64>) -> MeetingHead {
        MeetingHead {
            meeting_start: start,
            ..MeetingHead::default()
        }
    }

    #[test]
    fn default_ranges() {
        let now = datetime!(2026-03-01 12:00:00.5 UTC);
        let lookback = time::Duration::days(90);
        let q = MeetingQuery::new("m");
        let start = datetime!(2026-02-20 09:00 UTC);
        assert_eq!(
            default_range(&q, &info(Some(start.unix_timestamp())), now, lookback),
            (start - time::Duration::DAY, now + time::Duration::SECOND)
        );
        assert_eq!(
            default_range(&q, &info(None), now, lookback),
            (
                now + time::Duration::SECOND - lookback,
                now + time::Duration::SECOND
            )
        );
        let from = datetime!(2026-01-01 0:00 UTC);
        let to = datetime!(2026-01-02 0:00 UTC);
        let q = MeetingQuery::new("m").between(from, to);
        assert_eq!(
            default_range(&q, &info(Some(start.unix_timestamp())), now, lookback),
            (from, to)
        );
    }

    #[test]
    fn the_recurring_error_lists_occurrences() {
        let mut i = info(None);
        i.sub_meetings = serde_json::from_value(serde_json::json!([
            {"sub_meetingid": "s1", "status": 0},
            {"sub_meetingid": "s2", "status": 1},
            {"sub_meetingid": "s3"}
        ]))
        .unwrap();
        let e = no_current_occurrence("m1", &i);
        assert_eq!(e.kind(), roster_core::ErrorKind::InvalidArgument);
        assert!(e.message().contains("s1, s3"), "{}", e.message());
    }

    #[test]
    fn client_side_range_filter() {
        let q = MeetingQuery::new("m").between(
            datetime!(2026-01-01 0:00 UTC),
            datetime!(2026-01-02 0:00 UTC),
        );
        let mut a = Attendee::new(Vendor::WeCom, "m");
        assert!(in_range(&a, &q));
        a.joined_at = Some(datetime!(2026-01-01 0:00 UTC));
        assert!(in_range(&a, &q));
        a.joined_at = Some(datetime!(2026-01-02 0:00 UTC));
        assert!(!in_range(&a, &q));
    }
}
