//! Tencent Meeting (腾讯会议) REST API emulator (docs/specs/tencent-meeting.md §9).
//!
//! Routes (all `GET` but the export job's `POST`; other methods get `200004`):
//!
//! | path | endpoint key |
//! |---|---|
//! | `/v1/meetings/{meeting_id}/participants` | `tencent.participants` |
//! | `/v1/meetings/{meeting_id}` | `tencent.meeting_detail` |
//! | `/v1/meetings/{meeting_id}/enroll/approvals` | `tencent.enroll_approvals` |
//! | `/v1/webinars/{meeting_id}/enroll/approvals` | `tencent.webinar_enroll_approvals` |
//! | `/v1/meetings/{meeting_id}/invitees` | `tencent.invitees` |
//! | `/v1/corp/meetings` | `tencent.corp_meetings` |
//! | `/v1/history/meetings/{userid}` | `tencent.history_meetings` |
//! | `POST /v1/meetings/export-participants-list` | `tencent.export_participants` |
//! | `/v1/export/{job_id}` | `tencent.export_job` |
//! | `/sandbox/export/{token}` (unsigned: the export's download `url`) | `tencent.export_download` |
//! | `/v1/meetings/sign-in/list` | `tencent.sign_in_rounds` |
//! | `/v1/meetings/sign-in` | `tencent.sign_in_records` |
//! | `/v1/meetings/{meeting_id}/real-time-participants` | `tencent.realtime_participants` |
//! | `/v1/meeting/{meeting_id}/waiting-room` | `tencent.waiting_room` |
//!
//! Layout: [`sign`] (signature), [`auth`] (header checks in spec order, replay, rate limits),
//! [`error`] (envelope), [`store`] (meetings rendered once into JSON rows), [`seed`] (the seed
//! meetings), one file per endpoint, and the ground-truth methods in `crate::truth`.

mod auth;
pub(crate) mod corp;
pub(crate) mod detail;
mod enroll;
mod error;
pub(crate) mod export;
pub(crate) mod history;
mod invitees;
mod participants;
pub(crate) mod realtime;
mod seed;
mod sign;
pub(crate) mod signin;
pub(crate) mod store;
mod waiting;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State as AxState};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use self::auth::{Caller, ReplayCache};
use self::error::TcError;
use self::store::Store;
use crate::catalog::CatalogMeeting;
use crate::config::SandboxConfig;
use crate::data::generator;
use crate::endpoint::{ActiveQuirks, VendorFault, VendorHooks, instrument, rejected};
use crate::pager::{ListChain, PosRegistry};
use crate::query::{QueryParams, decode_path_segment};
use crate::ratelimit::WindowCounter;
use crate::shared::Shared;

pub use crate::config::tencent::{TencentApp, TencentConfig, TencentCredentials};

/// Largest request body read (GET requests normally have none).
const MAX_BODY: usize = 1 << 20;

/// Who a request says it acts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Operator {
    /// An enterprise userid.
    User(String),
    /// An open_id or rooms_id: never a creator or an admin here.
    Other,
}

impl From<&Who> for Operator {
    fn from(w: &Who) -> Self {
        match w {
            Who::UserId(u) => Operator::User(u.clone()),
            _ => Operator::Other,
        }
    }
}

/// Tencent emulator state.
pub(crate) struct State {
    pub(crate) shared: Shared,
    pub(crate) config: TencentConfig,
    pub(crate) store: Store,
    pub(crate) replay: Mutex<ReplayCache>,
    pub(crate) minute: WindowCounter,
    pub(crate) day: WindowCounter,
    pub(crate) participant_chains:
        PosRegistry<participants::ChainKey, Arc<ListChain<store::Rendered>>>,
    pub(crate) invitee_chains: PosRegistry<invitees::ChainKey, Arc<store::Rendered>>,
    /// Export jobs and their download tokens (§12.3).
    pub(crate) export: export::SharedJobs,
    catalog: std::sync::OnceLock<Vec<CatalogMeeting>>,
    trace_salt: u64,
    trace_seq: AtomicU64,
    transient_seq: AtomicU64,
}

