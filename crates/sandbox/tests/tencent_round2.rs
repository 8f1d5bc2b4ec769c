//! Tencent round-two endpoints (docs/specs/tencent-meeting.md §12) against the ground truth, over
//! raw HTTP: webinar enrollments and the path mismatch, enroll page sizes, the export job, sign-in
//! rounds and records, real-time participants and the waiting-room log.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use base64::Engine as _;
use common::*;
use proptest::prelude::*;
use roster_sandbox::{
    CatalogMeeting, MeetingKind, SandboxConfig, SandboxHandle, TencentConfig, TencentCredentials,
    Vendor,
};
use serde_json::{Value, json};

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

    async fn with(tc: TencentConfig) -> Env {
        Env::new(SandboxConfig {
            tencent: tc,
            ..small_config()
        })
        .await
    }

    fn meeting(&self, label: &str) -> CatalogMeeting {
        meeting(&self.sb, Vendor::Tencent, label)
    }

    async fn get(&self, target: &str) -> Reply {
        tc_get(&self.sb, &self.c, &self.creds, target).await
    }

    async fn post(&self, target: &str, body: &str) -> Reply {
        TcReq::signed(
            &self.creds,
            "POST",
            target,
            body,
            self.sb.clock().unix(),
            nonce(),
        )
        .send(&self.c, &self.sb.base_url())
        .await
    }

    /// An unsigned GET of a full URL: status, content type, body.
    async fn fetch(&self, url: &str) -> (u16, String, Vec<u8>) {
        let r = self.c.get(url).send().await.unwrap();
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, ct, r.bytes().await.unwrap().to_vec())
    }

    /// Pages of a page-number endpoint (`{first}&page=N`) to the last-page rule of §12;
    /// returns the rows of `list` and every page.
    async fn pages(&self, first: &str, list: &str) -> (Vec<Value>, Vec<Reply>) {
        let mut rows = Vec::new();
        let mut pages = Vec::new();
        for page in 1.. {
            let r = self.get(&format!("{first}&page={page}")).await;
            r.assert_ok();
            assert_eq!(r.json["current_page"], page);
            let got = r.json[list].as_array().cloned().unwrap_or_default();
            assert_eq!(r.json["current_size"].as_u64().unwrap() as usize, got.len());
            rows.extend(got);
            let total_page = r.json["total_page"].as_i64().unwrap();
            pages.push(r);
            if page >= total_page {
                break;
            }
            assert!(page < 1000);
        }
        (rows, pages)
    }
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn enroll(path: &str, id: &str, op: &str, extra: &str) -> String {
    format!(
        "/v1/{path}/{id}/enroll/approvals?operator_id={op}&operator_id_type=1&instanceid=1{extra}"
    )
}

// --- §12.1, §12.2: enrollments ------------------------------------------------------------------

#[tokio::test]
async fn webinar_enrollments_are_served_on_the_webinar_path_only() {
    let env = Env::new(small_config()).await;
    let w = env.meeting("seed-webinar");
    assert_eq!(w.kind, MeetingKind::Webinar);
    // The detail says which path to use: meeting_type 6.
    let d = env
        .get(&format!("/v1/meetings/{}?userid=owner1&instanceid=1", w.id))
        .await;
    assert_eq!(d.json["meeting_info_list"][0]["meeting_type"], 6);
    let truth = env.sb.truth().tencent_enroll_approvals(&w.id, None);
    assert_eq!(truth.len(), w.enrollments);
    assert!(truth.len() > 100);

    // One page of 300 (§12.2 maximum) and pages of 50 give the same records.
    let r = env
        .get(&enroll(
            "webinars",
            &w.id,
            "owner1",
            "&page=1&page_size=300",
        ))
        .await;
    r.assert_ok();
    assert_eq!(r.json["total_page"], 1);
    assert_eq!(r.json["enroll_list"], Value::Array(truth.clone()));
    let (rows, pages) = env
        .pages(
            &enroll("webinars", &w.id, "owner1", "&page_size=50"),
            "enroll_list",
        )
        .await;
    assert_eq!(rows, truth);
    assert_eq!(pages.len(), truth.len().div_ceil(50));
    for status in 1..=3 {
        let (rows, _) = env
            .pages(
                &enroll(
                    "webinars",
                    &w.id,
                    "owner1",
                    &format!("&page_size=7&status={status}"),
                ),
                "enroll_list",
            )
            .await;
        assert_eq!(
            rows,
            env.sb.truth().tencent_enroll_approvals(&w.id, Some(status))
        );
    }
    // Beyond the last page: no enroll_list.
    let r = env
        .get(&enroll("webinars", &w.id, "owner1", "&page=9&page_size=50"))
        .await;
    r.assert_ok();
    assert_eq!(r.json["current_size"], 0);
    assert!(r.json.get("enroll_list").is_none());

    // Path mismatch, both ways: 190004 (400).
    let r = env
        .get(&enroll("meetings", &w.id, "owner1", "&page=1&page_size=50"))
        .await;
    r.assert_code(190004);
    assert_eq!(r.status, 400);
    let one = env.meeting("seed-oneoff");
    let r = env
        .get(&enroll(
            "webinars",
            &one.id,
            "owner1",
            "&page=1&page_size=50",
        ))
        .await;
    r.assert_code(190004);
    assert_eq!(r.status, 400);
    // The meetings path still serves a plain meeting.
    let r = env
        .get(&enroll(
            "meetings",
            &one.id,
            "owner1",
            "&page=1&page_size=300",
        ))
        .await;
    r.assert_ok();
    assert_eq!(
        r.json["enroll_list"],
        Value::Array(env.sb.truth().tencent_enroll_approvals(&one.id, None))
    );

    // Webinar-path rules.
    for extra in [
        "&page=1&page_size=301",
        "&page=1&page_size=0",
        "&page=0&page_size=10",
        "&page=x&page_size=10",
        "&page_size=10",
        "&page=1",
        "&page=1&page_size=10&status=4",
    ] {
        env.get(&enroll("webinars", &w.id, "owner1", extra))
            .await
            .assert_code(190004);
    }
    for query in [
        "operator_id=owner1&operator_id_type=3&instanceid=1&page=1&page_size=10",
        "operator_id=owner1&operator_id_type=1&page=1&page_size=10",
        "operator_id_type=1&instanceid=1&page=1&page_size=10",
    ] {
        env.get(&format!("/v1/webinars/{}/enroll/approvals?{query}", w.id))
            .await
            .assert_code(190004);
    }
    // Not the creator: 107 (500), admins included.
    for op in ["admin1", "stranger"] {
        let r = env
            .get(&enroll("webinars", &w.id, op, "&page=1&page_size=10"))
            .await;
        r.assert_code(107);
        assert_eq!(r.status, 500);
    }
    env.get(&enroll("webinars", "42", "owner1", "&page=1&page_size=10"))
        .await
        .assert_code(9003);
    let stats = env.sb.stats();
    assert!(stats.requests_to("tencent.webinar_enroll_approvals") > 10);
}

