//! `PgTokenStore` against a real, throwaway PostgreSQL: separate stores (separate connections,
//! as separate processes would have) share tokens, fetch once between them on a cold cache,
//! and compare-and-invalidate across them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use roster_core::token::{AccessToken, TokenCache, TokenKey, TokenMargin, TokenStore};
use roster_core::{ManualClock, SecretString};
use roster_store::PgTokenStore;
use roster_testkit::postgres::Cluster;
use time::OffsetDateTime;

/// The clock of every cache here (never the wall clock).
const T0: i64 = 1_760_000_000;

fn token(value: &str) -> AccessToken {
    AccessToken::new(
        SecretString::from(value),
        OffsetDateTime::from_unix_timestamp(T0).unwrap(),
        Duration::from_secs(7200),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_on_a_cold_store_fetch_one_token() {
    let cluster = Cluster::start().unwrap();
    // Four "processes" started together: each connects (and migrates) at once.
    let stores = futures_join(4, &cluster.url()).await;
    let key = TokenKey::new("wecom:ww1", &SecretString::from("app-secret"));
    let fetches = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for store in &stores {
        let cache = Arc::new(TokenCache::new(
            key.clone(),
            store.clone(),
            TokenMargin::default(),
            Arc::new(ManualClock::at_unix(T0)),
        ));
        for _ in 0..5 {
            let (cache, fetches) = (cache.clone(), fetches.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .token(|| async {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(token("the-one-token"))
                    })
                    .await
            }));
        }
    }
    for t in tasks {
        let got = t.await.unwrap().unwrap();
        assert!(got.same_token(&token("the-one-token")));
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1, "one fetch for all four");
    // Another app's key is its own.
    let other = TokenKey::new("wecom:ww1", &SecretString::from("contacts-secret"));
    assert!(stores[0].get(&other).await.unwrap().is_none());

    // Compare-and-invalidate across processes: an old token never removes the current one.
    assert!(
        !stores[1]
            .compare_and_invalidate(&key, &token("an-older-token"))
            .await
            .unwrap()
    );
    assert!(stores[2].get(&key).await.unwrap().is_some());
    assert!(
        stores[3]
            .compare_and_invalidate(&key, &token("the-one-token"))
            .await
            .unwrap()
    );
    assert!(stores[0].get(&key).await.unwrap().is_none());

    // A lock dropped without release (a cancelled fetch) is freed for the others.
    let held = stores[0].lock_refresh(&key).await.unwrap();
    drop(held);
    let again = tokio::time::timeout(Duration::from_secs(30), stores[1].lock_refresh(&key))
        .await
        .expect("the dropped lock was freed")
        .unwrap()
        .unwrap();
    // A wait that is given up (its future dropped before the server granted the lock) does
    // not keep the lock once it is granted late.
    let gave_up =
        tokio::time::timeout(Duration::from_millis(200), stores[2].lock_refresh(&key)).await;
    assert!(
        gave_up.is_err(),
        "the lock was held, so the wait could not finish"
    );
    again.release().await.unwrap();
    let last = tokio::time::timeout(Duration::from_secs(30), stores[3].lock_refresh(&key))
        .await
        .expect("the late grant was freed")
        .unwrap()
        .unwrap();
    last.release().await.unwrap();
    assert!(!format!("{:?}", stores[0]).contains(&cluster.url()));
}

async fn futures_join(n: usize, url: &str) -> Vec<Arc<PgTokenStore>> {
    let mut handles = Vec::new();
    for _ in 0..n {
        let url = url.to_string();
        handles.push(tokio::spawn(
            async move { PgTokenStore::connect(&url).await },
        ));
    }
    let mut out = Vec::new();
    for h in handles {
        out.push(Arc::new(h.await.unwrap().unwrap()));
    }
    out
}
