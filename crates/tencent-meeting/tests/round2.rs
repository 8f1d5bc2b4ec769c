//! The round-two endpoints against the sandbox (docs/specs/tencent-meeting.md §12): full lists
//! equal the sandbox's ground truth, the webinar enrolment path is chosen by the meeting
//! detail, the export job runs end to end on the sandbox's clock, and no download link or
//! secret reaches `Debug` or an error.

mod common;

use std::collections::HashMap;

use base64::Engine as _;
use common::*;
use futures::future::BoxFuture;
use roster_core::{Clock, SignIn, WaitingRoomEntry};
use roster_sandbox::SandboxClock;
use roster_tencent_meeting::export::is_expired_link;
use roster_tencent_meeting::{ExportJob, ExportRequest, ExportWait};

const SIGN_IN_ROUNDS: &str = "tencent.sign_in_rounds";
const SIGN_IN_RECORDS: &str = "tencent.sign_in_records";
const REALTIME: &str = "tencent.realtime_participants";
const WAITING: &str = "tencent.waiting_room";
const EXPORT_CREATE: &str = "tencent.export_participants";
const EXPORT_JOB: &str = "tencent.export_job";
const EXPORT_DOWNLOAD: &str = "tencent.export_download";

/// The sandbox's clock as the client's: the client signs with the sandbox's time and its
/// waits move the sandbox's clock (so a job that needs time on the sandbox clock finishes).
#[derive(Debug)]
struct SandboxTime(SandboxClock);

impl Clock for SandboxTime {
    fn now(&self) -> OffsetDateTime {
        self.0.now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.0.advance(duration);
        Box::pin(std::future::ready(()))
    }
}

fn on_sandbox_time(sb: &SandboxHandle) -> TencentMeetingClient {
    builder(sb)
        .clock(Arc::new(SandboxTime(sb.clock())))
        .build()
        .unwrap()
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn time_of(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(seconds).unwrap()
}

fn time_of_ms(ms: i64) -> Option<OffsetDateTime> {
    (ms > 0).then(|| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap())
}

/// The name a Base64 `user_name` stands for, when it is UTF-8.
fn decoded(b64: &str) -> Option<String> {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
}

async fn collect<T: Send + 'static>(s: roster_core::RecordStream<T>) -> Vec<T> {
    s.try_collect().await.unwrap()
}

// --- webinar enrolment (§12.1, §12.2) -------------------------------------------------------

#[tokio::test]
async fn the_meeting_detail_chooses_the_webinar_enrolment_path() {
    let sb = start(config()).await;
    let c = client(&sb);
    let w = meeting(&sb, "seed-webinar");
    let detail = c.meeting_detail(&w.id).await.unwrap().unwrap();
    assert!(detail.is_webinar(), "meeting_type 6");
    sb.reset_stats();

    let got = collect(c.registrations(&MeetingQuery::new(&w.id)).await.unwrap()).await;
    let truth = sb.truth().tencent_enroll_approvals(&w.id, None);
    assert_eq!(truth.len(), 120);
    let ids: Vec<String> = got
        .iter()
        .map(|r| r.registration_id.clone().unwrap())
        .collect();
    let want: Vec<String> = truth.iter().map(|v| v["enroll_id"].to_string()).collect();
    assert_eq!(ids, want, "every enrollment once, in order");
    let stats = sb.stats();
    assert_eq!(stats.requests_to(DETAIL), 1, "one detail call");
    assert_eq!(stats.requests_to(WEBINAR_ENROLL), 1, "one page of 300");
    assert_eq!(
        stats.requests_to(ENROLL),
        0,
        "the meeting path is never tried"
    );
    let targets: Vec<_> = stats
        .raw_targets
        .iter()
        .filter(|t| t.contains("/enroll/approvals"))
        .cloned()
        .collect();
    assert_eq!(targets.len(), 1);
    assert!(
        targets[0].starts_with(&format!(
            "/v1/webinars/{}/enroll/approvals?operator_id=owner1&operator_id_type=1&instanceid=1&page=1&page_size=300&status=0",
            w.id
        )),
        "{}",
        targets[0]
    );

    // A meeting stays on the meeting path; the webinar path is never tried for it.
    let o = meeting(&sb, "seed-oneoff");
    sb.reset_stats();
    let got = collect(c.registrations(&MeetingQuery::new(&o.id)).await.unwrap()).await;
    assert_eq!(
        got.len(),
        sb.truth().tencent_enroll_approvals(&o.id, None).len()
    );
    assert!(!got.is_empty());
    assert_eq!(sb.stats().requests_to(ENROLL), 1);
    assert_eq!(sb.stats().requests_to(WEBINAR_ENROLL), 0);

    // The webinar list on its own, in pages of 50: three pages, the same records.
    let c50 = builder(&sb).enroll_page_size(50).build().unwrap();
    sb.reset_stats();
    let pages: Vec<_> = Paginator::new(
        c50.webinar_enrollments_list(&w.id, RegistrationFilter::Approved)
            .unwrap(),
    )
    .items()
    .try_collect()
    .await
    .unwrap();
    assert_eq!(
        pages.len(),
        sb.truth().tencent_enroll_approvals(&w.id, Some(3)).len()
    );
    assert!(
        pages
            .iter()
            .all(|r| r.status == Some(RegistrationStatus::Approved))
    );
    // The meeting path refuses the webinar (the sandbox's 190004).
    let e = c
        .enroll_approvals_page(&w.id, 1, 300, RegistrationFilter::All)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::InvalidArgument, Some(190004))
    );
}

