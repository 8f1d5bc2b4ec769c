//! WeCom emulator: attendee lists, enrollments, get_info, get_user_meetingid, seed data,
//! determinism and fixtures (docs/specs/wecom.md §4, §9 items 5–11, 14, 15) against the ground truth, over raw
//! HTTP.

mod common;
mod wecom_common;

use std::collections::{HashMap, HashSet};

use common::small_config;
use roster_sandbox::{
    DataConfig, Fixture, MeetingKind, MeetingState, SandboxConfig, Vendor, WeComConfig,
};
use serde_json::{Value, json};
use wecom_common::*;

const DAY: i64 = 86_400;
const WINDOW: i64 = 2_678_400;

fn full(m: &roster_sandbox::CatalogMeeting) -> Value {
    json!({"meetingid": m.id, "start_time": m.start, "end_time": m.end})
}

fn join(row: &Value) -> i64 {
    row["join_time"]
        .as_str()
        .expect("join_time is a string")
        .parse()
        .unwrap()
}

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
        .post(ENROLL_LIST, &json!({"meetingid": web.id, "limit": 7}))
        .await;
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

/// Checks a `get_info.attendees` summary against the attendee rows it summarises.
fn check_summary(summary: &Value, rows: &[Value]) {
    #[derive(Default)]
    struct P {
        count: u64,
        first: i64,
        last: i64,
        closed: Vec<(i64, i64)>,
    }
    let mut people: HashMap<String, P> = HashMap::new();
    for r in rows {
        let u = r["userid"].as_str().unwrap();
        if u.is_empty() {
            continue;
        }
        let p = people.entry(u.to_owned()).or_insert(P {
            first: i64::MAX,
            ..P::default()
        });
        let j = join(r);
        p.count += 1;
        p.first = p.first.min(j);
        if let Ok(q) = r["quit_time"].as_str().unwrap().parse::<i64>() {
            p.last = p.last.max(q);
            p.closed.push((j, q));
        }
    }
    let members = summary["member"].as_array().unwrap();
    let attended: Vec<&Value> = members.iter().filter(|m| m["status"] == 1).collect();
    assert_eq!(attended.len(), people.len(), "{summary}");
    for e in attended {
        let p = &people[e["userid"].as_str().unwrap()];
        assert_eq!(e["total_join_count"], p.count, "{e}");
        assert_eq!(e["first_join_time"], p.first, "{e}");
        assert_eq!(e["last_quit_time"], p.last, "{e}");
        let mut closed = p.closed.clone();
        closed.sort();
        let (mut total, mut cur) = (0, None::<(i64, i64)>);
        for (s, q) in closed {
            cur = match cur {
                Some((cs, cq)) if s <= cq => Some((cs, cq.max(q))),
                Some((cs, cq)) => {
                    total += cq - cs;
                    Some((s, q))
                }
                None => Some((s, q)),
            };
        }
        total += cur.map_or(0, |(s, q)| q - s);
        assert_eq!(e["cumulative_time"], total, "{e}");
    }
    for e in members.iter().filter(|m| m["status"] == 2) {
        assert!(!people.contains_key(e["userid"].as_str().unwrap()));
        assert_eq!(e["total_join_count"], 0);
    }
}

