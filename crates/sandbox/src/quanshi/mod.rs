//! Quanshi (全时) open API emulator (docs/specs/quanshi.md §9, "Emulator contract").
//!
//! Routes (all `POST`; any other method gets HTTP 405 with the family's envelope):
//!
//! | path | family | endpoint key |
//! |---|---|---|
//! | `/_sandbox/quanshi/meeting-by-join-url` (configurable) | confopenapi | `quanshi.meeting_by_join_url` |
//! | `/confopenapi/room/conference/infos` | confopenapi | `quanshi.conference_infos` |
//! | `/confopenapi/room/conference/list` | confopenapi | `quanshi.conference_list` |
//! | `/confopenapi/conference/report/getReportDatas` | confopenapi | `quanshi.report_v1` |
//! | `/confopenapi/conference/report/getReportDatas/v2` | confopenapi | `quanshi.report_v2` |
//! | `/confopenapi/conference/attendee/list` | confopenapi | `quanshi.attendee_list` |
//! | `/eventopenapi/token/create` | eventopenapi | `quanshi.token_create` |
//! | `/eventopenapi/user/search/email` | eventopenapi | `quanshi.user_search_email` |
//!
//! Layout: [`auth`] (CheckSum, nonce replay, tokens, the per-call authentication),
//! [`envelope`] (the two envelopes, errors, response-shape quirks), [`request`] (JSON body and
//! lenient id parameters), [`events`] (`token/create`, `user/search/email`), [`detail`] (join-link
//! lookup, `room/conference/infos`), [`report`] (v1, v2), [`terminals`] (`attendee/list`),
//! [`store`] (meetings rendered once into JSON), [`seed`] (the seed meetings), the ground-truth
//! methods in `crate::truth`.

mod auth;
pub(crate) mod detail;
mod envelope;
mod events;
mod report;
mod request;
mod seed;
pub(crate) mod store;
mod terminals;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State as AxState};
use axum::response::Response;
use axum::routing::post;

use self::auth::{AuthPolicy, Caller, ReplayCache, TokenStore};
use self::envelope::{Family, Payload, QsError, RequestIds};
use self::request::Body;
use self::store::Store;
use crate::catalog::CatalogMeeting;
use crate::clock::minute_index;
use crate::config::SandboxConfig;
use crate::endpoint::{ActiveQuirks, VendorFault, VendorHooks, instrument, rejected};
use crate::ratelimit::WindowCounter;
use crate::shared::Shared;

pub(crate) use crate::config::quanshi::DEFAULT_JOIN_URL_LOOKUP_PATH;
pub use crate::config::quanshi::{QuanshiConfig, QuanshiCredentials};

/// Largest request body read.
const MAX_BODY: usize = 1 << 20;

/// The fixed paths (the lookup path may not collide with them).
const PATH_INFOS: &str = "/confopenapi/room/conference/infos";
const PATH_LIST: &str = "/confopenapi/room/conference/list";
const PATH_REPORT_V1: &str = "/confopenapi/conference/report/getReportDatas";
const PATH_REPORT_V2: &str = "/confopenapi/conference/report/getReportDatas/v2";
const PATH_ATTENDEES: &str = "/confopenapi/conference/attendee/list";
const PATH_TOKEN: &str = "/eventopenapi/token/create";
const PATH_EMAIL: &str = "/eventopenapi/user/search/email";

/// The configured lookup path if it is usable as a route, else the default.
fn lookup_path(configured: &str) -> String {
    let ok = configured.starts_with('/')
        && configured.len() <= 512
        && configured
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~/".contains(&b))
        && !configured.starts_with("/v1/")
        && !configured.starts_with("/cgi-bin/")
        && configured != "/_sandbox/stats"
        && !configured.starts_with("/_sandbox/truth/")
        && ![
            PATH_INFOS,
            PATH_REPORT_V1,
            PATH_REPORT_V2,
            PATH_ATTENDEES,
            PATH_TOKEN,
            PATH_EMAIL,
        ]
        .contains(&configured);
    if ok {
        configured.to_owned()
    } else {
        tracing::warn!(
            path = configured,
            "unusable quanshi.join_url_lookup_path; serving the lookup at {DEFAULT_JOIN_URL_LOOKUP_PATH}"
        );
        DEFAULT_JOIN_URL_LOOKUP_PATH.to_owned()
    }
}

