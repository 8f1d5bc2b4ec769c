//! WeCom (企业微信) meeting API emulator (docs/specs/wecom.md §9, "Emulator contract").
//!
//! Routes (every answer is HTTP 200 with an `errcode` body):
//!
//! | method and path | endpoint key |
//! |---|---|
//! | `GET /cgi-bin/gettoken` | `wecom.gettoken` |
//! | `POST /cgi-bin/meeting/get_attendee_list` | `wecom.get_attendee_list` |
//! | `POST /cgi-bin/meeting/enroll/list` | `wecom.enroll_list` |
//! | `POST /cgi-bin/meeting/enroll/query_by_tmp_openid` | `wecom.enroll_query_by_tmp_openid` |
//! | `POST /cgi-bin/meeting/get_info` | `wecom.get_info` |
//! | `POST /cgi-bin/meeting/get_user_meetingid` | `wecom.get_user_meetingid` |
//! | `POST /cgi-bin/meeting/webinar/enroll/list` | `wecom.webinar_enroll_list` |
//! | `POST /cgi-bin/meeting/webinar/enroll/query_by_tmp_openid` | `wecom.webinar_enroll_query_by_tmp_openid` |
//! | `POST /cgi-bin/meeting/get_realtime_attendee_list` | `wecom.get_realtime_attendee_list` |
//! | `POST /cgi-bin/meeting/waitingroom/get_user_list` | `wecom.waitingroom_get_user_list` |
//! | `POST /cgi-bin/meeting/get_invitees` | `wecom.get_invitees` |
//! | `POST /cgi-bin/user/list_id` | `wecom.user_list_id` |
//!
//! A business call is checked in this order: token (`41001`, `40014`, `42001`) → app enabled
//! (`50003`) → trusted IP (`60020`) → rate limits (`45009`) → concurrency cap (`45033`) → method (`40058`) → app allowed
//! to call meeting APIs, or for `user/list_id` a token of the address-book sync secret (`48002`
//! otherwise, both ways) → advanced tier (`730007`, advanced endpoints) → body
//! (`40058`) → the endpoint's own checks.
//!
//! Layout: [`token`] (gettoken, token checks, wrong-secret ban), [`error`] (envelope),
//! [`request`] (strict JSON bodies), [`store`] (meetings rendered once into JSON rows),
//! [`seed`] (the seed meetings), one file per endpoint and the ground-truth methods in `crate::truth`.

pub(crate) mod attendees;
pub(crate) mod contacts;
pub(crate) mod enroll;
mod error;
pub(crate) mod info;
pub(crate) mod invitees;
pub(crate) mod meetingids;
pub(crate) mod realtime;
mod request;
mod seed;
pub(crate) mod store;
mod token;
pub(crate) mod waitingroom;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State as AxState};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::any;

use self::error::{WcError, errmsg, error_response, json_response};
use self::request::Body;
use self::store::Store;
use crate::catalog::CatalogMeeting;
use crate::clock::minute_index;
use crate::config::SandboxConfig;
use crate::data::generator;
use crate::endpoint::{ActiveQuirks, VendorFault, VendorHooks, instrument, rejected};
use crate::faults::Quirk;
use crate::pager::{ListChain, PosRegistry};
use crate::query::QueryParams;
use crate::ratelimit::WindowCounter;
use crate::shared::Shared;

pub use crate::config::wecom::{WeComApp, WeComAppCredentials, WeComConfig, WeComCredentials};

/// Largest request body read; anything longer is `40058`.
const MAX_BODY: usize = 1 << 20;

/// One authenticated business call.
pub(crate) struct Call {
    /// Index of the calling app in [`WeComConfig::apps`].
    pub app: usize,
    /// The request body.
    pub body: Body,
    /// Response-shape quirks of this call.
    pub quirks: ActiveQuirks,
    /// Sandbox time at arrival.
    pub now: i64,
}

