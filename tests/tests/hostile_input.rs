//! Meeting ids, sub-meeting ids, Quanshi join links and other caller-given
//! values carrying path (`../`, `/`), query (`?`, `&`), fragment (`#`), encoded slashes
//! (`%2F`), whitespace, control characters and very long strings, through the trait and
//! through each vendor's lower-level calls, never reach another path: the sandbox's log of raw
//! request-targets holds only the expected endpoints (with only their own query keys), and
//! the wire shows each value sent verbatim where the vendor takes it (a JSON body, or a fully
//! percent-encoded query value). Out-of-range page sizes and windows fail before any request.

use std::collections::BTreeSet;

use futures::StreamExt;
use roster_core::{AttendeeSource, ErrorKind, MeetingQuery, RegistrationFilter, Window};
use roster_quanshi::{ConferenceKey, TerminalList};
use roster_sandbox::{SandboxHandle, Vendor};
use roster_tencent_meeting::ParticipantsParams;
use roster_tests::*;
use roster_wecom::wire::UserMeetingIdBody;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

/// Values a caller (or an attacker feeding a caller) might pass as an id.
fn hostile() -> Vec<String> {
    let mut v: Vec<String> = [
        "../1",
        "..",
        ".",
        "/",
        "1/2",
        "1/../../cgi-bin/gettoken",
        "../../v1/meetings/1/participants",
        "1?x=1",
        "1?access_token=x&userid=admin1",
        "?",
        "1#frag",
        "#",
        "1%2F2",
        "%2e%2e%2f1",
        "%2F",
        "%00",
        "1 2",
        " 1",
        "1 ",
        "\t1",
        "1\n2",
        "1\r\nX-Injected: 1",
        "1\u{0}",
        "\u{0}",
        "1\u{7f}",
        "\u{202e}1",
        "１２３",
        "",
        " ",
        "1;2",
        "1&2=3",
        "1\\2",
        "'\"<>",
        "😀",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    v.push("9".repeat(100_000));
    v.push("a/".repeat(400));
    v.push(format!("{}/../x", "1".repeat(70)));
    v
}

/// Join links: the hostile values, and URLs whose path, query or fragment are hostile.
fn hostile_links() -> Vec<String> {
    let mut v = hostile();
    for s in [
        "https://mtest.qsh1.cn/k/abc/../../confopenapi/conference/report/getReportDatas/v2",
        "https://mtest.qsh1.cn/k/abc?token=x&eventId=1#frag",
        "https://mtest.qsh1.cn/k/%2F..%2F..%2Fx",
        "https://mtest.qsh1.cn/k/a b",
        "https://mtest.qsh1.cn/k/a\nb",
        "https://mtest.qsh1.cn/k/a\u{0}b",
        " https://mtest.qsh1.cn/k/padded ",
        "http://127.0.0.1:1/_sandbox/stats",
        "https://user:pass@mtest.qsh1.cn/k/x",
        "ftp://mtest.qsh1.cn/k/x",
        "javascript:alert(1)",
        "//mtest.qsh1.cn/k/x",
        "https:/mtest.qsh1.cn/k/x",
    ] {
        v.push(s.to_string());
    }
    v.push(format!("https://mtest.qsh1.cn/k/{}", "x/".repeat(5_000)));
    v
}

/// Runs an export to its end, whatever happens (an error is fine; a panic or another path is
/// not).
async fn try_attendees(source: &dyn AttendeeSource, q: &MeetingQuery) {
    if let Ok(stream) = source.attendees(q).await {
        let _ = drain(stream).await;
    }
}

async fn try_registrations(source: &dyn AttendeeSource, q: &MeetingQuery) {
    if let Ok(stream) = source.registrations(q).await {
        let _ = drain(stream).await;
    }
}

/// Every request-target the sandbox logged has one of `paths` as its path (byte for byte) and
/// only `keys` in its query.
fn assert_targets(sb: &SandboxHandle, paths: &[String], keys: &[&str]) -> usize {
    let stats = sb.stats();
    for t in &stats.raw_targets {
        let (path, query) = t.split_once('?').unwrap_or((t.as_str(), ""));
        assert!(
            paths.iter().any(|p| p == path),
            "a request reached {t:?}, outside {paths:?}"
        );
        let url = reqwest::Url::parse(&format!("http://h{t}")).expect("a target");
        for (k, _) in url.query_pairs() {
            assert!(keys.contains(&k.as_ref()), "query key {k:?} in {t:?}");
        }
        assert!(
            query.is_empty() || !keys.is_empty(),
            "unexpected query in {t:?}"
        );
    }
    assert_eq!(stats.raw_targets_dropped, 0);
    stats.raw_targets.len()
}

/// The string values of `field` in every JSON request body the tap saw (array elements too).
fn body_values(tap: &WireTap, field: &str) -> Vec<String> {
    let mut out = Vec::new();
    for r in tap.requests() {
        let Some(v) = r.json() else { continue };
        match &v[field] {
            Value::String(s) => out.push(s.clone()),
            Value::Number(n) => out.push(n.to_string()),
            Value::Array(items) => out.extend(items.iter().map(text)),
            _ => {}
        }
    }
    out
}

fn is_refusal(e: &roster_core::Error) -> bool {
    matches!(e.kind(), ErrorKind::InvalidArgument | ErrorKind::Config)
}

#[tokio::test]
async fn wecom_ids_travel_only_inside_json_bodies_of_the_expected_endpoints() {
    let vendor = Vendor::WeCom;
    let sb = start(sandbox_config(31)).await;
    let tap = WireTap::start(sb.addr()).await.unwrap();
    let opts = ClientOptions::fast().base_url(tap.base_url());
    let client = wecom(&sb, &opts);
    let source: &dyn AttendeeSource = &client;
    let good = meeting(&sb, vendor, "seed-oneoff").id;
    let user = sb.credentials().wecom.userid;
    let now = OffsetDateTime::now_utc();
    let bad_ids = hostile();

    for bad in &bad_ids {
        try_attendees(source, &MeetingQuery::new(bad)).await;
        try_attendees(source, &MeetingQuery::new(&good).sub_meeting(bad)).await;
        try_registrations(source, &MeetingQuery::new(bad)).await;
        let _ = client.get_info(bad, None).await;
        let _ = client.get_info(&good, Some(bad)).await;
        if let Ok(p) = client.attendee_list(bad.clone()).paginate() {
            let _ = drain(p.items().boxed()).await;
        }
        if let Ok(p) = client.enroll_list(bad.clone()).paginate() {
            let _ = drain(p.items().boxed()).await;
        }
        let _ = client
            .enroll_ids(&good, [bad.as_str()], Default::default())
            .await;
        if let Ok(s) = client.user_meeting_ids(bad, now - Duration::days(7), now) {
            let _ = drain(s).await;
        }
    }
    let paths: Vec<String> = [
        "/cgi-bin/gettoken",
        "/cgi-bin/meeting/get_info",
        "/cgi-bin/meeting/get_attendee_list",
        "/cgi-bin/meeting/enroll/list",
        "/cgi-bin/meeting/enroll/query_by_tmp_openid",
        "/cgi-bin/meeting/get_user_meetingid",
    ]
    .map(String::from)
    .to_vec();
    let n = assert_targets(&sb, &paths, &["access_token", "corpid", "corpsecret"]);
    assert!(
        n > bad_ids.len(),
        "ids WeCom accepts were sent: {n} requests"
    );

    // Each id went out byte for byte inside the JSON body; an id WeCom's rules accept (not
    // blank, no control character, at most 1 KiB) was sent, the others never were.
    let allowed: BTreeSet<String> = bad_ids
        .iter()
        .cloned()
        .chain([good.clone(), user.clone()])
        .collect();
    let sent: BTreeSet<String> = ["meetingid", "sub_meetingid", "userid", "tmp_openid_list"]
        .iter()
        .flat_map(|f| body_values(&tap, f))
        .collect();
    for s in &sent {
        assert!(
            allowed.contains(s),
            "a body carried {s:?}, which nobody asked for"
        );
    }
    for bad in &bad_ids {
        let acceptable = !bad.trim().is_empty()
            && bad.trim() == bad
            && !bad.chars().any(char::is_control)
            && bad.len() <= 1024;
        assert_eq!(
            sent.contains(bad),
            acceptable,
            "{bad:?}: sent verbatim if and only if it is an acceptable WeCom id"
        );
    }

    // A hostile corp id goes only to gettoken, as one fully encoded query value.
    sb.reset_stats();
    tap.clear();
    let secret = sb.credentials().wecom.corp_secret;
    let mut tried = 0;
    for bad in &bad_ids {
        let config = roster_wecom::WeComClient::builder(roster_wecom::Credentials::new(
            bad.clone(),
            secret.clone(),
        ))
        .base_url(tap.base_url())
        .retry_policy(fast_policy());
        match config.build() {
            Ok(c) => {
                tried += 1;
                assert!(c.get_info(&good, None).await.is_err(), "{bad:?}");
            }
            Err(e) => assert!(is_refusal(&e), "{bad:?}: {e}"),
        }
    }
    assert!(tried > 0);
    assert_targets(&sb, &paths[..1], &["corpid", "corpsecret"]);
    let corp_ids: BTreeSet<String> = tap
        .requests()
        .iter()
        .flat_map(|r| r.query_pairs())
        .filter(|(k, _)| k == "corpid")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(corp_ids.len(), tried, "one gettoken per client, no more");
    assert!(corp_ids.iter().all(|c| bad_ids.contains(c)), "{corp_ids:?}");
}

#[tokio::test]
async fn tencent_refuses_every_hostile_id_before_any_request() {
    let vendor = Vendor::Tencent;
    let sb = start(sandbox_config(32)).await;
    let client = tencent(&sb, &ClientOptions::fast());
    let source: &dyn AttendeeSource = &client;
    let good = meeting(&sb, vendor, "seed-oneoff").id;
    let recurring = meeting(&sb, vendor, "seed-recurring").id;

    for bad in hostile() {
        let refused = |r: Result<(), roster_core::Error>, what: &str| {
            let e = r.expect_err(what);
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{what} {bad:?}: {e}");
        };
        refused(
            source.attendees(&MeetingQuery::new(&bad)).await.map(drop),
            "attendees",
        );
        refused(
            source
                .attendees(&MeetingQuery::new(&recurring).sub_meeting(&bad))
                .await
                .map(drop),
            "attendees of an occurrence",
        );
        refused(
            source
                .attendees(&MeetingQuery::new(&good).sub_meeting(&bad))
                .await
                .map(drop),
            "attendees of a one-off meeting's occurrence",
        );
        refused(
            source
                .registrations(&MeetingQuery::new(&bad))
                .await
                .map(drop),
            "registrations",
        );
        refused(client.meeting_detail(&bad).await.map(drop), "detail");
        refused(
            client.meeting_detail_raw(&bad).await.map(drop),
            "raw detail",
        );
        refused(
            client
                .participants_page(&ParticipantsParams::new(&bad), None)
                .await
                .map(drop),
            "participants page",
        );
        refused(
            client
                .participants_page(&ParticipantsParams::new(&recurring).sub_meeting(&bad), None)
                .await
                .map(drop),
            "participants page of an occurrence",
        );
        refused(
            client
                .participants_list(ParticipantsParams::new(&bad))
                .map(drop),
            "participants list",
        );
        refused(
            client
                .enrollments_list(&bad, RegistrationFilter::All)
                .map(drop),
            "enrollments list",
        );
        refused(
            client
                .enroll_approvals_page(&bad, 1, 20, RegistrationFilter::All)
                .await
                .map(drop),
            "enrollment page",
        );
        refused(
            client.invitees_page(&bad, None).await.map(drop),
            "invitees page",
        );
        refused(client.invitees_list(&bad).map(drop), "invitees list");
    }
    let stats = sb.stats();
    assert_eq!(stats.total_requests(), 0, "{:?}", stats.raw_targets);
    assert!(stats.raw_targets.is_empty(), "{:?}", stats.raw_targets);
}

#[tokio::test]
async fn tencent_hostile_query_values_are_sent_fully_encoded_to_the_expected_path() {
    let vendor = Vendor::Tencent;
    let sb = start(sandbox_config(33)).await;
    let tap = WireTap::start(sb.addr()).await.unwrap();
    let opts = ClientOptions::fast().base_url(tap.base_url());
    let client = tencent(&sb, &opts);
    let good = meeting(&sb, vendor, "seed-oneoff").id;
    let bad_values = hostile();

    // Positions are the server's opaque tokens, echoed back in the query; operator ids are
    // configuration. Neither is validated like an id, so each must be one encoded value.
    for bad in &bad_values {
        let _ = client
            .participants_page(&ParticipantsParams::new(&good), Some(bad))
            .await;
        let _ = client.invitees_page(&good, Some(bad)).await;
        if let Ok(odd) = tencent_builder(&sb, &opts).operator_id(bad.clone()).build() {
            let _ = odd
                .participants_page(&ParticipantsParams::new(&good), None)
                .await;
        }
    }
    let paths = [
        format!("/v1/meetings/{good}/participants"),
        format!("/v1/meetings/{good}/invitees"),
    ];
    let keys = [
        "userid",
        "sub_meeting_id",
        "pos",
        "size",
        "start_time",
        "end_time",
        "instanceid",
    ];
    let n = assert_targets(&sb, &paths, &keys);
    assert!(n >= bad_values.len(), "{n} requests");
    let operator = sb.credentials().tencent.userid;
    for r in tap.requests() {
        // Every byte outside A–Z a–z 0–9 - _ . ~ is percent-encoded.
        let query = r.target().split_once('?').map(|(_, q)| q).unwrap_or("");
        assert!(
            query
                .split('&')
                .flat_map(|kv| kv.split_once('='))
                .all(|(_, v)| v
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b))),
            "an unencoded byte in {:?}",
            r.target()
        );
        for (k, v) in r.query_pairs() {
            match k.as_str() {
                "pos" => assert!(v == "0" || bad_values.contains(&v), "pos {v:?}"),
                "userid" => assert!(v == operator || bad_values.contains(&v), "userid {v:?}"),
                _ => {}
            }
        }
    }
    let sent_pos: BTreeSet<String> = tap
        .requests()
        .iter()
        .flat_map(|r| r.query_pairs())
        .filter(|(k, _)| k == "pos")
        .map(|(_, v)| v)
        .collect();
    assert!(
        sent_pos.iter().filter(|p| *p != "0").count() > bad_values.len() / 2,
        "hostile positions were sent: {sent_pos:?}"
    );
}

