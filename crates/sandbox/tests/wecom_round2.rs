//! WeCom emulator, round-two endpoints (docs/specs/wecom.md §12): webinar enrollment lists and
//! ids, real-time attendees, waiting-room records and invitees, over raw HTTP against the
//! ground truth: limits and codes, the same-limit cursor rule, wrong-kind refusals both ways,
//! visible-scope filtering, and the real-time list following the manual clock.

mod common;
mod wecom_common;

use roster_sandbox::WeComApp;
use wecom_common::*;

use crate::common::T0;

/// A configuration whose first app hides `hidden` (the second app keeps the default scope).
fn hiding(hidden: &[&str]) -> SandboxConfig {
    let defaults = WeComConfig::default();
    let mut apps = defaults.apps.clone();
    apps[0] = WeComApp {
        hidden_userids: hidden.iter().map(|u| u.to_string()).collect(),
        ..apps[0].clone()
    };
    SandboxConfig {
        wecom: WeComConfig { apps, ..defaults },
        ..small_config()
    }
}

/// A sandbox with a WeCom setting changed.
async fn with(wecom: WeComConfig) -> Wc {
    Wc::new(SandboxConfig {
        wecom,
        ..small_config()
    })
    .await
}

fn len(r: &Reply, list: &str) -> usize {
    r.json[list].as_array().map_or(0, Vec::len)
}

/// Follows a chain whose last page has `next_cursor: ""` (waiting room, invitees): every page
/// before it has `has_more: true` and a non-empty cursor.
async fn chain_to_empty_cursor(
    wc: &Wc,
    path: &str,
    first: &Value,
    list: &str,
) -> (Vec<Value>, Vec<Reply>) {
    let mut items = Vec::new();
    let mut pages = Vec::new();
    let mut body = first.clone();
    loop {
        let r = wc.post(path, &body).await;
        r.assert_ok();
        items.extend(r.json[list].as_array().expect(list).iter().cloned());
        let more = r.json["has_more"].as_bool().expect("has_more");
        let next = r.json["next_cursor"]
            .as_str()
            .expect("next_cursor")
            .to_owned();
        pages.push(r);
        if !more {
            assert_eq!(next, "", "the last page's cursor is empty");
            break;
        }
        assert!(!next.is_empty(), "a cursor while has_more");
        body["cursor"] = json!(next);
        assert!(pages.len() < 1_000);
    }
    (items, pages)
}

/// The real-time rows the spec derives from the attendee rows (§12.3): the sessions open at
/// `now` (joined at or before it; `quit_time` empty or later), ascending join time, without the
/// fields that endpoint does not return.
fn open_sessions(attendee_rows: &[Value], now: i64) -> Vec<Value> {
    attendee_rows
        .iter()
        .filter(|r| {
            let quit = r["quit_time"].as_str().unwrap();
            join(r) <= now && (quit.is_empty() || quit.parse::<i64>().unwrap() > now)
        })
        .map(|r| {
            let mut r = r.clone();
            let o = r.as_object_mut().unwrap();
            for k in ["quit_time", "webinar_role", "net", "customer_data"] {
                o.remove(k);
            }
            r
        })
        .collect()
}

/// A whole real-time chain at `limit`.
async fn realtime_all(wc: &Wc, id: &str, limit: i64) -> (Vec<Value>, Vec<Reply>) {
    wc.chain(
        REALTIME,
        &json!({"meetingid": id, "limit": limit}),
        "attendees",
    )
    .await
}

