//! Attendance exports against the sandbox: ground truth for exactly-once, every decoding
//! quirk, windows, recurring meetings and the meeting detail.

mod common;

use common::*;

#[tokio::test]
async fn one_off_meeting_matches_ground_truth_with_every_decoding_quirk() {
    let sb = start(config()).await;
    let c = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let got: Vec<Attendee> = c
        .attendees(&MeetingQuery::new(&m.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let truth = sb.truth().tencent_participants(&m.id, None, None);
    assert!(!truth.is_empty());
    assert_exactly_once(&got, &truth);

    let by_user = |u: &str| {
        got.iter()
            .find(|a| a.user_id.as_deref() == Some(u))
            .unwrap()
    };
    // Valid UTF-8 with a control character is kept as decoded.
    assert_eq!(by_user("test1").display_name.as_deref(), Some("t\u{15}st1"));
    assert!(!by_user("test1").name_undecodable());
    // Invalid UTF-8: raw value, flagged.
    assert_eq!(by_user("test2").display_name.as_deref(), Some("dGvzdDI="));
    assert!(by_user("test2").name_undecodable());
    // 张三, three sessions on three devices.
    let zs: Vec<&Attendee> = got
        .iter()
        .filter(|a| a.user_id.as_deref() == Some("zhangsan"))
        .collect();
    assert_eq!(zs.len(), 3);
    assert!(zs.iter().all(|a| a.display_name.as_deref() == Some("张三")));
    // Not Base64 at all.
    assert!(
        got.iter()
            .any(|a| a.name_undecodable() && a.display_name.as_deref() == Some("not base64!*"))
    );
    // Unknown device kept.
    assert_eq!(by_user("newdev").device.map(|d| d.code()), Some(99));
    // Departed member: no userid, member flag in extra.
    assert!(
        got.iter().any(|a| a.user_id.is_none()
            && a.extra.get("is_enterprise_user") == Some(&Value::Bool(true)))
    );
    // Same phone, same hash; the helper agrees with the vendor's hash.
    let h1 = by_user("test1").phone_hash.clone().unwrap();
    assert_eq!(by_user("test2").phone_hash.as_deref(), Some(h1.as_str()));
    assert!(roster_tencent_meeting::phone_hash_eq(
        &h1,
        &credentials(&sb, 0).phone_hash("13800138000")
    ));
    // Every participants call was windowed, with size 100.
    for t in participant_targets(&sb) {
        assert_eq!(query_param(&t, "size"), Some("100"), "{t}");
        let s: i64 = query_param(&t, "start_time").unwrap().parse().unwrap();
        let e: i64 = query_param(&t, "end_time").unwrap().parse().unwrap();
        assert!(e >= s && e - s <= 2_678_400, "{t}");
        assert!(
            t.starts_with(&format!(
                "/v1/meetings/{}/participants?userid=owner1&pos=",
                m.id
            )),
            "{t}"
        );
    }
}

#[tokio::test]
async fn live_meeting_open_sessions_and_ip() {
    let sb = start(config()).await;
    let c = client(&sb);
    let m = meeting(&sb, "seed-live");
    let got: Vec<Attendee> = c
        .attendees(&MeetingQuery::new(&m.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_exactly_once(&got, &sb.truth().tencent_participants(&m.id, None, None));
    let open: Vec<&Attendee> = got.iter().filter(|a| a.left_at.is_none()).collect();
    assert!(!open.is_empty());
    assert!(
        open.iter()
            .all(|a| a.extra.contains_key("ip") || a.extra.contains_key("IP"))
    );
    // The IP quirk (`IP` instead of `ip`) is kept under its wire name.
    sb.faults()
        .inject(P, Fault::Quirk(Quirk::UpperCaseIp), u64::MAX);
    let got: Vec<Attendee> = c
        .attendees(&MeetingQuery::new(&m.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert!(
        got.iter()
            .filter(|a| a.left_at.is_none())
            .all(|a| a.extra.contains_key("IP"))
    );
}

#[tokio::test]
async fn flipped_types_and_missing_totals_decode_the_same() {
    let sb = start(config()).await;
    let c = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let q = MeetingQuery::new(&m.id);
    let plain: Vec<Attendee> = c.attendees(&q).await.unwrap().try_collect().await.unwrap();
    sb.faults()
        .inject(P, Fault::Quirk(Quirk::FlipTypes), u64::MAX);
    sb.faults()
        .inject(P, Fault::Quirk(Quirk::OmitTotalCount), u64::MAX);
    let flipped: Vec<Attendee> = c.attendees(&q).await.unwrap().try_collect().await.unwrap();
    assert_eq!(plain, flipped);
}

#[tokio::test]
async fn long_range_is_split_into_31_day_windows_exactly_once() {
    let sb = start(config()).await;
    let c = client(&sb);
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
    let truth = sb.truth().tencent_participants(&m.id, None, None);
    assert_eq!(truth.len(), 400);
    assert_exactly_once(&got, &truth);
    // Time order across windows.
    assert!(got.windows(2).all(|w| w[0].joined_at <= w[1].joined_at));

    let targets = participant_targets(&sb);
    let mut windows: Vec<(i64, i64)> = targets
        .iter()
        .map(|t| {
            (
                query_param(t, "start_time").unwrap().parse().unwrap(),
                query_param(t, "end_time").unwrap().parse().unwrap(),
            )
        })
        .collect();
    windows.dedup();
    assert_eq!(windows.len(), 3, "81 days → 3 windows: {windows:?}");
    assert_eq!(windows[0].0, from.unix_timestamp());
    assert_eq!(windows[2].1, to.unix_timestamp() - 1, "end bound inclusive");
    for w in windows.windows(2) {
        assert_eq!(w[0].1 + 1, w[1].0, "no gap, no overlap");
    }
    assert!(windows.iter().all(|(s, e)| e - s <= 2_678_400));
}

#[tokio::test]
async fn bad_ranges_are_rejected_before_any_request() {
    let sb = start(config()).await;
    let c = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let t = OffsetDateTime::from_unix_timestamp(m.start).unwrap();
    for q in [
        MeetingQuery::new(&m.id).between(t, t),
        MeetingQuery::new(&m.id).between(t, t - time::Duration::SECOND),
        MeetingQuery::new(&m.id).from(OffsetDateTime::from_unix_timestamp(-5).unwrap()),
        MeetingQuery::new(&m.id).sub_meeting("123").from(t),
    ] {
        let e = c.attendees(&q).await.err().expect("rejected");
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{q:?}");
    }
    for p in [
        ParticipantsParams::new(&m.id).size(0),
        ParticipantsParams::new(&m.id).size(101),
        ParticipantsParams::new(&m.id).window(0, 2_678_401),
        ParticipantsParams::new(&m.id).window(10, 5),
    ] {
        assert_eq!(
            c.participants_page(&p, None).await.unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
    assert_eq!(
        c.enroll_approvals_page(&m.id, 1, 301, RegistrationFilter::All)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        c.enroll_approvals_page(&m.id, 0, 50, RegistrationFilter::All)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    for size in [0, 101] {
        let e = builder(&sb)
            .participants_page_size(size)
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
    }
    assert_eq!(
        builder(&sb)
            .enroll_page_size(301)
            .build()
            .unwrap_err()
            .kind(),
        ErrorKind::Config
    );
    assert_eq!(sb.stats().total_requests(), 0);
}

#[tokio::test]
async fn recurring_meetings_use_sub_meetings_without_windows() {
    let sb = start(config()).await;
    let c = client(&sb);
    let m = meeting(&sb, "seed-recurring");
    assert!(m.id.len() == 20, "id above i64::MAX stays a string");
    let detail = c.meeting_detail(&m.id).await.unwrap().expect("detail");
    assert!(detail.is_recurring());
    let current = detail
        .current_sub_meeting_id
        .clone()
        .expect("current occurrence");

    // Without a sub-meeting: the current occurrence from the detail.
    sb.reset_stats();
    let got: Vec<Attendee> = c
        .attendees(&MeetingQuery::new(&m.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_exactly_once(
        &got,
        &sb.truth().tencent_participants(&m.id, Some(&current), None),
    );
    assert_eq!(sb.stats().requests_to(DETAIL), 1);

    // Every past occurrence, explicitly.
    for sub in m.sub_meetings.iter().filter(|s| !s.deleted) {
        let got: Vec<Attendee> = c
            .attendees(&MeetingQuery::new(&m.id).sub_meeting(&sub.id))
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let truth = sb.truth().tencent_participants(&m.id, Some(&sub.id), None);
        assert_exactly_once(&got, &truth);
        assert!(
            got.iter()
                .all(|a| a.sub_meeting_id.as_deref() == Some(sub.id.as_str()))
        );
    }
    assert!(m.sub_meetings.iter().any(|s| s.sessions > 0));
    for t in participant_targets(&sb) {
        assert!(query_param(&t, "sub_meeting_id").is_some(), "{t}");
        assert!(
            query_param(&t, "start_time").is_none() && query_param(&t, "end_time").is_none(),
            "{t}"
        );
    }

    // A range without an occurrence is a clear error after the detail only.
    sb.reset_stats();
    let t = OffsetDateTime::from_unix_timestamp(m.start).unwrap();
    let e = c
        .attendees(&MeetingQuery::new(&m.id).between(t, t + time::Duration::DAY))
        .await
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("recurring"), "{e}");
    assert_eq!(sb.stats().total_requests(), 1);
}

#[tokio::test]
async fn meeting_detail_and_detail_unavailable() {
    let mut cfg = config();
    cfg.tencent.hide_ended_one_off = true;
    let sb = start(cfg).await;
    let c = client(&sb);
    let oneoff = meeting(&sb, "seed-oneoff");
    assert!(
        c.meeting_detail(&oneoff.id).await.unwrap().is_none(),
        "ended one-off: unavailable"
    );
    // Attendance still works (default range: the last 90 days).
    let plan = c
        .plan_attendees(&MeetingQuery::new(&oneoff.id))
        .await
        .unwrap();
    assert!(matches!(
        plan,
        roster_core::AttendancePlan::Windows {
            origin: roster_core::RangeOrigin::Lookback,
            ..
        }
    ));
    let got: Vec<Attendee> = c
        .attendees(&MeetingQuery::new(&oneoff.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_exactly_once(
        &got,
        &sb.truth().tencent_participants(&oneoff.id, None, None),
    );

    let live = meeting(&sb, "seed-live");
    let d = c.meeting_detail(&live.id).await.unwrap().unwrap();
    assert_eq!(d.meeting_id.as_deref(), Some(live.id.as_str()));
    assert_eq!(d.start_time.map(|t| t.unix_timestamp()), Some(live.start));
    let legacy = builder(&sb).legacy_userid_param(true).build().unwrap();
    assert!(legacy.meeting_detail(&live.id).await.unwrap().is_some());
    let last = sb.stats().raw_targets.last().cloned().unwrap();
    assert!(last.ends_with("?userid=owner1&instanceid=1"), "{last}");
}