#[tokio::test]
async fn quanshi_ids_and_join_links_travel_only_inside_json_bodies() {
    let vendor = Vendor::Quanshi;
    let sb = start(sandbox_config(34)).await;
    let tap = WireTap::start(sb.addr()).await.unwrap();
    let opts = ClientOptions::fast().base_url(tap.base_url());
    let client = quanshi(&sb, &opts);
    let source: &dyn AttendeeSource = &client;
    let good = meeting(&sb, vendor, "seed-single").id;
    let host = sb.credentials().quanshi.host_user_id;
    let bad_ids = hostile();
    let links = hostile_links();

    for bad in &bad_ids {
        try_attendees(source, &MeetingQuery::new(bad)).await;
        try_registrations(source, &MeetingQuery::new(bad)).await;
        try_attendees(source, &MeetingQuery::new(&good).sub_meeting(bad)).await;
        let _ = client
            .conference_infos(&ConferenceKey::Pcode(bad.clone()), host)
            .await;
    }
    for link in &links {
        try_attendees(source, &MeetingQuery::new("").join_url(link)).await;
        try_registrations(source, &MeetingQuery::new("").join_url(link)).await;
        try_registrations(source, &MeetingQuery::new(&good).join_url(link)).await;
        let _ = client.meetings_by_join_url(link).await;
        let _ = client.registrations_by_join_url(link).await;
    }
    let lookup = sb.credentials().quanshi.join_url_lookup_path;
    let paths = [
        "/confopenapi/conference/report/getReportDatas/v2".to_string(),
        "/confopenapi/room/conference/infos".to_string(),
        "/eventopenapi/token/create".to_string(),
        lookup,
    ];
    let n = assert_targets(&sb, &paths, &[]);
    assert!(n > links.len(), "{n} requests");

    // Links go out trimmed and otherwise verbatim; only links that pass the client's check
    // (an http(s) URL with a host, no whitespace or control character) go out at all.
    let sent_links: BTreeSet<String> = body_values(&tap, "attendeeJoinUrl").into_iter().collect();
    for link in &links {
        let valid = roster_quanshi::validate_join_url(link).is_ok();
        assert_eq!(sent_links.contains(link.trim()), valid, "{link:?}");
    }
    assert!(
        sent_links
            .iter()
            .all(|l| links.iter().any(|x| x.trim() == l)),
        "{sent_links:?}"
    );
    let pcodes: BTreeSet<String> = body_values(&tap, "pcode").into_iter().collect();
    assert!(
        pcodes.iter().all(|p| bad_ids.iter().any(|b| b.trim() == p)),
        "{pcodes:?}"
    );
    // Event ids are numbers: a hostile id is either refused or read as the number it spells.
    for id in body_values(&tap, "eventId") {
        assert!(id.bytes().all(|b| b.is_ascii_digit()), "eventId {id:?}");
    }
}