/// Quanshi emulator state.
pub(crate) struct State {
    pub(crate) shared: Shared,
    pub(crate) config: QuanshiConfig,
    pub(crate) lookup_path: String,
    pub(crate) store: Store,
    pub(crate) tokens: Mutex<TokenStore>,
    pub(crate) replay: Mutex<ReplayCache>,
    pub(crate) minute: WindowCounter,
    pub(crate) ids: RequestIds,
}

impl State {
    pub(crate) fn new(config: &SandboxConfig, shared: &Shared) -> Self {
        let qc = config.quanshi.clone();
        State {
            shared: shared.clone(),
            lookup_path: lookup_path(&qc.join_url_lookup_path),
            store: Store::new(config, &qc, shared.anchor),
            tokens: Mutex::new(TokenStore::new(shared.seed)),
            replay: Mutex::new(ReplayCache::default()),
            minute: WindowCounter::default(),
            ids: RequestIds::new(shared.seed),
            config: qc,
        }
    }

    pub(crate) fn credentials(&self) -> QuanshiCredentials {
        QuanshiCredentials {
            app_key: self.config.app_key.clone(),
            app_secret: self.config.app_secret.clone(),
            admin_user_id: self.config.admin_user_id,
            admin_email: self.config.admin_email.clone(),
            host_user_id: self.config.host_user_id,
            host_email: self.config.host_email.clone(),
            customer_code: self.config.customer_code.clone(),
            join_url_lookup_path: self.lookup_path.clone(),
            host_ids: {
                let mut hosts: Vec<u64> = self.store.meetings().iter().map(|m| m.host_id).collect();
                hosts.sort_unstable();
                hosts.dedup();
                hosts
            },
        }
    }

    pub(crate) fn catalog(&self) -> Vec<CatalogMeeting> {
        self.store.catalog()
    }

    /// An error response in `family`'s envelope, counted as a rejection under its code.
    fn error_response(&self, family: Family, e: QsError, quirks: &ActiveQuirks) -> Response {
        let reason = e.status.to_string();
        rejected(envelope::error(self, family, &e, quirks), reason)
    }
}

impl VendorHooks for State {
    fn fault_reply(&self, endpoint: &'static str, fault: VendorFault) -> Response {
        let code = match fault {
            VendorFault::Transient => 500,
            VendorFault::RateLimited => 429,
            VendorFault::Code(c) => c,
        };
        let family = if matches!(
            endpoint,
            "quanshi.token_create" | "quanshi.user_search_email"
        ) {
            Family::Events
        } else {
            Family::Conf
        };
        let e = QsError::new(code, "sandbox fault");
        envelope::error(self, family, &e, &ActiveQuirks::default())
    }

    fn revoke_tokens(&self) {
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .revoke_all();
    }

    fn other_endpoint_body(&self, _endpoint: &'static str) -> serde_json::Value {
        // A `room/conference/infos` answer: `result` is an array of meetings.
        serde_json::json!({
            "status": 0, "msg": "success",
            "result": [{"conferenceId": "239719428", "eventId": 1, "title": "another endpoint's answer"}]
        })
    }
}

/// An endpoint: authenticated caller and parsed body in, result payload or error out.
type Endpoint = fn(&State, &Caller, &Body) -> Result<Payload, QsError>;

/// One route's fixed traits.
#[derive(Clone, Copy)]
struct RouteSpec {
    key: &'static str,
    family: Family,
    policy: AuthPolicy,
    endpoint: Endpoint,
}

