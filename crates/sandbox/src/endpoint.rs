//! Per-endpoint middleware shared by every vendor: request counting, fault injection, rejection
//! counting and vendor decoration.
//!
//! A vendor module wraps each of its routes with [`instrument`], giving the stable endpoint key and
//! its [`VendorHooks`]. The middleware then:
//!
//! 1. counts the request under the key;
//! 2. asks the fault engine for a decision (random faults and scripted rules);
//! 3. either answers for the vendor (gateway error, vendor error body from the hooks) without
//!    calling the handler, or calls the handler (after a delay, a stall or a token revocation) and
//!    possibly mangles the bytes it produced (dropped connection, truncated body);
//! 4. counts a rejection if the handler marked its response with a [`Rejection`];
//! 5. lets the vendor decorate every response (e.g. Tencent's `X-TC-Trace` header).
//!
//! Handlers read the active response-shape quirks from the request's [`ActiveQuirks`] extension.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use bytes::Bytes;
use futures::StreamExt as _;
use serde_json::Value;

use crate::faults::{BadPage, Fault, Quirk};
use crate::shared::Shared;

/// A vendor-specific error the middleware needs a body for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VendorFault {
    /// The vendor's transient "try again" error.
    Transient,
    /// A given vendor error code.
    Code(i64),
    /// The vendor's rate-limit error.
    RateLimited,
}

/// What a vendor module supplies to the shared middleware.
pub(crate) trait VendorHooks: Send + Sync + 'static {
    /// The complete error response for a vendor fault on `endpoint` (status, headers, body).
    fn fault_reply(&self, endpoint: &'static str, fault: VendorFault) -> Response;

    /// Revokes every token the vendor has issued (token vendors; default: nothing to revoke).
    fn revoke_tokens(&self) {}

    /// Adds vendor headers to every response of the vendor's endpoints (faults included).
    fn decorate(&self, _response: &mut Response) {}

    /// The successful answer of another of the vendor's endpoints, for
    /// [`BadPage::OtherEndpoint`] on `endpoint` (a meeting detail, whatever was asked).
    fn other_endpoint_body(&self, endpoint: &'static str) -> Value;
}

/// Response extension: the handler refused the request for this reason (stats key, usually the
/// vendor error code). Set it with [`rejected`].
#[derive(Clone, Debug)]
pub(crate) struct Rejection(pub Cow<'static, str>);

/// Marks a response as a rejection for the stats.
pub(crate) fn rejected(mut response: Response, reason: impl Into<Cow<'static, str>>) -> Response {
    response.extensions_mut().insert(Rejection(reason.into()));
    response
}

/// Request extension: response-shape quirks active for this call.
#[derive(Clone, Debug, Default)]
pub(crate) struct ActiveQuirks(pub Vec<Quirk>);

impl ActiveQuirks {
    /// Whether `quirk` is active.
    pub(crate) fn has(&self, quirk: Quirk) -> bool {
        self.0.contains(&quirk)
    }

    /// Whether any quirk is active.
    pub(crate) fn any(&self) -> bool {
        !self.0.is_empty()
    }

    /// The quirks of a request (none if the middleware did not run).
    pub(crate) fn of(req: &Request) -> ActiveQuirks {
        req.extensions()
            .get::<ActiveQuirks>()
            .cloned()
            .unwrap_or_default()
    }
}

#[derive(Clone)]
struct EndpointCtx {
    shared: Shared,
    hooks: Arc<dyn VendorHooks>,
    key: &'static str,
}

/// Wraps a vendor route with the shared middleware under the endpoint key `key`.
pub(crate) fn instrument<S>(
    route: MethodRouter<S>,
    shared: &Shared,
    hooks: Arc<dyn VendorHooks>,
    key: &'static str,
) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    let ctx = EndpointCtx {
        shared: shared.clone(),
        hooks,
        key,
    };
    route.layer(axum::middleware::from_fn_with_state(
        ctx,
        endpoint_middleware,
    ))
}

async fn endpoint_middleware(
    State(ctx): State<EndpointCtx>,
    mut req: Request,
    next: Next,
) -> Response {
    let shared = &ctx.shared;
    shared.stats.request(ctx.key);
    let decision = shared.faults.decide(ctx.key);
    if let Some(latency) = decision.base_latency {
        shared.sleep(latency).await;
    }
    for q in &decision.quirks {
        shared.stats.fault(&Fault::Quirk(*q).stats_key());
    }
    if let Some(f) = &decision.fault {
        shared.stats.fault(&f.stats_key());
        tracing::debug!(endpoint = ctx.key, fault = ?f, "sandbox fault");
    }
    req.extensions_mut()
        .insert(ActiveQuirks(decision.quirks.clone()));
    let mut response = match decision.fault {
        None | Some(Fault::Quirk(_)) => next.run(req).await,
        Some(Fault::Latency(d)) => {
            shared.sleep(d).await;
            next.run(req).await
        }
        Some(Fault::Stall) => {
            shared.sleep(decision.stall).await;
            next.run(req).await
        }
        Some(Fault::RevokeTokens) => {
            ctx.hooks.revoke_tokens();
            next.run(req).await
        }
        Some(Fault::Http(status)) => gateway_error(status),
        Some(Fault::VendorTransient) => ctx.hooks.fault_reply(ctx.key, VendorFault::Transient),
        Some(Fault::VendorCode(code)) => ctx.hooks.fault_reply(ctx.key, VendorFault::Code(code)),
        Some(Fault::RateLimit) => ctx.hooks.fault_reply(ctx.key, VendorFault::RateLimited),
        Some(Fault::Truncate) => truncate(next.run(req).await).await,
        Some(Fault::BadPage(kind)) => bad_page(kind, &ctx, req, next).await,
        Some(Fault::Drop) => drop_midway(next.run(req).await).await,
    };
    if let Some(Rejection(reason)) = response.extensions_mut().remove::<Rejection>() {
        shared.stats.reject(ctx.key, &reason);
    }
    ctx.hooks.decorate(&mut response);
    response
}

/// A gateway-style error: 502 with an nginx-like HTML page, other statuses with a short text.
pub(crate) fn gateway_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::BAD_GATEWAY {
        let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                    <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
                    </body>\r\n</html>\r\n";
        (status, [(header::CONTENT_TYPE, "text/html")], html).into_response()
    } else {
        let text = status.canonical_reason().unwrap_or("error");
        (status, [(header::CONTENT_TYPE, "text/plain")], text).into_response()
    }
}

