//! AK/SK request signing (docs/specs/tencent-meeting.md §2.2–§2.4): the string to sign, the signature and nonces.
//!
//! ```text
//! StringToSign   = Method "\n" "X-TC-Key=" SecretId "&X-TC-Nonce=" Nonce "&X-TC-Timestamp=" Timestamp
//!                  "\n" RequestTarget "\n" Body
//! X-TC-Signature = Base64Std( LowerHex( HMAC-SHA256(key = SecretKey, msg = StringToSign) ) )
//! ```
//!
//! This is **not** Tencent Cloud's TC3 signing, whatever the vendor page says. The request
//! target is the path and query exactly as sent on the wire (percent-encoded, in the order
//! sent); for `GET` the body is empty, so the string to sign ends with `"\n"`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The inputs of one signature. Borrowed, so signing allocates only the result.
///
/// `Debug` shows the method, nonce, timestamp and target, never the secrets.
#[derive(Clone, Copy)]
pub struct SignatureInput<'a> {
    /// HTTP method, upper case (`GET`); lower case is upper-cased before signing.
    pub method: &'a str,
    /// The `X-TC-Key` value (SecretId).
    pub secret_id: &'a str,
    /// The `X-TC-Nonce` value, byte-identical to the header.
    pub nonce: &'a str,
    /// The `X-TC-Timestamp` value, byte-identical to the header.
    pub timestamp: &'a str,
    /// Path plus `?` and query as sent (`/v1/meetings/1/participants?userid=a&pos=0`).
    pub request_target: &'a str,
    /// The exact body (empty for `GET`).
    pub body: &'a str,
}

impl std::fmt::Debug for SignatureInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureInput")
            .field("method", &self.method)
            .field("secret_id", &"[redacted]")
            .field("nonce", &self.nonce)
            .field("timestamp", &self.timestamp)
            .field("request_target", &self.request_target)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The string to sign for `input` (docs/specs/tencent-meeting.md §2.2). Contains the SecretId: never log it.
pub fn string_to_sign(input: &SignatureInput<'_>) -> String {
    format!(
        "{}\nX-TC-Key={}&X-TC-Nonce={}&X-TC-Timestamp={}\n{}\n{}",
        input.method.to_ascii_uppercase(),
        input.secret_id,
        input.nonce,
        input.timestamp,
        input.request_target,
        input.body
    )
}

/// The `X-TC-Signature` value: `Base64Std(LowerHex(HMAC-SHA256(SecretKey, StringToSign)))`,
/// always 88 characters ending in `==`.
///
/// ```
/// use roster_tencent_meeting::sign::{signature, SignatureInput};
///
/// // docs/specs/tencent-meeting.md §2.5, vector A.
/// let input = SignatureInput {
///     method: "POST",
///     secret_id: "aSecretId",
///     nonce: "2095528619",
///     timestamp: "1586675334",
///     request_target: "/v1/meetings",
///     body: "body",
/// };
/// assert_eq!(
///     signature(&input, "aSecretKey"),
///     "OGM4YTExZjc5MzVlNTg4ZDA0NDVhYjA0ZGNhYzYzOTZjMTM2YjU3ZmJiYzVhODBjYjY1NGYxZmMyMTVlMWRhYQ=="
/// );
/// ```
pub fn signature(input: &SignatureInput<'_>, secret_key: &str) -> String {
    let digest = hmac_sha256(secret_key, &string_to_sign(input));
    STANDARD.encode(hex::encode(digest))
}

