//! Client configuration: credentials, hosts, paths, auth modes and every undocumented choice of
//! the spec, each with the spec's default and a setter to change it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use roster_core::{
    Error, HttpConfig, Result, RetryPolicy, SecretString, SettingLookup, SharedClock, SystemClock,
};

use crate::errors::ErrorMap;

/// Default confopenapi host (docs/specs/quanshi.md §1).
pub const DEFAULT_BASE_URL: &str = "https://openapi.quanshi.com";
/// Default eventopenapi host (docs/specs/quanshi.md §1).
pub const DEFAULT_EVENTS_BASE_URL: &str = "https://events-openapi.quanshi.com";

/// Default path of `room/conference/infos` (docs/specs/quanshi.md §4.2).
pub const PATH_CONFERENCE_INFOS: &str = "/confopenapi/room/conference/infos";
/// Default path of the v1 attendance report (docs/specs/quanshi.md §4.3).
pub const PATH_REPORT_V1: &str = "/confopenapi/conference/report/getReportDatas";
/// Default path of the v2 attendance report (docs/specs/quanshi.md §4.4).
pub const PATH_REPORT_V2: &str = "/confopenapi/conference/report/getReportDatas/v2";
/// Default path of the in-meeting terminal list (docs/specs/quanshi.md §4.5).
pub const PATH_ATTENDEE_LIST: &str = "/confopenapi/conference/attendee/list";
/// Default path of token creation (docs/specs/quanshi.md §2.3).
pub const PATH_TOKEN_CREATE: &str = "/eventopenapi/token/create";

/// Default name of the token field in `token/create`'s `data` (docs/specs/quanshi.md §2.3: unconfirmed).
pub const DEFAULT_TOKEN_FIELD: &str = "token";
/// Default calls per minute per AppKey (docs/specs/quanshi.md §7: undocumented, our choice).
pub const DEFAULT_CALLS_PER_MINUTE: u32 = 120;
/// Default concurrent requests (docs/specs/quanshi.md §7).
pub const DEFAULT_MAX_IN_FLIGHT: usize = 4;
/// Default `count` of `conference/attendee/list` (docs/specs/quanshi.md §4.5).
pub const DEFAULT_ATTENDEE_LIST_PAGE_SIZE: u32 = 20;
/// Largest `count` the client sends (docs/specs/quanshi.md §4.5: maximum undocumented, ≤ 100).
pub const MAX_ATTENDEE_LIST_PAGE_SIZE: u32 = 100;
/// Page guard of `conference/attendee/list` (docs/specs/quanshi.md §4.5).
pub const DEFAULT_MAX_PAGES: u32 = 10_000;
/// Clock difference above which a rejected signature is reported as clock skew (docs/specs/quanshi.md §6: the
/// emulator's ±5 min window; the real one is undocumented).
pub const DEFAULT_MAX_CLOCK_SKEW: Duration = Duration::from_secs(300);

/// Environment variable: AppKey / AppId.
pub const ENV_APP_ID: &str = "ROSTER_QUANSHI_APP_ID";
/// Environment variable: AppSecret / SecretKey.
pub const ENV_SECRET_KEY: &str = "ROSTER_QUANSHI_SECRET_KEY";
/// Environment variable: a fixed token used instead of `token/create`.
pub const ENV_TOKEN: &str = "ROSTER_QUANSHI_TOKEN";
/// Environment variable: the administrator's Quanshi user id (for `token/create`).
pub const ENV_USER_ID: &str = "ROSTER_QUANSHI_USER_ID";
/// Environment variable (optional): the meetings' host user id (for `room/conference/infos`
/// and the v1 report).
pub const ENV_HOST_USER_ID: &str = "ROSTER_QUANSHI_HOST_USER_ID";
/// Environment variable: confopenapi base URL.
pub const ENV_BASE_URL: &str = "ROSTER_QUANSHI_BASE_URL";
/// Environment variable: eventopenapi base URL.
pub const ENV_EVENTS_BASE_URL: &str = "ROSTER_QUANSHI_EVENTS_BASE_URL";
/// Environment variable: path of the join-link lookup (no default: the real path is unknown).
pub const ENV_JOIN_URL_PATH: &str = "ROSTER_QUANSHI_JOIN_URL_PATH";
/// Environment variable: calls per minute per AppKey (`0`: unlimited; default 120).
pub const ENV_CALLS_PER_MINUTE: &str = "ROSTER_QUANSHI_CALLS_PER_MINUTE";

