//! Tencent list endpoints (docs/specs/tencent-meeting.md §4, §9 items 3–7) against the ground truth, over raw HTTP.

mod common;

use std::collections::HashSet;

use common::*;
use roster_sandbox::{
    CatalogMeeting, DataConfig, Fault, Quirk, SandboxConfig, SandboxHandle, TencentConfig,
    TencentCredentials, Vendor,
};
use serde_json::Value;

struct Env {
    sb: SandboxHandle,
    c: reqwest::Client,
    creds: TencentCredentials,
}

impl Env {
    async fn new(config: SandboxConfig) -> Env {
        let sb = start(config).await;
        Env {
            c: client(),
            creds: sb.credentials().tencent,
            sb,
        }
    }

    fn meeting(&self, label: &str) -> CatalogMeeting {
        meeting(&self.sb, Vendor::Tencent, label)
    }

    async fn get(&self, target: &str) -> Reply {
        tc_get(&self.sb, &self.c, &self.creds, target).await
    }

    /// Follows a participants chain to its end; returns the rows and every page.
    async fn chain(&self, first: &str) -> (Vec<Value>, Vec<Reply>) {
        let mut rows = Vec::new();
        let mut pages = Vec::new();
        let mut target = first.to_owned();
        loop {
            let r = self.get(&target).await;
            r.assert_ok();
            rows.extend(r.json["participants"].as_array().unwrap().iter().cloned());
            let more = r.json["has_remaining"].as_bool().unwrap();
            let next = r.json.get("next_pos").and_then(Value::as_i64);
            pages.push(r);
            if !more {
                assert!(next.is_none(), "next_pos omitted on the last page");
                break;
            }
            target = format!("{first}&pos={}", next.expect("next_pos with has_remaining"));
            assert!(pages.len() < 10_000);
        }
        (rows, pages)
    }
}

fn participants(id: &str, extra: &str) -> String {
    format!("/v1/meetings/{id}/participants?userid=owner1{extra}")
}