/// WeCom emulator state.
pub(crate) struct State {
    pub(crate) shared: Shared,
    pub(crate) config: WeComConfig,
    pub(crate) store: Store,
    pub(crate) tokens: token::Tokens,
    minute: WindowCounter,
    hour: WindowCounter,
    inflight: Mutex<HashMap<&'static str, u32>>,
    /// Run-time copies of each app's switches (see [`AppFlags`]).
    pub(crate) flags: Vec<AppFlags>,
    pub(crate) attendee_chains: PosRegistry<attendees::ChainKey, Arc<ListChain<store::Rendered>>>,
    pub(crate) enroll_chains: PosRegistry<enroll::ChainKey, Arc<store::Rendered>>,
    pub(crate) meetingid_chains: PosRegistry<meetingids::ChainKey, Arc<Vec<String>>>,
    pub(crate) member_chains: PosRegistry<(), Arc<Vec<contacts::DeptUser>>>,
    pub(crate) realtime_chains: PosRegistry<realtime::ChainKey, Arc<Vec<Box<str>>>>,
    pub(crate) waiting_chains: PosRegistry<waitingroom::ChainKey, Arc<Vec<Box<str>>>>,
    pub(crate) invitee_chains: PosRegistry<invitees::ChainKey, Arc<store::Rendered>>,
    hint_salt: u64,
    hint_seq: AtomicU64,
}

impl State {
    pub(crate) fn new(config: &SandboxConfig, shared: &Shared) -> Self {
        let mut wc = config.wecom.clone();
        if wc.apps.is_empty() {
            wc.apps = WeComConfig::default().apps;
        }
        State {
            shared: shared.clone(),
            flags: wc.apps.iter().map(AppFlags::new).collect(),
            store: Store::new(config, &wc, shared.anchor),
            tokens: token::Tokens::new(shared.seed),
            config: wc,
            minute: WindowCounter::default(),
            hour: WindowCounter::default(),
            inflight: Mutex::new(HashMap::new()),
            attendee_chains: PosRegistry::new(shared.seed, "wecom.get_attendee_list"),
            enroll_chains: PosRegistry::new(shared.seed, "wecom.enroll_list"),
            meetingid_chains: PosRegistry::new(shared.seed, "wecom.get_user_meetingid"),
            member_chains: PosRegistry::new(shared.seed, "wecom.user_list_id"),
            realtime_chains: PosRegistry::new(shared.seed, "wecom.get_realtime_attendee_list"),
            waiting_chains: PosRegistry::new(shared.seed, "wecom.waitingroom_get_user_list"),
            invitee_chains: PosRegistry::new(shared.seed, "wecom.get_invitees"),
            hint_salt: generator::hash64(shared.seed, &["wecom", "hint"]) % 1_000_000,
            hint_seq: AtomicU64::new(0),
        }
    }

    pub(crate) fn credentials(&self) -> WeComCredentials {
        let first = &self.config.apps[0];
        WeComCredentials {
            corp_id: self.config.corp_id.clone(),
            corp_secret: first.secret.clone(),
            agent_id: first.agent_id,
            userid: self.config.creator_userid.clone(),
            apps: self
                .config
                .apps
                .iter()
                .map(|a| WeComAppCredentials {
                    agent_id: a.agent_id,
                    secret: a.secret.clone(),
                })
                .collect(),
            contacts_secret: self.config.contacts_secret.clone(),
        }
    }

    pub(crate) fn catalog(&self) -> Vec<CatalogMeeting> {
        self.store.catalog(&self.config)
    }

    /// A meeting the calling app may read: `90602` unknown, `730008` deleted, `730005` created
    /// by another app.
    pub(crate) fn meeting(&self, app: usize, id: &str) -> Result<&Arc<store::Meeting>, WcError> {
        let m = self.store.get(id).ok_or_else(|| WcError::code(90602))?;
        self.check_access(app, m)?;
        Ok(m)
    }

    /// `730008` for a deleted meeting, `730005` for another app's meeting.
    pub(crate) fn check_access(&self, app: usize, m: &store::Meeting) -> Result<(), WcError> {
        if m.deleted {
            return Err(WcError::code(730008));
        }
        if m.app != app {
            return Err(WcError::code(730005));
        }
        Ok(())
    }

    /// A fresh 25-digit hint (request id) for an error message.
    fn hint(&self) -> String {
        let n = self.hint_seq.fetch_add(1, Ordering::Relaxed) % 1_000_000_000;
        let t = self.shared.clock.unix().rem_euclid(10_000_000_000);
        format!("{t:010}{n:09}{:06}", self.hint_salt)
    }

