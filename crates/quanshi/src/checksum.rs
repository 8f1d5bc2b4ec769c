//! The CheckSum signature headers (docs/specs/quanshi.md §2.1).
//!
//! ```text
//! CheckSum = LowerHex( SHA1( UTF-8( AppSecret + Nonce + CurTime ) ) )
//! ```
//!
//! Neither the body nor the path is signed. Every attempt (retries included) gets a new
//! [`SignatureHeaders`]: a fresh 32-character lower-hex `Nonce` from a CSPRNG and the current
//! `CurTime` in Unix milliseconds from the injected clock.

use std::fmt;

use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue};
use roster_core::{Error, ExposeSecret, SecretString};
use sha1::{Digest, Sha1};
use time::OffsetDateTime;

use crate::config::KeyHeader;

/// Header carrying the random nonce.
pub const NONCE_HEADER: &str = "Nonce";
/// Header carrying the Unix time in milliseconds.
pub const CUR_TIME_HEADER: &str = "CurTime";
/// Header carrying the checksum.
pub const CHECKSUM_HEADER: &str = "CheckSum";

/// `LowerHex(SHA1(secret + nonce + cur_time))`: 40 lower-case hex characters.
///
/// ```
/// use roster_quanshi::checksum::checksum;
/// // docs/specs/quanshi.md §2.2, first vector.
/// assert_eq!(
///     checksum("aSecretKey", "571163", "1638341017999"),
///     "d0bf6c73276195afef2151e0ecb67b6963b22cbe"
/// );
/// ```
pub fn checksum(secret: &str, nonce: &str, cur_time: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(secret.as_bytes());
    sha.update(nonce.as_bytes());
    sha.update(cur_time.as_bytes());
    hex::encode(sha.finalize())
}

/// A new nonce: 16 bytes from the thread-local CSPRNG as 32 lower-case hex characters.
pub fn new_nonce() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

/// Unix time in milliseconds.
pub fn unix_millis(now: OffsetDateTime) -> i64 {
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// One attempt's signature headers. The checksum is derived from the secret and never shown
/// by `Debug`.
#[derive(Clone)]
pub struct SignatureHeaders {
    key_header: KeyHeader,
    app_key: String,
    nonce: String,
    cur_time: i64,
    checksum: String,
}

impl fmt::Debug for SignatureHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureHeaders")
            .field("key_header", &self.key_header)
            .field("app_key", &self.app_key)
            .field("nonce", &self.nonce)
            .field("cur_time", &self.cur_time)
            .field("checksum", &"<redacted>")
            .finish()
    }
}

impl SignatureHeaders {
    /// Signs with a fresh nonce at `now`.
    pub fn new(
        key_header: KeyHeader,
        app_key: &str,
        secret: &SecretString,
        now: OffsetDateTime,
    ) -> Self {
        Self::with_nonce(key_header, app_key, secret, new_nonce(), unix_millis(now))
    }

    /// Signs with a given nonce and time (tests and golden vectors).
    pub fn with_nonce(
        key_header: KeyHeader,
        app_key: &str,
        secret: &SecretString,
        nonce: String,
        cur_time: i64,
    ) -> Self {
        let checksum = checksum(secret.expose_secret(), &nonce, &cur_time.to_string());
        Self {
            key_header,
            app_key: app_key.to_string(),
            nonce,
            cur_time,
            checksum,
        }
    }

    /// The nonce sent.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// `CurTime`, Unix milliseconds.
    pub fn cur_time(&self) -> i64 {
        self.cur_time
    }

    /// Whether the checksum equals `expected` (for tests; the value itself is not exposed).
    pub fn checksum_matches(&self, expected: &str) -> bool {
        self.checksum == expected
    }

