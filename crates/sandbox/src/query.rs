//! Raw query-string parsing (the sandbox reads the request-target itself instead of using axum
//! extractors, so every malformed input gets a vendor-shaped error, never an axum rejection).

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

/// Decodes one query component: `+` is a space, `%XX` a byte; invalid UTF-8 is replaced.
pub(crate) fn decode_component(s: &str) -> String {
    let plus: Cow<'_, str> = if s.contains('+') {
        Cow::Owned(s.replace('+', " "))
    } else {
        Cow::Borrowed(s)
    };
    percent_decode_str(&plus).decode_utf8_lossy().into_owned()
}

/// The decoded `name=value` pairs of a query string, in order (a name without `=` has an empty
/// value; empty segments are skipped).
#[derive(Clone, Debug, Default)]
pub(crate) struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    /// Parses `raw` (the part after `?`, if any).
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .unwrap_or("")
            .split('&')
            .filter(|seg| !seg.is_empty())
            .map(|seg| match seg.split_once('=') {
                Some((k, v)) => (decode_component(k), decode_component(v)),
                None => (decode_component(seg), String::new()),
            })
            .collect();
        QueryParams { pairs }
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, treating an empty value as absent.
    pub(crate) fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// The first value of `name` as a decimal integer: `Ok(None)` if absent or empty,
    /// `Err(())` if present but not an integer.
    pub(crate) fn int(&self, name: &str) -> Result<Option<i64>, ()> {
        match self.non_empty(name) {
            None => Ok(None),
            Some(v) => parse_decimal(v).map(Some).ok_or(()),
        }
    }
}

/// A decimal integer with an optional leading `-`, nothing else (no `+`, no spaces).
pub(crate) fn parse_decimal(v: &str) -> Option<i64> {
    let digits = v.strip_prefix('-').unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

/// Percent-decodes one path segment (lossy UTF-8).
pub(crate) fn decode_path_segment(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_a_server() {
        let q = QueryParams::parse(Some("userid=123%2B123&a=1+2&flag&&size=&x=%FF&a=dup"));
        assert_eq!(q.get("userid"), Some("123+123"));
        assert_eq!(q.get("a"), Some("1 2"));
        assert_eq!(q.get("flag"), Some(""));
        assert_eq!(q.non_empty("size"), None);
        assert_eq!(q.get("x"), Some("\u{FFFD}"));
        assert_eq!(q.int("size"), Ok(None));
        assert_eq!(QueryParams::parse(Some("n=12")).int("n"), Ok(Some(12)));
        assert_eq!(QueryParams::parse(Some("n=+12")).int("n"), Err(()));
        assert_eq!(QueryParams::parse(Some("n=1e3")).int("n"), Err(()));
        assert_eq!(
            QueryParams::parse(Some("n=99999999999999999999")).int("n"),
            Err(())
        );
        assert_eq!(QueryParams::parse(None).get("a"), None);
    }
}
