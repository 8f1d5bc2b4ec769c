//! Credentials and client configuration.

use std::sync::Arc;
use std::time::Duration;

use roster_core::{ClientOptions, Pacer};

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

/// Largest enrollment page (`page_size`) of the meeting and webinar enrollment lists, and the
/// default: 300, confirmed on both live pages (docs/specs/tencent-meeting.md §12.1, §12.2; only
/// an SDK comment says 50, which [`crate::TencentMeetingClientBuilder::enroll_page_size`] can
/// still set).
pub const MAX_ENROLL_PAGE_SIZE: u32 = 300;

/// The caller device type sent as `instanceid` (docs/specs/tencent-meeting.md §4: `1`, PC).
pub const INSTANCE_ID: i64 = 1;

/// How far back the participants query looks when the caller gives no range and the meeting
/// detail does not tell when the meeting was scheduled (90 days, the vendor's own maximum span
/// without parameters).
pub const DEFAULT_LOOKBACK: Duration = Duration::from_secs(90 * 86_400);

/// How far before the scheduled start the default participants range begins (one day: people
/// join early, instant meetings have a start equal to their creation).
pub const DEFAULT_EARLY_JOIN: Duration = Duration::from_secs(86_400);

/// Setting (environment variable) names read by [`roster_core::ClientBuilder::from_env`].
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
    /// Retries of a transient failure per call (default 8, within 2 minutes).
    pub const MAX_RETRIES: &str = "ROSTER_TENCENT_MAX_RETRIES";
    /// Calls per minute of the account's meeting list, `/v1/corp/meetings`, which has a limit
    /// of its own (`0`: unlimited; default 80).
    pub const CORP_MEETINGS_PER_MINUTE: &str = "ROSTER_TENCENT_CORP_MEETINGS_PER_MINUTE";
    /// The prefix of every Tencent Meeting setting.
    pub const PREFIX: &str = "ROSTER_TENCENT";

    /// Every variable [`roster_core::ClientBuilder::from_lookup`] reads (a `roster.toml` key outside it
    /// is a typo).
    pub const ALL: [&str; 9] = [
        APP_ID,
        SDK_ID,
        SECRET_ID,
        SECRET_KEY,
        OPERATOR_ID,
        BASE_URL,
        CALLS_PER_MINUTE,
        MAX_RETRIES,
        CORP_MEETINGS_PER_MINUTE,
    ];
}

/// Everything a [`crate::TencentMeetingClient`] is built from: credentials, the shared
/// [`ClientOptions`] (set through [`roster_core::ClientBuilder`]'s provided methods) and Tencent Meeting's
/// own settings. Start from [`crate::TencentMeetingClient::builder`] or
/// [`roster_core::ClientBuilder::from_env`].
#[derive(Debug, Clone)]
pub struct TencentMeetingClientBuilder {
    pub(crate) credentials: Credentials,
    pub(crate) authenticator: Option<Arc<dyn Authenticator>>,
    pub(crate) operator_id: Option<String>,
    pub(crate) options: ClientOptions,
    pub(crate) version: Option<String>,
    pub(crate) legacy_userid_param: bool,
    pub(crate) participants_page_size: u32,
    pub(crate) enroll_page_size: u32,
    pub(crate) window_concurrency: usize,
    pub(crate) default_lookback: Duration,
    pub(crate) record_cap: u64,
    pub(crate) corp_pacer: Option<Pacer>,
    pub(crate) corp_page_size: u32,
}

