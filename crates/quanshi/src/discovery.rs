//! The cross-vendor [`MeetingDirectory`] for Quanshi (docs/specs/discovery.md §4): the meetings
//! of the configured hosts (`ROSTER_QUANSHI_HOSTS`, else the host user id) through
//! `room/conference/list`, recurring ones included, read in ≤ 31-day windows (the vendor states
//! no maximum; our choice) with inclusive Unix-second bounds, so windows never overlap. One
//! summary per one-off meeting. A recurring meeting (`calType` `M`) is one summary per run
//! that took place, read from its v2 report (`tempConfenceList`: `tempConferenceId` as the
//! occurrence id, the real start and end; a run without an end is live), when the query
//! wants ended or live meetings; a series with no run yet stays one summary of its own. The
//! list filters on a series' scheduled start, so series are looked for from
//! `series_lookback` (90 days) before the range; a run is kept when its own start is in the
//! range, a one-off meeting or a series without runs when its start is. A series whose
//! report cannot be read stays one summary (logged) and does not end the discovery.

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt, stream};
use roster_core::{
    DiscoveryQuery, Error, MAX_PLANNED_WINDOWS, MAX_WINDOW, MeetingDirectory, MeetingState,
    MeetingSummary, RecordStream, Result, Vendor, split_windows, stop_after_error,
};
use serde_json::Value;
use time::OffsetDateTime;

use crate::client::QuanshiClient;
use crate::wire::{Meeting, MeetingStatus, Run};

/// `calType` of a recurring meeting.
const RECURRING: &str = "M";

/// The summary of one run of a recurring meeting: the series' summary with the run's id and
/// real times; ended when it has an end, else live.
fn run_summary(series: &MeetingSummary, run: Run) -> Option<MeetingSummary> {
    let mut s = series.clone();
    s.sub_meeting_id = Some(run.temp_conference_id.filter(|id| !id.is_empty())?);
    s.start = run.real_start_time.or(series.start);
    s.end = run.real_end_time;
    s.state = Some(if s.end.is_some() {
        MeetingState::Ended
    } else {
        MeetingState::Live
    });
    Some(s)
}

/// A listed meeting as a summary (none without an event id). Passcodes and links stay out. A
/// meeting that is only "created" (status 1) is upcoming or live by its times and `now`.
fn summary(m: Meeting, now: OffsetDateTime) -> Option<MeetingSummary> {
    let mut s = MeetingSummary::new(Vendor::Quanshi, m.event_id?.to_string());
    s.subject = m.title;
    s.start = m.start_time;
    s.end = m.end_time;
    s.state = match m.status {
        Some(MeetingStatus::Cancelled) => Some(MeetingState::Cancelled),
        Some(MeetingStatus::Ended) => Some(MeetingState::Ended),
        Some(MeetingStatus::Created) => match (m.start_time, m.end_time) {
            (Some(start), _) if start > now => Some(MeetingState::Upcoming),
            (Some(_), Some(end)) if end > now => Some(MeetingState::Live),
            _ => None,
        },
        _ => None,
    };
    s.host = m.host_id.map(|h| h.to_string());
    s.host_name = m.host_name;
    for (key, value) in [
        ("conference_id", m.conference_id.map(Value::from)),
        ("cal_type", m.cal_type.map(Value::from)),
        ("status", m.status.map(|st| Value::from(st.code()))),
        ("length_minutes", m.length_minutes.map(Value::from)),
    ] {
        if let Some(v) = value {
            s.extra.insert(key.into(), v);
        }
    }
    Some(s)
}

#[async_trait]
impl MeetingDirectory for QuanshiClient {
    fn vendor(&self) -> Vendor {
        Vendor::Quanshi
    }

    async fn meetings(&self, query: &DiscoveryQuery) -> Result<RecordStream<MeetingSummary>> {
        let config = self.config();
        let hosts: Vec<u64> = if config.discovery_hosts.is_empty() {
            config.host_user_id.into_iter().collect()
        } else {
            config.discovery_hosts.clone()
        };
        if hosts.is_empty() {
            return Err(
                Error::config("no Quanshi hosts are configured whose meetings to list").with_hint(
                    format!(
                        "set {} (comma-separated user ids) or {}",
                        crate::config::ENV_HOSTS,
                        crate::config::ENV_HOST_USER_ID
                    ),
                ),
            );
        }
        // From earlier than the range: a series is listed by its scheduled start, and one
        // that began before the range may have runs in it.
        let windows = split_windows(query.from - config.series_lookback, query.to, MAX_WINDOW)?;
        let (from, to) = (query.from, query.to);
        let in_range = move |t: Option<OffsetDateTime>| t.is_some_and(|t| t >= from && t < to);
        if windows.len() * hosts.len() > MAX_PLANNED_WINDOWS {
            return Err(Error::invalid_argument(format!(
                "the range needs {} calls ({} hosts × {} windows of 31 days); at most {MAX_PLANNED_WINDOWS}",
                windows.len() * hosts.len(),
                hosts.len(),
                windows.len()
            )));
        }
        let calls: Vec<(u64, (i64, i64))> = hosts
            .iter()
            .flat_map(|h| windows.iter().map(move |w| (*h, w.inclusive_unix_bounds())))
            .collect();
        let client = self.clone();
        let query = query.clone();
        let now = config.options.clock().now();
        let wants_runs = query.wants(MeetingState::Ended) || query.wants(MeetingState::Live);
        let lister = client.clone();
        let stream = stream::iter(calls)
            .then(move |(host, (from, to))| {
                let client = lister.clone();
                async move {
                    let meetings = client.conference_list(host, from, to, true).await?;
                    Ok(stream::iter(meetings.into_iter().map(Ok)))
                }
            })
            .try_flatten()
            .and_then(move |m: Meeting| {
                let client = client.clone();
                async move {
                    let recurring = m.cal_type.as_deref() == Some(RECURRING);
                    let Some(series) = summary(m, now) else {
                        return Ok(Vec::new());
                    };
                    let own = if in_range(series.start) { vec![series.clone()] } else { Vec::new() };
                    if !(recurring && wants_runs) {
                        return Ok(own);
                    }
                    let Ok(event_id) = series.meeting_id.parse::<u64>() else {
                        return Ok(own);
                    };
                    // One series whose report cannot be read (none yet, or not this host's)
                    // does not end the discovery of the others: it stays one summary.
                    let report = match client.report_v2(event_id).await {
                        Ok(report) => report,
                        Err(e) => {
                            tracing::warn!(event_id, kind = %e.kind(), "a recurring meeting's runs could not be read: {e}");
                            return Ok(own);
                        }
                    };
                    let runs: Vec<MeetingSummary> = report
                        .runs
                        .into_iter()
                        .filter_map(|run| run_summary(&series, run))
                        .collect();
                    Ok(if runs.is_empty() {
                        own
                    } else {
                        runs.into_iter().filter(|r| in_range(r.start)).collect()
                    })
                }
            })
            .map_ok(|summaries| stream::iter(summaries.into_iter().map(Ok)))
            .try_flatten()
            .try_filter(move |s| std::future::ready(s.state.is_none_or(|st| query.wants(st))));
        Ok(stop_after_error(stream.boxed()))
    }
}
