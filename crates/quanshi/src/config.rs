//! Client configuration: credentials, hosts, paths, auth modes and every undocumented choice of
//! the spec, each with the spec's default and a setter to change it.

use std::time::Duration;

use roster_core::{ClientOptions, Error, Pacer, Result, SecretString, SettingLookup, TokenMargin};

use crate::errors::ErrorMap;
use crate::token::REFRESH_MARGIN;

/// Default confopenapi host (docs/specs/quanshi.md §1).
pub const DEFAULT_BASE_URL: &str = "https://openapi.quanshi.com";
/// Default eventopenapi host (docs/specs/quanshi.md §1).
pub const DEFAULT_EVENTS_BASE_URL: &str = "https://events-openapi.quanshi.com";

/// Default path of `room/conference/infos` (docs/specs/quanshi.md §4.2).
pub const PATH_CONFERENCE_INFOS: &str = "/confopenapi/room/conference/infos";
/// Default path of `room/conference/list`, a host's meetings in a window (docs/specs/discovery.md §4).
pub const PATH_CONFERENCE_LIST: &str = "/confopenapi/room/conference/list";
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
/// Environment variable: retries of a transient failure per call (default 8, within 2 minutes).
pub const ENV_MAX_RETRIES: &str = "ROSTER_QUANSHI_MAX_RETRIES";
/// Environment variable (optional): `token` (default: a token from `token/create`, or the fixed
/// token) or `signature` (CheckSum headers on every call, no token), for both API families.
pub const ENV_AUTH: &str = "ROSTER_QUANSHI_AUTH";
/// Environment variable (optional): the hosts whose meetings `roster meetings` lists
/// (comma-separated user ids; default the host user id).
pub const ENV_HOSTS: &str = "ROSTER_QUANSHI_HOSTS";

/// How far before a discovery's range recurring series are looked for, by default.
pub const DEFAULT_SERIES_LOOKBACK: time::Duration = time::Duration::days(90);
/// The prefix of every Quanshi setting.
pub const ENV_PREFIX: &str = "ROSTER_QUANSHI";

/// Every variable [`roster_core::ClientBuilder::from_lookup`] reads (a `roster.toml` key outside it is a
/// typo).
pub const ENV_VARS: [&str; 12] = [
    ENV_APP_ID,
    ENV_SECRET_KEY,
    ENV_TOKEN,
    ENV_USER_ID,
    ENV_HOST_USER_ID,
    ENV_BASE_URL,
    ENV_EVENTS_BASE_URL,
    ENV_JOIN_URL_PATH,
    ENV_CALLS_PER_MINUTE,
    ENV_MAX_RETRIES,
    ENV_HOSTS,
    ENV_AUTH,
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

impl std::str::FromStr for AuthMode {
    type Err = ();

    /// `token` or `signature`, in any case.
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        match s.to_ascii_lowercase().as_str() {
            "token" => Ok(AuthMode::Token),
            "signature" => Ok(AuthMode::Signature),
            _ => Err(()),
        }
    }
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
    /// `room/conference/list`.
    pub conference_list: String,
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
            conference_list: PATH_CONFERENCE_LIST.into(),
            report_v1: PATH_REPORT_V1.into(),
            report_v2: PATH_REPORT_V2.into(),
            attendee_list: PATH_ATTENDEE_LIST.into(),
            token_create: PATH_TOKEN_CREATE.into(),
        }
    }
}

/// Who the client is: the app's key and secret (signature mode, and `token/create` with the
/// administrator's user id), and/or a fixed token used instead of `token/create`. `Debug`
/// never shows the secret or the token.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub(crate) app_key: Option<String>,
    pub(crate) secret_key: Option<SecretString>,
    pub(crate) admin_user_id: Option<u64>,
    pub(crate) token: Option<SecretString>,
}

impl Credentials {
    /// The app's AppKey / AppId and AppSecret.
    pub fn new(app_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self {
            app_key: Some(app_key.into()),
            secret_key: Some(SecretString::from(secret_key.into())),
            ..Self::default()
        }
    }

    /// Only a fixed token (token mode on both families; it cannot be refreshed).
    pub fn fixed_token(token: impl Into<String>) -> Self {
        Self::default().token(token)
    }