    /// The error answer, counted as a rejection with the errcode as reason.
    fn error_response(&self, e: WcError) -> Response {
        let msg = errmsg(&e.message, e.code, &self.hint());
        rejected(error_response(e.code, &msg), e.code.to_string())
    }

    /// A successful answer: `members` are the JSON members after `errcode`/`errmsg` (may be
    /// empty).
    fn success(&self, members: &str, quirks: &ActiveQuirks) -> Response {
        let omit = self.config.omit_success_code || quirks.has(Quirk::OmitSuccessCode);
        let mut body = String::with_capacity(members.len() + 32);
        body.push('{');
        if !omit {
            body.push_str("\"errcode\":0,\"errmsg\":\"ok\"");
            if !members.is_empty() {
                body.push(',');
            }
        }
        body.push_str(members);
        body.push('}');
        json_response(body)
    }

    /// Counts a call of `key` against the corp's per-minute and per-hour limits.
    pub(crate) fn rate_limit(&self, key: &'static str, now: i64) -> Result<(), WcError> {
        let k = format!("{}|{key}", self.config.corp_id);
        let hour = self.hour.hit(&k, now.div_euclid(3_600));
        let minute = self.minute.hit(&k, minute_index(now));
        if minute > self.config.per_minute || hour > self.config.per_hour {
            return Err(WcError::code(45009));
        }
        Ok(())
    }

    /// Takes a concurrency slot of `key` (`45033` when the cap is reached).
    fn enter(self: &Arc<Self>, key: &'static str) -> Result<Slot, WcError> {
        let Some(cap) = self.config.max_concurrency else {
            return Ok(Slot(None));
        };
        let mut g = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
        let n = g.entry(key).or_default();
        if *n >= cap {
            return Err(WcError::code(45033));
        }
        *n += 1;
        Ok(Slot(Some((self.clone(), key))))
    }

    /// Keeps the caller's slot until the sandbox clock reaches `arrival + hold_secs` (or the
    /// sandbox shuts down).
    async fn hold(&self, arrival: i64) {
        if self.config.hold_secs == 0 {
            return;
        }
        let until =
            arrival.saturating_add(i64::try_from(self.config.hold_secs).unwrap_or(i64::MAX));
        let step = Duration::from_millis(5);
        let started = Instant::now();
        while self.shared.clock.unix() < until && started.elapsed() < Duration::from_secs(3_600) {
            let t = Instant::now();
            self.shared.sleep(step).await;
            if t.elapsed() < step {
                break; // shutting down
            }
        }
    }
}

/// An app's switches, changeable while the sandbox runs (`/_sandbox/wecom/app`).
pub(crate) struct AppFlags {
    pub enabled: AtomicBool,
    pub meeting_api: AtomicBool,
    pub trusted_ip: AtomicBool,
}

impl AppFlags {
    fn new(app: &WeComApp) -> Self {
        AppFlags {
            enabled: AtomicBool::new(app.enabled),
            meeting_api: AtomicBool::new(app.meeting_api),
            trusted_ip: AtomicBool::new(app.trusted_ip),
        }
    }

    pub(crate) fn get(flag: &AtomicBool) -> bool {
        flag.load(Ordering::SeqCst)
    }
}

/// A concurrency slot, released on drop.
struct Slot(Option<(Arc<State>, &'static str)>);

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some((st, key)) = self.0.take() {
            let mut g = st.inflight.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(n) = g.get_mut(key) {
                *n = n.saturating_sub(1);
            }
        }
    }
}

impl VendorHooks for State {
    fn fault_reply(&self, _endpoint: &'static str, fault: VendorFault) -> Response {
        let code = match fault {
            VendorFault::Transient => -1,
            VendorFault::RateLimited => 45009,
            VendorFault::Code(c) => c,
        };
        let e = WcError::code(code);
        error_response(code, &errmsg(&e.message, code, &self.hint()))
    }

    fn revoke_tokens(&self) {
        self.tokens.revoke_all();
    }

    fn other_endpoint_body(&self, _endpoint: &'static str) -> serde_json::Value {
        // A `get_info` answer.
        serde_json::json!({
            "errcode": 0, "errmsg": "ok", "meetingid": "another-endpoint",
            "title": "another endpoint's answer", "meeting_type": 0,
            "attendees": {"member": [], "tmp_external_user": []}
        })
    }
}

