//! Every public wire type, envelope and page decoder of the three vendors, and
//! core's JSON helpers, fed arbitrary bytes, arbitrary JSON shaped like the vendors' (their
//! field names, any values) and real sandbox answers cut and corrupted at random: no panic,
//! and core's decode errors always keep the status and a bounded body snippet. Then the
//! sandbox serves truncated and non-JSON bodies to each client (retries off): the error is
//! `Decode` with the HTTP status and a snippet of what was served — except for token answers,
//! whose decode errors keep no body and never carry a token.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use futures::StreamExt;
use proptest::prelude::*;
use roster_core::http::decode_json;
use roster_core::{AttendeeSource, Error, ErrorKind, MeetingQuery, RawResponse};
use roster_quanshi::config::{Family, WatchDurationUnit};
use roster_quanshi::envelope::Envelope as QsEnvelope;
use roster_quanshi::wire::{self as qs, records_from};
use roster_sandbox::{Fault, Quirk, SandboxHandle, Vendor};
use roster_tencent_meeting::wire as tm;
use roster_tests::*;
use roster_wecom::wire as wc;
use serde_json::Value;
use time::OffsetDateTime;

// ---------------------------------------------------------------------------------------------
// Every decoder on one input
// ---------------------------------------------------------------------------------------------

fn raw(status: u16, body: &[u8]) -> RawResponse {
    RawResponse {
        status,
        headers: Default::default(),
        body: body.to_vec().into(),
    }
}

fn wecom_decoders(b: &[u8]) {
    use serde_json::from_slice as de;
    let _ = de::<wc::Envelope>(b).map(|e| e.failure());
    let _ = de::<wc::GetTokenResponse>(b);
    if let Ok(r) = de::<wc::AttendeeListResponse>(b) {
        for a in r.attendees.into_iter().flatten() {
            let _ = (a.joined_at(), a.left_at());
            let _ = roster_wecom::convert::attendee(a, "m", Some("s"));
        }
    }
    if let Ok(a) = de::<wc::WireAttendee>(b) {
        let _ = roster_wecom::convert::attendee(a, "m", None);
    }
    if let Ok(r) = de::<wc::EnrollListResponse>(b) {
        for e in r.enroll_list.into_iter().flatten() {
            let _ = roster_wecom::convert::registration(e, "m");
        }
    }
    if let Ok(e) = de::<wc::WireEnroll>(b) {
        let _ = roster_wecom::convert::registration(e, "m");
    }
    let _ = de::<wc::WireAnswer>(b);
    let _ = de::<wc::QueryByTmpOpenidResponse>(b);
    let _ = de::<wc::EnrollIdEntry>(b);
    if let Ok(m) = de::<wc::MeetingInfo>(b) {
        let _ = (
            m.status(),
            m.meeting_type(),
            m.start(),
            m.is_recurring(),
            m.enrollment_enabled(),
            m.current_sub_meeting(),
        );
        for s in &m.sub_meetings {
            let _ = s.is_deleted();
        }
    }
    if let Ok(a) = de::<wc::MeetingAttendees>(b) {
        for m in &a.member {
            let _ = (m.status(), m.first_join(), m.last_quit());
        }
        for x in &a.tmp_external_user {
            let _ = (x.status(), x.first_join(), x.last_quit());
        }
    }
    if let Ok(m) = de::<wc::MemberAttendance>(b) {
        let _ = (m.status(), m.first_join(), m.last_quit());
    }
    let _ = de::<wc::ExternalAttendance>(b);
    let _ = de::<wc::MeetingSettings>(b);
    let _ = de::<wc::MeetingReminders>(b);
    let _ = de::<wc::SubMeeting>(b).map(|s| s.is_deleted());
    let _ = de::<wc::UserMeetingIdResponse>(b);
}

