//! The 50,000-record cap: the 60,000-attendee meeting and small caps on both sides.

mod common;

use common::*;

// --- the 60,000-attendee meeting ---------------------------------------------------------------

fn large_config() -> SandboxConfig {
    let mut cfg = config();
    cfg.data.large_meetings = vec![60_000];
    cfg
}

fn window_around(m: &CatalogMeeting) -> Window {
    Window {
        start: OffsetDateTime::from_unix_timestamp(m.start - 3_600).unwrap(),
        end: OffsetDateTime::from_unix_timestamp(m.end + 3_600).unwrap(),
    }
}

/// One sandbox for both 60,000-row checks: rendering the meeting and its ground truth is the
/// expensive part.
#[tokio::test]
async fn large_meeting_60000_attendees() {
    let sb = start(large_config()).await;
    let c = client(&sb);
    let m = meeting(&sb, "large-60000");
    let w = window_around(&m);
    let truth = sb
        .truth()
        .tencent_participants(&m.id, None, Some(w.inclusive_unix_bounds()));
    assert_eq!(truth.len(), 60_000);

    // 1. One query chain: every page up to the cap, exactly once, then Truncated.
    let list = c
        .participants_list(ParticipantsParams::new(&m.id).window_of(&w))
        .unwrap();
    let mut pages = Paginator::new(list).pages().boxed();
    let mut got = Vec::new();
    let mut error = None;
    while let Some(p) = pages.next().await {
        match p {
            Ok(p) => {
                assert!(p.items.len() <= 100);
                assert_eq!(p.total_hint, Some(60_000));
                got.extend(p.items);
            }
            Err(e) => error = Some(e),
        }
    }
    let e = error.expect("the cap is surfaced");
    assert_eq!(e.kind(), ErrorKind::Truncated);
    assert_eq!(got.len(), 50_000);
    let got_keys: Vec<_> = got.iter().map(attendee_key).collect();
    let want: Vec<_> = truth[..50_000].iter().map(truth_key).collect();
    assert_eq!(got_keys, want, "the first 50,000 rows, in order, once each");
    assert_eq!(sb.stats().requests_to(P), 500);
    drop(got);

    // 2. Attendees: the window is split in halves until no query is capped; all 60,000 once.
    sb.reset_stats();
    let got: Vec<Attendee> = c
        .attendees(&MeetingQuery::new(&m.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_exactly_once(&got, &truth);
    // Windows were split before anything was delivered: no chain ran to the cap.
    let chains = participant_targets(&sb)
        .iter()
        .filter(|t| query_param(t, "pos") == Some("0"))
        .count();
    assert!(chains > 2, "{chains} chains");
    let requests = sb.stats().requests_to(P) as usize;
    assert!(
        requests <= 600 + chains,
        "{requests} requests for {chains} chains"
    );
}

/// A small cap on both sides (sandbox and client) shows the cap rules without 50,000 rows.
async fn small_cap(cap: usize) -> (SandboxHandle, TencentMeetingClient) {
    let mut cfg = config();
    cfg.tencent.participants_cap = cap;
    let sb = start(cfg).await;
    let c = builder(&sb)
        .participants_record_cap(cap as u64)
        // Small pages, so that caps are reached over several pages.
        .participants_page_size(3)
        .build()
        .unwrap();
    (sb, c)
}

#[tokio::test]
async fn a_capped_window_that_cannot_be_split_ends_with_truncated() {
    let (sb, c) = small_cap(10).await;
    let m = meeting(&sb, "seed-oneoff");
    let from = OffsetDateTime::from_unix_timestamp(m.start).unwrap();
    let to = from + time::Duration::HOUR;
    let total = sb
        .truth()
        .tencent_participant_count(&m.id, None, Some((m.start, m.start + 3_599)));
    assert!(total > 10, "{total}");
    let got: Vec<Result<Attendee>> = c
        .attendees(&MeetingQuery::new(&m.id).between(from, to))
        .await
        .unwrap()
        .collect()
        .await;
    let (ok, err): (Vec<_>, Vec<_>) = got.into_iter().partition(|r| r.is_ok());
    assert_eq!(ok.len(), 10, "the capped records are delivered");
    assert_eq!(err.len(), 1);
    let e = err.into_iter().next().unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Truncated);
    assert!(e.to_string().contains(&total.to_string()), "{e}");
}

#[tokio::test]
async fn capped_windows_are_halved_down_to_one_hour() {
    let (sb, c) = small_cap(4).await;
    let m = meeting(&sb, "seed-long-running");
    let from = OffsetDateTime::from_unix_timestamp(m.start - 3_600).unwrap();
    let to = OffsetDateTime::from_unix_timestamp(m.end + 3_600).unwrap();
    let got: Vec<Result<Attendee>> = c
        .attendees(&MeetingQuery::new(&m.id).between(from, to))
        .await
        .unwrap()
        .collect()
        .await;
    let truth = sb.truth().tencent_participants(&m.id, None, None);
    // No hour of this meeting has more than four sessions: splitting gets everything, once.
    let ok: Vec<Attendee> = got.into_iter().map(|r| r.expect("no error")).collect();
    assert_exactly_once(&ok, &truth);
    // Every window sent was at most 31 days and at least one hour long.
    for t in participant_targets(&sb) {
        let s: i64 = query_param(&t, "start_time").unwrap().parse().unwrap();
        let e: i64 = query_param(&t, "end_time").unwrap().parse().unwrap();
        assert!(e - s <= 2_678_400 && e - s >= 3_599, "{t}");
    }
    let windows: HashSet<(String, String)> = participant_targets(&sb)
        .iter()
        .map(|t| {
            (
                query_param(t, "start_time").unwrap().to_string(),
                query_param(t, "end_time").unwrap().to_string(),
            )
        })
        .collect();
    assert!(windows.len() > 3, "the 31-day windows were split further");
}

#[tokio::test]
async fn a_capped_occurrence_is_truncated() {
    let (sb, c) = small_cap(2).await;
    let m = meeting(&sb, "seed-recurring");
    let sub = m
        .sub_meetings
        .iter()
        .find(|s| s.sessions > 2)
        .expect("an occurrence with more than two sessions");
    let got: Vec<Result<Attendee>> = c
        .attendees(&MeetingQuery::new(&m.id).sub_meeting(&sub.id))
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].as_ref().unwrap_err().kind(), ErrorKind::Truncated);
}

#[tokio::test]
async fn without_totals_a_capped_chain_is_re_queried_in_halves_exactly_once() {
    let (sb, c) = small_cap(10).await;
    sb.faults()
        .inject(P, Fault::Quirk(Quirk::OmitTotalCount), u64::MAX);
    let m = meeting(&sb, "seed-long-running");
    let from = OffsetDateTime::from_unix_timestamp(m.start - 3_600).unwrap();
    let to = OffsetDateTime::from_unix_timestamp(m.end + 3_600).unwrap();
    let got: Vec<Attendee> = c
        .attendees(&MeetingQuery::new(&m.id).between(from, to))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_exactly_once(&got, &sb.truth().tencent_participants(&m.id, None, None));
    // Some chains stopped at the cap and were re-queried.
    assert!(participant_targets(&sb).len() > 400 / 3);
}
