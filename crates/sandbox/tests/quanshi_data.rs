//! Quanshi data endpoints (docs/specs/quanshi.md §4, §9 items 5–8, 11–12) over raw HTTP: join-link lookup,
//! `room/conference/infos`, reports v1/v2 (shapes, consistency with each other and with the
//! ground truth), `attendee/list` paging at the sandbox clock, seed data, fixtures, determinism.

mod common;
mod quanshi_common;

use std::collections::{BTreeMap, HashSet};

use common::small_config;
use quanshi_common::*;
use roster_sandbox::{
    CatalogMeeting, DataConfig, Fixture, MeetingKind, MeetingState, QuanshiConfig, SandboxConfig,
    Vendor,
};
use serde_json::{Value, json};

/// `YYYY-MM-DD HH:MM:SS` in UTC+8, computed here with `time`.
fn wall(unix: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap()
        .to_offset(time::macros::offset!(+8))
        .format(fmt)
        .unwrap()
}

fn is_wall_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

fn decode_title(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

#[tokio::test]
async fn join_link_lookup_serves_the_doc_example_shape() {
    let qs = Qs::new(small_config()).await;
    let m = qs.meeting("seed-single");
    let link = m
        .join_url
        .clone()
        .expect("Quanshi meetings have a join link");
    assert!(link.starts_with("https://mtest.qsh1.cn/k/"), "{link}");
    let r = qs
        .signed(LOOKUP, json!({"attendeeJoinUrl": format!("  {link}\t")}))
        .await;
    r.assert_code(0);
    for k in ["request_id", "reqid", "timestamp", "request_duration"] {
        assert!(r.json.get(k).is_some(), "{k}");
    }
    let result = r.result().as_array().expect("result is an array");
    assert_eq!(result.len(), 1);
    let o = &result[0];
    // Spellings exactly as the doc example.
    for k in [
        "billingcode",
        "wcallurl",
        "CreateTime",
        "modifyTime",
        "detailHouseList",
    ] {
        assert!(o.get(k).is_some(), "{k} in {o}");
    }
    for k in [
        "billingCode",
        "wcallUrl",
        "createTime",
        "isGnet",
        "joinHostUrl",
    ] {
        assert!(o.get(k).is_none(), "{k} not in the lookup object");
    }
    assert_eq!(o["detailHouseList"], Value::Null);
    assert_eq!(o["eventId"].as_u64(), Some(Qs::event(&m)));
    assert_eq!(o["startTime"].as_i64(), Some(m.start));
    assert_eq!(o["endTime"].as_i64(), Some(m.end));
    assert_eq!(o["length"], (m.end - m.start) / 60);
    assert!(o["CreateTime"].is_i64() && o["modifyTime"].is_i64());
    assert!(o["conferenceId"].is_string() && o["hostId"].is_u64());
    assert_eq!(o["hostId"].as_u64(), Some(qs.creds.host_user_id));
    assert_eq!(o["hostId"].to_string(), m.creator);
    assert_eq!(o["pcode2"], m.code);
    assert_eq!(o["attendeeJoinUrl"], link);
    assert_eq!(o["calType"], "E");
    assert_eq!(o["status"], 4, "ended");
    assert_eq!(o["title"], m.subject);
    assert_eq!(o["webRTCUrl"], format!("{link}?priority=web"));
    assert_eq!(o["calExtraInfo"], json!({}));
    // Invitees: W, A and R, userProfile null, a phone invitee and an external one.
    let invitees = o["attendList"].as_array().unwrap();
    assert_eq!(invitees.len(), m.invitees);
    let statuses: HashSet<&str> = invitees
        .iter()
        .filter_map(|i| i["status"].as_str())
        .collect();
    for s in ["W", "A", "R"] {
        assert!(statuses.contains(s), "{s}");
    }
    assert!(
        invitees
            .iter()
            .all(|i| i["userProfile"].is_null() && i["user"].is_string())
    );
    assert!(
        invitees
            .iter()
            .any(|i| i["userType"] == 3 && i["phoneName"] != "" && i["mobileNumber"] != "")
    );
    assert!(invitees.iter().any(|i| i["userType"] == 2));
    assert_eq!(*o, qs.sb.truth().quanshi_meeting_detail(&m.id).unwrap());
    assert_eq!(invitees, &qs.sb.truth().quanshi_invitees(&m.id));

    // Exact match only: another case, another link, a prefix → unknown → empty array.
    for other in [
        link.to_uppercase(),
        format!("{link}x"),
        link[..link.len() - 1].to_owned(),
        "https://mtest.qsh1.cn/k/mkIW3Txa0Uk".to_owned(),
    ] {
        let r = qs.signed(LOOKUP, json!({"attendeeJoinUrl": other})).await;
        r.assert_code(0);
        assert_eq!(r.json["result"], json!([]));
    }
    for bad in [
        json!({}),
        json!({"attendeeJoinUrl": "  "}),
        json!({"attendeeJoinUrl": 5}),
    ] {
        qs.signed(LOOKUP, bad).await.assert_code(400);
    }
    // Every Quanshi meeting is found by its link.
    for m in qs.sb.catalog().of(Vendor::Quanshi) {
        let r = qs
            .signed(
                LOOKUP,
                json!({"attendeeJoinUrl": m.join_url.clone().unwrap()}),
            )
            .await;
        assert_eq!(r.result()[0]["eventId"].to_string(), m.id, "{}", m.label);
    }
}

#[tokio::test]
async fn unknown_link_switch_and_custom_lookup_path() {
    let qs = Qs::new(SandboxConfig {
        quanshi: QuanshiConfig {
            join_url_not_found_error: true,
            join_url_lookup_path: "/confopenapi/conference/detail/byJoinUrl".into(),
            ..QuanshiConfig::default()
        },
        ..small_config()
    })
    .await;
    assert_eq!(
        qs.creds.join_url_lookup_path,
        "/confopenapi/conference/detail/byJoinUrl"
    );
    let path = qs.creds.join_url_lookup_path.clone();
    let m = qs.meeting("seed-live");
    qs.signed(
        &path,
        json!({"attendeeJoinUrl": "https://n.qsh1.cn/k/unknown"}),
    )
    .await
    .assert_code(404);
    let r = qs
        .signed(&path, json!({"attendeeJoinUrl": m.join_url.unwrap()}))
        .await;
    r.assert_code(0);
    assert_eq!(r.result()[0]["title"], m.subject);
    // The default path is not served any more.
    let r = qs.signed(LOOKUP, json!({"attendeeJoinUrl": "x"})).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        qs.sb
            .stats()
            .rejections_of("quanshi.meeting_by_join_url", "404"),
        1
    );
}

