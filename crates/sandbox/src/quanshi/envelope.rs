//! The two response envelopes (docs/specs/quanshi.md §3), business errors (docs/specs/quanshi.md §6) and response-shape quirks.
//!
//! confopenapi: `{"status":0,"result":…,"msg":"success","request_id":…,"reqid":…,"timestamp":…,
//! "request_duration":…}`; eventopenapi: `{"timeStamp":…,"code":200,"msg":…,"data":…,
//! "requestId":…}`. Every business error is HTTP 200 with a non-success `status`/`code`
//! (docs/specs/quanshi.md §9 item 2); only method errors (405) and injected gateway faults change the HTTP status.
//!
//! Results are pre-serialized JSON text: the fast path concatenates it into the envelope; only
//! an active quirk parses and re-shapes it.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::State;
use crate::data::generator;
use crate::endpoint::ActiveQuirks;
use crate::faults::Quirk;

/// Which API family (and so which envelope) an endpoint belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// Conference open API: `status` 0 = success, `result`.
    Conf,
    /// Events open API: `code` 200 = success, `data`.
    Events,
}

/// A business error: the `status` (confopenapi) or `code` (eventopenapi) and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QsError {
    pub status: i64,
    pub msg: Cow<'static, str>,
}

impl QsError {
    pub(crate) fn new(status: i64, msg: impl Into<Cow<'static, str>>) -> Self {
        QsError {
            status,
            msg: msg.into(),
        }
    }

    /// `400`: a parameter is missing or invalid.
    pub(crate) fn invalid(detail: impl std::fmt::Display) -> Self {
        QsError::new(400, format!("参数错误 invalid parameter: {detail}"))
    }

    /// `401`: token missing, unknown, expired or revoked.
    pub(crate) fn unauthorized(detail: impl std::fmt::Display) -> Self {
        QsError::new(401, format!("token 无效 invalid token: {detail}"))
    }

    /// `403`: the signature headers were rejected.
    pub(crate) fn forbidden(detail: impl std::fmt::Display) -> Self {
        QsError::new(403, format!("签名校验失败 signature rejected: {detail}"))
    }

    /// `404`: meeting, event or user not found.
    pub(crate) fn not_found(detail: impl std::fmt::Display) -> Self {
        QsError::new(404, format!("未找到 not found: {detail}"))
    }
}

/// A successful result: the JSON text of `result` / `data`, and the message.
#[derive(Clone, Debug)]
pub(crate) struct Payload {
    pub json: Arc<str>,
    pub msg: &'static str,
}

impl Payload {
    /// A payload from JSON text with the usual message.
    pub(crate) fn json(json: impl Into<Arc<str>>) -> Self {
        Payload {
            json: json.into(),
            msg: "success",
        }
    }

    /// A payload from a value.
    pub(crate) fn value(v: &Value) -> Self {
        Payload::json(v.to_string())
    }
}

/// Request-id generator (deterministic per seed).
pub(crate) struct RequestIds {
    salt: u64,
    seq: AtomicU64,
}

impl RequestIds {
    pub(crate) fn new(seed: u64) -> Self {
        RequestIds {
            salt: generator::hash64(seed, &["quanshi", "request-id"]),
            seq: AtomicU64::new(1),
        }
    }

    fn next(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }
}

/// Fields every envelope carries, fixed once per response.
struct Stamp {
    millis: i64,
    seq: u64,
    salt: u64,
}

impl Stamp {
    fn new(st: &State) -> Self {
        Stamp {
            millis: st.shared.clock.unix_millis(),
            seq: st.ids.next(),
            salt: st.ids.salt,
        }
    }

    fn server_id(&self, server: &str) -> String {
        format!(
            "{server}-10.{}.{}.{}-{}.{:09}.{}",
            (self.salt >> 8) & 0xff,
            (self.salt >> 16) & 0xff,
            1 + (self.salt & 0x7f),
            self.millis.div_euclid(1000),
            self.millis.rem_euclid(1000) * 1_000_000 + (self.seq % 1_000_000) as i64,
            self.seq
        )
    }

    fn conf_tail(&self) -> String {
        format!(
            "\"request_id\":{},\"reqid\":{},\"timestamp\":{},\"request_duration\":\"1.000000ms\"",
            Value::from(self.server_id("uniformserver")),
            Value::from(self.server_id("confopenapiserver")),
            self.millis
        )
    }

    fn events_request_id(&self) -> String {
        format!("{:016x}{:08x}", self.salt, self.seq)
    }
}

/// ID and time fields the `FlipTypes` quirk flips between JSON numbers and digit strings.
const FLIP_KEYS: [&str; 18] = [
    "eventId",
    "conferenceId",
    "tempConferenceId",
    "hostId",
    "userId",
    "tempUserId",
    "user",
    "startTime",
    "endTime",
    "CreateTime",
    "createTime",
    "modifyTime",
    "onlineTime",
    "offlineTime",
    "realStartTime",
    "realEndTime",
    "joinTime",
    "expire",
];

