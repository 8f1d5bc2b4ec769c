//! The cross-vendor [`MeetingDirectory`] for Quanshi (docs/specs/discovery.md §4): the meetings
//! of the configured hosts (`ROSTER_QUANSHI_HOSTS`, else the host user id) through
//! `room/conference/list`, recurring ones included, read in ≤ 31-day windows (the vendor states
//! no maximum; our choice) with inclusive Unix-second bounds, so windows never overlap. One
//! summary per meeting (a recurring meeting's occurrences come from its report, not here).

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt, stream};
use roster_core::{
    DiscoveryQuery, Error, MAX_PLANNED_WINDOWS, MAX_WINDOW, MeetingDirectory, MeetingState,
    MeetingSummary, RecordStream, Result, Vendor, split_windows, stop_after_error,
};
use serde_json::Value;
use time::OffsetDateTime;

use crate::client::QuanshiClient;
use crate::wire::{Meeting, MeetingStatus};

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
        let windows = split_windows(query.from, query.to, MAX_WINDOW)?;
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
        let stream = stream::iter(calls)
            .then(move |(host, (from, to))| {
                let client = client.clone();
                async move {
                    let meetings = client.conference_list(host, from, to, true).await?;
                    Ok(stream::iter(
                        meetings
                            .into_iter()
                            .filter_map(move |m| summary(m, now))
                            .map(Ok),
                    ))
                }
            })
            .try_flatten()
            .try_filter(move |s| std::future::ready(s.state.is_none_or(|st| query.wants(st))));
        Ok(stop_after_error(stream.boxed()))
    }
}