#[tokio::test]
async fn conference_infos_rules_and_table_spellings() {
    let qs = Qs::new(small_config()).await;
    let m = qs.meeting("seed-recurring");
    let event = Qs::event(&m);
    let host = qs.creds.host_user_id;
    let r = qs
        .signed(INFOS, json!({"eventId": event, "userId": host}))
        .await;
    r.assert_code(0);
    let result = r.result().as_array().unwrap();
    assert_eq!(result.len(), 1);
    let o = &result[0];
    for k in ["billingCode", "wcallUrl", "isGnet", "joinHostUrl"] {
        assert!(o.get(k).is_some(), "{k}");
    }
    for k in ["billingcode", "wcallurl"] {
        assert!(o.get(k).is_none(), "{k}");
    }
    assert_eq!(o["calType"], "M");
    assert_eq!(o["isGnet"], 1);
    let detail = qs.sb.truth().quanshi_meeting_detail(&m.id).unwrap();
    assert_eq!(o["billingCode"], detail["billingcode"]);
    assert_eq!(o["wcallUrl"], detail["wcallurl"]);
    assert_ne!(o["joinHostUrl"], detail["hostJoinUrl"], "co-host link");
    assert_eq!(*o, qs.sb.truth().quanshi_conference_infos(&m.id).unwrap());
    // By host passcode; eventId as a digit string; eventId wins over pcode.
    let pcode = detail["pcode1"].as_str().unwrap();
    let by_pcode = qs
        .signed(INFOS, json!({"pcode": pcode, "userId": host}))
        .await;
    assert_eq!(by_pcode.result(), r.result());
    let by_text = qs
        .signed(
            INFOS,
            json!({"eventId": event.to_string(), "userId": host.to_string()}),
        )
        .await;
    assert_eq!(by_text.result(), r.result());
    let single = qs.meeting("seed-single");
    let both = qs
        .signed(
            INFOS,
            json!({"eventId": Qs::event(&single), "pcode": pcode, "userId": host}),
        )
        .await;
    assert_eq!(both.result()[0]["eventId"].to_string(), single.id);
    // 400s, then 404s.
    for bad in [
        json!({"userId": host}),
        json!({"pcode": "", "userId": host}),
        json!({"eventId": event}),
        json!({"eventId": "abc", "userId": host}),
        json!({"eventId": -1, "userId": host}),
        json!({"eventId": event, "userId": [1]}),
    ] {
        qs.signed(INFOS, bad.clone()).await.assert_code(400);
    }
    for missing in [
        json!({"eventId": 1, "userId": host}),
        json!({"pcode": detail["pcode2"], "userId": host}),
        json!({"eventId": event, "userId": host + 1}),
        json!({"eventId": event, "userId": qs.creds.admin_user_id}),
    ] {
        qs.signed(INFOS, missing).await.assert_code(404);
    }
    let stats = qs.sb.stats();
    assert_eq!(stats.rejections_of("quanshi.conference_infos", "400"), 6);
    assert_eq!(stats.rejections_of("quanshi.conference_infos", "404"), 4);
}

