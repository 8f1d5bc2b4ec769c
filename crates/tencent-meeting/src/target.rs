//! Request targets: validated ids, the query built by hand in a fixed order with RFC 3986
//! encoding, and the exact path-and-query that is both signed and sent.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use roster_core::{Error, Result};
use url::Url;

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) is percent-encoded,
/// with upper-case hex.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Longest id accepted (the vendor's ids are 19–20 digits; this leaves room).
pub const MAX_ID_LEN: usize = 64;

/// Percent-encodes a query value or path segment (RFC 3986: unreserved characters as is,
/// everything else `%XX` in upper-case hex, UTF-8 first).
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, NOT_UNRESERVED).to_string()
}

/// Checks a meeting or sub-meeting id against the vendor's id alphabet before it is used in a
/// path or query: **1 to 64 ASCII decimal digits**. Tencent ids are decimal strings (some above
/// `i64::MAX`, so they are never parsed as numbers). Anything else — `../`, `?`, `#`, `%2F`,
/// spaces, control characters, non-ASCII digits — is rejected with
/// [`roster_core::ErrorKind::InvalidArgument`] before any request.
pub fn validate_id(what: &str, id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::invalid_argument(format!("the {what} is empty")));
    }
    if id.len() > MAX_ID_LEN || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_argument(format!(
            "the {what} {:?} is not a Tencent Meeting id (1 to {MAX_ID_LEN} decimal digits)",
            roster_core::wire::excerpt(id)
        )));
    }
    Ok(())
}

/// A query string under construction, in the order parameters are pushed.
#[derive(Debug, Default, Clone)]
pub struct QueryString {
    text: String,
}

impl QueryString {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `name=value`, both encoded.
    pub fn push(&mut self, name: &str, value: impl AsRef<str>) -> &mut Self {
        if !self.text.is_empty() {
            self.text.push('&');
        }
        self.text.push_str(&encode_component(name));
        self.text.push('=');
        self.text.push_str(&encode_component(value.as_ref()));
        self
    }

    /// Appends `name=value` if `value` is `Some`.
    pub fn push_opt(&mut self, name: &str, value: Option<impl AsRef<str>>) -> &mut Self {
        if let Some(v) = value {
            self.push(name, v);
        }
        self
    }

    /// The encoded query.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The final URL of a request and the request-target that is signed.
#[derive(Debug, Clone)]
pub struct Target {
    url: Url,
    request_target: String,
}

impl Target {
    /// Builds `base` + `/` + encoded `segments` + `?` + `query`, and checks that the URL parser
    /// kept the path and query byte for byte (no dot-segment folding, no re-encoding). The
    /// request-target is taken from the final `Url`, so what is signed is what is sent.
    pub fn new(base: &Url, segments: &[&str], query: &QueryString) -> Result<Self> {
        let mut path = base.path().trim_end_matches('/').to_string();
        for s in segments {
            path.push('/');
            path.push_str(&encode_component(s));
        }
        let mut url = base.clone();
        url.set_path(&path);
        url.set_query(if query.as_str().is_empty() {
            None
        } else {
            Some(query.as_str())
        });
        url.set_fragment(None);
        if url.path() != path || url.query().unwrap_or("") != query.as_str() {
            return Err(Error::invalid_argument(
                "the request path would not be sent as built; refusing to send it",
            ));
        }
        let request_target = match url.query() {
            Some(q) => format!("{}?{}", url.path(), q),
            None => url.path().to_string(),
        };
        Ok(Self {
            url,
            request_target,
        })
    }

    /// The URL to send (never re-serialised).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// `path?query` exactly as on the wire: the signed request-target.
    pub fn request_target(&self) -> &str {
        &self.request_target
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::ErrorKind;

    #[test]
    fn ids_outside_the_alphabet_are_rejected() {
        validate_id("meeting id", "7567173273889276131").unwrap();
        validate_id("meeting id", "98765432109876543210").unwrap();
        for bad in [
            "",
            "../1",
            "1/../2",
            "1?x=1",
            "1#f",
            "1%2F2",
            "1 2",
            " 1",
            "1\n",
            "1\u{0}",
            "1\u{7f}",
            "١٢٣",
            "12a",
            "-1",
            "+1",
            "1.0",
            &"9".repeat(65),
        ] {
            let e = validate_id("meeting id", bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
        }
    }

    #[test]
    fn query_is_rfc3986_in_push_order() {
        let mut q = QueryString::new();
        q.push("userid", "123+123")
            .push("b", "a b/c?d#e%f&g=h")
            .push("c", "张三~._-")
            .push_opt("d", None::<&str>)
            .push_opt("e", Some("1"));
        assert_eq!(
            q.as_str(),
            "userid=123%2B123&b=a%20b%2Fc%3Fd%23e%25f%26g%3Dh&c=%E5%BC%A0%E4%B8%89~._-&e=1"
        );
    }

    #[test]
    fn target_is_exactly_what_was_built() {
        let base =
            roster_core::http::parse_base_url("the base URL", "http://127.0.0.1:8080").unwrap();
        let mut q = QueryString::new();
        q.push("userid", "owner 1").push("pos", "0");
        let t = Target::new(&base, &["v1", "meetings", "123", "participants"], &q).unwrap();
        assert_eq!(
            t.request_target(),
            "/v1/meetings/123/participants?userid=owner%201&pos=0"
        );
        assert_eq!(
            t.url().as_str(),
            "http://127.0.0.1:8080/v1/meetings/123/participants?userid=owner%201&pos=0"
        );

        let prefixed =
            roster_core::http::parse_base_url("the base URL", "http://127.0.0.1:8080/tm/").unwrap();
        let t = Target::new(&prefixed, &["v1", "meetings", "1"], &QueryString::new()).unwrap();
        assert_eq!(t.request_target(), "/tm/v1/meetings/1");

        // Even unvalidated segments cannot escape their segment.
        let t = Target::new(
            &base,
            &["v1", "meetings", "../../admin?x#y"],
            &QueryString::new(),
        )
        .unwrap();
        assert_eq!(t.request_target(), "/v1/meetings/..%2F..%2Fadmin%3Fx%23y");
        // A bare dot-dot segment would be folded by the URL parser: refused.
        let e = Target::new(&base, &["v1", "meetings", ".."], &QueryString::new()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn base_urls() {
        for bad in [
            "ftp://x",
            "not a url",
            "http://x/?q=1",
            "http://u:p@x/",
            "http://x/#f",
        ] {
            assert_eq!(
                roster_core::http::parse_base_url("the base URL", bad)
                    .unwrap_err()
                    .kind(),
                ErrorKind::Config,
                "{bad}"
            );
        }
        roster_core::http::parse_base_url("the base URL", "https://api.meeting.qq.com").unwrap();
    }
}
