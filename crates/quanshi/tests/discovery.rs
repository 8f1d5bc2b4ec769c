//! The configured hosts' meetings through `MeetingDirectory` (`room/conference/list`, recurring
//! ones included), against the sandbox's ground truth.

use std::collections::BTreeSet;

use futures::TryStreamExt;
use roster_core::{AttendeeSource, DiscoveryQuery, ErrorKind, MeetingDirectory, MeetingState};
use roster_quanshi::{ClientBuilder, Credentials, QuanshiClient, QuanshiClientBuilder};
use roster_sandbox::{SandboxConfig, SandboxHandle};
use time::Duration;

fn builder(sb: &SandboxHandle) -> QuanshiClientBuilder {
    let c = sb.credentials().quanshi;
    QuanshiClient::builder(Credentials::new(c.app_key, c.app_secret).admin_user_id(c.admin_user_id))
        .base_url(sb.base_url())
        .events_base_url(sb.base_url())
        .pacer(roster_core::Pacer::unlimited())
        .retry_policy(roster_testkit::fast_policy())
}

#[tokio::test]
async fn the_hosts_meetings_match_the_ground_truth_window_by_window() {
    let sb =
        roster_testkit::start(roster_testkit::lean_config(SandboxConfig::default().seed)).await;
    let host = sb.credentials().quanshi.host_user_id;
    let client = builder(&sb).discovery_hosts([host]).build().unwrap();
    let now = sb.clock().now();
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
        "each meeting or run once across windows"
    );
    // A one-off meeting once; a recurring one once per run that took place (from its report),
    // or once as a series while none has.
    let truth = sb.truth();
    let mut want = BTreeSet::new();
    let mut recurring_runs = 0;
    for m in
        truth.quanshi_conference_list(host, from.unix_timestamp(), to.unix_timestamp() - 1, true)
    {
        let id = m["eventId"].to_string().trim_matches('"').to_string();
        let runs = match m["calType"].as_str() {
            Some("M") => truth.quanshi_runs(&id),
            _ => Vec::new(),
        };
        if runs.is_empty() {
            want.insert((id.clone(), None));
        }
        for run in runs {
            recurring_runs += 1;
            let run_id = run["tempConferenceId"]
                .to_string()
                .trim_matches('"')
                .to_string();
            want.insert((id.clone(), Some(run_id)));
        }
    }
    assert!(want.len() > 3 && recurring_runs >= 3, "{want:?}");
    assert_eq!(got_keys, want);
    let run = got.iter().find(|m| m.sub_meeting_id.is_some()).unwrap();
    assert!(run.start.is_some() && run.subject.is_some());
    assert_eq!(run.state, Some(MeetingState::Ended), "{run:?}");
    // 140 days and the 90 before them (series that began earlier): eight windows of at most
    // 31 days.
    assert_eq!(sb.stats().requests_to("quanshi.conference_list"), 8);
    assert!(got.iter().any(|m| m.state == Some(MeetingState::Ended)));
    let shown = format!("{got:?}");
    for m in
        sb.truth()
            .quanshi_conference_list(host, from.unix_timestamp(), to.unix_timestamp(), true)
    {
        let pcode = m["pcode1"].as_str().unwrap();
        assert!(!shown.contains(pcode), "passcodes stay out of summaries");
    }

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
    assert!(ended.iter().all(|m| m.state == Some(MeetingState::Ended)));
    assert!(!ended.is_empty() && ended.len() < got.len());
}

#[tokio::test]
async fn without_hosts_it_says_which_setting_to_set() {
    let sb =
        roster_testkit::start(roster_testkit::lean_config(SandboxConfig::default().seed)).await;
    let now = sb.clock().now();
    let e = builder(&sb)
        .build()
        .unwrap()
        .meetings(&DiscoveryQuery::between(now - Duration::days(1), now).unwrap())
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.hint().unwrap().contains("ROSTER_QUANSHI_HOSTS"), "{e}");
}