#[tokio::test]
async fn report_v1_shape_on_the_seed_meeting() {
    let qs = Qs::new(small_config()).await;
    let m = qs.meeting("seed-single");
    let r = qs.signed(V1, qs.v1_body(&m)).await;
    r.assert_code(0);
    let rows = r.result().as_array().unwrap().clone();
    assert_eq!(rows.len(), m.people, "one row per person");
    assert_eq!(rows, qs.sb.truth().quanshi_report_v1(&m.id));
    for row in &rows {
        assert_eq!(
            row["eventId"].as_u64(),
            Some(Qs::event(&m)),
            "numeric eventId"
        );
        assert_eq!(
            row["hostId"].as_u64(),
            Some(qs.creds.host_user_id),
            "numeric hostId"
        );
        assert_eq!(decode_title(row["title"].as_str().unwrap()), m.subject);
        assert_eq!(row["startTime"], wall(m.start));
        assert_eq!(row["endTime"], wall(m.end));
        for k in ["onlineTime", "offlineTime"] {
            assert!(is_wall_time(row[k].as_str().unwrap()), "{k}: {row}");
        }
        let wd = row["watchDuration"].as_str().unwrap();
        assert!(
            !wd.is_empty() && wd.bytes().all(|b| b.is_ascii_digit()),
            "{wd}"
        );
        assert!(row["times"].as_u64().unwrap() >= 1);
        assert!(matches!(row["role"].as_i64(), Some(0 | 1)));
        assert!(row["conferenceId"].is_string());
    }
    // The title is percent-encoded UTF-8 with upper-case hex, nothing left raw.
    let title = rows[0]["title"].as_str().unwrap();
    assert!(title.contains("%E4%BA%A7") && title.contains("%25") && title.contains("%26"));
    assert!(!title.contains(' ') && !title.contains('&'));
    let by_name = |n: &str| rows.iter().find(|r| r["name"] == n).unwrap().clone();
    // 张三: three sessions, two overlapping; the overlap counts once.
    let zs = by_name("张三");
    assert_eq!(zs["times"], 3);
    assert_eq!(zs["watchDuration"], "2580");
    assert_eq!(zs["onlineTime"], wall(m.start + 120));
    assert_eq!(zs["offlineTime"], wall(m.start + 3_000));
    assert_eq!(zs["mobile"], "+86-13912345678");
    // Empty mobile → "-".
    assert_eq!(by_name("Alice Wang")["mobile"], "-");
    // The three documented ip forms.
    let phone_only = by_name("电话用户");
    assert_eq!(phone_only["ip"], "17694879663");
    let ip_forms: Vec<&str> = rows.iter().map(|r| r["ip"].as_str().unwrap()).collect();
    assert!(ip_forms.iter().any(|ip| {
        let t: Vec<&str> = ip.split(' ').collect();
        t.len() == 2 && t[0].split('.').count() == 4 && t[1].bytes().all(|b| b.is_ascii_digit())
    }));
    assert!(
        ip_forms
            .iter()
            .any(|ip| ip.split('.').count() == 4 && !ip.contains(' '))
    );
    let host = rows.iter().find(|r| r["role"] == 1).unwrap();
    assert_eq!(host["hostName"], host["name"]);
    // Sorted by first join.
    let firsts: Vec<&str> = rows
        .iter()
        .map(|r| r["onlineTime"].as_str().unwrap())
        .collect();
    assert!(firsts.windows(2).all(|w| w[0] <= w[1]));

    // Rules: eventId and the host's userId.
    let event = Qs::event(&m);
    for bad in [
        json!({"eventId": event}),
        json!({"userId": qs.creds.host_user_id}),
        json!({"eventId": "x", "userId": qs.creds.host_user_id}),
        json!({"eventId": event, "userId": 1.5}),
    ] {
        qs.signed(V1, bad).await.assert_code(400);
    }
    qs.signed(V1, json!({"eventId": event, "userId": 88_610_850}))
        .await
        .assert_code(404);
    qs.signed(V1, json!({"eventId": 1, "userId": qs.creds.host_user_id}))
        .await
        .assert_code(404);
    // Meetings that never ran have empty reports.
    for label in ["seed-not-started", "seed-cancelled"] {
        let m = qs.meeting(label);
        let r = qs.signed(V1, qs.v1_body(&m)).await;
        assert_eq!(r.json["result"], json!([]), "{label}");
        let r = qs.signed(V2, json!({"eventId": Qs::event(&m)})).await;
        assert_eq!(
            r.json["result"],
            json!({"interaction": [], "tempConfenceList": []}),
            "{label}"
        );
    }
}