/// Every variable [`QuanshiConfig::from_lookup`] reads (a `roster.toml` key outside it is a
/// typo).
pub const ENV_VARS: [&str; 9] = [
    ENV_APP_ID,
    ENV_SECRET_KEY,
    ENV_TOKEN,
    ENV_USER_ID,
    ENV_HOST_USER_ID,
    ENV_BASE_URL,
    ENV_EVENTS_BASE_URL,
    ENV_JOIN_URL_PATH,
    ENV_CALLS_PER_MINUTE,
];

/// The two API families, with different hosts and envelopes (docs/specs/quanshi.md §1, §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// Conference open API (`/confopenapi/…`, envelope `status`/`result`).
    Conference,
    /// Events / cloud-live open API (`/eventopenapi/…`, envelope `code`/`data`).
    Events,
}

impl Family {
    /// `confopenapi` or `eventopenapi`.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Conference => "confopenapi",
            Family::Events => "eventopenapi",
        }
    }
}

/// How calls of one family authenticate (docs/specs/quanshi.md §2.3 point 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMode {
    /// A token from `token/create` (or the configured fixed token).
    Token,
    /// CheckSum signature headers on every call, no token.
    Signature,
}

/// Where the token goes (docs/specs/quanshi.md §2.3: header, body, or both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenPlacement {
    /// HTTP header `token`.
    Header,
    /// Top-level `"token"` field of the JSON body.
    Body,
    /// Both.
    Both,
}

impl TokenPlacement {
    /// Whether the token goes into the header.
    pub fn header(self) -> bool {
        matches!(self, TokenPlacement::Header | TokenPlacement::Both)
    }

    /// Whether the token goes into the body.
    pub fn body(self) -> bool {
        matches!(self, TokenPlacement::Body | TokenPlacement::Both)
    }
}

/// Name of the header carrying the key (docs/specs/quanshi.md §2.1: pages disagree between `AppKey` and
/// `AppId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyHeader {
    /// `AppKey` (default).
    AppKey,
    /// `AppId`.
    AppId,
    /// Both headers, same value.
    Both,
}

impl KeyHeader {
    /// The header names sent.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            KeyHeader::AppKey => &["AppKey"],
            KeyHeader::AppId => &["AppId"],
            KeyHeader::Both => &["AppKey", "AppId"],
        }
    }
}

/// Authentication of one API family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyAuth {
    /// Token or signature.
    pub mode: AuthMode,
    /// Where the token goes in token mode.
    pub placement: TokenPlacement,
}

/// How to read the v1 report's `watchDuration` (docs/specs/quanshi.md §4.3: unit undocumented).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WatchDurationUnit {
    /// Keep the raw string only (default).
    #[default]
    Unparsed,
    /// All-digit values are seconds: also stored as `extra.watch_seconds`.
    Seconds,
}

/// Endpoint paths. All have the spec's default except the join-link lookup, whose real path is
/// unknown (docs/specs/quanshi.md §4.1): unset, that endpoint fails with a configuration error before any
/// request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Paths {
    /// Meeting detail by attendee join link, on the confopenapi host. No default.
    pub join_url_lookup: Option<String>,
    /// `room/conference/infos`.
    pub conference_infos: String,
    /// Report v1.
    pub report_v1: String,
    /// Report v2.
    pub report_v2: String,
    /// In-meeting terminal list.
    pub attendee_list: String,
    /// Token creation, on the eventopenapi host.
    pub token_create: String,
}

