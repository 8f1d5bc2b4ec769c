//! `PgRateBudgets` on a real, throwaway PostgreSQL, on explicit times (no wall clock): four
//! processes asking one bucket together get no more than its rate plus its burst in any
//! minute; buckets are independent.

use std::time::Duration;

use roster_store::PgRateBudgets;
use roster_testkit::postgres::Cluster;

const SECOND: i64 = 1_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_share_one_budget() {
    let cluster = Cluster::start().unwrap();
    let mut processes = Vec::new();
    for _ in 0..4 {
        processes.push(PgRateBudgets::connect(&cluster.url()).await.unwrap());
    }
    // 60 calls a minute (one a second), a burst of 3; every process asks 5 times a second
    // for two minutes.
    let t0 = 1_760_000_000 * SECOND;
    let mut granted_at = Vec::new();
    for tick in 0..(120 * 5) {
        let now = t0 + i64::from(tick) * SECOND / 5;
        for p in &processes {
            if p.try_acquire("tencent:app1", 60, 3, Some(now))
                .await
                .unwrap()
                .is_none()
            {
                granted_at.push(now);
            }
        }
    }
    for start in (0..60).map(|s| t0 + s * SECOND) {
        let in_minute = granted_at
            .iter()
            .filter(|t| (start..start + 60 * SECOND).contains(t))
            .count();
        assert!(
            in_minute <= 63,
            "{in_minute} calls in the minute from {start}"
        );
    }
    // The budget is used, not just bounded: about one a second after the burst.
    assert!(
        (120..=123).contains(&granted_at.len()),
        "{}",
        granted_at.len()
    );

    // A refused call is told how long to wait, and another bucket is its own.
    let now = t0 + 200 * SECOND;
    for _ in 0..3 {
        assert_eq!(
            processes[0]
                .try_acquire("tencent:app1", 60, 3, Some(now))
                .await
                .unwrap(),
            None
        );
    }
    let wait = processes[1]
        .try_acquire("tencent:app1", 60, 3, Some(now))
        .await
        .unwrap()
        .expect("the burst is spent");
    assert_eq!(wait, Duration::from_secs(1));
    assert_eq!(
        processes[2]
            .try_acquire("tencent:app2", 60, 3, Some(now))
            .await
            .unwrap(),
        None
    );
    assert!(!format!("{:?}", processes[0]).contains(&cluster.url()));
}
