//! Tokens (docs/specs/quanshi.md §2.3): `POST {events_base}/eventopenapi/token/create` and the cache.
//!
//! One cache per client (so per events host, AppKey and admin user id). A token is fresh while
//! `now < fetched_at + expire − margin`, with `margin = max(600 s, 10 % of expire)` capped at half
//! the lifetime (so that a short-lived token is still used for a while). `fetched_at` is our
//! clock at fetch time; the server's `createTime` is ignored (clock skew).
//!
//! Refresh is single-flight: concurrent callers that find no fresh token queue on one lock and
//! re-check under it, so one fetch serves them all. A token-invalid answer invalidates the
//! token only if it is still the cached one (compare-and-invalidate by generation), so a burst
//! of rejections of the same token leads to one new token.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use roster_core::wire::{value_as_i64, value_as_string};
use roster_core::{Error, ExposeSecret, Result, SecretString};
use serde_json::Value;
use time::OffsetDateTime;

/// Lifetime assumed when `token/create` sends no usable `expire` (the spec's example value).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);
/// The minimum refresh margin before expiry.
pub const MIN_REFRESH_MARGIN: Duration = Duration::from_secs(600);

/// `token/create`'s `data`, read with the configured token field name. `Debug` hides the token.
#[derive(Clone)]
#[non_exhaustive]
pub struct TokenData {
    /// The token.
    pub token: SecretString,
    /// `expire`, read as seconds (unit undocumented).
    pub expire: Option<i64>,
    /// `createTime`, Unix ms.
    pub create_time: Option<i64>,
    /// `customerCode`.
    pub customer_code: Option<String>,
    /// `productId`.
    pub product_id: Option<i64>,
}

impl fmt::Debug for TokenData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenData")
            .field("token", &"<redacted>")
            .field("expire", &self.expire)
            .field("create_time", &self.create_time)
            .field("customer_code", &self.customer_code)
            .field("product_id", &self.product_id)
            .finish()
    }
}

impl TokenData {
    /// Reads `data`. Fails (naming the fields present, never their values) when the token
    /// field is missing or empty.
    pub fn from_value(data: &Value, token_field: &str) -> std::result::Result<Self, String> {
        let Some(map) = data.as_object() else {
            return Err(format!(
                "token/create returned {} as data, expected an object",
                crate::wire::json_type(data)
            ));
        };
        let token = map
            .get(token_field)
            .and_then(value_as_string)
            .filter(|t| !t.trim().is_empty());
        let Some(token) = token else {
            let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
            keys.sort_unstable();
            return Err(format!(
                "token/create returned no `{token_field}` field (fields present: {}); set token_field to the right name",
                keys.join(", ")
            ));
        };
        Ok(Self {
            token: SecretString::from(token),
            expire: map.get("expire").and_then(value_as_i64),
            create_time: map.get("createTime").and_then(value_as_i64),
            customer_code: map.get("customerCode").and_then(value_as_string),
            product_id: map.get("productId").and_then(value_as_i64),
        })
    }

    /// The lifetime: `expire` seconds, or [`DEFAULT_TOKEN_LIFETIME`] when absent or not
    /// positive.
    pub fn lifetime(&self) -> Duration {
        match self.expire {
            Some(s) if s > 0 => Duration::from_secs(s.unsigned_abs()),
            _ => DEFAULT_TOKEN_LIFETIME,
        }
    }
}

/// A token in use. `Debug` hides the value.
#[derive(Clone)]
pub struct Token {
    value: SecretString,
    fetched_at: OffsetDateTime,
    lifetime: Option<Duration>,
    generation: u64,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("value", &"<redacted>")
            .field("fetched_at", &self.fetched_at)
            .field("lifetime", &self.lifetime)
            .field("generation", &self.generation)
            .finish()
    }
}

impl Token {
    /// The secret value.
    pub fn secret(&self) -> &SecretString {
        &self.value
    }

    /// Which fetch produced it (1 for the first; 0 for a fixed token).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether this is the configured fixed token.
    pub fn is_fixed(&self) -> bool {
        self.lifetime.is_none()
    }