#[tokio::test]
async fn out_of_range_page_sizes_and_windows_fail_before_any_request() {
    let sb = start(sandbox_config(35)).await;
    let opts = ClientOptions::fast();
    let now = OffsetDateTime::now_utc();
    let day = Duration::DAY;
    let refused = |r: Result<(), roster_core::Error>, what: &str| {
        let e = r.expect_err(what);
        assert!(is_refusal(&e), "{what}: {e}");
    };

    // WeCom.
    let w = wecom(&sb, &opts);
    let wid = meeting(&sb, Vendor::WeCom, "seed-oneoff").id;
    for size in [0, 101] {
        refused(
            wecom_config(&sb, &opts)
                .attendee_page_size(size)
                .build()
                .map(drop),
            "attendee page size",
        );
        refused(
            w.attendee_list(&wid).limit(size).paginate().map(drop),
            "attendee list limit",
        );
    }
    for size in [0, 51] {
        refused(
            wecom_config(&sb, &opts)
                .enroll_page_size(size)
                .build()
                .map(drop),
            "enrollment page size",
        );
        refused(
            w.enroll_list(&wid).limit(size).paginate().map(drop),
            "enrollment list limit",
        );
    }
    for (start, end, what) in [
        (now, now - day, "reversed window"),
        (now - day * 32, now, "32-day window"),
        (now, now, "empty window"),
    ] {
        refused(
            w.attendee_list(&wid)
                .window(Window { start, end })
                .paginate()
                .map(drop),
            what,
        );
    }
    let user = sb.credentials().wecom.userid;
    for (limit, begin, end, what) in [
        (0, now - day, now, "limit 0"),
        (101, now - day, now, "limit 101"),
        (10, now, now - day, "reversed"),
        (10, now - day * 181, now, "181 days"),
    ] {
        let body = UserMeetingIdBody {
            userid: user.clone(),
            cursor: None,
            begin_time: Some(begin.unix_timestamp()),
            end_time: Some(end.unix_timestamp()),
            limit,
        };
        refused(w.get_user_meetingid(&body).await.map(drop), what);
    }
    refused(
        w.user_meeting_ids(&user, now, now - day).map(drop),
        "reversed member range",
    );
    refused(
        w.attendees(&MeetingQuery::new(&wid).between(now, now - day))
            .await
            .map(drop),
        "reversed export range",
    );

    // Tencent.
    let t = tencent(&sb, &opts);
    let tid = meeting(&sb, Vendor::Tencent, "seed-oneoff").id;
    let trec = meeting(&sb, Vendor::Tencent, "seed-recurring");
    for size in [0, 101] {
        refused(
            tencent_builder(&sb, &opts)
                .participants_page_size(size)
                .build()
                .map(drop),
            "participants page size",
        );
        let p = ParticipantsParams::new(&tid).size(size);
        refused(t.participants_page(&p, None).await.map(drop), "size");
        refused(t.participants_list(p).map(drop), "size");
    }
    for size in [0, 301] {
        refused(
            tencent_builder(&sb, &opts)
                .enroll_page_size(size)
                .build()
                .map(drop),
            "enrollment page size",
        );
        refused(
            t.enroll_approvals_page(&tid, 1, size, RegistrationFilter::All)
                .await
                .map(drop),
            "enrollment page size",
        );
    }
    refused(
        t.enroll_approvals_page(&tid, 0, 20, RegistrationFilter::All)
            .await
            .map(drop),
        "page 0",
    );
    let (s, e) = (now.unix_timestamp() - 86_400, now.unix_timestamp());
    for (p, what) in [
        (ParticipantsParams::new(&tid).window(e, s), "reversed"),
        (
            ParticipantsParams::new(&tid).window(e - 2_678_401, e),
            "31 days and a second",
        ),
        (ParticipantsParams::new(&tid).window(-5, 5), "before 1970"),
        (
            ParticipantsParams::new(&trec.id)
                .sub_meeting(&trec.sub_meetings[0].id)
                .window(s, e),
            "a window on an occurrence",
        ),
    ] {
        refused(t.participants_page(&p, None).await.map(drop), what);
        refused(t.participants_list(p).map(drop), what);
    }
    for (q, what) in [
        (MeetingQuery::new(&tid).between(now, now - day), "reversed"),
        (MeetingQuery::new(&tid).between(now, now), "empty"),
        (
            MeetingQuery::new(&trec.id)
                .sub_meeting(&trec.sub_meetings[0].id)
                .between(now - day, now),
            "a range on an occurrence",
        ),
    ] {
        refused(t.attendees(&q).await.map(drop), what);
    }

    // Quanshi.
    let q = quanshi(&sb, &opts);
    let qid: u64 = meeting(&sb, Vendor::Quanshi, "seed-live")
        .id
        .parse()
        .unwrap();
    for size in [0, 101] {
        refused(
            quanshi_config(&sb, &opts)
                .attendee_list_page_size(size)
                .build()
                .map(drop),
            "attendee/list page size",
        );
        refused(
            TerminalList::new(q.clone(), qid).page_size(size).map(drop),
            "terminal list page size",
        );
        refused(q.terminals_page(qid, 1, size).await.map(drop), "count");
    }
    refused(q.terminals_page(qid, 0, 20).await.map(drop), "page 0");
    for (query, what) in [
        (
            MeetingQuery::new(qid.to_string()).between(now, now - day),
            "reversed",
        ),
        (
            MeetingQuery::new(qid.to_string()).between(now, now),
            "empty",
        ),
    ] {
        refused(q.attendees(&query).await.map(drop), what);
    }

    let stats = sb.stats();
    assert_eq!(stats.total_requests(), 0, "{:?}", stats.raw_targets);
}

