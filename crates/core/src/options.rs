//! One configuration shape for every vendor client: `XClient::builder(credentials)`, the
//! settings every vendor shares ([`ClientOptions`]: base URL, HTTP timeouts and user agent,
//! retry policy, pacing, clock, token store), the vendor's own settings, then [`ClientBuilder::build`].
//!
//! The shared setters are written once, as provided methods of [`ClientBuilder`], and so is the
//! way a builder is read from named settings ([`ClientBuilder::from_env`] /
//! [`ClientBuilder::from_lookup`]: the environment, or the CLI's flags, environment and profile
//! behind one function).

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::clock::{SharedClock, SystemClock};
use crate::error::Result;
use crate::http::HttpConfig;
use crate::pace::{Pacer, SharedBudget};
use crate::retry::RetryPolicy;
use crate::settings::SettingLookup;
use crate::token::{MemoryTokenStore, TokenStore};

/// The settings every vendor client shares. A vendor's builder starts from its own defaults
/// (production host, client-side pace); HTTP, retry and clock defaults are core's.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    base_url: String,
    http: HttpConfig,
    retry: RetryPolicy,
    pacer: Pacer,
    clock: SharedClock,
    token_store: Option<Arc<dyn TokenStore>>,
    shared_budget: Option<Arc<dyn SharedBudget>>,
}

impl ClientOptions {
    /// A vendor's defaults: its production `base_url` and its client-side `pacer`; core's
    /// [`HttpConfig`], [`RetryPolicy`] and the system clock.
    pub fn new(base_url: impl Into<String>, pacer: Pacer) -> Self {
        Self {
            base_url: base_url.into(),
            http: HttpConfig::default(),
            retry: RetryPolicy::default(),
            pacer,
            clock: Arc::new(SystemClock),
            token_store: None,
            shared_budget: None,
        }
    }

    /// Applies the optional settings every vendor reads, named after the vendor's `prefix`
    /// (`ROSTER_WECOM`): `<prefix>_BASE_URL`, `<prefix>_CALLS_PER_MINUTE` (`0`: unlimited;
    /// the cap on calls in flight is kept) and `<prefix>_MAX_RETRIES` (retries of a transient
    /// failure per call, still within the policy's time budget).
    pub fn read_settings<F: Fn(&str) -> Option<String>>(
        &mut self,
        settings: &SettingLookup<F>,
        prefix: &str,
    ) -> Result<()> {
        if let Some(url) = settings.get(&format!("{prefix}_BASE_URL")) {
            self.base_url = url;
        }
        if let Some(calls) = settings.calls_per_minute(&format!("{prefix}_CALLS_PER_MINUTE"))? {
            self.set_calls_per_minute(calls);
        }
        let retries = format!("{prefix}_MAX_RETRIES");
        if let Some(n) = settings.parse::<u32>(&retries, "a whole number of retries")? {
            self.retry.max_retries = n;
        }
        Ok(())
    }

    /// The base URL as configured.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base URL, checked ([`crate::http::parse_base_url`]); `what` names the setting in
    /// the error.
    pub fn parsed_base_url(&self, what: &str) -> Result<Url> {
        crate::http::parse_base_url(what, &self.base_url)
    }

