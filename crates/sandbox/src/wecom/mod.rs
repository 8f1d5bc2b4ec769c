//! WeCom (企业微信) meeting API emulator: **not built yet**; this stub mounts no routes.
//!
//! What goes here (spec `wecom.md` §9, "Emulator contract"), following the Tencent module's
//! layout (`src/tencent/`):
//!
//! - `GET /cgi-bin/gettoken` (`wecom.gettoken`) issuing tokens with a configurable TTL (count
//!   each with `shared.stats.token_issued(Vendor::WeCom)`), and token checks (`41001`, `40014`,
//!   `42001`) on every business call; [`crate::endpoint::VendorHooks::revoke_tokens`] revokes
//!   all tokens (→ `40014`).
//! - `POST /cgi-bin/meeting/get_attendee_list` (`wecom.get_attendee_list`),
//!   `/cgi-bin/meeting/enroll/list` (`wecom.enroll_list`),
//!   `/cgi-bin/meeting/enroll/query_by_tmp_openid` (`wecom.enroll_query_by_tmp_openid`),
//!   `/cgi-bin/meeting/get_info` (`wecom.get_info`),
//!   `/cgi-bin/meeting/get_user_meetingid` (`wecom.get_user_meetingid`); every route wrapped with
//!   [`crate::endpoint::instrument`] under its key.
//! - HTTP 200 with an `errcode` body for every API error; rejections marked with
//!   [`crate::endpoint::rejected`] (reason = errcode) so they show in the stats.
//! - Opaque string cursors: [`crate::pager::PosRegistry`] with `token_of`/`pos_of_token`; the
//!   chain fingerprint carries the `limit` (limit change → `40058`).
//! - Data: [`crate::data::plan`] (seed meetings of this vendor + `generated_plans` + the
//!   fixture), rendered lazily per meeting and cached; ground truth in an
//!   `impl crate::GroundTruth` block with `wecom_*` methods; catalog entries with
//!   `vendor: Vendor::WeCom`.
//! - [`crate::endpoint::VendorHooks::fault_reply`]: transient `-1`, rate limit `45009`, given
//!   codes, all with HTTP 200.

use std::sync::Arc;

use axum::Router;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::catalog::CatalogMeeting;
use crate::config::SandboxConfig;
use crate::endpoint::{VendorFault, VendorHooks};
use crate::server::Shared;

/// WeCom emulator settings.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeComConfig {
    /// Corp id accepted by `gettoken`.
    pub corp_id: String,
    /// The app secret accepted by `gettoken`.
    pub corp_secret: String,
}

impl Default for WeComConfig {
    fn default() -> Self {
        WeComConfig {
            corp_id: "wwsandbox0000000001".into(),
            corp_secret: "sandbox-wecom-secret".into(),
        }
    }
}

impl std::fmt::Debug for WeComConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeComConfig")
            .field("corp_id", &self.corp_id)
            .field("corp_secret", &"<redacted>")
            .finish()
    }
}

/// Credentials the WeCom emulator accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct WeComCredentials {
    /// Corp id.
    pub corp_id: String,
    /// App secret.
    pub corp_secret: String,
}

impl std::fmt::Debug for WeComCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeComCredentials")
            .field("corp_id", &self.corp_id)
            .field("corp_secret", &"<redacted>")
            .finish()
    }
}

/// WeCom emulator state.
pub(crate) struct State {
    config: WeComConfig,
}

impl State {
    pub(crate) fn new(config: &SandboxConfig, _shared: &Shared) -> Self {
        State {
            config: config.wecom.clone(),
        }
    }

    pub(crate) fn credentials(&self) -> WeComCredentials {
        WeComCredentials {
            corp_id: self.config.corp_id.clone(),
            corp_secret: self.config.corp_secret.clone(),
        }
    }

    pub(crate) fn catalog(&self) -> Vec<CatalogMeeting> {
        Vec::new()
    }
}

impl VendorHooks for State {
    fn fault_reply(&self, _endpoint: &'static str, fault: VendorFault) -> Response {
        let code = match fault {
            VendorFault::Transient => -1,
            VendorFault::RateLimited => 45009,
            VendorFault::Code(c) => c,
        };
        axum::Json(serde_json::json!({"errcode": code, "errmsg": "sandbox fault"})).into_response()
    }
}

/// The WeCom routes (none yet).
pub(crate) fn router(_state: Arc<State>, _shared: &Shared) -> Router {
    Router::new()
}
