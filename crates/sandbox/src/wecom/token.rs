//! Access tokens (docs/specs/wecom.md §2, §9 items 2–3): `GET /cgi-bin/gettoken` and the token check of every
//! business call.
//!
//! Every successful `gettoken` issues a new random token (96 URL-safe characters) that expires
//! after the configured TTL on the sandbox clock; earlier tokens stay valid until their own
//! expiry. Revocation forgets tokens, so a revoked token is "unknown" (`40014`), while an expired
//! one is remembered (`42001`) for a day after its expiry, then forgotten too.
//!
//! Wrong secrets: after [`STRIKES`] consecutive `40001` answers within an hour, `gettoken`
//! answers `45009` for [`BAN_SECS`]. The sandbox is local, so every caller is one source.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use axum::http::Method;
use axum::http::request::Parts;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::error::WcError;
use super::{AppFlags, State};
use crate::data::generator;
use crate::query::QueryParams;
use crate::vendor::Vendor;

/// Consecutive wrong secrets (within an hour) that ban the source.
pub(crate) const STRIKES: usize = 5;
/// How long a ban lasts, in seconds.
pub(crate) const BAN_SECS: i64 = 3_600;
/// The identity of the address-book sync secret's tokens (in place of an app index): they
/// may call `user/list_id` only.
pub(crate) const CONTACTS: usize = usize::MAX;
/// Length of an issued token.
const TOKEN_LEN: usize = 96;
/// Expired tokens are remembered (for `42001`) this long after their expiry.
const REMEMBER_EXPIRED: i64 = 86_400;
/// Tokens kept before expired ones are pruned.
const PRUNE_AT: usize = 100_000;

#[derive(Clone, Copy, Debug)]
struct TokenRec {
    app: usize,
    expires: i64,
}

struct Inner {
    tokens: HashMap<String, TokenRec>,
    rng: ChaCha8Rng,
    strikes: VecDeque<i64>,
    banned_until: Option<i64>,
}

/// Issued tokens and the wrong-secret ban.
pub(crate) struct Tokens {
    inner: Mutex<Inner>,
}

impl Tokens {
    pub(crate) fn new(seed: u64) -> Self {
        let mut bytes = [0u8; 32];
        generator::rng_for(seed, &["wecom", "tokens"]).fill(&mut bytes);
        Tokens {
            inner: Mutex::new(Inner {
                tokens: HashMap::new(),
                rng: ChaCha8Rng::from_seed(bytes),
                strikes: VecDeque::new(),
                banned_until: None,
            }),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut g)
    }

    /// Issues a new token for `app`, valid for `ttl` seconds from `now`.
    pub(crate) fn issue(&self, app: usize, now: i64, ttl: i64) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        self.with(|st| {
            if st.tokens.len() >= PRUNE_AT {
                st.tokens
                    .retain(|_, t| t.expires.saturating_add(REMEMBER_EXPIRED) > now);
            }
            loop {
                let token: String = (0..TOKEN_LEN)
                    .map(|_| char::from(ALPHABET[st.rng.random_range(0..64usize)]))
                    .collect();
                if !st.tokens.contains_key(&token) {
                    st.tokens.insert(
                        token.clone(),
                        TokenRec {
                            app,
                            expires: now.saturating_add(ttl),
                        },
                    );
                    return token;
                }
            }
        })
    }

    /// The app of a valid token: `41001` if absent or empty, `40014` if unknown (garbled,
    /// revoked, forgotten), `42001` if expired (`now ≥ issued + TTL`).
    pub(crate) fn check(&self, token: Option<&str>, now: i64) -> Result<usize, WcError> {
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(WcError::code(41001));
        };
        let rec = self.with(|st| st.tokens.get(token).copied());
        match rec {
            None => Err(WcError::code(40014)),
            Some(r) if now >= r.expires => Err(WcError::code(42001)),
            Some(r) => Ok(r.app),
        }
    }

    /// Revokes every token (of every app).
    pub(crate) fn revoke_all(&self) {
        self.with(|st| st.tokens.clear());
    }

    /// Revokes the tokens of one app.
    pub(crate) fn revoke_app(&self, app: usize) {
        self.with(|st| st.tokens.retain(|_, t| t.app != app));
    }

    /// Whether the source is banned at `now`.
    fn banned(&self, now: i64) -> bool {
        self.with(|st| match st.banned_until {
            Some(until) if now < until => true,
            Some(_) => {
                st.banned_until = None;
                false
            }
            None => false,
        })
    }

    /// Records a wrong secret; the [`STRIKES`]-th within an hour starts a ban.
    fn strike(&self, now: i64) {
        self.with(|st| {
            while st
                .strikes
                .front()
                .is_some_and(|&t| now.saturating_sub(t) >= BAN_SECS)
            {
                st.strikes.pop_front();
            }
            st.strikes.push_back(now);
            if st.strikes.len() >= STRIKES {
                st.strikes.clear();
                st.banned_until = Some(now.saturating_add(BAN_SECS));
            }
        })
    }

    /// A good secret ends the run of wrong ones.
    fn clear_strikes(&self) {
        self.with(|st| st.strikes.clear());
    }
}

