//! What both vendors' push events share (docs/specs/webhooks.md): the SHA-1 signature over the
//! sorted parts (token, timestamp, nonce, payload), compared in constant time; the
//! `EncodingAESKey` (43 characters of base64: a 32-byte AES-256 key); and AES-256-CBC with the
//! key's first 16 bytes as IV, then a PKCS#7 check against the vendor's block (Tencent 16,
//! WeCom 32: a 16-byte unpadder rejects about half of WeCom's real messages).
//!
//! Pure functions, no server. Errors say which check failed and never carry the token, the
//! key, the signature or any decrypted byte; `Debug` of a key shows nothing of it.

use std::fmt;

use aes::cipher::{BlockModeDecrypt, KeyIvInit};
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use secrecy::{ExposeSecret, SecretBox};
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// Which check a push event failed. The vendor's own codes, where it has them, come with
/// [`WebhookErrorKind::wecom_code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookErrorKind {
    /// The signature does not match (or is missing or malformed).
    Signature,
    /// The configured `EncodingAESKey` is not 43 characters of base64 for 32 bytes.
    Key,
    /// The payload is not base64.
    Base64,
    /// The ciphertext is not whole blocks, or its PKCS#7 padding is wrong.
    Padding,
    /// The decrypted frame is too short for its stated length (WeCom).
    Frame,
    /// The decrypted message is for another receiver (WeCom: not this CorpID).
    ReceiveId,
    /// The decoded event is not the JSON or XML of an event.
    Payload,
}

impl WebhookErrorKind {
    /// WeCom's code for this failure (its sample code's): -40001 signature, -40004 AES key,
    /// -40005 receive id, -40007 decrypt, -40008 buffer, -40010 base64, -40002 parse.
    pub fn wecom_code(self) -> i64 {
        match self {
            Self::Signature => -40001,
            Self::Key => -40004,
            Self::ReceiveId => -40005,
            Self::Padding => -40007,
            Self::Frame => -40008,
            Self::Base64 => -40010,
            Self::Payload => -40002,
        }
    }
}

/// A push event that failed a check. Its text names the check only: never the token, the
/// key or the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookError {
    kind: WebhookErrorKind,
    detail: &'static str,
}

impl WebhookError {
    /// An error of `kind`; `detail` is fixed text (never request content).
    pub fn new(kind: WebhookErrorKind, detail: &'static str) -> Self {
        Self { kind, detail }
    }

    /// Which check failed.
    pub fn kind(&self) -> WebhookErrorKind {
        self.kind
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "push event rejected: {}", self.detail)
    }
}

impl std::error::Error for WebhookError {}

/// Whether a push event opens or closes a person's attendance session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PresenceKind {
    /// The person joined: a session opens.
    Joined,
    /// The person left: the open session closes.
    Left,
}

/// A join or leave pushed by a vendor, in the unified model: it opens or closes a session for
/// a person in a meeting. Moves between a meeting and its breakout rooms are neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceChange {
    /// The platform.
    pub vendor: crate::Vendor,
    /// The meeting.
    pub meeting_id: String,
    /// Joined or left.
    pub kind: PresenceKind,
    /// When (the vendor's event time).
    pub at: Option<time::OffsetDateTime>,
    /// The enterprise user id, for members.
    pub user_id: Option<String>,
    /// The vendor's per-meeting or per-app temporary id (Tencent `ms_open_id`, WeCom
    /// `FromUserTmpOpenId`).
    pub temp_id: Option<String>,
    /// The display name, where the event carries one.
    pub display_name: Option<String>,
    /// The phone number of a dial-in participant.
    pub phone: Option<String>,
    /// Which of a person's devices (Tencent `instance_id`), where given.
    pub instance_id: Option<String>,
}

/// The lower-case hex SHA-1 of `parts` sorted byte-wise and concatenated: both vendors'
/// signature.
pub fn signature(parts: &[&str]) -> String {
    let mut sorted: Vec<&str> = parts.to_vec();
    sorted.sort_unstable();
    let mut hasher = Sha1::new();
    for part in sorted {
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Whether `given` (40 hex digits, either case) is the signature of `parts`, compared in
/// constant time.
pub fn verify_signature(given: &str, parts: &[&str]) -> Result<(), WebhookError> {
    let expected = signature(parts);
    let given = given.trim().to_ascii_lowercase();
    if given.len() == expected.len() && bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(WebhookError::new(
            WebhookErrorKind::Signature,
            "the signature does not match",
        ))
    }
}

/// Standard base64, `=` padding optional (Tencent sends payloads without it), stray bits in the
/// last character ignored (an `EncodingAESKey` is 43 characters whose last carries two bits
/// beyond the 32 bytes: the vendors' own sample key has them set).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decodes standard base64, with or without `=` padding.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, WebhookError> {
    BASE64
        .decode(text.trim())
        .map_err(|_| WebhookError::new(WebhookErrorKind::Base64, "the payload is not base64"))
}

