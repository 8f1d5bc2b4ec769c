//! The JSON request body and its parameters (docs/specs/quanshi.md §4: ids are accepted as numbers or digit
//! strings; `null` counts as absent).

use serde_json::{Map, Value};

use super::envelope::QsError;

/// A parsed request body: always a JSON object (an empty body is `{}`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Body {
    obj: Map<String, Value>,
}

impl Body {
    /// Parses a body; anything but a JSON object (or nothing) is a `400`.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Body, QsError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body::default());
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(obj)) => Ok(Body { obj }),
            Ok(_) => Err(QsError::invalid("the body must be a JSON object")),
            Err(_) => Err(QsError::invalid("the body is not valid JSON")),
        }
    }

    /// A field, `null` counting as absent.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    /// An id: a non-negative integer as a JSON number or a string of decimal digits. Absent,
    /// `null` or `""` → `None`; anything else → `400`.
    pub(crate) fn id(&self, key: &str) -> Result<Option<u64>, QsError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| QsError::invalid(format!("{key} must be a non-negative integer"))),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) if s.bytes().all(|b| b.is_ascii_digit()) => s
                .parse()
                .map(Some)
                .map_err(|_| QsError::invalid(format!("{key} is out of range"))),
            Some(_) => Err(QsError::invalid(format!(
                "{key} must be an integer (number or digit string)"
            ))),
        }
    }

    /// A signed integer as a JSON number or a decimal string (optional leading `-`).
    pub(crate) fn int(&self, key: &str) -> Result<Option<i64>, QsError> {
        let bad = || QsError::invalid(format!("{key} must be an integer"));
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(bad),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => crate::query::parse_decimal(s).map(Some).ok_or_else(bad),
            Some(_) => Err(bad()),
        }
    }

    /// A string field; other types → `400`.
    pub(crate) fn string(&self, key: &str) -> Result<Option<&str>, QsError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(QsError::invalid(format!("{key} must be a string"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(s: &str) -> Body {
        Body::parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn bodies_and_ids() {
        assert!(Body::parse(b"").is_ok());
        assert!(Body::parse(b" \n").is_ok());
        for bad in ["[]", "1", "\"x\"", "{", "{\"a\":}", "null"] {
            assert_eq!(
                Body::parse(bad.as_bytes()).unwrap_err().status,
                400,
                "{bad}"
            );
        }
        let b = body(
            r#"{"a":613399,"b":"613399","c":"","d":null,"e":-1,"f":1.5,"g":"1e3","h":true,
                "i":"99999999999999999999999","j":"-3","k":[1]}"#,
        );
        assert_eq!(b.id("a").unwrap(), Some(613399));
        assert_eq!(b.id("b").unwrap(), Some(613399));
        assert_eq!(b.id("c").unwrap(), None);
        assert_eq!(b.id("d").unwrap(), None);
        assert_eq!(b.id("missing").unwrap(), None);
        for bad in ["e", "f", "g", "h", "i", "j", "k"] {
            assert_eq!(b.id(bad).unwrap_err().status, 400, "{bad}");
        }
        assert_eq!(b.int("e").unwrap(), Some(-1));
        assert_eq!(b.int("j").unwrap(), Some(-3));
        assert_eq!(b.int("b").unwrap(), Some(613399));
        assert!(b.int("f").is_err() && b.int("g").is_err() && b.int("i").is_err());
        assert_eq!(b.string("b").unwrap(), Some("613399"));
        assert!(b.string("a").is_err());
        assert_eq!(b.string("d").unwrap(), None);
    }
}