async fn body_bytes(response: Response) -> (axum::http::response::Parts, Bytes) {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    (parts, bytes)
}

/// The keys of paging fields, across the three vendors.
const PAGING_KEYS: [&str; 8] = [
    "has_more",
    "has_remaining",
    "next_cursor",
    "next_pos",
    "total_count",
    "total_page",
    "current_page",
    "current_size",
];

/// An HTTP 200 JSON answer that is no page of the endpoint. The real answer, where one is
/// reshaped, comes from the handler; a non-2xx or non-JSON answer passes unchanged.
async fn bad_page(kind: BadPage, ctx: &EndpointCtx, req: Request, next: Next) -> Response {
    let body = match kind {
        BadPage::EmptyObject => Value::Object(Default::default()),
        BadPage::OtherEndpoint => ctx.hooks.other_endpoint_body(ctx.key),
        BadPage::WithoutList | BadPage::FalseLastPage => {
            let response = next.run(req).await;
            if !response.status().is_success() {
                return response;
            }
            let (parts, bytes) = body_bytes(response).await;
            let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
                return Response::from_parts(parts, Body::from(bytes));
            };
            if kind == BadPage::WithoutList {
                strip_list(&mut value);
            } else {
                false_last_page(&mut value);
            }
            value
        }
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Removes every array and paging member, at any depth.
fn strip_list(value: &mut Value) {
    if let Value::Object(map) = value {
        map.retain(|k, v| !v.is_array() && !PAGING_KEYS.contains(&k.as_str()));
        map.values_mut().for_each(strip_list);
    }
}

/// Empties every array and makes every paging member say "this is the last page" (totals
/// kept).
fn false_last_page(value: &mut Value) {
    let Value::Object(map) = value else {
        return;
    };
    let current_page = map.get("current_page").cloned();
    map.remove("next_pos");
    for (k, v) in map.iter_mut() {
        match (k.as_str(), &mut *v) {
            ("has_more" | "has_remaining", _) => *v = Value::Bool(false),
            ("next_cursor", _) => *v = Value::String(String::new()),
            ("current_size", _) => *v = Value::from(0),
            ("total_page", _) => {
                if let Some(page) = &current_page {
                    *v = page.clone();
                }
            }
            (_, Value::Array(items)) => items.clear(),
            (_, other) => false_last_page(other),
        }
    }
}

/// A complete response carrying only the first half of the real body.
async fn truncate(response: Response) -> Response {
    let (mut parts, bytes) = body_bytes(response).await;
    let cut = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(cut))
}

/// Headers announcing the full length, half of the body, then an aborted connection.
async fn drop_midway(response: Response) -> Response {
    let (mut parts, bytes) = body_bytes(response).await;
    let full = bytes.len();
    let half = bytes.slice(..full / 2);
    parts.headers.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from_str(&full.to_string()).unwrap_or(HeaderValue::from_static("0")),
    );
    let head = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(half) });
    let tail = futures::stream::once(async {
        // Give the server time to flush the headers and the first half before the abort.
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "sandbox fault: connection dropped mid-response",
        ))
    });
    Response::from_parts(parts, Body::from_stream(head.chain(tail)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn without_list_keeps_the_envelope_only() {
        let mut wecom = json!({"errcode": 0, "errmsg": "ok", "has_more": true,
            "next_cursor": "c", "attendees": [{"tmp_openid": "a"}]});
        strip_list(&mut wecom);
        assert_eq!(wecom, json!({"errcode": 0, "errmsg": "ok"}));
        let mut quanshi =
            json!({"status": 0, "result": {"interaction": [{}], "tempConfenceList": []}});
        strip_list(&mut quanshi);
        assert_eq!(quanshi, json!({"status": 0, "result": {}}));
    }

    #[test]
    fn a_false_last_page_keeps_its_totals() {
        let mut tencent = json!({"meeting_id": "1", "participants": [{"ms_open_id": "a"}],
            "has_remaining": true, "next_pos": 50, "total_count": 120});
        false_last_page(&mut tencent);
        assert_eq!(
            tencent,
            json!({"meeting_id": "1", "participants": [], "has_remaining": false, "total_count": 120})
        );
        let mut enroll = json!({"current_page": 2, "current_size": 20, "total_count": 120,
            "total_page": 6, "enroll_list": [{}]});
        false_last_page(&mut enroll);
        assert_eq!(
            enroll,
            json!({"current_page": 2, "current_size": 0, "total_count": 120, "total_page": 2, "enroll_list": []})
        );
        let mut quanshi = json!({"status": 0, "result": {"list": [{}, {}]}});
        false_last_page(&mut quanshi);
        assert_eq!(quanshi, json!({"status": 0, "result": {"list": []}}));
    }
}
