//! WeCom emulator: attendee lists (chains, limits and cursor rules, windows, recurring
//! meetings, access codes, seeded oddities) against the ground truth, over raw HTTP
//! (docs/specs/wecom.md §4.1, §9 items 5–10).

mod common;
mod wecom_common;

use wecom_common::*;

#[tokio::test]
async fn attendee_chain_delivers_the_truth_once_and_ends_with_a_cursor() {
    let wc = Wc::small().await;
    let m = wc.meeting("seed-long-running");
    let (from, to) = (m.end - WINDOW, m.end);
    let first = json!({"meetingid": m.id, "start_time": from, "end_time": to, "limit": 7});
    let (rows, pages) = wc.attendees(&first).await;
    let truth = wc.sb.truth().wecom_attendees(&m.id, None, Some((from, to)));
    assert!(
        truth.len() > 100,
        "more than one page at the maximum limit: {}",
        truth.len()
    );
    assert_eq!(rows, truth);
    assert_eq!(
        wc.sb
            .truth()
            .wecom_attendee_count(&m.id, None, Some((from, to))),
        truth.len()
    );
    assert!(rows.iter().map(join).all(|j| (from..=to).contains(&j)));
    assert!(
        rows.windows(2).all(|w| join(&w[0]) <= join(&w[1])),
        "ascending join_time"
    );
    let cursors: Vec<&str> = pages
        .iter()
        .map(|p| p.json["next_cursor"].as_str().unwrap())
        .collect();
    assert_eq!(
        cursors.iter().collect::<HashSet<_>>().len(),
        cursors.len(),
        "distinct cursors"
    );
    for (i, c) in cursors.iter().enumerate() {
        assert_ne!(*c, ((i + 1) * 7).to_string(), "not the row offset");
        assert!(
            c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
    // The last page: has_more false with a non-empty cursor; calling it again gives an empty
    // page, has_more false and a cursor again.
    let last = pages.last().unwrap();
    assert_eq!(last.json["has_more"], false);
    let mut again = first.clone();
    again["cursor"] = last.json["next_cursor"].clone();
    let r = wc.post(ATTENDEES, &again).await;
    r.assert_ok();
    assert_eq!(r.json["attendees"], json!([]));
    assert_eq!(r.json["has_more"], false);
    assert!(!r.json["next_cursor"].as_str().unwrap().is_empty());
    assert_eq!(r.json["next_cursor"], last.json["next_cursor"]);

    // The whole 79 days in 31-day windows (inclusive bounds), de-duplicated, is the meeting.
    let mut all: Vec<Value> = Vec::new();
    let mut seen = HashSet::new();
    let mut s = m.start;
    while s <= m.end {
        let e = (s + WINDOW).min(m.end);
        let (r, _) = wc
            .attendees(&json!({"meetingid": m.id, "start_time": s, "end_time": e, "limit": 100}))
            .await;
        for row in r {
            let key = (row["tmp_openid"].as_str().unwrap().to_owned(), join(&row));
            if seen.insert(key) {
                all.push(row);
            }
        }
        if e == m.end {
            break;
        }
        s = e; // overlapping bounds: de-duplicated above
    }
    assert_eq!(all, wc.sb.truth().wecom_attendees(&m.id, None, None));
    assert_eq!(all.len(), m.sessions);
    assert_eq!(m.sessions, 400);
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn limits_and_cursor_rules() {
    let wc = Wc::small().await;
    let m = wc.meeting("seed-long-running");
    let base = json!({"meetingid": m.id, "start_time": m.end - WINDOW, "end_time": m.end});
    for limit in [0, 101, 1000] {
        let mut b = base.clone();
        b["limit"] = json!(limit);
        wc.post(ATTENDEES, &b).await.assert_code(40058);
    }
    // No limit: pages of 100 (emulator default), and an explicit 100 continues the chain.
    let r = wc.post(ATTENDEES, &base).await;
    r.assert_ok();
    assert_eq!(r.json["attendees"].as_array().unwrap().len(), 100);
    assert_eq!(r.json["has_more"], true);
    let cursor = r.json["next_cursor"].clone();
    let mut next = base.clone();
    next["cursor"] = cursor.clone();
    next["limit"] = json!(100);
    wc.post(ATTENDEES, &next).await.assert_ok();
    next["limit"] = json!(50);
    wc.post(ATTENDEES, &next).await.assert_code(40058);

    // Limit change along a chain: 40058; the chain still works with its own limit.
    let mut b = base.clone();
    b["limit"] = json!(7);
    let p1 = wc.post(ATTENDEES, &b).await;
    b["cursor"] = p1.json["next_cursor"].clone();
    b["limit"] = json!(8);
    let changed = wc.post(ATTENDEES, &b).await;
    changed.assert_code(40058);
    b["limit"] = json!(7);
    let p2 = wc.post(ATTENDEES, &b).await;
    p2.assert_ok();
    assert_eq!(p2.json["attendees"].as_array().unwrap().len(), 7);

    // Garbled, foreign and filter-changed cursors.
    let good = p1.json["next_cursor"].as_str().unwrap().to_owned();
    for bad in ["abc", "AAAAAAAAAAA", "jigjegn==", "%%%", &good[1..]] {
        let mut x = base.clone();
        x["limit"] = json!(7);
        x["cursor"] = json!(bad);
        wc.post(ATTENDEES, &x).await.assert_code(40058);
    }
    let oneoff = wc.meeting("seed-oneoff");
    let mut foreign = full(&oneoff);
    foreign["limit"] = json!(7);
    foreign["cursor"] = json!(good);
    wc.post(ATTENDEES, &foreign).await.assert_code(40058);
    let mut moved = base.clone();
    moved["limit"] = json!(7);
    moved["start_time"] = json!(m.end - WINDOW + 1);
    moved["cursor"] = json!(good);
    wc.post(ATTENDEES, &moved).await.assert_code(40058);
    // An enrollment cursor is not an attendee cursor.
    let web = wc.meeting("seed-webinar");
    let e = wc
        .post(
            WEBINAR_ENROLL_LIST,
            &json!({"meetingid": web.id, "limit": 7}),
        )
        .await;
    e.assert_ok();
    let mut cross = base.clone();
    cross["limit"] = json!(7);
    cross["cursor"] = e.json["next_cursor"].clone();
    wc.post(ATTENDEES, &cross).await.assert_code(40058);
    // An empty cursor is a first call.
    let mut empty = base.clone();
    empty["cursor"] = json!("");
    let r = wc.post(ATTENDEES, &empty).await;
    r.assert_ok();
    assert_eq!(r.json["attendees"].as_array().unwrap().len(), 100);
    // Another token of the same app continues a chain.
    let secret = wc.sb.credentials().wecom.corp_secret;
    let other = wc.token_for(&secret).await;
    let mut cont = base.clone();
    cont["limit"] = json!(7);
    cont["cursor"] = json!(good);
    assert_eq!(wc.post_as(&other, ATTENDEES, &cont).await.text, p2.text);
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn attendee_windows() {
    let wc = Wc::small().await;
    let m = wc.meeting("seed-long-running");
    let now = wc.sb.clock().unix();
    let q = |s: Option<i64>, e: Option<i64>| {
        let mut b = json!({"meetingid": m.id, "limit": 100});
        if let Some(s) = s {
            b["start_time"] = json!(s);
        }
        if let Some(e) = e {
            b["end_time"] = json!(e);
        }
        b
    };
    wc.post(ATTENDEES, &q(Some(now - WINDOW - 1), Some(now)))
        .await
        .assert_code(40058);
    wc.post(ATTENDEES, &q(Some(now), Some(now - 1)))
        .await
        .assert_code(40058);
    wc.post(ATTENDEES, &q(Some(now - 32 * DAY), None))
        .await
        .assert_code(40058);
    for (s, e) in [
        (Some(now - WINDOW), Some(now)),
        (None, Some(now)),
        (Some(now - 10 * DAY), None),
        (None, None),
        (None, Some(now - 40 * DAY)),
    ] {
        let (rows, _) = wc.attendees(&q(s, e)).await;
        let window = wc.sb.truth().wecom_attendee_window(s, e).unwrap();
        assert_eq!(
            rows,
            wc.sb.truth().wecom_attendees(&m.id, None, Some(window))
        );
        assert!(!rows.is_empty(), "{s:?} {e:?}");
        if (s, e) == (None, None) {
            assert_eq!(window, (now - 90 * DAY, now));
            assert_eq!(rows.len(), 400, "90 days cover the whole meeting");
        }
        if s.is_none()
            && let Some(e) = e
        {
            assert_eq!(window, (e - WINDOW, e));
        }
    }
    // Bounds are inclusive on join_time.
    let all = wc.sb.truth().wecom_attendees(&m.id, None, None);
    let j = join(&all[200]);
    let (rows, _) = wc.attendees(&q(Some(j), Some(j))).await;
    assert!(!rows.is_empty() && rows.iter().all(|r| join(r) == j));
    let (rows, _) = wc.attendees(&q(Some(j + 1), Some(j + 1))).await;
    assert!(rows.iter().all(|r| join(r) == j + 1));
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn recurring_meetings_need_a_known_sub_meeting_and_ignore_windows() {
    let wc = Wc::small().await;
    let m = wc.meeting("seed-recurring");
    assert_eq!(m.kind, MeetingKind::Recurring);
    assert_eq!(m.sub_meetings.len(), 4);
    wc.post(ATTENDEES, &json!({"meetingid": m.id}))
        .await
        .assert_code(40058);
    wc.post(
        ATTENDEES,
        &json!({"meetingid": m.id, "start_time": m.start, "end_time": m.start + 10}),
    )
    .await
    .assert_code(40058);
    wc.post(
        ATTENDEES,
        &json!({"meetingid": m.id, "sub_meetingid": "nope"}),
    )
    .await
    .assert_code(730003);
    // A sub_meetingid on a meeting that is not recurring.
    let oneoff = wc.meeting("seed-oneoff");
    wc.post(
        ATTENDEES,
        &json!({"meetingid": oneoff.id, "sub_meetingid": m.sub_meetings[0].id}),
    )
    .await
    .assert_code(730003);
    let mut total = 0;
    for (i, sub) in m.sub_meetings.iter().enumerate() {
        // Any window, even an invalid one, is ignored.
        let body = json!({"meetingid": m.id, "sub_meetingid": sub.id, "start_time": 5,
                          "end_time": 1, "limit": 3});
        let (rows, pages) = wc.attendees(&body).await;
        assert_eq!(
            rows,
            wc.sb.truth().wecom_attendees(&m.id, Some(&sub.id), None)
        );
        assert_eq!(rows.len(), sub.sessions, "sub {i}");
        total += rows.len();
        match i {
            0 | 2 => assert!(!rows.is_empty()),
            1 => assert!(sub.deleted && rows.is_empty()),
            _ => {
                assert_eq!(sub.state, MeetingState::NotStarted);
                assert!(rows.is_empty());
                assert_eq!(pages.len(), 1);
                assert_eq!(pages[0].json["has_more"], false);
            }
        }
        assert!(
            rows.iter()
                .all(|r| (sub.start..=sub.end).contains(&join(r)))
        );
    }
    assert_eq!(total, m.sessions);
    // Repeat sessions of one person in one occurrence.
    let rows = wc
        .sb
        .truth()
        .wecom_attendees(&m.id, Some(&m.sub_meetings[2].id), None);
    let mut per: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        *per.entry(r["tmp_openid"].as_str().unwrap()).or_default() += 1;
    }
    assert!(per.values().any(|&n| n > 1));
    // The ground truth without a sub-meeting is empty (the endpoint refuses it).
    assert!(wc.sb.truth().wecom_attendees(&m.id, None, None).is_empty());
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn meeting_access_codes_and_not_started_meetings() {
    let wc = Wc::small().await;
    for path in [ATTENDEES, ENROLL_LIST, ENROLL_QUERY, INFO] {
        let body = |id: &str| json!({"meetingid": id, "tmp_openid_list": ["x"]});
        wc.post(path, &body("hyDoesNotExist"))
            .await
            .assert_code(90602);
        wc.post(path, &body(&wc.meeting("seed-other-app").id))
            .await
            .assert_code(730005);
        wc.post(path, &body(&wc.meeting("seed-deleted").id))
            .await
            .assert_code(730008);
    }
    wc.post(INFO, &json!({"meeting_code": "000000000"}))
        .await
        .assert_code(730004);
    wc.post(
        INFO,
        &json!({"meeting_code": wc.meeting("seed-other-app").code}),
    )
    .await
    .assert_code(730005);
    // The other app reads its own meeting, and not ours.
    let secret = wc.sb.credentials().wecom.apps[1].secret.clone();
    let t2 = wc.token_for(&secret).await;
    let other = wc.meeting("seed-other-app");
    let r = wc.post_as(&t2, ATTENDEES, &full(&other)).await;
    r.assert_ok();
    assert_eq!(
        r.json["attendees"].as_array().unwrap().len(),
        other.sessions
    );
    wc.post_as(
        &t2,
        INFO,
        &json!({"meetingid": wc.meeting("seed-oneoff").id}),
    )
    .await
    .assert_code(730005);
    // Not started: an empty list.
    let future = wc.meeting("seed-not-started");
    let r = wc.post(ATTENDEES, &json!({"meetingid": future.id})).await;
    r.assert_ok();
    assert_eq!(r.json["attendees"], json!([]));
    assert_eq!(r.json["has_more"], false);
    let snap = wc.sb.stats();
    assert_eq!(snap.rejections_of("wecom.get_attendee_list", "90602"), 1);
    assert_eq!(snap.rejections_of("wecom.get_info", "730004"), 1);
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn attendee_rows_carry_the_seeded_oddities() {
    let wc = Wc::small().await;
    let m = wc.meeting("seed-oneoff");
    let (rows, _) = wc
        .attendees(&json!({"meetingid": m.id, "start_time": m.start,
                                         "end_time": m.end, "limit": 100}))
        .await;
    assert_eq!(rows.len(), m.sessions);
    assert_eq!(rows.len(), 14);
    let userids: Vec<&str> = rows.iter().map(|r| r["userid"].as_str().unwrap()).collect();
    assert!(!userids.contains(&"outsider"), "outside the visible scope");
    assert_eq!(
        userids.iter().filter(|u| **u == "zhangsan").count(),
        3,
        "one row per session"
    );
    assert!(
        userids.iter().filter(|u| u.is_empty()).count() >= 4,
        "non-members have userid \"\""
    );
    assert!(rows.iter().any(|r| r["instance_id"] == 99));
    assert!(
        rows.iter()
            .any(|r| r["customer_data"] == "exclusive-link-42")
    );
    for r in &rows {
        assert!(
            r["join_time"].is_string() && r["quit_time"].is_string(),
            "{r}"
        );
        assert!(!r["quit_time"].as_str().unwrap().is_empty());
        assert!(r.get("net").is_none(), "net only while in the meeting");
        assert!(r["tmp_openid"].as_str().is_some_and(|t| !t.is_empty()));
        for k in ["instance_id", "role", "webinar_role", "join_type"] {
            assert!(r[k].is_u64(), "{k}: {r}");
        }
        for k in ["audio_state", "video_state", "screen_shared_state"] {
            assert!(r[k].is_boolean());
        }
    }
    let zs: Vec<&Value> = rows.iter().filter(|r| r["userid"] == "zhangsan").collect();
    let devices: HashSet<i64> = zs
        .iter()
        .map(|r| r["instance_id"].as_i64().unwrap())
        .collect();
    assert_eq!(devices.len(), 3);
    assert_eq!(
        zs.iter()
            .map(|r| r["tmp_openid"].clone())
            .collect::<HashSet<_>>()
            .len(),
        1,
        "one tmp_openid per person and meeting"
    );

    // Live: open sessions have quit_time "" and a net type.
    let live = wc.meeting("seed-live");
    assert_eq!(live.state, MeetingState::InProgress);
    let (rows, _) = wc.attendees(&full(&live)).await;
    let open: Vec<&Value> = rows.iter().filter(|r| r["quit_time"] == "").collect();
    assert!(!open.is_empty() && open.len() < rows.len());
    assert!(open.iter().all(|r| r["net"].is_string()));

    // Webinar roles, an unknown one included.
    let web = wc.meeting("seed-webinar");
    let (rows, _) = wc.attendees(&full(&web)).await;
    let roles: HashSet<i64> = rows
        .iter()
        .map(|r| r["webinar_role"].as_i64().unwrap())
        .collect();
    for r in [0, 1, 2, 3, 4, 9] {
        assert!(roles.contains(&r), "webinar_role {r}: {roles:?}");
    }
    wc.sb.shutdown().await;
}
