//! The client against roster-sandbox's Quanshi emulator, which verifies signatures and tokens
//! from the spec independently of this crate. Exactly-once and time assertions use the
//! sandbox's ground truth.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use roster_core::wire::parse_utc8_text;
use roster_core::{
    Attendee, AttendeeSource, Device, ErrorKind, ManualClock, MeetingQuery, OffsetClock,
    Registration, RegistrationFilter, RegistrationStatus, RetryClass, Role,
};
use roster_quanshi::{
    AuthMode, ClientBuilder, ConferenceKey, Credentials, Family, KeyHeader, QuanshiClient,
    QuanshiClientBuilder, TokenPlacement,
};
use roster_sandbox::{ClockConfig, Fault, Quirk, SandboxConfig, SandboxHandle, Vendor as SbVendor};
use roster_testkit::meeting;
use serde_json::Value;

const ENDPOINTS: [&str; 6] = [
    "quanshi.token_create",
    "quanshi.meeting_by_join_url",
    "quanshi.conference_infos",
    "quanshi.report_v1",
    "quanshi.report_v2",
    "quanshi.attendee_list",
];

/// The lean sandbox of the shared test support, on the sandbox's default seed.
fn sandbox_config() -> SandboxConfig {
    roster_testkit::lean_config(SandboxConfig::default().seed)
}

async fn start() -> SandboxHandle {
    roster_testkit::start(sandbox_config()).await
}

/// A client for `sb` with its credentials, fast retries and no pacing.
fn config_for(sb: &SandboxHandle) -> QuanshiClientBuilder {
    let c = sb.credentials().quanshi;
    QuanshiClient::builder(Credentials::new(c.app_key, c.app_secret).admin_user_id(c.admin_user_id))
        .host_user_id(c.host_user_id)
        .base_url(sb.base_url())
        .events_base_url(sb.base_url())
        .join_url_lookup_path(c.join_url_lookup_path)
        .pacer(roster_core::Pacer::unlimited())
        .retry_policy(roster_testkit::fast_policy())
}

/// The sandbox's app with another key or secret (the admin user id kept).
fn app(sb: &SandboxHandle, key: Option<&str>, secret: Option<&str>) -> Credentials {
    let c = sb.credentials().quanshi;
    Credentials::new(
        key.map_or(c.app_key, str::to_string),
        secret.map_or(c.app_secret, str::to_string),
    )
    .admin_user_id(c.admin_user_id)
}

fn client(config: QuanshiClientBuilder) -> QuanshiClient {
    config.build().unwrap()
}

fn event_id(sb: &SandboxHandle, label: &str) -> String {
    meeting(sb, SbVendor::Quanshi, label).id
}

fn join_url(sb: &SandboxHandle, label: &str) -> String {
    meeting(sb, SbVendor::Quanshi, label)
        .join_url
        .expect("Quanshi meetings have a join link")
}

fn no_rejections(sb: &SandboxHandle) {
    let stats = sb.stats();
    for e in ENDPOINTS {
        assert_eq!(stats.rejections_total(e), 0, "{e}: {:?}", stats.rejections);
    }
}

async fn attendees(c: &QuanshiClient, q: &MeetingQuery) -> Vec<Attendee> {
    c.attendees(q).await.unwrap().try_collect().await.unwrap()
}

async fn registrations(c: &QuanshiClient, q: &MeetingQuery) -> Vec<Registration> {
    c.registrations(q)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap()
}