async fn handle(st: Arc<State>, req: Request, spec: RouteSpec) -> Response {
    let quirks = ActiveQuirks::of(&req);
    let (parts, body) = req.into_parts();
    let result = match axum::body::to_bytes(body, MAX_BODY).await {
        Err(_) => Err(QsError::invalid(
            "request body unreadable or larger than 1 MiB",
        )),
        Ok(bytes) => Body::parse(&bytes).and_then(|body| {
            let caller = auth::authenticate(&st, &parts.headers, &body, spec.policy)?;
            if let Some(limit) = st.config.per_minute {
                let minute = minute_index(st.shared.clock.unix());
                if st.minute.hit(&caller.app_key, minute) > limit {
                    return Err(QsError::new(
                        429,
                        "调用频率超过限制 rate limit exceeded: too many calls this minute",
                    ));
                }
            }
            (spec.endpoint)(&st, &caller, &body)
        }),
    };
    match result {
        Ok(payload) => envelope::success(&st, spec.family, payload, &quirks),
        Err(e) => st.error_response(spec.family, e, &quirks),
    }
}

async fn method_not_allowed(st: Arc<State>, family: Family) -> Response {
    let e = QsError::new(405, "不支持的请求方法 method not allowed: use POST");
    let mut r = st.error_response(family, e, &ActiveQuirks::default());
    *r.status_mut() = axum::http::StatusCode::METHOD_NOT_ALLOWED;
    r.headers_mut().insert(
        axum::http::header::ALLOW,
        axum::http::HeaderValue::from_static("POST"),
    );
    r
}

/// The Quanshi routes, each wrapped with the shared endpoint middleware.
pub(crate) fn router(state: Arc<State>, shared: &Shared) -> Router {
    let hooks: Arc<dyn VendorHooks> = state.clone();
    let route = |spec: RouteSpec| {
        instrument(
            post(move |AxState(st): AxState<Arc<State>>, req: Request| handle(st, req, spec))
                .fallback(move |AxState(st): AxState<Arc<State>>| {
                    method_not_allowed(st, spec.family)
                }),
            shared,
            hooks.clone(),
            spec.key,
        )
    };
    let conf = |key, endpoint| RouteSpec {
        key,
        family: Family::Conf,
        policy: AuthPolicy::TokenOrSignature,
        endpoint,
    };
    let events = |key, endpoint| RouteSpec {
        key,
        family: Family::Events,
        policy: AuthPolicy::SignatureOnly,
        endpoint,
    };
    Router::new()
        .route(
            &state.lookup_path,
            route(conf("quanshi.meeting_by_join_url", detail::by_join_url)),
        )
        .route(
            PATH_INFOS,
            route(conf("quanshi.conference_infos", detail::conference_infos)),
        )
        .route(
            PATH_LIST,
            route(conf("quanshi.conference_list", detail::conference_list)),
        )
        .route(
            PATH_REPORT_V1,
            route(conf("quanshi.report_v1", report::serve_v1)),
        )
        .route(
            PATH_REPORT_V2,
            route(conf("quanshi.report_v2", report::serve_v2)),
        )
        .route(
            PATH_ATTENDEES,
            route(conf("quanshi.attendee_list", terminals::serve)),
        )
        .route(
            PATH_TOKEN,
            route(events("quanshi.token_create", events::token_create)),
        )
        .route(
            PATH_EMAIL,
            route(events(
                "quanshi.user_search_email",
                events::user_search_email,
            )),
        )
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_lookup_paths_fall_back() {
        assert_eq!(lookup_path("/custom/lookup"), "/custom/lookup");
        assert_eq!(
            lookup_path("/confopenapi/conference/detail-by-url"),
            "/confopenapi/conference/detail-by-url"
        );
        for bad in [
            "",
            "no-slash",
            "/with/{param}",
            "/with/*wild",
            "/v1/meetings/x",
            "/cgi-bin/x",
            "/_sandbox/stats",
            "/_sandbox/truth/catalog",
            PATH_REPORT_V1,
            "/spaces are bad",
        ] {
            assert_eq!(lookup_path(bad), DEFAULT_JOIN_URL_LOOKUP_PATH, "{bad}");
        }
    }
}
