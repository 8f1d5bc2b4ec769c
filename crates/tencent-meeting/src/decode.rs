//! Lenient Base64 text (docs/specs/tencent-meeting.md §4.1 quirk 3): `user_name` and possibly `subject` are Base64 of
//! bytes that are usually, but not always, UTF-8.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// The result of decoding a Base64 display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodedText {
    /// The Base64 decoded to valid UTF-8 (control characters are kept as they are).
    Text(String),
    /// Not Base64, or the bytes are not UTF-8: the raw value as sent, never replaced silently.
    Undecodable(String),
}

impl DecodedText {
    /// The decoded text, or the raw value if undecodable.
    pub fn as_str(&self) -> &str {
        match self {
            DecodedText::Text(s) | DecodedText::Undecodable(s) => s,
        }
    }

    /// Whether decoding failed.
    pub fn is_undecodable(&self) -> bool {
        matches!(self, DecodedText::Undecodable(_))
    }
}

/// Decodes vendor Base64 text: standard alphabet with padding, then without, then the URL-safe
/// alphabet with and without padding (what the official CLI accepts). The first alphabet that
/// decodes wins; its bytes are accepted only if they are valid UTF-8.
///
/// ```
/// use roster_tencent_meeting::decode::{decode_base64_text, DecodedText};
/// assert_eq!(decode_base64_text("5byg5LiJ"), DecodedText::Text("张三".into()));
/// assert_eq!(decode_base64_text("dGvzdDI="), DecodedText::Undecodable("dGvzdDI=".into()));
/// ```
pub fn decode_base64_text(raw: &str) -> DecodedText {
    let trimmed = raw.trim();
    let bytes = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(trimmed).ok());
    match bytes.map(String::from_utf8) {
        Some(Ok(text)) => DecodedText::Text(text),
        _ => DecodedText::Undecodable(raw.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn documented_examples() {
        assert_eq!(
            decode_base64_text("dBVzdDE="),
            DecodedText::Text("t\u{15}st1".into())
        );
        // 74 6B F3 74 32: not UTF-8, kept raw.
        let d = decode_base64_text("dGvzdDI=");
        assert!(d.is_undecodable());
        assert_eq!(d.as_str(), "dGvzdDI=");
        assert_eq!(
            decode_base64_text("5byg5LiJ"),
            DecodedText::Text("张三".into())
        );
    }

    #[test]
    fn padding_and_alphabet_variants() {
        // "张三!" → 5byg5LiJIQ== ; without padding; URL-safe forms of text with + and /.
        assert_eq!(
            decode_base64_text("5byg5LiJIQ"),
            DecodedText::Text("张三!".into())
        );
        let text = "Ünïcode ~~~ ???>>>";
        let std = STANDARD.encode(text);
        assert!(std.contains('+') || std.contains('/'), "{std}");
        let url = URL_SAFE.encode(text);
        let url_np = URL_SAFE_NO_PAD.encode(text);
        for v in [std, url, url_np] {
            assert_eq!(
                decode_base64_text(&v),
                DecodedText::Text(text.into()),
                "{v}"
            );
        }
        assert_eq!(decode_base64_text(""), DecodedText::Text(String::new()));
    }

    #[test]
    fn non_base64_is_kept_raw() {
        for raw in ["not base64!*", "张三", "a", "@@@@"] {
            assert_eq!(
                decode_base64_text(raw),
                DecodedText::Undecodable(raw.into())
            );
        }
    }

    proptest! {
        #[test]
        fn never_panics_and_roundtrips(s in ".*", bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode_base64_text(&s);
            let encoded = STANDARD.encode(&bytes);
            match decode_base64_text(&encoded) {
                DecodedText::Text(t) => prop_assert_eq!(t.as_bytes(), &bytes[..]),
                DecodedText::Undecodable(r) => {
                    prop_assert!(std::str::from_utf8(&bytes).is_err());
                    prop_assert_eq!(r, encoded);
                }
            }
        }
    }
}