#[tokio::test]
async fn participants_chain_delivers_the_truth_exactly_once_with_opaque_positions() {
    let env = Env::new(small_config()).await;
    let m = env.meeting("seed-long-running");
    let (from, to) = (m.start, m.start + 31 * 86_400);
    let first = participants(&m.id, &format!("&size=7&start_time={from}&end_time={to}"));
    let (rows, pages) = env.chain(&first).await;
    let truth = env
        .sb
        .truth()
        .tencent_participants(&m.id, None, Some((from, to)));
    assert!(truth.len() > 50, "a multi-page window: {}", truth.len());
    assert_eq!(rows, truth);
    assert_eq!(
        env.sb
            .truth()
            .tencent_participant_count(&m.id, None, Some((from, to))),
        truth.len()
    );
    let mut seen = HashSet::new();
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(
            p.json["total_count"].as_u64().unwrap() as usize,
            truth.len()
        );
        assert_eq!(p.json["meeting_id"], m.id.as_str());
        if let Some(pos) = p.json.get("next_pos").and_then(Value::as_i64) {
            let offset = (i as i64 + 1) * 7;
            assert_ne!(pos, offset, "not the row offset");
            assert_ne!(pos, offset + 1);
            assert!(seen.insert(pos));
        }
    }
    // Ascending join times, strings.
    let joins: Vec<i64> = rows
        .iter()
        .map(|r| r["join_time"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(joins.windows(2).all(|w| w[0] <= w[1]));
    assert!(joins.iter().all(|j| (from..=to).contains(j)));

    // The whole 79 days in 31-day windows (inclusive bounds), de-duplicated, is the meeting.
    let mut all = Vec::new();
    let mut s = m.start;
    while s <= m.end {
        let e = (s + 31 * 86_400).min(m.end);
        let (r, _) = env
            .chain(&participants(
                &m.id,
                &format!("&size=100&start_time={s}&end_time={e}"),
            ))
            .await;
        all.extend(r);
        s = e + 1;
    }
    assert_eq!(all, env.sb.truth().tencent_participants(&m.id, None, None));
    assert_eq!(all.len(), m.sessions);
}

#[tokio::test]
async fn size_window_and_pos_rules() {
    let env = Env::new(small_config()).await;
    let m = env.meeting("seed-long-running");
    let now = env.sb.clock().unix();
    let bad = |extra: String| participants(&m.id, &extra);
    for extra in [
        "&size=0".to_owned(),
        "&size=101".to_owned(),
        "&size=abc".to_owned(),
        "&size=-1".to_owned(),
        format!("&start_time={}&end_time={}", now - 31 * 86_400 - 1, now),
        format!("&start_time={}&end_time={}", now, now - 1),
        format!("&start_time={}", now - 32 * 86_400),
        "&start_time=yesterday".to_owned(),
        "&pos=12345".to_owned(),
        "&pos=-3".to_owned(),
        "&pos=x".to_owned(),
        "&sub_meeting_id=1".to_owned(),
    ] {
        let r = env.get(&bad(extra.clone())).await;
        r.assert_code(190004);
        assert_eq!(r.status, 400, "{extra}");
    }
    // Exactly 31 days is fine; size defaults to 20.
    let r = env
        .get(&participants(
            &m.id,
            &format!("&start_time={}&end_time={now}", now - 31 * 86_400),
        ))
        .await;
    r.assert_ok();
    assert_eq!(r.json["participants"].as_array().unwrap().len(), 20);
    // Only end: start = end − 31 d. Neither: the last 90 days.
    let only_end = env
        .get(&participants(&m.id, &format!("&end_time={now}&size=100")))
        .await;
    assert_eq!(
        only_end.json["total_count"].as_u64().unwrap() as usize,
        env.sb
            .truth()
            .tencent_participant_count(&m.id, None, Some((now - 31 * 86_400, now)))
    );
    let neither = env.get(&participants(&m.id, "&size=100")).await;
    assert_eq!(
        neither.json["total_count"].as_u64().unwrap() as usize,
        env.sb
            .truth()
            .tencent_participant_count(&m.id, None, Some((now - 90 * 86_400, now)))
    );
    assert_eq!(
        neither.json["total_count"].as_u64().unwrap() as usize,
        m.sessions
    );

    // Bounds are inclusive: a window of one second at a row's join time holds that row.
    let truth = env.sb.truth().tencent_participants(&m.id, None, None);
    let j: i64 = truth[10]["join_time"].as_str().unwrap().parse().unwrap();
    let r = env
        .get(&participants(
            &m.id,
            &format!("&start_time={j}&end_time={j}&size=100"),
        ))
        .await;
    assert!(
        r.json["participants"]
            .as_array()
            .unwrap()
            .contains(&truth[10])
    );

    // Positions belong to their query: another size, window or meeting cannot use them.
    let first = participants(&m.id, "&size=10");
    let p = env.get(&first).await.json["next_pos"].as_i64().unwrap();
    env.get(&format!("{first}&pos={p}")).await.assert_ok();
    env.get(&participants(&m.id, &format!("&size=11&pos={p}")))
        .await
        .assert_code(190004);
    env.get(&participants(
        &m.id,
        &format!("&size=10&end_time={now}&pos={p}"),
    ))
    .await
    .assert_code(190004);
    let other = env.meeting("seed-oneoff");
    env.get(&participants(&other.id, &format!("&size=10&pos={p}")))
        .await
        .assert_code(190004);
    // The other app cannot use them either.
    let b = env.sb.credentials().tencent_apps[1].clone();
    tc_get(&env.sb, &env.c, &b, &format!("{first}&pos={p}"))
        .await
        .assert_code(190004);
    // A retried position gets the very same page.
    let a1 = env.get(&format!("{first}&pos={p}")).await;
    let a2 = env.get(&format!("{first}&pos={p}")).await;
    assert_eq!(a1.text, a2.text);
}

#[tokio::test]
async fn recurring_meetings_need_a_sub_meeting_and_ignore_windows() {
    let env = Env::new(small_config()).await;
    let m = env.meeting("seed-recurring");
    assert!(
        m.id.len() == 20 && m.id.parse::<i64>().is_err(),
        "id above i64::MAX: {}",
        m.id
    );
    assert_eq!(m.sub_meetings.len(), 4);
    env.get(&participants(&m.id, "")).await.assert_code(190004);
    env.get(&participants(&m.id, "&sub_meeting_id=0000"))
        .await
        .assert_code(190004);
    let mut total = 0;
    let mut keys = HashSet::new();
    for s in &m.sub_meetings {
        // A window that excludes everything is ignored for recurring meetings.
        let (rows, pages) = env
            .chain(&participants(
                &m.id,
                &format!("&sub_meeting_id={}&size=3&start_time=0&end_time=1", s.id),
            ))
            .await;
        assert_eq!(
            rows,
            env.sb
                .truth()
                .tencent_participants(&m.id, Some(&s.id), None)
        );
        assert_eq!(rows.len(), s.sessions, "sub-meeting {}", s.id);
        if s.state == roster_sandbox::MeetingState::NotStarted {
            assert!(rows.is_empty());
            assert_eq!(pages[0].json["total_count"], 0);
        }
        for r in &rows {
            let j: i64 = r["join_time"].as_str().unwrap().parse().unwrap();
            assert!((s.start..=s.end).contains(&j));
            assert!(keys.insert((
                s.id.clone(),
                r["ms_open_id"].clone(),
                r["join_time"].clone()
            )));
        }
        total += rows.len();
    }
    assert_eq!(total, m.sessions);
    assert!(total > 10);
}

#[tokio::test]
async fn caller_rules_unknown_meetings_and_not_started_meetings() {
    let env = Env::new(small_config()).await;
    let other = env.meeting("seed-other-owner");
    assert_eq!(other.creator, "owner2");
    let r = env.get(&participants(&other.id, "")).await;
    r.assert_code(9042);
    assert_eq!(r.status, 403);
    for (query, code) in [
        ("userid=admin1", None),
        ("userid=owner2", None),
        ("operator_id=owner2&operator_id_type=1", None),
        ("operator_id=room1&operator_id_type=3", Some(9042)),
        ("size=5", Some(190004)),
    ] {
        env.get(&format!("/v1/meetings/{}/participants?{query}", other.id))
            .await
            .assert_outcome(code);
    }
    let r = env.get(&participants("1234567890123456789", "")).await;
    r.assert_code(9003);
    assert_eq!(r.status, 400);

    let future = env.meeting("seed-not-started");
    let r = env.get(&participants(&future.id, "")).await;
    r.assert_ok();
    assert_eq!(r.json["participants"], serde_json::json!([]));
    assert_eq!(r.json["has_remaining"], false);
    assert_eq!(r.json["total_count"], 0);
    assert_eq!(r.json["meeting_id"], future.id.as_str());
    assert!(r.json["schedule_start_time"].is_string());
}

#[tokio::test]
async fn seed_rows_carry_the_required_oddities() {
    let env = Env::new(small_config()).await;
    let m = env.meeting("seed-oneoff");
    let (rows, _) = env.chain(&participants(&m.id, "&size=100")).await;
    assert_eq!(rows, env.sb.truth().tencent_participants(&m.id, None, None));
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["user_name"].as_str().unwrap())
        .collect();
    for n in ["dBVzdDE=", "dGvzdDI=", "5byg5LiJ", "not base64!*", ""] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    let departed = rows
        .iter()
        .find(|r| r["is_enterprise_user"] == true && r.get("userid").is_none())
        .expect("a departed member");
    assert!(departed["ms_open_id"].is_string());
    assert!(rows.iter().any(|r| r["instanceid"] == 99));
    let zhang: Vec<&Value> = rows
        .iter()
        .filter(|r| r["user_name"] == "5byg5LiJ")
        .collect();
    assert_eq!(zhang.len(), 3, "repeat sessions");
    assert!(
        zhang
            .iter()
            .all(|r| r["ms_open_id"] == zhang[0]["ms_open_id"])
    );
    let fixture_hash = "6B6537A68B7BB5E7DC051547CCB5AE394BDB02D660E393F695E9AB3DC038AC36";
    assert_eq!(
        rows.iter().filter(|r| r["phone"] == fixture_hash).count(),
        2,
        "duplicate phone hash"
    );
    assert!(
        rows.iter()
            .all(|r| r["left_time"].as_str().is_some_and(|s| !s.is_empty()))
    );
    assert!(
        rows.iter().all(|r| r.get("ip").is_none()),
        "ip only while in the meeting"
    );

    // The second app sees phone hashes under its own SecretId.
    let b = env.sb.credentials().tencent_apps[1].clone();
    let rb = tc_get(&env.sb, &env.c, &b, &participants(&m.id, "&size=100")).await;
    rb.assert_ok();
    assert!(!rb.text.contains(fixture_hash));
    assert_eq!(
        rb.json["participants"].as_array().unwrap().len(),
        rows.len()
    );

    // A live meeting: open sessions have left_time "" and network fields.
    let live = env.meeting("seed-live");
    let (rows, _) = env.chain(&participants(&live.id, "&size=100")).await;
    let open: Vec<&Value> = rows.iter().filter(|r| r["left_time"] == "").collect();
    assert!(!open.is_empty());
    assert!(
        open.iter()
            .all(|r| r["ip"].is_string() && r["net"].is_string())
    );

    // A webinar: webinar roles, including one outside the documented enum.
    let w = env.meeting("seed-webinar");
    let (rows, _) = env.chain(&participants(&w.id, "&size=100")).await;
    let roles: HashSet<i64> = rows
        .iter()
        .map(|r| r["webinar_member_role"].as_i64().unwrap())
        .collect();
    assert!(roles.is_superset(&[0, 1, 2, 3, 4, 5, 9].into_iter().collect()));
}