impl Default for Paths {
    fn default() -> Self {
        Self {
            join_url_lookup: None,
            conference_infos: PATH_CONFERENCE_INFOS.into(),
            report_v1: PATH_REPORT_V1.into(),
            report_v2: PATH_REPORT_V2.into(),
            attendee_list: PATH_ATTENDEE_LIST.into(),
            token_create: PATH_TOKEN_CREATE.into(),
        }
    }
}

/// Everything the client needs. Start from [`QuanshiConfig::new`] (spec defaults) or
/// [`QuanshiConfig::from_env`], adjust with the setters, then build a
/// [`QuanshiClient`](crate::QuanshiClient).
///
/// `Debug` never shows the secret or the token.
#[derive(Clone)]
#[non_exhaustive]
pub struct QuanshiConfig {
    /// AppKey / AppId (needed for signature mode and for `token/create`).
    pub app_key: Option<String>,
    /// AppSecret (needed for signature mode and for `token/create`).
    pub secret_key: Option<SecretString>,
    /// The administrator's Quanshi user id, sent to `token/create`.
    pub admin_user_id: Option<u64>,
    /// A fixed token used instead of `token/create` (it cannot be refreshed).
    pub token: Option<SecretString>,
    /// The host's user id, required by `room/conference/infos` and the v1 report when the
    /// caller does not give one (registrations by meeting id).
    pub host_user_id: Option<u64>,
    /// confopenapi base URL.
    pub base_url: String,
    /// eventopenapi base URL.
    pub events_base_url: String,
    /// Endpoint paths.
    pub paths: Paths,
    /// Authentication of confopenapi calls (default: token in the header).
    pub conference_auth: FamilyAuth,
    /// Authentication of eventopenapi calls (default: token in body and header).
    pub events_auth: FamilyAuth,
    /// Name of the key header of signed calls (default `AppKey`).
    pub key_header: KeyHeader,
    /// Name of the token field in `token/create`'s `data` (default `token`).
    pub token_field: String,
    /// Vendor code → error class (default: docs/specs/quanshi.md §6).
    pub errors: ErrorMap,
    /// A rejected signature is reported as clock skew when the server's time differs from
    /// ours by more than this (default 5 min).
    pub max_clock_skew: Duration,
    /// How to read the v1 `watchDuration`.
    pub watch_duration: WatchDurationUnit,
    /// `count` of `conference/attendee/list` (default 20, at most 100).
    pub attendee_list_page_size: u32,
    /// Page guard of `conference/attendee/list` (default 10,000).
    pub max_pages: u32,
    /// HTTP timeouts.
    pub http: HttpConfig,
    /// Retry policy (default: core's for every vendor; up to two 60 s rate-limit waits).
    pub retry: RetryPolicy,
    /// Client-side rate limit in calls per minute, shared by all calls of a client (`0`: none).
    pub calls_per_minute: u32,
    /// Concurrent requests (`0`: no cap).
    pub max_in_flight: usize,
    /// The clock for `CurTime`, token freshness and backoff sleeps.
    pub clock: SharedClock,
}

impl fmt::Debug for QuanshiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuanshiConfig")
            .field("app_key", &self.app_key)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field("admin_user_id", &self.admin_user_id)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("host_user_id", &self.host_user_id)
            .field("base_url", &self.base_url)
            .field("events_base_url", &self.events_base_url)
            .field("paths", &self.paths)
            .field("conference_auth", &self.conference_auth)
            .field("events_auth", &self.events_auth)
            .field("key_header", &self.key_header)
            .field("token_field", &self.token_field)
            .field("errors", &self.errors)
            .field("max_clock_skew", &self.max_clock_skew)
            .field("watch_duration", &self.watch_duration)
            .field("attendee_list_page_size", &self.attendee_list_page_size)
            .field("max_pages", &self.max_pages)
            .field("http", &self.http)
            .field("retry", &self.retry)
            .field("calls_per_minute", &self.calls_per_minute)
            .field("max_in_flight", &self.max_in_flight)
            .field("clock", &self.clock)
            .finish()
    }
}

impl Default for QuanshiConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// The default retry policy: core's, the same for every vendor (docs/specs/quanshi.md §6
/// backoff; a rate limit is waited out up to twice per call, then surfaced).
pub fn default_retry_policy() -> RetryPolicy {
    RetryPolicy::default()
}