    /// When it stops being used (refresh time), for fetched tokens.
    pub fn refresh_at(&self) -> Option<OffsetDateTime> {
        let lifetime = self.lifetime?;
        let margin = MIN_REFRESH_MARGIN.max(lifetime / 10).min(lifetime / 2);
        Some(self.fetched_at + (lifetime - margin))
    }

    /// Whether it may still be used at `now`.
    pub fn is_fresh(&self, now: OffsetDateTime) -> bool {
        self.refresh_at().is_none_or(|at| now < at)
    }
}

/// The token cache of one client.
pub(crate) struct TokenCache {
    fixed: Option<Arc<Token>>,
    current: Mutex<Option<Arc<Token>>>,
    refresh: tokio::sync::Mutex<()>,
    generations: AtomicU64,
    fetches: AtomicU64,
}

impl TokenCache {
    pub(crate) fn new(fixed: Option<SecretString>) -> Self {
        let fixed = fixed.map(|value| {
            Arc::new(Token {
                value,
                fetched_at: OffsetDateTime::UNIX_EPOCH,
                lifetime: None,
                generation: 0,
            })
        });
        Self {
            fixed,
            current: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
            generations: AtomicU64::new(0),
            fetches: AtomicU64::new(0),
        }
    }

    /// Number of `token/create` calls that produced a token.
    pub(crate) fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Arc<Token>>> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn cached_fresh(&self, now: OffsetDateTime) -> Option<Arc<Token>> {
        self.lock().as_ref().filter(|t| t.is_fresh(now)).cloned()
    }

    /// A fresh token: the fixed one, the cached one, or one fetched by `fetch` (single
    /// flight). `now` is read again after waiting for the lock.
    pub(crate) async fn get<F, Fut>(
        &self,
        now: impl Fn() -> OffsetDateTime,
        fetch: F,
    ) -> Result<Arc<Token>>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<TokenData>>,
    {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        if let Some(t) = self.cached_fresh(now()) {
            return Ok(t);
        }
        let _guard = self.refresh.lock().await;
        if let Some(t) = self.cached_fresh(now()) {
            return Ok(t);
        }
        let fetched_at = now();
        let data = fetch().await?;
        let token = Arc::new(Token {
            value: data.token.clone(),
            fetched_at,
            lifetime: Some(data.lifetime()),
            generation: self.generations.fetch_add(1, Ordering::SeqCst) + 1,
        });
        self.fetches.fetch_add(1, Ordering::SeqCst);
        tracing::debug!(
            generation = token.generation,
            lifetime_s = data.lifetime().as_secs(),
            "quanshi token created"
        );
        *self.lock() = Some(token.clone());
        Ok(token)
    }

    /// Drops the cached token if it is still generation `generation`.
    pub(crate) fn invalidate(&self, generation: u64) -> bool {
        let mut current = self.lock();
        if current.as_ref().is_some_and(|t| t.generation == generation) {
            *current = None;
            tracing::debug!(generation, "quanshi token invalidated");
            true
        } else {
            false
        }
    }
}

/// Exposes the token value (only where it is sent, and to redact echoes of it from answers).
pub(crate) fn expose(token: &Token) -> &str {
    token.value.expose_secret()
}

