//! Request bodies of the meeting endpoints: a JSON object read with WeCom's strict typing.
//!
//! WeCom's gateway decodes bodies into typed messages: a field of the wrong JSON type is "wrong
//! json format" (`40058`, docs/specs/wecom.md §3), like malformed JSON. Unknown fields are ignored. `null`
//! counts as absent.

use serde_json::{Map, Value};

use super::error::WcError;

/// A parsed request body.
#[derive(Debug, Default)]
pub(crate) struct Body(Map<String, Value>);

impl Body {
    /// Parses a body that must be a JSON object.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Body, WcError> {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(m)) => Ok(Body(m)),
            Ok(_) => Err(WcError::wrong_json("the body must be a JSON object")),
            Err(e) => Err(WcError::wrong_json(format!("invalid json: {e}"))),
        }
    }

    fn field(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// A string field (`None` if absent).
    pub(crate) fn string(&self, name: &str) -> Result<Option<&str>, WcError> {
        match self.field(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(WcError::wrong_json(format!("{name} must be a string"))),
        }
    }

    /// A string field, treating `""` as absent.
    pub(crate) fn non_empty(&self, name: &str) -> Result<Option<&str>, WcError> {
        Ok(self.string(name)?.filter(|s| !s.is_empty()))
    }

    /// An integer field within `range` (a `uint32` or `int32` of the vendor's schema).
    fn int_in(&self, name: &str, lo: i64, hi: i64, what: &str) -> Result<Option<i64>, WcError> {
        match self.field(name) {
            None => Ok(None),
            Some(v) => match v.as_i64() {
                Some(n) if (lo..=hi).contains(&n) => Ok(Some(n)),
                _ => Err(WcError::wrong_json(format!("{name} must be {what}"))),
            },
        }
    }

    /// A `uint32` field.
    pub(crate) fn uint32(&self, name: &str) -> Result<Option<i64>, WcError> {
        self.int_in(name, 0, i64::from(u32::MAX), "a uint32")
    }

    /// An `int32` field.
    pub(crate) fn int32(&self, name: &str) -> Result<Option<i64>, WcError> {
        self.int_in(name, i64::from(i32::MIN), i64::from(i32::MAX), "an int32")
    }

    /// An array of strings (`None` if absent).
    pub(crate) fn strings(&self, name: &str) -> Result<Option<Vec<&str>>, WcError> {
        match self.field(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().ok_or_else(|| {
                        WcError::wrong_json(format!("{name} must be an array of strings"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(WcError::wrong_json(format!("{name} must be an array"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_types() {
        let b = Body::parse(
            br#"{"meetingid":"m","limit":100,"neg":-1,"big":4294967296,"f":1.5,"s":"10","n":null,"l":["a","b"],"bad":[1]}"#,
        )
        .unwrap();
        assert_eq!(b.string("meetingid").unwrap(), Some("m"));
        assert_eq!(b.uint32("limit").unwrap(), Some(100));
        assert_eq!(b.uint32("absent").unwrap(), None);
        assert_eq!(b.uint32("n").unwrap(), None);
        for bad in ["neg", "big", "f", "s"] {
            assert_eq!(b.uint32(bad).unwrap_err().code, 40058, "{bad}");
        }
        assert_eq!(b.int32("neg").unwrap(), Some(-1));
        assert!(b.string("limit").is_err());
        assert_eq!(b.strings("l").unwrap(), Some(vec!["a", "b"]));
        assert!(b.strings("bad").is_err());
        assert!(b.strings("meetingid").is_err());
        for text in [&b""[..], b"[]", b"nul", b"{\"a\":", b"\"x\""] {
            let e = Body::parse(text).unwrap_err();
            assert!(e.message.starts_with("Warning: wrong json format."));
        }
    }
}