#[tokio::test]
async fn report_v2_sessions_and_runs_of_a_recurring_event() {
    let qs = Qs::new(small_config()).await;
    let m = qs.meeting("seed-recurring");
    assert_eq!(m.kind, MeetingKind::Recurring);
    let r = qs.signed(V2, json!({"eventId": Qs::event(&m)})).await;
    r.assert_code(0);
    let result = r.result();
    assert!(
        result.get("tempConferenceList").is_none(),
        "misspelled key only"
    );
    let runs = result["tempConfenceList"].as_array().unwrap();
    let sessions = result["interaction"].as_array().unwrap();
    assert_eq!(
        Some(result),
        qs.sb.truth().quanshi_report_v2(&m.id).as_ref()
    );
    // Five occurrences: three ran, one deleted, one to come.
    assert_eq!(m.sub_meetings.len(), 5);
    assert_eq!(runs.len(), 3);
    let run_ids: HashSet<&str> = runs
        .iter()
        .map(|r| r["tempConferenceId"].as_str().unwrap())
        .collect();
    assert_eq!(run_ids.len(), 3, "distinct tempConferenceIds");
    let ran: Vec<&str> = m
        .sub_meetings
        .iter()
        .filter(|s| !s.deleted && s.state == MeetingState::Ended)
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(run_ids, ran.iter().copied().collect::<HashSet<_>>());
    for run in runs {
        assert!(is_wall_time(run["realStartTime"].as_str().unwrap()));
        assert!(is_wall_time(run["realEndTime"].as_str().unwrap()));
    }
    assert_eq!(sessions.len(), m.sessions);
    for s in sessions {
        assert!(run_ids.contains(s["tempConferenceId"].as_str().unwrap()));
        assert!(s["onlineTime"].is_i64() && s["offlineTime"].is_i64());
        assert!(s["onlineTime"].as_i64() < s["offlineTime"].as_i64());
        assert!(matches!(s["roleId"].as_i64(), Some(0 | 1)));
        assert!(s.get("role").is_none());
        for k in ["name", "mobile", "email", "deviceType", "ip"] {
            assert!(s[k].is_string(), "{k}");
        }
    }
    let online: Vec<i64> = sessions
        .iter()
        .map(|s| s["onlineTime"].as_i64().unwrap())
        .collect();
    assert!(online.windows(2).all(|w| w[0] <= w[1]));
    // Each run's real times cover its sessions.
    for run in runs {
        let id = &run["tempConferenceId"];
        let of_run: Vec<&Value> = sessions
            .iter()
            .filter(|s| s["tempConferenceId"] == *id)
            .collect();
        assert!(!of_run.is_empty());
        let first = of_run
            .iter()
            .map(|s| s["onlineTime"].as_i64().unwrap())
            .min()
            .unwrap();
        assert!(run["realStartTime"].as_str().unwrap() <= wall(first).as_str());
    }
    // A person in two runs is one v1 row with times 2.
    let v1 = qs.sb.truth().quanshi_report_v1(&m.id);
    let wangwu = v1.iter().find(|r| r["name"] == "王五").unwrap();
    assert_eq!(wangwu["times"], 2);
    let in_runs: HashSet<&Value> = sessions
        .iter()
        .filter(|s| s["name"] == "王五")
        .map(|s| &s["tempConferenceId"])
        .collect();
    assert_eq!(in_runs.len(), 2);
    // The live meeting's run is still going: no end time yet; open sessions have offlineTime 0.
    let live = qs.meeting("seed-live");
    let v2 = qs.sb.truth().quanshi_report_v2(&live.id).unwrap();
    assert_eq!(v2["tempConfenceList"].as_array().unwrap().len(), 1);
    assert_eq!(v2["tempConfenceList"][0]["realEndTime"], "");
    assert!(
        v2["interaction"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["offlineTime"] == 0)
    );

    qs.signed(V2, json!({})).await.assert_code(400);
    qs.signed(V2, json!({"eventId": true}))
        .await
        .assert_code(400);
    qs.signed(V2, json!({"eventId": 42})).await.assert_code(404);
}

type Key = (String, String, String);