/// An endpoint: an authenticated call in, the JSON members of the answer out.
type Endpoint = fn(&State, &Call) -> Result<String, WcError>;

async fn gettoken_route(AxState(st): AxState<Arc<State>>, req: Request) -> Response {
    let quirks = ActiveQuirks::of(&req);
    let (parts, _) = req.into_parts();
    match token::gettoken(&st, &parts) {
        Ok(members) => st.success(&members, &quirks),
        Err(e) => st.error_response(e),
    }
}

/// Who may call an endpoint.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// An app listed under 「可调用接口的应用」.
    Meeting,
    /// The same, and only with the advanced tier (会议高级功能).
    Advanced,
    /// Only the address-book sync secret's tokens.
    Contacts,
}

async fn handle(
    st: Arc<State>,
    req: Request,
    key: &'static str,
    access: Access,
    endpoint: Endpoint,
) -> Response {
    let quirks = ActiveQuirks::of(&req);
    let now = st.shared.clock.unix();
    let (parts, body) = req.into_parts();
    let q = QueryParams::parse(parts.uri.query());
    let app = match st.tokens.check(q.get("access_token"), now) {
        Ok(app) => app,
        Err(e) => return st.error_response(e),
    };
    // The address-book identity has no app switches.
    let flags = st.flags.get(app);
    if flags.is_some_and(|f| !AppFlags::get(&f.enabled)) {
        return st.error_response(WcError::code(50003));
    }
    if flags.is_some_and(|f| !AppFlags::get(&f.trusted_ip)) {
        return st.error_response(WcError::code(60020));
    }
    if let Err(e) = st.rate_limit(key, now) {
        return st.error_response(e);
    }
    let _slot = match st.enter(key) {
        Ok(s) => s,
        Err(e) => return st.error_response(e),
    };
    let result = async {
        if parts.method != Method::POST {
            return Err(WcError::invalid("this API must be called with POST"));
        }
        let allowed = match (access, flags) {
            (Access::Contacts, flags) => flags.is_none(),
            (_, Some(f)) => AppFlags::get(&f.meeting_api),
            (_, None) => false,
        };
        if !allowed {
            return Err(WcError::code(48002));
        }
        if access == Access::Advanced && !st.config.advanced_tier {
            return Err(WcError::code(730007));
        }
        let bytes = axum::body::to_bytes(body, MAX_BODY)
            .await
            .map_err(|_| WcError::wrong_json("the body is too large or unreadable"))?;
        let call = Call {
            app,
            body: Body::parse(&bytes)?,
            quirks,
            now,
        };
        endpoint(&st, &call).map(|members| (members, call.quirks))
    }
    .await;
    let response = match result {
        Ok((members, quirks)) => st.success(&members, &quirks),
        Err(e) => st.error_response(e),
    };
    st.hold(now).await;
    response
}

/// `POST /_sandbox/wecom/revoke_tokens[?agentid=N]`: the admin action that invalidates tokens
/// early (docs/specs/wecom.md §2.2): every token of app `N`, or of every app. Answers
/// `{"revoked_apps":[…]}`; an unknown or malformed `agentid` revokes nothing.
async fn revoke_route(AxState(st): AxState<Arc<State>>, req: Request) -> Response {
    let q = QueryParams::parse(req.uri().query());
    let apps: Vec<usize> = match q.non_empty("agentid") {
        None => (0..st.config.apps.len()).collect(),
        Some(a) => st
            .config
            .apps
            .iter()
            .position(|app| app.agent_id.to_string() == a)
            .into_iter()
            .collect(),
    };
    for &i in &apps {
        st.tokens.revoke_app(i);
    }
    if q.non_empty("agentid").is_none() {
        st.tokens.revoke_app(token::CONTACTS);
    }
    let agents: Vec<u32> = apps.iter().map(|&i| st.config.apps[i].agent_id).collect();
    json_response(serde_json::json!({ "revoked_apps": agents }).to_string())
}

