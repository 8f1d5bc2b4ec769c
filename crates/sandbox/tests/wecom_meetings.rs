//! WeCom emulator: `get_info` (numbers, attendance summary, sub-meetings) and
//! `get_user_meetingid` against the ground truth, over raw HTTP (docs/specs/wecom.md §4.4,
//! §4.5, §9).

mod common;
mod wecom_common;

use wecom_common::*;

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