fn union_secs(mut spans: Vec<(i64, i64)>) -> i64 {
    spans.sort_unstable();
    let mut total = 0;
    let mut cur: Option<(i64, i64)> = None;
    for (s, e) in spans {
        cur = match cur {
            Some((cs, ce)) if s <= ce => Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += ce - cs;
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    total + cur.map(|(s, e)| e - s).unwrap_or(0)
}

/// Checks that v1 is the per-person aggregation of v2 (people are told apart by name, mobile
/// and e-mail, the only identity both reports share).
fn assert_v1_aggregates_v2(label: &str, v1: &[Value], v2: &[Value]) {
    let key = |r: &Value, mobile: &str| -> Key {
        (
            r["name"].as_str().unwrap().to_owned(),
            mobile.to_owned(),
            r["email"].as_str().unwrap().to_owned(),
        )
    };
    let mut sessions: BTreeMap<Key, Vec<&Value>> = BTreeMap::new();
    for s in v2 {
        let mobile = match s["mobile"].as_str().unwrap() {
            "" => "-",
            m => m,
        };
        sessions.entry(key(s, mobile)).or_default().push(s);
    }
    let mut people: BTreeMap<Key, Vec<&Value>> = BTreeMap::new();
    for p in v1 {
        people
            .entry(key(p, p["mobile"].as_str().unwrap()))
            .or_default()
            .push(p);
    }
    assert_eq!(
        sessions.keys().collect::<Vec<_>>(),
        people.keys().collect::<Vec<_>>(),
        "{label}: same people"
    );
    for (k, rows) in &people {
        let ss = &sessions[k];
        let times: u64 = rows.iter().map(|r| r["times"].as_u64().unwrap()).sum();
        assert_eq!(times as usize, ss.len(), "{label} {k:?}: times");
        let first = ss
            .iter()
            .map(|s| s["onlineTime"].as_i64().unwrap())
            .min()
            .unwrap();
        let v1_first = rows
            .iter()
            .map(|r| r["onlineTime"].as_str().unwrap())
            .min()
            .unwrap();
        assert_eq!(v1_first, wall(first), "{label} {k:?}: first join");
        if rows.len() > 1 {
            continue; // Two people share name, mobile and e-mail: only the sums are comparable.
        }
        let row = rows[0];
        let open = ss.iter().any(|s| s["offlineTime"] == 0);
        let last = ss
            .iter()
            .map(|s| s["offlineTime"].as_i64().unwrap())
            .max()
            .unwrap();
        let expected_off = if open { String::new() } else { wall(last) };
        assert_eq!(
            row["offlineTime"], expected_off,
            "{label} {k:?}: last leave"
        );
        let closed: Vec<(i64, i64)> = ss
            .iter()
            .filter(|s| s["offlineTime"] != 0)
            .map(|s| {
                (
                    s["onlineTime"].as_i64().unwrap(),
                    s["offlineTime"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            row["watchDuration"],
            union_secs(closed).to_string(),
            "{label} {k:?}: watchDuration"
        );
        let earliest = ss.iter().min_by_key(|s| s["onlineTime"].as_i64()).unwrap();
        assert_eq!(row["deviceType"], earliest["deviceType"], "{label} {k:?}");
        assert_eq!(row["ip"], earliest["ip"], "{label} {k:?}");
        let role = ss[0]["roleId"].clone();
        assert_eq!(row["role"], role, "{label} {k:?}");
    }
}

#[tokio::test]
async fn v1_is_the_aggregation_of_v2_for_every_meeting_and_both_match_the_truth() {
    let qs = Qs::new(SandboxConfig {
        data: DataConfig {
            small_meetings: 10,
            large_meetings: vec![3_000],
            ..DataConfig::default()
        },
        ..small_config()
    })
    .await;
    let t = qs.token().await;
    let truth = qs.sb.truth();
    let meetings: Vec<CatalogMeeting> = qs.sb.catalog().of(Vendor::Quanshi).cloned().collect();
    assert!(
        meetings
            .iter()
            .any(|m| m.kind == MeetingKind::Recurring && m.label.starts_with("small-"))
    );
    for m in &meetings {
        let v1 = qs.with_token(&t, V1, qs.v1_body(m)).await;
        v1.assert_code(0);
        let v2 = qs
            .with_token(&t, V2, json!({"eventId": Qs::event(m)}))
            .await;
        v2.assert_code(0);
        let v1 = v1.result().as_array().unwrap().clone();
        let sessions = v2.result()["interaction"].as_array().unwrap().clone();
        assert_eq!(v1, truth.quanshi_report_v1(&m.id), "{}", m.label);
        assert_eq!(sessions, truth.quanshi_sessions(&m.id), "{}", m.label);
        assert_eq!(
            v2.result()["tempConfenceList"],
            Value::from(truth.quanshi_runs(&m.id)),
            "{}",
            m.label
        );
        assert_eq!(sessions.len(), m.sessions, "{}: catalog sessions", m.label);
        assert_eq!(v1.len(), m.people, "{}: catalog people", m.label);
        assert_v1_aggregates_v2(&m.label, &v1, &sessions);
        if m.kind == MeetingKind::Recurring {
            let runs = truth.quanshi_runs(&m.id);
            assert!(runs.len() >= 2, "{}: several runs", m.label);
            for (i, s) in m.sub_meetings.iter().enumerate() {
                let n = sessions
                    .iter()
                    .filter(|x| x["tempConferenceId"] == s.id.as_str())
                    .count();
                assert_eq!(n, s.sessions, "{} sub {i}", m.label);
            }
        }
    }
    // A generated meeting's host is the configured host.
    let small = qs.meeting("small-0");
    let v1 = truth.quanshi_report_v1(&small.id);
    let host = v1
        .iter()
        .find(|r| r["role"] == 1)
        .expect("the host attended");
    assert_eq!(host["email"], qs.creds.host_email);
    assert_eq!(host["name"], host["hostName"]);
    let found = qs
        .signed(EMAIL, json!({"email": qs.creds.host_email}))
        .await;
    assert_eq!(found.result()["userId"], qs.creds.host_user_id);
    let large = qs.meeting("large-3000");
    assert_eq!(truth.quanshi_sessions(&large.id).len(), 3_000);
}

#[tokio::test]
async fn attendee_list_pages_the_terminals_in_the_meeting_now() {
    let qs = Qs::new(small_config()).await;
    let m = qs.meeting("seed-live");
    assert_eq!(m.state, MeetingState::InProgress);
    let event = Qs::event(&m);
    let truth = qs.sb.truth();
    let now_terminals = truth.quanshi_terminals(&m.id);
    assert_eq!(now_terminals.len(), 133, "more than one page of 100");

    // Default page size 20, page-number pagination until a short page.
    let mut all = Vec::new();
    let mut page = 1;
    loop {
        let body = if page == 1 {
            json!({"eventId": event})
        } else {
            json!({"eventId": event, "page": page})
        };
        let r = qs.signed(ATTENDEES, body).await;
        r.assert_code(0);
        let obj = r.result().as_object().unwrap();
        assert_eq!(
            obj.keys().collect::<Vec<_>>(),
            vec!["list"],
            "list only, no total"
        );
        let list = obj["list"].as_array().unwrap();
        all.extend(list.iter().cloned());
        if list.len() < 20 {
            break;
        }
        page += 1;
        assert!(page < 100);
    }
    assert_eq!(page, 7);
    assert_eq!(all, now_terminals);
    let temp_ids: HashSet<u64> = all
        .iter()
        .map(|t| t["tempUserId"].as_u64().unwrap())
        .collect();
    assert_eq!(temp_ids.len(), all.len());
    for t in &all {
        assert_eq!(t["eventId"].as_u64(), Some(event));
        assert!(t["conferenceId"].is_string() && t["userId"].is_u64() && t["roles"].is_array());
        assert_eq!(t["customerCode"], qs.creds.customer_code);
        let name = t["name"].as_str().unwrap();
        assert_eq!(name, name.trim(), "names are trimmed");
    }
    assert!(
        all.iter()
            .any(|t| t["deviceType"] == "Telephone" && t["ip"] == "")
    );

    // count 100: a full page and a short one; a page past the end is empty.
    let page_of = |page: i64, count: i64| json!({"eventId": event, "page": page, "count": count});
    let p1 = qs.signed(ATTENDEES, page_of(1, 100)).await;
    let p2 = qs.signed(ATTENDEES, page_of(2, 100)).await;
    let p3 = qs.signed(ATTENDEES, page_of(3, 100)).await;
    assert_eq!(p1.result()["list"].as_array().unwrap().len(), 100);
    assert_eq!(p2.result()["list"].as_array().unwrap().len(), 33);
    assert_eq!(p3.result()["list"], json!([]));
    let far = qs.signed(ATTENDEES, page_of(i64::MAX, 100)).await;
    assert_eq!(far.result()["list"], json!([]));
    // Strings are accepted for the numbers.
    let text = qs
        .signed(
            ATTENDEES,
            json!({"eventId": m.id, "page": "2", "count": "100"}),
        )
        .await;
    assert_eq!(text.result(), p2.result());

    // Limits.
    for bad in [
        page_of(1, 101),
        page_of(1, 0),
        page_of(1, -5),
        page_of(0, 20),
        page_of(-1, 20),
        json!({"eventId": event, "count": "many"}),
        json!({"eventId": event, "page": 1.5}),
        json!({"page": 1}),
    ] {
        qs.signed(ATTENDEES, bad.clone()).await.assert_code(400);
    }
    qs.signed(ATTENDEES, json!({"eventId": 7}))
        .await
        .assert_code(404);

    // The list follows the sandbox clock.
    let clock = qs.sb.clock();
    let s = m.start;
    clock.set(s + 950);
    let at_950 = truth.quanshi_terminals(&m.id);
    assert_eq!(at_950, truth.quanshi_terminals_at(&m.id, s + 950));
    assert_eq!(
        at_950.len(),
        97,
        "host, 84 of the 130, the 12 who left later"
    );
    let served = qs.signed(ATTENDEES, page_of(1, 100)).await;
    assert_eq!(served.result()["list"], Value::from(at_950));
    clock.set(s - 1);
    let r = qs.signed(ATTENDEES, page_of(1, 100)).await;
    assert_eq!(r.result()["list"], json!([]), "before anyone joined");
    // An ended meeting has nobody in it now.
    clock.set(common::T0);
    let single = qs.meeting("seed-single");
    let r = qs
        .signed(ATTENDEES, json!({"eventId": Qs::event(&single)}))
        .await;
    assert_eq!(r.result()["list"], json!([]));
    // … but had people in it at the time.
    assert!(
        !truth
            .quanshi_terminals_at(&single.id, single.start + 1_000)
            .is_empty()
    );
}

#[tokio::test]
async fn seed_catalog_covers_the_required_cases() {
    let qs = Qs::new(small_config()).await;
    let cat = qs.sb.catalog();
    let q: Vec<&CatalogMeeting> = cat.of(Vendor::Quanshi).collect();
    for label in [
        "seed-single",
        "seed-recurring",
        "seed-live",
        "seed-not-started",
        "seed-cancelled",
        "small-0",
        "small-1",
        "small-2",
    ] {
        assert!(q.iter().any(|m| m.label == label), "{label}");
    }
    let ids: HashSet<&str> = q.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids.len(), q.len());
    let links: HashSet<&str> = q.iter().map(|m| m.join_url.as_deref().unwrap()).collect();
    assert_eq!(links.len(), q.len());
    assert!(q.iter().all(|m| m.id.parse::<u64>().is_ok()));
    assert!(
        q.iter()
            .all(|m| m.creator == qs.creds.host_user_id.to_string())
    );
    assert!(
        cat.of(Vendor::Tencent).all(|m| m.join_url.is_none()),
        "only Quanshi has join links"
    );
    let rec = qs.meeting("seed-recurring");
    assert!(rec.sub_meetings.iter().any(|s| s.deleted));
    assert!(
        rec.sub_meetings
            .iter()
            .any(|s| s.state == MeetingState::NotStarted)
    );
    // Status codes of the meeting objects.
    let truth = qs.sb.truth();
    for (label, status) in [
        ("seed-single", 4),
        ("seed-live", 1),
        ("seed-not-started", 1),
        ("seed-cancelled", 0),
    ] {
        let d = truth.quanshi_meeting_detail(&qs.meeting(label).id).unwrap();
        assert_eq!(d["status"], status, "{label}");
    }
    // The Chinese title, a phone participant with a phone-only ip, repeated sessions.
    let single = qs.meeting("seed-single");
    let sessions = truth.quanshi_sessions(&single.id);
    assert!(sessions.iter().any(|s| {
        s["deviceType"] == "Telephone"
            && s["ip"]
                .as_str()
                .unwrap()
                .bytes()
                .all(|b| b.is_ascii_digit())
    }));
    assert!(sessions.iter().filter(|s| s["name"] == "张三").count() >= 2);
    assert!(
        single
            .subject
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    );
    assert!(truth.quanshi_report_v1("not a number").is_empty());
    assert!(truth.quanshi_report_v2("1").is_none());
    // Without seed meetings only the generated ones remain.
    let qs2 = Qs::new(SandboxConfig {
        data: DataConfig {
            seed_meetings: false,
            small_meetings: 2,
            large_meetings: vec![],
            ..DataConfig::default()
        },
        ..small_config()
    })
    .await;
    let labels: Vec<String> = qs2
        .sb
        .catalog()
        .of(Vendor::Quanshi)
        .map(|m| m.label.clone())
        .collect();
    assert_eq!(labels, vec!["small-0", "small-1"]);
}

#[tokio::test]
async fn fixture_meetings_are_served_by_quanshi() {
    let base = common::T0 - 86_400;
    let fixture = Fixture::from_json(&format!(
        r#"{{"meetings":[
          {{"label":"pei","vendors":["quanshi"],"id":"613399","creator":"88610840","subject":"pei的会议",
            "start":{s},"end":{e},
            "attendees":[
              {{"userid":"88610840","name":"pei","phone":"13800138000","sessions":[{{"join":{j1},"leave":{l1}}}]}},
              {{"name":"访客","phone":"17694879663","device":0,"sessions":[{{"join":{j2},"leave":{l2}}}],
                "overrides":{{"quanshi":{{"deviceType":"PSTN-X"}}}}}}],
            "invitees":[{{"userid":"88610840","name":"pei","status":"A"}}],
            "overrides":{{"quanshi":{{"attendeeJoinUrl":"https://n.qsh1.cn/k/myOwnLink","confNodeType":0}}}}}},
          {{"label":"tencent-only","vendors":["tencent"],"subject":"x","start":{s},"end":{e}}},
          {{"label":"series","vendors":["quanshi"],"kind":"recurring","subject":"系列","start":{s},"end":{e2},
            "sub_meetings":[{{"id":"54017","start":{s},"end":{e}}},{{"id":"54018","start":{s2},"end":{e2}}}],
            "attendees":[{{"name":"x","sessions":[{{"join":{j1},"leave":{l1},"sub_meeting":0}},{{"join":{j3},"leave":{l3},"sub_meeting":1}}]}}]}}
        ]}}"#,
        s = base,
        e = base + 3600,
        s2 = base + 7200,
        e2 = base + 10_800,
        j1 = base + 10,
        l1 = base + 600,
        j2 = base + 20,
        l2 = base + 900,
        j3 = base + 7300,
        l3 = base + 7400,
    ))
    .unwrap();
    let qs = Qs::new(SandboxConfig {
        fixture: Some(fixture),
        ..small_config()
    })
    .await;
    assert!(
        qs.sb
            .catalog()
            .by_label(Vendor::Quanshi, "tencent-only")
            .is_none()
    );
    let m = qs.meeting("pei");
    assert_eq!(m.id, "613399");
    assert_eq!(m.creator, "88610840");
    assert_eq!(m.join_url.as_deref(), Some("https://n.qsh1.cn/k/myOwnLink"));
    let r = qs
        .signed(
            LOOKUP,
            json!({"attendeeJoinUrl": " https://n.qsh1.cn/k/myOwnLink "}),
        )
        .await;
    let o = &r.result()[0];
    assert_eq!(o["eventId"], 613_399);
    assert_eq!(o["hostId"], 88_610_840);
    assert_eq!(o["hostName"], "pei");
    assert_eq!(o["confNodeType"], 0, "meeting override");
    assert_eq!(o["attendList"][0]["status"], "A");
    let v1 = qs
        .signed(V1, json!({"eventId": 613399, "userId": 88_610_840}))
        .await;
    v1.assert_code(0);
    let rows = v1.result().as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0]["title"], "pei%E7%9A%84%E4%BC%9A%E8%AE%AE",
        "the doc example"
    );
    assert_eq!(rows[0]["role"], 1);
    assert_eq!(rows[1]["deviceType"], "PSTN-X", "attendee override");
    assert_eq!(rows[1]["ip"], "17694879663");
    // The default host is not this meeting's host.
    qs.signed(V1, qs.v1_body(&m)).await.assert_code(404);
    let series = qs.meeting("series");
    let runs: Vec<Value> = qs
        .sb
        .truth()
        .quanshi_runs(&series.id)
        .into_iter()
        .map(|r| r["tempConferenceId"].clone())
        .collect();
    assert_eq!(runs, vec![json!("54017"), json!("54018")]);
    let v1 = qs.sb.truth().quanshi_report_v1(&series.id);
    assert_eq!(v1.len(), 1);
    assert_eq!(v1[0]["times"], 2);
    assert_eq!(v1[0]["watchDuration"], "690");
}

