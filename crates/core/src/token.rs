//! The credential cache shared by every vendor that issues tokens (WeCom's `access_token`,
//! Quanshi's `token/create`).
//!
//! Vendors ask callers to cache tokens (WeCom rate-blocks frequent `gettoken` calls, and
//! repeated wrong secrets ban the caller's IP for an hour). The cache:
//!
//! - fetches lazily, on the first call that needs a token;
//! - treats a token as fresh while `now < expires_at − margin` ([`TokenMargin`], one rule for
//!   every vendor), reading time from the injected clock;
//! - refreshes single-flight: concurrent callers wait on one lock and re-check the store under
//!   it, so 200 callers on a cold or expired cache make exactly one fetch, and callers that
//!   waited for a failed fetch share its error instead of repeating it;
//! - invalidates by compare-and-swap: a token rejected by the server is dropped only if it is
//!   still the cached one, so a token just refreshed by another caller is never thrown away;
//! - remembers a configuration failure of the fetch (wrong secret, untrusted IP …) and returns
//!   it to every later caller without asking the server again.
//!
//! Tokens live in a [`TokenStore`]; the default [`MemoryTokenStore`] belongs to one client.
//! Implement the trait over a database so that several processes share one token.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::clock::SharedClock;
use crate::error::{Error, ErrorKind, Result};

/// How long before its expiry a token stops being used: `floor` or `fraction` of the lifetime,
/// whichever is larger, and never more than half the lifetime (so that a short-lived token is
/// still used for a while).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenMargin {
    /// The smallest margin (default 300 s).
    pub floor: Duration,
    /// The margin as a share of the lifetime (default 0.10).
    pub fraction: f64,
}

impl Default for TokenMargin {
    fn default() -> Self {
        Self {
            floor: Duration::from_secs(300),
            fraction: 0.10,
        }
    }
}

impl TokenMargin {
    /// A margin of `floor` or `fraction` of the lifetime, whichever is larger.
    pub fn new(floor: Duration, fraction: f64) -> Self {
        Self { floor, fraction }
    }

    /// No margin: a token is used until its last second (tests).
    pub fn none() -> Self {
        Self::new(Duration::ZERO, 0.0)
    }

    /// The margin for a token living `lifetime`: `min(max(floor, fraction × lifetime),
    /// lifetime / 2)`.
    pub fn for_lifetime(&self, lifetime: Duration) -> Duration {
        let fraction = if self.fraction.is_finite() {
            self.fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.floor.max(lifetime.mul_f64(fraction)).min(lifetime / 2)
    }
}

/// An access token and when it was issued. Its `Debug` never shows the token.
#[derive(Clone)]
pub struct AccessToken {
    value: SecretString,
    fetched_at: OffsetDateTime,
    expires_in: Duration,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &"<redacted>")
            .field("fetched_at", &self.fetched_at)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

impl AccessToken {
    /// A token fetched at `fetched_at`, valid for `expires_in`.
    pub fn new(value: SecretString, fetched_at: OffsetDateTime, expires_in: Duration) -> Self {
        Self {
            value,
            fetched_at,
            expires_in,
        }
    }

    /// The token itself (for a shared [`TokenStore`] that must persist it).
    pub fn secret(&self) -> &SecretString {
        &self.value
    }

    /// When the token was fetched.
    pub fn fetched_at(&self) -> OffsetDateTime {
        self.fetched_at
    }

    /// The lifetime the server gave.
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }

    /// `fetched_at + expires_in`.
    pub fn expires_at(&self) -> OffsetDateTime {
        self.fetched_at + self.expires_in
    }

    /// Whether the token may still be used at `now`: `now < expires_at − margin`.
    pub fn is_fresh(&self, now: OffsetDateTime, margin: &TokenMargin) -> bool {
        now < self.expires_at() - margin.for_lifetime(self.expires_in)
    }