#[tokio::test]
async fn get_info_numbers_summary_and_sub_meetings() {
    let wc = Wc::small().await;
    let m = wc.meeting("seed-oneoff");
    let r = wc.post(INFO, &json!({"meetingid": m.id})).await;
    r.assert_ok();
    let v = &r.json;
    for k in [
        "meeting_start",
        "meeting_duration",
        "status",
        "meeting_type",
        "agentid",
    ] {
        assert!(v[k].is_u64(), "{k} is a number: {v}");
    }
    assert_eq!(v["meeting_start"], m.start);
    assert_eq!(v["meeting_duration"], m.end - m.start);
    assert_eq!(v["status"], 3);
    assert_eq!(v["meeting_type"], 0);
    assert_eq!(v["admin_userid"], "owner1");
    assert_eq!(v["agentid"], 1_000_002);
    assert_eq!(v["meeting_code"], m.code.as_str());
    assert_eq!(v["settings"]["enable_enroll"], true);
    assert_eq!(v["reminders"]["is_repeat"], 0);
    assert!(v["attendees"].is_object());
    let rows = wc.sb.truth().wecom_attendees(&m.id, None, None);
    check_summary(&v["attendees"], &rows);
    let members = v["attendees"]["member"].as_array().unwrap();
    let by_user: HashMap<&str, &Value> = members
        .iter()
        .map(|e| (e["userid"].as_str().unwrap(), e))
        .collect();
    assert!(
        !by_user.contains_key("outsider"),
        "outside the visible scope"
    );
    assert!(!by_user.contains_key(""), "departed members have no entry");
    assert_eq!(by_user["absent1"]["status"], 2, "invited, did not attend");
    assert_eq!(by_user["zhangsan"]["total_join_count"], 3);
    assert_eq!(
        by_user["bob2"]["cumulative_time"], 2_500,
        "overlaps counted once"
    );
    let ext = v["attendees"]["tmp_external_user"].as_array().unwrap();
    assert_eq!(
        ext.len(),
        3,
        "external contacts, not the WeChat guest: {ext:?}"
    );
    assert!(ext.iter().any(|e| e["status"] == 3), "unknown status kept");
    assert!(ext.iter().all(|e| e["tmp_external_userid"].is_string()));
    let mut truth = wc.sb.truth().wecom_meeting_info(&m.id, None).unwrap();
    truth["errcode"] = json!(0);
    truth["errmsg"] = json!("ok");
    assert_eq!(*v, truth);
    // By meeting code: the same answer.
    let by_code = wc.post(INFO, &json!({"meeting_code": m.code})).await;
    assert_eq!(by_code.json, r.json);

    // States and kinds.
    for (label, status, kind) in [
        ("seed-live", 2, 0),
        ("seed-not-started", 1, 0),
        ("seed-cancelled", 4, 0),
        ("seed-webinar", 3, 6),
        ("seed-long-running", 3, 5),
        ("seed-recurring", 1, 1),
    ] {
        let r = wc
            .post(INFO, &json!({"meetingid": wc.meeting(label).id}))
            .await;
        assert_eq!(r.json["status"], status, "{label}");
        assert_eq!(r.json["meeting_type"], kind, "{label}");
    }

    // Recurring: sub-meetings, the current one, per-occurrence summaries.
    let rec = wc.meeting("seed-recurring");
    let r = wc.post(INFO, &json!({"meetingid": rec.id})).await;
    let v = &r.json;
    assert_eq!(v["reminders"]["is_repeat"], 1);
    assert_eq!(v["current_sub_meetingid"], rec.sub_meetings[3].id.as_str());
    assert_eq!(v["remain_sub_meetings"], 1);
    let subs = v["sub_meetings"].as_array().unwrap();
    assert_eq!(subs.len(), 4);
    assert_eq!(subs[1]["status"], 1, "deleted occurrence");
    assert_eq!(subs[0]["status"], 0);
    assert_eq!(subs[2]["start_time"], rec.sub_meetings[2].start);
    let all: Vec<Value> = rec
        .sub_meetings
        .iter()
        .flat_map(|s| wc.sb.truth().wecom_attendees(&rec.id, Some(&s.id), None))
        .collect();
    check_summary(&v["attendees"], &all);
    let sub = &rec.sub_meetings[2];
    let r = wc
        .post(INFO, &json!({"meetingid": rec.id, "sub_meetingid": sub.id}))
        .await;
    r.assert_ok();
    assert_eq!(r.json["meeting_start"], sub.start);
    check_summary(
        &r.json["attendees"],
        &wc.sb.truth().wecom_attendees(&rec.id, Some(&sub.id), None),
    );
    wc.post(INFO, &json!({"meetingid": rec.id, "sub_meetingid": "nope"}))
        .await
        .assert_code(730003);
    wc.post(INFO, &json!({"meetingid": m.id, "sub_meetingid": sub.id}))
        .await
        .assert_code(730003);
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn enrollment_lists() {
    let wc = Wc::small().await;
    let web = wc.meeting("seed-webinar");
    assert_eq!(web.enrollments, 120);
    let first = json!({"meetingid": web.id, "limit": 50});
    let (rows, pages) = wc.chain(ENROLL_LIST, &first, "enroll_list").await;
    assert_eq!(pages.len(), 3);
    assert_eq!(
        pages
            .iter()
            .map(|p| p.json["enroll_list"].as_array().unwrap().len())
            .collect::<Vec<_>>(),
        [50, 50, 20]
    );
    assert_eq!(rows, wc.sb.truth().wecom_enrollments(&web.id, None));
    // The last cursor again: empty, has_more false, a cursor.
    let mut again = first.clone();
    again["cursor"] = pages[2].json["next_cursor"].clone();
    let r = wc.post(ENROLL_LIST, &again).await;
    assert_eq!(r.json["enroll_list"], json!([]));
    assert_eq!(r.json["has_more"], false);
    assert!(!r.json["next_cursor"].as_str().unwrap().is_empty());
    let ids: HashSet<&str> = rows
        .iter()
        .map(|r| r["enroll_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 120, "enroll_id strings, unique per meeting");
    for r in &rows {
        let t = r["enroll_time"].as_str().unwrap();
        let b = t.as_bytes();
        assert!(
            t.len() == 16 && b[4] == b'/' && b[7] == b'/' && b[10] == b' ' && b[13] == b':',
            "YYYY/MM/DD HH:mm: {t}"
        );
    }
    // Status filters.
    for status in 1..=3 {
        let (rows, _) = wc
            .chain(
                ENROLL_LIST,
                &json!({"meetingid": web.id, "status": status, "limit": 17}),
                "enroll_list",
            )
            .await;
        assert_eq!(rows, wc.sb.truth().wecom_enrollments(&web.id, Some(status)));
        assert!(!rows.is_empty() && rows.iter().all(|r| r["status"] == status));
    }
    // Defaults and limits.
    let r = wc.post(ENROLL_LIST, &json!({"meetingid": web.id})).await;
    assert_eq!(r.json["enroll_list"].as_array().unwrap().len(), 50);
    let mut next = json!({"meetingid": web.id, "limit": 50, "cursor": r.json["next_cursor"]});
    wc.post(ENROLL_LIST, &next).await.assert_ok();
    next["limit"] = json!(20);
    wc.post(ENROLL_LIST, &next).await.assert_code(40058);
    next["limit"] = json!(50);
    next["status"] = json!(3);
    wc.post(ENROLL_LIST, &next).await.assert_code(40058);
    for bad in [
        json!({"limit": 51}),
        json!({"limit": 0}),
        json!({"status": 4}),
        json!({"status": -1}),
    ] {
        let mut b = bad.clone();
        b["meetingid"] = json!(web.id);
        wc.post(ENROLL_LIST, &b).await.assert_code(40058);
    }

    // Seed oddities: every status, question type and special type; a phone import.
    let m = wc.meeting("seed-oneoff");
    let (rows, _) = wc
        .chain(ENROLL_LIST, &json!({"meetingid": m.id}), "enroll_list")
        .await;
    let statuses: HashSet<i64> = rows.iter().map(|r| r["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, HashSet::from([1, 2, 3]));
    let answers: Vec<&Value> = rows
        .iter()
        .flat_map(|r| r["answer_list"].as_array().unwrap())
        .collect();
    let qtypes: HashSet<i64> = answers
        .iter()
        .map(|a| a["question_type"].as_i64().unwrap())
        .collect();
    let specials: HashSet<i64> = answers
        .iter()
        .map(|a| a["special_type"].as_i64().unwrap())
        .collect();
    let required: HashSet<i64> = answers
        .iter()
        .map(|a| a["is_required"].as_i64().unwrap())
        .collect();
    assert_eq!(qtypes, HashSet::from([1, 2, 3]));
    assert_eq!(specials, HashSet::from([1, 2, 3, 4, 5]));
    assert_eq!(required, HashSet::from([1, 2]));
    let import = rows
        .iter()
        .find(|r| r["enroll_source_type"] == 2 && r.get("tmp_openid").is_none())
        .expect("a phone import who never joined, without tmp_openid");
    assert_eq!(import["nick_name"], "13500000000");
    assert!(import.get("userid").is_none());
    assert!(
        rows.iter()
            .any(|r| r["userid"] == "test1" && r["enroll_source_type"] == 1)
    );

    // Enrollment disabled.
    let rec = wc.meeting("seed-recurring");
    for path in [ENROLL_LIST, ENROLL_QUERY] {
        let r = wc
            .post(
                path,
                &json!({"meetingid": rec.id, "tmp_openid_list": ["x"]}),
            )
            .await;
        r.assert_code(40058);
        assert!(r.errmsg().starts_with("enroll not enabled"), "{}", r.text);
    }
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn enroll_ids_by_tmp_openid() {
    let wc = Wc::small().await;
    let m = wc.meeting("seed-oneoff");
    let rows = wc.sb.truth().wecom_attendees(&m.id, None, None);
    let enrolls = wc.sb.truth().wecom_enrollments(&m.id, None);
    let all_tmp: Vec<String> = rows
        .iter()
        .map(|r| r["tmp_openid"].as_str().unwrap().to_owned())
        .chain(
            enrolls
                .iter()
                .filter_map(|e| e["tmp_openid"].as_str().map(str::to_owned)),
        )
        .collect();
    let refs: Vec<&str> = all_tmp.iter().map(String::as_str).collect();

    // Limits.
    let q = |ids: Value| json!({"meetingid": m.id, "tmp_openid_list": ids});
    wc.post(ENROLL_QUERY, &q(json!([])))
        .await
        .assert_code(40058);
    wc.post(ENROLL_QUERY, &json!({"meetingid": m.id}))
        .await
        .assert_code(40058);
    let many: Vec<String> = (0..501).map(|i| format!("unknown{i}")).collect();
    wc.post(ENROLL_QUERY, &q(json!(many)))
        .await
        .assert_code(40058);
    let r = wc.post(ENROLL_QUERY, &q(json!(many[..500]))).await;
    r.assert_ok();
    assert!(
        r.json.get("enroll_id_list").is_none(),
        "omitted when nothing matches: {}",
        r.text
    );
    let mut bad_rule = q(json!(refs));
    bad_rule["sorting_rules"] = json!(3);
    wc.post(ENROLL_QUERY, &bad_rule).await.assert_code(40058);

    // Everyone: enrolled people only, unknown ids skipped, matches the truth and enroll/list.
    let mut with_unknown = refs.clone();
    with_unknown.insert(1, "nobody");
    let r = wc.post(ENROLL_QUERY, &q(json!(with_unknown))).await;
    r.assert_ok();
    let list = r.json["enroll_id_list"].as_array().unwrap().clone();
    assert_eq!(
        list,
        wc.sb.truth().wecom_enroll_ids(&m.id, &with_unknown, None)
    );
    let by_id: HashMap<&str, &Value> = enrolls
        .iter()
        .map(|e| (e["enroll_id"].as_str().unwrap(), e))
        .collect();
    for e in &list {
        assert_eq!(
            by_id[e["enroll_id"].as_str().unwrap()]["tmp_openid"],
            e["tmp_openid"]
        );
    }
    let with_tmp = enrolls
        .iter()
        .filter(|e| e.get("tmp_openid").is_some())
        .count();
    assert_eq!(list.len(), with_tmp);

    // One person with two enrollments: sorting_rules 1 puts the import first, 2 the
    // self-service one.
    let pstn = enrolls
        .iter()
        .filter(|e| e["nick_name"] == "电话用户" || e["nick_name"] == "13600000000")
        .collect::<Vec<_>>();
    assert_eq!(pstn.len(), 2);
    let t = pstn[0]["tmp_openid"].as_str().unwrap();
    assert_eq!(pstn[1]["tmp_openid"], t);
    let source_of = |id: &Value| by_id[id.as_str().unwrap()]["enroll_source_type"].clone();
    for (rule, first_source) in [(1, 2), (2, 1)] {
        let mut body = q(json!([t]));
        body["sorting_rules"] = json!(rule);
        let r = wc.post(ENROLL_QUERY, &body).await;
        let l = r.json["enroll_id_list"].as_array().unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(source_of(&l[0]["enroll_id"]), first_source, "rule {rule}");
        assert_eq!(*l, wc.sb.truth().wecom_enroll_ids(&m.id, &[t], Some(rule)));
    }
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn user_meeting_ids() {
    let wc = Wc::small().await;
    let now = wc.sb.clock().unix();
    let truth = wc.sb.truth().wecom_user_meetingids("owner1", None, None);
    let catalog = wc.sb.catalog();
    let ours: HashSet<&str> = catalog
        .of(Vendor::WeCom)
        .filter(|m| {
            !["seed-other-app", "seed-deleted", "seed-cancelled"].contains(&m.label.as_str())
        })
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(
        truth.iter().map(String::as_str).collect::<HashSet<_>>(),
        ours
    );
    assert!(
        truth.contains(&wc.meeting("seed-not-started").id),
        "upcoming meetings listed"
    );

    // Pages of 4: next_cursor until the last page, which has "".
    let mut got = Vec::new();
    let mut body = json!({"userid": "owner1", "limit": 4, "cursor": "0"});
    let mut pages = 0;
    loop {
        let r = wc.post(MEETING_IDS, &body).await;
        r.assert_ok();
        assert!(r.json.get("has_more").is_none());
        got.extend(
            r.json["meetingid_list"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned()),
        );
        pages += 1;
        let next = r.json["next_cursor"]
            .as_str()
            .expect("next_cursor present")
            .to_owned();
        if next.is_empty() {
            break;
        }
        body["cursor"] = json!(next);
    }
    assert_eq!(got, truth);
    assert_eq!(pages, truth.len().div_ceil(4));
    let mut bad = body.clone();
    bad["cursor"] = json!("garbage");
    wc.post(MEETING_IDS, &bad).await.assert_code(40058);

    // Windows: at most 180 days; upcoming meetings whatever end_time says.
    wc.post(
        MEETING_IDS,
        &json!({"userid": "owner1", "begin_time": now - 181 * DAY, "end_time": now}),
    )
    .await
    .assert_code(40058);
    wc.post(
        MEETING_IDS,
        &json!({"userid": "owner1", "begin_time": now, "end_time": now - 1}),
    )
    .await
    .assert_code(40058);
    for bad_limit in [0, 101] {
        wc.post(
            MEETING_IDS,
            &json!({"userid": "owner1", "limit": bad_limit}),
        )
        .await
        .assert_code(40058);
    }
    let r = wc
        .post(
            MEETING_IDS,
            &json!({"userid": "owner1", "begin_time": now, "end_time": now}),
        )
        .await;
    assert_eq!(
        r.json["meetingid_list"],
        json!([wc.meeting("seed-not-started").id])
    );
    assert_eq!(r.json["next_cursor"], "");

    // Members see the meetings they attended or were invited to; hidden members nothing.
    let ids = |u: &str| wc.sb.truth().wecom_user_meetingids(u, None, None);
    assert_eq!(ids("zhangsan"), [wc.meeting("seed-oneoff").id]);
    assert_eq!(ids("absent1"), [wc.meeting("seed-oneoff").id]);
    assert!(ids("test1").contains(&wc.meeting("seed-not-started").id));
    assert!(ids("outsider").is_empty());
    let r = wc.post(MEETING_IDS, &json!({"userid": "zhangsan"})).await;
    assert_eq!(r.json["meetingid_list"], json!(ids("zhangsan")));
    wc.sb.shutdown().await;

    // The switch omits next_cursor on the last page.
    let wc = Wc::new(SandboxConfig {
        wecom: WeComConfig {
            omit_final_cursor: true,
            ..WeComConfig::default()
        },
        ..small_config()
    })
    .await;
    let r = wc.post(MEETING_IDS, &json!({"userid": "zhangsan"})).await;
    r.assert_ok();
    assert!(r.json.get("next_cursor").is_none(), "{}", r.text);
    let r = wc
        .post(MEETING_IDS, &json!({"userid": "owner1", "limit": 1}))
        .await;
    assert!(!r.json["next_cursor"].as_str().unwrap().is_empty());
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn same_seed_same_data_other_seed_other_data() {
    async fn snapshot(seed: u64) -> (Vec<(String, String, usize)>, Vec<Value>, Vec<Value>) {
        let wc = Wc::new(SandboxConfig {
            seed,
            ..small_config()
        })
        .await;
        let ids = wc
            .sb
            .catalog()
            .of(Vendor::WeCom)
            .map(|m| (m.label.clone(), m.id.clone(), m.sessions))
            .collect();
        let m = wc.meeting("small-1");
        let (rows, _) = wc
            .attendees(&json!({"meetingid": m.id, "start_time": m.start, "end_time": m.end}))
            .await;
        let e = wc
            .sb
            .truth()
            .wecom_enrollments(&wc.meeting("seed-webinar").id, None);
        wc.sb.shutdown().await;
        (ids, rows, e)
    }
    let a = snapshot(7).await;
    assert_eq!(a, snapshot(7).await);
    let b = snapshot(8).await;
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
    assert_ne!(a.2, b.2);
}

#[tokio::test]
async fn catalog_sizes_and_benchmark_meetings() {
    let wc = Wc::new(SandboxConfig {
        data: DataConfig {
            small_meetings: 100,
            large_meetings: vec![5_000, 50_000],
            ..DataConfig::default()
        },
        ..small_config()
    })
    .await;
    let catalog = wc.sb.catalog();
    let small: Vec<_> = catalog
        .of(Vendor::WeCom)
        .filter(|m| m.label.starts_with("small-"))
        .collect();
    assert_eq!(small.len(), 100);
    for m in &small {
        let rows: usize = if m.kind == MeetingKind::Recurring {
            m.sub_meetings
                .iter()
                .map(|s| wc.sb.truth().wecom_attendee_count(&m.id, Some(&s.id), None))
                .sum()
        } else {
            wc.sb.truth().wecom_attendee_count(&m.id, None, None)
        };
        assert_eq!(rows, m.sessions, "{}", m.label);
    }
    for (label, n) in [("large-5000", 5_000), ("large-50000", 50_000)] {
        let m = wc.meeting(label);
        assert_eq!(m.sessions, n);
        assert_eq!(wc.sb.truth().wecom_attendee_count(&m.id, None, None), n);
        assert!(m.end - m.start <= WINDOW, "one window covers it");
    }
    let m = wc.meeting("large-5000");
    let (rows, pages) = wc
        .attendees(
            &json!({"meetingid": m.id, "start_time": m.start, "end_time": m.end, "limit": 100}),
        )
        .await;
    assert_eq!(rows.len(), 5_000);
    assert_eq!(pages.len(), 50);
    assert_eq!(rows, wc.sb.truth().wecom_attendees(&m.id, None, None));
    let snap = wc.sb.stats();
    assert_eq!(snap.requests_to("wecom.get_attendee_list"), 50);
    assert_eq!(snap.requests_to("wecom.gettoken"), 1);
    assert_eq!(snap.tokens_of(Vendor::WeCom), 1);
    wc.sb.shutdown().await;
}

#[tokio::test]
async fn fixture_meetings_are_served() {
    let fixture = Fixture::from_json(
        r#"{"meetings":[
          {"label":"mine","vendors":["wecom"],"id":"hyMINE","code":"123456789","subject":"我的会议",
           "creator":"owner1","start":1699990000,"end":1699993600,"enrollment":true,
           "attendees":[
             {"userid":"amy","name":"Amy","device":3,"sessions":[{"join":1699990100,"leave":1699990500},{"join":1699991000}],
              "overrides":{"wecom":{"customer_data":"vip"}}},
             {"key":"guest","name":"Guest","sessions":[{"join":1699990050,"leave":1699990060}]},
             {"userid":"outsider","name":"Hidden","sessions":[{"join":1699990070,"leave":1699990080}]}
           ],
           "enrollments":[{"person":"amy","userid":"amy","name":"Amy","status":"approved","time":1699900000}],
           "overrides":{"wecom":{"location":"会议室 A"}}},
          {"label":"rec","vendors":["wecom"],"kind":"recurring","subject":"R","start":1699000000,"end":1699900000,
           "sub_meetings":[{"id":"s1","start":1699000000,"end":1699003600,"state":"ended"}],
           "attendees":[{"userid":"bo","name":"Bo","sessions":[{"join":1699000100,"leave":1699000200,"sub_meeting":0}]}]},
          {"label":"tencent-only","vendors":["tencent"],"subject":"T","start":1,"end":2}
        ]}"#,
    )
    .unwrap();
    let wc = Wc::new(SandboxConfig {
        fixture: Some(fixture),
        ..small_config()
    })
    .await;
    assert!(
        wc.sb
            .catalog()
            .by_label(Vendor::WeCom, "tencent-only")
            .is_none()
    );
    let m = wc.meeting("mine");
    assert_eq!((m.id.as_str(), m.code.as_str()), ("hyMINE", "123456789"));
    assert_eq!(m.state, MeetingState::InProgress, "a session is open");
    assert_eq!(m.sessions, 3, "the hidden member's row is not counted");
    let (rows, _) = wc
        .attendees(&json!({"meetingid": "hyMINE", "start_time": m.start, "end_time": m.end}))
        .await;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["userid"], "", "the guest joined first");
    assert_eq!(rows[1]["customer_data"], "vip");
    assert_eq!(rows[1]["instance_id"], 3);
    assert_eq!(rows[2]["quit_time"], "");
    let info = wc.post(INFO, &json!({"meeting_code": "123456789"})).await;
    assert_eq!(info.json["location"], "会议室 A");
    assert_eq!(info.json["status"], 2);
    let (e, _) = wc
        .chain(ENROLL_LIST, &json!({"meetingid": "hyMINE"}), "enroll_list")
        .await;
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0]["tmp_openid"], rows[1]["tmp_openid"],
        "enrollment linked to the attendee"
    );
    let rec = wc.meeting("rec");
    let (rows, _) = wc
        .attendees(&json!({"meetingid": rec.id, "sub_meetingid": "s1"}))
        .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["userid"], "bo");
    wc.sb.shutdown().await;
}