fn tencent_decoders(b: &[u8]) {
    use serde_json::from_slice as de;
    let _ = de::<tm::ErrorBody>(b);
    let _ = de::<tm::ErrorInfo>(b);
    if let Ok(r) = de::<tm::ParticipantsResponse>(b) {
        let _ = r.subject_decoded();
        for p in r.participants.into_iter().flatten() {
            let _ = (p.display_name(), p.ip_address());
            let _ = roster_tencent_meeting::convert::attendee_from_participant(p, "1", Some("2"));
        }
    }
    if let Ok(p) = de::<tm::Participant>(b) {
        let _ = roster_tencent_meeting::convert::attendee_from_participant(p, "1", None);
    }
    if let Ok(r) = de::<tm::MeetingDetailResponse>(b) {
        for m in &r.meeting_info_list {
            let _ = (m.is_recurring(), m.has_more_sub_meetings());
            for s in &m.sub_meetings {
                let _ = s.is_deleted();
            }
        }
    }
    let _ = de::<tm::MeetingInfo>(b).map(|m| m.is_recurring());
    let _ = de::<tm::SubMeeting>(b).map(|s| s.is_deleted());
    let _ = de::<tm::RecurringRule>(b);
    if let Ok(u) = de::<tm::UserRef>(b) {
        let _ = roster_tencent_meeting::convert::registration_from_invitee(u, "1");
    }
    if let Ok(r) = de::<tm::InviteesResponse>(b) {
        for u in r.invitees.into_iter().flatten() {
            let _ = roster_tencent_meeting::convert::registration_from_invitee(u, "1");
        }
    }
    if let Ok(r) = de::<tm::EnrollApprovalsResponse>(b) {
        for e in r.enroll_list.into_iter().flatten() {
            let _ = roster_tencent_meeting::convert::registration_from_enroll(e, "1");
        }
    }
    if let Ok(e) = de::<tm::Enroll>(b) {
        let _ = roster_tencent_meeting::convert::registration_from_enroll(e, "1");
    }
    let _ = de::<tm::EnrollAnswer>(b);
    // The error reader of every response, whatever its status.
    let now = OffsetDateTime::now_utc();
    for status in [200, 400, 403, 500, 502] {
        let _ = roster_tencent_meeting::errors::response_error(&raw(status, b), now);
    }
    let _ = roster_tencent_meeting::decode_base64_text(&String::from_utf8_lossy(b));
}

fn quanshi_decoders(b: &[u8]) {
    use serde_json::from_slice as de;
    let _ = de::<qs::Meeting>(b);
    let _ = de::<qs::Invitee>(b).map(|i| i.into_registration("1"));
    let _ = de::<qs::ReportV1Row>(b).map(|r| r.into_attendee(1, WatchDurationUnit::Seconds));
    let _ = de::<qs::ReportV2>(b);
    let _ = de::<qs::Session>(b).map(|s| s.into_attendee("1"));
    let _ = de::<qs::Run>(b);
    let _ = de::<qs::Terminal>(b).map(|t| t.into_attendee(1));
    let text = String::from_utf8_lossy(b);
    let _ = qs::decode_title(&text);
    let _ = qs::clean_mobile(Some(&text));
    let _ = qs::IpField::parse(&text);
    if let Ok(v) = de::<Value>(b) {
        quanshi_value_decoders(v);
    }
}

/// The decoders that read an already parsed value: both envelopes, then each record type
/// from the payload and from the value itself.
fn quanshi_value_decoders(v: Value) {
    for family in [Family::Conference, Family::Events] {
        if let Some(e) = QsEnvelope::from_value(v.clone(), family) {
            let _ = e.is_success();
            quanshi_records(e.payload.clone());
            let _ =
                roster_quanshi::TokenData::from_value(&e.payload, "token").map(|t| t.lifetime());
        }
    }
    quanshi_records(v.clone());
    let _ = roster_quanshi::TokenData::from_value(&v, "token");
}