    /// Whether both hold the same token string (whatever their timestamps).
    pub fn same_token(&self, other: &AccessToken) -> bool {
        self.value.expose_secret() == other.value.expose_secret()
    }
}

/// Where a token is cached: a scope people can read (vendor and app, e.g. `wecom:ww01…`) and a
/// fingerprint of the secret, so that two apps of one scope never share a token. The
/// fingerprint is derived from the secret (the same in every process, so a shared store finds
/// the token) and is never printed: neither `Display` nor `Debug` shows it, so logs hold no
/// offline oracle for guessing the secret.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenKey {
    scope: String,
    fingerprint: String,
}

impl TokenKey {
    /// The key of the app `scope` with `secret`.
    pub fn new(scope: impl Into<String>, secret: &SecretString) -> Self {
        let digest = Sha256::digest(secret.expose_secret().as_bytes());
        Self {
            scope: scope.into(),
            fingerprint: hex::encode(&digest[..16]),
        }
    }

    /// The scope, as given.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// Hex of the first 16 bytes of SHA-256 of the secret: for a [`TokenStore`] that persists
    /// keys. Keep it out of logs.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.scope)
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKey")
            .field("scope", &self.scope)
            .field("fingerprint", &"<hidden>")
            .finish()
    }
}

/// Storage for tokens, shared by every client (or process) using the same app.
///
/// Implementations must make [`TokenStore::compare_and_invalidate`] atomic: remove the entry
/// only if it still holds the token that failed.
#[async_trait]
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The token stored under `key`, fresh or not.
    async fn get(&self, key: &TokenKey) -> Result<Option<AccessToken>>;

    /// Stores `token` under `key`, replacing what was there.
    async fn put(&self, key: &TokenKey, token: AccessToken) -> Result<()>;

    /// Removes the token under `key` if it is `failed` (same token string); returns whether
    /// it removed anything.
    async fn compare_and_invalidate(&self, key: &TokenKey, failed: &AccessToken) -> Result<bool>;

    /// Takes the store's lock on fetching a token for `key`, for a store several processes
    /// share: while one of them fetches, the others wait here, then find its token, so that a
    /// cold cache across N processes makes one fetch. Hold it until the new token is stored,
    /// then [`RefreshLock::release`] it. The default (a store of one process, where
    /// [`TokenCache`] already lets one caller fetch) takes none.
    async fn lock_refresh(&self, key: &TokenKey) -> Result<Option<Box<dyn RefreshLock>>> {
        let _ = key;
        Ok(None)
    }
}

/// A [`TokenStore`]'s cross-process lock on fetching one key's token (see
/// [`TokenStore::lock_refresh`]).
#[async_trait]
pub trait RefreshLock: Send {
    /// Lets the next process in. An implementation also frees the lock when the holder goes
    /// away without calling this (a dropped lock, a dead process).
    async fn release(self: Box<Self>) -> Result<()>;
}

/// The default [`TokenStore`]: a map in memory.
#[derive(Default)]
pub struct MemoryTokenStore {
    tokens: Mutex<HashMap<TokenKey, AccessToken>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TokenKey, AccessToken>> {
        // Map updates are single statements: a panic elsewhere cannot leave one half done.
        self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<String> = self.lock().keys().map(ToString::to_string).collect();
        f.debug_struct("MemoryTokenStore")
            .field("keys", &keys)
            .finish()
    }
}

#[async_trait]
impl TokenStore for MemoryTokenStore {
    async fn get(&self, key: &TokenKey) -> Result<Option<AccessToken>> {
        Ok(self.lock().get(key).cloned())
    }

    async fn put(&self, key: &TokenKey, token: AccessToken) -> Result<()> {
        self.lock().insert(key.clone(), token);
        Ok(())
    }