/// A decode error for `token/create` that never includes the body.
pub(crate) fn token_decode_error(status: u16, message: String) -> Error {
    Error::decode(roster_core::Vendor::Quanshi, status, message, b"").without_body()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::atomic::AtomicUsize;

    fn at(s: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(s).unwrap()
    }

    fn data(token: &str, expire: i64) -> TokenData {
        TokenData::from_value(&json!({"token": token, "expire": expire}), "token").unwrap()
    }

    #[test]
    fn token_data_reading() {
        let d = TokenData::from_value(
            &json!({"productId":null,"createTime":1666231314326u64,"expire":86400,"customerCode":"0001","token":"abc"}),
            "token",
        )
        .unwrap();
        assert_eq!(d.token.expose_secret(), "abc");
        assert_eq!(d.lifetime(), Duration::from_secs(86_400));
        assert_eq!(d.customer_code.as_deref(), Some("0001"));
        assert!(!format!("{d:?}").contains("abc"));
        // The doc example has no token field: a clear error naming the fields present.
        let e = TokenData::from_value(
            &json!({"productId":null,"createTime":1666231314326u64,"expire":86400,"customerCode":"0001"}),
            "token",
        )
        .unwrap_err();
        assert!(
            e.contains("no `token` field")
                && e.contains("createTime, customerCode, expire, productId"),
            "{e}"
        );
        let alt = TokenData::from_value(
            &json!({"accessToken": "x", "expire": "7200"}),
            "accessToken",
        )
        .unwrap();
        assert_eq!(alt.lifetime(), Duration::from_secs(7200));
        assert_eq!(data("t", 0).lifetime(), DEFAULT_TOKEN_LIFETIME);
        assert!(TokenData::from_value(&json!(null), "token").is_err());
        assert!(TokenData::from_value(&json!({"token": ""}), "token").is_err());
    }

    #[test]
    fn freshness_margin() {
        let t = Token {
            value: "v".to_string().into(),
            fetched_at: at(1_000_000),
            lifetime: Some(Duration::from_secs(86_400)),
            generation: 1,
        };
        // 10 % of 86,400 s is 8,640 s > 600 s.
        assert!(t.is_fresh(at(1_000_000 + 86_400 - 8_641)));
        assert!(!t.is_fresh(at(1_000_000 + 86_400 - 8_640)));
        let short = Token {
            lifetime: Some(Duration::from_secs(3_600)),
            ..t.clone()
        };
        // max(600 s, 360 s) = 600 s.
        assert!(short.is_fresh(at(1_000_000 + 2_999)));
        assert!(!short.is_fresh(at(1_000_000 + 3_000)));
        let tiny = Token {
            lifetime: Some(Duration::from_secs(60)),
            ..t
        };
        // Capped at half the lifetime.
        assert!(tiny.is_fresh(at(1_000_000 + 29)));
        assert!(!tiny.is_fresh(at(1_000_000 + 30)));
    }

    #[tokio::test]
    async fn single_flight_and_reuse() {
        let cache = Arc::new(TokenCache::new(None));
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (cache, calls) = (cache.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get(
                        || at(1_000),
                        || async move {
                            calls.fetch_add(1, Ordering::SeqCst);
                            tokio::task::yield_now().await;
                            Ok(data("t1", 86_400))
                        },
                    )
                    .await
                    .unwrap()
                    .generation()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 1);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.fetches(), 1);
    }

    #[tokio::test]
    async fn expiry_and_compare_and_invalidate() {
        let cache = TokenCache::new(None);
        let n = AtomicUsize::new(0);
        let fetch = || async {
            let k = n.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(data(&format!("t{k}"), 3_600))
        };
        let t1 = cache.get(|| at(0), fetch).await.unwrap();
        assert_eq!(t1.generation(), 1);
        let again = cache.get(|| at(2_999), fetch).await.unwrap();
        assert_eq!(again.generation(), 1, "still fresh");
        let t2 = cache.get(|| at(3_000), fetch).await.unwrap();
        assert_eq!(t2.generation(), 2, "refreshed before expiry");
        assert!(
            !cache.invalidate(1),
            "a stale rejection does not drop the new token"
        );
        assert_eq!(
            cache.get(|| at(3_001), fetch).await.unwrap().generation(),
            2
        );
        assert!(cache.invalidate(2));
        assert!(!cache.invalidate(2));
        assert_eq!(
            cache.get(|| at(3_002), fetch).await.unwrap().generation(),
            3
        );
        assert_eq!(n.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn fixed_tokens_never_fetch() {
        let cache = TokenCache::new(Some("FIXED".to_string().into()));
        let t = cache
            .get(
                || at(0),
                || async { Err::<TokenData, _>(Error::config("no")) },
            )
            .await
            .unwrap();
        assert!(t.is_fixed() && t.is_fresh(at(i64::from(i32::MAX))));
        assert_eq!(expose(&t), "FIXED");
        assert!(!format!("{t:?}").contains("FIXED"));
    }

    #[tokio::test]
    async fn fetch_errors_are_returned_and_nothing_cached() {
        let cache = TokenCache::new(None);
        let e = cache
            .get(
                || at(0),
                || async { Err::<TokenData, _>(Error::config("boom")) },
            )
            .await
            .unwrap_err();
        assert_eq!(e.message(), "boom");
        let t = cache
            .get(|| at(0), || async { Ok(data("x", 10)) })
            .await
            .unwrap();
        assert_eq!(t.generation(), 1);
    }
}