fn quanshi_records(v: Value) {
    if let Ok(ms) = records_from::<qs::Meeting>(v.clone()) {
        for m in ms {
            for i in m.attend_list {
                let _ = i.into_registration("1");
            }
        }
    }
    if let Ok(rows) = records_from::<qs::ReportV1Row>(v.clone()) {
        for r in rows {
            let _ = (
                r.title(),
                r.mobile(),
                r.ip_parts(),
                r.online_at(),
                r.offline_at(),
            );
            let _ = r.into_attendee(7, WatchDurationUnit::Seconds);
        }
    }
    if let Ok(reports) = records_from::<qs::ReportV2>(v.clone()) {
        for r in reports {
            for s in r.sessions {
                let _ = s.into_attendee("7");
            }
        }
    }
    let _ = records_from::<qs::Invitee>(v.clone());
    let _ = records_from::<qs::Session>(v.clone());
    let _ = records_from::<qs::Run>(v.clone());
    if let Ok(ts) = records_from::<qs::Terminal>(v) {
        for t in ts {
            let _ = t.into_attendee(7);
        }
    }
}

/// Core's JSON helpers, with the error contract: a `Decode` error keeps the status and at most
/// 1 KiB of the body (plus an ellipsis).
fn core_decoders(b: &[u8]) {
    let text = String::from_utf8_lossy(b);
    let _ = roster_core::wire::parse_utc8_text(&text);
    let _ = roster_core::wire::parse_time_text(&text);
    for status in [200u16, 500] {
        let response = raw(status, b);
        let checks: [Option<Error>; 3] = [
            decode_json::<tm::ParticipantsResponse>(roster_core::Vendor::TencentMeeting, &response)
                .err(),
            decode_json::<wc::AttendeeListResponse>(roster_core::Vendor::WeCom, &response).err(),
            roster_core::http::decode_json_sensitive::<wc::GetTokenResponse>(
                roster_core::Vendor::WeCom,
                &response,
            )
            .err(),
        ];
        for (i, e) in checks.into_iter().enumerate() {
            let Some(e) = e else { continue };
            assert_eq!(e.kind(), ErrorKind::Decode);
            assert_eq!(e.http_status(), Some(status));
            if i == 2 {
                assert_eq!(e.body_snippet(), None, "a token answer keeps no body");
            } else {
                let snippet = e.body_snippet().expect("a snippet");
                assert_eq!(snippet, roster_core::error::snippet(b));
                // At most 1 KiB of the body: one character per byte, plus an ellipsis.
                assert!(snippet.chars().count() <= 1025);
            }
            let _ = (e.to_string(), format!("{e:?}"));
        }
    }
    if let Ok(v) = serde_json::from_slice::<Value>(b) {
        let _ = roster_core::wire::value_as_time(&v);
        let _ = roster_core::wire::value_as_i64(&v);
        let _ = roster_core::wire::value_as_string(&v);
        let _ = roster_core::wire::value_as_bool(&v);
    }
}

