//! Shared helpers of the sandbox tests.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use roster_core::{Attendee, ManualClock, RecordStream, RetryPolicy, SharedClock};
use roster_sandbox::{
    CatalogMeeting, ClockConfig, SandboxConfig, SandboxHandle, Vendor as SbVendor,
};
pub use roster_wecom::{ClientBuilder, Credentials, WeComClient, WeComClientBuilder};
use serde_json::Value;

/// The sandbox's manual clock start (and the client's).
pub const T0: i64 = 1_760_000_400;

/// A sandbox with lean data (seed meetings, two small generated ones, no large meeting).
pub async fn sandbox_with(tweak: impl FnOnce(&mut SandboxConfig)) -> SandboxHandle {
    let mut config = roster_testkit::lean_config(SandboxConfig::default().seed);
    tweak(&mut config);
    roster_testkit::start(config).await
}

/// A lean sandbox on the system clock.
pub async fn sandbox() -> SandboxHandle {
    sandbox_with(|_| {}).await
}

/// A lean sandbox on a manual clock at [`T0`].
pub async fn manual_sandbox(tweak: impl FnOnce(&mut SandboxConfig)) -> SandboxHandle {
    sandbox_with(|c| {
        c.clock = ClockConfig::Manual { start_unix: T0 };
        tweak(c);
    })
    .await
}

/// Retries with a 1 ms backoff, no jitter wait on rate limits, one rate-limit wait (these tests
/// count the waits).
pub fn fast_policy() -> RetryPolicy {
    roster_testkit::fast_policy().with_max_rate_limit_waits(1)
}

/// A client configuration for `sb`: no pacing, fast retries.
pub fn config(sb: &SandboxHandle) -> WeComClientBuilder {
    let creds = sb.credentials().wecom;
    WeComClient::builder(Credentials::new(creds.corp_id, creds.corp_secret))
        .base_url(sb.base_url())
        .pacer(roster_core::Pacer::unlimited())
        .retry_policy(fast_policy())
        .rate_limit_wait(Duration::from_millis(2))
}

/// A client for `sb` with [`config`].
pub fn client(sb: &SandboxHandle) -> WeComClient {
    config(sb).build().expect("client builds")
}

/// A manual client clock at [`T0`].
pub fn manual_clock() -> (ManualClock, SharedClock) {
    let c = ManualClock::at_unix(T0);
    let shared: SharedClock = Arc::new(c.clone());
    (c, shared)
}

/// A client clock that stays at [`T0`] (waits return at once and do not move it).
pub fn frozen_clock() -> roster_testkit::FrozenClock {
    roster_testkit::FrozenClock(time::OffsetDateTime::from_unix_timestamp(T0).unwrap())
}

/// A seed meeting of the WeCom emulator.
pub fn meeting(sb: &SandboxHandle, label: &str) -> CatalogMeeting {
    roster_testkit::meeting(sb, SbVendor::WeCom, label)
}

/// Collects a record stream, failing on the first error.
pub async fn collect<T>(stream: RecordStream<T>) -> Vec<T> {
    stream.try_collect().await.expect("the stream completes")
}

/// `(tmp_openid, join_time)` of a truth row.
pub fn row_key(row: &Value) -> (String, i64) {
    let tmp = row["tmp_openid"].as_str().unwrap_or_default().to_string();
    let join = match &row["join_time"] {
        Value::String(s) => s.parse().unwrap_or(0),
        Value::Number(n) => n.as_i64().unwrap_or(0),
        _ => 0,
    };
    (tmp, join)
}

/// `(temp_id, joined_at)` of an attendee.
pub fn attendee_key(a: &Attendee) -> (String, i64) {
    (
        a.temp_id.clone().unwrap_or_default(),
        a.joined_at.map(|t| t.unix_timestamp()).unwrap_or(0),
    )
}

/// How many times each key occurs.
pub fn counts<K: Ord>(keys: impl IntoIterator<Item = K>) -> BTreeMap<K, usize> {
    let mut m = BTreeMap::new();
    for k in keys {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}
