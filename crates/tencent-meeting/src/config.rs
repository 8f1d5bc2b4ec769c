//! Credentials and client configuration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use roster_core::{
    HttpConfig, Pacer, Result, RetryPolicy, SettingLookup, SharedClock, SystemClock,
};

use crate::auth::{Authenticator, Credentials};

/// Records one participants query (meeting, sub-meeting, window) returns over all its pages
/// at most.
pub const RECORD_CAP: u64 = 50_000;

/// The production API host (official SDK constant `OpenAPIDomain`).
pub const DEFAULT_BASE_URL: &str = "https://api.meeting.qq.com";

/// Default client-side pace: 240 calls per minute per AppId, 80 % of the documented
/// 300 calls/minute/app limit (docs/specs/tencent-meeting.md §7).
pub const DEFAULT_CALLS_PER_MINUTE: u32 = 240;

/// Largest participants page (`size`) the vendor serves (docs/specs/tencent-meeting.md §4.1).
pub const MAX_PARTICIPANTS_PAGE_SIZE: u32 = 100;

/// Largest enrollment page (`page_size`): the stricter of the documented 50 and 300 (docs/specs/tencent-meeting.md §4.3).
pub const MAX_ENROLL_PAGE_SIZE: u32 = 50;

/// The caller device type sent as `instanceid` (docs/specs/tencent-meeting.md §4: `1`, PC).
pub const INSTANCE_ID: i64 = 1;

/// How far back the participants query looks when the caller gives no range and the meeting
/// detail does not tell when the meeting was scheduled (90 days, the vendor's own maximum span
/// without parameters).
pub const DEFAULT_LOOKBACK: Duration = Duration::from_secs(90 * 86_400);

/// How far before the scheduled start the default participants range begins (one day: people
/// join early, instant meetings have a start equal to their creation).
pub const DEFAULT_EARLY_JOIN: Duration = Duration::from_secs(86_400);

/// Environment variable names read by [`ClientBuilder::from_env`].
pub mod env {
    /// Enterprise id (`AppId`), required.
    pub const APP_ID: &str = "ROSTER_TENCENT_APP_ID";
    /// Application id (`SdkId`), only if one was assigned.
    pub const SDK_ID: &str = "ROSTER_TENCENT_SDK_ID";
    /// `SecretId`, required.
    pub const SECRET_ID: &str = "ROSTER_TENCENT_SECRET_ID";
    /// `SecretKey`, required.
    pub const SECRET_KEY: &str = "ROSTER_TENCENT_SECRET_KEY";
    /// The creator's or an enterprise admin's userid, required.
    pub const OPERATOR_ID: &str = "ROSTER_TENCENT_OPERATOR_ID";
    /// Base URL override (default the production host).
    pub const BASE_URL: &str = "ROSTER_TENCENT_BASE_URL";
    /// Calls per minute per AppId (`0`: unlimited; default 240).
    pub const CALLS_PER_MINUTE: &str = "ROSTER_TENCENT_CALLS_PER_MINUTE";

    /// Every variable [`crate::ClientBuilder::from_lookup`] reads (a `roster.toml` key
    /// outside it is a typo).
    pub const ALL: [&str; 7] = [
        APP_ID,
        SDK_ID,
        SECRET_ID,
        SECRET_KEY,
        OPERATOR_ID,
        BASE_URL,
        CALLS_PER_MINUTE,
    ];
}

/// Everything a [`crate::TencentMeetingClient`] is built from. Build it with
/// [`crate::TencentMeetingClient::builder`].
#[derive(Clone)]
pub struct ClientBuilder {
    pub(crate) credentials: Credentials,
    pub(crate) authenticator: Option<Arc<dyn Authenticator>>,
    pub(crate) operator_id: Option<String>,
    pub(crate) base_url: String,
    pub(crate) version: Option<String>,
    pub(crate) http: HttpConfig,
    pub(crate) retry: RetryPolicy,
    pub(crate) pacer: Option<Pacer>,
    pub(crate) clock: SharedClock,
    pub(crate) legacy_userid_param: bool,
    pub(crate) participants_page_size: u32,
    pub(crate) enroll_page_size: u32,
    pub(crate) window_concurrency: usize,
    pub(crate) default_lookback: Duration,
    pub(crate) record_cap: u64,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("authenticator", &self.authenticator)
            .field("operator_id", &self.operator_id)
            .field("base_url", &self.base_url)
            .field("version", &self.version)
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("pacer", &self.pacer)
            .field("clock", &self.clock)
            .field("legacy_userid_param", &self.legacy_userid_param)
            .field("participants_page_size", &self.participants_page_size)
            .field("enroll_page_size", &self.enroll_page_size)
            .field("window_concurrency", &self.window_concurrency)
            .field("default_lookback", &self.default_lookback)
            .field("record_cap", &self.record_cap)
            .finish()
    }
}