#[tokio::test]
async fn enroll_page_size_maximum_and_mismatch_answer_are_configurable() {
    let env = Env::new(small_config()).await;
    let one = env.meeting("seed-oneoff");
    env.get(&enroll(
        "meetings",
        &one.id,
        "owner1",
        "&page=1&page_size=301",
    ))
    .await
    .assert_code(190004);

    let strict = Env::with(TencentConfig {
        enroll_page_size_max: 50,
        enroll_path_mismatch: Some(9003),
        ..TencentConfig::default()
    })
    .await;
    let one = strict.meeting("seed-oneoff");
    let w = strict.meeting("seed-webinar");
    strict
        .get(&enroll(
            "meetings",
            &one.id,
            "owner1",
            "&page=1&page_size=50",
        ))
        .await
        .assert_ok();
    strict
        .get(&enroll(
            "meetings",
            &one.id,
            "owner1",
            "&page=1&page_size=51",
        ))
        .await
        .assert_code(190004);
    strict
        .get(&enroll("webinars", &w.id, "owner1", "&page=1&page_size=51"))
        .await
        .assert_code(190004);
    strict
        .get(&enroll("meetings", &w.id, "owner1", "&page=1&page_size=50"))
        .await
        .assert_code(9003);
    strict
        .get(&enroll(
            "webinars",
            &one.id,
            "owner1",
            "&page=1&page_size=50",
        ))
        .await
        .assert_code(9003);

    // `None`: either path serves either kind.
    let lenient = Env::with(TencentConfig {
        enroll_path_mismatch: None,
        ..TencentConfig::default()
    })
    .await;
    let w = lenient.meeting("seed-webinar");
    let one = lenient.meeting("seed-oneoff");
    for (path, m) in [("meetings", &w), ("webinars", &one)] {
        let r = lenient
            .get(&enroll(path, &m.id, "owner1", "&page=1&page_size=300"))
            .await;
        r.assert_ok();
        assert_eq!(
            r.json["enroll_list"],
            Value::Array(lenient.sb.truth().tencent_enroll_approvals(&m.id, None))
        );
    }
}

// --- §12.3: export ------------------------------------------------------------------------------

const EXPORT: &str = "/v1/meetings/export-participants-list";

fn poll_target(job: &str, op: &str) -> String {
    format!("/v1/export/{job}?operator_id={op}&operator_id_type=1")
}

/// Per person (userid, else ms_open_id): the participant rows of the truth.
fn sessions_by_person(rows: &[Value]) -> BTreeMap<String, Vec<(i64, Option<i64>)>> {
    let mut out: BTreeMap<String, Vec<(i64, Option<i64>)>> = BTreeMap::new();
    for r in rows {
        let key = match r["userid"].as_str() {
            Some(u) if !u.is_empty() => u.to_owned(),
            _ => r["ms_open_id"].as_str().unwrap().to_owned(),
        };
        let join: i64 = r["join_time"].as_str().unwrap().parse().unwrap();
        let left = r["left_time"].as_str().unwrap().parse().ok();
        out.entry(key).or_default().push((join, left));
    }
    out
}