#[tokio::test]
async fn the_50000_cap_stops_the_chain_and_keeps_the_full_total() {
    let env = Env::new(SandboxConfig {
        data: DataConfig {
            seed_meetings: false,
            small_meetings: 0,
            large_meetings: vec![60_000],
            ..DataConfig::default()
        },
        tencent: TencentConfig {
            per_minute: 1_000_000,
            ..TencentConfig::default()
        },
        ..small_config()
    })
    .await;
    let m = env.meeting("large-60000");
    assert_eq!(m.sessions, 60_000);
    let (from, to) = (m.start, m.end);
    let (rows, pages) = env
        .chain(&participants(
            &m.id,
            &format!("&size=100&start_time={from}&end_time={to}"),
        ))
        .await;
    assert_eq!(rows.len(), 50_000);
    assert_eq!(pages.len(), 500);
    let last = pages.last().unwrap();
    assert_eq!(last.json["has_remaining"], false);
    assert_eq!(last.json["total_count"], 60_000);
    let truth = env
        .sb
        .truth()
        .tencent_participants(&m.id, None, Some((from, to)));
    assert_eq!(truth.len(), 60_000);
    assert_eq!(rows[..], truth[..50_000]);
    // Split windows get everything (the client's job); here: two halves, de-duplicated.
    let mid = from + (to - from) / 2;
    let (a, _) = env
        .chain(&participants(
            &m.id,
            &format!("&size=100&start_time={from}&end_time={mid}"),
        ))
        .await;
    let (b, _) = env
        .chain(&participants(
            &m.id,
            &format!("&size=100&start_time={}&end_time={to}", mid + 1),
        ))
        .await;
    assert_eq!(a.len() + b.len(), 60_000);
}