impl State {
    pub(crate) fn new(config: &SandboxConfig, shared: &Shared) -> Self {
        let mut tc = config.tencent.clone();
        if tc.apps.is_empty() {
            tc.apps = TencentConfig::default().apps;
        }
        State {
            shared: shared.clone(),
            store: Store::new(config, &tc, shared.anchor),
            config: tc,
            replay: Mutex::new(ReplayCache::default()),
            minute: WindowCounter::default(),
            day: WindowCounter::default(),
            participant_chains: PosRegistry::new(shared.seed, "tencent.participants"),
            invitee_chains: PosRegistry::new(shared.seed, "tencent.invitees"),
            export: Mutex::new(export::Jobs::default()),
            catalog: std::sync::OnceLock::new(),
            trace_salt: generator::hash64(shared.seed, &["tencent", "trace"]),
            trace_seq: AtomicU64::new(0),
            transient_seq: AtomicU64::new(0),
        }
    }

    pub(crate) fn credentials(&self, app: usize) -> TencentCredentials {
        let a = &self.config.apps[app.min(self.config.apps.len() - 1)];
        TencentCredentials {
            app_id: a.app_id.clone(),
            secret_id: a.secret_id.clone(),
            secret_key: a.secret_key.clone(),
            sdk_id: a.sdk_id.clone(),
            userid: self.config.creator_userid.clone(),
            admin_userid: self.config.admin_userids.first().cloned(),
        }
    }

    pub(crate) fn all_credentials(&self) -> Vec<TencentCredentials> {
        (0..self.config.apps.len())
            .map(|i| self.credentials(i))
            .collect()
    }

    /// The catalog (built once: the meetings and their plans never change).
    pub(crate) fn catalog(&self) -> Vec<CatalogMeeting> {
        self.catalog.get_or_init(|| self.store.catalog()).clone()
    }

    /// Whether `op` may read everything about `m` (its creator or an enterprise admin).
    pub(crate) fn is_creator_or_admin(&self, m: &store::Meeting, op: &Operator) -> bool {
        match op {
            Operator::User(u) => *u == m.creator || self.config.admin_userids.contains(u),
            Operator::Other => false,
        }
    }

    /// Whether `op` is the creator of `m`.
    pub(crate) fn is_creator(m: &store::Meeting, op: &Operator) -> bool {
        matches!(op, Operator::User(u) if *u == m.creator)
    }

    fn error_response(&self, e: TcError) -> Response {
        let reason = e.code.to_string();
        rejected(e.into_response(self.config.new_error_code), reason)
    }
}

impl VendorHooks for State {
    fn fault_reply(&self, _endpoint: &'static str, fault: VendorFault) -> Response {
        let code = match fault {
            VendorFault::Transient => {
                if self
                    .transient_seq
                    .fetch_add(1, Ordering::Relaxed)
                    .is_multiple_of(2)
                {
                    41
                } else {
                    5108
                }
            }
            VendorFault::RateLimited => 190310,
            VendorFault::Code(c) => c,
        };
        TcError::code(code).into_response(self.config.new_error_code)
    }

    fn other_endpoint_body(&self, _endpoint: &'static str) -> serde_json::Value {
        // A meeting-detail answer.
        serde_json::json!({
            "meeting_number": 1,
            "meeting_info_list": [{"meeting_id": "1", "meeting_code": "100000001",
                "subject": "another endpoint's answer", "type": 0}]
        })
    }

    fn decorate(&self, response: &mut Response) {
        let n = self.trace_seq.fetch_add(1, Ordering::Relaxed);
        let trace = format!("{:016x}{:016x}", self.trace_salt, n);
        if let Ok(v) = HeaderValue::from_str(&trace) {
            response.headers_mut().insert("X-TC-Trace", v);
        }
    }
}

/// Operator from `userid` (first) or `operator_id` + `operator_id_type`.
pub(crate) fn operator_userid_first(q: &QueryParams) -> Result<Operator, TcError> {
    if let Some(u) = q.non_empty("userid") {
        return Ok(Operator::User(u.to_owned()));
    }
    operator_param(q)?.ok_or_else(|| TcError::invalid("userid or operator_id is required"))
}

/// Operator from `operator_id` + `operator_id_type` (first) or the legacy `userid`.
pub(crate) fn operator_id_first(q: &QueryParams) -> Result<Operator, TcError> {
    if let Some(op) = operator_param(q)? {
        return Ok(op);
    }
    q.non_empty("userid")
        .map(|u| Operator::User(u.to_owned()))
        .ok_or_else(|| TcError::invalid("operator_id (or userid) is required"))
}

fn operator_param(q: &QueryParams) -> Result<Option<Operator>, TcError> {
    let Some(id) = q.non_empty("operator_id") else {
        return Ok(None);
    };
    match q.int("operator_id_type") {
        Ok(Some(1)) => Ok(Some(Operator::User(id.to_owned()))),
        Ok(Some(2 | 3)) => Ok(Some(Operator::Other)),
        _ => Err(TcError::invalid("operator_id_type must be 1, 2 or 3")),
    }
}

