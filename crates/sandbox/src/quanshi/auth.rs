//! Authentication (docs/specs/quanshi.md §2, §9 items 3–4): CheckSum signature headers, nonce replay, tokens.
//!
//! ```text
//! CheckSum = LowerHex( SHA1( AppSecret + Nonce + CurTime ) )
//! ```
//!
//! Written from the spec, independently of the client crate. Signature checks, in order (all
//! `403`): key header (`AppKey` or `AppId`; both present and different is refused) → known key →
//! `Nonce` (1–128 characters) → `CurTime` (decimal digits, within ±300 000 ms of the sandbox
//! clock) → `CheckSum` (exactly the lower-case hex) → `Nonce` not used by the same key in the
//! last 300 000 ms (recorded only after a good CheckSum, so a bad request burns nothing).

use std::collections::{HashMap, VecDeque};

use axum::http::HeaderMap;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha1::{Digest, Sha1};

use super::State;
use super::envelope::QsError;
use super::request::Body;
use crate::data::generator;
use crate::vendor::Vendor;

/// Milliseconds `CurTime` may differ from the sandbox clock, and a nonce is remembered.
pub(crate) const WINDOW_MS: i64 = 300_000;
/// Longest `Nonce`, in characters.
pub(crate) const MAX_NONCE_CHARS: usize = 128;
/// Replay keys kept at most (the oldest are forgotten first).
const MAX_REPLAY_KEYS: usize = 1_000_000;
/// Tokens kept before expired and revoked ones are purged.
const TOKEN_PURGE_AT: usize = 10_000;

/// How an endpoint authenticates its callers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthPolicy {
    /// Signature headers always (`token/create`, `user/search/email`); a token is ignored.
    SignatureOnly,
    /// A token (header and/or body) if one is sent; otherwise signature headers.
    TokenOrSignature,
}

/// The authenticated caller.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    /// The AppKey the call is counted against.
    pub app_key: String,
}

/// `LowerHex(SHA1(secret + nonce + cur_time))`, 40 characters.
pub(crate) fn checksum(secret: &[u8], nonce: &[u8], cur_time: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(secret);
    h.update(nonce);
    h.update(cur_time);
    hex::encode(h.finalize())
}

/// Nonces seen per key in the last [`WINDOW_MS`].
#[derive(Debug, Default)]
pub(crate) struct ReplayCache {
    seen: HashMap<(String, Vec<u8>), i64>,
    order: VecDeque<(i64, (String, Vec<u8>))>,
}

impl ReplayCache {
    /// Records the key at `now_ms`; returns `true` if it was seen within the window (a replay).
    pub(crate) fn check_and_record(&mut self, key: (String, Vec<u8>), now_ms: i64) -> bool {
        while let Some((at, _)) = self.order.front() {
            if now_ms.saturating_sub(*at) <= WINDOW_MS && self.order.len() < MAX_REPLAY_KEYS {
                break;
            }
            if let Some((at, k)) = self.order.pop_front()
                && self.seen.get(&k) == Some(&at)
            {
                self.seen.remove(&k);
            }
        }
        if let Some(&at) = self.seen.get(&key)
            && (i128::from(now_ms) - i128::from(at)).abs() <= i128::from(WINDOW_MS)
        {
            return true;
        }
        self.seen.insert(key.clone(), now_ms);
        self.order.push_back((now_ms, key));
        false
    }
}

#[derive(Clone, Debug)]
struct Token {
    app_key: String,
    expires_ms: i64,
    revoked: bool,
}

/// Issued tokens.
pub(crate) struct TokenStore {
    tokens: HashMap<String, Token>,
    rng: ChaCha8Rng,
}

impl TokenStore {
    pub(crate) fn new(seed: u64) -> Self {
        let mut seed_rng = generator::rng_for(seed, &["quanshi", "tokens"]);
        TokenStore {
            tokens: HashMap::new(),
            rng: ChaCha8Rng::from_rng(&mut seed_rng),
        }
    }

