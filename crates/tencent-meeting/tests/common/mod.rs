//! Shared set-up of the Tencent client tests against the sandbox: a lean sandbox, fast
//! clients, and ground-truth comparisons. Every test file uses it with `use common::*`.

#![allow(dead_code, unused_imports)]

pub use std::collections::HashSet;
pub use std::sync::{Arc, Mutex};
pub use std::time::Duration;

pub use async_trait::async_trait;
pub use futures::{StreamExt, TryStreamExt};
pub use reqwest::header::HeaderMap;
pub use roster_core::{
    Attendee, AttendeeSource, ErrorKind, ManualClock, MeetingQuery, OffsetClock, Pacer, Paginator,
    RegistrationFilter, RegistrationStatus, Result, RetryPolicy, Window,
};
pub use roster_sandbox::{
    CatalogMeeting, DataConfig, Fault, Quirk, Sandbox, SandboxConfig, SandboxHandle, TencentConfig,
    Vendor,
};
pub use roster_tencent_meeting::{
    AkSkAuthenticator, Authenticator, ClientBuilder, Credentials, ParticipantsParams,
    RequestToSign, TencentMeetingClient, TencentMeetingClientBuilder,
};
pub use serde_json::Value;
pub use time::OffsetDateTime;

pub const P: &str = "tencent.participants";
pub const DETAIL: &str = "tencent.meeting_detail";
pub const ENROLL: &str = "tencent.enroll_approvals";
pub const WEBINAR_ENROLL: &str = "tencent.webinar_enroll_approvals";
pub const INVITEES: &str = "tencent.invitees";

/// A sandbox without large meetings and with limits no test reaches by accident.
pub fn config() -> SandboxConfig {
    roster_testkit::lean_config(SandboxConfig::default().seed)
}

pub use roster_testkit::start;

pub fn credentials(sb: &SandboxHandle, app: usize) -> Credentials {
    let c = &sb.credentials().tencent_apps[app];
    let mut creds = Credentials::new(&c.app_id, &c.secret_id, &c.secret_key);
    if let Some(sdk) = &c.sdk_id {
        creds = creds.with_sdk_id(sdk);
    }
    creds
}

/// Fast settings: no pacing, tiny backoff.
pub fn builder(sb: &SandboxHandle) -> TencentMeetingClientBuilder {
    TencentMeetingClient::builder(credentials(sb, 0))
        .operator_id(sb.credentials().tencent.userid)
        .base_url(sb.base_url())
        .pacer(Pacer::unlimited())
        .retry_policy(roster_testkit::fast_policy())
}

pub fn client(sb: &SandboxHandle) -> TencentMeetingClient {
    builder(sb).build().expect("client builds")
}

pub fn meeting(sb: &SandboxHandle, label: &str) -> CatalogMeeting {
    roster_testkit::meeting(sb, Vendor::Tencent, label)
}

/// `(ms_open_id, join_time, instanceid)` of a ground-truth row.
pub fn truth_key(v: &Value) -> (String, i64, i64) {
    let id = v["ms_open_id"].as_str().unwrap_or_default().to_string();
    let join = match &v["join_time"] {
        Value::String(s) => s.parse().unwrap_or(-1),
        Value::Number(n) => n.as_i64().unwrap_or(-1),
        _ => -1,
    };
    (id, join, v["instanceid"].as_i64().unwrap_or(-1))
}

pub fn attendee_key(a: &Attendee) -> (String, i64, i64) {
    (
        a.temp_id.clone().unwrap_or_default(),
        a.joined_at
            .map(OffsetDateTime::unix_timestamp)
            .unwrap_or(-1),
        a.device.map(|d| d.code()).unwrap_or(-1),
    )
}

/// Asserts that `got` holds every truth row exactly once.
pub fn assert_exactly_once(got: &[Attendee], truth: &[Value]) {
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

pub fn participant_targets(sb: &SandboxHandle) -> Vec<String> {
    sb.stats()
        .raw_targets
        .into_iter()
        .filter(|t| t.contains("/participants"))
        .collect()
}

pub fn query_param<'a>(target: &'a str, name: &str) -> Option<&'a str> {
    let q = target.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then_some(v)
    })
}
