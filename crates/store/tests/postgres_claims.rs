//! Claims on a real, throwaway PostgreSQL: of several workers, one exports a meeting; a
//! finished meeting is fresh for the workers of the same run; an expired lease is taken over.

use std::time::Duration;

use roster_core::{MeetingSummary, Vendor};
use roster_store::{Claim, PgStore, Store};
use roster_testkit::postgres::Cluster;

const LEASE: Duration = Duration::from_secs(900);
const FRESH: Duration = Duration::from_secs(600);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_worker_per_meeting_and_a_dead_workers_lease_is_taken_over() {
    let cluster = Cluster::start().unwrap();
    let a = PgStore::connect(&cluster.url()).await.unwrap();
    let b = PgStore::connect(&cluster.url()).await.unwrap();
    let (wa, wb) = (
        a.start_worker("host-a:1").await.unwrap(),
        b.start_worker("host-b:2").await.unwrap(),
    );
    let m = MeetingSummary::new(Vendor::WeCom, "m1");
    let mut occurrence = MeetingSummary::new(Vendor::WeCom, "m1");
    occurrence.sub_meeting_id = Some("s1".into());

    assert_eq!(a.claim(&wa, &m, LEASE, FRESH).await.unwrap(), Claim::Mine);
    assert_eq!(
        b.claim(&wb, &m, LEASE, FRESH).await.unwrap(),
        Claim::Held,
        "held by a"
    );
    assert_eq!(
        b.claim(&wb, &occurrence, LEASE, FRESH).await.unwrap(),
        Claim::Mine,
        "an occurrence is its own meeting"
    );
    assert_eq!(
        a.claim(&wa, &m, LEASE, FRESH).await.unwrap(),
        Claim::Mine,
        "a renews its own"
    );
    a.finish_claim(&wa, &m).await.unwrap();
    assert_eq!(
        b.claim(&wb, &m, LEASE, FRESH).await.unwrap(),
        Claim::Done,
        "done during b's run: not again"
    );
    // A worker of a later run (nothing is fresh for it) syncs it again.
    let wc = b.start_worker("host-c:3").await.unwrap();
    assert_eq!(
        b.claim(&wc, &m, LEASE, Duration::ZERO).await.unwrap(),
        Claim::Mine
    );

    // A worker that dies holding a claim loses it when the lease ends.
    let m2 = MeetingSummary::new(Vendor::WeCom, "m2");
    assert_eq!(
        a.claim(&wa, &m2, Duration::ZERO, FRESH).await.unwrap(),
        Claim::Mine
    );
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(
        b.claim(&wb, &m2, LEASE, FRESH).await.unwrap(),
        Claim::Mine,
        "taken over"
    );
    assert_eq!(
        a.claim(&wa, &m2, LEASE, FRESH).await.unwrap(),
        Claim::Held,
        "now b's"
    );
    // Finishing someone else's claim changes nothing.
    a.finish_claim(&wa, &m2).await.unwrap();
    let wd = a.start_worker("host-d:4").await.unwrap();
    assert_eq!(
        a.claim(&wd, &m2, LEASE, FRESH).await.unwrap(),
        Claim::Held,
        "still b's"
    );
}