    /// A new token for `app_key`, valid for `ttl_secs` from `now_ms`.
    pub(crate) fn issue(&mut self, app_key: &str, now_ms: i64, ttl_secs: u64) -> String {
        if self.tokens.len() >= TOKEN_PURGE_AT {
            self.tokens
                .retain(|_, t| !t.revoked && now_ms < t.expires_ms);
        }
        let ttl_ms = i64::try_from(ttl_secs)
            .unwrap_or(i64::MAX)
            .saturating_mul(1000);
        loop {
            let token = generator::hex_chars(&mut self.rng, 32);
            if !self.tokens.contains_key(&token) {
                self.tokens.insert(
                    token.clone(),
                    Token {
                        app_key: app_key.to_owned(),
                        expires_ms: now_ms.saturating_add(ttl_ms),
                        revoked: false,
                    },
                );
                return token;
            }
        }
    }

    /// The AppKey of a valid token, or why it is not valid.
    pub(crate) fn check(&self, token: &str, now_ms: i64) -> Result<String, &'static str> {
        match self.tokens.get(token) {
            None => Err("unknown token"),
            Some(t) if t.revoked => Err("token revoked"),
            Some(t) if now_ms >= t.expires_ms => Err("token expired"),
            Some(t) => Ok(t.app_key.clone()),
        }
    }

    /// Revokes every token issued so far.
    pub(crate) fn revoke_all(&mut self) {
        for t in self.tokens.values_mut() {
            t.revoked = true;
        }
    }

    /// Tokens neither expired nor revoked at `now_ms`.
    pub(crate) fn active(&self, now_ms: i64) -> usize {
        self.tokens
            .values()
            .filter(|t| !t.revoked && now_ms < t.expires_ms)
            .count()
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a [u8]> {
    // HeaderMap lookups ignore case.
    headers.get(name).map(|v| v.as_bytes())
}

/// The token of a call: header `token`, body `token`, or both (equal). Empty counts as absent.
fn token_of(headers: &HeaderMap, body: &Body) -> Result<Option<String>, QsError> {
    let from_header = match header(headers, "token") {
        None | Some(b"") => None,
        Some(v) => Some(
            std::str::from_utf8(v)
                .map_err(|_| QsError::unauthorized("unknown token"))?
                .to_owned(),
        ),
    };
    let from_body = match body.get("token") {
        None => None,
        Some(serde_json::Value::String(s)) if s.is_empty() => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(QsError::unauthorized("body token must be a string")),
    };
    match (from_header, from_body) {
        (Some(h), Some(b)) if h != b => Err(QsError::unauthorized(
            "the header token and the body token differ",
        )),
        (h, b) => Ok(h.or(b)),
    }
}

fn has_signature_headers(headers: &HeaderMap) -> bool {
    ["AppKey", "AppId", "Nonce", "CurTime", "CheckSum"]
        .iter()
        .any(|n| headers.contains_key(*n))
}

/// Authenticates one call; see the module docs for the order of the checks.
pub(crate) fn authenticate(
    st: &State,
    headers: &HeaderMap,
    body: &Body,
    policy: AuthPolicy,
) -> Result<Caller, QsError> {
    if policy == AuthPolicy::TokenOrSignature {
        if let Some(token) = token_of(headers, body)? {
            let now = st.shared.clock.unix_millis();
            let app_key = st
                .tokens
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .check(&token, now)
                .map_err(QsError::unauthorized)?;
            return Ok(Caller { app_key });
        }
        if !has_signature_headers(headers) {
            return Err(QsError::unauthorized(
                "token missing (send a token in the header or the body, or signature headers)",
            ));
        }
    }
    verify_signature(st, headers)
}

fn verify_signature(st: &State, headers: &HeaderMap) -> Result<Caller, QsError> {
    // 1. The key, as AppKey or AppId (both: the same value).
    let key = match (header(headers, "AppKey"), header(headers, "AppId")) {
        (Some(a), Some(b)) if a != b => {
            return Err(QsError::forbidden("AppKey and AppId headers differ"));
        }
        (Some(k), _) | (None, Some(k)) => k,
        (None, None) => return Err(QsError::forbidden("AppKey (or AppId) header missing")),
    };
    // 2. A known key.
    if key != st.config.app_key.as_bytes() {
        return Err(QsError::forbidden("unknown AppKey"));
    }
    // 3. Nonce: 1..=128 characters.
    let nonce = header(headers, "Nonce").unwrap_or_default();
    if nonce.is_empty() {
        return Err(QsError::forbidden("Nonce header missing or empty"));
    }
    if String::from_utf8_lossy(nonce).chars().count() > MAX_NONCE_CHARS {
        return Err(QsError::forbidden("Nonce longer than 128 characters"));
    }
    // 4. CurTime: decimal milliseconds, close to the sandbox clock.
    let cur_raw = header(headers, "CurTime").unwrap_or_default();
    let cur: i64 = (!cur_raw.is_empty() && cur_raw.iter().all(u8::is_ascii_digit))
        .then(|| std::str::from_utf8(cur_raw).ok()?.parse().ok())
        .flatten()
        .ok_or_else(|| {
            QsError::forbidden("CurTime must be the Unix time in milliseconds (decimal digits)")
        })?;
    let now = st.shared.clock.unix_millis();
    if (i128::from(now) - i128::from(cur)).abs() > i128::from(WINDOW_MS) {
        return Err(QsError::new(
            403,
            "签名校验失败 signature rejected: CurTime 超出允许范围 clock skew: CurTime is more than \
             300000 ms away from the server time",
        ));
    }
    // 5. CheckSum: exactly the lower-case hex.
    let given = header(headers, "CheckSum").unwrap_or_default();
    let expected = checksum(st.config.app_secret.as_bytes(), nonce, cur_raw);
    if given != expected.as_bytes() {
        let detail = if given.to_ascii_lowercase() == expected.as_bytes() {
            "CheckSum must be lower-case hex"
        } else {
            "CheckSum mismatch: expected lower-case hex SHA1(AppSecret + Nonce + CurTime)"
        };
        return Err(QsError::forbidden(detail));
    }
    // 6. Replay, recorded only now that the CheckSum is good.
    let replay = st
        .replay
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .check_and_record((st.config.app_key.clone(), nonce.to_vec()), now);
    if replay {
        return Err(QsError::forbidden(
            "Nonce already used with this AppKey in the last 5 minutes (replay)",
        ));
    }
    Ok(Caller {
        app_key: st.config.app_key.clone(),
    })
}

/// Counts an issued token (stats) and returns it.
pub(crate) fn issue_token(st: &State, app_key: &str) -> (String, i64) {
    let now = st.shared.clock.unix_millis();
    let token = st.tokens.lock().unwrap_or_else(|p| p.into_inner()).issue(
        app_key,
        now,
        st.config.token_ttl_secs,
    );
    st.shared.stats.token_issued(Vendor::Quanshi);
    (token, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/specs/quanshi.md §2.2 vectors (derived by the spec's authors with two independent implementations).
    #[test]
    fn spec_vectors() {
        assert_eq!(
            checksum(b"aSecretKey", b"571163", b"1638341017999"),
            "d0bf6c73276195afef2151e0ecb67b6963b22cbe"
        );
        assert_eq!(
            checksum(b"aSecretKey", b"a1b2c3d4e5f6", b"1654580475434"),
            "3182719e5badc42b2130f9a73ae1257cac79fdcf"
        );
        // Upper case is a different byte string: the verifier compares bytes exactly.
        assert_ne!(
            checksum(b"aSecretKey", b"571163", b"1638341017999").as_bytes(),
            b"D0BF6C73276195AFEF2151E0ECB67B6963B22CBE"
        );
    }

    #[test]
    fn replay_window_per_key() {
        let mut c = ReplayCache::default();
        let k = ("app".to_owned(), b"n1".to_vec());
        assert!(!c.check_and_record(k.clone(), 1_000_000));
        assert!(c.check_and_record(k.clone(), 1_300_000), "exactly 5 min");
        assert!(
            !c.check_and_record(("other".to_owned(), b"n1".to_vec()), 1_300_000),
            "per key"
        );
        assert!(!c.check_and_record(k, 1_300_001), "expired");
    }

    #[test]
    fn tokens_expire_and_revoke() {
        let mut s = TokenStore::new(1);
        let a = s.issue("app", 0, 10);
        let b = s.issue("app", 0, 10);
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(s.check(&a, 9_999), Ok("app".to_owned()));
        assert_eq!(s.check(&a, 10_000), Err("token expired"));
        assert_eq!(s.check("nope", 0), Err("unknown token"));
        assert_eq!(s.active(0), 2);
        s.revoke_all();
        assert_eq!(s.check(&b, 0), Err("token revoked"));
        assert_eq!(s.active(0), 0);
        // Same seed, same tokens.
        assert_eq!(TokenStore::new(1).issue("app", 0, 1), a);
    }
}
