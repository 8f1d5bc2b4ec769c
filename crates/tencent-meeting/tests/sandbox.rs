//! The client against the sandbox's Tencent Meeting emulator: ground truth for exactly-once,
//! stats for request counts and replays, the raw request-target log for path safety.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use reqwest::header::HeaderMap;
use roster_core::{
    Attendee, AttendeeSource, ErrorKind, ManualClock, MeetingQuery, OffsetClock, Pacer, Paginator,
    RegistrationFilter, RegistrationStatus, Result, RetryPolicy, Window,
};
use roster_sandbox::{
    CatalogMeeting, DataConfig, Fault, Quirk, Sandbox, SandboxConfig, SandboxHandle, TencentConfig,
    Vendor,
};
use roster_tencent_meeting::{
    AkSkAuthenticator, Authenticator, ClientBuilder, Credentials, ParticipantsParams,
    RequestToSign, TencentMeetingClient,
};
use serde_json::Value;
use time::OffsetDateTime;

const P: &str = "tencent.participants";
const DETAIL: &str = "tencent.meeting_detail";
const ENROLL: &str = "tencent.enroll_approvals";
const INVITEES: &str = "tencent.invitees";

/// A sandbox without large meetings and with limits no test reaches by accident.
fn config() -> SandboxConfig {
    SandboxConfig {
        data: DataConfig {
            small_meetings: 2,
            large_meetings: vec![],
            ..DataConfig::default()
        },
        tencent: TencentConfig {
            per_minute: 1_000_000,
            per_day: 100_000_000,
            ..TencentConfig::default()
        },
        ..SandboxConfig::default()
    }
}

async fn start(config: SandboxConfig) -> SandboxHandle {
    Sandbox::start(config).await.expect("sandbox starts")
}

fn credentials(sb: &SandboxHandle, app: usize) -> Credentials {
    let c = &sb.credentials().tencent_apps[app];
    let mut creds = Credentials::new(&c.app_id, &c.secret_id, &c.secret_key);
    if let Some(sdk) = &c.sdk_id {
        creds = creds.with_sdk_id(sdk);
    }
    creds
}

/// Fast settings: no pacing, tiny backoff.
fn builder(sb: &SandboxHandle) -> ClientBuilder {
    TencentMeetingClient::builder(credentials(sb, 0))
        .operator_id(sb.credentials().tencent.userid)
        .base_url(sb.base_url())
        .pacer(Pacer::unlimited())
        .retry_policy(
            RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
        )
}

fn client(sb: &SandboxHandle) -> TencentMeetingClient {
    builder(sb).build().expect("client builds")
}

fn meeting(sb: &SandboxHandle, label: &str) -> CatalogMeeting {
    sb.catalog()
        .by_label(Vendor::Tencent, label)
        .cloned()
        .unwrap_or_else(|| panic!("sandbox has {label}"))
}

/// `(ms_open_id, join_time, instanceid)` of a ground-truth row.
fn truth_key(v: &Value) -> (String, i64, i64) {
    let id = v["ms_open_id"].as_str().unwrap_or_default().to_string();
    let join = match &v["join_time"] {
        Value::String(s) => s.parse().unwrap_or(-1),
        Value::Number(n) => n.as_i64().unwrap_or(-1),
        _ => -1,
    };
    (id, join, v["instanceid"].as_i64().unwrap_or(-1))
}

fn attendee_key(a: &Attendee) -> (String, i64, i64) {
    (
        a.temp_id.clone().unwrap_or_default(),
        a.joined_at
            .map(OffsetDateTime::unix_timestamp)
            .unwrap_or(-1),
        a.device.map(|d| d.code()).unwrap_or(-1),
    )
}

/// Asserts that `got` holds every truth row exactly once.
fn assert_exactly_once(got: &[Attendee], truth: &[Value]) {
    let mut seen = HashSet::new();
    for a in got {
        assert!(
            seen.insert(attendee_key(a)),
            "duplicate {:?}",
            attendee_key(a)
        );
    }
    let want: HashSet<_> = truth.iter().map(truth_key).collect();
    assert_eq!(want.len(), truth.len(), "truth keys are unique");
    assert_eq!(got.len(), truth.len(), "count");
    assert_eq!(seen, want, "same sessions");
}