/// `POST /_sandbox/wecom/app?agentid=N[&enabled=B][&meeting_api=B][&trusted_ip=B]` (`B`:
/// `true`/`false`/`1`/`0`): changes an app's switches while the sandbox runs (e.g. the IP becomes
/// untrusted after a token was issued). Answers the app's switches as JSON; an unknown app is
/// HTTP 404.
async fn app_route(AxState(st): AxState<Arc<State>>, req: Request) -> Response {
    let q = QueryParams::parse(req.uri().query());
    let Some(i) = q.non_empty("agentid").and_then(|a| {
        st.config
            .apps
            .iter()
            .position(|app| app.agent_id.to_string() == a)
    }) else {
        return (
            axum::http::StatusCode::NOT_FOUND,
            "{\"error\":\"unknown agentid\"}",
        )
            .into_response();
    };
    let f = &st.flags[i];
    for (name, flag) in [
        ("enabled", &f.enabled),
        ("meeting_api", &f.meeting_api),
        ("trusted_ip", &f.trusted_ip),
    ] {
        match q.get(name) {
            Some("true" | "1") => flag.store(true, Ordering::SeqCst),
            Some("false" | "0") => flag.store(false, Ordering::SeqCst),
            _ => {}
        }
    }
    json_response(
        serde_json::json!({
            "agentid": st.config.apps[i].agent_id,
            "enabled": AppFlags::get(&f.enabled),
            "meeting_api": AppFlags::get(&f.meeting_api),
            "trusted_ip": AppFlags::get(&f.trusted_ip),
        })
        .to_string(),
    )
}

/// The WeCom routes, each wrapped with the shared endpoint middleware.
pub(crate) fn router(state: Arc<State>, shared: &Shared) -> Router {
    let hooks: Arc<dyn VendorHooks> = state.clone();
    let route = |key: &'static str, access: Access, endpoint: Endpoint| {
        instrument(
            any(move |AxState(st): AxState<Arc<State>>, req: Request| {
                handle(st, req, key, access, endpoint)
            }),
            shared,
            hooks.clone(),
            key,
        )
    };
    Router::new()
        .route(
            "/_sandbox/wecom/revoke_tokens",
            axum::routing::post(revoke_route),
        )
        .route("/_sandbox/wecom/app", axum::routing::post(app_route))
        .route(
            "/cgi-bin/gettoken",
            instrument(any(gettoken_route), shared, hooks.clone(), "wecom.gettoken"),
        )
        .route(
            "/cgi-bin/meeting/get_attendee_list",
            route(
                "wecom.get_attendee_list",
                Access::Advanced,
                attendees::serve,
            ),
        )
        .route(
            "/cgi-bin/meeting/enroll/list",
            route("wecom.enroll_list", Access::Advanced, enroll::serve_list),
        )
        .route(
            "/cgi-bin/meeting/enroll/query_by_tmp_openid",
            route(
                "wecom.enroll_query_by_tmp_openid",
                Access::Advanced,
                enroll::serve_query,
            ),
        )
        .route(
            "/cgi-bin/meeting/webinar/enroll/list",
            route(
                "wecom.webinar_enroll_list",
                Access::Advanced,
                enroll::serve_webinar_list,
            ),
        )
        .route(
            "/cgi-bin/meeting/webinar/enroll/query_by_tmp_openid",
            route(
                "wecom.webinar_enroll_query_by_tmp_openid",
                Access::Advanced,
                enroll::serve_webinar_query,
            ),
        )
        .route(
            "/cgi-bin/meeting/get_realtime_attendee_list",
            route(
                "wecom.get_realtime_attendee_list",
                Access::Advanced,
                realtime::serve,
            ),
        )
        .route(
            "/cgi-bin/meeting/waitingroom/get_user_list",
            route(
                "wecom.waitingroom_get_user_list",
                Access::Advanced,
                waitingroom::serve,
            ),
        )
        .route(
            "/cgi-bin/meeting/get_invitees",
            route("wecom.get_invitees", Access::Advanced, invitees::serve),
        )
        .route(
            "/cgi-bin/meeting/get_info",
            route("wecom.get_info", Access::Meeting, info::serve),
        )
        .route(
            "/cgi-bin/meeting/get_user_meetingid",
            route(
                "wecom.get_user_meetingid",
                Access::Meeting,
                meetingids::serve,
            ),
        )
        .route(
            "/cgi-bin/user/list_id",
            route("wecom.user_list_id", Access::Contacts, contacts::serve),
        )
        .with_state(state)
}