#[tokio::test]
async fn enrolment_pages_of_300_unless_the_server_keeps_50() {
    let mut strict = config();
    strict.tencent.enroll_page_size_max = 50;
    let sb = start(strict).await;
    let w = meeting(&sb, "seed-webinar");
    let o = meeting(&sb, "seed-oneoff");
    // The default 300 is refused by a strict server: a clear error, no silent fallback.
    let e = client(&sb)
        .registrations(&MeetingQuery::new(&o.id))
        .await
        .err()
        .expect("refused");
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::InvalidArgument, Some(190004))
    );
    // The meeting path refused the page size, and so did the webinar path tried after it.
    assert_eq!(sb.stats().requests_to(ENROLL), 1);
    assert_eq!(sb.stats().requests_to(WEBINAR_ENROLL), 1);
    // Configured to 50, both paths work.
    let c = builder(&sb).enroll_page_size(50).build().unwrap();
    sb.reset_stats();
    for m in [&w, &o] {
        let got = collect(c.registrations(&MeetingQuery::new(&m.id)).await.unwrap()).await;
        assert_eq!(
            got.len(),
            sb.truth().tencent_enroll_approvals(&m.id, None).len(),
            "{}",
            m.label
        );
    }
    assert_eq!(
        sb.stats().requests_to(WEBINAR_ENROLL),
        3,
        "120 in pages of 50"
    );
}

// --- sign-ins (§12.4, §12.5) ------------------------------------------------------------------

/// `(sign_in_id, ms_open_id)` of every record the truth has, round after round.
fn sign_in_truth(sb: &SandboxHandle, meeting_id: &str) -> Vec<(Value, Value)> {
    let t = sb.truth();
    let mut out = Vec::new();
    for round in t.tencent_sign_in_rounds(meeting_id) {
        let sid = round["sign_in_id"].as_str().unwrap().to_string();
        for e in t.tencent_sign_ins(meeting_id, &sid) {
            out.push((round.clone(), e));
        }
    }
    out
}

