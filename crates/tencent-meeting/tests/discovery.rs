//! The account's meetings (`/v1/corp/meetings`) through `MeetingDirectory`, against the
//! sandbox's ground truth: every state, several windows and pages, admins only.

mod common;

use common::*;
use roster_core::{DiscoveryQuery, MeetingDirectory, MeetingState};
use time::Duration;

/// A client acting as the enterprise admin, with pages of 3 and no pacing.
fn admin(sb: &SandboxHandle) -> TencentMeetingClient {
    let admin = sb.credentials().tencent.admin_userid.expect("an admin");
    builder(sb)
        .operator_id(admin)
        .corp_page_size(3)
        .corp_meetings_pacer(Pacer::unlimited())
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_state_window_and_page_matches_the_ground_truth() {
    let sb = start(config()).await;
    let client = admin(&sb);
    let now = sb.clock().now();
    let (from, to) = (now - Duration::days(100), now + Duration::days(40));
    let mut seen = 0;
    for (state, code) in [
        (MeetingState::Ended, 1),
        (MeetingState::Live, 2),
        (MeetingState::Upcoming, 3),
    ] {
        let query = DiscoveryQuery::between(from, to).unwrap().states([state]);
        let got: Vec<_> = client
            .meetings(&query)
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let truth = sb.truth().tencent_corp_meetings(
            code,
            Some(from.unix_timestamp()),
            Some(to.unix_timestamp() - 1),
        );
        let key = |id: &str, sub: Option<&str>| format!("{id}/{}", sub.unwrap_or(""));
        let mut got_keys: Vec<String> = got
            .iter()
            .map(|m| key(&m.meeting_id, m.sub_meeting_id.as_deref()))
            .collect();
        let mut want: Vec<String> = truth
            .iter()
            .map(|r| {
                key(
                    r["meeting_id"].as_str().unwrap(),
                    r["sub_meeting_id"].as_str(),
                )
            })
            .collect();
        got_keys.sort();
        want.sort();
        assert_eq!(got_keys, want, "{state:?}");
        assert!(got.iter().all(|m| m.state == Some(state)));
        for (m, r) in got.iter().zip(&truth).filter(|(m, r)| {
            r["meeting_id"] == m.meeting_id.as_str() && r["sub_meeting_id"].is_null()
        }) {
            assert_eq!(
                m.start.unwrap().unix_timestamp() * 1000,
                r["start_time"].as_i64().unwrap(),
                "milliseconds read as such"
            );
        }
        seen += got.len();
    }
    assert!(seen > 6, "several pages of 3: {seen} meetings");
    // 140 days: five windows of at most 31 days per state.
    assert!(sb.stats().requests_to("tencent.corp_meetings") >= 15);
}

#[tokio::test]
async fn only_an_admin_may_list_the_account_s_meetings() {
    let sb = start(config()).await;
    let not_admin = builder(&sb)
        .corp_meetings_pacer(Pacer::unlimited())
        .build()
        .unwrap();
    let now = sb.clock().now();
    let query = DiscoveryQuery::between(now - Duration::days(10), now).unwrap();
    let e = not_admin
        .meetings(&query)
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    // A page size out of range is refused before any request.
    let before = sb.stats().requests_to("tencent.corp_meetings");
    let e = builder(&sb)
        .corp_page_size(101)
        .build()
        .unwrap()
        .meetings(&query)
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(sb.stats().requests_to("tencent.corp_meetings"), before);
}

#[tokio::test]
async fn a_user_s_ended_meetings_match_the_ground_truth_over_90_day_windows() {
    let sb = start(config()).await;
    let client = client(&sb);
    let user = sb.credentials().tencent.userid;
    let now = sb.clock().now();
    let (from, to) = (now - Duration::days(200), now + Duration::days(1));
    let got: Vec<_> = client
        .user_ended_meetings(&user, from, to)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let key = |id: &str, sub: Option<&str>| format!("{id}/{}", sub.unwrap_or(""));
    let got_keys: Vec<String> = got
        .iter()
        .map(|m| key(&m.meeting_id, m.sub_meeting_id.as_deref()))
        .collect();
    let want: Vec<String> = sb
        .truth()
        .tencent_history_meetings(&user, from.unix_timestamp(), to.unix_timestamp() - 1)
        .iter()
        .map(|r| {
            key(
                r["meeting_id"].as_str().unwrap(),
                r["sub_meeting_id"].as_str(),
            )
        })
        .collect();
    assert!(want.len() > 2, "{want:?}");
    assert_eq!(got_keys, want, "in start order, each once");
    assert!(got.iter().all(|m| m.state == Some(MeetingState::Ended)));
    assert!(
        got.iter()
            .all(|m| m.start.is_some_and(|t| t >= from && t < to)),
        "seconds read as seconds"
    );
    // 201 days: three windows of at most 90 days.
    assert!(sb.stats().requests_to("tencent.history_meetings") >= 3);
    // A bad user id is refused before any request.
    assert!(client.user_ended_meetings(" ", from, to).is_err());
    assert!(client.user_ended_meetings("a\nb", from, to).is_err());
}

#[tokio::test]
async fn an_organisation_s_three_hundred_meetings_are_all_found() {
    let mut c = config();
    c.data.org_meetings = 300;
    let sb = start(c).await;
    let client = builder(&sb)
        .operator_id(sb.credentials().tencent.admin_userid.unwrap())
        .corp_meetings_pacer(Pacer::unlimited())
        .build()
        .unwrap();
    let now = sb.clock().now();
    let (from, to) = (now - Duration::days(91), now + Duration::days(8));
    let got: Vec<_> = client
        .meetings(&DiscoveryQuery::between(from, to).unwrap())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let truth: usize = (1..=3)
        .map(|state| {
            sb.truth()
                .tencent_corp_meetings(
                    state,
                    Some(from.unix_timestamp()),
                    Some(to.unix_timestamp() - 1),
                )
                .len()
        })
        .sum();
    assert_eq!(got.len(), truth);
    let org = got
        .iter()
        .filter(|m| m.subject.as_deref().is_some_and(|s| s.contains("· org")))
        .count();
    assert!(
        org >= 280,
        "cancelled ones are not listed; the rest are: {org}"
    );
    let hosts: std::collections::BTreeSet<_> = got.iter().filter_map(|m| m.host.clone()).collect();
    assert!(hosts.len() >= 8, "{hosts:?}");
}