fn text(v: &Value, key: &str) -> Option<String> {
    match &v[key] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn int(v: &Value, key: &str) -> i64 {
    match &v[key] {
        Value::Number(n) => n.as_i64().unwrap(),
        Value::String(s) => s.parse().unwrap(),
        other => panic!("{key}: {other}"),
    }
}

/// Compares attendees from the v2 report with the truth's session rows, one to one, in order.
fn assert_sessions_match(got: &[Attendee], truth: &[Value], event: &str) {
    assert_eq!(got.len(), truth.len(), "every session exactly once");
    for (a, t) in got.iter().zip(truth) {
        assert_eq!(a.meeting_id, event);
        assert_eq!(
            a.display_name,
            text(t, "name").filter(|s| !s.trim().is_empty())
        );
        assert_eq!(a.joined_at.unwrap().unix_timestamp(), int(t, "onlineTime"));
        let off = int(t, "offlineTime");
        assert_eq!(
            a.left_at.map(|l| l.unix_timestamp()),
            (off > 0).then_some(off)
        );
        assert_eq!(a.sub_meeting_id, text(t, "tempConferenceId"));
        assert_eq!(a.extra["deviceType"], t["deviceType"]);
        let role = t.get("roleId").or_else(|| t.get("role")).unwrap();
        let expected = if role.as_i64() == Some(1) || role == "1" {
            Role::Host
        } else {
            Role::Member
        };
        assert_eq!(a.role, Some(expected));
        let mobile = text(t, "mobile").filter(|m| !m.is_empty() && m != "-");
        if mobile.is_some() {
            assert_eq!(a.phone, mobile);
        }
    }
}

#[tokio::test]
async fn token_mode_is_accepted_by_the_sandbox() {
    let sb = start().await;
    let c = client(config_for(&sb));
    let event = event_id(&sb, "seed-single");
    let got = attendees(&c, &MeetingQuery::new(&event)).await;
    assert_sessions_match(&got, &sb.truth().quanshi_sessions(&event), &event);
    let _ = c
        .report_v1(
            event.parse().unwrap(),
            sb.credentials().quanshi.host_user_id,
        )
        .await
        .unwrap();
    let stats = sb.stats();
    assert_eq!(stats.tokens_of(SbVendor::Quanshi), 1);
    assert_eq!(stats.requests_to("quanshi.token_create"), 1);
    assert_eq!(c.tokens_created(), 1);
    no_rejections(&sb);
    // Token in the body instead of the header, and in both.
    for placement in [TokenPlacement::Body, TokenPlacement::Both] {
        let c = client(config_for(&sb).auth(Family::Conference, AuthMode::Token, placement));
        assert_eq!(
            attendees(&c, &MeetingQuery::new(&event)).await.len(),
            got.len()
        );
    }
    no_rejections(&sb);
    sb.shutdown().await;
}

#[tokio::test]
async fn signature_mode_is_accepted_with_either_key_header() {
    let sb = start().await;
    let event = event_id(&sb, "seed-single");
    for key_header in [KeyHeader::AppKey, KeyHeader::AppId, KeyHeader::Both] {
        let c = client(
            config_for(&sb)
                .auth_mode(Family::Conference, AuthMode::Signature)
                .key_header(key_header),
        );
        let got = attendees(&c, &MeetingQuery::new(&event)).await;
        assert_eq!(got.len(), sb.truth().quanshi_sessions(&event).len());
        // token/create is always signed, whatever the key header.
        let token = c.create_token().await.unwrap();
        assert!(token.lifetime() > Duration::ZERO);
    }
    let stats = sb.stats();
    assert_eq!(
        stats.tokens_of(SbVendor::Quanshi),
        3,
        "only the explicit create_token calls"
    );
    no_rejections(&sb);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_wrong_secret_is_an_auth_error_without_retries() {
    let sb = start().await;
    let event = event_id(&sb, "seed-single");
    // Token mode: token/create is refused.
    let c = client(config_for(&sb).credentials(app(&sb, None, Some("not-the-secret"))));
    let e = c
        .attendees(&MeetingQuery::new(&event))
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.class()),
        (ErrorKind::Auth, RetryClass::Fatal),
        "{e}"
    );
    assert_eq!(e.vendor_code(), Some(403));
    assert!(
        e.request_id().is_some(),
        "the eventopenapi requestId is kept"
    );
    assert!(e.hint().unwrap().contains("secret"));
    assert!(!format!("{e} {e:?}").contains("not-the-secret"));
    // Signature mode: the call itself is refused.
    let c = client(
        config_for(&sb)
            .credentials(app(&sb, None, Some("not-the-secret")))
            .auth_mode(Family::Conference, AuthMode::Signature),
    );
    let e = c.report_v2(event.parse().unwrap()).await.unwrap_err();
    assert_eq!((e.kind(), e.class()), (ErrorKind::Auth, RetryClass::Fatal));
    assert_eq!(
        e.api_details().unwrap().request_ids.len(),
        2,
        "request_id and reqid"
    );
    let stats = sb.stats();
    assert_eq!(stats.requests_to("quanshi.token_create"), 1);
    assert_eq!(stats.rejections_of("quanshi.token_create", "403"), 1);
    assert_eq!(stats.requests_to("quanshi.report_v2"), 1);
    assert_eq!(stats.rejections_of("quanshi.report_v2", "403"), 1);
    // An unknown key too.
    let c = client(config_for(&sb).credentials(app(&sb, Some("someone-else"), None)));
    assert_eq!(c.report_v2(1).await.unwrap_err().kind(), ErrorKind::Auth);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_far_clock_is_reported_as_clock_skew() {
    let sb = start().await;
    let c = client(
        config_for(&sb)
            .auth_mode(Family::Conference, AuthMode::Signature)
            .clock(Arc::new(OffsetClock::new(time::Duration::minutes(10)))),
    );
    let e = c.report_v2(1).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.class()),
        (ErrorKind::ClockSkew, RetryClass::Fatal),
        "{e}"
    );
    assert!(e.hint().unwrap().contains("clock"));
    assert_eq!(sb.stats().requests_to("quanshi.report_v2"), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_revoked_token_is_replaced_once_and_the_call_succeeds() {
    let sb = start().await;
    let event = event_id(&sb, "seed-recurring");
    let c = client(config_for(&sb));
    let id: u64 = event.parse().unwrap();
    c.report_v2(id).await.unwrap();
    sb.faults()
        .inject("quanshi.report_v2", Fault::RevokeTokens, 1);
    let report = c.report_v2(id).await.unwrap();
    assert_eq!(
        report.sessions.len(),
        sb.truth().quanshi_sessions(&event).len()
    );
    let stats = sb.stats();
    assert_eq!(stats.tokens_of(SbVendor::Quanshi), 2, "one new token");
    assert_eq!(stats.rejections_of("quanshi.report_v2", "401"), 1);
    assert_eq!(stats.requests_to("quanshi.report_v2"), 3);
    assert_eq!(c.tokens_created(), 2);
    // Revoked on every call: one refresh, then a fatal Auth error.
    sb.faults()
        .inject("quanshi.report_v2", Fault::RevokeTokens, u64::MAX);
    let e = c.report_v2(id).await.unwrap_err();
    assert_eq!((e.kind(), e.class()), (ErrorKind::Auth, RetryClass::Fatal));
    assert_eq!(sb.stats().tokens_of(SbVendor::Quanshi), 3);
    assert_eq!(sb.stats().requests_to("quanshi.report_v2"), 5);
    sb.shutdown().await;
}

#[tokio::test]
async fn concurrent_calls_share_one_token() {
    let sb = start().await;
    let event: u64 = event_id(&sb, "seed-single").parse().unwrap();
    let c = client(config_for(&sb).pacer(roster_core::Pacer::per_minute(0).with_max_in_flight(8)));
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.report_v2(event).await.map(|r| r.sessions.len()) })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().unwrap() > 0);
    }
    assert_eq!(sb.stats().tokens_of(SbVendor::Quanshi), 1);
    assert_eq!(sb.stats().requests_to("quanshi.report_v2"), 40);
    no_rejections(&sb);
    sb.shutdown().await;
}