fn decode_all(b: &[u8]) {
    wecom_decoders(b);
    tencent_decoders(b);
    quanshi_decoders(b);
    core_decoders(b);
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// Field names of the three vendors' answers (and a few made up), so that arbitrary JSON
/// reaches the decoders' field readers rather than only their "not an object" branch.
const FIELDS: &[&str] = &[
    "errcode",
    "errmsg",
    "access_token",
    "expires_in",
    "has_more",
    "next_cursor",
    "attendees",
    "tmp_openid",
    "userid",
    "join_time",
    "quit_time",
    "instance_id",
    "enroll_list",
    "enroll_id",
    "answer_list",
    "answer_content",
    "special_type",
    "enroll_time",
    "status",
    "meeting_start",
    "sub_meetings",
    "sub_meetingid",
    "current_sub_meetingid",
    "member",
    "tmp_external_user",
    "meetingid_list",
    "error_info",
    "error_code",
    "new_error_code",
    "message",
    "participants",
    "ms_open_id",
    "user_name",
    "left_time",
    "instanceid",
    "next_pos",
    "has_remaining",
    "total_count",
    "meeting_info_list",
    "meeting_type",
    "start_time",
    "end_time",
    "invitees",
    "total_page",
    "current_page",
    "result",
    "stauts",
    "code",
    "data",
    "msg",
    "token",
    "expire",
    "createTime",
    "eventId",
    "interaction",
    "tempConfenceList",
    "tempConferenceList",
    "onlineTime",
    "offlineTime",
    "deviceType",
    "ip",
    "mobile",
    "title",
    "watchDuration",
    "attendList",
    "user",
    "displayName",
    "list",
    "tempUserId",
    "realStartTime",
    "request_id",
    "timestamp",
    "x",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            ".{0,16}",
            "[0-9]{1,20}",
            "[A-Za-z0-9+/=]{0,24}",
            "[0-9]{4}[-/][0-9]{2}[-/][0-9]{2} [0-9]{2}:[0-9]{2}(:[0-9]{2})?",
            r#"\{"status":0,"result":\[\]\}"#,
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        3 => prop::sample::select(FIELDS).prop_map(String::from),
                        1 => ".{0,6}",
                    ],
                    inner
                ),
                0..7
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Complete answers of every endpoint the clients call, as the sandbox served them (successes,
/// vendor errors, fault pages), recorded once through a [`WireTap`].
fn real_bodies() -> &'static [Vec<u8>] {
    static BODIES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    BODIES.get_or_init(|| {
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(record_real_bodies())
        })
        .join()
        .expect("recording the sandbox's answers")
    })
}

