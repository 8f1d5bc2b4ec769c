//! Client configuration: credentials, base URL, HTTP timeouts, retries, pacing, clock, token
//! cache and paging defaults.
//!
//! Everything has a production default; tests and unusual deployments override what they need
//! (a loopback base URL, a tiny backoff, no pacing, a manual clock).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use roster_core::{
    Error, HttpConfig, Result, RetryPolicy, SecretString, SettingLookup, SharedClock, SystemClock,
};

use roster_core::token::{TokenMargin, TokenStore};

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

/// Environment variable holding the corp id (`corpid`).
pub const ENV_CORP_ID: &str = "ROSTER_WECOM_CORP_ID";
/// Environment variable holding the app secret (`corpsecret`).
pub const ENV_CORP_SECRET: &str = "ROSTER_WECOM_CORP_SECRET";
/// Environment variable overriding the base URL.
pub const ENV_BASE_URL: &str = "ROSTER_WECOM_BASE_URL";
/// Environment variable: calls per minute per API (`0`: unlimited; default 600).
pub const ENV_CALLS_PER_MINUTE: &str = "ROSTER_WECOM_CALLS_PER_MINUTE";

/// Every variable [`WeComConfig::from_lookup`] reads (a `roster.toml` key outside it is a typo).
pub const ENV_VARS: [&str; 4] = [
    ENV_CORP_ID,
    ENV_CORP_SECRET,
    ENV_BASE_URL,
    ENV_CALLS_PER_MINUTE,
];

/// Client-side pacing of each API: a rate and a cap on calls in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// Calls per minute per API (`0`: unlimited).
    pub calls_per_minute: u32,
    /// Calls in flight per API (`0`: no cap).
    pub max_in_flight: usize,
}

impl Pacing {
    /// A rate and a concurrency cap per API.
    pub fn new(calls_per_minute: u32, max_in_flight: usize) -> Self {
        Self {
            calls_per_minute,
            max_in_flight,
        }
    }

    /// No pacing at all (tests, or a caller that paces itself).
    pub fn unlimited() -> Self {
        Self::new(0, 0)
    }

    pub(crate) fn pacer(&self) -> roster_core::Pacer {
        roster_core::Pacer::per_minute(self.calls_per_minute).with_max_in_flight(self.max_in_flight)
    }
}

impl Default for Pacing {
    fn default() -> Self {
        Self::new(DEFAULT_CALLS_PER_MINUTE, DEFAULT_MAX_IN_FLIGHT)
    }
}

/// Everything a [`WeComClient`](crate::WeComClient) needs.
///
/// ```
/// use std::time::Duration;
/// use roster_core::{RetryPolicy, SecretString};
/// use roster_wecom::{Pacing, WeComConfig};
///
/// let config = WeComConfig::new("ww0123456789abcdef", SecretString::from("app-secret"))
///     .with_base_url("http://127.0.0.1:8080")
///     .with_pacing(Pacing::unlimited())
///     .with_retry_policy(RetryPolicy::default().with_backoff(
///         Duration::from_millis(1),
///         Duration::from_millis(5),
///     ));
/// assert!(!format!("{config:?}").contains("app-secret"));
/// ```
#[derive(Clone)]
pub struct WeComConfig {
    corp_id: String,
    corp_secret: SecretString,
    base_url: String,
    http: HttpConfig,
    retry: RetryPolicy,
    pacing: Pacing,
    clock: SharedClock,
    token_margin: TokenMargin,
    token_store: Option<Arc<dyn TokenStore>>,
    rate_limit_wait: Duration,
    attendee_page_size: u32,
    enroll_page_size: u32,
    window_concurrency: usize,
    default_lookback: time::Duration,
}

impl fmt::Debug for WeComConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeComConfig")
            .field("corp_id", &self.corp_id)
            .field("corp_secret", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("pacing", &self.pacing)
            .field("clock", &self.clock)
            .field("token_margin", &self.token_margin)
            .field("token_store", &self.token_store)
            .field("rate_limit_wait", &self.rate_limit_wait)
            .field("attendee_page_size", &self.attendee_page_size)
            .field("enroll_page_size", &self.enroll_page_size)
            .field("window_concurrency", &self.window_concurrency)
            .field("default_lookback", &self.default_lookback)
            .finish()
    }
}

