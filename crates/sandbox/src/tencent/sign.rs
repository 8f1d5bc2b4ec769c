//! Tencent Meeting AK/SK signature (docs/specs/tencent-meeting.md §2.2–2.3), written from the spec, independently of the
//! client crate:
//!
//! ```text
//! StringToSign = Method "\n" "X-TC-Key=" SecretId "&X-TC-Nonce=" Nonce "&X-TC-Timestamp=" Timestamp
//!                "\n" RequestTarget "\n" Body
//! X-TC-Signature = Base64Std( LowerHex( HMAC-SHA256(SecretKey, StringToSign) ) )
//! ```
//!
//! Everything is handled as bytes: the request-target and body exactly as received.

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

/// The inputs of one signature, byte for byte as on the wire.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SignInput<'a> {
    pub method: &'a [u8],
    pub secret_id: &'a [u8],
    pub nonce: &'a [u8],
    pub timestamp: &'a [u8],
    pub target: &'a [u8],
    pub body: &'a [u8],
}

/// The expected `X-TC-Signature` (always 88 ASCII characters).
pub(crate) fn signature(secret_key: &[u8], input: &SignInput<'_>) -> String {
    let mut mac = match HmacSha256::new_from_slice(secret_key) {
        Ok(m) => m,
        // HMAC accepts keys of any length; this arm cannot be taken.
        Err(_) => return String::new(),
    };
    for part in [
        input.method,
        b"\nX-TC-Key=",
        input.secret_id,
        b"&X-TC-Nonce=",
        input.nonce,
        b"&X-TC-Timestamp=",
        input.timestamp,
        b"\n",
        input.target,
        b"\n",
        input.body,
    ] {
        mac.update(part);
    }
    let digest = mac.finalize().into_bytes();
    let hex = hex::encode(digest);
    base64::engine::general_purpose::STANDARD.encode(hex.as_bytes())
}

/// Whether `given` is the correct signature (compared in constant time).
pub(crate) fn verify(secret_key: &[u8], input: &SignInput<'_>, given: &[u8]) -> bool {
    let expected = signature(secret_key, input);
    let expected = expected.as_bytes();
    if expected.len() != given.len() {
        return false;
    }
    expected
        .iter()
        .zip(given)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"aSecretKey";

    fn input<'a>(
        method: &'a str,
        nonce: &'a str,
        ts: &'a str,
        target: &'a str,
        body: &'a str,
    ) -> SignInput<'a> {
        SignInput {
            method: method.as_bytes(),
            secret_id: b"aSecretId",
            nonce: nonce.as_bytes(),
            timestamp: ts.as_bytes(),
            target: target.as_bytes(),
            body: body.as_bytes(),
        }
    }

    fn vector_a() -> SignInput<'static> {
        input("POST", "2095528619", "1586675334", "/v1/meetings", "body")
    }
    fn vector_b() -> SignInput<'static> {
        input(
            "GET",
            "2095528619",
            "1586675334",
            "/v1/meetings/144115214488302892/participants?pos=0&size=100&userid=owner1",
            "",
        )
    }
    fn vector_c() -> SignInput<'static> {
        input(
            "POST",
            "88080",
            "1572168600",
            "/v1/meetings/7567454748865986567/cancel",
            r#"{"userid":"test1","instanceid":1,"reason_code":1,"reason_detail":"取消会议"}"#,
        )
    }

    const SIG_A: &str =
        "OGM4YTExZjc5MzVlNTg4ZDA0NDVhYjA0ZGNhYzYzOTZjMTM2YjU3ZmJiYzVhODBjYjY1NGYxZmMyMTVlMWRhYQ==";
    const SIG_B: &str =
        "ZjUzNGY4MDYwNmJhNGUxZjZkMWE5ZTE4NzMxNzAzOGRjMGNiMDU4OTAyYWEyZmE5MTM5OWI1NzdhNTgwMzVmNw==";
    const SIG_C: &str =
        "ZmViOTdlMTgzYTY5YjJjNzZmNWFjNzkyYjdhNTcyOGRmNzRiOWZjMWU1NGY0MjQxNDk1NDkzYmE2ZTBmNTIwYQ==";

    #[test]
    fn spec_vectors_are_accepted() {
        assert_eq!(signature(KEY, &vector_a()), SIG_A);
        assert_eq!(signature(KEY, &vector_b()), SIG_B);
        assert_eq!(signature(KEY, &vector_c()), SIG_C);
        assert!(verify(KEY, &vector_a(), SIG_A.as_bytes()));
        assert!(verify(KEY, &vector_b(), SIG_B.as_bytes()));
        assert!(verify(KEY, &vector_c(), SIG_C.as_bytes()));
        assert_eq!(SIG_A.len(), 88);
    }

    #[test]
    fn wrong_variants_are_rejected() {
        // Base64 of the raw digest, and Base64 of upper-case hex (docs/specs/tencent-meeting.md §2.5).
        for (inp, bad) in [
            (vector_a(), "jIoR95NeWI0ERasE3KxjlsE2tX+7xagMtlTx/CFeHao="),
            (
                vector_a(),
                "OEM4QTExRjc5MzVFNTg4RDA0NDVBQjA0RENBQzYzOTZDMTM2QjU3RkJCQzVBODBDQjY1NEYxRkMyMTVFMURBQQ==",
            ),
            (vector_b(), "9TT4Bga6Th9tGp4YcxcDjcDLBYkCqi+pE5m1d6WANfc="),
            (vector_c(), "/rl+GDppssdvWseSt6VyjfdLn8HlT0JBSVSTum4PUgo="),
        ] {
            assert!(!verify(KEY, &inp, bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn any_changed_input_byte_is_rejected() {
        let base = vector_b();
        let fields: [&[u8]; 6] = [
            base.method,
            base.secret_id,
            base.nonce,
            base.timestamp,
            base.target,
            base.body,
        ];
        for (fi, field) in fields.iter().enumerate() {
            for i in 0..field.len().max(1) {
                let mut changed = field.to_vec();
                if changed.is_empty() {
                    changed.push(b'x');
                } else {
                    changed[i] ^= 0x01;
                }
                let mut inp = base;
                match fi {
                    0 => inp.method = &changed,
                    1 => inp.secret_id = &changed,
                    2 => inp.nonce = &changed,
                    3 => inp.timestamp = &changed,
                    4 => inp.target = &changed,
                    _ => inp.body = &changed,
                }
                assert!(!verify(KEY, &inp, SIG_B.as_bytes()), "field {fi} byte {i}");
            }
        }
        assert!(!verify(b"aSecretKeY", &base, SIG_B.as_bytes()));
        let mut sig = SIG_B.as_bytes().to_vec();
        sig[10] ^= 0x01;
        assert!(!verify(KEY, &base, &sig));
    }
}