/// The same input, the same outcome on every vendor: an empty or blank sub-meeting id, a signed
/// or padded meeting id, and an empty or reversed range are refused before any request, and a
/// huge id is never echoed whole.
#[tokio::test]
async fn every_vendor_refuses_the_same_odd_input_before_any_request() {
    let sb = start(sandbox_config(5)).await;
    let now = sb.clock().now();
    for vendor in [Vendor::WeCom, Vendor::Tencent, Vendor::Quanshi] {
        let label = if vendor == Vendor::Quanshi {
            "seed-single"
        } else {
            "seed-oneoff"
        };
        let m = meeting(&sb, vendor, label);
        let source = source(vendor, &sb, &ClientOptions::never());
        let huge = "9".repeat(100_000);
        let mut queries = vec![
            MeetingQuery::new(&m.id).sub_meeting(""),
            MeetingQuery::new(&m.id).sub_meeting("  "),
            MeetingQuery::new(format!(" {} ", m.id)),
            MeetingQuery::new(&huge),
            MeetingQuery::new(&m.id).between(now, now),
            MeetingQuery::new(&m.id).between(now, now - Duration::hours(1)),
        ];
        // Numeric ids (WeCom's are opaque text): no sign.
        if vendor != Vendor::WeCom {
            queries.push(MeetingQuery::new(format!("+{}", m.id)));
        }
        let before = sb.stats().total_requests();
        for q in queries {
            let result = match source.attendees(&q).await {
                Ok(stream) => drain(stream).await.1.into_iter().next(),
                Err(e) => Some(e),
            };
            let e = result.unwrap_or_else(|| panic!("{vendor:?}: {q:?} was accepted"));
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{vendor:?}: {e}");
            assert!(
                e.to_string().len() < 1_000,
                "{vendor:?}: the input is not echoed whole"
            );
        }
        assert_eq!(
            sb.stats().total_requests(),
            before,
            "{vendor:?}: refused before any request"
        );
    }
}