    async fn compare_and_invalidate(&self, key: &TokenKey, failed: &AccessToken) -> Result<bool> {
        let mut map = self.lock();
        match map.get(key) {
            Some(current) if current.same_token(failed) => {
                map.remove(key);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

/// Releases a cross-process refresh lock, if one was taken. A failure is logged, not
/// returned: the token (or the fetch's error) is what the caller needs, and a lock whose
/// holder cannot reach the store is freed by the store when the holder's session ends.
async fn release(lock: Option<Box<dyn RefreshLock>>) {
    if let Some(lock) = lock
        && let Err(e) = lock.release().await
    {
        tracing::warn!(kind = %e.kind(), "could not release the token refresh lock: {e}");
    }
}

/// What the fetches so far have left behind.
#[derive(Debug, Default)]
struct FetchLog {
    /// Incremented by every completed fetch.
    epoch: u64,
    /// The latest fetch, if it failed.
    last_failure: Option<Error>,
    /// A configuration failure: never fetch again (until cleared).
    sticky: Option<Error>,
}

/// The cache of one client: lazy, single-flight, compare-and-invalidate (see the
/// [module docs](self)).
pub struct TokenCache {
    key: TokenKey,
    store: Arc<dyn TokenStore>,
    refresh: tokio::sync::Mutex<()>,
    margin: TokenMargin,
    clock: SharedClock,
    log: Mutex<FetchLog>,
    /// Fetches that produced a token.
    fetched: AtomicU64,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("key", &self.key)
            .field("store", &self.store)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// A cache for the token of `key`, kept in `store`.
    pub fn new(
        key: TokenKey,
        store: Arc<dyn TokenStore>,
        margin: TokenMargin,
        clock: SharedClock,
    ) -> Self {
        Self {
            key,
            store,
            refresh: tokio::sync::Mutex::new(()),
            margin,
            clock,
            log: Mutex::new(FetchLog::default()),
            fetched: AtomicU64::new(0),
        }
    }

    /// The key the token is cached under.
    pub fn key(&self) -> &TokenKey {
        &self.key
    }

    /// How many fetches of this cache produced a token.
    pub fn fetches(&self) -> u64 {
        self.fetched.load(Ordering::SeqCst)
    }

    /// A fresh token: the cached one, or one from `fetch`.
    ///
    /// `fetch` runs for at most one caller at a time. Callers that waited for it share its
    /// outcome: its token if it succeeded, its error if it failed (a failing `gettoken` is not
    /// hammered by every waiter). A failure that is not a configuration error falls back to
    /// the cached token while that is still within its lifetime (the margin is only a head
    /// start). A configuration failure is remembered and returned to every later caller.
    pub async fn token<F, Fut>(&self, fetch: F) -> Result<AccessToken>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<AccessToken>>,
    {
        if let Some(token) = self.fresh().await? {
            return Ok(token);
        }
        let seen = {
            let log = self.lock_log();
            if let Some(failure) = &log.sticky {
                return Err(failure.clone());
            }
            log.epoch
        };
        let _guard = self.refresh.lock().await;
        // Re-check under the lock: whoever held it before us may have refreshed already, or
        // failed.
        if let Some(token) = self.fresh().await? {
            return Ok(token);
        }
        let shared_failure = {
            let log = self.lock_log();
            if let Some(failure) = &log.sticky {
                return Err(failure.clone());
            }
            match &log.last_failure {
                Some(failure) if log.epoch != seen => Some(failure.clone()),
                _ => None,
            }
        };
        if let Some(error) = shared_failure {
            // The fetch we waited for failed: share its error rather than repeat the call.
            return self.fallback(error).await;
        }
        // Other processes sharing the store: wait for whichever of them is fetching, then
        // check again (its token is in the store by the time the lock is ours).
        let cross_process = self.store.lock_refresh(&self.key).await?;
        if cross_process.is_some()
            && let Some(token) = self.fresh().await?
        {
            release(cross_process).await;
            return Ok(token);
        }
        let result = self.fetch_and_store(fetch).await;
        release(cross_process).await;
        result
    }

    /// One fetch: its outcome recorded for every caller that waits on it, its token stored.
    async fn fetch_and_store<F, Fut>(&self, fetch: F) -> Result<AccessToken>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<AccessToken>>,
    {
        tracing::debug!(key = %self.key, "fetching a token");
        let outcome = fetch().await;
        let config_failure = {
            let mut log = self.lock_log();
            log.epoch += 1;
            match &outcome {
                Ok(_) => {
                    log.last_failure = None;
                    false
                }
                Err(error) => {
                    // Shared with every caller that waited for this fetch.
                    let config = error.kind() == ErrorKind::Config;
                    if config {
                        log.sticky = Some(error.clone());
                    }
                    log.last_failure = Some(error.clone());
                    config
                }
            }
        };
        match outcome {
            Ok(token) => {
                self.fetched.fetch_add(1, Ordering::SeqCst);
                tracing::debug!(
                    key = %self.key,
                    expires_in_s = token.expires_in().as_secs(),
                    "token fetched"
                );
                self.store.put(&self.key, token.clone()).await?;
                Ok(token)
            }
            Err(error) if config_failure => {
                tracing::warn!(
                    key = %self.key,
                    code = error.vendor_code(),
                    "the token fetch failed with a configuration error; not asking again"
                );
                Err(error)
            }
            Err(error) => self.fallback(error).await,
        }
    }

    /// After a failed refresh: the cached token if the server still considers it valid
    /// (`now < expires_at`), else `error`.
    async fn fallback(&self, error: Error) -> Result<AccessToken> {
        let now = self.clock.now();
        match self.store.get(&self.key).await? {
            Some(token) if now < token.expires_at() => {
                tracing::debug!(
                    key = %self.key,
                    kind = %error.kind(),
                    "token refresh failed; using the cached token until it expires"
                );
                Ok(token)
            }
            _ => Err(error),
        }
    }

    /// Drops `failed` from the store if it is still the cached token.
    pub async fn invalidate(&self, failed: &AccessToken) -> Result<bool> {
        let removed = self.store.compare_and_invalidate(&self.key, failed).await?;
        tracing::debug!(
            key = %self.key,
            removed,
            "token rejected by the server"
        );
        Ok(removed)
    }

    /// Forgets a remembered configuration failure, so that the next call fetches again.
    pub fn clear_failure(&self) {
        let mut log = self.lock_log();
        log.sticky = None;
        log.last_failure = None;
    }

    async fn fresh(&self) -> Result<Option<AccessToken>> {
        let now = self.clock.now();
        Ok(self
            .store
            .get(&self.key)
            .await?
            .filter(|t| t.is_fresh(now, &self.margin)))
    }

    fn lock_log(&self) -> std::sync::MutexGuard<'_, FetchLog> {
        // Updates are plain assignments: a panic elsewhere cannot leave the log half written.
        self.log.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApiDetails, Clock, ManualClock, RetryClass, Vendor};
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn token(value: &str, at: OffsetDateTime, secs: u64) -> AccessToken {
        AccessToken::new(SecretString::from(value), at, Duration::from_secs(secs))
    }

    fn cache(clock: &ManualClock) -> Arc<TokenCache> {
        Arc::new(TokenCache::new(
            TokenKey::new("wecom:ww1", &SecretString::from("secret")),
            Arc::new(MemoryTokenStore::new()),
            TokenMargin::default(),
            Arc::new(clock.clone()),
        ))
    }

    #[test]
    fn token_debug_is_redacted() {
        let t = token("tok-VALUE-123", OffsetDateTime::UNIX_EPOCH, 7200);
        let shown = format!("{t:?}");
        assert!(!shown.contains("tok-VALUE-123"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn keys_tell_secrets_apart_and_never_show_them() {
        let s = SecretString::from("my-app-secret");
        let k = TokenKey::new("wecom:ww1", &s);
        let shown = format!("{k} {k:?}");
        assert!(!shown.contains("my-app-secret"), "{shown}");
        assert!(
            !shown.contains(k.fingerprint()),
            "no fingerprint printed: {shown}"
        );
        assert_eq!(k.to_string(), "wecom:ww1");
        assert_eq!(k.fingerprint().len(), 32);
        assert_ne!(k, TokenKey::new("wecom:ww1", &SecretString::from("other")));
        assert_ne!(k, TokenKey::new("wecom:ww2", &s));
        assert_eq!(
            k,
            TokenKey::new("wecom:ww1", &SecretString::from("my-app-secret"))
        );
    }

    #[test]
    fn the_margin_is_a_floor_or_a_share_and_capped_for_short_lifetimes() {
        let m = TokenMargin::default();
        assert_eq!(
            m.for_lifetime(Duration::from_secs(7200)),
            Duration::from_secs(720)
        );
        assert_eq!(
            m.for_lifetime(Duration::from_secs(2000)),
            Duration::from_secs(300)
        );
        assert_eq!(
            m.for_lifetime(Duration::from_secs(60)),
            Duration::from_secs(30)
        );
        assert_eq!(m.for_lifetime(Duration::ZERO), Duration::ZERO);
        assert_eq!(
            TokenMargin::none().for_lifetime(Duration::from_secs(7200)),
            Duration::ZERO
        );
        let silly = TokenMargin::new(Duration::ZERO, f64::NAN);
        assert_eq!(silly.for_lifetime(Duration::from_secs(100)), Duration::ZERO);
    }

    #[test]
    fn freshness_uses_the_margin() {
        let t0 = OffsetDateTime::from_unix_timestamp(1_000_000).unwrap();
        let t = token("a", t0, 7200);
        let m = TokenMargin::default(); // 720 s for 7200 s
        assert!(t.is_fresh(t0, &m));
        assert!(t.is_fresh(t0 + Duration::from_secs(7200 - 721), &m));
        assert!(!t.is_fresh(t0 + Duration::from_secs(7200 - 720), &m));
        assert!(!t.is_fresh(t0 + Duration::from_secs(7200), &m));
        assert!(t.is_fresh(t0 + Duration::from_secs(7199), &TokenMargin::none()));
    }

    #[tokio::test]
    async fn memory_store_compare_and_invalidate() {
        let store = MemoryTokenStore::new();
        let key = TokenKey::new("wecom:ww1", &SecretString::from("s"));
        let old = token("old", OffsetDateTime::UNIX_EPOCH, 7200);
        let new = token("new", OffsetDateTime::UNIX_EPOCH, 7200);
        assert!(!store.compare_and_invalidate(&key, &old).await.unwrap());
        store.put(&key, new.clone()).await.unwrap();
        assert!(
            !store.compare_and_invalidate(&key, &old).await.unwrap(),
            "a newer token is never thrown away"
        );
        assert!(store.get(&key).await.unwrap().unwrap().same_token(&new));
        assert!(store.compare_and_invalidate(&key, &new).await.unwrap());
        assert!(store.get(&key).await.unwrap().is_none());
        assert!(!format!("{store:?}").contains("new\""));
    }

    /// A store shared by "processes" (caches of their own) with a lock like a database's.
    #[derive(Debug, Default)]
    struct SharedStore {
        tokens: MemoryTokenStore,
        lock: Arc<tokio::sync::Mutex<()>>,
        released: AtomicUsize,
    }

    /// The lock is the guard: held until the box is dropped after `release`.
    struct Held {
        _guard: tokio::sync::OwnedMutexGuard<()>,
        store: Arc<SharedStore>,
    }

    #[async_trait]
    impl RefreshLock for Held {
        async fn release(self: Box<Self>) -> Result<()> {
            self.store.released.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    #[async_trait]
    impl TokenStore for Arc<SharedStore> {
        async fn get(&self, key: &TokenKey) -> Result<Option<AccessToken>> {
            self.tokens.get(key).await
        }
        async fn put(&self, key: &TokenKey, token: AccessToken) -> Result<()> {
            self.tokens.put(key, token).await
        }
        async fn compare_and_invalidate(&self, key: &TokenKey, t: &AccessToken) -> Result<bool> {
            self.tokens.compare_and_invalidate(key, t).await
        }
        async fn lock_refresh(&self, _key: &TokenKey) -> Result<Option<Box<dyn RefreshLock>>> {
            let guard = self.lock.clone().lock_owned().await;
            Ok(Some(Box::new(Held {
                _guard: guard,
                store: self.clone(),
            })))
        }
    }

    /// Eight caches (one per "process", each with its own in-process single flight) on a cold
    /// shared store fetch once between them: the store's lock makes the others wait, and they
    /// find the token when it is theirs. Every lock taken is released.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn caches_of_several_processes_fetch_once_through_the_store_lock() {
        let clock = ManualClock::at_unix(1_000_000);
        let shared = Arc::new(SharedStore::default());
        let key = TokenKey::new("wecom:ww1", &SecretString::from("secret"));
        let fetches = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let cache = Arc::new(TokenCache::new(
                key.clone(),
                Arc::new(shared.clone()),
                TokenMargin::default(),
                Arc::new(clock.clone()),
            ));
            for _ in 0..10 {
                let (cache, fetches, clock) = (cache.clone(), fetches.clone(), clock.clone());
                tasks.push(tokio::spawn(async move {
                    cache
                        .token(|| async {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            Ok(token("t1", clock.now(), 7200))
                        })
                        .await
                }));
            }
        }
        for t in tasks {
            assert!(
                t.await
                    .unwrap()
                    .unwrap()
                    .same_token(&token("t1", clock.now(), 1))
            );
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        let released = shared.released.load(Ordering::SeqCst);
        assert!((1..=8).contains(&released), "{released}");
        assert!(shared.lock.try_lock().is_ok(), "no lock left held");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_hundred_callers_on_a_cold_cache_fetch_once() {
        let clock = ManualClock::at_unix(1_000_000);
        let cache = cache(&clock);
        let fetches = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let (cache, fetches, clock) = (cache.clone(), fetches.clone(), clock.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .token(|| async {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        // Give the other callers time to pile up on the lock.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(token("t1", clock.now(), 7200))
                    })
                    .await
            }));
        }
        for t in tasks {
            let got = t.await.unwrap().unwrap();
            assert!(got.same_token(&token("t1", OffsetDateTime::UNIX_EPOCH, 1)));
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert_eq!(cache.fetches(), 1);

        // Expired (past the margin): again exactly one fetch for many callers.
        clock.advance(Duration::from_secs(7200 - 700));
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let (cache, fetches, clock) = (cache.clone(), fetches.clone(), clock.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .token(|| async {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(token("t2", clock.now(), 7200))
                    })
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            assert!(
                t.await
                    .unwrap()
                    .same_token(&token("t2", OffsetDateTime::UNIX_EPOCH, 1))
            );
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn invalidation_only_drops_the_failed_token() {
        let clock = ManualClock::at_unix(1_000_000);
        let cache = cache(&clock);
        let fetches = AtomicUsize::new(0);
        let fetch = |name: &'static str| {
            fetches.fetch_add(1, Ordering::SeqCst);
            let now = clock.now();
            async move { Ok(token(name, now, 7200)) }
        };
        let t1 = cache.token(|| fetch("t1")).await.unwrap();
        assert!(cache.invalidate(&t1).await.unwrap());
        let t2 = cache.token(|| fetch("t2")).await.unwrap();
        assert!(!t2.same_token(&t1));
        // A late caller reports t1 as failed: t2 stays.
        assert!(!cache.invalidate(&t1).await.unwrap());
        let again = cache.token(|| fetch("t3")).await.unwrap();
        assert!(again.same_token(&t2));
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn configuration_failures_are_not_repeated() {
        let clock = ManualClock::at_unix(1_000_000);
        let cache = cache(&clock);
        let fetches = AtomicUsize::new(0);
        for _ in 0..3 {
            let e = cache
                .token(|| {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    async {
                        Err(Error::api(
                            Vendor::WeCom,
                            ApiDetails::new(40001, "invalid credential"),
                            ErrorKind::Config,
                            RetryClass::Fatal,
                        ))
                    }
                })
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config);
            assert_eq!(e.vendor_code(), Some(40001));
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);

        // After the configuration is fixed, the caller may ask again explicitly.
        cache.clear_failure();
        let t = cache
            .token(|| {
                fetches.fetch_add(1, Ordering::SeqCst);
                async { Ok(token("fixed", clock.now(), 7200)) }
            })
            .await
            .unwrap();
        assert!(t.same_token(&token("fixed", OffsetDateTime::UNIX_EPOCH, 1)));
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn transient_failures_are_not_sticky() {
        let clock = ManualClock::at_unix(1_000_000);
        let cache = cache(&clock);
        let e = cache
            .token(|| async { Err(Error::transport(Vendor::WeCom, "reset")) })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport);
        let t = cache
            .token(|| async { Ok(token("ok", clock.now(), 7200)) })
            .await
            .unwrap();
        assert!(t.same_token(&token("ok", OffsetDateTime::UNIX_EPOCH, 1)));
    }

    // On tokio's paused clock the fetch's 20 ms wait ends only once every other task is idle,
    // that is, waiting on the fetch in flight: no caller can arrive after the failure by being
    // scheduled late on a loaded machine (a second fetch would then be right, and the count 2).
    #[tokio::test(start_paused = true)]
    async fn waiters_share_a_failed_fetch_instead_of_repeating_it() {
        let clock = ManualClock::at_unix(1_000_000);
        let cache = cache(&clock);
        let fetches = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (cache, fetches) = (cache.clone(), fetches.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .token(|| async {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Err(Error::api(
                            Vendor::WeCom,
                            ApiDetails::new(-1, "system busy").with_request_id("h1"),
                            ErrorKind::Unavailable,
                            RetryClass::Retry,
                        )
                        .with_status(200))
                    })
                    .await
            }));
        }
        for t in tasks {
            let e = t.await.unwrap().unwrap_err();
            assert_eq!(
                (e.kind(), e.class()),
                (ErrorKind::Unavailable, RetryClass::Retry)
            );
            assert_eq!((e.vendor_code(), e.request_id()), (Some(-1), Some("h1")));
            assert_eq!(e.http_status(), Some(200));
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "one failed call, shared");

        // A caller arriving after the failure tries again.
        let t = cache
            .token(|| {
                fetches.fetch_add(1, Ordering::SeqCst);
                async { Ok(token("t", clock.now(), 7200)) }
            })
            .await
            .unwrap();
        assert!(t.same_token(&token("t", OffsetDateTime::UNIX_EPOCH, 1)));
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_refresh_falls_back_to_a_token_still_within_its_lifetime() {
        let clock = ManualClock::at_unix(1_000_000);
        let cache = cache(&clock);
        let busy =
            || async { Err::<AccessToken, _>(Error::transport(Vendor::WeCom, "connection reset")) };
        let t1 = cache
            .token(|| async { Ok(token("t1", clock.now(), 7200)) })
            .await
            .unwrap();
        // Inside the margin: a refresh is due, fails, and the still-valid token is used.
        clock.advance(Duration::from_secs(7000));
        let got = cache.token(busy).await.unwrap();
        assert!(got.same_token(&t1));
        // Past its lifetime: the error is returned.
        clock.advance(Duration::from_secs(200));
        let e = cache.token(busy).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport);
        // A rejected token is never used as a fallback: it left the store.
        let t2 = cache
            .token(|| async { Ok(token("t2", clock.now(), 7200)) })
            .await
            .unwrap();
        assert!(cache.invalidate(&t2).await.unwrap());
        assert_eq!(
            cache.token(busy).await.unwrap_err().kind(),
            ErrorKind::Transport
        );
    }
}