#[tokio::test]
async fn same_seed_same_data_other_seed_other_data() {
    async fn snapshot(seed: u64) -> (Vec<(String, String, String)>, Vec<Value>) {
        let qs = Qs::new(SandboxConfig {
            seed,
            ..small_config()
        })
        .await;
        let cat = qs
            .sb
            .catalog()
            .of(Vendor::Quanshi)
            .map(|m| (m.label.clone(), m.id.clone(), m.join_url.clone().unwrap()))
            .collect();
        let mut bodies = Vec::new();
        for label in ["seed-single", "seed-live", "small-1"] {
            let m = qs.meeting(label);
            bodies.push(qs.signed(V1, qs.v1_body(&m)).await.result().clone());
            bodies.push(
                qs.signed(V2, json!({"eventId": Qs::event(&m)}))
                    .await
                    .result()
                    .clone(),
            );
            bodies.push(
                qs.signed(ATTENDEES, json!({"eventId": Qs::event(&m), "count": 100}))
                    .await
                    .result()
                    .clone(),
            );
        }
        let token = qs.token().await;
        bodies.push(Value::from(token));
        qs.sb.shutdown().await;
        (cat, bodies)
    }
    let a = snapshot(7).await;
    assert_eq!(a, snapshot(7).await);
    let b = snapshot(8).await;
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
}