#[tokio::test]
async fn webinar_enrollments_are_served_only_by_the_webinar_family() {
    let wc = Wc::small().await;
    let web = wc.meeting("seed-webinar");
    let oneoff = wc.meeting("seed-oneoff");
    let rec = wc.meeting("seed-recurring");
    assert_eq!(web.kind, MeetingKind::Webinar);
    let info = wc.post(INFO, &json!({"meetingid": web.id})).await;
    assert_eq!(info.json["meeting_type"], 6);
    let truth = wc.sb.truth();

    // webinar/enroll/list pages through every enrollment: pages of 50, last page has_more
    // false with a cursor, that cursor again gives an empty page.
    let first = json!({"meetingid": web.id});
    let (rows, pages) = wc.chain(WEBINAR_ENROLL_LIST, &first, "enroll_list").await;
    assert_eq!(rows.len(), web.enrollments);
    assert!(rows.len() > 100, "more than two pages at the maximum");
    assert_eq!(rows, truth.wecom_webinar_enrollments(&web.id, None));
    assert!(
        pages[..pages.len() - 1]
            .iter()
            .all(|p| len(p, "enroll_list") == 50)
    );
    let mut again = first.clone();
    again["cursor"] = pages.last().unwrap().json["next_cursor"].clone();
    let r = wc.post(WEBINAR_ENROLL_LIST, &again).await;
    r.assert_ok();
    assert_eq!(
        (r.json["enroll_list"].clone(), r.json["has_more"].clone()),
        (json!([]), json!(false))
    );
    for status in 1..=3 {
        let (rows, _) = wc
            .chain(
                WEBINAR_ENROLL_LIST,
                &json!({"meetingid": web.id, "status": status, "limit": 13}),
                "enroll_list",
            )
            .await;
        assert!(!rows.is_empty());
        assert_eq!(rows, truth.wecom_webinar_enrollments(&web.id, Some(status)));
    }
    // Same-limit rule, limits and uint32 typing.
    let r = wc
        .post(
            WEBINAR_ENROLL_LIST,
            &json!({"meetingid": web.id, "limit": 10}),
        )
        .await;
    let mut next = json!({"meetingid": web.id, "limit": 10, "cursor": r.json["next_cursor"]});
    wc.post(WEBINAR_ENROLL_LIST, &next).await.assert_ok();
    next["limit"] = json!(50);
    wc.post(WEBINAR_ENROLL_LIST, &next).await.assert_code(40058);
    let r = wc
        .post(WEBINAR_ENROLL_LIST, &json!({"meetingid": web.id}))
        .await;
    let next = json!({"meetingid": web.id, "limit": 50, "cursor": r.json["next_cursor"]});
    wc.post(WEBINAR_ENROLL_LIST, &next).await.assert_ok();
    for bad in [
        json!({"limit": 51}),
        json!({"limit": 0}),
        json!({"status": 4}),
    ] {
        let mut b = bad;
        b["meetingid"] = json!(web.id);
        wc.post(WEBINAR_ENROLL_LIST, &b).await.assert_code(40058);
    }
    let r = wc
        .post(
            WEBINAR_ENROLL_LIST,
            &json!({"meetingid": web.id, "status": -1}),
        )
        .await;
    r.assert_code(40058);
    assert!(
        r.errmsg().starts_with("Warning: wrong json format."),
        "{}",
        r.text
    );

    // webinar/enroll/query_by_tmp_openid: enrolled attendees only, as the truth says, and each
    // id is one of enroll_list's.
    let attendees = truth.wecom_attendees(&web.id, None, None);
    let mut ids: Vec<&str> = attendees
        .iter()
        .map(|a| a["tmp_openid"].as_str().unwrap())
        .collect();
    ids.push("nobody");
    let q = json!({"meetingid": web.id, "tmp_openid_list": ids});
    let r = wc.post(WEBINAR_ENROLL_QUERY, &q).await;
    r.assert_ok();
    let list = r.json["enroll_id_list"].as_array().unwrap().clone();
    assert!(!list.is_empty());
    assert_eq!(list, truth.wecom_webinar_enroll_ids(&web.id, &ids, None));
    let enroll_ids: HashSet<&Value> = rows.iter().map(|e| &e["enroll_id"]).collect();
    assert!(list.iter().all(|e| enroll_ids.contains(&e["enroll_id"])));
    let r = wc
        .post(
            WEBINAR_ENROLL_QUERY,
            &json!({"meetingid": web.id, "tmp_openid_list": ["nobody"]}),
        )
        .await;
    r.assert_ok();
    assert!(r.json.get("enroll_id_list").is_none(), "{}", r.text);
    let many: Vec<String> = (0..501).map(|i| format!("x{i}")).collect();
    for bad in [json!([]), json!(many)] {
        wc.post(
            WEBINAR_ENROLL_QUERY,
            &json!({"meetingid": web.id, "tmp_openid_list": bad}),
        )
        .await
        .assert_code(40058);
    }

    // Wrong kind, both ways: 730011 (kind before "enroll not enabled" on seed-recurring).
    let body = |id: &str| json!({"meetingid": id, "tmp_openid_list": ["x"]});
    for path in [ENROLL_LIST, ENROLL_QUERY] {
        wc.post(path, &body(&web.id)).await.assert_code(730011);
    }
    for path in [WEBINAR_ENROLL_LIST, WEBINAR_ENROLL_QUERY] {
        for id in [&oneoff.id, &rec.id] {
            wc.post(path, &body(id)).await.assert_code(730011);
        }
    }
    assert!(truth.wecom_enrollments(&web.id, None).is_empty());
    assert!(truth.wecom_webinar_enrollments(&oneoff.id, None).is_empty());
    assert!(!truth.wecom_enrollments(&oneoff.id, None).is_empty());

    // Meeting access as everywhere: unknown, deleted, another app's.
    for path in [WEBINAR_ENROLL_LIST, WEBINAR_ENROLL_QUERY] {
        wc.post(path, &body("hy-unknown")).await.assert_code(90602);
        wc.post(path, &body(&wc.meeting("seed-deleted").id))
            .await
            .assert_code(730008);
        wc.post(path, &body(&wc.meeting("seed-other-app").id))
            .await
            .assert_code(730005);
        wc.post(path, &json!({"tmp_openid_list": ["x"]}))
            .await
            .assert_code(40058);
    }
    let stats = wc.sb.stats();
    assert!(stats.requests_to("wecom.webinar_enroll_list") > 0);
    assert!(stats.requests_to("wecom.webinar_enroll_query_by_tmp_openid") > 0);
    assert_eq!(stats.rejections_of("wecom.enroll_list", "730011"), 1);
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn wrong_kind_codes_are_configurable() {
    // No refusal: both families serve both kinds (the round-one behaviour).
    let wc = with(WeComConfig {
        webinar_on_meeting_enroll_code: None,
        meeting_on_webinar_enroll_code: None,
        webinar_invitees_code: None,
        webinar_waiting_room_code: Some(730_011),
        webinar_realtime_code: Some(730_011),
        ..WeComConfig::default()
    })
    .await;
    let web = wc.meeting("seed-webinar");
    let oneoff = wc.meeting("seed-oneoff");
    let truth = wc.sb.truth();
    let (rows, _) = wc
        .chain(ENROLL_LIST, &json!({"meetingid": web.id}), "enroll_list")
        .await;
    assert_eq!(rows.len(), 120);
    assert_eq!(rows, truth.wecom_enrollments(&web.id, None));
    assert_eq!(rows, truth.wecom_webinar_enrollments(&web.id, None));
    let (rows, _) = wc
        .chain(
            WEBINAR_ENROLL_LIST,
            &json!({"meetingid": oneoff.id}),
            "enroll_list",
        )
        .await;
    assert_eq!(rows, truth.wecom_enrollments(&oneoff.id, None));
    let r = wc.post(INVITEES, &json!({"meetingid": web.id})).await;
    r.assert_ok();
    assert_eq!(r.json["invitees"], json!(truth.wecom_invitees(&web.id)));
    for path in [WAITING_ROOM, REALTIME] {
        wc.post(path, &json!({"meetingid": web.id}))
            .await
            .assert_code(730011);
    }
    assert!(truth.wecom_realtime_attendees(&web.id, None).is_empty());
    wc.sb.shutdown().await;

    // Another code.
    let wc = with(WeComConfig {
        webinar_on_meeting_enroll_code: Some(40058),
        ..WeComConfig::default()
    })
    .await;
    let web = wc.meeting("seed-webinar");
    wc.post(ENROLL_LIST, &json!({"meetingid": web.id}))
        .await
        .assert_code(40058);
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn realtime_rows_are_the_open_sessions_at_the_clock() {
    let wc = Wc::small().await;
    let live = wc.meeting("seed-live");
    let truth = wc.sb.truth();
    let attendee_rows = truth.wecom_attendees(&live.id, None, None);
    let clock = wc.sb.clock();

    // At the anchor: the sessions without quit_time, and only those.
    let (rows, pages) = realtime_all(&wc, &live.id, 2).await;
    let expected = open_sessions(&attendee_rows, T0);
    assert!(!expected.is_empty());
    assert_eq!(rows, expected);
    assert_eq!(rows, truth.wecom_realtime_attendees(&live.id, None));
    assert_eq!(
        rows.len(),
        attendee_rows
            .iter()
            .filter(|r| r["quit_time"] == "")
            .count()
    );
    assert!(pages.len() > 1);
    assert!(rows.iter().all(|r| r.get("quit_time").is_none()
        && r.get("webinar_role").is_none()
        && r.get("net").is_none()
        && r["join_time"].is_string()));
    assert!(rows.iter().any(|r| r["userid"] == ""), "a non-member");
    // The last page again: empty, has_more false.
    let mut again = json!({"meetingid": live.id, "limit": 2});
    again["cursor"] = pages.last().unwrap().json["next_cursor"].clone();
    let r = wc.post(REALTIME, &again).await;
    assert_eq!(
        (r.json["attendees"].clone(), r.json["has_more"].clone()),
        (json!([]), json!(false))
    );

    // The rows follow the manual clock.
    let mut seen = HashSet::new();
    for t in [
        live.start - 10,
        live.start + 100,
        live.start + 700,
        T0 + 3_600,
    ] {
        clock.set(t);
        let (rows, _) = realtime_all(&wc, &live.id, 50).await;
        assert_eq!(rows, open_sessions(&attendee_rows, t), "at {t}");
        assert_eq!(
            rows,
            truth.wecom_realtime_attendees(&live.id, None),
            "at {t}"
        );
        seen.insert(rows.len());
        if t < live.start {
            assert!(rows.is_empty(), "nobody before the first join");
        }
    }
    assert!(
        seen.len() >= 3,
        "different rows at different times: {seen:?}"
    );

    // A chain pages over the rows of its first call, whatever the clock does meanwhile.
    clock.set(live.start + 700);
    let snapshot = open_sessions(&attendee_rows, live.start + 700);
    assert_ne!(snapshot, open_sessions(&attendee_rows, T0));
    let first = wc
        .post(REALTIME, &json!({"meetingid": live.id, "limit": 2}))
        .await;
    clock.set(T0);
    let mut rows: Vec<Value> = first.json["attendees"].as_array().unwrap().clone();
    let mut body = json!({"meetingid": live.id, "limit": 2, "cursor": first.json["next_cursor"]});
    loop {
        let r = wc.post(REALTIME, &body).await;
        r.assert_ok();
        rows.extend(r.json["attendees"].as_array().unwrap().iter().cloned());
        if r.json["has_more"] == false {
            break;
        }
        body["cursor"] = r.json["next_cursor"].clone();
    }
    assert_eq!(rows, snapshot);

    // Limits and the same-limit rule (an omitted limit counts as the default, 50).
    for bad in [json!(51), json!(0), json!(-1)] {
        wc.post(REALTIME, &json!({"meetingid": live.id, "limit": bad}))
            .await
            .assert_code(40058);
    }
    let r = wc
        .post(REALTIME, &json!({"meetingid": live.id, "limit": 1}))
        .await;
    assert_eq!(len(&r, "attendees"), 1);
    assert_eq!(r.json["has_more"], true);
    let mut next = json!({"meetingid": live.id, "limit": 1, "cursor": r.json["next_cursor"]});
    wc.post(REALTIME, &next).await.assert_ok();
    next["limit"] = json!(2);
    wc.post(REALTIME, &next).await.assert_code(40058);
    next.as_object_mut().unwrap().remove("limit");
    wc.post(REALTIME, &next).await.assert_code(40058);
    let r = wc.post(REALTIME, &json!({"meetingid": live.id})).await;
    assert_eq!(
        len(&r, "attendees"),
        expected.len(),
        "default limit holds them all"
    );
    let next = json!({"meetingid": live.id, "limit": 50, "cursor": r.json["next_cursor"]});
    wc.post(REALTIME, &next).await.assert_ok();
    let garbled = json!({"meetingid": live.id, "cursor": "not-a-cursor"});
    wc.post(REALTIME, &garbled).await.assert_code(40058);
    let other = json!({"meetingid": wc.meeting("seed-oneoff").id, "limit": 50, "cursor": r.json["next_cursor"]});
    wc.post(REALTIME, &other).await.assert_code(40058);

    // Sub-meetings: required for recurring meetings, unknown → 730003, not for the others.
    let rec = wc.meeting("seed-recurring");
    wc.post(REALTIME, &json!({"meetingid": rec.id}))
        .await
        .assert_code(40058);
    wc.post(
        REALTIME,
        &json!({"meetingid": rec.id, "sub_meetingid": "999"}),
    )
    .await
    .assert_code(730003);
    wc.post(
        REALTIME,
        &json!({"meetingid": live.id, "sub_meetingid": rec.sub_meetings[0].id}),
    )
    .await
    .assert_code(730003);
    // Not in progress: empty lists (an ended occurrence, an ended and a future meeting, a
    // webinar served like a meeting).
    let sub = json!({"meetingid": rec.id, "sub_meetingid": rec.sub_meetings[0].id});
    for body in [
        sub,
        json!({"meetingid": wc.meeting("seed-oneoff").id}),
        json!({"meetingid": wc.meeting("seed-not-started").id}),
        json!({"meetingid": wc.meeting("seed-webinar").id}),
    ] {
        let r = wc.post(REALTIME, &body).await;
        r.assert_ok();
        assert_eq!(
            (r.json["attendees"].clone(), r.json["has_more"].clone()),
            (json!([]), json!(false))
        );
    }
    // Access.
    wc.post(REALTIME, &json!({"meetingid": "hy-unknown"}))
        .await
        .assert_code(90602);
    wc.post(
        REALTIME,
        &json!({"meetingid": wc.meeting("seed-deleted").id}),
    )
    .await
    .assert_code(730008);
    wc.post(
        REALTIME,
        &json!({"meetingid": wc.meeting("seed-other-app").id}),
    )
    .await
    .assert_code(730005);
    wc.post(REALTIME, &json!({})).await.assert_code(40058);
    assert!(
        wc.sb
            .stats()
            .requests_to("wecom.get_realtime_attendee_list")
            > 0
    );
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn realtime_scope_status_switch_and_default_limit() {
    // `live1` outside the visible scope: gone from both lists.
    let wc = Wc::new(hiding(&["outsider", "live1"])).await;
    let live = wc.meeting("seed-live");
    let attendee_rows = wc.sb.truth().wecom_attendees(&live.id, None, None);
    assert!(attendee_rows.iter().all(|r| r["userid"] != "live1"));
    let (rows, _) = wc
        .chain(REALTIME, &json!({"meetingid": live.id}), "attendees")
        .await;
    assert_eq!(rows, open_sessions(&attendee_rows, T0));
    assert!(rows.iter().all(|r| r["userid"] != "live1"));
    wc.sb.shutdown().await;
    let wc = Wc::small().await;
    let (rows, _) = wc
        .chain(
            REALTIME,
            &json!({"meetingid": wc.meeting("seed-live").id}),
            "attendees",
        )
        .await;
    assert!(
        rows.iter().any(|r| r["userid"] == "live1"),
        "served when visible"
    );
    wc.sb.shutdown().await;

    // The doc example's status and another default limit.
    let wc = with(WeComConfig {
        realtime_status: true,
        realtime_default_limit: 2,
        ..WeComConfig::default()
    })
    .await;
    let live = wc.meeting("seed-live");
    let r = wc.post(REALTIME, &json!({"meetingid": live.id})).await;
    r.assert_ok();
    assert_eq!(r.json["status"], "1");
    assert_eq!(len(&r, "attendees"), 2);
    let next = json!({"meetingid": live.id, "limit": 2, "cursor": r.json["next_cursor"]});
    wc.post(REALTIME, &next).await.assert_ok();
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn waiting_room_records() {
    let wc = Wc::small().await;
    let truth = wc.sb.truth();
    let live = wc.meeting("seed-live");
    let oneoff = wc.meeting("seed-oneoff");

    // Default limit 20; every page before the last has a cursor, the last has "".
    let (rows, pages) = chain_to_empty_cursor(
        &wc,
        WAITING_ROOM,
        &json!({"meetingid": live.id}),
        "user_list",
    )
    .await;
    assert!(
        rows.len() > 50,
        "more than one page at limit 50: {}",
        rows.len()
    );
    assert_eq!(rows, truth.wecom_waiting_room(&live.id));
    assert!(
        pages[..pages.len() - 1]
            .iter()
            .all(|p| len(p, "user_list") == 20)
    );
    let (at50, pages50) = chain_to_empty_cursor(
        &wc,
        WAITING_ROOM,
        &json!({"meetingid": live.id, "limit": 50}),
        "user_list",
    )
    .await;
    assert_eq!(at50, rows);
    assert_eq!(pages50.len(), rows.len().div_ceil(50));
    assert!(pages50.len() > 1);

    // Shapes: numbers in milliseconds within a day of the meeting, ascending join_time, one
    // still waiting (quit_time 0), non-members with userid "".
    let (lo, hi) = ((live.start - DAY) * 1_000, (live.end + DAY) * 1_000);
    for r in &rows {
        let j = r["join_time"].as_i64().expect("join_time is a number");
        let q = r["quit_time"].as_i64().expect("quit_time is a number");
        assert!((lo..=hi).contains(&j), "milliseconds: {r}");
        assert!(q == 0 || (j..=hi).contains(&q), "{r}");
        assert!(
            r["userid"].is_string() && r["tmp_openid"].is_string() && r["instance_id"].is_i64()
        );
    }
    assert!(
        rows.iter()
            .any(|r| r["join_time"].as_i64().unwrap() % 1_000 != 0)
    );
    assert!(
        rows.windows(2)
            .all(|w| w[0]["join_time"].as_i64() <= w[1]["join_time"].as_i64())
    );
    assert_eq!(
        rows.iter().filter(|r| r["quit_time"] == 0).count(),
        1,
        "one still waiting"
    );
    assert!(rows.iter().any(|r| r["userid"] == ""));

    // seed-oneoff: one person waited twice, with the tmp_openid of their attendee rows; the
    // member outside the visible scope is omitted.
    let rows = truth.wecom_waiting_room(&oneoff.id);
    let r = wc
        .post(WAITING_ROOM, &json!({"meetingid": oneoff.id, "limit": 50}))
        .await;
    assert_eq!(r.json["user_list"], json!(rows));
    assert_eq!(
        (r.json["has_more"].clone(), r.json["next_cursor"].clone()),
        (json!(false), json!(""))
    );
    let mut count: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        *count.entry(r["tmp_openid"].as_str().unwrap()).or_default() += 1;
    }
    let twice: Vec<&str> = count
        .iter()
        .filter(|(_, n)| **n == 2)
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(twice.len(), 1, "{count:?}");
    let attendee_rows = truth.wecom_attendees(&oneoff.id, None, None);
    assert!(
        attendee_rows.iter().any(|a| a["tmp_openid"] == twice[0]),
        "same tmp_openid"
    );
    assert!(rows.iter().all(|r| r["userid"] != "outsider"));
    assert!(rows.iter().any(|r| r["instance_id"] == 0), "a phone");

    // Limits and the same-limit rule (an omitted limit is 20).
    for bad in [json!(51), json!(0), json!("5")] {
        wc.post(WAITING_ROOM, &json!({"meetingid": live.id, "limit": bad}))
            .await
            .assert_code(40058);
    }
    let r = wc
        .post(WAITING_ROOM, &json!({"meetingid": live.id, "limit": 20}))
        .await;
    let mut next = json!({"meetingid": live.id, "cursor": r.json["next_cursor"]});
    wc.post(WAITING_ROOM, &next).await.assert_ok();
    next["limit"] = json!(21);
    wc.post(WAITING_ROOM, &next).await.assert_code(40058);
    next["meetingid"] = json!(oneoff.id);
    next["limit"] = json!(20);
    wc.post(WAITING_ROOM, &next).await.assert_code(40058);
    wc.post(
        WAITING_ROOM,
        &json!({"meetingid": live.id, "cursor": "zzz"}),
    )
    .await
    .assert_code(40058);

    // get_info says which meetings had a waiting room.
    for (m, on) in [
        (&live, true),
        (&oneoff, true),
        (&wc.meeting("seed-webinar"), false),
    ] {
        let info = wc.post(INFO, &json!({"meetingid": m.id})).await;
        assert_eq!(
            info.json["settings"]["enable_waiting_room"], on,
            "{}",
            m.label
        );
    }

    // A webinar: an empty list. Access codes as everywhere.
    let r = wc
        .post(
            WAITING_ROOM,
            &json!({"meetingid": wc.meeting("seed-webinar").id}),
        )
        .await;
    r.assert_ok();
    assert_eq!(
        (r.json["user_list"].clone(), r.json["has_more"].clone()),
        (json!([]), json!(false))
    );
    wc.post(WAITING_ROOM, &json!({"meetingid": "hy-unknown"}))
        .await
        .assert_code(90602);
    wc.post(
        WAITING_ROOM,
        &json!({"meetingid": wc.meeting("seed-deleted").id}),
    )
    .await
    .assert_code(730008);
    wc.post(
        WAITING_ROOM,
        &json!({"meetingid": wc.meeting("seed-other-app").id}),
    )
    .await
    .assert_code(730005);
    assert!(wc.sb.stats().requests_to("wecom.waitingroom_get_user_list") > 0);
    wc.sb.shutdown().await;

    // With nobody hidden, `outsider`'s stay is served; the switch omits the last cursor.
    let mut config = hiding(&[]);
    config.wecom.waiting_room_omit_final_cursor = true;
    let wc = Wc::new(config).await;
    let oneoff = wc.meeting("seed-oneoff");
    let r = wc
        .post(WAITING_ROOM, &json!({"meetingid": oneoff.id, "limit": 50}))
        .await;
    r.assert_ok();
    assert!(r.json.get("next_cursor").is_none(), "{}", r.text);
    let served = r.json["user_list"].as_array().unwrap();
    assert_eq!(served.len(), rows.len() + 1);
    assert!(served.iter().any(|r| r["userid"] == "outsider"));
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn invitees_pages_and_agree_with_get_info() {
    let wc = Wc::small().await;
    let truth = wc.sb.truth();
    let live = wc.meeting("seed-live");

    let (rows, pages) =
        chain_to_empty_cursor(&wc, INVITEES, &json!({"meetingid": live.id}), "invitees").await;
    assert!(rows.len() > 100);
    assert_eq!(rows, truth.wecom_invitees(&live.id));
    assert_eq!(len(&pages[0], "invitees"), 100, "pages of 100");
    assert_eq!(pages.len(), rows.len().div_ceil(100));
    let userids: Vec<&str> = rows.iter().map(|r| r["userid"].as_str().unwrap()).collect();
    assert_eq!(
        userids.iter().collect::<HashSet<_>>().len(),
        userids.len(),
        "each once"
    );
    assert!(!userids.contains(&"outsider"), "outside the visible scope");
    assert!(
        rows.iter().all(|r| r.as_object().unwrap().len() == 1),
        "userid only"
    );

    // One list with get_info: invited members who never joined are its status-2 members, and
    // every status-2 member is invited.
    let attended: HashSet<String> = truth
        .wecom_attendees(&live.id, None, None)
        .iter()
        .filter_map(|r| r["userid"].as_str())
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .collect();
    let info = wc.post(INFO, &json!({"meetingid": live.id})).await;
    let absent: HashSet<&str> = info.json["attendees"]["member"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == 2)
        .map(|m| m["userid"].as_str().unwrap())
        .collect();
    let never_joined: HashSet<&str> = userids
        .iter()
        .copied()
        .filter(|u| !attended.contains(*u))
        .collect();
    assert!(never_joined.len() > 50, "invited members who never joined");
    assert!(
        userids.iter().filter(|u| attended.contains(**u)).count() > 1,
        "invited members who joined"
    );
    assert_eq!(absent, never_joined);

    // A `limit` in the body is ignored; a bad or foreign cursor is 40058.
    let r = wc
        .post(INVITEES, &json!({"meetingid": live.id, "limit": 5}))
        .await;
    assert_eq!(len(&r, "invitees"), 100);
    let r2 = wc
        .post(INVITEES, &json!({"meetingid": live.id, "limit": "x"}))
        .await;
    assert_eq!(r2.json["invitees"], r.json["invitees"]);
    let oneoff = wc.meeting("seed-oneoff");
    wc.post(
        INVITEES,
        &json!({"meetingid": oneoff.id, "cursor": r.json["next_cursor"]}),
    )
    .await
    .assert_code(40058);
    wc.post(
        INVITEES,
        &json!({"meetingid": live.id, "cursor": "AAAAAAAAAAA"}),
    )
    .await
    .assert_code(40058);
    let r = wc.post(INVITEES, &json!({"meetingid": oneoff.id})).await;
    assert_eq!(r.json["invitees"], json!(truth.wecom_invitees(&oneoff.id)));
    assert_eq!(
        (r.json["has_more"].clone(), r.json["next_cursor"].clone()),
        (json!(false), json!(""))
    );

    // Webinar → 730011; access codes.
    wc.post(
        INVITEES,
        &json!({"meetingid": wc.meeting("seed-webinar").id}),
    )
    .await
    .assert_code(730011);
    wc.post(INVITEES, &json!({"meetingid": "hy-unknown"}))
        .await
        .assert_code(90602);
    wc.post(
        INVITEES,
        &json!({"meetingid": wc.meeting("seed-deleted").id}),
    )
    .await
    .assert_code(730008);
    wc.post(
        INVITEES,
        &json!({"meetingid": wc.meeting("seed-other-app").id}),
    )
    .await
    .assert_code(730005);
    wc.post(INVITEES, &json!({"meetingid": 5}))
        .await
        .assert_code(40058);
    assert!(wc.sb.stats().requests_to("wecom.get_invitees") > 0);
    wc.sb.shutdown().await;

    // Another page size; nobody hidden: `outsider` appears; the switch omits the last cursor.
    let mut config = hiding(&[]);
    config.wecom.invitee_page_size = 30;
    config.wecom.invitees_omit_final_cursor = true;
    let wc = Wc::new(config).await;
    let live = wc.meeting("seed-live");
    let mut body = json!({"meetingid": live.id});
    let mut served = Vec::new();
    loop {
        let r = wc.post(INVITEES, &body).await;
        r.assert_ok();
        assert!(len(&r, "invitees") <= 30);
        served.extend(r.json["invitees"].as_array().unwrap().iter().cloned());
        if r.json["has_more"] == false {
            assert!(r.json.get("next_cursor").is_none(), "{}", r.text);
            break;
        }
        assert_eq!(len(&r, "invitees"), 30);
        body["cursor"] = r.json["next_cursor"].clone();
    }
    assert_eq!(served.len(), rows.len() + 1);
    assert!(served.iter().any(|r| r["userid"] == "outsider"));
    assert_eq!(served, wc.sb.truth().wecom_invitees(&live.id));
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn new_endpoints_share_the_token_tier_limit_and_body_rules() {
    let wc = with(WeComConfig {
        per_minute: 3,
        ..WeComConfig::default()
    })
    .await;
    let live = wc.meeting("seed-live").id;
    let web = wc.meeting("seed-webinar").id;
    let cases = [
        (WEBINAR_ENROLL_LIST, "wecom.webinar_enroll_list", &web),
        (
            WEBINAR_ENROLL_QUERY,
            "wecom.webinar_enroll_query_by_tmp_openid",
            &web,
        ),
        (REALTIME, "wecom.get_realtime_attendee_list", &live),
        (WAITING_ROOM, "wecom.waitingroom_get_user_list", &live),
        (INVITEES, "wecom.get_invitees", &live),
    ];
    for (path, key, id) in cases {
        let body = json!({"meetingid": id, "tmp_openid_list": ["x"]}).to_string();
        wc.raw("POST", path, None, &body).await.assert_code(41001);
        wc.raw("POST", path, Some("garbled"), &body)
            .await
            .assert_code(40014);
        wc.raw("GET", path, Some(&wc.token), &body)
            .await
            .assert_code(40058);
        let r = wc
            .raw("POST", path, Some(&wc.token), "{\"meetingid\":")
            .await;
        r.assert_code(40058);
        assert!(
            r.errmsg().starts_with("Warning: wrong json format."),
            "{}",
            r.text
        );
        // Calls past the token check count (GET and bad JSON included): the fourth is 45009.
        wc.raw("POST", path, Some(&wc.token), &body)
            .await
            .assert_ok();
        wc.raw("POST", path, Some(&wc.token), &body)
            .await
            .assert_code(45009);
        assert_eq!(wc.sb.stats().requests_to(key), 6, "{key}");
    }
    wc.sb.shutdown().await;

    // Without the advanced tier, all five answer 730007; an app without meeting API 48002.
    let wc = with(WeComConfig {
        advanced_tier: false,
        ..WeComConfig::default()
    })
    .await;
    let live = wc.meeting("seed-live").id;
    for (path, _, _) in cases {
        wc.post(path, &json!({"meetingid": live, "tmp_openid_list": ["x"]}))
            .await
            .assert_code(730007);
    }
    wc.admin("/_sandbox/wecom/app?agentid=1000002&meeting_api=false")
        .await;
    for (path, _, _) in cases {
        wc.post(path, &json!({"meetingid": live}))
            .await
            .assert_code(48002);
    }
    wc.sb.shutdown().await;

    // The other app reads its own meeting and is refused the first app's.
    let wc = Wc::small().await;
    let token2 = wc
        .token_for(&wc.sb.credentials().wecom.apps[1].secret)
        .await;
    let other = wc.meeting("seed-other-app").id;
    let live = wc.meeting("seed-live").id;
    for path in [REALTIME, WAITING_ROOM, INVITEES] {
        wc.post_as(&token2, path, &json!({"meetingid": other}))
            .await
            .assert_ok();
        wc.post_as(&token2, path, &json!({"meetingid": live}))
            .await
            .assert_code(730005);
    }
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn ground_truth_over_http() {
    let wc = Wc::small().await;
    let truth = wc.sb.truth();
    let get = |path: String| {
        let url = format!("{}{path}", wc.base);
        let c = wc.c.clone();
        async move {
            let r = c.get(url).send().await.unwrap();
            let status = r.status().as_u16();
            let body = r.bytes().await.unwrap();
            (status, serde_json::from_slice::<Value>(&body).unwrap())
        }
    };
    let live = wc.meeting("seed-live").id;
    let web = wc.meeting("seed-webinar").id;
    let rec = wc.meeting("seed-recurring");
    let cases = [
        (
            format!("/_sandbox/truth/wecom/webinar-enrollments/{web}?status=3"),
            truth.wecom_webinar_enrollments(&web, Some(3)),
        ),
        (
            format!("/_sandbox/truth/wecom/realtime/{live}"),
            truth.wecom_realtime_attendees(&live, None),
        ),
        (
            format!(
                "/_sandbox/truth/wecom/realtime/{}?sub_meetingid={}",
                rec.id, rec.sub_meetings[0].id
            ),
            truth.wecom_realtime_attendees(&rec.id, Some(&rec.sub_meetings[0].id)),
        ),
        (
            format!("/_sandbox/truth/wecom/waiting-room/{live}"),
            truth.wecom_waiting_room(&live),
        ),
        (
            format!("/_sandbox/truth/wecom/invitees/{live}"),
            truth.wecom_invitees(&live),
        ),
        (
            "/_sandbox/truth/wecom/invitees/hy-unknown".to_owned(),
            Vec::new(),
        ),
    ];
    for (path, want) in cases {
        let (status, got) = get(path.clone()).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(got, Value::Array(want), "{path}");
    }
    assert!(!truth.wecom_realtime_attendees(&live, None).is_empty());
    let (status, _) = get(format!(
        "/_sandbox/truth/wecom/webinar-enrollments/{web}?status=x"
    ))
    .await;
    assert_eq!(status, 400);
    wc.sb.shutdown().await;
}
