//! Ground truth over HTTP, for tools outside the sandbox's process (a shell script, an official
//! SDK's test, another language) that want to check an export against what the sandbox holds.
//!
//! Every route answers `GET` with the same JSON the [`GroundTruth`] methods return: an array of
//! the rows the vendor endpoint serves (ignoring pagination and caps), or one object; an unknown
//! meeting gives an empty array or `404`. Nothing here is authenticated: the sandbox holds only
//! generated data and listens on loopback.
//!
//! | route | method |
//! |---|---|
//! | `/_sandbox/truth/catalog` | [`crate::SandboxHandle::catalog`] |
//! | `/_sandbox/truth/tencent/participants/{meeting_id}[?sub_meeting_id=&start_time=&end_time=]` | [`GroundTruth::tencent_participants`] |
//! | `/_sandbox/truth/tencent/enroll/{meeting_id}[?status=]` | [`GroundTruth::tencent_enroll_approvals`] |
//! | `/_sandbox/truth/tencent/invitees/{meeting_id}` | [`GroundTruth::tencent_invitees`] |
//! | `/_sandbox/truth/tencent/meeting/{meeting_id}` | [`GroundTruth::tencent_meeting_detail`] |
//! | `/_sandbox/truth/tencent/export/{meeting_id}[?sub_meeting_id=&start_time=&end_time=]` | [`GroundTruth::tencent_export_rows`] |
//! | `/_sandbox/truth/tencent/sign-in-rounds/{meeting_id}` | [`GroundTruth::tencent_sign_in_rounds`] |
//! | `/_sandbox/truth/tencent/sign-ins/{meeting_id}?sign_in_id=` | [`GroundTruth::tencent_sign_ins`] |
//! | `/_sandbox/truth/tencent/real-time-participants/{meeting_id}[?sub_meeting_id=]` | [`GroundTruth::tencent_realtime_participants`] |
//! | `/_sandbox/truth/tencent/waiting-room/{meeting_id}` | [`GroundTruth::tencent_waiting_room`] |
//! | `/_sandbox/truth/wecom/attendees/{meetingid}[?sub_meetingid=&start_time=&end_time=]` | [`GroundTruth::wecom_attendees`] |
//! | `/_sandbox/truth/wecom/enrollments/{meetingid}[?status=]` | [`GroundTruth::wecom_enrollments`] |
//! | `/_sandbox/truth/wecom/meeting/{meetingid}[?sub_meetingid=]` | [`GroundTruth::wecom_meeting_info`] |
//! | `/_sandbox/truth/wecom/webinar-enrollments/{meetingid}[?status=]` | [`GroundTruth::wecom_webinar_enrollments`] |
//! | `/_sandbox/truth/wecom/realtime/{meetingid}[?sub_meetingid=]` | [`GroundTruth::wecom_realtime_attendees`] |
//! | `/_sandbox/truth/wecom/waiting-room/{meetingid}` | [`GroundTruth::wecom_waiting_room`] |
//! | `/_sandbox/truth/wecom/invitees/{meetingid}` | [`GroundTruth::wecom_invitees`] |
//! | `/_sandbox/truth/quanshi/report/{event_id}` | [`GroundTruth::quanshi_report_v2`] |
//! | `/_sandbox/truth/quanshi/sessions/{event_id}` | [`GroundTruth::quanshi_sessions`] |
//! | `/_sandbox/truth/quanshi/invitees/{event_id}` | [`GroundTruth::quanshi_invitees`] |
//! | `/_sandbox/truth/quanshi/meeting/{event_id}` | [`GroundTruth::quanshi_meeting_detail`] |

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

use super::{GroundTruth, SandboxState};
use crate::catalog::Catalog;

type Params = Query<HashMap<String, String>>;

/// The routes, on the sandbox's state.
pub(crate) fn router(state: Arc<SandboxState>) -> Router {
    Router::new()
        .route("/_sandbox/truth/catalog", get(catalog))
        .route("/_sandbox/truth/{vendor}/{kind}/{id}", get(rows))
        .with_state(state)
}

