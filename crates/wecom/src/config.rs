//! Client configuration: credentials, the shared [`ClientOptions`] (base URL, HTTP, retries,
//! pacing, clock) and WeCom's own settings (token cache, paging, planning).
//!
//! Everything has a production default; tests and unusual deployments override what they need
//! (a loopback base URL, a tiny backoff, no pacing, a manual clock).

use std::time::Duration;

use roster_core::token::TokenMargin;
use roster_core::{ClientOptions, Error, ExposeSecret, Pacer, Result, SecretString};

/// The largest `limit` of `get_attendee_list`.
pub const MAX_ATTENDEE_LIMIT: u32 = 100;

/// The largest `limit` of `enroll/list`.
pub const MAX_ENROLL_LIMIT: u32 = 50;

/// The production host of the WeCom server API.
pub const DEFAULT_BASE_URL: &str = "https://qyapi.weixin.qq.com";

/// Default client-side budget per API: 600 calls a minute (the vendor allows 10,000 per corp
/// and API; the spec asks clients to stay well below).
pub const DEFAULT_CALLS_PER_MINUTE: u32 = 600;

/// Default cap of calls in flight per API (the vendor answers `45033` above an undocumented
/// per-corp concurrency; observed values are 5–10).
pub const DEFAULT_MAX_IN_FLIGHT: usize = 4;

/// How long a `45009` (rate limit) is assumed to last: the error does not say, and the
/// per-minute block lasts one minute.
pub const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// How far back an attendee export looks when neither the caller nor `get_info` gives a
/// start: 90 days, the vendor's own maximum span when no bounds are sent.
pub const DEFAULT_LOOKBACK: time::Duration = time::Duration::days(90);

/// Setting (environment variable) holding the corp id (`corpid`).
pub const ENV_CORP_ID: &str = "ROSTER_WECOM_CORP_ID";
/// Setting holding the app secret (`corpsecret`).
pub const ENV_CORP_SECRET: &str = "ROSTER_WECOM_CORP_SECRET";
/// Setting overriding the base URL.
pub const ENV_BASE_URL: &str = "ROSTER_WECOM_BASE_URL";
/// Setting: calls per minute per API (`0`: unlimited; default 600).
pub const ENV_CALLS_PER_MINUTE: &str = "ROSTER_WECOM_CALLS_PER_MINUTE";

/// Setting: retries of a transient failure per call (default 8, within 2 minutes).
pub const ENV_MAX_RETRIES: &str = "ROSTER_WECOM_MAX_RETRIES";
/// Setting: the members whose meetings `roster meetings` lists (comma-separated userids).
pub const ENV_USERS: &str = "ROSTER_WECOM_USERS";
/// The address-book sync secret (通讯录同步 Secret), for listing the corp's members with
/// `user/list_id` when [`ENV_USERS`] is not set.
pub const ENV_CONTACTS_SECRET: &str = "ROSTER_WECOM_CONTACTS_SECRET";
/// The prefix of every WeCom setting.
pub const ENV_PREFIX: &str = "ROSTER_WECOM";

/// Every setting [`roster_core::ClientBuilder::from_lookup`] reads (a `roster.toml` key
/// outside it is a typo).
pub const ENV_VARS: [&str; 7] = [
    ENV_CORP_ID,
    ENV_CORP_SECRET,
    ENV_BASE_URL,
    ENV_CALLS_PER_MINUTE,
    ENV_MAX_RETRIES,
    ENV_USERS,
    ENV_CONTACTS_SECRET,
];

/// One self-built app's credentials: the corp id and the app's secret. `Debug` never shows
/// the secret.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub(crate) corp_id: String,
    pub(crate) corp_secret: SecretString,
}

impl Credentials {
    /// The corp id (`corpid`) and the app's secret (`corpsecret`).
    pub fn new(corp_id: impl Into<String>, corp_secret: impl Into<String>) -> Self {
        Self {
            corp_id: corp_id.into(),
            corp_secret: SecretString::from(corp_secret.into()),
        }
    }

    /// The corp id.
    pub fn corp_id(&self) -> &str {
        &self.corp_id
    }
}

