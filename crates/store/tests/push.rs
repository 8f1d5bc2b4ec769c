//! Pushed joins and leaves in the store, on SQLite and on a real PostgreSQL: a redelivery
//! changes nothing, the sessions folded from them do not depend on the arrival order, a batch
//! is one write, the meetings they are about move from live to ended to reconciled, and the
//! pulled sessions are marked live, late or pull-only.

use roster_core::Attendee;
use roster_core::Vendor;
use roster_core::webhook::{PresenceChange, PresenceKind};
use roster_store::{
    LiveSession, PgStore, PushMeeting, PushRecord, Seen, SqliteStore, Store, SyncOutcome,
};
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
            meetings: &[],
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

const MIN: i64 = 60_000_000;

const M1: [PushMeeting<'static>; 1] = [PushMeeting {
    meeting_id: "m1",
    subject: Some("周会"),
    start_unix: Some(0),
    end_unix: None,
    ended: false,
}];
const M1_END: [PushMeeting<'static>; 1] = [PushMeeting {
    meeting_id: "m1",
    subject: None,
    start_unix: Some(0),
    end_unix: None,
    ended: true,
}];

fn push<'a>(
    delivery: &'a str,
    received_us: i64,
    changes: &'a [PresenceChange],
    ended: bool,
) -> PushRecord<'a> {
    PushRecord {
        vendor: Vendor::TencentMeeting,
        app: "default",
        delivery,
        received_us,
        body: "{}",
        changes,
        meetings: if ended { &M1_END } else { &M1 },
    }
}

fn pulled(who: &str, joined: i64, left: i64) -> Attendee {
    let mut a = Attendee::new(Vendor::TencentMeeting, "m1");
    a.user_id = Some(who.into());
    a.joined_at = OffsetDateTime::from_unix_timestamp(joined).ok();
    a.left_at = OffsetDateTime::from_unix_timestamp(left).ok();
    a
}