    /// The headers: the key header(s), `Nonce`, `CurTime` and `CheckSum` (marked sensitive so
    /// that nothing prints it).
    pub fn to_headers(&self) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        let key = HeaderValue::from_str(&self.app_key).map_err(|_| {
            Error::config("the Quanshi app key contains characters not allowed in an HTTP header")
        })?;
        for name in self.key_header.names() {
            headers.insert(*name, key.clone());
        }
        // Nonce and time are ASCII hex/digits by construction.
        let nonce = HeaderValue::from_str(&self.nonce)
            .map_err(|_| Error::config("the nonce is not a valid header value"))?;
        headers.insert(NONCE_HEADER, nonce);
        headers.insert(CUR_TIME_HEADER, HeaderValue::from(self.cur_time));
        let mut sum = HeaderValue::from_str(&self.checksum)
            .map_err(|_| Error::config("the checksum is not a valid header value"))?;
        sum.set_sensitive(true);
        headers.insert(CHECKSUM_HEADER, sum);
        Ok(headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_vectors() {
        // docs/specs/quanshi.md §2.2: input "aSecretKey5711631638341017999".
        assert_eq!(
            checksum("aSecretKey", "571163", "1638341017999"),
            "d0bf6c73276195afef2151e0ecb67b6963b22cbe"
        );
        // docs/specs/quanshi.md §2.2: input "aSecretKeya1b2c3d4e5f61654580475434".
        assert_eq!(
            checksum("aSecretKey", "a1b2c3d4e5f6", "1654580475434"),
            "3182719e5badc42b2130f9a73ae1257cac79fdcf"
        );
    }

    #[test]
    fn we_send_lower_case_hex_never_upper_case() {
        let secret = SecretString::from("aSecretKey");
        let s = SignatureHeaders::with_nonce(
            KeyHeader::AppKey,
            "k",
            &secret,
            "571163".into(),
            1_638_341_017_999,
        );
        let headers = s.to_headers().unwrap();
        let sent = headers[CHECKSUM_HEADER].to_str().unwrap();
        assert_eq!(sent, "d0bf6c73276195afef2151e0ecb67b6963b22cbe");
        assert_ne!(sent, "D0BF6C73276195AFEF2151E0ECB67B6963B22CBE");
        assert!(
            sent.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert!(headers[CHECKSUM_HEADER].is_sensitive());
        assert_eq!(headers[CUR_TIME_HEADER], "1638341017999");
        assert_eq!(headers[NONCE_HEADER], "571163");
        assert_eq!(headers["AppKey"], "k");
        assert!(!headers.contains_key("AppId"));
    }

    #[test]
    fn key_header_name_is_configurable() {
        let secret = SecretString::from("s");
        for (kh, names) in [
            (KeyHeader::AppKey, &["AppKey"][..]),
            (KeyHeader::AppId, &["AppId"][..]),
            (KeyHeader::Both, &["AppKey", "AppId"][..]),
        ] {
            let h = SignatureHeaders::with_nonce(kh, "key-1", &secret, "n".into(), 1)
                .to_headers()
                .unwrap();
            for name in ["AppKey", "AppId"] {
                assert_eq!(h.contains_key(name), names.contains(&name), "{kh:?} {name}");
            }
            for name in names {
                assert_eq!(h[*name], "key-1");
            }
        }
    }

    #[test]
    fn nonces_are_32_lower_hex_and_fresh() {
        let a = new_nonce();
        let b = new_nonce();
        assert_eq!(a.len(), 32);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a, b);
        let secret = SecretString::from("s");
        let now = OffsetDateTime::from_unix_timestamp(1_654_580_475).unwrap();
        let s1 = SignatureHeaders::new(KeyHeader::AppKey, "k", &secret, now);
        let s2 = SignatureHeaders::new(KeyHeader::AppKey, "k", &secret, now);
        assert_ne!(s1.nonce(), s2.nonce());
        assert_eq!(s1.cur_time(), 1_654_580_475_000);
    }

    #[test]
    fn debug_hides_the_checksum() {
        let secret = SecretString::from("aSecretKey");
        let s = SignatureHeaders::with_nonce(
            KeyHeader::AppKey,
            "k",
            &secret,
            "571163".into(),
            1_638_341_017_999,
        );
        let shown = format!("{s:?}");
        assert!(!shown.contains("d0bf6c73"), "{shown}");
        assert!(!shown.contains("aSecretKey"), "{shown}");
        assert!(s.checksum_matches("d0bf6c73276195afef2151e0ecb67b6963b22cbe"));
    }
}