    /// The administrator's Quanshi user id, sent to `token/create`.
    pub fn admin_user_id(mut self, id: u64) -> Self {
        self.admin_user_id = Some(id);
        self
    }

    /// A fixed token used instead of `token/create`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(SecretString::from(token.into()));
        self
    }
}

/// Everything a [`QuanshiClient`](crate::QuanshiClient) is built from: [`Credentials`], the
/// shared [`ClientOptions`] (set through [`roster_core::ClientBuilder`]'s provided methods;
/// the base URL is the confopenapi host) and Quanshi's own settings, each undocumented choice
/// of the spec with its default. Start from
/// [`QuanshiClient::builder`](crate::QuanshiClient::builder) or
/// [`roster_core::ClientBuilder::from_env`].
#[derive(Debug, Clone)]
pub struct QuanshiClientBuilder {
    pub(crate) credentials: Credentials,
    pub(crate) options: ClientOptions,
    pub(crate) host_user_id: Option<u64>,
    pub(crate) discovery_hosts: Vec<u64>,
    pub(crate) series_lookback: time::Duration,
    pub(crate) events_base_url: String,
    pub(crate) paths: Paths,
    pub(crate) conference_auth: FamilyAuth,
    pub(crate) events_auth: FamilyAuth,
    pub(crate) key_header: KeyHeader,
    pub(crate) token_field: String,
    pub(crate) token_margin: TokenMargin,
    pub(crate) errors: ErrorMap,
    pub(crate) max_clock_skew: Duration,
    pub(crate) watch_duration: WatchDurationUnit,
    pub(crate) attendee_list_page_size: u32,
    pub(crate) max_pages: u32,
}

impl QuanshiClientBuilder {
    /// The spec's defaults with these credentials: token mode (header on confopenapi, body and
    /// header on eventopenapi), 120 calls a minute and 4 in flight, core's retry policy.
    pub fn new(credentials: Credentials) -> Self {
        let pacer =
            Pacer::per_minute(DEFAULT_CALLS_PER_MINUTE).with_max_in_flight(DEFAULT_MAX_IN_FLIGHT);
        let token = |placement| FamilyAuth {
            mode: AuthMode::Token,
            placement,
        };
        Self {
            credentials,
            options: ClientOptions::new(DEFAULT_BASE_URL, pacer),
            host_user_id: None,
            discovery_hosts: Vec::new(),
            series_lookback: DEFAULT_SERIES_LOOKBACK,
            events_base_url: DEFAULT_EVENTS_BASE_URL.into(),
            paths: Paths::default(),
            conference_auth: token(TokenPlacement::Header),
            events_auth: token(TokenPlacement::Both),
            key_header: KeyHeader::AppKey,
            token_field: DEFAULT_TOKEN_FIELD.into(),
            token_margin: REFRESH_MARGIN,
            errors: ErrorMap::default(),
            max_clock_skew: DEFAULT_MAX_CLOCK_SKEW,
            watch_duration: WatchDurationUnit::Unparsed,
            attendee_list_page_size: DEFAULT_ATTENDEE_LIST_PAGE_SIZE,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }

    /// Replaces the credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// The meetings' host user id, used by `room/conference/infos` and the v1 report when the
    /// caller gives none (registrations by meeting id).
    pub fn host_user_id(mut self, id: u64) -> Self {
        self.host_user_id = Some(id);
        self
    }

    /// How far before a discovery's range recurring series are looked for (default 90
    /// days): the meeting list filters on a series' scheduled start, so a weekly series that
    /// began before the range is found only by listing from earlier; its runs are kept only
    /// when they start in the range.
    pub fn series_lookback(mut self, lookback: time::Duration) -> Self {
        self.series_lookback = lookback.max(time::Duration::ZERO);
        self
    }

    /// The hosts whose meetings [`roster_core::MeetingDirectory::meetings`] lists (default:
    /// the host user id).
    pub fn discovery_hosts(mut self, hosts: impl IntoIterator<Item = u64>) -> Self {
        self.discovery_hosts = hosts.into_iter().collect();
        self
    }

    /// The eventopenapi base URL (`token/create`; default [`DEFAULT_EVENTS_BASE_URL`]).
    pub fn events_base_url(mut self, url: impl Into<String>) -> Self {
        self.events_base_url = url.into();
        self
    }

    /// The join-link lookup path (no default: the real path is unknown).
    pub fn join_url_lookup_path(mut self, path: impl Into<String>) -> Self {
        self.paths.join_url_lookup = Some(path.into());
        self
    }

    /// Replaces all endpoint paths.
    pub fn paths(mut self, paths: Paths) -> Self {
        self.paths = paths;
        self
    }

    /// The auth mode and token placement of one family.
    pub fn auth(mut self, family: Family, mode: AuthMode, placement: TokenPlacement) -> Self {
        *self.family_auth_mut(family) = FamilyAuth { mode, placement };
        self
    }

    /// The auth mode of one family, keeping its placement.
    pub fn auth_mode(mut self, family: Family, mode: AuthMode) -> Self {
        self.family_auth_mut(family).mode = mode;
        self
    }

    /// The key header name of signed calls (default `AppKey`).
    pub fn key_header(mut self, header: KeyHeader) -> Self {
        self.key_header = header;
        self
    }

    /// The token field name of `token/create`'s `data` (default `token`).
    pub fn token_field(mut self, name: impl Into<String>) -> Self {
        self.token_field = name.into();
        self
    }

    /// How long before expiry a token is refreshed (default [`REFRESH_MARGIN`]).
    pub fn token_margin(mut self, margin: TokenMargin) -> Self {
        self.token_margin = margin;
        self
    }

    /// Vendor code → error class (default: docs/specs/quanshi.md §6).
    pub fn errors(mut self, errors: ErrorMap) -> Self {
        self.errors = errors;
        self
    }

    /// A rejected signature is reported as clock skew when the server's time differs from
    /// ours by more than this (default 5 min).
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_clock_skew = skew;
        self
    }

