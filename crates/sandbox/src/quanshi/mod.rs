//! Quanshi (全时) open API emulator: **not built yet**; this stub mounts no routes.
//!
//! What goes here (spec `quanshi.md` §9, "Emulator contract"), following the Tencent module's
//! layout (`src/tencent/`):
//!
//! - confopenapi and eventopenapi on the shared listener, `POST` only (other methods → 405):
//!   `/_sandbox/quanshi/meeting-by-join-url` (`quanshi.meeting_by_join_url`),
//!   `/confopenapi/room/conference/infos` (`quanshi.conference_infos`),
//!   `/confopenapi/conference/report/getReportDatas` (`quanshi.report_v1`),
//!   `/confopenapi/conference/report/getReportDatas/v2` (`quanshi.report_v2`),
//!   `/confopenapi/conference/attendee/list` (`quanshi.attendee_list`),
//!   `/eventopenapi/token/create` (`quanshi.token_create`),
//!   `/eventopenapi/user/search/email` (`quanshi.user_search_email`); every route wrapped with
//!   [`crate::endpoint::instrument`] under its key.
//! - CheckSum verification (`AppKey`/`AppId`, `Nonce`, `CurTime` in ms from
//!   `shared.clock.unix_millis()`, lower-case SHA-1), nonce replay, tokens (count with
//!   `shared.stats.token_issued(Vendor::Quanshi)`; [`crate::endpoint::VendorHooks::revoke_tokens`]
//!   revokes all).
//! - Business errors as HTTP 200 envelopes (`status`/`code`), marked with
//!   [`crate::endpoint::rejected`]; quirks `ResultAsString`, `StatusTypo`, `FlipTypes` read from
//!   [`crate::endpoint::ActiveQuirks`].
//! - Data from [`crate::data::plan`] (this vendor's seed meetings + `generated_plans` + the
//!   fixture), rendered lazily and cached; `quanshi_*` ground-truth methods in an
//!   `impl crate::GroundTruth` block; catalog entries with `vendor: Vendor::Quanshi`.
//! - [`crate::endpoint::VendorHooks::fault_reply`]: transient status `500`, rate limit `429`.

use std::sync::Arc;

use axum::Router;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::catalog::CatalogMeeting;
use crate::config::SandboxConfig;
use crate::endpoint::{VendorFault, VendorHooks};
use crate::server::Shared;

/// Quanshi emulator settings.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuanshiConfig {
    /// The AppKey (also accepted as the `AppId` header).
    pub app_key: String,
    /// The AppSecret used in CheckSum.
    pub app_secret: String,
    /// The administrator's Quanshi user id (`token/create`).
    pub admin_user_id: u64,
}

impl Default for QuanshiConfig {
    fn default() -> Self {
        QuanshiConfig {
            app_key: "sandbox-quanshi-app".into(),
            app_secret: "aSecretKey".into(),
            admin_user_id: 19_533_553,
        }
    }
}

impl std::fmt::Debug for QuanshiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuanshiConfig")
            .field("app_key", &self.app_key)
            .field("app_secret", &"<redacted>")
            .field("admin_user_id", &self.admin_user_id)
            .finish()
    }
}

/// Credentials the Quanshi emulator accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct QuanshiCredentials {
    /// AppKey / AppId.
    pub app_key: String,
    /// AppSecret.
    pub app_secret: String,
    /// Administrator user id.
    pub admin_user_id: u64,
}

impl std::fmt::Debug for QuanshiCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuanshiCredentials")
            .field("app_key", &self.app_key)
            .field("app_secret", &"<redacted>")
            .field("admin_user_id", &self.admin_user_id)
            .finish()
    }
}

/// Quanshi emulator state.
pub(crate) struct State {
    config: QuanshiConfig,
}

impl State {
    pub(crate) fn new(config: &SandboxConfig, _shared: &Shared) -> Self {
        State {
            config: config.quanshi.clone(),
        }
    }

    pub(crate) fn credentials(&self) -> QuanshiCredentials {
        QuanshiCredentials {
            app_key: self.config.app_key.clone(),
            app_secret: self.config.app_secret.clone(),
            admin_user_id: self.config.admin_user_id,
        }
    }

    pub(crate) fn catalog(&self) -> Vec<CatalogMeeting> {
        Vec::new()
    }
}

impl VendorHooks for State {
    fn fault_reply(&self, _endpoint: &'static str, fault: VendorFault) -> Response {
        let code = match fault {
            VendorFault::Transient => 500,
            VendorFault::RateLimited => 429,
            VendorFault::Code(c) => c,
        };
        axum::Json(serde_json::json!({"status": code, "result": null, "msg": "sandbox fault"}))
            .into_response()
    }
}

/// The Quanshi routes (none yet).
pub(crate) fn router(_state: Arc<State>, _shared: &Shared) -> Router {
    Router::new()
}