    /// HTTP timeouts, user agent and body cap.
    pub fn http(&self) -> &HttpConfig {
        &self.http
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The pacer (clones share its budget).
    pub fn pacer(&self) -> &Pacer {
        &self.pacer
    }

    /// The clock timestamps, token expiry, default ranges and backoff sleeps use.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// Where the client keeps its access tokens: the store given, or a new in-memory one
    /// owned by the client (vendors without tokens ignore it).
    pub fn token_store(&self) -> Arc<dyn TokenStore> {
        self.token_store
            .clone()
            .unwrap_or_else(|| Arc::new(MemoryTokenStore::new()))
    }

    /// The token store given, if any.
    pub fn shared_token_store(&self) -> Option<&Arc<dyn TokenStore>> {
        self.token_store.as_ref()
    }

    /// The budget shared with other processes, if one is configured.
    pub fn shared_budget(&self) -> Option<&Arc<dyn SharedBudget>> {
        self.shared_budget.as_ref()
    }

    /// The pacer, joined to `bucket` of the shared budget when one is configured
    /// ([`ClientBuilder::shared_budget`]); a vendor names the bucket after its app
    /// (`tencent:<AppId>`).
    pub fn pacer_for(&self, bucket: &str) -> Pacer {
        match &self.shared_budget {
            Some(budget) => self.pacer.clone().shared(budget.clone(), bucket),
            None => self.pacer.clone(),
        }
    }

    /// These options with `store` for the tokens (see [`ClientBuilder::token_store`]).
    pub fn with_token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    fn set_calls_per_minute(&mut self, calls: u32) {
        let in_flight = self.pacer.max_in_flight().unwrap_or(0);
        self.pacer = Pacer::per_minute(calls).with_max_in_flight(in_flight);
    }
}

/// The builder of a vendor client: the shared setters (provided here, once), reading from
/// named settings, and `build`. Each vendor crate re-exports this trait; bring it into scope
/// to call the shared setters:
///
/// ```
/// use std::time::Duration;
/// use roster_core::{ClientBuilder, ClientOptions, Pacer, Result, RetryPolicy};
///
/// // What a vendor crate implements (a sketch: real builders also hold credentials).
/// struct DemoBuilder(ClientOptions);
///
/// impl ClientBuilder for DemoBuilder {
///     type Client = String;
///     const SETTINGS: &'static [&'static str] = &["ROSTER_DEMO_BASE_URL"];
///     fn options_mut(&mut self) -> &mut ClientOptions {
///         &mut self.0
///     }
///     fn from_lookup(_lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
///         Ok(DemoBuilder(ClientOptions::new("https://demo.example", Pacer::per_minute(60))))
///     }
///     fn build(self) -> Result<String> {
///         Ok(self.0.base_url().to_string())
///     }
/// }
///
/// let client = DemoBuilder::from_lookup(|_| None)?
///     .base_url("http://127.0.0.1:8080")
///     .calls_per_minute(0)
///     .retry_policy(RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5)))
///     .build()?;
/// assert_eq!(client, "http://127.0.0.1:8080");
/// # Ok::<(), roster_core::Error>(())
/// ```
pub trait ClientBuilder: Sized {
    /// The client this builds.
    type Client;

    /// Every setting name [`Self::from_lookup`] reads (`ROSTER_<VENDOR>_…`): a configuration
    /// file key outside it is a typo.
    const SETTINGS: &'static [&'static str];

    /// The shared settings, for the provided setters.
    fn options_mut(&mut self) -> &mut ClientOptions;

    /// A builder from named settings read through `lookup` (missing or blank required
    /// settings, and values that do not parse, are [`crate::ErrorKind::Config`] errors naming
    /// the setting, never repeating a secret).
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self>;

    /// Checks everything that can be checked without a request, and builds the client. Makes
    /// no request.
    fn build(self) -> Result<Self::Client>;

    /// [`Self::from_lookup`] over the process environment.
    fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Replaces all shared settings at once.
    fn options(mut self, options: ClientOptions) -> Self {
        *self.options_mut() = options;
        self
    }

    /// Overrides the base URL (`http://127.0.0.1:<port>` for the sandbox); checked by
    /// [`Self::build`]. A path prefix is kept.
    fn base_url(mut self, url: impl Into<String>) -> Self {
        self.options_mut().base_url = url.into();
        self
    }

    /// HTTP timeouts, user agent and body cap.
    fn http(mut self, http: HttpConfig) -> Self {
        self.options_mut().http = http;
        self
    }