fn json(value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "error": format!("no such {what} in the ground truth") }).to_string(),
    )
        .into_response()
}

fn bad_request(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "error": message }).to_string(),
    )
        .into_response()
}

async fn catalog(State(state): State<Arc<SandboxState>>) -> Response {
    let mut meetings = state.tencent.catalog();
    meetings.extend(state.wecom.catalog());
    meetings.extend(state.quanshi.catalog());
    json(&Catalog { meetings })
}

/// An optional integer parameter; a present one that is not an integer is an error.
/// (Errors are the message of a `400`.)
fn int(params: &HashMap<String, String>, name: &str) -> Result<Option<i64>, String> {
    params
        .get(name)
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| format!("{name} must be an integer, not {v:?}"))
        })
        .transpose()
}

/// `start_time` and `end_time` together, or neither.
fn window(params: &HashMap<String, String>) -> Result<Option<(i64, i64)>, String> {
    match (int(params, "start_time")?, int(params, "end_time")?) {
        (Some(s), Some(e)) => Ok(Some((s, e))),
        (None, None) => Ok(None),
        _ => Err("start_time and end_time go together".to_owned()),
    }
}

fn one(value: Option<Value>, what: &str) -> Response {
    match value {
        Some(v) => json(&v),
        None => not_found(what),
    }
}

async fn rows(
    State(state): State<Arc<SandboxState>>,
    Path((vendor, kind, id)): Path<(String, String, String)>,
    Query(params): Params,
) -> Response {
    let truth = GroundTruth::new(state);
    let sub = |name: &str| params.get(name).map(String::as_str);
    let answer = || -> Result<Response, String> {
        Ok(match (vendor.as_str(), kind.as_str()) {
            ("tencent", "participants") => {
                json(&truth.tencent_participants(&id, sub("sub_meeting_id"), window(&params)?))
            }
            ("tencent", "enroll") => {
                json(&truth.tencent_enroll_approvals(&id, int(&params, "status")?))
            }
            ("tencent", "invitees") => json(&truth.tencent_invitees(&id)),
            ("tencent", "meeting") => one(truth.tencent_meeting_detail(&id), "meeting"),
            ("tencent", "export") => {
                json(&truth.tencent_export_rows(&id, sub("sub_meeting_id"), window(&params)?))
            }
            ("tencent", "sign-in-rounds") => json(&truth.tencent_sign_in_rounds(&id)),
            ("tencent", "sign-ins") => json(
                &truth.tencent_sign_ins(&id, sub("sign_in_id").ok_or("sign_in_id is required")?),
            ),
            ("tencent", "real-time-participants") => {
                json(&truth.tencent_realtime_participants(&id, sub("sub_meeting_id")))
            }
            ("tencent", "waiting-room") => json(&truth.tencent_waiting_room(&id)),
            ("wecom", "attendees") => {
                json(&truth.wecom_attendees(&id, sub("sub_meetingid"), window(&params)?))
            }
            ("wecom", "enrollments") => {
                json(&truth.wecom_enrollments(&id, int(&params, "status")?))
            }
            ("wecom", "webinar-enrollments") => {
                json(&truth.wecom_webinar_enrollments(&id, int(&params, "status")?))
            }
            ("wecom", "realtime") => {
                json(&truth.wecom_realtime_attendees(&id, sub("sub_meetingid")))
            }
            ("wecom", "waiting-room") => json(&truth.wecom_waiting_room(&id)),
            ("wecom", "invitees") => json(&truth.wecom_invitees(&id)),
            ("wecom", "meeting") => one(
                truth.wecom_meeting_info(&id, sub("sub_meetingid")),
                "meeting",
            ),
            ("quanshi", "report") => one(truth.quanshi_report_v2(&id), "meeting"),
            ("quanshi", "sessions") => json(&truth.quanshi_sessions(&id)),
            ("quanshi", "invitees") => json(&truth.quanshi_invitees(&id)),
            ("quanshi", "meeting") => one(truth.quanshi_meeting_detail(&id), "meeting"),
            _ => not_found("kind of record"),
        })
    };
    answer().unwrap_or_else(bad_request)
}