/// Numbers become digit strings and digit strings become numbers, for [`FLIP_KEYS`], anywhere.
pub(crate) fn flip_types(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(flip_types),
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if FLIP_KEYS.contains(&k.as_str()) {
                    match x {
                        Value::Number(n) => *x = Value::String(n.to_string()),
                        Value::String(s)
                            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) =>
                        {
                            if let Ok(n) = s.parse::<u64>() {
                                *x = Value::from(n);
                            }
                        }
                        _ => flip_types(x),
                    }
                } else {
                    flip_types(x);
                }
            }
        }
        _ => {}
    }
}

fn json_response(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        body,
    )
        .into_response()
}

/// The response of a successful call.
pub(crate) fn success(
    st: &State,
    family: Family,
    payload: Payload,
    quirks: &ActiveQuirks,
) -> Response {
    let stamp = Stamp::new(st);
    let relevant = quirks.has(Quirk::FlipTypes)
        || (family == Family::Conf
            && (quirks.has(Quirk::ResultAsString) || quirks.has(Quirk::StatusTypo)));
    if !relevant {
        // Fast path: the pre-serialized result goes in as it is.
        let body = match family {
            Family::Conf => {
                let tail = stamp.conf_tail();
                let mut b = String::with_capacity(payload.json.len() + tail.len() + 64);
                b.push_str("{\"status\":0,\"result\":");
                b.push_str(&payload.json);
                b.push_str(",\"msg\":");
                b.push_str(&Value::from(payload.msg).to_string());
                b.push(',');
                b.push_str(&tail);
                b.push('}');
                b
            }
            Family::Events => format!(
                "{{\"timeStamp\":{},\"code\":200,\"msg\":{},\"data\":{},\"requestId\":\"{}\"}}",
                stamp.millis,
                Value::from(payload.msg),
                payload.json,
                stamp.events_request_id()
            ),
        };
        return json_response(body);
    }
    let result = serde_json::from_str::<Value>(&payload.json).unwrap_or(Value::Null);
    json_response(reshape(
        &stamp,
        family,
        0,
        result,
        payload.msg.into(),
        quirks,
    ))
}

/// The response of a refused call (HTTP 200, the error in the envelope).
pub(crate) fn error(st: &State, family: Family, e: &QsError, quirks: &ActiveQuirks) -> Response {
    let stamp = Stamp::new(st);
    json_response(reshape(
        &stamp,
        family,
        e.status,
        Value::Null,
        e.msg.clone(),
        quirks,
    ))
}

/// Builds an envelope as a value, applying the quirks that concern `family`.
fn reshape(
    stamp: &Stamp,
    family: Family,
    status: i64,
    mut result: Value,
    msg: Cow<'static, str>,
    quirks: &ActiveQuirks,
) -> String {
    if quirks.has(Quirk::FlipTypes) {
        flip_types(&mut result);
    }
    let mut o = Map::new();
    match family {
        Family::Conf => {
            let status_key = if quirks.has(Quirk::StatusTypo) {
                "stauts"
            } else {
                "status"
            };
            let ok = status == 0;
            o.insert(status_key.into(), status.into());
            if quirks.has(Quirk::ResultAsString) && !result.is_null() {
                result = Value::String(result.to_string());
            }
            o.insert("result".into(), result);
            o.insert("msg".into(), Value::from(msg.into_owned()));
            o.insert("request_id".into(), stamp.server_id("uniformserver").into());
            o.insert("reqid".into(), stamp.server_id("confopenapiserver").into());
            o.insert("timestamp".into(), stamp.millis.into());
            if ok {
                o.insert("request_duration".into(), "1.000000ms".into());
            }
        }
        Family::Events => {
            o.insert("timeStamp".into(), stamp.millis.into());
            o.insert(
                "code".into(),
                (if status == 0 { 200 } else { status }).into(),
            );
            o.insert("msg".into(), Value::from(msg.into_owned()));
            o.insert("data".into(), result);
            o.insert("requestId".into(), stamp.events_request_id().into());
        }
    }
    Value::Object(o).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flip_types_flips_ids_and_times_only() {
        let mut v = json!({"eventId": 613399, "conferenceId": "239794753", "title": "123",
            "startTime": "2022-11-18 19:00:00", "list": [{"userId": 5, "tempUserId": "7", "name": "9"}],
            "attendList": [{"user": "88610849", "status": "W"}]});
        flip_types(&mut v);
        assert_eq!(
            v,
            json!({"eventId": "613399", "conferenceId": 239794753_u64, "title": "123",
            "startTime": "2022-11-18 19:00:00", "list": [{"userId": "5", "tempUserId": 7, "name": "9"}],
            "attendList": [{"user": 88610849_u64, "status": "W"}]})
        );
    }
}