/// Everything a [`WeComClient`](crate::WeComClient) is built from: credentials, the shared
/// [`ClientOptions`] (set through [`roster_core::ClientBuilder`]'s provided methods) and
/// WeCom's own settings. Start from [`WeComClient::builder`](crate::WeComClient::builder) or
/// [`roster_core::ClientBuilder::from_env`].
///
/// Pacing is per API (the vendor counts each API separately): every API gets a budget of its
/// own with the configured limits (default 600 calls a minute and 4 in flight).
///
/// ```
/// use std::time::Duration;
/// use roster_core::{Pacer, RetryPolicy};
/// use roster_wecom::{ClientBuilder, Credentials, WeComClient};
///
/// let builder = WeComClient::builder(Credentials::new("ww0123456789abcdef", "app-secret"))
///     .base_url("http://127.0.0.1:8080")
///     .pacer(Pacer::unlimited())
///     .retry_policy(RetryPolicy::default().with_backoff(
///         Duration::from_millis(1),
///         Duration::from_millis(5),
///     ));
/// assert!(!format!("{builder:?}").contains("app-secret"));
/// let client = builder.build()?;
/// # Ok::<(), roster_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct WeComClientBuilder {
    pub(crate) credentials: Credentials,
    pub(crate) options: ClientOptions,
    pub(crate) token_margin: TokenMargin,
    pub(crate) rate_limit_wait: Duration,
    pub(crate) attendee_page_size: u32,
    pub(crate) enroll_page_size: u32,
    pub(crate) window_concurrency: usize,
    pub(crate) default_lookback: time::Duration,
    pub(crate) discovery_users: Vec<String>,
    pub(crate) contacts_secret: Option<SecretString>,
}

impl WeComClientBuilder {
    /// A builder for one self-built app, everything else default.
    pub fn new(credentials: Credentials) -> Self {
        let pacer =
            Pacer::per_minute(DEFAULT_CALLS_PER_MINUTE).with_max_in_flight(DEFAULT_MAX_IN_FLIGHT);
        Self {
            credentials,
            // Core's retry policy, the same for every vendor: a 45009 is waited for up to
            // twice per call, then surfaced (docs/specs/wecom.md §6 leaves the count
            // configurable).
            options: ClientOptions::new(DEFAULT_BASE_URL, pacer),
            token_margin: TokenMargin::default(),
            rate_limit_wait: DEFAULT_RATE_LIMIT_WAIT,
            attendee_page_size: MAX_ATTENDEE_LIMIT,
            enroll_page_size: MAX_ENROLL_LIMIT,
            window_concurrency: 1,
            default_lookback: DEFAULT_LOOKBACK,
            discovery_users: Vec::new(),
            contacts_secret: None,
        }
    }

    /// Sets how long before expiry a token is refreshed.
    pub fn token_margin(mut self, margin: TokenMargin) -> Self {
        self.token_margin = margin;
        self
    }

    /// Sets how long a `45009` rate-limit block is assumed to last (default 60 s).
    pub fn rate_limit_wait(mut self, wait: Duration) -> Self {
        self.rate_limit_wait = wait;
        self
    }

    /// Sets the `limit` of attendee pages (1–100, default 100); checked by `build`.
    pub fn attendee_page_size(mut self, limit: u32) -> Self {
        self.attendee_page_size = limit;
        self
    }

    /// Sets the `limit` of enrollment pages (1–50, default 50); checked by `build`.
    pub fn enroll_page_size(mut self, limit: u32) -> Self {
        self.enroll_page_size = limit;
        self
    }

    /// Sets how many 31-day windows of an attendee export are fetched at once (default 1).
    pub fn window_concurrency(mut self, n: usize) -> Self {
        self.window_concurrency = n.max(1);
        self
    }

    /// Sets how far back an attendee export looks when no start is known (default 90 days).
    pub fn default_lookback(mut self, lookback: time::Duration) -> Self {
        self.default_lookback = lookback;
        self
    }

    /// The members whose meetings [`roster_core::MeetingDirectory::meetings`] lists (their
    /// userids; default none).
    pub fn discovery_users(mut self, users: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.discovery_users = users.into_iter().map(Into::into).collect();
        self
    }

    /// The corp's address-book sync secret (通讯录同步 Secret; default none). With it,
    /// [`WeComClient::member_ids`](crate::WeComClient::member_ids) lists the corp's members
    /// (`user/list_id` accepts no app's token), and discovery uses them when no
    /// [`discovery_users`](Self::discovery_users) are set. Its token is cached beside the
    /// app's, under its own key, in the same token store.
    pub fn contacts_secret(mut self, secret: impl Into<String>) -> Self {
        self.contacts_secret = Some(SecretString::from(secret.into()));
        self
    }

