//! The cross-vendor [`MeetingDirectory`] for WeCom (docs/specs/discovery.md §3): the meetings
//! of the configured members (`ROSTER_WECOM_USERS`), or else of every member of the corp
//! (`user/list_id`, with the address-book secret `ROSTER_WECOM_CONTACTS_SECRET`), found with `get_user_meetingid` (≤ 180-day
//! windows; only meetings this app created), each read once with `get_info` (its attendance
//! summary skipped) for subject, times, state and the occurrences of a recurring meeting. A
//! meeting several members share is listed once. One summary per one-off meeting, one per
//! occurrence of a recurring one, those starting in the range and in a wanted state.
//!
//! `user/list_id` takes the address-book sync secret, not an app's: without it, the members
//! must be configured.

use std::collections::HashSet;

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt, stream};
use roster_core::{
    DiscoveryQuery, Error, MeetingDirectory, MeetingState, MeetingSummary, RecordStream, Result,
    Vendor, stop_after_error,
};
use serde_json::Value;
use time::OffsetDateTime;

use crate::client::WeComClient;
use crate::wire::{MeetingHead, MeetingStatus};

/// `get_info` calls discovery makes at once.
const GET_INFO_AT_ONCE: usize = 4;

/// The state of a `get_info` status code (`5` expired: none).
fn state(code: Option<i64>) -> Option<MeetingState> {
    match code.map(MeetingStatus::from_code)? {
        MeetingStatus::NotStarted => Some(MeetingState::Upcoming),
        MeetingStatus::InProgress => Some(MeetingState::Live),
        MeetingStatus::Ended => Some(MeetingState::Ended),
        MeetingStatus::Cancelled => Some(MeetingState::Cancelled),
        _ => None,
    }
}

/// The summaries of one meeting: itself, or each occurrence of a recurring one (not deleted;
/// an occurrence has no state of its own: it is upcoming, live or ended by its times and `now`).
fn summaries(id: &str, head: MeetingHead, now: OffsetDateTime) -> Vec<MeetingSummary> {
    let at = |t: Option<i64>| t.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok());
    let mut base = MeetingSummary::new(Vendor::WeCom, id);
    base.meeting_code = head.meeting_code.clone();
    base.subject = head.title.clone();
    base.host = head.admin_userid.clone();
    if let Some(t) = head.meeting_type_code {
        base.extra.insert("meeting_type".into(), Value::from(t));
    }
    if !head.is_recurring() || head.sub_meetings.is_empty() {
        let mut s = base;
        s.start = at(head.meeting_start);
        s.end = at(head
            .meeting_start
            .zip(head.meeting_duration)
            .map(|(start, d)| start + d));
        s.state = state(head.status_code);
        return vec![s];
    }
    head.sub_meetings
        .into_iter()
        .filter(|o| o.status != Some(1))
        .map(|o| {
            let mut s = base.clone();
            s.sub_meeting_id = o.sub_meetingid;
            s.start = at(o.start_time);
            s.end = at(o.end_time);
            s.state = match (s.start, s.end) {
                (Some(start), _) if start > now => Some(MeetingState::Upcoming),
                (_, Some(end)) if end <= now => Some(MeetingState::Ended),
                (Some(_), Some(_)) => Some(MeetingState::Live),
                _ => None,
            };
            s
        })
        .collect()
}

#[async_trait]
impl MeetingDirectory for WeComClient {
    fn vendor(&self) -> Vendor {
        Vendor::WeCom
    }

    async fn meetings(&self, query: &DiscoveryQuery) -> Result<RecordStream<MeetingSummary>> {
        let mut users = self.config().discovery_users.clone();
        if users.is_empty() && self.contacts().is_some() {
            users = self.member_ids()?.try_collect().await?;
        }
        if users.is_empty() {
            return Err(
                Error::config("no WeCom members are configured whose meetings to list").with_hint(
                    format!(
                        "set {} to a comma-separated list of userids, or {} to list them all",
                        crate::config::ENV_USERS,
                        crate::config::ENV_CONTACTS_SECRET
                    ),
                ),
            );
        }
        let mut ids = Vec::new();
        for user in &users {
            ids.push(self.user_meeting_ids(user, query.from, query.to)?);
        }
        let client = self.clone();
        let query = query.clone();
        let now = self.config().options.clock().now();
        let mut seen = HashSet::new();
        // `get_info` of several meetings at once (in order; the pacer still caps the calls in
        // flight): one call per meeting is most of discovery's time.
        let stream = stream::iter(ids)
            .flatten()
            .try_filter(move |id| std::future::ready(seen.insert(id.clone())))
            .map_ok(move |id| {
                let client = client.clone();
                async move {
                    let head = client.get_info_head(&id).await?;
                    Ok::<_, Error>(stream::iter(summaries(&id, head, now).into_iter().map(Ok)))
                }
            })
            .try_buffered(GET_INFO_AT_ONCE)
            .try_flatten()
            .try_filter(move |s| {
                let starts = s.start.is_some_and(|t| t >= query.from && t < query.to);
                let wanted = s.state.is_none_or(|st| query.wants(st));
                std::future::ready(starts && wanted)
            });
        Ok(stop_after_error(stream.boxed()))
    }
}