fn participant_targets(sb: &SandboxHandle) -> Vec<String> {
    sb.stats()
        .raw_targets
        .into_iter()
        .filter(|t| t.contains("/participants"))
        .collect()
}

fn query_param<'a>(target: &'a str, name: &str) -> Option<&'a str> {
    let q = target.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then_some(v)
    })
}

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
        c.enroll_approvals_page(&m.id, 1, 51, RegistrationFilter::All)
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
            .enroll_page_size(51)
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

#[tokio::test]
async fn enrollments_pages_filters_and_special_answers() {
    let sb = start(config()).await;
    let c = client(&sb);
    let w = meeting(&sb, "seed-webinar");
    let got: Vec<_> = c
        .registrations(&MeetingQuery::new(&w.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let truth = sb.truth().tencent_enroll_approvals(&w.id, None);
    assert_eq!(truth.len(), 120);
    let ids: Vec<String> = got
        .iter()
        .map(|r| r.registration_id.clone().unwrap())
        .collect();
    let want: Vec<String> = truth.iter().map(|v| v["enroll_id"].to_string()).collect();
    assert_eq!(ids, want, "every enrollment once, in order");
    assert_eq!(sb.stats().requests_to(ENROLL), 3, "three pages of 50");
    assert!(
        got.iter()
            .all(|r| r.registered_at.is_some() && r.extra.contains_key("enroll_time"))
    );
    assert!(
        got.iter().any(|r| r.phone.is_some()),
        "phone answers fill the phone field"
    );

    for (filter, code) in [
        (RegistrationFilter::Approved, 3),
        (RegistrationFilter::Pending, 1),
        (RegistrationFilter::Rejected, 2),
    ] {
        let got: Vec<_> = c
            .registrations(&MeetingQuery::new(&w.id).status(filter))
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            got.len(),
            sb.truth().tencent_enroll_approvals(&w.id, Some(code)).len()
        );
        assert!(
            got.iter()
                .all(|r| r.status == Some(RegistrationStatus::from_code(code)))
        );
    }
    for t in sb
        .stats()
        .raw_targets
        .iter()
        .filter(|t| t.contains("/enroll/approvals"))
    {
        assert!(
            t.contains("?operator_id=owner1&operator_id_type=1&instanceid=1&page="),
            "{t}"
        );
        assert_eq!(query_param(t, "page_size"), Some("50"));
    }
    // max_items stops early.
    sb.reset_stats();
    let some: Vec<_> = c
        .registrations(&MeetingQuery::new(&w.id).max_items(60))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(some.len(), 60);
    assert_eq!(sb.stats().requests_to(ENROLL), 2);
}

#[tokio::test]
async fn registrations_fall_back_to_invitees_when_enrollment_is_off() {
    let sb = start(config()).await;
    let c = client(&sb);
    let r = meeting(&sb, "seed-recurring");
    assert!(!r.enrollment);
    let e = c
        .enroll_approvals_page(&r.id, 1, 50, RegistrationFilter::All)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::EnrollmentNotEnabled);
    assert_eq!(e.vendor_code(), Some(101));
    sb.reset_stats();
    let got: Vec<_> = c
        .registrations(&MeetingQuery::new(&r.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got.len(), sb.truth().tencent_invitees(&r.id).len());
    assert_eq!(sb.stats().requests_to(ENROLL), 1, "101 is not retried");
    assert_eq!(sb.stats().requests_to(INVITEES), 1);

    // Invitees over several pages, exactly once.
    let o = meeting(&sb, "seed-oneoff");
    let inv: Vec<_> = Paginator::new(c.invitees_list(&o.id).unwrap())
        .items()
        .try_collect()
        .await
        .unwrap();
    let truth = sb.truth().tencent_invitees(&o.id);
    assert_eq!(truth.len(), 450);
    let got_ids: Vec<_> = inv
        .iter()
        .map(|r| r.user_id.clone().unwrap_or_default())
        .collect();
    let want: Vec<_> = truth
        .iter()
        .map(|v| v["userid"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(got_ids, want);
}

#[tokio::test]
async fn hundred_concurrent_requests_never_replay() {
    let sb = start(config()).await;
    let c = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let params = ParticipantsParams::new(&m.id).size(5);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (c, p) = (c.clone(), params.clone());
            tokio::spawn(async move { c.participants_page(&p, None).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().expect("every request succeeds");
    }
    let s = sb.stats();
    assert_eq!(s.requests_to(P), 100, "no retries needed");
    assert_eq!(s.rejections_of(P, "190301"), 0);
    assert_eq!(s.rejections_of(P, "200002"), 0);
    assert_eq!(s.rejections_total(P), 0);
}

/// Records the nonce and signature of every attempt, then delegates to AK/SK.
#[derive(Debug)]
struct Recording {
    inner: AkSkAuthenticator,
    seen: Mutex<Vec<(String, String)>>,
}

#[async_trait]
impl Authenticator for Recording {
    async fn authorize(&self, request: &RequestToSign<'_>, headers: &mut HeaderMap) -> Result<()> {
        self.inner.authorize(request, headers).await?;
        let get = |n: &str| headers[n].to_str().unwrap().to_string();
        self.seen
            .lock()
            .unwrap()
            .push((get("x-tc-nonce"), get("x-tc-signature")));
        Ok(())
    }
}

#[tokio::test]
async fn transient_errors_are_retried_with_a_new_signature_each_time() {
    let sb = start(config()).await;
    let rec = Arc::new(Recording {
        inner: AkSkAuthenticator::new(credentials(&sb, 0)).unwrap(),
        seen: Mutex::new(Vec::new()),
    });
    let c = builder(&sb).authenticator(rec.clone()).build().unwrap();
    let m = meeting(&sb, "seed-oneoff");
    sb.faults().inject(P, Fault::VendorCode(41), 1);
    sb.faults().inject(P, Fault::VendorCode(5108), 1);
    sb.faults().inject(P, Fault::Http(500), 1);
    let page = c
        .participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .expect("succeeds on the fourth attempt");
    assert!(!page.participants.unwrap().is_empty());
    assert_eq!(sb.stats().requests_to(P), 4);
    let seen = rec.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 4);
    let nonces: HashSet<_> = seen.iter().map(|s| s.0.clone()).collect();
    let sigs: HashSet<_> = seen.iter().map(|s| s.1.clone()).collect();
    assert_eq!(
        (nonces.len(), sigs.len()),
        (4, 4),
        "fresh nonce and signature per attempt"
    );

    // A gateway page, a dropped connection and a truncated body are retried too.
    sb.reset_stats();
    sb.faults().inject(P, Fault::Http(502), 1);
    sb.faults().inject(P, Fault::Drop, 1);
    sb.faults().inject(P, Fault::Truncate, 1);
    c.participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .unwrap();
    assert_eq!(sb.stats().requests_to(P), 4);

    // Four failures exhaust the three retries.
    sb.reset_stats();
    sb.faults().inject(P, Fault::VendorCode(960000), 4);
    let e = c
        .participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unavailable);
    assert_eq!(e.vendor_code(), Some(960000));
    assert!(e.request_id().is_some(), "X-TC-Trace kept");
    assert_eq!(sb.stats().requests_to(P), 4);
}

#[tokio::test]
async fn not_found_and_forbidden_are_not_retried() {
    let sb = start(config()).await;
    let c = client(&sb);
    let e = c
        .participants_page(&ParticipantsParams::new("1234567890123456789"), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.vendor_code(), Some(9003));
    assert!(e.request_id().is_some());
    assert_eq!(sb.stats().requests_to(P), 1);

    // Injected 9003 (whatever status it comes with) is not retried either.
    sb.reset_stats();
    let m = meeting(&sb, "seed-oneoff");
    sb.faults().inject(DETAIL, Fault::VendorCode(9003), 1);
    let e = c.meeting_detail(&m.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(sb.stats().requests_to(DETAIL), 1);

    let other = meeting(&sb, "seed-other-owner");
    sb.reset_stats();
    let e = c
        .participants_page(&ParticipantsParams::new(&other.id), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert_eq!(e.http_status(), Some(403));
    assert!(e.hint().is_some());
    assert_eq!(sb.stats().total_requests(), 1);
    // The enterprise admin may read it.
    let admin = builder(&sb)
        .operator_id(sb.credentials().tencent.admin_userid.unwrap())
        .build()
        .unwrap();
    let got: Vec<Attendee> = admin
        .attendees(&MeetingQuery::new(&other.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_exactly_once(
        &got,
        &sb.truth().tencent_participants(&other.id, None, None),
    );
}

#[tokio::test]
async fn replays_are_re_signed_once() {
    let sb = start(config()).await;
    let c = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    sb.faults().inject(P, Fault::VendorCode(190301), 1);
    c.participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .unwrap();
    assert_eq!(sb.stats().requests_to(P), 2);
    sb.reset_stats();
    sb.faults().inject(P, Fault::VendorCode(200002), 2);
    let e = c
        .participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Replay);
    assert_eq!(sb.stats().requests_to(P), 2, "one re-sign only");
}

#[tokio::test]
async fn clock_skew_is_one_clear_error_and_one_request() {
    let sb = start(config()).await;
    let c = builder(&sb)
        .clock(Arc::new(OffsetClock::new(time::Duration::minutes(10))))
        .build()
        .unwrap();
    let m = meeting(&sb, "seed-oneoff");
    let e = c
        .participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ClockSkew);
    assert_eq!(e.vendor_code(), Some(190300));
    assert!(!e.is_retryable());
    assert!(e.hint().unwrap().contains("clock"));
    assert_eq!(sb.stats().total_requests(), 1);
    assert_eq!(sb.stats().rejections_of(P, "190300"), 1);
}

#[tokio::test]
async fn minute_rate_limit_waits_for_the_next_minute_then_surfaces() {
    let mut cfg = config();
    cfg.tencent.per_minute = 2;
    let sb = start(cfg).await;
    // A manual clock at the real time: waits are recorded instead of slept.
    let clock = ManualClock::new(OffsetDateTime::now_utc());
    let c = builder(&sb).clock(Arc::new(clock.clone())).build().unwrap();
    let m = meeting(&sb, "seed-oneoff");
    let p = ParticipantsParams::new(&m.id);
    c.participants_page(&p, None).await.unwrap();
    c.participants_page(&p, None).await.unwrap();
    let e = c.participants_page(&p, None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.vendor_code(), Some(190310));
    assert!(e.retry_after().unwrap() <= Duration::from_secs(60));
    let sleeps = clock.sleeps();
    assert_eq!(
        sleeps.len(),
        2,
        "two waits for the next minute, then surfaced"
    );
    assert!(sleeps.iter().all(|s| *s <= Duration::from_secs(61)));
    assert_eq!(sb.stats().rejections_of(P, "190310"), 3);
}

#[tokio::test]
async fn daily_rate_limit_is_surfaced_without_retry() {
    let mut cfg = config();
    cfg.tencent.per_day = 1;
    let sb = start(cfg).await;
    let c = client(&sb);
    let m = meeting(&sb, "seed-oneoff");
    let p = ParticipantsParams::new(&m.id);
    c.participants_page(&p, None).await.unwrap();
    let e = c.participants_page(&p, None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.vendor_code(), Some(190311));
    let wait = e.retry_after().unwrap();
    assert!(wait > Duration::ZERO && wait <= Duration::from_secs(86_400));
    assert_eq!(sb.stats().requests_to(P), 2);
}

#[tokio::test]
async fn credentials_and_headers() {
    let sb = start(config()).await;
    let m = meeting(&sb, "seed-oneoff");
    let p = ParticipantsParams::new(&m.id).size(1);
    // The second app has an SdkId: it is sent, and works.
    let c2 = TencentMeetingClient::builder(credentials(&sb, 1))
        .operator_id("owner1")
        .base_url(sb.base_url())
        .pacer(Pacer::unlimited())
        .version("1.2.3")
        .build()
        .unwrap();
    c2.participants_page(&p, None).await.unwrap();
    // Wrong key: 200003, a config error with a hint; wrong SdkId: 190303. Never retried.
    let c = sb.credentials().tencent;
    for (creds, code) in [
        (
            Credentials::new(&c.app_id, &c.secret_id, "wrong-key-XYZ"),
            200003,
        ),
        (
            Credentials::new(&c.app_id, &c.secret_id, &c.secret_key).with_sdk_id("123"),
            190303,
        ),
        (
            Credentials::new(&c.app_id, "unknown-id-XYZ", &c.secret_key),
            190303,
        ),
    ] {
        sb.reset_stats();
        let bad = TencentMeetingClient::builder(creds)
            .operator_id("owner1")
            .base_url(sb.base_url())
            .pacer(Pacer::unlimited())
            .build()
            .unwrap();
        let e = bad.participants_page(&p, None).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert_eq!(e.vendor_code(), Some(code));
        assert!(e.hint().is_some());
        assert_eq!(sb.stats().total_requests(), 1);
        let shown = format!("{e} {e:?} {bad:?}");
        for secret in ["wrong-key-XYZ", "unknown-id-XYZ", c.secret_key.as_str()] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}

#[tokio::test]
async fn path_injection_never_reaches_another_path() {
    let sb = start(config()).await;
    let c = client(&sb);
    let good = meeting(&sb, "seed-oneoff").id;
    let bad_ids = [
        "../1",
        "..",
        ".",
        "1/../../v1/meetings/2",
        "1?userid=admin1",
        "1#x",
        "1%2F2",
        "%2e%2e",
        "1 2",
        " 1",
        "1\n2",
        "1\r\nX-TC-Key: x",
        "1\u{0}",
        "1\u{7f}",
        "1\t",
        "１２３",
        "",
    ];
    for id in bad_ids {
        let e = c
            .attendees(&MeetingQuery::new(id))
            .await
            .err()
            .expect("rejected");
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{id:?}");
        let e = c
            .registrations(&MeetingQuery::new(id))
            .await
            .err()
            .expect("rejected");
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{id:?}");
        assert!(c.meeting_detail(id).await.is_err());
        assert!(
            c.participants_page(&ParticipantsParams::new(id), None)
                .await
                .is_err()
        );
        assert!(c.invitees_page(id, None).await.is_err());
        assert!(c.invitees_list(id).is_err());
        assert!(c.enrollments_list(id, RegistrationFilter::All).is_err());
        // As a sub-meeting id, too.
        let e = c
            .attendees(&MeetingQuery::new(&good).sub_meeting(id))
            .await
            .err()
            .expect("rejected");
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{id:?}");
    }
    let s = sb.stats();
    assert_eq!(s.total_requests(), 0, "{:?}", s.raw_targets);
    assert!(s.raw_targets.is_empty(), "{:?}", s.raw_targets);

    // Query values that need encoding are sent encoded and signed as sent: the operator id is
    // a query value, so a strange one reaches only the participants path.
    let odd = builder(&sb)
        .operator_id("owner1&userid=admin1#/../x")
        .build()
        .unwrap();
    let e = odd
        .participants_page(&ParticipantsParams::new(&good), None)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Forbidden,
        "signature accepted, operator refused"
    );
    let t = sb.stats().raw_targets;
    assert_eq!(t.len(), 1);
    assert!(
        t[0].starts_with(&format!(
            "/v1/meetings/{good}/participants?userid=owner1%26userid%3Dadmin1%23%2F..%2Fx&pos=0"
        )),
        "{}",
        t[0]
    );
}

#[tokio::test]
async fn nothing_secret_in_debug_display_or_errors() {
    let sb = start(config()).await;
    let creds = Credentials::new("200000001", "SID-secret-id-123", "SKEY-secret-key-456")
        .with_sdk_id("18000000002");
    let b = TencentMeetingClient::builder(creds.clone())
        .operator_id("owner1")
        .base_url(sb.base_url())
        .pacer(Pacer::unlimited());
    let client = b.clone().build().unwrap();
    let auth = AkSkAuthenticator::new(creds.clone()).unwrap();
    let m = meeting(&sb, "seed-oneoff");
    let api_error = client
        .participants_page(&ParticipantsParams::new(&m.id), None)
        .await
        .unwrap_err();
    let local_error = client.meeting_detail("../x").await.unwrap_err();
    let config_error =
        TencentMeetingClient::builder(Credentials::new("a", "SID-secret-id-123", ""))
            .operator_id("o")
            .build()
            .unwrap_err();
    let env_error = ClientBuilder::from_lookup(|n| {
        (n == "ROSTER_TENCENT_SECRET_KEY").then(|| "SKEY-secret-key-456".to_string())
    })
    .unwrap_err();
    let shown = [
        format!("{creds:?}"),
        format!("{b:?}"),
        format!("{b:#?}"),
        format!("{client:?}"),
        format!("{auth:?}"),
        format!(
            "{:?}",
            client
                .participants_list(ParticipantsParams::new(&m.id))
                .unwrap()
        ),
        format!(
            "{:?}",
            client
                .enrollments_list(&m.id, RegistrationFilter::All)
                .unwrap()
        ),
        format!("{:?}", client.invitees_list(&m.id).unwrap()),
        format!("{api_error} {api_error:?}"),
        format!("{local_error} {local_error:?}"),
        format!("{config_error} {config_error:?}"),
        format!("{env_error} {env_error:?}"),
    ];
    for s in &shown {
        assert!(!s.contains("SID-secret-id-123"), "{s}");
        assert!(!s.contains("SKEY-secret-key-456"), "{s}");
        assert!(!s.contains("secret-key"), "{s}");
    }
    assert!(env_error.to_string().contains("ROSTER_TENCENT_APP_ID"));
    // The meeting password of a detail is not shown either.
    let c = self::client(&sb);
    let mut passwords = 0;
    for meeting in sb.catalog().of(Vendor::Tencent) {
        let Ok(Some(d)) = c.meeting_detail(&meeting.id).await else {
            continue;
        };
        if let Some(pw) = &d.password {
            use roster_core::ExposeSecret;
            passwords += 1;
            let shown = format!("{d:?}");
            assert!(!shown.contains(pw.expose_secret()), "{shown}");
        }
    }
    assert!(passwords > 0, "some meeting has a password");
}

#[tokio::test]
async fn trait_object_and_observer() {
    let sb = start(config()).await;
    let source: Box<dyn AttendeeSource> = Box::new(client(&sb));
    assert_eq!(source.vendor(), roster_core::Vendor::TencentMeeting);
    let m = meeting(&sb, "seed-oneoff");
    let pages = Arc::new(Mutex::new(Vec::new()));
    let p2 = pages.clone();
    let q = MeetingQuery::new(&m.id).observer(Arc::new(move |n: usize, _t: Option<u64>| {
        p2.lock().unwrap().push(n)
    }));
    let n = source.attendees(&q).await.unwrap().count().await;
    assert_eq!(pages.lock().unwrap().iter().sum::<usize>(), n);
    // max_items stops after the first page.
    sb.reset_stats();
    let three = source
        .attendees(&MeetingQuery::new(&m.id).max_items(3))
        .await
        .unwrap()
        .count()
        .await;
    assert_eq!(three, 3);
    assert_eq!(sb.stats().requests_to(P), 1);
    // Webinar roles, co-host roles and unknown values come through.
    let w = meeting(&sb, "seed-webinar");
    let web: Vec<Attendee> = source
        .attendees(&MeetingQuery::new(&w.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_exactly_once(&web, &sb.truth().tencent_participants(&w.id, None, None));
    assert!(
        web.iter()
            .any(|a| a.webinar_role == Some(roster_core::WebinarRole::Unknown(9)))
    );
    assert!(
        web.iter()
            .any(|a| a.webinar_role == Some(roster_core::WebinarRole::AudienceWithMedia))
    );
    assert!(
        web.iter()
            .any(|a| a.role == Some(roster_core::Role::CoHost))
    );
    let regs: Vec<_> = source
        .registrations(&MeetingQuery::new(&m.id))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        regs.len(),
        sb.truth().tencent_enroll_approvals(&m.id, None).len()
    );
}

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