    /// The whole-request timeout, body included (default 30 s).
    fn request_timeout(mut self, timeout: Duration) -> Self {
        self.options_mut().http.request_timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `roster/<version>`).
    fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.options_mut().http.user_agent = user_agent.into();
        self
    }

    /// Shares access tokens through `store` (default: an in-memory store owned by the client):
    /// clients of one app in several processes given one shared store (such as the
    /// PostgreSQL one of `roster-store`) fetch a token once between them. Vendors without
    /// tokens (Tencent Meeting signs each request) ignore it.
    fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.options_mut().token_store = Some(store);
        self
    }

    /// Shares the client-side rate budget with other processes through `budget` (such as
    /// `roster_store::PgRateBudgets`): clients of one vendor app in N processes, each paced at
    /// the app's budget, together stay within it. The bucket is the vendor app (Tencent: the
    /// AppId; WeCom: the corp and app, per API; Quanshi: the AppKey).
    fn shared_budget(mut self, budget: Arc<dyn SharedBudget>) -> Self {
        self.options_mut().shared_budget = Some(budget);
        self
    }

    /// The retry policy (default [`RetryPolicy::default`], the same for every vendor).
    fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.options_mut().retry = policy;
        self
    }

    /// Client-side pacing. Clones of a [`Pacer`] share one budget: give clients that share a
    /// vendor budget (one app) the same pacer. [`Pacer::unlimited`] disables pacing.
    fn pacer(mut self, pacer: Pacer) -> Self {
        self.options_mut().pacer = pacer;
        self
    }

    /// Calls per minute (`0`: unlimited), keeping the cap on calls in flight.
    fn calls_per_minute(mut self, calls: u32) -> Self {
        self.options_mut().set_calls_per_minute(calls);
        self
    }

    /// The clock (tests inject a manual one).
    fn clock(mut self, clock: SharedClock) -> Self {
        self.options_mut().clock = clock;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    struct Demo(ClientOptions);

    impl ClientBuilder for Demo {
        type Client = ClientOptions;
        const SETTINGS: &'static [&'static str] =
            &["D_BASE_URL", "D_CALLS_PER_MINUTE", "D_MAX_RETRIES"];
        fn options_mut(&mut self) -> &mut ClientOptions {
            &mut self.0
        }
        fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
            let mut options = ClientOptions::new(
                "https://vendor.example",
                Pacer::per_minute(600).with_max_in_flight(4),
            );
            options.read_settings(&SettingLookup::new(lookup), "D")?;
            Ok(Demo(options))
        }
        fn build(self) -> Result<ClientOptions> {
            self.0.parsed_base_url("the demo base URL (D_BASE_URL)")?;
            Ok(self.0)
        }
    }

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |n| {
            pairs
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn settings_override_the_vendor_defaults_and_keep_the_in_flight_cap() {
        let o = Demo::from_lookup(vars(&[])).unwrap().build().unwrap();
        assert_eq!(o.base_url(), "https://vendor.example");
        assert_eq!(o.pacer().calls_per_minute(), Some(600));
        let o = Demo::from_lookup(vars(&[
            ("D_BASE_URL", " http://127.0.0.1:9 "),
            ("D_CALLS_PER_MINUTE", "3000"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(o.base_url(), "http://127.0.0.1:9");
        assert_eq!(o.pacer().calls_per_minute(), Some(3000));
        assert_eq!(o.pacer().max_in_flight(), Some(4));
        let o = Demo::from_lookup(vars(&[("D_MAX_RETRIES", "1")]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(o.retry_policy().max_retries, 1);
        assert!(Demo::from_lookup(vars(&[("D_MAX_RETRIES", "-1")])).is_err());
        let o = Demo::from_lookup(vars(&[("D_CALLS_PER_MINUTE", "0")]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(o.pacer().calls_per_minute(), None, "0: unlimited");
        let e = Demo::from_lookup(vars(&[("D_CALLS_PER_MINUTE", "lots")]))
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains("D_CALLS_PER_MINUTE"), "{e}");
    }

    #[test]
    fn shared_setters_and_the_base_url_check() {
        let o = Demo::from_lookup(vars(&[]))
            .unwrap()
            .user_agent("probe/1")
            .request_timeout(Duration::from_millis(400))
            .calls_per_minute(60)
            .retry_policy(RetryPolicy::default().with_backoff(Duration::ZERO, Duration::ZERO))
            .build()
            .unwrap();
        assert_eq!(o.http().user_agent, "probe/1");
        assert_eq!(o.http().request_timeout, Duration::from_millis(400));
        assert_eq!(o.pacer().calls_per_minute(), Some(60));
        assert_eq!(o.pacer().max_in_flight(), Some(4));
        assert_eq!(o.retry_policy().base, Duration::ZERO);
        let e = Demo::from_lookup(vars(&[]))
            .unwrap()
            .base_url("ftp://x")
            .build()
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains("D_BASE_URL"), "{e}");
    }
}