impl TencentMeetingClientBuilder {
    /// A builder with defaults: production host, 240 calls/minute, the default retry policy,
    /// the system clock, 100 participants and 300 enrollments per page.
    pub fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            authenticator: None,
            operator_id: None,
            options: ClientOptions::new(
                DEFAULT_BASE_URL,
                Pacer::per_minute(DEFAULT_CALLS_PER_MINUTE),
            ),
            version: None,
            legacy_userid_param: false,
            participants_page_size: MAX_PARTICIPANTS_PAGE_SIZE,
            enroll_page_size: MAX_ENROLL_PAGE_SIZE,
            window_concurrency: 1,
            default_lookback: DEFAULT_LOOKBACK,
            record_cap: RECORD_CAP,
            corp_pacer: None,
            corp_page_size: crate::corp::MAX_CORP_PAGE_SIZE,
        }
    }

    /// The userid requests are made as: the meeting creator or an enterprise super-admin
    /// (`userid` / `operator_id` parameters). Required.
    pub fn operator_id(mut self, userid: impl Into<String>) -> Self {
        self.operator_id = Some(userid.into());
        self
    }

    /// Sends `X-TC-Version` (the app version, "建议设置").
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
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

    /// Enrollments per page of the meeting and webinar enrollment lists, `1..=300` (default
    /// 300, [`MAX_ENROLL_PAGE_SIZE`]; 50 for a server that keeps the SDK's older limit).
    /// Checked by `build`.
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

    /// The pace of the account's meeting list (`/v1/corp/meetings`, limited to 100 calls a
    /// minute on its own; default 80 a minute). [`Pacer::unlimited`] disables it.
    pub fn corp_meetings_pacer(mut self, pacer: Pacer) -> Self {
        self.corp_pacer = Some(pacer);
        self
    }

    /// Rows per page of the account's meeting list, `1..=100` (default 100). Checked when a
    /// list is made.
    pub fn corp_page_size(mut self, size: u32) -> Self {
        self.corp_page_size = size;
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
    use roster_core::ClientBuilder;
    use roster_core::ErrorKind;
    use std::collections::HashMap;

    #[test]
    fn debug_hides_secrets() {
        let c = Credentials::new("app-1", "the-secret-id", "the-secret-key").with_sdk_id("sdk-1");
        let b = TencentMeetingClientBuilder::new(c.clone()).operator_id("owner1");
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
        let b = TencentMeetingClientBuilder::from_lookup(|n| vars.get(n).map(|v| v.to_string()))
            .unwrap();
        assert_eq!(b.operator_id.as_deref(), Some("owner1"));
        assert_eq!(b.options.base_url(), DEFAULT_BASE_URL);
        assert_eq!(b.credentials.sdk_id(), None);

        vars.insert(env::SDK_ID, "sdk");
        vars.insert(env::BASE_URL, "http://127.0.0.1:9");
        let b = TencentMeetingClientBuilder::from_lookup(|n| vars.get(n).map(|v| v.to_string()))
            .unwrap();
        assert_eq!(b.credentials.sdk_id(), Some("sdk"));
        assert_eq!(b.options.base_url(), "http://127.0.0.1:9");
        assert_eq!(
            b.options.pacer().calls_per_minute(),
            Some(DEFAULT_CALLS_PER_MINUTE),
            "default pacing unless configured"
        );

        vars.insert(env::CALLS_PER_MINUTE, "3000");
        let b = TencentMeetingClientBuilder::from_lookup(|n| vars.get(n).map(|v| v.to_string()))
            .unwrap();
        assert_eq!(b.options.pacer().calls_per_minute(), Some(3000));
        vars.insert(env::CALLS_PER_MINUTE, "0");
        let b = TencentMeetingClientBuilder::from_lookup(|n| vars.get(n).map(|v| v.to_string()))
            .unwrap();
        assert_eq!(b.options.pacer().calls_per_minute(), None, "0: unlimited");
        vars.insert(env::CALLS_PER_MINUTE, "-1");
        assert!(
            TencentMeetingClientBuilder::from_lookup(|n| vars.get(n).map(|v| v.to_string()))
                .is_err()
        );
        vars.remove(env::CALLS_PER_MINUTE);

        // The account's meeting list has a pacer of its own.
        let corp =
            |b: &TencentMeetingClientBuilder| b.corp_pacer.as_ref().map(|p| p.calls_per_minute());
        vars.insert(env::CORP_MEETINGS_PER_MINUTE, "800");
        let b = TencentMeetingClientBuilder::from_lookup(|n| vars.get(n).map(|v| v.to_string()))
            .unwrap();
        assert_eq!(corp(&b), Some(Some(800)));
        vars.insert(env::CORP_MEETINGS_PER_MINUTE, "0");
        let b = TencentMeetingClientBuilder::from_lookup(|n| vars.get(n).map(|v| v.to_string()))
            .unwrap();
        assert_eq!(corp(&b), Some(None), "0: unlimited");
        vars.insert(env::CORP_MEETINGS_PER_MINUTE, "fast");
        let e = TencentMeetingClientBuilder::from_lookup(|n| vars.get(n).map(|v| v.to_string()))
            .unwrap_err();
        assert!(e.message().contains(env::CORP_MEETINGS_PER_MINUTE), "{e}");
        vars.remove(env::CORP_MEETINGS_PER_MINUTE);

        for missing in [
            env::APP_ID,
            env::SECRET_ID,
            env::SECRET_KEY,
            env::OPERATOR_ID,
        ] {
            let mut v = vars.clone();
            v.insert(missing, " ");
            let e = TencentMeetingClientBuilder::from_lookup(|n| v.get(n).map(|x| x.to_string()))
                .unwrap_err();
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