/// A subscription's `EncodingAESKey`: the AES-256 key, kept secret.
pub struct WebhookKey(SecretBox<[u8; 32]>);

impl fmt::Debug for WebhookKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookKey(<redacted>)")
    }
}

impl Clone for WebhookKey {
    fn clone(&self) -> Self {
        Self(SecretBox::new(Box::new(*self.0.expose_secret())))
    }
}

impl WebhookKey {
    /// The key of a 43-character `EncodingAESKey` (base64 of 32 bytes without its `=`).
    pub fn from_encoding_aes_key(encoding_aes_key: &str) -> Result<Self, WebhookError> {
        let bad = || {
            WebhookError::new(
                WebhookErrorKind::Key,
                "the EncodingAESKey is not 43 characters of base64",
            )
        };
        let text = encoding_aes_key.trim();
        if text.len() != 43 {
            return Err(bad());
        }
        let bytes = decode_base64(text).map_err(|_| bad())?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| bad())?;
        Ok(Self(SecretBox::new(Box::new(key))))
    }

    /// AES-256-CBC decryption (IV = the key's first 16 bytes), then a PKCS#7 check for
    /// padding of 1 to `block` bytes, all equal (16 for Tencent, 32 for WeCom).
    pub fn decrypt(&self, ciphertext: &[u8], block: usize) -> Result<Vec<u8>, WebhookError> {
        let padding =
            || WebhookError::new(WebhookErrorKind::Padding, "the payload does not decrypt");
        if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
            return Err(padding());
        }
        let key = self.0.expose_secret();
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&key[..16]);
        let mut buf = ciphertext.to_vec();
        let decryptor = cbc::Decryptor::<aes::Aes256>::new(key.into(), &iv.into());
        decryptor
            .decrypt_padded::<cbc::cipher::block_padding::NoPadding>(&mut buf)
            .map_err(|_| padding())?;
        let pad = usize::from(*buf.last().ok_or_else(padding)?);
        if pad == 0
            || pad > block
            || pad > buf.len()
            || !buf[buf.len() - pad..]
                .iter()
                .all(|&b| usize::from(b) == pad)
        {
            return Err(padding());
        }
        buf.truncate(buf.len() - pad);
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_sort_their_parts_and_compare_in_either_case() {
        let s = signature(&["b", "a", "c"]);
        assert_eq!(s, signature(&["a", "b", "c"]));
        assert_eq!(s.len(), 40);
        assert!(verify_signature(&s.to_uppercase(), &["c", "a", "b"]).is_ok());
        for bad in ["", "zz", &s[..39]] {
            assert_eq!(
                verify_signature(bad, &["a", "b", "c"]).unwrap_err().kind(),
                WebhookErrorKind::Signature
            );
        }
    }

    #[test]
    fn keys_are_43_characters_and_never_shown() {
        let key = WebhookKey::from_encoding_aes_key("jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
            .unwrap();
        assert_eq!(format!("{key:?}"), "WebhookKey(<redacted>)");
        for bad in [
            "",
            "short",
            "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C=",
            "!WmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
        ] {
            let e = WebhookKey::from_encoding_aes_key(bad).unwrap_err();
            assert_eq!(e.kind(), WebhookErrorKind::Key);
            assert!(!e.to_string().contains("jWmYm7"));
        }
        assert!(matches!(key.decrypt(&[], 32), Err(e) if e.kind() == WebhookErrorKind::Padding));
        assert!(
            matches!(key.decrypt(&[0; 15], 32), Err(e) if e.kind() == WebhookErrorKind::Padding)
        );
    }

    #[test]
    fn base64_with_or_without_padding() {
        assert_eq!(decode_base64("YWI=").unwrap(), b"ab");
        assert_eq!(decode_base64("YWI").unwrap(), b"ab");
        assert_eq!(
            decode_base64("Y!").unwrap_err().kind(),
            WebhookErrorKind::Base64
        );
    }
}