impl QuanshiConfig {
    /// The spec's defaults, with no credentials.
    pub fn new() -> Self {
        Self {
            app_key: None,
            secret_key: None,
            admin_user_id: None,
            token: None,
            host_user_id: None,
            base_url: DEFAULT_BASE_URL.into(),
            events_base_url: DEFAULT_EVENTS_BASE_URL.into(),
            paths: Paths::default(),
            conference_auth: FamilyAuth {
                mode: AuthMode::Token,
                placement: TokenPlacement::Header,
            },
            events_auth: FamilyAuth {
                mode: AuthMode::Token,
                placement: TokenPlacement::Both,
            },
            key_header: KeyHeader::AppKey,
            token_field: DEFAULT_TOKEN_FIELD.into(),
            errors: ErrorMap::default(),
            max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
            watch_duration: WatchDurationUnit::Unparsed,
            attendee_list_page_size: DEFAULT_ATTENDEE_LIST_PAGE_SIZE,
            max_pages: DEFAULT_MAX_PAGES,
            http: HttpConfig::default(),
            retry: default_retry_policy(),
            calls_per_minute: DEFAULT_CALLS_PER_MINUTE,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            clock: Arc::new(SystemClock),
        }
    }

    /// Reads the `ROSTER_QUANSHI_*` environment variables.
    ///
    /// Either `ROSTER_QUANSHI_TOKEN`, or all of `ROSTER_QUANSHI_APP_ID`,
    /// `ROSTER_QUANSHI_SECRET_KEY` and `ROSTER_QUANSHI_USER_ID` must be set; the error names
    /// the first missing variable. Optional: `ROSTER_QUANSHI_BASE_URL`,
    /// `ROSTER_QUANSHI_EVENTS_BASE_URL`, `ROSTER_QUANSHI_JOIN_URL_PATH`,
    /// `ROSTER_QUANSHI_HOST_USER_ID`.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`QuanshiConfig::from_env`] with a custom variable lookup.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let settings = SettingLookup::new(lookup);
        let get = |name: &str| settings.get(name);
        let parse_id = |name: &str| settings.parse::<u64>(name, "a numeric Quanshi user id");
        let mut config = Self::new();
        config.app_key = get(ENV_APP_ID);
        config.secret_key = get(ENV_SECRET_KEY).map(SecretString::from);
        config.token = get(ENV_TOKEN).map(SecretString::from);
        config.admin_user_id = parse_id(ENV_USER_ID)?;
        config.host_user_id = parse_id(ENV_HOST_USER_ID)?;
        if let Some(url) = get(ENV_BASE_URL) {
            config.base_url = url;
        }
        if let Some(url) = get(ENV_EVENTS_BASE_URL) {
            config.events_base_url = url;
        }
        config.paths.join_url_lookup = get(ENV_JOIN_URL_PATH);
        if let Some(calls) = settings.calls_per_minute(ENV_CALLS_PER_MINUTE)? {
            config.calls_per_minute = calls;
        }
        if config.token.is_none() {
            for (name, present) in [
                (ENV_APP_ID, config.app_key.is_some()),
                (ENV_SECRET_KEY, config.secret_key.is_some()),
                (ENV_USER_ID, config.admin_user_id.is_some()),
            ] {
                if !present {
                    return Err(Error::config(format!(
                        "{name} is not set (set {ENV_APP_ID}, {ENV_SECRET_KEY} and {ENV_USER_ID}, or {ENV_TOKEN})"
                    )));
                }
            }
        }
        Ok(config)
    }

    /// Sets the AppKey / AppId.
    pub fn app_key(mut self, key: impl Into<String>) -> Self {
        self.app_key = Some(key.into());
        self
    }

    /// Sets the AppSecret.
    pub fn secret_key(mut self, secret: impl Into<String>) -> Self {
        self.secret_key = Some(SecretString::from(secret.into()));
        self
    }

    /// Sets the administrator's user id (for `token/create`).
    pub fn admin_user_id(mut self, id: u64) -> Self {
        self.admin_user_id = Some(id);
        self
    }

    /// Uses a fixed token instead of `token/create`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(SecretString::from(token.into()));
        self
    }

    /// Sets the default host user id.
    pub fn host_user_id(mut self, id: u64) -> Self {
        self.host_user_id = Some(id);
        self
    }

    /// Sets the confopenapi base URL.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sets the eventopenapi base URL.
    pub fn events_base_url(mut self, url: impl Into<String>) -> Self {
        self.events_base_url = url.into();
        self
    }

    /// Sets both base URLs (the sandbox serves both families on one host).
    pub fn base_urls(self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.base_url(url.clone()).events_base_url(url)
    }

    /// Sets the join-link lookup path (no default).
    pub fn join_url_lookup_path(mut self, path: impl Into<String>) -> Self {
        self.paths.join_url_lookup = Some(path.into());
        self
    }

    /// Replaces all paths.
    pub fn paths(mut self, paths: Paths) -> Self {
        self.paths = paths;
        self
    }

    /// Sets the auth mode and token placement of one family.
    pub fn auth(mut self, family: Family, mode: AuthMode, placement: TokenPlacement) -> Self {
        let auth = FamilyAuth { mode, placement };
        match family {
            Family::Conference => self.conference_auth = auth,
            Family::Events => self.events_auth = auth,
        }
        self
    }

    /// Sets the auth mode of one family, keeping its placement.
    pub fn auth_mode(mut self, family: Family, mode: AuthMode) -> Self {
        match family {
            Family::Conference => self.conference_auth.mode = mode,
            Family::Events => self.events_auth.mode = mode,
        }
        self
    }

    /// Sets the key header name.
    pub fn key_header(mut self, header: KeyHeader) -> Self {
        self.key_header = header;
        self
    }

    /// Sets the token field name of `token/create`.
    pub fn token_field(mut self, name: impl Into<String>) -> Self {
        self.token_field = name.into();
        self
    }

    /// Replaces the code → class mapping.
    pub fn errors(mut self, errors: ErrorMap) -> Self {
        self.errors = errors;
        self
    }

    /// Sets the v1 `watchDuration` reading.
    pub fn watch_duration(mut self, unit: WatchDurationUnit) -> Self {
        self.watch_duration = unit;
        self
    }

    /// Sets the `count` of `conference/attendee/list` (1 to 100).
    pub fn attendee_list_page_size(mut self, count: u32) -> Self {
        self.attendee_list_page_size = count;
        self
    }

    /// Sets the page guard of `conference/attendee/list`.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = pages;
        self
    }

    /// Sets the HTTP timeouts.
    pub fn http(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }

    /// Sets the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the client-side pacing (`0` disables either limit).
    pub fn pacing(mut self, calls_per_minute: u32, max_in_flight: usize) -> Self {
        self.calls_per_minute = calls_per_minute;
        self.max_in_flight = max_in_flight;
        self
    }

    /// Sets the clock.
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The auth settings of `family`.
    pub fn family_auth(&self, family: Family) -> FamilyAuth {
        match family {
            Family::Conference => self.conference_auth,
            Family::Events => self.events_auth,
        }
    }

    /// Checks the configuration; the error names the setting to fix.
    pub fn validate(&self) -> Result<()> {
        check_base_url("base_url", ENV_BASE_URL, &self.base_url)?;
        check_base_url(
            "events_base_url",
            ENV_EVENTS_BASE_URL,
            &self.events_base_url,
        )?;
        for (name, path) in [
            ("paths.conference_infos", &self.paths.conference_infos),
            ("paths.report_v1", &self.paths.report_v1),
            ("paths.report_v2", &self.paths.report_v2),
            ("paths.attendee_list", &self.paths.attendee_list),
            ("paths.token_create", &self.paths.token_create),
        ] {
            check_path(name, path)?;
        }
        if let Some(path) = &self.paths.join_url_lookup {
            // The one path a user sets: named by its setting, not the field.
            check_path(
                &format!("the join-link lookup path ({ENV_JOIN_URL_PATH})"),
                path,
            )?;
        }
        if self.token_field.trim().is_empty() {
            return Err(Error::config("token_field must not be empty"));
        }
        if !(1..=MAX_ATTENDEE_LIST_PAGE_SIZE).contains(&self.attendee_list_page_size) {
            return Err(Error::config(format!(
                "attendee_list_page_size must be between 1 and {MAX_ATTENDEE_LIST_PAGE_SIZE}, not {}",
                self.attendee_list_page_size
            )));
        }
        if self.max_pages == 0 {
            return Err(Error::config("max_pages must be at least 1"));
        }
        let modes = [self.conference_auth.mode, self.events_auth.mode];
        let signing = modes.contains(&AuthMode::Signature);
        let fetching = modes.contains(&AuthMode::Token) && self.token.is_none();
        if signing || fetching {
            let why = if signing {
                "signature mode"
            } else {
                "token mode without a fixed token (token/create)"
            };
            if self.app_key.as_deref().is_none_or(|k| k.trim().is_empty()) {
                return Err(Error::config(format!(
                    "the app key is not set ({ENV_APP_ID}); {why} needs it"
                )));
            }
            if self.secret_key.is_none() {
                return Err(Error::config(format!(
                    "the secret key is not set ({ENV_SECRET_KEY}); {why} needs it"
                )));
            }
        }
        if fetching && self.admin_user_id.is_none() {
            return Err(Error::config(format!(
                "the administrator user id is not set ({ENV_USER_ID}); token/create needs it (or set a fixed token, {ENV_TOKEN})"
            )));
        }
        Ok(())
    }
}