/// `--from 1970` to `--to 9999` on a one-off meeting reads the few windows that can hold its
/// joins (the range is narrowed with a note), not every 31-day window since 1970 — on both
/// windowed vendors.
#[tokio::test]
async fn absurd_ranges_are_narrowed_to_the_meeting() {
    let sb = start(sandbox_config(6)).await;
    let far_past = time::OffsetDateTime::UNIX_EPOCH;
    let far_future = time::macros::datetime!(9999-12-31 23:59:59 UTC);
    for (vendor, key) in [
        (Vendor::WeCom, "wecom.get_attendee_list"),
        (Vendor::Tencent, "tencent.participants"),
    ] {
        let m = meeting(&sb, vendor, "seed-oneoff");
        let source = source(vendor, &sb, &ClientOptions::fast());
        let before = sb.stats().requests_to(key);
        let q = MeetingQuery::new(&m.id).between(far_past, far_future);
        let got = export_attendees(source.as_ref(), &q).await;
        let all = export_attendees(source.as_ref(), &MeetingQuery::new(&m.id)).await;
        assert_eq!(got.len(), all.len(), "{vendor:?}: the same sessions");
        let calls = sb.stats().requests_to(key) - before;
        assert!(calls < 20, "{vendor:?}: {calls} list calls");
    }
}