#[tokio::test]
async fn sign_ins_of_every_round_equal_the_truth() {
    let sb = start(config()).await;
    let c = client(&sb);
    for label in ["seed-oneoff", "seed-live"] {
        let m = meeting(&sb, label);
        sb.reset_stats();
        let source: &dyn AttendeeSource = &c;
        let got: Vec<SignIn> =
            collect(source.sign_ins(&MeetingQuery::new(&m.id)).await.unwrap()).await;
        let truth = sign_in_truth(&sb, &m.id);
        assert!(truth.len() >= 6, "{label}");
        assert_eq!(got.len(), truth.len(), "{label}");
        for (s, (round, e)) in got.iter().zip(&truth) {
            assert_eq!(s.vendor, roster_core::Vendor::TencentMeeting);
            assert_eq!(s.meeting_id, m.id);
            assert_eq!(s.sign_in_id, round["sign_in_id"].as_str().unwrap());
            assert_eq!(s.round_started_at, int(&round["start_time"]).map(time_of));
            assert_eq!(
                s.round_description.as_deref(),
                round["sign_in_specification"]
                    .as_str()
                    .filter(|d| !d.is_empty())
            );
            assert_eq!(s.extra["sign_in_status"], round["sign_in_status"]);
            assert_eq!(s.temp_id.as_deref(), e["ms_open_id"].as_str());
            assert_eq!(
                s.user_id.as_deref(),
                e["userid"].as_str().filter(|u| !u.is_empty())
            );
            assert_eq!(s.signed_in_at, int(&e["sign_in_time"]).map(time_of));
            assert_eq!(s.role.map(|r| r.code()), int(&e["user_role"]));
            let plain = e["user_name"].as_str().unwrap_or_default();
            if decoded(plain).is_none() {
                assert_eq!(s.display_name.as_deref().unwrap_or(""), plain);
            }
        }
        assert!(got.iter().any(|s| s.user_id.is_none()), "a guest signed in");
        let stats = sb.stats();
        assert_eq!(
            stats.requests_to(SIGN_IN_ROUNDS),
            1,
            "{label}: 2 rounds, one page"
        );
        assert_eq!(
            stats.requests_to(SIGN_IN_RECORDS),
            2,
            "{label}: one page a round"
        );
        for t in stats.raw_targets.iter().filter(|t| t.contains("/sign-in")) {
            assert!(
                t.starts_with(&format!(
                    "/v1/meetings/sign-in{}?meeting_id={}&operator_id=owner1&operator_id_type=1&instanceid=1&",
                    if t.starts_with("/v1/meetings/sign-in/list") { "/list" } else { "" },
                    m.id
                )),
                "{t}"
            );
            let size = if t.contains("/list") { "20" } else { "50" };
            assert_eq!(query_param(t, "page_size"), Some(size), "{t}");
        }
    }

    // The records list on its own, and max_items.
    let m = meeting(&sb, "seed-oneoff");
    let round = sb.truth().tencent_sign_in_rounds(&m.id)[0]["sign_in_id"]
        .as_str()
        .unwrap()
        .to_string();
    let one: Vec<SignIn> = Paginator::new(c.sign_ins_list(&m.id, &round).unwrap())
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(one.len(), sb.truth().tencent_sign_ins(&m.id, &round).len());
    let two = collect(
        c.sign_ins(&MeetingQuery::new(&m.id).max_items(2))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(two.len(), 2);
}

#[tokio::test]
async fn sign_in_names_in_base64_and_permission_codes() {
    let plain_sb = start(config()).await;
    let mut cfg = config();
    cfg.tencent.signin_user_name_base64 = true;
    let b64_sb = start(cfg).await;
    let m = meeting(&plain_sb, "seed-oneoff");
    let names =
        |v: Vec<SignIn>| -> Vec<Option<String>> { v.into_iter().map(|s| s.display_name).collect() };
    let plain = names(
        collect(
            client(&plain_sb)
                .sign_ins(&MeetingQuery::new(&m.id))
                .await
                .unwrap(),
        )
        .await,
    );
    let b64 = names(
        collect(
            client(&b64_sb)
                .sign_ins(&MeetingQuery::new(&m.id))
                .await
                .unwrap(),
        )
        .await,
    );
    // A name holding a control character (the doc's own `t\x15st1`) is never taken for
    // Base64 text (§12.5: a plain `Bill` is valid Base64 of `06 29 65`), so in Base64 it stays
    // raw; every other name decodes to the plain one.
    assert_eq!(plain.len(), b64.len());
    for (p, b) in plain.iter().zip(&b64) {
        match p.as_deref() {
            Some(name) if name.chars().any(char::is_control) => {
                assert_ne!(p, b, "kept raw: {b:?}");
            }
            _ => assert_eq!(p, b, "Base64 names decode to the plain ones"),
        }
    }
    assert!(plain.iter().any(|n| n.as_deref() == Some("张三")));

    // Not live: only the creator (101). Live: the creator or a host (102). Both Forbidden,
    // never "enrollment not enabled".
    let sb = plain_sb;
    let live = meeting(&sb, "seed-live");
    let admin = builder(&sb).operator_id("admin1").build().unwrap();
    let e = admin
        .sign_ins(&MeetingQuery::new(&m.id))
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::Forbidden, Some(101)),
        "{e}"
    );
    assert!(e.hint().unwrap().contains("creator"));
    let e = admin
        .sign_ins(&MeetingQuery::new(&live.id))
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::Forbidden, Some(102)),
        "{e}"
    );
    let host = builder(&sb).operator_id("host1").build().unwrap();
    let got = collect(host.sign_ins(&MeetingQuery::new(&live.id)).await.unwrap()).await;
    assert_eq!(
        got.len(),
        sign_in_truth(&sb, &live.id).len(),
        "a host may, while live"
    );
    // Unknown meeting: 501, NotFound. A bad id: refused before any request.
    let e = client(&sb)
        .sign_in_rounds_page("123456789", 1, 20)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::NotFound, Some(501))
    );
    sb.reset_stats();
    for bad in [
        client(&sb).sign_in_rounds_list("x").err(),
        client(&sb).sign_ins_list(&m.id, "a b").err(),
        client(&sb).sign_ins_list(&m.id, "").err(),
    ] {
        assert_eq!(bad.unwrap().kind(), ErrorKind::InvalidArgument);
    }
    assert_eq!(
        client(&sb)
            .sign_in_records_page(&m.id, "S1", 1, 51)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(sb.stats().total_requests(), 0);
}

