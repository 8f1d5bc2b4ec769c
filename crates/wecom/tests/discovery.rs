//! The configured members' meetings through `MeetingDirectory` (`get_user_meetingid`, then
//! `get_info` once per meeting), against the sandbox's ground truth, on a manual clock.

mod common;

use std::collections::BTreeSet;

use common::*;
use futures::TryStreamExt;
use roster_core::{DiscoveryQuery, ErrorKind, MeetingDirectory, MeetingState};
use time::{Duration, OffsetDateTime};

/// The `(meeting, occurrence)` keys discovery should find for `users` in `[from, to)`, from the
/// sandbox's ground truth.
fn truth_summaries(
    sb: &roster_sandbox::SandboxHandle,
    users: &[String],
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> BTreeSet<(String, Option<String>)> {
    let t = sb.truth();
    let in_range = |t: i64| t >= from.unix_timestamp() && t < to.unix_timestamp();
    let mut want = BTreeSet::new();
    for user in users {
        for id in t.wecom_user_meetingids(
            user,
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
    }
    want
}

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

    let want = truth_summaries(&sb, &[user], from, to);
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

/// The corp's members through `user/list_id`: with the address-book secret's own token (cached
/// under its own key beside the app's), paged by cursor, each member once although a member
/// in two departments comes twice.
#[tokio::test]
async fn members_come_from_the_address_book_with_its_own_token() {
    let sb = sandbox_with(|c| c.wecom.members = vec!["trainer9".into(), "owner1".into()]).await;
    let creds = sb.credentials().wecom;
    let client = config(&sb)
        .contacts_secret(creds.contacts_secret.clone())
        .build()
        .unwrap();
    let rows = sb.truth().wecom_address_book();
    let mut want: Vec<String> = Vec::new();
    for (u, _) in &rows {
        if !want.contains(u) {
            want.push(u.clone());
        }
    }
    assert!(rows.len() > want.len(), "someone is in two departments");
    assert!(want.contains(&"trainer9".to_string()) && want.contains(&"outsider".to_string()));

    // Pages of 2: several cursors.
    let paged: Vec<_> = client
        .member_list()
        .limit(2)
        .paginate()
        .unwrap()
        .items()
        .try_collect()
        .await
        .unwrap();
    let paged: Vec<(String, u32)> = paged
        .into_iter()
        .map(|r| {
            (
                r.userid.unwrap(),
                u32::try_from(r.department.unwrap()).unwrap(),
            )
        })
        .collect();
    assert_eq!(paged, rows);
    let ids: Vec<String> = client.member_ids().unwrap().try_collect().await.unwrap();
    assert_eq!(ids, want);
    assert!(sb.stats().requests_to("wecom.user_list_id") > 2);

    // A meeting call next: the app's own token, a second `gettoken` in all.
    client
        .get_info(&meeting(&sb, "seed-recurring").id, None)
        .await
        .unwrap();
    assert_eq!(sb.stats().tokens_of(roster_sandbox::Vendor::WeCom), 2);
}

/// Without configured members, discovery lists the meetings of every member of the address
/// book: exactly the ground truth over all of them.
#[tokio::test]
async fn discovery_without_configured_members_walks_the_address_book() {
    let sb = manual_sandbox(|_| {}).await;
    let (_manual, clock) = manual_clock();
    let client = config(&sb)
        .clock(clock)
        .contacts_secret(sb.credentials().wecom.contacts_secret)
        .build()
        .unwrap();
    let now = OffsetDateTime::from_unix_timestamp(T0).unwrap();
    let (from, to) = (now - Duration::days(100), now + Duration::days(40));
    let got: BTreeSet<(String, Option<String>)> = client
        .meetings(&DiscoveryQuery::between(from, to).unwrap())
        .await
        .unwrap()
        .map_ok(|m| (m.meeting_id, m.sub_meeting_id))
        .try_collect()
        .await
        .unwrap();
    let members: Vec<String> = sb
        .truth()
        .wecom_address_book()
        .into_iter()
        .map(|(u, _)| u)
        .collect();
    let want = truth_summaries(&sb, &members, from, to);
    assert!(want.len() > 3, "{want:?}");
    assert_eq!(got, want);
}

/// The sandbox keeps the two secrets apart as WeCom does (`48002` both ways), and the client
/// says which secret `user/list_id` needs; without one it fails before any request.
#[tokio::test]
async fn the_address_book_and_the_apps_do_not_share_endpoints() {
    let sb = sandbox().await;
    let creds = sb.credentials().wecom;

    let no_book = client(&sb);
    let e = no_book.member_ids().err().unwrap();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(
        e.hint().unwrap().contains("ROSTER_WECOM_CONTACTS_SECRET"),
        "{e}"
    );
    assert_eq!(sb.stats().total_requests(), 0);

    // An app's secret given as the address book's.
    let wrong = config(&sb)
        .contacts_secret(creds.corp_secret.clone())
        .build()
        .unwrap();
    let e = wrong
        .member_ids()
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .err()
        .unwrap();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::Config, Some(48002))
    );
    assert!(e.hint().unwrap().contains("通讯录同步"), "{e}");

    // The address book's secret used as an app's: no meeting API.
    let book_as_app = WeComClient::builder(Credentials::new(creds.corp_id, creds.contacts_secret))
        .base_url(sb.base_url())
        .pacer(roster_core::Pacer::unlimited())
        .retry_policy(fast_policy())
        .build()
        .unwrap();
    let e = book_as_app
        .get_info(&meeting(&sb, "seed-recurring").id, None)
        .await
        .unwrap_err();
    assert_eq!(e.vendor_code(), Some(48002));
}