async fn record_real_bodies() -> Vec<Vec<u8>> {
    let sb = start(sandbox_config(51)).await;
    let tap = WireTap::start(sb.addr()).await.unwrap();
    let o = ClientOptions::fast().base_url(tap.base_url());
    let (w, t, q) = (wecom(&sb, &o), tencent(&sb, &o), quanshi(&sb, &o));
    let ids = |v: Vendor, labels: &[&str]| -> Vec<String> {
        labels.iter().map(|l| meeting(&sb, v, l).id).collect()
    };
    // A fault page of each kind and some quirks, once per vendor.
    for v in Vendor::ALL {
        let f = sb.faults();
        let p = vendor_pattern(v);
        f.inject(&p, Fault::Http(502), 1);
        f.inject(&p, Fault::VendorTransient, 1);
        f.inject(&p, Fault::RateLimit, 1);
        f.inject(&p, Fault::VendorCode(400), 1);
        f.inject(&p, Fault::Quirk(Quirk::FlipTypes), 8);
        f.inject(&p, Fault::Quirk(Quirk::ResultAsString), 8);
        f.inject(&p, Fault::Quirk(Quirk::StatusTypo), 8);
        f.inject(&p, Fault::Quirk(Quirk::OmitSuccessCode), 8);
        f.inject(&p, Fault::Quirk(Quirk::UpperCaseIp), 8);
    }
    let sources: [(&dyn AttendeeSource, Vendor); 3] = [
        (&w, Vendor::WeCom),
        (&t, Vendor::Tencent),
        (&q, Vendor::Quanshi),
    ];
    for (source, v) in sources {
        let labels: &[&str] = match v {
            Vendor::WeCom | Vendor::Tencent => {
                &["seed-oneoff", "seed-webinar", "seed-recurring", "small-0"]
            }
            Vendor::Quanshi => &["seed-single", "seed-recurring", "seed-live"],
        };
        for id in ids(v, labels).into_iter().chain(["404404".to_string()]) {
            let q = MeetingQuery::new(&id);
            if let Ok(s) = source.attendees(&q).await {
                let _ = drain(s).await;
            }
            if let Ok(s) = source.registrations(&q).await {
                let _ = drain(s).await;
            }
        }
    }
    let wid = meeting(&sb, Vendor::WeCom, "seed-oneoff").id;
    let _ = w.get_info(&wid, None).await;
    let tmp_ids: Vec<String> = sb
        .truth()
        .wecom_attendees(&wid, None, None)
        .iter()
        .map(|r| text(&r["tmp_openid"]))
        .collect();
    let _ = w.enroll_ids(&wid, &tmp_ids, Default::default()).await;
    let now = OffsetDateTime::now_utc();
    if let Ok(s) = w.user_meeting_ids(
        &sb.credentials().wecom.userid,
        now - time::Duration::days(30),
        now,
    ) {
        let _ = drain(s).await;
    }
    let tid = meeting(&sb, Vendor::Tencent, "seed-oneoff").id;
    let _ = t.invitees_page(&tid, None).await;
    let _ = t.meeting_detail_raw(&tid).await;
    let single = meeting(&sb, Vendor::Quanshi, "seed-single");
    let event: u64 = single.id.parse().unwrap();
    let _ = q
        .report_v1(event, sb.credentials().quanshi.host_user_id)
        .await;
    let _ = q
        .meetings_by_join_url(single.join_url.as_deref().unwrap())
        .await;
    let live: u64 = meeting(&sb, Vendor::Quanshi, "seed-live")
        .id
        .parse()
        .unwrap();
    let _ = q.terminals(live).unwrap().items().collect::<Vec<_>>().await;

    let bodies: Vec<Vec<u8>> = tap
        .responses()
        .into_iter()
        .filter(|r| r.complete && !r.body.is_empty())
        .map(|r| r.body)
        .collect();
    sb.shutdown().await;
    bodies
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_decoder_survives_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&bytes);
    }

    #[test]
    fn every_decoder_survives_arbitrary_vendor_shaped_json(v in json_value()) {
        let bytes = serde_json::to_vec(&v).unwrap();
        decode_all(&bytes);
        quanshi_value_decoders(v.clone());
        // The same value as a page payload of each vendor.
        for wrapped in [
            serde_json::json!({"errcode": 0, "attendees": [v.clone()], "enroll_list": [v.clone()]}),
            serde_json::json!({"participants": [v.clone()], "meeting_info_list": [v.clone()], "invitees": [v.clone()], "enroll_list": [v.clone()]}),
            serde_json::json!({"status": 0, "result": {"interaction": [v.clone()], "tempConfenceList": [v.clone()], "list": [v.clone()], "attendList": [v.clone()]}}),
            serde_json::json!({"code": 200, "data": v.clone()}),
        ] {
            decode_all(&serde_json::to_vec(&wrapped).unwrap());
        }
    }

    #[test]
    fn every_decoder_survives_cut_and_corrupted_real_answers(
        which in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
    ) {
        let bodies = real_bodies();
        let mut body = which.get(bodies).clone();
        decode_all(&body);
        for (at, byte) in flips {
            let i = at.index(body.len());
            body[i] = byte;
        }
        decode_all(&body);
        body.truncate(cut.index(body.len() + 1));
        decode_all(&body);
    }
}

#[test]
fn the_recorded_answers_cover_every_endpoint() {
    // The corpus above is only as good as its coverage.
    let bodies = real_bodies();
    let text: Vec<String> = bodies
        .iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    for marker in [
        "\"access_token\"",
        "\"attendees\"",
        "\"enroll_list\"",
        "\"meetingid_list\"",
        "\"enroll_id_list\"",
        "\"participants\"",
        "\"meeting_info_list\"",
        "\"invitees\"",
        "\"error_info\"",
        "\"interaction\"",
        "\"attendList\"",
        "\"list\"",
        "\"stauts\"",
        "502 Bad Gateway",
    ] {
        assert!(
            text.iter().any(|t| t.contains(marker)),
            "no recorded answer contains {marker}"
        );
    }
    assert!(bodies.len() > 40, "{} answers", bodies.len());
}

// ---------------------------------------------------------------------------------------------
// Bodies served by the sandbox
// ---------------------------------------------------------------------------------------------