#[tokio::test]
async fn tokens_are_refreshed_before_their_ttl_runs_out() {
    let start_unix = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut config = sandbox_config();
    config.clock = ClockConfig::Manual { start_unix };
    config.quanshi.token_ttl_secs = 3_600;
    let sb = roster_testkit::start(config).await;
    let clock = ManualClock::at_unix(start_unix);
    let c = client(config_for(&sb).clock(Arc::new(clock.clone())));
    let event: u64 = event_id(&sb, "seed-single").parse().unwrap();
    let advance = |secs: u64| {
        clock.advance(Duration::from_secs(secs));
        sb.clock().advance(Duration::from_secs(secs));
    };
    c.report_v2(event).await.unwrap();
    // margin = max(600 s, 10 % of 3,600 s): refresh from 3,000 s on.
    advance(2_999);
    c.report_v2(event).await.unwrap();
    assert_eq!(sb.stats().tokens_of(SbVendor::Quanshi), 1, "still fresh");
    advance(1);
    c.report_v2(event).await.unwrap();
    assert_eq!(
        sb.stats().tokens_of(SbVendor::Quanshi),
        2,
        "refreshed before expiry"
    );
    advance(3_000);
    c.report_v2(event).await.unwrap();
    assert_eq!(sb.stats().tokens_of(SbVendor::Quanshi), 3);
    no_rejections(&sb);
    assert_eq!(
        sb.truth().quanshi_active_tokens(),
        2,
        "the old ones expire on their own"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn report_v2_sessions_match_the_truth_run_by_run() {
    let sb = start().await;
    let c = client(config_for(&sb));
    let truth = sb.truth();
    for label in ["seed-single", "seed-recurring", "small-0", "small-1"] {
        let event = event_id(&sb, label);
        let got = attendees(&c, &MeetingQuery::new(&event)).await;
        let mut sessions = truth.quanshi_sessions(&event);
        sessions.sort_by_key(|s| int(s, "onlineTime"));
        assert_sessions_match(&got, &sessions, &event);
        // One run at a time: the runs partition the sessions.
        let runs = truth.quanshi_runs(&event);
        assert!(!runs.is_empty());
        let mut total = 0;
        for run in &runs {
            let id = text(run, "tempConferenceId").unwrap();
            let one = attendees(&c, &MeetingQuery::new(&event).sub_meeting(&id)).await;
            let expected: Vec<Value> = sessions
                .iter()
                .filter(|s| text(s, "tempConferenceId").as_deref() == Some(id.as_str()))
                .cloned()
                .collect();
            assert_sessions_match(&one, &expected, &event);
            total += one.len();
        }
        assert_eq!(total, got.len(), "{label}");
    }
    let recurring = event_id(&sb, "seed-recurring");
    assert!(truth.quanshi_runs(&recurring).len() >= 3, "several runs");
    no_rejections(&sb);
    sb.shutdown().await;
}

#[tokio::test]
async fn join_time_windows_filter_client_side() {
    let sb = start().await;
    let c = client(config_for(&sb));
    let event = event_id(&sb, "seed-recurring");
    let all = attendees(&c, &MeetingQuery::new(&event)).await;
    let mid = all[all.len() / 2].joined_at.unwrap();
    let first = all[0].joined_at.unwrap();
    let before = attendees(&c, &MeetingQuery::new(&event).between(first, mid)).await;
    let after = attendees(&c, &MeetingQuery::new(&event).from(mid)).await;
    assert_eq!(before.len() + after.len(), all.len());
    assert!(before.iter().all(|a| a.joined_at.unwrap() < mid));
    assert!(after.iter().all(|a| a.joined_at.unwrap() >= mid));
    let capped = attendees(&c, &MeetingQuery::new(&event).max_items(2)).await;
    assert_eq!(capped, all[..2].to_vec());
    sb.shutdown().await;
}

#[tokio::test]
async fn report_v1_rows_are_per_person_aggregates_of_v2() {
    let sb = start().await;
    let c = client(config_for(&sb));
    let host = sb.credentials().quanshi.host_user_id;
    let truth = sb.truth();
    for label in ["seed-single", "seed-recurring"] {
        let event = event_id(&sb, label);
        let id: u64 = event.parse().unwrap();
        let rows = c.report_v1(id, host).await.unwrap();
        let truth_rows = truth.quanshi_report_v1(&event);
        assert_eq!(rows.len(), truth_rows.len(), "one row per person");
        let people = c.report_v1_attendees(id, host).await.unwrap();
        // v2 sessions grouped by person (name + email).
        let mut by_person: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
        for s in truth.quanshi_sessions(&event) {
            let key = (
                text(&s, "name").unwrap_or_default(),
                text(&s, "email").unwrap_or_default(),
            );
            by_person.entry(key).or_default().push(s);
        }
        let subject = meeting(&sb, SbVendor::Quanshi, label).subject;
        for ((a, row), t) in people.iter().zip(&rows).zip(&truth_rows) {
            assert_eq!(a.meeting_id, event);
            assert_eq!(
                row.title().as_deref(),
                Some(subject.as_str()),
                "URL-encoded title decoded"
            );
            assert_eq!(a.extra["title_decoded"], Value::String(subject.clone()));
            assert_eq!(a.extra["title"], t["title"]);
            let online = text(t, "onlineTime").unwrap();
            assert_eq!(a.joined_at, parse_utc8_text(&online), "UTC+8 wall clock");
            assert_eq!(a.extra["onlineTime"], Value::String(online));
            let key = (
                text(t, "name").unwrap_or_default(),
                text(t, "email").unwrap_or_default(),
            );
            let sessions = &by_person[&key];
            assert_eq!(int(t, "times") as usize, sessions.len());
            let first = sessions.iter().map(|s| int(s, "onlineTime")).min().unwrap();
            assert_eq!(a.joined_at.unwrap().unix_timestamp(), first, "first join");
            let open = sessions.iter().any(|s| int(s, "offlineTime") == 0);
            let last = sessions
                .iter()
                .map(|s| int(s, "offlineTime"))
                .max()
                .unwrap();
            assert_eq!(
                a.left_at.map(|l| l.unix_timestamp()),
                (!open).then_some(last),
                "last leave"
            );
            if text(t, "mobile").as_deref() == Some("-") {
                assert_eq!(row.mobile(), None);
                assert_eq!(a.extra["mobile"], "-");
            }
            assert_eq!(a.extra["watchDuration"], t["watchDuration"]);
        }
    }
    // The seed's special people: a phone-only participant and data + phone audio.
    let event = event_id(&sb, "seed-single");
    let people = c
        .report_v1_attendees(event.parse().unwrap(), host)
        .await
        .unwrap();
    let phone_only = people
        .iter()
        .find(|a| a.extra.get("ip_addresses").is_none() && a.extra.get("phone_numbers").is_some())
        .expect("a phone-only row");
    assert_eq!(phone_only.device, Some(Device::Pstn));
    assert!(phone_only.phone.is_some());
    assert!(
        people.iter().any(
            |a| a.extra.get("ip_addresses").is_some() && a.extra.get("phone_numbers").is_some()
        ),
        "an IP + phone row"
    );
    // "-" is no mobile: the phone, if any, can only come from a phone token of `ip`.
    let dashed: Vec<_> = people.iter().filter(|a| a.extra["mobile"] == "-").collect();
    assert!(!dashed.is_empty(), "a person without a mobile");
    for a in dashed {
        let from_ip = a.extra.get("phone_numbers").and_then(|p| p[0].as_str());
        assert_eq!(a.phone.as_deref(), from_ip);
    }
    no_rejections(&sb);
    sb.shutdown().await;
}

#[tokio::test]
async fn meeting_detail_by_join_link_and_its_invitees() {
    let sb = start().await;
    let c = client(config_for(&sb));
    let event = event_id(&sb, "seed-single");
    let link = join_url(&sb, "seed-single");
    let truth = sb.truth();
    let detail = truth.quanshi_meeting_detail(&event).unwrap();
    let meetings = c.meetings_by_join_url(&format!("  {link} ")).await.unwrap();
    assert_eq!(meetings.len(), 1);
    let m = &meetings[0];
    assert_eq!(m.event_id.unwrap().to_string(), event);
    assert_eq!(m.conference_id, text(&detail, "conferenceId"));
    assert_eq!(m.billing_code, text(&detail, "billingcode"), "doc spelling");
    assert_eq!(
        m.wcall_url.as_deref().map(str::to_string),
        text(&detail, "wcallurl")
    );
    assert_eq!(
        m.create_time.unwrap().unix_timestamp(),
        int(&detail, "CreateTime")
    );
    assert_eq!(
        m.start_time.unwrap().unix_timestamp(),
        int(&detail, "startTime")
    );
    assert_eq!(m.attendee_join_url.as_deref(), Some(link.as_str()));
    assert!(m.detail_house_list.is_empty());
    assert_eq!(m.cal_type.as_deref(), Some("E"));
    assert!(!m.extra.contains_key("billingcode") && !m.extra.contains_key("detailHouseList"));
    // The request carried the trimmed link exactly.
    let regs = registrations(&c, &MeetingQuery::new("").join_url(&link)).await;
    let invitees = truth.quanshi_invitees(&event);
    assert_eq!(regs.len(), invitees.len());
    for (r, t) in regs.iter().zip(&invitees) {
        assert_eq!(r.meeting_id, event);
        let letter = text(t, "status").unwrap();
        assert_eq!(r.status, Some(RegistrationStatus::from_letter(&letter)));
        assert_eq!(r.extra["userType"], t["userType"]);
        let readable = match int(t, "userType") {
            1 => "internal",
            2 => "external",
            3 => "phone",
            _ => unreachable!(),
        };
        assert_eq!(r.extra["user_type"], readable);
        assert_eq!(r.phone, text(t, "mobileNumber").filter(|s| !s.is_empty()));
        assert_eq!(r.email, text(t, "phoneEmail").filter(|s| !s.is_empty()));
        assert_eq!(r.company, text(t, "companyName").filter(|s| !s.is_empty()));
        assert_eq!(r.registration_id, text(t, "user").filter(|s| !s.is_empty()));
        let name = text(t, "displayName")
            .filter(|s| !s.trim().is_empty())
            .or_else(|| text(t, "phoneName").filter(|s| !s.trim().is_empty()));
        assert_eq!(r.display_name, name);
    }
    let statuses: Vec<_> = regs.iter().map(|r| r.status.clone().unwrap()).collect();
    for s in [
        RegistrationStatus::Confirmed,
        RegistrationStatus::Accepted,
        RegistrationStatus::Declined,
    ] {
        assert!(statuses.contains(&s), "{s}");
    }
    assert!(
        statuses
            .iter()
            .any(|s| matches!(s, RegistrationStatus::Unknown(_)))
    );
    assert!(
        regs.iter()
            .any(|r| r.extra["user_type"] == "phone" && r.display_name.is_some())
    );
    assert!(
        regs.iter()
            .any(|r| r.extra.get("userProfile") == Some(&Value::Null))
    );
    // The status filter is applied client-side.
    let approved = registrations(
        &c,
        &MeetingQuery::new("")
            .join_url(&link)
            .status(RegistrationFilter::Approved),
    )
    .await;
    assert_eq!(
        approved.len(),
        statuses
            .iter()
            .filter(|s| matches!(
                s,
                RegistrationStatus::Confirmed | RegistrationStatus::Accepted
            ))
            .count()
    );
    // Attendees can be selected by the link too.
    let by_link = attendees(&c, &MeetingQuery::new("").join_url(&link)).await;
    assert_eq!(by_link, attendees(&c, &MeetingQuery::new(&event)).await);
    no_rejections(&sb);
    sb.shutdown().await;
}

#[tokio::test]
async fn registrations_by_event_id_use_conference_infos() {
    let sb = start().await;
    let c = client(config_for(&sb));
    let host = sb.credentials().quanshi.host_user_id;
    for label in [
        "seed-single",
        "seed-recurring",
        "seed-not-started",
        "seed-cancelled",
    ] {
        let event = event_id(&sb, label);
        let by_id = registrations(&c, &MeetingQuery::new(&event)).await;
        let by_link =
            registrations(&c, &MeetingQuery::new("").join_url(join_url(&sb, label))).await;
        assert_eq!(by_id, by_link, "{label}");
        assert_eq!(by_id.len(), sb.truth().quanshi_invitees(&event).len());
        let infos = sb.truth().quanshi_conference_infos(&event).unwrap();
        let m = &c
            .conference_infos(&ConferenceKey::EventId(event.parse().unwrap()), host)
            .await
            .unwrap()[0];
        assert_eq!(
            m.billing_code,
            text(&infos, "billingCode"),
            "table spelling"
        );
        assert_eq!(
            m.wcall_url.as_deref().map(str::to_string),
            text(&infos, "wcallUrl")
        );
        assert_eq!(m.is_gnet, infos["isGnet"].as_i64());
        assert_eq!(
            m.join_host_url.as_deref().map(str::to_string),
            text(&infos, "joinHostUrl")
        );
        let pcode = text(&infos, "pcode1").unwrap();
        let by_pcode = c
            .conference_infos(&ConferenceKey::Pcode(pcode), host)
            .await
            .unwrap();
        assert_eq!(by_pcode[0].event_id, m.event_id);
    }
    // A user id that is not the host's: NotFound (docs/specs/quanshi.md §9 item 6).
    let e = c
        .conference_infos(
            &ConferenceKey::EventId(event_id(&sb, "seed-single").parse().unwrap()),
            host + 1,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    sb.shutdown().await;
}

#[tokio::test]
async fn unknown_join_links_are_not_found_both_ways() {
    let sb = start().await;
    let c = client(config_for(&sb));
    let e = c
        .meetings_by_join_url("https://mtest.qsh1.cn/k/nope")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "an empty result");
    let mut config = sandbox_config();
    config.quanshi.join_url_not_found_error = true;
    let sb2 = roster_testkit::start(config).await;
    let c2 = client(config_for(&sb2));
    let e = c2
        .meetings_by_join_url("https://mtest.qsh1.cn/k/nope")
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::NotFound, Some(404))
    );
    assert_eq!(e.api_details().unwrap().request_ids.len(), 2);
    sb.shutdown().await;
    sb2.shutdown().await;
}