/// An organisation's meetings have hosts of their own: the registrations of a discovered
/// meeting are read with its host (`MeetingQuery::host`, which a sync takes from the summary),
/// where the configured host gets "not the host".
#[tokio::test]
async fn a_discovered_meeting_is_read_with_its_own_host() {
    let mut config = roster_testkit::lean_config(SandboxConfig::default().seed);
    config.data.org_meetings = 30;
    let sb = roster_testkit::start(config).await;
    let creds = sb.credentials().quanshi;
    assert!(creds.host_ids.len() > 2, "{:?}", creds.host_ids);
    let client = builder(&sb)
        .discovery_hosts(creds.host_ids.clone())
        .host_user_id(creds.host_user_id)
        .build()
        .unwrap();
    let now = sb.clock().now();
    let found: Vec<_> = client
        .meetings(
            &DiscoveryQuery::between(now - Duration::days(91), now)
                .unwrap()
                .states([MeetingState::Ended]),
        )
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let other = found
        .iter()
        .find(|m| m.host.as_deref() != Some(&creds.host_user_id.to_string()))
        .expect("a meeting of another host");
    let host = other.host.clone().unwrap();
    let query = roster_core::MeetingQuery::new(&other.meeting_id);
    let e = match client.registrations(&query).await {
        Ok(stream) => stream.try_collect::<Vec<_>>().await.unwrap_err(),
        Err(e) => e,
    };
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    let got: Vec<_> = client
        .registrations(&query.clone().host(&host))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let want = sb.truth().quanshi_invitees(&other.meeting_id);
    assert_eq!(got.len(), want.len());
    let e = client
        .registrations(&query.host("not-a-number"))
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

/// A weekly series that began before the range is still found (series are looked for from
/// `series_lookback` earlier), and only its runs that start in the range are kept.
#[tokio::test]
async fn a_series_begun_before_the_range_gives_its_runs_in_the_range() {
    let sb =
        roster_testkit::start(roster_testkit::lean_config(SandboxConfig::default().seed)).await;
    let host = sb.credentials().quanshi.host_user_id;
    let truth = sb.truth();
    let series = truth
        .quanshi_conference_list(host, 0, i64::MAX / 2, true)
        .into_iter()
        .find(|m| m["calType"] == "M")
        .expect("a recurring meeting");
    let id = series["eventId"].to_string().trim_matches('"').to_string();
    // The runs' starts, as the client reads them from the report.
    let reader = builder(&sb).build().unwrap();
    let mut starts: Vec<time::OffsetDateTime> = reader
        .report_v2(id.parse().unwrap())
        .await
        .unwrap()
        .runs
        .into_iter()
        .filter_map(|r| r.real_start_time)
        .collect();
    starts.sort_unstable();
    assert!(starts.len() >= 2, "{starts:?}");
    // A range from just after the series' own (listed) start: only its later runs are in it.
    let now = sb.clock().now();
    let listed = reader
        .conference_list(
            host,
            (now - Duration::days(200)).unix_timestamp(),
            now.unix_timestamp(),
            true,
        )
        .await
        .unwrap();
    let series_start = listed
        .iter()
        .find(|m| m.event_id.map(|e| e.to_string()) == Some(id.clone()))
        .and_then(|m| m.start_time)
        .expect("the series is listed");
    let from = series_start + Duration::seconds(1);
    let later = starts.iter().filter(|t| **t >= from).count();
    assert!(
        later >= 1,
        "runs after the series' start: {starts:?} vs {series_start}"
    );
    let to = now + Duration::days(1);
    for (lookback, want) in [(Duration::days(90), later), (Duration::ZERO, 0)] {
        let client = builder(&sb)
            .discovery_hosts([host])
            .series_lookback(lookback)
            .build()
            .unwrap();
        let runs: Vec<_> = client
            .meetings(&DiscoveryQuery::between(from, to).unwrap())
            .await
            .unwrap()
            .try_filter(|m| std::future::ready(m.meeting_id == id))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(runs.len(), want, "lookback {lookback}: {runs:?}");
        assert!(runs.iter().all(|r| r.start.unwrap() >= from));
    }
}

/// An answer without its meeting array (a gateway's body) is no list: discovery fails with
/// `MalformedPage` instead of finding no meetings.
#[tokio::test]
async fn a_list_answer_without_its_array_fails_instead_of_finding_nothing() {
    let sb =
        roster_testkit::start(roster_testkit::lean_config(SandboxConfig::default().seed)).await;
    let host = sb.credentials().quanshi.host_user_id;
    let client = builder(&sb).discovery_hosts([host]).build().unwrap();
    let now = sb.clock().now();
    // (`room/conference/infos`, the sandbox's "other endpoint", answers in this list's very
    // shape: an array of meetings. Nothing tells it apart, so it is not among these.)
    for bad in [
        roster_sandbox::BadPage::WithoutList,
        roster_sandbox::BadPage::EmptyObject,
    ] {
        sb.faults().clear();
        sb.faults().inject(
            "quanshi.conference_list",
            roster_sandbox::Fault::BadPage(bad),
            u64::MAX,
        );
        let got: Result<Vec<_>, _> = client
            .meetings(&DiscoveryQuery::between(now - Duration::days(20), now).unwrap())
            .await
            .unwrap()
            .try_collect()
            .await;
        // `{}` is no envelope at all: a decode error; the others are envelopes without the array.
        let kind = got.unwrap_err().kind();
        match bad {
            roster_sandbox::BadPage::EmptyObject => assert_eq!(kind, ErrorKind::Decode),
            _ => assert_eq!(kind, ErrorKind::MalformedPage, "{bad:?}"),
        }
    }
}