/// The error of an export: returned before the stream, or the stream's only item.
async fn export_error<T>(outcome: roster_core::Result<roster_core::RecordStream<T>>) -> Error {
    match outcome {
        Err(e) => e,
        Ok(stream) => {
            let (items, errors) = drain(stream).await;
            assert!(items.is_empty(), "records before the error");
            assert_eq!(errors.len(), 1, "one error, then the stream ends");
            errors.into_iter().next().unwrap()
        }
    }
}

/// The last complete-or-cut answer the tap saw: what the client decoded.
fn last_body(tap: &WireTap) -> (u16, Vec<u8>) {
    let r = tap.responses().pop().expect("an answer");
    (r.status().expect("a status"), r.body)
}

/// A `Decode` error made from the last answer: same status, snippet of that very body.
fn assert_decode_of_last_answer(e: &Error, tap: &WireTap, what: &str) {
    let (status, body) = last_body(tap);
    assert_eq!(e.kind(), ErrorKind::Decode, "{what}: {e}");
    assert_eq!(e.http_status(), Some(status), "{what}");
    assert!(
        serde_json::from_slice::<Value>(&body).is_err(),
        "{what}: the body is not JSON"
    );
    assert_eq!(
        e.body_snippet(),
        Some(roster_core::error::snippet(&body).as_str()),
        "{what}: the snippet is the start of the body served"
    );
    assert!(!body.is_empty());
}

async fn tapped(seed: u64) -> (SandboxHandle, WireTap, ClientOptions) {
    let sb = start(sandbox_config(seed)).await;
    let tap = WireTap::start(sb.addr()).await.unwrap();
    let opts = ClientOptions::never().base_url(tap.base_url());
    (sb, tap, opts)
}

#[tokio::test]
async fn truncated_and_non_json_bodies_are_decode_errors_with_status_and_snippet() {
    let (sb, tap, opts) = tapped(52).await;
    let f = sb.faults();

    // WeCom: a cut get_info answer, a cut attendee page, a plain-text "OK" enrollment page.
    let w = wecom(&sb, &opts);
    let m = meeting(&sb, Vendor::WeCom, "seed-oneoff").id;
    let _ = w.access_token().await.unwrap();
    f.inject("wecom.get_info", Fault::Truncate, 1);
    let e = export_error(w.attendees(&MeetingQuery::new(&m)).await).await;
    assert_decode_of_last_answer(&e, &tap, "WeCom get_info");
    assert!(e.is_retryable(), "a cut body is worth another try");
    f.inject("wecom.get_attendee_list", Fault::Truncate, 1);
    let e = export_error(w.attendees(&MeetingQuery::new(&m)).await).await;
    assert_decode_of_last_answer(&e, &tap, "WeCom attendee page");
    f.inject("wecom.enroll_list", Fault::Http(200), 1);
    let e = export_error(w.registrations(&MeetingQuery::new(&m)).await).await;
    assert_decode_of_last_answer(&e, &tap, "WeCom enrollment page");
    assert_eq!(e.body_snippet(), Some("OK"));

    // Tencent: a cut detail, a cut participants page of an occurrence, an "OK" enrollment page.
    let t = tencent(&sb, &opts);
    let id = meeting(&sb, Vendor::Tencent, "seed-oneoff").id;
    let rec = meeting(&sb, Vendor::Tencent, "seed-recurring");
    f.inject("tencent.meeting_detail", Fault::Truncate, 1);
    let e = export_error(t.attendees(&MeetingQuery::new(&id)).await).await;
    assert_decode_of_last_answer(&e, &tap, "Tencent detail");
    f.inject("tencent.participants", Fault::Truncate, 1);
    let q = MeetingQuery::new(&rec.id).sub_meeting(&rec.sub_meetings[0].id);
    let e = export_error(t.attendees(&q).await).await;
    assert_decode_of_last_answer(&e, &tap, "Tencent participants");
    f.inject("tencent.enroll_approvals", Fault::Http(200), 1);
    let e = export_error(t.registrations(&MeetingQuery::new(&id)).await).await;
    assert_decode_of_last_answer(&e, &tap, "Tencent enrollments");

    // Quanshi: a cut v2 report, an "OK" conference_infos answer.
    let q = quanshi(&sb, &opts);
    let event = meeting(&sb, Vendor::Quanshi, "seed-recurring").id;
    let _ = q.token().await.unwrap();
    f.inject("quanshi.report_v2", Fault::Truncate, 1);
    let e = export_error(q.attendees(&MeetingQuery::new(&event)).await).await;
    assert_decode_of_last_answer(&e, &tap, "Quanshi report");
    // Meeting details hold passcodes and host links: their errors keep no body at all.
    f.inject("quanshi.conference_infos", Fault::Http(200), 1);
    let e = export_error(q.registrations(&MeetingQuery::new(&event)).await).await;
    let (status, body) = last_body(&tap);
    assert_eq!(e.kind(), ErrorKind::Decode, "Quanshi invitees: {e}");
    assert_eq!(e.http_status(), Some(status));
    assert_eq!(body, b"OK", "the fault the sandbox served");
    assert_eq!(e.body_snippet(), None, "no snippet of a meeting detail");

    let stats = sb.stats();
    assert_eq!(stats.faults_of("truncate"), 5);
    assert_eq!(stats.faults_of("http_200"), 3);
}