    /// Checks what can be checked without a request.
    pub(crate) fn validate(&self) -> Result<()> {
        crate::validate::id("corp id", &self.credentials.corp_id)?;
        let secret = self.credentials.corp_secret.expose_secret();
        if secret.trim().is_empty() {
            return Err(Error::config("the WeCom app secret is empty")
                .with_hint(format!("set {ENV_CORP_SECRET} to the app's Secret")));
        }
        if secret.chars().any(char::is_control) {
            return Err(Error::config(
                "the WeCom app secret contains control characters",
            ));
        }
        if let Some(contacts) = &self.contacts_secret {
            let contacts = contacts.expose_secret();
            if contacts.trim().is_empty() || contacts.chars().any(char::is_control) {
                return Err(Error::config(
                    "the WeCom address-book secret is empty or contains control characters",
                )
                .with_hint(format!(
                    "set {ENV_CONTACTS_SECRET} to the Secret of 通讯录同步, or leave it unset"
                )));
            }
        }
        crate::validate::limit(
            "attendee page size",
            self.attendee_page_size,
            MAX_ATTENDEE_LIMIT,
        )
        .map_err(|e| Error::config(e.message().to_string()))?;
        crate::validate::limit(
            "enrollment page size",
            self.enroll_page_size,
            MAX_ENROLL_LIMIT,
        )
        .map_err(|e| Error::config(e.message().to_string()))?;
        if self.default_lookback <= time::Duration::ZERO {
            return Err(Error::config("the default look-back must be positive"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::ClientBuilder;

    fn builder(corp_id: &str, secret: &str) -> WeComClientBuilder {
        WeComClientBuilder::new(Credentials::new(corp_id, secret))
    }

    #[test]
    fn debug_hides_the_secret() {
        let shown = format!(
            "{:?}",
            builder("ww1", "s3cr3t-value").contacts_secret("b00k-secret")
        );
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert!(!shown.contains("b00k-secret"), "{shown}");
        assert!(shown.contains("ww1"));
    }

    #[test]
    fn validation_rejects_garbage_before_any_request() {
        let ok = builder("ww1", "s");
        assert!(ok.validate().is_ok());
        for bad in [
            builder("", "s"),
            builder("ww\n1", "s"),
            builder("ww1", "s").contacts_secret(" "),
            builder("ww1", "s").contacts_secret("a\u{7}b"),
            builder("ww1", "  "),
            builder("ww1", "s\r\n"),
            ok.clone().attendee_page_size(0),
            ok.clone().attendee_page_size(101),
            ok.clone().enroll_page_size(51),
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn defaults() {
        let c = builder("ww1", "s");
        assert_eq!(c.options.base_url(), DEFAULT_BASE_URL);
        assert_eq!(c.options.pacer().calls_per_minute(), Some(600));
        assert_eq!(c.options.pacer().max_in_flight(), Some(4));
        assert_eq!(c.options.retry_policy().max_rate_limit_waits, 2);
        assert_eq!(c.options.retry_policy().max_retries, 8);
        assert_eq!(c.attendee_page_size, 100);
        assert_eq!(c.enroll_page_size, 50);
        assert_eq!(c.rate_limit_wait, Duration::from_secs(60));
    }

    #[test]
    fn from_lookup_names_the_missing_variable() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let e = WeComClientBuilder::from_lookup(vars(&[])).unwrap_err();
        assert_eq!(e.kind(), roster_core::ErrorKind::Config);
        assert!(e.message().contains("ROSTER_WECOM_CORP_ID"), "{e}");
        let e =
            WeComClientBuilder::from_lookup(vars(&[("ROSTER_WECOM_CORP_ID", "ww1")])).unwrap_err();
        assert!(e.message().contains("ROSTER_WECOM_CORP_SECRET"), "{e}");
        let e = WeComClientBuilder::from_lookup(vars(&[
            ("ROSTER_WECOM_CORP_ID", "ww1"),
            ("ROSTER_WECOM_CORP_SECRET", " "),
        ]))
        .unwrap_err();
        assert!(
            e.message().contains("ROSTER_WECOM_CORP_SECRET is empty"),
            "{e}"
        );
        let c = WeComClientBuilder::from_lookup(vars(&[
            ("ROSTER_WECOM_CORP_ID", "ww1"),
            ("ROSTER_WECOM_CORP_SECRET", "s3cret"),
            ("ROSTER_WECOM_BASE_URL", " http://127.0.0.1:8080 "),
        ]))
        .unwrap();
        assert_eq!(c.credentials.corp_id(), "ww1");
        assert_eq!(c.options.base_url(), "http://127.0.0.1:8080");
        assert!(!format!("{c:?}").contains("s3cret"));
        let c = WeComClientBuilder::from_lookup(vars(&[
            ("ROSTER_WECOM_CORP_ID", "ww1"),
            ("ROSTER_WECOM_CORP_SECRET", "s"),
        ]))
        .unwrap();
        assert_eq!(c.options.base_url(), DEFAULT_BASE_URL);
        assert_eq!(c.options.pacer().calls_per_minute(), Some(600));

        let c = WeComClientBuilder::from_lookup(vars(&[
            ("ROSTER_WECOM_CORP_ID", "ww1"),
            ("ROSTER_WECOM_CORP_SECRET", "s"),
            (ENV_CALLS_PER_MINUTE, "3000"),
        ]))
        .unwrap();
        assert_eq!(c.options.pacer().calls_per_minute(), Some(3000));
        assert_eq!(
            c.options.pacer().max_in_flight(),
            Some(DEFAULT_MAX_IN_FLIGHT)
        );
        let e = WeComClientBuilder::from_lookup(vars(&[
            ("ROSTER_WECOM_CORP_ID", "ww1"),
            ("ROSTER_WECOM_CORP_SECRET", "s"),
            (ENV_CALLS_PER_MINUTE, "lots"),
        ]))
        .unwrap_err();
        assert!(e.message().contains(ENV_CALLS_PER_MINUTE));
    }
}
