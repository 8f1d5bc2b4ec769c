//! Pushed joins and leaves in the store, on SQLite and on a real PostgreSQL: a redelivery
//! changes nothing, and the sessions folded from them do not depend on the arrival order.

use roster_core::Vendor;
use roster_core::webhook::{PresenceChange, PresenceKind};
use roster_store::{LiveSession, PgStore, PushRecord, SqliteStore, Store};
use time::OffsetDateTime;

fn change(who: &str, kind: PresenceKind, at: i64) -> PresenceChange {
    PresenceChange {
        vendor: Vendor::TencentMeeting,
        meeting_id: "m1".into(),
        kind,
        at: OffsetDateTime::from_unix_timestamp(at).ok(),
        user_id: Some(who.into()),
        temp_id: None,
        display_name: Some(format!("名字 {who}")),
        phone: None,
        instance_id: Some("1".into()),
    }
}

/// Deliveries: (id, changes). a joins at 100, leaves at 200, joins again at 300 (still in); b
/// leaves at 250 without a join seen; one event carries two changes.
fn deliveries() -> Vec<(&'static str, Vec<PresenceChange>)> {
    use PresenceKind::*;
    vec![
        ("d1", vec![change("a", Joined, 100)]),
        ("d2", vec![change("a", Left, 200), change("b", Left, 250)]),
        ("d3", vec![change("a", Joined, 300)]),
    ]
}

async fn check(store: &dyn Store, order: &[usize]) -> Vec<LiveSession> {
    let all = deliveries();
    for &i in order {
        let (id, changes) = &all[i];
        let push = PushRecord {
            vendor: Vendor::TencentMeeting,
            app: "default",
            delivery: id,
            received_us: 1,
            body: "{}",
            changes,
        };
        store.record_push(&push).await.unwrap();
        // A redelivery is recognised and changes nothing.
        assert!(!store.record_push(&push).await.unwrap());
    }
    let mut live = store
        .live_sessions(Some(Vendor::TencentMeeting), Some("m1"))
        .await
        .unwrap();
    live.sort_by(|x, y| (&x.person, x.joined_at).cmp(&(&y.person, y.joined_at)));
    live
}

fn expected(live: &[LiveSession]) {
    let t = |s| OffsetDateTime::from_unix_timestamp(s).ok();
    let shape: Vec<_> = live
        .iter()
        .map(|s| (s.person.as_str(), s.joined_at, s.left_at))
        .collect();
    assert_eq!(
        shape,
        vec![
            ("user:tencent_meeting:a", t(100), t(200)),
            ("user:tencent_meeting:a", t(300), None),
            ("user:tencent_meeting:b", None, t(250)),
        ]
    );
    assert_eq!(live[1].display_name.as_deref(), Some("名字 a"));
}

#[tokio::test]
async fn sqlite_folds_pushes_in_any_order() {
    for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
        let store = SqliteStore::open_in_memory().unwrap();
        expected(&check(&store, &order).await);
        assert!(
            store
                .live_sessions(Some(Vendor::WeCom), None)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_folds_pushes_in_any_order() {
    let cluster = roster_testkit::postgres::Cluster::start().unwrap();
    let store = PgStore::connect(&cluster.url()).await.unwrap();
    expected(&check(&store, &[2, 0, 1]).await);
    assert_eq!(store.live_sessions(None, None).await.unwrap().len(), 3);
}
