//! The response envelopes of both API families (docs/specs/quanshi.md §3), read by one decoder.
//!
//! - confopenapi: `{"status": 0, "result": …, "msg", "request_id", "reqid", "timestamp"}`;
//!   `status` is sometimes spelled `stauts`; `result` may be an object, an array, `null` or a
//!   string holding JSON.
//! - eventopenapi: `{"code": 200, "data": …, "msg", "requestId", "timeStamp"}`.

use serde_json::{Map, Value};

use roster_core::wire::{value_as_i64, value_as_string};

use crate::config::Family;

/// confopenapi's success `status`.
pub const CONFERENCE_SUCCESS: i64 = 0;
/// eventopenapi's success `code`.
pub const EVENTS_SUCCESS: i64 = 200;

/// Keys that carry request ids, in the order they are reported.
pub const REQUEST_ID_KEYS: [&str; 3] = ["request_id", "reqid", "requestId"];

/// Which envelope shape a body has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `status`/`result` (confopenapi).
    Status,
    /// `code`/`data` (eventopenapi).
    Code,
}

/// A decoded envelope.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Envelope {
    /// Which shape it had.
    pub shape: Shape,
    /// The call status (`status`/`stauts` or `code`).
    pub code: i64,
    /// `msg`, if any.
    pub msg: Option<String>,
    /// `result` or `data`; a string holding JSON is parsed, an empty string is `null`.
    pub payload: Value,
    /// `request_id`, `reqid`, `requestId` (non-empty ones, in that order).
    pub request_ids: Vec<String>,
    /// The server's clock, Unix ms (`timestamp` or `timeStamp`).
    pub server_time_ms: Option<i64>,
}

impl Envelope {
    /// Reads an envelope from a JSON value. `family` breaks the tie when a body has both a
    /// `status` and a `code`. Returns `None` when the value is not an envelope (not an
    /// object, or without a numeric status/code).
    pub fn from_value(value: Value, family: Family) -> Option<Self> {
        let Value::Object(mut map) = value else {
            return None;
        };
        let status = take_code(&mut map, &["status", "stauts"]);
        let code = take_code(&mut map, &["code"]);
        let (shape, code) = match (status, code, family) {
            (Some(s), Some(_), Family::Conference) | (Some(s), None, _) => (Shape::Status, s),
            (_, Some(c), _) => (Shape::Code, c),
            (None, None, _) => return None,
        };
        let msg = map.get("msg").and_then(value_as_string);
        let request_ids = REQUEST_ID_KEYS
            .iter()
            .filter_map(|k| map.get(*k).and_then(value_as_string))
            .filter(|id| !id.trim().is_empty())
            .collect();
        let server_time_ms = ["timestamp", "timeStamp"]
            .iter()
            .find_map(|k| map.get(*k).and_then(value_as_i64));
        let payload_keys: &[&str] = match shape {
            Shape::Status => &["result", "data"],
            Shape::Code => &["data", "result"],
        };
        let payload = payload_keys
            .iter()
            .find_map(|k| map.remove(*k))
            .map(parse_json_text)
            .unwrap_or(Value::Null);
        Some(Self {
            shape,
            code,
            msg,
            payload,
            request_ids,
            server_time_ms,
        })
    }

    /// Whether the call succeeded (`status == 0` or `code == 200`).
    pub fn is_success(&self) -> bool {
        match self.shape {
            Shape::Status => self.code == CONFERENCE_SUCCESS,
            Shape::Code => self.code == EVENTS_SUCCESS,
        }
    }
}

fn take_code(map: &mut Map<String, Value>, keys: &[&str]) -> Option<i64> {
    keys.iter().find_map(|k| map.get(*k).and_then(value_as_i64))
}