#[tokio::test]
async fn bad_join_links_make_no_request() {
    let sb = start().await;
    let c = client(config_for(&sb));
    for bad in [
        "ftp://mtest.qsh1.cn/k/mkIW3Txa0Uk",
        "/k/mkIW3Txa0Uk",
        "k/mkIW3Txa0Uk",
        "https://mtest.qsh1.cn/k/mk IW3",
        "https://mtest .qsh1.cn/k/x",
        "",
        "   ",
        "javascript:alert(document.cookie)",
    ] {
        let e = c.meetings_by_join_url(bad).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
        let e = c
            .registrations(&MeetingQuery::new("").join_url(bad))
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
        let e = c
            .attendees(&MeetingQuery::new("").join_url(bad))
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
    }
    // No path configured: a configuration error, no request either.
    let unset = config_for(&sb).paths(roster_quanshi::Paths::default());
    let e = client(unset)
        .meetings_by_join_url(&join_url(&sb, "seed-single"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert_eq!(
        sb.stats().total_requests(),
        0,
        "{:?}",
        sb.stats().raw_targets
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn terminals_page_through_a_live_meeting() {
    let sb = start().await;
    let event = event_id(&sb, "seed-live");
    let id: u64 = event.parse().unwrap();
    let truth = sb.truth().quanshi_terminals(&event);
    assert!(
        truth.len() > 100,
        "more terminals than one page: {}",
        truth.len()
    );
    for count in [100u32, 20, 7] {
        sb.reset_stats();
        let c = client(config_for(&sb).attendee_list_page_size(count));
        let items: Vec<_> = c
            .terminals(id)
            .unwrap()
            .items()
            .try_collect()
            .await
            .unwrap();
        let got: Vec<_> = items
            .iter()
            .map(|t| t.temp_user_id.clone().unwrap())
            .collect();
        let expected: Vec<_> = truth
            .iter()
            .map(|t| text(t, "tempUserId").unwrap())
            .collect();
        assert_eq!(
            got, expected,
            "each terminal exactly once, in order (count {count})"
        );
        let pages =
            truth.len().div_ceil(count as usize) + usize::from(truth.len() % count as usize == 0);
        assert_eq!(
            sb.stats().requests_to("quanshi.attendee_list") as usize,
            pages,
            "count {count}"
        );
        no_rejections(&sb);
    }
    let c = client(config_for(&sb));
    let people = c.terminal_attendees(id).await.unwrap();
    assert_eq!(people.len(), truth.len());
    for (a, t) in people.iter().zip(&truth) {
        assert_eq!(a.meeting_id, event);
        assert_eq!(a.temp_id, text(t, "tempUserId"));
        assert_eq!(a.network, text(t, "netType").filter(|s| !s.is_empty()));
        assert_eq!(a.extra["role"], t["role"]);
        assert!(a.joined_at.is_none());
    }
    assert!(people.iter().any(|a| a.device == Some(Device::Pstn)));
    // An ended meeting has nobody in it.
    let ended: u64 = event_id(&sb, "seed-single").parse().unwrap();
    assert!(c.terminal_attendees(ended).await.unwrap().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn error_envelopes_of_both_families() {
    let sb = start().await;
    let event: u64 = event_id(&sb, "seed-single").parse().unwrap();
    let c = client(config_for(&sb));
    c.report_v2(event).await.unwrap();
    let cases = [
        (404, ErrorKind::NotFound),
        (400, ErrorKind::InvalidArgument),
        (12_345, ErrorKind::Api),
    ];
    for (code, kind) in cases {
        sb.faults()
            .inject("quanshi.report_v2", Fault::VendorCode(code), 1);
        let e = c.report_v2(event).await.unwrap_err();
        assert_eq!(
            (e.kind(), e.class(), e.vendor_code()),
            (kind, RetryClass::Fatal, Some(code))
        );
        let ids = &e.api_details().unwrap().request_ids;
        assert!(
            ids.iter().any(|i| i.starts_with("uniformserver")),
            "{ids:?}"
        );
        assert!(
            ids.iter().any(|i| i.starts_with("confopenapiserver")),
            "{ids:?}"
        );
        assert_eq!(e.http_status(), Some(200));
    }
    // eventopenapi: token/create refusing with a code.
    let fresh = client(config_for(&sb));
    sb.faults()
        .inject("quanshi.token_create", Fault::VendorCode(400), 1);
    let e = fresh.report_v2(event).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::InvalidArgument, Some(400))
    );
    assert_eq!(e.api_details().unwrap().request_ids.len(), 1, "requestId");
    // Transient codes and HTTP failures are retried; so are cut bodies.
    for fault in [
        Fault::VendorTransient,
        Fault::Http(502),
        Fault::Http(503),
        Fault::Truncate,
        Fault::Drop,
    ] {
        sb.reset_stats();
        sb.faults().inject("quanshi.report_v2", fault.clone(), 2);
        let report = c.report_v2(event).await.unwrap();
        assert!(!report.sessions.is_empty());
        assert_eq!(sb.stats().requests_to("quanshi.report_v2"), 3, "{fault:?}");
    }
    sb.faults()
        .inject("quanshi.token_create", Fault::VendorTransient, 1);
    assert!(client(config_for(&sb)).report_v2(event).await.is_ok());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_twice_then_surfaced() {
    let start_unix = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut config = sandbox_config();
    config.clock = ClockConfig::Manual { start_unix };
    config.quanshi.per_minute = Some(2);
    let sb = roster_testkit::start(config).await;
    let clock = ManualClock::at_unix(start_unix);
    let c = client(
        config_for(&sb)
            .auth_mode(Family::Conference, AuthMode::Signature)
            .retry_policy(roster_core::RetryPolicy::default())
            .clock(Arc::new(clock.clone())),
    );
    let event: u64 = event_id(&sb, "seed-single").parse().unwrap();
    c.report_v2(event).await.unwrap();
    c.report_v2(event).await.unwrap();
    // The sandbox's minute does not move while our clock sleeps: the retry is refused too.
    let e = c.report_v2(event).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code()),
        (ErrorKind::RateLimited, Some(429))
    );
    assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2, "two waits, as on every vendor");
    assert!(sleeps.iter().all(|s| *s >= Duration::from_secs(60)));
    assert_eq!(sb.stats().requests_to("quanshi.report_v2"), 5);
    // In the next minute the budget is back.
    sb.clock().advance(Duration::from_secs(60));
    clock.advance(Duration::from_secs(60));
    c.report_v2(event).await.unwrap();
    sb.shutdown().await;
}

#[tokio::test]
async fn response_quirks_decode_to_the_same_records() {
    let sb = start().await;
    let c = client(config_for(&sb));
    let host = sb.credentials().quanshi.host_user_id;
    let event = event_id(&sb, "seed-recurring");
    let id: u64 = event.parse().unwrap();
    let link = join_url(&sb, "seed-recurring");
    let live: u64 = event_id(&sb, "seed-live").parse().unwrap();
    type Key = (
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<Role>,
        Option<Device>,
    );
    let key = |a: &Attendee| -> Key {
        (
            a.meeting_id.clone(),
            a.sub_meeting_id.clone(),
            a.display_name.clone(),
            a.joined_at.map(|t| t.unix_timestamp()),
            a.left_at.map(|t| t.unix_timestamp()),
            a.role,
            a.device,
        )
    };
    async fn snapshot(
        c: &QuanshiClient,
        event: &str,
        id: u64,
        host: u64,
        link: &str,
        live: u64,
        key: impl Fn(&Attendee) -> Key,
    ) -> (
        Vec<Key>,
        Vec<Key>,
        Vec<Registration>,
        Vec<Registration>,
        Vec<Option<String>>,
    ) {
        let v2 = attendees(c, &MeetingQuery::new(event))
            .await
            .iter()
            .map(&key)
            .collect();
        let v1 = c
            .report_v1_attendees(id, host)
            .await
            .unwrap()
            .iter()
            .map(&key)
            .collect();
        let by_link = registrations(c, &MeetingQuery::new("").join_url(link)).await;
        let by_id = registrations(c, &MeetingQuery::new(event)).await;
        let terminals = c
            .terminal_attendees(live)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.temp_id)
            .collect();
        (v2, v1, by_link, by_id, terminals)
    }
    let plain = snapshot(&c, &event, id, host, &link, live, key).await;
    assert!(!plain.0.is_empty() && !plain.1.is_empty() && !plain.2.is_empty());
    for quirk in [Quirk::ResultAsString, Quirk::StatusTypo, Quirk::FlipTypes] {
        sb.faults().clear();
        sb.faults()
            .inject("quanshi.*", Fault::Quirk(quirk), u64::MAX);
        let fresh = client(config_for(&sb));
        let quirky = snapshot(&fresh, &event, id, host, &link, live, key).await;
        assert_eq!(quirky.0, plain.0, "{quirk:?} v2");
        assert_eq!(quirky.1, plain.1, "{quirk:?} v1");
        assert_eq!(quirky.2.len(), plain.2.len(), "{quirk:?} invitees");
        for (a, b) in quirky.2.iter().zip(&plain.2) {
            assert_eq!(
                (&a.registration_id, &a.status, &a.phone),
                (&b.registration_id, &b.status, &b.phone)
            );
        }
        assert_eq!(quirky.3.len(), plain.3.len(), "{quirk:?}");
        assert_eq!(quirky.4, plain.4, "{quirk:?} terminals");
        assert!(sb.stats().faults_of(&format!("quirk:{}", quirk.as_str())) > 0);
    }
    no_rejections(&sb);
    sb.shutdown().await;
}

#[tokio::test]
async fn pacing_is_on_by_default_and_configurable() {
    // The pacer runs on the real clock, so this measures real time, but only lower bounds:
    // a paced call past the burst cannot finish before its slot, however slow the machine.
    let sb = start().await;
    let event: u64 = event_id(&sb, "seed-single").parse().unwrap();
    let signed = |config: QuanshiClientBuilder| {
        // Signed calls: one pacing slot per call (no token/create).
        client(config.auth_mode(Family::Conference, AuthMode::Signature))
    };
    let mut default = QuanshiClient::builder(app(&sb, None, None))
        .base_url(sb.base_url())
        .events_base_url(sb.base_url());
    let pacer = default.options_mut().pacer();
    assert_eq!(
        (pacer.calls_per_minute(), pacer.max_in_flight()),
        (Some(120), Some(4))
    );
    // 120 a minute: a burst of two, then one call every 500 ms.
    let c = signed(default);
    c.report_v2(event).await.unwrap();
    c.report_v2(event).await.unwrap();
    let started = std::time::Instant::now();
    c.report_v2(event).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(450),
        "the third call waits for its slot: {waited:?}"
    );
    // 80 a minute, as configured: a burst of one, then one call every 750 ms (longer than the
    // default's 500 ms, so this is the configured rate at work).
    let c = signed(config_for(&sb).pacer(roster_core::Pacer::per_minute(80).with_max_in_flight(1)));
    c.report_v2(event).await.unwrap();
    let started = std::time::Instant::now();
    c.report_v2(event).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(700),
        "the second call waits for its slot: {waited:?}"
    );
    no_rejections(&sb);
    sb.shutdown().await;
}

#[tokio::test]
async fn token_create_failures_never_carry_the_body() {
    let sb = start().await;
    let event: u64 = event_id(&sb, "seed-single").parse().unwrap();
    // Cut once: retried, then fine.
    sb.faults()
        .inject("quanshi.token_create", Fault::Truncate, 1);
    client(config_for(&sb)).report_v2(event).await.unwrap();
    // Cut every time: a Decode error without a body snippet (it could hold the token).
    sb.faults()
        .inject("quanshi.token_create", Fault::Truncate, u64::MAX);
    let e = client(config_for(&sb)).report_v2(event).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert!(e.body_snippet().is_none());
    assert!(!format!("{e:?}").contains("data"), "{e:?}");
    assert_eq!(sb.stats().requests_to("quanshi.token_create"), 2 + 4);
    sb.shutdown().await;
}