#[tokio::test]
async fn meeting_detail() {
    let env = Env::new(small_config()).await;
    let m = env.meeting("seed-recurring");
    let detail = |id: &str, q: &str| format!("/v1/meetings/{id}?{q}");
    let r = env
        .get(&detail(
            &m.id,
            "operator_id=owner1&operator_id_type=1&instanceid=1",
        ))
        .await;
    r.assert_ok();
    assert_eq!(r.json["meeting_number"], 1);
    let info = &r.json["meeting_info_list"][0];
    assert_eq!(info["meeting_id"], m.id.as_str());
    assert_eq!(info["meeting_type"], 1);
    assert!(info["start_time"].is_string());
    let subs = info["sub_meetings"].as_array().unwrap();
    assert_eq!(subs.len(), 4);
    assert!(
        subs.iter()
            .all(|s| s["start_time"].is_i64() && s["sub_meeting_id"].is_string())
    );
    assert_eq!(
        subs.iter().filter(|s| s["status"] == 1).count(),
        1,
        "one deleted occurrence"
    );
    let current = info["current_sub_meeting_id"].as_str().unwrap();
    let next = m
        .sub_meetings
        .iter()
        .find(|s| s.state == roster_sandbox::MeetingState::NotStarted)
        .unwrap();
    assert_eq!(current, next.id);
    assert_eq!(info["status"], "MEETING_STATE_INIT");
    assert_eq!(
        r.json,
        env.sb.truth().tencent_meeting_detail(&m.id).unwrap()
    );
    // Legacy userid form; admin; missing instanceid; no operator; not allowed; unknown.
    for (id, query, code) in [
        (m.id.as_str(), "userid=owner1&instanceid=1", None),
        (&m.id, "userid=admin1&instanceid=1", None),
        (&m.id, "operator_id=owner1&operator_id_type=1", Some(190004)),
        (&m.id, "instanceid=1", Some(190004)),
        (&m.id, "operator_id=owner1&instanceid=1", Some(190004)),
        (&m.id, "userid=stranger&instanceid=1", Some(9042)),
        ("42", "userid=owner1&instanceid=1", Some(9003)),
    ] {
        env.get(&detail(id, query)).await.assert_outcome(code);
    }
    // Flip quirk: start_time becomes a number, sub-meeting times strings.
    env.sb
        .faults()
        .inject("tencent.meeting_detail", Fault::Quirk(Quirk::FlipTypes), 1);
    let f = env.get(&detail(&m.id, "userid=owner1&instanceid=1")).await;
    assert!(f.json["meeting_info_list"][0]["start_time"].is_i64());
    assert!(f.json["meeting_info_list"][0]["sub_meetings"][0]["start_time"].is_string());

    // The switch hides ended one-off meetings.
    let env2 = Env::new(SandboxConfig {
        tencent: TencentConfig {
            hide_ended_one_off: true,
            ..TencentConfig::default()
        },
        ..small_config()
    })
    .await;
    let one = env2.meeting("seed-oneoff");
    let r = env2
        .get(&detail(&one.id, "userid=owner1&instanceid=1"))
        .await;
    r.assert_ok();
    assert_eq!(
        r.json,
        serde_json::json!({"meeting_number": 0, "meeting_info_list": []})
    );
    let live = env2.meeting("seed-live");
    let r = env2
        .get(&detail(&live.id, "userid=owner1&instanceid=1"))
        .await;
    assert_eq!(r.json["meeting_number"], 1);
    assert_eq!(
        r.json["meeting_info_list"][0]["status"],
        "MEETING_STATE_STARTED"
    );
}

