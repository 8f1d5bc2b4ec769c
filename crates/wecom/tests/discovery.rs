//! The configured members' meetings through `MeetingDirectory` (`get_user_meetingid`, then
//! `get_info` once per meeting), against the sandbox's ground truth, on a manual clock.

mod common;

use std::collections::BTreeSet;

use common::*;
use futures::TryStreamExt;
use roster_core::{DiscoveryQuery, ErrorKind, MeetingDirectory, MeetingState};
use time::{Duration, OffsetDateTime};

#[tokio::test]
async fn the_members_meetings_and_occurrences_match_the_ground_truth() {
    let sb = manual_sandbox(|_| {}).await;
    let (_manual, clock) = manual_clock();
    let user = sb.credentials().wecom.userid;
    let client = config(&sb)
        .clock(clock)
        .discovery_users([user.clone(), user.clone()])
        .build()
        .unwrap();
    let now = OffsetDateTime::from_unix_timestamp(T0).unwrap();
    let (from, to) = (now - Duration::days(100), now + Duration::days(40));
    let got: Vec<_> = client
        .meetings(&DiscoveryQuery::between(from, to).unwrap())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let got_keys: BTreeSet<(String, Option<String>)> = got
        .iter()
        .map(|m| (m.meeting_id.clone(), m.sub_meeting_id.clone()))
        .collect();
    assert_eq!(
        got_keys.len(),
        got.len(),
        "a meeting two members share, once"
    );

    let t = sb.truth();
    let in_range = |t: i64| t >= from.unix_timestamp() && t < to.unix_timestamp();
    let mut want = BTreeSet::new();
    for id in t.wecom_user_meetingids(
        &user,
        Some(from.unix_timestamp()),
        Some(to.unix_timestamp() - 1),
    ) {
        let info = t.wecom_meeting_info(&id, None).unwrap();
        let subs: Vec<_> = info["sub_meetings"].as_array().cloned().unwrap_or_default();
        let recurring = info["meeting_type"] == 1 && !subs.is_empty();
        if recurring {
            for s in subs.iter().filter(|s| s["status"] != 1) {
                if in_range(s["start_time"].as_i64().unwrap()) {
                    want.insert((id.clone(), s["sub_meetingid"].as_str().map(str::to_string)));
                }
            }
        } else if in_range(info["meeting_start"].as_i64().unwrap()) {
            want.insert((id.clone(), None));
        }
    }
    assert!(want.len() > 3, "{want:?}");
    assert_eq!(got_keys, want);
    assert!(got.iter().any(|m| m.state == Some(MeetingState::Ended)));
    assert!(got.iter().all(|m| m.subject.is_some() && m.start.is_some()));

    // Only ended ones.
    let ended: Vec<_> = client
        .meetings(
            &DiscoveryQuery::between(from, to)
                .unwrap()
                .states([MeetingState::Ended]),
        )
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert!(!ended.is_empty() && ended.len() < got.len());
    assert!(ended.iter().all(|m| m.state == Some(MeetingState::Ended)));
}

#[tokio::test]
async fn without_members_it_says_which_setting_to_set() {
    let sb = sandbox().await;
    let now = OffsetDateTime::from_unix_timestamp(T0).unwrap();
    let e = client(&sb)
        .meetings(&DiscoveryQuery::between(now - Duration::days(1), now).unwrap())
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.hint().unwrap().contains("ROSTER_WECOM_USERS"), "{e}");
    assert_eq!(sb.stats().total_requests(), 0);
}