#[tokio::test]
async fn export_job_runs_on_the_sandbox_clock_and_its_url_expires() {
    let env = Env::new(small_config()).await;
    let m = env.meeting("seed-oneoff");
    let (from, to) = (m.start, m.end + 3_600);
    let body = json!({"meeting_id": m.id, "operator_id": "owner1", "operator_id_type": 1,
        "start_time": from, "end_time": to, "file_type": "json"})
    .to_string();
    let r = env.post(EXPORT, &body).await;
    r.assert_ok();
    let job = r.json["job_id"].as_str().unwrap().to_owned();
    assert_eq!(job.len(), 36, "a UUID-shaped id: {job}");

    // Processing for two polls (the default), then done with a url.
    for _ in 0..2 {
        let p = env.get(&poll_target(&job, "owner1")).await;
        p.assert_ok();
        assert_eq!(p.json, json!({"status": 3}));
    }
    let p = env.get(&poll_target(&job, "owner1")).await;
    p.assert_ok();
    assert_eq!(p.json["status"], 1);
    let url = p.json["url"].as_str().unwrap().to_owned();
    assert!(url.contains("/sandbox/export/"), "{url}");
    // A later poll before expiry gives the same url.
    assert_eq!(env.get(&poll_target(&job, "owner1")).await.json["url"], url);

    // The file: unsigned GET, the §12.3 layout, rows = the truth.
    let (status, ct, bytes) = env.fetch(&url).await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/json"), "{ct}");
    let file: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(file["meeting_id"], m.id.as_str());
    assert_eq!(file["meeting_code"], m.code.as_str());
    assert_eq!(file["subject"], m.subject.as_str());
    assert_eq!(
        (file["start_time"].as_i64(), file["end_time"].as_i64()),
        (Some(from), Some(to))
    );
    let rows = file["participants"].as_array().unwrap();
    let truth = env
        .sb
        .truth()
        .tencent_export_rows(&m.id, None, Some((from, to)));
    assert_eq!(*rows, truth);
    assert_eq!(file["total_count"], rows.len());

    // Each row agrees with the participant rows it summarises.
    let participants = env
        .sb
        .truth()
        .tencent_participants(&m.id, None, Some((from, to)));
    let by_person = sessions_by_person(&participants);
    assert_eq!(rows.len(), by_person.len(), "one row per person");
    for row in rows {
        let key = match row["userid"].as_str() {
            Some(u) if !u.is_empty() => u.to_owned(),
            _ => row["ms_open_id"].as_str().unwrap().to_owned(),
        };
        let sessions = &by_person[&key];
        assert_eq!(row["join_count"], sessions.len(), "{key}");
        assert_eq!(
            row["first_join_time"],
            sessions.iter().map(|s| s.0).min().unwrap()
        );
        let left: Vec<i64> = sessions.iter().map(|s| s.1.unwrap()).collect();
        assert_eq!(row["last_left_time"], *left.iter().max().unwrap());
        // Union of the sessions (the seed has no overlaps except on purpose, so merge).
        let mut spans: Vec<(i64, i64)> = sessions.iter().map(|s| (s.0, s.1.unwrap())).collect();
        spans.sort();
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
        total += cur.map_or(0, |(s, e)| e - s);
        assert_eq!(row["cumulative_time"], total, "{key}");
    }
    let zhang = rows.iter().find(|r| r["userid"] == "zhangsan").unwrap();
    assert_eq!(zhang["user_name"], "5byg5LiJ");
    assert_eq!(zhang["join_count"], 3);
    assert!(rows.iter().any(|r| r["user_name"] == "dGvzdDI="));
    assert!(
        rows.iter()
            .any(|r| r["userid"] == "" && r["is_enterprise_user"] == true),
        "the departed member, keyed by ms_open_id"
    );

    // 7200 s later the url is refused (403, empty body); a new poll issues a fresh one.
    env.sb.clock().advance(Duration::from_secs(7_199));
    assert_eq!(env.fetch(&url).await.0, 200);
    env.sb.clock().advance(Duration::from_secs(1));
    let (status, _, bytes) = env.fetch(&url).await;
    assert_eq!((status, bytes.len()), (403, 0));
    let p = env.get(&poll_target(&job, "owner1")).await;
    assert_eq!(p.json["status"], 1);
    let url2 = p.json["url"].as_str().unwrap();
    assert_ne!(url2, url);
    let (status, _, again) = env.fetch(url2).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_slice::<Value>(&again).unwrap(), file);
    assert_eq!(env.fetch(&url).await.0, 403);
    let (status, _, _) = env
        .fetch(&format!("{}/sandbox/export/not-a-token", env.sb.base_url()))
        .await;
    assert_eq!(status, 404);

    // Another operator: 9042 with HTTP 400 (as the poll page documents); unknown job: 10013.
    let r = env.get(&poll_target(&job, "admin1")).await;
    r.assert_code(9042);
    assert_eq!(r.status, 400);
    let r = env
        .get(&poll_target(
            "e1234567-f123-4d12-123a-12346192e332",
            "owner1",
        ))
        .await;
    r.assert_code(10013);
    assert_eq!(r.status, 500);
    env.get(&format!(
        "/v1/export/{job}?operator_id=owner1&operator_id_type=3"
    ))
    .await
    .assert_code(190004);
    env.get(&format!("/v1/export/{job}?operator_id_type=1"))
        .await
        .assert_code(190004);
    // Jobs are forgotten a day after creation.
    env.sb.clock().advance(Duration::from_secs(86_400));
    env.get(&poll_target(&job, "owner1"))
        .await
        .assert_code(10013);

    let stats = env.sb.stats();
    assert_eq!(stats.requests_to("tencent.export_participants"), 1);
    assert!(stats.requests_to("tencent.export_job") >= 6);
    assert!(stats.requests_to("tencent.export_download") >= 5);
}

#[tokio::test]
async fn export_create_rules() {
    let env = Env::new(small_config()).await;
    let one = env.meeting("seed-oneoff");
    let rec = env.meeting("seed-recurring");
    let other = env.meeting("seed-other-owner");
    let now = env.sb.clock().unix();
    let day = 86_400;
    let ok = |extra: Value| {
        let mut b = json!({"meeting_id": one.id, "operator_id": "owner1", "operator_id_type": 1});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b.to_string()
    };
    for (body, code) in [
        (ok(json!({"file_type": "csv"})), 190004),
        (
            ok(json!({"start_time": now - 91 * day, "end_time": now})),
            190004,
        ),
        (ok(json!({"start_time": now, "end_time": now - 1})), 190004),
        (ok(json!({"start_time": "soon"})), 190004),
        (ok(json!({"operator_id_type": 9})), 190004),
        (ok(json!({"sub_meeting_id": "123"})), 190004),
        (json!({"meeting_id": one.id}).to_string(), 190004),
        (ok(json!({"meeting_id": "42"})), 9003),
        (ok(json!({"operator_id": "stranger"})), 9042),
        (ok(json!({"meeting_id": other.id})), 9042),
        (ok(json!({"meeting_id": rec.id})), 190004),
        (
            ok(json!({"meeting_id": rec.id, "sub_meeting_id": "nope"})),
            190004,
        ),
        ("not json".to_owned(), 200005),
        ("[1,2]".to_owned(), 200005),
    ] {
        let r = env.post(EXPORT, &body).await;
        r.assert_code(code);
        if code == 9042 {
            assert_eq!(r.status, 400, "{body}");
        }
    }
    // Exactly 90 days is accepted; the admin may export; a recurring occurrence works.
    env.post(
        EXPORT,
        &ok(json!({"start_time": now - 90 * day, "end_time": now})),
    )
    .await
    .assert_ok();
    env.post(EXPORT, &ok(json!({"operator_id": "admin1"})))
        .await
        .assert_ok();
    let sub = &rec.sub_meetings[0];
    let r = env
        .post(
            EXPORT,
            &ok(json!({"meeting_id": rec.id, "sub_meeting_id": sub.id, "file_type": "json"})),
        )
        .await;
    r.assert_ok();
    let job = r.json["job_id"].as_str().unwrap();
    let mut url = None;
    for _ in 0..3 {
        url = env.get(&poll_target(job, "owner1")).await.json["url"]
            .as_str()
            .map(str::to_owned);
    }
    let (_, _, bytes) = env.fetch(&url.unwrap()).await;
    let file: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(file["sub_meeting_id"], sub.id.as_str());
    assert_eq!(
        file["participants"],
        Value::Array(
            env.sb
                .truth()
                .tencent_export_rows(&rec.id, Some(&sub.id), None)
        )
    );
    assert!(!file["participants"].as_array().unwrap().is_empty());

    // Methods: GET on the create path, POST on another path: 200004. A body changed after
    // signing fails the signature.
    env.get(EXPORT).await.assert_code(200004);
    let poll = poll_target(job, "owner1");
    env.post(&poll, "{}").await.assert_code(200004);
    let mut req = TcReq::signed(&env.creds, "POST", EXPORT, &ok(json!({})), now, nonce());
    req.body = ok(json!({"file_type": "json"}));
    req.send(&env.c, &env.sb.base_url())
        .await
        .assert_code(200003);
}