    /// How to read the v1 `watchDuration`.
    pub fn watch_duration(mut self, unit: WatchDurationUnit) -> Self {
        self.watch_duration = unit;
        self
    }

    /// The `count` of `conference/attendee/list` (1 to 100, default 20); checked by `build`.
    pub fn attendee_list_page_size(mut self, count: u32) -> Self {
        self.attendee_list_page_size = count;
        self
    }

    /// The page guard of `conference/attendee/list` (default 10,000).
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = pages;
        self
    }

    /// The auth settings of `family`.
    pub fn family_auth(&self, family: Family) -> FamilyAuth {
        match family {
            Family::Conference => self.conference_auth,
            Family::Events => self.events_auth,
        }
    }

    fn family_auth_mut(&mut self, family: Family) -> &mut FamilyAuth {
        match family {
            Family::Conference => &mut self.conference_auth,
            Family::Events => &mut self.events_auth,
        }
    }

    /// [`roster_core::ClientBuilder::from_lookup`] for Quanshi.
    pub(crate) fn read(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let settings = SettingLookup::new(lookup);
        let get = |name: &str| settings.get(name);
        let parse_id = |name: &str| settings.parse::<u64>(name, "a numeric Quanshi user id");
        let credentials = Credentials {
            app_key: get(ENV_APP_ID),
            secret_key: get(ENV_SECRET_KEY).map(SecretString::from),
            admin_user_id: parse_id(ENV_USER_ID)?,
            token: get(ENV_TOKEN).map(SecretString::from),
        };
        let mut builder = Self::new(credentials);
        builder.host_user_id = parse_id(ENV_HOST_USER_ID)?;
        if let Some(hosts) = get(ENV_HOSTS) {
            builder.discovery_hosts = hosts
                .split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(|h| {
                    h.parse::<u64>().map_err(|_| {
                        Error::config(format!(
                            "{ENV_HOSTS} must be comma-separated numeric user ids"
                        ))
                    })
                })
                .collect::<Result<_>>()?;
        }
        builder.options.read_settings(&settings, ENV_PREFIX)?;
        if let Some(url) = get(ENV_EVENTS_BASE_URL) {
            builder.events_base_url = url;
        }
        builder.paths.join_url_lookup = get(ENV_JOIN_URL_PATH);
        let mode = settings.parse::<AuthMode>(ENV_AUTH, "token or signature")?;
        if let Some(mode) = mode {
            builder = builder
                .auth_mode(Family::Conference, mode)
                .auth_mode(Family::Events, mode);
        }
        let c = &builder.credentials;
        if c.token.is_none() {
            for (name, present) in [
                (ENV_APP_ID, c.app_key.is_some()),
                (ENV_SECRET_KEY, c.secret_key.is_some()),
                (ENV_USER_ID, c.admin_user_id.is_some()),
            ] {
                if !present {
                    return Err(Error::config(format!(
                        "{name} is not set (set {ENV_APP_ID}, {ENV_SECRET_KEY} and {ENV_USER_ID}, or {ENV_TOKEN})"
                    )));
                }
            }
        }
        Ok(builder)
    }

    /// Checks the configuration; the error names the setting to fix.
    pub(crate) fn validate(&self) -> Result<()> {
        check_base_url("base_url", ENV_BASE_URL, self.options.base_url())?;
        check_base_url(
            "events_base_url",
            ENV_EVENTS_BASE_URL,
            &self.events_base_url,
        )?;
        for (name, path) in [
            ("paths.conference_infos", &self.paths.conference_infos),
            ("paths.conference_list", &self.paths.conference_list),
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
        let c = &self.credentials;
        let modes = [self.conference_auth.mode, self.events_auth.mode];
        let signing = modes.contains(&AuthMode::Signature);
        let fetching = modes.contains(&AuthMode::Token) && c.token.is_none();
        if signing || fetching {
            let why = if signing {
                "signature mode"
            } else {
                "token mode without a fixed token (token/create)"
            };
            if c.app_key.as_deref().is_none_or(|k| k.trim().is_empty()) {
                return Err(Error::config(format!(
                    "the app key is not set ({ENV_APP_ID}); {why} needs it"
                )));
            }
            if c.secret_key.is_none() {
                return Err(Error::config(format!(
                    "the secret key is not set ({ENV_SECRET_KEY}); {why} needs it"
                )));
            }
        }
        if fetching && c.admin_user_id.is_none() {
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
    use roster_core::{ClientBuilder, ErrorKind, ExposeSecret};
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn read(lookup: impl Fn(&str) -> Option<String>) -> Result<QuanshiClientBuilder> {
        QuanshiClientBuilder::read(lookup)
    }

    fn app(key: Option<&str>, secret: Option<&str>, admin: Option<u64>) -> QuanshiClientBuilder {
        QuanshiClientBuilder::new(Credentials {
            app_key: key.map(str::to_string),
            secret_key: secret.map(|s| SecretString::from(s.to_string())),
            admin_user_id: admin,
            token: None,
        })
    }

    #[test]
    fn defaults_follow_the_spec() {
        let c = QuanshiClientBuilder::new(Credentials::default());
        assert_eq!(c.options.base_url(), "https://openapi.quanshi.com");
        assert_eq!(c.events_base_url, "https://events-openapi.quanshi.com");
        assert_eq!(c.paths.join_url_lookup, None);
        assert_eq!(c.paths.token_create, "/eventopenapi/token/create");
        assert_eq!(c.conference_auth.mode, AuthMode::Token);
        assert_eq!(c.conference_auth.placement, TokenPlacement::Header);
        assert_eq!(c.events_auth.placement, TokenPlacement::Both);
        assert_eq!(c.key_header, KeyHeader::AppKey);
        assert_eq!(c.token_field, "token");
        assert_eq!(c.options.pacer().calls_per_minute(), Some(120));
        assert_eq!(c.options.pacer().max_in_flight(), Some(4));
        assert_eq!(c.attendee_list_page_size, 20);
        assert_eq!(c.options.retry_policy().max_rate_limit_waits, 2);
        assert_eq!(c.options.retry_policy().max_retries, 8);
    }

    #[test]
    fn env_names_the_missing_variable() {
        let e = read(env(&[])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().contains("ROSTER_QUANSHI_APP_ID"), "{e}");
        let e = read(env(&[(ENV_APP_ID, "k"), (ENV_SECRET_KEY, "s")])).unwrap_err();
        assert!(
            e.to_string().contains("ROSTER_QUANSHI_USER_ID is not set"),
            "{e}"
        );
        let e = read(env(&[(ENV_TOKEN, "t"), (ENV_USER_ID, "abc")])).unwrap_err();
        assert!(e.to_string().contains("ROSTER_QUANSHI_USER_ID"), "{e}");
        let c = read(env(&[
            (ENV_APP_ID, "k"),
            (ENV_SECRET_KEY, "s3cr3t"),
            (ENV_USER_ID, " 19533553 "),
            (ENV_BASE_URL, "http://127.0.0.1:1"),
            (ENV_JOIN_URL_PATH, "/x/y"),
        ]))
        .unwrap();
        assert_eq!(c.credentials.admin_user_id, Some(19_533_553));
        assert_eq!(c.options.base_url(), "http://127.0.0.1:1");
        assert_eq!(c.events_base_url, DEFAULT_EVENTS_BASE_URL);
        assert_eq!(c.paths.join_url_lookup.as_deref(), Some("/x/y"));
        assert_eq!(c.credentials.secret_key.unwrap().expose_secret(), "s3cr3t");
        let c = read(env(&[(ENV_TOKEN, "tok")])).unwrap();
        assert!(c.validate().is_ok());
    }

    #[test]
    fn auth_mode_is_read_from_the_environment() {
        let both = |c: &QuanshiClientBuilder| (c.conference_auth.mode, c.events_auth.mode);
        let c = read(env(&[(ENV_TOKEN, "tok")])).unwrap();
        assert_eq!(both(&c), (AuthMode::Token, AuthMode::Token));
        let c = read(env(&[
            (ENV_APP_ID, "k"),
            (ENV_SECRET_KEY, "s"),
            (ENV_USER_ID, "1"),
            (ENV_AUTH, " Signature "),
        ]))
        .unwrap();
        assert_eq!(both(&c), (AuthMode::Signature, AuthMode::Signature));
        // Placements are kept: only the mode changes.
        assert_eq!(c.events_auth.placement, TokenPlacement::Both);
        assert!(c.validate().is_ok());
        // Signature mode with only a fixed token cannot sign.
        let e = read(env(&[(ENV_TOKEN, "tok"), (ENV_AUTH, "signature")]))
            .unwrap()
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("ROSTER_QUANSHI_APP_ID"), "{e}");
        let e = read(env(&[(ENV_TOKEN, "tok"), (ENV_AUTH, "hmac-s3cr3t")])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        let text = e.to_string();
        assert!(text.contains("ROSTER_QUANSHI_AUTH") && text.contains("token or signature"));
        assert!(
            !text.contains("s3cr3t"),
            "the value is never repeated: {text}"
        );
    }

    #[test]
    fn validation_names_the_setting() {
        let base = app(Some("k"), Some("s"), Some(1));
        assert!(base.validate().is_ok());
        let cases: Vec<(QuanshiClientBuilder, &str)> = vec![
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
            (app(None, Some("s"), Some(1)), "ROSTER_QUANSHI_APP_ID"),
            (app(Some("k"), None, Some(1)), "ROSTER_QUANSHI_SECRET_KEY"),
            (app(Some("k"), Some("s"), None), "ROSTER_QUANSHI_USER_ID"),
            (
                QuanshiClientBuilder::new(Credentials::fixed_token("t"))
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
        assert!(
            QuanshiClientBuilder::new(Credentials::fixed_token("t"))
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn debug_redacts_secrets() {
        let c = QuanshiClientBuilder::new(
            Credentials::new("my-app", "TOP-SECRET-1").token("TOKEN-VALUE-2"),
        );
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
        let c = read(base(None)).unwrap();
        assert_eq!(
            c.options.pacer().calls_per_minute(),
            Some(DEFAULT_CALLS_PER_MINUTE)
        );
        let c = read(base(Some("0"))).unwrap();
        assert_eq!(c.options.pacer().calls_per_minute(), None);
        assert_eq!(
            c.options.pacer().max_in_flight(),
            Some(DEFAULT_MAX_IN_FLIGHT)
        );
        let e = read(base(Some("many"))).unwrap_err();
        assert!(e.message().contains(ENV_CALLS_PER_MINUTE));
    }

    #[test]
    fn url_joining() {
        assert_eq!(join_url("http://h:1/", "/a/b"), "http://h:1/a/b");
        assert_eq!(join_url("http://h:1", "/a"), "http://h:1/a");
        assert_eq!(join_url("http://h:1/base", "/a"), "http://h:1/base/a");
    }
}