#[tokio::test]
async fn enroll_approvals() {
    let env = Env::new(small_config()).await;
    // Webinars are served on their own path (§12.1); the paging rules are the same.
    let w = env.meeting("seed-webinar");
    assert_eq!(w.enrollments, 120);
    let q = |id: &str, extra: &str| {
        let kind = if id == w.id { "webinars" } else { "meetings" };
        format!(
            "/v1/{kind}/{id}/enroll/approvals?operator_id=owner1&operator_id_type=1&instanceid=1{extra}"
        )
    };
    let mut all = Vec::new();
    for page in 1..=3 {
        let r = env
            .get(&q(&w.id, &format!("&page={page}&page_size=50")))
            .await;
        r.assert_ok();
        assert_eq!(r.json["current_page"], page);
        assert_eq!(r.json["total_count"], 120);
        assert_eq!(r.json["total_page"], 3);
        let list = r.json["enroll_list"].as_array().unwrap();
        assert_eq!(
            r.json["current_size"].as_u64().unwrap() as usize,
            list.len()
        );
        all.extend(list.iter().cloned());
    }
    assert_eq!(all, env.sb.truth().tencent_enroll_approvals(&w.id, None));
    let ids: HashSet<i64> = all
        .iter()
        .map(|e| e["enroll_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 120, "numeric, unique enroll ids");
    let t = all[0]["enroll_time"].as_str().unwrap();
    assert!(
        t.len() == 19
            && t.as_bytes()[4] == b'-'
            && t.as_bytes()[10] == b' '
            && t.as_bytes()[13] == b':',
        "{t}"
    );
    assert!(
        all.iter()
            .any(|e| e["enroll_source_type"] == 2 && e.get("userid").is_none())
    );
    let specials: HashSet<i64> = all[0]["answer_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["special_type"].as_i64().unwrap())
        .collect();
    assert_eq!(specials, [1, 2, 3, 4, 5].into_iter().collect());
    // Beyond the last page: empty, no enroll_list.
    let r = env.get(&q(&w.id, "&page=4&page_size=50")).await;
    r.assert_ok();
    assert_eq!(r.json["current_size"], 0);
    assert!(r.json.get("enroll_list").is_none());
    // Status filter.
    for status in 1..=3 {
        let r = env
            .get(&q(&w.id, &format!("&page=1&page_size=50&status={status}")))
            .await;
        let list = r.json["enroll_list"].as_array().unwrap();
        assert!(list.iter().all(|e| e["status"] == status));
        assert_eq!(
            *list,
            env.sb.truth().tencent_enroll_approvals(&w.id, Some(status))
        );
    }
    // Limits and rules.
    for extra in [
        "&page=1&page_size=301",
        "&page=0&page_size=10",
        "&page_size=10",
        "&page=1",
        "&page=1&page_size=10&status=4",
    ] {
        env.get(&q(&w.id, extra)).await.assert_code(190004);
    }
    let rec = env.meeting("seed-recurring");
    let r = env.get(&q(&rec.id, "&page=1&page_size=10")).await;
    r.assert_code(101);
    assert_eq!(r.status, 500);
    let other = env.meeting("seed-other-owner");
    env.get(&q(&other.id, "&page=1&page_size=10"))
        .await
        .assert_code(9042);
    // Phone import without a nickname shows the phone number.
    let one = env.meeting("seed-oneoff");
    let r = env.get(&q(&one.id, "&page=1&page_size=50")).await;
    let list = r.json["enroll_list"].as_array().unwrap();
    assert!(list.iter().any(|e| e["nick_name"] == "13500000000"));
    // Enrollment ms_open_id joins to participants.
    let (rows, _) = env.chain(&participants(&one.id, "&size=100")).await;
    let zhang_row = rows.iter().find(|r| r["userid"] == "zhangsan").unwrap();
    let zhang_enroll = list.iter().find(|e| e["userid"] == "zhangsan").unwrap();
    assert_eq!(zhang_row["ms_open_id"], zhang_enroll["ms_open_id"]);
}

#[tokio::test]
async fn invitees_pages_of_200_with_opaque_positions() {
    let env = Env::new(small_config()).await;
    let m = env.meeting("seed-oneoff");
    assert_eq!(m.invitees, 450);
    let first = format!("/v1/meetings/{}/invitees?userid=owner1&instanceid=1", m.id);
    let mut all = Vec::new();
    let mut target = first.clone();
    let mut sizes = Vec::new();
    loop {
        let r = env.get(&target).await;
        r.assert_ok();
        let list = r.json["invitees"].as_array().unwrap();
        sizes.push(list.len());
        all.extend(list.iter().cloned());
        if r.json["has_remaining"] == false {
            assert!(r.json.get("next_pos").is_none());
            break;
        }
        let pos = r.json["next_pos"].as_i64().unwrap();
        assert!(pos != 200 && pos != 400);
        target = format!("{first}&pos={pos}");
    }
    assert_eq!(sizes, [200, 200, 50]);
    assert_eq!(all, env.sb.truth().tencent_invitees(&m.id));
    env.get(&format!("{first}&pos=200"))
        .await
        .assert_code(190004);
    let other = env.meeting("seed-other-owner");
    let r = env
        .get(&format!(
            "/v1/meetings/{}/invitees?userid=owner1&instanceid=1",
            other.id
        ))
        .await;
    r.assert_code(9042);
    assert_eq!(r.status, 403);
    env.get("/v1/meetings/42/invitees?userid=owner1&instanceid=1")
        .await
        .assert_code(190457);
    env.get(&format!("/v1/meetings/{}/invitees?instanceid=1", m.id))
        .await
        .assert_code(190004);
    env.get(&format!("/v1/meetings/{}/invitees?userid=owner1", m.id))
        .await
        .assert_code(190004);
}

#[tokio::test]
async fn response_shape_quirks() {
    let env = Env::new(small_config()).await;
    let live = env.meeting("seed-live");
    let target = participants(&live.id, "&size=100");
    let plain = env.get(&target).await;
    let faults = env.sb.faults();
    faults.inject("tencent.participants", Fault::Quirk(Quirk::UpperCaseIp), 1);
    faults.inject("tencent.participants", Fault::Quirk(Quirk::FlipTypes), 1);
    let q = env.get(&target).await;
    q.assert_ok();
    let rows = q.json["participants"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["IP"].is_string()));
    assert!(rows.iter().all(|r| r.get("ip").is_none()));
    assert!(rows.iter().all(|r| r["join_time"].is_i64()));
    assert!(
        rows.iter().any(|r| r["left_time"] == 0),
        "open sessions flip to 0"
    );
    assert!(q.json["schedule_start_time"].is_i64());
    assert_eq!(
        rows.len(),
        plain.json["participants"].as_array().unwrap().len()
    );
    // Next call is plain again.
    assert_eq!(env.get(&target).await.text, plain.text);
}

#[tokio::test]
async fn same_seed_same_data_other_seed_other_data() {
    async fn snapshot(seed: u64) -> (Vec<(String, String)>, Vec<Value>) {
        let env = Env::new(SandboxConfig {
            seed,
            ..small_config()
        })
        .await;
        let cat: Vec<(String, String)> = env
            .sb
            .catalog()
            .of(Vendor::Tencent)
            .map(|m| (m.label.clone(), m.id.clone()))
            .collect();
        let small = env.meeting("small-1");
        let (rows, _) = env.chain(&participants(&small.id, "&size=100")).await;
        assert_eq!(rows.len(), small.sessions);
        env.sb.shutdown().await;
        (cat, rows)
    }
    let a = snapshot(7).await;
    assert_eq!(a, snapshot(7).await);
    let b = snapshot(8).await;
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
}

#[tokio::test]
async fn catalog_describes_every_meeting_kind() {
    let env = Env::new(SandboxConfig {
        data: DataConfig {
            small_meetings: 10,
            large_meetings: vec![5_000, 50_000],
            ..DataConfig::default()
        },
        ..small_config()
    })
    .await;
    let cat = env.sb.catalog();
    let t: Vec<&CatalogMeeting> = cat.of(Vendor::Tencent).collect();
    assert_eq!(
        t.iter().filter(|m| m.label.starts_with("small-")).count(),
        10
    );
    assert_eq!(
        cat.by_label(Vendor::Tencent, "large-5000")
            .unwrap()
            .sessions,
        5_000
    );
    assert_eq!(
        cat.by_label(Vendor::Tencent, "large-50000")
            .unwrap()
            .sessions,
        50_000
    );
    use roster_sandbox::MeetingKind::*;
    for kind in [OneOff, Recurring, Webinar] {
        assert!(t.iter().any(|m| m.kind == kind), "{kind:?}");
    }
    assert!(t.iter().any(|m| m.enrollment) && t.iter().any(|m| !m.enrollment));
    let ids: HashSet<&str> = t.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids.len(), t.len(), "unique ids");
    // Catalog sizes match what is served (small meetings are generated on access).
    for m in t
        .iter()
        .filter(|m| m.label.starts_with("small-") && m.kind != Recurring)
    {
        let n = env
            .get(&participants(
                &m.id,
                &format!("&size=100&start_time={}&end_time={}", m.start, m.end),
            ))
            .await
            .json["total_count"]
            .as_u64()
            .unwrap();
        assert_eq!(n as usize, m.sessions, "{}", m.label);
    }
}

#[tokio::test]
async fn fixture_meetings_are_served() {
    let fixture = roster_sandbox::Fixture::from_json(
        r#"{"meetings":[{"label":"mine","id":"5550001","subject":"我的会议","kind":"one_off",
            "start":1699990000,"end":1699993600,"enrollment":true,
            "attendees":[
              {"userid":"amy","name":"Amy 🌸","phone":"13800138000","sessions":[{"join":1699990100,"leave":1699990500},{"join":1699991000}]},
              {"name":"访客","device":99,"sessions":[{"join":1699990200,"leave":1699990300}],
               "overrides":{"tencent":{"customer_data":"abc"}}}],
            "enrollments":[{"person":"amy","userid":"amy","name":"Amy","status":"approved","time":1699900000,
               "answers":[{"title":"公司","special":"company","content":["ACME"]}]}],
            "invitees":[{"userid":"amy","name":"Amy"}]}]}"#,
    )
    .unwrap();
    let env = Env::new(SandboxConfig {
        fixture: Some(fixture),
        ..small_config()
    })
    .await;
    let m = env.meeting("mine");
    assert_eq!(m.id, "5550001");
    assert_eq!(
        m.state,
        roster_sandbox::MeetingState::InProgress,
        "an open session"
    );
    let (rows, _) = env.chain(&participants(&m.id, "&size=100")).await;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["userid"], "amy");
    assert_eq!(
        rows[0]["phone"],
        "6B6537A68B7BB5E7DC051547CCB5AE394BDB02D660E393F695E9AB3DC038AC36"
    );
    assert_eq!(rows[1]["customer_data"], "abc");
    assert_eq!(rows[1]["instanceid"], 99);
    assert_eq!(rows[2]["left_time"], "");
    let e = env
        .get(&format!("/v1/meetings/{}/enroll/approvals?operator_id=owner1&operator_id_type=1&instanceid=1&page=1&page_size=10", m.id))
        .await;
    assert_eq!(
        e.json["enroll_list"][0]["ms_open_id"],
        rows[0]["ms_open_id"]
    );
    assert_eq!(
        e.json["enroll_list"][0]["answer_list"][0]["special_type"],
        5
    );
}