#[tokio::test]
async fn export_defaults_xlsx_not_started_and_failure_switch() {
    let env = Env::new(small_config()).await;
    let one = env.meeting("seed-oneoff");
    let future = env.meeting("seed-not-started");
    let create = |id: &str, file_type: Option<&str>| {
        let mut b = json!({"meeting_id": id, "operator_id": "owner1", "operator_id_type": 1});
        if let Some(t) = file_type {
            b["file_type"] = t.into();
        }
        b.to_string()
    };
    async fn finish(env: &Env, job: &str) -> Value {
        loop {
            let p = env.get(&poll_target(job, "owner1")).await;
            p.assert_ok();
            if p.json["status"] != 3 {
                return p.json;
            }
        }
    }
    // Default file type: xlsx, a placeholder with the xlsx content type.
    let r = env.post(EXPORT, &create(&one.id, None)).await;
    let done = finish(&env, r.json["job_id"].as_str().unwrap()).await;
    let (status, ct, bytes) = env.fetch(done["url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(
        ct,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(!bytes.is_empty());
    // Not started: succeeds with no rows.
    let r = env.post(EXPORT, &create(&future.id, Some("json"))).await;
    let done = finish(&env, r.json["job_id"].as_str().unwrap()).await;
    let (_, _, bytes) = env.fetch(done["url"].as_str().unwrap()).await;
    let file: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(file["participants"], json!([]));
    assert_eq!(file["total_count"], 0);

    // Failure switch: status 2 with error_msg and no url; minimum processing time.
    let env = Env::with(TencentConfig {
        export_fail: true,
        export_processing_polls: 0,
        export_min_seconds: 30,
        ..TencentConfig::default()
    })
    .await;
    let one = env.meeting("seed-oneoff");
    let r = env.post(EXPORT, &create(&one.id, Some("json"))).await;
    let job = r.json["job_id"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        assert_eq!(
            env.get(&poll_target(&job, "owner1")).await.json,
            json!({"status": 3})
        );
    }
    env.sb.clock().advance(Duration::from_secs(29));
    assert_eq!(
        env.get(&poll_target(&job, "owner1")).await.json["status"],
        3
    );
    env.sb.clock().advance(Duration::from_secs(1));
    assert_eq!(
        env.get(&poll_target(&job, "owner1")).await.json,
        json!({"status": 2, "error_msg": "export failed"})
    );
}

// --- §12.4, §12.5: sign-in -----------------------------------------------------------------------

fn sign_in_list(id: &str, op: &str, op_type: i64, extra: &str) -> String {
    format!(
        "/v1/meetings/sign-in/list?meeting_id={id}&operator_id={op}&operator_id_type={op_type}&instanceid=1{extra}"
    )
}

fn sign_ins(id: &str, op: &str, op_type: i64, sign_in_id: &str, extra: &str) -> String {
    format!(
        "/v1/meetings/sign-in?meeting_id={id}&operator_id={op}&operator_id_type={op_type}&instanceid=1&sign_in_id={sign_in_id}{extra}"
    )
}

#[tokio::test]
async fn sign_in_rounds_and_records_page_to_the_truth_and_join_to_participants() {
    let env = Env::new(small_config()).await;
    let truth = env.sb.truth();
    for label in ["seed-oneoff", "seed-live"] {
        let m = env.meeting(label);
        let rounds = truth.tencent_sign_in_rounds(&m.id);
        assert_eq!(rounds.len(), 2, "{label}");
        let (got, pages) = env
            .pages(
                &sign_in_list(&m.id, "owner1", 1, "&page_size=1"),
                "sign_in_list",
            )
            .await;
        assert_eq!(got, rounds);
        assert_eq!(pages.len(), 2);
        assert!(pages.iter().all(|p| p.json["total_count"] == 2));
        let starts: Vec<i64> = got
            .iter()
            .map(|r| r["start_time"].as_i64().unwrap())
            .collect();
        assert!(starts.windows(2).all(|w| w[0] <= w[1]));
        assert!(starts.iter().all(|s| (m.start..=m.end).contains(s)));
        // Defaults: page 1 of 10.
        let d = env.get(&sign_in_list(&m.id, "owner1", 1, "")).await;
        d.assert_ok();
        assert_eq!(d.json["sign_in_list"], Value::Array(rounds.clone()));
        assert_eq!(d.json["current_page"], 1);
        let statuses: HashSet<i64> = rounds
            .iter()
            .map(|r| r["sign_in_status"].as_i64().unwrap())
            .collect();
        let expected: HashSet<i64> = if label == "seed-live" {
            [1, 2].into()
        } else {
            [2].into()
        };
        assert_eq!(statuses, expected, "{label}: closed (and open while live)");

        // Records of every round, paged by 2, equal the truth and join to participant rows.
        let participants = truth.tencent_participants(&m.id, None, None);
        let by_open_id: HashMap<&str, &Value> = participants
            .iter()
            .map(|p| (p["ms_open_id"].as_str().unwrap(), p))
            .collect();
        let mut guests = 0;
        for round in &rounds {
            let sid = round["sign_in_id"].as_str().unwrap();
            assert!(sid.starts_with('S') && sid.len() == 37, "{sid}");
            let records = truth.tencent_sign_ins(&m.id, sid);
            assert!(records.len() >= 3);
            let (got, pages) = env
                .pages(&sign_ins(&m.id, "owner1", 1, sid, "&page_size=2"), "events")
                .await;
            assert_eq!(got, records);
            for p in &pages {
                assert_eq!(p.json["sign_in_id"], sid);
                assert_eq!(p.json["start_time"], round["start_time"]);
                assert_eq!(
                    p.json["sign_in_specification"],
                    round["sign_in_specification"]
                );
                assert_eq!(p.json["total_count"], records.len());
            }
            let times: Vec<i64> = got
                .iter()
                .map(|e| e["sign_in_time"].as_i64().unwrap())
                .collect();
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "ascending");
            assert!(
                times
                    .iter()
                    .all(|t| *t >= round["start_time"].as_i64().unwrap() && *t > 1_000_000_000),
                "unix seconds, not a duration"
            );
            let people: HashSet<&str> = got
                .iter()
                .map(|e| e["ms_open_id"].as_str().unwrap())
                .collect();
            assert_eq!(people.len(), got.len(), "one event per person");
            for e in &got {
                let p = by_open_id[e["ms_open_id"].as_str().unwrap()];
                assert_eq!(e.get("userid"), p.get("userid"));
                assert_eq!(e["user_role"], p["user_role"].to_string());
                assert!(e["user_role"].is_string());
                // Plain UTF-8 by default; the participant row has its Base64.
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD
                    .decode(p["user_name"].as_str().unwrap())
                    && let Ok(name) = String::from_utf8(bytes)
                {
                    assert_eq!(e["user_name"], name.as_str());
                }
                if e.get("userid").is_none() {
                    guests += 1;
                }
            }
        }
        assert!(guests > 0, "{label}: a guest without userid signed in");
    }
    // 张三 was in the meeting on three devices but signed in once per round.
    let one = env.meeting("seed-oneoff");
    let first = &truth.tencent_sign_in_rounds(&one.id)[0];
    let events = truth.tencent_sign_ins(&one.id, first["sign_in_id"].as_str().unwrap());
    assert_eq!(
        events.iter().filter(|e| e["userid"] == "zhangsan").count(),
        1
    );
    assert!(events.iter().any(|e| e["user_name"] == "张三"));
}

#[tokio::test]
async fn sign_in_limits_and_permissions() {
    let env = Env::new(small_config()).await;
    let one = env.meeting("seed-oneoff");
    let live = env.meeting("seed-live");
    let sid = env.sb.truth().tencent_sign_in_rounds(&live.id)[0]["sign_in_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for target in [
        sign_in_list(&live.id, "owner1", 1, "&page_size=21"),
        sign_in_list(&live.id, "owner1", 1, "&page_size=0"),
        sign_in_list(&live.id, "owner1", 1, "&page=0"),
        sign_in_list(&live.id, "owner1", 1, "&page=one"),
        sign_in_list(&live.id, "owner1", 3, ""),
        "/v1/meetings/sign-in/list?operator_id=owner1&operator_id_type=1&instanceid=1".to_owned(),
        format!(
            "/v1/meetings/sign-in/list?meeting_id={}&operator_id=owner1&operator_id_type=1",
            live.id
        ),
        sign_ins(&live.id, "owner1", 1, &sid, "&page_size=51"),
        sign_ins(&live.id, "owner1", 1, &sid, "&page=0"),
        sign_ins(&live.id, "owner1", 1, "S-unknown", ""),
        sign_ins(&one.id, "owner1", 1, &sid, ""),
        format!(
            "/v1/meetings/sign-in?meeting_id={}&operator_id=owner1&operator_id_type=1&instanceid=1",
            live.id
        ),
    ] {
        let r = env.get(&target).await;
        r.assert_code(190004);
        assert_eq!(r.status, 400, "{target}");
    }
    env.get(&sign_in_list(&live.id, "owner1", 1, "&page_size=20"))
        .await
        .assert_ok();
    env.get(&sign_ins(&live.id, "owner1", 1, &sid, "&page_size=50"))
        .await
        .assert_ok();

    let rows = env.sb.truth().tencent_participants(&live.id, None, None);
    let open_id_of = |pred: &dyn Fn(&Value) -> bool| {
        rows.iter().find(|r| pred(r)).unwrap()["ms_open_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let host_open_id = open_id_of(&|r| r["userid"] == "host1");
    let member_open_id = open_id_of(&|r| r.get("userid").is_none() && r["user_role"] == 0);
    let owner_open_id = open_id_of(&|r| r["userid"] == "owner1");
    // Live: creator or host (userid or ms_open_id); others 102.
    for (op, t, code) in [
        ("owner1", 1, None),
        ("host1", 1, None),
        (host_open_id.as_str(), 4, None),
        (owner_open_id.as_str(), 4, None),
        (member_open_id.as_str(), 4, Some(102)),
        ("admin1", 1, Some(102)),
        ("some-open-id", 2, Some(102)),
        ("stranger", 1, Some(190001)),
    ] {
        for target in [
            sign_in_list(&live.id, op, t, ""),
            sign_ins(&live.id, op, t, &sid, ""),
        ] {
            let r = env.get(&target).await;
            r.assert_outcome(code);
            if code.is_some() {
                assert_eq!(r.status, 500, "{target}");
            }
        }
    }
    // Not live: creator only; the host of the ended meeting gets 101.
    let one_sid = env.sb.truth().tencent_sign_in_rounds(&one.id)[0]["sign_in_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (op, code) in [
        ("owner1", None),
        ("alice", Some(101)),
        ("admin1", Some(101)),
    ] {
        env.get(&sign_in_list(&one.id, op, 1, ""))
            .await
            .assert_outcome(code);
        env.get(&sign_ins(&one.id, op, 1, &one_sid, ""))
            .await
            .assert_outcome(code);
    }
    let r = env.get(&sign_in_list("42", "owner1", 1, "")).await;
    r.assert_code(501);
    assert_eq!(r.status, 500);
    // Another owner's meeting: owner1 is not its creator.
    let other = env.meeting("seed-other-owner");
    env.get(&sign_in_list(&other.id, "owner1", 1, ""))
        .await
        .assert_code(101);
    let r = env.get(&sign_in_list(&other.id, "owner2", 1, "")).await;
    r.assert_ok();
    assert_eq!(r.json["sign_in_list"], json!([]));
    assert_eq!(r.json["total_count"], 0);
    let stats = env.sb.stats();
    assert!(stats.requests_to("tencent.sign_in_rounds") > 5);
    assert!(stats.requests_to("tencent.sign_in_records") > 5);
}

#[tokio::test]
async fn sign_in_user_names_in_base64_behind_the_switch() {
    let env = Env::with(TencentConfig {
        signin_user_name_base64: true,
        ..TencentConfig::default()
    })
    .await;
    let one = env.meeting("seed-oneoff");
    let participants = env.sb.truth().tencent_participants(&one.id, None, None);
    let sid = env.sb.truth().tencent_sign_in_rounds(&one.id)[0]["sign_in_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = env
        .get(&sign_ins(&one.id, "owner1", 1, &sid, "&page_size=50"))
        .await;
    r.assert_ok();
    let events = r.json["events"].as_array().unwrap();
    assert_eq!(*events, env.sb.truth().tencent_sign_ins(&one.id, &sid));
    for e in events {
        let p = participants
            .iter()
            .find(|p| p["ms_open_id"] == e["ms_open_id"])
            .unwrap();
        assert_eq!(
            e["user_name"], p["user_name"],
            "as the participant row sends it"
        );
    }
    assert!(events.iter().any(|e| e["user_name"] == b64("张三")));
}

// --- §12.6: real-time participants ---------------------------------------------------------------

fn realtime(id: &str, op: &str, extra: &str) -> String {
    format!("/v1/meetings/{id}/real-time-participants?operator_id={op}&operator_id_type=1{extra}")
}

#[tokio::test]
async fn real_time_participants_are_the_sessions_open_now() {
    let env = Env::new(small_config()).await;
    let live = env.meeting("seed-live");
    let now = env.sb.clock().unix();
    let truth = env.sb.truth().tencent_realtime_participants(&live.id, None);
    // From the participant rows: joined by now and not left.
    let participants = env.sb.truth().tencent_participants(&live.id, None, None);
    let open: Vec<(&str, &str)> = participants
        .iter()
        .filter(|p| {
            p["left_time"] == "" && p["join_time"].as_str().unwrap().parse::<i64>().unwrap() <= now
        })
        .map(|p| {
            (
                p["ms_open_id"].as_str().unwrap(),
                p["join_time"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(open.len() >= 3 && open.len() < participants.len());
    let got_ids: Vec<(&str, &str)> = truth
        .iter()
        .map(|p| {
            (
                p["ms_open_id"].as_str().unwrap(),
                p["join_time"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got_ids, open);

    let (rows, pages) = env
        .pages(
            &realtime(&live.id, "owner1", "&page_size=3"),
            "participants",
        )
        .await;
    assert_eq!(rows, truth);
    let head = &pages[0].json;
    assert_eq!(head["meeting_id"], live.id.as_str());
    assert_eq!(head["subject"], b64(&live.subject));
    assert_eq!(head["status"], "MEETING_STATE_STARTED");
    assert_eq!(head["schedule_start_time"], live.start.to_string());
    assert_eq!(head["total_count"], truth.len());
    for r in &rows {
        assert!(r["join_time"].is_string());
        assert!(r.get("left_time").is_none());
        let p = participants
            .iter()
            .find(|p| p["ms_open_id"] == r["ms_open_id"])
            .unwrap();
        assert_eq!(r["user_name"], p["user_name"], "Base64 as in §4.1");
    }

    // Earlier on the clock, fewer people had joined.
    let first_join: i64 = truth[0]["join_time"].as_str().unwrap().parse().unwrap();
    env.sb.clock().set(first_join);
    let early = env.sb.truth().tencent_realtime_participants(&live.id, None);
    assert!(!early.is_empty() && early.len() < truth.len());
    let (rows, _) = env
        .pages(
            &realtime(&live.id, "owner1", "&page_size=50"),
            "participants",
        )
        .await;
    assert_eq!(rows, early);
    env.sb.clock().set(now);

    // Not live: a normal body without rows.
    let one = env.meeting("seed-oneoff");
    let r = env
        .get(&realtime(&one.id, "owner1", "&page=1&page_size=50"))
        .await;
    r.assert_ok();
    assert_eq!(r.json["participants"], json!([]));
    assert_eq!(
        (
            r.json["total_count"].as_i64(),
            r.json["total_page"].as_i64()
        ),
        (Some(0), Some(0))
    );
    assert!(
        env.sb
            .truth()
            .tencent_realtime_participants(&one.id, None)
            .is_empty()
    );

    // Limits, permissions, sub-meetings.
    for extra in [
        "&page=1&page_size=51",
        "&page=0&page_size=5",
        "&page_size=5",
        "&page=1",
        "&page=1&page_size=x",
    ] {
        env.get(&realtime(&live.id, "owner1", extra))
            .await
            .assert_code(190004);
    }
    env.get(&format!(
        "/v1/meetings/{}/real-time-participants?operator_id=owner1&operator_id_type=4&page=1&page_size=5",
        live.id
    ))
    .await
    .assert_code(190004);
    for (op, code) in [("host1", None), ("admin1", None), ("stranger", Some(9042))] {
        let r = env
            .get(&realtime(&live.id, op, "&page=1&page_size=5"))
            .await;
        r.assert_outcome(code);
        if code.is_some() {
            assert_eq!(r.status, 403);
        }
    }
    env.get(&realtime("42", "owner1", "&page=1&page_size=5"))
        .await
        .assert_code(9003);
    let rec = env.meeting("seed-recurring");
    env.get(&realtime(&rec.id, "owner1", "&page=1&page_size=5"))
        .await
        .assert_code(190004);
    let r = env
        .get(&realtime(
            &rec.id,
            "owner1",
            &format!(
                "&page=1&page_size=5&sub_meeting_id={}",
                rec.sub_meetings[0].id
            ),
        ))
        .await;
    r.assert_ok();
    assert_eq!(r.json["participants"], json!([]), "an ended occurrence");
    assert!(env.sb.stats().requests_to("tencent.realtime_participants") > 5);
}

// --- §12.7: waiting room -------------------------------------------------------------------------

fn waiting(id: &str, op: &str, extra: &str) -> String {
    format!("/v1/meeting/{id}/waiting-room?operator_id={op}&operator_id_type=1{extra}")
}

#[tokio::test]
async fn waiting_room_log_pages_to_the_truth() {
    let env = Env::new(small_config()).await;
    for label in ["seed-oneoff", "seed-live"] {
        let m = env.meeting(label);
        let truth = env.sb.truth().tencent_waiting_room(&m.id);
        assert!(truth.len() >= 5, "{label}");
        let (rows, pages) = env
            .pages(&waiting(&m.id, "owner1", "&page_size=2"), "participants")
            .await;
        assert_eq!(rows, truth);
        let head = &pages[0].json;
        assert_eq!(head["meeting_code"], m.code.as_str());
        assert_eq!(head["subject"], m.subject.as_str(), "plain");
        assert_eq!(head["schedule_start_time"], m.start * 1000);
        assert_eq!(head["schedule_end_time"], m.end * 1000);
        assert_eq!(head["total_count"], truth.len());
        let joins: Vec<i64> = rows
            .iter()
            .map(|r| r["join_time"].as_i64().unwrap())
            .collect();
        assert!(joins.windows(2).all(|w| w[0] <= w[1]), "ascending");
        for r in &rows {
            let join = r["join_time"].as_i64().unwrap();
            let left = r["left_time"].as_i64().unwrap();
            assert!(join > 1_000_000_000_000, "milliseconds");
            assert!(left == 0 || left > join);
            assert!(r["instanceid"].as_str().unwrap().parse::<i64>().is_ok());
            assert!(
                base64::engine::general_purpose::STANDARD
                    .decode(r["user_name"].as_str().unwrap())
                    .is_ok()
            );
        }
        // Someone who re-entered: two rows with one ms_open_id.
        let mut per: HashMap<&str, usize> = HashMap::new();
        for r in &rows {
            *per.entry(r["ms_open_id"].as_str().unwrap()).or_default() += 1;
        }
        assert!(per.values().any(|n| *n == 2), "{label}");
        // Admitted people are attendees: they join afterwards with the same ms_open_id.
        let participants = env.sb.truth().tencent_participants(&m.id, None, None);
        let attendee_ids: HashSet<&str> = participants
            .iter()
            .map(|p| p["ms_open_id"].as_str().unwrap())
            .collect();
        assert!(
            rows.iter()
                .any(|r| attendee_ids.contains(r["ms_open_id"].as_str().unwrap()))
        );
        assert!(
            rows.iter()
                .any(|r| !attendee_ids.contains(r["ms_open_id"].as_str().unwrap())),
            "{label}: someone removed from the waiting room never joined"
        );
        let still = rows.iter().filter(|r| r["left_time"] == 0).count();
        assert_eq!(still, usize::from(label == "seed-live"), "{label}");
    }
    let one = env.meeting("seed-oneoff");
    let rows = env.sb.truth().tencent_waiting_room(&one.id);
    assert!(rows.iter().any(|r| r["user_name"] == "dGvzdDI="));
    assert!(rows.iter().any(|r| r["user_name"] == "dBVzdDE="));
    assert_eq!(
        rows.iter().filter(|r| r["user_name"] == "dGvzdDI=").count(),
        2
    );

    // Limits, permissions.
    for extra in [
        "&page=2001&page_size=5",
        "&page=0&page_size=5",
        "&page=1&page_size=51",
        "&page=1&page_size=0",
        "&page=a",
    ] {
        env.get(&waiting(&one.id, "owner1", extra))
            .await
            .assert_code(190004);
    }
    env.get(&waiting(&one.id, "owner1", "&page=2000&page_size=50"))
        .await
        .assert_ok();
    env.get(&format!(
        "/v1/meeting/{}/waiting-room?operator_id=owner1&operator_id_type=4",
        one.id
    ))
    .await
    .assert_code(190004);
    let live = env.meeting("seed-live");
    for (id, op, code) in [
        (&one.id, "alice", None),
        (&live.id, "host1", None),
        (&one.id, "admin1", Some(9042)),
        (&one.id, "stranger", Some(9042)),
    ] {
        let r = env.get(&waiting(id, op, "")).await;
        r.assert_outcome(code);
        if code.is_some() {
            assert_eq!(r.status, 403);
        }
    }
    env.get(&waiting("42", "owner1", ""))
        .await
        .assert_code(9003);
    // A personal meeting room: the log carries the PMI's meeting_code.
    let pmi = env.meeting("seed-long-running");
    let r = env.get(&waiting(&pmi.id, "owner1", "&page_size=50")).await;
    r.assert_ok();
    assert_eq!(r.json["meeting_code"], pmi.code.as_str());
    let pmi_rows = env.sb.truth().tencent_waiting_room(&pmi.id);
    assert_eq!(pmi_rows.len(), 2);
    assert_eq!(r.json["participants"], Value::Array(pmi_rows));
    // Defaults: page 1 of 20.
    let r = env.get(&waiting(&one.id, "owner1", "")).await;
    assert_eq!(r.json["current_page"], 1);
    assert_eq!(r.json["participants"], Value::Array(rows));
    assert!(env.sb.stats().requests_to("tencent.waiting_room") > 5);
}

// --- ground truth over HTTP ----------------------------------------------------------------------

#[tokio::test]
async fn round_two_ground_truth_is_served_over_http() {
    let env = Env::new(small_config()).await;
    let one = env.meeting("seed-oneoff");
    let live = env.meeting("seed-live");
    let truth = env.sb.truth();
    let get = |path: String| {
        let c = env.c.clone();
        let url = format!("{}{path}", env.sb.base_url());
        async move {
            let r = c.get(url).send().await.unwrap();
            let status = r.status().as_u16();
            let body = r.bytes().await.unwrap();
            (status, serde_json::from_slice::<Value>(&body).unwrap())
        }
    };
    let sid = truth.tencent_sign_in_rounds(&one.id)[1]["sign_in_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (from, to) = (one.start, one.start + 3_600);
    for (path, want) in [
        (
            format!(
                "/_sandbox/truth/tencent/export/{}?start_time={from}&end_time={to}",
                one.id
            ),
            truth.tencent_export_rows(&one.id, None, Some((from, to))),
        ),
        (
            format!("/_sandbox/truth/tencent/sign-in-rounds/{}", one.id),
            truth.tencent_sign_in_rounds(&one.id),
        ),
        (
            format!(
                "/_sandbox/truth/tencent/sign-ins/{}?sign_in_id={sid}",
                one.id
            ),
            truth.tencent_sign_ins(&one.id, &sid),
        ),
        (
            format!("/_sandbox/truth/tencent/real-time-participants/{}", live.id),
            truth.tencent_realtime_participants(&live.id, None),
        ),
        (
            format!("/_sandbox/truth/tencent/waiting-room/{}", live.id),
            truth.tencent_waiting_room(&live.id),
        ),
    ] {
        assert!(!want.is_empty(), "{path}");
        let (status, got) = get(path.clone()).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(got, Value::Array(want), "{path}");
    }
    // The window filters: a narrower one holds fewer people.
    assert!(
        truth
            .tencent_export_rows(&one.id, None, Some((from, from + 100)))
            .len()
            < truth.tencent_export_rows(&one.id, None, None).len()
    );
    let (status, _) = get(format!("/_sandbox/truth/tencent/sign-ins/{}", one.id)).await;
    assert_eq!(status, 400);
    let (status, rows) = get("/_sandbox/truth/tencent/waiting-room/42".into()).await;
    assert_eq!((status, rows), (200, json!([])));
}

// --- rate limits and malformed input ------------------------------------------------------------

#[tokio::test]
async fn round_two_endpoints_count_against_the_rate_limits() {
    let env = Env::with(TencentConfig {
        per_minute_per_endpoint: Some(2),
        ..TencentConfig::default()
    })
    .await;
    let live = env.meeting("seed-live");
    let targets = [
        waiting(&live.id, "owner1", ""),
        realtime(&live.id, "owner1", "&page=1&page_size=5"),
        sign_in_list(&live.id, "owner1", 1, ""),
        enroll(
            "webinars",
            &env.meeting("seed-webinar").id,
            "owner1",
            "&page=1&page_size=5",
        ),
    ];
    for t in &targets {
        env.get(t).await.assert_ok();
        env.get(t).await.assert_ok();
        let r = env.get(t).await;
        r.assert_code(190313);
        assert_eq!(r.status, 500);
    }
    let body =
        json!({"meeting_id": live.id, "operator_id": "owner1", "operator_id_type": 1}).to_string();
    env.post(EXPORT, &body).await.assert_ok();
    env.post(EXPORT, &body).await.assert_ok();
    env.post(EXPORT, &body).await.assert_code(190313);
    // The minute is over: served again.
    env.sb.clock().advance(Duration::from_secs(60));
    env.get(&targets[0]).await.assert_ok();
    assert_eq!(
        env.sb
            .stats()
            .rejections_of("tencent.waiting_room", "190313"),
        1
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// Signed requests with garbage query strings (and garbage export bodies) reach the
    /// parameter checks of every round-two endpoint: a page or a Tencent error, never a panic.
    #[test]
    fn signed_garbage_gets_pages_or_errors(
        query in "[ -~]{0,80}",
        body in proptest::collection::vec(any::<u8>(), 0..80),
        endpoint in 0usize..7,
        label in prop_oneof![Just("seed-oneoff"), Just("seed-live"), Just("seed-recurring"), Just("seed-webinar")],
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let env = Env::new(small_config()).await;
            let id = env.meeting(label).id;
            let path = match endpoint {
                0 => format!("/v1/webinars/{id}/enroll/approvals?operator_id=owner1&{query}"),
                1 => format!("/v1/meetings/sign-in/list?meeting_id={id}&{query}"),
                2 => format!("/v1/meetings/sign-in?meeting_id={id}&{query}"),
                3 => format!("/v1/meetings/{id}/real-time-participants?operator_id=owner1&{query}"),
                4 => format!("/v1/meeting/{id}/waiting-room?operator_id=owner1&{query}"),
                5 => format!("/v1/export/{id}?{query}"),
                _ => EXPORT.to_owned(),
            };
            let Ok(url) = reqwest::Url::parse(&format!("{}{path}", env.sb.base_url())) else {
                return;
            };
            // Sign what actually goes on the wire.
            let target = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_owned(),
            };
            let (method, text_body) = if endpoint == 6 {
                ("POST", String::from_utf8_lossy(&body).into_owned())
            } else {
                ("GET", String::new())
            };
            let req = TcReq::signed(&env.creds, method, &target, &text_body, env.sb.clock().unix(), nonce());
            let mut rb = env.c.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url.clone());
            for (k, v) in &req.headers {
                rb = rb.header(k.as_str(), v.as_str());
            }
            if !text_body.is_empty() {
                rb = rb.body(text_body.clone());
            }
            let resp = rb.send().await.unwrap();
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            let v: Value = serde_json::from_str(&text).unwrap();
            if status == 200 {
                assert!(v.get("error_info").is_none(), "{text}");
            } else {
                let code = v["error_info"]["error_code"].as_i64().unwrap();
                assert_ne!(code, 200003, "signature of {target} must verify: {text}");
            }
        });
    }
}