impl WeComConfig {
    /// A configuration for one self-built app: its corp id and secret, everything else default.
    pub fn new(corp_id: impl Into<String>, corp_secret: SecretString) -> Self {
        Self {
            corp_id: corp_id.into(),
            corp_secret,
            base_url: DEFAULT_BASE_URL.to_string(),
            http: HttpConfig::default(),
            // Core's policy, the same for every vendor: a 45009 is waited for up to twice
            // per call, then surfaced (docs/specs/wecom.md §6 leaves the count configurable).
            retry: RetryPolicy::default(),
            pacing: Pacing::default(),
            clock: Arc::new(SystemClock),
            token_margin: TokenMargin::default(),
            token_store: None,
            rate_limit_wait: DEFAULT_RATE_LIMIT_WAIT,
            attendee_page_size: MAX_ATTENDEE_LIMIT,
            enroll_page_size: MAX_ENROLL_LIMIT,
            window_concurrency: 1,
            default_lookback: DEFAULT_LOOKBACK,
        }
    }

    /// Reads `ROSTER_WECOM_CORP_ID`, `ROSTER_WECOM_CORP_SECRET` and, if set,
    /// `ROSTER_WECOM_BASE_URL` from the environment. A missing variable is a
    /// [`Config`](roster_core::ErrorKind::Config) error naming it.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`WeComConfig::from_env`], reading the variables through `lookup` (a CLI merging
    /// flags, environment and a profile; tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let settings = SettingLookup::new(lookup);
        let corp_id = settings.require(ENV_CORP_ID)?;
        let secret = settings.require(ENV_CORP_SECRET)?;
        let mut config = Self::new(corp_id, SecretString::from(secret));
        if let Some(url) = settings.get(ENV_BASE_URL) {
            config = config.with_base_url(url);
        }
        if let Some(calls) = settings.calls_per_minute(ENV_CALLS_PER_MINUTE)? {
            let in_flight = config.pacing().max_in_flight;
            config = config.with_pacing(Pacing::new(calls, in_flight));
        }
        Ok(config)
    }

    /// Overrides the base URL (default [`DEFAULT_BASE_URL`]); checked when the client is built.
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sets the HTTP timeouts.
    pub fn with_http(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }

    /// Sets the retry policy (default: core's for every vendor: 3 backoff retries from 1 s, one
    /// token refresh, two rate-limit waits).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the pacing of each API (default 600 calls a minute, 4 in flight).
    pub fn with_pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = pacing;
        self
    }

    /// Sets the clock used for token expiry, default time ranges and retry sleeps.
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Sets how long before expiry a token is refreshed.
    pub fn with_token_margin(mut self, margin: TokenMargin) -> Self {
        self.token_margin = margin;
        self
    }

    /// Shares tokens through `store` (default: an in-memory store owned by the client).
    pub fn with_token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    /// Sets how long a `45009` rate-limit block is assumed to last (default 60 s).
    pub fn with_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.rate_limit_wait = wait;
        self
    }

    /// Sets the `limit` of attendee pages (1–100, default 100); checked before any request.
    pub fn with_attendee_page_size(mut self, limit: u32) -> Self {
        self.attendee_page_size = limit;
        self
    }

    /// Sets the `limit` of enrollment pages (1–50, default 50); checked before any request.
    pub fn with_enroll_page_size(mut self, limit: u32) -> Self {
        self.enroll_page_size = limit;
        self
    }

    /// Sets how many 31-day windows of an attendee export are fetched at once (default 1).
    pub fn with_window_concurrency(mut self, n: usize) -> Self {
        self.window_concurrency = n.max(1);
        self
    }

    /// Sets how far back an attendee export looks when no start is known (default 90 days).
    pub fn with_default_lookback(mut self, lookback: time::Duration) -> Self {
        self.default_lookback = lookback;
        self
    }

    /// The corp id.
    pub fn corp_id(&self) -> &str {
        &self.corp_id
    }

    /// The app secret.
    pub fn corp_secret(&self) -> &SecretString {
        &self.corp_secret
    }

    /// The base URL as configured.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The HTTP timeouts.
    pub fn http(&self) -> &HttpConfig {
        &self.http
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The pacing of each API.
    pub fn pacing(&self) -> Pacing {
        self.pacing
    }

    /// The clock.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// The token refresh margin.
    pub fn token_margin(&self) -> TokenMargin {
        self.token_margin
    }

    /// The shared token store, if one was set.
    pub fn token_store(&self) -> Option<&Arc<dyn TokenStore>> {
        self.token_store.as_ref()
    }

    /// How long a `45009` block is assumed to last.
    pub fn rate_limit_wait(&self) -> Duration {
        self.rate_limit_wait
    }

    /// The `limit` of attendee pages.
    pub fn attendee_page_size(&self) -> u32 {
        self.attendee_page_size
    }

    /// The `limit` of enrollment pages.
    pub fn enroll_page_size(&self) -> u32 {
        self.enroll_page_size
    }

    /// Windows fetched at once.
    pub fn window_concurrency(&self) -> usize {
        self.window_concurrency
    }

    /// The fallback look-back of attendee exports.
    pub fn default_lookback(&self) -> time::Duration {
        self.default_lookback
    }

    /// Checks what can be checked without a request.
    pub(crate) fn validate(&self) -> Result<()> {
        use roster_core::ExposeSecret;
        crate::validate::id("corp id", &self.corp_id)?;
        if self.corp_secret.expose_secret().trim().is_empty() {
            return Err(Error::config("the WeCom app secret is empty")
                .with_hint(format!("set {ENV_CORP_SECRET} to the app's Secret")));
        }
        if self
            .corp_secret
            .expose_secret()
            .chars()
            .any(char::is_control)
        {
            return Err(Error::config(
                "the WeCom app secret contains control characters",
            ));
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

    #[test]
    fn debug_hides_the_secret() {
        let c = WeComConfig::new("ww1", SecretString::from("s3cr3t-value"));
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert!(shown.contains("ww1"));
    }

    #[test]
    fn validation_rejects_garbage_before_any_request() {
        let ok = WeComConfig::new("ww1", SecretString::from("s"));
        assert!(ok.validate().is_ok());
        for bad in [
            WeComConfig::new("", SecretString::from("s")),
            WeComConfig::new("ww\n1", SecretString::from("s")),
            WeComConfig::new("ww1", SecretString::from("  ")),
            WeComConfig::new("ww1", SecretString::from("s\r\n")),
            ok.clone().with_attendee_page_size(0),
            ok.clone().with_attendee_page_size(101),
            ok.clone().with_enroll_page_size(51),
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn defaults() {
        let c = WeComConfig::new("ww1", SecretString::from("s"));
        assert_eq!(c.base_url(), DEFAULT_BASE_URL);
        assert_eq!(c.pacing(), Pacing::new(600, 4));
        assert_eq!(c.retry_policy().max_rate_limit_waits, 2);
        assert_eq!(c.retry_policy().max_retries, 3);
        assert_eq!(c.attendee_page_size(), 100);
        assert_eq!(c.enroll_page_size(), 50);
        assert_eq!(c.rate_limit_wait(), Duration::from_secs(60));
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
        let e = WeComConfig::from_lookup(vars(&[])).unwrap_err();
        assert_eq!(e.kind(), roster_core::ErrorKind::Config);
        assert!(e.message().contains("ROSTER_WECOM_CORP_ID"), "{e}");
        let e = WeComConfig::from_lookup(vars(&[("ROSTER_WECOM_CORP_ID", "ww1")])).unwrap_err();
        assert!(e.message().contains("ROSTER_WECOM_CORP_SECRET"), "{e}");
        let e = WeComConfig::from_lookup(vars(&[
            ("ROSTER_WECOM_CORP_ID", "ww1"),
            ("ROSTER_WECOM_CORP_SECRET", " "),
        ]))
        .unwrap_err();
        assert!(
            e.message().contains("ROSTER_WECOM_CORP_SECRET is empty"),
            "{e}"
        );
        let c = WeComConfig::from_lookup(vars(&[
            ("ROSTER_WECOM_CORP_ID", "ww1"),
            ("ROSTER_WECOM_CORP_SECRET", "s3cret"),
            ("ROSTER_WECOM_BASE_URL", " http://127.0.0.1:8080 "),
        ]))
        .unwrap();
        assert_eq!(c.corp_id(), "ww1");
        assert_eq!(c.base_url(), "http://127.0.0.1:8080");
        assert!(!format!("{c:?}").contains("s3cret"));
        let c = WeComConfig::from_lookup(vars(&[
            ("ROSTER_WECOM_CORP_ID", "ww1"),
            ("ROSTER_WECOM_CORP_SECRET", "s"),
        ]))
        .unwrap();
        assert_eq!(c.base_url(), DEFAULT_BASE_URL);
        assert_eq!(c.pacing(), Pacing::default());

        let c = WeComConfig::from_lookup(vars(&[
            ("ROSTER_WECOM_CORP_ID", "ww1"),
            ("ROSTER_WECOM_CORP_SECRET", "s"),
            (ENV_CALLS_PER_MINUTE, "3000"),
        ]))
        .unwrap();
        assert_eq!(c.pacing().calls_per_minute, 3000);
        assert_eq!(c.pacing().max_in_flight, Pacing::default().max_in_flight);
        let e = WeComConfig::from_lookup(vars(&[
            ("ROSTER_WECOM_CORP_ID", "ww1"),
            ("ROSTER_WECOM_CORP_SECRET", "s"),
            (ENV_CALLS_PER_MINUTE, "lots"),
        ]))
        .unwrap_err();
        assert!(e.message().contains(ENV_CALLS_PER_MINUTE));
    }
}