#[tokio::test]
async fn cut_token_answers_give_errors_without_body_or_token() {
    let (sb, tap, opts) = tapped(53).await;
    let f = sb.faults();
    let mut errors = Vec::new();

    // WeCom gettoken: cut, cut mid-transfer, plain text.
    let m = meeting(&sb, Vendor::WeCom, "seed-oneoff").id;
    for fault in [Fault::Truncate, Fault::Drop, Fault::Http(200)] {
        let w = wecom(&sb, &opts); // a cold cache each time
        f.inject("wecom.gettoken", fault.clone(), 1);
        let e = export_error(w.attendees(&MeetingQuery::new(&m)).await).await;
        errors.push((format!("WeCom gettoken {fault:?}"), e));
    }
    // Quanshi token/create, the same three.
    let event = meeting(&sb, Vendor::Quanshi, "seed-single").id;
    for fault in [Fault::Truncate, Fault::Drop, Fault::Http(200)] {
        let q = quanshi(&sb, &opts);
        f.inject("quanshi.token_create", fault.clone(), 1);
        let e = export_error(q.attendees(&MeetingQuery::new(&event)).await).await;
        errors.push((format!("Quanshi token/create {fault:?}"), e));
    }

    // What the tap saw the sandbox issue, whole or in part.
    let issued = tap.secrets().issued;
    // (A cut answer holds part of a token only when the cut falls after the token's start.)
    assert!(
        issued.len() >= 2,
        "cut token answers were served and recorded: {issued:?}"
    );
    let partial_tokens: BTreeSet<String> = issued;
    for (what, e) in &errors {
        match e.kind() {
            ErrorKind::Decode => assert!(e.http_status().is_some(), "{what}: {e}"),
            ErrorKind::Transport => {}
            other => panic!("{what}: unexpected {other:?}: {e}"),
        }
        assert_eq!(
            e.body_snippet(),
            None,
            "{what}: a token answer keeps no body: {e:?}"
        );
        let shown = format!("{e} {e:?} {:?} {:?}", e.message(), e.hint());
        assert_no_secret(what, &shown, &partial_tokens);
    }
    assert_eq!(
        errors
            .iter()
            .filter(|(_, e)| e.kind() == ErrorKind::Decode)
            .count(),
        4,
        "cut and plain-text answers are decode errors"
    );
    let stats = sb.stats();
    assert_eq!(stats.requests_to("wecom.gettoken"), 3);
    assert_eq!(stats.requests_to("quanshi.token_create"), 3);
    assert_eq!(
        stats.requests_to("wecom.get_info"),
        0,
        "no call without a token"
    );
}