impl ClientBuilder {
    /// A builder with defaults: production host, 240 calls/minute, the default retry policy,
    /// the system clock, 100 participants and 50 enrollments per page.
    pub fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            authenticator: None,
            operator_id: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            version: None,
            http: HttpConfig::default(),
            retry: RetryPolicy::default(),
            pacer: None,
            clock: Arc::new(SystemClock),
            legacy_userid_param: false,
            participants_page_size: MAX_PARTICIPANTS_PAGE_SIZE,
            enroll_page_size: MAX_ENROLL_PAGE_SIZE,
            window_concurrency: 1,
            default_lookback: DEFAULT_LOOKBACK,
            record_cap: RECORD_CAP,
        }
    }

    /// A builder from the `ROSTER_TENCENT_*` environment variables ([`mod@env`]). Fails with a
    /// [`roster_core::ErrorKind::Config`] error naming the first missing required variable.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Self::from_env`] with another source of variables (for tests and config files).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let settings = SettingLookup::new(lookup);
        let require = |name: &str| {
            settings.require(name).map_err(|e| {
                e.with_hint("set the Tencent Meeting AppId, SecretId, SecretKey and operator userid (ROSTER_TENCENT_*)")
            })
        };
        let app_id = require(env::APP_ID)?;
        let secret_id = require(env::SECRET_ID)?;
        let secret_key = require(env::SECRET_KEY)?;
        let operator = require(env::OPERATOR_ID)?;
        let mut credentials = Credentials::new(app_id, secret_id, secret_key);
        if let Some(sdk) = settings.get(env::SDK_ID) {
            credentials = credentials.with_sdk_id(sdk);
        }
        let mut builder = Self::new(credentials).operator_id(operator);
        if let Some(url) = settings.get(env::BASE_URL) {
            builder = builder.base_url(url);
        }
        if let Some(calls) = settings.calls_per_minute(env::CALLS_PER_MINUTE)? {
            builder = builder.calls_per_minute(calls);
        }
        Ok(builder)
    }

    /// The userid requests are made as: the meeting creator or an enterprise super-admin
    /// (`userid` / `operator_id` parameters). Required.
    pub fn operator_id(mut self, userid: impl Into<String>) -> Self {
        self.operator_id = Some(userid.into());
        self
    }

    /// Overrides the base URL (`http://127.0.0.1:<port>` for the sandbox). A path prefix is
    /// kept and signed.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sends `X-TC-Version` (the app version, "建议设置").
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// HTTP timeouts and user agent.
    pub fn http(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }

    /// Retry policy (tests use tiny backoffs).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Client-side pacing. The default is [`Pacer::per_minute`]`(`[`DEFAULT_CALLS_PER_MINUTE`]`)`.
    /// The vendor counts calls per AppId: clients sharing an AppId should share one `Pacer`
    /// (clones share their budget). [`Pacer::unlimited`] disables pacing.
    pub fn pacer(mut self, pacer: Pacer) -> Self {
        self.pacer = Some(pacer);
        self
    }

    /// Calls per minute (shorthand for [`Self::pacer`]; `0` disables pacing).
    pub fn calls_per_minute(mut self, calls: u32) -> Self {
        self.pacer = Some(Pacer::per_minute(calls));
        self
    }

    /// The clock timestamps, default ranges, rate-limit waits and backoff sleeps use.
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Uses the older `?userid=…&instanceid=1` form for meeting detail instead of
    /// `operator_id`/`operator_id_type`.
    pub fn legacy_userid_param(mut self, legacy: bool) -> Self {
        self.legacy_userid_param = legacy;
        self
    }

    /// Participants per page, `1..=100` (default 100). Checked by `build`.
    pub fn participants_page_size(mut self, size: u32) -> Self {
        self.participants_page_size = size;
        self
    }

    /// Enrollments per page, `1..=50` (default 50). Checked by `build`.
    pub fn enroll_page_size(mut self, size: u32) -> Self {
        self.enroll_page_size = size;
        self
    }

    /// How many ≤ 31-day windows of a long range are queried at once (default 1).
    pub fn window_concurrency(mut self, n: usize) -> Self {
        self.window_concurrency = n.max(1);
        self
    }

    /// How far back attendance is read when neither a range nor the meeting's schedule is
    /// known (default [`DEFAULT_LOOKBACK`]).
    pub fn default_lookback(mut self, lookback: Duration) -> Self {
        self.default_lookback = lookback;
        self
    }

    /// Records one participants query returns at most (default
    /// [`RECORD_CAP`], the vendor's 50,000). Only change it to match a
    /// server with another cap (the sandbox's is configurable).
    pub fn participants_record_cap(mut self, cap: u64) -> Self {
        self.record_cap = cap.max(1);
        self
    }

    /// Replaces AK/SK signing with another scheme (for a future OAuth implementation, or tests).
    pub fn authenticator(mut self, authenticator: Arc<dyn Authenticator>) -> Self {
        self.authenticator = Some(authenticator);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::ErrorKind;
    use std::collections::HashMap;

    #[test]
    fn debug_hides_secrets() {
        let c = Credentials::new("app-1", "the-secret-id", "the-secret-key").with_sdk_id("sdk-1");
        let b = ClientBuilder::new(c.clone()).operator_id("owner1");
        for shown in [format!("{c:?}"), format!("{b:?}"), format!("{b:#?}")] {
            assert!(!shown.contains("the-secret-id"), "{shown}");
            assert!(!shown.contains("the-secret-key"), "{shown}");
            assert!(shown.contains("app-1") && shown.contains("sdk-1"));
        }
    }

    #[test]
    fn from_lookup_names_the_missing_variable() {
        let mut vars: HashMap<&str, &str> = HashMap::from([
            (env::APP_ID, "app"),
            (env::SECRET_ID, "sid"),
            (env::SECRET_KEY, "skey"),
            (env::OPERATOR_ID, "owner1"),
        ]);
        let b = ClientBuilder::from_lookup(|n| vars.get(n).map(|v| v.to_string())).unwrap();
        assert_eq!(b.operator_id.as_deref(), Some("owner1"));
        assert_eq!(b.base_url, DEFAULT_BASE_URL);
        assert_eq!(b.credentials.sdk_id(), None);

        vars.insert(env::SDK_ID, "sdk");
        vars.insert(env::BASE_URL, "http://127.0.0.1:9");
        let b = ClientBuilder::from_lookup(|n| vars.get(n).map(|v| v.to_string())).unwrap();
        assert_eq!(b.credentials.sdk_id(), Some("sdk"));
        assert_eq!(b.base_url, "http://127.0.0.1:9");
        assert!(b.pacer.is_none(), "default pacing unless configured");

        vars.insert(env::CALLS_PER_MINUTE, "3000");
        let b = ClientBuilder::from_lookup(|n| vars.get(n).map(|v| v.to_string())).unwrap();
        assert_eq!(
            b.pacer.as_ref().and_then(|p| p.calls_per_minute()),
            Some(3000)
        );
        vars.insert(env::CALLS_PER_MINUTE, "0");
        let b = ClientBuilder::from_lookup(|n| vars.get(n).map(|v| v.to_string())).unwrap();
        assert_eq!(
            b.pacer.as_ref().map(|p| p.calls_per_minute()),
            Some(None),
            "0: unlimited"
        );
        vars.insert(env::CALLS_PER_MINUTE, "-1");
        assert!(ClientBuilder::from_lookup(|n| vars.get(n).map(|v| v.to_string())).is_err());
        vars.remove(env::CALLS_PER_MINUTE);

        for missing in [
            env::APP_ID,
            env::SECRET_ID,
            env::SECRET_KEY,
            env::OPERATOR_ID,
        ] {
            let mut v = vars.clone();
            v.insert(missing, " ");
            let e = ClientBuilder::from_lookup(|n| v.get(n).map(|x| x.to_string())).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config);
            assert!(e.to_string().contains(missing), "{e}");
            assert!(!format!("{e:?}").contains("skey"));
        }
    }

    #[test]
    fn phone_hash_of_the_fixture() {
        let c = Credentials::new("app", "aSecretId", "k");
        assert_eq!(
            c.phone_hash("13800138000"),
            "6B6537A68B7BB5E7DC051547CCB5AE394BDB02D660E393F695E9AB3DC038AC36"
        );
    }
}