fn hmac_sha256(key: &str, message: &str) -> [u8; 32] {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac = match HmacSha256::new_from_slice(key.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable_hmac_key(),
    };
    mac.update(message.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

#[cold]
fn unreachable_hmac_key() -> ! {
    // `Hmac::new_from_slice` only fails for MACs with a fixed key size; HMAC has none.
    unreachable!("HMAC-SHA256 accepts keys of any length")
}

/// The largest nonce sent: `i64::MAX`, so that it fits a signed 64-bit integer on the server.
pub const MAX_NONCE: i64 = i64::MAX;

/// A fresh nonce: uniform in `1..=i64::MAX` from the thread-local CSPRNG, as decimal text
/// without sign or leading zeros.
///
/// 63 bits of entropy make a collision between two requests of the same second practically
/// impossible, even for thousands of concurrent requests (the official SDKs' scheme,
/// `unix_millis × 10⁶ + random(10⁶)`, has only 20 bits per millisecond).
pub fn fresh_nonce() -> String {
    rand::random_range(1..=MAX_NONCE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "aSecretId";
    const KEY: &str = "aSecretKey";

    fn raw_digest_variant(input: &SignatureInput<'_>) -> String {
        STANDARD.encode(hmac_sha256(KEY, &string_to_sign(input)))
    }

    fn upper_hex_variant(input: &SignatureInput<'_>) -> String {
        STANDARD.encode(hex::encode_upper(hmac_sha256(KEY, &string_to_sign(input))))
    }

    fn vector_a() -> SignatureInput<'static> {
        SignatureInput {
            method: "POST",
            secret_id: ID,
            nonce: "2095528619",
            timestamp: "1586675334",
            request_target: "/v1/meetings",
            body: "body",
        }
    }

    fn vector_b() -> SignatureInput<'static> {
        SignatureInput {
            method: "GET",
            secret_id: ID,
            nonce: "2095528619",
            timestamp: "1586675334",
            request_target: "/v1/meetings/144115214488302892/participants?pos=0&size=100&userid=owner1",
            body: "",
        }
    }

    fn vector_c() -> SignatureInput<'static> {
        SignatureInput {
            method: "POST",
            secret_id: ID,
            nonce: "88080",
            timestamp: "1572168600",
            request_target: "/v1/meetings/7567454748865986567/cancel",
            body: r#"{"userid":"test1","instanceid":1,"reason_code":1,"reason_detail":"取消会议"}"#,
        }
    }

    #[test]
    fn vector_a_published() {
        let a = vector_a();
        assert_eq!(
            string_to_sign(&a),
            "POST\nX-TC-Key=aSecretId&X-TC-Nonce=2095528619&X-TC-Timestamp=1586675334\n/v1/meetings\nbody"
        );
        assert_eq!(
            hex::encode(hmac_sha256(KEY, &string_to_sign(&a))),
            "8c8a11f7935e588d0445ab04dcac6396c136b57fbbc5a80cb654f1fc215e1daa"
        );
        let sig = signature(&a, KEY);
        assert_eq!(
            sig,
            "OGM4YTExZjc5MzVlNTg4ZDA0NDVhYjA0ZGNhYzYzOTZjMTM2YjU3ZmJiYzVhODBjYjY1NGYxZmMyMTVlMWRhYQ=="
        );
        assert_eq!(sig.len(), 88);
        // The two classic bugs give other values.
        assert_eq!(
            raw_digest_variant(&a),
            "jIoR95NeWI0ERasE3KxjlsE2tX+7xagMtlTx/CFeHao="
        );
        assert_eq!(
            upper_hex_variant(&a),
            "OEM4QTExRjc5MzVFNTg4RDA0NDVBQjA0RENBQzYzOTZDMTM2QjU3RkJCQzVBODBDQjY1NEYxRkMyMTVFMURBQQ=="
        );
        assert_ne!(raw_digest_variant(&a), sig);
        assert_ne!(upper_hex_variant(&a), sig);
    }

    #[test]
    fn vector_b_get_with_query_and_empty_body() {
        let b = vector_b();
        assert!(string_to_sign(&b).ends_with("userid=owner1\n"));
        assert_eq!(
            hex::encode(hmac_sha256(KEY, &string_to_sign(&b))),
            "f534f80606ba4e1f6d1a9e187317038dc0cb058902aa2fa91399b577a58035f7"
        );
        let sig = signature(&b, KEY);
        assert_eq!(
            sig,
            "ZjUzNGY4MDYwNmJhNGUxZjZkMWE5ZTE4NzMxNzAzOGRjMGNiMDU4OTAyYWEyZmE5MTM5OWI1NzdhNTgwMzVmNw=="
        );
        assert_eq!(
            raw_digest_variant(&b),
            "9TT4Bga6Th9tGp4YcxcDjcDLBYkCqi+pE5m1d6WANfc="
        );
        assert_ne!(raw_digest_variant(&b), sig);
        assert_ne!(upper_hex_variant(&b), sig);
    }

    #[test]
    fn vector_c_utf8_body() {
        let c = vector_c();
        assert_eq!(
            hex::encode(hmac_sha256(KEY, &string_to_sign(&c))),
            "feb97e183a69b2c76f5ac792b7a5728df74b9fc1e54f4241495493ba6e0f520a"
        );
        let sig = signature(&c, KEY);
        assert_eq!(
            sig,
            "ZmViOTdlMTgzYTY5YjJjNzZmNWFjNzkyYjdhNTcyOGRmNzRiOWZjMWU1NGY0MjQxNDk1NDkzYmE2ZTBmNTIwYQ=="
        );
        assert_eq!(
            raw_digest_variant(&c),
            "/rl+GDppssdvWseSt6VyjfdLn8HlT0JBSVSTum4PUgo="
        );
        assert_ne!(raw_digest_variant(&c), sig);
        assert_ne!(upper_hex_variant(&c), sig);
    }

    #[test]
    fn method_is_upper_cased_and_every_input_matters() {
        let b = vector_b();
        let lower = SignatureInput { method: "get", ..b };
        assert_eq!(signature(&lower, KEY), signature(&b, KEY));
        let base = signature(&b, KEY);
        let variants = [
            SignatureInput {
                nonce: "2095528620",
                ..b
            },
            SignatureInput {
                timestamp: "1586675335",
                ..b
            },
            SignatureInput {
                request_target: "/v1/meetings/144115214488302892/participants?size=100&pos=0&userid=owner1",
                ..b
            },
            SignatureInput {
                secret_id: "bSecretId",
                ..b
            },
            SignatureInput { body: "x", ..b },
        ];
        for v in variants {
            assert_ne!(signature(&v, KEY), base, "{v:?}");
        }
        assert_ne!(signature(&b, "anotherKey"), base);
    }

    #[test]
    fn debug_hides_the_secret_id() {
        let shown = format!("{:?}", vector_b());
        assert!(!shown.contains(ID), "{shown}");
        assert!(shown.contains("2095528619"));
    }

    #[test]
    fn nonces_are_positive_decimal_without_leading_zeros() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let n = fresh_nonce();
            assert!(
                !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()),
                "{n}"
            );
            assert!(!n.starts_with('0'), "{n}");
            let v: i64 = n.parse().expect("fits i64");
            assert!(v >= 1);
            assert!(seen.insert(n), "duplicate nonce");
        }
    }
}