/// An integer query parameter; `190004` naming it when it is not an integer.
pub(crate) fn int_param(q: &QueryParams, name: &'static str) -> Result<Option<i64>, TcError> {
    q.int(name).map_err(|_| TcError::invalid(name))
}

/// The `{meeting_id}` path segment, percent-decoded.
pub(crate) fn meeting_id(path: &str) -> String {
    path_id(path, "/v1/meetings/")
}

/// The path segment after `prefix`, percent-decoded (`""` when the path does not start so).
pub(crate) fn path_id(path: &str, prefix: &str) -> String {
    let rest = path.strip_prefix(prefix).unwrap_or("");
    decode_path_segment(rest.split('/').next().unwrap_or(""))
}

/// An operator of the round-two endpoints (docs/specs/tencent-meeting.md §12): `operator_id`
/// read per `operator_id_type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Who {
    /// Type 1: an enterprise userid.
    UserId(String),
    /// Type 2 (open_id) or 3 (rooms_id): never a creator, host or admin here.
    Other(String),
    /// Type 4: a per-meeting `ms_open_id` (the sign-in pages).
    MsOpenId(String),
}

/// `operator_id` (required) and `operator_id_type` (required, one of `types`); anything else
/// is `190004`.
pub(crate) fn who(q: &QueryParams, types: &[i64]) -> Result<Who, TcError> {
    let id = q
        .non_empty("operator_id")
        .ok_or_else(|| TcError::invalid("operator_id is required"))?
        .to_owned();
    match int_param(q, "operator_id_type")? {
        Some(t) if types.contains(&t) => Ok(match t {
            1 => Who::UserId(id),
            4 => Who::MsOpenId(id),
            _ => Who::Other(id),
        }),
        _ => Err(TcError::invalid(format!(
            "operator_id_type must be one of {types:?}"
        ))),
    }
}

/// What an operator is to one meeting.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Standing {
    /// The meeting's creator.
    pub creator: bool,
    /// An enterprise super-admin.
    pub admin: bool,
    /// An attendee with a host role (`user_role` 2, 3 or 5).
    pub host: bool,
    /// An attendee with a co-host role (`user_role` 6 or 7).
    pub cohost: bool,
}

impl State {
    /// What `who` is to `m` (attendee roles from the rows served to `app`).
    pub(crate) fn standing(&self, m: &store::Meeting, app: usize, who: &Who) -> Standing {
        let rendered = self.store.rendered(m, app);
        let person = rendered.people.iter().find(|p| match who {
            Who::UserId(u) => p.userid.as_deref() == Some(u.as_str()),
            Who::MsOpenId(o) => p.ms_open_id == *o,
            Who::Other(_) => false,
        });
        let userid = match who {
            Who::UserId(u) => Some(u.as_str()),
            _ => person.and_then(|p| p.userid.as_deref()),
        };
        Standing {
            creator: userid == Some(m.creator.as_str()),
            admin: userid.is_some_and(|u| self.config.admin_userids.iter().any(|a| a == u)),
            host: person.is_some_and(store::Person::is_host),
            cohost: person.is_some_and(store::Person::is_cohost),
        }
    }

    /// Whether `userid` is a user of the enterprise: an admin, the default creator, the
    /// creator of a meeting, or an attendee of `m`.
    pub(crate) fn knows_user(&self, m: &store::Meeting, app: usize, userid: &str) -> bool {
        userid == self.config.creator_userid
            || self.config.admin_userids.iter().any(|a| a == userid)
            || self.catalog().iter().any(|c| c.creator == userid)
            || self
                .store
                .rendered(m, app)
                .people
                .iter()
                .any(|p| p.userid.as_deref() == Some(userid))
    }
}

/// A page-number page of `total` rows: the row range of page `page` (from 1) of `size`, and
/// the page count.
pub(crate) fn number_page(page: i64, size: i64, total: usize) -> (std::ops::Range<usize>, usize) {
    let size = usize::try_from(size).unwrap_or(1).max(1);
    let from = usize::try_from(page.saturating_sub(1))
        .unwrap_or(usize::MAX)
        .saturating_mul(size)
        .min(total);
    let to = from.saturating_add(size).min(total);
    (from..to, total.div_ceil(size))
}

