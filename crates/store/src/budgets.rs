//! [`PgRateBudgets`]: client-side rate budgets shared through PostgreSQL, so that N processes
//! (on any machine) calling one vendor app together stay within the app's budget.
//!
//! One row per bucket (`rate_budgets`, migration 3) holds the GCRA "theoretical arrival time"
//! of the next call, in microseconds of the server's clock (one clock for every machine). A
//! call is granted by one `INSERT … ON CONFLICT DO UPDATE … WHERE` that moves it on by the
//! emission interval (a minute ÷ the rate) only while it stays within the burst; a refused
//! call learns how long to wait and tries again. The row lock serialises the processes, so a
//! budget of R calls a minute with a burst of b grants at most R + b calls in any minute,
//! however many processes ask.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use roster_core::{Error, ErrorKind, SharedBudget};
use tokio::sync::Mutex;
use tokio_postgres::Client;

use crate::StoreError;
use crate::postgres::connect_migrated;

/// Rate budgets in PostgreSQL, shared by every process that connects to the same database:
/// one row per bucket holds the GCRA schedule on the server's clock, and one upsert grants a
/// call or says how long to wait, so that N processes together make at most the rate plus
/// the burst in any minute. Plug it into any vendor client with
/// `ClientBuilder::shared_budget`.
pub struct PgRateBudgets {
    client: Mutex<Client>,
}

impl fmt::Debug for PgRateBudgets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password: never shown.
        f.debug_struct("PgRateBudgets").finish_non_exhaustive()
    }
}

const TRY: &str = "
WITH now AS (
    SELECT coalesce($4::bigint, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint) AS us
), granted AS (
    INSERT INTO rate_budgets AS b (key, tat_us) SELECT $1, now.us + $2 FROM now
    ON CONFLICT (key) DO UPDATE SET tat_us = greatest(b.tat_us, (SELECT us FROM now)) + $2
    WHERE greatest(b.tat_us, (SELECT us FROM now)) + $2 - $3 <= (SELECT us FROM now)
    RETURNING tat_us
)
SELECT (SELECT count(*) FROM granted),
       (SELECT tat_us FROM rate_budgets WHERE key = $1),
       (SELECT us FROM now)";

impl PgRateBudgets {
    /// Connects to `url`, bringing the schema up to date first; a schema newer than this
    /// roster knows is refused.
    pub async fn connect(url: &str) -> crate::Result<Self> {
        Ok(Self {
            client: Mutex::new(connect_migrated(url).await?),
        })
    }

    /// One attempt to take a slot of `bucket` (`per_minute` calls a minute, a burst of
    /// `burst`) at `now_us` (microseconds; `None`: the server's clock): `None` when granted,
    /// else how long to wait before trying again.
    pub async fn try_acquire(
        &self,
        bucket: &str,
        per_minute: u32,
        burst: u32,
        now_us: Option<i64>,
    ) -> crate::Result<Option<Duration>> {
        let interval = 60_000_000 / i64::from(per_minute.max(1));
        let tolerance = interval * i64::from(burst.max(1));
        let row = self
            .client
            .lock()
            .await
            .query_one(TRY, &[&bucket, &interval, &tolerance, &now_us])
            .await?;
        if row.get::<_, i64>(0) > 0 {
            return Ok(None);
        }
        let tat: Option<i64> = row.get(1);
        let now: i64 = row.get(2);
        // A refusal read against a row another process had just moved on (its snapshot is
        // older) computes no wait: wait an eighth of an interval then, not a busy loop.
        let wait = (tat.unwrap_or(now) + interval - tolerance - now)
            .max(interval / 8)
            .max(1_000);
        Ok(Some(Duration::from_micros(
            u64::try_from(wait).unwrap_or(1_000),
        )))
    }
}

#[async_trait]
impl SharedBudget for PgRateBudgets {
    async fn acquire(&self, bucket: &str, per_minute: u32, burst: u32) -> roster_core::Result<()> {
        loop {
            let attempt = self.try_acquire(bucket, per_minute, burst, None).await;
            match attempt.map_err(|e: StoreError| {
                Error::new(ErrorKind::Transport, format!("the shared rate budget: {e}"))
            })? {
                None => return Ok(()),
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
    }
}