/// `GET /cgi-bin/gettoken?corpid=ID&corpsecret=SECRET`, checked in this order: method
/// (`40058`), ban (`45009`), `corpid` (`41002`), `corpsecret` (`41004`), corp (`40013`), secret
/// (`40001`, a strike; the address-book secret is accepted too), app enabled (`50003`), trusted IP (`60020`), rate limit (`45009`).
pub(crate) fn gettoken(st: &State, parts: &Parts) -> Result<String, WcError> {
    if parts.method != Method::GET {
        return Err(WcError::invalid("gettoken must be called with GET"));
    }
    let now = st.shared.clock.unix();
    if st.tokens.banned(now) {
        return Err(WcError::code(45009));
    }
    let q = QueryParams::parse(parts.uri.query());
    let corp = q.non_empty("corpid").ok_or_else(|| WcError::code(41002))?;
    let secret = q
        .non_empty("corpsecret")
        .ok_or_else(|| WcError::code(41004))?;
    if corp != st.config.corp_id {
        return Err(WcError::code(40013));
    }
    let app = if !st.config.contacts_secret.is_empty() && secret == st.config.contacts_secret {
        CONTACTS
    } else {
        let Some(app) = st.config.apps.iter().position(|a| a.secret == secret) else {
            st.tokens.strike(now);
            return Err(WcError::code(40001));
        };
        app
    };
    st.tokens.clear_strikes();
    if let Some(flags) = st.flags.get(app) {
        if !AppFlags::get(&flags.enabled) {
            return Err(WcError::code(50003));
        }
        if !AppFlags::get(&flags.trusted_ip) {
            return Err(WcError::code(60020));
        }
    }
    st.rate_limit("wecom.gettoken", now)?;
    let ttl = st.config.token_ttl_secs.max(1);
    let token = st.tokens.issue(app, now, ttl);
    st.shared.stats.token_issued(Vendor::WeCom);
    Ok(format!("\"access_token\":\"{token}\",\"expires_in\":{ttl}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_revoke_and_are_new_each_time() {
        let t = Tokens::new(1);
        let a = t.issue(0, 1000, 60);
        let b = t.issue(1, 1000, 60);
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_LEN);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_eq!(t.check(Some(&a), 1059), Ok(0));
        assert_eq!(t.check(Some(&b), 1000), Ok(1));
        assert_eq!(t.check(Some(&a), 1060).unwrap_err().code, 42001);
        assert_eq!(t.check(None, 1000).unwrap_err().code, 41001);
        assert_eq!(t.check(Some(""), 1000).unwrap_err().code, 41001);
        assert_eq!(t.check(Some("nope"), 1000).unwrap_err().code, 40014);
        t.revoke_app(1);
        assert_eq!(t.check(Some(&b), 1000).unwrap_err().code, 40014);
        assert_eq!(t.check(Some(&a), 1000), Ok(0));
        t.revoke_all();
        assert_eq!(t.check(Some(&a), 1000).unwrap_err().code, 40014);
    }

    #[test]
    fn five_strikes_within_an_hour_ban_for_an_hour() {
        let t = Tokens::new(1);
        for i in 0..4 {
            t.strike(1000 + i);
        }
        t.clear_strikes();
        for i in 0..4 {
            t.strike(2000 + i);
        }
        assert!(!t.banned(2010), "a success in between resets the count");
        // Strikes older than an hour do not count.
        t.strike(2000 + BAN_SECS + 3);
        assert!(!t.banned(2000 + BAN_SECS + 3));
        for i in 0..4 {
            t.strike(10_000 + i);
        }
        assert!(!t.banned(10_003));
        t.strike(10_004);
        assert!(t.banned(10_004));
        assert!(t.banned(10_004 + BAN_SECS - 1));
        assert!(!t.banned(10_004 + BAN_SECS));
    }
}