/// A meeting's life: pushes in one batch (one of them twice), quiet, resumed, ended by the
/// vendor's event, reconciled (a failure first), a late push after its end; then the pulled
/// sessions are marked by how the pushes saw them.
async fn meeting_life(store: &dyn Store) {
    use PresenceKind::*;
    let tencent = Vendor::TencentMeeting;
    let a_in = [change("a", Joined, 100)];
    let b_in = [change("b", Joined, 130)];
    let a_out = [change("a", Left, 200)];
    // The batch: a's join, b's join, and a's join again (a redelivery inside the batch).
    let stored = store
        .record_pushes(&[
            push("d1", 10 * MIN, &a_in, false),
            push("d2", 11 * MIN, &b_in, false),
            push("d1", 12 * MIN, &a_in, false),
        ])
        .await
        .unwrap();
    assert_eq!(stored, vec![true, true, false]);
    let m = store.live_meeting(tencent, "m1").await.unwrap().unwrap();
    assert_eq!(
        (m.last_push_us, m.ended_us, m.reconciled_us),
        (11 * MIN, None, None)
    );
    assert_eq!(m.subject.as_deref(), Some("周会"));
    // Not due while pushes are recent; due once quiet since the last one.
    let due = |now: i64, settled: i64, quiet: i64| store.due_live_meetings(now, settled, quiet);
    assert!(due(12 * MIN, 12 * MIN, 10 * MIN).await.unwrap().is_empty());
    assert_eq!(due(40 * MIN, 40 * MIN, 11 * MIN).await.unwrap().len(), 1);
    // A reconciliation that saw an older last push is not recorded (a push came meanwhile).
    let reconciled =
        |seen: i64, now: i64| store.record_reconciliation(tencent, "m1", seen, now, Ok(()));
    assert!(!reconciled(10 * MIN, 40 * MIN).await.unwrap());
    assert_eq!(due(40 * MIN, 40 * MIN, 11 * MIN).await.unwrap().len(), 1);
    // Reconciled after the quiet period; then a push resumes the meeting: to do again.
    assert!(reconciled(11 * MIN, 40 * MIN).await.unwrap());
    assert!(due(90 * MIN, 90 * MIN, 89 * MIN).await.unwrap().is_empty());
    store
        .record_push(&push("d3", 41 * MIN, &a_out, false))
        .await
        .unwrap();
    let m = store.live_meeting(tencent, "m1").await.unwrap().unwrap();
    assert_eq!((m.ended_us, m.reconciled_us), (None, None));
    // The vendor's end event: due once settled (here 2 minutes); a failed attempt waits for
    // its retry time.
    store
        .record_push(&push("end", 42 * MIN, &[], true))
        .await
        .unwrap();
    assert!(due(43 * MIN, 41 * MIN, 0).await.unwrap().is_empty());
    assert_eq!(due(44 * MIN, 42 * MIN, 0).await.unwrap().len(), 1);
    assert!(
        store
            .record_reconciliation(
                tencent,
                "m1",
                42 * MIN,
                44 * MIN,
                Err(("the vendor is down", 45 * MIN)),
            )
            .await
            .unwrap()
    );
    assert!(due(44 * MIN, 44 * MIN, 0).await.unwrap().is_empty());
    let again = due(45 * MIN, 45 * MIN, 0).await.unwrap();
    assert_eq!(again[0].error.as_deref(), Some("the vendor is down"));
    assert!(again[0].ended_by_event);
    assert_eq!(again[0].ended_us, Some(42 * MIN));
    store
        .replace_meeting(
            &roster_core::MeetingSummary::new(tencent, "m1"),
            &[
                pulled("a", 100, 200),
                pulled("b", 130, 300),
                pulled("c", 150, 300),
                pulled("d", 160, 300),
            ],
            &[],
            &SyncOutcome::complete(1),
        )
        .await
        .unwrap();
    assert!(reconciled(42 * MIN, 45 * MIN).await.unwrap());
    assert!(due(99 * MIN, 99 * MIN, 99 * MIN).await.unwrap().is_empty());
    // A late delivery after the end (d's join, retried): it changes no state, and marks d late.
    let d_in = [change("d", Joined, 161)];
    store
        .record_push(&push("d4", 50 * MIN, &d_in, false))
        .await
        .unwrap();
    let m = store.live_meeting(tencent, "m1").await.unwrap().unwrap();
    assert_eq!(
        (m.ended_us, m.reconciled_us),
        (Some(42 * MIN), Some(45 * MIN))
    );
    let seen: Vec<_> = store
        .reconciled_sessions(tencent, "m1")
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.session.user_id.unwrap(), r.seen))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("a".to_string(), Seen::Live),
            ("b".to_string(), Seen::Live),
            ("c".to_string(), Seen::PullOnly),
            ("d".to_string(), Seen::Late),
        ]
    );
    assert_eq!(store.counts().await.unwrap().pushes, 5);
    // A genuine event may hold a NUL (PostgreSQL's TEXT refuses it): stored all the same.
    let mut named = change("e", Joined, 170);
    named.display_name = Some("e\u{0}".into());
    let nul = PushRecord {
        body: "{\"name\":\"e\u{0}\"}",
        ..push("nul", 51 * MIN, std::slice::from_ref(&named), false)
    };
    assert!(store.record_push(&nul).await.unwrap());
    assert_eq!(store.counts().await.unwrap().pushes, 6);
    let row = store.stored_meeting(tencent, "m1").await.unwrap().unwrap();
    assert_eq!(row.meeting_id, "m1");
    assert!(store.stored_meeting(tencent, "m2").await.unwrap().is_none());
}

#[tokio::test]
async fn sqlite_keeps_a_meetings_life() {
    meeting_life(&SqliteStore::open_in_memory().unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_a_meetings_life() {
    let cluster = roster_testkit::postgres::Cluster::start().unwrap();
    meeting_life(&PgStore::connect(&cluster.url()).await.unwrap()).await;
}