fn check_base_url(name: &str, env: &str, value: &str) -> Result<()> {
    roster_core::http::parse_base_url(&format!("{name} ({env})"), value).map(drop)
}

fn check_path(name: &str, path: &str) -> Result<()> {
    if path.starts_with('/') && !path.chars().any(char::is_whitespace) {
        Ok(())
    } else {
        Err(Error::config(format!(
            "{name} must be a path starting with '/' without spaces"
        )))
    }
}

/// Joins a base URL and a path (one slash between them).
pub(crate) fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim().trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::{ErrorKind, ExposeSecret};
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_follow_the_spec() {
        let c = QuanshiConfig::new();
        assert_eq!(c.base_url, "https://openapi.quanshi.com");
        assert_eq!(c.events_base_url, "https://events-openapi.quanshi.com");
        assert_eq!(c.paths.join_url_lookup, None);
        assert_eq!(c.paths.token_create, "/eventopenapi/token/create");
        assert_eq!(c.conference_auth.mode, AuthMode::Token);
        assert_eq!(c.conference_auth.placement, TokenPlacement::Header);
        assert_eq!(c.events_auth.placement, TokenPlacement::Both);
        assert_eq!(c.key_header, KeyHeader::AppKey);
        assert_eq!(c.token_field, "token");
        assert_eq!((c.calls_per_minute, c.max_in_flight), (120, 4));
        assert_eq!(c.attendee_list_page_size, 20);
        assert_eq!(c.retry.max_rate_limit_waits, 2);
        assert_eq!(c.retry.max_retries, 3);
    }

    #[test]
    fn env_names_the_missing_variable() {
        let e = QuanshiConfig::from_lookup(env(&[])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().contains("ROSTER_QUANSHI_APP_ID"), "{e}");
        let e = QuanshiConfig::from_lookup(env(&[(ENV_APP_ID, "k"), (ENV_SECRET_KEY, "s")]))
            .unwrap_err();
        assert!(
            e.to_string().contains("ROSTER_QUANSHI_USER_ID is not set"),
            "{e}"
        );
        let e =
            QuanshiConfig::from_lookup(env(&[(ENV_TOKEN, "t"), (ENV_USER_ID, "abc")])).unwrap_err();
        assert!(e.to_string().contains("ROSTER_QUANSHI_USER_ID"), "{e}");
        let c = QuanshiConfig::from_lookup(env(&[
            (ENV_APP_ID, "k"),
            (ENV_SECRET_KEY, "s3cr3t"),
            (ENV_USER_ID, " 19533553 "),
            (ENV_BASE_URL, "http://127.0.0.1:1"),
            (ENV_JOIN_URL_PATH, "/x/y"),
        ]))
        .unwrap();
        assert_eq!(c.admin_user_id, Some(19_533_553));
        assert_eq!(c.base_url, "http://127.0.0.1:1");
        assert_eq!(c.events_base_url, DEFAULT_EVENTS_BASE_URL);
        assert_eq!(c.paths.join_url_lookup.as_deref(), Some("/x/y"));
        assert_eq!(c.secret_key.unwrap().expose_secret(), "s3cr3t");
        let c = QuanshiConfig::from_lookup(env(&[(ENV_TOKEN, "tok")])).unwrap();
        assert!(c.validate().is_ok());
    }

    #[test]
    fn validation_names_the_setting() {
        let base = QuanshiConfig::new()
            .app_key("k")
            .secret_key("s")
            .admin_user_id(1);
        assert!(base.validate().is_ok());
        let cases: Vec<(QuanshiConfig, &str)> = vec![
            (base.clone().base_url("ftp://x"), "base_url"),
            (base.clone().events_base_url("nope"), "events_base_url"),
            (
                base.clone().join_url_lookup_path("no-slash"),
                "ROSTER_QUANSHI_JOIN_URL_PATH",
            ),
            (
                base.clone().attendee_list_page_size(101),
                "attendee_list_page_size",
            ),
            (
                base.clone().attendee_list_page_size(0),
                "attendee_list_page_size",
            ),
            (base.clone().token_field(" "), "token_field"),
            (
                QuanshiConfig::new().admin_user_id(1).secret_key("s"),
                "ROSTER_QUANSHI_APP_ID",
            ),
            (
                QuanshiConfig::new().app_key("k").admin_user_id(1),
                "ROSTER_QUANSHI_SECRET_KEY",
            ),
            (
                QuanshiConfig::new().app_key("k").secret_key("s"),
                "ROSTER_QUANSHI_USER_ID",
            ),
            (
                QuanshiConfig::new()
                    .token("t")
                    .auth_mode(Family::Conference, AuthMode::Signature),
                "ROSTER_QUANSHI_APP_ID",
            ),
        ];
        for (config, needle) in cases {
            let e = config.validate().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config);
            assert!(e.to_string().contains(needle), "{needle}: {e}");
        }
        // A fixed token alone is enough in token mode.
        assert!(QuanshiConfig::new().token("t").validate().is_ok());
    }

    #[test]
    fn debug_redacts_secrets() {
        let c = QuanshiConfig::new()
            .app_key("my-app")
            .secret_key("TOP-SECRET-1")
            .token("TOKEN-VALUE-2");
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("TOP-SECRET-1") && !shown.contains("TOKEN-VALUE-2"),
            "{shown}"
        );
        assert!(shown.contains("my-app"));
    }

    #[test]
    fn calls_per_minute_from_the_environment() {
        let base = |extra: Option<&'static str>| {
            move |name: &str| match name {
                ENV_TOKEN => Some("t".to_string()),
                ENV_CALLS_PER_MINUTE => extra.map(str::to_string),
                _ => None,
            }
        };
        let c = QuanshiConfig::from_lookup(base(None)).unwrap();
        assert_eq!(c.calls_per_minute, DEFAULT_CALLS_PER_MINUTE);
        let c = QuanshiConfig::from_lookup(base(Some("0"))).unwrap();
        assert_eq!(c.calls_per_minute, 0);
        let e = QuanshiConfig::from_lookup(base(Some("many"))).unwrap_err();
        assert!(e.message().contains(ENV_CALLS_PER_MINUTE));
    }

    #[test]
    fn url_joining() {
        assert_eq!(join_url("http://h:1/", "/a/b"), "http://h:1/a/b");
        assert_eq!(join_url("http://h:1", "/a"), "http://h:1/a");
        assert_eq!(join_url("http://h:1/base", "/a"), "http://h:1/base/a");
    }
}
