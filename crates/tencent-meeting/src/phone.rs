//! The vendor's phone hashes (docs/specs/tencent-meeting.md §4.1 quirk 4).
//!
//! Participants carry `phone` = upper-case hex `SHA-256(phone + "/" + SecretId)`, not a phone
//! number. The hash is **not unique** (every WeCom-joined participant was observed with the
//! same one) and the phone formatting before hashing (country code or not) is undocumented, so
//! use it to confirm a match you expect, never to tell people apart.

use sha2::{Digest, Sha256};

/// The vendor's hash of `phone` for the account with `secret_id`: upper-case hex
/// `SHA-256(UTF-8(phone + "/" + secret_id))`.
///
/// ```
/// use roster_tencent_meeting::phone::phone_hash;
/// assert_eq!(
///     phone_hash("13800138000", "aSecretId"),
///     "6B6537A68B7BB5E7DC051547CCB5AE394BDB02D660E393F695E9AB3DC038AC36"
/// );
/// ```
pub fn phone_hash(phone: &str, secret_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(phone.as_bytes());
    h.update(b"/");
    h.update(secret_id.as_bytes());
    hex::encode_upper(h.finalize())
}

/// Whether two phone hashes are the same, ignoring case and surrounding whitespace (the vendor
/// sends upper case; other tools print lower case). Empty hashes never match.
pub fn phone_hash_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    !a.is_empty() && a.eq_ignore_ascii_case(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_and_case_insensitive_comparison() {
        let h = phone_hash("13800138000", "aSecretId");
        assert_eq!(
            h,
            "6B6537A68B7BB5E7DC051547CCB5AE394BDB02D660E393F695E9AB3DC038AC36"
        );
        assert!(phone_hash_eq(&h, &h.to_ascii_lowercase()));
        assert!(phone_hash_eq(&format!(" {h}\n"), &h));
        assert!(!phone_hash_eq(&h, &phone_hash("13800138001", "aSecretId")));
        assert!(!phone_hash_eq(&h, &phone_hash("13800138000", "bSecretId")));
        assert!(!phone_hash_eq("", ""));
    }
}
