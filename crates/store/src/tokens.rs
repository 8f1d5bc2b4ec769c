//! [`PgTokenStore`]: access tokens shared through PostgreSQL by every process (on any machine)
//! that uses one store, so that WeCom's and Quanshi's tokens are fetched once for all of them.
//!
//! Tokens live in the `tokens` table (migration 3), keyed by the client's scope and the secret's
//! fingerprint. A fetch is single-flight across processes: [`TokenStore::lock_refresh`] takes a
//! session-level advisory lock on the key (`pg_advisory_lock(hashtextextended(key, 0))`) on a
//! connection of its own, so a cold cache across N processes makes one fetch while the others
//! wait and then read its token. PostgreSQL frees the lock if the holder's connection ends, so
//! a worker that dies mid-fetch blocks nobody. Compare-and-invalidate is one `DELETE … WHERE
//! token = $2`: a token another process has just stored is never thrown away.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use roster_core::token::{AccessToken, RefreshLock, TokenKey, TokenStore};
use roster_core::{Error, ErrorKind, ExposeSecret, SecretString};
use time::OffsetDateTime;
use tokio::sync::{Mutex, OwnedMutexGuard};
use tokio_postgres::Client;

use crate::StoreError;
use crate::postgres::{connect, connect_migrated};

/// Access tokens in PostgreSQL, shared by every process that connects to the same database:
/// a cold cache across N processes makes one fetch (an advisory lock per key, freed if its
/// holder's connection ends), and compare-and-invalidate never drops a token another process
/// has just stored. Plug it into any vendor client with `ClientBuilder::token_store`.
pub struct PgTokenStore {
    data: Mutex<Client>,
    /// The connection advisory locks are taken on: one lock at a time per process (its
    /// caches already let one caller fetch per key).
    lock: Arc<Mutex<Client>>,
}

impl fmt::Debug for PgTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Neither the URL (a password) nor a token is ever shown.
        f.debug_struct("PgTokenStore").finish_non_exhaustive()
    }
}

impl PgTokenStore {
    /// Connects to `url` twice (tokens, locks), bringing the schema up to date first; a
    /// schema newer than this roster knows is refused.
    pub async fn connect(url: &str) -> crate::Result<Self> {
        let data = connect_migrated(url).await?;
        let lock = connect(url).await?;
        Ok(Self {
            data: Mutex::new(data),
            lock: Arc::new(Mutex::new(lock)),
        })
    }
}

/// The table key of a token key: scope and fingerprint (the secret itself is never stored).
fn row_key(key: &TokenKey) -> String {
    format!("{}#{}", key.scope(), key.fingerprint())
}

/// A store failure as the clients see it: the token store cannot be reached or read.
fn unavailable(e: impl Into<StoreError>) -> Error {
    let e: StoreError = e.into();
    Error::new(ErrorKind::Transport, format!("the shared token store: {e}"))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[async_trait]
impl TokenStore for PgTokenStore {
    async fn get(&self, key: &TokenKey) -> roster_core::Result<Option<AccessToken>> {
        let row = self
            .data
            .lock()
            .await
            .query_opt(
                "SELECT token, fetched_ms, expires_in_ms FROM tokens WHERE key = $1",
                &[&row_key(key)],
            )
            .await
            .map_err(unavailable)?;
        Ok(row.and_then(|r| {
            let fetched_ms: i64 = r.get(1);
            let expires_in_ms: i64 = r.get(2);
            let fetched_at =
                OffsetDateTime::from_unix_timestamp_nanos(i128::from(fetched_ms) * 1_000_000)
                    .ok()?;
            Some(AccessToken::new(
                SecretString::from(r.get::<_, String>(0)),
                fetched_at,
                Duration::from_millis(u64::try_from(expires_in_ms).unwrap_or(0)),
            ))
        }))
    }

    async fn put(&self, key: &TokenKey, token: AccessToken) -> roster_core::Result<()> {
        let fetched_ms =
            i64::try_from(token.fetched_at().unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
        self.data
            .lock()
            .await
            .execute(
                "INSERT INTO tokens (key, token, fetched_ms, expires_in_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (key) DO UPDATE SET token = excluded.token,
                   fetched_ms = excluded.fetched_ms, expires_in_ms = excluded.expires_in_ms",
                &[
                    &row_key(key),
                    &token.secret().expose_secret(),
                    &fetched_ms,
                    &millis(token.expires_in()),
                ],
            )
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn compare_and_invalidate(
        &self,
        key: &TokenKey,
        failed: &AccessToken,
    ) -> roster_core::Result<bool> {
        let removed = self
            .data
            .lock()
            .await
            .execute(
                "DELETE FROM tokens WHERE key = $1 AND token = $2",
                &[&row_key(key), &failed.secret().expose_secret()],
            )
            .await
            .map_err(unavailable)?;
        Ok(removed > 0)
    }

    async fn lock_refresh(
        &self,
        key: &TokenKey,
    ) -> roster_core::Result<Option<Box<dyn RefreshLock>>> {
        let client = self.lock.clone().lock_owned().await;
        // The lock object exists before the request goes out: if this future is dropped while
        // the server has not granted the lock yet, its `Drop` queues the unlock on the same
        // connection, after the pending request, so a lock granted late is freed too.
        let lock = PgRefreshLock {
            client: Some(client),
            key: row_key(key),
        };
        if let Some(client) = &lock.client {
            client
                .execute(
                    "SELECT pg_advisory_lock(hashtextextended($1, 0))",
                    &[&lock.key],
                )
                .await
                .map_err(unavailable)?;
        }
        Ok(Some(Box::new(lock)))
    }
}

/// A held advisory lock on one token key.
struct PgRefreshLock {
    client: Option<OwnedMutexGuard<Client>>,
    key: String,
}

const UNLOCK: &str = "SELECT pg_advisory_unlock(hashtextextended($1, 0))";

#[async_trait]
impl RefreshLock for PgRefreshLock {
    async fn release(mut self: Box<Self>) -> roster_core::Result<()> {
        if let Some(client) = self.client.take() {
            client
                .execute(UNLOCK, &[&self.key])
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }
}

impl Drop for PgRefreshLock {
    /// Dropped unreleased (a cancelled fetch): unlock on a task, so that the others are not
    /// kept waiting until this process ends.
    fn drop(&mut self) {
        if let Some(client) = self.client.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let key = std::mem::take(&mut self.key);
            runtime.spawn(async move {
                let _ = client.execute(UNLOCK, &[&key]).await;
            });
        }
    }
}