/// A string holding JSON becomes that JSON; an empty string becomes `null`; other strings and
/// values are kept.
fn parse_json_text(value: Value) -> Value {
    match value {
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                Value::Null
            } else if t.starts_with('{') || t.starts_with('[') {
                serde_json::from_str(t).unwrap_or(Value::String(s))
            } else {
                Value::String(s)
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn confopenapi_example() {
        let body = json!({"status": 0, "result": [{"conferenceId": "239719428"}], "msg": "success",
            "request_id": "uniformserver-172.10.87.161-1654580475.515398022.629",
            "reqid": "confopenapiserver-172.10.248.48-1654580475.434889524.59",
            "timestamp": 1654580475434u64, "request_duration": "125.711156ms"});
        let e = Envelope::from_value(body, Family::Conference).unwrap();
        assert!(e.is_success());
        assert_eq!(e.shape, Shape::Status);
        assert_eq!(e.payload[0]["conferenceId"], "239719428");
        assert_eq!(e.request_ids.len(), 2);
        assert!(e.request_ids[1].starts_with("confopenapiserver"));
        assert_eq!(e.server_time_ms, Some(1_654_580_475_434));
        assert_eq!(e.msg.as_deref(), Some("success"));
    }

    #[test]
    fn eventopenapi_example() {
        let body = json!({"timeStamp":1666231314356u64,"code":200,"msg":"Successfully to create the token!",
            "data":{"productId":null,"createTime":1666231314326u64,"expire":86400,"customerCode":"0001"},
            "requestId": "r-1"});
        let e = Envelope::from_value(body, Family::Events).unwrap();
        assert!(e.is_success());
        assert_eq!(e.shape, Shape::Code);
        assert_eq!(e.payload["expire"], 86400);
        assert_eq!(e.request_ids, vec!["r-1"]);
        assert_eq!(e.server_time_ms, Some(1_666_231_314_356));
    }

    #[test]
    fn status_typo_and_string_codes() {
        let e = Envelope::from_value(
            json!({"stauts": "0", "result": {"a": 1}}),
            Family::Conference,
        )
        .unwrap();
        assert!(e.is_success());
        assert_eq!(e.payload, json!({"a": 1}));
    }

    #[test]
    fn result_shapes() {
        for (result, expected) in [
            (json!({"list": []}), json!({"list": []})),
            (json!([1, 2]), json!([1, 2])),
            (json!(null), json!(null)),
            (
                json!("{\"list\":[{\"name\":\"x\"}]}"),
                json!({"list": [{"name": "x"}]}),
            ),
            (json!(" [1] "), json!([1])),
            (json!(""), json!(null)),
            (json!("plain text"), json!("plain text")),
            (json!("{broken"), json!("{broken")),
        ] {
            let e =
                Envelope::from_value(json!({"status": 0, "result": result}), Family::Conference)
                    .unwrap();
            assert_eq!(e.payload, expected);
        }
        let e = Envelope::from_value(json!({"status": 0}), Family::Conference).unwrap();
        assert_eq!(e.payload, Value::Null);
    }

    #[test]
    fn failures_keep_code_msg_and_ids() {
        let e = Envelope::from_value(
            json!({"status": 404, "msg": "not found", "request_id": "a", "reqid": "", "requestId": "c"}),
            Family::Conference,
        )
        .unwrap();
        assert!(!e.is_success());
        assert_eq!(e.code, 404);
        assert_eq!(e.msg.as_deref(), Some("not found"));
        assert_eq!(e.request_ids, vec!["a", "c"]);
        let e = Envelope::from_value(json!({"code": 0, "msg": "x"}), Family::Events).unwrap();
        assert!(!e.is_success(), "eventopenapi success is 200, not 0");
        let e = Envelope::from_value(json!({"code": 401}), Family::Conference).unwrap();
        assert_eq!((e.shape, e.code), (Shape::Code, 401));
    }

    #[test]
    fn not_envelopes() {
        for v in [
            json!([]),
            json!(1),
            json!("x"),
            json!({"foo": 1}),
            json!({"status": "ok"}),
            json!(null),
        ] {
            assert!(
                Envelope::from_value(v.clone(), Family::Conference).is_none(),
                "{v}"
            );
        }
    }

    #[test]
    fn both_keys_use_the_family() {
        let v = json!({"status": 1, "code": 200});
        assert_eq!(
            Envelope::from_value(v.clone(), Family::Conference)
                .unwrap()
                .code,
            1
        );
        assert_eq!(Envelope::from_value(v, Family::Events).unwrap().code, 200);
    }
}