// --- real-time participants (§12.6) ---------------------------------------------------------

fn live_key(ms_open_id: &str, instanceid: Option<i64>) -> (String, Option<i64>) {
    (ms_open_id.to_string(), instanceid)
}

#[tokio::test]
async fn live_attendees_are_the_sessions_open_now() {
    let sb = start(config()).await;
    let c = client(&sb);
    let live = meeting(&sb, "seed-live");
    let truth = sb.truth().tencent_realtime_participants(&live.id, None);
    assert!(!truth.is_empty());
    sb.reset_stats();
    let source: &dyn AttendeeSource = &c;
    let got = collect(
        source
            .live_attendees(&MeetingQuery::new(&live.id))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(got.len(), truth.len());
    let want: HashSet<_> = truth
        .iter()
        .map(|v| live_key(v["ms_open_id"].as_str().unwrap(), int(&v["instanceid"])))
        .collect();
    let have: HashSet<_> = got
        .iter()
        .map(|a| live_key(a.temp_id.as_deref().unwrap(), a.device.map(|d| d.code())))
        .collect();
    assert_eq!(have, want);
    let by_key: HashMap<_, _> = truth
        .iter()
        .map(|v| {
            (
                live_key(v["ms_open_id"].as_str().unwrap(), int(&v["instanceid"])),
                v,
            )
        })
        .collect();
    for a in &got {
        let v = by_key[&live_key(a.temp_id.as_deref().unwrap(), a.device.map(|d| d.code()))];
        assert_eq!(a.left_at, None);
        assert_eq!(a.joined_at, int(&v["join_time"]).map(time_of));
        assert_eq!(
            a.user_id.as_deref(),
            v["userid"].as_str().filter(|u| !u.is_empty())
        );
        let raw = v["user_name"].as_str().unwrap_or_default();
        match decoded(raw) {
            Some(name) if !name.is_empty() => {
                assert_eq!(a.display_name.as_deref(), Some(name.as_str()))
            }
            Some(_) => {}
            None => {
                assert_eq!(a.display_name.as_deref(), Some(raw));
                assert!(a.name_undecodable());
            }
        }
    }
    let stats = sb.stats();
    assert_eq!(stats.requests_to(REALTIME), truth.len().div_ceil(50) as u64);
    for t in stats
        .raw_targets
        .iter()
        .filter(|t| t.contains("/real-time-participants"))
    {
        assert!(
            t.ends_with("?operator_id=owner1&operator_id_type=1&page=1&page_size=50"),
            "{t}"
        );
    }

    // An ended meeting has nobody in it.
    let ended = meeting(&sb, "seed-oneoff");
    assert!(
        collect(
            c.live_attendees(&MeetingQuery::new(&ended.id))
                .await
                .unwrap()
        )
        .await
        .is_empty()
    );

    // A recurring meeting: its current occurrence, as the detail names it.
    let rec = meeting(&sb, "seed-recurring");
    let current = c
        .meeting_detail(&rec.id)
        .await
        .unwrap()
        .unwrap()
        .current_sub_meeting_id
        .unwrap();
    sb.reset_stats();
    let got = collect(c.live_attendees(&MeetingQuery::new(&rec.id)).await.unwrap()).await;
    assert_eq!(
        got.len(),
        sb.truth()
            .tencent_realtime_participants(&rec.id, Some(&current))
            .len()
    );
    assert!(
        got.iter()
            .all(|a| a.sub_meeting_id.as_deref() == Some(current.as_str()))
    );
    let t = &sb.stats().raw_targets;
    let rt: Vec<_> = t
        .iter()
        .filter(|t| t.contains("/real-time-participants"))
        .collect();
    assert!(
        rt[0].contains(&format!("?sub_meeting_id={current}&operator_id=owner1")),
        "{}",
        rt[0]
    );
}

// --- waiting room (§12.7) -------------------------------------------------------------------

#[tokio::test]
async fn the_waiting_room_log_equals_the_truth() {
    let sb = start(config()).await;
    let c = client(&sb);
    for label in ["seed-oneoff", "seed-live", "seed-long-running"] {
        let m = meeting(&sb, label);
        let truth = sb.truth().tencent_waiting_room(&m.id);
        assert!(!truth.is_empty(), "{label}");
        sb.reset_stats();
        let source: &dyn AttendeeSource = &c;
        let got: Vec<WaitingRoomEntry> = collect(
            source
                .waiting_room(&MeetingQuery::new(&m.id))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(got.len(), truth.len(), "{label}");
        for (w, v) in got.iter().zip(&truth) {
            assert_eq!(w.meeting_id, m.id);
            assert_eq!(
                w.temp_id.as_deref(),
                v["ms_open_id"].as_str().filter(|s| !s.is_empty())
            );
            assert_eq!(
                w.user_id.as_deref(),
                v["userid"].as_str().filter(|s| !s.is_empty())
            );
            assert_eq!(
                w.device.map(|d| d.code()),
                int(&v["instanceid"]),
                "a string on the wire"
            );
            assert_eq!(w.entered_at, int(&v["join_time"]).and_then(time_of_ms));
            assert_eq!(w.left_at, int(&v["left_time"]).and_then(time_of_ms));
            if let Some(name) = v["user_name"]
                .as_str()
                .and_then(decoded)
                .filter(|n| !n.is_empty())
            {
                assert_eq!(w.display_name.as_deref(), Some(name.as_str()));
            }
        }
        let still = got.iter().filter(|w| w.left_at.is_none()).count();
        assert_eq!(
            still,
            usize::from(label == "seed-live"),
            "{label}: still waiting"
        );
        assert_eq!(
            sb.stats().requests_to(WAITING),
            truth.len().div_ceil(50) as u64
        );
        for t in sb
            .stats()
            .raw_targets
            .iter()
            .filter(|t| t.contains("/waiting-room"))
        {
            assert!(
                t.starts_with(&format!(
                    "/v1/meeting/{}/waiting-room?operator_id=owner1&operator_id_type=1&page=",
                    m.id
                )),
                "{t}"
            );
            assert_eq!(query_param(t, "page_size"), Some("50"));
        }
    }
}

// --- the export job (§12.3) -----------------------------------------------------------------

#[tokio::test]
async fn the_export_job_end_to_end_on_the_sandbox_clock() {
    let mut cfg = config();
    cfg.tencent.export_min_seconds = 12;
    let sb = start(cfg).await;
    let c = on_sandbox_time(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let (from, to) = (m.start, m.end + 3_600);
    let started = sb.clock().unix();
    let req = ExportRequest::new(&m.id).between(time_of(from), time_of(to));
    let rows = c
        .participants_export(&req, ExportWait::default())
        .await
        .unwrap();
    // Processing for two polls and until 12 s of sandbox time have passed: polls at 0, 5,
    // 10 and 15 s.
    let waited = sb.clock().unix() - started;
    assert!(
        (15..=16).contains(&waited),
        "waited {waited} s on the sandbox clock"
    );
    let stats = sb.stats();
    assert_eq!(stats.requests_to(EXPORT_CREATE), 1);
    assert_eq!(stats.requests_to(EXPORT_JOB), 4);
    assert_eq!(stats.requests_to(EXPORT_DOWNLOAD), 1);

    let truth = sb
        .truth()
        .tencent_export_rows(&m.id, None, Some((from, to)));
    assert!(!truth.is_empty());
    assert_eq!(rows.len(), truth.len());
    for (e, v) in rows.iter().zip(&truth) {
        assert_eq!(
            e.user_id.as_deref(),
            v["userid"].as_str().filter(|s| !s.is_empty())
        );
        assert_eq!(
            e.temp_id.as_deref(),
            v["ms_open_id"].as_str().filter(|s| !s.is_empty())
        );
        assert_eq!(
            e.attended_seconds as i64,
            int(&v["cumulative_time"]).unwrap()
        );
        assert_eq!(i64::from(e.sessions), int(&v["join_count"]).unwrap());
        assert_eq!(e.first_join, int(&v["first_join_time"]).map(time_of));
        assert_eq!(e.last_leave, int(&v["last_left_time"]).map(time_of));
        assert!(e.attended && !e.registered);
        match v["user_name"].as_str().and_then(decoded) {
            Some(name) if !name.is_empty() => {
                assert_eq!(e.display_name.as_deref(), Some(name.as_str()))
            }
            Some(_) => {}
            None => assert_eq!(e.display_name.as_deref(), v["user_name"].as_str()),
        }
    }
    let zhang = rows
        .iter()
        .find(|e| e.user_id.as_deref() == Some("zhangsan"))
        .unwrap();
    assert_eq!(
        (zhang.display_name.as_deref(), zhang.sessions),
        (Some("张三"), 3)
    );
    // The same totals as the participants list gives.
    let attendees = collect(
        c.attendees(
            &MeetingQuery::new(&m.id).between(time_of(from), time_of(to) + time::Duration::SECOND),
        )
        .await
        .unwrap(),
    )
    .await;
    let reconciled = roster_core::reconcile(Vec::new(), attendees);
    for e in &rows {
        let r = reconciled
            .iter()
            .find(|r| match &e.user_id {
                Some(u) => r.user_id.as_ref() == Some(u),
                None => r.temp_id == e.temp_id,
            })
            .unwrap();
        assert_eq!(r.attended_seconds, e.attended_seconds, "{:?}", e.user_id);
        assert_eq!(r.sessions, e.sessions, "{:?}", e.user_id);
    }
}

#[tokio::test]
async fn export_links_expire_and_never_show() {
    let sb = start(config()).await;
    let c = on_sandbox_time(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let req = ExportRequest::new(&m.id).between(time_of(m.start), time_of(m.end + 3_600));
    let job = c.submit_participants_export(&req).await.unwrap();
    let url = c
        .wait_for_export(&job, ExportWait::default())
        .await
        .unwrap();
    let secret = url.expose_secret().to_string();
    assert!(secret.contains("/sandbox/export/"), "the sandbox's link");
    let first = c.download_export(&url).await.unwrap();
    assert!(!first.is_empty());

    // Two hours later the link is refused; one more poll gives a fresh one.
    sb.clock().advance(Duration::from_secs(7_200));
    let e = c.download_export(&url).await.unwrap_err();
    assert!(is_expired_link(&e), "{e}");
    assert_eq!(e.http_status(), Some(403));
    let job_state = c.export_job(&job).await.unwrap();
    let ExportJob::Done { url: fresh } = &job_state else {
        panic!("{job_state:?}")
    };
    assert_ne!(fresh.expose_secret(), secret);
    assert_eq!(c.download_export(fresh).await.unwrap(), first);

    // Nothing of a link, and no secret, in Debug or errors.
    let token = secret.rsplit('/').next().unwrap().to_string();
    let fresh_token = fresh
        .expose_secret()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let failing = {
        let mut cfg = config();
        cfg.tencent.export_fail = true;
        start(cfg).await
    };
    let fc = on_sandbox_time(&failing);
    let fm = meeting(&failing, "seed-oneoff");
    let failed = fc
        .participants_export(
            &ExportRequest::new(&fm.id).between(time_of(fm.start), time_of(fm.end)),
            ExportWait::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(failed.kind(), ErrorKind::JobFailed);
    assert!(failed.to_string().contains("export failed"), "{failed}");
    let unknown = c
        .export_job("e1234567-f123-4d12-123a-12346192e332")
        .await
        .unwrap_err();
    assert_eq!(
        (unknown.kind(), unknown.vendor_code()),
        (ErrorKind::NotFound, Some(10013))
    );
    let creds = &sb.credentials().tencent_apps[0];
    for shown in [
        format!("{url:?}"),
        format!("{job_state:?}"),
        format!("{job_state:#?}"),
        format!("{e:?}"),
        e.to_string(),
        format!("{failed:?}"),
        format!("{unknown:?}"),
        format!("{c:?}"),
    ] {
        for secret in [
            token.as_str(),
            fresh_token.as_str(),
            "/sandbox/export/",
            creds.secret_key.as_str(),
            creds.secret_id.as_str(),
        ] {
            assert!(!shown.contains(secret), "{secret:?} in {shown}");
        }
    }
}