/// A successful JSON response.
pub(crate) fn json_ok(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

/// An endpoint: parsed request in, response or error out.
type Endpoint = fn(&State, &Caller, &Parts, &ActiveQuirks) -> Result<Response, TcError>;

/// An endpoint that reads the request body (the export job's `POST`).
type BodyEndpoint = fn(&State, &Caller, &Parts, &[u8]) -> Result<Response, TcError>;

/// A `GET` endpoint or a `POST` one.
#[derive(Clone, Copy)]
enum Handler {
    Get(Endpoint),
    Post(BodyEndpoint),
}

async fn handle(st: Arc<State>, req: Request, key: &'static str, endpoint: Handler) -> Response {
    let quirks = ActiveQuirks::of(&req);
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return st.error_response(TcError::code(200004));
    };
    let result = auth::authenticate(&st, &parts, &body, key).and_then(|caller| match endpoint {
        Handler::Get(f) => f(&st, &caller, &parts, &quirks),
        Handler::Post(f) => f(&st, &caller, &parts, &body),
    });
    match result {
        Ok(r) => r,
        Err(e) => st.error_response(e),
    }
}

async fn unsupported_method(AxState(st): AxState<Arc<State>>) -> Response {
    st.error_response(TcError::new(
        200004,
        "不支持的 API 请求 unsupported request: use GET",
    ))
}

async fn unsupported_method_post(AxState(st): AxState<Arc<State>>) -> Response {
    st.error_response(TcError::new(
        200004,
        "不支持的 API 请求 unsupported request: use POST",
    ))
}

/// The export download: no signature (a storage link), so no [`auth::authenticate`].
async fn download(AxState(st): AxState<Arc<State>>, req: Request) -> Response {
    export::download(&st, req.uri().path())
}

/// The Tencent routes, each wrapped with the shared endpoint middleware.
pub(crate) fn router(state: Arc<State>, shared: &Shared) -> Router {
    let hooks: Arc<dyn VendorHooks> = state.clone();
    let route = |key: &'static str, endpoint: Endpoint| {
        instrument(
            get(move |AxState(st): AxState<Arc<State>>, req: Request| {
                handle(st, req, key, Handler::Get(endpoint))
            })
            .fallback(unsupported_method),
            shared,
            hooks.clone(),
            key,
        )
    };
    let post_route = |key: &'static str, endpoint: BodyEndpoint| {
        instrument(
            post(move |AxState(st): AxState<Arc<State>>, req: Request| {
                handle(st, req, key, Handler::Post(endpoint))
            })
            .fallback(unsupported_method_post),
            shared,
            hooks.clone(),
            key,
        )
    };
    Router::new()
        .route(
            "/v1/meetings/{meeting_id}/participants",
            route("tencent.participants", participants::serve),
        )
        .route(
            "/v1/meetings/{meeting_id}",
            route("tencent.meeting_detail", detail::serve),
        )
        .route(
            "/v1/meetings/{meeting_id}/enroll/approvals",
            route("tencent.enroll_approvals", enroll::serve),
        )
        .route(
            "/v1/meetings/{meeting_id}/invitees",
            route("tencent.invitees", invitees::serve),
        )
        .route(
            "/v1/corp/meetings",
            route("tencent.corp_meetings", corp::serve),
        )
        .route(
            "/v1/history/meetings/{userid}",
            route("tencent.history_meetings", history::serve),
        )
        .route(
            "/v1/webinars/{meeting_id}/enroll/approvals",
            route("tencent.webinar_enroll_approvals", enroll::serve_webinar),
        )
        .route(
            "/v1/meetings/export-participants-list",
            post_route("tencent.export_participants", export::create),
        )
        .route(
            "/v1/export/{job_id}",
            route("tencent.export_job", export::poll),
        )
        .route(
            "/sandbox/export/{token}",
            instrument(
                get(download).fallback(unsupported_method),
                shared,
                hooks.clone(),
                "tencent.export_download",
            ),
        )
        .route(
            "/v1/meetings/sign-in/list",
            route("tencent.sign_in_rounds", signin::serve_list),
        )
        .route(
            "/v1/meetings/sign-in",
            route("tencent.sign_in_records", signin::serve_records),
        )
        .route(
            "/v1/meetings/{meeting_id}/real-time-participants",
            route("tencent.realtime_participants", realtime::serve),
        )
        .route(
            "/v1/meeting/{meeting_id}/waiting-room",
            route("tencent.waiting_room", waiting::serve),
        )
        .with_state(state)
}
