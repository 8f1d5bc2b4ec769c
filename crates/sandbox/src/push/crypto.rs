//! Signing and encryption of push events, written from `docs/specs/webhooks.md` §1–§2 (no code
//! shared with the receivers in `roster-core`).

use aes::cipher::{BlockModeEncrypt, KeyIvInit};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};
use sha1::{Digest, Sha1};

/// `lower_hex(SHA1(concat(sort_bytewise(parts))))`: both vendors' signature.
pub(crate) fn signature(mut parts: [&str; 4]) -> String {
    parts.sort_unstable(); // `str` orders bytewise
    let mut h = Sha1::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Standard base64 (`data` without a key).
pub(crate) fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The AES-256 key of an `EncodingAESKey`. Its `Debug` never shows it.
pub(crate) struct AesKey([u8; 32]);

impl std::fmt::Debug for AesKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesKey(<redacted>)")
    }
}

impl AesKey {
    /// `Base64_Decode(EncodingAESKey + "=")`: 43 characters, 32 bytes (the last character's
    /// two spare bits are ignored, as the vendors' own sample key sets them).
    pub(crate) fn parse(encoding_aes_key: &str) -> Option<Self> {
        const LENIENT: GeneralPurpose = GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
        );
        if encoding_aes_key.len() != 43 {
            return None;
        }
        let bytes = LENIENT.decode(format!("{encoding_aes_key}=")).ok()?;
        Some(AesKey(bytes.try_into().ok()?))
    }

    /// AES-256-CBC, IV = the key's first 16 bytes, PKCS#7 padding to a multiple of `block`.
    fn encrypt(&self, plain: &[u8], block: usize) -> Vec<u8> {
        let pad = block - plain.len() % block;
        let mut buf = plain.to_vec();
        buf.resize(plain.len() + pad, pad as u8);
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&self.0[..16]);
        cbc::Encryptor::<aes::Aes256>::new((&self.0).into(), &iv.into())
            .encrypt_padded_vec::<cbc::cipher::block_padding::NoPadding>(&buf)
    }

    /// Tencent's encrypted `data` / `check_str`: `Base64(AES(plaintext))`, 16-byte padding.
    pub(crate) fn tencent(&self, plain: &[u8]) -> String {
        base64(&self.encrypt(plain, 16))
    }

    /// WeCom's `Encrypt` / `echostr`: `Base64(AES(random ‖ u32_be(len) ‖ msg ‖ receive_id))`,
    /// padded to a multiple of 32 bytes.
    pub(crate) fn wecom(&self, random: [u8; 16], msg: &[u8], receive_id: &str) -> String {
        let mut frame = Vec::with_capacity(20 + msg.len() + receive_id.len());
        frame.extend_from_slice(&random);
        frame.extend_from_slice(&(msg.len() as u32).to_be_bytes());
        frame.extend_from_slice(msg);
        frame.extend_from_slice(receive_id.as_bytes());
        base64(&self.encrypt(&frame, 32))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use aes::cipher::BlockModeDecrypt;

    pub(crate) const KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    const TENCENT_TOKEN: &str = "bVPU6F8Htxl5XkAbp3jGV2xWp";

    /// An independent decryption for the tests: AES-256-CBC without unpadding.
    pub(crate) fn decrypt_raw(key: &str, b64: &str) -> Vec<u8> {
        let key = AesKey::parse(key).unwrap().0;
        let mut buf = STANDARD.decode(b64).unwrap();
        cbc::Decryptor::<aes::Aes256>::new((&key).into(), (&key[..16]).try_into().unwrap())
            .decrypt_padded::<cbc::cipher::block_padding::NoPadding>(&mut buf)
            .unwrap();
        buf
    }

    /// Strips and checks PKCS#7 padding of 1..=`block` bytes.
    pub(crate) fn unpad(mut buf: Vec<u8>, block: usize) -> Vec<u8> {
        let pad = usize::from(*buf.last().unwrap());
        assert!((1..=block).contains(&pad), "pad {pad}");
        assert!(
            buf[buf.len() - pad..]
                .iter()
                .all(|&b| usize::from(b) == pad)
        );
        assert_eq!(buf.len() % block, 0, "padded to a multiple of {block}");
        buf.truncate(buf.len() - pad);
        buf
    }

    /// Opens a WeCom frame: (message, receive id).
    pub(crate) fn open_wecom(key: &str, b64: &str) -> (String, String) {
        let plain = unpad(decrypt_raw(key, b64), 32);
        let len = u32::from_be_bytes(plain[16..20].try_into().unwrap()) as usize;
        let msg = String::from_utf8(plain[20..20 + len].to_vec()).unwrap();
        let rid = String::from_utf8(plain[20 + len..].to_vec()).unwrap();
        (msg, rid)
    }

    #[test]
    fn tencent_official_signature_vector() {
        let data = "eyJldmVudCI6Im1lZXRpbmcuY3JlYXRlZCIsInVuaXF1ZV9zZXF1ZW5jZSI6ImYyMDA5NmVlLThhYzgtNGRmMi1hN2RlLTA1NzQ2NDlmMjExYiIsInBheWxvYWQiOlt7Im9wZXJhdGVfdGltZSI6IjIwMjAtMTItMjkgMTc6NDE6MDYiLCJvcGVyYXRvciI6eyJ1c2VyaWQiOiJ0ZXN0ZXIwMDAwNmJhNWJhYjMzOTg1OGMxM2M5MzBjY2E5NTY4NCJ9LCJtZWV0aW5nX2luZm8iOnsibWVldGluZ19pZCI6IjYwNTg4OTAzODU0ODA5MjEwNTIiLCJtZWV0aW5nX2NvZGUiOiI1MzA4MTI0NTIiLCJzdWJqZWN0IjoibWVkaWEgdGVzdGVyIG1lZXRpbmciLCJjcmVhdG9yX2lkIjoidGVzdGVyMDAwMDZiYTViYWIzMzk4NThjMTNjOTMwY2NhOTU2ODQiLCJob3N0cyI6WyJ0ZXN0ZXIwMDAwNmJhNWJhYjMzOTg1OGMxM2M5MzBjY2E5NTY4NCJdLCJtZWV0aW5nX3R5cGUiOjAsInN0YXJ0X3RpbWUiOiIyMDIwLTEyLTI5IDE3OjQxOjA0IiwiZW5kX3RpbWUiOiIyMDIwLTEyLTI5IDE4OjAxOjA0In19XX0";
        assert_eq!(
            signature([TENCENT_TOKEN, "1609239040864", "14964161", data]),
            "b11e507817336a91d7df0c8536ee2aca18bbbae8"
        );
    }

    #[test]
    fn tencent_encrypted_vectors() {
        let key = AesKey::parse(KEY).unwrap();
        assert_eq!(format!("{key:?}"), "AesKey(<redacted>)");
        let check = key.tencent(b"1616140317555161061");
        assert_eq!(check, "CJu+1QGtrqtyL8dKiNoKa4EhcmFxwXAyMqrjkhzQUO8=");
        assert_eq!(
            signature([TENCENT_TOKEN, "1609239040864", "14964161", &check]),
            "6ef8e35e0c872fa0eb761ea60ecd74806dcce7bc"
        );
        let plain = r#"{"event":"meeting.participant-joined","trace_id":"e7aa65dd-f7e6-4b62-912c-2035173b34a9","payload":[{"operate_time":1609313201465,"operator":{"userid":"tester","uuid":"WMfgHRYj6m36mcDGtK","ms_open_id":"WMfgHRYj6m36mcDGtK","user_name":"tester_name","instance_id":"2"},"meeting_info":{"meeting_id":"13339451618278424869","meeting_code":"445999969","subject":"t","meeting_type":0,"start_time":1608522626,"end_time":1609415039,"meeting_id_type":0,"action_scene_type":0}}]}"#;
        let data = key.tencent(plain.as_bytes());
        assert_eq!(
            data,
            "Mp6jnwN+WfndLAlTzF5o4TIzHQat83aCIe5ZoHlfiNmSCUrxMV1H5wWIq3X2vAB9W8JbybtBKU35Aq/vsz+Q6GL4NkqvlHjQbJkbMHPPiDEUjpSXkSHqP2ovbnONr3Za62tEPxMdjUnS+5H0mppjpS7bot3qAEP9kKZafZKmpoLn27/jGnewmyilOvwSLZaawENwmpq/kNyWULMORkMqw6D4tqbFdpLdHj9vBt49PzfbhlmOOpEiyJ5zIwILeWskD1oewa99iGgDdyPcCXKLLGSOybNsBAv1aVWBvV2Qhzh2E3cD3YgcHTHLxUYAQ4k/6wDvZr3czxkpmm8xcuscq0rkDQL7Hlql1prrOME/vPQztS8ouQjPGAykNyZ5URvWPy7ehDYoFwYZjdjIK/UDpcNq5P7y+4Qv4E1Q4q3pNQ+vcQQ2eD1eAv4JqjiQIVVYh9mDXXniASdf5q92lTZ/i3lohClNTsgnPB3F/tSs9kLpXDMiuBky+zatmLWI7enKYmfgC+NHCtL8TIlOJ+TbXhfJCtQrGz3vhdfoyUPVycvFj/R05eprBXlljViFtKabhxgr/GjqS6wSKeZ+vFjp/InfhwSGiIH6HR8+wYXgZ4dU12LGHGDdCLxV1OAiTMEy"
        );
        assert_eq!(
            signature([TENCENT_TOKEN, "1609239040864", "14964161", &data]),
            "09e03c34b02cd7ec1363a44ed46aae0d6af44169"
        );
        for bad in ["", "short", &format!("{KEY}="), &format!("!{}", &KEY[1..])] {
            assert!(AesKey::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn wecom_official_signature_vectors() {
        let get = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==";
        assert_eq!(
            signature(["QDG6eK", "1409659589", "263014780", get]),
            "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
        );
        let post = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";
        assert_eq!(
            signature(["QDG6eK", "1409659813", "1372623149", post]),
            "477715d11cdb4164915debcba66cb864d751f3e6"
        );
        // The official echostr opens with the independent decryption (checks that helper).
        let (msg, rid) = open_wecom(KEY, get);
        assert_eq!(
            (msg.as_str(), rid.as_str()),
            ("1616140317555161061", "wx5823bf96d3bd56c7")
        );
    }

    #[test]
    fn wecom_encryption_round_trips_with_32_byte_padding() {
        let key = AesKey::parse(KEY).unwrap();
        // Lengths around both block sizes: pads of 1..=32 appear, above 16 too.
        for len in [0usize, 1, 11, 12, 13, 27, 28, 29, 44, 100] {
            let msg = "x".repeat(len);
            let enc = key.wecom([7; 16], msg.as_bytes(), "wx5823bf96d3bd56c7");
            let raw = decrypt_raw(KEY, &enc);
            assert_eq!(&raw[..16], &[7; 16]);
            let (m, rid) = open_wecom(KEY, &enc);
            assert_eq!((m, rid.as_str()), (msg, "wx5823bf96d3bd56c7"));
        }
    }
}
